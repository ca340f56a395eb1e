//! Every way a request can fail, and the one mapping from a failure to the wire: its
//! status code ([`status`]), its `__type` (sent again as `x-amzn-ErrorType`) and its
//! message, in a `{"__type", "message"}` body.
//!
//! A [`Failure`] is either a protocol [`Rejection`] (no route, no target, a body that is
//! not JSON, a page kept from the test API, ...) or what dispatching produced: an input
//! that failed validation, a modeled Cognito error, an operation not built yet, or a bug.
//! Every route answers its failures through [`Failure::into_response`], which asks
//! [`status`]; nothing else in the crate picks an error's status code.

use std::borrow::Cow;

use bytes::Bytes;
use cognito_model::{CognitoError, DispatchError, ErrorKind, OperationError};
use http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use http::{Response, StatusCode};
use http_body_util::Full;

use crate::rejection::Rejection;
use crate::service::ResponseBody;

/// Carries an error's `__type` beside the body.
pub(crate) const X_AMZN_ERROR_TYPE: HeaderName = HeaderName::from_static("x-amzn-errortype");

/// The content type of every error body, as of every API answer.
pub(crate) const AMZ_JSON_1_1: HeaderValue = HeaderValue::from_static("application/x-amz-json-1.1");

/// Why a request got no answer of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The protocol layer refused the request before it reached an operation or endpoint.
    Rejected(Rejection),
    /// Validation refused the input, the service answered an error, or something broke.
    Dispatch(DispatchError),
}

/// Which kind of route answers; the status of a modeled error depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Surface {
    /// The `awsJson1_1` API (`POST /`). Cognito answers every fault of the caller with
    /// 400, whatever status the model gives the error (404 for
    /// `ResourceNotFoundException`, 403 for `NotAuthorizedException`, ...); SDKs read the
    /// error from `__type`. The service's own faults keep their modeled status (500).
    Api,
    /// The plain routes: key sets, discovery documents, the user import upload URL and
    /// the test API. A modeled error travels with the status the model gives it, as a
    /// REST endpoint's would.
    Plain,
}

/// The status `failure` travels with when a route of `surface` answers it.
pub(crate) fn status(failure: &Failure, surface: Surface) -> StatusCode {
    match failure {
        Failure::Rejected(rejection) => match rejection {
            Rejection::MissingTarget
            | Rejection::UnknownOperation { .. }
            | Rejection::BodyUnreadable
            | Rejection::MalformedJson { .. }
            | Rejection::NotAnObject => StatusCode::BAD_REQUEST,
            Rejection::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Rejection::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Rejection::NoRoute { .. } => StatusCode::NOT_FOUND,
            Rejection::UnknownHost { .. }
            | Rejection::ForeignOrigin { .. }
            | Rejection::CrossSite { .. } => StatusCode::FORBIDDEN,
        },
        Failure::Dispatch(DispatchError::Serialization(_)) => StatusCode::BAD_REQUEST,
        Failure::Dispatch(DispatchError::Operation(OperationError::Cognito(e))) => {
            let modeled = StatusCode::from_u16(e.kind.status_code())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            match surface {
                Surface::Api if e.kind.is_client_fault() => StatusCode::BAD_REQUEST,
                Surface::Api | Surface::Plain => modeled,
            }
        }
        Failure::Dispatch(DispatchError::Operation(OperationError::NotImplemented(_))) => {
            StatusCode::NOT_IMPLEMENTED
        }
        Failure::Dispatch(DispatchError::Internal(_)) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl Failure {
    /// The `__type` clients see.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Failure::Rejected(rejection) => match rejection {
                Rejection::MissingTarget | Rejection::UnknownOperation { .. } => {
                    "UnknownOperationException"
                }
                Rejection::UnsupportedMediaType => "UnsupportedMediaTypeException",
                Rejection::BodyTooLarge { .. } => "RequestEntityTooLargeException",
                Rejection::BodyUnreadable
                | Rejection::MalformedJson { .. }
                | Rejection::NotAnObject => "SerializationException",
                Rejection::NoRoute { .. } => "NotFoundException",
                Rejection::UnknownHost { .. }
                | Rejection::ForeignOrigin { .. }
                | Rejection::CrossSite { .. } => "ForbiddenException",
            },
            Failure::Dispatch(DispatchError::Serialization(_)) => "SerializationException",
            Failure::Dispatch(DispatchError::Operation(OperationError::Cognito(e))) => {
                e.kind.type_name()
            }
            Failure::Dispatch(DispatchError::Operation(OperationError::NotImplemented(_))) => {
                "NotImplementedException"
            }
            Failure::Dispatch(DispatchError::Internal(_)) => "InternalErrorException",
        }
    }

    /// The message clients see.
    pub(crate) fn message(&self) -> Cow<'_, str> {
        match self {
            Failure::Rejected(rejection) => Cow::Owned(rejection.to_string()),
            Failure::Dispatch(DispatchError::Serialization(message)) => Cow::Borrowed(message),
            Failure::Dispatch(DispatchError::Operation(OperationError::Cognito(e))) => {
                Cow::Borrowed(&e.message)
            }
            Failure::Dispatch(DispatchError::Operation(OperationError::NotImplemented(op))) => {
                Cow::Owned(format!(
                    "Operation {} is not implemented by this emulator yet",
                    op.name()
                ))
            }
            Failure::Dispatch(DispatchError::Internal(detail)) => {
                Cow::Owned(format!("Internal error: {detail}"))
            }
        }
    }

    /// The response carrying this failure, as a route of `surface` answers it.
    pub(crate) fn into_response(self, surface: Surface) -> Response<ResponseBody> {
        #[derive(serde::Serialize)]
        struct ErrorBody<'a> {
            #[serde(rename = "__type")]
            type_name: &'a str,
            message: &'a str,
        }

        let type_name = self.type_name();
        let body = serde_json::to_vec(&ErrorBody {
            type_name,
            message: &self.message(),
        })
        .unwrap_or_else(|_| br#"{"__type":"InternalErrorException"}"#.to_vec());
        let mut response = Response::new(Full::new(Bytes::from(body)));
        *response.status_mut() = status(&self, surface);
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, AMZ_JSON_1_1);
        // Type names are identifiers; checking first keeps `from_static` from ever panicking.
        if !type_name.is_empty() && type_name.bytes().all(|b| b.is_ascii_alphanumeric()) {
            headers.insert(X_AMZN_ERROR_TYPE, HeaderValue::from_static(type_name));
        }
        response
    }
}

