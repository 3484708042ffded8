//! Updating a stored plan from a newer version of its file: what would
//! change. The plan document is re-issued every year; its packages are
//! matched to the stored ones by reference (the section, by its number, else
//! its title, then the package's number), so a matched package keeps its id,
//! its dependencies and its links, and only its fields change.
//!
//! [`compare`] is the whole decision, as plain values: the store applies it
//! in one transaction (after checking, by [`Comparison::fingerprint`], that
//! the stored plan is still the one the person saw compared), the preview
//! page and `waymark import --update` show it.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use crate::model::{Plan, Section, WorkPackage, WorkPackageRef, format_delivery};

/// One field of a package that the file changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// The field as a person names it (`delivery`, `key influences`).
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

/// A package the file adds, or one it no longer has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageLine {
    /// Its reference in the plan (after the update, for an added one).
    pub reference: WorkPackageRef,
    pub title: String,
}

/// A package both hold, with the fields the file changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedPackage {
    pub reference: WorkPackageRef,
    /// The title the file gives it.
    pub title: String,
    pub fields: Vec<FieldChange>,
}

/// Where an incoming package goes: the stored package it updates, or a new
/// one in a stored section or in one the update adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The stored package at (section index, package index in that section).
    Update { section: usize, package: usize },
    /// A new package in the stored section of this index.
    AddTo { section: usize },
    /// A new package in the `n`th section the update adds.
    AddToNew { new_section: usize },
}

/// What updating a stored plan from a file would do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Comparison {
    /// Sections the file has and the plan does not (labels, in the file's order).
    pub sections_added: Vec<String>,
    /// The incoming sections these are, by index in the file.
    pub new_sections: Vec<usize>,
    pub added: Vec<PackageLine>,
    pub changed: Vec<ChangedPackage>,
    /// Stored packages the file does not have (removed only when asked).
    pub missing: Vec<PackageLine>,
    /// Packages both hold alike.
    pub unchanged: usize,
    /// Key influences the file defines that the plan has not (codes).
    pub influences_added: Vec<String>,
    /// Programmes the file has that the plan has not (names).
    pub programmes_added: Vec<String>,
    /// Packages the file puts in a programme the plan has, which are not in it
    /// yet (programme name, reference).
    pub programme_members_added: Vec<(String, WorkPackageRef)>,
    /// Dependencies the file has that the plan has not (references after the update).
    pub dependencies_added: Vec<(WorkPackageRef, WorkPackageRef)>,
    /// The file's text that fits no field (its notes), when the plan's
    /// notes do not hold it yet: added to them, so nothing is lost.
    pub notes_added: String,
    /// For each package of the file, by its reference in the file: where it goes.
    pub targets: HashMap<WorkPackageRef, Target>,
    /// For each package of the file, by its reference in the file: its
    /// reference in the plan after the update.
    pub references: HashMap<WorkPackageRef, WorkPackageRef>,
}

/// Why a file cannot update a plan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompareError {
    #[error("work package {0} appears twice in the file")]
    Duplicate(WorkPackageRef),
}

impl Comparison {
    /// Whether the update would change nothing (missing packages aside:
    /// they stay unless removal is asked for).
    pub fn is_empty(&self) -> bool {
        self.sections_added.is_empty()
            && self.added.is_empty()
            && self.changed.is_empty()
            && self.influences_added.is_empty()
            && self.programmes_added.is_empty()
            && self.programme_members_added.is_empty()
            && self.dependencies_added.is_empty()
            && self.notes_added.is_empty()
    }

    /// Every change written out whole, one per line: what `waymark import
    /// --update` prints, and what [`Comparison::fingerprint`] hashes.
    pub fn report(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} added, {} changed, {} unchanged, {} not in the file",
            self.added.len(),
            self.changed.len(),
            self.unchanged,
            self.missing.len()
        );
        for s in &self.sections_added {
            let _ = writeln!(out, "section added: {s}");
        }
        for p in &self.added {
            let _ = writeln!(out, "added {}: {}", p.reference, p.title);
        }
        for p in &self.changed {
            let _ = writeln!(out, "changed {}: {}", p.reference, p.title);
            for f in &p.fields {
                let _ = writeln!(
                    out,
                    "  {}: {} -> {}",
                    f.field,
                    shown(&f.before),
                    shown(&f.after)
                );
            }
        }
        for p in &self.missing {
            let _ = writeln!(out, "not in the file {}: {}", p.reference, p.title);
        }
        for c in &self.influences_added {
            let _ = writeln!(out, "key influence added: {c}");
        }
        for n in &self.programmes_added {
            let _ = writeln!(out, "programme added: {n}");
        }
        for (n, r) in &self.programme_members_added {
            let _ = writeln!(out, "programme {n}: {r} added");
        }
        for (p, s) in &self.dependencies_added {
            let _ = writeln!(out, "dependency added: {p} -> {s}");
        }
        if !self.notes_added.is_empty() {
            let _ = writeln!(
                out,
                "added to the plan's notes: {} lines",
                self.notes_added.lines().count()
            );
            for line in self.notes_added.lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
        out
    }

    /// A digest of [`Comparison::report`]: the preview carries it, and the
    /// update is refused when the stored plan no longer compares the same.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(self.report().as_bytes());
        digest.iter().fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
    }
}

