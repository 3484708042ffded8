//! Errors of the HTML pages: each kind is a page with the layout and a status.
//! Internal causes are logged, never shown.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::view::{Layout, Section};
use crate::error::ApiError;

#[derive(Debug)]
pub enum HtmlError {
    /// What was not found, capitalised: `Work package`.
    NotFound(String),
    /// Why the request cannot be answered, said to a person.
    BadRequest(String),
    /// The form's CSRF token did not match the session and the browser says
    /// the form came from another site.
    Forbidden,
    /// The form's token did not match (it expired: a restart, a new session):
    /// offer the posted values again with a fresh token; nothing was stored.
    Resubmit {
        /// Where the form was posted.
        action: String,
        /// A fresh token for this session.
        csrf: String,
        /// The posted fields, in order, without the old token.
        fields: Vec<(String, String)>,
    },
    /// Someone else changed the record after the page was opened (a form
    /// without a page of its own to show again): what, to say so.
    Changed(&'static str),
    /// Signed in, and the role does not allow it: what would.
    NotAllowed(String),
    Internal(String),
}

impl From<ApiError> for HtmlError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::NotFound(what) => HtmlError::NotFound(what),
            ApiError::BadRequest(msg) => HtmlError::BadRequest(msg),
            ApiError::Validation(errors) => HtmlError::BadRequest(
                errors
                    .iter()
                    .map(|e| e.message.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            ApiError::Conflict(e) => HtmlError::BadRequest(e.message),
            ApiError::UnsupportedMediaType => HtmlError::BadRequest(
                "The form was sent in a way this page does not accept.".into(),
            ),
            ApiError::Internal(cause) => HtmlError::Internal(cause),
            ApiError::Forbidden(why) => HtmlError::NotAllowed(why),
            ApiError::ForbiddenValue(e) => HtmlError::NotAllowed(e.message),
            ApiError::Unauthorized(_) => HtmlError::NotAllowed(
                "Your session has ended. Sign in again, then make the change again.".into(),
            ),
            ApiError::PreconditionFailed { what, .. } => HtmlError::Changed(what),
            other @ (ApiError::UnknownParameters { .. }
            | ApiError::RepeatedParameters(_)
            | ApiError::MethodNotAllowed(_)
            | ApiError::PayloadTooLarge
            | ApiError::PreconditionRequired) => HtmlError::BadRequest(other.problem().detail),
        }
    }
}

impl From<askama::Error> for HtmlError {
    fn from(e: askama::Error) -> Self {
        HtmlError::Internal(format!("template: {e}"))
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    heading: String,
    message: String,
}

/// One posted field, shown for checking and sent again.
struct PostedField {
    name: String,
    label: String,
    value: String,
}

#[derive(Template)]
#[template(path = "resubmit.html")]
struct ResubmitPage {
    layout: Layout,
    action: String,
    csrf: String,
    fields: Vec<PostedField>,
}

/// `actual_delivery` → `Actual delivery`.
fn label_of(name: &str) -> String {
    let words = name.trim_end_matches("_id").replace('_', " ");
    let mut c = words.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

impl HtmlError {
    pub fn status(&self) -> StatusCode {
        match self {
            HtmlError::NotFound(_) => StatusCode::NOT_FOUND,
            HtmlError::BadRequest(_) => StatusCode::BAD_REQUEST,
            HtmlError::Forbidden => StatusCode::FORBIDDEN,
            HtmlError::Resubmit { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            HtmlError::Changed(_) => StatusCode::CONFLICT,
            HtmlError::NotAllowed(_) => StatusCode::FORBIDDEN,
            HtmlError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for HtmlError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let HtmlError::Resubmit {
            action,
            csrf,
            fields,
        } = self
        {
            let page = ResubmitPage {
                layout: Layout::new("Your changes have not been saved yet", None, Section::None),
                action,
                csrf,
                fields: fields
                    .into_iter()
                    .map(|(name, value)| PostedField {
                        label: label_of(&name),
                        name,
                        value,
                    })
                    .collect(),
            };
            return render(status, &page);
        }
        let (heading, message) = match self {
            HtmlError::NotFound(what) => (
                "Page not found".to_string(),
                format!("{what} was not found. If you typed the web address, check it is correct."),
            ),
            HtmlError::BadRequest(reason) => {
                ("There is a problem with the request".to_string(), reason)
            }
            HtmlError::Forbidden => (
                "The form could not be accepted".to_string(),
                "The form did not come from this site, so nothing was changed.".to_string(),
            ),
            HtmlError::Resubmit { .. } => (
                "Your changes have not been saved yet".to_string(),
                "Submit the form again.".to_string(),
            ),
            HtmlError::Changed(what) => (
                "Someone else changed this first".to_string(),
                format!(
                    "Someone else changed this {what} after you opened the page, so nothing has been changed. Go back, reload the page to see it as it is now, and try again."
                ),
            ),
            HtmlError::NotAllowed(why) => (
                "You cannot do this".to_string(),
                format!("{why}. Ask an administrator if you need to."),
            ),
            HtmlError::Internal(cause) => {
                tracing::error!(%cause, "page failed");
                (
                    "Sorry, there is a problem with the service".to_string(),
                    "Something went wrong on the server; it has been logged. Try again later."
                        .to_string(),
                )
            }
        };
        let page = ErrorPage {
            layout: Layout::new(&heading, None, Section::None),
            heading,
            message,
        };
        match page.render() {
            Ok(body) => (status, Html(body)).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "error page failed to render");
                (status, "Error").into_response()
            }
        }
    }
}

/// Render a page with a status.
pub fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => HtmlError::from(e).into_response(),
    }
}

/// Middleware: a client error that axum's own extractors produced (a path that
/// is not a number, a form that is not a form, a wrong method) comes back as
/// plain text; turn it into an HTML page with the same status and reason.
pub async fn html_rejections(res: Response) -> Response {
    let status = res.status();
    let plain = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|ct| ct.starts_with("text/plain"));
    if !status.is_client_error() || !plain {
        return res;
    }
    let body = axum::body::to_bytes(res.into_body(), 16 * 1024)
        .await
        .unwrap_or_default();
    let reason = String::from_utf8_lossy(&body).trim().to_string();
    let error = match status {
        StatusCode::NOT_FOUND => HtmlError::NotFound("This page".into()),
        StatusCode::METHOD_NOT_ALLOWED => {
            HtmlError::BadRequest("This address does not accept that kind of request.".into())
        }
        _ if reason.is_empty() => {
            HtmlError::BadRequest("The request could not be understood.".into())
        }
        _ => HtmlError::BadRequest(reason),
    };
    let mut page = error.into_response();
    *page.status_mut() = status;
    page
}
