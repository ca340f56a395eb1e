//! The second factor of a sign-in: `SMS_MFA`, `EMAIL_OTP`, `SOFTWARE_TOKEN_MFA`,
//! `SELECT_MFA_TYPE` and `MFA_SETUP`.
//!
//! After a proven password, the pool's MFA mode and the user's factors decide:
//! - `OFF`, or `OPTIONAL` with no factor the user enabled: tokens;
//! - one usable factor, or the one the user prefers: that factor's challenge;
//! - several and none preferred: `SELECT_MFA_TYPE`, then the chosen factor's challenge;
//! - `ON` and no factor enabled: an SMS code to a user with a phone number when the pool
//!   sends SMS codes, a code of its verified software token (which cannot be turned off
//!   where MFA is required), an email code, in this order; otherwise `MFA_SETUP` to
//!   register a software token (`AssociateSoftwareToken`/`VerifySoftwareToken` with the
//!   session).
//!
//! A wrong code answers `CodeMismatchException` and leaves the session open for another
//! try, up to [`MAX_WRONG_CODES`] wrong answers (the guide names no number; three is
//! what Cognito's custom-challenge samples use); a software token's code is accepted once.

use cognito_crypto::Secret;
use cognito_model::shapes::*;
use cognito_model::{CognitoError, ErrorKind, Timestamp};
use subtle::ConstantTimeEq;

use super::{not_authorized, param, required, Challenge, Outcome, Params, SignIn};
use crate::codes::mask;
use crate::delivery::{Outgoing, Source, Text};
use crate::errors::invalid_parameter;
use crate::messages::{Channel, MessageKind};
use crate::state::pending::MfaFactor;
use crate::state::sign_in::Methods;
use crate::store::{ClientState, PoolState};
use crate::users::user_not_found;
use crate::{ids, Cognito, RequestContext};

/// Wrong codes one session takes before it ends.
pub(crate) const MAX_WRONG_CODES: u8 = 3;

/// The default text of an SMS code.
const DEFAULT_SMS_MESSAGE: &str = "Your authentication code is {####}. ";
/// The default subject and text of an email code.
const DEFAULT_EMAIL_SUBJECT: &str = "Your sign-in code";
const DEFAULT_EMAIL_MESSAGE: &str = "Your authentication code is {####}.";

fn missing(name: &str) -> CognitoError {
    invalid_parameter(format!("Missing required parameter {name}"))
}

fn code_mismatch() -> CognitoError {
    CognitoError::new(
        ErrorKind::CodeMismatchException,
        "Invalid code or auth state for the user.",
    )
}

/// What answering an MFA challenge did, for [`super::Cognito::respond`].
pub(crate) enum Answered {
    /// The next step.
    Next(Outcome),
    /// A wrong code: the session may be answered again, waiting on this challenge, or
    /// (with none) it ends.
    Retry(Option<Challenge>, CognitoError),
}

impl Cognito {
    /// The factors of user `user_key` that the pool allows and the user can receive,
    /// and whether the user enabled each (`(factor, enabled)`).
    fn factors(pool: &PoolState, user_key: &str) -> Vec<(MfaFactor, bool)> {
        let Some(user) = pool.users.get(user_key) else {
            return Vec::new();
        };
        let legacy_sms = user
            .mfa_options
            .iter()
            .any(|o| o.delivery_medium == Some(DeliveryMediumType::Sms));
        let mut out = Vec::new();
        if pool.sms_mfa_enabled() && user.attribute("phone_number").is_some() {
            out.push((MfaFactor::Sms, user.mfa.sms || legacy_sms));
        }
        if pool.software_token_mfa_enabled() && user.software_token.verified.is_some() {
            out.push((MfaFactor::SoftwareToken, user.mfa.software_token));
        }
        if pool.email_mfa_enabled() && user.attribute("email").is_some() {
            out.push((MfaFactor::Email, user.mfa.email));
        }
        out
    }

