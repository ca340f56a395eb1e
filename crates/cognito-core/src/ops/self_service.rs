//! Self-service operations a user calls without tokens: `SignUp`, `ConfirmSignUp`,
//! `ResendConfirmationCode`, `ForgotPassword` and `ConfirmForgotPassword`.
//!
//! Each names an app client rather than a pool. The client must send a valid
//! `SECRET_HASH` when it has a secret, and its `PreventUserExistenceErrors` setting
//! decides whether an unknown user is reported (`LEGACY`) or answered as if it existed
//! (`ENABLED`): code deliveries to a made-up destination, and code errors.
//!
//! Codes are the six-digit [`PendingCode`]s the user record keeps, one per purpose; a
//! new code replaces the old one, and a code is used up when it confirms.

use cognito_model::shapes::*;
use cognito_model::{CognitoError, ErrorKind};

use crate::codes::{
    check_code, code_mismatch, delivery, recovery_target, replace_code, sign_up_target, Target,
};
use crate::delivery::Source;
use crate::errors::invalid_parameter;
use crate::lambda::Trigger;
use crate::messages::Channel;
use crate::ops::auth::sign_in_triggers::Migration;
use crate::ops::sign_up_triggers::SigningUp;
use crate::ops::users::rules::{check_attributes, check_password, AttributeWrite};
use crate::ops::users::{CodePurpose, User};
use crate::store::{ClientState, PoolState};
use crate::triggers::function_in;
use crate::{ids, Cognito, RequestContext};

impl Cognito {
    pub(crate) fn sign_up(
        &self,
        ctx: &RequestContext,
        input: SignUpRequest,
    ) -> Result<SignUpResponse, CognitoError> {
        let pool_id = self.client_pool(&input.client_id)?;
        self.store.read(&pool_id, |pool| {
            let client = pool.client(&input.client_id)?;
            client.check_secret_hash(&input.username, input.secret_hash.as_deref())
        })?;
        let sub = ids::uuid_v4(&*self.random);
        let decided = self.pre_sign_up(
            ctx,
            &pool_id,
            SigningUp {
                source: "PreSignUp_SignUp",
                username: &input.username,
                sub: &sub,
                client_id: Some(&input.client_id),
                attributes: input.user_attributes.as_deref(),
                validation_data: input.validation_data.as_deref(),
                client_metadata: input.client_metadata.as_ref(),
            },
        )?;
        let (answer, message, confirmed) = self.store.update(&pool_id, |pool| {
        let client = pool.client(&input.client_id)?;
        client.check_secret_hash(&input.username, input.secret_hash.as_deref())?;
        let attributes = input.user_attributes.as_deref().unwrap_or_default();
        check_writable(client, attributes)?;
        let admin_only = pool
            .config
            .admin_create_user_config
            .as_ref()
            .is_some_and(|c| c.allow_admin_create_user_only);
        if admin_only {
            return Err(CognitoError::new(
                ErrorKind::NotAuthorizedException,
                "SignUp is not permitted for this user pool",
            ));
        }
        match &input.password {
            Some(password) => {
                check_password(&pool.password_policy(), password)?;
                self.check_compromised(pool, Some(&input.client_id), EventFilterType::SignUp, password)?;
            }
            None if passwordless(pool) => {}
            None => {
                return Err(invalid_parameter(
                    "1 validation error detected: Value null at 'password' failed to satisfy constraint: Member must not be null",
                ))
            }
        }
        let mut attrs = check_attributes(&pool.config, attributes, AttributeWrite::Create)?;
        // What the `PreSignUp` function verified, of what the user has.
        for (verify, name) in [
            (decided.verify_email, "email"),
            (decided.verify_phone, "phone_number"),
        ] {
            if verify && attrs.iter().any(|(n, _)| n == name) {
                let flag = format!("{name}_verified");
                attrs.retain(|(n, _)| *n != flag);
                attrs.push((flag, "true".to_string()));
            }
        }
        let (username, mut attrs) = self.username_for(pool, &input.username, &sub, attrs)?;
        let key = pool.user_key(&username);
        if pool.users.contains(&key) {
            return Err(CognitoError::new(
                ErrorKind::UsernameExistsException,
                "User already exists",
            ));
        }
        // Unverified values claim nothing, except where they are the username.
        let verified = |attr: &str| {
            attrs
                .iter()
                .any(|(n, v)| *n == format!("{attr}_verified") && v == "true")
        };
        pool.claim_aliases(&key, &attrs, verified, false)?;
        pool.fold_aliases(&mut attrs);
        let status = if decided.confirm {
            UserStatusType::Confirmed
        } else {
            UserStatusType::Unconfirmed
        };
        let mut user = User::new(
            username,
            sub.clone(),
            attrs.into_iter().collect(),
            status,
            ctx.now,
        );
        if let Some(password) = &input.password {
            user.set_password(self.hash_password(pool, &user.username, password));
        }
        // A user the function confirmed has nothing to confirm.
        let target = (!decided.confirm)
            .then(|| sign_up_target(pool, &user))
            .flatten();
        let mut message = None;
        if let Some(t) = &target {
            let (code, composed) = self.compose_code(
                ctx,
                pool,
                &user,
                t.channel,
                &t.destination,
                CodePurpose::SignUp,
                Source::SignUp,
            );
            user.codes.push(code);
            message = Some(composed);
        }
        crate::ops::users::record_event(
            &mut user,
            crate::ids::uuid_v4(&*self.random),
            ctx.now,
            EventType::SignUp,
            true,
        );
        let confirmed = decided.confirm.then(|| user.clone());
        pool.users.insert(key.clone(), user);
        let client = pool.client(&input.client_id)?.clone();
        let session = self.open_sign_up_session(ctx, pool, &client, &key, decided.confirm);
        let answer = SignUpResponse {
            code_delivery_details: target.as_ref().map(Target::details),
            session: Some(session),
            user_confirmed: decided.confirm,
            user_sub: sub.clone(),
        };
        Ok((answer, message, confirmed))
        })?;
        let metadata = input.client_metadata.as_ref();
        self.deliver(
            ctx,
            message.map(|m| m.via_client(Some(&input.client_id), metadata)),
        )?;
        if let Some(user) = confirmed {
            self.post_confirmation(
                ctx,
                &pool_id,
                &user,
                "PostConfirmation_ConfirmSignUp",
                Some(&input.client_id),
                metadata,
            )?;
        }
        Ok(answer)
    }

