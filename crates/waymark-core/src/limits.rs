//! Every field's limits and format, declared once.
//!
//! The web forms, the JSON API, the OpenAPI document and the importers all read
//! these declarations, so a value the API refuses is refused by the pages and by
//! an import too, with the same words. A new field gets a [`TextField`] here
//! before it gets a form.

use std::ops::RangeInclusive;

use crate::model::{Plan, Status, WorkPackageRef};

/// Whether a text may hold line breaks. Imported cells may span lines (a
/// broken cell is joined), so only values that come from one line of a file
/// (headings, the title) are [`Shape::Line`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One line: titles, names, numbers.
    Line,
    /// Free text over several lines: scope, comments, descriptions.
    Text,
}

/// A text field's name on the wire, its label in messages, and its limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextField {
    /// The field's name in forms and JSON bodies.
    pub name: &'static str,
    /// How messages name it: "The {label} must be …".
    pub label: &'static str,
    /// Longest value, in characters (Unicode scalar values).
    pub max_chars: usize,
    pub shape: Shape,
}

/// A value that breaks a declared limit; `field` is the wire name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitError {
    pub field: &'static str,
    pub message: String,
}

impl std::fmt::Display for LimitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// `20000` as people read it: `20,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl TextField {
    /// The same limits under another wire name (a form that calls the plan's
    /// title `title` and a bulk body that calls it `plan_title`, say).
    pub const fn named(self, name: &'static str) -> TextField {
        TextField { name, ..self }
    }

    /// Checks length and shape; the message names the field and the limit.
    pub fn check(&self, value: &str) -> Result<(), LimitError> {
        // Counting stops one past the limit: a 10 MB value costs no more than a short one.
        if value.chars().take(self.max_chars + 1).count() > self.max_chars {
            return Err(self.error(format!(
                "The {} must be {} characters or fewer",
                self.label,
                thousands(self.max_chars as u64)
            )));
        }
        if self.shape == Shape::Line && value.contains(['\n', '\r']) {
            return Err(self.error(format!("The {} must be one line", self.label)));
        }
        Ok(())
    }

    pub fn error(&self, message: String) -> LimitError {
        LimitError {
            field: self.name,
            message,
        }
    }
}

const fn line(name: &'static str, label: &'static str, max_chars: usize) -> TextField {
    TextField {
        name,
        label,
        max_chars,
        shape: Shape::Line,
    }
}

const fn text(name: &'static str, label: &'static str, max_chars: usize) -> TextField {
    TextField {
        name,
        label,
        max_chars,
        shape: Shape::Text,
    }
}

/// Longest free text anywhere (scope, comments, descriptions, introduction).
pub const LONG_TEXT_CHARS: usize = 20_000;
/// Longest name of a related item or programme.
pub const NAME_CHARS: usize = 200;
/// Longest title of a work package.
pub const TITLE_CHARS: usize = 500;
/// Longest title of a key influence, plan or section.
pub const HEADING_CHARS: usize = 300;

pub const PLAN_TITLE: TextField = line("title", "plan title", HEADING_CHARS);
pub const PLAN_ORGANISATION: TextField = line("organisation", "organisation", NAME_CHARS);
pub const PLAN_PERIOD: TextField = line("period", "period", 100);
pub const PLAN_INTRODUCTION: TextField = text("introduction", "introduction", LONG_TEXT_CHARS);

pub const SECTION_NUMBER: TextField = line("number", "section number", 20);
pub const SECTION_TITLE: TextField = line("title", "section title", HEADING_CHARS);

pub const PACKAGE_TITLE: TextField = text("title", "title", TITLE_CHARS);
pub const PACKAGE_SCOPE: TextField = text("scope", "scope", LONG_TEXT_CHARS);
pub const PACKAGE_RELATIONSHIPS: TextField =
    text("relationships", "relationships", LONG_TEXT_CHARS);
pub const PACKAGE_COMMENTS: TextField = text("comments", "comments", LONG_TEXT_CHARS);
pub const PACKAGE_OWNER: TextField = text("owner", "owner", 500);
/// The latest progress note (free text beside the percentage).
pub const PACKAGE_PROGRESS_NOTE: TextField =
    text("progress_note", "progress note", LONG_TEXT_CHARS);
