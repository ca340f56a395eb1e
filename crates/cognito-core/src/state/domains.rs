//! A pool's domains: its Cognito prefix domain and its custom domain.

use cognito_model::shapes::*;
use serde::{Deserialize, Serialize};

/// This family's state within a pool.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DomainState {
    /// The prefix domain, if any.
    pub(crate) prefix: Option<Domain>,
    /// The custom domain, if any.
    pub(crate) custom: Option<Domain>,
}

/// One domain of a pool.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Domain {
    /// The prefix alone, or the custom domain's full name.
    pub name: String,
    /// The certificate of a custom domain.
    pub custom_domain_config: Option<CustomDomainConfigType>,
    /// 1 for the classic hosted UI, 2 for managed login.
    pub managed_login_version: i32,
    /// Failover routing of a custom domain.
    pub routing: Option<RoutingType>,
    /// The distribution's host name (`<id>.cloudfront.net`).
    pub cloud_front_distribution: String,
    /// When the domain was last configured, as `yyyyMMddHHmmss`.
    pub version: String,
}

impl DomainState {
    /// The prefix domain.
    pub fn prefix(&self) -> Option<&Domain> {
        self.prefix.as_ref()
    }

    /// The custom domain.
    pub fn custom(&self) -> Option<&Domain> {
        self.custom.as_ref()
    }

    /// Whether the pool has a domain of either kind.
    pub fn any(&self) -> bool {
        self.prefix.is_some() || self.custom.is_some()
    }

    /// The domain called `name`, prefix or custom.
    pub(crate) fn named_mut(&mut self, name: &str) -> Option<&mut Domain> {
        [&mut self.prefix, &mut self.custom]
            .into_iter()
            .flatten()
            .find(|d| d.name == name)
    }

    pub(crate) fn named(&self, name: &str) -> Option<&Domain> {
        [&self.prefix, &self.custom]
            .into_iter()
            .flatten()
            .find(|d| d.name == name)
    }
}
