//! The scenarios: what is sent, and how each is checked and measured.
//!
//! Each scenario is a [`Scenario`] variant with a name (used by `--only` and in the
//! table) and a function here that returns its [`Row`]s. A new scenario (a sign-in flow,
//! or an in-process micro-measurement) is one more variant, one more function and one
//! more arm in [`run`].

use std::cell::OnceCell;
use std::io::Write as _;
use std::rc::Rc;

use serde::Deserialize;
use serde_json::{json, Value};

use super::floor;
use super::http::{Connection, Endpoint, RequestHead};
use super::load::{closed_loop, closed_loop_exchanges, Outcome, Plan, Workload};
use super::process::{CpuMeter, Process};
use super::report::Row;
use super::sign_in::{PasswordSignIn, SignInSetup, SrpSignIn};
use super::stats::{now, Latencies};
use super::totp::TotpPool;

/// Pools whose first key set fetch [`Scenario::JwksNewPools`] measures.
const NEW_POOLS: usize = 40;

/// Requests of the single-connection latency probes, at most.
const SERIAL_REQUESTS: u64 = 10_000;

/// The page size of the paging walk.
const PAGE_SIZE: u64 = 60;

/// `USER_PASSWORD_AUTH` sign-ins measured, at most (`--requests` caps it).
const PASSWORD_SIGN_INS: u64 = 10_000;

/// SRP sign-ins measured, at most (`--requests` caps it).
const SRP_SIGN_INS: u64 = 2_000;

/// TOTP sign-ins measured, at most (`--requests` caps it): one per user of the TOTP pool.
const TOTP_SIGN_INS: u64 = 1_000;

/// Iterations of the in-process floor measurements.
const RS256_ITERATIONS: u64 = 2_000;
const MODEXP_ITERATIONS: u64 = 1_000;
const SRP_CLIENT_ITERATIONS: u64 = 300;

/// The scenarios, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// Filling a fresh pool with `--users` users.
    AdminCreateUser,
    /// Reading random existing users.
    AdminGetUser,
    /// `ListUsers` with an `email = "..."` filter matching one user.
    ListUsersFilter,
    /// Walking the whole pool, one page of 60 after another.
    ListUsersPaging,
    /// `InitiateAuth` with `USER_PASSWORD_AUTH`, ending with tokens.
    UserPasswordAuth,
    /// `InitiateAuth` with `USER_SRP_AUTH`, then `RespondToAuthChallenge` to
    /// `PASSWORD_VERIFIER`, ending with tokens.
    UserSrpAuth,
    /// `InitiateAuth` with `USER_PASSWORD_AUTH` answered by `SOFTWARE_TOKEN_MFA`, then
    /// `RespondToAuthChallenge` with the TOTP code, ending with tokens.
    SoftwareTokenMfa,
    /// `SignUp` with a `PreSignUp` function that auto-confirms, through each of the
    /// server's runners, against `SignUp` without triggers ([`super::triggers`]).
    PreSignUp,
    /// `GET /health`: the HTTP path and the request log alone, without an operation.
    Health,
    /// Pools that have never signed anything fetch their key sets all at once, while one
    /// connection keeps asking `GET /health`: each pool's RSA key is made on this first
    /// fetch, and other requests must not wait for it.
    JwksNewPools,
    /// In process: one RS256 signature of a token-sized claims set.
    Rs256Sign,
    /// In process: one 3072-bit modular exponentiation with a 256-bit exponent.
    Modexp3072,
    /// In process: the client's computation of one SRP sign-in.
    SrpClient,
}

impl Scenario {
    /// Every scenario, in the order they run.
    pub const ALL: [Scenario; 13] = [
        Scenario::AdminCreateUser,
        Scenario::AdminGetUser,
        Scenario::ListUsersFilter,
        Scenario::ListUsersPaging,
        Scenario::Health,
        Scenario::JwksNewPools,
        Scenario::UserPasswordAuth,
        Scenario::UserSrpAuth,
        Scenario::SoftwareTokenMfa,
        Scenario::PreSignUp,
        Scenario::Rs256Sign,
        Scenario::Modexp3072,
        Scenario::SrpClient,
    ];

