//! Who may do what: roles, the actions they allow, and the route table the
//! web suite checks every route against. No IO: the web layer says who the
//! caller is and what a route does; this module decides.
//!
//! The rules are data ([`Action::rule`]), and `docs/access.md` holds them as a
//! table ([`markdown_table`]; a test keeps the two equal).
//!
//! # Owning a work package
//!
//! A contributor may edit the work packages they own. A package's owner is
//! free text, as the plan was written: a post ("Head of ICT"), a person
//! ("Jane Smith") or several ("Head of ICT / Head of Finance"). It is matched
//! against the caller's *owner names* ([`OwnerName`]), which an admin gives
//! each account, and against nothing else:
//!
//! - The owner text is split into names at `,` `;` `/` `&` `+` and line
//!   breaks; each name, and each owner name, is compared by [`OwnerName`]'s
//!   key (case, surrounding space and runs of spaces ignored). A name matches
//!   only whole: "ICT" does not own "Head of ICT".
//! - A display name or an email address is not an owner name by itself:
//!   display names are not unique and, under single sign-on, the provider (or
//!   the person) may set them, so matching on them would let someone give
//!   themselves a package. Whoever creates an account may give it its name as
//!   an owner name explicitly.
//! - Posts are the plan's own words, so when a post changes hands an admin
//!   moves the owner name to the new holder and the packages follow, with no
//!   edit to the plan.
//! - An empty owner is nobody's: only a manager (or above) edits it.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::limits;
use crate::model::ParseValueError;

/// What an account may do, from least to most. Each role may do everything
/// the roles before it may ([`Role`]'s order is that order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Reads the plan.
    Viewer,
    /// A viewer who also edits the work packages they own and adds progress
    /// notes.
    Contributor,
    /// Edits everything in the plan and imports plans.
    Manager,
    /// A member of the strategy group: a manager who also approves.
    Approver,
    /// Manages accounts, other people's tokens and the settings.
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Viewer,
        Role::Contributor,
        Role::Manager,
        Role::Approver,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Contributor => "contributor",
            Role::Manager => "manager",
            Role::Approver => "approver",
            Role::Admin => "admin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Viewer => "Viewer",
            Role::Contributor => "Contributor",
            Role::Manager => "Manager",
            Role::Approver => "Approver",
            Role::Admin => "Admin",
        }
    }
}

impl FromStr for Role {
    type Err = ParseValueError;

    /// The role's name in any case, with surrounding space: `Manager`, ` admin`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(key))
            .ok_or_else(|| {
                ParseValueError::new("role", s, "viewer, contributor, manager, approver or admin")
            })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Role {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Role {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Something a caller asks to do. Every route does exactly one (or is
/// [`Access::Public`]); [`Action::rule`] says who may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read the plan: pages, the API's reads, exports, a package's history.
    Read,
    /// Add a progress note to a work package (and change or delete one):
    /// a contributor on their own packages, a manager on any.
    AddProgressNote,
    /// Change a work package: a contributor their own, a manager any.
    EditWorkPackage,
    /// Change anything else in the plan: sections, registers, dependencies,
    /// the plan's own settings (title, period, quarters), new and deleted
    /// packages.
    EditPlan,
    /// Import a plan from a file.
    Import,
    /// Approve (the governance issue's approvals).
    Approve,
    /// See one's own account and manage one's own API tokens.
    OwnAccount,
    /// Read the whole audit trail (a package's history is [`Action::Read`]).
    ViewAudit,
    /// Add, disable and change accounts and their roles and owner names.
    ManageUsers,
    /// Create and revoke other people's API tokens.
    ManageTokens,
    /// Change Waymark's own settings (not a plan's: that is [`Action::EditPlan`]).
    ChangeSettings,
}

/// Who may do an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The least role that may, on anything.
    pub role: Role,
    /// A lower role that may when the caller owns the work package.
    pub owner_role: Option<Role>,
    /// Whether visitors who are not signed in may, when anonymous reading is on.
    pub anonymous_when_enabled: bool,
}

const fn at_least(role: Role) -> Rule {
    Rule {
        role,
        owner_role: None,
        anonymous_when_enabled: false,
    }
}

impl Action {
    pub const ALL: [Action; 11] = [
        Action::Read,
        Action::AddProgressNote,
        Action::EditWorkPackage,
        Action::EditPlan,
        Action::Import,
        Action::Approve,
        Action::OwnAccount,
        Action::ViewAudit,
        Action::ManageUsers,
        Action::ManageTokens,
        Action::ChangeSettings,
    ];

    /// The action's name in the route table and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::AddProgressNote => "add-progress-note",
            Action::EditWorkPackage => "edit-work-package",
            Action::EditPlan => "edit-plan",
            Action::Import => "import",
            Action::Approve => "approve",
            Action::OwnAccount => "own-account",
            Action::ViewAudit => "view-audit",
            Action::ManageUsers => "manage-users",
            Action::ManageTokens => "manage-tokens",
            Action::ChangeSettings => "change-settings",
        }
    }

