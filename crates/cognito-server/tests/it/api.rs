//! The `awsJson1_1` API over HTTP: routing by target, rejections, validation messages,
//! the request context and missing behaviour.

use cognito_model::Operation;
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{api, empty, with_body, Server, DEFAULT_REGION};

#[tokio::test]
async fn health() {
    let server = Server::start().await;
    let answer = server.send(empty(http::Request::get("/health"))).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, json!({"status": "ok"}));
    answer.request_id();
}

#[tokio::test]
async fn rejections() {
    let server = Server::start().await;
    let cases = [
        (
            with_body(api("FlyToTheMoon"), "{}"),
            400,
            "UnknownOperationException",
            "Unknown operation AWSCognitoIdentityProviderService.FlyToTheMoon",
        ),
        (
            with_body(http::Request::post("/"), "{}"),
            400,
            "UnknownOperationException",
            "Missing X-Amz-Target header",
        ),
        (
            with_body(api("DescribeUserPool"), r#"{"UserPoolId": "#),
            400,
            "SerializationException",
            "The request body is not valid JSON: EOF while parsing a value at line 1 column 15",
        ),
        (
            with_body(api("DescribeUserPool"), r#"["UserPoolId"]"#),
            400,
            "SerializationException",
            "The request body must be a JSON object",
        ),
        (
            with_body(api("DescribeUserPool"), "{}"),
            400,
            "InvalidParameterException",
            "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null",
        ),
        (
            empty(api("DescribeUserPool")),
            400,
            "InvalidParameterException",
            "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null",
        ),
        (
            with_body(
                http::Request::post("/")
                    .header("x-amz-target", "AWSCognitoIdentityProviderService.DescribeUserPool")
                    .header("content-type", "text/plain"),
                "{}",
            ),
            415,
            "UnsupportedMediaTypeException",
            "Unsupported Content-Type; use application/x-amz-json-1.1, application/x-amz-json-1.0 or application/json",
        ),
        (
            empty(http::Request::get("/")),
            404,
            "NotFoundException",
            "No route for GET /",
        ),
    ];
    for (request, status, type_name, message) in cases {
        let answer = server.send(request).await;
        answer.assert_error(status, type_name, message);
        answer.request_id();
    }
}

/// A body declared larger than the limit is refused before any of it is sent.
#[tokio::test]
async fn oversized_bodies_are_refused_unread() {
    let server = Server::start().await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let head = "POST / HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/x-amz-json-1.1\r\n\
                x-amz-target: AWSCognitoIdentityProviderService.CreateUserPool\r\n\
                content-length: 7340032\r\n\r\n";
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response))
        .await
        .expect("the server answers without waiting for the body")
        .unwrap();
    let response = String::from_utf8(response).unwrap();
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(
        response.ends_with(
            r#"{"__type":"RequestEntityTooLargeException","message":"Request body is larger than the limit of 6291456 bytes"}"#
        ),
        "{response}"
    );
    // The server is still there.
    assert_eq!(
        server
            .send(empty(http::Request::get("/health")))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn the_region_comes_from_the_credential_scope() {
    let server = Server::start().await;
    let signed = with_body(
        api("CreateUserPool").header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-west-3/cognito-idp/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123456789abcdef",
        ),
        r#"{"PoolName": "signed"}"#,
    );
    let answer = server.send(signed).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let id = answer.body["UserPool"]["Id"].as_str().unwrap();
    assert!(id.starts_with("eu-west-3_"), "{id}");

    let unsigned = server
        .call("CreateUserPool", json!({"PoolName": "unsigned"}))
        .await;
    assert_eq!(unsigned.status, 200, "{unsigned:?}");
    let id = unsigned.body["UserPool"]["Id"].as_str().unwrap();
    assert!(id.starts_with(&format!("{DEFAULT_REGION}_")), "{id}");
}

/// Every operation answers an empty input with JSON and a request id, never a server
/// fault; those whose behaviour is not built yet say so with a 501.
#[tokio::test]
async fn every_operation_answers() {
    let server = Server::start().await;
    for op in Operation::ALL {
        let answer = server.call(op.name(), json!({})).await;
        answer.request_id();
        let status = answer.status.as_u16();
        assert!(
            status == 200 || (400..500).contains(&status) || status == 501,
            "{}: {answer:?}",
            op.name()
        );
        if status == 501 {
            answer.assert_error(
                501,
                "NotImplementedException",
                &format!(
                    "Operation {} is not implemented by this emulator yet",
                    op.name()
                ),
            );
        } else if status != 200 {
            assert!(
                answer.body["__type"].is_string(),
                "{}: {answer:?}",
                op.name()
            );
        }
    }
}
