//! Export and import are inverses: for every format, export -> import -> export
//! gives the same text, and a plan with every editable field set survives the
//! full-fidelity formats (JSON, Markdown) unchanged.

use std::path::Path;

use waymark_core::export::{ExportFormat, export};
use waymark_core::import::{self, Format, ImportOptions, Imported};
use waymark_core::{Dependency, Plan, Progress, Rag, RelatedKind, Status, WorkPackageRef};

fn seed() -> Plan {
    let path = Path::new(waymark_demo::CYPS_PLAN_PATH);
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    read(&bytes, Format::PlanText).plan
}

fn read(bytes: &[u8], format: Format) -> Imported {
    let options = ImportOptions {
        default_title: Some("Fixture plan".into()),
        ..Default::default()
    };
    import::import(bytes, format, &options)
        .unwrap_or_else(|e| panic!("{} import failed: {e}", format.as_str()))
}

/// Compare two plans and, when they differ, show the first differing line of
/// their serialised form rather than two screens of `Debug` output.
fn assert_same_plan(actual: &Plan, expected: &Plan) {
    if actual == expected {
        return;
    }
    let a = serde_json::to_string_pretty(actual).unwrap_or_default();
    let e = serde_json::to_string_pretty(expected).unwrap_or_default();
    let (a_lines, e_lines): (Vec<&str>, Vec<&str>) = (a.lines().collect(), e.lines().collect());
    let at = a_lines
        .iter()
        .zip(&e_lines)
        .position(|(x, y)| x != y)
        .unwrap_or(a_lines.len().min(e_lines.len()));
    let from = at.saturating_sub(6);
    panic!(
        "plans differ at line {}:\n--- expected\n{}\n--- actual\n{}",
        at + 1,
        e_lines[from..(at + 3).min(e_lines.len())].join("\n"),
        a_lines[from..(at + 3).min(a_lines.len())].join("\n"),
    );
}

fn import_format(format: ExportFormat) -> Format {
    match format {
        ExportFormat::Json => Format::Json,
        ExportFormat::Markdown => Format::Markdown,
        ExportFormat::Csv => Format::Csv,
        ExportFormat::Xlsx => Format::Xlsx,
    }
}

/// Export, import the text back, export again: the two texts must be equal.
fn same_text_after_round_trip(plan: &Plan, format: ExportFormat) -> Imported {
    let first = export(plan, format);
    let imported = read(first.as_bytes(), import_format(format));
    let second = export(&imported.plan, format);
    if first != second {
        let at = first.lines().zip(second.lines()).position(|(a, b)| a != b);
        panic!(
            "{format:?} export -> import -> export differs at line {:?}:\nfirst:  {:?}\nsecond: {:?}",
            at.map(|i| i + 1),
            at.and_then(|i| first.lines().nth(i)),
            at.and_then(|i| second.lines().nth(i)),
        );
    }
    imported
}

/// The seed's last table has no heading, and Markdown has no way to write "a
/// section without a heading" other than a table with none, so reading it back
/// says so again, truthfully. Nothing else may be reported.
fn only_the_unheaded_section_is_reported(imported: &Imported) {
    let messages: Vec<&str> = imported
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        messages,
        ["table has no section heading; kept as a section of its own after 10.5 Organisation"]
    );
}

#[test]
fn seed_json_round_trip() {
    let plan = seed();
    let back = same_text_after_round_trip(&plan, ExportFormat::Json);
    assert_eq!(back.diagnostics, []);
    assert_same_plan(&back.plan, &plan);
}

#[test]
fn seed_markdown_round_trip() {
    let plan = seed();
    let back = same_text_after_round_trip(&plan, ExportFormat::Markdown);
    only_the_unheaded_section_is_reported(&back);
    assert_same_plan(&back.plan, &plan);
}

#[test]
fn seed_csv_round_trip() {
    let plan = seed();
    let back = same_text_after_round_trip(&plan, ExportFormat::Csv);
    assert_eq!(back.diagnostics, []);
    // CSV carries the packages, not the introduction or the registers' details.
    assert_eq!(back.plan.sections, plan.sections);
}

