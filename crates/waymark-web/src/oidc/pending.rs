//! Sign-ins waiting for the provider's answer, in server memory. The browser
//! holds only a random id (cookie [`COOKIE`]); the state, nonce and PKCE
//! verifier never leave the server. An entry is taken out at the first
//! callback that names it, and is gone after [`PENDING_TTL`] anyway. A
//! restart forgets them all: whoever was at the provider's page starts again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use openidconnect::{CsrfToken, Nonce, PkceCodeVerifier};
use waymark_core::sso::ReturnTo;

use super::{OidcClient, SsoError};

/// The cookie holding the pending sign-in's id (path `/auth/oidc`).
pub const COOKIE: &str = "waymark_sso";

/// How long someone may take at the provider's sign-in page.
pub const PENDING_TTL: Duration = Duration::from_secs(600);

/// Most sign-ins waiting at once; more are refused until some finish or
/// expire (each is a few hundred bytes: this bounds what a flood of
/// `/auth/oidc/login` requests can hold).
const MAX_PENDING: usize = 10_000;

pub struct Pending {
    created: Instant,
    state: CsrfToken,
    pub nonce: Nonce,
    pub verifier: PkceCodeVerifier,
    pub return_to: ReturnTo,
    /// The provider as discovered when the sign-in began.
    pub client: Arc<OidcClient>,
}

impl Pending {
    pub fn new(
        state: CsrfToken,
        nonce: Nonce,
        verifier: PkceCodeVerifier,
        return_to: ReturnTo,
        client: Arc<OidcClient>,
    ) -> Pending {
        Pending {
            created: Instant::now(),
            state,
            nonce,
            verifier,
            return_to,
            client,
        }
    }

    /// Whether the callback's `state` is the one this sign-in sent (compared
    /// in constant time).
    pub fn state_matches(&self, state: Option<&str>) -> bool {
        state.is_some_and(|s| constant_time_eq(s.as_bytes(), self.state.secret().as_bytes()))
    }

    fn expired(&self, now: Instant) -> bool {
        now.duration_since(self.created) >= PENDING_TTL
    }
}

#[derive(Default)]
pub struct PendingLogins {
    inner: Mutex<HashMap<String, Pending>>,
}

impl PendingLogins {
    /// Keeps a pending sign-in; its new random id.
    pub fn insert(&self, pending: Pending) -> Result<String, SsoError> {
        let id = new_id().ok_or_else(|| SsoError::Provider("no randomness for the id".into()))?;
        let mut map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if map.len() >= MAX_PENDING / 2 {
            map.retain(|_, p| !p.expired(now));
        }
        if map.len() >= MAX_PENDING {
            return Err(SsoError::Busy);
        }
        map.insert(id.clone(), pending);
        Ok(id)
    }

    /// Takes a pending sign-in out, unless it has expired (then it is gone
    /// too).
    pub fn take(&self, id: &str) -> Option<Pending> {
        let mut map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(id).filter(|p| !p.expired(Instant::now()))
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner.lock().map(|m| m.len()).unwrap_or(0)
    }
}

/// 32 random bytes from the operating system, as hex.
fn new_id() -> Option<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether a cookie value can be a pending id (64 hex digits).
pub fn is_id(v: &str) -> bool {
    v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_random_hex() {
        let (a, b) = (new_id(), new_id());
        assert!(a.as_deref().is_some_and(is_id));
        assert_ne!(a, b);
        assert!(!is_id("abc"));
        assert!(!is_id(&"g".repeat(64)));
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }

    #[test]
    fn an_empty_store_takes_nothing() {
        let store = PendingLogins::default();
        assert!(store.take("00").is_none());
        assert_eq!(store.len(), 0);
    }
}
