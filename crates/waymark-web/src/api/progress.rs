//! Progress notes (a package's dated records: date, RAG, text, author) and
//! the committee's progress report (`waymark_core::report`). Adding,
//! changing and deleting a note needs `add-progress-note` on its package
//! (a contributor their own); the report is read by anyone who reads.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use waymark_core::Date;
use waymark_core::report::{self, Basis, DecisionLine, HistoryEvent, NoteLine, ProgressReport};
use waymark_store::{
    PlanId, PlanStore, ProgressNoteId, ProgressNoteRow, StoreError, WorkPackageId,
};

use super::dto::{ProgressNoteDto, ProgressNoteList, ProgressReportDto};
use super::etag::{IfMatch, Tagged, created};
use super::{QueryPairs, patch_record, path_id};
use crate::AppState;
use crate::access::{AddProgressNote, Can, Read};
use crate::error::ApiError;
use crate::form::Form;
use crate::input::{ProgressNoteFields, ReportQuery};

#[utoipa::path(get, operation_id = "listProgressNotes", path = "/api/v1/work-packages/{id}/progress-notes", tag = "progress",
    params(("id" = i64, Path)),
    description = "The package's progress notes, newest first (by date, then the latest recorded).",
    responses((status = 200, body = ProgressNoteList), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ProgressNoteList>, ApiError> {
    let id = WorkPackageId(path_id(&id, "Work package")?);
    let rows = state.run(move |s| s.progress_notes(id)).await?;
    Ok(Json(ProgressNoteList {
        items: rows.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(post, operation_id = "createProgressNote", path = "/api/v1/work-packages/{id}/progress-notes", tag = "progress", params(("id" = i64, Path)),
    request_body = ProgressNoteFields,
    description = "Add a progress note; its author is the caller. A note with a RAG sets the package's RAG too. A contributor may add notes only to the packages they own (403 otherwise).",
    responses((status = 201, body = ProgressNoteDto, headers(("ETag" = String, description = "The note's version"), ("Location" = String, description = "The note's address"))),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn create(
    Can { by, .. }: Can<AddProgressNote>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let package = WorkPackageId(path_id(&id, "Work package")?);
    let input = ProgressNoteFields::from_json(&body)?
        .validate()
        .map_err(ApiError::Validation)?;
    let row = state
        .run(move |s| {
            let id = s.add_progress_note(package, &input, &by)?;
            s.progress_note(id)
        })
        .await?;
    let location = format!("/api/v1/progress-notes/{}", row.id);
    Ok(created(
        row.version,
        location,
        Json(ProgressNoteDto::from(row)),
    ))
}

#[utoipa::path(get, operation_id = "getProgressNote", path = "/api/v1/progress-notes/{id}", tag = "progress", params(("id" = i64, Path)),
    responses((status = 200, body = ProgressNoteDto, headers(("ETag" = String, description = "The note's version"))), (status = 404, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn get_one(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Tagged<Json<ProgressNoteDto>>, ApiError> {
    let id = ProgressNoteId(path_id(&id, "Progress note")?);
    let row = state.run(move |s| s.progress_note(id)).await?;
    Ok(Tagged(row.version, Json(row.into())))
}

#[utoipa::path(patch, operation_id = "updateProgressNote", path = "/api/v1/progress-notes/{id}", tag = "progress", params(("id" = i64, Path)),
    request_body(content = ProgressNoteFields, description = "Only the fields to change. The package's RAG is left as it is."),
    responses((status = 200, body = ProgressNoteDto, headers(("ETag" = String, description = "The note's new version"))),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn update(
    Can { by, .. }: Can<AddProgressNote>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
    body: Bytes,
) -> Result<Tagged<Json<ProgressNoteDto>>, ApiError> {
    let id = ProgressNoteId(path_id(&id, "Progress note")?);
    let patch = ProgressNoteFields::from_json(&body)?;
    let row = patch_record(&state, patch, move |s, change| {
        s.change_progress_note(id, expected, change, &by)?;
        s.progress_note(id)
    })
    .await?;
    Ok(Tagged(row.version, Json(row.into())))
}

#[utoipa::path(delete, operation_id = "deleteProgressNote", path = "/api/v1/progress-notes/{id}", tag = "progress", params(("id" = i64, Path)), responses((status = 204)))]
pub async fn delete_one(
    Can { by, .. }: Can<AddProgressNote>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, ApiError> {
    let id = ProgressNoteId(path_id(&id, "Progress note")?);
    state
        .run(move |s| s.delete_progress_note(id, expected, &by))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, operation_id = "getProgressReport", path = "/api/v1/plans/{id}/reports/progress", tag = "progress",
    params(
        ("id" = i64, Path),
        ("since" = Option<String>, Query, description = "Report since this day (YYYY-MM-DD): compared with the latest baseline taken on or before it, or, with none, with the audit trail from that day. Leave out both `since` and `baseline` for six months before today"),
        ("baseline" = Option<i64>, Query, description = "Report since this baseline of the plan (not with `since`)"),
        ("programme" = Option<i64>, Query, description = "A programme of the plan: its highlight report, over its packages"),
    ),
    description = "The progress report a committee receives: counts by status and RAG; packages delivered, slipped (with quarters; only against a baseline), added and removed since; due in the next period (this quarter and the next, in the plan's convention); each package's latest progress note; decisions taken since. `compared_with` says what it compares with. A wrong parameter is a 422 naming it.",
    responses((status = 200, body = ProgressReportDto), (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn progress_report(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<String>,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<ProgressReportDto>, ApiError> {
    let plan = PlanId(path_id(&id, "Plan")?);
    let query = ReportQuery::read(&pairs).map_err(ApiError::Validation)?;
    let today = crate::uk_time::today();
    let report = state
        .run(move |s| build_report(s, plan, &query, today))
        .await?;
    Ok(Json(report.into()))
}

/// How many quarters "due next period" covers: this one and the next (a
/// committee that meets every six months).
pub const PERIOD_QUARTERS: u8 = 2;

/// The report asked for, from the store: the plan now, the baseline it is
/// compared with (asked for, or the latest on or before the date), or the
/// audit trail's package events since the date, the notes and decisions.
/// A baseline or programme that is not the plan's is an error naming its
/// parameter (422).
pub(crate) fn build_report(
    s: &dyn PlanStore,
    plan_id: PlanId,
    query: &ReportQuery,
    today: Date,
) -> waymark_store::Result<ProgressReport> {
    let plan = s.load_plan(plan_id)?;
    let day = |ms: i64| {
        crate::uk_time::uk_date(ms)
            .map(Date::from_calendar)
            .unwrap_or(today)
    };
    let baseline = match (query.baseline, query.since) {
        (Some(id), _) => {
            let found = s.baseline(id).ok().filter(|b| b.row.plan_id == plan_id);
            let Some(found) = found else {
                return Err(StoreError::Invalid {
                    field: "baseline",
                    message: format!("The plan has no baseline {id}"),
                });
            };
            Some(found)
        }
        (None, since) => {
            let since = since.unwrap_or_else(|| report::months_before(today, 6));
            // The latest baseline taken on or before the day.
            let end = crate::uk_time::day_end_ms(since.get()).unwrap_or(i64::MAX);
            match s
                .baselines(plan_id)?
                .into_iter()
                .filter(|b| b.taken_at_ms < end)
                .max_by_key(|b| (b.taken_at_ms, b.id))
            {
                Some(row) => Some(s.baseline(row.id)?),
                None => None,
            }
        }
    };
    let since = match (query.since, &baseline) {
        (Some(since), _) => since,
        (None, Some(b)) if query.baseline.is_some() => day(b.row.taken_at_ms),
        _ => report::months_before(today, 6),
    };
    let programme = match query.programme {
        None => None,
        Some(id) => match s.programme(id) {
            Ok((row, of)) if of == plan_id => Some(row.name),
            _ => {
                return Err(StoreError::Invalid {
                    field: "programme",
                    message: format!("The plan has no programme {id}"),
                });
            }
        },
    };
    let history: Vec<HistoryEvent> = if baseline.is_none() {
        let from = crate::uk_time::day_start_ms(since.get());
        s.package_history(plan_id, from)?
            .into_iter()
            .map(|e| HistoryEvent {
                date: day(e.at_ms),
                kind: e.kind,
                reference: e.reference,
                title: e.title,
            })
            .collect()
    } else {
        Vec::new()
    };
    let notes: Vec<NoteLine> = s
        .plan_progress_notes(plan_id)?
        .into_iter()
        .map(note_line)
        .collect();
    let decisions: Vec<DecisionLine> = s
        .decisions(plan_id, None)?
        .into_iter()
        .map(|d| DecisionLine {
            date: d.date,
            meeting: d.meeting,
            text: d.text,
            decided_by: d.decided_by,
            work_packages: d.work_packages.into_iter().map(|w| w.reference).collect(),
            programmes: d.programmes.into_iter().map(|p| p.name).collect(),
        })
        .collect();
    let taken = baseline.as_ref().map(|b| day(b.row.taken_at_ms));
    let basis = match (&baseline, taken) {
        (Some(b), Some(taken)) => Basis::Baseline {
            name: &b.row.name,
            taken,
            plan: &b.plan,
        },
        _ => Basis::Date { history: &history },
    };
    let input = report::ReportInput {
        plan: &plan,
        today,
        since,
        basis,
        programme: programme.as_deref(),
        notes: &notes,
        decisions: &decisions,
        period_quarters: PERIOD_QUARTERS,
    };
    let mut made = report::progress_report(&input).map_err(|e| match e {
        report::ReportError::UnknownProgramme(name) => StoreError::Invalid {
            field: "programme",
            message: format!("The plan has no programme named {name:?}"),
        },
        other => StoreError::Corrupt(other.to_string()),
    })?;
    let raid = s.raid_highlights(plan_id, query.programme, REPORT_TOP_RISKS)?;
    made.raid = Some(report::RaidSection {
        top_risks: raid
            .top_risks
            .iter()
            .filter_map(|r| {
                let (l, i) = (r.likelihood?, r.impact?);
                Some(report::RiskLine {
                    title: r.title.clone(),
                    owner: r.owner.clone(),
                    likelihood: l.get(),
                    impact: i.get(),
                    score: waymark_core::raid::score(l, i),
                    mitigation: r.mitigation.clone(),
                    next_review: r.next_review,
                })
            })
            .collect(),
        open_issues: raid
            .open_issues
            .iter()
            .map(|r| report::IssueLine {
                title: r.title.clone(),
                owner: r.owner.clone(),
                severity: r.severity.map(|s| s.as_str().to_string()),
                resolution: r.resolution.clone(),
            })
            .collect(),
    });
    Ok(made)
}

/// How many open risks a report lists (the highest scores).
pub const REPORT_TOP_RISKS: usize = 5;

/// A stored note as the report reads it.
pub(crate) fn note_line(n: ProgressNoteRow) -> NoteLine {
    NoteLine {
        reference: n.reference,
        date: n.date,
        rag: n.rag,
        text: n.text,
        author: n.author,
        recorded_ms: n.created_ms,
    }
}
