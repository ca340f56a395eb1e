//! The server's configuration beyond its flags: the TOML file `--config` names, read and
//! checked, then overridden by the flags ([`Config::load`]). A bad file or flag stops the
//! server before it listens, with a message naming the file and the setting.
//!
//! Tables of the file: `[lambda]` (the default Invoke API and the time limit) and
//! `[functions."<ARN or name>"]` (a runner per function), which make the
//! [`LambdaSettings`]; `[smtp]`, `[kms]`, `[tls]` (HTTPS, [`TlsSettings`]), and
//! `[providers.<Type>]` (where a social identity provider's endpoints are).
//! `docs/configuration.md` describes them for users.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use cognito_core::federation::ProviderEndpoints;
use cognito_model::shapes::IdentityProviderTypeType;
use serde::Deserialize;
use url::Url;

use crate::functions::{Command, Function, LambdaSettings, Runner};
use crate::mail::{parse_smtp_url, SmtpUrl};
use crate::tls::TlsSettings;
use crate::Options;

/// What the server runs with, besides the plain options of [`Options`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Config {
    /// What runs trigger functions.
    pub lambda: LambdaSettings,
    /// The mail server that delivers emails (`[smtp] url`, `--smtp-url`), if any.
    pub smtp: Option<SmtpUrl>,
    /// The KMS that encrypts the codes custom sender triggers receive (`[kms] endpoint`,
    /// `--kms-endpoint`), if any.
    pub kms_endpoint: Option<Url>,
    /// Where the HTTPS certificate comes from (`[tls]`, `--tls*`), when HTTPS is on.
    pub tls: Option<TlsSettings>,
    /// Where federated sign-ins reach each social provider type, in place of the
    /// provider's own endpoints (`[providers.<Type>]`).
    pub providers: BTreeMap<IdentityProviderTypeType, ProviderEndpoints>,
    /// Where the state is kept (`data_dir`, `--data-dir`); in memory only without it.
    pub data_dir: Option<PathBuf>,
    // Settings of other tables of the file join here, each made from its table and then
    // overridden by its flags in `Config::load`.
}

/// Why the configuration cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// The configuration of `options`: the file of `--config` when there is one, then the
    /// flags over it.
    pub fn load(options: &Options) -> Result<Config, ConfigError> {
        let mut config = match &options.config {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    ConfigError(format!(
                        "cannot read the configuration file {}: {e}",
                        path.display()
                    ))
                })?;
                let folder = folder_of(path);
                File::parse(&text)
                    .and_then(|file| file.config(&folder))
                    .map_err(|e| ConfigError(format!("{}: {e}", path.display())))?
            }
            None => Config::default(),
        };
        config.apply_flags(options);
        Ok(config)
    }

    /// Sets what the flags set, over what the file said.
    fn apply_flags(&mut self, options: &Options) {
        if let Some(smtp) = &options.smtp_url {
            self.smtp = Some(smtp.clone());
        }
        if let Some(endpoint) = &options.kms_endpoint {
            self.kms_endpoint = Some(endpoint.clone());
        }
        if let Some(dir) = &options.data_dir {
            self.data_dir = Some(dir.clone());
        }
        let named = options.tls_cert.is_some() || options.tls_key.is_some();
        if options.tls || named || self.tls.is_some() {
            let tls = self.tls.get_or_insert_with(TlsSettings::default);
            if let Some(dir) = &options.tls_dir {
                tls.dir = Some(dir.clone());
            }
            if !options.tls_hosts.is_empty() {
                tls.hosts = options.tls_hosts.clone();
            }
            if named {
                tls.cert = options.tls_cert.clone();
                tls.key = options.tls_key.clone();
            }
        }
        let lambda = &mut self.lambda;
        if let Some(endpoint) = &options.lambda_endpoint {
            lambda.endpoint = Some(endpoint.clone());
        }
        if let Some(millis) = options.lambda_timeout_ms {
            lambda.timeout = Duration::from_millis(millis);
        }
        for flag in &options.lambda_commands {
            lambda.functions.insert(
                flag.name.clone(),
                Function {
                    runner: Runner::Command(Command {
                        argv: flag.argv.clone(),
                        env: BTreeMap::new(),
                        cwd: None,
                    }),
                    timeout: None,
                },
            );
        }
        for flag in &options.lambda_urls {
            lambda.functions.insert(
                flag.name.clone(),
                Function {
                    runner: Runner::Url(flag.url.clone()),
                    timeout: None,
                },
            );
        }
    }
}

