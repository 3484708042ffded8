//! A large plan through every reader and writer: 10,000 packages in one
//! section, each depending on the one before (listed backwards), all in one
//! programme. Anything quadratic in the number of packages or links shows here
//! as minutes instead of a couple of seconds (debug build). Speed targets are
//! measured by the benchmark program, not here.

use waymark_core::export::{ExportFormat, export, to_json};
use waymark_core::import::{self, Format, ImportOptions, Imported};
use waymark_core::{Dependency, Plan, Programme, Section, WorkPackage, WorkPackageRef};

const PACKAGES: usize = 10_000;

fn large_plan() -> Plan {
    let mut plan = Plan::new("Large plan");
    let mut section = Section {
        number: Some("1".into()),
        title: Some("Everything".into()),
        work_packages: Vec::new(),
    };
    for i in 1..=PACKAGES {
        let mut wp = WorkPackage::new(i.to_string(), format!("Package {i}"));
        wp.scope = format!("Scope of package {i}.");
        wp.relationships = format!("System {} and Strategy {}", i % 50, i % 7);
        wp.delivery = vec![waymark_core::DeliveryTarget {
            label: None,
            // Later packages are due no earlier: dependencies run forward in time.
            quarter: waymark_core::Quarter::from_index(2020 * 4 + (i / 500) as i32),
        }];
        wp.influences = vec![
            format!("3.{}.{}", i % 5, i % 11)
                .parse()
                .unwrap_or_else(|e| panic!("{e}")),
        ];
        wp.related_items = vec![format!("System {}", i % 50), format!("Strategy {}", i % 7)];
        section.work_packages.push(wp);
    }
    plan.sections.push(section);
    let r = |i: usize| WorkPackageRef(format!("1.{i}"));
    // Given backwards, which is the hard order for one-by-one cycle checks.
    plan.dependencies = (1..PACKAGES)
        .rev()
        .map(|i| Dependency {
            predecessor: r(i),
            successor: r(i + 1),
        })
        .collect();
    plan.programmes.push(Programme {
        name: "Everything".into(),
        priority: true,
        description: String::new(),
        work_packages: (1..=PACKAGES).map(r).collect(),
    });
    // Registers as an import makes them.
    let json = to_json(&plan);
    read(json.as_bytes(), Format::Json).plan
}

fn read(bytes: &[u8], format: Format) -> Imported {
    import::import(bytes, format, &ImportOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_large_plan_goes_through_every_format() {
    let plan = large_plan();
    assert_eq!(plan.work_package_count(), PACKAGES);
    assert_eq!(plan.dependencies.len(), PACKAGES - 1);
    for (format, back) in [
        (ExportFormat::Json, Format::Json),
        (ExportFormat::Markdown, Format::Markdown),
        (ExportFormat::Csv, Format::Csv),
    ] {
        let text = export(&plan, format);
        let imported = read(text.as_bytes(), back);
        assert_eq!(imported.diagnostics, [], "{format:?}");
        assert_eq!(imported.plan.work_package_count(), PACKAGES, "{format:?}");
        assert_eq!(imported.plan.dependencies.len(), PACKAGES - 1, "{format:?}");
        assert_eq!(
            imported.plan.programmes[0].work_packages.len(),
            PACKAGES,
            "{format:?}"
        );
        assert_eq!(export(&imported.plan, format), text, "{format:?}");
    }
    // As a workbook (the CSV export's cells, one text cell each): the same
    // plan as the CSV gives, in time linear in its size.
    let csv = export(&plan, ExportFormat::Csv);
    let imported = read(&workbook_of(&csv), Format::Xlsx);
    assert_eq!(imported.diagnostics, []);
    assert_eq!(export(&imported.plan, ExportFormat::Csv), csv);
    // Waymark's own workbook: the plan JSON gives.
    let book = waymark_core::export::to_xlsx(&plan, None).unwrap_or_else(|e| panic!("{e}"));
    let imported = read(&book, Format::Xlsx);
    assert_eq!(imported.diagnostics, []);
    assert_eq!(
        imported.plan,
        read(to_json(&plan).as_bytes(), Format::Json).plan
    );
    // And the checks, over all of it: nothing is wrong, then everything is late.
    let date = |s: &str| s.parse().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(waymark_core::check::check(&plan, date("2019-01-01")), []);
    assert_eq!(
        waymark_core::check::check(&plan, date("2100-01-01")).len(),
        PACKAGES
    );
}

/// A CSV document's cells as a workbook's one sheet.
fn workbook_of(csv: &str) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv.as_bytes());
    for (r, record) in reader.records().enumerate() {
        let record = record.unwrap_or_else(|e| panic!("{e}"));
        for (c, text) in record.iter().enumerate() {
            let text = waymark_core::export::spreadsheet::unguard_cell(text);
            if !text.is_empty() {
                sheet
                    .write_string(r as u32, c as u16, text)
                    .unwrap_or_else(|e| panic!("{e}"));
            }
        }
    }
    book.save_to_buffer().unwrap_or_else(|e| panic!("{e}"))
}
