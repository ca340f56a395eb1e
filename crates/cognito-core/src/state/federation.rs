//! Federated sign-ins under way, the SAML assertions already accepted, and what the
//! pool keeps of its identity providers' published documents.
//!
//! A sign-in sent to a provider waits here under the `state` it carries (a SAML
//! provider's `RelayState`) until the provider sends the browser back. The pool keeps
//! only the state's SHA-256 hash; a state works once, and for ten minutes (the time a
//! person has to sign in at the provider). Expired ones are forgotten a few at a time as
//! new ones come.
//!
//! A SAML assertion is accepted once (SAML Profiles 2.0 §4.1.4.5): its issuer and `ID`
//! are kept, hashed, until it expires, then forgotten the same way.
//!
//! The discovery documents, key sets and SAML metadata fetched from providers are kept
//! per provider and URL, so that a sign-in fetches them once; a key set is fetched again
//! when a token names a key it does not hold.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cognito_model::Timestamp;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// How long a sign-in at a provider may take: ten minutes.
pub(crate) const PENDING_LIFETIME_MILLIS: i64 = 10 * 60 * 1000;

/// A sign-in sent to a provider. `Debug` hides the nonce and the PKCE verifier.
#[derive(Clone)]
pub(crate) struct PendingFederation {
    /// The provider it went to.
    pub(crate) provider_name: String,
    /// The app client the sign-in is for.
    pub(crate) client_id: String,
    /// Where the provider sends the browser back (`redirect_uri` at the provider).
    pub(crate) callback_url: String,
    /// The `nonce` the provider's ID token must carry.
    pub(crate) nonce: Option<String>,
    /// The PKCE verifier of the challenge sent (RFC 7636).
    pub(crate) code_verifier: Option<String>,
    /// The `ID` of the SAML `AuthnRequest` sent, which the response must answer
    /// (`InResponseTo`); `None` for OAuth 2.0 providers.
    pub(crate) saml_request_id: Option<String>,
    /// What the embedder resumes once the sign-in is done, opaque here.
    pub(crate) resume: String,
    pub(crate) expires: Timestamp,
}

impl std::fmt::Debug for PendingFederation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingFederation")
            .field("provider_name", &self.provider_name)
            .field("client_id", &self.client_id)
            .field("callback_url", &self.callback_url)
            .field("saml_request_id", &self.saml_request_id)
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

/// A document a provider publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Published {
    /// `/.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §4).
    Discovery,
    /// The JSON Web Key Set at `jwks_uri` (RFC 7517 §5).
    KeySet,
    /// A SAML provider's metadata at its `MetadataURL` (SAML Metadata 2.0), kept as a
    /// JSON string.
    SamlMetadata,
}

/// The federated sign-ins of one pool, and its providers' documents.
#[derive(Debug, Clone, Default)]
pub struct Federations {
    /// SHA-256 of a state → its sign-in.
    pending: HashMap<[u8; 32], PendingFederation>,
    /// When each state expires, earliest first.
    expiry: BTreeSet<(Timestamp, [u8; 32])>,
    /// SHA-256 of each accepted assertion's issuer and `ID` → until when it is kept.
    assertions: HashMap<[u8; 32], Timestamp>,
    /// When each accepted assertion is forgotten, earliest first.
    assertion_expiry: BTreeSet<(Timestamp, [u8; 32])>,
    /// (provider, document) → the URL it was fetched from, and the document.
    published: BTreeMap<(String, Published), (String, Value)>,
}

fn hash(state: &str) -> [u8; 32] {
    Sha256::digest(state.as_bytes()).into()
}

/// The key of an assertion: its issuer and `ID`, which SAML Core §1.3.4 makes unique
/// together.
fn assertion_key(issuer: &str, id: &str) -> [u8; 32] {
    let mut digest = Sha256::new();
    digest.update(issuer.as_bytes());
    digest.update([0]);
    digest.update(id.as_bytes());
    digest.finalize().into()
}

