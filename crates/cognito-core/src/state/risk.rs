//! Threat protection: risk configurations of the pool and of its app clients.

use cognito_model::shapes::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// This family's state within a pool.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RiskState {
    /// The pool-wide configuration.
    pub(crate) pool: Option<RiskConfigurationType>,
    /// Per-client configurations by client id.
    pub(crate) clients: BTreeMap<String, RiskConfigurationType>,
}

impl RiskState {
    /// What a compromised-credentials finding on `event` leads to for `client_id`: the
    /// client's own configuration if it has one, else the pool's; `None` when detection is
    /// off for that event.
    #[allow(
        dead_code,
        reason = "called by the sign-in, sign-up and password flows"
    )]
    pub(crate) fn compromised_credentials_action(
        &self,
        client_id: Option<&str>,
        event: EventFilterType,
    ) -> Option<CompromisedCredentialsEventActionType> {
        let config = client_id
            .and_then(|c| self.clients.get(c))
            .or(self.pool.as_ref())?;
        let detection = config.compromised_credentials_risk_configuration.as_ref()?;
        let watched = detection
            .event_filter
            .as_ref()
            .is_none_or(|f| f.contains(&event));
        watched.then_some(detection.actions.event_action)
    }
}
