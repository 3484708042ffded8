//! "Update this plan from a file": upload the newer version of a stored
//! plan's file (nothing is stored), see what it would change — packages
//! added, changed field by field, and those the file no longer has — with
//! the file's columns and warnings as the import preview shows them, then
//! apply it in one transaction, or cancel.
//!
//! The changes shown are worked out by the store's own dry run of the
//! update; applying sends their fingerprint, and the store refuses (and the
//! page shows the changes again) when the plan has changed since.

use askama::Template;
use axum::extract::{Path, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use waymark_core::import::{self as reader, Format, ImportError};
use waymark_core::update::Comparison;
use waymark_store::{PlanId, StoreError, UpdateOptions};

use super::csrf::PostedForm;
use super::error::{HtmlError, render};
use super::form::Cx;
use super::import::{
    self, Choices, ColumnView, Read, Summary, Updating, account_of, field_error, file_problems,
    gone, preview_layout, read_file, read_view, sheet_choices, store_message, upload_page,
};
use super::import_drafts::Draft;
use super::view::{Choice, Layout, thousands};
use crate::access::{Can, Import};
use crate::error::FieldError;

/// How many of each kind of change the page lists (the command line's
/// `waymark import --update --dry-run` lists every one).
const LISTED: usize = 300;
/// How much of a field's text a change shows, before and after.
const TEXT_SHOWN: usize = 400;

#[derive(Template)]
#[template(path = "plan_update.html")]
struct UpdatePage {
    layout: Layout,
    csrf: String,
    draft: String,
    file_name: String,
    plan: Updating,
    summary: Option<Summary>,
    columns: Vec<ColumnView>,
    sheets: Vec<Choice>,
    sheet: String,
    changes: Option<ChangesView>,
    remove_missing: bool,
    errors: Vec<FieldError>,
    problems: Vec<String>,
}

struct Line {
    reference: String,
    title: String,
}

struct FieldView {
    field: &'static str,
    before: String,
    after: String,
}

struct ChangedView {
    reference: String,
    title: String,
    fields: Vec<FieldView>,
}

/// What applying the file would do, as the page lists it.
struct ChangesView {
    fingerprint: String,
    counts: Vec<(&'static str, String)>,
    sections_added: Vec<String>,
    added: Vec<Line>,
    more_added: usize,
    changed: Vec<ChangedView>,
    more_changed: usize,
    missing: Vec<Line>,
    more_missing: usize,
    /// Registers, memberships, dependencies and notes the file adds, one line each.
    others: Vec<String>,
    more_others: usize,
    nothing: bool,
}

/// A field's text as a change shows it: whole up to a bound, and "(empty)"
/// for nothing.
fn shown(text: &str) -> String {
    if text.is_empty() {
        return "(empty)".to_string();
    }
    match text.char_indices().nth(TEXT_SHOWN) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

fn changes_view(cmp: &Comparison) -> ChangesView {
    let n = |v: usize| thousands(v as u64);
    let line = |p: &waymark_core::update::PackageLine| Line {
        reference: p.reference.to_string(),
        title: p.title.clone(),
    };
    let mut others: Vec<String> = Vec::new();
    others.extend(
        cmp.influences_added
            .iter()
            .map(|c| format!("Key influence {c} is added")),
    );
    others.extend(
        cmp.programmes_added
            .iter()
            .map(|p| format!("Programme “{p}” is added")),
    );
    others.extend(
        cmp.programme_members_added
            .iter()
            .map(|(p, r)| format!("Work package {r} joins programme “{p}”")),
    );
    others.extend(
        cmp.dependencies_added
            .iter()
            .map(|(p, s)| format!("Dependency: {s} waits for {p}")),
    );
    if !cmp.notes_added.is_empty() {
        others.push(format!(
            "{} lines of the file's text that fit no field are added to the plan's notes",
            cmp.notes_added.lines().count()
        ));
    }
    let more_others = others.len().saturating_sub(LISTED);
    others.truncate(LISTED);
    ChangesView {
        fingerprint: cmp.fingerprint(),
        counts: vec![
            ("Work packages added", n(cmp.added.len())),
            ("Work packages changed", n(cmp.changed.len())),
            ("Work packages unchanged", n(cmp.unchanged)),
            ("Work packages not in the file", n(cmp.missing.len())),
            ("Sections added", n(cmp.sections_added.len())),
        ],
        sections_added: cmp.sections_added.iter().take(LISTED).cloned().collect(),
        added: cmp.added.iter().take(LISTED).map(line).collect(),
        more_added: cmp.added.len().saturating_sub(LISTED),
        changed: cmp
            .changed
            .iter()
            .take(LISTED)
            .map(|c| ChangedView {
                reference: c.reference.to_string(),
                title: c.title.clone(),
                fields: c
                    .fields
                    .iter()
                    .map(|f| FieldView {
                        field: f.field,
                        before: shown(&f.before),
                        after: shown(&f.after),
                    })
                    .collect(),
            })
            .collect(),
        more_changed: cmp.changed.len().saturating_sub(LISTED),
        missing: cmp.missing.iter().take(LISTED).map(line).collect(),
        more_missing: cmp.missing.len().saturating_sub(LISTED),
        others,
        more_others,
        nothing: cmp.is_empty() && cmp.missing.is_empty(),
    }
}

/// The plan an update page is for, or "not found".
async fn plan_of(cx: &Cx, id: i64) -> Result<Updating, HtmlError> {
    let summary = cx.state.run(move |s| s.plan(PlanId(id))).await?;
    Ok(Updating {
        id,
        title: summary.title,
    })
}

/// `GET /plans/{id}/update`: choose the file.
pub async fn form(_can: Can<Import>, cx: Cx, Path(id): Path<i64>) -> Result<Response, HtmlError> {
    let plan = plan_of(&cx, id).await?;
    Ok(render(
        StatusCode::OK,
        &upload_page(cx.csrf, String::new(), Vec::new(), Some(plan)),
    ))
}

/// `POST /plans/{id}/update`: read the file, keep it as a draft, and show
/// what it would change. Nothing is stored.
pub async fn upload(
    can: Can<Import>,
    cx: Cx,
    Path(id): Path<i64>,
    req: Request,
) -> Result<Response, HtmlError> {
    let plan = plan_of(&cx, id).await?;
    import::receive(can, cx, req, Some(plan)).await
}

/// What reading a draft and the store's dry run of the update gave.
struct Outcome {
    read: Result<Read, ImportError>,
    compared: Option<Result<Comparison, String>>,
    sheets: Vec<String>,
}

async fn compare_draft(
    cx: &Cx,
    by: waymark_store::Actor,
    plan: i64,
    draft: Draft,
    choices: &Choices,
) -> Result<Outcome, HtmlError> {
    let choices = choices.clone();
    let outcome = cx
        .state
        .run(move |s| {
            let sheets = if Format::is_xlsx(Some(&draft.file_name), &draft.bytes) {
                reader::workbook_sheets(&draft.bytes).unwrap_or_default()
            } else {
                Vec::new()
            };
            let read = read_file(&draft, &choices);
            let compared = match &read {
                Ok(r) => {
                    let options = UpdateOptions {
                        dry_run: true,
                        ..UpdateOptions::default()
                    };
                    Some(
                        match s.update_from_file(PlanId(plan), &r.imported.plan, &options, &by) {
                            Ok(cmp) => Ok(cmp),
                            Err(e @ (StoreError::Conflict { .. } | StoreError::Invalid { .. })) => {
                                Err(store_message(&e))
                            }
                            Err(e) => return Err(e),
                        },
                    )
                }
                Err(_) => None,
            };
            Ok(Outcome {
                read,
                compared,
                sheets,
            })
        })
        .await?;
    Ok(outcome)
}

/// The update's preview for a draft read with `choices`; `errors` above it.
#[allow(clippy::too_many_arguments)]
pub(super) async fn preview_response(
    cx: Cx,
    can: Can<Import>,
    plan: Updating,
    id: String,
    draft: Draft,
    choices: Choices,
    mut errors: Vec<FieldError>,
    notice: Option<String>,
) -> Result<Response, HtmlError> {
    let file_name = draft.file_name.clone();
    let outcome = compare_draft(&cx, can.by.clone(), plan.id, draft, &choices).await?;
    let mut problems = file_problems(&errors);
    let (summary, columns, sheet) = read_view(&outcome.read, &choices, &mut errors, &mut problems);
    let sheets = sheet_choices(&outcome.sheets, &sheet);
    let changes = match outcome.compared {
        Some(Ok(cmp)) => Some(changes_view(&cmp)),
        Some(Err(refused)) => {
            let message = format!("The plan cannot be updated from this file: {refused}");
            errors.push(field_error("file", message.clone()));
            problems.push(message);
            None
        }
        None => None,
    };
    let (status, layout) = preview_layout("Check the update", &errors, notice);
    Ok(render(
        status,
        &UpdatePage {
            layout,
            csrf: cx.csrf,
            draft: id,
            file_name,
            plan,
            summary,
            columns,
            sheets,
            sheet,
            changes,
            remove_missing: choices.replace,
            errors,
            problems,
        },
    ))
}

/// `POST /plans/{id}/update/preview`: the update preview's form. `action`
/// says what its button asked: `preview` (draw it again with the columns'
/// fields as chosen), `apply` (store the changes shown) or `cancel`.
pub async fn preview(
    can: Can<Import>,
    cx: Cx,
    Path(plan_id): Path<i64>,
    posted: PostedForm,
) -> Result<Response, HtmlError> {
    let account = account_of(&can)?;
    let plan = plan_of(&cx, plan_id).await?;
    let id = posted.get("draft").unwrap_or_default().to_string();
    let action = if posted.expired {
        "preview"
    } else {
        posted.get("action").unwrap_or("preview")
    };
    if action == "cancel" {
        cx.state.import_drafts.remove(&id, account);
        return Ok(
            Redirect::to(&format!("/plans/{plan_id}?import=update-cancelled")).into_response(),
        );
    }
    let Some(draft) = cx.state.import_drafts.get(&id, account) else {
        return Ok(gone(cx, Some(plan)));
    };
    // The form's "remove missing" box travels in `replace` (the import's
    // choice of what to do with what is stored).
    let mut choices = Choices::from_form(&posted);
    choices.replace = posted.get("remove_missing") == Some("yes");
    let notice = posted.expired.then(|| {
        "The form had expired (the service may have restarted while the page was open), so nothing has been changed. Check the changes below, then apply them again.".to_string()
    });
    if action != "apply" {
        return preview_response(cx, can, plan, id, draft, choices, Vec::new(), notice).await;
    }
    let expected = posted.get("fingerprint").unwrap_or_default().to_string();
    let options = UpdateOptions {
        remove_missing: choices.replace,
        expected: Some(expected),
        dry_run: false,
    };
    let by = can.by.clone();
    let held = draft.clone();
    let read_with = choices.clone();
    let applied = cx
        .state
        .run(move |s| {
            let read = match read_file(&held, &read_with) {
                Ok(read) => read,
                Err(e) => return Ok(Err(format!("The file could not be read as a plan: {e}"))),
            };
            Ok(
                match s.update_from_file(PlanId(plan_id), &read.imported.plan, &options, &by) {
                    Ok(_) => Ok(()),
                    Err(StoreError::Conflict { field: "plan", .. }) => Err(String::new()),
                    Err(e @ (StoreError::Conflict { .. } | StoreError::Invalid { .. })) => {
                        Err(format!(
                            "The plan cannot be updated from this file: {}",
                            store_message(&e)
                        ))
                    }
                    Err(e) => return Err(e),
                },
            )
        })
        .await?;
    match applied {
        Ok(()) => {
            cx.state.import_drafts.remove(&id, account);
            Ok(Redirect::to(&format!("/plans/{plan_id}?import=updated")).into_response())
        }
        Err(message) if message.is_empty() => {
            let notice = "The plan has been changed since these changes were worked out, so nothing has been changed. Here they are again, as they stand now: check them, then apply them again.".to_string();
            preview_response(cx, can, plan, id, draft, choices, Vec::new(), Some(notice)).await
        }
        Err(message) => {
            preview_response(
                cx,
                can,
                plan,
                id,
                draft,
                choices,
                vec![field_error("file", message)],
                None,
            )
            .await
        }
    }
}
