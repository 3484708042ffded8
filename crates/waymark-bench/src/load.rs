//! Closed-loop load: C connections, each sending its next request as soon as
//! the previous answer is in, for a fixed time; every latency is kept.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use tokio::time::timeout;

use crate::http::{Connection, Response};

const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// One request of a phase: reads are GETs; a write carries a JSON body and
/// is sent as a client that does not lose updates sends it: it reads the
/// record first (a GET of the same path, measured as a read) and sends its
/// `ETag` in `If-Match`; when someone changed the record in between (412),
/// it sends the change again on the version the answer names (each attempt
/// measured as a write, and counted in `conflicts`).
#[derive(Debug, Clone)]
pub struct Request {
    pub method: &'static str,
    pub path: String,
    pub body: Option<String>,
    /// Who asks: a header line (`Authorization: Bearer …` or
    /// `Cookie: waymark_session=…`), or none (a visitor).
    pub auth: Option<Arc<str>>,
}

/// Attempts at a write whose record others keep changing.
const WRITE_ATTEMPTS: usize = 3;

impl Request {
    pub fn get(path: impl Into<String>) -> Self {
        Request {
            method: "GET",
            path: path.into(),
            body: None,
            auth: None,
        }
    }

    /// The same request made as `auth` (a header line).
    pub fn as_(mut self, auth: &Arc<str>) -> Self {
        self.auth = Some(auth.clone());
        self
    }

    pub fn is_write(&self) -> bool {
        self.method != "GET"
    }
}

/// What to load and for how long.
pub struct Phase {
    /// Requests cycle through these.
    pub paths: Arc<Vec<Request>>,
    pub connections: usize,
    pub warmup: Duration,
    pub duration: Duration,
}

/// What one phase measured.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Latency of every measured request that got an answer, microseconds, sorted.
    pub latencies_us: Vec<u64>,
    /// The same, of writes only (sorted).
    pub write_latencies_us: Vec<u64>,
    /// Requests that got no answer (connect failure, reset, timeout, bad framing).
    pub errors: u64,
    pub non_200: u64,
    /// Writes refused because the record had changed since it was read
    /// (412), each sent again on the newer version.
    pub conflicts: u64,
    pub first_error: Option<String>,
    pub first_non_200: Option<String>,
    pub seconds: f64,
    pub response_bytes: u64,
}

impl Outcome {
    fn merge(&mut self, other: Outcome) {
        self.latencies_us.extend(other.latencies_us);
        self.write_latencies_us.extend(other.write_latencies_us);
        self.errors += other.errors;
        self.non_200 += other.non_200;
        self.conflicts += other.conflicts;
        self.first_error = self.first_error.take().or(other.first_error);
        self.first_non_200 = self.first_non_200.take().or(other.first_non_200);
        self.response_bytes += other.response_bytes;
    }
}

pub async fn run(addr: SocketAddr, phase: &Phase) -> Result<Outcome> {
    let measure_from = Instant::now() + phase.warmup;
    let until = measure_from + phase.duration;
    let mut workers = Vec::with_capacity(phase.connections);
    for w in 0..phase.connections {
        let paths = Arc::clone(&phase.paths);
        workers.push(tokio::spawn(worker(addr, paths, w, measure_from, until)));
    }
    let mut total = Outcome::default();
    for w in workers {
        total.merge(w.await?);
    }
    total.seconds = phase.duration.as_secs_f64();
    total.latencies_us.sort_unstable();
    total.write_latencies_us.sort_unstable();
    Ok(total)
}

async fn request(
    conn: &mut Option<Connection>,
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&str>,
    if_match: Option<&str>,
    auth: Option<&str>,
) -> Result<Response> {
    let c = match conn {
        Some(c) => c,
        None => conn.insert(Connection::open(addr).await?),
    };
    c.send_with(
        method,
        path,
        body.map(|b| ("application/json", b)),
        if_match,
        auth,
    )
    .await
}

/// One exchange of a phase as the worker sees it.
struct Exchange {
    started: Instant,
    elapsed: Duration,
    write: bool,
    answer: Option<Result<Response>>,
}

async fn exchange(
    conn: &mut Option<Connection>,
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&str>,
    if_match: Option<&str>,
    auth: Option<&str>,
) -> Exchange {
    let started = Instant::now();
    let answer = timeout(
        REQUEST_TIMEOUT,
        request(conn, addr, method, path, body, if_match, auth),
    )
    .await
    .ok();
    Exchange {
        started,
        elapsed: started.elapsed(),
        write: method != "GET",
        answer,
    }
}

