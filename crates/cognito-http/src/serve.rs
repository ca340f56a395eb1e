//! Running a [`CognitoService`] on a TCP listener: HTTP/1.1 with keep-alive, one task per
//! connection, and a graceful shutdown that stops accepting, lets requests in flight
//! finish and closes idle connections. With a TLS configuration ([`serve_tls`]) the same
//! listener also speaks HTTPS: a connection whose first byte opens a TLS handshake record
//! is served over TLS, any other as plain HTTP, so one address answers both schemes.
//! Requests that came over TLS carry the [`Https`] extension, so that the addresses the
//! service names in its answers use the scheme the client used.
//!
//! Each connection's task waits for its connection and for a one-shot signal to drain
//! it; at shutdown every open connection gets that signal, and those still open when the
//! grace period ends are aborted. (A `watch` channel shared by every connection, as
//! `hyper_util`'s graceful shutdown has, is polled with each request and takes a lock
//! that all the workers share.)

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulConnection;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinSet;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::Backend;
use crate::CognitoService;

/// How long to wait before accepting again after `accept` failed (for example when the
/// process is out of file descriptors).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

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

/// Serves `service` on `listener` until `shutdown` completes, then waits up to the
/// configured `shutdown_grace` for open connections to finish and closes those left.
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
    let mut http = http1::Builder::new();
    // Idle keep-alive connections stay open until the client closes them, as AWS's do:
    // clients pool connections and reuse them after pauses, and a POST on a connection the
    // server closed meanwhile fails without a retry.
    http.timer(TokioTimer::new())
        .keep_alive(true)
        .header_read_timeout(None)
        // Answers are whole buffers of a few hundred bytes: copied behind the head, each
        // goes out in one `write`, without the queue of buffers a vectored write keeps.
        .writev(false);
    let tls = tls.map(|config| {
        let mut config = Arc::unwrap_or_clone(config);
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        TlsAcceptor::from(Arc::new(config))
    });
    // Dropping the set (with this future) aborts every connection's task.
    let mut connections = JoinSet::new();
    // The drain signal of each connection not known to be closed.
    let mut drains: Vec<oneshot::Sender<()>> = Vec::new();
    let grace = service.config().shutdown_grace;
    tokio::pin!(shutdown);

    loop {
        tokio::select! {
            biased;
            () = &mut shutdown => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    if let Err(e) = stream.set_nodelay(true) {
                        tracing::debug!(%peer, error = %e, "could not disable Nagle's algorithm");
                    }
                    let (drain, drained) = oneshot::channel();
                    drains.retain(|drain| !drain.is_closed());
                    drains.push(drain);
                    match &tls {
                        None => {
                            let connection = http.serve_connection(
                                TokioIo::new(stream),
                                TowerToHyperService::new(service.clone()),
                            );
                            connections.spawn(drive(connection, drained, peer));
                        }
                        Some(acceptor) => {
                            connections.spawn(either_scheme(
                                stream,
                                acceptor.clone(),
                                http.clone(),
                                service.clone(),
                                drained,
                                peer,
                            ));
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
            },
        }
    }

    drop(listener);
    tracing::debug!("shutting down: draining open connections");
    for drain in drains {
        let _ = drain.send(());
    }
    let drained = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(grace, drained).await.is_err() {
        tracing::warn!(
            grace_ms = grace.as_millis(),
            "connections still open after the grace period; closing them"
        );
        connections.shutdown().await;
    }
    Ok(())
}

/// Serves one connection of a listener that speaks both schemes: over TLS when its first
/// byte opens a handshake record, as plain HTTP otherwise. A drain signal before the
/// first request has been read closes it.
async fn either_scheme<S>(
    stream: TcpStream,
    acceptor: TlsAcceptor,
    http: http1::Builder,
    service: CognitoService<S>,
    mut drained: oneshot::Receiver<()>,
    peer: SocketAddr,
) where
    S: Backend,
{
    let mut first = [0u8; 1];
    let peeked = tokio::select! {
        biased;
        peeked = stream.peek(&mut first) => peeked,
        _ = &mut drained => return,
    };
    match peeked {
        Ok(1..) if first == [TLS_HANDSHAKE_RECORD] => {}
        Ok(0) => return,
        Ok(_) => {
            let connection =
                http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
            return drive(connection, drained, peer).await;
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
        _ = &mut drained => return,
    };
    let connection = http.serve_connection(
        TokioIo::new(stream),
        TowerToHyperService::new(service.map_request(over_tls)),
    );
    drive(connection, drained, peer).await;
}

/// Drives `connection` to its end, shutting it down gracefully when `drained` fires.
async fn drive<C>(connection: C, drained: oneshot::Receiver<()>, peer: SocketAddr)
where
    C: GracefulConnection,
    C::Error: std::fmt::Display,
{
    let mut connection = std::pin::pin!(connection);
    let result = tokio::select! {
        biased;
        result = connection.as_mut() => result,
        _ = drained => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
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

    use super::*;
    use crate::testing::{sources, Counter};
    use crate::Config;

    /// A request that never completes is cut off when the grace period ends.
    #[tokio::test]
    async fn connections_left_after_the_grace_period_are_closed() {
        let cognito = Arc::new(cognito_core::Cognito::in_memory(Box::new(
            Counter::default(),
        )));
        let config = Config {
            shutdown_grace: Duration::from_millis(100),
            ..Config::default()
        };
        let service = CognitoService::new(cognito, sources(), config);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, service, async {
            let _ = stopped.await;
        }));

        let mut stream = TcpStream::connect(addr).await.unwrap();
        let head = "POST / HTTP/1.1\r\nhost: x\r\n\
                    x-amz-target: AWSCognitoIdentityProviderService.ListUserPools\r\n\
                    content-length: 100\r\n\r\n{";
        stream.write_all(head.as_bytes()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        stop.send(()).unwrap();

        let finished = tokio::time::timeout(Duration::from_secs(10), server).await;
        finished.unwrap().unwrap().unwrap();
        let mut rest = Vec::new();
        let read =
            tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut rest)).await;
        assert!(read.is_ok(), "the connection is closed");
        assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest));
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
        let cognito = Arc::new(cognito_core::Cognito::in_memory(Box::new(
            Counter::default(),
        )));
        let config = Config {
            shutdown_grace: Duration::from_secs(600),
            ..Config::default()
        };
        let service = CognitoService::new(cognito, sources(), config);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(serve_tls(
            listener,
            service,
            Some(tls_without_certificate()),
            async {
                let _ = stopped.await;
            },
        ));

        let mut plain = TcpStream::connect(addr).await.unwrap();
        plain
            .write_all(b"GET /health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut answer = Vec::new();
        plain.read_to_end(&mut answer).await.unwrap();
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");

        let mut silent = TcpStream::connect(addr).await.unwrap();
        // The server has accepted it once it answers another connection.
        let mut other = TcpStream::connect(addr).await.unwrap();
        other
            .write_all(b"GET /health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
            .await
            .unwrap();
        other.read_to_end(&mut Vec::new()).await.unwrap();
        stop.send(()).unwrap();

        let finished = tokio::time::timeout(Duration::from_secs(10), server).await;
        finished
            .expect("drained before the grace period")
            .unwrap()
            .unwrap();
        let mut rest = Vec::new();
        let read =
            tokio::time::timeout(Duration::from_secs(10), silent.read_to_end(&mut rest)).await;
        assert!(read.is_ok(), "the connection is closed");
        assert!(rest.is_empty());
    }
}
