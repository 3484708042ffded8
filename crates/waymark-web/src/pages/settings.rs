//! A plan's settings: its title, organisation, period, introduction and how
//! its quarters are counted.

use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use waymark_core::QuarterConvention;
use waymark_store::{PlanId, PlanInput, PlanStore};

use super::csrf::PostedForm;
use super::error::HtmlError;
use super::form::{Cx, Filled, Reread, ok_page, submit_at};
use super::view::{Choice, Layout, PlanNav, Section};
use crate::access::{Can, EditPlan};
use crate::input::PlanFields;

#[derive(Template)]
#[template(path = "plan_settings.html")]
struct SettingsPage {
    layout: Layout,
    csrf: String,
    plan_id: i64,
    form: Filled<PlanFields>,
    conventions: Vec<Choice>,
}

/// The settings page; `typed`: its form as posted, else as stored.
async fn settings_page(
    cx: Cx,
    id: i64,
    typed: Option<Filled<PlanFields>>,
) -> Result<SettingsPage, HtmlError> {
    let Cx { state, csrf } = cx;
    let plan_id = PlanId(id);
    let plan = state.run(move |s| s.plan(plan_id)).await?;
    let form = typed.unwrap_or_else(|| Filled::new(PlanFields::from(&plan)).at(plan.version));
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
    .map(|(c, label)| Choice::new(c.as_str(), *label, form.value("quarter_convention")))
    .collect();
    Ok(SettingsPage {
        layout: form.layout("Plan settings", Some(PlanNav::from(&plan)), Section::None),
        csrf,
        plan_id: id,
        form,
        conventions,
    })
}

pub async fn form(_can: Can<EditPlan>, Path(id): Path<i64>, cx: Cx) -> Result<Response, HtmlError> {
    ok_page(settings_page(cx, id, None)).await
}

/// Save the settings with the API's rules: a title is required and no other
/// plan may have it; quarters are calendar or financial.
pub async fn save(
    Can { by, .. }: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
    posted: PostedForm,
) -> Result<Response, HtmlError> {
    let plan_id = PlanId(id);
    let write = move |s: &dyn PlanStore, input: PlanInput, expected| {
        let mut input = Some(input);
        s.change_plan(plan_id, expected, &mut |_| input.take(), &by)?;
        Ok(format!("/plans/{id}?saved=1"))
    };
    let reread: Reread<PlanFields> = Box::new(move |s| {
        let plan = s.plan(plan_id)?;
        Ok((plan.version, PlanFields::from(&plan)))
    });
    submit_at(cx, posted, write, reread, move |cx, form| {
        settings_page(cx, id, Some(form))
    })
    .await
}