/// The delivery cell as written, when Waymark reads it as something else
/// ("End of March 2027", "Ongoing"). Many lines: an imported cell may span them.
pub const PACKAGE_DELIVERY_AS_WRITTEN: TextField =
    text("delivery_as_written", "delivery as written", 1_000);

pub const INFLUENCE_TITLE: TextField = text("title", "title", HEADING_CHARS);
pub const INFLUENCE_DESCRIPTION: TextField = text("description", "description", LONG_TEXT_CHARS);

pub const RELATED_ITEM_NAME: TextField = text("name", "name", NAME_CHARS);
pub const PROGRAMME_NAME: TextField = text("name", "name", NAME_CHARS);
pub const PROGRAMME_DESCRIPTION: TextField = text("description", "description", LONG_TEXT_CHARS);

/// The meeting a decision was taken at ("ICT Strategy Group, March 2007").
pub const DECISION_MEETING: TextField = line("meeting", "meeting", HEADING_CHARS);
/// What was decided.
pub const DECISION_TEXT: TextField = text("text", "decision", LONG_TEXT_CHARS);
/// Why it was decided.
pub const DECISION_RATIONALE: TextField = text("rationale", "rationale", LONG_TEXT_CHARS);
/// Who decided: the group, or a person.
pub const DECISION_DECIDED_BY: TextField = line("decided_by", "decided by", NAME_CHARS);
/// Most work packages, and most programmes, one decision may link to.
pub const MAX_DECISION_LINKS: usize = 500;

/// A RAID item's title: the risk, the assumption, the issue, or what is
/// depended on.
pub const RAID_TITLE: TextField = line("title", "title", HEADING_CHARS);
/// A RAID item's description.
pub const RAID_DESCRIPTION: TextField = text("description", "description", LONG_TEXT_CHARS);
/// Who owns a RAID item.
pub const RAID_OWNER: TextField = line("owner", "owner", NAME_CHARS);
/// A risk's mitigation.
pub const RAID_MITIGATION: TextField = text("mitigation", "mitigation", LONG_TEXT_CHARS);
/// An issue's resolution.
pub const RAID_RESOLUTION: TextField = text("resolution", "resolution", LONG_TEXT_CHARS);
/// Who provides what a dependency depends on.
pub const RAID_PROVIDER: TextField = line("provider", "provider", NAME_CHARS);
/// A risk's likelihood and impact: whole numbers in this range.
pub const RAID_RATING: RangeInclusive<u8> = 1..=5;
/// Most work packages, and most programmes, one RAID item may link to.
pub const MAX_RAID_LINKS: usize = 500;

/// A priority criterion's name ("Statutory duty").
pub const CRITERION_NAME: TextField = line("name", "criterion name", NAME_CHARS);
/// What a criterion means and how to score against it.
pub const CRITERION_DESCRIPTION: TextField = text("description", "description", LONG_TEXT_CHARS);
/// Why an item has the score it has on a criterion.
pub const SCORE_NOTE: TextField = text("note", "note", LONG_TEXT_CHARS);
/// A criterion's weight: a whole number, 1 (counts least) to 100 (most).
/// Only the weights' ratios matter (the ranking divides by their sum).
pub const CRITERION_WEIGHTS: RangeInclusive<u32> = 1..=100;
/// Where a criterion comes in the list: a whole number from 1.
pub const CRITERION_ORDERS: RangeInclusive<u32> = 1..=10_000;
/// A score on a criterion: 1 (least) to 5 (most).
pub const PRIORITY_SCORES: RangeInclusive<u8> = 1..=5;
/// Most criteria one plan may have.
pub const MAX_CRITERIA: usize = 50;
/// The sensitivity's top N: from 1 to this.
pub const MAX_PRIORITY_TOP: usize = 50;

/// A progress note's text: what has happened on a work package since the
/// last one.
pub const PROGRESS_NOTE_TEXT: TextField = text("text", "progress note", LONG_TEXT_CHARS);

/// Free-text search.
pub const SEARCH_TEXT: TextField = line("q", "search", 200);

/// The audit list's filter on who made a change: text their name or id contains.
pub const AUDIT_ACTOR: TextField = line("actor", "who", 200);
/// The audit list's filter on one record's id (`12`, or `1/3.1.1`).
pub const AUDIT_ENTITY_ID: TextField = line("entity_id", "record id", 200);

