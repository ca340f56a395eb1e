//! Shutting down: the listener closes, requests in flight finish, idle connections close.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{empty, Server};

/// A bound on anything these tests wait for.
const PATIENCE: Duration = Duration::from_secs(10);

#[tokio::test]
async fn shutdown_closes_idle_connections_and_the_listener() {
    let server = Server::start().await;
    let addr = server.addr;
    // Leave a keep-alive connection open in the client's pool.
    assert_eq!(
        server
            .send(empty(http::Request::get("/health")))
            .await
            .status,
        200
    );
    let task = server.shut_down();
    let result = tokio::time::timeout(PATIENCE, task)
        .await
        .expect("the server stops promptly");
    result.unwrap().unwrap();
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "the listener is closed"
    );
}

#[tokio::test]
async fn a_request_in_flight_finishes_after_shutdown_begins() {
    let server = Server::start().await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    // A first exchange makes sure the server has accepted the connection.
    stream
        .write_all(b"GET /health HTTP/1.1\r\nhost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut seen = Vec::new();
    while !seen.ends_with(br#"{"status":"ok"}"#) {
        let mut buf = [0u8; 1024];
        let n = tokio::time::timeout(PATIENCE, stream.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0, "{}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    let body = br#"{"UserPoolId":"us-east-1_nothere1"}"#;
    let head = format!(
        "POST / HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/x-amz-json-1.1\r\n\
         x-amz-target: AWSCognitoIdentityProviderService.DescribeUserPool\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let (first, rest) = body.split_at(10);
    stream.write_all(first).await.unwrap();
    // Let the server read the head before asking it to stop.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let task = server.shut_down();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        !task.is_finished(),
        "the server waits for the request in flight"
    );
    stream.write_all(rest).await.unwrap();

    let mut response = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut response))
        .await
        .expect("the connection closes after the answer")
        .unwrap();
    let response = String::from_utf8(response).unwrap();
    assert!(response.starts_with("HTTP/1.1 400"), "{response}");
    assert!(response.contains("ResourceNotFoundException"), "{response}");
    tokio::time::timeout(PATIENCE, task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}
