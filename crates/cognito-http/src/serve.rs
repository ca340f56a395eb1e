//! Running a [`CognitoService`] on a TCP listener: HTTP/1.1 with keep-alive, one task per
//! connection, bounds that no client can push the server past, and a graceful shutdown
//! that answers every request already received. With a TLS configuration
//! ([`serve_tls`]) the same listener also speaks HTTPS: a connection whose first byte
//! opens a TLS handshake record is served over TLS, any other as plain HTTP, so one
//! address answers both schemes. Requests that came over TLS carry the [`Https`]
//! extension, so that the addresses the service names in its answers use the scheme the
//! client used.
//!
//! Bounds ([`crate::Config`]): a connection waiting for a request has
//! [`crate::Config::header_read_timeout`] to send its whole head, counted from the moment it is
//! ready for its next request, so it is also how long a kept-alive connection may stay
//! idle. The accept loop looks for such connections every [`SWEEP`] (or more often for a
//! shorter timeout) and closes them: no timer is set per request, as hyper's own header
//! timeout would. At most [`crate::Config::max_connections`] are open at
//! once. At that limit a new client is accepted and the connection idle the longest
//! (answering nothing: waiting between requests or still sending a head) is closed for
//! it; when every connection is answering a request, the server stops accepting until
//! one is done, looking again every [`ACCEPT_BACKOFF`]. Request bodies that stall are
//! cut off where they are read (`aws_json::read_body`).
//!
//! Shutdown: the listener's backlog is accepted, then every connection is told to drain.
//! A draining connection answers the requests it has received, including pipelined ones
//! still unread in its buffers, and reads as ended once nothing more has arrived while it
//! answers nothing, so that it closes cleanly between requests. Connections still open
//! when [`crate::Config::shutdown_grace`] ends are aborted. Each connection's task is woken by a
//! signal of its own (a `watch` channel shared by every connection, as `hyper_util`'s
//! graceful shutdown has, is polled with each request and takes a lock that all the
//! workers share).

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::{AbortHandle, JoinSet};
use tokio::time::Instant;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::Backend;
use crate::CognitoService;

/// How long to wait before accepting again after `accept` failed (for example when the
/// process is out of file descriptors), or before looking again for a connection to make
/// room for a new one when every open connection is answering a request.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// How often the accept loop looks for connections idle past the header read timeout, at
/// most: a connection is closed between the timeout and the timeout plus this long after
/// it became idle.
const SWEEP: Duration = Duration::from_secs(1);

/// How long a client may take to complete the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The first byte of a TLS record carrying a handshake message (RFC 8446 §5.1,
/// `ContentType.handshake`): every TLS connection opens with one. No HTTP/1.1 request
/// starts with it.
const TLS_HANDSHAKE_RECORD: u8 = 0x16;

/// The extension of a request that came over TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Https;

/// Marks `request` as one that came over TLS.
fn over_tls(mut request: Request<Incoming>) -> Request<Incoming> {
    request.extensions_mut().insert(Https);
    request
}

