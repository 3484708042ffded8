use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;
use waymark_store::{PlanId, WorkPackageId, WorkPackageQuery};

use super::dto::{WorkPackageDto, WorkPackagePage};
use super::etag::{IfMatch, Tagged, created};
use super::{JsonBody, QueryPairs, parse_body, path_id};
use crate::AppState;
use crate::access::{Can, EditPlan, EditWorkPackage, Read};
use crate::error::{ApiError, FieldError};
use crate::form::{Fields, Form, Kind};
use crate::input::{WorkPackageFields, carry_delivery_as_written, work_package_query};

#[utoipa::path(get, operation_id = "listWorkPackages", path = "/api/v1/plans/{id}/work-packages", tag = "work packages",
    params(
        ("id" = i64, Path),
        ("section" = Option<i64>, Query, description = "Section id"),
        ("quarter" = Option<String>, Query, description = "A delivery quarter such as `Q2 2007`"),
        ("status" = Option<String>, Query, description = "proposed, approved, in_progress, delivered, closed, on_hold, rejected or cancelled"),
        ("rag" = Option<String>, Query, description = "red, amber or green"),
        ("influence" = Option<String>, Query, description = "Key-influence code such as 3.1.1"),
        ("related_item" = Option<i64>, Query, description = "Related item id"),
        ("programme" = Option<i64>, Query, description = "Programme id"),
        ("q" = Option<String>, Query, description = "Free text; every term must match: a word starts a word in some text field, a reference or code such as `10.4.3` matches as a phrase (its words adjacent, in order). Text with no letter or digit is a 422"),
        ("overdue" = Option<String>, Query, description = "true: only the overdue packages (still open, and their last delivery quarter is before today's, in the plan's quarter convention, UK time)"),
        ("no_recent_note" = Option<String>, Query, description = "true: only the open packages with no progress note in the last three months (UK time), or none at all"),
        ("sort" = Option<String>, Query, description = "plan (default), title, delivery, status, progress or owner"),
        ("dir" = Option<String>, Query, description = "asc (default) or desc"),
        ("page" = Option<u32>, Query, description = "1-based page, counted from the start (deep pages cost more; prefer `cursor`)"),
        ("cursor" = Option<String>, Query, description = "Where the page starts: a `next_cursor` or `previous_cursor` from an earlier answer of the same list (same filters, order and page size). Opaque; not with `page`. An unknown or foreign cursor is a 422 naming `cursor`"),
        ("per_page" = Option<u32>, Query, description = "1 to 500, default 100"),
    ),
    responses((status = 200, body = WorkPackagePage), (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    QueryPairs(pairs): QueryPairs,
) -> Result<JsonBody<WorkPackagePage>, ApiError> {
    let id = PlanId(path_id(&id, "Plan")?);
    let query: WorkPackageQuery = work_package_query(&pairs, 100).map_err(ApiError::Validation)?;
    let page = state
        .run(move |s| {
            let page = s.list_work_packages(id, &query)?;
            if page.total == 0 {
                // Tell "no such plan" from "no matches".
                s.plan(id)?;
            }
            Ok(page)
        })
        .await?;
    let capacity = 512 + page.items.len() * 320;
    Ok(JsonBody(page.into(), capacity))
}

/// Read a JSON body into form-like fields. Lists may be arrays: `delivery` of
/// strings or `{label, quarter}` objects, `influences` and `related_items` of
/// strings, `programme_ids` of numbers.
fn fields_from_json(body: &Bytes) -> Result<WorkPackageFields, ApiError> {
    let value: Value = parse_body(body)?;
    let Value::Object(map) = value else {
        return Err(ApiError::BadRequest(
            "send a JSON object of work-package fields".into(),
        ));
    };
    let mut f = WorkPackageFields::default();
    let mut errors = Vec::new();
    for (key, val) in map {
        let field = WorkPackageFields::FIELDS.iter().find(|f| f.name == key);
        let list = match field.map(|f| f.kind) {
            Some(Kind::List(separator)) => Some(separator),
            _ => None,
        };
        // null clears a field that may be empty (comments, rag, actual_delivery);
        // a field that always has a value cannot be cleared, so null is refused
        // rather than read as 0 or "not started".
        if val.is_null() && field.is_some_and(|f| f.always_set) {
            errors.push(FieldError::new(
                &key,
                "must not be null: give a value, or leave the field out to keep the current one",
            ));
            continue;
        }
        let text = match &val {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Null => Some(String::new()),
            Value::Array(items) if list.is_some() => {
                let mut parts = Vec::new();
                for item in items {
                    match item {
                        Value::String(s) => parts.push(s.clone()),
                        Value::Object(o) if key == "delivery" => {
                            let quarter = o.get("quarter").and_then(Value::as_str).unwrap_or("");
                            match o
                                .get("label")
                                .and_then(Value::as_str)
                                .filter(|l| !l.is_empty())
                            {
                                Some(l) => parts.push(format!("{l}) {quarter}")),
                                None => parts.push(quarter.to_string()),
                            }
                        }
                        _ => errors.push(FieldError::new(&key, "list items must be strings")),
                    }
                }
                Some(parts.join(list.unwrap_or(" ")))
            }
            _ => None,
        };
        match key.as_str() {
            "related_items_manual" => match &val {
                Value::Bool(b) => f.related_items_manual = Some(b.to_string()),
                _ => errors.push(FieldError::new(
                    "related_items_manual",
                    "must be true or false",
                )),
            },
            "programme_ids" => match &val {
                Value::Array(items) => {
                    let ids: Option<Vec<i64>> = items.iter().map(Value::as_i64).collect();
                    match ids {
                        Some(ids) => f.programmes = Some(ids),
                        None => errors.push(FieldError::new(
                            "programme_ids",
                            "give programme ids as numbers",
                        )),
                    }
                }
                _ => errors.push(FieldError::new(
                    "programme_ids",
                    "give a list of programme ids",
                )),
            },
            name => match f.slot(name) {
                Some(slot) => match text {
                    Some(text) => *slot = Some(text),
                    None => errors.push(FieldError::new(&key, "must be a string or a number")),
                },
                None => errors.push(FieldError::new(&key, "unknown field")),
            },
        }
    }
    if errors.is_empty() {
        Ok(f)
    } else {
        Err(ApiError::Validation(errors))
    }
}

#[utoipa::path(post, operation_id = "createWorkPackage", path = "/api/v1/plans/{id}/work-packages", tag = "work packages", params(("id" = i64, Path)),
    request_body = WorkPackageFields,
    responses((status = 201, body = WorkPackageDto), (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let plan = PlanId(path_id(&id, "Plan")?);
    let fields = fields_from_json(&body)?;
    // Left out, the number is chosen by the store in the same transaction.
    let input = fields.validate().map_err(ApiError::Validation)?;
    let detail = state
        .run(move |s| {
            s.plan(plan)?;
            let id = s.create_work_package(plan, &input, &by)?;
            s.work_package(id)
        })
        .await?;
    let location = format!("/api/v1/work-packages/{}", detail.row.id);
    let version = detail.row.version;
    Ok(created(
        version,
        location,
        Json(WorkPackageDto::from(detail)),
    ))
}

#[utoipa::path(get, operation_id = "getWorkPackage", path = "/api/v1/work-packages/{id}", tag = "work packages", params(("id" = i64, Path)),
    responses((status = 200, body = WorkPackageDto, headers(("ETag" = String, description = "The package's version"))), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_one(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Tagged<Json<WorkPackageDto>>, ApiError> {
    let id = WorkPackageId(path_id(&id, "Work package")?);
    let detail = state.run(move |s| s.work_package(id)).await?;
    Ok(Tagged(detail.row.version, Json(detail.into())))
}

#[utoipa::path(get, operation_id = "getWorkPackageHistory", path = "/api/v1/work-packages/{id}/history", tag = "work packages", params(("id" = i64, Path)),
    description = "The package's audit entries, newest first (the newest 200): who changed it, when, and each field from what to what. A deleted package's history stays.",
    responses((status = 200, body = crate::api::dto::HistoryList), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn history(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<crate::api::dto::HistoryList>, ApiError> {
    let id = WorkPackageId(path_id(&id, "Work package")?);
    let entries = state
        .run(move |s| {
            let filter = waymark_store::AuditFilter {
                entity_kind: Some("work_package".into()),
                entity_id: Some(id.to_string()),
                ..Default::default()
            };
            let entries = s.audit_entries(&filter, waymark_core::limits::HISTORY_ENTRIES)?;
            if entries.is_empty() {
                // No history: a package that never was is not found.
                s.work_package(id)?;
            }
            Ok(entries)
        })
        .await?;
    Ok(Json(crate::api::dto::HistoryList {
        items: entries.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(patch, operation_id = "updateWorkPackage", path = "/api/v1/work-packages/{id}", tag = "work packages", params(("id" = i64, Path)),
    request_body(content = WorkPackageFields, description = "Only the fields to change"),
    responses((status = 200, body = WorkPackageDto, headers(("ETag" = String, description = "The package's new version"))), (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn update(
    Can { by, .. }: Can<EditWorkPackage>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
    body: Bytes,
) -> Result<Tagged<Json<WorkPackageDto>>, ApiError> {
    let id = WorkPackageId(path_id(&id, "Work package")?);
    let patch = fields_from_json(&body)?;
    // The patch lies over the package as it is inside the write, once its
    // version is checked there.
    let outcome = state
        .run(move |s| {
            let mut patch = Some(patch);
            let mut refused = None;
            s.change_work_package(
                id,
                expected,
                &mut |current| {
                    let patch = patch.take()?;
                    let gives_as_written = patch.delivery_as_written.is_some();
                    let fields = WorkPackageFields::from_detail(current).patched(patch);
                    let mut input = fields
                        .validate_stored()
                        .map_err(|e| refused = Some(e))
                        .ok()?;
                    if !gives_as_written {
                        carry_delivery_as_written(&mut input, current);
                    }
                    Some(input)
                },
                &by,
            )?;
            Ok(match refused {
                Some(errors) => Err(errors),
                None => Ok(s.work_package(id)?),
            })
        })
        .await?;
    let detail = outcome.map_err(ApiError::Validation)?;
    Ok(Tagged(detail.row.version, Json(detail.into())))
}

#[utoipa::path(delete, operation_id = "deleteWorkPackage", path = "/api/v1/work-packages/{id}", tag = "work packages", params(("id" = i64, Path)), responses((status = 204)))]
pub async fn delete_one(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, ApiError> {
    let id = WorkPackageId(path_id(&id, "Work package")?);
    state
        .run(move |s| s.delete_work_package(id, expected, &by))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
