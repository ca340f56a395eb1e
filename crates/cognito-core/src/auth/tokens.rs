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

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use base64::Engine as _;
use cognito_crypto::jwt::{danger_decode_unverified, SigningKey};
use cognito_model::shapes::{
    AuthenticationResultType, IssuerType, TimeUnitsType, UserPoolClientType,
};
use cognito_model::{CognitoError, ErrorKind, Timestamp};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::store::{PoolState, SharedPool};
use crate::users::User;
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

/// Token state of a pool.
#[derive(Debug, Clone, Default)]
pub struct TokenState {
    key: Option<Arc<SigningKey>>,
    /// SHA-256 of each refresh token → what it refreshes: one live token per session.
    refresh: HashMap<[u8; 32], RefreshGrant>,
    /// SHA-256 of each refresh token rotation replaced → its grant, and until when it
    /// still refreshes (the client's retry grace period). Kept until the grant expires,
    /// to tell a reused token from an unknown one.
    rotated: HashMap<[u8; 32], (RefreshGrant, Timestamp)>,
    /// Origins whose tokens are revoked.
    revoked: HashSet<String>,
    /// The PEM certificate `GetSigningCertificate` answers, made once.
    certificate: Option<String>,
}

/// What a refresh token grants.
#[derive(Debug, Clone)]
pub(crate) struct RefreshGrant {
    pub(crate) user_key: String,
    /// The user's `sub`: a later user of the same name is another user.
    pub(crate) sub: String,
    pub(crate) client_id: String,
    pub(crate) origin_jti: String,
    /// The id of the session the sign-in began: `tkn` and 25 lower-case letters and
    /// digits.
    pub(crate) session_id: String,
    pub(crate) auth_time: Timestamp,
    pub(crate) expires: Timestamp,
    /// When the session last issued tokens: its sign-in, or its latest refresh.
    pub(crate) last_active: Timestamp,
}

/// Characters of a session id after its `tkn` prefix.
const SESSION_ID_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

impl TokenState {
    /// The pool's key, if it has one yet.
    pub fn key(&self) -> Option<&Arc<SigningKey>> {
        self.key.as_ref()
    }

    /// The signing certificate, once made.
    pub fn certificate(&self) -> Option<&str> {
        self.certificate.as_deref()
    }

    /// Keeps `pem` unless a certificate was kept first; answers the one kept.
    pub(crate) fn keep_certificate(&mut self, pem: String) -> String {
        self.certificate.get_or_insert(pem).clone()
    }

    /// The user's active grants, oldest first.
    pub(crate) fn grants_of(&self, user_key: &str, now: Timestamp) -> Vec<RefreshGrant> {
        let mut grants: Vec<RefreshGrant> = self
            .refresh
            .values()
            .filter(|g| {
                g.user_key == user_key && g.expires > now && !self.revoked.contains(&g.origin_jti)
            })
            .cloned()
            .collect();
        grants.sort_by(|a, b| (a.auth_time, &a.origin_jti).cmp(&(b.auth_time, &b.origin_jti)));
        grants
    }

    /// Active refresh grants: `(user key, client id, session id, expiry)`.
    pub fn active_grants(&self, now: Timestamp) -> Vec<(String, String, String, Timestamp)> {
        self.refresh
            .values()
            .filter(|g| g.expires > now && !self.revoked.contains(&g.origin_jti))
            .map(|g| {
                (
                    g.user_key.clone(),
                    g.client_id.clone(),
                    g.session_id.clone(),
                    g.expires,
                )
            })
            .collect()
    }

    /// Revokes every token of the grants `f` selects.
    pub fn revoke_where(&mut self, f: impl Fn(&str, &str) -> bool) {
        let origins: Vec<String> = self
            .refresh
            .values()
            .filter(|g| f(&g.user_key, &g.client_id))
            .map(|g| g.origin_jti.clone())
            .collect();
        self.revoked.extend(origins);
    }

    /// Forgets every refresh token of a deleted user and revokes the access and ID
    /// tokens issued with them.
    pub(crate) fn forget_user(&mut self, user_key: &str) {
        let mut origins = Vec::new();
        self.refresh.retain(|_, g| {
            let theirs = g.user_key == user_key;
            if theirs {
                origins.push(g.origin_jti.clone());
            }
            !theirs
        });
        self.rotated.retain(|_, (g, _)| g.user_key != user_key);
        self.revoked.extend(origins);
    }

