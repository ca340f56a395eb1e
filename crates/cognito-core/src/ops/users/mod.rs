//! Users, as administrators manage them: `AdminCreateUser`, `AdminGetUser`,
//! `AdminUpdateUserAttributes`, `AdminDeleteUserAttributes`, `AdminDeleteUser`,
//! `AdminEnableUser`, `AdminDisableUser`, `AdminSetUserPassword`, `AdminResetUserPassword`,
//! `AdminConfirmSignUp`, `AdminSetUserSettings`, `AdminSetUserMFAPreference`,
//! `AdminListUserAuthEvents`, `AdminUpdateAuthEventFeedback`, and `ListUsers`.

mod links;
mod list;
#[cfg(test)]
mod proptests;
pub(crate) mod rules;

use cognito_crypto::password::PasswordHash;
use cognito_crypto::Secret;
use cognito_model::shapes::*;
use cognito_model::{CognitoError, ErrorKind, Timestamp};

use crate::delivery::{Outgoing, Source, Text};
use crate::errors::invalid_parameter;
use crate::messages::{Channel, MessageKind};
use crate::ops::sign_up_triggers::SigningUp;
pub use crate::state::users::{
    CodePurpose, Indexed, MfaPreferences, PendingCode, SignInState, User, Users,
};
use crate::store::PoolState;
use crate::{ids, Cognito, RequestContext};
use rules::{check_attributes, check_password, AttributeWrite};

const DEFAULT_INVITE_SUBJECT: &str = "Your temporary password";
const DEFAULT_INVITE_MESSAGE: &str =
    "Your username is {username} and temporary password is {####}.";

pub(crate) fn user_not_found() -> CognitoError {
    CognitoError::new(ErrorKind::UserNotFoundException, "User does not exist.")
}

impl PoolState {
    /// The part of the pool id after `_`, as SRP calls it.
    pub fn pool_name(&self) -> &str {
        let id = self.config.id.as_deref().unwrap_or_default();
        id.split_once('_').map_or(id, |(_, name)| name)
    }

    /// Whether usernames ignore case.
    pub fn case_insensitive(&self) -> bool {
        self.config
            .username_configuration
            .as_ref()
            .is_some_and(|c| !c.case_sensitive)
    }

    /// The key a username is stored under.
    pub fn user_key(&self, username: &str) -> String {
        if self.case_insensitive() {
            username.to_lowercase()
        } else {
            username.to_string()
        }
    }

    fn signs_in_with(&self, attr: &str) -> bool {
        let username = self
            .config
            .username_attributes
            .iter()
            .flatten()
            .any(|a| a.as_str() == attr);
        let alias = self
            .config
            .alias_attributes
            .iter()
            .flatten()
            .any(|a| a.as_str() == attr);
        username || alias
    }

    pub(crate) fn username_attribute(&self, attr: &str) -> bool {
        self.config
            .username_attributes
            .iter()
            .flatten()
            .any(|a| a.as_str() == attr)
    }

    /// The key of the user that `name` designates: a username, or an alias the pool
    /// accepts for sign-in (a verified email or phone number, a preferred username).
    pub fn find_user(&self, name: &str) -> Option<String> {
        let key = self.user_key(name);
        if self.users.contains(&key) {
            return Some(key);
        }
        for attr in ["email", "phone_number", "preferred_username"] {
            if !self.signs_in_with(attr) {
                continue;
            }
            let must_verify = attr != "preferred_username" && !self.username_attribute(attr);
            let found = self
                .keys_with_alias(attr, name)
                .into_iter()
                .find(|k| !must_verify || self.users.get(k).is_some_and(|u| u.is_verified(attr)));
            if found.is_some() {
                return found;
            }
        }
        None
    }

    /// Keys of the users whose sign-in attribute `attr` is `value`: in any case for
    /// `email` and `preferred_username` where usernames ignore case.
    fn keys_with_alias(&self, attr: &str, value: &str) -> Vec<String> {
        let folds = self.case_insensitive();
        let (index, value) = match attr {
            "email" if folds => return self.users.keys_with_email_folded(value),
            "email" => (Indexed::Email, value.to_string()),
            "phone_number" => (Indexed::PhoneNumber, value.to_string()),
            "preferred_username" if folds => (Indexed::PreferredUsername, value.to_lowercase()),
            "preferred_username" => (Indexed::PreferredUsername, value.to_string()),
            _ => return Vec::new(),
        };
        self.users
            .keys_with(index, &value)
            .map(str::to_string)
            .collect()
    }

    /// Stores `preferred_username` lower-cased where usernames ignore case, so that it
    /// is found and kept unique in any case.
    pub(crate) fn fold_aliases(&self, attrs: &mut [(String, String)]) {
        if self.case_insensitive() {
            for (name, value) in attrs.iter_mut() {
                if name == "preferred_username" {
                    *value = value.to_lowercase();
                }
            }
        }
    }

    /// The user `name` designates, or `UserNotFoundException`.
    pub(crate) fn user_key_of(&self, name: &str) -> Result<String, CognitoError> {
        self.find_user(name).ok_or_else(user_not_found)
    }

