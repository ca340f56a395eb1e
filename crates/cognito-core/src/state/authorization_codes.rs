//! Authorization codes of the OAuth 2.0 authorization code grant, waiting to be
//! exchanged at the token endpoint.
//!
//! A code is random and opaque; the pool keeps only its SHA-256 hash, as it does for
//! refresh tokens. A code works once and for five minutes. A code already exchanged is
//! remembered until it would have expired, with the sign-in it began, so that a second
//! use can end that sign-in (RFC 6749 §4.1.2).

use std::collections::{BTreeSet, HashMap};

use base64::Engine as _;
use cognito_model::Timestamp;
use sha2::{Digest, Sha256};

use serde::{Deserialize, Serialize};

use super::changes::Changed;
use super::sign_in::Methods;
use crate::Random;

/// How long a code works, as Cognito's do: five minutes.
pub(crate) const CODE_LIFETIME_MILLIS: i64 = 5 * 60 * 1000;

/// How a code's PKCE challenge was made (RFC 7636 §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChallengeMethod {
    /// The challenge is the verifier.
    Plain,
    /// The challenge is the verifier's SHA-256, base64url without padding.
    S256,
}

/// What a code was issued for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AuthorizationCode {
    pub(crate) user_key: String,
    /// The user's `sub`: a later user of the same name is another user.
    pub(crate) sub: String,
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) challenge: Option<(String, ChallengeMethod)>,
    pub(crate) nonce: Option<String>,
    /// What the user proved when signing in (`amr`).
    pub(crate) methods: Methods,
    pub(crate) expires: Timestamp,
}

/// What taking a code found.
#[derive(Debug)]
pub(crate) enum Taken {
    /// A code that works; it works no more.
    Fresh(AuthorizationCode),
    /// A code exchanged before, and the sign-in (`origin_jti`) its exchange began.
    Used(Option<String>),
    /// No such code, or one expired.
    Unknown,
}

/// The codes of one pool.
#[derive(Debug, Clone, Default)]
pub struct AuthorizationCodes {
    /// SHA-256 of a code → what it is for.
    fresh: HashMap<[u8; 32], AuthorizationCode>,
    /// SHA-256 of a code exchanged → the sign-in it began, and when it would have expired.
    used: HashMap<[u8; 32], (Option<String>, Timestamp)>,
    /// When each hash may be forgotten, earliest first.
    expiry: BTreeSet<(Timestamp, [u8; 32])>,
    /// Hashes of the codes issued, exchanged or forgotten.
    changed: Changed<[u8; 32]>,
}

/// One code as a store keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) enum StoredCode {
    /// Not exchanged yet.
    Fresh(AuthorizationCode),
    /// Exchanged: the sign-in it began, and when it would have expired.
    Used(Option<String>, Timestamp),
}

fn hash(code: &str) -> [u8; 32] {
    Sha256::digest(code.as_bytes()).into()
}

