//! Which pages may call what, end to end over a real Cognito: the test API answers
//! programs and the allowed origin only, and refuses other pages and rebound host names;
//! the `cognito-idp` API, key sets and discovery documents stay open to every page.

use std::sync::Arc;

use cognito_core::{Cognito, Random};
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use serde_json::{json, Value};
use tower::ServiceExt;

use super::*;
use crate::Origin;

/// The one origin allowed to call the test API in these tests.
const ALLOWED: &str = "http://localhost:3000";
/// A page that must not reach the test API.
const EVIL: &str = "https://evil.example";

/// Bytes from a counter, for the pool's ids and codes.
#[derive(Default)]
struct Counter(std::sync::atomic::AtomicU64);

impl Random for Counter {
    fn fill(&self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let n = self
                .0
                .fetch_add(0x9E37_79B9_7F4A_7C15, std::sync::atomic::Ordering::Relaxed)
                .to_le_bytes();
            chunk.copy_from_slice(&n[..chunk.len()]);
        }
    }
}

/// A server listening on `127.0.0.1` that allows [`ALLOWED`].
fn service() -> CognitoService {
    let cognito = Arc::new(Cognito::in_memory(Box::new(Counter::default())));
    let config = Config {
        test_api_origins: vec![ALLOWED.parse::<Origin>().unwrap()],
        listen_hosts: vec!["127.0.0.1".to_owned()],
        ..Config::default()
    };
    CognitoService::new(cognito, crate::testing::sources(), config)
}

/// A request: method, path and headers.
struct Ask {
    method: Method,
    path: String,
    headers: Vec<(&'static str, &'static str)>,
}

fn ask(method: Method, path: impl Into<String>, headers: &[(&'static str, &'static str)]) -> Ask {
    Ask {
        method,
        path: path.into(),
        headers: headers.to_vec(),
    }
}

