use std::sync::{Arc, Mutex, PoisonError};

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
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn PlanStore>,
    pub oidc: Option<Arc<Oidc>>,
    pub access: AccessSettings,
    pub(crate) csrf_key: CsrfKey,
    pub(crate) failures: Arc<Mutex<SignInFailures>>,
    /// Uploaded files between an import's preview and its confirmation.
    pub(crate) import_drafts: Arc<crate::pages::ImportDrafts>,
}

impl AppState {
    /// With the default [`AccessSettings`]. The form key is the store's
    /// (`server_secret`), so a form outlives a restart.
    pub fn new(store: Arc<dyn PlanStore>) -> Self {
        let csrf_key = CsrfKey::from_store(store.as_ref());
        AppState {
            store,
            oidc: None,
            access: AccessSettings::default(),
            csrf_key,
            failures: Arc::new(Mutex::new(SignInFailures {
                by_account: Failures::new(ThrottlePolicy::ACCOUNT),
                by_address: Failures::new(ThrottlePolicy::ADDRESS),
            })),
            import_drafts: Arc::default(),
        }
    }

    pub fn with_access(mut self, access: AccessSettings) -> Self {
        self.access = access;
        self
    }

    /// With single sign-on (`/auth/oidc/…`).
    pub fn with_oidc(mut self, oidc: Oidc) -> Self {
        self.oidc = Some(Arc::new(oidc));
        self
    }

    /// The sign-in throttle.
    pub(crate) fn failures(&self) -> std::sync::MutexGuard<'_, SignInFailures> {
        self.failures.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Run blocking store work off the async worker threads.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
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
