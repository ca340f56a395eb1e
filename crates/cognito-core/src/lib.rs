//! The behaviour of Cognito user pools as pure state machines.
//!
//! [`Cognito`] implements [`cognito_model::CognitoIdentityProvider`]: one method per
//! operation, grouped by family in modules named after it (`pools`, `clients`, `tags`, ...).
//! It owns the state through a [`Store`].
//!
//! Boundary: this crate knows nothing about HTTP, tokio or the wall clock. Time arrives in
//! each request's [`RequestContext`]; randomness comes from the [`Random`] source handed
//! to [`Cognito::new`], so tests control both.

#[cfg(test)]
mod architecture;
mod codes;
mod compromised;
mod context;
mod delivery;
pub mod durable;
mod errors;
mod ids;
pub mod lambda;
pub mod messages;
mod ops;
pub mod seed;
mod service;
mod state;
mod store;
#[cfg(test)]
mod testing;
mod time;
mod triggers;
pub mod upstream;

pub use context::{Clock, Random, RequestContext};
pub use ids::uuid_v4;
pub use ops::{auth, client_tokens, federation, test_api, users};
use store::Store;
pub use triggers::caller_sdk_version;

/// The user pools service.
pub struct Cognito {
    store: Store,
    random: Box<dyn Random>,
    links: Links,
    keys: Box<dyn auth::KeySource>,
    functions: lambda::Functions,
    /// What reaches identity providers (see [`Cognito::with_upstream`]).
    upstream: std::sync::Arc<dyn upstream::Upstream>,
    /// Where social providers' endpoints are (see [`Cognito::with_provider_endpoints`]).
    provider_endpoints: federation::SocialEndpoints,
    /// Set once any pool names a trigger function (see [`Cognito::may_invoke_functions`]).
    names_functions: std::sync::atomic::AtomicBool,
}

/// Whether operation `op` only reads state, and so never waits for a durable store's
/// disk.
fn reads_only(op: cognito_model::Operation) -> bool {
    use cognito_model::Operation as O;
    matches!(
        op,
        O::AdminGetUser
            | O::AdminGetDevice
            | O::AdminListDevices
            | O::AdminListGroupsForUser
            | O::AdminListUserAuthEvents
            | O::DescribeIdentityProvider
            | O::DescribeResourceServer
            | O::DescribeRiskConfiguration
            | O::DescribeUserImportJob
            | O::DescribeUserPool
            | O::DescribeUserPoolClient
            | O::DescribeUserPoolDomain
            | O::GetCSVHeader
            | O::GetDevice
            | O::GetGroup
            | O::GetIdentityProviderByIdentifier
            | O::GetUICustomization
            | O::GetUser
            | O::GetUserPoolMfaConfig
            | O::ListDevices
            | O::ListGroups
            | O::ListIdentityProviders
            | O::ListResourceServers
            | O::ListTagsForResource
            | O::ListUserImportJobs
            | O::ListUserPoolClients
            | O::ListUserPools
            | O::ListUsers
            | O::ListUsersInGroup
    )
}

/// The links the service hands out, which its embedder serves: the service composes no
/// URL of its own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    /// The base of tokens' issuer: `iss` is `<issuer_base>/<poolId>`, `{region}` standing
    /// for the pool's Region (e.g. `https://cognito-idp.{region}.amazonaws.com`). No
    /// trailing `/`.
    pub issuer_base: String,
    /// The base of user import jobs' pre-signed upload URLs:
    /// `<user_import_base>/<poolId>/<jobId>?token=<token>`. No trailing `/`.
    pub user_import_base: String,
}

