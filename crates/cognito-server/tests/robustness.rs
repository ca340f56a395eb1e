//! The server binary against clients that try to knock it over: pipelined requests cut
//! by SIGTERM, half-sent requests past the descriptor limit, uploads to a wrong address.
//!
//! Each test starts the binary (`COGNITO_SERVER_BIN`, or the one cargo built) on a free
//! port and speaks raw HTTP/1.1 to it over blocking sockets.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How long any one read may wait: far longer than any answer takes.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The server binary under test.
fn binary() -> std::ffi::OsString {
    std::env::var_os("COGNITO_SERVER_BIN")
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_cognito-server").into())
}

/// The binary, running; killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    /// Starts the binary on a free port, with at most `descriptors` open files when
    /// given.
    fn start(descriptors: Option<u32>) -> Server {
        let mut command = match descriptors {
            // A shell sets the limit for the process it becomes.
            Some(limit) => {
                let mut sh = Command::new("sh");
                sh.args(["-c", &format!("ulimit -n {limit} && exec \"$0\" --port 0")])
                    .arg(binary());
                sh
            }
            None => {
                let mut server = Command::new(binary());
                server.args(["--port", "0"]);
                server
            }
        };
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("cognito-server listening on http://")
            .unwrap_or_else(|| panic!("{line}"))
            .parse()
            .unwrap();
        Server { child, addr }
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(self.addr).unwrap();
        stream.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
        stream
    }

    /// Calls `operation` on a connection of its own; the answer's status and body.
    fn call(&self, operation: &str, body: &str) -> (u16, String) {
        let mut stream = self.connect();
        stream.write_all(&api(operation, body)).unwrap();
        Answers::new(stream).next().expect("an answer")
    }

    /// Sends SIGTERM and waits for the process to exit.
    fn terminate(mut self) -> std::process::ExitStatus {
        let killed = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        self.child.wait().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An API request for `operation` with a JSON `body`.
fn api(operation: &str, body: &str) -> Vec<u8> {
    format!(
        "POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-amz-json-1.1\r\n\
         x-amz-target: AWSCognitoIdentityProviderService.{operation}\r\n\
         content-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The answers arriving on a connection, in order.
struct Answers {
    stream: TcpStream,
    buffered: Vec<u8>,
}

impl Answers {
    fn new(stream: TcpStream) -> Self {
        Answers {
            stream,
            buffered: Vec::new(),
        }
    }

    /// Reads more; false at the end of the stream (or when it is reset).
    fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 16 * 1024];
        match self.stream.read(&mut chunk) {
            Ok(0) => false,
            Ok(n) => {
                self.buffered.extend_from_slice(&chunk[..n]);
                true
            }
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => false,
            Err(e) => panic!("{e}"),
        }
    }

    /// The next answer's status and body; `None` when the connection ends first.
    fn next(&mut self) -> Option<(u16, String)> {
        let head_end = loop {
            if let Some(at) = self.buffered.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            if !self.fill() {
                return None;
            }
        };
        let head = String::from_utf8_lossy(&self.buffered[..head_end]).into_owned();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        let length: usize = head
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().unwrap())
            })
            .unwrap_or(0);
        while self.buffered.len() < head_end + length {
            if !self.fill() {
                return None;
            }
        }
        let body = String::from_utf8_lossy(&self.buffered[head_end..head_end + length]);
        let body = body.into_owned();
        self.buffered.drain(..head_end + length);
        Some((status, body))
    }

    /// Whether the server has closed the connection, once the answers are read.
    fn closed(&mut self) -> bool {
        self.buffered.is_empty() && !self.fill()
    }
}

/// SIGTERM lets every request already sent be answered: pipelined requests on
/// connections opened just before, and on connections that answered before.
#[test]
fn sigterm_answers_every_request_already_sent() {
    const CONNECTIONS: usize = 100;
    const PIPELINED: usize = 40;
    let server = Server::start(None);
    let request = api("ListUserPools", r#"{"MaxResults":1}"#);
    let mut connections: Vec<Answers> = (0..CONNECTIONS)
        .map(|_| Answers::new(server.connect()))
        .collect();
    for answers in connections.iter_mut().step_by(2) {
        answers.stream.write_all(&request).unwrap();
        assert_eq!(answers.next().unwrap().0, 200);
    }
    for answers in &mut connections {
        answers
            .stream
            .write_all(&request.repeat(PIPELINED))
            .unwrap();
    }
    let status = server.terminate();

    for (i, answers) in connections.iter_mut().enumerate() {
        for n in 0..PIPELINED {
            let answer = answers.next();
            assert_eq!(
                answer.as_ref().map(|a| a.0),
                Some(200),
                "connection {i}, request {n}: {answer:?}"
            );
        }
        assert!(
            answers.closed(),
            "connection {i} is closed after its answers"
        );
    }
    assert!(status.success(), "{status}");
}

/// Half-sent requests beyond the descriptor limit do not keep a new client out, and the
/// server keeps fewer connections than it has descriptors.
#[test]
fn half_sent_requests_past_the_descriptor_limit_leave_room_for_new_clients() {
    let server = Server::start(Some(256));
    let mut slow = Vec::new();
    for _ in 0..400 {
        let mut stream = server.connect();
        stream
            .write_all(b"POST / HTTP/1.1\r\nhost: x\r\ncontent-le")
            .unwrap();
        slow.push(stream);
    }
    for _ in 0..3 {
        let (status, body) = server.call("ListUserPools", r#"{"MaxResults":1}"#);
        assert_eq!(status, 200, "{body}");
    }
    let open = std::fs::read_dir(format!("/proc/{}/fd", server.child.id()))
        .map(Iterator::count)
        .unwrap_or(0);
    assert!(open < 256, "{open} descriptors open");
}

/// An upload to a job's URL with a wrong token is refused before its body is read: the
/// answer comes though the 100 MiB it announces never do.
#[test]
fn an_upload_with_a_wrong_token_is_refused_unread() {
    let server = Server::start(None);
    let (status, pool) = server.call("CreateUserPool", r#"{"PoolName":"imports"}"#);
    assert_eq!(status, 200, "{pool}");
    let pool_id = pool
        .split("\"Id\":\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let job = format!(
        r#"{{"UserPoolId":"{pool_id}","JobName":"j",
            "CloudWatchLogsRoleArn":"arn:aws:iam::123456789012:role/import"}}"#
    );
    let (status, job) = server.call("CreateUserImportJob", &job);
    assert_eq!(status, 200, "{job}");
    let job_id = job
        .split("\"JobId\":\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();

    let mut stream = server.connect();
    let head = format!(
        "PUT /_cognito/user-import/{pool_id}/{job_id}?token=wrong HTTP/1.1\r\nhost: x\r\n\
         content-length: {}\r\n\r\n",
        100 * 1024 * 1024
    );
    stream.write_all(head.as_bytes()).unwrap();
    let (status, body) = Answers::new(stream).next().expect("answered");
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("NotAuthorizedException"), "{body}");
}
