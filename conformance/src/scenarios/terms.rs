//! Scenarios of the terms documents of app clients: terms of use and privacy policies.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::{at, create_client, create_pool, ensure, ensure_eq, matches, str_at, Ctx, Scenario};

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        operation: "CreateTerms",
        name: "basic",
        run: create_basic,
    },
    Scenario {
        operation: "CreateTerms",
        name: "exists",
        run: create_exists,
    },
    Scenario {
        operation: "DescribeTerms",
        name: "basic",
        run: describe_basic,
    },
    Scenario {
        operation: "DescribeTerms",
        name: "not-found",
        run: describe_not_found,
    },
    Scenario {
        operation: "DescribeTermsByClient",
        name: "basic",
        run: describe_by_client,
    },
    Scenario {
        operation: "UpdateTerms",
        name: "basic",
        run: update_basic,
    },
    Scenario {
        operation: "DeleteTerms",
        name: "basic",
        run: delete_basic,
    },
    Scenario {
        operation: "ListTerms",
        name: "pagination",
        run: list_paginated,
    },
];

const UUID: &str = "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$";

/// A terms id that is well formed and exists nowhere.
const UNKNOWN_TERMS: &str = "00000000-0000-4000-8000-000000000000";

fn links(name: &str) -> Value {
    json!({
        "cognito:default": format!("https://example.com/{name}"),
        "cognito:french": format!("https://example.com/fr/{name}"),
    })
}

fn new_client(ctx: &Ctx, pool: &str) -> Result<String, String> {
    let client = create_client(ctx, pool, false)?;
    Ok(str_at(&client, "/ClientId")?.to_string())
}

/// Creates the document `name` for `client` and returns its `Terms`.
fn create(ctx: &Ctx, pool: &str, client: &str, name: &str) -> Result<Value, String> {
    let out = ctx.call(
        "CreateTerms",
        json!({
            "UserPoolId": pool,
            "ClientId": client,
            "TermsName": name,
            "TermsSource": "LINK",
            "Enforcement": "NONE",
            "Links": links(name),
        }),
    )?;
    at(&out, "/Terms").cloned()
}

fn terms_id(terms: &Value) -> Result<String, String> {
    Ok(str_at(terms, "/TermsId")?.to_string())
}

fn describe(ctx: &Ctx, pool: &str, id: &str) -> Result<Value, String> {
    let out = ctx.call("DescribeTerms", json!({"UserPoolId": pool, "TermsId": id}))?;
    at(&out, "/Terms").cloned()
}

fn create_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = new_client(ctx, &pool.id)?;
    let t = create(ctx, &pool.id, &client, "terms-of-use")?;
    let id = terms_id(&t)?;
    ensure(matches(UUID, &id)?, || {
        format!("TermsId {id} is not a UUID")
    })?;
    ensure_eq(str_at(&t, "/UserPoolId")?, pool.id.as_str(), "UserPoolId")?;
    ensure_eq(str_at(&t, "/ClientId")?, client.as_str(), "ClientId")?;
    ensure_eq(str_at(&t, "/TermsName")?, "terms-of-use", "TermsName")?;
    ensure_eq(str_at(&t, "/TermsSource")?, "LINK", "TermsSource")?;
    ensure_eq(str_at(&t, "/Enforcement")?, "NONE", "Enforcement")?;
    ensure_eq(at(&t, "/Links")?, &links("terms-of-use"), "Links")?;
    ensure_eq(
        at(&t, "/CreationDate")?,
        at(&t, "/LastModifiedDate")?,
        "LastModifiedDate of new terms",
    )?;
    // The other kind of document may be added beside it.
    let p = create(ctx, &pool.id, &client, "privacy-policy")?;
    ensure(terms_id(&p)? != id, || {
        "two documents share an id".to_string()
    })?;
    ctx.call_err(
        "CreateTerms",
        json!({
            "UserPoolId": pool.id,
            "ClientId": "zzzzzzzzzzzzzzzzzzzzzzzzzz",
            "TermsName": "terms-of-use",
            "TermsSource": "LINK",
            "Enforcement": "NONE",
            "Links": links("x"),
        }),
        "ResourceNotFoundException",
    )
    .map(drop)
}

/// A client has one document of each kind.
fn create_exists(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = new_client(ctx, &pool.id)?;
    create(ctx, &pool.id, &client, "terms-of-use")?;
    ctx.call_err(
        "CreateTerms",
        json!({
            "UserPoolId": pool.id,
            "ClientId": client,
            "TermsName": "terms-of-use",
            "TermsSource": "LINK",
            "Enforcement": "NONE",
            "Links": links("again"),
        }),
        "TermsExistsException",
    )?;
    // Another client may have its own.
    let other = new_client(ctx, &pool.id)?;
    create(ctx, &pool.id, &other, "terms-of-use").map(drop)
}

fn describe_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = new_client(ctx, &pool.id)?;
    let t = create(ctx, &pool.id, &client, "privacy-policy")?;
    ensure_eq(
        &describe(ctx, &pool.id, &terms_id(&t)?)?,
        &t,
        "DescribeTerms versus CreateTerms",
    )
}

