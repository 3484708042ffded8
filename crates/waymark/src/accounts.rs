//! `waymark user …` and `waymark token …`: accounts and API tokens from the
//! command line, which acts as the operating-system user who runs it
//! (`Actor::Cli`, whoever may open the database file). A password or token
//! Waymark makes is printed once, alone on standard output (what a script
//! reads); what it means goes to standard error.

use std::io::{BufRead, Write};

use anyhow::{Context, Result, anyhow, bail};
use clap::Subcommand;
use waymark_core::access::{OwnerName, Role};
use waymark_core::identity::{Email, check_password};
use waymark_core::limits;
use waymark_store::{AccountChange, AccountRow, Actor, NewAccount, PlanStore, TokenId, secret};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add an account. Without --password-stdin, prints a one-off password
    /// (once) that must be changed at the first sign-in.
    Add {
        #[arg(long)]
        email: String,
        /// The name shown for the account.
        #[arg(long)]
        name: String,
        /// viewer, contributor, manager, approver or admin.
        #[arg(long)]
        role: String,
        /// A name the account owns work packages under (a post such as
        /// "Head of ICT"); repeat for more.
        #[arg(long = "owner-name")]
        owner_names: Vec<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List every account: email, name, role, enabled or disabled, owner names, last sign-in.
    List,
    /// Disable an account: it cannot sign in, its sessions end and its tokens stop working.
    Disable { email: String },
    /// Enable a disabled account again.
    Enable { email: String },
    /// Give an account another role.
    SetRole { email: String, role: String },
    /// Give an account a new one-off password (printed once); its sessions end.
    ResetPassword { email: String },
    /// Replace an account's owner names (none: owns no package).
    SetOwnerNames { email: String, names: Vec<String> },
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Make an API token for an account and print it (once).
    Create {
        #[arg(long)]
        email: String,
        /// What the token is for ("nightly export").
        #[arg(long)]
        name: String,
    },
    /// List tokens, newest first (never the tokens themselves).
    List {
        /// Only this account's.
        #[arg(long)]
        email: Option<String>,
    },
    /// Revoke a token by its id (from `token list`).
    Revoke { id: i64 },
}

fn email(text: &str) -> Result<Email> {
    text.parse().map_err(|e| anyhow!("{e}"))
}

fn role(text: &str) -> Result<Role> {
    text.parse().map_err(|e| anyhow!("{e}"))
}

fn owner_names(names: &[String]) -> Result<Vec<OwnerName>> {
    if names.len() > limits::MAX_OWNER_NAMES {
        bail!(
            "an account may have at most {} owner names",
            limits::MAX_OWNER_NAMES
        );
    }
    names
        .iter()
        .map(|n| n.parse().map_err(|e| anyhow!("{e}")))
        .collect()
}

fn account(store: &dyn PlanStore, text: &str) -> Result<AccountRow> {
    let email = email(text)?;
    store
        .account_by_email(&email)?
        .ok_or_else(|| anyhow!("no account has the email address {email}"))
}

/// A time for a list: RFC 3339 in UTC, or `-` for none.
fn when(ms: Option<i64>) -> String {
    ms.and_then(|ms| {
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
    })
    .and_then(|t| {
        t.format(&time::format_description::well_known::Rfc3339)
            .ok()
    })
    .unwrap_or_else(|| "-".to_string())
}

/// A one-off password: made, hashed, and printed once.
fn one_off_password() -> Result<(String, String)> {
    let password = secret::new_one_off_password()?;
    let hash = secret::hash_password(&password)?;
    Ok((password, hash))
}

/// Print a secret alone on standard output, with what it is on standard error.
fn print_once(what: &str, secret: &str) -> Result<()> {
    eprintln!("{what}");
    let mut out = std::io::stdout().lock();
    writeln!(out, "{secret}")?;
    out.flush()?;
    Ok(())
}

/// The first line of standard input, without its line ending.
fn password_from_stdin() -> Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line
        .strip_suffix('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .unwrap_or(&line)
        .to_string();
    check_password(&password).map_err(|e| anyhow!("weak password: {e}"))?;
    Ok(password)
}

