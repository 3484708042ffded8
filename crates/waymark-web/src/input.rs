//! Turning what a person typed (a form) or sent (a JSON body) into validated
//! domain values, with an error per wrong field.

use waymark_core::import::{parse_delivery, parse_influences};
use waymark_core::limits::{self, LimitError};
use waymark_core::raid::{RaidKind, RaidStatus, Rating, Severity};
use waymark_core::{Date, InfluenceCode, Progress, QuarterConvention, Rag, RelatedKind, Status};
use waymark_store::{
    DecisionInput, DecisionRow, InfluenceRow, PlanId, PlanInput, PlanSummary, ProgrammeId,
    ProgrammeInput, ProgrammeRow, ProgressNoteInput, ProgressNoteRow, RelatedItemId,
    RelatedItemRow, SectionId, SectionRow, WorkPackageDetail, WorkPackageInput,
};
use waymark_store::{RaidInput, RaidRow};

use crate::error::FieldError;
use crate::form::{Field, Form};

impl From<LimitError> for FieldError {
    fn from(e: LimitError) -> Self {
        FieldError::new(e.field, e.message)
    }
}

crate::form! {
    /// A plan's own fields: the settings page's form, the API's PATCH body
    /// (fields left out stay as they are).
    #[schema(as = PlanPatch)]
    pub struct PlanFields {
        title: Field::text(limits::PLAN_TITLE, "Title").required("Enter the plan's title"),
        organisation: Field::text(limits::PLAN_ORGANISATION, "Organisation (optional)"),
        period: Field::text(limits::PLAN_PERIOD, "Period (optional)"),
        introduction: Field::text(limits::PLAN_INTRODUCTION, "Introduction (optional)"),
        /// calendar or financial.
        quarter_convention: Field::choice(quarter_conventions, "Quarters"),
    }
}

fn quarter_conventions() -> Vec<&'static str> {
    vec![
        QuarterConvention::Calendar.as_str(),
        QuarterConvention::Financial.as_str(),
    ]
}

impl Form for PlanFields {
    type Input = PlanInput;

    fn checked(&self) -> Result<PlanInput, Vec<FieldError>> {
        let quarter_convention = self
            .text("quarter_convention")
            .parse::<QuarterConvention>()
            .map_err(|_| {
                vec![FieldError::new(
                    "quarter_convention",
                    "Choose calendar quarters or financial-year quarters",
                )]
            })?;
        Ok(PlanInput {
            title: self.text("title"),
            organisation: self.text("organisation"),
            period: self.text("period"),
            introduction: self.text("introduction"),
            quarter_convention,
        })
    }

    fn conflict(e: FieldError) -> FieldError {
        if e.field == "title" {
            FieldError::new(
                "title",
                "Another plan has this title: enter a different title",
            )
        } else {
            e
        }
    }
}

impl From<&PlanInput> for PlanFields {
    fn from(p: &PlanInput) -> Self {
        PlanFields {
            title: Some(p.title.clone()),
            organisation: Some(p.organisation.clone()),
            period: Some(p.period.clone()),
            introduction: Some(p.introduction.clone()),
            quarter_convention: Some(p.quarter_convention.as_str().to_string()),
        }
    }
}

impl From<&PlanSummary> for PlanFields {
    fn from(p: &PlanSummary) -> Self {
        PlanFields {
            title: Some(p.title.clone()),
            organisation: Some(p.organisation.clone()),
            period: Some(p.period.clone()),
            introduction: Some(p.introduction.clone()),
            quarter_convention: Some(p.quarter_convention.as_str().to_string()),
        }
    }
}

crate::form! {
    /// A programme's fields: the priorities page's form, the API's body.
    pub struct ProgrammeFields {
        name: Field::text(limits::PROGRAMME_NAME, "Name").required("Enter the programme's name"),
        /// Whether the programme is one of the group's agreed priorities.
        #[schema(value_type = Option<bool>)]
        priority: Field::flag("This is one of the group's priorities"),
        description: Field::text(limits::PROGRAMME_DESCRIPTION, "Description (optional)"),
    }
}

impl Form for ProgrammeFields {
    type Input = ProgrammeInput;

    fn checked(&self) -> Result<ProgrammeInput, Vec<FieldError>> {
        Ok(ProgrammeInput {
            name: self.text("name"),
            priority: self.flag("priority"),
            description: self.text("description"),
        })
    }
}

impl From<&ProgrammeInput> for ProgrammeFields {
    fn from(g: &ProgrammeInput) -> Self {
        ProgrammeFields {
            name: Some(g.name.clone()),
            priority: Some(g.priority.to_string()),
            description: Some(g.description.clone()),
        }
    }
}

impl From<&ProgrammeRow> for ProgrammeFields {
    fn from(g: &ProgrammeRow) -> Self {
        ProgrammeFields {
            name: Some(g.name.clone()),
            priority: Some(g.priority.to_string()),
            description: Some(g.description.clone()),
        }
    }
}

crate::form! {
    /// A decision of the plan's decision log: its page's form, the API's
    /// body (a PATCH's fields left out stay as they are).
    pub struct DecisionFields {
        /// The day it was decided, YYYY-MM-DD.
        date: Field::formatted("Date")
            .required("Enter the date of the decision, such as 2007-03-14")
            .always_set(),
        /// The meeting it was taken at.
        meeting: Field::text(limits::DECISION_MEETING, "Meeting")
            .required("Enter the meeting the decision was taken at")
            .always_set(),
        /// What was decided.
        text: Field::text(limits::DECISION_TEXT, "Decision")
            .required("Enter the decision")
            .always_set(),
        rationale: Field::text(limits::DECISION_RATIONALE, "Rationale (optional)"),
        /// Who decided: the group, or a person.
        decided_by: Field::text(limits::DECISION_DECIDED_BY, "Decided by")
            .required("Enter who decided: the group, or a person")
            .always_set(),
    }
    extra {
        /// Ids of the plan's work packages the decision concerns. Left out:
        /// none on a create, unchanged on a change.
        work_package_ids: Option<Vec<i64>>,
        /// Ids of the plan's programmes the decision concerns. Left out:
        /// none on a create, unchanged on a change.
        programme_ids: Option<Vec<i64>>,
    }
}

/// The JSON names of a decision's id lists.
const DECISION_LINKS: [&str; 2] = ["work_package_ids", "programme_ids"];

impl DecisionFields {
    /// A JSON body: the declared fields as [`Form::from_json`] reads them,
    /// and the id lists as arrays of whole numbers.
    pub fn from_json_body(body: &axum::body::Bytes) -> Result<Self, crate::error::ApiError> {
        use serde_json::Value;
        let mut object: serde_json::Map<String, Value> = crate::api::parse_body(body)?;
        let mut errors = Vec::new();
        let mut lists: [Option<Vec<i64>>; 2] = [None, None];
        for (name, list) in DECISION_LINKS.iter().zip(lists.iter_mut()) {
            match object.remove(*name) {
                None | Some(Value::Null) => {}
                Some(Value::Array(items)) => match items.iter().map(Value::as_i64).collect() {
                    Some(ids) => *list = Some(ids),
                    None => errors.push(FieldError::new(name, "give ids as whole numbers")),
                },
                Some(_) => errors.push(FieldError::new(name, "give a list of ids")),
            }
        }
        let rest = serde_json::to_vec(&object)
            .map_err(|e| crate::error::ApiError::Internal(format!("cannot re-read a body: {e}")))?;
        let mut fields = match <Self as Form>::from_json(&axum::body::Bytes::from(rest)) {
            Ok(fields) if errors.is_empty() => fields,
            Ok(_) => return Err(crate::error::ApiError::Validation(errors)),
            Err(crate::error::ApiError::Validation(more)) => {
                errors.extend(more);
                return Err(crate::error::ApiError::Validation(errors));
            }
            Err(other) => return Err(other),
        };
        let [work_package_ids, programme_ids] = lists;
        fields.work_package_ids = work_package_ids;
        fields.programme_ids = programme_ids;
        Ok(fields)
    }

    /// A posted form: the declared fields, and the ticked packages and
    /// programmes (checkboxes of those names, one pair each). A value that
    /// is not a number is an error beside its list.
    pub fn from_posted(pairs: &[(String, String)]) -> (Self, Vec<FieldError>) {
        let mut fields = Self::from_pairs(pairs);
        let mut errors = Vec::new();
        let mut lists: [Vec<i64>; 2] = [Vec::new(), Vec::new()];
        for (name, list) in DECISION_LINKS.iter().zip(lists.iter_mut()) {
            for (_, v) in pairs.iter().filter(|(k, _)| k == name) {
                match v.trim().parse() {
                    Ok(id) => list.push(id),
                    Err(_) if !errors.iter().any(|e: &FieldError| e.field == *name) => {
                        errors.push(FieldError::new(name, "Choose from the list"));
                    }
                    Err(_) => {}
                }
            }
        }
        let [work_package_ids, programme_ids] = lists;
        fields.work_package_ids = Some(work_package_ids);
        fields.programme_ids = Some(programme_ids);
        (fields, errors)
    }
}

