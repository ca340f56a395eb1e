//! Durable state: what the store hands to an embedder's [`Journal`] after each change,
//! and how it is read back at start.
//!
//! The state is written as *records*, each a key and a value:
//!
//! - the key names a pool, a family and an item: `pool \0 family [\0 item]`
//!   ([`RecordKey`]); what belongs to no pool has an empty pool;
//! - the value is the item encoded as MessagePack with field names, so that a record
//!   written before a field was added still reads (the field takes its default).
//!
//! Families that hold many entities are written one entity at a time: users (`user`),
//! the identities linked to them (`link`), refresh grants (`grant`), authorization codes
//! (`code`), managed login sessions (`session`), compromised passwords (`compromised`),
//! the outbox's copies of messages sent (`outbox`, by number).
//! Their state types record the keys their methods touch (see `state::changes`). The
//! other families (the pool's configuration, clients, groups without their members,
//! domains, ...) are small and written whole when their encoding changed, which a
//! fingerprint of it tells. The pool's signing key and certificate are one record
//! (`signing`). A group's members are not written: each user names its groups, and the
//! members are rebuilt from them.
//!
//! What is in flight is not written and is gone after a restart: sign-ins waiting for a
//! challenge's answer, the lockout of usernames that do not exist, federated sign-ins
//! away at their identity provider (with the providers' documents fetched, and SAML
//! assertions seen), and the indexes rebuilt from what is written (the app client index,
//! the domain index).
//!
//! Boundary: no I/O. The embedder's [`Journal`] keeps the records (and decides how:
//! files, a database, encryption); this module only says what they are.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::Hasher as _;

use cognito_crypto::jwt::SigningKey;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::messages::{KeptLog, Sent};
use crate::state::authorization_codes::StoredCode;
use crate::state::codec::{self, Hash32};
use crate::state::grants::Grant;
use crate::state::login_sessions::LoginSession;
use crate::state::users::User;
use crate::state::PoolState;

/// The version of the records' layout. A store written with another version is read
/// only through [`upgrade`]; bump it when a record changes in a way that old values do
/// not read as (a field renamed, a type changed), and teach [`upgrade`] the way.
pub const FORMAT_VERSION: u32 = 1;

/// One change to the records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Sets record `key` to `value`.
    Put {
        /// The record's key.
        key: Vec<u8>,
        /// Its new value.
        value: Vec<u8>,
    },
    /// Removes record `key`.
    Delete {
        /// The record's key.
        key: Vec<u8>,
    },
    /// Removes every record whose key starts with `prefix` (a pool deleted; everything,
    /// for an empty prefix).
    DeletePrefix {
        /// The prefix.
        prefix: Vec<u8>,
    },
}

/// The place of a group of changes in a [`Journal`]'s order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ticket(pub u64);

/// Where the store's changes go, implemented by the embedder.
///
/// The store calls [`Journal::append`] while it holds the lock of what changed, so
/// changes arrive in the order they were made, and must be applied in that order, each
/// group whole or not at all. `append` must be cheap (queue, don't write). The store
/// then releases the lock and calls [`Journal::wait`], and answers its request only once
/// `wait` says the changes are durable, so that many requests may share one write.
pub trait Journal: Send + Sync {
    /// Queues `changes`, applied together and after every group appended before.
    fn append(&self, changes: Vec<Change>) -> Ticket;

    /// Blocks until the changes of `ticket` (and all before them) are durable, or
    /// answers why they cannot be. Once it has failed, it fails for every later ticket.
    fn wait(&self, ticket: Ticket) -> Result<(), String>;
}

/// The parts of a record's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordKey {
    /// The pool, or empty for what belongs to no pool.
    pub pool: String,
    /// The family (`config`, `user`, `grant`, ...).
    pub family: String,
    /// The item within the family, for families written an entity at a time.
    pub item: Option<String>,
}