    /// What follows a proven first factor: tokens, or a second factor's challenge.
    pub(super) fn mfa_step(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        client: &ClientState,
        sign_in: SignIn,
    ) -> Result<Outcome, CognitoError> {
        let mode = pool.mfa_mode();
        if mode == UserPoolMfaType::Off {
            return self.tokens_for(ctx, pool, client, sign_in);
        }
        let factors = Self::factors(pool, &sign_in.user_key);
        let enabled: Vec<MfaFactor> = factors
            .iter()
            .filter(|(_, e)| *e)
            .map(|(f, _)| *f)
            .collect();
        let preferred = pool
            .users
            .get(&sign_in.user_key)
            .and_then(|u| u.mfa.preferred)
            .and_then(MfaFactor::from_name)
            .filter(|f| enabled.contains(f));
        let chosen = match (preferred, enabled.as_slice()) {
            (Some(f), _) => Some(f),
            (None, [one]) => Some(*one),
            (None, []) => None,
            (None, several) => {
                return Ok(self.select_challenge(ctx, pool, client, sign_in, several.to_vec()));
            }
        };
        match (chosen, mode) {
            (Some(factor), _) => self.factor_challenge(ctx, pool, client, sign_in, factor),
            (None, UserPoolMfaType::Optional) => self.tokens_for(ctx, pool, client, sign_in),
            // Required, and the user enabled nothing: a factor it has (a verified software
            // token stays on where MFA is required), or set-up.
            (None, _) => match factors.first() {
                Some((factor, _)) => self.factor_challenge(ctx, pool, client, sign_in, *factor),
                _ if pool.software_token_mfa_enabled() => {
                    Ok(self.setup_challenge(ctx, pool, client, sign_in))
                }
                _ => Err(invalid_parameter(
                    "User has no MFA factor configured and the pool offers none to set up.",
                )),
            },
        }
    }

    /// The challenge of `factor`: a code sent for SMS and email, none for a software token.
    fn factor_challenge(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        client: &ClientState,
        sign_in: SignIn,
        factor: MfaFactor,
    ) -> Result<Outcome, CognitoError> {
        if factor != MfaFactor::SoftwareToken {
            return self.code_challenge(ctx, pool, client, sign_in, factor, false);
        }
        let user = pool
            .users
            .get(&sign_in.user_key)
            .ok_or_else(user_not_found)?;
        let mut parameters = ChallengeParametersType::new();
        parameters.insert("USER_ID_FOR_SRP".into(), user.username.clone());
        if let Some(name) = user
            .software_token
            .verified
            .as_ref()
            .and_then(|t| t.friendly_name.clone())
        {
            parameters.insert("FRIENDLY_DEVICE_NAME".into(), name);
        }
        let challenge = Challenge::SoftwareToken { sign_in, wrong: 0 };
        let session = self.open_session(ctx, pool, client, challenge);
        Ok(Outcome::challenge(factor.challenge(), parameters, session))
    }

    /// Sends a code by SMS or email, and answers the challenge waiting for it: a second
    /// factor (`SMS_MFA`, `EMAIL_OTP`; six digits), or a `passwordless` first factor
    /// (`SMS_OTP`, `EMAIL_OTP`; eight digits).
    pub(super) fn code_challenge(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        client: &ClientState,
        sign_in: SignIn,
        factor: MfaFactor,
        passwordless: bool,
    ) -> Result<Outcome, CognitoError> {
        let user = pool
            .users
            .get(&sign_in.user_key)
            .ok_or_else(user_not_found)?;
        let (length, kind, name) = if passwordless {
            (8, MessageKind::SignInCode, factor.first_factor_challenge())
        } else {
            (6, MessageKind::MfaCode, factor.challenge())
        };
        let code = ids::random_string(&*self.random, b"0123456789", length);
        let (channel, attribute, medium) = match factor {
            MfaFactor::Sms => (Channel::Sms, "phone_number", "SMS"),
            _ => (Channel::Email, "email", "EMAIL"),
        };
        let destination = user.attribute(attribute).unwrap_or_default().to_string();
        let (subject, template) = self.mfa_message(pool, channel);
        let message = Outgoing::new(
            pool,
            user,
            (channel, &destination),
            Text { subject, template },
            kind,
            &code,
            Source::Authentication,
        );
        let mut parameters = ChallengeParametersType::new();
        parameters.insert("USER_ID_FOR_SRP".into(), user.username.clone());
        parameters.insert("CODE_DELIVERY_DELIVERY_MEDIUM".into(), medium.into());
        parameters.insert(
            "CODE_DELIVERY_DESTINATION".into(),
            mask(channel, &destination),
        );
        let challenge = Challenge::Code {
            sign_in,
            factor,
            passwordless,
            code: Secret::new(code),
            wrong: 0,
        };
        let session = self.open_session(ctx, pool, client, challenge);
        let mut outcome = Outcome::challenge(name, parameters, session);
        outcome.messages.push(message);
        Ok(outcome)
    }

