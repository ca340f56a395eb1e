//! Provisioned limits.

/// This family's state within a pool.
#[derive(Debug, Clone, Default)]
pub struct LimitsState {}
