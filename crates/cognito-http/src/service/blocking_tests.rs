//! Cryptography stays off the async workers: while one pool's RSA key is being made
//! (held here by a [`KeySource`] that waits for the test's word), other pools' requests,
//! their own keys and `GET /health` are answered.
//!
//! The tests run on a current-thread runtime: had the held key been made on the async
//! path, the one thread would wait for it and nothing else would be answered. No timing
//! is asserted: the held request is checked to be still unanswered after the others.

use std::sync::{Arc, Condvar, Mutex, OnceLock};

use cognito_core::auth::{GeneratedKeys, KeySource};
use cognito_core::{Cognito, Random};
use cognito_crypto::jwt::SigningKey;
use http::{Request, StatusCode};
use http_body_util::{BodyExt, Full};
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tower::ServiceExt;

use super::*;

/// Makes keys (one real RSA-2048 key, made once per test run), holding the first request
/// until [`HeldKeys::release`]; the others pass straight through.
struct HeldKeys {
    /// Told when the first request arrives.
    entered: mpsc::UnboundedSender<()>,
    /// Whether the first request may go on; how many requests came.
    state: Mutex<(bool, u32)>,
    released: Condvar,
}

impl HeldKeys {
    fn new() -> (Arc<HeldKeys>, mpsc::UnboundedReceiver<()>) {
        let (entered, told) = mpsc::unbounded_channel();
        let keys = HeldKeys {
            entered,
            state: Mutex::new((false, 0)),
            released: Condvar::new(),
        };
        (Arc::new(keys), told)
    }

    fn release(&self) {
        self.state.lock().unwrap().0 = true;
        self.released.notify_all();
    }
}

/// The service's handle on the shared [`HeldKeys`].
struct Held(Arc<HeldKeys>);

impl KeySource for Held {
    fn signing_key(&self, random: &dyn Random) -> Result<SigningKey, String> {
        self.0.signing_key(random)
    }
}

impl HeldKeys {
    fn signing_key(&self, random: &dyn Random) -> Result<SigningKey, String> {
        let first = {
            let mut state = self.state.lock().unwrap();
            state.1 += 1;
            state.1 == 1
        };
        if first {
            let _ = self.entered.send(());
            let mut state = self.state.lock().unwrap();
            // Bounded, so that a regression fails the test instead of hanging it.
            let deadline = std::time::Duration::from_secs(60);
            while !state.0 {
                let (next, timeout) = self.released.wait_timeout(state, deadline).unwrap();
                state = next;
                if timeout.timed_out() {
                    return Err("never released".into());
                }
            }
        }
        static KEY: OnceLock<Vec<u8>> = OnceLock::new();
        let der = KEY.get_or_init(|| {
            GeneratedKeys
                .signing_key(random)
                .unwrap()
                .to_pkcs8_der()
                .expose()
                .clone()
        });
        SigningKey::from_pkcs8_der(der).map_err(|e| e.to_string())
    }
}

/// Bytes from a counter.
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

fn api(operation: &str, body: &Value) -> Request<Full<Bytes>> {
    Request::post("/")
        .header(
            "x-amz-target",
            format!("AWSCognitoIdentityProviderService.{operation}"),
        )
        .header("content-type", "application/x-amz-json-1.1")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap()
}

fn get(path: &str) -> Request<Full<Bytes>> {
    Request::get(path).body(Full::default()).unwrap()
}

async fn answer(service: &CognitoService, request: Request<Full<Bytes>>) -> (StatusCode, Value) {
    let response = service.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn create_pool(service: &CognitoService, name: &str) -> String {
    let (status, body) = answer(service, api("CreateUserPool", &json!({ "PoolName": name }))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["UserPool"]["Id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn other_pools_and_health_are_answered_while_a_key_is_made() {
    let (keys, mut entered) = HeldKeys::new();
    let cognito = Cognito::in_memory(Box::new(Counter::default()))
        .with_key_source(Box::new(Held(Arc::clone(&keys))));
    let service = CognitoService::new(
        Arc::new(cognito),
        crate::testing::sources(),
        Config::default(),
    );
    let held_pool = create_pool(&service, "held").await;
    let other_pool = create_pool(&service, "other").await;

    // The first key set request of `held` starts making its key, and waits there.
    let held = tokio::spawn({
        let service = service.clone();
        let path = format!("/{held_pool}/.well-known/jwks.json");
        async move { answer(&service, get(&path)).await }
    });
    entered.recv().await.unwrap();

    let (status, body) = answer(&service, get("/health")).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"status": "ok"})));
    let (status, body) = answer(
        &service,
        api("DescribeUserPool", &json!({ "UserPoolId": other_pool })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Another pool's key is made meanwhile, by its key set and by a certificate.
    let (status, body) = answer(
        &service,
        get(&format!("/{other_pool}/.well-known/jwks.json")),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["keys"].as_array().map(Vec::len), Some(1), "{body}");
    let (status, body) = answer(
        &service,
        api(
            "GetSigningCertificate",
            &json!({ "UserPoolId": other_pool }),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["Certificate"].as_str().is_some(), "{body}");

    assert!(!held.is_finished(), "the held key was released too early");
    keys.release();
    let (status, body) = held.await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["keys"].as_array().map(Vec::len), Some(1), "{body}");
}

/// The operations that sign or make keys are the ones sent to the blocking pool; the
/// others stay on the async worker.
#[test]
fn cryptographic_operations_run_on_the_blocking_pool() {
    let blocking: Vec<Operation> = Operation::ALL
        .iter()
        .copied()
        .filter(|op| runs_on_blocking_pool(*op))
        .collect();
    assert_eq!(
        blocking,
        [
            Operation::AdminInitiateAuth,
            Operation::AdminRespondToAuthChallenge,
            Operation::GetDerivedToken,
            Operation::GetSigningCertificate,
            Operation::GetTokensFromRefreshToken,
            Operation::InitiateAuth,
            Operation::RespondToAuthChallenge,
        ]
    );
}
