//! The timeline: an SVG roadmap of packages by quarter, drawn on the server.

use axum::extract::{Path, State};
use axum::response::Response;

use super::error::HtmlError;
use crate::AppState;

pub async fn page(
    State(_state): State<AppState>,
    Path(_id): Path<i64>,
) -> Result<Response, HtmlError> {
    Err(HtmlError::NotFound("The timeline".into()))
}
