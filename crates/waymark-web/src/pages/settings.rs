//! A plan's settings: its title, organisation, period, introduction and how
//! its quarters are counted.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use waymark_core::QuarterConvention;
use waymark_store::{PlanId, PlanInput, PlanSummary};

use super::csrf::{CsrfForm, CsrfToken};
use super::error::{HtmlError, render};
use super::view::{Choice, Layout, PlanNav, Section};
use crate::AppState;
use crate::actor::Who;
use crate::error::{ApiError, FieldError};
use crate::input::plan_errors;

/// The settings form's values, as typed or as stored.
#[derive(Debug, Clone, Default)]
struct SettingsForm {
    title: String,
    organisation: String,
    period: String,
    introduction: String,
    quarter_convention: String,
}

impl From<&PlanSummary> for SettingsForm {
    fn from(p: &PlanSummary) -> Self {
        SettingsForm {
            title: p.title.clone(),
            organisation: p.organisation.clone(),
            period: p.period.clone(),
            introduction: p.introduction.clone(),
            quarter_convention: p.quarter_convention.as_str().to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "plan_settings.html")]
struct SettingsPage {
    layout: Layout,
    csrf: String,
    plan_id: i64,
    form: SettingsForm,
    conventions: Vec<Choice>,
    errors: Vec<FieldError>,
}

impl SettingsPage {
    fn error(&self, field: &str) -> Option<&str> {
        crate::error::message_for(&self.errors, field)
    }
}

async fn settings_page(
    state: &AppState,
    id: i64,
    csrf: String,
    typed: Option<SettingsForm>,
    errors: Vec<FieldError>,
) -> Result<SettingsPage, HtmlError> {
    let plan_id = PlanId(id);
    let plan = state.run(move |s| s.plan(plan_id)).await?;
    let form = typed.unwrap_or_else(|| SettingsForm::from(&plan));
    let heading = if errors.is_empty() {
        "Plan settings"
    } else {
        "Error: Plan settings"
    };
    let conventions = [
        (
            QuarterConvention::Calendar,
            "Calendar quarters (Q1 is January to March)",
        ),
        (
            QuarterConvention::Financial,
            "Financial-year quarters starting in April (Q1 is April to June)",
        ),
    ]
    .iter()
    .map(|(c, label)| Choice::new(c.as_str(), *label, &form.quarter_convention))
    .collect();
    Ok(SettingsPage {
        layout: Layout::new(heading, Some(PlanNav::from(&plan)), Section::None),
        csrf,
        plan_id: id,
        form,
        conventions,
        errors,
    })
}

pub async fn form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, HtmlError> {
    let page = settings_page(&state, id, csrf, None, Vec::new()).await?;
    Ok(render(StatusCode::OK, &page))
}

/// Save the settings with the API's rules: a title is required and no other
/// plan may have it; quarters are calendar or financial.
pub async fn save(
    State(state): State<AppState>,
    Who(by): Who,
    Path(id): Path<i64>,
    CsrfToken(csrf): CsrfToken,
    form: CsrfForm,
) -> Result<Response, HtmlError> {
    let field = |name: &str| form.get(name).unwrap_or("").trim().to_string();
    let typed = SettingsForm {
        title: field("title"),
        organisation: field("organisation"),
        period: field("period"),
        introduction: field("introduction"),
        quarter_convention: field("quarter_convention"),
    };
    let convention = typed.quarter_convention.parse::<QuarterConvention>();
    let input = PlanInput {
        title: typed.title.clone(),
        organisation: typed.organisation.clone(),
        period: typed.period.clone(),
        introduction: typed.introduction.clone(),
        quarter_convention: convention.clone().unwrap_or_default(),
    };
    let mut errors = plan_errors(&input);
    if convention.is_err() {
        errors.push(FieldError::new(
            "quarter_convention",
            "Choose calendar quarters or financial-year quarters",
        ));
    }
    if errors.is_empty() {
        let plan_id = PlanId(id);
        match state
            .run(move |s| s.update_plan(plan_id, &input, &by))
            .await
        {
            Ok(()) => {
                return Ok(Redirect::to(&format!("/plans/{id}?saved=1")).into_response());
            }
            Err(ApiError::Conflict(e)) if e.field == "title" => errors.push(FieldError::new(
                "title",
                "Another plan has this title: enter a different title",
            )),
            Err(ApiError::Conflict(e)) => errors.push(e),
            Err(ApiError::Validation(mut es)) => errors.append(&mut es),
            Err(other) => return Err(other.into()),
        }
    }
    let page = settings_page(&state, id, csrf, Some(typed), errors).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
