//! A conformance harness for servers speaking the Amazon Cognito user pools
//! (`cognito-idp`) API: `cognito-conformance --endpoint URL [--model PATH]`.
//!
//! It checks a server against the Smithy model, case by case, and knows nothing of how
//! the server is built: it only speaks HTTP to the endpoint it is given, and links none
//! of the emulator's crates, so it tests any implementation. (`cargo xtask conformance`
//! builds and starts this repository's `cognito-server` and calls [`run`].)
//!
//! Three groups of cases per operation:
//! - **negative** (`negative.rs`): generated from the model; each leaves out a required
//!   member or breaks one constraint and expects Cognito's validation error;
//! - **protocol** (`protocol.rs`): awsJson1_1 rules, per operation and once globally;
//! - **positive** (`scenarios/`): hand-written scenarios whose answers must fit the
//!   output shape strictly and show the expected behaviour. An operation without a
//!   scenario gets the failing case `<Op>/positive/missing`.
//!
//! Known failures live in `conformance/expected_failures.toml` (`report.rs`). The model is
//! read with [`smithy`], which `xtask`'s code generation shares.
//!
//! Options ([`Options`]): `--endpoint URL`, `--model PATH`, `--expected PATH`,
//! `--only TEXT` (cases whose id contains TEXT), `--threads N`, `--verbose` (also show
//! known failures), `--list` (print the cases and their request bodies, and exit),
//! `--write-expected` (add an entry for every operation without a scenario, and exit).

mod client;
mod negative;
mod protocol;
mod report;
mod scenarios;
mod schema;
pub mod smithy;
mod totp;
mod validate;
mod values;
mod webauthn;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use client::{expect_error, Client, Request, Status};
use report::Expected;
use scenarios::Ctx;
use schema::Schema;
use smithy::Model;
use validate::Violation;

/// What to run: the command line of `cognito-conformance` and `cargo xtask conformance`.
#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "cognito-conformance",
    version,
    about = "Checks a server speaking the Amazon Cognito user pools (cognito-idp) API \
             against its Smithy model",
    long_about = None
)]
pub struct Options {
    /// The server to test, such as http://localhost:9229.
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// The Smithy model (JSON AST) of `cognito-idp` [default: the repository's
    /// model/cognito-idp.json]
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// The known failures [default: the repository's conformance/expected_failures.toml;
    /// none if it does not exist]
    #[arg(long, value_name = "PATH")]
    pub expected: Option<PathBuf>,
    /// Run only the cases whose id contains TEXT.
    #[arg(long, value_name = "TEXT")]
    pub only: Option<String>,
    /// Threads for single-request cases; scenarios run one after another.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub threads: usize,
    /// Also print known failures with their answers.
    #[arg(long)]
    pub verbose: bool,
    /// Print every case id and request body, and exit.
    #[arg(long)]
    pub list: bool,
    /// Add `<Op>/positive/*` to the known failures for every operation without a
    /// scenario, and exit.
    #[arg(long)]
    pub write_expected: bool,
}

impl Options {
    /// Whether the run sends requests, and so needs an endpoint.
    pub fn sends_requests(&self) -> bool {
        !self.list && !self.write_expected
    }

    /// The model to read: `--model`, or the repository's.
    fn model_path(&self) -> Result<PathBuf, String> {
        model_or_default(self.model.as_deref(), default_model_path())
    }

    /// The known failures to read: `--expected`, or the repository's.
    fn expected_path(&self) -> PathBuf {
        self.expected.clone().unwrap_or_else(default_expected_path)
    }
}

/// The directory of this crate's sources: `conformance/` in the emulator's repository.
fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The repository's Smithy model, `model/cognito-idp.json` beside `conformance/`. It
/// exists only where the crate was built from a checkout of the repository.
pub fn default_model_path() -> PathBuf {
    let root = crate_dir().parent().unwrap_or(Path::new("."));
    root.join("model").join("cognito-idp.json")
}

