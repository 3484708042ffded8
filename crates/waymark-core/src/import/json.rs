//! Reading the JSON document `waymark export --format json` writes.
//!
//! The document is the plan itself, so what needs checking is what the types
//! cannot say: references to packages that exist, no cycles, and each name or
//! code once (the store keeps them unique). JSON has no line numbers once
//! parsed, so these diagnostics point at line 1 and name what they are about;
//! a key no field reads is found again in the text, and named at its place.

use std::collections::HashSet;

use serde::Deserialize;

use super::build::complete_registers;
use super::{Diagnostic, ImportError, Imported, Severity};
use crate::model::{Plan, Programme, WorkPackageRef};
use crate::schedule;

/// The export's `priorities` list beside the plan's fields; `programmes[].priority`
/// says the same.
#[derive(Deserialize)]
struct Priorities {
    #[serde(default)]
    priorities: Vec<String>,
}

pub(crate) fn read(text: &str) -> Result<Imported, ImportError> {
    // The plan is read straight from the text (not through a `flatten`ed
    // wrapper, which buffers it and then reports every bad value at the end of
    // the document), so a bad value's line and column are its own.
    let syntax = |e: serde_json::Error| ImportError::Syntax {
        line: e.line(),
        column: e.column().max(1),
        message: e
            .to_string()
            .split(" at line ")
            .next()
            .unwrap_or("invalid JSON")
            .to_string(),
    };
    // Keys no field reads (a hand-edited `"lead"`, a misspelt `"comment"`)
    // are kept in the notes, not dropped by serde without a word.
    let mut ignored: Vec<Vec<Segment>> = Vec::new();
    let mut de = serde_json::Deserializer::from_str(text);
    let plan: Plan = serde_ignored::deserialize(&mut de, |path| {
        let segments = segments(&path);
        // The export's `priorities` are read below.
        if segments != [Segment::Key("priorities".into())] {
            ignored.push(segments);
        }
    })
    .map_err(syntax)?;
    de.end().map_err(syntax)?;
    let doc: Priorities = serde_json::from_str(text).map_err(syntax)?;
    let mut plan = plan;
    let mut problems: Vec<String> = Vec::new();
    // Unknown keys, with the line and column of each.
    let mut unknown: Vec<(usize, usize, String)> = Vec::new();
    if !ignored.is_empty() {
        // A key twice in one object: the plan's fields refuse that, but
        // keys no field reads would both be noted with the last one's value.
        serde_json::from_str::<NoDuplicateKeys>(text).map_err(syntax)?;
        let value: serde_json::Value = serde_json::from_str(text).map_err(syntax)?;
        let places = key_places(text, &ignored);
        for (path, (line, column)) in ignored.iter().zip(places) {
            let pointer: String = path.iter().map(|s| format!("/{}", s.pointer())).collect();
            let shown: Vec<String> = path.iter().map(ToString::to_string).collect();
            let text = match value.pointer(&pointer) {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            };
            unknown.push((
                line,
                column,
                format!("unknown key {}: {text}", shown.join(".")),
            ));
        }
    }
    for name in doc.priorities {
        match plan
            .programmes
            .iter_mut()
            .find(|p| p.name.eq_ignore_ascii_case(&name))
        {
            Some(p) => p.priority = true,
            None => plan.programmes.push(Programme {
                name,
                priority: true,
                description: String::new(),
                work_packages: Vec::new(),
            }),
        }
    }
    let mut refs: HashSet<WorkPackageRef> = HashSet::new();
    for (r, _, _) in plan.work_packages() {
        if !refs.insert(r.clone()) {
            return Err(ImportError::Syntax {
                line: 1,
                column: 1,
                message: format!(
                    "work package {r} appears twice: two packages share a section number and a package number"
                ),
            });
        }
    }
    merge_duplicates(&mut plan, &mut problems);

    // Programme members that are not packages of this plan.
    for p in &mut plan.programmes {
        let name = &p.name;
        p.work_packages.retain(|r| {
            let known = refs.contains(r);
            if !known {
                problems.push(format!(
                    "programme {name} lists work package {r}, which does not exist"
                ));
            }
            known
        });
    }

    // Dependencies: both ends must exist, each once, and no cycle.
    let mut seen = HashSet::new();
    let candidates: Vec<_> = std::mem::take(&mut plan.dependencies)
        .into_iter()
        .filter(|dep| {
            if !refs.contains(&dep.predecessor) || !refs.contains(&dep.successor) {
                problems.push(format!(
                    "dependency {} → {} names a work package that does not exist",
                    dep.predecessor, dep.successor
                ));
                return false;
            }
            // The same link twice is one fact.
            seen.insert(dep.clone())
        })
        .collect();
    for (dep, result) in candidates
        .iter()
        .zip(schedule::accept_dependencies(&candidates))
    {
        match result {
            Ok(()) => plan.dependencies.push(dep.clone()),
            Err(e) => problems.push(e.to_string()),
        }
    }

    let mut diagnostics = Vec::new();
    for (line, column, message) in unknown {
        if !plan.notes.is_empty() {
            plan.notes.push('\n');
        }
        plan.notes.push_str(&format!("Line {line}: {message}"));
        diagnostics.push(Diagnostic {
            sheet: None,
            line,
            column,
            severity: Severity::Warning,
            message: format!("{message}; kept in the plan's notes"),
        });
    }
    for message in problems {
        if !plan.notes.is_empty() {
            plan.notes.push('\n');
        }
        plan.notes.push_str(&message);
        diagnostics.push(Diagnostic {
            sheet: None,
            line: 1,
            column: 1,
            severity: Severity::Warning,
            message: format!("{message}; kept in the plan's notes"),
        });
    }
    complete_registers(&mut plan);
    Ok(Imported {
        plan,
        diagnostics,
        columns: Vec::new(),
        sheet: None,
    })
}

