//! The cryptography of Cognito user pools, each piece traced to its specification.
//!
//! - [`secret`]: a wrapper whose `Debug` never shows what it holds.
//! - [`password`]: how a password is kept: Cognito's SRP identity hash, never the password.
//! - [`jwk`]: RSA public keys as JSON Web Keys and key sets (RFC 7517, RFC 7518, RFC 7638).
//! - [`jwt`]: RS256 tokens, signed and verified (RFC 7515, RFC 7519), and the pool's key.
//! - [`srp`]: SRP-6a as Cognito's `USER_SRP_AUTH` and remembered devices'
//!   `DEVICE_SRP_AUTH` run it (RFC 5054, RFC 5869), server side and, in [`srp::client`],
//!   client side.
//! - [`totp`]: software token MFA: TOTP (RFC 6238) over HOTP (RFC 4226), with the secret in
//!   base32 (RFC 4648).
//! - [`x509`]: the pool's self-signed signing certificate (RFC 5280), DER and PEM.
//! - [`encryption_sdk`]: messages of the AWS Encryption SDK (message format 2, suite
//!   `0x0478`), as Cognito seals the codes it hands to custom sender triggers.
//! - [`saml`]: SAML 2.0 for a service provider: identity provider metadata,
//!   `AuthnRequest`s by the HTTP-Redirect binding, and responses by the HTTP-POST
//!   binding with their XML signatures (XML-DSig, Exclusive XML Canonicalization).
//! - [`webauthn`]: passkeys: registrations and assertions verified as W3C WebAuthn
//!   Level 3 §7.1 and §7.2 say, with the `none`, `packed` and `fido-u2f` attestation
//!   formats (§8), and, for tests, a software authenticator.
//!
//! This crate knows nothing about pools, users or HTTP; it takes bytes and returns bytes.

pub mod encryption_sdk;
pub mod jwk;
pub mod jwt;
pub mod password;
pub mod saml;
pub mod secret;
pub mod srp;
pub mod totp;
pub mod webauthn;
pub mod x509;

pub use secret::Secret;
