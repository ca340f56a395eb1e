//! How the server runs the Lambda functions of pools' triggers: [`Functions`], the
//! server's [`Lambda`], routes each function ARN to a runner that [`LambdaSettings`]
//! names (from `--config` and the `--lambda-*` flags, see [`crate::config`]):
//!
//! - a Lambda Invoke API (`invoke_api`): what LocalStack, moto, SAM local and
//!   serverless-offline serve, called as the AWS SDKs call Lambda's `Invoke`;
//! - a local command (`command`): a process per invocation that reads the event on stdin
//!   and writes the result on stdout;
//! - an HTTP URL (`function_url`): the event POSTed, the result in the answer's body.
//!
//! Runners block the calling thread until the function answers or its time is up; core
//! calls them on a blocking thread, never under a lock. Events carry codes and
//! passwords: neither an event nor a result is ever logged, only which function ran, how
//! it ended and, at debug level, what a command wrote on stderr (and stdout besides its
//! result).

mod command;
mod function_url;
mod invoke_api;
pub mod sigv4;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use cognito_core::lambda::{Invoked, Lambda, LambdaError};
use cognito_core::Clock;
use cognito_http::Stopwatch;
use url::Url;

use crate::clock::{SystemClock, SystemStopwatch};
use crate::outbound::{no_answer, timed_out, NoAnswer};
use sigv4::Credentials;

/// How long a function may run: Cognito waits 5 seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections kept open to runners (Invoke APIs, URLs) between invocations.
const IDLE_CONNECTIONS: usize = 64;

/// The largest result read from a function: Lambda's limit on a synchronous answer.
const MAX_RESULT_BYTES: u64 = 6 * 1024 * 1024;

/// Which runner runs each function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LambdaSettings {
    /// The Invoke API that runs the functions no entry of `functions` names.
    pub endpoint: Option<Url>,
    /// How long a function may run, unless its entry says otherwise.
    pub timeout: Duration,
    /// Runners by function: a full ARN (with or without a qualifier), a function name,
    /// or a name and qualifier (`name:alias`).
    pub functions: BTreeMap<String, Function>,
}

impl Default for LambdaSettings {
    fn default() -> Self {
        LambdaSettings {
            endpoint: None,
            timeout: DEFAULT_TIMEOUT,
            functions: BTreeMap::new(),
        }
    }
}

/// How one function runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    /// What runs it.
    pub runner: Runner,
    /// How long it may run, when not [`LambdaSettings::timeout`].
    pub timeout: Option<Duration>,
}

/// What runs a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Runner {
    /// A Lambda Invoke API at this endpoint (`POST
    /// {endpoint}/2015-03-31/functions/{name}/invocations`).
    InvokeApi(Url),
    /// A local command, run once per invocation.
    Command(Command),
    /// An HTTP URL the event is POSTed to.
    Url(Url),
}

/// A local command that runs a function: the event on its stdin, the result on its
/// stdout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The program and its arguments.
    pub argv: Vec<String>,
    /// Environment variables set for it, besides the server's own.
    pub env: BTreeMap<String, String>,
    /// Its working directory; the server's when none.
    pub cwd: Option<PathBuf>,
}

/// The parts of a function ARN, `arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunctionArn<'a> {
    /// The ARN as given.
    pub full: &'a str,
    /// The ARN without its qualifier.
    pub unqualified: &'a str,
    /// The Region (`us-east-1` when the ARN names none).
    pub region: &'a str,
    /// The account id (empty when the ARN names none).
    pub account: &'a str,
    /// The function's name; the whole ARN when it names no Lambda function.
    pub name: &'a str,
    /// The version or alias.
    pub qualifier: Option<&'a str>,
}

