//! Fixtures for unit tests: a service with deterministic randomness and a request context
//! whose clock the test sets.

use cognito_model::shapes::*;
use cognito_model::Timestamp;

use crate::ids::tests::SeqRandom;
use crate::lambda::{Invoked, Lambda, LambdaError};
use crate::{Cognito, RequestContext};

pub(crate) fn service() -> Cognito {
    Cognito::in_memory(Box::new(SeqRandom::default()))
        .with_key_source(Box::new(TestKey))
        .with_links(crate::Links {
            issuer_base: "http://localhost:9229".into(),
            user_import_base: "http://localhost:9229/_cognito/user-import".into(),
        })
}

/// `svc` with tokens issued by `issuer_base`.
pub(crate) fn with_issuer(svc: Cognito, issuer_base: &str) -> Cognito {
    let user_import_base = svc.links.user_import_base.clone();
    svc.with_links(crate::Links {
        issuer_base: issuer_base.into(),
        user_import_base,
    })
}

/// One RSA key for every test pool: generating a key per pool would take most of the
/// test run.
struct TestKey;

impl crate::ops::auth::KeySource for TestKey {
    fn signing_key(
        &self,
        _random: &dyn crate::Random,
    ) -> Result<cognito_crypto::jwt::SigningKey, String> {
        static PKCS8: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        let der = PKCS8.get_or_init(|| {
            let random = SeqRandom::default();
            crate::ops::auth::GeneratedKeys
                .signing_key(&random)
                .unwrap()
                .to_pkcs8_der()
                .expose()
                .clone()
        });
        cognito_crypto::jwt::SigningKey::from_pkcs8_der(der).map_err(|e| e.to_string())
    }
}

pub(crate) fn ctx_at(secs: i64) -> RequestContext {
    RequestContext {
        region: "us-east-1".into(),
        account_id: "123456789012".into(),
        now: Timestamp::from_secs(secs),
        aws_sdk_version: None,
    }
}

pub(crate) fn ctx() -> RequestContext {
    ctx_at(1_700_000_000)
}

pub(crate) fn create_pool(svc: &Cognito, name: &str) -> UserPoolType {
    svc.create_user_pool(
        &ctx(),
        CreateUserPoolRequest {
            pool_name: name.into(),
            ..Default::default()
        },
    )
    .unwrap()
    .user_pool
    .unwrap()
}

impl Cognito {
    /// Pool `id`'s state behind its lock, for tests to look into and arrange; the
    /// service itself reaches state only through the store's `read` and `update`.
    pub(crate) fn pool(
        &self,
        _ctx: &RequestContext,
        id: &str,
    ) -> Result<
        std::sync::Arc<parking_lot::RwLock<crate::store::PoolState>>,
        cognito_model::CognitoError,
    > {
        self.store.shared(id)
    }
}

/// A function run in process: the event in, its `response` (or its error) out.
type Function =
    Box<dyn Fn(&serde_json::Value) -> Result<serde_json::Value, LambdaError> + Send + Sync>;

/// Trigger functions run in process, by name (the last part of their ARN): each answers
/// the event it gets with the `response` its closure makes.
#[derive(Default)]
pub(crate) struct Functions(
    std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<Function>>>,
);

impl Functions {
    /// Function `name` answers with `f`.
    pub(crate) fn set(
        &self,
        name: &str,
        f: impl Fn(&serde_json::Value) -> Result<serde_json::Value, LambdaError> + Send + Sync + 'static,
    ) {
        let f: Function = Box::new(f);
        self.0
            .lock()
            .unwrap()
            .insert(name.into(), std::sync::Arc::new(f));
    }

    /// Forgets every function: invoking any is then as invoking one that does not exist.
    pub(crate) fn clear(&self) {
        self.0.lock().unwrap().clear();
    }
}

impl Lambda for Functions {
    fn invoke(&self, arn: &str, event: &[u8]) -> Invoked {
        let name = arn.rsplit(':').next().unwrap_or_default();
        let f = self.0.lock().unwrap().get(name).cloned();
        let result = match f {
            None => Err(LambdaError::Unreachable("ResourceNotFoundException".into())),
            Some(f) => {
                let mut event: serde_json::Value = serde_json::from_slice(event).unwrap();
                f(&event).map(|response| {
                    event["response"] = response;
                    serde_json::to_vec(&event).unwrap()
                })
            }
        };
        Invoked { result, micros: 7 }
    }
}
