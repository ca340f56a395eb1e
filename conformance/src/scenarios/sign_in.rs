//! Scenarios of signing in: the password and SRP flows of `InitiateAuth` and
//! `AdminInitiateAuth`, refreshing with `REFRESH_TOKEN_AUTH`, and answering the
//! `NEW_PASSWORD_REQUIRED` and `PASSWORD_VERIFIER` challenges.
//!
//! The helpers here (an app client with every flow on, a signed-in user, the claims of a
//! token) serve the other families that start from a signed-in user.

use base64::Engine as _;
use serde_json::{json, Value};

use super::users::{confirm_user, create_user, status_of, PASSWORD};
use super::{at, create_pool, create_pool_with, ensure, ensure_eq, matches, str_at, unique};
use super::{Ctx, Pool, Scenario};

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        operation: "InitiateAuth",
        name: "user-password",
        run: initiate_user_password,
    },
    Scenario {
        operation: "InitiateAuth",
        name: "wrong-password",
        run: initiate_wrong_password,
    },
    Scenario {
        operation: "InitiateAuth",
        name: "unknown-user",
        run: initiate_unknown_user,
    },
    Scenario {
        operation: "InitiateAuth",
        name: "flow-not-enabled",
        run: initiate_flow_not_enabled,
    },
    Scenario {
        operation: "InitiateAuth",
        name: "admin-flow",
        run: initiate_admin_flow,
    },
    Scenario {
        operation: "InitiateAuth",
        name: "refresh-token",
        run: initiate_refresh,
    },
    Scenario {
        operation: "InitiateAuth",
        name: "srp",
        run: initiate_srp,
    },
    Scenario {
        operation: "InitiateAuth",
        name: "temporary-password",
        run: initiate_temporary_password,
    },
    Scenario {
        operation: "AdminInitiateAuth",
        name: "admin-user-password",
        run: admin_initiate_password,
    },
    Scenario {
        operation: "AdminInitiateAuth",
        name: "new-password-required",
        run: admin_initiate_new_password,
    },
    Scenario {
        operation: "AdminInitiateAuth",
        name: "disabled-user",
        run: admin_initiate_disabled,
    },
    Scenario {
        operation: "AdminInitiateAuth",
        name: "refresh-token",
        run: admin_initiate_refresh,
    },
    Scenario {
        operation: "RespondToAuthChallenge",
        name: "new-password",
        run: respond_new_password,
    },
    Scenario {
        operation: "RespondToAuthChallenge",
        name: "weak-new-password",
        run: respond_weak_password,
    },
    Scenario {
        operation: "RespondToAuthChallenge",
        name: "srp-wrong-signature",
        run: respond_srp_wrong_signature,
    },
    Scenario {
        operation: "AdminRespondToAuthChallenge",
        name: "new-password",
        run: admin_respond_new_password,
    },
    Scenario {
        operation: "AdminRespondToAuthChallenge",
        name: "unknown-session",
        run: admin_respond_unknown_session,
    },
];

/// The flows [`app_client`] turns on.
const FLOWS: [&str; 4] = [
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
];

/// A temporary password an administrator sets.
const TEMPORARY: &str = "Tempor4ry-Pass!";

/// Another password that satisfies the default policy.
pub const NEW_PASSWORD: &str = "Batt3ry-Staple!";

/// The message of a refused password, an unknown user hidden as one, and a failed SRP
/// proof.
pub const INCORRECT: &str = "Incorrect username or password.";

/// An SRP `A` below the 3072-bit group's prime and no multiple of it.
pub fn srp_a() -> String {
    "ab".repeat(384)
}

/// Creates an app client in `pool` with every flow a scenario signs in with, and
/// `settings` merged into the request; returns its id.
pub fn app_client(ctx: &Ctx, pool: &str, settings: Value) -> Result<String, String> {
    let mut input = json!({
        "UserPoolId": pool,
        "ClientName": unique("app"),
        "ExplicitAuthFlows": FLOWS,
    });
    if let (Some(i), Some(s)) = (input.as_object_mut(), settings.as_object()) {
        i.extend(s.clone());
    }
    let out = ctx.call("CreateUserPoolClient", input)?;
    str_at(&out, "/UserPoolClient/ClientId").map(str::to_string)
}

