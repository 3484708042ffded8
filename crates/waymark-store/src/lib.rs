//! Persistence for Waymark behind one interface, [`PlanStore`]. SQLite is the
//! embedded default; a PostgreSQL backend implements the same trait later.
//!
//! The store speaks domain types (`waymark_core`) and plain view structs; callers
//! never see SQL. Every change is one transaction.

mod accounts;
mod priority;
mod raid;
mod rules;
pub mod secret;
mod sqlite;

pub use accounts::*;
pub use priority::*;
pub use raid::*;

use waymark_core::audit::{ChainError, Head, StoredEntry};
use waymark_core::search::SearchText;
use waymark_core::{
    DeliveryTarget, InfluenceCode, Plan, PlanStatus, Progress, Quarter, QuarterConvention, Rag,
    RelatedKind, Status,
};

pub use sqlite::SqliteStore;

/// Threads a server gives to reads of the store: one per core (they run in
/// parallel in WAL mode; more than cores only add switching, as
/// waymark-bench shows), at least 2 and at most 8.
pub fn readers() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    cores.clamp(2, 8) as u32
}

/// Database connections a store keeps open: one for each reader and one
/// more for the one writer (the server's writer thread), so a write never
/// takes a reader's place.
pub fn pool_size() -> u32 {
    readers() + 1
}

macro_rules! id_type {
    ($($name:ident),*) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub i64);
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { self.0.fmt(f) }
        }
    )*};
}
id_type!(
    PlanId,
    SectionId,
    WorkPackageId,
    RelatedItemId,
    ProgrammeId,
    DependencyId,
    AccountId,
    TokenId,
    DecisionId,
    BaselineId,
    ProgressNoteId
);

/// A record's version: a number that changes whenever one of the record's
/// own fields changes (its reference too, for a package), and never goes
/// back. It is the store generation of the write that last changed the
/// record, so a record deleted and made again under the same id never has a
/// version it had before. Writes that take an expected version refuse (with
/// [`StoreError::Stale`]) when the record's version is another, checked
/// inside the write's own transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(pub i64);

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for Version {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        s.parse().map(Version)
    }
}

/// Who makes a change. Every write of [`PlanStore`] takes one and hands it to
/// the backend's one write path, which records it in the audit trail (as
/// `waymark_core::audit::Actor`) in the same transaction as the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The command line on the host (`waymark import`, `waymark demo`): whoever
    /// may run the binary and open the database file, named by the
    /// operating-system user the command line found (empty when it found none).
    /// Also what tests use.
    Cli { user: String },
    /// A web visitor who has not signed in. Until accounts exist, every web
    /// request is one.
    Anonymous,
    /// A person's account, signed in (a session).
    Account {
        id: AccountId,
        /// The name shown for the account when the change was made.
        name: String,
    },
    /// One of an account's API tokens, acting with the account's role.
    Token {
        id: TokenId,
        account: AccountId,
        /// The account's name when the change was made.
        name: String,
    },
    /// Waymark itself: a single sign-on creating or updating an account,
    /// the demo's first start.
    System,
}

impl std::fmt::Display for Actor {
    /// How a change's author reads in a history: "command line",
    /// "anonymous visitor", or the account's name.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::Cli { .. } => f.write_str("command line"),
            Actor::Anonymous => f.write_str("anonymous visitor"),
            Actor::Account { name, .. } => f.write_str(name),
            Actor::Token { name, id, .. } => write!(f, "{name} (API token {id})"),
            Actor::System => f.write_str("Waymark"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{what} not found")]
    NotFound { what: &'static str },
    /// The record is no longer at the version the write expected: someone
    /// changed it meanwhile. Nothing was written.
    #[error("the {what} has been changed since version {expected}: it is now version {current}")]
    Stale {
        what: &'static str,
        expected: Version,
        current: Version,
    },
    /// A value clashes with stored data; `field` names the input field.
    #[error("{message}")]
    Conflict {
        field: &'static str,
        message: String,
    },
    /// A rule of the plan refuses the change (a dependency cycle, say).
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// The change needs a signed-in account (the actor is an anonymous
    /// visitor). Nothing was written.
    #[error("sign in to make changes")]
    SignInRequired,
    /// The actor's role does not allow the change; the message says what
    /// would. `field` names the input field whose value asked for more than
    /// the role allows (a package's `status` that only an approval gives),
    /// when there is one. Nothing was written.
    #[error("{message}")]
    Forbidden {
        field: Option<&'static str>,
        message: String,
    },
    /// The database itself failed (a locked or unreadable file, a lost
    /// connection, a broken statement); the message is for the logs.
    #[error("database error: {0}")]
    Backend(BackendError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The database URL names no backend this build has.
    #[error("unsupported database URL \"{url}\": {reason}")]
    UnsupportedUrl { url: String, reason: String },
}

/// A backend's own error, kept as its message: callers need not (and cannot)
/// depend on which database library a backend uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendError(String);

impl BackendError {
    pub(crate) fn new(e: impl std::fmt::Display) -> Self {
        BackendError(e.to_string())
    }

    /// The backend's message, for logs.
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for BackendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Debug, Clone, PartialEq)]
pub struct PlanSummary {
    pub id: PlanId,
    pub title: String,
    pub organisation: String,
    pub period: String,
    pub introduction: String,
    pub quarter_convention: QuarterConvention,
    pub notes: String,
    pub section_count: u64,
    pub work_package_count: u64,
    pub version: Version,
    /// Draft, approved or superseded (`approve_plan`, `supersede_plan`).
    pub status: PlanStatus,
    /// The plan that took this one's place, when its approver named one.
    pub superseded_by: Option<PlanId>,
}

/// An approver's answer to a proposed work package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Approve,
    Reject,
}

impl Verdict {
    /// The audit action: `approve` or `reject`.
    pub fn action(self) -> &'static str {
        match self {
            Verdict::Approve => "approve",
            Verdict::Reject => "reject",
        }
    }
}