    fn user(&self, name: &str) -> Result<&User, CognitoError> {
        // The username itself first: one lookup in the common case, without copying the
        // name when it is its own key.
        let found = if self.case_insensitive() {
            self.users.get(&self.user_key(name))
        } else {
            self.users.get(name)
        };
        if let Some(user) = found {
            return Ok(user);
        }
        self.find_user(name)
            .and_then(|k| self.users.get(&k))
            .ok_or_else(user_not_found)
    }

    /// When a temporary password set `now` stops working.
    fn temporary_password_expiry(&self, now: Timestamp) -> Timestamp {
        let days = i64::from(
            self.password_policy()
                .temporary_password_validity_days
                .max(1),
        );
        now.plus_millis(days * 86_400_000)
    }

    pub(crate) fn password_policy(&self) -> PasswordPolicyType {
        self.config
            .policies
            .as_ref()
            .and_then(|p| p.password_policy.clone())
            .unwrap_or_default()
    }

    /// Another user that holds `value` of sign-in attribute `attr`: as its username, as
    /// its preferred username, or as a verified alias.
    fn alias_holder(&self, attr: &str, value: &str, except: &str) -> Option<String> {
        let counts = |u: &User| {
            attr == "preferred_username" || self.username_attribute(attr) || u.is_verified(attr)
        };
        self.keys_with_alias(attr, value)
            .into_iter()
            .find(|k| k.as_str() != except && self.users.get(k).is_some_and(counts))
    }

    /// Rejects attribute values that would give two users the same sign-in name (an
    /// email or phone number as username, a verified alias, a preferred username); with
    /// `force`, moves a verified alias to this user instead.
    ///
    /// A new user (one `key` does not name yet) that would take another's username
    /// attribute hears `UsernameExistsException`; an existing one changing to it,
    /// `AliasExistsException`.
    pub(crate) fn claim_aliases(
        &mut self,
        key: &str,
        attrs: &[(String, String)],
        verified: impl Fn(&str) -> bool,
        force: bool,
    ) -> Result<(), CognitoError> {
        let exists = self.users.contains(key);
        for attr in ["email", "phone_number", "preferred_username"] {
            if !self.signs_in_with(attr) {
                continue;
            }
            let Some((_, value)) = attrs.iter().find(|(n, _)| n == attr) else {
                continue;
            };
            let claims =
                attr == "preferred_username" || verified(attr) || self.username_attribute(attr);
            if !claims {
                continue;
            }
            let Some(holder) = self.alias_holder(attr, value, key) else {
                continue;
            };
            if self.username_attribute(attr) {
                let what = if attr == "email" {
                    "email"
                } else {
                    "phone number"
                };
                let kind = if exists {
                    ErrorKind::AliasExistsException
                } else {
                    ErrorKind::UsernameExistsException
                };
                return Err(CognitoError::new(
                    kind,
                    format!("An account with the given {what} already exists."),
                ));
            }
            if !force || attr == "preferred_username" {
                return Err(CognitoError::new(
                    ErrorKind::AliasExistsException,
                    format!("An account with the {attr} already exists."),
                ));
            }
            let flag = format!("{attr}_verified");
            self.users.update(&holder, |u| {
                u.attributes.insert(flag, "false".into());
            });
        }
        Ok(())
    }
}

/// `sub` first, then the other attributes in name order.
pub(crate) fn attribute_list(user: &User) -> Vec<AttributeType> {
    let mut out = Vec::with_capacity(user.attributes.len() + 1);
    out.push(AttributeType {
        name: "sub".into(),
        value: Some(user.sub.clone()),
    });
    out.extend(user.attributes.iter().map(|(n, v)| AttributeType {
        name: n.to_owned(),
        value: Some(v.to_owned()),
    }));
    out
}

/// The user as `ListUsers` and `AdminCreateUser` answer it.
pub(crate) fn user_type(user: &User) -> UserType {
    UserType {
        username: Some(user.username.clone()),
        attributes: Some(attribute_list(user)),
        user_create_date: Some(user.created),
        user_last_modified_date: Some(user.modified),
        enabled: user.enabled,
        user_status: Some(user.status),
        mfa_options: (!user.mfa_options.is_empty()).then(|| user.mfa_options.clone()),
    }
}

impl Cognito {
    fn new_salt(&self) -> [u8; 16] {
        let mut salt = [0u8; 16];
        self.random.fill(&mut salt);
        salt
    }

    /// A password hash for `user` in `pool`.
    pub(crate) fn hash_password(
        &self,
        pool: &PoolState,
        username: &str,
        password: &str,
    ) -> PasswordHash {
        PasswordHash::new(pool.pool_name(), username, password, self.new_salt())
    }

