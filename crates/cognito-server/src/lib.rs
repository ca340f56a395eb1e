//! The Cognito user pools emulator as a program: its command-line [`Options`] and the
//! configuration file ([`config`]), the real clock and randomness, the log ([`log`]),
//! what runs trigger functions ([`functions`]), email delivery over SMTP ([`mail`]), the
//! KMS that encrypts custom senders' codes ([`kms`]), HTTPS certificates ([`tls`]), the
//! outbound HTTP federated sign-ins reach identity providers with ([`upstream`]), the
//! data directory that keeps the state across restarts ([`durable`]), seed files
//! ([`seed`]), and [`run`], which serves the API on a bound listener.
//!
//! `main` stays thin: it parses [`Options`], loads the [`Config`], binds, announces the
//! address and calls [`serve`]; tests call [`run`] on `127.0.0.1:0`, which loads the
//! configuration itself.
//!
//! Boundary: this is the only crate that reads the wall clock, the monotonic clock, the
//! operating system's randomness, the environment and the command line. Everything below
//! receives them as parameters.

mod clock;
pub mod config;
pub mod durable;
pub mod functions;
pub mod kms;
pub mod log;
pub mod mail;
mod outbound;
mod random;
pub mod seed;
pub mod tls;
pub mod upstream;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Parser;
use cognito_core::Cognito;
use cognito_http::{CognitoService, Origin, Sources};
use tokio::net::TcpListener;

pub use clock::{MovableClock, SystemClock, SystemStopwatch};
pub use config::{CommandFlag, Config, ConfigError, UrlFlag};
pub use random::OsSeededRandom;