impl From<Rejection> for Failure {
    fn from(rejection: Rejection) -> Self {
        Failure::Rejected(rejection)
    }
}

impl From<DispatchError> for Failure {
    fn from(error: DispatchError) -> Self {
        Failure::Dispatch(error)
    }
}

impl From<CognitoError> for Failure {
    fn from(error: CognitoError) -> Self {
        Failure::Dispatch(error.into())
    }
}

impl From<cognito_model::validate::Rejection> for Failure {
    fn from(rejection: cognito_model::validate::Rejection) -> Self {
        Failure::Dispatch(rejection.into())
    }
}

/// An `InvalidParameterException` for a request to one of the emulator's own endpoints.
pub(crate) fn invalid_parameter(message: impl Into<String>) -> Failure {
    CognitoError::new(ErrorKind::InvalidParameterException, message).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cognito_model::Operation;

    #[test]
    fn each_failure_has_one_status_per_surface() {
        let cognito = |kind| Failure::from(CognitoError::new(kind, "m"));
        // failure, status on the API, status on the plain routes, `__type`, message
        let cases: Vec<(Failure, u16, u16, &str, &str)> = vec![
            (
                cognito(ErrorKind::ResourceNotFoundException),
                400,
                404,
                "ResourceNotFoundException",
                "m",
            ),
            (
                cognito(ErrorKind::NotAuthorizedException),
                400,
                403,
                "NotAuthorizedException",
                "m",
            ),
            (
                cognito(ErrorKind::UserNotFoundException),
                400,
                404,
                "UserNotFoundException",
                "m",
            ),
            (
                cognito(ErrorKind::InvalidParameterException),
                400,
                400,
                "InvalidParameterException",
                "m",
            ),
            (
                cognito(ErrorKind::InternalErrorException),
                500,
                500,
                "InternalErrorException",
                "m",
            ),
            (
                DispatchError::from(OperationError::NotImplemented(Operation::AdminCreateUser))
                    .into(),
                501,
                501,
                "NotImplementedException",
                "Operation AdminCreateUser is not implemented by this emulator yet",
            ),
            (
                DispatchError::Internal("boom".into()).into(),
                500,
                500,
                "InternalErrorException",
                "Internal error: boom",
            ),
            (
                DispatchError::Serialization("bad".into()).into(),
                400,
                400,
                "SerializationException",
                "bad",
            ),
            (
                Rejection::BodyTooLarge { limit: 5 }.into(),
                413,
                413,
                "RequestEntityTooLargeException",
                "Request body is larger than the limit of 5 bytes",
            ),
            (
                Rejection::UnsupportedMediaType.into(),
                415,
                415,
                "UnsupportedMediaTypeException",
                "Unsupported Content-Type",
            ),
            (
                Rejection::MissingTarget.into(),
                400,
                400,
                "UnknownOperationException",
                "Missing X-Amz-Target header",
            ),
            (
                Rejection::NoRoute {
                    method: http::Method::GET,
                    path: "/x".into(),
                }
                .into(),
                404,
                404,
                "NotFoundException",
                "No route for GET /x",
            ),
            (
                Rejection::CrossSite {
                    site: "cross-site".into(),
                }
                .into(),
                403,
                403,
                "ForbiddenException",
                "Sec-Fetch-Site: cross-site",
            ),
        ];
        for (failure, api, plain, type_name, message) in cases {
            let what = format!("{failure:?}");
            assert_eq!(status(&failure, Surface::Api).as_u16(), api, "{what}");
            assert_eq!(status(&failure, Surface::Plain).as_u16(), plain, "{what}");
            assert_eq!(failure.type_name(), type_name, "{what}");
            assert!(failure.message().contains(message), "{what}");
            for (surface, expected) in [(Surface::Api, api), (Surface::Plain, plain)] {
                let response = failure.clone().into_response(surface);
                assert_eq!(response.status().as_u16(), expected, "{what}");
                assert_eq!(response.headers()[X_AMZN_ERROR_TYPE], type_name);
                assert_eq!(
                    response.headers()[CONTENT_TYPE],
                    "application/x-amz-json-1.1"
                );
            }
        }
    }
}
