//! The administrators' accounts pages (`manage-users`): every account, adding
//! one (with a one-off password shown once), changing an account's name,
//! role and owner names, disabling and enabling it, resetting its password
//! (a new one-off shown once), and its API tokens, which an administrator
//! may revoke (`manage-tokens`).
//!
//! Every change carries the account's version from the page it was made on;
//! when someone changed the account meanwhile the store refuses it
//! (`StoreError::Stale`) and the page comes back (409) with what was typed
//! and the account as it is now. A change that would leave no enabled admin
//! is refused by the store (`StoreError::Invalid`) and said beside the field.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use waymark_core::access::{OwnerName, Role};
use waymark_core::identity::Email;
use waymark_core::limits;
use waymark_store::{
    AccountChange, AccountId, AccountRow, NewAccount, TokenId, TokenRow, Version, secret,
};

use super::account::{SecretPage, TokenView, secret_page, when};
use super::auth::no_store;
use super::csrf::CsrfForm;
use super::error::{HtmlError, render};
use super::form::{Cx, posted_version};
use super::view::{Choice, Layout, Section};
use crate::access::{Can, ManageTokens, ManageUsers};
use crate::error::{ApiError, FieldError, message_for};

const BASE: &str = "/admin/users";

/// An account as a row of the list.
struct AccountView {
    id: i64,
    email: String,
    name: String,
    role: &'static str,
    owner_names: String,
    disabled: bool,
    last_sign_in: String,
}

impl From<&AccountRow> for AccountView {
    fn from(a: &AccountRow) -> Self {
        AccountView {
            id: a.id.0,
            email: a.email.to_string(),
            name: a.name.clone(),
            role: a.role.label(),
            owner_names: join_names(&a.owner_names, ", "),
            disabled: a.disabled,
            last_sign_in: when(a.last_sign_in_ms, "Never"),
        }
    }
}

fn join_names(names: &[OwnerName], sep: &str) -> String {
    names
        .iter()
        .map(OwnerName::as_str)
        .collect::<Vec<_>>()
        .join(sep)
}

/// The account fields a form holds, as typed.
#[derive(Debug, Clone, Default)]
struct Typed {
    email: String,
    name: String,
    role: String,
    owner_names: String,
}

impl Typed {
    fn from_form(form: &CsrfForm) -> Self {
        let get = |k: &str| form.get(k).unwrap_or("").to_string();
        Typed {
            email: get("email").trim().to_string(),
            name: get("name").trim().to_string(),
            role: get("role"),
            owner_names: get("owner_names"),
        }
    }

    fn from_row(a: &AccountRow) -> Self {
        Typed {
            email: a.email.to_string(),
            name: a.name.clone(),
            role: a.role.as_str().to_string(),
            owner_names: join_names(&a.owner_names, "\n"),
        }
    }

    fn roles(&self) -> Vec<Choice> {
        Role::ALL
            .into_iter()
            .map(|r| Choice::new(r.as_str(), r.label(), &self.role))
            .collect()
    }
}

/// Checked account fields.
struct Checked {
    name: String,
    role: Role,
    owner_names: Vec<OwnerName>,
}

/// The name, role and owner names (one a line), each wrong one an error.
fn check(typed: &Typed, errors: &mut Vec<FieldError>) -> Option<Checked> {
    let before = errors.len();
    if typed.name.is_empty() {
        errors.push(FieldError::new("name", "Enter the person's name"));
    } else if let Err(e) = limits::ACCOUNT_NAME.check(&typed.name) {
        errors.push(FieldError::new("name", e.message));
    }
    let role = typed.role.parse::<Role>().ok();
    if role.is_none() {
        errors.push(FieldError::new("role", "Choose a role"));
    }
    let lines: Vec<&str> = typed
        .owner_names
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let mut owner_names = Vec::new();
    if lines.len() > limits::MAX_OWNER_NAMES {
        errors.push(FieldError::new(
            "owner_names",
            format!(
                "An account may have at most {} owner names",
                limits::MAX_OWNER_NAMES
            ),
        ));
    } else {
        for line in lines {
            match line.parse::<OwnerName>() {
                Ok(n) => owner_names.push(n),
                Err(_) => {
                    errors.push(FieldError::new(
                        "owner_names",
                        format!(
                            "“{line}” cannot be an owner name: write one post or name a line, without , ; / & or +"
                        ),
                    ));
                    break;
                }
            }
        }
    }
    match role {
        Some(role) if errors.len() == before => Some(Checked {
            name: typed.name.clone(),
            role,
            owner_names,
        }),
        _ => None,
    }
}

