//! Single sign-on's two addresses: `GET /auth/oidc/login` sends the browser
//! to the organisation's provider; `GET /auth/oidc/callback` is where the
//! provider sends it back. The protocol is in [`crate::oidc`]; this module
//! is the HTTP around it: the pending sign-in's cookie, the redirects, and a
//! page for each way a sign-in can fail (logged, without secrets).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use waymark_core::sso::ReturnTo;

use super::HtmlError;
use super::error::render;
use super::view::{Layout, Section};
use crate::AppState;
use crate::oidc::{self, CallbackQuery, Identity, SsoError};

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    /// Where to go once signed in: a path on this site (anything else is
    /// ignored and the list of plans is used).
    next: Option<String>,
}

/// `GET /auth/oidc/login[?next=/path]`.
pub async fn login(State(state): State<AppState>, Query(query): Query<LoginQuery>) -> Response {
    let Some(sso) = state.oidc.clone() else {
        return HtmlError::NotFound("Single sign-on".into()).into_response();
    };
    let return_to: ReturnTo = query
        .next
        .as_deref()
        .and_then(|n| n.parse().ok())
        .unwrap_or_default();
    match sso.begin(return_to).await {
        Ok((id, url)) => {
            let mut res =
                (StatusCode::SEE_OTHER, [(header::CACHE_CONTROL, "no-store")]).into_response();
            crate::access::set_cookie(
                &mut res,
                &cookie(
                    &id,
                    oidc::PENDING_TTL.as_secs(),
                    sso.config().secure_cookie(),
                ),
            );
            match HeaderValue::from_str(url.as_str()) {
                Ok(location) => {
                    res.headers_mut().insert(header::LOCATION, location);
                    res
                }
                Err(e) => HtmlError::Internal(format!("authorization URL: {e}")).into_response(),
            }
        }
        Err(e) => failed(&e),
    }
}

/// `GET /auth/oidc/callback?code=…&state=…`: checks the answer and signs the
/// person in, or says why not. The pending sign-in's cookie is cleared
/// either way.
pub async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let Some(sso) = state.oidc.clone() else {
        return HtmlError::NotFound("Single sign-on".into()).into_response();
    };
    let id = crate::access::cookie(&headers, oidc::COOKIE).filter(|v| oidc::is_pending_id(v));
    let outcome = sso.finish(id, query).await;
    let mut res = match outcome {
        Ok(identity) => signed_in(&state, identity).await,
        Err(e) => failed(&e),
    };
    crate::access::set_cookie(&mut res, &cookie("", 0, sso.config().secure_cookie()));
    res
}

/// A checked identity with its role: the account it is (linked by the
/// provider's subject, or by an email address the provider verified, or made
/// now) gets the role the map gives, and a new session.
async fn signed_in(state: &AppState, identity: Identity) -> Response {
    let email = identity
        .email
        .as_deref()
        .and_then(|e| e.parse::<waymark_core::identity::Email>().ok());
    let Some(email) = email else {
        tracing::info!(subject = %identity.subject, "single sign-on: no usable email address");
        return sso_page(
            StatusCode::FORBIDDEN,
            "Your organisation account has no email address",
            "Waymark names accounts by email address, and your organisation's sign-in service did not send one it could use. Ask your IT service to release the email claim to Waymark.".into(),
        );
    };
    let name = identity
        .name
        .clone()
        .filter(|n| waymark_core::limits::ACCOUNT_NAME.check(n).is_ok() && !n.trim().is_empty())
        .unwrap_or_else(|| email.to_string());
    let person = waymark_store::SsoPerson {
        subject: format!("{} {}", identity.issuer, identity.subject),
        email,
        email_verified: identity.email_verified == Some(true),
        name,
        role: identity.role,
    };
    let now = crate::access::now_ms();
    match state.run(move |s| s.sso_account(&person, now)).await {
        Ok(account) => {
            tracing::info!(account = %account.id, role = %account.role, "single sign-on: signed in");
            match super::auth::start_session(state, account.id, identity.return_to.as_str()).await {
                Ok(res) => res,
                Err(e) => e.into_response(),
            }
        }
        Err(crate::error::ApiError::Forbidden(why)) => {
            tracing::info!(reason = %why, "single sign-on: account refused");
            sso_page(
                StatusCode::FORBIDDEN,
                "Your Waymark account cannot sign in",
                format!("{why}. Ask a Waymark administrator."),
            )
        }
        Err(crate::error::ApiError::Conflict(e)) => {
            tracing::info!(reason = %e.message, "single sign-on: account conflict");
            sso_page(
                StatusCode::CONFLICT,
                "Your organisation account cannot be linked",
                format!("{}. Ask a Waymark administrator.", e.message),
            )
        }
        Err(e) => HtmlError::from(e).into_response(),
    }
}

fn sso_page(status: StatusCode, heading: &str, message: String) -> Response {
    let page = SsoErrorPage {
        layout: Layout::new(heading, None, Section::None),
        heading: heading.to_string(),
        message,
        retry: false,
    };
    let mut res = render(status, &page);
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

#[derive(Template)]
#[template(path = "sso_error.html")]
struct SsoErrorPage {
    layout: Layout,
    heading: String,
    message: String,
    /// Whether starting again may help.
    retry: bool,
}

/// The page for a sign-in that did not happen; the reason is logged.
fn failed(e: &SsoError) -> Response {
    let (heading, message) = e.message();
    match e {
        SsoError::NoRole { .. } | SsoError::Refused { .. } | SsoError::NoPendingLogin => {
            tracing::info!(reason = %e, "single sign-on: not signed in");
        }
        _ => tracing::warn!(reason = %e, "single sign-on: not signed in"),
    }
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let page = SsoErrorPage {
        layout: Layout::new(heading, None, Section::None),
        heading: heading.to_string(),
        message,
        retry: !matches!(e, SsoError::NoRole { .. }),
    };
    let mut res = render(status, &page);
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The pending sign-in's cookie: only sent to `/auth/oidc`, never to
/// scripts, and sent back on the provider's top-level redirect (Lax).
fn cookie(value: &str, max_age: u64, secure: bool) -> String {
    format!(
        "{}={value}; Path=/auth/oidc; Max-Age={max_age}; HttpOnly; SameSite=Lax{}",
        oidc::COOKIE,
        if secure { "; Secure" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_http_only_lax_and_scoped() {
        assert_eq!(
            cookie("ab", 600, true),
            "waymark_sso=ab; Path=/auth/oidc; Max-Age=600; HttpOnly; SameSite=Lax; Secure"
        );
        assert_eq!(
            cookie("", 0, false),
            "waymark_sso=; Path=/auth/oidc; Max-Age=0; HttpOnly; SameSite=Lax"
        );
    }

    #[test]
    fn finds_the_cookie_among_others() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; waymark_sso=xyz"),
        );
        assert_eq!(crate::access::cookie(&h, "waymark_sso"), Some("xyz"));
        assert_eq!(crate::access::cookie(&h, "b"), None);
    }
}