    /// The name in the table.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::AdminCreateUser => "AdminCreateUser",
            Scenario::AdminGetUser => "AdminGetUser",
            Scenario::ListUsersFilter => "ListUsers filter",
            Scenario::ListUsersPaging => "ListUsers paging",
            Scenario::UserPasswordAuth => "USER_PASSWORD_AUTH",
            Scenario::UserSrpAuth => "USER_SRP_AUTH",
            Scenario::SoftwareTokenMfa => "SOFTWARE_TOKEN_MFA",
            Scenario::PreSignUp => "PreSignUp",
            Scenario::Health => "health",
            Scenario::JwksNewPools => "JWKS new pools",
            Scenario::Rs256Sign => "RS256 sign",
            Scenario::Modexp3072 => "modexp 3072",
            Scenario::SrpClient => "SRP client",
        }
    }

    /// Whether `wanted` names this scenario, ignoring case, spaces and punctuation
    /// (`AdminGetUser`, `admin-get-user` and `list-users-filter` all work).
    pub fn is_named(self, wanted: &str) -> bool {
        normalize(self.name()) == normalize(wanted)
    }
}

fn normalize(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The settings every scenario reads.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Connections of the loaded runs.
    pub concurrency: usize,
    /// Requests of each read scenario.
    pub requests: u64,
    /// Users in the pool.
    pub users: u64,
    /// The server's process, when it runs on this machine.
    pub server: Option<Process>,
    /// The server's binary, when the harness started it (scenarios that need a server
    /// started with settings of their own start one more).
    pub binary: Option<std::path::PathBuf>,
}

impl Settings {
    /// A run of `requests` over `concurrency` connections to `endpoint`.
    pub fn plan(&self, endpoint: &Endpoint, requests: u64, concurrency: usize) -> Plan {
        Plan {
            endpoint: endpoint.clone(),
            requests,
            concurrency,
            server: self.server,
        }
    }
}

/// The pool the scenarios share.
#[derive(Debug)]
pub struct Pool {
    /// Its id.
    pub id: String,
    /// Its id as a JSON string, quotes included.
    id_json: String,
    /// The app client and passwords of the sign-in scenarios, made by the first of them.
    sign_in: OnceCell<SignInSetup>,
}

/// A connection for the calls around the measured runs: setup, checks and cleanup.
#[derive(Debug)]
pub struct Control {
    endpoint: Endpoint,
    connection: Connection,
}

impl Control {
    /// Connects to `endpoint`.
    pub async fn open(endpoint: &Endpoint) -> Result<Control, String> {
        let connection = Connection::open(endpoint.address)
            .await
            .map_err(|e| format!("cannot connect to {}: {e}", endpoint.address))?;
        Ok(Control {
            endpoint: endpoint.clone(),
            connection,
        })
    }

    /// Calls `operation` with `input` and returns the parsed answer; a non-2xx answer is
    /// an error.
    pub async fn call(&mut self, operation: &str, input: &Value) -> Result<Value, String> {
        if !self.connection.is_reusable() {
            self.connection = Connection::open(self.endpoint.address)
                .await
                .map_err(|e| format!("cannot reconnect: {e}"))?;
        }
        let head = RequestHead::api(&self.endpoint, operation);
        let body = serde_json::to_vec(input).map_err(|e| e.to_string())?;
        let reply = self
            .connection
            .call(&head, &body)
            .await
            .map_err(|e| format!("{operation}: no answer: {e}"))?;
        if !reply.is_success() {
            return Err(format!("{operation}: {}", reply.describe()));
        }
        serde_json::from_slice(reply.body)
            .map_err(|e| format!("{operation}: answer is not JSON: {e}"))
    }

    /// Creates a fresh pool named `name`.
    pub async fn create_pool(&mut self, name: &str) -> Result<Pool, String> {
        let answer = self
            .call("CreateUserPool", &json!({ "PoolName": name }))
            .await?;
        let id = answer
            .pointer("/UserPool/Id")
            .and_then(Value::as_str)
            .ok_or("CreateUserPool: no UserPool.Id in the answer")?
            .to_owned();
        let id_json = serde_json::to_string(&id).map_err(|e| e.to_string())?;
        Ok(Pool {
            id,
            id_json,
            sign_in: OnceCell::new(),
        })
    }

