//! `cargo xtask bench`: a load generator for any endpoint that speaks the cognito-idp API.
//!
//! ```text
//! cargo xtask bench [--endpoint URL [--server-pid PID] | --data-dir DIR]
//!                   [--concurrency N] [--requests N] [--users N] [--only NAME,...]
//! ```
//!
//! With `--data-dir`, the server it starts keeps its state there (every write on disk
//! before its answer), and after the run it is killed and started again on the same
//! directory, the bench pool's users still in it: the restart's time is reported.
//!
//! Without `--endpoint` it builds `cognito-server` in release mode, measures its cold
//! start, serves the run from one more instance on a free port and reads that process's
//! memory and CPU time from `/proc`. With `--endpoint` it measures whatever listens there
//! (another emulator, say): the requests, and the process `--server-pid` names.
//!
//! Every run works in a pool of its own, created at the start and deleted at the end:
//! [`scenarios::Scenario::AdminCreateUser`] fills it with `--users` users and the other
//! scenarios read it. The generator runs on one thread with `--concurrency` keep-alive
//! connections, so that it leaves the server as much of the machine as it can.
//!
//! - [`http`]: the HTTP/1.1 client;
//! - [`load`]: the closed-loop driver;
//! - [`scenarios`]: what each scenario sends and checks;
//! - [`sign_in`]: the sign-in scenarios' app client, passwords and exchanges;
//! - [`totp`]: the TOTP sign-in's pool, users with software tokens, and exchanges;
//! - [`triggers`]: sign-ups through a `PreSignUp` function, by each of the server's
//!   runners;
//! - [`floor`]: the cryptography a sign-in cannot avoid, timed in this process;
//! - [`server`]: the emulator under test, when the harness starts it;
//! - [`process`]: memory and CPU time from `/proc`;
//! - [`stats`] and [`report`]: percentiles, tables and the project's targets.

mod floor;
mod http;
mod load;
mod process;
mod report;
mod scenarios;
mod server;
mod sign_in;
mod stats;
mod totp;
mod triggers;

use std::process::Command;

use http::Endpoint;
use process::Process;
use report::{Row, ServerFacts};
use scenarios::{Control, Scenario, Settings};

use crate::root;

const USAGE: &str =
    "usage: cargo xtask bench [--endpoint URL [--server-pid PID] | --data-dir DIR] \
    [--concurrency N] [--requests N] [--users N] [--only NAME,...]

  --endpoint URL     measure the server at URL (http://HOST:PORT) instead of starting one
  --server-pid PID   the process serving --endpoint, to report its memory and CPU time
  --data-dir DIR     start the server with --data-dir DIR, then time its restart on it
  --concurrency N    keep-alive connections of the loaded runs (default 64)
  --requests N       requests of each read scenario (default 100000)
  --users N          users created in the pool (default 100000)
  --only NAME,...    report only these scenarios (the pool is filled anyway):
                     AdminCreateUser, AdminGetUser, ListUsers-filter, ListUsers-paging,
                     health, JWKS-new-pools, USER_PASSWORD_AUTH, USER_SRP_AUTH,
                     SOFTWARE_TOKEN_MFA, PreSignUp, RS256-sign, modexp-3072,
                     SRP-client";

/// A run fails when any scenario has more errors than this share of its requests.
const MAX_ERROR_RATE: f64 = 0.02;

/// How many throw-away starts measure the cold start, besides the one that serves the run.
const COLD_STARTS: usize = 5;

/// The command line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Options {
    endpoint: Option<String>,
    server_pid: Option<u32>,
    concurrency: usize,
    requests: u64,
    users: u64,
    only: Vec<String>,
    data_dir: Option<std::path::PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            endpoint: None,
            server_pid: None,
            concurrency: 64,
            requests: 100_000,
            users: 100_000,
            only: Vec::new(),
            data_dir: None,
        }
    }
}