    /// Composes the invitation with `password` over the requested channels.
    fn invite(
        &self,
        pool: &PoolState,
        user: &User,
        password: &str,
        mediums: Option<&[DeliveryMediumType]>,
    ) -> Result<Vec<Outgoing>, CognitoError> {
        let template = pool
            .config
            .admin_create_user_config
            .as_ref()
            .and_then(|c| c.invite_message_template.clone())
            .unwrap_or_default();
        let explicit = mediums.is_some();
        let mediums = mediums.unwrap_or(&[DeliveryMediumType::Sms]);
        let mut out = Vec::new();
        for medium in mediums {
            let (channel, attr) = match medium {
                DeliveryMediumType::Email => (Channel::Email, "email"),
                DeliveryMediumType::Sms => (Channel::Sms, "phone_number"),
            };
            let Some(destination) = user.attribute(attr) else {
                if explicit {
                    return Err(invalid_parameter(format!(
                        "User has no attribute matching desired delivery mediums: {attr} is missing."
                    )));
                }
                continue;
            };
            let text = match channel {
                Channel::Email => Text {
                    subject: Some(
                        template
                            .email_subject
                            .clone()
                            .unwrap_or_else(|| DEFAULT_INVITE_SUBJECT.into()),
                    ),
                    template: template
                        .email_message
                        .clone()
                        .unwrap_or_else(|| DEFAULT_INVITE_MESSAGE.into()),
                },
                Channel::Sms => Text {
                    subject: None,
                    template: template
                        .sms_message
                        .clone()
                        .unwrap_or_else(|| DEFAULT_INVITE_MESSAGE.into()),
                },
            };
            out.push(Outgoing::new(
                pool,
                user,
                (channel, destination),
                text,
                MessageKind::Invitation,
                password,
                Source::AdminCreateUser,
            ));
        }
        Ok(out)
    }

    pub(crate) fn admin_create_user(
        &self,
        ctx: &RequestContext,
        input: AdminCreateUserRequest,
    ) -> Result<AdminCreateUserResponse, CognitoError> {
        // The `sub` is drawn with the user's other random values, unless a function may
        // see it first.
        let early_sub = self.names_functions().then(|| ids::uuid_v4(&*self.random));
        if let (Some(sub), false) = (
            &early_sub,
            input.message_action == Some(MessageActionType::Resend),
        ) {
            // Cognito ignores what the function answers for an administrator's user.
            self.pre_sign_up(
                ctx,
                &input.user_pool_id,
                SigningUp {
                    source: "PreSignUp_AdminCreateUser",
                    username: &input.username,
                    sub,
                    client_id: None,
                    attributes: input.user_attributes.as_deref(),
                    validation_data: input.validation_data.as_deref(),
                    client_metadata: input.client_metadata.as_ref(),
                },
            )?;
        }
        let (answer, invitations) = self.store.update(&input.user_pool_id, |pool| {
            let policy = pool.password_policy();
            if let Some(p) = &input.temporary_password {
                check_password(&policy, p)?;
            }
            // The new user's random values (password, `sub`, salt) come from one draw.
            let mut draw = ids::Draw::new(&*self.random);
            let password = match &input.temporary_password {
                Some(password) => password.clone(),
                None => rules::temporary_password(&policy, &mut draw),
            };
            let expires = pool.temporary_password_expiry(ctx.now);

            if input.message_action == Some(MessageActionType::Resend) {
                let key = pool.user_key_of(&input.username)?;
                let user = pool.users.get(&key).ok_or_else(user_not_found)?;
                if user.status != UserStatusType::ForceChangePassword {
                    return Err(CognitoError::new(
                        ErrorKind::UnsupportedUserStateException,
                        format!(
                            "Resend not possible. {} status is not FORCE_CHANGE_PASSWORD",
                            user.username
                        ),
                    ));
                }
                let hash = self.hash_password(pool, &user.username, &password);
                pool.users.update(&key, |u| {
                    u.set_password(hash);
                    u.temporary_password_expires = Some(expires);
                    u.modified = ctx.now;
                });
                let user = pool.users.get(&key).ok_or_else(user_not_found)?;
                let invitations = self.invite(
                    pool,
                    user,
                    &password,
                    input.desired_delivery_mediums.as_deref(),
                )?;
                return Ok((user_type(user), invitations));
            }

            let attrs = check_attributes(
                &pool.config,
                input.user_attributes.as_deref().unwrap_or_default(),
                AttributeWrite::Create,
            )?;
            let sub = early_sub
                .clone()
                .unwrap_or_else(|| ids::uuid_from(draw.bytes()));
            let (username, mut attrs) = self.username_for(pool, &input.username, &sub, attrs)?;
            let key = pool.user_key(&username);
            if pool.users.contains(&key) {
                return Err(CognitoError::new(
                    ErrorKind::UsernameExistsException,
                    "User account already exists",
                ));
            }
            let verified = |attr: &str| {
                attrs
                    .iter()
                    .any(|(n, v)| *n == format!("{attr}_verified") && v == "true")
            };
            pool.claim_aliases(&key, &attrs, verified, input.force_alias_creation)?;
            pool.fold_aliases(&mut attrs);
            let hash = PasswordHash::new(pool.pool_name(), &username, &password, draw.bytes());
            let mut user = User::new(
                username,
                sub,
                attrs.into_iter().collect(),
                UserStatusType::ForceChangePassword,
                ctx.now,
            );
            user.set_password(hash);
            user.temporary_password_expires = Some(expires);
            let invitations = if input.message_action == Some(MessageActionType::Suppress) {
                Vec::new()
            } else {
                self.invite(
                    pool,
                    &user,
                    &password,
                    input.desired_delivery_mediums.as_deref(),
                )?
            };
            let answer = user_type(&user);
            pool.users.insert(key, user);
            Ok((answer, invitations))
        })?;
        let metadata = input.client_metadata.as_ref();
        self.deliver(
            ctx,
            invitations
                .into_iter()
                .map(|m| m.via_client(None, metadata)),
        )?;
        Ok(AdminCreateUserResponse { user: Some(answer) })
    }

