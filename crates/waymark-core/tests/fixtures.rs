//! Fixture-driven importer tests: every `fixtures/<name>.<ext>` input is read and
//! its plan (as the JSON export) and report are compared with
//! `fixtures/<name>.expected.json` and `fixtures/<name>.report.txt`.
//! Regenerate the expected files with `UPDATE_EXPECT=1 cargo test -p waymark-core`
//! and review the diff.

mod common;

use common::{expect, fixtures};
use waymark_core::export::to_json;
use waymark_core::import::{self, Format, ImportOptions};

/// Import `name` and compare plan and report with the expected files.
fn case(name: &str, format: Format) {
    let input = std::fs::read(fixtures().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    case_bytes(name, stem, &input, format);
}

/// Import `input` and compare plan and report with `<stem>.expected.json` and
/// `<stem>.report.txt` in the fixtures folder.
fn case_bytes(name: &str, stem: &str, input: &[u8], format: Format) {
    let options = ImportOptions {
        default_title: Some("Fixture plan".into()),
        ..Default::default()
    };
    let report = match import::import(input, format, &options) {
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
        Err(e) => {
            // A file that cannot be read has a report and no plan.
            let plan = fixtures().join(format!("{stem}.expected.json"));
            if std::env::var_os("UPDATE_EXPECT").is_some() {
                let _ = std::fs::remove_file(&plan);
            }
            assert!(
                !plan.exists(),
                "{name} is an error now; remove {}",
                plan.display()
            );
            format!("error: {e}\n")
        }
    };
    expect(&fixtures().join(format!("{stem}.report.txt")), &report);
}

#[test]
fn seed_plan_text() {
    // The demo data is the customer's file; its expected reading lives here.
    case_bytes(
        waymark_demo::CYPS_PLAN_FILE,
        "seed",
        waymark_demo::CYPS_PLAN,
        Format::PlanText,
    );
}

#[test]
fn markdown_plan() {
    case("markdown.md", Format::Markdown);
}

#[test]
fn csv_plan() {
    case("plan.csv", Format::Csv);
}

/// Columns in another order and worded differently: "Action", "Target date",
/// "Definition", "Key influences", "Links to", "Notes".
#[test]
fn columns_in_another_order() {
    case("reordered.txt", Format::PlanText);
}

/// A council action plan's words: "Ref" holding whole references (`10.1.1`,
/// `10.2/1`, `CYP-10.2-2`) that give the sections, "Action", "Outcome",
/// "Lead officer", "Timescale", "RAG rating", "Commentary"; "Resources" fits
/// no field and goes to the notes.
#[test]
fn council_plan_synonyms() {
    case("council_synonyms.csv", Format::Csv);
}

/// References under a heading: `10.1.1` and `10.1/2` agree with the heading
/// `10.1`, `10.2.3` does not (a warning naming both), `4` is a number.
#[test]
fn markdown_references_under_a_heading() {
    case("markdown_references.md", Format::Markdown);
}

/// A PRINCE2-style register: "Work package ref", "Work package name",
/// "Product description", "Team manager", "Target date", "Date closed";
/// "Date raised" goes to the notes.
#[test]
fn prince2_register_synonyms() {
    case("prince2_register.csv", Format::Csv);
}

/// A tracker with columns that fit no field ("Start date", "Budget"), kept in
/// the notes with a warning each, and a reference that names another
/// section than the Section column's.
#[test]
fn tracker_with_unmatched_columns() {
    case("tracker_unmatched.csv", Format::Csv);
}

#[test]
fn unknown_column_and_extra_cells() {
    case("unknown_column.txt", Format::PlanText);
}

#[test]
fn text_and_cells_that_fit_no_field() {
    case("stray_text.txt", Format::PlanText);
}

#[test]
fn empty_file() {
    case("empty.txt", Format::PlanText);
}

#[test]
fn whitespace_only() {
    case("whitespace.txt", Format::PlanText);
}

#[test]
fn binary_with_nul() {
    case("binary_nul.txt", Format::PlanText);
}

#[test]
fn binary_invalid_utf8() {
    case("binary_utf8.txt", Format::PlanText);
}

#[test]
fn unclosed_rows() {
    case("unclosed_row.txt", Format::PlanText);
}

#[test]
fn unclosed_row_at_end_of_markdown() {
    case("unclosed_row_markdown.md", Format::Markdown);
}

#[test]
fn header_only_table() {
    case("header_only.txt", Format::PlanText);
}

#[test]
fn csv_with_unterminated_quote() {
    case("unterminated_quote.csv", Format::Csv);
}

/// `--format auto`: by the file's extension, and by its content without one.
#[test]
fn formats_are_detected() {
    let cases = [
        ("reordered.txt", Format::PlanText),
        ("stray_text.txt", Format::PlanText),
        ("markdown.md", Format::Markdown),
        ("unclosed_row_markdown.md", Format::Markdown),
        ("plan.csv", Format::Csv),
        ("semicolon.csv", Format::Csv),
        ("tabs.txt", Format::PlanText),
    ];
    for (name, format) in cases {
        let text = std::fs::read_to_string(fixtures().join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(Format::detect(Some(name), &text), format, "{name} by name");
        assert_eq!(Format::detect(None, &text), format, "{name} by content");
    }
    let seed = waymark_demo::CYPS_PLAN;
    let by_content = String::from_utf8_lossy(seed);
    assert_eq!(
        Format::detect(Some(waymark_demo::CYPS_PLAN_FILE), &by_content),
        Format::PlanText
    );
    assert_eq!(Format::detect(None, &by_content), Format::PlanText);
    let plan = import::import(seed, Format::PlanText, &ImportOptions::default())
        .map(|i| i.plan)
        .unwrap_or_else(|e| panic!("the demo plan does not import: {e}"));
    let json = to_json(&plan);
    assert_eq!(Format::detect(None, &json), Format::Json);
    // Prose with commas or semicolons on its first line is not CSV.
    let prose = "Priorities: records; payments; schools, then staff, then pay.\n10.1 Systems\nWork package\tScope\n1. Do X.\tX\n";
    assert_eq!(Format::detect(None, prose), Format::PlanText);
}

/// A JSON plan edited by hand: duplicates, unknown packages, a cycle, a
/// self-dependency. Each is reported and kept in the notes.
#[test]
fn json_with_problems() {
    case("json_problems.json", Format::Json);
}

/// Keys no field reads, anywhere in the document: each is kept in the notes
/// with its value and a warning naming where it was.
#[test]
fn json_with_unknown_keys() {
    case("json_unknown_keys.json", Format::Json);
}

/// A key no field reads, twice in one object: which value is meant cannot be
/// told, so the file is refused at the second one (each would otherwise be
/// noted with the last one's value, and the first lost).
#[test]
fn json_with_an_unknown_key_twice() {
    case("json_duplicate_unknown_key.json", Format::Json);
}

#[test]
fn json_with_a_package_twice() {
    case("json_duplicate_package.json", Format::Json);
}

#[test]
fn json_with_a_bad_quarter() {
    case("json_bad_quarter.json", Format::Json);
}

#[test]
fn json_cut_off() {
    case("json_truncated.json", Format::Json);
}

/// A table pasted from a word processor: tabs between cells, a cell broken
/// across two lines, a row without a title.
#[test]
fn tab_separated_table() {
    case("tabs.txt", Format::PlanText);
}

/// Tabs, but no header row Waymark recognises: an error that says so, not an
/// empty plan.
#[test]
fn tab_separated_lines_without_a_header() {
    case("tabs_unknown_header.txt", Format::PlanText);
}

/// Tab-separated lines and no section heading either: still named as tabs.
#[test]
fn tab_separated_lines_without_any_heading() {
    case("tabs_no_heading.txt", Format::PlanText);
}

/// A plan saved from Excel with both a `Section` and a `Section title`
/// column (and a second comments column, "Notes"): the titles name the
/// sections; a title that differs from its section's, the words after a
/// section cell's number that differ from the title column, and the second
/// comments column's cells are kept in the notes, each with a warning.
#[test]
fn csv_with_section_titles_from_excel() {
    case("excel_section_titles.csv", Format::Csv);
}

/// Section and section title columns in Markdown tables, where the heading
/// gives the section: cells that agree with it are that section, a title
/// names a section the heading left untitled, and cells that disagree are kept
/// in the notes; a second owner column ("Lead") too.
#[test]
fn markdown_with_section_columns() {
    case("markdown_section_columns.md", Format::Markdown);
}

/// Found by `no_silent_loss`: a row whose cells read like column names
/// (`In progress | Work package | Owner`) was taken for a new table's header,
/// and its cells were lost. In plan-text it is still a header (plan-text has
/// no separator row to tell), reported and kept in the notes; the table's own
/// header again starts a new table without a word, as before.
#[test]
fn plan_text_row_that_reads_as_a_header() {
    case("row_like_header.txt", Format::PlanText);
}

/// In Markdown a header is followed by `| --- |`: without it, such a row (or
/// one like a register's header, `Name | Kind`) is a row of the table. `\<br>`
/// is the text `<br>`, `<br>` a line break.
#[test]
fn markdown_row_that_reads_as_a_header() {
    case("row_like_header_markdown.md", Format::Markdown);
}

/// Register tables with a column the register does not read (`Contact`), a kind that is not one, a priority that is not yes or no:
/// each is kept in the notes with a warning (they were dropped, or only
/// warned about).
#[test]
fn markdown_registers_with_cells_they_do_not_read() {
    case("markdown_registers.md", Format::Markdown);
}

/// What Excel writes where the decimal separator is a comma.
#[test]
fn semicolon_separated_csv() {
    case("semicolon.csv", Format::Csv);
}

#[test]
fn windows_1252_text() {
    case("windows1252.txt", Format::PlanText);
}

#[test]
fn utf16_little_endian_with_a_byte_order_mark() {
    case("utf16le_bom.md", Format::Markdown);
}

#[test]
fn utf16_big_endian_without_a_byte_order_mark() {
    case("utf16be.md", Format::Markdown);
}

/// U+202E (right-to-left override) and an isolate are removed with a warning;
/// a right-to-left mark is kept.
#[test]
fn bidirectional_controls_are_removed() {
    case("bidi_controls.txt", Format::PlanText);
}

/// A second `# Title` heads the section below it when a table follows, and
/// is kept in the notes when another heading does; each is reported.
#[test]
fn a_second_markdown_title() {
    case("markdown_second_title.md", Format::Markdown);
}

/// A workbook as a council keeps its plan: a notes sheet first, then the
/// plan under a title row and a note; the theme (section) written once in a
/// merged cell beside its packages; a date cell; a formula with its saved
/// value; a multi-line cell; an unknown column; a row past the header's
/// columns.
fn council_workbook() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{ExcelDateTime, Format as Style, Formula, Workbook};
    let mut book = Workbook::new();
    let about = book.add_worksheet();
    about.set_name("About")?;
    about.write_string(0, 0, "Kept by the ICT team; updated quarterly")?;
    let sheet = book.add_worksheet();
    sheet.set_name("Action plan")?;
    let wrap = Style::new().set_text_wrap();
    let date = Style::new().set_num_format("dd/mm/yyyy");
    sheet.merge_range(0, 0, 0, 5, "ICT strategy action plan 2025", &Style::new())?;
    sheet.write_string(1, 0, "Draft for the board, March 2025")?;
    let headers = [
        "Section",
        "Work package",
        "Scope",
        "Target date",
        "Actual delivery",
        "% complete",
        "Budget",
    ];
    for (i, h) in headers.iter().enumerate() {
        sheet.write_string(3, i as u16, *h)?;
    }
    sheet.merge_range(4, 0, 6, 0, "10.1 Core business systems", &Style::new())?;
    sheet.write_string(4, 1, "1. Replace the care record system")?;
    sheet.write_string_with_format(4, 2, "Procure\nthen migrate", &wrap)?;
    sheet.write_string(4, 3, "Q2 2025")?;
    sheet.write_datetime_with_format(4, 4, ExcelDateTime::from_ymd(2025, 6, 30)?, &date)?;
    sheet.write_formula(4, 5, Formula::new("=20*2").set_result("40"))?;
    sheet.write_number(4, 6, 125000.0)?;
    sheet.write_string(5, 1, "2. Retire the finance module")?;
    sheet.write_string(5, 3, "Q4 2025")?;
    sheet.write_string(5, 7, "beyond the header")?;
    sheet.write_string(6, 1, "3. Train staff")?;
    sheet.write_string(7, 0, "10.2 Information sharing")?;
    sheet.write_string(7, 1, "1. Share records with health")?;
    sheet.write_formula(7, 5, Formula::new("=1/0").set_result("#DIV/0!"))?;
    book.save_to_buffer()
}

#[test]
fn xlsx_council_workbook() {
    let bytes = council_workbook().unwrap_or_else(|e| panic!("workbook: {e}"));
    case_bytes("council.xlsx", "xlsx_council", &bytes, Format::Xlsx);
}

/// Delivery and actual-delivery cells in every shape plans write them, in
/// a calendar-quarter plan: quarters, months, UK day-first and ISO days,
/// financial-year quarters, years, words with no date, Excel serials.
#[test]
fn dates_as_written() {
    case("dates_calendar.csv", Format::Csv);
}

/// The same shapes in a plan that counts quarters from April (its
/// convention given after the tables are read, as Markdown metadata is).
#[test]
fn dates_in_a_financial_year_plan() {
    case("dates_financial.md", Format::Markdown);
}

/// A file whose dates are month first (`04/13/2026`): its ambiguous dates
/// are read month first, each with a warning naming the choice.
#[test]
fn dates_month_first() {
    case("dates_us.csv", Format::Csv);
}

/// A file with dates of both orders: day first, each choice named.
#[test]
fn dates_of_both_orders() {
    case("dates_mixed.csv", Format::Csv);
}

/// RAG letters and words, five-point ratings, BRAG's complete, progress in
/// words.
#[test]
fn rag_and_progress_words() {
    case("rag_words.csv", Format::Csv);
}

/// A workbook with real date cells, date serials in plain number cells and
/// progress in percent cells (fractions).
fn dates_workbook() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{ExcelDateTime, Format as Style, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let uk = Style::new().set_num_format("dd/mm/yyyy");
    let month = Style::new().set_num_format("mmm-yy");
    let percent = Style::new().set_num_format("0%");
    for (i, h) in [
        "Work package",
        "Target date",
        "Actual delivery",
        "% complete",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, i as u16, *h)?;
    }
    sheet.write_string(1, 0, "1. A date cell")?;
    sheet.write_datetime_with_format(1, 1, ExcelDateTime::from_ymd(2027, 3, 31)?, &uk)?;
    sheet.write_datetime_with_format(1, 2, ExcelDateTime::from_ymd(2027, 3, 30)?, &uk)?;
    sheet.write_number_with_format(1, 3, 1.0, &percent)?;
    sheet.write_string(2, 0, "2. A month cell")?;
    sheet.write_datetime_with_format(2, 1, ExcelDateTime::from_ymd(2026, 9, 1)?, &month)?;
    sheet.write_number_with_format(2, 3, 0.5, &percent)?;
    sheet.write_string(3, 0, "3. A serial in a number cell")?;
    sheet.write_number(3, 1, 46112.0)?;
    sheet.write_number(3, 2, 46111.0)?;
    sheet.write_number_with_format(3, 3, 0.25, &percent)?;
    sheet.write_string(4, 0, "4. A quarter as text")?;
    sheet.write_string(4, 1, "Q3 2026/27")?;
    sheet.write_number_with_format(4, 3, 0.0, &percent)?;
    book.save_to_buffer()
}

#[test]
fn xlsx_dates_and_percent_cells() {
    let bytes = dates_workbook().unwrap_or_else(|e| panic!("workbook: {e}"));
    case_bytes("dates.xlsx", "xlsx_dates", &bytes, Format::Xlsx);
}