impl Federations {
    /// How many sign-ins are kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.pending.len()
    }

    /// Keeps `pending` under `state`, at `now`.
    pub(crate) fn insert(&mut self, state: &str, pending: PendingFederation, now: Timestamp) {
        self.prune(now);
        let h = hash(state);
        self.expiry.insert((pending.expires, h));
        self.pending.insert(h, pending);
    }

    /// Takes the sign-in of `state` at `now`, once: an unknown, used or expired state
    /// finds none.
    pub(crate) fn take(&mut self, state: &str, now: Timestamp) -> Option<PendingFederation> {
        self.prune(now);
        let h = hash(state);
        let pending = self.pending.remove(&h)?;
        self.expiry.remove(&(pending.expires, h));
        Some(pending)
    }

    /// Accepts the assertion `id` of `issuer` at `now`, keeping it until `until`:
    /// `false` when it was accepted before and has not expired since (a replay).
    pub(crate) fn accept_assertion(
        &mut self,
        issuer: &str,
        id: &str,
        until: Timestamp,
        now: Timestamp,
    ) -> bool {
        self.prune(now);
        let key = assertion_key(issuer, id);
        if self.assertions.contains_key(&key) {
            return false;
        }
        self.assertions.insert(key, until);
        self.assertion_expiry.insert((until, key));
        true
    }

    /// The document `which` of `provider`, when it was fetched from `url`.
    pub(crate) fn published(&self, provider: &str, which: Published, url: &str) -> Option<&Value> {
        self.published
            .get(&(provider.to_owned(), which))
            .filter(|(from, _)| from == url)
            .map(|(_, document)| document)
    }

    /// Keeps the document `which` of `provider`, fetched from `url`, in place of any
    /// other.
    pub(crate) fn keep_published(
        &mut self,
        provider: &str,
        which: Published,
        url: &str,
        document: Value,
    ) {
        self.published
            .insert((provider.to_owned(), which), (url.to_owned(), document));
    }

    /// Forgets the sign-ins and assertions expired at `now`.
    fn prune(&mut self, now: Timestamp) {
        while let Some(&(at, h)) = self.expiry.first() {
            if at > now {
                break;
            }
            self.expiry.pop_first();
            self.pending.remove(&h);
        }
        while let Some(&(at, key)) = self.assertion_expiry.first() {
            if at > now {
                break;
            }
            self.assertion_expiry.pop_first();
            self.assertions.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pending(expires: i64) -> PendingFederation {
        PendingFederation {
            provider_name: "Corp".into(),
            client_id: "c".into(),
            callback_url: "https://auth.example/oauth2/idpresponse".into(),
            nonce: Some("n0nce".into()),
            code_verifier: Some("v3rifier".into()),
            saml_request_id: None,
            resume: "r".into(),
            expires: Timestamp::from_secs(expires),
        }
    }

    #[test]
    fn a_state_works_once_and_is_forgotten_when_expired() {
        let mut f = Federations::default();
        f.insert("a", pending(600), Timestamp::from_secs(0));
        f.insert("b", pending(700), Timestamp::from_secs(1));
        assert!(f.take("a", Timestamp::from_secs(2)).is_some());
        assert!(f.take("a", Timestamp::from_secs(3)).is_none());
        assert!(f.take("nope", Timestamp::from_secs(3)).is_none());
        assert_eq!(f.len(), 1);
        assert!(f.take("b", Timestamp::from_secs(700)).is_none());
        assert_eq!(f.len(), 0);
    }

    #[test]
    fn new_states_prune_expired_ones() {
        let mut f = Federations::default();
        f.insert("a", pending(10), Timestamp::from_secs(0));
        f.insert("b", pending(30), Timestamp::from_secs(20));
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn an_assertion_is_accepted_once_until_it_expires() {
        let mut f = Federations::default();
        let at = Timestamp::from_secs;
        assert!(f.accept_assertion("https://idp", "_a1", at(300), at(0)));
        assert!(!f.accept_assertion("https://idp", "_a1", at(300), at(10)));
        // Another issuer's assertion of the same ID is another assertion.
        assert!(f.accept_assertion("https://other", "_a1", at(300), at(10)));
        assert!(f.accept_assertion("https://idp", "_a2", at(600), at(20)));
        // Expired, it is forgotten: its validity window refuses it by then.
        assert!(f.accept_assertion("https://idp", "_a1", at(900), at(300)));
        assert_eq!(f.assertions.len(), 2);
    }

    #[test]
    fn documents_are_kept_per_provider_and_url() {
        let mut f = Federations::default();
        f.keep_published(
            "Corp",
            Published::KeySet,
            "https://a/keys",
            json!({"keys": []}),
        );
        assert!(f
            .published("Corp", Published::KeySet, "https://a/keys")
            .is_some());
        assert!(f
            .published("Corp", Published::KeySet, "https://b/keys")
            .is_none());
        assert!(f
            .published("Corp", Published::Discovery, "https://a/keys")
            .is_none());
        assert!(f
            .published("Other", Published::KeySet, "https://a/keys")
            .is_none());
        f.keep_published("Corp", Published::KeySet, "https://b/keys", json!({}));
        assert!(f
            .published("Corp", Published::KeySet, "https://a/keys")
            .is_none());
    }

    #[test]
    fn debug_hides_the_nonce_and_verifier() {
        let shown = format!("{:?}", pending(1));
        assert!(
            !shown.contains("n0nce") && !shown.contains("v3rifier"),
            "{shown}"
        );
    }
}
