//! Log delivery configurations.

use cognito_model::shapes::*;

/// This family's state within a pool.
#[derive(Debug, Clone, Default)]
pub struct LogDeliveryState {
    /// The configurations as last set.
    pub(crate) configurations: Vec<LogConfigurationType>,
}
