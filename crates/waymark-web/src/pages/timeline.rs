//! The timeline: an SVG roadmap of packages by delivery quarter, grouped by
//! section, coloured by status with a text cue, dependencies drawn as arrows.
//! Drawn on the server so it needs no script; the SVG is built here as text,
//! so every piece of text in it goes through [`escape`].

use std::collections::HashMap;
use std::fmt::Write;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use waymark_core::{Date, Quarter, QuarterConvention, QuarterRange, Status};
use waymark_store::{
    BaselineId, Page, PlanId, SectionId, SortKey, StoreError, WorkPackageId, WorkPackageRow,
};

use super::error::{HtmlError, render};
use super::plans::{ListParams, read_query};
use super::view::{Choice, Layout, PlanNav, Section, WpRow, thousands};
use crate::AppState;
use crate::access::{Can, Read};
use crate::error::{FieldError, capitalise};
use crate::input::WORK_PACKAGE_QUERY;

/// Most packages drawn at once; the page says when there are more.
pub const CAP: u32 = 300;

const LABEL_WIDTH: i32 = 300;
const QUARTER_WIDTH: i32 = 112;
const ROW_HEIGHT: i32 = 28;
const SECTION_HEIGHT: i32 = 32;
const AXIS_HEIGHT: i32 = 36;
const BAR_INSET: i32 = 5;

/// Escape text for SVG (XML) content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Fill, stroke and dash pattern per status: colour is never alone, every bar
/// also carries the status as text, and the dash pattern differs.
fn style(status: Status) -> (&'static str, &'static str, &'static str) {
    match status {
        Status::Proposed => ("#ffffff", "#505a5f", "4 2 1 2"),
        Status::Approved => ("#eeefef", "#505a5f", "6 3"),
        Status::InProgress => ("#d2e2f1", "#1d70b8", "none"),
        Status::Delivered => ("#cce2d8", "#00703c", "none"),
        Status::Closed => ("#b1b4b6", "#0b0c0c", "none"),
        Status::OnHold => ("#fcd6c3", "#d4351c", "2 2"),
        Status::Rejected => ("#ffffff", "#942514", "1 3"),
        Status::Cancelled => ("#ffffff", "#383f43", "1 3"),
    }
}