impl Form for DecisionFields {
    type Input = DecisionInput;

    fn checked(&self) -> Result<DecisionInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let date = match self.text("date").parse::<Date>() {
            Ok(date) => match limits::check_decision_date(date) {
                Ok(()) => Some(date),
                Err(e) => {
                    errors.push(e.into());
                    None
                }
            },
            Err(_) => {
                errors.push(FieldError::new(
                    "date",
                    "Enter a real date written YYYY-MM-DD, such as 2007-03-14",
                ));
                None
            }
        };
        for (name, list) in DECISION_LINKS
            .iter()
            .zip([&self.work_package_ids, &self.programme_ids])
        {
            if list
                .as_ref()
                .is_some_and(|l| l.len() > limits::MAX_DECISION_LINKS)
            {
                errors.push(FieldError::new(
                    name,
                    format!(
                        "A decision can link to at most {} of these",
                        limits::MAX_DECISION_LINKS
                    ),
                ));
            }
        }
        match date {
            Some(date) if errors.is_empty() => Ok(DecisionInput {
                date,
                meeting: self.text("meeting"),
                text: self.text("text"),
                rationale: self.text("rationale"),
                decided_by: self.text("decided_by"),
                work_packages: ids(&self.work_package_ids)
                    .map(waymark_store::WorkPackageId)
                    .collect(),
                programmes: ids(&self.programme_ids).map(ProgrammeId).collect(),
            }),
            _ => Err(errors),
        }
    }

    /// The lists go after the declared fields, packages first.
    fn place(field: &str) -> usize {
        let end = crate::form::position::<Self>("decided_by");
        match field {
            "work_package_ids" => end.saturating_add(2),
            "programme_ids" => end.saturating_add(4),
            other => crate::form::position::<Self>(other),
        }
    }

    /// The declared fields given in `patch`, and its lists when given.
    fn overlay(mut self, mut patch: Self) -> Self {
        use crate::form::Fields as _;
        for field in <Self as crate::form::Fields>::FIELDS {
            let given = patch.slot(field.name).and_then(Option::take);
            if given.is_some()
                && let Some(slot) = self.slot(field.name)
            {
                *slot = given;
            }
        }
        if patch.work_package_ids.is_some() {
            self.work_package_ids = patch.work_package_ids;
        }
        if patch.programme_ids.is_some() {
            self.programme_ids = patch.programme_ids;
        }
        self
    }
}

/// The query parameters of the decision log: the API refuses any other name.
pub const DECISION_QUERY: &[&str] = &["q"];

/// The decision log's search from its query (`q`); empty or left out: the
/// whole log. Text over the limit, or with no word in it, is an error on `q`.
pub fn decision_search(
    pairs: &[(String, String)],
) -> Result<Option<waymark_core::search::SearchText>, Vec<FieldError>> {
    let Some((_, v)) = pairs.iter().find(|(k, _)| k == "q") else {
        return Ok(None);
    };
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let bad = |m: String| vec![FieldError::new("q", m)];
    limits::SEARCH_TEXT.check(v).map_err(|e| bad(e.message))?;
    v.parse()
        .map(Some)
        .map_err(|e| bad(format!("{e}; type a word to look for")))
}

fn ids(list: &Option<Vec<i64>>) -> impl Iterator<Item = i64> + '_ {
    list.iter().flatten().copied()
}

impl From<&DecisionRow> for DecisionFields {
    fn from(d: &DecisionRow) -> Self {
        DecisionFields {
            date: Some(d.date.to_string()),
            meeting: Some(d.meeting.clone()),
            text: Some(d.text.clone()),
            rationale: Some(d.rationale.clone()),
            decided_by: Some(d.decided_by.clone()),
            work_package_ids: Some(d.work_packages.iter().map(|w| w.id.0).collect()),
            programme_ids: Some(d.programmes.iter().map(|p| p.id.0).collect()),
        }
    }
}

crate::form! {
    /// A progress note of a work package: the package page's form, the
    /// API's body (a PATCH's fields left out stay as they are). The author
    /// is whoever writes it.
    pub struct ProgressNoteFields {
        /// The day the note reports on, YYYY-MM-DD.
        date: Field::formatted("Date")
            .required("Enter the date of the note, such as 2007-03-14")
            .always_set(),
        /// red, amber or green; empty or `none`: no RAG (the package keeps
        /// its own). A new note's RAG becomes the package's.
        rag: Field::choice(rags, "RAG status (optional)"),
        /// What has happened.
        text: Field::text(limits::PROGRESS_NOTE_TEXT, "Progress note")
            .required("Enter the progress note")
            .always_set(),
    }
}

impl Form for ProgressNoteFields {
    type Input = ProgressNoteInput;

    fn checked(&self) -> Result<ProgressNoteInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let date = match self.text("date").parse::<Date>() {
            Ok(date) => match limits::check_note_date(date) {
                Ok(()) => Some(date),
                Err(e) => {
                    errors.push(e.into());
                    None
                }
            },
            Err(_) => {
                errors.push(FieldError::new(
                    "date",
                    "Enter a real date written YYYY-MM-DD, such as 2007-03-14",
                ));
                None
            }
        };
        let rag = match self.text("rag").as_str() {
            "" | "none" => None,
            s => match s.parse::<Rag>() {
                Ok(r) => Some(r),
                Err(_) => {
                    errors.push(FieldError::new("rag", "Choose red, amber, green or none"));
                    None
                }
            },
        };
        match date {
            Some(date) if errors.is_empty() => Ok(ProgressNoteInput {
                date,
                rag,
                text: self.text("text"),
            }),
            _ => Err(errors),
        }
    }
}

impl From<&ProgressNoteRow> for ProgressNoteFields {
    fn from(n: &ProgressNoteRow) -> Self {
        ProgressNoteFields {
            date: Some(n.date.to_string()),
            rag: Some(n.rag.map_or("none", Rag::as_str).to_string()),
            text: Some(n.text.clone()),
        }
    }
}

/// The query parameters of the progress report (API and page).
pub const REPORT_QUERY: &[&str] = &["since", "baseline", "programme"];

/// What a progress report is asked for: since a date or a baseline (not
/// both; neither: six months before today), for the plan or a programme.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReportQuery {
    pub since: Option<Date>,
    pub baseline: Option<waymark_store::BaselineId>,
    pub programme: Option<ProgrammeId>,
}

impl ReportQuery {
    /// The query read from its pairs; an empty value is left out (the
    /// page's form sends every field). One error per wrong parameter, named.
    pub fn read(pairs: &[(String, String)]) -> Result<ReportQuery, Vec<FieldError>> {
        let mut q = ReportQuery::default();
        let mut errors = Vec::new();
        for (name, value) in pairs {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match name.as_str() {
                "since" => match value.parse::<Date>() {
                    Ok(d) if limits::check_note_date(d).is_ok() => q.since = Some(d),
                    _ => errors.push(FieldError::new(
                        "since",
                        "Enter a real date written YYYY-MM-DD, such as 2007-03-14",
                    )),
                },
                "baseline" => match value.parse::<i64>() {
                    Ok(id) => q.baseline = Some(waymark_store::BaselineId(id)),
                    Err(_) => {
                        errors.push(FieldError::new("baseline", "Choose a baseline of the plan"))
                    }
                },
                "programme" => match value.parse::<i64>() {
                    Ok(id) => q.programme = Some(ProgrammeId(id)),
                    Err(_) => errors.push(FieldError::new(
                        "programme",
                        "Choose a programme of the plan",
                    )),
                },
                _ => {}
            }
        }
        if q.since.is_some() && q.baseline.is_some() {
            errors.push(FieldError::new(
                "baseline",
                "Give a date or a baseline to report since, not both",
            ));
        }
        if errors.is_empty() {
            Ok(q)
        } else {
            Err(errors)
        }
    }
}

