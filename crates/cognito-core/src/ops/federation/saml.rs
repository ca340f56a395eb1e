//! The SAML 2.0 side of federated sign-in: the pool as a service provider (entity id
//! `urn:amazon:cognito:sp:<userPoolId>`) to the SAML identity providers it trusts.
//!
//! ```text
//! SP-initiated   start_federation() ──► AuthnRequest (ID from the service's randomness,
//!                                        IssueInstant the request's time) by HTTP-Redirect,
//!                                        RelayState = the pending sign-in's state
//!                provider ──► POST SAMLResponse, RelayState ──► finish_saml_federation()
//!                                        the response answers that request (InResponseTo),
//!                                        posted to the ACS URL the request named
//! IdP-initiated  provider ──► POST SAMLResponse, RelayState = an authorization request
//!                                        (only where the provider's IDPInit is true, for an
//!                                        app client of SAML providers only; the response
//!                                        answers no request)
//!                                        ▼
//!          verify_response (signature, issuer, destination, recipient, audience, validity)
//!          ──► each assertion accepted once ──► attributes by Name ──► users::federated_user
//! ```
//!
//! The provider's metadata is its `MetadataFile`, or the document at its `MetadataURL`,
//! fetched through the embedder's [`Upstream`](crate::upstream::Upstream) and kept with
//! the pool (fetched again when the provider is created or updated). The user is
//! `<ProviderName>_<NameID>`; an attribute with several values maps as `[a, b]`.
//!
//! Boundary: which URL the response was posted to and what the `RelayState`'s
//! authorization request says are the embedder's to read and check; the XML and its
//! signatures are `cognito_crypto::saml`'s.

use std::collections::BTreeMap;

use cognito_crypto::saml::{
    authn_request, verify_response, Assertion, AuthnRequestParams, Expectations, IdpMetadata,
    NameIdFormat, CLOCK_SKEW_SECONDS,
};
use cognito_model::shapes::{IdentityProviderType, IdentityProviderTypeType as Kind};
use cognito_model::{CognitoError, Timestamp};
use serde_json::{Map, Value};

use super::users::FederatedIdentity;
use super::{provider_not_found, upstream_failed, Federated, FederationError, FederationStart};
use crate::errors::{invalid_parameter, not_authorized};
use crate::state::federation::{PendingFederation, Published, PENDING_LIFETIME_MILLIS};
use crate::upstream::{Method, UpstreamRequest};
use crate::{Cognito, RequestContext};

/// The longest `SAMLResponse` accepted, in characters.
const MAX_RESPONSE_CHARS: usize = 100_000;

/// Why a posted response finishes no sign-in: its `RelayState` is unknown, used or
/// expired, or names a sign-in at another kind of provider.
const UNKNOWN_RELAY_STATE: &str = "Invalid samlResponse or relayState from identity provider";

/// The pool's entity id as a service provider: the `Issuer` of its requests and the
/// `Audience` its assertions must name.
pub(crate) fn sp_entity_id(pool_id: &str) -> String {
    format!("urn:amazon:cognito:sp:{pool_id}")
}

/// What a SAML identity provider posted to the pool's assertion consumer service
/// (`/saml2/idpresponse`).
#[derive(Debug, Clone, Copy)]
pub struct SamlReturn<'a> {
    /// `SAMLResponse`: the base64 `Response`.
    pub saml_response: &'a str,
    /// `RelayState`: the state of the sign-in the pool started, or for an IdP-initiated
    /// sign-in the authorization request to answer.
    pub relay_state: Option<&'a str>,
    /// For an IdP-initiated sign-in, the authorization request the `RelayState` holds,
    /// as the embedder read and checked it; `None` when the `RelayState` names a sign-in
    /// the pool started.
    pub unsolicited: Option<Unsolicited<'a>>,
}

/// The authorization request of an IdP-initiated sign-in.
#[derive(Debug, Clone, Copy)]
pub struct Unsolicited<'a> {
    /// The app client.
    pub client_id: &'a str,
    /// The identity provider it names (`identity_provider`, `idp_identifier`, or the
    /// client's only one).
    pub provider_name: Option<&'a str>,
    /// The URL the response was posted to, which it must name as its destination and
    /// recipient.
    pub acs_url: &'a str,
}

