//! The OAuth 2.0 authorization code grant of a pool's domain, without its sign-in pages:
//! codes minted for a user who can sign in ([`Cognito::mint_authorization_code`], the
//! test API's programmatic path), their exchange for tokens, the refresh token grant,
//! revocation and `userInfo`.
//!
//! A code is bound to its client, its redirect URI, its scopes, its PKCE challenge
//! (RFC 7636, `S256` or `plain`) and its nonce; it works once and for five minutes.
//! A second exchange fails and revokes what the first one issued (RFC 6749 §4.1.2).
//! Exchanging a code ends a hosted sign-in: `PostAuthentication` and
//! `PreTokenGeneration` run with `TokenGeneration_HostedAuth`. The ID token is issued
//! only with the `openid` scope, and carries the code's `nonce` and the access token's
//! `at_hash` (OpenID Connect Core §3.3.2.11).
//!
//! Boundary: values in, values out; how the token endpoint reads requests and words its
//! errors is the embedder's (`cognito-http`).

use base64::Engine as _;
use cognito_model::shapes::{OAuthFlowType, RevokeTokenRequest, UserStatusType};
use cognito_model::{CognitoError, ErrorKind};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::token_triggers::TokenSource;
use super::tokens::{sign_claims, Issue, ADMIN_SCOPE};
use crate::errors::invalid_parameter;
pub use crate::state::authorization_codes::ChallengeMethod;
use crate::state::authorization_codes::{
    new_code, verifier_matches, AuthorizationCode, Taken, CODE_LIFETIME_MILLIS,
};
use crate::state::sign_in::Methods;
use crate::store::{ClientState, PoolState};
use crate::{Cognito, RequestContext};

/// The scope that makes a token request an OpenID Connect one.
const OPENID: &str = "openid";

/// A code to mint for a user, as the test API asks for one.
#[derive(Debug, Clone, Copy)]
pub struct CodeRequest<'a> {
    /// The user's pool.
    pub pool_id: &'a str,
    /// The app client the code is for.
    pub client_id: &'a str,
    /// The user, by any name they sign in with.
    pub username: &'a str,
    /// One of the client's callback URLs.
    pub redirect_uri: &'a str,
    /// The scopes granted; `None` grants all the client is allowed.
    pub scopes: Option<&'a [String]>,
    /// The PKCE challenge and how it was made.
    pub challenge: Option<(&'a str, ChallengeMethod)>,
    /// The ID token's `nonce`.
    pub nonce: Option<&'a str>,
}

/// A client at the token endpoint: its id and the secret it sent, if any.
#[derive(Clone, Copy)]
pub struct ClientAuth<'a> {
    /// The client.
    pub client_id: &'a str,
    /// The secret it sent (basic or post), if any.
    pub secret: Option<&'a str>,
}

impl std::fmt::Debug for ClientAuth<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientAuth")
            .field("client_id", &self.client_id)
            .field("secret", &self.secret.map(|_| "<redacted>"))
            .finish()
    }
}

/// A code presented at the token endpoint.
#[derive(Clone, Copy)]
pub struct CodeExchange<'a> {
    /// The code.
    pub code: &'a str,
    /// `redirect_uri`, which must be the code's.
    pub redirect_uri: Option<&'a str>,
    /// `code_verifier` (PKCE), required when the code has a challenge.
    pub code_verifier: Option<&'a str>,
}

impl std::fmt::Debug for CodeExchange<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeExchange")
            .field("code", &"<redacted>")
            .field("redirect_uri", &self.redirect_uri)
            .finish()
    }
}

/// Tokens the token endpoint answers.
#[derive(Clone)]
pub struct OAuthTokens {
    /// The access token.
    pub access_token: String,
    /// The ID token; only with the `openid` scope.
    pub id_token: Option<String>,
    /// The refresh token; not for refreshes without rotation.
    pub refresh_token: Option<String>,
    /// Seconds until the access token expires.
    pub expires_in: i32,
}

impl std::fmt::Debug for OAuthTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthTokens")
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// Why the token endpoint, `revoke` or `userInfo` refused, as OAuth 2.0 names it.
#[derive(Debug, Clone)]
pub enum GrantError {
    /// No such client in the pool, or a secret missing or wrong.
    InvalidClient,
    /// The client may not use this grant.
    UnauthorizedClient,
    /// A code or refresh token unknown, used, expired or revoked, or not this
    /// client's, redirect URI's or verifier's.
    InvalidGrant(String),
    /// `revoke`: the token is no refresh token.
    UnsupportedTokenType,
    /// `userInfo`: the access token does not do.
    InvalidToken(String),
    /// Anything else (a trigger's refusal, an internal error), as Cognito words it.
    Failed(CognitoError),
}

