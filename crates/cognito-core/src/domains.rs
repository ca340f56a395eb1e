//! User pool domains: prefix and custom domains, managed login version.

/// This family's state within a pool.
#[derive(Debug, Clone, Default)]
pub struct DomainState {}
