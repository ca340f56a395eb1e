//! User import jobs, with the CSV uploaded to each.

use cognito_crypto::Secret;
use cognito_model::shapes::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Import jobs of a pool.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportJobsState {
    pub(crate) jobs: BTreeMap<String, ImportJob>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ImportJob {
    pub(crate) job: UserImportJobType,
    #[serde(with = "super::codec::secret_string")]
    pub(crate) upload_token: Secret<String>,
    #[serde(with = "super::codec::option_bytes")]
    pub(crate) csv: Option<Vec<u8>>,
}
