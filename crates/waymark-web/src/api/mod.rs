//! The JSON API under `/api/v1`, one module per resource. Every error is an
//! RFC 9457 problem document; the OpenAPI document is generated from the
//! handlers' annotations.

mod audit;
mod baselines;
mod decisions;
mod dependencies;
pub mod dto;
pub mod etag;
pub mod lifecycle;
mod me;
pub mod openapi;
mod plans;
mod priorities;
mod progress;
mod raid;
pub(crate) use progress::build_report;
mod registers;
mod work_packages;

use axum::body::Bytes;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use utoipa::OpenApi;

use crate::error::{ApiError, FieldError};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Waymark API",
        version = "1",
        description = "The action plan of an ICT strategy group: plans, sections, work packages, key influences, related items, programmes and dependencies. Errors are application/problem+json (RFC 9457)."
    ),
    paths(
        plans::list,
        plans::get_plan,
        plans::update,
        plans::delete_plan,
        plans::export,
        plans::check,
        plans::dashboard,
        plans::sections,
        plans::create_section,
        work_packages::list,
        work_packages::create,
        work_packages::get_one,
        work_packages::history,
        work_packages::update,
        work_packages::delete_one,
        registers::influences,
        registers::influence,
        registers::update_influence,
        registers::related_items,
        registers::related_item,
        registers::update_related_item,
        registers::merge_related_item,
        registers::delete_related_item,
        registers::section,
        registers::update_section,
        registers::delete_section,
        registers::delete_influence,
        registers::merge_influence,
        registers::programmes,
        registers::programme,
        registers::create_programme,
        registers::update_programme,
        registers::delete_programme,
        dependencies::list,
        dependencies::create,
        dependencies::delete_one,
        decisions::list,
        decisions::create,
        decisions::get_one,
        decisions::update,
        decisions::delete_one,
        raid::list,
        raid::heat_map,
        raid::create,
        priorities::list_criteria,
        priorities::create_criterion,
        priorities::get_criterion,
        priorities::update_criterion,
        priorities::delete_criterion,
        priorities::list_scores,
        priorities::create_score,
        priorities::get_score,
        priorities::update_score,
        priorities::delete_score,
        priorities::ranking,
        raid::get_one,
        raid::update,
        raid::delete_one,
        audit::list,
        me::me,
        baselines::list,
        baselines::create,
        baselines::get_one,
        baselines::comparison,
        lifecycle::approve_package,
        lifecycle::reject_package,
        lifecycle::approve_plan,
        lifecycle::supersede_plan,
        progress::list,
        progress::create,
        progress::get_one,
        progress::update,
        progress::delete_one,
        progress::progress_report,
    ),
    components(schemas(
        crate::error::Problem,
        crate::error::FieldError,
        crate::input::WorkPackageFields
    ))
)]
pub struct ApiDoc;