/// Serves `service` on `listener` until `shutdown` completes, then answers the requests
/// already received, waiting up to the configured `shutdown_grace`, and closes every
/// connection.
///
/// Failing to accept one connection is logged and does not stop the server. Dropping the
/// returned future closes every connection it accepted.
pub async fn serve<S>(
    listener: TcpListener,
    service: CognitoService<S>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()>
where
    S: Backend,
{
    serve_tls(listener, service, None, shutdown).await
}

/// [`serve`], answering HTTPS with `tls` besides plain HTTP on the same listener when
/// `tls` is given. The configuration's ALPN protocols are replaced by HTTP/1.1, the one
/// protocol served.
pub async fn serve_tls<S>(
    listener: TcpListener,
    service: CognitoService<S>,
    tls: Option<Arc<ServerConfig>>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()>
where
    S: Backend,
{
    let config = service.config();
    let mut http = http1::Builder::new();
    http.keep_alive(true)
        // Idle and half-sent connections are closed by the accept loop's sweep.
        .header_read_timeout(None)
        // Answers are whole buffers of a few hundred bytes: copied behind the head, each
        // goes out in one `write`, without the queue of buffers a vectored write keeps.
        .writev(false);
    let tls = tls.map(|config| {
        let mut config = Arc::unwrap_or_clone(config);
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        TlsAcceptor::from(Arc::new(config))
    });
    let grace = config.shutdown_grace;
    let mut connections = Connections::new(config.max_connections);
    let idle_timeout = config.header_read_timeout;
    let mut sweep =
        tokio::time::interval(SWEEP.min(idle_timeout / 4).max(Duration::from_millis(1)));
    sweep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let start = |connections: &mut Connections, stream: TcpStream, peer: SocketAddr| {
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(%peer, error = %e, "could not disable Nagle's algorithm");
        }
        let activity = connections.activity();
        match &tls {
            None => {
                let io = TokioIo::new(Drainable::new(stream, Arc::clone(&activity)));
                let service = tracked(service.clone(), &activity);
                let connection = http.serve_connection(io, service);
                connections.spawn(drive(connection, Arc::clone(&activity), peer), activity);
            }
            Some(acceptor) => {
                let task = either_scheme(
                    stream,
                    acceptor.clone(),
                    http.clone(),
                    service.clone(),
                    Arc::clone(&activity),
                    peer,
                );
                connections.spawn(task, activity);
            }
        }
    };
    tokio::pin!(shutdown);

    loop {
        let accepting = connections.may_accept();
        tokio::select! {
            biased;
            () = &mut shutdown => break,
            Some(ended) = connections.tasks.join_next_with_id(), if !connections.tasks.is_empty() => {
                connections.ended(ended);
            }
            accepted = listener.accept(), if accepting => match accepted {
                Ok((stream, peer)) => {
                    connections.make_room();
                    start(&mut connections, stream, peer);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
            },
            () = tokio::time::sleep(ACCEPT_BACKOFF), if !accepting => {}
            now = sweep.tick() => connections.close_idle(now, idle_timeout),
        }
    }

    // Clients whose connections wait in the backlog have sent their requests too. The
    // kernel is asked until it has none left (tokio would answer from the readiness it
    // last saw); dropping the listener then refuses new ones.
    match listener.into_std() {
        Ok(backlog) => {
            while let Ok((stream, peer)) = backlog.accept() {
                let stream = stream
                    .set_nonblocking(true)
                    .and_then(|()| TcpStream::from_std(stream));
                match stream {
                    Ok(stream) => start(&mut connections, stream, peer),
                    Err(e) => tracing::debug!(%peer, error = %e, "could not serve a connection"),
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "could not accept the listener's backlog"),
    }
    tracing::debug!("shutting down: answering the requests already received");
    connections.drain();
    let tasks = &mut connections.tasks;
    let drained = async { while tasks.join_next().await.is_some() {} };
    if tokio::time::timeout(grace, drained).await.is_err() {
        tracing::warn!(
            grace_ms = grace.as_millis(),
            "connections still open after the grace period; closing them"
        );
        connections.tasks.shutdown().await;
    }
    Ok(())
}

/// The open connections: their tasks, and what the accept loop knows of each.
struct Connections {
    /// Every connection's task; dropping the set aborts them all.
    tasks: JoinSet<()>,
    /// The connections counted against the limit: not yet ended, not closed for room.
    open: HashMap<tokio::task::Id, Opened>,
    /// [`crate::Config::max_connections`].
    limit: usize,
    /// Orders the moments connections become idle.
    ticks: Arc<AtomicU64>,
    /// Whether the limit has been logged since the connections last fell below it.
    limit_logged: bool,
}

/// One connection counted against the limit.
struct Opened {
    activity: Arc<Activity>,
    abort: AbortHandle,
    /// The idle tick a sweep last found the connection at, and when it first found it
    /// there.
    idle: Option<(u64, Instant)>,
}

impl Connections {
    fn new(limit: usize) -> Self {
        Connections {
            tasks: JoinSet::new(),
            open: HashMap::new(),
            limit: limit.max(1),
            ticks: Arc::new(AtomicU64::new(0)),
            limit_logged: false,
        }
    }

    /// Whether a new client may be accepted now: below the limit, or at it with an idle
    /// connection to close for the new one.
    fn may_accept(&mut self) -> bool {
        if self.open.len() < self.limit {
            self.limit_logged = false;
            return true;
        }
        let idle = self.oldest_idle().is_some();
        if !self.limit_logged {
            self.limit_logged = true;
            tracing::warn!(
                limit = self.limit,
                "connection limit reached: the connections idle the longest are closed for new clients"
            );
        }
        idle
    }

    /// At the limit, closes the connection idle the longest to make room for one just
    /// accepted.
    fn make_room(&mut self) {
        if self.open.len() < self.limit {
            return;
        }
        if let Some(id) = self.oldest_idle() {
            if let Some(evicted) = self.open.remove(&id) {
                evicted.abort.abort();
            }
        }
    }

    /// The connection that has been idle the longest, if any is.
    fn oldest_idle(&self) -> Option<tokio::task::Id> {
        self.open
            .iter()
            .filter_map(|(id, opened)| opened.activity.idle_since().map(|since| (since, *id)))
            .min_by_key(|(since, _)| *since)
            .map(|(_, id)| id)
    }

    /// Closes the connections that have been idle (waiting for a request, or still
    /// sending its head) since a sweep at least `timeout` before `now`.
    fn close_idle(&mut self, now: Instant, timeout: Duration) {
        self.open.retain(|_, opened| {
            let Some(since) = opened.activity.idle_since() else {
                opened.idle = None;
                return true;
            };
            match opened.idle {
                Some((seen, from)) if seen == since => {
                    if now.saturating_duration_since(from) < timeout {
                        return true;
                    }
                    opened.abort.abort();
                    false
                }
                _ => {
                    opened.idle = Some((since, now));
                    true
                }
            }
        });
    }

    /// The activity of a connection about to be started: idle from now.
    fn activity(&self) -> Arc<Activity> {
        Arc::new(Activity::new(Arc::clone(&self.ticks)))
    }

    /// Runs the task `connection` of a new connection whose activity is `activity`.
    fn spawn<F>(&mut self, connection: F, activity: Arc<Activity>)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let abort = self.tasks.spawn(connection);
        let opened = Opened {
            activity,
            abort,
            idle: None,
        };
        self.open.insert(opened.abort.id(), opened);
    }

    /// Forgets a connection whose task has ended.
    fn ended(&mut self, ended: Result<(tokio::task::Id, ()), tokio::task::JoinError>) {
        let id = match ended {
            Ok((id, ())) => id,
            Err(e) => e.id(),
        };
        self.open.remove(&id);
    }

    /// Tells every connection to drain.
    fn drain(&self) {
        for opened in self.open.values() {
            opened.activity.drain();
        }
    }
}

/// What a connection is doing, shared between its task and the accept loop.
struct Activity {
    /// [`Activity::BUSY`] while a request is being answered; otherwise the tick at
    /// which the connection became idle (accepted, or done answering).
    since: AtomicU64,
    /// The server's tick counter.
    ticks: Arc<AtomicU64>,
    /// Set once the server drains.
    draining: AtomicBool,
    /// Wakes the connection's task when the server drains.
    drained: Notify,
}

impl Activity {
    /// [`Activity::since`] while a request is being answered.
    const BUSY: u64 = u64::MAX;

    fn new(ticks: Arc<AtomicU64>) -> Self {
        let since = ticks.fetch_add(1, Ordering::Relaxed);
        Activity {
            since: AtomicU64::new(since),
            ticks,
            draining: AtomicBool::new(false),
            drained: Notify::new(),
        }
    }

    /// Since when the connection has answered nothing, as a tick; `None` while it
    /// answers a request.
    fn idle_since(&self) -> Option<u64> {
        let since = self.since.load(Ordering::Relaxed);
        (since != Self::BUSY).then_some(since)
    }

    /// Marks a request as being answered until the returned guard is dropped.
    fn answering(self: &Arc<Self>) -> Answering {
        self.since.store(Self::BUSY, Ordering::Relaxed);
        Answering(Arc::clone(self))
    }

    fn draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }

    fn drain(&self) {
        self.draining.store(true, Ordering::Relaxed);
        self.drained.notify_one();
    }
}

/// A request being answered; dropping it makes the connection idle again.
struct Answering(Arc<Activity>);

impl Drop for Answering {
    fn drop(&mut self) {
        let tick = self.0.ticks.fetch_add(1, Ordering::Relaxed);
        self.0.since.store(tick, Ordering::Relaxed);
    }
}

/// `service` for one connection, marking its requests as being answered.
fn tracked<T>(service: T, activity: &Arc<Activity>) -> Tracked<T> {
    Tracked {
        inner: service,
        activity: Arc::clone(activity),
    }
}

/// A connection's service, which marks each request as being answered from the moment
/// hyper has read its head until hyper has taken the whole answer (its body is dropped
/// then): until that moment hyper may still look at the stream for an early end, which a
/// draining stream must not give it.
#[derive(Clone)]
struct Tracked<T> {
    inner: T,
    activity: Arc<Activity>,
}

impl<T, R, B> hyper::service::Service<R> for Tracked<T>
where
    T: tower::Service<R, Response = http::Response<B>> + Clone,
    tower::util::Oneshot<T, R>: Unpin,
{
    type Response = http::Response<Answered<B>>;
    type Error = T::Error;
    type Future = Tracking<tower::util::Oneshot<T, R>>;

    fn call(&self, request: R) -> Self::Future {
        Tracking {
            answering: Some(self.activity.answering()),
            answer: self.inner.clone().oneshot(request),
        }
    }
}

/// The answer of a [`Tracked`] service, whose body carries the mark of the request.
struct Tracking<F> {
    answer: F,
    answering: Option<Answering>,
}

impl<F, B, E> Future for Tracking<F>
where
    F: Future<Output = Result<http::Response<B>, E>> + Unpin,
{
    type Output = Result<http::Response<Answered<B>>, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let answer = std::task::ready!(Pin::new(&mut self.answer).poll(cx));
        let answering = self.answering.take();
        Poll::Ready(answer.map(|response| {
            response.map(|body| Answered {
                body,
                _answering: answering,
            })
        }))
    }
}

/// An answer's body; the connection is idle again once hyper drops it.
struct Answered<B> {
    body: B,
    _answering: Option<Answering>,
}

impl<B: hyper::body::Body + Unpin> hyper::body::Body for Answered<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<B::Data>, B::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}

