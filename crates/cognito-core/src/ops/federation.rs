//! Federated sign-in: a pool's users signing in through the identity providers it trusts
//! (`CreateIdentityProvider`): OpenID Connect providers, Google, Facebook, Login with
//! Amazon and Sign in with Apple ([`oidc`]), and SAML 2.0 providers ([`saml`]).
//!
//! ```text
//! /oauth2/authorize?identity_provider=P ──► start_federation() ──► the provider's authorization URL
//!                                                 │ (state, nonce, PKCE kept ten minutes),
//!                                                 │ or a SAML AuthnRequest (RelayState, request ID)
//! provider ──► /oauth2/idpresponse?code&state ──► finish_federation()
//!                                                 │ the code exchanged at the provider's token endpoint,
//!                                                 │ its ID token verified (signature against its key set,
//!                                                 │ iss, aud, exp, nonce), its userInfo read
//! SAML provider ──► POST /saml2/idpresponse ────► finish_saml_federation()
//!                                                 │ the response verified against the metadata,
//!                                                 │ answering the request (or IdP-initiated), once
//!                                                 ▼
//!                            InboundFederation ──► attribute mapping ──► linked user (AdminLinkProviderForUser)
//!                                                                      or <Provider>_<id> (PreSignUp_ExternalProvider
//!                                                                         when new), EXTERNAL_PROVIDER
//!                                                 ▼
//!                                   Federated: who signed in, and the authorize request to finish
//! ```
//!
//! Providers are reached through the embedder's [`Upstream`](crate::upstream::Upstream);
//! their discovery documents, key sets and SAML metadata are fetched once and kept with
//! the pool. What a provider vouched for becomes a user in `users` ([`users`]), whatever
//! the protocol.
//!
//! Boundary: values in, values out. Which paths the browser is sent through, how
//! requests are read and errors shown is the embedder's (`cognito-http`); this module
//! names no endpoint of the pool's own.

mod oidc;
mod saml;
mod users;

pub use saml::{SamlReturn, Unsolicited};

use std::collections::BTreeMap;

use cognito_model::shapes::IdentityProviderTypeType;
use cognito_model::{CognitoError, ErrorKind};

use crate::errors::{invalid_parameter, not_authorized, not_found};
use crate::state::authorization_codes::new_code;
use crate::state::federation::{PendingFederation, PENDING_LIFETIME_MILLIS};
use crate::{Cognito, RequestContext};

/// A federated sign-in to start: the browser asked the pool's authorization endpoint to
/// sign in through `provider_name`.
#[derive(Debug, Clone)]
pub struct FederationStart<'a> {
    /// The pool.
    pub pool_id: &'a str,
    /// The app client the sign-in is for.
    pub client_id: &'a str,
    /// The identity provider, by name.
    pub provider_name: &'a str,
    /// Where an OAuth 2.0 provider sends the browser back: the pool domain's
    /// `/oauth2/idpresponse` endpoint as the browser reaches it.
    pub callback_url: &'a str,
    /// Where a SAML provider posts its response (the assertion consumer service): the
    /// pool domain's `/saml2/idpresponse` endpoint as the browser reaches it.
    pub acs_url: &'a str,
    /// What to resume once the provider has answered (the authorization request to
    /// finish); opaque to the service, handed back by [`Cognito::finish_federation`].
    pub resume: String,
}

/// What the provider sent the browser back with.
#[derive(Debug, Clone, Copy, Default)]
pub struct FederationReturn<'a> {
    /// `state`, as sent to the provider.
    pub state: &'a str,
    /// `code`, the provider's authorization code.
    pub code: Option<&'a str>,
    /// `error`, when the provider refused (RFC 6749 §4.1.2.1).
    pub error: Option<&'a str>,
    /// `error_description`, with `error`.
    pub error_description: Option<&'a str>,
}

/// A finished federated sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Federated {
    /// The user signed in: `<ProviderName>_<id at the provider>`, or the pool's own user
    /// the identity is linked to.
    pub username: String,
    /// The app client the sign-in is for.
    pub client_id: String,
    /// What [`FederationStart::resume`] said.
    pub resume: String,
}

/// Why a federated sign-in failed.
#[derive(Debug, Clone)]
pub struct FederationError {
    /// What went wrong, as Cognito words it.
    pub error: CognitoError,
    /// What [`FederationStart::resume`] said, once the sign-in's state was found: the
    /// error goes back to the request that started the sign-in. `None` when the state
    /// was unknown, used or expired.
    pub resume: Option<String>,
}

impl From<CognitoError> for FederationError {
    fn from(error: CognitoError) -> Self {
        FederationError {
            error,
            resume: None,
        }
    }
}

impl std::fmt::Display for FederationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.error, f)
    }
}

impl std::error::Error for FederationError {}

/// Where a social provider's endpoints are, each in place of the provider's own when set
/// (a local stand-in of Google, say).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderEndpoints {
    /// The authorization endpoint the browser is sent to.
    pub authorize_url: Option<String>,
    /// The token endpoint codes are exchanged at.
    pub token_url: Option<String>,
    /// The endpoint the user's attributes are read from with the access token.
    pub userinfo_url: Option<String>,
    /// The key set ID tokens are signed with (Google, Sign in with Apple).
    pub jwks_uri: Option<String>,
    /// The `iss` of ID tokens (Google, Sign in with Apple).
    pub issuer: Option<String>,
}

