//! Token exchange (RFC 8693): `GetDerivedToken` and the token endpoint's
//! `urn:ietf:params:oauth:grant-type:token-exchange` grant, one path for both.
//!
//! An app client presents a *subject token*, a user's access or ID token of its own
//! pool (issued to any of the pool's clients), and receives a new access or ID token of
//! that user, issued to itself: narrowed in scope and bound to one audience. Without an
//! *actor token* the exchange is an impersonation, which the client must be allowed by
//! `ALLOW_TOKEN_EXCHANGE_IMPERSONATION`, and the new token reads as if the user acted
//! directly. With one (a user's access or ID token, or a client's machine-to-machine
//! access token, of the same pool) it is a delegation, which needs
//! `ALLOW_TOKEN_EXCHANGE_DELEGATION`, and the new token carries an `act` claim naming
//! the actor's `sub`, within which the subject token's own `act` (an earlier
//! delegation) nests (RFC 8693 §4.1). Token exchange belongs to the Essentials and Plus
//! feature plans.
//!
//! The issued token is made as a refresh of the subject token's sign-in makes its
//! tokens: from the user as they are now, with the client's lifetimes, the sign-in's
//! origin (`origin_jti`, so revoking the sign-in or signing the user out revokes it too),
//! and no refresh token. Its scopes are those asked for that both the subject token
//! grants (an ID token grants its sign-in's) and the client is allowed, or, when none are
//! asked for, the subject token's. Its `aud` is the audience or the resource server asked
//! for, one at most (an ID token's `aud` is otherwise the client, an access token has
//! none).
//!
//! Tokens of third-party identity providers (`SubjectTokenProviderName`,
//! `ActorTokenProviderName`, SAML 2.0 assertions) are not verified here: naming one is
//! an invalid parameter. The `PreTokenGeneration` trigger does not run: Cognito's
//! documentation names no trigger source for token exchange.
//!
//! Boundary: what a client sends arrives as values ([`DerivedTokenRequest`]); how the
//! token endpoint reads them from a form and words its errors is the embedder's
//! (`cognito-http`). Failures are [`DerivedTokenError`]s, which the API turns into
//! Cognito's errors and the token endpoint into OAuth 2.0's.

use cognito_model::shapes::{
    ExplicitAuthFlowsType, GetDerivedTokenRequest, GetDerivedTokenResponse,
    IssuedTokenTypeIdentifierType, OAuthTokenTypeType, TokenTypeIdentifierType, UserPoolTierType,
};
use cognito_model::{CognitoError, ErrorKind};
use serde_json::{json, Map, Value};

use super::authorization_code::{authenticate, ClientAuth, GrantError};
use super::token_triggers::TokenSource;
use super::tokens::{lifetimes, sign_claims, AccessToken, Issue, TokenUse, ADMIN_SCOPE};
use crate::errors::{client_not_found, invalid_parameter, not_authorized};
use crate::store::{ClientState, PoolState};
use crate::{Cognito, RequestContext};

/// A token presented for exchange, as subject or as actor.
#[derive(Clone, Copy)]
pub struct Presented<'a> {
    /// The token.
    pub token: &'a str,
    /// What it is.
    pub kind: TokenTypeIdentifierType,
    /// The third-party identity provider that issued it, when Cognito did not.
    pub provider: Option<&'a str>,
}

impl std::fmt::Debug for Presented<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Presented")
            .field("token", &"<redacted>")
            .field("kind", &self.kind)
            .field("provider", &self.provider)
            .finish()
    }
}

/// A token exchange, as the API and the token endpoint receive it.
#[derive(Debug, Clone, Copy)]
pub struct DerivedTokenRequest<'a> {
    /// The client asking, and the secret it sent.
    pub client: ClientAuth<'a>,
    /// The token of the user the new token is for.
    pub subject: Presented<'a>,
    /// The token of who acts for the user, in a delegation.
    pub actor: Option<Presented<'a>>,
    /// The kind of token wanted; an access token when `None`.
    pub requested: Option<IssuedTokenTypeIdentifierType>,
    /// The logical names of the services the token is for (one at most).
    pub audiences: &'a [String],
    /// The identifiers of the pool's resource servers the token is for (one at most).
    pub resources: &'a [String],
    /// The scopes wanted; `None` (or none) keeps the subject token's.
    pub scopes: Option<&'a [String]>,
}

