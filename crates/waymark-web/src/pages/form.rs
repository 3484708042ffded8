//! The page side of the form layer ([`crate::form`]): one POST flow for every
//! page with a form. Read the posted fields into the record's declaration,
//! check them, write with the store, and either redirect (303) to where the
//! banner says it worked, or show the same page again (422) with what was
//! typed, each error beside its field and in the summary, and "Error: " in
//! the title. A form whose token had expired is shown again the same way,
//! with a fresh token and a notice, and nothing is stored.
//!
//! A form that edits a stored record carries the record's version and its
//! values when the form was opened, in hidden fields ([`Filled::at`]). The
//! store checks that version in the write's transaction; when someone else
//! changed the record meanwhile, nothing is stored and the form comes back
//! (409) with what the person typed, a notice, and field by field what the
//! other person changed (their value now beside the value when the form was
//! opened), on the record's new version: saving again keeps what was typed.

use std::future::Future;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use waymark_store::{PlanId, PlanStore, PlanSummary, Version};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::csrf::{CsrfToken, PostedForm};
use super::error::{HtmlError, render};
use super::view::{Layout, PlanNav, Section};
use crate::AppState;
use crate::error::{ApiError, FieldError};
use crate::form::Form;

/// What a page with a form needs besides its address: the state, and this
/// session's token for its forms.
pub struct Cx {
    pub state: AppState,
    pub csrf: String,
}

impl FromRequestParts<AppState> for Cx {
    type Rejection = HtmlError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, HtmlError> {
        let CsrfToken(csrf) = CsrfToken::from_request_parts(parts, state).await?;
        Ok(Cx {
            state: state.clone(),
            csrf,
        })
    }
}

/// What the notice says when a form's token had expired.
const EXPIRED: &str = "The form had expired (the service may have restarted while the page was open), so nothing has been saved. Check what you entered below, then submit it again.";

/// What the notice says when someone else changed the record meanwhile.
const CHANGED: &str = "Someone else saved changes to this after you opened the form, so nothing you entered has been saved. What they changed is listed below, beside what it was when you opened the form; the form now shows their changes, except where you changed the same field. Check it, then save again.";

/// The name of the hidden field that carries the record's version.
pub const VERSION_FIELD: &str = "version";
/// The prefix of the hidden fields that carry a value when the form was opened.
const OPENED_PREFIX: &str = "was_";

/// A field someone else changed after the form was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub field: &'static str,
    pub label: &'static str,
    /// Its value when the form was opened.
    pub was: String,
    /// Its value now, as the other person saved it.
    pub now: String,
}

/// A form as a page shows it: the values (as stored, or as typed) and what is
/// wrong with them.
#[derive(Debug, Clone, Default)]
pub struct Filled<F> {
    pub values: F,
    /// One per wrong field, in form order.
    pub errors: Vec<FieldError>,
    /// The posted token had expired: nothing was checked or stored.
    pub expired: bool,
    /// The version of the record the form edits (`None` for a new record),
    /// and its values at that version: hidden fields of the form.
    pub version: Option<Version>,
    pub opened: Option<F>,
    /// Someone else changed the record since the form was opened, and
    /// what they changed, field by field.
    pub stale: bool,
    pub changed: Vec<Changed>,
}

impl<F: Form> Filled<F> {
    /// Values to show, with nothing wrong.
    pub fn new(values: F) -> Self {
        Filled {
            values,
            errors: Vec::new(),
            expired: false,
            version: None,
            opened: None,
            stale: false,
            changed: Vec::new(),
        }
    }

    /// The form edits the record at this version, whose values these are.
    pub fn at(mut self, version: Version) -> Self {
        self.opened = Some(self.values.clone());
        self.version = Some(version);
        self
    }