/// What approving a plan did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanApproval {
    /// The baseline it took, and its name.
    pub baseline: BaselineId,
    pub baseline_name: String,
    /// How many proposed packages it approved.
    pub approved_packages: u64,
}

/// Plan fields a person edits.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanInput {
    pub title: String,
    pub organisation: String,
    pub period: String,
    pub introduction: String,
    pub quarter_convention: QuarterConvention,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SectionRow {
    pub id: SectionId,
    pub plan_id: PlanId,
    pub position: i64,
    pub number: Option<String>,
    pub title: Option<String>,
    pub label: String,
    pub work_package_count: u64,
    pub version: Version,
}

/// A package as lists show it.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkPackageRow {
    pub id: WorkPackageId,
    pub plan_id: PlanId,
    pub section_id: SectionId,
    pub reference: String,
    pub number: String,
    pub title: String,
    pub delivery: Vec<DeliveryTarget>,
    pub owner: String,
    pub status: Status,
    pub rag: Option<Rag>,
    pub progress: Progress,
    pub version: Version,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RelatedRef {
    pub id: RelatedItemId,
    pub name: String,
    pub kind: RelatedKind,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProgrammeRef {
    pub id: ProgrammeId,
    pub name: String,
    pub priority: bool,
}

/// One end of a dependency as seen from a package.
#[derive(Debug, Clone, PartialEq)]
pub struct DependencyLink {
    pub dependency_id: DependencyId,
    /// The dependency's version (it never changes once made).
    pub dependency_version: Version,
    pub work_package: WorkPackageRow,
}

/// Everything about one package.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkPackageDetail {
    pub row: WorkPackageRow,
    pub section_label: String,
    pub scope: String,
    pub relationships: String,
    pub comments: String,
    /// The latest progress note, beside `row.progress`.
    pub progress_note: String,
    /// The delivery cell's own words when they differ from `row.delivery`
    /// as Waymark writes it; empty otherwise.
    pub delivery_as_written: String,
    pub actual_delivery: Option<waymark_core::Date>,
    pub influences: Vec<InfluenceCode>,
    pub related_items: Vec<RelatedRef>,
    /// Whether a person set the related items by hand; if not, they are read
    /// from `relationships` on every save.
    pub related_items_manual: bool,
    pub programmes: Vec<ProgrammeRef>,
    /// Packages this one waits for.
    pub depends_on: Vec<DependencyLink>,
    /// Packages waiting for this one.
    pub dependents: Vec<DependencyLink>,
}

/// The fields of a package a person sets. Built by the web and CLI layers from
/// validated input.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkPackageInput {
    pub section_id: SectionId,
    /// Number within the section. `None` on create: the store picks the next
    /// free one (the largest whole number in the section + 1) in the same
    /// transaction; on update: the package keeps its number.
    pub number: Option<String>,
    pub title: String,
    pub scope: String,
    pub relationships: String,
    pub delivery: Vec<DeliveryTarget>,
    /// The delivery as originally written, when it differs from `delivery`
    /// as Waymark writes it (`format_delivery`); empty otherwise. Whoever
    /// changes `delivery` clears it unless they give it anew: it no longer
    /// describes the delivery.
    pub delivery_as_written: String,
    pub comments: String,
    pub influences: Vec<InfluenceCode>,
    /// Related item names set by hand; `None` reads them from `relationships`
    /// (now and on every later save, until they are set by hand again).
    pub related_items: Option<Vec<String>>,
    pub owner: String,
    pub status: Status,
    pub rag: Option<Rag>,
    pub progress: Progress,
    /// The latest progress note (free text).
    pub progress_note: String,
    pub actual_delivery: Option<waymark_core::Date>,
    /// Programme memberships; `None` leaves them as they are.
    pub programmes: Option<Vec<ProgrammeId>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Section, then package number: the plan's own order.
    #[default]
    Plan,
    Title,
    Delivery,
    Status,
    Progress,
    Owner,
}

impl std::str::FromStr for SortKey {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Ok(match s {
            "plan" | "reference" | "ref" => SortKey::Plan,
            "title" => SortKey::Title,
            "delivery" => SortKey::Delivery,
            "status" => SortKey::Status,
            "progress" => SortKey::Progress,
            "owner" => SortKey::Owner,
            _ => {
                return Err(format!(
                    "\"{s}\" is not a sort key; expected plan, title, delivery, status, progress or owner"
                ));
            }
        })
    }
}

/// A plan at a glance ([`PlanStore::dashboard`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    /// The quarter holding the day asked about, in the plan's convention.
    pub this_quarter: Quarter,
    pub next_quarter: Quarter,
    pub total: u64,
    /// Every status, in [`Status::ALL`]'s order, with its count (zeros too).
    pub by_status: Vec<(Status, u64)>,
    /// Every RAG rating with its count, then those with none.
    pub by_rag: Vec<(Rag, u64)>,
    pub not_rated: u64,
    /// The first few overdue packages in plan order, and how many there are.
    pub overdue: Page<WorkPackageRow>,
    /// The first few packages with a delivery part next quarter, and how many.
    pub due_next: Page<WorkPackageRow>,
    /// The day from which an open package should have a progress note
    /// ([`waymark_core::report::STALE_MONTHS`] months before the day asked about).
    pub notes_since: waymark_core::Date,
    /// The first few open packages with no progress note since then, and how many.
    pub no_recent_note: Page<WorkPackageRow>,
}

/// How many packages of each kind the dashboard lists (the counts are whole).
pub const DASHBOARD_LIST: u32 = 5;

