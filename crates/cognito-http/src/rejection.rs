//! Requests refused by the protocol layer before they reach an operation or a test API
//! endpoint.
//!
//! Each variant says precisely what was wrong with the request; `aws_json` turns them
//! into wire errors. Refusals that depend on the operation's input shape (wrong JSON types,
//! broken constraints) are not here: they come from `cognito_model::validate`.

use std::fmt;

/// Why the protocol layer refused a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rejection {
    /// No `X-Amz-Target` header.
    MissingTarget,
    /// `X-Amz-Target` names no operation of this service.
    UnknownOperation {
        /// The header's value, when it is readable text.
        target: Option<String>,
    },
    /// The `Content-Type` is not one of the JSON types the protocol accepts.
    UnsupportedMediaType,
    /// The body is larger than the configured limit.
    BodyTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The body could not be read from the connection.
    BodyUnreadable,
    /// The body is not JSON.
    MalformedJson {
        /// The parser's explanation.
        detail: String,
    },
    /// The body is JSON but not an object.
    NotAnObject,
    /// No route matches the method and path.
    NoRoute {
        /// The method.
        method: http::Method,
        /// The path.
        path: String,
    },
    /// A request to the test API whose `Host` names neither a loopback host nor one the
    /// server listens on: a page whose DNS name was rebound to this server.
    UnknownHost {
        /// The `Host` header (or the request target's authority), as sent.
        host: String,
    },
    /// A request to the test API from a page whose origin is not allowed.
    ForeignOrigin {
        /// The `Origin` header, as sent.
        origin: String,
    },
    /// A request to the test API that, by its `Sec-Fetch-Site`, another site's page made.
    CrossSite {
        /// The `Sec-Fetch-Site` header: `cross-site` or `same-site`.
        site: String,
    },
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::MissingTarget => f.write_str("Missing X-Amz-Target header"),
            Rejection::UnknownOperation { target: Some(t) } => {
                write!(f, "Unknown operation {t}")
            }
            Rejection::UnknownOperation { target: None } => f.write_str("Unknown operation"),
            Rejection::UnsupportedMediaType => f.write_str(
                "Unsupported Content-Type; use application/x-amz-json-1.1, \
                 application/x-amz-json-1.0 or application/json",
            ),
            Rejection::BodyTooLarge { limit } => {
                write!(f, "Request body is larger than the limit of {limit} bytes")
            }
            Rejection::BodyUnreadable => f.write_str("The request body could not be read"),
            Rejection::MalformedJson { detail } => {
                write!(f, "The request body is not valid JSON: {detail}")
            }
            Rejection::NotAnObject => f.write_str("The request body must be a JSON object"),
            Rejection::NoRoute { method, path } => write!(f, "No route for {method} {path}"),
            Rejection::UnknownHost { host } => write!(
                f,
                "The test API answers only requests for localhost or the server's own \
                 address, not for host {host}"
            ),
            Rejection::ForeignOrigin { origin } => write!(
                f,
                "The test API refuses requests from the pages of origin {origin}, \
                 which is not among its allowed origins"
            ),
            Rejection::CrossSite { site } => write!(
                f,
                "The test API refuses requests from other sites' pages \
                 (Sec-Fetch-Site: {site})"
            ),
        }
    }
}
