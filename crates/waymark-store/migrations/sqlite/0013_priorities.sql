-- Priorities that reflect business need (issue 11): the strategy group's
-- criteria with weights, and each work package's and programme's score on
-- each criterion. Both are records people edit, so both have versions (0006).
-- A score goes with its criterion, package or programme. (0011, 0012 and
-- 0014 are other parts of issue 11.)
CREATE TABLE priority_criterion (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    weight INTEGER NOT NULL CHECK (weight BETWEEN 1 AND 100),
    position INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX priority_criterion_by_plan ON priority_criterion(plan_id, position, id);

-- One score per criterion and item: the item is a work package or a
-- programme, exactly one of the two.
CREATE TABLE priority_score (
    id INTEGER PRIMARY KEY,
    criterion_id INTEGER NOT NULL REFERENCES priority_criterion(id) ON DELETE CASCADE,
    work_package_id INTEGER REFERENCES work_package(id) ON DELETE CASCADE,
    programme_id INTEGER REFERENCES programme(id) ON DELETE CASCADE,
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    note TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    CHECK ((work_package_id IS NULL) <> (programme_id IS NULL))
);
CREATE UNIQUE INDEX priority_score_of_package ON priority_score(work_package_id, criterion_id)
    WHERE work_package_id IS NOT NULL;
CREATE UNIQUE INDEX priority_score_of_programme ON priority_score(programme_id, criterion_id)
    WHERE programme_id IS NOT NULL;
CREATE INDEX priority_score_by_criterion ON priority_score(criterion_id);
