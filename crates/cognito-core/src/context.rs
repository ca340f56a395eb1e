//! What each request brings in from outside: where it runs, and when.

use cognito_model::Timestamp;

/// Per-request facts the HTTP front end establishes.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// The AWS region the request addresses (from SigV4's credential scope, or the default).
    pub region: String,
    /// The account id that owns the resources.
    pub account_id: String,
    /// When the request arrived.
    pub now: Timestamp,
    /// The caller's SDK as trigger events name it (`awsSdkVersion`, e.g.
    /// `aws-sdk-js-3.600.0`; see [`crate::caller_sdk_version`]), when known.
    pub aws_sdk_version: Option<String>,
}

/// A source of the current time. Only the binary reads the wall clock; tests move a manual one.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> Timestamp;
}

/// A source of randomness for ids, secrets and codes.
pub trait Random: Send + Sync {
    /// Fills `buf` with random bytes.
    fn fill(&self, buf: &mut [u8]);
}