/// Sends `ask` and checks the answer's status and its `Access-Control-Allow-Origin`;
/// `None` means no CORS header at all. Refusals must be 403 `ForbiddenException`.
async fn check(service: &CognitoService, ask: Ask, status: u16, allow_origin: Option<&str>) {
    let what = format!("{} {} {:?}", ask.method, ask.path, ask.headers);
    let mut request = Request::builder().method(ask.method).uri(&ask.path);
    for (name, value) in &ask.headers {
        request = request.header(*name, *value);
    }
    if ask.path == "/" {
        request = request
            .header(
                "x-amz-target",
                "AWSCognitoIdentityProviderService.DescribeUserPool",
            )
            .header("content-type", "application/x-amz-json-1.1");
    }
    let body = if ask.path == "/" {
        Full::new(Bytes::from_static(br#"{"UserPoolId":"us-east-1_nothere"}"#))
    } else {
        Full::default()
    };
    let response = service
        .clone()
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let headers = response.headers().clone();
    assert_eq!(response.status().as_u16(), status, "{what}");
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    if status == 403 {
        let error: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(error["__type"], "ForbiddenException", "{what}");
        assert!(
            error["message"].as_str().unwrap().contains("test API"),
            "{what}"
        );
        assert_eq!(headers["x-amzn-errortype"], "ForbiddenException", "{what}");
    }
    match allow_origin {
        Some(origin) => {
            assert_eq!(headers["access-control-allow-origin"], origin, "{what}");
            assert!(
                headers.contains_key("access-control-expose-headers"),
                "{what}"
            );
        }
        None => {
            let cors: Vec<_> = headers
                .keys()
                .filter(|name| name.as_str().starts_with("access-control-"))
                .collect();
            assert!(cors.is_empty(), "{what}: {cors:?}");
        }
    }
}

/// Signs up `alice` in a new pool that emails codes; returns the pool id.
async fn signed_up(service: &CognitoService) -> String {
    let call = |operation: &str, body: Value| {
        Request::post("/")
            .header(
                "x-amz-target",
                format!("AWSCognitoIdentityProviderService.{operation}"),
            )
            .header("content-type", "application/x-amz-json-1.1")
            .body(Full::new(Bytes::from(body.to_string())))
            .unwrap()
    };
    let json_of = |response: Response<ResponseBody>| async move {
        assert_eq!(response.status(), StatusCode::OK);
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        serde_json::from_slice::<Value>(&bytes).unwrap()
    };
    let pool = json_of(
        service
            .clone()
            .oneshot(call(
                "CreateUserPool",
                json!({"PoolName": "p", "AutoVerifiedAttributes": ["email"]}),
            ))
            .await
            .unwrap(),
    )
    .await["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    let client = json_of(
        service
            .clone()
            .oneshot(call(
                "CreateUserPoolClient",
                json!({"UserPoolId": pool, "ClientName": "app"}),
            ))
            .await
            .unwrap(),
    )
    .await["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    json_of(
        service
            .clone()
            .oneshot(call(
                "SignUp",
                json!({"ClientId": client, "Username": "alice", "Password": "Passw0rd!",
                       "UserAttributes": [{"Name": "email", "Value": "alice@example.com"}]}),
            ))
            .await
            .unwrap(),
    )
    .await;
    pool
}

#[tokio::test]
async fn the_test_api_answers_programs_without_cors() {
    let service = service();
    signed_up(&service).await;
    let cases = [
        ask(Method::GET, "/_cognito/codes", &[]),
        ask(
            Method::GET,
            "/_cognito/codes",
            &[("host", "localhost:9229")],
        ),
        ask(
            Method::GET,
            "/_cognito/codes",
            &[("host", "127.0.0.1:9229")],
        ),
        ask(Method::GET, "/_cognito/codes", &[("host", "[::1]:9229")]),
        ask(Method::GET, "/_cognito/codes", &[("host", "app.localhost")]),
        // Node's fetch says it is a CORS request, and names no site.
        ask(
            Method::GET,
            "/_cognito/codes",
            &[("sec-fetch-mode", "cors")],
        ),
        // The developer typed the address into a browser.
        ask(
            Method::GET,
            "/_cognito/messages",
            &[("sec-fetch-site", "none")],
        ),
        ask(
            Method::POST,
            "/_cognito/reset",
            &[("host", "localhost:9229")],
        ),
    ];
    for case in cases {
        check(&service, case, 200, None).await;
    }
    check(
        &service,
        ask(Method::GET, "/_cognito/nothing", &[]),
        404,
        None,
    )
    .await;
    // A preflight always names its origin: without one, OPTIONS is no preflight.
    check(
        &service,
        ask(Method::OPTIONS, "/_cognito/reset", &[]),
        404,
        None,
    )
    .await;
}

#[tokio::test]
async fn the_test_api_refuses_other_pages_and_rebound_hosts() {
    let service = service();
    signed_up(&service).await;
    let preflight = [
        ("origin", EVIL),
        ("access-control-request-method", "POST"),
        ("access-control-request-headers", "content-type"),
    ];
    let cases = [
        ask(Method::GET, "/_cognito/codes", &[("origin", EVIL)]),
        ask(Method::GET, "/_cognito/messages", &[("origin", "null")]),
        ask(
            Method::GET,
            "/_cognito/messages",
            &[("origin", "http://localhost:3001")],
        ),
        ask(Method::POST, "/_cognito/reset", &[("origin", EVIL)]),
        ask(Method::OPTIONS, "/_cognito/reset", &preflight),
        ask(Method::GET, "/_cognito/nothing", &[("origin", EVIL)]),
        ask(
            Method::GET,
            "/_cognito/messages",
            &[("sec-fetch-site", "cross-site")],
        ),
        ask(
            Method::POST,
            "/_cognito/reset",
            &[("sec-fetch-site", "same-site")],
        ),
        // DNS rebinding: evil.example now resolves to 127.0.0.1, and the page reads
        // its "own" origin.
        ask(
            Method::GET,
            "/_cognito/codes",
            &[("host", "evil.example:9229")],
        ),
        ask(
            Method::POST,
            "/_cognito/reset",
            &[
                ("host", "evil.example:9229"),
                ("sec-fetch-site", "same-origin"),
            ],
        ),
        ask(
            Method::GET,
            "/_cognito/codes",
            &[("host", "evil.example:9229"), ("origin", ALLOWED)],
        ),
        ask(Method::GET, "/_cognito/codes", &[("host", "10.0.0.8:9229")]),
    ];
    for case in cases {
        check(&service, case, 403, None).await;
    }

    // Nothing was reset: alice's code is still there.
    let response = service
        .clone()
        .oneshot(
            Request::get("/_cognito/codes")
                .body(ResponseBody::default())
                .unwrap(),
        )
        .await
        .unwrap();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let codes: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(codes["codes"].as_array().unwrap().len(), 1, "{codes}");
}

#[tokio::test]
async fn allowed_origins_get_cors_headers() {
    let service = service();
    signed_up(&service).await;
    let cases = [
        ask(Method::GET, "/_cognito/codes", &[("origin", ALLOWED)]),
        ask(
            Method::GET,
            "/_cognito/messages",
            &[
                ("origin", ALLOWED),
                ("sec-fetch-site", "same-site"),
                ("host", "localhost:9229"),
            ],
        ),
        ask(
            Method::POST,
            "/_cognito/reset",
            &[("origin", ALLOWED), ("sec-fetch-site", "cross-site")],
        ),
    ];
    for case in cases {
        check(&service, case, 200, Some(ALLOWED)).await;
    }
    let preflight = [
        ("origin", ALLOWED),
        ("access-control-request-method", "POST"),
        ("access-control-request-headers", "content-type"),
    ];
    check(
        &service,
        ask(Method::OPTIONS, "/_cognito/reset", &preflight),
        204,
        Some(ALLOWED),
    )
    .await;
    check(
        &service,
        ask(Method::GET, "/_cognito/nothing", &[("origin", ALLOWED)]),
        404,
        Some(ALLOWED),
    )
    .await;
}

/// The API and the published documents keep their CORS for every page, whatever the
/// test API's guard thinks of the request.
#[tokio::test]
async fn the_api_and_published_documents_stay_open_to_every_page() {
    let service = service();
    let pool = signed_up(&service).await;
    let cross_site = [
        ("origin", EVIL),
        ("sec-fetch-site", "cross-site"),
        ("host", "evil.example:9229"),
    ];
    let api_preflight = [
        ("origin", EVIL),
        ("access-control-request-method", "POST"),
        (
            "access-control-request-headers",
            "content-type,x-amz-target,x-amz-user-agent",
        ),
    ];
    let discovery = format!("/{pool}/.well-known/openid-configuration");
    let cases = [
        (ask(Method::POST, "/", &cross_site), 400, Some(EVIL)),
        (ask(Method::POST, "/", &[]), 400, Some("*")),
        (ask(Method::OPTIONS, "/", &api_preflight), 204, Some(EVIL)),
        (
            ask(Method::GET, discovery.as_str(), &cross_site),
            200,
            Some(EVIL),
        ),
        (
            ask(
                Method::GET,
                "/us-east-1_nothere/.well-known/jwks.json",
                &cross_site,
            ),
            404,
            Some(EVIL),
        ),
        (ask(Method::GET, "/health", &cross_site), 200, Some(EVIL)),
    ];
    for (case, status, allow_origin) in cases {
        check(&service, case, status, allow_origin).await;
    }
}

/// The discovery document names the issuer and the key set, and no endpoint this server
/// does not serve.
#[tokio::test]
async fn discovery_advertises_only_what_is_served() {
    let service = service();
    let pool = signed_up(&service).await;
    let request = Request::get(format!("/{pool}/.well-known/openid-configuration"))
        .header("host", "localhost:9229")
        .body(ResponseBody::default())
        .unwrap();
    let response = service.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let doc: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        doc["jwks_uri"],
        format!("http://localhost:9229/{pool}/.well-known/jwks.json")
    );
    assert!(doc["issuer"].as_str().unwrap().ends_with(&pool), "{doc}");
    for field in [
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "revocation_endpoint",
        "end_session_endpoint",
    ] {
        assert!(doc.get(field).is_none(), "{field} in {doc}");
    }
}