    pub(crate) fn confirm_sign_up(
        &self,
        ctx: &RequestContext,
        input: ConfirmSignUpRequest,
    ) -> Result<ConfirmSignUpResponse, CognitoError> {
        let pool_id = self.client_pool(&input.client_id)?;
        let (answer, user) = self.store.update(&pool_id, |pool| {
            let client = pool.client(&input.client_id)?;
            client.check_secret_hash(&input.username, input.secret_hash.as_deref())?;
            let hide = hides_users(client);
            let Some(key) = pool.find_user(&input.username) else {
                return Err(if hide {
                    code_mismatch()
                } else {
                    unknown_user()
                });
            };
            let user = pool.users.get(&key).ok_or_else(unknown_user)?;
            if user.status != UserStatusType::Unconfirmed {
                return Err(CognitoError::new(
                    ErrorKind::NotAuthorizedException,
                    format!(
                        "User cannot be confirmed. Current status is {}",
                        user.status.as_str()
                    ),
                ));
            }
            check_code(user, CodePurpose::SignUp, &input.confirmation_code, ctx)?;
            let client = client.clone();
            if let Some(session) = &input.session {
                Self::check_sign_up_session(pool, session, client.id(), &key, false, ctx.now)?;
            }
            // The code proves the contact it went to.
            let verified = sign_up_target(pool, user);
            if let Some(t) = &verified {
                let claimed = [(t.attribute.to_string(), t.destination.clone())];
                pool.claim_aliases(
                    &key,
                    &claimed,
                    |a| a == t.attribute,
                    input.force_alias_creation,
                )?;
            }
            pool.users.update(&key, |u| {
                u.status = UserStatusType::Confirmed;
                u.codes.retain(|c| c.purpose != CodePurpose::SignUp);
                if let Some(t) = &verified {
                    u.attributes
                        .insert(format!("{}_verified", t.attribute), "true".into());
                }
                u.modified = ctx.now;
            });
            // The sign-up's session, if given, is spent; a new one signs the user in at
            // once (`USER_AUTH`).
            if let Some(session) = &input.session {
                pool.auth_sessions.take(session, ctx.now)?;
            }
            let session = self.open_sign_up_session(ctx, pool, &client, &key, true);
            let user = pool.users.get(&key).ok_or_else(unknown_user)?.clone();
            Ok((
                ConfirmSignUpResponse {
                    session: Some(session),
                },
                user,
            ))
        })?;
        self.post_confirmation(
            ctx,
            &pool_id,
            &user,
            "PostConfirmation_ConfirmSignUp",
            Some(&input.client_id),
            input.client_metadata.as_ref(),
        )?;
        Ok(answer)
    }