impl RecordKey {
    /// The key as bytes: `pool \0 family [\0 item]`.
    pub fn encode(&self) -> Vec<u8> {
        key(&self.pool, &self.family, self.item.as_deref())
    }

    /// The parts of `bytes`.
    pub fn decode(bytes: &[u8]) -> Result<Self, String> {
        let text = std::str::from_utf8(bytes).map_err(|_| "a key that is not UTF-8".to_owned())?;
        let mut parts = text.splitn(3, '\0');
        let pool = parts.next().unwrap_or_default().to_owned();
        let family = parts
            .next()
            .ok_or_else(|| format!("a key without a family: {text:?}"))?
            .to_owned();
        let item = parts.next().map(str::to_owned);
        Ok(RecordKey { pool, family, item })
    }
}

fn key(pool: &str, family: &str, item: Option<&str>) -> Vec<u8> {
    let mut out = Vec::with_capacity(pool.len() + family.len() + 2 + item.map_or(0, str::len));
    out.extend_from_slice(pool.as_bytes());
    out.push(0);
    out.extend_from_slice(family.as_bytes());
    if let Some(item) = item {
        out.push(0);
        out.extend_from_slice(item.as_bytes());
    }
    out
}

/// The prefix of every record of pool `pool`.
pub fn pool_prefix(pool: &str) -> Vec<u8> {
    let mut out = pool.as_bytes().to_vec();
    out.push(0);
    out
}

/// Encodes `value` as MessagePack with field names.
fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, String> {
    rmp_serde::to_vec_named(value).map_err(|e| e.to_string())
}

/// Decodes what [`encode`] wrote.
fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    rmp_serde::from_slice(bytes).map_err(|e| e.to_string())
}

fn fingerprint(bytes: &[u8]) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    hasher.write(bytes);
    hasher.finish()
}

/// Declares the families written whole, each with its field of [`PoolState`], and the
/// functions that write and read them: `WHOLE` (their names, in the order of their
/// fingerprints), `encode_whole`, `decode_whole`, `whole_to_json`, `whole_from_json`.
///
/// Every other field of [`PoolState`] is named in `every_field`, so that a new field
/// cannot be left out by accident: it is written, or said to be in flight.
macro_rules! whole_families {
    ($($name:literal => $field:ident),* $(,)?) => {
        const WHOLE: &[&str] = &[$($name),*];

        /// Names every field of `pool`: those written whole, then the others.
        fn every_field(pool: &PoolState) {
            let PoolState {
                $($field: _,)*
                users: _,
                tokens: _,
                authorization_codes: _,
                login_sessions: _,
                // In flight: not written.
                auth_sessions: _,
                unknown_users: _,
                federations: _,
                written: _,
            } = pool;
        }

        fn encode_whole(pool: &PoolState, name: &str) -> Result<Vec<u8>, String> {
            match name {
                $($name => encode(&pool.$field),)*
                other => Err(format!("unknown family {other}")),
            }
        }

        fn decode_whole(pool: &mut PoolState, name: &str, bytes: &[u8]) -> Result<(), String> {
            match name {
                $($name => pool.$field = decode(bytes)?,)*
                other => return Err(format!("unknown family {other}")),
            }
            if let Some(i) = WHOLE.iter().position(|f| *f == name) {
                pool.written.replace(i, fingerprint(bytes));
            }
            Ok(())
        }

        fn whole_to_json(pool: &PoolState, name: &str) -> Result<serde_json::Value, String> {
            match name {
                $($name => serde_json::to_value(&pool.$field).map_err(|e| e.to_string()),)*
                other => Err(format!("unknown family {other}")),
            }
        }

        fn whole_from_json(
            pool: &mut PoolState,
            name: &str,
            value: &serde_json::Value,
        ) -> Result<(), String> {
            match name {
                $($name => {
                    pool.$field = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?
                })*
                other => return Err(format!("unknown family {other}")),
            }
            Ok(())
        }
    };
}

