//! The audit trail's rules: what an entry holds, its canonical bytes, the
//! hash chain over them, and checking a chain. No IO and no clock: the store
//! gives the time and keeps the entries; this module says what they must be.
//!
//! # The chain
//!
//! Entries are numbered 1, 2, 3, … with no gaps. Each entry's hash is
//!
//! ```text
//! hash(n) = SHA-256( hash(n-1) ‖ canonical(entry n) )      hash(0) = 32 zero bytes
//! ```
//!
//! over the raw 32 bytes of the previous hash, and is kept as 64 lower-case
//! hexadecimal digits. [`canonical`] is a row of netstrings (`len:bytes,`),
//! spelled out in `docs/access.md` precisely enough to check a chain with
//! another tool.
//!
//! [`verify`] recomputes every hash and names the first entry that is
//! missing, out of place or does not match. Alone it cannot see the newest
//! entries removed, or the whole log rewritten from some entry on with fresh
//! hashes: a head recorded elsewhere (the minutes) can, with [`verify_to`].

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

use crate::model::ParseValueError;

/// A name in the audit's vocabulary: an entity kind (`work_package`), an
/// action (`update`) or a field (`actual_delivery`). Lower-case ASCII
/// letters, digits and `_`, starting with a letter, at most 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key(String);

impl Key {
    pub const MAX_CHARS: usize = 64;

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Key {
    type Err = ParseValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = s.len() <= Key::MAX_CHARS
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if ok {
            Ok(Key(s.to_string()))
        } else {
            Err(ParseValueError::new(
                "audit name",
                s,
                "lower-case letters, digits and _, starting with a letter, at most 64",
            ))
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What kind of actor made a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActorKind {
    /// A signed-in person (a page or the API with a session).
    User,
    /// An API token, acting with its account's role.
    Token,
    /// The command line, as the operating-system user who ran it.
    Cli,
    /// Waymark itself (a migration, the demo's first start).
    System,
    /// A web visitor who has not signed in (while a deployment lets them write).
    Anonymous,
}

impl ActorKind {
    pub const ALL: [ActorKind; 5] = [
        ActorKind::User,
        ActorKind::Token,
        ActorKind::Cli,
        ActorKind::System,
        ActorKind::Anonymous,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::User => "user",
            ActorKind::Token => "token",
            ActorKind::Cli => "cli",
            ActorKind::System => "system",
            ActorKind::Anonymous => "anonymous",
        }
    }
}

impl FromStr for ActorKind {
    type Err = ParseValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ActorKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                ParseValueError::new("actor kind", s, "user, token, cli, system or anonymous")
            })
    }
}

impl fmt::Display for ActorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who made a change. `id` is what identifies them for good (an account's
/// id, a token's id, the operating-system user name); `display` is how they
/// were shown at the time (a name can change later; the entry keeps it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Actor {
    pub kind: ActorKind,
    pub id: String,
    pub display: String,
}

/// What was changed: a kind of record and its id (as text: a number, or a
/// code such as an influence's `3.1.1`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Entity {
    pub kind: Key,
    pub id: String,
}

/// One field's value before and after, as text (`None`: the field was not
/// there, as before a record is created or after it is deleted; an empty
/// text is a value).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldChange {
    pub field: Key,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The fields one change touched, in the order of their names, each once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Changes(Vec<FieldChange>);

impl Changes {
    /// Puts the changes in order; a field named twice is an error.
    pub fn new(mut changes: Vec<FieldChange>) -> Result<Changes, AuditError> {
        changes.sort_by(|a, b| a.field.cmp(&b.field));
        if let Some(pair) = changes.windows(2).find(|w| w[0].field == w[1].field) {
            return Err(AuditError::FieldTwice(pair[0].field.clone()));
        }
        Ok(Changes(changes))
    }

    pub fn as_slice(&self) -> &[FieldChange] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A record's fields as text, as the store sees them before and after a change.
pub type Snapshot = BTreeMap<Key, String>;

/// The fields whose text differs between two snapshots of one record: for a
/// new record `before` is empty, for a deleted one `after` is.
pub fn field_changes(before: &Snapshot, after: &Snapshot) -> Changes {
    let mut fields: Vec<&Key> = before.keys().chain(after.keys()).collect();
    fields.sort();
    fields.dedup();
    Changes(
        fields
            .into_iter()
            .filter(|f| before.get(*f) != after.get(*f))
            .map(|f| FieldChange {
                field: f.clone(),
                before: before.get(f).cloned(),
                after: after.get(f).cloned(),
            })
            .collect(),
    )
}

/// What happened: when, who, to what, what they did, and which fields changed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Event {
    /// Milliseconds since 1970-01-01T00:00:00Z (Unix time, UTC).
    pub at_ms: i64,
    pub actor: Actor,
    pub entity: Entity,
    /// `create`, `update`, `delete`, `import`, `merge`, …
    pub action: Key,
    pub changes: Changes,
}