/// A JSON document read only to refuse an object that has a key twice, at
/// the second one's place.
struct NoDuplicateKeys;

impl<'de> Deserialize<'de> for NoDuplicateKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NoDuplicateKeysVisitor)
    }
}

struct NoDuplicateKeysVisitor;

impl<'de> serde::de::Visitor<'de> for NoDuplicateKeysVisitor {
    type Value = NoDuplicateKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<NoDuplicateKeys>()?.is_some() {}
        Ok(NoDuplicateKeys)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut keys = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !keys.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!(
                    "the key \"{key}\" appears twice in one object, so which value is meant cannot be told"
                )));
            }
            map.next_value::<NoDuplicateKeys>()?;
        }
        Ok(NoDuplicateKeys)
    }
}

/// One step of the path to a value in the document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Segment {
    Key(String),
    Index(usize),
}

impl Segment {
    /// The step in a JSON pointer (RFC 6901).
    fn pointer(&self) -> String {
        match self {
            Segment::Key(k) => k.replace('~', "~0").replace('/', "~1"),
            Segment::Index(i) => i.to_string(),
        }
    }
}

impl std::fmt::Display for Segment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Segment::Key(k) => f.write_str(k),
            Segment::Index(i) => write!(f, "{i}"),
        }
    }
}

/// The line and column (in characters, from 1) of the key that ends each
/// of `paths`, found by walking the text, which has parsed as JSON; `(1, 1)`
/// for one not found.
fn key_places(text: &str, paths: &[Vec<Segment>]) -> Vec<(usize, usize)> {
    use std::collections::HashMap;
    enum Frame {
        /// An object, its key being read or last read, and whether a key is next.
        Object(Option<String>, bool),
        /// An array and the index of its element being read.
        Array(usize),
    }
    let wanted: HashMap<&[Segment], usize> = paths
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_slice(), i))
        .collect();
    let mut places = vec![(1, 1); paths.len()];
    let mut stack: Vec<Frame> = Vec::new();
    let (mut line, mut column) = (1, 0);
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        column += 1;
        match c {
            '\n' => {
                line += 1;
                column = 0;
            }
            '{' => stack.push(Frame::Object(None, true)),
            '[' => stack.push(Frame::Array(0)),
            '}' | ']' => {
                stack.pop();
            }
            ',' => match stack.last_mut() {
                Some(Frame::Object(_, next_is_key)) => *next_is_key = true,
                Some(Frame::Array(index)) => *index += 1,
                None => {}
            },
            ':' => {
                if let Some(Frame::Object(_, next_is_key)) = stack.last_mut() {
                    *next_is_key = false;
                }
            }
            '"' => {
                let (start_line, start_column) = (line, column);
                // To the closing quote; a string holds no raw line break.
                let mut end = at + 1;
                while let Some((i, c)) = chars.next() {
                    column += 1;
                    end = i + c.len_utf8();
                    match c {
                        '\\' if chars.next().is_some() => column += 1,
                        '"' => break,
                        _ => {}
                    }
                }
                let Some(Frame::Object(key, true)) = stack.last_mut() else {
                    continue;
                };
                let Ok(name) = serde_json::from_str::<String>(&text[at..end]) else {
                    continue;
                };
                *key = Some(name);
                let mut path: Vec<Segment> = Vec::with_capacity(stack.len());
                for frame in &stack {
                    match frame {
                        Frame::Object(Some(k), _) => path.push(Segment::Key(k.clone())),
                        Frame::Object(None, _) => {}
                        Frame::Array(i) => path.push(Segment::Index(*i)),
                    }
                }
                if let Some(&i) = wanted.get(path.as_slice()) {
                    places[i] = (start_line, start_column);
                }
            }
            _ => {}
        }
    }
    places
}