impl From<CognitoError> for GrantError {
    fn from(e: CognitoError) -> Self {
        GrantError::Failed(e)
    }
}

impl Cognito {
    /// Mints an authorization code for `request`'s user, who must be able to sign in.
    pub fn mint_authorization_code(
        &self,
        ctx: &RequestContext,
        request: CodeRequest<'_>,
    ) -> Result<String, CognitoError> {
        let code = new_code(&*self.random);
        self.store.update(request.pool_id, |pool| {
            let client = pool.client(request.client_id)?;
            let config = &client.config;
            if !config
                .callback_urls
                .iter()
                .flatten()
                .any(|u| u == request.redirect_uri)
            {
                return Err(invalid_parameter(
                    "redirect_uri is not one of the client's callback URLs.",
                ));
            }
            if !allows_code_flow(client) {
                return Err(invalid_parameter(
                    "The client is not allowed the authorization code grant.",
                ));
            }
            let allowed = config.allowed_o_auth_scopes.clone().unwrap_or_default();
            let scopes = match request.scopes.filter(|s| !s.is_empty()) {
                Some(asked) => {
                    if let Some(bad) = asked.iter().find(|s| !allowed.contains(s)) {
                        return Err(invalid_parameter(format!("Invalid scope requested: {bad}")));
                    }
                    let mut scopes: Vec<String> = Vec::new();
                    for s in asked {
                        if !scopes.contains(s) {
                            scopes.push(s.clone());
                        }
                    }
                    scopes
                }
                None => allowed,
            };
            if scopes.is_empty() {
                return Err(invalid_parameter("The client is allowed no scope."));
            }
            if let Some((challenge, _)) = request.challenge {
                if !super::hosted::pkce_challenge_ok(challenge) {
                    return Err(invalid_parameter("code_challenge is malformed."));
                }
            }
            let user_key = pool.user_key_of(request.username)?;
            let user = pool
                .users
                .get(&user_key)
                .ok_or_else(crate::ops::users::user_not_found)?;
            if !user.enabled {
                return Err(CognitoError::new(
                    ErrorKind::NotAuthorizedException,
                    "User is disabled.",
                ));
            }
            if user.status != UserStatusType::Confirmed {
                return Err(CognitoError::new(
                    ErrorKind::UserNotConfirmedException,
                    "The user cannot sign in: they are not confirmed.",
                ));
            }
            let issued = AuthorizationCode {
                user_key: user_key.clone(),
                sub: user.sub.clone(),
                client_id: request.client_id.to_owned(),
                redirect_uri: request.redirect_uri.to_owned(),
                scopes,
                challenge: request.challenge.map(|(c, m)| (c.to_owned(), m)),
                nonce: request.nonce.map(str::to_owned),
                methods: Methods::PASSWORD,
                expires: ctx.now.plus_millis(CODE_LIFETIME_MILLIS),
            };
            pool.authorization_codes.insert(&code, issued, ctx.now);
            Ok(())
        })?;
        Ok(code)
    }

    /// The token endpoint's `authorization_code` grant: tokens for a code of pool
    /// `pool_id`, presented by the client it was minted for.
    pub fn exchange_authorization_code(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        client: ClientAuth<'_>,
        exchange: CodeExchange<'_>,
    ) -> Result<OAuthTokens, GrantError> {
        let (unsigned, issued) = self
            .store
            .update(pool_id, |pool| Ok(self.redeem(ctx, pool, client, exchange)))??;
        Ok(self.sign_code_tokens(ctx, pool_id, unsigned, issued)?)
    }

    /// The tokens of a hosted sign-in that ends at once (the implicit grant), as a code
    /// exchanged for them would give.
    pub(crate) fn hosted_tokens(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        issued: AuthorizationCode,
    ) -> Result<OAuthTokens, CognitoError> {
        let unsigned = self.store.update(pool_id, |pool| {
            let client = pool.client(&issued.client_id)?.config.clone();
            self.prepare_tokens(ctx, pool, &issued.user_key, &client, code_issue(&issued))
        })?;
        self.sign_code_tokens(ctx, pool_id, unsigned, issued)
    }