fn parse(args: &[String]) -> Result<Options, String> {
    fn number<T: std::str::FromStr>(flag: &str, value: Option<&String>) -> Result<T, String> {
        value
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("{flag} takes a number\n{USAGE}"))
    }
    let mut options = Options::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--endpoint" => {
                let url = args
                    .next()
                    .ok_or_else(|| format!("--endpoint takes a URL\n{USAGE}"))?;
                options.endpoint = Some(url.clone());
            }
            "--server-pid" => options.server_pid = Some(number(arg, args.next())?),
            "--data-dir" => {
                let dir = args
                    .next()
                    .ok_or_else(|| format!("--data-dir takes a folder\n{USAGE}"))?;
                options.data_dir = Some(dir.into());
            }
            "--concurrency" => options.concurrency = number(arg, args.next())?,
            "--requests" => options.requests = number(arg, args.next())?,
            "--users" => options.users = number(arg, args.next())?,
            "--only" => {
                let names = args
                    .next()
                    .ok_or_else(|| format!("--only takes names\n{USAGE}"))?;
                for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                    if !Scenario::ALL.iter().any(|s| s.is_named(name)) {
                        return Err(format!("unknown scenario `{name}`\n{USAGE}"));
                    }
                    options.only.push(name.to_owned());
                }
            }
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown option `{other}`\n{USAGE}")),
        }
    }
    if options.data_dir.is_some() && options.endpoint.is_some() {
        return Err(format!("--data-dir goes without --endpoint\n{USAGE}"));
    }
    if options.server_pid.is_some() && options.endpoint.is_none() {
        return Err(format!("--server-pid goes with --endpoint\n{USAGE}"));
    }
    if options.concurrency == 0 || options.users == 0 || options.requests == 0 {
        return Err(format!(
            "--concurrency, --requests and --users must be positive\n{USAGE}"
        ));
    }
    Ok(options)
}

impl Options {
    fn reports(&self, scenario: Scenario) -> bool {
        self.only.is_empty() || self.only.iter().any(|name| scenario.is_named(name))
    }
}

/// Runs the benchmark and prints its report.
pub fn run(args: &[String]) -> Result<(), String> {
    let options = parse(args)?;
    if cfg!(debug_assertions) {
        return rerun_optimized(args);
    }
    let load_before = process::load_average();

    let mut facts = options.server_pid.map(|_| ServerFacts::default());
    let mut watched = options.server_pid.map(Process::Pid);
    let mut server = None;
    let mut built = None;
    let server_args: Vec<String> = match &options.data_dir {
        Some(dir) => vec!["--data-dir".into(), dir.display().to_string()],
        None => Vec::new(),
    };
    let url = match &options.endpoint {
        Some(url) => url.clone(),
        None => {
            let binary = server::build()?;
            built = Some(binary.clone());
            let mut server_facts = ServerFacts::default();
            for _ in 0..COLD_STARTS {
                let started = server::Server::start_with(&binary, &server_args)?;
                server_facts.cold_starts.push(started.cold_start);
            }
            let started = server::Server::start_with(&binary, &server_args)?;
            server_facts.cold_starts.push(started.cold_start);
            server_facts.idle = Some(started.process().memory()?);
            let url = started.url.clone();
            eprintln!("bench: cognito-server at {url}");
            watched = Some(started.process());
            server = Some(started);
            facts = Some(server_facts);
            url
        }
    };
    let endpoint = Endpoint::resolve(&url)?;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let local = tokio::task::LocalSet::new();
    let binary = built.clone();
    let (rows, kept) = local.block_on(
        &runtime,
        measure(&endpoint, &options, watched, built, facts.as_mut()),
    )?;
    if let (Some(process), Some(facts)) = (watched, facts.as_mut()) {
        facts.end = Some(process.memory()?);
    }
    drop(server);
    let restart = match (kept, binary) {
        (Some(pool), Some(binary)) => {
            // Killed above; started again on the same directory.
            let again = server::Server::start_with(&binary, &server_args)?;
            let endpoint = Endpoint::resolve(&again.url)?;
            local.block_on(&runtime, async {
                let mut control = Control::open(&endpoint).await?;
                control.delete_pool(&pool).await
            })?;
            Some(again.cold_start)
        }
        _ => None,
    };

    println!("{}", report::render(&rows, facts.as_ref(), options.users));
    if let Some(restart) = restart {
        println!(
            "Restart on the data directory (SIGKILL, then spawn to the first answer) with \
             {} users: {:.0} ms.\n",
            options.users,
            restart.as_secs_f64() * 1000.0
        );
    }
    if let (Some(before), Some(after)) = (load_before, process::load_average()) {
        println!("Load average (1, 5, 15 min): {before} before the run, {after} after.\n");
    }
    let verdicts = report::verdicts(&rows, facts.as_ref(), options.users);
    if options.endpoint.is_none() && !verdicts.is_empty() {
        println!("{}", report::render_verdicts(&verdicts));
    }

    let failing: Vec<String> = rows
        .iter()
        .filter(|row| row.error_rate() > MAX_ERROR_RATE)
        .map(|row| {
            format!(
                "{}: {} of {} requests failed; first: {}",
                row.name,
                row.errors,
                row.requests,
                row.first_error.as_deref().unwrap_or("?")
            )
        })
        .collect();
    if failing.is_empty() {
        Ok(())
    } else {
        Err(format!("too many errors:\n{}", failing.join("\n")))
    }
}

