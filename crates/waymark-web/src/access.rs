//! Who is asking, and whether they may: the one place a request's caller is
//! found and its permission checked.
//!
//! [`identify`] (middleware over every route) finds the caller: an
//! `Authorization: Bearer` API token, else the `waymark_session` cookie of a
//! signed-in browser, else nobody. A token that is sent and not valid is a
//! 401 at once (a script must not silently read as a visitor).
//!
//! [`Can<P>`] is the extractor every handler takes, with `P` the permission
//! its route needs (one of the marker types below, each naming a
//! `waymark_core::access::Action`): a route without one gets no
//! [`Actor`] to write with, and `tests/access.rs` checks every routed
//! method and path against the written route table. Refused callers get
//! 401/403 as problem+json under `/api/`, and in the browser the sign-in
//! page (not signed in) or a page saying what role would do (signed in).
//!
//! The store checks the same role again inside each write's transaction
//! (`waymark_store` `rules::access`), so a role changed or an account
//! disabled between the check here and the write is still refused.

use std::marker::PhantomData;
use std::sync::Arc;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use waymark_core::access::{self, Action, Caller as CoreCaller, Context, Decision, Role};
use waymark_store::{Actor, Caller, secret};

use crate::AppState;
use crate::error::ApiError;
use crate::pages::HtmlError;

/// The signed-in browser's session cookie.
pub const SESSION_COOKIE: &str = "waymark_session";

/// Who a request comes from, as [`identify`] found it.
#[derive(Debug, Clone)]
pub enum Identity {
    Anonymous,
    /// A signed-in session (`session` is the cookie's id) or an API token.
    Caller {
        caller: Arc<Caller>,
        session: Option<Arc<str>>,
    },
}

impl Identity {
    pub fn caller(&self) -> Option<&Caller> {
        match self {
            Identity::Anonymous => None,
            Identity::Caller { caller, .. } => Some(caller),
        }
    }

    /// The actor a write by this request records.
    pub fn actor(&self) -> Actor {
        match self {
            Identity::Anonymous => Actor::Anonymous,
            Identity::Caller { caller, .. } => caller.actor(),
        }
    }

    pub fn role(&self) -> Option<Role> {
        self.caller().map(|c| c.account.role)
    }

    /// The session cookie's id, when the request came with a live session.
    pub fn session(&self) -> Option<&str> {
        match self {
            Identity::Caller {
                session: Some(id), ..
            } => Some(id),
            _ => None,
        }
    }

    /// Whether this caller may do `action` (on a package with owner text
    /// `owner`, for [`Action::EditWorkPackage`]).
    pub fn decide(&self, action: Action, anonymous_read: bool, owner: Option<&str>) -> Decision {
        let core = match self.caller() {
            None => CoreCaller::Anonymous,
            Some(c) => CoreCaller::SignedIn {
                role: c.account.role,
                owner_names: &c.account.owner_names,
            },
        };
        access::allows(
            &core,
            action,
            &Context {
                anonymous_read,
                package_owner: owner,
            },
        )
    }
}

/// A public route's caller, when it needs to know (signing out).
impl<S: Send + Sync> FromRequestParts<S> for Identity {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Identity>()
            .cloned()
            .unwrap_or(Identity::Anonymous))
    }
}

/// What the page layout shows about the caller (the header's name and
/// links), set for the length of each request.
#[derive(Debug, Clone, Default)]
pub struct Current {
    pub name: Option<String>,
    pub role: Option<Role>,
    /// Signed in with a session (not an API token): there is one to end.
    pub session: bool,
}

tokio::task_local! {
    static CURRENT: Current;
}

/// The caller of the request being handled, for the page layout (empty
/// outside a request).
pub fn current() -> Current {
    CURRENT.try_with(Clone::clone).unwrap_or_default()
}

/// Middleware over every route: find the caller and keep it in the
/// request's extensions (and [`current`] for the layout).
pub async fn identify(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let identity = match find(&state, req.headers()).await {
        Ok(identity) => identity,
        Err(res) => return *res,
    };
    let current = Current {
        name: identity.caller().map(|c| c.account.name.clone()),
        role: identity.role(),
        session: identity.session().is_some(),
    };
    req.extensions_mut().insert(identity);
    CURRENT.scope(current, next.run(req)).await
}

