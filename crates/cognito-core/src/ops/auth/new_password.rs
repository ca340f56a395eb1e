//! `NEW_PASSWORD_REQUIRED`: a user signed in with a temporary password chooses its own,
//! and gives the required attributes it lacks.

use cognito_model::shapes::*;
use cognito_model::CognitoError;

use super::{not_authorized, required, Challenge, Outcome, Params, SignIn};
use crate::errors::invalid_parameter;
use crate::ops::users::rules::{check_attributes, check_password as check_policy, AttributeWrite};
use crate::ops::users::user_not_found;
use crate::store::{ClientState, PoolState};
use crate::{Cognito, RequestContext};

impl Cognito {
    /// The challenge a user with a temporary password gets: its attributes, and the
    /// required ones it still lacks.
    pub(super) fn new_password_challenge(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        client: &ClientState,
        sign_in: SignIn,
    ) -> Result<Outcome, CognitoError> {
        let user = pool
            .users
            .get(&sign_in.user_key)
            .ok_or_else(user_not_found)?;
        if user
            .temporary_password_expires
            .is_some_and(|e| e <= ctx.now)
        {
            return Err(not_authorized(
                "Temporary password has expired and must be reset by an administrator.",
            ));
        }
        let mut attributes = serde_json::Map::new();
        for (name, value) in &user.attributes {
            attributes.insert(name.to_owned(), serde_json::Value::from(value));
        }
        let schema = pool.config.schema_attributes.as_deref().unwrap_or_default();
        let required: Vec<String> = schema
            .iter()
            .filter(|a| a.required == Some(true))
            .filter_map(|a| a.name.as_deref())
            .filter(|n| *n != "sub" && !user.attributes.contains_key(n))
            .map(|n| format!("userAttributes.{n}"))
            .collect();
        let mut parameters = ChallengeParametersType::new();
        parameters.insert("USER_ID_FOR_SRP".into(), user.username.clone());
        parameters.insert(
            "requiredAttributes".into(),
            serde_json::Value::from(required).to_string(),
        );
        parameters.insert(
            "userAttributes".into(),
            serde_json::Value::Object(attributes).to_string(),
        );
        let session = self.open_session(
            ctx,
            pool,
            client,
            Challenge::NewPasswordRequired { sign_in },
        );
        Ok(Outcome::challenge(
            ChallengeNameType::NewPasswordRequired,
            parameters,
            session,
        ))
    }

    /// The answer: the new password and attributes are checked first, then the user is
    /// changed in one step and signed in. A refused answer changes nothing.
    pub(super) fn answer_new_password(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        client: &ClientState,
        sign_in: SignIn,
        responses: &Params,
    ) -> Result<Outcome, CognitoError> {
        let user_key = sign_in.user_key.as_str();
        let password = required(responses, "NEW_PASSWORD")?;
        check_policy(&pool.password_policy(), password)?;
        self.check_compromised(
            pool,
            Some(client.id()),
            EventFilterType::PasswordChange,
            password,
        )?;
        let attributes: Vec<AttributeType> = responses
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix("userAttributes.").map(|name| AttributeType {
                    name: name.to_string(),
                    value: Some(v.clone()),
                })
            })
            .collect();
        let mut attrs = check_attributes(&pool.config, &attributes, AttributeWrite::Update)?;
        let user = pool.users.get(user_key).ok_or_else(user_not_found)?;
        let missing = pool
            .config
            .schema_attributes
            .iter()
            .flatten()
            .filter(|a| a.required == Some(true))
            .filter_map(|a| a.name.as_deref())
            .find(|n| {
                *n != "sub"
                    && !user.attributes.contains_key(n)
                    && !attrs.iter().any(|(name, _)| name == n)
            });
        if let Some(name) = missing {
            return Err(invalid_parameter(format!(
                "Invalid attributes given, {name} is missing"
            )));
        }
        let username = user.username.clone();
        let verified = |attr: &str| {
            attrs
                .iter()
                .any(|(n, v)| *n == format!("{attr}_verified") && v == "true")
        };
        pool.claim_aliases(user_key, &attrs, verified, false)?;
        pool.fold_aliases(&mut attrs);
        let hash = self.hash_password(pool, &username, password);
        pool.users.update(user_key, |u| {
            u.set_password(hash);
            u.status = UserStatusType::Confirmed;
            u.temporary_password_expires = None;
            u.attributes.extend(attrs);
            u.modified = ctx.now;
        });
        let sign_in = SignIn {
            new_password: true,
            ..sign_in
        };
        self.after_password(ctx, pool, client, sign_in)
    }
}
