use std::sync::Arc;

use waymark_store::PlanStore;

use crate::error::ApiError;
use crate::oidc::Oidc;

/// What every handler shares: the store, and single sign-on when it is
/// configured.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn PlanStore>,
    pub oidc: Option<Arc<Oidc>>,
}

impl AppState {
    pub fn new(store: Arc<dyn PlanStore>) -> Self {
        AppState { store, oidc: None }
    }

    /// With single sign-on (`/auth/oidc/…`).
    pub fn with_oidc(mut self, oidc: Oidc) -> Self {
        self.oidc = Some(Arc::new(oidc));
        self
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
