//! The behaviour of Cognito user pools as pure state machines.
//!
//! [`Cognito`] implements [`cognito_model::CognitoIdentityProvider`]: one method per
//! operation, grouped by family in modules named after it (`pools`, `clients`, `tags`, ...).
//! It owns the state through a [`Store`].
//!
//! Boundary: this crate knows nothing about HTTP, tokio or the wall clock. Time arrives in
//! each request's [`RequestContext`]; randomness comes from the [`Random`] source handed
//! to [`Cognito::new`], so tests control both.

mod attributes;
mod clients;
mod context;
mod errors;
mod ids;
mod pools;
mod service;
mod store;
mod tags;
#[cfg(test)]
mod testing;

pub use context::{Clock, Random, RequestContext};
pub use ids::uuid_v4;
pub use store::{ClientSecret, ClientState, MemoryStore, PoolState, SharedPool, Store};

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
