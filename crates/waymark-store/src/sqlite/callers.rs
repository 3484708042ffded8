//! Who a token or a session is, kept for a moment: every request asks, and
//! a database read for each would take a pooled connection from the request's
//! own read. An entry is used for at most [`FRESH`]; any change to an account
//! or a token, and any session begun or ended, in this process empties the
//! whole cache at once. Another process's change (the command line disabling
//! an account) is seen by reads within [`FRESH`]; writes never rely on this:
//! each checks its actor again inside its own transaction.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::Caller;

/// How long an entry is used.
pub(super) const FRESH: Duration = Duration::from_secs(2);
/// Most entries kept (a flood of different tokens empties it, nothing worse).
const MAX_ENTRIES: usize = 10_000;

/// One lookup's answer, with the times its validity depends on.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub caller: Caller,
    /// A token's last use, or a session's last sighting, as stored.
    pub last_ms: i64,
    /// A session's start (`None` for a token).
    pub created_ms: Option<i64>,
    fetched: Instant,
}

impl Entry {
    pub(super) fn new(caller: Caller, last_ms: i64, created_ms: Option<i64>) -> Self {
        Entry {
            caller,
            last_ms,
            created_ms,
            fetched: Instant::now(),
        }
    }
}

#[derive(Debug, Default)]
pub(super) struct Callers {
    entries: Mutex<HashMap<String, Entry>>,
}

impl Callers {
    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A fresh entry for `key`, if there is one.
    pub(super) fn get(&self, key: &str) -> Option<Entry> {
        let entries = self.entries();
        entries
            .get(key)
            .filter(|e| e.fetched.elapsed() < FRESH)
            .cloned()
    }

    pub(super) fn put(&self, key: String, entry: Entry) {
        let mut entries = self.entries();
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, entry);
    }

    /// Forget every entry (an account, token or session changed).
    pub(super) fn clear(&self) {
        self.entries().clear();
    }
}
