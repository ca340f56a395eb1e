//! The OAuth 2.0 and OpenID Connect side of federated sign-in: where a provider's
//! endpoints are (its `ProviderDetails`, its discovery document, or, for the social
//! providers, their fixed endpoints unless the embedder moved them), the authorization
//! URL, the code's exchange, the ID token's verification and the userInfo request.
//!
//! An ID token is verified as OpenID Connect Core 1.0 §3.1.3.7 says: its RS256
//! signature against the provider's key set (fetched again once when it names a key the
//! set lacks), `iss`, `aud` (the provider's `client_id`), `exp` against the request's
//! time, and the `nonce` sent. The code is exchanged with `client_secret_post`, as
//! Cognito does; OIDC providers also get a PKCE S256 challenge (RFC 7636).

use base64::Engine as _;
use cognito_crypto::jwk::RsaJwk;
use cognito_crypto::jwt::{check_time, danger_decode_unverified, VerifyingKey};
use cognito_model::shapes::{
    AttributeMappingType, IdentityProviderType, IdentityProviderTypeType as Kind,
    ProviderDetailsType,
};
use cognito_model::CognitoError;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::upstream_failed;
use super::users::FederatedIdentity;
use crate::errors::{invalid_parameter, not_authorized};
use crate::state::federation::{PendingFederation, Published};
use crate::upstream::{encode_component, form_encode, UpstreamRequest};
use crate::{Cognito, RequestContext};

/// Where an OpenID Connect issuer publishes its configuration (OpenID Connect Discovery
/// 1.0 §4).
const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";

/// A provider of the pool, as a sign-in reads it.
#[derive(Debug, Clone)]
pub(super) struct Provider {
    pub(super) name: String,
    pub(super) kind: Kind,
    details: ProviderDetailsType,
    pub(super) mapping: AttributeMappingType,
}

impl Provider {
    /// `provider`, which must be one that signs in through OAuth 2.0.
    pub(super) fn of(provider: &IdentityProviderType) -> Result<Provider, CognitoError> {
        let name = provider.provider_name.clone().unwrap_or_default();
        let kind = provider.provider_type.unwrap_or(Kind::Oidc);
        if kind == Kind::Saml {
            return Err(invalid_parameter(format!(
                "Identity provider {name} is a SAML provider, which signs in through SAML."
            )));
        }
        Ok(Provider {
            name,
            kind,
            details: provider.provider_details.clone().unwrap_or_default(),
            mapping: provider.attribute_mapping.clone().unwrap_or_default(),
        })
    }

