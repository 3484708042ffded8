-- The RAID log (issue 11, "Governance"): a plan's risks, assumptions,
-- issues and dependencies on things outside the plan, one record with a
-- kind. Every kind has a title, description, owner and status; a risk its
-- likelihood and impact (1 to 5; its score is their product), mitigation
-- and next review date; an issue its severity and resolution; a dependency
-- who provides it and when it is needed by. The fields of another kind are
-- NULL or empty. Linked to the plan's packages and programmes; links go when
-- the package or programme goes, the item stays. Versioned like every
-- record people edit (0006).
CREATE TABLE raid_item (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('risk', 'assumption', 'issue', 'dependency')),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    owner TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    likelihood INTEGER CHECK (likelihood BETWEEN 1 AND 5),
    impact INTEGER CHECK (impact BETWEEN 1 AND 5),
    mitigation TEXT NOT NULL DEFAULT '',
    next_review TEXT,
    severity TEXT,
    resolution TEXT NOT NULL DEFAULT '',
    provider TEXT NOT NULL DEFAULT '',
    needed_by TEXT,
    created_ms INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX raid_item_by_plan ON raid_item(plan_id, kind, status);

CREATE TABLE raid_item_work_package (
    raid_item_id INTEGER NOT NULL REFERENCES raid_item(id) ON DELETE CASCADE,
    work_package_id INTEGER NOT NULL REFERENCES work_package(id) ON DELETE CASCADE,
    PRIMARY KEY (raid_item_id, work_package_id)
) WITHOUT ROWID;
CREATE INDEX raid_item_work_package_by_package ON raid_item_work_package(work_package_id, raid_item_id);

CREATE TABLE raid_item_programme (
    raid_item_id INTEGER NOT NULL REFERENCES raid_item(id) ON DELETE CASCADE,
    programme_id INTEGER NOT NULL REFERENCES programme(id) ON DELETE CASCADE,
    PRIMARY KEY (raid_item_id, programme_id)
) WITHOUT ROWID;
CREATE INDEX raid_item_programme_by_programme ON raid_item_programme(programme_id, raid_item_id);
