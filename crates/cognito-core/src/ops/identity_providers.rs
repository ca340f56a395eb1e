//! Identity providers: `CreateIdentityProvider`, `DescribeIdentityProvider`,
//! `UpdateIdentityProvider`, `DeleteIdentityProvider`, `ListIdentityProviders`,
//! `GetIdentityProviderByIdentifier`.
//!
//! A pool federates with SAML 2.0 and OpenID Connect providers under names of its choice,
//! and with Google, Facebook, Login with Amazon and Sign in with Apple under their own
//! names. Each provider type requires its own `ProviderDetails` keys; Cognito adds the
//! endpoints of the social providers it knows, and the defaults it applies, when answering.
//!
//! An OIDC provider's endpoint keys (`authorize_url`, `token_url`, `attributes_url`,
//! `jwks_uri`) are kept as the request gives them; its discovery document is read at
//! sign-in. A SAML provider's metadata, its `MetadataFile` or the document at its
//! `MetadataURL` (fetched through the embedder's upstream when the provider is created
//! or updated, and kept with the pool for its sign-ins), must describe one identity
//! provider with signing certificates that have not expired; its redirect-binding
//! endpoints are added to the details. Encrypted responses are not supported.

use std::collections::BTreeSet;

use cognito_crypto::saml::IdpMetadata;
use cognito_model::shapes::*;
use cognito_model::{CognitoError, ErrorKind, Timestamp};
use serde_json::Value;

use crate::errors::{invalid_parameter, limit_exceeded, not_found};
use crate::state::federation::Published;
use crate::store::PoolState;
use crate::{ids, Cognito, RequestContext};

/// How many identity providers a pool may hold.
const MAX_PROVIDERS: usize = 300;

/// Default and largest page size of `ListIdentityProviders`: a page holds 50 providers at
/// most, even though `MaxResults` may ask for up to 60.
const MAX_PAGE: usize = 50;

/// The Facebook Graph API version used when the request names none.
const DEFAULT_FACEBOOK_API_VERSION: &str = "v17.0";

fn provider_not_found(name: &str) -> CognitoError {
    not_found(format!("Identity provider {name} does not exist."))
}

fn duplicate(message: String) -> CognitoError {
    CognitoError::new(ErrorKind::DuplicateProviderException, message)
}