    /// What the action is, as a person reads it.
    pub fn description(self) -> &'static str {
        match self {
            Action::Read => "read the plan, its exports and a package's history",
            Action::AddProgressNote => "add, change and delete a work package's progress notes",
            Action::EditWorkPackage => "change a work package",
            Action::EditPlan => {
                "change anything else in the plan (sections, registers, dependencies, plan settings, new and deleted packages)"
            }
            Action::Import => "import a plan",
            Action::Approve => "approve",
            Action::OwnAccount => "see their own account; create and revoke their own API tokens",
            Action::ViewAudit => "read the whole audit trail",
            Action::ManageUsers => "add, disable and change accounts, roles and owner names",
            Action::ManageTokens => "create and revoke other people's API tokens",
            Action::ChangeSettings => "change Waymark's settings",
        }
    }

    /// Who may: the one place the permissions are written.
    ///
    /// Progress notes follow the package's owner, as changing it does: a
    /// contributor adds (and changes, and deletes) notes on the packages they
    /// own, a manager on any. A note with a RAG sets the package's RAG too.
    pub const fn rule(self) -> Rule {
        match self {
            Action::Read => Rule {
                role: Role::Viewer,
                owner_role: None,
                anonymous_when_enabled: true,
            },
            Action::AddProgressNote | Action::EditWorkPackage => Rule {
                role: Role::Manager,
                owner_role: Some(Role::Contributor),
                anonymous_when_enabled: false,
            },
            Action::EditPlan | Action::Import => at_least(Role::Manager),
            Action::Approve => at_least(Role::Approver),
            Action::OwnAccount => at_least(Role::Viewer),
            Action::ViewAudit
            | Action::ManageUsers
            | Action::ManageTokens
            | Action::ChangeSettings => at_least(Role::Admin),
        }
    }
}

impl FromStr for Action {
    type Err = ParseValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Action::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| ParseValueError::new("action", s, "an action named in docs/access.md"))
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One name a package's owner text can hold, kept as written and compared by
/// its key: lower case, trimmed, runs of white space as one space. Built only
/// by parsing: one line, not empty, no separator (`,` `;` `/` `&` `+`), no
/// longer than an owner field.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OwnerName {
    text: String,
    key: String,
}

/// The characters that separate names in a package's owner text.
pub const OWNER_SEPARATORS: [char; 7] = [',', ';', '/', '&', '+', '\n', '\r'];

impl OwnerName {
    /// As written (trimmed).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// What matching compares.
    pub fn key(&self) -> &str {
        &self.key
    }
}

/// The comparison key of one name: lower case, trimmed, white space runs as
/// one space, bidirectional controls removed.
fn owner_key(name: &str) -> String {
    let cleaned = crate::text::clean(name);
    let mut key = String::with_capacity(cleaned.len());
    for word in cleaned.split_whitespace() {
        if !key.is_empty() {
            key.push(' ');
        }
        key.extend(word.chars().flat_map(char::to_lowercase));
    }
    key
}

impl FromStr for OwnerName {
    type Err = ParseValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const EXPECTED: &str = "one name without , ; / & or +, as a package's owner names it";
        let text = s.trim();
        if text.contains(OWNER_SEPARATORS)
            || limits::PACKAGE_OWNER.check(text).is_err()
            || owner_key(text).is_empty()
        {
            return Err(ParseValueError::new("owner name", s, EXPECTED));
        }
        Ok(OwnerName {
            text: text.to_string(),
            key: owner_key(text),
        })
    }
}

