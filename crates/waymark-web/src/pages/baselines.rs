//! Baselines: a plan's list of them (and the form an approver takes one
//! with), and the plan now against one — what was added, removed and
//! changed since, and how far each package's delivery slipped.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use waymark_core::access::{Action, Caller, Context, Decision};
use waymark_core::baseline::{self, BaselineComparison};
use waymark_store::{BaselineId, BaselineRow, PlanId, PlanStore, PlanSummary, StoreError};

use super::csrf::PostedForm;
use super::error::{HtmlError, render};
use super::form::{Cx, Filled, submit};
use super::plans::Banner;
use super::view::{Layout, PlanNav, Section, count_of, thousands};
use crate::AppState;
use crate::access::{Approve, Can, Read};
use crate::input::BaselineFields;

/// Whether the signed-in caller may take a baseline (`approve`).
fn may_approve(layout: &Layout) -> bool {
    let Some(role) = layout.who.role else {
        return false;
    };
    let caller = Caller::SignedIn {
        role,
        owner_names: &[],
    };
    let ctx = Context {
        anonymous_read: false,
        package_owner: None,
    };
    waymark_core::access::allows(&caller, Action::Approve, &ctx) == Decision::Allow
}

fn when(at_ms: i64) -> String {
    crate::uk_time::readable(at_ms).unwrap_or_else(|| at_ms.to_string())
}

// ---------------------------------------------------------------- the list

struct BaselineView {
    id: i64,
    name: String,
    taken: String,
    taken_by: String,
    packages: String,
}

impl From<&BaselineRow> for BaselineView {
    fn from(b: &BaselineRow) -> Self {
        BaselineView {
            id: b.id.0,
            name: b.name.clone(),
            taken: when(b.taken_at_ms),
            taken_by: b.taken_by.clone(),
            packages: thousands(b.package_count),
        }
    }
}

#[derive(Template)]
#[template(path = "baselines.html")]
struct BaselinesPage {
    layout: Layout,
    csrf: String,
    plan_id: i64,
    baselines: Vec<BaselineView>,
    may_take: bool,
    form: Filled<BaselineFields>,
}

async fn list_page(
    cx: Cx,
    id: i64,
    form: Filled<BaselineFields>,
) -> Result<BaselinesPage, HtmlError> {
    let Cx { state, csrf } = cx;
    let plan_id = PlanId(id);
    let (plan, rows): (PlanSummary, Vec<BaselineRow>) = state
        .run(move |s| Ok((s.plan(plan_id)?, s.baselines(plan_id)?)))
        .await?;
    let layout = form.layout("Baselines", Some(PlanNav::from(&plan)), Section::None);
    Ok(BaselinesPage {
        may_take: may_approve(&layout),
        layout,
        csrf,
        plan_id: id,
        baselines: rows.iter().map(BaselineView::from).collect(),
        form,
    })
}

/// GET `/plans/{id}/baselines`.
pub async fn list(
    _can: Can<Read>,
    Path(id): Path<i64>,
    cx: Cx,
    flags: Result<Query<Banner>, QueryRejection>,
) -> Result<Response, HtmlError> {
    let mut page = list_page(cx, id, Filled::new(BaselineFields::default())).await?;
    page.layout.banner = flags.ok().and_then(|Query(b)| b.message());
    Ok(render(StatusCode::OK, &page))
}

/// POST `/plans/{id}/baselines`: take a baseline, then show the plan
/// against it (nothing has changed yet).
pub async fn take(
    Can { by, .. }: Can<Approve>,
    Path(id): Path<i64>,
    cx: Cx,
    posted: PostedForm,
) -> Result<Response, HtmlError> {
    let plan_id = PlanId(id);
    let write = move |s: &dyn PlanStore, name: String| {
        let taken = s.take_baseline(plan_id, &name, &by)?;
        Ok(format!("/plans/{id}/baselines/{taken}?baseline=taken"))
    };
    submit(cx, posted, write, move |cx, form| list_page(cx, id, form)).await
}

// ---------------------------------------------------------------- the comparison

struct SlipRow {
    reference: String,
    title: String,
    then: String,
    now: String,
    /// The slip in words, or why there is none.
    slip: String,
    /// `later`, `earlier` or empty: how the row is marked.
    direction: &'static str,
}

struct LineRow {
    reference: String,
    title: String,
}

struct FieldRow {
    field: &'static str,
    then: String,
    now: String,
}

