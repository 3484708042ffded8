//! The one error type of the HTTP edge. Each kind maps to a status and an RFC
//! 9457 problem body; internal causes are logged, never sent to the client.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use waymark_store::StoreError;

/// One wrong field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The input field, as named in the request (`title`, `delivery`, ...).
    pub field: String,
    pub message: String,
}

impl FieldError {
    /// A field error; the field name and the message are bounded in size (see
    /// [`bounded`]), so an error never echoes a whole oversized input back.
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        FieldError {
            field: bounded(field, MAX_FIELD_CHARS),
            message: bounded(&message.into(), MAX_MESSAGE_CHARS),
        }
    }
}

/// The most field errors a problem document lists; the rest are counted in `detail`.
pub const MAX_ERRORS: usize = 20;
/// The longest field name a problem document repeats, in characters.
pub const MAX_FIELD_CHARS: usize = 100;
/// The longest message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 300;
/// The longest `detail`, in characters.
pub const MAX_DETAIL_CHARS: usize = 1000;
/// The longest stretch of quoted input (`"…"` or `` `…` ``) kept inside a message.
const MAX_QUOTED_CHARS: usize = 60;

/// `text` made safe to echo: every quoted stretch of input longer than
/// [`MAX_QUOTED_CHARS`] is cut short with `…` (so the advice after it stays),
/// then the whole is cut at `max` characters.
pub fn bounded(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max * 4));
    let mut quote: Option<char> = None;
    let mut quoted = 0usize;
    for c in text.chars() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                out.push(c);
            }
            Some(_) => {
                quoted += 1;
                if quoted <= MAX_QUOTED_CHARS {
                    out.push(c);
                } else if quoted == MAX_QUOTED_CHARS + 1 {
                    out.push('…');
                }
            }
            None => {
                if c == '"' || c == '`' {
                    quote = Some(c);
                    quoted = 0;
                }
                out.push(c);
            }
        }
    }
    if out.chars().count() > max {
        let mut cut: String = out.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    } else {
        out
    }
}

/// The message for `field` among `errors`, if that field is wrong.
pub fn message_for<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.as_str())
}