impl fmt::Display for OwnerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The keys of the names a package's owner text holds (see the module's notes).
pub fn owner_keys(owner: &str) -> impl Iterator<Item = String> + '_ {
    owner
        .split(OWNER_SEPARATORS)
        .map(owner_key)
        .filter(|k| !k.is_empty())
}

/// Whether a caller with `names` owns a package whose owner text is `owner`.
pub fn owns(owner: &str, names: &[OwnerName]) -> bool {
    !names.is_empty() && owner_keys(owner).any(|k| names.iter().any(|n| n.key == k))
}

/// Who asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller<'a> {
    /// Not signed in.
    Anonymous,
    /// A signed-in account, or an API token acting with its account's role.
    SignedIn {
        role: Role,
        /// The names this account owns packages under.
        owner_names: &'a [OwnerName],
    },
}

/// What else a decision depends on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Context<'a> {
    /// `WAYMARK_ANONYMOUS_READ`: visitors who are not signed in may read.
    pub anonymous_read: bool,
    /// The owner text of the work package acted on, for
    /// [`Action::EditWorkPackage`]. `None` (not known, or no package) is
    /// owned by nobody.
    pub package_owner: Option<&'a str>,
}

/// Whether a caller may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Not signed in, and signing in could help: 401 in the API, the sign-in
    /// page in the browser.
    SignInRequired,
    /// Signed in, and not allowed: 403.
    Forbidden(Refusal),
}

/// Why a signed-in caller is refused, for the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The action needs at least this role.
    NeedsRole(Role),
    /// The caller may edit only the work packages they own, and does not own
    /// this one.
    NotOwner,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NeedsRole(role) => write!(f, "This needs the {role} role or above"),
            Refusal::NotOwner => f.write_str(
                "You may change, and add progress notes to, only the work packages you own; a manager may change this one",
            ),
        }
    }
}

/// Whether `caller` may do `action`, by [`Action::rule`].
pub fn allows(caller: &Caller<'_>, action: Action, ctx: &Context<'_>) -> Decision {
    let rule = action.rule();
    match *caller {
        Caller::Anonymous if rule.anonymous_when_enabled && ctx.anonymous_read => Decision::Allow,
        Caller::Anonymous => Decision::SignInRequired,
        Caller::SignedIn { role, .. } if role >= rule.role => Decision::Allow,
        Caller::SignedIn { role, owner_names } => match rule.owner_role {
            Some(owner_role) if role >= owner_role => {
                if ctx
                    .package_owner
                    .is_some_and(|owner| owns(owner, owner_names))
                {
                    Decision::Allow
                } else {
                    Decision::Forbidden(Refusal::NotOwner)
                }
            }
            Some(owner_role) => Decision::Forbidden(Refusal::NeedsRole(owner_role)),
            None => Decision::Forbidden(Refusal::NeedsRole(rule.role)),
        },
    }
}

/// The rules as a Markdown table (`docs/access.md` holds it): one row per
/// action, one column per role and one for visitors who are not signed in.
pub fn markdown_table() -> String {
    let mut out = String::from("| Action | What it is |");
    for role in Role::ALL {
        out.push_str(&format!(" {role} |"));
    }
    out.push_str(" not signed in |\n| --- | --- |");
    out.push_str(&" :---: |".repeat(Role::ALL.len() + 1));
    out.push('\n');
    for action in Action::ALL {
        let rule = action.rule();
        out.push_str(&format!("| `{action}` | {} |", action.description()));
        for role in Role::ALL {
            let cell = if role >= rule.role {
                "yes"
            } else if rule.owner_role.is_some_and(|r| role >= r) {
                "own"
            } else {
                ""
            };
            out.push_str(&format!(" {cell} |"));
        }
        let anonymous = if rule.anonymous_when_enabled {
            "if enabled"
        } else {
            ""
        };
        out.push_str(&format!(" {anonymous} |\n"));
    }
    out
}

// ---------------------------------------------------------------------------
// The route table

/// A request method as the route table names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Head,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub const ALL: [Method; 6] = [
        Method::Get,
        Method::Head,
        Method::Post,
        Method::Put,
        Method::Patch,
        Method::Delete,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a route needs: nothing, or one action's rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not, whatever the settings: sign-in, assets,
    /// health checks.
    Public,
    Action(Action),
}

