//! Scenarios of the app client family: create, describe, update, delete and list clients.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::{
    at, create_client, create_pool, ensure, ensure_eq, matches, str_at, unique, unknown_pool_id,
    Ctx, Scenario,
};

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        operation: "CreateUserPoolClient",
        name: "basic",
        run: create_basic,
    },
    Scenario {
        operation: "CreateUserPoolClient",
        name: "with-secret",
        run: create_with_secret,
    },
    Scenario {
        operation: "CreateUserPoolClient",
        name: "unknown-pool",
        run: create_unknown_pool,
    },
    Scenario {
        operation: "DescribeUserPoolClient",
        name: "basic",
        run: describe_basic,
    },
    Scenario {
        operation: "DescribeUserPoolClient",
        name: "not-found",
        run: describe_not_found,
    },
    Scenario {
        operation: "UpdateUserPoolClient",
        name: "basic",
        run: update_basic,
    },
    Scenario {
        operation: "DeleteUserPoolClient",
        name: "basic",
        run: delete_basic,
    },
    Scenario {
        operation: "ListUserPoolClients",
        name: "pagination",
        run: list_paginated,
    },
];

/// A client id that is well formed and exists nowhere.
const UNKNOWN_CLIENT: &str = "zzzzzzzzzzzzzzzzzzzzzzzzzz";

fn describe(ctx: &Ctx, pool: &str, client: &str) -> Result<Value, String> {
    let out = ctx.call(
        "DescribeUserPoolClient",
        json!({"UserPoolId": pool, "ClientId": client}),
    )?;
    at(&out, "/UserPoolClient").cloned()
}

fn create_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let name = unique("web");
    let out = ctx.call(
        "CreateUserPoolClient",
        json!({"UserPoolId": pool.id, "ClientName": name}),
    )?;
    let c = at(&out, "/UserPoolClient")?;
    let id = str_at(c, "/ClientId")?;
    ensure(matches("^[a-z0-9]{26}$", id)?, || {
        format!("client id {id} is not 26 lowercase letters and digits")
    })?;
    ensure_eq(str_at(c, "/UserPoolId")?, pool.id.as_str(), "UserPoolId")?;
    ensure_eq(str_at(c, "/ClientName")?, name.as_str(), "ClientName")?;
    ensure_eq(
        c.get("ClientSecret"),
        None,
        "ClientSecret without GenerateSecret",
    )?;
    at(c, "/CreationDate")?;
    at(c, "/LastModifiedDate")?;
    ensure_eq(
        at(c, "/RefreshTokenValidity")?,
        &json!(30),
        "default RefreshTokenValidity",
    )?;
    ensure_eq(
        at(c, "/AuthSessionValidity")?,
        &json!(3),
        "default AuthSessionValidity",
    )?;
    ensure_eq(
        at(c, "/EnableTokenRevocation")?,
        &json!(true),
        "default EnableTokenRevocation",
    )
}

fn create_with_secret(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let c = create_client(ctx, &pool.id, true)?;
    let secret = str_at(&c, "/ClientSecret")?;
    ensure(!secret.is_empty(), || "empty ClientSecret".to_string())?;
    let other = create_client(ctx, &pool.id, true)?;
    ensure(str_at(&other, "/ClientSecret")? != secret, || {
        "two clients got the same secret".to_string()
    })?;
    ensure(
        str_at(&other, "/ClientId")? != str_at(&c, "/ClientId")?,
        || "two clients got the same id".to_string(),
    )
}

fn create_unknown_pool(ctx: &Ctx) -> Result<(), String> {
    ctx.call_err(
        "CreateUserPoolClient",
        json!({"UserPoolId": unknown_pool_id(), "ClientName": "app"}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn describe_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let created = create_client(ctx, &pool.id, true)?;
    let described = describe(ctx, &pool.id, str_at(&created, "/ClientId")?)?;
    ensure_eq(
        &described,
        &created,
        "DescribeUserPoolClient versus CreateUserPoolClient",
    )
}

fn describe_not_found(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    ctx.call_err(
        "DescribeUserPoolClient",
        json!({"UserPoolId": pool.id, "ClientId": UNKNOWN_CLIENT}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn update_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let created = create_client(ctx, &pool.id, true)?;
    let id = str_at(&created, "/ClientId")?;
    let name = unique("renamed");
    let flows = json!(["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]);
    let out = ctx.call(
        "UpdateUserPoolClient",
        json!({
            "UserPoolId": pool.id,
            "ClientId": id,
            "ClientName": name,
            "RefreshTokenValidity": 10,
            "ExplicitAuthFlows": flows,
        }),
    )?;
    let c = at(&out, "/UserPoolClient")?;
    ensure_eq(str_at(c, "/ClientId")?, id, "ClientId")?;
    ensure_eq(str_at(c, "/ClientName")?, name.as_str(), "ClientName")?;
    ensure_eq(
        at(c, "/RefreshTokenValidity")?,
        &json!(10),
        "RefreshTokenValidity",
    )?;
    let mut got: Vec<&str> = at(c, "/ExplicitAuthFlows")?
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    got.sort_unstable();
    ensure_eq(
        got,
        vec!["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"],
        "ExplicitAuthFlows",
    )?;
    ensure_eq(
        at(c, "/ClientSecret")?,
        at(&created, "/ClientSecret")?,
        "ClientSecret",
    )?;
    ensure_eq(
        at(c, "/CreationDate")?,
        at(&created, "/CreationDate")?,
        "CreationDate",
    )?;
    let described = describe(ctx, &pool.id, id)?;
    ensure_eq(
        &described,
        c,
        "DescribeUserPoolClient versus UpdateUserPoolClient",
    )
}

fn delete_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let created = create_client(ctx, &pool.id, false)?;
    let id = str_at(&created, "/ClientId")?;
    let out = ctx.call(
        "DeleteUserPoolClient",
        json!({"UserPoolId": pool.id, "ClientId": id}),
    )?;
    ensure_eq(&out, &json!({}), "DeleteUserPoolClient answer")?;
    ctx.call_err(
        "DescribeUserPoolClient",
        json!({"UserPoolId": pool.id, "ClientId": id}),
        "ResourceNotFoundException",
    )?;
    let listed = ctx.call("ListUserPoolClients", json!({"UserPoolId": pool.id}))?;
    let clients = listed.get("UserPoolClients").cloned().unwrap_or(json!([]));
    ensure_eq(&clients, &json!([]), "clients after the delete")
}

/// Pages through `ListUserPoolClients` one client at a time and finds each once.
fn list_paginated(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let mut mine = BTreeMap::new();
    for _ in 0..3 {
        let c = create_client(ctx, &pool.id, false)?;
        mine.insert(
            str_at(&c, "/ClientId")?.to_string(),
            str_at(&c, "/ClientName")?.to_string(),
        );
    }
    let listed = ctx.collect_pages("ListUserPoolClients", json!({"UserPoolId": pool.id}), 1)?;
    let mut seen = BTreeMap::new();
    for c in &listed {
        ensure_eq(
            str_at(c, "/UserPoolId")?,
            pool.id.as_str(),
            "listed UserPoolId",
        )?;
        seen.insert(
            str_at(c, "/ClientId")?.to_string(),
            str_at(c, "/ClientName")?.to_string(),
        );
    }
    ensure_eq(listed.len(), mine.len(), "clients listed")?;
    ensure_eq(seen, mine, "listed clients and their names")
}
