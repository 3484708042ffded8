//! A plan's sections: add, rename, move up or down, and delete an empty one.
//! Package references follow a section's number and place.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use waymark_store::{PlanId, PlanStore, SectionChange, SectionId, SectionMove};

use super::csrf::{CsrfForm, PostedForm};
use super::error::{HtmlError, render};
use super::form::{
    Again, Cx, Filled, Reread, confirm, ok_page, posted_version, submit, submit_at, with_plan,
};
use super::plans::Banner;
use super::view::{Layout, PlanNav, Section, count_of};
use crate::AppState;
use crate::access::{Can, EditPlan, Read};
use crate::input::SectionFields;

struct SectionView {
    id: i64,
    label: String,
    count_text: String,
    first: bool,
    last: bool,
}

#[derive(Template)]
#[template(path = "sections.html")]
struct SectionsPage {
    layout: Layout,
    csrf: String,
    plan_id: i64,
    sections: Vec<SectionView>,
    form: Filled<SectionFields>,
}

async fn sections_page(
    cx: Cx,
    id: i64,
    form: Filled<SectionFields>,
) -> Result<SectionsPage, HtmlError> {
    let Cx { state, csrf } = cx;
    let plan_id = PlanId(id);
    let (plan, rows) = state
        .run(move |s| Ok((s.plan(plan_id)?, s.sections(plan_id)?)))
        .await?;
    let n = rows.len();
    Ok(SectionsPage {
        layout: form.layout("Sections", Some(PlanNav::from(&plan)), Section::None),
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
    })
}

pub async fn list(
    _can: Can<Read>,
    Path(id): Path<i64>,
    cx: Cx,
    flags: Result<Query<Banner>, QueryRejection>,
) -> Result<Response, HtmlError> {
    let form = Filled::new(SectionFields::default());
    let mut page = sections_page(cx, id, form).await?;
    page.layout.banner = flags.ok().and_then(|Query(b)| b.message());
    Ok(render(StatusCode::OK, &page))
}

/// POST on the sections page: add a section at the end.
pub async fn create(
    Can { by, .. }: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
    posted: PostedForm,
) -> Result<Response, HtmlError> {
    let plan_id = PlanId(id);
    let write = move |s: &dyn PlanStore, (number, title)| {
        s.create_section(plan_id, number, title, &by)?;
        Ok(format!("/plans/{id}/sections?register=section-added"))
    };
    submit(cx, posted, write, move |cx, form| {
        sections_page(cx, id, form)
    })
    .await
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
    form: Filled<SectionFields>,
}

/// The rename page; `typed`: the form as posted, else as stored.
async fn edit_page(
    cx: Cx,
    id: i64,
    typed: Option<Filled<SectionFields>>,
) -> Result<EditPage, HtmlError> {
    let Cx { state, csrf } = cx;
    let sid = SectionId(id);
    let (row, plan) = with_plan(&state, move |s| {
        let row = s.section(sid)?;
        let plan = row.plan_id;
        Ok((row, plan))
    })
    .await?;
    let form = typed.unwrap_or_else(|| Filled::new(SectionFields::from(&row)).at(row.version));
    Ok(EditPage {
        layout: form.layout(
            &format!("Change section {}", row.label),
            Some(PlanNav::from(&plan)),
            Section::None,
        ),
        csrf,
        id,
        plan_id: plan.id.0,
        label: row.label.clone(),
        form,
    })
}

pub async fn edit_form(
    _can: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
) -> Result<Response, HtmlError> {
    ok_page(edit_page(cx, id, None)).await
}

pub async fn update(
    Can { by, .. }: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
    posted: PostedForm,
) -> Result<Response, HtmlError> {
    let sid = SectionId(id);
    let write = move |s: &dyn PlanStore, (number, title), expected| {
        let mut to = Some(SectionChange {
            number,
            title,
            position: None,
        });
        s.change_section(sid, expected, &mut |_| to.take(), &by)?;
        let plan = s.section(sid)?.plan_id;
        Ok(format!("/plans/{plan}/sections?register=section-saved"))
    };
    let reread: Reread<SectionFields> = Box::new(move |s| {
        let row = s.section(sid)?;
        Ok((row.version, SectionFields::from(&row)))
    });
    submit_at(cx, posted, write, reread, move |cx, form| {
        edit_page(cx, id, Some(form))
    })
    .await
}

// ---------------------------------------------------------------- move

/// POST from a "Move up" or "Move down" button.
pub async fn move_section(
    Can { by, .. }: Can<EditPlan>,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm,
) -> Result<Response, HtmlError> {
    let step = match form.get("direction") {
        Some("up") => SectionMove::Up,
        Some("down") => SectionMove::Down,
        _ => {
            return Err(HtmlError::BadRequest(
                "Choose to move the section up or down.".into(),
            ));
        }
    };
    let sid = SectionId(id);
    let plan = state
        .run(move |s| {
            s.move_section(sid, step, &by)?;
            Ok(s.section(sid)?.plan_id)
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
    /// The version the page shows, which the delete must still find.
    version: i64,
}

async fn delete_page(cx: Cx, id: i64, again: Option<Again>) -> Result<DeletePage, HtmlError> {
    let (refusal, changed) = match again {
        Some(Again::Refused(why)) => (Some(why), None),
        Some(Again::Changed(notice)) => (None, Some(notice)),
        None => (None, None),
    };
    let Cx { state, csrf } = cx;
    let sid = SectionId(id);
    let (row, plan) = with_plan(&state, move |s| {
        let row = s.section(sid)?;
        let plan = row.plan_id;
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
    let mut layout = Layout::new(&heading, Some(PlanNav::from(&plan)), Section::None);
    layout.notice = changed;
    Ok(DeletePage {
        layout,
        csrf,
        id,
        plan_id: plan.id.0,
        label: row.label,
        refusal,
        version: row.version.0,
    })
}

pub async fn delete_form(
    _can: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
) -> Result<Response, HtmlError> {
    ok_page(delete_page(cx, id, None)).await
}

pub async fn delete(
    Can { by, .. }: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
    form: CsrfForm,
) -> Result<Response, HtmlError> {
    let sid = SectionId(id);
    let expected = posted_version(&form);
    let write = move |s: &dyn PlanStore| {
        let plan = s.section(sid)?.plan_id;
        s.delete_section(sid, expected, &by)?;
        Ok(format!("/plans/{plan}/sections?register=section-deleted"))
    };
    confirm(cx, write, move |cx, why| delete_page(cx, id, Some(why))).await
}
