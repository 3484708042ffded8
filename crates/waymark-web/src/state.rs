use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use waymark_core::identity::{Failures, ThrottlePolicy};
use waymark_store::{PlanStore, SessionPolicy};

use crate::error::ApiError;
use crate::oidc::Oidc;
use crate::pages::CsrfKey;

/// Who may do what without signing in, and how sessions behave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessSettings {
    /// `WAYMARK_ANONYMOUS_READ`: visitors who are not signed in may read.
    pub anonymous_read: bool,
    pub session: SessionPolicy,
    /// Cookies carry `Secure` (`WAYMARK_PUBLIC_URL` is https).
    pub secure_cookies: bool,
}

impl Default for AccessSettings {
    /// Signed-in reading only; sessions end after 2 hours idle or 12 hours.
    fn default() -> Self {
        AccessSettings {
            anonymous_read: false,
            session: SessionPolicy {
                idle_ms: 2 * 60 * 60 * 1_000,
                max_ms: 12 * 60 * 60 * 1_000,
            },
            secure_cookies: false,
        }
    }
}

/// Failed sign-ins, by email address and by network address.
#[derive(Debug)]
pub struct SignInFailures {
    pub by_account: Failures,
    pub by_address: Failures,
}

/// What every handler shares: the store, the access settings, the form key,
/// the sign-in throttle, and single sign-on when it is configured.
///
/// One pointer ([`Shared`] behind an `Arc`): axum clones the state for every
/// extractor that asks for it, several times a request, and a clone of a
/// struct of `Arc`s costs an atomic count on each (9 % of the server's time
/// under the list load, measured with perf) where this costs one.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// What [`AppState`] points to (its fields read through it).
#[derive(Clone)]
pub struct Shared {
    pub store: Arc<dyn PlanStore>,
    pub oidc: Option<Arc<Oidc>>,
    pub access: AccessSettings,
    pub(crate) csrf_key: CsrfKey,
    pub(crate) failures: Arc<Mutex<SignInFailures>>,
    /// Uploaded files between an import's preview and its confirmation.
    pub(crate) import_drafts: Arc<crate::pages::ImportDrafts>,
    /// Where requests that may write do their store work.
    writer: Writer,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    /// With the default [`AccessSettings`]. The form key is the store's
    /// (`server_secret`), so a form outlives a restart.
    pub fn new(store: Arc<dyn PlanStore>) -> Self {
        let csrf_key = CsrfKey::from_store(store.as_ref());
        AppState(Arc::new(Shared {
            store,
            oidc: None,
            access: AccessSettings::default(),
            csrf_key,
            failures: Arc::new(Mutex::new(SignInFailures {
                by_account: Failures::new(ThrottlePolicy::ACCOUNT),
                by_address: Failures::new(ThrottlePolicy::ADDRESS),
            })),
            import_drafts: Arc::default(),
            writer: Writer::start(),
        }))
    }

    /// With these access settings (set while the state is being built; a
    /// clone made earlier keeps the settings it had).
    pub fn with_access(mut self, access: AccessSettings) -> Self {
        Arc::make_mut(&mut self.0).access = access;
        self
    }

    /// With single sign-on (`/auth/oidc/…`).
    pub fn with_oidc(mut self, oidc: Oidc) -> Self {
        Arc::make_mut(&mut self.0).oidc = Some(Arc::new(oidc));
        self
    }

    /// The sign-in throttle.
    pub(crate) fn failures(&self) -> std::sync::MutexGuard<'_, SignInFailures> {
        self.failures.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Run blocking store work off the async worker threads: a read's on
    /// the pool of store threads, the work of a request that may write
    /// ([`mark_writes`]) on the one writer thread ([`Writer`]), so reads
    /// never queue behind writes, nor writes behind reads.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn PlanStore) -> waymark_store::Result<T> + Send + 'static,
    {
        if WRITES.try_with(|w| *w).unwrap_or(false) {
            let store = self.store.clone();
            return self.writer.run(move || f(store.as_ref())).await;
        }
        self.run_read(f).await
    }

    /// Store work that only reads, on the readers' threads whatever the
    /// request's method: for a writing request's reads that take CPU (a
    /// sign-in's or a password change's argon2), which on the writer thread
    /// would hold every write up.
    pub async fn run_read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn PlanStore) -> waymark_store::Result<T> + Send + 'static,
    {
        let store = self.store.clone();
        match tokio::task::spawn_blocking(move || f(store.as_ref())).await {
            Ok(result) => result.map_err(ApiError::from),
            Err(e) => Err(ApiError::Internal(format!("store task failed: {e}"))),
        }
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// The thread that does the store work of requests that may write, one at
/// a time in the order they came: the store lets one writer in at a time
/// anyway, and a writer waiting for its turn on a pooled thread would hold a
/// reader's place. The thread ends when the last [`AppState`] is dropped.
#[derive(Clone)]
struct Writer {
    jobs: std::sync::mpsc::Sender<Job>,
}

impl Writer {
    fn start() -> Self {
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let spawned = std::thread::Builder::new()
            .name("waymark-writer".into())
            .spawn(move || {
                while let Ok(job) = queue.recv() {
                    // A panic fails its own request (its answer is dropped),
                    // not the thread.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                }
            });
        if let Err(e) = spawned {
            // No thread: every write answers an error naming the cause
            // (the jobs' receiver is gone with the closure).
            tracing::error!(error = %e, "cannot start the writer thread");
        }
        Writer { jobs }
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> waymark_store::Result<T> + Send + 'static,
    ) -> Result<T, ApiError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let _ = answer.send(f());
            }))
            .map_err(|_| ApiError::Internal("the writer thread is not running".into()))?;
        match answered.await {
            Ok(result) => result.map_err(ApiError::from),
            Err(_) => Err(ApiError::Internal(
                "store write failed (it panicked)".into(),
            )),
        }
    }
}

tokio::task_local! {
    /// Whether the request being handled may write.
    static WRITES: bool;
}

/// Middleware over every route: a request by any method but GET and HEAD
/// may write, and its store work goes to the writer thread ([`AppState::run`]).
pub async fn mark_writes(req: Request, next: Next) -> Response {
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD);
    WRITES.scope(writes, next.run(req)).await
}