impl Event {
    /// The time as RFC 3339 in UTC with milliseconds
    /// (`2026-11-25T21:40:00.000Z`); `None` outside the years 1 to 9999.
    pub fn time_rfc3339(&self) -> Option<String> {
        let format = time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        );
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.at_ms) * 1_000_000)
            .ok()?
            .format(&format)
            .ok()
    }
}

/// An event at its place in the log.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Entry {
    /// 1 for the first entry, then one more each time.
    pub sequence: u64,
    pub event: Event,
}

/// An entry as the store keeps it, with the hash written beside it (as
/// stored: whatever the text, [`verify`] compares it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    pub entry: Entry,
    pub hash: String,
}

impl StoredEntry {
    /// The log's head once this entry is the newest; an error when the
    /// stored hash is not 64 hex digits.
    pub fn head(&self) -> Result<Head, ParseValueError> {
        Ok(Head {
            sequence: self.entry.sequence,
            hash: self.hash.parse()?,
        })
    }
}

/// A SHA-256 hash in the chain; shown and stored as 64 lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChainHash([u8; 32]);

impl ChainHash {
    /// What the first entry chains from.
    pub const ZERO: ChainHash = ChainHash([0; 32]);

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub fn to_hex(&self) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(64);
        for b in self.0 {
            out.push(char::from(DIGITS[usize::from(b >> 4)]));
            out.push(char::from(DIGITS[usize::from(b & 0xf)]));
        }
        out
    }
}

impl FromStr for ChainHash {
    type Err = ParseValueError;

    /// 64 hex digits, in either case (as someone may copy it from minutes).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let error = || ParseValueError::new("hash", s, "64 hexadecimal digits");
        let text = s.trim();
        if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(error());
        }
        let digit = |b: u8| match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            _ => b - b'A' + 10,
        };
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
            *byte = (digit(pair[0]) << 4) | digit(pair[1]);
        }
        Ok(ChainHash(bytes))
    }
}

impl fmt::Display for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChainHash({self})")
    }
}

/// The newest entry's number and hash: 0 and [`ChainHash::ZERO`] for an
/// empty log. What `waymark audit head` prints and a new entry chains from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Head {
    pub sequence: u64,
    pub hash: ChainHash,
}

impl Head {
    pub const EMPTY: Head = Head {
        sequence: 0,
        hash: ChainHash::ZERO,
    };

    /// The next entry: `event` numbered and hashed after this head. The
    /// store reads its head, appends and writes the entry in the same
    /// transaction as the change it records.
    pub fn append(&self, event: Event) -> Result<StoredEntry, AuditError> {
        let sequence = self.sequence.checked_add(1).ok_or(AuditError::Full)?;
        let entry = Entry { sequence, event };
        let hash = chain_hash(&self.hash, &entry);
        Ok(StoredEntry {
            entry,
            hash: hash.to_hex(),
        })
    }
}

/// What cannot become an audit entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    #[error("the field {0} is named twice in one change")]
    FieldTwice(Key),
    #[error("the audit log has no room for another entry")]
    Full,
}

/// The first thing wrong with a chain, naming the entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// An entry is gone: the next one has a later number.
    #[error("entry {sequence} is missing: entry {next} comes after entry {}", .sequence.saturating_sub(1))]
    Missing { sequence: u64, next: u64 },
    /// An entry's number is one already passed.
    #[error("entry {found} is out of place: entry {expected} should come next")]
    OutOfPlace { expected: u64, found: u64 },
    /// An entry's content, or its hash, or an entry before it, was changed.
    #[error("entry {sequence} does not match its hash: it (or its hash) was changed")]
    Altered { sequence: u64 },
    /// The recorded head is not in the log.
    #[error(
        "no entry has the hash {head}: entries after entry {last} were removed, or the log was rewritten"
    )]
    HeadMissing { head: ChainHash, last: u64 },
}