fn describe_not_found(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    ctx.call_err(
        "DescribeTerms",
        json!({"UserPoolId": pool.id, "TermsId": UNKNOWN_TERMS}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn describe_by_client(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = new_client(ctx, &pool.id)?;
    let terms = create(ctx, &pool.id, &client, "terms-of-use")?;
    let privacy = create(ctx, &pool.id, &client, "privacy-policy")?;
    for (name, want) in [("terms-of-use", &terms), ("privacy-policy", &privacy)] {
        let out = ctx.call(
            "DescribeTermsByClient",
            json!({"UserPoolId": pool.id, "ClientId": client, "TermsName": name}),
        )?;
        ensure_eq(at(&out, "/Terms")?, want, name)?;
    }
    let other = new_client(ctx, &pool.id)?;
    ctx.call_err(
        "DescribeTermsByClient",
        json!({"UserPoolId": pool.id, "ClientId": other, "TermsName": "terms-of-use"}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

/// Links an update gives replace the old ones; what it leaves out is kept.
fn update_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = new_client(ctx, &pool.id)?;
    let t = create(ctx, &pool.id, &client, "terms-of-use")?;
    let id = terms_id(&t)?;
    let new_links = json!({"cognito:default": "https://example.com/terms-v2"});
    let out = ctx.call(
        "UpdateTerms",
        json!({"UserPoolId": pool.id, "TermsId": id, "Links": new_links}),
    )?;
    let updated = at(&out, "/Terms")?;
    ensure_eq(at(updated, "/Links")?, &new_links, "Links")?;
    ensure_eq(str_at(updated, "/TermsName")?, "terms-of-use", "TermsName")?;
    ensure_eq(str_at(updated, "/ClientId")?, client.as_str(), "ClientId")?;
    ensure_eq(
        at(updated, "/CreationDate")?,
        at(&t, "/CreationDate")?,
        "CreationDate",
    )?;
    ensure_eq(
        &describe(ctx, &pool.id, &id)?,
        updated,
        "described after the update",
    )?;
    // Renaming to the kind the client already has is refused.
    create(ctx, &pool.id, &client, "privacy-policy")?;
    ctx.call_err(
        "UpdateTerms",
        json!({"UserPoolId": pool.id, "TermsId": id, "TermsName": "privacy-policy"}),
        "TermsExistsException",
    )?;
    ctx.call_err(
        "UpdateTerms",
        json!({"UserPoolId": pool.id, "TermsId": UNKNOWN_TERMS, "Links": new_links}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn delete_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = new_client(ctx, &pool.id)?;
    let t = create(ctx, &pool.id, &client, "terms-of-use")?;
    let input = json!({"UserPoolId": pool.id, "TermsId": terms_id(&t)?});
    let out = ctx.call("DeleteTerms", input.clone())?;
    ensure_eq(&out, &json!({}), "DeleteTerms answer")?;
    ctx.call_err("DescribeTerms", input.clone(), "ResourceNotFoundException")?;
    ctx.call_err("DeleteTerms", input, "ResourceNotFoundException")?;
    // The client may have terms of use again.
    create(ctx, &pool.id, &client, "terms-of-use").map(drop)
}

/// `ListTerms` is not marked paginated in the model; page through it by hand, one
/// document at a time, and find each once.
fn list_paginated(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let mut mine = BTreeMap::new();
    for _ in 0..2 {
        let client = new_client(ctx, &pool.id)?;
        for name in ["terms-of-use", "privacy-policy"] {
            let t = create(ctx, &pool.id, &client, name)?;
            mine.insert(terms_id(&t)?, name.to_string());
        }
    }
    let mut seen = BTreeMap::new();
    let mut token: Option<Value> = None;
    for _ in 0..=mine.len() {
        let mut input = json!({"UserPoolId": pool.id, "MaxResults": 1});
        if let (Some(o), Some(t)) = (input.as_object_mut(), token.take()) {
            o.insert("NextToken".into(), t);
        }
        let out = ctx.call("ListTerms", input)?;
        let page = at(&out, "/Terms")?.as_array().cloned().unwrap_or_default();
        ensure(page.len() <= 1, || {
            format!("a page of {} documents for MaxResults 1", page.len())
        })?;
        for t in &page {
            ensure_eq(str_at(t, "/Enforcement")?, "NONE", "listed Enforcement")?;
            at(t, "/CreationDate")?;
            at(t, "/LastModifiedDate")?;
            let id = terms_id(t)?;
            let previous = seen.insert(id.clone(), str_at(t, "/TermsName")?.to_string());
            ensure(previous.is_none(), || format!("{id} was listed twice"))?;
        }
        token = out.get("NextToken").cloned();
        if token.is_none() {
            break;
        }
    }
    ensure(token.is_none(), || "still paging".to_string())?;
    ensure_eq(seen, mine, "listed documents and their names")
}