/// An account's email address (RFC 5321's longest path).
pub const ACCOUNT_EMAIL: TextField = line("email", "email address", 254);
/// An account's display name.
pub const ACCOUNT_NAME: TextField = line("name", "name", NAME_CHARS);
/// An API token's name ("Nightly export").
pub const TOKEN_NAME: TextField = line("name", "token name", 100);
/// A baseline's name ("Approved April 2027").
pub const BASELINE_NAME: TextField = line("name", "baseline name", NAME_CHARS);
/// The comment an approver gives when approving or rejecting a work package,
/// or approving or superseding a plan (kept in the audit trail).
pub const APPROVAL_COMMENT: TextField = text("comment", "comment", 5_000);
/// Shortest password (NCSC and NIST SP 800-63B: length over composition rules).
pub const PASSWORD_MIN_CHARS: usize = 12;
/// Longest password (hashing a megabyte is work an attacker chooses).
pub const PASSWORD_MAX_CHARS: usize = 1_000;
/// Most owner names one account may hold.
pub const MAX_OWNER_NAMES: usize = 50;

/// Every declared text field with the record it belongs to, for documentation
/// (`docs/limits.md` is checked against it) and schema generators.
pub const TEXT_FIELDS: &[(&str, TextField)] = &[
    ("plan", PLAN_TITLE),
    ("plan", PLAN_ORGANISATION),
    ("plan", PLAN_PERIOD),
    ("plan", PLAN_INTRODUCTION),
    ("section", SECTION_NUMBER),
    ("section", SECTION_TITLE),
    ("work package", PACKAGE_TITLE),
    ("work package", PACKAGE_SCOPE),
    ("work package", PACKAGE_RELATIONSHIPS),
    ("work package", PACKAGE_COMMENTS),
    ("work package", PACKAGE_OWNER),
    ("work package", PACKAGE_PROGRESS_NOTE),
    ("work package", PACKAGE_DELIVERY_AS_WRITTEN),
    ("key influence", INFLUENCE_TITLE),
    ("key influence", INFLUENCE_DESCRIPTION),
    ("related item", RELATED_ITEM_NAME),
    ("programme", PROGRAMME_NAME),
    ("programme", PROGRAMME_DESCRIPTION),
    ("decision", DECISION_MEETING),
    ("priority criterion", CRITERION_NAME),
    ("priority criterion", CRITERION_DESCRIPTION),
    ("priority score", SCORE_NOTE),
    ("decision", DECISION_TEXT),
    ("decision", DECISION_RATIONALE),
    ("decision", DECISION_DECIDED_BY),
    ("RAID item", RAID_TITLE),
    ("RAID item", RAID_DESCRIPTION),
    ("RAID item", RAID_OWNER),
    ("RAID item", RAID_MITIGATION),
    ("RAID item", RAID_RESOLUTION),
    ("RAID item", RAID_PROVIDER),
    ("progress note", PROGRESS_NOTE_TEXT),
    ("work-package list", SEARCH_TEXT),
    ("audit list", AUDIT_ACTOR),
    ("audit list", AUDIT_ENTITY_ID),
    ("account", ACCOUNT_EMAIL),
    ("account", ACCOUNT_NAME),
    ("API token", TOKEN_NAME),
    ("baseline", BASELINE_NAME),
    ("approval", APPROVAL_COMMENT),
];

