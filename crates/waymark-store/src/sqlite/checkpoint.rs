//! WAL checkpoints off the request path.
//!
//! By default SQLite copies the write-ahead log back into the database file
//! (a checkpoint: a thousand pages written and synced) inside the commit that
//! takes the log past 1,000 pages, so now and then one request's commit costs
//! tens of milliseconds, while it holds the write turn and the reads that see
//! its generation wait for it (see `cache::Committing`). The store's connections turn that off
//! (`wal_autocheckpoint = 0`); instead, a thread of the store's own, on a
//! connection of its own, checkpoints a short while after writes, collecting
//! the writes of that while into one checkpoint.
//!
//! The copying is `PASSIVE`: it waits for nobody and nobody waits for it. But
//! under steady reads and writes the log never starts again from its beginning
//! (some reader always holds a place in it, or a write has come since the last
//! copy), so the log file would grow by every write. Once the log is past
//! [`RESTART_FRAMES`], the thread takes the store's write turn for a moment and
//! asks for a `RESTART` checkpoint without waiting: it copies what came since
//! the passive copy (a few pages) and, if no reader is left in the old log,
//! makes the next write start the log again. A reader still there is given a
//! millisecond, [`RESTART_TRIES`] times; then the writers get their turn back
//! and the next round tries again. (Waiting for the readers with SQLite's busy
//! timeout instead held the writers for 40 to 290 ms.)

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::Connection;

/// How long after a write the log is checkpointed: writes in between share
/// one checkpoint (and its sync).
const AFTER_WRITES: Duration = Duration::from_millis(500);
/// Log frames (pages) past which the log is restarted (SQLite's own
/// checkpoint threshold).
const RESTART_FRAMES: i64 = 1000;
/// Attempts at restarting the log in one round, a millisecond apart, while
/// the writers wait.
const RESTART_TRIES: u32 = 4;

pub(super) struct Checkpointer {
    nudge: Option<SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Start checkpointing the database at `path` (once at the start, for a
    /// log left by another process, then after writes).
    /// `writer` is the store's write turn (see `SqliteStore::writer`).
    pub fn start(path: &str, writer: Arc<Mutex<()>>) -> std::io::Result<Checkpointer> {
        let (nudge, nudged) = mpsc::sync_channel(1);
        let path = path.to_string();
        let thread = std::thread::Builder::new()
            .name("waymark-checkpoint".into())
            .spawn(move || run(&path, &nudged, &writer))?;
        // A log left by an earlier process is checkpointed at once.
        let _ = nudge.try_send(());
        Ok(Checkpointer {
            nudge: Some(nudge),
            thread: Some(thread),
        })
    }

    /// Say that a write committed: a checkpoint follows shortly.
    pub fn wrote(&self) {
        if let Some(nudge) = &self.nudge {
            // Full: a checkpoint is already due.
            match nudge.try_send(()) {
                Ok(()) | Err(TrySendError::Full(())) | Err(TrySendError::Disconnected(())) => {}
            }
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        // Closing the channel ends the thread after its last checkpoint.
        self.nudge.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(path: &str, nudged: &Receiver<()>, writer: &Mutex<()>) {
    let conn = match Connection::open(path) {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(
                "WAL checkpoints: cannot open {path}: {e}; the log grows until the store closes"
            );
            return;
        }
    };
    // Never wait inside SQLite: this thread decides how long writers wait.
    if let Err(e) = conn.busy_timeout(Duration::ZERO) {
        tracing::warn!("WAL checkpoints: {e}");
    }
    while nudged.recv().is_ok() {
        // Let the writes of the next moment share this checkpoint; stop
        // waiting when the store closes.
        let due = Instant::now() + AFTER_WRITES;
        let closing = loop {
            match nudged.recv_timeout(due.saturating_duration_since(Instant::now())) {
                Ok(()) => continue,
                Err(RecvTimeoutError::Timeout) => break false,
                Err(RecvTimeoutError::Disconnected) => break true,
            }
        };
        if let Err(e) = checkpoint_and_restart(&conn, writer) {
            tracing::warn!("WAL checkpoint: {e}");
        }
        if closing {
            break;
        }
    }
}

/// Copy the log into the database; start the log again once it is long.
fn checkpoint_and_restart(conn: &Connection, writer: &Mutex<()>) -> rusqlite::Result<()> {
    let (frames, _) = checkpoint(conn)?;
    if frames <= RESTART_FRAMES {
        return Ok(());
    }
    let _turn = writer.lock().unwrap_or_else(PoisonError::into_inner);
    for attempt in 1..=RESTART_TRIES {
        let (busy, frames, copied): (i64, i64, i64) =
            conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
        if busy == 0 {
            tracing::debug!("WAL restarted after {frames} frames ({attempt} attempts)");
            return Ok(());
        }
        tracing::debug!("WAL restart: {copied} of {frames} frames copied, a reader is in the log");
        if attempt < RESTART_TRIES {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    Ok(())
}

/// A `PASSIVE` checkpoint: (frames in the log, frames copied to the database).
pub(super) fn checkpoint(conn: &Connection) -> rusqlite::Result<(i64, i64)> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
        Ok((r.get(1)?, r.get(2)?))
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::time::{Duration, Instant};

    use rusqlite::Connection;

    use super::Checkpointer;

    #[test]
    fn the_log_reaches_the_database_file_while_the_store_is_open() {
        let dir = std::env::temp_dir().join(format!("waymark-checkpoint-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("log.db");
        let _ = std::fs::remove_file(&path);
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
             CREATE TABLE t (x BLOB);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
             INSERT INTO t SELECT zeroblob(4000) FROM n;",
        )
        .unwrap();
        let size = || std::fs::metadata(&path).unwrap().len();
        // With the writer's own checkpoints off, the rows are only in the log.
        assert!(size() < 100_000, "database file {} bytes", size());

        let checkpointer = Checkpointer::start(path.to_str().unwrap(), Default::default()).unwrap();
        checkpointer.wrote();
        let started = Instant::now();
        while size() < 800_000 && started.elapsed() < Duration::from_secs(20) {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(size() >= 800_000, "database file {} bytes", size());
        // Dropping it ends its thread.
        drop(checkpointer);
        drop(conn);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
