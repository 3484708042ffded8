//! The RAID log at `/plans/{id}/raid`: the risk heat map (SVG, with the same
//! counts as a table), the risks overdue for review, the items filtered by
//! kind, status and search; recording an item of a kind, changing it at its
//! version, and deleting it after a confirmation. A package's page lists the
//! items that concern it ([`PackageRaidItem`]).
//!
//! The heat map's numbers come from `waymark_core::raid`; the SVG is built
//! here as text, so every piece of text in it goes through
//! [`super::timeline::escape`].

use std::fmt::Write;

use askama::Template;
use axum::extract::Path;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use waymark_core::Date;
use waymark_core::raid::{
    Band, HeatMap, RaidKind, RaidStatus, Rating, RiskPoint, Severity, days_between, heat_map,
    overdue, score,
};
use waymark_store::{
    PlanId, PlanStore, PlanSummary, ProgrammeRow, RaidItemId, RaidQuery, RaidRow, WorkPackageQuery,
    WorkPackageRow,
};

use super::csrf::{CsrfForm, PostedForm};
use super::decisions::long_date;
use super::error::{HtmlError, render};
use super::form::{Again, Cx, Filled, Reread, confirm, ok_page, posted_version, save, save_at};
use super::plans::{paragraphs, read_query};
use super::timeline::escape;
use super::view::{Choice, Layout, PlanNav, Section, count_of, programme_label};
use crate::access::{Can, EditPlan, Read};
use crate::error::FieldError;
use crate::form::Form;
use crate::input::{RAID_QUERY, RaidFields, raid_query};

/// What a likelihood of 1 to 5 means.
pub const LIKELIHOODS: [&str; 5] = ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"];
/// What an impact of 1 to 5 means.
pub const IMPACTS: [&str; 5] = ["Negligible", "Minor", "Moderate", "Major", "Severe"];

fn likelihood_word(r: Rating) -> &'static str {
    LIKELIHOODS[usize::from(r.get() - 1)]
}

fn impact_word(r: Rating) -> &'static str {
    IMPACTS[usize::from(r.get() - 1)]
}

/// The fill of a band's cells: light, so the black count reads on it at
/// well over 4.5:1; every cell also has a dark border and its number.
fn fill(band: Band) -> &'static str {
    match band {
        Band::Low => "#cce2d8",
        Band::Medium => "#fff7bf",
        Band::High => "#fcd6c3",
        Band::Severe => "#f6b8b0",
    }
}

fn band_label(band: Band) -> &'static str {
    match band {
        Band::Low => "Low",
        Band::Medium => "Medium",
        Band::High => "High",
        Band::Severe => "Severe",
    }
}

const CELL: i32 = 64;
const LEFT: i32 = 96;
const TOP: i32 = 8;
const BOTTOM: i32 = 64;