/// Creates `username` with `attributes` and the permanent password [`PASSWORD`].
pub fn confirmed_user(
    ctx: &Ctx,
    pool: &str,
    username: &str,
    attributes: Value,
) -> Result<(), String> {
    create_user(ctx, pool, username, attributes)?;
    confirm_user(ctx, pool, username)
}

/// Creates `username` with the temporary password [`TEMPORARY`], as an administrator
/// invites a user.
fn invited_user(ctx: &Ctx, pool: &str, username: &str) -> Result<(), String> {
    ctx.call(
        "AdminCreateUser",
        json!({
            "UserPoolId": pool,
            "Username": username,
            "TemporaryPassword": TEMPORARY,
            "MessageAction": "SUPPRESS",
            "UserAttributes": [{"Name": "email", "Value": format!("{username}@example.com")}],
        }),
    )
    .map(drop)
}

/// Signs `username` in through `client` with `USER_PASSWORD_AUTH`; returns the
/// `AuthenticationResult`.
pub fn password_sign_in(
    ctx: &Ctx,
    client: &str,
    username: &str,
    password: &str,
) -> Result<Value, String> {
    let out = ctx.call(
        "InitiateAuth",
        json!({
            "ClientId": client,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": username, "PASSWORD": password},
        }),
    )?;
    at(&out, "/AuthenticationResult").cloned()
}

/// A user signed in through an app client.
pub struct Account {
    pub pool: Pool,
    pub client: String,
    pub username: String,
    /// The `AuthenticationResult` of the sign-in.
    pub tokens: Value,
}

impl Account {
    pub fn access_token(&self) -> Result<&str, String> {
        str_at(&self.tokens, "/AccessToken")
    }

    pub fn refresh_token(&self) -> Result<&str, String> {
        str_at(&self.tokens, "/RefreshToken")
    }

    /// Signs the same user in again; returns the new `AuthenticationResult`.
    pub fn sign_in_again(&self, ctx: &Ctx, password: &str) -> Result<Value, String> {
        password_sign_in(ctx, &self.client, &self.username, password)
    }
}

/// `alice`, with `attributes`, signed in to a new pool made with `pool_settings` through
/// an app client made with `client_settings`.
pub fn signed_in_with(
    ctx: &Ctx,
    pool_settings: Value,
    client_settings: Value,
    attributes: Value,
) -> Result<Account, String> {
    let pool = create_pool_with(ctx, "signin", pool_settings)?;
    let client = app_client(ctx, &pool.id, client_settings)?;
    let username = "alice".to_string();
    confirmed_user(ctx, &pool.id, &username, attributes)?;
    let tokens = password_sign_in(ctx, &client, &username, PASSWORD)?;
    Ok(Account {
        pool,
        client,
        username,
        tokens,
    })
}

/// `alice`, with an email address, signed in to a new pool with default settings.
pub fn signed_in(ctx: &Ctx) -> Result<Account, String> {
    signed_in_with(
        ctx,
        json!({}),
        json!({}),
        json!({"email": "alice@example.com"}),
    )
}

/// The claims of a JSON Web Token, read without checking its signature.
pub fn claims(token: &str) -> Result<Value, String> {
    let part = |n: usize| {
        token
            .split('.')
            .nth(n)
            .ok_or_else(|| format!("{token:?} is not a JSON Web Token"))
    };
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part(1)?)
        .map_err(|e| format!("the token's payload is not base64url: {e}"))?;
    ensure(part(3).is_err() && part(2).is_ok(), || {
        format!("{token:?} does not have three parts")
    })?;
    serde_json::from_slice(&payload).map_err(|e| format!("the token's payload is not JSON: {e}"))
}

