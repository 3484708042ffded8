//! The audit trail for administrators: every change, newest first, with
//! filters on what, who, which action and when, paged by entry number; the
//! chain's head; and a page that checks the whole chain (`verify`), which
//! reads every entry and so runs only when asked.

use std::time::Instant;

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde::Deserialize;
use waymark_core::audit::{ActorKind, ChainError, ChainHash, Head, StoredEntry};

use super::error::{HtmlError, render};
use super::plans::read_query;
use super::view::{
    Choice, Layout, Section, audit_value, count_of, encode, query_string, thousands,
};
use crate::AppState;
use crate::access::{Can, ViewAudit};
use crate::error::{FieldError, message_for};
use crate::input::{AUDIT_QUERY, AuditQuery, audit_query};

const BASE: &str = "/admin/audit";

/// Where a filter's error is said: paging parameters have no field of their
/// own, so theirs is said at the list of entries.
const ENTRIES: &str = "entries";

// ---------------------------------------------------------------- the query

/// The audit list's query string as typed; empty means "any".
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AuditParams {
    entity_kind: String,
    entity_id: String,
    actor_kind: String,
    actor: String,
    action: String,
    from: String,
    to: String,
    before: String,
    after: String,
    per_page: String,
}

impl AuditParams {
    /// Every parameter by name, in the order links write them.
    fn pairs(&self) -> [(&'static str, &str); 10] {
        [
            ("entity_kind", &self.entity_kind),
            ("entity_id", &self.entity_id),
            ("actor_kind", &self.actor_kind),
            ("actor", &self.actor),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
            ("per_page", &self.per_page),
            ("before", &self.before),
            ("after", &self.after),
        ]
    }

    fn is_filtered(&self) -> bool {
        self.pairs()[..7].iter().any(|(_, v)| !v.trim().is_empty())
    }

    /// The address of another page of the same list: entries older than
    /// entry `before`, or newer than entry `after`, or the newest.
    fn link(&self, before: Option<u64>, after: Option<u64>) -> String {
        let (before, after) = (
            before.map(|n| n.to_string()).unwrap_or_default(),
            after.map(|n| n.to_string()).unwrap_or_default(),
        );
        let mut pairs = self.pairs();
        pairs[8].1 = &before;
        pairs[9].1 = &after;
        let query = query_string(&pairs);
        if query.is_empty() {
            BASE.to_string()
        } else {
            format!("{BASE}?{query}")
        }
    }

    /// The query, or each wrong parameter's message said to a person, with
    /// `repeated` (parameters given more than once) first: one per field.
    fn checked(&self, repeated: Vec<FieldError>) -> Result<AuditQuery, Vec<FieldError>> {
        let pairs: Vec<(String, String)> = self
            .pairs()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let parsed = match audit_query(&pairs) {
            Ok(query) if repeated.is_empty() => return Ok(query),
            Ok(_) => Vec::new(),
            Err(errors) => errors,
        };
        let mut all: Vec<FieldError> = Vec::new();
        let said = repeated.into_iter().chain(
            parsed
                .into_iter()
                .map(|e| FieldError::new(&e.field, filter_message(&e.field, &e.message))),
        );
        for e in said {
            let field = match e.field.as_str() {
                "before" | "after" | "per_page" => ENTRIES,
                f => f,
            }
            .to_string();
            if !all.iter().any(|had| had.field == field) {
                all.push(FieldError::new(&field, e.message));
            }
        }
        Err(all)
    }
}

/// A parser's message about one parameter as the page says it.
fn filter_message(field: &str, message: &str) -> String {
    let what = match field {
        "entity_kind" => "The record filter is not valid",
        "entity_id" => "The record id is not valid",
        "actor_kind" => "The kind of actor is not valid",
        "actor" => "The name filter is not valid",
        "action" => "The action filter is not valid",
        "from" => "The from date is not valid",
        "to" => "The to date is not valid",
        _ => "The page in the web address is not valid",
    };
    format!("{what}: {message}.")
}

// ---------------------------------------------------------------- the list

fn entity_label(kind: &str) -> &'static str {
    match kind {
        "plan" => "Plan",
        "section" => "Section",
        "work_package" => "Work package",
        "influence" => "Key influence",
        "related_item" => "Related item",
        "programme" => "Programme",
        "dependency" => "Dependency",
        "account" => "Account",
        "api_token" => "API token",
        _ => "Record",
    }
}

fn action_label(action: &str) -> &'static str {
    match action {
        "create" => "Created",
        "update" => "Changed",
        "delete" => "Deleted",
        "merge" => "Merged",
        "import" => "Imported",
        _ => "Changed",
    }
}

fn actor_kind_label(kind: ActorKind) -> &'static str {
    match kind {
        ActorKind::User => "Account",
        ActorKind::Token => "API token",
        ActorKind::Cli => "Command line",
        ActorKind::System => "Waymark itself",
        ActorKind::Anonymous => "Anonymous visitor",
    }
}