    pub(crate) fn revoke_origin(&mut self, origin: &str) {
        self.revoked.insert(origin.to_string());
    }

    pub(crate) fn is_revoked(&self, origin: &str) -> bool {
        self.revoked.contains(origin)
    }

    /// The grant of refresh token `token`, live or rotated out.
    pub(crate) fn grant(&self, token: &str) -> Option<&RefreshGrant> {
        let h = hash(token);
        self.refresh
            .get(&h)
            .or_else(|| self.rotated.get(&h).map(|(g, _)| g))
    }

    /// The grant of refresh token `token`, and whether the token still refreshes at
    /// `now`: a live one does, one rotation replaced only within its grace period.
    pub(crate) fn lookup(&self, token: &str, now: Timestamp) -> Option<(&RefreshGrant, bool)> {
        let h = hash(token);
        match self.refresh.get(&h) {
            Some(g) => Some((g, true)),
            None => self.rotated.get(&h).map(|(g, until)| (g, *until > now)),
        }
    }

    /// Records that the session `origin` issued tokens at `now`.
    pub(crate) fn touch(&mut self, origin: &str, now: Timestamp) {
        for g in self.refresh.values_mut().filter(|g| g.origin_jti == origin) {
            g.last_active = now;
        }
    }

    /// Replaces the live refresh token of session `origin` by a new one; the old one
    /// keeps refreshing for `grace_secs`, then counts as reused.
    pub(crate) fn rotate(
        &mut self,
        origin: &str,
        random: &dyn Random,
        now: Timestamp,
        grace_secs: i64,
    ) -> Option<String> {
        let old = self
            .refresh
            .iter()
            .find(|(_, g)| g.origin_jti == origin)
            .map(|(h, _)| *h)?;
        let grant = self.refresh.remove(&old)?;
        self.rotated.retain(|_, (g, _)| g.expires > now);
        self.rotated
            .insert(old, (grant.clone(), now.plus_millis(grace_secs * 1000)));
        let token = new_refresh_token(random);
        self.refresh.insert(hash(&token), grant);
        Some(token)
    }
}

