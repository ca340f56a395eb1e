//! The data directory (`--data-dir`) tested on the real binary: state written, the
//! process killed (SIGKILL, no chance to flush anything) and started again on the same
//! directory, everything acknowledged still there.
//!
//! `acknowledged_writes_survive_sigkill` runs a few rounds by default;
//! `COGNITO_CRASH_ROUNDS=300` runs as many as asked.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::BufRead as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

/// A folder of its own under the system's temporary folder, removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "cognito-durable-{name}-{}-{:x}",
            std::process::id(),
            rand_u64()
        ));
        std::fs::create_dir_all(&path).unwrap();
        Scratch(path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(std::process::id().into());
    h.finish()
}

/// The server binary running on a data directory.
struct Server {
    child: Child,
    /// Held open, so that the server never writes into a closed pipe.
    _stdout: std::io::BufReader<std::process::ChildStdout>,
    base: String,
    agent: ureq::Agent,
}

impl Server {
    fn start(dir: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cognito-server"))
            // Tokens name the issuer; the port changes from one start to the next.
            .args([
                "--port",
                "0",
                "--issuer-base",
                "http://localhost:9229",
                "--data-dir",
            ])
            .arg(dir)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut stdout = std::io::BufReader::new(stdout);
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let base = line
            .trim()
            .strip_prefix("cognito-server listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(30))
            .build();
        Server {
            child,
            _stdout: stdout,
            base,
            agent,
        }
    }

    /// Calls `operation`; answers the status and the body.
    fn try_call(&self, operation: &str, body: &Value) -> Result<(u16, Value), String> {
        let answer = self
            .agent
            .post(&format!("{}/", self.base))
            .set(
                "X-Amz-Target",
                &format!("AWSCognitoIdentityProviderService.{operation}"),
            )
            .set("Content-Type", "application/x-amz-json-1.1")
            .send_string(&body.to_string());
        let response = match answer {
            Ok(response) => response,
            Err(ureq::Error::Status(_, response)) => response,
            Err(e) => return Err(e.to_string()),
        };
        let status = response.status();
        let text = response.into_string().unwrap_or_default();
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
    }

    /// Calls `operation`, which must succeed.
    fn call(&self, operation: &str, body: Value) -> Value {
        let (status, answer) = self.try_call(operation, &body).unwrap();
        assert_eq!(status, 200, "{operation} {body}: {answer}");
        answer
    }

    fn get(&self, path: &str) -> Value {
        let text = self
            .agent
            .get(&format!("{}{path}", self.base))
            .call()
            .unwrap()
            .into_string()
            .unwrap();
        serde_json::from_str(&text).unwrap()
    }

    /// Kills the process: no shutdown, no flush.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const PASSWORD: &str = "Corr3ct!horse";

/// A pool with an app client for password sign-ins and refresh; answers their ids.
fn pool_and_client(server: &Server) -> (String, String) {
    let pool = server.call(
        "CreateUserPool",
        json!({"PoolName": "durable", "MfaConfiguration": "OPTIONAL",
               "UserPoolAddOns": null}),
    )["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    server.call(
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": pool, "SoftwareTokenMfaConfiguration": {"Enabled": true},
               "MfaConfiguration": "OPTIONAL"}),
    );
    let client = server.call(
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": "app",
               "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
                                     "ALLOW_ADMIN_USER_PASSWORD_AUTH"]}),
    )["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    (pool, client)
}

fn password_auth(client: &str, user: &str, password: &str) -> Value {
    json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
           "AuthParameters": {"USERNAME": user, "PASSWORD": password}})
}

fn refresh_auth(client: &str, token: &str) -> Value {
    json!({"ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH",
           "AuthParameters": {"REFRESH_TOKEN": token}})
}

