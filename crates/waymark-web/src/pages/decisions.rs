//! The decision log: a plan's decisions newest first with a search box,
//! recording a decision, changing it at its version, and deleting it after
//! a confirmation. A package's page lists the decisions that concern it
//! ([`PackageDecision`]).

use askama::Template;
use axum::extract::Path;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use waymark_store::{
    DecisionId, DecisionRow, PlanId, PlanStore, PlanSummary, ProgrammeRow, WorkPackageQuery,
    WorkPackageRow,
};

use super::csrf::{CsrfForm, PostedForm};
use super::error::{HtmlError, render};
use super::form::{Again, Cx, Filled, Reread, confirm, ok_page, posted_version, save, save_at};
use super::plans::{paragraphs, read_query};
use super::view::{Choice, Layout, PlanNav, Section, count_of, programme_label};
use crate::access::{Can, EditPlan, Read};
use crate::error::FieldError;
use crate::form::Form;
use crate::input::{DecisionFields, decision_search};

/// A date as people in the UK write it: `14 March 2007`.
pub fn long_date(date: waymark_core::Date) -> String {
    let d = date.get();
    format!("{} {} {}", d.day(), d.month(), d.year())
}

struct Link {
    href: String,
    text: String,
}

/// One decision as the log shows it.
struct DecisionView {
    id: i64,
    /// YYYY-MM-DD, for `<time datetime>`.
    date_machine: String,
    date: String,
    meeting: String,
    text: Vec<String>,
    rationale: Vec<String>,
    decided_by: String,
    packages: Vec<Link>,
    programmes: Vec<Link>,
}

impl From<&DecisionRow> for DecisionView {
    fn from(d: &DecisionRow) -> Self {
        let plan = d.plan_id;
        DecisionView {
            id: d.id.0,
            date_machine: d.date.to_string(),
            date: long_date(d.date),
            meeting: d.meeting.clone(),
            text: paragraphs(&d.text),
            rationale: paragraphs(&d.rationale),
            decided_by: d.decided_by.clone(),
            packages: d
                .work_packages
                .iter()
                .map(|w| Link {
                    href: format!("/work-packages/{}", w.id),
                    text: format!("{} {}", w.reference, w.title),
                })
                .collect(),
            programmes: d
                .programmes
                .iter()
                .map(|p| Link {
                    href: format!("/plans/{plan}/priorities#programme-{}", p.id),
                    text: p.name.clone(),
                })
                .collect(),
        }
    }
}

/// A decision as a package's page lists it.
pub struct PackageDecision {
    pub href: String,
    pub date_machine: String,
    pub date: String,
    pub meeting: String,
    /// The decision's first paragraph.
    pub summary: String,
}

impl From<&DecisionRow> for PackageDecision {
    fn from(d: &DecisionRow) -> Self {
        PackageDecision {
            href: format!("/plans/{}/decisions#decision-{}", d.plan_id, d.id),
            date_machine: d.date.to_string(),
            date: long_date(d.date),
            meeting: d.meeting.clone(),
            summary: paragraphs(&d.text).into_iter().next().unwrap_or_default(),
        }
    }
}

/// The decisions that concern a package, as its page lists them.
pub async fn of_package(
    state: &crate::AppState,
    id: waymark_store::WorkPackageId,
) -> Result<Vec<PackageDecision>, HtmlError> {
    let rows = state.run(move |s| s.package_decisions(id)).await?;
    Ok(rows.iter().map(PackageDecision::from).collect())
}

// ---------------------------------------------------------------- the log

#[derive(Template)]
#[template(path = "decisions.html")]
struct LogPage {
    layout: Layout,
    plan_id: i64,
    q: String,
    errors: Vec<FieldError>,
    count_text: String,
    decisions: Vec<DecisionView>,
}

impl LogPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct LogParams {
    q: String,
    /// What was just done: `recorded`, `saved` or `deleted` (the banner).
    decision: String,
}

