//! Priorities that reflect business need: the ranking of a plan's work
//! packages and programmes by weighted score, with its sensitivity
//! (`waymark_core::priority`) and a bar chart; the criteria and their weights
//! (listed for anyone who reads the plan, added, changed and deleted by
//! approvers); and the form a manager scores one package or programme with.

use std::fmt::Write as _;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use waymark_core::access::{Action, Caller, Context, Decision};
use waymark_core::priority::{self, Ranking, Scoring, Sensitivity, Swap};
use waymark_store::{
    CriterionId, CriterionRow, PlanId, PlanStore, PlanSummary, Priorities, PriorityItem,
    ProgrammeId, ScoreExpect, ScoreItem, ScoreSet, Version, WorkPackageId,
};

use super::csrf::{CsrfForm, PostedForm};
use super::error::{HtmlError, render};
use super::form::{
    Again, Cx, Filled, Reread, confirm, ok_page, posted_version, store_errors, submit, submit_at,
};
use super::timeline::escape;
use super::view::{Layout, PlanNav, Section};
use crate::access::{Approve, Can, EditPlan, Read};
use crate::error::{ApiError, FieldError};
use crate::form::Form;
use crate::input::{CriterionFields, ScoreFields, ranking_top};

/// A criterion whose description begins with this is an example (the
/// demo's): the pages say so.
pub const EXAMPLE_PREFIX: &str = "Example";

/// What the pages' banner says after a change (`?priority=…`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PriorityBanner {
    priority: String,
}

impl PriorityBanner {
    fn message(&self) -> Option<String> {
        match self.priority.as_str() {
            "criterion-added" => Some("The criterion has been added.".into()),
            "criterion-saved" => Some("The criterion has been changed.".into()),
            "criterion-deleted" => Some("The criterion and its scores have been deleted.".into()),
            "scores-saved" => Some("The scores have been saved.".into()),
            _ => None,
        }
    }
}

fn banner(flags: Result<Query<PriorityBanner>, QueryRejection>) -> Option<String> {
    flags.ok().and_then(|Query(b)| b.message())
}

/// Whether the signed-in caller may define criteria (`approve`).
fn may_approve(layout: &Layout) -> bool {
    let Some(role) = layout.who.role else {
        return false;
    };
    let caller = Caller::SignedIn {
        role,
        owner_names: &[],
    };
    let ctx = Context {
        anonymous_read: false,
        package_owner: None,
    };
    waymark_core::access::allows(&caller, Action::Approve, &ctx) == Decision::Allow
}

fn is_example(c: &CriterionRow) -> bool {
    c.description.trim_start().starts_with(EXAMPLE_PREFIX)
}

/// Where an item's scoring form is.
fn score_href(item: ScoreItem) -> String {
    match item {
        ScoreItem::WorkPackage(id) => format!("/work-packages/{id}/scores"),
        ScoreItem::Programme(id) => format!("/programmes/{id}/scores"),
    }
}

// ---------------------------------------------------------------- ranking

struct CriterionView {
    id: i64,
    name: String,
    description: String,
    weight: u32,
    /// Its share of the weights, "30 %".
    share: String,
    example: bool,
}

fn criterion_views(criteria: &[CriterionRow]) -> Vec<CriterionView> {
    let total: u64 = criteria.iter().map(|c| u64::from(c.weight.get())).sum();
    criteria
        .iter()
        .map(|c| CriterionView {
            id: c.id.0,
            name: c.name.clone(),
            description: c.description.clone(),
            weight: c.weight.get(),
            share: (u64::from(c.weight.get()) * 100 + total / 2)
                .checked_div(total)
                .map_or(String::new(), |share| format!("{share} %")),
            example: is_example(c),
        })
        .collect()
}

struct RankedRow {
    /// "1", or "=2" for a shared rank.
    rank: String,
    /// "Tied with 1 other", or empty.
    tie: String,
    label: String,
    href: String,
    score_href: String,
    score: String,
    /// Each criterion's score, in the criteria's order.
    scores: Vec<String>,
}

struct UnrankedRow {
    label: String,
    href: String,
    score_href: String,
    /// "Cost, Risk of not doing it", or "every criterion".
    missing: String,
    partial: String,
}