/// A connection's byte stream, which reads as ended once the server drains and nothing
/// more has arrived while no request is being answered: the requests already received
/// are answered (hyper reads pipelined ones from its buffer first), and the connection
/// then closes between two requests, never in the middle of one.
struct Drainable<T> {
    inner: T,
    activity: Arc<Activity>,
}

impl<T> Drainable<T> {
    fn new(inner: T, activity: Arc<Activity>) -> Self {
        Drainable { inner, activity }
    }
}

impl<T: AsyncRead + Socket + Unpin> AsyncRead for Drainable<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            // tokio answers `Pending` from the readiness it last saw, which may predate
            // bytes already received: the kernel is asked before the stream ends.
            Poll::Pending
                if this.activity.draining()
                    && this.activity.idle_since().is_some()
                    && !this.inner.has_bytes_waiting() =>
            {
                Poll::Ready(Ok(()))
            }
            read => read,
        }
    }
}

/// A stream over a TCP socket, whose kernel buffer can be looked at.
trait Socket {
    /// Whether bytes have arrived that the stream has not read yet.
    fn has_bytes_waiting(&self) -> bool;
}

impl Socket for TcpStream {
    fn has_bytes_waiting(&self) -> bool {
        let mut byte = [std::mem::MaybeUninit::uninit()];
        // The socket does not block: an empty buffer answers `WouldBlock`, a closed
        // connection 0.
        matches!(socket2::SockRef::from(self).peek(&mut byte), Ok(1..))
    }
}

