//! `waymark-bench run`: generate a plan, time `waymark import` on it, start
//! `waymark serve` on the result and put it under load, endpoint by endpoint,
//! then report against the targets.

use std::fs;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use serde_json::{Value, json};

use crate::PlanArgs;
use crate::generate;
use crate::http::Connection;
use crate::load::{self, Outcome, Phase, Request, Summary};

#[derive(Args)]
pub struct RunArgs {
    #[command(flatten)]
    plan: PlanArgs,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Measured seconds per endpoint.
    #[arg(long, default_value_t = 10)]
    duration_secs: u64,
    /// Unmeasured seconds of load before each endpoint's measurement.
    #[arg(long, default_value_t = 1)]
    warmup_secs: u64,
    /// Timed imports into fresh databases; the median is reported.
    #[arg(long, default_value_t = 3)]
    import_runs: usize,
    /// Threads of the load generator. It shares the machine with the server, so
    /// keep it small.
    #[arg(long, default_value_t = 1)]
    client_threads: usize,
    /// The `waymark` binary; by default the one next to this program.
    #[arg(long)]
    waymark: Option<PathBuf>,
    /// Also write the summary as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Serve this existing database instead of generating and importing a plan
    /// (to repeat the load quickly while working on the server).
    #[arg(long)]
    db: Option<PathBuf>,
    /// Keep the temporary directory (plan, databases, server log).
    #[arg(long)]
    keep: bool,
    /// Load only these endpoints (comma-separated keys, such as
    /// `mixed,mixed_reads`; the baseline is always measured). Other keys:
    /// `exports` (the plan exported in every format, then the server's peak
    /// RSS), `export_xlsx` (the `.xlsx` export alone) and `import_xlsx` (the
    /// plan imported from an Excel workbook beside its JSON import, which is
    /// always measured unless `--db` is given).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
}

/// The endpoints, in the order they are loaded. The first is the baseline.
struct Endpoint {
    key: &'static str,
    label: &'static str,
    paths: Vec<Request>,
}

struct Measured {
    endpoint: Endpoint,
    outcome: Outcome,
    summary: Summary,
    rss_kb: u64,
    hwm_kb: u64,
}

/// Kills the server when the run ends, however it ends.
struct Server {
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn run(args: &RunArgs) -> Result<()> {
    let waymark = match &args.waymark {
        Some(p) => p.clone(),
        None => std::env::current_exe()?
            .parent()
            .ok_or_else(|| anyhow!("this program's path has no directory"))?
            .join("waymark"),
    };
    if !waymark.is_file() {
        bail!(
            "no waymark binary at {}: build it with `cargo build --release -p waymark` or pass --waymark",
            waymark.display()
        );
    }
    let tmp = std::env::temp_dir().join(format!("waymark-bench-{}", std::process::id()));
    fs::create_dir_all(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    let result = run_in(args, &waymark, &tmp);
    if args.keep || result.is_err() {
        eprintln!("files kept in {}", tmp.display());
    } else {
        let _ = fs::remove_dir_all(&tmp);
    }
    result
}

fn run_in(args: &RunArgs, waymark: &Path, tmp: &Path) -> Result<()> {
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load_before = load_average();
    println!(
        "waymark-bench: {} on {cpus} CPUs, load average {load_before}",
        waymark.display()
    );
    let (db, import) = match &args.db {
        Some(db) => {
            println!(
                "serving {} as it is; nothing generated or imported",
                db.display()
            );
            (db.clone(), None)
        }
        None => {
            let db = tmp.join("bench.db");
            let figures = generate_and_import(args, waymark, tmp, &db)?;
            (db, Some(figures))
        }
    };

    let token = bench_account(waymark, &db)?;
    let port = free_port()?;
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse()?;
    let log_path = tmp.join("server.log");
    let log = fs::File::create(&log_path)?;
    // Visitors may read, so the same reads can be measured as a visitor, with
    // a token and with a session, side by side.
    let child = Command::new(waymark)
        .arg("serve")
        .arg("--db")
        .arg(&db)
        .arg("--addr")
        .arg(addr.to_string())
        .arg("--anonymous-read")
        .arg("true")
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .with_context(|| format!("starting {} serve", waymark.display()))?;
    let mut server = Server { child };
    let pid = server.child.id();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.client_threads.max(1))
        .enable_all()
        .build()?;
    let measured = runtime.block_on(async {
        let startup = wait_until_healthy(addr, &mut server, &log_path).await?;
        println!("server: pid {pid} on {addr}, healthy after {startup:.2} s");
        let (idle_rss, _) = memory_kb(pid)?;
        println!("server RSS idle: {:.0} MB", idle_rss as f64 / 1024.0);
        let session = sign_in(addr, BENCH_EMAIL, &token.1).await?;
        let callers = Callers {
            token: Arc::from(format!("Authorization: Bearer {}", token.0)),
            session: Arc::from(format!("Cookie: {session}")),
        };
        let mut endpoints = endpoints(addr, &callers).await?;
        if !args.only.is_empty() {
            endpoints.retain(|e| e.key == "baseline" || args.only.iter().any(|k| k == e.key));
        }
        preflight(addr, &endpoints).await;
        let mut measured = Vec::new();
        for endpoint in endpoints {
            let phase = Phase {
                paths: Arc::new(endpoint.paths.clone()),
                connections: args.connections,
                warmup: Duration::from_secs(args.warmup_secs),
                duration: Duration::from_secs(args.duration_secs),
            };
            let outcome = load::run(addr, &phase).await?;
            let (rss_kb, hwm_kb) = memory_kb(pid)?;
            let summary = outcome.summary();
            println!(
                "  {:<28} {:>8.0} req/s  p50 {:>8.2} ms  p99 {:>8.2} ms  RSS {:.0} MB",
                endpoint.label,
                summary.per_second,
                summary.p50,
                summary.p99,
                rss_kb as f64 / 1024.0
            );
            measured.push(Measured {
                endpoint,
                outcome,
                summary,
                rss_kb,
                hwm_kb,
            });
        }
        let formats: &[&'static str] = if wanted(args, "exports") {
            &["json", "markdown", "csv", "xlsx"]
        } else if wanted(args, "export_xlsx") {
            &["xlsx"]
        } else {
            &[]
        };
        let exports = exports(addr, pid, formats).await?;
        anyhow::Ok((measured, exports))
    });
    let (measured, exports) = match measured {
        Ok(m) => m,
        Err(e) => {
            eprintln!(
                "server log ({}):\n{}",
                log_path.display(),
                tail(&log_path, 30)
            );
            return Err(e);
        }
    };
    let server_peak_kb = measured.iter().map(|m| m.hwm_kb).max().unwrap_or(0);
    drop(server);

    let report = Report {
        cpus,
        spec: &args.plan,
        import: import.as_ref(),
        load_before,
        load_after: load_average(),
        measured: &measured,
        server_peak_kb,
        exports: &exports,
        connections: args.connections,
        duration_secs: args.duration_secs,
    };
    report.print();
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report.to_json())?;
        fs::write(path, text + "\n").with_context(|| format!("writing {}", path.display()))?;
        println!("summary written to {}", path.display());
    }
    Ok(())
}

