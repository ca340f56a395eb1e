//! Scenarios of client ID metadata document (CIMD) policies and their cached metadata URLs.
//!
//! Documents are cached only when the authorization endpoint fetches one for a client
//! that identifies itself by URL, which these scenarios do not do: a policy's cache is
//! empty, and changing the state of a URL is refused as the URL is not cached.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::{
    at, create_client, create_pool, ensure, ensure_eq, matches, str_at, unique, Ctx, Scenario,
};

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        operation: "CreateCIMDPolicy",
        name: "basic",
        run: create_basic,
    },
    Scenario {
        operation: "CreateCIMDPolicy",
        name: "unknown-client",
        run: create_unknown_client,
    },
    Scenario {
        operation: "DescribeCIMDPolicy",
        name: "basic",
        run: describe_basic,
    },
    Scenario {
        operation: "DescribeCIMDPolicy",
        name: "not-found",
        run: describe_not_found,
    },
    Scenario {
        operation: "UpdateCIMDPolicy",
        name: "basic",
        run: update_basic,
    },
    Scenario {
        operation: "DeleteCIMDPolicy",
        name: "basic",
        run: delete_basic,
    },
    Scenario {
        operation: "ListCIMDPolicies",
        name: "pagination",
        run: list_paginated,
    },
    Scenario {
        operation: "ListClientMetadataURLs",
        name: "empty-cache",
        run: list_urls_empty,
    },
    Scenario {
        operation: "UpdateClientMetadataURLState",
        name: "not-cached",
        run: update_url_not_cached,
    },
];

/// A policy id that is well formed and exists nowhere.
const UNKNOWN_POLICY: &str = "zzzzzzzzzzzzzzzzzzzzzzzzzz";

/// One day, the shortest cache duration and the default.
const DAY: i64 = 86_400;

fn patterns() -> Value {
    json!([
        "https://*.example.com/client.json",
        "https://apps.example.org/*/metadata"
    ])
}

fn new_client(ctx: &Ctx, pool: &str) -> Result<String, String> {
    let client = create_client(ctx, pool, false)?;
    Ok(str_at(&client, "/ClientId")?.to_string())
}

/// Creates a policy for `client` with the default cache duration and returns its
/// `CIMDPolicy`.
fn create(ctx: &Ctx, pool: &str, client: &str, name: &str) -> Result<Value, String> {
    let out = ctx.call(
        "CreateCIMDPolicy",
        json!({
            "UserPoolId": pool,
            "ClientId": client,
            "PolicyName": name,
            "URLPatterns": patterns(),
        }),
    )?;
    at(&out, "/CIMDPolicy").cloned()
}

fn policy_id(policy: &Value) -> Result<String, String> {
    Ok(str_at(policy, "/CIMDPolicyId")?.to_string())
}

fn describe(ctx: &Ctx, pool: &str, id: &str) -> Result<Value, String> {
    let out = ctx.call(
        "DescribeCIMDPolicy",
        json!({"UserPoolId": pool, "CIMDPolicyId": id}),
    )?;
    at(&out, "/CIMDPolicy").cloned()
}

fn create_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = new_client(ctx, &pool.id)?;
    let p = create(ctx, &pool.id, &client, "partners")?;
    let id = policy_id(&p)?;
    ensure(matches("^[a-z0-9]+$", &id)?, || {
        format!("CIMDPolicyId {id} is not lowercase letters and digits")
    })?;
    ensure_eq(str_at(&p, "/UserPoolId")?, pool.id.as_str(), "UserPoolId")?;
    ensure_eq(str_at(&p, "/ClientId")?, client.as_str(), "ClientId")?;
    ensure_eq(str_at(&p, "/PolicyName")?, "partners", "PolicyName")?;
    ensure_eq(at(&p, "/URLPatterns")?, &patterns(), "URLPatterns")?;
    ensure_eq(
        at(&p, "/CacheDuration")?,
        &json!(DAY),
        "default CacheDuration",
    )?;
    ensure_eq(
        at(&p, "/CreationDate")?,
        at(&p, "/LastModifiedDate")?,
        "LastModifiedDate of a new policy",
    )?;
    let out = ctx.call(
        "CreateCIMDPolicy",
        json!({
            "UserPoolId": pool.id,
            "ClientId": client,
            "PolicyName": "weekly",
            "URLPatterns": ["https://tools.example.net/client.json"],
            "CacheDuration": 7 * DAY,
        }),
    )?;
    let weekly = at(&out, "/CIMDPolicy")?;
    ensure_eq(
        at(weekly, "/CacheDuration")?,
        &json!(7 * DAY),
        "CacheDuration",
    )?;
    ensure(policy_id(weekly)? != id, || {
        "two policies share an id".to_string()
    })
}

