//! The emulator's test hooks, which the HTTP front end serves as its test API: the codes
//! users hold, confirming a user outright, the sign-ins with working tokens (and ending
//! them), users' auth events, and wiping every pool. Cognito itself has
//! none of these; they let a test read what a user would read in a message, or skip a
//! step it is not about.
//!
//! The messages themselves are in [`Cognito::outbox`]; compromised passwords are
//! registered with [`Cognito::register_compromised_password`].

use cognito_crypto::Secret;
use cognito_model::shapes::UserStatusType;
use cognito_model::{CognitoError, Timestamp};

use crate::ops::users::{user_not_found, CodePurpose, User};
use crate::store::PoolState;
use crate::Cognito;

/// A code a user was sent and has not used.
#[derive(Debug, Clone)]
pub struct IssuedCode {
    /// The user's pool.
    pub pool_id: String,
    /// The user's username.
    pub username: String,
    /// What the code is for.
    pub purpose: CodePurpose,
    /// The code.
    pub code: Secret<String>,
    /// When it stops working.
    pub expires: Timestamp,
}

/// A sign-in whose tokens still work; the tokens themselves are never shown.
#[derive(Debug, Clone)]
pub struct ActiveTokens {
    /// The user's pool.
    pub pool_id: String,
    /// The user's username.
    pub username: String,
    /// The app client signed in through.
    pub client_id: String,
    /// The id of the sign-in's session, as `ListUserSessions` shows it.
    pub session_id: String,
    /// When its refresh token expires.
    pub refresh_expires: Timestamp,
    /// When the user signed in.
    pub signed_in: Timestamp,
    /// When it last issued tokens: its sign-in, or its latest refresh.
    pub last_issued: Timestamp,
}

/// An event in a user's history.
#[derive(Debug, Clone)]
pub struct RecordedEvent {
    /// The user's pool.
    pub pool_id: String,
    /// The user's username.
    pub username: String,
    /// The event, as `AdminListUserAuthEvents` shows it.
    pub event: cognito_model::shapes::AuthEventType,
    /// The token `UpdateAuthEventFeedback` takes for it.
    pub feedback_token: String,
}

/// A device a user signed in from; its keys, never its verifier.
#[derive(Debug, Clone)]
pub struct TrackedDevice {
    /// The user's pool.
    pub pool_id: String,
    /// The user's username.
    pub username: String,
    /// The device key.
    pub device_key: String,
    /// The user's device group key.
    pub device_group_key: String,
    /// The name given at `ConfirmDevice`.
    pub name: Option<String>,
    /// Whether `ConfirmDevice` stored its verifier.
    pub confirmed: bool,
    /// Whether the device is remembered.
    pub remembered: bool,
    /// When a sign-in last named it.
    pub last_authenticated: Option<Timestamp>,
}

/// A passkey a user registered, with what its attestation showed; never key material.
#[derive(Debug, Clone)]
pub struct RegisteredPasskey {
    /// The user's pool.
    pub pool_id: String,
    /// The user's username.
    pub username: String,
    /// The credential id, base64url.
    pub credential_id: String,
    /// The relying party it belongs to.
    pub relying_party_id: String,
    /// The attestation statement format.
    pub format: String,
    /// The authenticator model's AAGUID, as a UUID.
    pub aaguid: String,
    /// The attestation certificate chain's subjects, leaf first.
    pub certificate_subjects: Vec<String>,
    /// The last signature counter seen.
    pub sign_count: u32,
    /// Whether the user was verified at registration.
    pub user_verified: bool,
    /// Whether the credential may be backed up.
    pub backup_eligible: bool,
    /// Whether it is backed up.
    pub backed_up: bool,
}

/// An AAGUID as a UUID's text (8-4-4-4-12 hex digits).
fn aaguid_text(bytes: &[u8; 16]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

impl CodePurpose {
    /// A stable name for the test API: `sign_up`, `forgot_password`, `verify_email` or
    /// `verify_phone_number`.
    pub fn as_str(self) -> &'static str {
        match self {
            CodePurpose::SignUp => "sign_up",
            CodePurpose::ForgotPassword => "forgot_password",
            CodePurpose::VerifyEmail => "verify_email",
            CodePurpose::VerifyPhone => "verify_phone_number",
        }
    }
}

