//! Risk configuration (threat protection): compromised credentials and account takeover settings.

/// This family's state within a pool.
#[derive(Debug, Clone, Default)]
pub struct RiskState {}
