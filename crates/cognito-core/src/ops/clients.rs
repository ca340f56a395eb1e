//! App clients: `CreateUserPoolClient`, `DescribeUserPoolClient`, `UpdateUserPoolClient`,
//! `DeleteUserPoolClient`, `ListUserPoolClients`, and client secret rotation
//! (`AddUserPoolClientSecret`, `ListUserPoolClientSecrets`, `DeleteUserPoolClientSecret`).

use cognito_model::shapes::*;
use cognito_model::{CognitoError, ErrorKind, Timestamp};

use crate::errors::{client_not_found, invalid_parameter, limit_exceeded};
use crate::store::{ClientSecret, ClientState, PoolState};
use crate::{ids, Cognito, RequestContext};

/// How many secrets a client may hold at once.
const MAX_SECRETS: usize = 2;

/// Default page size of `ListUserPoolClients`.
const DEFAULT_PAGE: usize = 60;

/// The OAuth scopes every pool has. Any other scope a client allows must be a custom scope
/// (`<resource server identifier>/<scope name>`) of one of the pool's resource servers.
const STANDARD_SCOPES: &[&str] = &[
    "openid",
    "email",
    "phone",
    "profile",
    "aws.cognito.signin.user.admin",
];

impl Cognito {
    pub(crate) fn create_user_pool_client(
        &self,
        ctx: &RequestContext,
        input: CreateUserPoolClientRequest,
    ) -> Result<CreateUserPoolClientResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |_| Ok(()))?;
        let wants_secret = input.generate_secret || input.client_secret.is_some();
        let settings = ClientSettings::from_create(&input);
        self.store.update(&input.user_pool_id, |pool| {
            settings.check(pool, wants_secret)?;
            let client_id = loop {
                let id = ids::client_id(&*self.random);
                if !pool.clients.contains_key(&id) {
                    break id;
                }
            };
            let secrets = if wants_secret {
                let value = input
                    .client_secret
                    .clone()
                    .unwrap_or_else(|| ids::client_secret(&*self.random));
                vec![self.new_secret(&client_id, value, ctx.now)]
            } else {
                Vec::new()
            };
            let mut config = UserPoolClientType {
                user_pool_id: Some(input.user_pool_id.clone()),
                client_id: Some(client_id.clone()),
                client_name: Some(input.client_name.clone()),
                creation_date: Some(ctx.now),
                ..Default::default()
            };
            settings.apply(&mut config, ctx.now);
            let client = ClientState { config, secrets };
            let answer = client.describe();
            pool.clients.insert(client_id.clone(), client);
            self.store.update_global(|global| {
                global.clients.insert(client_id, input.user_pool_id.clone())
            });
            Ok(CreateUserPoolClientResponse {
                user_pool_client: Some(answer),
            })
        })
    }

    pub(crate) fn describe_user_pool_client(
        &self,
        _ctx: &RequestContext,
        input: DescribeUserPoolClientRequest,
    ) -> Result<DescribeUserPoolClientResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |pool| {
            let client = pool.client(&input.client_id)?;
            Ok(DescribeUserPoolClientResponse {
                user_pool_client: Some(client.describe()),
            })
        })
    }

    pub(crate) fn update_user_pool_client(
        &self,
        ctx: &RequestContext,
        input: UpdateUserPoolClientRequest,
    ) -> Result<UpdateUserPoolClientResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |_| Ok(()))?;
        let settings = ClientSettings::from_update(&input);
        self.store.update(&input.user_pool_id, |pool| {
            let has_secret = !pool.client(&input.client_id)?.secrets.is_empty();
            settings.check(pool, has_secret)?;
            let client = pool.client_mut(&input.client_id)?;
            if let Some(name) = &input.client_name {
                client.config.client_name = Some(name.clone());
            }
            settings.apply(&mut client.config, ctx.now);
            Ok(UpdateUserPoolClientResponse {
                user_pool_client: Some(client.describe()),
            })
        })
    }

    pub(crate) fn delete_user_pool_client(
        &self,
        _ctx: &RequestContext,
        input: DeleteUserPoolClientRequest,
    ) -> Result<(), CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            pool.clients
                .remove(&input.client_id)
                .ok_or_else(|| client_not_found(&input.client_id))?;
            self.store
                .update_global(|global| global.clients.remove(&input.client_id));
            pool.branding.forget_client(&input.client_id);
            pool.terms.forget_client(&input.client_id);
            Ok(())
        })
    }

    pub(crate) fn list_user_pool_clients(
        &self,
        _ctx: &RequestContext,
        input: ListUserPoolClientsRequest,
    ) -> Result<ListUserPoolClientsResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |_| Ok(()))?;
        let limit = input
            .max_results
            .and_then(|m| usize::try_from(m).ok())
            .unwrap_or(DEFAULT_PAGE)
            .max(1);
        let after = ids::page_after(input.next_token.as_deref())?;
        self.store.read(&input.user_pool_id, |pool| {
            let start = match &after {
                Some(a) => std::ops::Bound::Excluded(a.as_str()),
                None => std::ops::Bound::Unbounded,
            };
            let wanted = input.client_type;
            let mut matching = pool
                .clients
                .range::<str, _>((start, std::ops::Bound::Unbounded))
                .map(|(_, c)| c)
                .filter(|c| wanted.is_none() || c.config.client_type == wanted)
                .map(|c| UserPoolClientDescription {
                    client_id: c.config.client_id.clone(),
                    user_pool_id: c.config.user_pool_id.clone(),
                    client_name: c.config.client_name.clone(),
                });
            let page: Vec<UserPoolClientDescription> = matching.by_ref().take(limit).collect();
            let next_token = matching
                .next()
                .and(page.last())
                .and_then(|c| c.client_id.as_deref())
                .map(ids::page_token);
            Ok(ListUserPoolClientsResponse {
                user_pool_clients: Some(page),
                next_token,
            })
        })
    }

    pub(crate) fn add_user_pool_client_secret(
        &self,
        ctx: &RequestContext,
        input: AddUserPoolClientSecretRequest,
    ) -> Result<AddUserPoolClientSecretResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            let client = pool.client_mut(&input.client_id)?;
            if client.secrets.is_empty() {
                return Err(invalid_parameter(
                    "Client secrets can only be added to an app client that has a client secret.",
                ));
            }
            if client.secrets.len() >= MAX_SECRETS {
                return Err(limit_exceeded(format!(
                    "An app client can have at most {MAX_SECRETS} client secrets."
                )));
            }
            let generated = input.client_secret.is_none();
            let value = input
                .client_secret
                .unwrap_or_else(|| ids::client_secret(&*self.random));
            if client.secrets.iter().any(|s| s.value == value) {
                return Err(invalid_parameter(
                    "The client secret already exists for this app client.",
                ));
            }
            let secret = self.new_secret(&input.client_id, value, ctx.now);
            let mut descriptor = secret.descriptor();
            if generated {
                descriptor.client_secret_value = Some(secret.value.clone());
            }
            client.secrets.push(secret);
            Ok(AddUserPoolClientSecretResponse {
                client_secret_descriptor: Some(descriptor),
            })
        })
    }

    pub(crate) fn list_user_pool_client_secrets(
        &self,
        _ctx: &RequestContext,
        input: ListUserPoolClientSecretsRequest,
    ) -> Result<ListUserPoolClientSecretsResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |pool| {
            let client = pool.client(&input.client_id)?;
            Ok(ListUserPoolClientSecretsResponse {
                client_secrets: Some(
                    client
                        .secrets
                        .iter()
                        .map(ClientSecret::descriptor)
                        .collect(),
                ),
                next_token: None,
            })
        })
    }

    pub(crate) fn delete_user_pool_client_secret(
        &self,
        _ctx: &RequestContext,
        input: DeleteUserPoolClientSecretRequest,
    ) -> Result<DeleteUserPoolClientSecretResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            let client = pool.client_mut(&input.client_id)?;
            let position = client
                .secrets
                .iter()
                .position(|s| s.id == input.client_secret_id)
                .ok_or_else(|| {
                    crate::errors::not_found(format!(
                        "Client secret {} does not exist.",
                        input.client_secret_id
                    ))
                })?;
            if client.secrets.len() == 1 {
                return Err(invalid_parameter(
                    "The last client secret of an app client cannot be deleted.",
                ));
            }
            client.secrets.remove(position);
            Ok(DeleteUserPoolClientSecretResponse {})
        })
    }

    /// The id of app client `client_id`'s pool, for operations that name only a client:
    /// the pool may live in any Region.
    pub(crate) fn client_pool(&self, client_id: &str) -> Result<String, CognitoError> {
        self.store
            .pool_of_client(client_id)
            .ok_or_else(|| client_not_found(client_id))
    }

    fn new_secret(&self, client_id: &str, value: String, now: Timestamp) -> ClientSecret {
        ClientSecret {
            id: format!(
                "{client_id}--{}",
                ids::random_string(&*self.random, b"0123456789", 13)
            ),
            value,
            created: now,
        }
    }
}