    /// The version and the values when opened, from a posted form's hidden
    /// fields. A version that cannot be read is 0, which no record has: the
    /// write is refused as a conflict, and the form shown again.
    pub fn opened_from(mut self, pairs: &[(String, String)]) -> Self {
        let Some((_, version)) = pairs.iter().find(|(k, _)| k == VERSION_FIELD) else {
            return self;
        };
        self.version = Some(version.trim().parse().unwrap_or(Version(0)));
        let was: Vec<(String, String)> = pairs
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix(OPENED_PREFIX)?.to_string(), v.clone())))
            .collect();
        self.opened = (!was.is_empty()).then(|| F::from_pairs(&was));
        self
    }

    /// The hidden fields that carry the version and the values when opened.
    pub fn hidden(&self) -> Vec<(String, String)> {
        let Some(version) = self.version else {
            return Vec::new();
        };
        let mut fields = vec![(VERSION_FIELD.to_string(), version.to_string())];
        if let Some(opened) = &self.opened {
            for f in F::FIELDS {
                let Some(v) = opened.get(f.name) else {
                    continue;
                };
                // A flag is read back as a checkbox is: there when set.
                if matches!(f.kind, crate::form::Kind::Flag) && v != "true" {
                    continue;
                }
                fields.push((format!("{OPENED_PREFIX}{}", f.name), v.to_string()));
            }
        }
        fields
    }

    /// Someone else changed the record: it is at `version` now, with the
    /// values `now`. The form goes on from the new version, field by field:
    /// a field only they changed now shows their value; one both changed
    /// keeps what was typed and is an error (a conflict to settle); every
    /// field they changed is listed, with its value when the form was
    /// opened and now.
    pub fn conflict(&mut self, version: Version, now: F) {
        let was = self.opened.take().unwrap_or_default();
        // Browsers send every line break of a form as CR LF; compare text
        // as written, whatever its line breaks.
        let show = |f: &F, name: &str| {
            f.get(name)
                .unwrap_or("")
                .replace("\r\n", "\n")
                .trim()
                .to_string()
        };
        self.changed.clear();
        self.errors.clear();
        for f in F::FIELDS {
            let (then, theirs, mine) = (
                show(&was, f.name),
                show(&now, f.name),
                show(&self.values, f.name),
            );
            if theirs == then {
                continue;
            }
            if mine == then {
                // Untouched here: take theirs.
                if let Some(slot) = self.values.slot(f.name) {
                    *slot = now.get(f.name).map(str::to_string);
                }
            } else if mine != theirs {
                self.errors.push(FieldError {
                    field: f.name.to_string(),
                    message: format!(
                        "{} was changed by someone else after you opened the form: choose what it should be",
                        f.label
                    ),
                });
            }
            self.changed.push(Changed {
                field: f.name,
                label: f.label,
                was: then,
                now: theirs,
            });
        }
        if self.errors.is_empty() {
            self.errors.push(FieldError {
                field: "changes".into(),
                message: "Someone else changed this after you opened the form: check what they changed, then save again".into(),
            });
        }
        self.version = Some(version);
        self.opened = Some(now);
        self.stale = true;
    }

    /// The message for a field, if it is wrong.
    pub fn error(&self, field: &str) -> Option<&str> {
        crate::error::message_for(&self.errors, field)
    }

    /// A field's value as typed or stored (`""` when none).
    pub fn value(&self, field: &str) -> &str {
        self.values.get(field).unwrap_or("")
    }

    /// Whether a checkbox is ticked.
    pub fn flag(&self, field: &str) -> bool {
        self.values.flag(field)
    }

    /// A field's label, as declared.
    pub fn label(&self, field: &str) -> &'static str {
        F::FIELDS
            .iter()
            .find(|f| f.name == field)
            .map_or("", |f| f.label)
    }

    /// The frame of the form's page: "Error: " before the heading in the
    /// title while a field is wrong, and the notice when the form had expired.
    pub fn layout(&self, heading: &str, plan: Option<PlanNav>, current: Section) -> Layout {
        let title = if self.errors.is_empty() {
            heading.to_string()
        } else {
            format!("Error: {heading}")
        };
        let mut layout = Layout::new(&title, plan, current);
        layout.notice = if self.expired {
            Some(EXPIRED.to_string())
        } else if self.stale {
            Some(CHANGED.to_string())
        } else {
            None
        };
        layout
    }
}

/// A page as the answer to a GET (200).
pub async fn ok_page<P: Template>(
    page: impl Future<Output = Result<P, HtmlError>>,
) -> Result<Response, HtmlError> {
    Ok(render(StatusCode::OK, &page.await?))
}