fn r(s: &str) -> WorkPackageRef {
    WorkPackageRef(s.to_string())
}

/// The seed with every field a person can edit set to something other than
/// its default.
fn edited() -> Plan {
    let mut plan = seed();
    plan.title = "CYPS ICT action plan".into();
    plan.organisation = "Children and Young People's Services".into();
    plan.period = "2006 – 2009".into();
    plan.quarter_convention = waymark_core::QuarterConvention::Financial;
    plan.introduction
        .push_str("\n\nA second paragraph of the introduction.");
    plan.notes = "Line 40: text outside any table | with a bar\nLine 41: extra cell: 42".into();
    let wp = &mut plan.sections[0].work_packages[0];
    wp.owner = "Head of ICT".into();
    wp.status = Status::InProgress;
    wp.rag = Some(Rag::Amber);
    wp.progress = Progress::new(40).unwrap_or_else(|e| panic!("progress 40: {e}"));
    wp.scope.push_str("\nA second line, with a | bar.");
    wp.comments = "Waiting for the supplier.".into();
    wp.progress_note = "Two tenders in | one late.\nThe board decides in May.".into();
    wp.delivery_as_written = "End of March 2007".into();
    let wp = &mut plan.sections[1].work_packages[0];
    wp.owner = "Strategy group | chair".into();
    wp.status = Status::Delivered;
    wp.rag = Some(Rag::Green);
    wp.progress = Progress::new(100).unwrap_or_else(|e| panic!("progress 100: {e}"));
    wp.actual_delivery = "2007-01-15".parse().ok();
    // No quarter at all: the words alone.
    plan.sections[1].work_packages[1].delivery.clear();
    plan.sections[1].work_packages[1].delivery_as_written = "Ongoing".into();
    plan.sections[2].work_packages[1].status = Status::OnHold;
    plan.sections[2].work_packages[1].rag = Some(Rag::Red);
    plan.sections[3].work_packages[2].status = Status::Cancelled;
    plan.dependencies = vec![
        Dependency {
            predecessor: r("10.2.1"),
            successor: r("10.2.2"),
        },
        Dependency {
            predecessor: r("10.1.1"),
            successor: r("10.3.1"),
        },
        Dependency {
            predecessor: r("10.2.2"),
            successor: r("10.3.1"),
        },
        Dependency {
            predecessor: r("10.3.1"),
            successor: r("#6.1"),
        },
    ];
    for p in &mut plan.programmes {
        match p.name.as_str() {
            "ISA" => p.work_packages = vec![r("10.3.1"), r("10.3.4")],
            "Child Concern Pathway" => {
                p.description = "How a concern about a child is raised and routed".into();
                p.work_packages = vec![r("10.4.3")];
            }
            _ => {}
        }
    }
    plan.programmes.push(waymark_core::Programme {
        name: "Business re-engineering".into(),
        priority: false,
        description: String::new(),
        work_packages: vec![r("10.4.5")],
    });
    for item in &mut plan.related_items {
        match item.name.as_str() {
            "Amethyst" => item.kind = RelatedKind::System,
            "RAP" => item.kind = RelatedKind::Project,
            "existing external funding" => item.kind = RelatedKind::Plan,
            _ => {}
        }
    }
    for inf in &mut plan.influences {
        if inf.code.as_str() == "3.1.1" {
            inf.title = "Every Child Matters".into();
            inf.description = "The five outcomes; see section 3.1".into();
        }
        if inf.code.as_str() == "3.2.6" {
            inf.title = "Value for money".into();
        }
    }
    plan
}

#[test]
fn edited_plan_survives_json() {
    let plan = edited();
    let back = same_text_after_round_trip(&plan, ExportFormat::Json);
    assert_eq!(back.diagnostics, []);
    assert_same_plan(&back.plan, &plan);
}

#[test]
fn edited_plan_survives_markdown() {
    let plan = edited();
    let back = same_text_after_round_trip(&plan, ExportFormat::Markdown);
    only_the_unheaded_section_is_reported(&back);
    assert_same_plan(&back.plan, &plan);
}