impl Cognito {
    /// The codes users hold that still work at `now`, by pool id, then username, then
    /// when they were sent; only pool `pool_id` and the user `username` designates (a
    /// username or an alias) when given.
    pub fn pending_codes(
        &self,
        now: Timestamp,
        pool_id: Option<&str>,
        username: Option<&str>,
    ) -> Vec<IssuedCode> {
        let mut out = Vec::new();
        self.each_pool(pool_id, |pool| {
            let pool_id = pool.config.id.clone().unwrap_or_default();
            let keys: Vec<String> = match username {
                Some(name) => pool.find_user(name).into_iter().collect(),
                None => pool.users.after(None).map(|(k, _)| k.to_string()).collect(),
            };
            for user in keys.iter().filter_map(|k| pool.users.get(k)) {
                out.extend(
                    user.codes
                        .iter()
                        .filter(|c| c.expires > now)
                        .map(|c| IssuedCode {
                            pool_id: pool_id.clone(),
                            username: user.username.clone(),
                            purpose: c.purpose,
                            code: c.code.clone(),
                            expires: c.expires,
                        }),
                );
            }
        });
        out
    }

    /// Confirms the user `username` designates in pool `pool_id` whatever its status, as
    /// if it had entered its code: `CONFIRMED`, its email address (if any) verified and
    /// its sign-up code used up. A verified email address another user held as an alias
    /// moves to this user.
    pub fn force_confirm(
        &self,
        now: Timestamp,
        pool_id: &str,
        username: &str,
    ) -> Result<(), CognitoError> {
        self.store.update(pool_id, |pool| {
            let key = pool.user_key_of(username)?;
            let email = pool
                .users
                .get(&key)
                .ok_or_else(user_not_found)?
                .attribute("email")
                .filter(|e| !e.is_empty())
                .map(str::to_string);
            if let Some(email) = &email {
                let claimed = [("email".to_string(), email.clone())];
                pool.claim_aliases(&key, &claimed, |a| a == "email", true)?;
            }
            pool.users.update(&key, |u| {
                u.status = UserStatusType::Confirmed;
                u.temporary_password_expires = None;
                u.codes.retain(|c| c.purpose != CodePurpose::SignUp);
                if email.is_some() {
                    u.attributes.insert("email_verified".into(), "true".into());
                }
                u.modified = now;
            });
            Ok(())
        })
    }

    /// The sign-ins whose tokens still work at `now` (never the tokens themselves): of
    /// pool `pool_id` and user `username` when given.
    pub fn active_tokens(
        &self,
        now: Timestamp,
        pool_id: Option<&str>,
        username: Option<&str>,
    ) -> Vec<ActiveTokens> {
        let mut out = Vec::new();
        self.each_pool(pool_id, |pool| {
            let id = pool.config.id.clone().unwrap_or_default();
            let only = username.and_then(|u| pool.find_user(u));
            if username.is_some() && only.is_none() {
                return;
            }
            for grant in pool.tokens.grants.active(now) {
                if only.as_ref().is_some_and(|k| *k != grant.user_key) {
                    continue;
                }
                let Some(user) = pool.users.get(&grant.user_key) else {
                    continue;
                };
                if user.sign_in.tokens_valid_after.is_some_and(|t| t > now) {
                    continue;
                }
                out.push(ActiveTokens {
                    pool_id: id.clone(),
                    username: user.username.clone(),
                    client_id: grant.client_id.clone(),
                    session_id: grant.session_id.clone(),
                    refresh_expires: grant.expires,
                    signed_in: grant.auth_time,
                    last_issued: grant.last_active,
                });
            }
        });
        out.sort_by(|a, b| {
            (&a.pool_id, &a.username, &a.session_id).cmp(&(&b.pool_id, &b.username, &b.session_id))
        });
        out
    }