    /// Deletes `pool`.
    pub async fn delete_pool(&mut self, pool: &Pool) -> Result<(), String> {
        self.call("DeleteUserPool", &json!({ "UserPoolId": pool.id }))
            .await
            .map(drop)
    }
}

/// Runs `scenario` against `pool`, which [`Scenario::AdminCreateUser`] fills.
pub async fn run(
    scenario: Scenario,
    control: &mut Control,
    pool: &Pool,
    settings: &Settings,
) -> Result<Vec<Row>, String> {
    match scenario {
        Scenario::AdminCreateUser => admin_create_user(control, pool, settings).await,
        Scenario::AdminGetUser => admin_get_user(control, pool, settings).await,
        Scenario::ListUsersFilter => list_users_filter(control, pool, settings).await,
        Scenario::ListUsersPaging => list_users_paging(control, pool, settings).await,
        Scenario::UserPasswordAuth => user_password_auth(control, pool, settings).await,
        Scenario::UserSrpAuth => user_srp_auth(control, pool, settings).await,
        Scenario::SoftwareTokenMfa => software_token_mfa(control, settings).await,
        Scenario::PreSignUp => super::triggers::pre_sign_up(settings).await,
        Scenario::Health => health(control, settings).await,
        Scenario::JwksNewPools => jwks_new_pools(control, settings).await,
        Scenario::Rs256Sign => Ok(vec![floor::rs256(scenario.name(), RS256_ITERATIONS)?]),
        Scenario::Modexp3072 => Ok(vec![floor::modexp(scenario.name(), MODEXP_ITERATIONS)?]),
        Scenario::SrpClient => Ok(vec![floor::srp_client(
            scenario.name(),
            SRP_CLIENT_ITERATIONS,
        )?]),
    }
}

/// The sign-in scenarios' app client and passwords, made on first use.
async fn sign_in_setup(
    control: &mut Control,
    pool: &Pool,
    settings: &Settings,
) -> Result<SignInSetup, String> {
    if let Some(setup) = pool.sign_in.get() {
        return Ok(setup.clone());
    }
    let setup = SignInSetup::create(control, pool, settings.users).await?;
    Ok(pool.sign_in.get_or_init(|| setup).clone())
}

/// `USER_PASSWORD_AUTH` sign-ins of random users with a password.
async fn user_password_auth(
    control: &mut Control,
    pool: &Pool,
    settings: &Settings,
) -> Result<Vec<Row>, String> {
    let setup = sign_in_setup(control, pool, settings).await?;
    let head = RequestHead::api(&control.endpoint, "InitiateAuth");
    let flow = Rc::new(PasswordSignIn::new(head, &setup, pick));
    let requests = settings.requests.min(PASSWORD_SIGN_INS);
    let outcome = closed_loop_exchanges(
        &settings.plan(&control.endpoint, requests, settings.concurrency),
        move |index, connection| Rc::clone(&flow).run(index, connection),
    )
    .await?;
    let mut row = row(Scenario::UserPasswordAuth, settings.concurrency, outcome);
    row.note = Some(format!(
        "{} users, one InitiateAuth per sign-in",
        setup.users
    ));
    Ok(vec![row])
}

/// Full SRP sign-ins (both round trips) of random users with a password, after one
/// sign-in of each user: the server makes a user's verifier on its first SRP sign-in.
async fn user_srp_auth(
    control: &mut Control,
    pool: &Pool,
    settings: &Settings,
) -> Result<Vec<Row>, String> {
    let setup = sign_in_setup(control, pool, settings).await?;
    let flow = |pick: fn(u64, u64) -> u64| {
        Rc::new(SrpSignIn::new(
            RequestHead::api(&control.endpoint, "InitiateAuth"),
            RequestHead::api(&control.endpoint, "RespondToAuthChallenge"),
            &pool.id,
            &setup,
            pick,
        ))
    };
    let warm = flow(|index, _| index);
    let warm_up = closed_loop_exchanges(
        &settings.plan(&control.endpoint, setup.users, settings.concurrency),
        move |index, connection| Rc::clone(&warm).run(index, connection),
    )
    .await?;
    if let Some(e) = warm_up.first_error {
        return Err(format!("warming up: {e}"));
    }
    let measured = flow(pick);
    let requests = settings.requests.min(SRP_SIGN_INS);
    let outcome = closed_loop_exchanges(
        &settings.plan(&control.endpoint, requests, settings.concurrency),
        move |index, connection| Rc::clone(&measured).run(index, connection),
    )
    .await?;
    let mut row = row(Scenario::UserSrpAuth, settings.concurrency, outcome);
    row.note = Some(format!(
        "{} users, each signed in once by SRP before the run (verifiers made); a sign-in \
         is InitiateAuth + the client's SRP + RespondToAuthChallenge, and bench CPU/req \
         includes the client's SRP",
        setup.users
    ));
    Ok(vec![row])
}

