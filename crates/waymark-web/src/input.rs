//! Turning what a person typed (a form) or sent (a JSON body) into validated
//! domain values, with an error per wrong field.

use serde::Deserialize;
use utoipa::ToSchema;
use waymark_core::import::{parse_delivery, parse_influences};
use waymark_core::limits::{self, LimitError, TextField};
use waymark_core::{Date, Progress, Rag, Status};
use waymark_store::{ProgrammeId, SectionId, WorkPackageDetail, WorkPackageInput};

use crate::error::FieldError;

/// The declared limit's error for `value`, if it breaks it.
pub fn over(field: TextField, value: &str) -> Option<FieldError> {
    field.check(value).err().map(FieldError::from)
}

impl From<LimitError> for FieldError {
    fn from(e: LimitError) -> Self {
        FieldError::new(e.field, e.message)
    }
}

/// A plan's own fields, checked against the declared limits (API and settings page).
pub fn plan_errors(input: &waymark_store::PlanInput) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if input.title.is_empty() {
        errors.push(FieldError::new("title", "Enter the plan's title"));
    }
    errors.extend(over(limits::PLAN_TITLE, &input.title));
    errors.extend(over(limits::PLAN_ORGANISATION, &input.organisation));
    errors.extend(over(limits::PLAN_PERIOD, &input.period));
    errors.extend(over(limits::PLAN_INTRODUCTION, &input.introduction));
    errors
}

/// A programme's name (required) and description (API and priorities page).
pub fn programme_errors(name: &str, description: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if name.is_empty() {
        errors.push(FieldError::new("name", "Enter the programme's name"));
    }
    errors.extend(over(limits::PROGRAMME_NAME, name));
    errors.extend(over(limits::PROGRAMME_DESCRIPTION, description));
    errors
}

/// A related item's name (API and related-item page).
pub fn related_item_name_errors(name: &str) -> Vec<FieldError> {
    if name.is_empty() {
        return vec![FieldError::new("name", "Enter the name")];
    }
    over(limits::RELATED_ITEM_NAME, name).into_iter().collect()
}

/// A key influence's title and description (API and influence page).
pub fn influence_errors(title: &str, description: &str) -> Vec<FieldError> {
    over(limits::INFLUENCE_TITLE, title)
        .into_iter()
        .chain(over(limits::INFLUENCE_DESCRIPTION, description))
        .collect()
}

/// A section's number and title, trimmed, empty as `None`, checked.
pub fn section_fields(
    number: &str,
    title: &str,
) -> Result<(Option<String>, Option<String>), Vec<FieldError>> {
    let clean = |v: &str| Some(v.trim().to_string()).filter(|s| !s.is_empty());
    let (number, title) = (clean(number), clean(title));
    let mut errors = Vec::new();
    if let Some(n) = &number {
        if let Some(e) = over(limits::SECTION_NUMBER, n) {
            errors.push(e);
        } else if !n
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        {
            errors.push(FieldError::new(
                "number",
                "A section number is numbers separated by dots, such as 10.6",
            ));
        }
    }
    if let Some(t) = &title {
        errors.extend(over(limits::SECTION_TITLE, t));
    }
    if number.is_none() && title.is_none() {
        errors.push(FieldError::new(
            "title",
            "Enter a number or a title for the section",
        ));
    }
    if errors.is_empty() {
        Ok((number, title))
    } else {
        Err(errors)
    }
}

/// Work-package fields as text, the way a form sends them. The JSON API takes
/// the same names; list fields there may also be arrays.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct WorkPackageFields {
    /// Section the package belongs to.
    pub section_id: Option<String>,
    /// Number within the section; the next free number when left out on create.
    pub number: Option<String>,
    pub title: Option<String>,
    pub scope: Option<String>,
    pub relationships: Option<String>,
    /// Quarters, optionally labelled: `Q2 2007` or `a) Q4 2007 b) Q1 2008`.
    pub delivery: Option<String>,
    pub comments: Option<String>,
    /// Key-influence codes separated by spaces or commas: `3.1.1 3.2.6`.
    pub influences: Option<String>,
    /// Related item names, one per line or separated by `;`; giving them sets
    /// them by hand. Left out on create: read from `relationships`, and again on
    /// every save until set by hand.
    pub related_items: Option<String>,
    /// `false` to go back to reading related items from `relationships`;
    /// `true` to keep the current ones as they are.
    #[schema(value_type = Option<bool>)]
    pub related_items_manual: Option<String>,
    pub owner: Option<String>,
    /// not_started, in_progress, delivered, on_hold or cancelled.
    pub status: Option<String>,
    /// red, amber, green, or empty for none.
    pub rag: Option<String>,
    /// 0 to 100.
    pub progress: Option<String>,
    /// YYYY-MM-DD, or empty.
    pub actual_delivery: Option<String>,
    /// Programme ids the package belongs to. Left out: unchanged.
    #[serde(skip)]
    pub programmes: Option<Vec<i64>>,
}

