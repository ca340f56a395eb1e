//! Federated users: what an identity provider vouched for becomes a user of the pool.
//!
//! The `InboundFederation` trigger may first replace the provider's attributes
//! (`userAttributesToMap`; an empty answer keeps them). The provider's
//! `AttributeMapping` then names the pool attribute each provider attribute fills. An
//! identity linked to a user of the pool (`AdminLinkProviderForUser`) signs in as that
//! user; otherwise it is the user `<ProviderName>_<id at the provider>`, created with
//! the status `EXTERNAL_PROVIDER` and the `identities` attribute on its first sign-in
//! (after `PreSignUp_ExternalProvider`), and whose mapped attributes follow the
//! provider's at each sign-in after. A mapped email or phone number is unverified
//! unless the mapping or the `PreSignUp` function says otherwise.
//!
//! Every protocol (OAuth 2.0 and OpenID Connect here, SAML 2.0 too) ends in
//! [`Cognito::federated_user`] with the [`FederatedIdentity`] it verified.

use std::collections::BTreeMap;

use cognito_model::shapes::{
    AttributeMappingType, AttributeType, IdentityProviderTypeType, UserStatusType,
};
use cognito_model::{CognitoError, ErrorKind, Timestamp};
use serde_json::{json, Map, Value};

use super::oidc::attribute_text;
use crate::errors::not_authorized;
use crate::lambda::Trigger;
use crate::ops::sign_up_triggers::{PreSignUp, SigningUp};
use crate::ops::users::rules::{check_attributes, AttributeWrite};
use crate::ops::users::{user_not_found, User};
use crate::store::PoolState;
use crate::triggers::Event;
use crate::{ids, Cognito, RequestContext};

/// Pool attributes a provider's mapping never writes: the service keeps them.
const UNMAPPED: &[&str] = &["username", "sub", "identities"];

/// An identity a provider vouched for, verified.
#[derive(Debug, Clone)]
pub(crate) struct FederatedIdentity {
    /// The provider, by name.
    pub(crate) provider_name: String,
    /// Its type.
    pub(crate) provider_type: IdentityProviderTypeType,
    /// The user's id at the provider (`userId` in `identities`).
    pub(crate) subject: String,
    /// The `issuer` of `identities`: a SAML provider's entity id; none for OAuth
    /// providers, as Cognito records them.
    pub(crate) issuer: Option<String>,
    /// The provider's attributes by the provider's names, as text.
    pub(crate) attributes: BTreeMap<String, String>,
    /// `request.attributes` of the `InboundFederation` event: what the provider sent,
    /// undigested (`tokenResponse`, `idToken`, `userInfo`; `samlResponse`).
    pub(crate) raw: Map<String, Value>,
}

/// Who an identity signs in as.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// The pool's user the identity is linked to, by key.
    Linked(String),
    /// The federated user of an earlier sign-in, by key.
    Returning(String),
    /// A federated user to create.
    New,
}

/// Who `identity`, as user `username`, signs in as in `pool`.
fn target(
    pool: &PoolState,
    identity: &FederatedIdentity,
    username: &str,
) -> Result<Target, CognitoError> {
    let link = (identity.provider_name.clone(), identity.subject.clone());
    if let Some(key) = pool.users.linked_user(&link) {
        if pool.users.contains(key) {
            return Ok(Target::Linked(key.clone()));
        }
    }
    let key = pool.user_key(username);
    match pool.users.get(&key) {
        None => Ok(Target::New),
        Some(user) if user.status == UserStatusType::ExternalProvider => Ok(Target::Returning(key)),
        Some(_) => Err(CognitoError::new(
            ErrorKind::UsernameExistsException,
            "User account already exists",
        )),
    }
}

/// The pool attributes `mapping` fills from the provider's `attributes`.
fn map_attributes(
    mapping: &AttributeMappingType,
    attributes: &BTreeMap<String, String>,
) -> Vec<(String, String)> {
    mapping
        .iter()
        .filter(|(pool_attribute, _)| !UNMAPPED.contains(&pool_attribute.as_str()))
        .filter_map(|(pool_attribute, claim)| {
            attributes
                .get(claim)
                .map(|value| (pool_attribute.clone(), value.clone()))
        })
        .collect()
}

/// Marks the email and phone number of `mapped` unverified where the mapping says
/// nothing of their verification and `changed` says they are new.
fn unverified_unless_mapped(mapped: &mut Vec<(String, String)>, changed: impl Fn(&str) -> bool) {
    for (attribute, flag) in [
        ("email", "email_verified"),
        ("phone_number", "phone_number_verified"),
    ] {
        let has = |name: &str| mapped.iter().any(|(n, _)| n == name);
        if has(attribute) && !has(flag) && changed(attribute) {
            mapped.push((flag.to_owned(), "false".to_owned()));
        }
    }
}

fn attribute_types(attributes: &[(String, String)]) -> Vec<AttributeType> {
    attributes
        .iter()
        .map(|(name, value)| AttributeType {
            name: name.clone(),
            value: Some(value.clone()),
        })
        .collect()
}

/// The `identities` attribute of a user created by federation, as Cognito writes it.
fn identities(identity: &FederatedIdentity, now: Timestamp) -> String {
    json!([{
        "userId": identity.subject,
        "providerName": identity.provider_name,
        "providerType": identity.provider_type.as_str(),
        "issuer": identity.issuer,
        "primary": true,
        "dateCreated": now.millis(),
    }])
    .to_string()
}

