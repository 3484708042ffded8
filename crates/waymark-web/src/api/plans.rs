use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use waymark_core::Date;
use waymark_core::export::{ExportFormat, PlanWriter, export_bytes};
use waymark_store::PlanId;
use waymark_store::PlanPart;

use super::dto::{CheckReport, Created, DashboardDto, FindingDto, PlanDto, PlanList, SectionList};
use super::etag::{IfMatch, Tagged};
use super::{QueryPairs, patch_record, path_id, plan_register};
use crate::AppState;
use crate::access::{Can, EditPlan, Read};
use crate::error::{ApiError, FieldError};
use crate::form::Form;
use crate::input::{PER_PAGE_MAX, PlanFields, SectionFields, work_package_query};

#[utoipa::path(get, operation_id = "listPlans", path = "/api/v1/plans", tag = "plans", responses((status = 200, body = PlanList)))]
pub async fn list(
    _can: Can<Read>,
    State(state): State<AppState>,
) -> Result<Json<PlanList>, ApiError> {
    let plans = state.run(|s| s.list_plans()).await?;
    Ok(Json(PlanList {
        items: plans.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(get, operation_id = "getPlan", path = "/api/v1/plans/{id}", tag = "plans", params(("id" = i64, Path)),
    responses((status = 200, body = PlanDto, headers(("ETag" = String, description = "The plan's version"))), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_plan(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Tagged<Json<PlanDto>>, ApiError> {
    let id = PlanId(path_id(&id, "Plan")?);
    let plan = state.run(move |s| s.plan(id)).await?;
    Ok(Tagged(plan.version, Json(plan.into())))
}

#[utoipa::path(patch, operation_id = "updatePlan", path = "/api/v1/plans/{id}", tag = "plans", params(("id" = i64, Path)), request_body = PlanFields,
    responses((status = 200, body = PlanDto, headers(("ETag" = String, description = "The plan's new version"))), (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn update(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
    body: Bytes,
) -> Result<Tagged<Json<PlanDto>>, ApiError> {
    let id = PlanId(path_id(&id, "Plan")?);
    let patch = PlanFields::from_json(&body)?;
    // The patch lies over the plan as stored inside the write, once its
    // version is checked there.
    let plan = patch_record(&state, patch, move |s, change| {
        s.change_plan(id, expected, change, &by)?;
        s.plan(id)
    })
    .await?;
    Ok(Tagged(plan.version, Json(plan.into())))
}

#[utoipa::path(delete, operation_id = "deletePlan", path = "/api/v1/plans/{id}", tag = "plans", params(("id" = i64, Path)), responses((status = 204)))]
pub async fn delete_plan(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, ApiError> {
    let id = PlanId(path_id(&id, "Plan")?);
    state.run(move |s| s.delete_plan(id, expected, &by)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The query parameters of the export: the format, and the work-package
/// list's filters (an export of the packages they find).
pub const EXPORT_QUERY: &[&str] = &[
    "format",
    "section",
    "quarter",
    "status",
    "rag",
    "influence",
    "related_item",
    "programme",
    "q",
    "overdue",
    "no_recent_note",
];
/// Export formats, as the API documents them.
pub const EXPORT_FORMATS: &[&str] = &["json", "markdown", "csv", "xlsx"];

#[utoipa::path(get, operation_id = "exportPlan", path = "/api/v1/plans/{id}/export", tag = "plans",
    params(
        ("id" = i64, Path),
        ("format" = Option<String>, Query, description = "json (default), markdown, csv or xlsx"),
        ("section" = Option<i64>, Query, description = "Only the packages of this section (as the work-package list filters)"),
        ("quarter" = Option<String>, Query, description = "Only the packages due in this quarter, such as `Q2 2007`"),
        ("status" = Option<String>, Query, description = "Only the packages of this status"),
        ("rag" = Option<String>, Query, description = "Only the packages of this RAG status"),
        ("influence" = Option<String>, Query, description = "Only the packages addressing this key influence"),
        ("related_item" = Option<i64>, Query, description = "Only the packages relating to this related item"),
        ("programme" = Option<i64>, Query, description = "Only the packages of this programme"),
        ("q" = Option<String>, Query, description = "Only the packages this search finds"),
        ("overdue" = Option<String>, Query, description = "true: only the overdue packages (as the work-package list filters)"),
        ("no_recent_note" = Option<String>, Query, description = "true: only the open packages with no progress note in the last three months (as the work-package list filters)"),
    ),
    responses((status = 200, description = "The plan as a file: the whole plan, or with a filter the packages it finds (with the sections, registers and the dependencies and programme places among them)", content_type = "application/json")))]
pub async fn export(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    QueryPairs(q): QueryPairs,
) -> Result<Response, ApiError> {
    let id = PlanId(path_id(&id, "Plan")?);
    let format = match q.iter().find(|(k, _)| k == "format") {
        Some((_, v)) => v
            .parse::<ExportFormat>()
            .map_err(|e| ApiError::Validation(vec![FieldError::new("format", e)]))?,
        None => ExportFormat::Json,
    };
    let filters: Vec<(String, String)> = q.into_iter().filter(|(k, _)| k != "format").collect();
    if filters.iter().any(|(_, v)| !v.trim().is_empty()) {
        return export_filtered(&state, id, format, &filters).await;
    }
    // A missing plan is a 404 before anything is sent.
    state.run(move |s| s.plan(id)).await?;
    let body = stream_export(&state, id, format);
    let file = format!(
        "attachment; filename=\"plan-{}.{}\"",
        id,
        format.extension()
    );
    Ok((
        [
            (header::CONTENT_TYPE, format.media_type().to_string()),
            (header::CONTENT_DISPOSITION, file),
        ],
        body,
    )
        .into_response())
}

/// The export of the packages the work-package list's `filters` find: read
/// whole (a filtered list is a part of the plan), written in memory.
async fn export_filtered(
    state: &AppState,
    id: PlanId,
    format: ExportFormat,
    filters: &[(String, String)],
) -> Result<Response, ApiError> {
    let mut query = work_package_query(filters, PER_PAGE_MAX).map_err(ApiError::Validation)?;
    let plan = state
        .run(move |s| {
            s.plan(id)?;
            let mut found = std::collections::HashSet::new();
            loop {
                let page = s.list_work_packages(id, &query)?;
                found.extend(page.items.into_iter().map(|row| row.reference));
                match page.next_cursor {
                    Some(next) => {
                        query.cursor = Some(next);
                        query.page = 1;
                    }
                    None => break,
                }
            }
            let mut plan = s.load_plan(id)?;
            plan.retain_packages(|r| found.contains(r.as_str()));
            Ok(plan)
        })
        .await?;
    // An `.xlsx` workbook's package rows wait in the OS's temporary directory.
    let bytes = tokio::task::spawn_blocking(move || export_bytes(&plan, format, None))
        .await
        .map_err(|e| ApiError::Internal(format!("the export stopped: {e}")))?
        .map_err(|e| ApiError::Internal(format!("the export could not be written: {e}")))?;
    let file = format!(
        "attachment; filename=\"plan-{}-selection.{}\"",
        id,
        format.extension()
    );
    Ok((
        [
            (header::CONTENT_TYPE, format.media_type().to_string()),
            (header::CONTENT_DISPOSITION, file),
        ],
        bytes,
    )
        .into_response())
}

/// Text sent on in pieces of about this size.
const EXPORT_CHUNK: usize = 64 * 1024;
/// Pieces waiting for a slow reader before the writer waits too.
const EXPORT_QUEUE: usize = 4;

/// The export as a streamed body: a thread of its own reads the plan from one
/// snapshot ([`waymark_store::PlanStore::visit_plan`]) and writes it piece by
/// piece ([`PlanWriter`]) into a short queue; the response sends each piece as
/// it comes. The server holds one batch of packages and a few pieces of text,
/// whatever the plan's size; a reader that goes away stops the writer.
fn stream_export(state: &AppState, id: PlanId, format: ExportFormat) -> Body {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(EXPORT_QUEUE);
    let store = state.store.clone();
    let spawned = std::thread::Builder::new()
        .name("export".into())
        .spawn(move || {
            let mut writer: Option<PlanWriter> = None;
            let mut text: Vec<u8> = Vec::with_capacity(EXPORT_CHUNK * 2);
            let send = |text: &mut Vec<u8>| {
                let piece = Bytes::from(std::mem::replace(
                    text,
                    Vec::with_capacity(EXPORT_CHUNK * 2),
                ));
                tx.blocking_send(Ok(piece)).is_ok()
            };
            let visited = store.visit_plan(id, &mut |part| {
                match part {
                    PlanPart::Skeleton(skeleton) => {
                        // An `.xlsx` workbook's package rows wait in the OS's
                        // temporary directory (`TMPDIR`), in an unnamed file.
                        let mut w = PlanWriter::new(skeleton, format, None);
                        text.extend_from_slice(w.begin().as_bytes());
                        writer = Some(w);
                    }
                    PlanPart::Package { section, package } => {
                        if let Some(w) = writer.as_mut() {
                            text.extend_from_slice(w.package(section, &package).as_bytes());
                        }
                    }
                }
                text.len() < EXPORT_CHUNK || send(&mut text)
            });
            match visited {
                Ok(()) => {
                    match writer.map(PlanWriter::finish_bytes) {
                        Some(Err(e)) => {
                            tracing::error!(error = %e, plan = %id, "export failed at its end");
                            let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
                            return;
                        }
                        Some(Ok(rest)) => text.extend_from_slice(&rest),
                        None => {}
                    }
                    send(&mut text);
                }
                Err(e) => {
                    tracing::error!(error = %e, plan = %id, "export failed part way");
                    // The body ends in an error: the client sees a cut-off transfer.
                    let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
                }
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start an export thread");
    }
    Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|piece| (piece, rx))
    }))
}

#[utoipa::path(get, operation_id = "getPlanDashboard", path = "/api/v1/plans/{id}/dashboard", tag = "plans",
    params(("id" = i64, Path)),
    responses((status = 200, body = DashboardDto, description = "The plan at a glance today (UK time): packages by status and RAG, the overdue ones and those due next quarter (the first few of each, with their counts)")))]
pub async fn dashboard(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<DashboardDto>, ApiError> {
    let id = PlanId(path_id(&id, "Plan")?);
    let today = crate::uk_time::today();
    let d = state.run(move |s| s.dashboard(id, today)).await?;
    Ok(Json(d.into()))
}

#[utoipa::path(get, operation_id = "checkPlan", path = "/api/v1/plans/{id}/check", tag = "plans", params(("id" = i64, Path)), responses((status = 200, body = CheckReport)))]
pub async fn check(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<CheckReport>, ApiError> {
    let id = PlanId(path_id(&id, "Plan")?);
    let plan = state.run(move |s| s.load_plan(id)).await?;
    let today = Date::from_calendar(time_today());
    let findings = waymark_core::check::check(&plan, today)
        .into_iter()
        .map(|f| FindingDto {
            rule: f.rule.into(),
            subject: f.subject,
            message: f.message,
        })
        .collect();
    Ok(Json(CheckReport { findings }))
}

/// Today's date in UTC.
pub fn time_today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

#[utoipa::path(get, operation_id = "listSections", path = "/api/v1/plans/{id}/sections", tag = "sections", params(("id" = i64, Path)), responses((status = 200, body = SectionList)))]
pub async fn sections(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<SectionList>, ApiError> {
    let items = plan_register(&state, &id, |s, id| s.sections(id)).await?;
    Ok(Json(SectionList { items }))
}

#[utoipa::path(post, operation_id = "createSection", path = "/api/v1/plans/{id}/sections", tag = "sections", params(("id" = i64, Path)), request_body = SectionFields,
    responses((status = 201, body = Created, description = "The new section's id"), (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create_section(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let id = PlanId(path_id(&id, "Plan")?);
    let (number, title) = SectionFields::from_json(&body)?
        .validate()
        .map_err(ApiError::Validation)?;
    let sid = state
        .run(move |s| s.create_section(id, number, title, &by))
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: sid.0 })))
}
