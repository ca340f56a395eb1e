//! The ledger of sign-ins that hold a refresh token: one [`Grant`] per sign-in (its
//! *origin*, `origin_jti`), indexed so that refreshing, revoking a token and signing a
//! user out cost O(1) or O(log n) whatever the number of grants, and forgotten once no
//! token of theirs can be presented any more.
//!
//! Refresh tokens are opaque random strings; only their SHA-256 hashes are kept. A
//! revoked grant stays (marked) until its last token has expired, so that its tokens
//! keep answering "revoked"; then it is pruned, a few at a time, by the requests that add
//! or refresh grants: never by a scan.

use std::collections::{BTreeSet, HashMap};

use base64::Engine as _;
use cognito_model::Timestamp;
use sha2::{Digest, Sha256};

use serde::{Deserialize, Serialize};

use crate::state::changes::Changed;
use crate::state::sign_in::Methods;
use crate::Random;

/// How many expired grants one call prunes at most, so that no request pays for many.
const PRUNE_BATCH: usize = 16;

/// One sign-in with a refresh token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Grant {
    pub(crate) user_key: String,
    /// The user's `sub`: a later user of the same name is another user.
    pub(crate) sub: String,
    pub(crate) client_id: String,
    pub(crate) origin_jti: String,
    /// The id of the session the sign-in began: `tkn` and 25 lower-case letters and
    /// digits.
    pub(crate) session_id: String,
    pub(crate) auth_time: Timestamp,
    /// The device the sign-in came from, which a refresh must name again.
    pub(crate) device_key: Option<String>,
    /// What the sign-in proved.
    pub(crate) methods: Methods,
    /// The scopes its access tokens grant (`scope`), when not the API's.
    pub(crate) scopes: Option<String>,
    /// When the refresh token stops working.
    pub(crate) expires: Timestamp,
    /// When the session last issued tokens: its sign-in, or its latest refresh.
    pub(crate) last_active: Timestamp,
    /// When the last access or ID token issued from it expires.
    tokens_until: Timestamp,
    /// Whether its tokens are revoked.
    revoked: bool,
    /// The hash of its live refresh token.
    #[serde(with = "super::codec::array")]
    live: [u8; 32],
    /// Hashes of the refresh tokens rotation replaced, each with the end of its grace
    /// period.
    replaced: Vec<([u8; 32], Timestamp)>,
}

impl Grant {
    /// When nothing issued from the grant can be presented any more.
    fn forget_at(&self) -> Timestamp {
        self.expires.max(self.tokens_until)
    }
}

/// What a new grant is for.
#[derive(Debug, Clone)]
pub(crate) struct NewGrant {
    pub(crate) user_key: String,
    pub(crate) sub: String,
    pub(crate) client_id: String,
    pub(crate) origin_jti: String,
    pub(crate) session_id: String,
    pub(crate) auth_time: Timestamp,
    pub(crate) device_key: Option<String>,
    pub(crate) methods: Methods,
    pub(crate) scopes: Option<String>,
    pub(crate) expires: Timestamp,
    /// When the access and ID tokens issued with it expire.
    pub(crate) tokens_until: Timestamp,
}

/// The grants of one pool.
#[derive(Debug, Clone, Default)]
pub struct Grants {
    by_origin: HashMap<String, Grant>,
    /// SHA-256 of a live refresh token → its origin.
    live: HashMap<[u8; 32], String>,
    /// SHA-256 of a refresh token rotation replaced → its origin, and until when it still
    /// refreshes (the client's retry grace period).
    replaced: HashMap<[u8; 32], (String, Timestamp)>,
    /// User key → origins of its grants not revoked.
    by_user: HashMap<String, BTreeSet<String>>,
    /// When each grant may be forgotten, earliest first.
    expiry: BTreeSet<(Timestamp, String)>,
    /// Origins of the grants added, changed or forgotten.
    changed: Changed<String>,
}