/// Creates the pool, runs the scenarios and deletes the pool, even when a scenario failed.
async fn measure(
    endpoint: &Endpoint,
    options: &Options,
    watched: Option<Process>,
    binary: Option<std::path::PathBuf>,
    facts: Option<&mut ServerFacts>,
) -> Result<(Vec<Row>, Option<scenarios::Pool>), String> {
    let mut control = Control::open(endpoint).await?;
    let pool = control
        .create_pool(&format!("bench-{}", std::process::id()))
        .await?;
    let settings = Settings {
        concurrency: options.concurrency,
        requests: options.requests,
        users: options.users,
        server: watched,
        binary,
    };
    let mut rows = Vec::new();
    let mut facts = facts;
    let mut outcome = Ok(());
    for scenario in Scenario::ALL {
        let fills = scenario == Scenario::AdminCreateUser;
        if !fills && !options.reports(scenario) {
            continue;
        }
        eprintln!("bench: {}", scenario.name());
        match scenarios::run(scenario, &mut control, &pool, &settings).await {
            Ok(new) if options.reports(scenario) => rows.extend(new),
            Ok(_) => {}
            Err(e) => {
                outcome = Err(format!("{}: {e}", scenario.name()));
                break;
            }
        }
        if fills {
            if let (Some(process), Some(facts)) = (watched, facts.as_deref_mut()) {
                facts.loaded = Some(process.memory()?);
            }
        }
    }
    // A data directory's restart is timed with the pool in it; it is deleted after.
    if options.data_dir.is_some() && options.endpoint.is_none() && outcome.is_ok() {
        return Ok((rows, Some(pool)));
    }
    if let Err(e) = control.delete_pool(&pool).await {
        eprintln!("bench: could not delete pool {}: {e}", pool.id);
    }
    outcome.map(|()| (rows, None))
}

/// Runs the same command from an optimized build of xtask: the generator must be cheap
/// to leave the cores to the server.
fn rerun_optimized(args: &[String]) -> Result<(), String> {
    eprintln!("bench: building the load generator in release mode");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root())
        .args([
            "run",
            "--quiet",
            "--release",
            "--package",
            "xtask",
            "--",
            "bench",
        ])
        .args(args)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("bench failed ({status})"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn options() {
        assert_eq!(parse(&[]).unwrap(), Options::default());
        assert_eq!(
            parse(&args(
                "--endpoint http://localhost:4566 --concurrency 8 --requests 10 --users 20 \
                 --only AdminGetUser,list-users-paging"
            ))
            .unwrap(),
            Options {
                endpoint: Some("http://localhost:4566".into()),
                server_pid: None,
                concurrency: 8,
                requests: 10,
                users: 20,
                only: vec!["AdminGetUser".into(), "list-users-paging".into()],
                data_dir: None,
            }
        );
        for bad in [
            "--only Nope",
            "--users x",
            "--concurrency 0",
            "--frobnicate",
            "--data-dir /tmp/d --endpoint http://localhost:4566",
        ] {
            assert!(parse(&args(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_selects_reported_scenarios() {
        let options = parse(&args("--only admin-get-user")).unwrap();
        assert!(options.reports(Scenario::AdminGetUser));
        assert!(!options.reports(Scenario::AdminCreateUser));
        assert!(Scenario::ALL.iter().all(|s| Options::default().reports(*s)));
    }
}
