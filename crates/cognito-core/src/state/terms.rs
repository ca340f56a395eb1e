//! Terms documents (terms of use, privacy policy) by app client.

use cognito_model::shapes::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// This family's state within a pool.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TermsState {
    /// Terms documents by id.
    pub(crate) terms: BTreeMap<String, TermsType>,
}

impl TermsState {
    /// The documents of `client_id`.
    pub fn of_client<'a>(&'a self, client_id: &'a str) -> impl Iterator<Item = &'a TermsType> + 'a {
        self.terms
            .values()
            .filter(move |t| t.client_id == client_id)
    }

    /// Drops the documents of a deleted app client.
    pub fn forget_client(&mut self, client_id: &str) {
        self.terms.retain(|_, t| t.client_id != client_id);
    }
}
