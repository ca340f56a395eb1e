//! What runs Lambda functions, as the embedder provides it: [`Lambda`] runs a function,
//! [`CodeEncryption`] seals the codes custom sender triggers receive. Also the triggers a
//! pool's `LambdaConfig` names ([`Trigger`]), the errors their failures become, and the
//! record of invocations the test API lists ([`InvocationLog`]).
//!
//! How a function is run is the embedder's: the server runs functions through a Lambda
//! Invoke API, a local command or an HTTP URL; tests and embedders may answer in process.
//! Failures map to Cognito's errors ([`Trigger::failure`]): a function's own error is
//! `UserLambdaValidationException` ("<Trigger> failed with error <message>."), an answer
//! that is no event is `InvalidLambdaResponseException`, a function that cannot be
//! reached or does not answer in time `UnexpectedLambdaException`.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use cognito_model::shapes::LambdaConfigType;
use cognito_model::{CognitoError, ErrorKind, Timestamp};
use parking_lot::RwLock;
use serde_json::Value;

/// What runs a pool's Lambda functions.
///
/// Called from the thread that runs the request, never under a lock; an implementation
/// may block until the function answers or its time is up (Cognito waits 5 seconds).
pub trait Lambda: Send + Sync {
    /// Runs function `function_arn` with `event`, a JSON document, and answers its JSON
    /// result and how long the run took.
    fn invoke(&self, function_arn: &str, event: &[u8]) -> Invoked;
}

/// The result of one run of a function.
#[derive(Debug)]
pub struct Invoked {
    /// The function's JSON result, or why there is none.
    pub result: Result<Vec<u8>, LambdaError>,
    /// How long the run took, in microseconds.
    pub micros: u64,
}

/// Why a function gave no result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LambdaError {
    /// The function ran and failed (it threw, or its process exited non-zero), with its
    /// error message.
    Function(String),
    /// The function did not answer in time.
    Timeout,
    /// The function could not be run: nothing runs it, it does not exist, or its runner
    /// is unreachable.
    Unreachable(String),
}

/// The [`Lambda`] of a service that runs no functions: every configured trigger fails
/// with `UnexpectedLambdaException`, as in Cognito when a function cannot be invoked.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoLambda;

impl Lambda for NoLambda {
    fn invoke(&self, function_arn: &str, _event: &[u8]) -> Invoked {
        Invoked {
            result: Err(LambdaError::Unreachable(format!(
                "no runner is configured for function {function_arn}"
            ))),
            micros: 0,
        }
    }
}

/// Encrypts the codes and temporary passwords handed to custom sender triggers, as
/// Cognito does with the AWS Encryption SDK and the pool's KMS key.
pub trait CodeEncryption: Send + Sync {
    /// The encrypted form of `code` (base64 of an AWS Encryption SDK message) under KMS key
    /// `key_id`, with the encryption context `context`; or why it cannot be made.
    fn encrypt(&self, key_id: &str, code: &str, context: &[(&str, &str)])
        -> Result<String, String>;
}

/// The [`CodeEncryption`] of a service with no KMS: the code is handed over as it is.
#[derive(Debug, Default, Clone, Copy)]
pub struct PlaintextCodes;

impl CodeEncryption for PlaintextCodes {
    fn encrypt(
        &self,
        _key_id: &str,
        code: &str,
        _context: &[(&str, &str)],
    ) -> Result<String, String> {
        Ok(code.to_owned())
    }
}

/// What runs functions and seals codes, as the service holds them.
#[derive(Clone)]
pub(crate) struct Functions {
    pub(crate) lambda: Arc<dyn Lambda>,
    pub(crate) encryption: Arc<dyn CodeEncryption>,
}

impl Default for Functions {
    fn default() -> Self {
        Functions {
            lambda: Arc::new(NoLambda),
            encryption: Arc::new(PlaintextCodes),
        }
    }
}

/// A trigger of the pool's `LambdaConfig`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Trigger {
    /// Before a user is created (`SignUp`, `AdminCreateUser`, a federated sign-in).
    PreSignUp,
    /// After a user is confirmed, or resets a forgotten password.
    PostConfirmation,
    /// Before a sign-in is checked.
    PreAuthentication,
    /// After a sign-in succeeds.
    PostAuthentication,
    /// When an unknown user signs in or forgets a password.
    UserMigration,
    /// Before a message goes to a user, to reword it.
    CustomMessage,
    /// Before tokens are signed, to change their claims.
    PreTokenGeneration,
    /// `CUSTOM_AUTH`: decides the next challenge.
    DefineAuthChallenge,
    /// `CUSTOM_AUTH`: makes a custom challenge.
    CreateAuthChallenge,
    /// `CUSTOM_AUTH`: checks an answer.
    VerifyAuthChallengeResponse,
    /// Sends email messages in place of the service.
    CustomEmailSender,
    /// Sends SMS messages in place of the service.
    CustomSmsSender,
    /// When a federated user signs in, to change the attributes from their provider.
    InboundFederation,
}

