//! Scenarios of machine-to-machine tokens: `GetClientToken` for a client allowed the
//! client credentials grant, the custom scopes of a resource server, and its refusals.

use serde_json::{json, Value};

use super::sign_in::claims;
use super::{at, create_pool, ensure, ensure_eq, str_at, unique, Ctx, Scenario};

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        operation: "GetClientToken",
        name: "all-allowed-scopes",
        run: all_allowed_scopes,
    },
    Scenario {
        operation: "GetClientToken",
        name: "some-scopes",
        run: some_scopes,
    },
    Scenario {
        operation: "GetClientToken",
        name: "wrong-secret",
        run: wrong_secret,
    },
    Scenario {
        operation: "GetClientToken",
        name: "undefined-scope",
        run: undefined_scope,
    },
];

/// A machine client: its id, its secret, and its resource server's identifier.
struct Machine {
    client: String,
    secret: String,
    server: String,
}

/// A pool with a resource server (`read`, `write`) and a client with a secret allowed
/// the client credentials grant for both scopes.
fn machine(ctx: &Ctx) -> Result<Machine, String> {
    let pool = create_pool(ctx)?;
    let server = unique("api");
    ctx.call(
        "CreateResourceServer",
        json!({"UserPoolId": pool.id, "Identifier": server, "Name": "api", "Scopes": [
            {"ScopeName": "read", "ScopeDescription": "read"},
            {"ScopeName": "write", "ScopeDescription": "write"}]}),
    )?;
    let out = ctx.call(
        "CreateUserPoolClient",
        json!({
            "UserPoolId": pool.id,
            "ClientName": unique("machine"),
            "GenerateSecret": true,
            "AllowedOAuthFlowsUserPoolClient": true,
            "AllowedOAuthFlows": ["client_credentials"],
            "AllowedOAuthScopes": [format!("{server}/read"), format!("{server}/write")],
        }),
    )?;
    let client = at(&out, "/UserPoolClient")?;
    Ok(Machine {
        client: str_at(client, "/ClientId")?.to_string(),
        secret: str_at(client, "/ClientSecret")?.to_string(),
        server,
    })
}

/// Checks a `ClientAuthenticationResult`: a bearer access token for the client with
/// `scope`, good for an hour; answers its claims.
fn check_token(out: &Value, m: &Machine, scope: &str) -> Result<Value, String> {
    ensure_eq(
        str_at(out, "/ClientAuthenticationResult/TokenType")?,
        "Bearer",
        "TokenType",
    )?;
    ensure_eq(
        at(out, "/ClientAuthenticationResult/ExpiresIn")?.as_i64(),
        Some(3600),
        "ExpiresIn",
    )?;
    let c = claims(str_at(out, "/ClientAuthenticationResult/AccessToken")?)?;
    ensure_eq(str_at(&c, "/sub")?, m.client.as_str(), "sub")?;
    ensure_eq(str_at(&c, "/client_id")?, m.client.as_str(), "client_id")?;
    ensure_eq(str_at(&c, "/token_use")?, "access", "token_use")?;
    ensure_eq(str_at(&c, "/scope")?, scope, "scope")?;
    let (iat, exp) = (at(&c, "/iat")?.as_i64(), at(&c, "/exp")?.as_i64());
    ensure(
        matches!((iat, exp), (Some(i), Some(e)) if e - i == 3600),
        || format!("exp {exp:?} is not an hour after iat {iat:?}"),
    )?;
    ensure(c.get("username").is_none(), || {
        "a client's token names a user".to_string()
    })?;
    Ok(c)
}

fn all_allowed_scopes(ctx: &Ctx) -> Result<(), String> {
    let m = machine(ctx)?;
    let out = ctx.call(
        "GetClientToken",
        json!({"ClientId": m.client, "Secret": m.secret}),
    )?;
    let scope = format!("{0}/read {0}/write", m.server);
    check_token(&out, &m, &scope).map(drop)
}

fn some_scopes(ctx: &Ctx) -> Result<(), String> {
    let m = machine(ctx)?;
    let out = ctx.call(
        "GetClientToken",
        json!({"ClientId": m.client, "Secret": m.secret, "Scopes": [format!("{}/write", m.server)]}),
    )?;
    check_token(&out, &m, &format!("{}/write", m.server)).map(drop)
}

fn wrong_secret(ctx: &Ctx) -> Result<(), String> {
    let m = machine(ctx)?;
    let wrong: String = m
        .secret
        .chars()
        .map(|c| if c == 'a' { 'b' } else { 'a' })
        .collect();
    ctx.call_err(
        "GetClientToken",
        json!({"ClientId": m.client, "Secret": wrong}),
        "NotAuthorizedException",
    )
    .map(drop)
}

fn undefined_scope(ctx: &Ctx) -> Result<(), String> {
    let m = machine(ctx)?;
    ctx.call_err(
        "GetClientToken",
        json!({"ClientId": m.client, "Secret": m.secret, "Scopes": [format!("{}/delete", m.server)]}),
        "InvalidParameterException",
    )
    .map(drop)
}
