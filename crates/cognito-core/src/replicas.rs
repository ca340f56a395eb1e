//! User pool replicas in other regions (state only: no other region exists locally).

/// This family's state within a pool.
#[derive(Debug, Clone, Default)]
pub struct ReplicasState {}