/// One whole-plan export, read to the end, and the server's peak RSS after it.
struct ExportFigure {
    format: &'static str,
    status: u16,
    bytes: usize,
    secs: f64,
    hwm_kb: u64,
}

/// Export the plan in each of `formats`, one after another, after the load:
/// what an export adds to the server's peak memory. The peak only grows, so
/// each figure is the highest since the server started.
async fn exports(
    addr: SocketAddr,
    pid: u32,
    formats: &[&'static str],
) -> Result<Vec<ExportFigure>> {
    if formats.is_empty() {
        return Ok(Vec::new());
    }
    let plan = first_id(&get_json(addr, "/api/v1/plans").await?, "plan")?;
    let mut figures = Vec::new();
    for &format in formats {
        let started = Instant::now();
        let r = Connection::open(addr)
            .await?
            .get(&format!("/api/v1/plans/{plan}/export?format={format}"))
            .await?;
        let secs = started.elapsed().as_secs_f64();
        let (rss_kb, hwm_kb) = memory_kb(pid)?;
        println!(
            "  export {format:<8} {} {:>6.1} MB in {secs:.2} s; server RSS {:.0} MB, peak since start {:.0} MB",
            r.status,
            r.body.len() as f64 / 1e6,
            rss_kb as f64 / 1024.0,
            hwm_kb as f64 / 1024.0
        );
        if r.status != 200 {
            println!(
                "  export {format}: {}",
                truncate(&String::from_utf8_lossy(&r.body), 300)
            );
        }
        figures.push(ExportFigure {
            format,
            status: r.status,
            bytes: r.body.len(),
            secs,
            hwm_kb,
        });
    }
    Ok(figures)
}

/// What reading one file of the plan and importing it took.
struct ImportFigures {
    /// `json` or `xlsx`: the `--format` given to `waymark import`.
    format: &'static str,
    /// Seconds to write the file from the generated plan (JSON: generating
    /// the plan as well).
    generate_secs: f64,
    file_bytes: usize,
    /// The same read `waymark import` starts with, in this process and
    /// without a database.
    core_read_secs: f64,
    runs_secs: Vec<f64>,
    median_secs: f64,
    /// The importer's CPU time (user + system) in each run: on a shared
    /// machine, wall time is also the wait for a core, and this is not.
    runs_cpu_secs: Vec<f64>,
    median_cpu_secs: f64,
    peak_rss_kb: u64,
}

/// The plan's imports: JSON (whose last run makes the database served), and
/// the same plan as an Excel workbook when it is measured.
struct Imports {
    json: ImportFigures,
    xlsx: Option<ImportFigures>,
}

/// Whether `--only` asks for `key` (everything is measured without `--only`).
fn wanted(args: &RunArgs, key: &str) -> bool {
    args.only.is_empty() || args.only.iter().any(|k| k == key)
}

fn generate_and_import(args: &RunArgs, waymark: &Path, tmp: &Path, db: &Path) -> Result<Imports> {
    let spec = args.plan.spec();
    let started = Instant::now();
    let plan = generate::generate(&spec)?;
    let text = waymark_core::export::to_json(&plan);
    let generate_secs = started.elapsed().as_secs_f64();
    let plan_file = tmp.join("plan.json");
    fs::write(&plan_file, &text)?;
    println!(
        "plan: {} work packages, {} sections, {} influences, {} related items, {} dependencies, \
         seed {}; {:.1} MB of JSON made in {generate_secs:.2} s",
        spec.packages,
        spec.sections,
        spec.influences,
        spec.related,
        spec.dependencies,
        spec.seed,
        text.len() as f64 / 1e6
    );

    // The same plan as the workbook Waymark exports: what its `.xlsx` reader
    // is written to take back, one sheet of packages and one per register.
    let workbook = if wanted(args, "import_xlsx") {
        let started = Instant::now();
        let bytes = waymark_core::export::to_xlsx(&plan, Some(tmp))?;
        let secs = started.elapsed().as_secs_f64();
        let file = tmp.join("plan.xlsx");
        fs::write(&file, &bytes)?;
        println!(
            "the same plan as an Excel workbook: {:.1} MB made in {secs:.2} s (waymark-core's xlsx export)",
            bytes.len() as f64 / 1e6
        );
        Some((file, bytes, secs))
    } else {
        None
    };
    drop(plan);

    // The same reads `waymark import` starts with, in this process and
    // without a database, so that import time can be split into reading and
    // storing.
    let options = waymark_core::import::ImportOptions::default();
    let started = Instant::now();
    let read = waymark_core::import::import(
        text.as_bytes(),
        waymark_core::import::Format::Json,
        &options,
    )?;
    let core_read_secs = started.elapsed().as_secs_f64();
    println!(
        "waymark-core JSON read alone (in-process, no database): {core_read_secs:.2} s, {} diagnostics",
        read.diagnostics.len()
    );
    let json_bytes = text.len();
    drop((read, text));
    let xlsx = match workbook {
        Some((file, bytes, secs)) => {
            let started = Instant::now();
            let read =
                waymark_core::import::import(&bytes, waymark_core::import::Format::Xlsx, &options)?;
            let read_secs = started.elapsed().as_secs_f64();
            println!(
                "waymark-core xlsx read alone (in-process, no database): {read_secs:.2} s, {} work packages, {} diagnostics",
                read.plan.work_package_count(),
                read.diagnostics.len()
            );
            if read.plan.work_package_count() != spec.packages {
                bail!(
                    "the workbook read back as {} work packages, not {}",
                    read.plan.work_package_count(),
                    spec.packages
                );
            }
            Some((file, bytes.len(), secs, read_secs))
        }
        None => None,
    };

    // Each run into a fresh database; the JSON's last one is the one the
    // server uses. The workbook's runs take turns with the JSON's, so that
    // both meet the same moments of this shared machine.
    let mut json = ImportFigures {
        format: "json",
        generate_secs,
        file_bytes: json_bytes,
        core_read_secs,
        runs_secs: Vec::new(),
        median_secs: 0.0,
        runs_cpu_secs: Vec::new(),
        median_cpu_secs: 0.0,
        peak_rss_kb: 0,
    };
    let mut workbook = xlsx
        .as_ref()
        .map(|(_, bytes, secs, read_secs)| ImportFigures {
            format: "xlsx",
            generate_secs: *secs,
            file_bytes: *bytes,
            core_read_secs: *read_secs,
            runs_secs: Vec::new(),
            median_secs: 0.0,
            runs_cpu_secs: Vec::new(),
            median_cpu_secs: 0.0,
            peak_rss_kb: 0,
        });
    let runs = args.import_runs.max(1);
    for run in 1..=runs {
        let target = if run == runs {
            db.to_path_buf()
        } else {
            tmp.join(format!("import-{run}.db"))
        };
        import_once(waymark, &plan_file, &target, tmp, &mut json, run, runs)?;
        if target != db {
            remove_db(&target);
        }
        if let (Some(figures), Some((file, ..))) = (workbook.as_mut(), xlsx.as_ref()) {
            let target = tmp.join(format!("import-xlsx-{run}.db"));
            import_once(waymark, file, &target, tmp, figures, run, runs)?;
            remove_db(&target);
        }
    }
    for figures in std::iter::once(&mut json).chain(workbook.as_mut()) {
        figures.median_secs = median(&figures.runs_secs);
        figures.median_cpu_secs = median(&figures.runs_cpu_secs);
    }
    Ok(Imports {
        json,
        xlsx: workbook,
    })
}

/// One timed import of `file` into a fresh `db`, noted in `figures`.
fn import_once(
    waymark: &Path,
    file: &Path,
    db: &Path,
    tmp: &Path,
    figures: &mut ImportFigures,
    run: usize,
    runs: usize,
) -> Result<()> {
    let (secs, cpu, hwm) = time_import(waymark, file, figures.format, db, tmp)?;
    println!(
        "import {} {run}/{runs}: {secs:.2} s (CPU {cpu:.2} s), peak RSS {:.0} MB",
        figures.format,
        hwm as f64 / 1024.0
    );
    figures.runs_secs.push(secs);
    figures.runs_cpu_secs.push(cpu);
    figures.peak_rss_kb = figures.peak_rss_kb.max(hwm);
    Ok(())
}

/// The 1-, 5- and 15-minute load averages: how busy the shared machine was.
fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn remove_db(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = fs::remove_file(PathBuf::from(p));
    }
}

