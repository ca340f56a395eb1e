//! Resource servers and their custom scopes.

/// This family's state within a pool.
#[derive(Debug, Clone, Default)]
pub struct ResourceServersState {}