    /// Runs the token triggers on a code's tokens and signs them, with the ID token's
    /// `nonce` and `at_hash`.
    fn sign_code_tokens(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        mut unsigned: super::tokens::Unsigned,
        issued: AuthorizationCode,
    ) -> Result<OAuthTokens, CognitoError> {
        self.run_token_triggers(ctx, &mut unsigned, None)?;
        let key = self.signing_key(pool_id)?;
        let sign = |claims| sign_claims(&key, claims);
        let access_token = sign(unsigned.access)?;
        let id_token = if issued.scopes.iter().any(|s| s == OPENID) {
            let mut id = unsigned.id;
            if let Some(nonce) = issued.nonce {
                id.insert("nonce".into(), json!(nonce));
            }
            id.insert("at_hash".into(), json!(at_hash(&access_token)));
            Some(sign(id)?)
        } else {
            None
        };
        Ok(OAuthTokens {
            access_token,
            id_token,
            refresh_token: unsigned.refresh_token,
            expires_in: unsigned.expires_in,
        })
    }

    /// Checks a code's exchange and makes its tokens' claims, under the pool's lock.
    fn redeem(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        auth: ClientAuth<'_>,
        exchange: CodeExchange<'_>,
    ) -> Result<(super::tokens::Unsigned, AuthorizationCode), GrantError> {
        let client = authenticate(pool, auth)?.clone();
        if !allows_code_flow(&client) {
            return Err(GrantError::UnauthorizedClient);
        }
        let invalid = |why: &str| GrantError::InvalidGrant(why.to_owned());
        let issued = match pool.authorization_codes.take(exchange.code, ctx.now) {
            Taken::Fresh(issued) => issued,
            Taken::Used(origin) => {
                if let Some(origin) = origin {
                    pool.tokens.grants.revoke(&origin);
                }
                return Err(invalid("The code was used before."));
            }
            Taken::Unknown => return Err(invalid("The code is unknown or expired.")),
        };
        if issued.client_id != auth.client_id {
            return Err(invalid("The code was issued to another client."));
        }
        if exchange.redirect_uri != Some(issued.redirect_uri.as_str()) {
            return Err(invalid("redirect_uri does not match the code's."));
        }
        match (&issued.challenge, exchange.code_verifier) {
            (None, None) => {}
            (Some((challenge, method)), Some(verifier))
                if verifier_matches(challenge, *method, verifier) => {}
            _ => return Err(invalid("The code verifier does not match the challenge.")),
        }
        let usable = pool
            .users
            .get(&issued.user_key)
            .is_some_and(|u| u.sub == issued.sub && u.enabled);
        if !usable {
            return Err(invalid("The code's user cannot sign in."));
        }
        let unsigned = self.prepare_tokens(
            ctx,
            pool,
            &issued.user_key,
            &client.config,
            code_issue(&issued),
        )?;
        if let Some(origin) = unsigned.access.get("origin_jti").and_then(Value::as_str) {
            pool.authorization_codes.began(exchange.code, origin);
        }
        Ok((unsigned, issued))
    }

    /// The token endpoint's `refresh_token` grant, for the refresh tokens of API sign-ins
    /// and of the authorization code grant alike.
    pub fn refresh_token_grant(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        client: ClientAuth<'_>,
        refresh_token: &str,
    ) -> Result<OAuthTokens, GrantError> {
        self.store
            .read(pool_id, |pool| Ok(authenticate(pool, client).map(|_| ())))??;
        let outcome = self
            .refresh(
                ctx,
                pool_id,
                client.client_id,
                refresh_token,
                None,
                |_, _| Ok(()),
                || CognitoError::new(ErrorKind::NotAuthorizedException, "Invalid Refresh Token"),
            )
            .map_err(|e| match e.kind {
                ErrorKind::NotAuthorizedException => GrantError::InvalidGrant(e.message),
                _ => GrantError::Failed(e),
            })?;
        let answer = self.finish(ctx, pool_id, outcome, None)?;
        let result = answer.result.ok_or_else(|| {
            GrantError::Failed(CognitoError::new(
                ErrorKind::InternalErrorException,
                "The refresh issued no tokens.",
            ))
        })?;
        Ok(OAuthTokens {
            access_token: result.access_token.unwrap_or_default(),
            id_token: result.id_token,
            refresh_token: result.refresh_token,
            expires_in: result.expires_in,
        })
    }