/// What the roadmap shows: packages in plan order with their section labels,
/// and dependencies between shown packages.
pub struct Roadmap<'a> {
    pub title: &'a str,
    pub sections: &'a [(SectionId, String)],
    pub packages: &'a [WorkPackageRow],
    pub dependencies: &'a [(WorkPackageId, WorkPackageId)],
    /// The quarters drawn to scale; parts outside it go to an "Earlier" or
    /// "Later" column, labelled with their quarter.
    pub range: QuarterRange,
    /// Today as a quarter and how far through it (0 to 1), for the today line.
    pub today: Option<(Quarter, f32)>,
    /// A baseline to draw beside the bars: its name, and each package's
    /// delivery quarters then, by reference.
    pub baseline: Option<(&'a str, &'a HashMap<String, Vec<Quarter>>)>,
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Draw the roadmap as an SVG document fragment.
pub fn draw(map: &Roadmap<'_>) -> String {
    let then = |reference: &str| -> &[Quarter] {
        map.baseline
            .and_then(|(_, by_ref)| by_ref.get(reference))
            .map_or(&[], Vec::as_slice)
    };
    let quarters = || {
        map.packages.iter().flat_map(|p| {
            p.delivery
                .iter()
                .map(|d| d.quarter)
                .chain(then(&p.reference).iter().copied())
        })
    };
    if quarters().next().is_none() {
        return String::new();
    }
    // With a baseline, each row's bar leaves room under it for the bar then.
    let bar_height = if map.baseline.is_some() {
        ROW_HEIGHT - 13
    } else {
        ROW_HEIGHT - 8
    };
    let QuarterRange { first, last } = map.range;
    let earlier = quarters().any(|q| q < first);
    let later = quarters().any(|q| q > last);
    let offset = i32::from(earlier);
    let scaled = map.range.len();
    let columns = scaled + offset + i32::from(later);
    // Each quarter's column; parts outside the range share the edge columns.
    let x_of = |q: Quarter| {
        let column = if q < first {
            0
        } else if q > last {
            offset + scaled
        } else {
            offset + q.index() - first.index()
        };
        LABEL_WIDTH + column * QUARTER_WIDTH
    };

    // Rows: a heading row per section that has packages, then its packages.
    let mut y = AXIS_HEIGHT;
    let mut body = String::new();
    let mut bars: HashMap<WorkPackageId, (i32, i32, i32)> = HashMap::new(); // id -> (x_start, x_end, y_mid)
    let label_of: HashMap<SectionId, &str> = map
        .sections
        .iter()
        .map(|(id, l)| (*id, l.as_str()))
        .collect();
    let mut current: Option<SectionId> = None;
    for wp in map.packages {
        if current != Some(wp.section_id) {
            current = Some(wp.section_id);
            let label = label_of.get(&wp.section_id).copied().unwrap_or("Section");
            let _ = write!(
                body,
                r##"<rect x="0" y="{y}" width="{w}" height="{SECTION_HEIGHT}" fill="#f3f2f1"/><text x="8" y="{ty}" font-weight="700" font-size="14" fill="#1b1b1b">{t}</text>"##,
                w = LABEL_WIDTH + columns * QUARTER_WIDTH,
                ty = y + 21,
                t = escape(&truncate(label, 60)),
            );
            y += SECTION_HEIGHT;
        }
        let mid = y + ROW_HEIGHT / 2;
        let _ = write!(
            body,
            r##"<text x="8" y="{ty}" font-size="12" fill="#1b1b1b"><tspan font-weight="700">{r}</tspan> {t}</text>"##,
            ty = mid + 4,
            r = escape(&wp.reference),
            t = escape(&truncate(&wp.title, 34)),
        );
        let (fill, stroke, dash) = style(wp.status);
        let mut span: Option<(i32, i32)> = None;
        for part in &wp.delivery {
            let x = x_of(part.quarter) + BAR_INSET;
            let w = QUARTER_WIDTH - 2 * BAR_INSET;
            // Off the scale: the bar says its quarter; the table has the status.
            let what = if map.range.contains(part.quarter) {
                wp.status.label().to_string()
            } else {
                part.quarter.to_string()
            };
            let text = match &part.label {
                Some(l) => format!("{l}) {what}"),
                None => what,
            };
            let _ = write!(
                body,
                r##"<rect x="{x}" y="{by}" width="{w}" height="{h}" rx="3" fill="{fill}" stroke="{stroke}" stroke-width="2" stroke-dasharray="{dash}"/><text x="{tx}" y="{ty}" font-size="11" fill="#1b1b1b">{t}</text>"##,
                by = y + 3,
                h = bar_height,
                tx = x + 6,
                ty = y + 3 + bar_height / 2 + 4,
                t = escape(&text),
            );
            if matches!(wp.status, Status::Cancelled | Status::Rejected) {
                let _ = write!(
                    body,
                    r##"<line x1="{x}" y1="{mid}" x2="{x2}" y2="{mid}" stroke="#383f43" stroke-width="1"/>"##,
                    x2 = x + w
                );
            }
            span = Some(match span {
                None => (x, x + w),
                Some((a, b)) => (a.min(x), b.max(x + w)),
            });
        }
        for q in then(&wp.reference) {
            let _ = write!(
                body,
                r##"<rect class="baseline-bar" x="{x}" y="{by}" width="{w}" height="5" fill="#0b0c0c"/>"##,
                x = x_of(*q) + BAR_INSET,
                by = y + ROW_HEIGHT - 8,
                w = QUARTER_WIDTH - 2 * BAR_INSET,
            );
        }
        if let Some((a, b)) = span {
            bars.insert(wp.id, (a, b, mid));
        }
        y += ROW_HEIGHT;
    }
    let height = y + 8;
    let width = LABEL_WIDTH + columns * QUARTER_WIDTH + 8;

    // Axis and grid under everything else.
    let mut grid = String::new();
    for i in 0..columns {
        let x = LABEL_WIDTH + i * QUARTER_WIDTH;
        let (heading, weight) = if earlier && i == 0 {
            ("Earlier".to_string(), "400")
        } else if later && i == columns - 1 {
            ("Later".to_string(), "400")
        } else {
            (
                Quarter::from_index(first.index() + i - offset).to_string(),
                "700",
            )
        };
        let _ = write!(
            grid,
            r##"<line x1="{x}" y1="{AXIS_HEIGHT}" x2="{x}" y2="{height}" stroke="#d8d8d8" stroke-width="1"/><text x="{tx}" y="22" font-size="13" font-weight="{weight}" fill="#1b1b1b" text-anchor="middle">{q}</text>"##,
            tx = x + QUARTER_WIDTH / 2,
            q = escape(&heading),
        );
    }
    // The edge columns are not to scale: a dashed rule sets them apart.
    for (shown, column) in [(earlier, offset), (later, offset + scaled)] {
        if shown {
            let x = LABEL_WIDTH + column * QUARTER_WIDTH;
            let _ = write!(
                grid,
                r##"<line x1="{x}" y1="4" x2="{x}" y2="{height}" stroke="#505a5f" stroke-width="2" stroke-dasharray="4 4"/>"##
            );
        }
    }
    let _ = write!(
        grid,
        r##"<line x1="0" y1="{AXIS_HEIGHT}" x2="{width}" y2="{AXIS_HEIGHT}" stroke="#1b1b1b" stroke-width="2"/>"##
    );

    // Arrows from the end of a predecessor's bar to the start of its successor's.
    let mut arrows = String::new();
    for (pred, succ) in map.dependencies {
        let (Some(&(_, from_x, from_y)), Some(&(to_x, _, to_y))) = (bars.get(pred), bars.get(succ))
        else {
            continue;
        };
        let bend = ((to_x - from_x).abs() / 2).max(24);
        let _ = write!(
            arrows,
            r##"<path d="M{from_x} {from_y} C{c1} {from_y}, {c2} {to_y}, {to_x} {to_y}" fill="none" stroke="#1b1b1b" stroke-width="1.5" marker-end="url(#wm-arrow)"/>"##,
            c1 = from_x + bend,
            c2 = to_x - bend,
        );
    }

    // Today, where it falls in the range.
    let mut today_line = String::new();
    if let Some((q, fraction)) = map.today
        && map.range.contains(q)
    {
        let x = x_of(q) + (fraction.clamp(0.0, 1.0) * QUARTER_WIDTH as f32).round() as i32;
        let _ = write!(
            today_line,
            r##"<line x1="{x}" y1="{AXIS_HEIGHT}" x2="{x}" y2="{height}" stroke="#d4351c" stroke-width="2"/><text x="{tx}" y="{ty}" font-size="12" font-weight="700" fill="#d4351c">Today</text>"##,
            tx = x + 4,
            ty = AXIS_HEIGHT + 14,
        );
    }

    let shown = map.packages.len();
    let drawn_arrows = arrows.matches("<path").count();
    let desc = format!(
        "{shown} work packages from {first} to {last}{edges}, grouped by section; each bar is a delivery quarter labelled with the package's status; {drawn_arrows} arrows show dependencies from a package to the one that waits for it.{then}{today} The same information is in the table below.",
        then = match map.baseline {
            Some((name, _)) => format!(
                " A thin black bar under a row marks where its delivery was at baseline \"{name}\"."
            ),
            None => String::new(),
        },
        edges = match (earlier, later) {
            (true, true) => ", with earlier and later quarters in a column at each end",
            (true, false) => ", with earlier quarters in a column at the start",
            (false, true) => ", with later quarters in a column at the end",
            (false, false) => "",
        },
        today = if today_line.is_empty() {
            ""
        } else {
            " A red line marks today."
        },
    );
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-labelledby="timeline-title timeline-desc" font-family="system-ui, sans-serif"><title id="timeline-title">{title}</title><desc id="timeline-desc">{desc}</desc><defs><marker id="wm-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="#1b1b1b"/></marker></defs><rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>{grid}{body}{arrows}{today_line}</svg>"##,
        title = escape(map.title),
        desc = escape(&desc),
    )
}

