//! Scenarios of tokens after sign-in: refreshing with `GetTokensFromRefreshToken` (with
//! and without rotation), revoking a refresh token, signing a user out everywhere, and
//! the pool's signing certificate.

use base64::Engine as _;
use serde_json::{json, Value};

use super::sign_in::{app_client, claims, password_sign_in, signed_in, signed_in_with, Account};
use super::users::PASSWORD;
use super::{at, create_pool, ensure, ensure_eq, str_at, unknown_pool_id, Ctx, Scenario};

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        operation: "GetTokensFromRefreshToken",
        name: "basic",
        run: refresh_basic,
    },
    Scenario {
        operation: "GetTokensFromRefreshToken",
        name: "rotation",
        run: refresh_rotation,
    },
    Scenario {
        operation: "GetTokensFromRefreshToken",
        name: "rotation-grace-period",
        run: refresh_rotation_grace,
    },
    Scenario {
        operation: "RevokeToken",
        name: "basic",
        run: revoke_basic,
    },
    Scenario {
        operation: "RevokeToken",
        name: "other-client",
        run: revoke_other_client,
    },
    Scenario {
        operation: "RevokeToken",
        name: "access-token",
        run: revoke_access_token,
    },
    Scenario {
        operation: "GlobalSignOut",
        name: "basic",
        run: global_sign_out_basic,
    },
    Scenario {
        operation: "AdminUserGlobalSignOut",
        name: "basic",
        run: admin_sign_out_basic,
    },
    Scenario {
        operation: "AdminUserGlobalSignOut",
        name: "unknown-user",
        run: admin_sign_out_unknown,
    },
    Scenario {
        operation: "GetSigningCertificate",
        name: "basic",
        run: certificate_basic,
    },
    Scenario {
        operation: "GetSigningCertificate",
        name: "unknown-pool",
        run: certificate_unknown_pool,
    },
];

/// The settings of an app client that rotates refresh tokens, with a retry grace period
/// of `grace` seconds. Such a client refreshes only through `GetTokensFromRefreshToken`,
/// so it leaves `ALLOW_REFRESH_TOKEN_AUTH` out.
fn rotating_client(grace: u32) -> Value {
    json!({
        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"],
        "RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": grace},
    })
}

/// `GetTokensFromRefreshToken` for `refresh_token` through `client`; returns the
/// `AuthenticationResult`.
fn refresh(ctx: &Ctx, client: &str, refresh_token: &str) -> Result<Value, String> {
    let out = ctx.call(
        "GetTokensFromRefreshToken",
        json!({"ClientId": client, "RefreshToken": refresh_token}),
    )?;
    at(&out, "/AuthenticationResult").cloned()
}

/// Requires `refresh_token` to be refused; returns the message.
fn refresh_refused(ctx: &Ctx, client: &str, refresh_token: &str) -> Result<String, String> {
    ctx.call_err(
        "GetTokensFromRefreshToken",
        json!({"ClientId": client, "RefreshToken": refresh_token}),
        "NotAuthorizedException",
    )
}

/// Requires the access token to be refused by `GetUser`.
fn access_refused(ctx: &Ctx, access_token: &str) -> Result<(), String> {
    ctx.call_err(
        "GetUser",
        json!({"AccessToken": access_token}),
        "NotAuthorizedException",
    )
    .map(drop)
}

fn get_user(ctx: &Ctx, access_token: &str) -> Result<Value, String> {
    ctx.call("GetUser", json!({"AccessToken": access_token}))
}

fn refresh_basic(ctx: &Ctx) -> Result<(), String> {
    let account = signed_in(ctx)?;
    let result = refresh(ctx, &account.client, account.refresh_token()?)?;
    ensure_eq(str_at(&result, "/TokenType")?, "Bearer", "TokenType")?;
    ensure_eq(at(&result, "/ExpiresIn")?, &json!(3600), "ExpiresIn")?;
    ensure_eq(
        result.get("RefreshToken"),
        None,
        "RefreshToken without rotation",
    )?;
    let access = str_at(&result, "/AccessToken")?;
    let before = claims(account.access_token()?)?;
    let after = claims(access)?;
    ensure_eq(
        at(&after, "/origin_jti")?,
        at(&before, "/origin_jti")?,
        "origin_jti",
    )?;
    ensure_eq(
        str_at(&get_user(ctx, access)?, "/Username")?,
        "alice",
        "Username",
    )?;
    let id = claims(str_at(&result, "/IdToken")?)?;
    ensure_eq(str_at(&id, "/email")?, "alice@example.com", "ID email")?;
    // Without rotation the refresh token keeps working.
    refresh(ctx, &account.client, account.refresh_token()?).map(drop)
}