impl Cognito {
    pub(crate) fn create_identity_provider(
        &self,
        ctx: &RequestContext,
        input: CreateIdentityProviderRequest,
    ) -> Result<CreateIdentityProviderResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |_| Ok(()))?;
        check_name(&input.provider_name, input.provider_type)?;
        let mut details = provider_details(input.provider_type, input.provider_details, None)?;
        let saml = match input.provider_type {
            IdentityProviderTypeType::Saml => Some(self.saml_metadata_of(&details, ctx.now)?),
            _ => None,
        };
        if let Some(saml) = &saml {
            saml.apply(&mut details);
        }
        if input.acr_mapping.is_some() && input.provider_type != IdentityProviderTypeType::Oidc {
            return Err(invalid_parameter(
                "AcrMapping is supported only for OIDC identity providers.",
            ));
        }
        self.store.update(&input.user_pool_id, |pool| {
            let mapping = attribute_mapping(pool, input.provider_type, input.attribute_mapping)?;
            let providers = &pool.identity_providers.providers;
            if providers.contains_key(&input.provider_name) {
                return Err(duplicate(format!(
                    "{} already exists in user pool {}",
                    input.provider_name, input.user_pool_id
                )));
            }
            if providers.len() >= MAX_PROVIDERS {
                return Err(limit_exceeded(format!(
                    "A user pool can have at most {MAX_PROVIDERS} identity providers."
                )));
            }
            check_identifiers(pool, &input.provider_name, input.idp_identifiers.as_deref())?;
            let provider = IdentityProviderType {
                user_pool_id: Some(input.user_pool_id.clone()),
                provider_name: Some(input.provider_name.clone()),
                provider_type: Some(input.provider_type),
                provider_details: Some(details),
                attribute_mapping: Some(mapping),
                idp_identifiers: Some(input.idp_identifiers.unwrap_or_default()),
                acr_mapping: input.acr_mapping,
                creation_date: Some(ctx.now),
                last_modified_date: Some(ctx.now),
            };
            let answer = describe(&provider);
            if let Some(saml) = saml {
                saml.keep(pool, &input.provider_name);
            }
            pool.identity_providers
                .providers
                .insert(input.provider_name, provider);
            Ok(CreateIdentityProviderResponse {
                identity_provider: answer,
            })
        })
    }

    pub(crate) fn describe_identity_provider(
        &self,
        _ctx: &RequestContext,
        input: DescribeIdentityProviderRequest,
    ) -> Result<DescribeIdentityProviderResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |pool| {
            let provider = pool
                .identity_providers
                .get(&input.provider_name)
                .ok_or_else(|| provider_not_found(&input.provider_name))?;
            Ok(DescribeIdentityProviderResponse {
                identity_provider: describe(provider),
            })
        })
    }

    pub(crate) fn update_identity_provider(
        &self,
        ctx: &RequestContext,
        input: UpdateIdentityProviderRequest,
    ) -> Result<UpdateIdentityProviderResponse, CognitoError> {
        // New SAML metadata is read, or fetched, before the pool is locked.
        let saml = match &input.provider_details {
            Some(details) if self.is_saml(&input.user_pool_id, &input.provider_name)? => {
                Some(self.saml_metadata_of(details, ctx.now)?)
            }
            _ => None,
        };
        self.store.update(&input.user_pool_id, |pool| {
            let current = pool
                .identity_providers
                .get(&input.provider_name)
                .ok_or_else(|| provider_not_found(&input.provider_name))?
                .clone();
            let kind = current
                .provider_type
                .unwrap_or(IdentityProviderTypeType::Oidc);
            let mut details = match input.provider_details {
                Some(details) => {
                    provider_details(kind, details, current.provider_details.as_ref())?
                }
                None => current.provider_details.clone().unwrap_or_default(),
            };
            if let Some(saml) = &saml {
                saml.apply(&mut details);
            }
            let mapping = match input.attribute_mapping {
                Some(mapping) => attribute_mapping(pool, kind, Some(mapping))?,
                None => current.attribute_mapping.clone().unwrap_or_default(),
            };
            if input.acr_mapping.is_some() && kind != IdentityProviderTypeType::Oidc {
                return Err(invalid_parameter(
                    "AcrMapping is supported only for OIDC identity providers.",
                ));
            }
            if let Some(identifiers) = &input.idp_identifiers {
                check_identifiers(pool, &input.provider_name, Some(identifiers))?;
            }
            let updated = IdentityProviderType {
                provider_details: Some(details),
                attribute_mapping: Some(mapping),
                idp_identifiers: input.idp_identifiers.or(current.idp_identifiers),
                acr_mapping: input.acr_mapping.or(current.acr_mapping),
                last_modified_date: Some(ctx.now),
                ..current
            };
            let answer = describe(&updated);
            if let Some(saml) = saml {
                saml.keep(pool, &input.provider_name);
            }
            pool.identity_providers
                .providers
                .insert(input.provider_name, updated);
            Ok(UpdateIdentityProviderResponse {
                identity_provider: answer,
            })
        })
    }

    /// Whether provider `name` of the pool is a SAML provider (`false` when there is no
    /// such provider: the update answers that).
    fn is_saml(&self, pool_id: &str, name: &str) -> Result<bool, CognitoError> {
        self.store.read(pool_id, |pool| {
            Ok(pool
                .identity_providers
                .get(name)
                .is_some_and(|p| p.provider_type == Some(IdentityProviderTypeType::Saml)))
        })
    }

    /// The metadata SAML `details` name, read from `MetadataFile` or fetched from
    /// `MetadataURL`, and checked at `now`.
    fn saml_metadata_of(
        &self,
        details: &ProviderDetailsType,
        now: Timestamp,
    ) -> Result<SamlMetadata, CognitoError> {
        let (document, url) = match metadata_source(details)? {
            MetadataSource::File(file) => (file.to_owned(), None),
            MetadataSource::Url(url) => (
                self.fetch_saml_metadata(url).map_err(invalid_parameter)?,
                Some(url.to_owned()),
            ),
        };
        let invalid = |e: cognito_crypto::saml::SamlError| {
            invalid_parameter(format!("Invalid SAML metadata: {e}."))
        };
        let metadata = IdpMetadata::parse(&document).map_err(invalid)?;
        metadata
            .check_certificates(u64::try_from(now.secs()).unwrap_or(0))
            .map_err(invalid)?;
        Ok(SamlMetadata {
            sso_redirect: metadata.single_sign_on.redirect,
            slo_redirect: metadata.single_logout.redirect,
            fetched: url.map(|url| (url, document)),
        })
    }

    pub(crate) fn delete_identity_provider(
        &self,
        _ctx: &RequestContext,
        input: DeleteIdentityProviderRequest,
    ) -> Result<(), CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            pool.identity_providers
                .providers
                .remove(&input.provider_name)
                .map(|_| ())
                .ok_or_else(|| provider_not_found(&input.provider_name))
        })
    }

    pub(crate) fn list_identity_providers(
        &self,
        _ctx: &RequestContext,
        input: ListIdentityProvidersRequest,
    ) -> Result<ListIdentityProvidersResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |_| Ok(()))?;
        let limit = ids::page_size(input.max_results, MAX_PAGE);
        self.store.read(&input.user_pool_id, |pool| {
            let (page, next_token) = ids::page_of(
                &pool.identity_providers.providers,
                input.next_token.as_deref(),
                limit,
                |p| ProviderDescription {
                    provider_name: p.provider_name.clone(),
                    provider_type: p.provider_type,
                    creation_date: p.creation_date,
                    last_modified_date: p.last_modified_date,
                },
            )?;
            Ok(ListIdentityProvidersResponse {
                providers: page,
                next_token,
            })
        })
    }

    pub(crate) fn get_identity_provider_by_identifier(
        &self,
        _ctx: &RequestContext,
        input: GetIdentityProviderByIdentifierRequest,
    ) -> Result<GetIdentityProviderByIdentifierResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |pool| {
            let provider = pool
                .identity_providers
                .by_identifier(&input.idp_identifier)
                .ok_or_else(|| {
                    not_found(format!(
                        "Identity provider with identifier {} does not exist.",
                        input.idp_identifier
                    ))
                })?;
            Ok(GetIdentityProviderByIdentifierResponse {
                identity_provider: describe(provider),
            })
        })
    }
}

