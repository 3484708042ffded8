//! "Import a plan" in the browser: upload a file (nothing is stored), see how
//! it was read — the format, the counts, each column's field, the warnings,
//! the first rows, what went to the notes — change what a column means (the
//! preview is drawn again: a form round trip, no script), then import it in
//! one transaction as the signed-in account, or cancel.
//!
//! The uploaded bytes wait in server memory between the preview and the
//! confirmation (`import_drafts`): the preview's form carries only their
//! random id, which finds nothing for another account.

use askama::Template;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use futures_util::StreamExt;
use waymark_core::import::{
    self, Encoding, FIELD_NAMES, Format, ImportError, ImportOptions, Imported, cell_name,
};
use waymark_core::model::format_delivery;
use waymark_store::{AccountId, OnExisting, StoreError};

use super::csrf::{self, PostedForm};
use super::error::{HtmlError, render};
use super::form::Cx;
use super::import_drafts::{Draft, DraftError};
use super::view::{Choice, Layout, Section, thousands};
use crate::access::{Can, Import};
use crate::error::FieldError;

/// The largest file the page takes (`docs/limits.md`).
pub const UPLOAD_LIMIT: usize = 20 * 1024 * 1024;
/// The largest upload request: the file, the form's other fields and the
/// multipart framing (`DefaultBodyLimit` on the route).
pub const BODY_LIMIT: usize = UPLOAD_LIMIT + 64 * 1024;
/// How much of a request over the limit is read and thrown away before the
/// page saying so is sent: a browser still sending the file would otherwise
/// see the connection reset rather than the page. Past this, the connection
/// is closed.
const DRAIN_LIMIT: u64 = 4 * UPLOAD_LIMIT as u64;
/// The rows, warnings and note lines a preview shows.
const PREVIEW_ROWS: usize = 10;
const WARNINGS_SHOWN: usize = 200;
const NOTE_LINES_SHOWN: usize = 40;
/// The most columns a posted mapping may name.
const MAX_COLUMNS: usize = 2_000;

/// "20 MB".
pub fn upload_limit_text() -> String {
    format!("{} MB", UPLOAD_LIMIT / (1024 * 1024))
}

// ---------------------------------------------------------------- upload

/// The stored plan an upload updates (`/plans/{id}/update`); none for a
/// new plan (`/plans/import`).
#[derive(Debug, Clone)]
pub(super) struct Updating {
    pub id: i64,
    pub title: String,
}

#[derive(Template)]
#[template(path = "import.html")]
pub(super) struct UploadPage {
    pub layout: Layout,
    csrf: String,
    title: String,
    errors: Vec<FieldError>,
    limit: String,
    updating: Option<Updating>,
}

pub(super) fn upload_page(
    csrf: String,
    title: String,
    errors: Vec<FieldError>,
    updating: Option<Updating>,
) -> UploadPage {
    let heading = match &updating {
        Some(u) => format!("Update “{}” from a file", u.title),
        None => "Import a plan".to_string(),
    };
    let mut layout = Layout::new(&heading, None, Section::None);
    if !errors.is_empty() {
        layout.title = format!("Error: {}", layout.title);
    }
    UploadPage {
        layout,
        csrf,
        title,
        errors,
        limit: upload_limit_text(),
        updating,
    }
}

impl UploadPage {
    fn error(&self, field: &str) -> Option<&str> {
        first_error(&self.errors, field)
    }
}

impl PreviewPage {
    fn error(&self, field: &str) -> Option<&str> {
        first_error(&self.errors, field)
    }
}

pub(super) fn first_error<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.as_str())
}

pub(super) fn field_error(field: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(field, message)
}

pub async fn form(_can: Can<Import>, cx: Cx) -> Result<Response, HtmlError> {
    Ok(render(
        StatusCode::OK,
        &upload_page(cx.csrf, String::new(), Vec::new(), None),
    ))
}

