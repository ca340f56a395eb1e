//! Client ID metadata document (CIMD) policies and the documents fetched under them.

use crate::state::PoolState;
use cognito_model::shapes::*;
use cognito_model::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// This family's state within a pool.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CimdState {
    /// Policies by id.
    pub(crate) policies: BTreeMap<String, Policy>,
}

/// One policy and its cache.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Policy {
    /// The policy as `DescribeCIMDPolicy` answers it (with its client even if deleted).
    pub(crate) config: CIMDPolicyType,
    /// Cached metadata documents by URL: when cached.
    pub(crate) cached: BTreeMap<String, Timestamp>,
}

impl Policy {
    pub(crate) fn cache_millis(&self) -> i64 {
        i64::from(self.config.cache_duration.unwrap_or(DEFAULT_CACHE_SECONDS)) * 1000
    }

    /// The policy as answered: without its client once the client is gone.
    pub(crate) fn describe(&self, pool: &PoolState) -> CIMDPolicyType {
        let mut config = self.config.clone();
        config.client_id = config.client_id.filter(|c| pool.clients.contains_key(c));
        config
    }
}

impl CimdState {
    /// The policy, and its app client, whose patterns admit the metadata URL `url`.
    #[allow(dead_code, reason = "called by the authorization endpoint")]
    pub(crate) fn policy_for_url(&self, url: &str) -> Option<(&str, Option<&str>)> {
        self.policies
            .iter()
            .find(|(_, p)| {
                p.config
                    .url_patterns
                    .iter()
                    .flatten()
                    .any(|pattern| pattern_matches(pattern, url))
            })
            .map(|(id, p)| (id.as_str(), p.config.client_id.as_deref()))
    }

    /// Records that the metadata document at `url` was fetched for `policy_id` at `now`.
    #[allow(dead_code, reason = "called by the authorization endpoint")]
    pub(crate) fn record_metadata_url(&mut self, policy_id: &str, url: &str, now: Timestamp) {
        if let Some(p) = self.policies.get_mut(policy_id) {
            p.cached.insert(url.to_string(), now);
        }
    }
}

/// Seconds a metadata document stays cached when the policy doesn't say.
pub(crate) const DEFAULT_CACHE_SECONDS: i32 = 86_400;

/// Whether `url` matches `pattern`, where `*` matches any run of characters other than
/// `.` and `/`.
pub(crate) fn pattern_matches(pattern: &str, url: &str) -> bool {
    pub(crate) fn go(p: &[u8], u: &[u8]) -> bool {
        match p.split_first() {
            None => u.is_empty(),
            Some((b'*', rest)) => {
                let mut i = 0;
                loop {
                    if go(rest, u.get(i..).unwrap_or_default()) {
                        return true;
                    }
                    match u.get(i) {
                        Some(c) if *c != b'.' && *c != b'/' => i += 1,
                        _ => return false,
                    }
                }
            }
            Some((c, rest)) => u
                .split_first()
                .is_some_and(|(d, u_rest)| c == d && go(rest, u_rest)),
        }
    }
    go(pattern.as_bytes(), url.as_bytes())
}
