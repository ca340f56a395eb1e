//! The test API end to end over a real service, driven with `oneshot`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use cognito_core::{Cognito, Random};
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

use super::*;
use crate::{CognitoService, Config};

/// Well-mixed deterministic bytes (splitmix64), so ids and codes look random.
#[derive(Default)]
struct Mixed(AtomicU64);

impl Random for Mixed {
    fn fill(&self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let mut z = self.0.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
        }
    }
}

fn service() -> CognitoService {
    let cognito = Arc::new(Cognito::in_memory(Box::new(Mixed::default())));
    CognitoService::new(cognito, crate::testing::sources(), Config::default())
}

async fn send(service: &CognitoService, request: Request<Full<Bytes>>) -> (StatusCode, Value) {
    let test_api = request.uri().path().starts_with("/_cognito/");
    let response = service.clone().oneshot(request).await.unwrap();
    let status = response.status();
    if test_api && status == StatusCode::OK {
        assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
    }
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

async fn get(service: &CognitoService, uri: &str) -> (StatusCode, Value) {
    send(service, Request::get(uri).body(Full::default()).unwrap()).await
}

async fn post(service: &CognitoService, uri: &str, body: &str) -> (StatusCode, Value) {
    let request = Request::post(uri)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_owned())))
        .unwrap();
    send(service, request).await
}

async fn call(service: &CognitoService, operation: &str, body: Value) -> Value {
    let request = Request::post("/")
        .header(
            "x-amz-target",
            format!("AWSCognitoIdentityProviderService.{operation}"),
        )
        .header("content-type", "application/x-amz-json-1.1")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap();
    let (status, answer) = send(service, request).await;
    assert_eq!(status, StatusCode::OK, "{operation}: {answer}");
    answer
}

/// A pool that emails codes, its client, and `alice` signed up: (pool id, client id).
async fn signed_up(service: &CognitoService) -> (String, String) {
    let pool = call(
        service,
        "CreateUserPool",
        json!({"PoolName": "p", "AutoVerifiedAttributes": ["email"]}),
    )
    .await["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    let client = call(
        service,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": "app"}),
    )
    .await["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    call(
        service,
        "SignUp",
        json!({
            "ClientId": client,
            "Username": "alice",
            "Password": "Passw0rd!",
            "UserAttributes": [{"Name": "email", "Value": "alice+test@example.com"}],
        }),
    )
    .await;
    (pool, client)
}

