//! The Cognito user pools API as Rust types, generated from AWS's Smithy model.
//!
//! - [`shapes`]: one type per structure, enum, list and map shape, with serde using the
//!   exact wire member names.
//! - [`Operation`]: the 153 operations with their metadata; [`CognitoIdentityProvider`] is
//!   the service trait (one method per operation) and [`dispatch`] routes a validated
//!   JSON input to it.
//! - [`ErrorKind`]: the modeled errors with their `__type` names and HTTP status codes.
//! - [`validate`]: input validation from `@required`, `@length`, `@pattern`, `@range` and
//!   enum shapes, with the messages Cognito answers.
//!
//! This crate knows nothing about HTTP, storage or behaviour: it is the vocabulary the
//! other crates speak. Everything under `generated/` is written by `cargo xtask codegen`.

mod error;
mod generated;
pub mod schema;
pub mod validate;
mod values;

pub use error::{CognitoError, DispatchError, OperationError};
pub use generated::errors::ErrorKind;
pub use generated::operations::{dispatch, CognitoIdentityProvider, Operation};
pub use generated::shapes;
pub use values::{Blob, Timestamp};

/// Deserializes a validated input value into its typed request.
fn decode<T: serde::de::DeserializeOwned>(input: serde_json::Value) -> Result<T, DispatchError> {
    serde_json::from_value(input).map_err(|e| DispatchError::Serialization(e.to_string()))
}

/// Serializes an output structure.
fn encode<T: serde::Serialize>(output: &T) -> Result<Vec<u8>, DispatchError> {
    serde_json::to_vec(output).map_err(|e| DispatchError::Internal(e.to_string()))
}
