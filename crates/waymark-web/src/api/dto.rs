//! What the API sends: plain serialisable views of the store's rows. This crate
//! alone owns the wire format.

use serde::Serialize;
use utoipa::ToSchema;

mod raid;
pub use raid::{HeatMapCell, HeatMapDto, OverdueRisk, RaidItemDto, RaidList};
use waymark_store::{
    DependencyLink, DependencyRow, InfluenceRow, Page, PlanId, PlanSummary, ProgrammeRow,
    RelatedItemRow, SectionRow, WorkPackageDetail, WorkPackageRow,
};

#[derive(Serialize, ToSchema)]
pub struct PlanDto {
    pub id: i64,
    pub title: String,
    pub organisation: String,
    pub period: String,
    pub introduction: String,
    /// `calendar` or `financial` (quarters of a financial year starting in April).
    pub quarter_convention: String,
    /// Text from imports that fitted no field.
    pub notes: String,
    pub section_count: u64,
    pub work_package_count: u64,
    /// The record's version, as its `ETag` gives it (`"12"`): send it back in
    /// `If-Match` to change or delete the record.
    pub version: i64,
    /// `draft`, `approved` or `superseded`.
    #[schema(example = "draft")]
    pub status: String,
    /// The plan that superseded this one, when its approver named one.
    pub superseded_by: Option<i64>,
}

/// What approving a plan did: the plan as it is now, the baseline taken,
/// and how many proposed packages were approved with it.
#[derive(Serialize, ToSchema)]
pub struct PlanApprovalDto {
    pub plan: PlanDto,
    pub baseline_id: i64,
    pub baseline_name: String,
    pub approved_packages: u64,
}