whole_families! {
    "config" => config,
    "clients" => clients,
    "tags" => tags,
    "groups" => groups,
    "resource_servers" => resource_servers,
    "domains" => domains,
    "identity_providers" => identity_providers,
    "branding" => branding,
    "terms" => terms,
    "mfa_config" => mfa_config,
    "risk" => risk,
    "log_delivery" => log_delivery,
    "replicas" => replicas,
    "recovery" => recovery,
    "cimd" => cimd,
    "session_config" => session_config,
    "import_jobs" => import_jobs,
}

/// The pool's signing key and certificate, as kept.
#[derive(Serialize, Deserialize)]
struct Signing {
    /// The private key, PKCS#8 DER.
    #[serde(with = "codec::option_bytes")]
    pkcs8: Option<Vec<u8>>,
    /// The key's id.
    kid: Option<String>,
    /// The certificate `GetSigningCertificate` answers.
    certificate: Option<String>,
}

impl Signing {
    fn of(pool: &PoolState) -> Self {
        let key = pool.tokens.key();
        Signing {
            pkcs8: key.map(|k| k.to_pkcs8_der().expose().clone()),
            kid: key.map(|k| k.kid().to_owned()),
            certificate: pool.tokens.certificate().map(str::to_owned),
        }
    }
}

/// Starts recording the changes of `pool`'s entity families.
pub(crate) fn track(pool: &mut PoolState) {
    pool.users.track();
    pool.tokens.track();
    pool.authorization_codes.track();
    pool.login_sessions.track();
}

/// Forgets what `pool` recorded as changed: the update failed and changed nothing.
pub(crate) fn discard(pool: &mut PoolState) {
    let _ = pool.users.take_changes();
    let _ = pool.tokens.grants.take_changes();
    let _ = pool.tokens.take_signing_changed();
    let _ = pool.authorization_codes.take_changes();
    let _ = pool.login_sessions.take_changes();
}

/// The changes an update made to pool `id`, as records; afterwards `pool` remembers
/// them as written.
pub(crate) fn collect(id: &str, pool: &mut PoolState) -> Result<Vec<Change>, String> {
    every_field(pool);
    let mut out = Vec::new();
    for (i, name) in WHOLE.iter().enumerate() {
        let bytes = encode_whole(pool, name)?;
        if pool.written.replace(i, fingerprint(&bytes)) {
            out.push(Change::Put {
                key: key(id, name, None),
                value: bytes,
            });
        }
    }
    let (users, links) = pool.users.take_changes();
    for user in dedup(users) {
        entity(&mut out, id, "user", &user, pool.users.get(&user))?;
    }
    for identity in dedup(links) {
        let item = link_item(&identity);
        entity(
            &mut out,
            id,
            "link",
            &item,
            pool.users.linked_user(&identity),
        )?;
    }
    for origin in dedup(pool.tokens.grants.take_changes()) {
        entity(
            &mut out,
            id,
            "grant",
            &origin,
            pool.tokens.grants.get(&origin),
        )?;
    }
    if pool.tokens.take_signing_changed() {
        out.push(Change::Put {
            key: key(id, "signing", None),
            value: encode(&Signing::of(pool))?,
        });
    }
    for h in dedup(pool.authorization_codes.take_changes()) {
        let code = pool.authorization_codes.stored(&h);
        entity(&mut out, id, "code", &Hash32(h).hex(), code.as_ref())?;
    }
    for h in dedup(pool.login_sessions.take_changes()) {
        let session = pool.login_sessions.by_hash(&h);
        entity(&mut out, id, "session", &Hash32(h).hex(), session)?;
    }
    Ok(out)
}

