//! Scenarios of user pool domains: prefix domains under Cognito's own name and custom
//! domains with a certificate.

use serde_json::{json, Value};

use super::{at, create_pool, ensure, ensure_eq, matches, str_at, unique, Ctx, Scenario};

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        operation: "CreateUserPoolDomain",
        name: "prefix",
        run: create_prefix,
    },
    Scenario {
        operation: "CreateUserPoolDomain",
        name: "custom",
        run: create_custom,
    },
    Scenario {
        operation: "CreateUserPoolDomain",
        name: "prefix-taken",
        run: create_prefix_taken,
    },
    Scenario {
        operation: "DescribeUserPoolDomain",
        name: "basic",
        run: describe_basic,
    },
    Scenario {
        operation: "DescribeUserPoolDomain",
        name: "unknown",
        run: describe_unknown,
    },
    Scenario {
        operation: "UpdateUserPoolDomain",
        name: "managed-login-version",
        run: update_version,
    },
    Scenario {
        operation: "DeleteUserPoolDomain",
        name: "basic",
        run: delete_basic,
    },
    Scenario {
        operation: "DeleteUserPool",
        name: "domain-first",
        run: delete_pool_with_domain,
    },
];

/// An ACM certificate in us-east-1, as custom domains need.
const CERTIFICATE: &str =
    "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d";

/// A prefix no other scenario of this run uses.
fn prefix() -> String {
    unique("login")
}

fn create_prefix_domain(ctx: &Ctx, pool: &str, domain: &str) -> Result<Value, String> {
    ctx.call(
        "CreateUserPoolDomain",
        json!({"UserPoolId": pool, "Domain": domain}),
    )
}

/// The `DomainDescription` of `domain`.
fn describe(ctx: &Ctx, domain: &str) -> Result<Value, String> {
    let out = ctx.call("DescribeUserPoolDomain", json!({"Domain": domain}))?;
    at(&out, "/DomainDescription").cloned()
}

fn describe_pool(ctx: &Ctx, pool: &str) -> Result<Value, String> {
    let out = ctx.call("DescribeUserPool", json!({"UserPoolId": pool}))?;
    at(&out, "/UserPool").cloned()
}

fn delete(ctx: &Ctx, pool: &str, domain: &str) -> Result<(), String> {
    let out = ctx.call(
        "DeleteUserPoolDomain",
        json!({"UserPoolId": pool, "Domain": domain}),
    )?;
    ensure_eq(&out, &json!({}), "DeleteUserPoolDomain answer")
}

fn create_prefix(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let domain = prefix();
    let out = create_prefix_domain(ctx, &pool.id, &domain)?;
    ensure_eq(
        &out,
        &json!({"ManagedLoginVersion": 1}),
        "CreateUserPoolDomain answer for a prefix",
    )?;
    let p = describe_pool(ctx, &pool.id)?;
    ensure_eq(str_at(&p, "/Domain")?, domain.as_str(), "pool's Domain")?;
    ensure_eq(p.get("CustomDomain"), None, "pool's CustomDomain")?;
    delete(ctx, &pool.id, &domain)
}

fn create_custom(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let domain = "auth.example.com";
    let out = ctx.call(
        "CreateUserPoolDomain",
        json!({
            "UserPoolId": pool.id,
            "Domain": domain,
            "CustomDomainConfig": {"CertificateArn": CERTIFICATE},
            "ManagedLoginVersion": 2,
        }),
    )?;
    let target = str_at(&out, "/CloudFrontDomain")?;
    ensure(
        matches(r"^d[a-z0-9]{13}\.cloudfront\.net$", target)?,
        || format!("CloudFrontDomain {target} is not a CloudFront host name"),
    )?;
    ensure_eq(
        at(&out, "/ManagedLoginVersion")?,
        &json!(2),
        "ManagedLoginVersion",
    )?;
    let p = describe_pool(ctx, &pool.id)?;
    ensure_eq(str_at(&p, "/CustomDomain")?, domain, "pool's CustomDomain")?;
    ensure_eq(p.get("Domain"), None, "pool's Domain")?;
    let d = describe(ctx, domain)?;
    ensure_eq(str_at(&d, "/UserPoolId")?, pool.id.as_str(), "UserPoolId")?;
    ensure_eq(
        at(&d, "/CustomDomainConfig")?,
        &json!({"CertificateArn": CERTIFICATE}),
        "CustomDomainConfig",
    )?;
    ensure_eq(
        str_at(&d, "/CloudFrontDistribution")?,
        target,
        "CloudFrontDistribution",
    )?;
    // A pool has one custom domain besides its prefix domain.
    let domain_prefix = prefix();
    create_prefix_domain(ctx, &pool.id, &domain_prefix)?;
    let p = describe_pool(ctx, &pool.id)?;
    ensure_eq(str_at(&p, "/Domain")?, domain_prefix.as_str(), "Domain")?;
    ensure_eq(str_at(&p, "/CustomDomain")?, domain, "CustomDomain")?;
    delete(ctx, &pool.id, &domain_prefix)?;
    delete(ctx, &pool.id, domain)
}