/// Filters, sorting and paging for package lists.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WorkPackageQuery {
    pub section: Option<SectionId>,
    pub quarter: Option<Quarter>,
    pub status: Option<Status>,
    pub rag: Option<Rag>,
    pub influence: Option<InfluenceCode>,
    pub related_item: Option<RelatedItemId>,
    pub programme: Option<ProgrammeId>,
    /// Free text across every text field: words as word prefixes,
    /// references and codes as phrases.
    pub text: Option<SearchText>,
    /// Overdue on this day: still open ([`Status::is_open`]) and its last
    /// delivery quarter ended before the quarter holding the day, in the
    /// plan's quarter convention.
    pub overdue_on: Option<waymark_core::Date>,
    /// Still open ([`Status::is_open`]) and no progress note dated on or
    /// after this day (or none at all).
    pub no_note_since: Option<waymark_core::Date>,
    pub sort: SortKey,
    pub descending: bool,
    /// 1-based; counted from the start (an offset). A cursor, when given,
    /// says where the page starts instead, and which page it is.
    pub page: u32,
    pub per_page: u32,
    pub cursor: Option<Cursor>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Every match, or (when `total_is_lower_bound`) the first
    /// [`COUNT_LIMIT`] of them: counting further would cost more than the
    /// page itself.
    pub total: u64,
    pub total_is_lower_bound: bool,
    pub page: u32,
    pub per_page: u32,
    /// Where the next page starts, if there is one.
    pub next_cursor: Option<Cursor>,
    /// Where the previous page ends, if there is one.
    pub previous_cursor: Option<Cursor>,
}

/// A free-text search counts its matches up to this many; a total past it is
/// reported as "more than".
pub const COUNT_LIMIT: u64 = 1000;

/// A place in a package list: just after (or, going back, just before) one
/// package in the list's order. Paging from a cursor seeks to that place
/// through an index, so a deep page costs what the first one does (an offset
/// would step over every row before it). Opaque to clients: its text reads
/// back only into the list it was made for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// Fingerprint of the list (plan, filters, order, page size).
    pub(crate) list: u64,
    /// The page this cursor leads to (1-based).
    pub(crate) page: u32,
    /// Rows before the key (a previous page) instead of after it.
    pub(crate) backward: bool,
    /// The sort-key values of the row the page starts after (or ends before).
    pub(crate) key: Vec<CursorValue>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CursorValue {
    Int(i64),
    Text(String),
}

/// Why a `cursor` parameter cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a cursor given by this list; start again from the first page")]
pub struct BadCursor(String);

impl Cursor {
    /// The page the cursor leads to.
    pub fn page(&self) -> u32 {
        self.page
    }
}

impl std::fmt::Display for Cursor {
    /// `v1.<list>.<n|p>.<page>.<key>...`, each key `i<int>` or `t<hex of UTF-8>`,
    /// the whole hex-encoded so that nobody mistakes it for an interface.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use std::fmt::Write;
        let mut plain = format!(
            "v1.{:x}.{}.{}",
            self.list,
            if self.backward { 'p' } else { 'n' },
            self.page
        );
        for k in &self.key {
            match k {
                CursorValue::Int(i) => {
                    let _ = write!(plain, ".i{i}");
                }
                CursorValue::Text(t) => {
                    plain.push_str(".t");
                    for b in t.bytes() {
                        let _ = write!(plain, "{b:02x}");
                    }
                }
            }
        }
        for b in plain.bytes() {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

impl std::str::FromStr for Cursor {
    type Err = BadCursor;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let shown: String = s.chars().take(40).collect();
        let bad = || BadCursor(shown.clone());
        let plain = unhex(s)
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(bad)?;
        let mut parts = plain.split('.');
        if parts.next() != Some("v1") {
            return Err(bad());
        }
        let list = parts
            .next()
            .and_then(|p| u64::from_str_radix(p, 16).ok())
            .ok_or_else(bad)?;
        let backward = match parts.next() {
            Some("n") => false,
            Some("p") => true,
            _ => return Err(bad()),
        };
        let page = parts
            .next()
            .and_then(|p| p.parse::<u32>().ok())
            .filter(|p| *p >= 1)
            .ok_or_else(bad)?;
        let key = parts
            .map(|p| {
                if let Some(i) = p.strip_prefix('i') {
                    i.parse().ok().map(CursorValue::Int)
                } else {
                    p.strip_prefix('t')
                        .and_then(unhex)
                        .and_then(|b| String::from_utf8(b).ok())
                        .map(CursorValue::Text)
                }
            })
            .collect::<Option<Vec<_>>>()
            .filter(|k| !k.is_empty())
            .ok_or_else(bad)?;
        Ok(Cursor {
            list,
            page,
            backward,
            key,
        })
    }
}

impl<T> Page<T> {
    pub fn page_count(&self) -> u32 {
        if self.per_page == 0 {
            return 1;
        }
        (self.total.div_ceil(u64::from(self.per_page))).max(1) as u32
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct InfluenceRow {
    pub code: InfluenceCode,
    pub title: String,
    pub description: String,
    pub work_package_count: u64,
    pub version: Version,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RelatedItemRow {
    pub id: RelatedItemId,
    pub name: String,
    pub kind: RelatedKind,
    pub work_package_count: u64,
    pub version: Version,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProgrammeRow {
    pub id: ProgrammeId,
    pub name: String,
    pub priority: bool,
    pub description: String,
    pub work_packages: Vec<WorkPackageRow>,
    pub version: Version,
}

/// A section's new number and title and, when given, its new place (0-based).
#[derive(Debug, Clone, PartialEq)]
pub struct SectionChange {
    pub number: Option<String>,
    pub title: Option<String>,
    pub position: Option<usize>,
}

/// Where [`PlanStore::move_section`] puts a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionMove {
    /// At this place (0-based); past the last place is refused.
    To(usize),
    /// One place earlier (the first stays first).
    Up,
    /// One place later (the last stays last).
    Down,
}

/// Programme fields a person sets.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgrammeInput {
    pub name: String,
    pub priority: bool,
    pub description: String,
}

/// A decision of the plan's decision log, with what it links to.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionRow {
    pub id: DecisionId,
    pub plan_id: PlanId,
    pub date: waymark_core::Date,
    /// The meeting it was taken at.
    pub meeting: String,
    /// What was decided.
    pub text: String,
    pub rationale: String,
    /// Who decided: the group, or a person.
    pub decided_by: String,
    /// When it was recorded (Unix milliseconds).
    pub created_ms: i64,
    /// The packages it concerns, in plan order.
    pub work_packages: Vec<PackageLink>,
    /// The programmes it concerns, in the plan's order of programmes.
    pub programmes: Vec<ProgrammeRef>,
    pub version: Version,
}

/// A dated progress note of a work package.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressNoteRow {
    pub id: ProgressNoteId,
    pub work_package_id: WorkPackageId,
    /// The package's reference and title, for lists and reports.
    pub reference: String,
    pub title: String,
    /// The day the note reports on.
    pub date: waymark_core::Date,
    /// The RAG it gives the package (`None`: none given).
    pub rag: Option<Rag>,
    pub text: String,
    /// Who wrote it: the account's display name when it was recorded
    /// (`command line` for the CLI).
    pub author: String,
    /// When it was recorded (Unix milliseconds).
    pub created_ms: i64,
    pub version: Version,
}

/// A progress note's fields a person sets (the author is the writer, the
/// package is the route's).
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressNoteInput {
    pub date: waymark_core::Date,
    pub rag: Option<Rag>,
    pub text: String,
}

impl From<&ProgressNoteRow> for ProgressNoteInput {
    fn from(n: &ProgressNoteRow) -> Self {
        ProgressNoteInput {
            date: n.date,
            rag: n.rag,
            text: n.text.clone(),
        }
    }
}

/// A package added, removed or finished, as the audit trail records it
/// (for a progress report since a date with no baseline).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageEvent {
    pub at_ms: i64,
    pub kind: waymark_core::report::HistoryKind,
    pub reference: String,
    pub title: String,
}

