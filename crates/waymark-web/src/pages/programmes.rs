//! A plan's priorities (its programmes and the packages in each), and adding,
//! changing and deleting programmes.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use waymark_store::{PlanId, PlanStore, PlanSummary, ProgrammeId, ProgrammeRow};

use super::csrf::{CsrfForm, PostedForm};
use super::error::{HtmlError, render};
use super::form::{
    Again, Cx, Filled, Reread, confirm, ok_page, posted_version, submit, submit_at, with_plan,
};
use super::plans::Banner;
use super::view::{Layout, PlanNav, Section, WpRow, count_of, thousands};
use crate::access::{Can, EditPlan, Read};
use crate::input::ProgrammeFields;

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
            .filter(|w| w.status.is_done())
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
    form: Filled<ProgrammeFields>,
}

async fn priorities_page(
    cx: Cx,
    id: i64,
    form: Filled<ProgrammeFields>,
) -> Result<PrioritiesPage, HtmlError> {
    let Cx { state, csrf } = cx;
    let plan_id = PlanId(id);
    let (plan, programmes): (PlanSummary, Vec<ProgrammeRow>) = state
        .run(move |s| Ok((s.plan(plan_id)?, s.programmes(plan_id)?)))
        .await?;
    Ok(PrioritiesPage {
        layout: form.layout(
            "Priorities",
            Some(PlanNav::from(&plan)),
            Section::Priorities,
        ),
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
    })
}

pub async fn priorities(
    _can: Can<Read>,
    Path(id): Path<i64>,
    cx: Cx,
    flags: Result<Query<Banner>, QueryRejection>,
) -> Result<Response, HtmlError> {
    let form = Filled::new(ProgrammeFields::default());
    let mut page = priorities_page(cx, id, form).await?;
    page.layout.banner = flags.ok().and_then(|Query(b)| b.message());
    Ok(render(StatusCode::OK, &page))
}

/// POST on the priorities page: add a programme to the plan.
pub async fn create(
    Can { by, .. }: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
    posted: PostedForm,
) -> Result<Response, HtmlError> {
    let plan_id = PlanId(id);
    let write = move |s: &dyn PlanStore, input| {
        let pid = s.create_programme(plan_id, &input, &by)?;
        Ok(format!(
            "/plans/{id}/priorities?programme=1#programme-{pid}"
        ))
    };
    submit(cx, posted, write, move |cx, form| {
        priorities_page(cx, id, form)
    })
    .await
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
    form: Filled<ProgrammeFields>,
}

/// The edit page; `typed`: the form as posted, else as stored.
async fn edit_page(
    cx: Cx,
    id: i64,
    typed: Option<Filled<ProgrammeFields>>,
) -> Result<EditPage, HtmlError> {
    let Cx { state, csrf } = cx;
    let pid = ProgrammeId(id);
    let (row, plan) = with_plan(&state, move |s| s.programme(pid)).await?;
    let form = typed.unwrap_or_else(|| Filled::new(ProgrammeFields::from(&row)).at(row.version));
    Ok(EditPage {
        layout: form.layout(
            &format!("Change {}", row.name),
            Some(PlanNav::from(&plan)),
            Section::Priorities,
        ),
        csrf,
        id,
        plan_id: plan.id.0,
        name: row.name.clone(),
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
    let pid = ProgrammeId(id);
    let write = move |s: &dyn PlanStore, input, expected| {
        let mut input = Some(input);
        s.change_programme(pid, expected, &mut |_| input.take(), &by)?;
        let plan = s.programme(pid)?.1;
        Ok(format!("/plans/{plan}/priorities?saved=1#programme-{id}"))
    };
    let reread: Reread<ProgrammeFields> = Box::new(move |s| {
        let (row, _) = s.programme(pid)?;
        Ok((row.version, ProgrammeFields::from(&row)))
    });
    submit_at(cx, posted, write, reread, move |cx, form| {
        edit_page(cx, id, Some(form))
    })
    .await
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
    /// The version the page shows, which the delete must still find.
    version: i64,
}

async fn delete_page(cx: Cx, id: i64, again: Option<Again>) -> Result<DeletePage, HtmlError> {
    let Cx { state, csrf } = cx;
    let pid = ProgrammeId(id);
    let (row, plan) = with_plan(&state, move |s| s.programme(pid)).await?;
    let heading = format!("Delete {}", row.name);
    let mut layout = Layout::new(&heading, Some(PlanNav::from(&plan)), Section::Priorities);
    layout.notice = match again {
        Some(Again::Changed(notice) | Again::Refused(notice)) => Some(notice),
        None => None,
    };
    Ok(DeletePage {
        layout,
        csrf,
        id,
        name: row.name.clone(),
        count_text: programme_count(&row),
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
    let pid = ProgrammeId(id);
    let expected = posted_version(&form);
    let write = move |s: &dyn PlanStore| {
        let (_, plan) = s.programme(pid)?;
        s.delete_programme(pid, expected, &by)?;
        Ok(format!("/plans/{plan}/priorities?programme=deleted"))
    };
    confirm(cx, write, move |cx, why| delete_page(cx, id, Some(why))).await
}