/// The limits as a Markdown table (`docs/limits.md` holds it).
pub fn markdown_table() -> String {
    let mut out = String::from("| Record | Field | Longest | Lines |\n| --- | --- | --- | --- |\n");
    for (record, f) in TEXT_FIELDS {
        out.push_str(&format!(
            "| {record} | `{}` | {} characters | {} |\n",
            f.name,
            thousands(f.max_chars as u64),
            match f.shape {
                Shape::Line => "one",
                Shape::Text => "many",
            }
        ));
    }
    out.push_str(&format!(
        "| work package | `number` | {PACKAGE_NUMBER_CHARS} letters or digits; all digits: 1 to {} | one |\n",
        thousands(999_999)
    ));
    out.push_str(&format!(
        "| work package | `delivery` | {MAX_DELIVERY_PARTS} parts, labels of {DELIVERY_LABEL_CHARS} characters | one |\n"
    ));
    out.push_str(&format!(
        "| work package | `influences` | {MAX_PACKAGE_INFLUENCES} codes | one |\n"
    ));
    out.push_str(&format!(
        "| priority criterion | `weight` | a whole number from {} to {} | one |\n",
        CRITERION_WEIGHTS.start(),
        CRITERION_WEIGHTS.end()
    ));
    out.push_str(&format!(
        "| priority criterion | `order` | a whole number from {} to {} | one |\n",
        CRITERION_ORDERS.start(),
        thousands(u64::from(*CRITERION_ORDERS.end()))
    ));
    out.push_str(&format!(
        "| priority criterion | per plan | {MAX_CRITERIA} criteria | one |\n"
    ));
    out.push_str(&format!(
        "| priority score | `score` | a whole number from {} to {} | one |\n",
        PRIORITY_SCORES.start(),
        PRIORITY_SCORES.end()
    ));
    out.push_str(&format!(
        "| work package | `related_items` | {MAX_PACKAGE_RELATED_ITEMS} names | many |\n"
    ));
    out.push_str(&format!(
        "| decision | `date` | a date in {} to {} | one |\n",
        DELIVERY_YEARS.start(),
        DELIVERY_YEARS.end()
    ));
    out.push_str(&format!(
        "| decision | `work_package_ids`, `programme_ids` | {MAX_DECISION_LINKS} ids each | one |\n"
    ));
    out.push_str(&format!(
        "| RAID item | `likelihood`, `impact` | whole numbers {} to {} | one |\n",
        RAID_RATING.start(),
        RAID_RATING.end()
    ));
    out.push_str(&format!(
        "| RAID item | `next_review`, `needed_by` | a date in {} to {} | one |\n",
        DELIVERY_YEARS.start(),
        DELIVERY_YEARS.end()
    ));
    out.push_str(&format!(
        "| progress note | `date` | a date in {} to {} | one |\n",
        DELIVERY_YEARS.start(),
        DELIVERY_YEARS.end()
    ));
    out.push_str(&format!(
        "| RAID item | `work_package_ids`, `programme_ids` | {MAX_RAID_LINKS} ids each | one |\n"
    ));
    out.push_str(&format!(
        "| account | `password` | {PASSWORD_MIN_CHARS} to {} characters | one |\n",
        thousands(PASSWORD_MAX_CHARS as u64)
    ));
    out.push_str(&format!(
        "| account | `owner_names` | {MAX_OWNER_NAMES} names | many |\n"
    ));
    out.push_str(&format!(
        "| work package | `actual_delivery` | a date in {} to {} | one |\n",
        DELIVERY_YEARS.start(),
        DELIVERY_YEARS.end()
    ));
    out
}

/// Most delivery parts (`a) Q4 2007 b) Q1 2008 …`) one package may have.
pub const MAX_DELIVERY_PARTS: usize = 26;
/// Longest label of a delivery part (`a`, `ii`, `phase 2`).
pub const DELIVERY_LABEL_CHARS: usize = 20;
/// Most key influences one package may address.
pub const MAX_PACKAGE_INFLUENCES: usize = 200;
/// Most related items one package may name.
pub const MAX_PACKAGE_RELATED_ITEMS: usize = 200;

/// Most audit entries a record's history lists (the newest).
pub const HISTORY_ENTRIES: u32 = 200;
/// Audit entries on a page of the audit list when the address names no page size.
pub const AUDIT_PAGE_ENTRIES: u32 = 50;
/// Characters of a field's value an audit list shows before cutting it short
/// (the whole value is a click away).
pub const AUDIT_VALUE_SHOWN: usize = 200;

/// Single sign-on (`sso`): most entries in `WAYMARK_OIDC_ROLE_MAP`.
pub const SSO_ROLE_MAP_ENTRIES: usize = 500;
/// Single sign-on: longest group name the role map holds (an Entra ID object
/// id is 36, a Keycloak group path or an LDAP name longer).
pub const SSO_GROUP_CHARS: usize = 256;
/// Single sign-on: most groups read from one ID token (Entra ID sends at most
/// 200 before it falls back to a link; more is not a token Waymark reads).
pub const SSO_TOKEN_GROUPS: usize = 1_000;
/// Longest path a sign-in returns to.
pub const RETURN_PATH_CHARS: usize = 2_000;

