use std::fmt::Write;

use super::{PACKAGE_COLUMNS, sorted_related};
use crate::model::{Plan, Section};
use crate::quarter::QuarterConvention;

fn cell(s: &str) -> String {
    // The text `<br>` first: the reader takes `<br>` for a line break.
    let s = s
        .replace("<br>", "\\<br>")
        .replace('|', "\\|")
        .replace("\r\n", "\n")
        .replace('\n', "<br>");
    if s.is_empty() { " ".into() } else { s }
}

/// Introduction and notes as the reader will take them back: a line that
/// would read as a heading, a table row or metadata starts with `\`, which the
/// reader drops.
fn free_text(text: &str) -> String {
    text.lines()
        .map(|line| {
            let t = line.trim_start();
            let structural = t.starts_with(['#', '|', '\\'])
                || line.contains('|')
                || ["- Organisation:", "- Period:", "- Quarter convention:"]
                    .iter()
                    .any(|m| t.starts_with(m));
            if structural {
                format!("\\{t}")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn row(out: &mut String, cells: &[String]) {
    out.push('|');
    for c in cells {
        let _ = write!(out, " {} |", cell(c));
    }
    out.push('\n');
}

fn header(out: &mut String, names: &[&str]) {
    row(
        out,
        &names.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    );
    out.push('|');
    for _ in names {
        out.push_str(" --- |");
    }
    out.push('\n');
}

/// A readable document that `waymark import --format markdown` reads back.
pub fn to_markdown(plan: &Plan) -> String {
    super::export(plan, super::ExportFormat::Markdown)
}

/// Title, metadata and introduction.
pub(super) fn head(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", plan.title);
    if !plan.organisation.is_empty() {
        let _ = writeln!(out, "- Organisation: {}", plan.organisation);
    }
    if !plan.period.is_empty() {
        let _ = writeln!(out, "- Period: {}", plan.period);
    }
    if plan.quarter_convention != QuarterConvention::Calendar {
        let _ = writeln!(
            out,
            "- Quarter convention: {}",
            plan.quarter_convention.as_str()
        );
    }
    if !plan.introduction.is_empty() {
        let _ = writeln!(out, "\n{}", free_text(&plan.introduction));
    }
    out
}

/// A section's heading and the head of its table.
pub(super) fn section_head(section: &Section) -> String {
    let mut out = String::from("\n");
    if section.number.is_some() || section.title.is_some() {
        let heading = [section.number.as_deref(), section.title.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        // A title alone that the reader would take for a number and a title
        // (`2006 budgets`), or for a register's heading (`Notes`), is
        // written `## \2006 budgets`: the reader takes it as it stands.
        let escaped = section.number.is_none()
            && section.title.as_deref().is_some_and(|t| {
                t.starts_with('\\') || crate::import::reads_as_heading_with_number_or_register(t)
            });
        let mark = if escaped { "\\" } else { "" };
        let _ = writeln!(out, "## {mark}{heading}\n");
    }
    header(&mut out, &PACKAGE_COLUMNS);
    out
}

/// One package's row.
pub(super) fn package_row(cells: &[String]) -> String {
    let mut out = String::new();
    row(&mut out, cells);
    out
}

/// The registers and notes after the sections.
pub(super) fn tail(plan: &Plan) -> String {
    let mut out = String::new();
    if !plan.influences.is_empty() {
        out.push_str("\n## Key influences\n\n");
        header(&mut out, &["Code", "Title", "Description"]);
        for i in &plan.influences {
            row(
                &mut out,
                &[i.code.to_string(), i.title.clone(), i.description.clone()],
            );
        }
    }
    if !plan.related_items.is_empty() {
        out.push_str("\n## Related items\n\n");
        header(&mut out, &["Name", "Kind"]);
        for i in sorted_related(plan) {
            row(&mut out, &[i.name.clone(), i.kind.as_str().to_string()]);
        }
    }
    if !plan.programmes.is_empty() {
        out.push_str("\n## Programmes\n\n");
        header(&mut out, &["Programme", "Priority", "Description"]);
        for p in &plan.programmes {
            let priority = if p.priority { "yes" } else { "no" };
            row(
                &mut out,
                &[p.name.clone(), priority.to_string(), p.description.clone()],
            );
        }
    }
    if !plan.notes.is_empty() {
        let _ = writeln!(out, "\n## Notes\n\n{}", free_text(&plan.notes));
    }
    out
}
