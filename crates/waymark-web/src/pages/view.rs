//! Plain view values the templates share: the page frame, table rows, select
//! choices, and the little formatting helpers they need.

use waymark_core::model::format_delivery;
use waymark_store::{PlanSummary, WorkPackageRow};

pub const SERVICE: &str = "Waymark";

/// The plan a page belongs to, for the header navigation.
#[derive(Debug, Clone)]
pub struct PlanNav {
    pub id: i64,
    pub title: String,
}

impl From<&PlanSummary> for PlanNav {
    fn from(p: &PlanSummary) -> Self {
        PlanNav {
            id: p.id.0,
            title: p.title.clone(),
        }
    }
}

/// Which plan page a page is (for `aria-current` in the navigation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    None,
    Overview,
    Timeline,
    Priorities,
    Influences,
    RelatedItems,
}

#[derive(Debug, Clone)]
pub struct NavLink {
    pub href: String,
    pub label: &'static str,
    pub current: bool,
}

/// The frame around every page: `<title>`, header navigation, banner.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The document title: `Overview – CYPS ICT strategy action plan – Waymark`.
    pub title: String,
    pub plan: Option<PlanNav>,
    pub current: Section,
    /// A success message shown at the top of the page.
    pub banner: Option<String>,
    /// Something the person must act on before anything is saved (a form
    /// whose token had expired), shown at the top of the page.
    pub notice: Option<String>,
    /// Who is signed in (the header's name and links).
    pub who: crate::access::Current,
    /// The form token of the header's sign-out button.
    pub form_token: Option<String>,
}

impl Layout {
    pub fn new(heading: &str, plan: Option<PlanNav>, current: Section) -> Self {
        let title = match &plan {
            Some(p) if p.title != heading => format!("{heading} – {} – {SERVICE}", p.title),
            _ if heading == SERVICE => SERVICE.to_string(),
            _ => format!("{heading} – {SERVICE}"),
        };
        Layout {
            title,
            plan,
            current,
            banner: None,
            notice: None,
            who: crate::access::current(),
            form_token: super::csrf::form_token(),
        }
    }

    /// Whether the caller may change the plan (manager and above): the edit
    /// links and forms are shown only then. The routes check it regardless.
    pub fn can_edit_plan(&self) -> bool {
        self.who
            .role
            .is_some_and(|r| r >= waymark_core::access::Role::Manager)
    }

    /// Whether the caller may approve (`waymark_core::access`'s rule for
    /// `approve`): the Approve and Reject buttons, the plan's approval. The
    /// routes check it regardless.
    pub fn can_approve(&self) -> bool {
        self.who.role.is_some_and(|role| {
            let caller = waymark_core::access::Caller::SignedIn {
                role,
                owner_names: &[],
            };
            let ctx = waymark_core::access::Context {
                anonymous_read: false,
                package_owner: None,
            };
            waymark_core::access::allows(&caller, waymark_core::access::Action::Approve, &ctx)
                == waymark_core::access::Decision::Allow
        })
    }

    /// Whether the caller may import a plan (`waymark_core::access`'s rule
    /// for `import`): the plan list's "Import a plan" link.
    pub fn can_import(&self) -> bool {
        let caller = match self.who.role {
            Some(role) => waymark_core::access::Caller::SignedIn {
                role,
                owner_names: &[],
            },
            None => waymark_core::access::Caller::Anonymous,
        };
        waymark_core::access::allows(
            &caller,
            waymark_core::access::Action::Import,
            &waymark_core::access::Context {
                anonymous_read: false,
                package_owner: None,
            },
        ) == waymark_core::access::Decision::Allow
    }

    /// Whether the signed-in caller is an administrator (the header's admin links).
    pub fn is_admin(&self) -> bool {
        self.who.role == Some(waymark_core::access::Role::Admin)
    }

    pub fn with_banner(mut self, banner: Option<String>) -> Self {
        self.banner = banner;
        self
    }

    pub fn nav(&self) -> Vec<NavLink> {
        let Some(plan) = &self.plan else {
            return Vec::new();
        };
        let id = plan.id;
        [
            (format!("/plans/{id}"), "Overview", Section::Overview),
            (
                format!("/plans/{id}/timeline"),
                "Timeline",
                Section::Timeline,
            ),
            (
                format!("/plans/{id}/priorities"),
                "Priorities",
                Section::Priorities,
            ),
            (
                format!("/plans/{id}/influences"),
                "Key influences",
                Section::Influences,
            ),
            (
                format!("/plans/{id}/related-items"),
                "Related items",
                Section::RelatedItems,
            ),
        ]
        .into_iter()
        .map(|(href, label, s)| NavLink {
            href,
            label,
            current: s == self.current,
        })
        .collect()
    }
}

