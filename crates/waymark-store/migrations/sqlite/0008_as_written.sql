-- Dates and progress as written (issue 10). A package keeps its latest
-- progress note (free text beside the percentage), and the delivery cell's
-- own words when they say more than the quarters read from them ("End of
-- March 2027", "Ongoing"). Packages stored before have neither: empty.
ALTER TABLE work_package ADD COLUMN progress_note TEXT NOT NULL DEFAULT '';
ALTER TABLE work_package ADD COLUMN delivery_as_written TEXT NOT NULL DEFAULT '';

-- Search finds words in both, so the index gains two columns and is built
-- again from the rows (an FTS5 table's columns cannot be added to).
DROP TABLE work_package_search;
CREATE VIRTUAL TABLE work_package_search USING fts5(
    ref, title, scope, relationships, delivery, delivery_as_written, comments, owner, progress_note,
    content='work_package', content_rowid='id',
    columnsize=0
);
INSERT INTO work_package_search (work_package_search) VALUES ('rebuild');
