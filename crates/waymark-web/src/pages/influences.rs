//! The key-influences register, the traceability matrix (packages ×
//! influences), and each influence's packages.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use waymark_core::InfluenceCode;
use waymark_store::{InfluenceRow, PlanId, PlanStore, PlanSummary, Traceability, WorkPackageRow};

use super::csrf::{CsrfForm, PostedForm};
use super::error::{HtmlError, render};
use super::form::{
    Again, Cx, Filled, Reread, confirm, ok_page, posted_version, submit, submit_at, with_plan,
};
use super::plans::{Banner, ListParams, Pager};
use super::view::{Layout, PlanNav, Section, WpRow, count_of, encode};
use crate::AppState;
use crate::access::{Can, EditPlan, Read};
use crate::input::{InfluenceFields, InfluenceMergeFields};

/// Packages per page of the matrix.
const MATRIX_PER_PAGE: u32 = 100;

struct InfluenceView {
    code: String,
    href: String,
    title: String,
    description: String,
    count: u64,
    count_text: String,
}

struct MatrixRow {
    row: WpRow,
    /// One cell per influence, in the register's order: whether the package addresses it.
    cells: Vec<bool>,
}

#[derive(Template)]
#[template(path = "influences.html")]
struct RegisterPage {
    layout: Layout,
    influences: Vec<InfluenceView>,
    unaddressed: Vec<InfluenceView>,
    matrix: Vec<MatrixRow>,
    pager: Pager,
    without_influence: Vec<WpRow>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageParams {
    page: String,
}

pub async fn register(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    params: Result<Query<PageParams>, QueryRejection>,
    flags: Result<Query<Banner>, QueryRejection>,
) -> Result<Response, HtmlError> {
    let page_text = params.map(|Query(p)| p.page).unwrap_or_default();
    let page = match page_text.trim() {
        "" => 1,
        s => s.parse::<u32>().ok().filter(|n| *n >= 1).ok_or_else(|| {
            HtmlError::BadRequest(format!(
                "The page \"{s}\" is not valid: it must be a whole number from 1."
            ))
        })?,
    };
    let plan_id = PlanId(id);
    let (plan, trace): (PlanSummary, Traceability) = state
        .run(move |s| {
            Ok((
                s.plan(plan_id)?,
                s.traceability(plan_id, page, MATRIX_PER_PAGE)?,
            ))
        })
        .await?;
    let influences: Vec<InfluenceView> = trace
        .influences
        .iter()
        .map(|i| InfluenceView {
            code: i.code.to_string(),
            href: format!("/plans/{id}/influences/{}", encode(i.code.as_str())),
            title: i.title.clone(),
            description: i.description.clone(),
            count: i.work_package_count,
            count_text: count_of(i.work_package_count, "work package", "work packages"),
        })
        .collect();
    let matrix = trace
        .packages
        .items
        .iter()
        .zip(&trace.links)
        .map(|(wp, codes)| MatrixRow {
            row: WpRow::from(wp),
            cells: trace
                .influences
                .iter()
                .map(|i| codes.contains(&i.code))
                .collect(),
        })
        .collect();
    let params = ListParams::default();
    let p = &trace.packages;
    let pager = Pager::new(
        &format!("/plans/{id}/influences"),
        &params,
        p.total,
        p.page,
        p.per_page,
        p.items.len(),
    );
    let unaddressed = influences
        .iter()
        .filter(|i| i.count == 0)
        .map(|i| InfluenceView {
            code: i.code.clone(),
            href: i.href.clone(),
            title: i.title.clone(),
            description: i.description.clone(),
            count: 0,
            count_text: i.count_text.clone(),
        })
        .collect();
    let page = RegisterPage {
        layout: Layout::new(
            "Key influences",
            Some(PlanNav::from(&plan)),
            Section::Influences,
        )
        .with_banner(flags.ok().and_then(|Query(b)| b.message())),
        influences,
        unaddressed,
        matrix,
        pager,
        without_influence: trace
            .packages_without_influence
            .iter()
            .map(WpRow::from)
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "influence.html")]
struct InfluencePage {
    layout: Layout,
    csrf: String,
    plan_id: i64,
    code: String,
    /// The code as it goes in a web address.
    code_path: String,
    title: String,
    description: String,
    count_text: String,
    rows: Vec<WpRow>,
    form: Filled<InfluenceFields>,
}

fn parse_code(code: &str) -> Result<InfluenceCode, HtmlError> {
    code.parse().map_err(|_| {
        HtmlError::NotFound(format!(
            "Key influence \"{}\"",
            code.chars().take(40).collect::<String>()
        ))
    })
}

/// The influence's page; `typed`: its form as posted, else as stored.
/// A key influence, the packages that address it, and its plan.
async fn influence_with_plan(
    state: &AppState,
    id: i64,
    code: InfluenceCode,
) -> Result<((InfluenceRow, Vec<WorkPackageRow>), PlanSummary), HtmlError> {
    with_plan(state, move |s| {
        let plan = PlanId(id);
        Ok((s.influence(plan, &code)?, plan))
    })
    .await
}

async fn influence_page(
    cx: Cx,
    id: i64,
    code: InfluenceCode,
    typed: Option<Filled<InfluenceFields>>,
) -> Result<InfluencePage, HtmlError> {
    let Cx { state, csrf } = cx;
    let ((influence, rows), plan) = influence_with_plan(&state, id, code).await?;
    let form = typed
        .unwrap_or_else(|| Filled::new(InfluenceFields::from(&influence)).at(influence.version));
    Ok(InfluencePage {
        layout: form.layout(
            &format!("Key influence {}", influence.code),
            Some(PlanNav::from(&plan)),
            Section::Influences,
        ),
        csrf,
        plan_id: id,
        code: influence.code.to_string(),
        code_path: encode(influence.code.as_str()),
        title: influence.title.clone(),
        description: influence.description.clone(),
        count_text: count_of(
            influence.work_package_count,
            "work package addresses",
            "work packages address",
        ),
        rows: rows.iter().map(WpRow::from).collect(),
        form,
    })
}

pub async fn show(
    _can: Can<Read>,
    Path((id, code)): Path<(i64, String)>,
    cx: Cx,
    flags: Result<Query<Banner>, QueryRejection>,
) -> Result<Response, HtmlError> {
    let code = parse_code(&code)?;
    let mut page = influence_page(cx, id, code, None).await?;
    page.layout.banner = flags.ok().and_then(|Query(b)| b.message());
    Ok(render(StatusCode::OK, &page))
}

/// Name and describe an influence.
pub async fn update(
    Can { by, .. }: Can<EditPlan>,
    Path((id, code)): Path<(i64, String)>,
    cx: Cx,
    posted: PostedForm,
) -> Result<Response, HtmlError> {
    let code = parse_code(&code)?;
    let (plan_id, c) = (PlanId(id), code.clone());
    let again = c.clone();
    let write = move |s: &dyn PlanStore, to: (String, String), expected| {
        let mut to = Some(to);
        s.change_influence(plan_id, &c, expected, &mut |_| to.take(), &by)?;
        Ok(format!(
            "/plans/{id}/influences/{}?saved=1",
            encode(c.as_str())
        ))
    };
    let reread: Reread<InfluenceFields> = Box::new(move |s| {
        let (row, _) = s.influence(plan_id, &again)?;
        Ok((row.version, InfluenceFields::from(&row)))
    });
    submit_at(cx, posted, write, reread, move |cx, form| {
        influence_page(cx, id, code, Some(form))
    })
    .await
}

// ---------------------------------------------------------------- merge and delete

#[derive(Template)]
#[template(path = "influence_merge.html")]
struct MergePage {
    layout: Layout,
    csrf: String,
    plan_id: i64,
    code: String,
    code_path: String,
    count_text: String,
    form: Filled<InfluenceMergeFields>,
}

async fn merge_page(
    cx: Cx,
    id: i64,
    code: InfluenceCode,
    form: Filled<InfluenceMergeFields>,
) -> Result<MergePage, HtmlError> {
    let Cx { state, csrf } = cx;
    let ((influence, _), plan) = influence_with_plan(&state, id, code).await?;
    Ok(MergePage {
        layout: form.layout(
            &format!("Merge key influence {} into another code", influence.code),
            Some(PlanNav::from(&plan)),
            Section::Influences,
        ),
        csrf,
        plan_id: id,
        code: influence.code.to_string(),
        code_path: encode(influence.code.as_str()),
        count_text: count_of(
            influence.work_package_count,
            "work package addresses",
            "work packages address",
        ),
        form,
    })
}

pub async fn merge_form(
    _can: Can<EditPlan>,
    Path((id, code)): Path<(i64, String)>,
    cx: Cx,
) -> Result<Response, HtmlError> {
    let code = parse_code(&code)?;
    let form = Filled::new(InfluenceMergeFields::default());
    ok_page(merge_page(cx, id, code, form)).await
}

/// Merge this code into the one typed: every link moves, the code goes.
pub async fn merge(
    Can { by, .. }: Can<EditPlan>,
    Path((id, code)): Path<(i64, String)>,
    cx: Cx,
    posted: PostedForm,
) -> Result<Response, HtmlError> {
    let code = parse_code(&code)?;
    let (plan_id, from) = (PlanId(id), code.clone());
    let write = move |s: &dyn PlanStore, into: InfluenceCode| {
        s.merge_influence(plan_id, &from, &into, &by)?;
        Ok(format!(
            "/plans/{id}/influences/{}?register=merged",
            encode(into.as_str())
        ))
    };
    submit(cx, posted, write, move |cx, form| {
        merge_page(cx, id, code, form)
    })
    .await
}

#[derive(Template)]
#[template(path = "influence_delete.html")]
struct DeletePage {
    layout: Layout,
    csrf: String,
    plan_id: i64,
    code: String,
    code_path: String,
    /// Why it cannot be deleted, while packages address it.
    refusal: Option<String>,
    /// The version the page shows, which the delete must still find.
    version: i64,
}

async fn delete_page(
    cx: Cx,
    id: i64,
    code: InfluenceCode,
    again: Option<Again>,
) -> Result<DeletePage, HtmlError> {
    let (refusal, changed) = match again {
        Some(Again::Refused(why)) => (Some(why), None),
        Some(Again::Changed(notice)) => (None, Some(notice)),
        None => (None, None),
    };
    let Cx { state, csrf } = cx;
    let ((influence, _), plan) = influence_with_plan(&state, id, code).await?;
    let refusal = refusal.or_else(|| {
        (influence.work_package_count > 0).then(|| {
            format!(
                "{} it. Remove it from them, or merge it into another code.",
                count_of(
                    influence.work_package_count,
                    "work package addresses",
                    "work packages address",
                )
            )
        })
    });
    let heading = if refusal.is_some() {
        format!("You cannot delete key influence {} yet", influence.code)
    } else {
        format!("Delete key influence {}", influence.code)
    };
    let mut layout = Layout::new(&heading, Some(PlanNav::from(&plan)), Section::Influences);
    layout.notice = changed;
    Ok(DeletePage {
        layout,
        csrf,
        plan_id: id,
        code: influence.code.to_string(),
        code_path: encode(influence.code.as_str()),
        refusal,
        version: influence.version.0,
    })
}

pub async fn delete_form(
    _can: Can<EditPlan>,
    Path((id, code)): Path<(i64, String)>,
    cx: Cx,
) -> Result<Response, HtmlError> {
    let code = parse_code(&code)?;
    ok_page(delete_page(cx, id, code, None)).await
}

pub async fn delete(
    Can { by, .. }: Can<EditPlan>,
    Path((id, code)): Path<(i64, String)>,
    cx: Cx,
    form: CsrfForm,
) -> Result<Response, HtmlError> {
    let code = parse_code(&code)?;
    let (plan_id, c) = (PlanId(id), code.clone());
    let expected = posted_version(&form);
    let write = move |s: &dyn PlanStore| {
        s.delete_influence(plan_id, &c, expected, &by)?;
        Ok(format!("/plans/{id}/influences?register=influence-deleted"))
    };
    confirm(cx, write, move |cx, why| {
        delete_page(cx, id, code, Some(why))
    })
    .await
}
