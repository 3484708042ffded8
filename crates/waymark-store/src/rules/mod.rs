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

pub(crate) mod access;
pub(crate) mod audit;
pub(crate) mod baselines;
pub(crate) mod decisions;
pub(crate) mod dependencies;
pub(crate) mod import;
pub(crate) mod lifecycle;
pub(crate) mod notes;
pub(crate) mod packages;
pub(crate) mod priorities;
pub(crate) mod raid;
pub(crate) mod registers;
pub(crate) mod update;

use waymark_core::audit::{Head, Snapshot, StoredEntry};
use waymark_core::{
    Date, DeliveryTarget, Dependency, Influence, InfluenceCode, Plan, PlanStatus, Programme,
    Progress, Rag, RelatedKind, Status,
};

use crate::{
    AccountId, BaselineId, DecisionId, DecisionInput, DependencyId, PlanId, PlanInput, ProgrammeId,
    ProgrammeInput, ProgressNoteId, ProgressNoteInput, RelatedItemId, Result, SectionId,
    StoreError, TokenId, Version, WorkPackageId,
};

/// The version check of a check-and-change or a delete, inside its
/// transaction and before it changes anything: the record must be there, and
/// at the version the caller saw (when it gave one).
pub(crate) fn expect_version(
    tx: &mut dyn PlanTx,
    subject: &audit::Subject,
    expected: Option<Version>,
) -> Result<()> {
    let what = subject.what();
    let current = tx.version(subject)?.ok_or(StoreError::NotFound { what })?;
    match expected {
        Some(expected) if expected != current => Err(StoreError::Stale {
            what,
            expected,
            current,
        }),
        _ => Ok(()),
    }
}

/// How a section is named where a person reads it (`Section::label`: "10.1
/// Core business systems", or by its place when it has no number), for the
/// store's rows and its messages alike.
pub(crate) fn section_label(number: Option<&str>, title: Option<&str>, position: usize) -> String {
    waymark_core::Section {
        number: number.map(str::to_string),
        title: title.map(str::to_string),
        work_packages: Vec::new(),
    }
    .label(position)
}

/// A key influence's own id (callers name influences by plan and code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct InfluenceId(pub i64);

/// Where a section is: its plan, its place (0-based), its number and title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SectionPlace {
    pub plan: PlanId,
    pub position: usize,
    pub number: Option<String>,
    pub title: Option<String>,
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
    pub delivery_as_written: &'a str,
    pub comments: &'a str,
    pub owner: &'a str,
    pub status: Status,
    pub rag: Option<Rag>,
    pub progress: Progress,
    pub progress_note: &'a str,
    pub actual_delivery: Option<Date>,
    pub related_items_manual: bool,
}

/// A baseline as stored: its plan frozen as text ([`waymark_core::baseline::freeze`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct NewBaseline<'a> {
    pub plan: PlanId,
    pub name: &'a str,
    pub taken_at_ms: i64,
    pub taken_by: &'a str,
    pub package_count: u64,
    pub frozen: &'a str,
}

/// The primitive reads and writes a rule needs, inside one transaction of
/// one backend. Each does one thing to stored rows and checks nothing that a
/// rule decides; what it must keep in step by itself (a search index, a
/// denormalised column) is the backend's business.
pub(crate) trait PlanTx {
    /// Whether there is a plan with this id.
    fn plan_exists(&mut self, id: PlanId) -> Result<bool>;
    /// The plan of this title (titles compare without regard to case).
    fn plan_titled(&mut self, title: &str) -> Result<Option<PlanId>>;
    /// A plan's own fields (not its sections or registers), under `id` when
    /// given (a replaced plan keeps its id).
    fn insert_plan(&mut self, id: Option<PlanId>, plan: &Plan) -> Result<PlanId>;
    /// The whole plan as stored now, as `PlanStore::load_plan` reads it.
    fn load_plan(&mut self, id: PlanId) -> Result<Plan>;
    /// The plan's notes (text from imported files that fitted no field).
    fn set_plan_notes(&mut self, id: PlanId, notes: &str) -> Result<()>;
    /// The fields a person edits.
    fn set_plan(&mut self, id: PlanId, input: &PlanInput) -> Result<()>;
    /// Delete a plan and everything in it; `false` if there was none.
    fn delete_plan(&mut self, id: PlanId) -> Result<bool>;

