//! `waymark priority …`: the strategy group's criteria, scores and the
//! ranking from the command line, which records as the operating-system user
//! who runs it (`Actor::Cli`). Fields are checked by the declarations the web
//! forms and the API use (`waymark_web::input::{CriterionFields,
//! ScoreFields}`); packages are named by reference, programmes and criteria
//! by name.

use anyhow::{Result, anyhow, bail};
use clap::Subcommand;
use waymark_core::priority;
use waymark_store::{
    Actor, CriterionRow, PlanId, PlanStore, Priorities, ScoreExpect, ScoreItem, ScoreSet,
};
use waymark_web::form::Form;
use waymark_web::input::{CriterionFields, ScoreFields, ranking_top};

use crate::shared::refused;

#[derive(Subcommand)]
pub enum PriorityCommand {
    /// List the plan's criteria: id, order, weight, name.
    Criteria {
        /// The plan (needed when the database holds several).
        #[arg(long)]
        plan: Option<i64>,
    },
    /// Add a criterion and print its id.
    AddCriterion {
        #[arg(long)]
        plan: Option<i64>,
        #[arg(long)]
        name: String,
        /// A whole number from 1 (counts least) to 100 (counts most).
        #[arg(long)]
        weight: String,
        #[arg(long, default_value = "")]
        description: String,
        /// Where it comes in the list (left out: last).
        #[arg(long)]
        order: Option<String>,
    },
    /// Score a work package or a programme on a criterion (1 to 5), or
    /// clear its score.
    Score {
        #[arg(long)]
        plan: Option<i64>,
        /// The work package, by reference (`10.2.1`).
        #[arg(
            long,
            conflicts_with = "programme",
            required_unless_present = "programme"
        )]
        package: Option<String>,
        /// The programme, by name.
        #[arg(long)]
        programme: Option<String>,
        /// The criterion, by name.
        #[arg(long)]
        criterion: String,
        /// 1 (least) to 5 (most).
        #[arg(long, required_unless_present = "clear")]
        score: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
        /// Clear the score instead.
        #[arg(long, conflicts_with = "score")]
        clear: bool,
    },
    /// Print the ranking by weighted score, the items missing scores, and
    /// how the ranking moves with each weight.
    Rank {
        #[arg(long)]
        plan: Option<i64>,
        /// The N of the top N the sensitivity follows (1 to 50).
        #[arg(long, default_value = "3")]
        top: String,
    },
}

fn criterion_named<'a>(criteria: &'a [CriterionRow], name: &str) -> Result<&'a CriterionRow> {
    let wanted = name.trim();
    criteria
        .iter()
        .find(|c| c.name.to_lowercase() == wanted.to_lowercase())
        .ok_or_else(|| anyhow!("the plan has no criterion named \"{wanted}\""))
}

fn item_named(p: &Priorities, package: Option<&str>, programme: Option<&str>) -> Result<ScoreItem> {
    let found = match (package, programme) {
        (Some(r), _) => p
            .items
            .iter()
            .find(|i| matches!(i.item, ScoreItem::WorkPackage(_)) && i.reference == r.trim()),
        (None, Some(n)) => p.items.iter().find(|i| {
            matches!(i.item, ScoreItem::Programme(_)) && i.name.eq_ignore_ascii_case(n.trim())
        }),
        (None, None) => bail!("name a work package (--package) or a programme (--programme)"),
    };
    match (found, package, programme) {
        (Some(i), _, _) => Ok(i.item),
        (None, Some(r), _) => bail!("the plan has no work package {}", r.trim()),
        (None, _, n) => bail!(
            "the plan has no programme named \"{}\"",
            n.unwrap_or("").trim()
        ),
    }
}

