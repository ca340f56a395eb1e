//! Scenarios of groups and their members.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::users::create_user;
use super::{at, create_pool, ensure, ensure_eq, str_at, Ctx, Scenario};

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        operation: "CreateGroup",
        name: "basic",
        run: create_basic,
    },
    Scenario {
        operation: "CreateGroup",
        name: "duplicate",
        run: create_duplicate,
    },
    Scenario {
        operation: "GetGroup",
        name: "basic",
        run: get_basic,
    },
    Scenario {
        operation: "GetGroup",
        name: "not-found",
        run: get_not_found,
    },
    Scenario {
        operation: "UpdateGroup",
        name: "basic",
        run: update_basic,
    },
    Scenario {
        operation: "UpdateGroup",
        name: "not-found",
        run: update_not_found,
    },
    Scenario {
        operation: "DeleteGroup",
        name: "basic",
        run: delete_basic,
    },
    Scenario {
        operation: "DeleteGroup",
        name: "not-found",
        run: delete_not_found,
    },
    Scenario {
        operation: "ListGroups",
        name: "pagination",
        run: list_paginated,
    },
    Scenario {
        operation: "AdminAddUserToGroup",
        name: "basic",
        run: add_basic,
    },
    Scenario {
        operation: "AdminAddUserToGroup",
        name: "unknown-user-or-group",
        run: add_unknown,
    },
    Scenario {
        operation: "AdminRemoveUserFromGroup",
        name: "basic",
        run: remove_basic,
    },
    Scenario {
        operation: "AdminListGroupsForUser",
        name: "pagination",
        run: groups_for_user_paginated,
    },
    Scenario {
        operation: "AdminListGroupsForUser",
        name: "deleted-user",
        run: groups_for_deleted_user,
    },
    Scenario {
        operation: "ListUsersInGroup",
        name: "pagination",
        run: users_in_group_paginated,
    },
];

fn role_arn(name: &str) -> String {
    format!("arn:aws:iam::123456789012:role/{name}")
}

fn create_group(ctx: &Ctx, pool: &str, name: &str, settings: Value) -> Result<Value, String> {
    let mut input = json!({"UserPoolId": pool, "GroupName": name});
    if let (Some(i), Some(s)) = (input.as_object_mut(), settings.as_object()) {
        i.extend(s.clone());
    }
    let out = ctx.call("CreateGroup", input)?;
    at(&out, "/Group").cloned()
}

fn get_group(ctx: &Ctx, pool: &str, name: &str) -> Result<Value, String> {
    let out = ctx.call("GetGroup", json!({"UserPoolId": pool, "GroupName": name}))?;
    at(&out, "/Group").cloned()
}

fn add(ctx: &Ctx, pool: &str, user: &str, group: &str) -> Result<Value, String> {
    ctx.call(
        "AdminAddUserToGroup",
        json!({"UserPoolId": pool, "Username": user, "GroupName": group}),
    )
}

/// The names of the groups `user` belongs to, paged `page_size` at a time.
fn groups_of(ctx: &Ctx, pool: &str, user: &str, page_size: u64) -> Result<Vec<String>, String> {
    let groups = ctx.collect_pages(
        "AdminListGroupsForUser",
        json!({"UserPoolId": pool, "Username": user}),
        page_size,
    )?;
    groups
        .iter()
        .map(|g| str_at(g, "/GroupName").map(str::to_string))
        .collect()
}

/// The usernames of the members of `group`, paged `page_size` at a time.
fn members_of(ctx: &Ctx, pool: &str, group: &str, page_size: u64) -> Result<Vec<String>, String> {
    let users = ctx.collect_pages(
        "ListUsersInGroup",
        json!({"UserPoolId": pool, "GroupName": group}),
        page_size,
    )?;
    users
        .iter()
        .map(|u| str_at(u, "/Username").map(str::to_string))
        .collect()
}

