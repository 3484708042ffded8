use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use waymark_core::InfluenceCode;
use waymark_store::{PlanId, ProgrammeId, RelatedItemId, SectionChange, SectionId, SectionRow};

use super::dto::{
    InfluenceDetail, InfluenceList, ProgrammeDto, ProgrammeList, RelatedItemDetail,
    RelatedItemList, SectionDto,
};
use super::etag::{IfMatch, Tagged};
use super::{parse_body, patch_record, path_id, plan_register};
use crate::AppState;
use crate::access::{Can, EditPlan, Read};
use crate::error::{ApiError, FieldError};
use crate::form::Form;
use crate::input::{
    InfluenceFields, InfluenceMergeFields, ProgrammeFields, RelatedItemFields, SectionFields,
};

#[utoipa::path(get, operation_id = "listInfluences", path = "/api/v1/plans/{id}/influences", tag = "key influences", params(("id" = i64, Path)), responses((status = 200, body = InfluenceList)))]
pub async fn influences(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<InfluenceList>, ApiError> {
    let items = plan_register(&state, &id, |s, id| s.influences(id)).await?;
    Ok(Json(InfluenceList { items }))
}

#[utoipa::path(get, operation_id = "getInfluence", path = "/api/v1/plans/{id}/influences/{code}", tag = "key influences",
    params(("id" = i64, Path), ("code" = String, Path, description = "Such as 3.1.1")),
    responses((status = 200, body = InfluenceDetail, headers(("ETag" = String, description = "The key influence's version"))), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn influence(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path((id, code)): Path<(String, String)>,
) -> Result<Tagged<Json<InfluenceDetail>>, ApiError> {
    let id = PlanId(path_id(&id, "Plan")?);
    let code: InfluenceCode = code
        .parse()
        .map_err(|_| ApiError::NotFound("Key influence".into()))?;
    let (row, packages) = state.run(move |s| s.influence(id, &code)).await?;
    Ok(Tagged(
        row.version,
        Json(InfluenceDetail::from((row, packages))),
    ))
}

#[utoipa::path(get, operation_id = "listRelatedItems", path = "/api/v1/plans/{id}/related-items", tag = "related items", params(("id" = i64, Path)), responses((status = 200, body = RelatedItemList)))]
pub async fn related_items(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<RelatedItemList>, ApiError> {
    let items = plan_register(&state, &id, |s, id| s.related_items(id)).await?;
    Ok(Json(RelatedItemList { items }))
}

#[utoipa::path(get, operation_id = "getRelatedItem", path = "/api/v1/related-items/{id}", tag = "related items", params(("id" = i64, Path)),
    responses((status = 200, body = RelatedItemDetail, headers(("ETag" = String, description = "The related item's version"))), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn related_item(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Tagged<Json<RelatedItemDetail>>, ApiError> {
    let id = RelatedItemId(path_id(&id, "Related item")?);
    let (row, plan, packages) = state.run(move |s| s.related_item(id)).await?;
    Ok(Tagged(
        row.version,
        Json(RelatedItemDetail::from((row, plan, packages))),
    ))
}

#[utoipa::path(patch, operation_id = "updateRelatedItem", path = "/api/v1/related-items/{id}", tag = "related items", params(("id" = i64, Path)), request_body = RelatedItemFields,
    responses((status = 200, body = RelatedItemDetail, headers(("ETag" = String, description = "The related item's version"))), (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn update_related_item(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
    body: Bytes,
) -> Result<Tagged<Json<RelatedItemDetail>>, ApiError> {
    let id = RelatedItemId(path_id(&id, "Related item")?);
    let patch = RelatedItemFields::from_json(&body)?;
    let (row, plan, packages) = patch_record(&state, patch, move |s, change| {
        s.change_related_item(id, expected, change, &by)?;
        s.related_item(id)
    })
    .await?;
    Ok(Tagged(
        row.version,
        Json(RelatedItemDetail::from((row, plan, packages))),
    ))
}

#[utoipa::path(get, operation_id = "listProgrammes", path = "/api/v1/plans/{id}/programmes", tag = "programmes", params(("id" = i64, Path)), responses((status = 200, body = ProgrammeList)))]
pub async fn programmes(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ProgrammeList>, ApiError> {
    let items = plan_register(&state, &id, |s, id| s.programmes(id)).await?;
    Ok(Json(ProgrammeList { items }))
}

#[utoipa::path(get, operation_id = "getProgramme", path = "/api/v1/programmes/{id}", tag = "programmes", params(("id" = i64, Path)),
    responses((status = 200, body = ProgrammeDto, headers(("ETag" = String, description = "The programme's version"))), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn programme(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Tagged<Json<ProgrammeDto>>, ApiError> {
    let id = ProgrammeId(path_id(&id, "Programme")?);
    let (row, _) = state.run(move |s| s.programme(id)).await?;
    Ok(Tagged(row.version, Json(row.into())))
}

#[utoipa::path(patch, operation_id = "updateInfluence", path = "/api/v1/plans/{id}/influences/{code}", tag = "key influences",
    params(("id" = i64, Path), ("code" = String, Path)), request_body = InfluenceFields,
    responses((status = 200, body = InfluenceDetail, headers(("ETag" = String, description = "The key influence's version"))), (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn update_influence(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path((id, code)): Path<(String, String)>,
    IfMatch(expected): IfMatch,
    body: Bytes,
) -> Result<Tagged<Json<InfluenceDetail>>, ApiError> {
    let id = PlanId(path_id(&id, "Plan")?);
    let code: InfluenceCode = code
        .parse()
        .map_err(|_| ApiError::NotFound("Key influence".into()))?;
    let patch = InfluenceFields::from_json(&body)?;
    let (row, packages) = patch_record(&state, patch, move |s, change| {
        s.change_influence(id, &code, expected, change, &by)?;
        s.influence(id, &code)
    })
    .await?;
    Ok(Tagged(
        row.version,
        Json(InfluenceDetail::from((row, packages))),
    ))
}

#[utoipa::path(post, operation_id = "createProgramme", path = "/api/v1/plans/{id}/programmes", tag = "programmes", params(("id" = i64, Path)), request_body = ProgrammeFields,
    responses((status = 201, body = ProgrammeDto), (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create_programme(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Tagged<(StatusCode, Json<ProgrammeDto>)>, ApiError> {
    let id = PlanId(path_id(&id, "Plan")?);
    let input = ProgrammeFields::from_json(&body)?
        .validate()
        .map_err(ApiError::Validation)?;
    let (row, _) = state
        .run(move |s| {
            let pid = s.create_programme(id, &input, &by)?;
            s.programme(pid)
        })
        .await?;
    Ok(Tagged(row.version, (StatusCode::CREATED, Json(row.into()))))
}

#[utoipa::path(patch, operation_id = "updateProgramme", path = "/api/v1/programmes/{id}", tag = "programmes", params(("id" = i64, Path)), request_body = ProgrammeFields,
    responses((status = 200, body = ProgrammeDto, headers(("ETag" = String, description = "The programme's version"))), (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn update_programme(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
    body: Bytes,
) -> Result<Tagged<Json<ProgrammeDto>>, ApiError> {
    let id = ProgrammeId(path_id(&id, "Programme")?);
    let patch = ProgrammeFields::from_json(&body)?;
    let (row, _) = patch_record(&state, patch, move |s, change| {
        s.change_programme(id, expected, change, &by)?;
        s.programme(id)
    })
    .await?;
    Ok(Tagged(row.version, Json(row.into())))
}

#[utoipa::path(delete, operation_id = "deleteProgramme", path = "/api/v1/programmes/{id}", tag = "programmes", params(("id" = i64, Path)), responses((status = 204)))]
pub async fn delete_programme(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, ApiError> {
    let id = ProgrammeId(path_id(&id, "Programme")?);
    state
        .run(move |s| s.delete_programme(id, expected, &by))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- register upkeep

#[utoipa::path(get, operation_id = "getSection", path = "/api/v1/sections/{id}", tag = "sections", params(("id" = i64, Path)),
    responses((status = 200, body = SectionDto, headers(("ETag" = String, description = "The section's version"))), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn section(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Tagged<Json<SectionDto>>, ApiError> {
    let id = SectionId(path_id(&id, "Section")?);
    let row = state.run(move |s| s.section(id)).await?;
    Ok(Tagged(row.version, Json(row.into())))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SectionPatch {
    /// Section number such as `10.6`; an empty string removes it (its packages
    /// are then referred to by the section's place, `#6.1`). Left out: unchanged.
    pub number: Option<String>,
    /// An empty string removes it. Left out: unchanged.
    pub title: Option<String>,
    /// The section's place in the plan, from 1. Packages of a section without a
    /// number take their references from it.
    #[schema(minimum = 1)]
    pub position: Option<u32>,
}

#[utoipa::path(patch, operation_id = "updateSection", path = "/api/v1/sections/{id}", tag = "sections", params(("id" = i64, Path)),
    request_body = SectionPatch,
    description = "Renumber, retitle or move a section; its packages' references follow.",
    responses((status = 200, body = SectionDto, headers(("ETag" = String, description = "The section's version"))),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn update_section(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
    body: Bytes,
) -> Result<Tagged<Json<SectionDto>>, ApiError> {
    let id = SectionId(path_id(&id, "Section")?);
    let patch: SectionPatch = parse_body(&body)?;
    let outcome = state
        .run(move |s| {
            let (mut patch, mut refused) = (Some(patch), None);
            s.change_section(
                id,
                expected,
                &mut |current| {
                    section_change(current, patch.take()?)
                        .map_err(|e| refused = Some(e))
                        .ok()
                },
                &by,
            )?;
            Ok(match refused {
                Some(errors) => Err(errors),
                None => Ok(s.section(id)?),
            })
        })
        .await?;
    let row = outcome.map_err(ApiError::Validation)?;
    Ok(Tagged(row.version, Json(row.into())))
}

/// The section's number, title and place with the patch over them, or what
/// is wrong with them.
fn section_change(
    current: &SectionRow,
    patch: SectionPatch,
) -> Result<SectionChange, Vec<FieldError>> {
    let renamed = patch.number.is_some() || patch.title.is_some();
    let given = SectionFields {
        number: patch.number,
        title: patch.title,
    };
    // A section the import left without number or title may still be moved.
    let checked = if renamed {
        SectionFields::from(current).overlay(given).validate()
    } else {
        Ok((current.number.clone(), current.title.clone()))
    };
    let mut errors = checked.clone().err().unwrap_or_default();
    if patch.position == Some(0) {
        errors.push(FieldError::new(
            "position",
            "The position is the section's place in the plan, from 1",
        ));
    }
    match checked {
        Ok((number, title)) if errors.is_empty() => Ok(SectionChange {
            number,
            title,
            position: patch.position.map(|p| p as usize - 1),
        }),
        _ => Err(errors),
    }
}

#[utoipa::path(delete, operation_id = "deleteSection", path = "/api/v1/sections/{id}", tag = "sections", params(("id" = i64, Path)),
    description = "Delete an empty section. Refused with 409, naming how many, while it holds work packages.",
    responses((status = 204),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn delete_section(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, ApiError> {
    let id = SectionId(path_id(&id, "Section")?);
    state
        .run(move |s| s.delete_section(id, expected, &by))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, operation_id = "deleteInfluence", path = "/api/v1/plans/{id}/influences/{code}", tag = "key influences",
    params(("id" = i64, Path), ("code" = String, Path, description = "Such as 3.1.1")),
    description = "Delete a key influence no work package addresses. Refused with 409, naming how many, otherwise: merge it instead.",
    responses((status = 204),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn delete_influence(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path((id, code)): Path<(String, String)>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, ApiError> {
    let id = PlanId(path_id(&id, "Plan")?);
    let code: InfluenceCode = code
        .parse()
        .map_err(|_| ApiError::NotFound("Key influence".into()))?;
    state
        .run(move |s| s.delete_influence(id, &code, expected, &by))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, operation_id = "mergeInfluence", path = "/api/v1/plans/{id}/influences/{code}/merge", tag = "key influences",
    params(("id" = i64, Path), ("code" = String, Path, description = "The code to merge away, such as 3.11.1")),
    request_body = InfluenceMergeFields,
    description = "Move every work package's link from this code to `into` (a package that had both keeps one) and remove this code, in one transaction. Answers with the influence merged into.",
    responses((status = 200, body = InfluenceDetail),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn merge_influence(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path((id, code)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<InfluenceDetail>, ApiError> {
    let id = PlanId(path_id(&id, "Plan")?);
    let code: InfluenceCode = code
        .parse()
        .map_err(|_| ApiError::NotFound("Key influence".into()))?;
    let into = InfluenceMergeFields::from_json(&body)?
        .validate()
        .map_err(ApiError::Validation)?;
    let (row, packages) = state
        .run(move |s| {
            s.merge_influence(id, &code, &into, &by)?;
            s.influence(id, &into)
        })
        .await?;
    Ok(Json(InfluenceDetail::from((row, packages))))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelatedItemMerge {
    /// The id of the related item (of the same plan) that takes over every link.
    pub into: i64,
}

#[utoipa::path(post, operation_id = "mergeRelatedItem", path = "/api/v1/related-items/{id}/merge", tag = "related items", params(("id" = i64, Path)),
    request_body = RelatedItemMerge,
    description = "Move every work package's link from this item to `into` (a package that had both keeps one) and remove this item, in one transaction. Its name stays known: a relationships text that says it finds `into`. Answers with the item merged into.",
    responses((status = 200, body = RelatedItemDetail),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn merge_related_item(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<RelatedItemDetail>, ApiError> {
    let id = RelatedItemId(path_id(&id, "Related item")?);
    let merge: RelatedItemMerge = parse_body(&body)?;
    let into = RelatedItemId(merge.into);
    let (row, plan, packages) = state
        .run(move |s| {
            s.merge_related_item(id, into, &by)?;
            s.related_item(into)
        })
        .await?;
    Ok(Json(RelatedItemDetail::from((row, plan, packages))))
}

#[utoipa::path(delete, operation_id = "deleteRelatedItem", path = "/api/v1/related-items/{id}", tag = "related items", params(("id" = i64, Path)),
    description = "Delete a related item no work package relates to. Refused with 409, naming how many, otherwise: merge it instead.",
    responses((status = 204),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn delete_related_item(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, ApiError> {
    let id = RelatedItemId(path_id(&id, "Related item")?);
    state
        .run(move |s| s.delete_related_item(id, expected, &by))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
