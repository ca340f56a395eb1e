//! The service end to end, driven with `oneshot` over a fake Cognito.

use std::sync::Arc;

use cognito_core::RequestContext;
use cognito_model::shapes::{
    CreateUserPoolRequest, CreateUserPoolResponse, DescribeUserPoolRequest,
    DescribeUserPoolResponse, UserPoolType,
};
use cognito_model::{CognitoError, CognitoIdentityProvider, ErrorKind, OperationError};
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use serde_json::Value;
use tower::ServiceExt;

use super::*;

/// Answers CreateUserPool from the request context and DescribeUserPool with "not found";
/// every other operation is not implemented.
struct Fake;

impl CognitoIdentityProvider for Fake {
    type Context = RequestContext;

    fn create_user_pool(
        &self,
        ctx: &RequestContext,
        input: CreateUserPoolRequest,
    ) -> Result<CreateUserPoolResponse, OperationError> {
        Ok(CreateUserPoolResponse {
            user_pool: Some(UserPoolType {
                id: Some(format!("{}_fake", ctx.region)),
                arn: Some(format!(
                    "arn:aws:cognito-idp:{}:{}:userpool/x",
                    ctx.region, ctx.account_id
                )),
                name: Some(input.pool_name),
                creation_date: Some(ctx.now),
                ..UserPoolType::default()
            }),
        })
    }

    fn describe_user_pool(
        &self,
        _ctx: &RequestContext,
        input: DescribeUserPoolRequest,
    ) -> Result<DescribeUserPoolResponse, OperationError> {
        Err(CognitoError::new(
            ErrorKind::ResourceNotFoundException,
            format!("User pool {} does not exist.", input.user_pool_id),
        )
        .into())
    }
}

impl Backend for Fake {}

fn service(config: Config) -> CognitoService<Fake> {
    CognitoService::new(Arc::new(Fake), crate::testing::sources(), config)
}

struct Answer {
    status: StatusCode,
    headers: http::HeaderMap,
    body: Value,
}

async fn send(service: &CognitoService<Fake>, request: Request<Full<Bytes>>) -> Answer {
    let response = service.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap()
    };
    Answer {
        status,
        headers,
        body,
    }
}

fn api(operation: &str) -> http::request::Builder {
    Request::post("/")
        .header(
            "x-amz-target",
            format!("AWSCognitoIdentityProviderService.{operation}"),
        )
        .header("content-type", "application/x-amz-json-1.1")
}