/// Command-line options; each can also come from an environment variable.
#[derive(Debug, Clone, PartialEq, Eq, Parser)]
#[command(
    name = "cognito-server",
    version,
    about = "A local emulator of Amazon Cognito user pools"
)]
pub struct Options {
    /// Address to listen on.
    #[arg(long, env = "COGNITO_HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on; 0 picks a free one.
    #[arg(long, env = "COGNITO_PORT", default_value_t = 9229)]
    pub port: u16,
    /// Region of requests that name none in their `Authorization` header.
    #[arg(long, env = "COGNITO_REGION", default_value = "us-east-1", value_parser = parse_region)]
    pub region: String,
    /// Account id that owns every resource (12 digits).
    #[arg(long, env = "COGNITO_ACCOUNT_ID", default_value = "123456789012", value_parser = parse_account_id)]
    pub account_id: String,
    /// Base of tokens' issuer (`iss` = `<issuer-base>/<poolId>`); by default the address
    /// the server listens on, e.g. `http://localhost:9229` (`https://` with `--tls`).
    /// `{region}` in it stands for each pool's Region:
    /// `https://cognito-idp.{region}.amazonaws.com` gives AWS's form.
    #[arg(long, env = "COGNITO_ISSUER_BASE")]
    pub issuer_base: Option<String>,
    /// Browser origins whose pages may call the test API under `/_cognito/`,
    /// comma-separated (e.g. `http://localhost:3000`); requests from other pages are
    /// refused. Programs (curl, SDKs, test code) need no entry.
    #[arg(long, env = "COGNITO_TEST_API_ORIGINS", value_delimiter = ',')]
    pub test_api_origins: Vec<Origin>,
    /// Host names, besides loopback names and `--host`, that requests to the test API
    /// may name in `Host`, comma-separated: e.g. `cognito`, a Docker Compose service's
    /// name. Requests naming other hosts are refused (a guard against DNS rebinding).
    #[arg(long, env = "COGNITO_TEST_API_HOSTS", value_delimiter = ',')]
    pub test_api_hosts: Vec<String>,
    /// How many messages (emails, SMS) the server keeps per pool for the test API; the
    /// oldest are dropped first.
    #[arg(long, env = "COGNITO_OUTBOX_LIMIT", default_value_t = cognito_core::messages::DEFAULT_OUTBOX_LIMIT)]
    pub outbox_limit: usize,
    /// A seed file (JSON or YAML, see docs/seed.md) applied at start: pools, clients and
    /// users with fixed ids; what already exists is left as it is.
    #[arg(long, env = "COGNITO_SEED", value_name = "FILE")]
    pub seed: Option<PathBuf>,
    /// A TOML configuration file: trigger functions and how they run (see
    /// docs/configuration.md). Flags override it.
    #[arg(long, env = "COGNITO_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The Lambda Invoke API that runs trigger functions no other setting names, e.g.
    /// `http://localhost:4566` (LocalStack) or `http://127.0.0.1:3002` (serverless-offline's
    /// `--lambdaPort`, `sam local start-lambda`).
    #[arg(long, env = "COGNITO_LAMBDA_ENDPOINT", value_name = "URL", value_parser = config::parse_http_url)]
    pub lambda_endpoint: Option<url::Url>,
    /// Runs function NAME (a function name or ARN) as a local command, e.g.
    /// `pre-sign-up=node handlers/pre-sign-up.js`: the event on its stdin, the result on
    /// its stdout. Repeatable (the environment variable names one function; name more in
    /// the `--config` file).
    #[arg(
        long = "lambda-command",
        env = "COGNITO_LAMBDA_COMMAND",
        value_name = "NAME=COMMAND LINE",
        value_parser = config::parse_command_flag
    )]
    pub lambda_commands: Vec<CommandFlag>,
    /// Runs function NAME (a function name or ARN) by POSTing the event to an HTTP URL,
    /// e.g. `custom-message=http://127.0.0.1:9000/custom-message`. Repeatable (the
    /// environment variable names one function).
    #[arg(
        long = "lambda-url",
        env = "COGNITO_LAMBDA_URL",
        value_name = "NAME=URL",
        value_parser = config::parse_url_flag
    )]
    pub lambda_urls: Vec<UrlFlag>,
    /// How long a trigger function may run, in milliseconds (Cognito waits 5000).
    #[arg(long, env = "COGNITO_LAMBDA_TIMEOUT_MS", value_name = "MS", value_parser = clap::value_parser!(u64).range(1..))]
    pub lambda_timeout_ms: Option<u64>,
    /// The mail server that delivers emails besides keeping them for the test API, e.g.
    /// `smtp://127.0.0.1:1025`; `?tls=starttls` or `?tls=required` for STARTTLS,
    /// `smtps://` for TLS throughout, `smtp://user:pass@host` for credentials (see
    /// docs/delivery.md).
    #[arg(long, env = "COGNITO_SMTP_URL", value_name = "URL", value_parser = mail::parse_smtp_url)]
    pub smtp_url: Option<mail::SmtpUrl>,
    /// The KMS (e.g. moto's server or LocalStack, `http://localhost:4566`) whose data keys
    /// encrypt the codes custom sender triggers receive, as Cognito encrypts them with
    /// the pool's `KMSKeyID`; without it, functions receive the codes in plain text.
    #[arg(long, env = "COGNITO_KMS_ENDPOINT", value_name = "URL", value_parser = config::parse_http_url)]
    pub kms_endpoint: Option<url::Url>,
    /// Serves HTTPS besides HTTP on the same port, with a certificate made at start for
    /// `localhost`, `127.0.0.1`, `::1`, `--host`, `--test-api-hosts` and `--tls-hosts`,
    /// signed by a local CA whose certificate file the server names at start (see
    /// docs/configuration.md).
    #[arg(long, env = "COGNITO_TLS", value_parser = clap::builder::FalseyValueParser::new())]
    pub tls: bool,
    /// The folder of the local CA (`ca.pem`, `ca-key.pem`), made at the first start and
    /// reused after; by default `cognito-server/tls` in the user's data folder.
    #[arg(long, env = "COGNITO_TLS_DIR", value_name = "PATH")]
    pub tls_dir: Option<PathBuf>,
    /// More names the HTTPS certificate covers, comma-separated (e.g. `auth.test`).
    #[arg(long, env = "COGNITO_TLS_HOSTS", value_delimiter = ',')]
    pub tls_hosts: Vec<String>,
    /// Serves HTTPS with this certificate chain (PEM) instead of one the server makes;
    /// with `--tls-key`. Implies `--tls`.
    #[arg(
        long,
        env = "COGNITO_TLS_CERT",
        value_name = "PATH",
        requires = "tls_key"
    )]
    pub tls_cert: Option<PathBuf>,
    /// The private key (PEM) of `--tls-cert`.
    #[arg(
        long,
        env = "COGNITO_TLS_KEY",
        value_name = "PATH",
        requires = "tls_cert"
    )]
    pub tls_key: Option<PathBuf>,
    /// Keeps the state in this folder (made at the first start), every change on disk
    /// before its answer, so that it survives restarts; in memory only without it (see
    /// docs/durability.md).
    #[arg(long, env = "COGNITO_DATA_DIR", value_name = "DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// What to do; serving the API when none is named.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What `cognito-server` does.
