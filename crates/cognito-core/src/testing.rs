//! Fixtures for unit tests: a service with deterministic randomness and a request context
//! whose clock the test sets.

use cognito_model::shapes::*;
use cognito_model::Timestamp;

use crate::ids::tests::SeqRandom;
use crate::{Cognito, RequestContext};

pub(crate) fn service() -> Cognito {
    Cognito::in_memory(Box::new(SeqRandom::default()))
}

pub(crate) fn ctx_at(secs: i64) -> RequestContext {
    RequestContext {
        region: "us-east-1".into(),
        account_id: "123456789012".into(),
        now: Timestamp::from_secs(secs),
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
