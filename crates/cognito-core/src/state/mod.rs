//! The state of the service, as plain data: [`PoolState`], the aggregate of one pool,
//! made of the state types of each family below it.
//!
//! Boundary: state types know no operation and no `Cognito`; they hold data and the
//! small rules that keep it consistent (indexes, pruning, uniqueness), and nothing
//! below `state` imports from above it.

pub mod authorization_codes;
pub mod branding;
pub mod changes;
pub mod cimd;
pub mod codec;
pub mod devices;
pub mod domains;
pub mod federation;
pub mod grants;
pub mod groups;
pub mod identity_providers;
pub mod import_jobs;
pub mod log_delivery;
pub mod login_sessions;
pub mod mfa_config;
pub mod passkeys;
pub mod pending;
pub mod recovery;
pub mod replicas;
pub mod resource_servers;
pub mod risk;
pub mod session_config;
pub mod sign_in;
pub mod terms;
pub mod tokens;
pub mod unknown_users;
pub mod users;

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
    pub users: users::Users,
    /// User import jobs.
    pub import_jobs: import_jobs::ImportJobsState,
    /// The signing key and the refresh tokens issued.
    pub tokens: tokens::TokenState,
    /// Sign-ins waiting for a challenge response, by session.
    pub auth_sessions: pending::PendingSignIns,
    /// Sign-ins as usernames that do not exist, answered as real ones.
    pub unknown_users: unknown_users::UnknownUsers,
    /// See [`groups`].
    pub groups: groups::GroupsState,
    /// See [`resource_servers`].
    pub resource_servers: resource_servers::ResourceServersState,
    /// See [`domains`].
    pub domains: domains::DomainState,
    /// See [`identity_providers`].
    pub identity_providers: identity_providers::IdentityProvidersState,
    /// See [`branding`].
    pub branding: branding::BrandingState,
    /// See [`terms`].
    pub terms: terms::TermsState,
    /// See [`mfa_config`].
    pub mfa_config: mfa_config::MfaConfigState,
    /// See [`risk`].
    pub risk: risk::RiskState,
    /// See [`log_delivery`].
    pub log_delivery: log_delivery::LogDeliveryState,
    /// See [`replicas`].
    pub replicas: replicas::ReplicasState,
    /// See [`recovery`].
    pub recovery: recovery::RecoveryState,
    /// See [`cimd`].
    pub cimd: cimd::CimdState,
    /// See [`session_config`].
    pub session_config: session_config::SessionConfigState,
    /// See [`authorization_codes`].
    pub authorization_codes: authorization_codes::AuthorizationCodes,
    /// See [`login_sessions`].
    pub login_sessions: login_sessions::LoginSessions,
    /// See [`federation`].
    pub federations: federation::Federations,
    /// What a durable store last wrote of the families it writes whole.
    pub(crate) written: changes::Fingerprints,
}

/// One app client.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ClientState {
    /// The client as `DescribeUserPoolClient` returns it, without `ClientSecret`.
    pub config: UserPoolClientType,
    /// Its secrets, oldest first (at most two).
    pub secrets: Vec<ClientSecret>,
}

/// One client secret.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
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
