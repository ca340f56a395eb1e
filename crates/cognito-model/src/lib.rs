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

mod encode;
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

/// A request's input, as [`dispatch`] takes it: validated, or validated as it is decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum Input<'a> {
    /// The body as a JSON value that [`validate::validate_input`] accepted.
    Value(serde_json::Value),
    /// The body's bytes, validated while they are decoded into the typed input
    /// ([`validate::decode`]), in one pass. Should that pass not be sure of the body (a
    /// broken constraint, a wrong type, a member given twice, a `null` where the typed
    /// input has a plain `bool`, ...), [`dispatch`] answers
    /// [`DispatchError::Serialization`] before calling the service: validate the body
    /// through [`Input::Value`] then, which words the rejection as clients expect.
    Body(&'a [u8]),
}

/// Deserializes the input of `op` into its typed request.
fn decode<T: serde::de::DeserializeOwned>(
    op: Operation,
    input: Input<'_>,
) -> Result<T, DispatchError> {
    match input {
        Input::Value(value) => {
            serde_json::from_value(value).map_err(|e| DispatchError::Serialization(e.to_string()))
        }
        Input::Body(body) => validate::decode(op, body).ok_or_else(|| {
            DispatchError::Serialization("not known to be valid: validate it first".to_owned())
        }),
    }
}

/// Serializes an output structure: by [`encode::to_vec`], or by `serde_json` (the same
/// bytes) when the output holds something that leaves to it.
fn encode<T: serde::Serialize>(output: &T) -> Result<Vec<u8>, DispatchError> {
    // Room for most answers at once (a user, a pool), rather than growing from 128 bytes.
    let mut out = Vec::with_capacity(ENCODE_CAPACITY);
    if encode::to_vec(output, &mut out).is_err() {
        out.clear();
        serde_json::to_writer(&mut out, output)
            .map_err(|e| DispatchError::Internal(e.to_string()))?;
    }
    Ok(out)
}

/// The buffer an answer is encoded into starts this large.
const ENCODE_CAPACITY: usize = 1024;