crate::form! {
    /// An item of the plan's RAID log (a risk, an assumption, an issue or a
    /// dependency on something outside the plan): its page's form, the API's
    /// body (a PATCH's fields left out stay as they are). Each kind has its
    /// own fields; another kind's are refused, naming them.
    pub struct RaidFields {
        /// `risk`, `assumption`, `issue` or `dependency`. Needed to record
        /// one; it cannot change.
        kind: Field::choice(raid_kinds, "What it is")
            .required("Choose what to record: a risk, an assumption, an issue or a dependency")
            .always_set(),
        /// The risk, the assumption, the issue, or what is depended on.
        title: Field::text(limits::RAID_TITLE, "Title")
            .required("Enter a title")
            .always_set(),
        description: Field::text(limits::RAID_DESCRIPTION, "Description (optional)"),
        /// Who owns it: a person or a role.
        owner: Field::text(limits::RAID_OWNER, "Owner (optional)"),
        /// A risk: `open` or `closed`; an assumption: `open`, `validated`
        /// or `invalid`; an issue: `open` or `resolved`; a dependency:
        /// `open`, `met` or `missed`. Left out on a create: `open`.
        status: Field::choice(raid_statuses, "Status").always_set(),
        /// A risk's likelihood, 1 (rare) to 5 (almost certain); a risk needs it.
        #[schema(value_type = Option<i32>)]
        likelihood: Field::formatted("Likelihood"),
        /// A risk's impact, 1 (negligible) to 5 (severe); a risk needs it.
        #[schema(value_type = Option<i32>)]
        impact: Field::formatted("Impact"),
        /// A risk's mitigation: what is being done about it.
        mitigation: Field::text(limits::RAID_MITIGATION, "Mitigation (optional)"),
        /// When a risk is next to be reviewed, YYYY-MM-DD.
        next_review: Field::formatted("Next review date (optional)"),
        /// An issue's severity: `low`, `medium`, `high` or `critical`.
        severity: Field::choice(raid_severities, "Severity (optional)"),
        /// How an issue was, or is to be, resolved.
        resolution: Field::text(limits::RAID_RESOLUTION, "Resolution (optional)"),
        /// Who provides what a dependency depends on.
        provider: Field::text(limits::RAID_PROVIDER, "Provided by (optional)"),
        /// When a dependency is needed by, YYYY-MM-DD.
        needed_by: Field::formatted("Needed by (optional)"),
    }
    extra {
        /// Ids of the plan's work packages it concerns. Left out: none on a
        /// create, unchanged on a change.
        work_package_ids: Option<Vec<i64>>,
        /// Ids of the plan's programmes it concerns. Left out: none on a
        /// create, unchanged on a change.
        programme_ids: Option<Vec<i64>>,
        /// A change that gave another kind: the stored one (refused).
        #[serde(skip)]
        recast_from: Option<String>,
    }
}

fn raid_kinds() -> Vec<&'static str> {
    RaidKind::ALL.iter().map(|k| k.as_str()).collect()
}

fn raid_statuses() -> Vec<&'static str> {
    RaidStatus::ALL.iter().map(|s| s.as_str()).collect()
}

fn raid_severities() -> Vec<&'static str> {
    Severity::ALL.iter().map(|s| s.as_str()).collect()
}

/// A RAID item's fields that are whole numbers (JSON may send numbers).
const RAID_NUMBERS: [&str; 2] = ["likelihood", "impact"];

impl RaidFields {
    /// A JSON body: the declared fields as [`Form::from_json`] reads them
    /// (likelihood and impact as numbers or strings), and the id lists as
    /// arrays of whole numbers.
    pub fn from_json_body(body: &axum::body::Bytes) -> Result<Self, crate::error::ApiError> {
        use serde_json::Value;
        let mut object: serde_json::Map<String, Value> = crate::api::parse_body(body)?;
        let mut errors = Vec::new();
        let mut lists: [Option<Vec<i64>>; 2] = [None, None];
        for (name, list) in DECISION_LINKS.iter().zip(lists.iter_mut()) {
            match object.remove(*name) {
                None | Some(Value::Null) => {}
                Some(Value::Array(items)) => match items.iter().map(Value::as_i64).collect() {
                    Some(ids) => *list = Some(ids),
                    None => errors.push(FieldError::new(name, "give ids as whole numbers")),
                },
                Some(_) => errors.push(FieldError::new(name, "give a list of ids")),
            }
        }
        for name in RAID_NUMBERS {
            if let Some(Value::Number(n)) = object.get(name) {
                let text = n.to_string();
                object.insert(name.to_string(), Value::String(text));
            }
        }
        let rest = serde_json::to_vec(&object)
            .map_err(|e| crate::error::ApiError::Internal(format!("cannot re-read a body: {e}")))?;
        let mut fields = match <Self as Form>::from_json(&axum::body::Bytes::from(rest)) {
            Ok(fields) if errors.is_empty() => fields,
            Ok(_) => return Err(crate::error::ApiError::Validation(errors)),
            Err(crate::error::ApiError::Validation(more)) => {
                errors.extend(more);
                return Err(crate::error::ApiError::Validation(errors));
            }
            Err(other) => return Err(other),
        };
        let [work_package_ids, programme_ids] = lists;
        fields.work_package_ids = work_package_ids;
        fields.programme_ids = programme_ids;
        Ok(fields)
    }

    /// A posted form: the declared fields, and the ticked packages and
    /// programmes, as a decision's form reads them.
    pub fn from_posted(pairs: &[(String, String)]) -> (Self, Vec<FieldError>) {
        let mut fields = Self::from_pairs(pairs);
        let (decision, errors) = DecisionFields::from_posted(pairs);
        fields.work_package_ids = decision.work_package_ids;
        fields.programme_ids = decision.programme_ids;
        (fields, errors)
    }

    /// The kind given, if it reads as one.
    pub fn kind(&self) -> Option<RaidKind> {
        self.text("kind").parse().ok()
    }
}

impl Form for RaidFields {
    type Input = RaidInput;

    /// The kind's rules: a status of its own, a risk's likelihood and
    /// impact 1 to 5, real dates, and nothing of another kind.
    fn checked(&self) -> Result<RaidInput, Vec<FieldError>> {
        if let Some(was) = &self.recast_from {
            return Err(vec![FieldError::new(
                "kind",
                format!("This is a {was}; its kind cannot change (record a new item instead)"),
            )]);
        }
        let mut errors = Vec::new();
        let kind = match self.text("kind").as_str() {
            // Said by the declaration (required).
            "" => None,
            k => match k.parse::<RaidKind>() {
                Ok(kind) => Some(kind),
                Err(e) => {
                    errors.push(FieldError::new(
                        "kind",
                        format!("Choose what to record: {}", e.expected),
                    ));
                    None
                }
            },
        };
        let status = match (kind, self.text("status").as_str()) {
            (_, "") => RaidStatus::Open,
            (kind, s) => match s.parse::<RaidStatus>() {
                Ok(status) if kind.is_none_or(|k| k.statuses().contains(&status)) => status,
                _ => {
                    let allowed = kind.map_or_else(raid_statuses, |k| {
                        k.statuses().iter().map(|s| s.as_str()).collect()
                    });
                    errors.push(FieldError::new(
                        "status",
                        format!(
                            "Choose a status{}: {}",
                            kind.map(|k| format!(" of {}", k.with_article()))
                                .unwrap_or_default(),
                            allowed.join(", ")
                        ),
                    ));
                    RaidStatus::Open
                }
            },
        };
        let mut rating = |name: &'static str, label: &str| match self.text(name).as_str() {
            "" if kind == Some(RaidKind::Risk) => {
                errors.push(FieldError::new(
                    name,
                    format!("Enter the {label}, a whole number from 1 to 5"),
                ));
                None
            }
            "" => None,
            s => match s.parse::<Rating>() {
                Ok(r) => Some(r),
                Err(_) => {
                    errors.push(FieldError::new(
                        name,
                        format!(
                            "The {label} must be a whole number from {} to {}",
                            limits::RAID_RATING.start(),
                            limits::RAID_RATING.end()
                        ),
                    ));
                    None
                }
            },
        };
        let likelihood = rating("likelihood", "likelihood");
        let impact = rating("impact", "impact");
        let mut date = |name: &'static str| match self.text(name).as_str() {
            "" => None,
            s => match s.parse::<Date>() {
                Ok(d) => match limits::check_raid_date(name, d) {
                    Ok(()) => Some(d),
                    Err(e) => {
                        errors.push(e.into());
                        None
                    }
                },
                Err(_) => {
                    errors.push(FieldError::new(
                        name,
                        "Enter a real date written YYYY-MM-DD, such as 2007-03-14",
                    ));
                    None
                }
            },
        };
        let next_review = date("next_review");
        let needed_by = date("needed_by");
        let severity = match self.text("severity").as_str() {
            "" => None,
            s => match s.parse::<Severity>() {
                Ok(s) => Some(s),
                Err(e) => {
                    errors.push(FieldError::new(
                        "severity",
                        format!("Choose a severity: {}", e.expected),
                    ));
                    None
                }
            },
        };
        // Another kind's field, given: named, so nothing is silently dropped.
        if let Some(kind) = kind {
            for field in RaidKind::ALL.iter().flat_map(|k| k.own_fields()) {
                let owner = RaidKind::owning(field);
                if owner != Some(kind)
                    && !self.text(field).is_empty()
                    && !errors.iter().any(|e| e.field == *field)
                    && let Some(owner) = owner
                {
                    errors.push(FieldError::new(
                        field,
                        format!(
                            "Only {} have this; leave it out for {}",
                            owner.plural(),
                            kind.with_article()
                        ),
                    ));
                }
            }
        }
        for (name, list) in DECISION_LINKS
            .iter()
            .zip([&self.work_package_ids, &self.programme_ids])
        {
            if list
                .as_ref()
                .is_some_and(|l| l.len() > limits::MAX_RAID_LINKS)
            {
                errors.push(FieldError::new(
                    name,
                    format!(
                        "A RAID item can link to at most {} of these",
                        limits::MAX_RAID_LINKS
                    ),
                ));
            }
        }
        match kind {
            Some(kind) if errors.is_empty() => Ok(RaidInput {
                kind,
                title: self.text("title"),
                description: self.text("description"),
                owner: self.text("owner"),
                status,
                likelihood,
                impact,
                mitigation: self.text("mitigation"),
                next_review,
                severity,
                resolution: self.text("resolution"),
                provider: self.text("provider"),
                needed_by,
                work_packages: ids(&self.work_package_ids)
                    .map(waymark_store::WorkPackageId)
                    .collect(),
                programmes: ids(&self.programme_ids).map(ProgrammeId).collect(),
            }),
            _ => Err(errors),
        }
    }

    /// The lists go after the declared fields, packages first.
    fn place(field: &str) -> usize {
        let end = crate::form::position::<Self>("needed_by");
        match field {
            "work_package_ids" => end.saturating_add(2),
            "programme_ids" => end.saturating_add(4),
            other => crate::form::position::<Self>(other),
        }
    }

    /// The declared fields given in `patch`, and its lists when given. A
    /// kind other than the stored one is kept aside, to be refused.
    fn overlay(mut self, mut patch: Self) -> Self {
        use crate::form::Fields as _;
        if let (Some(was), Some(now)) = (&self.kind, &patch.kind)
            && was.trim() != now.trim()
        {
            self.recast_from = Some(was.clone());
        }
        for field in <Self as crate::form::Fields>::FIELDS {
            let given = patch.slot(field.name).and_then(Option::take);
            if given.is_some()
                && let Some(slot) = self.slot(field.name)
            {
                *slot = given;
            }
        }
        if patch.work_package_ids.is_some() {
            self.work_package_ids = patch.work_package_ids;
        }
        if patch.programme_ids.is_some() {
            self.programme_ids = patch.programme_ids;
        }
        self
    }
}

