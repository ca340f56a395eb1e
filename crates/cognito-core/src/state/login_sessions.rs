//! Sign-in sessions of the managed login pages: what a browser's session cookie stands
//! for, so that a browser signed in once is not asked again while the session lasts.
//!
//! A session's token is random and opaque; the pool keeps only its SHA-256 hash. A
//! session lasts an hour, as Cognito's do, and ends earlier when the browser signs out
//! (`/logout`).

use std::collections::{BTreeSet, HashMap};

use cognito_model::Timestamp;
use sha2::{Digest, Sha256};

use serde::{Deserialize, Serialize};

use super::changes::Changed;
use super::sign_in::Methods;

/// How long a managed login session lasts: one hour.
pub(crate) const LOGIN_SESSION_MILLIS: i64 = 60 * 60 * 1000;

/// Who a browser signed in as.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct LoginSession {
    pub(crate) user_key: String,
    /// The user's `sub`: a later user of the same name is another user.
    pub(crate) sub: String,
    /// What the user proved when signing in.
    pub(crate) methods: Methods,
    pub(crate) expires: Timestamp,
}

/// The managed login sessions of one pool.
#[derive(Debug, Clone, Default)]
pub struct LoginSessions {
    /// SHA-256 of a session token → the session.
    sessions: HashMap<[u8; 32], LoginSession>,
    /// When each session ends, earliest first.
    expiry: BTreeSet<(Timestamp, [u8; 32])>,
    /// Hashes of the sessions begun or ended.
    changed: Changed<[u8; 32]>,
}

fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl LoginSessions {
    /// Keeps the session `token` stands for, begun at `now`.
    pub(crate) fn insert(&mut self, token: &str, session: LoginSession, now: Timestamp) {
        self.prune(now);
        let h = hash(token);
        self.expiry.insert((session.expires, h));
        self.changed.note(|| h);
        self.sessions.insert(h, session);
    }

    /// Starts recording which sessions change (see [`Changed`]).
    pub(crate) fn track(&mut self) {
        self.changed.track();
    }

    /// The hashes of the sessions begun or ended since the last call.
    pub(crate) fn take_changes(&mut self) -> Vec<[u8; 32]> {
        self.changed.take()
    }

    /// The session whose token hashes to `hash`, whether expired or not.
    pub(crate) fn by_hash(&self, hash: &[u8; 32]) -> Option<&LoginSession> {
        self.sessions.get(hash)
    }

    /// Keeps `session` under the hash of its token, as read back from a store.
    pub(crate) fn restore(&mut self, hash: [u8; 32], session: LoginSession) {
        self.expiry.insert((session.expires, hash));
        self.sessions.insert(hash, session);
    }

    /// Every session, by the hash of its token.
    pub(crate) fn all(&self) -> impl Iterator<Item = (&[u8; 32], &LoginSession)> {
        self.sessions.iter()
    }

    /// The session `token` stands for, if it lasts at `now`.
    pub(crate) fn get(&self, token: &str, now: Timestamp) -> Option<&LoginSession> {
        self.sessions
            .get(&hash(token))
            .filter(|session| session.expires > now)
    }

    /// Ends the session `token` stands for.
    pub(crate) fn remove(&mut self, token: &str) {
        let h = hash(token);
        if let Some(session) = self.sessions.remove(&h) {
            self.expiry.remove(&(session.expires, h));
            self.changed.note(|| h);
        }
    }

    /// Forgets the sessions ended at `now`.
    fn prune(&mut self, now: Timestamp) {
        while let Some(&(at, h)) = self.expiry.first() {
            if at > now {
                break;
            }
            self.expiry.pop_first();
            self.sessions.remove(&h);
            self.changed.note(|| h);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(expires: i64) -> LoginSession {
        LoginSession {
            user_key: "u".into(),
            sub: "s".into(),
            methods: Methods::PASSWORD,
            expires: Timestamp::from_secs(expires),
        }
    }

    #[test]
    fn a_session_lasts_until_it_expires_or_ends() {
        let mut sessions = LoginSessions::default();
        sessions.insert("a", session(3600), Timestamp::from_secs(0));
        sessions.insert("b", session(3600), Timestamp::from_secs(0));
        assert!(sessions.get("a", Timestamp::from_secs(3599)).is_some());
        assert!(sessions.get("a", Timestamp::from_secs(3600)).is_none());
        assert!(sessions.get("c", Timestamp::from_secs(1)).is_none());
        sessions.remove("b");
        assert!(sessions.get("b", Timestamp::from_secs(1)).is_none());
        sessions.insert("c", session(7200), Timestamp::from_secs(3600));
        assert_eq!(sessions.sessions.len(), 1);
    }
}