    /// Detail `key`, when set and not blank.
    fn detail(&self, key: &str) -> Option<&str> {
        self.details
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    /// Whether the sign-in sends a PKCE challenge: to OpenID Connect providers.
    pub(super) fn uses_pkce(&self) -> bool {
        self.kind == Kind::Oidc
    }

    /// The claim the user's id at the provider is read from: the `username` mapping, by
    /// default the provider's subject.
    fn subject_claim(&self) -> &str {
        match self.mapping.get("username") {
            Some(claim) if !claim.is_empty() => claim,
            _ => match self.kind {
                Kind::Facebook => "id",
                Kind::LoginWithAmazon => "user_id",
                _ => "sub",
            },
        }
    }
}

/// A provider's endpoints, resolved.
#[derive(Debug, Clone, Default)]
pub(super) struct Endpoints {
    authorize: String,
    token: String,
    userinfo: Option<String>,
    jwks: Option<String>,
    issuer: Option<String>,
    /// Whether the provider answers an ID token (OpenID Connect, Google, Apple).
    pub(super) id_token: bool,
}

/// The endpoints of a social provider of type `kind` at the provider itself.
fn social_defaults(kind: Kind) -> Endpoints {
    let endpoints = |authorize: &str, token: &str, userinfo: Option<&str>| Endpoints {
        authorize: authorize.to_owned(),
        token: token.to_owned(),
        userinfo: userinfo.map(str::to_owned),
        ..Endpoints::default()
    };
    match kind {
        Kind::Google => Endpoints {
            jwks: Some("https://www.googleapis.com/oauth2/v3/certs".into()),
            issuer: Some("https://accounts.google.com".into()),
            id_token: true,
            ..endpoints(
                "https://accounts.google.com/o/oauth2/v2/auth",
                "https://oauth2.googleapis.com/token",
                Some("https://openidconnect.googleapis.com/v1/userinfo"),
            )
        },
        Kind::Facebook => endpoints(
            "https://www.facebook.com/v17.0/dialog/oauth",
            "https://graph.facebook.com/v17.0/oauth/access_token",
            Some("https://graph.facebook.com/v17.0/me?fields="),
        ),
        Kind::LoginWithAmazon => endpoints(
            "https://www.amazon.com/ap/oa",
            "https://api.amazon.com/auth/o2/token",
            Some("https://api.amazon.com/user/profile"),
        ),
        Kind::SignInWithApple => Endpoints {
            jwks: Some("https://appleid.apple.com/auth/keys".into()),
            issuer: Some("https://appleid.apple.com".into()),
            id_token: true,
            ..endpoints(
                "https://appleid.apple.com/auth/authorize",
                "https://appleid.apple.com/auth/token",
                None,
            )
        },
        Kind::Oidc | Kind::Saml => Endpoints::default(),
    }
}

/// The authorization URL the browser is sent to (RFC 6749 §4.1.1, OpenID Connect Core
/// 1.0 §3.1.2.1).
pub(super) fn authorization_url(
    provider: &Provider,
    endpoints: &Endpoints,
    callback_url: &str,
    state: &str,
    nonce: Option<&str>,
    code_verifier: Option<&str>,
) -> String {
    let client_id = provider.detail("client_id").unwrap_or_default();
    let scope = provider.detail("authorize_scopes").unwrap_or_default();
    let mut query = vec![
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", callback_url),
        ("scope", scope),
        ("state", state),
    ];
    if let Some(nonce) = nonce {
        query.push(("nonce", nonce));
    }
    let challenge = code_verifier.map(|v| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(v.as_bytes()))
    });
    if let Some(challenge) = &challenge {
        query.push(("code_challenge", challenge));
        query.push(("code_challenge_method", "S256"));
    }
    // Apple answers the scopes `name` and `email` only with a form posted back.
    if provider.kind == Kind::SignInWithApple && !scope.is_empty() {
        query.push(("response_mode", "form_post"));
    }
    with_query(&endpoints.authorize, &form_encode(&query))
}

/// `url` with `query` added to its own.
fn with_query(url: &str, query: &str) -> String {
    let separator = match url.find('?') {
        None => "?",
        Some(at) if at + 1 == url.len() || url.ends_with('&') => "",
        Some(_) => "&",
    };
    format!("{url}{separator}{query}")
}

/// An object member as a string, when it is one and not empty.
fn text<'v>(object: &'v Map<String, Value>, name: &str) -> Option<&'v str> {
    object
        .get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// A JSON value as an attribute's text: strings as they are, anything else as JSON;
/// nothing for `null`.
pub(super) fn attribute_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// An object's members as strings, as trigger events carry them.
fn string_map(object: &Map<String, Value>) -> Map<String, Value> {
    object
        .iter()
        .filter_map(|(k, v)| attribute_text(v).map(|t| (k.clone(), Value::String(t))))
        .collect()
}