    pub(crate) fn resend_confirmation_code(
        &self,
        ctx: &RequestContext,
        input: ResendConfirmationCodeRequest,
    ) -> Result<ResendConfirmationCodeResponse, CognitoError> {
        let pool_id = self.client_pool(&input.client_id)?;
        let (answer, message) = self.store.update(&pool_id, |pool| {
            let client = pool.client(&input.client_id)?;
            client.check_secret_hash(&input.username, input.secret_hash.as_deref())?;
            let hide = hides_users(client);
            let simulated = |pool: &PoolState| {
                let answer = ResendConfirmationCodeResponse {
                    code_delivery_details: Some(simulated_delivery(pool, &input.username)),
                };
                (answer, None)
            };
            let found = pool
                .find_user(&input.username)
                .and_then(|k| pool.users.get(&k).map(|u| (k, u)));
            let Some((key, user)) = found else {
                return if hide {
                    Ok(simulated(pool))
                } else {
                    Err(unknown_user())
                };
            };
            if !user.enabled {
                return if hide {
                    Ok(simulated(pool))
                } else {
                    Err(user_disabled())
                };
            }
            if user.status != UserStatusType::Unconfirmed {
                return Err(invalid_parameter("User is already confirmed."));
            }
            // Also when the pool verifies an attribute the user does not have.
            let Some(target) = sign_up_target(pool, user) else {
                return Err(invalid_parameter(
                    "Cannot resend codes. Auto verification not turned on.",
                ));
            };
            let (code, message) = self.compose_code(
                ctx,
                pool,
                user,
                target.channel,
                &target.destination,
                CodePurpose::SignUp,
                Source::ResendCode,
            );
            replace_code(pool, &key, code, ctx);
            let answer = ResendConfirmationCodeResponse {
                code_delivery_details: Some(target.details()),
            };
            Ok((answer, Some(message)))
        })?;
        let metadata = input.client_metadata.as_ref();
        self.deliver(
            ctx,
            message.map(|m| m.via_client(Some(&input.client_id), metadata)),
        )?;
        Ok(answer)
    }

    pub(crate) fn forgot_password(
        &self,
        ctx: &RequestContext,
        input: ForgotPasswordRequest,
    ) -> Result<ForgotPasswordResponse, CognitoError> {
        let pool_id = self.client_pool(&input.client_id)?;
        let migrate = self.store.read(&pool_id, |pool| {
            let client = pool.client(&input.client_id)?;
            client.check_secret_hash(&input.username, input.secret_hash.as_deref())?;
            Ok(match pool.find_user(&input.username) {
                Some(_) => None,
                None => function_in(pool, Trigger::UserMigration),
            })
        })?;
        if let Some(arn) = migrate {
            self.migrate_user(
                ctx,
                &pool_id,
                &input.client_id,
                (&arn, &input.username),
                Migration::ForgotPassword,
                input.client_metadata.as_ref(),
            )?;
        }
        let (answer, message) = self.store.update(&pool_id, |pool| {
        let client = pool.client(&input.client_id)?;
        client.check_secret_hash(&input.username, input.secret_hash.as_deref())?;
        let hide = hides_users(client);
        let simulated = |pool: &PoolState| {
            let answer = ForgotPasswordResponse {
                code_delivery_details: Some(simulated_delivery(pool, &input.username)),
            };
            (answer, None)
        };
        let found = pool
            .find_user(&input.username)
            .and_then(|k| pool.users.get(&k).map(|u| (k, u)));
        let Some((key, user)) = found else {
            return if hide {
                Ok(simulated(pool))
            } else {
                Err(unknown_user())
            };
        };
        if !user.enabled {
            return if hide {
                Ok(simulated(pool))
            } else {
                Err(user_disabled())
            };
        }
        if user.status == UserStatusType::ForceChangePassword {
            return Err(CognitoError::new(
                ErrorKind::NotAuthorizedException,
                "User password cannot be reset in the current state.",
            ));
        }
        let Some(target) = recovery_target(pool, user) else {
            return if hide {
                Ok(simulated(pool))
            } else {
                Err(invalid_parameter(
                    "Cannot reset password for the user as there is no registered/verified email or phone_number",
                ))
            };
        };
        let (code, message) = self.compose_code(
            ctx,
            pool,
            user,
            target.channel,
            &target.destination,
            CodePurpose::ForgotPassword,
            Source::ForgotPassword,
        );
        replace_code(pool, &key, code, ctx);
        let answer = ForgotPasswordResponse {
            code_delivery_details: Some(target.details()),
        };
        Ok((answer, Some(message)))
        })?;
        let metadata = input.client_metadata.as_ref();
        self.deliver(
            ctx,
            message.map(|m| m.via_client(Some(&input.client_id), metadata)),
        )?;
        Ok(answer)
    }

