//! Scenarios of token exchange: `GetDerivedToken` by impersonation (a user's access
//! token, bound to an audience) and by delegation (a client's own token as the actor,
//! named in `act`), and its refusals.

use serde_json::{json, Value};

use super::sign_in::{app_client, claims, password_sign_in};
use super::users::PASSWORD;
use super::{at, create_pool, ensure, ensure_eq, str_at, unique, Ctx, Scenario};

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        operation: "GetDerivedToken",
        name: "impersonation",
        run: impersonation,
    },
    Scenario {
        operation: "GetDerivedToken",
        name: "delegation",
        run: delegation,
    },
    Scenario {
        operation: "GetDerivedToken",
        name: "flow-not-enabled",
        run: flow_not_enabled,
    },
    Scenario {
        operation: "GetDerivedToken",
        name: "invalid-subject-token",
        run: invalid_subject_token,
    },
    Scenario {
        operation: "GetDerivedToken",
        name: "wrong-secret",
        run: wrong_secret,
    },
];

/// A pool with the resource server `api` (scope `read`); alice's access token from a
/// sign-in through an app client; and the exchanging client, with a secret, allowed
/// both kinds of exchange and the client credentials grant for `api/read`.
struct Exchange {
    subject: String,
    agent: String,
    secret: String,
    server: String,
}

fn exchange(ctx: &Ctx, flows: &[&str]) -> Result<Exchange, String> {
    let pool = create_pool(ctx)?;
    let server = unique("api");
    ctx.call(
        "CreateResourceServer",
        json!({"UserPoolId": pool.id, "Identifier": server, "Name": "api",
               "Scopes": [{"ScopeName": "read", "ScopeDescription": "read"}]}),
    )?;
    let web = app_client(ctx, &pool.id, json!({}))?;
    ctx.call(
        "AdminCreateUser",
        json!({"UserPoolId": pool.id, "Username": "alice", "MessageAction": "SUPPRESS"}),
    )?;
    ctx.call(
        "AdminSetUserPassword",
        json!({"UserPoolId": pool.id, "Username": "alice", "Password": PASSWORD, "Permanent": true}),
    )?;
    let tokens = password_sign_in(ctx, &web, "alice", PASSWORD)?;
    let out = ctx.call(
        "CreateUserPoolClient",
        json!({
            "UserPoolId": pool.id,
            "ClientName": unique("agent"),
            "GenerateSecret": true,
            "ExplicitAuthFlows": flows,
            "AllowedOAuthFlowsUserPoolClient": true,
            "AllowedOAuthFlows": ["client_credentials"],
            "AllowedOAuthScopes": [format!("{server}/read")],
        }),
    )?;
    let agent = at(&out, "/UserPoolClient")?;
    Ok(Exchange {
        subject: str_at(&tokens, "/AccessToken")?.to_string(),
        agent: str_at(agent, "/ClientId")?.to_string(),
        secret: str_at(agent, "/ClientSecret")?.to_string(),
        server,
    })
}

const BOTH: &[&str] = &[
    "ALLOW_TOKEN_EXCHANGE_IMPERSONATION",
    "ALLOW_TOKEN_EXCHANGE_DELEGATION",
];

/// The request of `e`'s client exchanging its subject token, with `extra` merged in.
fn request(e: &Exchange, extra: Value) -> Value {
    let mut input = json!({
        "ClientId": e.agent,
        "ClientSecret": e.secret,
        "SubjectToken": e.subject,
        "SubjectTokenType": "ACCESS_TOKEN",
    });
    if let (Some(i), Some(x)) = (input.as_object_mut(), extra.as_object()) {
        i.extend(x.clone());
    }
    input
}

/// Checks an answer that issued an access token of the subject's user to the exchanging
/// client; answers its claims.
fn check_issued(out: &Value, e: &Exchange) -> Result<Value, String> {
    ensure_eq(str_at(out, "/TokenType")?, "Bearer", "TokenType")?;
    ensure_eq(
        str_at(out, "/IssuedTokenType")?,
        "ACCESS_TOKEN",
        "IssuedTokenType",
    )?;
    ensure(
        at(out, "/ExpiresIn")?.as_i64().is_some_and(|s| s > 0),
        || format!("ExpiresIn {:?} is not a duration", out.get("ExpiresIn")),
    )?;
    let issued = claims(str_at(out, "/IssuedToken")?)?;
    let subject = claims(&e.subject)?;
    ensure_eq(str_at(&issued, "/token_use")?, "access", "token_use")?;
    ensure_eq(str_at(&issued, "/sub")?, str_at(&subject, "/sub")?, "sub")?;
    ensure_eq(str_at(&issued, "/iss")?, str_at(&subject, "/iss")?, "iss")?;
    ensure_eq(
        str_at(&issued, "/client_id")?,
        e.agent.as_str(),
        "client_id",
    )?;
    Ok(issued)
}

fn impersonation(ctx: &Ctx) -> Result<(), String> {
    let e = exchange(ctx, BOTH)?;
    let out = ctx.call(
        "GetDerivedToken",
        request(&e, json!({"Audiences": ["https://backend.example.com"]})),
    )?;
    let issued = check_issued(&out, &e)?;
    ensure_eq(
        str_at(&issued, "/aud")?,
        "https://backend.example.com",
        "aud",
    )?;
    ensure(issued.get("act").is_none(), || {
        "an impersonation's token names an actor".to_string()
    })
}

fn delegation(ctx: &Ctx) -> Result<(), String> {
    let e = exchange(ctx, BOTH)?;
    let machine = ctx.call(
        "GetClientToken",
        json!({"ClientId": e.agent, "Secret": e.secret}),
    )?;
    let actor = str_at(&machine, "/ClientAuthenticationResult/AccessToken")?;
    let out = ctx.call(
        "GetDerivedToken",
        request(
            &e,
            json!({"ActorToken": actor, "ActorTokenType": "ACCESS_TOKEN",
                   "Resources": [e.server]}),
        ),
    )?;
    let issued = check_issued(&out, &e)?;
    ensure_eq(str_at(&issued, "/aud")?, e.server.as_str(), "aud")?;
    ensure_eq(
        str_at(&issued, "/act/sub")?,
        str_at(&claims(actor)?, "/sub")?,
        "act.sub",
    )
}

fn flow_not_enabled(ctx: &Ctx) -> Result<(), String> {
    let e = exchange(ctx, &["ALLOW_TOKEN_EXCHANGE_DELEGATION"])?;
    ctx.call_err(
        "GetDerivedToken",
        request(&e, json!({})),
        "OperationNotEnabledException",
    )
    .map(drop)
}

fn invalid_subject_token(ctx: &Ctx) -> Result<(), String> {
    let e = exchange(ctx, BOTH)?;
    ctx.call_err(
        "GetDerivedToken",
        request(&e, json!({"SubjectToken": "not.a.token"})),
        "NotAuthorizedException",
    )
    .map(drop)
}

fn wrong_secret(ctx: &Ctx) -> Result<(), String> {
    let e = exchange(ctx, BOTH)?;
    let wrong: String = e
        .secret
        .chars()
        .map(|c| if c == 'a' { 'b' } else { 'a' })
        .collect();
    ctx.call_err(
        "GetDerivedToken",
        request(&e, json!({"ClientSecret": wrong})),
        "NotAuthorizedException",
    )
    .map(drop)
}