    /// The subject (email only) and text of an MFA code message.
    fn mfa_message(&self, pool: &PoolState, channel: Channel) -> (Option<String>, String) {
        match channel {
            Channel::Sms => (
                None,
                pool.config
                    .sms_authentication_message
                    .clone()
                    .unwrap_or_else(|| DEFAULT_SMS_MESSAGE.into()),
            ),
            Channel::Email => {
                let config = pool.mfa_config.email.as_ref();
                (
                    Some(
                        config
                            .and_then(|c| c.subject.clone())
                            .unwrap_or_else(|| DEFAULT_EMAIL_SUBJECT.into()),
                    ),
                    config
                        .and_then(|c| c.message.clone())
                        .unwrap_or_else(|| DEFAULT_EMAIL_MESSAGE.into()),
                )
            }
        }
    }

    fn select_challenge(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        client: &ClientState,
        sign_in: SignIn,
        choices: Vec<MfaFactor>,
    ) -> Outcome {
        let names: Vec<&str> = choices.iter().map(|f| f.challenge().as_str()).collect();
        let mut parameters = ChallengeParametersType::new();
        parameters.insert(
            "MFAS_CAN_CHOOSE".into(),
            serde_json::Value::from(names).to_string(),
        );
        if let Some(user) = pool.users.get(&sign_in.user_key) {
            parameters.insert("USER_ID_FOR_SRP".into(), user.username.clone());
        }
        let session = self.open_session(
            ctx,
            pool,
            client,
            Challenge::SelectMfaType { sign_in, choices },
        );
        Outcome::challenge(ChallengeNameType::SelectMfaType, parameters, session)
    }

    fn setup_challenge(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        client: &ClientState,
        sign_in: SignIn,
    ) -> Outcome {
        let mut parameters = ChallengeParametersType::new();
        parameters.insert(
            "MFAS_CAN_SETUP".into(),
            serde_json::Value::from(vec!["SOFTWARE_TOKEN_MFA"]).to_string(),
        );
        if let Some(user) = pool.users.get(&sign_in.user_key) {
            parameters.insert("USER_ID_FOR_SRP".into(), user.username.clone());
        }
        let session = self.open_session(
            ctx,
            pool,
            client,
            Challenge::MfaSetup {
                sign_in,
                ready: false,
            },
        );
        Outcome::challenge(ChallengeNameType::MfaSetup, parameters, session)
    }

