//! Compromised credentials: a registry of known-leaked passwords (kept only as SHA-256
//! hashes) and the check the password paths make when a pool's (or client's) risk
//! configuration says `BLOCK` for the event at hand.

use cognito_model::shapes::{CompromisedCredentialsEventActionType, EventFilterType};
use cognito_model::{CognitoError, ErrorKind};
use sha2::{Digest, Sha256};

use crate::store::PoolState;
use crate::Cognito;

fn hash(password: &str) -> [u8; 32] {
    Sha256::digest(password.as_bytes()).into()
}

impl Cognito {
    /// Adds `password` to the compromised set (only its SHA-256 hash is kept).
    pub fn register_compromised_password(&self, password: &str) {
        self.store
            .update_global(|global| global.compromised.insert(hash(password)));
    }

    /// How many compromised passwords are registered.
    pub fn compromised_password_count(&self) -> usize {
        self.store.global(|global| global.compromised.len())
    }

    /// Refuses `password` for `event` when it is compromised and the risk configuration
    /// of the pool (or of `client_id`) blocks compromised credentials for that event.
    pub(crate) fn check_compromised(
        &self,
        pool: &PoolState,
        client_id: Option<&str>,
        event: EventFilterType,
        password: &str,
    ) -> Result<(), CognitoError> {
        let blocks = pool.risk.compromised_credentials_action(client_id, event)
            == Some(CompromisedCredentialsEventActionType::Block);
        if !blocks
            || !self
                .store
                .global(|global| global.compromised.contains(&hash(password)))
        {
            return Ok(());
        }
        Err(match event {
            EventFilterType::SignIn => CognitoError::new(
                ErrorKind::NotAuthorizedException,
                "The password has been found in a set of compromised credentials.",
            ),
            _ => CognitoError::new(
                ErrorKind::InvalidPasswordException,
                "The password has been found in a set of compromised credentials.",
            ),
        })
    }
}
