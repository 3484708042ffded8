//! Bytes to text: UTF-8, UTF-16 (either byte order) or Windows-1252.
//!
//! Written by hand rather than with `encoding_rs`: std decodes UTF-8 and
//! UTF-16, and Windows-1252 is Latin-1 but for the 32 bytes 0x80–0x9F, so a
//! table of 32 characters is all that a dependency would add here.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use super::{Diagnostic, ImportError, Severity};

/// How the bytes of a file are turned into text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// From the byte-order mark; else UTF-16 if every other byte is NUL; else
    /// UTF-8 if the bytes are valid UTF-8; else Windows-1252, with a warning.
    #[default]
    Auto,
    Utf8,
    Utf16Le,
    Utf16Be,
    Windows1252,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Auto => "auto",
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
            Encoding::Windows1252 => "windows-1252",
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Encoding {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(Encoding::Auto),
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "utf-16le" | "utf16le" => Ok(Encoding::Utf16Le),
            "utf-16be" | "utf16be" => Ok(Encoding::Utf16Be),
            "windows-1252" | "cp1252" => Ok(Encoding::Windows1252),
            other => Err(format!(
                "unknown encoding \"{other}\": expected auto, utf-8, utf-16le, utf-16be or windows-1252"
            )),
        }
    }
}

/// A file's text and how it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded<'a> {
    pub text: Cow<'a, str>,
    /// The encoding used (never [`Encoding::Auto`]).
    pub encoding: Encoding,
    /// Warnings about the reading (a file taken as Windows-1252).
    pub diagnostics: Vec<Diagnostic>,
}

/// Windows-1252's characters for the bytes 0x80–0x9F (WHATWG's table). The
/// five bytes it leaves undefined (the C1 control of the same number here)
/// [`decode`] refuses as "not text".
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