impl Access {
    /// What a caller gets on a route with this access.
    pub fn decide(self, caller: &Caller<'_>, ctx: &Context<'_>) -> Decision {
        match self {
            Access::Public => Decision::Allow,
            Access::Action(action) => allows(caller, action, ctx),
        }
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Access::Public => f.write_str("public"),
            Access::Action(action) => action.fmt(f),
        }
    }
}

/// One line of the route table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteEntry {
    pub method: Method,
    /// The router's pattern, as written: `/work-packages/{id}/edit`.
    pub path: String,
    pub access: Access,
    /// Where it is written (1-based), for messages.
    pub line: usize,
}

/// The written allow/deny table: each route of the router (method and
/// pattern) with what it needs. Built only by [`RouteTable::parse`]; no route
/// appears twice.
///
/// The format (see `docs/access.md`): one route a line, three columns
/// separated by spaces or tabs: method, path pattern, access (`public` or an
/// [`Action`] name). `#` starts a comment; blank lines are ignored.
///
/// ```text
/// # method  path                        access
/// GET       /plans/{id}                 read
/// POST      /work-packages/{id}/edit    edit-work-package
/// GET       /assets/waymark.css         public
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteTable {
    entries: Vec<RouteEntry>,
    index: HashMap<(Method, String), usize>,
}

/// A line of the route table that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct TableError {
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub message: String,
}

/// Every unreadable line of a route table, in order (never empty).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct TableErrors(pub Vec<TableError>);

impl RouteTable {
    /// Reads a route table, reporting every bad line, not only the first.
    pub fn parse(text: &str) -> Result<RouteTable, TableErrors> {
        let mut entries: Vec<RouteEntry> = Vec::new();
        let mut index = HashMap::new();
        let mut errors = Vec::new();
        for (n, raw) in text.lines().enumerate() {
            let line = n + 1;
            let content = raw.split_once('#').map_or(raw, |(before, _)| before);
            let columns = columns(content);
            if columns.is_empty() {
                continue;
            }
            let at = |column: usize, message: String| TableError {
                line,
                column,
                message,
            };
            match parse_entry(line, &columns, content) {
                Ok(entry) => {
                    let key = (entry.method, entry.path.clone());
                    if let Some(&first) = index.get(&key) {
                        let earlier: &RouteEntry = &entries[first];
                        errors.push(at(
                            columns[0].0,
                            format!(
                                "{} {} is already on line {}",
                                entry.method, entry.path, earlier.line
                            ),
                        ));
                    } else {
                        index.insert(key, entries.len());
                        entries.push(entry);
                    }
                }
                Err((column, message)) => errors.push(at(column, message)),
            }
        }
        if errors.is_empty() {
            Ok(RouteTable { entries, index })
        } else {
            Err(TableErrors(errors))
        }
    }

    /// Every route, in the order written.
    pub fn entries(&self) -> &[RouteEntry] {
        &self.entries
    }

    /// The entry for a route, by its pattern as the router writes it.
    pub fn get(&self, method: Method, path: &str) -> Option<&RouteEntry> {
        self.index
            .get(&(method, path.to_string()))
            .map(|&i| &self.entries[i])
    }
}

