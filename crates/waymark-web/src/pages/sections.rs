//! A plan's sections: add, rename, move up or down, and delete an empty one.
//! Package references follow a section's number and place.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use waymark_store::{PlanId, SectionId, SectionRow};

use super::csrf::{CsrfForm, CsrfToken};
use super::error::{HtmlError, render};
use super::plans::Banner;
use super::view::{Layout, PlanNav, Section, count_of};
use crate::AppState;
use crate::actor::Who;
use crate::error::{ApiError, FieldError};
use crate::input::section_fields;

/// Store refusals a person can act on become field errors; others are pages.
fn field_errors(e: ApiError) -> Result<Vec<FieldError>, HtmlError> {
    match e {
        ApiError::Conflict(e) => Ok(vec![e]),
        ApiError::Validation(es) => Ok(es),
        other => Err(other.into()),
    }
}

struct SectionView {
    id: i64,
    label: String,
    count_text: String,
    first: bool,
    last: bool,
}

/// The number and title fields as typed.
#[derive(Debug, Clone, Default)]
struct SectionForm {
    number: String,
    title: String,
}

impl SectionForm {
    fn from_post(form: &CsrfForm) -> Self {
        SectionForm {
            number: form.get("number").unwrap_or("").trim().to_string(),
            title: form.get("title").unwrap_or("").trim().to_string(),
        }
    }