/// Wall time of one `waymark import` into a fresh database, the importer's CPU
/// time (user + system) and its peak RSS, both sampled from /proc while it
/// runs (the last sample is taken after it has exited and before it is
/// reaped, so the CPU time is whole).
fn time_import(
    waymark: &Path,
    plan: &Path,
    format: &str,
    db: &Path,
    tmp: &Path,
) -> Result<(f64, f64, u64)> {
    remove_db(db);
    let out_path = tmp.join("import.out");
    let out = fs::File::create(&out_path)?;
    let started = Instant::now();
    let mut child = Command::new(waymark)
        .arg("import")
        .arg(plan)
        .arg("--db")
        .arg(db)
        .args(["--format", format])
        .stdin(Stdio::null())
        .stdout(out.try_clone()?)
        .stderr(out)
        .spawn()
        .with_context(|| format!("starting {} import", waymark.display()))?;
    let mut hwm = 0;
    let mut cpu = 0.0;
    let status = loop {
        if let Ok((_, h)) = memory_kb(child.id()) {
            hwm = hwm.max(h);
        }
        if let Some(c) = cpu_secs(child.id()) {
            cpu = c;
        }
        if let Some(status) = child.try_wait()? {
            break status;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let secs = started.elapsed().as_secs_f64();
    if !status.success() {
        bail!("waymark import failed ({status}):\n{}", tail(&out_path, 30));
    }
    Ok((secs, cpu, hwm))
}

/// A process's CPU time so far, user and system, from `/proc/PID/stat`
/// (fields 14 and 15, in clock ticks of 1/100 s, Linux's `USER_HZ`).
fn cpu_secs(pid: u32) -> Option<f64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces.
    let rest = stat.get(stat.rfind(')')? + 1..)?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state), so field 14 is at index 11.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) as f64 / 100.0)
}

