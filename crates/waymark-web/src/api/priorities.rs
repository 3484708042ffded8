//! Priorities that reflect business need: the strategy group's criteria
//! (writes need `approve`), the scores managers give work packages and
//! programmes on them (writes need `edit-plan`), and the ranking by weighted
//! score with its sensitivity (`waymark_core::priority`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use waymark_store::{CriterionId, PlanId, ScoreId, ScoreInput};

use super::dto::{CriterionDto, CriterionList, RankingDto, ScoreDto, ScoreList};
use super::etag::{IfMatch, Tagged, created};
use super::{QueryPairs, patch_record, path_id};
use crate::AppState;
use crate::access::{Approve, Can, EditPlan, Read};
use crate::error::ApiError;
use crate::form::Form;
use crate::input::{CriterionFields, ScoreFields, ranking_top};

#[utoipa::path(get, operation_id = "listCriteria", path = "/api/v1/plans/{id}/criteria", tag = "priorities", params(("id" = i64, Path)),
    description = "The plan's priority criteria, in order.",
    responses((status = 200, body = CriterionList), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_criteria(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<CriterionList>, ApiError> {
    let plan = PlanId(path_id(&id, "Plan")?);
    let rows = state.run(move |s| s.criteria(plan)).await?;
    Ok(Json(CriterionList {
        items: rows.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(post, operation_id = "createCriterion", path = "/api/v1/plans/{id}/criteria", tag = "priorities", params(("id" = i64, Path)),
    request_body = CriterionFields,
    description = "Add a priority criterion (approvers: the strategy group defines the criteria). The name must be new in the plan (409 otherwise).",
    responses((status = 201, body = CriterionDto, headers(("ETag" = String, description = "The criterion's version"), ("Location" = String, description = "The criterion's address"))),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The plan has a criterion of that name", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create_criterion(
    Can { by, .. }: Can<Approve>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let plan = PlanId(path_id(&id, "Plan")?);
    let input = CriterionFields::from_json_body(&body)?
        .validate()
        .map_err(ApiError::Validation)?;
    let row = state
        .run(move |s| {
            let id = s.create_criterion(plan, &input, &by)?;
            s.criterion(id)
        })
        .await?;
    let location = format!("/api/v1/criteria/{}", row.id);
    Ok(created(
        row.version,
        location,
        Json(CriterionDto::from(row)),
    ))
}

#[utoipa::path(get, operation_id = "getCriterion", path = "/api/v1/criteria/{id}", tag = "priorities", params(("id" = i64, Path)),
    responses((status = 200, body = CriterionDto, headers(("ETag" = String, description = "The criterion's version"))), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_criterion(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Tagged<Json<CriterionDto>>, ApiError> {
    let id = CriterionId(path_id(&id, "Criterion")?);
    let row = state.run(move |s| s.criterion(id)).await?;
    Ok(Tagged(row.version, Json(row.into())))
}

#[utoipa::path(patch, operation_id = "updateCriterion", path = "/api/v1/criteria/{id}", tag = "priorities", params(("id" = i64, Path)),
    request_body(content = CriterionFields, description = "Only the fields to change"),
    responses((status = 200, body = CriterionDto, headers(("ETag" = String, description = "The criterion's new version"))),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The plan has a criterion of that name", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn update_criterion(
    Can { by, .. }: Can<Approve>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
    body: Bytes,
) -> Result<Tagged<Json<CriterionDto>>, ApiError> {
    let id = CriterionId(path_id(&id, "Criterion")?);
    let patch = CriterionFields::from_json_body(&body)?;
    let row = patch_record(&state, patch, move |s, change| {
        s.change_criterion(id, expected, change, &by)?;
        s.criterion(id)
    })
    .await?;
    Ok(Tagged(row.version, Json(row.into())))
}

#[utoipa::path(delete, operation_id = "deleteCriterion", path = "/api/v1/criteria/{id}", tag = "priorities", params(("id" = i64, Path)),
    description = "Delete a criterion and every score on it.",
    responses((status = 204)))]
pub async fn delete_criterion(
    Can { by, .. }: Can<Approve>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, ApiError> {
    let id = CriterionId(path_id(&id, "Criterion")?);
    state
        .run(move |s| s.delete_criterion(id, expected, &by))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, operation_id = "listScores", path = "/api/v1/plans/{id}/scores", tag = "priorities", params(("id" = i64, Path)),
    description = "Every score of the plan's work packages and programmes.",
    responses((status = 200, body = ScoreList), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list_scores(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ScoreList>, ApiError> {
    let plan = PlanId(path_id(&id, "Plan")?);
    let p = state.run(move |s| s.priorities(plan)).await?;
    Ok(Json(ScoreList {
        items: p.scores.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(post, operation_id = "createScore", path = "/api/v1/plans/{id}/scores", tag = "priorities", params(("id" = i64, Path)),
    request_body = ScoreFields,
    description = "Score a work package or a programme on a criterion: `criterion_id`, and `work_package_id` or `programme_id`. One score per item and criterion: a second is a 409 (change the first).",
    responses((status = 201, body = ScoreDto, headers(("ETag" = String, description = "The score's version"), ("Location" = String, description = "The score's address"))),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The item already has a score on the criterion", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create_score(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let plan = PlanId(path_id(&id, "Plan")?);
    let fields = ScoreFields::from_json_body(&body)?;
    let target = fields.target();
    let value = fields.validate();
    let (value, (criterion, item)) = match (value, target) {
        (Ok(v), Ok(t)) => (v, t),
        (v, t) => {
            let mut errors = v.err().unwrap_or_default();
            errors.extend(t.err().unwrap_or_default());
            crate::form::sort_errors::<ScoreFields>(&mut errors);
            return Err(ApiError::Validation(errors));
        }
    };
    let input = ScoreInput {
        criterion,
        item,
        score: value.score,
        note: value.note,
    };
    let (row, _) = state
        .run(move |s| {
            let id = s.create_score(plan, &input, &by)?;
            s.score(id)
        })
        .await?;
    let location = format!("/api/v1/scores/{}", row.id);
    Ok(created(row.version, location, Json(ScoreDto::from(row))))
}

#[utoipa::path(get, operation_id = "getScore", path = "/api/v1/scores/{id}", tag = "priorities", params(("id" = i64, Path)),
    responses((status = 200, body = ScoreDto, headers(("ETag" = String, description = "The score's version"))), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_score(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Tagged<Json<ScoreDto>>, ApiError> {
    let id = ScoreId(path_id(&id, "Score")?);
    let (row, _) = state.run(move |s| s.score(id)).await?;
    Ok(Tagged(row.version, Json(row.into())))
}

#[utoipa::path(patch, operation_id = "updateScore", path = "/api/v1/scores/{id}", tag = "priorities", params(("id" = i64, Path)),
    request_body(content = ScoreFields, description = "`score` and `note` only (a score's criterion and item never change)"),
    responses((status = 200, body = ScoreDto, headers(("ETag" = String, description = "The score's new version"))),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn update_score(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
    body: Bytes,
) -> Result<Tagged<Json<ScoreDto>>, ApiError> {
    let id = ScoreId(path_id(&id, "Score")?);
    let patch = ScoreFields::from_json_body(&body)?;
    patch.no_target().map_err(ApiError::Validation)?;
    let (row, _) = patch_record(&state, patch, move |s, change| {
        s.change_score(id, expected, change, &by)?;
        s.score(id)
    })
    .await?;
    Ok(Tagged(row.version, Json(row.into())))
}

#[utoipa::path(delete, operation_id = "deleteScore", path = "/api/v1/scores/{id}", tag = "priorities", params(("id" = i64, Path)),
    description = "Clear a score: the item has none on that criterion (and is listed apart from the ranking until it has one again).",
    responses((status = 204)))]
pub async fn delete_score(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, ApiError> {
    let id = ScoreId(path_id(&id, "Score")?);
    state
        .run(move |s| s.delete_score(id, expected, &by))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, operation_id = "getRanking", path = "/api/v1/plans/{id}/ranking", tag = "priorities",
    params(
        ("id" = i64, Path),
        ("top" = Option<usize>, Query, description = "N of the sensitivity's top N: a whole number from 1 to 50 (3 when left out)"),
    ),
    description = "The plan's work packages and programmes ranked by weighted score (Σ wᵢ·sᵢ / Σ wᵢ over every criterion; ties share a rank), the items missing a score listed apart with what they miss, and for each criterion's weight: the weights over which the top N stays the same, the rank changes at -25, -10, +10 and +25 %, and the weight at which the top two swap.",
    responses((status = 200, body = RankingDto), (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn ranking(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<RankingDto>, ApiError> {
    let plan = PlanId(path_id(&id, "Plan")?);
    let top = ranking_top(&pairs).map_err(ApiError::Validation)?;
    let p = state.run(move |s| s.priorities(plan)).await?;
    Ok(Json(RankingDto::of(plan, p, top)))
}