/// Checks a whole `AuthenticationResult` of a sign-in of `username` through `client` of
/// `pool`: a bearer access token good for an hour, an ID token and a refresh token.
pub fn check_tokens(
    result: &Value,
    pool: &str,
    client: &str,
    username: &str,
) -> Result<(), String> {
    ensure_eq(str_at(result, "/TokenType")?, "Bearer", "TokenType")?;
    ensure_eq(at(result, "/ExpiresIn")?, &json!(3600), "ExpiresIn")?;
    str_at(result, "/RefreshToken")?;
    let issuer = |claims: &Value| -> Result<(), String> {
        let iss = str_at(claims, "/iss")?;
        ensure(iss.ends_with(&format!("/{pool}")), || {
            format!("iss {iss} does not name the pool {pool}")
        })
    };

    let access = claims(str_at(result, "/AccessToken")?)?;
    ensure_eq(str_at(&access, "/token_use")?, "access", "access token_use")?;
    ensure_eq(str_at(&access, "/client_id")?, client, "access client_id")?;
    ensure_eq(str_at(&access, "/username")?, username, "access username")?;
    let scope = str_at(&access, "/scope")?;
    ensure(
        scope
            .split(' ')
            .any(|s| s == "aws.cognito.signin.user.admin"),
        || format!("access scope {scope:?} lacks aws.cognito.signin.user.admin"),
    )?;
    issuer(&access)?;
    let lifetime = at(&access, "/exp")?
        .as_i64()
        .zip(at(&access, "/iat")?.as_i64());
    ensure_eq(
        lifetime.map(|(exp, iat)| exp - iat),
        Some(3600),
        "access exp - iat",
    )?;

    let id = claims(str_at(result, "/IdToken")?)?;
    ensure_eq(str_at(&id, "/token_use")?, "id", "ID token_use")?;
    ensure_eq(str_at(&id, "/aud")?, client, "ID aud")?;
    ensure_eq(
        str_at(&id, "/cognito:username")?,
        username,
        "ID cognito:username",
    )?;
    ensure_eq(str_at(&id, "/sub")?, str_at(&access, "/sub")?, "ID sub")?;
    issuer(&id)
}

/// The time now on the server's clock, from the `Date` header of its answer, as an SRP
/// `TIMESTAMP` (`Tue Mar 3 09:05:07 UTC 2026`).
pub fn server_timestamp(ctx: &Ctx) -> Result<String, String> {
    let r = ctx.get("/health")?;
    let date = r
        .header("date")
        .ok_or_else(|| format!("the answer has no Date header: {r}"))?;
    // An HTTP date: `Tue, 03 Mar 2026 09:05:07 GMT`.
    let fields: Vec<&str> = date.split_whitespace().collect();
    let [weekday, day, month, year, time, "GMT"] = fields.as_slice() else {
        return Err(format!("Date {date:?} is not an HTTP date"));
    };
    let weekday = weekday.trim_end_matches(',');
    let day = day.trim_start_matches('0');
    Ok(format!("{weekday} {month} {day} {time} UTC {year}"))
}

fn initiate_user_password(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = app_client(ctx, &pool.id, json!({}))?;
    confirmed_user(
        ctx,
        &pool.id,
        "alice",
        json!({"email": "alice@example.com"}),
    )?;
    let out = ctx.call(
        "InitiateAuth",
        json!({
            "ClientId": client,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD},
        }),
    )?;
    for absent in ["ChallengeName", "Session", "ChallengeParameters"] {
        ensure_eq(out.get(absent), None, absent)?;
    }
    let result = at(&out, "/AuthenticationResult")?;
    check_tokens(result, &pool.id, &client, "alice")?;
    let id = claims(str_at(result, "/IdToken")?)?;
    ensure_eq(str_at(&id, "/email")?, "alice@example.com", "ID email")?;
    // The token works where a signed-in user's operations take one.
    let token = str_at(result, "/AccessToken")?;
    let user = ctx.call("GetUser", json!({"AccessToken": token}))?;
    ensure_eq(str_at(&user, "/Username")?, "alice", "GetUser Username")
}

fn initiate_wrong_password(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = app_client(ctx, &pool.id, json!({}))?;
    confirmed_user(ctx, &pool.id, "alice", json!({}))?;
    let message = ctx.call_err(
        "InitiateAuth",
        json!({
            "ClientId": client,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": NEW_PASSWORD},
        }),
        "NotAuthorizedException",
    )?;
    ensure_eq(message.as_str(), INCORRECT, "message")?;
    // A failure does not lock the right password out.
    password_sign_in(ctx, &client, "alice", PASSWORD).map(drop)
}

fn initiate_unknown_user(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let input = |client: &str| {
        json!({
            "ClientId": client,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "nobody", "PASSWORD": PASSWORD},
        })
    };
    let legacy = app_client(
        ctx,
        &pool.id,
        json!({"PreventUserExistenceErrors": "LEGACY"}),
    )?;
    ctx.call_err("InitiateAuth", input(&legacy), "UserNotFoundException")?;
    // A client that hides which users exist answers as for a wrong password.
    let hiding = app_client(
        ctx,
        &pool.id,
        json!({"PreventUserExistenceErrors": "ENABLED"}),
    )?;
    let message = ctx.call_err("InitiateAuth", input(&hiding), "NotAuthorizedException")?;
    ensure_eq(message.as_str(), INCORRECT, "message")
}

