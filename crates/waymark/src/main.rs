//! The `waymark` binary: wires the CLI to the core, the store and the web layer.

mod accounts;
mod baselines;
mod config;
mod decisions;
mod lifecycle;
mod notes;
mod priorities;
mod raid;
mod shared;

/// mimalloc rather than glibc's allocator: under load the server allocates on
/// database threads and frees on async threads, which glibc handles poorly
/// (measured with waymark-bench: see docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Parser, Subcommand};
use waymark_core::export::{ExportFormat, PlanWriter};
use waymark_core::import::{self, Format, ImportOptions, Imported};
use waymark_store::{Actor, AuditFilter, OnExisting, PlanId, PlanPart, PlanStore, UpdateOptions};

use crate::config::{AccessArgs, Settings, SsoArgs};

#[derive(Parser)]
#[command(
    name = "waymark",
    version,
    about = "Run an ICT strategy action plan: work packages, influences, priorities."
)]
struct Cli {
    /// Database: a SQLite file path or `sqlite:PATH` [default: DATA_DIR/waymark.db].
    #[arg(long, global = true, env = "WAYMARK_DB")]
    db: Option<String>,
    /// Where Waymark keeps its files [default: $XDG_DATA_HOME/waymark or ~/.local/share/waymark].
    #[arg(long, global = true, env = "WAYMARK_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// A TOML config file with `addr`, `db`, `data_dir` [default: DATA_DIR/waymark.toml if present].
    #[arg(long, global = true, env = "WAYMARK_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web UI and the JSON API.
    Serve {
        /// Address to listen on [default: 127.0.0.1:8080].
        #[arg(long, env = "WAYMARK_ADDR")]
        addr: Option<String>,
        #[command(flatten)]
        sso: SsoArgs,
        #[command(flatten)]
        access: AccessArgs,
    },
    /// Load the customer's plan (once) into DATA_DIR/demo.db and serve it.
    Demo {
        /// Address to listen on [default: 127.0.0.1:8080].
        #[arg(long, env = "WAYMARK_ADDR")]
        addr: Option<String>,
        /// Reload the demo plan, discarding changes made to it.
        #[arg(long)]
        reset: bool,
        #[command(flatten)]
        sso: SsoArgs,
        #[command(flatten)]
        access: AccessArgs,
    },
    /// Import a plan file and print the import report.
    Import {
        file: PathBuf,
        /// auto, plan-text, markdown, csv, json or xlsx.
        #[arg(long, default_value = "auto")]
        format: String,
        /// The sheet of an .xlsx workbook to read [default: the first whose
        /// header row names a work package column].
        #[arg(long)]
        sheet: Option<String>,
        /// How a header is understood: "Header=field" (repeatable); field is
        /// one of section, section-title, work-package, title, number, scope,
        /// relationships, delivery, comments, key-influences, owner, status,
        /// rag, progress, actual-delivery, depends-on, programmes,
        /// related-items, or notes (keep the column in the plan's notes).
        #[arg(long = "map", value_name = "HEADER=FIELD")]
        map: Vec<String>,
        /// Read, report and run every check the import runs (in a database
        /// transaction that is rolled back), store nothing.
        #[arg(long)]
        dry_run: bool,
        /// How the file's bytes are text: auto (from the byte-order mark, else
        /// UTF-8, else Windows-1252 with a warning), utf-8, utf-16le, utf-16be or windows-1252.
        #[arg(long, default_value = "auto")]
        encoding: String,
        /// Store a plan that has no work packages (otherwise an error).
        #[arg(long)]
        allow_empty: bool,
        /// Replace a stored plan with the same title instead of refusing.
        #[arg(long, conflicts_with = "update")]
        replace: bool,
        /// Update a stored plan from this newer version of its file: packages
        /// matched by reference take the file's fields and keep their ids,
        /// links and dependencies; new ones are added. Prints every change.
        /// The plan is --plan, else the one with the file's title, else the
        /// only one.
        #[arg(long)]
        update: bool,
        /// With --update: the plan to update.
        #[arg(long, requires = "update")]
        plan: Option<i64>,
        /// With --update: remove the stored packages the file does not have
        /// (otherwise they stay, and are listed).
        #[arg(long, requires = "update")]
        remove_missing: bool,
        /// Title for a file that does not carry one [default: from the file name].
        #[arg(long)]
        title: Option<String>,
        /// Organisation the plan belongs to.
        #[arg(long)]
        organisation: Option<String>,
    },
    /// Write a stored plan out as JSON, Markdown, CSV or an Excel workbook.
    Export {
        /// Plan id [default: the only plan].
        #[arg(long)]
        plan: Option<i64>,
        /// json, markdown, csv or xlsx (xlsx needs --output or a redirected standard output).
        #[arg(long, default_value = "json")]
        format: String,
        /// File to write [default: standard output].
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Lint a stored plan: missing dates and influences, cycles, overdue packages.
    Check {
        /// Plan id [default: the only plan].
        #[arg(long)]
        plan: Option<i64>,
    },
    /// The plan at a glance today: packages by status and RAG, the overdue
    /// ones and those due next quarter (as the overview's dashboard).
    Dashboard {
        /// Plan id [default: the only plan].
        #[arg(long)]
        plan: Option<i64>,
    },
    /// List the stored plans.
    Plans,
    /// Read and check the audit trail (who changed what, when).
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Add, list, disable and change accounts.
    User {
        #[command(subcommand)]
        command: accounts::UserCommand,
    },
    /// Create, list and revoke API tokens.
    Token {
        #[command(subcommand)]
        command: accounts::TokenCommand,
    },
    /// Record and list the plan's decisions (the decision log).
    Decision {
        #[command(subcommand)]
        command: decisions::DecisionCommand,
    },
    /// Record and list the plan's risks, assumptions, issues and
    /// dependencies (the RAID log).
    Raid {
        #[command(subcommand)]
        command: raid::RaidCommand,
    },
    /// Add and list the packages' progress notes.
    Note {
        #[command(subcommand)]
        command: notes::NoteCommand,
    },
    /// Take a plan's baselines, list them, and compare the plan with one.
    Baseline {
        #[command(subcommand)]
        command: baselines::BaselineCommand,
    },
    /// Approve or reject a proposed work package.
    Package {
        #[command(subcommand)]
        command: lifecycle::PackageCommand,
    },
    /// Approve a draft plan (taking a baseline), or mark one superseded.
    Plan {
        #[command(subcommand)]
        command: lifecycle::PlanCommand,
    },
    /// Priorities that reflect business need: criteria, scores, the ranking.
    Priority {
        #[command(subcommand)]
        command: priorities::PriorityCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain; name the first bad entry and exit 1 if any.
    Verify {
        /// A head recorded earlier (`waymark audit head`): the entry with this
        /// hash must still be in the trail.
        #[arg(long)]
        head: Option<String>,
    },
    /// Print the newest entry's number and hash, to record elsewhere.
    Head,
    /// Print entries, newest first.
    List {
        /// Most entries to print.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Only entries of this kind of record, or of one record
        /// (`work_package:12`, `programme`).
        #[arg(long)]
        entity: Option<String>,
    },
}

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run() -> Result<()> {
    let cli = Cli::parse();
    let settings = Settings::resolve(cli.db.clone(), cli.data_dir.clone(), cli.config.clone())?;
    let logging = matches!(cli.command, Command::Serve { .. } | Command::Demo { .. });
    init_logging(logging);
    match cli.command {
        Command::Serve { addr, sso, access } => {
            let oidc = settings.oidc(&sso, oidc_secret())?;
            let access = settings.access(&access, &sso, false)?;
            let store = open_store(&settings.db)?;
            serve(store, &settings.addr(addr), oidc, access, None)
        }
        Command::Demo {
            addr,
            reset,
            sso,
            access,
        } => {
            let oidc = settings.oidc(&sso, oidc_secret())?;
            let access = settings.access(&access, &sso, true)?;
            let db = settings.data_dir.join("demo.db");
            let db = db.to_string_lossy().to_string();
            let store = open_store(&db)?;
            let existing = store.find_plan_by_title(waymark_demo::CYPS_PLAN_TITLE)?;
            if existing.is_none() || reset {
                let imported = read_seed()?;
                let id = store.import_plan(&imported.plan, OnExisting::Replace, &cli_actor())?;
                // The newcomer sees the plan as the strategy group agreed it:
                // approved, its packages approved, with the baseline that took.
                store.approve_plan(id, None, DEMO_APPROVAL, &cli_actor())?;
                // Example criteria and scores, labelled as examples, so the
                // ranking has something to show.
                priorities::seed_examples(store.as_ref(), id, &cli_actor())?;
                // Example RAID items, labelled as examples, so the log and
                // its heat map have something to show.
                raid::seed_examples(store.as_ref(), id, &cli_actor())?;
            }
            // The first start makes an admin with a one-off password, shown
            // once beside the address (never a fixed password).
            let admin = accounts::demo_admin(store.as_ref())?.map(|password| {
                format!("Sign in as admin@localhost. Admin password (shown once): {password}")
            });
            println!("Demo database: {db}");
            serve(store, &settings.addr(addr), oidc, access, admin)
        }
        Command::Import {
            file,
            format,
            sheet,
            map,
            dry_run,
            encoding,
            allow_empty,
            replace,
            update,
            plan,
            remove_missing,
            title,
            organisation,
        } => import_file(
            &settings.db,
            &file,
            &ImportFlags {
                format,
                sheet,
                map,
                dry_run,
                encoding,
                allow_empty,
                replace,
                update: update.then_some(UpdateFlags {
                    plan,
                    remove_missing,
                }),
                title,
                organisation,
            },
        ),
        Command::Export {
            plan,
            format,
            output,
        } => {
            let format: ExportFormat = format.parse().map_err(|e: String| anyhow!(e))?;
            let store = open_store(&settings.db)?;
            let id = pick_plan(store.as_ref(), plan)?;
            match output {
                Some(path) => {
                    let file = std::fs::File::create(&path)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    stream_export(store.as_ref(), id, format, &mut BufWriter::new(file))
                        .with_context(|| format!("cannot write {}", path.display()))?;
                }
                None => {
                    let stdout = std::io::stdout();
                    if !format.is_text() && std::io::IsTerminal::is_terminal(&stdout) {
                        return Err(anyhow!(
                            "an .{} workbook is binary and is not written to a terminal: name a file with --output FILE, or redirect standard output",
                            format.extension()
                        ));
                    }
                    stream_export(
                        store.as_ref(),
                        id,
                        format,
                        &mut BufWriter::new(stdout.lock()),
                    )?;
                }
            }
            Ok(())
        }
        Command::Check { plan } => {
            let store = open_store(&settings.db)?;
            let id = pick_plan(store.as_ref(), plan)?;
            let plan = store.load_plan(id)?;
            let today = waymark_core::Date::from_calendar(time::OffsetDateTime::now_utc().date());
            let findings = waymark_core::check::check(&plan, today);
            for f in &findings {
                println!("{}: {}", f.rule, f.message);
            }
            println!(
                "{} finding{} in \"{}\"",
                findings.len(),
                if findings.len() == 1 { "" } else { "s" },
                plan.title
            );
            Ok(())
        }
        Command::Dashboard { plan } => {
            let store = open_store(&settings.db)?;
            let id = pick_plan(store.as_ref(), plan)?;
            let title = store.plan(id)?.title;
            let today = waymark_core::Date::from_calendar(time::OffsetDateTime::now_utc().date());
            let d = store.dashboard(id, today)?;
            print!("{}", dashboard_text(&title, today, &d));
            Ok(())
        }
        Command::Audit { command } => audit(&settings.db, command),
        Command::User { command } => {
            let store = open_store(&settings.db)?;
            accounts::user(store.as_ref(), command, &cli_actor())
        }
        Command::Token { command } => {
            let store = open_store(&settings.db)?;
            accounts::token(store.as_ref(), command, &cli_actor())
        }
        Command::Decision { command } => {
            let store = open_store(&settings.db)?;
            let pick = |plan| pick_plan(store.as_ref(), plan);
            decisions::decision(store.as_ref(), pick, command, &cli_actor())
        }
        Command::Raid { command } => {
            let store = open_store(&settings.db)?;
            let pick = |plan| pick_plan(store.as_ref(), plan);
            raid::raid(store.as_ref(), pick, command, &cli_actor())
        }
        Command::Note { command } => {
            let store = open_store(&settings.db)?;
            let pick = |plan| pick_plan(store.as_ref(), plan);
            notes::note(store.as_ref(), pick, command, &cli_actor())
        }
        Command::Baseline { command } => {
            let store = open_store(&settings.db)?;
            baselines::baseline(store.as_ref(), command, &cli_actor())
        }
        Command::Package { command } => {
            let store = open_store(&settings.db)?;
            lifecycle::package(store.as_ref(), command, &cli_actor())
        }
        Command::Plan { command } => {
            let store = open_store(&settings.db)?;
            lifecycle::plan(store.as_ref(), command, &cli_actor())
        }
        Command::Priority { command } => {
            let store = open_store(&settings.db)?;
            let pick = |plan| pick_plan(store.as_ref(), plan);
            priorities::priority(store.as_ref(), pick, command, &cli_actor())
        }
        Command::Plans => {
            let store = open_store(&settings.db)?;
            for p in store.list_plans()? {
                println!(
                    "{}\t{}\t{} work packages",
                    p.id, p.title, p.work_package_count
                );
            }
            Ok(())
        }
    }
}

/// `waymark audit …`: a failed check is an error (exit 1) naming the entry.
fn audit(db: &str, command: AuditCommand) -> Result<()> {
    if !database_file_exists(db) {
        bail!("no database at {db}");
    }
    let store = open_store(db)?;
    match command {
        AuditCommand::Verify { head } => match store.audit_verify(head.as_deref())? {
            Ok(found) => {
                println!(
                    "ok: {} entries, head {}",
                    found.sequence,
                    found.hash.to_hex()
                );
                Ok(())
            }
            Err(e) => bail!("the audit trail does not verify: {e}"),
        },
        AuditCommand::Head => {
            let head = store.audit_head()?;
            println!("{}\t{}", head.sequence, head.hash.to_hex());
            Ok(())
        }
        AuditCommand::List { limit, entity } => {
            let filter = match entity.as_deref() {
                None => AuditFilter::default(),
                Some(e) => {
                    let (kind, id) = match e.split_once(':') {
                        Some((kind, id)) => (kind, Some(id.to_string())),
                        None => (e, None),
                    };
                    AuditFilter {
                        entity_kind: Some(kind.to_string()),
                        entity_id: id,
                        ..AuditFilter::default()
                    }
                }
            };
            let mut out = std::io::stdout().lock();
            for stored in store.audit_entries(&filter, limit)? {
                let e = &stored.entry.event;
                writeln!(
                    out,
                    "{}\t{}\t{} {}{}\t{} {}:{}",
                    stored.entry.sequence,
                    e.time_rfc3339().unwrap_or_else(|| e.at_ms.to_string()),
                    e.actor.kind,
                    e.actor.display,
                    if e.actor.id.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", e.actor.id)
                    },
                    e.action,
                    e.entity.kind,
                    e.entity.id,
                )?;
                for c in e.changes.as_slice() {
                    writeln!(
                        out,
                        "\t{}: {} -> {}",
                        c.field,
                        shown(c.before.as_deref()),
                        shown(c.after.as_deref())
                    )?;
                }
            }
            Ok(())
        }
    }
}

/// A field's value in `audit list`: quoted on one line (so an empty text and
/// a missing value differ), at most 80 characters.
fn shown(value: Option<&str>) -> String {
    match value {
        None => "(none)".to_string(),
        Some(v) => {
            let short: String = v.chars().take(80).collect();
            let more = if v.chars().count() > 80 { "…" } else { "" };
            format!("{:?}{more}", short)
        }
    }
}

fn init_logging(serving: bool) {
    let default = if serving { "info" } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
}

/// Write a plan's export piece by piece as the store reads it, as the server
/// does: the command holds one package at a time, not the plan and its text.
fn stream_export(
    store: &dyn PlanStore,
    id: PlanId,
    format: ExportFormat,
    out: &mut dyn Write,
) -> Result<()> {
    let mut writer: Option<PlanWriter> = None;
    let mut failed: Option<std::io::Error> = None;
    store.visit_plan(id, &mut |part| {
        let piece = match part {
            PlanPart::Skeleton(skeleton) => {
                // An `.xlsx` workbook's package rows wait in the OS's
                // temporary directory (`TMPDIR`), in an unnamed file.
                let mut w = PlanWriter::new(skeleton, format, None);
                let head = w.begin();
                writer = Some(w);
                head
            }
            PlanPart::Package { section, package } => match writer.as_mut() {
                Some(w) => w.package(section, &package),
                None => String::new(),
            },
        };
        match out.write_all(piece.as_bytes()) {
            Ok(()) => true,
            Err(e) => {
                failed = Some(e);
                false
            }
        }
    })?;
    if let Some(e) = failed {
        return Err(e.into());
    }
    if let Some(w) = writer {
        out.write_all(&w.finish_bytes()?)?;
    }
    out.flush()?;
    Ok(())
}

fn open_store(db: &str) -> Result<Arc<dyn PlanStore>> {
    waymark_store::open(db).with_context(|| format!("cannot open the database {db}"))
}

/// The comment on the demo plan's approval, in its history.
const DEMO_APPROVAL: &str =
    "Approved by the ICT Strategy Group as published (loaded by waymark demo)";

fn read_seed() -> Result<Imported> {
    let options = ImportOptions {
        default_title: Some(waymark_demo::CYPS_PLAN_TITLE.into()),
        ..Default::default()
    };
    let mut imported = import::import(waymark_demo::CYPS_PLAN, Format::PlanText, &options)?;
    imported.plan.organisation = waymark_demo::CYPS_ORGANISATION.into();
    Ok(imported)
}

/// `WAYMARK_OIDC_CLIENT_SECRET`, which has no flag (see `SsoArgs`).
fn oidc_secret() -> Option<String> {
    std::env::var("WAYMARK_OIDC_CLIENT_SECRET").ok()
}

fn serve(
    store: Arc<dyn PlanStore>,
    addr: &str,
    oidc: Option<waymark_web::oidc::OidcConfig>,
    access: waymark_web::AccessSettings,
    note: Option<String>,
) -> Result<()> {
    let mut state = waymark_web::AppState::new(store).with_access(access);
    tracing::info!(
        anonymous_read = access.anonymous_read,
        session_idle_minutes = access.session.idle_ms / 60_000,
        session_max_hours = access.session.max_ms / 3_600_000,
        secure_cookies = access.secure_cookies,
        "access"
    );
    if let Some(config) = oidc {
        tracing::info!(
            issuer = config.issuer(),
            redirect_uri = config.redirect_uri(),
            role_map = %config.role_map(),
            groups_claim = config.groups_claim(),
            "single sign-on with OpenID Connect"
        );
        state = state.with_oidc(waymark_web::oidc::Oidc::new(config).map_err(|e| anyhow!(e))?);
    }
    // Blocking work is reading the database (writes have a thread of their
    // own); more threads than readers would only queue for the pool and
    // hold memory.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(waymark_store::readers() as usize)
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let local = listener.local_addr()?;
        println!("Waymark is running: open http://{local}/");
        if let Some(note) = &note {
            println!("{note}");
        }
        // Whoever reads the output (a person, a script) sees it at once.
        std::io::stdout().flush()?;
        tracing::info!(%local, "listening");
        waymark_web::serve(listener, state).await?;
        Ok(())
    })
}

