use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use waymark_core::{InfluenceCode, RelatedKind};
use waymark_store::{PlanId, ProgrammeId, ProgrammeInput, RelatedItemId};

use super::dto::{
    InfluenceDetail, InfluenceList, ProgrammeDto, ProgrammeList, RelatedItemDetail, RelatedItemList,
};
use super::{parse_body, path_id};
use crate::AppState;
use crate::error::{ApiError, FieldError};
use crate::input::{INFLUENCE_TITLE_LIMIT, TEXT_LIMIT, too_long};

#[utoipa::path(get, operation_id = "listInfluences", path = "/api/v1/plans/{id}/influences", tag = "key influences", params(("id" = i64, Path)), responses((status = 200, body = InfluenceList)))]
pub async fn influences(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<InfluenceList>, ApiError> {
    let id = PlanId(path_id(&id, "Plan")?);
    let rows = state
        .run(move |s| {
            s.plan(id)?;
            s.influences(id)
        })
        .await?;
    Ok(Json(InfluenceList {
        items: rows.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(get, operation_id = "getInfluence", path = "/api/v1/plans/{id}/influences/{code}", tag = "key influences",
    params(("id" = i64, Path), ("code" = String, Path, description = "Such as 3.1.1")),
    responses((status = 200, body = InfluenceDetail), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn influence(
    State(state): State<AppState>,
    Path((id, code)): Path<(String, String)>,
) -> Result<Json<InfluenceDetail>, ApiError> {
    let id = PlanId(path_id(&id, "Plan")?);
    let code: InfluenceCode = code
        .parse()
        .map_err(|_| ApiError::NotFound("Key influence".into()))?;
    let (row, packages) = state.run(move |s| s.influence(id, &code)).await?;
    Ok(Json(InfluenceDetail {
        influence: row.into(),
        work_packages: packages.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(get, operation_id = "listRelatedItems", path = "/api/v1/plans/{id}/related-items", tag = "related items", params(("id" = i64, Path)), responses((status = 200, body = RelatedItemList)))]
pub async fn related_items(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<RelatedItemList>, ApiError> {
    let id = PlanId(path_id(&id, "Plan")?);
    let rows = state
        .run(move |s| {
            s.plan(id)?;
            s.related_items(id)
        })
        .await?;
    Ok(Json(RelatedItemList {
        items: rows.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(get, operation_id = "getRelatedItem", path = "/api/v1/related-items/{id}", tag = "related items", params(("id" = i64, Path)),
    responses((status = 200, body = RelatedItemDetail), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn related_item(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<RelatedItemDetail>, ApiError> {
    let id = RelatedItemId(path_id(&id, "Related item")?);
    let (row, plan, packages) = state.run(move |s| s.related_item(id)).await?;
    Ok(Json(RelatedItemDetail {
        related_item: row.into(),
        plan_id: plan.0,
        work_packages: packages.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct RelatedItemPatch {
    pub name: Option<String>,
    /// strategy, plan, programme, project, system, standard, organisation or other.
    pub kind: Option<String>,
}

#[utoipa::path(patch, operation_id = "updateRelatedItem", path = "/api/v1/related-items/{id}", tag = "related items", params(("id" = i64, Path)), request_body = RelatedItemPatch,
    responses((status = 200, body = RelatedItemDetail), (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn update_related_item(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<RelatedItemDetail>, ApiError> {
    let id = RelatedItemId(path_id(&id, "Related item")?);
    let patch: RelatedItemPatch = parse_body(&body)?;
    let (current, _, _) = state.run(move |s| s.related_item(id)).await?;
    let mut errors = Vec::new();
    let name = patch
        .name
        .map(|n| n.trim().to_string())
        .unwrap_or(current.name);
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(FieldError::new(
            "name",
            "Enter a name of 200 characters or fewer",
        ));
    }
    let kind = match patch.kind {
        Some(k) => k.parse::<RelatedKind>().unwrap_or_else(|e| {
            errors.push(FieldError::new(
                "kind",
                format!("Choose a kind: {}", e.expected),
            ));
            current.kind
        }),
        None => current.kind,
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let (row, plan, packages) = state
        .run(move |s| {
            s.update_related_item(id, &name, kind)?;
            s.related_item(id)
        })
        .await?;
    Ok(Json(RelatedItemDetail {
        related_item: row.into(),
        plan_id: plan.0,
        work_packages: packages.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(get, operation_id = "listProgrammes", path = "/api/v1/plans/{id}/programmes", tag = "programmes", params(("id" = i64, Path)), responses((status = 200, body = ProgrammeList)))]
pub async fn programmes(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ProgrammeList>, ApiError> {
    let id = PlanId(path_id(&id, "Plan")?);
    let rows = state
        .run(move |s| {
            s.plan(id)?;
            s.programmes(id)
        })
        .await?;
    Ok(Json(ProgrammeList {
        items: rows.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(get, operation_id = "getProgramme", path = "/api/v1/programmes/{id}", tag = "programmes", params(("id" = i64, Path)),
    responses((status = 200, body = ProgrammeDto), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn programme(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ProgrammeDto>, ApiError> {
    let id = ProgrammeId(path_id(&id, "Programme")?);
    let (row, _) = state.run(move |s| s.programme(id)).await?;
    Ok(Json(row.into()))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct InfluencePatch {
    pub title: Option<String>,
    pub description: Option<String>,
}

#[utoipa::path(patch, operation_id = "updateInfluence", path = "/api/v1/plans/{id}/influences/{code}", tag = "key influences",
    params(("id" = i64, Path), ("code" = String, Path)), request_body = InfluencePatch,
    responses((status = 200, body = InfluenceDetail), (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn update_influence(
    State(state): State<AppState>,
    Path((id, code)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<InfluenceDetail>, ApiError> {
    let id = PlanId(path_id(&id, "Plan")?);
    let code: InfluenceCode = code
        .parse()
        .map_err(|_| ApiError::NotFound("Key influence".into()))?;
    let patch: InfluencePatch = parse_body(&body)?;
    let title = patch.title.as_deref().unwrap_or("");
    let description = patch.description.as_deref().unwrap_or("");
    let errors: Vec<FieldError> = [
        too_long("title", "title", title, INFLUENCE_TITLE_LIMIT),
        too_long("description", "description", description, TEXT_LIMIT),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let (row, packages) = state
        .run(move |s| {
            let (current, _) = s.influence(id, &code)?;
            let title = patch
                .title
                .map(|t| t.trim().to_string())
                .unwrap_or(current.title);
            let description = patch
                .description
                .map(|t| t.trim().to_string())
                .unwrap_or(current.description);
            s.update_influence(id, &code, &title, &description)?;
            s.influence(id, &code)
        })
        .await?;
    Ok(Json(InfluenceDetail {
        influence: row.into(),
        work_packages: packages.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ProgrammeFields {
    pub name: Option<String>,
    /// Whether the programme is one of the group's agreed priorities.
    pub priority: Option<bool>,
    pub description: Option<String>,
}

fn programme_input(
    f: ProgrammeFields,
    current: Option<&ProgrammeInput>,
) -> Result<ProgrammeInput, ApiError> {
    let name = f
        .name
        .map(|n| n.trim().to_string())
        .or_else(|| current.map(|c| c.name.clone()))
        .unwrap_or_default();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::Validation(vec![FieldError::new(
            "name",
            "Enter a name of 200 characters or fewer",
        )]));
    }
    Ok(ProgrammeInput {
        name,
        priority: f.priority.or(current.map(|c| c.priority)).unwrap_or(false),
        description: f
            .description
            .or_else(|| current.map(|c| c.description.clone()))
            .unwrap_or_default(),
    })
}

#[utoipa::path(post, operation_id = "createProgramme", path = "/api/v1/plans/{id}/programmes", tag = "programmes", params(("id" = i64, Path)), request_body = ProgrammeFields,
    responses((status = 201, body = ProgrammeDto), (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create_programme(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<ProgrammeDto>), ApiError> {
    let id = PlanId(path_id(&id, "Plan")?);
    let input = programme_input(parse_body(&body)?, None)?;
    let (row, _) = state
        .run(move |s| {
            let pid = s.create_programme(id, &input)?;
            s.programme(pid)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

#[utoipa::path(patch, operation_id = "updateProgramme", path = "/api/v1/programmes/{id}", tag = "programmes", params(("id" = i64, Path)), request_body = ProgrammeFields,
    responses((status = 200, body = ProgrammeDto), (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn update_programme(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<ProgrammeDto>, ApiError> {
    let id = ProgrammeId(path_id(&id, "Programme")?);
    let fields: ProgrammeFields = parse_body(&body)?;
    let (current, _) = state.run(move |s| s.programme(id)).await?;
    let current = ProgrammeInput {
        name: current.name,
        priority: current.priority,
        description: current.description,
    };
    let input = programme_input(fields, Some(&current))?;
    let (row, _) = state
        .run(move |s| {
            s.update_programme(id, &input)?;
            s.programme(id)
        })
        .await?;
    Ok(Json(row.into()))
}

#[utoipa::path(delete, operation_id = "deleteProgramme", path = "/api/v1/programmes/{id}", tag = "programmes", params(("id" = i64, Path)), responses((status = 204)))]
pub async fn delete_programme(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = ProgrammeId(path_id(&id, "Programme")?);
    state.run(move |s| s.delete_programme(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
