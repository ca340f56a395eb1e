//! A signed-in user's own account, through an access token: `GetUser`, `ChangePassword`,
//! `DeleteUser`, `UpdateUserAttributes`, `DeleteUserAttributes`,
//! `GetUserAttributeVerificationCode`, `VerifyUserAttribute`, `SetUserMFAPreference`.
//!
//! Every operation first checks the token (`verify_access_token`: signature, expiry,
//! revocation, `token_use`, scope). Attribute writes honour the client's
//! `WriteAttributes`; a changed email or phone number of a pool that auto-verifies it is
//! unverified and sent a code, and with `AttributesRequireVerificationBeforeUpdate` the new
//! value waits, unapplied, until the code comes back.

use cognito_model::shapes::*;
use cognito_model::{CognitoError, ErrorKind};

use crate::codes::{check_code, delivery, mask, replace_code};
use crate::delivery::Source;
use crate::errors::invalid_parameter;
use crate::messages::Channel;
use crate::ops::users::rules::{check_attributes, check_password, AttributeWrite};
use crate::ops::users::{attribute_list, set_mfa_preferences, user_not_found, CodePurpose};
use crate::store::PoolState;
use crate::{Cognito, RequestContext};

fn verification(
    attribute: &str,
) -> Result<(CodePurpose, Channel, VerifiedAttributeType), CognitoError> {
    match attribute {
        "email" => Ok((
            CodePurpose::VerifyEmail,
            Channel::Email,
            VerifiedAttributeType::Email,
        )),
        "phone_number" => Ok((
            CodePurpose::VerifyPhone,
            Channel::Sms,
            VerifiedAttributeType::PhoneNumber,
        )),
        other => Err(invalid_parameter(format!(
            "Invalid attribute name {other} for verification."
        ))),
    }
}

impl Cognito {
    pub(crate) fn get_user(
        &self,
        ctx: &RequestContext,
        input: GetUserRequest,
    ) -> Result<GetUserResponse, CognitoError> {
        let token = self.verify_access_token(ctx, &input.access_token)?;
        self.store.read(&token.pool_id, |pool| {
            let user = pool.users.get(&token.user_key).ok_or_else(user_not_found)?;
            let settings = user.mfa.setting_list();
            Ok(GetUserResponse {
                username: user.username.clone(),
                user_attributes: attribute_list(user),
                mfa_options: (!user.mfa_options.is_empty()).then(|| user.mfa_options.clone()),
                preferred_mfa_setting: user.mfa.preferred.map(str::to_string),
                user_mfa_setting_list: (!settings.is_empty()).then_some(settings),
            })
        })
    }

    pub(crate) fn change_password(
        &self,
        ctx: &RequestContext,
        input: ChangePasswordRequest,
    ) -> Result<ChangePasswordResponse, CognitoError> {
        let token = self.verify_access_token(ctx, &input.access_token)?;
        self.store.update(&token.pool_id, |pool| {
            let pool_name = pool.pool_name().to_string();
            let user = pool.users.get(&token.user_key).ok_or_else(user_not_found)?;
            let previous = input.previous_password.as_deref().unwrap_or_default();
            let matches = user
                .password
                .as_ref()
                .is_some_and(|h| h.verify(&pool_name, &user.username, previous));
            if !matches {
                return Err(CognitoError::new(
                    ErrorKind::NotAuthorizedException,
                    "Incorrect username or password.",
                ));
            }
            check_password(&pool.password_policy(), &input.proposed_password)?;
            self.check_compromised(
                pool,
                Some(&token.client_id),
                EventFilterType::PasswordChange,
                &input.proposed_password,
            )?;
            let username = user.username.clone();
            let hash = self.hash_password(pool, &username, &input.proposed_password);
            let event_id = crate::ids::uuid_v4(&*self.random);
            pool.users.update(&token.user_key, |u| {
                u.set_password(hash);
                crate::ops::users::record_event(
                    u,
                    event_id,
                    ctx.now,
                    EventType::PasswordChange,
                    true,
                );
                u.modified = ctx.now;
            });
            Ok(ChangePasswordResponse {})
        })
    }

    pub(crate) fn delete_user(
        &self,
        ctx: &RequestContext,
        input: DeleteUserRequest,
    ) -> Result<(), CognitoError> {
        let token = self.verify_access_token(ctx, &input.access_token)?;
        self.store.update(&token.pool_id, |pool| {
            pool.remove_user(&token.user_key);
            Ok(())
        })
    }