#[derive(Debug)]
pub enum ApiError {
    NotFound(String),
    BadRequest(String),
    /// Query parameters the route does not take, and those it does.
    UnknownParameters {
        unknown: Vec<String>,
        known: &'static [&'static str],
    },
    /// Query parameters given more than once (each is read once).
    RepeatedParameters(Vec<String>),
    Validation(Vec<FieldError>),
    Conflict(FieldError),
    /// The methods the address does take, for the `Allow` header (empty:
    /// axum's method router adds the header itself).
    MethodNotAllowed(String),
    PayloadTooLarge,
    UnsupportedMediaType,
    /// A change or delete sent without `If-Match` (428).
    PreconditionRequired,
    /// `If-Match` named another version than the record's (412): someone
    /// changed it since the client read it.
    PreconditionFailed {
        what: &'static str,
        expected: waymark_store::Version,
        current: waymark_store::Version,
    },
    /// Not signed in (or an API token that is not valid): 401.
    Unauthorized(String),
    /// Signed in, and the role does not allow it: 403.
    Forbidden(String),
    /// Signed in, and the role does not allow a value given (a package's
    /// status only an approval gives): 403, naming the field as a 422 would.
    ForbiddenValue(FieldError),
    Internal(String),
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// With a 412: the record's version now (its `ETag`, without the quotes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::BadRequest(_)
            | ApiError::UnknownParameters { .. }
            | ApiError::RepeatedParameters(_) => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) | ApiError::ForbiddenValue(_) => StatusCode::FORBIDDEN,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The problem document for this error, safe to show to anyone.
    pub fn problem(&self) -> Problem {
        let status = self.status();
        let (kind, title, detail, errors) = match self {
            ApiError::NotFound(what) => (
                "not-found",
                "Not found",
                format!("{what} was not found"),
                vec![],
            ),
            ApiError::BadRequest(msg) => ("bad-request", "Bad request", msg.clone(), vec![]),
            ApiError::UnknownParameters { unknown, known } => {
                let takes = if known.is_empty() {
                    "this address takes no query parameters".to_string()
                } else {
                    format!("this address takes {}", known.join(", "))
                };
                (
                    "unknown-parameter",
                    "Unknown query parameter",
                    format!(
                        "unknown query parameter {}; {takes}",
                        unknown
                            .iter()
                            .map(|u| format!("\"{u}\""))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    unknown
                        .iter()
                        .map(|u| FieldError::new(u, format!("unknown query parameter; {takes}")))
                        .collect(),
                )
            }
            ApiError::RepeatedParameters(names) => (
                "repeated-parameter",
                "Repeated query parameter",
                format!(
                    "query parameter {} given more than once; give each once",
                    names
                        .iter()
                        .map(|n| format!("\"{n}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                names
                    .iter()
                    .map(|n| FieldError::new(n, "given more than once; give it once"))
                    .collect(),
            ),
            ApiError::Validation(errors) => (
                "validation",
                "The request has invalid fields",
                errors
                    .iter()
                    .take(MAX_ERRORS)
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; "),
                errors.clone(),
            ),
            ApiError::MethodNotAllowed(allow) => (
                "method-not-allowed",
                "Method not allowed",
                if allow.is_empty() {
                    "this address does not take that method; the Allow header lists those it takes"
                        .to_string()
                } else {
                    format!("this address takes {allow}")
                },
                vec![],
            ),
            ApiError::PayloadTooLarge => (
                "payload-too-large",
                "Request body too large",
                format!(
                    "the request body is larger than {} bytes; send less at a time",
                    crate::api::BODY_LIMIT
                ),
                vec![],
            ),
            ApiError::Conflict(e) => (
                "conflict",
                "Conflict with stored data",
                e.message.clone(),
                vec![e.clone()],
            ),
            ApiError::UnsupportedMediaType => (
                "unsupported-media-type",
                "Unsupported media type",
                "Send the body as JSON with the header Content-Type: application/json".into(),
                vec![],
            ),
            ApiError::PreconditionRequired => (
                "precondition-required",
                "If-Match is required",
                "send If-Match with the ETag of the version you last read (GET the record first), so that a change made by someone else since is not overwritten".into(),
                vec![],
            ),
            ApiError::PreconditionFailed {
                what,
                expected,
                current,
            } => (
                "precondition-failed",
                "Changed since you read it",
                format!(
                    "the {what} has been changed since version {expected}: it is now version {current}; read it again, make your change to what it is now, and send If-Match: \"{current}\""
                ),
                vec![],
            ),
            ApiError::Unauthorized(detail) => (
                "unauthorized",
                "Sign-in required",
                detail.clone(),
                vec![],
            ),
            ApiError::Forbidden(detail) => ("forbidden", "Not allowed", detail.clone(), vec![]),
            ApiError::ForbiddenValue(e) => (
                "forbidden",
                "Not allowed",
                e.message.clone(),
                vec![e.clone()],
            ),
            ApiError::Internal(_) => (
                "internal",
                "Internal error",
                "Something went wrong on the server; it has been logged.".into(),
                vec![],
            ),
        };
        // Bounded whatever the input was: a capped list of bounded errors.
        let mut detail = bounded(&detail, MAX_DETAIL_CHARS - 40);
        let mut errors: Vec<FieldError> = errors
            .into_iter()
            .map(|e| FieldError::new(&e.field, e.message))
            .collect();
        if errors.len() > MAX_ERRORS {
            let more = errors.len() - MAX_ERRORS;
            errors.truncate(MAX_ERRORS);
            detail.push_str(&format!(
                "; and {more} more error{}",
                if more == 1 { "" } else { "s" }
            ));
        }
        Problem {
            kind: format!("/problems/{kind}"),
            title: title.into(),
            status: status.as_u16(),
            detail,
            errors,
            current_version: match self {
                ApiError::PreconditionFailed { current, .. } => Some(current.0),
                _ => None,
            },
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { what } => ApiError::NotFound(capitalise(what)),
            StoreError::Conflict { field, message } => {
                ApiError::Conflict(FieldError::new(field, message))
            }
            StoreError::Invalid { field, message } => {
                ApiError::Validation(vec![FieldError::new(field, message)])
            }
            StoreError::Stale {
                what,
                expected,
                current,
            } => ApiError::PreconditionFailed {
                what,
                expected,
                current,
            },
            StoreError::SignInRequired => {
                ApiError::Unauthorized("sign in to make changes".to_string())
            }
            StoreError::Forbidden {
                field: None,
                message,
            } => ApiError::Forbidden(message),
            StoreError::Forbidden {
                field: Some(field),
                message,
            } => ApiError::ForbiddenValue(FieldError::new(field, message)),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// `s` with its first letter in upper case: a store message as a sentence.
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(cause) = &self {
            tracing::error!(%cause, "request failed");
        }
        let body = serde_json::to_string(&self.problem()).unwrap_or_default();
        let mut res = (
            self.status(),
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response();
        if let ApiError::MethodNotAllowed(allow) = &self
            && !allow.is_empty()
            && let Ok(v) = header::HeaderValue::from_str(allow)
        {
            res.headers_mut().insert(header::ALLOW, v);
        }
        if let ApiError::PreconditionFailed { current, .. } = &self {
            res.headers_mut()
                .insert(header::ETAG, crate::api::etag::etag(*current));
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_quoted_input_is_cut_and_the_advice_kept() {
        let long = "x".repeat(200_000);
        let m = bounded(
            &format!("\"{long}\" is not a quarter; write Q2 2007"),
            MAX_MESSAGE_CHARS,
        );
        assert!(m.len() < 200, "{}", m.len());
        assert!(m.ends_with("\" is not a quarter; write Q2 2007"), "{m}");
        assert!(m.contains('…'));
    }

    #[test]
    fn a_problem_is_bounded_whatever_the_errors() {
        let errors = (0..5000)
            .map(|i| FieldError::new(&format!("{i}{}", "f".repeat(10_000)), "m".repeat(10_000)))
            .collect();
        let p = ApiError::Validation(errors).problem();
        assert_eq!(p.errors.len(), MAX_ERRORS);
        assert!(p.detail.ends_with("; and 4980 more errors"), "{}", p.detail);
        let size = serde_json::to_string(&p)
            .map(|s| s.len())
            .unwrap_or(usize::MAX);
        assert!(size < 16 * 1024, "{size} bytes");
    }
}
