//! `cargo xtask`: the project's automation.
//!
//! - `model import PATH` copies a Smithy model into `model/cognito-idp.json`, without its
//!   documentation.
//! - `codegen [--check] [--model PATH]` writes (or checks) the generated sources of `cognito-model`.
//! - `conformance [--endpoint URL]` runs the conformance harness (the `cognito-conformance`
//!   crate), against a `cognito-server` it starts unless `--endpoint` names one.
//! - `test` runs every test suite: Rust, conformance and the real-client suites.
//! - `bench` is a load generator for any endpoint speaking the cognito-idp API.
//! - `fuzz [--seconds N]` runs a fuzz target of `fuzz/` for a fixed time (`cargo fuzz`).

mod bench;
mod codegen;
mod conformance;
mod fuzz;
mod model;
mod test;

use std::path::{Path, PathBuf};

/// The Smithy reader lives in the harness, which must read the model on its own.
use cognito_conformance::smithy;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (command, rest) = args
        .split_first()
        .map_or(("", &[][..]), |(c, r)| (c.as_str(), r));
    let result = match command {
        "codegen" => codegen::run(rest),
        "model" => model::run(rest),
        "conformance" => conformance::run(rest),
        "test" => test::run(rest),
        "bench" => bench::run(rest),
        "fuzz" => fuzz::run(rest),
        _ => Err(USAGE.to_string()),
    };
    if let Err(e) = result {
        eprintln!("{e}");
        std::process::exit(1);
    }
}

const USAGE: &str = "usage: cargo xtask <model|codegen|conformance|test|bench|fuzz> [options]";

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The Smithy model: `--model PATH`, or the repository's `model/cognito-idp.json`.
pub fn model_path(args: &[String]) -> PathBuf {
    flag(args, "--model")
        .map(PathBuf::from)
        .unwrap_or_else(model::default_path)
}

/// The value after `name` in `args`.
pub fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}
