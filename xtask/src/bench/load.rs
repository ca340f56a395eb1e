//! The closed-loop driver: `concurrency` keep-alive connections, each sending its next
//! request as soon as the previous answer is in, until `requests` have been sent.
//!
//! It runs on the current thread (a `LocalSet`), so it takes at most one core from the
//! server it measures, and a request costs one write and usually one read.

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use super::http::{Connection, Endpoint, RequestHead};
use super::process::{CpuMeter, CpuUse, Process};
use super::stats::{now, Latencies};

/// With no answer at all for this long, the run is abandoned.
const STALL_TIMEOUT: Duration = Duration::from_secs(30);

/// The requests of one scenario: request number `index` has the body this writes.
pub trait Workload {
    /// Writes the JSON body of request `index` into `out`, which is empty.
    fn body(&self, index: u64, out: &mut Vec<u8>);
}

/// What a run measured.
#[derive(Debug)]
pub struct Outcome {
    /// Requests sent.
    pub requests: u64,
    /// Answers that were not 2xx, and requests that got no answer.
    pub errors: u64,
    /// Wall time from the first request to the last answer.
    pub elapsed: Duration,
    /// Latency of every answered request.
    pub latencies: Latencies,
    /// The first failure, described.
    pub first_error: Option<String>,
    /// CPU time of the server and of the generator during the run.
    pub cpu: CpuUse,
}

impl Outcome {
    /// Requests per second.
    pub fn throughput(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// A closed-loop run: how many requests, over how many connections, to which server.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Where requests go.
    pub endpoint: Endpoint,
    /// Requests to send.
    pub requests: u64,
    /// Connections to send them on.
    pub concurrency: usize,
    /// The server's process, when it runs on this machine, for its CPU time.
    pub server: Option<Process>,
}

/// Sends `plan.requests` requests with `head` and bodies from `workload` over
/// `plan.concurrency` connections. The connections are opened before the clock starts.
pub async fn closed_loop(
    plan: &Plan,
    head: RequestHead,
    workload: Rc<dyn Workload>,
) -> Result<Outcome, String> {
    let Plan {
        endpoint,
        requests,
        concurrency,
        server,
    } = plan;
    let (requests, concurrency) = (*requests, *concurrency);
    let concurrency = concurrency.clamp(1, usize::try_from(requests.max(1)).unwrap_or(1));
    let mut connections = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let connection = Connection::open(endpoint.address)
            .await
            .map_err(|e| format!("cannot connect to {}: {e}", endpoint.address))?;
        connections.push(connection);
    }

    let shared = Rc::new(Shared {
        head,
        workload,
        requests,
        next: Cell::new(0),
        answered: Cell::new(0),
        address: endpoint.address,
    });
    let per_connection = usize::try_from(requests / concurrency as u64 + 1).unwrap_or(0);
    let cpu = CpuMeter::start(*server);
    let started = now();
    let tasks: Vec<_> = connections
        .into_iter()
        .map(|connection| {
            tokio::task::spawn_local(worker(
                Rc::clone(&shared),
                connection,
                Latencies::with_capacity(per_connection),
            ))
        })
        .collect();

    let mut latencies = Latencies::with_capacity(usize::try_from(requests).unwrap_or(0));
    let mut errors = 0;
    let mut first_error = None;
    let progress = Rc::clone(&shared);
    let watchdog = watchdog(move || progress.answered.get(), requests);
    tokio::pin!(watchdog);
    for task in tasks {
        let report = tokio::select! {
            joined = task => joined.map_err(|e| format!("load task failed: {e}"))?,
            stalled = &mut watchdog => return Err(stalled),
        };
        latencies.merge(report.latencies);
        errors += report.errors;
        first_error = first_error.or(report.first_error);
    }
    let elapsed = started.elapsed();
    Ok(Outcome {
        requests,
        errors,
        elapsed,
        latencies,
        first_error,
        cpu: cpu.stop(),
    })
}

