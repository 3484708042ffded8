//! Cross-site request forgery protection: a synchroniser token per browser
//! session.
//!
//! Every page response makes sure the browser holds a random `waymark_csrf`
//! cookie (HttpOnly, SameSite=Strict; not the sign-in, which is
//! `access::SESSION_COOKIE`). The form token is HMAC-SHA-256 of the
//! session under a 256-bit key drawn from the operating system's CSPRNG once
//! and kept in the database (`CsrfKey::from_store`), so it cannot be computed
//! without the server and a form opened before a restart is accepted after it. Every POST handler takes a [`CsrfForm`], which checks
//! the token before the handler runs.
//!
//! A token that does not match (a form left open while the browser's cookie
//! was cleared, or a database whose key was replaced) is not an error page that loses
//! the typed text: the same-site request gets the posted values back in a form
//! with a fresh token and a message asking to submit again; nothing is stored
//! until it is. A request that a browser marks as coming from another site is
//! refused (403).

use std::sync::Arc;

use axum::extract::{Form, FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::error::HtmlError;
use crate::access::{cookie, is_session_id};

/// The browser's form-token cookie (not the sign-in: `access::SESSION_COOKIE`).
pub const COOKIE: &str = "waymark_csrf";
pub const FIELD: &str = "csrf_token";

/// The key the form tokens are made with.
#[derive(Clone)]
pub struct CsrfKey(Option<Arc<[u8; 32]>>);

impl CsrfKey {
    /// A fresh key from the operating system's CSPRNG (`None` inside if it has
    /// none: every form then answers with an internal error, never a guessable token).
    pub fn random() -> Self {
        let mut key = [0u8; 32];
        CsrfKey(getrandom::fill(&mut key).ok().map(|()| Arc::new(key)))
    }

    /// The store's key (`server_secret("csrf-key")`, drawn from the CSPRNG
    /// on first use), so a form opened before a restart is accepted after
    /// it, and every process on one database agrees. A key for this process
    /// only when the store cannot give one (logged).
    pub fn from_store(store: &dyn waymark_store::PlanStore) -> Self {
        let make = || waymark_store::secret::random_bytes(32).unwrap_or_default();
        match store.server_secret("csrf-key", &make) {
            Ok(bytes) if bytes.len() == 32 => {
                let mut key = [0u8; 32];
                key.copy_from_slice(&bytes);
                CsrfKey(Some(Arc::new(key)))
            }
            Ok(_) => {
                tracing::warn!("the stored form key is not 32 bytes; using one for this process");
                CsrfKey::random()
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the stored form key; using one for this process");
                CsrfKey::random()
            }
        }
    }

    /// The form token for a session: hex HMAC-SHA-256 of the session id.
    pub fn token_for(&self, session: &str) -> Option<String> {
        let key = self.0.as_ref()?;
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key.as_slice()).ok()?;
        mac.update(b"waymark-csrf-v2:");
        mac.update(session.as_bytes());
        Some(hex(&mac.finalize().into_bytes()))
    }
}

/// The browser session's id, as the `session` middleware found or made it,
/// with the key its tokens are made with.
#[derive(Clone)]
pub struct Session {
    id: String,
    key: CsrfKey,
}

impl Session {
    fn token(&self) -> Result<String, HtmlError> {
        self.key
            .token_for(&self.id)
            .ok_or_else(|| HtmlError::Internal("no randomness for the CSRF key".into()))
    }
}

/// Middleware: read the session cookie, or make a new session and set the cookie.
pub async fn session(
    State((key, secure)): State<(CsrfKey, bool)>,
    mut req: Request,
    next: Next,
) -> Response {
    let existing = cookie(req.headers(), COOKIE)
        .filter(|v| is_session_id(v))
        .map(str::to_string);
    let (id, fresh) = match existing {
        Some(id) => (id, false),
        None => match new_session_id() {
            Some(id) => (id, true),
            None => {
                return HtmlError::Internal("no randomness for a session id".into())
                    .into_response();
            }
        },
    };
    let session = Session {
        id: id.clone(),
        key,
    };
    let token = session.token().ok();
    req.extensions_mut().insert(session);
    let mut res = match token {
        Some(token) => FORM_TOKEN.scope(token, next.run(req)).await,
        None => next.run(req).await,
    };
    if fresh {
        let secure = if secure { "; Secure" } else { "" };
        let value = format!("{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict{secure}");
        if let Ok(v) = HeaderValue::from_str(&value) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

tokio::task_local! {
    static FORM_TOKEN: String;
}

/// The form token of the page being made (for the layout's sign-out form).
pub fn form_token() -> Option<String> {
    FORM_TOKEN.try_with(Clone::clone).ok()
}

fn new_session_id() -> Option<String> {
    waymark_store::secret::new_session_id().ok()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compare without an early exit, so timing does not reveal how much matched.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b) {
        diff |= x ^ y;
    }
    diff == 0
}

/// The token to put in this page's forms.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = HtmlError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Session>() {
            Some(session) => Ok(CsrfToken(session.token()?)),
            None => Err(HtmlError::Internal(
                "pages route without the session middleware".into(),
            )),
        }
    }
}

/// A posted form whose CSRF token matched the session: its fields in order
/// (a field may repeat, as checkboxes do).
#[derive(Debug, Clone, Default)]
pub struct CsrfForm {
    pub fields: Vec<(String, String)>,
}