    fn from_row(s: &SectionRow) -> Self {
        SectionForm {
            number: s.number.clone().unwrap_or_default(),
            title: s.title.clone().unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "sections.html")]
struct SectionsPage {
    layout: Layout,
    csrf: String,
    plan_id: i64,
    sections: Vec<SectionView>,
    form: SectionForm,
    errors: Vec<FieldError>,
}

impl SectionsPage {
    fn error(&self, field: &str) -> Option<&str> {
        crate::error::message_for(&self.errors, field)
    }
}

async fn sections_page(
    state: &AppState,
    id: i64,
    csrf: String,
    form: SectionForm,
    errors: Vec<FieldError>,
) -> Result<SectionsPage, HtmlError> {
    let plan_id = PlanId(id);
    let (plan, rows) = state
        .run(move |s| Ok((s.plan(plan_id)?, s.sections(plan_id)?)))
        .await?;
    let heading = if errors.is_empty() {
        "Sections"
    } else {
        "Error: Sections"
    };
    let n = rows.len();
    Ok(SectionsPage {
        layout: Layout::new(heading, Some(PlanNav::from(&plan)), Section::None),
        csrf,
        plan_id: id,
        sections: rows
            .iter()
            .enumerate()
            .map(|(i, s)| SectionView {
                id: s.id.0,
                label: s.label.clone(),
                count_text: count_of(s.work_package_count, "work package", "work packages"),
                first: i == 0,
                last: i + 1 == n,
            })
            .collect(),
        form,
        errors,
    })
}

pub async fn list(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfToken(csrf): CsrfToken,
    flags: Result<Query<Banner>, QueryRejection>,
) -> Result<Response, HtmlError> {
    let mut page = sections_page(&state, id, csrf, SectionForm::default(), Vec::new()).await?;
    page.layout.banner = flags.ok().and_then(|Query(b)| b.message());
    Ok(render(StatusCode::OK, &page))
}

/// POST on the sections page: add a section at the end.
pub async fn create(
    State(state): State<AppState>,
    Who(by): Who,
    Path(id): Path<i64>,
    CsrfToken(csrf): CsrfToken,
    form: CsrfForm,
) -> Result<Response, HtmlError> {
    let typed = SectionForm::from_post(&form);
    let errors = match section_fields(&typed.number, &typed.title) {
        Ok((number, title)) => {
            let plan_id = PlanId(id);
            match state
                .run(move |s| s.create_section(plan_id, number, title, &by))
                .await
            {
                Ok(_) => {
                    return Ok(Redirect::to(&format!(
                        "/plans/{id}/sections?register=section-added"
                    ))
                    .into_response());
                }
                Err(e) => field_errors(e)?,
            }
        }
        Err(errors) => errors,
    };
    let page = sections_page(&state, id, csrf, typed, errors).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

// ---------------------------------------------------------------- rename

#[derive(Template)]
#[template(path = "section_form.html")]
struct EditPage {
    layout: Layout,
    csrf: String,
    id: i64,
    plan_id: i64,
    label: String,
    form: SectionForm,
    errors: Vec<FieldError>,
}

impl EditPage {
    fn error(&self, field: &str) -> Option<&str> {
        crate::error::message_for(&self.errors, field)
    }
}

async fn edit_page(
    state: &AppState,
    id: i64,
    csrf: String,
    typed: Option<SectionForm>,
    errors: Vec<FieldError>,
) -> Result<EditPage, HtmlError> {
    let sid = SectionId(id);
    let (row, plan) = state
        .run(move |s| {
            let row = s.section(sid)?;
            let plan = s.plan(row.plan_id)?;
            Ok((row, plan))
        })
        .await?;
    let heading = if errors.is_empty() {
        format!("Change section {}", row.label)
    } else {
        format!("Error: Change section {}", row.label)
    };
    Ok(EditPage {
        layout: Layout::new(&heading, Some(PlanNav::from(&plan)), Section::None),
        csrf,
        id,
        plan_id: plan.id.0,
        label: row.label.clone(),
        form: typed.unwrap_or_else(|| SectionForm::from_row(&row)),
        errors,
    })
}

pub async fn edit_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, HtmlError> {
    let page = edit_page(&state, id, csrf, None, Vec::new()).await?;
    Ok(render(StatusCode::OK, &page))
}

pub async fn update(
    State(state): State<AppState>,
    Who(by): Who,
    Path(id): Path<i64>,
    CsrfToken(csrf): CsrfToken,
    form: CsrfForm,
) -> Result<Response, HtmlError> {
    let typed = SectionForm::from_post(&form);
    let errors = match section_fields(&typed.number, &typed.title) {
        Ok((number, title)) => {
            let sid = SectionId(id);
            match state
                .run(move |s| {
                    s.update_section(sid, number, title, None, &by)?;
                    Ok(s.section(sid)?.plan_id)
                })
                .await
            {
                Ok(plan) => {
                    return Ok(Redirect::to(&format!(
                        "/plans/{plan}/sections?register=section-saved"
                    ))
                    .into_response());
                }
                Err(e) => field_errors(e)?,
            }
        }
        Err(errors) => errors,
    };
    let page = edit_page(&state, id, csrf, Some(typed), errors).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

// ---------------------------------------------------------------- move

/// POST from a "Move up" or "Move down" button.
pub async fn move_section(
    State(state): State<AppState>,
    Who(by): Who,
    Path(id): Path<i64>,
    form: CsrfForm,
) -> Result<Response, HtmlError> {
    let up = match form.get("direction") {
        Some("up") => true,
        Some("down") => false,
        _ => {
            return Err(HtmlError::BadRequest(
                "Choose to move the section up or down.".into(),
            ));
        }
    };
    let sid = SectionId(id);
    let plan = state
        .run(move |s| {
            let row = s.section(sid)?;
            let count = s.sections(row.plan_id)?.len() as i64;
            let to = if up {
                row.position - 1
            } else {
                row.position + 1
            };
            // Already first or last: nothing to do.
            if (0..count).contains(&to) {
                s.move_section(sid, to as usize, &by)?;
            }
            Ok(row.plan_id)
        })
        .await?;
    Ok(Redirect::to(&format!(
        "/plans/{plan}/sections?register=section-moved#section-{id}"
    ))
    .into_response())
}

// ---------------------------------------------------------------- delete

#[derive(Template)]
#[template(path = "section_delete.html")]
struct DeletePage {
    layout: Layout,
    csrf: String,
    id: i64,
    plan_id: i64,
    label: String,
    /// Why it cannot be deleted, when it holds packages.
    refusal: Option<String>,
}

async fn delete_page(
    state: &AppState,
    id: i64,
    csrf: String,
    refusal: Option<String>,
) -> Result<DeletePage, HtmlError> {
    let sid = SectionId(id);
    let (row, plan) = state
        .run(move |s| {
            let row = s.section(sid)?;
            let plan = s.plan(row.plan_id)?;
            Ok((row, plan))
        })
        .await?;
    let refusal = refusal.or_else(|| {
        (row.work_package_count > 0).then(|| {
            format!(
                "Section {} holds {}. Move them to another section or delete them first.",
                row.label,
                count_of(row.work_package_count, "work package", "work packages")
            )
        })
    });
    let heading = if refusal.is_some() {
        format!("You cannot delete section {} yet", row.label)
    } else {
        format!("Delete section {}", row.label)
    };
    Ok(DeletePage {
        layout: Layout::new(&heading, Some(PlanNav::from(&plan)), Section::None),
        csrf,
        id,
        plan_id: plan.id.0,
        label: row.label,
        refusal,
    })
}

pub async fn delete_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, HtmlError> {
    let page = delete_page(&state, id, csrf, None).await?;
    Ok(render(StatusCode::OK, &page))
}

pub async fn delete(
    State(state): State<AppState>,
    Who(by): Who,
    Path(id): Path<i64>,
    CsrfToken(csrf): CsrfToken,
    _form: CsrfForm,
) -> Result<Response, HtmlError> {
    let sid = SectionId(id);
    let result = state
        .run(move |s| {
            let plan = s.section(sid)?.plan_id;
            s.delete_section(sid, &by)?;
            Ok(plan)
        })
        .await;
    match result {
        Ok(plan) => Ok(
            Redirect::to(&format!("/plans/{plan}/sections?register=section-deleted"))
                .into_response(),
        ),
        Err(ApiError::Conflict(e)) => {
            let page = delete_page(&state, id, csrf, Some(capitalise(&e.message))).await?;
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(other) => Err(other.into()),
    }
}

/// The store's messages start in lower case; a page shows them as sentences.
pub fn capitalise(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    crate::error::capitalise(s) + "."
}