pub(crate) fn routes() -> crate::Routes {
    crate::Routes::default()
        .get("/api/v1/openapi.json", openapi)
        .get("/api/v1/me", me::me)
        .get("/api/v1/plans", plans::list)
        .get("/api/v1/plans/{id}", plans::get_plan)
        .patch("/api/v1/plans/{id}", plans::update)
        .delete("/api/v1/plans/{id}", plans::delete_plan)
        .get("/api/v1/plans/{id}/export", plans::export)
        .get("/api/v1/plans/{id}/check", plans::check)
        .get("/api/v1/plans/{id}/dashboard", plans::dashboard)
        .get("/api/v1/plans/{id}/sections", plans::sections)
        .post("/api/v1/plans/{id}/sections", plans::create_section)
        .get("/api/v1/plans/{id}/work-packages", work_packages::list)
        .post("/api/v1/plans/{id}/work-packages", work_packages::create)
        .get("/api/v1/work-packages/{id}", work_packages::get_one)
        .patch("/api/v1/work-packages/{id}", work_packages::update)
        .delete("/api/v1/work-packages/{id}", work_packages::delete_one)
        .get("/api/v1/work-packages/{id}/history", work_packages::history)
        .post(
            "/api/v1/work-packages/{id}/approve",
            lifecycle::approve_package,
        )
        .post(
            "/api/v1/work-packages/{id}/reject",
            lifecycle::reject_package,
        )
        .post("/api/v1/plans/{id}/approve", lifecycle::approve_plan)
        .post("/api/v1/plans/{id}/supersede", lifecycle::supersede_plan)
        .get("/api/v1/plans/{id}/influences", registers::influences)
        .get("/api/v1/plans/{id}/influences/{code}", registers::influence)
        .patch(
            "/api/v1/plans/{id}/influences/{code}",
            registers::update_influence,
        )
        .delete(
            "/api/v1/plans/{id}/influences/{code}",
            registers::delete_influence,
        )
        .post(
            "/api/v1/plans/{id}/influences/{code}/merge",
            registers::merge_influence,
        )
        .get("/api/v1/sections/{id}", registers::section)
        .patch("/api/v1/sections/{id}", registers::update_section)
        .delete("/api/v1/sections/{id}", registers::delete_section)
        .get("/api/v1/plans/{id}/related-items", registers::related_items)
        .get("/api/v1/related-items/{id}", registers::related_item)
        .patch("/api/v1/related-items/{id}", registers::update_related_item)
        .delete("/api/v1/related-items/{id}", registers::delete_related_item)
        .post(
            "/api/v1/related-items/{id}/merge",
            registers::merge_related_item,
        )
        .get("/api/v1/plans/{id}/programmes", registers::programmes)
        .post("/api/v1/plans/{id}/programmes", registers::create_programme)
        .get("/api/v1/programmes/{id}", registers::programme)
        .patch("/api/v1/programmes/{id}", registers::update_programme)
        .delete("/api/v1/programmes/{id}", registers::delete_programme)
        .get("/api/v1/plans/{id}/dependencies", dependencies::list)
        .post("/api/v1/plans/{id}/dependencies", dependencies::create)
        .delete("/api/v1/dependencies/{id}", dependencies::delete_one)
        .get("/api/v1/plans/{id}/decisions", decisions::list)
        .post("/api/v1/plans/{id}/decisions", decisions::create)
        .get("/api/v1/decisions/{id}", decisions::get_one)
        .patch("/api/v1/decisions/{id}", decisions::update)
        .delete("/api/v1/decisions/{id}", decisions::delete_one)
        .get("/api/v1/plans/{id}/raid", raid::list)
        .post("/api/v1/plans/{id}/raid", raid::create)
        .get("/api/v1/plans/{id}/raid/heat-map", raid::heat_map)
        .get("/api/v1/raid/{id}", raid::get_one)
        .patch("/api/v1/raid/{id}", raid::update)
        .delete("/api/v1/raid/{id}", raid::delete_one)
        .get("/api/v1/audit", audit::list)
        .get("/api/v1/plans/{id}/baselines", baselines::list)
        .post("/api/v1/plans/{id}/baselines", baselines::create)
        .get(
            "/api/v1/plans/{id}/baselines/{baseline_id}",
            baselines::get_one,
        )
        .get(
            "/api/v1/plans/{id}/baselines/{baseline_id}/comparison",
            baselines::comparison,
        )
        .get("/api/v1/plans/{id}/criteria", priorities::list_criteria)
        .post("/api/v1/plans/{id}/criteria", priorities::create_criterion)
        .get("/api/v1/criteria/{id}", priorities::get_criterion)
        .patch("/api/v1/criteria/{id}", priorities::update_criterion)
        .delete("/api/v1/criteria/{id}", priorities::delete_criterion)
        .get("/api/v1/plans/{id}/scores", priorities::list_scores)
        .post("/api/v1/plans/{id}/scores", priorities::create_score)
        .get("/api/v1/scores/{id}", priorities::get_score)
        .patch("/api/v1/scores/{id}", priorities::update_score)
        .delete("/api/v1/scores/{id}", priorities::delete_score)
        .get("/api/v1/plans/{id}/ranking", priorities::ranking)
        .get("/api/v1/work-packages/{id}/progress-notes", progress::list)
        .post(
            "/api/v1/work-packages/{id}/progress-notes",
            progress::create,
        )
        .get("/api/v1/progress-notes/{id}", progress::get_one)
        .patch("/api/v1/progress-notes/{id}", progress::update)
        .delete("/api/v1/progress-notes/{id}", progress::delete_one)
        .get(
            "/api/v1/plans/{id}/reports/progress",
            progress::progress_report,
        )
        .any("/api", not_found)
        .any("/api/{*rest}", not_found)
        .map(|r| {
            r.route_layer(axum::middleware::from_fn(known_query))
                .route_layer(axum::middleware::from_fn(require_json))
                .layer(axum::middleware::map_response(problem_responses))
                .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        })
}