struct LegendItem {
    label: &'static str,
    swatch: String,
}

fn legend() -> Vec<LegendItem> {
    Status::ALL
        .iter()
        .map(|s| {
            let (fill, stroke, dash) = style(*s);
            let strike = if matches!(*s, Status::Cancelled | Status::Rejected) {
                r##"<line x1="2" y1="9" x2="38" y2="9" stroke="#383f43" stroke-width="1"/>"##
            } else {
                ""
            };
            LegendItem {
                label: s.label(),
                swatch: format!(
                    r##"<svg width="40" height="18" viewBox="0 0 40 18" aria-hidden="true" focusable="false" class="legend__swatch"><rect x="2" y="2" width="36" height="14" rx="3" fill="{fill}" stroke="{stroke}" stroke-width="2" stroke-dasharray="{dash}"/>{strike}</svg>"##
                ),
            }
        })
        .collect()
}

struct TableRow {
    row: WpRow,
    section: String,
    depends_on: String,
    /// The delivery at the chosen baseline.
    then: String,
}

/// The range control's fields as typed: quarters such as `Q1 2006`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct RangeParams {
    pub from: String,
    pub to: String,
    /// A baseline of the plan to draw beside the bars (its id).
    pub baseline: String,
}

/// A package part drawn off the scale, listed under the chart.
struct Outlier {
    id: i64,
    reference: String,
    title: String,
    quarters: String,
}

