//! Progress notes and the progress report. A package's page lists its notes
//! ([`PackageNote`], newest first) with an "Add a progress note" form that
//! posts to `/work-packages/{id}/progress-notes/new`, whose own page shows
//! the form again with its errors. The report (`/plans/{id}/reports/progress`)
//! is the committee's: a small form (since a date or a baseline, the plan or
//! a programme) and the report itself, laid out to print on A4.

use askama::Template;
use axum::extract::Path;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use waymark_core::report::{ProgressReport, rag_label};
use waymark_core::{Date, Rag};
use waymark_store::{PlanId, PlanStore, PlanSummary, ProgressNoteRow, WorkPackageId};

use super::csrf::PostedForm;
use super::decisions::long_date;
use super::error::{HtmlError, render};
use super::form::{Cx, Filled, submit};
use super::plans::paragraphs;
use super::view::{Choice, Layout, PlanNav, Section};
use crate::access::{AddProgressNote, Can, Read};
use crate::error::{ApiError, FieldError};
use crate::input::{ProgressNoteFields, ReportQuery};

/// A RAG's class suffix (`rag--red`; `none`).
fn rag_value(rag: Option<Rag>) -> &'static str {
    rag.map_or("none", Rag::as_str)
}

/// A note as the package's page lists it.
pub struct PackageNote {
    pub date_machine: String,
    pub date: String,
    pub rag_value: &'static str,
    pub rag_label: &'static str,
    pub has_rag: bool,
    pub text: Vec<String>,
    pub author: String,
}

impl From<&ProgressNoteRow> for PackageNote {
    fn from(n: &ProgressNoteRow) -> Self {
        PackageNote {
            date_machine: n.date.to_string(),
            date: long_date(n.date),
            rag_value: rag_value(n.rag),
            rag_label: rag_label(n.rag),
            has_rag: n.rag.is_some(),
            text: paragraphs(&n.text),
            author: n.author.clone(),
        }
    }
}

/// A package's notes, newest first, as its page lists them.
pub async fn of_package(
    state: &crate::AppState,
    id: WorkPackageId,
) -> Result<Vec<PackageNote>, HtmlError> {
    let rows = state.run(move |s| s.progress_notes(id)).await?;
    Ok(rows.iter().map(PackageNote::from).collect())
}

/// The RAG choices of a note's form.
pub fn rag_choices(chosen: &str) -> Vec<Choice> {
    let mut out = vec![Choice {
        value: "none".into(),
        label: "No RAG (keep the package's)".into(),
        selected: chosen.is_empty() || chosen == "none",
    }];
    out.extend(Rag::ALL.iter().map(|r| Choice {
        value: r.as_str().into(),
        label: rag_label(Some(*r)).into(),
        selected: chosen == r.as_str(),
    }));
    out
}

// ---------------------------------------------------------------- add a note

#[derive(Template)]
#[template(path = "progress_note_form.html")]
struct NoteFormPage {
    layout: Layout,
    csrf: String,
    id: i64,
    reference: String,
    title: String,
    rags: Vec<Choice>,
    form: Filled<ProgressNoteFields>,
}

/// The package a note is added to: its page's names, and its plan's.
struct Package {
    id: i64,
    reference: String,
    title: String,
    owner: String,
    plan: PlanSummary,
}

fn package(s: &dyn PlanStore, id: WorkPackageId) -> waymark_store::Result<Package> {
    let d = s.work_package(id)?;
    let plan = s.plan(d.row.plan_id)?;
    Ok(Package {
        id: id.0,
        reference: d.row.reference.clone(),
        title: d.row.title.clone(),
        owner: d.row.owner.clone(),
        plan,
    })
}

fn note_form_page(p: &Package, form: Filled<ProgressNoteFields>, csrf: String) -> NoteFormPage {
    let chosen = form.value("rag").to_string();
    NoteFormPage {
        layout: form.layout(
            "Add a progress note",
            Some(PlanNav::from(&p.plan)),
            Section::None,
        ),
        csrf,
        id: p.id,
        reference: p.reference.clone(),
        title: p.title.clone(),
        rags: rag_choices(&chosen),
        form,
    }
}

/// A new note's fields: today's date.
pub fn new_note_fields() -> ProgressNoteFields {
    ProgressNoteFields {
        date: Some(crate::uk_time::today().to_string()),
        ..Default::default()
    }
}

pub async fn new_form(
    can: Can<AddProgressNote>,
    Path(id): Path<i64>,
    cx: Cx,
) -> Result<Response, HtmlError> {
    let Cx { state, csrf } = cx;
    let p = state.run(move |s| package(s, WorkPackageId(id))).await?;
    if !can.may_add_note(&p.owner, state.access.anonymous_read) {
        return Err(HtmlError::NotAllowed(
            waymark_core::access::Refusal::NotOwner.to_string(),
        ));
    }
    let page = note_form_page(&p, Filled::new(new_note_fields()), csrf);
    Ok(render(StatusCode::OK, &page))
}

