//! The pool MFA configuration: `SetUserPoolMfaConfig`, `GetUserPoolMfaConfig`.

/// This family's state within a pool.
#[derive(Debug, Clone, Default)]
pub struct MfaConfigState {}