/// Years an actual delivery date may fall in: a plan's dates are in living
/// memory and this century; year 1 or 9999 is a typing mistake.
pub const DELIVERY_YEARS: RangeInclusive<i32> = 1970..=2100;

/// Longest package number: `12`, `3a`, `iv`, `B2`.
pub const PACKAGE_NUMBER_CHARS: usize = 10;
/// Most digits in an all-digit package number (up to 999,999 packages in a section).
pub const PACKAGE_NUMBER_DIGITS: usize = 6;
/// The number format as a pattern, for the OpenAPI document (with a
/// `maxLength` of [`PACKAGE_NUMBER_CHARS`]): letters and digits with at least
/// one letter, or digits that make 1 to 999999.
pub const PACKAGE_NUMBER_PATTERN: &str = "^([0-9]*[A-Za-z][A-Za-z0-9]*|0*[1-9][0-9]{0,5})$";

/// Checks a package number: 1 to 10 letters or digits; an all-digit number is
/// 1 to 999999 (leading zeros allowed, `0` and `-1` are not numbers of a package).
pub fn check_package_number(number: &str) -> Result<(), LimitError> {
    let err = |message: String| LimitError {
        field: "number",
        message,
    };
    if number.is_empty() {
        return Err(err("Enter the work package number, such as 3".into()));
    }
    if number.chars().count() > PACKAGE_NUMBER_CHARS
        || !number.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Err(err(format!(
            "The number must be 1 to {PACKAGE_NUMBER_CHARS} letters or digits, such as 3 or 3a"
        )));
    }
    if number.chars().all(|c| c.is_ascii_digit()) {
        let significant = number.trim_start_matches('0');
        if significant.is_empty() {
            return Err(err("The number must be 1 or more".into()));
        }
        if significant.len() > PACKAGE_NUMBER_DIGITS {
            return Err(err(format!(
                "The number must be {} or less",
                thousands(999_999)
            )));
        }
    }
    Ok(())
}

/// Checks the number of delivery parts and their labels.
pub fn check_delivery_parts<'a>(
    labels: impl ExactSizeIterator<Item = Option<&'a str>>,
) -> Result<(), LimitError> {
    let err = |message: String| LimitError {
        field: "delivery",
        message,
    };
    if labels.len() > MAX_DELIVERY_PARTS {
        return Err(err(format!(
            "A package can have at most {MAX_DELIVERY_PARTS} delivery parts; this has {}",
            labels.len()
        )));
    }
    for label in labels.flatten() {
        if label.chars().count() > DELIVERY_LABEL_CHARS {
            return Err(err(format!(
                "A delivery part's label must be {DELIVERY_LABEL_CHARS} characters or fewer"
            )));
        }
    }
    Ok(())
}

/// A dated record's year must be in [`DELIVERY_YEARS`]; `what` begins the
/// message ("Actual delivery must be a date", "The decision's date must be").
fn check_year(field: &'static str, what: &str, year: i32) -> Result<(), LimitError> {
    if DELIVERY_YEARS.contains(&year) {
        Ok(())
    } else {
        Err(LimitError {
            field,
            message: format!(
                "{what} from {} to {}; {year} looks like a typing mistake",
                DELIVERY_YEARS.start(),
                DELIVERY_YEARS.end()
            ),
        })
    }
}

/// Checks an actual delivery date's year.
pub fn check_delivery_year(year: i32) -> Result<(), LimitError> {
    check_year("actual_delivery", "Actual delivery must be a date", year)
}

/// Checks the date a decision was taken.
pub fn check_decision_date(date: crate::model::Date) -> Result<(), LimitError> {
    check_year("date", "The decision's date must be", date.get().year())
}

/// Checks a date of a RAID item (`next_review`, `needed_by`).
pub fn check_raid_date(field: &'static str, date: crate::model::Date) -> Result<(), LimitError> {
    check_year(field, "The date must be", date.get().year())
}

/// Checks the date of a progress note.
pub fn check_note_date(date: crate::model::Date) -> Result<(), LimitError> {
    check_year("date", "The note's date must be", date.get().year())
}

