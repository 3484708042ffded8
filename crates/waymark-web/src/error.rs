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
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        FieldError {
            field: field.to_string(),
            message: message.into(),
        }
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
    Validation(Vec<FieldError>),
    Conflict(FieldError),
    UnsupportedMediaType,
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
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
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
            ApiError::Validation(errors) => (
                "validation",
                "The request has invalid fields",
                errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; "),
                errors.clone(),
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
            ApiError::Internal(_) => (
                "internal",
                "Internal error",
                "Something went wrong on the server; it has been logged.".into(),
                vec![],
            ),
        };
        Problem {
            kind: format!("/problems/{kind}"),
            title: title.into(),
            status: status.as_u16(),
            detail,
            errors,
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
            other => ApiError::Internal(other.to_string()),
        }
    }
}

fn capitalise(s: &str) -> String {
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
        (
            self.status(),
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response()
    }
}
