//! A user's second factors: `AssociateSoftwareToken`, `VerifySoftwareToken`,
//! `AdminDeleteSoftwareToken`, `SetUserSettings`, `GetUserAuthFactors`,
//! `AdminGetUserAuthFactors`.
//!
//! A software token is associated (a new key handed out as its base32 `SecretCode`),
//! then verified with a code it made; only then can the user enable it. Both steps work
//! with the user's access token, or with the `Session` of an `MFA_SETUP` challenge, each
//! step answering a new session for the next; the verified token then completes that
//! sign-in, and is the user's enabled, preferred factor.

use cognito_crypto::totp::TotpKey;
use cognito_model::shapes::*;
use cognito_model::{CognitoError, ErrorKind};

use crate::errors::{invalid_parameter, not_authorized};
use crate::ops::auth::Challenge;
use crate::state::users::{SoftwareToken, User};
use crate::users::user_not_found;
use crate::{Cognito, RequestContext};

fn code_mismatch() -> CognitoError {
    CognitoError::new(
        ErrorKind::EnableSoftwareTokenMFAException,
        "Code mismatch and fail enable Software Token MFA",
    )
}

/// Who a software token step is for: the access token's user, or an `MFA_SETUP`
/// sign-in's.
enum Subject {
    Token { pool_id: String, user_key: String },
    SignIn { pool_id: String, session: String },
}

impl Cognito {
    fn subject(
        &self,
        ctx: &RequestContext,
        access_token: Option<&str>,
        session: Option<&str>,
    ) -> Result<Subject, CognitoError> {
        match (access_token, session) {
            (Some(token), _) => {
                let token = self.verify_access_token(ctx, token)?;
                Ok(Subject::Token {
                    pool_id: token.pool_id,
                    user_key: token.user_key,
                })
            }
            (None, Some(session)) => Ok(Subject::SignIn {
                pool_id: crate::ops::auth::pool_of_session(session)
                    .ok_or_else(invalid_session)?
                    .to_string(),
                session: session.to_string(),
            }),
            (None, None) => Err(invalid_parameter(
                "Either AccessToken or Session is required.",
            )),
        }
    }

    pub(crate) fn associate_software_token(
        &self,
        ctx: &RequestContext,
        input: AssociateSoftwareTokenRequest,
    ) -> Result<AssociateSoftwareTokenResponse, CognitoError> {
        let subject = self.subject(ctx, input.access_token.as_deref(), input.session.as_deref())?;
        let mut random = [0u8; cognito_crypto::totp::SECRET_BYTES];
        self.random.fill(&mut random);
        let key = TotpKey::generate(&random);
        let secret_code = key.secret_code().expose().clone();
        let session = match subject {
            Subject::Token { pool_id, user_key } => {
                self.store.update(&pool_id, |pool| {
                    if !pool.software_token_mfa_enabled() {
                        return Err(CognitoError::new(
                            ErrorKind::SoftwareTokenMFANotFoundException,
                            "Software Token MFA has not been enabled by the userPool.",
                        ));
                    }
                    pool.users
                        .update(&user_key, |u| {
                            u.software_token.associating = Some(Box::new(key))
                        })
                        .ok_or_else(user_not_found)
                })?;
                None
            }
            Subject::SignIn { pool_id, session } => {
                Some(self.next_setup_step(ctx, &pool_id, &session, |_, user| {
                    user.software_token.associating = Some(Box::new(key));
                    Ok(false)
                })?)
            }
        };
        Ok(AssociateSoftwareTokenResponse {
            secret_code: Some(secret_code),
            session,
        })
    }

    pub(crate) fn verify_software_token(
        &self,
        ctx: &RequestContext,
        input: VerifySoftwareTokenRequest,
    ) -> Result<VerifySoftwareTokenResponse, CognitoError> {
        let subject = self.subject(ctx, input.access_token.as_deref(), input.session.as_deref())?;
        let name = input.friendly_device_name.clone();
        let code = input.user_code.clone();
        let verify = move |user: &mut User, now: i64| -> Result<(), CognitoError> {
            let key = user.software_token.associating.as_deref().ok_or_else(|| {
                invalid_parameter("User has not associated a software token yet.")
            })?;
            let step = key.verify(&code, now, None).map_err(|_| code_mismatch())?;
            let key = key.clone();
            user.software_token.associating = None;
            user.software_token.verified = Some(Box::new(SoftwareToken {
                key,
                friendly_name: name.clone(),
                last_step: Some(step),
            }));
            Ok(())
        };
        let session = match subject {
            Subject::Token { pool_id, user_key } => {
                self.store.update(&pool_id, |pool| {
                    pool.users
                        .update(&user_key, |u| verify(u, ctx.now.secs()))
                        .ok_or_else(user_not_found)?
                })?;
                None
            }
            Subject::SignIn { pool_id, session } => {
                Some(self.next_setup_step(ctx, &pool_id, &session, |now, user| {
                    verify(user, now)?;
                    // The sign-in it completes makes it the user's factor.
                    user.mfa.software_token = true;
                    user.mfa.preferred = Some("SOFTWARE_TOKEN_MFA");
                    Ok(true)
                })?)
            }
        };
        Ok(VerifySoftwareTokenResponse {
            session,
            status: Some(VerifySoftwareTokenResponseType::Success),
        })
    }

