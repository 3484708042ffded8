//! `GET /api/v1/me`: who the caller is.

use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::{Can, OwnAccount};
use crate::error::ApiError;

/// The caller's account.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub email: String,
    pub name: String,
    /// viewer, contributor, manager, approver or admin.
    pub role: String,
    /// The names the caller owns work packages under.
    pub owner_names: Vec<String>,
    /// How the request was signed in: `token` or `session`.
    pub via: String,
}

/// Who you are: the account of the API token (or session) the request came with.
#[utoipa::path(get, path = "/api/v1/me", operation_id = "getMe", tag = "account",
    responses((status = 200, description = "The caller's account", body = Me)))]
pub async fn me(can: Can<OwnAccount>) -> Result<Json<Me>, ApiError> {
    let caller = can
        .identity()
        .caller()
        .ok_or_else(|| ApiError::Unauthorized("sign in first".into()))?;
    let a = &caller.account;
    Ok(Json(Me {
        id: a.id.0,
        email: a.email.to_string(),
        name: a.name.clone(),
        role: a.role.to_string(),
        owner_names: a.owner_names.iter().map(ToString::to_string).collect(),
        via: if caller.token.is_some() {
            "token"
        } else {
            "session"
        }
        .to_string(),
    }))
}
