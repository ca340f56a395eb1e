//! A pool's token state: its signing key (made on first use), the certificate made over
//! it, and the refresh grants.

use std::sync::Arc;

use cognito_crypto::jwt::SigningKey;

use super::changes::Changed;
use super::grants::Grants;

/// Token state of a pool: its signing key, the certificate made over it, and the
/// refresh grants (see [`Grants`]).
#[derive(Debug, Clone, Default)]
pub struct TokenState {
    pub(crate) key: Option<Arc<SigningKey>>,
    /// The PEM certificate `GetSigningCertificate` answers, made once.
    pub(crate) certificate: Option<String>,
    /// The sign-ins holding a refresh token.
    pub(crate) grants: Grants,
    /// Noted when the key or the certificate is kept.
    signing_changed: Changed<()>,
}

impl TokenState {
    /// The pool's key, if it has one yet.
    pub fn key(&self) -> Option<&Arc<SigningKey>> {
        self.key.as_ref()
    }

    /// The signing certificate, once made.
    pub fn certificate(&self) -> Option<&str> {
        self.certificate.as_deref()
    }

    /// Keeps `pem` unless a certificate was kept first; answers the one kept.
    pub(crate) fn keep_certificate(&mut self, pem: String) -> String {
        if self.certificate.is_none() {
            self.signing_changed.note(|| ());
        }
        self.certificate.get_or_insert(pem).clone()
    }

    /// Keeps `key` unless a key was kept first; answers the one kept.
    pub(crate) fn keep_key(&mut self, key: SigningKey) -> Arc<SigningKey> {
        if self.key.is_none() {
            self.signing_changed.note(|| ());
        }
        self.key.get_or_insert_with(|| Arc::new(key)).clone()
    }

    /// Starts recording changes to the key, the certificate and the grants.
    pub(crate) fn track(&mut self) {
        self.signing_changed.track();
        self.grants.track();
    }

    /// Whether the key or the certificate was kept since the last call.
    pub(crate) fn take_signing_changed(&mut self) -> bool {
        !self.signing_changed.take().is_empty()
    }

    /// Keeps the key and certificate read back from a store.
    pub(crate) fn restore_signing(&mut self, key: Option<SigningKey>, certificate: Option<String>) {
        self.key = key.map(Arc::new);
        self.certificate = certificate;
    }
}
