//! The plan's rules, written once for every backend: how a package's
//! reference is built, which section and programmes a package may belong to,
//! the next free package number, which related items and key influences a
//! package's text names, dependency cycles, what an import refuses.
//!
//! A backend implements [`PlanTx`], the primitive reads and writes of one
//! transaction, in its own SQL, and runs a rule inside its one write
//! transaction (`SqliteStore::write`). The rules never see SQL; a backend
//! never decides a rule. A second backend (PostgreSQL) implements `PlanTx`
//! and its queries, and gets every rule as it is.

pub(crate) mod dependencies;
pub(crate) mod import;
pub(crate) mod packages;

use waymark_core::{
    Date, DeliveryTarget, Dependency, Influence, InfluenceCode, Plan, Programme, Progress, Rag,
    RelatedKind, Status,
};

use crate::{DependencyId, PlanId, ProgrammeId, RelatedItemId, Result, SectionId, WorkPackageId};

/// A key influence's own id (callers name influences by plan and code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct InfluenceId(pub i64);

/// Where a section is: its plan, its place (0-based) and its number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SectionPlace {
    pub plan: PlanId,
    pub position: usize,
    pub number: Option<String>,
}

/// Where a package is: its plan, its section, its number and reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PackagePlace {
    pub plan: PlanId,
    pub section: SectionId,
    pub number: String,
    pub reference: String,
}

/// A package's own fields as stored, with what the rules derived for it (its
/// reference, its section's place, whether its related items were set by
/// hand). Its links (influences, related items, programmes) are written
/// apart.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PackageRecord<'a> {
    pub section: SectionId,
    /// The section's place in its plan (0-based): the plan order's first key.
    pub section_position: usize,
    pub number: &'a str,
    pub reference: &'a str,
    pub title: &'a str,
    pub scope: &'a str,
    pub relationships: &'a str,
    pub delivery: &'a [DeliveryTarget],
    pub comments: &'a str,
    pub owner: &'a str,
    pub status: Status,
    pub rag: Option<Rag>,
    pub progress: Progress,
    pub actual_delivery: Option<Date>,
    pub related_items_manual: bool,
}

/// The primitive reads and writes a rule needs, inside one transaction of
/// one backend. Each does one thing to stored rows and checks nothing that a
/// rule decides; what it must keep in step by itself (a search index, a
/// denormalised column) is the backend's business.
pub(crate) trait PlanTx {
    /// The plan of this title (titles compare without regard to case).
    fn plan_titled(&mut self, title: &str) -> Result<Option<PlanId>>;
    /// A plan's own fields (not its sections or registers), under `id` when
    /// given (a replaced plan keeps its id).
    fn insert_plan(&mut self, id: Option<PlanId>, plan: &Plan) -> Result<PlanId>;
    /// Delete a plan and everything in it; `false` if there was none.
    fn delete_plan(&mut self, id: PlanId) -> Result<bool>;

    /// The plan, place and number of a section, if there is one.
    fn section_place(&mut self, id: SectionId) -> Result<Option<SectionPlace>>;
    fn insert_section(
        &mut self,
        plan: PlanId,
        position: usize,
        number: Option<&str>,
        title: Option<&str>,
    ) -> Result<SectionId>;

    /// The plan, section, number and reference of a package, if there is one.
    fn package_place(&mut self, id: WorkPackageId) -> Result<Option<PackagePlace>>;
    /// The numbers of a section's packages, in no particular order.
    fn package_numbers(&mut self, section: SectionId) -> Result<Vec<String>>;
    /// Whether a package of the plan other than `other_than` has this
    /// reference.
    fn reference_taken(
        &mut self,
        plan: PlanId,
        reference: &str,
        other_than: Option<WorkPackageId>,
    ) -> Result<bool>;
    /// A new package, last in its section.
    fn insert_package(&mut self, plan: PlanId, package: &PackageRecord<'_>)
    -> Result<WorkPackageId>;
    /// A package's fields; moved to another section, it goes last there.
    fn update_package(&mut self, id: WorkPackageId, package: &PackageRecord<'_>) -> Result<()>;
    /// Delete a package and its links; `false` if there was none.
    fn delete_package(&mut self, id: WorkPackageId) -> Result<bool>;
    /// Replace the key influences a package addresses, in this order.
    fn set_package_influences(&mut self, id: WorkPackageId, influences: &[InfluenceId])
    -> Result<()>;
    /// Replace the related items a package relates to, in this order.
    fn set_package_related_items(
        &mut self,
        id: WorkPackageId,
        items: &[RelatedItemId],
    ) -> Result<()>;
    /// Replace the programmes a package belongs to; it goes last in each
    /// programme it joins.
    fn set_package_programmes(&mut self, id: WorkPackageId, programmes: &[ProgrammeId])
    -> Result<()>;

    /// The key influence of a plan with this code, if there is one.
    fn influence_id(&mut self, plan: PlanId, code: &InfluenceCode) -> Result<Option<InfluenceId>>;
    fn insert_influence(&mut self, plan: PlanId, influence: &Influence) -> Result<InfluenceId>;
    /// The related item of a plan that has this name, or had it before a
    /// rename or merge; names compare without regard to case.
    fn related_item_named(&mut self, plan: PlanId, name: &str) -> Result<Option<RelatedItemId>>;
    fn insert_related_item(
        &mut self,
        plan: PlanId,
        name: &str,
        kind: RelatedKind,
    ) -> Result<RelatedItemId>;
    /// The plan a programme belongs to, if there is one.
    fn programme_plan(&mut self, id: ProgrammeId) -> Result<Option<PlanId>>;
    /// A programme's own fields (its packages are set apart).
    fn insert_programme(
        &mut self,
        plan: PlanId,
        position: usize,
        programme: &Programme,
    ) -> Result<ProgrammeId>;
    /// Replace a programme's packages, in this order.
    fn set_programme_packages(
        &mut self,
        id: ProgrammeId,
        packages: &[WorkPackageId],
    ) -> Result<()>;

    /// A plan's dependencies, by reference, in the order they were added.
    fn dependencies(&mut self, plan: PlanId) -> Result<Vec<Dependency>>;
    fn insert_dependency(
        &mut self,
        plan: PlanId,
        predecessor: WorkPackageId,
        successor: WorkPackageId,
    ) -> Result<DependencyId>;
}
