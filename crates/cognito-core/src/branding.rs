//! UI customization and managed login branding.

/// This family's state within a pool.
#[derive(Debug, Clone, Default)]
pub struct BrandingState {}
