//! Where all state lives, and the only way to reach it.
//!
//! [`Store`] holds every pool (a [`PoolState`], each behind its own lock, so requests on
//! different pools never wait for each other), the state that belongs to no pool
//! ([`Global`]: the app client index, the domain index, provisioned limits, compromised
//! passwords) and the outbox.
//!
//! The contract:
//! - state is read with [`Store::read`] and changed with [`Store::update`], each of which
//!   runs a closure under the pool's lock; nothing hands out a lock or a reference that
//!   outlives the closure, so lock scope is visible at every call site;
//! - an update closure validates first and changes state only once nothing can fail:
//!   when it returns an error, it has changed nothing. A returned `Ok` is the commit;
//!   a durable store persists at that point, in `update`, and nowhere else;
//! - closures do no costly work (key generation, SRP exponentiations, RS256
//!   signatures): callers read what they need, compute outside, and update after,
//!   re-checking what may have changed;
//! - locks are taken in one order: a pool, then [`Global`], then the outbox; never two
//!   pools at once;
//! - [`Store::reset`] forgets everything.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use cognito_model::CognitoError;
use parking_lot::RwLock;

use crate::errors::pool_not_found;
use crate::lambda::InvocationLog;
use crate::messages::Outbox;
pub use crate::state::{ClientSecret, ClientState, PoolState};

/// State that belongs to no single pool.
#[derive(Debug, Default)]
pub struct Global {
    /// App client id → the id of its pool, for the operations that name only a client.
    pub(crate) clients: HashMap<String, String>,
    /// (Region, domain) → the id of the pool it belongs to.
    pub(crate) domains: BTreeMap<(String, String), String>,
    /// (account, Region, category) → a provisioned request rate.
    pub(crate) limits: HashMap<(String, String, String), i32>,
    /// SHA-256 hashes of passwords known to be compromised.
    pub(crate) compromised: HashSet<[u8; 32]>,
}

/// All state: pools, what belongs to no pool, and the messages sent.
pub struct Store {
    pools: RwLock<BTreeMap<String, Arc<RwLock<PoolState>>>>,
    global: RwLock<Global>,
    outbox: Outbox,
    invocations: InvocationLog,
}

impl Store {
    /// An empty store whose outbox keeps at most `outbox_limit` messages per pool.
    pub fn new(outbox_limit: usize) -> Self {
        Store {
            pools: RwLock::default(),
            global: RwLock::default(),
            outbox: Outbox::with_limit(outbox_limit),
            invocations: InvocationLog::with_limit(outbox_limit),
        }
    }

    fn pool(&self, id: &str) -> Result<Arc<RwLock<PoolState>>, CognitoError> {
        self.pools
            .read()
            .get(id)
            .cloned()
            .ok_or_else(|| pool_not_found(id))
    }

    /// Pool `id` itself, for tests to look into.
    #[cfg(test)]
    pub(crate) fn shared(&self, id: &str) -> Result<Arc<RwLock<PoolState>>, CognitoError> {
        self.pool(id)
    }

    /// Runs `f` on pool `id`, or answers that it does not exist.
    pub fn read<T>(
        &self,
        id: &str,
        f: impl FnOnce(&PoolState) -> Result<T, CognitoError>,
    ) -> Result<T, CognitoError> {
        let pool = self.pool(id)?;
        let guard = pool.read();
        f(&guard)
    }

    /// Changes pool `id` through `f`, or answers that it does not exist. `f` changes
    /// nothing when it fails (see the module's contract).
    pub fn update<T>(
        &self,
        id: &str,
        f: impl FnOnce(&mut PoolState) -> Result<T, CognitoError>,
    ) -> Result<T, CognitoError> {
        let pool = self.pool(id)?;
        let mut guard = pool.write();
        f(&mut guard)
    }

    /// Adds a pool; `false` when its id is taken.
    pub fn insert(&self, id: String, pool: PoolState) -> bool {
        let mut pools = self.pools.write();
        if pools.contains_key(&id) {
            return false;
        }
        pools.insert(id, Arc::new(RwLock::new(pool)));
        true
    }

    /// Removes pool `id` if `check` allows it, with its app clients and domains, and
    /// answers what it held.
    pub fn remove(
        &self,
        id: &str,
        check: impl FnOnce(&PoolState) -> Result<(), CognitoError>,
    ) -> Result<PoolState, CognitoError> {
        let mut pools = self.pools.write();
        let pool = pools.get(id).cloned().ok_or_else(|| pool_not_found(id))?;
        check(&pool.read())?;
        pools.remove(id);
        drop(pools);
        let state = std::mem::take(&mut *pool.write());
        let mut global = self.global.write();
        for client in state.clients.keys() {
            global.clients.remove(client);
        }
        global.domains.retain(|_, owner| owner != id);
        drop(global);
        self.outbox.forget_pool(id);
        self.invocations.forget_pool(id);
        Ok(state)
    }

    /// Runs `f` on up to `limit` pools in id order, starting after `after`; answers how
    /// many it visited.
    pub fn page(&self, after: Option<&str>, limit: usize, mut f: impl FnMut(&PoolState)) -> usize {
        use std::ops::Bound;
        let start = match after {
            Some(a) => Bound::Excluded(a),
            None => Bound::Unbounded,
        };
        let pools: Vec<Arc<RwLock<PoolState>>> = self
            .pools
            .read()
            .range::<str, _>((start, Bound::Unbounded))
            .take(limit)
            .map(|(_, p)| p.clone())
            .collect();
        for pool in &pools {
            f(&pool.read());
        }
        pools.len()
    }

    /// The ids of every pool, or of pool `id` alone when it exists.
    pub fn ids(&self, only: Option<&str>) -> Vec<String> {
        let pools = self.pools.read();
        match only {
            Some(id) => pools
                .get_key_value(id)
                .map(|(k, _)| k.clone())
                .into_iter()
                .collect(),
            None => pools.keys().cloned().collect(),
        }
    }

    /// Runs `f` on the state that belongs to no pool.
    pub fn global<T>(&self, f: impl FnOnce(&Global) -> T) -> T {
        f(&self.global.read())
    }

    /// Changes the state that belongs to no pool through `f` (see the module's contract).
    pub fn update_global<T>(&self, f: impl FnOnce(&mut Global) -> T) -> T {
        f(&mut self.global.write())
    }

    /// The id of app client `client_id`'s pool.
    pub fn pool_of_client(&self, client_id: &str) -> Option<String> {
        self.global.read().clients.get(client_id).cloned()
    }

    /// The messages sent.
    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    /// The trigger invocations recorded.
    pub fn invocations(&self) -> &InvocationLog {
        &self.invocations
    }

    /// Forgets everything.
    pub fn reset(&self) {
        self.pools.write().clear();
        *self.global.write() = Global::default();
        self.outbox.clear();
        self.invocations.clear();
    }
}