impl From<&RaidRow> for RaidFields {
    fn from(r: &RaidRow) -> Self {
        let text = |s: &str| Some(s.to_string());
        let shown = |v: Option<String>| Some(v.unwrap_or_default());
        RaidFields {
            kind: text(r.kind.as_str()),
            title: text(&r.title),
            description: text(&r.description),
            owner: text(&r.owner),
            status: text(r.status.as_str()),
            likelihood: shown(r.likelihood.map(|v| v.to_string())),
            impact: shown(r.impact.map(|v| v.to_string())),
            mitigation: text(&r.mitigation),
            next_review: shown(r.next_review.map(|d| d.to_string())),
            severity: shown(r.severity.map(|s| s.as_str().to_string())),
            resolution: text(&r.resolution),
            provider: text(&r.provider),
            needed_by: shown(r.needed_by.map(|d| d.to_string())),
            work_package_ids: Some(r.work_packages.iter().map(|w| w.id.0).collect()),
            programme_ids: Some(r.programmes.iter().map(|p| p.id.0).collect()),
            recast_from: None,
        }
    }
}

/// The query parameters of the RAID log: the API refuses any other name.
pub const RAID_QUERY: &[&str] = &["kind", "status", "likelihood", "impact", "q"];

/// The RAID log's filters from its query; empty or left out: no filter. A
/// wrong value is an error naming its parameter.
pub fn raid_query(pairs: &[(String, String)]) -> Result<waymark_store::RaidQuery, Vec<FieldError>> {
    let mut q = waymark_store::RaidQuery::default();
    let mut errors = Vec::new();
    for (name, value) in pairs {
        let v = value.trim();
        if v.is_empty() {
            continue;
        }
        let mut bad = |m: String| errors.push(FieldError::new(name, m));
        match name.as_str() {
            "kind" => match v.parse() {
                Ok(k) => q.kind = Some(k),
                Err(e) => bad(format!("\"{v}\" is not a kind; use {}", e.expected)),
            },
            "status" => match v.parse() {
                Ok(s) => q.status = Some(s),
                Err(e) => bad(format!("\"{v}\" is not a status; use {}", e.expected)),
            },
            "likelihood" | "impact" => match v.parse::<Rating>() {
                Ok(r) if name == "likelihood" => q.likelihood = Some(r),
                Ok(r) => q.impact = Some(r),
                Err(_) => bad(format!("\"{v}\" is not a whole number from 1 to 5")),
            },
            "q" => match decision_search(&[("q".to_string(), v.to_string())]) {
                Ok(search) => q.search = search,
                Err(e) => errors.extend(e),
            },
            _ => {}
        }
    }
    if errors.is_empty() {
        Ok(q)
    } else {
        Err(errors)
    }
}

crate::form! {
    /// A baseline's name: the form that takes one, the API's body.
    pub struct BaselineFields {
        name: Field::text(limits::BASELINE_NAME, "Name").required("Enter a name for the baseline"),
    }
}

impl Form for BaselineFields {
    /// The name, trimmed.
    type Input = String;

    fn checked(&self) -> Result<String, Vec<FieldError>> {
        Ok(self.text("name"))
    }
}

crate::form! {
    /// An approver's comment on approving a work package or a plan: the
    /// approve form, the API's body (optional; kept in the audit trail).
    pub struct ApprovalFields {
        /// Why, or on what terms (optional; goes to the history).
        comment: Field::text(limits::APPROVAL_COMMENT, "Comment (optional)"),
    }
}

impl Form for ApprovalFields {
    /// The comment, trimmed (empty when none).
    type Input = String;

    fn checked(&self) -> Result<String, Vec<FieldError>> {
        Ok(self.text("comment"))
    }
}

crate::form! {
    /// Why a work package is rejected: the reject form, the API's body.
    pub struct RejectionFields {
        /// Why the package is rejected (goes to the history).
        comment: Field::text(limits::APPROVAL_COMMENT, "Why is it rejected?")
            .required("Say why the package is rejected"),
    }
}

impl Form for RejectionFields {
    /// The comment, trimmed.
    type Input = String;

    fn checked(&self) -> Result<String, Vec<FieldError>> {
        Ok(self.text("comment"))
    }
}

crate::form! {
    /// Marking an approved plan superseded: the form, the API's body.
    pub struct SupersedeFields {
        /// The id of the plan that takes its place (optional), as text: `"3"`.
        superseded_by: Field::choice(Vec::new, "Superseded by"),
        /// Why (optional; goes to the history).
        comment: Field::text(limits::APPROVAL_COMMENT, "Comment (optional)"),
    }
}

impl Form for SupersedeFields {
    /// The plan that takes its place, and the comment.
    type Input = (Option<PlanId>, String);

    fn checked(&self) -> Result<Self::Input, Vec<FieldError>> {
        let by = match self.text("superseded_by").as_str() {
            "" => None,
            s => match s.parse::<i64>() {
                Ok(id) if id > 0 => Some(PlanId(id)),
                _ => {
                    return Err(vec![FieldError::new(
                        "superseded_by",
                        format!("\"{s}\" is not a plan id"),
                    )]);
                }
            },
        };
        Ok((by, self.text("comment")))
    }
}

crate::form! {
    /// A related item's name and kind: its page's form, the API's PATCH body.
    #[schema(as = RelatedItemPatch)]
    pub struct RelatedItemFields {
        name: Field::text(limits::RELATED_ITEM_NAME, "Name").required("Enter the name"),
        /// strategy, plan, programme, project, system, standard, organisation or other.
        kind: Field::choice(related_kinds, "Kind"),
    }
}

fn related_kinds() -> Vec<&'static str> {
    RelatedKind::ALL.iter().map(|k| k.as_str()).collect()
}

impl Form for RelatedItemFields {
    type Input = (String, RelatedKind);

