//! The key-influences register, the traceability matrix (packages ×
//! influences), and each influence's packages.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use waymark_core::InfluenceCode;
use waymark_store::{PlanId, PlanSummary, Traceability};

use super::csrf::{CsrfForm, CsrfToken};
use super::error::{HtmlError, render};
use super::plans::{Banner, ListParams, Pager};
use super::view::{Layout, PlanNav, Section, WpRow, count_of, encode};
use crate::AppState;
use crate::actor::Who;
use crate::error::{ApiError, FieldError};
use crate::input::influence_errors;

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
    form_title: String,
    form_description: String,
    errors: Vec<FieldError>,
}

impl InfluencePage {
    fn error(&self, field: &str) -> Option<&str> {
        crate::error::message_for(&self.errors, field)
    }
}

fn parse_code(code: &str) -> Result<InfluenceCode, HtmlError> {
    code.parse().map_err(|_| {
        HtmlError::NotFound(format!(
            "Key influence \"{}\"",
            code.chars().take(40).collect::<String>()
        ))
    })
}

async fn influence_page(
    state: &AppState,
    id: i64,
    code: InfluenceCode,
    csrf: String,
    typed: Option<(String, String)>,
    errors: Vec<FieldError>,
) -> Result<InfluencePage, HtmlError> {
    let plan_id = PlanId(id);
    let (plan, (influence, rows)) = state
        .run(move |s| Ok((s.plan(plan_id)?, s.influence(plan_id, &code)?)))
        .await?;
    let heading = if errors.is_empty() {
        format!("Key influence {}", influence.code)
    } else {
        format!("Error: Key influence {}", influence.code)
    };
    let (form_title, form_description) =
        typed.unwrap_or_else(|| (influence.title.clone(), influence.description.clone()));
    Ok(InfluencePage {
        layout: Layout::new(&heading, Some(PlanNav::from(&plan)), Section::Influences),
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
        form_title,
        form_description,
        errors,
    })
}

pub async fn show(
    State(state): State<AppState>,
    Path((id, code)): Path<(i64, String)>,
    CsrfToken(csrf): CsrfToken,
    flags: Result<Query<Banner>, QueryRejection>,
) -> Result<Response, HtmlError> {
    let code = parse_code(&code)?;
    let mut page = influence_page(&state, id, code, csrf, None, Vec::new()).await?;
    page.layout.banner = flags.ok().and_then(|Query(b)| b.message());
    Ok(render(StatusCode::OK, &page))
}

/// Name and describe an influence (the API's rules, `input::influence_errors`).
pub async fn update(
    State(state): State<AppState>,
    Who(by): Who,
    Path((id, code)): Path<(i64, String)>,
    CsrfToken(csrf): CsrfToken,
    form: CsrfForm,
) -> Result<Response, HtmlError> {
    let code = parse_code(&code)?;
    let title = form.get("title").unwrap_or("").trim().to_string();
    let description = form.get("description").unwrap_or("").trim().to_string();
    let mut errors = influence_errors(&title, &description);
    if errors.is_empty() {
        let (plan_id, c, t, d) = (PlanId(id), code.clone(), title.clone(), description.clone());
        match state
            .run(move |s| s.update_influence(plan_id, &c, &t, &d, &by))
            .await
        {
            Ok(()) => {
                return Ok(Redirect::to(&format!(
                    "/plans/{id}/influences/{}?saved=1",
                    encode(code.as_str())
                ))
                .into_response());
            }
            Err(ApiError::Conflict(e)) => errors.push(e),
            Err(ApiError::Validation(mut es)) => errors.append(&mut es),
            Err(other) => return Err(other.into()),
        }
    }
    let page = influence_page(&state, id, code, csrf, Some((title, description)), errors).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
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
    into: String,
    errors: Vec<FieldError>,
}

impl MergePage {
    fn error(&self, field: &str) -> Option<&str> {
        crate::error::message_for(&self.errors, field)
    }
}

