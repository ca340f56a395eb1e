//! The conformance harness: `cargo xtask conformance [--endpoint URL] [--model PATH]`.
//!
//! It checks a server speaking the `cognito-idp` API against the Smithy model, case by
//! case, and knows nothing of how the server is built: without `--endpoint` it builds
//! and starts `cognito-server`, and otherwise it only speaks HTTP.
//!
//! Three groups of cases per operation:
//! - **negative** ([`negative`]): generated from the model; each leaves out a required
//!   member or breaks one constraint and expects Cognito's validation error;
//! - **protocol** ([`protocol`]): awsJson1_1 rules, per operation and once globally;
//! - **positive** ([`scenarios`]): hand-written scenarios whose answers must fit the
//!   output shape strictly and show the expected behaviour. An operation without a
//!   scenario gets the failing case `<Op>/positive/missing`.
//!
//! Known failures live in `conformance/expected_failures.toml` ([`report`]).
//!
//! Options: `--endpoint URL`, `--model PATH`, `--only TEXT` (cases whose id contains
//! TEXT), `--threads N`, `--verbose` (also show known failures), `--list` (print the
//! cases and their request bodies, and exit), `--write-expected` (add an entry for every
//! operation without a scenario, and exit).

mod client;
mod negative;
mod protocol;
mod report;
mod scenarios;
mod schema;
mod server;
mod validate;
mod values;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use client::{expect_error, Client, Request, Status};
use report::Expected;
use scenarios::Ctx;
use schema::Schema;
use validate::Violation;

use crate::smithy::Model;
use crate::{flag, model_path, root};

/// The group a case belongs to: a column of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Negative,
    Protocol,
    Positive,
}

/// One conformance case.
pub struct Case {
    /// Stable id, e.g. `CreateUserPool/negative/PoolName/length-max`.
    pub id: String,
    /// `None` for protocol cases that belong to no operation.
    pub operation: Option<String>,
    pub group: Group,
    pub action: Action,
}

/// A check or scenario: requests made through a [`Ctx`].
pub type Steps = fn(&Ctx) -> Result<(), String>;

/// What a case does.
pub enum Action {
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
pub enum Expect {
    /// `InvalidParameterException` reporting exactly these violations.
    Validation(Vec<Violation>),
    /// An HTTP 400 error of this type.
    Error(&'static str),
    /// The same status and error type as the answer to this other request.
    Like(Request),
}

/// The result of one case.
#[derive(Debug)]
pub struct Outcome {
    pub id: String,
    pub operation: Option<String>,
    pub group: Group,
    pub result: Result<(), String>,
}

pub fn run(args: &[String]) -> Result<(), String> {
    let schema = Schema::new(Model::load(&model_path(args))?)?;
    let expected_path = root().join("conformance").join("expected_failures.toml");
    let mut expected = Expected::load(&expected_path)?;
    if args.iter().any(|a| a == "--write-expected") {
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

    let only = flag(args, "--only");
    let threads = match flag(args, "--threads") {
        Some(n) => n
            .parse()
            .map_err(|_| format!("--threads {n}: not a number"))?,
        None => 4,
    };
    let verbose = args.iter().any(|a| a == "--verbose");
    let cases: Vec<Case> = all_cases(&schema)?
        .into_iter()
        .filter(|c| only.is_none_or(|o| c.id.contains(o)))
        .collect();

    if args.iter().any(|a| a == "--list") {
        for c in &cases {
            match &c.action {
                Action::Send { request, .. } => println!("{}\t{}", c.id, request.body),
                _ => println!("{}", c.id),
            }
        }
        return Ok(());
    }

    let server = match flag(args, "--endpoint") {
        Some(_) => None,
        None => Some(server::start(&root())?),
    };
    let endpoint = match (flag(args, "--endpoint"), &server) {
        (Some(e), _) => e.to_string(),
        (None, Some(s)) => s.endpoint.clone(),
        (None, None) => return Err("no endpoint".to_string()),
    };
    println!("conformance: {} cases against {endpoint}", cases.len());
    let client = Client::new(&endpoint);
    let outcomes = execute(&schema, &client, cases, threads.max(1));
    drop(server);

    let operations: Vec<String> = schema.operations().iter().map(|o| o.name.clone()).collect();
    let verdict = report::report(&operations, &outcomes, &expected, only.is_some(), verbose);
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
        let path = root().join("conformance").join("expected_failures.toml");
        let expected = Expected::load(&path).unwrap();
        for op in operations_without_scenarios(s) {
            let id = format!("{op}/positive/missing");
            assert!(expected.covering(&id).is_some(), "{id} is not listed");
        }
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