    /// Answers an MFA challenge: the next step, or a wrong code to try again.
    pub(super) fn answer_mfa(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        client: &ClientState,
        challenge: Challenge,
        responses: &Params,
    ) -> Result<Answered, CognitoError> {
        match challenge {
            Challenge::Code {
                mut sign_in,
                factor,
                passwordless,
                code,
                wrong,
            } => {
                let name = match (factor, passwordless) {
                    (MfaFactor::Sms, false) => "SMS_MFA_CODE",
                    (MfaFactor::Sms, true) => "SMS_OTP_CODE",
                    _ => "EMAIL_OTP_CODE",
                };
                let Some(sent) = param(responses, name) else {
                    let again = Challenge::Code {
                        sign_in,
                        factor,
                        passwordless,
                        code,
                        wrong,
                    };
                    return Ok(Answered::Retry(Some(again), missing(name)));
                };
                let ok = bool::from(sent.as_bytes().ct_eq(code.expose().as_bytes()));
                if passwordless {
                    self.record_first_factor(ctx, pool, &mut sign_in, ok);
                } else {
                    record_challenge(pool, &sign_in, ok);
                }
                if !ok {
                    let again = Challenge::Code {
                        sign_in,
                        factor,
                        passwordless,
                        code,
                        wrong: wrong.saturating_add(1),
                    };
                    return Ok(retry(again, wrong));
                }
                sign_in.methods = sign_in.methods.with(match factor {
                    MfaFactor::Sms => Methods::SMS,
                    _ => Methods::OTP,
                });
                Ok(Answered::Next(self.tokens_for(ctx, pool, client, sign_in)?))
            }
            Challenge::SoftwareToken { mut sign_in, wrong } => {
                let Some(sent) = param(responses, "SOFTWARE_TOKEN_MFA_CODE") else {
                    let again = Challenge::SoftwareToken { sign_in, wrong };
                    return Ok(Answered::Retry(
                        Some(again),
                        missing("SOFTWARE_TOKEN_MFA_CODE"),
                    ));
                };
                let accepted = check_totp(pool, &sign_in.user_key, sent, ctx.now)?;
                record_challenge(pool, &sign_in, accepted);
                if !accepted {
                    let again = Challenge::SoftwareToken {
                        sign_in,
                        wrong: wrong.saturating_add(1),
                    };
                    return Ok(retry(again, wrong));
                }
                sign_in.methods = sign_in.methods.with(Methods::OTP);
                Ok(Answered::Next(self.tokens_for(ctx, pool, client, sign_in)?))
            }
            Challenge::SelectMfaType { sign_in, choices } => {
                let answer = required(responses, "ANSWER")?;
                let factor = MfaFactor::from_name(answer)
                    .filter(|f| choices.contains(f))
                    .ok_or_else(|| {
                        invalid_parameter(format!("{answer} is not a valid MFA type to choose."))
                    })?;
                Ok(Answered::Next(
                    self.factor_challenge(ctx, pool, client, sign_in, factor)?,
                ))
            }
            Challenge::MfaSetup { mut sign_in, ready } => {
                if !ready {
                    return Err(not_authorized(
                        "Invalid session for the user: no software token was verified.",
                    ));
                }
                // Verifying the new token proved a code of it.
                sign_in.methods = sign_in.methods.with(Methods::OTP);
                Ok(Answered::Next(self.tokens_for(ctx, pool, client, sign_in)?))
            }
            other => Err(invalid_parameter(format!(
                "The challenge {} is not a second factor.",
                other.name().as_str()
            ))),
        }
    }
}

/// Adds a second factor's result to the sign-in's auth event.
fn record_challenge(pool: &mut PoolState, sign_in: &SignIn, ok: bool) {
    if let Some(event_id) = &sign_in.event_id {
        pool.users.update(&sign_in.user_key, |u| {
            crate::ops::users::record_challenge(u, event_id, ChallengeName::Mfa, ok);
        });
    }
}

/// A wrong code: the same challenge again while tries remain, else the session ends.
fn retry(again: Challenge, wrong_before: u8) -> Answered {
    let ended = wrong_before.saturating_add(1) >= MAX_WRONG_CODES;
    Answered::Retry((!ended).then_some(again), code_mismatch())
}

/// Checks a software token code for `user_key` at `now`, refusing a code used before;
/// records the step it was accepted for.
fn check_totp(
    pool: &mut PoolState,
    user_key: &str,
    code: &str,
    now: Timestamp,
) -> Result<bool, CognitoError> {
    let mut accepted = false;
    pool.users
        .update(user_key, |u| {
            if let Some(token) = u.software_token.verified.as_mut() {
                if let Ok(step) = token.key.verify(code, now.secs(), token.last_step) {
                    token.last_step = Some(step);
                    accepted = true;
                }
            }
        })
        .ok_or_else(user_not_found)?;
    Ok(accepted)
}