/// The largest request body the API reads, in bytes.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The query parameters a route takes: the one list each handler's parser and
/// the OpenAPI document follow. Any other name is a 400 naming it.
pub fn query_parameters(route: &str) -> &'static [&'static str] {
    match route {
        "/api/v1/plans/{id}/work-packages" => crate::input::WORK_PACKAGE_QUERY,
        "/api/v1/plans/{id}/export" => plans::EXPORT_QUERY,
        "/api/v1/audit" => crate::input::AUDIT_QUERY,
        "/api/v1/plans/{id}/decisions" => crate::input::DECISION_QUERY,
        "/api/v1/plans/{id}/ranking" => crate::input::RANKING_QUERY,
        "/api/v1/plans/{id}/raid" => crate::input::RAID_QUERY,
        "/api/v1/plans/{id}/reports/progress" => crate::input::REPORT_QUERY,
        _ => &[],
    }
}

/// Refuse query parameters the route does not take (a misspelt filter would
/// otherwise be silently ignored and the answer look right).
async fn known_query(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_default();
    // Only reads take query parameters: a method the route does not take is
    // answered by the router (405), whatever its query says.
    let reads = matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD
    );
    if let Some(query) = req.uri().query()
        && !query.is_empty()
        && reads
        && route.starts_with("/api/v1/")
    {
        let known = query_parameters(&route);
        let pairs = match serde_urlencoded_pairs(query) {
            Ok(p) => p,
            Err(e) => return e.into_response(),
        };
        let mut unknown: Vec<String> = Vec::new();
        let mut empty = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        let mut repeated: Vec<String> = Vec::new();
        for (name, value) in &pairs {
            if !known.contains(&name.as_str()) {
                if !unknown.contains(name) {
                    unknown.push(name.clone());
                }
            } else if seen.contains(&name.as_str()) {
                if !repeated.contains(name) {
                    repeated.push(name.clone());
                }
            } else if value.trim().is_empty() {
                empty.push(FieldError::new(
                    name,
                    "give a value, or leave the parameter out",
                ));
            }
            seen.push(name);
        }
        if !unknown.is_empty() {
            return ApiError::UnknownParameters { unknown, known }.into_response();
        }
        if !repeated.is_empty() {
            return ApiError::RepeatedParameters(repeated).into_response();
        }
        if !empty.is_empty() {
            return ApiError::Validation(empty).into_response();
        }
    }
    next.run(req).await
}

/// Every API error is a problem document: answers that axum itself makes (a
/// body over the limit, a method the address does not take, a body or path
/// that cannot be read) come as plain text or empty; rewrite them.
async fn problem_responses(res: axum::response::Response) -> axum::response::Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let status = res.status();
    let is_problem = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/problem+json"));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return res;
    }
    let allow = res
        .headers()
        .get(axum::http::header::ALLOW)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = axum::body::to_bytes(res.into_body(), 16 * 1024)
        .await
        .unwrap_or_default();
    let reason = String::from_utf8_lossy(&body).trim().to_string();
    let error = match status {
        StatusCode::NOT_FOUND => ApiError::NotFound("This address".into()),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed(allow.unwrap_or_default()),
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType,
        s if s.is_server_error() => ApiError::Internal(reason),
        _ if reason.is_empty() => ApiError::BadRequest("the request could not be read".into()),
        _ => ApiError::BadRequest(reason),
    };
    let mut out = error.into_response();
    if out.status() != status && !status.is_server_error() {
        *out.status_mut() = status;
    }
    out
}

