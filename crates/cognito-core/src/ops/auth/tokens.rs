//! Keys and tokens: each pool's RSA signing key, the RS256 access and ID tokens Cognito
//! issues, opaque refresh tokens, and the checks every access-token operation makes.
//!
//! A pool's key is made on first use (the first token, JWKS or certificate request), not
//! at `CreateUserPool`: generating RSA-2048 costs hundreds of milliseconds, and most
//! pools in tests never sign anything. Its `kid` never changes afterwards.
//!
//! Refresh tokens are random and opaque, as Cognito's are to clients; the pool keeps only
//! their SHA-256 hashes. Each sign-in has an *origin* (`origin_jti`): revoking a refresh
//! token revokes its origin, and with it every access and ID token issued from it.

use std::sync::Arc;

use cognito_crypto::jwt::{danger_decode_unverified, SigningKey};
use cognito_model::shapes::{
    AuthenticationResultType, IssuerType, NewDeviceMetadataType,
    PreTokenGenerationLambdaVersionType, TimeUnitsType, UserPoolClientType,
};
use cognito_model::{CognitoError, ErrorKind, Timestamp};
use serde_json::{json, Map, Value};

use super::token_triggers::{TokenSource, TokenTriggers};
use crate::lambda::Trigger;
use crate::ops::users::User;
use crate::state::grants::{new_refresh_token, NewGrant};
use crate::state::sign_in::Methods;
use crate::store::PoolState;
use crate::triggers::user_attributes;
use crate::{ids, Cognito, Random, RequestContext};

/// The scope every access token from the API carries.
pub(crate) const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

/// Where pools' signing keys come from.
pub trait KeySource: Send + Sync {
    /// A new signing key.
    fn signing_key(&self, random: &dyn Random) -> Result<SigningKey, String>;
}

/// Generates a fresh RSA-2048 key for each pool.
#[derive(Debug, Default)]
pub struct GeneratedKeys;

impl KeySource for GeneratedKeys {
    fn signing_key(&self, random: &dyn Random) -> Result<SigningKey, String> {
        SigningKey::generate(&mut RandomRng(random)).map_err(|e| e.to_string())
    }
}

/// [`Random`] as a `rand_core` generator, for key generation.
pub(crate) struct RandomRng<'a>(pub(crate) &'a dyn Random);