    /// The username a new user gets, and its attributes: in pools that sign in with
    /// email or phone number, the username is the `sub` and the given name becomes the
    /// attribute.
    pub(crate) fn username_for(
        &self,
        pool: &PoolState,
        requested: &str,
        sub: &str,
        mut attrs: Vec<(String, String)>,
    ) -> Result<(String, Vec<(String, String)>), CognitoError> {
        let by_email = pool.username_attribute("email");
        let by_phone = pool.username_attribute("phone_number");
        if by_email || by_phone {
            let attr = if by_email && rules::is_email(requested) {
                "email"
            } else if by_phone && rules::is_phone(requested) {
                "phone_number"
            } else {
                let what = match (by_email, by_phone) {
                    (true, true) => "Username should be either an email or a phone number.",
                    (true, false) => "Username should be an email.",
                    _ => "Username should be a phone number.",
                };
                return Err(invalid_parameter(what));
            };
            attrs.retain(|(n, _)| n != attr);
            attrs.push((attr.to_string(), requested.to_string()));
            return Ok((sub.to_string(), attrs));
        }
        let alias = |a: &str| {
            pool.config
                .alias_attributes
                .iter()
                .flatten()
                .any(|x| x.as_str() == a)
        };
        if alias("email") && rules::is_email(requested) {
            return Err(invalid_parameter(
                "Username cannot be of email format, since user pool is configured for email alias.",
            ));
        }
        if alias("phone_number") && rules::is_phone(requested) {
            return Err(invalid_parameter(
                "Username cannot be of phone number format, since user pool is configured for phone_number alias.",
            ));
        }
        Ok((requested.to_string(), attrs))
    }

