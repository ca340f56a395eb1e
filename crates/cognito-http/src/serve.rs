//! Running a [`CognitoService`] on a TCP listener: HTTP/1.1 with keep-alive, one task per
//! connection, and a graceful shutdown that stops accepting, lets requests in flight
//! finish and closes idle connections.
//!
//! Each connection's task waits for its connection and for a one-shot signal to drain
//! it; at shutdown every open connection gets that signal, and those still open when the
//! grace period ends are aborted. (A `watch` channel shared by every connection, as
//! `hyper_util`'s graceful shutdown has, is polled with each request and takes a lock
//! that all the workers share.)

use std::future::Future;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinSet;

use crate::Backend;
use crate::CognitoService;

/// How long to wait before accepting again after `accept` failed (for example when the
/// process is out of file descriptors).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

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
    let mut http = http1::Builder::new();
    // Idle keep-alive connections stay open until the client closes them, as AWS's do:
    // clients pool connections and reuse them after pauses, and a POST on a connection the
    // server closed meanwhile fails without a retry.
    http.timer(TokioTimer::new())
        .keep_alive(true)
        .header_read_timeout(None);
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
                    let connection = http.serve_connection(
                        TokioIo::new(stream),
                        TowerToHyperService::new(service.clone()),
                    );
                    let (drain, drained) = oneshot::channel();
                    drains.retain(|drain| !drain.is_closed());
                    drains.push(drain);
                    connections.spawn(async move {
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
                    });
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
}