fn refresh_rotation(ctx: &Ctx) -> Result<(), String> {
    let account = signed_in_with(ctx, json!({}), rotating_client(0), json!({}))?;
    let old = account.refresh_token()?;
    let result = refresh(ctx, &account.client, old)?;
    let new = str_at(&result, "/RefreshToken")?;
    ensure(new != old, || {
        "the rotated refresh token is the old one".to_string()
    })?;
    get_user(ctx, str_at(&result, "/AccessToken")?)?;
    // The old refresh token is spent, and known as such; the new one works, once.
    reused(ctx, &account.client, old)?;
    let next = refresh(ctx, &account.client, new)?;
    str_at(&next, "/RefreshToken")?;
    reused(ctx, &account.client, new)?;
    // The session goes on with each token: one sign-in's access tokens share an origin.
    let first = claims(account.access_token()?)?;
    let last = claims(str_at(&next, "/AccessToken")?)?;
    ensure_eq(
        at(&last, "/origin_jti")?,
        at(&first, "/origin_jti")?,
        "origin_jti",
    )
}

/// Requires `refresh_token` to be refused as one rotation replaced.
fn reused(ctx: &Ctx, client: &str, refresh_token: &str) -> Result<(), String> {
    ctx.call_err(
        "GetTokensFromRefreshToken",
        json!({"ClientId": client, "RefreshToken": refresh_token}),
        "RefreshTokenReuseException",
    )
    .map(drop)
}

fn refresh_rotation_grace(ctx: &Ctx) -> Result<(), String> {
    let account = signed_in_with(ctx, json!({}), rotating_client(60), json!({}))?;
    let old = account.refresh_token()?;
    let first = refresh(ctx, &account.client, old)?;
    // A retry within the grace period, as after a lost answer, works too.
    let retried = refresh(ctx, &account.client, old)?;
    let (a, b) = (
        str_at(&first, "/RefreshToken")?,
        str_at(&retried, "/RefreshToken")?,
    );
    ensure(a != b && a != old && b != old, || {
        "each rotation must give a new refresh token".to_string()
    })?;
    refresh(ctx, &account.client, b).map(drop)
}

fn revoke(ctx: &Ctx, account: &Account, token: &str) -> Result<(), String> {
    let out = ctx.call(
        "RevokeToken",
        json!({"ClientId": account.client, "Token": token}),
    )?;
    ensure_eq(&out, &json!({}), "RevokeToken answer")
}

fn revoke_basic(ctx: &Ctx) -> Result<(), String> {
    let account = signed_in(ctx)?;
    let other = account.sign_in_again(ctx, PASSWORD)?;
    revoke(ctx, &account, account.refresh_token()?)?;
    let message = refresh_refused(ctx, &account.client, account.refresh_token()?)?;
    ensure_eq(
        message.as_str(),
        "Refresh Token has been revoked",
        "message",
    )?;
    // The access token of that sign-in goes with it; another sign-in's stays.
    access_refused(ctx, account.access_token()?)?;
    get_user(ctx, str_at(&other, "/AccessToken")?)?;
    refresh(ctx, &account.client, str_at(&other, "/RefreshToken")?)?;
    // Revoking again changes nothing and is no error.
    revoke(ctx, &account, account.refresh_token()?)
}

fn revoke_other_client(ctx: &Ctx) -> Result<(), String> {
    let account = signed_in(ctx)?;
    let other = app_client(ctx, &account.pool.id, json!({}))?;
    ctx.call_err(
        "RevokeToken",
        json!({"ClientId": other, "Token": account.refresh_token()?}),
        "UnauthorizedException",
    )?;
    refresh(ctx, &account.client, account.refresh_token()?).map(drop)
}