struct MoveCell {
    weight: String,
    text: String,
}

struct SensitivityRow {
    name: String,
    weight: u32,
    stable: String,
    moves: Vec<MoveCell>,
    swap: String,
}

fn item_href(item: &PriorityItem, plan: i64) -> String {
    match item.item {
        ScoreItem::WorkPackage(id) => format!("/work-packages/{id}"),
        ScoreItem::Programme(id) => format!("/plans/{plan}/priorities#programme-{id}"),
    }
}

/// The ranking's rows, in words.
fn ranked_rows(p: &Priorities, scoring: &Scoring, ranking: &Ranking, plan: i64) -> Vec<RankedRow> {
    ranking
        .ranked
        .iter()
        .map(|r| {
            let item = &p.items[r.item];
            let others = ranking
                .ranked
                .iter()
                .filter(|o| o.rank == r.rank && o.item != r.item)
                .count();
            RankedRow {
                rank: priority::rank_label(r.rank, r.tied),
                tie: match others {
                    0 => String::new(),
                    1 => "Tied with 1 other".into(),
                    n => format!("Tied with {n} others"),
                },
                label: item.label(),
                href: item_href(item, plan),
                score_href: score_href(item.item),
                score: r.score.display(),
                scores: scoring.items[r.item]
                    .scores
                    .iter()
                    .map(|s| s.map_or("none".into(), |s| s.to_string()))
                    .collect(),
            }
        })
        .collect()
}