/// A new opaque refresh token.
fn new_refresh_token(random: &dyn Random) -> String {
    let mut bytes = [0u8; 96];
    random.fill(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn not_authorized(message: &str) -> CognitoError {
    CognitoError::new(ErrorKind::NotAuthorizedException, message)
}

/// A verified access token's facts.
#[derive(Debug, Clone)]
pub(crate) struct AccessToken {
    pub(crate) pool: SharedPool,
    pub(crate) user_key: String,
    pub(crate) client_id: String,
    pub(crate) origin_jti: String,
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
    pub(crate) fn signing_key(&self, pool: &SharedPool) -> Result<Arc<SigningKey>, CognitoError> {
        if let Some(key) = pool.read().tokens.key() {
            return Ok(key.clone());
        }
        // Generate without holding the pool's lock; keep the first key if two race.
        let key = self.keys.signing_key(&*self.random).map_err(|e| {
            CognitoError::new(
                ErrorKind::InternalErrorException,
                format!("Signing key generation failed: {e}"),
            )
        })?;
        let mut pool = pool.write();
        Ok(pool.tokens.key.get_or_insert_with(|| Arc::new(key)).clone())
    }

    /// Issues access, ID and (unless `refresh` is given, when refreshing) refresh tokens
    /// for `user_key` through `client`.
    ///
    /// `key` is the pool's key, fetched with [`Cognito::signing_key`] before the pool's
    /// lock is taken.
    pub(crate) fn issue_tokens(
        &self,
        ctx: &RequestContext,
        key: &SigningKey,
        pool: &mut PoolState,
        user_key: &str,
        client: &UserPoolClientType,
        refresh: Option<(String, Timestamp)>,
    ) -> Result<AuthenticationResultType, CognitoError> {
        let user = pool
            .users
            .get(user_key)
            .ok_or_else(crate::users::user_not_found)?;
        let client_id = client.client_id.clone().unwrap_or_default();
        let (access_life, id_life, refresh_life) = lifetimes(client);
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
        access.insert("client_id".into(), json!(client_id));
        access.insert("origin_jti".into(), json!(origin_jti));
        access.insert("event_id".into(), json!(event_id));
        access.insert("token_use".into(), json!("access"));
        access.insert("scope".into(), json!(ADMIN_SCOPE));
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
        let readable = client.read_attributes.as_deref();
        for (name, value) in &user.attributes {
            if readable.is_some_and(|r| !r.contains(name)) || name.starts_with("dev:") {
                continue;
            }
            id.insert(name.clone(), id_claim(name, value));
        }

        let sign = |claims: Map<String, Value>| {
            key.sign(&Map::new(), &Value::Object(claims))
                .map_err(|e| CognitoError::new(ErrorKind::InternalErrorException, e.to_string()))
        };
        let access_token = sign(access)?;
        let id_token = sign(id)?;
        let refresh_token = match refresh {
            Some(_) => None,
            None => {
                let token = new_refresh_token(&*self.random);
                let session_id = format!(
                    "tkn{}",
                    ids::random_string(&*self.random, SESSION_ID_ALPHABET, 25)
                );
                pool.tokens.refresh.insert(
                    hash(&token),
                    RefreshGrant {
                        user_key: user_key.to_string(),
                        sub: user.sub.clone(),
                        client_id: client_id.clone(),
                        origin_jti: origin_jti.clone(),
                        session_id,
                        auth_time,
                        expires: ctx.now.plus_millis(refresh_life * 1000),
                        last_active: ctx.now,
                    },
                );
                Some(token)
            }
        };
        Ok(AuthenticationResultType {
            access_token: Some(access_token),
            expires_in: i32::try_from(access_life).unwrap_or(i32::MAX),
            token_type: Some("Bearer".into()),
            refresh_token,
            id_token: Some(id_token),
            new_device_metadata: None,
        })
    }

    /// Checks an access token as every access-token operation does: signature, issuer,
    /// expiry, revocation, `token_use` and the `aws.cognito.signin.user.admin` scope.
    pub(crate) fn verify_access_token(
        &self,
        ctx: &RequestContext,
        token: &str,
    ) -> Result<AccessToken, CognitoError> {
        let invalid = || not_authorized("Invalid Access Token");
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
        let shared = self.pool(ctx, pool_id).map_err(|_| invalid())?;
        let key = shared.read().tokens.key().cloned().ok_or_else(invalid)?;
        let claims = key.verify(token).map_err(|_| invalid())?;
        let str_claim = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_string);
        if str_claim("token_use").as_deref() != Some("access") {
            return Err(invalid());
        }
        let exp = claims
            .get("exp")
            .and_then(Value::as_i64)
            .ok_or_else(invalid)?;
        if ctx.now.secs() >= exp {
            return Err(not_authorized("Access Token has expired"));
        }
        let scopes = str_claim("scope").unwrap_or_default();
        if !scopes.split(' ').any(|s| s == ADMIN_SCOPE) {
            return Err(not_authorized("Access Token does not have required scopes"));
        }
        let origin = str_claim("origin_jti").ok_or_else(invalid)?;
        let username = str_claim("username").ok_or_else(invalid)?;
        let sub = str_claim("sub").ok_or_else(invalid)?;
        let client_id = str_claim("client_id").ok_or_else(invalid)?;
        let iat = claims.get("iat").and_then(Value::as_i64).unwrap_or(0);
        let user_key = {
            let pool = shared.read();
            if pool.tokens.is_revoked(&origin) {
                return Err(not_authorized("Access Token has been revoked"));
            }
            let key = pool.user_key(&username);
            // The token's user is its `sub`: a later user of the same name is another.
            let user = pool
                .users
                .get(&key)
                .filter(|u| u.sub == sub)
                .ok_or_else(crate::users::user_not_found)?;
            // `iat` counts whole seconds: a token issued later in the second of a
            // sign-out is still good (the tokens before it are revoked by origin).
            if user
                .sign_in
                .tokens_valid_after
                .is_some_and(|after| iat < after.secs())
            {
                return Err(not_authorized("Access Token has been revoked"));
            }
            if !user.enabled {
                return Err(not_authorized("User is disabled."));
            }
            key
        };
        Ok(AccessToken {
            pool: shared,
            user_key,
            client_id,
            origin_jti: origin,
        })
    }
}

/// An ID token claim for an attribute: `*_verified` are booleans, the rest strings
/// (`identities` is a JSON array).
fn id_claim(name: &str, value: &str) -> Value {
    match name {
        "email_verified" | "phone_number_verified" => json!(value == "true"),
        "identities" => serde_json::from_str(value).unwrap_or_else(|_| json!(value)),
        _ => json!(value),
    }
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
