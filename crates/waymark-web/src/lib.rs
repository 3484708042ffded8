//! Waymark's HTTP layer: server-rendered pages, the JSON API under `/api/v1`
//! and its OpenAPI document. Handlers parse input into domain values, call the
//! store on a blocking thread, and render plain view structs.

pub mod access;
pub mod api;
pub mod error;
pub mod form;
pub mod input;
pub mod oidc;
mod pages;
mod state;
pub mod uk_time;

use axum::Router;
use axum::handler::Handler;
use axum::http::{HeaderValue, header};
use axum::response::Response;

pub use state::{AccessSettings, AppState};

/// The whole application.
pub fn router(state: AppState) -> Router {
    all_routes(&state)
        .into_router()
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            access::identify,
        ))
        .layer(axum::middleware::from_fn(state::mark_writes))
        .with_state(state)
        .layer(axum::middleware::map_response(security_headers))
}

fn all_routes(state: &AppState) -> Routes {
    Routes::default()
        .get("/healthz", || async { "ok" })
        .merge(api::routes())
        .merge(pages::routes(state))
}

/// Every routed method and path (`GET /plans/{id}`), as the router has them,
/// for the access suite to check against the written route table. `ANY` is a
/// route that answers every method (the API's not-found).
pub fn route_list() -> Vec<(&'static str, &'static str)> {
    let store: std::sync::Arc<dyn waymark_store::PlanStore> = match waymark_store::open(":memory:")
    {
        Ok(store) => store,
        Err(_) => return Vec::new(),
    };
    all_routes(&AppState::new(store)).seen
}

/// A router that remembers what it routes: each route is added one method
/// at a time, so the list cannot differ from what is served.
#[derive(Default)]
pub(crate) struct Routes {
    router: Router<AppState>,
    seen: Vec<(&'static str, &'static str)>,
}

macro_rules! method {
    ($($name:ident => $method:literal,)*) => {$(
        pub(crate) fn $name<H, T>(mut self, path: &'static str, handler: H) -> Self
        where
            H: Handler<T, AppState>,
            T: 'static,
        {
            self.seen.push(($method, path));
            self.router = self.router.route(path, axum::routing::$name(handler));
            self
        }
    )*};
}

impl Routes {
    method! {
        get => "GET",
        post => "POST",
        patch => "PATCH",
        delete => "DELETE",
        any => "ANY",
    }

    pub(crate) fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.seen.extend(other.seen);
        self
    }

    /// Apply `f` (layers) to the routes so far.
    pub(crate) fn map(mut self, f: impl FnOnce(Router<AppState>) -> Router<AppState>) -> Self {
        self.router = f(self.router);
        self
    }

    pub(crate) fn into_router(self) -> Router<AppState> {
        self.router
    }
}

async fn security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    let set = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
        ),
    ];
    for (name, value) in set {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    }
    res
}

/// Serve until the process is asked to stop (Ctrl-C or SIGTERM).
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
