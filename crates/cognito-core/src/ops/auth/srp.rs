//! `USER_SRP_AUTH` and its `PASSWORD_VERIFIER` challenge: Cognito's SRP-6a.
//!
//! Both steps cost 3072-bit exponentiations (the user's verifier on its first SRP
//! sign-in, the server's `B`, and the session key that checks the claim), so each reads
//! what it needs under the pool's lock, computes without it, and commits after.

use base64::Engine as _;
use cognito_crypto::password::PasswordHash;
use cognito_crypto::srp::{self, PasswordClaim, ServerSession, Verifier};
use cognito_model::shapes::*;
use cognito_model::CognitoError;

use super::{
    find_signing_in_user, incorrect, not_authorized, param, required, Challenge, Outcome, Params,
    SignIn, SignInAs,
};
use crate::errors::invalid_parameter;
use crate::state::sign_in::{ChallengeResult, Methods};
use crate::state::unknown_users::Simulated;
use crate::store::ClientState;
use crate::{Cognito, RequestContext};

/// How far a `PASSWORD_VERIFIER` timestamp may be from the server's clock.
const TIMESTAMP_SKEW_SECS: i64 = 300;

/// Who an SRP sign-in is for, as read under the pool's lock.
enum Subject {
    /// A user, with its password and its verifier when one was made already.
    User {
        user_key: String,
        hash: PasswordHash,
        user_id_for_srp: String,
        verifier: Option<Vec<u8>>,
    },
    /// A username that does not exist, behind a client that hides it.
    Unknown { key: String, simulated: Simulated },
}

/// A `PASSWORD_VERIFIER` challenge's state, once its session is taken.
#[derive(Clone)]
pub(super) struct Verifying {
    pub(super) sign_in: SignIn,
    pub(super) server: ServerSession,
    pub(super) secret_block: String,
    pub(super) user_id_for_srp: String,
}

impl Verifying {
    /// The challenge waiting on this state.
    pub(super) fn into_challenge(self) -> Challenge {
        Challenge::PasswordVerifier {
            sign_in: self.sign_in,
            server: self.server,
            secret_block: self.secret_block,
            user_id_for_srp: self.user_id_for_srp,
        }
    }
}

impl Cognito {
    /// `USER_SRP_AUTH`: answers `PASSWORD_VERIFIER` with the server's SRP values.
    pub(super) fn start_srp(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        client_id: &str,
        params: &Params,
        custom: Option<Vec<ChallengeResult>>,
    ) -> Result<Outcome, CognitoError> {
        let username = required(params, "USERNAME")?;
        let srp_a = required(params, "SRP_A")?;
        let (client, subject) = self.store.update(pool_id, |pool| {
            let client = pool.client(client_id)?.clone();
            client.check_secret_hash(username, param(params, "SECRET_HASH"))?;
            let subject = match find_signing_in_user(pool, &client, username)? {
                SignInAs::User(user_key) => {
                    let user = pool.users.get(&user_key).ok_or_else(incorrect)?;
                    Subject::User {
                        hash: user.password.clone().ok_or_else(incorrect)?,
                        user_id_for_srp: user.username.clone(),
                        verifier: user.sign_in.srp_verifier.clone(),
                        user_key,
                    }
                }
                SignInAs::Unknown(key) => {
                    let simulated = pool.unknown_users.simulate(&key, &*self.random);
                    Subject::Unknown { key, simulated }
                }
            };
            Ok((client, subject))
        })?;
        // Without the lock: the verifier (once per password) and the server's `B`.
        let mut b = [0u8; 32];
        self.random.fill(&mut b);
        let mut block = [0u8; 64];
        self.random.fill(&mut block);
        let secret_block = base64::engine::general_purpose::STANDARD.encode(block);
        let (salt, user_id_for_srp, server, challenge, made) = match subject {
            Subject::User {
                user_key,
                hash,
                user_id_for_srp,
                verifier,
            } => {
                let (verifier, made) = match verifier {
                    Some(bytes) => (Verifier::from_bytes(&bytes), None),
                    None => {
                        let v = srp::verifier(&hash.salt, &hash.identity);
                        let bytes = v.to_bytes();
                        (v, Some((user_key.clone(), hash.salt, bytes)))
                    }
                };
                let server = server_session(&verifier, srp_a, &b)?;
                let sign_in = SignIn {
                    user_key,
                    client_id: client_id.to_string(),
                    device_key: param(params, "DEVICE_KEY").map(str::to_string),
                    methods: Default::default(),
                    event_id: None,
                    device_proven: false,
                    new_password: false,
                    custom,
                    hosted: false,
                };
                let challenge = Challenge::PasswordVerifier {
                    sign_in,
                    server: server.clone(),
                    secret_block: secret_block.clone(),
                    user_id_for_srp: user_id_for_srp.clone(),
                };
                (hash.salt, user_id_for_srp, server, challenge, made)
            }
            Subject::Unknown { key, simulated } => {
                let server = server_session(&simulated.verifier, srp_a, &b)?;
                let challenge = Challenge::UnknownUser {
                    key,
                    client_id: client_id.to_string(),
                    secret_block: secret_block.clone(),
                };
                let Simulated {
                    salt,
                    user_id_for_srp,
                    ..
                } = simulated;
                (salt, user_id_for_srp, server, challenge, None)
            }
        };
        let mut parameters = ChallengeParametersType::new();
        parameters.insert("SALT".into(), srp::salt_hex(&salt));
        parameters.insert("SRP_B".into(), server.srp_b());
        parameters.insert("SECRET_BLOCK".into(), secret_block);
        parameters.insert("USER_ID_FOR_SRP".into(), user_id_for_srp.clone());
        parameters.insert("USERNAME".into(), user_id_for_srp);
        let session = self.store.update(pool_id, |pool| {
            // Keep the verifier, unless the password changed meanwhile.
            if let Some((user_key, salt, bytes)) = made {
                pool.users.update(&user_key, |u| {
                    if u.password.as_ref().is_some_and(|h| h.salt == salt) {
                        u.sign_in.srp_verifier = Some(bytes);
                    }
                });
            }
            Ok(self.open_session(ctx, pool, &client, challenge))
        })?;
        Ok(Outcome::challenge(
            ChallengeNameType::PasswordVerifier,
            parameters,
            session,
        ))
    }