fn windows_1252(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => CP1252_HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

/// UTF-16 text, refusing an odd length and unpaired surrogates.
fn utf16(bytes: &[u8], little_endian: bool) -> Result<String, ImportError> {
    let units = bytes.chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if little_endian {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    let mut text = String::with_capacity(bytes.len() / 2);
    for c in char::decode_utf16(units) {
        match c {
            Ok(c) => text.push(c),
            Err(e) => {
                let (line, column) = position(&text, text.len());
                return Err(ImportError::NotText {
                    line,
                    column,
                    what: format!(
                        "0x{:04X} is half of a UTF-16 pair without its other half",
                        e.unpaired_surrogate()
                    ),
                });
            }
        }
    }
    if bytes.len() % 2 == 1 {
        let (line, column) = position(&text, text.len());
        return Err(ImportError::NotText {
            line,
            column,
            what: "it ends in half a UTF-16 character (an odd number of bytes)".into(),
        });
    }
    Ok(text)
}

/// UTF-16 without a byte-order mark: text that is mostly ASCII has a NUL as
/// every other byte (the high byte of each unit). Looks at the first 1,024
/// bytes; a binary file has NULs on both sides and is not taken for UTF-16.
fn sniff_utf16(bytes: &[u8]) -> Option<Encoding> {
    let head = &bytes[..bytes.len().min(1024)];
    let pairs = head.len() / 2;
    if pairs < 2 {
        return None;
    }
    let (mut even, mut odd) = (0, 0);
    for pair in head.chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    let mostly = |n: usize| n * 2 >= pairs;
    let hardly = |n: usize| n * 20 <= pairs;
    if mostly(odd) && hardly(even) {
        Some(Encoding::Utf16Le)
    } else if mostly(even) && hardly(odd) {
        Some(Encoding::Utf16Be)
    } else {
        None
    }
}

/// Line and column (in characters, from 1) of a byte offset in text.
pub(crate) fn position(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// Line and column of a byte offset in bytes that are valid UTF-8 up to it.
fn byte_position(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    position(&String::from_utf8_lossy(before), before.len())
}

/// Turn a file's bytes into text, refusing what is not text (NUL and other
/// control characters, bytes no encoding asked for can read) with the place
/// of the first bad character. A leading byte-order mark is dropped.
pub fn decode(bytes: &[u8], requested: Encoding) -> Result<Decoded<'_>, ImportError> {
    // Files people are likely to pick by mistake, named rather than described
    // by their first odd byte.
    let kind = [
        (
            &b"PK\x03\x04"[..],
            "a ZIP archive, such as an .xlsx or .docx file; an .xlsx workbook is read with --format xlsx (or auto), and a .docx's table can be copied into a text file",
        ),
        (
            b"\xD0\xCF\x11\xE0",
            "an older Office file (.xls or .doc); save it as .xlsx, or copy its table into a text file, and import that",
        ),
        (
            b"%PDF-",
            "a PDF document; copy its table into a text file, and import that",
        ),
    ]
    .into_iter()
    .find(|(magic, _)| bytes.starts_with(magic));
    if let Some((_, kind)) = kind {
        return Err(ImportError::NotText {
            line: 1,
            column: 1,
            what: format!("it is {kind}"),
        });
    }
    let mut diagnostics = Vec::new();
    let bom = |b: &[u8]| -> Option<Encoding> {
        if b.starts_with(b"\xEF\xBB\xBF") {
            Some(Encoding::Utf8)
        } else if b.starts_with(b"\xFF\xFE") {
            Some(Encoding::Utf16Le)
        } else if b.starts_with(b"\xFE\xFF") {
            Some(Encoding::Utf16Be)
        } else {
            None
        }
    };
    let found_bom = bom(bytes);
    let encoding = match requested {
        Encoding::Auto => found_bom.or_else(|| sniff_utf16(bytes)).unwrap_or_else(|| {
            match std::str::from_utf8(bytes) {
                Ok(_) => Encoding::Utf8,
                Err(e) => {
                    let (line, column) = byte_position(bytes, e.valid_up_to());
                    let byte = bytes.get(e.valid_up_to()).copied().unwrap_or(0);
                    diagnostics.push(Diagnostic {
                        sheet: None,
                        line,
                        column,
                        severity: Severity::Warning,
                        message: format!(
                            "byte 0x{byte:02X} is not UTF-8: the file is read as Windows-1252; check its accented letters and symbols"
                        ),
                    });
                    Encoding::Windows1252
                }
            }
        }),
        other => other,
    };
    // The mark of the encoding used is not text.
    let body = match (found_bom, encoding) {
        (Some(Encoding::Utf8), Encoding::Utf8) => &bytes[3..],
        (Some(Encoding::Utf16Le), Encoding::Utf16Le)
        | (Some(Encoding::Utf16Be), Encoding::Utf16Be) => &bytes[2..],
        _ => bytes,
    };
    let text: Cow<'_, str> = match encoding {
        Encoding::Utf8 | Encoding::Auto => match std::str::from_utf8(body) {
            Ok(t) => Cow::Borrowed(t),
            Err(e) => {
                let (line, column) = byte_position(body, e.valid_up_to());
                let byte = body.get(e.valid_up_to()).copied().unwrap_or(0);
                return Err(ImportError::NotText {
                    line,
                    column,
                    what: format!("byte 0x{byte:02X} is not valid UTF-8"),
                });
            }
        },
        Encoding::Utf16Le => Cow::Owned(utf16(body, true)?),
        Encoding::Utf16Be => Cow::Owned(utf16(body, false)?),
        Encoding::Windows1252 => {
            if let Some(at) = body
                .iter()
                .position(|b| matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D))
            {
                let text = windows_1252(&body[..at]);
                let (line, column) = position(&text, text.len());
                return Err(ImportError::NotText {
                    line,
                    column,
                    what: format!("byte 0x{:02X} is not a character in Windows-1252", body[at]),
                });
            }
            Cow::Owned(windows_1252(body))
        }
    };
    // Word writes a line break inside a table cell as a vertical tab: read as
    // a space, which keeps the row on its line.
    let mut text = text;
    if text.as_bytes().contains(&0x0B) {
        let at = text.find('\u{0B}').unwrap_or(0);
        let (line, column) = position(&text, at);
        let count = text.matches('\u{0B}').count();
        diagnostics.push(Diagnostic {
            sheet: None,
            line,
            column,
            severity: Severity::Warning,
            message: format!(
                "{count} vertical tab{} (line breaks inside a Word table cell) read as spaces",
                if count == 1 { "" } else { "s" }
            ),
        });
        text = Cow::Owned(text.replace('\u{0B}', " "));
    }
    // Bytes below 0x20 are the control characters in UTF-8 (never part of a
    // longer character), so a byte scan finds them.
    if let Some(at) = text
        .bytes()
        .position(|b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C))
    {
        let (line, column) = position(&text, at);
        return Err(ImportError::NotText {
            line,
            column,
            what: format!("control byte 0x{:02X}", text.as_bytes()[at]),
        });
    }
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    Ok(Decoded {
        text,
        encoding,
        diagnostics,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        out.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        out
    }

    fn utf16be(s: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xFE, 0xFF] } else { Vec::new() };
        out.extend(s.encode_utf16().flat_map(u16::to_be_bytes));
        out
    }

    fn auto(bytes: &[u8]) -> (String, Encoding, usize) {
        let d = decode(bytes, Encoding::Auto).unwrap_or_else(|e| panic!("{e}"));
        (d.text.into_owned(), d.encoding, d.diagnostics.len())
    }

    #[test]
    fn encodings_are_found_by_mark_by_nul_pattern_or_by_failing_utf8() {
        let text = "| Work package | Scope |\n| 1. Café – “x” € |\n";
        assert_eq!(auto(text.as_bytes()), (text.into(), Encoding::Utf8, 0));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend(text.as_bytes());
        assert_eq!(auto(&bom), (text.into(), Encoding::Utf8, 0));
        assert_eq!(
            auto(&utf16le(text, true)),
            (text.into(), Encoding::Utf16Le, 0)
        );
        assert_eq!(
            auto(&utf16be(text, true)),
            (text.into(), Encoding::Utf16Be, 0)
        );
        assert_eq!(
            auto(&utf16le(text, false)),
            (text.into(), Encoding::Utf16Le, 0)
        );
        assert_eq!(
            auto(&utf16be(text, false)),
            (text.into(), Encoding::Utf16Be, 0)
        );
        let cp1252 = b"| 1. Caf\xE9 \x96 \x93x\x94 \x80 |\n";
        assert_eq!(
            auto(cp1252),
            ("| 1. Café – “x” € |\n".into(), Encoding::Windows1252, 1)
        );
        let d = decode(cp1252, Encoding::Auto).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((d.diagnostics[0].line, d.diagnostics[0].column), (1, 9));
    }

    #[test]
    fn an_encoding_asked_for_is_used() {
        let d = decode(b"caf\xE9", Encoding::Windows1252).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((d.text.as_ref(), d.diagnostics.len()), ("café", 0));
        assert!(matches!(
            decode(b"ok\ncaf\xE9", Encoding::Utf8),
            Err(ImportError::NotText {
                line: 2,
                column: 4,
                ..
            })
        ));
        // Half a surrogate pair, and an odd number of bytes.
        assert!(matches!(
            decode(b"a\x00\x00\xD8b\x00", Encoding::Utf16Le),
            Err(ImportError::NotText {
                line: 1,
                column: 2,
                ..
            })
        ));
        assert!(decode(&utf16le("abc", false)[..5], Encoding::Utf16Le).is_err());
        assert_eq!("UTF-16LE".parse::<Encoding>(), Ok(Encoding::Utf16Le));
        assert!("latin9".parse::<Encoding>().is_err());
    }

    #[test]
    fn word_line_breaks_in_cells_are_spaces() {
        let d = decode(b"a\tb\x0Bc\x0Bd\n", Encoding::Auto).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.text, "a\tb c d\n");
        assert_eq!(
            d.diagnostics
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            [
                "line 1, column 4: warning: 2 vertical tabs (line breaks inside a Word table cell) read as spaces"
            ]
        );
    }

    #[test]
    fn binary_is_still_refused() {
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
        assert!(matches!(
            decode(png, Encoding::Auto),
            Err(ImportError::NotText {
                line: 2,
                column: 1,
                ..
            })
        ));
        let zip = b"PK\x03\x04\x14\x00\x00\x00\x08\x00";
        let e = decode(zip, Encoding::Auto).err().map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some(
                "line 1, column 1: the file is not text (it is a ZIP archive, such as an .xlsx or .docx file; an .xlsx workbook is read with --format xlsx (or auto), and a .docx's table can be copied into a text file)"
            )
        );
        assert!(decode(b"%PDF-1.7\n", Encoding::Auto).is_err());
        // Bytes Windows-1252 leaves undefined.
        assert!(matches!(
            decode(b"ab\x81", Encoding::Windows1252),
            Err(ImportError::NotText {
                line: 1,
                column: 3,
                ..
            })
        ));
        let e = decode(b"| a |\n\x00\x01\x02", Encoding::Auto).err();
        assert!(
            matches!(
                e,
                Some(ImportError::NotText {
                    line: 2,
                    column: 1,
                    ..
                })
            ),
            "{e:?}"
        );
    }
}