/// The folder relative paths of the file at `path` start from.
fn folder_of(path: &Path) -> PathBuf {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf())
}

/// `--lambda-command NAME=COMMAND LINE`: function `NAME` runs as this command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandFlag {
    /// The function's ARN or name.
    pub name: String,
    /// The program and its arguments, split as a POSIX shell splits words.
    pub argv: Vec<String>,
}

/// `--lambda-url NAME=URL`: function `NAME` runs at this URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlFlag {
    /// The function's ARN or name.
    pub name: String,
    /// Where its events are POSTed.
    pub url: Url,
}

/// Reads `NAME=COMMAND LINE`.
pub fn parse_command_flag(s: &str) -> Result<CommandFlag, String> {
    let (name, line) = split_flag(s, "COMMAND LINE")?;
    Ok(CommandFlag {
        name,
        argv: split_command_line(line)?,
    })
}

/// Reads `NAME=URL`.
pub fn parse_url_flag(s: &str) -> Result<UrlFlag, String> {
    let (name, url) = split_flag(s, "URL")?;
    Ok(UrlFlag {
        name,
        url: parse_http_url(url)?,
    })
}

fn split_flag<'a>(s: &'a str, what: &str) -> Result<(String, &'a str), String> {
    match s.split_once('=') {
        Some((name, rest)) if !name.trim().is_empty() => Ok((name.trim().to_owned(), rest)),
        _ => Err(format!(
            "expected NAME={what}, NAME being a function's name or ARN"
        )),
    }
}

/// A command line split into words as a POSIX shell does (quotes and backslashes), with
/// no expansion.
pub fn split_command_line(line: &str) -> Result<Vec<String>, String> {
    match shlex::split(line) {
        Some(argv) if !argv.is_empty() => Ok(argv),
        Some(_) => Err("the command is empty".to_owned()),
        None => Err(format!(
            "cannot split the command line {line:?}: a quote is not closed"
        )),
    }
}

/// An `http://` or `https://` URL with a host.
pub fn parse_http_url(s: &str) -> Result<Url, String> {
    let url = Url::parse(s).map_err(|e| format!("{s:?} is not a URL: {e}"))?;
    match url.scheme() {
        "http" | "https" if url.host_str().is_some_and(|h| !h.is_empty()) => Ok(url),
        "http" | "https" => Err(format!("{s:?} names no host")),
        _ => Err(format!("{s:?} is not an http:// or https:// URL")),
    }
}

/// The file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    /// The data directory, relative to the file's folder.
    data_dir: Option<PathBuf>,
    #[serde(default)]
    lambda: LambdaTable,
    #[serde(default)]
    functions: BTreeMap<String, FunctionTable>,
    #[serde(default)]
    smtp: SmtpTable,
    #[serde(default)]
    kms: KmsTable,
    #[serde(default)]
    tls: TlsTable,
    #[serde(default)]
    providers: BTreeMap<String, ProviderTable>,
    // Other tables go here, each a struct of its own.
}

/// `[providers.<Type>]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProviderTable {
    authorize_url: Option<String>,
    token_url: Option<String>,
    userinfo_url: Option<String>,
    jwks_uri: Option<String>,
    issuer: Option<String>,
}

