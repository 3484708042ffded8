//! Approvals in the browser (`waymark_core::lifecycle`): an approver approves
//! or rejects a proposed work package with a comment (`/work-packages/{id}/
//! approve`, `/reject`), approves a draft plan, which takes a baseline
//! (`/plans/{id}/approve`), and marks an approved plan superseded
//! (`/plans/{id}/supersede`). Each form carries the record's version; a
//! record changed since comes back (409) with what was typed.

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use waymark_core::{PlanStatus, Status};
use waymark_store::{PlanId, PlanStore, PlanSummary, Verdict, WorkPackageDetail, WorkPackageId};

use super::csrf::PostedForm;
use super::error::{HtmlError, render};
use super::form::{Cx, Filled, Reread, submit_at};
use super::view::{Choice, Layout, PlanNav, Section};
use crate::access::{Approve, Can};
use crate::form::Form;
use crate::input::{ApprovalFields, RejectionFields, SupersedeFields};

// ------------------------------------------------------------ a package

/// Approving or rejecting one package: what it is, and the comment.
#[derive(Template)]
#[template(path = "package_decide.html")]
struct PackageDecidePage<F: Form> {
    layout: Layout,
    csrf: String,
    id: i64,
    reference: String,
    title: String,
    status_value: &'static str,
    status_label: &'static str,
    /// `approve` or `reject`: the form's address and wording.
    verb: &'static str,
    /// Whether the package may be decided on now (it is proposed).
    proposed: bool,
    /// The hint under the comment.
    hint: &'static str,
    form: Filled<F>,
}

async fn package_page<F: Form>(
    cx: Cx,
    id: i64,
    verdict: Verdict,
    form: Filled<F>,
) -> Result<PackageDecidePage<F>, HtmlError> {
    let Cx { state, csrf } = cx;
    let wp = WorkPackageId(id);
    let (detail, plan): (WorkPackageDetail, PlanSummary) =
        super::form::with_plan(&state, move |s| {
            let d = s.work_package(wp)?;
            let plan = d.row.plan_id;
            Ok((d, plan))
        })
        .await?;
    let row = &detail.row;
    let (heading, verb, hint) = match verdict {
        Verdict::Approve => (
            format!("Approve {} {}", row.reference, row.title),
            "approve",
            "Optional: the terms of the approval, or the meeting that agreed it. It goes into the package's history.",
        ),
        Verdict::Reject => (
            format!("Reject {} {}", row.reference, row.title),
            "reject",
            "Why the strategy group turns it down. It goes into the package's history.",
        ),
    };
    // A fresh form opens at the package's version; one posted keeps its own.
    let form = if form.version.is_none() {
        form.at(row.version)
    } else {
        form
    };
    Ok(PackageDecidePage {
        layout: form.layout(&heading, Some(PlanNav::from(&plan)), Section::None),
        csrf,
        id,
        reference: row.reference.clone(),
        title: row.title.clone(),
        status_value: row.status.as_str(),
        status_label: row.status.label(),
        verb,
        proposed: row.status == Status::Proposed,
        hint,
        form,
    })
}

/// How a package form reads the package again after a conflict: its
/// version now (a comment is never stored on the package itself).
fn reread_package<F: Form>(id: i64) -> Reread<F> {
    Box::new(move |s: &dyn PlanStore| {
        let d = s.work_package(WorkPackageId(id))?;
        Ok((d.row.version, F::default()))
    })
}

