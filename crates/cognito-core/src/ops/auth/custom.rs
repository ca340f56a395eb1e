//! `CUSTOM_AUTH`: a sign-in whose challenges the pool's functions decide.
//!
//! `DefineAuthChallenge` reads the answers so far (`session`) and decides: tokens, failure,
//! or the next challenge; `CreateAuthChallenge` makes a `CUSTOM_CHALLENGE` (parameters
//! shown to the client, parameters kept for the check); `VerifyAuthChallengeResponse`
//! checks the client's `ANSWER`. A client that starts with `SRP_A` proves the password
//! on the way (`SRP_A`, then `PASSWORD_VERIFIER`, in the session). Each function runs
//! without the pool's lock; the state between requests is a [`Challenge::Custom`] under
//! the sign-in's session, which expires and answers once like every other.

use cognito_model::shapes::*;
use cognito_model::CognitoError;
use serde_json::{json, Map, Value};

use super::{find_signing_in_user, param, required, Challenge, Outcome, Params, SignIn, SignInAs};
use crate::delivery::metadata;
use crate::errors::{incorrect, invalid_parameter};
use crate::lambda::Trigger;
use crate::state::sign_in::{ChallengeResult, CustomChallenge, CustomFlow};
use crate::store::ClientState;
use crate::triggers::{function_in, user_attributes, Event};
use crate::{Cognito, RequestContext};

/// How many challenges one custom sign-in may present before it fails.
const MAX_CHALLENGES: usize = 5;

impl Cognito {
    /// `CUSTOM_AUTH`: asks `DefineAuthChallenge` for the first step; with `SRP_A` the
    /// session starts with that answer. `InitiateAuth`'s `ClientMetadata` does not reach
    /// the challenge functions, as in Cognito; `RespondToAuthChallenge`'s does.
    pub(super) fn custom_auth(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        client_id: &str,
        params: &Params,
    ) -> Result<Outcome, CognitoError> {
        let username = required(params, "USERNAME")?;
        let (client, sign_in, name, user_not_found) = self.store.read(pool_id, |pool| {
            let client = pool.client(client_id)?.clone();
            client.check_secret_hash(username, param(params, "SECRET_HASH"))?;
            if function_in(pool, Trigger::DefineAuthChallenge).is_none() {
                return Err(invalid_parameter(
                    "Custom auth lambda trigger is not configured for the user pool.",
                ));
            }
            let (user_key, name, user_not_found) =
                match find_signing_in_user(pool, &client, username)? {
                    SignInAs::User(key) => {
                        let name = pool.users.get(&key).map(|u| u.username.clone());
                        (key, name.unwrap_or_else(|| username.to_owned()), false)
                    }
                    SignInAs::Unknown(key) => (key, username.to_owned(), true),
                };
            let sign_in = SignIn {
                user_key,
                client_id: client_id.to_owned(),
                device_key: param(params, "DEVICE_KEY").map(str::to_owned),
                methods: Default::default(),
                event_id: None,
                device_proven: false,
                new_password: false,
                custom: None,
                hosted: false,
            };
            Ok((client, sign_in, name, user_not_found))
        })?;
        let srp = param(params, "SRP_A").is_some();
        let flow = CustomFlow {
            sign_in,
            username: name,
            user_not_found,
            history: if srp {
                vec![ChallengeResult {
                    name: "SRP_A",
                    result: true,
                    metadata: None,
                }]
            } else {
                Vec::new()
            },
        };
        self.custom_step(ctx, pool_id, &client, flow, srp.then_some(params), None)
    }

    /// The answer to `PASSWORD_VERIFIER` inside a custom sign-in, right: the next step.
    pub(super) fn custom_password_proven(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        client: &ClientState,
        mut sign_in: SignIn,
        client_metadata: Option<&ClientMetadataType>,
    ) -> Result<Outcome, CognitoError> {
        let mut history = sign_in.custom.take().unwrap_or_default();
        history.push(ChallengeResult {
            name: "PASSWORD_VERIFIER",
            result: true,
            metadata: None,
        });
        let username = self.store.read(pool_id, |pool| {
            Ok(pool
                .users
                .get(&sign_in.user_key)
                .map(|u| u.username.clone())
                .unwrap_or_default())
        })?;
        let flow = CustomFlow {
            sign_in,
            username,
            user_not_found: false,
            history,
        };
        self.custom_step(ctx, pool_id, client, flow, None, client_metadata)
    }

