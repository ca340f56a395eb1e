//! The cryptography of Cognito user pools, each piece traced to its specification.
//!
//! - [`secret`]: a wrapper whose `Debug` never shows what it holds.
//! - [`password`]: how a password is kept: Cognito's SRP identity hash, never the password.
//!
//! This crate knows nothing about pools, users or HTTP; it takes bytes and returns bytes.

pub mod password;
pub mod secret;

pub use secret::Secret;
