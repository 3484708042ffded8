-- Progress notes (issue 11, "Progress and reports"): dated records of a work
-- package's progress, each with its RAG (or none), its text, who wrote it
-- (the account's display name as it was) and when it was recorded. A note is
-- a record people edit, so it has a version (0006). Notes go with their
-- package. The package's own `progress_note` (0008, the plan file's
-- commentary column) is kept apart: see docs/governance.md.
CREATE TABLE progress_note (
    id INTEGER PRIMARY KEY,
    work_package_id INTEGER NOT NULL REFERENCES work_package(id) ON DELETE CASCADE,
    date TEXT NOT NULL,
    rag TEXT CHECK (rag IN ('red', 'amber', 'green')),
    text TEXT NOT NULL,
    author TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX progress_note_by_package_date ON progress_note(work_package_id, date DESC, id DESC);