/// A token issued by an exchange.
#[derive(Clone)]
pub struct DerivedToken {
    /// The signed JWT.
    pub token: String,
    /// What it is.
    pub kind: IssuedTokenTypeIdentifierType,
    /// Seconds until it expires.
    pub expires_in: i32,
    /// The scopes an access token grants; none for an ID token.
    pub scopes: Option<Vec<String>>,
}

impl std::fmt::Debug for DerivedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DerivedToken")
            .field("token", &"<redacted>")
            .field("kind", &self.kind)
            .field("expires_in", &self.expires_in)
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// Why no token was issued.
#[derive(Debug, Clone)]
pub enum DerivedTokenError {
    /// No such client (in the pool the request names, when it names one).
    UnknownClient(String),
    /// A secret missing, wrong, or sent by a client that has none.
    BadSecret(String),
    /// The pool's feature plan or the client's flows do not allow this exchange.
    NotEnabled(String),
    /// Parameters that do not go together, or a token type or provider not served.
    InvalidRequest(String),
    /// The subject or actor token is not a valid token of the pool, or its user cannot
    /// have tokens now; as the API words it (`NotAuthorizedException`,
    /// `UserNotFoundException`).
    InvalidToken(CognitoError),
    /// None of the scopes asked for can be granted.
    InvalidScope(String),
    /// More than one audience or resource, or a resource server the pool lacks.
    InvalidTarget(String),
    /// Anything else (an internal error), as Cognito words it.
    Failed(CognitoError),
}

impl From<CognitoError> for DerivedTokenError {
    fn from(e: CognitoError) -> Self {
        DerivedTokenError::Failed(e)
    }
}

impl From<DerivedTokenError> for CognitoError {
    fn from(e: DerivedTokenError) -> Self {
        match e {
            DerivedTokenError::UnknownClient(id) => client_not_found(&id),
            DerivedTokenError::BadSecret(message) => not_authorized(message),
            DerivedTokenError::NotEnabled(message) => {
                CognitoError::new(ErrorKind::OperationNotEnabledException, message)
            }
            DerivedTokenError::InvalidRequest(message)
            | DerivedTokenError::InvalidScope(message)
            | DerivedTokenError::InvalidTarget(message) => invalid_parameter(message),
            DerivedTokenError::InvalidToken(e) | DerivedTokenError::Failed(e) => e,
        }
    }
}

/// The new token's claims, lifetime (seconds) and scopes, before its signature.
struct Derived {
    claims: Map<String, Value>,
    expires_in: i32,
    scopes: Vec<String>,
}

/// A presented token, verified: its claims, and the user it names (none for a client's
/// machine-to-machine token).
struct Verified {
    claims: Map<String, Value>,
    token_use: TokenUse,
    user: Option<AccessToken>,
}

