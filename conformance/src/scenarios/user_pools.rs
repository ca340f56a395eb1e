//! Scenarios of the user pool family: create, describe, update, delete and list pools.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::{
    at, create_pool, create_pool_with, ensure, ensure_eq, matches, str_at, unknown_pool_id, Ctx,
    Scenario, REGION,
};

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        operation: "CreateUserPool",
        name: "basic",
        run: create_basic,
    },
    Scenario {
        operation: "CreateUserPool",
        name: "settings",
        run: create_settings,
    },
    Scenario {
        operation: "DescribeUserPool",
        name: "basic",
        run: describe_basic,
    },
    Scenario {
        operation: "DescribeUserPool",
        name: "not-found",
        run: describe_not_found,
    },
    Scenario {
        operation: "UpdateUserPool",
        name: "basic",
        run: update_basic,
    },
    Scenario {
        operation: "UpdateUserPool",
        name: "resets-omitted",
        run: update_resets_omitted,
    },
    Scenario {
        operation: "UpdateUserPool",
        name: "not-found",
        run: update_not_found,
    },
    Scenario {
        operation: "DeleteUserPool",
        name: "basic",
        run: delete_basic,
    },
    Scenario {
        operation: "DeleteUserPool",
        name: "deletion-protection",
        run: delete_protected,
    },
    Scenario {
        operation: "DeleteUserPool",
        name: "not-found",
        run: delete_not_found,
    },
    Scenario {
        operation: "ListUserPools",
        name: "pagination",
        run: list_paginated,
    },
];

fn describe(ctx: &Ctx, id: &str) -> Result<Value, String> {
    let out = ctx.call("DescribeUserPool", json!({"UserPoolId": id}))?;
    at(&out, "/UserPool").cloned()
}

fn create_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let p = &pool.created;
    ensure_eq(str_at(p, "/Name")?, pool.name.as_str(), "Name")?;
    let id_pattern = format!("^{REGION}_[0-9A-Za-z]{{9}}$");
    ensure(matches(&id_pattern, &pool.id)?, || {
        format!("pool id {} does not look like {id_pattern}", pool.id)
    })?;
    let arn_pattern = format!(
        "^arn:aws:cognito-idp:{REGION}:[0-9]{{12}}:userpool/{}$",
        pool.id
    );
    ensure(matches(&arn_pattern, &pool.arn)?, || {
        format!("ARN {} does not look like {arn_pattern}", pool.arn)
    })?;
    at(p, "/CreationDate")?;
    at(p, "/LastModifiedDate")?;
    ensure_eq(
        str_at(p, "/MfaConfiguration")?,
        "OFF",
        "default MfaConfiguration",
    )?;
    ensure_eq(
        str_at(p, "/DeletionProtection")?,
        "INACTIVE",
        "default DeletionProtection",
    )?;
    ensure_eq(
        at(p, "/EstimatedNumberOfUsers")?,
        &json!(0),
        "EstimatedNumberOfUsers",
    )?;
    let policy = at(p, "/Policies/PasswordPolicy")?;
    ensure_eq(
        at(policy, "/MinimumLength")?,
        &json!(8),
        "default MinimumLength",
    )?;
    for flag in [
        "RequireUppercase",
        "RequireLowercase",
        "RequireNumbers",
        "RequireSymbols",
    ] {
        ensure_eq(at(policy, &format!("/{flag}"))?, &json!(true), flag)?;
    }
    ensure_eq(
        at(policy, "/TemporaryPasswordValidityDays")?,
        &json!(7),
        "default TemporaryPasswordValidityDays",
    )?;
    let sub = schema_attribute(p, "sub")?;
    ensure_eq(at(sub, "/Mutable")?, &json!(false), "sub Mutable")?;
    ensure_eq(at(sub, "/Required")?, &json!(true), "sub Required")?;
    Ok(())
}