fn create_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let role = role_arn("admins");
    let g = create_group(
        ctx,
        &pool.id,
        "admins",
        json!({"Description": "Administrators", "RoleArn": role, "Precedence": 1}),
    )?;
    ensure_eq(str_at(&g, "/GroupName")?, "admins", "GroupName")?;
    ensure_eq(str_at(&g, "/UserPoolId")?, pool.id.as_str(), "UserPoolId")?;
    ensure_eq(str_at(&g, "/Description")?, "Administrators", "Description")?;
    ensure_eq(str_at(&g, "/RoleArn")?, role.as_str(), "RoleArn")?;
    ensure_eq(at(&g, "/Precedence")?, &json!(1), "Precedence")?;
    at(&g, "/CreationDate")?;
    at(&g, "/LastModifiedDate")?;
    let bare = create_group(ctx, &pool.id, "readers", json!({}))?;
    for absent in ["Description", "RoleArn", "Precedence"] {
        ensure_eq(bare.get(absent), None, absent)?;
    }
    Ok(())
}

fn create_duplicate(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_group(ctx, &pool.id, "team", json!({"Description": "first"}))?;
    ctx.call_err(
        "CreateGroup",
        json!({"UserPoolId": pool.id, "GroupName": "team", "Description": "second"}),
        "GroupExistsException",
    )?;
    ensure_eq(
        str_at(&get_group(ctx, &pool.id, "team")?, "/Description")?,
        "first",
        "Description after the refused duplicate",
    )
}

fn get_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let created = create_group(
        ctx,
        &pool.id,
        "editors",
        json!({"Description": "Edit things", "Precedence": 5}),
    )?;
    ensure_eq(
        get_group(ctx, &pool.id, "editors")?,
        created,
        "GetGroup versus CreateGroup",
    )
}

