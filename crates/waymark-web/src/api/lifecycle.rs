//! Approvals (`waymark_core::lifecycle`): approvers approve or reject a
//! proposed work package, approve a draft plan (which takes a baseline) and
//! mark an approved plan superseded. Each is a POST with `If-Match` (the
//! record's version: 428 without, 412 when stale), answered with the record
//! as it is now and its new `ETag`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use waymark_store::{PlanId, Verdict, WorkPackageId};

use super::dto::{PlanApprovalDto, PlanDto, WorkPackageDto};
use super::etag::{IfMatch, Tagged};
use super::path_id;
use crate::AppState;
use crate::access::{Approve, Can};
use crate::error::ApiError;
use crate::form::Form;
use crate::input::{ApprovalFields, RejectionFields, SupersedeFields};

/// The POSTs that change a record at a version: they take `If-Match` as a
/// PATCH does (the OpenAPI document says so for them).
pub const VERSIONED_POSTS: &[&str] = &[
    "/api/v1/work-packages/{id}/approve",
    "/api/v1/work-packages/{id}/reject",
    "/api/v1/plans/{id}/approve",
    "/api/v1/plans/{id}/supersede",
];

async fn decide(
    state: AppState,
    by: waymark_store::Actor,
    id: String,
    expected: Option<waymark_store::Version>,
    verdict: Verdict,
    comment: String,
) -> Result<Tagged<Json<WorkPackageDto>>, ApiError> {
    let id = WorkPackageId(path_id(&id, "Work package")?);
    let detail = state
        .run(move |s| {
            s.decide_work_package(id, expected, verdict, &comment, &by)?;
            s.work_package(id)
        })
        .await?;
    Ok(Tagged(detail.row.version, Json(detail.into())))
}

#[utoipa::path(post, operation_id = "approveWorkPackage", path = "/api/v1/work-packages/{id}/approve", tag = "work packages", params(("id" = i64, Path)), request_body = ApprovalFields,
    responses((status = 200, description = "The package, now approved, with its new ETag", body = WorkPackageDto),
        (status = 422, description = "The package is not proposed (`status`), or the comment is too long", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn approve_package(
    Can { by, .. }: Can<Approve>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
    body: Bytes,
) -> Result<Tagged<Json<WorkPackageDto>>, ApiError> {
    let comment = ApprovalFields::from_json(&body)?
        .validate()
        .map_err(ApiError::Validation)?;
    decide(state, by, id, expected, Verdict::Approve, comment).await
}

#[utoipa::path(post, operation_id = "rejectWorkPackage", path = "/api/v1/work-packages/{id}/reject", tag = "work packages", params(("id" = i64, Path)), request_body = RejectionFields,
    responses((status = 200, description = "The package, now rejected, with its new ETag", body = WorkPackageDto),
        (status = 422, description = "No comment, or the package is not proposed (`status`)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn reject_package(
    Can { by, .. }: Can<Approve>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
    body: Bytes,
) -> Result<Tagged<Json<WorkPackageDto>>, ApiError> {
    let comment = RejectionFields::from_json(&body)?
        .validate()
        .map_err(ApiError::Validation)?;
    decide(state, by, id, expected, Verdict::Reject, comment).await
}

#[utoipa::path(post, operation_id = "approvePlan", path = "/api/v1/plans/{id}/approve", tag = "plans", params(("id" = i64, Path)), request_body = ApprovalFields,
    responses((status = 200, description = "The plan, now approved (with its new ETag), the baseline taken and how many proposed packages were approved", body = PlanApprovalDto),
        (status = 422, description = "The plan is not a draft (`status`)", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn approve_plan(
    Can { by, .. }: Can<Approve>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
    body: Bytes,
) -> Result<Tagged<Json<PlanApprovalDto>>, ApiError> {
    let plan = PlanId(path_id(&id, "Plan")?);
    let comment = ApprovalFields::from_json(&body)?
        .validate()
        .map_err(ApiError::Validation)?;
    let (approval, summary) = state
        .run(move |s| {
            let approval = s.approve_plan(plan, expected, &comment, &by)?;
            Ok((approval, s.plan(plan)?))
        })
        .await?;
    Ok(Tagged(
        summary.version,
        Json(PlanApprovalDto {
            plan: summary.into(),
            baseline_id: approval.baseline.0,
            baseline_name: approval.baseline_name,
            approved_packages: approval.approved_packages,
        }),
    ))
}

#[utoipa::path(post, operation_id = "supersedePlan", path = "/api/v1/plans/{id}/supersede", tag = "plans", params(("id" = i64, Path)), request_body = SupersedeFields,
    responses((status = 200, description = "The plan, now superseded, with its new ETag", body = PlanDto),
        (status = 422, description = "The plan is not approved (`status`), or `superseded_by` names no other plan", body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn supersede_plan(
    Can { by, .. }: Can<Approve>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
    body: Bytes,
) -> Result<Tagged<Json<PlanDto>>, ApiError> {
    let plan = PlanId(path_id(&id, "Plan")?);
    let (superseded_by, comment) = SupersedeFields::from_json(&body)?
        .validate()
        .map_err(ApiError::Validation)?;
    let summary = state
        .run(move |s| {
            s.supersede_plan(plan, expected, superseded_by, &comment, &by)?;
            s.plan(plan)
        })
        .await?;
    Ok(Tagged(summary.version, Json(summary.into())))
}