/// An entry's canonical bytes: what its hash covers. A row of netstrings
/// (`ns(b)` = the length of `b` in bytes as ASCII decimal, `:`, `b`, `,`):
///
/// ```text
/// ns("waymark-audit-1") ns(sequence) ns(at_ms)
/// ns(actor kind) ns(actor id) ns(actor display)
/// ns(entity kind) ns(entity id) ns(action)
/// ns(number of changes)
/// then for each change, by field name: ns(field) value(before) value(after)
/// ```
///
/// Numbers are ASCII decimal without leading zeros (`-` before a negative
/// time); text is its UTF-8 bytes as given; `value(None)` is `ns("-")` and
/// `value(Some(v))` is `ns("=" + v)`, so an empty text and a missing value
/// differ.
pub fn canonical(entry: &Entry) -> Vec<u8> {
    fn ns(out: &mut Vec<u8>, bytes: &[u8]) {
        out.extend_from_slice(bytes.len().to_string().as_bytes());
        out.push(b':');
        out.extend_from_slice(bytes);
        out.push(b',');
    }
    fn value(out: &mut Vec<u8>, v: Option<&str>) {
        match v {
            None => ns(out, b"-"),
            Some(v) => {
                let mut tagged = Vec::with_capacity(v.len() + 1);
                tagged.push(b'=');
                tagged.extend_from_slice(v.as_bytes());
                ns(out, &tagged);
            }
        }
    }
    let e = &entry.event;
    let mut out = Vec::with_capacity(256);
    ns(&mut out, b"waymark-audit-1");
    ns(&mut out, entry.sequence.to_string().as_bytes());
    ns(&mut out, e.at_ms.to_string().as_bytes());
    ns(&mut out, e.actor.kind.as_str().as_bytes());
    ns(&mut out, e.actor.id.as_bytes());
    ns(&mut out, e.actor.display.as_bytes());
    ns(&mut out, e.entity.kind.as_str().as_bytes());
    ns(&mut out, e.entity.id.as_bytes());
    ns(&mut out, e.action.as_str().as_bytes());
    ns(&mut out, e.changes.0.len().to_string().as_bytes());
    for change in &e.changes.0 {
        ns(&mut out, change.field.as_str().as_bytes());
        value(&mut out, change.before.as_deref());
        value(&mut out, change.after.as_deref());
    }
    out
}

/// `SHA-256(previous ‖ canonical(entry))`.
pub fn chain_hash(previous: &ChainHash, entry: &Entry) -> ChainHash {
    let mut hasher = Sha256::new();
    hasher.update(previous.0);
    hasher.update(canonical(entry));
    let mut hash = [0u8; 32];
    hash.copy_from_slice(hasher.finalize().as_slice());
    ChainHash(hash)
}

/// Checks a chain one entry at a time, in the order of their numbers, so
/// the store can feed it rows as it reads them.
#[derive(Debug, Clone)]
pub struct Verifier {
    head: Head,
    recorded: Option<ChainHash>,
    seen_recorded: bool,
}

impl Verifier {
    /// Checks the chain itself.
    pub fn new() -> Verifier {
        Verifier {
            head: Head::EMPTY,
            recorded: None,
            seen_recorded: false,
        }
    }

    /// Checks the chain, and that some entry has the `recorded` hash.
    pub fn recorded(recorded: ChainHash) -> Verifier {
        Verifier {
            recorded: Some(recorded),
            ..Verifier::new()
        }
    }

    /// Takes the next entry; the first error names the first bad entry.
    pub fn push(&mut self, stored: &StoredEntry) -> Result<(), ChainError> {
        let found = stored.entry.sequence;
        // Nothing can follow the last number there is: after it, every entry
        // is out of place (below).
        let expected = self.head.sequence.saturating_add(1);
        if found > expected {
            return Err(ChainError::Missing {
                sequence: expected,
                next: found,
            });
        }
        if found < expected || self.head.sequence == u64::MAX {
            return Err(ChainError::OutOfPlace { expected, found });
        }
        let hash = chain_hash(&self.head.hash, &stored.entry);
        if stored.hash != hash.to_hex() {
            return Err(ChainError::Altered { sequence: found });
        }
        self.head = Head {
            sequence: found,
            hash,
        };
        if self.recorded == Some(hash) {
            self.seen_recorded = true;
        }
        Ok(())
    }

    /// The head of a good chain.
    pub fn finish(self) -> Result<Head, ChainError> {
        match self.recorded {
            Some(head) if !self.seen_recorded => Err(ChainError::HeadMissing {
                head,
                last: self.head.sequence,
            }),
            _ => Ok(self.head),
        }
    }
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier::new()
    }
}