/// A package as a link names it: its id, reference and title.
#[derive(Debug, Clone, PartialEq)]
pub struct PackageLink {
    pub id: WorkPackageId,
    pub reference: String,
    pub title: String,
}

/// A decision's fields a person sets. The packages and programmes must be
/// the plan's (the store refuses others, naming `work_package_ids` or
/// `programme_ids`).
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionInput {
    pub date: waymark_core::Date,
    pub meeting: String,
    pub text: String,
    pub rationale: String,
    pub decided_by: String,
    pub work_packages: Vec<WorkPackageId>,
    pub programmes: Vec<ProgrammeId>,
}

impl From<&DecisionRow> for DecisionInput {
    fn from(d: &DecisionRow) -> Self {
        DecisionInput {
            date: d.date,
            meeting: d.meeting.clone(),
            text: d.text.clone(),
            rationale: d.rationale.clone(),
            decided_by: d.decided_by.clone(),
            work_packages: d.work_packages.iter().map(|w| w.id).collect(),
            programmes: d.programmes.iter().map(|p| p.id).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DependencyRow {
    pub id: DependencyId,
    pub version: Version,
    pub predecessor: WorkPackageRow,
    pub successor: WorkPackageRow,
}

/// A baseline as lists show it: a named, frozen copy of a plan, taken by
/// an approver, never edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselineRow {
    pub id: BaselineId,
    pub plan_id: PlanId,
    pub name: String,
    /// When it was taken, as Unix milliseconds.
    pub taken_at_ms: i64,
    /// Who took it, as the audit names them.
    pub taken_by: String,
    /// How many work packages the plan held then.
    pub package_count: u64,
}

/// A baseline with the plan as it was when taken.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    pub row: BaselineRow,
    pub plan: Plan,
}

/// Package × influence links for a page of packages.
#[derive(Debug, Clone, PartialEq)]
pub struct Traceability {
    pub influences: Vec<InfluenceRow>,
    pub packages: Page<WorkPackageRow>,
    /// For each package in `packages`, the codes it addresses.
    pub links: Vec<Vec<InfluenceCode>>,
    /// Packages (all of them, not just this page) that address no influence.
    pub packages_without_influence: Vec<WorkPackageRow>,
}

/// The choices a package filter offers, without per-item counts of packages
/// (cheap to build, cached until the next write).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FilterOptions {
    pub sections: Vec<SectionOption>,
    pub influences: Vec<InfluenceOption>,
    pub programmes: Vec<ProgrammeOption>,
    pub related_items: Vec<RelatedRef>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SectionOption {
    pub id: SectionId,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct InfluenceOption {
    pub code: InfluenceCode,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProgrammeOption {
    pub id: ProgrammeId,
    pub name: String,
    pub priority: bool,
    pub work_package_count: u64,
}

/// A part of a plan as [`PlanStore::visit_plan`] gives it.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanPart {
    /// Everything but the packages; every section is there, without packages.
    Skeleton(Plan),
    /// A package of the skeleton's section `section` (an index).
    Package {
        section: usize,
        package: waymark_core::WorkPackage,
    },
}

/// How [`PlanStore::update_from_file`] goes about it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateOptions {
    /// Remove the stored packages the file does not have.
    pub remove_missing: bool,
    /// The [`waymark_core::update::Comparison::fingerprint`] the person
    /// confirmed; the update is refused if the plan now compares otherwise.
    pub expected: Option<String>,
    /// Check and roll back: nothing is stored.
    pub dry_run: bool,
}

/// How an import treats a plan of the same title that is already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnExisting {
    #[default]
    Refuse,
    Replace,
}