fn initiate_flow_not_enabled(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = app_client(
        ctx,
        &pool.id,
        json!({"ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )?;
    confirmed_user(ctx, &pool.id, "alice", json!({}))?;
    let message = ctx.call_err(
        "InitiateAuth",
        json!({
            "ClientId": client,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD},
        }),
        "InvalidParameterException",
    )?;
    ensure(message.contains("USER_PASSWORD_AUTH"), || {
        format!("the message {message:?} does not name the flow")
    })
}

fn initiate_admin_flow(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = app_client(ctx, &pool.id, json!({}))?;
    confirmed_user(ctx, &pool.id, "alice", json!({}))?;
    // The administrators' flow is not for the public operation, even where the client
    // allows it.
    ctx.call_err(
        "InitiateAuth",
        json!({
            "ClientId": client,
            "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD},
        }),
        "InvalidParameterException",
    )
    .map(drop)
}

fn initiate_refresh(ctx: &Ctx) -> Result<(), String> {
    let account = signed_in(ctx)?;
    let out = ctx.call(
        "InitiateAuth",
        json!({
            "ClientId": account.client,
            "AuthFlow": "REFRESH_TOKEN_AUTH",
            "AuthParameters": {"REFRESH_TOKEN": account.refresh_token()?},
        }),
    )?;
    let result = at(&out, "/AuthenticationResult")?;
    ensure_eq(str_at(result, "/TokenType")?, "Bearer", "TokenType")?;
    ensure_eq(at(result, "/ExpiresIn")?, &json!(3600), "ExpiresIn")?;
    ensure_eq(
        result.get("RefreshToken"),
        None,
        "RefreshToken of a refresh without rotation",
    )?;
    let old = claims(account.access_token()?)?;
    let new = claims(str_at(result, "/AccessToken")?)?;
    ensure_eq(at(&new, "/sub")?, at(&old, "/sub")?, "sub")?;
    ensure_eq(
        at(&new, "/origin_jti")?,
        at(&old, "/origin_jti")?,
        "origin_jti",
    )?;
    ensure_eq(
        at(&new, "/auth_time")?,
        at(&old, "/auth_time")?,
        "auth_time",
    )?;
    let id = claims(str_at(result, "/IdToken")?)?;
    ensure_eq(str_at(&id, "/aud")?, account.client.as_str(), "ID aud")?;

    // A refresh token it never issued is refused.
    ctx.call_err(
        "InitiateAuth",
        json!({
            "ClientId": account.client,
            "AuthFlow": "REFRESH_TOKEN_AUTH",
            "AuthParameters": {"REFRESH_TOKEN": "not-a-refresh-token"},
        }),
        "NotAuthorizedException",
    )
    .map(drop)
}

/// Starts `USER_SRP_AUTH` for `username`; returns the answer.
fn start_srp(ctx: &Ctx, client: &str, username: &str) -> Result<Value, String> {
    ctx.call(
        "InitiateAuth",
        json!({
            "ClientId": client,
            "AuthFlow": "USER_SRP_AUTH",
            "AuthParameters": {"USERNAME": username, "SRP_A": srp_a()},
        }),
    )
}

fn initiate_srp(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = app_client(ctx, &pool.id, json!({}))?;
    confirmed_user(ctx, &pool.id, "alice", json!({}))?;
    let out = start_srp(ctx, &client, "alice")?;
    ensure_eq(
        str_at(&out, "/ChallengeName")?,
        "PASSWORD_VERIFIER",
        "ChallengeName",
    )?;
    ensure_eq(
        out.get("AuthenticationResult"),
        None,
        "AuthenticationResult",
    )?;
    let params = at(&out, "/ChallengeParameters")?;
    let salt = str_at(params, "/SALT")?;
    ensure(matches("^[0-9a-f]+$", salt)?, || {
        format!("SALT {salt:?} is not hex")
    })?;
    let srp_b = str_at(params, "/SRP_B")?;
    ensure(matches("^[0-9a-f]{700,800}$", srp_b)?, || {
        format!("SRP_B {srp_b:?} is not a 3072-bit number in hex")
    })?;
    let block = str_at(params, "/SECRET_BLOCK")?;
    base64::engine::general_purpose::STANDARD
        .decode(block)
        .map_err(|e| format!("SECRET_BLOCK is not base64: {e}"))?;
    ensure_eq(
        str_at(params, "/USER_ID_FOR_SRP")?,
        "alice",
        "USER_ID_FOR_SRP",
    )?;
    ensure_eq(str_at(params, "/USERNAME")?, "alice", "USERNAME")?;

    // A new sign-in answers with new values.
    let again = start_srp(ctx, &client, "alice")?;
    ensure(
        str_at(&again, "/ChallengeParameters/SRP_B")? != srp_b,
        || "two sign-ins were given the same SRP_B".to_string(),
    )?;
    ensure(
        str_at(&again, "/ChallengeParameters/SECRET_BLOCK")? != block,
        || "two sign-ins were given the same SECRET_BLOCK".to_string(),
    )?;
    ensure_eq(
        str_at(&again, "/ChallengeParameters/SALT")?,
        salt,
        "SALT of the same password",
    )
}

fn initiate_temporary_password(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = app_client(ctx, &pool.id, json!({}))?;
    invited_user(ctx, &pool.id, "carol")?;
    let out = ctx.call(
        "InitiateAuth",
        json!({
            "ClientId": client,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "carol", "PASSWORD": TEMPORARY},
        }),
    )?;
    check_new_password_challenge(&out, "carol").map(drop)
}

/// Checks a `NEW_PASSWORD_REQUIRED` answer for `username`; returns its session.
fn check_new_password_challenge(out: &Value, username: &str) -> Result<String, String> {
    ensure_eq(
        str_at(out, "/ChallengeName")?,
        "NEW_PASSWORD_REQUIRED",
        "ChallengeName",
    )?;
    ensure_eq(
        out.get("AuthenticationResult"),
        None,
        "AuthenticationResult",
    )?;
    let params = at(out, "/ChallengeParameters")?;
    ensure_eq(
        str_at(params, "/USER_ID_FOR_SRP")?,
        username,
        "USER_ID_FOR_SRP",
    )?;
    let required: Value = serde_json::from_str(str_at(params, "/requiredAttributes")?)
        .map_err(|e| format!("requiredAttributes is not JSON: {e}"))?;
    ensure_eq(&required, &json!([]), "requiredAttributes")?;
    let attributes: Value = serde_json::from_str(str_at(params, "/userAttributes")?)
        .map_err(|e| format!("userAttributes is not JSON: {e}"))?;
    ensure_eq(
        attributes.get("email").and_then(Value::as_str),
        Some(format!("{username}@example.com").as_str()),
        "userAttributes email",
    )?;
    str_at(out, "/Session").map(str::to_string)
}

/// Starts `ADMIN_USER_PASSWORD_AUTH`; returns the answer.
fn admin_sign_in(
    ctx: &Ctx,
    pool: &str,
    client: &str,
    username: &str,
    password: &str,
) -> Result<Value, String> {
    ctx.call(
        "AdminInitiateAuth",
        json!({
            "UserPoolId": pool,
            "ClientId": client,
            "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": username, "PASSWORD": password},
        }),
    )
}