/// Checks a whole chain, given in the order of the entries' numbers.
pub fn verify(entries: impl IntoIterator<Item = StoredEntry>) -> Result<Head, ChainError> {
    run(Verifier::new(), entries)
}

/// [`verify`], and also that the log still holds the entry whose hash was
/// recorded elsewhere: catches the newest entries removed, and a log
/// rewritten with fresh hashes.
pub fn verify_to(
    entries: impl IntoIterator<Item = StoredEntry>,
    recorded: ChainHash,
) -> Result<Head, ChainError> {
    run(Verifier::recorded(recorded), entries)
}

fn run(
    mut verifier: Verifier,
    entries: impl IntoIterator<Item = StoredEntry>,
) -> Result<Head, ChainError> {
    for stored in entries {
        verifier.push(&stored)?;
    }
    verifier.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    fn snapshot(fields: &[(&str, &str)]) -> Snapshot {
        fields
            .iter()
            .map(|(k, v)| (key(k), v.to_string()))
            .collect()
    }

    fn change(field: &str, before: Option<&str>, after: Option<&str>) -> FieldChange {
        FieldChange {
            field: key(field),
            before: before.map(str::to_string),
            after: after.map(str::to_string),
        }
    }

    #[test]
    fn keys_are_lower_case_names() {
        for good in ["a", "work_package", "q4_2006", &"x".repeat(64)] {
            assert!(good.parse::<Key>().is_ok(), "{good}");
        }
        for bad in [
            "",
            "_a",
            "1a",
            "Work",
            "work-package",
            "a b",
            &"x".repeat(65),
        ] {
            assert!(bad.parse::<Key>().is_err(), "{bad}");
        }
    }

    #[test]
    fn field_changes_are_the_fields_that_differ() {
        let before = snapshot(&[("owner", ""), ("status", "not_started"), ("title", "A")]);
        let after = snapshot(&[("rag", "red"), ("status", "in_progress"), ("title", "A")]);
        assert_eq!(
            field_changes(&before, &after).as_slice(),
            [
                change("owner", Some(""), None),
                change("rag", None, Some("red")),
                change("status", Some("not_started"), Some("in_progress")),
            ]
        );
        assert!(field_changes(&after, &after).is_empty());
        // A new record: every field, from nothing.
        assert_eq!(
            field_changes(&Snapshot::new(), &snapshot(&[("title", "A")])).as_slice(),
            [change("title", None, Some("A"))]
        );
    }

    #[test]
    fn changes_are_ordered_and_unique() {
        let changes = Changes::new(vec![change("b", None, None), change("a", None, None)]);
        assert_eq!(
            changes.map(|c| c
                .as_slice()
                .iter()
                .map(|c| c.field.to_string())
                .collect::<Vec<_>>()),
            Ok(vec!["a".to_string(), "b".to_string()])
        );
        assert_eq!(
            Changes::new(vec![change("a", None, None), change("a", Some("x"), None)]),
            Err(AuditError::FieldTwice(key("a")))
        );
    }

    #[test]
    fn hashes_read_in_either_case_and_show_in_lower() {
        let hex = "00ff10ab".repeat(8);
        let hash: ChainHash = hex.to_uppercase().parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(hash.to_hex(), hex);
        assert_eq!(hash.as_bytes()[1], 0xff);
        for bad in [
            "",
            "00",
            &"g".repeat(64),
            &"0".repeat(65),
            &"é".repeat(32),
            &"+1".repeat(32),
        ] {
            assert!(bad.parse::<ChainHash>().is_err(), "{bad}");
        }
    }

    #[test]
    fn times_show_as_rfc3339_utc() {
        let event = |at_ms| Event {
            at_ms,
            actor: Actor {
                kind: ActorKind::System,
                id: String::new(),
                display: String::new(),
            },
            entity: Entity {
                kind: key("plan"),
                id: "1".into(),
            },
            action: key("create"),
            changes: Changes::default(),
        };
        assert_eq!(
            event(0).time_rfc3339().as_deref(),
            Some("1970-01-01T00:00:00.000Z")
        );
        assert_eq!(
            event(1_795_642_800_123).time_rfc3339().as_deref(),
            Some("2026-11-25T21:40:00.123Z")
        );
        assert_eq!(event(i64::MAX).time_rfc3339(), None);
    }

    #[test]
    fn sha256_is_the_standard_one() {
        // FIPS 180-2's "abc" example, through the chain's own hex.
        let mut hash = [0u8; 32];
        hash.copy_from_slice(Sha256::digest(b"abc").as_slice());
        assert_eq!(
            ChainHash(hash).to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