fn tail(path: &Path, lines: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// A port nobody is listening on: bind port 0, note what we got, let it go.
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// (VmRSS, VmHWM) of a process in kB.
fn memory_kb(pid: u32) -> Result<(u64, u64)> {
    let status = fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .unwrap_or(0)
    };
    Ok((field("VmRSS:"), field("VmHWM:")))
}

async fn wait_until_healthy(addr: SocketAddr, server: &mut Server, log: &Path) -> Result<f64> {
    let started = Instant::now();
    loop {
        if let Some(status) = server.child.try_wait()? {
            bail!(
                "waymark serve exited ({status}) before answering:\n{}",
                tail(log, 30)
            );
        }
        if let Ok(mut conn) = Connection::open(addr).await
            && let Ok(r) = conn.get("/healthz").await
            && r.status == 200
        {
            return Ok(started.elapsed().as_secs_f64());
        }
        if started.elapsed() > Duration::from_secs(120) {
            bail!("waymark serve did not answer /healthz with 200 within 120 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn get_json(addr: SocketAddr, path: &str) -> Result<Value> {
    let r = Connection::open(addr).await?.get(path).await?;
    if r.status != 200 {
        bail!(
            "GET {path}: {} {}",
            r.status,
            String::from_utf8_lossy(&r.body)
        );
    }
    serde_json::from_slice(&r.body).with_context(|| format!("GET {path}: body is not JSON"))
}

/// An `id` as it goes into a URL, whether the API sends a number or a string.
fn first_id(doc: &Value, what: &str) -> Result<String> {
    let id = &doc["items"][0]["id"];
    match id {
        Value::Number(n) => Ok(n.to_string()),
        Value::String(s) => Ok(s.clone()),
        _ => bail!("no {what} id in {}", truncate(&doc.to_string(), 300)),
    }
}

fn truncate(s: &str, chars: usize) -> String {
    let mut t: String = s.chars().take(chars).collect();
    if t.len() < s.len() {
        t.push('…');
    }
    t
}

/// The benchmark's own account: a manager, made with the command line in the
/// database before the server starts.
const BENCH_EMAIL: &str = "bench@example.org";

/// Make the benchmark's account (if the database has none yet) and a new API
/// token for it; answers the token and the account's password.
fn bench_account(waymark: &Path, db: &Path) -> Result<(String, String)> {
    use std::io::Write;
    let password = format!("bench password {}", std::process::id());
    let mut add = Command::new(waymark)
        .args([
            "user",
            "add",
            "--email",
            BENCH_EMAIL,
            "--name",
            "Waymark bench",
        ])
        .args(["--role", "manager", "--password-stdin", "--db"])
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .context("waymark user add")?;
    if let Some(mut stdin) = add.stdin.take() {
        writeln!(stdin, "{password}")?;
    }
    let added = add.wait_with_output()?;
    if !added.status.success() {
        let err = String::from_utf8_lossy(&added.stderr);
        if !err.contains("already exists") {
            bail!("waymark user add: {err}");
        }
        // An earlier run's account: give it this run's password.
        let mut reset = Command::new(waymark)
            .args(["user", "reset-password", BENCH_EMAIL, "--db"])
            .arg(db)
            .output()
            .context("waymark user reset-password")?;
        if !reset.status.success() {
            bail!(
                "waymark user reset-password: {}",
                String::from_utf8_lossy(&reset.stderr)
            );
        }
        let one_off = String::from_utf8(std::mem::take(&mut reset.stdout))?;
        return Ok((new_token(waymark, db)?, one_off.trim().to_string()));
    }
    Ok((new_token(waymark, db)?, password))
}

fn new_token(waymark: &Path, db: &Path) -> Result<String> {
    let out = Command::new(waymark)
        .args([
            "token",
            "create",
            "--email",
            BENCH_EMAIL,
            "--name",
            "waymark-bench",
            "--db",
        ])
        .arg(db)
        .output()
        .context("waymark token create")?;
    if !out.status.success() {
        bail!(
            "waymark token create: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8(out.stdout)?.trim().to_string())
}

/// Sign in through the sign-in page as a browser does; answers the
/// `Cookie` header value that carries the session.
async fn sign_in(addr: SocketAddr, email: &str, password: &str) -> Result<String> {
    let mut conn = Connection::open(addr).await?;
    let page = conn.get("/sign-in").await?;
    let csrf_cookie = page
        .cookies
        .iter()
        .find(|c| c.starts_with("waymark_csrf="))
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("GET /sign-in set no waymark_csrf cookie"))?;
    let body = String::from_utf8_lossy(&page.body);
    let token = body
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or_else(|| anyhow::anyhow!("the sign-in page has no csrf_token"))?
        .to_string();
    let form = format!(
        "csrf_token={token}&email={}&password={}",
        email.replace('@', "%40"),
        password.replace(' ', "+")
    );
    let mut conn = Connection::open(addr).await?;
    let signed = conn
        .send_with(
            "POST",
            "/sign-in",
            Some(("application/x-www-form-urlencoded", &form)),
            None,
            Some(&format!("Cookie: {csrf_cookie}")),
        )
        .await?;
    let session = signed
        .cookies
        .iter()
        .find(|c| c.starts_with("waymark_session="))
        .cloned();
    match (signed.status, session) {
        (303, Some(session)) => Ok(format!("{csrf_cookie}; {session}")),
        (status, _) => bail!(
            "signing in as {email}: {status} {}",
            truncate(&String::from_utf8_lossy(&signed.body), 300)
        ),
    }
}

/// How the signed-in endpoints ask: header lines.
struct Callers {
    token: Arc<str>,
    session: Arc<str>,
}

async fn endpoints(addr: SocketAddr, callers: &Callers) -> Result<Vec<Endpoint>> {
    let plan = first_id(&get_json(addr, "/api/v1/plans").await?, "plan")?;
    let section = first_id(
        &get_json(addr, &format!("/api/v1/plans/{plan}/sections")).await?,
        "section",
    )?;
    println!("plan id {plan}, section id {section}");
    let list = format!("/api/v1/plans/{plan}/work-packages");
    let mixed = mixed(addr, &list, &section, &callers.token).await?;
    // The same reads without the writes: what the writes add to the reads.
    let mixed_reads = Endpoint {
        key: "mixed_reads",
        label: "mixed reads alone, no PATCH",
        paths: mixed
            .paths
            .iter()
            .filter(|r| !r.is_write())
            .cloned()
            .collect(),
    };
    let get = |paths: Vec<String>| paths.into_iter().map(Request::get).collect::<Vec<_>>();
    Ok(vec![
        Endpoint {
            key: "baseline",
            label: "baseline GET /healthz",
            paths: get(vec!["/healthz".into()]),
        },
        Endpoint {
            key: "list_by_status",
            label: "list API, status, pages 1-10",
            paths: get((1..=10)
                .map(|k| format!("{list}?status=in_progress&per_page=100&page={k}"))
                .collect()),
        },
        Endpoint {
            key: "list_by_status_token",
            label: "list API, status, with a token",
            paths: (1..=10)
                .map(|k| {
                    Request::get(format!("{list}?status=in_progress&per_page=100&page={k}"))
                        .as_(&callers.token)
                })
                .collect(),
        },
        Endpoint {
            key: "list_by_section",
            label: "list API, section",
            paths: get(vec![format!("{list}?section={section}&per_page=100")]),
        },
        Endpoint {
            key: "overview_page",
            label: "overview page, status",
            paths: get(vec![format!("/plans/{plan}?status=in_progress")]),
        },
        Endpoint {
            key: "overview_dashboard",
            label: "overview page, unfiltered, with the dashboard",
            paths: get(vec![format!("/plans/{plan}")]),
        },
        Endpoint {
            key: "overview_page_session",
            label: "overview page, signed in",
            paths: vec![
                Request::get(format!("/plans/{plan}?status=in_progress")).as_(&callers.session),
            ],
        },
        deep_pages(addr, &list).await?,
        Endpoint {
            key: "search_common_word",
            label: "search, common words",
            paths: get(["the", "and", "for", "with", "data", "review"]
                .iter()
                .map(|w| format!("{list}?q={w}&per_page=100"))
                .collect()),
        },
        mixed_reads,
        mixed,
    ])
}

/// Pages 900 to 909 of the unfiltered list (100 a page): by cursor where the
/// server gives one (`next_cursor`), else by page number.
async fn deep_pages(addr: SocketAddr, list: &str) -> Result<Endpoint> {
    let first = get_json(addr, &format!("{list}?per_page=100&page=899")).await?;
    let mut paths = Vec::new();
    let mut next = first["next_cursor"].as_str().map(str::to_string);
    while let Some(cursor) = next.take() {
        if paths.len() == 10 {
            break;
        }
        let path = format!("{list}?per_page=100&cursor={cursor}");
        next = get_json(addr, &path).await?["next_cursor"]
            .as_str()
            .map(str::to_string);
        paths.push(Request::get(path));
    }
    let label = if paths.is_empty() {
        paths = (900..910)
            .map(|k| Request::get(format!("{list}?per_page=100&page={k}")))
            .collect();
        "list API, pages 900-909 (offset)"
    } else {
        "list API, pages 900-909 (cursor)"
    };
    Ok(Endpoint {
        key: "list_deep_pages",
        label,
        paths,
    })
}

/// Filtered list reads with one request in ten a PATCH of a package spread
/// over the plan (status flips, so the status counts change). Each PATCH
/// is sent as a careful client sends it (`load::Request`): a GET of the
/// package for its ETag first, then the PATCH with `If-Match`.
async fn mixed(addr: SocketAddr, list: &str, section: &str, token: &Arc<str>) -> Result<Endpoint> {
    let mut ids = Vec::new();
    // Packages in progress, spread over the plan: in progress and on hold
    // may move to each other (the lifecycle table), so every PATCH is allowed.
    for page in [1, 80, 160, 240, 320] {
        let doc = get_json(
            addr,
            &format!("{list}?status=in_progress&per_page=100&page={page}"),
        )
        .await?;
        if let Some(items) = doc["items"].as_array() {
            ids.extend(items.iter().step_by(10).filter_map(|w| w["id"].as_i64()));
        }
    }
    if ids.is_empty() {
        bail!("no work packages to PATCH");
    }
    let statuses = [
        "approved",
        "in_progress",
        "delivered",
        "on_hold",
        "cancelled",
    ];
    let mut paths = Vec::new();
    for i in 0..1000 {
        if i % 10 == 9 {
            let id = ids[(i / 10) % ids.len()];
            // Between in progress and on hold: statuses whose progress any
            // value fits (delivered needs 100%), so every PATCH is valid.
            let status = ["in_progress", "on_hold"][(i / 10) % 2];
            paths.push(Request {
                method: "PATCH",
                path: format!("/api/v1/work-packages/{id}"),
                body: Some(format!("{{\"status\": \"{status}\"}}")),
                auth: Some(token.clone()),
            });
        } else if i % 3 == 0 {
            paths.push(Request::get(format!("{list}?section={section}&per_page=100")).as_(token));
        } else {
            let status = statuses[i % statuses.len()];
            paths.push(
                Request::get(format!(
                    "{list}?status={status}&per_page=100&page={}",
                    1 + i % 3
                ))
                .as_(token),
            );
        }
    }
    Ok(Endpoint {
        key: "mixed",
        label: "mixed: 90% list, 10% GET+PATCH",
        paths,
    })
}

/// One request to each endpoint before the load, so that a wrong answer is seen
/// as such and not only as a count.
async fn preflight(addr: SocketAddr, endpoints: &[Endpoint]) {
    let Ok(mut conn) = Connection::open(addr).await else {
        return;
    };
    for e in endpoints {
        let Some(first) = e.paths.first() else {
            continue;
        };
        let path = first.path.as_str();
        let started = Instant::now();
        match conn
            .send_with("GET", path, None, None, first.auth.as_deref())
            .await
        {
            Ok(r) => {
                let ms = started.elapsed().as_secs_f64() * 1000.0;
                let mut note = String::new();
                if r.status != 200 {
                    note = format!(": {}", truncate(&String::from_utf8_lossy(&r.body), 300));
                } else if path.contains("/api/") {
                    let items = serde_json::from_slice::<Value>(&r.body)
                        .ok()
                        .and_then(|v| v["items"].as_array().map(Vec::len));
                    note = match items {
                        Some(n) => format!(", {n} items"),
                        None => ", no items array".into(),
                    };
                }
                println!(
                    "preflight {path}: {} in {ms:.1} ms, {} bytes{note}",
                    r.status,
                    r.body.len()
                );
                if !r.keep_alive {
                    match Connection::open(addr).await {
                        Ok(c) => conn = c,
                        Err(_) => return,
                    }
                }
            }
            Err(err) => {
                println!("preflight {path}: {err:#}");
                match Connection::open(addr).await {
                    Ok(c) => conn = c,
                    Err(_) => return,
                }
            }
        }
    }
}

const IMPORT_TARGET_SECS: f64 = 3.0;
const IMPORT_XLSX_TARGET_SECS: f64 = 6.0;
const LIST_P99_TARGET_MS: f64 = 10.0;
const OVERVIEW_P99_TARGET_MS: f64 = 50.0;
const RSS_TARGET_MB: f64 = 150.0;
const SEARCH_P99_TARGET_MS: f64 = 50.0;
const WRITE_P99_TARGET_MS: f64 = 25.0;

struct Report<'a> {
    cpus: usize,
    spec: &'a PlanArgs,
    import: Option<&'a Imports>,
    load_before: String,
    load_after: String,
    measured: &'a [Measured],
    server_peak_kb: u64,
    exports: &'a [ExportFigure],
    connections: usize,
    duration_secs: u64,
}

struct Target {
    name: String,
    limit: f64,
    measured: f64,
    unit: &'static str,
}

impl Report<'_> {
    fn baseline(&self) -> Summary {
        self.measured.first().map(|m| m.summary).unwrap_or_default()
    }

    fn targets(&self) -> Vec<Target> {
        let mut targets = Vec::new();
        if let Some(imports) = self.import {
            targets.push(Target {
                name: "import (median)".into(),
                limit: IMPORT_TARGET_SECS,
                measured: imports.json.median_secs,
                unit: "s",
            });
            if let Some(xlsx) = &imports.xlsx {
                targets.push(Target {
                    name: "import .xlsx (median)".into(),
                    limit: IMPORT_XLSX_TARGET_SECS,
                    measured: xlsx.median_secs,
                    unit: "s",
                });
            }
        }
        for m in self.measured {
            if let Some((reads, writes)) = m.outcome.split() {
                for (what, summary, limit) in [
                    ("reads", reads, LIST_P99_TARGET_MS),
                    ("writes", writes, WRITE_P99_TARGET_MS),
                ] {
                    targets.push(Target {
                        name: format!("{}: {what} p99", m.endpoint.label),
                        limit,
                        measured: summary.p99,
                        unit: "ms",
                    });
                }
                continue;
            }
            let limit = match m.endpoint.key {
                "list_by_status"
                | "list_by_status_token"
                | "list_by_section"
                | "list_deep_pages" => LIST_P99_TARGET_MS,
                "overview_page" | "overview_page_session" | "overview_dashboard" => {
                    OVERVIEW_P99_TARGET_MS
                }
                "search_common_word" => SEARCH_P99_TARGET_MS,
                _ => continue,
            };
            targets.push(Target {
                name: format!("{} p99", m.endpoint.label),
                limit,
                measured: m.summary.p99,
                unit: "ms",
            });
        }
        targets.push(Target {
            name: "server peak RSS (VmHWM)".into(),
            limit: RSS_TARGET_MB,
            measured: self.server_peak_kb as f64 / 1024.0,
            unit: "MB",
        });
        if let Some(last) = self.exports.last() {
            let formats: Vec<&str> = self.exports.iter().map(|e| e.format).collect();
            targets.push(Target {
                name: format!("server peak RSS after exports ({})", formats.join(", ")),
                limit: RSS_TARGET_MB,
                measured: last.hwm_kb as f64 / 1024.0,
                unit: "MB",
            });
        }
        targets
    }

    fn print(&self) {
        let base = self.baseline();
        println!();
        println!(
            "{} connections, {} s per endpoint, {} CPUs, load average {} before and {} after",
            self.connections, self.duration_secs, self.cpus, self.load_before, self.load_after
        );
        println!(
            "{:<30} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7} {:>7} {:>8} {:>8}",
            "endpoint",
            "req/s",
            "p50 ms",
            "p90 ms",
            "p99 ms",
            "max ms",
            "requests",
            "errors",
            "non-200",
            "p50/base",
            "p99/base"
        );
        for m in self.measured {
            let s = m.summary;
            println!(
                "{:<30} {:>9.0} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9} {:>7} {:>7} {:>8.1} {:>8.1}",
                m.endpoint.label,
                s.per_second,
                s.p50,
                s.p90,
                s.p99,
                s.max,
                s.requests,
                m.outcome.errors,
                m.outcome.non_200,
                ratio(s.p50, base.p50),
                ratio(s.p99, base.p99),
            );
            if let Some((reads, writes)) = m.outcome.split() {
                for (what, s) in [("  of which reads", reads), ("  of which writes", writes)] {
                    println!(
                        "{:<30} {:>9.0} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9} {:>7} {:>7} {:>8.1} {:>8.1}",
                        what,
                        s.per_second,
                        s.p50,
                        s.p90,
                        s.p99,
                        s.max,
                        s.requests,
                        "",
                        "",
                        ratio(s.p50, base.p50),
                        ratio(s.p99, base.p99),
                    );
                }
            }
        }
        for m in self.measured {
            if m.outcome.conflicts > 0 {
                println!(
                    "{}: {} writes found their package changed since they read it (412) and were sent again on the newer version",
                    m.endpoint.label, m.outcome.conflicts
                );
            }
            if let Some(e) = &m.outcome.first_error {
                println!("first error, {}: {e}", m.endpoint.label);
            }
            if let Some(e) = &m.outcome.first_non_200 {
                println!("first non-200, {}: {e}", m.endpoint.label);
            }
        }
        println!();
        if let Some(imports) = self.import {
            for (what, i) in std::iter::once(("JSON", &imports.json))
                .chain(imports.xlsx.as_ref().map(|x| (".xlsx", x)))
            {
                println!(
                    "import {what} ({:.1} MB): {} → median {:.2} s, CPU {:.2} s (reading it alone: {:.2} s); importer peak RSS {:.0} MB",
                    i.file_bytes as f64 / 1e6,
                    i.runs_secs
                        .iter()
                        .map(|s| format!("{s:.2} s"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    i.median_secs,
                    i.median_cpu_secs,
                    i.core_read_secs,
                    i.peak_rss_kb as f64 / 1024.0
                );
            }
            if let Some(xlsx) = &imports.xlsx {
                println!(
                    "import .xlsx ÷ JSON, medians of the same run: {:.2} (CPU {:.2})",
                    ratio(xlsx.median_secs, imports.json.median_secs),
                    ratio(xlsx.median_cpu_secs, imports.json.median_cpu_secs)
                );
            }
        }
        println!(
            "server RSS after each endpoint: {} MB; peak {:.0} MB",
            self.measured
                .iter()
                .map(|m| format!("{:.0}", m.rss_kb as f64 / 1024.0))
                .collect::<Vec<_>>()
                .join(" / "),
            self.server_peak_kb as f64 / 1024.0
        );
        println!();
        for t in self.targets() {
            println!(
                "{:<4} {:<36} {:>9.2} {} (target ≤ {} {})",
                if t.measured <= t.limit {
                    "PASS"
                } else {
                    "MISS"
                },
                t.name,
                t.measured,
                t.unit,
                t.limit,
                t.unit
            );
        }
    }

    fn to_json(&self) -> Value {
        let base = self.baseline();
        let spec = self.spec.spec();
        json!({
            "machine": {
                "cpus": self.cpus,
                "load_average_before": self.load_before,
                "load_average_after": self.load_after,
            },
            "plan": self.import.map(|_| json!({
                "packages": spec.packages,
                "sections": spec.sections,
                "influences": spec.influences,
                "related_items": spec.related,
                "dependencies": spec.dependencies,
                "seed": spec.seed,
            })),
            "import": self.import.map(|i| json!({
                "generate_seconds": i.json.generate_secs,
                "file_bytes": i.json.file_bytes,
                "runs_seconds": i.json.runs_secs,
                "median_seconds": i.json.median_secs,
                "runs_cpu_seconds": i.json.runs_cpu_secs,
                "median_cpu_seconds": i.json.median_cpu_secs,
                "core_json_read_seconds": i.json.core_read_secs,
                "importer_peak_rss_mb": i.json.peak_rss_kb as f64 / 1024.0,
            })),
            "import_xlsx": self.import.and_then(|i| i.xlsx.as_ref().map(|x| json!({
                "workbook_seconds": x.generate_secs,
                "file_bytes": x.file_bytes,
                "runs_seconds": x.runs_secs,
                "median_seconds": x.median_secs,
                "runs_cpu_seconds": x.runs_cpu_secs,
                "median_cpu_seconds": x.median_cpu_secs,
                "core_xlsx_read_seconds": x.core_read_secs,
                "importer_peak_rss_mb": x.peak_rss_kb as f64 / 1024.0,
                "median_ratio_to_json": ratio(x.median_secs, i.json.median_secs),
                "median_cpu_ratio_to_json": ratio(x.median_cpu_secs, i.json.median_cpu_secs),
            }))),
            "load": {
                "connections": self.connections,
                "duration_seconds_per_endpoint": self.duration_secs,
                "endpoints": self.measured.iter().map(|m| {
                    let s = m.summary;
                    json!({
                        "name": m.endpoint.key,
                        "label": m.endpoint.label,
                        "paths": m.endpoint.paths.iter().take(12).map(|r| format!("{} {}", r.method, r.path)).collect::<Vec<_>>(),
                        "requests": s.requests,
                        "requests_per_second": s.per_second,
                        "p50_ms": s.p50,
                        "p90_ms": s.p90,
                        "p99_ms": s.p99,
                        "max_ms": s.max,
                        "errors": m.outcome.errors,
                        "non_200": m.outcome.non_200,
                        "write_conflicts_412": m.outcome.conflicts,
                        "first_error": m.outcome.first_error,
                        "first_non_200": m.outcome.first_non_200,
                        "mean_response_bytes": m.outcome.response_bytes as f64 / s.requests.max(1) as f64,
                        "p50_ratio_to_baseline": ratio(s.p50, base.p50),
                        "p99_ratio_to_baseline": ratio(s.p99, base.p99),
                        "server_rss_mb_after": m.rss_kb as f64 / 1024.0,
                        "reads_and_writes": m.outcome.split().map(|(r, w)| json!({
                            "reads": {"requests": r.requests, "p50_ms": r.p50, "p99_ms": r.p99},
                            "writes": {"requests": w.requests, "p50_ms": w.p50, "p99_ms": w.p99},
                        })),
                    })
                }).collect::<Vec<_>>(),
            },
            "server_peak_rss_mb": self.server_peak_kb as f64 / 1024.0,
            "exports": self.exports.iter().map(|e| json!({
                "format": e.format,
                "status": e.status,
                "bytes": e.bytes,
                "seconds": e.secs,
                "server_peak_rss_mb_after": e.hwm_kb as f64 / 1024.0,
            })).collect::<Vec<_>>(),
            "targets": self.targets().iter().map(|t| json!({
                "name": t.name,
                "limit": t.limit,
                "measured": t.measured,
                "unit": t.unit,
                "pass": t.measured <= t.limit,
            })).collect::<Vec<_>>(),
        })
    }
}

fn ratio(value: f64, baseline: f64) -> f64 {
    if baseline > 0.0 {
        value / baseline
    } else {
        0.0
    }
}