pub async fn create(
    Can { by, .. }: Can<AddProgressNote>,
    Path(id): Path<i64>,
    cx: Cx,
    posted: PostedForm,
) -> Result<Response, HtmlError> {
    let wp = WorkPackageId(id);
    let p = cx.state.run(move |s| package(s, wp)).await?;
    let write = move |s: &dyn PlanStore, input| {
        s.add_progress_note(wp, &input, &by)?;
        Ok(format!("/work-packages/{id}?noted=1#progress-notes"))
    };
    let page = move |cx: Cx, form| std::future::ready(Ok(note_form_page(&p, form, cx.csrf)));
    submit(cx, posted, write, page).await
}

// ---------------------------------------------------------------- the report

#[derive(Template)]
#[template(path = "progress_report.html")]
struct ReportPage {
    layout: Layout,
    plan_id: i64,
    plan_title: String,
    heading: String,
    errors: Vec<FieldError>,
    since: String,
    baselines: Vec<Choice>,
    programmes: Vec<Choice>,
    report: Option<ReportView>,
}

impl ReportPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// A line of a report's package table.
struct PackageView {
    reference: String,
    title: String,
    status_value: String,
    status_label: String,
    rag_value: &'static str,
    rag_label: &'static str,
    delivery: String,
    owner: String,
}

impl From<&waymark_core::report::ReportPackage> for PackageView {
    fn from(p: &waymark_core::report::ReportPackage) -> Self {
        PackageView {
            reference: p.reference.clone(),
            title: p.title.clone(),
            status_value: p.status.clone(),
            status_label: p.status_label.clone(),
            rag_value: rag_value(p.rag),
            rag_label: rag_label(p.rag),
            delivery: p.delivery.clone(),
            owner: p.owner.clone(),
        }
    }
}

struct CountView {
    label: String,
    value: String,
    count: usize,
}

struct ChangeView {
    reference: String,
    title: String,
    date: String,
}

struct SlipView {
    reference: String,
    title: String,
    then: String,
    now: String,
    words: String,
}

struct ProgressView {
    package: PackageView,
    note: Option<PackageNote>,
    commentary: Vec<String>,
}

struct DecisionView {
    date_machine: String,
    date: String,
    meeting: String,
    text: Vec<String>,
    decided_by: String,
    packages: String,
}

/// The report as the page shows it.
struct ReportView {
    heading: String,
    today: String,
    since: String,
    since_machine: String,
    compared_with: String,
    packages: usize,
    by_status: Vec<CountView>,
    by_rag: Vec<CountView>,
    delivered: Vec<PackageView>,
    slip_known: bool,
    slipped: Vec<SlipView>,
    added: Vec<ChangeView>,
    removed: Vec<ChangeView>,
    due_quarters: String,
    due: Vec<PackageView>,
    progress: Vec<ProgressView>,
    decisions: Vec<DecisionView>,
    risks: Vec<RiskView>,
    issues: Vec<IssueView>,
}

struct RiskView {
    title: String,
    owner: String,
    likelihood: u8,
    impact: u8,
    score: u8,
    mitigation: Vec<String>,
    next_review: String,
}

struct IssueView {
    title: String,
    owner: String,
    severity: String,
    resolution: Vec<String>,
}

fn dated(d: Option<Date>) -> String {
    d.map(long_date).unwrap_or_default()
}