impl<'a> FunctionArn<'a> {
    /// Reads `arn`; anything that is not a Lambda function's ARN keeps its whole text as
    /// the name.
    pub fn parse(arn: &'a str) -> FunctionArn<'a> {
        let parts: Vec<&str> = arn.splitn(8, ':').collect();
        let region = parts
            .get(3)
            .copied()
            .filter(|r| !r.is_empty())
            .unwrap_or("us-east-1");
        let account = parts.get(4).copied().unwrap_or("");
        match parts.as_slice() {
            ["arn", _, "lambda", _, _, "function", name, rest @ ..] if !name.is_empty() => {
                let qualifier = rest.first().copied();
                let unqualified = match qualifier {
                    Some(q) => arn.get(..arn.len() - q.len() - 1).unwrap_or(arn),
                    None => arn,
                };
                FunctionArn {
                    full: arn,
                    unqualified,
                    region,
                    account,
                    name,
                    qualifier,
                }
            }
            _ => FunctionArn {
                full: arn,
                unqualified: arn,
                region,
                account,
                name: arn,
                qualifier: None,
            },
        }
    }
}

impl LambdaSettings {
    /// The runner of `arn` and how long it may run: the entry of its full ARN, else of its
    /// unqualified ARN, else of `name:qualifier`, else of its name; else the Invoke API
    /// of [`LambdaSettings::endpoint`].
    pub fn route(&self, arn: &FunctionArn<'_>) -> Option<(Runner, Duration)> {
        let qualified_name = arn.qualifier.map(|q| format!("{}:{q}", arn.name));
        let keys = [
            Some(arn.full),
            Some(arn.unqualified),
            qualified_name.as_deref(),
            Some(arn.name),
        ];
        let entry = keys
            .into_iter()
            .flatten()
            .find_map(|key| self.functions.get(key));
        match entry {
            Some(function) => Some((
                function.runner.clone(),
                function.timeout.unwrap_or(self.timeout),
            )),
            None => self
                .endpoint
                .clone()
                .map(|endpoint| (Runner::InvokeApi(endpoint), self.timeout)),
        }
    }
}

/// The server's [`Lambda`]: runs each function by the runner [`LambdaSettings`] routes it
/// to.
pub struct Functions {
    settings: LambdaSettings,
    agent: ureq::Agent,
    credentials: Option<Credentials>,
}

impl Functions {
    /// Functions run as `settings` say, Invoke API calls signed with `credentials`, or,
    /// when there are none, with local credentials whose access key is the function's
    /// account id (which LocalStack reads as the account).
    pub fn new(settings: LambdaSettings, credentials: Option<Credentials>) -> Self {
        let agent = ureq::AgentBuilder::new()
            .redirects(0)
            // Requests invoke at once as many functions as there are blocking threads
            // running them: keep a connection for each.
            .max_idle_connections(IDLE_CONNECTIONS)
            .max_idle_connections_per_host(IDLE_CONNECTIONS)
            .user_agent(concat!("cognito-server/", env!("CARGO_PKG_VERSION")))
            .build();
        Functions {
            settings,
            agent,
            credentials,
        }
    }

    /// The credentials of the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_SESSION_TOKEN`), when both keys are set.
    pub fn credentials_from_env() -> Option<Credentials> {
        let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
        Some(Credentials {
            access_key_id: var("AWS_ACCESS_KEY_ID")?,
            secret_access_key: var("AWS_SECRET_ACCESS_KEY")?,
            session_token: var("AWS_SESSION_TOKEN"),
        })
    }

    /// What the functions run by.
    pub fn settings(&self) -> &LambdaSettings {
        &self.settings
    }