#[derive(Debug, Clone, PartialEq, Eq, clap::Subcommand)]
pub enum Command {
    /// Serves the API (the default).
    Serve,
    /// Writes the state of `--data-dir` to standard output as JSON.
    Export,
    /// Reads state exported as JSON from standard input into `--data-dir`, which must
    /// hold none.
    Import,
    /// Applies a seed file (JSON or YAML, see docs/seed.md) to a running server through
    /// its test API, then exits.
    Seed {
        /// The seed file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The server to seed.
        #[arg(long, env = "COGNITO_ENDPOINT", value_name = "URL", default_value = "http://localhost:9229", value_parser = config::parse_http_url)]
        endpoint: url::Url,
    },
}

fn parse_region(s: &str) -> Result<String, String> {
    let plausible = !s.is_empty()
        && s.len() <= 32
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if plausible {
        Ok(s.to_owned())
    } else {
        Err("expected a region name such as us-east-1".to_owned())
    }
}

fn parse_account_id(s: &str) -> Result<String, String> {
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_owned())
    } else {
        Err("expected 12 digits".to_owned())
    }
}

/// The URL clients reach `listener` at over `scheme`: `localhost` stands in for an
/// unspecified address.
pub fn base_url(listener: &TcpListener, scheme: &str) -> std::io::Result<String> {
    let addr = listener.local_addr()?;
    Ok(if addr.ip().is_unspecified() {
        format!("{scheme}://localhost:{}", addr.port())
    } else {
        format!("{scheme}://{addr}")
    })
}

/// Serves the emulator on `listener` until `shutdown` completes, then drains open
/// connections; [`serve`] with the configuration `options` name. A configuration that
/// cannot be used is an `InvalidInput` error.
pub async fn run(
    listener: TcpListener,
    options: &Options,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let config = Config::load(options)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let tls = prepare_tls(options, &config)?;
    let log = Arc::new(cognito_http::request_log::TracingLog);
    serve(listener, options, config, tls, log, shutdown).await
}

/// `cognito` keeping its state in data directory `dir`: what the directory holds read
/// back, every later change written there. An unusable directory is an `InvalidInput`
/// error naming it.
fn open_data_dir(cognito: Cognito, dir: &std::path::Path) -> std::io::Result<Cognito> {
    let invalid =
        |e: durable::DataDirError| std::io::Error::new(std::io::ErrorKind::InvalidInput, e);
    let stopwatch = SystemStopwatch::start();
    let data = durable::DataDir::open(dir).map_err(invalid)?;
    let loaded = data.load().map_err(invalid)?;
    let journal = data.journal().map_err(invalid)?;
    tracing::info!(
        dir = %dir.display(),
        pools = loaded.pool_count(),
        users = loaded.user_count(),
        millis = cognito_http::Stopwatch::micros(&stopwatch) / 1000,
        "state read from the data directory"
    );
    Ok(cognito.with_journal(journal, loaded))
}

/// Applies the seed file `path` to `cognito` at `now`, in the account and default
/// Region of `options`. A file that cannot be read or applied is an `InvalidInput`
/// error naming it.
fn apply_seed(
    cognito: &Cognito,
    options: &Options,
    path: &std::path::Path,
    now: cognito_model::Timestamp,
) -> std::io::Result<()> {
    let invalid = |e: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, e);
    let seed = seed::load(path).map_err(|e| invalid(e.to_string()))?;
    let ctx = cognito_core::RequestContext {
        region: options.region.clone(),
        account_id: options.account_id.clone(),
        now,
        aws_sdk_version: None,
    };
    let seeded = cognito.apply_seed(&ctx, &seed).map_err(|e| {
        invalid(format!(
            "the seed file {} cannot be applied: {}: {}",
            path.display(),
            e.kind.type_name(),
            e.message
        ))
    })?;
    tracing::info!(
        file = %path.display(),
        created = seeded.created.len(),
        existing = seeded.existing.len(),
        "seed applied"
    );
    Ok(())
}