    pub(crate) fn admin_get_user(
        &self,
        _ctx: &RequestContext,
        input: AdminGetUserRequest,
    ) -> Result<AdminGetUserResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |pool| {
            let user = pool.user(&input.username)?;
            let settings = user.mfa.setting_list();
            Ok(AdminGetUserResponse {
                username: user.username.clone(),
                user_attributes: Some(attribute_list(user)),
                user_create_date: Some(user.created),
                user_last_modified_date: Some(user.modified),
                enabled: user.enabled,
                user_status: Some(user.status),
                mfa_options: (!user.mfa_options.is_empty()).then(|| user.mfa_options.clone()),
                preferred_mfa_setting: user.mfa.preferred.map(str::to_string),
                user_mfa_setting_list: (!settings.is_empty()).then_some(settings),
            })
        })
    }

    pub(crate) fn admin_update_user_attributes(
        &self,
        ctx: &RequestContext,
        input: AdminUpdateUserAttributesRequest,
    ) -> Result<AdminUpdateUserAttributesResponse, CognitoError> {
        let messages = self.store.update(&input.user_pool_id, |pool| {
            let key = pool.user_key_of(&input.username)?;
            let attrs =
                check_attributes(&pool.config, &input.user_attributes, AttributeWrite::Update)?;
            if pool.username_attribute("email")
                && attrs.iter().any(|(n, v)| n == "email" && v.is_empty())
            {
                return Err(invalid_parameter(
                    "Cannot remove the email of a user who signs in with it.",
                ));
            }
            let explicitly_verified = |attr: &str| {
                attrs
                    .iter()
                    .find(|(n, _)| *n == format!("{attr}_verified"))
                    .map(|(_, v)| v == "true")
            };
            let current = pool.users.get(&key).ok_or_else(user_not_found)?;
            let changed = |attr: &str| {
                attrs
                    .iter()
                    .any(|(n, v)| n == attr && current.attribute(attr) != Some(v.as_str()))
            };
            let (email_changed, phone_changed) = (changed("email"), changed("phone_number"));
            let was_verified = [
                current.is_verified("email"),
                current.is_verified("phone_number"),
            ];
            let reset_email = email_changed && explicitly_verified("email").is_none();
            let reset_phone = phone_changed && explicitly_verified("phone_number").is_none();
            let verified_after = |attr: &str| match explicitly_verified(attr) {
                Some(v) => v,
                None if attr == "email" => !email_changed && was_verified[0],
                None => !phone_changed && was_verified[1],
            };
            pool.claim_aliases(&key, &attrs, verified_after, false)?;
            let mut attrs = attrs;
            pool.fold_aliases(&mut attrs);
            pool.users.update(&key, |u| {
                for (name, value) in attrs {
                    u.attributes.insert(name, value);
                }
                if reset_email {
                    u.attributes.insert("email_verified".into(), "false".into());
                }
                if reset_phone {
                    u.attributes
                        .insert("phone_number_verified".into(), "false".into());
                }
                u.modified = ctx.now;
            });
            // A new address or number the pool verifies gets a code, as from the user's
            // own update.
            let auto = pool
                .config
                .auto_verified_attributes
                .clone()
                .unwrap_or_default();
            let mut messages = Vec::new();
            for (reset, attribute, verified, channel, purpose) in [
                (
                    reset_email,
                    "email",
                    VerifiedAttributeType::Email,
                    Channel::Email,
                    CodePurpose::VerifyEmail,
                ),
                (
                    reset_phone,
                    "phone_number",
                    VerifiedAttributeType::PhoneNumber,
                    Channel::Sms,
                    CodePurpose::VerifyPhone,
                ),
            ] {
                let user = pool.users.get(&key).ok_or_else(user_not_found)?;
                let Some(destination) = user.attribute(attribute).filter(|v| !v.is_empty()) else {
                    continue;
                };
                if !reset || !auto.contains(&verified) {
                    continue;
                }
                let destination = destination.to_owned();
                let (code, message) = self.compose_code(
                    ctx,
                    pool,
                    user,
                    channel,
                    &destination,
                    purpose,
                    Source::UpdateUserAttribute,
                );
                crate::codes::replace_code(pool, &key, code, ctx);
                messages.push(message.via_client(None, input.client_metadata.as_ref()));
            }
            Ok(messages)
        })?;
        self.deliver(ctx, messages)?;
        Ok(AdminUpdateUserAttributesResponse {})
    }

    pub(crate) fn admin_delete_user_attributes(
        &self,
        ctx: &RequestContext,
        input: AdminDeleteUserAttributesRequest,
    ) -> Result<AdminDeleteUserAttributesResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
        let key = pool.user_key_of(&input.username)?;
        let schema = pool.config.schema_attributes.clone().unwrap_or_default();
        for name in &input.user_attribute_names {
            let def = schema
                .iter()
                .find(|a| a.name.as_deref() == Some(name.as_str()))
                .ok_or_else(|| {
                    invalid_parameter(format!(
                        "Attributes did not conform to the schema: {name}: Attribute does not exist in the schema."
                    ))
                })?;
            if def.required == Some(true) || name == "sub" {
                return Err(invalid_parameter(format!(
                    "Attributes did not conform to the schema: {name}: The attribute is required"
                )));
            }
            if def.mutable == Some(false) {
                return Err(invalid_parameter(format!(
                    "Cannot modify the non-mutable attribute {name}"
                )));
            }
        }
        pool.users.update(&key, |u| {
            for name in &input.user_attribute_names {
                u.attributes.remove(name);
                if name == "email" || name == "phone_number" {
                    u.attributes.remove(&format!("{name}_verified"));
                }
            }
            u.modified = ctx.now;
        });
        Ok(AdminDeleteUserAttributesResponse {})
        })
    }

    pub(crate) fn admin_delete_user(
        &self,
        _ctx: &RequestContext,
        input: AdminDeleteUserRequest,
    ) -> Result<(), CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            let key = pool.user_key_of(&input.username)?;
            pool.remove_user(&key);
            Ok(())
        })
    }

    fn set_enabled(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        username: &str,
        enabled: bool,
    ) -> Result<(), CognitoError> {
        self.store.update(pool_id, |pool| {
            let key = pool.user_key_of(username)?;
            pool.users.update(&key, |u| {
                u.enabled = enabled;
                u.modified = ctx.now;
            });
            Ok(())
        })
    }

    pub(crate) fn admin_enable_user(
        &self,
        ctx: &RequestContext,
        input: AdminEnableUserRequest,
    ) -> Result<AdminEnableUserResponse, CognitoError> {
        self.set_enabled(ctx, &input.user_pool_id, &input.username, true)?;
        Ok(AdminEnableUserResponse {})
    }

    pub(crate) fn admin_disable_user(
        &self,
        ctx: &RequestContext,
        input: AdminDisableUserRequest,
    ) -> Result<AdminDisableUserResponse, CognitoError> {
        self.set_enabled(ctx, &input.user_pool_id, &input.username, false)?;
        Ok(AdminDisableUserResponse {})
    }

    pub(crate) fn admin_set_user_password(
        &self,
        ctx: &RequestContext,
        input: AdminSetUserPasswordRequest,
    ) -> Result<AdminSetUserPasswordResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            let key = pool.user_key_of(&input.username)?;
            check_password(&pool.password_policy(), &input.password)?;
            self.check_compromised(pool, None, EventFilterType::PasswordChange, &input.password)?;
            let username = pool
                .users
                .get(&key)
                .map(|u| u.username.clone())
                .unwrap_or_default();
            let hash = self.hash_password(pool, &username, &input.password);
            let expires = pool.temporary_password_expiry(ctx.now);
            pool.users.update(&key, |u| {
                u.set_password(hash);
                u.modified = ctx.now;
                if input.permanent {
                    u.status = UserStatusType::Confirmed;
                    u.temporary_password_expires = None;
                } else {
                    u.status = UserStatusType::ForceChangePassword;
                    u.temporary_password_expires = Some(expires);
                }
            });
            Ok(AdminSetUserPasswordResponse {})
        })
    }

    pub(crate) fn admin_reset_user_password(
        &self,
        ctx: &RequestContext,
        input: AdminResetUserPasswordRequest,
    ) -> Result<AdminResetUserPasswordResponse, CognitoError> {
        let message = self.store.update(&input.user_pool_id, |pool| {
        let key = pool.user_key_of(&input.username)?;
        let user = pool.users.get(&key).ok_or_else(user_not_found)?;
        // A user who never chose a password has none to reset: a new invitation
        // (`AdminCreateUser` with `RESEND`) or `AdminSetUserPassword` is the way out.
        if user.status == UserStatusType::ForceChangePassword {
            return Err(CognitoError::new(
                ErrorKind::NotAuthorizedException,
                "User password cannot be reset in the current state.",
            ));
        }
        let Some(target) = crate::codes::recovery_target(pool, user) else {
            return Err(invalid_parameter(
                "Cannot reset password for the user as there is no registered/verified email or phone_number",
            ));
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
        crate::codes::replace_code(pool, &key, code, ctx);
        pool.users
            .update(&key, |u| u.status = UserStatusType::ResetRequired);
        Ok(message)
        })?;
        self.deliver(
            ctx,
            [message.via_client(None, input.client_metadata.as_ref())],
        )?;
        Ok(AdminResetUserPasswordResponse {})
    }

    /// Generates a six-digit code for `user` and composes its message to `destination`
    /// with the pool's verification template; answers the code for the user's record and
    /// the message, to be delivered once the pool's lock is released.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn compose_code(
        &self,
        ctx: &RequestContext,
        pool: &PoolState,
        user: &User,
        channel: Channel,
        destination: &str,
        purpose: CodePurpose,
        source: Source,
    ) -> (PendingCode, Outgoing) {
        let code = ids::random_string(&*self.random, b"0123456789", 6);
        let template = pool
            .config
            .verification_message_template
            .clone()
            .unwrap_or_default();
        let (subject, body, kind) = match purpose {
            CodePurpose::ForgotPassword => (
                "Your password reset code".to_string(),
                "Your password reset code is {####}".to_string(),
                MessageKind::ForgotPasswordCode,
            ),
            CodePurpose::SignUp => (
                template
                    .email_subject
                    .clone()
                    .unwrap_or_else(|| "Your verification code".into()),
                match channel {
                    Channel::Email => template.email_message.clone(),
                    Channel::Sms => template.sms_message.clone(),
                }
                .unwrap_or_else(|| "Your verification code is {####}".into()),
                MessageKind::SignUpCode,
            ),
            CodePurpose::VerifyEmail | CodePurpose::VerifyPhone => (
                template
                    .email_subject
                    .clone()
                    .unwrap_or_else(|| "Your verification code".into()),
                match channel {
                    Channel::Email => template.email_message.clone(),
                    Channel::Sms => template.sms_message.clone(),
                }
                .unwrap_or_else(|| "Your verification code is {####}".into()),
                MessageKind::VerificationCode,
            ),
        };
        let message = Outgoing::new(
            pool,
            user,
            (channel, destination),
            Text {
                subject: Some(subject),
                template: body,
            },
            kind,
            &code,
            source,
        );
        // Codes expire after 24 hours, as Cognito's do.
        let pending = PendingCode {
            purpose,
            code: Secret::new(code),
            expires: ctx.now.plus_millis(86_400_000),
        };
        (pending, message)
    }

    pub(crate) fn admin_confirm_sign_up(
        &self,
        ctx: &RequestContext,
        input: AdminConfirmSignUpRequest,
    ) -> Result<AdminConfirmSignUpResponse, CognitoError> {
        let user = self.store.update(&input.user_pool_id, |pool| {
            let key = pool.user_key_of(&input.username)?;
            let status = pool.users.get(&key).map(|u| u.status);
            if status != Some(UserStatusType::Unconfirmed) {
                return Err(CognitoError::new(
                    ErrorKind::NotAuthorizedException,
                    format!(
                        "User cannot be confirmed. Current status is {}",
                        status.map_or("UNKNOWN", |s| s.as_str())
                    ),
                ));
            }
            pool.users.update(&key, |u| {
                u.status = UserStatusType::Confirmed;
                u.codes.retain(|c| c.purpose != CodePurpose::SignUp);
                u.modified = ctx.now;
            });
            pool.users.get(&key).cloned().ok_or_else(user_not_found)
        })?;
        self.post_confirmation(
            ctx,
            &input.user_pool_id,
            &user,
            "PostConfirmation_ConfirmSignUp",
            None,
            input.client_metadata.as_ref(),
        )?;
        Ok(AdminConfirmSignUpResponse {})
    }

    pub(crate) fn admin_set_user_settings(
        &self,
        ctx: &RequestContext,
        input: AdminSetUserSettingsRequest,
    ) -> Result<AdminSetUserSettingsResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            let key = pool.user_key_of(&input.username)?;
            for option in &input.mfa_options {
                if option.delivery_medium != Some(DeliveryMediumType::Sms)
                    || option.attribute_name.as_deref() != Some("phone_number")
                {
                    return Err(invalid_parameter(
                        "Only SMS delivery to phone_number is supported for MFA options.",
                    ));
                }
            }
            pool.users.update(&key, |u| {
                u.mfa_options = input.mfa_options.into();
                u.mfa.sms = !u.mfa_options.is_empty();
                u.modified = ctx.now;
            });
            Ok(AdminSetUserSettingsResponse {})
        })
    }

    pub(crate) fn admin_set_user_mfa_preference(
        &self,
        ctx: &RequestContext,
        input: AdminSetUserMFAPreferenceRequest,
    ) -> Result<AdminSetUserMFAPreferenceResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            let key = pool.user_key_of(&input.username)?;
            let user = pool.users.get(&key).ok_or_else(user_not_found)?;
            let mut mfa = user.mfa.clone();
            set_mfa_preferences(
                &mut mfa,
                user,
                input.sms_mfa_settings.as_ref(),
                input.software_token_mfa_settings.as_ref(),
                input.email_mfa_settings.as_ref(),
            )?;
            pool.users.update(&key, |u| {
                u.mfa = mfa;
                u.modified = ctx.now;
            });
            Ok(AdminSetUserMFAPreferenceResponse {})
        })
    }

    pub(crate) fn admin_list_user_auth_events(
        &self,
        _ctx: &RequestContext,
        input: AdminListUserAuthEventsRequest,
    ) -> Result<AdminListUserAuthEventsResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |pool| {
            require_threat_protection(pool)?;
            let user = pool.user(&input.username)?;
            let limit = input
                .max_results
                .and_then(|m| usize::try_from(m).ok())
                .unwrap_or(10)
                .max(1);
            let skip = match ids::page_after(input.next_token.as_deref())? {
                Some(s) => s
                    .parse::<usize>()
                    .map_err(|_| invalid_parameter("Invalid pagination token."))?,
                None => 0,
            };
            // Newest first, as Cognito lists them.
            let events: Vec<AuthEventType> = user
                .auth_events
                .iter()
                .rev()
                .skip(skip)
                .take(limit)
                .cloned()
                .collect();
            let next = skip + events.len();
            Ok(AdminListUserAuthEventsResponse {
                next_token: (next < user.auth_events.len())
                    .then(|| ids::page_token(&next.to_string())),
                auth_events: Some(events),
            })
        })
    }

    pub(crate) fn admin_update_auth_event_feedback(
        &self,
        ctx: &RequestContext,
        input: AdminUpdateAuthEventFeedbackRequest,
    ) -> Result<AdminUpdateAuthEventFeedbackResponse, CognitoError> {
        let feedback = EventFeedbackType {
            feedback_value: input.feedback_value,
            provider: "Admin".into(),
            feedback_date: Some(ctx.now),
        };
        self.store.update(&input.user_pool_id, |pool| {
            give_feedback(pool, &input.username, &input.event_id, None, feedback)?;
            Ok(AdminUpdateAuthEventFeedbackResponse {})
        })
    }

    /// The user's own feedback, with the event's feedback token (Cognito mails it with
    /// risk notifications; the test API shows it).
    pub(crate) fn update_auth_event_feedback(
        &self,
        ctx: &RequestContext,
        input: UpdateAuthEventFeedbackRequest,
    ) -> Result<UpdateAuthEventFeedbackResponse, CognitoError> {
        let feedback = EventFeedbackType {
            feedback_value: input.feedback_value,
            provider: "User".into(),
            feedback_date: Some(ctx.now),
        };
        self.store.update(&input.user_pool_id, |pool| {
            give_feedback(
                pool,
                &input.username,
                &input.event_id,
                Some(&input.feedback_token),
                feedback,
            )?;
            Ok(UpdateAuthEventFeedbackResponse {})
        })
    }
}

