//! Counts and filter choices kept between requests.
//!
//! Every write transaction bumps `store_generation`; an entry is valid for the
//! generation it was made at. A write that changes only some packages (create,
//! update, delete one) does not empty the cache: inside its transaction it asks,
//! for each recently used package count, whether each touched package was
//! counted before the change and is counted after it, and moves the count by the
//! difference as it commits. So a write costs a few indexed lookups, and reads
//! keep their counts. Any other write, or a write by another process (the
//! generation moves without us), empties the cache.
//!
//! A count that is missing is computed by one request at a time; others asking
//! for the same count wait for its answer instead of computing it again.
//!
//! A write does not hold the cache while it commits (a commit writes the
//! log, and the writer thread may lose its core in the middle: every read
//! waited behind it). It marks the generation it is committing to
//! ([`Cache::committing`]), commits, then moves the counts. Reads at the old
//! generation go on using the cache meanwhile; only a read that already sees
//! the new generation waits, for the moment until the counts have caught up.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

use crate::{FilterOptions, Result};

/// Entries kept before the cache starts afresh (a bound on memory, not a policy).
const CACHE_LIMIT: usize = 4096;
/// Package counts a write keeps up to date; less recently used ones are dropped.
const KEPT_BY_WRITES: usize = 64;
/// How long a request waits for another's count before computing it itself.
const FLIGHT_WAIT: Duration = Duration::from_secs(5);
/// How long a read that sees a write's new generation waits for the cache to
/// catch up with it before counting for itself.
const CATCH_UP_WAIT: Duration = Duration::from_millis(200);

/// How to tell whether one package is among those a count counts:
/// `SELECT COUNT(*) FROM work_package wp WHERE wp.id = ? AND (…)`.
#[derive(Debug)]
pub(super) struct Probe {
    pub sql: String,
    pub args: Vec<Value>,
}

/// A count: exact, or (`lower_bound`) "at least this many".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Count {
    pub n: i64,
    pub lower_bound: bool,
}

#[derive(Default)]
struct Flight {
    answer: Mutex<Option<Option<Count>>>,
    done: Condvar,
}

impl Flight {
    fn finish(&self, answer: Option<Count>) {
        let mut slot = self.answer.lock().unwrap_or_else(|p| p.into_inner());
        *slot = Some(answer);
        self.done.notify_all();
    }

    fn wait(&self) -> Option<Count> {
        let slot = self.answer.lock().unwrap_or_else(|p| p.into_inner());
        let (slot, _) = self
            .done
            .wait_timeout_while(slot, FLIGHT_WAIT, |s| s.is_none())
            .unwrap_or_else(|p| p.into_inner());
        slot.flatten()
    }
}

enum Slot {
    Ready(Count),
    Computing(Arc<Flight>),
}

struct PackageCount {
    slot: Slot,
    /// `None`: not kept by writes (dropped at the next one).
    probe: Option<Arc<Probe>>,
    used: u64,
}

#[derive(Default)]
struct State {
    generation: i64,
    /// The generation a write is committing to, until its counts are moved.
    committing: Option<i64>,
    clock: u64,
    packages: HashMap<String, PackageCount>,
    others: HashMap<String, i64>,
    options: HashMap<i64, Arc<FilterOptions>>,
    /// Package ids a search (an FTS5 query) matches, until the next write.
    matches: HashMap<String, Arc<HashSet<i64>>>,
    /// The package counts as they were at the generation before this one,
    /// for reads whose snapshot began before the last package write
    /// committed: without them each such read counts afresh (a whole
    /// filter's rows), and under a steady flow of writes many reads do.
    previous: Option<Previous>,
}

struct Previous {
    generation: i64,
    counts: HashMap<String, Count>,
}

impl State {
    fn reset(&mut self, generation: i64) {
        *self = State {
            generation,
            committing: self.committing,
            ..State::default()
        };
    }
}

#[derive(Default)]
pub(super) struct Cache {
    state: Mutex<State>,
    /// Signalled when a write's commit is over and the cache is at its
    /// generation (or the commit failed).
    caught_up: Condvar,
}

/// What a package write found out inside its transaction.
pub(super) struct Deltas {
    /// The generation the transaction started from.
    pub from: i64,
    pub changes: Vec<(String, i64)>,
    /// Plans whose filter choices (registers, programme sizes) changed.
    pub options_changed: Vec<i64>,
}

pub(super) fn generation(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT generation FROM store_generation WHERE id = 1")?
        .query_row([], |r| r.get(0))?)
}

