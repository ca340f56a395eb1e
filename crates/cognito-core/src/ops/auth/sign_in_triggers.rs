//! The triggers of a sign-in's start: `UserMigration`, which brings a user the pool does
//! not know from elsewhere (on sign-in with a password, and on `ForgotPassword`), and
//! `PreAuthentication`, which may refuse a sign-in before it is checked.

use cognito_model::shapes::*;
use cognito_model::CognitoError;
use serde_json::{Map, Value};

use crate::delivery::metadata;
use crate::lambda::Trigger;
use crate::ops::users::rules::{check_attributes, AttributeWrite};
use crate::ops::users::User;
use crate::triggers::{function_in, user_attributes, Event};
use crate::{ids, Cognito, RequestContext};

/// Why a user is migrated, as migration events name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Migration<'a> {
    /// A sign-in with this password.
    Authentication(&'a str),
    /// `ForgotPassword`.
    ForgotPassword,
}

impl Cognito {
    /// What runs before a sign-in of `username` through `client_id` is checked: an
    /// unknown user signing in with a `password` is migrated when the pool names a
    /// `UserMigration` function, then the pool's `PreAuthentication` function, if any,
    /// may refuse the sign-in.
    pub(crate) fn before_sign_in(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        client_id: &str,
        username: &str,
        password: Option<&str>,
        client_metadata: Option<&ClientMetadataType>,
    ) -> Result<(), CognitoError> {
        if !self.names_functions() {
            return Ok(());
        }
        let (known, migrate, pre_auth, hides) = self.store.read(pool_id, |pool| {
            let client = pool.client(client_id)?;
            let known = pool.find_user(username).is_some();
            Ok((
                known,
                function_in(pool, Trigger::UserMigration),
                function_in(pool, Trigger::PreAuthentication),
                client.prevents_user_existence_errors(),
            ))
        })?;
        let mut found = known;
        if let (false, Some(arn), Some(password)) = (known, &migrate, password) {
            found = self.migrate_user(
                ctx,
                pool_id,
                client_id,
                (arn, username),
                Migration::Authentication(password),
                client_metadata,
            )?;
        }
        let Some(arn) = pre_auth else {
            return Ok(());
        };
        if !found && !hides {
            // The sign-in answers that the user does not exist.
            return Ok(());
        }
        let (name, attributes) = self
            .store
            .read(pool_id, |pool| {
                Ok(pool
                    .find_user(username)
                    .and_then(|k| pool.users.get(&k))
                    .map(|u| (u.username.clone(), user_attributes(u, true))))
            })?
            .unwrap_or_else(|| (username.to_owned(), Map::new()));
        let event = Event::new(
            Trigger::PreAuthentication,
            "PreAuthentication_Authentication",
            ctx,
            pool_id,
            &name,
            Some(client_id),
        )
        .request("userAttributes", attributes)
        .request("userNotFound", !found)
        .request("validationData", metadata(client_metadata));
        self.invoke(&arn, &event, ctx.now).map(drop)
    }

    /// Runs the `UserMigration` function `arn` for `username`, whom the pool does not
    /// know, and creates the user it describes. Answers whether the user exists now. A
    /// function that fails (the user is not known elsewhere either, or the password is
    /// wrong) fails the operation with its error, as every trigger's.
    pub(crate) fn migrate_user(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        client_id: &str,
        (arn, username): (&str, &str),
        why: Migration<'_>,
        client_metadata: Option<&ClientMetadataType>,
    ) -> Result<bool, CognitoError> {
        let source = match why {
            Migration::Authentication(_) => "UserMigration_Authentication",
            Migration::ForgotPassword => "UserMigration_ForgotPassword",
        };
        let mut event = Event::new(
            Trigger::UserMigration,
            source,
            ctx,
            pool_id,
            username,
            Some(client_id),
        );
        if let Migration::Authentication(password) = why {
            event = event.request("password", password);
        }
        let event = event
            .request("validationData", metadata(client_metadata))
            .request("clientMetadata", metadata(client_metadata))
            .response("userAttributes", Value::Null)
            .response("finalUserStatus", Value::Null)
            .response("messageAction", Value::Null)
            .response("desiredDeliveryMediums", Value::Null)
            .response("forceAliasCreation", Value::Null)
            .response("enableSMSMFA", Value::Null);
        let response = self.invoke(arn, &event, ctx.now)?;
        let migrated = Migrated::read(&response, why)?;
        self.store.update(pool_id, |pool| {
            if pool.find_user(username).is_some() {
                // Created meanwhile.
                return Ok(true);
            }
            let attrs =
                check_attributes(&pool.config, &migrated.attributes, AttributeWrite::Create)?;
            let sub = ids::uuid_v4(&*self.random);
            let (name, mut attrs) = self.username_for(pool, username, &sub, attrs)?;
            let key = pool.user_key(&name);
            let verified = |attr: &str| {
                attrs
                    .iter()
                    .any(|(n, v)| *n == format!("{attr}_verified") && v == "true")
            };
            pool.claim_aliases(&key, &attrs, verified, migrated.force_alias_creation)?;
            pool.fold_aliases(&mut attrs);
            let mut user = User::new(
                name,
                sub,
                attrs.into_iter().collect(),
                migrated.status,
                ctx.now,
            );
            if let Migration::Authentication(password) = why {
                user.set_password(self.hash_password(pool, &user.username, password));
            }
            pool.users.insert(key, user);
            Ok(true)
        })
    }
}

/// What a migration function answered.
struct Migrated {
    attributes: Vec<AttributeType>,
    status: UserStatusType,
    force_alias_creation: bool,
}

impl Migrated {
    fn read(response: &Map<String, Value>, why: Migration<'_>) -> Result<Self, CognitoError> {
        let invalid = |why: &str| Trigger::UserMigration.invalid_response(why);
        let attributes = match response.get("userAttributes") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Object(map)) => map
                .iter()
                .map(|(name, value)| {
                    let value = match value {
                        Value::String(s) => s.clone(),
                        Value::Bool(b) => b.to_string(),
                        Value::Number(n) => n.to_string(),
                        _ => return Err(invalid("userAttributes holds a value that is not text")),
                    };
                    Ok(AttributeType {
                        name: name.clone(),
                        value: Some(value),
                    })
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(invalid("userAttributes is not an object")),
        };
        let status = match response.get("finalUserStatus").and_then(Value::as_str) {
            Some("CONFIRMED") => UserStatusType::Confirmed,
            Some("RESET_REQUIRED") => UserStatusType::ResetRequired,
            Some(other) => {
                return Err(invalid(&format!(
                    "finalUserStatus {other} is not CONFIRMED or RESET_REQUIRED"
                )))
            }
            // A user migrated on sign-in proved the password; one migrated to reset it has
            // none yet.
            None => match why {
                Migration::Authentication(_) => UserStatusType::Confirmed,
                Migration::ForgotPassword => UserStatusType::ResetRequired,
            },
        };
        match response.get("messageAction").and_then(Value::as_str) {
            None | Some("SUPPRESS" | "RESEND") => {}
            Some(other) => {
                return Err(invalid(&format!(
                    "messageAction {other} is not SUPPRESS or RESEND"
                )))
            }
        }
        let force_alias_creation = response
            .get("forceAliasCreation")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        Ok(Migrated {
            attributes,
            status,
            force_alias_creation,
        })
    }
}