impl Socket for tokio_rustls::server::TlsStream<TcpStream> {
    fn has_bytes_waiting(&self) -> bool {
        self.get_ref().0.has_bytes_waiting()
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Drainable<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Serves one connection of a listener that speaks both schemes: over TLS when its first
/// byte opens a handshake record, as plain HTTP otherwise. A drain signal before the
/// first byte or during the handshake closes it: it has sent no request yet.
async fn either_scheme<S>(
    stream: TcpStream,
    acceptor: TlsAcceptor,
    http: http1::Builder,
    service: CognitoService<S>,
    activity: Arc<Activity>,
    peer: SocketAddr,
) where
    S: Backend,
{
    let mut first = [0u8; 1];
    let peeked = tokio::select! {
        biased;
        peeked = stream.peek(&mut first) => peeked,
        () = activity.drained.notified() => return,
    };
    match peeked {
        Ok(1..) if first == [TLS_HANDSHAKE_RECORD] => {}
        Ok(0) => return,
        Ok(_) => {
            let io = TokioIo::new(Drainable::new(stream, Arc::clone(&activity)));
            let service = tracked(service, &activity);
            return drive(http.serve_connection(io, service), activity, peer).await;
        }
        Err(e) => {
            tracing::debug!(%peer, error = %e, "connection ended with an error");
            return;
        }
    }
    let handshake = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream));
    let stream = tokio::select! {
        biased;
        handshake = handshake => match handshake {
            Ok(Ok(stream)) => stream,
            Ok(Err(e)) => {
                tracing::debug!(%peer, error = %e, "TLS handshake failed");
                return;
            }
            Err(_) => {
                tracing::debug!(%peer, "TLS handshake timed out");
                return;
            }
        },
        () = activity.drained.notified() => return,
    };
    let io = TokioIo::new(Drainable::new(stream, Arc::clone(&activity)));
    let service = tracked(service.map_request(over_tls), &activity);
    drive(http.serve_connection(io, service), activity, peer).await;
}