    fn checked(&self) -> Result<(String, RelatedKind), Vec<FieldError>> {
        let kind = self.text("kind").parse::<RelatedKind>().map_err(|e| {
            vec![FieldError::new(
                "kind",
                format!("Choose a kind: {}", e.expected),
            )]
        })?;
        Ok((self.text("name"), kind))
    }
}

impl From<&RelatedItemRow> for RelatedItemFields {
    fn from(r: &RelatedItemRow) -> Self {
        RelatedItemFields {
            name: Some(r.name.clone()),
            kind: Some(r.kind.as_str().to_string()),
        }
    }
}

crate::form! {
    /// A key influence's title and description: its page's form, the API's
    /// PATCH body.
    #[schema(as = InfluencePatch)]
    pub struct InfluenceFields {
        title: Field::text(limits::INFLUENCE_TITLE, "Title"),
        description: Field::text(limits::INFLUENCE_DESCRIPTION, "Description (optional)"),
    }
}

impl Form for InfluenceFields {
    /// The title and the description.
    type Input = (String, String);

    fn checked(&self) -> Result<(String, String), Vec<FieldError>> {
        Ok((self.text("title"), self.text("description")))
    }
}

impl From<&InfluenceRow> for InfluenceFields {
    fn from(i: &InfluenceRow) -> Self {
        InfluenceFields {
            title: Some(i.title.clone()),
            description: Some(i.description.clone()),
        }
    }
}

crate::form! {
    /// Where a key influence's links go when it is merged: its merge page's
    /// form, the API's body.
    #[schema(as = InfluenceMerge)]
    pub struct InfluenceMergeFields {
        /// The code that takes over every link, such as 3.1.1; created (with this
        /// influence's title and description) if the plan does not have it yet.
        #[schema(value_type = String, required = true)]
        into: Field::formatted("Code to merge into")
            .required("Enter the code to merge into, such as 3.1.1"),
    }
}

impl Form for InfluenceMergeFields {
    type Input = InfluenceCode;

    fn checked(&self) -> Result<InfluenceCode, Vec<FieldError>> {
        self.text("into").parse().map_err(|_| {
            vec![FieldError::new(
                "into",
                "Enter the code to merge into, such as 3.1.1",
            )]
        })
    }
}

crate::form! {
    /// The related item another is merged into (the merge page's select).
    pub struct RelatedItemMergeFields {
        into: Field::choice(Vec::new, "Related item to merge into")
            .required("Choose the related item to merge into"),
    }
}

impl Form for RelatedItemMergeFields {
    type Input = RelatedItemId;

    fn checked(&self) -> Result<RelatedItemId, Vec<FieldError>> {
        self.text("into").parse().map(RelatedItemId).map_err(|_| {
            vec![FieldError::new(
                "into",
                "Choose the related item to merge into",
            )]
        })
    }
}

crate::form! {
    /// A section's number and title: the sections pages' form, the API's body
    /// for a new section. A section has a number, a title or both.
    #[schema(as = NewSection)]
    pub struct SectionFields {
        /// Section number such as `10.6`; may be left out.
        number: Field::text(limits::SECTION_NUMBER, "Number (optional)"),
        title: Field::text(limits::SECTION_TITLE, "Title"),
    }
}

impl Form for SectionFields {
    /// The number and the title; empty as `None`.
    type Input = (Option<String>, Option<String>);

    fn checked(&self) -> Result<Self::Input, Vec<FieldError>> {
        let given = |name: &str| Some(self.text(name)).filter(|s| !s.is_empty());
        let (number, title) = (given("number"), given("title"));
        let mut errors = Vec::new();
        if let Some(n) = &number
            && !n
                .split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        {
            errors.push(FieldError::new(
                "number",
                "A section number is numbers separated by dots, such as 10.6",
            ));
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
}

impl From<&SectionRow> for SectionFields {
    fn from(s: &SectionRow) -> Self {
        SectionFields {
            number: s.number.clone(),
            title: s.title.clone(),
        }
    }
}

crate::form! {
    /// Work-package fields as text, the way a form sends them. The JSON API
    /// takes the same names; list fields there may also be arrays.
    pub struct WorkPackageFields {
        /// Section the package belongs to.
        section_id: Field::choice(Vec::new, "Section")
            .required("Choose the section the work package belongs to")
            .always_set(),
        /// Number within the section; the next free number when left out on create.
        number: Field::formatted("Number within the section").always_set(),
        title: Field::text(limits::PACKAGE_TITLE, "Title")
            .required("Enter a title")
            .always_set(),
        scope: Field::text(limits::PACKAGE_SCOPE, "High level scope or definition"),
        relationships: Field::text(limits::PACKAGE_RELATIONSHIPS, "Relationships"),
        /// Quarters, optionally labelled: `Q2 2007` or `a) Q4 2007 b) Q1 2008`.
        delivery: Field::list(" ", "Estimated delivery of detailed work plan"),
        /// The delivery as originally written, when it says more than the
        /// quarters read from it ("End of March 2027", "Ongoing"); empty
        /// otherwise. A change to `delivery` that leaves this out clears it.
        delivery_as_written: Field::text(limits::PACKAGE_DELIVERY_AS_WRITTEN, "Delivery as written"),
        comments: Field::text(limits::PACKAGE_COMMENTS, "Comments"),
        /// Key-influence codes separated by spaces or commas: `3.1.1 3.2.6`.
        influences: Field::list(" ", "Key influences"),
        /// `false` to go back to reading related items from `relationships`;
        /// `true` to keep the current ones as they are.
        #[schema(value_type = Option<bool>)]
        related_items_manual: Field::choice(true_false, "Related items"),
        /// Related item names, one per line or separated by `;`; giving them sets
        /// them by hand. Left out on create: read from `relationships`, and again on
        /// every save until set by hand.
        related_items: Field::list("\n", "Related items, one per line"),
        owner: Field::text(limits::PACKAGE_OWNER, "Owner"),
        /// proposed, approved, in_progress, delivered, closed, on_hold,
        /// rejected or cancelled. A change moves only along the lifecycle
        /// table (docs/governance.md), never to rejected (use reject); left
        /// out on create: proposed. A create counts as a move from proposed:
        /// past proposed and cancelled it needs `approve` (403 naming
        /// `status` without it), and never rejected.
        status: Field::choice(statuses, "Status").always_set(),
        /// red, amber, green, or empty for none.
        rag: Field::choice(rags, "RAG status"),
        /// 0 to 100.
        progress: Field::formatted("Progress (%)").always_set(),
        /// The latest word on how the package is going, beside `progress`.
        progress_note: Field::text(limits::PACKAGE_PROGRESS_NOTE, "Latest progress note"),
        /// YYYY-MM-DD, or empty.
        actual_delivery: Field::formatted("Actual delivery date"),
    }
    extra {
        /// Programme ids the package belongs to. Left out: unchanged.
        #[serde(skip)]
        programmes: Option<Vec<i64>>,
    }
}

fn true_false() -> Vec<&'static str> {
    vec!["false", "true"]
}

fn statuses() -> Vec<&'static str> {
    Status::ALL.iter().map(|s| s.as_str()).collect()
}

/// The RAG values, and the two ways of saying "none".
fn rags() -> Vec<&'static str> {
    let mut rags: Vec<&str> = Rag::ALL.iter().map(|r| r.as_str()).collect();
    rags.extend(["", "none"]);
    rags
}

impl WorkPackageFields {
    /// The stored package as fields, to prefill a form or to patch.
    pub fn from_detail(d: &WorkPackageDetail) -> Self {
        WorkPackageFields {
            section_id: Some(d.row.section_id.0.to_string()),
            number: Some(d.row.number.clone()),
            title: Some(d.row.title.clone()),
            scope: Some(d.scope.clone()),
            relationships: Some(d.relationships.clone()),
            delivery: Some(waymark_core::model::format_delivery(&d.row.delivery)),
            delivery_as_written: Some(d.delivery_as_written.clone()),
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
            progress_note: Some(d.progress_note.clone()),
            actual_delivery: Some(d.actual_delivery.map(|d| d.to_string()).unwrap_or_default()),
            programmes: Some(d.programmes.iter().map(|p| p.id.0).collect()),
        }
    }

    /// Fields given in `patch` replace those here. Related items given set
    /// them by hand; `related_items_manual: false` reads them from the text.
    pub fn patched(mut self, patch: WorkPackageFields) -> Self {
        if patch.related_items.is_some() && patch.related_items_manual.is_none() {
            self.related_items_manual = Some("true".into());
        }
        if patch.related_items.is_none() && patch.related_items_manual.as_deref() == Some("false") {
            self.related_items = None;
        }
        let programmes = patch.programmes.clone();
        let mut merged = self.overlay(patch);
        if programmes.is_some() {
            merged.programmes = programmes;
        }
        merged
    }

