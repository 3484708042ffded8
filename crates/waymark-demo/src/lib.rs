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

/// One example item of the demo's RAID log, with its kind's fields as
/// `waymark raid add` takes them (an empty text: not given). Its packages
/// are named by reference and its programmes by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExampleRaidItem {
    /// `risk`, `assumption`, `issue` or `dependency`.
    pub kind: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub owner: &'static str,
    /// A risk's likelihood and impact, 1 to 5.
    pub likelihood: Option<u8>,
    pub impact: Option<u8>,
    /// A risk's mitigation and next review date (YYYY-MM-DD).
    pub mitigation: &'static str,
    pub next_review: &'static str,
    /// An issue's severity (`low`, `medium`, `high`, `critical`) and resolution.
    pub severity: &'static str,
    pub resolution: &'static str,
    /// A dependency's provider and the date it is needed by (YYYY-MM-DD).
    pub provider: &'static str,
    pub needed_by: &'static str,
    pub packages: &'static [&'static str],
    pub programmes: &'static [&'static str],
}

/// The fields of an item no kind fills: the start of each example.
const NONE: ExampleRaidItem = ExampleRaidItem {
    kind: "",
    title: "",
    description: "",
    owner: "",
    likelihood: None,
    impact: None,
    mitigation: "",
    next_review: "",
    severity: "",
    resolution: "",
    provider: "",
    needed_by: "",
    packages: &[],
    programmes: &[],
};

