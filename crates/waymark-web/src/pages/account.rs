//! One's own account: who you are signed in as, your password, and your API
//! tokens.
//!
//! A password change asks for the current password, except straight after
//! signing in with a one-off password (the account's `must_change_password`,
//! in a browser session: until it is replaced every other page sends the
//! person here, `access::Can`). The current password is checked on a blocking
//! thread against the hash read with the account's version, and the change is
//! written at that version, so a password changed meanwhile is not
//! overwritten. Setting a password ends every session of the account (the
//! store); the person who changed it gets a new one at once.
//!
//! A new API token is shown once, on the answer to the POST that made it
//! (`Cache-Control: no-store`); only its digest is stored.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use waymark_core::identity::check_password;
use waymark_store::{AccountChange, AccountId, StoreError, TokenId, TokenRow, Version, secret};

use super::auth::{no_store, start_session};
use super::csrf::CsrfForm;
use super::error::{HtmlError, render};
use super::form::Cx;
use super::view::{Layout, Section};
use crate::access::{self, Can, Identity, OwnAccount};
use crate::error::{ApiError, FieldError};

/// A time as the pages show it (UK time), or `Never`.
pub(super) fn when(ms: Option<i64>, never: &str) -> String {
    ms.map_or_else(
        || never.to_string(),
        |ms| crate::uk_time::readable(ms).unwrap_or_else(|| ms.to_string()),
    )
}

/// One API token as a row of a list.
pub(super) struct TokenView {
    pub id: i64,
    pub name: String,
    pub created: String,
    pub last_used: String,
    /// When it was revoked (`None`: it works).
    pub revoked: Option<String>,
}

