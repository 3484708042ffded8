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
    DependencyId, PlanId, PlanStore, PlanSummary, ProgrammeRow, SectionRow, WorkPackageDetail,
    WorkPackageId, WorkPackageQuery,
};

use super::csrf::{CsrfForm, CsrfToken, PostedForm};
use super::error::{HtmlError, render};
use super::form::{Again, Cx, Filled, Reread, confirm, posted_version, save, save_at};
use super::plans::{Banner, paragraphs};
use super::view::{Choice, Layout, PlanNav, Section, WpRow, encode, programme_label};
use crate::AppState;
use crate::access::{Can, EditPlan, EditWorkPackage, Read};
use crate::error::{ApiError, FieldError};
use crate::form::Form;
use crate::input::{WorkPackageFields, carry_delivery_as_written};

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
    dependency_version: i64,
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
    /// The delivery's own words when they say more than its quarters.
    delivery_as_written: String,
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
    /// The latest progress note, in paragraphs.
    progress_note: Vec<String>,
    actual_delivery: String,
    depends_on: Vec<DependencyView>,
    needed_by: Vec<DependencyView>,
    /// `None`: the plan is too big for a select; a reference text box instead.
    candidates: Option<Vec<Choice>>,
    dependency_error: Option<String>,
    predecessor: String,
    /// The package's audit entries, newest first.
    history: Vec<HistoryView>,
    /// The caller may change this package (a contributor who owns it; the
    /// layout says whether they may change the whole plan).
    may_edit: bool,
    /// The decisions that concern it, newest first.
    decisions: Vec<super::decisions::PackageDecision>,
    /// The RAID items that concern it, in the log's order.
    raid_items: Vec<super::raid::PackageRaidItem>,
    /// Its progress notes, newest first.
    notes: Vec<super::progress::PackageNote>,
    /// The caller may add a progress note (a contributor who owns it).
    may_add_note: bool,
    /// The "Add a progress note" form.
    form: super::form::Filled<crate::input::ProgressNoteFields>,
    rags: Vec<Choice>,
}

/// One audit entry as the package page lists it.
struct HistoryView {
    /// When, as a machine reads it (RFC 3339, UTC).
    at_machine: String,
    /// When, as a person in the UK reads it (GMT or BST).
    at: String,
    who: String,
    action: &'static str,
    /// An approver's comment (approving or rejecting), whole.
    comment: Option<String>,
    changes: Vec<ChangeView>,
}

struct ChangeView {
    field: String,
    before: String,
    after: String,
}

impl HistoryView {
    fn from(stored: waymark_core::audit::StoredEntry) -> Self {
        let e = stored.entry.event;
        // A history line, not the field: a long value is cut short.
        let shown = |v: &Option<String>| super::view::audit_value(v.as_deref()).0;
        HistoryView {
            at_machine: e.time_rfc3339().unwrap_or_default(),
            at: crate::uk_time::readable(e.at_ms).unwrap_or_else(|| e.at_ms.to_string()),
            who: e.actor.display.clone(),
            action: match e.action.as_str() {
                "create" => "created it",
                "delete" => "deleted it",
                "import" => "imported it",
                "approve" => "approved it",
                "reject" => "rejected it",
                _ => "changed",
            },
            comment: e
                .changes
                .as_slice()
                .iter()
                .find(|c| c.field.as_str() == "comment")
                .and_then(|c| c.after.clone()),
            changes: e
                .changes
                .as_slice()
                .iter()
                .filter(|c| c.field.as_str() != "comment")
                .map(|c| ChangeView {
                    field: c.field.as_str().replace('_', " "),
                    before: shown(&c.before),
                    after: shown(&c.after),
                })
                .collect(),
        }
    }
}

