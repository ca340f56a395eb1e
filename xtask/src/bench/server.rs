//! The emulator under test when no `--endpoint` is given: built in release mode, started
//! on a free port, watched through `/proc` and killed when dropped.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::process::Process;
use super::stats::now;
use crate::root;

/// How long the server may take to announce its address.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// What the server prints once it listens.
const ANNOUNCEMENT: &str = "cognito-server listening on ";

/// The target directory: `CARGO_TARGET_DIR` or `<repo>/target`.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// `cargo build --release -p cognito-server`; returns the binary.
pub fn build() -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root())
        .args(["build", "--release", "-p", "cognito-server"])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!(
            "cargo build --release -p cognito-server failed: {status}"
        ));
    }
    Ok(target_dir().join("release").join("cognito-server"))
}

/// A running server, killed on drop.
#[derive(Debug)]
pub struct Server {
    child: Child,
    /// Held open so that the server never writes into a closed pipe.
    _stdout: Option<BufReader<ChildStdout>>,
    /// The URL it announced.
    pub url: String,
    /// From spawning the process to its first answer.
    pub cold_start: Duration,
}

impl Server {
    /// Starts `binary --port 0` with `args`, waits for its announcement and for the first
    /// answer to `GET /health` (any HTTP answer counts).
    pub fn start_with(binary: &Path, args: &[String]) -> Result<Server, String> {
        let spawned = now();
        let mut child = Command::new(binary)
            .args(["--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let Some(stdout) = child.stdout.take() else {
            let _ = child.kill();
            let _ = child.wait();
            return Err("the server's stdout is not piped".to_string());
        };
        // From here on, dropping `server` on an error kills the process.
        let mut server = Server {
            child,
            _stdout: None,
            url: String::new(),
            cold_start: Duration::ZERO,
        };
        let (stdout, url) = announcement(BufReader::new(stdout))?;
        server._stdout = Some(stdout);
        let authority = url
            .strip_prefix("http://")
            .ok_or_else(|| format!("unexpected announcement `{url}`"))?
            .trim_end_matches('/')
            .to_owned();
        first_answer(&authority)?;
        server.cold_start = spawned.elapsed();
        server.url = url;
        Ok(server)
    }

    /// The process, for `/proc`.
    pub fn process(&self) -> Process {
        Process::Pid(self.child.id())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads the announcement line on a helper thread, so that a silent server times out.
fn announcement(
    mut stdout: BufReader<ChildStdout>,
) -> Result<(BufReader<ChildStdout>, String), String> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let read = stdout.read_line(&mut line).map(|_| line);
        let _ = send.send((stdout, read));
    });
    let (stdout, line) = receive
        .recv_timeout(STARTUP_TIMEOUT)
        .map_err(|_| "the server did not announce its address".to_string())?;
    let line = line.map_err(|e| format!("cannot read the server's stdout: {e}"))?;
    let url = line
        .trim()
        .strip_prefix(ANNOUNCEMENT)
        .ok_or_else(|| format!("unexpected first line from the server: `{}`", line.trim()))?
        .to_owned();
    Ok((stdout, url))
}

/// Retries `GET /health` until some HTTP answer arrives.
fn first_answer(authority: &str) -> Result<(), String> {
    let deadline = now() + STARTUP_TIMEOUT;
    let request = format!("GET /health HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
    loop {
        let attempt = TcpStream::connect(authority).and_then(|mut stream| {
            stream.set_nodelay(true)?;
            stream.set_read_timeout(Some(Duration::from_secs(5)))?;
            stream.write_all(request.as_bytes())?;
            let mut start = [0u8; 8];
            stream.read_exact(&mut start)?;
            Ok(start)
        });
        match attempt {
            Ok(start) if start.starts_with(b"HTTP/1.") => return Ok(()),
            Ok(start) => {
                return Err(format!(
                    "not an HTTP answer: {:?}",
                    String::from_utf8_lossy(&start)
                ))
            }
            Err(e) if now() > deadline => {
                return Err(format!("the server never answered: {e}"));
            }
            Err(_) => std::thread::sleep(Duration::from_micros(200)),
        }
    }
}
