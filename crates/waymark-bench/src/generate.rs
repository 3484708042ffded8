//! Synthetic action plans of any size, the same plan for the same seed.
//!
//! The plan looks like a large council's: titles and scopes made of words, every
//! status, RAG and owner in use, delivery quarters over several years, a few
//! influence codes and related items per package (popular ones more often, as in
//! real plans), priority programmes, and dependencies that never form a cycle
//! because they only run from an earlier package to a later one.

use std::collections::HashSet;
use std::fmt::Write;

use anyhow::{Result, bail};
use waymark_core::model::{
    DeliveryTarget, Dependency, Influence, InfluenceCode, Plan, Programme, Progress, Rag,
    RelatedItem, RelatedKind, Section, Status, WorkPackage, WorkPackageRef,
};
use waymark_core::quarter::{Quarter, QuarterConvention};

/// xorshift64*: small, fast and good enough to spread test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        // splitmix64 step so that nearby seeds give unrelated streams; never zero.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n`; `n` must be above zero.
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 11) % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    pub fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// A number in `0..n` where low numbers come up more often, so that a few
    /// influences and related items are cited by many packages.
    pub fn skewed(&mut self, n: usize) -> usize {
        self.below(n).min(self.below(n))
    }

    pub fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[self.below(words.len())]
    }
}

/// How big a plan to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    pub packages: usize,
    pub sections: usize,
    pub influences: usize,
    pub related: usize,
    pub dependencies: usize,
    pub seed: u64,
}

impl Spec {
    /// Proportions of a large plan: 1,000 packages a section, a dependency for
    /// one package in ten.
    pub fn scaled(packages: usize) -> Self {
        Spec {
            packages,
            sections: packages.div_ceil(1000).max(1),
            influences: 60,
            related: 400,
            dependencies: packages / 10,
            seed: 42,
        }
    }
}

const VERBS: &[&str] = &[
    "Review",
    "Implement",
    "Replace",
    "Procure",
    "Pilot",
    "Evaluate",
    "Develop",
    "Migrate",
    "Integrate",
    "Publish",
    "Consolidate",
    "Upgrade",
    "Extend",
    "Retire",
    "Train",
    "Roll out",
    "Benchmark",
    "Secure",
    "Align",
    "Agree",
];
const ADJECTIVES: &[&str] = &[
    "corporate",
    "shared",
    "secure",
    "mobile",
    "integrated",
    "online",
    "regional",
    "statutory",
    "joint",
    "digital",
    "legacy",
    "single",
    "common",
    "local",
    "strategic",
    "operational",
];
const NOUNS: &[&str] = &[
    "case management system",
    "schools network",
    "information sharing",
    "data warehouse",
    "performance reporting",
    "records management",
    "identity service",
    "finance system",
    "payroll interface",
    "youth service database",
    "admissions portal",
    "contact point",
    "workforce directory",
    "document store",
    "help desk",
    "asset register",
    "web site",
    "e-learning platform",
    "video conferencing",
    "wireless access",
    "email archive",
    "address gazetteer",
    "child protection register",
    "attendance monitoring",
    "special needs assessment",
    "transport booking",
    "procurement process",
];
const AUDIENCES: &[&str] = &[
    "children and young people",
    "parents and carers",
    "schools",
    "social workers",
    "partner agencies",
    "health visitors",
    "the youth offending team",
    "elected members",
    "early years settings",
    "staff",
];
const SCOPE_WORDS: &[&str] = &[
    "identify",
    "gaps",
    "requirements",
    "options",
    "costs",
    "benefits",
    "partners",
    "suppliers",
    "agree",
    "standards",
    "review",
    "current",
    "systems",
    "processes",
    "data",
    "quality",
    "training",
    "support",
    "security",
    "access",
    "governance",
    "pilot",
    "evaluate",
    "report",
    "procure",
    "contract",
    "migration",
    "integration",
    "users",
    "consultation",
    "priorities",
    "business",
    "case",
    "funding",
    "risks",
    "timescales",
    "workshops",
    "checklist",
    "Caldicott",
    "guidance",
    "information",
    "sharing",
    "protocol",
    "outcomes",
    "the",
    "and",
    "with",
    "for",
    "across",
    "all",
    "new",
    "existing",
    "services",
    "teams",
];
const SECTION_THEMES: &[&str] = &[
    "Core business systems",
    "Governance",
    "Integration strategy",
    "Technology innovation",
    "Organisation",
    "Information management",
    "Infrastructure",
    "Schools ICT",
    "Workforce",
    "Finance",
    "Partnerships",
    "Security",
    "Customer access",
    "Performance management",
];
const OWNERS: &[&str] = &[
    "A. Patel",
    "B. Okafor",
    "C. Jones",
    "D. Nowak",
    "E. Murphy",
    "F. Ahmed",
    "G. Smith",
    "H. Chen",
    "I. Williams",
    "J. Taylor",
    "K. Brown",
    "L. Evans",
    "M. Khan",
    "N. Davies",
    "O. Wilson",
    "P. Hughes",
    "Q. Roberts",
    "R. Walker",
    "S. Green",
    "T. Hall",
];
const PROGRAMMES: &[(&str, bool)] = &[
    ("ISA", true),
    ("e-CAF", true),
    ("Child Concern Pathway", true),
    ("Business Transformation", false),
    ("Schools Connectivity", false),
    ("Information Governance", false),
    ("Mobile Working", false),
];

