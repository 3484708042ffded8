//! Closed-loop load: C connections, each sending its next request as soon as
//! the previous answer is in, for a fixed time; every latency is kept.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use tokio::time::timeout;

use crate::http::{Connection, Response};

const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// One request of a phase: reads are GETs; a write carries a JSON body.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: &'static str,
    pub path: String,
    pub body: Option<String>,
}

impl Request {
    pub fn get(path: impl Into<String>) -> Self {
        Request {
            method: "GET",
            path: path.into(),
            body: None,
        }
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

async fn request(conn: &mut Option<Connection>, addr: SocketAddr, r: &Request) -> Result<Response> {
    let c = match conn {
        Some(c) => c,
        None => conn.insert(Connection::open(addr).await?),
    };
    c.send(r.method, &r.path, r.body.as_deref()).await
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
    loop {
        let start = Instant::now();
        if start >= until {
            break;
        }
        let req = &paths[i % paths.len()];
        let path = &req.path;
        i += 1;
        let answer = timeout(REQUEST_TIMEOUT, request(&mut conn, addr, req)).await;
        let elapsed = start.elapsed();
        let measured = start >= measure_from;
        match answer {
            Ok(Ok(response)) => {
                if !response.keep_alive {
                    conn = None;
                }
                if measured {
                    out.latencies_us.push(elapsed.as_micros() as u64);
                    if req.is_write() {
                        out.write_latencies_us.push(elapsed.as_micros() as u64);
                    }
                    out.response_bytes += response.body.len() as u64;
                    if response.status != 200 {
                        out.non_200 += 1;
                        if out.first_non_200.is_none() {
                            let body = String::from_utf8_lossy(&response.body);
                            let body: String = body.chars().take(300).collect();
                            out.first_non_200 =
                                Some(format!("{} on {path}: {body}", response.status));
                        }
                    }
                }
            }
            Ok(Err(e)) => {
                conn = None;
                if measured {
                    out.errors += 1;
                    out.first_error
                        .get_or_insert_with(|| format!("{path}: {e:#}"));
                }
                // A refused connection fails at once; don't spin on it.
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            Err(_) => {
                conn = None;
                if measured {
                    out.errors += 1;
                    out.first_error.get_or_insert_with(|| {
                        format!("{path}: no answer within {REQUEST_TIMEOUT:?}")
                    });
                }
            }
        }
    }
    out
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