/// Requests that change data must say they carry JSON. A web page elsewhere can
/// make a browser POST a form to this server, but not with this content type
/// (that needs a CORS preflight, which we never grant): no cross-site writes.
async fn require_json(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::Method;
    use axum::response::IntoResponse;
    let headers = req.headers();
    let has_body = headers.contains_key(axum::http::header::TRANSFER_ENCODING)
        || headers
            .get(axum::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() != "0");
    let writes = has_body && matches!(*req.method(), Method::POST | Method::PATCH | Method::PUT);
    let json = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let media = v
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            media == "application/json" || media.ends_with("+json")
        });
    if writes && !json {
        return ApiError::UnsupportedMediaType.into_response();
    }
    next.run(req).await
}

async fn not_found() -> ApiError {
    ApiError::NotFound("The API route".into())
}

async fn openapi() -> axum::response::Response {
    use axum::response::IntoResponse;
    match serde_json::to_string_pretty(&openapi::document()) {
        Ok(doc) => (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            doc,
        )
            .into_response(),
        Err(e) => ApiError::Internal(format!("OpenAPI document: {e}")).into_response(),
    }
}

/// A JSON body parsed with a problem naming the place of any syntax error.
pub(crate) fn parse_body<T: DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    if body.is_empty() {
        return Err(ApiError::BadRequest(
            "the request body is empty; send a JSON object".into(),
        ));
    }
    // serde reads a struct from an array too (`[null, null]`); the API takes objects only.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::Validation(vec![crate::error::FieldError::new(
            "body",
            "send a JSON object",
        )]));
    }
    let cleaned = clean_strings(body);
    let body: &[u8] = cleaned.as_deref().unwrap_or(body);
    let whole = whole_numbers(body);
    let body: &[u8] = whole.as_deref().unwrap_or(body);
    serde_json::from_slice(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => {
            ApiError::Validation(vec![crate::error::FieldError::new(
                &field_of(&e.to_string()),
                e.to_string()
                    .split(" at line ")
                    .next()
                    .unwrap_or("invalid value")
                    .to_string(),
            )])
        }
        _ => ApiError::BadRequest(format!("the body is not valid JSON: {e}")),
    })
}

/// The body with every string cleaned by `waymark_core::text::clean` (no
/// bidirectional controls, literal or `\u` escaped), or `None` when there is
/// nothing to clean or the body is not JSON (`parse_body` reports that).
/// JSON (and JSON Schema's `integer`) counts `5553.0` as a whole number;
/// serde's integers do not. The body with such numbers written as integers,
/// or `None` when it has none.
fn whole_numbers(body: &[u8]) -> Option<Vec<u8>> {
    fn walk(v: &mut serde_json::Value) -> bool {
        match v {
            serde_json::Value::Number(n) if n.is_f64() => match n.as_f64() {
                // Beyond 2^53 a float no longer names one integer.
                Some(f) if f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0 => {
                    *v = serde_json::Value::from(f as i64);
                    true
                }
                _ => false,
            },
            serde_json::Value::Array(items) => items.iter_mut().fold(false, |c, i| walk(i) | c),
            serde_json::Value::Object(fields) => {
                fields.values_mut().fold(false, |c, i| walk(i) | c)
            }
            _ => false,
        }
    }
    if !body.iter().any(|b| matches!(b, b'.' | b'e' | b'E')) {
        return None;
    }
    let mut value: serde_json::Value = serde_json::from_slice(body).ok()?;
    if walk(&mut value) {
        serde_json::to_vec(&value).ok()
    } else {
        None
    }
}

fn clean_strings(body: &[u8]) -> Option<Vec<u8>> {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) => {
                waymark_core::text::clean_in_place(s);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
            serde_json::Value::Object(fields) => fields.values_mut().for_each(walk),
            _ => {}
        }
    }
    let text = std::str::from_utf8(body).ok()?;
    let escaped = text.contains("\\u202") || text.contains("\\u206");
    if !escaped && !waymark_core::text::has_bidi_control(text) {
        return None;
    }
    let mut value: serde_json::Value = serde_json::from_str(text).ok()?;
    walk(&mut value);
    serde_json::to_vec(&value).ok()
}