fn now_secs() -> i64 {
    #[allow(clippy::disallowed_methods)]
    let now = std::time::SystemTime::now();
    now.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

#[test]
fn state_survives_a_restart() {
    let scratch = Scratch::new("restart");
    let server = Server::start(&scratch.0);
    let (pool, client) = pool_and_client(&server);
    server.call(
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": "ann", "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "email", "Value": "ann@example.com"}]}),
    );
    server.call(
        "AdminSetUserPassword",
        json!({"UserPoolId": pool, "Username": "ann", "Password": PASSWORD, "Permanent": true}),
    );
    server.call(
        "CreateGroup",
        json!({"UserPoolId": pool, "GroupName": "admins"}),
    );
    server.call(
        "AdminAddUserToGroup",
        json!({"UserPoolId": pool, "Username": "ann", "GroupName": "admins"}),
    );
    let secret_client = server.call(
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": "backend", "GenerateSecret": true}),
    )["UserPoolClient"]
        .clone();
    let tokens = server.call("InitiateAuth", password_auth(&client, "ann", PASSWORD))
        ["AuthenticationResult"]
        .clone();
    let access = tokens["AccessToken"].as_str().unwrap().to_owned();
    let refresh = tokens["RefreshToken"].as_str().unwrap().to_owned();
    let keys = server.get(&format!("/{pool}/.well-known/jwks.json"));

    // An authenticator app, verified and preferred.
    let secret = server.call("AssociateSoftwareToken", json!({"AccessToken": access}))
        ["SecretCode"]
        .as_str()
        .unwrap()
        .to_owned();
    let key = cognito_crypto::totp::TotpKey::from_secret_code(&secret).unwrap();
    let code = key.totp(now_secs()).unwrap().expose().clone();
    server.call(
        "VerifySoftwareToken",
        json!({"AccessToken": access, "UserCode": code}),
    );
    server.call(
        "SetUserMFAPreference",
        json!({"AccessToken": access,
               "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    );
    server.kill();

    let server = Server::start(&scratch.0);
    // The same signing key: the key set and tokens issued before the restart.
    assert_eq!(server.get(&format!("/{pool}/.well-known/jwks.json")), keys);
    let user = server.call("GetUser", json!({"AccessToken": access}));
    assert_eq!(user["Username"], "ann");
    // The refresh token of the sign-in before.
    let refreshed = server.call("InitiateAuth", refresh_auth(&client, &refresh));
    assert!(refreshed["AuthenticationResult"]["AccessToken"].is_string());
    // The password, then the authenticator app: a code of the next step (the one it
    // verified with is used up).
    let challenge = server.call("InitiateAuth", password_auth(&client, "ann", PASSWORD));
    assert_eq!(challenge["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    let code = key.totp(now_secs() + 30).unwrap().expose().clone();
    let signed_in = server.call(
        "RespondToAuthChallenge",
        json!({"ClientId": client, "ChallengeName": "SOFTWARE_TOKEN_MFA",
               "Session": challenge["Session"],
               "ChallengeResponses": {"USERNAME": "ann", "SOFTWARE_TOKEN_MFA_CODE": code}}),
    );
    assert!(signed_in["AuthenticationResult"]["AccessToken"].is_string());
    // The group and its member, the client and its secret.
    let groups = server.call(
        "AdminListGroupsForUser",
        json!({"UserPoolId": pool, "Username": "ann"}),
    );
    assert_eq!(groups["Groups"][0]["GroupName"], "admins");
    let members = server.call(
        "ListUsersInGroup",
        json!({"UserPoolId": pool, "GroupName": "admins"}),
    );
    assert_eq!(members["Users"][0]["Username"], "ann");
    let described = server.call(
        "DescribeUserPoolClient",
        json!({"UserPoolId": pool, "ClientId": secret_client["ClientId"]}),
    );
    assert_eq!(
        described["UserPoolClient"]["ClientSecret"],
        secret_client["ClientSecret"]
    );
    server.kill();

    // The database alone holds none of these secrets in the clear.
    let database = std::fs::read(scratch.0.join("state.redb")).unwrap();
    for secret in [
        secret.as_bytes(),
        secret_client["ClientSecret"].as_str().unwrap().as_bytes(),
        b"ann@example.com",
    ] {
        assert!(
            !database.windows(secret.len()).any(|w| w == secret),
            "{:?} is in the database file",
            String::from_utf8_lossy(secret)
        );
    }

    // Export, and import into another directory: the same state.
    let export = Command::new(env!("CARGO_BIN_EXE_cognito-server"))
        .args(["export", "--data-dir"])
        .arg(&scratch.0)
        .output()
        .unwrap();
    assert!(export.status.success(), "{export:?}");
    let document: Value = serde_json::from_slice(&export.stdout).unwrap();
    assert!(document["records"].as_array().unwrap().len() > 5);
    let copy = Scratch::new("copy");
    let mut import = Command::new(env!("CARGO_BIN_EXE_cognito-server"))
        .args(["import", "--data-dir"])
        .arg(&copy.0)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut import.stdin.take().unwrap(), &export.stdout).unwrap();
    assert!(import.wait().unwrap().success());
    let server = Server::start(&copy.0);
    let user = server.call("GetUser", json!({"AccessToken": access}));
    assert_eq!(user["Username"], "ann");
    server.kill();
}

/// What one writer knows was acknowledged for one user.
#[derive(Debug, Clone, Default)]
struct Acked {
    user: String,
    /// Steps acknowledged: created, password set, signed in, in the group, password
    /// changed.
    steps: usize,
    /// Whether a step past `steps` was sent (it may or may not have been kept).
    attempted: bool,
    refresh: Option<String>,
    /// A self-service user: signed up and confirmed.
    signed_up: bool,
}

const FIRST: &str = "First!passw0rd";
const SECOND: &str = "Second!passw0rd";

/// One writer's loop: users taken through the steps, each step recorded once
/// acknowledged, until the server goes away.
fn write_until_killed(
    server: &Server,
    pool: &str,
    client: &str,
    writer: usize,
    round: usize,
    acked: &Mutex<Vec<Acked>>,
    stop: &AtomicBool,
) {
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        let user = format!("r{round}w{writer}u{n}");
        n += 1;
        let index = {
            let mut all = acked.lock().unwrap();
            all.push(Acked {
                user: user.clone(),
                ..Acked::default()
            });
            all.len() - 1
        };
        let step = |operation: &str, body: Value| -> Option<Value> {
            acked.lock().unwrap()[index].attempted = true;
            match server.try_call(operation, &body) {
                Ok((200, answer)) => {
                    let mut all = acked.lock().unwrap();
                    all[index].steps += 1;
                    all[index].attempted = false;
                    Some(answer)
                }
                Ok((status, answer)) => panic!("{operation}: {status} {answer}"),
                Err(_) => None,
            }
        };
        if writer % 4 == 3 {
            // Self-service: sign up, then an administrator confirms.
            let Some(_) = step(
                "SignUp",
                json!({"ClientId": client, "Username": user, "Password": FIRST,
                       "UserAttributes": [{"Name": "email", "Value": format!("{user}@example.com")}]}),
            ) else {
                return;
            };
            acked.lock().unwrap()[index].signed_up = true;
            let Some(_) = step(
                "AdminConfirmSignUp",
                json!({"UserPoolId": pool, "Username": user}),
            ) else {
                return;
            };
            continue;
        }
        let Some(_) = step(
            "AdminCreateUser",
            json!({"UserPoolId": pool, "Username": user, "MessageAction": "SUPPRESS"}),
        ) else {
            return;
        };
        let Some(_) = step(
            "AdminSetUserPassword",
            json!({"UserPoolId": pool, "Username": user, "Password": FIRST, "Permanent": true}),
        ) else {
            return;
        };
        let Some(tokens) = step("InitiateAuth", password_auth(client, &user, FIRST)) else {
            return;
        };
        acked.lock().unwrap()[index].refresh = tokens["AuthenticationResult"]["RefreshToken"]
            .as_str()
            .map(str::to_owned);
        let Some(_) = step(
            "AdminAddUserToGroup",
            json!({"UserPoolId": pool, "Username": user, "GroupName": "crew"}),
        ) else {
            return;
        };
        let Some(_) = step(
            "AdminSetUserPassword",
            json!({"UserPoolId": pool, "Username": user, "Password": SECOND, "Permanent": true}),
        ) else {
            return;
        };
    }
}

/// Checks that everything acknowledged is there, and that nothing is half done.
fn check(server: &Server, pool: &str, client: &str, acked: &[Acked]) -> usize {
    let mut checked = 0;
    let members: Vec<String> = {
        let mut names = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut body = json!({"UserPoolId": pool, "GroupName": "crew", "Limit": 60});
            if let Some(t) = &token {
                body["NextToken"] = json!(t);
            }
            let page = server.call("ListUsersInGroup", body);
            for u in page["Users"].as_array().unwrap() {
                names.push(u["Username"].as_str().unwrap().to_owned());
            }
            match page["NextToken"].as_str() {
                Some(t) => token = Some(t.to_owned()),
                None => break,
            }
        }
        names
    };
    for a in acked {
        let (status, user) = server
            .try_call(
                "AdminGetUser",
                &json!({"UserPoolId": pool, "Username": a.user}),
            )
            .unwrap();
        if a.steps == 0 {
            // Never acknowledged: there or not, but whole.
            assert!(
                status == 200 || user["__type"] == "UserNotFoundException",
                "{user}"
            );
            continue;
        }
        assert_eq!(status, 200, "{} was acknowledged: {user}", a.user);
        checked += a.steps;
        if a.signed_up {
            let confirmed = user["UserStatus"] == "CONFIRMED";
            assert!(confirmed || a.steps < 2, "{}: {user}", a.user);
            continue;
        }
        let in_group = members.contains(&a.user);
        let groups = server.call(
            "AdminListGroupsForUser",
            json!({"UserPoolId": pool, "Username": a.user}),
        );
        let listed = groups["Groups"].as_array().unwrap().len() == 1;
        // Both sides of a membership agree: no half-applied change.
        assert_eq!(in_group, listed, "{}", a.user);
        if a.steps >= 4 {
            assert!(in_group, "{} was added to the group", a.user);
        }
        if a.steps >= 2 {
            let may_be_second = a.steps >= 5 || (a.steps == 4 && a.attempted);
            let expected = if a.steps >= 5 { SECOND } else { FIRST };
            let (status, _) = server
                .try_call("InitiateAuth", &password_auth(client, &a.user, expected))
                .unwrap();
            if status != 200 {
                assert!(may_be_second, "{} signs in with {expected}", a.user);
                let (status, answer) = server
                    .try_call("InitiateAuth", &password_auth(client, &a.user, SECOND))
                    .unwrap();
                assert_eq!(status, 200, "{}: {answer}", a.user);
            }
        }
        if let (true, Some(refresh)) = (a.steps >= 3, &a.refresh) {
            let (status, answer) = server
                .try_call("InitiateAuth", &refresh_auth(client, refresh))
                .unwrap();
            assert_eq!(status, 200, "{} refreshes: {answer}", a.user);
        }
    }
    checked
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    let rounds: usize = std::env::var("COGNITO_CRASH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(4);
    let scratch = Scratch::new("crash");
    let server = Server::start(&scratch.0);
    let (pool, client) = pool_and_client(&server);
    server.call(
        "CreateGroup",
        json!({"UserPoolId": pool, "GroupName": "crew"}),
    );
    let mut server = Some(server);
    let mut acked_total = 0;
    let mut seed = rand_u64();
    for round in 0..rounds {
        let running = Arc::new(server.take().unwrap());
        let acked = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let writers: Vec<_> = (0..8)
            .map(|writer| {
                let (running, acked, stop) = (running.clone(), acked.clone(), stop.clone());
                let (pool, client) = (pool.clone(), client.clone());
                std::thread::spawn(move || {
                    write_until_killed(&running, &pool, &client, writer, round, &acked, &stop)
                })
            })
            .collect();
        // Kill at a moment of the run picked at random: 50 to 400 ms in.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(50 + seed % 350));
        let pid = running.child.id();
        Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()
            .unwrap();
        stop.store(true, Ordering::Relaxed);
        for writer in writers {
            writer.join().unwrap();
        }
        drop(Arc::try_unwrap(running).ok().unwrap());
        let restarted = Server::start(&scratch.0);
        let acked = acked.lock().unwrap().clone();
        acked_total += check(&restarted, &pool, &client, &acked);
        server = Some(restarted);
    }
    eprintln!("{rounds} rounds: {acked_total} acknowledged writes checked after SIGKILL");
    assert!(acked_total > 0);
}
