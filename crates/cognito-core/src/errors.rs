//! Constructors for the modeled errors the handlers answer, worded as Cognito words them.

use cognito_model::{CognitoError, ErrorKind};

/// `InvalidParameterException` with `message`.
pub(crate) fn invalid_parameter(message: impl Into<String>) -> CognitoError {
    CognitoError::new(ErrorKind::InvalidParameterException, message)
}

/// `ResourceNotFoundException` with `message`.
pub(crate) fn not_found(message: impl Into<String>) -> CognitoError {
    CognitoError::new(ErrorKind::ResourceNotFoundException, message)
}

/// `LimitExceededException` with `message`.
pub(crate) fn limit_exceeded(message: impl Into<String>) -> CognitoError {
    CognitoError::new(ErrorKind::LimitExceededException, message)
}

/// The answer for a pool id that names no pool.
pub(crate) fn pool_not_found(pool_id: &str) -> CognitoError {
    not_found(format!("User pool {pool_id} does not exist."))
}

/// The answer for a client id that names no client of the pool.
pub(crate) fn client_not_found(client_id: &str) -> CognitoError {
    not_found(format!("User pool client {client_id} does not exist."))
}