    /// Makes every token of pool `pool_id` (of user `username` when given) stop working,
    /// as if it had expired; answers how many sign-ins were ended.
    pub fn expire_tokens(
        &self,
        now: Timestamp,
        pool_id: &str,
        username: Option<&str>,
    ) -> Result<usize, CognitoError> {
        self.store.update(pool_id, |pool| {
            let only = match username {
                Some(u) => Some(pool.user_key_of(u)?),
                None => None,
            };
            let ended = pool.tokens.grants.revoke_where(|g| {
                g.expires > now && only.as_ref().is_none_or(|k| *k == g.user_key)
            });
            let keys: Vec<String> = match only {
                Some(k) => vec![k],
                None => pool.users.after(None).map(|(k, _)| k.to_string()).collect(),
            };
            for key in keys {
                pool.users
                    .update(&key, |u| u.sign_in.tokens_valid_after = Some(now));
            }
            Ok(ended)
        })
    }

    /// The recorded events (sign-up, sign-in, password changes) of pool `pool_id` and
    /// user `username` when given, oldest first per user.
    pub fn auth_events(&self, pool_id: Option<&str>, username: Option<&str>) -> Vec<RecordedEvent> {
        let mut out = Vec::new();
        self.each_user(pool_id, username, |pool_id, user| {
            out.extend(user.auth_events.iter().map(|e| RecordedEvent {
                pool_id: pool_id.to_string(),
                username: user.username.clone(),
                feedback_token: crate::ops::users::feedback_token(
                    &user.sub,
                    e.event_id.as_deref().unwrap_or_default(),
                ),
                event: e.clone(),
            }));
        });
        out
    }

    /// The devices of pool `pool_id` and user `username` when given, by pool, user and
    /// device key.
    pub fn devices(&self, pool_id: Option<&str>, username: Option<&str>) -> Vec<TrackedDevice> {
        let mut out = Vec::new();
        self.each_user(pool_id, username, |pool_id, user| {
            out.extend(user.devices.iter().map(|(key, d)| TrackedDevice {
                pool_id: pool_id.to_string(),
                username: user.username.clone(),
                device_key: key.clone(),
                device_group_key: d.group_key.clone(),
                name: d.name.clone(),
                confirmed: d.verifier.is_some(),
                remembered: d.remembered,
                last_authenticated: d.last_authenticated,
            }));
        });
        out
    }

    /// The passkeys of pool `pool_id` and user `username` when given, by pool, user and
    /// registration.
    pub fn passkeys(
        &self,
        pool_id: Option<&str>,
        username: Option<&str>,
    ) -> Vec<RegisteredPasskey> {
        let mut out = Vec::new();
        self.each_user(pool_id, username, |pool_id, user| {
            out.extend(user.passkeys.iter().map(|p| RegisteredPasskey {
                pool_id: pool_id.to_string(),
                username: user.username.clone(),
                credential_id: crate::ops::passkeys::b64url(&p.credential_id),
                relying_party_id: p.relying_party_id.clone(),
                format: p.attestation.format.clone(),
                aaguid: aaguid_text(&p.attestation.aaguid),
                certificate_subjects: p.attestation.certificate_subjects.clone(),
                sign_count: p.sign_count,
                user_verified: p.attestation.user_verified,
                backup_eligible: p.attestation.backup_eligible,
                backed_up: p.attestation.backed_up,
            }));
        });
        out
    }

    /// The code the software token of the user `username` designates in pool `pool_id`
    /// shows at `now`: its verified token's, else the one it is associating. The key
    /// itself never leaves the service.
    pub fn software_token_code(
        &self,
        now: Timestamp,
        pool_id: &str,
        username: &str,
    ) -> Result<Secret<String>, CognitoError> {
        self.store.read(pool_id, |pool| {
            let key = pool.user_key_of(username)?;
            let user = pool.users.get(&key).ok_or_else(user_not_found)?;
            let tokens = &user.software_token;
            let key = tokens
                .verified
                .as_ref()
                .map(|t| &t.key)
                .or(tokens.associating.as_deref())
                .ok_or_else(|| crate::errors::not_found("The user has no software token."))?;
            key.totp(now.secs())
                .map_err(|e| crate::errors::invalid_parameter(e.to_string()))
        })
    }