/// A new opaque code: 32 random bytes, base64url.
pub(crate) fn new_code(random: &dyn Random) -> String {
    let mut bytes = [0u8; 32];
    random.fill(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

impl AuthorizationCodes {
    /// How many codes are kept, fresh or used.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.fresh.len() + self.used.len()
    }

    /// Keeps `code`, issued at `now`.
    pub(crate) fn insert(&mut self, code: &str, issued: AuthorizationCode, now: Timestamp) {
        self.prune(now);
        let h = hash(code);
        self.expiry.insert((issued.expires, h));
        self.changed.note(|| h);
        self.fresh.insert(h, issued);
    }

    /// Takes `code` at `now`: a fresh code is moved to the used ones.
    pub(crate) fn take(&mut self, code: &str, now: Timestamp) -> Taken {
        self.prune(now);
        let h = hash(code);
        if let Some((origin, _)) = self.used.get(&h) {
            return Taken::Used(origin.clone());
        }
        match self.fresh.remove(&h) {
            Some(issued) => {
                self.changed.note(|| h);
                self.used.insert(h, (None, issued.expires));
                Taken::Fresh(issued)
            }
            None => Taken::Unknown,
        }
    }

    /// Records the sign-in the exchange of `code` began.
    pub(crate) fn began(&mut self, code: &str, origin_jti: &str) {
        let h = hash(code);
        if let Some((origin, _)) = self.used.get_mut(&h) {
            *origin = Some(origin_jti.to_owned());
            self.changed.note(|| h);
        }
    }

    /// Starts recording which codes change (see [`Changed`]).
    pub(crate) fn track(&mut self) {
        self.changed.track();
    }

    /// The hashes of the codes issued, exchanged or forgotten since the last call.
    pub(crate) fn take_changes(&mut self) -> Vec<[u8; 32]> {
        self.changed.take()
    }

    /// The code hashing to `h`, as a store keeps it.
    pub(crate) fn stored(&self, h: &[u8; 32]) -> Option<StoredCode> {
        if let Some(code) = self.fresh.get(h) {
            return Some(StoredCode::Fresh(code.clone()));
        }
        self.used
            .get(h)
            .map(|(origin, expires)| StoredCode::Used(origin.clone(), *expires))
    }

    /// Every code's hash.
    pub(crate) fn hashes(&self) -> impl Iterator<Item = &[u8; 32]> {
        self.fresh.keys().chain(self.used.keys())
    }

    /// Keeps a code read back from a store.
    pub(crate) fn restore(&mut self, h: [u8; 32], code: StoredCode) {
        match code {
            StoredCode::Fresh(code) => {
                self.expiry.insert((code.expires, h));
                self.fresh.insert(h, code);
            }
            StoredCode::Used(origin, expires) => {
                self.expiry.insert((expires, h));
                self.used.insert(h, (origin, expires));
            }
        }
    }

    /// Forgets the codes expired at `now`.
    fn prune(&mut self, now: Timestamp) {
        while let Some(&(at, h)) = self.expiry.first() {
            if at > now {
                break;
            }
            self.expiry.pop_first();
            self.fresh.remove(&h);
            self.used.remove(&h);
            self.changed.note(|| h);
        }
    }
}

/// Whether `verifier` answers `challenge` (RFC 7636 §4.6), in constant time.
pub(crate) fn verifier_matches(challenge: &str, method: ChallengeMethod, verifier: &str) -> bool {
    use subtle::ConstantTimeEq;
    let expected = match method {
        ChallengeMethod::Plain => verifier.to_owned(),
        ChallengeMethod::S256 => base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(verifier.as_bytes())),
    };
    bool::from(expected.as_bytes().ct_eq(challenge.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(expires: i64) -> AuthorizationCode {
        AuthorizationCode {
            user_key: "u".into(),
            sub: "s".into(),
            client_id: "c".into(),
            redirect_uri: "https://app/cb".into(),
            scopes: vec!["openid".into()],
            challenge: None,
            nonce: None,
            methods: Methods::PASSWORD,
            expires: Timestamp::from_secs(expires),
        }
    }

    #[test]
    fn a_code_works_once_and_is_forgotten_when_expired() {
        let mut codes = AuthorizationCodes::default();
        codes.insert("a", code(300), Timestamp::from_secs(0));
        assert!(matches!(
            codes.take("a", Timestamp::from_secs(1)),
            Taken::Fresh(_)
        ));
        codes.began("a", "origin");
        assert!(matches!(
            codes.take("a", Timestamp::from_secs(2)),
            Taken::Used(Some(o)) if o == "origin"
        ));
        assert!(matches!(
            codes.take("b", Timestamp::from_secs(2)),
            Taken::Unknown
        ));
        codes.insert("c", code(400), Timestamp::from_secs(3));
        assert_eq!(codes.len(), 2);
        assert!(matches!(
            codes.take("c", Timestamp::from_secs(400)),
            Taken::Unknown
        ));
        assert_eq!(codes.len(), 0);
    }

    #[test]
    fn pkce_verifiers() {
        // RFC 7636 appendix B's example.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(verifier_matches(challenge, ChallengeMethod::S256, verifier));
        assert!(!verifier_matches(challenge, ChallengeMethod::S256, "other"));
        assert!(!verifier_matches(
            challenge,
            ChallengeMethod::Plain,
            verifier
        ));
        assert!(verifier_matches(verifier, ChallengeMethod::Plain, verifier));
    }
}
