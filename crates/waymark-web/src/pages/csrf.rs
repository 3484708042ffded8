//! Cross-site request forgery protection: a synchroniser token per browser
//! session.
//!
//! Every page response makes sure the browser holds a random `waymark_session`
//! cookie (HttpOnly, SameSite=Strict). The form token is derived from the
//! session with a keyed hash whose key is random per process, so it cannot be
//! computed without the server and nothing needs storing. Every POST handler
//! takes a [`CsrfForm`], which refuses (403) a form whose `csrf_token` does not
//! match the session. A restart changes the key: a form left open across a
//! restart is refused once and works when the page is reloaded.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;

use axum::extract::{Form, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::HtmlError;

pub const COOKIE: &str = "waymark_session";
pub const FIELD: &str = "csrf_token";

/// The browser session's id, as the `session` middleware found or made it.
#[derive(Debug, Clone)]
pub struct Session(String);

/// Middleware: read the session cookie, or make a new session and set the cookie.
pub async fn session(mut req: Request, next: Next) -> Response {
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
    req.extensions_mut().insert(Session(id.clone()));
    let mut res = next.run(req).await;
    if fresh {
        let value = format!("{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict");
        if let Ok(v) = HeaderValue::from_str(&value) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

/// The value of one cookie in the request.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn is_session_id(v: &str) -> bool {
    v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit())
}

fn new_session_id() -> Option<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).ok()?;
    Some(hex(&bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The form token for a session: two SipHash values under keys drawn from the
/// operating system's randomness when the process first needs them.
pub fn token_for(session: &str) -> String {
    static KEYS: OnceLock<[RandomState; 2]> = OnceLock::new();
    let keys = KEYS.get_or_init(|| [RandomState::new(), RandomState::new()]);
    let mut out = String::with_capacity(32);
    for key in keys {
        let mut h = key.build_hasher();
        h.write(b"waymark-csrf-v1:");
        h.write(session.as_bytes());
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
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
            Some(Session(id)) => Ok(CsrfToken(token_for(id))),
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

    /// Every value of a field.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// A field as `Some(text)`; missing fields are `None`.
    pub fn text(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_string)
    }
}

impl<S: Send + Sync> FromRequest<S> for CsrfForm {
    type Rejection = HtmlError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let session = req.extensions().get::<Session>().cloned();
        let Form(fields) = Form::<Vec<(String, String)>>::from_request(req, state)
            .await
            .map_err(|e| {
                HtmlError::BadRequest(format!("The form could not be read: {}", e.body_text()))
            })?;
        let form = CsrfForm { fields };
        let expected = session.map(|Session(id)| token_for(&id));
        match (expected, form.get(FIELD)) {
            (Some(expected), Some(given))
                if constant_time_eq(expected.as_bytes(), given.as_bytes()) =>
            {
                Ok(form)
            }
            _ => Err(HtmlError::Forbidden),
        }
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
    fn token_depends_on_session_and_is_stable() {
        let a = "a".repeat(64);
        let b = "b".repeat(64);
        assert_eq!(token_for(&a), token_for(&a));
        assert_ne!(token_for(&a), token_for(&b));
        assert_eq!(token_for(&a).len(), 32);
    }

    #[test]
    fn finds_the_session_cookie_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; waymark_session=abc; x=y"),
        );
        assert_eq!(cookie(&h, COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "missing"), None);
    }
}
