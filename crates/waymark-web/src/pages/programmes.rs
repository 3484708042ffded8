//! A plan's priorities (its programmes and the packages in each), and adding,
//! changing and deleting programmes.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use waymark_core::Status;
use waymark_store::{PlanId, PlanSummary, ProgrammeId, ProgrammeInput, ProgrammeRow};

use super::csrf::{CsrfForm, CsrfToken};
use super::error::{HtmlError, render};
use super::plans::Banner;
use super::view::{Layout, PlanNav, Section, WpRow, count_of, thousands};
use crate::AppState;
use crate::actor::Who;
use crate::error::{ApiError, FieldError};
use crate::input::programme_errors;

/// The store lists at most this many packages of a programme.
const PROGRAMME_LIST_CAP: usize = 1000;

fn programme_count(g: &ProgrammeRow) -> String {
    let n = g.work_packages.len();
    if n >= PROGRAMME_LIST_CAP {
        format!(
            "at least {} work packages; the first {} are listed",
            thousands(n as u64),
            thousands(n as u64)
        )
    } else {
        count_of(n as u64, "work package", "work packages")
    }
}

/// The programme form's values, as typed or as stored.
#[derive(Debug, Clone, Default)]
pub struct ProgrammeForm {
    pub name: String,
    pub priority: bool,
    pub description: String,
}

impl ProgrammeForm {
    fn from_row(g: &ProgrammeRow) -> Self {
        ProgrammeForm {
            name: g.name.clone(),
            priority: g.priority,
            description: g.description.clone(),
        }
    }

    /// Read the posted fields (an unticked checkbox is simply absent).
    fn from_post(form: &CsrfForm) -> Self {
        ProgrammeForm {
            name: form.get("name").unwrap_or("").trim().to_string(),
            priority: form.get("priority").is_some_and(|v| v == "yes"),
            description: form.get("description").unwrap_or("").trim().to_string(),
        }
    }

    /// The API's rules (`input::programme_errors`).
    fn validate(&self) -> Result<ProgrammeInput, Vec<FieldError>> {
        let errors = programme_errors(&self.name, &self.description);
        if errors.is_empty() {
            Ok(ProgrammeInput {
                name: self.name.clone(),
                priority: self.priority,
                description: self.description.clone(),
            })
        } else {
            Err(errors)
        }
    }
}

/// Store errors a person can correct become field errors; others are pages.
fn field_errors(e: ApiError) -> Result<Vec<FieldError>, HtmlError> {
    match e {
        ApiError::Conflict(e) => Ok(vec![e]),
        ApiError::Validation(es) => Ok(es),
        other => Err(other.into()),
    }
}

// ---------------------------------------------------------------- priorities

struct ProgrammeView {
    id: i64,
    name: String,
    description: String,
    summary: String,
    rows: Vec<WpRow>,
}

