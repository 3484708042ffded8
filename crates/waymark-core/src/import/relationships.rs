//! Reading the names of related strategies, plans, programmes and systems out of
//! a relationships cell such as
//! `Corporate ICT Strategy, DfES ISI project, e-CAF, government Connect programme and www.br.`
//!
//! Names that look like web addresses (`www.br`) are names of corporate programmes
//! and stay names: nothing here turns them into links.

/// The names in a relationships text, in order of appearance, without duplicates
/// (compared without regard to case).
pub fn names(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |name: &str| {
        let name = clean(name);
        if name.is_empty() || !name.chars().any(char::is_alphanumeric) {
            return;
        }
        if !out.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            out.push(name);
        }
    };
    // Pull parentheticals out first: `(www.wfs)` is another name, `(for
    // dependencies)` is a remark about the name before it.
    let mut main = String::with_capacity(text.len());
    let mut extra: Vec<String> = Vec::new();
    let mut depth = 0usize;
    let mut inner = String::new();
    for c in text.chars() {
        match c {
            '(' => {
                depth += 1;
                if depth == 1 {
                    inner.clear();
                    continue;
                }
            }
            ')' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    if looks_like_name(&inner) {
                        extra.push(inner.clone());
                    }
                    continue;
                }
            }
            _ => {}
        }
        if depth > 0 {
            inner.push(c);
        } else {
            main.push(c);
        }
    }
    let main = main
        .replace(" e.g. ", ", ")
        .replace(" e.g.", ", ")
        .replace(" such as ", ", ")
        .replace(" including ", ", ");
    for part in main.split([',', ';']) {
        for piece in split_and(part) {
            push(piece);
        }
    }
    for name in extra {
        push(&name);
    }
    out
}

fn split_and(part: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = part;
    while let Some(at) = rest.find(" and ").or_else(|| rest.find(" & ")) {
        let sep = if rest[at..].starts_with(" and ") {
            5
        } else {
            3
        };
        pieces.push(&rest[..at]);
        rest = &rest[at + sep..];
    }
    pieces.push(rest);
    pieces
}

fn clean(name: &str) -> String {
    let mut s = name.trim();
    loop {
        let before = s;
        s = s.trim_end_matches(['.', ':', ';', ' ']).trim();
        for prefix in ["the ", "The ", "and ", "e.g. "] {
            if let Some(rest) = s.strip_prefix(prefix) {
                s = rest.trim();
            }
        }
        if s == before {
            break;
        }
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A parenthetical names something when it starts with a capital letter or is a
/// `www.` name, and is short; otherwise it is a remark (`to be developed`).
fn looks_like_name(inner: &str) -> bool {
    let t = inner.trim();
    let words = t.split_whitespace().count();
    (1..=5).contains(&words)
        && (t.starts_with("www.") || t.chars().next().is_some_and(char::is_uppercase))
}

#[cfg(test)]
mod tests {
    use super::names;

    #[test]
    fn splits_lists_and_keeps_web_like_names() {
        assert_eq!(
            names(
                "Corporate ICT Strategy, DfES ISI project, e-CAF, government Connect programme and www.br."
            ),
            [
                "Corporate ICT Strategy",
                "DfES ISI project",
                "e-CAF",
                "government Connect programme",
                "www.br"
            ]
        );
        assert_eq!(names("www.wfs"), ["www.wfs"]);
        assert_eq!(
            names("Corporate ICT Strategy e.g. GIS and Amethyst."),
            ["Corporate ICT Strategy", "GIS", "Amethyst"]
        );
    }

    #[test]
    fn parentheticals_are_names_or_remarks() {
        assert_eq!(
            names("RAP, IM Strategy (to be developed) and workforce data (www.wfs)."),
            ["RAP", "IM Strategy", "workforce data", "www.wfs"]
        );
        assert_eq!(
            names("CYPS Business Plan, CYPP and Corporate ICT Strategy (for dependencies)."),
            ["CYPS Business Plan", "CYPP", "Corporate ICT Strategy"]
        );
    }

    #[test]
    fn duplicates_differing_in_case_are_one_name() {
        assert_eq!(
            names("Corporate ICT Strategy and corporate ICT strategy"),
            ["Corporate ICT Strategy"]
        );
        assert!(names("  .  ").is_empty());
    }
}