/// TOTP sign-ins ([`TotpPool`]): each of [`TOTP_SIGN_INS`] users of a pool of their own
/// signs in once, with a password then the code of the moment.
async fn software_token_mfa(
    control: &mut Control,
    settings: &Settings,
) -> Result<Vec<Row>, String> {
    let users = settings.requests.min(TOTP_SIGN_INS);
    let endpoint = control.endpoint.clone();
    let totp = TotpPool::create(control, &endpoint, users, settings.concurrency).await?;
    totp.wait_for_fresh_codes().await;
    let outcome = totp
        .sign_in_all(
            &endpoint,
            &settings.plan(&endpoint, users, settings.concurrency),
        )
        .await;
    totp.delete(control).await;
    let mut row = row(Scenario::SoftwareTokenMfa, settings.concurrency, outcome?);
    row.note = Some(format!(
        "{users} users with a verified software token, each signing in once: a sign-in is \
         InitiateAuth (USER_PASSWORD_AUTH, answered by SOFTWARE_TOKEN_MFA) + \
         RespondToAuthChallenge with the TOTP code"
    ));
    Ok(vec![row])
}

/// `GET /health` at `--concurrency`: what the HTTP path and the request log cost alone.
async fn health(control: &Control, settings: &Settings) -> Result<Vec<Row>, String> {
    let outcome = closed_loop(
        &settings.plan(&control.endpoint, settings.requests, settings.concurrency),
        RequestHead::get(&control.endpoint, "/health"),
        Rc::new(NoBody),
    )
    .await?;
    Ok(vec![row(Scenario::Health, settings.concurrency, outcome)])
}

/// [`NEW_POOLS`] new pools fetch their key sets at once, each on its own connection, while
/// one more connection sends `GET /health` one request after another until they are
/// done. Two rows: the fetches (their server CPU is the key generation), and the health
/// checks answered meanwhile.
async fn jwks_new_pools(control: &mut Control, settings: &Settings) -> Result<Vec<Row>, String> {
    let mut pools = Vec::with_capacity(NEW_POOLS);
    for i in 0..NEW_POOLS {
        let pool = control
            .create_pool(&format!("bench-jwks-{}-{i}", std::process::id()))
            .await;
        match pool {
            Ok(pool) => pools.push(pool),
            Err(e) => {
                delete_pools(control, &pools).await;
                return Err(e);
            }
        }
    }
    let measured = fetch_key_sets(&control.endpoint, &pools, settings).await;
    delete_pools(control, &pools).await;
    let (fetches, probes, walk) = measured?;
    let mut fetches = row(Scenario::JwksNewPools, NEW_POOLS, fetches);
    fetches.note = Some(format!(
        "{NEW_POOLS} pools that had never signed fetched /<poolId>/.well-known/jwks.json at \
         once (each makes its RSA-2048 key): all answered in {}; server CPU/req is one \
         key generation",
        super::stats::Human(walk)
    ));
    let mut probes = Row::from_outcome("health during key generation", 1, probes);
    probes.note = Some(format!(
        "GET /health on one more connection, one after another, while the {NEW_POOLS} key \
         sets were made; server CPU/req includes the key generation"
    ));
    Ok(vec![fetches, probes])
}

