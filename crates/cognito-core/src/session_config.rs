//! User pool and app client session configuration.

/// This family's state within a pool.
#[derive(Debug, Clone, Default)]
pub struct SessionConfigState {}