/// The storage interface. Methods block; async callers run them on a blocking
/// thread. Every method that changes stored data takes, last, the [`Actor`]
/// who makes the change. The check-and-change methods (`change_*`) and the
/// deletes take the version the caller last saw (`expected`): when the record
/// is at another version they refuse with [`StoreError::Stale`], checked in
/// the write's own transaction, and write nothing. `None` writes whatever
/// the version (the command line, tests).
pub trait PlanStore: AccountStore + Send + Sync {
    fn list_plans(&self) -> Result<Vec<PlanSummary>>;
    fn plan(&self, id: PlanId) -> Result<PlanSummary>;
    fn find_plan_by_title(&self, title: &str) -> Result<Option<PlanId>>;
    /// Store a whole plan in one transaction.
    fn import_plan(&self, plan: &Plan, on_existing: OnExisting, by: &Actor) -> Result<PlanId>;
    /// A dry run of [`PlanStore::import_plan`]: every check and every write it
    /// makes, in a transaction that is rolled back. Refuses what it refuses.
    fn check_import(&self, plan: &Plan, on_existing: OnExisting, by: &Actor) -> Result<()>;
    /// Update stored plan `id` from `incoming` (a newer version of its file,
    /// read as a plan) in one transaction: packages matched by reference
    /// take the file's fields and keep their ids, dependencies and links;
    /// the file's new packages, sections, programmes and dependencies are
    /// added; packages the file lacks are removed only with
    /// `remove_missing`. Refused whole (`Conflict` on `plan`) when
    /// `expected` is given and the plan no longer compares to the file as it
    /// did. `dry_run` makes every check and write and rolls them back. The
    /// comparison it applied.
    fn update_from_file(
        &self,
        id: PlanId,
        incoming: &Plan,
        options: &UpdateOptions,
        by: &Actor,
    ) -> Result<waymark_core::update::Comparison>;
    /// Load a whole plan back as a value (for export and check).
    fn load_plan(&self, id: PlanId) -> Result<Plan>;
    /// The plan in parts, from one snapshot, for an export of any size:
    /// first the plan without its packages ([`PlanPart::Skeleton`]), then
    /// every package in plan order. `visit` answers `false` to stop. Holds one
    /// batch of packages at a time, and no pooled connection (a slow reader
    /// keeps others waiting for nothing).
    fn visit_plan(&self, id: PlanId, visit: &mut dyn FnMut(PlanPart) -> bool) -> Result<()>;
    fn update_plan(&self, id: PlanId, input: &PlanInput, by: &Actor) -> Result<()>;
    /// Change a plan's fields from what they are, in one transaction, as
    /// [`PlanStore::change_work_package`] does for a package.
    fn change_plan(
        &self,
        id: PlanId,
        expected: Option<Version>,
        change: &mut dyn FnMut(&PlanInput) -> Option<PlanInput>,
        by: &Actor,
    ) -> Result<bool>;
    fn delete_plan(&self, id: PlanId, expected: Option<Version>, by: &Actor) -> Result<()>;

    fn sections(&self, plan: PlanId) -> Result<Vec<SectionRow>>;
    fn section(&self, id: SectionId) -> Result<SectionRow>;
    /// Renumber or retitle a section and, given a `position` (0-based), move
    /// it there, in one transaction; its packages' references follow.
    fn update_section(
        &self,
        id: SectionId,
        number: Option<String>,
        title: Option<String>,
        position: Option<usize>,
        by: &Actor,
    ) -> Result<()>;
    /// Renumber, retitle or move a section from what it is, in one
    /// transaction, as [`PlanStore::change_work_package`] does for a package.
    fn change_section(
        &self,
        id: SectionId,
        expected: Option<Version>,
        change: &mut dyn FnMut(&SectionRow) -> Option<SectionChange>,
        by: &Actor,
    ) -> Result<bool>;
    /// Move a section to a place, or one step up or down, in its plan;
    /// references follow. The place is worked out from what is stored, in the
    /// same transaction. One step past either end changes nothing.
    fn move_section(&self, id: SectionId, to: SectionMove, by: &Actor) -> Result<()>;
    /// Delete an empty section; refused (a conflict naming how many) while it
    /// holds packages.
    fn delete_section(&self, id: SectionId, expected: Option<Version>, by: &Actor) -> Result<()>;
    /// Sections, influences, programmes and related items to filter by.
    fn filter_options(&self, plan: PlanId) -> Result<std::sync::Arc<FilterOptions>>;
    fn create_section(
        &self,
        plan: PlanId,
        number: Option<String>,
        title: Option<String>,
        by: &Actor,
    ) -> Result<SectionId>;

    /// The plan at a glance on a day: packages by status and RAG, the
    /// overdue ones and those due next quarter (counts cached like a list's).
    fn dashboard(&self, plan: PlanId, today: waymark_core::Date) -> Result<Dashboard>;

    fn list_work_packages(
        &self,
        plan: PlanId,
        query: &WorkPackageQuery,
    ) -> Result<Page<WorkPackageRow>>;
    fn work_package(&self, id: WorkPackageId) -> Result<WorkPackageDetail>;
    fn create_work_package(
        &self,
        plan: PlanId,
        input: &WorkPackageInput,
        by: &Actor,
    ) -> Result<WorkPackageId>;
    fn update_work_package(
        &self,
        id: WorkPackageId,
        input: &WorkPackageInput,
        by: &Actor,
    ) -> Result<()>;
    /// Change a package from what it is, in one transaction, so that nothing
    /// changed meanwhile is lost (a PATCH of some fields): `change` sees the
    /// package as stored and answers the fields to store, or `None` to leave
    /// it as it is (when the change is not valid, say). Answers whether it
    /// stored a change.
    fn change_work_package(
        &self,
        id: WorkPackageId,
        expected: Option<Version>,
        change: &mut dyn FnMut(&WorkPackageDetail) -> Option<WorkPackageInput>,
        by: &Actor,
    ) -> Result<bool>;
    fn delete_work_package(
        &self,
        id: WorkPackageId,
        expected: Option<Version>,
        by: &Actor,
    ) -> Result<()>;