/// Sends one key set request per pool, all at once, and health checks on one more
/// connection until they are answered; returns both outcomes and the wall time.
async fn fetch_key_sets(
    endpoint: &Endpoint,
    pools: &[Pool],
    settings: &Settings,
) -> Result<(Outcome, Outcome, std::time::Duration), String> {
    let mut connections = Vec::with_capacity(pools.len());
    for _ in pools {
        connections.push(
            Connection::open(endpoint.address)
                .await
                .map_err(|e| format!("cannot connect: {e}"))?,
        );
    }
    let mut prober = Connection::open(endpoint.address)
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    let done = Rc::new(std::cell::Cell::new(false));
    let cpu = CpuMeter::start(settings.server);
    let started = now();
    let fetches: Vec<_> = pools
        .iter()
        .zip(connections)
        .map(|(pool, mut connection)| {
            let head = RequestHead::get(endpoint, &format!("/{}/.well-known/jwks.json", pool.id));
            tokio::task::spawn_local(async move {
                let sent = now();
                let verdict = match connection.call(&head, b"").await {
                    Ok(reply) if reply.is_success() => Ok(()),
                    Ok(reply) => Err(reply.describe()),
                    Err(e) => Err(format!("no answer: {e}")),
                };
                (sent.elapsed(), verdict)
            })
        })
        .collect();
    let probe_head = RequestHead::get(endpoint, "/health");
    let probing = Rc::clone(&done);
    let probes = tokio::task::spawn_local(async move {
        let mut latencies = Latencies::with_capacity(4096);
        let (mut requests, mut errors, mut first_error) = (0u64, 0u64, None);
        let started = now();
        while !probing.get() {
            let sent = now();
            requests += 1;
            match prober.call(&probe_head, b"").await {
                Ok(reply) if reply.is_success() => latencies.record(sent.elapsed()),
                Ok(reply) => {
                    errors += 1;
                    first_error.get_or_insert(reply.describe());
                }
                Err(e) => {
                    errors += 1;
                    first_error.get_or_insert(format!("no answer: {e}"));
                    break;
                }
            }
        }
        (requests, errors, first_error, latencies, started.elapsed())
    });
    let mut latencies = Latencies::with_capacity(pools.len());
    let (mut errors, mut first_error) = (0u64, None);
    for fetch in fetches {
        let (latency, verdict) = fetch.await.map_err(|e| format!("fetch task failed: {e}"))?;
        latencies.record(latency);
        if let Err(e) = verdict {
            errors += 1;
            first_error.get_or_insert(e);
        }
    }
    let walk = started.elapsed();
    done.set(true);
    let cpu = cpu.stop();
    let (probe_requests, probe_errors, probe_error, probe_latencies, probe_time) = probes
        .await
        .map_err(|e| format!("probe task failed: {e}"))?;
    let fetched = Outcome {
        requests: pools.len() as u64,
        errors,
        elapsed: walk,
        latencies,
        first_error,
        cpu,
    };
    let probed = Outcome {
        requests: probe_requests,
        errors: probe_errors,
        elapsed: probe_time,
        latencies: probe_latencies,
        first_error: probe_error,
        cpu,
    };
    Ok((fetched, probed, walk))
}

async fn delete_pools(control: &mut Control, pools: &[Pool]) {
    for pool in pools {
        if let Err(e) = control.delete_pool(pool).await {
            eprintln!("bench: could not delete pool {}: {e}", pool.id);
        }
    }
}

fn row(scenario: Scenario, concurrency: usize, outcome: Outcome) -> Row {
    Row::from_outcome(scenario.name(), concurrency, outcome)
}

/// Creates `user0` ... `user{N-1}`, each with the email `user{i}@example.com`, then
/// checks that the last one can be read back.
async fn admin_create_user(
    control: &mut Control,
    pool: &Pool,
    settings: &Settings,
) -> Result<Vec<Row>, String> {
    let workload = Rc::new(CreateUsers {
        pool: pool.id_json.clone(),
    });
    let outcome = closed_loop(
        &settings.plan(&control.endpoint, settings.users, settings.concurrency),
        RequestHead::api(&control.endpoint, "AdminCreateUser"),
        workload,
    )
    .await?;
    let rows = vec![row(
        Scenario::AdminCreateUser,
        settings.concurrency,
        outcome,
    )];

    let last = format!("user{}", settings.users.saturating_sub(1));
    let answer = control
        .call(
            "AdminGetUser",
            &json!({ "UserPoolId": pool.id, "Username": last }),
        )
        .await?;
    if answer.get("Username").and_then(Value::as_str) != Some(last.as_str()) {
        return Err(format!("AdminGetUser {last}: unexpected answer {answer}"));
    }
    Ok(rows)
}