    pub(crate) fn update_user_attributes(
        &self,
        ctx: &RequestContext,
        input: UpdateUserAttributesRequest,
    ) -> Result<UpdateUserAttributesResponse, CognitoError> {
        let token = self.verify_access_token(ctx, &input.access_token)?;
        let (answer, messages) = self.store.update(&token.pool_id, |pool| {
            check_writable(
                pool,
                &token,
                input.user_attributes.iter().map(|a| a.name.as_str()),
            )?;
            let attrs =
                check_attributes(&pool.config, &input.user_attributes, AttributeWrite::Update)?;
            let user = pool.users.get(&token.user_key).ok_or_else(user_not_found)?;
            let auto: Vec<VerifiedAttributeType> = pool
                .config
                .auto_verified_attributes
                .clone()
                .unwrap_or_default();
            let wait: Vec<VerifiedAttributeType> = pool
                .config
                .user_attribute_update_settings
                .as_ref()
                .and_then(|s| s.attributes_require_verification_before_update.clone())
                .unwrap_or_default();
            let mut applied = Vec::new();
            let mut pending = Vec::new();
            let mut to_verify = Vec::new();
            for (name, value) in attrs {
                let changed = user.attribute(&name) != Some(value.as_str());
                match verification(&name) {
                    Ok((purpose, channel, kind))
                        if changed && auto.contains(&kind) && !value.is_empty() =>
                    {
                        if wait.contains(&kind) && user.is_verified(&name) {
                            pending.push((name.clone(), value.clone()));
                        } else {
                            applied.push((format!("{name}_verified"), "false".to_string()));
                            applied.push((name.clone(), value.clone()));
                        }
                        to_verify.push((name, value, purpose, channel));
                    }
                    Ok(_) if changed => {
                        applied.push((format!("{name}_verified"), "false".to_string()));
                        applied.push((name, value));
                    }
                    _ => applied.push((name, value)),
                }
            }
            let mut details = Vec::new();
            let mut codes = Vec::new();
            let mut messages = Vec::new();
            for (name, value, purpose, channel) in to_verify {
                let (code, message) = self.compose_code(
                    ctx,
                    pool,
                    user,
                    channel,
                    &value,
                    purpose,
                    Source::UpdateUserAttribute,
                );
                codes.push(code);
                messages.push(message);
                details.push(delivery(channel, &name, &mask(channel, &value)));
            }
            pool.users.update(&token.user_key, |u| {
                for (name, value) in applied {
                    u.attributes.insert(name, value);
                }
                u.sign_in.pending_attributes.extend(pending);
                for code in codes {
                    u.codes.retain(|c| c.purpose != code.purpose);
                    u.codes.push(code);
                }
                u.modified = ctx.now;
            });
            let answer = UpdateUserAttributesResponse {
                code_delivery_details_list: (!details.is_empty()).then_some(details),
            };
            Ok((answer, messages))
        })?;
        let metadata = input.client_metadata.as_ref();
        self.deliver(
            ctx,
            messages
                .into_iter()
                .map(|m| m.via_client(Some(&token.client_id), metadata)),
        )?;
        Ok(answer)
    }

    pub(crate) fn delete_user_attributes(
        &self,
        ctx: &RequestContext,
        input: DeleteUserAttributesRequest,
    ) -> Result<DeleteUserAttributesResponse, CognitoError> {
        let token = self.verify_access_token(ctx, &input.access_token)?;
        let username = self.store.read(&token.pool_id, |pool| {
            check_writable(
                pool,
                &token,
                input.user_attribute_names.iter().map(String::as_str),
            )?;
            pool.users
                .get(&token.user_key)
                .map(|u| u.username.clone())
                .ok_or_else(user_not_found)
        })?;
        let pool_id = token.pool_id.clone();
        self.admin_delete_user_attributes(
            ctx,
            AdminDeleteUserAttributesRequest {
                user_pool_id: pool_id,
                username,
                user_attribute_names: input.user_attribute_names,
            },
        )?;
        Ok(DeleteUserAttributesResponse {})
    }

