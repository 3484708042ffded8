//! Workbooks (`.xlsx`): choosing the sheet, `--map`, and hostile files —
//! not a ZIP, a ZIP bomb (honest and lying sizes), a shared-string table that
//! claims too much, a million empty rows, formulas without saved values, 10 MB
//! in one cell — each refused with a message naming the problem.
//! Hostile workbooks are written part by part here, so each is exactly as
//! hostile as meant.

use std::io::{Cursor, Write};

use waymark_core::import::{self, Format, ImportError, ImportOptions, Imported};

fn options() -> ImportOptions {
    ImportOptions {
        default_title: Some("Workbook".into()),
        ..Default::default()
    }
}

fn read(bytes: &[u8], options: &ImportOptions) -> Result<Imported, ImportError> {
    import::import(bytes, Format::Xlsx, options)
}

fn refused(bytes: &[u8]) -> String {
    match read(bytes, &options()) {
        Ok(i) => panic!(
            "read {} packages instead of refusing",
            i.plan.work_package_count()
        ),
        Err(e) => e.to_string(),
    }
}

/// A workbook of one sheet, `Sheet1`, whose `<sheetData>` is `rows`, with
/// `extra` parts besides (name, bytes).
fn workbook(rows: &str, extra: &[(&str, &[u8])]) -> Vec<u8> {
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
    );
    let parts: Vec<(&str, &[u8])> = vec![
        (
            "[Content_Types].xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ];
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in parts.iter().chain(extra) {
        zip.start_file(*name, deflated)
            .unwrap_or_else(|e| panic!("{e}"));
        zip.write_all(bytes).unwrap_or_else(|e| panic!("{e}"));
    }
    zip.finish().unwrap_or_else(|e| panic!("{e}")).into_inner()
}

/// An inline-string cell.
fn cell(at: &str, text: &str) -> String {
    format!(r#"<c r="{at}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>"#)
}

fn header_and_row() -> String {
    format!(
        r#"<row r="1">{}{}</row><row r="2">{}{}</row>"#,
        cell("A1", "Work package"),
        cell("B1", "Owner"),
        cell("A2", "1. Replace the care record system"),
        cell("B2", "Jane Doe"),
    )
}

#[test]
fn a_plain_workbook_is_read() {
    let imported =
        read(&workbook(&header_and_row(), &[]), &options()).unwrap_or_else(|e| panic!("{e}"));
    let (_, _, wp) = imported
        .plan
        .work_packages()
        .next()
        .unwrap_or_else(|| panic!("no package"));
    assert_eq!(wp.title, "Replace the care record system");
    assert_eq!(wp.owner, "Jane Doe");
}

/// A council's own workbook: its "Latest update" column is the progress
/// note, and a "Delivery as written" column keeps its words beside the
/// quarters read from the delivery cell.
#[test]
fn a_latest_update_and_the_delivery_as_written_are_read() {
    let rows = format!(
        r#"<row r="1">{}{}{}{}</row><row r="2">{}{}{}{}</row>"#,
        cell("A1", "Work package"),
        cell("B1", "Estimated delivery"),
        cell("C1", "Delivery as written"),
        cell("D1", "Latest update"),
        cell("A2", "1. Replace the care record system"),
        cell("B2", "Q1 2027"),
        cell("C2", "End of March 2027"),
        cell("D2", "Contract signed; data migration next."),
    );
    let imported = read(&workbook(&rows, &[]), &options()).unwrap_or_else(|e| panic!("{e}"));
    // Every column fills a field: nothing is kept in the notes.
    assert!(
        imported
            .diagnostics
            .iter()
            .all(|d| !d.message.contains("notes")),
        "{:?}",
        imported.diagnostics
    );
    assert_eq!(imported.plan.notes, "");
    let (_, _, wp) = imported
        .plan
        .work_packages()
        .next()
        .unwrap_or_else(|| panic!("no package"));
    assert_eq!(waymark_core::format_delivery(&wp.delivery), "Q1 2027");
    assert_eq!(wp.delivery_as_written, "End of March 2027");
    assert_eq!(wp.progress_note, "Contract signed; data migration next.");
}

#[test]
fn the_format_is_told_by_the_bytes_and_the_name() {
    let bytes = workbook(&header_and_row(), &[]);
    assert!(Format::is_xlsx(None, &bytes));
    assert!(Format::is_xlsx(Some("plan.XLSX"), b"not a zip"));
    assert!(!Format::is_xlsx(Some("plan.csv"), b"Work package,Owner\n"));
    assert_eq!("xlsx".parse::<Format>(), Ok(Format::Xlsx));
}

#[test]
fn not_a_zip_is_refused() {
    let message = refused(b"Work package,Owner\n1. Do it,Jane\n");
    assert!(message.contains("not an .xlsx workbook"), "{message}");
    let message = refused(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0]);
    assert!(message.contains("older Excel workbook (.xls)"), "{message}");
    let message = refused(b"PK\x03\x04 and then nothing a ZIP has");
    assert!(message.contains("ZIP archive is damaged"), "{message}");
}

#[test]
fn a_zip_bomb_is_refused_from_its_directory() {
    // 300 MB of zeros inflate from a few hundred kilobytes.
    let zeros = vec![0u8; 300 * 1024 * 1024];
    let bytes = workbook(&header_and_row(), &[("xl/media/bomb.bin", &zeros)]);
    drop(zeros);
    assert!(bytes.len() < 2 * 1024 * 1024, "{} bytes", bytes.len());
    // Refused from the archive's directory, before anything is inflated.
    let message = refused(&bytes);
    assert!(
        message.contains("\"xl/media/bomb.bin\" would inflate to 314,572,800 bytes"),
        "{message}"
    );
    assert!(message.contains("ZIP bomb"), "{message}");
}

/// A part whose directory says it is small and inflates to more: the zip
/// crate stops at the declared size, so it cannot grow past the checks.
#[test]
fn a_part_that_lies_about_its_size_is_not_inflated_past_it() {
    let strings = format!(
        r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>{}</t></si></sst>"#,
        "x".repeat(4 * 1024 * 1024)
    );
    let mut bytes = workbook(
        &header_and_row(),
        &[("xl/sharedStrings.xml", strings.as_bytes())],
    );
    let declared = strings.len() as u32;
    // Rewrite every record's uncompressed size of that part (local header
    // offset 22, central directory offset 24) to 1,000 bytes.
    let small = 1000u32.to_le_bytes();
    let size = declared.to_le_bytes();
    let mut patched = 0;
    for at in 0..bytes.len().saturating_sub(30) {
        let local = bytes[at..].starts_with(b"PK\x03\x04") && bytes[at + 22..at + 26] == size;
        let central = bytes[at..].starts_with(b"PK\x01\x02") && bytes[at + 24..at + 28] == size;
        if local {
            bytes[at + 22..at + 26].copy_from_slice(&small);
            patched += 1;
        }
        if central {
            bytes[at + 24..at + 28].copy_from_slice(&small);
            patched += 1;
        }
    }
    assert_eq!(patched, 2);
    let message = refused(&bytes);
    assert!(
        message.contains("larger than its declared uncompressed size"),
        "{message}"
    );
}

#[test]
fn shared_strings_that_claim_too_much_are_refused() {
    let strings = br#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="999999999999"><si><t>x</t></si></sst>"#;
    let message = refused(&workbook(
        &header_and_row(),
        &[("xl/sharedStrings.xml", strings)],
    ));
    assert!(
        message.contains("claim 999,999,999,999 strings"),
        "{message}"
    );
}

#[test]
fn a_million_empty_rows_are_read_past_and_kept_nowhere() {
    let mut empty = String::with_capacity(40 * 1_000_000);
    for r in 3..1_000_003 {
        empty.push_str(&format!(r#"<row r="{r}"><c r="A{r}" s="0"/></row>"#));
    }
    let after_a_row = workbook(&format!("{}{empty}", header_and_row()), &[]);
    let alone = workbook(&empty, &[]);
    drop(empty);
    // After the header and a row: read, and the empty rows kept nowhere.
    // (How long it takes is for waymark-bench, not a timed test.)
    let imported = read(&after_a_row, &options()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(imported.plan.work_package_count(), 1);
    // Alone: no header row, said at once.
    let message = refused(&alone);
    assert!(message.contains("\"Sheet1\" (empty)"), "{message}");
}

#[test]
fn formulas_without_saved_values_are_refused_naming_the_cells() {
    let rows = format!(
        r#"{}<row r="3">{}<c r="B3"><f>HYPERLINK("http://example.invalid","Click")</f></c></row>"#,
        header_and_row(),
        cell("A3", "2. Another")
    );
    let message = refused(&workbook(&rows, &[]));
    assert!(message.contains("Sheet1!B3"), "{message}");
    assert!(message.contains("never worked out"), "{message}");
    // With its saved value, a formula is that value.
    let rows = format!(
        r#"{}<row r="3">{}<c r="B3" t="str"><f>"Sam"&amp;" Roe"</f><v>Sam Roe</v></c></row>"#,
        header_and_row(),
        cell("A3", "2. Another")
    );
    let imported = read(&workbook(&rows, &[]), &options()).unwrap_or_else(|e| panic!("{e}"));
    let owners: Vec<&str> = imported
        .plan
        .work_packages()
        .map(|(_, _, wp)| wp.owner.as_str())
        .collect();
    assert_eq!(owners, ["Jane Doe", "Sam Roe"]);
}

#[test]
fn ten_megabytes_in_one_cell_are_refused_naming_it() {
    let rows = format!(
        r#"{}<row r="3">{}{}</row>"#,
        header_and_row(),
        cell("A3", "2. Another"),
        cell("C3", &"x".repeat(10 * 1024 * 1024))
    );
    let message = refused(&workbook(&rows, &[]));
    assert!(
        message.contains("Sheet1!C3: The cell must be 20,000 characters or fewer"),
        "{message}"
    );
}

#[test]
fn the_sheet_can_be_named_and_a_missing_one_is_said() {
    let bytes = workbook(&header_and_row(), &[]);
    let named = ImportOptions {
        sheet: Some("sheet1".into()),
        ..options()
    };
    assert!(read(&bytes, &named).is_ok());
    let missing = ImportOptions {
        sheet: Some("Plan".into()),
        ..options()
    };
    let message = read(&bytes, &missing).err().map(|e| e.to_string());
    assert_eq!(
        message.as_deref(),
        Some("the workbook has no sheet named \"Plan\"; its sheets are: \"Sheet1\"")
    );
}

#[test]
fn map_overrides_what_a_header_means() {
    let rows = format!(
        r#"<row r="1">{}{}{}</row><row r="2">{}{}{}</row>"#,
        cell("A1", "Work package"),
        cell("B1", "Lead officer"),
        cell("C1", "Owner"),
        cell("A2", "1. Replace it"),
        cell("B2", "Jane Doe"),
        cell("C2", "Finance"),
    );
    let bytes = workbook(&rows, &[]);
    let mapped = ImportOptions {
        mapping: vec![
            ("Lead officer".into(), "owner".into()),
            ("owner".into(), "notes".into()),
        ],
        ..options()
    };
    let imported = read(&bytes, &mapped).unwrap_or_else(|e| panic!("{e}"));
    let (_, _, wp) = imported
        .plan
        .work_packages()
        .next()
        .unwrap_or_else(|| panic!("no package"));
    assert_eq!(wp.owner, "Jane Doe");
    assert!(imported.plan.notes.contains("Sheet1!C2 (Owner): Finance"));
    let columns: Vec<(String, Option<&str>)> = imported
        .columns
        .iter()
        .map(|c| (c.header.clone(), c.field))
        .collect();
    assert_eq!(
        columns,
        [
            ("Work package".to_string(), Some("title")),
            ("Lead officer".to_string(), Some("owner")),
            ("Owner".to_string(), None),
        ]
    );
    for (mapping, wanted) in [
        (("Lead officer", "boss"), "\"boss\" is not a field"),
        (
            ("Director", "owner"),
            "--map names the header \"Director\", which the file's header row does not have",
        ),
    ] {
        let bad = ImportOptions {
            mapping: vec![(mapping.0.into(), mapping.1.into())],
            ..options()
        };
        let message = read(&bytes, &bad)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(message.contains(wanted), "{message}");
    }
}

#[test]
fn a_cell_given_twice_keeps_both_values() {
    let rows = format!(
        r#"{}<row r="3">{}{}{}</row>"#,
        header_and_row(),
        cell("A3", "2. Another"),
        cell("B3", "Sam Roe"),
        cell("B3", "Ann Poe"),
    );
    let imported = read(&workbook(&rows, &[]), &options()).unwrap_or_else(|e| panic!("{e}"));
    let owners: Vec<&str> = imported
        .plan
        .work_packages()
        .map(|(_, _, wp)| wp.owner.as_str())
        .collect();
    assert_eq!(owners, ["Jane Doe", "Sam Roe\nAnn Poe"]);
    assert!(
        imported
            .diagnostics
            .iter()
            .any(|d| d.to_string() == "Sheet1!B3: warning: the file gives this cell twice; both values are kept, one line each"),
        "{:?}",
        imported.diagnostics
    );
    assert_eq!(imported.sheet.as_deref(), Some("Sheet1"));
}

/// Sheets passed over are not the import's: a long note on a first sheet
/// does not stop the plan on the second, and a big sheet without a header is
/// not read past its first rows.
#[test]
fn only_the_sheet_read_can_refuse_the_import() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let notes = book.add_worksheet();
    notes.set_name("Notes").unwrap_or_else(|e| panic!("{e}"));
    notes
        .write_string(0, 0, "x".repeat(25_000))
        .unwrap_or_else(|e| panic!("{e}"));
    for r in 1..5_000 {
        notes
            .write_string(r, 0, format!("note {r}"))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let plan = book.add_worksheet();
    plan.set_name("Plan").unwrap_or_else(|e| panic!("{e}"));
    for (c, h) in ["Work package", "Owner"].iter().enumerate() {
        plan.write_string(0, c as u16, *h)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    plan.write_string(1, 0, "1. Replace it")
        .unwrap_or_else(|e| panic!("{e}"));
    let bytes = book.save_to_buffer().unwrap_or_else(|e| panic!("{e}"));
    let imported = read(&bytes, &options()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(imported.sheet.as_deref(), Some("Plan"));
    assert_eq!(imported.plan.work_package_count(), 1);
    // Named, it is read, and refused for want of a header.
    let notes = ImportOptions {
        sheet: Some("Notes".into()),
        ..options()
    };
    let message = read(&bytes, &notes).err().map(|e| e.to_string());
    assert_eq!(
        message.as_deref(),
        Some(
            "sheet \"Notes\" has no header row naming a work package column (such as \"Work package\" or \"Title\") among its first 50 rows with text"
        )
    );
}

#[test]
fn a_column_without_a_header_is_named_by_its_letter() {
    let rows = format!(
        r#"<row r="1">{}{}</row><row r="2">{}{}{}</row>"#,
        cell("A1", "Work package"),
        cell("C1", "Owner"),
        cell("A2", "1. Replace it"),
        cell("B2", "ask Finance"),
        cell("C2", "Jane Doe"),
    );
    let imported = read(&workbook(&rows, &[]), &options()).unwrap_or_else(|e| panic!("{e}"));
    let report: Vec<String> = imported
        .diagnostics
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        report.contains(
            &"Sheet1!B1: warning: column B has no header; its cells are kept in the plan's notes"
                .to_string()
        ),
        "{report:?}"
    );
    assert_eq!(imported.plan.notes, "Sheet1!B2 (column B): ask Finance");
    // A spacer column with nothing in it says nothing.
    let rows = format!(
        r#"<row r="1">{}{}</row><row r="2">{}{}</row>"#,
        cell("A1", "Work package"),
        cell("C1", "Owner"),
        cell("A2", "1. Replace it"),
        cell("C2", "Jane Doe"),
    );
    let imported = read(&workbook(&rows, &[]), &options()).unwrap_or_else(|e| panic!("{e}"));
    let report: Vec<String> = imported
        .diagnostics
        .iter()
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(
        report,
        ["no Section column; all rows kept in one section without a heading"]
    );
}
