//! Resource servers and the custom scopes they define.

use cognito_model::shapes::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// This family's state within a pool.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ResourceServersState {
    /// Resource servers by identifier.
    pub(crate) servers: BTreeMap<String, ResourceServerType>,
}

impl ResourceServersState {
    /// Whether `scope` (`<identifier>/<scope name>`) is a custom scope of the pool.
    pub fn has_scope(&self, scope: &str) -> bool {
        // Identifiers may contain `/` (URLs do); scope names may not.
        scope.rsplit_once('/').is_some_and(|(identifier, name)| {
            self.servers
                .get(identifier)
                .is_some_and(|s| s.scopes.iter().flatten().any(|sc| sc.scope_name == name))
        })
    }
}
