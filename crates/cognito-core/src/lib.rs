//! The behaviour of Cognito user pools as pure state machines.
//!
//! [`Cognito`] implements [`cognito_model::CognitoIdentityProvider`]: one method per
//! operation, grouped by family in modules named after it (`pools`, `clients`, `tags`, ...).
//! It owns the state through a [`Store`].
//!
//! Boundary: this crate knows nothing about HTTP, tokio or the wall clock. Time arrives in
//! each request's [`RequestContext`]; randomness comes from the [`Random`] source handed
//! to [`Cognito::new`], so tests control both.

mod codes;
mod compromised;
mod context;
mod errors;
mod ids;
pub mod messages;
mod ops;
mod service;
mod state;
mod store;
#[cfg(test)]
mod testing;
mod time;

pub use context::{Clock, Random, RequestContext};
pub use ids::uuid_v4;
pub use ops::{auth, test_api, users};
pub use store::{ClientSecret, ClientState, Global, PoolState, Store};

/// The user pools service.
pub struct Cognito {
    store: Store,
    random: Box<dyn Random>,
    base_url: String,
    keys: Box<dyn auth::KeySource>,
    issuer_base: String,
}

impl Cognito {
    /// An empty service drawing ids and secrets from `random`.
    pub fn new(random: Box<dyn Random>) -> Self {
        Cognito {
            store: Store::new(messages::DEFAULT_OUTBOX_LIMIT),
            random,
            base_url: "http://localhost:9229".to_string(),
            keys: Box::new(auth::GeneratedKeys),
            issuer_base: "http://localhost:9229".to_string(),
        }
    }

    /// Sets the URL clients reach this service at (no trailing `/`), used in the URLs the
    /// service hands out, such as import jobs' upload URLs.
    /// Tokens' issuer becomes `<base_url>/<poolId>` too, unless
    /// [`Cognito::with_issuer_base`] sets another.
    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        let base = base_url.into().trim_end_matches('/').to_string();
        if self.issuer_base == self.base_url {
            self.issuer_base = base.clone();
        }
        self.base_url = base;
        self
    }

    /// Sets the base of tokens' issuer (`iss` = `<issuer_base>/<poolId>`), e.g.
    /// `https://cognito-idp.{region}.amazonaws.com` for clients that insist on Cognito's
    /// form: `{region}` stands for each pool's Region.
    pub fn with_issuer_base(mut self, issuer_base: impl Into<String>) -> Self {
        self.issuer_base = issuer_base.into().trim_end_matches('/').to_string();
        self
    }

    /// Sets where pools' signing keys come from.
    pub fn with_key_source(mut self, keys: Box<dyn auth::KeySource>) -> Self {
        self.keys = keys;
        self
    }

    /// Keeps at most `limit` messages per pool in the outbox (by default
    /// [`messages::DEFAULT_OUTBOX_LIMIT`]); older ones are dropped first.
    pub fn with_outbox_limit(mut self, limit: usize) -> Self {
        self.store = Store::new(limit);
        self
    }

    /// Every message sent so far.
    pub fn outbox(&self) -> &messages::Outbox {
        self.store.outbox()
    }

    /// An empty in-memory service.
    pub fn in_memory(random: Box<dyn Random>) -> Self {
        Cognito::new(random)
    }
}
