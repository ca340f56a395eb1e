//! `cargo xtask test`: every test suite of the project, in order, stopping at
//! the first failure.
//!
//! 1. `cargo test --workspace`;
//! 2. `cargo build -p cognito-server`;
//! 3. `cargo xtask conformance`, which starts a server of its own;
//! 4. one `cognito-server --port 0` for the client suites, stopped on every
//!    way out of this function;
//! 5. the Python suite (boto3 and the AWS CLI) from
//!    `conformance/clients/python/.venv`;
//! 6. the Node suite (AWS SDK for JavaScript v3) from
//!    `conformance/clients/node`.
//!
//! `--skip-rust` leaves out step 1, `--skip-conformance` step 3 and
//! `--skip-clients` steps 4 to 6.
//! Python and Node packages are installed when the virtualenv or
//! `node_modules` is missing, or when `requirements.txt` or
//! `package-lock.json` changed since the last install (a stamp file inside
//! each holds the text that was installed).

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use crate::root;

const USAGE: &str = "usage: cargo xtask test [--skip-rust] [--skip-conformance] [--skip-clients]";

/// How long the server may take to print its `listening on` line.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// The stamp files that record what was last installed.
const REQUIREMENTS_STAMP: &str = ".requirements.installed";
const LOCK_STAMP: &str = ".package-lock.installed";

#[derive(Debug, Default, PartialEq)]
struct Options {
    skip_rust: bool,
    skip_conformance: bool,
    skip_clients: bool,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options::default();
    for arg in args {
        match arg.as_str() {
            "--skip-rust" => options.skip_rust = true,
            "--skip-conformance" => options.skip_conformance = true,
            "--skip-clients" => options.skip_clients = true,
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown option `{other}`\n{USAGE}")),
        }
    }
    Ok(options)
}

/// Runs every suite; the error names the step that failed.
pub fn run(args: &[String]) -> Result<(), String> {
    let options = parse(args)?;
    let root = root();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));

    if options.skip_rust {
        println!("(Rust tests skipped)");
    } else {
        step("cargo test --workspace");
        check(
            Command::new(&cargo)
                .args(["test", "--workspace"])
                .current_dir(&root),
        )?;
    }

    step("cargo build -p cognito-server");
    check(
        Command::new(&cargo)
            .args(["build", "-p", "cognito-server"])
            .current_dir(&root),
    )?;

    if options.skip_conformance {
        println!("(conformance skipped)");
    } else {
        step("cargo xtask conformance");
        check(
            Command::new(&cargo)
                .args(["run", "-q", "-p", "xtask", "--", "conformance"])
                .current_dir(&root),
        )?;
    }

    if options.skip_clients {
        println!("(client suites skipped)");
        return Ok(());
    }

    step("start cognito-server");
    let target = target_dir(&root);
    let binary = target.join("debug").join(exe("cognito-server"));
    let server = Server::start(&binary, &target.join("cognito-server-clients.log"))?;
    println!("cognito-server is listening on {}", server.url);

    step("Python client suite (boto3, AWS CLI, pycognito)");
    python_suite(
        &root.join("conformance/clients/python"),
        &server.url,
        &binary,
    )
    .map_err(|e| server.explain(e))?;

    step("Node client suite (AWS SDK for JavaScript v3, amazon-cognito-identity-js, Amplify JS)");
    node_suite(&root.join("conformance/clients/node"), &server.url, &binary)
        .map_err(|e| server.explain(e))?;

    step("stop cognito-server");
    drop(server);
    println!("all test suites passed");
    Ok(())
}

fn step(title: &str) {
    println!("\n==> {title}");
}

/// Runs `command` with inherited output and fails unless it exits with 0.
fn check(command: &mut Command) -> Result<(), String> {
    let shown = show(command);
    let status = command
        .status()
        .map_err(|e| format!("could not start `{shown}`: {e} (is it installed and on PATH?)"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// The command line as a person would type it, and where it runs.
fn show(command: &Command) -> String {
    let mut shown = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        shown.push(' ');
        shown.push_str(&arg.to_string_lossy());
    }
    if let Some(dir) = command.get_current_dir() {
        shown.push_str(&format!(" (in {})", dir.display()));
    }
    shown
}

/// Cargo's target directory: `CARGO_TARGET_DIR` (relative to the root) or
/// `<root>/target`.
fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    }
}

fn exe(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}

/// A running `cognito-server`, killed when dropped.
struct Server {
    child: Child,
    url: String,
    log: PathBuf,
}

