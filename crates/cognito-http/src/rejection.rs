//! Requests refused by the protocol layer before they reach an operation.
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
        }
    }
}