/// The work package's text fields by name, in form order: the one list the JSON
/// reader, the form reader and [`WorkPackageFields::overlay`] go through (a new
/// field is added here and in [`WorkPackageFields::slot`]).
pub const WORK_PACKAGE_TEXT_FIELDS: [&str; 15] = [
    "section_id",
    "number",
    "title",
    "scope",
    "relationships",
    "delivery",
    "comments",
    "influences",
    "related_items_manual",
    "related_items",
    "owner",
    "status",
    "rag",
    "progress",
    "actual_delivery",
];

impl WorkPackageFields {
    /// The text field called `name` (see [`WORK_PACKAGE_TEXT_FIELDS`]).
    pub fn slot(&mut self, name: &str) -> Option<&mut Option<String>> {
        Some(match name {
            "section_id" => &mut self.section_id,
            "number" => &mut self.number,
            "title" => &mut self.title,
            "scope" => &mut self.scope,
            "relationships" => &mut self.relationships,
            "delivery" => &mut self.delivery,
            "comments" => &mut self.comments,
            "influences" => &mut self.influences,
            "related_items_manual" => &mut self.related_items_manual,
            "related_items" => &mut self.related_items,
            "owner" => &mut self.owner,
            "status" => &mut self.status,
            "rag" => &mut self.rag,
            "progress" => &mut self.progress,
            "actual_delivery" => &mut self.actual_delivery,
            _ => return None,
        })
    }