fn admin_initiate_password(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = app_client(ctx, &pool.id, json!({}))?;
    confirmed_user(ctx, &pool.id, "alice", json!({}))?;
    let out = admin_sign_in(ctx, &pool.id, &client, "alice", PASSWORD)?;
    ensure_eq(out.get("ChallengeName"), None, "ChallengeName")?;
    check_tokens(
        at(&out, "/AuthenticationResult")?,
        &pool.id,
        &client,
        "alice",
    )?;
    let message = ctx.call_err(
        "AdminInitiateAuth",
        json!({
            "UserPoolId": pool.id,
            "ClientId": client,
            "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": NEW_PASSWORD},
        }),
        "NotAuthorizedException",
    )?;
    ensure_eq(message.as_str(), INCORRECT, "message")?;
    // The public flow is not for the administrators' operation.
    ctx.call_err(
        "AdminInitiateAuth",
        json!({
            "UserPoolId": pool.id,
            "ClientId": client,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD},
        }),
        "InvalidParameterException",
    )
    .map(drop)
}

fn admin_initiate_new_password(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = app_client(ctx, &pool.id, json!({}))?;
    invited_user(ctx, &pool.id, "carol")?;
    let out = admin_sign_in(ctx, &pool.id, &client, "carol", TEMPORARY)?;
    check_new_password_challenge(&out, "carol")?;
    // Until the challenge is answered, the user must still change its password.
    ensure_eq(
        status_of(ctx, &pool.id, "carol")?.as_str(),
        "FORCE_CHANGE_PASSWORD",
        "UserStatus",
    )
}