/// A SAML provider of the pool, as a sign-in reads it.
struct SamlProvider {
    name: String,
    details: BTreeMap<String, String>,
}

impl SamlProvider {
    /// `provider`, which must be a SAML provider.
    fn of(provider: &IdentityProviderType) -> Result<SamlProvider, CognitoError> {
        let name = provider.provider_name.clone().unwrap_or_default();
        if provider.provider_type != Some(Kind::Saml) {
            return Err(invalid_parameter(format!(
                "Identity provider {name} is not a SAML provider."
            )));
        }
        Ok(SamlProvider {
            name,
            details: provider
                .provider_details
                .clone()
                .unwrap_or_default()
                .into_iter()
                .collect(),
        })
    }

    /// Detail `key`, when set and not blank.
    fn detail(&self, key: &str) -> Option<&str> {
        self.details
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    /// Whether the provider accepts IdP-initiated sign-in (`IDPInit`).
    fn idp_initiated(&self) -> bool {
        self.detail("IDPInit") == Some("true")
    }
}

/// Epoch seconds of `t`, none before 1970.
fn epoch_seconds(t: Timestamp) -> u64 {
    u64::try_from(t.secs()).unwrap_or(0)
}

/// An attribute's values as one text: a single value as it is, several as `[a, b]`.
fn attribute_text(values: &[String]) -> Option<String> {
    match values {
        [] => None,
        [one] => Some(one.clone()),
        many => Some(format!("[{}]", many.join(", "))),
    }
}

/// The identity a verified assertion of `provider` vouches for.
fn identity(
    provider: &SamlProvider,
    assertion: Assertion,
) -> Result<FederatedIdentity, CognitoError> {
    if assertion.name_id.is_empty() {
        return Err(not_authorized(
            "Invalid SAML response received: the assertion's NameID is empty.",
        ));
    }
    let attributes: BTreeMap<String, String> = assertion
        .attributes
        .iter()
        .filter_map(|(name, values)| attribute_text(values).map(|text| (name.clone(), text)))
        .collect();
    let sent: Map<String, Value> = attributes
        .iter()
        .map(|(name, text)| (name.clone(), Value::String(text.clone())))
        .collect();
    let mut raw = Map::new();
    raw.insert("samlResponse".into(), Value::Object(sent));
    Ok(FederatedIdentity {
        provider_name: provider.name.clone(),
        provider_type: Kind::Saml,
        subject: assertion.name_id,
        issuer: Some(assertion.issuer),
        attributes,
        raw,
    })
}

impl Cognito {
    /// The URL that sends the browser to SAML provider `provider` with an
    /// `AuthnRequest` by the HTTP-Redirect binding, `state` as its `RelayState`; and the
    /// sign-in to keep until the provider answers.
    pub(super) fn start_saml_federation(
        &self,
        ctx: &RequestContext,
        start: &FederationStart<'_>,
        provider: &IdentityProviderType,
        state: &str,
        pending: PendingFederation,
    ) -> Result<(String, PendingFederation), CognitoError> {
        let provider = SamlProvider::of(provider)?;
        let idp = self.saml_metadata(start.pool_id, &provider)?;
        let mut id_random = [0u8; 20];
        self.random.fill(&mut id_random);
        let sp = sp_entity_id(start.pool_id);
        let request = authn_request(
            &idp,
            &AuthnRequestParams {
                id_random,
                issue_instant: epoch_seconds(ctx.now),
                sp_entity_id: &sp,
                acs_url: start.acs_url,
                name_id_format: NameIdFormat::Persistent,
            },
        )
        .map_err(|e| upstream_failed(&provider.name, e))?;
        let url = request.redirect_url(Some(state));
        let pending = PendingFederation {
            saml_request_id: Some(request.id),
            ..pending
        };
        Ok((url, pending))
    }