/// `model` if given, or else `default` if it exists (it does not where the binary was
/// installed from elsewhere than a checkout).
fn model_or_default(model: Option<&Path>, default: PathBuf) -> Result<PathBuf, String> {
    match model {
        Some(path) => Ok(path.to_path_buf()),
        None if default.is_file() => Ok(default),
        None => Err(format!(
            "no Smithy model at {}, where the emulator's repository keeps it; \
             pass --model PATH (the repository's model/cognito-idp.json, or another \
             Smithy JSON model of cognito-idp)",
            default.display()
        )),
    }
}

/// The repository's list of known failures, `conformance/expected_failures.toml`.
pub fn default_expected_path() -> PathBuf {
    crate_dir().join("expected_failures.toml")
}

/// The group a case belongs to: a column of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Group {
    Negative,
    Protocol,
    Positive,
}

/// One conformance case.
pub(crate) struct Case {
    /// Stable id, e.g. `CreateUserPool/negative/PoolName/length-max`.
    pub id: String,
    /// `None` for protocol cases that belong to no operation.
    pub operation: Option<String>,
    pub group: Group,
    pub action: Action,
}

/// A check or scenario: requests made through a [`Ctx`].
pub(crate) type Steps = fn(&Ctx) -> Result<(), String>;

/// What a case does.
pub(crate) enum Action {
    /// Sends one request and checks the answer.
    Send { request: Request, expect: Expect },
    /// Runs a check of several requests; runs concurrently with other cases.
    Check(Steps),
    /// Runs a positive scenario; scenarios run one after another.
    Scenario(Steps),
    /// Stands for a scenario nobody wrote yet, and fails.
    Missing,
}

/// The answer a [`Action::Send`] case expects.
pub(crate) enum Expect {
    /// `InvalidParameterException` reporting exactly these violations.
    Validation(Vec<Violation>),
    /// An HTTP 400 error of this type.
    Error(&'static str),
    /// The same status and error type as the answer to this other request.
    Like(Request),
}

/// The result of one case.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub id: String,
    pub operation: Option<String>,
    pub group: Group,
    pub result: Result<(), String>,
}

/// The answer to a run without `--endpoint`.
const NO_ENDPOINT: &str = "no server to test: pass --endpoint URL (in the emulator's \
                           repository, `cargo xtask conformance` starts its cognito-server)";

/// Runs the harness as `options` say: prints the report (or the case list) and fails when
/// a case fails that no known failure covers, or a known failure no longer fails.
pub fn run(options: &Options) -> Result<(), String> {
    if options.sends_requests() && options.endpoint.is_none() {
        return Err(NO_ENDPOINT.to_string());
    }
    let schema = Schema::new(Model::load(&options.model_path()?)?)?;
    let expected_path = options.expected_path();
    let mut expected = Expected::load(&expected_path)?;
    if options.write_expected {
        for op in operations_without_scenarios(&schema) {
            let id = format!("{op}/positive/missing");
            if expected.covering(&id).is_none() {
                expected.entries.insert(
                    format!("{op}/positive/*"),
                    "operation not implemented yet".to_string(),
                );
            }
        }
        std::fs::write(&expected_path, expected.render())
            .map_err(|e| format!("cannot write {}: {e}", expected_path.display()))?;
        println!("wrote {}", expected_path.display());
        return Ok(());
    }

    let only = options.only.as_deref();
    let cases: Vec<Case> = all_cases(&schema)?
        .into_iter()
        .filter(|c| only.is_none_or(|o| c.id.contains(o)))
        .collect();

    if options.list {
        for c in &cases {
            match &c.action {
                Action::Send { request, .. } => println!("{}\t{}", c.id, request.body),
                _ => println!("{}", c.id),
            }
        }
        return Ok(());
    }

    let Some(endpoint) = options.endpoint.as_deref() else {
        return Err(NO_ENDPOINT.to_string());
    };
    println!("conformance: {} cases against {endpoint}", cases.len());
    let client = Client::new(endpoint);
    let outcomes = execute(&schema, &client, cases, options.threads.max(1));

    let operations: Vec<String> = schema.operations().iter().map(|o| o.name.clone()).collect();
    let verdict = report::report(
        &operations,
        &outcomes,
        &expected,
        only.is_some(),
        options.verbose,
    );
    print!("{}", verdict.text);
    if verdict.ok {
        Ok(())
    } else {
        Err("conformance: failed".to_string())
    }
}

