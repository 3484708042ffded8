//! `waymark-bench`: makes synthetic plans, and measures `waymark` importing and
//! serving one. A program, not timed tests: figures are reported against a
//! baseline measured in the same run, because this machine is shared and noisy.

mod generate;
mod http;
mod load;
mod run;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::generate::Spec;

#[derive(Parser)]
#[command(name = "waymark-bench", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a synthetic plan to a file.
    Generate(GenerateArgs),
    /// Generate a plan, then time `waymark import` and load `waymark serve`.
    Run(run::RunArgs),
}

/// The plan's size. Unset counts scale with --packages (1,000 packages a
/// section, 60 influences, 400 related items, a dependency per 10 packages).
#[derive(Args, Clone)]
pub struct PlanArgs {
    #[arg(long, default_value_t = 100_000)]
    packages: usize,
    #[arg(long)]
    sections: Option<usize>,
    #[arg(long)]
    influences: Option<usize>,
    #[arg(long)]
    related: Option<usize>,
    #[arg(long)]
    dependencies: Option<usize>,
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

impl PlanArgs {
    fn spec(&self) -> Spec {
        let scaled = Spec::scaled(self.packages);
        Spec {
            packages: self.packages,
            sections: self.sections.unwrap_or(scaled.sections),
            influences: self.influences.unwrap_or(scaled.influences),
            related: self.related.unwrap_or(scaled.related),
            dependencies: self.dependencies.unwrap_or(scaled.dependencies),
            seed: self.seed,
        }
    }
}

#[derive(Args)]
struct GenerateArgs {
    #[command(flatten)]
    plan: PlanArgs,
    #[arg(long, value_enum, default_value_t = OutputFormat::Json)]
    format: OutputFormat,
    /// File to write; standard output when left out.
    #[arg(long)]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    PlanText,
    Markdown,
    Csv,
    Json,
    /// An Excel workbook, as `waymark export --format xlsx` writes it.
    Xlsx,
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Generate(args) => generate_command(&args),
        Command::Run(args) => run::run(&args),
    }
}

fn generate_command(args: &GenerateArgs) -> Result<()> {
    let spec = args.plan.spec();
    let started = Instant::now();
    let plan = generate::generate(&spec)?;
    let built = started.elapsed();
    let text = match args.format {
        OutputFormat::PlanText => generate::to_plan_text(&plan).into_bytes(),
        OutputFormat::Markdown => waymark_core::export::to_markdown(&plan).into_bytes(),
        OutputFormat::Csv => waymark_core::export::to_csv(&plan).into_bytes(),
        OutputFormat::Json => waymark_core::export::to_json(&plan).into_bytes(),
        OutputFormat::Xlsx => waymark_core::export::to_xlsx(&plan, None)?,
    };
    let written = started.elapsed() - built;
    match &args.output {
        Some(path) => {
            std::fs::write(path, &text).with_context(|| format!("writing {}", path.display()))?
        }
        None => {
            use std::io::Write;
            std::io::stdout()
                .write_all(&text)
                .context("writing to standard output")?
        }
    }
    eprintln!(
        "{} work packages in {} sections, {} influences, {} related items, {} dependencies: \
         built in {:.3} s, written as {:.1} MB in {:.3} s",
        plan.work_package_count(),
        plan.sections.len(),
        plan.influences.len(),
        plan.related_items.len(),
        plan.dependencies.len(),
        built.as_secs_f64(),
        text.len() as f64 / 1e6,
        written.as_secs_f64(),
    );
    Ok(())
}
