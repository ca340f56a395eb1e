//! Links between native users and identities at external providers:
//! `AdminLinkProviderForUser` and `AdminDisableProviderForUser`.
//!
//! A link is recorded twice: in the user's `identities` attribute, as Cognito shows it
//! (a JSON array of `{userId, providerName, providerType, issuer, primary, dateCreated}`),
//! and in the pool's link index from (provider, user id at the provider) to the user's key,
//! which federated sign-in reads.

use cognito_model::shapes::*;
use cognito_model::{CognitoError, ErrorKind};
use serde_json::{json, Value};

use super::user_not_found;
use crate::errors::invalid_parameter;
use crate::{Cognito, RequestContext};

/// At most this many identities may be linked to one user.
const MAX_LINKS: usize = 5;

fn identities(raw: Option<&str>) -> Vec<Value> {
    raw.and_then(|r| serde_json::from_str::<Vec<Value>>(r).ok())
        .unwrap_or_default()
}

impl Cognito {
    pub(crate) fn admin_link_provider_for_user(
        &self,
        ctx: &RequestContext,
        input: AdminLinkProviderForUserRequest,
    ) -> Result<AdminLinkProviderForUserResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
        let dest = &input.destination_user;
        if dest.provider_name.as_deref() != Some("Cognito") {
            return Err(invalid_parameter(
                "DestinationUser ProviderName must be Cognito.",
            ));
        }
        let dest_name = dest.provider_attribute_value.as_deref().ok_or_else(|| {
            invalid_parameter("DestinationUser ProviderAttributeValue is required.")
        })?;
        let source = &input.source_user;
        let provider = source
            .provider_name
            .clone()
            .ok_or_else(|| invalid_parameter("SourceUser ProviderName is required."))?;
        let provider_user = source
            .provider_attribute_value
            .clone()
            .ok_or_else(|| invalid_parameter("SourceUser ProviderAttributeValue is required."))?;
        let provider_type = pool
            .identity_providers
            .get(&provider)
            .and_then(|p| p.provider_type)
            .ok_or_else(|| invalid_parameter(format!("Provider {provider} does not exist.")))?;
        let attribute_name = source
            .provider_attribute_name
            .as_deref()
            .unwrap_or("Cognito_Subject");
        if provider_type != IdentityProviderTypeType::Saml && attribute_name != "Cognito_Subject" {
            return Err(invalid_parameter(
                "SourceUser ProviderAttributeName must be Cognito_Subject for social and OIDC providers.",
            ));
        }
        let key = pool.user_key_of(dest_name)?;
        let link = (provider.clone(), provider_user.clone());
        match pool.users.linked_user(&link) {
            Some(existing) if *existing == key => return Ok(AdminLinkProviderForUserResponse {}),
            Some(_) => {
                return Err(CognitoError::new(
                    ErrorKind::AliasExistsException,
                    "The source user is already linked to another user.",
                ))
            }
            None => {}
        }
        let user = pool.users.get(&key).ok_or_else(user_not_found)?;
        if user.status == UserStatusType::ExternalProvider {
            return Err(invalid_parameter(
                "The destination user must be a native Cognito user.",
            ));
        }
        let mut list = identities(user.attribute("identities"));
        if list.len() >= MAX_LINKS {
            return Err(CognitoError::new(
                ErrorKind::LimitExceededException,
                format!("A user can be linked to at most {MAX_LINKS} identities."),
            ));
        }
        list.push(json!({
            "userId": provider_user,
            "providerName": provider,
            "providerType": provider_type.as_str(),
            "issuer": null,
            "primary": "false",
            "dateCreated": ctx.now.millis().to_string(),
        }));
        let text = Value::Array(list).to_string();
        pool.users.update(&key, |u| {
            u.attributes.insert("identities".into(), text);
            u.modified = ctx.now;
        });
        pool.users.link(link, key);
        Ok(AdminLinkProviderForUserResponse {})
        })
    }

    pub(crate) fn admin_disable_provider_for_user(
        &self,
        ctx: &RequestContext,
        input: AdminDisableProviderForUserRequest,
    ) -> Result<AdminDisableProviderForUserResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            let provider = input
                .user
                .provider_name
                .clone()
                .ok_or_else(|| invalid_parameter("User ProviderName is required."))?;
            let provider_user = input
                .user
                .provider_attribute_value
                .clone()
                .ok_or_else(|| invalid_parameter("User ProviderAttributeValue is required."))?;
            let link = (provider.clone(), provider_user.clone());
            if let Some(key) = pool.users.unlink(&link) {
                pool.users.update(&key, |u| {
                    let kept: Vec<Value> = identities(u.attributes.get("identities"))
                        .into_iter()
                        .filter(|i| {
                            i["providerName"] != provider.as_str()
                                || i["userId"] != provider_user.as_str()
                        })
                        .collect();
                    if kept.is_empty() {
                        u.attributes.remove("identities");
                    } else {
                        u.attributes
                            .insert("identities".into(), Value::Array(kept).to_string());
                    }
                    u.modified = ctx.now;
                });
                return Ok(AdminDisableProviderForUserResponse {});
            }
            // A user created by federated sign-in is named `<provider>_<id>`.
            let key = pool.user_key(&format!("{provider}_{provider_user}"));
            pool.users
                .update(&key, |u| {
                    u.enabled = false;
                    u.modified = ctx.now;
                })
                .ok_or_else(user_not_found)?;
            Ok(AdminDisableProviderForUserResponse {})
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{create_pool, ctx, service};

    fn identity(
        provider: Option<&str>,
        name: Option<&str>,
        value: &str,
    ) -> ProviderUserIdentifierType {
        ProviderUserIdentifierType {
            provider_name: provider.map(Into::into),
            provider_attribute_name: name.map(Into::into),
            provider_attribute_value: Some(value.into()),
        }
    }

    #[test]
    fn link_and_unlink() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        svc.create_identity_provider(
            &ctx(),
            CreateIdentityProviderRequest {
                user_pool_id: pool.clone(),
                provider_name: "Google".into(),
                provider_type: IdentityProviderTypeType::Google,
                provider_details: [
                    ("client_id".to_string(), "id".to_string()),
                    ("client_secret".to_string(), "secret".to_string()),
                    ("authorize_scopes".to_string(), "email".to_string()),
                ]
                .into(),
                attribute_mapping: None,
                idp_identifiers: None,
                acr_mapping: None,
            },
        )
        .unwrap();
        svc.admin_create_user(
            &ctx(),
            AdminCreateUserRequest {
                user_pool_id: pool.clone(),
                username: "alice".into(),
                message_action: Some(MessageActionType::Suppress),
                ..Default::default()
            },
        )
        .unwrap();
        let link = |dest: &str, source: ProviderUserIdentifierType| {
            svc.admin_link_provider_for_user(
                &ctx(),
                AdminLinkProviderForUserRequest {
                    user_pool_id: pool.clone(),
                    destination_user: identity(Some("Cognito"), None, dest),
                    source_user: source,
                },
            )
        };
        link(
            "alice",
            identity(Some("Google"), Some("Cognito_Subject"), "g-123"),
        )
        .unwrap();
        let err = link(
            "alice",
            identity(Some("Nope"), Some("Cognito_Subject"), "1"),
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        let err = link(
            "nobody",
            identity(Some("Google"), Some("Cognito_Subject"), "g-9"),
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::UserNotFoundException);

        let identities_of = || {
            svc.admin_get_user(
                &ctx(),
                AdminGetUserRequest {
                    user_pool_id: pool.clone(),
                    username: "alice".into(),
                },
            )
            .unwrap()
            .user_attributes
            .unwrap()
            .into_iter()
            .find(|a| a.name == "identities")
            .and_then(|a| a.value)
        };
        let text = identities_of().unwrap();
        let parsed: Vec<Value> = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed[0]["userId"], "g-123");
        assert_eq!(parsed[0]["providerType"], "Google");

        svc.admin_disable_provider_for_user(
            &ctx(),
            AdminDisableProviderForUserRequest {
                user_pool_id: pool.clone(),
                user: identity(Some("Google"), Some("Cognito_Subject"), "g-123"),
            },
        )
        .unwrap();
        assert_eq!(identities_of(), None);
        let err = svc
            .admin_disable_provider_for_user(
                &ctx(),
                AdminDisableProviderForUserRequest {
                    user_pool_id: pool,
                    user: identity(Some("Google"), Some("Cognito_Subject"), "g-123"),
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::UserNotFoundException);
    }
}