impl Trigger {
    /// Every trigger.
    pub const ALL: &'static [Trigger] = &[
        Trigger::PreSignUp,
        Trigger::PostConfirmation,
        Trigger::PreAuthentication,
        Trigger::PostAuthentication,
        Trigger::UserMigration,
        Trigger::CustomMessage,
        Trigger::PreTokenGeneration,
        Trigger::DefineAuthChallenge,
        Trigger::CreateAuthChallenge,
        Trigger::VerifyAuthChallengeResponse,
        Trigger::CustomEmailSender,
        Trigger::CustomSmsSender,
        Trigger::InboundFederation,
    ];

    /// The trigger's name in `LambdaConfig` and in Cognito's error messages.
    pub fn name(self) -> &'static str {
        match self {
            Trigger::PreSignUp => "PreSignUp",
            Trigger::PostConfirmation => "PostConfirmation",
            Trigger::PreAuthentication => "PreAuthentication",
            Trigger::PostAuthentication => "PostAuthentication",
            Trigger::UserMigration => "UserMigration",
            Trigger::CustomMessage => "CustomMessage",
            Trigger::PreTokenGeneration => "PreTokenGeneration",
            Trigger::DefineAuthChallenge => "DefineAuthChallenge",
            Trigger::CreateAuthChallenge => "CreateAuthChallenge",
            Trigger::VerifyAuthChallengeResponse => "VerifyAuthChallengeResponse",
            Trigger::CustomEmailSender => "CustomEmailSender",
            Trigger::CustomSmsSender => "CustomSMSSender",
            Trigger::InboundFederation => "InboundFederation",
        }
    }

    /// The trigger named `name` ([`Trigger::name`]), in any case.
    pub fn named(name: &str) -> Option<Trigger> {
        Trigger::ALL
            .iter()
            .copied()
            .find(|t| t.name().eq_ignore_ascii_case(name))
    }

    /// The ARN of the function `config` names for this trigger. `PreTokenGeneration`
    /// prefers `PreTokenGenerationConfig` to the older field, as Cognito does.
    pub fn arn(self, config: &LambdaConfigType) -> Option<&str> {
        let arn = match self {
            Trigger::PreSignUp => config.pre_sign_up.as_deref(),
            Trigger::PostConfirmation => config.post_confirmation.as_deref(),
            Trigger::PreAuthentication => config.pre_authentication.as_deref(),
            Trigger::PostAuthentication => config.post_authentication.as_deref(),
            Trigger::UserMigration => config.user_migration.as_deref(),
            Trigger::CustomMessage => config.custom_message.as_deref(),
            Trigger::PreTokenGeneration => config
                .pre_token_generation_config
                .as_ref()
                .map(|c| c.lambda_arn.as_str())
                .or(config.pre_token_generation.as_deref()),
            Trigger::DefineAuthChallenge => config.define_auth_challenge.as_deref(),
            Trigger::CreateAuthChallenge => config.create_auth_challenge.as_deref(),
            Trigger::VerifyAuthChallengeResponse => {
                config.verify_auth_challenge_response.as_deref()
            }
            Trigger::CustomEmailSender => config
                .custom_email_sender
                .as_ref()
                .map(|c| c.lambda_arn.as_str()),
            Trigger::CustomSmsSender => config
                .custom_sms_sender
                .as_ref()
                .map(|c| c.lambda_arn.as_str()),
            Trigger::InboundFederation => config
                .inbound_federation
                .as_ref()
                .map(|c| c.lambda_arn.as_str()),
        };
        arn.filter(|a| !a.is_empty())
    }

    /// The error an operation answers when this trigger's function fails with `error`.
    pub fn failure(self, error: &LambdaError) -> CognitoError {
        match error {
            LambdaError::Function(message) => CognitoError::new(
                ErrorKind::UserLambdaValidationException,
                format!("{} failed with error {}.", self.name(), message),
            ),
            LambdaError::Timeout => CognitoError::new(
                ErrorKind::UnexpectedLambdaException,
                format!(
                    "{} invocation failed due to error Socket timeout while invoking Lambda function.",
                    self.name()
                ),
            ),
            LambdaError::Unreachable(reason) => CognitoError::new(
                ErrorKind::UnexpectedLambdaException,
                format!("{} invocation failed due to error {}.", self.name(), reason),
            ),
        }
    }

    /// The error an operation answers when this trigger's function answers something
    /// Cognito cannot read.
    pub fn invalid_response(self, why: &str) -> CognitoError {
        let _ = self;
        CognitoError::new(
            ErrorKind::InvalidLambdaResponseException,
            format!("Unrecognizable lambda output: {why}"),
        )
    }
}