impl PoolState {
    /// App client `client_id` of this pool, or `ResourceNotFoundException`.
    pub(crate) fn client(&self, client_id: &str) -> Result<&ClientState, CognitoError> {
        self.clients
            .get(client_id)
            .ok_or_else(|| client_not_found(client_id))
    }

    /// App client `client_id` of this pool, to change it.
    fn client_mut(&mut self, client_id: &str) -> Result<&mut ClientState, CognitoError> {
        self.clients
            .get_mut(client_id)
            .ok_or_else(|| client_not_found(client_id))
    }
}

/// `SECRET_HASH`: Base64(HMAC-SHA256(client secret, username || client id)).
pub(crate) fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    use base64::Engine as _;
    use hmac::{Hmac, Mac};
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

impl ClientState {
    /// The client id.
    pub fn id(&self) -> &str {
        self.config.client_id.as_deref().unwrap_or_default()
    }

    /// Whether the client hides which users exist (`PreventUserExistenceErrors`).
    pub(crate) fn prevents_user_existence_errors(&self) -> bool {
        self.config.prevent_user_existence_errors == Some(PreventUserExistenceErrorTypes::Enabled)
    }

    /// Checks the `SECRET_HASH` a request sends for `username`, as a client with a secret
    /// requires; any of the client's current secrets may have made it.
    pub(crate) fn check_secret_hash(
        &self,
        username: &str,
        sent: Option<&str>,
    ) -> Result<(), CognitoError> {
        if self.secrets.is_empty() {
            return Ok(());
        }
        let id = self.id();
        let Some(sent) = sent else {
            return Err(CognitoError::new(
                ErrorKind::NotAuthorizedException,
                format!("Client {id} is configured with secret but SECRET_HASH was not received"),
            ));
        };
        let matches = self.secrets.iter().any(|s| {
            use subtle::ConstantTimeEq;
            bool::from(
                secret_hash(&s.value, username, id)
                    .as_bytes()
                    .ct_eq(sent.as_bytes()),
            )
        });
        if matches {
            Ok(())
        } else {
            Err(CognitoError::new(
                ErrorKind::NotAuthorizedException,
                format!("Unable to verify secret hash for client {id}"),
            ))
        }
    }

