//! The audit trail's entry for one write, for every backend: what the write
//! touched ([`Subject`]), its fields as text before and after (read through
//! [`PlanTx::snapshot`]), who made it, chained after the log's head and
//! appended in the write's own transaction.

use waymark_core::InfluenceCode;
use waymark_core::audit::{self, ActorKind, Changes, Entity, Event, FieldChange, Key, Snapshot};

use super::PlanTx;
use crate::{
    AccountId, Actor, BaselineId, CriterionId, DecisionId, DependencyId, PlanId, ProgrammeId,
    ProgressNoteId, RaidItemId, RelatedItemId, Result, ScoreId, SectionId, StoreError, TokenId,
    WorkPackageId,
};

/// One record a write changes, as the audit names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Subject {
    Plan(PlanId),
    Section(SectionId),
    WorkPackage(WorkPackageId),
    Influence(PlanId, InfluenceCode),
    RelatedItem(RelatedItemId),
    Programme(ProgrammeId),
    Dependency(DependencyId),
    Account(AccountId),
    Token(TokenId),
    Decision(DecisionId),
    Baseline(BaselineId),
    ProgressNote(ProgressNoteId),
    Criterion(CriterionId),
    Score(ScoreId),
    RaidItem(RaidItemId),
}

impl Subject {
    /// The entity kind: `plan`, `section`, `work_package`, `influence`,
    /// `related_item`, `programme`, `dependency`, `account`, `api_token`,
    /// `decision`.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Subject::Plan(_) => "plan",
            Subject::Section(_) => "section",
            Subject::WorkPackage(_) => "work_package",
            Subject::Influence(..) => "influence",
            Subject::RelatedItem(_) => "related_item",
            Subject::Programme(_) => "programme",
            Subject::Dependency(_) => "dependency",
            Subject::Account(_) => "account",
            Subject::Token(_) => "api_token",
            Subject::Decision(_) => "decision",
            Subject::Criterion(_) => "priority_criterion",
            Subject::Score(_) => "priority_score",
            Subject::Baseline(_) => "baseline",
            Subject::RaidItem(_) => "raid_item",
            Subject::ProgressNote(_) => "progress_note",
        }
    }

    /// The record's kind as a message names it: "work package", "key influence".
    pub(crate) fn what(&self) -> &'static str {
        match self {
            Subject::Plan(_) => "plan",
            Subject::Section(_) => "section",
            Subject::WorkPackage(_) => "work package",
            Subject::Influence(..) => "key influence",
            Subject::RelatedItem(_) => "related item",
            Subject::Programme(_) => "programme",
            Subject::Dependency(_) => "dependency",
            Subject::Account(_) => "account",
            Subject::Token(_) => "API token",
            Subject::Criterion(_) => "priority criterion",
            Subject::Score(_) => "priority score",
            Subject::Decision(_) => "decision",
            Subject::Baseline(_) => "baseline",
            Subject::RaidItem(_) => "RAID item",
            Subject::ProgressNote(_) => "progress note",
        }
    }

    /// The entity id: the record's number, or for a key influence its plan
    /// and code (`1/3.1.1`).
    pub(crate) fn id(&self) -> String {
        match self {
            Subject::Plan(id) => id.to_string(),
            Subject::Section(id) => id.to_string(),
            Subject::WorkPackage(id) => id.to_string(),
            Subject::Influence(plan, code) => format!("{plan}/{code}"),
            Subject::RelatedItem(id) => id.to_string(),
            Subject::Programme(id) => id.to_string(),
            Subject::Dependency(id) => id.to_string(),
            Subject::Account(id) => id.to_string(),
            Subject::Criterion(id) => id.to_string(),
            Subject::Score(id) => id.to_string(),
            Subject::Token(id) => id.to_string(),
            Subject::Decision(id) => id.to_string(),
            Subject::Baseline(id) => id.to_string(),
            Subject::RaidItem(id) => id.to_string(),
            Subject::ProgressNote(id) => id.to_string(),
        }
    }
}

/// Every entity kind an entry may name ([`Subject::kind`]), for filters.
pub const ENTITY_KINDS: &[&str] = &[
    "plan",
    "section",
    "work_package",
    "influence",
    "related_item",
    "programme",
    "dependency",
    "priority_criterion",
    "priority_score",
    "account",
    "api_token",
    "decision",
    "baseline",
    "raid_item",
    "progress_note",
];

