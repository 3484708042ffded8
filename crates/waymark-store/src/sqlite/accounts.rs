//! [`AccountStore`] on SQLite. Changes to accounts and tokens go through the
//! store's one write path (audited, permission checked in the transaction);
//! sessions, sign-in and use times are small direct writes that are not
//! audited and do not bump `store_generation` (they would empty the read
//! caches on every request).

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use waymark_core::access::{Action, OwnerName};
use waymark_core::identity::Email;
use waymark_core::limits;
use waymark_core::model::ParseValueError;

use super::tx::SqliteTx;
use super::{SqliteStore, corrupt, map_unique, now_ms, parse_col};
use crate::rules;
use crate::rules::access::Need;
use crate::rules::audit::{Audited, Subject};
use crate::{
    AccountChange, AccountId, AccountRow, AccountStore, Actor, Caller, Credentials, NewAccount,
    Result, SessionPolicy, SsoPerson, StoreError, TokenId, TokenRow, Version,
};

/// How often a session's or token's last use is written down: at most once
/// a minute, so a busy client costs no write per request.
const TOUCH_EVERY_MS: i64 = 60_000;

const ACCOUNT_COLUMNS: &str = "a.id, a.email, a.name, a.role, a.owner_names, a.disabled, \
     a.must_change_password, a.password_hash IS NOT NULL, a.sso_subject, a.created_ms, \
     a.last_sign_in_ms, a.version";

/// Owner names as stored: one a line.
pub(super) fn owner_names(text: &str) -> std::result::Result<Vec<OwnerName>, ParseValueError> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::parse)
        .collect()
}

fn owner_text(names: &[OwnerName]) -> String {
    names
        .iter()
        .map(OwnerName::as_str)
        .collect::<Vec<_>>()
        .join("\n")
}