    /// Finishes the SAML sign-in a provider posted its response for: the sign-in the
    /// `RelayState` names (once), or an IdP-initiated one; the response verified, the
    /// assertion accepted once, then the user created, updated or found through a link.
    pub fn finish_saml_federation(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        answer: SamlReturn<'_>,
    ) -> Result<Federated, FederationError> {
        let Some(unsolicited) = answer.unsolicited else {
            let state = answer.relay_state.unwrap_or_default();
            let pending = self
                .store
                .update(pool_id, |pool| Ok(pool.federations.take(state, ctx.now)))?
                .ok_or_else(|| invalid_parameter(UNKNOWN_RELAY_STATE))?;
            let finished = self.finish_solicited(ctx, pool_id, &pending, answer.saml_response);
            return finished
                .map(|username| Federated {
                    username,
                    client_id: pending.client_id.clone(),
                    resume: pending.resume.clone(),
                })
                .map_err(|error| FederationError {
                    error,
                    resume: Some(pending.resume.clone()),
                });
        };
        let resume = answer.relay_state.unwrap_or_default().to_owned();
        self.finish_unsolicited(ctx, pool_id, &unsolicited, answer.saml_response)
            .map(|username| Federated {
                username,
                client_id: unsolicited.client_id.to_owned(),
                resume: resume.clone(),
            })
            .map_err(|error| FederationError {
                error,
                resume: Some(resume),
            })
    }

    /// The user an SP-initiated sign-in ends as: the response answers the request
    /// `pending` sent.
    fn finish_solicited(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        pending: &PendingFederation,
        saml_response: &str,
    ) -> Result<String, CognitoError> {
        let request_id = pending
            .saml_request_id
            .as_deref()
            .ok_or_else(|| invalid_parameter(UNKNOWN_RELAY_STATE))?;
        let provider = self.saml_provider(pool_id, &pending.provider_name)?;
        let assertion = self.accepted_assertion(
            ctx,
            pool_id,
            &provider,
            saml_response,
            &pending.callback_url,
            Some(request_id),
        )?;
        self.federated_user(
            ctx,
            pool_id,
            &pending.client_id,
            identity(&provider, assertion)?,
        )
    }

    /// The user an IdP-initiated sign-in ends as: the provider allows it, the app
    /// client signs in through SAML providers only, and the response answers no
    /// request.
    fn finish_unsolicited(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        unsolicited: &Unsolicited<'_>,
        saml_response: &str,
    ) -> Result<String, CognitoError> {
        let name = unsolicited.provider_name.ok_or_else(|| {
            invalid_parameter(
                "The RelayState names no identity provider (identity_provider or idp_identifier).",
            )
        })?;
        let (provider, not_saml) = self.store.read(pool_id, |pool| {
            let client = pool.client(unsolicited.client_id)?;
            let provider = pool
                .identity_providers
                .get(name)
                .ok_or_else(|| provider_not_found(name))?;
            let supported = client
                .config
                .supported_identity_providers
                .as_deref()
                .unwrap_or_default();
            if !supported.iter().any(|p| p == name) {
                return Err(invalid_parameter(format!(
                    "Identity provider {name} is not enabled for the client."
                )));
            }
            let not_saml = supported
                .iter()
                .find(|p| {
                    pool.identity_providers
                        .get(p)
                        .is_none_or(|p| p.provider_type != Some(Kind::Saml))
                })
                .cloned();
            Ok((SamlProvider::of(provider)?, not_saml))
        })?;
        if !provider.idp_initiated() {
            return Err(not_authorized(format!(
                "IdP-initiated sign-in is not enabled for the identity provider {name}."
            )));
        }
        if let Some(other) = not_saml {
            return Err(invalid_parameter(format!(
                "IdP-initiated sign-in needs an app client whose identity providers are all \
                 SAML providers; this one supports {other}."
            )));
        }
        let assertion = self.accepted_assertion(
            ctx,
            pool_id,
            &provider,
            saml_response,
            unsolicited.acs_url,
            None,
        )?;
        self.federated_user(
            ctx,
            pool_id,
            unsolicited.client_id,
            identity(&provider, assertion)?,
        )
    }

    /// The SAML provider `name` of the pool.
    fn saml_provider(&self, pool_id: &str, name: &str) -> Result<SamlProvider, CognitoError> {
        self.store.read(pool_id, |pool| {
            let provider = pool
                .identity_providers
                .get(name)
                .ok_or_else(|| provider_not_found(name))?;
            SamlProvider::of(provider)
        })
    }

