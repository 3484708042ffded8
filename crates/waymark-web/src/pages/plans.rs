//! The list of plans and a plan's overview (filters and the package table).

use askama::Template;

use super::dashboard::DashboardView;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use waymark_core::{Rag, Status};
use waymark_store::{Cursor, FilterOptions, Page, PlanId, WorkPackageQuery};

use super::error::{HtmlError, render};
use super::view::{
    Choice, Layout, PlanNav, Section, WpRow, count_of, programme_label, query_string, thousands,
};
use crate::AppState;
use crate::access::{Can, Read};
use crate::error::{FieldError, message_for};
use crate::input::WORK_PACKAGE_QUERY;

/// Above this many related items the filter is a text box for the id, not a select.
const RELATED_SELECT_MAX: usize = 500;
pub const DEFAULT_PER_PAGE: u32 = 100;

/// Paragraphs of a text a person wrote, split at blank lines.
pub fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

// ---------------------------------------------------------------- plan list

struct PlanItem {
    id: i64,
    title: String,
    organisation: String,
    sections: String,
    work_packages: String,
    status_value: &'static str,
    status_label: &'static str,
}

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    layout: Layout,
    plans: Vec<PlanItem>,
}

pub async fn index(
    _can: Can<Read>,
    State(state): State<AppState>,
    flags: Result<Query<Banner>, QueryRejection>,
) -> Result<Response, HtmlError> {
    let plans = state.run(|s| s.list_plans()).await?;
    let plans = plans
        .iter()
        .map(|p| PlanItem {
            id: p.id.0,
            title: p.title.clone(),
            organisation: p.organisation.clone(),
            sections: thousands(p.section_count),
            work_packages: thousands(p.work_package_count),
            status_value: p.status.as_str(),
            status_label: p.status.label(),
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &PlansPage {
            layout: Layout::new("Waymark", None, Section::None)
                .with_banner(flags.ok().and_then(|Query(b)| b.message())),
            plans,
        },
    ))
}

// ---------------------------------------------------------------- filters

/// The overview's query string as typed; empty means "any".
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ListParams {
    pub section: String,
    pub quarter: String,
    pub status: String,
    pub rag: String,
    pub influence: String,
    pub related_item: String,
    pub programme: String,
    pub q: String,
    pub overdue: String,
    pub no_recent_note: String,
    pub sort: String,
    pub dir: String,
    pub page: String,
    pub per_page: String,
    pub cursor: String,
}

impl ListParams {
    /// Parse every filter (with the API's rules); each wrong one's message
    /// under its name.
    pub fn query_by_field(
        &self,
        default_per_page: u32,
    ) -> Result<WorkPackageQuery, Vec<FieldError>> {
        let pairs: Vec<(String, String)> = self
            .pairs()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        crate::input::work_package_query(&pairs, default_per_page).map_err(|errors| {
            errors
                .into_iter()
                .map(|e| {
                    let message = match e.field.as_str() {
                        "q" => format!("Enter words to search for: {}", e.message),
                        name => format!("The {name} filter is not valid: {}.", e.message),
                    };
                    FieldError::new(&e.field, message)
                })
                .collect()
        })
    }

    /// [`ListParams::query_by_field`], with `repeated` (filters given more
    /// than once) beside the others: one error per filter.
    pub fn checked(
        &self,
        default_per_page: u32,
        repeated: Vec<FieldError>,
    ) -> Result<WorkPackageQuery, Vec<FieldError>> {
        match self.query_by_field(default_per_page) {
            Ok(query) if repeated.is_empty() => Ok(query),
            Ok(_) => Err(repeated),
            Err(errors) => {
                let mut all = repeated;
                for e in errors {
                    if !all.iter().any(|had| had.field == e.field) {
                        all.push(e);
                    }
                }
                Err(all)
            }
        }
    }

