//! Trigger functions run by the server's runners: local commands (Python scripts the
//! tests write), an HTTP URL and a Lambda Invoke API (HTTP servers started in the test),
//! each on its own through [`Functions`], then end to end through the API with a server
//! started with `--lambda-command`, `--lambda-url` and `--config`.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use cognito_core::lambda::{Invoked, Lambda, LambdaError};
use cognito_server::functions::sigv4::Credentials;
use cognito_server::functions::{Command, Function, Functions, LambdaSettings, Runner};
use cognito_server::{CommandFlag, UrlFlag};
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use url::Url;

use crate::support::{empty, Server, DEFAULT_REGION};

const ACCOUNT: &str = "123456789012";

fn arn(name: &str) -> String {
    format!("arn:aws:lambda:{DEFAULT_REGION}:{ACCOUNT}:function:{name}")
}

/// A folder of the test's own, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let path =
            std::env::temp_dir().join(format!("cognito-functions-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Scratch(path)
    }

    fn write(&self, file: &str, contents: &str) -> PathBuf {
        let path = self.0.join(file);
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A function in Python that does what the event's `request.mode` says.
const HANDLER: &str = r#"
import json, os, sys, time
event = json.load(sys.stdin)
mode = event["request"].get("mode")
if mode == "fail-json":
    print(json.dumps({"errorMessage": "refused " + event["userName"], "errorType": "Error"}))
    sys.exit(1)
if mode == "raise":
    raise ValueError("bad email: " + event["userName"])
if mode == "stderr":
    print("checking", file=sys.stderr)
    print("refused by policy", file=sys.stderr)
    sys.exit(2)
if mode == "silent":
    sys.exit(3)
if mode == "garbage":
    print("this is no JSON")
    sys.exit(0)
if mode == "sleep":
    time.sleep(60)
print("a log line before the result")
event["response"] = {
    "autoConfirmUser": True,
    "function": os.environ["AWS_LAMBDA_FUNCTION_NAME"],
    "region": os.environ["AWS_REGION"],
    "mode": os.environ.get("MODE"),
    "cwd": os.path.realpath(os.getcwd()),
}
print(json.dumps(event))
"#;

fn event(mode: &str) -> Vec<u8> {
    json!({
        "version": "1",
        "triggerSource": "PreSignUp_SignUp",
        "region": DEFAULT_REGION,
        "userPoolId": format!("{DEFAULT_REGION}_abc"),
        "userName": "alice",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "c"},
        "request": {"mode": mode, "userAttributes": {}},
        "response": {},
    })
    .to_string()
    .into_bytes()
}

fn functions(entries: Vec<(&str, Runner, Option<Duration>)>, endpoint: Option<Url>) -> Functions {
    Functions::new(
        LambdaSettings {
            endpoint,
            timeout: Duration::from_secs(20),
            functions: entries
                .into_iter()
                .map(|(name, runner, timeout)| (name.to_owned(), Function { runner, timeout }))
                .collect(),
        },
        None,
    )
}

fn python(scratch: &Scratch, env: &[(&str, &str)], cwd: Option<&Path>) -> Runner {
    let script = scratch.write("handler.py", HANDLER);
    Runner::Command(Command {
        argv: vec!["python3".into(), script.to_str().unwrap().into()],
        env: env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<BTreeMap<_, _>>(),
        cwd: cwd.map(Path::to_path_buf),
    })
}

/// Runs `function` on a blocking thread, as the service does.
async fn invoke(functions: &Arc<Functions>, function: &str, event: Vec<u8>) -> Invoked {
    let functions = Arc::clone(functions);
    let function = function.to_owned();
    tokio::task::spawn_blocking(move || functions.invoke(&function, &event))
        .await
        .unwrap()
}

fn result_json(invoked: Invoked) -> Value {
    let bytes = invoked.result.unwrap_or_else(|e| panic!("{e:?}"));
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn a_command_reads_the_event_on_stdin_and_answers_on_stdout() {
    let scratch = Scratch::new("answers");
    let cwd = std::fs::canonicalize(&scratch.0).unwrap();
    let functions = Arc::new(functions(
        vec![(
            "pre-sign-up",
            python(&scratch, &[("MODE", "strict")], Some(&cwd)),
            None,
        )],
        None,
    ));
    let invoked = invoke(&functions, &arn("pre-sign-up"), event("answer")).await;
    assert!(invoked.micros > 0);
    let result = result_json(invoked);
    assert_eq!(result["userName"], "alice");
    assert_eq!(
        result["response"],
        json!({
            "autoConfirmUser": true,
            "function": "pre-sign-up",
            "region": DEFAULT_REGION,
            "mode": "strict",
            "cwd": cwd.to_str().unwrap(),
        })
    );
}

#[tokio::test]
async fn a_failed_command_gives_its_error_message() {
    let scratch = Scratch::new("failures");
    let functions = Arc::new(functions(
        vec![("f", python(&scratch, &[], None), None)],
        None,
    ));
    let cases = [
        ("fail-json", "refused alice"),
        ("raise", "bad email: alice"),
        ("stderr", "refused by policy"),
        ("silent", "exit status 3"),
    ];
    for (mode, message) in cases {
        let invoked = invoke(&functions, &arn("f"), event(mode)).await;
        assert_eq!(
            invoked.result,
            Err(LambdaError::Function(message.to_owned())),
            "{mode}"
        );
    }
    // Output that is no JSON is handed on for core to refuse.
    let invoked = invoke(&functions, &arn("f"), event("garbage")).await;
    assert_eq!(invoked.result.unwrap(), b"this is no JSON\n");
}

#[tokio::test]
async fn a_command_still_running_at_the_time_limit_is_killed() {
    let scratch = Scratch::new("timeout");
    let functions = Arc::new(functions(
        vec![(
            "slow",
            python(&scratch, &[], None),
            Some(Duration::from_millis(500)),
        )],
        None,
    ));
    let invoked = invoke(&functions, &arn("slow"), event("sleep")).await;
    assert_eq!(invoked.result, Err(LambdaError::Timeout));
    // The function sleeps for a minute: the runner gave up at its limit.
    assert!(
        invoked.micros >= 500_000 && invoked.micros < 30_000_000,
        "{}",
        invoked.micros
    );
}

#[tokio::test]
async fn a_command_that_cannot_start_is_unreachable() {
    let functions = Arc::new(functions(
        vec![(
            "missing",
            Runner::Command(Command {
                argv: vec!["/nonexistent/handler".into()],
                env: BTreeMap::new(),
                cwd: None,
            }),
            None,
        )],
        None,
    ));
    let invoked = invoke(&functions, &arn("missing"), event("answer")).await;
    let Err(LambdaError::Unreachable(why)) = invoked.result else {
        panic!("{invoked:?}")
    };
    assert!(
        why.starts_with("cannot start the command /nonexistent/handler:"),
        "{why}"
    );
}

/// A request an HTTP stub received.
#[derive(Debug, Clone)]
struct Received {
    method: String,
    uri: String,
    headers: http::HeaderMap,
    body: Vec<u8>,
}

/// What an HTTP stub answers: status, headers, body, and how long it waits first.
struct Reply {
    status: u16,
    headers: Vec<(&'static str, &'static str)>,
    body: Vec<u8>,
    delay: Duration,
}

impl Reply {
    fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type", "application/json")],
            body: body.to_string().into_bytes(),
            delay: Duration::ZERO,
        }
    }
}

