//! Single sign-on values: the role map that turns an OpenID provider's groups
//! into a Waymark [`Role`] (`WAYMARK_OIDC_ROLE_MAP`), and the page a sign-in
//! returns to ([`ReturnTo`]). No IO: the web layer reads the ID token and
//! asks these.
//!
//! # The role map
//!
//! `group=role` entries separated by commas (or line breaks):
//!
//! ```text
//! waymark-admins=admin, waymark-managers=manager, staff=viewer
//! ```
//!
//! - A group is matched exactly as the provider writes it (case and all): an
//!   Entra ID group's object id, a Keycloak group name or path, a Google
//!   Workspace domain when the groups claim is `hd` (see `docs/sso.md`).
//! - The role is the *highest* of the entries whose group the person is in,
//!   worked out again at every sign-in, so a change in the provider's groups
//!   takes effect the next time they sign in.
//! - `*` stands for anyone the provider signs in. It is never implied: a map
//!   without it lets in only people in a named group.
//! - Someone in no mapped group is refused ([`RoleMap::role_for`] gives
//!   `None`): being able to sign in to the organisation's provider is not, by
//!   itself, a reason to see the plan.
//! - The last `=` of an entry separates group and role (roles have no `=`), so
//!   a group may contain `=`; a group cannot contain a comma or a line break.

use std::fmt;
use std::str::FromStr;

use crate::access::Role;
use crate::limits;

/// Which groups an entry of the role map matches.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GroupMatch {
    /// `*`: anyone the provider signs in.
    Anyone,
    /// One group, as the provider names it.
    Group(String),
}

impl fmt::Display for GroupMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupMatch::Anyone => f.write_str("*"),
            GroupMatch::Group(g) => f.write_str(g),
        }
    }
}

/// `WAYMARK_OIDC_ROLE_MAP`, read. Built only by parsing; never empty; no
/// group twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleMap {
    entries: Vec<(GroupMatch, Role)>,
}

/// Why a role map cannot be read: every bad entry, in order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.join("; "))]
pub struct RoleMapError(pub Vec<String>);

impl FromStr for RoleMap {
    type Err = RoleMapError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut entries: Vec<(GroupMatch, Role)> = Vec::new();
        let mut errors = Vec::new();
        let items = s
            .split([',', '\n'])
            .map(str::trim)
            .filter(|item| !item.is_empty());
        for (n, item) in items.enumerate() {
            let number = n + 1;
            if number > limits::SSO_ROLE_MAP_ENTRIES {
                errors.push(format!(
                    "the role map has more than {} entries",
                    limits::SSO_ROLE_MAP_ENTRIES
                ));
                break;
            }
            let Some((group, role)) = item.rsplit_once('=') else {
                errors.push(format!(
                    "entry {number} (\"{}\") is not group=role",
                    shown(item)
                ));
                continue;
            };
            let group = group.trim();
            let role = match role.parse::<Role>() {
                Ok(role) => role,
                Err(_) => {
                    errors.push(format!(
                        "entry {number}: \"{}\" is not a role; expected viewer, contributor, manager, approver or admin",
                        shown(role.trim())
                    ));
                    continue;
                }
            };
            let group = match group {
                "" => {
                    errors.push(format!(
                        "entry {number} (\"{}\") names no group",
                        shown(item)
                    ));
                    continue;
                }
                "*" => GroupMatch::Anyone,
                g if g.chars().count() > limits::SSO_GROUP_CHARS => {
                    errors.push(format!(
                        "entry {number}: the group is longer than {} characters",
                        limits::SSO_GROUP_CHARS
                    ));
                    continue;
                }
                g if g.chars().any(char::is_control) => {
                    errors.push(format!("entry {number}: the group has a control character"));
                    continue;
                }
                g => GroupMatch::Group(g.to_string()),
            };
            if let Some((_, earlier)) = entries.iter().find(|(g, _)| *g == group) {
                errors.push(format!(
                    "entry {number}: the group \"{}\" is already mapped (to {earlier})",
                    shown(&group.to_string())
                ));
                continue;
            }
            entries.push((group, role));
        }
        if errors.is_empty() && entries.is_empty() {
            errors.push("the role map names no group (write group=role, …)".into());
        }
        if errors.is_empty() {
            Ok(RoleMap { entries })
        } else {
            Err(RoleMapError(errors))
        }
    }
}

/// At most 60 characters of what was given, for a message.
fn shown(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

impl RoleMap {
    /// The entries, in the order written.
    pub fn entries(&self) -> &[(GroupMatch, Role)] {
        &self.entries
    }

    /// The role of someone in `groups`: the highest role any matching entry
    /// gives, or `None` when no entry matches (refuse the sign-in).
    pub fn role_for<'a, I>(&self, groups: I) -> Option<Role>
    where
        I: IntoIterator<Item = &'a str> + Clone,
    {
        self.entries
            .iter()
            .filter(|(group, _)| match group {
                GroupMatch::Anyone => true,
                GroupMatch::Group(g) => groups.clone().into_iter().any(|have| have == g),
            })
            .map(|(_, role)| *role)
            .max()
    }
}

impl fmt::Display for RoleMap {
    /// The map as it would be written: `a=admin,b=viewer`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (group, role)) in self.entries.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{group}={role}")?;
        }
        Ok(())
    }
}