    /// Every parameter by name, in the order links write them.
    fn pairs(&self) -> [(&'static str, &str); 15] {
        [
            ("section", &self.section),
            ("quarter", &self.quarter),
            ("status", &self.status),
            ("rag", &self.rag),
            ("influence", &self.influence),
            ("related_item", &self.related_item),
            ("programme", &self.programme),
            ("q", &self.q),
            ("overdue", &self.overdue),
            ("no_recent_note", &self.no_recent_note),
            ("sort", &self.sort),
            ("dir", &self.dir),
            ("per_page", &self.per_page),
            ("page", &self.page),
            ("cursor", &self.cursor),
        ]
    }

    /// The query string for another page of the same list.
    pub fn with_page(&self, page: u32) -> String {
        let page = page.to_string();
        let mut pairs = self.pairs();
        pairs[13].1 = &page;
        pairs[14].1 = "";
        query_string(&pairs)
    }

    /// The query string for the page a cursor leads to.
    pub fn with_cursor(&self, cursor: &str) -> String {
        let mut pairs = self.pairs();
        pairs[13].1 = "";
        pairs[14].1 = cursor;
        query_string(&pairs)
    }

    /// The query string of the filters alone (no sorting or paging): what
    /// an export of the packages they find takes.
    pub fn filter_query(&self) -> String {
        query_string(&self.pairs()[..10])
    }

    pub fn is_filtered(&self) -> bool {
        [
            &self.section,
            &self.quarter,
            &self.status,
            &self.rag,
            &self.influence,
            &self.related_item,
            &self.programme,
            &self.q,
            &self.overdue,
            &self.no_recent_note,
        ]
        .iter()
        .any(|v| !v.trim().is_empty())
    }
}

/// Query-string parsing failed before our own checks.
pub fn query_error(e: QueryRejection) -> HtmlError {
    HtmlError::BadRequest(format!(
        "The filters in the web address could not be read: {}",
        e.body_text()
    ))
}

/// A list page's query string as `T` (the first value of each parameter),
/// with an error for each of `names` given more than once: the page keeps
/// its form and says so beside the field, rather than refusing the address.
pub fn read_query<T: DeserializeOwned>(
    uri: &Uri,
    names: &[&str],
) -> Result<(T, Vec<FieldError>), HtmlError> {
    let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(uri).map_err(query_error)?;
    let mut first = serde_json::Map::new();
    let mut errors: Vec<FieldError> = Vec::new();
    for (name, value) in pairs {
        if !first.contains_key(&name) {
            first.insert(name, serde_json::Value::String(value));
        } else if names.contains(&name.as_str()) && !errors.iter().any(|e| e.field == name) {
            let what = if name == "q" { "search" } else { name.as_str() };
            errors.push(FieldError::new(
                &name,
                format!(
                    "The {what} filter is given more than once in the web address: choose one."
                ),
            ));
        }
    }
    let params = serde_json::from_value(serde_json::Value::Object(first))
        .map_err(|e| HtmlError::BadRequest(format!("The web address could not be read: {e}")))?;
    Ok((params, errors))
}

/// The filter form's controls, built from the plan's registers.
pub struct FilterForm {
    pub sections: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub rags: Vec<Choice>,
    pub influences: Vec<Choice>,
    pub programmes: Vec<Choice>,
    /// `None`: too many related items for a select; a text box for the id.
    pub related_items: Option<Vec<Choice>>,
    pub sorts: Vec<Choice>,
    pub dirs: Vec<Choice>,
    /// Whether to show only overdue packages.
    pub overdue: Vec<Choice>,
    /// Whether to show only open packages without a recent progress note.
    pub no_recent_note: Vec<Choice>,
    pub params: ListParams,
}

impl FilterForm {
    pub fn new(params: &ListParams, options: &FilterOptions) -> Self {
        let p = params;
        let (sections, influences, programmes, related) = (
            &options.sections,
            &options.influences,
            &options.programmes,
            &options.related_items,
        );
        FilterForm {
            sections: sections
                .iter()
                .map(|s| Choice::new(s.id.0.to_string(), s.label.clone(), &p.section))
                .collect(),
            statuses: Status::ALL
                .iter()
                .map(|s| Choice::new(s.as_str(), s.label(), &p.status))
                .collect(),
            rags: Rag::ALL
                .iter()
                .map(|r| Choice::new(r.as_str(), r.label(), &p.rag))
                .collect(),
            influences: influences
                .iter()
                .map(|i| {
                    let label = if i.title.is_empty() {
                        i.code.to_string()
                    } else {
                        format!("{} {}", i.code, i.title)
                    };
                    Choice::new(i.code.to_string(), label, &p.influence)
                })
                .collect(),
            programmes: programmes
                .iter()
                .map(|g| {
                    Choice::new(
                        g.id.0.to_string(),
                        programme_label(&g.name, g.priority),
                        &p.programme,
                    )
                })
                .collect(),
            related_items: (related.len() <= RELATED_SELECT_MAX).then(|| {
                related
                    .iter()
                    .map(|r| {
                        Choice::new(
                            r.id.0.to_string(),
                            format!("{} ({})", r.name, r.kind.label()),
                            &p.related_item,
                        )
                    })
                    .collect()
            }),
            sorts: [
                ("plan", "Plan order"),
                ("title", "Title"),
                ("delivery", "Delivery"),
                ("status", "Status"),
                ("progress", "Progress"),
                ("owner", "Owner"),
            ]
            .iter()
            .map(|(v, l)| Choice::new(*v, *l, if p.sort.is_empty() { "plan" } else { &p.sort }))
            .collect(),
            dirs: [("asc", "Ascending"), ("desc", "Descending")]
                .iter()
                .map(|(v, l)| Choice::new(*v, *l, if p.dir.is_empty() { "asc" } else { &p.dir }))
                .collect(),
            overdue: [("true", "Overdue only")]
                .iter()
                .map(|(v, l)| Choice::new(*v, *l, &p.overdue))
                .collect(),
            no_recent_note: [("true", "No note for 3 months")]
                .iter()
                .map(|(v, l)| Choice::new(*v, *l, &p.no_recent_note))
                .collect(),
            params: params.clone(),
        }
    }
}

/// Links to the neighbouring pages of a list.
pub struct Pager {
    pub showing: String,
    pub page: u32,
    /// `None` when only a lower bound of the total is known.
    pub page_count: Option<u32>,
    pub previous: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// Links by page number (an offset from the start).
    pub fn new(
        base: &str,
        params: &ListParams,
        total: u64,
        page: u32,
        per_page: u32,
        shown: usize,
    ) -> Self {
        let page_count = if per_page == 0 {
            1
        } else {
            total.div_ceil(u64::from(per_page)).max(1) as u32
        };
        let link = |n: u32| format!("{base}?{}", params.with_page(n));
        Pager {
            showing: showing(total, false, page, per_page, shown),
            page,
            page_count: Some(page_count),
            previous: (page > 1).then(|| link((page - 1).min(page_count))),
            next: (page < page_count).then(|| link(page + 1)),
        }
    }

