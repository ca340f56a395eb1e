//! Identity providers: SAML, OIDC and social providers, attribute mapping and identifiers.

/// This family's state within a pool.
#[derive(Debug, Clone, Default)]
pub struct IdentityProvidersState {}
