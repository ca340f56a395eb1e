//! Functions run as local commands: one process per invocation, started with the
//! command's argv, environment and working directory (plus `AWS_LAMBDA_FUNCTION_NAME` and
//! `AWS_REGION`, as Lambda sets them). The event is written to its stdin, which is then
//! closed; the result is what it writes on stdout: all of it when that is one JSON value,
//! else its last non-empty line (so a handler may log to stdout before answering).
//!
//! A process that exits non-zero failed; its message is, in order: the `errorMessage` of
//! the JSON result, the message of the last `SomeError: message` line on stderr (how
//! Node and Python report an uncaught error), the last non-empty line of stderr, or the
//! exit status. A process still running at the time limit is killed. What a process
//! writes besides its result goes to the server's log at debug level; the event never
//! does.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use cognito_core::lambda::LambdaError;

use super::{error_message, Command, FunctionArn, MAX_RESULT_BYTES};

/// Which output a reader thread drained.
enum Stream {
    Stdout,
    Stderr,
}

/// What a reader thread read: at most [`MAX_RESULT_BYTES`], and whether there was more.
struct Drained {
    bytes: Vec<u8>,
    overflowed: bool,
}

/// Runs `command` for function `arn` with `event`, for at most `timeout`.
// The monotonic clock bounds the run; only this crate reads clocks.
#[allow(clippy::disallowed_methods)]
pub(super) fn run(
    command: &Command,
    arn: &FunctionArn<'_>,
    event: &[u8],
    timeout: Duration,
) -> Result<Vec<u8>, LambdaError> {
    let deadline = Instant::now() + timeout;
    let Some((program, args)) = command.argv.split_first() else {
        return Err(LambdaError::Unreachable(
            "the function's command is empty".to_owned(),
        ));
    };
    let mut process = std::process::Command::new(program_path(program, command.cwd.as_deref()));
    process
        .args(args)
        .env("AWS_LAMBDA_FUNCTION_NAME", arn.name)
        .env("AWS_REGION", arn.region)
        .envs(&command.env)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(cwd) = &command.cwd {
        process.current_dir(cwd);
    }
    let mut child = process.spawn().map_err(|e| {
        LambdaError::Unreachable(format!("cannot start the command {program}: {e}"))
    })?;

    let (sender, drained) = mpsc::channel();
    let started = start_threads(&mut child, event, &sender);
    drop(sender);
    if let Err(e) = started {
        stop(&mut child);
        return Err(LambdaError::Unreachable(format!(
            "cannot start a thread for the command {program}: {e}"
        )));
    }

    let mut stdout = None;
    let mut stderr = None;
    while stdout.is_none() || stderr.is_none() {
        match drained.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok((Stream::Stdout, d)) => stdout = Some(d),
            Ok((Stream::Stderr, d)) => stderr = Some(d),
            Err(_) => {
                stop(&mut child);
                return Err(LambdaError::Timeout);
            }
        }
    }
    let status = wait_until(&mut child, deadline)?;
    let stdout = stdout.unwrap_or(Drained {
        bytes: Vec::new(),
        overflowed: false,
    });
    let stderr = stderr.map(|d| d.bytes).unwrap_or_default();

    for line in lines(&stderr) {
        tracing::debug!(function = arn.full, "stderr: {line}");
    }
    let (result, before) = result_of(&stdout.bytes);
    for line in lines(before) {
        tracing::debug!(function = arn.full, "stdout: {line}");
    }
    if stdout.overflowed {
        return Err(LambdaError::Unreachable(
            "the function's answer is larger than 6 MB".to_owned(),
        ));
    }
    outcome(status, result, &stdout.bytes, &stderr)
}

/// Starts the threads that write `event` to the child's stdin and drain its stdout and
/// stderr into `sender`.
fn start_threads(
    child: &mut Child,
    event: &[u8],
    sender: &mpsc::Sender<(Stream, Drained)>,
) -> std::io::Result<()> {
    if let Some(mut stdin) = child.stdin.take() {
        let event = event.to_vec();
        // A process that exits without reading its input is no failure of the server's.
        std::thread::Builder::new()
            .name("function-stdin".into())
            .spawn(move || drop(stdin.write_all(&event)))?;
    }
    if let Some(stdout) = child.stdout.take() {
        let sender = sender.clone();
        std::thread::Builder::new()
            .name("function-stdout".into())
            .spawn(move || drop(sender.send((Stream::Stdout, drain(stdout)))))?;
    }
    if let Some(stderr) = child.stderr.take() {
        let sender = sender.clone();
        std::thread::Builder::new()
            .name("function-stderr".into())
            .spawn(move || drop(sender.send((Stream::Stderr, drain(stderr)))))?;
    }
    Ok(())
}