/// The entry of `SchemaAttributes` named `name`.
fn schema_attribute<'v>(pool: &'v Value, name: &str) -> Result<&'v Value, String> {
    at(pool, "/SchemaAttributes")?
        .as_array()
        .and_then(|a| a.iter().find(|s| s.get("Name") == Some(&json!(name))))
        .ok_or_else(|| format!("SchemaAttributes has no {name}"))
}

fn create_settings(ctx: &Ctx) -> Result<(), String> {
    let password = json!({
        "MinimumLength": 12,
        "RequireUppercase": false,
        "RequireLowercase": true,
        "RequireNumbers": true,
        "RequireSymbols": false,
        "TemporaryPasswordValidityDays": 3,
    });
    let pool = create_pool_with(
        ctx,
        "settings",
        json!({
            "Policies": {"PasswordPolicy": password},
            "AutoVerifiedAttributes": ["email"],
            "UsernameAttributes": ["email"],
            "Schema": [{
                "Name": "tier",
                "AttributeDataType": "String",
                "Mutable": true,
                "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "16"},
            }],
            "UserPoolTags": {"team": "blue"},
        }),
    )?;
    let p = &pool.created;
    for (key, want) in password.as_object().into_iter().flatten() {
        ensure_eq(
            at(p, &format!("/Policies/PasswordPolicy/{key}"))?,
            want,
            key,
        )?;
    }
    ensure_eq(
        at(p, "/AutoVerifiedAttributes")?,
        &json!(["email"]),
        "AutoVerifiedAttributes",
    )?;
    ensure_eq(
        at(p, "/UsernameAttributes")?,
        &json!(["email"]),
        "UsernameAttributes",
    )?;
    ensure_eq(
        at(p, "/UserPoolTags")?,
        &json!({"team": "blue"}),
        "UserPoolTags",
    )?;
    let tier = schema_attribute(p, "custom:tier")?;
    ensure_eq(
        str_at(tier, "/AttributeDataType")?,
        "String",
        "custom:tier type",
    )?;
    ensure_eq(at(tier, "/Mutable")?, &json!(true), "custom:tier Mutable")?;
    ensure_eq(
        str_at(tier, "/StringAttributeConstraints/MaxLength")?,
        "16",
        "custom:tier MaxLength",
    )?;
    Ok(())
}

fn describe_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool_with(ctx, "describe", json!({"UserPoolTags": {"k": "v"}}))?;
    let described = describe(ctx, &pool.id)?;
    ensure_eq(
        &described,
        &pool.created,
        "DescribeUserPool versus CreateUserPool",
    )
}

fn describe_not_found(ctx: &Ctx) -> Result<(), String> {
    let id = unknown_pool_id();
    let message = ctx.call_err(
        "DescribeUserPool",
        json!({"UserPoolId": id}),
        "ResourceNotFoundException",
    )?;
    ensure_eq(
        message.as_str(),
        &format!("User pool {id} does not exist."),
        "message",
    )
}

fn update_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let password = json!({
        "MinimumLength": 10,
        "RequireUppercase": true,
        "RequireLowercase": false,
        "RequireNumbers": false,
        "RequireSymbols": true,
        "TemporaryPasswordValidityDays": 2,
    });
    let out = ctx.call(
        "UpdateUserPool",
        json!({
            "UserPoolId": pool.id,
            "Policies": {"PasswordPolicy": password},
            "UserPoolTags": {"stage": "test"},
            "DeletionProtection": "ACTIVE",
        }),
    )?;
    ensure_eq(&out, &json!({}), "UpdateUserPool answer")?;
    let p = describe(ctx, &pool.id)?;
    for (key, want) in password.as_object().into_iter().flatten() {
        ensure_eq(
            at(&p, &format!("/Policies/PasswordPolicy/{key}"))?,
            want,
            key,
        )?;
    }
    ensure_eq(
        at(&p, "/UserPoolTags")?,
        &json!({"stage": "test"}),
        "UserPoolTags",
    )?;
    ensure_eq(
        str_at(&p, "/DeletionProtection")?,
        "ACTIVE",
        "DeletionProtection",
    )?;
    ensure_eq(str_at(&p, "/Name")?, pool.name.as_str(), "Name")?;
    ensure_eq(
        at(&p, "/CreationDate")?,
        at(&pool.created, "/CreationDate")?,
        "CreationDate",
    )?;
    let modified = at(&p, "/LastModifiedDate")?.as_f64().unwrap_or(0.0);
    let before = at(&pool.created, "/LastModifiedDate")?
        .as_f64()
        .unwrap_or(0.0);
    ensure(modified >= before, || {
        format!("LastModifiedDate went back from {before} to {modified}")
    })
}