    fn run(&self, arn: &FunctionArn<'_>, event: &[u8]) -> Result<Vec<u8>, LambdaError> {
        let Some((runner, timeout)) = self.settings.route(arn) else {
            return Err(LambdaError::Unreachable(format!(
                "no runner is configured for {}; name it in the [functions] table of --config, \
                 with --lambda-command or --lambda-url, or set --lambda-endpoint",
                arn.full
            )));
        };
        match runner {
            Runner::InvokeApi(endpoint) => {
                let local;
                let credentials = match &self.credentials {
                    Some(credentials) => credentials,
                    None => {
                        local = local_credentials(arn);
                        &local
                    }
                };
                invoke_api::invoke(
                    &self.agent,
                    &endpoint,
                    arn,
                    event,
                    timeout,
                    credentials,
                    &amz_date(SystemClock.now().secs()),
                )
            }
            Runner::Command(command) => command::run(&command, arn, event, timeout),
            Runner::Url(url) => function_url::post(&self.agent, &url, event, timeout),
        }
    }
}

impl Lambda for Functions {
    fn invoke(&self, function_arn: &str, event: &[u8]) -> Invoked {
        let stopwatch = SystemStopwatch::start();
        let arn = FunctionArn::parse(function_arn);
        let result = self.run(&arn, event);
        let micros = stopwatch.micros();
        match &result {
            Ok(_) => tracing::debug!(function = function_arn, micros, "function answered"),
            Err(LambdaError::Function(_)) => {
                tracing::debug!(function = function_arn, micros, "function failed");
            }
            Err(LambdaError::Timeout) => {
                tracing::warn!(function = function_arn, micros, "function timed out");
            }
            Err(LambdaError::Unreachable(why)) => {
                tracing::warn!(
                    function = function_arn,
                    micros,
                    why = why.as_str(),
                    "function not run"
                );
            }
        }
        Invoked { result, micros }
    }
}

/// Credentials for local Invoke APIs, which check no secret: the access key is the
/// function's account id, from which LocalStack and moto take the account.
fn local_credentials(arn: &FunctionArn<'_>) -> Credentials {
    let account = if arn.account.len() == 12 && arn.account.bytes().all(|b| b.is_ascii_digit()) {
        arn.account
    } else {
        "000000000000"
    };
    Credentials {
        access_key_id: account.to_owned(),
        secret_access_key: "test".to_owned(),
        session_token: None,
    }
}

/// `secs` after the epoch as SigV4's `YYYYMMDD'T'HHMMSS'Z'`.
pub(crate) fn amz_date(secs: i64) -> String {
    let (year, month, day) = crate::log::civil_date(secs.div_euclid(86_400));
    let time = secs.rem_euclid(86_400);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        time / 3600,
        time / 60 % 60,
        time % 60
    )
}

/// The message of a function's error object (`{"errorMessage": ...}`) in `bytes`, when
/// they hold one.
fn error_message(bytes: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    match value.get("errorMessage")? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// The body of `response`, at most [`MAX_RESULT_BYTES`]; a body cut off by the time
/// limit is a timeout.
fn read_body(response: ureq::Response) -> Result<Vec<u8>, LambdaError> {
    use std::io::Read;
    let mut body = Vec::new();
    match response
        .into_reader()
        .take(MAX_RESULT_BYTES + 1)
        .read_to_end(&mut body)
    {
        Ok(_) if body.len() as u64 > MAX_RESULT_BYTES => Err(LambdaError::Unreachable(
            "the function's answer is larger than 6 MB".to_owned(),
        )),
        Ok(_) => Ok(body),
        Err(e) if timed_out(&e) => Err(LambdaError::Timeout),
        Err(e) => Err(LambdaError::Unreachable(format!(
            "the function's answer broke off: {e}"
        ))),
    }
}

/// A body as an error message: its text, trimmed; the status when it is empty.
fn body_text(body: &[u8], status: u16) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        format!("HTTP {status}")
    } else {
        text.to_owned()
    }
}

