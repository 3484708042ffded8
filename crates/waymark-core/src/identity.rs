//! Who someone is: an account's email address, the rule a password must
//! meet, and the throttle on failed sign-ins. No IO: the clock is passed in.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use crate::limits;
use crate::model::ParseValueError;

/// An email address as an account's name: trimmed and in lower case (so
/// `Jane.Smith@Council.gov.uk` and `jane.smith@council.gov.uk` are one
/// account). Built only by parsing: one `@` with text either side, a domain
/// with a dot or `localhost`, no space or control character, no longer than
/// [`limits::ACCOUNT_EMAIL`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Email {
    type Err = ParseValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const EXPECTED: &str = "an email address such as jane.smith@council.gov.uk";
        let bad = || ParseValueError::new("email address", s, EXPECTED);
        let text = s.trim();
        if limits::ACCOUNT_EMAIL.check(text).is_err()
            || text
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"'))
        {
            return Err(bad());
        }
        let (local, domain) = text.split_once('@').ok_or_else(bad)?;
        let domain_ok = !domain.is_empty()
            && !domain.contains('@')
            && !domain.starts_with(['.', '-'])
            && !domain.ends_with(['.', '-'])
            && !domain.contains("..")
            && (domain.contains('.') || domain.eq_ignore_ascii_case("localhost"));
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err(bad());
        }
        Ok(Email(text.to_lowercase()))
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether a new password is acceptable: [`limits::PASSWORD_MIN_CHARS`] to
/// [`limits::PASSWORD_MAX_CHARS`] characters, not all the same character.
/// Length, not composition rules (NCSC's and NIST SP 800-63B's advice). The
/// message never repeats the password.
pub fn check_password(password: &str) -> Result<(), String> {
    let chars = password
        .chars()
        .take(limits::PASSWORD_MAX_CHARS + 1)
        .count();
    if chars < limits::PASSWORD_MIN_CHARS {
        return Err(format!(
            "The password must be at least {} characters",
            limits::PASSWORD_MIN_CHARS
        ));
    }
    if chars > limits::PASSWORD_MAX_CHARS {
        return Err(format!(
            "The password must be {} characters or fewer",
            limits::thousands(limits::PASSWORD_MAX_CHARS as u64)
        ));
    }
    let mut it = password.chars();
    let first = it.next();
    if it.all(|c| Some(c) == first) {
        return Err("The password must not be one character repeated".to_string());
    }
    Ok(())
}

/// How failed sign-ins slow down the next attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures allowed for one key before each further attempt must wait.
    pub free: u32,
    /// The first wait; each further failure doubles it.
    pub first_wait_ms: i64,
    /// The longest wait.
    pub max_wait_ms: i64,
    /// A key is forgotten this long after its last failure.
    pub forget_after_ms: i64,
}

impl ThrottlePolicy {
    /// For one account (its email address): five tries, then 1 s, 2 s, 4 s …
    /// up to 15 minutes.
    pub const ACCOUNT: ThrottlePolicy = ThrottlePolicy {
        free: 5,
        first_wait_ms: 1_000,
        max_wait_ms: 15 * 60 * 1_000,
        forget_after_ms: 60 * 60 * 1_000,
    };
    /// For one network address: more room (a council's staff may share one
    /// address), the same curve after it.
    pub const ADDRESS: ThrottlePolicy = ThrottlePolicy {
        free: 50,
        ..ThrottlePolicy::ACCOUNT
    };

    /// The wait after `failures` failures.
    fn wait_ms(&self, failures: u32) -> i64 {
        if failures < self.free {
            return 0;
        }
        let doublings = (failures - self.free).min(40);
        self.first_wait_ms
            .saturating_mul(1_i64 << doublings)
            .min(self.max_wait_ms)
    }
}

#[derive(Debug, Clone, Copy)]
struct Record {
    failures: u32,
    last_ms: i64,
}

/// Failed sign-ins per key (an email address, or a network address), each
/// with its [`ThrottlePolicy`]. Bounded: past [`Failures::MAX_KEYS`] the
/// oldest records are forgotten first.
#[derive(Debug)]
pub struct Failures {
    policy: ThrottlePolicy,
    records: HashMap<String, Record>,
}

impl Failures {
    pub const MAX_KEYS: usize = 100_000;

    pub fn new(policy: ThrottlePolicy) -> Self {
        Failures {
            policy,
            records: HashMap::new(),
        }
    }