/// An empty value written so a reader sees it is empty.
fn shown(text: &str) -> String {
    if text.is_empty() {
        "(empty)".to_string()
    } else {
        text.replace('\n', " / ")
    }
}

/// A package's fields as text, in the order a person reads them.
pub fn package_fields(wp: &WorkPackage) -> Vec<(&'static str, String)> {
    let codes: Vec<String> = wp.influences.iter().map(|c| c.to_string()).collect();
    vec![
        ("title", wp.title.clone()),
        ("scope", wp.scope.clone()),
        ("relationships", wp.relationships.clone()),
        ("related items", wp.related_items.join("; ")),
        ("delivery", format_delivery(&wp.delivery)),
        ("delivery as written", wp.delivery_as_written.clone()),
        ("comments", wp.comments.clone()),
        ("key influences", codes.join(", ")),
        ("owner", wp.owner.clone()),
        ("status", wp.status.label().to_string()),
        (
            "RAG",
            wp.rag.map(|r| r.label().to_string()).unwrap_or_default(),
        ),
        ("progress", format!("{}%", wp.progress.get())),
        ("progress note", wp.progress_note.clone()),
        (
            "actual delivery",
            wp.actual_delivery
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ),
    ]
}

/// The fields of `after` that differ from `before`.
pub fn field_changes(before: &WorkPackage, after: &WorkPackage) -> Vec<FieldChange> {
    package_fields(before)
        .into_iter()
        .zip(package_fields(after))
        .filter(|((_, b), (_, a))| b != a)
        .map(|((field, b), (_, a))| FieldChange {
            field,
            before: b,
            after: a,
        })
        .collect()
}

/// How a section is matched: by its number, else its title (either
/// compared without regard to case or spacing).
fn section_key(section: &Section) -> Option<String> {
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    match (&section.number, &section.title) {
        (Some(n), _) if !n.trim().is_empty() => Some(format!("n:{}", norm(n))),
        (_, Some(t)) if !t.trim().is_empty() => Some(format!("t:{}", norm(t))),
        _ => None,
    }
}