/// A closed-loop run of multi-request exchanges (a sign-in and its challenge, say):
/// `plan.requests` runs of `exchange` over `plan.concurrency` connections. Exchange
/// `index` gets a connection and gives it back (or `None` when it is no longer usable)
/// with its verdict; its latency is the whole exchange, and the outcome counts
/// exchanges, not requests.
pub async fn closed_loop_exchanges<F, Fut>(plan: &Plan, exchange: F) -> Result<Outcome, String>
where
    F: Fn(u64, Connection) -> Fut + 'static,
    Fut: Future<Output = (Option<Connection>, Result<(), String>)> + 'static,
{
    let (requests, concurrency) = (plan.requests, plan.concurrency);
    let concurrency = concurrency.clamp(1, usize::try_from(requests.max(1)).unwrap_or(1));
    let mut connections = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let connection = Connection::open(plan.endpoint.address)
            .await
            .map_err(|e| format!("cannot connect to {}: {e}", plan.endpoint.address))?;
        connections.push(connection);
    }
    let next = Rc::new(Cell::new(0u64));
    let answered = Rc::new(Cell::new(0u64));
    let exchange = Rc::new(exchange);
    let per_connection = usize::try_from(requests / concurrency as u64 + 1).unwrap_or(0);
    let cpu = CpuMeter::start(plan.server);
    let started = now();
    let tasks: Vec<_> = connections
        .into_iter()
        .map(|connection| {
            let (next, answered, exchange) =
                (Rc::clone(&next), Rc::clone(&answered), Rc::clone(&exchange));
            let address = plan.endpoint.address;
            tokio::task::spawn_local(async move {
                let mut report = WorkerReport {
                    latencies: Latencies::with_capacity(per_connection),
                    errors: 0,
                    first_error: None,
                };
                let mut connection = Some(connection);
                loop {
                    let index = next.get();
                    if index >= requests {
                        break;
                    }
                    next.set(index + 1);
                    let opened = match connection.take() {
                        Some(c) => Ok(c),
                        None => Connection::open(address)
                            .await
                            .map_err(|e| format!("cannot reconnect: {e}")),
                    };
                    let verdict = match opened {
                        Ok(c) => {
                            let sent = now();
                            let (back, verdict) = exchange(index, c).await;
                            report.latencies.record(sent.elapsed());
                            connection = back;
                            verdict
                        }
                        Err(e) => Err(e),
                    };
                    if let Err(failure) = verdict {
                        report.errors += 1;
                        report.first_error.get_or_insert(failure);
                    }
                    answered.set(answered.get() + 1);
                }
                report
            })
        })
        .collect();

    let mut latencies = Latencies::with_capacity(usize::try_from(requests).unwrap_or(0));
    let mut errors = 0;
    let mut first_error = None;
    let progress = Rc::clone(&answered);
    let watchdog = watchdog(move || progress.get(), requests);
    tokio::pin!(watchdog);
    for task in tasks {
        let report = tokio::select! {
            joined = task => joined.map_err(|e| format!("load task failed: {e}"))?,
            stalled = &mut watchdog => return Err(stalled),
        };
        latencies.merge(report.latencies);
        errors += report.errors;
        first_error = first_error.or(report.first_error);
    }
    let elapsed = started.elapsed();
    Ok(Outcome {
        requests,
        errors,
        elapsed,
        latencies,
        first_error,
        cpu: cpu.stop(),
    })
}

/// State shared by the workers of one run.
struct Shared {
    head: RequestHead,
    workload: Rc<dyn Workload>,
    requests: u64,
    /// The index of the next request to send.
    next: Cell<u64>,
    /// How many answers (or failures) have come back.
    answered: Cell<u64>,
    address: std::net::SocketAddr,
}

/// What one connection measured.
struct WorkerReport {
    latencies: Latencies,
    errors: u64,
    first_error: Option<String>,
}

async fn worker(
    shared: Rc<Shared>,
    connection: Connection,
    mut latencies: Latencies,
) -> WorkerReport {
    let mut connection = Some(connection);
    let mut body = Vec::with_capacity(512);
    let mut errors = 0;
    let mut first_error = None;
    loop {
        let index = shared.next.get();
        if index >= shared.requests {
            break;
        }
        shared.next.set(index + 1);
        body.clear();
        shared.workload.body(index, &mut body);

        let mut failure = None;
        if connection.is_none() {
            match Connection::open(shared.address).await {
                Ok(c) => connection = Some(c),
                Err(e) => failure = Some(format!("cannot reconnect: {e}")),
            }
        }
        if let Some(c) = connection.as_mut() {
            let sent = now();
            match c.call(&shared.head, &body).await {
                Ok(reply) => {
                    latencies.record(sent.elapsed());
                    if !reply.is_success() {
                        failure = Some(reply.describe());
                    }
                    if !c.is_reusable() {
                        connection = None;
                    }
                }
                Err(e) => {
                    failure = Some(format!("no answer: {e}"));
                    connection = None;
                }
            }
        }
        if let Some(failure) = failure {
            errors += 1;
            first_error.get_or_insert(failure);
        }
        shared.answered.set(shared.answered.get() + 1);
    }
    WorkerReport {
        latencies,
        errors,
        first_error,
    }
}

/// Completes with an error once `answered` has not moved for [`STALL_TIMEOUT`].
async fn watchdog(answered: impl Fn() -> u64, requests: u64) -> String {
    let mut last = answered();
    let mut quiet = Duration::ZERO;
    let tick = Duration::from_millis(500);
    loop {
        tokio::time::sleep(tick).await;
        let answered = answered();
        if answered == last {
            quiet += tick;
            if quiet >= STALL_TIMEOUT {
                return format!(
                    "no answer for {}s after {answered} of {} requests",
                    STALL_TIMEOUT.as_secs(),
                    requests
                );
            }
        } else {
            last = answered;
            quiet = Duration::ZERO;
        }
    }
}
