//! `cargo xtask fuzz [--seconds N] [--target NAME]`: runs a fuzz target of `fuzz/` for a
//! fixed time with `cargo fuzz` (nightly, libFuzzer).
//!
//! The target (`request` by default: one API call through the whole HTTP service) starts
//! from the committed seeds in `fuzz/seeds/<target>/` and keeps what it learns in
//! `fuzz/corpus/<target>/`, which is not committed. A crash or a server fault stops the
//! run with an error naming the input, left under `fuzz/artifacts/<target>/`. The run
//! belongs to no test suite: fuzzing takes the time it is given.

use std::process::Command;

use crate::{flag, root};

/// How long a run lasts when `--seconds` is not given.
const DEFAULT_SECONDS: u64 = 60;

/// Runs the fuzz target the arguments name for the time they give.
pub fn run(args: &[String]) -> Result<(), String> {
    let seconds = match flag(args, "--seconds") {
        Some(s) => s
            .parse::<u64>()
            .ok()
            .filter(|&s| s > 0)
            .ok_or_else(|| format!("--seconds expects a positive number, not {s}"))?,
        None => DEFAULT_SECONDS,
    };
    let target = flag(args, "--target").unwrap_or("request");
    let fuzz = root().join("fuzz");
    if !fuzz
        .join("fuzz_targets")
        .join(format!("{target}.rs"))
        .is_file()
    {
        return Err(format!("no fuzz target {target} in {}", fuzz.display()));
    }
    let corpus = fuzz.join("corpus").join(target);
    std::fs::create_dir_all(&corpus)
        .map_err(|e| format!("cannot create {}: {e}", corpus.display()))?;
    let seeds = fuzz.join("seeds").join(target);

    let cargo_fuzz = Command::new("cargo")
        .args(["+nightly", "fuzz", "--version"])
        .current_dir(root())
        .output();
    if !cargo_fuzz.is_ok_and(|out| out.status.success()) {
        return Err("cargo fuzz needs a nightly toolchain and cargo-fuzz: \
                    `rustup toolchain install nightly` and `cargo install cargo-fuzz`"
            .to_string());
    }
    let mut command = Command::new("cargo");
    command
        .args(["+nightly", "fuzz", "run", target])
        .arg(&corpus)
        .current_dir(root());
    if seeds.is_dir() {
        command.arg(&seeds);
    }
    command.args([
        "--".to_string(),
        format!("-max_total_time={seconds}"),
        // A minute's wait for one input is a hang.
        "-timeout=60".to_string(),
    ]);
    let status = command
        .status()
        .map_err(|e| format!("cannot run cargo fuzz: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "fuzz target {target} failed ({status}); the input is under {}",
            fuzz.join("artifacts").join(target).display()
        ))
    }
}
