//! The permission check of every write, inside the write's own transaction
//! and before its work: who the actor is now (role, owner names, disabled,
//! a token revoked) and what the write is ([`Need`]), decided by
//! `waymark_core::access::allows`. A role changed or an account disabled a
//! moment ago is seen by the next write, whatever the request was checked
//! against.

use waymark_core::access::{self, Action, Caller, Context, Decision, OwnerName, Role};

use super::PlanTx;
use super::audit::{Audited, Subject};
use crate::{AccountId, Actor, ProgressNoteId, Result, StoreError, TokenId, WorkPackageId};

/// What an account is allowed, as its stored row says now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AccountAccess {
    pub role: Role,
    pub owner_names: Vec<OwnerName>,
    pub disabled: bool,
}

/// What a write needs to be allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Need {
    /// One action, whatever it acts on.
    Action(Action),
    /// Changing a work package: `edit-work-package`, with the package's
    /// owner text as stored now (a contributor may change their own).
    Package(WorkPackageId),
    /// Adding a progress note to a package: `add-progress-note`, with the
    /// package's owner text as stored now (a contributor on their own).
    Note(WorkPackageId),
    /// Changing or deleting a progress note: as [`Need::Note`] on the
    /// note's package.
    NoteOf(ProgressNoteId),
    /// Something of one account's: `own-account` when it is the actor's own,
    /// else `other`.
    OwnOr { account: AccountId, other: Action },
    /// Revoking a token: `own-account` when it is one of the actor's own
    /// tokens, else `manage-tokens`.
    Token(TokenId),
}

impl Need {
    /// What a plan write needs, from what it records: an import (or an
    /// update of a plan from a file) needs `import`; an update of a work package `edit-work-package`; any other
    /// change of the plan (new and deleted packages, sections, registers,
    /// programmes, dependencies, merges, the plan's own fields) `edit-plan`;
    /// an approver's decision (approving or rejecting a package, approving or
    /// superseding a plan) `approve`.
    pub(crate) fn of<T>(audited: &Audited<T>) -> Need {
        match audited {
            Audited::Import { .. } | Audited::Update(_) => Need::Action(Action::Import),
            Audited::Change("update", Subject::WorkPackage(id)) | Audited::Edit(id) => {
                Need::Package(*id)
            }
            Audited::Change(_, Subject::Criterion(_)) => Need::Action(Action::Approve),
            Audited::Change(_, Subject::ProgressNote(id)) => Need::NoteOf(*id),
            Audited::Change(_, Subject::Account(_)) => Need::Action(Action::ManageUsers),
            Audited::Change(_, Subject::Token(_)) => Need::Action(Action::ManageTokens),
            Audited::Decide { .. } => Need::Action(Action::Approve),
            _ => Need::Action(Action::EditPlan),
        }
    }
}

/// Whether `by` may make a write that needs `need`, read in the write's
/// transaction. The command line and Waymark itself may do anything; an
/// anonymous visitor nothing (`SignInRequired`); an account or token that is
/// gone, disabled or revoked must sign in again (`SignInRequired`); a role
/// that does not allow it is `Forbidden`, saying what would.
pub(crate) fn check(tx: &mut dyn PlanTx, by: &Actor, need: &Need) -> Result<()> {
    let (account, token) = match by {
        Actor::Cli { .. } | Actor::System => return Ok(()),
        Actor::Anonymous => return Err(StoreError::SignInRequired),
        Actor::Account { id, .. } => (*id, None),
        Actor::Token { id, account, .. } => (*account, Some(*id)),
    };
    let who = match tx.account_access(account)? {
        Some(who) if !who.disabled => who,
        _ => return Err(StoreError::SignInRequired),
    };
    if let Some(token) = token {
        match tx.token_account(token)? {
            Some((owner, revoked)) if owner == account && !revoked => {}
            _ => return Err(StoreError::SignInRequired),
        }
    }
    let mut owner = None;
    let action = match need {
        Need::Action(action) => *action,
        Need::Package(id) => {
            owner = tx.package_owner(*id)?;
            Action::EditWorkPackage
        }
        Need::Note(id) => {
            owner = tx.package_owner(*id)?;
            Action::AddProgressNote
        }
        Need::NoteOf(id) => {
            let package = tx.note_package(*id)?.ok_or(StoreError::NotFound {
                what: "progress note",
            })?;
            owner = tx.package_owner(package)?;
            Action::AddProgressNote
        }
        Need::OwnOr { account: of, other } => {
            if *of == account {
                Action::OwnAccount
            } else {
                *other
            }
        }
        Need::Token(id) => match tx.token_account(*id)? {
            Some((of, _)) if of == account => Action::OwnAccount,
            Some(_) => Action::ManageTokens,
            None => return Err(StoreError::NotFound { what: "API token" }),
        },
    };
    let caller = Caller::SignedIn {
        role: who.role,
        owner_names: &who.owner_names,
    };
    let ctx = Context {
        anonymous_read: false,
        package_owner: owner.as_deref(),
    };
    match access::allows(&caller, action, &ctx) {
        Decision::Allow => Ok(()),
        Decision::SignInRequired => Err(StoreError::SignInRequired),
        Decision::Forbidden(refusal) => Err(StoreError::Forbidden {
            field: None,
            message: refusal.to_string(),
        }),
    }
}

/// After a change to accounts: at least one enabled admin is left, so
/// someone can still manage accounts from the web. `field` names what the
/// change set (`role` or `disabled`).
pub(crate) fn keep_an_admin(tx: &mut dyn PlanTx, field: &'static str) -> Result<()> {
    if tx.enabled_admins()? == 0 {
        return Err(StoreError::Invalid {
            field,
            message:
                "Waymark needs at least one enabled admin: make another account an admin first"
                    .to_string(),
        });
    }
    Ok(())
}