/// The plan `import --update` updates: the one given, else the one with the
/// file's title, else the only one.
fn update_target(store: &dyn PlanStore, plan: Option<i64>, title: &str) -> Result<PlanId> {
    if plan.is_none()
        && let Some(id) = store.find_plan_by_title(title)?
    {
        return Ok(id);
    }
    pick_plan(store, plan)
}

fn pick_plan(store: &dyn PlanStore, plan: Option<i64>) -> Result<PlanId> {
    if let Some(id) = plan {
        return Ok(store
            .plan(PlanId(id))
            .with_context(|| format!("no plan {id}"))?
            .id);
    }
    let plans = store.list_plans()?;
    match plans.as_slice() {
        [only] => Ok(only.id),
        [] => bail!("the database holds no plan; import one with `waymark import FILE`"),
        many => {
            let list: Vec<String> = many
                .iter()
                .map(|p| format!("  {}  {}", p.id, p.title))
                .collect();
            bail!(
                "the database holds several plans; choose one with --plan ID:\n{}",
                list.join("\n")
            )
        }
    }
}

/// Whether a database URL names a file that exists (a dry run must not create it).
fn database_file_exists(db: &str) -> bool {
    let path = db
        .strip_prefix("sqlite://")
        .or_else(|| db.strip_prefix("sqlite:"))
        .unwrap_or(db);
    path == ":memory:" || Path::new(path).exists()
}