/// The feedback token of a user's event: a hash of the event and the user's `sub`, so
/// that only who was told it (by a risk notification, or the test API) can give feedback.
pub fn feedback_token(sub: &str, event_id: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let digest = sha2::Sha256::new()
        .chain_update(b"auth-event-feedback:")
        .chain_update(sub.as_bytes())
        .chain_update(b":")
        .chain_update(event_id.as_bytes())
        .finalize();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
}

/// Records `feedback` on event `event_id` of the user `username` designates; with a
/// `token`, only if it is the event's.
fn give_feedback(
    pool: &mut PoolState,
    username: &str,
    event_id: &str,
    token: Option<&str>,
    feedback: EventFeedbackType,
) -> Result<(), CognitoError> {
    require_threat_protection(pool)?;
    let key = pool.user_key_of(username)?;
    let user = pool.users.get(&key).ok_or_else(user_not_found)?;
    if token.is_some_and(|t| {
        !bool::from(subtle::ConstantTimeEq::ct_eq(
            t.as_bytes(),
            feedback_token(&user.sub, event_id).as_bytes(),
        ))
    }) {
        return Err(crate::errors::not_authorized("Invalid feedback token."));
    }
    let found = pool.users.update(&key, |u| {
        let event = u
            .auth_events
            .iter_mut()
            .find(|e| e.event_id.as_deref() == Some(event_id))?;
        event.event_feedback = Some(feedback);
        Some(())
    });
    found
        .flatten()
        .ok_or_else(|| crate::errors::not_found(format!("Auth event {event_id} does not exist.")))
}

