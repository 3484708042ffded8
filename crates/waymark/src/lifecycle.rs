//! `waymark package approve|reject` and `waymark plan approve|supersede`:
//! approvals from the command line (`waymark_core::lifecycle`), acting as
//! `Actor::Cli`, which may approve. The same rules as the API and the
//! pages: only a proposed package is approved or rejected, rejecting needs
//! a comment, only a draft plan is approved (taking a baseline) and only an
//! approved one superseded; each is one audited write.

use anyhow::{Result, bail};
use clap::Subcommand;
use waymark_store::{Actor, PlanId, PlanStore, Verdict, WorkPackageId};

use crate::pick_plan;
use crate::shared::package_ids;

#[derive(Subcommand)]
pub enum PackageCommand {
    /// Approve a proposed work package (its status becomes approved).
    Approve {
        /// The package's reference (`10.2.1`).
        reference: String,
        /// Plan id [default: the only plan].
        #[arg(long)]
        plan: Option<i64>,
        /// Why, or on what terms (optional; kept in the package's history).
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// Reject a proposed work package, saying why.
    Reject {
        /// The package's reference (`10.2.1`).
        reference: String,
        /// Plan id [default: the only plan].
        #[arg(long)]
        plan: Option<i64>,
        /// Why it is rejected (required; kept in the package's history).
        #[arg(long)]
        comment: String,
    },
}

#[derive(Subcommand)]
pub enum PlanCommand {
    /// Approve a draft plan: its proposed packages approved, the plan
    /// approved and a baseline taken, in one write.
    Approve {
        /// Plan id [default: the only plan].
        #[arg(long)]
        plan: Option<i64>,
        /// A comment (optional; kept in the plan's history).
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// Mark an approved plan superseded.
    Supersede {
        /// Plan id [default: the only plan].
        #[arg(long)]
        plan: Option<i64>,
        /// The id of the plan that takes its place (optional).
        #[arg(long)]
        by: Option<i64>,
        /// A comment (optional; kept in the plan's history).
        #[arg(long, default_value = "")]
        comment: String,
    },
}

pub fn package(store: &dyn PlanStore, command: PackageCommand, by: &Actor) -> Result<()> {
    let (reference, plan, comment, verdict) = match command {
        PackageCommand::Approve {
            reference,
            plan,
            comment,
        } => (reference, plan, comment, Verdict::Approve),
        PackageCommand::Reject {
            reference,
            plan,
            comment,
        } => (reference, plan, comment, Verdict::Reject),
    };
    let plan = pick_plan(store, plan)?;
    let Some(&id) = package_ids(store, plan, std::slice::from_ref(&reference))?.first() else {
        bail!("the plan has no work package {reference}");
    };
    store.decide_work_package(WorkPackageId(id), None, verdict, &comment, by)?;
    let done = match verdict {
        Verdict::Approve => "Approved",
        Verdict::Reject => "Rejected",
    };
    println!("{done} work package {} of plan {plan}.", reference.trim());
    Ok(())
}

pub fn plan(store: &dyn PlanStore, command: PlanCommand, by: &Actor) -> Result<()> {
    match command {
        PlanCommand::Approve { plan, comment } => {
            let plan = pick_plan(store, plan)?;
            let approval = store.approve_plan(plan, None, &comment, by)?;
            println!(
                "Approved plan {plan}: {} proposed work packages approved; baseline {} \"{}\" taken.",
                approval.approved_packages, approval.baseline, approval.baseline_name
            );
        }
        PlanCommand::Supersede {
            plan,
            by: other,
            comment,
        } => {
            let plan = pick_plan(store, plan)?;
            store.supersede_plan(plan, None, other.map(PlanId), &comment, by)?;
            match other {
                Some(other) => println!("Plan {plan} is superseded by plan {other}."),
                None => println!("Plan {plan} is superseded."),
            }
        }
    }
    Ok(())
}
