//! Log delivery configurations.

use cognito_model::shapes::*;
use serde::{Deserialize, Serialize};

/// This family's state within a pool.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LogDeliveryState {
    /// The configurations as last set.
    pub(crate) configurations: Vec<LogConfigurationType>,
}