fn create_unknown_client(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    ctx.call_err(
        "CreateCIMDPolicy",
        json!({
            "UserPoolId": pool.id,
            "ClientId": "zzzzzzzzzzzzzzzzzzzzzzzzzz",
            "PolicyName": "orphan",
            "URLPatterns": patterns(),
        }),
        "ResourceNotFoundException",
    )?;
    let out = ctx.call("ListCIMDPolicies", json!({"UserPoolId": pool.id}))?;
    ensure_eq(
        at(&out, "/CIMDPolicies")?,
        &json!([]),
        "policies after the refusal",
    )
}

fn describe_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = new_client(ctx, &pool.id)?;
    let p = create(ctx, &pool.id, &client, "partners")?;
    let id = policy_id(&p)?;
    ensure_eq(
        &describe(ctx, &pool.id, &id)?,
        &p,
        "DescribeCIMDPolicy versus CreateCIMDPolicy",
    )?;
    // Once its client is gone, the policy is described without it.
    ctx.call(
        "DeleteUserPoolClient",
        json!({"UserPoolId": pool.id, "ClientId": client}),
    )?;
    let orphan = describe(ctx, &pool.id, &id)?;
    ensure_eq(orphan.get("ClientId"), None, "ClientId of a deleted client")?;
    ensure_eq(
        at(&orphan, "/PolicyName")?,
        &json!("partners"),
        "PolicyName",
    )
}

