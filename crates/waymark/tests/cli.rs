//! The `waymark` binary end to end: import, its report, refusal of duplicates,
//! export and re-import, check, and the audit trail (verify on clean and
//! tampered databases, head, list).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SEED: &str = waymark_demo::CYPS_PLAN_PATH;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("waymark-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn waymark(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_waymark"))
        .args(["--data-dir", dir.to_str().unwrap()])
        .args(args)
        .env_remove("WAYMARK_DB")
        .env_remove("WAYMARK_CONFIG")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn importing_the_seed_reports_what_it_read() {
    let dir = temp_dir("report");
    let out = waymark(&dir, &["import", SEED, "--title", "CYPS plan"]);
    let report = text(&out);
    assert!(out.status.success(), "{report}");
    for expected in [
        "6 sections",
        "17 work packages",
        "11 key influences, 44 package–influence links",
        "3 programmes (3 priority)",
        "cyps-ict-action-plan.txt:line 5, column 1: warning: row has 5 cells but the header has 6",
        "does not start with \"|\"",
        "table has no section heading",
        "Stored as plan 1",
    ] {
        assert!(
            report.contains(expected),
            "missing {expected:?} in:\n{report}"
        );
    }
    // Twice: refused with a clear error, nothing duplicated.
    let again = waymark(&dir, &["import", SEED, "--title", "CYPS plan"]);
    assert!(!again.status.success());
    assert!(text(&again).contains("already stored"), "{}", text(&again));
    let plans = waymark(&dir, &["plans"]);
    assert_eq!(String::from_utf8_lossy(&plans.stdout).lines().count(), 1);
    let replaced = waymark(&dir, &["import", SEED, "--title", "CYPS plan", "--replace"]);
    assert!(replaced.status.success(), "{}", text(&replaced));
}