/// The word a related item's name ends in, by its kind.
fn kind_word(kind: RelatedKind) -> &'static str {
    match kind {
        RelatedKind::Strategy => "Strategy",
        RelatedKind::Plan => "Plan",
        RelatedKind::Programme => "Programme",
        RelatedKind::Project => "Project",
        RelatedKind::System => "System",
        RelatedKind::Standard => "Standard",
        RelatedKind::Organisation => "Partnership",
        RelatedKind::Other => "Framework",
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn words(rng: &mut Rng, out: &mut String, count: usize) {
    for i in 0..count {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(rng.pick(SCOPE_WORDS));
    }
}

fn sentence(rng: &mut Rng, lo: usize, hi: usize) -> String {
    let mut s = String::new();
    let count = rng.between(lo, hi);
    words(rng, &mut s, count);
    s.push('.');
    capitalise(&s)
}

fn title(rng: &mut Rng) -> String {
    let mut t = format!(
        "{} {} {}",
        rng.pick(VERBS),
        rng.pick(ADJECTIVES),
        rng.pick(NOUNS)
    );
    if rng.chance(40) {
        let _ = write!(t, " for {}", rng.pick(AUDIENCES));
    }
    t
}

/// Up to `want` distinct values from `0..n`, skewed to low numbers, in order.
fn distinct_skewed(rng: &mut Rng, n: usize, want: usize) -> Vec<usize> {
    let want = want.min(n);
    let mut picked = Vec::with_capacity(want);
    while picked.len() < want {
        let i = rng.skewed(n);
        if !picked.contains(&i) {
            picked.push(i);
        }
    }
    picked.sort_unstable();
    picked
}

fn status(rng: &mut Rng) -> Status {
    match rng.below(100) {
        0..10 => Status::Proposed,
        10..30 => Status::Approved,
        30..65 => Status::InProgress,
        65..80 => Status::Delivered,
        80..85 => Status::Closed,
        85..93 => Status::OnHold,
        93..96 => Status::Rejected,
        _ => Status::Cancelled,
    }
}

fn relationships_text(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [only] => format!("{only}."),
        [init @ .., last] => format!("{} and {last}.", init.join(", ")),
    }
}

const FIRST_YEAR: i32 = 2006;
const YEARS: usize = 8;