impl From<&ProgrammeRow> for ProgrammeView {
    fn from(g: &ProgrammeRow) -> Self {
        let delivered = g
            .work_packages
            .iter()
            .filter(|w| w.status == Status::Delivered)
            .count() as u64;
        ProgrammeView {
            id: g.id.0,
            name: g.name.clone(),
            description: g.description.clone(),
            summary: format!(
                "{}; {} of those delivered",
                programme_count(g),
                thousands(delivered)
            ),
            rows: g.work_packages.iter().map(WpRow::from).collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "priorities.html")]
struct PrioritiesPage {
    layout: Layout,
    csrf: String,
    plan_id: i64,
    priorities: Vec<ProgrammeView>,
    others: Vec<ProgrammeView>,
    form: ProgrammeForm,
    errors: Vec<FieldError>,
}

impl PrioritiesPage {
    fn error(&self, field: &str) -> Option<&str> {
        crate::error::message_for(&self.errors, field)
    }
}

async fn priorities_page(
    state: &AppState,
    id: i64,
    csrf: String,
    form: ProgrammeForm,
    errors: Vec<FieldError>,
) -> Result<PrioritiesPage, HtmlError> {
    let plan_id = PlanId(id);
    let (plan, programmes): (PlanSummary, Vec<ProgrammeRow>) = state
        .run(move |s| Ok((s.plan(plan_id)?, s.programmes(plan_id)?)))
        .await?;
    let heading = if errors.is_empty() {
        "Priorities"
    } else {
        "Error: Priorities"
    };
    Ok(PrioritiesPage {
        layout: Layout::new(heading, Some(PlanNav::from(&plan)), Section::Priorities),
        csrf,
        plan_id: id,
        priorities: programmes
            .iter()
            .filter(|g| g.priority)
            .map(ProgrammeView::from)
            .collect(),
        others: programmes
            .iter()
            .filter(|g| !g.priority)
            .map(ProgrammeView::from)
            .collect(),
        form,
        errors,
    })
}

pub async fn priorities(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfToken(csrf): CsrfToken,
    flags: Result<Query<Banner>, QueryRejection>,
) -> Result<Response, HtmlError> {
    let mut page = priorities_page(&state, id, csrf, ProgrammeForm::default(), Vec::new()).await?;
    page.layout.banner = flags.ok().and_then(|Query(b)| b.message());
    Ok(render(StatusCode::OK, &page))
}

/// POST on the priorities page: add a programme to the plan.
pub async fn create(
    State(state): State<AppState>,
    Who(by): Who,
    Path(id): Path<i64>,
    CsrfToken(csrf): CsrfToken,
    form: CsrfForm,
) -> Result<Response, HtmlError> {
    let typed = ProgrammeForm::from_post(&form);
    let errors = match typed.validate() {
        Ok(input) => {
            let plan_id = PlanId(id);
            match state
                .run(move |s| s.create_programme(plan_id, &input, &by))
                .await
            {
                Ok(pid) => {
                    return Ok(Redirect::to(&format!(
                        "/plans/{id}/priorities?programme=1#programme-{pid}"
                    ))
                    .into_response());
                }
                Err(e) => field_errors(e)?,
            }
        }
        Err(errors) => errors,
    };
    let page = priorities_page(&state, id, csrf, typed, errors).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

// ---------------------------------------------------------------- edit

#[derive(Template)]
#[template(path = "programme_form.html")]
struct EditPage {
    layout: Layout,
    csrf: String,
    id: i64,
    plan_id: i64,
    name: String,
    form: ProgrammeForm,
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
    typed: Option<ProgrammeForm>,
    errors: Vec<FieldError>,
) -> Result<EditPage, HtmlError> {
    let pid = ProgrammeId(id);
    let (row, plan) = state
        .run(move |s| {
            let (row, plan_id) = s.programme(pid)?;
            Ok((row, s.plan(plan_id)?))
        })
        .await?;
    let heading = if errors.is_empty() {
        format!("Change {}", row.name)
    } else {
        format!("Error: Change {}", row.name)
    };
    Ok(EditPage {
        layout: Layout::new(&heading, Some(PlanNav::from(&plan)), Section::Priorities),
        csrf,
        id,
        plan_id: plan.id.0,
        name: row.name.clone(),
        form: typed.unwrap_or_else(|| ProgrammeForm::from_row(&row)),
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
    let typed = ProgrammeForm::from_post(&form);
    let errors = match typed.validate() {
        Ok(input) => {
            let pid = ProgrammeId(id);
            match state
                .run(move |s| {
                    s.update_programme(pid, &input, &by)?;
                    Ok(s.programme(pid)?.1)
                })
                .await
            {
                Ok(plan) => {
                    return Ok(Redirect::to(&format!(
                        "/plans/{plan}/priorities?saved=1#programme-{id}"
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

// ---------------------------------------------------------------- delete

#[derive(Template)]
#[template(path = "programme_delete.html")]
struct DeletePage {
    layout: Layout,
    csrf: String,
    id: i64,
    name: String,
    count_text: String,
}

pub async fn delete_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, HtmlError> {
    let pid = ProgrammeId(id);
    let (row, plan) = state
        .run(move |s| {
            let (row, plan_id) = s.programme(pid)?;
            Ok((row, s.plan(plan_id)?))
        })
        .await?;
    let heading = format!("Delete {}", row.name);
    let page = DeletePage {
        layout: Layout::new(&heading, Some(PlanNav::from(&plan)), Section::Priorities),
        csrf,
        id,
        name: row.name.clone(),
        count_text: programme_count(&row),
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn delete(
    State(state): State<AppState>,
    Who(by): Who,
    Path(id): Path<i64>,
    _form: CsrfForm,
) -> Result<Response, HtmlError> {
    let pid = ProgrammeId(id);
    let plan = state
        .run(move |s| {
            let (_, plan) = s.programme(pid)?;
            s.delete_programme(pid, &by)?;
            Ok(plan)
        })
        .await?;
    Ok(Redirect::to(&format!("/plans/{plan}/priorities?programme=deleted")).into_response())
}