/// One invocation of a trigger's function.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// The pool whose trigger ran.
    pub pool_id: String,
    /// The trigger.
    pub trigger: Trigger,
    /// The event's `triggerSource`.
    pub trigger_source: String,
    /// The function run.
    pub function_arn: String,
    /// The event's `userName`.
    pub user_name: String,
    /// The event as sent. Codes in custom sender events are as sent, encrypted when a
    /// KMS is configured.
    pub event: Value,
    /// The `response` the function returned, when it answered one.
    pub response: Option<Value>,
    /// The error the operation answered because of this invocation.
    pub error: Option<String>,
    /// How long the function took, in microseconds.
    pub micros: u64,
    /// When the operation that invoked it arrived.
    pub at: Timestamp,
    /// What the operation made of the response, for triggers whose response is worth
    /// reading pre-parsed (token generation: the claims and scopes changed).
    pub summary: Option<Value>,
}

/// Invocations kept in memory, oldest first, at most a limit per pool.
pub struct InvocationLog {
    limit: usize,
    inner: RwLock<Inner>,
}

#[derive(Default)]
struct Inner {
    next: u64,
    by_pool: HashMap<String, VecDeque<(u64, Invocation)>>,
}

impl InvocationLog {
    /// An empty log keeping at most `limit` invocations per pool (at least one).
    pub fn with_limit(limit: usize) -> Self {
        InvocationLog {
            limit: limit.max(1),
            inner: RwLock::default(),
        }
    }

    /// Records `invocation`, dropping its pool's oldest when the pool is at the limit.
    pub fn record(&self, invocation: Invocation) {
        let mut inner = self.inner.write();
        let n = inner.next;
        inner.next += 1;
        let queue = inner.by_pool.entry(invocation.pool_id.clone()).or_default();
        if queue.len() >= self.limit {
            queue.pop_front();
        }
        queue.push_back((n, invocation));
    }

    /// The invocations `keep` accepts, oldest first.
    pub fn list(&self, keep: impl Fn(&Invocation) -> bool) -> Vec<Invocation> {
        let inner = self.inner.read();
        let mut found: Vec<&(u64, Invocation)> = inner
            .by_pool
            .values()
            .flatten()
            .filter(|(_, i)| keep(i))
            .collect();
        found.sort_by_key(|(n, _)| *n);
        found.into_iter().map(|(_, i)| i.clone()).collect()
    }

    /// Up to `limit` of the invocations `keep` accepts, oldest first, starting after the
    /// one numbered `after`: one page of [`InvocationLog::list`].
    pub fn page(
        &self,
        keep: impl Fn(&Invocation) -> bool,
        after: Option<u64>,
        limit: usize,
    ) -> crate::messages::Page<Invocation> {
        let inner = self.inner.read();
        let (found, next) = crate::messages::page(
            inner.by_pool.values(),
            |(n, _)| *n,
            after,
            limit,
            |(_, i)| keep(i),
        );
        crate::messages::Page {
            items: found.into_iter().map(|(_, i)| i.clone()).collect(),
            next,
        }
    }

    /// Forgets the invocations of a deleted pool.
    pub fn forget_pool(&self, pool_id: &str) {
        self.inner.write().by_pool.remove(pool_id);
    }

    /// Forgets every invocation.
    pub fn clear(&self) {
        *self.inner.write() = Inner::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn failures_word_errors_as_cognito() {
        let e = Trigger::PreSignUp.failure(&LambdaError::Function("no sign-ups today".into()));
        assert_eq!(e.kind, ErrorKind::UserLambdaValidationException);
        assert_eq!(e.message, "PreSignUp failed with error no sign-ups today.");
        let e = Trigger::DefineAuthChallenge.failure(&LambdaError::Timeout);
        assert_eq!(e.kind, ErrorKind::UnexpectedLambdaException);
        assert!(e
            .message
            .starts_with("DefineAuthChallenge invocation failed"));
    }

    #[test]
    fn names_round_trip() {
        for t in Trigger::ALL {
            assert_eq!(Trigger::named(t.name()), Some(*t));
        }
        assert_eq!(
            Trigger::named("customsmssender"),
            Some(Trigger::CustomSmsSender)
        );
    }

    fn invocation(pool: &str, n: i64) -> Invocation {
        Invocation {
            pool_id: pool.into(),
            trigger: Trigger::PreSignUp,
            trigger_source: "PreSignUp_SignUp".into(),
            function_arn: "arn:aws:lambda:us-east-1:123456789012:function:f".into(),
            user_name: format!("user{n}"),
            event: Value::Null,
            response: None,
            error: None,
            micros: 0,
            at: Timestamp::from_secs(n),
            summary: None,
        }
    }

    #[test]
    fn keeps_the_newest_per_pool_in_order() {
        let log = InvocationLog::with_limit(2);
        for n in 0..3 {
            log.record(invocation("a", n));
            log.record(invocation("b", n));
        }
        let names: Vec<String> = log
            .list(|_| true)
            .into_iter()
            .map(|i| format!("{}:{}", i.pool_id, i.user_name))
            .collect();
        assert_eq!(names, ["a:user1", "b:user1", "a:user2", "b:user2"]);
        log.forget_pool("a");
        assert_eq!(log.list(|_| true).len(), 2);
        log.clear();
        assert!(log.list(|_| true).is_empty());
    }
}