fn field_of(message: &str) -> String {
    // serde names unknown or missing fields in backticks.
    message.split('`').nth(1).unwrap_or("body").to_string()
}

/// Query pairs; every handler parses and validates its own names.
pub(crate) struct QueryPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        serde_urlencoded_pairs(q).map(QueryPairs)
    }
}

fn serde_urlencoded_pairs(q: &str) -> Result<Vec<(String, String)>, ApiError> {
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(
        &format!("/?{q}")
            .parse()
            .map_err(|_| ApiError::BadRequest("the query string cannot be read".into()))?,
    )
    .map(|axum::extract::Query(v)| v)
    .map_err(|e| ApiError::BadRequest(format!("the query string cannot be read: {e}")))
}

/// One of a plan's registers (its sections, influences, ...), each row as
/// the API sends it; a plan that does not exist is a 404, not an empty list.
pub(crate) async fn plan_register<R, T>(
    state: &crate::AppState,
    id: &str,
    read: fn(&dyn waymark_store::PlanStore, waymark_store::PlanId) -> waymark_store::Result<Vec<R>>,
) -> Result<Vec<T>, ApiError>
where
    R: Send + 'static,
    T: From<R>,
{
    let id = waymark_store::PlanId(path_id(id, "Plan")?);
    let rows = state
        .run(move |s| {
            s.plan(id)?;
            read(s, id)
        })
        .await?;
    Ok(rows.into_iter().map(T::from).collect())
}

/// A PATCH of a declared record as one check-and-change: `change` calls the
/// store's `change_*` with the function it is given (the body's fields laid
/// over the record as it is inside the write, then validated) and reads the
/// answer. A wrong field is a 422 naming it, and nothing is stored.
pub(crate) async fn patch_record<F, C, T, R>(
    state: &crate::AppState,
    patch: F,
    change: R,
) -> Result<T, ApiError>
where
    F: crate::form::Form + for<'c> From<&'c C>,
    T: Send + 'static,
    R: FnOnce(
            &dyn waymark_store::PlanStore,
            &mut dyn FnMut(&C) -> Option<F::Input>,
        ) -> waymark_store::Result<T>
        + Send
        + 'static,
{
    let outcome = state
        .run(move |s| {
            let (mut patch, mut refused) = (Some(patch), None);
            let answer = change(s, &mut patch_over(&mut patch, &mut refused))?;
            Ok(match refused {
                Some(errors) => Err(errors),
                None => Ok(answer),
            })
        })
        .await?;
    outcome.map_err(ApiError::Validation)
}

/// A PATCH as a store's check-and-change (`PlanStore::change_*`) takes it:
/// the patch laid over the record's fields as stored, then validated. What
/// is wrong is kept in `refused`, and nothing is stored.
fn patch_over<'a, F, C>(
    patch: &'a mut Option<F>,
    refused: &'a mut Option<Vec<FieldError>>,
) -> impl FnMut(&C) -> Option<F::Input> + 'a
where
    F: crate::form::Form + for<'c> From<&'c C>,
{
    move |current| {
        let patch = patch.take()?;
        F::from(current)
            .overlay(patch)
            .validate()
            .map_err(|e| *refused = Some(e))
            .ok()
    }
}

/// An id from the path; a non-number is a 404 rather than a 400, as for any
/// address that names nothing.
pub(crate) fn path_id(raw: &str, what: &str) -> Result<i64, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::NotFound(what.to_string()))
}

/// A JSON response written into one buffer sized for the answer (axum's `Json`
/// starts small and grows; list pages are tens of kilobytes).
pub(crate) struct JsonBody<T>(pub T, pub usize);

impl<T: serde::Serialize> axum::response::IntoResponse for JsonBody<T> {
    fn into_response(self) -> axum::response::Response {
        let mut buf = Vec::with_capacity(self.1);
        match serde_json::to_writer(&mut buf, &self.0) {
            Ok(()) => (
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                buf,
            )
                .into_response(),
            Err(e) => {
                ApiError::Internal(format!("cannot serialise the answer: {e}")).into_response()
            }
        }
    }
}