impl Cognito {
    /// `GetDerivedToken`.
    pub(crate) fn get_derived_token(
        &self,
        ctx: &RequestContext,
        input: GetDerivedTokenRequest,
    ) -> Result<GetDerivedTokenResponse, CognitoError> {
        let actor = match (input.actor_token.as_deref(), input.actor_token_type) {
            (Some(token), Some(kind)) => Some(Presented {
                token,
                kind,
                provider: input.actor_token_provider_name.as_deref(),
            }),
            (None, None) if input.actor_token_provider_name.is_none() => None,
            (Some(_), None) => {
                return Err(invalid_parameter(
                    "ActorTokenType is required when you provide an ActorToken.",
                ))
            }
            (None, _) => {
                return Err(invalid_parameter(
                    "ActorTokenType and ActorTokenProviderName require an ActorToken.",
                ))
            }
        };
        let issued = self.derived_token(
            ctx,
            None,
            DerivedTokenRequest {
                client: ClientAuth {
                    client_id: &input.client_id,
                    secret: input.client_secret.as_deref(),
                },
                subject: Presented {
                    token: &input.subject_token,
                    kind: input.subject_token_type,
                    provider: input.subject_token_provider_name.as_deref(),
                },
                actor,
                requested: input.requested_token_type,
                audiences: input.audiences.as_deref().unwrap_or_default(),
                resources: input.resources.as_deref().unwrap_or_default(),
                scopes: input.scopes.as_deref(),
            },
        )?;
        Ok(GetDerivedTokenResponse {
            expires_in: Some(issued.expires_in),
            issued_token: issued.token,
            issued_token_type: issued.kind,
            scopes: issued.scopes,
            // RFC 8693 §2.2.1: a token that is no access token has no token type.
            token_type: match issued.kind {
                IssuedTokenTypeIdentifierType::AccessToken => OAuthTokenTypeType::Bearer,
                IssuedTokenTypeIdentifierType::IdToken => OAuthTokenTypeType::NA,
            },
        })
    }

    /// Exchanges `request`'s subject token for a new token. `pool_id`, when given, is the
    /// pool the request was sent to (the token endpoint's domain): a client of another
    /// pool is unknown there.
    pub fn derived_token(
        &self,
        ctx: &RequestContext,
        pool_id: Option<&str>,
        request: DerivedTokenRequest<'_>,
    ) -> Result<DerivedToken, DerivedTokenError> {
        let client_id = request.client.client_id;
        let unknown = || DerivedTokenError::UnknownClient(client_id.to_owned());
        let owner = self.store.pool_of_client(client_id).ok_or_else(unknown)?;
        if pool_id.is_some_and(|p| p != owner) {
            return Err(unknown());
        }
        self.store
            .read(&owner, |pool| Ok(admit(pool, &request)))??;
        let subject = self.verify_presented(ctx, &owner, &request.subject, "subject")?;
        let actor = request
            .actor
            .map(|actor| self.verify_presented(ctx, &owner, &actor, "actor"))
            .transpose()?;
        let kind = request
            .requested
            .unwrap_or(IssuedTokenTypeIdentifierType::AccessToken);
        let derived = self.store.update(&owner, |pool| {
            Ok(self.derive(ctx, pool, &request, kind, &subject, actor.as_ref()))
        })??;
        let key = self.signing_key(&owner)?;
        Ok(DerivedToken {
            token: sign_claims(&key, derived.claims)?,
            kind,
            expires_in: derived.expires_in,
            scopes: (kind == IssuedTokenTypeIdentifierType::AccessToken).then_some(derived.scopes),
        })
    }

    /// Verifies a presented token: one of the pool's own access or ID tokens, of a user
    /// who can have tokens, or (an access token only) of one of its clients.
    fn verify_presented(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        presented: &Presented<'_>,
        role: &str,
    ) -> Result<Verified, DerivedTokenError> {
        if let Some(provider) = presented.provider {
            let known = self.store.read(pool_id, |pool| {
                Ok(pool.identity_providers.get(provider).is_some())
            })?;
            return Err(DerivedTokenError::InvalidRequest(if known {
                format!(
                    "The {role} token of identity provider {provider} can't be verified: \
                     tokens of third-party identity providers are not supported."
                )
            } else {
                format!("Identity provider {provider} does not exist in the user pool.")
            }));
        }
        let token_use = match presented.kind {
            TokenTypeIdentifierType::AccessToken => TokenUse::Access,
            TokenTypeIdentifierType::IdToken => TokenUse::Id,
            TokenTypeIdentifierType::Saml2 => {
                return Err(DerivedTokenError::InvalidRequest(format!(
                    "A SAML2 {role} token requires the name of the identity provider that \
                     issued it."
                )))
            }
        };
        let (issuer, claims) = self
            .verify_signed(ctx, presented.token, token_use)
            .map_err(DerivedTokenError::InvalidToken)?;
        if issuer != pool_id {
            return Err(DerivedTokenError::InvalidToken(not_authorized(format!(
                "The {role} token was not issued by the user pool of the client."
            ))));
        }
        let machine = token_use == TokenUse::Access && !claims.contains_key("username");
        let user = if machine {
            // A client's own token names no user: the client must still exist.
            let client = claims.get("client_id").and_then(Value::as_str);
            let exists = self.store.read(pool_id, |pool| {
                Ok(client.is_some_and(|c| pool.client(c).is_ok()))
            })?;
            if !exists {
                return Err(DerivedTokenError::InvalidToken(not_authorized(
                    "Invalid Access Token",
                )));
            }
            None
        } else {
            let user = self
                .token_user(pool_id, &claims, token_use)
                .map_err(DerivedTokenError::InvalidToken)?;
            Some(user)
        };
        Ok(Verified {
            claims,
            token_use,
            user,
        })
    }

