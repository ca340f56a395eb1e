//! Scenarios of point-in-time recovery.
//!
//! A recovery point must be at least 15 minutes old and no earlier than the pool's
//! creation, so a pool made by a scenario has no valid recovery point yet: initiating is
//! refused, and there is no recovery to start, cancel or describe. The scenarios check
//! those refusals, with the pool's `CreationDate` standing for the server's clock, and
//! the empty listing of a new pool.

use serde_json::{json, Value};

use super::{at, create_pool, create_pool_with, ensure_eq, Ctx, Pool, Scenario};

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        operation: "InitiatePointInTimeRecovery",
        name: "too-recent",
        run: initiate_too_recent,
    },
    Scenario {
        operation: "InitiatePointInTimeRecovery",
        name: "before-pool",
        run: initiate_before_pool,
    },
    Scenario {
        operation: "InitiatePointInTimeRecovery",
        name: "lite-tier",
        run: initiate_lite,
    },
    Scenario {
        operation: "StartPointInTimeRecovery",
        name: "not-found",
        run: start_not_found,
    },
    Scenario {
        operation: "CancelPointInTimeRecovery",
        name: "not-found",
        run: cancel_not_found,
    },
    Scenario {
        operation: "DescribePointInTimeRecovery",
        name: "not-found",
        run: describe_not_found,
    },
    Scenario {
        operation: "ListPointInTimeRecoveries",
        name: "new-pool",
        run: list_new_pool,
    },
];

/// A recovery id that is well formed and exists nowhere.
const UNKNOWN_RESTORE: &str = "00000000-0000-4000-8000-000000000000";

/// When the pool was created, in epoch seconds.
fn created(pool: &Pool) -> Result<f64, String> {
    at(&pool.created, "/CreationDate")?
        .as_f64()
        .ok_or_else(|| "CreationDate is not a number".to_string())
}

fn restorations(ctx: &Ctx, pool: &str) -> Result<Value, String> {
    let out = ctx.call("ListPointInTimeRecoveries", json!({"UserPoolId": pool}))?;
    Ok(out.get("Restorations").cloned().unwrap_or(json!([])))
}

/// A recovery point of the last 15 minutes is refused.
fn initiate_too_recent(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    ctx.call_err(
        "InitiatePointInTimeRecovery",
        json!({"UserPoolId": pool.id, "RestoreTimestamp": created(&pool)?}),
        "InvalidParameterException",
    )?;
    ensure_eq(
        restorations(ctx, &pool.id)?,
        json!([]),
        "recoveries after the refusal",
    )
}

/// A recovery point before the pool existed is refused, old enough as it is.
fn initiate_before_pool(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let hour_before = created(&pool)? - 3600.0;
    ctx.call_err(
        "InitiatePointInTimeRecovery",
        json!({"UserPoolId": pool.id, "RestoreTimestamp": hour_before}),
        "InvalidParameterException",
    )?;
    ensure_eq(
        restorations(ctx, &pool.id)?,
        json!([]),
        "recoveries after the refusal",
    )
}

/// Point-in-time recovery needs the Essentials or Plus plan.
fn initiate_lite(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool_with(ctx, "lite", json!({"UserPoolTier": "LITE"}))?;
    ctx.call_err(
        "InitiatePointInTimeRecovery",
        json!({"UserPoolId": pool.id, "RestoreTimestamp": created(&pool)? - 3600.0}),
        "FeatureUnavailableInTierException",
    )
    .map(drop)
}

fn start_not_found(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    ctx.call_err(
        "StartPointInTimeRecovery",
        json!({"UserPoolId": pool.id, "RestoreId": UNKNOWN_RESTORE}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn cancel_not_found(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    ctx.call_err(
        "CancelPointInTimeRecovery",
        json!({"UserPoolId": pool.id, "RestoreId": UNKNOWN_RESTORE}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn describe_not_found(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    ctx.call_err(
        "DescribePointInTimeRecovery",
        json!({"UserPoolId": pool.id, "RestoreId": UNKNOWN_RESTORE}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn list_new_pool(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let out = ctx.call(
        "ListPointInTimeRecoveries",
        json!({"UserPoolId": pool.id, "MaxResults": 10}),
    )?;
    ensure_eq(out.get("NextToken"), None, "NextToken")?;
    ensure_eq(
        out.get("Restorations").cloned().unwrap_or(json!([])),
        json!([]),
        "recoveries of a new pool",
    )
}