/// Reads `from` to its end, keeping at most [`MAX_RESULT_BYTES`] (a process is never
/// left blocked on a full pipe).
fn drain(mut from: impl Read) -> Drained {
    let mut bytes = Vec::new();
    let mut overflowed = false;
    let mut buffer = [0u8; 16 * 1024];
    loop {
        match from.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                let chunk = buffer.get(..n).unwrap_or_default();
                if bytes.len() as u64 + n as u64 <= MAX_RESULT_BYTES {
                    bytes.extend_from_slice(chunk);
                } else {
                    overflowed = true;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    Drained { bytes, overflowed }
}

/// The child's exit status once it has exited, which it is about to when its outputs are
/// closed; killed at `deadline` if it has not.
#[allow(clippy::disallowed_methods)]
fn wait_until(child: &mut Child, deadline: Instant) -> Result<ExitStatus, LambdaError> {
    let mut pause = Duration::from_micros(20);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) => {}
            Err(e) => {
                stop(child);
                return Err(LambdaError::Unreachable(format!(
                    "cannot wait for the command: {e}"
                )));
            }
        }
        if Instant::now() >= deadline {
            stop(child);
            return Err(LambdaError::Timeout);
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(5));
    }
}

/// Kills the child and reaps it.
fn stop(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// A relative program path with a folder in it (`./handler.sh`) is relative to the
/// command's working directory; a bare name is looked up in `PATH`.
fn program_path(program: &str, cwd: Option<&Path>) -> PathBuf {
    let path = Path::new(program);
    match cwd {
        Some(cwd) if path.is_relative() && path.components().count() > 1 => cwd.join(path),
        _ => path.to_path_buf(),
    }
}

/// The JSON result in a command's stdout, and what the command wrote before it: all of
/// stdout when it is one JSON value, else its last non-empty line when that is one.
fn result_of(stdout: &[u8]) -> (Option<&[u8]>, &[u8]) {
    if is_json(stdout) {
        return (Some(stdout), &[]);
    }
    let trimmed = stdout.trim_ascii_end();
    let start = trimmed
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let (before, last) = trimmed.split_at(start);
    if is_json(last) {
        (Some(last), before)
    } else {
        (None, stdout)
    }
}

fn is_json(bytes: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
}

/// The function's result or failure, from how the process ended.
fn outcome(
    status: ExitStatus,
    result: Option<&[u8]>,
    stdout: &[u8],
    stderr: &[u8],
) -> Result<Vec<u8>, LambdaError> {
    if status.success() {
        // Output that is no JSON is handed on as it is: core answers that it cannot read it.
        return Ok(result.unwrap_or(stdout).to_vec());
    }
    let message = result
        .and_then(error_message)
        .or_else(|| stderr_message(stderr))
        .unwrap_or_else(|| match status.code() {
            Some(code) => format!("exit status {code}"),
            None => format!("the command ended with {status}"),
        });
    Err(LambdaError::Function(message))
}

/// The error message on a failed process's stderr: the message of the last line that
/// reads `SomeError: message` or `SomeException: message`, else the last non-empty line.
fn stderr_message(stderr: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let uncaught = lines.iter().rev().find_map(|line| {
        let (name, message) = line.split_once(": ")?;
        let identifier = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'$'));
        (identifier && (name.ends_with("Error") || name.ends_with("Exception")))
            .then(|| message.trim().to_owned())
    });
    uncaught.or_else(|| lines.last().map(|l| (*l).to_owned()))
}

/// The non-empty lines of `bytes`, as text.
fn lines(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_result_is_all_of_stdout_or_its_last_line() {
        assert_eq!(
            result_of(b" {\"a\":\n1} \n"),
            (Some(&b" {\"a\":\n1} \n"[..]), &b""[..])
        );
        assert_eq!(
            result_of(b"starting\n{\"a\":1}\n\n"),
            (Some(&br#"{"a":1}"#[..]), &b"starting\n"[..])
        );
        assert_eq!(
            result_of(b"{\"a\":1}\ndone\n"),
            (None, &b"{\"a\":1}\ndone\n"[..])
        );
        assert_eq!(result_of(b""), (None, &b""[..]));
    }

    #[test]
    fn uncaught_errors_give_their_message() {
        let node = b"/h/pre.js:3\n    throw new Error('no sign-ups today');\n    ^\n\n\
                     Error: no sign-ups today\n    at exports.handler (/h/pre.js:3:11)\n\nNode.js v20.11.0\n";
        assert_eq!(stderr_message(node).as_deref(), Some("no sign-ups today"));
        let python = b"Traceback (most recent call last):\n  File \"h.py\", line 3, in <module>\n\
                       ValueError: bad email: x@y\n";
        assert_eq!(stderr_message(python).as_deref(), Some("bad email: x@y"));
        assert_eq!(
            stderr_message(b"warning: a\nrefused by policy\n").as_deref(),
            Some("refused by policy")
        );
        assert_eq!(stderr_message(b"\n \n"), None);
    }

    #[test]
    fn relative_programs_with_a_folder_are_under_the_working_directory() {
        let cwd = Path::new("/srv/functions");
        assert_eq!(program_path("./h.sh", Some(cwd)), cwd.join("./h.sh"));
        assert_eq!(program_path("bin/h", Some(cwd)), cwd.join("bin/h"));
        assert_eq!(program_path("node", Some(cwd)), PathBuf::from("node"));
        assert_eq!(
            program_path("/usr/bin/env", Some(cwd)),
            PathBuf::from("/usr/bin/env")
        );
        assert_eq!(program_path("./h.sh", None), PathBuf::from("./h.sh"));
    }
}