/// The provider as the describing operations answer it: Apple's private key stays secret.
fn describe(provider: &IdentityProviderType) -> IdentityProviderType {
    let mut answer = provider.clone();
    if let Some(details) = &mut answer.provider_details {
        details.remove("private_key");
    }
    answer
}

/// Social providers go by their own names; the other types may not borrow those names.
fn check_name(name: &str, kind: IdentityProviderTypeType) -> Result<(), CognitoError> {
    let social = [
        IdentityProviderTypeType::Google,
        IdentityProviderTypeType::Facebook,
        IdentityProviderTypeType::LoginWithAmazon,
        IdentityProviderTypeType::SignInWithApple,
    ];
    let wrong = if social.contains(&kind) {
        name != kind.as_str()
    } else {
        social.iter().any(|s| s.as_str() == name)
    };
    if wrong {
        return Err(invalid_parameter(format!(
            "Provider {name} cannot be of type {}.",
            kind.as_str()
        )));
    }
    if name.eq_ignore_ascii_case("cognito") {
        return Err(invalid_parameter(format!(
            "Provider name {name} is reserved."
        )));
    }
    Ok(())
}

/// `IdpIdentifiers` are unique within the pool, across providers.
fn check_identifiers(
    pool: &PoolState,
    provider_name: &str,
    identifiers: Option<&[String]>,
) -> Result<(), CognitoError> {
    let mut seen = BTreeSet::new();
    for identifier in identifiers.unwrap_or_default() {
        let elsewhere = pool
            .identity_providers
            .by_identifier(identifier)
            .is_some_and(|p| p.provider_name.as_deref() != Some(provider_name));
        if !seen.insert(identifier.as_str()) || elsewhere {
            return Err(duplicate(format!(
                "The identifier {identifier} is already used by an identity provider of the user pool."
            )));
        }
    }
    Ok(())
}

/// The attribute mapping with Cognito's default for `username`; every key must be an
/// attribute of the pool.
fn attribute_mapping(
    pool: &PoolState,
    kind: IdentityProviderTypeType,
    mapping: Option<AttributeMappingType>,
) -> Result<AttributeMappingType, CognitoError> {
    let mut mapping = mapping.unwrap_or_default();
    for key in mapping.keys() {
        let known = key == "username"
            || pool
                .config
                .schema_attributes
                .iter()
                .flatten()
                .any(|a| a.name.as_deref() == Some(key.as_str()));
        if !known {
            return Err(invalid_parameter(format!(
                "The attribute {key} in AttributeMapping does not exist in the user pool."
            )));
        }
    }
    let subject = match kind {
        IdentityProviderTypeType::Saml => None,
        IdentityProviderTypeType::Facebook => Some("id"),
        IdentityProviderTypeType::LoginWithAmazon => Some("user_id"),
        IdentityProviderTypeType::Google
        | IdentityProviderTypeType::SignInWithApple
        | IdentityProviderTypeType::Oidc => Some("sub"),
    };
    if let Some(subject) = subject {
        mapping
            .entry("username".to_string())
            .or_insert_with(|| subject.to_string());
    }
    Ok(mapping)
}