/// The white-space separated words of a line, each with its 1-based column.
fn columns(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start: Option<(usize, usize)> = None; // (byte, column)
    for (column, (byte, c)) in line.char_indices().enumerate() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some((byte, column + 1)),
            (true, Some((from, col))) => {
                out.push((col, &line[from..byte]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some((from, col)) = start {
        out.push((col, &line[from..]));
    }
    out
}

fn parse_entry(
    line: usize,
    columns: &[(usize, &str)],
    content: &str,
) -> Result<RouteEntry, (usize, String)> {
    let end = content.trim_end().chars().count() + 1;
    let (method_col, method) = columns[0];
    let method = Method::ALL
        .into_iter()
        .find(|m| m.as_str() == method)
        .ok_or_else(|| {
            (
                method_col,
                format!("\"{method}\" is not a method (GET, HEAD, POST, PUT, PATCH or DELETE)"),
            )
        })?;
    let Some(&(path_col, path)) = columns.get(1) else {
        return Err((end, "a path should follow the method".into()));
    };
    check_path(path).map_err(|(offset, message)| (path_col + offset, message))?;
    let Some(&(access_col, access)) = columns.get(2) else {
        return Err((
            end,
            "an access (public or an action) should follow the path".into(),
        ));
    };
    let access = if access == "public" {
        Access::Public
    } else {
        Access::Action(access.parse().map_err(|_| {
            (
                access_col,
                format!(
                    "\"{access}\" is not public or an action ({})",
                    Action::ALL.map(Action::as_str).join(", ")
                ),
            )
        })?)
    };
    if let Some(&(extra_col, extra)) = columns.get(3) {
        return Err((
            extra_col,
            format!("\"{extra}\" is one column too many (method, path, access)"),
        ));
    }
    Ok(RouteEntry {
        method,
        path: path.to_string(),
        access,
        line,
    })
}

/// A path pattern as the router writes it: starts with `/`; a segment is
/// literal text without braces, a parameter `{name}`, or, last, a catch-all
/// `{*name}`. On error, the character offset within the path and a message.
fn check_path(path: &str) -> Result<(), (usize, String)> {
    if !path.starts_with('/') {
        return Err((0, format!("\"{path}\" should start with /")));
    }
    let segments: Vec<&str> = path[1..].split('/').collect();
    let mut offset = 1;
    for (i, segment) in segments.iter().enumerate() {
        let inner = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}'));
        let ok = match inner {
            Some(name) => {
                let (catch_all, name) = match name.strip_prefix('*') {
                    Some(rest) => (true, rest),
                    None => (false, name),
                };
                !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && (!catch_all || i + 1 == segments.len())
            }
            None => !segment.contains(['{', '}']),
        };
        if !ok {
            return Err((
                offset,
                format!("\"{segment}\" is not a path segment (text, {{name}}, or {{*name}} last)"),
            ));
        }
        offset += segment.chars().count() + 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<OwnerName> {
        list.iter().filter_map(|n| n.parse().ok()).collect()
    }

    #[test]
    fn roles_parse_display_and_order() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
            assert_eq!(role.label().parse::<Role>(), Ok(role));
            assert_eq!(role.to_string(), role.as_str());
        }
        assert_eq!(" ADMIN ".parse::<Role>(), Ok(Role::Admin));
        assert!("owner".parse::<Role>().is_err());
        assert!("".parse::<Role>().is_err());
        assert!(Role::ALL.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(
            serde_json::to_string(&Role::Approver).ok().as_deref(),
            Some("\"approver\"")
        );
        assert_eq!(
            serde_json::from_str::<Role>("\"contributor\"").ok(),
            Some(Role::Contributor)
        );
        assert!(serde_json::from_str::<Role>("\"root\"").is_err());
    }

    #[test]
    fn actions_parse_by_their_names() {
        for action in Action::ALL {
            assert_eq!(action.as_str().parse::<Action>(), Ok(action));
        }
        assert!("Read".parse::<Action>().is_err());
    }

    #[test]
    fn owner_names_are_one_name() {
        let name: OwnerName = "  Head of   ICT ".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(name.as_str(), "Head of   ICT");
        assert_eq!(name.key(), "head of ict");
        for bad in [
            "",
            "   ",
            "Head of ICT / Finance",
            "A & B",
            "a,b",
            "a\nb",
            "\u{202E}",
        ] {
            assert!(bad.parse::<OwnerName>().is_err(), "{bad:?}");
        }
        let long = "x".repeat(limits::PACKAGE_OWNER.max_chars + 1);
        assert!(long.parse::<OwnerName>().is_err());
    }

    #[test]
    fn owning_is_a_whole_name_in_the_owner_text() {
        let head_of_ict = names(&["Head of ICT"]);
        assert!(owns("Head of ICT", &head_of_ict));
        assert!(owns("  head  of ict ", &head_of_ict));
        assert!(owns("Head of Finance / Head of ICT", &head_of_ict));
        assert!(owns("Head of Finance;Head of ICT", &head_of_ict));
        assert!(owns("Head of Finance\nHead of ICT", &head_of_ict));
        assert!(owns("Head of \u{202E}ICT", &head_of_ict));
        assert!(!owns("Deputy Head of ICT", &head_of_ict));
        assert!(!owns("Head of ICT and Digital", &head_of_ict));
        assert!(!owns("ICT", &head_of_ict));
        assert!(!owns("", &head_of_ict));
        assert!(!owns("Head of ICT", &[]));
        // Case is ignored beyond ASCII too.
        assert!(owns("ÉQUIPE", &names(&["équipe"])));
    }

    /// Every action × every role (and anonymous, with reading on and off),
    /// as a table written out by hand: the rules must say exactly this.
    #[test]
    fn the_rules_decide_as_written() {
        use Decision::*;
        let mine = names(&["Head of ICT"]);
        // Columns: anonymous (reading off), anonymous (reading on), viewer,
        // contributor, manager, approver, admin. `o` is "allowed on a package
        // the contributor owns, refused as not owner otherwise".
        let table = [
            (Action::Read, "-+yyyyy"),
            (Action::AddProgressNote, "--noyyy"),
            (Action::EditWorkPackage, "--noyyy"),
            (Action::EditPlan, "--nnyyy"),
            (Action::Import, "--nnyyy"),
            (Action::Approve, "--nnnyy"),
            (Action::OwnAccount, "--yyyyy"),
            (Action::ViewAudit, "--nnnny"),
            (Action::ManageUsers, "--nnnny"),
            (Action::ManageTokens, "--nnnny"),
            (Action::ChangeSettings, "--nnnny"),
        ];
        for (action, cells) in table {
            let cells: Vec<char> = cells.chars().collect();
            for (anonymous_read, cell) in [(false, cells[0]), (true, cells[1])] {
                let ctx = Context {
                    anonymous_read,
                    package_owner: Some("Head of ICT"),
                };
                let expected = if cell == '+' { Allow } else { SignInRequired };
                assert_eq!(
                    allows(&Caller::Anonymous, action, &ctx),
                    expected,
                    "{action} anonymous, reading {anonymous_read}"
                );
            }
            for (role, &cell) in Role::ALL.iter().zip(&cells[2..]) {
                let caller = Caller::SignedIn {
                    role: *role,
                    owner_names: &mine,
                };
                for (owner, owned) in [
                    (Some("Head of ICT"), true),
                    (Some("Head of Finance"), false),
                    (None, false),
                ] {
                    let ctx = Context {
                        anonymous_read: true,
                        package_owner: owner,
                    };
                    let decision = allows(&caller, action, &ctx);
                    match cell {
                        'y' => assert_eq!(decision, Allow, "{action} {role} {owner:?}"),
                        'o' if owned => assert_eq!(decision, Allow, "{action} {role} {owner:?}"),
                        'o' => assert_eq!(
                            decision,
                            Forbidden(Refusal::NotOwner),
                            "{action} {role} {owner:?}"
                        ),
                        _ => assert!(
                            matches!(decision, Forbidden(Refusal::NeedsRole(r)) if r > *role),
                            "{action} {role} {owner:?}: {decision:?}"
                        ),
                    }
                }
            }
        }
    }

    #[test]
    fn a_viewer_is_told_which_role_a_package_edit_needs() {
        let caller = Caller::SignedIn {
            role: Role::Viewer,
            owner_names: &[],
        };
        assert_eq!(
            allows(&caller, Action::EditWorkPackage, &Context::default()),
            Decision::Forbidden(Refusal::NeedsRole(Role::Contributor))
        );
    }

    #[test]
    fn public_routes_allow_everyone() {
        let ctx = Context::default();
        assert_eq!(
            Access::Public.decide(&Caller::Anonymous, &ctx),
            Decision::Allow
        );
        assert_eq!(
            Access::Action(Action::Read).decide(&Caller::Anonymous, &ctx),
            Decision::SignInRequired
        );
    }

    #[test]
    fn columns_have_their_character_columns() {
        assert_eq!(
            columns("  GET\t/é/x  read "),
            vec![(3, "GET"), (7, "/é/x"), (13, "read")]
        );
        assert!(columns(" \t ").is_empty());
    }

    /// docs/access.md shows the rules as they are.
    #[test]
    fn the_documented_table_is_the_rules() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/access.md");
        let doc = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            doc.contains(&markdown_table()),
            "docs/access.md does not hold the table of the rules; put this in it:\n{}",
            markdown_table()
        );
    }
}