    /// Validate every field of a stored package: as for a new one, and the
    /// number is required.
    pub fn validate_stored(&self) -> Result<WorkPackageInput, Vec<FieldError>> {
        let mut input = self.validate();
        if self.text("number").trim_end_matches('.').is_empty() {
            let missing = FieldError::new("number", "Enter the work package number, such as 3");
            match &mut input {
                Ok(_) => input = Err(vec![missing]),
                Err(errors) => {
                    errors.push(missing);
                    crate::form::sort_errors::<Self>(errors);
                }
            }
        }
        input
    }
}

/// What a stored package's delivery as written becomes when `input` is saved
/// over it without giving one: kept while the delivery stays the same, cleared
/// once it changes (the old words no longer describe it). The API's PATCH
/// applies it when the body leaves `delivery_as_written` out; the edit form,
/// which never sets it, always.
pub fn carry_delivery_as_written(input: &mut WorkPackageInput, stored: &WorkPackageDetail) {
    input.delivery_as_written = if input.delivery == stored.row.delivery {
        stored.delivery_as_written.clone()
    } else {
        String::new()
    };
}

impl Form for WorkPackageFields {
    type Input = WorkPackageInput;

    /// Left blank, the number is chosen by the store (the next free one in
    /// the section); [`WorkPackageFields::validate_stored`] requires it.
    fn checked(&self) -> Result<WorkPackageInput, Vec<FieldError>> {
        self.read()
    }

    /// The programmes' checkboxes come after the related items.
    fn place(field: &str) -> usize {
        let at = crate::form::position::<Self>;
        match field {
            "programmes" => at("related_items").saturating_add(1),
            other => at(other),
        }
    }
}