/// Checks `details` for `kind` and adds the values Cognito fills in. `current` holds the
/// provider's details before an update (Apple's private key may be left out then).
fn provider_details(
    kind: IdentityProviderTypeType,
    mut details: ProviderDetailsType,
    current: Option<&ProviderDetailsType>,
) -> Result<ProviderDetailsType, CognitoError> {
    if kind == IdentityProviderTypeType::SignInWithApple && !details.contains_key("private_key") {
        if let Some(key) = current.and_then(|c| c.get("private_key")) {
            details.insert("private_key".into(), key.clone());
        }
    }
    let required: &[&str] = match kind {
        IdentityProviderTypeType::Google
        | IdentityProviderTypeType::Facebook
        | IdentityProviderTypeType::LoginWithAmazon => {
            &["client_id", "client_secret", "authorize_scopes"]
        }
        IdentityProviderTypeType::SignInWithApple => &[
            "client_id",
            "team_id",
            "key_id",
            "private_key",
            "authorize_scopes",
        ],
        IdentityProviderTypeType::Oidc => &["client_id", "authorize_scopes", "oidc_issuer"],
        IdentityProviderTypeType::Saml => &[],
    };
    for key in required {
        if details.get(*key).is_none_or(|v| v.trim().is_empty()) {
            return Err(invalid_parameter(format!(
                "{key} is required for {} identity providers.",
                kind.as_str()
            )));
        }
    }
    let mut defaults: Vec<(&str, String)> = Vec::new();
    match kind {
        IdentityProviderTypeType::Google => {
            defaults.extend([
                (
                    "attributes_url",
                    "https://people.googleapis.com/v1/people/me?personFields=".to_string(),
                ),
                ("attributes_url_add_attributes", "true".to_string()),
                (
                    "authorize_url",
                    "https://accounts.google.com/o/oauth2/v2/auth".to_string(),
                ),
                ("oidc_issuer", "https://accounts.google.com".to_string()),
                ("token_request_method", "POST".to_string()),
                (
                    "token_url",
                    "https://www.googleapis.com/oauth2/v4/token".to_string(),
                ),
            ]);
        }
        IdentityProviderTypeType::Facebook => {
            let version = details
                .get("api_version")
                .cloned()
                .unwrap_or_else(|| DEFAULT_FACEBOOK_API_VERSION.to_string());
            defaults.extend([
                ("api_version", version.clone()),
                (
                    "attributes_url",
                    format!("https://graph.facebook.com/{version}/me?fields="),
                ),
                ("attributes_url_add_attributes", "true".to_string()),
                (
                    "authorize_url",
                    format!("https://www.facebook.com/{version}/dialog/oauth"),
                ),
                ("token_request_method", "GET".to_string()),
                (
                    "token_url",
                    format!("https://graph.facebook.com/{version}/oauth/access_token"),
                ),
            ]);
        }
        IdentityProviderTypeType::LoginWithAmazon => {
            defaults.extend([
                (
                    "attributes_url",
                    "https://api.amazon.com/user/profile".to_string(),
                ),
                ("attributes_url_add_attributes", "false".to_string()),
                ("authorize_url", "https://www.amazon.com/ap/oa".to_string()),
                ("token_request_method", "POST".to_string()),
                (
                    "token_url",
                    "https://api.amazon.com/auth/o2/token".to_string(),
                ),
            ]);
        }
        IdentityProviderTypeType::SignInWithApple => {
            defaults.extend([
                ("attributes_url_add_attributes", "false".to_string()),
                (
                    "authorize_url",
                    "https://appleid.apple.com/auth/authorize".to_string(),
                ),
                ("oidc_issuer", "https://appleid.apple.com".to_string()),
                ("token_request_method", "POST".to_string()),
                (
                    "token_url",
                    "https://appleid.apple.com/auth/token".to_string(),
                ),
            ]);
        }
        IdentityProviderTypeType::Oidc => {
            check_oidc(&details)?;
            defaults.extend([
                ("attributes_request_method", "GET".to_string()),
                ("attributes_url_add_attributes", "false".to_string()),
            ]);
        }
        IdentityProviderTypeType::Saml => {
            metadata_source(&details)?;
            defaults.push(("IDPSignout", "false".to_string()));
        }
    }
    for (key, value) in defaults {
        details.entry(key.to_string()).or_insert(value);
    }
    Ok(details)
}

fn check_oidc(details: &ProviderDetailsType) -> Result<(), CognitoError> {
    if let Some(method) = details.get("attributes_request_method") {
        if method != "GET" && method != "POST" {
            return Err(invalid_parameter(
                "attributes_request_method must be GET or POST.",
            ));
        }
    }
    let issuer = details.get("oidc_issuer").map_or("", String::as_str);
    if !issuer.starts_with("https://") {
        return Err(invalid_parameter("oidc_issuer must be an https URL."));
    }
    for key in ["authorize_url", "token_url", "attributes_url", "jwks_uri"] {
        if details.get(key).is_some_and(|u| !u.starts_with("https://")) {
            return Err(invalid_parameter(format!("{key} must be an https URL.")));
        }
    }
    Ok(())
}

/// Where a SAML provider's metadata comes from.
enum MetadataSource<'d> {
    /// `MetadataFile`: the document itself.
    File(&'d str),
    /// `MetadataURL`: where to fetch it.
    Url(&'d str),
}

/// Checks a SAML provider's details and answers where its metadata comes from.
fn metadata_source(details: &ProviderDetailsType) -> Result<MetadataSource<'_>, CognitoError> {
    let source = match (details.get("MetadataFile"), details.get("MetadataURL")) {
        (Some(_), Some(_)) => {
            return Err(invalid_parameter(
                "Only one of MetadataFile and MetadataURL can be specified.",
            ))
        }
        (None, None) => {
            return Err(invalid_parameter(
                "At least one of the MetadataURL or MetadataFile should be provided.",
            ))
        }
        (Some(file), None) => MetadataSource::File(file),
        (None, Some(url)) => {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(invalid_parameter(
                    "MetadataURL must be an HTTP or HTTPS URL.",
                ));
            }
            MetadataSource::Url(url)
        }
    };
    for key in ["IDPSignout", "IDPInit", "EncryptedResponses"] {
        if details
            .get(key)
            .is_some_and(|v| v != "true" && v != "false")
        {
            return Err(invalid_parameter(format!("{key} must be true or false.")));
        }
    }
    if details
        .get("EncryptedResponses")
        .is_some_and(|v| v == "true")
    {
        return Err(invalid_parameter(
            "EncryptedResponses is not supported: encrypted SAML assertions cannot be decrypted.",
        ));
    }
    if details
        .get("RequestSigningAlgorithm")
        .is_some_and(|v| v != "rsa-sha256")
    {
        return Err(invalid_parameter(
            "RequestSigningAlgorithm must be rsa-sha256.",
        ));
    }
    Ok(source)
}

/// What a SAML provider's metadata adds to its details, and the document fetched from
/// its `MetadataURL`, to keep for its sign-ins.
struct SamlMetadata {
    /// The `SingleSignOnService` of the HTTP-Redirect binding.
    sso_redirect: Option<String>,
    /// The `SingleLogoutService` of the HTTP-Redirect binding.
    slo_redirect: Option<String>,
    /// The `MetadataURL` and the document fetched from it.
    fetched: Option<(String, String)>,
}

