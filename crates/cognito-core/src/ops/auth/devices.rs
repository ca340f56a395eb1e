//! The end of a sign-in, and the devices it tracks.
//!
//! In a pool with a `DeviceConfiguration`, a sign-in that names no device of the user
//! (`DEVICE_KEY`) ends with `NewDeviceMetadata`: a new device key (`<region>_<uuid>`)
//! and the user's device group key. A sign-in that names a remembered device with a
//! verifier (`ConfirmDevice`) proves it with device SRP (`DEVICE_SRP_AUTH`, then
//! `DEVICE_PASSWORD_VERIFIER`, in [`super::srp`]) before its tokens:
//! - when the pool's `ChallengeRequiredOnNewDevice` is on, right after the password, in
//!   place of the second factor;
//! - otherwise after the second factor, if any, as the last step.
//!
//! Either way the tokens name the device (`device_key`), and their refresh needs it.

use cognito_model::shapes::*;
use cognito_model::CognitoError;

use super::token_triggers::TokenSource;
use super::tokens::Issue;
use super::{Challenge, Outcome, SignIn};
use crate::ops::users::user_not_found;
use crate::state::devices::{self, Device};
use crate::store::{ClientState, PoolState};
use crate::{ids, Cognito, RequestContext};

/// Characters of a device group key.
const GROUP_KEY_ALPHABET: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

impl Cognito {
    /// The `DEVICE_SRP_AUTH` challenge.
    pub(super) fn device_challenge(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        client: &ClientState,
        sign_in: SignIn,
    ) -> Outcome {
        let mut parameters = ChallengeParametersType::new();
        if let Some(user) = pool.users.get(&sign_in.user_key) {
            parameters.insert("USERNAME".into(), user.username.clone());
        }
        let session = self.open_session(ctx, pool, client, Challenge::DeviceSrp { sign_in });
        Outcome::challenge(ChallengeNameType::DeviceSrpAuth, parameters, session)
    }

    /// The last step of a sign-in: device SRP for a remembered device that has not proven
    /// itself yet, otherwise the tokens (tracking a new device where the pool tracks
    /// them).
    pub(super) fn tokens_for(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        client: &ClientState,
        sign_in: SignIn,
    ) -> Result<Outcome, CognitoError> {
        if sign_in.hosted {
            // The managed login neither tracks devices nor issues tokens itself.
            return Ok(Outcome {
                signed_in: Some(sign_in),
                ..Outcome::default()
            });
        }
        if !sign_in.device_proven && signing_in_device(pool, &sign_in).is_some() {
            return Ok(self.device_challenge(ctx, pool, client, sign_in));
        }
        let tracking = pool.config.device_configuration.is_some();
        let (device_key, new_device) = match sign_in.device_key {
            Some(key) => {
                pool.users.update(&sign_in.user_key, |u| {
                    if let Some(device) = u.devices.get_mut(&key) {
                        device.last_authenticated = Some(ctx.now);
                    }
                });
                (Some(key), None)
            }
            None if tracking => {
                let metadata = self.track_device(ctx, pool, &sign_in.user_key)?;
                (metadata.device_key.clone(), Some(metadata))
            }
            None => (None, None),
        };
        let source = if sign_in.device_proven {
            TokenSource::AuthenticateDevice
        } else if sign_in.new_password {
            TokenSource::NewPasswordChallenge
        } else {
            TokenSource::Authentication
        };
        let issue = Issue {
            device_key,
            methods: sign_in.methods,
            refreshing: None,
            source,
            new_device: new_device.is_some(),
            scopes: None,
        };
        let mut tokens =
            self.prepare_tokens(ctx, pool, &sign_in.user_key, &client.config, issue)?;
        tokens.new_device = new_device;
        Ok(Outcome::tokens(tokens))
    }

    /// Starts tracking a new device of `user_key`: not remembered, without a verifier
    /// until `ConfirmDevice`.
    fn track_device(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        user_key: &str,
    ) -> Result<NewDeviceMetadataType, CognitoError> {
        let region = ids::pool_region(pool.config.id.as_deref().unwrap_or_default()).to_string();
        let key = format!("{region}_{}", ids::uuid_v4(&*self.random));
        let fresh_group = ids::random_string(&*self.random, GROUP_KEY_ALPHABET, 9);
        let group_key = pool
            .users
            .update(user_key, |u| {
                let group_key = devices::group_key(&u.devices).map_or(fresh_group, str::to_string);
                u.devices.insert(
                    key.clone(),
                    Device {
                        group_key: group_key.clone(),
                        name: None,
                        verifier: None,
                        remembered: false,
                        created: ctx.now,
                        modified: ctx.now,
                        last_authenticated: Some(ctx.now),
                    },
                );
                group_key
            })
            .ok_or_else(user_not_found)?;
        Ok(NewDeviceMetadataType {
            device_key: Some(key),
            device_group_key: Some(group_key),
        })
    }
}

/// Whether the sign-in's device may stand in for the second factor: a remembered device
/// with a verifier, in a pool whose `ChallengeRequiredOnNewDevice` is on.
pub(super) fn device_replaces_mfa(pool: &PoolState, sign_in: &SignIn) -> bool {
    let challenge_new_only = pool
        .config
        .device_configuration
        .as_ref()
        .is_some_and(|c| c.challenge_required_on_new_device);
    challenge_new_only && signing_in_device(pool, sign_in).is_some()
}

/// The sign-in's device, if it can sign in by device SRP.
fn signing_in_device<'a>(pool: &'a PoolState, sign_in: &SignIn) -> Option<&'a Device> {
    let key = sign_in.device_key.as_deref()?;
    pool.users
        .get(&sign_in.user_key)?
        .devices
        .get(key)
        .filter(|d| d.signs_in())
}