    pub(crate) fn get_user_attribute_verification_code(
        &self,
        ctx: &RequestContext,
        input: GetUserAttributeVerificationCodeRequest,
    ) -> Result<GetUserAttributeVerificationCodeResponse, CognitoError> {
        let token = self.verify_access_token(ctx, &input.access_token)?;
        let (purpose, channel, _) = verification(&input.attribute_name)?;
        let (details, message) = self.store.update(&token.pool_id, |pool| {
            let user = pool.users.get(&token.user_key).ok_or_else(user_not_found)?;
            let destination = user
                .sign_in
                .pending_attributes
                .get(&input.attribute_name)
                .map(String::as_str)
                .or_else(|| user.attributes.get(&input.attribute_name))
                .map(str::to_owned)
                .ok_or_else(|| {
                    invalid_parameter(format!(
                        "The user has no {} attribute.",
                        input.attribute_name
                    ))
                })?;
            let (code, message) = self.compose_code(
                ctx,
                pool,
                user,
                channel,
                &destination,
                purpose,
                Source::VerifyUserAttribute,
            );
            replace_code(pool, &token.user_key, code, ctx);
            let details = delivery(channel, &input.attribute_name, &mask(channel, &destination));
            Ok((details, message))
        })?;
        let message = message.via_client(Some(&token.client_id), input.client_metadata.as_ref());
        self.deliver(ctx, [message])?;
        Ok(GetUserAttributeVerificationCodeResponse {
            code_delivery_details: Some(details),
        })
    }

    pub(crate) fn verify_user_attribute(
        &self,
        ctx: &RequestContext,
        input: VerifyUserAttributeRequest,
    ) -> Result<VerifyUserAttributeResponse, CognitoError> {
        let token = self.verify_access_token(ctx, &input.access_token)?;
        let (purpose, _, _) = verification(&input.attribute_name)?;
        self.store.update(&token.pool_id, |pool| {
            let user = pool.users.get(&token.user_key).ok_or_else(user_not_found)?;
            check_code(user, purpose, &input.code, ctx)?;
            let name = input.attribute_name;
            let value = user
                .sign_in
                .pending_attributes
                .get(&name)
                .map(String::as_str)
                .or_else(|| user.attributes.get(&name))
                .map(str::to_owned);
            if let Some(value) = &value {
                // The verified value becomes an alias: another user's claim on it gives way.
                let attrs = vec![(name.clone(), value.clone())];
                pool.claim_aliases(&token.user_key, &attrs, |_| true, true)?;
            }
            pool.users.update(&token.user_key, |u| {
                if let Some(value) = u.sign_in.pending_attributes.remove(&name) {
                    u.attributes.insert(name.clone(), value);
                }
                u.attributes
                    .insert(format!("{name}_verified"), "true".into());
                u.codes.retain(|c| c.purpose != purpose);
                u.modified = ctx.now;
            });
            Ok(VerifyUserAttributeResponse {})
        })
    }

    pub(crate) fn set_user_mfa_preference(
        &self,
        ctx: &RequestContext,
        input: SetUserMFAPreferenceRequest,
    ) -> Result<SetUserMFAPreferenceResponse, CognitoError> {
        let token = self.verify_access_token(ctx, &input.access_token)?;
        self.store.update(&token.pool_id, |pool| {
            let user = pool.users.get(&token.user_key).ok_or_else(user_not_found)?;
            let mut mfa = user.mfa.clone();
            set_mfa_preferences(
                &mut mfa,
                user,
                input.sms_mfa_settings.as_ref(),
                input.software_token_mfa_settings.as_ref(),
                input.email_mfa_settings.as_ref(),
            )?;
            pool.users.update(&token.user_key, |u| {
                u.mfa = mfa;
                u.modified = ctx.now;
            });
            Ok(SetUserMFAPreferenceResponse {})
        })
    }
}

/// Refuses attributes the token's client may not write, and developer-only ones.
fn check_writable<'a>(
    pool: &PoolState,
    token: &crate::ops::auth::tokens::AccessToken,
    names: impl Iterator<Item = &'a str>,
) -> Result<(), CognitoError> {
    let writable = pool
        .clients
        .get(&token.client_id)
        .and_then(|c| c.config.write_attributes.clone());
    for name in names {
        let allowed = writable
            .as_ref()
            .is_none_or(|w| w.iter().any(|a| a == name));
        if !allowed || name.starts_with("dev:") || name == "sub" {
            return Err(CognitoError::new(
                ErrorKind::NotAuthorizedException,
                "A client attempted to write unauthorized attribute",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