#[test]
fn edited_plan_csv_text_is_stable() {
    let plan = edited();
    let back = same_text_after_round_trip(&plan, ExportFormat::Csv);
    assert_eq!(back.diagnostics, []);
    // Every field of every package, the dependencies and the memberships are in
    // CSV; the plan's own fields and the registers' details (influence titles,
    // item kinds, which programmes are priorities) are not: that is what JSON is for.
    assert_eq!(back.plan.sections, plan.sections);
    assert_eq!(back.plan.dependencies, plan.dependencies);
    let members = |p: &Plan| -> Vec<(String, Vec<WorkPackageRef>)> {
        p.programmes
            .iter()
            .map(|p| (p.name.clone(), p.work_packages.clone()))
            .collect()
    };
    assert_eq!(members(&back.plan), members(&plan));
}

/// Dependencies and programme memberships are sets. JSON keeps the order they
/// were stored in; Markdown writes them beside each package (`Depends on`,
/// `Programmes` columns), so they come back in the order of the packages in the
/// plan. Same sets, and the next export is the same text.
#[test]
fn markdown_returns_links_in_plan_order() {
    let mut plan = edited();
    plan.dependencies.reverse();
    for p in &mut plan.programmes {
        p.work_packages.reverse();
    }
    let json = same_text_after_round_trip(&plan, ExportFormat::Json);
    assert_same_plan(&json.plan, &plan);

    let back = same_text_after_round_trip(&plan, ExportFormat::Markdown);
    only_the_unheaded_section_is_reported(&back);
    let position: std::collections::HashMap<WorkPackageRef, usize> = plan
        .work_packages()
        .enumerate()
        .map(|(i, (r, _, _))| (r, i))
        .collect();
    let mut expected = plan.clone();
    // Stable sorts: predecessors of one package keep their stored order.
    expected
        .dependencies
        .sort_by_key(|d| position.get(&d.successor).copied());
    for p in &mut expected.programmes {
        p.work_packages.sort_by_key(|r| position.get(r).copied());
    }
    assert_same_plan(&back.plan, &expected);
}

/// What the web UI lets a person type: package numbers that are not plain
/// digits, sections with only a number or only a title, two sections in a row
/// with no heading, text that looks like Markdown.
fn unusual() -> Plan {
    let mut plan = Plan::new("Unusual plan");
    let mut section = |number: Option<&str>, title: Option<&str>, numbers: &[&str]| {
        plan.sections.push(waymark_core::Section {
            number: number.map(str::to_string),
            title: title.map(str::to_string),
            work_packages: numbers
                .iter()
                .map(|n| {
                    let mut wp = waymark_core::WorkPackage::new(*n, format!("Package {n}"));
                    wp.delivery = vec![waymark_core::DeliveryTarget {
                        label: None,
                        quarter: "Q1 2025".parse().unwrap_or_else(|e| panic!("{e}")),
                    }];
                    wp
                })
                .collect(),
        });
    };
    section(Some("7"), None, &["1", "3a", "B2", "10", "iv"]);
    section(None, Some("Finance"), &["1"]);
    section(None, None, &["1"]);
    section(None, None, &["1"]);
    section(Some("8"), Some("2006 budgets"), &["1"]);
    plan.sections[0].work_packages[0].title = "# Not a heading | with a bar".into();
    plan.sections[0].work_packages[0].scope = "- Organisation: not metadata\n| --- |".into();
    plan.sections[0].work_packages[1].comments = "Ends with a backslash \\".into();
    plan.sections[0].work_packages[2].title = "Ends with a full stop.".into();
    plan.sections[0].work_packages[3].title = "2012 Olympics".into();
    plan.sections[0].work_packages[4].comments =
        "Markdown's line break is written <br>,\nand \\<br> is how the export writes it as text"
            .into();
    plan.introduction =
        "Background.\n# Not a heading\n| a | b |\n- Organisation: not metadata\n\nLast paragraph."
            .into();
    plan.notes = "## Not a section\n| x |\n10.1 Not a heading either".into();
    plan
}