/// The page saying the file is over the limit (413).
fn too_large(csrf: String, title: String, updating: Option<Updating>) -> Response {
    render(
        StatusCode::PAYLOAD_TOO_LARGE,
        &upload_page(
            csrf,
            title,
            vec![field_error(
                "file",
                format!(
                    "The selected file must be smaller than {}; nothing has been imported",
                    upload_limit_text()
                ),
            )],
            updating,
        ),
    )
}

/// Read (and drop) what is left of a request body, up to [`DRAIN_LIMIT`].
async fn drain(body: axum::body::Body) {
    let mut stream = body.into_data_stream();
    let mut read: u64 = 0;
    while let Some(Ok(chunk)) = stream.next().await {
        read = read.saturating_add(chunk.len() as u64);
        if read > DRAIN_LIMIT {
            break;
        }
    }
}

/// The signed-in account an import's draft belongs to.
pub(super) fn account_of(can: &Can<Import>) -> Result<AccountId, HtmlError> {
    can.identity()
        .caller()
        .map(|c| c.account.id)
        .ok_or_else(|| HtmlError::NotAllowed("Sign in to import a plan".into()))
}

/// What the upload form posted.
#[derive(Default)]
struct Upload {
    token: Option<String>,
    title: String,
    file_name: String,
    bytes: Vec<u8>,
    over_limit: bool,
}

/// `POST /plans/import`: read the uploaded file, keep it as a draft, and
/// show its preview. Nothing is stored.
pub async fn upload(can: Can<Import>, cx: Cx, req: Request) -> Result<Response, HtmlError> {
    receive(can, cx, req, None).await
}

/// Read an uploaded file (for a new plan, or to update `updating`), keep it
/// as a draft, and show its preview. Nothing is stored.
pub(super) async fn receive(
    can: Can<Import>,
    cx: Cx,
    req: Request,
    updating: Option<Updating>,
) -> Result<Response, HtmlError> {
    let account = account_of(&can)?;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        drain(req.into_body()).await;
        return Ok(too_large(cx.csrf, String::new(), updating));
    }
    let cross_site = csrf::is_cross_site(req.headers());
    let mut multipart = Multipart::from_request(req, &cx.state).await.map_err(|e| {
        HtmlError::BadRequest(format!("The form could not be read: {}", e.body_text()))
    })?;
    let mut upload = Upload::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                upload.over_limit = true;
                break;
            }
            Err(e) => {
                return Err(HtmlError::BadRequest(format!(
                    "The form could not be read: {}",
                    e.body_text()
                )));
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let data = match field.bytes().await {
            Ok(data) => data,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                upload.over_limit = true;
                break;
            }
            Err(e) => {
                return Err(HtmlError::BadRequest(format!(
                    "The form could not be read: {}",
                    e.body_text()
                )));
            }
        };
        match name.as_str() {
            csrf::FIELD => upload.token = Some(String::from_utf8_lossy(&data).into_owned()),
            "title" => {
                let text = String::from_utf8_lossy(&data);
                upload.title = waymark_core::text::clean(text.trim()).into_owned();
            }
            "file" => {
                upload.file_name = file_name.unwrap_or_default();
                upload.bytes = data.to_vec();
            }
            _ => {}
        }
    }
    let matched = upload
        .token
        .as_deref()
        .is_some_and(|t| csrf::constant_time_eq(t.as_bytes(), cx.csrf.as_bytes()));
    if !matched && cross_site {
        return Err(HtmlError::Forbidden);
    }
    if upload.over_limit || upload.bytes.len() > UPLOAD_LIMIT {
        return Ok(too_large(cx.csrf, upload.title, updating));
    }
    if !matched {
        let mut page = upload_page(
            cx.csrf,
            upload.title,
            vec![field_error(
                "file",
                "The form had expired (the service may have restarted), so the file was not read: choose the file again",
            )],
            updating,
        );
        page.layout.notice = None;
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    if upload.bytes.is_empty() {
        let message = if upload.file_name.is_empty() {
            "Select a file to import"
        } else {
            "The selected file is empty"
        };
        return Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &upload_page(
                cx.csrf,
                upload.title,
                vec![field_error("file", message)],
                updating,
            ),
        ));
    }
    let file_name = if upload.file_name.is_empty() {
        "upload".to_string()
    } else {
        upload.file_name
    };
    let id = match cx
        .state
        .import_drafts
        .insert(account, file_name, upload.bytes)
    {
        Ok(id) => id,
        Err(DraftError::Full) => {
            return Ok(render(
                StatusCode::SERVICE_UNAVAILABLE,
                &upload_page(
                    cx.csrf,
                    upload.title,
                    vec![field_error(
                        "file",
                        "Too many imports are waiting to be confirmed: try again in a few minutes",
                    )],
                    updating,
                ),
            ));
        }
        Err(DraftError::NoRandomness) => {
            return Err(HtmlError::Internal("no randomness for a draft id".into()));
        }
    };
    let Some(draft) = cx.state.import_drafts.get(&id, account) else {
        return Err(HtmlError::Internal("a draft just kept is gone".into()));
    };
    let choices = Choices {
        title: upload.title,
        ..Choices::default()
    };
    match updating {
        Some(plan) => {
            super::plan_update::preview_response(
                cx,
                can,
                plan,
                id,
                draft,
                choices,
                Vec::new(),
                None,
            )
            .await
        }
        None => preview_response(cx, can, id, draft, choices, Vec::new(), None).await,
    }
}

