//! The behaviour of Cognito user pools as pure state machines.
//!
//! [`Cognito`] implements [`cognito_model::CognitoIdentityProvider`]: one method per
//! operation, grouped by family in modules named after it (`pools`, `clients`, `tags`, ...).
//! It owns the state through a [`Store`].
//!
//! Boundary: this crate knows nothing about HTTP, tokio or the wall clock. Time arrives in
//! each request's [`RequestContext`]; randomness comes from the [`Random`] source handed
//! to [`Cognito::new`], so tests control both.

mod clients;
mod context;
mod errors;
mod ids;
mod pools;
mod service;
mod store;
mod tags;

pub use context::{Clock, Random, RequestContext};
pub use store::{MemoryStore, PoolState, SharedPool, Store};

use cognito_model::Timestamp;

/// The user pools service.
pub struct Cognito {
    store: Box<dyn Store>,
    random: Box<dyn Random>,
}

impl Cognito {
    /// A service over `store`, drawing ids and secrets from `random`.
    pub fn new(store: Box<dyn Store>, random: Box<dyn Random>) -> Self {
        Cognito { store, random }
    }

    /// An empty in-memory service.
    pub fn in_memory(random: Box<dyn Random>) -> Self {
        Cognito::new(Box::new(MemoryStore::default()), random)
    }
}

/// `now` plus `days`.
fn days_after(now: Timestamp, days: i64) -> Timestamp {
    now.plus_millis(days.saturating_mul(86_400_000))
}