    /// The answer to `PASSWORD_VERIFIER`: the client's proof that it knows the password.
    pub(super) fn answer_password_verifier(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        client: &ClientState,
        state: Verifying,
        responses: &Params,
        client_metadata: Option<&ClientMetadataType>,
    ) -> Result<Outcome, CognitoError> {
        let (sent_block, timestamp, signature) = claim_of(ctx, responses, &state.secret_block)?;
        let user_key = &state.sign_in.user_key;
        let (verifier, pool_name) = self.store.read(pool_id, |pool| {
            let user = pool.users.get(user_key).ok_or_else(incorrect)?;
            if !user.enabled {
                return Err(not_authorized("User is disabled."));
            }
            if user.sign_in.locked_until.is_some_and(|t| t > ctx.now) {
                return Err(not_authorized("Password attempts exceeded"));
            }
            let verifier = user
                .sign_in
                .srp_verifier
                .as_deref()
                .map(Verifier::from_bytes)
                .ok_or_else(incorrect)?;
            Ok((verifier, pool.pool_name().to_string()))
        })?;
        // Without the lock: the session key and the claim's signature.
        let claim = PasswordClaim {
            pool_name: &pool_name,
            user_id_for_srp: &state.user_id_for_srp,
            secret_block: sent_block,
            timestamp,
            signature,
        };
        let ok = state
            .server
            .verify_password_claim(&verifier, &claim)
            .is_ok();
        let mut sign_in = state.sign_in;
        let custom = sign_in.custom.is_some();
        let next = self.store.update(pool_id, |pool| {
            let event_id = self.record_password_result(ctx, pool, &sign_in.user_key, ok)?;
            sign_in.methods = Methods::PASSWORD;
            sign_in.event_id = Some(event_id);
            if custom {
                // The custom flow's functions decide what follows, without the lock.
                return Ok(Err(sign_in));
            }
            self.after_password(ctx, pool, client, sign_in).map(Ok)
        })?;
        match next {
            Ok(outcome) => Ok(outcome),
            Err(sign_in) => {
                self.custom_password_proven(ctx, pool_id, client, sign_in, client_metadata)
            }
        }
    }