impl Cache {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The state if it is valid at `generation`; emptied first when the
    /// database has moved on without us; `None` when the caller reads an
    /// older snapshot than the cache holds (it computes without the cache).
    fn at(&self, generation: i64) -> Option<MutexGuard<'_, State>> {
        let mut state = self.lock();
        if state.committing == Some(generation) {
            // The write this snapshot sees is moving the counts: wait for it.
            let (waited, timeout) = self
                .caught_up
                .wait_timeout_while(state, CATCH_UP_WAIT, |s| s.committing == Some(generation))
                .unwrap_or_else(|p| p.into_inner());
            if timeout.timed_out() {
                return None;
            }
            state = waited;
        }
        if state.generation < generation {
            state.reset(generation);
        }
        (state.generation == generation).then_some(state)
    }

    /// A package count through the cache: `compute` runs at most once at a
    /// time per count and generation.
    pub fn package_count(
        &self,
        conn: &Connection,
        key: String,
        probe: Option<Probe>,
        compute: impl FnOnce(&Connection) -> Result<Count>,
    ) -> Result<Count> {
        let generation = generation(conn)?;
        let flight = {
            let Some(mut state) = self.at(generation) else {
                return match self.earlier(generation, &key) {
                    Some(count) => Ok(count),
                    None => compute(conn),
                };
            };
            state.clock += 1;
            let clock = state.clock;
            match state.packages.get_mut(&key) {
                Some(entry) => {
                    entry.used = clock;
                    match &entry.slot {
                        Slot::Ready(count) => return Ok(*count),
                        Slot::Computing(flight) => Err(flight.clone()),
                    }
                }
                None => {
                    if state.packages.len() >= CACHE_LIMIT {
                        state
                            .packages
                            .retain(|_, e| matches!(e.slot, Slot::Computing(_)));
                    }
                    let flight = Arc::new(Flight::default());
                    state.packages.insert(
                        key.clone(),
                        PackageCount {
                            slot: Slot::Computing(flight.clone()),
                            probe: probe.map(Arc::new),
                            used: clock,
                        },
                    );
                    Ok(flight)
                }
            }
        };
        match flight {
            // Another request is counting: wait for its answer.
            Err(theirs) => match theirs.wait() {
                Some(count) => Ok(count),
                None => compute(conn),
            },
            Ok(ours) => {
                let result = compute(conn);
                let answer = result.as_ref().ok().copied();
                if let Some(mut state) = self.at(generation)
                    && let Some(entry) = state.packages.get_mut(&key)
                    && matches!(&entry.slot, Slot::Computing(f) if Arc::ptr_eq(f, &ours))
                {
                    match answer {
                        Some(count) => entry.slot = Slot::Ready(count),
                        None => {
                            state.packages.remove(&key);
                        }
                    }
                }
                ours.finish(answer);
                result
            }
        }
    }

    /// A count as it was at `generation`, the one before the cache's, if
    /// it was known then.
    fn earlier(&self, generation: i64, key: &str) -> Option<Count> {
        let state = self.lock();
        let previous = state.previous.as_ref()?;
        (previous.generation == generation)
            .then(|| previous.counts.get(key).copied())
            .flatten()
    }

    /// Any other `SELECT COUNT(*)`, kept until the next write of any kind
    /// except a package write.
    pub fn other_count(&self, conn: &Connection, sql: &str, args: &[Value]) -> Result<i64> {
        let generation = generation(conn)?;
        let key = format!("{sql}\u{1f}{args:?}");
        if let Some(state) = self.at(generation)
            && let Some(n) = state.others.get(&key)
        {
            return Ok(*n);
        }
        let n: i64 = conn
            .prepare_cached(sql)?
            .query_row(params_from_iter(args), |r| r.get(0))?;
        if let Some(mut state) = self.at(generation) {
            if state.others.len() >= CACHE_LIMIT {
                state.others.clear();
            }
            state.others.insert(key, n);
        }
        Ok(n)
    }

    /// The packages an FTS5 query matches, read once per generation.
    pub fn matches(&self, conn: &Connection, fts: &str) -> Result<Arc<HashSet<i64>>> {
        let generation = generation(conn)?;
        if let Some(state) = self.at(generation)
            && let Some(set) = state.matches.get(fts)
        {
            return Ok(set.clone());
        }
        let set: HashSet<i64> = conn
            .prepare_cached(
                "SELECT rowid FROM work_package_search WHERE work_package_search MATCH ?",
            )?
            .query_map([fts], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let set = Arc::new(set);
        if let Some(mut state) = self.at(generation) {
            if state.matches.len() >= 32 {
                state.matches.clear();
            }
            state.matches.insert(fts.to_string(), set.clone());
        }
        Ok(set)
    }

    pub fn options(&self, generation: i64, plan: i64) -> Option<Arc<FilterOptions>> {
        self.at(generation)?.options.get(&plan).cloned()
    }

    pub fn keep_options(&self, generation: i64, plan: i64, options: Arc<FilterOptions>) {
        if let Some(mut state) = self.at(generation) {
            state.options.insert(plan, options);
        }
    }

    /// The counts a package write at `generation` keeps up to date, with how to
    /// probe each (the most recently used; the cache must be at `generation`).
    pub fn probes(&self, generation: i64) -> Vec<(String, Arc<Probe>)> {
        let state = self.lock();
        if state.generation != generation {
            return Vec::new();
        }
        let mut kept: Vec<(u64, String, Arc<Probe>)> = state
            .packages
            .iter()
            .filter_map(|(k, e)| match (&e.slot, &e.probe) {
                (Slot::Ready(_), Some(p)) => Some((e.used, k.clone(), p.clone())),
                _ => None,
            })
            .collect();
        kept.sort_by_key(|k| std::cmp::Reverse(k.0));
        kept.truncate(KEPT_BY_WRITES);
        kept.into_iter().map(|(_, k, p)| (k, p)).collect()
    }

    /// Mark a write's commit from generation `from`: hand the returned
    /// [`Committing`] the write's deltas once it has committed. Reads at
    /// `from` go on meanwhile; reads that see `from + 1` wait for it.
    pub fn committing(&self, from: i64) -> Committing<'_> {
        self.lock().committing = Some(from + 1);
        Committing { cache: self, from }
    }
}

