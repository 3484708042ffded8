//! What the API sends of the RAID log.

use serde::Serialize;
use utoipa::ToSchema;
use waymark_core::Date;
use waymark_core::raid::{Band, Rating, RiskPoint, days_between, heat_map, overdue};
use waymark_store::RaidRow;

use super::{PackageLinkDto, ProgrammeRefDto};

/// An item of a plan's RAID log. The fields of another kind are `null` or
/// empty.
#[derive(Serialize, ToSchema)]
pub struct RaidItemDto {
    pub id: i64,
    pub plan_id: i64,
    /// `risk`, `assumption`, `issue` or `dependency`.
    pub kind: String,
    /// The risk, the assumption, the issue, or what is depended on.
    pub title: String,
    pub description: String,
    pub owner: String,
    /// A risk: `open` or `closed`; an assumption: `open`, `validated` or
    /// `invalid`; an issue: `open` or `resolved`; a dependency: `open`,
    /// `met` or `missed`.
    pub status: String,
    /// A risk's likelihood, 1 to 5.
    pub likelihood: Option<u8>,
    /// A risk's impact, 1 to 5.
    pub impact: Option<u8>,
    /// A risk's score: likelihood × impact, 1 to 25.
    pub score: Option<u8>,
    pub mitigation: String,
    /// When a risk is next to be reviewed, YYYY-MM-DD.
    pub next_review: Option<String>,
    /// An issue's severity: `low`, `medium`, `high` or `critical`.
    pub severity: Option<String>,
    pub resolution: String,
    /// Who provides what a dependency depends on.
    pub provider: String,
    /// When a dependency is needed by, YYYY-MM-DD.
    pub needed_by: Option<String>,
    /// When it was recorded in Waymark (RFC 3339, UTC).
    pub recorded_at: String,
    /// The packages it concerns, in plan order.
    pub work_packages: Vec<PackageLinkDto>,
    /// The programmes it concerns.
    pub programmes: Vec<ProgrammeRefDto>,
    /// The record's version, as its `ETag` gives it (`"12"`): send it back in
    /// `If-Match` to change or delete the record.
    pub version: i64,
}

impl From<RaidRow> for RaidItemDto {
    fn from(r: RaidRow) -> Self {
        let recorded_at =
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(r.created_ms) * 1_000_000)
                .ok()
                .and_then(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .ok()
                })
                .unwrap_or_else(|| r.created_ms.to_string());
        RaidItemDto {
            id: r.id.0,
            plan_id: r.plan_id.0,
            kind: r.kind.as_str().into(),
            score: r.score(),
            title: r.title,
            description: r.description,
            owner: r.owner,
            status: r.status.as_str().into(),
            likelihood: r.likelihood.map(Rating::get),
            impact: r.impact.map(Rating::get),
            mitigation: r.mitigation,
            next_review: r.next_review.map(|d| d.to_string()),
            severity: r.severity.map(|s| s.as_str().into()),
            resolution: r.resolution,
            provider: r.provider,
            needed_by: r.needed_by.map(|d| d.to_string()),
            recorded_at,
            work_packages: r
                .work_packages
                .into_iter()
                .map(|w| PackageLinkDto {
                    id: w.id.0,
                    reference: w.reference,
                    title: w.title,
                })
                .collect(),
            programmes: r
                .programmes
                .into_iter()
                .map(|p| ProgrammeRefDto {
                    id: p.id.0,
                    name: p.name,
                    priority: p.priority,
                })
                .collect(),
            version: r.version.0,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RaidList {
    /// Risks (highest score first), assumptions, issues, dependencies; then
    /// the latest recorded first.
    pub items: Vec<RaidItemDto>,
}

/// One cell of the risk heat map.
#[derive(Serialize, ToSchema)]
pub struct HeatMapCell {
    pub likelihood: u8,
    pub impact: u8,
    /// likelihood × impact.
    pub score: u8,
    /// `low` (1–4), `medium` (5–9), `high` (10–16) or `severe` (20–25).
    pub band: String,
    /// Open risks in the cell.
    pub count: u32,
}

/// An open risk whose review is overdue.
#[derive(Serialize, ToSchema)]
pub struct OverdueRisk {
    pub id: i64,
    pub title: String,
    pub owner: String,
    pub score: u8,
    /// YYYY-MM-DD.
    pub next_review: String,
    pub days_overdue: i64,
}

/// The plan's open risks by likelihood and impact, and those overdue for review.
#[derive(Serialize, ToSchema)]
pub struct HeatMapDto {
    /// The UK day the overdue list is worked out for, YYYY-MM-DD.
    pub today: String,
    /// Open risks in all.
    pub open_risks: u32,
    /// 25 cells: likelihood 5 down to 1, impact 1 to 5 within each.
    pub cells: Vec<HeatMapCell>,
    /// Longest overdue first, then the highest score.
    pub overdue: Vec<OverdueRisk>,
}

impl HeatMapDto {
    /// The heat map of these rows' risks on `today`.
    pub fn of(rows: &[RaidRow], today: Date) -> HeatMapDto {
        let points: Vec<RiskPoint> = rows.iter().filter_map(RaidRow::risk_point).collect();
        let map = heat_map(&points);
        let mut cells = Vec::with_capacity(25);
        for l in (1..=5u8).rev().filter_map(Rating::new) {
            for i in (1..=5u8).filter_map(Rating::new) {
                let score = waymark_core::raid::score(l, i);
                cells.push(HeatMapCell {
                    likelihood: l.get(),
                    impact: i.get(),
                    score,
                    band: Band::of(score).as_str().into(),
                    count: map.count(l, i),
                });
            }
        }
        let overdue = overdue(&points, today)
            .into_iter()
            .filter_map(|p| {
                let row = rows.iter().find(|r| r.id.0 == p.id)?;
                let since = p.next_review?;
                Some(OverdueRisk {
                    id: p.id,
                    title: row.title.clone(),
                    owner: row.owner.clone(),
                    score: p.score(),
                    next_review: since.to_string(),
                    days_overdue: days_between(since, today),
                })
            })
            .collect();
        HeatMapDto {
            today: today.to_string(),
            open_risks: map.total(),
            cells,
            overdue,
        }
    }
}
