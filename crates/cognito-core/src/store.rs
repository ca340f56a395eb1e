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
//!
//! A durable store ([`Store::durable`]) hands each commit's changes to its
//! [`Journal`] while it still holds the lock, in commit order, then releases the lock
//! and waits until the journal says they are durable before it returns: an operation
//! answers only once what it changed is on disk, and concurrent commits share a write.
//! A journal that fails breaks the store: that operation and every later one answer
//! `InternalErrorException`, so that no answer shows state the disk does not have; the
//! state is what the disk holds again once the embedder starts anew.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use cognito_model::{CognitoError, ErrorKind};
use parking_lot::RwLock;

use crate::durable::{self, Change, Journal, Loaded};
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
    pub(crate) compromised: Compromised,
}

/// The hashes of compromised passwords, recording those added.
#[derive(Debug, Default)]
pub struct Compromised {
    hashes: HashSet<[u8; 32]>,
    added: crate::state::changes::Changed<[u8; 32]>,
}

impl Compromised {
    /// Adds `hash`; `false` when it was there.
    pub fn insert(&mut self, hash: [u8; 32]) -> bool {
        let added = self.hashes.insert(hash);
        if added {
            self.added.note(|| hash);
        }
        added
    }

    /// Whether `hash` is there.
    pub fn contains(&self, hash: &[u8; 32]) -> bool {
        self.hashes.contains(hash)
    }

    /// How many hashes there are.
    pub fn len(&self) -> usize {
        self.hashes.len()
    }
}

/// All state: pools, what belongs to no pool, and the messages sent.
pub struct Store {
    pools: RwLock<BTreeMap<String, Arc<RwLock<PoolState>>>>,
    global: RwLock<Global>,
    outbox: Outbox,
    invocations: InvocationLog,
    /// Where changes go, for a durable store.
    durable: Option<Durable>,
}

/// A durable store's journal, and whether it has failed.
struct Durable {
    journal: Arc<dyn Journal>,
    broken: AtomicBool,
}

impl Durable {
    /// Refuses every operation once the journal has failed.
    fn check(&self) -> Result<(), CognitoError> {
        if self.broken.load(Ordering::Acquire) {
            Err(broken())
        } else {
            Ok(())
        }
    }

    /// Queues `changes` when there are any; call it under the lock of what changed.
    fn append(
        &self,
        changes: Result<Vec<Change>, String>,
    ) -> Result<Option<durable::Ticket>, CognitoError> {
        match changes {
            Ok(changes) if changes.is_empty() => Ok(None),
            Ok(changes) => Ok(Some(self.journal.append(changes))),
            // A change that cannot be encoded cannot be kept either.
            Err(_) => {
                self.fail();
                Err(broken())
            }
        }
    }

    /// Waits until `ticket`'s changes are durable.
    fn wait(&self, ticket: Option<durable::Ticket>) -> Result<(), CognitoError> {
        let Some(ticket) = ticket else {
            return Ok(());
        };
        // The journal tells its embedder why; the client learns that it failed.
        self.journal.wait(ticket).map_err(|_| {
            self.fail();
            broken()
        })
    }

    fn fail(&self) {
        self.broken.store(true, Ordering::Release);
    }
}

fn broken() -> CognitoError {
    CognitoError::new(
        ErrorKind::InternalErrorException,
        "The service could not keep the change: its data could not be written.",
    )
}

impl Store {
    /// An empty store whose outbox keeps at most `outbox_limit` messages per pool.
    pub fn new(outbox_limit: usize) -> Self {
        Store {
            pools: RwLock::default(),
            global: RwLock::default(),
            outbox: Outbox::with_limit(outbox_limit),
            invocations: InvocationLog::with_limit(outbox_limit),
            durable: None,
        }
    }

    /// A store whose outbox keeps at most `outbox_limit` messages per pool, holding
    /// `loaded` and handing every later change to `journal` (see the module's doc).
    pub fn durable(outbox_limit: usize, journal: Arc<dyn Journal>, loaded: Loaded) -> Self {
        let loaded = loaded.finish();
        let mut global = Global {
            limits: loaded.limits,
            ..Global::default()
        };
        global.compromised.hashes = loaded.compromised;
        global.compromised.added.track();
        let mut pools = BTreeMap::new();
        for (id, pool) in loaded.pools {
            for client in pool.clients.keys() {
                global.clients.insert(client.clone(), id.clone());
            }
            let region = crate::ids::pool_region(&id).to_owned();
            for domain in [pool.domains.prefix(), pool.domains.custom()]
                .into_iter()
                .flatten()
            {
                global
                    .domains
                    .insert((region.clone(), domain.name.clone()), id.clone());
            }
            pools.insert(id, Arc::new(RwLock::new(pool)));
        }
        let store = Store {
            pools: RwLock::new(pools),
            global: RwLock::new(global),
            durable: Some(Durable {
                journal: journal.clone(),
                broken: AtomicBool::new(false),
            }),
            ..Store::new(outbox_limit)
        };
        for (n, sent) in loaded.outbox {
            store.outbox.restore(n, sent);
        }
        store
            .outbox
            .keep_in(Arc::new(durable::OutboxRecords(journal)));
        store
    }

