//! Machine-to-machine tokens: `GetClientToken` and the token endpoint's
//! `client_credentials` grant, one path for both.
//!
//! An app client proves itself with one of its secrets and receives an access token for
//! the custom scopes (`<resource server identifier>/<scope name>`) it asks for, each of
//! which it must be allowed and the pool must define; asking for none grants every
//! custom scope it is allowed. The token names no user: its `sub` is the client id.
//! A pool whose `PreTokenGeneration` function takes version 3 events runs it first
//! (`TokenGeneration_ClientCredentials`); versions 1 and 2 are not run for these tokens,
//! as Cognito does not.
//!
//! Boundary: what a client sends arrives as values ([`ClientCredentials`]); how the
//! token endpoint reads them from a request and words its errors is the embedder's
//! (`cognito-http`). Failures are [`ClientTokenError`]s, which the API turns into
//! Cognito's errors and the token endpoint into OAuth 2.0's.

use cognito_model::shapes::{
    ClientAuthenticationResultType, ClientMetadataType, GetClientTokenRequest,
    GetClientTokenResponse, OAuthFlowType, PreTokenGenerationLambdaVersionType,
};
use cognito_model::CognitoError;
use serde_json::{json, Map};

use crate::errors::{client_not_found, invalid_parameter, not_authorized};
use crate::lambda::Trigger;
use crate::ops::auth::token_triggers::{TokenSource, TokenTriggers};
use crate::ops::auth::tokens::{lifetimes, sign_claims, Unsigned};
use crate::store::{ClientState, PoolState};
use crate::{ids, Cognito, RequestContext};

/// What a client presents for a machine-to-machine token.
#[derive(Clone, Copy)]
pub struct ClientCredentials<'a> {
    /// The app client.
    pub client_id: &'a str,
    /// One of its secrets.
    pub secret: &'a str,
    /// The scopes asked for; `None` (or none) asks for all the client may have.
    pub scopes: Option<&'a [String]>,
    /// Passed to the token generation function (`clientMetadata`).
    pub client_metadata: Option<&'a ClientMetadataType>,
}

impl std::fmt::Debug for ClientCredentials<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field("secret", &"<redacted>")
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// A signed machine-to-machine access token.
#[derive(Clone)]
pub struct ClientToken {
    /// The JWT.
    pub access_token: String,
    /// Seconds until it expires.
    pub expires_in: i32,
}

impl std::fmt::Debug for ClientToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientToken")
            .field("access_token", &"<redacted>")
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// Why no token was issued.
#[derive(Debug, Clone)]
pub enum ClientTokenError {
    /// No such client (in the pool the request names, when it names one).
    UnknownClient(String),
    /// The client has no secret, or the one sent is none of its secrets.
    BadSecret(String),
    /// The client is not allowed the client credentials grant.
    FlowNotAllowed(String),
    /// A scope the client may not have or the pool does not define, or none at all.
    InvalidScope(String),
    /// Anything else (a trigger's failure, an internal error), as Cognito words it.
    Failed(CognitoError),
}

impl From<CognitoError> for ClientTokenError {
    fn from(e: CognitoError) -> Self {
        ClientTokenError::Failed(e)
    }
}

impl From<ClientTokenError> for CognitoError {
    fn from(e: ClientTokenError) -> Self {
        match e {
            ClientTokenError::UnknownClient(id) => client_not_found(&id),
            ClientTokenError::BadSecret(message) | ClientTokenError::FlowNotAllowed(message) => {
                not_authorized(message)
            }
            ClientTokenError::InvalidScope(message) => invalid_parameter(message),
            ClientTokenError::Failed(e) => e,
        }
    }
}

/// The user name token events carry for a client credentials grant, which has no user.
const EVENT_USER_NAME: &str = "ClientCredentials";