    /// Whether the client allows `flow` (`ALLOW_USER_PASSWORD_AUTH`, ...). Legacy values
    /// (`USER_PASSWORD_AUTH`, `ADMIN_NO_SRP_AUTH`) count for their new names.
    pub(crate) fn allows(&self, flow: ExplicitAuthFlowsType) -> bool {
        let flows = self
            .config
            .explicit_auth_flows
            .as_deref()
            .unwrap_or_default();
        flows.iter().any(|f| {
            *f == flow
                || matches!(
                    (f, flow),
                    (
                        ExplicitAuthFlowsType::UserPasswordAuth,
                        ExplicitAuthFlowsType::AllowUserPasswordAuth
                    ) | (
                        ExplicitAuthFlowsType::AdminNoSrpAuth,
                        ExplicitAuthFlowsType::AllowAdminUserPasswordAuth
                    ) | (
                        ExplicitAuthFlowsType::CustomAuthFlowOnly,
                        ExplicitAuthFlowsType::AllowCustomAuth
                    )
                )
        }) || (flow == ExplicitAuthFlowsType::AllowUserSrpAuth
            && flows.iter().all(|f| !f.as_str().starts_with("ALLOW_")))
            || (flow == ExplicitAuthFlowsType::AllowRefreshTokenAuth
                && flows.iter().all(|f| !f.as_str().starts_with("ALLOW_")))
    }

    /// The client as `DescribeUserPoolClient` answers it: with its first secret.
    pub(crate) fn describe(&self) -> UserPoolClientType {
        let mut config = self.config.clone();
        config.client_secret = self.secrets.first().map(|s| s.value.clone());
        config
    }
}

impl ClientSecret {
    /// The secret's descriptor, without its value.
    fn descriptor(&self) -> ClientSecretDescriptorType {
        ClientSecretDescriptorType {
            client_secret_id: Some(self.id.clone()),
            client_secret_value: None,
            client_secret_create_date: Some(self.created),
        }
    }
}