    fn influences(&self, plan: PlanId) -> Result<Vec<InfluenceRow>>;
    fn influence(
        &self,
        plan: PlanId,
        code: &InfluenceCode,
    ) -> Result<(InfluenceRow, Vec<WorkPackageRow>)>;
    fn traceability(&self, plan: PlanId, page: u32, per_page: u32) -> Result<Traceability>;

    fn related_items(&self, plan: PlanId) -> Result<Vec<RelatedItemRow>>;
    fn related_item(
        &self,
        id: RelatedItemId,
    ) -> Result<(RelatedItemRow, PlanId, Vec<WorkPackageRow>)>;
    fn update_related_item(
        &self,
        id: RelatedItemId,
        name: &str,
        kind: RelatedKind,
        by: &Actor,
    ) -> Result<()>;
    /// Rename a related item or change its kind from what it is, in one
    /// transaction, as [`PlanStore::change_work_package`] does for a package:
    /// `change` answers the new name and kind.
    fn change_related_item(
        &self,
        id: RelatedItemId,
        expected: Option<Version>,
        change: &mut dyn FnMut(&RelatedItemRow) -> Option<(String, RelatedKind)>,
        by: &Actor,
    ) -> Result<bool>;
    /// Move every link of `from` to `into` (duplicates collapse) and remove
    /// `from`; its name stays known as another name of `into`.
    fn merge_related_item(
        &self,
        from: RelatedItemId,
        into: RelatedItemId,
        by: &Actor,
    ) -> Result<()>;
    /// Delete a related item no package relates to; refused otherwise.
    fn delete_related_item(
        &self,
        id: RelatedItemId,
        expected: Option<Version>,
        by: &Actor,
    ) -> Result<()>;

    fn update_influence(
        &self,
        plan: PlanId,
        code: &InfluenceCode,
        title: &str,
        description: &str,
        by: &Actor,
    ) -> Result<()>;
    /// Describe a key influence from what it is, in one transaction, as
    /// [`PlanStore::change_work_package`] does for a package: `change`
    /// answers the new title and description.
    fn change_influence(
        &self,
        plan: PlanId,
        code: &InfluenceCode,
        expected: Option<Version>,
        change: &mut dyn FnMut(&InfluenceRow) -> Option<(String, String)>,
        by: &Actor,
    ) -> Result<bool>;
    /// Delete a key influence no package addresses; refused otherwise.
    fn delete_influence(
        &self,
        plan: PlanId,
        code: &InfluenceCode,
        expected: Option<Version>,
        by: &Actor,
    ) -> Result<()>;
    /// Move every link of `from` to `into` (created if new; duplicates
    /// collapse) and remove `from`.
    fn merge_influence(
        &self,
        plan: PlanId,
        from: &InfluenceCode,
        into: &InfluenceCode,
        by: &Actor,
    ) -> Result<()>;

    fn programmes(&self, plan: PlanId) -> Result<Vec<ProgrammeRow>>;
    fn create_programme(
        &self,
        plan: PlanId,
        input: &ProgrammeInput,
        by: &Actor,
    ) -> Result<ProgrammeId>;
    fn update_programme(&self, id: ProgrammeId, input: &ProgrammeInput, by: &Actor) -> Result<()>;
    /// Change a programme's fields from what they are, in one transaction, as
    /// [`PlanStore::change_work_package`] does for a package.
    fn change_programme(
        &self,
        id: ProgrammeId,
        expected: Option<Version>,
        change: &mut dyn FnMut(&ProgrammeInput) -> Option<ProgrammeInput>,
        by: &Actor,
    ) -> Result<bool>;
    fn delete_programme(
        &self,
        id: ProgrammeId,
        expected: Option<Version>,
        by: &Actor,
    ) -> Result<()>;
    fn programme(&self, id: ProgrammeId) -> Result<(ProgrammeRow, PlanId)>;

    /// The plan's decision log, newest first (by date, then the latest
    /// recorded), with `search` those whose meeting, text, rationale or
    /// who decided hold every term (anywhere in a word, ignoring ASCII case).
    fn decisions(&self, plan: PlanId, search: Option<&SearchText>) -> Result<Vec<DecisionRow>>;
    /// The decisions that link to a package, newest first.
    fn package_decisions(&self, id: WorkPackageId) -> Result<Vec<DecisionRow>>;
    fn decision(&self, id: DecisionId) -> Result<DecisionRow>;
    fn create_decision(
        &self,
        plan: PlanId,
        input: &DecisionInput,
        by: &Actor,
    ) -> Result<DecisionId>;
    /// Change a decision from what it is, in one transaction, as
    /// [`PlanStore::change_work_package`] does for a package.
    fn change_decision(
        &self,
        id: DecisionId,
        expected: Option<Version>,
        change: &mut dyn FnMut(&DecisionRow) -> Option<DecisionInput>,
        by: &Actor,
    ) -> Result<bool>;
    fn delete_decision(&self, id: DecisionId, expected: Option<Version>, by: &Actor) -> Result<()>;