/// A package as a table row.
#[derive(Debug, Clone)]
pub struct WpRow {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub delivery: String,
    pub status_value: &'static str,
    pub status_label: &'static str,
    pub rag_value: &'static str,
    pub rag_label: &'static str,
    pub owner: String,
    pub progress: u8,
    /// Its latest progress note, shortened, where the list shows it.
    pub note: Option<NoteSnippet>,
}

/// A package's latest progress note as a list shows it: its date and the
/// start of its text.
#[derive(Debug, Clone)]
pub struct NoteSnippet {
    pub date_machine: String,
    pub date: String,
    pub text: String,
}

/// Most characters of a note a list shows.
const SNIPPET_CHARS: usize = 120;

impl NoteSnippet {
    pub fn of(date: waymark_core::Date, text: &str) -> Self {
        let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let text = if line.chars().count() > SNIPPET_CHARS {
            let cut: String = line.chars().take(SNIPPET_CHARS).collect();
            format!("{}…", cut.trim_end())
        } else {
            line
        };
        NoteSnippet {
            date_machine: date.to_string(),
            date: super::decisions::long_date(date),
            text,
        }
    }
}

impl From<&WorkPackageRow> for WpRow {
    fn from(r: &WorkPackageRow) -> Self {
        WpRow {
            id: r.id.0,
            reference: r.reference.clone(),
            title: r.title.clone(),
            delivery: format_delivery(&r.delivery),
            status_value: r.status.as_str(),
            status_label: r.status.label(),
            rag_value: r.rag.map_or("none", |r| r.as_str()),
            rag_label: r.rag.map_or("Not set", |r| r.label()),
            owner: r.owner.clone(),
            progress: r.progress.get(),
            note: None,
        }
    }
}

/// One `<option>`, radio or checkbox.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    pub fn new(value: impl Into<String>, label: impl Into<String>, current: &str) -> Self {
        let value = value.into();
        let selected = value == current;
        Choice {
            value,
            label: label.into(),
            selected,
        }
    }
}

/// How a programme is named in a select or a list of checkboxes: its name,
/// and "(priority)" when it is one of the group's priorities.
pub fn programme_label(name: &str, priority: bool) -> String {
    if priority {
        format!("{name} (priority)")
    } else {
        name.to_string()
    }
}

/// Percent-encode a query-string value (everything but unreserved characters).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `a=1&b=x+y` from pairs, leaving out empty values.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A field's value as an audit line shows it: `(none)` when the field was
/// not there, `(empty)` for empty text, and at most
/// [`waymark_core::limits::AUDIT_VALUE_SHOWN`] characters of a long one
/// (with `…`). The second part is the whole text when it was cut short.
pub fn audit_value(v: Option<&str>) -> (String, Option<String>) {
    let max = waymark_core::limits::AUDIT_VALUE_SHOWN;
    match v {
        None => ("(none)".into(), None),
        Some("") => ("(empty)".into(), None),
        Some(t) if t.chars().nth(max).is_some() => (
            format!("{}…", t.chars().take(max).collect::<String>()),
            Some(t.to_string()),
        ),
        Some(t) => (t.to_string(), None),
    }
}

/// `1,234` for counts.
pub fn thousands(n: u64) -> String {
    waymark_core::limits::thousands(n)
}

/// "1 work package" / "3 work packages".
pub fn count_of(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{} {many}", thousands(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_query_values() {
        assert_eq!(encode("Q2 2007"), "Q2+2007");
        assert_eq!(encode("a&b=c"), "a%26b%3Dc");
        assert_eq!(
            query_string(&[("q", "x y"), ("status", ""), ("page", "2")]),
            "q=x+y&page=2"
        );
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(count_of(1, "package", "packages"), "1 package");
    }

    #[test]
    fn titles_name_page_plan_and_service() {
        let plan = Some(PlanNav {
            id: 1,
            title: "CYPS ICT strategy action plan".into(),
        });
        assert_eq!(
            Layout::new("Overview", plan, Section::Overview).title,
            "Overview – CYPS ICT strategy action plan – Waymark"
        );
        assert_eq!(
            Layout::new("Page not found", None, Section::None).title,
            "Page not found – Waymark"
        );
    }
}