/// The heat map as SVG: likelihood up the side (5 at the top), impact
/// across, each cell's count written in it (a zero too), coloured by its
/// score's band. `title` and `desc` are escaped here.
pub fn draw_heat_map(map: &HeatMap, title: &str, desc: &str) -> String {
    let width = LEFT + 5 * CELL + 8;
    let height = TOP + 5 * CELL + BOTTOM;
    let mut cells = String::new();
    for (row, l) in (1..=5u8).rev().filter_map(Rating::new).enumerate() {
        let y = TOP + row as i32 * CELL;
        let _ = write!(
            cells,
            r##"<text x="{x}" y="{ty}" text-anchor="end" font-size="13" fill="#0b0c0c">{n} {w}</text>"##,
            x = LEFT - 8,
            ty = y + CELL / 2 + 5,
            n = l.get(),
            w = escape(likelihood_word(l)),
        );
        for (col, i) in (1..=5u8).filter_map(Rating::new).enumerate() {
            let x = LEFT + col as i32 * CELL;
            let s = score(l, i);
            let band = Band::of(s);
            let count = map.count(l, i);
            let _ = write!(
                cells,
                r##"<g><title>Likelihood {lv}, impact {iv}: score {s}, {b}; {count} open {what}</title><rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" fill="{f}" stroke="#0b0c0c" stroke-width="1"/><text x="{cx}" y="{cy}" text-anchor="middle" font-size="{fs}" font-weight="{fw}" fill="{tc}">{count}</text></g>"##,
                lv = l.get(),
                iv = i.get(),
                b = band_label(band).to_lowercase(),
                what = if count == 1 { "risk" } else { "risks" },
                f = fill(band),
                cx = x + CELL / 2,
                cy = y + CELL / 2 + 8,
                fs = if count > 0 { 24 } else { 16 },
                fw = if count > 0 { "bold" } else { "normal" },
                tc = if count > 0 { "#0b0c0c" } else { "#383f43" },
            );
        }
    }
    let mut axis = String::new();
    for (col, i) in (1..=5u8).filter_map(Rating::new).enumerate() {
        let x = LEFT + col as i32 * CELL + CELL / 2;
        let y = TOP + 5 * CELL;
        let _ = write!(
            axis,
            r##"<text x="{x}" y="{y1}" text-anchor="middle" font-size="13" fill="#0b0c0c">{n}</text><text x="{x}" y="{y2}" text-anchor="middle" font-size="11" fill="#0b0c0c">{w}</text>"##,
            y1 = y + 18,
            y2 = y + 34,
            n = i.get(),
            w = escape(impact_word(i)),
        );
    }
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="heat-map" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-labelledby="heat-map-title heat-map-desc" font-family="system-ui, sans-serif"><title id="heat-map-title">{title}</title><desc id="heat-map-desc">{desc}</desc><rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>{cells}{axis}<text x="{ix}" y="{iy}" text-anchor="middle" font-size="14" font-weight="bold" fill="#0b0c0c">Impact</text><text x="14" y="{ly}" text-anchor="middle" font-size="14" font-weight="bold" fill="#0b0c0c" transform="rotate(-90 14 {ly})">Likelihood</text></svg>"##,
        title = escape(title),
        desc = escape(desc),
        ix = LEFT + 5 * CELL / 2,
        iy = TOP + 5 * CELL + 56,
        ly = TOP + 5 * CELL / 2,
    )
}

/// A cell of the table beside the heat map.
struct TableCell {
    count: u32,
    score: u8,
    band: &'static str,
    /// The open risks in the cell, listed.
    href: String,
    likelihood: u8,
    impact: u8,
}

struct TableRow {
    likelihood: u8,
    word: &'static str,
    cells: Vec<TableCell>,
}

/// One overdue risk.
struct OverdueView {
    href: String,
    title: String,
    owner: String,
    score: u8,
    due_machine: String,
    due: String,
    days: String,
}

struct Link {
    href: String,
    text: String,
}

/// A label and its value, as an item's summary shows them.
struct Fact {
    label: &'static str,
    value: String,
}

