//! The state of the service, as plain data: [`PoolState`], the aggregate of one pool,
//! made of the state types of each family below it.
//!
//! Boundary: state types know no operation and no `Cognito`; they hold data and the
//! small rules that keep it consistent (indexes, pruning, uniqueness), and nothing
//! below `state` imports from above it.

use std::collections::BTreeMap;

use cognito_model::shapes::{UserPoolClientType, UserPoolType};
use cognito_model::Timestamp;

/// Everything Cognito keeps about one user pool.
#[derive(Debug, Clone, Default)]
pub struct PoolState {
    /// The pool's configuration as `DescribeUserPool` returns it (counts are filled in
    /// when answering).
    pub config: UserPoolType,
    /// App clients by client id.
    pub clients: BTreeMap<String, ClientState>,
    /// Tags on the pool.
    pub tags: BTreeMap<String, String>,
    /// The pool's users.
    pub users: crate::users::Users,
    /// User import jobs.
    pub import_jobs: crate::import_jobs::ImportJobsState,
    /// The signing key and the refresh tokens issued.
    pub tokens: crate::auth::TokenState,
    /// Sign-ins waiting for a challenge response, by session.
    pub auth_sessions: crate::auth::PendingSignIns,
    /// Sign-ins as usernames that do not exist, answered as real ones.
    pub unknown_users: crate::auth::UnknownUsers,
    /// See [`crate::groups`].
    pub groups: crate::groups::GroupsState,
    /// See [`crate::resource_servers`].
    pub resource_servers: crate::resource_servers::ResourceServersState,
    /// See [`crate::domains`].
    pub domains: crate::domains::DomainState,
    /// See [`crate::identity_providers`].
    pub identity_providers: crate::identity_providers::IdentityProvidersState,
    /// See [`crate::branding`].
    pub branding: crate::branding::BrandingState,
    /// See [`crate::terms`].
    pub terms: crate::terms::TermsState,
    /// See [`crate::mfa_config`].
    pub mfa_config: crate::mfa_config::MfaConfigState,
    /// See [`crate::risk`].
    pub risk: crate::risk::RiskState,
    /// See [`crate::log_delivery`].
    pub log_delivery: crate::log_delivery::LogDeliveryState,
    /// See [`crate::replicas`].
    pub replicas: crate::replicas::ReplicasState,
    /// See [`crate::recovery`].
    pub recovery: crate::recovery::RecoveryState,
    /// See [`crate::cimd`].
    pub cimd: crate::cimd::CimdState,
    /// See [`crate::session_config`].
    pub session_config: crate::session_config::SessionConfigState,
}

/// One app client.
#[derive(Debug, Clone)]
pub struct ClientState {
    /// The client as `DescribeUserPoolClient` returns it, without `ClientSecret`.
    pub config: UserPoolClientType,
    /// Its secrets, oldest first (at most two).
    pub secrets: Vec<ClientSecret>,
}

/// One client secret.
#[derive(Clone)]
pub struct ClientSecret {
    /// The secret's id.
    pub id: String,
    /// The secret itself.
    pub value: String,
    /// When it was created.
    pub created: Timestamp,
}

impl std::fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSecret")
            .field("id", &self.id)
            .field("value", &"<redacted>")
            .field("created", &self.created)
            .finish()
    }
}