impl Cognito {
    /// `GetClientToken`.
    pub(crate) fn get_client_token(
        &self,
        ctx: &RequestContext,
        input: GetClientTokenRequest,
    ) -> Result<GetClientTokenResponse, CognitoError> {
        let token = self.client_credentials_token(
            ctx,
            None,
            ClientCredentials {
                client_id: &input.client_id,
                secret: &input.secret,
                scopes: input.scopes.as_deref(),
                client_metadata: input.client_metadata.as_ref(),
            },
        )?;
        Ok(GetClientTokenResponse {
            client_authentication_result: Some(ClientAuthenticationResultType {
                access_token: Some(token.access_token),
                expires_in: Some(token.expires_in),
                token_type: Some("Bearer".into()),
            }),
        })
    }

    /// A machine-to-machine access token for `credentials`. `pool_id`, when given, is
    /// the pool the request was sent to (the token endpoint's domain): a client of
    /// another pool is unknown there.
    pub fn client_credentials_token(
        &self,
        ctx: &RequestContext,
        pool_id: Option<&str>,
        credentials: ClientCredentials<'_>,
    ) -> Result<ClientToken, ClientTokenError> {
        let client_id = credentials.client_id;
        let unknown = || ClientTokenError::UnknownClient(client_id.to_owned());
        let owner = self.store.pool_of_client(client_id).ok_or_else(unknown)?;
        if pool_id.is_some_and(|p| p != owner) {
            return Err(unknown());
        }
        let mut unsigned = self
            .store
            .read(&owner, |pool| Ok(self.authorize(ctx, pool, credentials)))??;
        self.run_token_triggers(ctx, &mut unsigned, credentials.client_metadata)?;
        let key = self.signing_key(&owner)?;
        let access_token = sign_claims(&key, unsigned.access)?;
        Ok(ClientToken {
            access_token,
            expires_in: unsigned.expires_in,
        })
    }

    /// The pool that owns domain `name`: a prefix domain of `region` (or of any Region
    /// when none is given) or a custom domain.
    pub fn pool_of_domain(&self, region: Option<&str>, name: &str) -> Option<String> {
        self.store.global(|global| {
            global
                .domains
                .iter()
                .find(|((r, n), _)| n == name && region.is_none_or(|region| region == r))
                .map(|(_, pool)| pool.clone())
        })
    }

    /// The domain of pool `pool_id`: its prefix domain, else its custom domain.
    pub fn domain_of_pool(&self, pool_id: &str) -> Option<String> {
        self.store
            .read(pool_id, |pool| {
                Ok(pool
                    .config
                    .domain
                    .clone()
                    .or_else(|| pool.config.custom_domain.clone()))
            })
            .ok()
            .flatten()
    }

    /// Checks the client and the scopes it asks for, and makes its token's claims.
    fn authorize(
        &self,
        ctx: &RequestContext,
        pool: &PoolState,
        credentials: ClientCredentials<'_>,
    ) -> Result<Unsigned, ClientTokenError> {
        let client_id = credentials.client_id;
        let client = pool
            .client(client_id)
            .map_err(|_| ClientTokenError::UnknownClient(client_id.to_owned()))?;
        check_secret(client, credentials.secret)?;
        if !client
            .config
            .allowed_o_auth_flows
            .iter()
            .flatten()
            .any(|f| *f == OAuthFlowType::ClientCredentials)
        {
            return Err(ClientTokenError::FlowNotAllowed(format!(
                "Client {client_id} is not allowed the client credentials flow."
            )));
        }
        let scopes = granted_scopes(pool, client, credentials.scopes)?;
        Ok(self.prepare_client_token(ctx, pool, client, &scopes))
    }