impl PackagePage {
    fn new(
        detail: &WorkPackageDetail,
        plan: &PlanSummary,
        candidates: Option<Vec<Choice>>,
        influence_titles: &HashMap<InfluenceCode, String>,
        history: Vec<waymark_core::audit::StoredEntry>,
        csrf: String,
    ) -> Self {
        let row = &detail.row;
        let plan_id = plan.id.0;
        let heading = format!("{} {}", row.reference, row.title);
        PackagePage {
            layout: Layout::new(&heading, Some(PlanNav::from(plan)), Section::None),
            may_edit: false,
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
            delivery_as_written: detail.delivery_as_written.clone(),
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
            progress_note: paragraphs(&detail.progress_note),
            actual_delivery: detail
                .actual_delivery
                .map(|d| d.to_string())
                .unwrap_or_default(),
            depends_on: detail
                .depends_on
                .iter()
                .map(|l| DependencyView {
                    dependency_id: l.dependency_id.0,
                    dependency_version: l.dependency_version.0,
                    row: WpRow::from(&l.work_package),
                })
                .collect(),
            needed_by: detail
                .dependents
                .iter()
                .map(|l| DependencyView {
                    dependency_id: l.dependency_id.0,
                    dependency_version: l.dependency_version.0,
                    row: WpRow::from(&l.work_package),
                })
                .collect(),
            candidates,
            dependency_error: None,
            predecessor: String::new(),
            history: history.into_iter().map(HistoryView::from).collect(),
            decisions: Vec::new(),
            raid_items: Vec::new(),
            notes: Vec::new(),
            may_add_note: false,
            form: super::form::Filled::new(super::progress::new_note_fields()),
            rags: super::progress::rag_choices(""),
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
    Vec<waymark_core::audit::StoredEntry>,
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
            let history = s.audit_entries(
                &waymark_store::AuditFilter {
                    entity_kind: Some("work_package".into()),
                    entity_id: Some(wp.to_string()),
                    ..Default::default()
                },
                waymark_core::limits::HISTORY_ENTRIES,
            )?;
            Ok((detail, plan, candidates, titles, history))
        })
        .await?;
    let (detail, plan, rows, titles, history) = loaded;
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
    Ok((detail, plan, candidates, titles, history))
}

pub async fn show(
    can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfToken(csrf): CsrfToken,
    flags: Result<Query<Banner>, QueryRejection>,
) -> Result<Response, HtmlError> {
    let (detail, plan, candidates, titles, history) = load_package(&state, id).await?;
    let mut page = PackagePage::new(&detail, &plan, candidates, &titles, history, csrf);
    page.decisions = super::decisions::of_package(&state, detail.row.id).await?;
    page.raid_items = super::raid::of_package(&state, detail.row.id).await?;
    page.notes = super::progress::of_package(&state, detail.row.id).await?;
    page.may_add_note = can.may_add_note(&detail.row.owner, state.access.anonymous_read);
    page.may_edit = can.identity().decide(
        waymark_core::access::Action::EditWorkPackage,
        state.access.anonymous_read,
        Some(&detail.row.owner),
    ) == waymark_core::access::Decision::Allow;
    page.layout.banner = banner(flags);
    Ok(render(StatusCode::OK, &page))
}

// ---------------------------------------------------------------- dependencies

pub async fn add_dependency(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
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
    let (detail, plan, candidates, titles, history) = load_package(&state, id).await?;
    let mut page = PackagePage::new(&detail, &plan, candidates, &titles, history, csrf);
    page.decisions = super::decisions::of_package(&state, detail.row.id).await?;
    page.raid_items = super::raid::of_package(&state, detail.row.id).await?;
    page.notes = super::progress::of_package(&state, detail.row.id).await?;
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
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path((id, dependency)): Path<(i64, i64)>,
    form: CsrfForm,
) -> Result<Response, HtmlError> {
    let wp = WorkPackageId(id);
    let expected = super::form::posted_version(&form);
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
            s.delete_dependency(DependencyId(dependency), expected, &by)
        })
        .await?;
    Ok(Redirect::to(&format!("/work-packages/{id}?saved=1")).into_response())
}

// ---------------------------------------------------------------- edit and create

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
    sections: Vec<Choice>,
    statuses: Vec<Choice>,
    rags: Vec<Choice>,
    programmes: Vec<Choice>,
    form: Filled<WorkPackageFields>,
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
    /// The stored status of the package edited (`None` for a new one): the
    /// status list offers it and the moves the lifecycle allows from it, or
    /// for a new package the statuses it may start with (rejecting has its
    /// own form, with a comment).
    stored_status: Option<Status>,
}