#[test]
fn unusual_plan_survives_json() {
    let plan = unusual();
    let back = same_text_after_round_trip(&plan, ExportFormat::Json);
    assert_eq!(back.diagnostics, []);
    assert_same_plan(&back.plan, &plan);
}

#[test]
fn unusual_plan_survives_markdown() {
    let plan = unusual();
    let back = same_text_after_round_trip(&plan, ExportFormat::Markdown);
    let messages: Vec<String> = back.diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "line 27, column 1: warning: table has no section heading; kept as a section of its own after Finance",
            "line 31, column 1: warning: table has no section heading; kept as a section of its own after Section 3 (no heading)",
        ]
    );
    assert_same_plan(&back.plan, &plan);
}

#[test]
fn unusual_plan_survives_csv() {
    let plan = unusual();
    let back = same_text_after_round_trip(&plan, ExportFormat::Csv);
    assert_eq!(back.diagnostics, []);
    // Two sections in a row without a heading stay two.
    assert_eq!(back.plan.sections, plan.sections);
}

/// Sections headed every way a person can head one: number and title, number
/// alone, title alone (one that starts with a year, one that reads like the
/// label of an unheaded section), neither, a number that is a word.
fn titled() -> Plan {
    let mut plan = Plan::new("Titled plan");
    let headings: [(Option<&str>, Option<&str>); 10] = [
        (Some("10.1"), Some("Core business systems")),
        (Some("10.2"), None),
        (None, Some("Finance")),
        (None, None),
        (Some("10.3"), Some("Information sharing, and records")),
        (None, Some("Section 9 (no heading)")),
        (Some("IV"), Some("Annex")),
        (None, Some("2006 budgets")),
        (None, Some("Notes")),
        (None, Some("\\Backslash")),
    ];
    for (i, (number, title)) in headings.into_iter().enumerate() {
        let mut wp = waymark_core::WorkPackage::new("1", format!("Package of section {}", i + 1));
        wp.scope = format!("Scope {i}");
        plan.sections.push(waymark_core::Section {
            number: number.map(str::to_string),
            title: title.map(str::to_string),
            work_packages: vec![wp],
        });
    }
    plan
}

#[test]
fn section_titles_survive_csv() {
    let plan = titled();
    let csv = export(&plan, ExportFormat::Csv);
    let header = csv.lines().next().unwrap_or_default();
    assert!(
        header.starts_with("Section,Work package,") && header.ends_with(",Section title"),
        "{header}"
    );
    let back = same_text_after_round_trip(&plan, ExportFormat::Csv);
    assert_eq!(back.diagnostics, []);
    assert_eq!(back.plan.sections, plan.sections);
}

#[test]
fn section_titles_survive_json() {
    let plan = titled();
    let back = same_text_after_round_trip(&plan, ExportFormat::Json);
    assert_eq!(back.diagnostics, []);
    assert_same_plan(&back.plan, &plan);
}

/// Markdown writes a section as `## number title`: a number that is a word
/// (`IV`) reads back as part of the title. Every other heading survives.
#[test]
fn section_titles_survive_markdown() {
    let plan = titled();
    let back = same_text_after_round_trip(&plan, ExportFormat::Markdown);
    let mut expected = plan.clone();
    expected.sections[6].number = None;
    expected.sections[6].title = Some("IV Annex".into());
    assert_same_plan(&back.plan, &expected);
}

