use std::sync::Arc;

use waymark_store::PlanStore;

use crate::error::ApiError;

/// What every handler shares: the store.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn PlanStore>,
}

impl AppState {
    pub fn new(store: Arc<dyn PlanStore>) -> Self {
        AppState { store }
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