/// Reads random users: once loaded, once on a single connection.
async fn admin_get_user(
    control: &mut Control,
    pool: &Pool,
    settings: &Settings,
) -> Result<Vec<Row>, String> {
    let workload = Rc::new(GetUsers {
        pool: pool.id_json.clone(),
        users: settings.users.max(1),
    });
    loaded_and_serial(Scenario::AdminGetUser, control, workload, settings).await
}

/// Finds one random user by email: once loaded, once on a single connection. Checks
/// first that such a filter finds exactly one user.
async fn list_users_filter(
    control: &mut Control,
    pool: &Pool,
    settings: &Settings,
) -> Result<Vec<Row>, String> {
    let probe = settings.users / 2;
    let answer = control
        .call(
            "ListUsers",
            &json!({
                "UserPoolId": pool.id,
                "Filter": format!("email = \"user{probe}@example.com\""),
            }),
        )
        .await?;
    let found = answer.get("Users").and_then(Value::as_array).map(Vec::len);
    if found != Some(1) {
        return Err(format!(
            "ListUsers filter on user{probe}@example.com found {found:?} users, not 1"
        ));
    }
    let workload = Rc::new(FilterUsers {
        pool: pool.id_json.clone(),
        users: settings.users.max(1),
    });
    loaded_and_serial(Scenario::ListUsersFilter, control, workload, settings).await
}

/// A run at `--concurrency`, then one on a single connection for unloaded latency.
async fn loaded_and_serial(
    scenario: Scenario,
    control: &Control,
    workload: Rc<dyn Workload>,
    settings: &Settings,
) -> Result<Vec<Row>, String> {
    let operation = match scenario {
        Scenario::AdminGetUser => "AdminGetUser",
        _ => "ListUsers",
    };
    let head = RequestHead::api(&control.endpoint, operation);
    let mut rows = Vec::new();
    let loaded = closed_loop(
        &settings.plan(&control.endpoint, settings.requests, settings.concurrency),
        head.clone(),
        Rc::clone(&workload),
    )
    .await?;
    rows.push(row(scenario, settings.concurrency, loaded));
    if settings.concurrency > 1 {
        let serial = closed_loop(
            &settings.plan(&control.endpoint, settings.requests.min(SERIAL_REQUESTS), 1),
            head,
            workload,
        )
        .await?;
        rows.push(row(scenario, 1, serial));
    }
    Ok(rows)
}

/// One page of `ListUsers`.
#[derive(Deserialize)]
struct Page {
    #[serde(rename = "Users", default)]
    users: Vec<serde::de::IgnoredAny>,
    #[serde(rename = "PaginationToken")]
    token: Option<String>,
}

