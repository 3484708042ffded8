//! Signing in and out.
//!
//! A sign-in checks the password against its argon2id hash on a blocking
//! thread, and the same work is done when no account has the address, so the
//! answer and its timing do not say whether an account exists. Failed
//! attempts are counted per address and per network address
//! (`identity::Failures`): past the free ones, each further attempt must wait
//! longer, and every failure is logged. A successful sign-in starts a new
//! session (a fresh id: an id set before signing in is never reused) stored
//! as its digest, and the cookie is HttpOnly, SameSite=Lax and, on https,
//! Secure. Signing out deletes the session on the server.

use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use waymark_core::identity::Email;
use waymark_core::sso::ReturnTo;
use waymark_store::{AccountId, secret};

use super::HtmlError;
use super::csrf::{CsrfForm, CsrfToken, PostedForm};
use super::error::render;
use super::view::{Layout, Section};
use crate::AppState;
use crate::access::{self, Identity};
use crate::error::FieldError;

/// The network address a request came from, when the server knows it.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    /// Set by the redirect after signing out: say so.
    signed_out: Option<String>,
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    layout: Layout,
    csrf: String,
    email: String,
    next: String,
    errors: Vec<FieldError>,
    /// Single sign-on is configured: offer it.
    sso: bool,
    sso_href: String,
    signed_out: bool,
}

impl SignInPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

fn return_to(next: Option<&str>) -> ReturnTo {
    next.and_then(|n| n.parse().ok()).unwrap_or_default()
}

fn page(
    state: &AppState,
    csrf: String,
    email: String,
    next: &ReturnTo,
    errors: Vec<FieldError>,
) -> SignInPage {
    let heading = if errors.is_empty() {
        "Sign in"
    } else {
        "Error: Sign in"
    };
    SignInPage {
        layout: Layout::new(heading, None, Section::None),
        csrf,
        email,
        next: next.as_str().to_string(),
        errors,
        sso: state.oidc.is_some(),
        sso_href: if next.as_str() == "/" {
            "/auth/oidc/login".to_string()
        } else {
            format!("/auth/oidc/login?next={}", super::encode(next.as_str()))
        },
        signed_out: false,
    }
}

/// `GET /sign-in[?next=/path]`.
pub async fn sign_in_page(
    State(state): State<AppState>,
    CsrfToken(csrf): CsrfToken,
    Query(query): Query<NextQuery>,
) -> Response {
    let next = return_to(query.next.as_deref());
    let mut page = page(&state, csrf, String::new(), &next, Vec::new());
    page.signed_out = query.signed_out.is_some();
    no_store(render(StatusCode::OK, &page))
}

/// What a sign-in attempt came to.
enum Outcome {
    /// The account, and whether it signed in with a one-off password.
    SignedIn(AccountId, bool),
    /// Wrong address or password (which of them is not said).
    Refused,
    /// Too many failures: try again in this many seconds.
    Wait(i64),
}