/// Cells a spreadsheet would run as formulas (OWASP's CSV injection) are
/// written with a leading `'` and read back as they were typed.
#[test]
fn formula_cells_are_neutralised_in_csv_and_read_back_unchanged() {
    let mut plan = Plan::new("Formula plan");
    let values = [
        "=HYPERLINK(\"http://x\",\"y\")",
        "@SUM(A1)",
        "-1",
        "'=x",
        "+1 555",
        "plain text",
    ];
    let packages = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let mut wp =
                waymark_core::WorkPackage::new((i + 1).to_string(), format!("Package {i}"));
            wp.comments = v.to_string();
            wp.owner = v.to_string();
            wp.progress_note = v.to_string();
            wp.delivery_as_written = v.to_string();
            wp.scope = format!("Scope {i}");
            wp
        })
        .collect();
    plan.sections.push(waymark_core::Section {
        number: Some("1".into()),
        title: Some("=cmd|' /C calc'!A0".into()),
        work_packages: packages,
    });
    let csv = export(&plan, ExportFormat::Csv);
    let mut rows = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(csv.as_bytes());
    let cells: Vec<Vec<String>> = rows
        .records()
        .map(|r| {
            r.unwrap_or_else(|e| panic!("{e}"))
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect();
    // What a spreadsheet sees: no cell starts with a formula character.
    for row in &cells {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?} in {csv}"
            );
        }
    }
    let comments: Vec<&str> = cells.iter().map(|r| r[7].as_str()).collect();
    assert_eq!(
        comments,
        [
            "'=HYPERLINK(\"http://x\",\"y\")",
            "'@SUM(A1)",
            "'-1",
            "''=x",
            "'+1 555",
            "plain text"
        ]
    );
    let back = same_text_after_round_trip(&plan, ExportFormat::Csv);
    assert_eq!(back.diagnostics, []);
    assert_eq!(back.plan.sections, plan.sections);
}

/// In a workbook the same texts are string cells, never formulas: no cell of
/// any sheet has a formula (`<f>`), and the texts read back exactly, without
/// CSV's `'`.
#[test]
fn formula_texts_are_plain_strings_in_xlsx() {
    use std::io::Read;
    let mut plan = Plan::new("=Formula plan");
    plan.introduction = "@intro".into();
    let values = [
        "=HYPERLINK(\"http://x\",\"y\")",
        "@SUM(A1)",
        "-1",
        "'=x",
        "+1 555",
    ];
    let packages = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let mut wp =
                waymark_core::WorkPackage::new((i + 1).to_string(), format!("Package {i}"));
            wp.comments = v.to_string();
            wp.owner = v.to_string();
            wp.progress_note = v.to_string();
            wp.delivery_as_written = v.to_string();
            wp
        })
        .collect();
    plan.sections.push(waymark_core::Section {
        number: Some("1".into()),
        title: Some("=cmd|' /C calc'!A0".into()),
        work_packages: packages,
    });
    let bytes = waymark_core::export::to_xlsx(&plan, None).unwrap_or_else(|e| panic!("{e}"));
    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap_or_else(|e| panic!("{e}"));
    let mut sheets = 0;
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).unwrap_or_else(|e| panic!("{e}"));
        if part.name().is_ok_and(|n| n.starts_with("xl/worksheets/")) {
            let mut xml = String::new();
            part.read_to_string(&mut xml)
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(!xml.contains("<f>") && !xml.contains("<f "), "{xml}");
            sheets += 1;
        }
    }
    assert_eq!(sheets, 6);
    xlsx_equals_json(&plan);
}

/// Bidirectional controls written as JSON escapes are removed like literal ones.
#[test]
fn bidirectional_controls_escaped_in_json_are_removed() {
    let mut doc: serde_json::Value = serde_json::from_str(&export(&seed(), ExportFormat::Json))
        .unwrap_or_else(|e| panic!("{e}"));
    doc["title"] = "Fixture \u{202E}nalp".into();
    doc["sections"][0]["work_packages"][0]["owner"] = "\u{2067}Jane\u{2069}".into();
    let json = serde_json::to_string(&doc)
        .unwrap_or_else(|e| panic!("{e}"))
        .replace('\u{202E}', "\\u202e")
        .replace('\u{2067}', "\\u2067")
        .replace('\u{2069}', "\\u2069");
    assert!(json.contains("\\u202e"));
    let back = read(json.as_bytes(), Format::Json);
    assert_eq!(back.plan.title, "Fixture nalp");
    assert_eq!(back.plan.sections[0].work_packages[0].owner, "Jane");
    let messages: Vec<String> = back.diagnostics.iter().map(ToString::to_string).collect();
    assert!(
        messages.contains(
            &"line 1, column 1: warning: removed 3 bidirectional control characters written as escapes".to_string()
        ),
        "{messages:?}"
    );
}

