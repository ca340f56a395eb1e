//! `USER_AUTH`: choice-based sign-in. The user signs in with one first factor among those
//! the pool's `SignInPolicy` allows and the user can use: its password (`PASSWORD`, or by
//! SRP, `PASSWORD_SRP`), a one-time code by email or SMS (`EMAIL_OTP`, `SMS_OTP`), or a
//! passkey (`WEB_AUTHN`).
//!
//! With a `PREFERRED_CHALLENGE` the user can use (and, for the password ones, its
//! `PASSWORD` or `SRP_A`), the sign-in goes straight to it; otherwise it answers
//! `SELECT_CHALLENGE` with the `AvailableChallenges`, and `RespondToAuthChallenge`
//! `SELECT_CHALLENGE` names one as `ANSWER` with that factor's parameters. A password
//! continues as the password flows do (a second factor where the pool asks for one);
//! a one-time code or a passkey ends it. Where MFA is required, one-time codes are not
//! offered as a first factor, and passkeys only if they count as multi-factor (see
//! [`super::passkey`]).

use cognito_model::shapes::*;
use cognito_model::CognitoError;

use super::{find_signing_in_user, param, required, Challenge, Outcome, Params, SignIn, SignInAs};
use crate::errors::invalid_parameter;
use crate::ops::users::User;
use crate::state::pending::MfaFactor;
use crate::store::{ClientState, PoolState};
use crate::{ids, Cognito, RequestContext};

/// The first factors a user who does not exist is offered, through a client that hides
/// who exists: the password ones, which fail as a wrong password does.
const HIDDEN_USER_FACTORS: [ChallengeNameType; 2] =
    [ChallengeNameType::Password, ChallengeNameType::PasswordSrp];

impl Cognito {
    /// `InitiateAuth` with `USER_AUTH`.
    pub(super) fn user_auth(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        client_id: &str,
        params: &Params,
    ) -> Result<Outcome, CognitoError> {
        let username = required(params, "USERNAME")?;
        let preferred = param(params, "PREFERRED_CHALLENGE")
            .map(|p| first_factor(p).ok_or_else(|| not_a_first_factor(p)))
            .transpose()?;
        // A password sent along goes the password flows' way.
        match preferred {
            Some(ChallengeNameType::Password) if param(params, "PASSWORD").is_some() => {
                return self.password_auth(ctx, pool_id, client_id, params, false);
            }
            Some(ChallengeNameType::PasswordSrp) if param(params, "SRP_A").is_some() => {
                return self.start_srp(ctx, pool_id, client_id, params, None);
            }
            _ => {}
        }
        self.store.update(pool_id, |pool| {
            let client = pool.client(client_id)?.clone();
            client.check_secret_hash(username, param(params, "SECRET_HASH"))?;
            let sign_in = match find_signing_in_user(pool, &client, username)? {
                SignInAs::User(user_key) => SignIn {
                    user_key,
                    client_id: client_id.to_string(),
                    device_key: param(params, "DEVICE_KEY").map(str::to_string),
                    methods: Default::default(),
                    event_id: None,
                    device_proven: false,
                    new_password: false,
                    custom: None,
                    hosted: false,
                },
                SignInAs::Unknown(_) => {
                    return Ok(self.offer_first_factors(
                        ctx,
                        pool,
                        &client,
                        None,
                        &HIDDEN_USER_FACTORS,
                    ))
                }
            };
            let available = pool
                .users
                .get(&sign_in.user_key)
                .map(|user| first_factors(pool, user))
                .unwrap_or_default();
            match preferred.filter(|p| available.contains(p)) {
                Some(factor @ (ChallengeNameType::EmailOtp | ChallengeNameType::SmsOtp)) => {
                    self.one_time_code(ctx, pool, &client, sign_in, factor)
                }
                Some(ChallengeNameType::WebAuthn) => {
                    self.passkey_challenge(ctx, pool, &client, sign_in)
                }
                _ => Ok(self.offer_first_factors(ctx, pool, &client, Some(sign_in), &available)),
            }
        })
    }

    /// The managed login's passkey sign-in: `WEB_AUTHN` at once, for a user who can sign
    /// in with a passkey.
    pub(super) fn hosted_passkey(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        client_id: &str,
        username: &str,
    ) -> Result<Outcome, CognitoError> {
        self.store.update(pool_id, |pool| {
            let client = pool.client(client_id)?.clone();
            let user_key = pool.find_user(username).ok_or_else(super::incorrect)?;
            let can = pool.users.get(&user_key).is_some_and(|user| {
                first_factors(pool, user).contains(&ChallengeNameType::WebAuthn)
            });
            if !can {
                return Err(invalid_parameter(
                    "The user has no passkey to sign in with.",
                ));
            }
            let sign_in = SignIn {
                user_key,
                client_id: client_id.to_owned(),
                device_key: None,
                methods: Default::default(),
                event_id: None,
                device_proven: false,
                new_password: false,
                custom: None,
                hosted: true,
            };
            self.passkey_challenge(ctx, pool, &client, sign_in)
        })
    }

    /// `USER_AUTH` with the session of a confirmed sign-up: the user signs in at once.
    pub(super) fn sign_in_after_sign_up(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        client_id: &str,
        params: &Params,
        session: &str,
    ) -> Result<Outcome, CognitoError> {
        let username = required(params, "USERNAME")?;
        self.store.update(pool_id, |pool| {
            let client = pool.client(client_id)?.clone();
            client.check_secret_hash(username, param(params, "SECRET_HASH"))?;
            let user_key = pool
                .find_user(username)
                .ok_or_else(|| super::not_authorized("Invalid session for the user."))?;
            Self::check_sign_up_session(pool, session, client_id, &user_key, true, ctx.now)?;
            let Ok((Challenge::SignedUp { mut sign_in, .. }, _)) =
                pool.auth_sessions.take(session, ctx.now)
            else {
                return Err(super::not_authorized("Invalid session for the user."));
            };
            self.record_first_factor(ctx, pool, &mut sign_in, true);
            self.tokens_for(ctx, pool, &client, sign_in)
        })
    }

