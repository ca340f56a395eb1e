//! The triggers of a user's creation and confirmation: `PreSignUp` (`SignUp`,
//! `AdminCreateUser`; later federated sign-ins) and `PostConfirmation`
//! (`ConfirmSignUp`, `AdminConfirmSignUp`, `ConfirmForgotPassword`, and sign-ups a
//! `PreSignUp` confirms).

use cognito_model::shapes::{AttributeType, ClientMetadataType};
use cognito_model::CognitoError;
use serde_json::{Map, Value};

use crate::delivery::metadata;
use crate::lambda::Trigger;
use crate::state::users::User;
use crate::triggers::{function_in, user_attributes, Event};
use crate::{Cognito, RequestContext};

/// What a `PreSignUp` function decided for a sign-up.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PreSignUp {
    pub(crate) confirm: bool,
    pub(crate) verify_email: bool,
    pub(crate) verify_phone: bool,
}

/// A request's attributes as `userAttributes`, or `validationData`, of an event.
pub(crate) fn attribute_map(attributes: Option<&[AttributeType]>) -> Map<String, Value> {
    attributes
        .unwrap_or_default()
        .iter()
        .map(|a| {
            (
                a.name.clone(),
                Value::from(a.value.clone().unwrap_or_default()),
            )
        })
        .collect()
}

/// The parts of a user's creation its `PreSignUp` event carries.
pub(crate) struct SigningUp<'a> {
    pub(crate) source: &'static str,
    /// The username asked for.
    pub(crate) username: &'a str,
    /// The `sub` the user will have: its username in pools that sign in by email or
    /// phone number.
    pub(crate) sub: &'a str,
    pub(crate) client_id: Option<&'a str>,
    pub(crate) attributes: Option<&'a [AttributeType]>,
    pub(crate) validation_data: Option<&'a [AttributeType]>,
    pub(crate) client_metadata: Option<&'a ClientMetadataType>,
}

impl Cognito {
    /// Runs pool `pool_id`'s `PreSignUp` function, if it names one, on a user about to be
    /// created. Its error refuses the creation.
    pub(crate) fn pre_sign_up(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        up: SigningUp<'_>,
    ) -> Result<PreSignUp, CognitoError> {
        if !self.names_functions() {
            return Ok(PreSignUp::default());
        }
        let (arn, by_attribute) = self.store.read(pool_id, |pool| {
            let by_attribute =
                pool.username_attribute("email") || pool.username_attribute("phone_number");
            Ok((function_in(pool, Trigger::PreSignUp), by_attribute))
        })?;
        let Some(arn) = arn else {
            return Ok(PreSignUp::default());
        };
        let user_name = if by_attribute { up.sub } else { up.username };
        let validation = match up.validation_data {
            Some(data) => Value::Object(attribute_map(Some(data))),
            None => Value::Null,
        };
        let event = Event::new(
            Trigger::PreSignUp,
            up.source,
            ctx,
            pool_id,
            user_name,
            up.client_id,
        )
        .request("userAttributes", attribute_map(up.attributes))
        .request("validationData", validation)
        .request("clientMetadata", metadata(up.client_metadata))
        .response("autoConfirmUser", false)
        .response("autoVerifyEmail", false)
        .response("autoVerifyPhone", false);
        let response = self.invoke(&arn, &event, ctx.now)?;
        let flag = |name: &str| match response.get(name) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => {
                Err(Trigger::PreSignUp.invalid_response(&format!("{name} is not a boolean")))
            }
        };
        let decided = PreSignUp {
            confirm: flag("autoConfirmUser")?,
            verify_email: flag("autoVerifyEmail")?,
            verify_phone: flag("autoVerifyPhone")?,
        };
        Ok(decided)
    }

    /// Runs pool `pool_id`'s `PostConfirmation` function, if it names one, on `user`, just
    /// confirmed (`source` `PostConfirmation_ConfirmSignUp`) or whose password was just
    /// reset (`PostConfirmation_ConfirmForgotPassword`).
    pub(crate) fn post_confirmation(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        user: &User,
        source: &'static str,
        client_id: Option<&str>,
        client_metadata: Option<&ClientMetadataType>,
    ) -> Result<(), CognitoError> {
        let Some(arn) = self.function_of(pool_id, Trigger::PostConfirmation) else {
            return Ok(());
        };
        let event = Event::new(
            Trigger::PostConfirmation,
            source,
            ctx,
            pool_id,
            &user.username,
            client_id,
        )
        .request("userAttributes", user_attributes(user, true))
        .request("clientMetadata", metadata(client_metadata));
        self.invoke(&arn, &event, ctx.now).map(drop)
    }
}