/// Every record of pool `id`, as a new pool's first write; afterwards `pool` records
/// its changes and remembers these as written.
pub(crate) fn snapshot(id: &str, pool: &mut PoolState) -> Result<Vec<Change>, String> {
    track(pool);
    pool.written = Default::default();
    let mut out = collect(id, pool)?;
    for (user_key, user) in pool.users.after(None) {
        put(&mut out, id, "user", user_key, user)?;
    }
    for (identity, user_key) in pool.users.links() {
        put(&mut out, id, "link", &link_item(identity), user_key)?;
    }
    for grant in pool.tokens.grants.all() {
        put(&mut out, id, "grant", &grant.origin_jti, grant)?;
    }
    if pool.tokens.key().is_some() || pool.tokens.certificate().is_some() {
        put(&mut out, id, "signing", "", &Signing::of(pool))?;
    }
    for h in pool.authorization_codes.hashes() {
        if let Some(code) = pool.authorization_codes.stored(h) {
            put(&mut out, id, "code", &Hash32(*h).hex(), &code)?;
        }
    }
    for (h, session) in pool.login_sessions.all() {
        put(&mut out, id, "session", &Hash32(*h).hex(), session)?;
    }
    Ok(out)
}

fn dedup<T: Ord>(mut keys: Vec<T>) -> Vec<T> {
    if keys.len() > 1 {
        keys.sort_unstable();
        keys.dedup();
    }
    keys
}

/// The item of a link's record: the provider's name and the user's id there.
fn link_item((provider, id): &(String, String)) -> String {
    format!("{provider}\0{id}")
}

/// Writes `value` as item `item` of `family`, or removes the item when `value` is gone.
fn entity<T: Serialize + ?Sized>(
    out: &mut Vec<Change>,
    pool: &str,
    family: &str,
    item: &str,
    value: Option<&T>,
) -> Result<(), String> {
    match value {
        Some(value) => put(out, pool, family, item, value),
        None => {
            out.push(Change::Delete {
                key: key(pool, family, Some(item)),
            });
            Ok(())
        }
    }
}

fn put<T: Serialize + ?Sized>(
    out: &mut Vec<Change>,
    pool: &str,
    family: &str,
    item: &str,
    value: &T,
) -> Result<(), String> {
    let item = (family != "signing").then_some(item);
    out.push(Change::Put {
        key: key(pool, family, item),
        value: encode(value)?,
    });
    Ok(())
}

/// The record of the provisioned limits, (account, Region, category) → requests per
/// second.
pub(crate) fn limits_record(
    limits: &HashMap<(String, String, String), i32>,
) -> Result<Change, String> {
    let mut entries: Vec<(&(String, String, String), &i32)> = limits.iter().collect();
    entries.sort();
    Ok(Change::Put {
        key: key("", "limits", None),
        value: encode(&entries)?,
    })
}

/// The record of compromised password hash `hash`.
pub(crate) fn compromised_record(hash: &[u8; 32]) -> Change {
    Change::Put {
        key: key("", "compromised", Some(&Hash32(*hash).hex())),
        value: Vec::new(),
    }
}

/// The key of the outbox's copy number `n` of pool `pool`: numbers in their order.
fn outbox_key(pool: &str, n: u64) -> Vec<u8> {
    key(pool, "outbox", Some(&format!("{n:020}")))
}

/// The outbox's copies, written through a [`Journal`].
pub(crate) struct OutboxRecords(pub(crate) std::sync::Arc<dyn Journal>);

impl OutboxRecords {
    fn put(n: u64, sent: &Sent, out: &mut Vec<Change>) {
        // A message always encodes; were it not to, the copy stays in memory only.
        if let Ok(value) = encode(sent) {
            out.push(Change::Put {
                key: outbox_key(&sent.message.pool_id, n),
                value,
            });
        }
    }
}

impl KeptLog for OutboxRecords {
    fn kept(&self, n: u64, sent: &Sent, dropped: Option<u64>) -> u64 {
        let mut changes = Vec::with_capacity(2);
        Self::put(n, sent, &mut changes);
        if let Some(dropped) = dropped {
            changes.push(Change::Delete {
                key: outbox_key(&sent.message.pool_id, dropped),
            });
        }
        self.0.append(changes).0
    }

