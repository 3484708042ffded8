//! The `waymark` binary end to end: import, its report, refusal of duplicates,
//! export and re-import, check.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../waymark-core/tests/fixtures/seed.txt"
);

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
        "seed.txt:line 5, column 1: warning: row has 5 cells but the header has 6",
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
    assert!(text(&out).contains("Dry run: nothing was stored."));
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