    /// The answer to `DEVICE_SRP_AUTH`: the device's `SRP_A`, answered with the server's
    /// SRP values for the device's verifier (`DEVICE_PASSWORD_VERIFIER`).
    pub(super) fn answer_device_srp(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        client: &ClientState,
        sign_in: SignIn,
        responses: &Params,
    ) -> Result<Outcome, CognitoError> {
        let srp_a = required(responses, "SRP_A")?;
        let device_key = required(responses, "DEVICE_KEY")?;
        if sign_in.device_key.as_deref() != Some(device_key) {
            return Err(not_authorized("Invalid device key given."));
        }
        let (verifier, username) = self.store.read(pool_id, |pool| {
            let user = pool.users.get(&sign_in.user_key).ok_or_else(incorrect)?;
            let verifier = user
                .devices
                .get(device_key)
                .and_then(|d| d.verifier.clone())
                .ok_or_else(|| not_authorized("Invalid device key given."))?;
            Ok((verifier, user.username.clone()))
        })?;
        // Without the lock: the server's `B`.
        let mut b = [0u8; 32];
        self.random.fill(&mut b);
        let server = server_session(&verifier.verifier, srp_a, &b)?;
        let mut block = [0u8; 64];
        self.random.fill(&mut block);
        let secret_block = base64::engine::general_purpose::STANDARD.encode(block);
        let mut parameters = ChallengeParametersType::new();
        parameters.insert("SALT".into(), verifier.salt_hex());
        parameters.insert("SRP_B".into(), server.srp_b());
        parameters.insert("SECRET_BLOCK".into(), secret_block.clone());
        parameters.insert("USERNAME".into(), username);
        parameters.insert("DEVICE_KEY".into(), device_key.to_string());
        let challenge = Challenge::DevicePasswordVerifier {
            sign_in,
            server,
            secret_block,
        };
        let session = self.store.update(pool_id, |pool| {
            Ok(self.open_session(ctx, pool, client, challenge))
        })?;
        Ok(Outcome::challenge(
            ChallengeNameType::DevicePasswordVerifier,
            parameters,
            session,
        ))
    }

    /// The answer to `DEVICE_PASSWORD_VERIFIER`: the device's proof that it holds its
    /// secret, with the device group key in the pool name's place and the device key in
    /// the user's.
    pub(super) fn answer_device_password_verifier(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        client: &ClientState,
        mut sign_in: SignIn,
        (server, secret_block): (ServerSession, String),
        responses: &Params,
    ) -> Result<Outcome, CognitoError> {
        let (sent_block, timestamp, signature) = claim_of(ctx, responses, &secret_block)?;
        let device_key = sign_in.device_key.clone().ok_or_else(incorrect)?;
        let device = self.store.read(pool_id, |pool| {
            let user = pool.users.get(&sign_in.user_key).ok_or_else(incorrect)?;
            if !user.enabled {
                return Err(not_authorized("User is disabled."));
            }
            user.devices
                .get(&device_key)
                .cloned()
                .ok_or_else(|| not_authorized("Invalid device key given."))
        })?;
        let verifier = device.verifier.ok_or_else(incorrect)?;
        // Without the lock: the session key and the claim's signature.
        let claim = PasswordClaim {
            pool_name: &device.group_key,
            user_id_for_srp: &device_key,
            secret_block: sent_block,
            timestamp,
            signature,
        };
        server
            .verify_password_claim(&verifier.verifier, &claim)
            .map_err(|_| incorrect())?;
        sign_in.device_proven = true;
        self.store
            .update(pool_id, |pool| self.tokens_for(ctx, pool, client, sign_in))
    }
}

/// The secret block, timestamp and signature of an SRP answer, once the block is the
/// challenge's and the timestamp near the server's clock.
fn claim_of<'a>(
    ctx: &RequestContext,
    responses: &'a Params,
    secret_block: &str,
) -> Result<(&'a str, &'a str, &'a str), CognitoError> {
    let sent_block = required(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
    let timestamp = required(responses, "TIMESTAMP")?;
    let signature = required(responses, "PASSWORD_CLAIM_SIGNATURE")?;
    if sent_block != secret_block {
        return Err(incorrect());
    }
    let sent_at = srp::parse_timestamp(timestamp).map_err(|_| {
        invalid_parameter("TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.")
    })?;
    if (sent_at - ctx.now.secs()).abs() > TIMESTAMP_SKEW_SECS {
        return Err(incorrect());
    }
    Ok((sent_block, timestamp, signature))
}

fn server_session(
    verifier: &Verifier,
    srp_a: &str,
    b: &[u8; 32],
) -> Result<ServerSession, CognitoError> {
    ServerSession::new(verifier, srp_a, b)
        .map_err(|e| invalid_parameter(format!("Invalid SRP_A: {e}")))
}
