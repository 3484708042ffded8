//! The audit chain by fixture: `fixtures/audit/chain.json` (events) is
//! appended entry by entry; `chain.expected.txt` holds each entry's canonical
//! bytes and hash and the head, so the encoding cannot change unnoticed.
//! Then each way of tampering with the stored chain is detected and names the
//! right entry. Regenerate with `UPDATE_EXPECT=1 cargo test -p waymark-core
//! --test audit` and review the diff (a changed hash breaks every log kept so
//! far: it needs a new encoding version, not a new fixture).

mod common;

use common::{expect, fixtures, read};
use serde::Deserialize;
use waymark_core::audit::{
    Actor, ChainError, ChainHash, Changes, Entity, Event, FieldChange, Head, StoredEntry,
    canonical, verify, verify_to,
};

#[derive(Deserialize)]
struct FixtureEvent {
    at_ms: i64,
    actor: FixtureActor,
    entity: FixtureEntity,
    action: String,
    changes: Vec<FixtureChange>,
}

#[derive(Deserialize)]
struct FixtureActor {
    kind: String,
    id: String,
    display: String,
}

#[derive(Deserialize)]
struct FixtureEntity {
    kind: String,
    id: String,
}

#[derive(Deserialize)]
struct FixtureChange {
    field: String,
    before: Option<String>,
    after: Option<String>,
}

fn parsed<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Display,
{
    s.parse().unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

fn event(f: FixtureEvent) -> Event {
    let changes = f
        .changes
        .into_iter()
        .map(|c| FieldChange {
            field: parsed(&c.field),
            before: c.before,
            after: c.after,
        })
        .collect();
    Event {
        at_ms: f.at_ms,
        actor: Actor {
            kind: parsed(&f.actor.kind),
            id: f.actor.id,
            display: f.actor.display,
        },
        entity: Entity {
            kind: parsed(&f.entity.kind),
            id: f.entity.id,
        },
        action: parsed(&f.action),
        changes: Changes::new(changes).unwrap_or_else(|e| panic!("{e}")),
    }
}

/// The fixture's events, appended to an empty log.
fn chain() -> Vec<StoredEntry> {
    let text = read(&fixtures().join("audit/chain.json"));
    let events: Vec<FixtureEvent> =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("chain.json: {e}"));
    let mut head = Head::EMPTY;
    let mut out = Vec::new();
    for f in events {
        let stored = head.append(event(f)).unwrap_or_else(|e| panic!("{e}"));
        head = stored.head().unwrap_or_else(|e| panic!("{e}"));
        out.push(stored);
    }
    out
}

#[test]
fn the_encoding_and_hashes_of_a_known_chain() {
    let entries = chain();
    let mut report = String::new();
    for stored in &entries {
        let bytes = canonical(&stored.entry);
        let text = String::from_utf8(bytes).unwrap_or_else(|e| panic!("{e}"));
        report.push_str(&format!(
            "{}\n  {text:?}\n  {}\n",
            stored.entry.sequence, stored.hash
        ));
    }
    let head = verify(entries).unwrap_or_else(|e| panic!("{e}"));
    report.push_str(&format!("head {} {}\n", head.sequence, head.hash));
    expect(&fixtures().join("audit/chain.expected.txt"), &report);
}