/// Values that cannot both be true: a delivered (or closed) package is complete.
/// Refused in forms and the API; reported by `check` for imported plans.
pub fn check_status_progress(status: Status, progress: u8) -> Result<(), LimitError> {
    if status.is_done() && progress != 100 {
        let what = status.label().to_lowercase();
        return Err(LimitError {
            field: "progress",
            message: format!(
                "A {what} package is 100% complete, not {progress}%: set progress to 100 or choose another status"
            ),
        });
    }
    Ok(())
}

/// Where in a plan a limit was broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanViolation {
    /// `plan`, `section 10.2`, `work package 10.2.3`, `key influence 3.1.1`, …
    pub place: String,
    pub error: LimitError,
}

impl std::fmt::Display for PlanViolation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.place, self.error.message)
    }
}

/// Every limit a whole plan breaks (an import, before it is stored). Values
/// that merely contradict each other (delivered at 90 %) are left to `check`.
pub fn check_plan(plan: &Plan) -> Vec<PlanViolation> {
    let mut out = Vec::new();
    let mut push = |place: &dyn Fn() -> String, r: Result<(), LimitError>| {
        if let Err(error) = r {
            out.push(PlanViolation {
                place: place(),
                error,
            });
        }
    };
    let at_plan = || "the plan".to_string();
    push(&at_plan, PLAN_TITLE.check(&plan.title));
    push(&at_plan, PLAN_ORGANISATION.check(&plan.organisation));
    push(&at_plan, PLAN_PERIOD.check(&plan.period));
    push(&at_plan, PLAN_INTRODUCTION.check(&plan.introduction));
    for (i, section) in plan.sections.iter().enumerate() {
        let at_section = || match &section.number {
            Some(n) => format!("section {n}"),
            None => format!("section {}", i + 1),
        };
        if let Some(n) = &section.number {
            push(&at_section, SECTION_NUMBER.check(n));
        }
        if let Some(t) = &section.title {
            push(&at_section, SECTION_TITLE.check(t));
        }
        for wp in &section.work_packages {
            let at_package = || {
                format!(
                    "work package {}",
                    WorkPackageRef::new(section, i, &wp.number)
                )
            };
            push(&at_package, check_package_number(&wp.number));
            push(&at_package, PACKAGE_TITLE.check(&wp.title));
            push(&at_package, PACKAGE_SCOPE.check(&wp.scope));
            push(&at_package, PACKAGE_RELATIONSHIPS.check(&wp.relationships));
            push(&at_package, PACKAGE_COMMENTS.check(&wp.comments));
            push(&at_package, PACKAGE_OWNER.check(&wp.owner));
            push(&at_package, PACKAGE_PROGRESS_NOTE.check(&wp.progress_note));
            push(
                &at_package,
                PACKAGE_DELIVERY_AS_WRITTEN.check(&wp.delivery_as_written),
            );
            push(
                &at_package,
                check_delivery_parts(wp.delivery.iter().map(|d| d.label.as_deref())),
            );
            if let Some(d) = wp.actual_delivery {
                push(&at_package, check_delivery_year(d.get().year()));
            }
            if wp.influences.len() > MAX_PACKAGE_INFLUENCES {
                push(
                    &at_package,
                    Err(LimitError {
                        field: "influences",
                        message: format!(
                            "A package can address at most {MAX_PACKAGE_INFLUENCES} key influences"
                        ),
                    }),
                );
            }
            if wp.related_items.len() > MAX_PACKAGE_RELATED_ITEMS {
                push(
                    &at_package,
                    Err(LimitError {
                        field: "related_items",
                        message: format!(
                            "A package can name at most {MAX_PACKAGE_RELATED_ITEMS} related items"
                        ),
                    }),
                );
            }
        }
    }
    for influence in &plan.influences {
        let at = || format!("key influence {}", influence.code);
        push(&at, INFLUENCE_TITLE.check(&influence.title));
        push(&at, INFLUENCE_DESCRIPTION.check(&influence.description));
    }
    for item in &plan.related_items {
        let at = || "a related item".to_string();
        push(&at, RELATED_ITEM_NAME.check(&item.name));
    }
    for programme in &plan.programmes {
        let at = || "a programme".to_string();
        push(&at, PROGRAMME_NAME.check(&programme.name));
        push(&at, PROGRAMME_DESCRIPTION.check(&programme.description));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/limits.md shows the declarations as they are.
    #[test]
    fn the_documented_table_is_the_declared_one() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/limits.md");
        let doc = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            doc.contains(&markdown_table()),
            "docs/limits.md does not hold the table of the declared limits; put this in it:\n{}",
            markdown_table()
        );
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(200), "200");
        assert_eq!(thousands(20_000), "20,000");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn package_numbers() {
        for good in ["1", "3a", "B2", "iv", "999999", "007", "ABCDEFGHIJ"] {
            assert_eq!(check_package_number(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "0",
            "000",
            "-1",
            "<b>1",
            "1.5",
            "3 a",
            "1000000",
            "18446744073709551615",
            "ABCDEFGHIJK",
            "١",
        ] {
            let e = check_package_number(bad).err();
            assert_eq!(e.as_ref().map(|e| e.field), Some("number"), "{bad:?}");
        }
    }

    #[test]
    fn text_limits_name_the_field_and_count_characters_not_bytes() {
        assert_eq!(PLAN_TITLE.check(&"é".repeat(HEADING_CHARS)), Ok(()));
        let e = PLAN_TITLE.check(&"é".repeat(HEADING_CHARS + 1)).err();
        assert_eq!(
            e.map(|e| (e.field, e.message)),
            Some((
                "title",
                "The plan title must be 300 characters or fewer".to_string()
            ))
        );
        let e = PLAN_TITLE.check("two\nlines").err();
        assert_eq!(
            e.map(|e| e.message),
            Some("The plan title must be one line".to_string())
        );
        assert_eq!(PLAN_INTRODUCTION.check("two\nlines"), Ok(()));
    }

    #[test]
    fn delivery_parts_and_years() {
        let many: Vec<Option<&str>> = vec![None; MAX_DELIVERY_PARTS + 1];
        assert!(check_delivery_parts(many.into_iter()).is_err());
        assert_eq!(check_delivery_parts([Some("a"), None].into_iter()), Ok(()));
        assert!(check_delivery_parts([Some("a very long label indeed!")].into_iter()).is_err());
        assert_eq!(check_delivery_year(2007), Ok(()));
        assert!(check_delivery_year(1).is_err());
        assert!(check_delivery_year(9999).is_err());
    }

    #[test]
    fn a_decision_date_is_within_the_years_people_mean() {
        let date = |s: &str| {
            s.parse::<crate::model::Date>()
                .unwrap_or_else(|e| panic!("{e}"))
        };
        assert_eq!(check_decision_date(date("2007-03-14")), Ok(()));
        let refused = check_decision_date(date("0207-03-14"));
        assert_eq!(refused.as_ref().map_err(|e| e.field), Err("date"));
        assert!(check_decision_date(date("2101-01-01")).is_err());
    }

    /// An import is held to the new fields' limits too, each named with its place.
    #[test]
    fn a_plan_breaking_the_progress_note_or_delivery_words_limits_is_named() {
        let mut plan = Plan::new("Plan");
        let mut wp = crate::model::WorkPackage::new("1", "A package");
        wp.progress_note = "n".repeat(LONG_TEXT_CHARS + 1);
        wp.delivery_as_written = "d".repeat(PACKAGE_DELIVERY_AS_WRITTEN.max_chars + 1);
        plan.sections.push(crate::model::Section {
            number: Some("1".into()),
            title: Some("First".into()),
            work_packages: vec![wp],
        });
        let found: Vec<(String, &str)> = check_plan(&plan)
            .into_iter()
            .map(|v| (v.place, v.error.field))
            .collect();
        assert_eq!(
            found,
            [
                ("work package 1.1".to_string(), "progress_note"),
                ("work package 1.1".to_string(), "delivery_as_written"),
            ]
        );
        assert_eq!(
            PACKAGE_DELIVERY_AS_WRITTEN.check("Ongoing\nreviewed yearly"),
            Ok(())
        );
    }

    #[test]
    fn delivered_means_complete() {
        assert!(check_status_progress(Status::Delivered, 90).is_err());
        assert_eq!(check_status_progress(Status::Delivered, 100), Ok(()));
        assert_eq!(check_status_progress(Status::InProgress, 90), Ok(()));
    }
}