/// An account from [`ACCOUNT_COLUMNS`] starting at column `at`.
fn account_row(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<AccountRow> {
    let email: String = r.get(at + 1)?;
    let role: String = r.get(at + 3)?;
    let names: String = r.get(at + 4)?;
    Ok(AccountRow {
        id: AccountId(r.get(at)?),
        email: parse_col::<Email>(&email)?,
        name: r.get(at + 2)?,
        role: parse_col(&role)?,
        owner_names: owner_names(&names).map_err(corrupt)?,
        disabled: r.get(at + 5)?,
        must_change_password: r.get(at + 6)?,
        has_password: r.get(at + 7)?,
        sso_subject: r.get(at + 8)?,
        created_ms: r.get(at + 9)?,
        last_sign_in_ms: r.get(at + 10)?,
        version: Version(r.get(at + 11)?),
    })
}

fn account_where(
    c: &Connection,
    clause: &str,
    param: &dyn rusqlite::ToSql,
) -> Result<Option<AccountRow>> {
    Ok(c.prepare_cached(&format!(
        "SELECT {ACCOUNT_COLUMNS} FROM account a WHERE {clause}"
    ))?
    .query_row([param], |r| account_row(r, 0))
    .optional()?)
}

fn check_name(name: &str) -> Result<()> {
    limits::ACCOUNT_NAME
        .check(name)
        .map_err(|e| StoreError::Invalid {
            field: "name",
            message: e.to_string(),
        })
}

fn check_owner_names(names: &[OwnerName]) -> Result<()> {
    if names.len() > limits::MAX_OWNER_NAMES {
        return Err(StoreError::Invalid {
            field: "owner_names",
            message: format!(
                "An account may have at most {} owner names",
                limits::MAX_OWNER_NAMES
            ),
        });
    }
    Ok(())
}

fn email_taken(e: rusqlite::Error, email: &Email) -> StoreError {
    map_unique(
        e,
        "email",
        format!("An account with the email address {email} already exists"),
    )
}

use super::callers;

impl SqliteStore {
    /// A small write outside the audited path (a session, a time of use):
    /// in its own transaction, in this process's turn, never bumping the
    /// store generation.
    fn side_write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut w = self.writer()?;
        let tx = w
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        // A session begun or ended: who a cookie is may have changed.
        self.callers.clear();
        self.wrote();
        Ok(value)
    }

    /// Note a use (a token's or a session's), or remove an expired session,
    /// unless another writer is busy now: it is only upkeep, so it never
    /// waits and never fails the request.
    fn touch(&self, sql: &str, params: &[&dyn rusqlite::ToSql]) {
        let Ok(_turn) = self.writer.try_lock() else {
            return;
        };
        let done = self.pool.get().map_err(StoreError::from).and_then(|conn| {
            conn.busy_timeout(std::time::Duration::from_millis(50))?;
            let result = conn.prepare_cached(sql).and_then(|mut s| s.execute(params));
            conn.busy_timeout(std::time::Duration::from_millis(5000))?;
            result?;
            Ok(())
        });
        match done {
            Ok(()) => self.wrote(),
            Err(e) => tracing::warn!(error = %e, "session or token upkeep skipped"),
        }
    }

    fn new_account(
        tx: &Connection,
        new: &NewAccount,
        sso: Option<&str>,
        now: i64,
    ) -> Result<AccountId> {
        check_name(&new.name)?;
        check_owner_names(&new.owner_names)?;
        tx.prepare_cached(
            "INSERT INTO account (email, name, role, owner_names, password_hash, password_set_ms,
                                  must_change_password, sso_subject, created_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )?
        .execute(params![
            new.email.as_str(),
            new.name,
            new.role.as_str(),
            owner_text(&new.owner_names),
            new.password_hash,
            new.password_hash.as_ref().map(|_| now),
            new.must_change_password,
            sso,
            now,
        ])
        .map_err(|e| email_taken(e, &new.email))?;
        Ok(AccountId(tx.last_insert_rowid()))
    }

    fn end_sessions(tx: &Connection, id: AccountId) -> Result<()> {
        tx.prepare_cached("DELETE FROM session WHERE account_id = ?")?
            .execute([id.0])?;
        Ok(())
    }

    fn sso_once(&self, person: &SsoPerson, now_ms: i64) -> Result<AccountRow> {
        let found = self.read(|c| {
            if let Some(a) = account_where(c, "a.sso_subject = ?", &person.subject)? {
                return Ok(Some(a));
            }
            match account_where(c, "a.email = ?", &person.email.as_str())? {
                Some(a) if a.sso_subject.is_some() => Err(StoreError::Forbidden {
                    field: None,
                    message: "The account with this email address signs in with another \
                              single sign-on identity; ask an admin"
                        .into(),
                }),
                Some(_) if !person.email_verified => Err(StoreError::Forbidden {
                    field: None,
                    message: "An account with this email address exists, and the sign-in \
                              service has not verified the address; ask an admin"
                        .into(),
                }),
                found => Ok(found),
            }
        })?;
        let by = &Actor::System;
        let id = match found {
            Some(account) => {
                let id = account.id;
                self.write(by, Audited::Change("update", Subject::Account(id)), |tx| {
                    let disabled: Option<bool> = tx
                        .prepare_cached("SELECT disabled FROM account WHERE id = ?")?
                        .query_row([id.0], |r| r.get(0))
                        .optional()?;
                    match disabled {
                        None => return Err(StoreError::NotFound { what: "account" }),
                        Some(true) => {
                            return Err(StoreError::Forbidden {
                                field: None,
                                message: "This account is disabled".into(),
                            });
                        }
                        Some(false) => {}
                    }
                    check_name(&person.name)?;
                    tx.prepare_cached(
                        "UPDATE account SET name = ?, role = ?, sso_subject = ? WHERE id = ?",
                    )?
                    .execute(params![
                        person.name,
                        person.role.as_str(),
                        person.subject,
                        id.0
                    ])
                    .map_err(|e| {
                        map_unique(
                            e,
                            "sso_subject",
                            "This sign-in is linked to another account".into(),
                        )
                    })?;
                    Ok(())
                })?;
                id
            }
            None => {
                let new = NewAccount {
                    email: person.email.clone(),
                    name: person.name.clone(),
                    role: person.role,
                    owner_names: Vec::new(),
                    password_hash: None,
                    must_change_password: false,
                };
                self.write(
                    by,
                    Audited::Create(|id: &AccountId| Subject::Account(*id)),
                    |tx| Self::new_account(tx, &new, Some(&person.subject), now_ms),
                )?
            }
        };
        self.account(id)
    }
}