#[test]
fn a_clean_chain_verifies_to_its_head_and_to_any_earlier_hash() {
    let entries = chain();
    let last = entries.last().map(|e| parsed::<ChainHash>(&e.hash));
    let second: ChainHash = parsed(&entries[1].hash);
    let head = verify(entries.clone()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((head.sequence, Some(head.hash)), (5, last));
    assert_eq!(verify_to(entries.clone(), head.hash), Ok(head));
    assert_eq!(verify_to(entries, second), Ok(head));
    assert_eq!(verify(Vec::new()), Ok(Head::EMPTY));
}

#[test]
fn an_edited_entry_is_named() {
    let mut entries = chain();
    entries[2].entry.event.actor.display = "Someone else".into();
    assert_eq!(verify(entries), Err(ChainError::Altered { sequence: 3 }));

    let mut entries = chain();
    entries[1].entry.event.at_ms += 1;
    assert_eq!(verify(entries), Err(ChainError::Altered { sequence: 2 }));
}

#[test]
fn an_edited_hash_is_named() {
    let mut entries = chain();
    let other = if entries[3].hash.starts_with('0') {
        "1"
    } else {
        "0"
    };
    entries[3].hash.replace_range(0..1, other);
    assert_eq!(verify(entries), Err(ChainError::Altered { sequence: 4 }));
}

#[test]
fn a_deleted_entry_is_named() {
    let mut entries = chain();
    entries.remove(2);
    assert_eq!(
        verify(entries),
        Err(ChainError::Missing {
            sequence: 3,
            next: 4
        })
    );
    // The oldest, too.
    let mut entries = chain();
    entries.remove(0);
    assert_eq!(
        verify(entries),
        Err(ChainError::Missing {
            sequence: 1,
            next: 2
        })
    );
}

#[test]
fn swapped_entries_are_named() {
    // The contents of entries 2 and 3 exchanged, their numbers kept.
    let mut entries = chain();
    let second = entries[1].entry.event.clone();
    entries[1].entry.event = entries[2].entry.event.clone();
    entries[2].entry.event = second;
    assert_eq!(verify(entries), Err(ChainError::Altered { sequence: 2 }));

    // The numbers of entries 2 and 3 exchanged, read in number order.
    let mut entries = chain();
    entries[1].entry.sequence = 3;
    entries[2].entry.sequence = 2;
    entries.swap(1, 2);
    assert_eq!(verify(entries), Err(ChainError::Altered { sequence: 2 }));

    // Two rows in the wrong order.
    let mut entries = chain();
    entries.swap(2, 3);
    assert_eq!(
        verify(entries),
        Err(ChainError::Missing {
            sequence: 3,
            next: 4
        })
    );
}

#[test]
fn a_repeated_entry_is_named() {
    let mut entries = chain();
    entries.insert(2, entries[1].clone());
    assert_eq!(
        verify(entries),
        Err(ChainError::OutOfPlace {
            expected: 3,
            found: 2
        })
    );
}

#[test]
fn a_truncated_log_is_caught_by_its_recorded_head() {
    let entries = chain();
    let recorded: ChainHash = parsed(&entries[4].hash);
    let mut truncated = entries.clone();
    truncated.truncate(3);
    // The chain alone cannot tell: what is left is a good chain.
    assert!(verify(truncated.clone()).is_ok());
    assert_eq!(
        verify_to(truncated, recorded),
        Err(ChainError::HeadMissing {
            head: recorded,
            last: 3
        })
    );
    assert_eq!(
        verify_to(Vec::new(), recorded),
        Err(ChainError::HeadMissing {
            head: recorded,
            last: 0
        })
    );
}

#[test]
fn a_rewritten_log_is_caught_by_its_recorded_head() {
    let entries = chain();
    let recorded: ChainHash = parsed(&entries[4].hash);
    // Entry 2 edited and every hash from it on computed afresh.
    let mut head = entries[0].head().unwrap_or_else(|e| panic!("{e}"));
    let mut rewritten = vec![entries[0].clone()];
    for (i, stored) in entries.into_iter().enumerate().skip(1) {
        let mut event = stored.entry.event;
        if i == 1 {
            event.actor.display = "Someone else".into();
        }
        let again = head.append(event).unwrap_or_else(|e| panic!("{e}"));
        head = again.head().unwrap_or_else(|e| panic!("{e}"));
        rewritten.push(again);
    }
    assert!(verify(rewritten.clone()).is_ok());
    assert_eq!(
        verify_to(rewritten, recorded),
        Err(ChainError::HeadMissing {
            head: recorded,
            last: 5
        })
    );
}

#[test]
fn errors_name_the_entry() {
    assert_eq!(
        ChainError::Missing {
            sequence: 3,
            next: 5
        }
        .to_string(),
        "entry 3 is missing: entry 5 comes after entry 2"
    );
    assert_eq!(
        ChainError::Altered { sequence: 4 }.to_string(),
        "entry 4 does not match its hash: it (or its hash) was changed"
    );
}