impl rand_core::RngCore for RandomRng<'_> {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.0.fill(&mut b);
        u32::from_le_bytes(b)
    }

    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.0.fill(&mut b);
        u64::from_le_bytes(b)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill(dest);
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.0.fill(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for RandomRng<'_> {}

fn not_authorized(message: &str) -> CognitoError {
    CognitoError::new(ErrorKind::NotAuthorizedException, message)
}

/// Characters of a session id after its `tkn` prefix.
const SESSION_ID_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// A verified user token's facts (an access token's, or an ID token's).
#[derive(Debug, Clone)]
pub(crate) struct AccessToken {
    pub(crate) pool_id: String,
    pub(crate) user_key: String,
    pub(crate) client_id: String,
    pub(crate) origin_jti: String,
}

/// Tokens whose claims are made and whose refresh token is recorded, waiting for their
/// signatures. The claims are plain maps, so that a step between making and signing
/// (such as a pre-token-generation trigger) can change them.
#[derive(Debug)]
pub(crate) struct Unsigned {
    pub(crate) access: Map<String, Value>,
    pub(crate) id: Map<String, Value>,
    pub(crate) refresh_token: Option<String>,
    pub(crate) expires_in: i32,
    /// The device the sign-in began tracking.
    pub(crate) new_device: Option<NewDeviceMetadataType>,
    /// What the pool's token triggers need, when it names any.
    pub(crate) triggers: Option<Box<TokenTriggers>>,
}

/// What tokens are issued for: a sign-in that just ended, or a refresh of an earlier one.
#[derive(Debug, Clone)]
pub(crate) struct Issue {
    /// The device the sign-in came from.
    pub(crate) device_key: Option<String>,
    /// What the sign-in proved (`amr`).
    pub(crate) methods: Methods,
    /// The sign-in being refreshed (`origin_jti`), and when it happened.
    pub(crate) refreshing: Option<(String, Timestamp)>,
    /// Why, as token events name it.
    pub(crate) source: TokenSource,
    /// Whether the sign-in began tracking a new device.
    pub(crate) new_device: bool,
    /// The scopes the access token grants (`scope`), when not the API's
    /// `aws.cognito.signin.user.admin`; a refresh keeps its sign-in's.
    pub(crate) scopes: Option<String>,
}

impl Unsigned {
    /// Signs the tokens with the pool's key: the costly part, done without a lock.
    pub(crate) fn sign(self, key: &SigningKey) -> Result<AuthenticationResultType, CognitoError> {
        Ok(AuthenticationResultType {
            access_token: Some(sign_claims(key, self.access)?),
            expires_in: self.expires_in,
            token_type: Some("Bearer".into()),
            refresh_token: self.refresh_token,
            id_token: Some(sign_claims(key, self.id)?),
            new_device_metadata: self.new_device,
        })
    }
}

/// An RS256 token of `claims`, signed with `key`: the costly part, done without a lock.
pub(crate) fn sign_claims(
    key: &SigningKey,
    claims: Map<String, Value>,
) -> Result<String, CognitoError> {
    key.sign(&Map::new(), &Value::Object(claims))
        .map_err(|e| CognitoError::new(ErrorKind::InternalErrorException, e.to_string()))
}

/// Seconds of a validity in `unit`.
fn seconds(value: i64, unit: Option<TimeUnitsType>, default: TimeUnitsType) -> i64 {
    value
        * match unit.unwrap_or(default) {
            TimeUnitsType::Seconds => 1,
            TimeUnitsType::Minutes => 60,
            TimeUnitsType::Hours => 3600,
            TimeUnitsType::Days => 86_400,
        }
}

/// Lifetimes of a client's tokens, in seconds: (access, id, refresh).
pub(crate) fn lifetimes(client: &UserPoolClientType) -> (i64, i64, i64) {
    let units = client.token_validity_units.clone().unwrap_or_default();
    let access = seconds(
        i64::from(client.access_token_validity.unwrap_or(60)),
        units.access_token,
        TimeUnitsType::Minutes,
    );
    let id = seconds(
        i64::from(client.id_token_validity.unwrap_or(60)),
        units.id_token,
        TimeUnitsType::Minutes,
    );
    let refresh_value = if client.refresh_token_validity == 0 {
        30
    } else {
        client.refresh_token_validity
    };
    let refresh = seconds(
        i64::from(refresh_value),
        units.refresh_token,
        TimeUnitsType::Days,
    );
    (access, id, refresh)
}

impl Cognito {
    /// The issuer of `pool`'s tokens: `<issuer base>/<pool id>`, with `{region}` in the
    /// base standing for the pool's Region. A pool whose `IssuerConfiguration` is
    /// `UPDATED` is issued by `issuer-cognito-idp.<region>` where the base names
    /// Cognito's `cognito-idp.<region>` host; a local base has one host for both.
    pub(crate) fn issuer(&self, pool: &PoolState) -> String {
        let updated = pool
            .config
            .issuer_configuration
            .as_ref()
            .and_then(|c| c.r#type)
            == Some(IssuerType::Updated);
        self.issuer_for(pool.config.id.as_deref().unwrap_or_default(), updated)
    }

    /// The issuer of pool `pool_id`'s tokens, in its original or updated form.
    fn issuer_for(&self, pool_id: &str, updated: bool) -> String {
        let base = self
            .links
            .issuer_base
            .replace("{region}", ids::pool_region(pool_id));
        let base = if updated {
            base.replacen("://cognito-idp.", "://issuer-cognito-idp.", 1)
        } else {
            base
        };
        format!("{base}/{pool_id}")
    }

    /// The pool's signing key, made on first use.
    pub(crate) fn signing_key(&self, pool_id: &str) -> Result<Arc<SigningKey>, CognitoError> {
        if let Some(key) = self
            .store
            .read(pool_id, |pool| Ok(pool.tokens.key().cloned()))?
        {
            return Ok(key);
        }
        // Generate without holding the pool's lock; keep the first key if two race.
        let key = self.keys.signing_key(&*self.random).map_err(|e| {
            CognitoError::new(
                ErrorKind::InternalErrorException,
                format!("Signing key generation failed: {e}"),
            )
        })?;
        self.store
            .update(pool_id, |pool| Ok(pool.tokens.keep_key(key)))
    }

    /// Makes the claims of the access and ID tokens (and, unless `issue` refreshes an
    /// earlier sign-in, a new refresh token and its grant) for `user_key` through
    /// `client`. Cheap: the pool's lock may be held. The tokens are signed later, by
    /// [`Unsigned::sign`], once the lock is released.
    pub(crate) fn prepare_tokens(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        user_key: &str,
        client: &UserPoolClientType,
        issue: Issue,
    ) -> Result<Unsigned, CognitoError> {
        let Issue {
            device_key,
            methods,
            refreshing: refresh,
            source,
            new_device,
            scopes,
        } = issue;
        let user = pool
            .users
            .get(user_key)
            .ok_or_else(crate::ops::users::user_not_found)?;
        let client_id = client.client_id.clone().unwrap_or_default();
        let (access_life, id_life, refresh_life) = lifetimes(client);
        let scopes = match &refresh {
            Some((origin, _)) => pool
                .tokens
                .grants
                .get(origin)
                .and_then(|g| g.scopes.clone()),
            None => scopes,
        };
        let (origin_jti, auth_time) = match &refresh {
            Some((origin, auth_time)) => (origin.clone(), *auth_time),
            None => (ids::uuid_v4(&*self.random), ctx.now),
        };
        let iat = ctx.now.secs();
        let event_id = ids::uuid_v4(&*self.random);
        let groups = group_claims(pool, user);
        let iss = self.issuer(pool);

        let mut access = Map::new();
        access.insert("sub".into(), json!(user.sub));
        if let Some(g) = &groups.names {
            access.insert("cognito:groups".into(), json!(g));
        }
        access.insert("iss".into(), json!(iss));
        if let Some(device) = &device_key {
            access.insert("device_key".into(), json!(device));
        }
        access.insert("client_id".into(), json!(client_id));
        access.insert("origin_jti".into(), json!(origin_jti));
        access.insert("event_id".into(), json!(event_id));
        access.insert("token_use".into(), json!("access"));
        access.insert(
            "scope".into(),
            json!(scopes.as_deref().unwrap_or(ADMIN_SCOPE)),
        );
        access.insert("auth_time".into(), json!(auth_time.secs()));
        access.insert("exp".into(), json!(iat + access_life));
        access.insert("iat".into(), json!(iat));
        access.insert("jti".into(), json!(ids::uuid_v4(&*self.random)));
        access.insert("username".into(), json!(user.username));

        let mut id = Map::new();
        id.insert("sub".into(), json!(user.sub));
        if let Some(g) = &groups.names {
            id.insert("cognito:groups".into(), json!(g));
        }
        if let Some(roles) = &groups.roles {
            id.insert("cognito:roles".into(), json!(roles));
        }
        if let Some(role) = &groups.preferred_role {
            id.insert("cognito:preferred_role".into(), json!(role));
        }
        id.insert("iss".into(), json!(iss));
        id.insert("cognito:username".into(), json!(user.username));
        id.insert("origin_jti".into(), json!(origin_jti));
        id.insert("aud".into(), json!(client_id));
        id.insert("event_id".into(), json!(event_id));
        id.insert("token_use".into(), json!("id"));
        id.insert("auth_time".into(), json!(auth_time.secs()));
        id.insert("exp".into(), json!(iat + id_life));
        id.insert("iat".into(), json!(iat));
        id.insert("jti".into(), json!(ids::uuid_v4(&*self.random)));
        // The methods the sign-in proved, in the ID token as Cognito reports them.
        let amr = methods.amr();
        if !amr.is_empty() {
            id.insert("amr".into(), json!(amr));
        }
        let readable = client.read_attributes.as_deref();
        for (name, value) in &user.attributes {
            if readable.is_some_and(|r| !r.iter().any(|n| n == name)) || name.starts_with("dev:") {
                continue;
            }
            id.insert(name.to_owned(), id_claim(name, value));
        }

        let tokens_until = ctx.now.plus_millis(access_life.max(id_life) * 1000);
        let refresh_token = match refresh {
            Some(_) => {
                pool.tokens.grants.touch(&origin_jti, ctx.now, tokens_until);
                None
            }
            None => {
                let token = new_refresh_token(&*self.random);
                let session_id = format!(
                    "tkn{}",
                    ids::random_string(&*self.random, SESSION_ID_ALPHABET, 25)
                );
                let grant = NewGrant {
                    user_key: user_key.to_string(),
                    sub: user.sub.clone(),
                    client_id,
                    origin_jti,
                    session_id,
                    auth_time,
                    device_key,
                    methods,
                    scopes,
                    expires: ctx.now.plus_millis(refresh_life * 1000),
                    tokens_until,
                };
                pool.tokens.grants.insert(grant, &token, ctx.now);
                Some(token)
            }
        };
        let triggers = token_triggers(pool, user, client, source, new_device, &groups);
        Ok(Unsigned {
            access,
            id,
            refresh_token,
            expires_in: i32::try_from(access_life).unwrap_or(i32::MAX),
            new_device: None,
            triggers,
        })
    }

    /// Checks an access token as every access-token operation does: signature, issuer,
    /// expiry, revocation, `token_use` and the `aws.cognito.signin.user.admin` scope.
    pub(crate) fn verify_access_token(
        &self,
        ctx: &RequestContext,
        token: &str,
    ) -> Result<AccessToken, CognitoError> {
        self.verify_access_token_for(ctx, token, ADMIN_SCOPE)
    }

    /// Checks an access token as [`Self::verify_access_token`] does, requiring `scope`.
    pub(crate) fn verify_access_token_for(
        &self,
        ctx: &RequestContext,
        token: &str,
        scope: &str,
    ) -> Result<AccessToken, CognitoError> {
        let (pool_id, claims) = self.verify_signed(ctx, token, TokenUse::Access)?;
        let scopes = claims
            .get("scope")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !scopes.split(' ').any(|s| s == scope) {
            return Err(not_authorized("Access Token does not have required scopes"));
        }
        self.token_user(&pool_id, &claims, TokenUse::Access)
    }

    /// Checks a token of one of the pools as every token operation does: signature,
    /// issuer, `token_use` and expiry; answers its pool and its claims.
    pub(crate) fn verify_signed(
        &self,
        ctx: &RequestContext,
        token: &str,
        token_use: TokenUse,
    ) -> Result<(String, Map<String, Value>), CognitoError> {
        let invalid = || not_authorized(&format!("Invalid {}", token_use.name()));
        let (_, claims) = danger_decode_unverified(token).map_err(|_| invalid())?;
        let iss = claims
            .get("iss")
            .and_then(Value::as_str)
            .ok_or_else(invalid)?;
        // The issuer names the pool, whatever Region it lives in; it must be one of the
        // pool's issuers (original or updated: a pool may switch between them).
        let pool_id = iss.rsplit_once('/').map(|(_, id)| id).ok_or_else(invalid)?;
        if iss != self.issuer_for(pool_id, false) && iss != self.issuer_for(pool_id, true) {
            return Err(invalid());
        }
        let key = self
            .store
            .read(pool_id, |pool| Ok(pool.tokens.key().cloned()))
            .ok()
            .flatten()
            .ok_or_else(invalid)?;
        let Value::Object(claims) = key.verify(token).map_err(|_| invalid())? else {
            return Err(invalid());
        };
        if claims.get("token_use").and_then(Value::as_str) != Some(token_use.claim()) {
            return Err(invalid());
        }
        let exp = claims
            .get("exp")
            .and_then(Value::as_i64)
            .ok_or_else(invalid)?;
        if ctx.now.secs() >= exp {
            return Err(not_authorized(&format!("{} has expired", token_use.name())));
        }
        Ok((pool_id.to_string(), claims))
    }

    /// The user a verified token of `pool_id` names, once its sign-in is checked: not
    /// revoked (by origin or by a sign-out since), its user the same (`sub`) and enabled.
    pub(crate) fn token_user(
        &self,
        pool_id: &str,
        claims: &Map<String, Value>,
        token_use: TokenUse,
    ) -> Result<AccessToken, CognitoError> {
        let invalid = || not_authorized(&format!("Invalid {}", token_use.name()));
        let str_claim = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_string);
        let origin = str_claim("origin_jti").ok_or_else(invalid)?;
        let username = str_claim(token_use.username_claim()).ok_or_else(invalid)?;
        let sub = str_claim("sub").ok_or_else(invalid)?;
        let client_id = str_claim(token_use.client_claim()).ok_or_else(invalid)?;
        let iat = claims.get("iat").and_then(Value::as_i64).unwrap_or(0);
        let revoked = || not_authorized(&format!("{} has been revoked", token_use.name()));
        let user_key = self.store.read(pool_id, |pool| {
            if pool.tokens.grants.is_revoked(&origin) {
                return Err(revoked());
            }
            let key = pool.user_key(&username);
            // The token's user is its `sub`: a later user of the same name is another.
            let user = pool
                .users
                .get(&key)
                .filter(|u| u.sub == sub)
                .ok_or_else(crate::ops::users::user_not_found)?;
            // `iat` counts whole seconds: a token issued later in the second of a
            // sign-out is still good (the tokens before it are revoked by origin).
            if user
                .sign_in
                .tokens_valid_after
                .is_some_and(|after| iat < after.secs())
            {
                return Err(revoked());
            }
            if !user.enabled {
                return Err(not_authorized("User is disabled."));
            }
            Ok(key)
        })?;
        Ok(AccessToken {
            pool_id: pool_id.to_string(),
            user_key,
            client_id,
            origin_jti: origin,
        })
    }
}

/// What a token is for (`token_use`): access or identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenUse {
    Access,
    Id,
}