    /// Runs `f` on the user `username` designates, or every user, of pool `pool_id`, or
    /// of every pool, in pool id then key order.
    fn each_user(
        &self,
        pool_id: Option<&str>,
        username: Option<&str>,
        mut f: impl FnMut(&str, &User),
    ) {
        self.each_pool(pool_id, |pool| {
            let id = pool.config.id.as_deref().unwrap_or_default();
            match username {
                Some(name) => {
                    if let Some(user) = pool.find_user(name).and_then(|k| pool.users.get(&k)) {
                        f(id, user);
                    }
                }
                None => pool.users.after(None).for_each(|(_, user)| f(id, user)),
            }
        });
    }

    /// Runs `f` on pool `pool_id`, or on every pool, in id order.
    fn each_pool(&self, pool_id: Option<&str>, mut f: impl FnMut(&PoolState)) {
        for id in self.store.ids(pool_id) {
            let _ = self.store.read(&id, |pool| {
                f(pool);
                Ok(())
            });
        }
    }

    /// Forgets everything: every pool with all it holds, the indexes over them, the
    /// provisioned limits, the compromised passwords and the outbox.
    pub fn reset(&self) {
        self.store.reset();
    }

    /// Forgets pool `pool_id` with all it holds, whatever its deletion protection and
    /// domains: its clients and domains leave the indexes, its messages the outbox and
    /// its trigger invocations the log. Other pools are untouched.
    pub fn reset_pool(&self, pool_id: &str) -> Result<(), CognitoError> {
        self.store.remove(pool_id, |_| Ok(()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{create_pool, ctx, ctx_at, service};
    use cognito_model::shapes::*;
    use cognito_model::ErrorKind;

    fn attr(name: &str, value: &str) -> AttributeType {
        AttributeType {
            name: name.into(),
            value: Some(value.into()),
        }
    }

    /// A pool that emails codes, its client, and user `name` signed up with an email.
    fn signed_up(svc: &Cognito, name: &str) -> (String, String) {
        let pool = svc
            .create_user_pool(
                &ctx(),
                CreateUserPoolRequest {
                    pool_name: "p".into(),
                    auto_verified_attributes: Some(vec![VerifiedAttributeType::Email]),
                    ..Default::default()
                },
            )
            .unwrap()
            .user_pool
            .unwrap()
            .id
            .unwrap();
        let client = svc
            .create_user_pool_client(
                &ctx(),
                CreateUserPoolClientRequest {
                    user_pool_id: pool.clone(),
                    client_name: "app".into(),
                    ..Default::default()
                },
            )
            .unwrap()
            .user_pool_client
            .unwrap()
            .client_id
            .unwrap();
        svc.sign_up(
            &ctx(),
            SignUpRequest {
                client_id: client.clone(),
                username: name.into(),
                password: Some("Passw0rd!".into()),
                user_attributes: Some(vec![attr("email", &format!("{name}@example.com"))]),
                ..Default::default()
            },
        )
        .unwrap();
        (pool, client)
    }

    fn status(svc: &Cognito, pool: &str, name: &str) -> AdminGetUserResponse {
        svc.admin_get_user(
            &ctx(),
            AdminGetUserRequest {
                user_pool_id: pool.into(),
                username: name.into(),
            },
        )
        .unwrap()
    }

    #[test]
    fn pending_codes_are_the_unused_unexpired_ones() {
        let svc = service();
        let (pool, _) = signed_up(&svc, "alice");
        let (other, _) = signed_up(&svc, "bob");
        let now = ctx().now;
        let all = svc.pending_codes(now, None, None);
        assert_eq!(all.len(), 2);
        let alice = svc.pending_codes(now, Some(&pool), Some("alice"));
        let [code] = alice.as_slice() else {
            panic!("{alice:?}");
        };
        assert_eq!(code.pool_id, pool);
        assert_eq!(code.username, "alice");
        assert_eq!(code.purpose.as_str(), "sign_up");
        assert_eq!(code.expires, now.plus_millis(86_400_000));
        let sent = svc.outbox().messages(|m| m.username == "alice");
        assert_eq!(
            sent.first()
                .and_then(|m| m.code.as_ref())
                .map(Secret::expose),
            Some(code.code.expose())
        );
        assert!(svc
            .pending_codes(now, Some(&other), Some("alice"))
            .is_empty());
        assert!(svc
            .pending_codes(now, Some("us-east-1_none"), None)
            .is_empty());
        let later = ctx_at(now.secs() + 86_400).now;
        assert!(svc.pending_codes(later, None, None).is_empty());
    }

    #[test]
    fn force_confirm_confirms_and_verifies_the_email() {
        let svc = service();
        let (pool, _) = signed_up(&svc, "carol");
        svc.force_confirm(ctx().now, &pool, "carol").unwrap();
        let got = status(&svc, &pool, "carol");
        assert_eq!(got.user_status, Some(UserStatusType::Confirmed));
        let verified = got
            .user_attributes
            .iter()
            .flatten()
            .find(|a| a.name == "email_verified")
            .and_then(|a| a.value.clone());
        assert_eq!(verified.as_deref(), Some("true"));
        assert!(svc.pending_codes(ctx().now, None, None).is_empty());

        let e = svc.force_confirm(ctx().now, &pool, "nobody").unwrap_err();
        assert_eq!(
            (e.kind, e.message.as_str()),
            (ErrorKind::UserNotFoundException, "User does not exist.")
        );
        let e = svc
            .force_confirm(ctx().now, "us-east-1_none", "carol")
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::ResourceNotFoundException);
    }

    #[test]
    fn reset_pool_forgets_one_pool_and_its_indexes() {
        let svc = service();
        let (pool, client) = signed_up(&svc, "erin");
        let (other, other_client) = signed_up(&svc, "frank");
        svc.create_user_pool_domain(
            &ctx(),
            CreateUserPoolDomainRequest {
                user_pool_id: pool.clone(),
                domain: "erins-app".into(),
                ..Default::default()
            },
        )
        .unwrap();
        svc.update_user_pool(
            &ctx(),
            UpdateUserPoolRequest {
                user_pool_id: pool.clone(),
                deletion_protection: Some(DeletionProtectionType::Active),
                ..Default::default()
            },
        )
        .unwrap();
        svc.reset_pool(&pool).unwrap();

        assert_eq!(svc.store.ids(None), vec![other.clone()]);
        assert_eq!(svc.store.pool_of_client(&client), None);
        assert_eq!(svc.pool_of_domain(Some("us-east-1"), "erins-app"), None);
        assert!(svc.outbox().messages(|m| m.pool_id == pool).is_empty());
        assert_eq!(svc.outbox().messages(|m| m.pool_id == other).len(), 1);
        assert_eq!(svc.store.pool_of_client(&other_client), Some(other));
        // The domain is free for another pool.
        let (again, _) = signed_up(&svc, "erin");
        svc.create_user_pool_domain(
            &ctx(),
            CreateUserPoolDomainRequest {
                user_pool_id: again,
                domain: "erins-app".into(),
                ..Default::default()
            },
        )
        .unwrap();

        let e = svc.reset_pool(&pool).unwrap_err();
        assert_eq!(e.kind, ErrorKind::ResourceNotFoundException);
    }

    #[test]
    fn reset_forgets_everything() {
        let svc = service();
        let (pool, client) = signed_up(&svc, "dave");
        for i in 0..120 {
            create_pool(&svc, &format!("pool{i}"));
        }
        svc.reset();
        assert!(svc.outbox().messages(|_| true).is_empty());
        assert!(svc.store.ids(None).is_empty());
        let e = svc
            .describe_user_pool(&ctx(), DescribeUserPoolRequest { user_pool_id: pool })
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::ResourceNotFoundException);
        let e = svc
            .sign_up(
                &ctx(),
                SignUpRequest {
                    client_id: client,
                    username: "dave".into(),
                    password: Some("Passw0rd!".into()),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::ResourceNotFoundException);
        // The service works as new.
        signed_up(&svc, "dave");
    }
}