impl From<&ProgressReport> for ReportView {
    fn from(r: &ProgressReport) -> Self {
        let heading = match &r.programme {
            Some(p) => format!("Highlight report: {p}"),
            None => "Progress report".to_string(),
        };
        let counts = |list: &[waymark_core::report::Count]| {
            list.iter()
                .map(|c| CountView {
                    label: c.label.clone(),
                    value: c.key.clone(),
                    count: c.count,
                })
                .collect()
        };
        let change = |c: &waymark_core::report::ChangedLine| ChangeView {
            reference: c.reference.clone(),
            title: c.title.clone(),
            date: dated(c.date),
        };
        ReportView {
            heading,
            today: long_date(r.today),
            since: long_date(r.since),
            since_machine: r.since.to_string(),
            compared_with: r.compared_with.description.clone(),
            packages: r.summary.packages,
            by_status: counts(&r.summary.by_status),
            by_rag: counts(&r.summary.by_rag),
            delivered: r.delivered.iter().map(PackageView::from).collect(),
            slip_known: r.slipped.is_some(),
            slipped: r
                .slipped
                .iter()
                .flatten()
                .map(|s| SlipView {
                    reference: s.reference.clone(),
                    title: s.title.clone(),
                    then: s.delivery_then.clone(),
                    now: s.delivery_now.clone(),
                    words: s.slip_words.clone(),
                })
                .collect(),
            added: r.added.iter().map(change).collect(),
            removed: r.removed.iter().map(change).collect(),
            due_quarters: r.due_next.quarters.join(" and "),
            due: r.due_next.packages.iter().map(PackageView::from).collect(),
            progress: r
                .progress
                .iter()
                .map(|p| ProgressView {
                    package: PackageView::from(&p.package),
                    note: p.latest_note.as_ref().map(|n| PackageNote {
                        date_machine: n.date.to_string(),
                        date: long_date(n.date),
                        rag_value: rag_value(n.rag),
                        rag_label: rag_label(n.rag),
                        has_rag: n.rag.is_some(),
                        text: paragraphs(&n.text),
                        author: n.author.clone(),
                    }),
                    commentary: paragraphs(&p.commentary),
                })
                .collect(),
            decisions: r
                .decisions
                .iter()
                .map(|d| DecisionView {
                    date_machine: d.date.to_string(),
                    date: long_date(d.date),
                    meeting: d.meeting.clone(),
                    text: paragraphs(&d.text),
                    decided_by: d.decided_by.clone(),
                    packages: d.work_packages.join(", "),
                })
                .collect(),
            risks: r
                .raid
                .iter()
                .flat_map(|x| &x.top_risks)
                .map(|k| RiskView {
                    title: k.title.clone(),
                    owner: k.owner.clone(),
                    likelihood: k.likelihood,
                    impact: k.impact,
                    score: k.score,
                    mitigation: paragraphs(&k.mitigation),
                    next_review: dated(k.next_review),
                })
                .collect(),
            issues: r
                .raid
                .iter()
                .flat_map(|x| &x.open_issues)
                .map(|i| IssueView {
                    title: i.title.clone(),
                    owner: i.owner.clone(),
                    severity: i.severity.clone().unwrap_or_default(),
                    resolution: paragraphs(&i.resolution),
                })
                .collect(),
        }
    }
}

pub async fn report(
    _can: Can<Read>,
    Path(id): Path<i64>,
    cx: Cx,
    uri: Uri,
) -> Result<Response, HtmlError> {
    let pairs: Vec<(String, String)> =
        axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&uri)
            .map(|axum::extract::Query(v)| v)
            .unwrap_or_default();
    // Other parameters are left alone here (the API refuses them).
    let mut errors = Vec::new();
    let query = match ReportQuery::read(&pairs) {
        Ok(q) => q,
        Err(e) => {
            errors.extend(e);
            ReportQuery::default()
        }
    };
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let (since_typed, baseline_chosen, programme_chosen) =
        (value("since"), value("baseline"), value("programme"));
    let plan_id = PlanId(id);
    let today = crate::uk_time::today();
    let failed = !errors.is_empty();
    let (plan, baselines, programmes, built) = cx
        .state
        .run(move |s| {
            let plan = s.plan(plan_id)?;
            let baselines = s.baselines(plan_id)?;
            let programmes = s.programmes(plan_id)?;
            let built = if failed {
                None
            } else {
                Some(crate::api::build_report(s, plan_id, &query, today).map_err(ApiError::from))
            };
            Ok((plan, baselines, programmes, built))
        })
        .await?;
    let report = match built {
        None => None,
        Some(Ok(r)) => Some(r),
        Some(Err(ApiError::Validation(more))) => {
            errors.extend(more);
            None
        }
        Some(Err(other)) => return Err(other.into()),
    };
    let view = report.as_ref().map(ReportView::from);
    let heading = view
        .as_ref()
        .map_or("Progress report".to_string(), |v| v.heading.clone());
    let title = if errors.is_empty() {
        heading.clone()
    } else {
        format!("Error: {heading}")
    };
    let layout = Layout::new(&title, Some(PlanNav::from(&plan)), Section::None);
    let since = match (&report, since_typed.is_empty(), baseline_chosen.is_empty()) {
        (_, false, _) => since_typed,
        (Some(r), true, true) => r.since.to_string(),
        _ => String::new(),
    };
    let mut baseline_choices = vec![Choice {
        value: String::new(),
        label: "None: since the date above".into(),
        selected: baseline_chosen.is_empty(),
    }];
    baseline_choices.extend(baselines.iter().map(|b| Choice {
        value: b.id.0.to_string(),
        label: format!(
            "{} ({})",
            b.name,
            crate::uk_time::uk_date(b.taken_at_ms)
                .map(|d| long_date(Date::from_calendar(d)))
                .unwrap_or_default()
        ),
        selected: baseline_chosen == b.id.0.to_string(),
    }));
    let mut programme_choices = vec![Choice {
        value: String::new(),
        label: "The whole plan".into(),
        selected: programme_chosen.is_empty(),
    }];
    programme_choices.extend(programmes.iter().map(|p| Choice {
        value: p.id.0.to_string(),
        label: super::view::programme_label(&p.name, p.priority),
        selected: programme_chosen == p.id.0.to_string(),
    }));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ReportPage {
        layout,
        plan_id: id,
        plan_title: plan.title.clone(),
        heading,
        errors,
        since,
        baselines: baseline_choices,
        programmes: programme_choices,
        report: view,
    };
    Ok(render(status, &page))
}