    /// `SELECT_CHALLENGE`, offering `available`.
    fn offer_first_factors(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        client: &ClientState,
        sign_in: Option<SignIn>,
        available: &[ChallengeNameType],
    ) -> Outcome {
        let challenge = Challenge::SelectFirstFactor {
            client_id: client.id().to_string(),
            sign_in,
            available: available.to_vec(),
        };
        let session = self.open_session(ctx, pool, client, challenge);
        let mut outcome = Outcome::challenge(
            ChallengeNameType::SelectChallenge,
            ChallengeParametersType::new(),
            session,
        );
        outcome.available = Some(available.to_vec());
        outcome
    }

    /// Sends a one-time code as the first factor.
    fn one_time_code(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        client: &ClientState,
        sign_in: SignIn,
        factor: ChallengeNameType,
    ) -> Result<Outcome, CognitoError> {
        let factor = match factor {
            ChallengeNameType::SmsOtp => MfaFactor::Sms,
            _ => MfaFactor::Email,
        };
        self.code_challenge(ctx, pool, client, sign_in, factor, true)
    }

    /// The answer to `SELECT_CHALLENGE`: the factor chosen (`ANSWER`), with its
    /// parameters.
    pub(super) fn answer_select_challenge(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        client: &ClientState,
        (sign_in, available): (Option<SignIn>, Vec<ChallengeNameType>),
        responses: &Params,
    ) -> Result<Outcome, CognitoError> {
        let answer = required(responses, "ANSWER")?;
        let chosen = first_factor(answer)
            .filter(|f| available.contains(f))
            .ok_or_else(|| not_a_first_factor(answer))?;
        match chosen {
            ChallengeNameType::Password => {
                self.password_auth(ctx, pool_id, client.id(), responses, false)
            }
            ChallengeNameType::PasswordSrp => {
                self.start_srp(ctx, pool_id, client.id(), responses, None)
            }
            factor => {
                let sign_in = sign_in.ok_or_else(|| not_a_first_factor(answer))?;
                self.store.update(pool_id, |pool| match factor {
                    ChallengeNameType::WebAuthn => {
                        self.passkey_challenge(ctx, pool, client, sign_in)
                    }
                    _ => self.one_time_code(ctx, pool, client, sign_in, factor),
                })
            }
        }
    }

    /// Records a sign-in by a first factor other than the password (a one-time code, a
    /// passkey) as an auth event, once per sign-in; a later answer gives the event its
    /// outcome.
    pub(super) fn record_first_factor(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        sign_in: &mut SignIn,
        ok: bool,
    ) {
        let outcome = if ok {
            EventResponseType::Pass
        } else {
            EventResponseType::Fail
        };
        let event_id = sign_in
            .event_id
            .get_or_insert_with(|| ids::uuid_v4(&*self.random))
            .clone();
        pool.users.update(&sign_in.user_key, |u| {
            match u
                .auth_events
                .iter_mut()
                .rev()
                .find(|e| e.event_id.as_deref() == Some(event_id.as_str()))
            {
                Some(event) => event.event_response = Some(outcome),
                None => {
                    crate::ops::users::record_event(
                        u,
                        event_id.clone(),
                        ctx.now,
                        EventType::SignIn,
                        ok,
                    );
                    // No password was asked.
                    if let Some(event) = u.auth_events.last_mut() {
                        event.challenge_responses = None;
                    }
                }
            }
        });
    }
}

/// The first factor a `PREFERRED_CHALLENGE` or an `ANSWER` names.
fn first_factor(name: &str) -> Option<ChallengeNameType> {
    use ChallengeNameType as C;
    [
        C::Password,
        C::PasswordSrp,
        C::EmailOtp,
        C::SmsOtp,
        C::WebAuthn,
    ]
    .into_iter()
    .find(|c| c.as_str() == name)
}

fn not_a_first_factor(name: &str) -> CognitoError {
    invalid_parameter(format!(
        "{name} is not an available challenge for this sign-in."
    ))
}

/// The first factors `user` can sign in with in `pool`.
fn first_factors(pool: &PoolState, user: &User) -> Vec<ChallengeNameType> {
    let allowed = pool.first_auth_factors();
    let codes = pool.mfa_mode() != UserPoolMfaType::On;
    let verified = |name: &str| user.is_verified(name);
    let mut out = Vec::new();
    if allowed.contains(&AuthFactorType::Password) && user.password.is_some() {
        out.extend([ChallengeNameType::Password, ChallengeNameType::PasswordSrp]);
    }
    if codes && allowed.contains(&AuthFactorType::EmailOtp) && verified("email") {
        out.push(ChallengeNameType::EmailOtp);
    }
    if codes && allowed.contains(&AuthFactorType::SmsOtp) && verified("phone_number") {
        out.push(ChallengeNameType::SmsOtp);
    }
    let passkeys = codes || super::passkey::passkey_is_multi_factor(pool);
    if passkeys && allowed.contains(&AuthFactorType::WebAuthn) && !user.passkeys.is_empty() {
        out.push(ChallengeNameType::WebAuthn);
    }
    out
}
