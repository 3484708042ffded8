//! Baselines: a plan frozen under a name by an approver, and the plan now
//! compared with one (`waymark_core::baseline`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use waymark_store::{Baseline, BaselineId, PlanId, PlanStore};

use super::dto::{BaselineComparisonDto, BaselineDto, BaselineList, Created};
use super::path_id;
use crate::AppState;
use crate::access::{Approve, Can, Read};
use crate::error::ApiError;
use crate::form::Form;
use crate::input::BaselineFields;

#[utoipa::path(get, operation_id = "listBaselines", path = "/api/v1/plans/{id}/baselines", tag = "baselines", params(("id" = i64, Path)),
    responses((status = 200, body = BaselineList), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<BaselineList>, ApiError> {
    let plan = PlanId(path_id(&id, "Plan")?);
    let rows = state.run(move |s| s.baselines(plan)).await?;
    Ok(Json(BaselineList {
        items: rows.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(post, operation_id = "takeBaseline", path = "/api/v1/plans/{id}/baselines", tag = "baselines", params(("id" = i64, Path)), request_body = BaselineFields,
    responses((status = 201, body = Created, headers(("Location" = String, description = "The new baseline"))),
        (status = 409, description = "The plan has a baseline of that name", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    Can { by, .. }: Can<Approve>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let plan = PlanId(path_id(&id, "Plan")?);
    let name = BaselineFields::from_json(&body)?
        .validate()
        .map_err(ApiError::Validation)?;
    let taken = state
        .run(move |s| s.take_baseline(plan, &name, &by))
        .await?;
    let location = format!("/api/v1/plans/{plan}/baselines/{taken}");
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(Created { id: taken.0 }),
    )
        .into_response())
}

/// The baseline `raw` of plan `plan`: one of another plan is not found here.
fn of_plan(s: &dyn PlanStore, plan: PlanId, id: BaselineId) -> waymark_store::Result<Baseline> {
    let baseline = s.baseline(id)?;
    if baseline.row.plan_id != plan {
        return Err(waymark_store::StoreError::NotFound { what: "baseline" });
    }
    Ok(baseline)
}

#[utoipa::path(get, operation_id = "getBaseline", path = "/api/v1/plans/{id}/baselines/{baseline_id}", tag = "baselines", params(("id" = i64, Path), ("baseline_id" = i64, Path)),
    responses((status = 200, body = BaselineDto), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_one(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path((id, baseline)): Path<(String, String)>,
) -> Result<Json<BaselineDto>, ApiError> {
    let plan = PlanId(path_id(&id, "Plan")?);
    let baseline = BaselineId(path_id(&baseline, "Baseline")?);
    let found = state.run(move |s| of_plan(s, plan, baseline)).await?;
    Ok(Json(found.row.into()))
}

#[utoipa::path(get, operation_id = "compareWithBaseline", path = "/api/v1/plans/{id}/baselines/{baseline_id}/comparison", tag = "baselines", params(("id" = i64, Path), ("baseline_id" = i64, Path)),
    responses((status = 200, body = BaselineComparisonDto), (status = 404, description = "No such plan, or no such baseline of it", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn comparison(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path((id, baseline)): Path<(String, String)>,
) -> Result<Json<BaselineComparisonDto>, ApiError> {
    let plan = PlanId(path_id(&id, "Plan")?);
    let baseline = BaselineId(path_id(&baseline, "Baseline")?);
    let (found, now) = state
        .run(move |s| Ok((of_plan(s, plan, baseline)?, s.load_plan(plan)?)))
        .await?;
    let compared = waymark_core::baseline::compare(&found.plan, &now)
        .map_err(|e| ApiError::Internal(format!("baseline {baseline}: {e}")))?;
    Ok(Json(BaselineComparisonDto::new(found.row, compared)))
}