    fn delivered(&self, n: u64, sent: &Sent) {
        let mut changes = Vec::with_capacity(1);
        Self::put(n, sent, &mut changes);
        self.0.append(changes);
    }

    fn wait(&self, mark: u64) {
        // A journal that fails, fails every later wait: the next change answers it.
        let _ = self.0.wait(Ticket(mark));
    }
}

/// Everything read back from a journal's records, to start from.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Pools by id.
    pub(crate) pools: BTreeMap<String, PoolState>,
    /// Provisioned limits.
    pub(crate) limits: HashMap<(String, String, String), i32>,
    /// Hashes of compromised passwords.
    pub(crate) compromised: HashSet<[u8; 32]>,
    /// The outbox's copies by number, in order within each pool.
    pub(crate) outbox: Vec<(u64, Sent)>,
}

impl Loaded {
    /// Reads one record, in any order.
    pub fn read(&mut self, key: &[u8], value: &[u8]) -> Result<(), String> {
        let k = RecordKey::decode(key)?;
        let fail = |e: String| format!("record {}/{}: {e}", k.pool, k.family);
        if k.pool.is_empty() {
            return match (k.family.as_str(), &k.item) {
                ("limits", None) => {
                    let entries: Vec<((String, String, String), i32)> =
                        decode(value).map_err(fail)?;
                    self.limits.extend(entries);
                    Ok(())
                }
                ("compromised", Some(hex)) => {
                    let h = Hash32::from_hex(hex).ok_or_else(|| fail("a bad hash".into()))?;
                    self.compromised.insert(h.0);
                    Ok(())
                }
                _ => Err(fail("unknown record".into())),
            };
        }
        let pool = self.pools.entry(k.pool.clone()).or_default();
        match (k.family.as_str(), k.item.as_deref()) {
            ("user", Some(user_key)) => {
                let user: User = decode(value).map_err(fail)?;
                pool.users.insert(user_key.to_owned(), user);
            }
            ("link", Some(item)) => {
                let (provider, id) = item
                    .split_once('\0')
                    .ok_or_else(|| fail("a link without a provider".into()))?;
                let user_key: String = decode(value).map_err(fail)?;
                pool.users
                    .link((provider.to_owned(), id.to_owned()), user_key);
            }
            ("grant", Some(_)) => {
                let grant: Grant = decode(value).map_err(fail)?;
                pool.tokens.grants.restore(grant);
            }
            ("code", Some(hex)) => {
                let h = Hash32::from_hex(hex).ok_or_else(|| fail("a bad hash".into()))?;
                let code: StoredCode = decode(value).map_err(fail)?;
                pool.authorization_codes.restore(h.0, code);
            }
            ("outbox", Some(n)) => {
                let n: u64 = n.parse().map_err(|_| fail("a bad number".into()))?;
                self.outbox.push((n, decode(value).map_err(fail)?));
            }
            ("session", Some(hex)) => {
                let h = Hash32::from_hex(hex).ok_or_else(|| fail("a bad hash".into()))?;
                let session: LoginSession = decode(value).map_err(fail)?;
                pool.login_sessions.restore(h.0, session);
            }
            ("signing", None) => {
                let signing: Signing = decode(value).map_err(fail)?;
                let key = match (signing.pkcs8, signing.kid) {
                    (Some(der), Some(kid)) => Some(
                        SigningKey::from_pkcs8_der(&der)
                            .map_err(|e| fail(e.to_string()))?
                            .with_kid(kid),
                    ),
                    _ => None,
                };
                pool.tokens.restore_signing(key, signing.certificate);
            }
            (family, None) => decode_whole(pool, family, value).map_err(fail)?,
            _ => return Err(fail("unknown record".into())),
        }
        Ok(())
    }