/// Where a sign-in returns to: a path on this site (`/plans/1?q=x`), never
/// another site. Built only by parsing: it starts with one `/` (not `//` or
/// `/\`, which browsers read as another host), and holds only visible ASCII
/// (no spaces, controls or backslashes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnTo(String);

impl ReturnTo {
    /// The list of plans.
    pub fn home() -> ReturnTo {
        ReturnTo("/".into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for ReturnTo {
    fn default() -> Self {
        ReturnTo::home()
    }
}

impl FromStr for ReturnTo {
    type Err = crate::model::ParseValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            crate::model::ParseValueError::new(
                "return address",
                s,
                "a path on this site, starting with one /",
            )
        };
        let mut chars = s.chars();
        let first_ok = chars.next() == Some('/');
        let second = chars.next();
        if !first_ok
            || matches!(second, Some('/' | '\\'))
            || s.len() > limits::RETURN_PATH_CHARS
            || !s.chars().all(|c| c.is_ascii_graphic() && c != '\\')
        {
            return Err(bad());
        }
        Ok(ReturnTo(s.to_string()))
    }
}

impl fmt::Display for ReturnTo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(s: &str) -> RoleMap {
        match s.parse() {
            Ok(m) => m,
            Err(e) => panic!("{s:?} should parse: {e}"),
        }
    }

    #[test]
    fn the_highest_matching_role_wins() {
        let m = map("staff=viewer, waymark-managers=manager,waymark-admins=admin");
        assert_eq!(m.role_for(["staff"]), Some(Role::Viewer));
        assert_eq!(
            m.role_for(["staff", "waymark-managers"]),
            Some(Role::Manager)
        );
        assert_eq!(
            m.role_for(["waymark-admins", "staff", "waymark-managers"]),
            Some(Role::Admin)
        );
        assert_eq!(m.role_for(["other"]), None);
        assert_eq!(m.role_for([]), None);
    }

    #[test]
    fn groups_match_exactly() {
        let m = map("Staff=viewer");
        assert_eq!(m.role_for(["staff"]), None);
        assert_eq!(m.role_for(["Staff "]), None);
        assert_eq!(m.role_for(["Staff"]), Some(Role::Viewer));
    }

    #[test]
    fn a_star_lets_in_anyone_the_provider_signs_in() {
        let m = map("*=viewer,ict=manager");
        assert_eq!(m.role_for([]), Some(Role::Viewer));
        assert_eq!(m.role_for(["ict"]), Some(Role::Manager));
        // A group literally named "*" from the provider is not the wildcard.
        assert_eq!(map("ict=manager").role_for(["*"]), None);
    }

    #[test]
    fn a_group_may_hold_equals_signs_and_roles_any_case() {
        let m = map("CN=Waymark Admins=Admin\n/staff/ict = Contributor");
        assert_eq!(
            m.entries(),
            &[
                (GroupMatch::Group("CN=Waymark Admins".into()), Role::Admin),
                (GroupMatch::Group("/staff/ict".into()), Role::Contributor),
            ]
        );
        assert_eq!(
            m.to_string(),
            "CN=Waymark Admins=admin,/staff/ict=contributor"
        );
        assert_eq!(map(&m.to_string()), m);
    }

    #[test]
    fn bad_maps_are_refused_naming_every_bad_entry() {
        let err = |s: &str| match s.parse::<RoleMap>() {
            Ok(m) => panic!("{s:?} should not parse, gave {m}"),
            Err(e) => e.to_string(),
        };
        assert_eq!(err(""), "the role map names no group (write group=role, …)");
        assert_eq!(
            err(" , ,"),
            "the role map names no group (write group=role, …)"
        );
        assert_eq!(
            err("staff,ict=boss,=admin,a=viewer,a=admin"),
            "entry 1 (\"staff\") is not group=role; \
             entry 2: \"boss\" is not a role; expected viewer, contributor, manager, approver or admin; \
             entry 3 (\"=admin\") names no group; \
             entry 5: the group \"a\" is already mapped (to viewer)"
        );
        let long = format!("{}=viewer", "g".repeat(limits::SSO_GROUP_CHARS + 1));
        assert!(err(&long).contains("longer than"));
        let many = (0..=limits::SSO_ROLE_MAP_ENTRIES)
            .map(|i| format!("g{i}=viewer"))
            .collect::<Vec<_>>()
            .join(",");
        assert!(err(&many).contains("more than"));
    }

    #[test]
    fn return_addresses_stay_on_this_site() {
        for good in ["/", "/plans/1", "/plans/1/timeline?q=a%20b&x=1", "/a#b"] {
            assert_eq!(
                good.parse::<ReturnTo>().map(|r| r.to_string()).as_deref(),
                Ok(good)
            );
        }
        for bad in [
            "",
            "plans/1",
            "//evil.example/",
            "/\\evil.example/",
            "https://evil.example/",
            "/a b",
            "/a\\b",
            "/a\nb",
            "/caf\u{e9}",
        ] {
            assert!(
                bad.parse::<ReturnTo>().is_err(),
                "{bad:?} should be refused"
            );
        }
        let long = format!("/{}", "a".repeat(limits::RETURN_PATH_CHARS));
        assert!(long.parse::<ReturnTo>().is_err());
        assert_eq!(ReturnTo::default().as_str(), "/");
    }
}