impl TokenUse {
    /// The `token_use` claim.
    fn claim(self) -> &'static str {
        match self {
            TokenUse::Access => "access",
            TokenUse::Id => "id",
        }
    }

    /// The token's name in error messages.
    fn name(self) -> &'static str {
        match self {
            TokenUse::Access => "Access Token",
            TokenUse::Id => "ID Token",
        }
    }

    /// The claim naming the user.
    fn username_claim(self) -> &'static str {
        match self {
            TokenUse::Access => "username",
            TokenUse::Id => "cognito:username",
        }
    }

    /// The claim naming the app client the token was issued to.
    fn client_claim(self) -> &'static str {
        match self {
            TokenUse::Access => "client_id",
            TokenUse::Id => "aud",
        }
    }
}

/// An ID token claim for an attribute: `*_verified` are booleans, the rest strings.
/// `identities` is the attribute's JSON array, each member's values written as strings
/// (`"primary": "true"`, `"dateCreated": "1700000000000"`), `null` kept, as Cognito's
/// tokens carry it.
fn id_claim(name: &str, value: &str) -> Value {
    match name {
        "email_verified" | "phone_number_verified" => json!(value == "true"),
        "identities" => match serde_json::from_str(value) {
            Ok(Value::Array(identities)) => Value::Array(
                identities
                    .into_iter()
                    .map(|identity| match identity {
                        Value::Object(members) => Value::Object(
                            members
                                .into_iter()
                                .map(|(k, v)| match v {
                                    Value::Bool(_) | Value::Number(_) => (k, json!(v.to_string())),
                                    v => (k, v),
                                })
                                .collect(),
                        ),
                        other => other,
                    })
                    .collect(),
            ),
            _ => json!(value),
        },
        _ => json!(value),
    }
}