impl From<&TokenRow> for TokenView {
    fn from(t: &TokenRow) -> Self {
        TokenView {
            id: t.id.0,
            name: t.name.clone(),
            created: when(Some(t.created_ms), ""),
            last_used: when(t.last_used_ms, "Never"),
            revoked: t.revoked_ms.map(|ms| when(Some(ms), "")),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AccountFlags {
    password: String,
    token: String,
}

impl AccountFlags {
    fn message(&self) -> Option<String> {
        if self.password == "changed" {
            Some("Your password has been changed.".into())
        } else if self.token == "revoked" {
            Some("The API token has been revoked: it no longer works.".into())
        } else {
            None
        }
    }
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    csrf: String,
    name: String,
    email: String,
    role: String,
    role_description: String,
    owner_names: Vec<String>,
    sso: bool,
    has_password: bool,
    /// Signed in with an API token, not a session.
    by_token: bool,
    tokens: Vec<TokenView>,
    /// The new token form's name, as typed, and what is wrong with it.
    token_name: String,
    errors: Vec<FieldError>,
}

impl AccountPage {
    fn error(&self, field: &str) -> Option<&str> {
        crate::error::message_for(&self.errors, field)
    }
}

/// The account page for the caller: from the store, so a change made
/// during this request shows.
async fn account_page(
    cx: Cx,
    identity: &Identity,
    token_name: String,
    errors: Vec<FieldError>,
) -> Result<AccountPage, HtmlError> {
    let caller = signed_in(identity)?;
    let id = caller.account.id;
    let Cx { state, csrf } = cx;
    let (a, tokens) = state
        .run(move |s| Ok((s.account(id)?, s.tokens(Some(id))?)))
        .await?;
    let can: Vec<&str> = waymark_core::access::Action::ALL
        .into_iter()
        .filter(|action| {
            identity.decide(*action, false, None) == waymark_core::access::Decision::Allow
        })
        .map(|action| action.description())
        .collect();
    let heading = if errors.is_empty() {
        "Your account"
    } else {
        "Error: Your account"
    };
    Ok(AccountPage {
        layout: Layout::new(heading, None, Section::None),
        csrf,
        name: a.name.clone(),
        email: a.email.to_string(),
        role: a.role.label().to_string(),
        role_description: can.join("; "),
        owner_names: a.owner_names.iter().map(|n| n.to_string()).collect(),
        sso: a.sso_subject.is_some(),
        has_password: a.has_password,
        by_token: caller.token.is_some(),
        tokens: tokens.iter().map(TokenView::from).collect(),
        token_name,
        errors,
    })
}

/// `GET /account`: who you are signed in as, what your role lets you do,
/// and your API tokens.
pub async fn account(
    Can { identity, .. }: Can<OwnAccount>,
    cx: Cx,
    flags: Result<Query<AccountFlags>, QueryRejection>,
) -> Result<Response, HtmlError> {
    let mut page = account_page(cx, &identity, String::new(), Vec::new()).await?;
    page.layout.banner = flags.ok().and_then(|Query(f)| f.message());
    Ok(no_store(render(StatusCode::OK, &page)))
}

#[derive(Template)]
#[template(path = "secret_shown.html")]
pub(super) struct SecretPage {
    pub layout: Layout,
    pub heading: String,
    /// What the secret is, before it.
    pub lead: String,
    pub label: String,
    pub secret: String,
    /// What to do with it, after it.
    pub advice: String,
    pub back_href: String,
    pub back_label: String,
}

/// The signed-in caller (`own-account` lets no visitor through; this says
/// so rather than assume it).
fn signed_in(identity: &crate::access::Identity) -> Result<&waymark_store::Caller, HtmlError> {
    identity
        .caller()
        .ok_or_else(|| HtmlError::NotAllowed("Sign in first".into()))
}

/// A secret shown once: never cached, never shown again.
pub(super) fn secret_page(page: &SecretPage) -> Response {
    no_store(render(StatusCode::OK, page))
}

/// `POST /account/tokens`: a new API token for yourself, shown once.
pub async fn create_token(
    Can { identity, by, .. }: Can<OwnAccount>,
    cx: Cx,
    form: CsrfForm,
) -> Result<Response, HtmlError> {
    let caller = signed_in(&identity)?;
    let account = caller.account.id;
    let name = form.get("name").unwrap_or("").trim().to_string();
    let mut errors = Vec::new();
    if name.is_empty() {
        errors.push(FieldError::new(
            "name",
            "Enter a name for the token, such as what will use it",
        ));
    } else if let Err(e) = waymark_core::limits::TOKEN_NAME.check(&name) {
        errors.push(FieldError::new("name", e.message));
    }
    if errors.is_empty() {
        let token = secret::new_token().map_err(|e| HtmlError::Internal(e.to_string()))?;
        let digest = secret::digest(&token);
        let stored = name.clone();
        match cx
            .state
            .run(move |s| s.create_token(account, &stored, &digest, &by))
            .await
        {
            Ok(_) => {
                return Ok(secret_page(&SecretPage {
                    layout: Layout::new("Your new API token", None, Section::None),
                    heading: "Your new API token".into(),
                    lead: format!("The API token “{name}” has been made. This is the only time it is shown: copy it now and keep it somewhere safe, such as your script's secret settings."),
                    label: "API token".into(),
                    secret: token,
                    advice: "Send it with each request as the header Authorization: Bearer followed by the token. It acts with your role. If it is lost or may have been seen by someone else, revoke it on your account page and make a new one.".into(),
                    back_href: "/account#tokens".into(),
                    back_label: "Back to your account".into(),
                }));
            }
            Err(ApiError::Validation(found)) => errors = found,
            Err(e) => return Err(e.into()),
        }
    }
    let page = account_page(cx, &identity, name, errors).await?;
    Ok(no_store(render(StatusCode::UNPROCESSABLE_ENTITY, &page)))
}

/// `POST /account/tokens/{id}/revoke`: revoke one of your tokens (the store
/// refuses someone else's unless the caller may manage tokens).
pub async fn revoke_token(
    Can { by, .. }: Can<OwnAccount>,
    Path(id): Path<i64>,
    cx: Cx,
    _form: CsrfForm,
) -> Result<Response, HtmlError> {
    cx.state
        .run(move |s| s.revoke_token(TokenId(id), &by))
        .await?;
    Ok(Redirect::to("/account?token=revoked#tokens").into_response())
}

// ---------------------------------------------------------------- password

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    layout: Layout,
    csrf: String,
    /// Signed in with a one-off password: no current password asked for.
    one_off: bool,
    errors: Vec<FieldError>,
}

impl PasswordPage {
    fn error(&self, field: &str) -> Option<&str> {
        crate::error::message_for(&self.errors, field)
    }
}

/// Whether the caller may set a password without the current one: signed in
/// in a browser with a one-off password just now.
fn one_off(identity: &Identity) -> bool {
    identity.session().is_some()
        && identity
            .caller()
            .is_some_and(|c| c.account.must_change_password)
}

fn password_page(csrf: String, one_off: bool, errors: Vec<FieldError>) -> PasswordPage {
    let heading = if one_off {
        "Choose your password"
    } else {
        "Change your password"
    };
    let title = if errors.is_empty() {
        heading.to_string()
    } else {
        format!("Error: {heading}")
    };
    PasswordPage {
        layout: Layout::new(&title, None, Section::None),
        csrf,
        one_off,
        errors,
    }
}

/// `GET /account/password`.
pub async fn password_form(
    Can { identity, .. }: Can<OwnAccount>,
    cx: Cx,
) -> Result<Response, HtmlError> {
    let page = password_page(cx.csrf, one_off(&identity), Vec::new());
    Ok(no_store(render(StatusCode::OK, &page)))
}

/// What checking the current password came to.
enum Checked {
    /// Right (or not asked for): the account's version, and the new hash.
    Ok(Version, String),
    WrongCurrent,
    SameAsCurrent,
}

/// `POST /account/password`: current_password (unless one-off),
/// new_password, confirm_password.
pub async fn change_password(
    Can { identity, by, .. }: Can<OwnAccount>,
    cx: Cx,
    form: CsrfForm,
) -> Result<Response, HtmlError> {
    let caller = signed_in(&identity)?;
    let account: AccountId = caller.account.id;
    let email = caller.account.email.clone();
    let one_off = one_off(&identity);
    let current = form.get("current_password").unwrap_or("").to_string();
    let new = form.get("new_password").unwrap_or("").to_string();
    let confirm = form.get("confirm_password").unwrap_or("").to_string();
    let mut errors = Vec::new();
    if !one_off && current.is_empty() {
        errors.push(FieldError::new(
            "current_password",
            "Enter your current password",
        ));
    }
    if new.is_empty() {
        errors.push(FieldError::new("new_password", "Enter a new password"));
    } else if let Err(message) = check_password(&new) {
        errors.push(FieldError::new("new_password", message));
    }
    if confirm.is_empty() && !new.is_empty() {
        errors.push(FieldError::new(
            "confirm_password",
            "Enter the new password again",
        ));
    } else if confirm != new {
        errors.push(FieldError::new(
            "confirm_password",
            "The new passwords do not match: enter the same password twice",
        ));
    }
    let again = |cx: Cx, status: StatusCode, errors: Vec<FieldError>| {
        no_store(render(status, &password_page(cx.csrf, one_off, errors)))
    };
    if !errors.is_empty() {
        return Ok(again(cx, StatusCode::UNPROCESSABLE_ENTITY, errors));
    }
    // Wrong current passwords count towards the sign-in throttle of the
    // account, so a session left open cannot be used to guess it.
    let key = email.as_str().to_string();
    let now = access::now_ms();
    if !one_off && cx.state.failures().by_account.wait_ms(&key, now) > 0 {
        return Ok(again(
            cx,
            StatusCode::TOO_MANY_REQUESTS,
            vec![FieldError::new(
                "current_password",
                "There have been too many wrong passwords. Wait a few minutes and try again",
            )],
        ));
    }
    // Reads and argon2 only: on a reader's thread, not the writer's.
    let checked = cx
        .state
        .run_read(move |s| {
            let Some(c) = s.credentials(&email)? else {
                return Err(StoreError::NotFound { what: "account" });
            };
            let hash = c.password_hash.unwrap_or_default();
            if !one_off && !secret::verify_password(&current, &hash) {
                return Ok(Checked::WrongCurrent);
            }
            if !hash.is_empty() && secret::verify_password(&new, &hash) {
                return Ok(Checked::SameAsCurrent);
            }
            let new_hash = secret::hash_password(&new).map_err(|e| StoreError::Invalid {
                field: "new_password",
                message: e.to_string(),
            })?;
            Ok(Checked::Ok(c.account.version, new_hash))
        })
        .await?;
    let (version, hash) = match checked {
        Checked::Ok(version, hash) => (version, hash),
        Checked::WrongCurrent => {
            let failures = cx.state.failures().by_account.fail(&key, now);
            tracing::warn!(account = %account, failures, "password change with a wrong current password");
            return Ok(again(
                cx,
                StatusCode::UNPROCESSABLE_ENTITY,
                vec![FieldError::new(
                    "current_password",
                    "Your current password is not right: enter the password you signed in with",
                )],
            ));
        }
        Checked::SameAsCurrent => {
            return Ok(again(
                cx,
                StatusCode::UNPROCESSABLE_ENTITY,
                vec![FieldError::new(
                    "new_password",
                    "Choose a new password that is different from your current one",
                )],
            ));
        }
    };
    let change = AccountChange {
        password: Some((hash, false)),
        ..Default::default()
    };
    match cx
        .state
        .run(move |s| s.change_account(account, &change, Some(version), &by))
        .await
    {
        Ok(()) => {}
        Err(ApiError::PreconditionFailed { .. }) => {
            return Ok(again(
                cx,
                StatusCode::CONFLICT,
                vec![FieldError::new(
                    "new_password",
                    "Your account was changed while you were on this page (perhaps your password was changed elsewhere), so nothing has been saved: enter the passwords again",
                )],
            ));
        }
        Err(ApiError::Validation(found)) => {
            return Ok(again(cx, StatusCode::UNPROCESSABLE_ENTITY, found));
        }
        Err(e) => return Err(e.into()),
    }
    cx.state.failures().by_account.succeed(&key);
    tracing::info!(account = %account, "password changed");
    let to = "/account?password=changed";
    if identity.session().is_some() {
        // Setting a password ended every session of the account: this
        // browser gets a new one.
        start_session(&cx.state, account, to).await
    } else {
        Ok(Redirect::to(to).into_response())
    }
}