    /// The claims of a client's access token (cheap: the pool's lock may be held), with
    /// what its version 3 token generation function needs.
    fn prepare_client_token(
        &self,
        ctx: &RequestContext,
        pool: &PoolState,
        client: &ClientState,
        scopes: &[String],
    ) -> Unsigned {
        let client_id = client.id().to_owned();
        let (access_life, _, _) = lifetimes(&client.config);
        let iat = ctx.now.secs();
        let mut access = Map::new();
        access.insert("sub".into(), json!(client_id));
        access.insert("token_use".into(), json!("access"));
        access.insert("scope".into(), json!(scopes.join(" ")));
        access.insert("auth_time".into(), json!(iat));
        access.insert("iss".into(), json!(self.issuer(pool)));
        access.insert("exp".into(), json!(iat + access_life));
        access.insert("iat".into(), json!(iat));
        access.insert("version".into(), json!(2));
        access.insert("jti".into(), json!(ids::uuid_v4(&*self.random)));
        access.insert("client_id".into(), json!(client_id));
        let pre_token = pool
            .config
            .lambda_config
            .as_ref()
            .filter(|c| {
                c.pre_token_generation_config
                    .as_ref()
                    .is_some_and(|v| v.lambda_version == PreTokenGenerationLambdaVersionType::V30)
            })
            .and_then(|c| Trigger::PreTokenGeneration.arn(c))
            .map(|arn| (arn.to_owned(), PreTokenGenerationLambdaVersionType::V30));
        let triggers = pre_token.map(|pre_token| {
            Box::new(TokenTriggers {
                pool_id: pool.config.id.clone().unwrap_or_default(),
                user_name: EVENT_USER_NAME.into(),
                client_id,
                source: TokenSource::ClientCredentials,
                user_attributes: Map::new(),
                groups: Vec::new(),
                roles: Vec::new(),
                preferred_role: None,
                pre_token: Some(pre_token),
                post_authentication: None,
                new_device_used: false,
            })
        });
        Unsigned {
            access,
            id: Map::new(),
            refresh_token: None,
            expires_in: i32::try_from(access_life).unwrap_or(i32::MAX),
            new_device: None,
            triggers,
        }
    }
}

/// Checks `sent` against the client's secrets, in constant time.
fn check_secret(client: &ClientState, sent: &str) -> Result<(), ClientTokenError> {
    use subtle::ConstantTimeEq;
    let id = client.id();
    if client.secrets.is_empty() {
        return Err(ClientTokenError::BadSecret(format!(
            "Client {id} has no secret."
        )));
    }
    let matches = client
        .secrets
        .iter()
        .any(|s| bool::from(s.value.as_bytes().ct_eq(sent.as_bytes())));
    if matches {
        Ok(())
    } else {
        Err(ClientTokenError::BadSecret(format!(
            "Unable to verify secret for client {id}"
        )))
    }
}

/// The scopes a token grants: those asked for, each allowed to the client and defined by
/// one of the pool's resource servers; with none asked for, every custom scope the client
/// is allowed. A token needs at least one.
fn granted_scopes(
    pool: &PoolState,
    client: &ClientState,
    requested: Option<&[String]>,
) -> Result<Vec<String>, ClientTokenError> {
    let allowed = client
        .config
        .allowed_o_auth_scopes
        .as_deref()
        .unwrap_or_default();
    let custom = |s: &String| pool.resource_servers.has_scope(s);
    let scopes: Vec<String> = match requested.filter(|r| !r.is_empty()) {
        Some(requested) => {
            if let Some(bad) = requested
                .iter()
                .find(|s| !allowed.contains(s) || !custom(s))
            {
                return Err(ClientTokenError::InvalidScope(format!(
                    "Invalid scope requested: {bad}"
                )));
            }
            let mut scopes = Vec::new();
            for s in requested {
                if !scopes.contains(s) {
                    scopes.push(s.clone());
                }
            }
            scopes
        }
        None => allowed.iter().filter(|s| custom(s)).cloned().collect(),
    };
    if scopes.is_empty() {
        return Err(ClientTokenError::InvalidScope(
            "The client is allowed no custom scope.".into(),
        ));
    }
    Ok(scopes)
}

#[cfg(test)]
mod tests;
