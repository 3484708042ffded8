//! Nothing is silently dropped, as a property: random tables (known and
//! unknown headers, synonyms, a field's column twice, a `Section` column
//! beside a `Section title` one, extra and missing cells, cells with line
//! breaks, delimiters and quotes) are written in every format the core reads
//! (CSV, plan-text, Markdown, JSON and `.xlsx`), and after each import every word of every
//! non-empty cell is in the plan (in a field or in the notes), or the import
//! is refused with an error that names the place.
//!
//! Words, not whole cells: a reader may tidy a cell as it places it (`1. Do
//! X.` is number 1, title `Do X`; `40%` is progress 40; a multi-line cell in
//! plan-text is one line), but it must not lose any of it.

use std::collections::HashSet;
use std::fmt::Write;

use proptest::prelude::*;
use proptest::test_runner::Config;
use waymark_core::Plan;
use waymark_core::import::{self, Format, ImportError, ImportOptions};

/// Headers the readers know, with synonyms (several name one field, so a
/// table can have a field's column twice).
const KNOWN: &[&str] = &[
    "Section",
    "Section title",
    "Section name",
    "No.",
    "Scope",
    "Description",
    "Relationships",
    "Links to",
    "Estimated delivery",
    "Target date",
    "Comments",
    "Notes",
    "Remarks",
    "Key influences",
    "Cross-reference",
    "Related items",
    "Owner",
    "Lead",
    "Status",
    "RAG",
    "Progress",
    "% complete",
    "Actual delivery",
    "Depends on",
    "Predecessors",
    "Programmes",
    "Ref",
    "Due",
    "Timescale",
    "Responsible",
    "Objective",
    "Dependencies",
    "RAG status",
    "SECTION",
    "owner",
    "Progress note",
    "Latest update",
    "Commentary",
    "Delivery as written",
];

/// The column that names the package: every table has one.
const NAMING: &[&str] = &[
    "Work package",
    "Action",
    "Title",
    "Task",
    "Name",
    "WORK PACKAGE",
];

const UNKNOWN: &[&str] = &[
    "Budget",
    "Cost centre",
    "Risk",
    "Theme",
    "Ward",
    "Budget",
    "",
];

/// Values the typed fields take, so a cell is sometimes read into its field
/// (and sometimes lands under a column it does not fit).
const VALUES: &[&str] = &[
    "In progress",
    "Delivered",
    "Amber",
    "40%",
    "100",
    "Q2 2025",
    "a) Q4 2024 b) Q1 2025",
    "2025-02-28",
    "2.1 3.1.1",
    "10.1.1",
    "Care records",
    "1. Replace the system.",
    "Work package",
    "Owner",
];

/// What a cell's text is made of besides its own word: the delimiters of
/// every format, quotes, line breaks, spreadsheet formula characters.
const DECORATIONS: &[&str] = &[
    ",", ";", "\t", "|", "\"", "\"\"", "'", "\n", "\n\n", " and ", "=", "-", "@", "e.g.", "é",
    "<br>", "#", "---", "\\", "  ", "\r\n",
];

#[derive(Debug, Clone)]
struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// A word no reader makes up: `w3x1` is row 3, cell 1.
fn tag(row: usize, cell: usize) -> String {
    format!("w{row}x{cell}")
}

/// What a cell holds, before it knows its column (so rows and cells shrink
/// on their own when a case fails).
#[derive(Debug, Clone)]
enum Seed {
    Empty,
    /// One of [`VALUES`].
    Value(usize),
    /// Its tag with decorations before and after.
    Text(Vec<&'static str>, Vec<&'static str>),
}

fn seed() -> impl Strategy<Value = Seed> {
    let decorations = || proptest::collection::vec(proptest::sample::select(DECORATIONS), 0..3);
    prop_oneof![
        2 => Just(Seed::Empty),
        1 => (0..VALUES.len()).prop_map(Seed::Value),
        4 => (decorations(), decorations()).prop_map(|(before, after)| Seed::Text(before, after)),
    ]
}