/// Settings an update leaves out return to their defaults.
fn update_resets_omitted(ctx: &Ctx) -> Result<(), String> {
    let trigger = format!("arn:aws:lambda:{REGION}:123456789012:function:pre-sign-up");
    let pool = create_pool_with(
        ctx,
        "reset",
        json!({
            "AutoVerifiedAttributes": ["email"],
            "LambdaConfig": {"PreSignUp": trigger},
        }),
    )?;
    ensure_eq(
        str_at(&pool.created, "/LambdaConfig/PreSignUp")?,
        trigger.as_str(),
        "PreSignUp",
    )?;
    ctx.call(
        "UpdateUserPool",
        json!({"UserPoolId": pool.id, "MfaConfiguration": "OFF"}),
    )?;
    let p = describe(ctx, &pool.id)?;
    let verified = p
        .get("AutoVerifiedAttributes")
        .cloned()
        .unwrap_or(json!([]));
    ensure_eq(
        &verified,
        &json!([]),
        "AutoVerifiedAttributes after an update without them",
    )?;
    let pre_sign_up = p.pointer("/LambdaConfig/PreSignUp");
    ensure_eq(
        pre_sign_up,
        None,
        "LambdaConfig.PreSignUp after an update without it",
    )
}

fn update_not_found(ctx: &Ctx) -> Result<(), String> {
    ctx.call_err(
        "UpdateUserPool",
        json!({"UserPoolId": unknown_pool_id()}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn delete_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let out = ctx.call("DeleteUserPool", json!({"UserPoolId": pool.id}))?;
    ensure_eq(&out, &json!({}), "DeleteUserPool answer")?;
    ctx.call_err(
        "DescribeUserPool",
        json!({"UserPoolId": pool.id}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn delete_protected(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool_with(ctx, "protected", json!({"DeletionProtection": "ACTIVE"}))?;
    ensure_eq(
        str_at(&pool.created, "/DeletionProtection")?,
        "ACTIVE",
        "DeletionProtection",
    )?;
    ctx.call_err(
        "DeleteUserPool",
        json!({"UserPoolId": pool.id}),
        "InvalidParameterException",
    )?;
    describe(ctx, &pool.id)?;
    ctx.call(
        "UpdateUserPool",
        json!({"UserPoolId": pool.id, "DeletionProtection": "INACTIVE"}),
    )?;
    ctx.call("DeleteUserPool", json!({"UserPoolId": pool.id}))?;
    ctx.call_err(
        "DescribeUserPool",
        json!({"UserPoolId": pool.id}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn delete_not_found(ctx: &Ctx) -> Result<(), String> {
    ctx.call_err(
        "DeleteUserPool",
        json!({"UserPoolId": unknown_pool_id()}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

/// Pages through `ListUserPools` one pool at a time and finds three new pools once each.
fn list_paginated(ctx: &Ctx) -> Result<(), String> {
    let mut mine = BTreeMap::new();
    for _ in 0..3 {
        let pool = create_pool_with(ctx, "listed", json!({}))?;
        mine.insert(pool.id.clone(), pool.name.clone());
    }
    let listed = ctx.collect_pages("ListUserPools", json!({}), 1)?;
    for (id, name) in &mine {
        let found: Vec<&Value> = listed
            .iter()
            .filter(|p| p.get("Id") == Some(&json!(id)))
            .collect();
        ensure_eq(found.len(), 1, &format!("times {id} was listed"))?;
        for p in found {
            ensure_eq(str_at(p, "/Name")?, name.as_str(), "listed Name")?;
        }
    }
    Ok(())
}