/// A pool made with `pool_settings`, a client for password sign-in, and `username` with
/// the password `Sup3r!secret`: (pool id, client id).
async fn with_password(
    service: &CognitoService,
    username: &str,
    pool_settings: Value,
) -> (String, String) {
    let pool = call(service, "CreateUserPool", pool_settings).await["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    let client = call(
        service,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": "app", "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .await["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string();
    call(
        service,
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": username, "MessageAction": "SUPPRESS"}),
    )
    .await;
    call(
        service,
        "AdminSetUserPassword",
        json!({"UserPoolId": pool, "Username": username, "Password": "Sup3r!secret", "Permanent": true}),
    )
    .await;
    (pool, client)
}

#[tokio::test]
async fn messages_lists_what_was_sent() {
    let service = service();
    let (pool, _) = signed_up(&service).await;
    let (status, answer) = get(&service, "/_cognito/messages").await;
    assert_eq!(status, StatusCode::OK);
    let messages = answer["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    let code = message["code"].as_str().unwrap();
    assert_eq!(code.len(), 6);
    assert_eq!(message["pool_id"], pool);
    assert_eq!(message["username"], "alice");
    assert_eq!(message["channel"], "EMAIL");
    assert_eq!(message["destination"], "alice+test@example.com");
    assert_eq!(message["subject"], "Your verification code");
    assert_eq!(message["kind"], "sign_up_code");
    assert_eq!(message["sent_at"], 1_767_225_600);
    assert!(message["body"].as_str().unwrap().contains(code));
    // No mailer: the outbox is where it went.
    assert_eq!(message["delivery"], "outbox");
    assert_eq!(message["delivery_error"], Value::Null);

    for (query, count) in [
        (format!("pool_id={pool}&username=alice"), 1),
        ("username=bob".to_owned(), 0),
        ("channel=email".to_owned(), 1),
        ("channel=SMS".to_owned(), 0),
        ("destination=alice%2Btest%40example.com".to_owned(), 1),
        ("destination=alice+test@example.com".to_owned(), 1),
        ("pool_id=us-east-1_other".to_owned(), 0),
        (String::new(), 1),
    ] {
        let (status, answer) = get(&service, &format!("/_cognito/messages?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}: {answer}");
        assert_eq!(
            answer["messages"].as_array().unwrap().len(),
            count,
            "{query}"
        );
    }
    for (query, message) in [
        ("channel=fax", "channel must be EMAIL or SMS"),
        (
            "user=alice",
            "Unknown query parameter user; expected pool_id, username, destination, channel, limit, next_token",
        ),
        (
            "username=a&username=b",
            "Query parameter username is repeated",
        ),
        ("username=%4", "Malformed percent-encoding in \"%4\""),
    ] {
        let (status, answer) = get(&service, &format!("/_cognito/messages?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(answer["__type"], "InvalidParameterException");
        assert_eq!(answer["message"], message);
    }
}

/// A mailer whose mail server refuses everything, at once.
struct Refusing;

impl cognito_core::messages::Mailer for Refusing {
    fn deliver(
        &self,
        _email: cognito_core::messages::Email,
        report: cognito_core::messages::DeliveryReport,
    ) {
        report.failed("550 mailbox unavailable");
    }
}

#[tokio::test]
async fn messages_show_what_the_mailer_reported() {
    let cognito = Arc::new(Cognito::in_memory(Box::new(Mixed::default())));
    cognito.outbox().set_mailer(Arc::new(Refusing));
    let service = CognitoService::new(cognito, crate::testing::sources(), Config::default());
    signed_up(&service).await;
    let (_, answer) = get(&service, "/_cognito/messages").await;
    let message = &answer["messages"][0];
    assert_eq!(message["delivery"], "failed");
    assert_eq!(message["delivery_error"], "550 mailbox unavailable");
    assert_eq!(message["code"].as_str().unwrap().len(), 6);
}

#[tokio::test]
async fn codes_lists_the_pending_codes() {
    let service = service();
    let (pool, _) = signed_up(&service).await;
    let (_, sent) = get(&service, "/_cognito/messages").await;
    let (status, answer) = get(
        &service,
        &format!("/_cognito/codes?pool_id={pool}&username=alice"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        answer,
        json!({"codes": [{
            "pool_id": pool,
            "username": "alice",
            "purpose": "sign_up",
            "code": sent["messages"][0]["code"],
            "expires_at": 1_767_225_600 + 86_400,
        }]})
    );
    let (_, none) = get(&service, "/_cognito/codes?username=bob").await;
    assert_eq!(none, json!({"codes": []}));
    let (status, _) = get(&service, "/_cognito/codes?channel=SMS").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn confirm_user_confirms_and_verifies() {
    let service = service();
    let (pool, _) = signed_up(&service).await;
    let body = json!({"pool_id": pool, "username": "alice"}).to_string();
    let (status, answer) = post(&service, "/_cognito/users/confirm", &body).await;
    assert_eq!((status, answer), (StatusCode::OK, json!({})));
    let user = call(
        &service,
        "AdminGetUser",
        json!({"UserPoolId": pool, "Username": "alice"}),
    )
    .await;
    assert_eq!(user["UserStatus"], "CONFIRMED");
    let verified = user["UserAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["Name"] == "email_verified")
        .map(|a| a["Value"].clone());
    assert_eq!(verified, Some(json!("true")));
    let (_, codes) = get(&service, "/_cognito/codes").await;
    assert_eq!(codes, json!({"codes": []}));

    let cases = [
        (
            json!({"pool_id": pool, "username": "bob"}).to_string(),
            404,
            "UserNotFoundException",
            "User does not exist.",
        ),
        (
            json!({"pool_id": "us-east-1_none", "username": "alice"}).to_string(),
            404,
            "ResourceNotFoundException",
            "User pool us-east-1_none does not exist.",
        ),
        (
            json!({"pool_id": pool}).to_string(),
            400,
            "InvalidParameterException",
            "username is required and must be a string",
        ),
        (
            String::new(),
            400,
            "InvalidParameterException",
            "pool_id is required and must be a string",
        ),
        (
            "[1]".to_owned(),
            400,
            "SerializationException",
            "The request body must be a JSON object",
        ),
    ];
    for (body, status, type_name, message) in cases {
        let (got, answer) = post(&service, "/_cognito/users/confirm", &body).await;
        assert_eq!(got.as_u16(), status, "{body}: {answer}");
        assert_eq!(answer["__type"], type_name, "{body}");
        assert_eq!(answer["message"], message, "{body}");
    }
}

#[tokio::test]
async fn reset_forgets_everything() {
    let service = service();
    let (pool, _) = signed_up(&service).await;
    let (status, answer) = post(&service, "/_cognito/reset", "").await;
    assert_eq!((status, answer), (StatusCode::OK, json!({})));
    let (_, messages) = get(&service, "/_cognito/messages").await;
    assert_eq!(messages, json!({"messages": []}));
    let request = Request::post("/")
        .header(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.DescribeUserPool",
        )
        .body(Full::new(Bytes::from(
            json!({"UserPoolId": pool}).to_string(),
        )))
        .unwrap();
    let (status, answer) = send(&service, request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["__type"], "ResourceNotFoundException");
}

/// A backend that serves only the API.
struct ApiOnly;

impl cognito_model::CognitoIdentityProvider for ApiOnly {
    type Context = cognito_core::RequestContext;
}

impl Backend for ApiOnly {}

#[tokio::test]
async fn backends_without_the_test_api_say_so() {
    let service = CognitoService::new(
        Arc::new(ApiOnly),
        crate::testing::sources(),
        Config::default(),
    );
    for request in [
        Request::get("/_cognito/messages")
            .body(Full::default())
            .unwrap(),
        Request::get("/_cognito/codes")
            .body(Full::default())
            .unwrap(),
        Request::post("/_cognito/reset")
            .body(Full::default())
            .unwrap(),
        Request::post("/_cognito/users/confirm")
            .body(Full::new(Bytes::from_static(
                br#"{"pool_id":"us-east-1_a","username":"u"}"#,
            )))
            .unwrap(),
    ] {
        let response = service.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let answer: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(
            answer["message"],
            "The test API is not supported by this backend."
        );
    }
}

#[test]
fn percent_decoding() {
    assert_eq!(decode("a%40b.c").unwrap(), "a@b.c");
    assert_eq!(decode("%2B1415").unwrap(), "+1415");
    assert_eq!(decode("+1415").unwrap(), "+1415");
    assert_eq!(decode("%C3%A9t%C3%A9").unwrap(), "été");
    assert!(decode("%zz").is_err());
    assert!(decode("%").is_err());
    assert!(decode("%ff").is_err());
}

#[tokio::test]
async fn totp_code_shows_what_the_users_authenticator_shows() {
    let service = service();
    let (pool, client) = with_password(&service, "tia", json!({"PoolName": "mfa"})).await;
    call(
        &service,
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": pool, "MfaConfiguration": "OPTIONAL", "SoftwareTokenMfaConfiguration": {"Enabled": true}}),
    )
    .await;
    let body = json!({"pool_id": pool, "username": "tia"}).to_string();
    let (status, none) = post(&service, "/_cognito/totp-code", &body).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{none}");

    let signed_in = call(
        &service,
        "InitiateAuth",
        json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "tia", "PASSWORD": "Sup3r!secret"}}),
    )
    .await;
    let access = signed_in["AuthenticationResult"]["AccessToken"].clone();
    call(
        &service,
        "AssociateSoftwareToken",
        json!({"AccessToken": access}),
    )
    .await;
    let (status, shown) = post(&service, "/_cognito/totp-code", &body).await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    let code = shown["code"].as_str().unwrap();
    assert!(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "{code}"
    );
    let verified = call(
        &service,
        "VerifySoftwareToken",
        json!({"AccessToken": access, "UserCode": code}),
    )
    .await;
    assert_eq!(verified["Status"], "SUCCESS");
}

#[tokio::test]
async fn devices_lists_tracked_devices_without_secrets() {
    let service = service();
    let pool_settings = json!({"PoolName": "devices", "DeviceConfiguration": {"ChallengeRequiredOnNewDevice": true}});
    let (pool, client) = with_password(&service, "dev", pool_settings).await;
    let (_, none) = get(&service, &format!("/_cognito/devices?pool_id={pool}")).await;
    assert_eq!(none, json!({"devices": []}));

    let signed_in = call(
        &service,
        "InitiateAuth",
        json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "dev", "PASSWORD": "Sup3r!secret"}}),
    )
    .await;
    let metadata = &signed_in["AuthenticationResult"]["NewDeviceMetadata"];
    call(
        &service,
        "ConfirmDevice",
        json!({
            "AccessToken": signed_in["AuthenticationResult"]["AccessToken"],
            "DeviceKey": metadata["DeviceKey"],
            "DeviceName": "laptop",
            "DeviceSecretVerifierConfig": {"PasswordVerifier": "AQID", "Salt": "BAUG"},
        }),
    )
    .await;
    let (status, listed) = get(
        &service,
        &format!("/_cognito/devices?pool_id={pool}&username=dev"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    let device = &listed["devices"][0];
    assert_eq!(device["device_key"], metadata["DeviceKey"]);
    assert_eq!(device["device_group_key"], metadata["DeviceGroupKey"]);
    assert_eq!(device["device_name"], "laptop");
    assert_eq!(device["confirmed"], true);
    assert_eq!(device["remembered"], true);
    assert!(device["last_authenticated_at"].is_number());
    assert!(!listed.to_string().contains("AQID"));
}

/// A clock at 2026-01-01T00:00:00Z plus an offset, or frozen: the test API moves it.
#[derive(Default)]
struct TestClock(std::sync::Mutex<(i64, Option<Timestamp>)>);

impl TestClock {
    const REAL: Timestamp = Timestamp::from_secs(1_767_225_600);
}

impl cognito_core::Clock for TestClock {
    fn now(&self) -> Timestamp {
        self.reading().now
    }
}

impl ClockControl for TestClock {
    fn reading(&self) -> ClockReading {
        let (offset, frozen) = *self.0.lock().unwrap();
        let now = frozen.unwrap_or(Self::REAL.plus_millis(offset));
        ClockReading {
            now,
            offset_millis: now.millis() - Self::REAL.millis(),
            frozen: frozen.is_some(),
        }
    }
    fn advance(&self, millis: i64) {
        let mut state = self.0.lock().unwrap();
        state.0 += millis;
        state.1 = state.1.map(|t| t.plus_millis(millis));
    }
    fn set(&self, to: Timestamp) {
        let mut state = self.0.lock().unwrap();
        state.0 = to.millis() - Self::REAL.millis();
        state.1 = state.1.map(|_| to);
    }
    fn freeze(&self, frozen: bool) {
        let now = self.reading().now;
        *self.0.lock().unwrap() = (now.millis() - Self::REAL.millis(), frozen.then_some(now));
    }
    fn reset(&self) {
        *self.0.lock().unwrap() = (0, None);
    }
}

fn clocked_service() -> CognitoService {
    let cognito = Arc::new(Cognito::in_memory(Box::new(Mixed::default())));
    let clock = Arc::new(TestClock::default());
    let sources = Sources {
        clock: clock.clone(),
        clock_control: Some(clock),
        ..crate::testing::sources()
    };
    CognitoService::new(cognito, sources, Config::default())
}

#[tokio::test]
async fn the_clock_moves_and_codes_expire_with_it() {
    let service = clocked_service();
    let (status, answer) = get(&service, "/_cognito/clock").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        answer,
        json!({"now": "2026-01-01T00:00:00Z", "epoch_seconds": 1_767_225_600, "offset_seconds": 0, "frozen": false})
    );
    signed_up(&service).await;
    let (_, codes) = get(&service, "/_cognito/codes").await;
    assert_eq!(codes["codes"].as_array().unwrap().len(), 1);

    // A sign-up code works for 24 hours: a second short of them it still does.
    let (status, answer) = post(&service, "/_cognito/clock", r#"{"advance_seconds": 86399}"#).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["offset_seconds"], 86_399);
    let (_, codes) = get(&service, "/_cognito/codes").await;
    assert_eq!(codes["codes"].as_array().unwrap().len(), 1);
    post(&service, "/_cognito/clock", r#"{"advance_seconds": 1}"#).await;
    let (_, codes) = get(&service, "/_cognito/codes").await;
    assert_eq!(codes["codes"], json!([]));

    let (_, answer) = post(
        &service,
        "/_cognito/clock",
        r#"{"now": "2030-06-01T12:00:00+02:00", "frozen": true}"#,
    )
    .await;
    assert_eq!(answer["now"], "2030-06-01T10:00:00Z");
    assert_eq!(answer["frozen"], true);
    let (_, answer) = post(&service, "/_cognito/clock", r#"{"now": 1767225660.5}"#).await;
    assert_eq!(answer["now"], "2026-01-01T00:01:00.500Z");
    assert_eq!(answer["offset_seconds"], 60);
    assert_eq!(answer["frozen"], true);

    let (status, answer) = post(&service, "/_cognito/clock/reset", "{}").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["offset_seconds"], 0);
    assert_eq!(answer["frozen"], false);
    let request = Request::delete("/_cognito/clock")
        .body(Full::default())
        .unwrap();
    assert_eq!(send(&service, request).await.0, StatusCode::OK);

    for (body, message) in [
        ("{}", "Give advance_seconds, now or frozen"),
        (
            r#"{"advance_seconds": 1, "now": 0}"#,
            "Give advance_seconds or now, not both",
        ),
        (
            r#"{"advance_seconds": "1"}"#,
            "advance_seconds must be a number of seconds",
        ),
        (
            r#"{"now": "tomorrow"}"#,
            "now must be an RFC 3339 time such as 2030-01-01T00:00:00Z, not \"tomorrow\"",
        ),
        (r#"{"frozen": "yes"}"#, "frozen must be true or false"),
        (
            r#"{"advance_seconds": 1e300}"#,
            "advance_seconds must be a number of seconds",
        ),
    ] {
        let (status, answer) = post(&service, "/_cognito/clock", body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer["message"], message, "{body}");
    }
}

#[tokio::test]
async fn a_clock_that_cannot_move_says_so() {
    let service = service();
    let (status, answer) = get(&service, "/_cognito/clock").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["message"], "This server's clock cannot be moved.");
}

#[tokio::test]
async fn listings_answer_a_page_at_a_time() {
    let service = service();
    let (pool, client) = signed_up(&service).await;
    for name in ["bob", "carol", "dave", "erin"] {
        call(
            &service,
            "SignUp",
            json!({"ClientId": client, "Username": name, "Password": "Passw0rd!",
                   "UserAttributes": [{"Name": "email", "Value": format!("{name}@example.com")}]}),
        )
        .await;
    }
    let (_, all) = get(&service, "/_cognito/messages").await;
    assert_eq!(all["messages"].as_array().unwrap().len(), 5);
    assert!(all.get("next_token").is_none());

    for listing in ["messages", "codes"] {
        let mut names = Vec::new();
        let mut uri = format!("/_cognito/{listing}?limit=2&pool_id={pool}");
        loop {
            let (status, page) = get(&service, &uri).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            let items = page[listing].as_array().unwrap();
            assert!(items.len() <= 2);
            names.extend(
                items
                    .iter()
                    .map(|m| m["username"].as_str().unwrap().to_owned()),
            );
            let Some(next) = page["next_token"].as_str() else {
                break;
            };
            uri = format!("/_cognito/{listing}?limit=2&pool_id={pool}&next_token={next}");
        }
        names.sort();
        assert_eq!(
            names,
            ["alice", "bob", "carol", "dave", "erin"],
            "{listing}"
        );
    }

    for (query, message) in [
        ("limit=0", "limit must be a whole number from 1 to 10000"),
        (
            "limit=10001",
            "limit must be a whole number from 1 to 10000",
        ),
        ("limit=x", "limit must be a whole number from 1 to 10000"),
        (
            "next_token=abc",
            "next_token must be one a previous page answered",
        ),
    ] {
        let (status, answer) = get(&service, &format!("/_cognito/messages?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(answer["message"], message, "{query}");
    }
}

#[tokio::test]
async fn reset_forgets_one_pool_when_named() {
    let service = service();
    let (pool, _) = signed_up(&service).await;
    let (other, _) = signed_up(&service).await;
    let (status, answer) = post(
        &service,
        "/_cognito/reset",
        &json!({"pool_id": pool}).to_string(),
    )
    .await;
    assert_eq!((status, answer), (StatusCode::OK, json!({})));
    let (_, messages) = get(&service, "/_cognito/messages").await;
    assert_eq!(messages["messages"].as_array().unwrap().len(), 1);
    assert_eq!(messages["messages"][0]["pool_id"], other);

    let (status, _) = post(&service, &format!("/_cognito/reset/{other}"), "").await;
    assert_eq!(status, StatusCode::OK);
    let (_, messages) = get(&service, "/_cognito/messages").await;
    assert_eq!(messages, json!({"messages": []}));

    let (status, answer) = post(&service, &format!("/_cognito/reset/{other}"), "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(answer["__type"], "ResourceNotFoundException");
    let (status, answer) = post(&service, "/_cognito/reset", r#"{"pool_id": 1}"#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        answer["message"],
        "pool_id is required and must be a string"
    );
}

#[tokio::test]
async fn seed_makes_fixed_ids_once() {
    let service = service();
    let document = json!({"UserPools": [{
        "Id": "us-east-1_Seeded",
        "PoolName": "app",
        "Clients": [{"ClientId": "seededclient", "ClientName": "web",
                     "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
        "Users": [{"Username": "alice", "Password": "Sup3r!secret"}],
    }]})
    .to_string();
    let (status, answer) = post(&service, "/_cognito/seed", &document).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        answer,
        json!({"created": ["pool us-east-1_Seeded", "client seededclient", "user us-east-1_Seeded/alice"], "existing": []})
    );
    let signed_in = call(
        &service,
        "InitiateAuth",
        json!({"ClientId": "seededclient", "AuthFlow": "USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Sup3r!secret"}}),
    )
    .await;
    assert!(signed_in["AuthenticationResult"]["AccessToken"].is_string());
    let (_, again) = post(&service, "/_cognito/seed", &document).await;
    assert_eq!(again["created"], json!([]));
    assert_eq!(again["existing"].as_array().unwrap().len(), 3);

    let (status, answer) = post(&service, "/_cognito/seed", r#"{"Pools": []}"#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(answer["message"]
        .as_str()
        .unwrap()
        .starts_with("The seed document is malformed: unknown field `Pools`"));
    let bad = r#"{"UserPools": [{"Id": "us-east-1_Other", "PoolName": "p", "Users": [{"Username": "u"}]}]}"#;
    let (status, answer) = post(&service, "/_cognito/seed", bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["__type"], "InvalidParameterException");
    assert!(answer["message"]
        .as_str()
        .unwrap()
        .starts_with("UserPools[0].Users[0]: A CONFIRMED user needs a Password"));
}

#[tokio::test]
async fn fakecloud_paths_answer_in_fakecloud_shapes() {
    let service = service();
    let (pool, client) = signed_up(&service).await;
    let (_, sent) = get(&service, "/_cognito/messages").await;
    let code = sent["messages"][0]["code"].clone();

    let (status, codes) = get(&service, "/_fakecloud/cognito/confirmation-codes").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        codes,
        json!({"codes": [{"poolId": pool, "username": "alice", "code": code, "type": "signup"}]})
    );
    let (_, user) = get(
        &service,
        &format!("/_fakecloud/cognito/confirmation-codes/{pool}/alice"),
    )
    .await;
    assert_eq!(
        user,
        json!({"confirmationCode": code, "attributeVerificationCodes": {}})
    );
    let (_, nobody) = get(
        &service,
        &format!("/_fakecloud/cognito/confirmation-codes/{pool}/nobody"),
    )
    .await;
    assert_eq!(
        nobody,
        json!({"confirmationCode": null, "attributeVerificationCodes": {}})
    );

    let body = json!({"userPoolId": pool, "username": "alice"}).to_string();
    let (status, answer) = post(&service, "/_fakecloud/cognito/confirm-user", &body).await;
    assert_eq!(
        (status, answer),
        (StatusCode::OK, json!({"confirmed": true}))
    );
    let body = json!({"userPoolId": pool, "username": "bob"}).to_string();
    let (status, answer) = post(&service, "/_fakecloud/cognito/confirm-user", &body).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        answer,
        json!({"confirmed": false, "error": "User does not exist."})
    );

    call(
        &service,
        "UpdateUserPoolClient",
        json!({"UserPoolId": pool, "ClientId": client,
               "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .await;
    call(
        &service,
        "InitiateAuth",
        json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!"}}),
    )
    .await;
    let (_, tokens) = get(&service, "/_fakecloud/cognito/tokens").await;
    let kinds: Vec<&str> = tokens["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["access", "refresh"]);
    assert_eq!(tokens["tokens"][0]["poolId"], pool);
    assert_eq!(tokens["tokens"][0]["clientId"], client);
    assert_eq!(tokens["tokens"][0]["issuedAt"], 1_767_225_600.0);

    let (_, events) = get(&service, "/_fakecloud/cognito/auth-events").await;
    let sign_in = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["eventType"] == "SignIn")
        .unwrap()
        .clone();
    assert_eq!(sign_in["userPoolId"], pool);
    assert_eq!(sign_in["username"], "alice");
    assert_eq!(sign_in["success"], true);

    let (_, expired) = post(
        &service,
        "/_fakecloud/cognito/expire-tokens",
        &json!({"username": "alice"}).to_string(),
    )
    .await;
    assert_eq!(expired, json!({"expiredTokens": 2}));
    let (_, tokens) = get(&service, "/_fakecloud/cognito/tokens").await;
    assert_eq!(tokens, json!({"tokens": []}));

    let body = json!({"passwords": ["Passw0rd!", "hunter2"]}).to_string();
    let (_, added) = post(&service, "/_fakecloud/cognito/compromised-passwords", &body).await;
    assert_eq!(added, json!({"added": 2}));
    let (_, added) = post(&service, "/_fakecloud/cognito/compromised-passwords", &body).await;
    assert_eq!(added, json!({"added": 0}));

    let (_, credentials) = get(&service, "/_fakecloud/cognito/webauthn-credentials").await;
    assert_eq!(credentials, json!({"credentials": []}));
    let (_, invocations) = get(&service, "/_fakecloud/cognito/pretokengen/invocations").await;
    assert_eq!(invocations, json!({"invocations": []}));

    let (status, answer) = get(&service, "/_fakecloud/cognito/tokens?pool=x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
}
