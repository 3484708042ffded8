//! A work package: its page, the edit and create form, delete with
//! confirmation, and adding and removing dependencies.

use std::collections::HashMap;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use waymark_core::{InfluenceCode, Rag, Status};
use waymark_store::{
    DependencyId, PlanId, PlanSummary, ProgrammeRow, SectionRow, WorkPackageDetail, WorkPackageId,
    WorkPackageQuery,
};

use super::csrf::{CsrfForm, CsrfToken};
use super::error::{HtmlError, render};
use super::plans::{Banner, paragraphs};
use super::view::{Choice, Layout, PlanNav, Section, WpRow, encode};
use crate::AppState;
use crate::actor::Who;
use crate::error::{ApiError, FieldError};
use crate::input::{WORK_PACKAGE_TEXT_FIELDS, WorkPackageFields};

/// Up to this many packages in a plan, the predecessor is chosen from a select.
const DEPENDENCY_SELECT_MAX: u64 = 500;

fn banner(q: Result<Query<Banner>, QueryRejection>) -> Option<String> {
    q.ok().and_then(|Query(b)| b.message())
}

// ---------------------------------------------------------------- the package page

struct DeliveryPart {
    label: String,
    quarter: String,
}

struct LinkItem {
    href: String,
    text: String,
    note: String,
}

struct DependencyView {
    dependency_id: i64,
    row: WpRow,
}

#[derive(Template)]
#[template(path = "work_package.html")]
struct PackagePage {
    layout: Layout,
    csrf: String,
    id: i64,
    plan_id: i64,
    reference: String,
    heading: String,
    section_label: String,
    number: String,
    scope: Vec<String>,
    relationships: String,
    delivery: Vec<DeliveryPart>,
    comments: Vec<String>,
    influences: Vec<LinkItem>,
    related_items: Vec<LinkItem>,
    /// Whether the related items were listed by hand (else read from the text).
    related_items_manual: bool,
    programmes: Vec<LinkItem>,
    owner: String,
    status_value: &'static str,
    status_label: &'static str,
    rag_value: &'static str,
    rag_label: &'static str,
    progress: u8,
    actual_delivery: String,
    depends_on: Vec<DependencyView>,
    needed_by: Vec<DependencyView>,
    /// `None`: the plan is too big for a select; a reference text box instead.
    candidates: Option<Vec<Choice>>,
    dependency_error: Option<String>,
    predecessor: String,
}

impl PackagePage {
    fn new(
        detail: &WorkPackageDetail,
        plan: &PlanSummary,
        candidates: Option<Vec<Choice>>,
        influence_titles: &HashMap<InfluenceCode, String>,
        csrf: String,
    ) -> Self {
        let row = &detail.row;
        let plan_id = plan.id.0;
        let heading = format!("{} {}", row.reference, row.title);
        PackagePage {
            layout: Layout::new(&heading, Some(PlanNav::from(plan)), Section::None),
            csrf,
            id: row.id.0,
            plan_id,
            reference: row.reference.clone(),
            heading: row.title.clone(),
            section_label: detail.section_label.clone(),
            number: row.number.clone(),
            scope: paragraphs(&detail.scope),
            relationships: detail.relationships.clone(),
            delivery: row
                .delivery
                .iter()
                .map(|d| DeliveryPart {
                    label: d
                        .label
                        .as_ref()
                        .map(|l| format!("{l})"))
                        .unwrap_or_default(),
                    quarter: d.quarter.to_string(),
                })
                .collect(),
            comments: paragraphs(&detail.comments),
            influences: detail
                .influences
                .iter()
                .map(|c| LinkItem {
                    href: format!("/plans/{plan_id}/influences/{}", encode(c.as_str())),
                    text: c.to_string(),
                    note: influence_titles.get(c).cloned().unwrap_or_default(),
                })
                .collect(),
            related_items: detail
                .related_items
                .iter()
                .map(|r| LinkItem {
                    href: format!("/related-items/{}", r.id),
                    text: r.name.clone(),
                    note: r.kind.label().into(),
                })
                .collect(),
            related_items_manual: detail.related_items_manual,
            programmes: detail
                .programmes
                .iter()
                .map(|g| LinkItem {
                    href: format!("/plans/{plan_id}/priorities#programme-{}", g.id),
                    text: g.name.clone(),
                    note: if g.priority {
                        "Priority".into()
                    } else {
                        String::new()
                    },
                })
                .collect(),
            owner: row.owner.clone(),
            status_value: row.status.as_str(),
            status_label: row.status.label(),
            rag_value: row.rag.map_or("none", |r| r.as_str()),
            rag_label: row.rag.map_or("Not set", |r| r.label()),
            progress: row.progress.get(),
            actual_delivery: detail
                .actual_delivery
                .map(|d| d.to_string())
                .unwrap_or_default(),
            depends_on: detail
                .depends_on
                .iter()
                .map(|l| DependencyView {
                    dependency_id: l.dependency_id.0,
                    row: WpRow::from(&l.work_package),
                })
                .collect(),
            needed_by: detail
                .dependents
                .iter()
                .map(|l| DependencyView {
                    dependency_id: l.dependency_id.0,
                    row: WpRow::from(&l.work_package),
                })
                .collect(),
            candidates,
            dependency_error: None,
            predecessor: String::new(),
        }
    }
}