impl CsrfForm {
    /// The first value of a field.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl<S: Send + Sync> FromRequest<S> for CsrfForm {
    type Rejection = HtmlError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let action = req.uri().path().to_string();
        let posted = PostedForm::from_request(req, state).await?;
        if !posted.expired {
            return Ok(CsrfForm {
                fields: posted.fields,
            });
        }
        Err(HtmlError::Resubmit {
            action,
            csrf: posted.fresh_token,
            // A password is never shown back, nor carried in a page.
            fields: posted
                .fields
                .into_iter()
                .filter(|(name, _)| !name.contains("password"))
                .collect(),
        })
    }
}

/// A posted form for the form layer (`pages::form`): like [`CsrfForm`], but
/// a same-site form whose token has expired is not refused here: `expired`
/// says so, and the form layer shows that form's page again with what was
/// typed and a fresh token, storing nothing. A cross-site one is refused.
#[derive(Debug, Clone, Default)]
pub struct PostedForm {
    /// The fields in order, without the token.
    pub fields: Vec<(String, String)>,
    /// The token did not match this session (a restart, a new session).
    pub expired: bool,
    fresh_token: String,
}

impl PostedForm {
    /// The first value of a field.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl<S: Send + Sync> FromRequest<S> for PostedForm {
    type Rejection = HtmlError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let session = req.extensions().get::<Session>().cloned();
        let cross_site = is_cross_site(req.headers());
        let Form(fields) = Form::<Vec<(String, String)>>::from_request(req, state)
            .await
            .map_err(|e| {
                HtmlError::BadRequest(format!("The form could not be read: {}", e.body_text()))
            })?;
        let Some(session) = session else {
            return Err(HtmlError::Internal(
                "pages route without the session middleware".into(),
            ));
        };
        let expected = session.token()?;
        let mut given = None;
        // Every field without bidirectional controls (the importers' rule).
        let fields = fields
            .into_iter()
            .filter_map(|(k, v)| {
                if k == FIELD {
                    given.get_or_insert(v);
                    return None;
                }
                Some((k, waymark_core::text::clean(&v).into_owned()))
            })
            .collect();
        let matched =
            given.is_some_and(|given| constant_time_eq(expected.as_bytes(), given.as_bytes()));
        if !matched && cross_site {
            return Err(HtmlError::Forbidden);
        }
        Ok(PostedForm {
            fields,
            expired: !matched,
            fresh_token: expected,
        })
    }
}

/// Whether the browser says the request came from another site (Fetch
/// Metadata, or an `Origin` whose host is not this one).
pub(crate) fn is_cross_site(headers: &HeaderMap) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return !matches!(site, "same-origin" | "none");
    }
    match (header("origin"), header("host")) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .map(|(_, rest)| rest.trim_end_matches('/'))
            .is_none_or(|origin_host| !origin_host.eq_ignore_ascii_case(host)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_and_unequal_bytes() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(constant_time_eq(b"", b""));
    }

    #[test]
    fn token_depends_on_session_and_key_and_is_stable() {
        let a = "a".repeat(64);
        let b = "b".repeat(64);
        let key = CsrfKey::random();
        let other = CsrfKey::random();
        assert_eq!(key.token_for(&a), key.token_for(&a));
        assert_ne!(key.token_for(&a), key.token_for(&b));
        assert_ne!(key.token_for(&a), other.token_for(&a));
        assert_eq!(key.token_for(&a).map(|t| t.len()), Some(64));
    }

    #[test]
    fn token_is_hmac_sha256_of_the_session() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let mut key = [0u8; 32];
        key[..4].copy_from_slice(b"Jefe");
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(b"Jefe").ok();
        if let Some(m) = mac.as_mut() {
            m.update(b"what do ya want for nothing?");
        }
        assert_eq!(
            mac.map(|m| hex(&m.finalize().into_bytes())).as_deref(),
            Some("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        );
        // The token is that function of the session under the key.
        let k = CsrfKey(Some(Arc::new(key)));
        let mut expected = <Hmac<Sha256> as KeyInit>::new_from_slice(&key).ok();
        if let Some(m) = expected.as_mut() {
            m.update(b"waymark-csrf-v2:session");
        }
        assert_eq!(
            k.token_for("session"),
            expected.map(|m| hex(&m.finalize().into_bytes()))
        );
    }

    #[test]
    fn cross_site_requests_are_told_apart() {
        let h = |pairs: &[(&'static str, &'static str)]| {
            let mut m = HeaderMap::new();
            for (k, v) in pairs {
                m.insert(*k, HeaderValue::from_static(v));
            }
            m
        };
        assert!(is_cross_site(&h(&[("sec-fetch-site", "cross-site")])));
        assert!(is_cross_site(&h(&[("sec-fetch-site", "same-site")])));
        assert!(!is_cross_site(&h(&[("sec-fetch-site", "same-origin")])));
        assert!(is_cross_site(&h(&[
            ("origin", "https://evil.example"),
            ("host", "waymark.example")
        ])));
        assert!(!is_cross_site(&h(&[
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080")
        ])));
        assert!(is_cross_site(&h(&[("origin", "null"), ("host", "a")])));
        assert!(!is_cross_site(&h(&[])));
    }

    #[test]
    fn finds_the_session_cookie_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; waymark_csrf=abc; x=y"),
        );
        assert_eq!(cookie(&h, COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "missing"), None);
    }
}