    /// The plan's RAID log as the query filters it: by kind (risks,
    /// assumptions, issues, dependencies), then risks by score (highest
    /// first), then the latest recorded first.
    fn raid_items(&self, plan: PlanId, query: &RaidQuery) -> Result<Vec<RaidRow>>;
    /// The RAID items that link to a package, in the log's order.
    fn package_raid_items(&self, id: WorkPackageId) -> Result<Vec<RaidRow>>;
    fn raid_item(&self, id: RaidItemId) -> Result<RaidRow>;
    /// For a progress report: the plan's `top` open risks by score and its
    /// open issues; with `programme`, only those linked to the programme or
    /// to one of its packages.
    fn raid_highlights(
        &self,
        plan: PlanId,
        programme: Option<ProgrammeId>,
        top: usize,
    ) -> Result<RaidHighlights>;
    fn create_raid_item(&self, plan: PlanId, input: &RaidInput, by: &Actor) -> Result<RaidItemId>;
    /// Change a RAID item from what it is, in one transaction, as
    /// [`PlanStore::change_work_package`] does for a package. Its kind
    /// cannot change.
    fn change_raid_item(
        &self,
        id: RaidItemId,
        expected: Option<Version>,
        change: &mut dyn FnMut(&RaidRow) -> Option<RaidInput>,
        by: &Actor,
    ) -> Result<bool>;
    fn delete_raid_item(&self, id: RaidItemId, expected: Option<Version>, by: &Actor)
    -> Result<()>;
    /// A package's progress notes, newest first (by date, then the latest
    /// recorded).
    fn progress_notes(&self, package: WorkPackageId) -> Result<Vec<ProgressNoteRow>>;
    /// Every progress note of a plan's packages, newest first.
    fn plan_progress_notes(&self, plan: PlanId) -> Result<Vec<ProgressNoteRow>>;
    /// Each package's latest progress note (one per package that has any).
    fn latest_progress_notes(&self, plan: PlanId) -> Result<Vec<ProgressNoteRow>>;
    /// The latest progress note of each of these packages that has any (a
    /// page of a list).
    fn latest_progress_notes_of(&self, packages: &[WorkPackageId]) -> Result<Vec<ProgressNoteRow>>;
    fn progress_note(&self, id: ProgressNoteId) -> Result<ProgressNoteRow>;
    /// The plan's packages created, deleted, or given a finished status
    /// (delivered, closed) at or after `from_ms`, oldest first, as the
    /// audit trail records them. A whole-plan import or update is one entry
    /// of the plan's and adds none here.
    fn package_history(&self, plan: PlanId, from_ms: i64) -> Result<Vec<PackageEvent>>;
    /// Add a note to a package, written by `by` (its author). A note with a
    /// RAG sets the package's RAG too (audited as the package's update).
    /// Needs `add-progress-note` on the package: a contributor their own.
    fn add_progress_note(
        &self,
        package: WorkPackageId,
        input: &ProgressNoteInput,
        by: &Actor,
    ) -> Result<ProgressNoteId>;
    /// Change a note from what it is, in one transaction, as
    /// [`PlanStore::change_work_package`] does for a package. The package's
    /// RAG is left as it is.
    fn change_progress_note(
        &self,
        id: ProgressNoteId,
        expected: Option<Version>,
        change: &mut dyn FnMut(&ProgressNoteRow) -> Option<ProgressNoteInput>,
        by: &Actor,
    ) -> Result<bool>;
    fn delete_progress_note(
        &self,
        id: ProgressNoteId,
        expected: Option<Version>,
        by: &Actor,
    ) -> Result<()>;

    fn dependencies(&self, plan: PlanId) -> Result<Vec<DependencyRow>>;
    /// Add a finish-to-start dependency; refuses cycles and cross-plan links.
    fn add_dependency(
        &self,
        predecessor: WorkPackageId,
        successor: WorkPackageId,
        by: &Actor,
    ) -> Result<DependencyId>;
    fn delete_dependency(
        &self,
        id: DependencyId,
        expected: Option<Version>,
        by: &Actor,
    ) -> Result<()>;

    /// Freeze the plan as it is now under `name` (needs `approve`; the name
    /// is required, one line, within its limit, and not another baseline's
    /// of the plan).
    fn take_baseline(&self, plan: PlanId, name: &str, by: &Actor) -> Result<BaselineId>;
    /// A plan's baselines, newest first.
    fn baselines(&self, plan: PlanId) -> Result<Vec<BaselineRow>>;

    /// Approve or reject a proposed work package (needs `approve`, checked in
    /// the write; the package at the version the caller saw). `comment` is
    /// kept in the audit entry: required to reject, optional to approve.
    /// A package not proposed is refused (`Invalid` on `status`).
    fn decide_work_package(
        &self,
        id: WorkPackageId,
        expected: Option<Version>,
        verdict: Verdict,
        comment: &str,
        by: &Actor,
    ) -> Result<()>;
    /// Approve a draft plan in one write (needs `approve`): every proposed
    /// package approved (each with its audit entry), the plan approved, and a
    /// baseline taken of it (`Plan approved 26 November 2026`, made unique).
    /// `comment` (optional) is kept in the plan's audit entry.
    fn approve_plan(
        &self,
        id: PlanId,
        expected: Option<Version>,
        comment: &str,
        by: &Actor,
    ) -> Result<PlanApproval>;
    /// Mark an approved plan superseded (needs `approve`), optionally naming
    /// the plan that took its place (another stored plan).
    fn supersede_plan(
        &self,
        id: PlanId,
        expected: Option<Version>,
        superseded_by: Option<PlanId>,
        comment: &str,
        by: &Actor,
    ) -> Result<()>;
    /// A baseline and the plan it froze.
    fn baseline(&self, id: BaselineId) -> Result<Baseline>;

