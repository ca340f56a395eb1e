//! `cognito-conformance`: the conformance harness as a command, for any server speaking
//! the `cognito-idp` API.
//!
//! ```sh
//! cognito-conformance --endpoint http://localhost:9229
//! cognito-conformance --endpoint http://localhost:9229 --model cognito-idp.json --only ListUsers
//! ```
//!
//! It parses the flags and calls [`cognito_conformance::run`]; the exit status is 1 when
//! the run fails.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let options = cognito_conformance::Options::parse();
    match cognito_conformance::run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
