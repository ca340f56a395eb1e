//! What browser clients need: CORS preflights and readable response headers.

use crate::support::{api, with_body, Server};

#[tokio::test]
async fn preflight() {
    let server = Server::start().await;
    let request = http::Request::builder()
        .method(http::Method::OPTIONS)
        .uri("/")
        .header("origin", "http://localhost:3000")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type,x-amz-target,x-amz-user-agent,amz-sdk-invocation-id,amz-sdk-request",
        )
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .unwrap();
    let answer = server.send(request).await;
    assert!(answer.status == 200 || answer.status == 204, "{answer:?}");
    assert_eq!(
        answer.headers["access-control-allow-origin"],
        "http://localhost:3000"
    );
    let methods = answer.headers["access-control-allow-methods"]
        .to_str()
        .unwrap();
    assert!(methods.contains("POST"), "{methods}");
    let allowed = answer.headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for header in [
        "content-type",
        "x-amz-target",
        "x-amz-user-agent",
        "authorization",
        "x-amz-date",
        "x-amz-security-token",
        "amz-sdk-invocation-id",
        "amz-sdk-request",
        "cache-control",
    ] {
        assert!(allowed.contains(header), "{header} not in {allowed}");
    }
    assert!(answer.headers.contains_key("access-control-max-age"));
}

#[tokio::test]
async fn api_answers_expose_their_headers() {
    let server = Server::start().await;
    let answer = server
        .send(with_body(
            api("DescribeUserPool").header("origin", "https://app.example"),
            "{}",
        ))
        .await;
    assert_eq!(
        answer.headers["access-control-allow-origin"],
        "https://app.example"
    );
    let exposed = answer.headers["access-control-expose-headers"]
        .to_str()
        .unwrap();
    for header in [
        "x-amzn-RequestId",
        "x-amzn-ErrorType",
        "x-amzn-ErrorMessage",
        "date",
    ] {
        assert!(exposed.contains(header), "{header} not in {exposed}");
    }

    let answer = server.send(with_body(api("DescribeUserPool"), "{}")).await;
    assert_eq!(answer.headers["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn the_test_api_answers_the_hosts_it_is_told_of_and_no_others() {
    let server = Server::start_with(|o| o.test_api_hosts = vec!["cognito".into()]).await;
    let messages = |host: String| {
        http::Request::get("/_cognito/messages")
            .header("host", host)
            .body(http_body_util::Full::default())
            .unwrap()
    };
    let port = server.addr.port();
    for host in [
        format!("cognito:{port}"),
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
    ] {
        let answer = server.send(messages(host.clone())).await;
        assert_eq!(answer.status, 200, "{host}: {answer:?}");
    }
    let rebound = server.send(messages(format!("evil.example:{port}"))).await;
    assert_eq!(rebound.status, 403, "{rebound:?}");
    assert_eq!(rebound.body["__type"], "ForbiddenException");
}
