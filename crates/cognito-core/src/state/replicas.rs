//! The pool's replicas in other Regions and their status.

use cognito_model::shapes::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// This family's state within a pool.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ReplicasState {
    /// Secondary replicas by Region.
    pub(crate) secondaries: BTreeMap<String, Replica>,
}

/// One secondary replica.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Replica {
    pub(crate) status: ReplicaStatusType,
}

impl ReplicasState {
    /// The Regions that hold replicas of the pool, as `ListUserPools` reports them.
    #[allow(dead_code, reason = "read by ListUserPools")]
    pub(crate) fn replica_regions(&self) -> Vec<String> {
        self.secondaries.keys().cloned().collect()
    }
}