async fn merge_page(
    state: &AppState,
    id: i64,
    code: InfluenceCode,
    csrf: String,
    into: String,
    errors: Vec<FieldError>,
) -> Result<MergePage, HtmlError> {
    let plan_id = PlanId(id);
    let (plan, (influence, _)) = state
        .run(move |s| Ok((s.plan(plan_id)?, s.influence(plan_id, &code)?)))
        .await?;
    let heading = format!(
        "{}Merge key influence {} into another code",
        if errors.is_empty() { "" } else { "Error: " },
        influence.code
    );
    Ok(MergePage {
        layout: Layout::new(&heading, Some(PlanNav::from(&plan)), Section::Influences),
        csrf,
        plan_id: id,
        code: influence.code.to_string(),
        code_path: encode(influence.code.as_str()),
        count_text: count_of(
            influence.work_package_count,
            "work package addresses",
            "work packages address",
        ),
        into,
        errors,
    })
}

pub async fn merge_form(
    State(state): State<AppState>,
    Path((id, code)): Path<(i64, String)>,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, HtmlError> {
    let code = parse_code(&code)?;
    let page = merge_page(&state, id, code, csrf, String::new(), Vec::new()).await?;
    Ok(render(StatusCode::OK, &page))
}

/// Merge this code into the one typed: every link moves, the code goes.
pub async fn merge(
    State(state): State<AppState>,
    Who(by): Who,
    Path((id, code)): Path<(i64, String)>,
    CsrfToken(csrf): CsrfToken,
    form: CsrfForm,
) -> Result<Response, HtmlError> {
    let code = parse_code(&code)?;
    let typed = form.get("into").unwrap_or("").trim().to_string();
    let errors = match typed.parse::<InfluenceCode>() {
        Err(_) => vec![FieldError::new(
            "into",
            "Enter the code to merge into, such as 3.1.1",
        )],
        Ok(into) => {
            let (plan_id, from, to) = (PlanId(id), code.clone(), into.clone());
            match state
                .run(move |s| s.merge_influence(plan_id, &from, &to, &by))
                .await
            {
                Ok(()) => {
                    return Ok(Redirect::to(&format!(
                        "/plans/{id}/influences/{}?register=merged",
                        encode(into.as_str())
                    ))
                    .into_response());
                }
                Err(ApiError::Validation(es)) => es,
                Err(ApiError::Conflict(e)) => vec![e],
                Err(other) => return Err(other.into()),
            }
        }
    };
    let page = merge_page(&state, id, code, csrf, typed, errors).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
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
}

async fn delete_page(
    state: &AppState,
    id: i64,
    code: InfluenceCode,
    csrf: String,
    refusal: Option<String>,
) -> Result<DeletePage, HtmlError> {
    let plan_id = PlanId(id);
    let (plan, (influence, _)) = state
        .run(move |s| Ok((s.plan(plan_id)?, s.influence(plan_id, &code)?)))
        .await?;
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
    Ok(DeletePage {
        layout: Layout::new(&heading, Some(PlanNav::from(&plan)), Section::Influences),
        csrf,
        plan_id: id,
        code: influence.code.to_string(),
        code_path: encode(influence.code.as_str()),
        refusal,
    })
}

pub async fn delete_form(
    State(state): State<AppState>,
    Path((id, code)): Path<(i64, String)>,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, HtmlError> {
    let code = parse_code(&code)?;
    let page = delete_page(&state, id, code, csrf, None).await?;
    Ok(render(StatusCode::OK, &page))
}

pub async fn delete(
    State(state): State<AppState>,
    Who(by): Who,
    Path((id, code)): Path<(i64, String)>,
    CsrfToken(csrf): CsrfToken,
    _form: CsrfForm,
) -> Result<Response, HtmlError> {
    let code = parse_code(&code)?;
    let (plan_id, c) = (PlanId(id), code.clone());
    match state
        .run(move |s| s.delete_influence(plan_id, &c, &by))
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/plans/{id}/influences?register=influence-deleted"
        ))
        .into_response()),
        Err(ApiError::Conflict(e)) => {
            let why = super::sections::capitalise(&e.message);
            let page = delete_page(&state, id, code, csrf, Some(why)).await?;
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(other) => Err(other.into()),
    }
}
