//! `waymark decision …`: the plan's decision log from the command line, which
//! records as the operating-system user who runs it (`Actor::Cli`). The
//! fields are checked by the same declarations the web form and the API use
//! (`waymark_web::input::DecisionFields`); packages are named by reference
//! and programmes by name, as the plan writes them.

use anyhow::{Result, anyhow};
use clap::Subcommand;
use waymark_store::{Actor, PlanId, PlanStore};
use waymark_web::form::Form;
use waymark_web::input::{DecisionFields, decision_search};

use crate::shared::{one_line, package_ids, programme_ids, refused};

#[derive(Subcommand)]
pub enum DecisionCommand {
    /// Record a decision and print its id.
    Add {
        /// The plan (needed when the database holds several).
        #[arg(long)]
        plan: Option<i64>,
        /// The day it was decided, YYYY-MM-DD.
        #[arg(long)]
        date: String,
        /// The meeting it was taken at.
        #[arg(long)]
        meeting: String,
        /// What was decided.
        #[arg(long)]
        text: String,
        /// Why.
        #[arg(long, default_value = "")]
        rationale: String,
        /// Who decided: the group, or a person.
        #[arg(long, default_value = "ICT Strategy Group")]
        decided_by: String,
        /// A work package it concerns, by reference (`10.2.1`); repeat for more.
        #[arg(long = "package")]
        packages: Vec<String>,
        /// A programme it concerns, by name; repeat for more.
        #[arg(long = "programme")]
        programmes: Vec<String>,
    },
    /// List the decision log, newest first: id, date, meeting, who decided,
    /// the decision, and the references of its packages.
    List {
        /// The plan (needed when the database holds several).
        #[arg(long)]
        plan: Option<i64>,
        /// Only decisions holding every word of this text.
        #[arg(long)]
        search: Option<String>,
    },
}

pub fn decision(
    store: &dyn PlanStore,
    plan: impl FnOnce(Option<i64>) -> Result<PlanId>,
    command: DecisionCommand,
    by: &Actor,
) -> Result<()> {
    match command {
        DecisionCommand::Add {
            plan: chosen,
            date,
            meeting,
            text,
            rationale,
            decided_by,
            packages,
            programmes,
        } => {
            let plan = plan(chosen)?;
            let fields = DecisionFields {
                date: Some(date),
                meeting: Some(meeting),
                text: Some(text),
                rationale: Some(rationale),
                decided_by: Some(decided_by),
                work_package_ids: Some(package_ids(store, plan, &packages)?),
                programme_ids: Some(programme_ids(store, plan, &programmes)?),
            };
            let input = fields
                .validate()
                .map_err(|errors| refused("the decision was not recorded", &errors))?;
            let id = store.create_decision(plan, &input, by)?;
            println!("{id}");
            Ok(())
        }
        DecisionCommand::List {
            plan: chosen,
            search,
        } => {
            let plan = plan(chosen)?;
            let pairs: Vec<(String, String)> =
                search.into_iter().map(|q| ("q".to_string(), q)).collect();
            let search = decision_search(&pairs).map_err(|errors| {
                anyhow!(
                    "{}",
                    errors
                        .first()
                        .map_or("the search cannot be read", |e| e.message.as_str())
                )
            })?;
            for d in store.decisions(plan, search.as_ref())? {
                let refs: Vec<&str> = d
                    .work_packages
                    .iter()
                    .map(|w| w.reference.as_str())
                    .collect();
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    d.id,
                    d.date,
                    one_line(&d.meeting),
                    one_line(&d.decided_by),
                    one_line(&d.text),
                    refs.join(" ")
                );
            }
            Ok(())
        }
    }
}