fn form_page(
    ctx: &FormContext,
    spec: FormSpec,
    form: Filled<WorkPackageFields>,
    csrf: String,
) -> FormPage {
    let status = match form.value("status") {
        "" => Status::Proposed.as_str(),
        s => s,
    };
    let layout = form.layout(&spec.heading, Some(PlanNav::from(&ctx.plan)), Section::None);
    // An edit offers the stored status and the moves the caller may make
    // from it, a new package the statuses it may start with: never rejected
    // (Reject is its own form, with the reason), and what needs `approve`
    // only to approvers. A status posted besides (refused) stays chosen.
    let may = |needs: Option<_>| needs.is_none() || layout.can_approve();
    let offered: Vec<Status> = Status::ALL
        .into_iter()
        .filter(|s| {
            s.as_str() == status
                || match spec.stored_status {
                    None => *s != Status::Rejected && may(waymark_core::lifecycle::on_create(*s)),
                    Some(from) => {
                        *s == from
                            || (*s != Status::Rejected
                                && waymark_core::lifecycle::check(from, *s).is_ok_and(may))
                    }
                }
        })
        .collect();
    let rag = form.value("rag");
    let mut rags = vec![Choice::new("", "Not set", rag)];
    rags.extend(
        Rag::ALL
            .iter()
            .map(|r| Choice::new(r.as_str(), r.label(), rag)),
    );
    let chosen = form.values.programmes.as_deref().unwrap_or(&[]);
    FormPage {
        layout,
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
            .map(|s| {
                Choice::new(
                    s.id.0.to_string(),
                    s.label.clone(),
                    form.value("section_id"),
                )
            })
            .collect(),
        statuses: offered
            .iter()
            .map(|s| Choice::new(s.as_str(), s.label(), status))
            .collect(),
        rags,
        programmes: ctx
            .programmes
            .iter()
            .map(|g| Choice {
                value: g.id.0.to_string(),
                label: programme_label(&g.name, g.priority),
                selected: chosen.contains(&g.id.0),
            })
            .collect(),
        form,
    }
}

/// The posted form as fields, with the programme ids ticked. A programme that
/// is not one of the plan's is an error.
fn posted_fields(posted: PostedForm, ctx: &FormContext) -> Filled<WorkPackageFields> {
    let form = &posted.fields;
    let get = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let mut errors = Vec::new();
    let mut programmes = Vec::new();
    for (_, v) in form.iter().filter(|(k, _)| k == "programmes") {
        match v.parse::<i64>() {
            Ok(id) if ctx.programmes.iter().any(|g| g.id.0 == id) => programmes.push(id),
            _ => errors.push(FieldError::new(
                "programmes",
                "Choose programmes from the list",
            )),
        }
    }
    errors.dedup();
    let mut values = WorkPackageFields::from_pairs(form);
    values.programmes = Some(programmes);
    // Read from the relationships text unless the person chose to list them.
    values.related_items = match get("related_items_manual") {
        Some("true") => Some(get("related_items").unwrap_or_default().to_string()),
        Some(_) => None,
        None => get("related_items")
            .filter(|t| !t.trim().is_empty())
            .map(str::to_string),
    };
    let mut filled = Filled::new(values).opened_from(form);
    filled.errors = errors;
    filled.expired = posted.expired;
    filled
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
        stored_status: Some(detail.row.status),
    }
}