// ---------------------------------------------------------------- preview

/// What the preview's form says: the title, each column's field, whether to
/// replace a stored plan of the same title.
#[derive(Debug, Clone, Default)]
pub(super) struct Choices {
    pub(super) title: String,
    /// The posted columns (header, field chosen, field the reader found,
    /// whether the field was chosen before), in order.
    columns: Vec<PostedColumn>,
    pub(super) replace: bool,
    /// The workbook's sheet chosen (empty: the first with a header row).
    pub(super) sheet: String,
}

#[derive(Debug, Clone)]
struct PostedColumn {
    header: String,
    field: String,
    detected: String,
    mapped: bool,
}

impl Choices {
    pub(super) fn from_form(posted: &PostedForm) -> Choices {
        let mut columns = Vec::new();
        for i in 0..MAX_COLUMNS {
            let Some(header) = posted.get(&format!("header_{i}")) else {
                break;
            };
            let field = posted
                .get(&format!("field_{i}"))
                .unwrap_or_default()
                .to_string();
            columns.push(PostedColumn {
                header: header.to_string(),
                detected: posted
                    .get(&format!("was_{i}"))
                    .unwrap_or_default()
                    .to_string(),
                mapped: posted.get(&format!("mapped_{i}")) == Some("1"),
                field,
            });
        }
        let sheet = posted.get("sheet").unwrap_or_default().to_string();
        // Another sheet has other columns: the fields chosen for this one's
        // do not carry over.
        if posted.get("sheet_was").is_some_and(|was| was != sheet) {
            columns.clear();
        }
        Choices {
            title: posted.get("title").unwrap_or_default().trim().to_string(),
            columns,
            replace: posted.get("replace") == Some("yes"),
            sheet,
        }
    }

    /// The `Header=field` pairs for the reader: each column whose field was
    /// changed from what the reader found, or chosen on an earlier round.
    fn mapping(&self) -> Vec<(String, String)> {
        self.columns
            .iter()
            .filter(|c| !c.header.trim().is_empty())
            .filter(|c| FIELD_NAMES.iter().any(|(name, _)| *name == c.field))
            .filter(|c| c.mapped || c.field != c.detected)
            .map(|c| (c.header.clone(), c.field.clone()))
            .collect()
    }
}

/// A file read: the plan and how.
pub(super) struct Read {
    pub imported: Imported,
    pub format: Format,
    pub encoding: Option<Encoding>,
}