#[test]
fn dry_run_stores_nothing() {
    let dir = temp_dir("dry");
    let out = waymark(&dir, &["import", SEED, "--dry-run"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("Dry run: every check passed; nothing was stored."),
        "{}",
        text(&out)
    );
    // Nor is the database file made.
    assert!(!dir.join("waymark.db").exists());
    let plans = waymark(&dir, &["plans"]);
    assert_eq!(String::from_utf8_lossy(&plans.stdout).trim(), "");
}

#[test]
fn bad_files_get_a_clear_error() {
    let dir = temp_dir("bad");
    let empty = dir.join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let out = waymark(&dir, &["import", empty.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(text(&out).contains("the file is empty"), "{}", text(&out));
    let binary = dir.join("binary.txt");
    std::fs::write(&binary, b"| a |\n\x00\x01\x02").unwrap();
    let out = waymark(&dir, &["import", binary.to_str().unwrap()]);
    assert!(text(&out).contains("line 2, column 1"), "{}", text(&out));
    let out = waymark(&dir, &["import", "/no/such/file.txt"]);
    assert!(
        text(&out).contains("cannot read /no/such/file.txt"),
        "{}",
        text(&out)
    );
}

#[test]
fn every_export_format_imports_back_to_the_same_document() {
    for format in ["json", "markdown", "csv"] {
        let dir = temp_dir(&format!("round-{format}"));
        assert!(
            waymark(&dir, &["import", SEED, "--title", "CYPS plan"])
                .status
                .success()
        );
        let first = dir.join(format!("first.{format}"));
        let out = waymark(
            &dir,
            &[
                "export",
                "--format",
                format,
                "--output",
                first.to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "{}", text(&out));
        let other = dir.join("other");
        std::fs::create_dir_all(&other).unwrap();
        let out = waymark(
            &other,
            &["import", first.to_str().unwrap(), "--title", "CYPS plan"],
        );
        assert!(out.status.success(), "{format}: {}", text(&out));
        let second = dir.join(format!("second.{format}"));
        let out = waymark(
            &other,
            &[
                "export",
                "--format",
                format,
                "--output",
                second.to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "{}", text(&out));
        assert_eq!(
            std::fs::read_to_string(&first).unwrap(),
            std::fs::read_to_string(&second).unwrap(),
            "{format}"
        );
    }
}

/// An Excel export imported into a fresh database is the same plan: the
/// JSON exports of both are equal.
#[test]
fn xlsx_export_imports_back_to_the_same_plan() {
    let dir = temp_dir("round-xlsx");
    assert!(
        waymark(&dir, &["import", SEED, "--title", "CYPS plan"])
            .status
            .success()
    );
    let book = dir.join("plan.xlsx");
    let out = waymark(
        &dir,
        &[
            "export",
            "--format",
            "xlsx",
            "--output",
            book.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(std::fs::read(&book).unwrap().starts_with(b"PK"));
    let other = dir.join("other");
    std::fs::create_dir_all(&other).unwrap();
    let out = waymark(&other, &["import", book.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let first = waymark(&dir, &["export", "--format", "json"]);
    let second = waymark(&other, &["export", "--format", "json"]);
    assert!(first.status.success() && second.status.success());
    assert_eq!(
        String::from_utf8(first.stdout).unwrap(),
        String::from_utf8(second.stdout).unwrap()
    );
    // Redirected standard output takes the workbook too.
    let out = waymark(&dir, &["export", "--format", "xlsx"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(out.stdout.starts_with(b"PK"));
}

#[test]
fn export_is_written_as_it_is_read_and_matches_the_whole_document() {
    let dir = temp_dir("export-stream");
    assert!(
        waymark(&dir, &["import", SEED, "--title", "CYPS plan"])
            .status
            .success()
    );
    let store = waymark_store::open(dir.join("waymark.db").to_str().unwrap()).unwrap();
    let id = store.list_plans().unwrap()[0].id;
    let plan = store.load_plan(id).unwrap();
    drop(store);
    for format in ["json", "markdown", "csv"] {
        let whole = waymark_core::export::export(&plan, format.parse().unwrap());
        let file = dir.join(format!("plan.{format}"));
        let out = waymark(
            &dir,
            &[
                "export",
                "--format",
                format,
                "--output",
                file.to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "{}", text(&out));
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            whole,
            "{format} file"
        );
        let out = waymark(&dir, &["export", "--format", format]);
        assert!(out.status.success(), "{}", text(&out));
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            whole,
            "{format} stdout"
        );
    }
    // A file that cannot be written is an error naming it.
    let out = waymark(&dir, &["export", "--output", dir.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(text(&out).contains("cannot write"), "{}", text(&out));
}

#[test]
fn a_plan_is_updated_from_a_newer_file_by_reference() {
    let dir = temp_dir("update");
    let last = dir.join("plan-2026.csv");
    std::fs::write(
        &last,
        "Section,Work package,Estimated delivery,Owner\n\
         10.1 Core,1. Finance system,Q4 2026,Jo\n\
         10.1 Core,2. Email,Q1 2027,Sam\n\
         10.2 Schools,1. Broadband,Q2 2027,Ali\n",
    )
    .unwrap();
    let out = waymark(&dir, &["import", last.to_str().unwrap(), "--title", "Plan"]);
    assert!(out.status.success(), "{}", text(&out));
    let next = dir.join("plan-2027.csv");
    std::fs::write(
        &next,
        "Section,Work package,Estimated delivery,Owner\n\
         10.1 Core,1. Finance system,Q2 2027,Head of Finance\n\
         10.1 Core,2. Email,Q1 2027,Sam\n\
         10.1 Core,3. Intranet,Q3 2027,Sam\n",
    )
    .unwrap();
    let next = next.to_str().unwrap();
    // A dry run prints every change, field by field, and stores nothing.
    let out = waymark(
        &dir,
        &["import", next, "--title", "Plan", "--update", "--dry-run"],
    );
    let report = text(&out);
    assert!(out.status.success(), "{report}");
    for expected in [
        "Compared with plan 1:",
        "1 added, 1 changed, 1 unchanged, 1 not in the file",
        "added 10.1.3: Intranet",
        "changed 10.1.1: Finance system",
        "  delivery: Q4 2026 -> Q2 2027",
        "  owner: Jo -> Head of Finance",
        "not in the file 10.2.1: Broadband",
        "Dry run: every check passed; nothing was stored.",
    ] {
        assert!(
            report.contains(expected),
            "missing {expected:?} in:\n{report}"
        );
    }
    let export = |dir: &Path| stdout(&waymark(dir, &["export", "--format", "csv"]));
    assert!(export(&dir).contains("Q4 2026"), "nothing stored");
    // Applied: found by its title; the missing package stays unless asked.
    let out = waymark(&dir, &["import", next, "--title", "Plan", "--update"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("Updated plan 1: 1 added, 1 changed, 0 removed."));
    let csv = export(&dir);
    assert!(
        csv.contains("Head of Finance") && csv.contains("Broadband"),
        "{csv}"
    );
    let out = waymark(
        &dir,
        &[
            "import",
            next,
            "--update",
            "--plan",
            "1",
            "--remove-missing",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("0 changed, 1 removed"),
        "{}",
        text(&out)
    );
    assert!(!export(&dir).contains("Broadband"));
    // --update and --replace do not go together; --remove-missing needs --update.
    let out = waymark(&dir, &["import", next, "--update", "--replace"]);
    assert!(!out.status.success());
    let out = waymark(&dir, &["import", next, "--remove-missing"]);
    assert!(!out.status.success());
}

#[test]
fn dashboard_prints_the_plan_at_a_glance() {
    let dir = temp_dir("dashboard");
    let out = waymark(&dir, &["import", waymark_demo::CYPS_PLAN_PATH]);
    assert!(out.status.success(), "{}", text(&out));
    let out = waymark(&dir, &["dashboard"]);
    assert!(out.status.success(), "{}", text(&out));
    let printed = stdout(&out);
    assert!(printed.contains("\n17 work packages\n"), "{printed}");
    assert!(printed.contains("By status: "), "{printed}");
    assert!(printed.contains("By RAG: "), "{printed}");
    // The plan ended in 2008: its open packages are all overdue.
    let overdue = printed
        .lines()
        .find(|l| l.starts_with("Overdue (last delivery before "))
        .unwrap_or_default();
    let n: u64 = overdue
        .rsplit(": ")
        .next()
        .unwrap_or("")
        .parse()
        .unwrap_or(0);
    assert!(n > 5, "{printed}");
    assert!(
        printed.contains(&format!("… and {} more", n - 5)),
        "{printed}"
    );
    assert!(printed.contains("Due next quarter ("), "{printed}");
    let missing = waymark(&dir, &["dashboard", "--plan", "99"]);
    assert!(!missing.status.success());
}

#[test]
fn check_lists_findings() {
    let dir = temp_dir("check");
    assert!(waymark(&dir, &["import", SEED]).status.success());
    let out = waymark(&dir, &["check"]);
    let report = text(&out);
    assert!(out.status.success(), "{report}");
    assert!(
        report.contains("overdue: 10.1.1 Application review was due by Q4 2006"),
        "{report}"
    );
    assert!(report.contains("17 findings"), "{report}");
}

/// A dry run runs every check the import runs: what the store refuses (a
/// package reference twice, a title already stored), the dry run refuses too,
/// and it stores nothing either way.
#[test]
fn dry_run_refuses_what_the_import_refuses() {
    let dir = temp_dir("dry-checks");
    let twice = dir.join("twice.txt");
    std::fs::write(
        &twice,
        "10.1 Systems\n| Work package | Scope |\n| 1. Do X. | X |\n10.1 Systems again\n| Work package | Scope |\n| 1. Do Y. | Y |\n",
    )
    .unwrap();
    let out = waymark(&dir, &["import", twice.to_str().unwrap(), "--dry-run"]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("work package 10.1.1 appears twice"),
        "{}",
        text(&out)
    );
    let real = waymark(&dir, &["import", twice.to_str().unwrap()]);
    assert!(!real.status.success(), "{}", text(&real));

    assert!(
        waymark(&dir, &["import", SEED, "--title", "CYPS plan"])
            .status
            .success()
    );
    let out = waymark(&dir, &["import", SEED, "--title", "CYPS plan", "--dry-run"]);
    assert!(!out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("already stored"), "{}", text(&out));
    let out = waymark(
        &dir,
        &[
            "import",
            SEED,
            "--title",
            "CYPS plan",
            "--dry-run",
            "--replace",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let plans = waymark(&dir, &["plans"]);
    assert_eq!(
        String::from_utf8_lossy(&plans.stdout).lines().count(),
        1,
        "{}",
        text(&plans)
    );
}

/// A table pasted from Word with tabs is read; tab-separated lines without a
/// header Waymark knows are an error naming the cause, not an empty plan,
/// unless an empty plan is asked for.
#[test]
fn tab_separated_tables_are_read_and_an_empty_plan_is_an_error() {
    let dir = temp_dir("tabs");
    let pasted = dir.join("pasted.txt");
    std::fs::write(
        &pasted,
        "10.1 Systems\nWork package\tScope\tEstimated delivery\n1. Do X.\tX\tQ4 2006\n2. Do Y.\tY\tQ1 2007\n",
    )
    .unwrap();
    let out = waymark(&dir, &["import", pasted.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("2 work packages"), "{}", text(&out));

    let unknown = dir.join("unknown.txt");
    std::fs::write(
        &unknown,
        "10.1 Systems\nItem\tDetails\tDate\n1. Do X.\tX\tQ4 2006\n2. Do Y.\tY\tQ1 2007\n",
    )
    .unwrap();
    let out = waymark(&dir, &["import", unknown.to_str().unwrap()]);
    assert!(!out.status.success(), "{}", text(&out));
    for expected in ["no work packages", "look tab-separated", "--allow-empty"] {
        assert!(text(&out).contains(expected), "{expected}: {}", text(&out));
    }
    let out = waymark(
        &dir,
        &["import", unknown.to_str().unwrap(), "--allow-empty"],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("0 work packages"), "{}", text(&out));
}

/// Windows-1252 and UTF-16 files are read (found out, or as asked); binary
/// files are still refused.
#[test]
fn encodings_are_found_out_or_chosen() {
    let dir = temp_dir("encodings");
    let cp1252 = dir.join("cp1252.txt");
    std::fs::write(
        &cp1252,
        b"10.1 Systems\n| Work package | Scope |\n| 1. Caf\xe9 review. | Budget \x80500 |\n",
    )
    .unwrap();
    let out = waymark(&dir, &["import", cp1252.to_str().unwrap(), "--dry-run"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains(
            "line 3, column 9: warning: byte 0xE9 is not UTF-8: the file is read as Windows-1252"
        ),
        "{}",
        text(&out)
    );
    let out = waymark(
        &dir,
        &["import", cp1252.to_str().unwrap(), "--encoding", "utf-8"],
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("byte 0xE9 is not valid UTF-8"),
        "{}",
        text(&out)
    );
    let out = waymark(
        &dir,
        &[
            "import",
            cp1252.to_str().unwrap(),
            "--encoding",
            "windows-1252",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains("warning:"), "{}", text(&out));
    let exported = waymark(&dir, &["export", "--format", "markdown"]);
    let markdown = String::from_utf8_lossy(&exported.stdout);
    assert!(
        markdown.contains("| Café review |") && markdown.contains("| Budget €500 |"),
        "{markdown}"
    );

    let utf16 = dir.join("utf16.txt");
    let mut bytes = vec![0xFF, 0xFE];
    for unit in "10.1 Systems\n| Work package | Scope |\n| 1. Café. | X |\n".encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    std::fs::write(&utf16, bytes).unwrap();
    let out = waymark(&dir, &["import", utf16.to_str().unwrap(), "--dry-run"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("as plan-text (utf-16le)"),
        "{}",
        text(&out)
    );

    let out = waymark(
        &dir,
        &["import", utf16.to_str().unwrap(), "--encoding", "latin-9"],
    );
    assert!(
        text(&out).contains("unknown encoding \"latin-9\""),
        "{}",
        text(&out)
    );

    let png = dir.join("picture.txt");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").unwrap();
    let out = waymark(&dir, &["import", png.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("line 2, column 1: the file is not text (control byte 0x1A)"),
        "{}",
        text(&out)
    );
}

/// The database the commands above use in `dir`.
fn database(dir: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.join("waymark.db")).unwrap()
}

/// Two imports: two audit entries. Answers the head after them.
fn two_imports(dir: &Path) -> String {
    for title in ["CYPS plan", "Second plan"] {
        let out = waymark(dir, &["import", SEED, "--title", title]);
        assert!(out.status.success(), "{}", text(&out));
    }
    let head = waymark(dir, &["audit", "head"]);
    assert!(head.status.success(), "{}", text(&head));
    let line = String::from_utf8_lossy(&head.stdout).trim().to_string();
    let (sequence, hash) = line.split_once('\t').unwrap();
    assert_eq!(sequence, "2", "{line}");
    assert_eq!(hash.len(), 64, "{line}");
    hash.to_string()
}

#[test]
fn audit_verify_passes_a_clean_trail_and_names_an_edited_entry() {
    let dir = temp_dir("audit-edited");
    let head = two_imports(&dir);
    let ok = waymark(&dir, &["audit", "verify", "--head", &head]);
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(
        text(&ok).contains(&format!("ok: 2 entries, head {head}")),
        "{}",
        text(&ok)
    );

    let list = waymark(&dir, &["audit", "list", "--entity", "plan:1"]);
    let listed = text(&list);
    assert!(list.status.success(), "{listed}");
    assert!(listed.contains("import plan:1"), "{listed}");
    assert!(listed.contains("cli command line"), "{listed}");
    assert!(
        listed.contains("work_packages: (none) -> \"17\""),
        "{listed}"
    );
    assert!(!listed.contains("plan:2"), "{listed}");
    let newest = waymark(&dir, &["audit", "list", "--limit", "1"]);
    assert!(text(&newest).starts_with("2\t"), "{}", text(&newest));

    // The trail refuses edits; with its trigger dropped, an edit is caught.
    let db = database(&dir);
    assert!(
        db.execute_batch(
            "UPDATE audit_entry SET actor_display = 'someone else' WHERE sequence = 1"
        )
        .is_err()
    );
    db.execute_batch(
        "DROP TRIGGER audit_entry_no_update;
         UPDATE audit_entry SET actor_display = 'someone else' WHERE sequence = 1;",
    )
    .unwrap();
    drop(db);
    let bad = waymark(&dir, &["audit", "verify"]);
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad));
    assert!(
        text(&bad).contains("entry 1 does not match its hash"),
        "{}",
        text(&bad)
    );
}

#[test]
fn audit_verify_with_a_recorded_head_catches_a_deleted_newest_entry() {
    let dir = temp_dir("audit-deleted");
    let head = two_imports(&dir);
    let db = database(&dir);
    db.execute_batch(
        "DROP TRIGGER audit_change_no_delete; DROP TRIGGER audit_entry_no_delete;
         DELETE FROM audit_change WHERE sequence = 2; DELETE FROM audit_entry WHERE sequence = 2;",
    )
    .unwrap();
    drop(db);
    // The chain alone still holds together ...
    let chain = waymark(&dir, &["audit", "verify"]);
    assert!(chain.status.success(), "{}", text(&chain));
    assert!(text(&chain).contains("ok: 1 entries"), "{}", text(&chain));
    // ... but the recorded head is gone.
    let bad = waymark(&dir, &["audit", "verify", "--head", &head]);
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad));
    assert!(
        text(&bad).contains(&format!("no entry has the hash {head}")),
        "{}",
        text(&bad)
    );
    let nonsense = waymark(&dir, &["audit", "verify", "--head", "abc"]);
    assert_eq!(nonsense.status.code(), Some(1), "{}", text(&nonsense));
}

#[test]
fn audit_verify_names_a_missing_entry_in_the_middle() {
    let dir = temp_dir("audit-gap");
    two_imports(&dir);
    let out = waymark(&dir, &["import", SEED, "--title", "Third plan"]);
    assert!(out.status.success(), "{}", text(&out));
    let db = database(&dir);
    db.execute_batch(
        "DROP TRIGGER audit_change_no_delete; DROP TRIGGER audit_entry_no_delete;
         DELETE FROM audit_change WHERE sequence = 2; DELETE FROM audit_entry WHERE sequence = 2;",
    )
    .unwrap();
    drop(db);
    let bad = waymark(&dir, &["audit", "verify"]);
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad));
    assert!(text(&bad).contains("entry 2 is missing"), "{}", text(&bad));
}

#[test]
fn audit_verify_names_swapped_entries() {
    let dir = temp_dir("audit-swapped");
    two_imports(&dir);
    let db = database(&dir);
    db.execute_batch(
        "PRAGMA foreign_keys = OFF;
         DROP TRIGGER audit_entry_no_update; DROP TRIGGER audit_change_no_update;
         UPDATE audit_entry SET sequence = 0 WHERE sequence = 1;
         UPDATE audit_entry SET sequence = 1 WHERE sequence = 2;
         UPDATE audit_entry SET sequence = 2 WHERE sequence = 0;
         UPDATE audit_change SET sequence = 0 WHERE sequence = 1;
         UPDATE audit_change SET sequence = 1 WHERE sequence = 2;
         UPDATE audit_change SET sequence = 2 WHERE sequence = 0;",
    )
    .unwrap();
    drop(db);
    let bad = waymark(&dir, &["audit", "verify"]);
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad));
    assert!(
        text(&bad).contains("entry 1 does not match its hash"),
        "{}",
        text(&bad)
    );
}

#[test]
fn the_audit_names_the_operating_system_user_who_ran_the_command() {
    let dir = temp_dir("audit-os-user");
    let out = Command::new(env!("CARGO_BIN_EXE_waymark"))
        .args(["--data-dir", dir.to_str().unwrap()])
        .args(["import", SEED])
        .env_remove("WAYMARK_DB")
        .env_remove("WAYMARK_CONFIG")
        .env_remove("USER")
        .env_remove("USERNAME")
        .env("LOGNAME", "alice")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let list = waymark(&dir, &["audit", "list", "--limit", "1"]);
    assert!(
        text(&list).contains("cli command line (alice)"),
        "{}",
        text(&list)
    );
}

/// `waymark` with `input` on standard input.
fn waymark_with_input(dir: &Path, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_waymark"))
        .args(["--data-dir", dir.to_str().unwrap()])
        .args(args)
        .env_remove("WAYMARK_DB")
        .env_remove("WAYMARK_CONFIG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

#[test]
fn accounts_are_added_changed_and_listed_from_the_command_line() {
    let dir = temp_dir("users");
    // Without --password-stdin: a one-off password, alone on standard output.
    let out = waymark(
        &dir,
        &[
            "user",
            "add",
            "--email",
            "Jane@Council.gov.uk",
            "--name",
            "Jane Smith",
            "--role",
            "admin",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let password = stdout(&out);
    assert_eq!(password.chars().count(), 20, "{password}");
    assert!(text(&out).contains("shown once"), "{}", text(&out));
    let stored: (String, i64) = database(&dir)
        .query_row(
            "SELECT password_hash, must_change_password FROM account WHERE email = 'jane@council.gov.uk'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(stored.0.starts_with("$argon2id$"), "{}", stored.0);
    assert!(!stored.0.contains(&password));
    assert_eq!(stored.1, 1, "a one-off password must be changed");

    // With --password-stdin: checked, never printed.
    let weak = waymark_with_input(
        &dir,
        &[
            "user",
            "add",
            "--email",
            "bob@council.gov.uk",
            "--name",
            "Bob",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        "short\n",
    );
    assert!(!weak.status.success());
    assert!(text(&weak).contains("weak password"), "{}", text(&weak));
    let out = waymark_with_input(
        &dir,
        &[
            "user",
            "add",
            "--email",
            "bob@council.gov.uk",
            "--name",
            "Bob",
            "--role",
            "contributor",
            "--owner-name",
            "Head of ICT",
            "--password-stdin",
        ],
        "a long enough passphrase\r\n",
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(stdout(&out), "");

    // Errors name the problem.
    for (args, expected) in [
        (
            vec![
                "user", "add", "--email", "nope", "--name", "N", "--role", "viewer",
            ],
            "email address",
        ),
        (
            vec![
                "user",
                "add",
                "--email",
                "c@council.gov.uk",
                "--name",
                "C",
                "--role",
                "boss",
            ],
            "role",
        ),
        (
            vec![
                "user",
                "add",
                "--email",
                "bob@council.gov.uk",
                "--name",
                "B",
                "--role",
                "viewer",
            ],
            "already exists",
        ),
        (
            vec!["user", "disable", "nobody@council.gov.uk"],
            "no account",
        ),
        (
            vec!["user", "set-role", "bob@council.gov.uk", "boss"],
            "role",
        ),
        // The only admin stays one.
        (
            vec!["user", "set-role", "jane@council.gov.uk", "viewer"],
            "admin",
        ),
        (vec!["user", "disable", "jane@council.gov.uk"], "admin"),
    ] {
        let out = waymark(&dir, &args);
        assert!(!out.status.success(), "{args:?}");
        assert!(text(&out).contains(expected), "{args:?}: {}", text(&out));
    }

    for args in [
        vec!["user", "set-role", "bob@council.gov.uk", "manager"],
        vec![
            "user",
            "set-owner-names",
            "bob@council.gov.uk",
            "Head of ICT",
            "ICT Manager",
        ],
        vec!["user", "disable", "bob@council.gov.uk"],
    ] {
        let out = waymark(&dir, &args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
    }
    let list = waymark(&dir, &["user", "list"]);
    assert!(list.status.success(), "{}", text(&list));
    let lines: Vec<Vec<String>> = stdout(&list)
        .lines()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[0][..5],
        [
            "bob@council.gov.uk",
            "Bob",
            "manager",
            "disabled",
            "Head of ICT; ICT Manager"
        ]
    );
    assert_eq!(
        lines[1][..4],
        ["jane@council.gov.uk", "Jane Smith", "admin", "enabled"]
    );
    let out = waymark(&dir, &["user", "enable", "bob@council.gov.uk"]);
    assert!(out.status.success(), "{}", text(&out));

    // A reset gives a new one-off password.
    let out = waymark(&dir, &["user", "reset-password", "bob@council.gov.uk"]);
    assert!(out.status.success(), "{}", text(&out));
    let again = stdout(&out);
    assert_eq!(again.chars().count(), 20);
    assert_ne!(again, password);

    // Every change is in the audit trail, with no password hash.
    let audit = waymark(&dir, &["audit", "list", "--entity", "account"]);
    let audit = text(&audit);
    assert!(audit.contains("update account:"), "{audit}");
    assert!(audit.contains("password: (none) -> \"set\""), "{audit}");
    assert!(!audit.contains("argon2"), "{audit}");
    let verify = waymark(&dir, &["audit", "verify"]);
    assert!(verify.status.success(), "{}", text(&verify));
}

#[test]
fn api_tokens_are_printed_once_stored_as_digests_listed_and_revoked() {
    let dir = temp_dir("tokens");
    let out = waymark(
        &dir,
        &[
            "user",
            "add",
            "--email",
            "jane@council.gov.uk",
            "--name",
            "Jane",
            "--role",
            "manager",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = waymark(
        &dir,
        &[
            "token",
            "create",
            "--email",
            "jane@council.gov.uk",
            "--name",
            "nightly export",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let token = stdout(&out);
    assert!(token.starts_with("wmk_") && token.len() == 68, "{token}");
    let digest: String = database(&dir)
        .query_row("SELECT digest FROM api_token", [], |r| r.get(0))
        .unwrap();
    assert_eq!(digest.len(), 64);
    assert!(!digest.contains(&token[4..]));
    let out = waymark(
        &dir,
        &[
            "token",
            "create",
            "--email",
            "nobody@council.gov.uk",
            "--name",
            "x",
        ],
    );
    assert!(text(&out).contains("no account"), "{}", text(&out));

    let list = waymark(&dir, &["token", "list", "--email", "jane@council.gov.uk"]);
    let listed = stdout(&list);
    assert!(
        listed.starts_with("1\tjane@council.gov.uk\tnightly export\t"),
        "{listed}"
    );
    assert!(listed.ends_with("active"), "{listed}");
    assert!(!listed.contains(&token), "{listed}");
    let out = waymark(&dir, &["token", "revoke", "1"]);
    assert!(out.status.success(), "{}", text(&out));
    let list = waymark(&dir, &["token", "list"]);
    assert!(stdout(&list).contains("\trevoked "), "{}", text(&list));
    let out = waymark(&dir, &["token", "revoke", "9"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("not found"), "{}", text(&out));
}

#[test]
fn the_demo_makes_an_admin_with_a_one_off_password_on_first_start_only() {
    use std::io::BufRead;
    let dir = temp_dir("demo");
    // Starts the demo server, answers the lines it printed up to its address
    // (and the one after it), then stops it.
    let start = || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_waymark"))
            .args(["--data-dir", dir.to_str().unwrap()])
            .args(["demo", "--addr", "127.0.0.1:0"])
            .env_remove("WAYMARK_DB")
            .env_remove("WAYMARK_CONFIG")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let mut seen = Vec::new();
        while let Some(Ok(line)) = lines.next() {
            let running = line.starts_with("Waymark is running");
            seen.push(line);
            if running {
                break;
            }
        }
        // What it prints next, if anything, comes at once; the server then waits.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
        });
        if let Ok(line) = rx.recv_timeout(std::time::Duration::from_secs(2)) {
            seen.push(line);
        }
        child.kill().unwrap();
        child.wait().unwrap();
        seen
    };
    let first = start();
    let note = first
        .iter()
        .find_map(|l| l.split_once("Admin password (shown once): "))
        .map(|(_, p)| p.to_string())
        .unwrap_or_else(|| panic!("no admin password in {first:?}"));
    assert_eq!(note.chars().count(), 20, "{first:?}");
    let second = start();
    assert!(!second.iter().any(|l| l.contains("password")), "{second:?}");
    let db = dir.join("demo.db");
    let list = waymark(&dir, &["--db", db.to_str().unwrap(), "user", "list"]);
    assert!(
        stdout(&list).starts_with("admin@localhost\tAdministrator\tadmin\tenabled"),
        "{}",
        text(&list)
    );
    // The first start loaded the example RAID log, each item saying it is an
    // example: four open risks (highest score first), an issue, an
    // assumption and a dependency, each concerning the plan's packages.
    let raid = waymark(&dir, &["--db", db.to_str().unwrap(), "raid", "list"]);
    assert!(raid.status.success(), "{}", text(&raid));
    let rows: Vec<Vec<String>> = stdout(&raid)
        .lines()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect();
    let kinds: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| (r[1].as_str(), r[2].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("risk", "open", "16"),
            ("risk", "open", "15"),
            ("risk", "open", "10"),
            ("risk", "open", "4"),
            ("assumption", "open", ""),
            ("issue", "open", ""),
            ("dependency", "open", ""),
        ],
        "{}",
        text(&raid)
    );
    for row in &rows {
        assert!(row[5].starts_with("Example: "), "{row:?}");
        assert!(!row[6].is_empty(), "no package: {row:?}");
    }
    assert_eq!(rows.len(), waymark_demo::EXAMPLE_RAID.len());
}

/// A workbook with a title row, then a header the reader half knows.
fn workbook(dir: &Path) -> PathBuf {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Plan").unwrap();
    sheet.write_string(0, 0, "ICT action plan").unwrap();
    for (i, h) in ["Section", "Work package", "Lead officer", "Budget"]
        .iter()
        .enumerate()
    {
        sheet.write_string(2, i as u16, *h).unwrap();
    }
    sheet.write_string(3, 0, "10.1 Core systems").unwrap();
    sheet
        .write_string(3, 1, "1. Replace the care record system")
        .unwrap();
    sheet.write_string(3, 2, "Jane Doe").unwrap();
    sheet.write_number(3, 3, 125000.0).unwrap();
    let path = dir.join("plan.xlsx");
    book.save(&path).unwrap();
    path
}

#[test]
fn an_xlsx_workbook_imports_with_sheet_and_map() {
    let dir = temp_dir("xlsx");
    let file = workbook(&dir);
    let file = file.to_str().unwrap();
    let dry = waymark(
        &dir,
        &[
            "import",
            file,
            "--sheet",
            "Plan",
            "--map",
            "Lead officer=owner",
            "--dry-run",
        ],
    );
    let report = text(&dry);
    assert!(dry.status.success(), "{report}");
    for expected in [
        "as xlsx (sheet \"Plan\")",
        "1 work packages",
        "Plan!A1: warning: a row above the header row",
        "\"Work package\" → title",
        "\"Lead officer\" → owner",
        "\"Budget\" → the plan's notes",
        "Dry run",
    ] {
        assert!(
            report.contains(expected),
            "missing {expected:?} in:\n{report}"
        );
    }
    let out = waymark(&dir, &["import", file, "--map", "Lead officer=owner"]);
    assert!(out.status.success(), "{}", text(&out));
    let json = waymark(&dir, &["export", "--format", "json"]);
    assert!(String::from_utf8_lossy(&json.stdout).contains("\"owner\": \"Jane Doe\""));

    // A field or header --map does not know, and a sheet that is not there.
    for (args, wanted) in [
        (
            vec!["--map", "Lead officer=boss"],
            "\"boss\" is not a field",
        ),
        (vec!["--map", "Director=owner"], "header \"Director\""),
        (vec!["--sheet", "Summary"], "no sheet named \"Summary\""),
    ] {
        let mut all = vec!["import", file, "--dry-run"];
        all.extend(args);
        let out = waymark(&dir, &all);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(wanted), "missing {wanted:?} in:\n{stderr}");
    }
}

#[test]
fn hostile_xlsx_files_are_refused_and_nothing_is_stored() {
    use std::io::Write;
    let dir = temp_dir("xlsx-hostile");
    // Not a ZIP, though named .xlsx.
    let text_file = dir.join("plan.xlsx");
    std::fs::write(&text_file, "Work package,Owner\n1. Do it,Jane\n").unwrap();
    // A ZIP bomb: a part of 300 MB of zeros in a file of a few hundred KB.
    let bomb = dir.join("bomb.xlsx");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&bomb).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("xl/workbook.xml", options).unwrap();
    zip.write_all(b"<workbook/>").unwrap();
    zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..300 {
        zip.write_all(&zeros).unwrap();
    }
    zip.finish().unwrap();
    let header = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>Work package</t></is></c><c r="B1" t="inlineStr"><is><t>Owner</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>1. Do it</t></is></c></row>"#;
    // A formula whose value was never worked out.
    let formula = dir.join("formula.xlsx");
    raw_workbook(
        &formula,
        &format!(
            r#"{header}<row r="3"><c r="B3"><f>HYPERLINK("http://example.invalid","Click")</f></c></row>"#
        ),
    );
    // 10 MB of text in one cell.
    let big = dir.join("big.xlsx");
    raw_workbook(
        &big,
        &format!(
            r#"{header}<row r="3"><c r="C3" t="inlineStr"><is><t>{}</t></is></c></row>"#,
            "x".repeat(10 * 1024 * 1024)
        ),
    );
    // A million empty rows and no header.
    let empty = dir.join("empty.xlsx");
    let rows: String = (1..=1_000_000)
        .map(|r| format!(r#"<row r="{r}"><c r="A{r}" s="0"/></row>"#))
        .collect();
    raw_workbook(&empty, &rows);
    for (file, wanted) in [
        (&text_file, "not an .xlsx workbook"),
        (&bomb, "would inflate to 314,572,800 bytes"),
        (&formula, "Sheet1!B3 (=HYPERLINK("),
        (
            &big,
            "Sheet1!C3: The cell must be 20,000 characters or fewer",
        ),
        (&empty, "\"Sheet1\" (empty)"),
    ] {
        let out = waymark(&dir, &["import", file.to_str().unwrap()]);
        assert!(!out.status.success(), "{}", text(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(wanted), "missing {wanted:?} in:\n{stderr}");
    }
    let plans = waymark(&dir, &["plans"]);
    assert_eq!(String::from_utf8_lossy(&plans.stdout).trim(), "");
}

/// A workbook of one sheet, `Sheet1`, whose `<sheetData>` is `rows`, written
/// part by part (as hostile files are).
fn raw_workbook(path: &Path, rows: &str) {
    use std::io::Write;
    let parts: [(&str, String); 4] = [
        (
            "_rels/.rels",
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.into(),
        ),
        (
            "xl/workbook.xml",
            r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#.into(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.into(),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!(
                r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
            ),
        ),
    ];
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, text) in parts {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn decisions_are_recorded_and_listed_from_the_command_line() {
    let dir = temp_dir("decisions");
    assert!(
        waymark(&dir, &["import", SEED, "--title", "CYPS plan"])
            .status
            .success()
    );
    let out = waymark(
        &dir,
        &[
            "decision",
            "add",
            "--date",
            "2007-03-14",
            "--meeting",
            "ICT Strategy Group, March 2007",
            "--text",
            "Adopt e-CAF across the directorate",
            "--rationale",
            "Safeguarding comes first",
            "--package",
            "10.1.1",
            "--package",
            "10.1.2",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let id = stdout(&out).trim().to_string();
    assert!(id.parse::<u64>().is_ok(), "not an id: {id:?}");
    let later = waymark(
        &dir,
        &[
            "decision",
            "add",
            "--date",
            "2007-06-01",
            "--meeting",
            "Board",
            "--text",
            "Close the project",
            "--decided-by",
            "Head of ICT",
        ],
    );
    assert!(later.status.success(), "{}", text(&later));

    // Newest first; the group decides unless told otherwise.
    let list = stdout(&waymark(&dir, &["decision", "list"]));
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert!(
        lines[0].contains("2007-06-01\tBoard\tHead of ICT\tClose the project"),
        "{list}"
    );
    assert!(
        lines[1].ends_with("ICT Strategy Group\tAdopt e-CAF across the directorate\t10.1.1 10.1.2"),
        "{list}"
    );
    let found = stdout(&waymark(
        &dir,
        &["decision", "list", "--search", "safeguarding"],
    ));
    assert_eq!(found.lines().count(), 1, "{found}");
    assert!(found.starts_with(&format!("{id}\t")), "{found}");

    // Refused as the API refuses, naming the field; nothing recorded.
    for (args, says) in [
        (&["--date", "14/03/2007", "--text", "x"][..], "date"),
        (&["--date", "2007-03-14", "--text", " "][..], "text"),
        (
            &["--date", "2007-03-14", "--text", "x", "--package", "99.9"][..],
            "no work package 99.9",
        ),
        (
            &[
                "--date",
                "2007-03-14",
                "--text",
                "x",
                "--programme",
                "Nothing",
            ][..],
            "no programme named",
        ),
    ] {
        let mut all = vec!["decision", "add", "--meeting", "Board"];
        all.extend_from_slice(args);
        let out = waymark(&dir, &all);
        assert!(!out.status.success(), "{args:?}");
        assert!(text(&out).contains(says), "{args:?}: {}", text(&out));
    }
    assert_eq!(
        stdout(&waymark(&dir, &["decision", "list"]))
            .lines()
            .count(),
        2
    );
    // Each is in the audit trail as the command line's.
    let audit = text(&waymark(&dir, &["audit", "list", "--entity", "decision"]));
    assert_eq!(audit.matches("\tcreate decision:").count(), 2, "{audit}");
}

#[test]
fn baselines_are_taken_listed_and_compared() {
    let dir = temp_dir("baselines");
    let plan = dir.join("plan.csv");
    std::fs::write(
        &plan,
        "Section,Work package,Estimated delivery,Owner\n\
         10.1 Core,1. Finance system,Q4 2026,Jo\n\
         10.1 Core,2. Email,Q1 2027,Sam\n",
    )
    .unwrap();
    let out = waymark(&dir, &["import", plan.to_str().unwrap(), "--title", "Plan"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = waymark(&dir, &["baseline", "take", "--name", "Agreed"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("Took baseline 1 of plan 1."),
        "{}",
        text(&out)
    );
    let out = waymark(&dir, &["baseline", "take", "--name", " "]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("Enter a name for the baseline"),
        "{}",
        text(&out)
    );
    let list = stdout(&waymark(&dir, &["baseline", "list"]));
    assert!(list.starts_with("1\tAgreed\t"), "{list}");
    assert!(list.contains("\tcommand line\t2 work packages"), "{list}");

    // The plan moves on: the finance system three quarters later, a new package.
    let next = dir.join("next.csv");
    std::fs::write(
        &next,
        "Section,Work package,Estimated delivery,Owner\n\
         10.1 Core,1. Finance system,Q3 2027,Jo\n\
         10.1 Core,2. Email,Q1 2027,Sam\n\
         10.1 Core,3. Intranet,Q3 2027,Sam\n",
    )
    .unwrap();
    let out = waymark(&dir, &["import", next.to_str().unwrap(), "--update"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = waymark(&dir, &["baseline", "compare", "--baseline", "1"]);
    let report = text(&out);
    assert!(out.status.success(), "{report}");
    for expected in [
        "Plan 1 against baseline 1 \"Agreed\"",
        "1 added, 0 removed, 1 changed, 1 unchanged; 1 later, 0 brought forward",
        "added 10.1.3: Intranet",
        "  delivery: Q4 2026 -> Q3 2027",
        "slip 10.1.1: Q4 2026 -> Q3 2027 (3 quarters later)",
    ] {
        assert!(
            report.contains(expected),
            "missing {expected:?} in:\n{report}"
        );
    }
    let out = waymark(&dir, &["baseline", "compare", "--baseline", "9"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("no baseline 9"), "{}", text(&out));
}

#[test]
fn packages_and_plans_are_approved_rejected_and_superseded() {
    let dir = temp_dir("lifecycle");
    let plan = dir.join("plan.csv");
    std::fs::write(
        &plan,
        "Section,Work package,Estimated delivery,Status\n\
         10.1 Core,1. Finance system,Q4 2026,\n\
         10.1 Core,2. Email,Q1 2027,\n\
         10.1 Core,3. Intranet,Q1 2027,Not started\n",
    )
    .unwrap();
    let out = waymark(&dir, &["import", plan.to_str().unwrap(), "--title", "Plan"]);
    assert!(out.status.success(), "{}", text(&out));
    // Rejecting needs a reason; a package of no such reference is named.
    let out = waymark(&dir, &["package", "reject", "10.1.2", "--comment", " "]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("Say why the package is rejected"),
        "{}",
        text(&out)
    );
    let out = waymark(&dir, &["package", "approve", "10.9.9"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("no work package 10.9.9"),
        "{}",
        text(&out)
    );
    let out = waymark(
        &dir,
        &[
            "package",
            "reject",
            "10.1.2",
            "--comment",
            "Duplicates 10.1.3",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("Rejected work package 10.1.2 of plan 1."));
    // Not started is agreed work: already approved, so not approved again.
    let out = waymark(&dir, &["package", "approve", "10.1.3"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("Only a proposed package"),
        "{}",
        text(&out)
    );
    // The plan: its one proposed package approved, a baseline taken.
    let out = waymark(&dir, &["plan", "approve", "--comment", "Agreed in March"]);
    assert!(out.status.success(), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains(
            "Approved plan 1: 1 proposed work packages approved; baseline 1 \"Plan approved "
        ),
        "{said}"
    );
    let out = waymark(&dir, &["plan", "approve"]);
    assert!(!out.status.success());
    let out = waymark(&dir, &["plan", "supersede"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("Plan 1 is superseded."));
    let audit = text(&waymark(
        &dir,
        &["audit", "list", "--entity", "work_package"],
    ));
    assert!(audit.contains("reject"), "{audit}");
}

#[test]
fn raid_items_are_recorded_and_listed_from_the_command_line() {
    let dir = temp_dir("raid");
    assert!(
        waymark(&dir, &["import", SEED, "--title", "CYPS plan"])
            .status
            .success()
    );
    let out = waymark(
        &dir,
        &[
            "raid",
            "add",
            "--kind",
            "risk",
            "--title",
            "Trainers not ready",
            "--likelihood",
            "4",
            "--impact",
            "5",
            "--owner",
            "Head of ICT",
            "--next-review",
            "2007-06-30",
            "--package",
            "10.1.1",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let id = stdout(&out).trim().to_string();
    assert!(id.parse::<u64>().is_ok(), "not an id: {id:?}");
    let dep = waymark(
        &dir,
        &[
            "raid",
            "add",
            "--kind",
            "dependency",
            "--title",
            "The ISA index",
            "--provider",
            "DfES",
            "--needed-by",
            "2007-09-30",
        ],
    );
    assert!(dep.status.success(), "{}", text(&dep));

    // Risks first, with their score.
    let list = stdout(&waymark(&dir, &["raid", "list"]));
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert_eq!(
        lines[0],
        format!("{id}\trisk\topen\t20\tHead of ICT\tTrainers not ready\t10.1.1")
    );
    assert!(
        lines[1].contains("\tdependency\topen\t\t\tThe ISA index"),
        "{list}"
    );
    let risks = stdout(&waymark(&dir, &["raid", "list", "--kind", "risk"]));
    assert_eq!(risks.lines().count(), 1, "{risks}");

    // Refused as the API refuses, naming each field; nothing recorded.
    for (args, says) in [
        (
            &["--kind", "risk", "--likelihood", "6", "--impact", "2"][..],
            "likelihood",
        ),
        (&["--kind", "risk", "--likelihood", "2"][..], "impact"),
        (
            &["--kind", "issue", "--likelihood", "2"][..],
            "likelihood: Only risks",
        ),
        (&["--kind", "opportunity"][..], "kind"),
        (
            &["--kind", "issue", "--package", "99.9"][..],
            "no work package 99.9",
        ),
    ] {
        let mut all = vec!["raid", "add", "--title", "x"];
        all.extend_from_slice(args);
        let out = waymark(&dir, &all);
        assert!(!out.status.success(), "{args:?}");
        assert!(text(&out).contains(says), "{args:?}: {}", text(&out));
    }
    assert_eq!(stdout(&waymark(&dir, &["raid", "list"])).lines().count(), 2);
    let bad = waymark(&dir, &["raid", "list", "--status", "done"]);
    assert!(!bad.status.success());
    let audit = text(&waymark(&dir, &["audit", "list", "--entity", "raid_item"]));
    assert_eq!(audit.matches("\tcreate raid_item:").count(), 2, "{audit}");
}

#[test]
fn priorities_are_defined_scored_and_ranked_from_the_command_line() {
    let dir = temp_dir("priorities");
    assert!(
        waymark(&dir, &["import", SEED, "--title", "CYPS plan"])
            .status
            .success()
    );
    for (name, weight) in [("Statutory duty", "30"), ("Cost", "10")] {
        let out = waymark(
            &dir,
            &[
                "priority",
                "add-criterion",
                "--name",
                name,
                "--weight",
                weight,
            ],
        );
        assert!(out.status.success(), "{}", text(&out));
    }
    let bad = waymark(
        &dir,
        &[
            "priority",
            "add-criterion",
            "--name",
            "Risk",
            "--weight",
            "0",
        ],
    );
    assert!(!bad.status.success());
    assert!(text(&bad).contains("weight"), "{}", text(&bad));
    let list = stdout(&waymark(&dir, &["priority", "criteria"]));
    assert_eq!(list.lines().count(), 2, "{list}");
    assert!(
        list.lines()
            .next()
            .unwrap()
            .ends_with("\t1\t30\tStatutory duty"),
        "{list}"
    );

    for (item, criterion, score) in [
        (["--package", "10.1.1"], "Statutory duty", "4"),
        (["--package", "10.1.1"], "Cost", "2"),
        (["--programme", "ISA"], "Statutory duty", "5"),
        (["--programme", "ISA"], "Cost", "5"),
        (["--package", "10.1.2"], "Cost", "3"),
    ] {
        let mut args = vec!["priority", "score"];
        args.extend_from_slice(&item);
        args.extend_from_slice(&["--criterion", criterion, "--score", score]);
        let out = waymark(&dir, &args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
    }
    let six = waymark(
        &dir,
        &[
            "priority",
            "score",
            "--package",
            "10.1.1",
            "--criterion",
            "Cost",
            "--score",
            "6",
        ],
    );
    assert!(!six.status.success());
    assert!(text(&six).contains("score"), "{}", text(&six));

    let rank = stdout(&waymark(&dir, &["priority", "rank", "--top", "1"]));
    assert!(rank.contains("1  5.00  Programme: ISA"), "{rank}");
    assert!(rank.contains("2  3.50  10.1.1 "), "{rank}");
    assert!(rank.contains("missing Statutory duty"), "{rank}");
    assert!(rank.contains("top two swap"), "{rank}");

    // Cleared: ISA drops out of the ranking, listed apart.
    let out = waymark(
        &dir,
        &[
            "priority",
            "score",
            "--programme",
            "ISA",
            "--criterion",
            "Cost",
            "--clear",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let rank = stdout(&waymark(&dir, &["priority", "rank"]));
    assert!(rank.contains("Programme: ISA — missing Cost"), "{rank}");
}

#[test]
fn progress_notes_are_added_and_listed_from_the_command_line() {
    let dir = temp_dir("notes");
    assert!(
        waymark(&dir, &["import", SEED, "--title", "CYPS plan"])
            .status
            .success()
    );
    let out = waymark(
        &dir,
        &[
            "note",
            "add",
            "10.1.1",
            "--rag",
            "amber",
            "--text",
            "Supplier chosen",
            "--date",
            "2007-03-14",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let id = stdout(&out).trim().to_string();
    assert!(id.parse::<u64>().is_ok(), "not an id: {id:?}");
    let out = waymark(
        &dir,
        &[
            "note",
            "add",
            "10.1.1",
            "--text",
            "Contract signed",
            "--date",
            "2007-04-02",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = waymark(&dir, &["note", "list", "10.1.1"]);
    assert!(out.status.success(), "{}", text(&out));
    let listed = stdout(&out);
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 2, "{listed}");
    assert!(
        lines[0].contains("2007-04-02\tnone\t10.1.1\tcommand line\tContract signed"),
        "{listed}"
    );
    assert!(lines[1].contains("2007-03-14\tamber\t10.1.1"), "{listed}");
    // A wrong field is said, naming it; an unknown package too.
    let out = waymark(
        &dir,
        &["note", "add", "10.1.1", "--rag", "purple", "--text", "x"],
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("rag"), "{}", text(&out));
    let out = waymark(&dir, &["note", "add", "99.9", "--text", "x"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("99.9"), "{}", text(&out));
}
