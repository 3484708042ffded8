-- Accounts, API tokens, sessions and the server's own secrets (issue 9,
-- "Who you are"). Secrets are never stored as given: a password only as its
-- argon2id hash (PHC text), a token or session id only as its SHA-256 digest
-- (64 lower-case hex digits). Changes to `account` and `api_token` are
-- audited like plan changes (the audit's snapshot leaves the hash and the
-- digest out); sessions are not.

CREATE TABLE account (
    id INTEGER PRIMARY KEY,
    -- Lower case (waymark_core::identity::Email): one account per address.
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'contributor', 'manager', 'approver', 'admin')),
    -- The names it owns work packages under, one a line.
    owner_names TEXT NOT NULL DEFAULT '',
    -- NULL: no password (single sign-on only).
    password_hash TEXT,
    -- When the password was last set (the audit shows this, never the hash).
    password_set_ms INTEGER,
    must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    -- `issuer subject` of the single sign-on identity it is linked to.
    sso_subject TEXT UNIQUE,
    created_ms INTEGER NOT NULL,
    last_sign_in_ms INTEGER,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE api_token (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account(id),
    name TEXT NOT NULL,
    digest TEXT NOT NULL UNIQUE,
    created_ms INTEGER NOT NULL,
    last_used_ms INTEGER,
    revoked_ms INTEGER,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX api_token_account ON api_token(account_id);

CREATE TABLE session (
    digest TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES account(id) ON DELETE CASCADE,
    created_ms INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX session_account ON session(account_id);

CREATE TABLE server_secret (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;