/// One RAID item as the log shows it.
struct ItemView {
    id: i64,
    kind: &'static str,
    title: String,
    status: &'static str,
    open: bool,
    score: Option<u8>,
    band: Option<&'static str>,
    facts: Vec<Fact>,
    description: Vec<String>,
    /// A risk's mitigation or an issue's resolution, by its label.
    long: Vec<(&'static str, Vec<String>)>,
    packages: Vec<Link>,
    programmes: Vec<Link>,
}

fn capitalised(s: &str) -> String {
    crate::error::capitalise(s)
}

impl From<&RaidRow> for ItemView {
    fn from(r: &RaidRow) -> Self {
        let plan = r.plan_id;
        let mut facts = Vec::new();
        let mut long = Vec::new();
        match r.kind {
            RaidKind::Risk => {
                if let (Some(l), Some(i)) = (r.likelihood, r.impact) {
                    facts.push(Fact {
                        label: "Likelihood",
                        value: format!("{l} ({})", likelihood_word(l)),
                    });
                    facts.push(Fact {
                        label: "Impact",
                        value: format!("{i} ({})", impact_word(i)),
                    });
                }
                facts.push(Fact {
                    label: "Next review",
                    value: r.next_review.map_or_else(|| "Not set".into(), long_date),
                });
                long.push(("Mitigation", paragraphs(&r.mitigation)));
            }
            RaidKind::Assumption => {}
            RaidKind::Issue => {
                facts.push(Fact {
                    label: "Severity",
                    value: r
                        .severity
                        .map_or_else(|| "Not set".into(), |s| capitalised(s.as_str())),
                });
                long.push(("Resolution", paragraphs(&r.resolution)));
            }
            RaidKind::Dependency => {
                facts.push(Fact {
                    label: "Provided by",
                    value: if r.provider.is_empty() {
                        "Not recorded".into()
                    } else {
                        r.provider.clone()
                    },
                });
                facts.push(Fact {
                    label: "Needed by",
                    value: r.needed_by.map_or_else(|| "Not set".into(), long_date),
                });
            }
        }
        facts.push(Fact {
            label: "Owner",
            value: if r.owner.is_empty() {
                "Not recorded".into()
            } else {
                r.owner.clone()
            },
        });
        ItemView {
            id: r.id.0,
            kind: r.kind.as_str(),
            title: r.title.clone(),
            status: r.status.label(),
            open: r.status == RaidStatus::Open,
            score: r.score(),
            band: r.score().map(|s| band_label(Band::of(s))),
            facts,
            description: paragraphs(&r.description),
            long,
            packages: r
                .work_packages
                .iter()
                .map(|w| Link {
                    href: format!("/work-packages/{}", w.id),
                    text: format!("{} {}", w.reference, w.title),
                })
                .collect(),
            programmes: r
                .programmes
                .iter()
                .map(|p| Link {
                    href: format!("/plans/{plan}/priorities#programme-{}", p.id),
                    text: p.name.clone(),
                })
                .collect(),
        }
    }
}

/// A RAID item as a package's page lists it.
pub struct PackageRaidItem {
    pub href: String,
    /// "Risk", "Issue"…
    pub kind: String,
    pub title: String,
    pub status: &'static str,
    /// A risk's score, written out.
    pub note: String,
}

impl From<&RaidRow> for PackageRaidItem {
    fn from(r: &RaidRow) -> Self {
        PackageRaidItem {
            href: format!("/plans/{}/raid#raid-{}", r.plan_id, r.id),
            kind: capitalised(r.kind.as_str()),
            title: r.title.clone(),
            status: r.status.label(),
            note: match (r.score(), r.severity) {
                (Some(s), _) => format!("score {s} ({})", band_label(Band::of(s)).to_lowercase()),
                (None, Some(sev)) => format!("{sev} severity"),
                _ => String::new(),
            },
        }
    }
}

/// The RAID items that concern a package, as its page lists them.
pub async fn of_package(
    state: &crate::AppState,
    id: waymark_store::WorkPackageId,
) -> Result<Vec<PackageRaidItem>, HtmlError> {
    let rows = state.run(move |s| s.package_raid_items(id)).await?;
    Ok(rows.iter().map(PackageRaidItem::from).collect())
}

// ---------------------------------------------------------------- the log

/// A kind's items under its heading.
struct KindGroup {
    kind: &'static str,
    heading: String,
    items: Vec<ItemView>,
}

#[derive(Template)]
#[template(path = "raid.html")]
struct LogPage {
    layout: Layout,
    plan_id: i64,
    errors: Vec<FieldError>,
    svg: String,
    open_risks: u32,
    table: Vec<TableRow>,
    impacts: Vec<(u8, &'static str)>,
    today: String,
    overdue: Vec<OverdueView>,
    kinds: Vec<Choice>,
    statuses: Vec<Choice>,
    q: String,
    filtered: bool,
    count_text: String,
    groups: Vec<KindGroup>,
    /// The add links: (kind, "Add a risk").
    adds: Vec<(&'static str, String)>,
}

impl LogPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct LogParams {
    kind: String,
    status: String,
    likelihood: String,
    impact: String,
    q: String,
    /// What was just done: `recorded`, `saved` or `deleted` (the banner).
    raid: String,
}

pub async fn log(
    _can: Can<Read>,
    Path(id): Path<i64>,
    cx: Cx,
    uri: Uri,
) -> Result<Response, HtmlError> {
    let (params, mut errors): (LogParams, _) = read_query(&uri, RAID_QUERY)?;
    let pairs: Vec<(String, String)> = [
        ("kind", &params.kind),
        ("status", &params.status),
        ("likelihood", &params.likelihood),
        ("impact", &params.impact),
        ("q", &params.q),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.clone()))
    .collect();
    let query = if errors.is_empty() {
        raid_query(&pairs).unwrap_or_else(|e| {
            errors.extend(e);
            RaidQuery::default()
        })
    } else {
        RaidQuery::default()
    };
    let filtered = pairs.iter().any(|(_, v)| !v.trim().is_empty());
    let failed = !errors.is_empty();
    let plan_id = PlanId(id);
    let (plan, risks, rows): (PlanSummary, Vec<RaidRow>, Vec<RaidRow>) = cx
        .state
        .run(move |s| {
            let plan = s.plan(plan_id)?;
            let risks = s.raid_items(
                plan_id,
                &RaidQuery {
                    kind: Some(RaidKind::Risk),
                    ..Default::default()
                },
            )?;
            // A filter that cannot be read lists nothing rather than everything.
            let rows = if failed {
                Vec::new()
            } else {
                s.raid_items(plan_id, &query)?
            };
            Ok((plan, risks, rows))
        })
        .await?;
    let today = crate::uk_time::today();
    let page = log_page(id, &plan, &risks, &rows, today, errors, &params, filtered);
    Ok(render(StatusCode::OK, &page))
}

#[allow(clippy::too_many_arguments)]
fn log_page(
    id: i64,
    plan: &PlanSummary,
    risks: &[RaidRow],
    rows: &[RaidRow],
    today: Date,
    errors: Vec<FieldError>,
    params: &LogParams,
    filtered: bool,
) -> LogPage {
    let points: Vec<RiskPoint> = risks.iter().filter_map(RaidRow::risk_point).collect();
    let map = heat_map(&points);
    let highest = risks
        .iter()
        .filter(|r| r.status == RaidStatus::Open)
        .filter_map(|r| Some((r.score()?, r)))
        .max_by_key(|(s, r)| (*s, std::cmp::Reverse(r.id)));
    let desc = format!(
        "{} by likelihood (1 rare to 5 almost certain, up the side) and impact (1 negligible to 5 severe, across); each cell is coloured by its score's band and holds its count.{} The same counts are in the table that follows.",
        count_of(u64::from(map.total()), "open risk", "open risks"),
        match highest {
            Some((s, r)) => format!(" The highest: “{}”, score {s}.", r.title),
            None => String::new(),
        }
    );
    let svg = draw_heat_map(&map, &format!("Risk heat map of {}", plan.title), &desc);
    let table = (1..=5u8)
        .rev()
        .filter_map(Rating::new)
        .map(|l| TableRow {
            likelihood: l.get(),
            word: likelihood_word(l),
            cells: (1..=5u8)
                .filter_map(Rating::new)
                .map(|i| {
                    let s = score(l, i);
                    TableCell {
                        count: map.count(l, i),
                        score: s,
                        band: band_label(Band::of(s)),
                        href: format!(
                            "/plans/{id}/raid?kind=risk&status=open&likelihood={}&impact={}#items",
                            l.get(),
                            i.get()
                        ),
                        likelihood: l.get(),
                        impact: i.get(),
                    }
                })
                .collect(),
        })
        .collect();
    let overdue = overdue(&points, today)
        .into_iter()
        .filter_map(|p| {
            let r = risks.iter().find(|r| r.id.0 == p.id)?;
            let due = p.next_review?;
            let days = days_between(due, today);
            Some(OverdueView {
                href: format!("/plans/{id}/raid#raid-{}", p.id),
                title: r.title.clone(),
                owner: r.owner.clone(),
                score: p.score(),
                due_machine: due.to_string(),
                due: long_date(due),
                days: count_of(days.unsigned_abs(), "day", "days"),
            })
        })
        .collect();
    let groups: Vec<KindGroup> = RaidKind::ALL
        .into_iter()
        .filter_map(|k| {
            let items: Vec<ItemView> = rows
                .iter()
                .filter(|r| r.kind == k)
                .map(ItemView::from)
                .collect();
            (!items.is_empty()).then(|| KindGroup {
                kind: k.as_str(),
                heading: format!("{} ({})", capitalised(k.plural()), items.len()),
                items,
            })
        })
        .collect();
    let n = rows.len() as u64;
    let failed = !errors.is_empty();
    let count_text = match (filtered, n) {
        _ if failed => String::new(),
        (true, 0) => "No item matches the filters.".into(),
        (true, _) => format!("{} match the filters.", count_of(n, "item", "items")),
        (false, 0) => "Nothing has been recorded in the RAID log yet.".into(),
        (false, _) => format!("{} in the log.", count_of(n, "item", "items")),
    };
    let heading = if failed {
        "Error: RAID log"
    } else {
        "RAID log"
    };
    let mut layout = Layout::new(heading, Some(PlanNav::from(plan)), Section::None);
    layout.banner = match params.raid.as_str() {
        "recorded" => Some("The item has been recorded in the RAID log.".into()),
        "saved" => Some("The item has been changed.".into()),
        "deleted" => Some("The item has been deleted.".into()),
        _ => None,
    };
    let mut kinds = vec![Choice::new("", "Every kind", &params.kind)];
    kinds.extend(
        RaidKind::ALL
            .iter()
            .map(|k| Choice::new(k.as_str(), capitalised(k.plural()), &params.kind)),
    );
    let mut statuses = vec![Choice::new("", "Any status", &params.status)];
    statuses.extend(
        RaidStatus::ALL
            .iter()
            .map(|s| Choice::new(s.as_str(), s.label(), &params.status)),
    );
    LogPage {
        layout,
        plan_id: id,
        errors,
        svg,
        open_risks: map.total(),
        table,
        impacts: (1..=5u8)
            .filter_map(Rating::new)
            .map(|i| (i.get(), impact_word(i)))
            .collect(),
        today: long_date(today),
        overdue,
        kinds,
        statuses,
        q: params.q.clone(),
        filtered,
        count_text,
        groups,
        adds: RaidKind::ALL
            .iter()
            .map(|k| (k.as_str(), format!("Add {}", k.with_article())))
            .collect(),
    }
}

// ---------------------------------------------------------------- record and change

#[derive(Template)]
#[template(path = "raid_form.html")]
struct FormPage {
    layout: Layout,
    csrf: String,
    heading: String,
    action: String,
    cancel_href: String,
    submit_label: &'static str,
    delete_href: Option<String>,
    /// The kind the form records; `None`: the page offers the four.
    kind: Option<&'static str>,
    plan_id: i64,
    adds: Vec<(&'static str, String)>,
    statuses: Vec<Choice>,
    likelihoods: Vec<Choice>,
    impacts: Vec<Choice>,
    severities: Vec<Choice>,
    packages: Vec<Choice>,
    programmes: Vec<Choice>,
    form: Filled<RaidFields>,
}

impl FormPage {
    /// Whether the form records this kind.
    fn is(&self, kind: &str) -> bool {
        self.kind == Some(kind)
    }

