//! `waymark baseline take|list|compare`: a plan frozen under a name, and the
//! plan now against one (`waymark_core::baseline`). The command line acts as
//! `Actor::Cli`, which may take baselines.

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use waymark_store::{Actor, BaselineId, PlanStore};

use crate::pick_plan;

#[derive(Subcommand)]
pub enum BaselineCommand {
    /// Freeze the plan as it is now under a name.
    Take {
        /// Plan id [default: the only plan].
        #[arg(long)]
        plan: Option<i64>,
        /// The baseline's name (one line; not another baseline's of the plan).
        #[arg(long)]
        name: String,
    },
    /// List a plan's baselines, newest first: id, name, when, by whom, packages.
    List {
        /// Plan id [default: the only plan].
        #[arg(long)]
        plan: Option<i64>,
    },
    /// Print the plan now against a baseline: packages added, removed and
    /// changed field by field, and each package's slip in quarters.
    Compare {
        /// Plan id [default: the only plan].
        #[arg(long)]
        plan: Option<i64>,
        /// The baseline's id (`waymark baseline list`).
        #[arg(long)]
        baseline: i64,
    },
}

/// Unix milliseconds as RFC 3339 in UTC.
fn rfc3339(at_ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(at_ms.div_euclid(1000))
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| at_ms.to_string())
}

pub fn baseline(store: &dyn PlanStore, command: BaselineCommand, by: &Actor) -> Result<()> {
    match command {
        BaselineCommand::Take { plan, name } => {
            let plan = pick_plan(store, plan)?;
            let id = store.take_baseline(plan, &name, by)?;
            println!("Took baseline {id} of plan {plan}.");
        }
        BaselineCommand::List { plan } => {
            let plan = pick_plan(store, plan)?;
            for b in store.baselines(plan)? {
                println!(
                    "{}\t{}\t{}\t{}\t{} work packages",
                    b.id,
                    b.name,
                    rfc3339(b.taken_at_ms),
                    b.taken_by,
                    b.package_count
                );
            }
        }
        BaselineCommand::Compare { plan, baseline } => {
            let plan = pick_plan(store, plan)?;
            let found = store
                .baseline(BaselineId(baseline))
                .with_context(|| format!("no baseline {baseline}"))?;
            if found.row.plan_id != plan {
                bail!(
                    "baseline {baseline} is of plan {}, not {plan}",
                    found.row.plan_id
                );
            }
            let now = store.load_plan(plan)?;
            let compared = waymark_core::baseline::compare(&found.plan, &now)?;
            println!(
                "Plan {plan} against baseline {baseline} \"{}\" ({}):",
                found.row.name,
                rfc3339(found.row.taken_at_ms)
            );
            print!("{}", compared.report());
        }
    }
    Ok(())
}
