//! Scenarios of client secret rotation: add, list and delete the secrets of an app client.

use serde_json::{json, Value};

use super::{at, create_client, create_pool, ensure, ensure_eq, str_at, Ctx, Scenario};

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        operation: "AddUserPoolClientSecret",
        name: "generated",
        run: add_generated,
    },
    Scenario {
        operation: "AddUserPoolClientSecret",
        name: "custom",
        run: add_custom,
    },
    Scenario {
        operation: "AddUserPoolClientSecret",
        name: "third-secret",
        run: add_third,
    },
    Scenario {
        operation: "ListUserPoolClientSecrets",
        name: "basic",
        run: list_basic,
    },
    Scenario {
        operation: "DeleteUserPoolClientSecret",
        name: "basic",
        run: delete_basic,
    },
    Scenario {
        operation: "DeleteUserPoolClientSecret",
        name: "last-secret",
        run: delete_last,
    },
];

/// A pool and a confidential client in it: `(pool id, client id)`.
fn confidential_client(ctx: &Ctx) -> Result<(String, String), String> {
    let pool = create_pool(ctx)?;
    let client = create_client(ctx, &pool.id, true)?;
    Ok((pool.id, str_at(&client, "/ClientId")?.to_string()))
}

fn add(ctx: &Ctx, pool: &str, client: &str, secret: Option<&str>) -> Result<Value, String> {
    let mut input = json!({"UserPoolId": pool, "ClientId": client});
    if let (Some(s), Some(o)) = (secret, input.as_object_mut()) {
        o.insert("ClientSecret".into(), json!(s));
    }
    let out = ctx.call("AddUserPoolClientSecret", input)?;
    at(&out, "/ClientSecretDescriptor").cloned()
}

fn list(ctx: &Ctx, pool: &str, client: &str) -> Result<Vec<Value>, String> {
    let out = ctx.call(
        "ListUserPoolClientSecrets",
        json!({"UserPoolId": pool, "ClientId": client}),
    )?;
    let secrets = out
        .get("ClientSecrets")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for s in &secrets {
        ensure_eq(s.get("ClientSecretValue"), None, "a listed secret's value")?;
    }
    Ok(secrets)
}

fn ids(secrets: &[Value]) -> Result<Vec<String>, String> {
    let mut ids = secrets
        .iter()
        .map(|s| str_at(s, "/ClientSecretId").map(str::to_string))
        .collect::<Result<Vec<_>, _>>()?;
    ids.sort();
    Ok(ids)
}

fn add_generated(ctx: &Ctx) -> Result<(), String> {
    let (pool, client) = confidential_client(ctx)?;
    let d = add(ctx, &pool, &client, None)?;
    let id = str_at(&d, "/ClientSecretId")?;
    ensure(id.starts_with(&format!("{client}--")), || {
        format!("secret id {id} does not start with {client}--")
    })?;
    ensure(!str_at(&d, "/ClientSecretValue")?.is_empty(), || {
        "empty secret".to_string()
    })?;
    at(&d, "/ClientSecretCreateDate")?;
    let listed = ids(&list(ctx, &pool, &client)?)?;
    ensure_eq(listed.len(), 2, "secrets after adding one")?;
    ensure(listed.iter().any(|l| l == id), || {
        format!("{id} is not listed")
    })
}

fn add_custom(ctx: &Ctx) -> Result<(), String> {
    let (pool, client) = confidential_client(ctx)?;
    let d = add(
        ctx,
        &pool,
        &client,
        Some("custom0secret0value0with0thirty0two"),
    )?;
    ensure_eq(
        d.get("ClientSecretValue"),
        None,
        "the value of a custom secret",
    )?;
    str_at(&d, "/ClientSecretId").map(drop)
}

fn add_third(ctx: &Ctx) -> Result<(), String> {
    let (pool, client) = confidential_client(ctx)?;
    add(ctx, &pool, &client, None)?;
    ctx.call_err(
        "AddUserPoolClientSecret",
        json!({"UserPoolId": pool, "ClientId": client}),
        "LimitExceededException",
    )
    .map(drop)
}

fn list_basic(ctx: &Ctx) -> Result<(), String> {
    let (pool, client) = confidential_client(ctx)?;
    let secrets = list(ctx, &pool, &client)?;
    ensure_eq(secrets.len(), 1, "secrets of a new confidential client")?;
    let id = ids(&secrets)?.join("");
    ensure(id.starts_with(&format!("{client}--")), || {
        format!("secret id {id} does not start with {client}--")
    })?;
    secrets
        .first()
        .map(|s| at(s, "/ClientSecretCreateDate"))
        .transpose()?;
    Ok(())
}

fn delete_basic(ctx: &Ctx) -> Result<(), String> {
    let (pool, client) = confidential_client(ctx)?;
    let first = ids(&list(ctx, &pool, &client)?)?;
    let added = add(ctx, &pool, &client, None)?;
    let added_id = str_at(&added, "/ClientSecretId")?;
    for id in &first {
        let out = ctx.call(
            "DeleteUserPoolClientSecret",
            json!({"UserPoolId": pool, "ClientId": client, "ClientSecretId": id}),
        )?;
        ensure_eq(&out, &json!({}), "DeleteUserPoolClientSecret answer")?;
    }
    let left = ids(&list(ctx, &pool, &client)?)?;
    ensure_eq(
        left,
        vec![added_id.to_string()],
        "secrets after deleting the first",
    )
}

fn delete_last(ctx: &Ctx) -> Result<(), String> {
    let (pool, client) = confidential_client(ctx)?;
    let only = ids(&list(ctx, &pool, &client)?)?.join("");
    ctx.call_err(
        "DeleteUserPoolClientSecret",
        json!({"UserPoolId": pool, "ClientId": client, "ClientSecretId": only}),
        "InvalidParameterException",
    )?;
    ensure_eq(
        list(ctx, &pool, &client)?.len(),
        1,
        "secrets after refusing to delete the last",
    )
}