    /// Whether changes are handed to a journal.
    pub fn is_durable(&self) -> bool {
        self.durable.is_some()
    }

    /// Keeps at most `limit` messages (and trigger invocations) per pool; call it before
    /// any message is sent.
    pub fn set_outbox_limit(&mut self, limit: usize) {
        self.outbox = Outbox::with_limit(limit);
        if let Some(durable) = &self.durable {
            self.outbox
                .keep_in(Arc::new(durable::OutboxRecords(durable.journal.clone())));
        }
        self.invocations = InvocationLog::with_limit(limit);
    }

    /// Runs `f` on every pool in id order.
    pub(crate) fn each_pool(&self, mut f: impl FnMut(&str, &PoolState)) {
        let pools: Vec<(String, Arc<RwLock<PoolState>>)> = self
            .pools
            .read()
            .iter()
            .map(|(id, p)| (id.clone(), p.clone()))
            .collect();
        for (id, pool) in pools {
            f(&id, &pool.read());
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
        if let Some(durable) = &self.durable {
            durable.check()?;
        }
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
        let Some(durable) = &self.durable else {
            return f(&mut pool.write());
        };
        durable.check()?;
        let mut guard = pool.write();
        let out = f(&mut guard);
        let ticket = if out.is_ok() {
            durable.append(durable::collect(id, &mut guard))?
        } else {
            durable::discard(&mut guard);
            None
        };
        drop(guard);
        durable.wait(ticket)?;
        out
    }

    /// Adds a pool; `false` when its id is taken. A durable store that cannot write it
    /// is broken, which the next operation answers: [`Store::try_insert`] answers it
    /// itself.
    pub fn insert(&self, id: String, pool: PoolState) -> bool {
        self.try_insert(id, pool).unwrap_or(true)
    }

    /// Adds a pool; `false` when its id is taken, an error when a durable store cannot
    /// write it.
    pub fn try_insert(&self, id: String, mut pool: PoolState) -> Result<bool, CognitoError> {
        let Some(durable) = &self.durable else {
            let mut pools = self.pools.write();
            if pools.contains_key(&id) {
                return Ok(false);
            }
            pools.insert(id, Arc::new(RwLock::new(pool)));
            return Ok(true);
        };
        durable.check()?;
        let mut pools = self.pools.write();
        if pools.contains_key(&id) {
            return Ok(false);
        }
        let ticket = durable.append(durable::snapshot(&id, &mut pool))?;
        pools.insert(id, Arc::new(RwLock::new(pool)));
        drop(pools);
        durable.wait(ticket)?;
        Ok(true)
    }

    /// Removes pool `id` if `check` allows it, with its app clients and domains, and
    /// answers what it held.
    pub fn remove(
        &self,
        id: &str,
        check: impl FnOnce(&PoolState) -> Result<(), CognitoError>,
    ) -> Result<PoolState, CognitoError> {
        if let Some(durable) = &self.durable {
            durable.check()?;
        }
        let mut pools = self.pools.write();
        let pool = pools.get(id).cloned().ok_or_else(|| pool_not_found(id))?;
        check(&pool.read())?;
        pools.remove(id);
        let ticket = match &self.durable {
            Some(durable) => durable.append(Ok(vec![Change::DeletePrefix {
                prefix: durable::pool_prefix(id),
            }]))?,
            None => None,
        };
        drop(pools);
        if let Some(durable) = &self.durable {
            durable.wait(ticket)?;
        }
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
    ///
    /// A durable store writes the provisioned limits and the compromised passwords (the
    /// indexes are rebuilt from the pools); when that write fails, the store is broken
    /// and the next operation says so, as this one cannot.
    pub fn update_global<T>(&self, f: impl FnOnce(&mut Global) -> T) -> T {
        let Some(durable) = &self.durable else {
            return f(&mut self.global.write());
        };
        let mut global = self.global.write();
        let before = durable::limits_record(&global.limits);
        let out = f(&mut global);
        let mut changes: Vec<Change> = global
            .compromised
            .added
            .take()
            .iter()
            .map(durable::compromised_record)
            .collect();
        let after = durable::limits_record(&global.limits);
        let changes = match (before, after) {
            (Ok(before), Ok(after)) => {
                if before != after {
                    changes.push(after);
                }
                Ok(changes)
            }
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        let ticket = durable.append(changes);
        drop(global);
        if let Ok(ticket) = ticket {
            // A failure breaks the store, which the next operation answers.
            let _ = durable.wait(ticket);
        }
        out
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
        let mut pools = self.pools.write();
        pools.clear();
        let mut global = self.global.write();
        *global = Global::default();
        let ticket = self.durable.as_ref().map(|durable| {
            global.compromised.added.track();
            durable.append(Ok(vec![Change::DeletePrefix { prefix: Vec::new() }]))
        });
        drop(global);
        drop(pools);
        self.outbox.clear();
        self.invocations.clear();
        if let (Some(durable), Some(Ok(ticket))) = (&self.durable, ticket) {
            // A failure breaks the store, which the next operation answers.
            let _ = durable.wait(ticket);
        }
    }
}