/// The settings `CreateUserPoolClient` and `UpdateUserPoolClient` share. An update
/// replaces all of them: what it leaves out returns to its default.
struct ClientSettings {
    refresh_token_validity: i32,
    access_token_validity: Option<i32>,
    id_token_validity: Option<i32>,
    token_validity_units: Option<TokenValidityUnitsType>,
    read_attributes: Option<ClientPermissionListType>,
    write_attributes: Option<ClientPermissionListType>,
    explicit_auth_flows: Option<ExplicitAuthFlowsListType>,
    supported_identity_providers: Option<SupportedIdentityProvidersListType>,
    callback_urls: Option<CallbackURLsListType>,
    logout_urls: Option<LogoutURLsListType>,
    default_redirect_uri: Option<String>,
    allowed_o_auth_flows: Option<OAuthFlowsType>,
    allowed_o_auth_scopes: Option<ScopeListType>,
    allowed_o_auth_flows_user_pool_client: bool,
    analytics_configuration: Option<AnalyticsConfigurationType>,
    prevent_user_existence_errors: Option<PreventUserExistenceErrorTypes>,
    enable_token_revocation: Option<bool>,
    enable_propagate_additional_user_context_data: Option<bool>,
    auth_session_validity: Option<i32>,
    refresh_token_rotation: Option<RefreshTokenRotationType>,
}

macro_rules! client_settings_from {
    ($r:expr) => {
        ClientSettings {
            refresh_token_validity: $r.refresh_token_validity,
            access_token_validity: $r.access_token_validity,
            id_token_validity: $r.id_token_validity,
            token_validity_units: $r.token_validity_units.clone(),
            read_attributes: $r.read_attributes.clone(),
            write_attributes: $r.write_attributes.clone(),
            explicit_auth_flows: $r.explicit_auth_flows.clone(),
            supported_identity_providers: $r.supported_identity_providers.clone(),
            callback_urls: $r.callback_urls.clone(),
            logout_urls: $r.logout_urls.clone(),
            default_redirect_uri: $r.default_redirect_uri.clone(),
            allowed_o_auth_flows: $r.allowed_o_auth_flows.clone(),
            allowed_o_auth_scopes: $r.allowed_o_auth_scopes.clone(),
            allowed_o_auth_flows_user_pool_client: $r.allowed_o_auth_flows_user_pool_client,
            analytics_configuration: $r.analytics_configuration.clone(),
            prevent_user_existence_errors: $r.prevent_user_existence_errors,
            enable_token_revocation: $r.enable_token_revocation,
            enable_propagate_additional_user_context_data: $r
                .enable_propagate_additional_user_context_data,
            auth_session_validity: $r.auth_session_validity,
            refresh_token_rotation: $r.refresh_token_rotation.clone(),
        }
    };
}

impl ClientSettings {
    fn from_create(r: &CreateUserPoolClientRequest) -> Self {
        client_settings_from!(r)
    }

    fn from_update(r: &UpdateUserPoolClientRequest) -> Self {
        client_settings_from!(r)
    }

