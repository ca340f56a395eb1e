//! A blocking awsJson1_1 client for the harness, and the checks every answer goes through.
//!
//! Requests carry `X-Amz-Target: AWSCognitoIdentityProviderService.<Op>` and, for signed
//! operations, a well-formed SigV4 `Authorization` header with a fake signature: the
//! server under test reads the region from the credential scope and checks nothing else.

use std::fmt;
use std::time::Duration;

use serde_json::Value;

use super::schema::Schema;
use super::validate::check_output;

/// The service prefix of `X-Amz-Target`.
pub const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService";
pub const JSON_1_1: &str = "application/x-amz-json-1.1";
const AMZ_DATE: &str = "20260101T000000Z";
const AUTHORIZATION: &str = "AWS4-HMAC-SHA256 \
    Credential=AKIDEXAMPLE/20260101/us-east-1/cognito-idp/aws4_request, \
    SignedHeaders=host;x-amz-date, \
    Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";

/// One HTTP request to the service.
#[derive(Debug, Clone)]
pub struct Request {
    /// The whole `X-Amz-Target` value; `None` leaves the header out.
    pub target: Option<String>,
    /// `None` leaves the header out.
    pub content_type: Option<String>,
    pub signed: bool,
    pub body: String,
}

impl Request {
    /// A request to `op` with the usual headers.
    pub fn new(op: &str, signed: bool, body: String) -> Request {
        Request {
            target: Some(format!("{TARGET_PREFIX}.{op}")),
            content_type: Some(JSON_1_1.to_string()),
            signed,
            body,
        }
    }
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "POST /")?;
        if let Some(t) = &self.target {
            write!(f, " X-Amz-Target: {t}")?;
        }
        if let Some(c) = &self.content_type {
            write!(f, " Content-Type: {c}")?;
        }
        write!(f, " {}", abbreviate(&self.body))
    }
}

/// One HTTP response.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON; an empty body reads as `{}`.
    pub fn json(&self) -> Result<Value, String> {
        if self.body.trim().is_empty() {
            return Ok(Value::Object(serde_json::Map::new()));
        }
        serde_json::from_str(&self.body).map_err(|e| format!("body is not JSON ({e})"))
    }
}

impl fmt::Display for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if let Some(t) = self.header("x-amzn-ErrorType") {
            write!(f, " x-amzn-ErrorType: {t}")?;
        }
        write!(f, " {}", abbreviate(&self.body))
    }
}

/// Long bodies shortened for reports.
fn abbreviate(body: &str) -> String {
    const MAX: usize = 400;
    if body.chars().count() <= MAX {
        body.to_string()
    } else {
        let head: String = body.chars().take(MAX).collect();
        format!("{head}... ({} chars)", body.chars().count())
    }
}

/// The error name the protocol reads from `__type` or `x-amzn-ErrorType`: the part
/// after any `#` namespace and before any `:` suffix.
pub fn error_name(raw: &str) -> &str {
    let name = raw.rsplit('#').next().unwrap_or(raw);
    name.split(':').next().unwrap_or(name)
}

/// The connection to the server under test.
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    endpoint: String,
}

impl Client {
    pub fn new(endpoint: &str) -> Client {
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(30))
            .build();
        Client {
            agent,
            endpoint: endpoint.trim_end_matches('/').to_string(),
        }
    }

    pub fn send(&self, request: &Request) -> Result<Response, String> {
        let build = || {
            let mut r = self.agent.post(&format!("{}/", self.endpoint));
            if let Some(t) = &request.target {
                r = r.set("X-Amz-Target", t);
            }
            if let Some(c) = &request.content_type {
                r = r.set("Content-Type", c);
            }
            if request.signed {
                r = r
                    .set("X-Amz-Date", AMZ_DATE)
                    .set("Authorization", AUTHORIZATION);
            }
            r
        };
        // A pooled connection the server has closed fails before the request reaches the
        // server; one retry on a fresh connection tells that apart from a real failure.
        match build().send_string(&request.body) {
            Err(ureq::Error::Transport(_)) => read(build().send_string(&request.body)),
            other => read(other),
        }
    }

    /// Sends an HTTP `GET` for `path` (with any query) on the server under test.
    pub fn get(&self, path: &str) -> Result<Response, String> {
        let url = format!("{}{path}", self.endpoint);
        match self.agent.get(&url).call() {
            Err(ureq::Error::Transport(_)) => read(self.agent.get(&url).call()),
            other => read(other),
        }
    }

    /// Sends `body` with an HTTP `PUT` to `url` and these headers, as an upload to a
    /// pre-signed URL is sent.
    pub fn put(&self, url: &str, headers: &[(&str, &str)], body: &str) -> Result<Response, String> {
        let mut r = self.agent.put(url);
        for (name, value) in headers {
            r = r.set(name, value);
        }
        read(r.send_string(body))
    }
}