    /// The plan, place, number and title of a section, if there is one.
    fn section_place(&mut self, id: SectionId) -> Result<Option<SectionPlace>>;
    /// A plan's sections in their order (by place, then id).
    fn sections(&mut self, plan: PlanId) -> Result<Vec<(SectionId, SectionPlace)>>;
    fn insert_section(
        &mut self,
        plan: PlanId,
        position: usize,
        number: Option<&str>,
        title: Option<&str>,
    ) -> Result<SectionId>;
    fn set_section_fields(
        &mut self,
        id: SectionId,
        number: Option<&str>,
        title: Option<&str>,
    ) -> Result<()>;
    fn set_section_position(&mut self, id: SectionId, position: usize) -> Result<()>;
    fn delete_section(&mut self, id: SectionId) -> Result<()>;
    /// A section's packages and their numbers, in no particular order.
    fn section_packages(&mut self, section: SectionId) -> Result<Vec<(WorkPackageId, String)>>;

    /// The plan, section, number and reference of a package, if there is one.
    fn package_place(&mut self, id: WorkPackageId) -> Result<Option<PackagePlace>>;
    /// The package of the plan with this reference, if there is one.
    fn package_with_reference(
        &mut self,
        plan: PlanId,
        reference: &str,
    ) -> Result<Option<WorkPackageId>>;
    /// A new package, last in its section.
    fn insert_package(
        &mut self,
        plan: PlanId,
        package: &PackageRecord<'_>,
    ) -> Result<WorkPackageId>;
    /// A package's fields; moved to another section, it goes last there.
    fn update_package(&mut self, id: WorkPackageId, package: &PackageRecord<'_>) -> Result<()>;
    /// New references and section places for packages, all at once (two may
    /// trade references).
    fn set_references(&mut self, changes: &[(WorkPackageId, String, usize)]) -> Result<()>;
    /// Delete a package and its links; `false` if there was none.
    fn delete_package(&mut self, id: WorkPackageId) -> Result<bool>;
    /// Replace the key influences a package addresses, in this order.
    fn set_package_influences(
        &mut self,
        id: WorkPackageId,
        influences: &[InfluenceId],
    ) -> Result<()>;
    /// Replace the related items a package relates to, in this order.
    fn set_package_related_items(
        &mut self,
        id: WorkPackageId,
        items: &[RelatedItemId],
    ) -> Result<()>;
    /// Replace the programmes a package belongs to; it goes last in each
    /// programme it joins.
    fn set_package_programmes(
        &mut self,
        id: WorkPackageId,
        programmes: &[ProgrammeId],
    ) -> Result<()>;

    /// The key influence of a plan with this code, if there is one.
    fn influence_id(&mut self, plan: PlanId, code: &InfluenceCode) -> Result<Option<InfluenceId>>;
    fn insert_influence(&mut self, plan: PlanId, influence: &Influence) -> Result<InfluenceId>;
    /// A key influence's title and description.
    fn influence_text(&mut self, id: InfluenceId) -> Result<(String, String)>;
    fn set_influence_text(&mut self, id: InfluenceId, title: &str, description: &str)
    -> Result<()>;
    /// How many packages address a key influence.
    fn influence_use(&mut self, id: InfluenceId) -> Result<u64>;
    /// Make every package that addresses `from` address `into` as well, in
    /// the same place (a package that already does keeps its place).
    fn move_influence_links(&mut self, from: InfluenceId, into: InfluenceId) -> Result<()>;
    /// Delete a key influence and its links.
    fn delete_influence(&mut self, id: InfluenceId) -> Result<()>;

    /// The plan and name of a related item, if there is one.
    fn related_item(&mut self, id: RelatedItemId) -> Result<Option<(PlanId, String)>>;
    /// The related item of a plan that has this name, or had it before a
    /// rename or merge; names compare without regard to case.
    fn related_item_named(&mut self, plan: PlanId, name: &str) -> Result<Option<RelatedItemId>>;
    /// The related item of a plan whose own name this is (not a former one).
    fn related_item_own_name(&mut self, plan: PlanId, name: &str) -> Result<Option<RelatedItemId>>;
    fn insert_related_item(
        &mut self,
        plan: PlanId,
        name: &str,
        kind: RelatedKind,
    ) -> Result<RelatedItemId>;
    fn set_related_item(&mut self, id: RelatedItemId, name: &str, kind: RelatedKind) -> Result<()>;
    /// How many packages relate to a related item.
    fn related_item_use(&mut self, id: RelatedItemId) -> Result<u64>;
    /// Make every package that relates to `from` relate to `into` as well, in
    /// the same place.
    fn move_related_links(&mut self, from: RelatedItemId, into: RelatedItemId) -> Result<()>;
    /// Delete a related item, its links and its former names.
    fn delete_related_item(&mut self, id: RelatedItemId) -> Result<()>;
    /// Keep `name` as a former name of `item` (instead of any other item's).
    fn add_other_name(&mut self, plan: PlanId, name: &str, item: RelatedItemId) -> Result<()>;
    /// `name` is no longer a former name of any item of the plan.
    fn forget_other_name(&mut self, plan: PlanId, name: &str) -> Result<()>;
    /// Every former name of `from` becomes one of `into`.
    fn move_other_names(&mut self, from: RelatedItemId, into: RelatedItemId) -> Result<()>;

    /// The plan a programme belongs to, if there is one.
    fn programme_plan(&mut self, id: ProgrammeId) -> Result<Option<PlanId>>;
    /// The programme of a plan with this name (compared without regard to case).
    fn programme_named(&mut self, plan: PlanId, name: &str) -> Result<Option<ProgrammeId>>;
    /// A place after every programme of the plan.
    fn programme_end(&mut self, plan: PlanId) -> Result<usize>;
    /// A programme's own fields (its packages are set apart).
    fn insert_programme(
        &mut self,
        plan: PlanId,
        position: usize,
        programme: &Programme,
    ) -> Result<ProgrammeId>;
    fn set_programme(&mut self, id: ProgrammeId, input: &ProgrammeInput) -> Result<()>;
    /// Replace a programme's packages, in this order.
    fn set_programme_packages(&mut self, id: ProgrammeId, packages: &[WorkPackageId])
    -> Result<()>;
    /// Delete a programme (its packages stay); `false` if there was none.
    fn delete_programme(&mut self, id: ProgrammeId) -> Result<bool>;

    /// A plan's dependencies, by reference, in the order they were added.
    fn dependencies(&mut self, plan: PlanId) -> Result<Vec<Dependency>>;
    fn insert_dependency(
        &mut self,
        plan: PlanId,
        predecessor: WorkPackageId,
        successor: WorkPackageId,
    ) -> Result<DependencyId>;
    /// `false` if there was none.
    fn delete_dependency(&mut self, id: DependencyId) -> Result<bool>;

    /// The plan a decision belongs to, if there is one.
    fn decision_plan(&mut self, id: DecisionId) -> Result<Option<PlanId>>;
    /// A decision's own fields (its links are set apart), recorded now.
    fn insert_decision(&mut self, plan: PlanId, input: &DecisionInput) -> Result<DecisionId>;
    fn set_decision(&mut self, id: DecisionId, input: &DecisionInput) -> Result<()>;
    /// Replace a decision's packages and programmes with the input's.
    fn set_decision_links(&mut self, id: DecisionId, input: &DecisionInput) -> Result<()>;
    /// `false` if there was none.
    fn delete_decision(&mut self, id: DecisionId) -> Result<bool>;
    /// The package a progress note belongs to, if there is one.
    fn note_package(&mut self, id: ProgressNoteId) -> Result<Option<WorkPackageId>>;
    /// A progress note of a package, written by `author`, recorded now.
    fn insert_note(
        &mut self,
        package: WorkPackageId,
        input: &ProgressNoteInput,
        author: &str,
    ) -> Result<ProgressNoteId>;
    fn set_note(&mut self, id: ProgressNoteId, input: &ProgressNoteInput) -> Result<()>;
    /// `false` if there was none.
    fn delete_note(&mut self, id: ProgressNoteId) -> Result<bool>;
    /// Set a package's RAG (a progress note's); `false` if there is no
    /// such package.
    fn set_package_rag(&mut self, id: WorkPackageId, rag: Rag) -> Result<bool>;
    /// The baseline of a plan with this name (compared without regard to case).
    fn baseline_named(&mut self, plan: PlanId, name: &str) -> Result<Option<BaselineId>>;
    /// A baseline: the plan frozen (as text), never changed after.
    fn insert_baseline(&mut self, baseline: &NewBaseline<'_>) -> Result<BaselineId>;

    /// A package's plan and status.
    fn package_status(&mut self, id: WorkPackageId) -> Result<Option<(PlanId, Status)>>;
    /// Set a package's status (nothing else).
    fn set_package_status(&mut self, id: WorkPackageId, status: Status) -> Result<()>;
    /// A plan's packages in a status, in plan order.
    fn packages_with_status(&mut self, plan: PlanId, status: Status) -> Result<Vec<WorkPackageId>>;
    /// A plan's own status.
    fn plan_status(&mut self, id: PlanId) -> Result<Option<PlanStatus>>;
    /// Set a plan's status and the plan that superseded it.
    fn set_plan_status(
        &mut self,
        id: PlanId,
        status: PlanStatus,
        superseded_by: Option<PlanId>,
    ) -> Result<()>;
    /// The plan and kind of a RAID item, if there is one.
    fn raid_item_place(
        &mut self,
        id: crate::RaidItemId,
    ) -> Result<Option<(PlanId, waymark_core::raid::RaidKind)>>;
    /// A RAID item's own fields (its links are set apart), recorded now.
    fn insert_raid_item(
        &mut self,
        plan: PlanId,
        input: &crate::RaidInput,
    ) -> Result<crate::RaidItemId>;
    fn set_raid_item(&mut self, id: crate::RaidItemId, input: &crate::RaidInput) -> Result<()>;
    /// Replace a RAID item's packages and programmes with the input's.
    fn set_raid_item_links(
        &mut self,
        id: crate::RaidItemId,
        input: &crate::RaidInput,
    ) -> Result<()>;
    /// `false` if there was none.
    fn delete_raid_item(&mut self, id: crate::RaidItemId) -> Result<bool>;

    /// The plan a priority criterion belongs to, if there is one.
    fn criterion_plan(&mut self, id: crate::CriterionId) -> Result<Option<PlanId>>;
    /// The plan's criterion of this name (ignoring case), if any.
    fn criterion_named(&mut self, plan: PlanId, name: &str) -> Result<Option<crate::CriterionId>>;
    fn criterion_count(&mut self, plan: PlanId) -> Result<usize>;
    /// The highest order of the plan's criteria, if it has any.
    fn last_criterion_order(&mut self, plan: PlanId) -> Result<Option<u32>>;
    /// A criterion whose order is set.
    fn insert_criterion(
        &mut self,
        plan: PlanId,
        input: &crate::CriterionInput,
    ) -> Result<crate::CriterionId>;
    /// A criterion's fields (its order kept when the input has none).
    fn set_criterion(
        &mut self,
        id: crate::CriterionId,
        input: &crate::CriterionInput,
    ) -> Result<()>;
    /// `false` if there was none. Its scores go with it.
    fn delete_criterion(&mut self, id: crate::CriterionId) -> Result<bool>;
    /// The score of an item on a criterion, if there is one.
    fn score_of(
        &mut self,
        criterion: crate::CriterionId,
        item: crate::ScoreItem,
    ) -> Result<Option<crate::ScoreId>>;
    fn insert_score(
        &mut self,
        criterion: crate::CriterionId,
        item: crate::ScoreItem,
        value: &crate::ScoreValue,
    ) -> Result<crate::ScoreId>;
    /// `false` if there was none.
    fn set_score(&mut self, id: crate::ScoreId, value: &crate::ScoreValue) -> Result<bool>;
    /// `false` if there was none.
    fn delete_score(&mut self, id: crate::ScoreId) -> Result<bool>;

    /// A record's version; `None` when there is no such record.
    fn version(&mut self, subject: &audit::Subject) -> Result<Option<Version>>;
    /// Give a record the version of this transaction (the generation it
    /// commits as): one of its own fields changed.
    fn set_version(&mut self, subject: &audit::Subject) -> Result<()>;

    /// A record's fields as text (its own columns, and for a package the
    /// codes and names of what it links to), as the audit compares them
    /// before and after a write; `None` when there is no such record.
    fn snapshot(&mut self, subject: &audit::Subject) -> Result<Option<Snapshot>>;
    /// A plan's title and how many sections and packages it holds, as an
    /// import's audit entry gives them.
    fn plan_counts(&mut self, id: PlanId) -> Result<Snapshot>;
    /// An account's role, owner names and whether it is disabled, as
    /// stored now; `None` when there is no such account.
    fn account_access(&mut self, id: AccountId) -> Result<Option<access::AccountAccess>>;
    /// The account a token belongs to and whether it is revoked.
    fn token_account(&mut self, id: TokenId) -> Result<Option<(AccountId, bool)>>;
    /// A work package's owner text; `None` when there is no such package.
    fn package_owner(&mut self, id: WorkPackageId) -> Result<Option<String>>;
    /// How many accounts are admins and not disabled.
    fn enabled_admins(&mut self) -> Result<u64>;

    /// The audit trail's newest entry's number and hash.
    fn audit_head(&mut self) -> Result<Head>;
    /// Add an entry to the audit trail.
    fn append_audit(&mut self, entry: &StoredEntry) -> Result<()>;
}