fn describe_not_found(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    ctx.call_err(
        "DescribeCIMDPolicy",
        json!({"UserPoolId": pool.id, "CIMDPolicyId": UNKNOWN_POLICY}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

/// The client and patterns are replaced; a name or duration left out is kept.
fn update_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = new_client(ctx, &pool.id)?;
    let p = create(ctx, &pool.id, &client, "partners")?;
    let id = policy_id(&p)?;
    let other = new_client(ctx, &pool.id)?;
    let new_patterns = json!(["https://partner.example.com/cimd/*.json"]);
    let out = ctx.call(
        "UpdateCIMDPolicy",
        json!({
            "UserPoolId": pool.id,
            "CIMDPolicyId": id,
            "ClientId": other,
            "URLPatterns": new_patterns,
            "CacheDuration": 2 * DAY,
        }),
    )?;
    let updated = at(&out, "/CIMDPolicy")?;
    ensure_eq(str_at(updated, "/ClientId")?, other.as_str(), "ClientId")?;
    ensure_eq(at(updated, "/URLPatterns")?, &new_patterns, "URLPatterns")?;
    ensure_eq(
        at(updated, "/CacheDuration")?,
        &json!(2 * DAY),
        "CacheDuration",
    )?;
    ensure_eq(str_at(updated, "/PolicyName")?, "partners", "PolicyName")?;
    ensure_eq(
        at(updated, "/CreationDate")?,
        at(&p, "/CreationDate")?,
        "CreationDate",
    )?;
    ensure_eq(
        &describe(ctx, &pool.id, &id)?,
        updated,
        "described after the update",
    )?;
    let out = ctx.call(
        "UpdateCIMDPolicy",
        json!({
            "UserPoolId": pool.id,
            "CIMDPolicyId": id,
            "ClientId": other,
            "URLPatterns": new_patterns,
            "PolicyName": "renamed",
        }),
    )?;
    let renamed = at(&out, "/CIMDPolicy")?;
    ensure_eq(str_at(renamed, "/PolicyName")?, "renamed", "PolicyName")?;
    ensure_eq(
        at(renamed, "/CacheDuration")?,
        &json!(2 * DAY),
        "CacheDuration after an update without it",
    )?;
    ctx.call_err(
        "UpdateCIMDPolicy",
        json!({
            "UserPoolId": pool.id,
            "CIMDPolicyId": UNKNOWN_POLICY,
            "ClientId": other,
            "URLPatterns": new_patterns,
        }),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn delete_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = new_client(ctx, &pool.id)?;
    let p = create(ctx, &pool.id, &client, "partners")?;
    let kept = create(ctx, &pool.id, &client, "kept")?;
    let input = json!({"UserPoolId": pool.id, "CIMDPolicyId": policy_id(&p)?});
    let out = ctx.call("DeleteCIMDPolicy", input.clone())?;
    ensure_eq(&out, &json!({}), "DeleteCIMDPolicy answer")?;
    ctx.call_err(
        "DescribeCIMDPolicy",
        input.clone(),
        "ResourceNotFoundException",
    )?;
    ctx.call_err("DeleteCIMDPolicy", input, "ResourceNotFoundException")?;
    ensure_eq(
        &describe(ctx, &pool.id, &policy_id(&kept)?)?,
        &kept,
        "the other policy",
    )
}

/// Pages through `ListCIMDPolicies` one policy at a time and finds each once.
fn list_paginated(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = new_client(ctx, &pool.id)?;
    let mut mine = BTreeMap::new();
    for _ in 0..3 {
        let name = unique("cimd");
        let p = create(ctx, &pool.id, &client, &name)?;
        mine.insert(policy_id(&p)?, name);
    }
    let mut seen = BTreeMap::new();
    let mut token: Option<Value> = None;
    for _ in 0..=mine.len() {
        let mut input = json!({"UserPoolId": pool.id, "MaxResults": 1});
        if let (Some(o), Some(t)) = (input.as_object_mut(), token.take()) {
            o.insert("NextToken".into(), t);
        }
        let out = ctx.call("ListCIMDPolicies", input)?;
        let page = at(&out, "/CIMDPolicies")?
            .as_array()
            .cloned()
            .unwrap_or_default();
        ensure(page.len() <= 1, || {
            format!("a page of {} policies for MaxResults 1", page.len())
        })?;
        for p in &page {
            ensure_eq(str_at(p, "/ClientId")?, client.as_str(), "listed ClientId")?;
            ensure_eq(
                at(p, "/CacheDuration")?,
                &json!(DAY),
                "listed CacheDuration",
            )?;
            let id = policy_id(p)?;
            let previous = seen.insert(id.clone(), str_at(p, "/PolicyName")?.to_string());
            ensure(previous.is_none(), || format!("{id} was listed twice"))?;
        }
        token = out.get("NextToken").cloned();
        if token.is_none() {
            break;
        }
    }
    ensure(token.is_none(), || "still paging".to_string())?;
    ensure_eq(seen, mine, "listed policies and their names")
}

fn list_urls_empty(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = new_client(ctx, &pool.id)?;
    let p = create(ctx, &pool.id, &client, "partners")?;
    let out = ctx.call(
        "ListClientMetadataURLs",
        json!({"UserPoolId": pool.id, "CIMDPolicyId": policy_id(&p)?, "MaxResults": 10}),
    )?;
    ensure_eq(
        &out,
        &json!({"ClientMetadataURLs": []}),
        "URLs cached by a new policy",
    )?;
    ctx.call_err(
        "ListClientMetadataURLs",
        json!({"UserPoolId": pool.id, "CIMDPolicyId": UNKNOWN_POLICY}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn update_url_not_cached(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = new_client(ctx, &pool.id)?;
    let p = create(ctx, &pool.id, &client, "partners")?;
    let id = policy_id(&p)?;
    for action in ["REFRESH", "INVALIDATE"] {
        ctx.call_err(
            "UpdateClientMetadataURLState",
            json!({
                "UserPoolId": pool.id,
                "CIMDPolicyId": id,
                "URL": "https://app.example.com/client.json",
                "Action": action,
            }),
            "CachedCIMDURLDoesNotExistException",
        )?;
    }
    ctx.call_err(
        "UpdateClientMetadataURLState",
        json!({
            "UserPoolId": pool.id,
            "CIMDPolicyId": UNKNOWN_POLICY,
            "URL": "https://app.example.com/client.json",
            "Action": "REFRESH",
        }),
        "ResourceNotFoundException",
    )
    .map(drop)
}