/// An HTTP server answering each request as `answer` says, keeping what it received.
struct Stub {
    url: Url,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Stub {
    async fn start(answer: impl Fn(&Received) -> Reply + Send + Sync + 'static) -> Stub {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let answer = Arc::new(answer);
        let log = Arc::clone(&received);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let answer = Arc::clone(&answer);
                let log = Arc::clone(&log);
                tokio::spawn(async move {
                    let service = service_fn(move |request: Request<Incoming>| {
                        let answer = Arc::clone(&answer);
                        let log = Arc::clone(&log);
                        async move {
                            let (parts, body) = request.into_parts();
                            let received = Received {
                                method: parts.method.to_string(),
                                uri: parts.uri.to_string(),
                                headers: parts.headers,
                                body: body.collect().await.unwrap().to_bytes().to_vec(),
                            };
                            let reply = answer(&received);
                            log.lock().unwrap().push(received);
                            tokio::time::sleep(reply.delay).await;
                            let mut response = Response::builder().status(reply.status);
                            for (name, value) in reply.headers {
                                response = response.header(name, value);
                            }
                            Ok::<_, Infallible>(
                                response.body(Full::new(Bytes::from(reply.body))).unwrap(),
                            )
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Stub { url, received }
    }

    fn at(&self, path: &str) -> Url {
        self.url.join(path).unwrap()
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

/// A function behind a URL, by path: `/answer` answers, `/refuse` fails with an error
/// object, `/text` with plain text, `/slow` answers after the time limit.
async fn url_functions() -> Stub {
    Stub::start(|received| {
        let mut event: Value = serde_json::from_slice(&received.body).unwrap();
        match received.uri.as_str() {
            "/answer" => {
                event["response"] = json!({"autoConfirmUser": true});
                Reply::json(200, event)
            }
            "/refuse" => Reply::json(400, json!({"errorMessage": "no sign-ups today"})),
            "/text" => Reply {
                status: 502,
                headers: vec![],
                body: b" upstream down \n".to_vec(),
                delay: Duration::ZERO,
            },
            "/slow" => Reply {
                delay: Duration::from_secs(30),
                ..Reply::json(200, event)
            },
            _ => Reply::json(404, json!({})),
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_url_receives_the_event_and_answers_the_result() {
    let stub = url_functions().await;
    let functions = Arc::new(functions(
        vec![
            ("answer", Runner::Url(stub.at("/answer")), None),
            ("refuse", Runner::Url(stub.at("/refuse")), None),
            ("text", Runner::Url(stub.at("/text")), None),
            (
                "slow",
                Runner::Url(stub.at("/slow")),
                Some(Duration::from_millis(300)),
            ),
        ],
        None,
    ));
    let result = result_json(invoke(&functions, &arn("answer"), event("answer")).await);
    assert_eq!(result["response"], json!({"autoConfirmUser": true}));
    assert_eq!(result["userName"], "alice");
    let received = stub.received();
    assert_eq!(received[0].method, "POST");
    assert_eq!(received[0].headers["content-type"], "application/json");
    assert_eq!(received[0].body, event("answer"));

    let cases = [
        ("refuse", LambdaError::Function("no sign-ups today".into())),
        ("text", LambdaError::Function("upstream down".into())),
        ("slow", LambdaError::Timeout),
    ];
    for (name, error) in cases {
        assert_eq!(
            invoke(&functions, &arn(name), event("answer")).await.result,
            Err(error),
            "{name}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_runner_that_cannot_be_reached_is_unreachable() {
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let closed = Url::parse(&format!("http://127.0.0.1:{port}/f")).unwrap();
    let functions = Arc::new(functions(
        vec![("by-url", Runner::Url(closed.clone()), None)],
        Some(closed),
    ));
    for name in ["by-url", "by-endpoint"] {
        let invoked = invoke(&functions, &arn(name), event("answer")).await;
        assert_eq!(
            invoked.result,
            Err(LambdaError::Unreachable(format!(
                "cannot reach http://127.0.0.1:{port}: connection refused"
            ))),
            "{name}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn https_urls_are_spoken_to_over_tls() {
    // A server that speaks plain HTTP: the TLS handshake fails, so the function cannot be
    // reached (an https URL is not refused for its scheme).
    let stub = url_functions().await;
    let mut url = stub.at("/answer");
    url.set_scheme("https").unwrap();
    let functions = Arc::new(functions(vec![("f", Runner::Url(url.clone()), None)], None));
    let invoked = invoke(&functions, &arn("f"), event("answer")).await;
    let Err(LambdaError::Unreachable(why)) = invoked.result else {
        panic!("{invoked:?}")
    };
    let origin = url.origin().ascii_serialization();
    assert!(
        why.starts_with(&format!("cannot reach {origin}: ")),
        "{why}"
    );
    assert!(stub.received().is_empty());
}

/// A Lambda Invoke API serving functions `answer` (answers the event), `throws` (a
/// handled error) and `crashes` (an unhandled one, without a message); any other is
/// unknown, and `broken` makes the service fail.
async fn invoke_api() -> Stub {
    Stub::start(|received| {
        let path = received.uri.split('?').next().unwrap();
        let name = path
            .strip_prefix("/2015-03-31/functions/")
            .and_then(|rest| rest.strip_suffix("/invocations"))
            .unwrap_or("");
        match name {
            "answer" => {
                let mut event: Value = serde_json::from_slice(&received.body).unwrap();
                event["response"] = json!({"autoConfirmUser": true});
                Reply::json(200, event)
            }
            "throws" => Reply {
                headers: vec![("X-Amz-Function-Error", "Handled")],
                ..Reply::json(
                    200,
                    json!({"errorMessage": "no sign-ups today", "errorType": "Error", "trace": []}),
                )
            },
            "crashes" => Reply {
                headers: vec![("X-Amz-Function-Error", "Unhandled")],
                body: b"Runtime exited".to_vec(),
                ..Reply::json(200, json!({}))
            },
            "broken" => Reply::json(
                500,
                json!({"__type": "com.amazonaws.lambda#ServiceException", "message": "x"}),
            ),
            _ => Reply {
                headers: vec![(
                    "x-amzn-ErrorType",
                    "ResourceNotFoundException:http://internal",
                )],
                ..Reply::json(
                    404,
                    json!({"Type": "User", "message": "Function not found"}),
                )
            },
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_invoke_api_is_called_as_the_sdks_call_lambda() {
    let api = invoke_api().await;
    let functions = Arc::new(functions(vec![], Some(api.url.clone())));
    let function = "arn:aws:lambda:eu-west-3:111122223333:function:answer:live";
    let result = result_json(invoke(&functions, function, event("answer")).await);
    assert_eq!(result["response"], json!({"autoConfirmUser": true}));

    let received = api.received();
    let request = &received[0];
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.uri,
        "/2015-03-31/functions/answer/invocations?Qualifier=live"
    );
    assert_eq!(request.headers["x-amz-invocation-type"], "RequestResponse");
    assert_eq!(request.headers["content-type"], "application/json");
    assert_eq!(request.headers["host"], api.url.authority());
    assert_eq!(request.body, event("answer"));
    // Signed for the function's Region, by its account (how LocalStack tells accounts apart).
    let date = request.headers["x-amz-date"].to_str().unwrap();
    assert_eq!(date.len(), 16);
    let authorization = request.headers["authorization"].to_str().unwrap();
    let scope = format!(
        "Credential=111122223333/{}/eu-west-3/lambda/aws4_request, ",
        &date[..8]
    );
    assert!(
        authorization.starts_with(&format!("AWS4-HMAC-SHA256 {scope}")),
        "{authorization}"
    );
    assert!(
        authorization.contains(
            "SignedHeaders=content-type;host;x-amz-date;x-amz-invocation-type, Signature="
        ),
        "{authorization}"
    );

    let cases = [
        ("throws", LambdaError::Function("no sign-ups today".into())),
        ("crashes", LambdaError::Function("Runtime exited".into())),
        (
            "unknown",
            LambdaError::Unreachable("ResourceNotFoundException".into()),
        ),
        (
            "broken",
            LambdaError::Unreachable("ServiceException".into()),
        ),
    ];
    for (name, error) in cases {
        let invoked = invoke(&functions, &arn(name), event("answer")).await;
        assert_eq!(invoked.result, Err(error), "{name}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_of_the_environment_sign_invoke_api_calls() {
    let api = invoke_api().await;
    let functions = Arc::new(Functions::new(
        LambdaSettings {
            endpoint: Some(api.url.clone()),
            ..LambdaSettings::default()
        },
        Some(Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "example-secret".into(),
            session_token: Some("session".into()),
        }),
    ));
    result_json(invoke(&functions, &arn("answer"), event("answer")).await);
    let request = &api.received()[0];
    assert_eq!(request.headers["x-amz-security-token"], "session");
    let authorization = request.headers["authorization"].to_str().unwrap();
    assert!(
        authorization.contains("Credential=AKIDEXAMPLE/"),
        "{authorization}"
    );
    assert!(
        authorization.contains(";x-amz-security-token, "),
        "{authorization}"
    );
}

// Through the API.

async fn pool_with(server: &Server, lambda_config: Value) -> (String, String) {
    let created = server
        .call(
            "CreateUserPool",
            json!({"PoolName": "triggers", "LambdaConfig": lambda_config}),
        )
        .await;
    assert_eq!(created.status, 200, "{created:?}");
    let pool = created.body["UserPool"]["Id"].as_str().unwrap().to_owned();
    let client = server
        .call(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool, "ClientName": "web"}),
        )
        .await
        .body["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    (pool, client)
}

async fn sign_up(
    server: &Server,
    client: &str,
    username: &str,
    mode: &str,
) -> crate::support::Answer {
    server
        .call(
            "SignUp",
            json!({
                "ClientId": client,
                "Username": username,
                "Password": "Passw0rd!",
                "ValidationData": [{"Name": "mode", "Value": mode}],
            }),
        )
        .await
}

/// A PreSignUp function in Python that refuses `mallory` and auto-confirms everyone else.
const PRE_SIGN_UP: &str = r#"
import json, sys
event = json.load(sys.stdin)
if event["userName"] == "mallory":
    print(json.dumps({"errorMessage": "no sign-ups for " + event["userName"]}))
    sys.exit(1)
if event["userName"] == "garbage":
    print("not an event")
    sys.exit(0)
event["response"]["autoConfirmUser"] = True
print(json.dumps(event))
"#;

#[tokio::test(flavor = "multi_thread")]
async fn sign_up_runs_a_pre_sign_up_command() {
    let scratch = Scratch::new("sign-up");
    let script = scratch.write("pre_sign_up.py", PRE_SIGN_UP);
    let server = Server::start_with(|options| {
        options.lambda_commands = vec![CommandFlag {
            name: "pre-sign-up".into(),
            argv: vec!["python3".into(), script.to_str().unwrap().into()],
        }];
    })
    .await;
    let (pool, client) = pool_with(&server, json!({"PreSignUp": arn("pre-sign-up")})).await;

    let signed_up = sign_up(&server, &client, "alice", "answer").await;
    assert_eq!(signed_up.status, 200, "{signed_up:?}");
    assert_eq!(signed_up.body["UserConfirmed"], true);

    sign_up(&server, &client, "mallory", "answer")
        .await
        .assert_error(
            400,
            "UserLambdaValidationException",
            "PreSignUp failed with error no sign-ups for mallory.",
        );
    let garbage = sign_up(&server, &client, "garbage", "answer").await;
    assert_eq!(
        garbage.body["__type"], "InvalidLambdaResponseException",
        "{garbage:?}"
    );

    let listed = server
        .send(empty(http::Request::get(format!(
            "/_cognito/trigger-invocations?pool_id={pool}&username=alice"
        ))))
        .await;
    assert_eq!(listed.status, 200, "{listed:?}");
    let invocations = listed.body["invocations"].as_array().unwrap();
    assert_eq!(invocations.len(), 1, "{listed:?}");
    assert_eq!(invocations[0]["function_arn"], arn("pre-sign-up"));
    assert_eq!(invocations[0]["response"]["autoConfirmUser"], true);
    assert!(invocations[0]["micros"].as_u64().unwrap() > 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_up_runs_functions_named_in_the_configuration_file_and_by_url() {
    let stub = url_functions().await;
    let scratch = Scratch::new("config-file");
    scratch.write("pre_sign_up.py", PRE_SIGN_UP);
    let config = scratch.write(
        "cognito.toml",
        &format!(
            "[lambda]\ntimeout_ms = 10000\n\n\
             [functions.\"{}\"]\ncommand = \"python3 pre_sign_up.py\"\n",
            arn("pre-sign-up")
        ),
    );
    let server = Server::start_with(|options| {
        options.config = Some(config);
        options.lambda_urls = vec![UrlFlag {
            name: "url-pre-sign-up".into(),
            url: stub.at("/refuse"),
        }];
    })
    .await;

    // The command's folder is the file's: `pre_sign_up.py` is found there.
    let (_, client) = pool_with(&server, json!({"PreSignUp": arn("pre-sign-up")})).await;
    let signed_up = sign_up(&server, &client, "alice", "answer").await;
    assert_eq!(signed_up.body["UserConfirmed"], true, "{signed_up:?}");

    let (_, client) = pool_with(&server, json!({"PreSignUp": arn("url-pre-sign-up")})).await;
    sign_up(&server, &client, "bob", "answer")
        .await
        .assert_error(
            400,
            "UserLambdaValidationException",
            "PreSignUp failed with error no sign-ups today.",
        );

    let (_, client) = pool_with(&server, json!({"PreSignUp": arn("nowhere")})).await;
    let unrouted = sign_up(&server, &client, "carol", "answer").await;
    assert_eq!(
        unrouted.body["__type"], "UnexpectedLambdaException",
        "{unrouted:?}"
    );
    let message = unrouted.body["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!(
            "PreSignUp invocation failed due to error no runner is configured for {}",
            arn("nowhere")
        )),
        "{message}"
    );
}

#[tokio::test]
async fn a_bad_configuration_stops_run_before_it_serves() {
    let scratch = Scratch::new("bad-config");
    let config = scratch.write(
        "cognito.toml",
        "[functions.f]\nurl = \"http://a\"\ncommand = \"x\"\n",
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let options = cognito_server::Options {
        config: Some(config.clone()),
        ..<cognito_server::Options as clap::Parser>::try_parse_from(["cognito-server"]).unwrap()
    };
    let error = cognito_server::run(listener, &options, std::future::pending())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    assert_eq!(
        error.to_string(),
        format!(
            "{}: [functions.f] has more than one of `command`, `url` and `endpoint`",
            config.display()
        )
    );
}

#[test]
fn the_binary_refuses_a_bad_configuration_before_it_listens() {
    let scratch = Scratch::new("bad-config-binary");
    let config = scratch.write("cognito.toml", "[lambda]\ntimeout_ms = \"soon\"\n");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_cognito-server"))
        .args(["--port", "0", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(output.stdout.is_empty(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(&format!("cognito-server: {}: ", config.display())),
        "{stderr}"
    );
    assert!(stderr.contains("timeout_ms"), "{stderr}");
}