struct ChangeView {
    field: String,
    before: String,
    before_absent: bool,
    /// The whole value when `before` is cut short.
    before_whole: Option<String>,
    after: String,
    after_absent: bool,
    after_whole: Option<String>,
}

struct EntryView {
    sequence: String,
    /// RFC 3339 in UTC, for `<time datetime>`.
    at_machine: String,
    /// UK time, as people read it.
    at: String,
    who: String,
    /// What kind of actor, and their id where it says more than the name.
    who_detail: String,
    action: &'static str,
    what: String,
    /// The record's page, where there is one to go to.
    href: Option<String>,
    /// The audit list of this record alone.
    history_href: String,
    changes: Vec<ChangeView>,
}

impl EntryView {
    fn new(stored: &StoredEntry) -> Self {
        let e = &stored.entry.event;
        let (kind, id, action) = (
            e.entity.kind.as_str(),
            e.entity.id.as_str(),
            e.action.as_str(),
        );
        let (what, href) = match kind {
            "influence" => match id.split_once('/') {
                Some((plan, code)) => (
                    format!("Key influence {code} (plan {plan})"),
                    Some(format!("/plans/{plan}/influences/{}", encode(code))),
                ),
                None => (format!("Key influence {id}"), None),
            },
            "work_package" => (
                format!("Work package {id}"),
                Some(format!("/work-packages/{id}")),
            ),
            "plan" => (format!("Plan {id}"), Some(format!("/plans/{id}"))),
            "related_item" => (
                format!("Related item {id}"),
                Some(format!("/related-items/{id}")),
            ),
            _ => (format!("{} {id}", entity_label(kind)), None),
        };
        // A record that was deleted (or merged away) has no page to go to.
        let href = href.filter(|_| !matches!(action, "delete" | "merge"));
        let actor = &e.actor;
        let who_detail = match actor.kind {
            ActorKind::User if !actor.id.is_empty() => format!("account {}", actor.id),
            ActorKind::Token if !actor.id.is_empty() => format!("API token {}", actor.id),
            ActorKind::Cli if !actor.id.is_empty() => format!("as {}", actor.id),
            kind => actor_kind_label(kind).to_lowercase(),
        };
        let who_detail = if who_detail.eq_ignore_ascii_case(&actor.display) {
            String::new()
        } else {
            who_detail
        };
        EntryView {
            sequence: thousands(stored.entry.sequence),
            at_machine: e.time_rfc3339().unwrap_or_default(),
            at: crate::uk_time::readable(e.at_ms).unwrap_or_else(|| e.at_ms.to_string()),
            who: actor.display.clone(),
            who_detail,
            action: action_label(action),
            what,
            href,
            history_href: format!(
                "{BASE}?entity_kind={}&entity_id={}",
                encode(kind),
                encode(id)
            ),
            changes: e
                .changes
                .as_slice()
                .iter()
                .map(|c| {
                    let (before, before_whole) = audit_value(c.before.as_deref());
                    let (after, after_whole) = audit_value(c.after.as_deref());
                    ChangeView {
                        field: c.field.as_str().replace('_', " "),
                        before,
                        before_absent: c.before.as_deref().is_none_or(str::is_empty),
                        before_whole,
                        after,
                        after_absent: c.after.as_deref().is_none_or(str::is_empty),
                        after_whole,
                    }
                })
                .collect(),
        }
    }
}

/// The chain's newest entry, as the page shows it.
struct HeadView {
    sequence: String,
    hash: String,
    empty: bool,
}

impl From<Head> for HeadView {
    fn from(h: Head) -> Self {
        HeadView {
            sequence: thousands(h.sequence),
            hash: h.hash.to_hex(),
            empty: h.sequence == 0,
        }
    }
}

/// The filter form's controls.
struct AuditFilters {
    kinds: Vec<Choice>,
    actor_kinds: Vec<Choice>,
    actions: Vec<Choice>,
    params: AuditParams,
}