/// What the pool's token triggers need, when it names any: `PostAuthentication` (not
/// for refreshes) and `PreTokenGeneration`.
fn token_triggers(
    pool: &PoolState,
    user: &User,
    client: &UserPoolClientType,
    source: TokenSource,
    new_device: bool,
    groups: &GroupClaims,
) -> Option<Box<TokenTriggers>> {
    let config = pool.config.lambda_config.as_ref()?;
    let pre_token = Trigger::PreTokenGeneration.arn(config).map(|arn| {
        let version = config
            .pre_token_generation_config
            .as_ref()
            .map_or(PreTokenGenerationLambdaVersionType::V10, |c| {
                c.lambda_version
            });
        (arn.to_owned(), version)
    });
    let post_authentication = Trigger::PostAuthentication
        .arn(config)
        .filter(|_| source != TokenSource::RefreshTokens)
        .map(str::to_owned);
    if pre_token.is_none() && post_authentication.is_none() {
        return None;
    }
    Some(Box::new(TokenTriggers {
        pool_id: pool.config.id.clone().unwrap_or_default(),
        user_name: user.username.clone(),
        client_id: client.client_id.clone().unwrap_or_default(),
        source,
        user_attributes: user_attributes(user, true),
        groups: groups.names.clone().unwrap_or_default(),
        roles: groups.roles.clone().unwrap_or_default(),
        preferred_role: groups.preferred_role.clone(),
        pre_token,
        post_authentication,
        new_device_used: new_device,
    }))
}

struct GroupClaims {
    names: Option<Vec<String>>,
    roles: Option<Vec<String>>,
    preferred_role: Option<String>,
}

/// `cognito:groups`, `cognito:roles` and `cognito:preferred_role` for `user`: groups by
/// precedence (lowest first), the preferred role being the first group's role.
fn group_claims(pool: &PoolState, user: &User) -> GroupClaims {
    if user.groups.is_empty() {
        return GroupClaims {
            names: None,
            roles: None,
            preferred_role: None,
        };
    }
    let mut groups: Vec<_> = user
        .groups
        .iter()
        .filter_map(|n| pool.groups.get(n))
        .map(|g| &g.config)
        .collect();
    groups.sort_by_key(|g| g.precedence.unwrap_or(i32::MAX));
    let names = groups.iter().filter_map(|g| g.group_name.clone()).collect();
    let roles: Vec<String> = groups.iter().filter_map(|g| g.role_arn.clone()).collect();
    GroupClaims {
        names: Some(names),
        preferred_role: roles.first().cloned(),
        roles: (!roles.is_empty()).then_some(roles),
    }
}