    /// Whether the form's kind has this field of its own.
    fn has(&self, field: &str) -> bool {
        self.kind
            .and_then(|k| k.parse::<RaidKind>().ok())
            .is_some_and(|k| k.own_fields().contains(&field))
    }
}

struct Offered {
    plan: PlanSummary,
    packages: Vec<WorkPackageRow>,
    programmes: Vec<ProgrammeRow>,
}

const PACKAGES_PER_READ: u32 = 500;

fn offered(s: &dyn PlanStore, plan: PlanId) -> waymark_store::Result<Offered> {
    let summary = s.plan(plan)?;
    let mut packages = Vec::new();
    for page in 1.. {
        let query = WorkPackageQuery {
            page,
            per_page: PACKAGES_PER_READ,
            ..Default::default()
        };
        let items = s.list_work_packages(plan, &query)?.items;
        let last = items.len() < PACKAGES_PER_READ as usize;
        packages.extend(items);
        if last {
            break;
        }
    }
    Ok(Offered {
        plan: summary,
        packages,
        programmes: s.programmes(plan)?,
    })
}

struct Spec {
    heading: String,
    action: String,
    cancel_href: String,
    submit_label: &'static str,
    delete_href: Option<String>,
}

fn scale(words: &[&'static str; 5], current: &str, what: &str) -> Vec<Choice> {
    let mut choices = vec![Choice::new("", format!("Choose the {what}"), current)];
    choices.extend(
        words
            .iter()
            .enumerate()
            .map(|(i, w)| Choice::new((i + 1).to_string(), format!("{} – {w}", i + 1), current)),
    );
    choices
}

fn form_page(offered: &Offered, spec: Spec, form: Filled<RaidFields>, csrf: String) -> FormPage {
    let kind = form.values.kind().filter(|_| form.error("kind").is_none());
    let ticked_packages = form.values.work_package_ids.clone().unwrap_or_default();
    let ticked_programmes = form.values.programme_ids.clone().unwrap_or_default();
    let status = form.value("status").to_string();
    let severity = form.value("severity").to_string();
    let mut severities = vec![Choice::new("", "Not set", &severity)];
    severities.extend(
        Severity::ALL
            .iter()
            .map(|s| Choice::new(s.as_str(), capitalised(s.as_str()), &severity)),
    );
    FormPage {
        layout: form.layout(
            &spec.heading,
            Some(PlanNav::from(&offered.plan)),
            Section::None,
        ),
        csrf,
        heading: spec.heading,
        action: spec.action,
        cancel_href: spec.cancel_href,
        submit_label: spec.submit_label,
        delete_href: spec.delete_href,
        kind: kind.map(RaidKind::as_str),
        plan_id: offered.plan.id.0,
        adds: RaidKind::ALL
            .iter()
            .map(|k| (k.as_str(), format!("Add {}", k.with_article())))
            .collect(),
        statuses: kind
            .map(RaidKind::statuses)
            .unwrap_or_default()
            .iter()
            .map(|s| {
                Choice::new(
                    s.as_str(),
                    s.label(),
                    if status.is_empty() { "open" } else { &status },
                )
            })
            .collect(),
        likelihoods: scale(&LIKELIHOODS, form.value("likelihood"), "likelihood"),
        impacts: scale(&IMPACTS, form.value("impact"), "impact"),
        severities,
        packages: offered
            .packages
            .iter()
            .map(|w| Choice {
                value: w.id.0.to_string(),
                label: format!("{} {}", w.reference, w.title),
                selected: ticked_packages.contains(&w.id.0),
            })
            .collect(),
        programmes: offered
            .programmes
            .iter()
            .map(|g| Choice {
                value: g.id.0.to_string(),
                label: programme_label(&g.name, g.priority),
                selected: ticked_programmes.contains(&g.id.0),
            })
            .collect(),
        form,
    }
}

fn new_spec(plan: i64, kind: Option<RaidKind>) -> Spec {
    Spec {
        heading: match kind {
            Some(k) => format!("Record {}", k.with_article()),
            None => "Add to the RAID log".into(),
        },
        action: format!("/plans/{plan}/raid/new"),
        cancel_href: format!("/plans/{plan}/raid"),
        submit_label: "Record it",
        delete_href: None,
    }
}

fn edit_spec(r: &RaidRow) -> Spec {
    Spec {
        heading: format!("Change {}", r.kind.with_article()),
        action: format!("/raid/{}/edit", r.id),
        cancel_href: format!("/plans/{}/raid#raid-{}", r.plan_id, r.id),
        submit_label: "Save changes",
        delete_href: Some(format!("/raid/{}/delete", r.id)),
    }
}

fn posted_fields(posted: PostedForm) -> Filled<RaidFields> {
    let (values, errors) = RaidFields::from_posted(&posted.fields);
    let mut filled = Filled::new(values).opened_from(&posted.fields);
    filled.errors = errors;
    filled.expired = posted.expired;
    filled
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct NewParams {
    kind: String,
}

pub async fn new_form(
    _can: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
    uri: Uri,
) -> Result<Response, HtmlError> {
    let (params, _): (NewParams, _) = read_query(&uri, &["kind"])?;
    let kind = params.kind.parse::<RaidKind>().ok();
    let Cx { state, csrf } = cx;
    let offered = state.run(move |s| offered(s, PlanId(id))).await?;
    let fields = RaidFields {
        kind: kind.map(|k| k.as_str().to_string()),
        status: Some("open".into()),
        ..Default::default()
    };
    let page = form_page(&offered, new_spec(id, kind), Filled::new(fields), csrf);
    Ok(render(StatusCode::OK, &page))
}

pub async fn create(
    Can { by, .. }: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
    posted: PostedForm,
) -> Result<Response, HtmlError> {
    let plan = PlanId(id);
    let offered = cx.state.run(move |s| offered(s, plan)).await?;
    let filled = posted_fields(posted);
    let kind = filled.values.kind();
    let write = move |s: &dyn PlanStore, input| {
        let new_id = s.create_raid_item(plan, &input, &by)?;
        Ok(format!("/plans/{id}/raid?raid=recorded#raid-{new_id}"))
    };
    let page = move |cx: Cx, form| {
        std::future::ready(Ok(form_page(&offered, new_spec(id, kind), form, cx.csrf)))
    };
    save(cx, filled, RaidFields::validate, write, page).await
}

pub async fn edit_form(
    _can: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
) -> Result<Response, HtmlError> {
    let Cx { state, csrf } = cx;
    let rid = RaidItemId(id);
    let (row, offered) = state
        .run(move |s| {
            let row = s.raid_item(rid)?;
            let offered = offered(s, row.plan_id)?;
            Ok((row, offered))
        })
        .await?;
    let form = Filled::new(RaidFields::from(&row)).at(row.version);
    let page = form_page(&offered, edit_spec(&row), form, csrf);
    Ok(render(StatusCode::OK, &page))
}

pub async fn update(
    Can { by, .. }: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
    posted: PostedForm,
) -> Result<Response, HtmlError> {
    let rid = RaidItemId(id);
    let (row, offered) = cx
        .state
        .run(move |s| {
            let row = s.raid_item(rid)?;
            let offered = offered(s, row.plan_id)?;
            Ok((row, offered))
        })
        .await?;
    let mut filled = posted_fields(posted);
    // The kind is the stored one, whatever was posted.
    filled.values.kind = Some(row.kind.as_str().to_string());
    let plan = row.plan_id;
    let write = move |s: &dyn PlanStore, input, expected| {
        let mut input = Some(input);
        s.change_raid_item(rid, expected, &mut |_| input.take(), &by)?;
        Ok(format!("/plans/{plan}/raid?raid=saved#raid-{id}"))
    };
    let reread: Reread<RaidFields> = Box::new(move |s| {
        let row = s.raid_item(rid)?;
        Ok((row.version, RaidFields::from(&row)))
    });
    let spec = edit_spec(&row);
    let page = move |cx: Cx, form| std::future::ready(Ok(form_page(&offered, spec, form, cx.csrf)));
    save_at(cx, filled, RaidFields::validate, write, reread, page).await
}

// ---------------------------------------------------------------- delete

#[derive(Template)]
#[template(path = "raid_delete.html")]
struct DeletePage {
    layout: Layout,
    csrf: String,
    id: i64,
    kind: &'static str,
    item: ItemView,
    version: i64,
}

async fn delete_page(cx: Cx, id: i64, again: Option<Again>) -> Result<DeletePage, HtmlError> {
    let Cx { state, csrf } = cx;
    let rid = RaidItemId(id);
    let (row, plan) = state
        .run(move |s| {
            let row = s.raid_item(rid)?;
            let plan = s.plan(row.plan_id)?;
            Ok((row, plan))
        })
        .await?;
    let heading = format!("Delete {}", row.kind.with_article());
    let mut layout = Layout::new(&heading, Some(PlanNav::from(&plan)), Section::None);
    layout.notice = match again {
        Some(Again::Changed(notice) | Again::Refused(notice)) => Some(notice),
        None => None,
    };
    Ok(DeletePage {
        layout,
        csrf,
        id,
        kind: row.kind.as_str(),
        item: ItemView::from(&row),
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
    let rid = RaidItemId(id);
    let expected = posted_version(&form);
    let write = move |s: &dyn PlanStore| {
        let plan = s.raid_item(rid)?.plan_id;
        s.delete_raid_item(rid, expected, &by)?;
        Ok(format!("/plans/{plan}/raid?raid=deleted"))
    };
    confirm(cx, write, move |cx, why| delete_page(cx, id, Some(why))).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_heat_map_writes_every_count_and_escapes_its_text() {
        let rating = |n| Rating::new(n).unwrap_or_else(|| panic!("{n}"));
        let points = vec![
            RiskPoint {
                id: 1,
                likelihood: rating(5),
                impact: rating(4),
                status: RaidStatus::Open,
                next_review: None,
            },
            RiskPoint {
                id: 2,
                likelihood: rating(5),
                impact: rating(4),
                status: RaidStatus::Open,
                next_review: None,
            },
        ];
        let svg = draw_heat_map(
            &heat_map(&points),
            "Risk heat map of <script>alert(1)</script>",
            "The highest: “Robert'); DROP TABLE raid_item;--” & \"more\"",
        );
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("Robert&#39;); DROP TABLE raid_item;--” &amp; &quot;more&quot;"));
        // 25 cells, each with its count: one 2, twenty-four 0s.
        assert_eq!(
            svg.matches("<rect x=").count(),
            26,
            "the background and 25 cells"
        );
        assert!(svg.contains("Likelihood 5, impact 4: score 20, severe; 2 open risks"));
        assert_eq!(svg.matches("; 0 open risks</title>").count(), 24);
    }
}