/// The TLS side of the server when `config` turns HTTPS on: the certificate given, or one
/// made now for the server's names by the local CA. An unusable certificate, key or CA
/// folder is an `InvalidInput` error naming the file.
pub fn prepare_tls(options: &Options, config: &Config) -> std::io::Result<Option<tls::Tls>> {
    let Some(settings) = &config.tls else {
        return Ok(None);
    };
    let extra: Vec<String> = options
        .test_api_hosts
        .iter()
        .chain(&settings.hosts)
        .cloned()
        .collect();
    let names = tls::names(&options.host, &extra);
    let now = cognito_core::Clock::now(&SystemClock);
    Ok(Some(tls::Tls::prepare(settings, &names, now)?))
}

/// Serves the emulator on `listener`, with `options` and the `config` loaded from them,
/// and HTTPS beside HTTP with `tls` ([`prepare_tls`]), logging each answered request to
/// `log`, until `shutdown` completes, then drains open connections.
///
/// Tokens' issuer follows the scheme: `https://` when `tls` is given (clients that
/// insist on HTTPS fetch the key set from it), unless `--issuer-base` names another.
pub async fn serve(
    listener: TcpListener,
    options: &Options,
    config: Config,
    tls: Option<tls::Tls>,
    log: Arc<dyn cognito_http::RequestLog>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let scheme = if tls.is_some() { "https" } else { "http" };
    let links = cognito_http::links(
        &base_url(&listener, scheme)?,
        options.issuer_base.as_deref(),
    );
    let functions =
        functions::Functions::new(config.lambda, functions::Functions::credentials_from_env());
    // Identity providers' HTTPS is checked against the Web PKI and the local CA.
    let upstream =
        upstream::HttpUpstream::trusting(tls.as_ref().and_then(|t| t.ca_file.as_deref()))?;
    let mut cognito = Cognito::in_memory(Box::new(OsSeededRandom))
        .with_links(links)
        .with_outbox_limit(options.outbox_limit)
        .with_lambda(Arc::new(functions))
        .with_upstream(Arc::new(upstream));
    for (kind, endpoints) in &config.providers {
        cognito = cognito.with_provider_endpoints(*kind, endpoints.clone());
    }
    if let Some(endpoint) = &config.kms_endpoint {
        cognito = cognito.with_code_encryption(Arc::new(kms::KmsCodeEncryption::new(
            endpoint.clone(),
            functions::Functions::credentials_from_env(),
            &options.region,
        )));
    }
    if let Some(dir) = &config.data_dir {
        cognito = open_data_dir(cognito, dir)?;
    }
    let cognito = Arc::new(cognito);
    if let Some(server) = &config.smtp {
        cognito
            .outbox()
            .set_mailer(Arc::new(mail::SmtpMailer::start(server)?));
        tracing::info!(server = %server, "emails are delivered over SMTP");
    }
    // The test API moves the time every request is stamped with.
    let clock = Arc::new(MovableClock::default());
    if let Some(path) = &options.seed {
        apply_seed(&cognito, options, path, cognito_core::Clock::now(&*clock))?;
    }
    let sources = Sources {
        clock: clock.clone(),
        random: Arc::new(OsSeededRandom),
        stopwatch: Arc::new(SystemStopwatch::start()),
        clock_control: Some(clock),
    };
    let service = cognito_http::Config {
        default_region: options.region.clone(),
        account_id: options.account_id.clone(),
        test_api_origins: options.test_api_origins.clone(),
        // Besides loopback names, the test API answers requests for these hosts only.
        listen_hosts: [
            options.host.clone(),
            listener.local_addr()?.ip().to_string(),
        ]
        .into_iter()
        .chain(options.test_api_hosts.iter().cloned())
        // Names the HTTPS certificate was made for are names the server is reached by.
        .chain(config.tls.iter().flat_map(|tls| tls.hosts.iter().cloned()))
        .collect(),
        // As many cryptographic requests at once as there are cores.
        cryptography_threads: std::thread::available_parallelism()
            .map_or(2, std::num::NonZeroUsize::get),
        max_connections: connection_limit(
            rustix::process::getrlimit(rustix::process::Resource::Nofile).current,
        ),
        ..cognito_http::Config::default()
    };
    cognito_http::serve_tls(
        listener,
        CognitoService::with_request_log(cognito, sources, service, log),
        tls.map(|tls| tls.config),
        shutdown,
    )
    .await
}

