-- Register upkeep: related items set by hand, and the other names of related
-- items (left behind by a rename or a merge).

-- 1 when a person set the package's related items; 0 when they are read from
-- its relationships text on every save. The migration step after this script
-- marks existing packages whose items differ from their text.
ALTER TABLE work_package ADD COLUMN related_items_manual INTEGER NOT NULL DEFAULT 0;

-- A name a relationships text may use for a related item that is now called
-- something else (renamed) or was merged into another.
CREATE TABLE related_item_alias (
    plan_id INTEGER NOT NULL REFERENCES plan(id) ON DELETE CASCADE,
    name TEXT NOT NULL COLLATE NOCASE,
    related_item_id INTEGER NOT NULL REFERENCES related_item(id) ON DELETE CASCADE,
    PRIMARY KEY (plan_id, name)
) WITHOUT ROWID;
CREATE INDEX related_item_alias_by_item ON related_item_alias(related_item_id);