fn work_package(
    rng: &mut Rng,
    number: usize,
    codes: &[InfluenceCode],
    related: &[RelatedItem],
) -> Result<WorkPackage> {
    let mut wp = WorkPackage::new(number.to_string(), title(rng));
    wp.scope = format!("{} {}", sentence(rng, 8, 20), sentence(rng, 4, 12));
    if rng.chance(60) {
        wp.comments = sentence(rng, 3, 14);
    }

    let first = Quarter::new(
        FIRST_YEAR + rng.below(YEARS) as i32,
        rng.between(1, 4) as u8,
    )?;
    if rng.chance(10) {
        let second = Quarter::from_index(first.index() + rng.below(4) as i32);
        wp.delivery = vec![
            DeliveryTarget {
                label: Some("a".into()),
                quarter: first,
            },
            DeliveryTarget {
                label: Some("b".into()),
                quarter: second,
            },
        ];
    } else {
        wp.delivery = vec![DeliveryTarget {
            label: None,
            quarter: first,
        }];
    }

    let influence_count = rng.between(1, 6);
    wp.influences = distinct_skewed(rng, codes.len(), influence_count)
        .into_iter()
        .map(|i| codes[i].clone())
        .collect();
    let related_count = rng.between(1, 4);
    let names: Vec<&str> = distinct_skewed(rng, related.len(), related_count)
        .into_iter()
        .map(|i| related[i].name.as_str())
        .collect();
    wp.relationships = relationships_text(&names);
    wp.related_items = names.into_iter().map(String::from).collect();

    wp.owner = rng.pick(OWNERS).to_string();
    wp.status = status(rng);
    wp.progress = Progress::new(match wp.status {
        Status::Proposed | Status::Approved | Status::Rejected => 0,
        Status::Delivered | Status::Closed => 100,
        Status::InProgress => rng.between(5, 95) as i64,
        Status::OnHold => rng.between(0, 60) as i64,
        Status::Cancelled => rng.between(0, 40) as i64,
    })?;
    wp.rag = if wp.status.is_done() {
        Some(Rag::Green)
    } else if rng.chance(15) {
        None
    } else {
        Some(Rag::ALL[rng.below(Rag::ALL.len())])
    };
    if wp.status.is_done() {
        let due = wp.final_delivery().unwrap_or(first);
        let actual = Quarter::from_index(due.index() + rng.below(3) as i32 - 1);
        wp.actual_delivery = Some(actual.end_date(QuarterConvention::Calendar));
    }
    Ok(wp)
}

/// Build the plan `spec` describes.
pub fn generate(spec: &Spec) -> Result<Plan> {
    if spec.packages == 0 || spec.sections == 0 || spec.influences == 0 || spec.related == 0 {
        bail!("packages, sections, influences and related items must each be at least 1");
    }
    let mut rng = Rng::new(spec.seed);
    let mut plan = Plan::new(format!(
        "Synthetic action plan ({} work packages, seed {})",
        spec.packages, spec.seed
    ));
    plan.organisation = "Benchmark Borough Council".into();
    plan.period = format!("{FIRST_YEAR} – {}", FIRST_YEAR + YEARS as i32 - 1);
    plan.introduction = "A generated plan for measuring Waymark. Initial priorities should \
                         include ISA, e-CAF and the Child Concern Pathway programme."
        .into();

    plan.influences = (0..spec.influences)
        .map(|k| {
            let code = format!("{}.{}.{}", 1 + k / 100, 1 + (k / 10) % 10, 1 + k % 10);
            Ok(Influence {
                code: code.parse()?,
                title: capitalise(&format!("{} {}", rng.pick(ADJECTIVES), rng.pick(NOUNS))),
                description: sentence(&mut rng, 6, 16),
            })
        })
        .collect::<Result<_>>()?;
    let codes: Vec<InfluenceCode> = plan.influences.iter().map(|i| i.code.clone()).collect();

    plan.related_items = (0..spec.related)
        .map(|k| {
            let kind = RelatedKind::ALL[k % RelatedKind::ALL.len()];
            RelatedItem {
                name: format!(
                    "{} {} {} {}",
                    capitalise(rng.pick(ADJECTIVES)),
                    capitalise(rng.pick(NOUNS)),
                    kind_word(kind),
                    k + 1
                ),
                kind,
            }
        })
        .collect();

    // Packages are spread evenly: section s holds packages
    // s*N/S .. (s+1)*N/S in plan order.
    let mut refs: Vec<WorkPackageRef> = Vec::with_capacity(spec.packages);
    for s in 0..spec.sections {
        let theme = SECTION_THEMES[s % SECTION_THEMES.len()];
        let mut section = Section {
            // Dotted like the seed's `10.1`, as the plan-text reader expects.
            number: Some(format!("{}.{}", 10 + s / 50, s % 50 + 1)),
            title: Some(if s < SECTION_THEMES.len() {
                theme.to_string()
            } else {
                format!("{theme} ({})", s / SECTION_THEMES.len() + 1)
            }),
            work_packages: Vec::new(),
        };
        let (from, to) = (
            s * spec.packages / spec.sections,
            (s + 1) * spec.packages / spec.sections,
        );
        section.work_packages.reserve(to - from);
        for number in 1..=to - from {
            let wp = work_package(&mut rng, number, &codes, &plan.related_items)?;
            refs.push(WorkPackageRef::new(&section, s, &wp.number));
            section.work_packages.push(wp);
        }
        plan.sections.push(section);
    }

    let n = spec.packages;
    let members = (10 + n / 200).min(n);
    plan.programmes = PROGRAMMES
        .iter()
        .map(|&(name, priority)| {
            let mut picked: Vec<usize> = (0..members).map(|_| rng.below(n)).collect();
            picked.sort_unstable();
            picked.dedup();
            Programme {
                name: name.to_string(),
                priority,
                description: sentence(&mut rng, 6, 14),
                work_packages: picked.into_iter().map(|i| refs[i].clone()).collect(),
            }
        })
        .collect();

    // Only earlier → later, and mostly near each other, as real plans chain work.
    let mut seen: HashSet<(usize, usize)> = HashSet::with_capacity(spec.dependencies);
    let mut attempts = 0;
    while seen.len() < spec.dependencies && n > 1 && attempts < spec.dependencies * 4 {
        attempts += 1;
        let from = rng.below(n - 1);
        let reach = (n - 1 - from).min(if rng.chance(90) { 50 } else { n });
        let to = from + 1 + rng.below(reach);
        if seen.insert((from, to)) {
            plan.dependencies.push(Dependency {
                predecessor: refs[from].clone(),
                successor: refs[to].clone(),
            });
        }
    }
    Ok(plan)
}

