//! Refresh tokens and sign-out: `REFRESH_TOKEN_AUTH`, `GetTokensFromRefreshToken`,
//! `RevokeToken`, `GlobalSignOut`, `AdminUserGlobalSignOut`.

use cognito_model::shapes::*;
use cognito_model::{CognitoError, ErrorKind, Timestamp};

use super::token_triggers::TokenSource;
use super::tokens::Issue;
use super::{not_authorized, Outcome};
use crate::store::{ClientState, PoolState};
use crate::{Cognito, RequestContext};

impl Cognito {
    /// `REFRESH_TOKEN_AUTH` and `GetTokensFromRefreshToken`: new access and ID tokens for
    /// the refresh token's origin; with rotation on, a new refresh token replaces it, and
    /// the old one answers `reused` once the client's grace period is over. A sign-in from
    /// a tracked device refreshes only with its `DEVICE_KEY`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn refresh(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        client_id: &str,
        token: &str,
        device_key: Option<&str>,
        check_client: impl FnOnce(&ClientState, &str) -> Result<(), CognitoError>,
        reused: impl FnOnce() -> CognitoError,
    ) -> Result<Outcome, CognitoError> {
        let tokens = self.store.update(pool_id, |pool| {
            let client = pool.client(client_id)?.clone();
            let (grant, usable) = pool
                .tokens
                .grants
                .lookup(token, ctx.now)
                .map(|(g, usable)| (g.clone(), usable))
                .filter(|(g, _)| g.client_id == client_id)
                .ok_or_else(|| not_authorized("Invalid Refresh Token"))?;
            if pool.tokens.grants.is_revoked(&grant.origin_jti) {
                return Err(not_authorized("Refresh Token has been revoked"));
            }
            if grant.expires <= ctx.now {
                return Err(not_authorized("Refresh Token has expired"));
            }
            if !usable {
                return Err(reused());
            }
            if grant.device_key.is_some() && grant.device_key.as_deref() != device_key {
                return Err(not_authorized("Invalid Refresh Token"));
            }
            let user = pool
                .users
                .get(&grant.user_key)
                .filter(|u| u.sub == grant.sub)
                .ok_or_else(|| not_authorized("User does not exist."))?;
            check_client(&client, &user.username)?;
            // A forgotten device's sign-ins end with it.
            if let Some(device) = &grant.device_key {
                if !user.devices.contains_key(device) {
                    return Err(not_authorized("Invalid Refresh Token"));
                }
            }
            if !user.enabled {
                return Err(not_authorized("User is disabled."));
            }
            if user
                .sign_in
                .tokens_valid_after
                .is_some_and(|t| grant.auth_time < t)
            {
                return Err(not_authorized("Refresh Token has been revoked"));
            }
            let rotation = client
                .config
                .refresh_token_rotation
                .as_ref()
                .filter(|r| r.feature == FeatureType::Enabled);
            let mut tokens = self.prepare_tokens(
                ctx,
                pool,
                &grant.user_key,
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
            if let Some(r) = rotation {
                let grace = i64::from(r.retry_grace_period_seconds.unwrap_or(0));
                tokens.refresh_token =
                    pool.tokens
                        .grants
                        .rotate(&grant.origin_jti, &*self.random, ctx.now, grace);
            }
            Ok(tokens)
        })?;
        Ok(Outcome::tokens(tokens))
    }

    pub(crate) fn get_tokens_from_refresh_token(
        &self,
        ctx: &RequestContext,
        input: GetTokensFromRefreshTokenRequest,
    ) -> Result<GetTokensFromRefreshTokenResponse, CognitoError> {
        let pool = self.client_pool(&input.client_id)?;
        let secret = input.client_secret.clone();
        let outcome = self.refresh(
            ctx,
            &pool,
            &input.client_id,
            &input.refresh_token,
            input.device_key.as_deref(),
            |client, _| check_client_secret(client, secret.as_deref()),
            || {
                CognitoError::new(
                    ErrorKind::RefreshTokenReuseException,
                    "The refresh token was replaced by rotation and can't be used again.",
                )
            },
        )?;
        let answer = self.finish(ctx, &pool, outcome, input.client_metadata.as_ref())?;
        Ok(GetTokensFromRefreshTokenResponse {
            authentication_result: answer.result,
        })
    }

    pub(crate) fn revoke_token(
        &self,
        ctx: &RequestContext,
        input: RevokeTokenRequest,
    ) -> Result<RevokeTokenResponse, CognitoError> {
        let pool_id = self.client_pool(&input.client_id)?;
        self.store.update(&pool_id, |pool| {
            let client = pool.client(&input.client_id)?.clone();
            // `RevokeToken` knows no `NotAuthorizedException`: a client that fails to
            // authenticate is unauthorized.
            check_client_secret(&client, input.client_secret.as_deref())
                .map_err(|e| CognitoError::new(ErrorKind::UnauthorizedException, e.message))?;
            if client.config.enable_token_revocation == Some(false) {
                return Err(CognitoError::new(
                    ErrorKind::UnsupportedOperationException,
                    "Token revocation is not enabled for this client.",
                ));
            }
            // Only refresh tokens are revoked; access and ID tokens are JWTs.
            if cognito_crypto::jwt::danger_decode_unverified(&input.token).is_ok() {
                return Err(CognitoError::new(
                    ErrorKind::UnsupportedTokenTypeException,
                    "Only refresh tokens can be revoked.",
                ));
            }
            let grant = pool
                .tokens
                .grants
                .lookup(&input.token, ctx.now)
                .map(|(g, _)| (g.client_id.clone(), g.origin_jti.clone()));
            match grant {
                Some((client, origin)) if client == input.client_id => {
                    pool.tokens.grants.revoke(&origin)
                }
                Some(_) => {
                    return Err(CognitoError::new(
                        ErrorKind::UnauthorizedException,
                        "The token was not issued to this client.",
                    ))
                }
                // An unknown token is already as revoked as it can be (RFC 7009 §2.2).
                None => {}
            }
            Ok(RevokeTokenResponse {})
        })
    }

    pub(crate) fn global_sign_out(
        &self,
        ctx: &RequestContext,
        input: GlobalSignOutRequest,
    ) -> Result<GlobalSignOutResponse, CognitoError> {
        let token = self.verify_access_token(ctx, &input.access_token)?;
        self.store.update(&token.pool_id, |pool| {
            sign_out(pool, &token.user_key, ctx.now);
            Ok(())
        })?;
        Ok(GlobalSignOutResponse {})
    }

    pub(crate) fn admin_user_global_sign_out(
        &self,
        ctx: &RequestContext,
        input: AdminUserGlobalSignOutRequest,
    ) -> Result<AdminUserGlobalSignOutResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            let key = pool.user_key_of(&input.username)?;
            sign_out(pool, &key, ctx.now);
            Ok(AdminUserGlobalSignOutResponse {})
        })
    }
}

/// Revokes every token of `user_key`.
fn sign_out(pool: &mut PoolState, user_key: &str, now: Timestamp) {
    pool.tokens.grants.revoke_user(user_key);
    pool.users
        .update(user_key, |u| u.sign_in.tokens_valid_after = Some(now));
}

/// Checks a client secret sent in the clear (`GetTokensFromRefreshToken`, `RevokeToken`).
fn check_client_secret(client: &ClientState, sent: Option<&str>) -> Result<(), CognitoError> {
    if client.secrets.is_empty() {
        return Ok(());
    }
    let ok = sent.is_some_and(|s| client.secrets.iter().any(|c| c.value == s));
    if ok {
        Ok(())
    } else {
        Err(not_authorized(format!(
            "Client {} is configured with secret but the secret was not received or is wrong",
            client.id()
        )))
    }
}