/// `plan-2026_v2.csv` → `Plan 2026 v2`.
fn title_from_name(name: &str) -> String {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let words = stem.replace(['-', '_'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => "Action plan".into(),
    }
}

/// Read a draft's bytes as the command line would (`waymark import`, format
/// `auto`), with the mapping.
pub(super) fn read_file(draft: &Draft, choices: &Choices) -> Result<Read, ImportError> {
    let name = draft.file_name.as_str();
    let bytes = draft.bytes.as_slice();
    let mut options = ImportOptions {
        default_title: Some(title_from_name(name)),
        mapping: choices.mapping(),
        sheet: (!choices.sheet.is_empty()).then(|| choices.sheet.clone()),
        ..ImportOptions::default()
    };
    if Format::is_xlsx(Some(name), bytes) {
        return Ok(Read {
            imported: import::import_workbook(bytes, &options)?,
            format: Format::Xlsx,
            encoding: None,
        });
    }
    options.sheet = None;
    let decoded = import::decode(bytes, Encoding::Auto)?;
    let head = decoded.text.get(..64 * 1024).unwrap_or(&decoded.text);
    let format = Format::detect(Some(name), head);
    if format == Format::Json {
        // A JSON document names its fields itself.
        options.mapping.clear();
    }
    let imported = import::import_decoded(&decoded, format, &options)?;
    Ok(Read {
        imported,
        format,
        encoding: Some(decoded.encoding),
    })
}

/// One column as the preview shows it.
pub(super) struct ColumnView {
    pub(super) index: usize,
    pub(super) header: String,
    /// The field the reader found (the select's value when the page was drawn).
    pub(super) detected: String,
    pub(super) mapped: bool,
    pub(super) choices: Vec<Choice>,
}

pub(super) struct WarningView {
    pub(super) place: String,
    pub(super) message: String,
}

pub(super) struct RowView {
    pub(super) reference: String,
    pub(super) title: String,
    pub(super) delivery: String,
    pub(super) status: &'static str,
}

/// What was read, when the file could be read with the mapping.
pub(super) struct Summary {
    pub(super) format: &'static str,
    pub(super) sheet: Option<String>,
    pub(super) encoding: Option<String>,
    pub(super) counts: Vec<(&'static str, String)>,
    pub(super) warnings: Vec<WarningView>,
    pub(super) more_warnings: usize,
    pub(super) rows: Vec<RowView>,
    pub(super) more_rows: usize,
    pub(super) notes: Vec<String>,
    pub(super) more_notes: usize,
}

#[derive(Template)]
#[template(path = "import_preview.html")]
struct PreviewPage {
    layout: Layout,
    csrf: String,
    draft: String,
    file_name: String,
    title: String,
    summary: Option<Summary>,
    columns: Vec<ColumnView>,
    /// A workbook's sheets (a choice when more than one), and the one read.
    sheets: Vec<Choice>,
    sheet: String,
    /// A stored plan has the title: its id.
    existing: Option<i64>,
    replace: bool,
    errors: Vec<FieldError>,
    /// What is wrong with the file, each whole (the summary's are bounded).
    problems: Vec<String>,
}

/// The select's value for a field the reader reports (`RAG` → `rag`;
/// `None`, the notes, → `notes`).
pub(super) fn field_value(field: Option<&str>) -> String {
    field.map_or_else(|| "notes".to_string(), str::to_lowercase)
}

/// The label of a field choice.
fn field_label(name: &str) -> String {
    match name {
        "notes" => "None: keep in the plan's notes".to_string(),
        "rag" => "RAG".to_string(),
        "work package" => "Work package (a title that may start with its number)".to_string(),
        "number" => "Number or reference (3 within its section, or 10.1.3)".to_string(),
        other => {
            let mut c = other.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect(),
                None => String::new(),
            }
        }
    }
}

pub(super) fn column_view(
    index: usize,
    header: String,
    field: &str,
    detected: String,
    mapped: bool,
) -> ColumnView {
    ColumnView {
        index,
        header,
        detected,
        mapped,
        choices: FIELD_NAMES
            .iter()
            .map(|(name, _)| Choice::new(*name, field_label(name), field))
            .collect(),
    }
}

pub(super) fn summary_of(read: &Read) -> Summary {
    let imported = &read.imported;
    let plan = &imported.plan;
    let related_links: usize = plan
        .work_packages()
        .map(|(_, _, wp)| wp.related_items.len())
        .sum();
    let n = |v: usize| thousands(v as u64);
    let counts = vec![
        ("Sections", n(plan.sections.len())),
        ("Work packages", n(plan.work_package_count())),
        (
            "Key influences",
            format!(
                "{} ({} links to packages)",
                n(plan.influences.len()),
                n(plan.influence_link_count())
            ),
        ),
        (
            "Related items",
            format!(
                "{} ({} links to packages)",
                n(plan.related_items.len()),
                n(related_links)
            ),
        ),
        (
            "Programmes",
            format!(
                "{} ({} priority)",
                n(plan.programmes.len()),
                n(plan.programmes.iter().filter(|p| p.priority).count())
            ),
        ),
        ("Dependencies", n(plan.dependencies.len())),
        ("Warnings", n(imported.diagnostics.len())),
    ];
    let warnings = imported
        .diagnostics
        .iter()
        .take(WARNINGS_SHOWN)
        .map(|d| WarningView {
            place: match &d.sheet {
                Some(sheet) => format!("Cell {}", cell_name(sheet, d.line, d.column)),
                None if d.column > 0 => format!("Line {}, column {}", d.line, d.column),
                None => format!("Line {}", d.line),
            },
            message: d.message.clone(),
        })
        .collect();
    let rows = plan
        .work_packages()
        .take(PREVIEW_ROWS)
        .map(|(reference, _, wp)| RowView {
            reference: reference.to_string(),
            title: wp.title.clone(),
            delivery: format_delivery(&wp.delivery),
            status: wp.status.label(),
        })
        .collect();
    let note_lines = plan.notes.lines().count();
    Summary {
        format: read.format.as_str(),
        sheet: imported.sheet.clone(),
        encoding: read.encoding.map(|e| e.to_string()),
        counts,
        warnings,
        more_warnings: imported.diagnostics.len().saturating_sub(WARNINGS_SHOWN),
        rows,
        more_rows: plan.work_package_count().saturating_sub(PREVIEW_ROWS),
        notes: plan
            .notes
            .lines()
            .take(NOTE_LINES_SHOWN)
            .map(str::to_string)
            .collect(),
        more_notes: note_lines.saturating_sub(NOTE_LINES_SHOWN),
    }
}

/// The page for a file that could not be read, or is no longer held.
pub(super) fn gone(cx: Cx, updating: Option<Updating>) -> Response {
    render(
        StatusCode::GONE,
        &upload_page(
            cx.csrf,
            String::new(),
            vec![field_error(
                "file",
                "The uploaded file is no longer held (a preview is kept for 30 minutes, and not across a restart): select the file again",
            )],
            updating,
        ),
    )
}

/// What reading a draft with the choices gave, with the store's dry run of
/// the import and whether a plan of the title is stored.
struct Outcome {
    read: Result<Read, ImportError>,
    /// The store's refusal of the plan (a reference twice), when it was read.
    refused: Option<String>,
    existing: Option<i64>,
    title: String,
    /// A workbook's sheets, to choose from.
    sheets: Vec<String>,
}

async fn read_draft(
    cx: &Cx,
    by: waymark_store::Actor,
    draft: Draft,
    choices: &Choices,
) -> Result<Outcome, HtmlError> {
    let choices = choices.clone();
    let given = choices.title.clone();
    let outcome = cx
        .state
        .run(move |s| {
            let sheets = if Format::is_xlsx(Some(&draft.file_name), &draft.bytes) {
                import::workbook_sheets(&draft.bytes).unwrap_or_default()
            } else {
                Vec::new()
            };
            let mut read = read_file(&draft, &choices);
            let mut refused = None;
            let mut existing = None;
            let mut title = given.clone();
            if let Ok(r) = &mut read {
                if given.is_empty() {
                    title = r.imported.plan.title.clone();
                } else {
                    r.imported.plan.title = waymark_core::text::clean(&given).into_owned();
                }
                existing = s.find_plan_by_title(&title)?.map(|id| id.0);
                // Every check the store makes, rolled back (a title already
                // stored is said apart: the form asks about it).
                match s.check_import(&r.imported.plan, OnExisting::Replace, &by) {
                    Ok(()) => {}
                    Err(e @ (StoreError::Conflict { .. } | StoreError::Invalid { .. })) => {
                        refused = Some(store_message(&e));
                    }
                    Err(e) => return Err(e),
                }
            }
            Ok(Outcome {
                read,
                refused,
                existing,
                title,
                sheets,
            })
        })
        .await?;
    Ok(outcome)
}

/// A store refusal as a person reads it.
pub(super) fn store_message(e: &StoreError) -> String {
    match e {
        StoreError::Conflict { message, .. } | StoreError::Invalid { message, .. } => {
            message.clone()
        }
        other => other.to_string(),
    }
}

/// What a preview shows of a file read with `choices`: its summary (when it
/// could be read), its columns with their fields, and the sheet read (else
/// the one asked for). A file that could not be read adds its error.
pub(super) fn read_view(
    read: &Result<Read, ImportError>,
    choices: &Choices,
    errors: &mut Vec<FieldError>,
    problems: &mut Vec<String>,
) -> (Option<Summary>, Vec<ColumnView>, String) {
    let mapping = choices.mapping();
    match read {
        Ok(read) => {
            let columns = read
                .imported
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let value = field_value(c.field);
                    let mapped = mapping
                        .iter()
                        .any(|(h, _)| h.trim().eq_ignore_ascii_case(c.header.trim()));
                    column_view(i, c.header.clone(), &value, value.clone(), mapped)
                })
                .collect();
            let sheet = read.imported.sheet.clone().unwrap_or_default();
            (Some(summary_of(read)), columns, sheet)
        }
        Err(e) => {
            let message = format!("The file could not be read as a plan: {e}");
            errors.push(field_error("file", message.clone()));
            problems.push(message);
            let columns = choices
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    column_view(i, c.header.clone(), &c.field, c.detected.clone(), c.mapped)
                })
                .collect();
            (None, columns, choices.sheet.clone())
        }
    }
}

