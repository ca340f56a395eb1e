//! How passwords are kept: as Cognito's SRP identity hash, never as text.
//!
//! Cognito's SRP-6a (as amazon-cognito-identity-js implements it) derives the private
//! value from `x = SHA-256(salt || SHA-256(poolName || userId || ":" || password))`, where
//! `poolName` is the part of the pool id after `_`. Keeping the inner hash (the *identity
//! hash*) and a salt is enough both to check a password sent in the clear
//! (`USER_PASSWORD_AUTH`) and to derive the SRP verifier `g^x mod N` on first use, so no
//! expensive work happens when a password is set.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A stored password: a random salt and the identity hash.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash {
    /// The SRP salt.
    pub salt: [u8; 16],
    /// `SHA-256(poolName || userId || ":" || password)`.
    pub identity: [u8; 32],
}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

/// `SHA-256(poolName || userId || ":" || password)`.
pub fn identity_hash(pool_name: &str, user_id: &str, password: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(pool_name.as_bytes());
    h.update(user_id.as_bytes());
    h.update(b":");
    h.update(password.as_bytes());
    h.finalize().into()
}

impl PasswordHash {
    /// Hashes `password` for `user_id` in the pool named `pool_name`, with `salt`.
    pub fn new(pool_name: &str, user_id: &str, password: &str, salt: [u8; 16]) -> Self {
        PasswordHash {
            salt,
            identity: identity_hash(pool_name, user_id, password),
        }
    }

    /// Whether `password` is the stored one, in constant time.
    pub fn verify(&self, pool_name: &str, user_id: &str, password: &str) -> bool {
        identity_hash(pool_name, user_id, password)
            .ct_eq(&self.identity)
            .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_only_the_right_password() {
        let h = PasswordHash::new("AbC123xyz", "alice", "Passw0rd!", [7; 16]);
        assert!(h.verify("AbC123xyz", "alice", "Passw0rd!"));
        assert!(!h.verify("AbC123xyz", "alice", "Passw0rd?"));
        assert!(!h.verify("AbC123xyz", "bob", "Passw0rd!"));
        assert_eq!(format!("{h:?}"), "PasswordHash(<redacted>)");
    }

    #[test]
    fn identity_hash_is_sha256_of_the_joined_parts() {
        // SHA-256("poolu:p"), computed independently.
        let expected: [u8; 32] = Sha256::digest(b"poolu:p").into();
        assert_eq!(identity_hash("pool", "u", "p"), expected);
    }
}