fn admin_initiate_disabled(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = app_client(ctx, &pool.id, json!({}))?;
    confirmed_user(ctx, &pool.id, "alice", json!({}))?;
    ctx.call(
        "AdminDisableUser",
        json!({"UserPoolId": pool.id, "Username": "alice"}),
    )?;
    let message = ctx.call_err(
        "AdminInitiateAuth",
        json!({
            "UserPoolId": pool.id,
            "ClientId": client,
            "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD},
        }),
        "NotAuthorizedException",
    )?;
    ensure_eq(message.as_str(), "User is disabled.", "message")
}

fn admin_initiate_refresh(ctx: &Ctx) -> Result<(), String> {
    let account = signed_in(ctx)?;
    let out = ctx.call(
        "AdminInitiateAuth",
        json!({
            "UserPoolId": account.pool.id,
            "ClientId": account.client,
            "AuthFlow": "REFRESH_TOKEN_AUTH",
            "AuthParameters": {"REFRESH_TOKEN": account.refresh_token()?},
        }),
    )?;
    let access = claims(str_at(&out, "/AuthenticationResult/AccessToken")?)?;
    ensure_eq(str_at(&access, "/username")?, "alice", "username")?;
    // A refresh token belongs to the client it was issued to.
    let other = app_client(ctx, &account.pool.id, json!({}))?;
    ctx.call_err(
        "AdminInitiateAuth",
        json!({
            "UserPoolId": account.pool.id,
            "ClientId": other,
            "AuthFlow": "REFRESH_TOKEN_AUTH",
            "AuthParameters": {"REFRESH_TOKEN": account.refresh_token()?},
        }),
        "NotAuthorizedException",
    )
    .map(drop)
}

/// The answer to a `NEW_PASSWORD_REQUIRED` challenge for `username`.
fn new_password_responses(username: &str, password: &str) -> Value {
    json!({"USERNAME": username, "NEW_PASSWORD": password})
}

fn respond_new_password(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = app_client(ctx, &pool.id, json!({}))?;
    invited_user(ctx, &pool.id, "carol")?;
    let started = password_start(ctx, &client, "carol", TEMPORARY)?;
    let session = check_new_password_challenge(&started, "carol")?;
    let input = json!({
        "ClientId": client,
        "ChallengeName": "NEW_PASSWORD_REQUIRED",
        "Session": session,
        "ChallengeResponses": new_password_responses("carol", NEW_PASSWORD),
    });
    let out = ctx.call("RespondToAuthChallenge", input.clone())?;
    ensure_eq(out.get("ChallengeName"), None, "ChallengeName")?;
    check_tokens(
        at(&out, "/AuthenticationResult")?,
        &pool.id,
        &client,
        "carol",
    )?;
    ensure_eq(
        status_of(ctx, &pool.id, "carol")?.as_str(),
        "CONFIRMED",
        "UserStatus",
    )?;
    // A session answers once.
    let message = ctx.call_err("RespondToAuthChallenge", input, "NotAuthorizedException")?;
    ensure_eq(
        message.as_str(),
        "Invalid session for the user, session can only be used once.",
        "message",
    )?;
    // The new password signs in; the temporary one no longer does.
    password_sign_in(ctx, &client, "carol", NEW_PASSWORD)?;
    ctx.call_err(
        "InitiateAuth",
        json!({
            "ClientId": client,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "carol", "PASSWORD": TEMPORARY},
        }),
        "NotAuthorizedException",
    )
    .map(drop)
}

/// Starts `USER_PASSWORD_AUTH` and returns the whole answer, challenge or tokens.
pub fn password_start(
    ctx: &Ctx,
    client: &str,
    username: &str,
    password: &str,
) -> Result<Value, String> {
    ctx.call(
        "InitiateAuth",
        json!({
            "ClientId": client,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": username, "PASSWORD": password},
        }),
    )
}

