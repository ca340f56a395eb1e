//! The Cognito user pools API as Rust types, generated from AWS's Smithy model.
//!
//! - [`shapes`]: one type per structure, enum, list and map shape, with serde using the
//!   exact wire member names.
//! - [`Operation`]: the 153 operations with their metadata; [`CognitoIdentityProvider`] is
//!   the service trait (one method per operation) and [`dispatch`] routes a validated
//!   [`Input`] to it.
//! - [`ErrorKind`]: the modeled errors with their `__type` names and HTTP status codes.
//! - [`validate`]: input validation from `@required`, `@length`, `@pattern`, `@range` and
//!   enum shapes, with the messages Cognito answers, and its fast path over a body's
//!   bytes.
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

/// A request's input, as [`dispatch`] takes it: validated one way or the other.
#[derive(Debug, Clone, PartialEq)]
pub enum Input<'a> {
    /// The body as a JSON value that [`validate::validate_input`] accepted.
    Value(serde_json::Value),
    /// A body that [`validate::accepts`] accepted, decoded straight from its bytes without
    /// building a JSON value first. Should it fail to decode (a `null` where the typed
    /// input has a plain `bool`, say), [`dispatch`] answers
    /// [`DispatchError::Serialization`] before calling the service: decode the body
    /// through [`Input::Value`] then, which words the error as clients expect.
    Checked(&'a [u8]),
}

/// Deserializes a validated input into its typed request.
fn decode<T: serde::de::DeserializeOwned>(input: Input<'_>) -> Result<T, DispatchError> {
    match input {
        Input::Value(value) => serde_json::from_value(value),
        Input::Checked(body) => serde_json::from_slice(body),
    }
    .map_err(|e| DispatchError::Serialization(e.to_string()))
}

/// Serializes an output structure.
fn encode<T: serde::Serialize>(output: &T) -> Result<Vec<u8>, DispatchError> {
    // Room for most answers at once (a user, a pool), rather than growing from 128 bytes.
    let mut out = Vec::with_capacity(ENCODE_CAPACITY);
    serde_json::to_writer(&mut out, output).map_err(|e| DispatchError::Internal(e.to_string()))?;
    Ok(out)
}

/// The buffer an answer is encoded into starts this large.
const ENCODE_CAPACITY: usize = 1024;