/// `My-plan_2007.txt` -> `My plan 2007`.
fn title_from_file(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let words = stem.replace(['-', '_'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => "Action plan".into(),
    }
}

/// `waymark import`'s flags.
struct ImportFlags {
    format: String,
    sheet: Option<String>,
    map: Vec<String>,
    dry_run: bool,
    encoding: String,
    allow_empty: bool,
    replace: bool,
    update: Option<UpdateFlags>,
    title: Option<String>,
    organisation: Option<String>,
}

struct UpdateFlags {
    plan: Option<i64>,
    remove_missing: bool,
}

fn import_file(db: &str, file: &Path, flags: &ImportFlags) -> Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let encoding: import::Encoding = flags.encoding.parse().map_err(|e: String| anyhow!(e))?;
    let mut mapping = Vec::new();
    for m in &flags.map {
        let Some((header, field)) = m.split_once('=') else {
            bail!("--map \"{m}\": expected \"Header=field\", such as --map \"Lead officer=owner\"");
        };
        mapping.push((header.trim().to_string(), field.trim().to_string()));
    }
    let options = ImportOptions {
        default_title: Some(flags.title.clone().unwrap_or_else(|| title_from_file(file))),
        encoding,
        allow_empty: flags.allow_empty,
        sheet: flags.sheet.clone(),
        mapping,
    };
    let workbook = match flags.format.as_str() {
        "auto" => Format::is_xlsx(file.to_str(), &bytes),
        other => other.parse::<Format>().map_err(|e| anyhow!(e))? == Format::Xlsx,
    };
    if flags.sheet.is_some() && !workbook {
        bail!(
            "--sheet names a sheet of an .xlsx workbook, and {} is not one",
            file.display()
        );
    }
    let (format, encoding_used, result) = if workbook {
        (
            Format::Xlsx,
            None,
            import::import_workbook(&bytes, &options),
        )
    } else {
        let decoded = import::decode(&bytes, encoding)
            .with_context(|| format!("{} (encoding {encoding})", file.display()))?;
        let format = match flags.format.as_str() {
            "auto" => {
                let head = decoded.text.get(..64 * 1024).unwrap_or(&decoded.text);
                Format::detect(file.to_str(), head)
            }
            other => other.parse::<Format>().map_err(|e| anyhow!(e))?,
        };
        if format == Format::Json && !options.mapping.is_empty() {
            bail!(
                "--map is for tables (CSV, plan-text, Markdown, xlsx); a JSON document names its fields itself"
            );
        }
        let result = import::import_decoded(&decoded, format, &options);
        (format, Some(decoded.encoding), result)
    };
    let mut imported = match result {
        Ok(imported) => imported,
        Err(e @ import::ImportError::NoWorkPackages { .. }) => {
            return Err(anyhow!(e)).with_context(|| {
                format!(
                    "{} ({}; pass --allow-empty to import a plan without work packages)",
                    file.display(),
                    format.as_str()
                )
            });
        }
        Err(e) => {
            return Err(anyhow!(e))
                .with_context(|| format!("{} ({})", file.display(), format.as_str()));
        }
    };
    if let Some(t) = &flags.title {
        imported.plan.title = waymark_core::text::clean(t).into_owned();
    }
    if let Some(o) = &flags.organisation {
        imported.plan.organisation = waymark_core::text::clean(o).into_owned();
    }
    let plan = &imported.plan;
    for d in &imported.diagnostics {
        eprintln!("{}:{d}", file.display());
    }
    let related_links: usize = plan
        .work_packages()
        .map(|(_, _, wp)| wp.related_items.len())
        .sum();
    match encoding_used {
        Some(encoding) => println!(
            "Read \"{}\" as {} ({encoding}):",
            plan.title,
            format.as_str()
        ),
        None => match &imported.sheet {
            Some(sheet) => println!(
                "Read \"{}\" as {} (sheet \"{sheet}\"):",
                plan.title,
                format.as_str()
            ),
            None => println!("Read \"{}\" as {}:", plan.title, format.as_str()),
        },
    }
    println!("  {} sections", plan.sections.len());
    println!("  {} work packages", plan.work_package_count());
    println!(
        "  {} key influences, {} package–influence links",
        plan.influences.len(),
        plan.influence_link_count()
    );
    println!(
        "  {} related items, {} package–item links",
        plan.related_items.len(),
        related_links
    );
    println!(
        "  {} programmes ({} priority)",
        plan.programmes.len(),
        plan.programmes.iter().filter(|p| p.priority).count()
    );
    println!("  {} dependencies", plan.dependencies.len());
    println!("  {} warnings", imported.diagnostics.len());
    if !plan.notes.is_empty() {
        println!(
            "  text that fitted no field is kept in the plan's notes ({} lines)",
            plan.notes.lines().count()
        );
    }
    let on_existing = if flags.replace {
        OnExisting::Replace
    } else {
        OnExisting::Refuse
    };
    if flags.dry_run && !imported.columns.is_empty() {
        println!("Columns (header → field):");
        for c in &imported.columns {
            match c.field {
                Some(field) => println!("  \"{}\" → {field}", c.header),
                None if c.header.is_empty() => {}
                None => println!("  \"{}\" → the plan's notes", c.header),
            }
        }
    }
    if let Some(update) = &flags.update {
        if !database_file_exists(db) {
            bail!("--update updates a stored plan, and there is no database at {db}");
        }
        let store = open_store(db)?;
        let id = update_target(store.as_ref(), update.plan, &plan.title)?;
        let options = UpdateOptions {
            remove_missing: update.remove_missing,
            expected: None,
            dry_run: flags.dry_run,
        };
        let comparison = store
            .update_from_file(id, plan, &options, &cli_actor())
            .with_context(|| format!("the update of plan {id} would be refused"))?;
        println!("Compared with plan {id}:");
        print!("{}", comparison.report());
        let removed = if update.remove_missing {
            comparison.missing.len()
        } else {
            0
        };
        if flags.dry_run {
            println!("Dry run: every check passed; nothing was stored.");
        } else {
            println!(
                "Updated plan {id}: {} added, {} changed, {removed} removed.",
                comparison.added.len(),
                comparison.changed.len()
            );
        }
        if !update.remove_missing && !comparison.missing.is_empty() {
            let n = comparison.missing.len();
            let what = if n == 1 { "package is" } else { "packages are" };
            println!(
                "{n} stored {what} not in the file, and kept (--remove-missing removes them)."
            );
        }
        std::mem::forget(imported);
        return Ok(());
    }
    if flags.dry_run {
        // Against the database the import would write to; one that does not
        // exist yet is an empty one, and a dry run does not create it.
        let store = if database_file_exists(db) {
            open_store(db)?
        } else {
            open_store(":memory:")?
        };
        store
            .check_import(plan, on_existing, &cli_actor())
            .context("the import would be refused")?;
        println!("Dry run: every check passed; nothing was stored.");
        std::mem::forget(imported);
        return Ok(());
    }
    let store = open_store(db)?;
    let id = store.import_plan(plan, on_existing, &cli_actor())?;
    println!("Stored as plan {id} in {db}.");
    // The process ends here: freeing a large plan string by string would only
    // delay the exit (a tenth of a second per 100,000 packages).
    std::mem::forget(imported);
    Ok(())
}

