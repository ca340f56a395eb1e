//! Scenarios of resource servers and their custom scopes.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::{at, create_pool, ensure_eq, str_at, unique, Ctx, Scenario};

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        operation: "CreateResourceServer",
        name: "basic",
        run: create_basic,
    },
    Scenario {
        operation: "CreateResourceServer",
        name: "duplicate",
        run: create_duplicate,
    },
    Scenario {
        operation: "DescribeResourceServer",
        name: "basic",
        run: describe_basic,
    },
    Scenario {
        operation: "DescribeResourceServer",
        name: "not-found",
        run: describe_not_found,
    },
    Scenario {
        operation: "UpdateResourceServer",
        name: "basic",
        run: update_basic,
    },
    Scenario {
        operation: "DeleteResourceServer",
        name: "basic",
        run: delete_basic,
    },
    Scenario {
        operation: "ListResourceServers",
        name: "pagination",
        run: list_paginated,
    },
];

const IDENTIFIER: &str = "https://api.example.com";

fn scopes() -> Value {
    json!([
        {"ScopeName": "read", "ScopeDescription": "Read orders"},
        {"ScopeName": "write", "ScopeDescription": "Write orders"},
    ])
}

/// Creates a resource server with two scopes and returns its `ResourceServer`.
fn create(ctx: &Ctx, pool: &str, identifier: &str, name: &str) -> Result<Value, String> {
    let out = ctx.call(
        "CreateResourceServer",
        json!({
            "UserPoolId": pool,
            "Identifier": identifier,
            "Name": name,
            "Scopes": scopes(),
        }),
    )?;
    at(&out, "/ResourceServer").cloned()
}

fn describe(ctx: &Ctx, pool: &str, identifier: &str) -> Result<Value, String> {
    let out = ctx.call(
        "DescribeResourceServer",
        json!({"UserPoolId": pool, "Identifier": identifier}),
    )?;
    at(&out, "/ResourceServer").cloned()
}

fn create_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let server = create(ctx, &pool.id, IDENTIFIER, "Orders API")?;
    ensure_eq(
        &server,
        &json!({
            "UserPoolId": pool.id,
            "Identifier": IDENTIFIER,
            "Name": "Orders API",
            "Scopes": scopes(),
        }),
        "ResourceServer",
    )
}

fn create_duplicate(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create(ctx, &pool.id, "orders", "first")?;
    let message = ctx.call_err(
        "CreateResourceServer",
        json!({"UserPoolId": pool.id, "Identifier": "orders", "Name": "second"}),
        "InvalidParameterException",
    )?;
    ensure_eq(
        message.as_str(),
        format!("orders already exists in user pool {}.", pool.id).as_str(),
        "message",
    )?;
    let kept = describe(ctx, &pool.id, "orders")?;
    ensure_eq(str_at(&kept, "/Name")?, "first", "Name after the refusal")
}

fn describe_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let created = create(ctx, &pool.id, IDENTIFIER, "Orders API")?;
    create(ctx, &pool.id, "other", "Other API")?;
    let described = describe(ctx, &pool.id, IDENTIFIER)?;
    ensure_eq(
        &described,
        &created,
        "DescribeResourceServer versus CreateResourceServer",
    )
}

fn describe_not_found(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    ctx.call_err(
        "DescribeResourceServer",
        json!({"UserPoolId": pool.id, "Identifier": "absent"}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

/// An update replaces the name and the whole list of scopes.
fn update_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create(ctx, &pool.id, IDENTIFIER, "Orders API")?;
    let new_scopes = json!([{"ScopeName": "admin", "ScopeDescription": "Administer orders"}]);
    let out = ctx.call(
        "UpdateResourceServer",
        json!({
            "UserPoolId": pool.id,
            "Identifier": IDENTIFIER,
            "Name": "Orders API v2",
            "Scopes": new_scopes,
        }),
    )?;
    let want = json!({
        "UserPoolId": pool.id,
        "Identifier": IDENTIFIER,
        "Name": "Orders API v2",
        "Scopes": new_scopes,
    });
    ensure_eq(
        at(&out, "/ResourceServer")?,
        &want,
        "updated ResourceServer",
    )?;
    ensure_eq(
        &describe(ctx, &pool.id, IDENTIFIER)?,
        &want,
        "described after the update",
    )?;
    ctx.call(
        "UpdateResourceServer",
        json!({"UserPoolId": pool.id, "Identifier": IDENTIFIER, "Name": "bare"}),
    )?;
    let bare = describe(ctx, &pool.id, IDENTIFIER)?;
    let scopes = bare.get("Scopes").cloned().unwrap_or(json!([]));
    ensure_eq(&scopes, &json!([]), "Scopes after an update without them")?;
    ctx.call_err(
        "UpdateResourceServer",
        json!({"UserPoolId": pool.id, "Identifier": "absent", "Name": "x"}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn delete_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create(ctx, &pool.id, IDENTIFIER, "Orders API")?;
    create(ctx, &pool.id, "kept", "Kept API")?;
    let input = json!({"UserPoolId": pool.id, "Identifier": IDENTIFIER});
    let out = ctx.call("DeleteResourceServer", input.clone())?;
    ensure_eq(&out, &json!({}), "DeleteResourceServer answer")?;
    ctx.call_err(
        "DescribeResourceServer",
        input.clone(),
        "ResourceNotFoundException",
    )?;
    ctx.call_err("DeleteResourceServer", input, "ResourceNotFoundException")?;
    describe(ctx, &pool.id, "kept").map(drop)
}

/// Pages through `ListResourceServers` one server at a time and finds each once.
fn list_paginated(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let mut mine = BTreeMap::new();
    for _ in 0..3 {
        let identifier = unique("https://api.example.com/svc");
        let name = unique("api");
        create(ctx, &pool.id, &identifier, &name)?;
        mine.insert(identifier, name);
    }
    let listed = ctx.collect_pages("ListResourceServers", json!({"UserPoolId": pool.id}), 1)?;
    let mut seen = BTreeMap::new();
    for s in &listed {
        ensure_eq(
            str_at(s, "/UserPoolId")?,
            pool.id.as_str(),
            "listed UserPoolId",
        )?;
        ensure_eq(at(s, "/Scopes")?, &scopes(), "listed Scopes")?;
        seen.insert(
            str_at(s, "/Identifier")?.to_string(),
            str_at(s, "/Name")?.to_string(),
        );
    }
    ensure_eq(listed.len(), mine.len(), "servers listed")?;
    ensure_eq(seen, mine, "listed servers and their names")
}