#[derive(Template)]
#[template(path = "timeline.html")]
struct TimelinePage {
    layout: Layout,
    plan_id: i64,
    /// The range drawn to scale, as the control shows it.
    from: String,
    to: String,
    errors: Vec<FieldError>,
    outliers: Vec<Outlier>,
    sections: Vec<Choice>,
    statuses: Vec<Choice>,
    params: ListParams,
    filtered: bool,
    svg: String,
    legend: Vec<LegendItem>,
    summary: String,
    capped: bool,
    undated: usize,
    rows: Vec<TableRow>,
    /// The plan's baselines, for the control; the one drawn, by name.
    baselines: Vec<Choice>,
    baseline: Option<String>,
}

impl TimelinePage {
    fn error(&self, field: &str) -> Option<&str> {
        crate::error::message_for(&self.errors, field)
    }
}

/// The range the person asked for, or the errors naming each wrong field.
fn chosen_range(
    typed: &RangeParams,
    default: Option<QuarterRange>,
) -> (Option<QuarterRange>, Vec<FieldError>) {
    let mut errors = Vec::new();
    let mut quarter = |field: &str, text: &str| -> Option<Quarter> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        match text.parse::<Quarter>() {
            Ok(q) => Some(q),
            Err(_) => {
                errors.push(FieldError::new(
                    field,
                    format!("\"{text}\" is not a quarter; write it like Q1 2006"),
                ));
                None
            }
        }
    };
    let (from, to) = (quarter("from", &typed.from), quarter("to", &typed.to));
    if !errors.is_empty() {
        return (default, errors);
    }
    let first = from.or(default.map(|r| r.first));
    let last = to.or(default.map(|r| r.last));
    match (first, last) {
        (Some(first), Some(last)) => match QuarterRange::new(first, last) {
            Ok(range) => (Some(range), errors),
            Err(message) => {
                errors.push(FieldError::new("to", capitalise(&message)));
                (default, errors)
            }
        },
        _ => (default, errors),
    }
}

/// Today's quarter under the plan's convention and how far through it we are.
fn today_in(convention: QuarterConvention) -> Option<(Quarter, f32)> {
    let today = time::OffsetDateTime::now_utc().date();
    position_of(Date::from_calendar(today), convention)
}

