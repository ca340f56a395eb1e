//! User import jobs, with the CSV uploaded to each.

use cognito_crypto::Secret;
use cognito_model::shapes::*;
use std::collections::BTreeMap;

/// Import jobs of a pool.
#[derive(Debug, Clone, Default)]
pub struct ImportJobsState {
    pub(crate) jobs: BTreeMap<String, ImportJob>,
}

#[derive(Debug, Clone)]
pub(crate) struct ImportJob {
    pub(crate) job: UserImportJobType,
    pub(crate) upload_token: Secret<String>,
    pub(crate) csv: Option<Vec<u8>>,
}