    /// How long `key` must still wait before its next attempt (0: it may try now).
    pub fn wait_ms(&self, key: &str, now_ms: i64) -> i64 {
        match self.records.get(key) {
            Some(r) if now_ms - r.last_ms < self.policy.forget_after_ms => {
                (r.last_ms + self.policy.wait_ms(r.failures) - now_ms).max(0)
            }
            _ => 0,
        }
    }

    /// A failed attempt for `key`; answers how many failures it now has.
    pub fn fail(&mut self, key: &str, now_ms: i64) -> u32 {
        let forget = self.policy.forget_after_ms;
        if self.records.len() >= Self::MAX_KEYS && !self.records.contains_key(key) {
            self.records.retain(|_, r| now_ms - r.last_ms < forget);
            if self.records.len() >= Self::MAX_KEYS
                && let Some(oldest) = self
                    .records
                    .iter()
                    .min_by_key(|(_, r)| r.last_ms)
                    .map(|(k, _)| k.clone())
            {
                self.records.remove(&oldest);
            }
        }
        let record = self.records.entry(key.to_string()).or_insert(Record {
            failures: 0,
            last_ms: now_ms,
        });
        if now_ms - record.last_ms >= forget {
            record.failures = 0;
        }
        record.failures = record.failures.saturating_add(1);
        record.last_ms = now_ms;
        record.failures
    }

    /// A successful sign-in: `key`'s failures are forgotten.
    pub fn succeed(&mut self, key: &str) {
        self.records.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(s: &str) -> Result<Email, ParseValueError> {
        s.parse()
    }

    #[test]
    fn email_addresses_are_read_in_lower_case_and_checked() {
        assert_eq!(
            email(" Jane.Smith@Council.GOV.uk ").map(|e| e.to_string()),
            Ok("jane.smith@council.gov.uk".to_string())
        );
        assert!(email("admin@localhost").is_ok());
        for bad in [
            "",
            "jane",
            "@council.gov.uk",
            "jane@",
            "jane@council",
            "jane@@council.gov.uk",
            "jane smith@council.gov.uk",
            "jane@.council.gov.uk",
            "jane@council..gov.uk",
            "<jane@council.gov.uk>",
            "jane@council.gov.uk\n",
        ] {
            let trimmed_ok = bad.trim() != bad && email(bad.trim()).is_ok();
            assert!(email(bad).is_err() || trimmed_ok, "{bad:?}");
        }
        assert!(email(&format!("{}@council.gov.uk", "a".repeat(65))).is_err());
        assert!(email(&format!("a@{}.uk", "b".repeat(260))).is_err());
    }

    #[test]
    fn passwords_are_judged_by_length() {
        assert!(check_password("correct horse battery").is_ok());
        assert!(check_password("short").is_err());
        assert!(check_password(&"a".repeat(20)).is_err());
        assert!(check_password(&"ab".repeat(600)).is_err());
        let message = check_password("hunter2").unwrap_err();
        assert!(!message.contains("hunter2"));
    }

    #[test]
    fn failures_past_the_free_ones_wait_longer_each_time() {
        let mut f = Failures::new(ThrottlePolicy::ACCOUNT);
        for i in 0..5 {
            assert_eq!(f.wait_ms("k", 1_000 * i), 0);
            f.fail("k", 1_000 * i);
        }
        // The fifth failure was at 4 s: the sixth try waits 1 s after it.
        assert_eq!(f.wait_ms("k", 4_000), 1_000);
        assert_eq!(f.wait_ms("k", 5_000), 0);
        f.fail("k", 5_000);
        assert_eq!(f.wait_ms("k", 5_000), 2_000);
        for _ in 0..30 {
            f.fail("k", 6_000);
        }
        assert_eq!(f.wait_ms("k", 6_000), 15 * 60 * 1_000);
        // Another key is not slowed.
        assert_eq!(f.wait_ms("other", 6_000), 0);
        // Forgotten an hour after the last failure, and after a success.
        assert_eq!(f.wait_ms("k", 6_000 + 60 * 60 * 1_000), 0);
        f.succeed("k");
        assert_eq!(f.wait_ms("k", 6_000), 0);
    }

    #[test]
    fn an_address_has_more_room_than_an_account() {
        let mut f = Failures::new(ThrottlePolicy::ADDRESS);
        for _ in 0..49 {
            f.fail("192.0.2.1", 0);
        }
        assert_eq!(f.wait_ms("192.0.2.1", 0), 0);
        f.fail("192.0.2.1", 0);
        assert_eq!(f.wait_ms("192.0.2.1", 0), 1_000);
    }
}
