//! The key-influences register, the traceability matrix (packages ×
//! influences), and each influence's packages.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use waymark_core::InfluenceCode;
use waymark_store::{PlanId, PlanSummary, Traceability};

use super::error::{HtmlError, render};
use super::plans::{ListParams, Pager};
use super::view::{Layout, PlanNav, Section, WpRow, count_of, encode};
use crate::AppState;

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
    State(state): State<AppState>,
    Path(id): Path<i64>,
    params: Result<Query<PageParams>, QueryRejection>,
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
        ),
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
    plan_id: i64,
    code: String,
    title: String,
    description: String,
    count_text: String,
    rows: Vec<WpRow>,
}

pub async fn show(
    State(state): State<AppState>,
    Path((id, code)): Path<(i64, String)>,
) -> Result<Response, HtmlError> {
    let code: InfluenceCode = code.parse().map_err(|_| {
        HtmlError::NotFound(format!(
            "Key influence \"{}\"",
            code.chars().take(40).collect::<String>()
        ))
    })?;
    let plan_id = PlanId(id);
    let (plan, (influence, rows)) = state
        .run(move |s| Ok((s.plan(plan_id)?, s.influence(plan_id, &code)?)))
        .await?;
    let heading = format!("Key influence {}", influence.code);
    let page = InfluencePage {
        layout: Layout::new(&heading, Some(PlanNav::from(&plan)), Section::Influences),
        plan_id: id,
        code: influence.code.to_string(),
        title: influence.title.clone(),
        description: influence.description.clone(),
        count_text: count_of(
            influence.work_package_count,
            "work package addresses",
            "work packages address",
        ),
        rows: rows.iter().map(WpRow::from).collect(),
    };
    Ok(render(StatusCode::OK, &page))
}