/// A new opaque refresh token.
pub(crate) fn new_refresh_token(random: &dyn Random) -> String {
    let mut bytes = [0u8; 96];
    random.fill(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl Grants {
    /// How many grants are kept, revoked ones included.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.by_origin.len()
    }

    /// Starts recording which grants change (see [`Changed`]).
    pub(crate) fn track(&mut self) {
        self.changed.track();
    }

    /// The origins of the grants added, changed or forgotten since the last call.
    pub(crate) fn take_changes(&mut self) -> Vec<String> {
        self.changed.take()
    }

    /// Every grant.
    pub(crate) fn all(&self) -> impl Iterator<Item = &Grant> {
        self.by_origin.values()
    }

    /// Keeps a grant read back from a store, with its indexes.
    pub(crate) fn restore(&mut self, grant: Grant) {
        let origin = grant.origin_jti.clone();
        self.live.insert(grant.live, origin.clone());
        for (h, until) in &grant.replaced {
            self.replaced.insert(*h, (origin.clone(), *until));
        }
        if !grant.revoked {
            self.by_user
                .entry(grant.user_key.clone())
                .or_default()
                .insert(origin.clone());
        }
        self.expiry.insert((grant.forget_at(), origin.clone()));
        self.by_origin.insert(origin, grant);
    }

    /// Records a sign-in whose refresh token is `token`.
    pub(crate) fn insert(&mut self, new: NewGrant, token: &str, now: Timestamp) {
        self.prune(now);
        let live = hash(token);
        let grant = Grant {
            user_key: new.user_key,
            sub: new.sub,
            client_id: new.client_id,
            origin_jti: new.origin_jti,
            session_id: new.session_id,
            auth_time: new.auth_time,
            device_key: new.device_key,
            methods: new.methods,
            scopes: new.scopes,
            expires: new.expires,
            last_active: now,
            tokens_until: new.tokens_until,
            revoked: false,
            live,
            replaced: Vec::new(),
        };
        let origin = grant.origin_jti.clone();
        self.live.insert(live, origin.clone());
        self.by_user
            .entry(grant.user_key.clone())
            .or_default()
            .insert(origin.clone());
        self.expiry.insert((grant.forget_at(), origin.clone()));
        self.changed.note(|| origin.clone());
        self.by_origin.insert(origin, grant);
    }

    /// The grant of refresh token `token`, and whether the token still refreshes at
    /// `now`: a live one does, one rotation replaced only within its grace period.
    pub(crate) fn lookup(&self, token: &str, now: Timestamp) -> Option<(&Grant, bool)> {
        let h = hash(token);
        if let Some(origin) = self.live.get(&h) {
            return self.by_origin.get(origin).map(|g| (g, true));
        }
        let (origin, until) = self.replaced.get(&h)?;
        self.by_origin.get(origin).map(|g| (g, *until > now))
    }

    /// The grant of origin `origin`.
    pub(crate) fn get(&self, origin: &str) -> Option<&Grant> {
        self.by_origin.get(origin)
    }

    /// Whether the tokens of `origin` are revoked.
    pub(crate) fn is_revoked(&self, origin: &str) -> bool {
        self.by_origin.get(origin).is_some_and(|g| g.revoked)
    }

    /// Revokes every token of `origin`.
    pub(crate) fn revoke(&mut self, origin: &str) {
        let Some(grant) = self.by_origin.get_mut(origin) else {
            return;
        };
        grant.revoked = true;
        self.changed.note(|| origin.to_string());
        if let Some(origins) = self.by_user.get_mut(&grant.user_key) {
            origins.remove(origin);
            if origins.is_empty() {
                self.by_user.remove(&grant.user_key);
            }
        }
    }

    /// Revokes every token of `user_key`: global sign-out, or the user's deletion.
    pub(crate) fn revoke_user(&mut self, user_key: &str) {
        for origin in self.by_user.remove(user_key).unwrap_or_default() {
            if let Some(grant) = self.by_origin.get_mut(&origin) {
                grant.revoked = true;
                self.changed.note(|| origin.clone());
            }
        }
    }

    /// Revokes the grants `select` picks, scanning them all: for the test API only.
    pub(crate) fn revoke_where(&mut self, select: impl Fn(&Grant) -> bool) -> usize {
        let picked: Vec<String> = self
            .by_origin
            .values()
            .filter(|g| !g.revoked && select(g))
            .map(|g| g.origin_jti.clone())
            .collect();
        for origin in &picked {
            self.revoke(origin);
        }
        picked.len()
    }

    /// The user's grants still usable at `now`, oldest first.
    pub(crate) fn of_user(&self, user_key: &str, now: Timestamp) -> Vec<&Grant> {
        let mut grants: Vec<&Grant> = self
            .by_user
            .get(user_key)
            .into_iter()
            .flatten()
            .filter_map(|o| self.by_origin.get(o))
            .filter(|g| g.expires > now)
            .collect();
        grants.sort_by(|a, b| (a.auth_time, &a.origin_jti).cmp(&(b.auth_time, &b.origin_jti)));
        grants
    }

    /// Every grant usable at `now`, scanning them all: for the test API only.
    pub(crate) fn active(&self, now: Timestamp) -> impl Iterator<Item = &Grant> {
        self.by_origin
            .values()
            .filter(move |g| !g.revoked && g.expires > now)
    }

    /// Records that `origin` issued tokens at `now`, valid until `tokens_until`.
    pub(crate) fn touch(&mut self, origin: &str, now: Timestamp, tokens_until: Timestamp) {
        let Some(grant) = self.by_origin.get_mut(origin) else {
            return;
        };
        let before = grant.forget_at();
        self.changed.note(|| origin.to_string());
        grant.last_active = now;
        grant.tokens_until = grant.tokens_until.max(tokens_until);
        let after = grant.forget_at();
        if after != before {
            self.expiry.remove(&(before, origin.to_string()));
            self.expiry.insert((after, origin.to_string()));
        }
        self.prune(now);
    }

    /// Replaces the live refresh token of `origin` by a new one, which it answers; the
    /// old one keeps refreshing for `grace_secs`, then counts as reused.
    pub(crate) fn rotate(
        &mut self,
        origin: &str,
        random: &dyn Random,
        now: Timestamp,
        grace_secs: i64,
    ) -> Option<String> {
        let grant = self.by_origin.get_mut(origin)?;
        let token = new_refresh_token(random);
        let new = hash(&token);
        let old = std::mem::replace(&mut grant.live, new);
        let until = now.plus_millis(grace_secs * 1000);
        grant.replaced.push((old, until));
        self.changed.note(|| origin.to_string());
        self.live.remove(&old);
        self.live.insert(new, origin.to_string());
        self.replaced.insert(old, (origin.to_string(), until));
        Some(token)
    }

    /// Forgets up to [`PRUNE_BATCH`] grants nothing of which can be presented any more.
    fn prune(&mut self, now: Timestamp) {
        for _ in 0..PRUNE_BATCH {
            let Some((at, origin)) = self.expiry.first().cloned() else {
                return;
            };
            if at > now {
                return;
            }
            self.expiry.remove(&(at, origin.clone()));
            let Some(grant) = self.by_origin.remove(&origin) else {
                continue;
            };
            self.changed.note(|| origin.clone());
            self.live.remove(&grant.live);
            for (h, _) in &grant.replaced {
                self.replaced.remove(h);
            }
            if let Some(origins) = self.by_user.get_mut(&grant.user_key) {
                origins.remove(&origin);
                if origins.is_empty() {
                    self.by_user.remove(&grant.user_key);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::tests::SeqRandom;

    fn t(secs: i64) -> Timestamp {
        Timestamp::from_secs(secs)
    }

    fn grant(grants: &mut Grants, user: &str, origin: &str, at: i64, days: i64) -> String {
        let token = format!("token-{origin}");
        grants.insert(
            NewGrant {
                user_key: user.into(),
                sub: format!("sub-{user}"),
                client_id: "client".into(),
                origin_jti: origin.into(),
                session_id: format!("tkn{origin}"),
                auth_time: t(at),
                device_key: None,
                methods: Methods::PASSWORD,
                scopes: None,
                expires: t(at + days * 86_400),
                tokens_until: t(at + 3_600),
            },
            &token,
            t(at),
        );
        token
    }

    #[test]
    fn refresh_tokens_find_their_grant_and_revocation_follows_the_user() {
        let mut grants = Grants::default();
        let a = grant(&mut grants, "ann", "o1", 0, 30);
        grant(&mut grants, "ann", "o2", 10, 30);
        let b = grant(&mut grants, "bob", "o3", 20, 30);
        assert_eq!(grants.lookup(&a, t(30)).unwrap().0.origin_jti, "o1");
        assert!(grants.lookup("unknown", t(30)).is_none());
        let origins: Vec<&str> = grants
            .of_user("ann", t(30))
            .iter()
            .map(|g| g.origin_jti.as_str())
            .collect();
        assert_eq!(origins, ["o1", "o2"]);

        grants.revoke_user("ann");
        assert!(grants.is_revoked("o1") && grants.is_revoked("o2"));
        assert!(!grants.is_revoked("o3"));
        assert!(grants.of_user("ann", t(30)).is_empty());
        // A revoked token is still known, to answer that it was revoked.
        assert!(grants.lookup(&a, t(30)).is_some());
        grants.revoke("o3");
        assert!(grants.is_revoked("o3"));
        assert!(grants.lookup(&b, t(30)).is_some());
    }

    #[test]
    fn rotation_keeps_the_old_token_for_its_grace_period() {
        let mut grants = Grants::default();
        let old = grant(&mut grants, "ann", "o1", 0, 30);
        let new = grants
            .rotate("o1", &SeqRandom::default(), t(100), 60)
            .unwrap();
        assert_eq!(grants.lookup(&new, t(100)).map(|(_, ok)| ok), Some(true));
        assert_eq!(grants.lookup(&old, t(159)).map(|(_, ok)| ok), Some(true));
        assert_eq!(grants.lookup(&old, t(160)).map(|(_, ok)| ok), Some(false));
    }

    #[test]
    fn grants_are_pruned_once_no_token_of_theirs_can_be_presented() {
        let mut grants = Grants::default();
        let early = grant(&mut grants, "ann", "o1", 0, 1);
        grants.revoke("o1");
        // Refreshing extends how long the grant's tokens live.
        grant(&mut grants, "bob", "o2", 0, 1);
        grants.touch("o2", t(86_000), t(86_000 + 3_600));
        assert_eq!(grants.len(), 2);
        // After a day, the first grant's refresh token (and its access tokens) are gone.
        grant(&mut grants, "cat", "o3", 86_401, 1);
        assert_eq!(grants.len(), 2);
        assert!(grants.lookup(&early, t(86_401)).is_none());
        assert!(!grants.is_revoked("o1"));
        assert!(grants.get("o2").is_some());
        // The second lives until its last access token expires.
        grants.touch("o3", t(86_000 + 3_600), t(86_000 + 7_200));
        assert!(grants.get("o2").is_none());
        assert_eq!(grants.len(), 1);
    }

    #[test]
    fn pruning_is_spread_over_requests() {
        let mut grants = Grants::default();
        for i in 0..100 {
            grant(&mut grants, "ann", &format!("o{i}"), 0, 1);
        }
        grant(&mut grants, "bob", "late", 200_000, 1);
        assert_eq!(grants.len(), 101 - PRUNE_BATCH);
        for i in 0..10 {
            grants.touch("late", t(200_000 + i), t(200_000 + 3_600));
        }
        assert_eq!(grants.len(), 1);
    }
}
