-- The action plan: plans, sections, work packages and their registers.
CREATE TABLE plan (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL COLLATE NOCASE UNIQUE,
    organisation TEXT NOT NULL DEFAULT '',
    period TEXT NOT NULL DEFAULT '',
    introduction TEXT NOT NULL DEFAULT '',
    quarter_convention TEXT NOT NULL DEFAULT 'calendar',
    notes TEXT NOT NULL DEFAULT ''
);

CREATE TABLE section (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    number TEXT,
    title TEXT
);
CREATE INDEX section_plan ON section(plan_id, position);

CREATE TABLE work_package (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    section_id INTEGER NOT NULL REFERENCES section(id) ON DELETE CASCADE,
    section_position INTEGER NOT NULL,
    position INTEGER NOT NULL,
    number TEXT NOT NULL,
    ref TEXT NOT NULL,
    title TEXT NOT NULL,
    scope TEXT NOT NULL DEFAULT '',
    relationships TEXT NOT NULL DEFAULT '',
    delivery TEXT NOT NULL DEFAULT '',
    final_quarter INTEGER,
    comments TEXT NOT NULL DEFAULT '',
    owner TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'not_started',
    rag TEXT,
    progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    actual_delivery TEXT,
    UNIQUE (plan_id, ref)
);
CREATE INDEX work_package_order ON work_package(plan_id, section_position, position);
CREATE INDEX work_package_section ON work_package(section_id, section_position, position);
CREATE INDEX work_package_status ON work_package(plan_id, status, section_position, position);

CREATE TABLE delivery_target (
    work_package_id INTEGER NOT NULL REFERENCES work_package(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    label TEXT,
    quarter INTEGER NOT NULL,
    PRIMARY KEY (work_package_id, position)
) WITHOUT ROWID;
CREATE INDEX delivery_target_quarter ON delivery_target(quarter, work_package_id);

CREATE TABLE influence (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    sort_key TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    UNIQUE (plan_id, code)
);

CREATE TABLE work_package_influence (
    work_package_id INTEGER NOT NULL REFERENCES work_package(id) ON DELETE CASCADE,
    influence_id INTEGER NOT NULL REFERENCES influence(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (work_package_id, influence_id)
) WITHOUT ROWID;
CREATE INDEX work_package_influence_by_influence ON work_package_influence(influence_id, work_package_id);

CREATE TABLE related_item (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    name TEXT NOT NULL COLLATE NOCASE,
    kind TEXT NOT NULL DEFAULT 'other',
    UNIQUE (plan_id, name)
);

CREATE TABLE work_package_related (
    work_package_id INTEGER NOT NULL REFERENCES work_package(id) ON DELETE CASCADE,
    related_item_id INTEGER NOT NULL REFERENCES related_item(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (work_package_id, related_item_id)
) WITHOUT ROWID;
CREATE INDEX work_package_related_by_item ON work_package_related(related_item_id, work_package_id);

CREATE TABLE programme (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL COLLATE NOCASE,
    priority INTEGER NOT NULL DEFAULT 0,
    description TEXT NOT NULL DEFAULT '',
    UNIQUE (plan_id, name)
);

CREATE TABLE programme_work_package (
    programme_id INTEGER NOT NULL REFERENCES programme(id) ON DELETE CASCADE,
    work_package_id INTEGER NOT NULL REFERENCES work_package(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (programme_id, work_package_id)
) WITHOUT ROWID;
CREATE INDEX programme_work_package_by_package ON programme_work_package(work_package_id);

CREATE TABLE dependency (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    predecessor_id INTEGER NOT NULL REFERENCES work_package(id) ON DELETE CASCADE,
    successor_id INTEGER NOT NULL REFERENCES work_package(id) ON DELETE CASCADE,
    UNIQUE (predecessor_id, successor_id)
);
CREATE INDEX dependency_successor ON dependency(successor_id);
CREATE INDEX dependency_plan ON dependency(plan_id);

-- Free-text search over every text field of a package. The store keeps it in
-- step with work_package in the same transaction as each change (bulk imports
-- index all their rows in one statement, which is far faster than a trigger).
CREATE VIRTUAL TABLE work_package_search USING fts5(
    ref, title, scope, relationships, delivery, comments, owner,
    content='work_package', content_rowid='id',
    -- Word-prefix matching only (no phrases, no ranking): the index keeps
    -- which rows hold a word, not where, which makes it several times cheaper.
    detail='none', columnsize=0
);

-- Bumped by every write transaction; cached counts are valid while it is unchanged.
CREATE TABLE store_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);
INSERT INTO store_generation (id, generation) VALUES (1, 0);
