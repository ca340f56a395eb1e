//! The trigger round trip: `SignUp` in a pool whose `PreSignUp` function auto-confirms
//! the user, against `SignUp` in a pool without triggers, with the function run by each
//! of the server's runners: a Lambda Invoke API (a small HTTP server in this process
//! answering at once, so that only the runner's cost shows), and local commands (tiny
//! Python and Node scripts, one process per sign-up; and `cat`, which answers the event
//! unchanged, for what the command runner itself costs besides an interpreter's start).
//!
//! The server is one of the harness's own, started with the runners configured
//! (`--lambda-endpoint`, `--lambda-command`); with `--endpoint` the scenario is skipped,
//! as the server's configuration is unknown. Server CPU/req does not count the commands'
//! processes (they are its children, not its threads); the bench's own CPU/req includes
//! the Invoke API server's.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};

use super::http::{Endpoint, RequestHead};
use super::load::{closed_loop, Workload};
use super::report::Row;
use super::scenarios::{Control, Settings};
use super::server::Server;
use super::stats::{Human, Summary};

/// Sign-ups of the runs on one connection whose function answers in process (no trigger,
/// the Invoke API), at most (`--requests` caps it).
const FAST_SIGN_UPS: u64 = 2_000;

/// Sign-ups of each command's runs, at most: each starts a process.
const COMMAND_SIGN_UPS: u64 = 200;

/// Connections of the loaded command runs, at most: each holds a process.
const COMMAND_CONCURRENCY: usize = 8;

/// The account and Region of the functions' ARNs.
const ARN_PREFIX: &str = "arn:aws:lambda:us-east-1:123456789012:function:";

const PYTHON_FUNCTION: &str = r#"import json, sys
event = json.load(sys.stdin)
event["response"]["autoConfirmUser"] = True
json.dump(event, sys.stdout)
"#;

const NODE_FUNCTION: &str = r#"let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const event = JSON.parse(input);
  event.response.autoConfirmUser = true;
  process.stdout.write(JSON.stringify(event));
});
"#;

/// How a pool's `PreSignUp` function runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Runner {
    /// No trigger: the baseline.
    None,
    /// The Invoke API of this process.
    InvokeApi,
    /// `python3` with a script.
    Python,
    /// `node` with a script.
    Node,
    /// `cat`: the event back unchanged (the user stays unconfirmed).
    Cat,
}

impl Runner {
    fn row_name(self) -> &'static str {
        match self {
            Runner::None => "SignUp",
            Runner::InvokeApi => "SignUp + PreSignUp, Invoke API",
            Runner::Python => "SignUp + PreSignUp, python3 command",
            Runner::Node => "SignUp + PreSignUp, node command",
            Runner::Cat => "SignUp + PreSignUp, cat command",
        }
    }

    /// The function the pool names; its name is the one the server is configured with.
    fn function(self) -> Option<&'static str> {
        match self {
            Runner::None => None,
            Runner::InvokeApi => Some("bench-invoke-api"),
            Runner::Python => Some("bench-python"),
            Runner::Node => Some("bench-node"),
            Runner::Cat => Some("bench-cat"),
        }
    }

    fn is_command(self) -> bool {
        matches!(self, Runner::Python | Runner::Node | Runner::Cat)
    }

    /// Whether its function confirms the user.
    fn confirms(self) -> bool {
        matches!(self, Runner::InvokeApi | Runner::Python | Runner::Node)
    }
}

/// Runs the sign-ups through every runner this machine has, with a server of its own.
pub async fn pre_sign_up(settings: &Settings) -> Result<Vec<Row>, String> {
    let Some(binary) = &settings.binary else {
        eprintln!("bench: PreSignUp needs a server the bench starts (no --endpoint); skipped");
        return Ok(Vec::new());
    };
    let folder =
        std::env::temp_dir().join(format!("cognito-bench-triggers-{}", std::process::id()));
    std::fs::create_dir_all(&folder)
        .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    let measured = with_folder(binary, &folder, settings).await;
    let _ = std::fs::remove_dir_all(&folder);
    measured
}

