//! Who a request acts for. Every handler that changes stored data takes a
//! [`Who`] and hands its [`Actor`] to the store, which records it with the
//! change.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use waymark_store::Actor;

use crate::AppState;

/// The actor of a request. There are no accounts yet, so every request is an
/// anonymous visitor; the access issue fills this from the session cookie or
/// the API token (and refuses a request whose token is not valid), and every
/// write handler gets it without changing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who(pub Actor);

impl FromRequestParts<AppState> for Who {
    type Rejection = Infallible;

    async fn from_request_parts(
        _parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Who(Actor::Anonymous))
    }
}