impl AccountStore for SqliteStore {
    fn create_account(&self, new: &NewAccount, by: &Actor) -> Result<AccountId> {
        self.write_as(
            by,
            &Need::Action(Action::ManageUsers),
            Audited::Create(|id: &AccountId| Subject::Account(*id)),
            |tx| Self::new_account(tx, new, None, now_ms()),
        )
    }

    fn accounts(&self) -> Result<Vec<AccountRow>> {
        self.read(|c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {ACCOUNT_COLUMNS} FROM account a ORDER BY a.email"
            ))?
            .query_map([], |r| account_row(r, 0))?
            .collect::<rusqlite::Result<_>>()?)
        })
    }

    fn account(&self, id: AccountId) -> Result<AccountRow> {
        self.read(|c| account_where(c, "a.id = ?", &id.0))?
            .ok_or(StoreError::NotFound { what: "account" })
    }

    fn account_by_email(&self, email: &Email) -> Result<Option<AccountRow>> {
        self.read(|c| account_where(c, "a.email = ?", &email.as_str()))
    }

    fn credentials(&self, email: &Email) -> Result<Option<Credentials>> {
        self.read(|c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {ACCOUNT_COLUMNS}, a.password_hash FROM account a WHERE a.email = ?"
            ))?
            .query_row([email.as_str()], |r| {
                Ok(Credentials {
                    account: account_row(r, 0)?,
                    password_hash: r.get(12)?,
                })
            })
            .optional()?)
        })
    }

    fn change_account(
        &self,
        id: AccountId,
        change: &AccountChange,
        expected: Option<Version>,
        by: &Actor,
    ) -> Result<()> {
        let only_password = change.name.is_none()
            && change.role.is_none()
            && change.owner_names.is_none()
            && change.disabled.is_none();
        let need = if only_password {
            Need::OwnOr {
                account: id,
                other: Action::ManageUsers,
            }
        } else {
            Need::Action(Action::ManageUsers)
        };
        let subject = Subject::Account(id);
        self.write_as(
            by,
            &need,
            Audited::Change("update", subject.clone()),
            |tx| {
                let mut ptx = SqliteTx::new(tx);
                rules::expect_version(&mut ptx, &subject, expected)?;
                let admins_before = rules::PlanTx::enabled_admins(&mut ptx)?;
                if let Some(name) = &change.name {
                    check_name(name)?;
                    tx.prepare_cached("UPDATE account SET name = ? WHERE id = ?")?
                        .execute(params![name, id.0])?;
                }
                if let Some(role) = change.role {
                    tx.prepare_cached("UPDATE account SET role = ? WHERE id = ?")?
                        .execute(params![role.as_str(), id.0])?;
                }
                if let Some(names) = &change.owner_names {
                    check_owner_names(names)?;
                    tx.prepare_cached("UPDATE account SET owner_names = ? WHERE id = ?")?
                        .execute(params![owner_text(names), id.0])?;
                }
                if let Some(disabled) = change.disabled {
                    tx.prepare_cached("UPDATE account SET disabled = ? WHERE id = ?")?
                        .execute(params![disabled, id.0])?;
                    if disabled {
                        Self::end_sessions(tx, id)?;
                    }
                }
                if let Some((hash, one_off)) = &change.password {
                    // Later than the last time it was set, even within the
                    // same millisecond, so the audit entry always shows that a
                    // password was set (the hash itself is never in it).
                    tx.prepare_cached(
                        "UPDATE account SET password_hash = ?,
                            password_set_ms = MAX(?, COALESCE(password_set_ms, 0) + 1),
                            must_change_password = ? WHERE id = ?",
                    )?
                    .execute(params![hash, now_ms(), one_off, id.0])?;
                    // The store cannot tell the session that set it from the
                    // others: every session ends, and the web begins a new one
                    // for whoever changed their own password.
                    Self::end_sessions(tx, id)?;
                }
                // A database with no admin yet (accounts made on the command
                // line) may change; one that has one keeps one.
                if admins_before > 0 && (change.role.is_some() || change.disabled == Some(true)) {
                    let field = if change.disabled == Some(true) {
                        "disabled"
                    } else {
                        "role"
                    };
                    rules::access::keep_an_admin(&mut ptx, field)?;
                }
                Ok(())
            },
        )
    }

    fn sso_account(&self, person: &SsoPerson, now_ms: i64) -> Result<AccountRow> {
        // Found, then changed in a write: if another sign-in made the
        // account in between, the email is taken and the second try finds it.
        match self.sso_once(person, now_ms) {
            Err(StoreError::Conflict { .. }) => self.sso_once(person, now_ms),
            other => other,
        }
    }

    fn create_token(
        &self,
        account: AccountId,
        name: &str,
        digest: &str,
        by: &Actor,
    ) -> Result<TokenId> {
        limits::TOKEN_NAME
            .check(name)
            .map_err(|e| StoreError::Invalid {
                field: "name",
                message: e.to_string(),
            })?;
        self.write_as(
            by,
            &Need::OwnOr {
                account,
                other: Action::ManageTokens,
            },
            Audited::Create(|id: &TokenId| Subject::Token(*id)),
            |tx| {
                if rules::PlanTx::account_access(&mut SqliteTx::new(tx), account)?.is_none() {
                    return Err(StoreError::NotFound { what: "account" });
                }
                tx.prepare_cached(
                    "INSERT INTO api_token (account_id, name, digest, created_ms) VALUES (?, ?, ?, ?)",
                )?
                .execute(params![account.0, name, digest, now_ms()])
                .map_err(|e| map_unique(e, "token", "That token is already in use".into()))?;
                Ok(TokenId(tx.last_insert_rowid()))
            },
        )
    }

    fn tokens(&self, account: Option<AccountId>) -> Result<Vec<TokenRow>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT t.id, t.account_id, a.email, t.name, t.created_ms, t.last_used_ms, t.revoked_ms
                 FROM api_token t JOIN account a ON a.id = t.account_id
                 WHERE ?1 IS NULL OR t.account_id = ?1
                 ORDER BY t.id DESC",
            )?;
            let rows = stmt
                .query_map([account.map(|a| a.0)], |r| {
                    let email: String = r.get(2)?;
                    Ok(TokenRow {
                        id: TokenId(r.get(0)?),
                        account: AccountId(r.get(1)?),
                        account_email: parse_col(&email)?,
                        name: r.get(3)?,
                        created_ms: r.get(4)?,
                        last_used_ms: r.get(5)?,
                        revoked_ms: r.get(6)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            Ok(rows)
        })
    }

    fn revoke_token(&self, id: TokenId, by: &Actor) -> Result<()> {
        self.write_as(
            by,
            &Need::Token(id),
            Audited::Change("update", Subject::Token(id)),
            |tx| {
                let n = tx
                    .prepare_cached(
                        "UPDATE api_token SET revoked_ms = ? WHERE id = ? AND revoked_ms IS NULL",
                    )?
                    .execute(params![now_ms(), id.0])?;
                if n == 0 && rules::PlanTx::token_account(&mut SqliteTx::new(tx), id)?.is_none() {
                    return Err(StoreError::NotFound { what: "API token" });
                }
                Ok(())
            },
        )
    }

    fn known_token_caller(&self, digest: &str, now_ms: i64) -> Option<Caller> {
        self.callers
            .get(&format!("t:{digest}"))
            .filter(|e| now_ms - e.last_ms < TOUCH_EVERY_MS)
            .map(|e| e.caller)
    }

    fn token_caller(&self, digest: &str, now_ms: i64) -> Result<Option<Caller>> {
        if let Some(caller) = self.known_token_caller(digest, now_ms) {
            return Ok(Some(caller));
        }
        let key = format!("t:{digest}");
        let found = {
            let conn = self.pool.get()?;
            conn.prepare_cached(&format!(
                "SELECT t.id, t.last_used_ms, {ACCOUNT_COLUMNS}
                 FROM api_token t JOIN account a ON a.id = t.account_id
                 WHERE t.digest = ? AND t.revoked_ms IS NULL AND a.disabled = 0"
            ))?
            .query_row([digest], |r| {
                Ok((
                    TokenId(r.get(0)?),
                    r.get::<_, Option<i64>>(1)?,
                    account_row(r, 2)?,
                ))
            })
            .optional()?
        };
        let Some((id, last_used, account)) = found else {
            return Ok(None);
        };
        let mut last_ms = last_used.unwrap_or(i64::MIN);
        if last_used.is_none_or(|t| now_ms - t >= TOUCH_EVERY_MS) {
            self.touch(
                "UPDATE api_token SET last_used_ms = ? WHERE id = ?",
                &[&now_ms, &id.0],
            );
            last_ms = now_ms;
        }
        let caller = Caller {
            account,
            token: Some(id),
        };
        self.callers
            .put(key, callers::Entry::new(caller.clone(), last_ms, None));
        Ok(Some(caller))
    }

    fn create_session(
        &self,
        digest: &str,
        account: AccountId,
        now_ms: i64,
        policy: SessionPolicy,
    ) -> Result<()> {
        self.side_write(|tx| {
            tx.prepare_cached("DELETE FROM session WHERE last_seen_ms <= ? OR created_ms <= ?")?
                .execute(params![
                    now_ms.saturating_sub(policy.idle_ms),
                    now_ms.saturating_sub(policy.max_ms)
                ])?;
            let n = tx
                .prepare_cached("UPDATE account SET last_sign_in_ms = ? WHERE id = ?")?
                .execute(params![now_ms, account.0])?;
            if n == 0 {
                return Err(StoreError::NotFound { what: "account" });
            }
            tx.prepare_cached(
                "INSERT INTO session (digest, account_id, created_ms, last_seen_ms) VALUES (?, ?, ?, ?)",
            )?
            .execute(params![digest, account.0, now_ms, now_ms])?;
            Ok(())
        })
    }

    fn known_session_caller(
        &self,
        digest: &str,
        now_ms: i64,
        policy: SessionPolicy,
    ) -> Option<Caller> {
        let e = self.callers.get(&format!("s:{digest}"))?;
        let created = e.created_ms?;
        (now_ms - e.last_ms < TOUCH_EVERY_MS.min(policy.idle_ms)
            && now_ms - created < policy.max_ms)
            .then_some(e.caller)
    }

    fn session_caller(
        &self,
        digest: &str,
        now_ms: i64,
        policy: SessionPolicy,
    ) -> Result<Option<Caller>> {
        if let Some(caller) = self.known_session_caller(digest, now_ms, policy) {
            return Ok(Some(caller));
        }
        let key = format!("s:{digest}");
        let found = {
            let conn = self.pool.get()?;
            conn.prepare_cached(&format!(
                "SELECT s.created_ms, s.last_seen_ms, {ACCOUNT_COLUMNS}
                 FROM session s JOIN account a ON a.id = s.account_id
                 WHERE s.digest = ? AND a.disabled = 0"
            ))?
            .query_row([digest], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, account_row(r, 2)?))
            })
            .optional()?
        };
        let Some((created, last_seen, account)) = found else {
            return Ok(None);
        };
        if now_ms - last_seen >= policy.idle_ms || now_ms - created >= policy.max_ms {
            self.touch("DELETE FROM session WHERE digest = ?", &[&digest]);
            return Ok(None);
        }
        let mut last_ms = last_seen;
        if now_ms - last_seen >= TOUCH_EVERY_MS {
            self.touch(
                "UPDATE session SET last_seen_ms = ? WHERE digest = ?",
                &[&now_ms, &digest],
            );
            last_ms = now_ms;
        }
        let caller = Caller {
            account,
            token: None,
        };
        self.callers.put(
            key,
            callers::Entry::new(caller.clone(), last_ms, Some(created)),
        );
        Ok(Some(caller))
    }

    fn end_session(&self, digest: &str) -> Result<()> {
        self.side_write(|tx| {
            tx.prepare_cached("DELETE FROM session WHERE digest = ?")?
                .execute([digest])?;
            Ok(())
        })
    }

    fn server_secret(&self, name: &str, make: &dyn Fn() -> Vec<u8>) -> Result<Vec<u8>> {
        let select = |c: &Connection| -> Result<Option<Vec<u8>>> {
            Ok(
                c.prepare_cached("SELECT value FROM server_secret WHERE name = ?")?
                    .query_row([name], |r| r.get(0))
                    .optional()?,
            )
        };
        if let Some(value) = select(&*self.pool.get()?)? {
            return Ok(value);
        }
        let value = make();
        // Another process may store its own first: both then use that one.
        self.side_write(|tx| {
            tx.prepare_cached("INSERT OR IGNORE INTO server_secret (name, value) VALUES (?, ?)")?
                .execute(params![name, value])?;
            select(tx)?.ok_or(StoreError::NotFound {
                what: "server secret",
            })
        })
    }
}