fn operations_without_scenarios(schema: &Schema) -> Vec<String> {
    schema
        .operations()
        .iter()
        .filter(|op| !scenarios::registry().any(|s| s.operation == op.name))
        .map(|op| op.name.clone())
        .collect()
}

/// Every case, operation by operation, then the global protocol cases.
fn all_cases(schema: &Schema) -> Result<Vec<Case>, String> {
    let mut cases = Vec::new();
    for op in schema.operations() {
        cases.extend(negative::cases(schema, op)?);
        cases.extend(protocol::cases(schema, op)?);
        let mut any = false;
        for s in scenarios::registry().filter(|s| s.operation == op.name) {
            any = true;
            cases.push(Case {
                id: format!("{}/positive/{}", op.name, s.name),
                operation: Some(op.name.clone()),
                group: Group::Positive,
                action: Action::Scenario(s.run),
            });
        }
        if !any {
            cases.push(Case {
                id: format!("{}/positive/missing", op.name),
                operation: Some(op.name.clone()),
                group: Group::Positive,
                action: Action::Missing,
            });
        }
    }
    cases.extend(protocol::global_cases());
    Ok(cases)
}

/// Runs the cases: single requests and checks on `threads` threads, then the scenarios
/// one after another. Outcomes keep the order of `cases`.
fn execute(schema: &Schema, client: &Client, cases: Vec<Case>, threads: usize) -> Vec<Outcome> {
    let (sequential, parallel): (Vec<_>, Vec<_>) = cases
        .into_iter()
        .enumerate()
        .partition(|(_, c)| matches!(c.action, Action::Scenario(_)));
    let results: Mutex<Vec<(usize, Outcome)>> = Mutex::new(Vec::new());
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((index, case)) = parallel.get(i) else {
                    break;
                };
                let outcome = run_case(schema, client, case);
                if let Ok(mut r) = results.lock() {
                    r.push((*index, outcome));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_default();
    for (index, case) in &sequential {
        results.push((*index, run_case(schema, client, case)));
    }
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, o)| o).collect()
}

fn run_case(schema: &Schema, client: &Client, case: &Case) -> Outcome {
    let result = match &case.action {
        Action::Send {
            request,
            expect: Expect::Like(other),
        } => client
            .send(request)
            .and_then(|r| Ok((r, client.send(other)?)))
            .and_then(|(r, o)| same_answer(&r, &o))
            .map_err(|e| format!("{e}\n  request: {request}\n  compared with: {other}")),
        Action::Send { request, expect } => client
            .send(request)
            .and_then(|r| check_answer(&r, expect))
            .map_err(|e| format!("{e}\n  request: {request}")),
        Action::Check(f) | Action::Scenario(f) => {
            let ctx = Ctx::new(schema, client);
            let result = f(&ctx).map_err(|e| {
                let steps = ctx.transcript(2).join("\n  ");
                format!("{e}\n  last requests:\n  {steps}")
            });
            ctx.clean_up();
            result
        }
        Action::Missing => Err("no positive scenario for this operation".to_string()),
    };
    Outcome {
        id: case.id.clone(),
        operation: case.operation.clone(),
        group: case.group,
        result,
    }
}

/// Checks that two answers have the same status and error type.
fn same_answer(r: &client::Response, other: &client::Response) -> Result<(), String> {
    let kind = |r: &client::Response| {
        let ty = r.json().ok().and_then(|b| {
            b.get("__type")
                .and_then(serde_json::Value::as_str)
                .map(|t| client::error_name(t).to_string())
        });
        (r.status, ty)
    };
    if kind(r) == kind(other) {
        Ok(())
    } else {
        Err(format!(
            "answered {r}, but the other request answered {other}"
        ))
    }
}