fn unranked_rows(p: &Priorities, ranking: &Ranking, plan: i64) -> Vec<UnrankedRow> {
    ranking
        .unranked
        .iter()
        .map(|u| {
            let item = &p.items[u.item];
            let missing = if p.criteria.is_empty() {
                "no criteria yet".to_string()
            } else if u.missing.len() == p.criteria.len() {
                "every criterion (not scored)".to_string()
            } else {
                u.missing
                    .iter()
                    .map(|&c| p.criteria[c].name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            UnrankedRow {
                label: item.label(),
                href: item_href(item, plan),
                score_href: score_href(item.item),
                missing,
                partial: if u.partial.weight == 0 {
                    "none".into()
                } else {
                    u.partial.display()
                },
            }
        })
        .collect()
}

fn sensitivity_rows(p: &Priorities, sens: &[Sensitivity]) -> Vec<SensitivityRow> {
    let label = |i: usize| p.items[i].label();
    sens.iter()
        .map(|s| SensitivityRow {
            name: p.criteria[s.criterion].name.clone(),
            weight: s.weight.get(),
            stable: if s.stable.0 == s.stable.1 {
                format!("only at {}", s.stable.0)
            } else {
                format!("{} to {}", s.stable.0, s.stable.1)
            },
            moves: s
                .moves
                .iter()
                .map(|m| MoveCell {
                    weight: m.weight.clone(),
                    text: if m.changes.is_empty() {
                        "No rank changes".into()
                    } else {
                        m.changes
                            .iter()
                            .map(|c| {
                                format!(
                                    "{} {} from {} to {}",
                                    label(c.item),
                                    if c.to < c.from { "rises" } else { "falls" },
                                    c.from,
                                    c.to
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("; ")
                    },
                })
                .collect(),
            swap: match &s.swap {
                Swap::NoPair => "Fewer than two items are ranked".into(),
                Swap::Never { first, second } => format!(
                    "Never between 1 and 100: {} stays ahead of or level with {}",
                    label(*first),
                    label(*second)
                ),
                Swap::At {
                    weight,
                    below,
                    above,
                } => format!(
                    "At weight {weight}: below it {} leads, above it {}",
                    label(*below),
                    label(*above)
                ),
            },
        })
        .collect()
}

/// The weighted scores of the ranked items as a horizontal bar chart (SVG,
/// every text through [`escape`]); the same numbers are in the table.
fn chart(rows: &[RankedRow]) -> String {
    const LABEL: i32 = 0;
    const BAR_X: i32 = 10;
    const WIDTH: i32 = 360;
    const ROW: i32 = 46;
    if rows.is_empty() {
        return String::new();
    }
    let height = ROW * rows.len() as i32 + 10;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="ranking-chart" viewBox="0 0 {w} {height}" width="100%" role="img" aria-labelledby="ranking-chart-title" focusable="false"><title id="ranking-chart-title">Weighted scores of the ranked items, out of 5 (the table below gives the same numbers)</title>"#,
        w = BAR_X + WIDTH + 10,
    );
    for (i, r) in rows.iter().enumerate() {
        let y = ROW * i as i32 + 4;
        let value: f64 = r.score.parse().unwrap_or(0.0);
        let len = ((value / 5.0) * f64::from(WIDTH - 60)).round() as i32;
        let label = format!("{} {}", r.rank, r.label);
        let short: String = if label.chars().count() > 52 {
            label.chars().take(51).chain(std::iter::once('…')).collect()
        } else {
            label
        };
        let _ = write!(
            svg,
            r##"<text x="{LABEL}" y="{ty}" class="ranking-chart__label">{text}</text><rect x="{BAR_X}" y="{by}" width="{len}" height="16" fill="#1d70b8"{tied}/><text x="{tx}" y="{vy}" class="ranking-chart__value">{score}{tie}</text>"##,
            ty = y + 12,
            text = escape(&short),
            by = y + 18,
            tied = if r.tie.is_empty() {
                ""
            } else {
                r##" stroke="#0b0c0c" stroke-dasharray="4 2""##
            },
            tx = BAR_X + len + 6,
            vy = y + 31,
            score = escape(&r.score),
            tie = if r.tie.is_empty() { "" } else { " (tied)" },
        );
    }
    svg.push_str("</svg>");
    svg
}

#[derive(Template)]
#[template(path = "ranking.html")]
struct RankingPage {
    layout: Layout,
    /// The criteria are the demo's examples: the page says so.
    examples: bool,
    plan_id: i64,
    top: usize,
    top_text: String,
    top_error: Option<String>,
    criteria: Vec<CriterionView>,
    ranked: Vec<RankedRow>,
    unranked: Vec<UnrankedRow>,
    sensitivity: Vec<SensitivityRow>,
    chart: String,
    may_score: bool,
    may_define: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RankingQuery {
    top: Option<String>,
    priority: String,
}

/// GET `/plans/{id}/ranking`: the ranking, ties and missing scores in words,
/// the chart, and the sensitivity for `?top=N`.
pub async fn ranking(
    _can: Can<Read>,
    Path(id): Path<i64>,
    cx: Cx,
    query: Result<Query<RankingQuery>, QueryRejection>,
) -> Result<Response, HtmlError> {
    let Cx { state, .. } = cx;
    let plan_id = PlanId(id);
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let top_text = query.top.clone().unwrap_or_default();
    let pairs: Vec<(String, String)> = query
        .top
        .iter()
        .map(|t| ("top".to_string(), t.clone()))
        .collect();
    let (top, top_error) = match ranking_top(&pairs) {
        Ok(n) => (n, None),
        Err(e) => (
            crate::input::DEFAULT_TOP,
            e.into_iter().next().map(|e| e.message),
        ),
    };
    let (plan, p): (PlanSummary, Priorities) = state
        .run(move |s| Ok((s.plan(plan_id)?, s.priorities(plan_id)?)))
        .await?;
    let scoring = p.scoring();
    let ranking = priority::rank(&scoring);
    let sens = if ranking.ranked.is_empty() {
        Vec::new()
    } else {
        priority::sensitivity(&scoring, &ranking, top)
    };
    let title = if top_error.is_some() {
        "Error: Ranking by business need"
    } else {
        "Ranking by business need"
    };
    let mut layout = Layout::new(title, Some(PlanNav::from(&plan)), Section::Priorities);
    layout.banner = PriorityBanner {
        priority: query.priority,
    }
    .message();
    let examples = p.criteria.iter().any(is_example);
    let ranked = ranked_rows(&p, &scoring, &ranking, id);
    let page = RankingPage {
        examples,
        may_score: layout.can_edit_plan(),
        may_define: may_approve(&layout),
        layout,
        plan_id: id,
        top,
        top_text: if top_error.is_some() {
            top_text
        } else {
            top.to_string()
        },
        criteria: criterion_views(&p.criteria),
        unranked: unranked_rows(&p, &ranking, id),
        sensitivity: sensitivity_rows(&p, &sens),
        chart: chart(&ranked),
        ranked,
        top_error: top_error.clone(),
    };
    let status = if top_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render(status, &page))
}

// ---------------------------------------------------------------- criteria

#[derive(Template)]
#[template(path = "criteria.html")]
struct CriteriaPage {
    layout: Layout,
    examples: bool,
    plan_id: i64,
    criteria: Vec<CriterionView>,
    may_define: bool,
}

/// GET `/plans/{id}/criteria`: the criteria and their weights.
pub async fn criteria(
    _can: Can<Read>,
    Path(id): Path<i64>,
    cx: Cx,
    flags: Result<Query<PriorityBanner>, QueryRejection>,
) -> Result<Response, HtmlError> {
    let plan_id = PlanId(id);
    let (plan, rows): (PlanSummary, Vec<CriterionRow>) = cx
        .state
        .run(move |s| Ok((s.plan(plan_id)?, s.criteria(plan_id)?)))
        .await?;
    let mut layout = Layout::new(
        "Priority criteria",
        Some(PlanNav::from(&plan)),
        Section::Priorities,
    );
    layout.banner = banner(flags);
    let page = CriteriaPage {
        examples: rows.iter().any(is_example),
        may_define: may_approve(&layout),
        layout,
        plan_id: id,
        criteria: criterion_views(&rows),
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "criterion_form.html")]
struct CriterionFormPage {
    layout: Layout,
    csrf: String,
    heading: String,
    action: String,
    cancel_href: String,
    submit_label: &'static str,
    delete_href: Option<String>,
    form: Filled<CriterionFields>,
}

async fn criterion_form_page(
    cx: Cx,
    plan: PlanId,
    editing: Option<CriterionId>,
    form: Filled<CriterionFields>,
) -> Result<CriterionFormPage, HtmlError> {
    let Cx { state, csrf } = cx;
    let summary = state.run(move |s| s.plan(plan)).await?;
    let (heading, action, delete_href) = match editing {
        None => (
            "Add a criterion".to_string(),
            format!("/plans/{plan}/criteria/new"),
            None,
        ),
        Some(c) => (
            format!(
                "Change the criterion {}",
                form.opened
                    .as_ref()
                    .and_then(|o| o.name.clone())
                    .unwrap_or_default()
            ),
            format!("/criteria/{c}/edit"),
            Some(format!("/criteria/{c}/delete")),
        ),
    };
    Ok(CriterionFormPage {
        layout: form.layout(&heading, Some(PlanNav::from(&summary)), Section::Priorities),
        csrf,
        heading,
        action,
        cancel_href: format!("/plans/{plan}/criteria"),
        submit_label: if editing.is_some() {
            "Save changes"
        } else {
            "Add criterion"
        },
        delete_href,
        form,
    })
}

pub async fn new_criterion(
    _can: Can<Approve>,
    Path(id): Path<i64>,
    cx: Cx,
) -> Result<Response, HtmlError> {
    ok_page(criterion_form_page(
        cx,
        PlanId(id),
        None,
        Filled::new(CriterionFields::default()),
    ))
    .await
}

pub async fn create_criterion(
    Can { by, .. }: Can<Approve>,
    Path(id): Path<i64>,
    cx: Cx,
    posted: PostedForm,
) -> Result<Response, HtmlError> {
    let plan = PlanId(id);
    let write = move |s: &dyn PlanStore, input| {
        s.create_criterion(plan, &input, &by)?;
        Ok(format!("/plans/{id}/criteria?priority=criterion-added"))
    };
    submit(cx, posted, write, move |cx, form| {
        criterion_form_page(cx, plan, None, form)
    })
    .await
}

pub async fn edit_criterion(
    _can: Can<Approve>,
    Path(id): Path<i64>,
    cx: Cx,
) -> Result<Response, HtmlError> {
    let cid = CriterionId(id);
    let row = cx.state.run(move |s| s.criterion(cid)).await?;
    let form = Filled::new(CriterionFields::from(&row)).at(row.version);
    ok_page(criterion_form_page(cx, row.plan_id, Some(cid), form)).await
}

pub async fn update_criterion(
    Can { by, .. }: Can<Approve>,
    Path(id): Path<i64>,
    cx: Cx,
    posted: PostedForm,
) -> Result<Response, HtmlError> {
    let cid = CriterionId(id);
    let plan = cx.state.run(move |s| s.criterion(cid)).await?.plan_id;
    let write = move |s: &dyn PlanStore, input, expected| {
        let mut input = Some(input);
        s.change_criterion(cid, expected, &mut |_| input.take(), &by)?;
        Ok(format!("/plans/{plan}/criteria?priority=criterion-saved"))
    };
    let reread: Reread<CriterionFields> = Box::new(move |s| {
        let row = s.criterion(cid)?;
        Ok((row.version, CriterionFields::from(&row)))
    });
    submit_at(cx, posted, write, reread, move |cx, form| {
        criterion_form_page(cx, plan, Some(cid), form)
    })
    .await
}

#[derive(Template)]
#[template(path = "criterion_delete.html")]
struct CriterionDeletePage {
    layout: Layout,
    csrf: String,
    id: i64,
    name: String,
    weight: u32,
    scores: usize,
    version: i64,
}

async fn criterion_delete_page(
    cx: Cx,
    id: i64,
    again: Option<Again>,
) -> Result<CriterionDeletePage, HtmlError> {
    let Cx { state, csrf } = cx;
    let cid = CriterionId(id);
    let (row, plan, scores) = state
        .run(move |s| {
            let row = s.criterion(cid)?;
            let plan = s.plan(row.plan_id)?;
            let scores = s
                .priorities(row.plan_id)?
                .scores
                .iter()
                .filter(|x| x.criterion == cid)
                .count();
            Ok((row, plan, scores))
        })
        .await?;
    let heading = format!("Delete the criterion {}", row.name);
    let mut layout = Layout::new(&heading, Some(PlanNav::from(&plan)), Section::Priorities);
    layout.notice = match again {
        Some(Again::Changed(notice) | Again::Refused(notice)) => Some(notice),
        None => None,
    };
    Ok(CriterionDeletePage {
        layout,
        csrf,
        id,
        name: row.name,
        weight: row.weight.get(),
        scores,
        version: row.version.0,
    })
}

pub async fn delete_criterion_form(
    _can: Can<Approve>,
    Path(id): Path<i64>,
    cx: Cx,
) -> Result<Response, HtmlError> {
    ok_page(criterion_delete_page(cx, id, None)).await
}

pub async fn delete_criterion(
    Can { by, .. }: Can<Approve>,
    Path(id): Path<i64>,
    cx: Cx,
    form: CsrfForm,
) -> Result<Response, HtmlError> {
    let cid = CriterionId(id);
    let expected = posted_version(&form);
    let write = move |s: &dyn PlanStore| {
        let plan = s.criterion(cid)?.plan_id;
        s.delete_criterion(cid, expected, &by)?;
        Ok(format!("/plans/{plan}/criteria?priority=criterion-deleted"))
    };
    confirm(cx, write, move |cx, why| {
        criterion_delete_page(cx, id, Some(why))
    })
    .await
}

// ---------------------------------------------------------------- scoring

/// One criterion's row of the scoring form.
struct ScoreRowView {
    id: i64,
    name: String,
    description: String,
    weight: u32,
    /// The score chosen ("" for none).
    score: String,
    note: String,
    /// The stored score's version when the form was opened ("" for none).
    version: String,
    error: Option<String>,
}

/// The scores a form offers.
const SCORE_CHOICES: [&str; 5] = ["1", "2", "3", "4", "5"];

impl ScoreRowView {
    fn field(&self, what: &str) -> String {
        format!("{what}-{}", self.id)
    }

    /// The score as typed when it is none of the choices (shown again
    /// beside its error).
    fn other(&self) -> Option<&str> {
        (!self.score.is_empty() && !SCORE_CHOICES.contains(&self.score.as_str()))
            .then_some(self.score.as_str())
    }

    fn chosen(&self, value: &str) -> bool {
        self.score == value
    }
}

#[derive(Template)]
#[template(path = "scores_form.html")]
struct ScoresPage {
    layout: Layout,
    examples: bool,
    csrf: String,
    action: String,
    heading: String,
    item_label: String,
    ranking_href: String,
    rows: Vec<ScoreRowView>,
    errors: Vec<FieldError>,
    may_define: bool,
    plan_id: i64,
    choices: [&'static str; 5],
}

/// The plan an item belongs to and its label.
fn item_of(s: &dyn PlanStore, item: ScoreItem) -> waymark_store::Result<PlanId> {
    match item {
        ScoreItem::WorkPackage(id) => Ok(s.work_package(id)?.row.plan_id),
        ScoreItem::Programme(id) => Ok(s.programme(id)?.1),
    }
}

struct Loaded {
    plan: PlanSummary,
    priorities: Priorities,
    item: PriorityItem,
}

async fn load(cx: &Cx, item: ScoreItem) -> Result<Loaded, HtmlError> {
    Ok(cx
        .state
        .run(move |s| {
            let plan_id = item_of(s, item)?;
            let priorities = s.priorities(plan_id)?;
            let found = priorities
                .items
                .iter()
                .find(|i| i.item == item)
                .cloned()
                .ok_or(waymark_store::StoreError::NotFound { what: "item" })?;
            Ok(Loaded {
                plan: s.plan(plan_id)?,
                priorities,
                item: found,
            })
        })
        .await?)
}

fn scores_page(
    loaded: &Loaded,
    item: ScoreItem,
    csrf: String,
    rows: Vec<ScoreRowView>,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> ScoresPage {
    let heading = format!("Score {}", loaded.item.label());
    let title = if errors.is_empty() {
        heading.clone()
    } else {
        format!("Error: {heading}")
    };
    let mut layout = Layout::new(
        &title,
        Some(PlanNav::from(&loaded.plan)),
        Section::Priorities,
    );
    layout.notice = notice;
    ScoresPage {
        examples: loaded.priorities.criteria.iter().any(is_example),
        may_define: may_approve(&layout),
        layout,
        csrf,
        action: score_href(item),
        heading,
        item_label: loaded.item.label(),
        ranking_href: format!("/plans/{}/ranking", loaded.plan.id),
        rows,
        errors,
        plan_id: loaded.plan.id.0,
        choices: SCORE_CHOICES,
    }
}

/// The rows as stored.
fn stored_rows(loaded: &Loaded, item: ScoreItem) -> Vec<ScoreRowView> {
    loaded
        .priorities
        .criteria
        .iter()
        .map(|c| {
            let s = loaded.priorities.score(item, c.id);
            ScoreRowView {
                id: c.id.0,
                name: c.name.clone(),
                description: c.description.clone(),
                weight: c.weight.get(),
                score: s.map_or(String::new(), |s| s.score.to_string()),
                note: s.map_or(String::new(), |s| s.note.clone()),
                version: s.map_or(String::new(), |s| s.version.to_string()),
                error: None,
            }
        })
        .collect()
}

async fn scores_form(cx: Cx, item: ScoreItem) -> Result<Response, HtmlError> {
    let loaded = load(&cx, item).await?;
    let rows = stored_rows(&loaded, item);
    let page = scores_page(&loaded, item, cx.csrf, rows, Vec::new(), None);
    Ok(render(StatusCode::OK, &page))
}

/// Someone changed the scores after the form was opened.
const SCORES_CHANGED: &str = "Someone else changed this item's scores after you opened the form, so nothing has been saved. The form now shows the scores as they are; enter your changes again, then save.";

const EXPIRED: &str = "The form had expired (the service may have restarted while the page was open), so nothing has been saved. Check what you entered below, then submit it again.";

/// The POST of a scoring form: each criterion's row (`score-ID`, `note-ID`,
/// and the hidden `version-ID` it was opened at) read with [`ScoreFields`]'
/// declaration; a row with no score and no note clears the score. All the
/// rows are saved in one write, each change its own audit entry; a wrong
/// row shows the form again (422) with its error beside it and in the
/// summary; a score changed meanwhile shows it as it is now (409).
async fn save_scores(
    by: waymark_store::Actor,
    cx: Cx,
    item: ScoreItem,
    posted: PostedForm,
) -> Result<Response, HtmlError> {
    let loaded = load(&cx, item).await?;
    let get = |name: String| posted.get(&name).unwrap_or("").to_string();
    let mut rows = Vec::new();
    let mut sets = Vec::new();
    let mut errors = Vec::new();
    for c in &loaded.priorities.criteria {
        let id = c.id.0;
        let mut row = ScoreRowView {
            id,
            name: c.name.clone(),
            description: c.description.clone(),
            weight: c.weight.get(),
            score: get(format!("score-{id}")).trim().to_string(),
            note: get(format!("note-{id}")),
            version: get(format!("version-{id}")).trim().to_string(),
            error: None,
        };
        let expected = if row.version.is_empty() {
            ScoreExpect::Absent
        } else {
            ScoreExpect::At(row.version.parse().unwrap_or(Version(0)))
        };
        let value = if row.score.is_empty() && row.note.trim().is_empty() {
            Ok(None)
        } else {
            ScoreFields {
                score: Some(row.score.clone()),
                note: Some(row.note.clone()),
                ..Default::default()
            }
            .validate()
            .map(Some)
        };
        match value {
            Ok(value) => sets.push(ScoreSet {
                criterion: c.id,
                expected,
                value,
            }),
            Err(errs) => {
                for e in errs {
                    let field = if e.field == "note" {
                        row.field("note")
                    } else {
                        row.field("score")
                    };
                    let message = format!("{}: {}", c.name, e.message);
                    row.error.get_or_insert_with(|| message.clone());
                    errors.push(FieldError::new(&field, message));
                }
            }
        }
        rows.push(row);
    }
    if posted.expired {
        let page = scores_page(
            &loaded,
            item,
            cx.csrf,
            rows,
            Vec::new(),
            Some(EXPIRED.into()),
        );
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    if !errors.is_empty() {
        let page = scores_page(&loaded, item, cx.csrf, rows, errors, None);
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    let plan = loaded.plan.id;
    match cx
        .state
        .run(move |s| s.set_scores(plan, item, &sets, &by))
        .await
    {
        Ok(()) => Ok(
            Redirect::to(&format!("/plans/{plan}/ranking?priority=scores-saved")).into_response(),
        ),
        Err(ApiError::PreconditionFailed { .. }) => {
            let loaded = load(&cx, item).await?;
            let rows = stored_rows(&loaded, item);
            let page = scores_page(
                &loaded,
                item,
                cx.csrf,
                rows,
                vec![FieldError::new(
                    "scores",
                    "Someone else changed these scores after you opened the form: check them, then save again",
                )],
                Some(SCORES_CHANGED.into()),
            );
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(e) => {
            let errors = store_errors::<ScoreFields>(e)?;
            let page = scores_page(&loaded, item, cx.csrf, rows, errors, None);
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

pub async fn package_scores(
    _can: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
) -> Result<Response, HtmlError> {
    scores_form(cx, ScoreItem::WorkPackage(WorkPackageId(id))).await
}

pub async fn save_package_scores(
    Can { by, .. }: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
    posted: PostedForm,
) -> Result<Response, HtmlError> {
    save_scores(by, cx, ScoreItem::WorkPackage(WorkPackageId(id)), posted).await
}

pub async fn programme_scores(
    _can: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
) -> Result<Response, HtmlError> {
    scores_form(cx, ScoreItem::Programme(ProgrammeId(id))).await
}

pub async fn save_programme_scores(
    Can { by, .. }: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
    posted: PostedForm,
) -> Result<Response, HtmlError> {
    save_scores(by, cx, ScoreItem::Programme(ProgrammeId(id)), posted).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_escapes_every_label() {
        let rows = vec![RankedRow {
            rank: "1".into(),
            tie: String::new(),
            label: "<script>alert(\"x\")</script> & 'q'".into(),
            href: String::new(),
            score_href: String::new(),
            score: "4.40".into(),
            scores: Vec::new(),
        }];
        let svg = chart(&rows);
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(
            svg.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;")
        );
        assert!(svg.contains(">4.40<"));
    }
}