impl ProviderTable {
    /// The social provider type `name` names, and its endpoints.
    fn endpoints(
        self,
        name: &str,
    ) -> Result<(IdentityProviderTypeType, ProviderEndpoints), String> {
        use IdentityProviderTypeType as T;
        let kind = match name {
            "Google" => T::Google,
            "Facebook" => T::Facebook,
            "LoginWithAmazon" => T::LoginWithAmazon,
            "SignInWithApple" => T::SignInWithApple,
            _ => {
                return Err(
                    "is no social provider type: one of Google, Facebook, LoginWithAmazon and \
                     SignInWithApple (OIDC providers name their endpoints in their ProviderDetails)"
                        .to_owned(),
                )
            }
        };
        let id_tokens = matches!(kind, T::Google | T::SignInWithApple);
        if !id_tokens && (self.jwks_uri.is_some() || self.issuer.is_some()) {
            return Err(format!(
                "{name} answers no ID token: `jwks_uri` and `issuer` apply to Google and \
                 SignInWithApple only"
            ));
        }
        let url = |key: &str, value: Option<String>| {
            value
                .map(|v| parse_http_url(&v).map(|_| v))
                .transpose()
                .map_err(|e| format!("{key}: {e}"))
        };
        Ok((
            kind,
            ProviderEndpoints {
                authorize_url: url("authorize_url", self.authorize_url)?,
                token_url: url("token_url", self.token_url)?,
                userinfo_url: url("userinfo_url", self.userinfo_url)?,
                jwks_uri: url("jwks_uri", self.jwks_uri)?,
                issuer: url("issuer", self.issuer)?,
            },
        ))
    }
}

/// `[smtp]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SmtpTable {
    url: Option<String>,
}

/// `[kms]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct KmsTable {
    endpoint: Option<String>,
}

/// `[tls]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TlsTable {
    enabled: Option<bool>,
    dir: Option<PathBuf>,
    #[serde(default)]
    hosts: Vec<String>,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
}

impl TlsTable {
    /// The settings of the table when it turns HTTPS on: `enabled = true`, or a
    /// certificate named without `enabled = false`.
    fn settings(self, folder: &Path) -> Option<TlsSettings> {
        let named = self.cert.is_some() || self.key.is_some();
        self.enabled.unwrap_or(named).then(|| TlsSettings {
            dir: self.dir.map(|dir| folder.join(dir)),
            hosts: self.hosts,
            cert: self.cert.map(|cert| folder.join(cert)),
            key: self.key.map(|key| folder.join(key)),
        })
    }
}

/// `[lambda]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LambdaTable {
    endpoint: Option<String>,
    timeout_ms: Option<u64>,
}

/// `[functions."<ARN or name>"]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FunctionTable {
    command: Option<CommandLine>,
    env: Option<BTreeMap<String, String>>,
    cwd: Option<PathBuf>,
    url: Option<String>,
    endpoint: Option<String>,
    timeout_ms: Option<u64>,
}

/// A command as written: its words, or one line to split.
#[derive(Debug, Deserialize)]
#[serde(
    untagged,
    expecting = "a list of strings (the program and its arguments) or a command line"
)]
enum CommandLine {
    Words(Vec<String>),
    Line(String),
}

impl File {
    fn parse(text: &str) -> Result<File, String> {
        toml::from_str(text).map_err(|e| e.to_string().trim_end().to_owned())
    }

    /// The settings the file describes, its relative paths taken from `folder`.
    fn config(self, folder: &Path) -> Result<Config, String> {
        let endpoint = self
            .lambda
            .endpoint
            .as_deref()
            .map(parse_http_url)
            .transpose()
            .map_err(|e| format!("[lambda] endpoint: {e}"))?;
        let timeout = match self.lambda.timeout_ms {
            Some(millis) => timeout(millis).map_err(|e| format!("[lambda] timeout_ms: {e}"))?,
            None => crate::functions::DEFAULT_TIMEOUT,
        };
        let functions = self
            .functions
            .into_iter()
            .map(|(name, table)| {
                let function = table
                    .function(folder)
                    .map_err(|e| format!("[functions.{}] {e}", quoted_key(&name)))?;
                Ok((name, function))
            })
            .collect::<Result<_, String>>()?;
        let smtp = self
            .smtp
            .url
            .as_deref()
            .map(parse_smtp_url)
            .transpose()
            .map_err(|e| format!("[smtp] url: {e}"))?;
        let kms_endpoint = self
            .kms
            .endpoint
            .as_deref()
            .map(parse_http_url)
            .transpose()
            .map_err(|e| format!("[kms] endpoint: {e}"))?;
        let providers = self
            .providers
            .into_iter()
            .map(|(name, table)| {
                table
                    .endpoints(&name)
                    .map_err(|e| format!("[providers.{}] {e}", quoted_key(&name)))
            })
            .collect::<Result<_, String>>()?;
        Ok(Config {
            lambda: LambdaSettings {
                endpoint,
                timeout,
                functions,
            },
            smtp,
            kms_endpoint,
            tls: self.tls.settings(folder),
            providers,
            data_dir: self.data_dir.map(|dir| folder.join(dir)),
        })
    }
}