async fn with_folder(
    binary: &Path,
    folder: &Path,
    settings: &Settings,
) -> Result<Vec<Row>, String> {
    let invoke_api = InvokeApi::start().map_err(|e| format!("cannot start the Invoke API: {e}"))?;
    let mut args = vec![
        "--lambda-endpoint".to_owned(),
        format!("http://{}", invoke_api.address),
    ];
    let mut runners = vec![Runner::None, Runner::InvokeApi];
    for (runner, program, file, source) in [
        (Runner::Python, "python3", "pre_sign_up.py", PYTHON_FUNCTION),
        (Runner::Node, "node", "pre_sign_up.js", NODE_FUNCTION),
    ] {
        if !installed(program) {
            eprintln!("bench: {program} not found; its PreSignUp row is left out");
            continue;
        }
        let script = write(folder, file, source)?;
        args.push("--lambda-command".to_owned());
        args.push(format!(
            "{}={program} '{}'",
            runner.function().unwrap_or_default(),
            script.display()
        ));
        runners.push(runner);
    }
    if installed("cat") {
        args.push("--lambda-command".to_owned());
        args.push(format!(
            "{}=cat",
            Runner::Cat.function().unwrap_or_default()
        ));
        runners.push(Runner::Cat);
    }
    let server = Server::start_with(binary, &args)?;
    let endpoint = Endpoint::resolve(&server.url)?;
    let settings = Settings {
        server: Some(server.process()),
        ..settings.clone()
    };
    let mut control = Control::open(&endpoint).await?;

    let mut rows = Vec::new();
    let mut baseline: Option<Summary> = None;
    for runner in runners {
        let client = pool_for(&mut control, runner).await?;
        let (requests, concurrency) = if runner.is_command() {
            (
                settings.requests.min(COMMAND_SIGN_UPS),
                settings.concurrency.min(COMMAND_CONCURRENCY),
            )
        } else {
            (settings.requests.min(FAST_SIGN_UPS), settings.concurrency)
        };
        for (run, connections) in [("serial", 1), ("loaded", concurrency)] {
            let workload = Rc::new(SignUps {
                client: client.clone(),
                prefix: format!("{run}-"),
            });
            let outcome = closed_loop(
                &settings.plan(&endpoint, requests, connections),
                RequestHead::api(&endpoint, "SignUp"),
                workload,
            )
            .await?;
            let mut row = Row::from_outcome(runner.row_name(), connections, outcome);
            if connections == 1 {
                match (runner, &row.latency, &baseline) {
                    (Runner::None, Some(latency), _) => baseline = Some(*latency),
                    (_, Some(latency), Some(base)) => {
                        row.note = Some(overhead(runner, latency, base))
                    }
                    _ => {}
                }
            }
            rows.push(row);
        }
    }
    drop(server);
    drop(invoke_api);
    Ok(rows)
}

/// What one invocation adds to a sign-up on one connection.
fn overhead(runner: Runner, latency: &Summary, base: &Summary) -> String {
    let added = latency.p50.saturating_sub(base.p50);
    let what = match runner {
        Runner::InvokeApi => "the Invoke API round trip (a signed POST on a kept connection, the function answering at once)",
        Runner::Python => "starting python3, the script, and reading its answer",
        Runner::Node => "starting node, the script, and reading its answer",
        Runner::Cat => "the command runner alone: a process started, the event through its pipes, its exit waited for",
        Runner::None => "nothing",
    };
    format!(
        "one PreSignUp invocation adds {} at p50 over SignUp without a trigger ({} against {}): {what}",
        Human(added),
        Human(latency.p50),
        Human(base.p50)
    )
}

/// A pool whose `PreSignUp` is `runner`'s function (none for [`Runner::None`]), and its
/// app client; one sign-up checks that the function runs (it confirms the user).
async fn pool_for(control: &mut Control, runner: Runner) -> Result<String, String> {
    let name = format!("bench-triggers-{}", std::process::id());
    let input = match runner.function() {
        Some(function) => json!({
            "PoolName": name,
            "LambdaConfig": { "PreSignUp": format!("{ARN_PREFIX}{function}") },
        }),
        None => json!({ "PoolName": name }),
    };
    let pool = control.call("CreateUserPool", &input).await?;
    let pool_id = pool
        .pointer("/UserPool/Id")
        .and_then(Value::as_str)
        .ok_or("CreateUserPool: no UserPool.Id in the answer")?
        .to_owned();
    let client = control
        .call(
            "CreateUserPoolClient",
            &json!({ "UserPoolId": pool_id, "ClientName": "bench" }),
        )
        .await?
        .pointer("/UserPoolClient/ClientId")
        .and_then(Value::as_str)
        .ok_or("CreateUserPoolClient: no ClientId in the answer")?
        .to_owned();
    let mut probe = Vec::new();
    SignUps {
        client: client.clone(),
        prefix: "probe-".into(),
    }
    .body(0, &mut probe);
    let input: Value = serde_json::from_slice(&probe).map_err(|e| e.to_string())?;
    let answer = control.call("SignUp", &input).await?;
    let confirmed = answer.get("UserConfirmed").and_then(Value::as_bool);
    if confirmed != Some(runner.confirms()) {
        return Err(format!(
            "{}: the first sign-up answered {answer}",
            runner.row_name()
        ));
    }
    Ok(client)
}

