//! Uploaded files waiting between the import preview and its confirmation,
//! in server memory. The browser holds only a random id (a hidden field of
//! the preview's form); the bytes never go back to it. A draft belongs to
//! the account that uploaded it (another account's id finds nothing), is
//! gone after [`DRAFT_TTL`], when confirmed or cancelled, or when the server
//! restarts; each account holds at most [`PER_ACCOUNT`] (the oldest goes)
//! and all of them together at most [`MAX_TOTAL_BYTES`] (more is refused
//! until some finish or expire).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use waymark_store::AccountId;

/// How long a preview stays open before its file must be uploaded again.
pub const DRAFT_TTL: Duration = Duration::from_secs(30 * 60);
/// Drafts one account may hold at once (two tabs, say).
pub const PER_ACCOUNT: usize = 3;
/// The bytes every draft together may hold: five uploads at the limit.
pub const MAX_TOTAL_BYTES: usize = 5 * super::import::UPLOAD_LIMIT;

/// One uploaded file.
#[derive(Debug, Clone)]
pub struct Draft {
    pub account: AccountId,
    created: Instant,
    /// The name the browser gave the file (format detection reads its extension).
    pub file_name: String,
    pub bytes: Arc<Vec<u8>>,
}

/// Why a draft could not be kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftError {
    /// Every draft together is at [`MAX_TOTAL_BYTES`].
    Full,
    /// The operating system gave no randomness for an id.
    NoRandomness,
}

#[derive(Default)]
pub struct Drafts {
    inner: Mutex<HashMap<String, Draft>>,
}

impl Drafts {
    /// Keep an upload for `account`; its new random id.
    pub fn insert(
        &self,
        account: AccountId,
        file_name: String,
        bytes: Vec<u8>,
    ) -> Result<String, DraftError> {
        let id = new_id().ok_or(DraftError::NoRandomness)?;
        let now = Instant::now();
        let mut map = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        map.retain(|_, d| now.duration_since(d.created) < DRAFT_TTL);
        // This account's oldest go first, down to one fewer than its share.
        let mut own: Vec<(Instant, String)> = map
            .iter()
            .filter(|(_, d)| d.account == account)
            .map(|(k, d)| (d.created, k.clone()))
            .collect();
        own.sort();
        while own.len() >= PER_ACCOUNT {
            let (_, oldest) = own.remove(0);
            map.remove(&oldest);
        }
        let held: usize = map.values().map(|d| d.bytes.len()).sum();
        if held.saturating_add(bytes.len()) > MAX_TOTAL_BYTES {
            return Err(DraftError::Full);
        }
        map.insert(
            id.clone(),
            Draft {
                account,
                created: now,
                file_name,
                bytes: Arc::new(bytes),
            },
        );
        Ok(id)
    }

    /// The draft `id` of `account`, while it has not expired.
    pub fn get(&self, id: &str, account: AccountId) -> Option<Draft> {
        let map = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(id)
            .filter(|d| d.account == account && d.created.elapsed() < DRAFT_TTL)
            .cloned()
    }

    /// Forget the draft `id` of `account` (confirmed or cancelled).
    pub fn remove(&self, id: &str, account: AccountId) {
        let mut map = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if map.get(id).is_some_and(|d| d.account == account) {
            map.remove(id);
        }
    }
}

fn new_id() -> Option<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_is_its_accounts_only_and_each_account_keeps_a_few() {
        let drafts = Drafts::default();
        let a = AccountId(1);
        let b = AccountId(2);
        let Ok(id) = drafts.insert(a, "plan.csv".into(), b"x".to_vec()) else {
            panic!("kept");
        };
        assert!(drafts.get(&id, a).is_some());
        assert!(drafts.get(&id, b).is_none());
        drafts.remove(&id, b);
        assert!(
            drafts.get(&id, a).is_some(),
            "another account cannot remove it"
        );
        let later: Vec<String> = (0..PER_ACCOUNT)
            .filter_map(|_| drafts.insert(a, "p.csv".into(), b"y".to_vec()).ok())
            .collect();
        assert!(drafts.get(&id, a).is_none(), "the oldest went");
        assert!(later.iter().all(|id| drafts.get(id, a).is_some()));
        drafts.remove(&later[0], a);
        assert!(drafts.get(&later[0], a).is_none());
    }

    #[test]
    fn all_drafts_together_are_bounded() {
        let drafts = Drafts::default();
        let big = vec![0u8; MAX_TOTAL_BYTES / 2 + 1];
        assert!(drafts.insert(AccountId(1), "a".into(), big.clone()).is_ok());
        assert_eq!(
            drafts.insert(AccountId(2), "b".into(), big),
            Err(DraftError::Full)
        );
    }
}