    /// The assertion of `saml_response`, verified as `provider`'s, posted to `acs_url`,
    /// answering `request_id` (or, IdP-initiated, no request), and accepted for the
    /// first time.
    fn accepted_assertion(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        provider: &SamlProvider,
        saml_response: &str,
        acs_url: &str,
        request_id: Option<&str>,
    ) -> Result<Assertion, CognitoError> {
        let invalid = |why: &dyn std::fmt::Display| {
            not_authorized(format!("Invalid SAML response received: {why}."))
        };
        if saml_response.chars().count() > MAX_RESPONSE_CHARS {
            return Err(invalid_parameter(format!(
                "The SAML response is longer than {MAX_RESPONSE_CHARS} characters."
            )));
        }
        let idp = self.saml_metadata(pool_id, provider)?;
        let sp = sp_entity_id(pool_id);
        let assertion = verify_response(
            saml_response,
            &Expectations {
                idp: &idp,
                sp_entity_id: &sp,
                acs_url,
                now: epoch_seconds(ctx.now),
                in_response_to: request_id,
                allow_idp_initiated: request_id.is_none(),
            },
        )
        .map_err(|e| invalid(&e))?;
        if request_id.is_none() && assertion.in_response_to.is_some() {
            return Err(invalid(
                &"an IdP-initiated response must answer no request (InResponseTo)",
            ));
        }
        let until = assertion.not_on_or_after.map_or_else(
            || ctx.now.plus_millis(PENDING_LIFETIME_MILLIS),
            |end| {
                let end = end.saturating_add(CLOCK_SKEW_SECONDS);
                Timestamp::from_secs(i64::try_from(end).unwrap_or(i64::MAX))
            },
        );
        let first = self.store.update(pool_id, |pool| {
            Ok(pool
                .federations
                .accept_assertion(&assertion.issuer, &assertion.id, until, ctx.now))
        })?;
        if !first {
            return Err(invalid(&"the assertion has already been used"));
        }
        Ok(assertion)
    }

    /// `provider`'s metadata: its `MetadataFile`, or the document at its `MetadataURL`
    /// as kept with the pool (fetched when none is kept).
    fn saml_metadata(
        &self,
        pool_id: &str,
        provider: &SamlProvider,
    ) -> Result<IdpMetadata, CognitoError> {
        let failed = |why: &dyn std::fmt::Display| upstream_failed(&provider.name, why);
        let document = match (
            provider.detail("MetadataFile"),
            provider.detail("MetadataURL"),
        ) {
            (Some(file), _) => file.to_owned(),
            (None, Some(url)) => {
                let kept = self.store.read(pool_id, |pool| {
                    Ok(pool
                        .federations
                        .published(&provider.name, Published::SamlMetadata, url)
                        .and_then(Value::as_str)
                        .map(str::to_owned))
                })?;
                match kept {
                    Some(document) => document,
                    None => {
                        let document = self.fetch_saml_metadata(url).map_err(|e| failed(&e))?;
                        self.store.update(pool_id, |pool| {
                            pool.federations.keep_published(
                                &provider.name,
                                Published::SamlMetadata,
                                url,
                                Value::String(document.clone()),
                            );
                            Ok(())
                        })?;
                        document
                    }
                }
            }
            (None, None) => return Err(failed(&"it has no MetadataFile or MetadataURL")),
        };
        IdpMetadata::parse(&document).map_err(|e| failed(&e))
    }

    /// The metadata document at `url`, fetched through the embedder's upstream: the
    /// text of a successful answer, or why there is none.
    pub(crate) fn fetch_saml_metadata(&self, url: &str) -> Result<String, String> {
        let request = UpstreamRequest {
            method: Method::Get,
            url: url.to_owned(),
            headers: vec![(
                "Accept".into(),
                "application/samlmetadata+xml, application/xml, text/xml".into(),
            )],
            body: Vec::new(),
        };
        let response = self
            .upstream
            .send(&request)
            .map_err(|e| format!("The remote metadata source {url} could not be reached: {e}"))?;
        if !response.is_success() {
            return Err(format!(
                "Non-ok status code {} returned from remote metadata source {url}",
                response.status
            ));
        }
        String::from_utf8(response.body)
            .map_err(|_| format!("The remote metadata source {url} answered no UTF-8 text"))
    }
}

#[cfg(test)]
mod tests;