struct ChangedView {
    reference: String,
    title: String,
    fields: Vec<FieldRow>,
}

#[derive(Template)]
#[template(path = "baseline.html")]
struct ComparisonPage {
    layout: Layout,
    plan_id: i64,
    name: String,
    taken: String,
    taken_by: String,
    counts: Vec<(&'static str, String)>,
    slips: Vec<SlipRow>,
    added: Vec<LineRow>,
    removed: Vec<LineRow>,
    changed: Vec<ChangedView>,
    dependencies_added: Vec<(String, String)>,
    dependencies_removed: Vec<(String, String)>,
}

fn shown(text: &str) -> String {
    if text.is_empty() {
        "(none)".to_string()
    } else {
        text.to_string()
    }
}

fn comparison_page(plan: &PlanSummary, row: &BaselineRow, c: BaselineComparison) -> ComparisonPage {
    let counts = vec![
        (
            "Added since",
            count_of(c.added.len() as u64, "work package", "work packages"),
        ),
        (
            "Removed since",
            count_of(c.removed.len() as u64, "work package", "work packages"),
        ),
        (
            "Changed",
            count_of(c.changed.len() as u64, "work package", "work packages"),
        ),
        (
            "Unchanged",
            count_of(c.unchanged as u64, "work package", "work packages"),
        ),
        (
            "Delivering later",
            count_of(c.slipped() as u64, "work package", "work packages"),
        ),
        (
            "Brought forward",
            count_of(c.brought_forward() as u64, "work package", "work packages"),
        ),
    ];
    let slips = c
        .packages
        .iter()
        .map(|p| SlipRow {
            reference: p.reference.to_string(),
            title: p.title.clone(),
            then: shown(&p.delivery_then),
            now: shown(&p.delivery_now),
            slip: p.slip_quarters.map_or_else(
                || "No delivery quarter to compare".to_string(),
                baseline::slip_words,
            ),
            direction: match p.slip_quarters {
                Some(s) if s > 0 => "later",
                Some(s) if s < 0 => "earlier",
                _ => "",
            },
        })
        .collect();
    let line = |p: &waymark_core::update::PackageLine| LineRow {
        reference: p.reference.to_string(),
        title: p.title.clone(),
    };
    let pairs = |v: &[(waymark_core::WorkPackageRef, waymark_core::WorkPackageRef)]| {
        v.iter()
            .map(|(p, s)| (p.to_string(), s.to_string()))
            .collect()
    };
    ComparisonPage {
        layout: Layout::new(
            &format!("The plan against baseline “{}”", row.name),
            Some(PlanNav::from(plan)),
            Section::None,
        ),
        plan_id: plan.id.0,
        name: row.name.clone(),
        taken: when(row.taken_at_ms),
        taken_by: row.taken_by.clone(),
        counts,
        slips,
        added: c.added.iter().map(line).collect(),
        removed: c.removed.iter().map(line).collect(),
        changed: c
            .changed
            .iter()
            .map(|p| ChangedView {
                reference: p.reference.to_string(),
                title: p.title.clone(),
                fields: p
                    .fields
                    .iter()
                    .map(|f| FieldRow {
                        field: f.field,
                        then: shown(&f.before),
                        now: shown(&f.after),
                    })
                    .collect(),
            })
            .collect(),
        dependencies_added: pairs(&c.dependencies_added),
        dependencies_removed: pairs(&c.dependencies_removed),
    }
}

/// GET `/plans/{id}/baselines/{baseline_id}`: the plan now against a baseline.
pub async fn comparison(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path((id, baseline_id)): Path<(i64, i64)>,
    flags: Result<Query<Banner>, QueryRejection>,
) -> Result<Response, HtmlError> {
    let plan_id = PlanId(id);
    let (plan, found, now) = state
        .run(move |s| {
            let plan = s.plan(plan_id)?;
            let found = s.baseline(BaselineId(baseline_id))?;
            if found.row.plan_id != plan_id {
                return Err(StoreError::NotFound { what: "baseline" });
            }
            Ok((plan, found, s.load_plan(plan_id)?))
        })
        .await?;
    let compared = baseline::compare(&found.plan, &now)
        .map_err(|e| HtmlError::Internal(format!("baseline {baseline_id}: {e}")))?;
    let mut page = comparison_page(&plan, &found.row, compared);
    page.layout.banner = flags.ok().and_then(|Query(b)| b.message());
    Ok(render(StatusCode::OK, &page))
}
