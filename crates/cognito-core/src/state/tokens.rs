//! A pool's token state: its signing key (made on first use), the certificate made over
//! it, and the refresh grants.

use std::sync::Arc;

use cognito_crypto::jwt::SigningKey;

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
        self.certificate.get_or_insert(pem).clone()
    }

    /// Keeps `key` unless a key was kept first; answers the one kept.
    pub(crate) fn keep_key(&mut self, key: SigningKey) -> Arc<SigningKey> {
        self.key.get_or_insert_with(|| Arc::new(key)).clone()
    }
}
