//! Large and hostile inputs that are made here rather than committed: a 10 MB
//! single line in each format. Each must give a clear error or a plan with a
//! report, in time and memory linear in the input: each test takes well under a
//! second in a debug build, where a quadratic reader would take hours.

use waymark_core::import::{self, Format, ImportError, ImportOptions, Imported};

const TEN_MB: usize = 10 * 1024 * 1024;

/// Read, accepting a plan without work packages (several of these make none).
fn read(text: &str, format: Format) -> Result<Imported, ImportError> {
    let options = ImportOptions {
        allow_empty: true,
        ..ImportOptions::default()
    };
    import::import(text.as_bytes(), format, &options)
}

/// A value over its declared limit (`waymark_core::limits`): the import is
/// refused, naming the place and the limit.
fn over_limit(result: Result<Imported, ImportError>) -> String {
    match result {
        Err(e @ ImportError::OverLimits(_)) => e.to_string(),
        Err(other) => panic!("expected a limit error, got {other}"),
        Ok(_) => panic!("expected a limit error, got a plan"),
    }
}

fn messages(imported: &Imported) -> Vec<String> {
    imported
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn error(text: &str, format: Format) -> Result<(), String> {
    read(text, format).map(|_| ()).map_err(|e| e.to_string())
}

const HEADER: &str = "10.1 Systems\n| Work package | Scope | Estimated delivery |\n";

#[test]
fn ten_mb_of_text_on_one_line_is_no_plan() {
    let line = "a".repeat(TEN_MB);
    assert_eq!(read(&line, Format::PlanText), Err(ImportError::NoTable));
    // In Markdown, text before any table is the plan's introduction, which
    // has a limit.
    assert_eq!(
        over_limit(read(&line, Format::Markdown)),
        "a value is over its limit: the plan: The introduction must be 20,000 characters or fewer"
    );
    // Unless asked for, a plan without work packages is an error.
    let strict = import::import(line.as_bytes(), Format::Markdown, &ImportOptions::default());
    assert!(
        matches!(strict, Err(ImportError::NoWorkPackages { .. })),
        "{strict:?}"
    );
}

#[test]
fn ten_mb_row_of_cells_is_read_with_one_warning() {
    let mut text = String::from(HEADER);
    text.push_str("| 1. Long row | Scope | Q1 2007 ");
    while text.len() < TEN_MB {
        text.push_str("| x ");
    }
    text.push('|');
    let extra =
        (text.len() - HEADER.len() - "| 1. Long row | Scope | Q1 2007 |".len()) / "| x ".len();
    // The same in Markdown: a `## ` heading and a separator row, so the long
    // row is on line 4.
    let markdown = format!("## {text}").replacen("|\n", "|\n| --- | --- | --- |\n", 1);
    for (format, text, line) in [
        (Format::PlanText, &text, 3),
        (Format::Markdown, &markdown, 4),
    ] {
        let imported = read(text, format).unwrap_or_else(|e| panic!("{format:?}: {e}"));
        assert_eq!(imported.plan.work_package_count(), 1);
        // A row is split into at most 1000 cells (3 under the header, 997
        // beyond it); the rest of the line stays whole in the last one.
        assert_eq!(
            messages(&imported),
            [format!(
                "line {line}, column 34: warning: 997 cells beyond the header's last column; kept in the plan's notes"
            )],
            "{format:?}"
        );
        let prefix = format!("Line {line}: extra cells: ");
        let notes = imported
            .plan
            .notes
            .strip_prefix(&prefix)
            .unwrap_or_else(|| {
                panic!(
                    "{format:?}: the notes do not start with {prefix:?}: {:?}",
                    imported.plan.notes.chars().take(200).collect::<String>()
                )
            });
        assert!(notes.starts_with("x | x | x"));
        assert_eq!(
            notes.matches('x').count(),
            extra,
            "every cell is in the notes"
        );
    }
}

#[test]
fn ten_mb_cell_is_read_whole_and_refused_by_its_limit() {
    let scope = "word ".repeat(TEN_MB / 5);
    let text = format!("{HEADER}| 1. Big | {scope}| Q1 2007 |\n");
    assert_eq!(
        over_limit(read(&text, Format::PlanText)),
        "a value is over its limit: work package 10.1.1: The scope must be 20,000 characters or fewer"
    );
    // At the limit, the cell is kept whole.
    let scope = "word ".repeat(4_000);
    let text = format!("{HEADER}| 1. Big | {scope}| Q1 2007 |\n");
    let imported = read(&text, Format::PlanText).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(messages(&imported), Vec::<String>::new());
    let wp = &imported.plan.sections[0].work_packages[0];
    assert_eq!(wp.scope, scope.trim());
    assert_eq!(wp.delivery.len(), 1);
}

#[test]
fn ten_mb_line_of_bars() {
    let bars = "|".repeat(TEN_MB);
    // No header: text outside any table, so there is no plan.
    assert_eq!(read(&bars, Format::PlanText), Err(ImportError::NoTable));
    // Under a header: 999 empty cells, and the rest of the line (all bars but
    // the first and last, which open and close the row, and the 999 that
    // separate cells) in the last cell, beyond the header, so in the notes.
    let imported =
        read(&format!("{HEADER}{bars}\n"), Format::PlanText).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        messages(&imported),
        [
            "line 3, column 1: warning: row has nothing under the header's columns; no work package made",
            "line 3, column 1001: warning: a cell beyond the header's last column; kept in the plan's notes",
        ]
    );
    assert_eq!(imported.plan.work_package_count(), 0);
    assert_eq!(imported.plan.notes.matches('|').count(), TEN_MB - 2 - 999);
}

