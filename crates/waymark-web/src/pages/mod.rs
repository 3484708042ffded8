//! Server-rendered HTML pages, one module per page family.

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
