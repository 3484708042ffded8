//! RAG and progress cells as plans write them: `R`, `Amber/Red`, `On track`,
//! BRAG's `Blue` (complete); `50%`, `50`, and a column of fractions (`0.5`)
//! as Excel's percent cells hold them.
//!
//! Pure functions over text; a reading that involved a choice comes back
//! with the sentence that says which.

use crate::model::{Progress, Rag};

/// What a RAG cell says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RagCell {
    /// Red, amber or green, and the choice made when the cell said it
    /// another way (`Amber/Red`, `On track`).
    Rag(Rag, Option<String>),
    /// BRAG's fourth value (`Blue`, `Complete`): the work is done.
    Complete,
}

/// Read a RAG cell; `None` when it is none of the ways plans write one.
pub(crate) fn read_rag(text: &str) -> Option<RagCell> {
    let key = words(text);
    let colour = |w: &str| match w {
        "r" | "red" => Some(Rag::Red),
        "a" | "amber" => Some(Rag::Amber),
        "g" | "green" => Some(Rag::Green),
        _ => None,
    };
    let said = |rag: Rag, why: &str| {
        Some(RagCell::Rag(
            rag,
            Some(format!(
                "RAG \"{}\" read as {} ({why})",
                text.trim(),
                rag.as_str()
            )),
        ))
    };
    match key.as_str() {
        "b" | "blue" | "complete" | "completed" | "done" | "closed" | "delivered" => {
            return Some(RagCell::Complete);
        }
        "y" | "yellow" => return said(Rag::Amber, "yellow is amber"),
        "on track" | "on target" | "on schedule" | "on time" => {
            return said(Rag::Green, "on track is green");
        }
        "at risk" | "some risk" => return said(Rag::Amber, "at risk is amber"),
        "off track" | "off target" | "behind schedule" | "not on track" => {
            return said(Rag::Red, "off track is red");
        }
        _ => {}
    }
    if let Some(rag) = colour(&key) {
        return Some(RagCell::Rag(rag, None));
    }
    // Five-point ratings: `Amber/Red`, `Red-Amber`, `Amber Green`, `AG`.
    let pair: Vec<Rag> = match key.split(' ').collect::<Vec<_>>().as_slice() {
        [one, two] => vec![colour(one)?, colour(two)?],
        [both] if both.len() == 2 => both
            .chars()
            .map(|c| colour(c.encode_utf8(&mut [0; 4])))
            .collect::<Option<Vec<_>>>()?,
        _ => return None,
    };
    let (first, second) = (pair[0], pair[1]);
    let worse = |r: Rag| -> u8 {
        match r {
            Rag::Red => 0,
            Rag::Amber => 1,
            Rag::Green => 2,
        }
    };
    // Red with green is no rating of the five-point scale.
    if first == second || worse(first).abs_diff(worse(second)) != 1 {
        return None;
    }
    let rag = if worse(first) < worse(second) {
        first
    } else {
        second
    };
    said(rag, "the worse of its two colours")
}

/// Lower-case words, punctuation as spaces: `Amber/Red` is `amber red`.
fn words(text: &str) -> String {
    let spaced: String = text
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How a file writes its progress numbers, decided from all of them before
/// any is read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ProgressScale {
    /// Every number is between 0 and 1 and one has a fraction (`0.5`): the
    /// column holds fractions of the whole, as Excel's percent cells do.
    /// The first such cell, for the report.
    pub fractions: Option<String>,
}

impl ProgressScale {
    /// A column of fractions, as [`ProgressScale::scan`] finds one.
    pub fn fractions() -> ProgressScale {
        ProgressScale {
            fractions: Some(String::new()),
        }
    }

    pub fn scan<'a>(texts: impl IntoIterator<Item = &'a str>) -> ProgressScale {
        let mut fraction: Option<String> = None;
        for text in texts {
            let text = text.trim();
            if text.is_empty() || text.ends_with('%') {
                continue;
            }
            let Some(v) = plain_number(text) else {
                continue;
            };
            if !(0.0..=1.0).contains(&v) {
                return ProgressScale::default();
            }
            if v.fract() != 0.0 && fraction.is_none() {
                fraction = Some(text.to_string());
            }
        }
        ProgressScale {
            fractions: fraction,
        }
    }
}

/// What a progress cell holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ProgressCell {
    Progress(Progress),
    /// A number that is no progress (`150%`, `12.5`).
    Invalid,
    /// Words, not a number: a note on progress.
    Text,
}

/// Read a progress cell: `50%`, `50`, or `0.5` in a column of fractions.
pub(crate) fn read_progress(text: &str, scale: &ProgressScale) -> ProgressCell {
    let text = text.trim();
    let (number, percent) = match text.strip_suffix('%') {
        Some(n) => (n.trim_end(), true),
        None => (text, false),
    };
    let Some(v) = plain_number(number) else {
        // A spreadsheet's error value (`#DIV/0!`, `#N/A`) is no note.
        return if text.starts_with('#') || !text.chars().any(char::is_alphabetic) {
            ProgressCell::Invalid
        } else {
            ProgressCell::Text
        };
    };
    let value = if !percent && scale.fractions.is_some() {
        (v * 100.0).round()
    } else {
        v
    };
    if value.fract() != 0.0 || !(0.0..=100.0).contains(&value) {
        return ProgressCell::Invalid;
    }
    match Progress::new(value as i64) {
        Ok(p) => ProgressCell::Progress(p),
        Err(_) => ProgressCell::Invalid,
    }
}

