//! Fuzz target `request`: one `cognito-idp` API call through the whole HTTP service
//! (target → content type → body → bounded JSON → validation → dispatch → answer).
//!
//! The input's first byte picks the operation (past the last one, a target no operation
//! has), its second the `Content-Type`; the rest is the body. Each run starts from a
//! state holding one pool with an app client and a user, whose ids the body can name as
//! `$POOL` and `$CLIENT` (replaced before the call), so that inputs reach past "not
//! found". A panic, or an answer of 500 (a fault of the server, where every bad input
//! deserves a client error), fails the run.
//!
//! Run it for a fixed time with `cargo xtask fuzz --seconds 60`.

#![no_main]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use cognito_core::auth::KeySource;
use cognito_core::{Clock, Cognito, Random};
use cognito_http::{CognitoService, Config, Sources, Stopwatch};
use cognito_model::{Operation, Timestamp};
use http::{Request, StatusCode};
use http_body_util::{BodyExt, Full};
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

/// `Content-Type`s the second byte chooses between; past them, none is sent.
const CONTENT_TYPES: [&str; 4] = [
    "application/x-amz-json-1.1",
    "application/json; charset=utf-8",
    "text/plain",
    "application/x-amz-json-1.0",
];

/// Bytes from a counter that every run starts again, so that each run's ids are the
/// same.
#[derive(Clone, Default)]
struct Counter(Arc<AtomicU64>);

impl Random for Counter {
    fn fill(&self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let n = self.0.fetch_add(1, Ordering::Relaxed).to_be_bytes();
            chunk.copy_from_slice(&n[..chunk.len()]);
        }
    }
}

impl Stopwatch for Counter {
    fn micros(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// 2026-01-01T00:00:00Z.
struct FixedClock;

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_secs(1_767_225_600)
    }
}

/// One RSA key for every pool: generating one per run would be all the fuzzer did.
struct OneKey(Vec<u8>);

impl KeySource for OneKey {
    fn signing_key(&self, _: &dyn Random) -> Result<cognito_crypto::jwt::SigningKey, String> {
        cognito_crypto::jwt::SigningKey::from_pkcs8_der(&self.0).map_err(|e| e.to_string())
    }
}

/// The service every run calls, and what it is made of.
struct Harness {
    runtime: tokio::runtime::Runtime,
    cognito: Arc<Cognito>,
    counter: Counter,
    service: CognitoService<Cognito>,
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let counter = Counter::default();
        let key = cognito_core::auth::GeneratedKeys
            .signing_key(&counter)
            .expect("a key")
            .to_pkcs8_der()
            .expose()
            .clone();
        let cognito = Arc::new(
            Cognito::in_memory(Box::new(counter.clone())).with_key_source(Box::new(OneKey(key))),
        );
        let sources = Sources {
            clock: Arc::new(FixedClock),
            random: Arc::new(counter.clone()),
            stopwatch: Arc::new(counter.clone()),
            clock_control: None,
        };
        let service = CognitoService::new(Arc::clone(&cognito), sources, Config::default());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a runtime");
        Harness {
            runtime,
            cognito,
            counter,
            service,
        }
    })
}

/// Calls `target` with `body`; the answer's status and body.
async fn call(
    service: &CognitoService<Cognito>,
    target: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, Bytes) {
    let mut request = Request::post("/").header("x-amz-target", target);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    let request = request
        .body(Full::new(Bytes::from(body)))
        .expect("a request");
    let response = service.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let body = response.into_body().collect().await.expect("infallible");
    (status, body.to_bytes())
}

/// The text at `pointer` in a JSON answer; empty when it has none.
fn field(answer: &[u8], pointer: &str) -> String {
    serde_json::from_slice::<serde_json::Value>(answer)
        .ok()
        .and_then(|v| {
            v.pointer(pointer)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        })
        .unwrap_or_default()
}

/// Makes the pool, client and user every run starts from; answers the pool's and the
/// client's ids.
async fn set_up(service: &CognitoService<Cognito>) -> (String, String) {
    let api = |op: &str| format!("AWSCognitoIdentityProviderService.{op}");
    let json = Some(CONTENT_TYPES[0]);
    let (_, pool) = call(
        service,
        &api("CreateUserPool"),
        json,
        br#"{"PoolName":"fuzz"}"#.to_vec(),
    )
    .await;
    let pool = field(&pool, "/UserPool/Id");
    let client = format!(
        r#"{{"UserPoolId":"{pool}","ClientName":"c","ExplicitAuthFlows":["ALLOW_USER_PASSWORD_AUTH","ALLOW_USER_SRP_AUTH","ALLOW_REFRESH_TOKEN_AUTH"]}}"#
    );
    let (_, client) = call(
        service,
        &api("CreateUserPoolClient"),
        json,
        client.into_bytes(),
    )
    .await;
    let client = field(&client, "/UserPoolClient/ClientId");
    let user = format!(
        r#"{{"UserPoolId":"{pool}","Username":"alice","TemporaryPassword":"Passw0rd!","MessageAction":"SUPPRESS","UserAttributes":[{{"Name":"email","Value":"alice@example.com"}}]}}"#
    );
    call(service, &api("AdminCreateUser"), json, user.into_bytes()).await;
    (pool, client)
}

/// `body` with `$POOL` and `$CLIENT` replaced by the ids they stand for.
fn substitute(body: &[u8], pool: &str, client: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.iter().position(|&b| b == b'$') {
        out.extend_from_slice(&rest[..at]);
        let after = &rest[at..];
        if let Some(tail) = after.strip_prefix(b"$POOL") {
            out.extend_from_slice(pool.as_bytes());
            rest = tail;
        } else if let Some(tail) = after.strip_prefix(b"$CLIENT") {
            out.extend_from_slice(client.as_bytes());
            rest = tail;
        } else {
            out.push(b'$');
            rest = &after[1..];
        }
    }
    out.extend_from_slice(rest);
    out
}

fuzz_target!(|data: &[u8]| {
    let [op, content_type, body @ ..] = data else {
        return;
    };
    let target = match Operation::ALL.get(usize::from(*op)) {
        Some(op) => format!("AWSCognitoIdentityProviderService.{}", op.name()),
        None => format!("AWSCognitoIdentityProviderService.Op{op}"),
    };
    let content_type = CONTENT_TYPES.get(usize::from(*content_type)).copied();
    let harness = harness();
    harness.cognito.reset();
    harness.counter.0.store(0, Ordering::Relaxed);
    harness.runtime.block_on(async {
        let (pool, client) = set_up(&harness.service).await;
        let body = substitute(body, &pool, &client);
        let (status, answer) = call(&harness.service, &target, content_type, body).await;
        assert_ne!(
            status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{target}: {}",
            String::from_utf8_lossy(&answer)
        );
    });
});