/// The endpoint overrides of each social provider type.
#[derive(Debug, Clone, Default)]
pub struct SocialEndpoints(BTreeMap<&'static str, ProviderEndpoints>);

impl SocialEndpoints {
    /// Sets the overrides of `provider_type`.
    pub(crate) fn set(
        &mut self,
        provider_type: IdentityProviderTypeType,
        endpoints: ProviderEndpoints,
    ) {
        self.0.insert(provider_type.as_str(), endpoints);
    }

    /// The overrides of `provider_type`.
    fn of(&self, provider_type: IdentityProviderTypeType) -> Option<&ProviderEndpoints> {
        self.0.get(provider_type.as_str())
    }
}

/// The provider answer for a provider that does not exist.
fn provider_not_found(name: &str) -> CognitoError {
    not_found(format!("Identity provider {name} does not exist."))
}

impl Cognito {
    /// Starts a federated sign-in: answers the provider's authorization URL (for a SAML
    /// provider, its single sign-on URL with the request) to send the browser to. The
    /// provider must exist and be one of the client's `SupportedIdentityProviders`.
    pub fn start_federation(
        &self,
        ctx: &RequestContext,
        start: FederationStart<'_>,
    ) -> Result<String, CognitoError> {
        let provider = self.store.read(start.pool_id, |pool| {
            let client = pool.client(start.client_id)?;
            let provider = pool
                .identity_providers
                .get(start.provider_name)
                .ok_or_else(|| provider_not_found(start.provider_name))?;
            let enabled = client
                .config
                .supported_identity_providers
                .iter()
                .flatten()
                .any(|p| p == start.provider_name);
            if !enabled {
                return Err(invalid_parameter(format!(
                    "Identity provider {} is not enabled for the client.",
                    start.provider_name
                )));
            }
            Ok(provider.clone())
        })?;
        let saml = provider.provider_type == Some(IdentityProviderTypeType::Saml);
        let callback = if saml {
            start.acs_url
        } else {
            start.callback_url
        };
        if !(callback.starts_with("https://") || callback.starts_with("http://")) {
            return Err(invalid_parameter(
                "The callback URL must be an absolute http or https URL.",
            ));
        }
        let state = new_code(&*self.random);
        let pending = PendingFederation {
            provider_name: start.provider_name.to_owned(),
            client_id: start.client_id.to_owned(),
            callback_url: callback.to_owned(),
            nonce: None,
            code_verifier: None,
            saml_request_id: None,
            resume: start.resume.clone(),
            expires: ctx.now.plus_millis(PENDING_LIFETIME_MILLIS),
        };
        let (url, pending) = if saml {
            self.start_saml_federation(ctx, &start, &provider, &state, pending)?
        } else {
            let provider = oidc::Provider::of(&provider)?;
            let endpoints = self.idp_endpoints(start.pool_id, &provider)?;
            let nonce = endpoints.id_token.then(|| new_code(&*self.random));
            let code_verifier = provider.uses_pkce().then(|| new_code(&*self.random));
            let url = oidc::authorization_url(
                &provider,
                &endpoints,
                callback,
                &state,
                nonce.as_deref(),
                code_verifier.as_deref(),
            );
            let pending = PendingFederation {
                nonce,
                code_verifier,
                ..pending
            };
            (url, pending)
        };
        self.store.update(start.pool_id, |pool| {
            pool.federations.insert(&state, pending, ctx.now);
            Ok(())
        })?;
        Ok(url)
    }

    /// Finishes the federated sign-in the provider sent the browser back from: the
    /// sign-in of `answer.state` (once), the code exchanged and the provider's identity
    /// verified, then the user created, updated or found through a link.
    pub fn finish_federation(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        answer: FederationReturn<'_>,
    ) -> Result<Federated, FederationError> {
        let pending = self
            .store
            .update(pool_id, |pool| {
                Ok(pool.federations.take(answer.state, ctx.now))
            })?
            .ok_or_else(|| invalid_parameter("The sign-in's state is unknown, used or expired."))?;
        let resume = pending.resume.clone();
        self.federate(ctx, pool_id, &pending, answer)
            .map(|username| Federated {
                username,
                client_id: pending.client_id.clone(),
                resume: pending.resume.clone(),
            })
            .map_err(|error| FederationError {
                error,
                resume: Some(resume),
            })
    }

    /// The user `pending`'s sign-in ends as, from what the provider answered.
    fn federate(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        pending: &PendingFederation,
        answer: FederationReturn<'_>,
    ) -> Result<String, CognitoError> {
        if let Some(error) = answer.error {
            let why = answer.error_description.unwrap_or(error);
            return Err(not_authorized(format!(
                "The identity provider {} refused the sign-in: {why}",
                pending.provider_name
            )));
        }
        let code = answer
            .code
            .filter(|c| !c.is_empty())
            .ok_or_else(|| invalid_parameter("The identity provider sent no code."))?;
        let provider = self.store.read(pool_id, |pool| {
            pool.identity_providers
                .get(&pending.provider_name)
                .cloned()
                .ok_or_else(|| provider_not_found(&pending.provider_name))
        })?;
        let provider = oidc::Provider::of(&provider)?;
        let identity = self.verified_identity(ctx, pool_id, &provider, pending, code)?;
        self.federated_user(ctx, pool_id, &pending.client_id, identity)
    }
}

/// The error of a provider that answered what cannot be used.
fn upstream_failed(provider: &str, why: impl std::fmt::Display) -> CognitoError {
    CognitoError::new(
        ErrorKind::InternalErrorException,
        format!("The identity provider {provider} could not be used: {why}"),
    )
}

#[cfg(test)]
mod tests;