/// GET `/work-packages/{id}/approve`.
pub async fn approve_package_form(
    _can: Can<Approve>,
    Path(id): Path<i64>,
    cx: Cx,
) -> Result<Response, HtmlError> {
    let page = package_page(
        cx,
        id,
        Verdict::Approve,
        Filled::new(ApprovalFields::default()),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// POST `/work-packages/{id}/approve`.
pub async fn approve_package(
    Can { by, .. }: Can<Approve>,
    Path(id): Path<i64>,
    cx: Cx,
    posted: PostedForm,
) -> Result<Response, HtmlError> {
    let write = move |s: &dyn PlanStore, comment: String, expected| {
        s.decide_work_package(WorkPackageId(id), expected, Verdict::Approve, &comment, &by)?;
        Ok(format!("/work-packages/{id}?lifecycle=approved"))
    };
    submit_at(
        cx,
        posted,
        write,
        reread_package::<ApprovalFields>(id),
        move |cx, form| package_page(cx, id, Verdict::Approve, form),
    )
    .await
}

/// GET `/work-packages/{id}/reject`.
pub async fn reject_package_form(
    _can: Can<Approve>,
    Path(id): Path<i64>,
    cx: Cx,
) -> Result<Response, HtmlError> {
    let page = package_page(
        cx,
        id,
        Verdict::Reject,
        Filled::new(RejectionFields::default()),
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// POST `/work-packages/{id}/reject`.
pub async fn reject_package(
    Can { by, .. }: Can<Approve>,
    Path(id): Path<i64>,
    cx: Cx,
    posted: PostedForm,
) -> Result<Response, HtmlError> {
    let write = move |s: &dyn PlanStore, comment: String, expected| {
        s.decide_work_package(WorkPackageId(id), expected, Verdict::Reject, &comment, &by)?;
        Ok(format!("/work-packages/{id}?lifecycle=rejected"))
    };
    submit_at(
        cx,
        posted,
        write,
        reread_package::<RejectionFields>(id),
        move |cx, form| package_page(cx, id, Verdict::Reject, form),
    )
    .await
}

// ------------------------------------------------------------ the plan

/// Approving a draft plan, or marking an approved one superseded.
#[derive(Template)]
#[template(path = "plan_decide.html")]
struct PlanDecidePage<F: Form> {
    layout: Layout,
    csrf: String,
    plan_id: i64,
    title: String,
    status_value: &'static str,
    status_label: &'static str,
    /// `approve` or `supersede`.
    verb: &'static str,
    /// Whether the plan may be approved (or superseded) now.
    allowed: bool,
    /// How many packages approving it would approve.
    proposed: u64,
    /// The other plans, for "superseded by".
    plans: Vec<Choice>,
    form: Filled<F>,
}

async fn plan_page<F: Form>(
    cx: Cx,
    id: i64,
    supersede: bool,
    form: Filled<F>,
) -> Result<PlanDecidePage<F>, HtmlError> {
    let Cx { state, csrf } = cx;
    let plan_id = PlanId(id);
    let (plan, others, proposed) = state
        .run(move |s| {
            let plan = s.plan(plan_id)?;
            let others: Vec<PlanSummary> = s
                .list_plans()?
                .into_iter()
                .filter(|p| p.id != plan_id)
                .collect();
            let query = waymark_store::WorkPackageQuery {
                status: Some(Status::Proposed),
                page: 1,
                per_page: 1,
                ..Default::default()
            };
            let proposed = s.list_work_packages(plan_id, &query)?.total;
            Ok((plan, others, proposed))
        })
        .await?;
    let chosen = form.value("superseded_by").to_string();
    let mut plans = vec![Choice::new("", "Not named", &chosen)];
    plans.extend(
        others
            .iter()
            .map(|p| Choice::new(p.id.0.to_string(), p.title.clone(), &chosen)),
    );
    let (heading, verb, allowed) = if supersede {
        (
            format!("Mark {} superseded", plan.title),
            "supersede",
            plan.status == PlanStatus::Approved,
        )
    } else {
        (
            format!("Approve {}", plan.title),
            "approve",
            plan.status == PlanStatus::Draft,
        )
    };
    let form = if form.version.is_none() {
        form.at(plan.version)
    } else {
        form
    };
    Ok(PlanDecidePage {
        layout: form.layout(&heading, Some(PlanNav::from(&plan)), Section::None),
        csrf,
        plan_id: id,
        title: plan.title.clone(),
        status_value: plan.status.as_str(),
        status_label: plan.status.label(),
        verb,
        allowed,
        proposed,
        plans,
        form,
    })
}

fn reread_plan<F: Form>(id: i64) -> Reread<F> {
    Box::new(move |s: &dyn PlanStore| {
        let p = s.plan(PlanId(id))?;
        Ok((p.version, F::default()))
    })
}

/// GET `/plans/{id}/approve`.
pub async fn approve_plan_form(
    _can: Can<Approve>,
    Path(id): Path<i64>,
    cx: Cx,
) -> Result<Response, HtmlError> {
    let page = plan_page(cx, id, false, Filled::new(ApprovalFields::default())).await?;
    Ok(render(StatusCode::OK, &page))
}

/// POST `/plans/{id}/approve`: approve it, then show the baseline it took.
pub async fn approve_plan(
    Can { by, .. }: Can<Approve>,
    Path(id): Path<i64>,
    cx: Cx,
    posted: PostedForm,
) -> Result<Response, HtmlError> {
    let write = move |s: &dyn PlanStore, comment: String, expected| {
        let approval = s.approve_plan(PlanId(id), expected, &comment, &by)?;
        Ok(format!(
            "/plans/{id}/baselines/{}?baseline=approved",
            approval.baseline
        ))
    };
    submit_at(
        cx,
        posted,
        write,
        reread_plan::<ApprovalFields>(id),
        move |cx, form| plan_page(cx, id, false, form),
    )
    .await
}

/// GET `/plans/{id}/supersede`.
pub async fn supersede_plan_form(
    _can: Can<Approve>,
    Path(id): Path<i64>,
    cx: Cx,
) -> Result<Response, HtmlError> {
    let page = plan_page(cx, id, true, Filled::new(SupersedeFields::default())).await?;
    Ok(render(StatusCode::OK, &page))
}

/// POST `/plans/{id}/supersede`.
pub async fn supersede_plan(
    Can { by, .. }: Can<Approve>,
    Path(id): Path<i64>,
    cx: Cx,
    posted: PostedForm,
) -> Result<Response, HtmlError> {
    let write = move |s: &dyn PlanStore, (other, comment): (Option<PlanId>, String), expected| {
        s.supersede_plan(PlanId(id), expected, other, &comment, &by)?;
        Ok(format!("/plans/{id}?lifecycle=superseded"))
    };
    submit_at(
        cx,
        posted,
        write,
        reread_plan::<SupersedeFields>(id),
        move |cx, form| plan_page(cx, id, true, form),
    )
    .await
}