impl FunctionTable {
    fn function(self, folder: &Path) -> Result<Function, String> {
        let timeout = self
            .timeout_ms
            .map(timeout)
            .transpose()
            .map_err(|e| format!("timeout_ms: {e}"))?;
        let runner = match (self.command, self.url, self.endpoint) {
            (Some(command), None, None) => {
                let argv = match command {
                    CommandLine::Words(words) if words.is_empty() => {
                        return Err("command: the command is empty".to_owned())
                    }
                    CommandLine::Words(words) => words,
                    CommandLine::Line(line) => {
                        split_command_line(&line).map_err(|e| format!("command: {e}"))?
                    }
                };
                Runner::Command(Command {
                    argv,
                    env: self.env.unwrap_or_default(),
                    cwd: Some(match self.cwd {
                        Some(cwd) => folder.join(cwd),
                        None => folder.to_path_buf(),
                    }),
                })
            }
            (None, Some(_), None) | (None, None, Some(_))
                if self.env.is_some() || self.cwd.is_some() =>
            {
                return Err("`env` and `cwd` apply to a `command` only".to_owned());
            }
            (None, Some(url), None) => {
                Runner::Url(parse_http_url(&url).map_err(|e| format!("url: {e}"))?)
            }
            (None, None, Some(endpoint)) => {
                Runner::InvokeApi(parse_http_url(&endpoint).map_err(|e| format!("endpoint: {e}"))?)
            }
            (None, None, None) => {
                return Err("needs one of `command`, `url` or `endpoint`".to_owned())
            }
            _ => return Err("has more than one of `command`, `url` and `endpoint`".to_owned()),
        };
        Ok(Function { runner, timeout })
    }
}

fn timeout(millis: u64) -> Result<Duration, String> {
    if millis == 0 {
        Err("must be at least 1".to_owned())
    } else {
        Ok(Duration::from_millis(millis))
    }
}