impl PoolState {
    /// Removes a user with its group memberships, its tokens and its sign-ins in
    /// progress.
    pub(crate) fn remove_user(&mut self, key: &str) -> Option<User> {
        let user = self.users.remove(key)?;
        self.groups.forget_user(key, &user.groups);
        self.tokens.grants.revoke_user(key);
        self.auth_sessions.forget_user(key);
        Some(user)
    }
}

/// Auth events kept per user.
const MAX_EVENTS: usize = 100;

/// Appends an event (sign-in, sign-up, password change, ...) to the user's history, as
/// `AdminListUserAuthEvents` and the test API show it.
pub(crate) fn record_event(
    user: &mut User,
    event_id: String,
    now: Timestamp,
    kind: EventType,
    ok: bool,
) {
    if user.auth_events.len() >= MAX_EVENTS {
        user.auth_events.remove(0);
    }
    let challenge = (kind == EventType::SignIn).then(|| {
        vec![ChallengeResponseType {
            challenge_name: Some(ChallengeName::Password),
            challenge_response: Some(if ok {
                ChallengeResponse::Success
            } else {
                ChallengeResponse::Failure
            }),
        }]
    });
    user.auth_events.push(AuthEventType {
        event_id: Some(event_id),
        event_type: Some(kind),
        creation_date: Some(now),
        event_response: Some(if ok {
            EventResponseType::Pass
        } else {
            EventResponseType::Fail
        }),
        event_risk: Some(EventRiskType {
            risk_decision: Some(RiskDecisionType::NoRisk),
            risk_level: None,
            compromised_credentials_detected: Some(false),
        }),
        challenge_responses: challenge,
        event_context_data: None,
        event_feedback: None,
    });
}

