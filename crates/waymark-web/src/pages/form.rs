//! The page side of the form layer ([`crate::form`]): one POST flow for every
//! page with a form. Read the posted fields into the record's declaration,
//! check them, write with the store, and either redirect (303) to where the
//! banner says it worked, or show the same page again (422) with what was
//! typed, each error beside its field and in the summary, and "Error: " in
//! the title. A form whose token had expired is shown again the same way,
//! with a fresh token and a notice, and nothing is stored.

use std::future::Future;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use waymark_store::{PlanId, PlanStore, PlanSummary};

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

/// A form as a page shows it: the values (as stored, or as typed) and what is
/// wrong with them.
#[derive(Debug, Clone, Default)]
pub struct Filled<F> {
    pub values: F,
    /// One per wrong field, in form order.
    pub errors: Vec<FieldError>,
    /// The posted token had expired: nothing was checked or stored.
    pub expired: bool,
}

impl<F: Form> Filled<F> {
    /// Values to show, with nothing wrong.
    pub fn new(values: F) -> Self {
        Filled {
            values,
            errors: Vec::new(),
            expired: false,
        }
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
        layout.notice = self.expired.then(|| EXPIRED.to_string());
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

/// Store refusals a person can correct (a conflict, a wrong field) as field
/// errors; anything else is an error page.
pub fn store_errors<F: Form>(e: ApiError) -> Result<Vec<FieldError>, HtmlError> {
    match e {
        ApiError::Conflict(e) => Ok(vec![F::conflict(e)]),
        ApiError::Validation(errors) => Ok(errors),
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
    let filled = Filled {
        values: F::from_pairs(&posted.fields),
        errors: Vec::new(),
        expired: posted.expired,
    };
    save(cx, filled, F::validate, write, page).await
}

/// [`submit`] for a form read its own way: `filled` holds the values and any
/// errors found while reading them; `validate` is the record's check.
pub async fn save<F, V, W, R, Fut, P>(
    cx: Cx,
    mut filled: Filled<F>,
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
    if !filled.expired {
        match validate(&filled.values) {
            Ok(input) if filled.errors.is_empty() => {
                match cx.state.run(move |s| write(s, input)).await {
                    Ok(to) => return Ok(Redirect::to(&to).into_response()),
                    Err(e) => filled.errors = store_errors::<F>(e)?,
                }
            }
            Ok(_) => {}
            Err(errors) => filled.errors.extend(errors),
        }
        crate::form::sort_errors::<F>(&mut filled.errors);
    }
    let page = page(cx, filled).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// The POST of a confirmation page (delete, say): `write` does it and answers
/// with where to go (a 303). A refusal the person can act on (a store
/// conflict: the section still holds packages) shows the confirmation page
/// again with the reason as a sentence (409); nothing changed.
pub async fn confirm<W, R, Fut, P>(cx: Cx, write: W, page: R) -> Result<Response, HtmlError>
where
    W: FnOnce(&dyn PlanStore) -> waymark_store::Result<String> + Send + 'static,
    R: FnOnce(Cx, String) -> Fut,
    Fut: Future<Output = Result<P, HtmlError>>,
    P: Template,
{
    match cx.state.run(write).await {
        Ok(to) => Ok(Redirect::to(&to).into_response()),
        Err(ApiError::Conflict(e)) => {
            let page = page(cx, crate::error::capitalise(&e.message) + ".").await?;
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(other) => Err(other.into()),
    }
}
