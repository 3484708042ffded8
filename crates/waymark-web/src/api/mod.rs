//! The JSON API under `/api/v1`, one module per resource.

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
