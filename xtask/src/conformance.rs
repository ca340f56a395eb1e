//! `cargo xtask conformance`: the conformance harness (the `cognito-conformance` crate)
//! against this repository's server.
//!
//! It takes the harness's options (`conformance/README.md`). Without `--endpoint` it
//! builds `cognito-server`, starts it on a free port, hands its address to
//! [`cognito_conformance::run`], and stops it when the run ends; the harness itself only
//! speaks HTTP.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use clap::Parser as _;

/// `cargo xtask conformance [OPTIONS]`.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut options = cognito_conformance::Options::parse_from(
        std::iter::once("cargo xtask conformance").chain(args.iter().map(String::as_str)),
    );
    let server = match options.endpoint {
        None if options.sends_requests() => Some(start(&crate::root())?),
        _ => None,
    };
    if let Some(server) = &server {
        options.endpoint = Some(server.endpoint.clone());
    }
    let result = cognito_conformance::run(&options);
    drop(server);
    result
}

/// How long the server may take to print its address.
const STARTUP: Duration = Duration::from_secs(60);

/// A running server, killed on drop.
struct Server {
    child: Child,
    /// `http://HOST:PORT`.
    endpoint: String,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `$CARGO_TARGET_DIR`, or `target` under the repository root.
fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

/// Builds `cognito-server`, starts it on a free port and waits for its address.
fn start(root: &Path) -> Result<Server, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let status = Command::new(cargo)
        .args(["build", "-q", "-p", "cognito-server"])
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err("cargo build -p cognito-server failed".to_string());
    }
    let target = target_dir(root);
    let binary = target.join("debug").join("cognito-server");
    let log = target.join("conformance-server.log");
    let log_file =
        std::fs::File::create(&log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
    let mut child = Command::new(&binary)
        .args(["--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log_file)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let Some(stdout) = child.stdout.take() else {
        let _ = child.kill();
        return Err("the server's stdout is not captured".to_string());
    };
    let mut server = Server {
        child,
        endpoint: String::new(),
        log,
    };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if !sent {
                if let Some((_, url)) = line.split_once("listening on ") {
                    let url = url.split_whitespace().next().unwrap_or("").to_string();
                    sent = tx.send(url).is_ok();
                }
            }
        }
    });
    match rx.recv_timeout(STARTUP) {
        Ok(url) if !url.is_empty() => {
            server.endpoint = url;
            Ok(server)
        }
        _ => Err(format!(
            "the server printed no `listening on http://HOST:PORT` line within {}s; see {}",
            STARTUP.as_secs(),
            server.log.display()
        )),
    }
}