impl Cognito {
    /// The user `identity` signs in as in pool `pool_id` through `client_id`, created or
    /// brought up to date with the provider's attributes; answers its username.
    pub(crate) fn federated_user(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        client_id: &str,
        mut identity: FederatedIdentity,
    ) -> Result<String, CognitoError> {
        let username = format!("{}_{}", identity.provider_name, identity.subject);
        if let Some(arn) = self.function_of(pool_id, Trigger::InboundFederation) {
            if let Some(attributes) =
                self.inbound_federation(ctx, pool_id, client_id, &username, &identity, &arn)?
            {
                identity.attributes = attributes;
            }
        }
        let (mapping, found) = self.store.read(pool_id, |pool| {
            let mapping = pool
                .identity_providers
                .get(&identity.provider_name)
                .and_then(|p| p.attribute_mapping.clone())
                .unwrap_or_default();
            Ok((mapping, target(pool, &identity, &username)?))
        })?;
        let mut mapped = map_attributes(&mapping, &identity.attributes);
        if found == Target::New {
            unverified_unless_mapped(&mut mapped, |_| true);
            let decided = self.pre_sign_up(
                ctx,
                pool_id,
                SigningUp {
                    source: "PreSignUp_ExternalProvider",
                    username: &username,
                    // The event names the user by its username in every pool.
                    sub: &username,
                    client_id: Some(client_id),
                    attributes: Some(&attribute_types(&mapped)),
                    validation_data: None,
                    client_metadata: None,
                },
            )?;
            verify_as_decided(&mut mapped, decided);
        }
        self.store.update(pool_id, |pool| {
            match (target(pool, &identity, &username)?, &found) {
                (Target::Linked(key) | Target::Returning(key), _) => {
                    update_user(pool, &key, mapped, ctx.now)
                }
                (Target::New, Target::New) => {
                    let sub = ids::uuid_v4(&*self.random);
                    create_user(pool, &identity, username, sub, mapped, ctx.now)
                }
                // The user was deleted while the sign-in ran.
                (Target::New, _) => Err(user_not_found()),
            }
        })
    }

    /// Runs the pool's `InboundFederation` function `arn` on `identity`: answers the
    /// attributes it returns in place of the provider's, or `None` to keep them.
    fn inbound_federation(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        client_id: &str,
        username: &str,
        identity: &FederatedIdentity,
        arn: &str,
    ) -> Result<Option<BTreeMap<String, String>>, CognitoError> {
        let trigger = Trigger::InboundFederation;
        let event = Event::new(
            trigger,
            "InboundFederation_ExternalProvider",
            ctx,
            pool_id,
            username,
            Some(client_id),
        )
        .request("providerName", identity.provider_name.as_str())
        .request("providerType", identity.provider_type.as_str())
        .request("attributes", Value::Object(identity.raw.clone()))
        .response("userAttributesToMap", Map::new());
        let response = self.invoke(arn, &event, ctx.now)?;
        match response.get("userAttributesToMap") {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(map)) if map.is_empty() => Ok(None),
            Some(Value::Object(map)) => Ok(Some(
                map.iter()
                    .filter_map(|(k, v)| attribute_text(v).map(|t| (k.clone(), t)))
                    .collect(),
            )),
            Some(_) => Err(trigger.invalid_response("userAttributesToMap is not an object")),
        }
    }
}

/// Verifies the email and phone number of a new user where its `PreSignUp` function
/// said so.
fn verify_as_decided(mapped: &mut [(String, String)], decided: PreSignUp) {
    for (flag, verify) in [
        ("email_verified", decided.verify_email),
        ("phone_number_verified", decided.verify_phone),
    ] {
        if !verify {
            continue;
        }
        for (name, value) in mapped.iter_mut() {
            if name == flag {
                *value = "true".into();
            }
        }
    }
}

/// Creates the federated user `username` of `identity`, with the attributes `mapped`.
fn create_user(
    pool: &mut PoolState,
    identity: &FederatedIdentity,
    username: String,
    sub: String,
    mapped: Vec<(String, String)>,
    now: Timestamp,
) -> Result<String, CognitoError> {
    let mut attributes = check_attributes(
        &pool.config,
        &attribute_types(&mapped),
        AttributeWrite::Create,
    )?;
    pool.fold_aliases(&mut attributes);
    attributes.push(("identities".to_owned(), identities(identity, now)));
    let key = pool.user_key(&username);
    let user = User::new(
        username.clone(),
        sub,
        attributes.into_iter().collect(),
        UserStatusType::ExternalProvider,
        now,
    );
    pool.users.insert(key, user);
    Ok(username)
}

/// Brings the user with `key` up to date with the attributes `mapped`: those that
/// changed are written, each as an update must be (immutable ones cannot change).
fn update_user(
    pool: &mut PoolState,
    key: &str,
    mut mapped: Vec<(String, String)>,
    now: Timestamp,
) -> Result<String, CognitoError> {
    let user = pool.users.get(key).ok_or_else(user_not_found)?;
    if !user.enabled {
        return Err(not_authorized("User is disabled."));
    }
    let username = user.username.clone();
    let changed: Vec<&str> = ["email", "phone_number"]
        .into_iter()
        .filter(|name| mapped_value(&mapped, name).is_some_and(|v| user.attribute(name) != Some(v)))
        .collect();
    unverified_unless_mapped(&mut mapped, |name| changed.contains(&name));
    mapped.retain(|(name, value)| user.attribute(name) != Some(value.as_str()));
    if mapped.is_empty() {
        return Ok(username);
    }
    let mut changed = check_attributes(
        &pool.config,
        &attribute_types(&mapped),
        AttributeWrite::Update,
    )?;
    pool.fold_aliases(&mut changed);
    pool.users.update(key, |u| {
        for (name, value) in changed {
            u.attributes.insert(name, value);
        }
        u.modified = now;
    });
    Ok(username)
}

fn mapped_value<'m>(mapped: &'m [(String, String)], name: &str) -> Option<&'m str> {
    mapped
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}