    pub(crate) fn confirm_forgot_password(
        &self,
        ctx: &RequestContext,
        input: ConfirmForgotPasswordRequest,
    ) -> Result<ConfirmForgotPasswordResponse, CognitoError> {
        let pool_id = self.client_pool(&input.client_id)?;
        let user = self.store.update(&pool_id, |pool| {
            let client = pool.client(&input.client_id)?;
            client.check_secret_hash(&input.username, input.secret_hash.as_deref())?;
            let hide = hides_users(client);
            let found = pool
                .find_user(&input.username)
                .and_then(|k| pool.users.get(&k).map(|u| (k, u)));
            let Some((key, user)) = found else {
                return Err(if hide {
                    code_mismatch()
                } else {
                    unknown_user()
                });
            };
            if !user.enabled {
                return Err(if hide {
                    code_mismatch()
                } else {
                    user_disabled()
                });
            }
            check_code(
                user,
                CodePurpose::ForgotPassword,
                &input.confirmation_code,
                ctx,
            )?;
            check_password(&pool.password_policy(), &input.password)?;
            self.check_compromised(
                pool,
                Some(&input.client_id),
                EventFilterType::PasswordChange,
                &input.password,
            )?;
            let hash = self.hash_password(pool, &user.username, &input.password);
            let event_id = crate::ids::uuid_v4(&*self.random);
            pool.users.update(&key, |u| {
                u.set_password(hash);
                u.status = UserStatusType::Confirmed;
                u.temporary_password_expires = None;
                u.codes.retain(|c| c.purpose != CodePurpose::ForgotPassword);
                crate::ops::users::record_event(
                    u,
                    event_id,
                    ctx.now,
                    EventType::ForgotPassword,
                    true,
                );
                u.modified = ctx.now;
            });
            pool.users.get(&key).cloned().ok_or_else(unknown_user)
        })?;
        self.post_confirmation(
            ctx,
            &pool_id,
            &user,
            "PostConfirmation_ConfirmForgotPassword",
            Some(&input.client_id),
            input.client_metadata.as_ref(),
        )?;
        Ok(ConfirmForgotPasswordResponse {})
    }
}

/// The client `client_id` of the pool [`Cognito::client_pool`] found.
/// Refuses attributes the client may not write: those outside its `WriteAttributes`
/// (when it has a list), developer-only ones and `sub`.
fn check_writable(client: &ClientState, attributes: &[AttributeType]) -> Result<(), CognitoError> {
    let writable = client.config.write_attributes.as_deref();
    for name in attributes.iter().map(|a| a.name.as_str()) {
        let allowed = writable.is_none_or(|w| w.iter().any(|a| a == name));
        if !allowed || name.starts_with("dev:") || name == "sub" {
            return Err(CognitoError::new(
                ErrorKind::NotAuthorizedException,
                "A client attempted to write unauthorized attribute",
            ));
        }
    }
    Ok(())
}

/// Whether the client answers for unknown users as if they existed.
fn hides_users(client: &ClientState) -> bool {
    client.config.prevent_user_existence_errors == Some(PreventUserExistenceErrorTypes::Enabled)
}

/// Whether the pool lets users sign up without a password: it accepts a one-time code
/// as the first sign-in factor.
fn passwordless(pool: &PoolState) -> bool {
    pool.first_auth_factors().iter().any(|f| {
        matches!(
            f,
            AuthFactorType::EmailOtp | AuthFactorType::SmsOtp | AuthFactorType::WebAuthn
        )
    })
}

fn unknown_user() -> CognitoError {
    CognitoError::new(
        ErrorKind::UserNotFoundException,
        "Username/client id combination not found.",
    )
}

fn user_disabled() -> CognitoError {
    CognitoError::new(ErrorKind::NotAuthorizedException, "User is disabled.")
}

/// Delivery details for a user who does not exist (or cannot receive the code), for
/// clients that hide which users exist: the channel follows the username's shape and the
/// pool's verified attributes, and the destination is made up from a hash of the pool
/// and the username, so asking twice answers the same.
fn simulated_delivery(pool: &PoolState, username: &str) -> CodeDeliveryDetailsType {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(pool.config.id.as_deref().unwrap_or_default().as_bytes())
        .chain_update([0u8])
        .chain_update(username.as_bytes())
        .finalize();
    let byte = |i: usize| digest.get(i).copied().unwrap_or_default();
    let auto = pool
        .config
        .auto_verified_attributes
        .as_deref()
        .unwrap_or_default();
    let phone_pool = auto.contains(&VerifiedAttributeType::PhoneNumber)
        && !auto.contains(&VerifiedAttributeType::Email);
    let sms = crate::ops::users::rules::is_phone(username)
        || (phone_pool && !crate::ops::users::rules::is_email(username));
    if sms {
        let last4: String = (0..4).map(|i| char::from(b'0' + byte(i) % 10)).collect();
        delivery(Channel::Sms, "phone_number", &format!("+*******{last4}"))
    } else {
        let letter = |i: usize| char::from(b'a' + byte(i) % 26);
        delivery(
            Channel::Email,
            "email",
            &format!("{}***@{}***", letter(0), letter(1)),
        )
    }
}

#[cfg(test)]
mod tests;