/// Who the command line is, for the audit trail: the operating-system user
/// the environment names (`USER`, `LOGNAME`, or `USERNAME` on Windows), else
/// the numeric user id on Linux, else nobody in particular (an empty name).
fn cli_actor() -> Actor {
    let named = ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .map(|v| v.trim().to_string())
        .find(|v| !v.is_empty());
    let user = named
        .or_else(|| {
            std::fs::read_to_string("/proc/self/status")
                .ok()?
                .lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|ids| ids.split_whitespace().next())
                .map(|uid| format!("uid {uid}"))
        })
        .unwrap_or_default();
    Actor::Cli { user }
}

/// What `waymark dashboard` prints.
fn dashboard_text(title: &str, today: waymark_core::Date, d: &waymark_store::Dashboard) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let counts = |pairs: Vec<(&str, u64)>| {
        pairs
            .into_iter()
            .map(|(label, n)| format!("{label} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(out, "{title} on {today} ({})", d.this_quarter);
    let _ = writeln!(out, "{} work packages", d.total);
    let _ = writeln!(
        out,
        "By status: {}",
        counts(d.by_status.iter().map(|(s, n)| (s.label(), *n)).collect())
    );
    let mut rags: Vec<(&str, u64)> = d.by_rag.iter().map(|(r, n)| (r.label(), *n)).collect();
    rags.push(("not rated", d.not_rated));
    let _ = writeln!(out, "By RAG: {}", counts(rags));
    let list = |out: &mut String,
                heading: String,
                page: &waymark_store::Page<waymark_store::WorkPackageRow>| {
        let _ = writeln!(out, "{heading}: {}", page.total);
        for w in &page.items {
            let delivery = waymark_core::format_delivery(&w.delivery);
            let _ = writeln!(
                out,
                "  {}\t{}\t{}\t{}",
                w.reference,
                w.title,
                delivery,
                w.status.label()
            );
        }
        if page.total > page.items.len() as u64 {
            let _ = writeln!(out, "  … and {} more", page.total - page.items.len() as u64);
        }
    };
    list(
        &mut out,
        format!(
            "Overdue (last delivery before {}, not finished)",
            d.this_quarter
        ),
        &d.overdue,
    );
    list(
        &mut out,
        format!("Due next quarter ({})", d.next_quarter),
        &d.due_next,
    );
    list(
        &mut out,
        format!("No progress note since {} (open)", d.notes_since),
        &d.no_recent_note,
    );
    out
}
