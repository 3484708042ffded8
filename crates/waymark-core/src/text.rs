//! Rules for text values that every way in (importers, forms, the API) applies.

use std::borrow::Cow;

/// Whether `c` is a bidirectional embedding, override or isolate control
/// (U+202A–U+202E, U+2066–U+2069). These change the direction of the text
/// around them: an U+202E (right-to-left override) in a title shows it
/// reversed, and an unclosed one reverses whatever the page puts after it.
/// The marks U+200E, U+200F and U+061C are not among them: they only set the
/// direction of neutral characters next to them, end nowhere, and are part of
/// correctly written right-to-left text.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether the text holds any [`is_bidi_control`]. Every one of them is
/// encoded starting with the byte 0xE2, which a fast byte search rules out
/// for most text before any character is looked at.
pub fn has_bidi_control(text: &str) -> bool {
    text.as_bytes().contains(&0xE2) && text.contains(is_bidi_control)
}

/// A text value as Waymark keeps it: without bidirectional embedding,
/// override and isolate controls ([`is_bidi_control`]). Borrowed when there
/// was nothing to remove.
pub fn clean(text: &str) -> Cow<'_, str> {
    if has_bidi_control(text) {
        Cow::Owned(text.chars().filter(|c| !is_bidi_control(*c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// [`clean`] in place; returns how many characters were removed.
pub fn clean_in_place(text: &mut String) -> usize {
    if !has_bidi_control(text) {
        return 0;
    }
    let before = text.chars().count();
    text.retain(|c| !is_bidi_control(c));
    before - text.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_embeddings_overrides_and_isolates_only() {
        assert_eq!(clean("plain"), Cow::Borrowed("plain"));
        assert_eq!(clean("a\u{202E}cba\u{202C}d"), "acbad");
        assert_eq!(
            clean("\u{2066}x\u{2069}\u{2067}\u{2068}\u{202A}\u{202B}\u{202D}"),
            "x"
        );
        // Marks stay: they are part of right-to-left text written correctly.
        assert_eq!(
            clean("a\u{200E}b\u{200F}c\u{061C}"),
            "a\u{200E}b\u{200F}c\u{061C}"
        );
        let mut s = String::from("\u{202E}Title\u{202E}");
        assert_eq!(clean_in_place(&mut s), 2);
        assert_eq!(s, "Title");
    }
}