    /// The new token, unsigned, under the pool's lock.
    fn derive(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        request: &DerivedTokenRequest<'_>,
        kind: IssuedTokenTypeIdentifierType,
        subject: &Verified,
        actor: Option<&Verified>,
    ) -> Result<Derived, DerivedTokenError> {
        let client = pool
            .client(request.client.client_id)
            .map_err(|_| DerivedTokenError::UnknownClient(request.client.client_id.into()))?
            .clone();
        let gone = || {
            DerivedTokenError::InvalidToken(not_authorized(
                "The subject token's sign-in has ended.",
            ))
        };
        let user = subject.user.as_ref().ok_or_else(|| {
            DerivedTokenError::InvalidToken(not_authorized("The subject token represents no user."))
        })?;
        // The sign-in may have ended, or the user changed, since the token was verified.
        let grant = pool
            .tokens
            .grants
            .get(&user.origin_jti)
            .filter(|g| !pool.tokens.grants.is_revoked(&g.origin_jti))
            .cloned()
            .ok_or_else(gone)?;
        if !pool
            .users
            .get(&user.user_key)
            .is_some_and(|u| u.sub == grant.sub && u.enabled)
        {
            return Err(gone());
        }
        let granted = match subject.token_use {
            TokenUse::Access => subject.claims.get("scope").and_then(Value::as_str),
            TokenUse::Id => Some(grant.scopes.as_deref().unwrap_or(ADMIN_SCOPE)),
        }
        .unwrap_or_default()
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect::<Vec<_>>();
        let scopes = narrowed(&client, granted, request.scopes)?;
        let audience = audience(pool, request.audiences, request.resources)?;
        let mut unsigned = self.prepare_tokens(
            ctx,
            pool,
            &user.user_key,
            &client.config,
            Issue {
                device_key: grant.device_key.clone(),
                methods: grant.methods,
                refreshing: Some((grant.origin_jti.clone(), grant.auth_time)),
                source: TokenSource::RefreshTokens,
                new_device: false,
                scopes: None,
            },
        )?;
        // No trigger runs for an exchange (see the module's documentation).
        unsigned.triggers = None;
        let (mut claims, expires_in) = match kind {
            IssuedTokenTypeIdentifierType::AccessToken => {
                let mut access = unsigned.access;
                access.insert("scope".into(), json!(scopes.join(" ")));
                (access, unsigned.expires_in)
            }
            IssuedTokenTypeIdentifierType::IdToken => {
                let (_, id_life, _) = lifetimes(&client.config);
                (unsigned.id, i32::try_from(id_life).unwrap_or(i32::MAX))
            }
        };
        if let Some(audience) = audience {
            claims.insert("aud".into(), json!(audience));
        }
        let earlier = subject.claims.get("act").cloned();
        let act = match actor {
            Some(actor) => {
                let mut act = Map::new();
                act.insert(
                    "sub".into(),
                    actor.claims.get("sub").cloned().unwrap_or_default(),
                );
                if let Some(earlier) = earlier {
                    act.insert("act".into(), earlier);
                }
                Some(Value::Object(act))
            }
            None => earlier,
        };
        if let Some(act) = act {
            claims.insert("act".into(), act);
        }
        Ok(Derived {
            claims,
            expires_in,
            scopes,
        })
    }
}