/// plan -> xlsx -> import is the plan that plan -> JSON -> import gives.
fn xlsx_equals_json(plan: &Plan) {
    let bytes = waymark_core::export::export_bytes(plan, ExportFormat::Xlsx, None)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(bytes.starts_with(b"PK"));
    let from_xlsx = read(&bytes, Format::Xlsx);
    let from_json = read(export(plan, ExportFormat::Json).as_bytes(), Format::Json);
    assert_eq!(from_xlsx.diagnostics, [], "{:?}", from_xlsx.diagnostics);
    assert_same_plan(&from_xlsx.plan, &from_json.plan);
}

/// The streamed writer makes the same workbook contents as the whole-plan one.
#[test]
fn streamed_xlsx_reads_back_the_same() {
    let plan = edited();
    let mut w =
        waymark_core::export::PlanWriter::new(Plan::skeleton_of(&plan), ExportFormat::Xlsx, None);
    assert_eq!(w.begin(), "");
    for (index, section) in plan.sections.iter().enumerate() {
        for wp in &section.work_packages {
            assert_eq!(w.package(index, wp), "");
        }
    }
    let bytes = w.finish_bytes().unwrap_or_else(|e| panic!("{e}"));
    let from_json = read(export(&plan, ExportFormat::Json).as_bytes(), Format::Json);
    assert_same_plan(&read(&bytes, Format::Xlsx).plan, &from_json.plan);
}

#[test]
fn xlsx_round_trip_equals_json() {
    for plan in [seed(), edited(), unusual(), titled()] {
        xlsx_equals_json(&plan);
    }
    // Notes longer than a cell holds go on over rows and read back whole.
    let mut long = edited();
    long.notes = "Noté line.\n".repeat(5_000);
    xlsx_equals_json(&long);
}

/// A workbook edited by hand: register rows naming packages that do not
/// exist, a cycle, a programme without a name are left out and said.
#[test]
fn xlsx_register_sheets_are_checked_like_json() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ok = |r: Result<&mut rust_xlsxwriter::Worksheet, rust_xlsxwriter::XlsxError>| {
        r.unwrap_or_else(|e| panic!("{e}"));
    };
    let sheet = book.add_worksheet();
    ok(sheet.set_name("Work packages"));
    for (row, cells) in [
        ["Section", "Work package", "No."],
        ["1 First", "Alpha", "1"],
        ["1 First", "Beta", "2"],
    ]
    .iter()
    .enumerate()
    {
        for (col, text) in cells.iter().enumerate() {
            ok(sheet.write_string(row as u32, col as u16, *text));
        }
    }
    let sheet = book.add_worksheet();
    ok(sheet.set_name("Dependencies"));
    for (row, cells) in [
        ["Predecessor", "Successor"],
        ["1.1", "1.2"],
        ["1.1", "1.9"],
        ["1.2", "1.1"],
    ]
    .iter()
    .enumerate()
    {
        for (col, text) in cells.iter().enumerate() {
            ok(sheet.write_string(row as u32, col as u16, *text));
        }
    }
    let sheet = book.add_worksheet();
    ok(sheet.set_name("Programmes"));
    for (row, cells) in [
        ["Name", "Description", "Priority", "Packages"],
        ["Core", "", "Yes", "1.1; 1.7"],
        ["", "Nameless", "No", "1.2"],
    ]
    .iter()
    .enumerate()
    {
        for (col, text) in cells.iter().enumerate() {
            ok(sheet.write_string(row as u32, col as u16, *text));
        }
    }
    let bytes = book.save_to_buffer().unwrap_or_else(|e| panic!("{e}"));
    let imported = read(&bytes, Format::Xlsx);
    assert_eq!(
        imported.plan.dependencies,
        [Dependency {
            predecessor: r("1.1"),
            successor: r("1.2")
        }]
    );
    assert_eq!(imported.plan.programmes.len(), 1);
    assert_eq!(imported.plan.programmes[0].work_packages, [r("1.1")]);
    let said: Vec<(&str, &str)> = imported
        .diagnostics
        .iter()
        .map(|d| (d.sheet.as_deref().unwrap_or(""), d.message.as_str()))
        .collect();
    assert_eq!(said.len(), 4, "{said:?}");
    assert!(
        said.iter()
            .any(|(s, m)| *s == "Programmes" && m.contains("without a name"))
    );
    assert!(
        said.iter()
            .any(|(s, m)| *s == "Programmes" && m.contains("1.7"))
    );
    assert!(
        said.iter()
            .any(|(s, m)| *s == "Dependencies" && m.contains("1.9"))
    );
}