#[test]
fn ten_mb_csv_line() {
    // A line of five million cells is refused before it is read.
    let cells = "x,".repeat(TEN_MB / 2);
    let too_many = "this row has more than 1000 cells; no plan has that many columns";
    assert_eq!(
        error(&cells, Format::Csv),
        Err(format!("line 1, column 2000: {too_many}"))
    );
    let text = format!("Work package,Scope\n{cells}");
    assert_eq!(
        error(&text, Format::Csv),
        Err(format!("line 2, column 2000: {too_many}"))
    );
    // A 10 MB cell is read, and refused by the scope's limit.
    let text = format!("Work package,Scope\n1. Big,\"{}\"\n", "y".repeat(TEN_MB));
    assert!(
        over_limit(read(&text, Format::Csv))
            .ends_with(": The scope must be 20,000 characters or fewer")
    );
}

#[test]
fn ten_mb_json_line() {
    let text = format!("{{\"title\": \"{}\"}}", "t".repeat(TEN_MB));
    assert_eq!(
        over_limit(read(&text, Format::Json)),
        "a value is over its limit: the plan: The plan title must be 300 characters or fewer"
    );
    // Cut off: an error with the place, not a panic.
    let cut = &text[..TEN_MB / 2];
    assert!(matches!(
        read(cut, Format::Json),
        Err(ImportError::Syntax { line: 1, .. })
    ));
}

#[test]
fn ten_mb_of_short_continuation_lines() {
    // A row left open, then two million lines that each continue its last cell.
    let mut text = format!("{HEADER}| 1. Open | Scope starts");
    while text.len() < TEN_MB {
        text.push_str("\nmore");
    }
    text.push_str(" | Q1 2007 |\n");
    // Joined into one 10 MB scope (in linear time), which its limit refuses.
    assert!(
        over_limit(read(&text, Format::PlanText))
            .ends_with("work package 10.1.1: The scope must be 20,000 characters or fewer")
    );
    // Within the limit, the continuation lines join into one cell.
    let mut text = format!("{HEADER}| 1. Open | Scope starts");
    for _ in 0..3_000 {
        text.push_str("\nmore");
    }
    text.push_str(" | Q1 2007 |\n");
    let imported = read(&text, Format::PlanText).unwrap_or_else(|e| panic!("{e}"));
    let wp = &imported.plan.sections[0].work_packages[0];
    assert!(wp.scope.starts_with("Scope starts more more"));
    assert_eq!(wp.delivery.len(), 1);
    assert_eq!(messages(&imported), Vec::<String>::new());
}

/// The same under a tab-separated header: at most 1000 cells, the rest whole.
#[test]
fn ten_mb_row_of_tab_separated_cells() {
    let mut text = String::from("10.1 Systems\nWork package\tScope\tEstimated delivery\n");
    let header_len = text.len();
    text.push_str("1. Long row\tScope\tQ1 2007");
    while text.len() < TEN_MB {
        text.push_str("\tx");
    }
    let imported = read(&text, Format::PlanText).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(imported.plan.work_package_count(), 1);
    assert_eq!(
        messages(&imported),
        [
            "line 3, column 27: warning: 997 cells beyond the header's last column; kept in the plan's notes"
        ]
    );
    let extra = (text.len() - header_len - "1. Long row\tScope\tQ1 2007".len()) / 2;
    // Every cell kept (and the x of "extra cells").
    assert_eq!(imported.plan.notes.matches('x').count(), extra + 1);
}
