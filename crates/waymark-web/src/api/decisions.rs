//! The decision log: a plan's decisions (searchable, newest first), and
//! recording, changing and deleting one. Writes need `edit-plan`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use waymark_store::{DecisionId, PlanId};

use super::dto::{DecisionDto, DecisionList};
use super::etag::{IfMatch, Tagged, created};
use super::{QueryPairs, patch_record, path_id};
use crate::AppState;
use crate::access::{Can, EditPlan, Read};
use crate::error::ApiError;
use crate::form::Form;
use crate::input::{DecisionFields, decision_search};

#[utoipa::path(get, operation_id = "listDecisions", path = "/api/v1/plans/{id}/decisions", tag = "decisions",
    params(
        ("id" = i64, Path),
        ("q" = Option<String>, Query, description = "Words to look for in the meeting, the decision, the rationale and who decided: every one must be there (anywhere in a word, any case). Text with no letter or digit is a 422"),
    ),
    description = "The plan's decision log, newest first (by date, then the latest recorded).",
    responses((status = 200, body = DecisionList), (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<DecisionList>, ApiError> {
    let id = PlanId(path_id(&id, "Plan")?);
    let search = decision_search(&pairs).map_err(ApiError::Validation)?;
    let rows = state.run(move |s| s.decisions(id, search.as_ref())).await?;
    Ok(Json(DecisionList {
        items: rows.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(post, operation_id = "createDecision", path = "/api/v1/plans/{id}/decisions", tag = "decisions", params(("id" = i64, Path)),
    request_body = DecisionFields,
    description = "Record a decision. The packages and programmes must be the plan's (a 422 names `work_package_ids` or `programme_ids` otherwise).",
    responses((status = 201, body = DecisionDto, headers(("ETag" = String, description = "The decision's version"), ("Location" = String, description = "The decision's address"))),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let plan = PlanId(path_id(&id, "Plan")?);
    let input = DecisionFields::from_json_body(&body)?
        .validate()
        .map_err(ApiError::Validation)?;
    let row = state
        .run(move |s| {
            let id = s.create_decision(plan, &input, &by)?;
            s.decision(id)
        })
        .await?;
    let location = format!("/api/v1/decisions/{}", row.id);
    Ok(created(row.version, location, Json(DecisionDto::from(row))))
}

#[utoipa::path(get, operation_id = "getDecision", path = "/api/v1/decisions/{id}", tag = "decisions", params(("id" = i64, Path)),
    responses((status = 200, body = DecisionDto, headers(("ETag" = String, description = "The decision's version"))), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_one(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Tagged<Json<DecisionDto>>, ApiError> {
    let id = DecisionId(path_id(&id, "Decision")?);
    let row = state.run(move |s| s.decision(id)).await?;
    Ok(Tagged(row.version, Json(row.into())))
}

#[utoipa::path(patch, operation_id = "updateDecision", path = "/api/v1/decisions/{id}", tag = "decisions", params(("id" = i64, Path)),
    request_body(content = DecisionFields, description = "Only the fields to change; a list given replaces the links"),
    responses((status = 200, body = DecisionDto, headers(("ETag" = String, description = "The decision's new version"))),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn update(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
    body: Bytes,
) -> Result<Tagged<Json<DecisionDto>>, ApiError> {
    let id = DecisionId(path_id(&id, "Decision")?);
    let patch = DecisionFields::from_json_body(&body)?;
    let row = patch_record(&state, patch, move |s, change| {
        s.change_decision(id, expected, change, &by)?;
        s.decision(id)
    })
    .await?;
    Ok(Tagged(row.version, Json(row.into())))
}

#[utoipa::path(delete, operation_id = "deleteDecision", path = "/api/v1/decisions/{id}", tag = "decisions", params(("id" = i64, Path)), responses((status = 204)))]
pub async fn delete_one(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, ApiError> {
    let id = DecisionId(path_id(&id, "Decision")?);
    state
        .run(move |s| s.delete_decision(id, expected, &by))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
