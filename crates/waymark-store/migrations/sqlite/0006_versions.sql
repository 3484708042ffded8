-- Versions (issue 9, "No lost updates"): every record people edit or delete
-- carries one. A write that changes a record's own fields sets its version to
-- the store generation that write commits as, so a version only grows, and a
-- record deleted and made again under the same id never has a version it had
-- before. Records already stored start at 1 (below every generation a later
-- write commits as). The API sends it as the ETag and checks If-Match against
-- it inside the write's transaction.
ALTER TABLE plan ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE section ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE work_package ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE influence ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE related_item ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE programme ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE dependency ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