/// `50`, `0.5`, `-3`: a number as a cell writes it (no exponent, no
/// thousands separator).
fn plain_number(text: &str) -> Option<f64> {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty()
        || digits.len() > 20
        || !digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        || !digits.chars().any(|c| c.is_ascii_digit())
    {
        return None;
    }
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rag(text: &str) -> Option<(Rag, bool)> {
        match read_rag(text)? {
            RagCell::Rag(r, note) => Some((r, note.is_some())),
            RagCell::Complete => None,
        }
    }

    #[test]
    fn letters_and_words() {
        for (text, want) in [
            ("R", Rag::Red),
            ("red", Rag::Red),
            (" RED. ", Rag::Red),
            ("a", Rag::Amber),
            ("Amber", Rag::Amber),
            ("G", Rag::Green),
            ("(Green)", Rag::Green),
        ] {
            assert_eq!(rag(text), Some((want, false)), "{text}");
        }
    }

    #[test]
    fn five_point_ratings_take_the_worse_colour_and_say_so() {
        for (text, want) in [
            ("Amber/Red", Rag::Red),
            ("Red-Amber", Rag::Red),
            ("RA", Rag::Red),
            ("Amber/Green", Rag::Amber),
            ("green amber", Rag::Amber),
            ("AG", Rag::Amber),
        ] {
            assert_eq!(rag(text), Some((want, true)), "{text}");
        }
        let Some(RagCell::Rag(_, Some(note))) = read_rag("Amber/Red") else {
            panic!("no note");
        };
        assert_eq!(
            note,
            "RAG \"Amber/Red\" read as red (the worse of its two colours)"
        );
        for text in [
            "Red/Green",
            "RG",
            "Red/Red",
            "Purple",
            "Amber Red Green",
            "",
        ] {
            assert_eq!(read_rag(text), None, "{text}");
        }
    }

    #[test]
    fn status_words_are_mapped_with_a_note() {
        assert_eq!(rag("On track"), Some((Rag::Green, true)));
        assert_eq!(rag("At risk"), Some((Rag::Amber, true)));
        assert_eq!(rag("Off-track"), Some((Rag::Red, true)));
        assert_eq!(rag("Yellow"), Some((Rag::Amber, true)));
    }

    #[test]
    fn brag_blue_is_complete() {
        for text in ["B", "Blue", "complete", "Completed", "Done"] {
            assert_eq!(read_rag(text), Some(RagCell::Complete), "{text}");
        }
    }

    fn progress(text: &str, scale: &ProgressScale) -> Option<u8> {
        match read_progress(text, scale) {
            ProgressCell::Progress(p) => Some(p.get()),
            _ => None,
        }
    }

    #[test]
    fn progress_as_percent_whole_numbers_or_fractions() {
        let whole = ProgressScale::scan(["50", "0", "1", "75%"]);
        assert_eq!(whole, ProgressScale::default());
        assert_eq!(progress("50%", &whole), Some(50));
        assert_eq!(progress("50 %", &whole), Some(50));
        assert_eq!(progress("50", &whole), Some(50));
        assert_eq!(progress("1", &whole), Some(1));
        assert_eq!(read_progress("0.5", &whole), ProgressCell::Invalid);
        assert_eq!(read_progress("150%", &whole), ProgressCell::Invalid);
        assert_eq!(read_progress("-5", &whole), ProgressCell::Invalid);
        assert_eq!(
            read_progress("Awaiting sign-off", &whole),
            ProgressCell::Text
        );
        assert_eq!(read_progress("#DIV/0!", &whole), ProgressCell::Invalid);
        assert_eq!(read_progress("#N/A", &whole), ProgressCell::Invalid);
        assert_eq!(read_progress("--", &whole), ProgressCell::Invalid);

        let fractions = ProgressScale::scan(["0.5", "1", "0", "", "n/a", "25%"]);
        assert_eq!(fractions.fractions.as_deref(), Some("0.5"));
        assert_eq!(progress("0.5", &fractions), Some(50));
        assert_eq!(progress("1", &fractions), Some(100));
        assert_eq!(progress("0.333", &fractions), Some(33));
        // A percent sign is a percent in any column.
        assert_eq!(progress("25%", &fractions), Some(25));
        // One number above 1: whole numbers.
        assert_eq!(ProgressScale::scan(["0.5", "40"]), ProgressScale::default());
        // Only whole numbers between 0 and 1: whole numbers.
        assert_eq!(ProgressScale::scan(["0", "1"]), ProgressScale::default());
    }
}
