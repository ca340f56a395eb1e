//! Outbound HTTP, as the embedder provides it: what federated sign-in uses to reach the
//! identity providers a pool trusts (their discovery documents, key sets, token and
//! userInfo endpoints).
//!
//! Requests and answers are plain values ([`UpstreamRequest`], [`UpstreamResponse`]);
//! [`Upstream`] sends one and waits for its answer. Which client sends it, which
//! certificates it trusts and how long it waits are the embedder's: the server sends
//! requests with a blocking HTTPS client, tests answer them in process. A service with
//! no [`Upstream`] ([`NoUpstream`]) reaches no provider.
//!
//! Boundary: no HTTP library, no socket, no clock; a request is bytes and names.

/// An HTTP method the service sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// One request to send. `Debug` shows the method and the URL's path only: headers,
/// bodies and queries carry codes, secrets and tokens.
#[derive(Clone, PartialEq, Eq)]
pub struct UpstreamRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL, query included.
    pub url: String,
    /// Header names and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body; empty for `GET`.
    pub body: Vec<u8>,
}

impl std::fmt::Debug for UpstreamRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = self.url.split(['?', '#']).next().unwrap_or_default();
        f.debug_struct("UpstreamRequest")
            .field("method", &self.method)
            .field("url", &path)
            .finish_non_exhaustive()
    }
}

impl UpstreamRequest {
    /// A `GET` of `url` accepting JSON.
    pub fn get(url: impl Into<String>) -> Self {
        UpstreamRequest {
            method: Method::Get,
            url: url.into(),
            headers: vec![("Accept".into(), "application/json".into())],
            body: Vec::new(),
        }
    }

    /// A `POST` of an HTML form (`application/x-www-form-urlencoded`) to `url`,
    /// accepting JSON.
    pub fn post_form(url: impl Into<String>, form: &[(&str, &str)]) -> Self {
        UpstreamRequest {
            method: Method::Post,
            url: url.into(),
            headers: vec![
                ("Accept".into(), "application/json".into()),
                (
                    "Content-Type".into(),
                    "application/x-www-form-urlencoded".into(),
                ),
            ],
            body: form_encode(form).into_bytes(),
        }
    }

    /// This request with header `name` set to `value`.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// The value of header `name` (in any case), if set.
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The answer to a request. `Debug` shows the status only.
#[derive(Clone, PartialEq, Eq)]
pub struct UpstreamResponse {
    /// The status code.
    pub status: u16,
    /// Header names and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl std::fmt::Debug for UpstreamResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamResponse")
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl UpstreamResponse {
    /// A `200` answer of JSON `body`.
    pub fn json(body: &serde_json::Value) -> Self {
        UpstreamResponse::with_status(200, body)
    }

    /// An answer of JSON `body` with `status`.
    pub fn with_status(status: u16, body: &serde_json::Value) -> Self {
        UpstreamResponse {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    /// Whether the status is a success (2xx).
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Why a request got no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpstreamError {
    /// The answer did not come in time.
    Timeout,
    /// The request could not be sent or its answer read: nothing sends requests, the
    /// name does not resolve, the connection or TLS handshake failed.
    Unreachable(String),
}

impl std::fmt::Display for UpstreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UpstreamError::Timeout => f.write_str("the request timed out"),
            UpstreamError::Unreachable(why) => f.write_str(why),
        }
    }
}

/// What sends the service's outbound HTTP requests.
///
/// Called from the thread that runs the request, never under a lock; an implementation
/// may block until the answer comes or its time is up.
pub trait Upstream: Send + Sync {
    /// Sends `request` and answers the response, whatever its status.
    fn send(&self, request: &UpstreamRequest) -> Result<UpstreamResponse, UpstreamError>;
}

/// The [`Upstream`] of a service that reaches no one: every request fails, so a
/// federated sign-in that needs a provider's endpoint fails with a clear error.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoUpstream;

impl Upstream for NoUpstream {
    fn send(&self, request: &UpstreamRequest) -> Result<UpstreamResponse, UpstreamError> {
        let host = request
            .url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split(['/', '?', '#']).next())
            .unwrap_or_default();
        Err(UpstreamError::Unreachable(format!(
            "no outbound HTTP client is configured to reach {host}"
        )))
    }
}

/// `application/x-www-form-urlencoded` of `pairs` (the URL standard's serializer), also
/// what a URL's query is made of.
pub fn form_encode(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        encode_into(&mut out, name);
        out.push('=');
        encode_into(&mut out, value);
    }
    out
}

/// `text` as one component of a form or query, percent-encoded as
/// [`form_encode`] writes names and values.
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    encode_into(&mut out, text);
    out
}

fn encode_into(out: &mut String, text: &str) {
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(byte))
            }
            b' ' => out.push('+'),
            _ => {
                use std::fmt::Write as _;
                // Writing to a String cannot fail.
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_encode_as_the_url_standard_says() {
        assert_eq!(
            form_encode(&[
                ("scope", "openid email"),
                ("redirect_uri", "https://a/b?c=d&e")
            ]),
            "scope=openid+email&redirect_uri=https%3A%2F%2Fa%2Fb%3Fc%3Dd%26e"
        );
        assert_eq!(form_encode(&[("n", "é*-._~")]), "n=%C3%A9*-._%7E");
    }

    #[test]
    fn debug_hides_secrets() {
        let request = UpstreamRequest::post_form(
            "https://idp.example/token?x=secret",
            &[("client_secret", "s3cret")],
        )
        .header("Authorization", "Basic s3cret");
        let shown = format!("{request:?}");
        assert!(shown.contains("https://idp.example/token"), "{shown}");
        assert!(
            !shown.contains("s3cret") && !shown.contains("x=secret"),
            "{shown}"
        );
        assert_eq!(request.header_value("authorization"), Some("Basic s3cret"));
    }

    #[test]
    fn no_upstream_refuses_naming_the_host() {
        let e = NoUpstream
            .send(&UpstreamRequest::get("https://idp.example/.well-known/x"))
            .unwrap_err();
        assert_eq!(
            e,
            UpstreamError::Unreachable(
                "no outbound HTTP client is configured to reach idp.example".into()
            )
        );
    }
}
