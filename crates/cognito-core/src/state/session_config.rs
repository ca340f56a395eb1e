//! User session tracking settings.

use cognito_model::shapes::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// This family's state within a pool.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionConfigState {
    /// Whether sessions are tracked; `None` until set.
    pub(crate) tracking: Option<UserSessionTrackingType>,
    /// Active token sessions a user can have; `None` until set.
    pub(crate) max_per_user: Option<i32>,
    /// Minutes of silent SSO session reuse, by client id.
    pub(crate) clients: BTreeMap<String, i32>,
}

impl SessionConfigState {
    /// Whether the pool tracks sessions.
    pub(crate) fn tracking_enabled(&self) -> bool {
        self.tracking == Some(UserSessionTrackingType::Enabled)
    }

    /// How many token sessions a user can have at once.
    pub(crate) fn max_sessions_per_user(&self) -> i32 {
        self.max_per_user.unwrap_or(DEFAULT_MAX_PER_USER)
    }

    /// How long, in minutes, `client_id` silently reuses an SSO session.
    pub(crate) fn sso_max_validity_minutes(&self, client_id: &str) -> i32 {
        self.clients
            .get(client_id)
            .copied()
            .unwrap_or(DEFAULT_SSO_MINUTES)
    }
}

/// Active token sessions a user can have when the pool doesn't say.
pub(crate) const DEFAULT_MAX_PER_USER: i32 = 20;

/// Minutes an app client silently reuses an SSO session when it doesn't say.
pub(crate) const DEFAULT_SSO_MINUTES: i32 = 60;