/// A key as TOML writes it in a table header: bare when it can be.
fn quoted_key(key: &str) -> String {
    if !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        key.to_owned()
    } else {
        format!("{key:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn parse(text: &str) -> Result<Config, String> {
        File::parse(text).and_then(|f| f.config(Path::new("/etc/cognito")))
    }

    #[test]
    fn reads_every_kind_of_function() {
        let config = parse(
            r#"
            [lambda]
            endpoint = "http://127.0.0.1:3002"
            timeout_ms = 2500

            [functions."arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up"]
            command = ["node", "handlers/pre-sign-up.js"]
            env = { MODE = "strict" }
            cwd = "functions"

            [functions.define]
            command = "python3 -u 'define auth.py'"
            timeout_ms = 300

            [functions.custom-message]
            url = "http://127.0.0.1:9000/custom-message"

            [functions.other]
            endpoint = "http://localhost:4566"

            [functions.deployed]
            url = "https://fn.lambda-url.us-east-1.on.aws/"
            "#,
        )
        .unwrap();
        let expected = LambdaSettings {
            endpoint: Some(url("http://127.0.0.1:3002")),
            timeout: Duration::from_millis(2500),
            functions: [
                (
                    "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up",
                    Function {
                        runner: Runner::Command(Command {
                            argv: vec!["node".into(), "handlers/pre-sign-up.js".into()],
                            env: [("MODE".to_owned(), "strict".to_owned())].into(),
                            cwd: Some(PathBuf::from("/etc/cognito/functions")),
                        }),
                        timeout: None,
                    },
                ),
                (
                    "define",
                    Function {
                        runner: Runner::Command(Command {
                            argv: vec!["python3".into(), "-u".into(), "define auth.py".into()],
                            env: BTreeMap::new(),
                            cwd: Some(PathBuf::from("/etc/cognito")),
                        }),
                        timeout: Some(Duration::from_millis(300)),
                    },
                ),
                (
                    "custom-message",
                    Function {
                        runner: Runner::Url(url("http://127.0.0.1:9000/custom-message")),
                        timeout: None,
                    },
                ),
                (
                    "other",
                    Function {
                        runner: Runner::InvokeApi(url("http://localhost:4566")),
                        timeout: None,
                    },
                ),
                (
                    "deployed",
                    Function {
                        runner: Runner::Url(url("https://fn.lambda-url.us-east-1.on.aws/")),
                        timeout: None,
                    },
                ),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
        };
        assert_eq!(config.lambda, expected);
    }

    #[test]
    fn an_empty_file_is_the_defaults() {
        assert_eq!(parse("").unwrap(), Config::default());
        assert_eq!(Config::default().lambda.timeout, Duration::from_secs(5));
    }

    #[test]
    fn absolute_working_directories_stay() {
        let config = parse("[functions.f]\ncommand = \"true\"\ncwd = \"/srv\"").unwrap();
        let Runner::Command(command) = &config.lambda.functions["f"].runner else {
            panic!()
        };
        assert_eq!(command.cwd.as_deref(), Some(Path::new("/srv")));
    }

    #[test]
    fn refuses_what_it_cannot_use() {
        let cases = [
            ("[lamda]\nendpoint = \"http://a\"", "unknown field `lamda`"),
            ("[lambda]\nendpont = \"http://a\"", "unknown field `endpont`"),
            ("[lambda]\nendpoint = \"localhost:3002\"", "[lambda] endpoint: \"localhost:3002\" is not an http:// or https:// URL"),
            ("[lambda]\nendpoint = \"http:/\"", "is not a URL: empty host"),
            ("[lambda]\ntimeout_ms = 0", "[lambda] timeout_ms: must be at least 1"),
            ("[lambda]\ntimeout_ms = -1", "timeout_ms"),
            ("[functions.f]\n", "[functions.f] needs one of `command`, `url` or `endpoint`"),
            (
                "[functions.f]\ncommand = \"x\"\nurl = \"http://a\"",
                "[functions.f] has more than one of `command`, `url` and `endpoint`",
            ),
            (
                "[functions.\"arn:aws:lambda:us-east-1:1:function:f\"]\nurl = \"http://a\"\nenv = {A = \"1\"}",
                "[functions.\"arn:aws:lambda:us-east-1:1:function:f\"] `env` and `cwd` apply to a `command` only",
            ),
            ("[functions.f]\ncommand = []", "[functions.f] command: the command is empty"),
            ("[functions.f]\ncommand = \"node 'x\"", "a quote is not closed"),
            ("[functions.f]\ncommand = 3", "a list of strings (the program and its arguments) or a command line"),
            ("[functions.f]\nurl = \"ftp://a\"", "[functions.f] url: \"ftp://a\" is not an http:// or https:// URL"),
            ("[functions.f]\nendpoint = \"http://a\"\ntimeout_ms = 0", "[functions.f] timeout_ms: must be at least 1"),
            ("[functions.f]\nurl = \"http://a\"\nshell = true", "unknown field `shell`"),
            ("lambda = 3", "invalid type"),
            ("[lambda\n", "line 1"),
        ];
        for (text, expected) in cases {
            let error = parse(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }

    #[test]
    fn reads_the_mail_server_and_the_kms() {
        let config = parse(
            "[smtp]\nurl = \"smtp://127.0.0.1:1025\"\n[kms]\nendpoint = \"http://127.0.0.1:5000\"\n",
        )
        .unwrap();
        assert_eq!(
            config.smtp,
            Some(parse_smtp_url("smtp://127.0.0.1:1025").unwrap())
        );
        assert_eq!(config.kms_endpoint, Some(url("http://127.0.0.1:5000")));
        for (text, expected) in [
            (
                "[smtp]\nurl = \"http://a\"",
                "[smtp] url: \"http://a\" is not an smtp://",
            ),
            ("[smtp]\nhost = \"a\"", "unknown field `host`"),
            ("[kms]\nendpoint = \"a:1\"", "[kms] endpoint:"),
        ] {
            let error = parse(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
        let flagged = Config::load(&options(&[
            "--smtp-url",
            "smtps://mail.example",
            "--kms-endpoint",
            "http://localhost:4566",
        ]))
        .unwrap();
        assert_eq!(flagged.smtp.map(|s| s.port), Some(465));
        assert_eq!(flagged.kms_endpoint, Some(url("http://localhost:4566")));
    }

    fn options(args: &[&str]) -> Options {
        Options::try_parse_from(std::iter::once(&"cognito-server").chain(args)).unwrap()
    }

    #[test]
    fn reads_tls_and_its_flags() {
        let etc = Path::new("/etc/cognito");
        assert_eq!(parse("").unwrap().tls, None);
        assert_eq!(
            parse(
                "[tls]
dir = \"certs\""
            )
            .unwrap()
            .tls,
            None
        );
        assert_eq!(
            parse(
                "[tls]
enabled = true
dir = \"certs\"
hosts = [\"auth.test\"]"
            )
            .unwrap()
            .tls,
            Some(TlsSettings {
                dir: Some(etc.join("certs")),
                hosts: vec!["auth.test".into()],
                cert: None,
                key: None,
            })
        );
        // A certificate turns HTTPS on unless `enabled = false` says otherwise.
        let given = TlsSettings {
            dir: None,
            hosts: vec![],
            cert: Some(etc.join("cert.pem")),
            key: Some("/keys/key.pem".into()),
        };
        let file = "[tls]
cert = \"cert.pem\"
key = \"/keys/key.pem\"
";
        assert_eq!(parse(file).unwrap().tls, Some(given));
        assert_eq!(parse(&format!("{file}enabled = false")).unwrap().tls, None);
        let error = parse(
            "[tls]
enabled = \"yes\"",
        )
        .unwrap_err();
        assert!(error.contains("invalid type"), "{error}");
        let error = parse(
            "[tls]
port = 8443",
        )
        .unwrap_err();
        assert!(error.contains("unknown field `port`"), "{error}");

        assert_eq!(Config::load(&options(&[])).unwrap().tls, None);
        assert_eq!(
            Config::load(&options(&["--tls", "--tls-hosts", "a.test,b.test"]))
                .unwrap()
                .tls,
            Some(TlsSettings {
                hosts: vec!["a.test".into(), "b.test".into()],
                ..TlsSettings::default()
            })
        );
        assert_eq!(
            Config::load(&options(&["--tls-cert", "c.pem", "--tls-key", "k.pem"]))
                .unwrap()
                .tls,
            Some(TlsSettings {
                cert: Some("c.pem".into()),
                key: Some("k.pem".into()),
                ..TlsSettings::default()
            })
        );
    }

    #[test]
    fn flags_override_the_file() {
        let folder = std::env::temp_dir().join(format!("cognito-config-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        let path = folder.join("cognito.toml");
        std::fs::write(
            &path,
            "[lambda]\nendpoint = \"http://127.0.0.1:3002\"\ntimeout_ms = 2000\n\
             [functions.a]\nurl = \"http://127.0.0.1:9000/a\"\n\
             [functions.b]\ncommand = [\"./b.sh\"]\n",
        )
        .unwrap();
        let path_text = path.to_str().unwrap();
        let from_file = Config::load(&options(&["--config", path_text]))
            .unwrap()
            .lambda;
        assert_eq!(from_file.endpoint, Some(url("http://127.0.0.1:3002")));
        let Runner::Command(b) = &from_file.functions["b"].runner else {
            panic!()
        };
        assert_eq!(b.cwd.as_deref(), Some(folder.as_path()));

        let lambda = Config::load(&options(&[
            "--config",
            path_text,
            "--lambda-endpoint",
            "http://localhost:4566",
            "--lambda-timeout-ms",
            "100",
            "--lambda-command",
            "a=python3 -c 'print(1)'",
            "--lambda-url",
            "c=http://127.0.0.1:9000/c",
        ]))
        .unwrap()
        .lambda;
        assert_eq!(lambda.endpoint, Some(url("http://localhost:4566")));
        assert_eq!(lambda.timeout, Duration::from_millis(100));
        assert_eq!(
            lambda.functions["a"].runner,
            Runner::Command(Command {
                argv: vec!["python3".into(), "-c".into(), "print(1)".into()],
                env: BTreeMap::new(),
                cwd: None,
            })
        );
        assert_eq!(lambda.functions["b"], from_file.functions["b"]);
        assert_eq!(
            lambda.functions["c"].runner,
            Runner::Url(url("http://127.0.0.1:9000/c"))
        );
        std::fs::remove_dir_all(&folder).unwrap();
    }

    #[test]
    fn reads_social_provider_endpoints() {
        let config = parse(
            "[providers.Google]
authorize_url = \"http://127.0.0.1:9000/o/oauth2/v2/auth\"
token_url = \"http://127.0.0.1:9000/token\"
userinfo_url = \"http://127.0.0.1:9000/userinfo\"
jwks_uri = \"http://127.0.0.1:9000/certs\"
issuer = \"http://127.0.0.1:9000\"
[providers.Facebook]
token_url = \"http://127.0.0.1:9001/oauth/access_token\"
",
        )
        .unwrap();
        let google = &config.providers[&IdentityProviderTypeType::Google];
        assert_eq!(
            google.authorize_url.as_deref(),
            Some("http://127.0.0.1:9000/o/oauth2/v2/auth")
        );
        // As written: no `/` is added to a bare origin.
        assert_eq!(google.issuer.as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(
            config.providers[&IdentityProviderTypeType::Facebook],
            ProviderEndpoints {
                token_url: Some("http://127.0.0.1:9001/oauth/access_token".into()),
                ..ProviderEndpoints::default()
            }
        );
        for (text, expected) in [
            (
                "[providers.OIDC]\ntoken_url = \"http://a\"",
                "[providers.OIDC] is no social provider type",
            ),
            (
                "[providers.Google]\ntoken_url = \"a:1\"",
                "[providers.Google] token_url: \"a:1\"",
            ),
            (
                "[providers.LoginWithAmazon]\nissuer = \"http://a\"",
                "[providers.LoginWithAmazon] LoginWithAmazon answers no ID token",
            ),
            (
                "[providers.Google]\nuser_info = \"http://a\"",
                "unknown field `user_info`",
            ),
        ] {
            let error = parse(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }

    #[test]
    fn a_missing_file_is_named() {
        let error = Config::load(&options(&["--config", "/nonexistent/cognito.toml"])).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("cannot read the configuration file /nonexistent/cognito.toml:"),
            "{error}"
        );
    }

    #[test]
    fn reads_function_flags() {
        assert_eq!(
            parse_command_flag("arn:aws:lambda:us-east-1:1:function:f=node \"my handler.js\"")
                .unwrap(),
            CommandFlag {
                name: "arn:aws:lambda:us-east-1:1:function:f".into(),
                argv: vec!["node".into(), "my handler.js".into()],
            }
        );
        assert_eq!(
            parse_url_flag("f=http://127.0.0.1:9000/f?x=1").unwrap(),
            UrlFlag {
                name: "f".into(),
                url: url("http://127.0.0.1:9000/f?x=1"),
            }
        );
        for bad in ["node x.js", "=node", "f=", "f=node 'x"] {
            assert!(parse_command_flag(bad).is_err(), "{bad}");
        }
        for bad in ["f", "f=127.0.0.1:9000", "f=ftp://x"] {
            assert!(parse_url_flag(bad).is_err(), "{bad}");
        }
    }
}