/// Checks the client (its secret), the pool's plan, the client's flow for this kind of
/// exchange, and what needs no token verified.
fn admit(pool: &PoolState, request: &DerivedTokenRequest<'_>) -> Result<(), DerivedTokenError> {
    let client_id = request.client.client_id;
    let client = authenticate(pool, request.client).map_err(|e| match e {
        GrantError::InvalidClient if pool.client(client_id).is_ok() => {
            DerivedTokenError::BadSecret(format!("Unable to verify secret for client {client_id}"))
        }
        _ => DerivedTokenError::UnknownClient(client_id.to_owned()),
    })?;
    if pool.config.user_pool_tier == Some(UserPoolTierType::Lite) {
        return Err(DerivedTokenError::NotEnabled(
            "Token exchange is not available in the Lite feature plan.".into(),
        ));
    }
    let (flow, name) = match request.actor {
        Some(_) => (
            ExplicitAuthFlowsType::AllowTokenExchangeDelegation,
            "delegation",
        ),
        None => (
            ExplicitAuthFlowsType::AllowTokenExchangeImpersonation,
            "impersonation",
        ),
    };
    if !allows(client, flow) {
        return Err(DerivedTokenError::NotEnabled(format!(
            "Token exchange by {name} is not enabled for client {client_id}."
        )));
    }
    if !request.audiences.is_empty() && !request.resources.is_empty() {
        return Err(DerivedTokenError::InvalidRequest(
            "You can't request both Audiences and Resources.".into(),
        ));
    }
    Ok(())
}

fn allows(client: &ClientState, flow: ExplicitAuthFlowsType) -> bool {
    client
        .config
        .explicit_auth_flows
        .iter()
        .flatten()
        .any(|f| *f == flow)
}

/// The scopes of the new token: those asked for (in that order, without repeats) that the
/// subject token grants and the client is allowed; all the subject token's when none are
/// asked for.
fn narrowed(
    client: &ClientState,
    granted: Vec<String>,
    requested: Option<&[String]>,
) -> Result<Vec<String>, DerivedTokenError> {
    let Some(requested) = requested.filter(|r| !r.is_empty()) else {
        return Ok(granted);
    };
    let allowed = client
        .config
        .allowed_o_auth_scopes
        .as_deref()
        .unwrap_or_default();
    let mut scopes: Vec<String> = Vec::new();
    for scope in requested {
        if granted.contains(scope) && allowed.contains(scope) && !scopes.contains(scope) {
            scopes.push(scope.clone());
        }
    }
    if scopes.is_empty() {
        return Err(DerivedTokenError::InvalidScope(format!(
            "None of the requested scopes is both granted by the subject token and allowed \
             to client {}.",
            client.id()
        )));
    }
    Ok(scopes)
}

/// The new token's `aud`: the audience or the resource server asked for, if any.
fn audience(
    pool: &PoolState,
    audiences: &[String],
    resources: &[String],
) -> Result<Option<String>, DerivedTokenError> {
    let target = |what: &str| {
        DerivedTokenError::InvalidTarget(format!("A token can be issued for one {what} only."))
    };
    match (audiences, resources) {
        ([], []) => Ok(None),
        ([audience], []) if !audience.is_empty() => Ok(Some(audience.clone())),
        ([_], []) => Err(DerivedTokenError::InvalidTarget(
            "The audience is empty.".into(),
        )),
        ([], [resource]) => {
            if pool.resource_servers.servers.contains_key(resource) {
                Ok(Some(resource.clone()))
            } else {
                Err(DerivedTokenError::InvalidTarget(format!(
                    "Resource server {resource} does not exist in the user pool."
                )))
            }
        }
        (_, []) => Err(target("audience")),
        _ => Err(target("resource")),
    }
}

#[cfg(test)]
mod tests;
