//! Running a [`CognitoService`] on a TCP listener: HTTP/1.1 with keep-alive, one task per
//! connection, and a graceful shutdown that stops accepting, lets requests in flight
//! finish and closes idle connections.

use std::future::Future;
use std::time::Duration;

use cognito_core::RequestContext;
use cognito_model::CognitoIdentityProvider;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

use crate::CognitoService;

/// How long to wait before accepting again after `accept` failed (for example when the
/// process is out of file descriptors).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Serves `service` on `listener` until `shutdown` completes, then waits up to the
/// configured `shutdown_grace` for open connections to finish.
///
/// Failing to accept one connection is logged and does not stop the server.
pub async fn serve<S>(
    listener: TcpListener,
    service: CognitoService<S>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()>
where
    S: CognitoIdentityProvider<Context = RequestContext> + Send + Sync + 'static,
{
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new()).keep_alive(true);
    let graceful = GracefulShutdown::new();
    let grace = service.config().shutdown_grace;
    tokio::pin!(shutdown);

    loop {
        tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    if let Err(e) = stream.set_nodelay(true) {
                        tracing::debug!(%peer, error = %e, "could not disable Nagle's algorithm");
                    }
                    let connection = http.serve_connection(
                        TokioIo::new(stream),
                        TowerToHyperService::new(service.clone()),
                    );
                    let connection = graceful.watch(connection);
                    tokio::spawn(async move {
                        if let Err(e) = connection.await {
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
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            grace_ms = grace.as_millis(),
            "connections still open after the grace period; closing them"
        );
    }
    Ok(())
}
