//! Fixture-driven importer tests: every `fixtures/<name>.<ext>` input is read and
//! its plan (as the JSON export) and report are compared with
//! `fixtures/<name>.expected.json` and `fixtures/<name>.report.txt`.
//! Regenerate the expected files with `UPDATE_EXPECT=1 cargo test -p waymark-core`
//! and review the diff.

use std::path::{Path, PathBuf};

use waymark_core::export::to_json;
use waymark_core::import::{self, Format, ImportOptions};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn expect(path: &Path, actual: &str) {
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(path, actual).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "read {}: {e} (run with UPDATE_EXPECT=1 to create it)",
            path.display()
        )
    });
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "{} differs from the actual output at line {}:\nexpected: {:?}\n  actual: {:?}\n(run with UPDATE_EXPECT=1 to accept)",
            path.display(),
            first + 1,
            expected.lines().nth(first),
            actual.lines().nth(first)
        );
    }
}

/// Import `name` and compare plan and report with the expected files.
fn case(name: &str, format: Format) {
    let input = std::fs::read(fixtures().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let options = ImportOptions {
        default_title: Some("Fixture plan".into()),
    };
    let report = match import::import(&input, format, &options) {
        Ok(imported) => {
            expect(
                &fixtures().join(format!("{stem}.expected.json")),
                &to_json(&imported.plan),
            );
            let mut report = String::new();
            for d in &imported.diagnostics {
                report.push_str(&d.to_string());
                report.push('\n');
            }
            report
        }
        Err(e) => format!("error: {e}\n"),
    };
    expect(&fixtures().join(format!("{stem}.report.txt")), &report);
}

#[test]
fn seed_plan_text() {
    case("seed.txt", Format::PlanText);
}
