//! The server's outbound HTTP ([`Upstream`]): what federated sign-ins reach identity
//! providers with (their discovery documents, key sets, token and userInfo endpoints).
//!
//! Requests go out with `ureq` over HTTP or HTTPS, each with a time limit
//! ([`TIMEOUT`]), following no redirect, and an answer is read up to [`MAX_BODY_BYTES`].
//! HTTPS trusts the Web PKI's roots (Mozilla's, as `webpki-roots` carries them) and,
//! when the server made its certificate with its local CA (`--tls`), that CA too: so a
//! pool can trust another server started with `--tls` on the same CA folder as its
//! OpenID Connect provider.
//!
//! Blocking: core calls it on the thread its request runs on. Bodies, headers and
//! queries carry codes, secrets and tokens: nothing of them is logged.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use cognito_core::upstream::{Method, Upstream, UpstreamError, UpstreamRequest, UpstreamResponse};
use cognito_http::rustls::pki_types::pem::PemObject;
use cognito_http::rustls::pki_types::CertificateDer;
use cognito_http::rustls::{self, ClientConfig, RootCertStore};

use crate::outbound::{no_answer, timed_out, NoAnswer};

/// How long a request may take, answer included.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The largest answer read: a provider's documents and tokens are far smaller.
pub const MAX_BODY_BYTES: u64 = 1024 * 1024;

/// Outbound HTTP over `ureq`.
pub struct HttpUpstream {
    agent: ureq::Agent,
}

impl HttpUpstream {
    /// An upstream trusting the Web PKI's roots and, when given, the certificates of
    /// the PEM file `ca_file` (the local CA's `ca.pem`). A file that cannot be read or
    /// holds no certificate is an `InvalidInput` error naming it.
    pub fn trusting(ca_file: Option<&Path>) -> std::io::Result<HttpUpstream> {
        let mut roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        if let Some(path) = ca_file {
            let invalid = |why: String| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!("the CA file {}: {why}", path.display()),
                )
            };
            let certificates = CertificateDer::pem_file_iter(path)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| invalid(e.to_string()))?;
            if certificates.is_empty() {
                return Err(invalid("it holds no certificate".into()));
            }
            for certificate in certificates {
                roots.add(certificate).map_err(|e| invalid(e.to_string()))?;
            }
        }
        let tls = client_config(roots).map_err(|e| std::io::Error::other(e.to_string()))?;
        let agent = ureq::AgentBuilder::new()
            .redirects(0)
            .timeout(TIMEOUT)
            .tls_config(Arc::new(tls))
            .user_agent(concat!("cognito-server/", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(HttpUpstream { agent })
    }
}

/// The TLS client side trusting `roots`, with ring's cryptography as the server's own
/// (`tls.rs` says why ring, whose provider rustls marks deprecated).
#[allow(deprecated)]
fn client_config(roots: RootCertStore) -> Result<ClientConfig, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

impl Upstream for HttpUpstream {
    fn send(&self, request: &UpstreamRequest) -> Result<UpstreamResponse, UpstreamError> {
        let mut call = self.agent.request(request.method.as_str(), &request.url);
        for (name, value) in &request.headers {
            call = call.set(name, value);
        }
        let sent = match request.method {
            Method::Get => call.call(),
            Method::Post => call.send_bytes(&request.body),
        };
        match sent {
            Ok(response) | Err(ureq::Error::Status(_, response)) => answer(response),
            Err(ureq::Error::Transport(e)) => Err(transport_error(request, &e)),
        }
    }
}

/// The answer of `response`, its body read whole.
fn answer(response: ureq::Response) -> Result<UpstreamResponse, UpstreamError> {
    let status = response.status();
    let headers = response
        .headers_names()
        .into_iter()
        .filter_map(|name| {
            let value = response.header(&name)?.to_owned();
            Some((name, value))
        })
        .collect();
    let mut body = Vec::new();
    match response
        .into_reader()
        .take(MAX_BODY_BYTES + 1)
        .read_to_end(&mut body)
    {
        Ok(_) if body.len() as u64 > MAX_BODY_BYTES => Err(UpstreamError::Unreachable(
            "the answer is larger than 1 MiB".to_owned(),
        )),
        Ok(_) => Ok(UpstreamResponse {
            status,
            headers,
            body,
        }),
        Err(e) if timed_out(&e) => Err(UpstreamError::Timeout),
        Err(e) => Err(UpstreamError::Unreachable(format!(
            "the answer broke off: {e}"
        ))),
    }
}

