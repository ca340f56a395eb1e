//! The error types of the API: modeled errors, not-yet-built operations, and the
//! outcomes of decoding a request.

use crate::{ErrorKind, Operation};

/// A modeled Cognito error: its kind and the message clients see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CognitoError {
    /// Which modeled error.
    pub kind: ErrorKind,
    /// The message, worded as Cognito words it.
    pub message: String,
}

impl CognitoError {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        CognitoError {
            kind,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for CognitoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.type_name(), self.message)
    }
}

impl std::error::Error for CognitoError {}

/// What a service method may answer instead of its output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperationError {
    /// A modeled error.
    Cognito(CognitoError),
    /// The operation's behaviour is not built.
    NotImplemented(Operation),
}

impl From<CognitoError> for OperationError {
    fn from(e: CognitoError) -> Self {
        OperationError::Cognito(e)
    }
}

/// Why a request produced no output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DispatchError {
    /// The body is not JSON of the input's shape (wrong JSON types, malformed values).
    Serialization(String),
    /// The service answered an error.
    Operation(OperationError),
    /// The output could not be encoded; a bug, never the caller's fault.
    Internal(String),
}

impl From<OperationError> for DispatchError {
    fn from(e: OperationError) -> Self {
        DispatchError::Operation(e)
    }
}

impl From<CognitoError> for DispatchError {
    fn from(e: CognitoError) -> Self {
        DispatchError::Operation(OperationError::Cognito(e))
    }
}
