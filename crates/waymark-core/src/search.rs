//! What a person types into a search box, read into the terms a full-text
//! index matches. Words match the start of a word (`appl` finds
//! "application"); a reference or code — words joined by punctuation, such as
//! `3.1.1`, `10.4.3` or `e-CAF` — matches as a phrase: the same words,
//! adjacent, in that order, each whole (so `10.4.3` finds neither 10.3.4 nor
//! 10.4.30). Text with no word or number in it (an emoji, punctuation) is an
//! error, never "everything".

use std::fmt;
use std::str::FromStr;

/// One thing every match must contain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// A word, matched as the start of a word.
    Prefix(String),
    /// A reference or code: whole words, adjacent and in order.
    Phrase(Vec<String>),
}

/// Search text that holds at least one word; built only by parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText {
    text: String,
    terms: Vec<Term>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    #[error("\"{0}\" has no word or number to search for")]
    NoWord(String),
}

/// The characters words are made of, as the index reads them (SQLite FTS5's
/// `unicode61`: letters, numbers and private-use characters); anything else
/// separates words.
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
        || matches!(c, '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..='\u{FFFFD}' | '\u{100000}'..='\u{10FFFD}')
}

impl SearchText {
    /// Every term, all of which a match contains.
    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// The text as typed (trimmed).
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl FromStr for SearchText {
    type Err = SearchError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let terms: Vec<Term> = text
            .split_whitespace()
            .filter_map(|chunk| {
                let mut words: Vec<String> = chunk
                    .split(|c: char| !is_word_char(c))
                    .filter(|w| !w.is_empty())
                    .map(str::to_string)
                    .collect();
                match words.len() {
                    0 => None,
                    1 => words.pop().map(Term::Prefix),
                    _ => Some(Term::Phrase(words)),
                }
            })
            .collect();
        if terms.is_empty() {
            return Err(SearchError::NoWord(text.to_string()));
        }
        Ok(SearchText {
            text: text.to_string(),
            terms,
        })
    }
}

impl fmt::Display for SearchText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(s: &str) -> Result<Vec<Term>, SearchError> {
        s.parse::<SearchText>().map(|t| t.terms().to_vec())
    }

    fn prefix(w: &str) -> Term {
        Term::Prefix(w.into())
    }

    fn phrase(ws: &[&str]) -> Term {
        Term::Phrase(ws.iter().map(|w| w.to_string()).collect())
    }

    #[test]
    fn words_are_prefixes() {
        assert_eq!(
            terms("  single sign "),
            Ok(vec![prefix("single"), prefix("sign")])
        );
        assert_eq!(terms("(Caldicott),"), Ok(vec![prefix("Caldicott")]));
    }

    #[test]
    fn references_and_codes_are_phrases() {
        assert_eq!(terms("3.1.1"), Ok(vec![phrase(&["3", "1", "1"])]));
        assert_eq!(
            terms("10.4.3 e-CAF"),
            Ok(vec![phrase(&["10", "4", "3"]), phrase(&["e", "CAF"])])
        );
        assert_eq!(terms("#6.1"), Ok(vec![phrase(&["6", "1"])]));
    }

    #[test]
    fn text_without_a_word_is_an_error() {
        for s in ["", "   ", "🙂", "🙂 ✅", "...", "- / -", "\u{202e}"] {
            assert_eq!(
                terms(s),
                Err(SearchError::NoWord(s.trim().to_string())),
                "{s:?}"
            );
        }
        assert_eq!(terms("🙂 café"), Ok(vec![prefix("café")]));
        assert_eq!(terms("\u{E000}"), Ok(vec![prefix("\u{E000}")]));
    }
}