async fn worker(
    addr: SocketAddr,
    paths: Arc<Vec<Request>>,
    first: usize,
    measure_from: Instant,
    until: Instant,
) -> Outcome {
    let mut out = Outcome::default();
    let mut conn = None;
    let mut i = first;
    while Instant::now() < until {
        let req = &paths[i % paths.len()];
        i += 1;
        if !req.is_write() {
            let x = exchange(
                &mut conn,
                addr,
                "GET",
                &req.path,
                None,
                None,
                req.auth.as_deref(),
            )
            .await;
            note(&mut out, &mut conn, &req.path, x, measure_from).await;
            continue;
        }
        // Read the record for its version, then change that version.
        let read = exchange(
            &mut conn,
            addr,
            "GET",
            &req.path,
            None,
            None,
            req.auth.as_deref(),
        )
        .await;
        let mut tag = match &read.answer {
            Some(Ok(r)) if r.status == 200 => r.etag.clone(),
            _ => None,
        };
        note(&mut out, &mut conn, &req.path, read, measure_from).await;
        for _ in 0..WRITE_ATTEMPTS {
            let Some(expected) = tag.take() else { break };
            let x = exchange(
                &mut conn,
                addr,
                req.method,
                &req.path,
                req.body.as_deref(),
                Some(&expected),
                req.auth.as_deref(),
            )
            .await;
            let conflict = match &x.answer {
                Some(Ok(r)) if r.status == 412 => r.etag.clone(),
                _ => None,
            };
            let measured = x.started >= measure_from;
            if conflict.is_some() {
                if measured {
                    out.conflicts += 1;
                    out.latencies_us.push(x.elapsed.as_micros() as u64);
                    out.write_latencies_us.push(x.elapsed.as_micros() as u64);
                }
                if x.answer
                    .as_ref()
                    .is_some_and(|a| a.as_ref().is_ok_and(|r| !r.keep_alive))
                {
                    conn = None;
                }
            } else {
                note(&mut out, &mut conn, &req.path, x, measure_from).await;
            }
            tag = conflict;
        }
    }
    out
}

/// Keep what one exchange measured (when it started in the measured time).
async fn note(
    out: &mut Outcome,
    conn: &mut Option<Connection>,
    path: &str,
    x: Exchange,
    measure_from: Instant,
) {
    let measured = x.started >= measure_from;
    match x.answer {
        Some(Ok(response)) => {
            if !response.keep_alive {
                *conn = None;
            }
            if measured {
                out.latencies_us.push(x.elapsed.as_micros() as u64);
                if x.write {
                    out.write_latencies_us.push(x.elapsed.as_micros() as u64);
                }
                out.response_bytes += response.body.len() as u64;
                if response.status != 200 {
                    out.non_200 += 1;
                    if out.first_non_200.is_none() {
                        let body = String::from_utf8_lossy(&response.body);
                        let body: String = body.chars().take(300).collect();
                        out.first_non_200 = Some(format!("{} on {path}: {body}", response.status));
                    }
                }
            }
        }
        Some(Err(e)) => {
            *conn = None;
            if measured {
                out.errors += 1;
                out.first_error
                    .get_or_insert_with(|| format!("{path}: {e:#}"));
            }
            // A refused connection fails at once; don't spin on it.
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        None => {
            *conn = None;
            if measured {
                out.errors += 1;
                out.first_error
                    .get_or_insert_with(|| format!("{path}: no answer within {REQUEST_TIMEOUT:?}"));
            }
        }
    }
}

/// Latency summary in milliseconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Summary {
    pub requests: usize,
    pub per_second: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

impl Outcome {
    pub fn summary(&self) -> Summary {
        summarise(&self.latencies_us, self.seconds)
    }

    /// Reads and writes apart, when the phase had writes.
    pub fn split(&self) -> Option<(Summary, Summary)> {
        if self.write_latencies_us.is_empty() {
            return None;
        }
        let mut reads = self.latencies_us.clone();
        for w in &self.write_latencies_us {
            if let Ok(i) = reads.binary_search(w) {
                reads.remove(i);
            }
        }
        Some((
            summarise(&reads, self.seconds),
            summarise(&self.write_latencies_us, self.seconds),
        ))
    }
}

fn summarise(sorted_us: &[u64], seconds: f64) -> Summary {
    let pct = |p: f64| percentile(sorted_us, p);
    Summary {
        requests: sorted_us.len(),
        per_second: sorted_us.len() as f64 / seconds.max(1e-9),
        p50: pct(0.50),
        p90: pct(0.90),
        p99: pct(0.99),
        max: sorted_us.last().map_or(0.0, |&us| us as f64 / 1000.0),
    }
}

/// Nearest-rank percentile of sorted microseconds, in milliseconds.
fn percentile(sorted_us: &[u64], p: f64) -> f64 {
    if sorted_us.is_empty() {
        return 0.0;
    }
    let rank = (p * sorted_us.len() as f64).ceil() as usize;
    let index = rank.clamp(1, sorted_us.len()) - 1;
    sorted_us[index] as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn nearest_rank_percentiles() {
        let us: Vec<u64> = (1..=100).map(|i| i * 1000).collect();
        assert_eq!(percentile(&us, 0.50), 50.0);
        assert_eq!(percentile(&us, 0.99), 99.0);
        assert_eq!(percentile(&us, 1.0), 100.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }
}