/// The package, its plan, and the packages that could be its predecessor when
/// the plan is small enough to list them.
/// A package, its plan, the packages it may come to depend on, and the titles
/// of the key influences it addresses.
type LoadedPackage = (
    WorkPackageDetail,
    PlanSummary,
    Option<Vec<Choice>>,
    HashMap<InfluenceCode, String>,
);

async fn load_package(state: &AppState, id: i64) -> Result<LoadedPackage, HtmlError> {
    let wp = WorkPackageId(id);
    let loaded = state
        .run(move |s| {
            let detail = s.work_package(wp)?;
            let plan = s.plan(detail.row.plan_id)?;
            // Each code with its title, so the page says what the package addresses.
            let titles: HashMap<InfluenceCode, String> = if detail.influences.is_empty() {
                HashMap::new()
            } else {
                s.influences(plan.id)?
                    .into_iter()
                    .filter(|i| detail.influences.contains(&i.code))
                    .map(|i| (i.code, i.title))
                    .collect()
            };
            let candidates = if plan.work_package_count <= DEPENDENCY_SELECT_MAX {
                let query = WorkPackageQuery {
                    page: 1,
                    per_page: DEPENDENCY_SELECT_MAX as u32,
                    ..Default::default()
                };
                Some(s.list_work_packages(plan.id, &query)?.items)
            } else {
                None
            };
            Ok((detail, plan, candidates, titles))
        })
        .await?;
    let (detail, plan, rows, titles) = loaded;
    let taken: Vec<WorkPackageId> = detail
        .depends_on
        .iter()
        .map(|l| l.work_package.id)
        .collect();
    let candidates = rows.map(|rows| {
        rows.iter()
            .filter(|r| r.id != detail.row.id && !taken.contains(&r.id))
            .map(|r| {
                Choice::new(
                    r.id.0.to_string(),
                    format!("{} {}", r.reference, r.title),
                    "",
                )
            })
            .collect()
    });
    Ok((detail, plan, candidates, titles))
}

pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfToken(csrf): CsrfToken,
    flags: Result<Query<Banner>, QueryRejection>,
) -> Result<Response, HtmlError> {
    let (detail, plan, candidates, titles) = load_package(&state, id).await?;
    let mut page = PackagePage::new(&detail, &plan, candidates, &titles, csrf);
    page.layout.banner = banner(flags);
    Ok(render(StatusCode::OK, &page))
}

// ---------------------------------------------------------------- dependencies

