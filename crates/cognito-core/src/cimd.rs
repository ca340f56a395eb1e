//! Client ID metadata document (CIMD) policies and client metadata URLs.

/// This family's state within a pool.
#[derive(Debug, Clone, Default)]
pub struct CimdState {}