fn get_not_found(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    ctx.call_err(
        "GetGroup",
        json!({"UserPoolId": pool.id, "GroupName": "missing"}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn update_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let created = create_group(
        ctx,
        &pool.id,
        "ops",
        json!({"Description": "Operations", "Precedence": 3}),
    )?;
    let role = role_arn("ops");
    let out = ctx.call(
        "UpdateGroup",
        json!({
            "UserPoolId": pool.id,
            "GroupName": "ops",
            "Description": "Operations team",
            "RoleArn": role,
            "Precedence": 7,
        }),
    )?;
    let g = at(&out, "/Group")?;
    ensure_eq(str_at(g, "/GroupName")?, "ops", "GroupName")?;
    ensure_eq(str_at(g, "/Description")?, "Operations team", "Description")?;
    ensure_eq(str_at(g, "/RoleArn")?, role.as_str(), "RoleArn")?;
    ensure_eq(at(g, "/Precedence")?, &json!(7), "Precedence")?;
    ensure_eq(
        at(g, "/CreationDate")?,
        at(&created, "/CreationDate")?,
        "CreationDate",
    )?;
    ensure_eq(
        &get_group(ctx, &pool.id, "ops")?,
        g,
        "GetGroup versus UpdateGroup",
    )?;
    // What an update leaves out keeps its value.
    let out = ctx.call(
        "UpdateGroup",
        json!({"UserPoolId": pool.id, "GroupName": "ops", "Precedence": 2}),
    )?;
    let g = at(&out, "/Group")?;
    ensure_eq(at(g, "/Precedence")?, &json!(2), "Precedence")?;
    ensure_eq(
        str_at(g, "/Description")?,
        "Operations team",
        "Description left out of the update",
    )?;
    ensure_eq(
        str_at(g, "/RoleArn")?,
        role.as_str(),
        "RoleArn left out of the update",
    )
}

fn update_not_found(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    ctx.call_err(
        "UpdateGroup",
        json!({"UserPoolId": pool.id, "GroupName": "missing", "Description": "x"}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

/// Deleting a group takes it away from its members too.
fn delete_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_group(ctx, &pool.id, "temp", json!({}))?;
    create_group(ctx, &pool.id, "kept", json!({}))?;
    create_user(ctx, &pool.id, "gus", json!({}))?;
    add(ctx, &pool.id, "gus", "temp")?;
    add(ctx, &pool.id, "gus", "kept")?;
    let out = ctx.call(
        "DeleteGroup",
        json!({"UserPoolId": pool.id, "GroupName": "temp"}),
    )?;
    ensure_eq(&out, &json!({}), "DeleteGroup answer")?;
    ctx.call_err(
        "GetGroup",
        json!({"UserPoolId": pool.id, "GroupName": "temp"}),
        "ResourceNotFoundException",
    )?;
    ensure_eq(
        groups_of(ctx, &pool.id, "gus", 10)?,
        vec!["kept".to_string()],
        "groups of the member after the delete",
    )?;
    // A new group of the same name starts empty.
    create_group(ctx, &pool.id, "temp", json!({}))?;
    ensure_eq(
        members_of(ctx, &pool.id, "temp", 10)?,
        Vec::<String>::new(),
        "members of the re-created group",
    )
}

fn delete_not_found(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    ctx.call_err(
        "DeleteGroup",
        json!({"UserPoolId": pool.id, "GroupName": "missing"}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn list_paginated(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let mut mine = BTreeSet::new();
    for (i, name) in ["alpha", "beta", "gamma", "delta"].into_iter().enumerate() {
        create_group(ctx, &pool.id, name, json!({"Precedence": i}))?;
        mine.insert(name.to_string());
    }
    let listed = ctx.collect_pages("ListGroups", json!({"UserPoolId": pool.id}), 1)?;
    let mut seen = BTreeSet::new();
    for g in &listed {
        ensure_eq(
            str_at(g, "/UserPoolId")?,
            pool.id.as_str(),
            "listed UserPoolId",
        )?;
        let name = str_at(g, "/GroupName")?.to_string();
        ensure(seen.insert(name.clone()), || format!("{name} listed twice"))?;
    }
    ensure_eq(seen, mine, "groups listed")?;
    let other = create_pool(ctx)?;
    let out = ctx.call("ListGroups", json!({"UserPoolId": other.id}))?;
    let groups = out.get("Groups").cloned().unwrap_or(json!([]));
    ensure_eq(groups, json!([]), "groups of another pool")
}

fn add_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_group(ctx, &pool.id, "staff", json!({}))?;
    create_user(ctx, &pool.id, "hana", json!({}))?;
    let out = add(ctx, &pool.id, "hana", "staff")?;
    ensure_eq(&out, &json!({}), "AdminAddUserToGroup answer")?;
    // Adding a member again changes nothing.
    add(ctx, &pool.id, "hana", "staff")?;
    ensure_eq(
        groups_of(ctx, &pool.id, "hana", 10)?,
        vec!["staff".to_string()],
        "groups of the user",
    )?;
    ensure_eq(
        members_of(ctx, &pool.id, "staff", 10)?,
        vec!["hana".to_string()],
        "members of the group",
    )
}

fn add_unknown(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_group(ctx, &pool.id, "staff", json!({}))?;
    create_user(ctx, &pool.id, "ian", json!({}))?;
    ctx.call_err(
        "AdminAddUserToGroup",
        json!({"UserPoolId": pool.id, "Username": "nobody", "GroupName": "staff"}),
        "UserNotFoundException",
    )?;
    ctx.call_err(
        "AdminAddUserToGroup",
        json!({"UserPoolId": pool.id, "Username": "ian", "GroupName": "missing"}),
        "ResourceNotFoundException",
    )?;
    ensure_eq(
        groups_of(ctx, &pool.id, "ian", 10)?,
        Vec::<String>::new(),
        "groups of the user",
    )
}

fn remove_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_group(ctx, &pool.id, "a", json!({}))?;
    create_group(ctx, &pool.id, "b", json!({}))?;
    create_user(ctx, &pool.id, "jo", json!({}))?;
    add(ctx, &pool.id, "jo", "a")?;
    add(ctx, &pool.id, "jo", "b")?;
    let out = ctx.call(
        "AdminRemoveUserFromGroup",
        json!({"UserPoolId": pool.id, "Username": "jo", "GroupName": "a"}),
    )?;
    ensure_eq(&out, &json!({}), "AdminRemoveUserFromGroup answer")?;
    ensure_eq(
        groups_of(ctx, &pool.id, "jo", 10)?,
        vec!["b".to_string()],
        "groups of the user",
    )?;
    ensure_eq(
        members_of(ctx, &pool.id, "a", 10)?,
        Vec::<String>::new(),
        "members of the group left",
    )?;
    ctx.call_err(
        "AdminRemoveUserFromGroup",
        json!({"UserPoolId": pool.id, "Username": "nobody", "GroupName": "b"}),
        "UserNotFoundException",
    )?;
    ctx.call_err(
        "AdminRemoveUserFromGroup",
        json!({"UserPoolId": pool.id, "Username": "jo", "GroupName": "missing"}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn groups_for_user_paginated(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_user(ctx, &pool.id, "kim", json!({}))?;
    let names = ["g1", "g2", "g3", "g4", "g5"];
    for name in names {
        create_group(
            ctx,
            &pool.id,
            name,
            json!({"Description": format!("group {name}")}),
        )?;
        add(ctx, &pool.id, "kim", name)?;
    }
    create_group(ctx, &pool.id, "g6", json!({}))?;
    let groups = ctx.collect_pages(
        "AdminListGroupsForUser",
        json!({"UserPoolId": pool.id, "Username": "kim"}),
        2,
    )?;
    let mut seen = BTreeSet::new();
    for g in &groups {
        let name = str_at(g, "/GroupName")?.to_string();
        ensure_eq(
            str_at(g, "/Description")?,
            format!("group {name}").as_str(),
            "Description",
        )?;
        ensure(seen.insert(name.clone()), || format!("{name} listed twice"))?;
    }
    let want: BTreeSet<String> = names.iter().map(|n| n.to_string()).collect();
    ensure_eq(seen, want, "groups of the user")
}

/// Deleting a user takes it out of its groups.
fn groups_for_deleted_user(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_group(ctx, &pool.id, "club", json!({}))?;
    create_user(ctx, &pool.id, "lea", json!({}))?;
    create_user(ctx, &pool.id, "lou", json!({}))?;
    add(ctx, &pool.id, "lea", "club")?;
    add(ctx, &pool.id, "lou", "club")?;
    ctx.call(
        "AdminDeleteUser",
        json!({"UserPoolId": pool.id, "Username": "lea"}),
    )?;
    ctx.call_err(
        "AdminListGroupsForUser",
        json!({"UserPoolId": pool.id, "Username": "lea"}),
        "UserNotFoundException",
    )?;
    ensure_eq(
        members_of(ctx, &pool.id, "club", 10)?,
        vec!["lou".to_string()],
        "members after the delete",
    )?;
    // A new user of the same name is in no group.
    create_user(ctx, &pool.id, "lea", json!({}))?;
    ensure_eq(
        groups_of(ctx, &pool.id, "lea", 10)?,
        Vec::<String>::new(),
        "groups of the re-created user",
    )
}

fn users_in_group_paginated(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_group(ctx, &pool.id, "crew", json!({}))?;
    let names = ["max", "mel", "mia", "moe", "mu"];
    for name in names {
        create_user(ctx, &pool.id, name, json!({}))?;
        add(ctx, &pool.id, name, "crew")?;
    }
    create_user(ctx, &pool.id, "outsider", json!({}))?;
    let users = ctx.collect_pages(
        "ListUsersInGroup",
        json!({"UserPoolId": pool.id, "GroupName": "crew"}),
        2,
    )?;
    let mut seen = BTreeSet::new();
    for u in &users {
        let name = str_at(u, "/Username")?.to_string();
        ensure_eq(
            str_at(u, "/UserStatus")?,
            "FORCE_CHANGE_PASSWORD",
            "UserStatus",
        )?;
        ensure(seen.insert(name.clone()), || format!("{name} listed twice"))?;
    }
    let want: BTreeSet<String> = names.iter().map(|n| n.to_string()).collect();
    ensure_eq(seen, want, "members of the group")?;
    ctx.call_err(
        "ListUsersInGroup",
        json!({"UserPoolId": pool.id, "GroupName": "missing"}),
        "ResourceNotFoundException",
    )
    .map(drop)
}