impl Cognito {
    /// An empty service drawing ids and secrets from `random`, handing out no links
    /// until [`Cognito::with_links`] names them.
    pub fn new(random: Box<dyn Random>) -> Self {
        Cognito {
            store: Store::new(messages::DEFAULT_OUTBOX_LIMIT),
            random,
            links: Links::default(),
            keys: Box::new(auth::GeneratedKeys),
            functions: lambda::Functions::default(),
            upstream: std::sync::Arc::new(upstream::NoUpstream),
            provider_endpoints: federation::SocialEndpoints::default(),
            names_functions: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Sets the links the service hands out.
    pub fn with_links(mut self, links: Links) -> Self {
        self.links = Links {
            issuer_base: links.issuer_base.trim_end_matches('/').to_string(),
            user_import_base: links.user_import_base.trim_end_matches('/').to_string(),
        };
        self
    }

    /// Sets where pools' signing keys come from.
    pub fn with_key_source(mut self, keys: Box<dyn auth::KeySource>) -> Self {
        self.keys = keys;
        self
    }

    /// Sets what runs the pools' Lambda triggers (by default [`lambda::NoLambda`]: a
    /// configured trigger fails, as in Cognito when its function cannot be invoked).
    pub fn with_lambda(mut self, lambda: std::sync::Arc<dyn lambda::Lambda>) -> Self {
        self.functions.lambda = lambda;
        self
    }

    /// Sets what sends requests to identity providers in federated sign-ins (by default
    /// [`upstream::NoUpstream`]: none is reached, and a sign-in that needs one fails).
    pub fn with_upstream(mut self, upstream: std::sync::Arc<dyn upstream::Upstream>) -> Self {
        self.upstream = upstream;
        self
    }

    /// Sends federated sign-ins through social providers of type `provider_type` (Google,
    /// Facebook, Login with Amazon, Sign in with Apple) to `endpoints` in place of the
    /// providers' own, e.g. to a local stand-in.
    pub fn with_provider_endpoints(
        mut self,
        provider_type: cognito_model::shapes::IdentityProviderTypeType,
        endpoints: federation::ProviderEndpoints,
    ) -> Self {
        self.provider_endpoints.set(provider_type, endpoints);
        self
    }

    /// Sets how codes handed to custom sender triggers are encrypted (by default
    /// [`lambda::PlaintextCodes`]: not at all).
    pub fn with_code_encryption(
        mut self,
        encryption: std::sync::Arc<dyn lambda::CodeEncryption>,
    ) -> Self {
        self.functions.encryption = encryption;
        self
    }

    /// Whether operation `op` may block its thread: every operation of a durable service
    /// that may change state, which waits for the disk (see [`Cognito::with_journal`]);
    /// otherwise the operations
    /// that may invoke a trigger's function, for as long as it runs (up to its timeout),
    /// once any pool has named a function.
    pub fn may_invoke_functions(&self, op: cognito_model::Operation) -> bool {
        use cognito_model::Operation as O;
        self.store.is_durable() && !reads_only(op)
            || self.names_functions()
                && matches!(
                    op,
                    O::SignUp
                        | O::ConfirmSignUp
                        | O::AdminConfirmSignUp
                        | O::ResendConfirmationCode
                        | O::ForgotPassword
                        | O::ConfirmForgotPassword
                        | O::AdminResetUserPassword
                        | O::AdminCreateUser
                        | O::UpdateUserAttributes
                        | O::AdminUpdateUserAttributes
                        | O::GetUserAttributeVerificationCode
                        | O::InitiateAuth
                        | O::AdminInitiateAuth
                        | O::RespondToAuthChallenge
                        | O::AdminRespondToAuthChallenge
                        | O::GetTokensFromRefreshToken
                        | O::GetClientToken
                )
    }

    /// Whether any pool has named a function.
    pub(crate) fn names_functions(&self) -> bool {
        self.names_functions
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Notes that a pool's `config` names functions, if it does.
    pub(crate) fn note_functions(&self, config: &cognito_model::shapes::UserPoolType) {
        if ops::pools::names_functions(config) {
            self.names_functions
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Every trigger invocation recorded so far.
    pub fn invocations(&self) -> &lambda::InvocationLog {
        self.store.invocations()
    }

    /// Keeps at most `limit` messages per pool in the outbox (by default
    /// [`messages::DEFAULT_OUTBOX_LIMIT`]); older ones are dropped first.
    pub fn with_outbox_limit(mut self, limit: usize) -> Self {
        self.store.set_outbox_limit(limit);
        self
    }

    /// Starts from `loaded`, read back from `journal`'s records, and hands every later
    /// change to `journal`, answering each operation only once its changes are durable
    /// (see [`durable`]).
    pub fn with_journal(
        mut self,
        journal: std::sync::Arc<dyn durable::Journal>,
        loaded: durable::Loaded,
    ) -> Self {
        let limit = self.store.outbox().limit();
        self.store = Store::durable(limit, journal, loaded);
        self.store
            .each_pool(|_, pool| self.note_functions(&pool.config));
        self
    }

    /// Every message sent so far.
    pub fn outbox(&self) -> &messages::Outbox {
        self.store.outbox()
    }

    /// An empty in-memory service.
    pub fn in_memory(random: Box<dyn Random>) -> Self {
        Cognito::new(random)
    }
}