async fn find(state: &AppState, headers: &HeaderMap) -> Result<Identity, Box<Response>> {
    let now = now_ms();
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        let token = auth
            .to_str()
            .ok()
            .and_then(|v| {
                let (scheme, rest) = v.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
            })
            .filter(|t| !t.is_empty() && t.len() <= 200)
            .map(str::to_string);
        let Some(token) = token else {
            return Err(Box::new(unauthorised(
                "send the API token as Authorization: Bearer <token>",
            )));
        };
        let digest = secret::digest(&token);
        // Known from a moment ago: answered here, without a turn on the
        // store's threads (a second wait in their queue for every request).
        let known = state.store.known_token_caller(&digest, now);
        let found = match known {
            Some(caller) => Some(caller),
            None => state
                .run(move |s| s.token_caller(&digest, now))
                .await
                .map_err(|e| Box::new(e.into_response()))?,
        };
        return match found {
            Some(caller) => Ok(Identity::Caller {
                caller: Arc::new(caller),
                session: None,
            }),
            None => Err(Box::new(unauthorised(
                "the API token is not valid: it is mistyped, revoked, or its account is disabled",
            ))),
        };
    }
    let Some(id) = cookie(headers, SESSION_COOKIE)
        .filter(|v| is_session_id(v))
        .map(str::to_string)
    else {
        return Ok(Identity::Anonymous);
    };
    let digest = secret::digest(&id);
    let policy = state.access.session;
    let found = match state.store.known_session_caller(&digest, now, policy) {
        Some(caller) => Ok(Some(caller)),
        None => {
            state
                .run(move |s| s.session_caller(&digest, now, policy))
                .await
        }
    };
    match found {
        Ok(Some(caller)) => Ok(Identity::Caller {
            caller: Arc::new(caller),
            session: Some(id.into()),
        }),
        Ok(None) => Ok(Identity::Anonymous),
        Err(e) => Err(Box::new(e.into_response())),
    }
}

fn unauthorised(detail: &str) -> Response {
    let mut res = ApiError::Unauthorized(detail.to_string()).into_response();
    res.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"waymark\""),
    );
    res
}

/// The value of one cookie in the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Whether a cookie's value looks like an id Waymark made (64 hex digits).
pub(crate) fn is_session_id(v: &str) -> bool {
    v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Add a `Set-Cookie` header (a value that is not a header value is left out).
pub(crate) fn set_cookie(res: &mut Response, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// The session cookie to set (`id`), or to clear (`None`).
pub fn session_cookie(id: Option<&str>, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    match id {
        Some(id) => format!("{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax{secure}"),
        None => format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}"),
    }
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A permission a route needs: one action of `waymark_core::access`.
pub trait Permission: Send + Sync + 'static {
    const ACTION: Action;
}

macro_rules! permissions {
    ($($(#[$doc:meta])* $name:ident => $action:ident,)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;
        impl Permission for $name {
            const ACTION: Action = Action::$action;
        }
    )*};
}

permissions! {
    /// Read the plan (anonymous visitors too when `WAYMARK_ANONYMOUS_READ` is on).
    Read => Read,
    /// Change a work package: a contributor gets past the route to edit
    /// the packages they own, and the store decides on the package itself.
    EditWorkPackage => EditWorkPackage,
    /// Add, change and delete progress notes: a contributor gets past the
    /// route, and the store decides on the note's package.
    AddProgressNote => AddProgressNote,
    /// Change anything else in a plan.
    EditPlan => EditPlan,
    Import => Import,
    /// One's own account and tokens.
    OwnAccount => OwnAccount,
    ViewAudit => ViewAudit,
    ManageUsers => ManageUsers,
    ManageTokens => ManageTokens,
    /// Take baselines (the governance issue's approvals).
    Approve => Approve,
}

/// The caller, allowed to do `P`. Every handler takes one: it is how a
/// handler gets the [`Actor`] it writes with (`Can { by, .. }: Can<EditPlan>`).
#[derive(Debug, Clone)]
pub struct Can<P: Permission> {
    /// Who the store records as making the change.
    pub by: Actor,
    pub identity: Identity,
    permission: PhantomData<P>,
}

impl<P: Permission> Can<P> {
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// Whether this caller may change a work package whose owner text is
    /// `owner` (a contributor only their own): for showing an edit link or
    /// form the store would refuse.
    pub fn may_edit_package(&self, owner: &str, anonymous_read: bool) -> bool {
        self.identity
            .decide(Action::EditWorkPackage, anonymous_read, Some(owner))
            == Decision::Allow
    }

    /// Whether this caller may add a progress note to a package whose
    /// owner text is `owner`: for showing the form the store would refuse.
    pub fn may_add_note(&self, owner: &str, anonymous_read: bool) -> bool {
        self.identity
            .decide(Action::AddProgressNote, anonymous_read, Some(owner))
            == Decision::Allow
    }
}

/// Why a request was refused, answered in the API's or the pages' way.
#[derive(Debug)]
pub struct Refused {
    api: bool,
    decision: Decision,
    /// The path and query, to come back to after signing in.
    back: String,
    /// Signed in with a one-off password that must be replaced first: the
    /// page is the password page.
    must_change_password: bool,
}

/// The page where a person signed in with a one-off password chooses their own.
pub const PASSWORD_PAGE: &str = "/account/password";

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        if self.must_change_password {
            let mut res = Redirect::to(PASSWORD_PAGE).into_response();
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            return res;
        }
        match (self.api, self.decision) {
            (true, Decision::SignInRequired) => {
                unauthorised("sign in first: send an API token as Authorization: Bearer <token>")
            }
            (true, Decision::Forbidden(why)) => {
                ApiError::Forbidden(why.to_string()).into_response()
            }
            (false, Decision::SignInRequired) => sign_in_redirect(&self.back),
            (false, Decision::Forbidden(why)) => {
                HtmlError::NotAllowed(why.to_string()).into_response()
            }
            (_, Decision::Allow) => {
                ApiError::Internal("refused an allowed request".into()).into_response()
            }
        }
    }
}