pub fn user(store: &dyn PlanStore, command: UserCommand, by: &Actor) -> Result<()> {
    match command {
        UserCommand::Add {
            email: address,
            name,
            role: role_name,
            owner_names: names,
            password_stdin,
        } => {
            let email = email(&address)?;
            let role = role(&role_name)?;
            let name = name.trim().to_string();
            limits::ACCOUNT_NAME
                .check(&name)
                .map_err(|e| anyhow!("{e}"))?;
            let owner_names = owner_names(&names)?;
            let (shown, hash, one_off) = if password_stdin {
                let password = password_from_stdin()?;
                (None, secret::hash_password(&password)?, false)
            } else {
                let (password, hash) = one_off_password()?;
                (Some(password), hash, true)
            };
            let new = NewAccount {
                email: email.clone(),
                name,
                role,
                owner_names,
                password_hash: Some(hash),
                must_change_password: one_off,
            };
            let id = store.create_account(&new, by)?;
            match shown {
                Some(password) => print_once(
                    &format!(
                        "Added account {id}: {email} ({role}). Its one-off password, shown once \
                         (they choose their own at the first sign-in):"
                    ),
                    &password,
                )?,
                None => eprintln!("Added account {id}: {email} ({role})."),
            }
            Ok(())
        }
        UserCommand::List => {
            let mut out = std::io::stdout().lock();
            for a in store.accounts()? {
                let names: Vec<&str> = a.owner_names.iter().map(OwnerName::as_str).collect();
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    a.email,
                    a.name,
                    a.role,
                    if a.disabled { "disabled" } else { "enabled" },
                    names.join("; "),
                    when(a.last_sign_in_ms),
                )?;
            }
            Ok(())
        }
        UserCommand::Disable { email } => {
            set(store, &email, by, "disabled", |c| c.disabled = Some(true))
        }
        UserCommand::Enable { email } => {
            set(store, &email, by, "enabled", |c| c.disabled = Some(false))
        }
        UserCommand::SetRole { email, role: r } => {
            let role = role(&r)?;
            set(store, &email, by, &format!("now {role}"), |c| {
                c.role = Some(role)
            })
        }
        UserCommand::SetOwnerNames { email, names } => {
            let names = owner_names(&names)?;
            set(store, &email, by, "given its owner names", |c| {
                c.owner_names = Some(names)
            })
        }
        UserCommand::ResetPassword { email } => {
            let account = account(store, &email)?;
            let (password, hash) = one_off_password()?;
            let change = AccountChange {
                password: Some((hash, true)),
                ..Default::default()
            };
            store.change_account(account.id, &change, None, by)?;
            print_once(
                &format!(
                    "New one-off password for {}, shown once (they choose their own at the \
                     next sign-in; their sessions have ended):",
                    account.email
                ),
                &password,
            )
        }
    }
}

/// Change one account by email and say so.
fn set(
    store: &dyn PlanStore,
    email: &str,
    by: &Actor,
    done: &str,
    change: impl FnOnce(&mut AccountChange),
) -> Result<()> {
    let account = account(store, email)?;
    let mut c = AccountChange::default();
    change(&mut c);
    store.change_account(account.id, &c, None, by)?;
    eprintln!("{}: {done}.", account.email);
    Ok(())
}

pub fn token(store: &dyn PlanStore, command: TokenCommand, by: &Actor) -> Result<()> {
    match command {
        TokenCommand::Create { email, name } => {
            let account = account(store, &email)?;
            let name = name.trim().to_string();
            limits::TOKEN_NAME
                .check(&name)
                .map_err(|e| anyhow!("{e}"))?;
            let token = secret::new_token()?;
            let id = store.create_token(account.id, &name, &secret::digest(&token), by)?;
            print_once(
                &format!(
                    "API token {id} for {} ({}), shown once; send it as \
                     `Authorization: Bearer TOKEN`:",
                    account.email, account.role
                ),
                &token,
            )
        }
        TokenCommand::List { email } => {
            let of = match email {
                Some(e) => Some(account(store, &e)?.id),
                None => None,
            };
            let mut out = std::io::stdout().lock();
            for t in store.tokens(of)? {
                writeln!(
                    out,
                    "{}\t{}\t{}\tcreated {}\tlast used {}\t{}",
                    t.id,
                    t.account_email,
                    t.name,
                    when(Some(t.created_ms)),
                    when(t.last_used_ms),
                    match t.revoked_ms {
                        Some(ms) => format!("revoked {}", when(Some(ms))),
                        None => "active".to_string(),
                    }
                )?;
            }
            Ok(())
        }
        TokenCommand::Revoke { id } => {
            store
                .revoke_token(TokenId(id), by)
                .with_context(|| format!("cannot revoke API token {id}"))?;
            eprintln!("API token {id} revoked.");
            Ok(())
        }
    }
}

/// The demo's first start: when the database has no account, an admin
/// (`admin@localhost`) with a one-off password, which the caller prints once.
/// `None` when there is an account already.
pub fn demo_admin(store: &dyn PlanStore) -> Result<Option<String>> {
    if !store.accounts()?.is_empty() {
        return Ok(None);
    }
    let (password, hash) = one_off_password()?;
    let new = NewAccount {
        email: email("admin@localhost")?,
        name: "Administrator".to_string(),
        role: Role::Admin,
        owner_names: Vec::new(),
        password_hash: Some(hash),
        must_change_password: true,
    };
    store.create_account(&new, &Actor::System)?;
    Ok(Some(password))
}
