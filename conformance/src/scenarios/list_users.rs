//! Scenarios of `ListUsers`: filters, the attributes each user shows, and pagination.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::users::{attribute, confirm_user, create_user};
use super::{at, create_pool, ensure, ensure_eq, str_at, Ctx, Scenario};

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        operation: "ListUsers",
        name: "filters",
        run: filters,
    },
    Scenario {
        operation: "ListUsers",
        name: "attributes-to-get",
        run: attributes_to_get,
    },
    Scenario {
        operation: "ListUsers",
        name: "pagination",
        run: paginated,
    },
    Scenario {
        operation: "ListUsers",
        name: "token-survives-new-users",
        run: token_survives_new_users,
    },
];

/// The usernames `ListUsers` answers for `filter`, sorted.
fn usernames(ctx: &Ctx, pool: &str, filter: &str) -> Result<Vec<String>, String> {
    let users = ctx.collect_pages(
        "ListUsers",
        json!({"UserPoolId": pool, "Filter": filter}),
        60,
    )?;
    let mut names = users
        .iter()
        .map(|u| str_at(u, "/Username").map(str::to_string))
        .collect::<Result<Vec<_>, _>>()?;
    names.sort();
    Ok(names)
}

fn filters(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    for (name, email, given) in [
        ("amy", "amy@example.com", "Amy"),
        ("ben", "ben@example.org", "Ben"),
        ("bea", "bea@example.com", "Beatrice"),
        ("cid", "cid@example.net", "Cid"),
    ] {
        create_user(
            ctx,
            &pool.id,
            name,
            json!({"email": email, "given_name": given}),
        )?;
    }
    confirm_user(ctx, &pool.id, "ben")?;
    ctx.call(
        "AdminDisableUser",
        json!({"UserPoolId": pool.id, "Username": "cid"}),
    )?;

    let cases = [
        (r#"email = "bea@example.com""#, vec!["bea"]),
        (r#"email = "nobody@example.com""#, vec![]),
        (r#"email ^= "b""#, vec!["bea", "ben"]),
        (r#"given_name ^= "Be""#, vec!["bea", "ben"]),
        (r#"username = "amy""#, vec!["amy"]),
        (r#"username ^= "b""#, vec!["bea", "ben"]),
        (r#"cognito:user_status = "CONFIRMED""#, vec!["ben"]),
        (
            r#"cognito:user_status = "FORCE_CHANGE_PASSWORD""#,
            vec!["amy", "bea", "cid"],
        ),
        (r#"status = "Disabled""#, vec!["cid"]),
        (r#"status = "Enabled""#, vec!["amy", "bea", "ben"]),
        ("", vec!["amy", "bea", "ben", "cid"]),
    ];
    for (filter, want) in cases {
        let want: Vec<String> = want.into_iter().map(str::to_string).collect();
        ensure_eq(usernames(ctx, &pool.id, filter)?, want, filter)?;
    }
    ctx.call_err(
        "ListUsers",
        json!({"UserPoolId": pool.id, "Filter": "email = unquoted"}),
        "InvalidParameterException",
    )
    .map(drop)
}

/// `AttributesToGet` limits the attributes of every user listed; the rest stays.
fn attributes_to_get(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    for name in ["dora", "dirk"] {
        create_user(
            ctx,
            &pool.id,
            name,
            json!({"email": format!("{name}@example.com"), "family_name": "Dune"}),
        )?;
    }
    let out = ctx.call(
        "ListUsers",
        json!({"UserPoolId": pool.id, "AttributesToGet": ["email"]}),
    )?;
    let users = at(&out, "/Users")?
        .as_array()
        .ok_or("Users is not a list")?;
    ensure_eq(users.len(), 2, "users listed")?;
    for user in users {
        let name = str_at(user, "/Username")?;
        ensure_eq(
            at(user, "/Attributes")?,
            &json!([{"Name": "email", "Value": format!("{name}@example.com")}]),
            "Attributes",
        )?;
        ensure_eq(
            str_at(user, "/UserStatus")?,
            "FORCE_CHANGE_PASSWORD",
            "UserStatus",
        )?;
        ensure_eq(at(user, "/Enabled")?, &json!(true), "Enabled")?;
    }
    let all = ctx.call("ListUsers", json!({"UserPoolId": pool.id}))?;
    for user in at(&all, "/Users")?.as_array().into_iter().flatten() {
        let attrs = at(user, "/Attributes")?;
        ensure_eq(attribute(attrs, "family_name"), Some("Dune"), "family_name")?;
        ensure(attribute(attrs, "sub").is_some(), || {
            "a user listed without AttributesToGet has no sub".to_string()
        })?;
    }
    Ok(())
}

/// Five users two at a time: three pages, each user once.
fn paginated(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let mut mine = BTreeMap::new();
    for name in ["eve", "eli", "ema", "eda", "eon"] {
        let user = create_user(ctx, &pool.id, name, json!({}))?;
        let sub = attribute(at(&user, "/Attributes")?, "sub").map(str::to_string);
        mine.insert(name.to_string(), sub);
    }
    let listed = ctx.collect_pages("ListUsers", json!({"UserPoolId": pool.id}), 2)?;
    let mut seen = BTreeMap::new();
    for user in &listed {
        let name = str_at(user, "/Username")?.to_string();
        let sub = attribute(at(user, "/Attributes")?, "sub").map(str::to_string);
        ensure(seen.insert(name.clone(), sub).is_none(), || {
            format!("{name} was listed twice")
        })?;
    }
    ensure_eq(listed.len(), 5, "users listed")?;
    ensure_eq(seen, mine, "listed users and their subs")
}

/// A pagination token stays good while users are added: the users that were there from
/// the start are each listed exactly once.
fn token_survives_new_users(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let original = ["fay", "fin", "flo", "fox", "fry"];
    for name in original {
        create_user(ctx, &pool.id, name, json!({}))?;
    }
    let first = ctx.call("ListUsers", json!({"UserPoolId": pool.id, "Limit": 2}))?;
    let mut listed: Vec<String> = page_names(&first)?;
    let mut token = first.get("PaginationToken").cloned();
    ensure(token.is_some(), || {
        "no PaginationToken after the first of three pages".to_string()
    })?;
    for name in ["faa", "fiz", "fzz"] {
        create_user(ctx, &pool.id, name, json!({}))?;
    }
    let mut pages = 1;
    while let Some(t) = token.take() {
        pages += 1;
        ensure(pages <= 10, || "still paging after 10 pages".to_string())?;
        let out = ctx.call(
            "ListUsers",
            json!({"UserPoolId": pool.id, "Limit": 2, "PaginationToken": t}),
        )?;
        listed.extend(page_names(&out)?);
        token = out.get("PaginationToken").cloned();
    }
    for name in original {
        let times = listed.iter().filter(|n| n.as_str() == name).count();
        ensure_eq(times, 1, &format!("times {name} was listed"))?;
    }
    let mut unique = listed.clone();
    unique.sort();
    unique.dedup();
    ensure_eq(unique.len(), listed.len(), "users listed twice")
}

fn page_names(page: &Value) -> Result<Vec<String>, String> {
    page.get("Users")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|u| str_at(u, "/Username").map(str::to_string))
        .collect()
}
