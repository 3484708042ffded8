//! `waymark note …`: a package's progress notes from the command line,
//! which writes as the operating-system user who runs it (`Actor::Cli`, the
//! note's author `command line`). The fields are checked by the declarations
//! the web form and the API use (`waymark_web::input::ProgressNoteFields`).

use anyhow::{Result, anyhow};
use clap::Subcommand;
use waymark_store::{Actor, PlanId, PlanStore, WorkPackageId};
use waymark_web::form::Form;
use waymark_web::input::ProgressNoteFields;

use crate::shared::{one_line, package_ids, refused};

#[derive(Subcommand)]
pub enum NoteCommand {
    /// Add a progress note to a package and print its id. A RAG given
    /// becomes the package's RAG.
    Add {
        /// The package, by reference (`10.2.1`).
        reference: String,
        /// The plan (needed when the database holds several).
        #[arg(long)]
        plan: Option<i64>,
        /// red, amber or green; left out: none (the package keeps its own).
        #[arg(long)]
        rag: Option<String>,
        /// What has happened.
        #[arg(long)]
        text: String,
        /// The day it reports on, YYYY-MM-DD (today when left out).
        #[arg(long)]
        date: Option<String>,
    },
    /// List progress notes, newest first: id, date, RAG, reference, author,
    /// text. With a reference, that package's; else the whole plan's.
    List {
        /// The package, by reference (`10.2.1`).
        reference: Option<String>,
        /// The plan (needed when the database holds several).
        #[arg(long)]
        plan: Option<i64>,
    },
}

pub fn note(
    store: &dyn PlanStore,
    plan: impl FnOnce(Option<i64>) -> Result<PlanId>,
    command: NoteCommand,
    by: &Actor,
) -> Result<()> {
    match command {
        NoteCommand::Add {
            reference,
            plan: chosen,
            rag,
            text,
            date,
        } => {
            let plan = plan(chosen)?;
            let package = one_package(store, plan, &reference)?;
            let fields = ProgressNoteFields {
                date: Some(date.unwrap_or_else(|| waymark_web::uk_time::today().to_string())),
                rag,
                text: Some(text),
            };
            let input = fields
                .validate()
                .map_err(|errors| refused("the note was not added", &errors))?;
            let id = store.add_progress_note(package, &input, by)?;
            println!("{id}");
            Ok(())
        }
        NoteCommand::List {
            reference,
            plan: chosen,
        } => {
            let plan = plan(chosen)?;
            let notes = match reference {
                Some(r) => store.progress_notes(one_package(store, plan, &r)?)?,
                None => store.plan_progress_notes(plan)?,
            };
            for n in notes {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    n.id,
                    n.date,
                    n.rag.map_or("none", |r| r.as_str()),
                    n.reference,
                    one_line(&n.author),
                    one_line(&n.text)
                );
            }
            Ok(())
        }
    }
}

fn one_package(store: &dyn PlanStore, plan: PlanId, reference: &str) -> Result<WorkPackageId> {
    let ids = package_ids(store, plan, &[reference.to_string()])?;
    ids.first()
        .map(|id| WorkPackageId(*id))
        .ok_or_else(|| anyhow!("the plan has no work package {reference}"))
}
