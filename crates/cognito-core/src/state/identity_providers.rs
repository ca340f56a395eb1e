//! A pool's external identity providers, by name and by identifier.

use cognito_model::shapes::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// This family's state within a pool.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct IdentityProvidersState {
    /// Providers by name.
    pub(crate) providers: BTreeMap<String, IdentityProviderType>,
}

impl IdentityProvidersState {
    /// The provider called `name`, with every detail (secrets included).
    pub fn get(&self, name: &str) -> Option<&IdentityProviderType> {
        self.providers.get(name)
    }

    /// The provider that lists `identifier` among its `IdpIdentifiers`.
    pub fn by_identifier(&self, identifier: &str) -> Option<&IdentityProviderType> {
        self.providers
            .values()
            .find(|p| p.idp_identifiers.iter().flatten().any(|i| i == identifier))
    }
}
