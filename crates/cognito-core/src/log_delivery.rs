//! Log delivery configuration.

/// This family's state within a pool.
#[derive(Debug, Clone, Default)]
pub struct LogDeliveryState {}
