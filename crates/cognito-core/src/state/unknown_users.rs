//! Sign-ins as users that do not exist, through a client that prevents user existence
//! errors (`PreventUserExistenceErrors: ENABLED`).
//!
//! Such a client must answer an unknown username exactly as it answers a real user with
//! a wrong password. So an SRP sign-in gets a simulated `PASSWORD_VERIFIER` challenge,
//! with the same salt and user id for the same username every time (as RFC 5054 §2.5.1.3
//! suggests), and failures are counted per username with the lockout real users get:
//! "Password attempts exceeded" would otherwise tell who exists.

use std::collections::HashMap;

use cognito_crypto::srp::Verifier;
use cognito_model::Timestamp;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use cognito_model::CognitoError;

use super::users::count_failure;
use crate::errors::{incorrect, not_authorized};
use crate::Random;

/// Unknown usernames with failures counted are kept up to this many; past it, those not
/// locked out are forgotten.
const MAX_TRACKED: usize = 10_000;

/// What a pool keeps about sign-ins as users that do not exist.
#[derive(Debug, Clone, Default)]
pub struct UnknownUsers {
    /// The key the simulated salts and user ids derive from, made on first use.
    secret: Option<[u8; 32]>,
    /// Per username key: consecutive failures and the end of the current lockout.
    failures: HashMap<String, (u32, Option<Timestamp>)>,
}

/// The simulated values an SRP sign-in as an unknown user is answered with.
pub(crate) struct Simulated {
    pub(crate) salt: [u8; 16],
    pub(crate) user_id_for_srp: String,
    pub(crate) verifier: Verifier,
}

impl UnknownUsers {
    /// Counts a failed sign-in as `key`; answers the error a real user would get.
    pub(crate) fn fail(&mut self, key: &str, now: Timestamp) -> CognitoError {
        if let Some((_, Some(until))) = self.failures.get(key) {
            if *until > now {
                return not_authorized("Password attempts exceeded");
            }
        }
        if self.failures.len() >= MAX_TRACKED && !self.failures.contains_key(key) {
            self.failures
                .retain(|_, (_, until)| until.is_some_and(|u| u > now));
        }
        let (attempts, until) = self.failures.entry(key.to_string()).or_default();
        if count_failure(attempts, until, now) {
            not_authorized("Password attempts exceeded")
        } else {
            incorrect()
        }
    }

    /// The salt, user id and verifier an SRP sign-in as `key` is answered with: the
    /// same for the same username, unrelated to any password.
    pub(crate) fn simulate(&mut self, key: &str, random: &dyn Random) -> Simulated {
        let secret = *self.secret.get_or_insert_with(|| {
            let mut s = [0u8; 32];
            random.fill(&mut s);
            s
        });
        let derive = |label: &[u8]| -> [u8; 32] {
            // HMAC accepts keys of any length.
            let mut mac = match Hmac::<Sha256>::new_from_slice(&secret) {
                Ok(mac) => mac,
                Err(_) => return [0u8; 32],
            };
            mac.update(label);
            mac.update(key.as_bytes());
            mac.finalize().into_bytes().into()
        };
        let [salt, _] = halves(derive(b"salt"));
        let [id, _] = halves(derive(b"user id"));
        let mut verifier = Vec::with_capacity(32 * 12);
        for i in 0u8..12 {
            verifier.extend_from_slice(&derive(&[b'v', i]));
        }
        Simulated {
            salt,
            user_id_for_srp: crate::ids::uuid_from(id),
            verifier: Verifier::from_bytes(&verifier),
        }
    }
}

fn halves(bytes: [u8; 32]) -> [[u8; 16]; 2] {
    let mut out = [[0u8; 16]; 2];
    for (i, b) in bytes.into_iter().enumerate() {
        if let Some(slot) = out.get_mut(i / 16).and_then(|h| h.get_mut(i % 16)) {
            *slot = b;
        }
    }
    out
}