/// Checks the answer of a single-request case.
fn check_answer(r: &client::Response, expect: &Expect) -> Result<(), String> {
    match expect {
        Expect::Like(_) => Err("harness bug: a comparison case checked alone".to_string()),
        Expect::Error(error) => expect_error(r, error, Status::Exactly(400)).map(drop),
        Expect::Validation(violations) => {
            let message = expect_error(r, "InvalidParameterException", Status::Exactly(400))?;
            let n = violations.len();
            let head = if n == 1 {
                "1 validation error detected: ".to_string()
            } else {
                format!("{n} validation errors detected: ")
            };
            if !message.starts_with(&head) {
                return Err(format!("the message does not start with {head:?}: {r}"));
            }
            for v in violations {
                let fragment = v.message_fragment();
                if !message.contains(&fragment) {
                    return Err(format!("the message does not contain {fragment:?}: {r}"));
                }
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use schema::tests::schema;

    #[test]
    fn every_operation_has_cases_of_every_group() {
        let s = schema();
        let cases = all_cases(s).unwrap();
        for op in s.operations() {
            for group in [Group::Negative, Group::Protocol, Group::Positive] {
                assert!(
                    cases
                        .iter()
                        .any(|c| c.operation.as_deref() == Some(&op.name) && c.group == group),
                    "{} has no {group:?} case",
                    op.name
                );
            }
        }
    }

    #[test]
    fn the_committed_list_covers_exactly_the_operations_without_scenarios() {
        let s = schema();
        let path = default_expected_path();
        let expected = Expected::load(&path).unwrap();
        for op in operations_without_scenarios(s) {
            let id = format!("{op}/positive/missing");
            assert!(expected.covering(&id).is_some(), "{id} is not listed");
        }
    }

    #[test]
    fn the_model_is_the_flag_or_the_repository_copy_or_a_clear_error() {
        let given = Path::new("elsewhere/cognito-idp.json");
        assert_eq!(
            model_or_default(Some(given), default_model_path()).unwrap(),
            given
        );
        assert_eq!(
            model_or_default(None, default_model_path()).unwrap(),
            default_model_path()
        );
        let outside = PathBuf::from("/nowhere/model/cognito-idp.json");
        let error = model_or_default(None, outside).unwrap_err();
        assert!(error.contains("/nowhere/model/cognito-idp.json"), "{error}");
        assert!(error.contains("--model PATH"), "{error}");
    }

    #[test]
    fn a_run_that_sends_requests_needs_an_endpoint() {
        use clap::Parser;
        let options = Options::parse_from(["cognito-conformance", "--only", "Nothing"]);
        assert_eq!(run(&options), Err(NO_ENDPOINT.to_string()));
        let list = Options::parse_from(["cognito-conformance", "--list", "--only", "Nothing"]);
        assert!(!list.sends_requests());
        assert_eq!(run(&list), Ok(()));
    }

    #[test]
    fn validation_answers_are_checked_against_the_prediction() {
        let response = |message: &str| client::Response {
            status: 400,
            headers: vec![
                ("x-amzn-requestid".into(), "r".into()),
                (
                    "x-amzn-errortype".into(),
                    "InvalidParameterException".into(),
                ),
            ],
            body: serde_json::json!({"__type": "InvalidParameterException", "message": message})
                .to_string(),
        };
        let expect = Expect::Validation(vec![Violation {
            path: "userPoolId".into(),
            broken: validate::Broken::Missing,
        }]);
        let good = "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null";
        assert!(check_answer(&response(good), &expect).is_ok());
        let wrong_path = good.replace("userPoolId", "UserPoolId");
        assert!(check_answer(&response(&wrong_path), &expect).is_err());
        let wrong_count = good.replace("1 validation error", "2 validation errors");
        assert!(check_answer(&response(&wrong_count), &expect).is_err());
    }
}
