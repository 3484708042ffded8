//! The RAID log: a plan's risks, assumptions, issues and dependencies
//! (filtered by kind, status, a risk's likelihood and impact, and searched),
//! recording, changing and deleting one, and the risk heat map. Writes need
//! `edit-plan`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use waymark_core::raid::RaidKind;
use waymark_store::{PlanId, RaidItemId, RaidQuery};

use super::dto::{HeatMapDto, RaidItemDto, RaidList};
use super::etag::{IfMatch, Tagged, created};
use super::{QueryPairs, patch_record, path_id};
use crate::AppState;
use crate::access::{Can, EditPlan, Read};
use crate::error::ApiError;
use crate::form::Form;
use crate::input::{RaidFields, raid_query};

#[utoipa::path(get, operation_id = "listRaidItems", path = "/api/v1/plans/{id}/raid", tag = "raid",
    params(
        ("id" = i64, Path),
        ("kind" = Option<String>, Query, description = "Only items of this kind: risk, assumption, issue or dependency"),
        ("status" = Option<String>, Query, description = "Only items with this status: open, closed, validated, invalid, resolved, met or missed"),
        ("likelihood" = Option<i32>, Query, description = "Only risks of this likelihood, 1 to 5"),
        ("impact" = Option<i32>, Query, description = "Only risks of this impact, 1 to 5"),
        ("q" = Option<String>, Query, description = "Words to look for in the title, description, owner, mitigation, resolution and provider: every one must be there (anywhere in a word, any case). Text with no letter or digit is a 422"),
    ),
    description = "The plan's RAID log: risks, then assumptions, issues and dependencies; risks highest score first; then the latest recorded first.",
    responses((status = 200, body = RaidList), (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<RaidList>, ApiError> {
    let id = PlanId(path_id(&id, "Plan")?);
    let query = raid_query(&pairs).map_err(ApiError::Validation)?;
    let rows = state.run(move |s| s.raid_items(id, &query)).await?;
    Ok(Json(RaidList {
        items: rows.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(get, operation_id = "getRiskHeatMap", path = "/api/v1/plans/{id}/raid/heat-map", tag = "raid",
    params(("id" = i64, Path)),
    description = "The plan's open risks counted by likelihood and impact (the 5 × 5 heat map), and the open risks overdue for review: their next review date is before today in the UK.",
    responses((status = 200, body = HeatMapDto), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn heat_map(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<HeatMapDto>, ApiError> {
    let id = PlanId(path_id(&id, "Plan")?);
    let query = RaidQuery {
        kind: Some(RaidKind::Risk),
        ..Default::default()
    };
    let rows = state.run(move |s| s.raid_items(id, &query)).await?;
    Ok(Json(HeatMapDto::of(&rows, crate::uk_time::today())))
}

#[utoipa::path(post, operation_id = "createRaidItem", path = "/api/v1/plans/{id}/raid", tag = "raid", params(("id" = i64, Path)),
    request_body = RaidFields,
    description = "Record a risk, an assumption, an issue or a dependency. The fields of another kind are refused (a 422 names them), as are packages and programmes not of the plan (`work_package_ids`, `programme_ids`).",
    responses((status = 201, body = RaidItemDto, headers(("ETag" = String, description = "The item's version"), ("Location" = String, description = "The item's address"))),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let plan = PlanId(path_id(&id, "Plan")?);
    let input = RaidFields::from_json_body(&body)?
        .validate()
        .map_err(ApiError::Validation)?;
    let row = state
        .run(move |s| {
            let id = s.create_raid_item(plan, &input, &by)?;
            s.raid_item(id)
        })
        .await?;
    let location = format!("/api/v1/raid/{}", row.id);
    Ok(created(row.version, location, Json(RaidItemDto::from(row))))
}

#[utoipa::path(get, operation_id = "getRaidItem", path = "/api/v1/raid/{id}", tag = "raid", params(("id" = i64, Path)),
    responses((status = 200, body = RaidItemDto, headers(("ETag" = String, description = "The item's version"))), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_one(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Tagged<Json<RaidItemDto>>, ApiError> {
    let id = RaidItemId(path_id(&id, "RAID item")?);
    let row = state.run(move |s| s.raid_item(id)).await?;
    Ok(Tagged(row.version, Json(row.into())))
}

#[utoipa::path(patch, operation_id = "updateRaidItem", path = "/api/v1/raid/{id}", tag = "raid", params(("id" = i64, Path)),
    request_body(content = RaidFields, description = "Only the fields to change (not the kind); a list given replaces the links"),
    responses((status = 200, body = RaidItemDto, headers(("ETag" = String, description = "The item's new version"))),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn update(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
    body: Bytes,
) -> Result<Tagged<Json<RaidItemDto>>, ApiError> {
    let id = RaidItemId(path_id(&id, "RAID item")?);
    let patch = RaidFields::from_json_body(&body)?;
    let row = patch_record(&state, patch, move |s, change| {
        s.change_raid_item(id, expected, change, &by)?;
        s.raid_item(id)
    })
    .await?;
    Ok(Tagged(row.version, Json(row.into())))
}

#[utoipa::path(delete, operation_id = "deleteRaidItem", path = "/api/v1/raid/{id}", tag = "raid", params(("id" = i64, Path)), responses((status = 204)))]
pub async fn delete_one(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, ApiError> {
    let id = RaidItemId(path_id(&id, "RAID item")?);
    state
        .run(move |s| s.delete_raid_item(id, expected, &by))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