/// The customer's plan-text shape: a heading line per section and a pipe table
/// with the seed's six columns. Owner, status and the registers' details have no
/// place in it.
pub fn to_plan_text(plan: &Plan) -> String {
    let mut out = String::with_capacity(plan.work_package_count() * 400);
    let _ = writeln!(out, "{}", plan.introduction);
    for section in &plan.sections {
        let heading = [section.number.as_deref(), section.title.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if !heading.is_empty() {
            let _ = writeln!(out, "{heading}");
        }
        out.push_str(
            "| Work package | High level scope/definition | Relationships | \
             Estimated delivery of detailed work plan | Comments | \
             Cross-reference to key influences |\n",
        );
        for wp in &section.work_packages {
            let codes: Vec<&str> = wp.influences.iter().map(|c| c.as_str()).collect();
            let _ = writeln!(
                out,
                "| {}. {}. | {} | {} | {} | {} | {} |",
                wp.number,
                wp.title,
                wp.scope,
                wp.relationships,
                waymark_core::model::format_delivery(&wp.delivery),
                wp.comments,
                codes.join(" ")
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Spec {
        Spec {
            packages: 300,
            sections: 7,
            influences: 25,
            related: 30,
            dependencies: 120,
            seed: 7,
        }
    }

    #[test]
    fn same_seed_same_plan() -> Result<()> {
        assert_eq!(generate(&small())?, generate(&small())?);
        let other = Spec { seed: 8, ..small() };
        assert_ne!(generate(&small())?, generate(&other)?);
        Ok(())
    }

    #[test]
    fn makes_what_was_asked_for() -> Result<()> {
        let plan = generate(&small())?;
        assert_eq!(plan.work_package_count(), 300);
        assert_eq!(plan.sections.len(), 7);
        assert_eq!(plan.influences.len(), 25);
        assert_eq!(plan.related_items.len(), 30);
        assert_eq!(plan.dependencies.len(), 120);
        for (_, _, wp) in plan.work_packages() {
            assert!((1..=6).contains(&wp.influences.len()));
            assert!((1..=4).contains(&wp.related_items.len()));
            assert!(!wp.delivery.is_empty());
        }
        for status in Status::ALL {
            assert!(plan.work_packages().any(|(_, _, wp)| wp.status == status));
        }
        assert_eq!(plan.priorities().count(), 3);
        Ok(())
    }

    #[test]
    fn dependencies_run_forward_so_there_is_no_cycle() -> Result<()> {
        let plan = generate(&small())?;
        let order: std::collections::HashMap<_, _> = plan
            .work_packages()
            .enumerate()
            .map(|(i, (r, _, _))| (r, i))
            .collect();
        for d in &plan.dependencies {
            assert!(order[&d.predecessor] < order[&d.successor]);
        }
        Ok(())
    }

    #[test]
    fn json_reads_back_as_the_same_plan() -> Result<()> {
        let plan = generate(&small())?;
        let text = waymark_core::export::to_json(&plan);
        let imported = waymark_core::import::import(
            text.as_bytes(),
            waymark_core::import::Format::Json,
            &Default::default(),
        )?;
        assert!(
            imported.diagnostics.is_empty(),
            "{:?}",
            imported.diagnostics
        );
        assert_eq!(imported.plan.work_package_count(), 300);
        assert_eq!(imported.plan.dependencies.len(), 120);
        Ok(())
    }
}