    /// A plan's priority criteria, in order.
    fn criteria(&self, plan: PlanId) -> Result<Vec<CriterionRow>>;
    fn criterion(&self, id: CriterionId) -> Result<CriterionRow>;
    /// A new criterion (needs `approve`; the name required, within its
    /// limit and not another criterion's of the plan; at most
    /// `limits::MAX_CRITERIA`).
    fn create_criterion(
        &self,
        plan: PlanId,
        input: &CriterionInput,
        by: &Actor,
    ) -> Result<CriterionId>;
    /// Change a criterion from what it is (needs `approve`), as
    /// [`PlanStore::change_work_package`] does for a package.
    fn change_criterion(
        &self,
        id: CriterionId,
        expected: Option<Version>,
        change: &mut dyn FnMut(&CriterionRow) -> Option<CriterionInput>,
        by: &Actor,
    ) -> Result<bool>;
    /// Delete a criterion and its scores (needs `approve`).
    fn delete_criterion(
        &self,
        id: CriterionId,
        expected: Option<Version>,
        by: &Actor,
    ) -> Result<()>;
    /// Everything a plan's ranking needs: criteria, items and scores.
    fn priorities(&self, plan: PlanId) -> Result<Priorities>;
    /// A score and the plan it belongs to.
    fn score(&self, id: ScoreId) -> Result<(ScoreRow, PlanId)>;
    /// A new score (`edit-plan`); a second score of the same item on the
    /// same criterion is a conflict naming `criterion_id`.
    fn create_score(&self, plan: PlanId, input: &ScoreInput, by: &Actor) -> Result<ScoreId>;
    fn change_score(
        &self,
        id: ScoreId,
        expected: Option<Version>,
        change: &mut dyn FnMut(&ScoreRow) -> Option<ScoreValue>,
        by: &Actor,
    ) -> Result<bool>;
    /// Clear a score.
    fn delete_score(&self, id: ScoreId, expected: Option<Version>, by: &Actor) -> Result<()>;
    /// Set or clear one item's scores on several criteria in one
    /// transaction (`edit-plan`): each score created, changed or deleted is
    /// its own audit entry; one not at its expected version refuses the
    /// whole write ([`StoreError::Stale`]).
    fn set_scores(
        &self,
        plan: PlanId,
        item: ScoreItem,
        sets: &[ScoreSet],
        by: &Actor,
    ) -> Result<()>;

    /// Audit entries the filter lets through, newest first, at most `limit`
    /// (see [`AuditFilter`] for where a page starts).
    fn audit_entries(&self, filter: &AuditFilter, limit: u32) -> Result<Vec<StoredEntry>>;
    /// The audit trail's newest entry's number and hash (0 and zeros when empty).
    fn audit_head(&self) -> Result<Head>;
    /// Check the whole audit chain, and, given a head recorded elsewhere
    /// (64 hex digits), that an entry with that hash is still there. The
    /// inner result is the chain's head, or its first bad entry.
    fn audit_verify(
        &self,
        recorded_head: Option<&str>,
    ) -> Result<std::result::Result<Head, ChainError>>;
}

/// Which audit entries to list, and where a page of them starts. Every
/// condition given must hold; `Default` is every entry.
///
/// Paging is by entry number (a keyset on `sequence`, never an offset), so a
/// deep page costs what the first does and entries written meanwhile do not
/// shift it: `before` lists the entries older than one already shown (the
/// next page of a newest-first list), `after` the ones newer (the page before
/// it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditFilter {
    /// What: one entity kind, as the entries name it (`work_package`; one of
    /// [`AUDIT_ENTITY_KINDS`]).
    pub entity_kind: Option<String>,
    /// What: one record's id, as the entries name it (`12`, or `1/3.1.1` for a
    /// key influence).
    pub entity_id: Option<String>,
    /// Who: one kind of actor (an account, the command line, ...).
    pub actor_kind: Option<waymark_core::audit::ActorKind>,
    /// Who: the actor's name as shown, or their id, contains this text (ASCII
    /// letters in either case; any other character as it is).
    pub actor: Option<String>,
    /// What they did: one action (`update`; one of [`AUDIT_ACTIONS`]).
    pub action: Option<String>,
    /// When: at or after this time (Unix milliseconds).
    pub from_ms: Option<i64>,
    /// When: before this time (Unix milliseconds).
    pub until_ms: Option<i64>,
    /// Entries numbered below this one (older).
    pub before: Option<u64>,
    /// Entries numbered above this one (newer). With it, the list is the
    /// `limit` entries just after it (the page before a page that starts
    /// there), still newest first.
    pub after: Option<u64>,
}

pub use rules::audit::{ACTIONS as AUDIT_ACTIONS, ENTITY_KINDS as AUDIT_ENTITY_KINDS};

/// Open the store a database URL names: a file path, `sqlite:PATH` or
/// `sqlite::memory:`. Migrations are applied on open. A URL with any other
/// scheme (`postgres://`, `mysql://`, `file:`) is an error, never a file name.
pub fn open(url: &str) -> Result<std::sync::Arc<dyn PlanStore>> {
    let unsupported = |reason: &str| StoreError::UnsupportedUrl {
        url: url.to_string(),
        reason: reason.to_string(),
    };
    let path = match scheme(url) {
        None => url,
        Some(s) if s.eq_ignore_ascii_case("sqlite") => url
            .split_once(':')
            .map_or(url, |(_, rest)| rest.strip_prefix("//").unwrap_or(rest)),
        Some(s) if s.eq_ignore_ascii_case("postgres") || s.eq_ignore_ascii_case("postgresql") => {
            return Err(unsupported(
                "PostgreSQL is not supported yet; use a file path or sqlite:PATH",
            ));
        }
        Some(s) => {
            return Err(unsupported(&format!(
                "\"{s}:\" is not a database this build knows; use a file path or sqlite:PATH"
            )));
        }
    };
    if path.is_empty() {
        return Err(unsupported("the URL names no database file"));
    }
    Ok(std::sync::Arc::new(SqliteStore::open(path)?))
}

/// The scheme of a URL (`postgres` in `postgres://host/db`): letters, digits,
/// `+`, `-` and `.` before the first `:`, starting with a letter. A single
/// letter is a Windows drive (`C:\\plans.db`), not a scheme.
fn scheme(url: &str) -> Option<&str> {
    let (head, _) = url.split_once(':')?;
    let mut chars = head.chars();
    let first = chars.next()?;
    (head.len() > 1
        && first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(head)
}
