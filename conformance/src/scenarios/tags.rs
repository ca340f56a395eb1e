//! Scenarios of resource tags on user pools.

use serde_json::{json, Value};

use super::{at, create_pool, create_pool_with, ensure_eq, unknown_pool_id, Ctx, Scenario, REGION};

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        operation: "TagResource",
        name: "basic",
        run: tag_basic,
    },
    Scenario {
        operation: "TagResource",
        name: "unknown-pool",
        run: tag_unknown_pool,
    },
    Scenario {
        operation: "ListTagsForResource",
        name: "basic",
        run: list_basic,
    },
    Scenario {
        operation: "UntagResource",
        name: "basic",
        run: untag_basic,
    },
];

fn tags_of(ctx: &Ctx, arn: &str) -> Result<Value, String> {
    let out = ctx.call("ListTagsForResource", json!({"ResourceArn": arn}))?;
    Ok(out.get("Tags").cloned().unwrap_or(json!({})))
}

fn tag_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let out = ctx.call(
        "TagResource",
        json!({"ResourceArn": pool.arn, "Tags": {"env": "test", "team": "blue"}}),
    )?;
    ensure_eq(&out, &json!({}), "TagResource answer")?;
    ensure_eq(
        tags_of(ctx, &pool.arn)?,
        json!({"env": "test", "team": "blue"}),
        "tags",
    )?;
    ctx.call(
        "TagResource",
        json!({"ResourceArn": pool.arn, "Tags": {"env": "prod"}}),
    )?;
    ensure_eq(
        tags_of(ctx, &pool.arn)?,
        json!({"env": "prod", "team": "blue"}),
        "tags after overwriting one",
    )?;
    let described = ctx.call("DescribeUserPool", json!({"UserPoolId": pool.id}))?;
    ensure_eq(
        at(&described, "/UserPool/UserPoolTags")?,
        &json!({"env": "prod", "team": "blue"}),
        "UserPoolTags",
    )
}

fn tag_unknown_pool(ctx: &Ctx) -> Result<(), String> {
    let arn = format!(
        "arn:aws:cognito-idp:{REGION}:123456789012:userpool/{}",
        unknown_pool_id()
    );
    ctx.call_err(
        "TagResource",
        json!({"ResourceArn": arn, "Tags": {"env": "test"}}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn list_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool_with(ctx, "tagged", json!({"UserPoolTags": {"a": "1", "b": ""}}))?;
    ensure_eq(
        tags_of(ctx, &pool.arn)?,
        json!({"a": "1", "b": ""}),
        "tags set at creation",
    )?;
    let bare = create_pool(ctx)?;
    ensure_eq(
        tags_of(ctx, &bare.arn)?,
        json!({}),
        "tags of an untagged pool",
    )
}

fn untag_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    ctx.call(
        "TagResource",
        json!({"ResourceArn": pool.arn, "Tags": {"env": "test", "team": "blue"}}),
    )?;
    let out = ctx.call(
        "UntagResource",
        json!({"ResourceArn": pool.arn, "TagKeys": ["env", "absent"]}),
    )?;
    ensure_eq(&out, &json!({}), "UntagResource answer")?;
    ensure_eq(
        tags_of(ctx, &pool.arn)?,
        json!({"team": "blue"}),
        "tags after untagging env",
    )
}