impl SamlMetadata {
    /// Writes the metadata's endpoints into `details`, in place of any given.
    fn apply(&self, details: &mut ProviderDetailsType) {
        for (key, value) in [
            ("SSORedirectBindingURI", &self.sso_redirect),
            ("SLORedirectBindingURI", &self.slo_redirect),
        ] {
            match value {
                Some(value) => details.insert(key.to_string(), value.clone()),
                None => details.remove(key),
            };
        }
    }

    /// Keeps the fetched document with `pool`, for provider `name`'s sign-ins.
    fn keep(self, pool: &mut PoolState, name: &str) {
        if let Some((url, document)) = self.fetched {
            pool.federations.keep_published(
                name,
                Published::SamlMetadata,
                &url,
                Value::String(document),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{create_pool, ctx, ctx_at, service};

    /// An identity provider's metadata with signing certificates valid from April 2024
    /// for ten years, written by `generate.py` beside it.
    const METADATA: &str = include_str!("../../../cognito-crypto/tests/saml/metadata.xml");

    fn details(pairs: &[(&str, &str)]) -> ProviderDetailsType {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn create(
        svc: &Cognito,
        pool: &str,
        name: &str,
        kind: IdentityProviderTypeType,
        provider_details: ProviderDetailsType,
    ) -> Result<IdentityProviderType, CognitoError> {
        svc.create_identity_provider(
            &ctx(),
            CreateIdentityProviderRequest {
                user_pool_id: pool.into(),
                provider_name: name.into(),
                provider_type: kind,
                provider_details,
                attribute_mapping: None,
                idp_identifiers: None,
                acr_mapping: None,
            },
        )
        .map(|r| r.identity_provider)
    }

    fn google() -> ProviderDetailsType {
        details(&[
            ("client_id", "1example.apps.googleusercontent.com"),
            ("client_secret", "secret"),
            ("authorize_scopes", "email profile openid"),
        ])
    }

    fn oidc() -> ProviderDetailsType {
        details(&[
            ("client_id", "client"),
            ("client_secret", "secret"),
            ("authorize_scopes", "openid email"),
            ("oidc_issuer", "https://auth.example.com"),
        ])
    }

    fn describe_idp(
        svc: &Cognito,
        pool: &str,
        name: &str,
    ) -> Result<IdentityProviderType, CognitoError> {
        svc.describe_identity_provider(
            &ctx(),
            DescribeIdentityProviderRequest {
                user_pool_id: pool.into(),
                provider_name: name.into(),
            },
        )
        .map(|r| r.identity_provider)
    }

    #[test]
    fn google_gets_cognito_defaults() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let created = create(
            &svc,
            &pool,
            "Google",
            IdentityProviderTypeType::Google,
            google(),
        )
        .unwrap();
        let d = created.provider_details.clone().unwrap();
        assert_eq!(
            d["authorize_url"],
            "https://accounts.google.com/o/oauth2/v2/auth"
        );
        assert_eq!(d["token_url"], "https://www.googleapis.com/oauth2/v4/token");
        assert_eq!(d["oidc_issuer"], "https://accounts.google.com");
        assert_eq!(d["attributes_url_add_attributes"], "true");
        assert_eq!(d["token_request_method"], "POST");
        assert_eq!(d["client_secret"], "secret");
        assert_eq!(
            created.attribute_mapping.as_ref().unwrap()["username"],
            "sub"
        );
        assert_eq!(created.idp_identifiers, Some(vec![]));
        assert_eq!(created.creation_date, Some(ctx().now));
        assert_eq!(describe_idp(&svc, &pool, "Google").unwrap(), created);
    }

    #[test]
    fn social_providers_use_their_own_names() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let err = create(
            &svc,
            &pool,
            "MyGoogle",
            IdentityProviderTypeType::Google,
            google(),
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        assert_eq!(err.message, "Provider MyGoogle cannot be of type Google.");
        let err = create(
            &svc,
            &pool,
            "Facebook",
            IdentityProviderTypeType::Oidc,
            oidc(),
        )
        .unwrap_err();
        assert_eq!(err.message, "Provider Facebook cannot be of type OIDC.");
        let err = create(
            &svc,
            &pool,
            "COGNITO",
            IdentityProviderTypeType::Oidc,
            oidc(),
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
    }

    #[test]
    fn required_details_per_type() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let cases = [
            (
                IdentityProviderTypeType::Google,
                "Google",
                details(&[("client_id", "a"), ("authorize_scopes", "email")]),
            ),
            (
                IdentityProviderTypeType::Facebook,
                "Facebook",
                details(&[("client_id", "a"), ("client_secret", "b")]),
            ),
            (
                IdentityProviderTypeType::SignInWithApple,
                "SignInWithApple",
                details(&[
                    ("client_id", "a"),
                    ("team_id", "t"),
                    ("key_id", "k"),
                    ("authorize_scopes", "email"),
                ]),
            ),
            (
                IdentityProviderTypeType::Oidc,
                "Corp",
                details(&[("client_id", "a"), ("authorize_scopes", "openid")]),
            ),
            (
                IdentityProviderTypeType::Oidc,
                "Corp",
                details(&[
                    ("client_id", "a"),
                    ("authorize_scopes", "openid"),
                    ("oidc_issuer", "http://insecure.example.com"),
                ]),
            ),
            (
                IdentityProviderTypeType::Oidc,
                "Corp",
                details(&[
                    ("client_id", "a"),
                    ("authorize_scopes", "openid"),
                    ("oidc_issuer", "https://ok.example.com"),
                    ("attributes_request_method", "PUT"),
                ]),
            ),
            (IdentityProviderTypeType::Saml, "Corp", details(&[])),
            (
                IdentityProviderTypeType::Saml,
                "Corp",
                details(&[("MetadataFile", "not xml")]),
            ),
            (
                IdentityProviderTypeType::Saml,
                "Corp",
                details(&[
                    ("MetadataFile", METADATA),
                    ("MetadataURL", "https://idp.example.com/md"),
                ]),
            ),
            (
                IdentityProviderTypeType::Saml,
                "Corp",
                details(&[
                    ("MetadataURL", "https://idp.example.com/md"),
                    ("RequestSigningAlgorithm", "rsa-sha1"),
                ]),
            ),
        ];
        for (kind, name, d) in cases {
            let err = create(&svc, &pool, name, kind, d.clone()).unwrap_err();
            assert_eq!(
                err.kind,
                ErrorKind::InvalidParameterException,
                "{kind:?} {d:?}"
            );
        }
    }

    #[test]
    fn oidc_keeps_its_endpoints_and_defaults_the_method() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let mut d = oidc();
        d.insert("jwks_uri".into(), "https://auth.example.com/jwks".into());
        let created = create(&svc, &pool, "Corp", IdentityProviderTypeType::Oidc, d).unwrap();
        let d = created.provider_details.unwrap();
        assert_eq!(d["attributes_request_method"], "GET");
        assert_eq!(d["attributes_url_add_attributes"], "false");
        assert_eq!(d["jwks_uri"], "https://auth.example.com/jwks");
        assert!(!d.contains_key("authorize_url"));
    }

    #[test]
    fn facebook_and_amazon_endpoints() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let mut fb = google();
        fb.insert("api_version".into(), "v18.0".into());
        let d = create(
            &svc,
            &pool,
            "Facebook",
            IdentityProviderTypeType::Facebook,
            fb,
        )
        .unwrap()
        .provider_details
        .unwrap();
        assert_eq!(
            d["authorize_url"],
            "https://www.facebook.com/v18.0/dialog/oauth"
        );
        assert_eq!(d["token_request_method"], "GET");
        let created = create(
            &svc,
            &pool,
            "LoginWithAmazon",
            IdentityProviderTypeType::LoginWithAmazon,
            google(),
        )
        .unwrap();
        assert_eq!(
            created.provider_details.unwrap()["token_url"],
            "https://api.amazon.com/auth/o2/token"
        );
        assert_eq!(created.attribute_mapping.unwrap()["username"], "user_id");
    }

    #[test]
    fn apple_keeps_its_private_key_to_itself() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let apple = details(&[
            ("client_id", "com.example.app"),
            ("team_id", "TEAM"),
            ("key_id", "KEY"),
            ("private_key", "-----BEGIN PRIVATE KEY-----"),
            ("authorize_scopes", "email name"),
        ]);
        let created = create(
            &svc,
            &pool,
            "SignInWithApple",
            IdentityProviderTypeType::SignInWithApple,
            apple,
        )
        .unwrap();
        let d = created.provider_details.unwrap();
        assert!(!d.contains_key("private_key"));
        assert_eq!(d["oidc_issuer"], "https://appleid.apple.com");
        // An update may leave the key out: the stored one stays.
        let mut without_key = d.clone();
        without_key.insert("key_id".into(), "KEY2".into());
        svc.update_identity_provider(
            &ctx(),
            UpdateIdentityProviderRequest {
                user_pool_id: pool.clone(),
                provider_name: "SignInWithApple".into(),
                provider_details: Some(without_key),
                ..Default::default()
            },
        )
        .unwrap();
        let p = svc.pool(&ctx(), &pool).unwrap();
        let stored = p
            .read()
            .identity_providers
            .get("SignInWithApple")
            .unwrap()
            .clone();
        let stored = stored.provider_details.unwrap();
        assert_eq!(stored["private_key"], "-----BEGIN PRIVATE KEY-----");
        assert_eq!(stored["key_id"], "KEY2");
    }