/// A write's commit in progress (see [`Cache::committing`]). Dropped without
/// [`Committing::apply`] or [`Committing::reset`] (the commit failed), it
/// leaves the cache as it was.
pub(super) struct Committing<'a> {
    cache: &'a Cache,
    from: i64,
}

impl Committing<'_> {
    /// After any write: start afresh at the new generation.
    pub fn reset(self) {
        let mut state = self.cache.lock();
        state.reset(self.from + 1);
        state.committing = None;
    }

    /// After a package write: move the kept counts, drop the rest.
    pub fn apply(self, deltas: Deltas) {
        let mut state = self.cache.lock();
        apply(&mut state, deltas);
        state.committing = None;
    }
}

impl Drop for Committing<'_> {
    fn drop(&mut self) {
        let mut state = self.cache.lock();
        if state.committing == Some(self.from + 1) {
            state.committing = None;
        }
        drop(state);
        self.cache.caught_up.notify_all();
    }
}

/// Move the kept counts by a package write's deltas, drop the rest.
fn apply(state: &mut State, deltas: Deltas) {
    if state.generation != deltas.from {
        state.reset(deltas.from + 1);
        return;
    }
    let changes: HashMap<String, i64> = deltas.changes.into_iter().collect();
    // The kept counts (at most KEPT_BY_WRITES) as they were.
    let counts = changes
        .keys()
        .filter_map(|key| match state.packages.get(key)?.slot {
            Slot::Ready(count) => Some((key.clone(), count)),
            Slot::Computing(_) => None,
        })
        .collect();
    state.previous = Some(Previous {
        generation: deltas.from,
        counts,
    });
    state.generation = deltas.from + 1;
    state.matches.clear();
    state.packages.retain(|key, entry| {
        let Some(delta) = changes.get(key) else {
            return false;
        };
        match &mut entry.slot {
            Slot::Ready(count) => {
                if count.lower_bound && *delta < 0 {
                    return false;
                }
                count.n += delta;
                true
            }
            Slot::Computing(_) => false,
        }
    });
    for plan in deltas.options_changed {
        state.options.remove(&plan);
    }
}

