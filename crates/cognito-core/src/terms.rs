//! Terms documents shown by managed login.

/// This family's state within a pool.
#[derive(Debug, Clone, Default)]
pub struct TermsState {}