/// How many connections the server keeps open at once, given the soft limit on open
/// file descriptors (`RLIMIT_NOFILE`, `None` when unlimited): three quarters of it, the
/// rest (at least 64) left to the files, pipes and outbound connections the server opens
/// itself; at most 16,384, past which memory rather than descriptors runs out.
fn connection_limit(descriptors: Option<u64>) -> usize {
    const MOST: u64 = 16_384;
    let descriptors = descriptors.unwrap_or(u64::MAX);
    let room = (descriptors / 4).max(64);
    // Fits: at most MOST.
    descriptors.saturating_sub(room).clamp(1, MOST) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let options = Options::try_parse_from(["cognito-server"]).unwrap();
        assert_eq!(
            options,
            Options {
                host: "127.0.0.1".into(),
                port: 9229,
                region: "us-east-1".into(),
                account_id: "123456789012".into(),
                issuer_base: None,
                test_api_origins: vec![],
                test_api_hosts: vec![],
                outbox_limit: 10_000,
                seed: None,
                config: None,
                lambda_endpoint: None,
                lambda_commands: vec![],
                lambda_urls: vec![],
                lambda_timeout_ms: None,
                smtp_url: None,
                kms_endpoint: None,
                tls: false,
                tls_dir: None,
                tls_hosts: vec![],
                tls_cert: None,
                tls_key: None,
                data_dir: None,
                command: None,
            }
        );
    }

    #[test]
    fn flags() {
        let cases: [(&[&str], Option<Options>); 27] = [
            (
                &[
                    "--host",
                    "0.0.0.0",
                    "--port",
                    "0",
                    "--region",
                    "eu-west-1",
                    "--account-id",
                    "000000000000",
                ],
                Some(Options {
                    host: "0.0.0.0".into(),
                    port: 0,
                    region: "eu-west-1".into(),
                    account_id: "000000000000".into(),
                    issuer_base: None,
                    test_api_origins: vec![],
                    test_api_hosts: vec![],
                    outbox_limit: 10_000,
                    ..Options::try_parse_from(["cognito-server"]).unwrap()
                }),
            ),
            (
                &[
                    "--test-api-origins",
                    "HTTP://localhost:3000/,https://app.example",
                ],
                Some(Options {
                    test_api_origins: vec![
                        "http://localhost:3000".parse().unwrap(),
                        "https://app.example".parse().unwrap(),
                    ],
                    ..Options::try_parse_from(["cognito-server"]).unwrap()
                }),
            ),
            (&["--test-api-origins", "localhost:3000"], None),
            (
                &["--test-api-hosts", "cognito,auth.test"],
                Some(Options {
                    test_api_hosts: vec!["cognito".into(), "auth.test".into()],
                    ..Options::try_parse_from(["cognito-server"]).unwrap()
                }),
            ),
            (
                &[
                    "--config",
                    "cognito.toml",
                    "--lambda-endpoint",
                    "http://localhost:4566",
                    "--lambda-command",
                    "pre-sign-up=node 'handlers/pre sign up.js'",
                    "--lambda-command",
                    "define=python3 define.py",
                    "--lambda-url",
                    "custom-message=http://127.0.0.1:9000/m",
                    "--lambda-timeout-ms",
                    "250",
                ],
                Some(Options {
                    config: Some("cognito.toml".into()),
                    lambda_endpoint: Some("http://localhost:4566".parse().unwrap()),
                    lambda_commands: vec![
                        CommandFlag {
                            name: "pre-sign-up".into(),
                            argv: vec!["node".into(), "handlers/pre sign up.js".into()],
                        },
                        CommandFlag {
                            name: "define".into(),
                            argv: vec!["python3".into(), "define.py".into()],
                        },
                    ],
                    lambda_urls: vec![UrlFlag {
                        name: "custom-message".into(),
                        url: "http://127.0.0.1:9000/m".parse().unwrap(),
                    }],
                    lambda_timeout_ms: Some(250),
                    ..Options::try_parse_from(["cognito-server"]).unwrap()
                }),
            ),
            (&["--lambda-endpoint", "localhost:4566"], None),
            (&["--lambda-command", "node handler.js"], None),
            (&["--lambda-url", "f=file:///srv/f"], None),
            (&["--lambda-timeout-ms", "0"], None),
            (&["--region", "EU WEST"], None),
            (&["--account-id", "12345"], None),
            (&["--port", "70000"], None),
            (
                &[
                    "--smtp-url",
                    "smtp://127.0.0.1:1025",
                    "--kms-endpoint",
                    "http://127.0.0.1:5000",
                ],
                Some(Options {
                    smtp_url: Some(mail::parse_smtp_url("smtp://127.0.0.1:1025").unwrap()),
                    kms_endpoint: Some("http://127.0.0.1:5000".parse().unwrap()),
                    ..Options::try_parse_from(["cognito-server"]).unwrap()
                }),
            ),
            (&["--smtp-url", "http://127.0.0.1:1025"], None),
            (&["--smtp-url", "smtp://127.0.0.1?tls=maybe"], None),
            (&["--kms-endpoint", "localhost:4566"], None),
            (
                &[
                    "--tls",
                    "--tls-dir",
                    "certs",
                    "--tls-hosts",
                    "auth.test,cognito",
                ],
                Some(Options {
                    tls: true,
                    tls_dir: Some("certs".into()),
                    tls_hosts: vec!["auth.test".into(), "cognito".into()],
                    ..Options::try_parse_from(["cognito-server"]).unwrap()
                }),
            ),
            (
                &["--tls-cert", "cert.pem", "--tls-key", "key.pem"],
                Some(Options {
                    tls_cert: Some("cert.pem".into()),
                    tls_key: Some("key.pem".into()),
                    ..Options::try_parse_from(["cognito-server"]).unwrap()
                }),
            ),
            (&["--tls-cert", "cert.pem"], None),
            (&["--tls-key", "key.pem"], None),
            (&["--bogus"], None),
            (
                &["--seed", "seed.yaml"],
                Some(Options {
                    seed: Some("seed.yaml".into()),
                    ..Options::try_parse_from(["cognito-server"]).unwrap()
                }),
            ),
            (
                &["seed", "seed.yaml", "--endpoint", "http://127.0.0.1:9000"],
                Some(Options {
                    command: Some(Command::Seed {
                        file: "seed.yaml".into(),
                        endpoint: "http://127.0.0.1:9000".parse().unwrap(),
                    }),
                    ..Options::try_parse_from(["cognito-server"]).unwrap()
                }),
            ),
            (&["seed", "seed.yaml", "--endpoint", "localhost:9000"], None),
            (
                &["--data-dir", "state"],
                Some(Options {
                    data_dir: Some("state".into()),
                    ..Options::try_parse_from(["cognito-server"]).unwrap()
                }),
            ),
            (
                &["export", "--data-dir", "state"],
                Some(Options {
                    data_dir: Some("state".into()),
                    command: Some(Command::Export),
                    ..Options::try_parse_from(["cognito-server"]).unwrap()
                }),
            ),
            (
                &["import"],
                Some(Options {
                    command: Some(Command::Import),
                    ..Options::try_parse_from(["cognito-server"]).unwrap()
                }),
            ),
        ];
        for (args, expected) in cases {
            let parsed =
                Options::try_parse_from(std::iter::once(&"cognito-server").chain(args)).ok();
            assert_eq!(parsed, expected, "{args:?}");
        }
    }

    #[test]
    fn connections_stay_below_the_descriptor_limit() {
        let cases = [
            (Some(1024), 768),
            (Some(20_000), 15_000),
            (Some(200), 136),
            (Some(64), 1),
            (Some(1_048_576), 16_384),
            (None, 16_384),
        ];
        for (descriptors, expected) in cases {
            assert_eq!(connection_limit(descriptors), expected, "{descriptors:?}");
        }
    }

    #[test]
    fn the_command_is_well_formed() {
        use clap::CommandFactory;
        Options::command().debug_assert();
    }
}