pub async fn log(
    _can: Can<Read>,
    Path(id): Path<i64>,
    cx: Cx,
    uri: Uri,
) -> Result<Response, HtmlError> {
    let (params, mut errors): (LogParams, _) = read_query(&uri, &["q"])?;
    let search = if errors.is_empty() {
        decision_search(&[("q".to_string(), params.q.clone())]).unwrap_or_else(|e| {
            errors.extend(e);
            None
        })
    } else {
        None
    };
    let plan_id = PlanId(id);
    let searching = search.is_some();
    let failed = !errors.is_empty();
    let (plan, rows): (PlanSummary, Vec<DecisionRow>) = cx
        .state
        .run(move |s| {
            let plan = s.plan(plan_id)?;
            // A search that cannot be read lists nothing rather than everything.
            let rows = if failed {
                Vec::new()
            } else {
                s.decisions(plan_id, search.as_ref())?
            };
            Ok((plan, rows))
        })
        .await?;
    let n = rows.len() as u64;
    let count_text = match (searching, n) {
        (_, _) if failed => String::new(),
        (true, 0) => "No decision matches the search.".into(),
        (true, _) => format!("{} match the search.", count_of(n, "decision", "decisions")),
        (false, 0) => "No decision has been recorded yet.".into(),
        (false, _) => format!("{}, newest first.", count_of(n, "decision", "decisions")),
    };
    let heading = if failed {
        "Error: Decision log"
    } else {
        "Decision log"
    };
    let mut layout = Layout::new(heading, Some(PlanNav::from(&plan)), Section::None);
    layout.banner = match params.decision.as_str() {
        "recorded" => Some("The decision has been recorded.".into()),
        "saved" => Some("The decision has been changed.".into()),
        "deleted" => Some("The decision has been deleted.".into()),
        _ => None,
    };
    let page = LogPage {
        layout,
        plan_id: id,
        q: params.q,
        errors,
        count_text,
        decisions: rows.iter().map(DecisionView::from).collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

// ---------------------------------------------------------------- record and change

#[derive(Template)]
#[template(path = "decision_form.html")]
struct FormPage {
    layout: Layout,
    csrf: String,
    heading: String,
    action: String,
    cancel_href: String,
    submit_label: &'static str,
    /// The delete link, on a change.
    delete_href: Option<String>,
    packages: Vec<Choice>,
    programmes: Vec<Choice>,
    form: Filled<DecisionFields>,
}

/// What the form offers: the plan, its packages (every one, in plan order)
/// and its programmes.
struct Offered {
    plan: PlanSummary,
    packages: Vec<WorkPackageRow>,
    programmes: Vec<ProgrammeRow>,
}

/// Packages read a page at a time for the form's checkboxes.
const PACKAGES_PER_READ: u32 = 500;

fn offered(s: &dyn PlanStore, plan: PlanId) -> waymark_store::Result<Offered> {
    let summary = s.plan(plan)?;
    let mut packages = Vec::new();
    for page in 1.. {
        let query = WorkPackageQuery {
            page,
            per_page: PACKAGES_PER_READ,
            ..Default::default()
        };
        let items = s.list_work_packages(plan, &query)?.items;
        let last = items.len() < PACKAGES_PER_READ as usize;
        packages.extend(items);
        if last {
            break;
        }
    }
    Ok(Offered {
        plan: summary,
        packages,
        programmes: s.programmes(plan)?,
    })
}

struct Spec {
    heading: String,
    action: String,
    cancel_href: String,
    submit_label: &'static str,
    delete_href: Option<String>,
}

fn form_page(
    offered: &Offered,
    spec: Spec,
    form: Filled<DecisionFields>,
    csrf: String,
) -> FormPage {
    let ticked_packages = form.values.work_package_ids.clone().unwrap_or_default();
    let ticked_programmes = form.values.programme_ids.clone().unwrap_or_default();
    FormPage {
        layout: form.layout(
            &spec.heading,
            Some(PlanNav::from(&offered.plan)),
            Section::None,
        ),
        csrf,
        heading: spec.heading,
        action: spec.action,
        cancel_href: spec.cancel_href,
        submit_label: spec.submit_label,
        delete_href: spec.delete_href,
        packages: offered
            .packages
            .iter()
            .map(|w| Choice {
                value: w.id.0.to_string(),
                label: format!("{} {}", w.reference, w.title),
                selected: ticked_packages.contains(&w.id.0),
            })
            .collect(),
        programmes: offered
            .programmes
            .iter()
            .map(|g| Choice {
                value: g.id.0.to_string(),
                label: programme_label(&g.name, g.priority),
                selected: ticked_programmes.contains(&g.id.0),
            })
            .collect(),
        form,
    }
}

fn new_spec(plan: i64) -> Spec {
    Spec {
        heading: "Record a decision".into(),
        action: format!("/plans/{plan}/decisions/new"),
        cancel_href: format!("/plans/{plan}/decisions"),
        submit_label: "Record decision",
        delete_href: None,
    }
}

fn edit_spec(d: &DecisionRow) -> Spec {
    Spec {
        heading: format!("Change the decision of {}", long_date(d.date)),
        action: format!("/decisions/{}/edit", d.id),
        cancel_href: format!("/plans/{}/decisions#decision-{}", d.plan_id, d.id),
        submit_label: "Save changes",
        delete_href: Some(format!("/decisions/{}/delete", d.id)),
    }
}

/// The posted form: its fields and ticked boxes, with a token that had
/// expired kept (the page comes back to be sent again).
fn posted_fields(posted: PostedForm) -> Filled<DecisionFields> {
    let (values, errors) = DecisionFields::from_posted(&posted.fields);
    let mut filled = Filled::new(values).opened_from(&posted.fields);
    filled.errors = errors;
    filled.expired = posted.expired;
    filled
}

pub async fn new_form(
    _can: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
) -> Result<Response, HtmlError> {
    let Cx { state, csrf } = cx;
    let offered = state.run(move |s| offered(s, PlanId(id))).await?;
    let fields = DecisionFields {
        decided_by: Some("ICT Strategy Group".into()),
        ..Default::default()
    };
    let page = form_page(&offered, new_spec(id), Filled::new(fields), csrf);
    Ok(render(StatusCode::OK, &page))
}

pub async fn create(
    Can { by, .. }: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
    posted: PostedForm,
) -> Result<Response, HtmlError> {
    let plan = PlanId(id);
    let offered = cx.state.run(move |s| offered(s, plan)).await?;
    let filled = posted_fields(posted);
    let write = move |s: &dyn PlanStore, input| {
        let new_id = s.create_decision(plan, &input, &by)?;
        Ok(format!(
            "/plans/{id}/decisions?decision=recorded#decision-{new_id}"
        ))
    };
    let page = move |cx: Cx, form| {
        std::future::ready(Ok(form_page(&offered, new_spec(id), form, cx.csrf)))
    };
    save(cx, filled, DecisionFields::validate, write, page).await
}

pub async fn edit_form(
    _can: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
) -> Result<Response, HtmlError> {
    let Cx { state, csrf } = cx;
    let did = DecisionId(id);
    let (row, offered) = state
        .run(move |s| {
            let row = s.decision(did)?;
            let offered = offered(s, row.plan_id)?;
            Ok((row, offered))
        })
        .await?;
    let form = Filled::new(DecisionFields::from(&row)).at(row.version);
    let page = form_page(&offered, edit_spec(&row), form, csrf);
    Ok(render(StatusCode::OK, &page))
}

pub async fn update(
    Can { by, .. }: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
    posted: PostedForm,
) -> Result<Response, HtmlError> {
    let did = DecisionId(id);
    let (row, offered) = cx
        .state
        .run(move |s| {
            let row = s.decision(did)?;
            let offered = offered(s, row.plan_id)?;
            Ok((row, offered))
        })
        .await?;
    let filled = posted_fields(posted);
    let plan = row.plan_id;
    let write = move |s: &dyn PlanStore, input, expected| {
        let mut input = Some(input);
        s.change_decision(did, expected, &mut |_| input.take(), &by)?;
        Ok(format!(
            "/plans/{plan}/decisions?decision=saved#decision-{id}"
        ))
    };
    let reread: Reread<DecisionFields> = Box::new(move |s| {
        let row = s.decision(did)?;
        Ok((row.version, DecisionFields::from(&row)))
    });
    let spec = edit_spec(&row);
    let page = move |cx: Cx, form| std::future::ready(Ok(form_page(&offered, spec, form, cx.csrf)));
    save_at(cx, filled, DecisionFields::validate, write, reread, page).await
}

// ---------------------------------------------------------------- delete

#[derive(Template)]
#[template(path = "decision_delete.html")]
struct DeletePage {
    layout: Layout,
    csrf: String,
    id: i64,
    decision: DecisionView,
    /// The version the page shows, which the delete must still find.
    version: i64,
}

async fn delete_page(cx: Cx, id: i64, again: Option<Again>) -> Result<DeletePage, HtmlError> {
    let Cx { state, csrf } = cx;
    let did = DecisionId(id);
    let (row, plan) = state
        .run(move |s| {
            let row = s.decision(did)?;
            let plan = s.plan(row.plan_id)?;
            Ok((row, plan))
        })
        .await?;
    let heading = format!("Delete the decision of {}", long_date(row.date));
    let mut layout = Layout::new(&heading, Some(PlanNav::from(&plan)), Section::None);
    layout.notice = match again {
        Some(Again::Changed(notice) | Again::Refused(notice)) => Some(notice),
        None => None,
    };
    Ok(DeletePage {
        layout,
        csrf,
        id,
        decision: DecisionView::from(&row),
        version: row.version.0,
    })
}

pub async fn delete_form(
    _can: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
) -> Result<Response, HtmlError> {
    ok_page(delete_page(cx, id, None)).await
}

pub async fn delete(
    Can { by, .. }: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
    form: CsrfForm,
) -> Result<Response, HtmlError> {
    let did = DecisionId(id);
    let expected = posted_version(&form);
    let write = move |s: &dyn PlanStore| {
        let plan = s.decision(did)?.plan_id;
        s.delete_decision(did, expected, &by)?;
        Ok(format!("/plans/{plan}/decisions?decision=deleted"))
    };
    confirm(cx, write, move |cx, why| delete_page(cx, id, Some(why))).await
}