pub fn priority(
    store: &dyn PlanStore,
    plan: impl FnOnce(Option<i64>) -> Result<PlanId>,
    command: PriorityCommand,
    by: &Actor,
) -> Result<()> {
    match command {
        PriorityCommand::Criteria { plan: chosen } => {
            let plan = plan(chosen)?;
            for c in store.criteria(plan)? {
                println!("{}\t{}\t{}\t{}", c.id, c.order, c.weight, c.name);
            }
            Ok(())
        }
        PriorityCommand::AddCriterion {
            plan: chosen,
            name,
            weight,
            description,
            order,
        } => {
            let plan = plan(chosen)?;
            let input = CriterionFields {
                name: Some(name),
                description: Some(description),
                weight: Some(weight),
                order,
            }
            .validate()
            .map_err(|e| refused("the criterion was not added", &e))?;
            let id = store.create_criterion(plan, &input, by)?;
            println!("{id}");
            Ok(())
        }
        PriorityCommand::Score {
            plan: chosen,
            package,
            programme,
            criterion,
            score,
            note,
            clear,
        } => {
            let plan = plan(chosen)?;
            let p = store.priorities(plan)?;
            let item = item_named(&p, package.as_deref(), programme.as_deref())?;
            let criterion = criterion_named(&p.criteria, &criterion)?.id;
            let value = if clear {
                None
            } else {
                Some(
                    ScoreFields {
                        score,
                        note: Some(note),
                        ..Default::default()
                    }
                    .validate()
                    .map_err(|e| refused("the score was not saved", &e))?,
                )
            };
            store.set_scores(
                plan,
                item,
                &[ScoreSet {
                    criterion,
                    expected: ScoreExpect::Any,
                    value,
                }],
                by,
            )?;
            Ok(())
        }
        PriorityCommand::Rank { plan: chosen, top } => {
            let plan = plan(chosen)?;
            let top = ranking_top(&[("top".to_string(), top)])
                .map_err(|e| refused("the ranking cannot be worked out", &e))?;
            let p = store.priorities(plan)?;
            let scoring = p.scoring();
            let ranking = priority::rank(&scoring);
            let sens = priority::sensitivity(&scoring, &ranking, top);
            print!("{}", priority::report(&scoring, &ranking, &sens, top));
            Ok(())
        }
    }
}

/// The demo's example criteria and scores (`waymark_demo::EXAMPLE_CRITERIA`,
/// `EXAMPLE_SCORES`), added to a freshly loaded demo plan; an item or
/// programme the plan lacks is skipped.
pub fn seed_examples(store: &dyn PlanStore, plan: PlanId, by: &Actor) -> Result<()> {
    use waymark_demo::{EXAMPLE_CRITERIA, EXAMPLE_SCORES, ExampleItem};
    let mut ids = Vec::new();
    for (name, weight, description) in EXAMPLE_CRITERIA {
        let input = CriterionFields {
            name: Some((*name).into()),
            description: Some((*description).into()),
            weight: Some(weight.to_string()),
            order: None,
        }
        .validate()
        .map_err(|e| refused("an example criterion is wrong", &e))?;
        ids.push(store.create_criterion(plan, &input, by)?);
    }
    let p = store.priorities(plan)?;
    for (item, scores, note) in EXAMPLE_SCORES {
        let found = match item {
            ExampleItem::Programme(name) => item_named(&p, None, Some(*name)),
            ExampleItem::Package(reference) => item_named(&p, Some(*reference), None),
        };
        let Ok(item) = found else {
            continue;
        };
        let mut sets = Vec::new();
        for (criterion, score) in ids.iter().zip(scores) {
            let Some(score) = score else {
                continue;
            };
            let value = ScoreFields {
                score: Some(score.to_string()),
                note: Some((*note).into()),
                ..Default::default()
            }
            .validate()
            .map_err(|e| refused("an example score is wrong", &e))?;
            sets.push(ScoreSet {
                criterion: *criterion,
                expected: ScoreExpect::Any,
                value: Some(value),
            });
        }
        store.set_scores(plan, item, &sets, by)?;
    }
    Ok(())
}