impl From<PlanSummary> for PlanDto {
    fn from(p: PlanSummary) -> Self {
        PlanDto {
            id: p.id.0,
            title: p.title,
            organisation: p.organisation,
            period: p.period,
            introduction: p.introduction,
            quarter_convention: p.quarter_convention.as_str().into(),
            notes: p.notes,
            section_count: p.section_count,
            work_package_count: p.work_package_count,
            version: p.version.0,
            status: p.status.as_str().into(),
            superseded_by: p.superseded_by.map(|id| id.0),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PlanList {
    pub items: Vec<PlanDto>,
}

#[derive(Serialize, ToSchema)]
pub struct SectionDto {
    pub id: i64,
    pub plan_id: i64,
    pub position: i64,
    pub number: Option<String>,
    pub title: Option<String>,
    /// How people see it: `10.1 Core business systems`.
    pub label: String,
    pub work_package_count: u64,
    /// The record's version, as its `ETag` gives it (`"12"`): send it back in
    /// `If-Match` to change or delete the record.
    pub version: i64,
}

impl From<SectionRow> for SectionDto {
    fn from(s: SectionRow) -> Self {
        SectionDto {
            id: s.id.0,
            plan_id: s.plan_id.0,
            position: s.position,
            number: s.number,
            title: s.title,
            label: s.label,
            work_package_count: s.work_package_count,
            version: s.version.0,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SectionList {
    pub items: Vec<SectionDto>,
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryDto {
    /// Part label such as `a`, if the package has parts.
    pub label: Option<String>,
    /// A quarter such as `Q4 2006`.
    #[schema(value_type = String)]
    pub quarter: waymark_core::Quarter,
}

#[derive(Serialize, ToSchema)]
pub struct WorkPackageSummary {
    pub id: i64,
    pub plan_id: i64,
    pub section_id: i64,
    /// Section and package number: `10.2.1`.
    pub reference: String,
    pub number: String,
    pub title: String,
    pub delivery: Vec<DeliveryDto>,
    pub owner: String,
    /// proposed, approved, in_progress, delivered, closed, on_hold, rejected
    /// or cancelled.
    pub status: &'static str,
    /// red, amber, green or null.
    pub rag: Option<&'static str>,
    pub progress: u8,
    /// The record's version, as its `ETag` gives it (`"12"`): send it back in
    /// `If-Match` to change or delete the record.
    pub version: i64,
}

impl From<WorkPackageRow> for WorkPackageSummary {
    fn from(w: WorkPackageRow) -> Self {
        WorkPackageSummary {
            id: w.id.0,
            plan_id: w.plan_id.0,
            section_id: w.section_id.0,
            reference: w.reference,
            number: w.number,
            title: w.title,
            delivery: w
                .delivery
                .into_iter()
                .map(|d| DeliveryDto {
                    label: d.label,
                    quarter: d.quarter,
                })
                .collect(),
            owner: w.owner,
            status: w.status.as_str(),
            rag: w.rag.map(|r| r.as_str()),
            progress: w.progress.get(),
            version: w.version.0,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct WorkPackagePage {
    pub items: Vec<WorkPackageSummary>,
    /// Packages in the list; with `total_is_lower_bound`, only the first so
    /// many of them were counted (a search matching most of a large plan).
    pub total: u64,
    /// `true` when there are more than `total` packages in the list.
    pub total_is_lower_bound: bool,
    pub page: u32,
    pub per_page: u32,
    /// Pass as `cursor` for the next page; `null` on the last page. Paging by
    /// cursor costs the same at any depth (an offset `page` grows with it).
    pub next_cursor: Option<String>,
    /// Pass as `cursor` for the previous page; `null` on the first page.
    pub previous_cursor: Option<String>,
}

impl From<Page<WorkPackageRow>> for WorkPackagePage {
    fn from(p: Page<WorkPackageRow>) -> Self {
        WorkPackagePage {
            items: p.items.into_iter().map(Into::into).collect(),
            total: p.total,
            total_is_lower_bound: p.total_is_lower_bound,
            page: p.page,
            per_page: p.per_page,
            next_cursor: p.next_cursor.map(|c| c.to_string()),
            previous_cursor: p.previous_cursor.map(|c| c.to_string()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RelatedRefDto {
    pub id: i64,
    pub name: String,
    pub kind: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProgrammeRefDto {
    pub id: i64,
    pub name: String,
    pub priority: bool,
}

#[derive(Serialize, ToSchema)]
pub struct DependencyLinkDto {
    pub dependency_id: i64,
    pub work_package: WorkPackageSummary,
}

impl From<DependencyLink> for DependencyLinkDto {
    fn from(l: DependencyLink) -> Self {
        DependencyLinkDto {
            dependency_id: l.dependency_id.0,
            work_package: l.work_package.into(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct WorkPackageDto {
    #[serde(flatten)]
    pub summary: WorkPackageSummary,
    pub section_label: String,
    pub scope: String,
    /// The relationships text as written; `related_items` are the names read from it.
    pub relationships: String,
    /// The delivery as originally written, when it says more than
    /// `delivery` ("End of March 2027", "Ongoing"); empty otherwise.
    pub delivery_as_written: String,
    pub comments: String,
    /// The latest progress note: how the package is going, beside `progress`.
    pub progress_note: String,
    /// YYYY-MM-DD or null.
    pub actual_delivery: Option<String>,
    /// Key-influence codes.
    pub influences: Vec<String>,
    pub related_items: Vec<RelatedRefDto>,
    /// True when `related_items` were set by hand; false when they are read
    /// from `relationships` on every save.
    pub related_items_manual: bool,
    pub programmes: Vec<ProgrammeRefDto>,
    /// Packages this one waits for (finish-to-start).
    pub depends_on: Vec<DependencyLinkDto>,
    /// Packages that wait for this one.
    pub dependents: Vec<DependencyLinkDto>,
}

impl From<WorkPackageDetail> for WorkPackageDto {
    fn from(d: WorkPackageDetail) -> Self {
        WorkPackageDto {
            summary: d.row.into(),
            section_label: d.section_label,
            scope: d.scope,
            relationships: d.relationships,
            delivery_as_written: d.delivery_as_written,
            comments: d.comments,
            progress_note: d.progress_note,
            actual_delivery: d.actual_delivery.map(|d| d.to_string()),
            influences: d.influences.iter().map(|c| c.to_string()).collect(),
            related_items: d
                .related_items
                .into_iter()
                .map(|r| RelatedRefDto {
                    id: r.id.0,
                    name: r.name,
                    kind: r.kind.as_str().into(),
                })
                .collect(),
            related_items_manual: d.related_items_manual,
            programmes: d
                .programmes
                .into_iter()
                .map(|p| ProgrammeRefDto {
                    id: p.id.0,
                    name: p.name,
                    priority: p.priority,
                })
                .collect(),
            depends_on: d.depends_on.into_iter().map(Into::into).collect(),
            dependents: d.dependents.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InfluenceDto {
    pub code: String,
    pub title: String,
    pub description: String,
    pub work_package_count: u64,
    /// The record's version, as its `ETag` gives it (`"12"`): send it back in
    /// `If-Match` to change or delete the record.
    pub version: i64,
}

impl From<InfluenceRow> for InfluenceDto {
    fn from(i: InfluenceRow) -> Self {
        InfluenceDto {
            code: i.code.to_string(),
            title: i.title,
            description: i.description,
            work_package_count: i.work_package_count,
            version: i.version.0,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InfluenceList {
    pub items: Vec<InfluenceDto>,
}

#[derive(Serialize, ToSchema)]
pub struct InfluenceDetail {
    pub influence: InfluenceDto,
    /// The packages that address it (at most 1000; filter the package list by `influence` for all).
    pub work_packages: Vec<WorkPackageSummary>,
}

impl From<(InfluenceRow, Vec<WorkPackageRow>)> for InfluenceDetail {
    fn from((row, packages): (InfluenceRow, Vec<WorkPackageRow>)) -> Self {
        InfluenceDetail {
            influence: row.into(),
            work_packages: packages.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RelatedItemDto {
    pub id: i64,
    pub name: String,
    /// strategy, plan, programme, project, system, standard, organisation or other.
    pub kind: String,
    pub work_package_count: u64,
    /// The record's version, as its `ETag` gives it (`"12"`): send it back in
    /// `If-Match` to change or delete the record.
    pub version: i64,
}

impl From<RelatedItemRow> for RelatedItemDto {
    fn from(r: RelatedItemRow) -> Self {
        RelatedItemDto {
            id: r.id.0,
            name: r.name,
            kind: r.kind.as_str().into(),
            work_package_count: r.work_package_count,
            version: r.version.0,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RelatedItemList {
    pub items: Vec<RelatedItemDto>,
}

#[derive(Serialize, ToSchema)]
pub struct RelatedItemDetail {
    pub related_item: RelatedItemDto,
    pub plan_id: i64,
    pub work_packages: Vec<WorkPackageSummary>,
}

impl From<(RelatedItemRow, PlanId, Vec<WorkPackageRow>)> for RelatedItemDetail {
    fn from((row, plan, packages): (RelatedItemRow, PlanId, Vec<WorkPackageRow>)) -> Self {
        RelatedItemDetail {
            related_item: row.into(),
            plan_id: plan.0,
            work_packages: packages.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProgrammeDto {
    pub id: i64,
    pub name: String,
    /// One of the group's agreed priorities.
    pub priority: bool,
    pub description: String,
    pub work_packages: Vec<WorkPackageSummary>,
    /// The record's version, as its `ETag` gives it (`"12"`): send it back in
    /// `If-Match` to change or delete the record.
    pub version: i64,
}

impl From<ProgrammeRow> for ProgrammeDto {
    fn from(p: ProgrammeRow) -> Self {
        ProgrammeDto {
            id: p.id.0,
            name: p.name,
            priority: p.priority,
            description: p.description,
            work_packages: p.work_packages.into_iter().map(Into::into).collect(),
            version: p.version.0,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProgrammeList {
    pub items: Vec<ProgrammeDto>,
}

#[derive(Serialize, ToSchema)]
pub struct DependencyDto {
    pub id: i64,
    /// The dependency's version (a dependency never changes): send it in
    /// `If-Match` to delete it.
    pub version: i64,
    /// Must finish before the successor starts.
    pub predecessor: WorkPackageSummary,
    pub successor: WorkPackageSummary,
}

impl From<DependencyRow> for DependencyDto {
    fn from(d: DependencyRow) -> Self {
        DependencyDto {
            id: d.id.0,
            version: d.version.0,
            predecessor: d.predecessor.into(),
            successor: d.successor.into(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DependencyList {
    pub items: Vec<DependencyDto>,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

#[derive(Serialize, ToSchema)]
pub struct FindingDto {
    /// Rule name: no-delivery, no-influence, unaddressed-influence, dependency-cycle, overdue, dependency-order.
    pub rule: String,
    pub subject: String,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct CheckReport {
    pub findings: Vec<FindingDto>,
}

/// A record's history: its audit entries, newest first.
#[derive(Serialize, ToSchema)]
pub struct HistoryList {
    pub items: Vec<HistoryEntry>,
}

/// One audit entry: when, who, what they did, and each field from what to what.
#[derive(Serialize, ToSchema)]
pub struct HistoryEntry {
    /// The entry's number in the audit trail.
    pub sequence: u64,
    /// RFC 3339, UTC, with milliseconds.
    pub at: String,
    /// `user`, `token`, `cli`, `system` or `anonymous`.
    pub actor_kind: String,
    pub actor_id: String,
    /// The actor's name as shown when the change was made.
    pub actor: String,
    /// `create`, `update`, `delete`, `merge` or `import`.
    pub action: String,
    pub changes: Vec<HistoryChange>,
    /// The entry's hash in the chain (64 hex digits).
    pub hash: String,
}

/// One field's text before and after (`null`: the field was not there).
#[derive(Serialize, ToSchema)]
pub struct HistoryChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl From<waymark_core::audit::StoredEntry> for HistoryEntry {
    fn from(s: waymark_core::audit::StoredEntry) -> Self {
        let e = s.entry.event;
        HistoryEntry {
            sequence: s.entry.sequence,
            at: e.time_rfc3339().unwrap_or_else(|| e.at_ms.to_string()),
            actor_kind: e.actor.kind.to_string(),
            actor_id: e.actor.id,
            actor: e.actor.display,
            action: e.action.to_string(),
            changes: e
                .changes
                .as_slice()
                .iter()
                .map(|c| HistoryChange {
                    field: c.field.to_string(),
                    before: c.before.clone(),
                    after: c.after.clone(),
                })
                .collect(),
            hash: s.hash,
        }
    }
}

/// A page of the audit trail, newest first, with the cursors of the pages
/// on either side and the chain's head.
#[derive(Serialize, ToSchema)]
pub struct AuditList {
    pub items: Vec<AuditEntry>,
    /// Give this as `before` (with the same filters) for the next page, of
    /// older entries; null when there are none.
    pub next_before: Option<u64>,
    /// Give this as `after` (with the same filters) for the page before, of
    /// newer entries; null when there are none (or when this page lies past
    /// either end: leave the cursor out for the newest).
    pub previous_after: Option<u64>,
    pub head: AuditHead,
}

/// The audit trail's newest entry: what `waymark audit head` prints and a
/// check can later be run against.
#[derive(Serialize, ToSchema)]
pub struct AuditHead {
    /// 0 when there are no entries.
    pub sequence: u64,
    /// 64 hex digits (zeros when there are no entries).
    pub hash: String,
}

impl From<waymark_core::audit::Head> for AuditHead {
    fn from(h: waymark_core::audit::Head) -> Self {
        AuditHead {
            sequence: h.sequence,
            hash: h.hash.to_hex(),
        }
    }
}

/// One audit entry: when, who, what record, what they did, and each field
/// from what to what.
#[derive(Serialize, ToSchema)]
pub struct AuditEntry {
    /// The entry's number in the audit trail.
    pub sequence: u64,
    /// RFC 3339, UTC, with milliseconds.
    pub at: String,
    /// `user`, `token`, `cli`, `system` or `anonymous`.
    pub actor_kind: String,
    pub actor_id: String,
    /// The actor's name as shown when the change was made.
    pub actor: String,
    /// `plan`, `section`, `work_package`, `influence`, `related_item`,
    /// `programme` or `dependency`.
    pub entity_kind: String,
    /// The record's id (a key influence's is its plan and code: `1/3.1.1`).
    pub entity_id: String,
    /// `create`, `update`, `delete`, `merge` or `import`.
    pub action: String,
    pub changes: Vec<HistoryChange>,
    /// The entry's hash in the chain (64 hex digits).
    pub hash: String,
}

impl From<waymark_core::audit::StoredEntry> for AuditEntry {
    fn from(s: waymark_core::audit::StoredEntry) -> Self {
        let entity_kind = s.entry.event.entity.kind.to_string();
        let entity_id = s.entry.event.entity.id.clone();
        let h = HistoryEntry::from(s);
        AuditEntry {
            sequence: h.sequence,
            at: h.at,
            actor_kind: h.actor_kind,
            actor_id: h.actor_id,
            actor: h.actor,
            entity_kind,
            entity_id,
            action: h.action,
            changes: h.changes,
            hash: h.hash,
        }
    }
}

/// A package a decision links to.
#[derive(Serialize, ToSchema)]
pub struct PackageLinkDto {
    pub id: i64,
    /// `10.2.1`, or `#6.1` for a package of an unnumbered section.
    pub reference: String,
    pub title: String,
}

/// A decision of the plan's decision log.
#[derive(Serialize, ToSchema)]
pub struct DecisionDto {
    pub id: i64,
    pub plan_id: i64,
    /// The day it was decided, YYYY-MM-DD.
    pub date: String,
    pub meeting: String,
    /// What was decided.
    pub text: String,
    pub rationale: String,
    /// Who decided: the group, or a person.
    pub decided_by: String,
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

impl From<waymark_store::DecisionRow> for DecisionDto {
    fn from(d: waymark_store::DecisionRow) -> Self {
        let recorded_at =
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(d.created_ms) * 1_000_000)
                .ok()
                .and_then(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .ok()
                })
                .unwrap_or_else(|| d.created_ms.to_string());
        DecisionDto {
            id: d.id.0,
            plan_id: d.plan_id.0,
            date: d.date.to_string(),
            meeting: d.meeting,
            text: d.text,
            rationale: d.rationale,
            decided_by: d.decided_by,
            recorded_at,
            work_packages: d
                .work_packages
                .into_iter()
                .map(|w| PackageLinkDto {
                    id: w.id.0,
                    reference: w.reference,
                    title: w.title,
                })
                .collect(),
            programmes: d
                .programmes
                .into_iter()
                .map(|p| ProgrammeRefDto {
                    id: p.id.0,
                    name: p.name,
                    priority: p.priority,
                })
                .collect(),
            version: d.version.0,
        }
    }
}

/// A baseline: a named, frozen copy of a plan.
#[derive(Serialize, ToSchema)]
pub struct BaselineDto {
    pub id: i64,
    pub plan_id: i64,
    pub name: String,
    /// When it was taken (RFC 3339, UTC).
    pub taken_at: String,
    /// When it was taken, as Unix milliseconds.
    pub taken_at_ms: i64,
    /// Who took it.
    pub taken_by: String,
    /// How many work packages the plan held then.
    pub package_count: u64,
}

impl From<waymark_store::BaselineRow> for BaselineDto {
    fn from(b: waymark_store::BaselineRow) -> Self {
        BaselineDto {
            id: b.id.0,
            plan_id: b.plan_id.0,
            name: b.name,
            taken_at: rfc3339(b.taken_at_ms),
            taken_at_ms: b.taken_at_ms,
            taken_by: b.taken_by,
            package_count: b.package_count,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DecisionList {
    /// Newest first: by date, then the latest recorded.
    pub items: Vec<DecisionDto>,
}

/// Unix milliseconds as RFC 3339 in UTC (the number itself should it be
/// out of range).
fn rfc3339(at_ms: i64) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at_ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| at_ms.to_string())
}

#[derive(Serialize, ToSchema)]
pub struct BaselineList {
    /// Newest first.
    pub items: Vec<BaselineDto>,
}

/// A package by its reference and title.
#[derive(Serialize, ToSchema)]
pub struct PackageLineDto {
    pub reference: String,
    pub title: String,
}

impl From<waymark_core::update::PackageLine> for PackageLineDto {
    fn from(p: waymark_core::update::PackageLine) -> Self {
        PackageLineDto {
            reference: p.reference.0,
            title: p.title,
        }
    }
}

/// One field of a package, at the baseline (`before`) and now (`after`).
#[derive(Serialize, ToSchema)]
pub struct FieldChangeDto {
    /// The field as a person names it (`delivery`, `key influences`).
    pub field: String,
    pub before: String,
    pub after: String,
}

#[derive(Serialize, ToSchema)]
pub struct ChangedPackageDto {
    pub reference: String,
    /// Its title now.
    pub title: String,
    pub fields: Vec<FieldChangeDto>,
}

/// A package the baseline and the plan both hold, with its slip.
#[derive(Serialize, ToSchema)]
pub struct PackageSlipDto {
    pub reference: String,
    pub title: String,
    /// The delivery parts at the baseline and now (`a) Q4 2007 b) Q1 2008`).
    pub delivery_then: String,
    pub delivery_now: String,
    /// How many quarters the last delivery part moved: positive later,
    /// negative brought forward; null when either has no delivery quarter.
    pub slip_quarters: Option<i32>,
    /// The slip in words ("2 quarters later"); null with `slip_quarters`.
    pub slip: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DependencyPairDto {
    pub predecessor: String,
    pub successor: String,
}

/// The plan now against one of its baselines.
#[derive(Serialize, ToSchema)]
pub struct BaselineComparisonDto {
    pub baseline: BaselineDto,
    /// Packages added since the baseline.
    pub added: Vec<PackageLineDto>,
    /// Packages the baseline had that the plan no longer has.
    pub removed: Vec<PackageLineDto>,
    /// Packages whose fields changed, field by field.
    pub changed: Vec<ChangedPackageDto>,
    /// How many packages both hold alike.
    pub unchanged: usize,
    /// Every package both hold, in plan order, with its slip.
    pub packages: Vec<PackageSlipDto>,
    pub dependencies_added: Vec<DependencyPairDto>,
    pub dependencies_removed: Vec<DependencyPairDto>,
}

impl BaselineComparisonDto {
    pub fn new(
        baseline: waymark_store::BaselineRow,
        c: waymark_core::baseline::BaselineComparison,
    ) -> Self {
        let pairs = |v: Vec<(waymark_core::WorkPackageRef, waymark_core::WorkPackageRef)>| {
            v.into_iter()
                .map(|(p, s)| DependencyPairDto {
                    predecessor: p.0,
                    successor: s.0,
                })
                .collect()
        };
        BaselineComparisonDto {
            baseline: baseline.into(),
            added: c.added.into_iter().map(Into::into).collect(),
            removed: c.removed.into_iter().map(Into::into).collect(),
            changed: c
                .changed
                .into_iter()
                .map(|p| ChangedPackageDto {
                    reference: p.reference.0,
                    title: p.title,
                    fields: p
                        .fields
                        .into_iter()
                        .map(|f| FieldChangeDto {
                            field: f.field.to_string(),
                            before: f.before,
                            after: f.after,
                        })
                        .collect(),
                })
                .collect(),
            unchanged: c.unchanged,
            packages: c
                .packages
                .into_iter()
                .map(|p| PackageSlipDto {
                    reference: p.reference.0,
                    title: p.title,
                    delivery_then: p.delivery_then,
                    delivery_now: p.delivery_now,
                    slip_quarters: p.slip_quarters,
                    slip: p.slip_quarters.map(waymark_core::baseline::slip_words),
                })
                .collect(),
            dependencies_added: pairs(c.dependencies_added),
            dependencies_removed: pairs(c.dependencies_removed),
        }
    }
}

/// How many packages have a status or RAG rating.
#[derive(Serialize, ToSchema)]
pub struct CountDto {
    /// The status (`in_progress`, …) or RAG (`red`, …) counted.
    pub value: &'static str,
    pub count: u64,
}

/// A few packages of a dashboard's list, and how many the list holds.
#[derive(Serialize, ToSchema)]
pub struct DashboardListDto {
    pub total: u64,
    /// The first few, in plan order.
    pub items: Vec<WorkPackageSummary>,
}

/// A plan at a glance on a day.
#[derive(Serialize, ToSchema)]
pub struct DashboardDto {
    /// The quarter holding today, in the plan's quarter convention: `Q4 2026`.
    pub this_quarter: String,
    pub next_quarter: String,
    pub total: u64,
    /// Every status, with zeros.
    pub by_status: Vec<CountDto>,
    /// Every RAG rating, with zeros.
    pub by_rag: Vec<CountDto>,
    pub not_rated: u64,
    /// Open packages whose last delivery quarter is before this one.
    pub overdue: DashboardListDto,
    /// Packages with a delivery part in the next quarter.
    pub due_next: DashboardListDto,
    /// YYYY-MM-DD: three months before today.
    pub notes_since: String,
    /// Open packages with no progress note dated `notes_since` or later.
    pub no_recent_note: DashboardListDto,
}

impl From<waymark_store::Dashboard> for DashboardDto {
    fn from(d: waymark_store::Dashboard) -> Self {
        let list = |p: Page<WorkPackageRow>| DashboardListDto {
            total: p.total,
            items: p.items.into_iter().map(Into::into).collect(),
        };
        DashboardDto {
            this_quarter: d.this_quarter.to_string(),
            next_quarter: d.next_quarter.to_string(),
            total: d.total,
            by_status: d
                .by_status
                .iter()
                .map(|(s, n)| CountDto {
                    value: s.as_str(),
                    count: *n,
                })
                .collect(),
            by_rag: d
                .by_rag
                .iter()
                .map(|(r, n)| CountDto {
                    value: r.as_str(),
                    count: *n,
                })
                .collect(),
            not_rated: d.not_rated,
            overdue: list(d.overdue),
            due_next: list(d.due_next),
            notes_since: d.notes_since.to_string(),
            no_recent_note: list(d.no_recent_note),
        }
    }
}

/// A priority criterion of the strategy group's.
#[derive(Serialize, ToSchema)]
pub struct CriterionDto {
    pub id: i64,
    pub plan_id: i64,
    pub name: String,
    pub description: String,
    /// A whole number from 1 to 100; only the weights' ratios matter.
    pub weight: u32,
    /// Where it comes in the list.
    pub order: u32,
    /// The record's version, as its `ETag` gives it (`"12"`): send it back in
    /// `If-Match` to change or delete the record.
    pub version: i64,
}

impl From<waymark_store::CriterionRow> for CriterionDto {
    fn from(c: waymark_store::CriterionRow) -> Self {
        CriterionDto {
            id: c.id.0,
            plan_id: c.plan_id.0,
            name: c.name,
            description: c.description,
            weight: c.weight.get(),
            order: c.order,
            version: c.version.0,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CriterionList {
    pub items: Vec<CriterionDto>,
}

/// A score of a work package or a programme on one criterion.
#[derive(Serialize, ToSchema)]
pub struct ScoreDto {
    pub id: i64,
    pub criterion_id: i64,
    /// The package scored (or null, for a programme).
    pub work_package_id: Option<i64>,
    /// The programme scored (or null, for a package).
    pub programme_id: Option<i64>,
    /// 1 (least) to 5 (most).
    pub score: u8,
    pub note: String,
    /// The record's version, as its `ETag` gives it (`"12"`): send it back in
    /// `If-Match` to change or clear the score.
    pub version: i64,
}

impl From<waymark_store::ScoreRow> for ScoreDto {
    fn from(s: waymark_store::ScoreRow) -> Self {
        let (work_package_id, programme_id) = match s.item {
            waymark_store::ScoreItem::WorkPackage(id) => (Some(id.0), None),
            waymark_store::ScoreItem::Programme(id) => (None, Some(id.0)),
        };
        ScoreDto {
            id: s.id.0,
            criterion_id: s.criterion.0,
            work_package_id,
            programme_id,
            score: s.score.get(),
            note: s.note,
            version: s.version.0,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ScoreList {
    pub items: Vec<ScoreDto>,
}

/// An item of the ranking: a work package or a programme.
#[derive(Serialize, ToSchema, Clone)]
pub struct RankedItemRef {
    /// `work_package` or `programme`.
    pub kind: String,
    pub id: i64,
    /// "10.1.1 Application review", or "Programme: ISA".
    pub label: String,
}

/// A ranked item.
#[derive(Serialize, ToSchema)]
pub struct RankedDto {
    /// 1 for the highest; tied items share the rank.
    pub rank: usize,
    /// Another item has the same weighted score.
    pub tied: bool,
    #[serde(flatten)]
    pub item: RankedItemRef,
    /// Σ wᵢ·sᵢ / Σ wᵢ over every criterion: from 1 to 5.
    pub weighted_score: f64,
    /// The same, to two decimals ("4.40").
    pub weighted_score_text: String,
}

/// An item not ranked because scores are missing.
#[derive(Serialize, ToSchema)]
pub struct UnrankedDto {
    #[serde(flatten)]
    pub item: RankedItemRef,
    /// The criteria it has no score on.
    pub missing_criterion_ids: Vec<i64>,
    /// Its weighted mean over the criteria it has (null: none).
    pub partial_score: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct RankChangeDto {
    #[serde(flatten)]
    pub item: RankedItemRef,
    pub from: usize,
    pub to: usize,
}

/// The ranking with one weight moved by a percentage.
#[derive(Serialize, ToSchema)]
pub struct WeightMoveDto {
    /// -25, -10, 10 or 25.
    pub percent: i32,
    /// The moved weight ("22.5"); it may leave 1 to 100: a what-if.
    pub weight: String,
    /// The items whose rank changes.
    pub changes: Vec<RankChangeDto>,
}

/// Where the top two swap as one weight moves.
#[derive(Serialize, ToSchema)]
pub struct SwapDto {
    /// `at`: at `weight` they are level, `below` leads under it and `above`
    /// over it; `never`: not within 1 to 100; `no_pair`: fewer than two ranked.
    pub kind: String,
    pub weight: Option<String>,
    pub below: Option<RankedItemRef>,
    pub above: Option<RankedItemRef>,
}

/// How one criterion's weight moves the ranking, the others fixed.
#[derive(Serialize, ToSchema)]
pub struct SensitivityDto {
    pub criterion_id: i64,
    pub name: String,
    pub weight: u32,
    /// The whole weights, lowest and highest, over which the top N stays the
    /// same (the same items at the same ranks).
    pub top_stable_from: u32,
    pub top_stable_to: u32,
    pub moves: Vec<WeightMoveDto>,
    pub swap: SwapDto,
}

/// A plan's priorities ranked by weighted score, and the ranking's
/// sensitivity to each weight.
#[derive(Serialize, ToSchema)]
pub struct RankingDto {
    pub plan_id: i64,
    /// The N of the sensitivity's top N.
    pub top: usize,
    pub criteria: Vec<CriterionDto>,
    /// Highest first; ties share a rank.
    pub ranked: Vec<RankedDto>,
    /// Items missing a score on some criterion: listed apart, never ranked.
    pub unranked: Vec<UnrankedDto>,
    /// One per criterion (empty when nothing is ranked).
    pub sensitivity: Vec<SensitivityDto>,
}

impl RankingDto {
    /// The ranking of `p` with its sensitivity for the top `top`.
    pub fn of(plan: PlanId, p: waymark_store::Priorities, top: usize) -> RankingDto {
        use waymark_core::priority::{self, Swap};
        let scoring = p.scoring();
        let ranking = priority::rank(&scoring);
        let sens = if ranking.ranked.is_empty() {
            Vec::new()
        } else {
            priority::sensitivity(&scoring, &ranking, top)
        };
        let item = |i: usize| {
            let it = &p.items[i];
            RankedItemRef {
                kind: it.item.kind().to_string(),
                id: it.item.id(),
                label: it.label(),
            }
        };
        RankingDto {
            plan_id: plan.0,
            top,
            ranked: ranking
                .ranked
                .iter()
                .map(|r| RankedDto {
                    rank: r.rank,
                    tied: r.tied,
                    item: item(r.item),
                    weighted_score: r.score.value(),
                    weighted_score_text: r.score.display(),
                })
                .collect(),
            unranked: ranking
                .unranked
                .iter()
                .map(|u| UnrankedDto {
                    item: item(u.item),
                    missing_criterion_ids: u.missing.iter().map(|&c| p.criteria[c].id.0).collect(),
                    partial_score: (u.partial.weight > 0).then(|| u.partial.value()),
                })
                .collect(),
            sensitivity: sens
                .iter()
                .map(|s| SensitivityDto {
                    criterion_id: p.criteria[s.criterion].id.0,
                    name: p.criteria[s.criterion].name.clone(),
                    weight: s.weight.get(),
                    top_stable_from: s.stable.0,
                    top_stable_to: s.stable.1,
                    moves: s
                        .moves
                        .iter()
                        .map(|m| WeightMoveDto {
                            percent: m.percent,
                            weight: m.weight.clone(),
                            changes: m
                                .changes
                                .iter()
                                .map(|c| RankChangeDto {
                                    item: item(c.item),
                                    from: c.from,
                                    to: c.to,
                                })
                                .collect(),
                        })
                        .collect(),
                    swap: match &s.swap {
                        Swap::NoPair => SwapDto {
                            kind: "no_pair".into(),
                            weight: None,
                            below: None,
                            above: None,
                        },
                        Swap::Never { .. } => SwapDto {
                            kind: "never".into(),
                            weight: None,
                            below: None,
                            above: None,
                        },
                        Swap::At {
                            weight,
                            below,
                            above,
                        } => SwapDto {
                            kind: "at".into(),
                            weight: Some(weight.clone()),
                            below: Some(item(*below)),
                            above: Some(item(*above)),
                        },
                    },
                })
                .collect(),
            criteria: p.criteria.into_iter().map(Into::into).collect(),
        }
    }
}

/// A progress note of a work package.
#[derive(Serialize, ToSchema)]
pub struct ProgressNoteDto {
    pub id: i64,
    pub work_package_id: i64,
    /// The package's reference (`10.2.1`) and title.
    pub reference: String,
    pub title: String,
    /// The day it reports on, YYYY-MM-DD.
    pub date: String,
    /// red, amber or green; null: none given.
    pub rag: Option<String>,
    pub text: String,
    /// Who wrote it: the account's display name when it was recorded.
    pub author: String,
    /// When it was recorded in Waymark (RFC 3339, UTC).
    pub recorded_at: String,
    /// The record's version, as its `ETag` gives it: send it back in
    /// `If-Match` to change or delete the note.
    pub version: i64,
}

impl From<waymark_store::ProgressNoteRow> for ProgressNoteDto {
    fn from(n: waymark_store::ProgressNoteRow) -> Self {
        ProgressNoteDto {
            id: n.id.0,
            work_package_id: n.work_package_id.0,
            reference: n.reference,
            title: n.title,
            date: n.date.to_string(),
            rag: n.rag.map(|r| r.as_str().to_string()),
            text: n.text,
            author: n.author,
            recorded_at: rfc3339(n.created_ms),
            version: n.version.0,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProgressNoteList {
    /// Newest first: by date, then the latest recorded.
    pub items: Vec<ProgressNoteDto>,
}

/// A count of packages under one status or RAG (`none`: no RAG).
#[derive(Serialize, ToSchema)]
pub struct ReportCountDto {
    pub key: String,
    pub label: String,
    pub count: usize,
}

/// Counts by status and RAG.
#[derive(Serialize, ToSchema)]
pub struct ReportSummaryDto {
    pub packages: usize,
    pub by_status: Vec<ReportCountDto>,
    pub by_rag: Vec<ReportCountDto>,
}

/// What the report compares with.
#[derive(Serialize, ToSchema)]
pub struct ComparedWithDto {
    /// `baseline` or `date`.
    pub kind: String,
    pub baseline_name: Option<String>,
    /// YYYY-MM-DD.
    pub baseline_taken: Option<String>,
    /// The same in a sentence.
    pub description: String,
}

/// A package as a report line names it.
#[derive(Serialize, ToSchema)]
pub struct ReportPackageDto {
    pub reference: String,
    pub title: String,
    pub status: String,
    pub rag: Option<String>,
    /// The delivery parts (`a) Q1 2007 b) Q4 2007`).
    pub delivery: String,
    pub owner: String,
}

/// A package added or removed since.
#[derive(Serialize, ToSchema)]
pub struct ReportChangeDto {
    pub reference: String,
    pub title: String,
    /// When the audit trail records it (YYYY-MM-DD); null against a baseline.
    pub date: Option<String>,
}

/// A package whose last delivery part moved later.
#[derive(Serialize, ToSchema)]
pub struct ReportSlipDto {
    pub reference: String,
    pub title: String,
    pub delivery_then: String,
    pub delivery_now: String,
    pub slip_quarters: i32,
    pub slip_words: String,
}

/// The packages due in the next period.
#[derive(Serialize, ToSchema)]
pub struct ReportDueDto {
    /// The quarters, in the plan's convention.
    pub quarters: Vec<String>,
    pub packages: Vec<ReportPackageDto>,
}

/// A note in a report.
#[derive(Serialize, ToSchema)]
pub struct ReportNoteDto {
    pub date: String,
    pub rag: Option<String>,
    pub text: String,
    pub author: String,
}

/// A package with its latest note.
#[derive(Serialize, ToSchema)]
pub struct ReportProgressDto {
    pub package: ReportPackageDto,
    pub latest_note: Option<ReportNoteDto>,
    /// The package's own progress commentary (from the plan file).
    pub commentary: String,
}

/// A decision taken since.
#[derive(Serialize, ToSchema)]
pub struct ReportDecisionDto {
    pub date: String,
    pub meeting: String,
    pub text: String,
    pub decided_by: String,
    pub work_packages: Vec<String>,
    pub programmes: Vec<String>,
}

/// The progress report (or a programme's highlight report).
#[derive(Serialize, ToSchema)]
pub struct ProgressReportDto {
    pub plan_title: String,
    /// The programme reported on; null: the whole plan.
    pub programme: Option<String>,
    pub today: String,
    /// The start of the period reported on (YYYY-MM-DD).
    pub since: String,
    pub compared_with: ComparedWithDto,
    pub summary: ReportSummaryDto,
    pub delivered: Vec<ReportPackageDto>,
    /// Null when slippage is not known (compared with a date, not a baseline).
    pub slipped: Option<Vec<ReportSlipDto>>,
    pub added: Vec<ReportChangeDto>,
    pub removed: Vec<ReportChangeDto>,
    pub due_next: ReportDueDto,
    pub progress: Vec<ReportProgressDto>,
    pub decisions: Vec<ReportDecisionDto>,
    /// The open risks with the highest scores (of the programme's items for
    /// a highlight report), highest first.
    pub top_risks: Vec<ReportRiskDto>,
    /// Every open issue, most severe first.
    pub open_issues: Vec<ReportIssueDto>,
}

/// An open risk in a report.
#[derive(Serialize, ToSchema)]
pub struct ReportRiskDto {
    pub title: String,
    pub owner: String,
    pub likelihood: u8,
    pub impact: u8,
    /// Likelihood × impact.
    pub score: u8,
    pub mitigation: String,
    /// YYYY-MM-DD, or null.
    pub next_review: Option<String>,
}

/// An open issue in a report.
#[derive(Serialize, ToSchema)]
pub struct ReportIssueDto {
    pub title: String,
    pub owner: String,
    /// low, medium, high, critical, or null.
    pub severity: Option<String>,
    pub resolution: String,
}

fn report_package(p: waymark_core::report::ReportPackage) -> ReportPackageDto {
    ReportPackageDto {
        reference: p.reference,
        title: p.title,
        status: p.status,
        rag: p.rag.map(|r| r.as_str().to_string()),
        delivery: p.delivery,
        owner: p.owner,
    }
}

fn report_counts(counts: Vec<waymark_core::report::Count>) -> Vec<ReportCountDto> {
    counts
        .into_iter()
        .map(|c| ReportCountDto {
            key: c.key,
            label: c.label,
            count: c.count,
        })
        .collect()
}

impl From<waymark_core::report::ProgressReport> for ProgressReportDto {
    fn from(r: waymark_core::report::ProgressReport) -> Self {
        let raid = r.raid.clone().unwrap_or_default();
        let change = |c: waymark_core::report::ChangedLine| ReportChangeDto {
            reference: c.reference,
            title: c.title,
            date: c.date.map(|d| d.to_string()),
        };
        ProgressReportDto {
            plan_title: r.plan_title,
            programme: r.programme,
            today: r.today.to_string(),
            since: r.since.to_string(),
            compared_with: ComparedWithDto {
                kind: r.compared_with.kind.to_string(),
                baseline_name: r.compared_with.baseline_name,
                baseline_taken: r.compared_with.baseline_taken.map(|d| d.to_string()),
                description: r.compared_with.description,
            },
            summary: ReportSummaryDto {
                packages: r.summary.packages,
                by_status: report_counts(r.summary.by_status),
                by_rag: report_counts(r.summary.by_rag),
            },
            delivered: r.delivered.into_iter().map(report_package).collect(),
            slipped: r.slipped.map(|list| {
                list.into_iter()
                    .map(|s| ReportSlipDto {
                        reference: s.reference,
                        title: s.title,
                        delivery_then: s.delivery_then,
                        delivery_now: s.delivery_now,
                        slip_quarters: s.slip_quarters,
                        slip_words: s.slip_words,
                    })
                    .collect()
            }),
            added: r.added.into_iter().map(change).collect(),
            removed: r.removed.into_iter().map(change).collect(),
            due_next: ReportDueDto {
                quarters: r.due_next.quarters,
                packages: r
                    .due_next
                    .packages
                    .into_iter()
                    .map(report_package)
                    .collect(),
            },
            progress: r
                .progress
                .into_iter()
                .map(|p| ReportProgressDto {
                    package: report_package(p.package),
                    latest_note: p.latest_note.map(|n| ReportNoteDto {
                        date: n.date.to_string(),
                        rag: n.rag.map(|r| r.as_str().to_string()),
                        text: n.text,
                        author: n.author,
                    }),
                    commentary: p.commentary,
                })
                .collect(),
            decisions: r
                .decisions
                .into_iter()
                .map(|d| ReportDecisionDto {
                    date: d.date.to_string(),
                    meeting: d.meeting,
                    text: d.text,
                    decided_by: d.decided_by,
                    work_packages: d.work_packages,
                    programmes: d.programmes,
                })
                .collect(),
            top_risks: raid
                .top_risks
                .into_iter()
                .map(|k| ReportRiskDto {
                    title: k.title,
                    owner: k.owner,
                    likelihood: k.likelihood,
                    impact: k.impact,
                    score: k.score,
                    mitigation: k.mitigation,
                    next_review: k.next_review.map(|d| d.to_string()),
                })
                .collect(),
            open_issues: raid
                .open_issues
                .into_iter()
                .map(|i| ReportIssueDto {
                    title: i.title,
                    owner: i.owner,
                    severity: i.severity,
                    resolution: i.resolution,
                })
                .collect(),
        }
    }
}