    /// `POST /oauth2/revoke` (RFC 7009): revokes a refresh token's sign-in, as
    /// `RevokeToken` does.
    pub fn revoke_refresh_token(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        client: ClientAuth<'_>,
        token: &str,
    ) -> Result<(), GrantError> {
        self.store
            .read(pool_id, |pool| Ok(authenticate(pool, client).map(|_| ())))??;
        self.revoke_token(
            ctx,
            RevokeTokenRequest {
                token: token.to_owned(),
                client_id: client.client_id.to_owned(),
                client_secret: client.secret.map(str::to_owned),
                ..Default::default()
            },
        )
        .map(|_| ())
        .map_err(|e| match e.kind {
            ErrorKind::UnsupportedTokenTypeException => GrantError::UnsupportedTokenType,
            ErrorKind::UnauthorizedException => GrantError::InvalidClient,
            ErrorKind::UnsupportedOperationException => GrantError::UnauthorizedClient,
            _ => GrantError::Failed(e),
        })
    }

    /// `userInfo`: the claims of the user an access token with the `openid` scope names,
    /// by its scopes: `sub` and `username` always, `email` and `email_verified` with
    /// `email`, `phone_number` and `phone_number_verified` with `phone`, the profile
    /// attributes with `profile`; every readable attribute with the admin scope.
    pub fn user_info(
        &self,
        ctx: &RequestContext,
        access_token: &str,
    ) -> Result<Map<String, Value>, GrantError> {
        let token = self
            .verify_access_token_for(ctx, access_token, OPENID)
            .map_err(|e| GrantError::InvalidToken(e.message))?;
        let scopes: Vec<String> = cognito_crypto::jwt::danger_decode_unverified(access_token)
            .ok()
            .and_then(|(_, claims)| {
                claims
                    .get("scope")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .unwrap_or_default()
            .split(' ')
            .map(str::to_owned)
            .collect();
        let has = |s: &str| scopes.iter().any(|g| g == s);
        self.store
            .read(&token.pool_id, |pool| {
                let Some(user) = pool.users.get(&token.user_key) else {
                    return Ok(Err(GrantError::InvalidToken("User does not exist.".into())));
                };
                let readable = pool
                    .client(&token.client_id)
                    .ok()
                    .and_then(|c| c.config.read_attributes.clone());
                let mut claims = Map::new();
                claims.insert("sub".into(), json!(user.sub));
                for (name, value) in &user.attributes {
                    let by_scope = match name {
                        "email" | "email_verified" => has("email"),
                        "phone_number" | "phone_number_verified" => has("phone"),
                        n => PROFILE.contains(&n) && has("profile"),
                    };
                    let readable = readable
                        .as_ref()
                        .is_none_or(|r| r.iter().any(|n| n == name));
                    if readable && !name.starts_with("dev:") && (by_scope || has(ADMIN_SCOPE)) {
                        claims.insert(name.to_owned(), json!(value));
                    }
                }
                claims.insert("username".into(), json!(user.username));
                Ok(Ok(claims))
            })
            .map_err(|e| GrantError::InvalidToken(e.message))?
    }
}

/// The standard claims of the `profile` scope (OpenID Connect Core §5.4).
const PROFILE: &[&str] = &[
    "name",
    "family_name",
    "given_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "updated_at",
];

/// What a code's tokens are issued for: a hosted sign-in.
fn code_issue(issued: &AuthorizationCode) -> Issue {
    Issue {
        device_key: None,
        methods: issued.methods,
        refreshing: None,
        source: TokenSource::HostedAuth,
        new_device: false,
        scopes: Some(issued.scopes.join(" ")),
    }
}

fn allows_code_flow(client: &ClientState) -> bool {
    client
        .config
        .allowed_o_auth_flows
        .iter()
        .flatten()
        .any(|f| *f == OAuthFlowType::Code)
}

/// The client `auth` names in `pool`, once it has proven itself: a client with secrets
/// must send one of them (in constant time), one without must send none.
pub(super) fn authenticate<'p>(
    pool: &'p PoolState,
    auth: ClientAuth<'_>,
) -> Result<&'p ClientState, GrantError> {
    use subtle::ConstantTimeEq;
    let client = pool
        .client(auth.client_id)
        .map_err(|_| GrantError::InvalidClient)?;
    let ok = match auth.secret {
        None => client.secrets.is_empty(),
        Some(sent) => client
            .secrets
            .iter()
            .any(|s| bool::from(s.value.as_bytes().ct_eq(sent.as_bytes()))),
    };
    if ok {
        Ok(client)
    } else {
        Err(GrantError::InvalidClient)
    }
}

/// `at_hash`: the left half of the access token's SHA-256, base64url without padding.
fn at_hash(access_token: &str) -> String {
    let digest = Sha256::digest(access_token.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.get(..16).unwrap_or_default())
}

#[cfg(test)]
mod tests;