    /// The stored package as fields, to prefill a form or to patch.
    pub fn from_detail(d: &WorkPackageDetail) -> Self {
        WorkPackageFields {
            section_id: Some(d.row.section_id.0.to_string()),
            number: Some(d.row.number.clone()),
            title: Some(d.row.title.clone()),
            scope: Some(d.scope.clone()),
            relationships: Some(d.relationships.clone()),
            delivery: Some(waymark_core::model::format_delivery(&d.row.delivery)),
            comments: Some(d.comments.clone()),
            influences: Some(
                d.influences
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            // Read from the text unless set by hand.
            related_items: d.related_items_manual.then(|| {
                d.related_items
                    .iter()
                    .map(|r| r.name.as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            }),
            related_items_manual: Some(d.related_items_manual.to_string()),
            owner: Some(d.row.owner.clone()),
            status: Some(d.row.status.as_str().to_string()),
            rag: Some(
                d.row
                    .rag
                    .map(|r| r.as_str().to_string())
                    .unwrap_or_default(),
            ),
            progress: Some(d.row.progress.get().to_string()),
            actual_delivery: Some(d.actual_delivery.map(|d| d.to_string()).unwrap_or_default()),
            programmes: Some(d.programmes.iter().map(|p| p.id.0).collect()),
        }
    }

    /// Fields given in `patch` replace those here. Related items given set
    /// them by hand; `related_items_manual: false` reads them from the text.
    pub fn overlay(mut self, mut patch: WorkPackageFields) -> Self {
        if patch.related_items.is_some() && patch.related_items_manual.is_none() {
            self.related_items_manual = Some("true".into());
        }
        if patch.related_items.is_none() && patch.related_items_manual.as_deref() == Some("false") {
            self.related_items = None;
        }
        for name in WORK_PACKAGE_TEXT_FIELDS {
            let given = patch.slot(name).and_then(Option::take);
            if given.is_some()
                && let Some(slot) = self.slot(name)
            {
                *slot = given;
            }
        }
        if patch.programmes.is_some() {
            self.programmes = patch.programmes;
        }
        self
    }

    /// Validate every field of a stored package (the number is required); all
    /// problems are reported together.
    pub fn validate(&self) -> Result<WorkPackageInput, Vec<FieldError>> {
        self.validate_with(true)
    }

    /// Validate the fields of a new package: left blank, the number is chosen by
    /// the store (the next free one in the section).
    pub fn validate_new(&self) -> Result<WorkPackageInput, Vec<FieldError>> {
        self.validate_with(false)
    }

    fn validate_with(&self, number_required: bool) -> Result<WorkPackageInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let text = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_string();
        let section_id = match text(&self.section_id).parse::<i64>() {
            Ok(id) => SectionId(id),
            Err(_) => {
                errors.push(FieldError::new(
                    "section_id",
                    "Choose the section the work package belongs to",
                ));
                SectionId(0)
            }
        };
        let number = text(&self.number).trim_end_matches('.').to_string();
        if number.is_empty() && number_required {
            errors.push(FieldError::new(
                "number",
                "Enter the work package number, such as 3",
            ));
        } else if !number.is_empty()
            && let Err(e) = limits::check_package_number(&number)
        {
            errors.push(e.into());
        }
        let title = text(&self.title);
        if title.is_empty() {
            errors.push(FieldError::new("title", "Enter a title"));
        } else {
            errors.extend(over(limits::PACKAGE_TITLE, &title));
        }
        let delivery_text = text(&self.delivery);
        let (delivery, rest) = parse_delivery(&delivery_text);
        if !rest.is_empty() {
            errors.push(FieldError::new(
                "delivery",
                format!("\"{rest}\" is not a quarter; write quarters like Q2 2007, optionally labelled: a) Q4 2007 b) Q1 2008"),
            ));
        } else if let Err(e) =
            limits::check_delivery_parts(delivery.iter().map(|d| d.label.as_deref()))
        {
            errors.push(e.into());
        }
        let (influences, rest) = parse_influences(&text(&self.influences));
        if !rest.is_empty() {
            errors.push(FieldError::new("influences", format!("\"{rest}\" is not a key-influence code; write codes like 3.1.1 separated by spaces")));
        } else if influences.len() > limits::MAX_PACKAGE_INFLUENCES {
            errors.push(FieldError::new(
                "influences",
                format!(
                    "A package can address at most {} key influences",
                    limits::MAX_PACKAGE_INFLUENCES
                ),
            ));
        }
        let status = match text(&self.status).as_str() {
            "" => Status::NotStarted,
            s => s.parse::<Status>().unwrap_or_else(|e| {
                errors.push(FieldError::new(
                    "status",
                    format!("Choose a status: {}", e.expected),
                ));
                Status::NotStarted
            }),
        };
        let rag = match text(&self.rag).as_str() {
            "" | "none" => None,
            s => match s.parse::<Rag>() {
                Ok(r) => Some(r),
                Err(_) => {
                    errors.push(FieldError::new("rag", "Choose red, amber, green or none"));
                    None
                }
            },
        };
        let progress = match text(&self.progress).as_str() {
            "" => Progress::default(),
            s => s.parse::<Progress>().unwrap_or_else(|_| {
                errors.push(FieldError::new(
                    "progress",
                    "Progress must be a whole number from 0 to 100",
                ));
                Progress::default()
            }),
        };
        let actual_delivery = match text(&self.actual_delivery).as_str() {
            "" => None,
            s => match s.parse::<Date>() {
                Ok(d) => {
                    if let Err(e) = limits::check_delivery_year(d.get().year()) {
                        errors.push(e.into());
                    }
                    Some(d)
                }
                Err(_) => {
                    errors.push(FieldError::new("actual_delivery", "Actual delivery must be a real date written YYYY-MM-DD, such as 2007-03-31"));
                    None
                }
            },
        };
        let listed = self.related_items.as_ref().map(|t| {
            t.split(['\n', ';'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        });
        let related_items = match text(&self.related_items_manual).as_str() {
            "" => listed,
            "true" => Some(listed.unwrap_or_else(|| {
                waymark_core::import::relationships::names(&text(&self.relationships))
            })),
            "false" if listed.is_some() => {
                errors.push(FieldError::new(
                    "related_items_manual",
                    "Related items are either read from the relationships text (false) or listed (true), not both: leave out related_items, or set related_items_manual to true",
                ));
                None
            }
            "false" => None,
            _ => {
                errors.push(FieldError::new(
                    "related_items_manual",
                    "Choose true (related items as listed) or false (read from the relationships text)",
                ));
                None
            }
        };
        if let Some(long) = related_items
            .iter()
            .flatten()
            .find(|n| limits::RELATED_ITEM_NAME.check(n).is_err())
        {
            errors.push(FieldError::new(
                "related_items",
                format!(
                    "\"{}…\" is longer than {} characters",
                    long.chars().take(30).collect::<String>(),
                    limits::NAME_CHARS
                ),
            ));
        } else if related_items
            .as_ref()
            .is_some_and(|r| r.len() > limits::MAX_PACKAGE_RELATED_ITEMS)
        {
            errors.push(FieldError::new(
                "related_items",
                format!(
                    "A package can name at most {} related items",
                    limits::MAX_PACKAGE_RELATED_ITEMS
                ),
            ));
        }
        let long_text = [
            (limits::PACKAGE_SCOPE, &self.scope),
            (limits::PACKAGE_RELATIONSHIPS, &self.relationships),
            (limits::PACKAGE_COMMENTS, &self.comments),
            (limits::PACKAGE_OWNER, &self.owner),
        ];
        for (field, value) in long_text {
            errors.extend(over(field, value.as_deref().unwrap_or("").trim()));
        }
        if !errors
            .iter()
            .any(|e| e.field == "status" || e.field == "progress")
            && let Err(e) = limits::check_status_progress(status, progress.get())
        {
            errors.push(e.into());
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(WorkPackageInput {
            section_id,
            number: (!number.is_empty()).then_some(number),
            title,
            scope: text(&self.scope),
            relationships: text(&self.relationships),
            delivery,
            comments: text(&self.comments),
            influences,
            related_items,
            owner: text(&self.owner),
            status,
            rag,
            progress,
            actual_delivery,
            programmes: self
                .programmes
                .as_ref()
                .map(|ids| ids.iter().map(|i| ProgrammeId(*i)).collect()),
        })
    }
}

/// The query parameters of a work-package list: the API refuses any other name
/// (see `api::query_parameters`) and the OpenAPI document lists exactly these.
/// A new parameter goes here and into [`work_package_query`].
pub const WORK_PACKAGE_QUERY: &[&str] = &[
    "section",
    "quarter",
    "status",
    "rag",
    "influence",
    "related_item",
    "programme",
    "q",
    "sort",
    "dir",
    "page",
    "per_page",
    "cursor",
];

/// The largest page of a work-package list.
pub const PER_PAGE_MAX: u32 = 500;
/// Sort keys of a work-package list, as the API documents them.
pub const SORT_KEYS: &[&str] = &["plan", "title", "delivery", "status", "progress", "owner"];
/// Sort directions.
pub const DIRECTIONS: &[&str] = &["asc", "desc"];

/// Filters, sorting and paging for package lists from query pairs (shared by
/// the API and the overview page). Names not in [`WORK_PACKAGE_QUERY`] are
/// ignored here (the pages carry banner flags too; the API refuses them before
/// this); bad values are errors naming the parameter.
pub fn work_package_query(
    pairs: &[(String, String)],
    default_per_page: u32,
) -> Result<waymark_store::WorkPackageQuery, Vec<FieldError>> {
    use waymark_store::{ProgrammeId, RelatedItemId, SectionId, SortKey, WorkPackageQuery};
    let mut q = WorkPackageQuery {
        page: 1,
        per_page: default_per_page,
        ..Default::default()
    };
    let mut errors = Vec::new();
    for (name, value) in pairs {
        let v = value.trim();
        if v.is_empty() {
            continue;
        }
        let mut bad = |msg: String| errors.push(FieldError::new(name, msg));
        match name.as_str() {
            "section" => match v.parse() {
                Ok(id) => q.section = Some(SectionId(id)),
                Err(_) => bad(format!("\"{v}\" is not a section id")),
            },
            "quarter" => match v.parse() {
                Ok(quarter) => q.quarter = Some(quarter),
                Err(_) => bad(format!("\"{v}\" is not a quarter such as Q2 2007")),
            },
            "status" => match v.parse() {
                Ok(s) => q.status = Some(s),
                Err(_) => bad(format!(
                    "\"{v}\" is not a status; use not_started, in_progress, delivered, on_hold or cancelled"
                )),
            },
            "rag" => match v.parse() {
                Ok(r) => q.rag = Some(r),
                Err(_) => bad(format!(
                    "\"{v}\" is not a RAG status; use red, amber or green"
                )),
            },
            "influence" => match v.parse() {
                Ok(c) => q.influence = Some(c),
                Err(_) => bad(format!("\"{v}\" is not a key-influence code such as 3.1.1")),
            },
            "related_item" => match v.parse() {
                Ok(id) => q.related_item = Some(RelatedItemId(id)),
                Err(_) => bad(format!("\"{v}\" is not a related item id")),
            },
            "programme" => match v.parse() {
                Ok(id) => q.programme = Some(ProgrammeId(id)),
                Err(_) => bad(format!("\"{v}\" is not a programme id")),
            },
            "q" => match limits::SEARCH_TEXT.check(v) {
                Err(e) => bad(e.message),
                Ok(()) => match v.parse() {
                    Ok(text) => q.text = Some(text),
                    Err(e) => bad(format!("{e}; type a word, a reference or a code")),
                },
            },
            "sort" => match v.parse::<SortKey>() {
                Ok(s) => q.sort = s,
                Err(e) => bad(e),
            },
            "dir" => match v {
                "asc" => q.descending = false,
                "desc" => q.descending = true,
                _ => bad(format!("\"{v}\" is not a direction; use asc or desc")),
            },
            "page" => match v.parse::<u32>() {
                Ok(p) if p >= 1 => q.page = p,
                _ => bad(format!("\"{v}\" is not a page number (1 or more)")),
            },
            "cursor" => match v.parse() {
                Ok(c) => q.cursor = Some(c),
                Err(e) => bad(format!("{e}")),
            },
            "per_page" => match v.parse::<u32>() {
                Ok(p) if (1..=PER_PAGE_MAX).contains(&p) => q.per_page = p,
                _ => bad(format!(
                    "\"{v}\" is not a page size from 1 to {PER_PAGE_MAX}"
                )),
            },
            _ => {}
        }
    }
    if q.cursor.is_some()
        && pairs
            .iter()
            .any(|(k, v)| k == "page" && !v.trim().is_empty())
    {
        errors.push(FieldError::new(
            "cursor",
            "give a cursor or a page number, not both",
        ));
    }
    if errors.is_empty() {
        Ok(q)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_query_parameter_is_parsed() {
        // A value no parameter accepts (free text needs a word) is an error naming it.
        for name in WORK_PACKAGE_QUERY {
            let pairs = vec![(name.to_string(), "?!".to_string())];
            let errors = work_package_query(&pairs, 100).err().unwrap_or_default();
            assert!(
                errors.iter().any(|e| e.field == *name),
                "{name} is listed but not parsed"
            );
        }
        let pairs = vec![("q".to_string(), "word".to_string())];
        let q = work_package_query(&pairs, 100).ok().and_then(|q| q.text);
        assert_eq!(q.map(|t| t.to_string()).as_deref(), Some("word"));
    }

    #[test]
    fn documented_sort_keys_and_directions_are_accepted() {
        for key in SORT_KEYS {
            let pairs = vec![("sort".to_string(), key.to_string())];
            assert!(work_package_query(&pairs, 100).is_ok(), "{key}");
        }
        for dir in DIRECTIONS {
            let pairs = vec![("dir".to_string(), dir.to_string())];
            assert!(work_package_query(&pairs, 100).is_ok(), "{dir}");
        }
    }

    #[test]
    fn every_wrong_field_is_named() {
        let fields = WorkPackageFields {
            section_id: Some("x".into()),
            number: Some("".into()),
            title: Some(" ".into()),
            delivery: Some("soon".into()),
            influences: Some("3.1.1 abc".into()),
            status: Some("done-ish".into()),
            rag: Some("purple".into()),
            progress: Some("140".into()),
            actual_delivery: Some("2007-02-30".into()),
            ..Default::default()
        };
        let errors = fields.validate().err().unwrap_or_default();
        let named: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            named,
            [
                "section_id",
                "number",
                "title",
                "delivery",
                "influences",
                "status",
                "rag",
                "progress",
                "actual_delivery"
            ]
        );
    }

    #[test]
    fn valid_fields_become_input() {
        let fields = WorkPackageFields {
            section_id: Some("4".into()),
            number: Some("3.".into()),
            title: Some("Provide secure access".into()),
            delivery: Some("a) Q4 2007 b) Q1 2008".into()),
            influences: Some("3.1.2, 3.2.2".into()),
            status: Some("in_progress".into()),
            rag: Some("amber".into()),
            progress: Some("40".into()),
            ..Default::default()
        };
        let input = fields.validate().map_err(|e| format!("{e:?}"));
        let input = input.as_ref().map(|i| {
            (
                i.number.as_deref(),
                i.delivery.len(),
                i.influences.len(),
                i.status,
                i.rag,
            )
        });
        assert_eq!(
            input,
            Ok((Some("3"), 2, 2, Status::InProgress, Some(Rag::Amber)))
        );
        let blank = WorkPackageFields {
            number: Some(" ".into()),
            ..fields
        };
        assert_eq!(blank.validate_new().map(|i| i.number), Ok(None));
        assert!(blank.validate().is_err(), "a stored package keeps a number");
    }
}