impl WorkPackageFields {
    fn read(&self) -> Result<WorkPackageInput, Vec<FieldError>> {
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
        if !number.is_empty()
            && let Err(e) = limits::check_package_number(&number)
        {
            errors.push(e.into());
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
            "" => Status::Proposed,
            // The wire names only: `not_started` and other words importers
            // read are not statuses here.
            s => Status::ALL
                .into_iter()
                .find(|st| st.as_str() == s)
                .unwrap_or_else(|| {
                    errors.push(FieldError::new(
                        "status",
                        format!("Choose a status: {}", statuses().join(", ")),
                    ));
                    Status::Proposed
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
        // Words that say no more than the parts, as Waymark writes them, are not kept.
        let mut delivery_as_written = text(&self.delivery_as_written);
        if delivery_as_written == waymark_core::model::format_delivery(&delivery) {
            delivery_as_written.clear();
        }
        Ok(WorkPackageInput {
            section_id,
            number: (!number.is_empty()).then_some(number),
            title: text(&self.title),
            scope: text(&self.scope),
            relationships: text(&self.relationships),
            delivery,
            delivery_as_written,
            comments: text(&self.comments),
            influences,
            related_items,
            owner: text(&self.owner),
            status,
            rag,
            progress,
            progress_note: text(&self.progress_note),
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
    "overdue",
    "no_recent_note",
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
            // The wire names only (`approved`, not the words importers read).
            "status" => match Status::ALL.into_iter().find(|s| s.as_str() == v.trim()) {
                Some(s) => q.status = Some(s),
                None => bad(format!(
                    "\"{v}\" is not a status; use proposed, approved, in_progress, delivered, closed, on_hold, rejected or cancelled"
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
            "overdue" => match v {
                "true" => q.overdue_on = Some(crate::uk_time::today()),
                "false" => q.overdue_on = None,
                _ => bad(format!("\"{v}\" is not true or false")),
            },
            "no_recent_note" => match v {
                "true" => {
                    q.no_note_since = Some(waymark_core::report::months_before(
                        crate::uk_time::today(),
                        waymark_core::report::STALE_MONTHS,
                    ))
                }
                "false" => q.no_note_since = None,
                _ => bad(format!("\"{v}\" is not true or false")),
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

/// The query parameters of the audit list (`/admin/audit` and
/// `/api/v1/audit`): the API refuses any other name and the OpenAPI document
/// lists exactly these. A new parameter goes here and into [`audit_query`].
pub const AUDIT_QUERY: &[&str] = &[
    "entity_kind",
    "entity_id",
    "actor_kind",
    "actor",
    "action",
    "from",
    "to",
    "before",
    "after",
    "per_page",
];

/// A page of the audit list as asked for: which entries, and how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditQuery {
    pub filter: waymark_store::AuditFilter,
    pub per_page: u32,
}

/// One page of the audit list, and the cursors of its neighbours.
#[derive(Debug)]
pub struct AuditPage {
    /// Newest first.
    pub entries: Vec<waymark_core::audit::StoredEntry>,
    /// The entry the newer page starts after; `Some(None)`: this page lies
    /// past either end, and the newest page (no cursor) is the way back.
    pub newer: Option<Option<u64>>,
    /// The entry the older page starts before.
    pub older: Option<u64>,
}

impl AuditQuery {
    /// How many entries to ask the store for: one more than a page, which
    /// tells whether there is another page that way.
    pub fn fetch_limit(&self) -> u32 {
        self.per_page.saturating_add(1)
    }

    /// The page from what the store gave for [`AuditQuery::fetch_limit`].
    pub fn page(&self, mut fetched: Vec<waymark_core::audit::StoredEntry>) -> AuditPage {
        let upward = self.filter.after.is_some();
        let n = self.per_page as usize;
        let more = fetched.len() > n;
        if more {
            if upward {
                // The entries just after the cursor are the oldest fetched.
                fetched.drain(..fetched.len() - n);
            } else {
                fetched.truncate(n);
            }
        }
        let ends = fetched
            .first()
            .zip(fetched.last())
            .map(|(first, last)| (first.entry.sequence, last.entry.sequence));
        let (newer, older) = match ends {
            None if upward || self.filter.before.is_some() => (Some(None), None),
            None => (None, None),
            Some((first, last)) if upward => (more.then_some(Some(first)), Some(last)),
            Some((first, last)) => (
                self.filter.before.map(|_| Some(first)),
                more.then_some(last),
            ),
        };
        AuditPage {
            entries: fetched,
            newer,
            older,
        }
    }
}

/// Whether `n` can be an audit entry's number (an int64 from 1).
fn entry_number(n: u64) -> bool {
    (1..=i64::MAX.unsigned_abs()).contains(&n)
}

/// The audit list's filters and cursor from query pairs (shared by the API
/// and the audit page). Dates are UK days (`from` its start, `to` its end).
/// Names not in [`AUDIT_QUERY`] are ignored here; bad values are errors
/// naming the parameter.
pub fn audit_query(pairs: &[(String, String)]) -> Result<AuditQuery, Vec<FieldError>> {
    use waymark_core::audit::ActorKind;
    let mut q = AuditQuery {
        filter: waymark_store::AuditFilter::default(),
        per_page: limits::AUDIT_PAGE_ENTRIES,
    };
    let mut errors = Vec::new();
    let mut dates: (Option<Date>, Option<Date>) = (None, None);
    let one_of =
        |v: &str, list: &[&str]| -> Option<String> { list.contains(&v).then(|| v.to_string()) };
    for (name, value) in pairs {
        let v = value.trim();
        if v.is_empty() {
            continue;
        }
        let mut bad = |msg: String| errors.push(FieldError::new(name, msg));
        match name.as_str() {
            "entity_kind" => match one_of(v, waymark_store::AUDIT_ENTITY_KINDS) {
                Some(kind) => q.filter.entity_kind = Some(kind),
                None => bad(format!(
                    "\"{v}\" is not a kind of record; use {}",
                    waymark_store::AUDIT_ENTITY_KINDS.join(", ")
                )),
            },
            "entity_id" => match limits::AUDIT_ENTITY_ID.check(v) {
                Ok(()) => q.filter.entity_id = Some(v.to_string()),
                Err(_) => bad(format!(
                    "give at most {} characters, on one line",
                    limits::AUDIT_ENTITY_ID.max_chars
                )),
            },
            "actor_kind" => match v.parse::<ActorKind>() {
                Ok(kind) => q.filter.actor_kind = Some(kind),
                Err(e) => bad(format!(
                    "\"{v}\" is not a kind of actor; use {}",
                    e.expected
                )),
            },
            "actor" => match limits::AUDIT_ACTOR.check(v) {
                Ok(()) => q.filter.actor = Some(v.to_string()),
                Err(_) => bad(format!(
                    "give at most {} characters, on one line",
                    limits::AUDIT_ACTOR.max_chars
                )),
            },
            "action" => match one_of(v, waymark_store::AUDIT_ACTIONS) {
                Some(action) => q.filter.action = Some(action),
                None => bad(format!(
                    "\"{v}\" is not an action; use {}",
                    waymark_store::AUDIT_ACTIONS.join(", ")
                )),
            },
            "from" | "to" => match v.parse::<Date>() {
                Ok(d) if name == "from" => dates.0 = Some(d),
                Ok(d) => dates.1 = Some(d),
                Err(_) => bad(format!(
                    "\"{v}\" is not a real date written YYYY-MM-DD, such as 2026-11-25"
                )),
            },
            // An int64, as the OpenAPI document says: 1 to 2^63 - 1.
            "before" | "after" => match v.parse::<u64>() {
                Ok(n) if entry_number(n) && name == "before" => q.filter.before = Some(n),
                Ok(n) if entry_number(n) => q.filter.after = Some(n),
                _ => bad(format!("\"{v}\" is not an entry number (1 or more)")),
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
    if q.filter.entity_id.is_some() && q.filter.entity_kind.is_none() {
        errors.push(FieldError::new(
            "entity_id",
            "choose the kind of record as well",
        ));
    }
    if q.filter.before.is_some() && q.filter.after.is_some() {
        errors.push(FieldError::new("after", "give before or after, not both"));
    }
    match dates {
        (Some(from), Some(to)) if to.get() < from.get() => errors.push(FieldError::new(
            "to",
            format!("the end date {to} is before the start date {from}"),
        )),
        (from, to) => {
            q.filter.from_ms = from.map(|d| crate::uk_time::day_start_ms(d.get()));
            q.filter.until_ms = to.and_then(|d| crate::uk_time::day_end_ms(d.get()));
        }
    }
    if errors.is_empty() {
        Ok(q)
    } else {
        Err(errors)
    }
}

crate::form! {
    /// A priority criterion of the strategy group's: the criteria page's
    /// form, the API's body (a PATCH's fields left out stay as they are).
    pub struct CriterionFields {
        /// Its name ("Statutory duty").
        name: Field::text(limits::CRITERION_NAME, "Name")
            .required("Enter the criterion's name")
            .always_set(),
        /// What it means and how to score against it.
        description: Field::text(limits::CRITERION_DESCRIPTION, "Description (optional)"),
        /// A whole number from 1 (counts least) to 100 (counts most); only
        /// the weights' ratios matter.
        #[schema(value_type = Option<i64>)]
        weight: Field::formatted("Weight, a whole number from 1 to 100")
            .required("Enter the weight, a whole number from 1 to 100")
            .always_set(),
        /// Where it comes in the list (a whole number from 1); left out on
        /// a create: after the last.
        #[schema(value_type = Option<i64>)]
        order: Field::formatted("Order in the list (optional)"),
    }
}

impl Form for CriterionFields {
    type Input = waymark_store::CriterionInput;

    fn checked(&self) -> Result<waymark_store::CriterionInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let weight = match self
            .text("weight")
            .parse::<waymark_core::priority::Weight>()
        {
            Ok(w) => Some(w),
            Err(e) => {
                errors.push(e.into());
                None
            }
        };
        let order = self.text("order");
        let order = if order.is_empty() {
            None
        } else {
            match order.parse::<u32>() {
                Ok(o) if limits::CRITERION_ORDERS.contains(&o) => Some(o),
                _ => {
                    errors.push(FieldError::new(
                        "order",
                        format!(
                            "The order must be a whole number from {} to {}",
                            limits::CRITERION_ORDERS.start(),
                            limits::CRITERION_ORDERS.end()
                        ),
                    ));
                    None
                }
            }
        };
        match weight {
            Some(weight) if errors.is_empty() => Ok(waymark_store::CriterionInput {
                name: self.text("name"),
                description: self.text("description"),
                weight,
                order,
            }),
            _ => Err(errors),
        }
    }

    fn conflict(e: FieldError) -> FieldError {
        if e.field == "name" {
            FieldError::new(
                "name",
                "The plan already has a criterion with this name: enter a different name",
            )
        } else {
            e
        }
    }
}

impl From<&waymark_store::CriterionRow> for CriterionFields {
    fn from(c: &waymark_store::CriterionRow) -> Self {
        CriterionFields {
            name: Some(c.name.clone()),
            description: Some(c.description.clone()),
            weight: Some(c.weight.to_string()),
            order: Some(c.order.to_string()),
        }
    }
}

crate::form! {
    /// A score of a work package or programme on one criterion: the API's
    /// body (a new score names its criterion and its item; a PATCH only the
    /// score and note), and each row of the scoring form.
    pub struct ScoreFields {
        /// A whole number from 1 (least) to 5 (most).
        #[schema(value_type = Option<i64>)]
        score: Field::formatted("Score")
            .required("Choose a score from 1 to 5")
            .always_set(),
        /// Why it has this score.
        note: Field::text(limits::SCORE_NOTE, "Note (optional)"),
    }
    extra {
        /// The criterion (a new score only).
        criterion_id: Option<i64>,
        /// The work package scored (a new score: this or `programme_id`).
        work_package_id: Option<i64>,
        /// The programme scored (a new score: this or `work_package_id`).
        programme_id: Option<i64>,
    }
}

/// The JSON names of a score's ids.
const SCORE_IDS: [&str; 3] = ["criterion_id", "work_package_id", "programme_id"];

/// A JSON body with whole numbers for `names` written as strings (how the
/// form layer reads every declared field); other numbers are left to be
/// refused as they are.
fn numbers_as_text(
    body: &axum::body::Bytes,
    names: &[&str],
) -> Result<serde_json::Map<String, serde_json::Value>, crate::error::ApiError> {
    use serde_json::Value;
    let mut object: serde_json::Map<String, Value> = crate::api::parse_body(body)?;
    for name in names {
        if let Some(v) = object.get_mut(*name)
            && let Value::Number(n) = v
        {
            *v = Value::String(n.to_string());
        }
    }
    Ok(object)
}

fn reread(
    object: &serde_json::Map<String, serde_json::Value>,
) -> Result<axum::body::Bytes, crate::error::ApiError> {
    serde_json::to_vec(object)
        .map(axum::body::Bytes::from)
        .map_err(|e| crate::error::ApiError::Internal(format!("cannot re-read a body: {e}")))
}

impl CriterionFields {
    /// A JSON body: the declared fields, `weight` and `order` as whole
    /// numbers (or strings of them).
    pub fn from_json_body(body: &axum::body::Bytes) -> Result<Self, crate::error::ApiError> {
        let object = numbers_as_text(body, &["weight", "order"])?;
        <Self as Form>::from_json(&reread(&object)?)
    }
}

impl ScoreFields {
    /// A JSON body: `score` a whole number (or a string of one), `note`, and
    /// the ids as whole numbers.
    pub fn from_json_body(body: &axum::body::Bytes) -> Result<Self, crate::error::ApiError> {
        use serde_json::Value;
        let mut object = numbers_as_text(body, &["score"])?;
        let mut errors = Vec::new();
        let mut ids: [Option<i64>; 3] = [None, None, None];
        for (name, slot) in SCORE_IDS.iter().zip(ids.iter_mut()) {
            match object.remove(*name) {
                None | Some(Value::Null) => {}
                Some(v) => match v.as_i64() {
                    Some(id) => *slot = Some(id),
                    None => errors.push(FieldError::new(name, "give an id as a whole number")),
                },
            }
        }
        let mut fields = match <Self as Form>::from_json(&reread(&object)?) {
            Ok(fields) if errors.is_empty() => fields,
            Ok(_) => return Err(crate::error::ApiError::Validation(errors)),
            Err(crate::error::ApiError::Validation(more)) => {
                errors.extend(more);
                return Err(crate::error::ApiError::Validation(errors));
            }
            Err(other) => return Err(other),
        };
        let [criterion_id, work_package_id, programme_id] = ids;
        fields.criterion_id = criterion_id;
        fields.work_package_id = work_package_id;
        fields.programme_id = programme_id;
        Ok(fields)
    }

    /// A new score's criterion and item: the criterion, and exactly one of
    /// a package and a programme; each missing or doubled one an error.
    pub fn target(
        &self,
    ) -> Result<(waymark_store::CriterionId, waymark_store::ScoreItem), Vec<FieldError>> {
        use waymark_store::{CriterionId, ScoreItem, WorkPackageId};
        let mut errors = Vec::new();
        if self.criterion_id.is_none() {
            errors.push(FieldError::new("criterion_id", "Give the criterion's id"));
        }
        let item = match (self.work_package_id, self.programme_id) {
            (Some(wp), None) => Some(ScoreItem::WorkPackage(WorkPackageId(wp))),
            (None, Some(p)) => Some(ScoreItem::Programme(ProgrammeId(p))),
            (None, None) => {
                errors.push(FieldError::new(
                    "work_package_id",
                    "Give the id of the work package or of the programme scored",
                ));
                None
            }
            (Some(_), Some(_)) => {
                errors.push(FieldError::new(
                    "programme_id",
                    "A score is of a work package or of a programme, not both",
                ));
                None
            }
        };
        match (self.criterion_id, item) {
            (Some(c), Some(item)) if errors.is_empty() => Ok((CriterionId(c), item)),
            _ => Err(errors),
        }
    }

    /// A change names no criterion or item (they never change).
    pub fn no_target(&self) -> Result<(), Vec<FieldError>> {
        let given: Vec<FieldError> = SCORE_IDS
            .iter()
            .zip([self.criterion_id, self.work_package_id, self.programme_id])
            .filter(|(_, v)| v.is_some())
            .map(|(name, _)| {
                FieldError::new(
                    name,
                    "A score's criterion and item cannot change: clear this score and add another",
                )
            })
            .collect();
        if given.is_empty() { Ok(()) } else { Err(given) }
    }
}

impl Form for ScoreFields {
    type Input = waymark_store::ScoreValue;

    fn checked(&self) -> Result<waymark_store::ScoreValue, Vec<FieldError>> {
        let score = self
            .text("score")
            .parse::<waymark_core::priority::Score>()
            .map_err(|e| vec![FieldError::from(e)])?;
        Ok(waymark_store::ScoreValue {
            score,
            note: self.text("note"),
        })
    }

    /// The ids go after the declared fields.
    fn place(field: &str) -> usize {
        let end = crate::form::position::<Self>("note");
        match field {
            "criterion_id" => end.saturating_add(2),
            "work_package_id" => end.saturating_add(4),
            "programme_id" => end.saturating_add(6),
            other => crate::form::position::<Self>(other),
        }
    }
}

impl From<&waymark_store::ScoreRow> for ScoreFields {
    fn from(s: &waymark_store::ScoreRow) -> Self {
        ScoreFields {
            score: Some(s.score.to_string()),
            note: Some(s.note.clone()),
            ..Default::default()
        }
    }
}

/// The query parameters of the ranking: the API refuses any other name.
pub const RANKING_QUERY: &[&str] = &["top"];

/// The ranking's top N from its query (`top`): 3 when left out or empty; a
/// whole number from 1 to `limits::MAX_PRIORITY_TOP`, else an error on `top`.
pub fn ranking_top(pairs: &[(String, String)]) -> Result<usize, Vec<FieldError>> {
    let Some((_, v)) = pairs.iter().find(|(k, _)| k == "top") else {
        return Ok(DEFAULT_TOP);
    };
    let v = v.trim();
    if v.is_empty() {
        return Ok(DEFAULT_TOP);
    }
    match v.parse::<usize>() {
        Ok(n) if (1..=limits::MAX_PRIORITY_TOP).contains(&n) => Ok(n),
        _ => Err(vec![FieldError::new(
            "top",
            format!(
                "The top N must be a whole number from 1 to {}",
                limits::MAX_PRIORITY_TOP
            ),
        )]),
    }
}

/// The ranking's top N when not given.
pub const DEFAULT_TOP: usize = 3;

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

    fn audit_pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn every_audit_parameter_is_parsed_and_a_wrong_one_named() {
        let long = "x".repeat(201);
        for (name, wrong) in [
            ("entity_kind", "planet"),
            ("entity_id", long.as_str()),
            ("actor_kind", "robot"),
            ("actor", long.as_str()),
            ("action", "explode"),
            ("from", "2026-02-30"),
            ("to", "tomorrow"),
            ("before", "0"),
            ("after", "-1"),
            ("per_page", "501"),
        ] {
            let mut pairs = audit_pairs(&[(name, wrong)]);
            if name == "entity_id" {
                pairs.push(("entity_kind".into(), "plan".into()));
            }
            let errors = audit_query(&pairs).err().unwrap_or_default();
            assert!(errors.iter().any(|e| e.field == name), "{name}: {errors:?}");
        }
        assert_eq!(AUDIT_QUERY.len(), 10);
    }

    #[test]
    fn an_audit_query_reads_uk_days_and_refuses_what_cannot_go_together() {
        let q = audit_query(&audit_pairs(&[
            ("entity_kind", "work_package"),
            ("entity_id", " 12 "),
            ("actor_kind", "user"),
            ("actor", "Alice"),
            ("action", "update"),
            ("from", "2026-07-01"),
            ("to", "2026-11-25"),
            ("before", "40"),
            ("per_page", "10"),
        ]))
        .unwrap_or_else(|e| panic!("{e:?}"));
        let f = &q.filter;
        assert_eq!(f.entity_id.as_deref(), Some("12"));
        assert_eq!(f.actor_kind, Some(waymark_core::audit::ActorKind::User));
        // 2026-07-01 00:00 BST and 2026-11-26 00:00 GMT.
        assert_eq!(f.from_ms, Some(1_782_860_400_000));
        assert_eq!(f.until_ms, Some(1_795_651_200_000));
        assert_eq!((f.before, f.after, q.per_page), (Some(40), None, 10));
        let named = |pairs: &[(&str, &str)]| -> Vec<String> {
            audit_query(&audit_pairs(pairs))
                .err()
                .unwrap_or_default()
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        assert_eq!(named(&[("entity_id", "12")]), ["entity_id"]);
        assert_eq!(named(&[("before", "3"), ("after", "1")]), ["after"]);
        assert_eq!(
            named(&[("from", "2026-11-25"), ("to", "2026-11-24")]),
            ["to"]
        );
        assert!(named(&[("from", "2026-11-25"), ("to", "2026-11-25")]).is_empty());
    }

    #[test]
    fn an_audit_page_knows_its_neighbours() {
        use waymark_core::audit::{Actor, ActorKind, Entity, Event, Head};
        let mut head = Head::EMPTY;
        let mut all = Vec::new();
        for _ in 0..5 {
            let event = Event {
                at_ms: 0,
                actor: Actor {
                    kind: ActorKind::System,
                    id: String::new(),
                    display: String::new(),
                },
                entity: Entity {
                    kind: "plan".parse().unwrap_or_else(|e| panic!("{e}")),
                    id: "1".into(),
                },
                action: "update".parse().unwrap_or_else(|e| panic!("{e}")),
                changes: Default::default(),
            };
            let stored = head.append(event).unwrap_or_else(|e| panic!("{e}"));
            head = stored.head().unwrap_or_else(|e| panic!("{e}"));
            all.push(stored);
        }
        all.reverse(); // newest first: 5 4 3 2 1
        let query = |before: Option<u64>, after: Option<u64>| AuditQuery {
            filter: waymark_store::AuditFilter {
                before,
                after,
                ..Default::default()
            },
            per_page: 2,
        };
        let page = |q: &AuditQuery, fetched: &[waymark_core::audit::StoredEntry]| {
            let p = q.page(fetched.to_vec());
            let numbers: Vec<u64> = p.entries.iter().map(|e| e.entry.sequence).collect();
            (numbers, p.newer, p.older)
        };
        // The newest: 5 4, older before 4.
        assert_eq!(
            page(&query(None, None), &all[0..3]),
            (vec![5, 4], None, Some(4))
        );
        // Before 4: 3 2, newer after 3, older before 2.
        assert_eq!(
            page(&query(Some(4), None), &all[2..5]),
            (vec![3, 2], Some(Some(3)), Some(2))
        );
        // Before 2: 1 alone, no older.
        assert_eq!(
            page(&query(Some(2), None), &all[4..5]),
            (vec![1], Some(Some(1)), None)
        );
        // After 1 (the store gives the three just newer, newest first): 3 2.
        assert_eq!(
            page(&query(None, Some(1)), &all[1..4]),
            (vec![3, 2], Some(Some(3)), Some(2))
        );
        // After 3: 5 4, the newest, nothing newer.
        assert_eq!(
            page(&query(None, Some(3)), &all[0..2]),
            (vec![5, 4], None, Some(4))
        );
        // Past either end: back to the newest.
        assert_eq!(page(&query(Some(1), None), &[]), (vec![], Some(None), None));
        assert_eq!(page(&query(None, Some(5)), &[]), (vec![], Some(None), None));
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
        let errors = fields.validate_stored().err().unwrap_or_default();
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
        let input = fields.validate_stored().map_err(|e| format!("{e:?}"));
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
        assert_eq!(blank.validate().map(|i| i.number), Ok(None));
        assert!(
            blank.validate_stored().is_err(),
            "a stored package keeps a number"
        );
    }
}