fn revoke_access_token(ctx: &Ctx) -> Result<(), String> {
    let account = signed_in(ctx)?;
    // Only refresh tokens are revoked.
    ctx.call_err(
        "RevokeToken",
        json!({"ClientId": account.client, "Token": account.access_token()?}),
        "UnsupportedTokenTypeException",
    )?;
    get_user(ctx, account.access_token()?).map(drop)
}

fn global_sign_out_basic(ctx: &Ctx) -> Result<(), String> {
    let account = signed_in(ctx)?;
    let other = account.sign_in_again(ctx, PASSWORD)?;
    let out = ctx.call(
        "GlobalSignOut",
        json!({"AccessToken": account.access_token()?}),
    )?;
    ensure_eq(&out, &json!({}), "GlobalSignOut answer")?;
    // Every sign-in is over: access tokens and refresh tokens alike.
    access_refused(ctx, account.access_token()?)?;
    access_refused(ctx, str_at(&other, "/AccessToken")?)?;
    refresh_refused(ctx, &account.client, account.refresh_token()?)?;
    refresh_refused(ctx, &account.client, str_at(&other, "/RefreshToken")?)?;
    // Signing in again works at once.
    let fresh = account.sign_in_again(ctx, PASSWORD)?;
    get_user(ctx, str_at(&fresh, "/AccessToken")?).map(drop)
}

fn admin_sign_out_basic(ctx: &Ctx) -> Result<(), String> {
    let account = signed_in(ctx)?;
    let input = json!({"UserPoolId": account.pool.id, "Username": account.username});
    let out = ctx.call("AdminUserGlobalSignOut", input)?;
    ensure_eq(&out, &json!({}), "AdminUserGlobalSignOut answer")?;
    access_refused(ctx, account.access_token()?)?;
    refresh_refused(ctx, &account.client, account.refresh_token()?)?;
    let fresh = password_sign_in(ctx, &account.client, &account.username, PASSWORD)?;
    get_user(ctx, str_at(&fresh, "/AccessToken")?).map(drop)
}

fn admin_sign_out_unknown(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    ctx.call_err(
        "AdminUserGlobalSignOut",
        json!({"UserPoolId": pool.id, "Username": "nobody"}),
        "UserNotFoundException",
    )?;
    ctx.call_err(
        "AdminUserGlobalSignOut",
        json!({"UserPoolId": unknown_pool_id(), "Username": "nobody"}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

/// The DER bytes of a PEM certificate.
fn pem_der(pem: &str) -> Result<Vec<u8>, String> {
    let body = pem
        .trim_end()
        .strip_prefix("-----BEGIN CERTIFICATE-----")
        .and_then(|b| b.strip_suffix("-----END CERTIFICATE-----"))
        .ok_or_else(|| format!("{pem:?} is not a PEM certificate"))?;
    let base64: String = body.split_whitespace().collect();
    base64::engine::general_purpose::STANDARD
        .decode(base64)
        .map_err(|e| format!("the certificate is not base64: {e}"))
}

fn certificate_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let input = json!({"UserPoolId": pool.id});
    let out = ctx.call("GetSigningCertificate", input.clone())?;
    let pem = str_at(&out, "/Certificate")?;
    let der = pem_der(pem)?;
    // A DER SEQUENCE, as every X.509 certificate is.
    ensure_eq(der.first(), Some(&0x30), "the certificate's first DER byte")?;
    let again = ctx.call("GetSigningCertificate", input)?;
    ensure_eq(str_at(&again, "/Certificate")?, pem, "a second answer")?;

    // It carries the key the pool signs tokens with.
    let r = ctx.get(&format!("/{}/.well-known/jwks.json", pool.id))?;
    ensure_eq(r.status, 200, "the key set's status")?;
    let jwks = r.json()?;
    let modulus = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(str_at(&jwks, "/keys/0/n")?)
        .map_err(|e| format!("the key's n is not base64url: {e}"))?;
    ensure(
        !modulus.is_empty() && der.windows(modulus.len()).any(|w| w == modulus),
        || "the certificate does not hold the key set's RSA modulus".to_string(),
    )
}

fn certificate_unknown_pool(ctx: &Ctx) -> Result<(), String> {
    ctx.call_err(
        "GetSigningCertificate",
        json!({"UserPoolId": unknown_pool_id()}),
        "ResourceNotFoundException",
    )
    .map(drop)
}
