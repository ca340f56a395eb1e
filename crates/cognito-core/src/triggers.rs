//! Lambda triggers: the pool's `LambdaConfig` names a function for each trigger, and the
//! service calls it with Cognito's event at the points Cognito does (see
//! [`crate::lambda`] for what runs functions and how failures read).
//!
//! Every invocation happens without any lock held: an operation reads what the event
//! needs, invokes, then commits what the response decides, re-checking what may have
//! changed meanwhile. A configured trigger is never skipped. Each invocation is recorded
//! for the test API.

mod events;

use cognito_model::{CognitoError, Timestamp};
use serde_json::{Map, Value};

use crate::lambda::{Invocation, Trigger};
pub use events::caller_sdk_version;
pub(crate) use events::{user_attributes, Event};

impl crate::Cognito {
    /// The function pool `pool_id` names for `trigger`, if any. Free when no pool names
    /// any function.
    pub(crate) fn function_of(&self, pool_id: &str, trigger: Trigger) -> Option<String> {
        if !self.names_functions() {
            return None;
        }
        self.store
            .read(pool_id, |pool| Ok(function_in(pool, trigger)))
            .ok()
            .flatten()
    }

    /// Runs `event` through function `arn` and answers the `response` object of the
    /// function's result. Records the invocation either way.
    ///
    /// Never call with a lock held.
    pub(crate) fn invoke(
        &self,
        arn: &str,
        event: &Event,
        now: Timestamp,
    ) -> Result<Map<String, Value>, CognitoError> {
        self.invoke_checked(arn, event, now, |_| Ok(None))
    }

    /// [`Cognito::invoke`], with the response read by `check` before the invocation is
    /// recorded: its error is the invocation's, and what it answers is recorded beside the
    /// response (e.g. the claims a token function changes).
    pub(crate) fn invoke_checked(
        &self,
        arn: &str,
        event: &Event,
        now: Timestamp,
        check: impl FnOnce(&Map<String, Value>) -> Result<Option<Value>, CognitoError>,
    ) -> Result<Map<String, Value>, CognitoError> {
        let trigger = event.trigger;
        let payload = event.to_value();
        let invoked = self
            .functions
            .lambda
            .invoke(arn, payload.to_string().as_bytes());
        let mut record = Invocation {
            pool_id: event.user_pool_id.clone(),
            trigger,
            trigger_source: event.trigger_source.clone(),
            function_arn: arn.to_owned(),
            user_name: event.user_name.clone(),
            event: payload,
            response: None,
            error: None,
            micros: invoked.micros,
            at: now,
            summary: None,
        };
        let outcome = match invoked.result {
            Err(e) => Err(trigger.failure(&e)),
            Ok(bytes) => read_response(trigger, &bytes),
        };
        let outcome = outcome.and_then(|response| {
            record.response = Some(Value::Object(response.clone()));
            record.summary = check(&response)?;
            Ok(response)
        });
        if let Err(e) = &outcome {
            record.error = Some(e.to_string());
        }
        self.store.invocations().record(record);
        outcome
    }
}

/// The function `pool` names for `trigger`, if any.
pub(crate) fn function_in(pool: &crate::store::PoolState, trigger: Trigger) -> Option<String> {
    pool.config
        .lambda_config
        .as_ref()
        .and_then(|c| trigger.arn(c))
        .map(str::to_owned)
}

/// The `response` of a function's result: the result must be the event, a JSON object,
/// whose `response` is an object (or null or absent, which reads as empty).
fn read_response(trigger: Trigger, bytes: &[u8]) -> Result<Map<String, Value>, CognitoError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|_| trigger.invalid_response("the result is not JSON"))?;
    let Value::Object(mut event) = value else {
        return Err(trigger.invalid_response("the result is not the event object"));
    };
    match event.remove("response") {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(response)) => Ok(response),
        Some(_) => Err(trigger.invalid_response("`response` is not an object")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cognito_model::shapes::{CreateUserPoolRequest, LambdaConfigType};
    use cognito_model::Operation;

    #[test]
    fn operations_leave_the_workers_once_a_pool_names_a_function() {
        let svc = crate::testing::service();
        crate::testing::create_pool(&svc, "plain");
        assert!(!svc.may_invoke_functions(Operation::SignUp));
        svc.create_user_pool(
            &crate::testing::ctx(),
            CreateUserPoolRequest {
                pool_name: "with".into(),
                lambda_config: Some(LambdaConfigType {
                    pre_sign_up: Some("arn:aws:lambda:us-east-1:123456789012:function:f".into()),
                    ..Default::default()
                }),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(svc.may_invoke_functions(Operation::SignUp));
        assert!(svc.may_invoke_functions(Operation::RespondToAuthChallenge));
        assert!(!svc.may_invoke_functions(Operation::AdminGetUser));
    }
    use cognito_model::ErrorKind;

    #[test]
    fn reads_the_response_of_the_returned_event() {
        let r = read_response(
            Trigger::PreSignUp,
            br#"{"response":{"autoConfirmUser":true}}"#,
        )
        .unwrap();
        assert_eq!(r["autoConfirmUser"], Value::Bool(true));
        assert!(read_response(Trigger::PreSignUp, br#"{"response":null}"#)
            .unwrap()
            .is_empty());
        for bad in [&b"nope"[..], b"[]", br#"{"response":3}"#] {
            let e = read_response(Trigger::PreSignUp, bad).unwrap_err();
            assert_eq!(e.kind, ErrorKind::InvalidLambdaResponseException);
        }
    }
}
