//! Scenarios of multi-Region replication of user pools.

use serde_json::{json, Value};

use super::{at, create_pool, create_pool_with, ensure_eq, Ctx, Pool, Scenario, REGION};

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        operation: "CreateUserPoolReplica",
        name: "basic",
        run: create_basic,
    },
    Scenario {
        operation: "CreateUserPoolReplica",
        name: "needs-multi-region-key",
        run: create_without_key,
    },
    Scenario {
        operation: "CreateUserPoolReplica",
        name: "lite-tier",
        run: create_lite,
    },
    Scenario {
        operation: "UpdateUserPoolReplica",
        name: "basic",
        run: update_basic,
    },
    Scenario {
        operation: "DeleteUserPoolReplica",
        name: "basic",
        run: delete_basic,
    },
    Scenario {
        operation: "ListUserPoolReplicas",
        name: "basic",
        run: list_basic,
    },
];

/// The Region replicas are made in.
const SECONDARY: &str = "eu-west-1";

/// A customer managed multi-Region KMS key.
const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/mrk-0123456789abcdef0123456789abcdef";

/// A pool encrypted with a multi-Region key, as replication needs.
fn replicable_pool(ctx: &Ctx) -> Result<Pool, String> {
    create_pool_with(
        ctx,
        "replicated",
        json!({"KeyConfiguration": {"KeyType": "CUSTOMER_MANAGED_KEY", "KmsKeyArn": KEY}}),
    )
}

/// The ARN of `pool`'s copy in `region`.
fn arn_in(pool: &Pool, region: &str) -> String {
    pool.arn
        .replacen(&format!(":{REGION}:"), &format!(":{region}:"), 1)
}

fn create_replica(ctx: &Ctx, pool: &Pool) -> Result<Value, String> {
    let out = ctx.call(
        "CreateUserPoolReplica",
        json!({"UserPoolId": pool.id, "RegionName": SECONDARY, "UserPoolTags": {"env": "dr"}}),
    )?;
    at(&out, "/UserPoolReplica").cloned()
}

fn secondary(pool: &Pool, status: &str) -> Value {
    json!({
        "RegionName": SECONDARY,
        "Role": "SECONDARY",
        "Status": status,
        "UserPoolArn": arn_in(pool, SECONDARY),
    })
}

fn list(ctx: &Ctx, pool: &str) -> Result<Value, String> {
    let out = ctx.call("ListUserPoolReplicas", json!({"UserPoolId": pool}))?;
    Ok(out.get("UserPoolReplicas").cloned().unwrap_or(json!([])))
}

fn update(ctx: &Ctx, pool: &str, status: &str) -> Result<Value, String> {
    let out = ctx.call(
        "UpdateUserPoolReplica",
        json!({"UserPoolId": pool, "RegionName": SECONDARY, "Status": status}),
    )?;
    at(&out, "/UserPoolReplica").cloned()
}

fn delete(ctx: &Ctx, pool: &str) -> Result<Value, String> {
    let out = ctx.call(
        "DeleteUserPoolReplica",
        json!({"UserPoolId": pool, "RegionName": SECONDARY}),
    )?;
    at(&out, "/UserPoolReplica").cloned()
}

fn create_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = replicable_pool(ctx)?;
    let replica = create_replica(ctx, &pool)?;
    ensure_eq(replica, secondary(&pool, "CREATING"), "UserPoolReplica")?;
    // A Region holds one replica of the pool.
    ctx.call_err(
        "CreateUserPoolReplica",
        json!({"UserPoolId": pool.id, "RegionName": SECONDARY}),
        "InvalidParameterException",
    )?;
    // The primary's Region holds the pool itself.
    ctx.call_err(
        "CreateUserPoolReplica",
        json!({"UserPoolId": pool.id, "RegionName": REGION}),
        "InvalidParameterException",
    )?;
    delete(ctx, &pool.id).map(drop)
}

fn create_without_key(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    ctx.call_err(
        "CreateUserPoolReplica",
        json!({"UserPoolId": pool.id, "RegionName": SECONDARY}),
        "InvalidParameterException",
    )?;
    ensure_eq(
        list(ctx, &pool.id)?,
        json!([]),
        "replicas after the refusal",
    )
}

fn create_lite(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool_with(
        ctx,
        "lite",
        json!({
            "UserPoolTier": "LITE",
            "KeyConfiguration": {"KeyType": "CUSTOMER_MANAGED_KEY", "KmsKeyArn": KEY},
        }),
    )?;
    ctx.call_err(
        "CreateUserPoolReplica",
        json!({"UserPoolId": pool.id, "RegionName": SECONDARY}),
        "FeatureUnavailableInTierException",
    )
    .map(drop)
}

fn update_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = replicable_pool(ctx)?;
    create_replica(ctx, &pool)?;
    ensure_eq(
        update(ctx, &pool.id, "ACTIVE")?,
        secondary(&pool, "ACTIVE"),
        "replica after activation",
    )?;
    let listed = list(ctx, &pool.id)?;
    let found = listed
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|r| r.get("RegionName") == Some(&json!(SECONDARY)))
        })
        .cloned();
    ensure_eq(
        found,
        Some(secondary(&pool, "ACTIVE")),
        "listed replica after activation",
    )?;
    ensure_eq(
        update(ctx, &pool.id, "INACTIVE")?,
        secondary(&pool, "INACTIVE"),
        "replica after deactivation",
    )?;
    ctx.call_err(
        "UpdateUserPoolReplica",
        json!({"UserPoolId": pool.id, "RegionName": "ap-south-1", "Status": "ACTIVE"}),
        "ResourceNotFoundException",
    )?;
    delete(ctx, &pool.id).map(drop)
}

/// Only an inactive replica can be deleted.
fn delete_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = replicable_pool(ctx)?;
    create_replica(ctx, &pool)?;
    update(ctx, &pool.id, "ACTIVE")?;
    ctx.call_err(
        "DeleteUserPoolReplica",
        json!({"UserPoolId": pool.id, "RegionName": SECONDARY}),
        "InvalidParameterException",
    )?;
    update(ctx, &pool.id, "INACTIVE")?;
    ensure_eq(
        delete(ctx, &pool.id)?,
        secondary(&pool, "DELETING"),
        "DeleteUserPoolReplica answer",
    )?;
    ensure_eq(list(ctx, &pool.id)?, json!([]), "replicas after the delete")?;
    ctx.call_err(
        "DeleteUserPoolReplica",
        json!({"UserPoolId": pool.id, "RegionName": SECONDARY}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

/// Once replicated, the listing shows the primary beside its replica.
fn list_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = replicable_pool(ctx)?;
    ensure_eq(list(ctx, &pool.id)?, json!([]), "replicas of a new pool")?;
    create_replica(ctx, &pool)?;
    let primary = json!({
        "RegionName": REGION,
        "Role": "PRIMARY",
        "Status": "ACTIVE",
        "UserPoolArn": pool.arn,
    });
    let mut listed: Vec<Value> = list(ctx, &pool.id)?.as_array().cloned().unwrap_or_default();
    listed.sort_by_key(|r| r.get("RegionName").map(ToString::to_string));
    let mut want = vec![primary, secondary(&pool, "INACTIVE")];
    want.sort_by_key(|r| r.get("RegionName").map(ToString::to_string));
    ensure_eq(listed, want, "replicas")?;
    delete(ctx, &pool.id).map(drop)
}