// ---------------------------------------------------------------- the list

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    layout: Layout,
    csrf: String,
    accounts: Vec<AccountView>,
    form: Typed,
    roles: Vec<Choice>,
    errors: Vec<FieldError>,
}

impl UsersPage {
    fn error(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

async fn users_page(cx: Cx, form: Typed, errors: Vec<FieldError>) -> Result<UsersPage, HtmlError> {
    let Cx { state, csrf } = cx;
    let accounts = state.run(|s| s.accounts()).await?;
    let heading = if errors.is_empty() {
        "Users"
    } else {
        "Error: Users"
    };
    Ok(UsersPage {
        layout: Layout::new(heading, None, Section::None),
        csrf,
        accounts: accounts.iter().map(AccountView::from).collect(),
        roles: form.roles(),
        form,
        errors,
    })
}

/// `GET /admin/users`: every account, and the form to add one.
pub async fn list(_can: Can<ManageUsers>, cx: Cx) -> Result<Response, HtmlError> {
    let form = Typed {
        role: Role::Viewer.as_str().to_string(),
        ..Typed::default()
    };
    let page = users_page(cx, form, Vec::new()).await?;
    Ok(no_store(render(StatusCode::OK, &page)))
}

/// A new one-off password and its hash.
fn one_off() -> Result<(String, String), HtmlError> {
    let password =
        secret::new_one_off_password().map_err(|e| HtmlError::Internal(e.to_string()))?;
    let hash = secret::hash_password(&password).map_err(|e| HtmlError::Internal(e.to_string()))?;
    Ok((password, hash))
}

fn one_off_page(heading: &str, lead: String, password: String, back: String) -> Response {
    secret_page(&SecretPage {
        layout: Layout::new(heading, None, Section::None),
        heading: heading.to_string(),
        lead,
        label: "One-off password".into(),
        secret: password,
        advice: "Give it to them in a way others cannot read. It works once: when they sign in with it, they choose their own password before anything else. This page does not show it again; if it is lost, reset the password again.".into(),
        back_href: back,
        back_label: "Back to the account".into(),
    })
}

/// `POST /admin/users`: add an account (email, name, role, owner_names)
/// with a one-off password, shown once.
pub async fn create(
    Can { by, .. }: Can<ManageUsers>,
    cx: Cx,
    form: CsrfForm,
) -> Result<Response, HtmlError> {
    let typed = Typed::from_form(&form);
    let mut errors = Vec::new();
    let email = if typed.email.is_empty() {
        errors.push(FieldError::new("email", "Enter the person's email address"));
        None
    } else {
        match typed.email.parse::<Email>() {
            Ok(e) => Some(e),
            Err(_) => {
                errors.push(FieldError::new(
                    "email",
                    "Enter an email address such as jane.smith@council.gov.uk",
                ));
                None
            }
        }
    };
    let checked = check(&typed, &mut errors);
    if let (Some(email), Some(c), true) = (email, checked, errors.is_empty()) {
        let (password, hash) = one_off()?;
        let new = NewAccount {
            email: email.clone(),
            name: c.name,
            role: c.role,
            owner_names: c.owner_names,
            password_hash: Some(hash),
            must_change_password: true,
        };
        match cx.state.run(move |s| s.create_account(&new, &by)).await {
            Ok(id) => {
                tracing::info!(account = %id, "account added");
                return Ok(one_off_page(
                    "Account added",
                    format!(
                        "The account for {email} has been added. This is its one-off password, shown only this once."
                    ),
                    password,
                    format!("{BASE}/{id}"),
                ));
            }
            Err(ApiError::Conflict(e)) => errors.push(FieldError::new(
                "email",
                if e.field == "email" {
                    "An account already has this email address".to_string()
                } else {
                    e.message
                },
            )),
            Err(ApiError::Validation(found)) => errors.extend(found),
            Err(e) => return Err(e.into()),
        }
    }
    let page = users_page(cx, typed, errors).await?;
    Ok(no_store(render(StatusCode::UNPROCESSABLE_ENTITY, &page)))
}

// ---------------------------------------------------------------- one account

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage {
    layout: Layout,
    csrf: String,
    account: AccountView,
    created: String,
    must_change_password: bool,
    has_password: bool,
    sso: bool,
    /// The caller's own account.
    is_self: bool,
    /// The version every form on the page carries.
    version: i64,
    form: Typed,
    roles: Vec<Choice>,
    errors: Vec<FieldError>,
    tokens: Vec<TokenView>,
}

impl UserPage {
    fn error(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UserFlags {
    saved: String,
    token: String,
}

/// Why the account page is shown again after a POST.
enum Again {
    /// The fields as typed, what is wrong (422), and the version the
    /// form was opened on, which the page keeps carrying (so a change made
    /// meanwhile is still noticed on the next save).
    Wrong(Typed, Vec<FieldError>, Option<Version>),
    /// Someone else changed the account meanwhile: what was typed (if a
    /// form of fields), shown over the account as it is now (409).
    Stale(Option<Typed>),
}

const STALE: &str = "Someone else changed this account after you opened the page, so nothing has been saved. The page now shows the account as it is; the form keeps what you entered. Check it, then save again.";

async fn user_page(
    cx: Cx,
    id: i64,
    self_id: Option<AccountId>,
    again: Option<Again>,
) -> Result<(StatusCode, UserPage), HtmlError> {
    let Cx { state, csrf } = cx;
    let aid = AccountId(id);
    let (a, tokens): (AccountRow, Vec<TokenRow>) = state
        .run(move |s| Ok((s.account(aid)?, s.tokens(Some(aid))?)))
        .await?;
    let mut version = a.version;
    let (status, form, errors, notice) = match again {
        None => (StatusCode::OK, Typed::from_row(&a), Vec::new(), None),
        Some(Again::Wrong(typed, errors, opened)) => {
            version = opened.unwrap_or(version);
            (StatusCode::UNPROCESSABLE_ENTITY, typed, errors, None)
        }
        Some(Again::Stale(typed)) => (
            StatusCode::CONFLICT,
            typed.unwrap_or_else(|| Typed::from_row(&a)),
            Vec::new(),
            Some(STALE.to_string()),
        ),
    };
    let heading = a.email.to_string();
    let title = if errors.is_empty() {
        heading
    } else {
        format!("Error: {heading}")
    };
    let mut layout = Layout::new(&title, None, Section::None);
    layout.notice = notice;
    Ok((
        status,
        UserPage {
            layout,
            csrf,
            account: AccountView::from(&a),
            created: when(Some(a.created_ms), ""),
            must_change_password: a.must_change_password,
            has_password: a.has_password,
            sso: a.sso_subject.is_some(),
            is_self: self_id == Some(a.id),
            version: version.0,
            roles: form.roles(),
            form,
            errors,
            tokens: tokens.iter().map(TokenView::from).collect(),
        },
    ))
}

fn self_id<P: crate::access::Permission>(can: &Can<P>) -> Option<AccountId> {
    can.identity.caller().map(|c| c.account.id)
}

async fn show_again(
    cx: Cx,
    id: i64,
    self_id: Option<AccountId>,
    again: Again,
) -> Result<Response, HtmlError> {
    let (status, page) = user_page(cx, id, self_id, Some(again)).await?;
    Ok(no_store(render(status, &page)))
}

/// `GET /admin/users/{id}`: one account, its forms and its tokens.
pub async fn show(
    can: Can<ManageUsers>,
    Path(id): Path<i64>,
    cx: Cx,
    flags: Result<Query<UserFlags>, QueryRejection>,
) -> Result<Response, HtmlError> {
    let (status, mut page) = user_page(cx, id, self_id(&can), None).await?;
    page.layout.banner = flags.ok().and_then(|Query(f)| {
        match (f.saved.as_str(), f.token.as_str()) {
            ("details", _) => Some("The account has been changed.".to_string()),
            ("disabled", _) => Some(
                "The account has been disabled: it is signed out everywhere and its API tokens no longer work."
                    .to_string(),
            ),
            ("enabled", _) => Some("The account has been enabled.".to_string()),
            (_, "revoked") => Some("The API token has been revoked.".to_string()),
            _ => None,
        }
    });
    Ok(no_store(render(status, &page)))
}

/// The outcome of a change at a version, as the page answers it.
async fn change(
    cx: Cx,
    id: i64,
    can: Can<ManageUsers>,
    change: AccountChange,
    expected: Option<Version>,
    typed: Option<Typed>,
    done: &str,
) -> Result<Response, HtmlError> {
    let self_id = self_id(&can);
    let by = can.by;
    let aid = AccountId(id);
    match cx
        .state
        .run(move |s| s.change_account(aid, &change, expected, &by))
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("{BASE}/{id}?saved={done}")).into_response()),
        Err(ApiError::PreconditionFailed { .. }) => {
            show_again(cx, id, self_id, Again::Stale(typed)).await
        }
        Err(ApiError::Validation(errors)) => {
            let typed = match typed {
                Some(t) => t,
                None => {
                    let a = cx.state.run(move |s| s.account(aid)).await?;
                    Typed::from_row(&a)
                }
            };
            show_again(cx, id, self_id, Again::Wrong(typed, errors, expected)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/users/{id}`: change the name, role and owner names.
pub async fn update(
    can: Can<ManageUsers>,
    Path(id): Path<i64>,
    cx: Cx,
    form: CsrfForm,
) -> Result<Response, HtmlError> {
    let me = self_id(&can);
    let typed = Typed::from_form(&form);
    let mut errors = Vec::new();
    let expected = posted_version(&form);
    let Some(c) = check(&typed, &mut errors) else {
        return show_again(cx, id, me, Again::Wrong(typed, errors, expected)).await;
    };
    let ch = AccountChange {
        name: Some(c.name),
        role: Some(c.role),
        owner_names: Some(c.owner_names),
        ..Default::default()
    };
    change(cx, id, can, ch, expected, Some(typed), "details").await
}

/// `POST /admin/users/{id}/disable`: the account can no longer sign in; its
/// sessions end and its tokens stop working.
pub async fn disable(
    can: Can<ManageUsers>,
    Path(id): Path<i64>,
    cx: Cx,
    form: CsrfForm,
) -> Result<Response, HtmlError> {
    set_disabled(can, id, cx, &form, true).await
}

/// `POST /admin/users/{id}/enable`.
pub async fn enable(
    can: Can<ManageUsers>,
    Path(id): Path<i64>,
    cx: Cx,
    form: CsrfForm,
) -> Result<Response, HtmlError> {
    set_disabled(can, id, cx, &form, false).await
}

async fn set_disabled(
    can: Can<ManageUsers>,
    id: i64,
    cx: Cx,
    form: &CsrfForm,
    disabled: bool,
) -> Result<Response, HtmlError> {
    let ch = AccountChange {
        disabled: Some(disabled),
        ..Default::default()
    };
    let what = if disabled { "disabled" } else { "enabled" };
    change(cx, id, can, ch, posted_version(form), None, what).await
}

/// `POST /admin/users/{id}/reset-password`: a new one-off password, shown
/// once; the account's sessions end.
pub async fn reset_password(
    can: Can<ManageUsers>,
    Path(id): Path<i64>,
    cx: Cx,
    form: CsrfForm,
) -> Result<Response, HtmlError> {
    let me = self_id(&can);
    let (password, hash) = one_off()?;
    let aid = AccountId(id);
    let expected = posted_version(&form);
    let by = can.by;
    let ch = AccountChange {
        password: Some((hash, true)),
        ..Default::default()
    };
    match cx
        .state
        .run(move |s| {
            s.change_account(aid, &ch, expected, &by)?;
            s.account(aid)
        })
        .await
    {
        Ok(a) => {
            tracing::info!(account = %aid, "password reset");
            Ok(one_off_page(
                "Password reset",
                format!(
                    "The password of {} has been reset, and the account signed out everywhere. This is its new one-off password, shown only this once.",
                    a.email
                ),
                password,
                format!("{BASE}/{id}"),
            ))
        }
        Err(ApiError::PreconditionFailed { .. }) => {
            show_again(cx, id, me, Again::Stale(None)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/tokens/{id}/revoke`: revoke anyone's API token.
pub async fn revoke_token(
    Can { by, .. }: Can<ManageTokens>,
    Path(id): Path<i64>,
    cx: Cx,
    _form: CsrfForm,
) -> Result<Response, HtmlError> {
    let tid = TokenId(id);
    let account = cx
        .state
        .run(move |s| {
            let account = s
                .tokens(None)?
                .into_iter()
                .find(|t| t.id == tid)
                .map(|t| t.account)
                .ok_or(waymark_store::StoreError::NotFound { what: "API token" })?;
            s.revoke_token(tid, &by)?;
            Ok(account)
        })
        .await?;
    Ok(Redirect::to(&format!("{BASE}/{account}?token=revoked#tokens")).into_response())
}
