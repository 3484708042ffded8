-- The audit trail: one entry per write, in the same transaction as the write,
-- hash-chained (docs/access.md, "The audit trail"). Entries and their field
-- changes are only ever added: triggers refuse to change or remove them.

CREATE TABLE audit_entry (
    -- 1 for the first entry, then one more each time, no gaps.
    sequence INTEGER PRIMARY KEY,
    -- Milliseconds since 1970-01-01T00:00:00Z.
    at_ms INTEGER NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    actor_display TEXT NOT NULL,
    entity_kind TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,
    -- SHA-256 over the previous hash and this entry's canonical bytes, as 64
    -- lower-case hexadecimal digits.
    hash TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_entry_entity ON audit_entry(entity_kind, entity_id, sequence);

CREATE TABLE audit_change (
    sequence INTEGER NOT NULL REFERENCES audit_entry(sequence),
    field TEXT NOT NULL,
    -- NULL: the field was not there (before a create, after a delete).
    before TEXT,
    after TEXT,
    PRIMARY KEY (sequence, field)
) WITHOUT ROWID;

CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_change_no_update BEFORE UPDATE ON audit_change
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_change_no_delete BEFORE DELETE ON audit_change
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
