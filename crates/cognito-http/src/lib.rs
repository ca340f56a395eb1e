//! The HTTP front end of the Cognito user pools emulator.
//!
//! [`CognitoService`] is a [`tower::Service`] that speaks the `awsJson1_1` protocol of the
//! `cognito-idp` API on `POST /`, answers CORS preflights so browser clients work, and
//! serves a few plain routes (`GET /health`, the test API under `/_cognito/` that
//! `docs/test-api.md` describes). [`serve`] runs it on a
//! [`tokio::net::TcpListener`] with HTTP/1.1 keep-alive and a graceful shutdown;
//! [`serve_tls`] answers HTTPS on the same listener too, given a [`rustls`]
//! configuration (the certificate is the embedder's business).
//!
//! The test API hands out codes and temporary passwords and can wipe all state, so it
//! answers programs and the pages of [`Config::test_api_origins`] only: other pages'
//! requests and requests for a `Host` that is neither loopback nor in
//! [`Config::listen_hosts`] (DNS rebinding) are refused with 403, and its answers carry
//! no CORS headers for anyone else.
//!
//! ```no_run
//! # async fn example(random: std::sync::Arc<dyn cognito_core::Random>,
//! #     clock: std::sync::Arc<dyn cognito_core::Clock>,
//! #     stopwatch: std::sync::Arc<dyn cognito_http::Stopwatch>,
//! #     core_random: Box<dyn cognito_core::Random>) -> std::io::Result<()> {
//! use std::sync::Arc;
//! use cognito_http::{CognitoService, Config, Sources};
//!
//! let cognito = Arc::new(cognito_core::Cognito::in_memory(core_random));
//! let sources = Sources { clock, random, stopwatch, clock_control: None };
//! let service = CognitoService::new(cognito, sources, Config::default());
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:9229").await?;
//! cognito_http::serve(listener, service, std::future::pending()).await
//! # }
//! ```
//!
//! Boundary: this crate is the only one that knows about `X-Amz-Target`, `__type`, status
//! codes and URLs (the ones core hands out too: [`links`]), and it holds
//! the single mapping from errors to the wire (`failure`). Operations whose cost is
//! cryptography run on the service's own cryptography threads (`service`), so that a pool's first RSA key
//! never delays other requests. It knows nothing about what operations do (that is `cognito-core`) and
//! never reads a clock or the environment itself: the current time, randomness and the
//! stopwatch that times requests arrive through [`Sources`].
//!
//! Requests are not authenticated: the SigV4 `Authorization` header is read only for the
//! region in its credential scope, and its signature is never verified.

mod aws_json;
mod backend;
mod cors;
mod cross_site;
mod discovery;
mod failure;
mod links;
mod login;
mod oauth2;
mod rejection;
mod request_id;
pub mod request_log;
mod router;
mod serve;
mod service;
mod sigv4;
mod test_api;
#[cfg(test)]
mod testing;

use std::sync::Arc;
use std::time::Duration;

pub use backend::Backend;
pub use cognito_core::{Clock, Random};
pub use cross_site::{InvalidOrigin, Origin};
pub use links::links;
pub use request_log::{Answered, RequestLog};
pub use serve::{serve, serve_tls, Https};
pub use service::{CognitoService, ResponseBody};
pub use test_api::{ClockControl, ClockReading};
/// The TLS library [`serve_tls`] takes its configuration from.
pub use tokio_rustls::rustls;

/// How the front end behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The region of requests whose `Authorization` header names none.
    pub default_region: String,
    /// The account id that owns every resource.
    pub account_id: String,
    /// The largest request body accepted, in bytes; larger ones are answered 413 unread.
    pub max_body_bytes: usize,
    /// How long [`serve`] waits for open connections to finish after shutdown is asked.
    pub shutdown_grace: Duration,
    /// How long a connection may take to send a request's whole head, counted from the
    /// moment it is ready for that request: so also how long a kept-alive connection may
    /// stay idle. Connections past it are closed.
    pub header_read_timeout: Duration,
    /// How many connections [`serve`] keeps open at once. At the limit, a new client is
    /// served in place of the connection idle the longest; while every connection is
    /// answering a request, new clients wait. Keep it below the process's file
    /// descriptor limit, with room for the files and sockets the server opens itself.
    pub max_connections: usize,
    /// Origins whose pages may call the test API under `/_cognito/` and read its
    /// answers. Requests from any other page are refused; requests that come from no
    /// page (no `Origin`, no cross-site `Sec-Fetch-Site`) always pass. None by default.
    pub test_api_origins: Vec<Origin>,
    /// The names and addresses the server listens on (e.g. `127.0.0.1`, `devbox`), which
    /// the test API accepts in `Host` besides loopback ones (`localhost`,
    /// `*.localhost`, `127.x.x.x`, `[::1]`); an unspecified address (`0.0.0.0`, `::`)
    /// accepts every IP address. Any other `Host` is refused, as a page whose DNS name
    /// was rebound to this server would send it.
    pub listen_hosts: Vec<String>,
    /// How many requests whose cost is cryptography (sign-ins, token refreshes, a pool's
    /// first RSA key) run at once, on the service's cryptography threads; the others wait
    /// their turn.
    /// Keeping it to the number of cores leaves the async workers, which answer
    /// everything else, a core's share instead of a fortieth of it when many new pools
    /// make their keys at once. At least 1.
    pub cryptography_threads: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            default_region: "us-east-1".to_owned(),
            account_id: "123456789012".to_owned(),
            max_body_bytes: 6 * 1024 * 1024,
            shutdown_grace: Duration::from_secs(5),
            header_read_timeout: Duration::from_secs(60),
            // Three quarters of the usual default descriptor limit (1024).
            max_connections: 768,
            test_api_origins: Vec::new(),
            listen_hosts: Vec::new(),
            cryptography_threads: 2,
        }
    }
}

/// A monotonic clock that times requests for the request log.
///
/// The embedder supplies it so that this crate never reads a clock: a server wraps
/// [`std::time::Instant`], tests use a counter.
pub trait Stopwatch: Send + Sync {
    /// Microseconds since an arbitrary fixed origin; never decreases.
    fn micros(&self) -> u64;
}

/// Where time and randomness come from.
#[derive(Clone)]
pub struct Sources {
    /// The current time of each request (`RequestContext::now`).
    pub clock: Arc<dyn Clock>,
    /// Bytes for request ids.
    pub random: Arc<dyn Random>,
    /// Times requests for the log.
    pub stopwatch: Arc<dyn Stopwatch>,
    /// Moves [`Sources::clock`] for the test API's `/_cognito/clock`; without it, that
    /// endpoint answers that the clock cannot be moved.
    pub clock_control: Option<Arc<dyn ClockControl>>,
}

impl std::fmt::Debug for Sources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sources").finish_non_exhaustive()
    }
}