impl AuditFilters {
    fn new(params: &AuditParams) -> Self {
        let p = params;
        AuditFilters {
            kinds: waymark_store::AUDIT_ENTITY_KINDS
                .iter()
                .map(|k| Choice::new(*k, entity_label(k), p.entity_kind.trim()))
                .collect(),
            actor_kinds: ActorKind::ALL
                .iter()
                .map(|k| Choice::new(k.as_str(), actor_kind_label(*k), p.actor_kind.trim()))
                .collect(),
            actions: waymark_store::AUDIT_ACTIONS
                .iter()
                .map(|a| Choice::new(*a, action_label(a), p.action.trim()))
                .collect(),
            params: params.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    head: HeadView,
    filters: AuditFilters,
    filtered: bool,
    entries: Vec<EntryView>,
    /// "Entries 120 to 71", or how many there are.
    showing: String,
    newer: Option<String>,
    older: Option<String>,
    /// Wrong filters, shown in a summary and beside their fields.
    errors: Vec<FieldError>,
}

impl AuditPage {
    fn error(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

pub async fn page(
    _can: Can<ViewAudit>,
    State(state): State<AppState>,
    uri: Uri,
) -> Result<Response, HtmlError> {
    let (params, repeated) = read_query::<AuditParams>(&uri, AUDIT_QUERY)?;
    // Parse before touching the store: wrong filters are shown beside the
    // form (with what was typed), and not queried.
    let query = params.checked(repeated);
    let asked = query.clone();
    let (head, fetched) = state
        .run(move |s| {
            let head = s.audit_head()?;
            let fetched = match &asked {
                Ok(q) => Some(s.audit_entries(&q.filter, q.fetch_limit())?),
                Err(_) => None,
            };
            Ok((head, fetched))
        })
        .await?;
    let (entries, showing, newer, older, errors) = match (query, fetched) {
        (Ok(query), Some(fetched)) => {
            let p = query.page(fetched);
            let showing = match (p.entries.first(), p.entries.last()) {
                (Some(first), Some(last)) if p.entries.len() > 1 => format!(
                    "{}, numbers {} to {}",
                    count_of(p.entries.len() as u64, "entry", "entries"),
                    thousands(first.entry.sequence),
                    thousands(last.entry.sequence)
                ),
                (Some(only), _) => format!("1 entry, number {}", thousands(only.entry.sequence)),
                _ => "No entries".to_string(),
            };
            (
                p.entries.iter().map(EntryView::new).collect(),
                showing,
                p.newer.map(|after| params.link(None, after)),
                p.older.map(|before| params.link(Some(before), None)),
                Vec::new(),
            )
        }
        (Err(errors), _) => (Vec::new(), String::new(), None, None, errors),
        (Ok(_), None) => (Vec::new(), "No entries".into(), None, None, Vec::new()),
    };
    let (heading, status) = if errors.is_empty() {
        ("Audit trail", StatusCode::OK)
    } else {
        ("Error: Audit trail", StatusCode::BAD_REQUEST)
    };
    let page = AuditPage {
        layout: Layout::new(heading, None, Section::None),
        head: head.into(),
        filters: AuditFilters::new(&params),
        filtered: params.is_filtered(),
        entries,
        showing,
        newer,
        older,
        errors,
    };
    Ok(render(status, &page))
}

// ---------------------------------------------------------------- verify

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VerifyParams {
    head: String,
}

#[derive(Template)]
#[template(path = "audit_verify.html")]
struct VerifyPage {
    layout: Layout,
    /// The recorded hash as typed.
    typed: String,
    /// The chain checked out: its head.
    intact: Option<HeadView>,
    /// A recorded hash was given, and an entry has it.
    recorded: bool,
    /// The first thing wrong with the chain.
    broken: Option<String>,
    seconds: String,
    errors: Vec<FieldError>,
}

impl VerifyPage {
    fn error(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

/// Check the whole chain (every entry read and hashed again), and, given a
/// head recorded elsewhere, that an entry with that hash is still there.
pub async fn verify(
    _can: Can<ViewAudit>,
    State(state): State<AppState>,
    uri: Uri,
) -> Result<Response, HtmlError> {
    let (params, mut errors) = read_query::<VerifyParams>(&uri, &["head"])?;
    let typed = params.head.trim().to_string();
    let recorded = match typed.as_str() {
        _ if !errors.is_empty() => None,
        "" => None,
        text => match text.parse::<ChainHash>() {
            Ok(hash) => Some(hash.to_hex()),
            Err(_) => {
                errors.push(FieldError::new(
                    "head",
                    "Enter the recorded hash as 64 characters, each 0 to 9 or a to f",
                ));
                None
            }
        },
    };
    let mut page = VerifyPage {
        layout: Layout::new("Verify the audit trail", None, Section::None),
        typed,
        intact: None,
        recorded: false,
        broken: None,
        seconds: String::new(),
        errors,
    };
    if !page.errors.is_empty() {
        page.layout = Layout::new("Error: Verify the audit trail", None, Section::None);
        return Ok(render(StatusCode::BAD_REQUEST, &page));
    }
    let started = Instant::now();
    let given = recorded.clone();
    let checked = state.run(move |s| s.audit_verify(given.as_deref())).await?;
    page.seconds = format!("{:.1}", started.elapsed().as_secs_f64());
    match checked {
        Ok(head) => {
            page.intact = Some(head.into());
            page.recorded = recorded.is_some();
        }
        Err(e) => page.broken = Some(broken(&e)),
    }
    Ok(render(StatusCode::OK, &page))
}

/// The first thing wrong, said to a person.
fn broken(e: &ChainError) -> String {
    let mut text = e.to_string();
    if let Some(first) = text.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    format!("{text}.")
}