pub async fn add_dependency(
    State(state): State<AppState>,
    Who(by): Who,
    Path(id): Path<i64>,
    CsrfToken(csrf): CsrfToken,
    form: CsrfForm,
) -> Result<Response, HtmlError> {
    let successor = WorkPackageId(id);
    let chosen_id = form.get("predecessor_id").unwrap_or("").trim().to_string();
    let typed = form.get("predecessor").unwrap_or("").trim().to_string();
    let (chosen, typed_for_store) = (chosen_id.clone(), typed.clone());
    let outcome = state
        .run(move |s| {
            let detail = s.work_package(successor)?;
            let predecessor = if !chosen.is_empty() {
                chosen.parse::<i64>().ok().map(WorkPackageId)
            } else if !typed_for_store.is_empty() {
                find_by_reference(s, detail.row.plan_id, &typed_for_store)?
            } else {
                None
            };
            match predecessor {
                Some(p) => Ok(Some(s.add_dependency(p, successor, &by))),
                None => Ok(None),
            }
        })
        .await?;
    let message = match outcome {
        Some(Ok(_)) => {
            return Ok(Redirect::to(&format!("/work-packages/{id}?saved=1")).into_response());
        }
        Some(Err(e)) => match ApiError::from(e) {
            ApiError::Validation(errors) => errors
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join("; "),
            ApiError::Conflict(e) => e.message,
            ApiError::NotFound(what) => {
                format!("{what} was not found; choose a work package of this plan")
            }
            other => return Err(other.into()),
        },
        None if chosen_id.is_empty() && typed.is_empty() => {
            "Choose the work package this one depends on".to_string()
        }
        None => format!(
            "There is no work package {typed} in this plan; enter a reference such as 10.2.1"
        ),
    };
    let (detail, plan, candidates, titles) = load_package(&state, id).await?;
    let mut page = PackagePage::new(&detail, &plan, candidates, &titles, csrf);
    page.dependency_error = Some(crate::error::capitalise(&message));
    page.predecessor = typed;
    if let Some(choices) = page.candidates.as_mut() {
        for c in choices.iter_mut() {
            c.selected = c.value == chosen_id;
        }
    }
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// The package of a plan with exactly this reference (`10.2.1`, `#6.1`). The
/// section is found from the reference's prefix, then the package number is
/// searched within it.
fn find_by_reference(
    s: &dyn waymark_store::PlanStore,
    plan: PlanId,
    reference: &str,
) -> waymark_store::Result<Option<WorkPackageId>> {
    let reference = reference.trim().trim_end_matches('.');
    let sections = s.sections(plan)?;
    for section in &sections {
        let prefix = match &section.number {
            Some(n) => format!("{n}."),
            None => format!("#{}.", section.position + 1),
        };
        let Some(number) = reference.strip_prefix(&prefix) else {
            continue;
        };
        let query = WorkPackageQuery {
            section: Some(section.id),
            text: number.parse().ok(),
            page: 1,
            per_page: 500,
            ..Default::default()
        };
        if let Some(row) = s
            .list_work_packages(plan, &query)?
            .items
            .into_iter()
            .find(|r| r.reference == reference)
        {
            return Ok(Some(row.id));
        }
    }
    Ok(None)
}

pub async fn remove_dependency(
    State(state): State<AppState>,
    Who(by): Who,
    Path((id, dependency)): Path<(i64, i64)>,
    _form: CsrfForm,
) -> Result<Response, HtmlError> {
    let wp = WorkPackageId(id);
    state
        .run(move |s| {
            let detail = s.work_package(wp)?;
            let ours = detail
                .depends_on
                .iter()
                .chain(&detail.dependents)
                .any(|l| l.dependency_id.0 == dependency);
            if !ours {
                return Err(waymark_store::StoreError::NotFound { what: "dependency" });
            }
            s.delete_dependency(DependencyId(dependency), &by)
        })
        .await?;
    Ok(Redirect::to(&format!("/work-packages/{id}?saved=1")).into_response())
}

// ---------------------------------------------------------------- edit and create

/// The form's fields as the person typed them.
#[derive(Debug, Clone, Default)]
struct FormValues {
    section_id: String,
    number: String,
    title: String,
    scope: String,
    relationships: String,
    delivery: String,
    comments: String,
    influences: String,
    related_items: String,
    /// `true` when the related items are set by hand.
    related_items_manual: bool,
    owner: String,
    rag: String,
    progress: String,
    actual_delivery: String,
}

impl From<&WorkPackageFields> for FormValues {
    fn from(f: &WorkPackageFields) -> Self {
        let v = |o: &Option<String>| o.clone().unwrap_or_default();
        FormValues {
            section_id: v(&f.section_id),
            number: v(&f.number),
            title: v(&f.title),
            scope: v(&f.scope),
            relationships: v(&f.relationships),
            delivery: v(&f.delivery),
            comments: v(&f.comments),
            influences: v(&f.influences),
            related_items: v(&f.related_items),
            related_items_manual: f.related_items_manual.as_deref() == Some("true"),
            owner: v(&f.owner),
            rag: v(&f.rag),
            progress: v(&f.progress),
            actual_delivery: v(&f.actual_delivery),
        }
    }
}

/// Where a field's error goes in the error summary: form order, which is the
/// order of [`WORK_PACKAGE_TEXT_FIELDS`] with the programmes' checkboxes after
/// the related items.
fn form_position(field: &str) -> usize {
    let at = |name: &str| {
        WORK_PACKAGE_TEXT_FIELDS
            .iter()
            .position(|f| *f == name)
            .map_or(usize::MAX, |i| i * 2)
    };
    match field {
        "programmes" => at("related_items").saturating_add(1),
        other => at(other),
    }
}

#[derive(Template)]
#[template(path = "work_package_form.html")]
struct FormPage {
    layout: Layout,
    csrf: String,
    heading: String,
    caption: String,
    action: String,
    cancel_href: String,
    submit_label: &'static str,
    number_hint: &'static str,
    values: FormValues,
    sections: Vec<Choice>,
    statuses: Vec<Choice>,
    rags: Vec<Choice>,
    programmes: Vec<Choice>,
    errors: Vec<FieldError>,
}

impl FormPage {
    /// The message for a field, if it is wrong.
    fn error(&self, field: &str) -> Option<&str> {
        crate::error::message_for(&self.errors, field)
    }
}

struct FormContext {
    plan: PlanSummary,
    sections: Vec<SectionRow>,
    programmes: Vec<ProgrammeRow>,
}

async fn form_context(state: &AppState, plan: PlanId) -> Result<FormContext, HtmlError> {
    let (plan, sections, programmes) = state
        .run(move |s| Ok((s.plan(plan)?, s.sections(plan)?, s.programmes(plan)?)))
        .await?;
    Ok(FormContext {
        plan,
        sections,
        programmes,
    })
}

struct FormSpec {
    heading: String,
    caption: String,
    action: String,
    cancel_href: String,
    submit_label: &'static str,
    number_hint: &'static str,
}

fn form_page(
    ctx: &FormContext,
    spec: FormSpec,
    fields: &WorkPackageFields,
    chosen_programmes: &[i64],
    mut errors: Vec<FieldError>,
    csrf: String,
) -> FormPage {
    let values = FormValues::from(fields);
    let status = fields.status.clone().unwrap_or_default();
    let status = if status.is_empty() {
        Status::NotStarted.as_str().to_string()
    } else {
        status
    };
    let mut rags = vec![Choice::new("", "Not set", &values.rag)];
    rags.extend(
        Rag::ALL
            .iter()
            .map(|r| Choice::new(r.as_str(), r.label(), &values.rag)),
    );
    errors.sort_by_key(|e| form_position(&e.field));
    let title = if errors.is_empty() {
        spec.heading.clone()
    } else {
        format!("Error: {}", spec.heading)
    };
    FormPage {
        layout: Layout::new(&title, Some(PlanNav::from(&ctx.plan)), Section::None),
        csrf,
        heading: spec.heading,
        caption: spec.caption,
        action: spec.action,
        cancel_href: spec.cancel_href,
        submit_label: spec.submit_label,
        number_hint: spec.number_hint,
        sections: ctx
            .sections
            .iter()
            .map(|s| Choice::new(s.id.0.to_string(), s.label.clone(), &values.section_id))
            .collect(),
        statuses: Status::ALL
            .iter()
            .map(|s| Choice::new(s.as_str(), s.label(), &status))
            .collect(),
        rags,
        programmes: ctx
            .programmes
            .iter()
            .map(|g| Choice {
                value: g.id.0.to_string(),
                label: if g.priority {
                    format!("{} (priority)", g.name)
                } else {
                    g.name.clone()
                },
                selected: chosen_programmes.contains(&g.id.0),
            })
            .collect(),
        values,
        errors,
    }
}

/// The posted form as fields, and the programme ids ticked. A programme that is
/// not one of the plan's is an error.
fn posted_fields(
    form: &CsrfForm,
    ctx: &FormContext,
) -> (WorkPackageFields, Vec<i64>, Vec<FieldError>) {
    let mut errors = Vec::new();
    let mut programmes = Vec::new();
    for v in form.all("programmes") {
        match v.parse::<i64>() {
            Ok(id) if ctx.programmes.iter().any(|g| g.id.0 == id) => programmes.push(id),
            _ => errors.push(FieldError::new(
                "programmes",
                "Choose programmes from the list",
            )),
        }
    }
    errors.dedup();
    let mut fields = WorkPackageFields {
        programmes: Some(programmes.clone()),
        ..Default::default()
    };
    for name in WORK_PACKAGE_TEXT_FIELDS {
        if let Some(slot) = fields.slot(name) {
            *slot = form.text(name);
        }
    }
    // Read from the relationships text unless the person chose to list them.
    fields.related_items = match form.get("related_items_manual") {
        Some("true") => Some(form.text("related_items").unwrap_or_default()),
        Some(_) => None,
        None => form.text("related_items").filter(|t| !t.trim().is_empty()),
    };
    (fields, programmes, errors)
}

/// Store refusals that belong beside a field (a clashing number, say).
fn field_errors(e: ApiError) -> Result<Vec<FieldError>, HtmlError> {
    match e {
        ApiError::Validation(errors) => Ok(errors),
        ApiError::Conflict(e) => Ok(vec![e]),
        other => Err(other.into()),
    }
}

fn edit_spec(detail: &WorkPackageDetail) -> FormSpec {
    let id = detail.row.id.0;
    FormSpec {
        heading: format!("Edit {} {}", detail.row.reference, detail.row.title),
        caption: detail.section_label.clone(),
        action: format!("/work-packages/{id}/edit"),
        cancel_href: format!("/work-packages/{id}"),
        submit_label: "Save changes",
        number_hint: "For example, 3",
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, HtmlError> {
    let wp = WorkPackageId(id);
    let detail = state.run(move |s| s.work_package(wp)).await?;
    let ctx = form_context(&state, detail.row.plan_id).await?;
    let mut fields = WorkPackageFields::from_detail(&detail);
    // Show the names read from the text too, as a start for listing them by hand.
    fields.related_items.get_or_insert_with(|| {
        detail
            .related_items
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    });
    let chosen: Vec<i64> = detail.programmes.iter().map(|g| g.id.0).collect();
    let page = form_page(&ctx, edit_spec(&detail), &fields, &chosen, Vec::new(), csrf);
    Ok(render(StatusCode::OK, &page))
}

pub async fn update(
    State(state): State<AppState>,
    Who(by): Who,
    Path(id): Path<i64>,
    CsrfToken(csrf): CsrfToken,
    form: CsrfForm,
) -> Result<Response, HtmlError> {
    let wp = WorkPackageId(id);
    let detail = state.run(move |s| s.work_package(wp)).await?;
    let ctx = form_context(&state, detail.row.plan_id).await?;
    let (fields, chosen, mut errors) = posted_fields(&form, &ctx);
    match fields.validate() {
        Ok(input) if errors.is_empty() => {
            match state
                .run(move |s| s.update_work_package(wp, &input, &by))
                .await
            {
                Ok(()) => {
                    return Ok(
                        Redirect::to(&format!("/work-packages/{id}?saved=1")).into_response()
                    );
                }
                Err(e) => errors.extend(field_errors(e)?),
            }
        }
        Ok(_) => {}
        Err(mut field_errors) => errors.append(&mut field_errors),
    }
    let page = form_page(&ctx, edit_spec(&detail), &fields, &chosen, errors, csrf);
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

fn new_spec(plan: &PlanSummary) -> FormSpec {
    FormSpec {
        heading: "Add a work package".into(),
        caption: plan.title.clone(),
        action: format!("/plans/{}/work-packages/new", plan.id),
        cancel_href: format!("/plans/{}", plan.id),
        submit_label: "Add work package",
        number_hint: "For example, 3. Leave blank for the next number in the section",
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewParams {
    section: String,
}

pub async fn new_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfToken(csrf): CsrfToken,
    params: Result<Query<NewParams>, QueryRejection>,
) -> Result<Response, HtmlError> {
    let ctx = form_context(&state, PlanId(id)).await?;
    let section = params
        .ok()
        .map(|Query(p)| p.section)
        .filter(|s| !s.is_empty());
    let fields = WorkPackageFields {
        section_id: section.or_else(|| ctx.sections.first().map(|s| s.id.0.to_string())),
        status: Some(Status::NotStarted.as_str().into()),
        progress: Some("0".into()),
        ..Default::default()
    };
    let page = form_page(&ctx, new_spec(&ctx.plan), &fields, &[], Vec::new(), csrf);
    Ok(render(StatusCode::OK, &page))
}

pub async fn create(
    State(state): State<AppState>,
    Who(by): Who,
    Path(id): Path<i64>,
    CsrfToken(csrf): CsrfToken,
    form: CsrfForm,
) -> Result<Response, HtmlError> {
    let plan = PlanId(id);
    let ctx = form_context(&state, plan).await?;
    let (fields, chosen, mut errors) = posted_fields(&form, &ctx);
    match fields.validate_new() {
        Ok(input) if errors.is_empty() => match state
            .run(move |s| s.create_work_package(plan, &input, &by))
            .await
        {
            Ok(new_id) => {
                return Ok(
                    Redirect::to(&format!("/work-packages/{new_id}?created=1")).into_response()
                );
            }
            Err(e) => errors.extend(field_errors(e)?),
        },
        Ok(_) => {}
        Err(mut field_errors) => errors.append(&mut field_errors),
    }
    let page = form_page(&ctx, new_spec(&ctx.plan), &fields, &chosen, errors, csrf);
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

// ---------------------------------------------------------------- delete

#[derive(Template)]
#[template(path = "work_package_delete.html")]
struct DeletePage {
    layout: Layout,
    csrf: String,
    id: i64,
    reference: String,
    title: String,
    dependency_count: usize,
}

pub async fn delete_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, HtmlError> {
    let wp = WorkPackageId(id);
    let (detail, plan) = state
        .run(move |s| {
            let d = s.work_package(wp)?;
            let p = s.plan(d.row.plan_id)?;
            Ok((d, p))
        })
        .await?;
    let heading = format!("Delete {} {}", detail.row.reference, detail.row.title);
    let page = DeletePage {
        layout: Layout::new(&heading, Some(PlanNav::from(&plan)), Section::None),
        csrf,
        id,
        reference: detail.row.reference.clone(),
        title: detail.row.title.clone(),
        dependency_count: detail.depends_on.len() + detail.dependents.len(),
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn delete(
    State(state): State<AppState>,
    Who(by): Who,
    Path(id): Path<i64>,
    _form: CsrfForm,
) -> Result<Response, HtmlError> {
    let wp = WorkPackageId(id);
    let (plan, reference) = state
        .run(move |s| {
            let d = s.work_package(wp)?;
            s.delete_work_package(wp, &by)?;
            Ok((d.row.plan_id, d.row.reference))
        })
        .await?;
    Ok(Redirect::to(&format!("/plans/{plan}?deleted={}", encode(&reference))).into_response())
}

#[cfg(test)]
mod order_tests {
    use super::form_position;

    #[test]
    fn errors_follow_the_form() {
        let mut fields = [
            "actual_delivery",
            "programmes",
            "title",
            "owner",
            "related_items",
            "x",
        ];
        fields.sort_by_key(|f| form_position(f));
        assert_eq!(
            fields,
            [
                "title",
                "related_items",
                "programmes",
                "owner",
                "actual_delivery",
                "x"
            ]
        );
    }
}