/// Each problem with the file, whole (the summary's messages are bounded).
pub(super) fn file_problems(errors: &[FieldError]) -> Vec<String> {
    errors
        .iter()
        .filter(|e| e.field == "file")
        .map(|e| e.message.clone())
        .collect()
}

/// A workbook's sheets as the preview's select offers them.
pub(super) fn sheet_choices(sheets: &[String], chosen: &str) -> Vec<Choice> {
    sheets
        .iter()
        .map(|n| Choice::new(n.clone(), n.clone(), chosen))
        .collect()
}

/// A preview page's status and layout: 422 and "Error: " in the title when
/// there are `errors`.
pub(super) fn preview_layout(
    heading: &str,
    errors: &[FieldError],
    notice: Option<String>,
) -> (StatusCode, Layout) {
    let mut layout = Layout::new(heading, None, Section::None);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        layout.title = format!("Error: {}", layout.title);
        StatusCode::UNPROCESSABLE_ENTITY
    };
    layout.notice = notice;
    (status, layout)
}

/// The preview page for a draft read with `choices`; `errors` to show above it.
async fn preview_response(
    cx: Cx,
    can: Can<Import>,
    id: String,
    draft: Draft,
    choices: Choices,
    mut errors: Vec<FieldError>,
    notice: Option<String>,
) -> Result<Response, HtmlError> {
    let file_name = draft.file_name.clone();
    let outcome = read_draft(&cx, can.by.clone(), draft, &choices).await?;
    let mut problems = file_problems(&errors);
    let (summary, columns, sheet) = read_view(&outcome.read, &choices, &mut errors, &mut problems);
    let sheets = sheet_choices(&outcome.sheets, &sheet);
    if let Some(refused) = &outcome.refused {
        let message = format!("The plan cannot be imported: {refused}");
        errors.push(field_error("file", message.clone()));
        problems.push(message);
    }
    let (status, layout) = preview_layout("Check the import", &errors, notice);
    Ok(render(
        status,
        &PreviewPage {
            layout,
            csrf: cx.csrf,
            draft: id,
            file_name,
            title: outcome.title,
            summary,
            columns,
            sheets,
            sheet,
            existing: outcome.existing,
            replace: choices.replace,
            errors,
            problems,
        },
    ))
}

