//! Scenarios of the account's provisioned API rate limits.
//!
//! Limits belong to the account, not to a pool: a scenario that raises one puts it back.

use serde_json::{json, Value};

use super::{at, ensure, ensure_eq, Ctx, Scenario};

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        operation: "GetProvisionedLimit",
        name: "basic",
        run: get_basic,
    },
    Scenario {
        operation: "UpdateProvisionedLimit",
        name: "basic",
        run: update_basic,
    },
    Scenario {
        operation: "UpdateProvisionedLimit",
        name: "below-free",
        run: update_below_free,
    },
];

fn definition(category: &str) -> Value {
    json!({"LimitClass": "API_CATEGORY", "Attributes": {"Category": category}})
}

/// The `Limit` of `category`, after checking that it answers for that category.
fn get(ctx: &Ctx, category: &str) -> Result<Value, String> {
    let out = ctx.call(
        "GetProvisionedLimit",
        json!({"LimitDefinition": definition(category)}),
    )?;
    let limit = at(&out, "/Limit")?;
    ensure_eq(
        at(limit, "/LimitDefinition")?,
        &definition(category),
        "LimitDefinition",
    )?;
    Ok(limit.clone())
}

fn value(limit: &Value, key: &str) -> Result<i64, String> {
    at(limit, &format!("/{key}"))?
        .as_i64()
        .ok_or_else(|| format!("{key} is not an integer in {limit}"))
}

fn update(ctx: &Ctx, category: &str, requested: i64) -> Result<Value, String> {
    let out = ctx.call(
        "UpdateProvisionedLimit",
        json!({"LimitDefinition": definition(category), "RequestedLimitValue": requested}),
    )?;
    at(&out, "/Limit").cloned()
}

fn get_basic(ctx: &Ctx) -> Result<(), String> {
    for category in ["UserAuthentication", "UserCreation", "UserRead"] {
        let limit = get(ctx, category)?;
        let free = value(&limit, "FreeLimitValue")?;
        let provisioned = value(&limit, "ProvisionedLimitValue")?;
        ensure(free > 0, || format!("{category}: a free rate of {free}"))?;
        ensure(provisioned >= free, || {
            format!("{category}: provisioned {provisioned} below the free {free}")
        })?;
    }
    Ok(())
}

fn update_basic(ctx: &Ctx) -> Result<(), String> {
    let category = "UserList";
    let free = value(&get(ctx, category)?, "FreeLimitValue")?;
    let raised = update(ctx, category, free + 10)?;
    ensure_eq(
        value(&raised, "ProvisionedLimitValue")?,
        free + 10,
        "ProvisionedLimitValue",
    )?;
    ensure_eq(value(&raised, "FreeLimitValue")?, free, "FreeLimitValue")?;
    ensure_eq(
        at(&raised, "/LimitDefinition")?,
        &definition(category),
        "LimitDefinition",
    )?;
    ensure_eq(
        &get(ctx, category)?,
        &raised,
        "GetProvisionedLimit after it",
    )?;
    let back = update(ctx, category, free)?;
    ensure_eq(
        value(&back, "ProvisionedLimitValue")?,
        free,
        "ProvisionedLimitValue back at the free rate",
    )
}

/// A provisioned rate can't be below the free one.
fn update_below_free(ctx: &Ctx) -> Result<(), String> {
    let category = "UserUpdate";
    let before = get(ctx, category)?;
    let free = value(&before, "FreeLimitValue")?;
    ctx.call_err(
        "UpdateProvisionedLimit",
        json!({"LimitDefinition": definition(category), "RequestedLimitValue": free - 1}),
        "InvalidParameterException",
    )?;
    ensure_eq(get(ctx, category)?, before, "limit after the refusal")
}