    /// Takes the `MFA_SETUP` sign-in `session`, changes its user through `step` (which
    /// answers whether the token is now verified), and answers the session of the next
    /// step.
    fn next_setup_step(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        session: &str,
        step: impl FnOnce(i64, &mut User) -> Result<bool, CognitoError>,
    ) -> Result<String, CognitoError> {
        self.store.update(pool_id, |pool| {
            let (challenge, expires) = pool.auth_sessions.take(session, ctx.now)?;
            let Challenge::MfaSetup { sign_in, ready } = challenge else {
                pool.auth_sessions
                    .restore(session.to_string(), challenge, expires);
                return Err(invalid_session());
            };
            let client = pool.client(&sign_in.client_id)?.clone();
            // `step` checks before it changes the user: a failed step changed nothing.
            let stepped = pool
                .users
                .update(&sign_in.user_key, |u| step(ctx.now.secs(), u))
                .ok_or_else(user_not_found)?;
            let ready = match stepped {
                Ok(now_ready) => ready || now_ready,
                Err(e) => {
                    // A wrong code leaves the session as it was, for another try.
                    let again = Challenge::MfaSetup { sign_in, ready };
                    pool.auth_sessions
                        .restore(session.to_string(), again, expires);
                    return Err(e);
                }
            };
            Ok(self.open_setup_session(ctx, pool, &client, sign_in, ready))
        })
    }

    pub(crate) fn admin_delete_software_token(
        &self,
        ctx: &RequestContext,
        input: AdminDeleteSoftwareTokenRequest,
    ) -> Result<AdminDeleteSoftwareTokenResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            let key = pool.user_key_of(&input.username)?;
            pool.users.update(&key, |u| {
                u.software_token = Default::default();
                u.mfa.software_token = false;
                if u.mfa.preferred == Some("SOFTWARE_TOKEN_MFA") {
                    u.mfa.preferred = None;
                }
                u.modified = ctx.now;
            });
            Ok(AdminDeleteSoftwareTokenResponse {})
        })
    }

    pub(crate) fn set_user_settings(
        &self,
        ctx: &RequestContext,
        input: SetUserSettingsRequest,
    ) -> Result<SetUserSettingsResponse, CognitoError> {
        let token = self.verify_access_token(ctx, &input.access_token)?;
        let username = self.store.read(&token.pool_id, |pool| {
            pool.users
                .get(&token.user_key)
                .map(|u| u.username.clone())
                .ok_or_else(user_not_found)
        })?;
        self.admin_set_user_settings(
            ctx,
            AdminSetUserSettingsRequest {
                user_pool_id: token.pool_id,
                username,
                mfa_options: input.mfa_options,
            },
        )?;
        Ok(SetUserSettingsResponse {})
    }

    pub(crate) fn get_user_auth_factors(
        &self,
        ctx: &RequestContext,
        input: GetUserAuthFactorsRequest,
    ) -> Result<GetUserAuthFactorsResponse, CognitoError> {
        let token = self.verify_access_token(ctx, &input.access_token)?;
        self.store.read(&token.pool_id, |pool| {
            let user = pool.users.get(&token.user_key).ok_or_else(user_not_found)?;
            Ok(auth_factors(user))
        })
    }

    pub(crate) fn admin_get_user_auth_factors(
        &self,
        _ctx: &RequestContext,
        input: AdminGetUserAuthFactorsRequest,
    ) -> Result<AdminGetUserAuthFactorsResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |pool| {
            let key = pool.user_key_of(&input.username)?;
            let user = pool.users.get(&key).ok_or_else(user_not_found)?;
            let factors = auth_factors(user);
            Ok(AdminGetUserAuthFactorsResponse {
                username: factors.username,
                preferred_mfa_setting: factors.preferred_mfa_setting,
                user_mfa_setting_list: factors.user_mfa_setting_list,
                configured_user_auth_factors: factors.configured_user_auth_factors,
            })
        })
    }
}

fn invalid_session() -> CognitoError {
    not_authorized("Invalid session for the user, session is expired.")
}

/// The user's factors, as `GetUserAuthFactors` answers them: its username, preferred and
/// enabled MFA methods, and the first factors it can sign in with.
fn auth_factors(user: &User) -> GetUserAuthFactorsResponse {
    let settings = user.mfa.setting_list();
    let mut factors = Vec::new();
    if user.password.is_some() {
        factors.push(AuthFactorType::Password);
    }
    if user.is_verified("email") {
        factors.push(AuthFactorType::EmailOtp);
    }
    if user.is_verified("phone_number") {
        factors.push(AuthFactorType::SmsOtp);
    }
    if !user.passkeys.is_empty() {
        factors.push(AuthFactorType::WebAuthn);
    }
    GetUserAuthFactorsResponse {
        username: user.username.clone(),
        preferred_mfa_setting: user.mfa.preferred.map(str::to_string),
        user_mfa_setting_list: (!settings.is_empty()).then_some(settings),
        configured_user_auth_factors: (!factors.is_empty()).then_some(factors),
    }
}
