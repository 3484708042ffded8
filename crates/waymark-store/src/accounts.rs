//! Accounts, API tokens, sessions and the server's own secrets, behind
//! [`AccountStore`]. Secrets are never stored as given: a password only as
//! its argon2id hash, a session id or an API token only as its SHA-256
//! digest (`crate::secret`).

use waymark_core::access::{OwnerName, Role};
use waymark_core::identity::Email;

use crate::{AccountId, Actor, Result, TokenId, Version};

/// An account as it is stored, without its password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub id: AccountId,
    pub email: Email,
    pub name: String,
    pub role: Role,
    /// The names this account owns work packages under (`access::owns`).
    pub owner_names: Vec<OwnerName>,
    /// A disabled account cannot sign in, and its sessions and tokens stop
    /// working at once.
    pub disabled: bool,
    /// Signed in with a one-off password: the next page asks for a new one.
    pub must_change_password: bool,
    /// Whether it has a password (an account made by single sign-on may not).
    pub has_password: bool,
    /// The single sign-on identity it is linked to (`issuer subject`), if any.
    pub sso_subject: Option<String>,
    pub created_ms: i64,
    pub last_sign_in_ms: Option<i64>,
    pub version: Version,
}

/// A new account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub owner_names: Vec<OwnerName>,
    /// The argon2id hash (`secret::hash_password`); `None`: no password
    /// (single sign-on only, until one is set).
    pub password_hash: Option<String>,
    /// The password is a one-off: ask for a new one at the next sign-in.
    pub must_change_password: bool,
}

/// What a change to an account sets; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountChange {
    pub name: Option<String>,
    pub role: Option<Role>,
    pub owner_names: Option<Vec<OwnerName>>,
    /// Disabling ends the account's sessions in the same transaction.
    pub disabled: Option<bool>,
    /// A new password hash and whether it is a one-off. Setting one ends the
    /// account's other sessions (all of them when it is a one-off).
    pub password: Option<(String, bool)>,
}

/// An API token as listed (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub id: TokenId,
    pub account: AccountId,
    /// The account's email, for an admin's list.
    pub account_email: Email,
    pub name: String,
    pub created_ms: i64,
    pub last_used_ms: Option<i64>,
    pub revoked_ms: Option<i64>,
}

/// How long a session lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Ended this long after its last use.
    pub idle_ms: i64,
    /// Ended this long after it began, however busy.
    pub max_ms: i64,
}

/// The account a session or a token acts for, as a request needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub account: AccountRow,
    /// The token the request came with (`None`: a session).
    pub token: Option<TokenId>,
}

impl Caller {
    /// The actor a write by this caller records.
    pub fn actor(&self) -> Actor {
        match self.token {
            Some(id) => Actor::Token {
                id,
                account: self.account.id,
                name: self.account.name.clone(),
            },
            None => Actor::Account {
                id: self.account.id,
                name: self.account.name.clone(),
            },
        }
    }
}

/// An account found for a sign-in: the row and its password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub account: AccountRow,
    pub password_hash: Option<String>,
}

/// Who single sign-on says signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoPerson {
    /// `issuer` + space + `sub`: unique and stable per provider.
    pub subject: String,
    pub email: Email,
    /// Whether the provider says it verified the email address. Only then may
    /// a sign-in link to an existing account found by email.
    pub email_verified: bool,
    pub name: String,
    /// The role the role map gives: set on every sign-in.
    pub role: Role,
}

/// Accounts, tokens, sessions and server secrets. Changes to accounts and
/// tokens are audited like plan changes (entity `account` or `api_token`;
/// never a password hash or token digest in the entry) and need
/// `manage-users` / `manage-tokens` unless the actor acts on its own account
/// (`own-account`: its own tokens and password) or is the command line.
/// Sessions are not audited (sign-ins and sign-outs go to the log).
pub trait AccountStore: Send + Sync {
    /// A new account. Refused with `Conflict { field: "email" }` when an
    /// account has that address.
    fn create_account(&self, new: &NewAccount, by: &Actor) -> Result<AccountId>;
    /// Every account, by email.
    fn accounts(&self) -> Result<Vec<AccountRow>>;
    fn account(&self, id: AccountId) -> Result<AccountRow>;
    fn account_by_email(&self, email: &Email) -> Result<Option<AccountRow>>;
    /// The account and its password hash, for checking a sign-in.
    fn credentials(&self, email: &Email) -> Result<Option<Credentials>>;
    /// Change an account at the version the caller saw (`None`: any).
    /// Refuses to leave no enabled admin (`Invalid`).
    fn change_account(
        &self,
        id: AccountId,
        change: &AccountChange,
        expected: Option<Version>,
        by: &Actor,
    ) -> Result<()>;
    /// A single sign-on: the account linked to `person.subject`, else the
    /// account with its email when the provider verified it (linked now),
    /// else a new account. Its name and role are set from `person`. Refused
    /// (`Forbidden`) when that account is disabled. Audited as the system.
    fn sso_account(&self, person: &SsoPerson, now_ms: i64) -> Result<AccountRow>;

    /// A new API token for `account`, stored as `digest` (hex SHA-256).
    fn create_token(
        &self,
        account: AccountId,
        name: &str,
        digest: &str,
        by: &Actor,
    ) -> Result<TokenId>;
    /// Tokens, newest first: one account's, or everyone's.
    fn tokens(&self, account: Option<AccountId>) -> Result<Vec<TokenRow>>;
    /// Revoke a token (its owner, an admin or the command line).
    fn revoke_token(&self, id: TokenId, by: &Actor) -> Result<()>;
    /// The caller a token acts for, when it is not revoked and its account
    /// is enabled; notes when it was used (at most once a minute).
    fn token_caller(&self, digest: &str, now_ms: i64) -> Result<Option<Caller>>;
    /// [`Self::token_caller`]'s answer when memory alone gives it: no IO and
    /// no waiting, so a caller on an async thread asks this first and only
    /// goes to `token_caller` (off that thread) on `None`.
    fn known_token_caller(&self, _digest: &str, _now_ms: i64) -> Option<Caller> {
        None
    }

    /// Begin a session for `account` under `digest` (hex SHA-256 of the
    /// cookie's id); sessions past their expiry are removed meanwhile, and
    /// the account's sign-in time noted.
    fn create_session(
        &self,
        digest: &str,
        account: AccountId,
        now_ms: i64,
        policy: SessionPolicy,
    ) -> Result<()>;
    /// The caller of a live session (not idle past `policy.idle_ms`, not past
    /// `policy.max_ms`, account enabled); notes its use (at most once a minute).
    fn session_caller(
        &self,
        digest: &str,
        now_ms: i64,
        policy: SessionPolicy,
    ) -> Result<Option<Caller>>;
    /// [`Self::session_caller`]'s answer when memory alone gives it, as
    /// [`Self::known_token_caller`].
    fn known_session_caller(
        &self,
        _digest: &str,
        _now_ms: i64,
        _policy: SessionPolicy,
    ) -> Option<Caller> {
        None
    }
    /// End a session (sign-out); ending one that is gone is not an error.
    fn end_session(&self, digest: &str) -> Result<()>;

    /// A secret of the server's (the CSRF key), made by `make` and stored
    /// on first use, so it outlives a restart and is shared by processes.
    fn server_secret(&self, name: &str, make: &dyn Fn() -> Vec<u8>) -> Result<Vec<u8>>;
}
