//! Point-in-time recovery.

/// This family's state within a pool.
#[derive(Debug, Clone, Default)]
pub struct RecoveryState {}