impl Server {
    /// Starts `binary --port 0` and waits for its `listening on http://...`
    /// line. Everything the server prints goes to `log`.
    fn start(binary: &Path, log: &Path) -> Result<Self, String> {
        if !binary.is_file() {
            return Err(format!("{} does not exist", binary.display()));
        }
        let log_file =
            File::create(log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
        let stderr = log_file
            .try_clone()
            .map_err(|e| format!("cannot share {}: {e}", log.display()))?;
        let mut child = Command::new(binary)
            .args(["--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr))
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let stdout = child.stdout.take();
        let mut server = Server {
            child,
            url: String::new(),
            log: log.to_path_buf(),
        };
        let Some(stdout) = stdout else {
            return Err(server.explain("cognito-server has no stdout".to_string()));
        };

        let (found, url) = mpsc::channel();
        std::thread::spawn(move || {
            let mut found = Some(found);
            let mut log_file = log_file;
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                // The log is a convenience; losing a line of it is no failure.
                let _ = writeln!(log_file, "{line}");
                if let Some(url) = listening_url(&line) {
                    if let Some(found) = found.take() {
                        let _ = found.send(url);
                    }
                }
            }
        });

        match url.recv_timeout(STARTUP_TIMEOUT) {
            Ok(url) => {
                server.url = url;
                Ok(server)
            }
            Err(RecvTimeoutError::Timeout) => Err(server.explain(format!(
                "cognito-server printed no `listening on http://...` line within {}s",
                STARTUP_TIMEOUT.as_secs()
            ))),
            Err(RecvTimeoutError::Disconnected) => Err(server.explain(
                "cognito-server stopped before printing `listening on http://...`".to_string(),
            )),
        }
    }

    /// `message`, plus where the server's own output is.
    fn explain(&self, message: String) -> String {
        format!(
            "{message}\n(cognito-server's output is in {})",
            self.log.display()
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // The server may have exited already; either way, reap it.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The URL in a line like `cognito-server listening on http://127.0.0.1:9229`.
fn listening_url(line: &str) -> Option<String> {
    let (_, rest) = line.split_once("listening on ")?;
    let url: String = rest
        .chars()
        .take_while(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    url.starts_with("http://").then_some(url)
}

/// Whether `stamp` holds exactly `contents`.
fn up_to_date(stamp: &Path, contents: &str) -> bool {
    fs::read_to_string(stamp).is_ok_and(|installed| installed == contents)
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, contents: &str) -> Result<(), String> {
    fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The suites reach the shared server at `COGNITO_ENDPOINT`; tests that need a server of
/// their own (started with a configuration, e.g. trigger functions) start
/// `COGNITO_SERVER_BIN`.
fn python_suite(dir: &Path, url: &str, binary: &Path) -> Result<(), String> {
    let venv = dir.join(".venv");
    let python = if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    };
    if !python.is_file() {
        check(
            Command::new(if cfg!(windows) { "python" } else { "python3" })
                .args(["-m", "venv", ".venv"])
                .current_dir(dir),
        )?;
    }

    let requirements = read(&dir.join("requirements.txt"))?;
    let stamp = venv.join(REQUIREMENTS_STAMP);
    if up_to_date(&stamp, &requirements) {
        println!("Python packages are up to date");
    } else {
        check(
            Command::new(&python)
                .args(["-m", "pip", "install", "--disable-pip-version-check", "-q"])
                .args(["-r", "requirements.txt"])
                .current_dir(dir),
        )?;
        write(&stamp, &requirements)?;
    }

    check(
        Command::new(&python)
            .args(["-m", "pytest", "-q"])
            .env("COGNITO_ENDPOINT", url)
            .env("COGNITO_SERVER_BIN", binary)
            .current_dir(dir),
    )
}

fn node_suite(dir: &Path, url: &str, binary: &Path) -> Result<(), String> {
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    let lock = read(&dir.join("package-lock.json"))?;
    let modules = dir.join("node_modules");
    let stamp = modules.join(LOCK_STAMP);
    if modules.is_dir() && up_to_date(&stamp, &lock) {
        println!("Node packages are up to date");
    } else {
        check(
            Command::new(npm)
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(dir),
        )?;
        write(&stamp, &lock)?;
    }

    check(
        Command::new(npm)
            .arg("test")
            .env("COGNITO_ENDPOINT", url)
            .env("COGNITO_SERVER_BIN", binary)
            .current_dir(dir),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags() {
        assert_eq!(parse(&[]).unwrap(), Options::default());
        let both = [
            "--skip-clients".to_string(),
            "--skip-conformance".to_string(),
        ];
        assert_eq!(
            parse(&both).unwrap(),
            Options {
                skip_rust: false,
                skip_conformance: true,
                skip_clients: true
            }
        );
        assert!(parse(&["--fast".to_string()]).is_err());
    }

    #[test]
    fn finds_the_listening_url() {
        assert_eq!(
            listening_url("cognito-server listening on http://127.0.0.1:40123").as_deref(),
            Some("http://127.0.0.1:40123")
        );
        assert_eq!(
            listening_url("2024-01-01T00:00:00Z INFO cognito-server listening on http://[::1]:9229 (region us-east-1)")
                .as_deref(),
            Some("http://[::1]:9229")
        );
        assert_eq!(
            listening_url("\u{1b}[2mlistening on http://127.0.0.1:1\u{1b}[0m").as_deref(),
            Some("http://127.0.0.1:1")
        );
        assert_eq!(listening_url("starting"), None);
        assert_eq!(listening_url("listening on a socket"), None);
    }
}
