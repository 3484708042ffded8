-- The decision log (issue 11, "Governance"): what the strategy group (or a
-- person) decided, at which meeting and when, and why, linked to the work
-- packages and programmes it concerns. A decision is a record people edit,
-- so it has a version like every other (0006). Links go when the package or
-- programme goes; the decision stays. (0009 is left for the baselines.)
CREATE TABLE decision (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    date TEXT NOT NULL,
    meeting TEXT NOT NULL,
    text TEXT NOT NULL,
    rationale TEXT NOT NULL DEFAULT '',
    decided_by TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX decision_by_plan_date ON decision(plan_id, date DESC, id DESC);

CREATE TABLE decision_work_package (
    decision_id INTEGER NOT NULL REFERENCES decision(id) ON DELETE CASCADE,
    work_package_id INTEGER NOT NULL REFERENCES work_package(id) ON DELETE CASCADE,
    PRIMARY KEY (decision_id, work_package_id)
) WITHOUT ROWID;
CREATE INDEX decision_work_package_by_package ON decision_work_package(work_package_id, decision_id);

CREATE TABLE decision_programme (
    decision_id INTEGER NOT NULL REFERENCES decision(id) ON DELETE CASCADE,
    programme_id INTEGER NOT NULL REFERENCES programme(id) ON DELETE CASCADE,
    PRIMARY KEY (decision_id, programme_id)
) WITHOUT ROWID;
CREATE INDEX decision_programme_by_programme ON decision_programme(programme_id, decision_id);