/// `POST /sign-in`: email, password, next.
pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    CsrfToken(csrf): CsrfToken,
    form: PostedForm,
) -> Response {
    let email_text = form.get("email").unwrap_or("").trim().to_string();
    let password = form.get("password").unwrap_or("").to_string();
    let next = return_to(form.get("next"));
    if form.expired {
        // The form's token did not match this browser (its cookie was
        // cleared, or the form came from another server): ask again, and
        // never carry the password into the page.
        return refuse(
            &state,
            csrf,
            email_text,
            &next,
            vec![FieldError::new(
                "password",
                "The sign-in form had expired. Enter your password again",
            )],
        );
    }
    let mut errors = Vec::new();
    if email_text.is_empty() {
        errors.push(FieldError::new("email", "Enter your email address"));
    }
    if password.is_empty() {
        errors.push(FieldError::new("password", "Enter your password"));
    }
    if !errors.is_empty() {
        return refuse(&state, csrf, email_text, &next, errors);
    }
    let address_key = addr.map_or_else(|| "unknown".to_string(), |a| a.to_string());
    let account_key = email_text.to_lowercase();
    let now = access::now_ms();
    let wait = {
        let f = state.failures();
        f.by_account
            .wait_ms(&account_key, now)
            .max(f.by_address.wait_ms(&address_key, now))
    };
    let outcome = if wait > 0 {
        Outcome::Wait((wait + 999) / 1000)
    } else {
        check(&state, &email_text, password).await
    };
    match outcome {
        Outcome::SignedIn(id, must_change) => {
            state.failures().by_account.succeed(&account_key);
            tracing::info!(account = %id, "signed in");
            let to = if must_change {
                "/account/password".to_string()
            } else {
                next.as_str().to_string()
            };
            match start_session(&state, id, &to).await {
                Ok(res) => res,
                Err(e) => e.into_response(),
            }
        }
        Outcome::Refused => {
            let (by_account, by_address) = {
                let mut f = state.failures();
                (
                    f.by_account.fail(&account_key, now),
                    f.by_address.fail(&address_key, now),
                )
            };
            tracing::warn!(
                address = %address_key,
                failures_for_account = by_account,
                failures_from_address = by_address,
                "sign-in refused"
            );
            refuse(
                &state,
                csrf,
                email_text,
                &next,
                vec![FieldError::new(
                    "email",
                    "Enter the email address and password of your Waymark account; they do not match an account that can sign in",
                )],
            )
        }
        Outcome::Wait(seconds) => {
            tracing::warn!(address = %address_key, seconds, "sign-in slowed down after repeated failures");
            let mut res = refuse(
                &state,
                csrf,
                email_text,
                &next,
                vec![FieldError::new(
                    "email",
                    format!(
                        "There have been too many attempts to sign in. Wait {} and try again",
                        if seconds < 120 {
                            format!("{seconds} seconds")
                        } else {
                            format!("{} minutes", (seconds + 59) / 60)
                        }
                    ),
                )],
            );
            *res.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            res
        }
    }
}

/// The password check, on a reader's thread (not the writer's: argon2 takes
/// a while): the same argon2 work whether or not the account exists, is
/// enabled, or has a password.
async fn check(state: &AppState, email: &str, password: String) -> Outcome {
    let email: Option<Email> = email.parse().ok();
    let found = state
        .run_read(move |s| {
            let credentials = match &email {
                Some(e) => s.credentials(e)?,
                None => None,
            };
            let ok = match credentials
                .as_ref()
                .and_then(|c| c.password_hash.as_deref())
            {
                Some(hash) => secret::verify_password(&password, hash),
                None => {
                    secret::verify_nothing(&password);
                    false
                }
            };
            Ok(credentials.filter(|c| ok && !c.account.disabled))
        })
        .await;
    match found {
        Ok(Some(c)) => Outcome::SignedIn(c.account.id, c.account.must_change_password),
        Ok(None) => Outcome::Refused,
        Err(e) => {
            tracing::error!(error = ?e, "sign-in check failed");
            Outcome::Refused
        }
    }
}

fn refuse(
    state: &AppState,
    csrf: String,
    email: String,
    next: &ReturnTo,
    errors: Vec<FieldError>,
) -> Response {
    no_store(render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &page(state, csrf, email, next, errors),
    ))
}

/// Start a session for `account` and go to `to`: a fresh random id, stored
/// as its digest, in a cookie.
pub async fn start_session(
    state: &AppState,
    account: AccountId,
    to: &str,
) -> Result<Response, HtmlError> {
    let id = secret::new_session_id().map_err(|e| HtmlError::Internal(e.to_string()))?;
    let digest = secret::digest(&id);
    let policy = state.access.session;
    let now = access::now_ms();
    state
        .run(move |s| s.create_session(&digest, account, now, policy))
        .await?;
    let mut res = Redirect::to(to).into_response();
    access::set_cookie(
        &mut res,
        &access::session_cookie(Some(&id), state.access.secure_cookies),
    );
    Ok(no_store(res))
}

/// `POST /sign-out`: ends the session on the server and clears the cookie.
pub async fn sign_out(
    State(state): State<AppState>,
    identity: Identity,
    _form: CsrfForm,
) -> Response {
    sign_out_of(&state, &identity).await
}

async fn sign_out_of(state: &AppState, identity: &Identity) -> Response {
    if let Some(id) = identity.session() {
        let digest = secret::digest(id);
        if let Err(e) = state.run(move |s| s.end_session(&digest)).await {
            return HtmlError::from(e).into_response();
        }
        if let Some(c) = identity.caller() {
            tracing::info!(account = %c.account.id, "signed out");
        }
    }
    let mut res = Redirect::to("/sign-in?signed_out=1").into_response();
    access::set_cookie(
        &mut res,
        &access::session_cookie(None, state.access.secure_cookies),
    );
    no_store(res)
}

pub(super) fn no_store(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}
