//! HTTPS (`--tls`): servers started with TLS, called by a client (ureq over rustls) that
//! trusts only the certificate authority the test names.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cognito_http::rustls::{self, pki_types::pem::PemObject, pki_types::CertificateDer};
use serde_json::{json, Value};
use tokio::net::TcpListener;

use crate::support::Server;

/// A folder of the test's own, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let path =
            std::env::temp_dir().join(format!("cognito-https-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Scratch(path)
    }

    fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A client trusting only the certificates in `ca_file`, which reaches any host name at
/// `addr`.
fn client(ca_file: &Path, addr: SocketAddr) -> ureq::Agent {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca_file).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    #[allow(deprecated)] // ring, as the server builds it
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    ureq::AgentBuilder::new()
        .tls_config(Arc::new(tls))
        .resolver(move |_: &str| Ok(vec![addr]))
        .build()
}

/// Calls `operation` at `url` with `body`; the answer's status and JSON body, or the
/// client's error.
async fn call(agent: &ureq::Agent, url: String, operation: &str, body: Value) -> (u16, Value) {
    let agent = agent.clone();
    let target = format!("AWSCognitoIdentityProviderService.{operation}");
    tokio::task::spawn_blocking(move || {
        let answer = agent
            .post(&url)
            .set("content-type", "application/x-amz-json-1.1")
            .set("x-amz-target", &target)
            .send_string(&body.to_string());
        let response = match answer {
            Ok(response) | Err(ureq::Error::Status(_, response)) => response,
            Err(e) => panic!("{url}: {e}"),
        };
        let status = response.status();
        (
            status,
            serde_json::from_str(&response.into_string().unwrap()).unwrap(),
        )
    })
    .await
    .unwrap()
}

/// GETs `url`: the JSON body, or the client's error.
async fn get(agent: &ureq::Agent, url: String) -> Result<Value, String> {
    let agent = agent.clone();
    tokio::task::spawn_blocking(move || {
        agent
            .get(&url)
            .call()
            .map_err(|e| e.to_string())
            .map(|response| serde_json::from_str(&response.into_string().unwrap()).unwrap())
    })
    .await
    .unwrap()
}

/// Starts a server with `--tls` and its CA in `dir`, once it answers (and so has written
/// the CA's certificate).
async fn start_tls(dir: &Path, configure: impl FnOnce(&mut cognito_server::Options)) -> Server {
    let dir = dir.to_path_buf();
    let server = Server::start_with(move |options| {
        options.tls = true;
        options.tls_dir = Some(dir);
        configure(options);
    })
    .await;
    answers(&server).await;
    server
}

