-- Search finds references and codes (3.1.1, 10.4.3) as phrases: adjacent
-- words in order. Phrases need word positions, so the index now keeps them
-- (detail=full) instead of only which rows hold a word (detail=none).
DROP TABLE work_package_search;
CREATE VIRTUAL TABLE work_package_search USING fts5(
    ref, title, scope, relationships, delivery, comments, owner,
    content='work_package', content_rowid='id',
    columnsize=0
);
INSERT INTO work_package_search (work_package_search) VALUES ('rebuild');