/// What a failure to reach `url` means: a timeout, or a runner that cannot be reached.
fn transport_error(url: &Url, e: &ureq::Transport) -> LambdaError {
    match no_answer(&url.origin().ascii_serialization(), e) {
        NoAnswer::Timeout => LambdaError::Timeout,
        NoAnswer::Unreachable(why) => LambdaError::Unreachable(why),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_function_arns() {
        let arn = FunctionArn::parse("arn:aws:lambda:eu-west-1:111122223333:function:pre:live");
        assert_eq!(
            arn,
            FunctionArn {
                full: "arn:aws:lambda:eu-west-1:111122223333:function:pre:live",
                unqualified: "arn:aws:lambda:eu-west-1:111122223333:function:pre",
                region: "eu-west-1",
                account: "111122223333",
                name: "pre",
                qualifier: Some("live"),
            }
        );
        let arn = FunctionArn::parse("arn:aws:lambda:us-west-2:111122223333:function:pre");
        assert_eq!(
            (arn.name, arn.qualifier, arn.unqualified),
            ("pre", None, arn.full)
        );
        let other = FunctionArn::parse("arn:aws:sns:us-west-2:111122223333:topic");
        assert_eq!((other.name, other.region), (other.full, "us-west-2"));
        assert_eq!(FunctionArn::parse("plain").region, "us-east-1");
    }

    #[test]
    fn routes_the_most_specific_entry_first() {
        let url = |s: &str| Url::parse(s).unwrap();
        let entry = |s: &str, timeout| Function {
            runner: Runner::Url(url(s)),
            timeout,
        };
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:f";
        let settings = LambdaSettings {
            endpoint: Some(url("http://127.0.0.1:3002")),
            timeout: Duration::from_millis(700),
            functions: [
                (format!("{arn}:live"), entry("http://full/", None)),
                (arn.to_owned(), entry("http://unqualified/", None)),
                ("f:blue".to_owned(), entry("http://name-qualifier/", None)),
                (
                    "f".to_owned(),
                    entry("http://name/", Some(Duration::from_secs(1))),
                ),
            ]
            .into_iter()
            .collect(),
        };
        let route = |a: &str| settings.route(&FunctionArn::parse(a)).unwrap();
        let cases = [
            (format!("{arn}:live"), Runner::Url(url("http://full/")), 700),
            (
                format!("{arn}:green"),
                Runner::Url(url("http://unqualified/")),
                700,
            ),
            (arn.to_owned(), Runner::Url(url("http://unqualified/")), 700),
            (
                "arn:aws:lambda:eu-west-1:123456789012:function:f:blue".to_owned(),
                Runner::Url(url("http://name-qualifier/")),
                700,
            ),
            (
                "arn:aws:lambda:eu-west-1:123456789012:function:f".to_owned(),
                Runner::Url(url("http://name/")),
                1000,
            ),
            (
                "arn:aws:lambda:eu-west-1:123456789012:function:g".to_owned(),
                Runner::InvokeApi(url("http://127.0.0.1:3002")),
                700,
            ),
        ];
        for (arn, runner, millis) in cases {
            assert_eq!(
                route(&arn),
                (runner, Duration::from_millis(millis)),
                "{arn}"
            );
        }
        let no_endpoint = LambdaSettings {
            endpoint: None,
            ..settings.clone()
        };
        assert_eq!(
            no_endpoint.route(&FunctionArn::parse("arn:aws:lambda:us-east-1:1:function:g")),
            None
        );
    }

    #[test]
    fn an_unrouted_function_names_the_settings_to_change() {
        let functions = Functions::new(LambdaSettings::default(), None);
        let invoked = functions.invoke("arn:aws:lambda:us-east-1:123456789012:function:f", b"{}");
        let Err(LambdaError::Unreachable(why)) = invoked.result else {
            panic!("{invoked:?}");
        };
        assert!(why.starts_with(
            "no runner is configured for arn:aws:lambda:us-east-1:123456789012:function:f;"
        ));
        assert!(why.contains("--lambda-endpoint"));
    }

    #[test]
    fn local_credentials_name_the_functions_account() {
        let arn = FunctionArn::parse("arn:aws:lambda:us-east-1:111122223333:function:f");
        assert_eq!(local_credentials(&arn).access_key_id, "111122223333");
        let arn = FunctionArn::parse("arn:aws:lambda:us-east-1:x:function:f");
        assert_eq!(local_credentials(&arn).access_key_id, "000000000000");
    }

    #[test]
    fn dates_are_sigv4s_basic_format() {
        assert_eq!(amz_date(0), "19700101T000000Z");
        assert_eq!(amz_date(1_709_164_800 + 3_723), "20240229T010203Z");
    }

    #[test]
    fn error_objects_give_their_message() {
        assert_eq!(
            error_message(br#"{"errorMessage":"boom","errorType":"Error"}"#).as_deref(),
            Some("boom")
        );
        assert_eq!(
            error_message(br#"{"errorMessage":3}"#).as_deref(),
            Some("3")
        );
        assert_eq!(error_message(br#"{"message":"boom"}"#), None);
        assert_eq!(error_message(b"boom"), None);
    }
}