/// Why `request` got no answer, naming where it went (never its query).
fn transport_error(request: &UpstreamRequest, e: &ureq::Transport) -> UpstreamError {
    let origin = url::Url::parse(&request.url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    match no_answer(&origin, e) {
        NoAnswer::Timeout => UpstreamError::Timeout,
        NoAnswer::Unreachable(why) => UpstreamError::Unreachable(why),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::TcpListener;

    /// Serves one request on a local port with `answer`; answers the port and what the
    /// request was.
    fn serve_once(answer: &'static str) -> (u16, std::thread::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let handle = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut seen = Vec::new();
            let mut buf = [0u8; 4096];
            // Read the head, then as much body as Content-Length says.
            loop {
                let n = stream.read(&mut buf).unwrap();
                seen.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&seen).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length: "))
                        .or_else(|| {
                            text.lines()
                                .find_map(|l| l.strip_prefix("Content-Length: "))
                        })
                        .map_or(0, |n| n.trim().parse::<usize>().unwrap());
                    if seen.len() >= end + 4 + length {
                        break;
                    }
                }
            }
            stream.write_all(answer.as_bytes()).unwrap();
            String::from_utf8(seen).unwrap()
        });
        (port, handle)
    }

    #[test]
    fn sends_a_form_and_reads_the_answer_whatever_its_status() {
        let (port, seen) = serve_once(
            "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 25\r\n\r\n{\"error\":\"invalid_grant\"}",
        );
        let upstream = HttpUpstream::trusting(None).unwrap();
        let response = upstream
            .send(&UpstreamRequest::post_form(
                format!("http://127.0.0.1:{port}/oauth2/token"),
                &[("grant_type", "authorization_code"), ("code", "a b")],
            ))
            .unwrap();
        assert_eq!(response.status, 400);
        assert_eq!(response.body, br#"{"error":"invalid_grant"}"#);
        assert!(response
            .headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("content-type") && v == "application/json"));
        let seen = seen.join().unwrap();
        assert!(
            seen.starts_with("POST /oauth2/token HTTP/1.1\r\n"),
            "{seen}"
        );
        assert!(seen.contains("application/x-www-form-urlencoded"), "{seen}");
        assert!(
            seen.ends_with("\r\n\r\ngrant_type=authorization_code&code=a+b"),
            "{seen}"
        );
    }

    #[test]
    fn a_closed_port_is_unreachable_by_its_origin() {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let e = HttpUpstream::trusting(None)
            .unwrap()
            .send(&UpstreamRequest::get(format!(
                "http://127.0.0.1:{port}/keys?secret=1"
            )))
            .unwrap_err();
        assert_eq!(
            e,
            UpstreamError::Unreachable(format!(
                "cannot reach http://127.0.0.1:{port}: connection refused"
            ))
        );
    }

    #[test]
    fn a_ca_file_must_hold_certificates() {
        let folder = std::env::temp_dir().join(format!("cognito-upstream-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        let empty = folder.join("empty.pem");
        std::fs::write(&empty, "no certificate here").unwrap();
        let e = HttpUpstream::trusting(Some(&empty)).err().unwrap();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
        assert!(
            e.to_string().contains("empty.pem: it holds no certificate"),
            "{e}"
        );
        let settings = crate::tls::TlsSettings {
            dir: Some(folder.join("ca")),
            ..Default::default()
        };
        let names = ["localhost".to_owned()];
        let now = cognito_model::Timestamp::from_secs(1_700_000_000);
        let tls = crate::tls::Tls::prepare(&settings, &names, now).unwrap();
        assert!(HttpUpstream::trusting(tls.ca_file.as_deref()).is_ok());
        let missing = folder.join("missing.pem");
        let e = HttpUpstream::trusting(Some(&missing)).err().unwrap();
        assert!(e.to_string().contains("missing.pem"), "{e}");
        std::fs::remove_dir_all(&folder).unwrap();
    }
}