/// One part of a workbook, as text.
fn workbook_part(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap_or_else(|e| panic!("{e}"));
    let mut part = zip.by_name(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut xml = String::new();
    part.read_to_string(&mut xml)
        .unwrap_or_else(|e| panic!("{e}"));
    xml
}

/// The package sheet, written a row at a time through a scratch file, keeps
/// its frozen header row, the filter over the table, its column widths,
/// wrapped text and the actual delivery as a date. Read from the sheet's XML:
/// calamine reads neither panes nor filters.
#[test]
fn xlsx_package_sheet_keeps_its_layout() {
    let plan = edited();
    let last_row = plan.work_package_count() + 1;
    let bytes = waymark_core::export::to_xlsx(&plan, None).unwrap_or_else(|e| panic!("{e}"));
    let workbook = workbook_part(&bytes, "xl/workbook.xml");
    assert!(
        workbook.contains(r#"<sheet name="Work packages" sheetId="1" r:id="rId1"/>"#),
        "{workbook}"
    );
    let sheet = workbook_part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains(
            r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
        ),
        "{sheet}"
    );
    // The header row's cells, and the last column's letter.
    let header = sheet
        .split("<row r=\"1\">")
        .nth(1)
        .and_then(|rest| rest.split("</row>").next())
        .unwrap_or_default();
    let columns = header.matches("<c r=\"").count();
    assert!(columns > 15, "{header}");
    let last_column = header
        .rsplit("<c r=\"")
        .next()
        .map(|cell| {
            cell.chars()
                .take_while(char::is_ascii_uppercase)
                .collect::<String>()
        })
        .unwrap_or_default();
    assert!(
        sheet.contains(&format!(
            r#"<autoFilter ref="A1:{last_column}{last_row}"/>"#
        )),
        "{sheet}"
    );
    assert_eq!(sheet.matches("<col ").count(), columns, "{sheet}");
    assert_eq!(
        sheet.matches(r#"customWidth="1""#).count(),
        columns,
        "{sheet}"
    );
    // 2007-01-15 as Excel's day number, not as text.
    assert!(sheet.contains("<v>39097</v>"), "{sheet}");
    let styles = workbook_part(&bytes, "xl/styles.xml");
    assert!(
        styles.contains(r#"formatCode="yyyy-mm-dd""#) && styles.contains(r#"wrapText="1""#),
        "{styles}"
    );
}

/// The package rows wait in the directory the caller names, in a file that
/// is gone when the workbook is; a directory that is not there is an error
/// naming it, not a write somewhere else.
#[test]
fn xlsx_scratch_directory_is_the_callers() {
    let dir = std::env::temp_dir().join(format!("waymark-xlsx-scratch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let plan = edited();
    let bytes = waymark_core::export::export_bytes(&plan, ExportFormat::Xlsx, Some(&dir))
        .unwrap_or_else(|e| panic!("{e}"));
    let from_json = read(export(&plan, ExportFormat::Json).as_bytes(), Format::Json);
    assert_same_plan(&read(&bytes, Format::Xlsx).plan, &from_json.plan);
    let left = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .count();
    assert_eq!(left, 0);
    std::fs::remove_dir(&dir).unwrap_or_else(|e| panic!("{e}"));

    let missing = dir.join("not-there");
    let error = waymark_core::export::to_xlsx(&plan, Some(&missing))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(error.contains(&missing.display().to_string()), "{error:?}");
}