/// The text of a cell at `row`, `cell` under `header` (`None`: beyond it).
fn text(seed: &Seed, row: usize, cell: usize, header: Option<&str>) -> String {
    let tag = tag(row, cell);
    let pick = |pool: &[&str], i: usize| pool[i % pool.len()].to_string();
    let header = header.map(|h| match h {
        "SECTION" => "Section",
        "Ref" => "No.",
        other => other,
    });
    match (header, seed) {
        (_, Seed::Empty) => String::new(),
        // Section cells are one line: a multi-line section title is refused
        // (sections are named on one line), which would hide the rest.
        (Some("Section"), Seed::Value(i)) => pick(&["10.1", "10.2 Core systems", "Finance"], *i),
        (Some("Section title" | "Section name"), Seed::Value(i)) => {
            pick(&["Core systems", "Finance"], *i)
        }
        (Some("Section" | "Section title" | "Section name"), Seed::Text(before, _)) => {
            if before.is_empty() {
                tag
            } else {
                format!("{tag} and people")
            }
        }
        // Package numbers are letters and digits.
        (Some("No."), Seed::Value(i)) => (i + 1).to_string(),
        (Some("No."), Seed::Text(..)) => tag,
        (_, Seed::Value(i)) => VALUES[*i].to_string(),
        (_, Seed::Text(before, after)) => format!("{}{tag}{}", before.concat(), after.concat()),
    }
}

fn headers() -> impl Strategy<Value = Vec<String>> {
    (
        proptest::sample::select(NAMING),
        proptest::collection::vec(proptest::sample::select(KNOWN), 1..6),
        proptest::collection::vec(proptest::sample::select(UNKNOWN), 0..3),
        any::<proptest::sample::Index>(),
    )
        .prop_map(|(naming, known, unknown, at)| {
            // A header row is one whose columns are mostly known.
            let unknown = unknown.into_iter().take(known.len());
            let mut headers: Vec<String> = known
                .into_iter()
                .chain(unknown)
                .map(str::to_string)
                .collect();
            headers.insert(at.index(headers.len() + 1), naming.to_string());
            headers
        })
}

/// Headers that always hold a `Section` column and a section-title column
/// (as a plan saved from Excel does), among others, in any order.
fn section_headers() -> impl Strategy<Value = Vec<String>> {
    (
        headers(),
        proptest::sample::select(&["Section title", "Section name"][..]),
        any::<proptest::sample::Index>(),
        any::<proptest::sample::Index>(),
    )
        .prop_map(|(mut headers, title, a, b)| {
            headers.retain(|h| !h.to_lowercase().starts_with("section"));
            headers.insert(a.index(headers.len() + 1), "Section".to_string());
            headers.insert(b.index(headers.len() + 1), title.to_string());
            headers
        })
}

/// Up to four rows of up to ten cells: fewer or more than the header has.
fn table() -> impl Strategy<Value = Table> {
    table_with(headers())
}

fn table_with(headers: impl Strategy<Value = Vec<String>>) -> impl Strategy<Value = Table> {
    (
        headers,
        proptest::collection::vec(proptest::collection::vec(seed(), 1..10), 1..5),
    )
        .prop_map(|(headers, seeds)| {
            let rows = seeds
                .iter()
                .enumerate()
                .map(|(r, row)| {
                    row.iter()
                        .enumerate()
                        .map(|(c, s)| text(s, r + 1, c + 1, headers.get(c).map(String::as_str)))
                        .collect()
                })
                .collect();
            Table { headers, rows }
        })
}

/// The table as CSV with `delimiter`, quoted where needed (as a spreadsheet
/// writes it), lines ended with CR LF when `crlf` (as Excel does).
fn csv(table: &Table, delimiter: u8, crlf: bool) -> String {
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .terminator(if crlf {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        })
        .from_writer(Vec::new());
    let mut records = vec![&table.headers];
    records.extend(&table.rows);
    for record in records {
        if let Err(e) = w.write_record(record) {
            panic!("csv: {e}");
        }
    }
    let bytes = w.into_inner().unwrap_or_else(|e| panic!("csv: {e}"));
    String::from_utf8(bytes).unwrap_or_else(|e| panic!("csv: {e}"))
}

/// A pipe row: the text `<br>` escaped as `\<br>` and `|` as `\|`; a line
/// break as `<br>` in Markdown, and as it is in plan-text (whose rows break
/// across lines).
fn pipe_row(out: &mut String, cells: &[String], markdown: bool) {
    out.push('|');
    for c in cells {
        let mut c = c.replace("<br>", "\\<br>").replace('|', "\\|");
        if markdown {
            c = c.replace('\n', "<br>");
        }
        let _ = write!(out, " {c} |");
    }
    out.push('\n');
}