fn read(result: Result<ureq::Response, ureq::Error>) -> Result<Response, String> {
    let response = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => return Err(format!("request failed: {e}")),
    };
    let status = response.status();
    let headers = response
        .headers_names()
        .into_iter()
        .filter_map(|n| {
            let v = response.header(&n)?.to_string();
            Some((n.to_ascii_lowercase(), v))
        })
        .collect();
    let body = response
        .into_string()
        .map_err(|e| format!("cannot read the response body: {e}"))?;
    Ok(Response {
        status,
        headers,
        body,
    })
}

/// Checks a success: status 200, a request id, and a body that fits the output shape
/// strictly. Returns the body.
pub fn expect_output(schema: &Schema, op: &str, r: &Response) -> Result<Value, String> {
    let operation = schema.operation(op)?;
    if r.status != 200 {
        return Err(format!("expected HTTP 200, got {r}"));
    }
    request_id(r)?;
    let body = r.json()?;
    let broken = check_output(schema, operation.output.as_deref(), &body);
    if !broken.is_empty() {
        let list: Vec<String> = broken.iter().map(ToString::to_string).collect();
        return Err(format!(
            "{op} output does not fit the model: {}; got {r}",
            list.join("; ")
        ));
    }
    Ok(body)
}

/// Checks an error answer: the expected `__type`, a matching `x-amzn-ErrorType`, a
/// string `message`, a request id and a status of the error's class. Returns the message.
pub fn expect_error(r: &Response, error: &str, status: Status) -> Result<String, String> {
    let body: Value = r
        .json()
        .map_err(|e| format!("expected {error}, but the {e}: {r}"))?;
    let ty = body.get("__type").and_then(Value::as_str);
    if ty.map(error_name) != Some(error) {
        return Err(format!("expected {error}, got {r}"));
    }
    let ok_status = match status {
        Status::Exactly(s) => r.status == s,
        Status::Client => (400..500).contains(&r.status),
        Status::Server => (500..600).contains(&r.status),
    };
    if !ok_status {
        return Err(format!("expected {error} with status {status}, got {r}"));
    }
    match r.header("x-amzn-ErrorType") {
        Some(h) if error_name(h) == error => {}
        Some(h) => return Err(format!("x-amzn-ErrorType {h:?} does not name {error}: {r}")),
        None => return Err(format!("the error has no x-amzn-ErrorType header: {r}")),
    }
    request_id(r)?;
    body.get("message")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| format!("the error body has no string `message`: {r}"))
}

/// The HTTP status an error must have.
#[derive(Debug, Clone, Copy)]
pub enum Status {
    Exactly(u16),
    /// Any 4xx.
    Client,
    /// Any 5xx.
    Server,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Exactly(s) => write!(f, "{s}"),
            Status::Client => write!(f, "4xx"),
            Status::Server => write!(f, "5xx"),
        }
    }
}

fn request_id(r: &Response) -> Result<(), String> {
    match r.header("x-amzn-RequestId") {
        Some(id) if !id.trim().is_empty() => Ok(()),
        _ => Err(format!("the response has no x-amzn-RequestId header: {r}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_names_drop_namespace_and_suffix() {
        assert_eq!(
            error_name("InvalidParameterException"),
            "InvalidParameterException"
        );
        assert_eq!(
            error_name("com.amazonaws.cognitoidentityprovider#ResourceNotFoundException"),
            "ResourceNotFoundException"
        );
        assert_eq!(
            error_name("SerializationException:http://internal/"),
            "SerializationException"
        );
    }

    #[test]
    fn errors_are_checked_whole() {
        let response = |ty: &str, header: Option<&str>| Response {
            status: 400,
            headers: [("x-amzn-requestid", "r1")]
                .into_iter()
                .chain(header.map(|h| ("x-amzn-errortype", h)))
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            body: format!(r#"{{"__type":"{ty}","message":"m"}}"#),
        };
        let ok = response(
            "InvalidParameterException",
            Some("InvalidParameterException:"),
        );
        assert_eq!(
            expect_error(&ok, "InvalidParameterException", Status::Exactly(400)).unwrap(),
            "m"
        );
        let no_header = response("InvalidParameterException", None);
        assert!(expect_error(&no_header, "InvalidParameterException", Status::Client).is_err());
        let other = response(
            "ResourceNotFoundException",
            Some("ResourceNotFoundException"),
        );
        assert!(expect_error(&other, "InvalidParameterException", Status::Client).is_err());
        assert!(expect_error(&ok, "InvalidParameterException", Status::Server).is_err());
    }
}