/// Whether package `id` is among those `probe` counts (false when `id` is `None`).
pub(super) fn counted(conn: &Connection, probe: &Probe, id: Option<i64>) -> Result<bool> {
    let Some(id) = id else {
        return Ok(false);
    };
    let mut args = Vec::with_capacity(probe.args.len() + 1);
    args.push(Value::Integer(id));
    args.extend(probe.args.iter().cloned());
    let n: i64 = conn
        .prepare_cached(&probe.sql)?
        .query_row(params_from_iter(&args), |r| r.get(0))?;
    Ok(n > 0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::cell::Cell;

    use rusqlite::Connection;

    use super::{Cache, Count, Deltas, Probe};

    fn at(conn: &Connection, generation: i64) {
        conn.execute("UPDATE store_generation SET generation = ?", [generation])
            .unwrap();
    }

    fn count(n: i64) -> Count {
        Count {
            n,
            lower_bound: false,
        }
    }

    #[test]
    fn a_read_begun_before_a_package_write_gets_its_snapshots_count_without_counting() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE store_generation (id INTEGER PRIMARY KEY, generation INTEGER);
             INSERT INTO store_generation VALUES (1, 5);",
        )
        .unwrap();
        let cache = Cache::default();
        let probe = || {
            Some(Probe {
                sql: String::new(),
                args: Vec::new(),
            })
        };
        let counted = Cell::new(0);
        let compute = |n: i64| {
            let counted = &counted;
            move |_: &Connection| {
                counted.set(counted.get() + 1);
                Ok(count(n))
            }
        };
        let first = cache.package_count(&conn, "k".into(), probe(), compute(10));
        assert_eq!(first.unwrap(), count(10));
        // A package write at generation 5 adds one package to the count.
        cache.committing(5).apply(Deltas {
            from: 5,
            changes: vec![("k".into(), 1)],
            options_changed: Vec::new(),
        });
        // A read whose snapshot is still at 5: the count as it was then.
        let old = cache.package_count(&conn, "k".into(), probe(), compute(99));
        assert_eq!(old.unwrap(), count(10));
        // A read at 6: the moved count.
        at(&conn, 6);
        let new = cache.package_count(&conn, "k".into(), probe(), compute(99));
        assert_eq!(new.unwrap(), count(11));
        assert_eq!(counted.get(), 1, "counted once, at the first read");
        // Two writes on, a read at 5 counts for itself (and keeps nothing).
        cache.committing(6).apply(Deltas {
            from: 6,
            changes: vec![("k".into(), 1)],
            options_changed: Vec::new(),
        });
        at(&conn, 5);
        let older = cache.package_count(&conn, "k".into(), probe(), compute(10));
        assert_eq!(older.unwrap(), count(10));
        assert_eq!(counted.get(), 2);
        at(&conn, 7);
        let newest = cache.package_count(&conn, "k".into(), probe(), compute(99));
        assert_eq!(newest.unwrap(), count(12));
    }

    fn store_at(generation: i64) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE store_generation (id INTEGER PRIMARY KEY, generation INTEGER);
             INSERT INTO store_generation VALUES (1, 0);",
        )
        .unwrap();
        at(&conn, generation);
        conn
    }

    #[test]
    fn reads_go_on_while_a_write_commits_and_a_read_of_its_generation_waits_for_its_counts() {
        let cache = Cache::default();
        let probe = || {
            Some(Probe {
                sql: String::new(),
                args: Vec::new(),
            })
        };
        let never = |_: &Connection| -> crate::Result<Count> { panic!("counted again") };
        let old = store_at(5);
        let first = cache.package_count(&old, "k".into(), probe(), |_| Ok(count(10)));
        assert_eq!(first.unwrap(), count(10));

        let committing = cache.committing(5);
        // A read of the snapshot before the write: the cache, at once (with
        // the cache held across the commit, this would wait for it).
        let during = cache.package_count(&old, "k".into(), probe(), never);
        assert_eq!(during.unwrap(), count(10));
        std::thread::scope(|s| {
            // A read that already sees the write's generation waits for the
            // counts to be moved, and counts nothing itself.
            let reader = s.spawn(|| {
                let new = store_at(6);
                cache.package_count(&new, "k".into(), probe(), never)
            });
            std::thread::sleep(std::time::Duration::from_millis(50));
            assert!(
                !reader.is_finished(),
                "the read did not wait for the commit"
            );
            committing.apply(Deltas {
                from: 5,
                changes: vec![("k".into(), 1)],
                options_changed: Vec::new(),
            });
            assert_eq!(reader.join().unwrap().unwrap(), count(11));
        });
    }

    #[test]
    fn a_commit_that_fails_leaves_the_cache_as_it_was() {
        let cache = Cache::default();
        let old = store_at(5);
        let first = cache.package_count(&old, "k".into(), None, |_| Ok(count(10)));
        assert_eq!(first.unwrap(), count(10));
        drop(cache.committing(5));
        let again = cache.package_count(&old, "k".into(), None, |_| panic!("counted again"));
        assert_eq!(again.unwrap(), count(10));
    }
}