/// `SignUp` of `{prefix}{index}` with a password.
struct SignUps {
    client: String,
    prefix: String,
}

impl Workload for SignUps {
    fn body(&self, index: u64, out: &mut Vec<u8>) {
        let _ = write!(
            out,
            r#"{{"ClientId":"{}","Username":"{}{index}","Password":"Bench-Passw0rd!"}}"#,
            self.client, self.prefix
        );
    }
}

fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn write(folder: &Path, file: &str, contents: &str) -> Result<PathBuf, String> {
    let path = folder.join(file);
    std::fs::write(&path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// A Lambda Invoke API in this process whose every function auto-confirms at once: one
/// thread per connection, HTTP/1.1 with keep-alive. Stops accepting when dropped.
struct InvokeApi {
    address: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl InvokeApi {
    fn start() -> std::io::Result<InvokeApi> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let address = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        std::thread::Builder::new()
            .name("bench-invoke-api".into())
            .spawn(move || {
                for stream in listener.incoming() {
                    if stopped.load(Ordering::Relaxed) {
                        return;
                    }
                    if let Ok(stream) = stream {
                        let _ = std::thread::Builder::new()
                            .name("bench-invoke-api-connection".into())
                            .spawn(move || serve(stream));
                    }
                }
            })?;
        Ok(InvokeApi { address, stop })
    }
}

impl Drop for InvokeApi {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wakes the accepting thread, which then sees the flag.
        let _ = TcpStream::connect(self.address);
    }
}

/// Answers the invocations of one connection until it closes.
fn serve(stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let mut length = 0usize;
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0u8; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let answer = match serde_json::from_slice::<Value>(&body) {
            Ok(mut event) => {
                if let Some(response) = event.get_mut("response").and_then(Value::as_object_mut) {
                    response.insert("autoConfirmUser".into(), Value::Bool(true));
                }
                event.to_string()
            }
            Err(_) => "{}".to_owned(),
        };
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            answer.len()
        );
        if writer
            .write_all(head.as_bytes())
            .and_then(|()| writer.write_all(answer.as_bytes()))
            .is_err()
        {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_invoke_api_answers_the_event_confirmed() {
        let api = InvokeApi::start().unwrap();
        let mut stream = TcpStream::connect(api.address).unwrap();
        let event = r#"{"userName":"a","request":{},"response":{}}"#;
        for _ in 0..2 {
            write!(
                stream,
                "POST /2015-03-31/functions/f/invocations HTTP/1.1\r\nHost: x\r\n\
                 Content-Length: {}\r\n\r\n{event}",
                event.len()
            )
            .unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut status = String::new();
            reader.read_line(&mut status).unwrap();
            assert_eq!(status, "HTTP/1.1 200 OK\r\n");
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line == "\r\n" {
                    break;
                }
                if let Some(v) = line.strip_prefix("Content-Length: ") {
                    length = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let answer: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(answer["response"]["autoConfirmUser"], true);
            assert_eq!(answer["userName"], "a");
        }
    }

    #[test]
    fn sign_ups_are_json_with_unique_names() {
        let workload = SignUps {
            client: "c".into(),
            prefix: "serial-".into(),
        };
        let mut out = Vec::new();
        workload.body(42, &mut out);
        let body: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            body,
            json!({"ClientId": "c", "Username": "serial-42", "Password": "Bench-Passw0rd!"})
        );
    }

    #[test]
    fn overhead_is_the_difference_of_medians() {
        let ms = std::time::Duration::from_millis;
        let summary = |p50| Summary {
            p50,
            p99: p50,
            max: p50,
        };
        let note = overhead(Runner::Python, &summary(ms(25)), &summary(ms(1)));
        assert!(
            note.starts_with("one PreSignUp invocation adds 24"),
            "{note}"
        );
    }
}
