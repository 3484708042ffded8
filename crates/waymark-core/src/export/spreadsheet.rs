//! Cells for spreadsheets: what every spreadsheet export (CSV now) writes and
//! the CSV reader takes back.
//!
//! A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a
//! formula, and some treat a leading tab or carriage return the same way
//! (OWASP, "CSV Injection"): a comment `=HYPERLINK("http://x","y")` would
//! become a link that sends the reader's data away. Such a cell is written
//! with a leading `'`, which spreadsheets show as text and do not display.
//!
//! The rule is reversible: a cell is guarded when, past any leading `'`, it
//! starts with one of those characters. So `'=x` (already a quote) is written
//! `''=x`, and reading strips exactly one `'` from a cell that the rule would
//! have guarded: every text reads back as it was.

use std::borrow::Cow;

/// Characters that make a spreadsheet read a cell as a formula.
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

fn would_run(cell: &str) -> bool {
    cell.trim_start_matches('\'').starts_with(TRIGGERS)
}

/// The cell as a spreadsheet export writes it: with a leading `'` when a
/// spreadsheet would otherwise run it as a formula.
pub fn guard_cell(cell: &str) -> Cow<'_, str> {
    if would_run(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The text [`guard_cell`] was given, from what it wrote.
pub fn unguard_cell(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if would_run(cell) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_guarded_and_read_back_unchanged() {
        let cases = [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("-1", "'-1"),
            ("+44 20", "'+44 20"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("'=x", "''=x"),
            ("''@x", "'''@x"),
            ("'quoted'", "'quoted'"),
            ("''", "''"),
            ("plain text", "plain text"),
            ("a=b", "a=b"),
            ("", ""),
        ];
        for (text, written) in cases {
            assert_eq!(guard_cell(text), written, "{text:?}");
            assert_eq!(unguard_cell(written), text, "{written:?}");
        }
    }
}