fn position_of(day: Date, convention: QuarterConvention) -> Option<(Quarter, f32)> {
    let q = Quarter::containing(day, convention);
    let end = q.end_date(convention).get();
    let start = Quarter::from_index(q.index() - 1)
        .end_date(convention)
        .get()
        .next_day()?;
    let length = (end - start).whole_days() + 1;
    let into = (day.get() - start).whole_days();
    Some((q, into as f32 / length as f32))
}

pub async fn page(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    uri: Uri,
) -> Result<Response, HtmlError> {
    let (params, repeated) = read_query::<ListParams>(&uri, WORK_PACKAGE_QUERY)?;
    let (typed_range, range_repeated) =
        read_query::<RangeParams>(&uri, &["from", "to", "baseline"])?;
    let chosen = typed_range.baseline.trim().to_string();
    let wanted = chosen.clone();
    // Wrong filters are shown beside the form, and nothing is drawn.
    let query = params.checked(CAP, repeated).map(|mut query| {
        query.page = 1;
        query.per_page = CAP;
        query.sort = SortKey::Plan;
        query.descending = false;
        query
    });
    let filter_errors = query.clone().err().unwrap_or_default();
    let plan_id = PlanId(id);
    let (plan, sections, list, dependencies, baselines, baseline) = state
        .run(move |s| {
            let list = match &query {
                Ok(query) => s.list_work_packages(plan_id, query)?,
                Err(_) => Page {
                    items: Vec::new(),
                    total: 0,
                    total_is_lower_bound: false,
                    page: 1,
                    per_page: CAP,
                    next_cursor: None,
                    previous_cursor: None,
                },
            };
            // A baseline that is not one of this plan's is said beside its field.
            let baseline = match wanted.parse::<i64>() {
                _ if wanted.is_empty() => Ok(None),
                Ok(b) => match s.baseline(BaselineId(b)) {
                    Ok(found) if found.row.plan_id == plan_id => Ok(Some(found)),
                    Ok(_) | Err(StoreError::NotFound { .. }) => Err(()),
                    Err(e) => return Err(e),
                },
                Err(_) => Err(()),
            };
            Ok((
                s.plan(plan_id)?,
                s.sections(plan_id)?,
                list,
                s.dependencies(plan_id)?,
                s.baselines(plan_id)?,
                baseline,
            ))
        })
        .await?;
    let baseline_error = baseline
        .is_err()
        .then(|| FieldError::new("baseline", "Choose a baseline of this plan from the list"));
    let baseline = baseline.ok().flatten();
    let then: HashMap<String, Vec<Quarter>> = baseline
        .as_ref()
        .map(|b| {
            b.plan
                .work_packages()
                .map(|(r, _, wp)| (r.0, wp.delivery.iter().map(|d| d.quarter).collect()))
                .collect()
        })
        .unwrap_or_default();
    let shown: HashMap<WorkPackageId, &WorkPackageRow> =
        list.items.iter().map(|w| (w.id, w)).collect();
    let links: Vec<(WorkPackageId, WorkPackageId)> = dependencies
        .iter()
        .filter(|d| shown.contains_key(&d.predecessor.id) && shown.contains_key(&d.successor.id))
        .map(|d| (d.predecessor.id, d.successor.id))
        .collect();
    let section_labels: Vec<(SectionId, String)> =
        sections.iter().map(|s| (s.id, s.label.clone())).collect();
    let quarters: Vec<Quarter> = list
        .items
        .iter()
        .flat_map(|w| w.delivery.iter().map(|d| d.quarter))
        .collect();
    let default_range = QuarterRange::focus(&plan.period, &quarters);
    let (range, range_errors) = chosen_range(&typed_range, default_range);
    let mut errors = filter_errors;
    for e in range_repeated
        .into_iter()
        .chain(range_errors)
        .chain(baseline_error)
    {
        if !errors.iter().any(|had| had.field == e.field) {
            errors.push(e);
        }
    }
    let title = format!("Timeline of {}", plan.title);
    let svg = match range {
        Some(range) => draw(&Roadmap {
            title: &title,
            sections: &section_labels,
            packages: &list.items,
            dependencies: &links,
            range,
            today: today_in(plan.quarter_convention),
            baseline: baseline.as_ref().map(|b| (b.row.name.as_str(), &then)),
        }),
        None => String::new(),
    };
    let outliers: Vec<Outlier> = match range {
        Some(range) => list
            .items
            .iter()
            .filter_map(|w| {
                let off: Vec<String> = w
                    .delivery
                    .iter()
                    .filter(|d| !range.contains(d.quarter))
                    .map(|d| d.to_string())
                    .collect();
                (!off.is_empty()).then(|| Outlier {
                    id: w.id.0,
                    reference: w.reference.clone(),
                    title: w.title.clone(),
                    quarters: off.join(", "),
                })
            })
            .collect(),
        None => Vec::new(),
    };
    // The control shows what was typed when it was wrong, else the range drawn.
    let (from, to) = if errors.is_empty() {
        (
            range.map(|r| r.first.to_string()).unwrap_or_default(),
            range.map(|r| r.last.to_string()).unwrap_or_default(),
        )
    } else {
        (
            typed_range.from.trim().to_string(),
            typed_range.to.trim().to_string(),
        )
    };
    let label_of: HashMap<SectionId, &str> = section_labels
        .iter()
        .map(|(id, l)| (*id, l.as_str()))
        .collect();
    let rows = list
        .items
        .iter()
        .map(|w| TableRow {
            row: WpRow::from(w),
            section: label_of
                .get(&w.section_id)
                .copied()
                .unwrap_or("")
                .to_string(),
            depends_on: dependencies
                .iter()
                .filter(|d| d.successor.id == w.id)
                .map(|d| d.predecessor.reference.clone())
                .collect::<Vec<_>>()
                .join(", "),
            then: then
                .get(&w.reference)
                .map(|qs| {
                    qs.iter()
                        .map(Quarter::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default(),
        })
        .collect();
    let capped = list.total > list.items.len() as u64;
    let summary = if capped {
        format!(
            "Showing the first {} of {} work packages, in plan order. Use the filters to see the others.",
            thousands(list.items.len() as u64),
            thousands(list.total)
        )
    } else {
        format!("Showing {} work packages.", thousands(list.total))
    };
    let undated = list.items.iter().filter(|w| w.delivery.is_empty()).count();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else if errors.iter().any(|e| e.field != "from" && e.field != "to") {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let heading = if errors.is_empty() {
        "Timeline"
    } else {
        "Error: Timeline"
    };
    let page = TimelinePage {
        layout: Layout::new(heading, Some(PlanNav::from(&plan)), Section::Timeline),
        plan_id: id,
        from,
        to,
        errors,
        outliers,
        sections: sections
            .iter()
            .map(|s| Choice::new(s.id.0.to_string(), s.label.clone(), &params.section))
            .collect(),
        statuses: Status::ALL
            .iter()
            .map(|s| Choice::new(s.as_str(), s.label(), &params.status))
            .collect(),
        filtered: params.is_filtered(),
        params,
        svg,
        legend: legend(),
        summary,
        capped,
        undated,
        rows,
        baselines: baselines
            .iter()
            .map(|b| Choice::new(b.id.0.to_string(), b.name.clone(), &chosen))
            .collect(),
        baseline: baseline.map(|b| b.row.name),
    };
    Ok(render(status, &page))
}

#[cfg(test)]
mod tests {
    use super::*;
    use waymark_core::{DeliveryTarget, Progress};

    #[test]
    fn escapes_markup_characters() {
        assert_eq!(
            escape(r#"<a href="x">Tom & Jerry's</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
        );
        assert_eq!(escape("www.br"), "www.br");
    }

    fn quarter(text: &str) -> Quarter {
        text.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_baseline_is_drawn_under_each_row_where_it_was() {
        let packages = vec![row(
            1,
            1,
            "10.1.1",
            "Moved",
            &["Q3 2007"],
            Status::InProgress,
        )];
        let then: HashMap<String, Vec<Quarter>> =
            HashMap::from([("10.1.1".to_string(), vec![quarter("Q1 2007")])]);
        let map = |baseline| Roadmap {
            title: "t",
            sections: &[],
            packages: &packages,
            dependencies: &[],
            range: range("Q1 2007", "Q4 2007"),
            today: None,
            baseline,
        };
        let svg = draw(&map(Some(("Agreed <April>", &then))));
        let x = LABEL_WIDTH + BAR_INSET;
        assert!(
            svg.contains(&format!(r#"<rect class="baseline-bar" x="{x}" "#)),
            "the bar then is in the Q1 2007 column: {svg}"
        );
        assert!(
            svg.contains("at baseline &quot;Agreed &lt;April&gt;&quot;"),
            "{svg}"
        );
        assert!(!draw(&map(None)).contains("baseline-bar"));
        // A quarter then outside the range opens the edge column.
        let early: HashMap<String, Vec<Quarter>> =
            HashMap::from([("10.1.1".to_string(), vec![quarter("Q1 2005")])]);
        assert!(draw(&map(Some(("Old", &early)))).contains(">Earlier</text>"));
    }

    fn row(
        id: i64,
        section: i64,
        reference: &str,
        title: &str,
        quarters: &[&str],
        status: Status,
    ) -> WorkPackageRow {
        WorkPackageRow {
            id: WorkPackageId(id),
            plan_id: PlanId(1),
            section_id: SectionId(section),
            reference: reference.into(),
            number: reference.rsplit('.').next().unwrap_or("").into(),
            title: title.into(),
            delivery: quarters
                .iter()
                .filter_map(|q| q.parse().ok())
                .map(|quarter| DeliveryTarget {
                    label: None,
                    quarter,
                })
                .collect(),
            owner: String::new(),
            status,
            rag: None,
            progress: Progress::default(),
            version: waymark_store::Version(1),
        }
    }

    #[test]
    fn draws_axis_sections_bars_and_arrows_with_text_escaped() {
        let sections = vec![(SectionId(1), "10.1 Core <systems>".to_string())];
        let packages = vec![
            row(
                1,
                1,
                "10.1.1",
                "Review & reduce",
                &["Q4 2006"],
                Status::InProgress,
            ),
            row(2, 1, "10.1.2", "Next", &["Q2 2007"], Status::Approved),
        ];
        let deps = vec![(WorkPackageId(1), WorkPackageId(2))];
        let svg = draw(&Roadmap {
            title: "Plan \"A\"",
            sections: &sections,
            packages: &packages,
            dependencies: &deps,
            range: range("Q4 2006", "Q2 2007"),
            today: None,
            baseline: None,
        });
        assert!(svg.contains(r#"role="img" aria-labelledby="timeline-title timeline-desc""#));
        assert!(svg.contains("<title id=\"timeline-title\">Plan &quot;A&quot;</title>"));
        for q in ["Q4 2006", "Q1 2007", "Q2 2007"] {
            assert!(svg.contains(&format!(">{q}</text>")), "{q} on the axis");
        }
        assert!(svg.contains("10.1 Core &lt;systems&gt;"));
        assert!(svg.contains("Review &amp; reduce"));
        assert!(svg.contains(">In progress</text>"));
        assert_eq!(svg.matches("marker-end=").count(), 1);
        assert!(!svg.contains("style="));
    }

    fn range(first: &str, last: &str) -> QuarterRange {
        let q = |s: &str| s.parse::<Quarter>().unwrap_or_else(|e| panic!("{e}"));
        QuarterRange::new(q(first), q(last)).unwrap_or_else(|e| panic!("{e}"))
    }

    /// One package at Q1 1900 to Q4 2999 used to make the chart 493,108 px
    /// wide; now its parts sit in "Earlier" and "Later" columns and the chart
    /// is as wide as the range.
    #[test]
    fn outliers_do_not_widen_the_chart() {
        let packages = vec![
            row(
                1,
                1,
                "1.1",
                "Typed wrong",
                &["Q1 1900", "Q4 2999"],
                Status::Approved,
            ),
            row(2, 1, "1.2", "On time", &["Q2 2007"], Status::InProgress),
        ];
        let svg = draw(&Roadmap {
            title: "t",
            sections: &[],
            packages: &packages,
            dependencies: &[],
            range: range("Q1 2006", "Q4 2008"),
            today: None,
            baseline: None,
        });
        let width: i32 = svg
            .split("width=\"")
            .nth(1)
            .and_then(|w| w.split('"').next())
            .and_then(|w| w.parse().ok())
            .unwrap_or(i32::MAX);
        assert_eq!(
            width,
            LABEL_WIDTH + 14 * QUARTER_WIDTH + 8,
            "12 quarters and 2 edge columns"
        );
        assert!(svg.contains(">Earlier</text>") && svg.contains(">Later</text>"));
        assert!(svg.contains(">Q1 1900</text>"), "the bar says its quarter");
        assert!(svg.contains(">Q4 2999</text>"));
        assert!(svg.contains(">In progress</text>"));
    }

    #[test]
    fn today_is_drawn_where_it_falls() {
        let packages = vec![row(1, 1, "1.1", "A", &["Q2 2007"], Status::InProgress)];
        let q = |s: &str| s.parse::<Quarter>().unwrap_or_else(|e| panic!("{e}"));
        let map = |today| Roadmap {
            title: "t",
            sections: &[],
            packages: &packages,
            dependencies: &[],
            range: range("Q1 2007", "Q4 2007"),
            today,
            baseline: None,
        };
        let svg = draw(&map(Some((q("Q2 2007"), 0.5))));
        let x = LABEL_WIDTH + QUARTER_WIDTH + QUARTER_WIDTH / 2;
        assert!(
            svg.contains(&format!(r#"<line x1="{x}" y1="{AXIS_HEIGHT}""#)),
            "{svg}"
        );
        assert!(svg.contains(">Today</text>"));
        assert!(!draw(&map(Some((q("Q1 2020"), 0.5)))).contains("Today"));
    }

    #[test]
    fn today_in_its_quarter() {
        let d = |s: &str| s.parse::<Date>().unwrap_or_else(|e| panic!("{e}"));
        let (q, f) = position_of(d("2026-11-25"), QuarterConvention::Calendar)
            .unwrap_or_else(|| panic!("no position"));
        assert_eq!(q.to_string(), "Q4 2026");
        assert!((0.59..0.61).contains(&f), "{f}");
        let (q, f) = position_of(d("2026-04-01"), QuarterConvention::Financial)
            .unwrap_or_else(|| panic!("no position"));
        assert_eq!((q.to_string(), f), ("Q1 2026".to_string(), 0.0));
    }

    #[test]
    fn ranges_typed_wrong_are_named() {
        let default = Some(range("Q1 2006", "Q4 2008"));
        let typed = |from: &str, to: &str| RangeParams {
            from: from.into(),
            to: to.into(),
            baseline: String::new(),
        };
        let (r, e) = chosen_range(&typed("", ""), default);
        assert_eq!((r, e.len()), (default, 0));
        let (r, e) = chosen_range(&typed("Q1 2007", ""), default);
        assert_eq!((r, e.len()), (Some(range("Q1 2007", "Q4 2008")), 0));
        let (_, e) = chosen_range(&typed("soon", "Q1 2007"), default);
        assert_eq!(
            e.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["from"]
        );
        let (r, e) = chosen_range(&typed("Q1 2008", "Q1 2007"), default);
        assert_eq!(
            (r, e.iter().map(|e| e.field.as_str()).collect::<Vec<_>>()),
            (default, vec!["to"])
        );
        let (_, e) = chosen_range(&typed("Q1 1900", "Q4 2999"), default);
        assert_eq!(e.len(), 1, "too wide");
    }

    #[test]
    fn nothing_to_draw_without_quarters() {
        let packages = vec![row(1, 1, "10.1.1", "Undated", &[], Status::Approved)];
        assert_eq!(
            draw(&Roadmap {
                title: "t",
                sections: &[],
                packages: &packages,
                dependencies: &[],
                range: range("Q1 2006", "Q4 2006"),
                today: None,
                baseline: None,
            }),
            ""
        );
    }
}