    /// The answer to `CUSTOM_CHALLENGE`: `VerifyAuthChallengeResponse` judges it, then
    /// `DefineAuthChallenge` decides the next step.
    pub(super) fn answer_custom(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        client: &ClientState,
        challenge: CustomChallenge,
        responses: &Params,
        client_metadata: Option<&ClientMetadataType>,
    ) -> Result<Outcome, CognitoError> {
        let answer = required(responses, "ANSWER")?;
        let CustomChallenge {
            mut flow,
            private,
            metadata: challenge_metadata,
        } = challenge;
        let (arn, attributes) =
            self.custom_context(pool_id, &flow, Trigger::VerifyAuthChallengeResponse)?;
        let event = Event::new(
            Trigger::VerifyAuthChallengeResponse,
            "VerifyAuthChallengeResponse_Authentication",
            ctx,
            pool_id,
            &flow.username,
            Some(client.id()),
        )
        .request("userAttributes", attributes)
        .request("privateChallengeParameters", private)
        .request("challengeAnswer", answer)
        .request("clientMetadata", metadata(client_metadata))
        .request("userNotFound", flow.user_not_found)
        .response("answerCorrect", false);
        let response = self.invoke(&arn, &event, ctx.now)?;
        let correct = match response.get("answerCorrect") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(Trigger::VerifyAuthChallengeResponse
                    .invalid_response("answerCorrect is not a boolean"))
            }
        };
        flow.history.push(ChallengeResult {
            name: "CUSTOM_CHALLENGE",
            result: correct,
            metadata: challenge_metadata,
        });
        self.custom_step(ctx, pool_id, client, flow, None, client_metadata)
    }

    /// The function the pool names for `trigger` and the user's attributes (none for a
    /// user that does not exist).
    fn custom_context(
        &self,
        pool_id: &str,
        flow: &CustomFlow,
        trigger: Trigger,
    ) -> Result<(String, Map<String, Value>), CognitoError> {
        self.store.read(pool_id, |pool| {
            let arn = function_in(pool, trigger).ok_or_else(|| {
                invalid_parameter(format!(
                    "{} lambda trigger is not configured for the user pool.",
                    trigger.name()
                ))
            })?;
            let attributes = match flow.user_not_found {
                true => Map::new(),
                false => pool
                    .users
                    .get(&flow.sign_in.user_key)
                    .map(|u| user_attributes(u, true))
                    .ok_or_else(incorrect)?,
            };
            Ok((arn, attributes))
        })
    }

    /// Asks `DefineAuthChallenge` what follows `flow`'s answers, and takes that step.
    /// `srp` holds the parameters of an `InitiateAuth` that sent `SRP_A`.
    fn custom_step(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        client: &ClientState,
        flow: CustomFlow,
        srp: Option<&Params>,
        client_metadata: Option<&ClientMetadataType>,
    ) -> Result<Outcome, CognitoError> {
        let (arn, attributes) =
            self.custom_context(pool_id, &flow, Trigger::DefineAuthChallenge)?;
        let event = Event::new(
            Trigger::DefineAuthChallenge,
            "DefineAuthChallenge_Authentication",
            ctx,
            pool_id,
            &flow.username,
            Some(client.id()),
        )
        .request("userAttributes", attributes.clone())
        .request("session", session(&flow.history))
        .request("clientMetadata", metadata(client_metadata))
        .request("userNotFound", flow.user_not_found)
        .response("challengeName", Value::Null)
        .response("issueTokens", false)
        .response("failAuthentication", false);
        let decided = self.invoke(&arn, &event, ctx.now)?;
        let flag =
            |name: &str| match decided.get(name) {
                None | Some(Value::Null) => Ok(false),
                Some(Value::Bool(b)) => Ok(*b),
                Some(_) => Err(Trigger::DefineAuthChallenge
                    .invalid_response(&format!("{name} is not a boolean"))),
            };
        if flag("failAuthentication")? {
            return Err(incorrect());
        }
        if flag("issueTokens")? {
            if flow.user_not_found {
                return Err(incorrect());
            }
            return self.store.update(pool_id, |pool| {
                self.after_password(ctx, pool, client, flow.sign_in)
            });
        }
        match decided.get("challengeName").and_then(Value::as_str) {
            Some("PASSWORD_VERIFIER") => {
                let starts = matches!(flow.history.as_slice(), [only] if only.name == "SRP_A");
                match srp {
                    Some(params) if starts => {
                        self.start_srp(ctx, pool_id, client.id(), params, Some(flow.history))
                    }
                    _ => Err(Trigger::DefineAuthChallenge
                        .invalid_response("PASSWORD_VERIFIER follows only SRP_A")),
                }
            }
            Some("CUSTOM_CHALLENGE") => {
                self.create_challenge(ctx, pool_id, client, flow, attributes, client_metadata)
            }
            Some(other) => Err(Trigger::DefineAuthChallenge.invalid_response(&format!(
                "challengeName {other} is not a custom flow's challenge"
            ))),
            None => Err(Trigger::DefineAuthChallenge
                .invalid_response("neither a challenge, tokens nor failure")),
        }
    }

    /// Asks `CreateAuthChallenge` for a `CUSTOM_CHALLENGE` and presents it.
    fn create_challenge(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        client: &ClientState,
        flow: CustomFlow,
        attributes: Map<String, Value>,
        client_metadata: Option<&ClientMetadataType>,
    ) -> Result<Outcome, CognitoError> {
        let presented = flow
            .history
            .iter()
            .filter(|r| r.name == "CUSTOM_CHALLENGE")
            .count();
        if presented >= MAX_CHALLENGES {
            return Err(incorrect());
        }
        let (arn, _) = self.custom_context(pool_id, &flow, Trigger::CreateAuthChallenge)?;
        let event = Event::new(
            Trigger::CreateAuthChallenge,
            "CreateAuthChallenge_Authentication",
            ctx,
            pool_id,
            &flow.username,
            Some(client.id()),
        )
        .request("userAttributes", attributes)
        .request("challengeName", "CUSTOM_CHALLENGE")
        .request("session", session(&flow.history))
        .request("clientMetadata", metadata(client_metadata))
        .request("userNotFound", flow.user_not_found)
        .response("publicChallengeParameters", json!({}))
        .response("privateChallengeParameters", json!({}))
        .response("challengeMetadata", Value::Null);
        let made = self.invoke(&arn, &event, ctx.now)?;
        let invalid = |why: &str| Trigger::CreateAuthChallenge.invalid_response(why);
        let object = |name: &str| match made.get(name) {
            None | Some(Value::Null) => Ok(Map::new()),
            Some(Value::Object(o)) => Ok(o.clone()),
            Some(_) => Err(invalid(&format!("{name} is not an object"))),
        };
        let public = object("publicChallengeParameters")?;
        let private = object("privateChallengeParameters")?;
        let challenge_metadata = match made.get("challengeMetadata") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(invalid("challengeMetadata is not a string")),
        };
        let mut parameters = ChallengeParametersType::new();
        for (name, value) in public {
            let text = match value {
                Value::String(s) => s,
                other => other.to_string(),
            };
            parameters.insert(name, text);
        }
        parameters
            .entry("USERNAME".into())
            .or_insert_with(|| flow.username.clone());
        let challenge = Challenge::Custom(Box::new(CustomChallenge {
            flow,
            private,
            metadata: challenge_metadata,
        }));
        let session = self.store.update(pool_id, |pool| {
            Ok(self.open_session(ctx, pool, client, challenge))
        })?;
        Ok(Outcome::challenge(
            ChallengeNameType::CustomChallenge,
            parameters,
            session,
        ))
    }
}

/// The answers so far, as the functions' `session`.
fn session(history: &[ChallengeResult]) -> Value {
    Value::Array(
        history
            .iter()
            .map(|r| {
                json!({
                    "challengeName": r.name,
                    "challengeResult": r.result,
                    "challengeMetadata": r.metadata,
                })
            })
            .collect(),
    )
}