/// Prefixes are unique across the pools of a Region.
fn create_prefix_taken(ctx: &Ctx) -> Result<(), String> {
    let first = create_pool(ctx)?;
    let second = create_pool(ctx)?;
    let domain = prefix();
    create_prefix_domain(ctx, &first.id, &domain)?;
    let message = ctx.call_err(
        "CreateUserPoolDomain",
        json!({"UserPoolId": second.id, "Domain": domain}),
        "InvalidParameterException",
    )?;
    ensure_eq(
        message.as_str(),
        "Domain already associated with another user pool.",
        "message",
    )?;
    ensure_eq(
        str_at(&describe(ctx, &domain)?, "/UserPoolId")?,
        first.id.as_str(),
        "owner of the prefix",
    )?;
    ensure_eq(
        describe_pool(ctx, &second.id)?.get("Domain"),
        None,
        "Domain of the refused pool",
    )?;
    delete(ctx, &first.id, &domain)
}

fn describe_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let domain = prefix();
    create_prefix_domain(ctx, &pool.id, &domain)?;
    let d = describe(ctx, &domain)?;
    ensure_eq(str_at(&d, "/UserPoolId")?, pool.id.as_str(), "UserPoolId")?;
    ensure_eq(str_at(&d, "/Domain")?, domain.as_str(), "Domain")?;
    ensure_eq(str_at(&d, "/Status")?, "ACTIVE", "Status")?;
    ensure_eq(
        at(&d, "/ManagedLoginVersion")?,
        &json!(1),
        "ManagedLoginVersion",
    )?;
    let account = str_at(&d, "/AWSAccountId")?;
    ensure(matches("^[0-9]{12}$", account)?, || {
        format!("AWSAccountId {account} is not 12 digits")
    })?;
    let arn_account = pool.arn.split(':').nth(4).unwrap_or_default();
    ensure_eq(account, arn_account, "AWSAccountId versus the pool's ARN")?;
    let version = str_at(&d, "/Version")?;
    ensure(matches("^[0-9]{14}$", version)?, || {
        format!("Version {version} is not a yyyyMMddHHmmss stamp")
    })?;
    at(&d, "/S3Bucket")?;
    at(&d, "/CloudFrontDistribution")?;
    ensure_eq(d.get("CustomDomainConfig"), None, "CustomDomainConfig")?;
    delete(ctx, &pool.id, &domain)
}

fn describe_unknown(ctx: &Ctx) -> Result<(), String> {
    let out = ctx.call("DescribeUserPoolDomain", json!({"Domain": prefix()}))?;
    ensure_eq(
        &out,
        &json!({"DomainDescription": {}}),
        "DescribeUserPoolDomain of an unknown domain",
    )
}

fn update_version(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let domain = prefix();
    create_prefix_domain(ctx, &pool.id, &domain)?;
    let out = ctx.call(
        "UpdateUserPoolDomain",
        json!({"UserPoolId": pool.id, "Domain": domain, "ManagedLoginVersion": 2}),
    )?;
    ensure_eq(
        &out,
        &json!({"ManagedLoginVersion": 2}),
        "UpdateUserPoolDomain answer for a prefix",
    )?;
    let d = describe(ctx, &domain)?;
    ensure_eq(
        at(&d, "/ManagedLoginVersion")?,
        &json!(2),
        "ManagedLoginVersion after the update",
    )?;
    ensure_eq(str_at(&d, "/Domain")?, domain.as_str(), "Domain")?;
    ctx.call(
        "UpdateUserPoolDomain",
        json!({"UserPoolId": pool.id, "Domain": domain, "ManagedLoginVersion": 1}),
    )?;
    ensure_eq(
        at(&describe(ctx, &domain)?, "/ManagedLoginVersion")?,
        &json!(1),
        "ManagedLoginVersion back to the classic hosted UI",
    )?;
    delete(ctx, &pool.id, &domain)
}

fn delete_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let domain = prefix();
    create_prefix_domain(ctx, &pool.id, &domain)?;
    delete(ctx, &pool.id, &domain)?;
    ensure_eq(
        describe(ctx, &domain)?,
        json!({}),
        "DomainDescription after the delete",
    )?;
    ensure_eq(
        describe_pool(ctx, &pool.id)?.get("Domain"),
        None,
        "pool's Domain after the delete",
    )?;
    ctx.call_err(
        "DeleteUserPoolDomain",
        json!({"UserPoolId": pool.id, "Domain": domain}),
        "InvalidParameterException",
    )?;
    // The prefix is free again, for any pool.
    let other = create_pool(ctx)?;
    create_prefix_domain(ctx, &other.id, &domain)?;
    delete(ctx, &other.id, &domain)
}

/// A pool's domain must be deleted before the pool.
fn delete_pool_with_domain(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let domain = prefix();
    create_prefix_domain(ctx, &pool.id, &domain)?;
    let message = ctx.call_err(
        "DeleteUserPool",
        json!({"UserPoolId": pool.id}),
        "InvalidParameterException",
    )?;
    ensure_eq(
        message.as_str(),
        "User pool cannot be deleted. It has a domain configured that should be deleted first.",
        "message",
    )?;
    describe_pool(ctx, &pool.id)?;
    delete(ctx, &pool.id, &domain)?;
    ctx.call("DeleteUserPool", json!({"UserPoolId": pool.id}))?;
    ctx.call_err(
        "DescribeUserPool",
        json!({"UserPoolId": pool.id}),
        "ResourceNotFoundException",
    )
    .map(drop)
}