/// `POST /plans/import/preview`: the preview's form. `action` says what its
/// button asked: `preview` (draw it again with the columns' fields as
/// chosen), `import` (store it) or `cancel` (forget the file).
pub async fn preview(can: Can<Import>, cx: Cx, posted: PostedForm) -> Result<Response, HtmlError> {
    let account = account_of(&can)?;
    let id = posted.get("draft").unwrap_or_default().to_string();
    let action = if posted.expired {
        "preview"
    } else {
        posted.get("action").unwrap_or("preview")
    };
    if action == "cancel" {
        cx.state.import_drafts.remove(&id, account);
        return Ok(Redirect::to("/?import=cancelled").into_response());
    }
    let Some(draft) = cx.state.import_drafts.get(&id, account) else {
        return Ok(gone(cx, None));
    };
    let choices = Choices::from_form(&posted);
    let notice = posted.expired.then(|| {
        "The form had expired (the service may have restarted while the page was open), so nothing has been imported. Check the preview below, then import it again.".to_string()
    });
    if action != "import" {
        return preview_response(cx, can, id, draft, choices, Vec::new(), notice).await;
    }
    // Import: read again with the columns as chosen, then store it whole.
    let mut errors = Vec::new();
    if choices.title.is_empty() {
        errors.push(field_error("title", "Enter a title for the plan"));
    } else if let Err(e) = waymark_core::limits::PLAN_TITLE.check(&choices.title) {
        errors.push(field_error("title", e.message));
    }
    if !errors.is_empty() {
        return preview_response(cx, can, id, draft, choices, errors, None).await;
    }
    let read_with = choices.clone();
    let title = waymark_core::text::clean(&choices.title).into_owned();
    let on_existing = if choices.replace {
        OnExisting::Replace
    } else {
        OnExisting::Refuse
    };
    let by = can.by.clone();
    let held = draft.clone();
    let stored = cx
        .state
        .run(move |s| {
            let mut read = match read_file(&held, &read_with) {
                Ok(read) => read,
                Err(e) => return Ok(Err(format!("The file could not be read as a plan: {e}"))),
            };
            read.imported.plan.title = title;
            Ok(match s.import_plan(&read.imported.plan, on_existing, &by) {
                Ok(id) => Ok(id),
                Err(StoreError::Conflict { field: "title", .. }) => Err(String::new()),
                Err(e @ (StoreError::Conflict { .. } | StoreError::Invalid { .. })) => Err(
                    format!("The plan cannot be imported: {}", store_message(&e)),
                ),
                Err(e) => return Err(e),
            })
        })
        .await?;
    match stored {
        Ok(plan) => {
            cx.state.import_drafts.remove(&id, account);
            Ok(Redirect::to(&format!("/plans/{plan}?import=1")).into_response())
        }
        Err(message) if message.is_empty() => {
            let errors = vec![field_error(
                "replace",
                format!(
                    "A plan titled \"{}\" is already stored: give this one another title, or tick \"Replace the stored plan\"",
                    choices.title
                ),
            )];
            preview_response(cx, can, id, draft, choices, errors, None).await
        }
        Err(message) => {
            preview_response(
                cx,
                can,
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