/// Sends `request` and checks the status, the `__type` (`None` for success) and that the
/// message contains `message`.
async fn check(request: Request<Full<Bytes>>, status: u16, type_name: Option<&str>, message: &str) {
    let what = format!(
        "{} {:?}",
        request.method(),
        request.headers().get("x-amz-target")
    );
    let answer = send(&service(Config::default()), request).await;
    assert_eq!(answer.status.as_u16(), status, "{what}: {}", answer.body);
    assert_eq!(answer.body["__type"].as_str(), type_name, "{what}");
    assert_eq!(
        answer
            .headers
            .get("x-amzn-errortype")
            .map(|v| v.to_str().unwrap()),
        type_name
    );
    if let Some(m) = answer.body["message"].as_str() {
        assert!(m.contains(message), "{what}: {m:?} lacks {message:?}");
    } else {
        assert!(message.is_empty(), "{what}: no message");
    }
    let id = answer.headers["x-amzn-requestid"].to_str().unwrap();
    assert_eq!(id.len(), 36, "{id}");
    assert_eq!(&id[14..15], "4", "{id}");
    assert_eq!(answer.headers["access-control-allow-origin"], "*");
    assert!(answer.headers["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .contains("x-amzn-RequestId"));
}

fn body(builder: http::request::Builder, body: &'static str) -> Request<Full<Bytes>> {
    builder
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .unwrap()
}

/// A request, the status and `__type` expected, and a part of the expected message.
type Case = (
    Request<Full<Bytes>>,
    u16,
    Option<&'static str>,
    &'static str,
);

#[tokio::test]
async fn api_requests() {
    let target = |t: &str| Request::post("/").header("x-amz-target", t.to_owned());
    let cases: Vec<Case> = vec![
        (body(api("DescribeUserPool"), r#"{"UserPoolId":"us-east-1_abc"}"#), 400, Some("ResourceNotFoundException"), "User pool us-east-1_abc does not exist."),
        (body(api("CreateUserPool"), r#"{"PoolName":"p"}"#), 200, None, ""),
        (body(api("ListUserPools"), r#"{"MaxResults":10}"#), 501, Some("NotImplementedException"), "Operation ListUserPools is not implemented by this emulator yet"),
        (
            body(api("DescribeUserPool"), "{}"),
            400,
            Some("InvalidParameterException"),
            "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null",
        ),
        (body(api("DescribeUserPool"), ""), 400, Some("InvalidParameterException"), "Value null at 'userPoolId'"),
        (body(api("DescribeUserPool"), r#"{"UserPoolId":5}"#), 400, Some("SerializationException"), "userPoolId"),
        (body(api("DescribeUserPool"), "{"), 400, Some("SerializationException"), "not valid JSON"),
        (body(api("DescribeUserPool"), "[1]"), 400, Some("SerializationException"), "must be a JSON object"),
        (body(api("Nope"), "{}"), 400, Some("UnknownOperationException"), "Unknown operation AWSCognitoIdentityProviderService.Nope"),
        (body(target("Cognito.DescribeUserPool"), "{}"), 400, Some("UnknownOperationException"), "Unknown operation"),
        (body(Request::post("/"), "{}"), 400, Some("UnknownOperationException"), "Missing X-Amz-Target"),
        (body(target("AWSCognitoIdentityProviderService.CreateUserPool"), r#"{"PoolName":"p"}"#), 200, None, ""),
        (
            body(target("AWSCognitoIdentityProviderService.CreateUserPool").header("content-type", "application/json; charset=utf-8"), r#"{"PoolName":"p"}"#),
            200,
            None,
            "",
        ),
        (
            body(target("AWSCognitoIdentityProviderService.CreateUserPool").header("content-type", "application/x-amz-json-1.0"), r#"{"PoolName":"p"}"#),
            200,
            None,
            "",
        ),
        (
            body(target("AWSCognitoIdentityProviderService.CreateUserPool").header("content-type", "text/xml"), r#"{"PoolName":"p"}"#),
            415,
            Some("UnsupportedMediaTypeException"),
            "application/x-amz-json-1.1",
        ),
        (body(Request::get("/"), ""), 404, Some("NotFoundException"), "No route for GET /"),
        (body(Request::post("/nowhere"), "{}"), 404, Some("NotFoundException"), "No route for POST /nowhere"),
    ];
    for (request, status, type_name, message) in cases {
        check(request, status, type_name, message).await;
    }
}

#[tokio::test]
async fn the_context_carries_region_account_and_time() {
    let service = service(Config {
        default_region: "ca-central-1".into(),
        account_id: "000011112222".into(),
        ..Config::default()
    });
    let unsigned = body(api("CreateUserPool"), r#"{"PoolName":"p"}"#);
    let answer = send(&service, unsigned).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers["content-type"], "application/x-amz-json-1.1");
    let pool = &answer.body["UserPool"];
    assert_eq!(pool["Id"], "ca-central-1_fake");
    assert_eq!(
        pool["Arn"],
        "arn:aws:cognito-idp:ca-central-1:000011112222:userpool/x"
    );
    assert_eq!(pool["CreationDate"], 1_767_225_600);

    let signed = body(
        api("CreateUserPool").header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-west-3/cognito-idp/aws4_request, SignedHeaders=host, Signature=00",
        ),
        r#"{"PoolName":"p"}"#,
    );
    let answer = send(&service, signed).await;
    assert_eq!(answer.body["UserPool"]["Id"], "eu-west-3_fake");
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let service = service(Config {
        max_body_bytes: 16,
        ..Config::default()
    });
    let big = body(
        api("CreateUserPool"),
        r#"{"PoolName":"a pool with a long name"}"#,
    );
    let answer = send(&service, big).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer.body["__type"], "RequestEntityTooLargeException");
    assert_eq!(
        answer.body["message"],
        "Request body is larger than the limit of 16 bytes"
    );

    let declared = body(api("CreateUserPool").header("content-length", "17"), "{}");
    assert_eq!(
        send(&service, declared).await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );

    let small = body(api("CreateUserPool"), r#"{"PoolName":"p"}"#);
    assert_eq!(send(&service, small).await.status, StatusCode::OK);
}

#[tokio::test]
async fn health_and_preflight() {
    let service = service(Config::default());
    let answer = send(&service, body(Request::get("/health"), "")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, serde_json::json!({"status": "ok"}));

    let preflight = Request::builder()
        .method(Method::OPTIONS)
        .uri("/")
        .header("origin", "http://localhost:5173")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type,x-amz-target,x-amz-user-agent",
        )
        .body(Full::new(Bytes::new()))
        .unwrap();
    let answer = send(&service, preflight).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert_eq!(
        answer.headers["access-control-allow-origin"],
        "http://localhost:5173"
    );
    let allowed = answer.headers["access-control-allow-headers"]
        .to_str()
        .unwrap();
    assert!(allowed.contains("x-amz-target"), "{allowed}");
    assert!(answer.headers.contains_key("access-control-max-age"));
    assert!(answer.headers.contains_key("x-amzn-requestid"));
}

#[tokio::test]
async fn request_ids_differ() {
    let service = service(Config::default());
    let a = send(&service, body(Request::get("/health"), "")).await;
    let b = send(&service, body(Request::get("/health"), "")).await;
    assert_ne!(a.headers["x-amzn-requestid"], b.headers["x-amzn-requestid"]);
}

/// A backend without a `Cognito` takes no user import uploads, and says so before it
/// reads the body.
#[tokio::test]
async fn backends_without_cognito_take_no_user_import_uploads() {
    let request = Request::put("/_cognito/user-import/us-east-1_a/import-b?token=t")
        .header("content-length", "3")
        .body(Full::new(Bytes::from_static(b"a,b")))
        .unwrap();
    let answer = send(&service(Config::default()), request).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.body);
    assert_eq!(answer.body["__type"], "ResourceNotFoundException");
    assert_eq!(
        answer.body["message"],
        "User import jobs are not supported by this backend."
    );
}
