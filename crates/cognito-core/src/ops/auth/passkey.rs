//! `WEB_AUTHN`: signing in with a passkey, as a first factor of `USER_AUTH`.
//!
//! The challenge hands out `CREDENTIAL_REQUEST_OPTIONS` (a fresh challenge, the relying
//! party, the user's credentials, the user verification asked); the answer's `CREDENTIAL`
//! is an assertion, verified (`cognito_crypto::webauthn::verify_assertion`) against the
//! stored key without the pool's lock, and its signature counter kept. Where MFA is
//! required, a passkey signs in alone only if its authenticator verified the user
//! (`FactorConfiguration: MULTI_FACTOR_WITH_USER_VERIFICATION`).

use cognito_crypto::webauthn::{self, Expected};
use cognito_model::shapes::*;
use cognito_model::{CognitoError, ErrorKind};
use serde_json::{json, Value};

use super::{incorrect, not_authorized, required, Challenge, Outcome, Params, SignIn};
use crate::errors::invalid_parameter;
use crate::ops::passkeys::{
    allowed_origin, b64url, relying_party, user_verification_required, CHALLENGE_MILLIS,
};
use crate::state::sign_in::Methods;
use crate::store::{ClientState, PoolState};
use crate::{Cognito, RequestContext};

/// A `WEB_AUTHN` challenge's state, once its session is taken.
pub(super) struct Asserting {
    pub(super) sign_in: SignIn,
    pub(super) challenge: Vec<u8>,
    pub(super) rp_id: String,
    pub(super) require_user_verification: bool,
}

/// Whether `pool` takes a passkey alone where MFA is required.
pub(super) fn passkey_is_multi_factor(pool: &PoolState) -> bool {
    pool.web_authn_configuration().factor_configuration
        == Some(WebAuthnFactorConfigurationType::MultiFactorWithUserVerification)
}

impl Cognito {
    /// The `WEB_AUTHN` challenge for the user's passkeys.
    pub(super) fn passkey_challenge(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        client: &ClientState,
        sign_in: SignIn,
    ) -> Result<Outcome, CognitoError> {
        let rp_id = relying_party(pool)?;
        let require_user_verification = user_verification_required(pool)
            || (pool.mfa_mode() == UserPoolMfaType::On && passkey_is_multi_factor(pool));
        let mut challenge = vec![0u8; 32];
        self.random.fill(&mut challenge);
        let user = pool
            .users
            .get(&sign_in.user_key)
            .ok_or_else(crate::users::user_not_found)?;
        let allow: Vec<Value> = user
            .passkeys
            .iter()
            .map(|p| {
                json!({
                    "type": "public-key",
                    "id": b64url(&p.credential_id),
                    "transports": p.transports,
                })
            })
            .collect();
        let options = json!({
            "challenge": b64url(&challenge),
            "timeout": CHALLENGE_MILLIS,
            "rpId": rp_id,
            "allowCredentials": allow,
            "userVerification": if require_user_verification { "required" } else { "preferred" },
        });
        let mut parameters = ChallengeParametersType::new();
        parameters.insert("USERNAME".into(), user.username.clone());
        parameters.insert("CREDENTIAL_REQUEST_OPTIONS".into(), options.to_string());
        let waiting = Challenge::WebAuthn {
            sign_in,
            challenge,
            rp_id,
            require_user_verification,
        };
        let session = self.open_session(ctx, pool, client, waiting);
        Ok(Outcome::challenge(
            ChallengeNameType::WebAuthn,
            parameters,
            session,
        ))
    }

    /// The answer to `WEB_AUTHN`: the passkey's assertion (`CREDENTIAL`).
    pub(super) fn answer_passkey(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        client: &ClientState,
        state: Asserting,
        responses: &Params,
    ) -> Result<Outcome, CognitoError> {
        let credential: Value = serde_json::from_str(required(responses, "CREDENTIAL")?)
            .map_err(|_| invalid_parameter("CREDENTIAL is not a JSON object."))?;
        let id = webauthn::credential_id(&credential)
            .map_err(|e| invalid_parameter(format!("The CREDENTIAL is not an assertion: {e}.")))?;
        let (key, count, origin) = self.store.read(pool_id, |pool| {
            let user = pool
                .users
                .get(&state.sign_in.user_key)
                .ok_or_else(incorrect)?;
            if !user.enabled {
                return Err(not_authorized("User is disabled."));
            }
            let passkey = user
                .passkeys
                .iter()
                .find(|p| p.credential_id == id)
                .ok_or_else(|| {
                    CognitoError::new(
                        ErrorKind::NotAuthorizedException,
                        "The passkey is not registered for this user.",
                    )
                })?;
            let origin = allowed_origin(pool, &state.rp_id, &credential)
                .map_err(|e| not_authorized(e.message))?;
            Ok((passkey.public_key.clone(), passkey.sign_count, origin))
        })?;
        // Without the lock: the assertion's signature.
        let origins = [origin];
        let expected = Expected {
            rp_id: &state.rp_id,
            origins: &origins,
            challenge: &state.challenge,
            require_user_verification: state.require_user_verification,
        };
        // A sign-in refuses every failed check alike, as `RespondToAuthChallenge` knows no
        // WebAuthn errors.
        let assertion = webauthn::verify_assertion(&credential, &expected, &key, count)
            .map_err(|e| not_authorized(format!("The passkey was refused: {e}.")))?;
        let mut sign_in = state.sign_in;
        sign_in.methods = if assertion.user_verified {
            Methods::PASSKEY.with(Methods::USER_VERIFIED)
        } else {
            Methods::PASSKEY
        };
        self.store.update(pool_id, |pool| {
            // Another sign-in may have used the passkey meanwhile: its counter must
            // still be behind this one's.
            let fresh = pool
                .users
                .update(&sign_in.user_key, |u| {
                    let passkey = u.passkeys.iter_mut().find(|p| p.credential_id == id)?;
                    if passkey.sign_count != count {
                        return None;
                    }
                    passkey.sign_count = assertion.sign_count;
                    Some(())
                })
                .flatten();
            if fresh.is_none() {
                return Err(not_authorized("The passkey was used by another sign-in."));
            }
            self.record_first_factor(ctx, pool, &mut sign_in, true);
            self.tokens_for(ctx, pool, client, sign_in)
        })
    }
}