fn respond_weak_password(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = app_client(ctx, &pool.id, json!({}))?;
    invited_user(ctx, &pool.id, "carol")?;
    let started = password_start(ctx, &client, "carol", TEMPORARY)?;
    let session = check_new_password_challenge(&started, "carol")?;
    let message = ctx.call_err(
        "RespondToAuthChallenge",
        json!({
            "ClientId": client,
            "ChallengeName": "NEW_PASSWORD_REQUIRED",
            "Session": session,
            "ChallengeResponses": new_password_responses("carol", "short"),
        }),
        "InvalidPasswordException",
    )?;
    ensure(
        message.starts_with("Password did not conform with policy"),
        || format!("message {message:?}"),
    )?;
    ensure_eq(
        status_of(ctx, &pool.id, "carol")?.as_str(),
        "FORCE_CHANGE_PASSWORD",
        "UserStatus",
    )
}

fn respond_srp_wrong_signature(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = app_client(ctx, &pool.id, json!({}))?;
    confirmed_user(ctx, &pool.id, "alice", json!({}))?;
    let out = start_srp(ctx, &client, "alice")?;
    let params = at(&out, "/ChallengeParameters")?;
    let mut input = json!({
        "ClientId": client,
        "ChallengeName": "PASSWORD_VERIFIER",
        "ChallengeResponses": {
            "USERNAME": str_at(params, "/USER_ID_FOR_SRP")?,
            "PASSWORD_CLAIM_SECRET_BLOCK": str_at(params, "/SECRET_BLOCK")?,
            "TIMESTAMP": server_timestamp(ctx)?,
            // Well formed, but no proof of the password.
            "PASSWORD_CLAIM_SIGNATURE":
                base64::engine::general_purpose::STANDARD.encode([0u8; 32]),
        },
    });
    if let (Some(session), Some(i)) = (out.get("Session"), input.as_object_mut()) {
        i.insert("Session".into(), session.clone());
    }
    let message = ctx.call_err("RespondToAuthChallenge", input, "NotAuthorizedException")?;
    ensure_eq(message.as_str(), INCORRECT, "message")
}

fn admin_respond_new_password(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = app_client(ctx, &pool.id, json!({}))?;
    invited_user(ctx, &pool.id, "carol")?;
    let started = admin_sign_in(ctx, &pool.id, &client, "carol", TEMPORARY)?;
    let session = check_new_password_challenge(&started, "carol")?;
    let input = json!({
        "UserPoolId": pool.id,
        "ClientId": client,
        "ChallengeName": "NEW_PASSWORD_REQUIRED",
        "Session": session,
        "ChallengeResponses": new_password_responses("carol", NEW_PASSWORD),
    });
    let out = ctx.call("AdminRespondToAuthChallenge", input.clone())?;
    check_tokens(
        at(&out, "/AuthenticationResult")?,
        &pool.id,
        &client,
        "carol",
    )?;
    ensure_eq(
        status_of(ctx, &pool.id, "carol")?.as_str(),
        "CONFIRMED",
        "UserStatus",
    )?;
    let message = ctx.call_err(
        "AdminRespondToAuthChallenge",
        input,
        "NotAuthorizedException",
    )?;
    ensure_eq(
        message.as_str(),
        "Invalid session for the user, session can only be used once.",
        "message",
    )?;
    let again = admin_sign_in(ctx, &pool.id, &client, "carol", NEW_PASSWORD)?;
    at(&again, "/AuthenticationResult").map(drop)
}

fn admin_respond_unknown_session(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = app_client(ctx, &pool.id, json!({}))?;
    invited_user(ctx, &pool.id, "carol")?;
    let started = admin_sign_in(ctx, &pool.id, &client, "carol", TEMPORARY)?;
    let session = check_new_password_challenge(&started, "carol")?;
    // A session the server never gave answers nothing.
    let message = ctx.call_err(
        "AdminRespondToAuthChallenge",
        json!({
            "UserPoolId": pool.id,
            "ClientId": client,
            "ChallengeName": "NEW_PASSWORD_REQUIRED",
            "Session": format!("{session}x"),
            "ChallengeResponses": new_password_responses("carol", NEW_PASSWORD),
        }),
        "NotAuthorizedException",
    )?;
    ensure(message.starts_with("Invalid session"), || {
        format!("message {message:?}")
    })?;
    ensure_eq(
        status_of(ctx, &pool.id, "carol")?.as_str(),
        "FORCE_CHANGE_PASSWORD",
        "UserStatus",
    )
}
