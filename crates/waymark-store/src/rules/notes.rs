//! Progress notes' rules: a note belongs to one package; a new note with a
//! RAG sets the package's RAG, recorded as the package's own update in the
//! same transaction (so the package's version moves and its history says
//! so). Changing or deleting a note leaves the package's RAG as it is.

use waymark_core::limits::PROGRESS_NOTE_TEXT;

use super::PlanTx;
use super::audit::{Audited, Subject, record};
use crate::{Actor, ProgressNoteId, ProgressNoteInput, Result, StoreError, WorkPackageId};

/// A new note of `package` by `by`, at `at_ms`.
pub(crate) fn add_note(
    tx: &mut dyn PlanTx,
    package: WorkPackageId,
    input: &ProgressNoteInput,
    by: &Actor,
    at_ms: i64,
) -> Result<ProgressNoteId> {
    if tx.package_owner(package)?.is_none() {
        return Err(StoreError::NotFound {
            what: "work package",
        });
    }
    check(input)?;
    // The account's display name (an API token writes as its account).
    let author = match by {
        Actor::Account { name, .. } | Actor::Token { name, .. } => name.clone(),
        other => super::audit::actor(other).display,
    };
    let id = tx.insert_note(package, input, &author)?;
    if let Some(rag) = input.rag {
        let subject = Subject::WorkPackage(package);
        let before = tx.snapshot(&subject)?.unwrap_or_default();
        tx.set_package_rag(package, rag)?;
        record(
            tx,
            by,
            at_ms,
            &Audited::<()>::Change("update", subject),
            &before,
            &(),
        )?;
    }
    Ok(id)
}

pub(crate) fn update_note(
    tx: &mut dyn PlanTx,
    id: ProgressNoteId,
    input: &ProgressNoteInput,
) -> Result<()> {
    if tx.note_package(id)?.is_none() {
        return Err(StoreError::NotFound {
            what: "progress note",
        });
    }
    check(input)?;
    tx.set_note(id, input)
}

pub(crate) fn delete_note(tx: &mut dyn PlanTx, id: ProgressNoteId) -> Result<()> {
    if tx.delete_note(id)? {
        Ok(())
    } else {
        Err(StoreError::NotFound {
            what: "progress note",
        })
    }
}

/// The limits the web layer checks too, checked again for every caller.
fn check(input: &ProgressNoteInput) -> Result<()> {
    let invalid = |e: waymark_core::limits::LimitError| StoreError::Invalid {
        field: e.field,
        message: e.message,
    };
    if input.text.trim().is_empty() {
        return Err(StoreError::Invalid {
            field: "text",
            message: "Enter the progress note".to_string(),
        });
    }
    PROGRESS_NOTE_TEXT.check(&input.text).map_err(invalid)?;
    waymark_core::limits::check_note_date(input.date).map_err(invalid)
}