    /// Links by cursor: each neighbouring page costs the same to show, however
    /// deep it is.
    pub fn for_page<T>(base: &str, params: &ListParams, p: &Page<T>) -> Self {
        let link = |c: &Cursor| format!("{base}?{}", params.with_cursor(&c.to_string()));
        Pager {
            showing: showing(
                p.total,
                p.total_is_lower_bound,
                p.page,
                p.per_page,
                p.items.len(),
            ),
            page: p.page,
            page_count: (!p.total_is_lower_bound).then(|| p.page_count().max(p.page)),
            previous: p.previous_cursor.as_ref().map(link),
            next: p.next_cursor.as_ref().map(link),
        }
    }

    /// Whether there is more than one page (the links are worth showing).
    pub fn paged(&self) -> bool {
        self.previous.is_some() || self.next.is_some() || self.page > 1
    }
}

/// "Showing 101–200 of 1,234", or "of more than 1,000" past the count limit.
fn showing(total: u64, lower_bound: bool, page: u32, per_page: u32, shown: usize) -> String {
    let of = if lower_bound {
        format!("more than {}", thousands(total))
    } else {
        thousands(total)
    };
    if shown == 0 {
        return format!("Showing 0 of {of}");
    }
    let first = u64::from(page.saturating_sub(1)) * u64::from(per_page) + 1;
    format!(
        "Showing {}–{} of {of}",
        thousands(first),
        thousands(first + shown as u64 - 1),
    )
}

// ---------------------------------------------------------------- overview

struct PriorityLink {
    id: i64,
    name: String,
    count: String,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    layout: Layout,
    plan_id: i64,
    heading: String,
    organisation: String,
    period: String,
    introduction: Vec<String>,
    /// The plan's own status (draft, approved, superseded), and the plan
    /// that superseded it when named.
    status_value: &'static str,
    status_label: &'static str,
    superseded_by: Option<i64>,
    priorities: Vec<PriorityLink>,
    /// On the first page of the whole list only (a filtered or later page
    /// is about its packages).
    dashboard: Option<DashboardView>,
    filters: FilterForm,
    filtered: bool,
    rows: Vec<WpRow>,
    pager: Pager,
    /// Wrong filters, shown in a summary and beside their fields.
    errors: Vec<FieldError>,
}

impl OverviewPage {
    fn error(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

pub async fn overview(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    uri: Uri,
    flags: Result<Query<Banner>, QueryRejection>,
) -> Result<Response, HtmlError> {
    let (params, repeated) = read_query::<ListParams>(&uri, WORK_PACKAGE_QUERY)?;
    let plan_id = PlanId(id);
    // Parse before touching the store: wrong filters are shown beside the
    // form (with what was typed), and not queried.
    let query = params.checked(DEFAULT_PER_PAGE, repeated);
    let section = query.as_ref().ok().and_then(|q| q.section);
    let today = crate::uk_time::today();
    let at_a_glance = !params.is_filtered()
        && params.cursor.trim().is_empty()
        && matches!(params.page.trim(), "" | "1");
    let (plan, options, page, dashboard) = state
        .run(move |s| {
            let plan = s.plan(plan_id)?;
            let page = match &query {
                Ok(query) => {
                    let page = s.list_work_packages(plan_id, query)?;
                    let ids: Vec<_> = page.items.iter().map(|r| r.id).collect();
                    let notes = s.latest_progress_notes_of(&ids)?;
                    Ok((page, notes))
                }
                Err(errors) => Err(errors.clone()),
            };
            let dashboard = match at_a_glance {
                true => Some(s.dashboard(plan_id, today)?),
                false => None,
            };
            Ok((plan, s.filter_options(plan_id)?, page, dashboard))
        })
        .await?;
    // A section id of another plan (or none): named beside the form, like
    // any other wrong filter, not a page without it.
    let page = match page {
        Ok(_)
            if section.is_some_and(|section| !options.sections.iter().any(|s| s.id == section)) =>
        {
            Err(vec![FieldError::new(
                "section",
                format!(
                    "The section filter is not valid: \"{}\" is not a section of this plan",
                    params.section
                ),
            )])
        }
        other => other,
    };
    let banner = flags.ok().and_then(|Query(b)| b.message());
    let heading = if page.is_ok() {
        "Overview"
    } else {
        "Error: Overview"
    };
    let layout =
        Layout::new(heading, Some(PlanNav::from(&plan)), Section::Overview).with_banner(banner);
    let base = format!("/plans/{id}");
    let (pager, rows, errors) = match page {
        Ok((page, notes)) => (
            Pager::for_page(&base, &params, &page),
            page.items
                .iter()
                .map(|r| {
                    let mut row = WpRow::from(r);
                    row.note = notes
                        .iter()
                        .find(|n| n.work_package_id == r.id)
                        .map(|n| super::view::NoteSnippet::of(n.date, &n.text));
                    row
                })
                .collect(),
            Vec::new(),
        ),
        Err(errors) => (Pager::new(&base, &params, 0, 1, 1, 0), Vec::new(), errors),
    };
    let priorities = options
        .programmes
        .iter()
        .filter(|g| g.priority)
        .map(|g| PriorityLink {
            id: g.id.0,
            name: g.name.clone(),
            count: count_of(g.work_package_count, "work package", "work packages"),
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let page_view = OverviewPage {
        layout,
        plan_id: id,
        heading: plan.title.clone(),
        organisation: plan.organisation.clone(),
        period: plan.period.clone(),
        introduction: paragraphs(&plan.introduction),
        status_value: plan.status.as_str(),
        status_label: plan.status.label(),
        superseded_by: plan.superseded_by.map(|p| p.0),
        priorities,
        dashboard: dashboard.map(|d| DashboardView::new(plan_id, &d)),
        filters: FilterForm::new(&params, &options),
        filtered: params.is_filtered(),
        rows,
        pager,
        errors,
    };
    Ok(render(status, &page_view))
}

/// Flags a redirect leaves in the address to show a success banner.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Banner {
    pub saved: String,
    pub created: String,
    pub deleted: String,
    /// A programme was added (`1`) or deleted (`deleted`).
    pub programme: String,
    /// A register change: `section-added`, `section-saved`, `section-moved`,
    /// `section-deleted`, `influence-deleted`, `merged`, `item-deleted`.
    pub register: String,
    /// A plan was imported (`1`), or an import cancelled (`cancelled`); a
    /// plan updated from a file (`updated`), or the update cancelled
    /// (`update-cancelled`).
    pub import: String,
    /// A baseline was taken (`taken`), or the plan approved with one
    /// (`approved`).
    pub baseline: String,
    /// A package approved or rejected (`approved`, `rejected`), a plan
    /// superseded (`superseded`).
    pub lifecycle: String,
    /// A progress note was added (`1`).
    pub noted: String,
}

impl Banner {
    pub fn message(&self) -> Option<String> {
        let register = match self.register.as_str() {
            "section-added" => Some("The section has been added."),
            "section-saved" => Some("The section has been changed."),
            "section-moved" => Some("The section has been moved."),
            "section-deleted" => Some("The section has been deleted."),
            "influence-deleted" => Some("The key influence has been deleted."),
            "merged" => Some("Merged: every work package now links here."),
            "item-deleted" => Some("The related item has been deleted."),
            _ => None,
        };
        if let Some(message) = register {
            Some(message.into())
        } else if self.import == "1" {
            Some("The plan has been imported.".into())
        } else if self.import == "cancelled" {
            Some("The import was cancelled: nothing has been stored.".into())
        } else if self.import == "updated" {
            Some("The plan has been updated from the file.".into())
        } else if self.import == "update-cancelled" {
            Some("The update was cancelled: nothing has been changed.".into())
        } else if self.noted == "1" {
            Some("The progress note has been added.".into())
        } else if self.baseline == "taken" {
            Some("The baseline has been taken.".into())
        } else if self.baseline == "approved" {
            Some("The plan has been approved, with its proposed work packages, and this baseline taken of it.".into())
        } else if self.lifecycle == "approved" {
            Some("The work package has been approved.".into())
        } else if self.lifecycle == "rejected" {
            Some("The work package has been rejected.".into())
        } else if self.lifecycle == "superseded" {
            Some("The plan has been marked superseded.".into())
        } else if self.programme == "1" {
            Some("The programme has been added.".into())
        } else if self.programme == "deleted" {
            Some("The programme has been deleted.".into())
        } else if !self.deleted.is_empty() {
            Some(format!("Work package {} has been deleted.", self.deleted))
        } else if self.created == "1" {
            Some("The work package has been created.".into())
        } else if self.saved == "1" {
            Some("Your changes have been saved.".into())
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use waymark_store::SortKey;

    fn params(f: impl FnOnce(&mut ListParams)) -> ListParams {
        let mut p = ListParams::default();
        f(&mut p);
        p
    }

    #[test]
    fn empty_params_are_the_first_page_in_plan_order() {
        let q = ListParams::default().query_by_field(100);
        assert_eq!(
            q.map(|q| (q.page, q.per_page, q.sort, q.text)),
            Ok((1, 100, SortKey::Plan, None))
        );
    }

    #[test]
    fn a_wrong_filter_is_named() {
        let cases = [
            params(|p| p.status = "finished".into()),
            params(|p| p.quarter = "Q5 2007".into()),
            params(|p| p.rag = "purple".into()),
            params(|p| p.influence = "abc".into()),
            params(|p| p.section = "x".into()),
            params(|p| p.per_page = "100000".into()),
            params(|p| p.sort = "colour".into()),
        ];
        let names = [
            "status",
            "quarter",
            "rag",
            "influence",
            "section",
            "per_page",
            "sort",
        ];
        for (p, name) in cases.iter().zip(names) {
            let errors = p.query_by_field(100).err().unwrap_or_default();
            assert!(
                errors
                    .iter()
                    .any(|e| e.field == name && e.message.contains(&format!("The {name}"))),
                "{name}: {errors:?}"
            );
        }
    }

    #[test]
    fn page_links_keep_the_filters() {
        let p = params(|p| {
            p.status = "in_progress".into();
            p.q = "single sign".into();
        });
        assert_eq!(p.with_page(2), "status=in_progress&q=single+sign&page=2");
    }
}