    /// Checks the settings against the pool and the client's confidentiality.
    fn check(&self, pool: &PoolState, has_secret: bool) -> Result<(), CognitoError> {
        let units = self.token_validity_units.clone().unwrap_or_default();
        let minutes = |value: i32, unit: Option<TimeUnitsType>, default: TimeUnitsType| {
            i64::from(value)
                * match unit.unwrap_or(default) {
                    TimeUnitsType::Seconds => 1,
                    TimeUnitsType::Minutes => 60,
                    TimeUnitsType::Hours => 3600,
                    TimeUnitsType::Days => 86_400,
                }
        };
        for (what, value, unit) in [
            ("Access", self.access_token_validity, units.access_token),
            ("ID", self.id_token_validity, units.id_token),
        ] {
            if let Some(v) = value {
                let secs = minutes(v, unit, TimeUnitsType::Minutes);
                if !(300..=86_400).contains(&secs) {
                    return Err(invalid_parameter(format!(
                        "{what} token validity must be between 5 minutes and 1 day."
                    )));
                }
            }
        }
        if self.refresh_token_validity != 0 {
            let secs = minutes(
                self.refresh_token_validity,
                units.refresh_token,
                TimeUnitsType::Days,
            );
            if !(3600..=315_360_000).contains(&secs) {
                return Err(invalid_parameter(
                    "Refresh token validity must be between 60 minutes and 10 years.",
                ));
            }
        }
        let schema: Vec<&str> = pool
            .config
            .schema_attributes
            .iter()
            .flatten()
            .filter_map(|a| a.name.as_deref())
            .collect();
        for (what, list) in [
            ("read", &self.read_attributes),
            ("write", &self.write_attributes),
        ] {
            for attr in list.iter().flatten() {
                if !schema.contains(&attr.as_str()) {
                    return Err(invalid_parameter(format!(
                        "Invalid {what} attributes specified while creating a client"
                    )));
                }
            }
        }
        if let Some(flows) = &self.explicit_auth_flows {
            let legacy = flows.iter().any(|f| !f.as_str().starts_with("ALLOW_"));
            let current = flows.iter().any(|f| f.as_str().starts_with("ALLOW_"));
            if legacy && current {
                return Err(invalid_parameter(
                    "ExplicitAuthFlows can not have both legacy and new values.",
                ));
            }
        }
        for scope in self.allowed_o_auth_scopes.iter().flatten() {
            if !STANDARD_SCOPES.contains(&scope.as_str()) && !pool.resource_servers.has_scope(scope)
            {
                return Err(CognitoError::new(
                    ErrorKind::ScopeDoesNotExistException,
                    format!("Invalid scope requested: {scope}"),
                ));
            }
        }
        let flows = self.allowed_o_auth_flows.clone().unwrap_or_default();
        if flows.contains(&OAuthFlowType::ClientCredentials) {
            if !has_secret {
                return Err(invalid_parameter(
                    "client_credentials flow can not be selected if client does not have a client secret.",
                ));
            }
            if flows.len() > 1 {
                return Err(invalid_parameter(
                    "client_credentials flow can not be selected with either code or implicit flow.",
                ));
            }
        }
        if self.allowed_o_auth_flows_user_pool_client && flows.is_empty() {
            return Err(invalid_parameter(
                "AllowedOAuthFlows must be specified when AllowedOAuthFlowsUserPoolClient is true.",
            ));
        }
        for url in self
            .callback_urls
            .iter()
            .flatten()
            .chain(self.logout_urls.iter().flatten())
        {
            check_redirect_url(url)?;
        }
        if let Some(uri) = &self.default_redirect_uri {
            if !self.callback_urls.iter().flatten().any(|u| u == uri) {
                return Err(invalid_parameter(
                    "DefaultRedirectURI must be one of the CallbackURLs.",
                ));
            }
        }
        Ok(())
    }

    /// Writes the settings into `config`, with Cognito's defaults.
    fn apply(self, config: &mut UserPoolClientType, now: Timestamp) {
        let units = self.token_validity_units.unwrap_or_default();
        config.refresh_token_validity = if self.refresh_token_validity == 0 {
            30
        } else {
            self.refresh_token_validity
        };
        config.access_token_validity = Some(self.access_token_validity.unwrap_or(60));
        config.id_token_validity = Some(self.id_token_validity.unwrap_or(60));
        config.token_validity_units = Some(TokenValidityUnitsType {
            access_token: Some(units.access_token.unwrap_or(TimeUnitsType::Minutes)),
            id_token: Some(units.id_token.unwrap_or(TimeUnitsType::Minutes)),
            refresh_token: Some(units.refresh_token.unwrap_or(TimeUnitsType::Days)),
        });
        config.read_attributes = self.read_attributes;
        config.write_attributes = self.write_attributes;
        config.explicit_auth_flows = Some(self.explicit_auth_flows.unwrap_or_else(|| {
            vec![
                ExplicitAuthFlowsType::AllowRefreshTokenAuth,
                ExplicitAuthFlowsType::AllowCustomAuth,
                ExplicitAuthFlowsType::AllowUserSrpAuth,
            ]
        }));
        config.supported_identity_providers = self.supported_identity_providers;
        config.callback_urls = self.callback_urls;
        config.logout_urls = self.logout_urls;
        config.default_redirect_uri = self.default_redirect_uri;
        config.allowed_o_auth_flows = self.allowed_o_auth_flows;
        config.allowed_o_auth_scopes = self.allowed_o_auth_scopes;
        config.allowed_o_auth_flows_user_pool_client =
            Some(self.allowed_o_auth_flows_user_pool_client);
        config.analytics_configuration = self.analytics_configuration;
        config.prevent_user_existence_errors = Some(
            self.prevent_user_existence_errors
                .unwrap_or(PreventUserExistenceErrorTypes::Legacy),
        );
        config.enable_token_revocation = Some(self.enable_token_revocation.unwrap_or(true));
        config.enable_propagate_additional_user_context_data = Some(
            self.enable_propagate_additional_user_context_data
                .unwrap_or(false),
        );
        config.auth_session_validity = Some(self.auth_session_validity.unwrap_or(3));
        config.refresh_token_rotation = self.refresh_token_rotation;
        config.last_modified_date = Some(now);
    }
}