    #[test]
    fn saml_metadata_file_yields_endpoints() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let created = create(
            &svc,
            &pool,
            "Corp",
            IdentityProviderTypeType::Saml,
            details(&[
                ("MetadataFile", METADATA),
                ("SSORedirectBindingURI", "https://stale.example.com/sso"),
            ]),
        )
        .unwrap();
        let d = created.provider_details.unwrap();
        assert_eq!(
            d["SSORedirectBindingURI"],
            "https://idp.example.com/saml/sso?tenant=example"
        );
        assert_eq!(
            d["SLORedirectBindingURI"],
            "https://idp.example.com/saml/slo"
        );
        assert_eq!(d["IDPSignout"], "false");
        assert!(!created.attribute_mapping.unwrap().contains_key("username"));
    }

    #[test]
    fn saml_metadata_must_name_signing_certificates_not_expired() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let unsigned = METADATA
            .split("<md:KeyDescriptor")
            .next()
            .map(|head| {
                let tail = METADATA.rsplit("</md:KeyDescriptor>").next().unwrap();
                format!("{head}{tail}")
            })
            .unwrap();
        let err = create(
            &svc,
            &pool,
            "Corp",
            IdentityProviderTypeType::Saml,
            details(&[("MetadataFile", &unsigned)]),
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        assert_eq!(
            err.message,
            "Invalid SAML metadata: the metadata has no signing certificate."
        );

        // 2035-01-01: the certificates ended in 2034.
        let err = svc
            .create_identity_provider(
                &ctx_at(2_051_222_400),
                CreateIdentityProviderRequest {
                    user_pool_id: pool.clone(),
                    provider_name: "Corp".into(),
                    provider_type: IdentityProviderTypeType::Saml,
                    provider_details: details(&[("MetadataFile", METADATA)]),
                    attribute_mapping: None,
                    idp_identifiers: None,
                    acr_mapping: None,
                },
            )
            .unwrap_err();
        assert_eq!(
            err.message,
            "Invalid SAML metadata: a signing certificate in the metadata has expired."
        );

        let err = create(
            &svc,
            &pool,
            "Corp",
            IdentityProviderTypeType::Saml,
            details(&[("MetadataFile", METADATA), ("EncryptedResponses", "true")]),
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        assert!(err
            .message
            .starts_with("EncryptedResponses is not supported"));
    }

    /// Serves one metadata document at one URL, counting the requests.
    struct MetadataHost {
        url: &'static str,
        requests: std::sync::atomic::AtomicUsize,
    }

    impl crate::upstream::Upstream for MetadataHost {
        fn send(
            &self,
            request: &crate::upstream::UpstreamRequest,
        ) -> Result<crate::upstream::UpstreamResponse, crate::upstream::UpstreamError> {
            self.requests
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let status = if request.url == self.url { 200 } else { 404 };
            Ok(crate::upstream::UpstreamResponse {
                status,
                headers: vec![("Content-Type".into(), "application/xml".into())],
                body: METADATA.as_bytes().to_vec(),
            })
        }
    }

    #[test]
    fn saml_metadata_url_is_fetched_when_the_provider_is_saved() {
        let host = std::sync::Arc::new(MetadataHost {
            url: "https://idp.example.com/metadata",
            requests: Default::default(),
        });
        let svc = service().with_upstream(host.clone());
        let pool = create_pool(&svc, "p").id.unwrap();
        let err = create(
            &svc,
            &pool,
            "Corp",
            IdentityProviderTypeType::Saml,
            details(&[("MetadataURL", "https://idp.example.com/missing")]),
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        assert_eq!(
            err.message,
            "Non-ok status code 404 returned from remote metadata source https://idp.example.com/missing"
        );
        let created = create(
            &svc,
            &pool,
            "Corp",
            IdentityProviderTypeType::Saml,
            details(&[("MetadataURL", host.url)]),
        )
        .unwrap();
        let d = created.provider_details.unwrap();
        assert_eq!(d["MetadataURL"], host.url);
        assert_eq!(
            d["SSORedirectBindingURI"],
            "https://idp.example.com/saml/sso?tenant=example"
        );
        let kept = svc
            .store
            .read(&pool, |p| {
                Ok(p.federations
                    .published("Corp", Published::SamlMetadata, host.url)
                    .cloned())
            })
            .unwrap();
        assert_eq!(kept, Some(Value::String(METADATA.into())));

        // An update with new details fetches the document again.
        svc.update_identity_provider(
            &ctx(),
            UpdateIdentityProviderRequest {
                user_pool_id: pool.clone(),
                provider_name: "Corp".into(),
                provider_details: Some(details(&[("MetadataURL", host.url), ("IDPInit", "true")])),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(host.requests.load(std::sync::atomic::Ordering::SeqCst), 3);
    }

    #[test]
    fn names_and_identifiers_are_unique() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        create(
            &svc,
            &pool,
            "Google",
            IdentityProviderTypeType::Google,
            google(),
        )
        .unwrap();
        let err = create(
            &svc,
            &pool,
            "Google",
            IdentityProviderTypeType::Google,
            google(),
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::DuplicateProviderException);
        assert_eq!(
            err.message,
            format!("Google already exists in user pool {pool}")
        );

        let with_ids = |name: &str, ids: &[&str]| {
            svc.create_identity_provider(
                &ctx(),
                CreateIdentityProviderRequest {
                    user_pool_id: pool.clone(),
                    provider_name: name.into(),
                    provider_type: IdentityProviderTypeType::Oidc,
                    provider_details: oidc(),
                    attribute_mapping: None,
                    idp_identifiers: Some(ids.iter().map(|s| s.to_string()).collect()),
                    acr_mapping: None,
                },
            )
        };
        with_ids("CorpA", &["corp.example.com", "corp"]).unwrap();
        let err = with_ids("CorpB", &["corp"]).unwrap_err();
        assert_eq!(err.kind, ErrorKind::DuplicateProviderException);
        let err = with_ids("CorpC", &["x", "x"]).unwrap_err();
        assert_eq!(err.kind, ErrorKind::DuplicateProviderException);

        let found = svc
            .get_identity_provider_by_identifier(
                &ctx(),
                GetIdentityProviderByIdentifierRequest {
                    user_pool_id: pool.clone(),
                    idp_identifier: "corp".into(),
                },
            )
            .unwrap()
            .identity_provider;
        assert_eq!(found.provider_name.as_deref(), Some("CorpA"));
        let err = svc
            .get_identity_provider_by_identifier(
                &ctx(),
                GetIdentityProviderByIdentifierRequest {
                    user_pool_id: pool.clone(),
                    idp_identifier: "nobody".into(),
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);

        // A provider may keep its own identifiers on update.
        svc.update_identity_provider(
            &ctx(),
            UpdateIdentityProviderRequest {
                user_pool_id: pool,
                provider_name: "CorpA".into(),
                idp_identifiers: Some(vec!["corp".into()]),
                ..Default::default()
            },
        )
        .unwrap();
    }

    #[test]
    fn attribute_mapping_names_pool_attributes() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let with_mapping = |mapping: &[(&str, &str)]| {
            svc.create_identity_provider(
                &ctx(),
                CreateIdentityProviderRequest {
                    user_pool_id: pool.clone(),
                    provider_name: "Google".into(),
                    provider_type: IdentityProviderTypeType::Google,
                    provider_details: google(),
                    attribute_mapping: Some(details(mapping)),
                    idp_identifiers: None,
                    acr_mapping: None,
                },
            )
        };
        let err = with_mapping(&[("favourite_colour", "colour")]).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        let created = with_mapping(&[("email", "email"), ("username", "email")])
            .unwrap()
            .identity_provider;
        let mapping = created.attribute_mapping.unwrap();
        assert_eq!(mapping["email"], "email");
        assert_eq!(mapping["username"], "email");
    }

    #[test]
    fn update_and_delete() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        create(&svc, &pool, "Corp", IdentityProviderTypeType::Oidc, oidc()).unwrap();
        let later = ctx_at(1_700_000_900);
        let mut d = oidc();
        d.insert("attributes_request_method".into(), "POST".into());
        let updated = svc
            .update_identity_provider(
                &later,
                UpdateIdentityProviderRequest {
                    user_pool_id: pool.clone(),
                    provider_name: "Corp".into(),
                    provider_details: Some(d),
                    attribute_mapping: Some(details(&[("email", "mail")])),
                    ..Default::default()
                },
            )
            .unwrap()
            .identity_provider;
        assert_eq!(
            updated.provider_details.unwrap()["attributes_request_method"],
            "POST"
        );
        assert_eq!(updated.attribute_mapping.unwrap()["username"], "sub");
        assert_eq!(updated.last_modified_date, Some(later.now));
        assert_eq!(updated.creation_date, Some(ctx().now));

        let err = svc
            .update_identity_provider(
                &ctx(),
                UpdateIdentityProviderRequest {
                    user_pool_id: pool.clone(),
                    provider_name: "Corp".into(),
                    provider_details: Some(details(&[("client_id", "x")])),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);

        let delete = || {
            svc.delete_identity_provider(
                &ctx(),
                DeleteIdentityProviderRequest {
                    user_pool_id: pool.clone(),
                    provider_name: "Corp".into(),
                },
            )
        };
        delete().unwrap();
        assert_eq!(
            delete().unwrap_err().kind,
            ErrorKind::ResourceNotFoundException
        );
        assert_eq!(
            describe_idp(&svc, &pool, "Corp").unwrap_err().kind,
            ErrorKind::ResourceNotFoundException
        );
    }

    #[test]
    fn list_pages_through_every_provider_once() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let names = ["CorpA", "CorpB", "CorpC", "CorpD", "CorpE"];
        for name in names.iter().rev() {
            create(&svc, &pool, name, IdentityProviderTypeType::Oidc, oidc()).unwrap();
        }
        let mut seen = Vec::new();
        let mut token = None;
        loop {
            let page = svc
                .list_identity_providers(
                    &ctx(),
                    ListIdentityProvidersRequest {
                        user_pool_id: pool.clone(),
                        max_results: Some(2),
                        next_token: token,
                    },
                )
                .unwrap();
            assert!(page.providers.len() <= 2);
            for p in &page.providers {
                assert_eq!(p.provider_type, Some(IdentityProviderTypeType::Oidc));
            }
            seen.extend(page.providers.into_iter().map(|p| p.provider_name.unwrap()));
            token = page.next_token;
            if token.is_none() {
                break;
            }
        }
        assert_eq!(seen, names);
    }

    #[test]
    fn a_page_holds_fifty_providers_at_most() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        for i in 0..55 {
            let name = format!("Corp{i:02}");
            create(&svc, &pool, &name, IdentityProviderTypeType::Oidc, oidc()).unwrap();
        }
        let list = |max_results, next_token| {
            svc.list_identity_providers(
                &ctx(),
                ListIdentityProvidersRequest {
                    user_pool_id: pool.clone(),
                    max_results,
                    next_token,
                },
            )
            .unwrap()
        };
        for max_results in [None, Some(60)] {
            let first = list(max_results, None);
            assert_eq!(first.providers.len(), 50);
            let rest = list(max_results, first.next_token);
            assert_eq!(rest.providers.len(), 5);
            assert_eq!(rest.next_token, None);
        }
    }
}