    /// Finishes reading: rebuilds what is not written (groups' members), and starts
    /// recording changes.
    pub(crate) fn finish(mut self) -> Self {
        for pool in self.pools.values_mut() {
            let memberships: Vec<(String, String)> = pool
                .users
                .after(None)
                .flat_map(|(key, user)| {
                    user.groups
                        .iter()
                        .map(move |group| (group.clone(), key.to_owned()))
                })
                .collect();
            for (group, key) in memberships {
                if let Some(group) = pool.groups.get_mut(&group) {
                    group.members.insert(key);
                }
            }
            // Loading noted every user as changed.
            discard(pool);
            track(pool);
        }
        self
    }

    /// How many pools were read.
    pub fn pool_count(&self) -> usize {
        self.pools.len()
    }

    /// How many users were read, in every pool.
    pub fn user_count(&self) -> usize {
        self.pools.values().map(|p| p.users.len()).sum()
    }
}

/// Brings a record written with format `version` to [`FORMAT_VERSION`], or says why it
/// cannot. Every version so far reads as it is.
pub fn upgrade(version: u32) -> Result<(), String> {
    if version == FORMAT_VERSION {
        Ok(())
    } else if version > FORMAT_VERSION {
        Err(format!(
            "the data was written by a newer server (format {version}; this server reads up to {FORMAT_VERSION}): \
             run that server's `export` and this one's `import`, or upgrade"
        ))
    } else {
        Err(format!(
            "the data has format {version}, which this server (format {FORMAT_VERSION}) does not read"
        ))
    }
}

/// The value of record `key` as JSON, for an export: read through the record's own
/// type, so that every field has its name and bytes are base64.
pub fn to_json(key: &RecordKey, value: &[u8]) -> Result<serde_json::Value, String> {
    fn typed<T: Serialize + DeserializeOwned>(bytes: &[u8]) -> Result<serde_json::Value, String> {
        let typed: T = decode(bytes)?;
        serde_json::to_value(&typed).map_err(|e| e.to_string())
    }
    match (key.pool.is_empty(), key.family.as_str(), key.item.is_some()) {
        (true, "limits", false) => typed::<Vec<((String, String, String), i32)>>(value),
        (true, "compromised", true) => Ok(serde_json::Value::Null),
        (false, "user", true) => typed::<User>(value),
        (false, "link", true) => typed::<String>(value),
        (false, "grant", true) => typed::<Grant>(value),
        (false, "code", true) => typed::<StoredCode>(value),
        (false, "session", true) => typed::<LoginSession>(value),
        (false, "outbox", true) => typed::<Sent>(value),
        (false, "signing", false) => typed::<Signing>(value),
        (false, family, false) => {
            let mut pool = PoolState::default();
            decode_whole(&mut pool, family, value)?;
            whole_to_json(&pool, family)
        }
        _ => Err(format!("unknown record {}/{}", key.pool, key.family)),
    }
}

/// The value of record `key` from its JSON in an export ([`to_json`]).
pub fn from_json(key: &RecordKey, value: &serde_json::Value) -> Result<Vec<u8>, String> {
    fn typed<T: Serialize + DeserializeOwned>(
        value: &serde_json::Value,
    ) -> Result<Vec<u8>, String> {
        let typed: T = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
        encode(&typed)
    }
    match (key.pool.is_empty(), key.family.as_str(), key.item.is_some()) {
        (true, "limits", false) => typed::<Vec<((String, String, String), i32)>>(value),
        (true, "compromised", true) => Ok(Vec::new()),
        (false, "user", true) => typed::<User>(value),
        (false, "link", true) => typed::<String>(value),
        (false, "grant", true) => typed::<Grant>(value),
        (false, "code", true) => typed::<StoredCode>(value),
        (false, "session", true) => typed::<LoginSession>(value),
        (false, "outbox", true) => typed::<Sent>(value),
        (false, "signing", false) => typed::<Signing>(value),
        (false, family, false) => {
            let mut pool = PoolState::default();
            whole_from_json(&mut pool, family, value)?;
            encode_whole(&pool, family)
        }
        _ => Err(format!("unknown record {}/{}", key.pool, key.family)),
    }
}

#[cfg(test)]
mod tests;
