//! `--map "Header=field"` in the text formats: a header the reader does not
//! know read as the field named, a known one sent to the notes, and a mapped
//! header the file does not have refused naming it.

use waymark_core::import::{self, Format, ImportError, ImportOptions};

fn options(mapping: &[(&str, &str)]) -> ImportOptions {
    ImportOptions {
        default_title: Some("Mapped".into()),
        mapping: mapping
            .iter()
            .map(|(h, f)| (h.to_string(), f.to_string()))
            .collect(),
        ..Default::default()
    }
}

const CSV: &str = "Section,Action,Lead officer,Status\n10.1,1. Replace it,Jane Doe,Waiting on IT\n";
const PLAN_TEXT: &str = "Plan\n\n10.1 Core systems\n| Action | Lead officer | Status |\n| 1. Replace it | Jane Doe | Waiting on IT |\n";

#[test]
fn map_reads_a_header_as_the_field_named_in_every_table_format() {
    let mapping = [("Lead officer", "owner"), ("Status", "notes")];
    for (format, text, status_at) in [
        (Format::Csv, CSV, "Line 2 (Status): Waiting on IT"),
        (
            Format::PlanText,
            PLAN_TEXT,
            "Line 5 (Status): Waiting on IT",
        ),
    ] {
        let imported = import::import(text.as_bytes(), format, &options(&mapping))
            .unwrap_or_else(|e| panic!("{}: {e}", format.as_str()));
        let (_, _, wp) = imported
            .plan
            .work_packages()
            .next()
            .unwrap_or_else(|| panic!("no package"));
        assert_eq!(wp.owner, "Jane Doe", "{}", format.as_str());
        assert!(
            imported.plan.notes.contains(status_at),
            "{}: {}",
            format.as_str(),
            imported.plan.notes
        );
        let read: Vec<String> = imported
            .columns
            .iter()
            .map(|c| format!("{} → {}", c.header, c.field.unwrap_or("notes")))
            .collect();
        assert!(
            read.contains(&"Lead officer → owner".to_string()),
            "{read:?}"
        );
        assert!(read.contains(&"Status → notes".to_string()), "{read:?}");
    }
}

#[test]
fn map_refuses_a_header_the_file_does_not_have() {
    for (format, text) in [(Format::Csv, CSV), (Format::PlanText, PLAN_TEXT)] {
        match import::import(text.as_bytes(), format, &options(&[("Director", "owner")])) {
            Err(ImportError::Mapping(m)) => {
                assert!(m.contains("--map names the header \"Director\""), "{m}")
            }
            other => panic!("{}: {other:?}", format.as_str()),
        }
    }
}