/// What updating `stored` from `incoming` (a file read as a plan) would do.
/// A package the file names twice is an error; everything else is a change.
pub fn compare(stored: &Plan, incoming: &Plan) -> Result<Comparison, CompareError> {
    let mut cmp = Comparison::default();

    // Sections: by key; an unheaded section matches the unheaded stored
    // section at the same place.
    let stored_keys: HashMap<String, usize> = stored
        .sections
        .iter()
        .enumerate()
        .filter_map(|(i, s)| section_key(s).map(|k| (k, i)))
        .collect();
    let mut taken: HashSet<usize> = HashSet::new();
    // For each section of the file, the stored section it is (by index), if any.
    let mut section_map: Vec<Option<usize>> = Vec::with_capacity(incoming.sections.len());
    for (i, section) in incoming.sections.iter().enumerate() {
        let found = match section_key(section) {
            Some(k) => stored_keys.get(&k).copied(),
            None => stored
                .sections
                .get(i)
                .filter(|s| section_key(s).is_none())
                .map(|_| i),
        }
        .filter(|s| taken.insert(*s));
        if found.is_none() {
            cmp.sections_added
                .push(section.label(stored.sections.len() + cmp.new_sections.len()));
            cmp.new_sections.push(i);
        }
        section_map.push(found);
    }

    // Stored packages by (section index, number).
    let mut stored_packages: HashMap<(usize, &str), (usize, WorkPackageRef)> = HashMap::new();
    for (si, section) in stored.sections.iter().enumerate() {
        for (pi, wp) in section.work_packages.iter().enumerate() {
            stored_packages.insert(
                (si, wp.number.as_str()),
                (pi, WorkPackageRef::new(section, si, &wp.number)),
            );
        }
    }

    let mut matched: HashSet<(usize, usize)> = HashSet::new();
    for (si, section) in incoming.sections.iter().enumerate() {
        for wp in &section.work_packages {
            let file_ref = WorkPackageRef::new(section, si, &wp.number);
            let (target, plan_ref) = match section_map[si] {
                Some(ssi) => {
                    let stored_section = &stored.sections[ssi];
                    match stored_packages.get(&(ssi, wp.number.as_str())) {
                        Some((pi, r)) => (
                            Target::Update {
                                section: ssi,
                                package: *pi,
                            },
                            r.clone(),
                        ),
                        None => (
                            Target::AddTo { section: ssi },
                            WorkPackageRef::new(stored_section, ssi, &wp.number),
                        ),
                    }
                }
                None => {
                    let n = cmp.new_sections.iter().position(|x| *x == si).unwrap_or(0);
                    (
                        Target::AddToNew { new_section: n },
                        WorkPackageRef::new(section, stored.sections.len() + n, &wp.number),
                    )
                }
            };
            if cmp.targets.insert(file_ref.clone(), target).is_some() {
                return Err(CompareError::Duplicate(file_ref));
            }
            cmp.references.insert(file_ref, plan_ref.clone());
            match target {
                Target::Update { section, package } => {
                    matched.insert((section, package));
                    let fields =
                        field_changes(&stored.sections[section].work_packages[package], wp);
                    if fields.is_empty() {
                        cmp.unchanged += 1;
                    } else {
                        cmp.changed.push(ChangedPackage {
                            reference: plan_ref,
                            title: wp.title.clone(),
                            fields,
                        });
                    }
                }
                Target::AddTo { .. } | Target::AddToNew { .. } => cmp.added.push(PackageLine {
                    reference: plan_ref,
                    title: wp.title.clone(),
                }),
            }
        }
    }
    for (si, section) in stored.sections.iter().enumerate() {
        for (pi, wp) in section.work_packages.iter().enumerate() {
            if !matched.contains(&(si, pi)) {
                cmp.missing.push(PackageLine {
                    reference: WorkPackageRef::new(section, si, &wp.number),
                    title: wp.title.clone(),
                });
            }
        }
    }

    // Registers: what the file defines that the plan has not.
    let stored_codes: HashSet<&str> = stored.influences.iter().map(|i| i.code.as_str()).collect();
    let mut seen = HashSet::new();
    for inf in &incoming.influences {
        if !stored_codes.contains(inf.code.as_str()) && seen.insert(inf.code.as_str()) {
            cmp.influences_added.push(inf.code.to_string());
        }
    }
    let resolve = |r: &WorkPackageRef| cmp.references.get(r).cloned();
    let mut programme_members_added = Vec::new();
    let mut programmes_added = Vec::new();
    let mut seen = HashSet::new();
    for prog in &incoming.programmes {
        let key = prog.name.to_lowercase();
        if !seen.insert(key.clone()) {
            continue;
        }
        match stored
            .programmes
            .iter()
            .find(|p| p.name.to_lowercase() == key)
        {
            None => programmes_added.push(prog.name.clone()),
            Some(existing) => {
                for r in &prog.work_packages {
                    if let Some(r) = resolve(r)
                        && !existing.work_packages.contains(&r)
                        && !programme_members_added.contains(&(existing.name.clone(), r.clone()))
                    {
                        programme_members_added.push((existing.name.clone(), r));
                    }
                }
            }
        }
    }
    let stored_deps: HashSet<(&WorkPackageRef, &WorkPackageRef)> = stored
        .dependencies
        .iter()
        .map(|d| (&d.predecessor, &d.successor))
        .collect();
    let mut dependencies_added = Vec::new();
    for dep in &incoming.dependencies {
        if let (Some(p), Some(s)) = (resolve(&dep.predecessor), resolve(&dep.successor))
            && !stored_deps.contains(&(&p, &s))
            && !dependencies_added.contains(&(p.clone(), s.clone()))
        {
            dependencies_added.push((p, s));
        }
    }
    let notes = incoming.notes.trim();
    if !notes.is_empty() && !stored.notes.contains(notes) {
        cmp.notes_added = notes.to_string();
    }
    cmp.programmes_added = programmes_added;
    cmp.programme_members_added = programme_members_added;
    cmp.dependencies_added = dependencies_added;
    Ok(cmp)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::{Dependency, Programme, Status};

    /// A section: its number, its title, its packages' numbers and titles.
    type SectionSpec<'a> = (Option<&'a str>, Option<&'a str>, &'a [(&'a str, &'a str)]);

    fn plan(sections: &[SectionSpec<'_>]) -> Plan {
        let mut p = Plan::new("Plan");
        for (number, title, packages) in sections {
            p.sections.push(Section {
                number: number.map(str::to_string),
                title: title.map(str::to_string),
                work_packages: packages
                    .iter()
                    .map(|(n, t)| WorkPackage::new(*n, *t))
                    .collect(),
            });
        }
        p
    }

    fn r(s: &str) -> WorkPackageRef {
        WorkPackageRef(s.to_string())
    }

    #[test]
    fn packages_match_by_reference_and_changes_are_field_by_field() {
        let stored = plan(&[
            (
                Some("10.1"),
                Some("Core"),
                &[("1", "Review"), ("2", "Upgrade")],
            ),
            (Some("10.2"), Some("Data"), &[("1", "Warehouse")]),
        ]);
        let mut incoming = plan(&[
            (
                Some("10.1"),
                Some("Core systems"),
                &[("1", "Review"), ("2", "Upgrade v2"), ("3", "New")],
            ),
            (Some("10.3"), Some("Security"), &[("1", "Audit")]),
        ]);
        incoming.sections[0].work_packages[0].status = Status::Delivered;
        let cmp = compare(&stored, &incoming).unwrap();
        assert_eq!(cmp.sections_added, vec!["10.3 Security".to_string()]);
        let added: Vec<&str> = cmp.added.iter().map(|p| p.reference.as_str()).collect();
        assert_eq!(added, vec!["10.1.3", "10.3.1"]);
        let missing: Vec<&str> = cmp.missing.iter().map(|p| p.reference.as_str()).collect();
        assert_eq!(missing, vec!["10.2.1"]);
        assert_eq!(cmp.unchanged, 0);
        assert_eq!(cmp.changed.len(), 2);
        assert_eq!(
            cmp.changed[0].fields,
            vec![FieldChange {
                field: "status",
                before: "Proposed".into(),
                after: "Delivered".into()
            }]
        );
        assert_eq!(cmp.changed[1].fields[0].field, "title");
        assert_eq!(
            cmp.targets[&r("10.1.2")],
            Target::Update {
                section: 0,
                package: 1
            }
        );
        assert_eq!(
            cmp.targets[&r("10.3.1")],
            Target::AddToNew { new_section: 0 }
        );
        assert!(!cmp.is_empty());
    }

    #[test]
    fn the_same_plan_changes_nothing_and_its_fingerprint_is_stable() {
        let stored = plan(&[(Some("1"), None, &[("1", "A"), ("2", "B")])]);
        let cmp = compare(&stored, &stored.clone()).unwrap();
        assert!(cmp.is_empty());
        assert_eq!(cmp.unchanged, 2);
        assert!(cmp.missing.is_empty());
        let again = compare(&stored, &stored.clone()).unwrap();
        assert_eq!(cmp.fingerprint(), again.fingerprint());
        let mut other = stored.clone();
        other.sections[0].work_packages[1].owner = "Head of ICT".into();
        assert_ne!(
            compare(&stored, &other).unwrap().fingerprint(),
            cmp.fingerprint()
        );
    }

    #[test]
    fn sections_without_numbers_match_by_title_or_place() {
        let stored = plan(&[
            (None, Some("Finance"), &[("1", "Budget")]),
            (None, None, &[("1", "Loose")]),
        ]);
        let incoming = plan(&[
            (None, Some("finance"), &[("1", "Budget")]),
            (None, None, &[("1", "Loose"), ("2", "More")]),
        ]);
        let cmp = compare(&stored, &incoming).unwrap();
        assert!(cmp.sections_added.is_empty());
        assert_eq!(cmp.unchanged, 2);
        assert_eq!(cmp.added[0].reference, r("#2.2"));
    }

    #[test]
    fn a_package_twice_in_the_file_is_an_error() {
        let stored = plan(&[(Some("1"), None, &[("1", "A")])]);
        let incoming = plan(&[(Some("1"), None, &[("1", "A"), ("1", "A again")])]);
        assert_eq!(
            compare(&stored, &incoming),
            Err(CompareError::Duplicate(r("1.1")))
        );
    }

    #[test]
    fn registers_and_dependencies_the_plan_lacks_are_added() {
        let mut stored = plan(&[(Some("1"), None, &[("1", "A"), ("2", "B")])]);
        stored.programmes.push(Programme {
            name: "Digital".into(),
            priority: false,
            description: String::new(),
            work_packages: vec![r("1.1")],
        });
        let mut incoming = stored.clone();
        incoming.sections[0]
            .work_packages
            .push(WorkPackage::new("3", "C"));
        incoming.programmes[0].work_packages.push(r("1.3"));
        incoming.programmes.push(Programme {
            name: "Data".into(),
            priority: true,
            description: String::new(),
            work_packages: vec![r("1.2")],
        });
        incoming.dependencies.push(Dependency {
            predecessor: r("1.1"),
            successor: r("1.3"),
        });
        let cmp = compare(&stored, &incoming).unwrap();
        assert_eq!(cmp.programmes_added, vec!["Data".to_string()]);
        assert_eq!(
            cmp.programme_members_added,
            vec![("Digital".to_string(), r("1.3"))]
        );
        assert_eq!(cmp.dependencies_added, vec![(r("1.1"), r("1.3"))]);
        assert!(cmp.report().contains("dependency added: 1.1 -> 1.3"));
    }
}