/// Adds a challenge's result to the sign-in event `event_id`, whose outcome becomes the
/// latest challenge's.
pub(crate) fn record_challenge(user: &mut User, event_id: &str, name: ChallengeName, ok: bool) {
    let Some(event) = user
        .auth_events
        .iter_mut()
        .rev()
        .find(|e| e.event_id.as_deref() == Some(event_id))
    else {
        return;
    };
    event
        .challenge_responses
        .get_or_insert_with(Vec::new)
        .push(ChallengeResponseType {
            challenge_name: Some(name),
            challenge_response: Some(if ok {
                ChallengeResponse::Success
            } else {
                ChallengeResponse::Failure
            }),
        });
    event.event_response = Some(if ok {
        EventResponseType::Pass
    } else {
        EventResponseType::Fail
    });
}

/// Answers `UserPoolAddOnNotEnabledException` unless threat protection is on.
fn require_threat_protection(pool: &PoolState) -> Result<(), CognitoError> {
    let mode = pool
        .config
        .user_pool_add_ons
        .as_ref()
        .map(|a| a.advanced_security_mode);
    if matches!(mode, None | Some(AdvancedSecurityModeType::Off)) {
        return Err(CognitoError::new(
            ErrorKind::UserPoolAddOnNotEnabledException,
            "Threat protection is not enabled for this user pool.",
        ));
    }
    Ok(())
}

/// Applies MFA preference settings, as `SetUserMFAPreference` and its admin twin do.
pub(crate) fn set_mfa_preferences(
    mfa: &mut MfaPreferences,
    user: &User,
    sms: Option<&SMSMfaSettingsType>,
    totp: Option<&SoftwareTokenMfaSettingsType>,
    email: Option<&EmailMfaSettingsType>,
) -> Result<(), CognitoError> {
    if let Some(s) = sms {
        if s.enabled && user.attribute("phone_number").is_none() {
            return Err(invalid_parameter(
                "User does not have a phone number to receive SMS MFA codes.",
            ));
        }
        mfa.sms = s.enabled;
        apply_preferred(mfa, "SMS_MFA", s.enabled, s.preferred_mfa);
    }
    if let Some(s) = totp {
        if s.enabled && user.software_token.verified.is_none() {
            return Err(invalid_parameter("User has not set up software token mfa"));
        }
        mfa.software_token = s.enabled;
        apply_preferred(mfa, "SOFTWARE_TOKEN_MFA", s.enabled, s.preferred_mfa);
    }
    if let Some(s) = email {
        if s.enabled && user.attribute("email").is_none() {
            return Err(invalid_parameter(
                "User does not have an email address to receive email MFA codes.",
            ));
        }
        mfa.email = s.enabled;
        apply_preferred(mfa, "EMAIL_OTP", s.enabled, s.preferred_mfa);
    }
    Ok(())
}

fn apply_preferred(mfa: &mut MfaPreferences, method: &'static str, enabled: bool, preferred: bool) {
    if enabled && preferred {
        mfa.preferred = Some(method);
    } else if mfa.preferred == Some(method) {
        mfa.preferred = None;
    }
}

#[cfg(test)]
mod tests;
