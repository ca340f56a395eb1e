//! The line logged for every answered request, and where it goes.
//!
//! By default [`CognitoService`](crate::CognitoService) logs each request as a `tracing`
//! event at `INFO` with the target [`TARGET`] and the message `request`. An embedder
//! that writes its own log can take the requests instead
//! ([`CognitoService::with_request_log`](crate::CognitoService::with_request_log)): the
//! line is the hottest log path, written once per request.

/// The `tracing` target of the request lines.
pub const TARGET: &str = "cognito_http::service";

/// One answered request, as its log line records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answered<'a> {
    /// The `x-amzn-requestid` of the answer.
    pub request_id: &'a str,
    /// The API operation, for `awsJson1_1` calls.
    pub operation: Option<&'a str>,
    /// The HTTP method, for requests that are not API calls.
    pub method: Option<&'a str>,
    /// The path, for requests that are not API calls.
    pub path: Option<&'a str>,
    /// The answer's status code.
    pub status: u16,
    /// How long the answer took, from the request's head to the answer's head.
    pub micros: u64,
    /// The error type of a failed request (`NotAuthorizedException`, …).
    pub error: Option<&'a str>,
}

/// Where the request lines go.
pub trait RequestLog: Send + Sync {
    /// Records one answered request.
    fn answered(&self, request: &Answered<'_>);
}

/// The default [`RequestLog`]: a `tracing` event per request.
#[derive(Debug, Clone, Copy, Default)]
pub struct TracingLog;

impl RequestLog for TracingLog {
    fn answered(&self, request: &Answered<'_>) {
        tracing::info!(
            target: TARGET,
            request_id = request.request_id,
            operation = request.operation,
            method = request.method,
            path = request.path,
            status = request.status,
            micros = request.micros,
            error = request.error,
            "request"
        );
    }
}
