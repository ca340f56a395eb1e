//! Where the pools live.
//!
//! The logic talks to a [`Store`] of pools; each pool is a [`PoolState`] behind its own
//! lock, so requests on different pools never wait for each other. [`MemoryStore`] keeps
//! everything in memory. A durable store implements the same trait (loading pools at
//! start and persisting each one after its lock is released), without touching the logic.

use std::collections::BTreeMap;
use std::sync::Arc;

use cognito_model::shapes::{UserPoolClientType, UserPoolType};
use cognito_model::Timestamp;
use parking_lot::RwLock;

/// A pool shared between requests.
pub type SharedPool = Arc<RwLock<PoolState>>;

/// Everything Cognito keeps about one user pool.
#[derive(Debug, Clone, Default)]
pub struct PoolState {
    /// The pool's configuration as `DescribeUserPool` returns it (counts are filled in
    /// when answering).
    pub config: UserPoolType,
    /// App clients by client id.
    pub clients: BTreeMap<String, ClientState>,
    /// Tags on the pool.
    pub tags: BTreeMap<String, String>,
    /// The pool's users.
    pub users: crate::users::Users,
    /// User import jobs.
    pub import_jobs: crate::import_jobs::ImportJobsState,
    /// The signing key and the refresh tokens issued.
    pub tokens: crate::auth::TokenState,
    /// Sign-ins waiting for a challenge response, by session.
    pub auth_sessions: crate::auth::PendingSignIns,
    /// Sign-ins as usernames that do not exist, answered as real ones.
    pub unknown_users: crate::auth::UnknownUsers,
    /// See [`crate::groups`].
    pub groups: crate::groups::GroupsState,
    /// See [`crate::resource_servers`].
    pub resource_servers: crate::resource_servers::ResourceServersState,
    /// See [`crate::domains`].
    pub domains: crate::domains::DomainState,
    /// See [`crate::identity_providers`].
    pub identity_providers: crate::identity_providers::IdentityProvidersState,
    /// See [`crate::branding`].
    pub branding: crate::branding::BrandingState,
    /// See [`crate::terms`].
    pub terms: crate::terms::TermsState,
    /// See [`crate::mfa_config`].
    pub mfa_config: crate::mfa_config::MfaConfigState,
    /// See [`crate::risk`].
    pub risk: crate::risk::RiskState,
    /// See [`crate::log_delivery`].
    pub log_delivery: crate::log_delivery::LogDeliveryState,
    /// See [`crate::replicas`].
    pub replicas: crate::replicas::ReplicasState,
    /// See [`crate::recovery`].
    pub recovery: crate::recovery::RecoveryState,
    /// See [`crate::cimd`].
    pub cimd: crate::cimd::CimdState,
    /// See [`crate::session_config`].
    pub session_config: crate::session_config::SessionConfigState,
}

/// One app client.
#[derive(Debug, Clone)]
pub struct ClientState {
    /// The client as `DescribeUserPoolClient` returns it, without `ClientSecret`.
    pub config: UserPoolClientType,
    /// Its secrets, oldest first (at most two).
    pub secrets: Vec<ClientSecret>,
}

/// One client secret.
#[derive(Clone)]
pub struct ClientSecret {
    /// The secret's id.
    pub id: String,
    /// The secret itself.
    pub value: String,
    /// When it was created.
    pub created: Timestamp,
}

impl std::fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSecret")
            .field("id", &self.id)
            .field("value", &"<redacted>")
            .field("created", &self.created)
            .finish()
    }
}

/// The collection of pools.
pub trait Store: Send + Sync {
    /// The pool with `id`.
    fn get(&self, id: &str) -> Option<SharedPool>;
    /// Adds a pool; `false` when its id is taken.
    fn insert(&self, id: String, pool: PoolState) -> bool;
    /// Removes a pool.
    fn remove(&self, id: &str) -> Option<SharedPool>;
    /// Up to `limit` pools in id order, starting after `after`.
    fn page(&self, after: Option<&str>, limit: usize) -> Vec<SharedPool>;
}

/// Pools in memory.
#[derive(Default)]
pub struct MemoryStore {
    pools: RwLock<BTreeMap<String, SharedPool>>,
}

impl Store for MemoryStore {
    fn get(&self, id: &str) -> Option<SharedPool> {
        self.pools.read().get(id).cloned()
    }

    fn insert(&self, id: String, pool: PoolState) -> bool {
        let mut pools = self.pools.write();
        if pools.contains_key(&id) {
            return false;
        }
        pools.insert(id, Arc::new(RwLock::new(pool)));
        true
    }

    fn remove(&self, id: &str) -> Option<SharedPool> {
        self.pools.write().remove(id)
    }

    fn page(&self, after: Option<&str>, limit: usize) -> Vec<SharedPool> {
        use std::ops::Bound;
        let pools = self.pools.read();
        let start = match after {
            Some(a) => Bound::Excluded(a),
            None => Bound::Unbounded,
        };
        pools
            .range::<str, _>((start, Bound::Unbounded))
            .take(limit)
            .map(|(_, p)| p.clone())
            .collect()
    }
}