/// To the sign-in page, coming back to `back` afterwards.
pub fn sign_in_redirect(back: &str) -> Response {
    let next = waymark_core::sso::ReturnTo::default();
    let back = back.parse::<waymark_core::sso::ReturnTo>().unwrap_or(next);
    let to = if back.as_str() == "/" {
        "/sign-in".to_string()
    } else {
        format!("/sign-in?next={}", crate::pages::encode(back.as_str()))
    };
    let mut res = Redirect::to(&to).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Whether a path is the API's.
pub fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

impl<P: Permission> FromRequestParts<AppState> for Can<P> {
    type Rejection = Refused;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let identity = parts
            .extensions
            .get::<Identity>()
            .cloned()
            .unwrap_or(Identity::Anonymous);
        let api = is_api(parts.uri.path());
        // A person who signed in (a browser session) with a one-off password
        // chooses their own before any other page. Scripts (the API, tokens)
        // are not sent anywhere.
        let must_change = !api
            && identity.session().is_some()
            && identity
                .caller()
                .is_some_and(|c| c.account.must_change_password)
            && parts.uri.path() != PASSWORD_PAGE;
        if must_change {
            return Err(Refused {
                api,
                decision: Decision::SignInRequired,
                back: String::new(),
                must_change_password: true,
            });
        }
        // A contributor passes a package route; the store (and the page)
        // decide on the package itself.
        let decision = match identity.decide(P::ACTION, state.access.anonymous_read, None) {
            Decision::Forbidden(access::Refusal::NotOwner) => Decision::Allow,
            other => other,
        };
        match decision {
            Decision::Allow => Ok(Can {
                by: identity.actor(),
                identity,
                permission: PhantomData,
            }),
            refused => Err(Refused {
                api,
                decision: refused,
                back: parts
                    .uri
                    .path_and_query()
                    .map_or("/", |p| p.as_str())
                    .to_string(),
                must_change_password: false,
            }),
        }
    }
}

/// The status a refusal answers with, for tests and logs.
pub fn status_of(decision: Decision) -> StatusCode {
    match decision {
        Decision::Allow => StatusCode::OK,
        Decision::SignInRequired => StatusCode::UNAUTHORIZED,
        Decision::Forbidden(_) => StatusCode::FORBIDDEN,
    }
}