/// The demo's example RAID log: four risks in four cells of the heat map
/// (scores 16, 15, 10 and 4), an issue, an assumption and a dependency on
/// something outside the plan, each concerning one of the plan's initial
/// priorities (ISA, e-CAF, the Child Concern Pathway) or its packages, as a
/// county council's children's services might have recorded them in
/// 2006–07. Each title begins "Example:" and each description "Example …
/// (demonstration data)": they are not the strategy group's.
pub const EXAMPLE_RAID: &[ExampleRaidItem] = &[
    ExampleRaidItem {
        kind: "risk",
        title: "Example: the e-CAF system is not ready when the national rollout starts",
        description: "Example risk (demonstration data): the supplier's electronic Common Assessment Framework module depends on a national data standard that is not yet final, so practitioners may have to keep using paper CAF forms.",
        owner: "e-CAF project manager",
        likelihood: Some(4),
        impact: Some(4),
        mitigation: "Monthly checkpoint with the supplier; keep the paper CAF process as the fallback; join the regional e-CAF pilot group.",
        next_review: "2007-03-30",
        packages: &["10.3.1"],
        programmes: &["e-CAF"],
        ..NONE
    },
    ExampleRaidItem {
        kind: "risk",
        title: "Example: partner agencies will not share information without agreed protocols",
        description: "Example risk (demonstration data): health, the police and the voluntary sector hold information about children that ISA needs, and will not share it until information-sharing protocols and the Caldicott checks are agreed.",
        owner: "Information governance lead",
        likelihood: Some(3),
        impact: Some(5),
        mitigation: "Draft the protocols through the Local Safeguarding Children Board; each data flow signed off by the Caldicott guardians.",
        next_review: "2007-02-28",
        packages: &["10.2.3"],
        programmes: &["ISA"],
        ..NONE
    },
    ExampleRaidItem {
        kind: "risk",
        title: "Example: the social care case system cannot feed the Child Concern Pathway",
        description: "Example risk (demonstration data): the legacy social care case management system has no interface for passing a concern on, so referrals may have to be keyed twice.",
        owner: "Head of ICT",
        likelihood: Some(2),
        impact: Some(5),
        mitigation: "Ask the supplier for an interface in the next upgrade; agree a manual referral procedure meanwhile.",
        next_review: "2007-04-30",
        packages: &["10.3.4"],
        programmes: &["Child Concern Pathway"],
        ..NONE
    },
    ExampleRaidItem {
        kind: "risk",
        title: "Example: the mobile working pilot costs more than its budget",
        description: "Example risk (demonstration data): CareMobile and Citrix Access Gateway licences for the Child Concern Pathway's social workers may cost more than the pilot budget allows.",
        owner: "ICT strategy officer",
        likelihood: Some(2),
        impact: Some(2),
        mitigation: "Price the licences before the pilot starts; limit the pilot to one area team.",
        next_review: "2007-06-29",
        packages: &["10.4.4"],
        programmes: &["Child Concern Pathway"],
        ..NONE
    },
    ExampleRaidItem {
        kind: "issue",
        title: "Example: children are recorded differently in education and social care systems",
        description: "Example issue (demonstration data): names, dates of birth and unique pupil numbers are held in different forms, so records of the same child cannot be matched for the ISA index.",
        owner: "Information governance lead",
        severity: "high",
        resolution: "Agree a common child record with the data management project (RAP project 2) and cleanse the records before the first load.",
        packages: &["10.3.4"],
        programmes: &["ISA"],
        ..NONE
    },
    ExampleRaidItem {
        kind: "assumption",
        title: "Example: DfES grant funds the ISA work until March 2008",
        description: "Example assumption (demonstration data): the financial model assumes the Change Fund grant for information sharing and assessment continues until the end of 2007–08.",
        owner: "Finance business partner",
        packages: &["#6.1"],
        programmes: &["ISA"],
        ..NONE
    },
    ExampleRaidItem {
        kind: "dependency",
        title: "Example: the national ISA index and its connection standards",
        description: "Example dependency (demonstration data): the directorate's systems can be linked to the national index only once the DfES publishes its interface and the Government Connect network is in place.",
        owner: "Head of ICT",
        provider: "DfES",
        needed_by: "2007-09-28",
        packages: &["10.3.1"],
        programmes: &["ISA", "e-CAF"],
        ..NONE
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Each example says it is one, has a kind's fields only, and concerns
    /// an initial priority; the risks fall in different cells of the heat
    /// map, none in the top one (the browser tests put theirs there).
    #[test]
    fn the_raid_examples_say_they_are_examples() {
        let mut cells = Vec::new();
        for item in EXAMPLE_RAID {
            assert!(item.title.starts_with("Example: "), "{item:?}");
            assert!(item.description.starts_with("Example "), "{item:?}");
            assert!(
                item.description.contains("(demonstration data)"),
                "{item:?}"
            );
            assert!(!item.programmes.is_empty(), "{item:?}");
            for p in item.programmes {
                assert!(
                    ["ISA", "e-CAF", "Child Concern Pathway"].contains(p),
                    "{item:?}"
                );
            }
            let risk = item.kind == "risk";
            assert_eq!(
                risk,
                item.likelihood.is_some() && item.impact.is_some(),
                "{item:?}"
            );
            assert_eq!(risk, !item.mitigation.is_empty(), "{item:?}");
            assert_eq!(item.kind == "issue", !item.severity.is_empty(), "{item:?}");
            assert_eq!(
                item.kind == "dependency",
                !item.provider.is_empty(),
                "{item:?}"
            );
            if let (Some(l), Some(i)) = (item.likelihood, item.impact) {
                assert!((1..=5).contains(&l) && (1..=5).contains(&i), "{item:?}");
                assert!(l * i < 25, "{item:?}");
                cells.push((l, i));
            }
        }
        let kinds: Vec<&str> = EXAMPLE_RAID.iter().map(|i| i.kind).collect();
        assert_eq!(
            kinds,
            [
                "risk",
                "risk",
                "risk",
                "risk",
                "issue",
                "assumption",
                "dependency"
            ]
        );
        let mut distinct = cells.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), cells.len(), "{cells:?}");
    }

    #[test]
    fn the_path_and_the_bytes_are_the_same_file() {
        let on_disk = std::fs::read(CYPS_PLAN_PATH);
        assert_eq!(on_disk.ok().as_deref(), Some(CYPS_PLAN));
        assert!(CYPS_PLAN_PATH.ends_with(CYPS_PLAN_FILE));
    }
}