fn plan_text(table: &Table) -> String {
    let mut out = String::from("Action plan\n\n10.1 Core business systems\n");
    pipe_row(&mut out, &table.headers, false);
    for row in &table.rows {
        pipe_row(&mut out, row, false);
    }
    out
}

/// Plan-text as Word pastes a table: tabs between cells, a line break in a
/// cell as it is (the reader joins the next line to the cell). A tab in a
/// cell cannot be written: it is a space here.
fn tab_text(table: &Table) -> String {
    let mut out = String::from("Action plan\n\n10.1 Core business systems\n");
    let mut line = |cells: &[String]| {
        let cells: Vec<String> = cells.iter().map(|c| c.replace('\t', " ")).collect();
        out.push_str(&cells.join("\t"));
        out.push('\n');
    };
    line(&table.headers);
    for row in &table.rows {
        line(row);
    }
    out
}

fn markdown(table: &Table) -> String {
    let mut out = String::from("# Action plan\n\n## 10.1 Core business systems\n\n");
    pipe_row(&mut out, &table.headers, true);
    out.push('|');
    for _ in &table.headers {
        out.push_str(" --- |");
    }
    out.push('\n');
    for row in &table.rows {
        pipe_row(&mut out, row, true);
    }
    out
}

/// The table as the JSON document: a package per row, a column under its
/// field's key when it is a text field, else under a key no field reads.
fn json(table: &Table) -> String {
    let key = |h: &str| -> String {
        match h {
            "Work package" | "Action" | "Title" | "Task" => "title".into(),
            "Scope" | "Description" => "scope".into(),
            "Comments" | "Notes" | "Remarks" => "comments".into(),
            "Owner" | "Lead" => "owner".into(),
            "Relationships" | "Links to" => "relationships".into(),
            "Progress note" | "Latest update" | "Commentary" => "progress_note".into(),
            "Delivery as written" => "delivery_as_written".into(),
            other => format!(
                "x_{}",
                other
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
            ),
        }
    };
    let packages: Vec<String> = table
        .rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            let mut fields = vec![format!("\"number\": \"{}\"", r + 1)];
            if !row
                .iter()
                .zip(&table.headers)
                .any(|(_, h)| key(h) == "title")
            {
                fields.push("\"title\": \"\"".into());
            }
            for (i, text) in row.iter().enumerate() {
                let k = match table.headers.get(i) {
                    Some(h) => key(h),
                    None => format!("x_extra{i}"),
                };
                let v = serde_json::to_string(text).unwrap_or_else(|e| panic!("{e}"));
                fields.push(format!("\"{k}\": {v}"));
            }
            format!("{{ {} }}", fields.join(", "))
        })
        .collect();
    format!(
        "{{\n  \"title\": \"Action plan\",\n  \"sections\": [\n    {{ \"number\": \"10.1\", \"work_packages\": [\n      {}\n    ] }}\n  ]\n}}\n",
        packages.join(",\n      ")
    )
}

/// The table as a workbook of one sheet, every cell a text cell (a line
/// break in a cell as Excel keeps it).
fn xlsx(table: &Table) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let mut records = vec![&table.headers];
    records.extend(&table.rows);
    for (r, record) in records.iter().enumerate() {
        for (c, text) in record.iter().enumerate() {
            if !text.is_empty() {
                sheet
                    .write_string(r as u32, c as u16, text)
                    .unwrap_or_else(|e| panic!("xlsx: {e}"));
            }
        }
    }
    book.save_to_buffer()
        .unwrap_or_else(|e| panic!("xlsx: {e}"))
}

/// Lower-case words: runs of letters and digits.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// Every word of every text and number in the plan.
fn plan_words(plan: &Plan) -> HashSet<String> {
    fn walk(v: &serde_json::Value, out: &mut HashSet<String>) {
        match v {
            serde_json::Value::String(s) => out.extend(words(s)),
            serde_json::Value::Number(n) => out.extend(words(&n.to_string())),
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            serde_json::Value::Object(o) => o.values().for_each(|v| walk(v, out)),
            serde_json::Value::Bool(_) | serde_json::Value::Null => {}
        }
    }
    let mut out = HashSet::new();
    walk(
        &serde_json::to_value(plan).unwrap_or_else(|e| panic!("{e}")),
        &mut out,
    );
    out
}