/// Walks the whole pool with `Limit: 60`: per-page latency, and the time of the walk.
async fn list_users_paging(
    control: &mut Control,
    pool: &Pool,
    settings: &Settings,
) -> Result<Vec<Row>, String> {
    let head = RequestHead::api(&control.endpoint, "ListUsers");
    let mut connection = Connection::open(control.endpoint.address)
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    let max_pages = settings.users / PAGE_SIZE + 10;
    let mut latencies = Latencies::with_capacity(usize::try_from(max_pages).unwrap_or(0));
    let mut token: Option<String> = None;
    let mut seen = 0u64;
    let mut pages = 0u64;
    let mut body = Vec::with_capacity(1024);
    let cpu = CpuMeter::start(settings.server);
    let started = now();
    loop {
        body.clear();
        write!(
            body,
            r#"{{"UserPoolId":{},"Limit":{PAGE_SIZE}"#,
            pool.id_json
        )
        .map_err(|e| e.to_string())?;
        if let Some(token) = &token {
            body.extend_from_slice(br#","PaginationToken":"#);
            serde_json::to_writer(&mut body, token).map_err(|e| e.to_string())?;
        }
        body.push(b'}');

        let sent = now();
        let reply = connection
            .call(&head, &body)
            .await
            .map_err(|e| format!("ListUsers page {pages}: no answer: {e}"))?;
        latencies.record(sent.elapsed());
        if !reply.is_success() {
            return Err(format!("ListUsers page {pages}: {}", reply.describe()));
        }
        let page: Page = serde_json::from_slice(reply.body)
            .map_err(|e| format!("ListUsers page {pages}: {e}"))?;
        pages += 1;
        seen += page.users.len() as u64;
        token = page.token.filter(|t| !t.is_empty());
        if token.is_none() {
            break;
        }
        if pages > max_pages {
            return Err(format!(
                "ListUsers paging: more than {max_pages} pages for {} users",
                settings.users
            ));
        }
    }
    let walk = started.elapsed();
    let cpu = cpu.stop();
    if seen != settings.users {
        return Err(format!(
            "ListUsers paging saw {seen} users, not {}",
            settings.users
        ));
    }
    let outcome = Outcome {
        requests: pages,
        errors: 0,
        elapsed: walk,
        latencies,
        first_error: None,
        cpu,
    };
    let mut row = row(Scenario::ListUsersPaging, 1, outcome);
    row.note = Some(format!(
        "walked {seen} users in {pages} pages in {}",
        super::stats::Human(walk)
    ));
    Ok(vec![row])
}

/// `AdminCreateUser` of `user{i}` with the email `user{i}@example.com`, unsent invitation.
struct CreateUsers {
    pool: String,
}

impl Workload for CreateUsers {
    fn body(&self, index: u64, out: &mut Vec<u8>) {
        let _ = write!(
            out,
            r#"{{"UserPoolId":{},"Username":"user{index}","UserAttributes":[{{"Name":"email","Value":"user{index}@example.com"}}],"MessageAction":"SUPPRESS"}}"#,
            self.pool
        );
    }
}

/// Requests without a body.
struct NoBody;

impl Workload for NoBody {
    fn body(&self, _index: u64, _out: &mut Vec<u8>) {}
}

/// `AdminGetUser` of a random existing user.
struct GetUsers {
    pool: String,
    users: u64,
}

impl Workload for GetUsers {
    fn body(&self, index: u64, out: &mut Vec<u8>) {
        let user = pick(index, self.users);
        let _ = write!(
            out,
            r#"{{"UserPoolId":{},"Username":"user{user}"}}"#,
            self.pool
        );
    }
}

/// `ListUsers` filtered on the email of a random existing user.
struct FilterUsers {
    pool: String,
    users: u64,
}

impl Workload for FilterUsers {
    fn body(&self, index: u64, out: &mut Vec<u8>) {
        let user = pick(index, self.users);
        let _ = write!(
            out,
            r#"{{"UserPoolId":{},"Filter":"email = \"user{user}@example.com\""}}"#,
            self.pool
        );
    }
}

/// A user number in `0..users` that looks random but is the same on every run
/// (splitmix64 of the request index).
fn pick(index: u64, users: u64) -> u64 {
    let mut z = index.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    z % users.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(workload: &dyn Workload, index: u64) -> Value {
        let mut out = Vec::new();
        workload.body(index, &mut out);
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn bodies_are_json() {
        let pool = "\"us-east-1_abc\"".to_string();
        assert_eq!(
            body(&CreateUsers { pool: pool.clone() }, 7),
            json!({
                "UserPoolId": "us-east-1_abc",
                "Username": "user7",
                "UserAttributes": [{ "Name": "email", "Value": "user7@example.com" }],
                "MessageAction": "SUPPRESS",
            })
        );
        let get = body(
            &GetUsers {
                pool: pool.clone(),
                users: 10,
            },
            3,
        );
        assert!(get["Username"].as_str().unwrap().starts_with("user"));
        let filter = body(&FilterUsers { pool, users: 10 }, 3);
        let filter = filter["Filter"].as_str().unwrap();
        assert!(filter.starts_with("email = \"user") && filter.ends_with("@example.com\""));
    }

    #[test]
    fn picks_spread_over_the_pool() {
        let mut hits = [0u32; 10];
        for i in 0..10_000 {
            hits[pick(i, 10) as usize] += 1;
        }
        assert!(hits.iter().all(|&h| (800..1200).contains(&h)), "{hits:?}");
    }

    #[test]
    fn names() {
        assert!(Scenario::ListUsersFilter.is_named("list-users-filter"));
        assert!(Scenario::AdminGetUser.is_named("AdminGetUser"));
        assert!(!Scenario::AdminGetUser.is_named("AdminCreateUser"));
    }
}