/// Every action an entry may name ([`record`] and the writes' `Audited`), for
/// filters.
pub const ACTIONS: &[&str] = &[
    "create",
    "update",
    "delete",
    "merge",
    "import",
    "approve",
    "reject",
    "supersede",
];

/// What a write does, for its audit entry. `T` is the write's answer (a new
/// record's id names what was created).
pub(crate) enum Audited<T> {
    /// An update (or a move) of `Subject`, or with action `delete` its removal.
    Change(&'static str, Subject),
    /// A person's edit of a work package (a PATCH, the edit form): an
    /// `update`, or an `approve` when it approves the package
    /// (`lifecycle::edit_action`), as the approve endpoint records one.
    Edit(WorkPackageId),
    /// A write that appends an entry of its own for each record it creates,
    /// changes or deletes (one item's scores set together), and none besides.
    Each,
    /// A new record, named by the write's answer.
    Create(fn(&T) -> Subject),
    /// `from` merged into `into` (`from` is gone).
    Merge { from: Subject, into: String },
    /// A whole plan imported (as new, or in place of the plan of its title):
    /// the plan's title and counts of sections and packages before and after.
    Import {
        title: String,
        plan: fn(&T) -> PlanId,
    },
    /// A stored plan updated from a newer version of its file (recorded as
    /// an import of that plan): its counts before and after. Each package it
    /// changes, adds or removes has an entry of its own besides.
    Update(PlanId),
    /// An approver's decision on `subject` (action `approve`, `reject` or
    /// `supersede`): its fields before and after, and the approver's
    /// comment as the field `comment` (left out when empty).
    Decide {
        action: &'static str,
        subject: Subject,
        comment: String,
    },
}

/// What the audit needs before the write: the touched record's fields.
pub(crate) fn before<T>(tx: &mut dyn PlanTx, audited: &Audited<T>) -> Result<Snapshot> {
    Ok(match audited {
        Audited::Change(_, subject)
        | Audited::Merge { from: subject, .. }
        | Audited::Decide { subject, .. } => tx.snapshot(subject)?.unwrap_or_default(),
        Audited::Edit(id) => tx.snapshot(&Subject::WorkPackage(*id))?.unwrap_or_default(),
        Audited::Create(_) => Snapshot::new(),
        Audited::Import { title, .. } => match tx.plan_titled(title)? {
            Some(id) => tx.plan_counts(id)?,
            None => Snapshot::new(),
        },
        Audited::Update(id) => tx.plan_counts(*id)?,
        Audited::Each => Snapshot::new(),
    })
}

/// Appends the write's entry after the log's head, in the write's
/// transaction, and gives the record it changed a new version
/// ([`PlanTx::set_version`]). An update that changed no field records
/// nothing and keeps its version (a save of what was already there, or a
/// check that decided to store nothing).
pub(crate) fn record<T>(
    tx: &mut dyn PlanTx,
    by: &Actor,
    at_ms: i64,
    audited: &Audited<T>,
    before: &Snapshot,
    value: &T,
) -> Result<()> {
    let (action, subject, after) = match audited {
        Audited::Change(action, subject) => (
            *action,
            subject.clone(),
            tx.snapshot(subject)?.unwrap_or_default(),
        ),
        Audited::Edit(id) => {
            let subject = Subject::WorkPackage(*id);
            let after = tx.snapshot(&subject)?.unwrap_or_default();
            let action = super::lifecycle::edit_action(before, &after);
            (action, subject, after)
        }
        Audited::Create(name) => {
            let subject = name(value);
            let after = tx.snapshot(&subject)?.unwrap_or_default();
            ("create", subject, after)
        }
        Audited::Merge { from, into } => {
            let mut after = tx.snapshot(from)?.unwrap_or_default();
            after.insert(key("merged_into")?, into.clone());
            ("merge", from.clone(), after)
        }
        Audited::Import { plan, .. } => {
            let id = plan(value);
            ("import", Subject::Plan(id), tx.plan_counts(id)?)
        }
        Audited::Update(id) => ("import", Subject::Plan(*id), tx.plan_counts(*id)?),
        Audited::Each => return Ok(()),
        Audited::Decide {
            action,
            subject,
            comment,
        } => {
            let mut after = tx.snapshot(subject)?.unwrap_or_default();
            if !comment.trim().is_empty() {
                after.insert(key("comment")?, comment.clone());
            }
            (*action, subject.clone(), after)
        }
    };
    let changes = audit::field_changes(before, &after);
    if action == "update" && changes.is_empty() {
        return Ok(());
    }
    if !after.is_empty()
        && matches!(
            action,
            "update" | "create" | "approve" | "reject" | "supersede"
        )
    {
        tx.set_version(&subject)?;
    }
    let event = Event {
        at_ms,
        actor: actor(by),
        entity: Entity {
            kind: key(subject.kind())?,
            id: subject.id(),
        },
        action: key(action)?,
        changes,
    };
    let head = tx.audit_head()?;
    let entry = head
        .append(event)
        .map_err(|e| StoreError::Corrupt(format!("cannot append to the audit trail: {e}")))?;
    tx.append_audit(&entry)
}

/// The store's actor as the audit names it. The command line is the
/// operating-system user who ran it, as the command line found it.
pub(crate) fn actor(by: &Actor) -> audit::Actor {
    match by {
        Actor::Cli { user } => audit::Actor {
            kind: ActorKind::Cli,
            id: user.clone(),
            display: by.to_string(),
        },
        Actor::Anonymous => audit::Actor {
            kind: ActorKind::Anonymous,
            id: String::new(),
            display: by.to_string(),
        },
        Actor::Account { id, name } => audit::Actor {
            kind: ActorKind::User,
            id: id.to_string(),
            display: name.clone(),
        },
        Actor::Token { id, .. } => audit::Actor {
            kind: ActorKind::Token,
            id: id.to_string(),
            display: by.to_string(),
        },
        Actor::System => audit::Actor {
            kind: ActorKind::System,
            id: String::new(),
            display: by.to_string(),
        },
    }
}

/// A name of the audit's own vocabulary (never input).
fn key(name: &str) -> Result<Key> {
    name.parse()
        .map_err(|e| StoreError::Corrupt(format!("audit name: {e}")))
}

/// A snapshot from fields whose names are column names: a name the audit's
/// vocabulary does not allow is left out.
pub(crate) fn snapshot_of(fields: impl IntoIterator<Item = (String, Option<String>)>) -> Snapshot {
    fields
        .into_iter()
        .filter_map(|(name, value)| Some((name.parse::<Key>().ok()?, value?)))
        .collect()
}

/// An entry's changes as stored rows give them back (field, before, after),
/// for reading the trail.
pub(crate) fn changes_of(
    rows: Vec<(String, Option<String>, Option<String>)>,
) -> std::result::Result<Changes, ()> {
    let changes = rows
        .into_iter()
        .map(|(field, before, after)| {
            Ok(FieldChange {
                field: field.parse().map_err(|_| ())?,
                before,
                after,
            })
        })
        .collect::<std::result::Result<Vec<_>, ()>>()?;
    Changes::new(changes).map_err(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subject_kind_is_listed_for_filters() {
        let subjects = [
            Subject::Plan(PlanId(1)),
            Subject::Section(SectionId(1)),
            Subject::WorkPackage(WorkPackageId(1)),
            Subject::Influence(PlanId(1), "3.1.1".parse().unwrap_or_else(|e| panic!("{e}"))),
            Subject::RelatedItem(RelatedItemId(1)),
            Subject::Programme(ProgrammeId(1)),
            Subject::Dependency(DependencyId(1)),
            Subject::Criterion(CriterionId(1)),
            Subject::Score(ScoreId(1)),
            Subject::Account(AccountId(1)),
            Subject::Token(TokenId(1)),
            Subject::Decision(DecisionId(1)),
            Subject::Baseline(BaselineId(1)),
            Subject::RaidItem(RaidItemId(1)),
            Subject::ProgressNote(ProgressNoteId(1)),
        ];
        let kinds: Vec<&str> = subjects.iter().map(Subject::kind).collect();
        assert_eq!(kinds, ENTITY_KINDS);
        for name in ENTITY_KINDS.iter().chain(ACTIONS) {
            assert!(name.parse::<Key>().is_ok(), "{name}");
        }
    }
}