/// A record and the plan it belongs to (for the page's frame), read on the
/// store's thread: `read` gives the record and its plan's id.
pub async fn with_plan<T, R>(state: &AppState, read: R) -> Result<(T, PlanSummary), HtmlError>
where
    T: Send + 'static,
    R: FnOnce(&dyn PlanStore) -> waymark_store::Result<(T, PlanId)> + Send + 'static,
{
    Ok(state
        .run(move |s| {
            let (record, plan) = read(s)?;
            Ok((record, s.plan(plan)?))
        })
        .await?)
}

/// Store refusals a person can correct (a conflict, a wrong field, a value
/// their role may not give) as field errors; anything else is an error page.
pub fn store_errors<F: Form>(e: ApiError) -> Result<Vec<FieldError>, HtmlError> {
    match e {
        ApiError::Conflict(e) => Ok(vec![F::conflict(e)]),
        ApiError::Validation(errors) => Ok(errors),
        ApiError::ForbiddenValue(e) => Ok(vec![e]),
        other => Err(other.into()),
    }
}

/// The POST flow of a page's form: the posted fields of `F` are checked and
/// given to `write` (on the store's thread), which answers with where to
/// redirect (a 303, with the banner's flag in the address). Otherwise `page`
/// builds the same page again from the typed values and the errors (422).
pub async fn submit<F, W, R, Fut, P>(
    cx: Cx,
    posted: PostedForm,
    write: W,
    page: R,
) -> Result<Response, HtmlError>
where
    F: Form,
    W: FnOnce(&dyn PlanStore, F::Input) -> waymark_store::Result<String> + Send + 'static,
    R: FnOnce(Cx, Filled<F>) -> Fut,
    Fut: Future<Output = Result<P, HtmlError>>,
    P: Template,
{
    let mut filled = Filled::new(F::from_pairs(&posted.fields));
    filled.expired = posted.expired;
    save(cx, filled, F::validate, write, page).await
}

/// How a form that edits a stored record reads it again after a conflict:
/// its version and its values now.
pub type Reread<F> = Box<dyn FnOnce(&dyn PlanStore) -> waymark_store::Result<(Version, F)> + Send>;

/// [`submit`] for a form that edits a stored record at the version it was
/// opened on: `write` gets the version the form carries, for the store to
/// check; when the record has changed since, `reread` reads it now and the
/// form comes back (409) saying what changed, on the new version.
pub async fn submit_at<F, W, R, Fut, P>(
    cx: Cx,
    posted: PostedForm,
    write: W,
    reread: Reread<F>,
    page: R,
) -> Result<Response, HtmlError>
where
    F: Form,
    W: FnOnce(&dyn PlanStore, F::Input, Option<Version>) -> waymark_store::Result<String>
        + Send
        + 'static,
    R: FnOnce(Cx, Filled<F>) -> Fut,
    Fut: Future<Output = Result<P, HtmlError>>,
    P: Template,
{
    let mut filled = Filled::new(F::from_pairs(&posted.fields)).opened_from(&posted.fields);
    filled.expired = posted.expired;
    save_at(cx, filled, F::validate, write, reread, page).await
}

/// [`save`] for a form that edits a stored record at a version (see
/// [`submit_at`]); `filled` carries the version (`Filled::opened_from`).
pub async fn save_at<F, V, W, R, Fut, P>(
    cx: Cx,
    filled: Filled<F>,
    validate: V,
    write: W,
    reread: Reread<F>,
    page: R,
) -> Result<Response, HtmlError>
where
    F: Form,
    V: FnOnce(&F) -> Result<F::Input, Vec<FieldError>>,
    W: FnOnce(&dyn PlanStore, F::Input, Option<Version>) -> waymark_store::Result<String>
        + Send
        + 'static,
    R: FnOnce(Cx, Filled<F>) -> Fut,
    Fut: Future<Output = Result<P, HtmlError>>,
    P: Template,
{
    // A form without a version (made before versions, or altered) is
    // checked as version 0, which no record has: a conflict.
    let expected = Some(filled.version.unwrap_or(Version(0)));
    let write = move |s: &dyn PlanStore, input| write(s, input, expected);
    finish(cx, filled, validate, write, Some(reread), page).await
}