/// `a` and `b` are the same issuer, a trailing `/` aside.
fn same_issuer(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

impl Cognito {
    /// The endpoints of `provider`: for an OIDC provider, those its details name, the
    /// others from its discovery document; for a social provider, the embedder's
    /// overrides, then its details, then the provider's own.
    pub(super) fn idp_endpoints(
        &self,
        pool_id: &str,
        provider: &Provider,
    ) -> Result<Endpoints, CognitoError> {
        if provider.kind != Kind::Oidc {
            return Ok(self.social_idp_endpoints(provider));
        }
        let issuer = provider.detail("oidc_issuer").unwrap_or_default();
        let named = ["authorize_url", "token_url", "attributes_url", "jwks_uri"]
            .iter()
            .all(|k| provider.detail(k).is_some());
        let discovered = if named {
            Map::new()
        } else {
            self.idp_discovery(pool_id, provider, issuer)?
        };
        let endpoint = |detail: &str, member: &str| {
            provider
                .detail(detail)
                .or_else(|| text(&discovered, member))
                .map(str::to_owned)
        };
        let missing = |what: &str| {
            upstream_failed(
                &provider.name,
                format!("its discovery document names no {what}"),
            )
        };
        Ok(Endpoints {
            authorize: endpoint("authorize_url", "authorization_endpoint")
                .ok_or_else(|| missing("authorization_endpoint"))?,
            token: endpoint("token_url", "token_endpoint")
                .ok_or_else(|| missing("token_endpoint"))?,
            userinfo: endpoint("attributes_url", "userinfo_endpoint"),
            jwks: endpoint("jwks_uri", "jwks_uri"),
            issuer: Some(issuer.to_owned()),
            id_token: true,
        })
    }

    fn social_idp_endpoints(&self, provider: &Provider) -> Endpoints {
        let builtin = social_defaults(provider.kind);
        let moved = self
            .provider_endpoints
            .of(provider.kind)
            .cloned()
            .unwrap_or_default();
        let detail = |key: &str| provider.detail(key).map(str::to_owned);
        // Google's `attributes_url` is its People API, whose answer is no claim set: its
        // attributes come from the ID token and the OpenID userInfo endpoint.
        let userinfo_detail = match provider.kind {
            Kind::Google => None,
            _ => detail("attributes_url"),
        };
        Endpoints {
            authorize: moved
                .authorize_url
                .or_else(|| detail("authorize_url"))
                .unwrap_or(builtin.authorize),
            token: moved
                .token_url
                .or_else(|| detail("token_url"))
                .unwrap_or(builtin.token),
            userinfo: moved.userinfo_url.or(userinfo_detail).or(builtin.userinfo),
            jwks: moved
                .jwks_uri
                .or_else(|| detail("jwks_uri"))
                .or(builtin.jwks)
                .filter(|_| builtin.id_token),
            issuer: moved
                .issuer
                .or_else(|| detail("oidc_issuer"))
                .or(builtin.issuer)
                .filter(|_| builtin.id_token),
            id_token: builtin.id_token,
        }
    }

    /// The discovery document of `issuer`, fetched once and kept; its `issuer` must be
    /// the provider's (OpenID Connect Discovery 1.0 §4.3).
    fn idp_discovery(
        &self,
        pool_id: &str,
        provider: &Provider,
        issuer: &str,
    ) -> Result<Map<String, Value>, CognitoError> {
        let url = format!("{}{DISCOVERY_PATH}", issuer.trim_end_matches('/'));
        let kept = self.store.read(pool_id, |pool| {
            Ok(pool
                .federations
                .published(&provider.name, Published::Discovery, &url)
                .cloned())
        })?;
        if let Some(Value::Object(document)) = kept {
            return Ok(document);
        }
        let document = self.idp_json(provider, &UpstreamRequest::get(&url))?;
        let named = text(&document, "issuer").unwrap_or_default();
        if !same_issuer(named, issuer) {
            return Err(upstream_failed(
                &provider.name,
                format!("its discovery document names the issuer {named}, not {issuer}"),
            ));
        }
        self.store.update(pool_id, |pool| {
            pool.federations.keep_published(
                &provider.name,
                Published::Discovery,
                &url,
                Value::Object(document.clone()),
            );
            Ok(())
        })?;
        Ok(document)
    }

    /// The key of `provider`'s key set at `url` that `kid` names: from the set kept, or
    /// from the set fetched again when the kept one lacks it (the provider rotated its
    /// keys).
    fn idp_key(
        &self,
        pool_id: &str,
        provider: &Provider,
        url: &str,
        kid: &str,
    ) -> Result<Option<RsaJwk>, CognitoError> {
        let find = |set: &Value| {
            set.get("keys")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter(|k| k.get("kid").and_then(Value::as_str) == Some(kid))
                .find_map(|k| RsaJwk::from_json(k).ok())
        };
        let kept = self.store.read(pool_id, |pool| {
            Ok(pool
                .federations
                .published(&provider.name, Published::KeySet, url)
                .and_then(find))
        })?;
        if kept.is_some() {
            return Ok(kept);
        }
        let set = Value::Object(self.idp_json(provider, &UpstreamRequest::get(url))?);
        let key = find(&set);
        self.store.update(pool_id, |pool| {
            pool.federations
                .keep_published(&provider.name, Published::KeySet, url, set);
            Ok(())
        })?;
        Ok(key)
    }

    /// Sends `request` to `provider` and answers the JSON object of its successful
    /// answer.
    fn idp_json(
        &self,
        provider: &Provider,
        request: &UpstreamRequest,
    ) -> Result<Map<String, Value>, CognitoError> {
        let response = self
            .upstream
            .send(request)
            .map_err(|e| upstream_failed(&provider.name, e))?;
        let path = request.url.split(['?', '#']).next().unwrap_or_default();
        if !response.is_success() {
            return Err(upstream_failed(
                &provider.name,
                format!("{path} answered HTTP {}", response.status),
            ));
        }
        match serde_json::from_slice(&response.body) {
            Ok(Value::Object(object)) => Ok(object),
            _ => Err(upstream_failed(
                &provider.name,
                format!("{path} answered no JSON object"),
            )),
        }
    }

    /// Exchanges `code` at the provider's token endpoint, then verifies the identity it
    /// vouches for: the ID token, the userInfo answer, or both.
    pub(super) fn verified_identity(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        provider: &Provider,
        pending: &PendingFederation,
        code: &str,
    ) -> Result<FederatedIdentity, CognitoError> {
        let endpoints = self.idp_endpoints(pool_id, provider)?;
        let tokens = self.idp_exchange_code(provider, &endpoints, pending, code)?;
        let access_token = text(&tokens, "access_token").ok_or_else(|| {
            upstream_failed(&provider.name, "its token response has no access_token")
        })?;
        let id_claims = if endpoints.id_token {
            let token = text(&tokens, "id_token").ok_or_else(|| {
                upstream_failed(&provider.name, "its token response has no id_token")
            })?;
            Some(self.verify_idp_id_token(ctx, pool_id, provider, &endpoints, pending, token)?)
        } else {
            None
        };
        let user_info = match &endpoints.userinfo {
            Some(url) => Some(self.idp_user_info(provider, url, access_token)?),
            None => None,
        };
        let subject_of = |claims: &Map<String, Value>| claims.get("sub").and_then(attribute_text);
        if let (Some(id), Some(info)) = (&id_claims, &user_info) {
            let info_sub = subject_of(info);
            if info_sub.is_some() && info_sub != subject_of(id) {
                return Err(not_authorized("Bad userInfo sub"));
            }
        }
        let mut attributes = std::collections::BTreeMap::new();
        for claims in id_claims.iter().chain(&user_info) {
            for (name, value) in claims {
                if let Some(text) = attribute_text(value) {
                    attributes.insert(name.clone(), text);
                }
            }
        }
        for name in ["access_token", "id_token"] {
            if let Some(token) = text(&tokens, name) {
                attributes.insert(name.to_owned(), token.to_owned());
            }
        }
        let claim = provider.subject_claim();
        let subject = attributes
            .get(claim)
            .filter(|s| !s.is_empty())
            .cloned()
            .ok_or_else(|| {
                upstream_failed(
                    &provider.name,
                    format!("the identity it sent has no {claim}"),
                )
            })?;
        let mut raw = Map::new();
        raw.insert("tokenResponse".into(), Value::Object(string_map(&tokens)));
        if let Some(id) = &id_claims {
            raw.insert("idToken".into(), Value::Object(string_map(id)));
        }
        if let Some(info) = &user_info {
            raw.insert("userInfo".into(), Value::Object(string_map(info)));
        }
        Ok(FederatedIdentity {
            provider_name: provider.name.clone(),
            provider_type: provider.kind,
            subject,
            issuer: None,
            attributes,
            raw,
        })
    }

    /// The token response for `code` (RFC 6749 §4.1.3), the client authenticated with
    /// `client_secret_post`; `GET` where the provider's `token_request_method` says so.
    fn idp_exchange_code(
        &self,
        provider: &Provider,
        endpoints: &Endpoints,
        pending: &PendingFederation,
        code: &str,
    ) -> Result<Map<String, Value>, CognitoError> {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", pending.callback_url.as_str()),
            (
                "client_id",
                provider.detail("client_id").unwrap_or_default(),
            ),
        ];
        if let Some(secret) = provider.detail("client_secret") {
            form.push(("client_secret", secret));
        }
        if let Some(verifier) = &pending.code_verifier {
            form.push(("code_verifier", verifier));
        }
        let request = if provider.detail("token_request_method") == Some("GET") {
            UpstreamRequest::get(with_query(&endpoints.token, &form_encode(&form)))
        } else {
            UpstreamRequest::post_form(&endpoints.token, &form)
        };
        let response = self
            .upstream
            .send(&request)
            .map_err(|e| upstream_failed(&provider.name, e))?;
        let body: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
        if (400..500).contains(&response.status) {
            // RFC 6749 §5.2, or Facebook's `{"error": {"message": ...}}`.
            let error = body.get("error");
            let why = error
                .and_then(|e| e.get("message"))
                .or(body.get("error_description"))
                .or(error)
                .and_then(Value::as_str)
                .unwrap_or("the code was refused");
            return Err(not_authorized(format!(
                "The identity provider {} refused the code: {why}",
                provider.name
            )));
        }
        match body {
            Value::Object(tokens) if response.is_success() => Ok(tokens),
            _ if response.is_success() => Err(upstream_failed(
                &provider.name,
                "its token endpoint answered no JSON object",
            )),
            _ => Err(upstream_failed(
                &provider.name,
                format!("its token endpoint answered HTTP {}", response.status),
            )),
        }
    }

    /// The claims of the provider's ID token, once its signature, issuer, audience,
    /// expiry and nonce are right (OpenID Connect Core 1.0 §3.1.3.7).
    fn verify_idp_id_token(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        provider: &Provider,
        endpoints: &Endpoints,
        pending: &PendingFederation,
        token: &str,
    ) -> Result<Map<String, Value>, CognitoError> {
        let bad = |what: &str| not_authorized(format!("Bad id_token {what}"));
        let (header, _) = danger_decode_unverified(token).map_err(|_| bad("format"))?;
        let kid = header
            .get("kid")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("kid"))?;
        let jwks = endpoints
            .jwks
            .as_deref()
            .ok_or_else(|| upstream_failed(&provider.name, "it publishes no key set (jwks_uri)"))?;
        // Steps 6-7: the signature, with the key the header names.
        let key = self
            .idp_key(pool_id, provider, jwks, kid)?
            .ok_or_else(|| bad("kid"))?;
        let claims = match VerifyingKey::from(key).verify(token) {
            Ok(Value::Object(claims)) => claims,
            Ok(_) => return Err(bad("claims")),
            Err(cognito_crypto::jwt::JwtError::AlgorithmNotRs256) => return Err(bad("alg")),
            Err(_) => return Err(bad("signature")),
        };
        // Step 2: the issuer.
        let iss = text(&claims, "iss").unwrap_or_default();
        let issuer = endpoints.issuer.as_deref().unwrap_or_default();
        let google_legacy = provider.kind == Kind::Google && format!("https://{iss}") == issuer;
        if !(same_issuer(iss, issuer) || google_legacy) {
            return Err(bad(&format!("issuer {iss}")));
        }
        // Step 3: the audience includes the client.
        let client_id = provider.detail("client_id").unwrap_or_default();
        let audience = match claims.get("aud") {
            Some(Value::String(aud)) => aud == client_id,
            Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(client_id)),
            _ => false,
        };
        if !audience {
            return Err(bad("aud"));
        }
        // Step 9: not expired.
        check_time(&Value::Object(claims.clone()), ctx.now.secs()).map_err(|_| bad("exp"))?;
        // Step 11: the nonce sent.
        if let Some(nonce) = &pending.nonce {
            if text(&claims, "nonce") != Some(nonce.as_str()) {
                return Err(bad("nonce"));
            }
        }
        Ok(claims)
    }

    /// The userInfo answer for `access_token` (OpenID Connect Core 1.0 §5.3), or the
    /// profile of a provider without ID tokens, which asks for the fields mapped where
    /// the provider's `attributes_url_add_attributes` says so (Facebook's `fields=`).
    fn idp_user_info(
        &self,
        provider: &Provider,
        url: &str,
        access_token: &str,
    ) -> Result<Map<String, Value>, CognitoError> {
        let mut url = url.to_owned();
        if provider.detail("attributes_url_add_attributes") == Some("true") && url.ends_with('=') {
            let mut fields: Vec<&str> = vec![provider.subject_claim()];
            for claim in provider.mapping.values() {
                if !fields.contains(&claim.as_str()) {
                    fields.push(claim);
                }
            }
            url.push_str(&encode_component(&fields.join(",")));
        }
        let request = if provider.detail("attributes_request_method") == Some("POST") {
            UpstreamRequest::post_form(url, &[])
        } else {
            UpstreamRequest::get(url)
        };
        self.idp_json(
            provider,
            &request.header("Authorization", format!("Bearer {access_token}")),
        )
    }
}