pub async fn edit_form(
    can: Can<EditWorkPackage>,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, HtmlError> {
    let wp = WorkPackageId(id);
    let detail = state.run(move |s| s.work_package(wp)).await?;
    // A contributor may open only the packages they own (the store refuses
    // the others' changes in any case).
    if !can.may_edit_package(&detail.row.owner, state.access.anonymous_read) {
        return Err(HtmlError::NotAllowed(
            waymark_core::access::Refusal::NotOwner.to_string(),
        ));
    }
    let ctx = form_context(&state, detail.row.plan_id).await?;
    let fields = Filled::new(edit_fields(&detail)).at(detail.row.version);
    let page = form_page(&ctx, edit_spec(&detail), fields, csrf);
    Ok(render(StatusCode::OK, &page))
}

/// A package's fields as its edit form shows them.
fn edit_fields(detail: &WorkPackageDetail) -> WorkPackageFields {
    let mut fields = WorkPackageFields::from_detail(detail);
    // Show the names read from the text too, as a start for listing them by hand.
    fields.related_items.get_or_insert_with(|| {
        detail
            .related_items
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    });
    fields
}

pub async fn update(
    Can { by, .. }: Can<EditWorkPackage>,
    Path(id): Path<i64>,
    cx: Cx,
    posted: PostedForm,
) -> Result<Response, HtmlError> {
    let wp = WorkPackageId(id);
    let detail = cx.state.run(move |s| s.work_package(wp)).await?;
    let ctx = form_context(&cx.state, detail.row.plan_id).await?;
    let filled = posted_fields(posted, &ctx);
    let write = move |s: &dyn PlanStore, input, expected| {
        let mut input = Some(input);
        // The form shows the delivery as written but never sets it.
        s.change_work_package(
            wp,
            expected,
            &mut |stored| {
                let mut input = input.take()?;
                carry_delivery_as_written(&mut input, stored);
                Some(input)
            },
            &by,
        )?;
        Ok(format!("/work-packages/{id}?saved=1"))
    };
    let reread: Reread<WorkPackageFields> = Box::new(move |s| {
        let detail = s.work_package(wp)?;
        Ok((detail.row.version, edit_fields(&detail)))
    });
    let spec = edit_spec(&detail);
    let page = move |cx: Cx, form| std::future::ready(Ok(form_page(&ctx, spec, form, cx.csrf)));
    save_at(
        cx,
        filled,
        WorkPackageFields::validate_stored,
        write,
        reread,
        page,
    )
    .await
}

fn new_spec(plan: &PlanSummary) -> FormSpec {
    FormSpec {
        heading: "Add a work package".into(),
        caption: plan.title.clone(),
        action: format!("/plans/{}/work-packages/new", plan.id),
        cancel_href: format!("/plans/{}", plan.id),
        submit_label: "Add work package",
        number_hint: "For example, 3. Leave blank for the next number in the section",
        stored_status: None,
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewParams {
    section: String,
}

pub async fn new_form(
    _can: Can<EditPlan>,
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
        status: Some(Status::Proposed.as_str().into()),
        progress: Some("0".into()),
        ..Default::default()
    };
    let page = form_page(&ctx, new_spec(&ctx.plan), Filled::new(fields), csrf);
    Ok(render(StatusCode::OK, &page))
}

pub async fn create(
    Can { by, .. }: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
    posted: PostedForm,
) -> Result<Response, HtmlError> {
    let plan = PlanId(id);
    let ctx = form_context(&cx.state, plan).await?;
    let filled = posted_fields(posted, &ctx);
    let write = move |s: &dyn PlanStore, input| {
        let new_id = s.create_work_package(plan, &input, &by)?;
        Ok(format!("/work-packages/{new_id}?created=1"))
    };
    let spec = new_spec(&ctx.plan);
    let page = move |cx: Cx, form| std::future::ready(Ok(form_page(&ctx, spec, form, cx.csrf)));
    save(cx, filled, WorkPackageFields::validate, write, page).await
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
    /// The version the page shows, which the delete must still find.
    version: i64,
}

async fn delete_page(cx: Cx, id: i64, again: Option<Again>) -> Result<DeletePage, HtmlError> {
    let Cx { state, csrf } = cx;
    let wp = WorkPackageId(id);
    let (detail, plan) = state
        .run(move |s| {
            let d = s.work_package(wp)?;
            let p = s.plan(d.row.plan_id)?;
            Ok((d, p))
        })
        .await?;
    let heading = format!("Delete {} {}", detail.row.reference, detail.row.title);
    let mut layout = Layout::new(&heading, Some(PlanNav::from(&plan)), Section::None);
    layout.notice = match again {
        Some(Again::Changed(notice) | Again::Refused(notice)) => Some(notice),
        None => None,
    };
    Ok(DeletePage {
        layout,
        csrf,
        id,
        reference: detail.row.reference.clone(),
        title: detail.row.title.clone(),
        dependency_count: detail.depends_on.len() + detail.dependents.len(),
        version: detail.row.version.0,
    })
}

pub async fn delete_form(
    _can: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
) -> Result<Response, HtmlError> {
    super::form::ok_page(delete_page(cx, id, None)).await
}

pub async fn delete(
    Can { by, .. }: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
    form: CsrfForm,
) -> Result<Response, HtmlError> {
    let wp = WorkPackageId(id);
    let expected = posted_version(&form);
    let write = move |s: &dyn PlanStore| {
        let d = s.work_package(wp)?;
        s.delete_work_package(wp, expected, &by)?;
        Ok(format!(
            "/plans/{}?deleted={}",
            d.row.plan_id,
            encode(&d.row.reference)
        ))
    };
    confirm(cx, write, move |cx, why| delete_page(cx, id, Some(why))).await
}