/// Import `input`: every word of every non-empty cell of `table` is in the
/// plan, or the import is refused with an error naming where.
fn nothing_lost(
    table: &Table,
    format: Format,
    what: &str,
    input: &str,
) -> Result<(), TestCaseError> {
    nothing_lost_bytes(table, format, what, input.as_bytes(), input)
}

/// [`nothing_lost`] for bytes (`shown` is what a failure prints of them).
fn nothing_lost_bytes(
    table: &Table,
    format: Format,
    what: &str,
    bytes: &[u8],
    shown: &str,
) -> Result<(), TestCaseError> {
    let input = shown;
    let options = ImportOptions {
        default_title: Some("Fixture plan".into()),
        allow_empty: true,
        ..Default::default()
    };
    let plan = match import::import(bytes, format, &options) {
        Ok(imported) => imported.plan,
        Err(ImportError::Syntax { line, .. }) if line > 0 => return Ok(()),
        // A workbook's refusal names its sheet.
        Err(ImportError::Workbook(m)) if m.contains("Sheet1") => return Ok(()),
        Err(ImportError::OverLimits(places)) if !places.is_empty() => return Ok(()),
        Err(e) => {
            return Err(TestCaseError::fail(format!(
                "{what}: refused without naming a place: {e}\n--- input\n{input}"
            )));
        }
    };
    let found = plan_words(&plan);
    for (r, row) in table.rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if let Some(lost) = words(text).find(|w| !found.contains(w)) {
                let header = table
                    .headers
                    .get(c)
                    .map_or("(beyond the header)", String::as_str);
                return Err(TestCaseError::fail(format!(
                    "{what}: \"{lost}\" of row {}, cell {} ({header}) {text:?} is not in the plan\n--- input\n{input}\n--- notes\n{}",
                    r + 1,
                    c + 1,
                    plan.notes
                )));
            }
        }
    }
    Ok(())
}

proptest! {
    // Small tables, few cases: `cargo test` runs this in CI on two cores
    // (`PROPTEST_CASES=5000` to search harder). A failure shrinks to the
    // fewest rows, cells and decorations that lose a word, and is printed
    // with the input as the reader saw it.
    #![proptest_config(Config {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(64),
        failure_persistence: None,
        ..Config::default()
    })]

    #[test]
    fn csv_keeps_every_cell(table in table(), crlf in any::<bool>()) {
        for (delimiter, name) in [(b',', "CSV (,)"), (b';', "CSV (;)"), (b'\t', "CSV (tab)")] {
            nothing_lost(&table, Format::Csv, name, &csv(&table, delimiter, crlf))?;
        }
    }

    #[test]
    fn pipe_tables_keep_every_cell(table in table()) {
        nothing_lost(&table, Format::PlanText, "plan-text", &plan_text(&table))?;
        nothing_lost(&table, Format::Markdown, "Markdown", &markdown(&table))?;
        nothing_lost(&table, Format::PlanText, "plan-text (tabs)", &tab_text(&table))?;
    }

    #[test]
    fn xlsx_keeps_every_cell(table in table()) {
        let shown = csv(&table, b',', false);
        nothing_lost_bytes(&table, Format::Xlsx, "xlsx", &xlsx(&table), &shown)?;
    }

    /// A plan saved from Excel with `Section` and `Section title` columns
    /// (which once imported with no warning and no section titles), in every
    /// format that has columns.
    #[test]
    fn section_columns_keep_every_cell(table in table_with(section_headers()), crlf in any::<bool>()) {
        for (delimiter, name) in [(b',', "CSV (,)"), (b';', "CSV (;)"), (b'\t', "CSV (tab)")] {
            nothing_lost(&table, Format::Csv, name, &csv(&table, delimiter, crlf))?;
        }
        let shown = csv(&table, b',', false);
        nothing_lost_bytes(&table, Format::Xlsx, "xlsx", &xlsx(&table), &shown)?;
        nothing_lost(&table, Format::PlanText, "plan-text", &plan_text(&table))?;
        nothing_lost(&table, Format::Markdown, "Markdown", &markdown(&table))?;
    }

    #[test]
    fn json_keeps_every_value(table in table()) {
        nothing_lost(&table, Format::Json, "JSON", &json(&table))?;
    }
}