/// Waits for `server` to answer a plain HTTP request: it serves only once its TLS
/// configuration is made.
async fn answers(server: &Server) {
    let listed = server.call("ListUserPools", json!({"MaxResults": 1})).await;
    assert_eq!(listed.status, 200, "{listed:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_api_and_the_key_set_answer_over_https_on_the_same_port_as_http() {
    let scratch = Scratch::new("api");
    let server = start_tls(&scratch.0, |_| {}).await;
    let agent = client(&scratch.path("ca.pem"), server.addr);
    let base = format!("https://127.0.0.1:{}", server.addr.port());

    let (status, created) = call(
        &agent,
        format!("{base}/"),
        "CreateUserPool",
        json!({"PoolName": "secure"}),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let pool_id = created["UserPool"]["Id"].as_str().unwrap().to_owned();

    let jwks = get(&agent, format!("{base}/{pool_id}/.well-known/jwks.json"))
        .await
        .unwrap();
    let key = &jwks["keys"][0];
    assert_eq!((&key["kty"], &key["alg"]), (&json!("RSA"), &json!("RS256")));
    // The issuer follows the scheme: the key set is fetched from it over HTTPS.
    let discovery = get(
        &agent,
        format!(
            "https://localhost:{}/{pool_id}/.well-known/openid-configuration",
            server.addr.port()
        ),
    )
    .await
    .unwrap();
    assert_eq!(discovery["issuer"], format!("{base}/{pool_id}"));
    assert_eq!(
        discovery["jwks_uri"],
        format!(
            "https://localhost:{}/{pool_id}/.well-known/jwks.json",
            server.addr.port()
        ),
        "the key set at the address and scheme the client used"
    );

    // Plain HTTP still answers on the same port.
    let described = server
        .call("DescribeUserPool", json!({"UserPoolId": pool_id}))
        .await;
    assert_eq!(described.status, 200, "{described:?}");
    assert_eq!(described.body["UserPool"]["Name"], "secure");
    let plain = server
        .send(crate::support::empty(http::Request::get(format!(
            "/{pool_id}/.well-known/openid-configuration"
        ))))
        .await;
    assert_eq!(
        plain.body["jwks_uri"],
        format!("http://{}/{pool_id}/.well-known/jwks.json", server.addr)
    );
    assert_eq!(plain.body["issuer"], format!("{base}/{pool_id}"));

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |file: &str| {
            std::fs::metadata(scratch.path(file))
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(mode("ca-key.pem"), 0o600);
        assert_eq!(mode("ca.pem") & 0o400, 0o400);
    }
    // Only the CA's certificate is in the file clients trust.
    let ca = std::fs::read_to_string(scratch.path("ca.pem")).unwrap();
    assert!(!ca.contains("PRIVATE KEY"), "{ca}");
    server.shut_down().await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_the_certificate_does_not_cover_is_refused_until_tls_hosts_names_it() {
    let scratch = Scratch::new("names");
    let server = start_tls(&scratch.0, |options| {
        options.test_api_hosts = vec!["cognito".into()];
    })
    .await;
    let agent = client(&scratch.path("ca.pem"), server.addr);
    let port = server.addr.port();
    let pools = |host: &str| format!("https://{host}:{port}/");
    for covered in ["localhost", "cognito", "[::1]"] {
        let (status, body) = call(
            &agent,
            pools(covered),
            "ListUserPools",
            json!({"MaxResults": 1}),
        )
        .await;
        assert_eq!(status, 200, "{covered}: {body}");
    }
    let refused = tokio::task::spawn_blocking({
        let agent = agent.clone();
        let url = pools("auth.test");
        move || {
            agent
                .get(&url)
                .call()
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
    })
    .await
    .unwrap()
    .unwrap_err();
    assert!(
        refused.contains("certificate not valid for name \"auth.test\""),
        "{refused}"
    );
    server.shut_down().await.unwrap().unwrap();

    // Named by --tls-hosts, it is covered; the CA stays the one the client trusts.
    let server = start_tls(&scratch.0, |options| {
        options.tls_hosts = vec!["auth.test".into(), "*.auth.test".into()];
    })
    .await;
    let agent = client(&scratch.path("ca.pem"), server.addr);
    let port = server.addr.port();
    for host in ["auth.test", "eu.auth.test"] {
        let url = format!("https://{host}:{port}/");
        let (status, body) = call(&agent, url, "ListUserPools", json!({"MaxResults": 1})).await;
        assert_eq!(status, 200, "{host}: {body}");
    }
    // The test API, which answers only the server's own names, answers these.
    let messages = get(
        &agent,
        format!("https://auth.test:{port}/_cognito/messages"),
    )
    .await;
    assert_eq!(messages, Ok(json!({"messages": []})));
    server.shut_down().await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_ca_is_made_once_and_reused_by_later_starts() {
    let scratch = Scratch::new("reuse");
    let first = start_tls(&scratch.0, |_| {}).await;
    let agent = client(&scratch.path("ca.pem"), first.addr);
    let url = format!("https://localhost:{}/", first.addr.port());
    assert_eq!(
        call(&agent, url, "ListUserPools", json!({"MaxResults": 1}))
            .await
            .0,
        200
    );
    first.shut_down().await.unwrap().unwrap();
    let ca = std::fs::read(scratch.path("ca.pem")).unwrap();
    let key = std::fs::read(scratch.path("ca-key.pem")).unwrap();

    // A client that trusted the first start's CA trusts the second's certificate.
    let second = start_tls(&scratch.0, |_| {}).await;
    let trusted = scratch.0.with_extension("trusted.pem");
    std::fs::write(&trusted, &ca).unwrap();
    let agent = client(&trusted, second.addr);
    let url = format!("https://localhost:{}/", second.addr.port());
    assert_eq!(
        call(&agent, url, "ListUserPools", json!({"MaxResults": 1}))
            .await
            .0,
        200
    );
    second.shut_down().await.unwrap().unwrap();
    let _ = std::fs::remove_file(&trusted);
    assert_eq!(std::fs::read(scratch.path("ca.pem")).unwrap(), ca);
    assert_eq!(std::fs::read(scratch.path("ca-key.pem")).unwrap(), key);

    // Another folder is another CA, which that client does not trust.
    let other = Scratch::new("reuse-other");
    let third = start_tls(&other.0, |_| {}).await;
    let agent = client(&scratch.path("ca.pem"), third.addr);
    let url = format!("https://localhost:{}/", third.addr.port());
    let refused = tokio::task::spawn_blocking(move || {
        agent
            .get(&url)
            .call()
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
    .await
    .unwrap()
    .unwrap_err();
    assert!(refused.contains("UnknownIssuer"), "{refused}");
    third.shut_down().await.unwrap().unwrap();
}

/// A CA and a certificate it signed for `localhost`, written as PEM into `scratch`:
/// the CA's certificate, the chain and the key's paths.
fn user_certificate(scratch: &Scratch) -> (PathBuf, PathBuf, PathBuf) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&key, &issuer)
        .unwrap();
    let paths = (
        scratch.path("my-ca.pem"),
        scratch.path("cert.pem"),
        scratch.path("key.pem"),
    );
    std::fs::write(&paths.0, ca_cert.pem()).unwrap();
    std::fs::write(&paths.1, cert.pem()).unwrap();
    std::fs::write(&paths.2, key.serialize_pem()).unwrap();
    (paths.0, paths.1, paths.2)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_certificate_and_key_the_user_gives_are_served() {
    let scratch = Scratch::new("given");
    let (ca, cert, key) = user_certificate(&scratch);
    let server = Server::start_with(|options| {
        options.tls_cert = Some(cert);
        options.tls_key = Some(key);
        // No CA is made: a folder named but never written.
        options.tls_dir = Some(scratch.path("unused"));
    })
    .await;
    answers(&server).await;
    let agent = client(&ca, server.addr);
    let url = format!("https://localhost:{}/", server.addr.port());
    let (status, body) = call(&agent, url, "ListUserPools", json!({"MaxResults": 1})).await;
    assert_eq!(status, 200, "{body}");
    assert!(!scratch.path("unused").exists());
    server.shut_down().await.unwrap().unwrap();
}

#[tokio::test]
async fn unusable_certificates_and_keys_stop_the_server_before_it_serves() {
    let scratch = Scratch::new("refused");
    let (_, cert, key) = user_certificate(&scratch);
    let other = Scratch::new("refused-other");
    let (_, _, other_key) = user_certificate(&other);
    let missing = scratch.path("missing.pem");
    let not_pem = scratch.path("not.pem");
    std::fs::write(&not_pem, "hello").unwrap();
    let blocked = scratch.path("file");
    std::fs::write(&blocked, "a file where a folder should be").unwrap();
    // CA folders whose key file is not a usable CA: garbage, and a key with another
    // key's certificate.
    let garbled = scratch.path("garbled");
    std::fs::create_dir_all(&garbled).unwrap();
    std::fs::write(garbled.join("ca-key.pem"), "not a key").unwrap();
    let mismatched = scratch.path("mismatched");
    std::fs::create_dir_all(&mismatched).unwrap();
    let pem = |path: &Path| std::fs::read_to_string(path).unwrap();
    std::fs::write(
        mismatched.join("ca-key.pem"),
        pem(&other_key) + &pem(&scratch.path("my-ca.pem")),
    )
    .unwrap();
    let unusable = |dir: &Path, why: &str| {
        format!(
            "the CA key file {} {why}; delete the folder {} to make a new CA (and trust it again)",
            dir.join("ca-key.pem").display(),
            dir.display()
        )
    };

    // --tls-cert, --tls-key, --tls-dir, and the message.
    type Case<'a> = (Option<&'a Path>, Option<&'a Path>, Option<&'a Path>, String);
    let cases: [Case; 7] = [
        (
            Some(&cert),
            Some(&other_key),
            None,
            format!(
                "cannot serve the certificate {} with the key {}: the key is not the certificate's private key",
                cert.display(),
                other_key.display()
            ),
        ),
        (
            Some(&missing),
            Some(&key),
            None,
            format!("cannot read the certificate {}: No such file or directory (os error 2)", missing.display()),
        ),
        (
            Some(&not_pem),
            Some(&key),
            None,
            format!("the certificate file {} holds no PEM certificate", not_pem.display()),
        ),
        (
            Some(&cert),
            Some(&not_pem),
            None,
            format!("cannot read the private key {}: no PEM block of that kind in the file", not_pem.display()),
        ),
        (
            None,
            None,
            Some(&blocked.join("tls")),
            format!("cannot create the TLS folder {}: Not a directory (os error 20)", blocked.join("tls").display()),
        ),
        (None, None, Some(&garbled), unusable(&garbled, "holds no private key")),
        (
            None,
            None,
            Some(&mismatched),
            unusable(&mismatched, "holds a key that is not its certificate's"),
        ),
    ];
    for (cert, key, dir, expected) in cases {
        let options = cognito_server::Options {
            tls: true,
            tls_cert: cert.map(Path::to_path_buf),
            tls_key: key.map(Path::to_path_buf),
            tls_dir: dir.map(Path::to_path_buf),
            ..<cognito_server::Options as clap::Parser>::try_parse_from(["cognito-server"]).unwrap()
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let error = cognito_server::run(listener, &options, std::future::pending())
            .await
            .unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput, "{expected}");
        assert_eq!(error.to_string(), expected);
    }
}

#[test]
fn the_binary_names_both_schemes_and_the_ca_file() {
    let scratch = Scratch::new("binary");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cognito-server"))
        .args([
            "--port",
            "0",
            "--tls",
            "--tls-hosts",
            "auth.test",
            "--tls-dir",
        ])
        .arg(&scratch.0)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stdout));
    let mut next = || lines.next().unwrap().unwrap();
    let (first, second, third) = (next(), next(), next());
    child.kill().unwrap();
    child.wait().unwrap();
    let http = first
        .strip_prefix("cognito-server listening on http://")
        .unwrap();
    assert_eq!(
        second,
        format!("cognito-server listening on https://{http}")
    );
    assert_eq!(
        third,
        format!(
            "cognito-server HTTPS certificate for localhost, 127.0.0.1, ::1, auth.test signed by \
             the local CA {} (trust it with NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE or SSL_CERT_FILE)",
            scratch.path("ca.pem").display()
        )
    );
}