/// Drives `connection` to its end. Once the server drains, the connection is polled on
/// so that its stream, now [`Drainable`], ends it after the requests already received.
async fn drive<C>(connection: C, activity: Arc<Activity>, peer: SocketAddr)
where
    C: Future<Output = Result<(), hyper::Error>>,
{
    let mut connection = std::pin::pin!(connection);
    let result = tokio::select! {
        biased;
        result = connection.as_mut() => result,
        () = activity.drained.notified() => connection.await,
    };
    if let Err(e) = result {
        tracing::debug!(%peer, error = %e, "connection ended with an error");
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;
    use tokio::sync::oneshot;
    use tokio::task::JoinHandle;

    use super::*;
    use crate::testing::{sources, Counter};
    use crate::Config;

    /// A server running `config` (plain HTTP, or both schemes with `tls`), and what stops
    /// it.
    struct Running {
        addr: SocketAddr,
        stop: oneshot::Sender<()>,
        server: JoinHandle<std::io::Result<()>>,
    }

    async fn start(config: Config, tls: Option<Arc<ServerConfig>>) -> Running {
        let cognito = Arc::new(cognito_core::Cognito::in_memory(Box::new(
            Counter::default(),
        )));
        let service = CognitoService::new(cognito, sources(), config);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(serve_tls(listener, service, tls, async {
            let _ = stopped.await;
        }));
        Running { addr, stop, server }
    }

    impl Running {
        /// Asks the server to stop and waits for it.
        async fn stop(self) {
            self.stop.send(()).unwrap();
            let finished = tokio::time::timeout(Duration::from_secs(30), self.server).await;
            finished.expect("stopped").unwrap().unwrap();
        }
    }

    const HEALTH: &[u8] = b"GET /health HTTP/1.1\r\nhost: x\r\n\r\n";
    const HEALTH_ANSWER: &str = "HTTP/1.1 200 OK\r\n";

    /// Reads `count` answers to `GET /health` from `stream`; answers how many came.
    async fn health_answers(stream: &mut TcpStream, count: usize) -> usize {
        let mut seen = String::new();
        let mut buf = [0u8; 4096];
        while seen.matches(HEALTH_ANSWER).count() < count || !seen.ends_with(r#"{"status":"ok"}"#) {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.push_str(&String::from_utf8_lossy(&buf[..n])),
            }
        }
        seen.matches(HEALTH_ANSWER).count()
    }

    /// Reads until the server closes `stream`; answers what it sent.
    async fn until_closed(stream: &mut TcpStream) -> String {
        let mut rest = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(600), stream.read_to_end(&mut rest));
        match read.await.expect("the connection is closed") {
            Ok(_) => String::from_utf8_lossy(&rest).into_owned(),
            // Closed with unread bytes of ours: reset.
            Err(e) => {
                assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}");
                String::new()
            }
        }
    }

    /// A request that never completes is cut off when the grace period ends.
    #[tokio::test]
    async fn connections_left_after_the_grace_period_are_closed() {
        let config = Config {
            shutdown_grace: Duration::from_millis(100),
            ..Config::default()
        };
        let running = start(config, None).await;
        let mut stream = TcpStream::connect(running.addr).await.unwrap();
        let head = "POST / HTTP/1.1\r\nhost: x\r\n\
                    x-amz-target: AWSCognitoIdentityProviderService.ListUserPools\r\n\
                    content-length: 100\r\n\r\n{";
        stream.write_all(head.as_bytes()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        running.stop().await;
        let rest = until_closed(&mut stream).await;
        assert!(rest.is_empty(), "{rest}");
    }

    /// At shutdown, every request already sent is answered, pipelined ones included,
    /// then each connection is closed; so is a connection still in the listener's
    /// backlog.
    #[tokio::test]
    async fn requests_received_before_shutdown_are_answered() {
        let running = start(Config::default(), None).await;
        let mut streams = Vec::new();
        for _ in 0..20 {
            let mut stream = TcpStream::connect(running.addr).await.unwrap();
            stream.write_all(HEALTH).await.unwrap();
            assert_eq!(health_answers(&mut stream, 1).await, 1);
            streams.push(stream);
        }
        for stream in &mut streams {
            stream.write_all(&HEALTH.repeat(10)).await.unwrap();
        }
        running.stop().await;
        for stream in &mut streams {
            assert_eq!(health_answers(stream, 10).await, 10);
            assert_eq!(until_closed(stream).await, "");
        }
    }

    /// Clients still in the listener's backlog when shutdown begins are answered too:
    /// here the server is asked to stop before it has accepted anyone.
    #[tokio::test]
    async fn requests_waiting_in_the_backlog_at_shutdown_are_answered() {
        let cognito = Arc::new(cognito_core::Cognito::in_memory(Box::new(
            Counter::default(),
        )));
        let service = CognitoService::new(cognito, sources(), Config::default());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut waiting = Vec::new();
        for _ in 0..5 {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            stream.write_all(&HEALTH.repeat(2)).await.unwrap();
            waiting.push(stream);
        }
        let served = tokio::time::timeout(
            Duration::from_secs(30),
            serve(listener, service, std::future::ready(())),
        );
        served.await.expect("stopped").unwrap();
        for stream in &mut waiting {
            assert_eq!(health_answers(stream, 2).await, 2);
            assert_eq!(until_closed(stream).await, "");
        }
    }

    /// Connections that are idle or still sending a head are closed once the header
    /// read timeout has passed since they became ready for a request, and not before.
    #[tokio::test(start_paused = true)]
    async fn idle_and_half_sent_connections_are_closed_after_the_header_read_timeout() {
        let timeout = Config::default().header_read_timeout;
        let running = start(Config::default(), None).await;
        let mut silent = TcpStream::connect(running.addr).await.unwrap();
        let mut half_sent = TcpStream::connect(running.addr).await.unwrap();
        half_sent
            .write_all(b"POST / HTTP/1.1\r\nhost: x\r\ncontent-le")
            .await
            .unwrap();
        let mut kept_alive = TcpStream::connect(running.addr).await.unwrap();
        kept_alive.write_all(HEALTH).await.unwrap();
        assert_eq!(health_answers(&mut kept_alive, 1).await, 1);
        let started = tokio::time::Instant::now();

        tokio::time::advance(timeout - Duration::from_secs(1)).await;
        for stream in [&silent, &half_sent, &kept_alive] {
            let mut byte = [0u8; 1];
            let read = stream.try_read(&mut byte);
            assert_eq!(
                read.map_err(|e| e.kind()),
                Err(std::io::ErrorKind::WouldBlock),
                "still open"
            );
        }
        for stream in [&mut silent, &mut half_sent, &mut kept_alive] {
            let rest = until_closed(stream).await;
            assert!(
                rest.is_empty() || rest.starts_with("HTTP/1.1 408"),
                "{rest}"
            );
            assert!(started.elapsed() >= timeout - Duration::from_secs(1));
        }
        running.stop().await;
    }

    /// A connection that sends a request every half timeout stays open however long it
    /// lives: each request starts its idle time again.
    #[tokio::test(start_paused = true)]
    async fn connections_in_use_stay_open_past_the_header_read_timeout() {
        let timeout = Config::default().header_read_timeout;
        let running = start(Config::default(), None).await;
        let mut busy = TcpStream::connect(running.addr).await.unwrap();
        for _ in 0..6 {
            busy.write_all(HEALTH).await.unwrap();
            assert_eq!(health_answers(&mut busy, 1).await, 1);
            tokio::time::advance(timeout / 2).await;
        }
        busy.write_all(HEALTH).await.unwrap();
        assert_eq!(health_answers(&mut busy, 1).await, 1);
        running.stop().await;
    }

    /// With every connection slot taken by clients that send half a head and wait, a
    /// new client is still answered: the connection idle the longest makes room for it.
    #[tokio::test]
    async fn half_sent_heads_at_the_connection_limit_do_not_keep_new_clients_out() {
        let config = Config {
            max_connections: 4,
            ..Config::default()
        };
        let running = start(config, None).await;
        let mut slow = Vec::new();
        for _ in 0..4 {
            let mut stream = TcpStream::connect(running.addr).await.unwrap();
            stream
                .write_all(b"GET /health HTTP/1.1\r\nho")
                .await
                .unwrap();
            slow.push(stream);
        }
        let mut clients = Vec::new();
        for _ in 0..3 {
            let mut client = TcpStream::connect(running.addr).await.unwrap();
            client.write_all(HEALTH).await.unwrap();
            assert_eq!(health_answers(&mut client, 1).await, 1);
            clients.push(client);
        }
        // The three new clients took the places of the three oldest slow ones.
        for stream in slow.iter_mut().take(3) {
            assert_eq!(until_closed(stream).await, "");
        }
        running.stop().await;
    }

    /// A TLS configuration that presents no certificate: enough for connections that
    /// never complete a handshake.
    fn tls_without_certificate() -> Arc<ServerConfig> {
        #[derive(Debug)]
        struct NoCertificate;
        impl tokio_rustls::rustls::server::ResolvesServerCert for NoCertificate {
            fn resolve(
                &self,
                _: tokio_rustls::rustls::server::ClientHello<'_>,
            ) -> Option<Arc<tokio_rustls::rustls::sign::CertifiedKey>> {
                None
            }
        }
        #[allow(deprecated)]
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(NoCertificate));
        Arc::new(config)
    }

    /// On a listener that speaks both schemes, plain HTTP is answered, and a connection
    /// that has sent nothing yet is closed at shutdown without waiting for the grace
    /// period.
    #[tokio::test]
    async fn a_tls_listener_answers_plain_http_and_drains_silent_connections() {
        let config = Config {
            shutdown_grace: Duration::from_secs(600),
            ..Config::default()
        };
        let running = start(config, Some(tls_without_certificate())).await;

        let mut plain = TcpStream::connect(running.addr).await.unwrap();
        plain.write_all(HEALTH).await.unwrap();
        assert_eq!(health_answers(&mut plain, 1).await, 1);

        let mut silent = TcpStream::connect(running.addr).await.unwrap();
        // The server has accepted it once it answers another connection.
        let mut other = TcpStream::connect(running.addr).await.unwrap();
        other.write_all(HEALTH).await.unwrap();
        assert_eq!(health_answers(&mut other, 1).await, 1);
        let stopped = tokio::time::timeout(Duration::from_secs(10), running.stop());
        stopped.await.expect("drained before the grace period");
        assert_eq!(until_closed(&mut silent).await, "");
        assert_eq!(until_closed(&mut plain).await, "");
    }
}
