//! Readers that turn a file's text into a [`Plan`] plus diagnostics.
//!
//! Readers report rather than give up: anything they infer or cannot place is a
//! [`Diagnostic`] with a line number, and text that fits no field is kept in the
//! plan's notes. Only input that cannot be read at all is an [`ImportError`].

mod build;
mod csv;
mod json;
mod pipe;
pub mod relationships;
mod table;

use std::fmt;
use std::str::FromStr;

use crate::model::Plan;

pub use build::{infer_kind, parse_delivery, parse_influences};

/// Input formats `waymark import` understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The customer's plan as exported from a web page: pipe tables, section
    /// headings such as `10.1 Core business systems`, rows broken across lines.
    PlanText,
    Markdown,
    Csv,
    Json,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::PlanText => "plan-text",
            Format::Markdown => "markdown",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }

    /// Guess the format from a file name and its content.
    pub fn detect(file_name: Option<&str>, text: &str) -> Format {
        let ext = file_name
            .and_then(|n| n.rsplit_once('.'))
            .map(|(_, e)| e.to_ascii_lowercase());
        match ext.as_deref() {
            Some("md" | "markdown") => return Format::Markdown,
            Some("csv") => return Format::Csv,
            Some("json") => return Format::Json,
            _ => {}
        }
        let start = text.trim_start();
        if start.starts_with('{') {
            return Format::Json;
        }
        let markdown = text.lines().take(2000).any(|l| {
            let l = l.trim();
            l.starts_with('#') || (l.starts_with('|') && l.contains("---"))
        });
        if markdown {
            return Format::Markdown;
        }
        let first = text.lines().next().unwrap_or("");
        if !first.contains('|')
            && first.matches(',').count() >= 2
            && text
                .lines()
                .skip(1)
                .all(|l| !l.trim_start().starts_with('|'))
        {
            return Format::Csv;
        }
        Format::PlanText
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "plan-text" | "text" | "txt" => Ok(Format::PlanText),
            "markdown" | "md" => Ok(Format::Markdown),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            other => Err(format!(
                "unknown format \"{other}\": expected auto, plan-text, markdown, csv or json"
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Error,
}

/// Something a reader inferred, could not place, or rejected, at a place in the file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub line: usize,
    pub column: usize,
    pub severity: Severity,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(
            f,
            "line {}, column {}: {sev}: {}",
            self.line, self.column, self.message
        )
    }
}

/// A file that cannot be read as a plan at all. Nothing is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is empty (or holds only blank lines)")]
    Empty,
    #[error("line {line}, column {column}: the file is not text ({what})")]
    NotText {
        line: usize,
        column: usize,
        what: String,
    },
    #[error("line {line}, column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "no work package table was found: expected a header row naming columns such as \"Work package\", \"Scope\" and \"Estimated delivery\""
    )]
    NoTable,
}

/// What a reader produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub plan: Plan,
    pub diagnostics: Vec<Diagnostic>,
}

/// Options that do not come from the file.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Title to use when the file has none.
    pub default_title: Option<String>,
}

/// Decode bytes as UTF-8 text (a leading byte-order mark is dropped), refusing
/// binary content with the place of the first bad byte.
pub fn decode(bytes: &[u8]) -> Result<&str, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let (line, column) = position(bytes, e.valid_up_to());
            let byte = bytes.get(e.valid_up_to()).copied().unwrap_or(0);
            return Err(ImportError::NotText {
                line,
                column,
                what: format!("byte 0x{byte:02X} is not valid UTF-8"),
            });
        }
    };
    if let Some(at) = text
        .bytes()
        .position(|b| b == 0 || (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C)))
    {
        let (line, column) = position(bytes, at);
        return Err(ImportError::NotText {
            line,
            column,
            what: format!("control byte 0x{:02X}", bytes[at]),
        });
    }
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    Ok(text)
}

fn position(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

/// Read a plan from bytes in the given format.
pub fn import(
    bytes: &[u8],
    format: Format,
    options: &ImportOptions,
) -> Result<Imported, ImportError> {
    let text = decode(bytes)?;
    match format {
        Format::PlanText => pipe::read(text, pipe::Dialect::PlanText, options),
        Format::Markdown => pipe::read(text, pipe::Dialect::Markdown, options),
        Format::Csv => csv::read(text, options),
        Format::Json => json::read(text),
    }
}