fn segments(path: &serde_ignored::Path<'_>) -> Vec<Segment> {
    use serde_ignored::Path;
    let mut out = Vec::new();
    let mut at = path;
    loop {
        at = match at {
            Path::Root => break,
            Path::Seq { parent, index } => {
                out.push(Segment::Index(*index));
                parent
            }
            Path::Map { parent, key } => {
                out.push(Segment::Key(key.clone()));
                parent
            }
            Path::Some { parent }
            | Path::NewtypeStruct { parent }
            | Path::NewtypeVariant { parent } => parent,
        };
    }
    out.reverse();
    out
}

/// Each influence code, related item and programme once (names compared
/// without regard to ASCII case, as the store does), and each package's lists
/// without repeats. A repeat that differs from the first is reported.
fn merge_duplicates(plan: &mut Plan, problems: &mut Vec<String>) {
    let mut codes = HashSet::new();
    let mut first_influences: Vec<crate::model::Influence> = Vec::new();
    for i in std::mem::take(&mut plan.influences) {
        if codes.insert(i.code.clone()) {
            first_influences.push(i);
        } else if let Some(first) = first_influences.iter().find(|f| f.code == i.code)
            && first != &i
        {
            problems.push(format!(
                "key influence {} is listed twice; the second (\"{}\", \"{}\") is not used",
                i.code, i.title, i.description
            ));
        }
    }
    plan.influences = first_influences;

    let mut names = HashSet::new();
    let mut first_items: Vec<crate::model::RelatedItem> = Vec::new();
    for item in std::mem::take(&mut plan.related_items) {
        if names.insert(item.name.to_ascii_lowercase()) {
            first_items.push(item);
        } else if let Some(first) = first_items
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(&item.name))
            && first != &item
        {
            problems.push(format!(
                "related item {} is listed twice; the second ({}, {}) is not used",
                first.name,
                item.name,
                item.kind.as_str()
            ));
        }
    }
    plan.related_items = first_items;

    let mut merged: Vec<Programme> = Vec::new();
    for p in std::mem::take(&mut plan.programmes) {
        match merged
            .iter_mut()
            .find(|m| m.name.eq_ignore_ascii_case(&p.name))
        {
            Some(m) => {
                problems.push(format!(
                    "programme {} is listed twice; merged into one",
                    m.name
                ));
                m.priority |= p.priority;
                if m.description.is_empty() {
                    m.description = p.description;
                } else if !p.description.is_empty() && p.description != m.description {
                    m.description.push('\n');
                    m.description.push_str(&p.description);
                }
                m.work_packages.extend(p.work_packages);
            }
            None => merged.push(p),
        }
    }
    for p in &mut merged {
        let mut seen = HashSet::new();
        p.work_packages.retain(|r| seen.insert(r.clone()));
    }
    plan.programmes = merged;

    for section in &mut plan.sections {
        for wp in &mut section.work_packages {
            let mut seen = HashSet::new();
            wp.influences.retain(|c| seen.insert(c.clone()));
            let mut seen = HashSet::new();
            wp.related_items
                .retain(|n| seen.insert(n.to_ascii_lowercase()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Segment, key_places};

    #[test]
    fn keys_are_found_at_their_line_and_column() {
        let text = "{\"a\": [1, {\"b\\\"\": \"x\\\"y\"},\n  {\"é\": {\"\\u00e9\": 2}}], \"c\": 3}";
        let key = |k: &str| Segment::Key(k.to_string());
        let paths = vec![
            vec![key("a"), Segment::Index(1), key("b\"")],
            vec![key("a"), Segment::Index(2), key("é"), key("é")],
            vec![key("c")],
            vec![key("missing")],
        ];
        assert_eq!(
            key_places(text, &paths),
            [(1, 12), (2, 10), (2, 26), (1, 1)]
        );
    }
}