/// Callback and sign-out URLs must be absolute, and use HTTPS unless they point at localhost.
fn check_redirect_url(url: &str) -> Result<(), CognitoError> {
    let lower = url.to_ascii_lowercase();
    let local = ["http://localhost", "http://127.0.0.1"].iter().any(|p| {
        lower
            .strip_prefix(p)
            .is_some_and(|r| r.is_empty() || r.starts_with([':', '/', '?']))
    });
    let has_scheme = lower
        .split_once("://")
        .is_some_and(|(scheme, rest)| !scheme.is_empty() && !rest.is_empty());
    if lower.contains('#') || !has_scheme || (lower.starts_with("http://") && !local) {
        return Err(invalid_parameter(format!(
            "{url} is not a valid redirect URL: use HTTPS, or HTTP on localhost, without a fragment."
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_hash_is_hmac_sha256_of_username_and_client_id() {
        // Computed independently: base64(HMAC-SHA256("secret", "alice" + "client123")).
        assert_eq!(
            secret_hash("secret", "alice", "client123"),
            "oKHO337pkuh1r3zUNCZ1oCL3YgM0Yi2nkcAZsKQTIH8="
        );
        let client = ClientState {
            config: UserPoolClientType {
                client_id: Some("client123".into()),
                ..Default::default()
            },
            secrets: vec![ClientSecret {
                id: "s".into(),
                value: "secret".into(),
                created: Timestamp::default(),
            }],
        };
        assert!(client
            .check_secret_hash(
                "alice",
                Some("oKHO337pkuh1r3zUNCZ1oCL3YgM0Yi2nkcAZsKQTIH8=")
            )
            .is_ok());
        let missing = client.check_secret_hash("alice", None).unwrap_err();
        assert_eq!(
            missing.message,
            "Client client123 is configured with secret but SECRET_HASH was not received"
        );
        let wrong = client
            .check_secret_hash("bob", Some("oKHO337pkuh1r3zUNCZ1oCL3YgM0Yi2nkcAZsKQTIH8="))
            .unwrap_err();
        assert_eq!(
            wrong.message,
            "Unable to verify secret hash for client client123"
        );
    }

    #[test]
    fn redirect_urls() {
        for ok in [
            "https://example.com/cb",
            "http://localhost:3000/cb",
            "http://localhost",
            "myapp://callback",
        ] {
            assert!(check_redirect_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://example.com/cb",
            "https://example.com/#x",
            "example.com",
            "http://localhost.evil.com",
        ] {
            assert!(check_redirect_url(bad).is_err(), "{bad}");
        }
    }
}

#[cfg(test)]
mod service_tests {
    use super::*;
    use crate::testing::{create_pool, ctx, service};
    use cognito_model::ErrorKind;

    fn create(svc: &Cognito, pool: &str, secret: bool) -> UserPoolClientType {
        svc.create_user_pool_client(
            &ctx(),
            CreateUserPoolClientRequest {
                user_pool_id: pool.into(),
                client_name: "app".into(),
                generate_secret: secret,
                ..Default::default()
            },
        )
        .unwrap()
        .user_pool_client
        .unwrap()
    }

    #[test]
    fn create_describe_update_delete() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let client = create(&svc, &pool, false);
        let id = client.client_id.clone().unwrap();
        assert_eq!(id.len(), 26);
        assert_eq!(client.client_secret, None);
        assert_eq!(client.refresh_token_validity, 30);
        assert_eq!(client.auth_session_validity, Some(3));
        assert_eq!(client.enable_token_revocation, Some(true));
        assert_eq!(client.allowed_o_auth_flows_user_pool_client, Some(false));

        let updated = svc
            .update_user_pool_client(
                &ctx(),
                UpdateUserPoolClientRequest {
                    user_pool_id: pool.clone(),
                    client_id: id.clone(),
                    client_name: Some("renamed".into()),
                    explicit_auth_flows: Some(vec![ExplicitAuthFlowsType::AllowUserPasswordAuth]),
                    ..Default::default()
                },
            )
            .unwrap()
            .user_pool_client
            .unwrap();
        assert_eq!(updated.client_name.as_deref(), Some("renamed"));
        assert_eq!(
            updated.explicit_auth_flows,
            Some(vec![ExplicitAuthFlowsType::AllowUserPasswordAuth])
        );
        assert_eq!(updated.creation_date, client.creation_date);

        svc.delete_user_pool_client(
            &ctx(),
            DeleteUserPoolClientRequest {
                user_pool_id: pool.clone(),
                client_id: id.clone(),
            },
        )
        .unwrap();
        let err = svc
            .describe_user_pool_client(
                &ctx(),
                DescribeUserPoolClientRequest {
                    user_pool_id: pool,
                    client_id: id.clone(),
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);
        assert_eq!(
            err.message,
            format!("User pool client {id} does not exist.")
        );
    }

    #[test]
    fn list_is_paginated() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let mut ids: Vec<String> = (0..3)
            .map(|_| create(&svc, &pool, false).client_id.unwrap())
            .collect();
        ids.sort();
        let mut seen = Vec::new();
        let mut token = None;
        loop {
            let page = svc
                .list_user_pool_clients(
                    &ctx(),
                    ListUserPoolClientsRequest {
                        user_pool_id: pool.clone(),
                        max_results: Some(2),
                        next_token: token,
                        client_type: None,
                    },
                )
                .unwrap();
            seen.extend(
                page.user_pool_clients
                    .unwrap()
                    .into_iter()
                    .map(|c| c.client_id.unwrap()),
            );
            token = page.next_token;
            if token.is_none() {
                break;
            }
        }
        assert_eq!(seen, ids);
    }

    #[test]
    fn secrets_rotate_with_at_most_two() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let client = create(&svc, &pool, true);
        let id = client.client_id.clone().unwrap();
        let first = client.client_secret.clone().unwrap();
        assert_eq!(first.len(), 52);
        let add = |secret: Option<&str>| {
            svc.add_user_pool_client_secret(
                &ctx(),
                AddUserPoolClientSecretRequest {
                    user_pool_id: pool.clone(),
                    client_id: id.clone(),
                    client_secret: secret.map(Into::into),
                },
            )
        };
        let second = add(None).unwrap().client_secret_descriptor.unwrap();
        assert!(second.client_secret_value.is_some());
        assert_eq!(
            add(None).unwrap_err().kind,
            ErrorKind::LimitExceededException
        );
        let listed = svc
            .list_user_pool_client_secrets(
                &ctx(),
                ListUserPoolClientSecretsRequest {
                    user_pool_id: pool.clone(),
                    client_id: id.clone(),
                    next_token: None,
                },
            )
            .unwrap()
            .client_secrets
            .unwrap();
        assert_eq!(listed.len(), 2);
        assert!(listed.iter().all(|s| s.client_secret_value.is_none()));
        let delete = |secret_id: String| {
            svc.delete_user_pool_client_secret(
                &ctx(),
                DeleteUserPoolClientSecretRequest {
                    user_pool_id: pool.clone(),
                    client_id: id.clone(),
                    client_secret_id: secret_id,
                },
            )
        };
        let first_id = listed.first().unwrap().client_secret_id.clone().unwrap();
        delete(first_id.clone()).unwrap();
        assert_eq!(
            delete(first_id).unwrap_err().kind,
            ErrorKind::ResourceNotFoundException
        );
        assert_eq!(
            delete(second.client_secret_id.unwrap()).unwrap_err().kind,
            ErrorKind::InvalidParameterException
        );
        // The custom secret is not echoed back.
        let custom = add(Some("abcdefghijklmnopqrstuvwxyz12"))
            .unwrap()
            .client_secret_descriptor
            .unwrap();
        assert_eq!(custom.client_secret_value, None);
    }

    #[test]
    fn client_credentials_needs_a_secret() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let err = svc
            .create_user_pool_client(
                &ctx(),
                CreateUserPoolClientRequest {
                    user_pool_id: pool,
                    client_name: "m2m".into(),
                    allowed_o_auth_flows_user_pool_client: true,
                    allowed_o_auth_flows: Some(vec![OAuthFlowType::ClientCredentials]),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
    }

    #[test]
    fn allowed_scopes_must_exist_in_the_pool() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        svc.create_resource_server(
            &ctx(),
            CreateResourceServerRequest {
                user_pool_id: pool.clone(),
                identifier: "https://api.example.com".into(),
                name: "api".into(),
                scopes: Some(vec![ResourceServerScopeType {
                    scope_name: "read".into(),
                    scope_description: "read".into(),
                }]),
            },
        )
        .unwrap();
        let create = |scopes: &[&str]| {
            svc.create_user_pool_client(
                &ctx(),
                CreateUserPoolClientRequest {
                    user_pool_id: pool.clone(),
                    client_name: "app".into(),
                    allowed_o_auth_scopes: Some(scopes.iter().map(|s| s.to_string()).collect()),
                    ..Default::default()
                },
            )
        };
        let every_standard = [
            "openid",
            "email",
            "phone",
            "profile",
            "aws.cognito.signin.user.admin",
        ];
        let client = create(&every_standard).unwrap().user_pool_client.unwrap();
        let id = client.client_id.unwrap();
        let created = create(&["openid", "https://api.example.com/read"])
            .unwrap()
            .user_pool_client
            .unwrap();
        assert_eq!(
            created.allowed_o_auth_scopes,
            Some(vec![
                "openid".to_string(),
                "https://api.example.com/read".to_string()
            ])
        );
        let update = |scopes: &[&str]| {
            svc.update_user_pool_client(
                &ctx(),
                UpdateUserPoolClientRequest {
                    user_pool_id: pool.clone(),
                    client_id: id.clone(),
                    allowed_o_auth_scopes: Some(scopes.iter().map(|s| s.to_string()).collect()),
                    ..Default::default()
                },
            )
        };
        for scope in [
            "https://api.example.com/write",
            "https://other.example.com/read",
            "Cognito",
            "OPENID",
            "read",
        ] {
            for err in [
                create(&["openid", scope]).unwrap_err(),
                update(&["openid", scope]).unwrap_err(),
            ] {
                assert_eq!(err.kind, ErrorKind::ScopeDoesNotExistException, "{scope}");
                assert_eq!(err.message, format!("Invalid scope requested: {scope}"));
            }
        }
        // A refused update changes nothing.
        let described = svc
            .describe_user_pool_client(
                &ctx(),
                DescribeUserPoolClientRequest {
                    user_pool_id: pool.clone(),
                    client_id: id.clone(),
                },
            )
            .unwrap()
            .user_pool_client
            .unwrap();
        assert_eq!(
            described.allowed_o_auth_scopes,
            Some(every_standard.iter().map(|s| s.to_string()).collect())
        );
        update(&["https://api.example.com/read"]).unwrap();
    }

    #[test]
    fn clients_outlive_the_scopes_they_allow() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let server = |scopes: Vec<ResourceServerScopeType>| CreateResourceServerRequest {
            user_pool_id: pool.clone(),
            identifier: "orders".into(),
            name: "orders".into(),
            scopes: Some(scopes),
        };
        let scope = |name: &str| ResourceServerScopeType {
            scope_name: name.into(),
            scope_description: name.into(),
        };
        svc.create_resource_server(&ctx(), server(vec![scope("read"), scope("write")]))
            .unwrap();
        let id = svc
            .create_user_pool_client(
                &ctx(),
                CreateUserPoolClientRequest {
                    user_pool_id: pool.clone(),
                    client_name: "app".into(),
                    allowed_o_auth_scopes: Some(vec!["orders/read".into(), "orders/write".into()]),
                    ..Default::default()
                },
            )
            .unwrap()
            .user_pool_client
            .unwrap()
            .client_id
            .unwrap();
        // A resource server may drop a scope a client allows, or go altogether.
        svc.update_resource_server(
            &ctx(),
            UpdateResourceServerRequest {
                user_pool_id: pool.clone(),
                identifier: "orders".into(),
                name: "orders".into(),
                scopes: Some(vec![scope("read")]),
            },
        )
        .unwrap();
        let update = |scopes: &[&str]| {
            svc.update_user_pool_client(
                &ctx(),
                UpdateUserPoolClientRequest {
                    user_pool_id: pool.clone(),
                    client_id: id.clone(),
                    allowed_o_auth_scopes: Some(scopes.iter().map(|s| s.to_string()).collect()),
                    ..Default::default()
                },
            )
        };
        let err = update(&["orders/read", "orders/write"]).unwrap_err();
        assert_eq!(err.kind, ErrorKind::ScopeDoesNotExistException);
        assert_eq!(err.message, "Invalid scope requested: orders/write");
        update(&["orders/read"]).unwrap();
        svc.delete_resource_server(
            &ctx(),
            DeleteResourceServerRequest {
                user_pool_id: pool.clone(),
                identifier: "orders".into(),
            },
        )
        .unwrap();
        let described = svc
            .describe_user_pool_client(
                &ctx(),
                DescribeUserPoolClientRequest {
                    user_pool_id: pool.clone(),
                    client_id: id.clone(),
                },
            )
            .unwrap();
        assert!(described.user_pool_client.is_some());
        update(&["openid"]).unwrap();
    }

    #[test]
    fn public_clients_cannot_add_secrets() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let id = create(&svc, &pool, false).client_id.unwrap();
        let err = svc
            .add_user_pool_client_secret(
                &ctx(),
                AddUserPoolClientSecretRequest {
                    user_pool_id: pool,
                    client_id: id,
                    client_secret: None,
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
    }
}
