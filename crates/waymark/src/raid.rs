//! `waymark raid …`: the plan's RAID log (risks, assumptions, issues and
//! dependencies) from the command line, as the operating-system user who
//! runs it (`Actor::Cli`). The fields are checked by the declarations the web
//! form and the API use (`waymark_web::input::RaidFields`); packages are
//! named by reference and programmes by name, as for `waymark decision`.

use anyhow::Result;
use clap::Subcommand;
use waymark_store::{Actor, PlanId, PlanStore};
use waymark_web::form::Form;
use waymark_web::input::{RaidFields, raid_query};

use crate::shared::{one_line, package_ids, programme_ids, refused};

// Parsed once per run: the size of `Add` costs nothing worth boxing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
pub enum RaidCommand {
    /// Record a risk, an assumption, an issue or a dependency and print its id.
    Add {
        /// The plan (needed when the database holds several).
        #[arg(long)]
        plan: Option<i64>,
        /// risk, assumption, issue or dependency.
        #[arg(long)]
        kind: String,
        /// The risk, the assumption, the issue, or what is depended on.
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        description: String,
        /// Who owns it.
        #[arg(long, default_value = "")]
        owner: String,
        /// The kind's status (open when left out).
        #[arg(long, default_value = "")]
        status: String,
        /// A risk's likelihood, 1 to 5.
        #[arg(long, default_value = "")]
        likelihood: String,
        /// A risk's impact, 1 to 5.
        #[arg(long, default_value = "")]
        impact: String,
        /// A risk's mitigation.
        #[arg(long, default_value = "")]
        mitigation: String,
        /// A risk's next review date, YYYY-MM-DD.
        #[arg(long, default_value = "")]
        next_review: String,
        /// An issue's severity: low, medium, high or critical.
        #[arg(long, default_value = "")]
        severity: String,
        /// An issue's resolution.
        #[arg(long, default_value = "")]
        resolution: String,
        /// Who provides what a dependency depends on.
        #[arg(long, default_value = "")]
        provider: String,
        /// When a dependency is needed by, YYYY-MM-DD.
        #[arg(long, default_value = "")]
        needed_by: String,
        /// A work package it concerns, by reference (`10.2.1`); repeat for more.
        #[arg(long = "package")]
        packages: Vec<String>,
        /// A programme it concerns, by name; repeat for more.
        #[arg(long = "programme")]
        programmes: Vec<String>,
    },
    /// List the RAID log (risks highest score first, then assumptions,
    /// issues, dependencies): id, kind, status, score, owner, title, and the
    /// references of its packages.
    List {
        /// The plan (needed when the database holds several).
        #[arg(long)]
        plan: Option<i64>,
        /// Only items of this kind.
        #[arg(long)]
        kind: Option<String>,
        /// Only items with this status.
        #[arg(long)]
        status: Option<String>,
        /// Only items holding every word of this text.
        #[arg(long)]
        search: Option<String>,
    },
}

pub fn raid(
    store: &dyn PlanStore,
    plan: impl FnOnce(Option<i64>) -> Result<PlanId>,
    command: RaidCommand,
    by: &Actor,
) -> Result<()> {
    match command {
        RaidCommand::Add {
            plan: chosen,
            kind,
            title,
            description,
            owner,
            status,
            likelihood,
            impact,
            mitigation,
            next_review,
            severity,
            resolution,
            provider,
            needed_by,
            packages,
            programmes,
        } => {
            let plan = plan(chosen)?;
            let fields = RaidFields {
                kind: Some(kind),
                title: Some(title),
                description: Some(description),
                owner: Some(owner),
                status: Some(status),
                likelihood: Some(likelihood),
                impact: Some(impact),
                mitigation: Some(mitigation),
                next_review: Some(next_review),
                severity: Some(severity),
                resolution: Some(resolution),
                provider: Some(provider),
                needed_by: Some(needed_by),
                work_package_ids: Some(package_ids(store, plan, &packages)?),
                programme_ids: Some(programme_ids(store, plan, &programmes)?),
                recast_from: None,
            };
            let input = fields
                .validate()
                .map_err(|errors| refused("nothing was recorded", &errors))?;
            let id = store.create_raid_item(plan, &input, by)?;
            println!("{id}");
            Ok(())
        }
        RaidCommand::List {
            plan: chosen,
            kind,
            status,
            search,
        } => {
            let plan = plan(chosen)?;
            let pairs: Vec<(String, String)> = [("kind", kind), ("status", status), ("q", search)]
                .into_iter()
                .filter_map(|(k, v)| Some((k.to_string(), v?)))
                .collect();
            let query = raid_query(&pairs)
                .map_err(|errors| refused("the filters cannot be read", &errors))?;
            for r in store.raid_items(plan, &query)? {
                let refs: Vec<&str> = r
                    .work_packages
                    .iter()
                    .map(|w| w.reference.as_str())
                    .collect();
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    r.id,
                    r.kind,
                    r.status,
                    r.score().map(|s| s.to_string()).unwrap_or_default(),
                    one_line(&r.owner),
                    one_line(&r.title),
                    refs.join(" ")
                );
            }
            Ok(())
        }
    }
}

/// The demo's example RAID items (`waymark_demo::EXAMPLE_RAID`), added to a
/// freshly loaded demo plan as `raid add` adds one; an item naming a package
/// or programme the plan lacks is skipped.
pub fn seed_examples(store: &dyn PlanStore, plan: PlanId, by: &Actor) -> Result<()> {
    let text = |t: &str| Some(t.to_string());
    let rating = |r: Option<u8>| Some(r.map(|r| r.to_string()).unwrap_or_default());
    for item in waymark_demo::EXAMPLE_RAID {
        let references: Vec<String> = item.packages.iter().map(|r| r.to_string()).collect();
        let names: Vec<String> = item.programmes.iter().map(|n| n.to_string()).collect();
        let (Ok(packages), Ok(programmes)) = (
            package_ids(store, plan, &references),
            programme_ids(store, plan, &names),
        ) else {
            continue;
        };
        let input = RaidFields {
            kind: text(item.kind),
            title: text(item.title),
            description: text(item.description),
            owner: text(item.owner),
            status: text(""),
            likelihood: rating(item.likelihood),
            impact: rating(item.impact),
            mitigation: text(item.mitigation),
            next_review: text(item.next_review),
            severity: text(item.severity),
            resolution: text(item.resolution),
            provider: text(item.provider),
            needed_by: text(item.needed_by),
            work_package_ids: Some(packages),
            programme_ids: Some(programmes),
            recast_from: None,
        }
        .validate()
        .map_err(|errors| refused("an example RAID item is wrong", &errors))?;
        store.create_raid_item(plan, &input, by)?;
    }
    Ok(())
}
