//! The demo data: the first customer's ICT strategy action plan (Children and
//! Young People's Services of a county council), as the plan-text file they
//! exported from their strategy document.
//!
//! `waymark demo` loads it, and the tests of every crate read the same bytes,
//! so what a newcomer sees is what the tests check. The file lives in `data/`
//! beside this crate; it is the customer's document unchanged.

/// The plan's file name, as import reports name it.
pub const CYPS_PLAN_FILE: &str = "cyps-ict-action-plan.txt";

/// Path of the plan's file in the source tree (for tests that run the CLI on it).
pub const CYPS_PLAN_PATH: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/data/cyps-ict-action-plan.txt");

/// The plan's bytes, exactly as the customer's file holds them.
pub const CYPS_PLAN: &[u8] = include_bytes!("../data/cyps-ict-action-plan.txt");

/// The title the demo gives the plan (the file has no title line of its own).
pub const CYPS_PLAN_TITLE: &str = "CYPS ICT strategy action plan";

/// The organisation the demo names as the plan's owner.
pub const CYPS_ORGANISATION: &str = "Children and Young People's Services";

/// The demo's example priority criteria: name, weight (1 to 100) and
/// description. Each description begins "Example", which the pages read as
/// "this is an example" (they are not the strategy group's).
pub const EXAMPLE_CRITERIA: &[(&str, u32, &str)] = &[
    (
        "Statutory duty",
        30,
        "Example criterion (demonstration data): how far the work is required by law or statutory guidance, such as the Children Act 2004. 1: not at all; 5: a statutory duty with a deadline.",
    ),
    (
        "Safeguarding impact",
        25,
        "Example criterion (demonstration data): how much the work helps keep children and young people safe. 1: no effect; 5: directly protects children at risk.",
    ),
    (
        "Business need",
        20,
        "Example criterion (demonstration data): how much the services need it to do their work. 1: nice to have; 5: services cannot work well without it.",
    ),
    (
        "Cost",
        15,
        "Example criterion (demonstration data): how affordable it is. 1: costs most; 5: costs least.",
    ),
    (
        "Risk of not doing it",
        10,
        "Example criterion (demonstration data): what happens if it is not done. 1: little; 5: serious harm, censure or waste.",
    ),
];

/// What an example score is of: a programme by name, or a package by
/// reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExampleItem {
    Programme(&'static str),
    Package(&'static str),
}

/// The demo's example scores: for each item, its score on each of
/// [`EXAMPLE_CRITERIA`] in order (`None`: not scored, to show an item listed
/// apart), and a note. The three initial priorities are scored on every
/// criterion; two packages tie; one package is scored on two criteria only.
pub const EXAMPLE_SCORES: &[(ExampleItem, [Option<u8>; 5], &str)] = &[
    (
        ExampleItem::Programme("ISA"),
        [Some(5), Some(5), Some(4), Some(3), Some(4)],
        "Example score (demonstration data): information sharing and assessment is named in the plan as an initial priority.",
    ),
    (
        ExampleItem::Programme("e-CAF"),
        [Some(4), Some(5), Some(5), Some(4), Some(3)],
        "Example score (demonstration data): the electronic Common Assessment Framework is named in the plan as an initial priority.",
    ),
    (
        ExampleItem::Programme("Child Concern Pathway"),
        [Some(5), Some(4), Some(4), Some(2), Some(5)],
        "Example score (demonstration data): the Child Concern Pathway programme is named in the plan as an initial priority.",
    ),
    (
        ExampleItem::Package("10.3.1"),
        [Some(4), Some(4), Some(4), Some(4), Some(4)],
        "Example score (demonstration data): publishing the strategy relates to e-CAF.",
    ),
    (
        ExampleItem::Package("10.2.2"),
        [Some(4), Some(4), Some(4), Some(4), Some(4)],
        "Example score (demonstration data): approving the strategy confirms the business priorities.",
    ),
    (
        ExampleItem::Package("10.1.1"),
        [Some(2), Some(1), Some(4), Some(5), Some(2)],
        "Example score (demonstration data): the application review.",
    ),
    (
        ExampleItem::Package("10.1.2"),
        [Some(3), None, Some(4), None, None],
        "Example score (demonstration data): only partly scored, to show an item listed apart from the ranking.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_and_the_bytes_are_the_same_file() {
        let on_disk = std::fs::read(CYPS_PLAN_PATH);
        assert_eq!(on_disk.ok().as_deref(), Some(CYPS_PLAN));
        assert!(CYPS_PLAN_PATH.ends_with(CYPS_PLAN_FILE));
    }
}