/// [`submit`] for a form read its own way: `filled` holds the values and any
/// errors found while reading them; `validate` is the record's check.
pub async fn save<F, V, W, R, Fut, P>(
    cx: Cx,
    filled: Filled<F>,
    validate: V,
    write: W,
    page: R,
) -> Result<Response, HtmlError>
where
    F: Form,
    V: FnOnce(&F) -> Result<F::Input, Vec<FieldError>>,
    W: FnOnce(&dyn PlanStore, F::Input) -> waymark_store::Result<String> + Send + 'static,
    R: FnOnce(Cx, Filled<F>) -> Fut,
    Fut: Future<Output = Result<P, HtmlError>>,
    P: Template,
{
    finish(cx, filled, validate, write, None, page).await
}

/// The POST flow's end for [`save`] and [`save_at`]: validate, write, and
/// redirect; or the page again with the errors (422), or with what someone
/// else changed meanwhile (409).
async fn finish<F, V, W, R, Fut, P>(
    cx: Cx,
    mut filled: Filled<F>,
    validate: V,
    write: W,
    reread: Option<Reread<F>>,
    page: R,
) -> Result<Response, HtmlError>
where
    F: Form,
    V: FnOnce(&F) -> Result<F::Input, Vec<FieldError>>,
    W: FnOnce(&dyn PlanStore, F::Input) -> waymark_store::Result<String> + Send + 'static,
    R: FnOnce(Cx, Filled<F>) -> Fut,
    Fut: Future<Output = Result<P, HtmlError>>,
    P: Template,
{
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if !filled.expired {
        match validate(&filled.values) {
            Ok(input) if filled.errors.is_empty() => {
                match cx.state.run(move |s| write(s, input)).await {
                    Ok(to) => return Ok(Redirect::to(&to).into_response()),
                    Err(ApiError::PreconditionFailed { .. }) if reread.is_some() => {
                        let reread = reread.ok_or(HtmlError::from(ApiError::Internal(
                            "a conflict without a way to read the record again".into(),
                        )))?;
                        let (version, now) = cx.state.run(reread).await?;
                        filled.conflict(version, now);
                        status = StatusCode::CONFLICT;
                    }
                    Err(e) => {
                        // A value the role may not give: the form again, as
                        // the API answers it (403).
                        if matches!(e, ApiError::ForbiddenValue(_)) {
                            status = StatusCode::FORBIDDEN;
                        }
                        filled.errors = store_errors::<F>(e)?;
                    }
                }
            }
            Ok(_) => {}
            Err(errors) => filled.errors.extend(errors),
        }
        crate::form::sort_errors::<F>(&mut filled.errors);
    }
    let page = page(cx, filled).await?;
    Ok(render(status, &page))
}

/// Why a confirmation page is shown again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Again {
    /// The store refused (the section still holds packages): a sentence.
    Refused(String),
    /// Someone else changed the record after the page was opened: the page
    /// shows it as it is now (and its new version), with this notice.
    Changed(String),
}

/// The version a confirmation form carries (its hidden `version` field); one
/// that is missing or cannot be read is 0, which no record has.
pub fn posted_version(form: &super::csrf::CsrfForm) -> Option<Version> {
    Some(
        form.get(VERSION_FIELD)
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(Version(0)),
    )
}

/// The POST of a confirmation page (delete, say): `write` does it and answers
/// with where to go (a 303). A refusal the person can act on (a store
/// conflict: the section still holds packages) shows the confirmation page
/// again with the reason as a sentence (409); so does a change someone else
/// made after the page was opened (the page then shows the record as it is
/// now, and carries its new version). Nothing changed.
pub async fn confirm<W, R, Fut, P>(cx: Cx, write: W, page: R) -> Result<Response, HtmlError>
where
    W: FnOnce(&dyn PlanStore) -> waymark_store::Result<String> + Send + 'static,
    R: FnOnce(Cx, Again) -> Fut,
    Fut: Future<Output = Result<P, HtmlError>>,
    P: Template,
{
    match cx.state.run(write).await {
        Ok(to) => Ok(Redirect::to(&to).into_response()),
        Err(ApiError::Conflict(e)) => {
            let why = Again::Refused(crate::error::capitalise(&e.message) + ".");
            let page = page(cx, why).await?;
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(ApiError::PreconditionFailed { what, .. }) => {
            let why = Again::Changed(format!(
                "Someone else changed this {what} after you opened this page, so nothing has been deleted. Check it below is still the one to delete, then confirm again."
            ));
            let page = page(cx, why).await?;
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(other) => Err(other.into()),
    }
}
