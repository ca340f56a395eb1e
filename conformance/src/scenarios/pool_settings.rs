//! Scenarios of pool-wide settings kept apart from the pool itself: custom attributes,
//! MFA, threat protection (risk) configuration, log delivery, and session configuration
//! of pools and app clients.

use serde_json::{json, Value};

use super::users::{attribute, create_user};
use super::{
    at, create_client, create_pool, create_pool_with, ensure_eq, str_at, Ctx, Pool, Scenario,
    REGION,
};

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        operation: "AddCustomAttributes",
        name: "basic",
        run: custom_basic,
    },
    Scenario {
        operation: "AddCustomAttributes",
        name: "duplicate",
        run: custom_duplicate,
    },
    Scenario {
        operation: "GetUserPoolMfaConfig",
        name: "defaults",
        run: mfa_defaults,
    },
    Scenario {
        operation: "SetUserPoolMfaConfig",
        name: "totp",
        run: mfa_totp,
    },
    Scenario {
        operation: "SetUserPoolMfaConfig",
        name: "sms",
        run: mfa_sms,
    },
    Scenario {
        operation: "SetUserPoolMfaConfig",
        name: "no-factor",
        run: mfa_no_factor,
    },
    Scenario {
        operation: "DescribeRiskConfiguration",
        name: "unset",
        run: risk_unset,
    },
    Scenario {
        operation: "SetRiskConfiguration",
        name: "pool",
        run: risk_pool,
    },
    Scenario {
        operation: "SetRiskConfiguration",
        name: "client",
        run: risk_client,
    },
    Scenario {
        operation: "SetRiskConfiguration",
        name: "bad-ip-range",
        run: risk_bad_range,
    },
    Scenario {
        operation: "GetLogDeliveryConfiguration",
        name: "unset",
        run: log_unset,
    },
    Scenario {
        operation: "SetLogDeliveryConfiguration",
        name: "basic",
        run: log_basic,
    },
    Scenario {
        operation: "SetLogDeliveryConfiguration",
        name: "user-activity-needs-plus",
        run: log_needs_plus,
    },
    Scenario {
        operation: "SetLogDeliveryConfiguration",
        name: "wrong-level",
        run: log_wrong_level,
    },
    Scenario {
        operation: "GetUserPoolSessionConfiguration",
        name: "defaults",
        run: session_defaults,
    },
    Scenario {
        operation: "SetUserPoolSessionConfiguration",
        name: "basic",
        run: session_set,
    },
    Scenario {
        operation: "SetUserPoolSessionConfiguration",
        name: "lite-plan",
        run: session_lite,
    },
    Scenario {
        operation: "GetUserPoolClientSessionConfiguration",
        name: "defaults",
        run: client_session_defaults,
    },
    Scenario {
        operation: "SetUserPoolClientSessionConfiguration",
        name: "basic",
        run: client_session_set,
    },
    Scenario {
        operation: "SetUserPoolClientSessionConfiguration",
        name: "tracking-off",
        run: client_session_tracking_off,
    },
];

/// A client id that is well formed and exists nowhere.
const UNKNOWN_CLIENT: &str = "zzzzzzzzzzzzzzzzzzzzzzzzzz";

fn schema_attribute(ctx: &Ctx, pool: &str, name: &str) -> Result<Option<Value>, String> {
    let out = ctx.call("DescribeUserPool", json!({"UserPoolId": pool}))?;
    Ok(at(&out, "/UserPool/SchemaAttributes")?
        .as_array()
        .and_then(|a| a.iter().find(|s| s.get("Name") == Some(&json!(name))))
        .cloned())
}

fn custom_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    ensure_eq(
        schema_attribute(ctx, &pool.id, "custom:tier")?,
        None,
        "custom:tier before it is added",
    )?;
    let out = ctx.call(
        "AddCustomAttributes",
        json!({
            "UserPoolId": pool.id,
            "CustomAttributes": [
                {
                    "Name": "tier",
                    "AttributeDataType": "String",
                    "Mutable": true,
                    "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "8"},
                },
                {
                    "Name": "level",
                    "AttributeDataType": "Number",
                    "NumberAttributeConstraints": {"MinValue": "0", "MaxValue": "99"},
                },
            ],
        }),
    )?;
    ensure_eq(&out, &json!({}), "AddCustomAttributes answer")?;
    let tier = schema_attribute(ctx, &pool.id, "custom:tier")?.ok_or("no custom:tier")?;
    ensure_eq(str_at(&tier, "/AttributeDataType")?, "String", "type")?;
    ensure_eq(at(&tier, "/Mutable")?, &json!(true), "Mutable")?;
    ensure_eq(
        at(&tier, "/StringAttributeConstraints")?,
        &json!({"MinLength": "1", "MaxLength": "8"}),
        "StringAttributeConstraints",
    )?;
    let level = schema_attribute(ctx, &pool.id, "custom:level")?.ok_or("no custom:level")?;
    ensure_eq(str_at(&level, "/AttributeDataType")?, "Number", "type")?;
    ensure_eq(
        str_at(&level, "/NumberAttributeConstraints/MaxValue")?,
        "99",
        "MaxValue",
    )?;

    // Users can hold the new attributes, within their constraints.
    let user = create_user(
        ctx,
        &pool.id,
        "kai",
        json!({"custom:tier": "gold", "custom:level": "7"}),
    )?;
    let attrs = at(&user, "/Attributes")?;
    ensure_eq(attribute(attrs, "custom:tier"), Some("gold"), "custom:tier")?;
    ensure_eq(attribute(attrs, "custom:level"), Some("7"), "custom:level")?;
    ctx.call_err(
        "AdminUpdateUserAttributes",
        json!({
            "UserPoolId": pool.id,
            "Username": "kai",
            "UserAttributes": [{"Name": "custom:tier", "Value": "platinum-plus"}],
        }),
        "InvalidParameterException",
    )
    .map(drop)
}

fn custom_duplicate(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool_with(
        ctx,
        "custom",
        json!({"Schema": [{"Name": "team", "AttributeDataType": "String"}]}),
    )?;
    ctx.call_err(
        "AddCustomAttributes",
        json!({
            "UserPoolId": pool.id,
            "CustomAttributes": [{"Name": "team", "AttributeDataType": "String"}],
        }),
        "InvalidParameterException",
    )?;
    ctx.call_err(
        "AddCustomAttributes",
        json!({
            "UserPoolId": super::unknown_pool_id(),
            "CustomAttributes": [{"Name": "team", "AttributeDataType": "String"}],
        }),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn mfa_config(ctx: &Ctx, pool: &str) -> Result<Value, String> {
    ctx.call("GetUserPoolMfaConfig", json!({"UserPoolId": pool}))
}

fn pool_mfa_mode(ctx: &Ctx, pool: &str) -> Result<String, String> {
    let out = ctx.call("DescribeUserPool", json!({"UserPoolId": pool}))?;
    str_at(&out, "/UserPool/MfaConfiguration").map(str::to_string)
}

fn mfa_defaults(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let out = mfa_config(ctx, &pool.id)?;
    ensure_eq(
        str_at(&out, "/MfaConfiguration")?,
        "OFF",
        "MfaConfiguration",
    )?;
    for absent in [
        "SmsMfaConfiguration",
        "SoftwareTokenMfaConfiguration",
        "EmailMfaConfiguration",
    ] {
        ensure_eq(out.get(absent), None, absent)?;
    }
    Ok(())
}

fn mfa_totp(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let out = ctx.call(
        "SetUserPoolMfaConfig",
        json!({
            "UserPoolId": pool.id,
            "MfaConfiguration": "OPTIONAL",
            "SoftwareTokenMfaConfiguration": {"Enabled": true},
        }),
    )?;
    ensure_eq(
        str_at(&out, "/MfaConfiguration")?,
        "OPTIONAL",
        "MfaConfiguration",
    )?;
    ensure_eq(
        at(&out, "/SoftwareTokenMfaConfiguration")?,
        &json!({"Enabled": true}),
        "SoftwareTokenMfaConfiguration",
    )?;
    let got = mfa_config(ctx, &pool.id)?;
    ensure_eq(
        str_at(&got, "/MfaConfiguration")?,
        "OPTIONAL",
        "MfaConfiguration",
    )?;
    ensure_eq(
        at(&got, "/SoftwareTokenMfaConfiguration")?,
        &json!({"Enabled": true}),
        "SoftwareTokenMfaConfiguration",
    )?;
    ensure_eq(
        pool_mfa_mode(ctx, &pool.id)?.as_str(),
        "OPTIONAL",
        "pool mode",
    )?;

    // Turning MFA off leaves no factor on.
    ctx.call(
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": pool.id, "MfaConfiguration": "OFF"}),
    )?;
    let got = mfa_config(ctx, &pool.id)?;
    ensure_eq(
        str_at(&got, "/MfaConfiguration")?,
        "OFF",
        "MfaConfiguration",
    )?;
    ensure_eq(
        got.get("SoftwareTokenMfaConfiguration"),
        None,
        "SoftwareTokenMfaConfiguration with MFA off",
    )?;
    ensure_eq(pool_mfa_mode(ctx, &pool.id)?.as_str(), "OFF", "pool mode")
}

fn mfa_sms(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let sms = json!({
        "SmsAuthenticationMessage": "Your sign-in code is {####}",
        "SmsConfiguration": {
            "SnsCallerArn": "arn:aws:iam::123456789012:role/CognitoSms",
            "ExternalId": "sms-external-id",
            "SnsRegion": REGION,
        },
    });
    let out = ctx.call(
        "SetUserPoolMfaConfig",
        json!({
            "UserPoolId": pool.id,
            "MfaConfiguration": "ON",
            "SmsMfaConfiguration": sms,
        }),
    )?;
    ensure_eq(str_at(&out, "/MfaConfiguration")?, "ON", "MfaConfiguration")?;
    ensure_eq(
        at(&out, "/SmsMfaConfiguration")?,
        &sms,
        "SmsMfaConfiguration",
    )?;
    let got = mfa_config(ctx, &pool.id)?;
    ensure_eq(
        at(&got, "/SmsMfaConfiguration")?,
        &sms,
        "SmsMfaConfiguration",
    )?;
    ensure_eq(
        got.get("SoftwareTokenMfaConfiguration"),
        None,
        "SoftwareTokenMfaConfiguration",
    )?;
    let described = ctx.call("DescribeUserPool", json!({"UserPoolId": pool.id}))?;
    ensure_eq(
        str_at(&described, "/UserPool/MfaConfiguration")?,
        "ON",
        "pool mode",
    )?;
    ensure_eq(
        str_at(&described, "/UserPool/SmsAuthenticationMessage")?,
        "Your sign-in code is {####}",
        "pool SmsAuthenticationMessage",
    )
}

fn mfa_no_factor(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    ctx.call_err(
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": pool.id, "MfaConfiguration": "ON"}),
        "InvalidParameterException",
    )?;
    ctx.call_err(
        "SetUserPoolMfaConfig",
        json!({
            "UserPoolId": pool.id,
            "MfaConfiguration": "OFF",
            "SoftwareTokenMfaConfiguration": {"Enabled": true},
        }),
        "InvalidParameterException",
    )?;
    ensure_eq(pool_mfa_mode(ctx, &pool.id)?.as_str(), "OFF", "pool mode")
}

/// A pool on the Plus plan with threat protection enforced.
fn protected_pool(ctx: &Ctx) -> Result<Pool, String> {
    create_pool_with(
        ctx,
        "risk",
        json!({
            "UserPoolTier": "PLUS",
            "UserPoolAddOns": {"AdvancedSecurityMode": "ENFORCED"},
        }),
    )
}

fn describe_risk(ctx: &Ctx, pool: &str, client: Option<&str>) -> Result<Value, String> {
    let mut input = json!({"UserPoolId": pool});
    if let (Some(i), Some(c)) = (input.as_object_mut(), client) {
        i.insert("ClientId".into(), json!(c));
    }
    let out = ctx.call("DescribeRiskConfiguration", input)?;
    at(&out, "/RiskConfiguration").cloned()
}

fn risk_unset(ctx: &Ctx) -> Result<(), String> {
    let pool = protected_pool(ctx)?;
    let risk = describe_risk(ctx, &pool.id, None)?;
    ensure_eq(
        str_at(&risk, "/UserPoolId")?,
        pool.id.as_str(),
        "UserPoolId",
    )?;
    for absent in [
        "CompromisedCredentialsRiskConfiguration",
        "AccountTakeoverRiskConfiguration",
        "RiskExceptionConfiguration",
    ] {
        ensure_eq(risk.get(absent), None, absent)?;
    }
    ctx.call_err(
        "DescribeRiskConfiguration",
        json!({"UserPoolId": pool.id, "ClientId": UNKNOWN_CLIENT}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn risk_pool(ctx: &Ctx) -> Result<(), String> {
    let pool = protected_pool(ctx)?;
    let compromised = json!({
        "EventFilter": ["SIGN_IN"],
        "Actions": {"EventAction": "BLOCK"},
    });
    let exceptions = json!({
        "BlockedIPRangeList": ["192.0.2.0/24"],
        "SkippedIPRangeList": ["198.51.100.0/24", "2001:db8::/32"],
    });
    let out = ctx.call(
        "SetRiskConfiguration",
        json!({
            "UserPoolId": pool.id,
            "CompromisedCredentialsRiskConfiguration": compromised,
            "RiskExceptionConfiguration": exceptions,
        }),
    )?;
    let set = at(&out, "/RiskConfiguration")?;
    ensure_eq(str_at(set, "/UserPoolId")?, pool.id.as_str(), "UserPoolId")?;
    ensure_eq(
        at(set, "/CompromisedCredentialsRiskConfiguration")?,
        &compromised,
        "CompromisedCredentialsRiskConfiguration",
    )?;
    ensure_eq(
        at(set, "/RiskExceptionConfiguration")?,
        &exceptions,
        "RiskExceptionConfiguration",
    )?;
    at(set, "/LastModifiedDate")?;
    ensure_eq(
        &describe_risk(ctx, &pool.id, None)?,
        set,
        "DescribeRiskConfiguration versus SetRiskConfiguration",
    )?;
    // A client without a configuration of its own falls back to the pool's.
    let client = create_client(ctx, &pool.id, false)?;
    let client_id = str_at(&client, "/ClientId")?;
    let fallback = describe_risk(ctx, &pool.id, Some(client_id))?;
    ensure_eq(
        at(&fallback, "/RiskExceptionConfiguration")?,
        &exceptions,
        "the client's fallback configuration",
    )
}

fn risk_client(ctx: &Ctx) -> Result<(), String> {
    let pool = protected_pool(ctx)?;
    let client = create_client(ctx, &pool.id, false)?;
    let client_id = str_at(&client, "/ClientId")?;
    ctx.call(
        "SetRiskConfiguration",
        json!({
            "UserPoolId": pool.id,
            "RiskExceptionConfiguration": {"BlockedIPRangeList": ["203.0.113.0/24"]},
        }),
    )?;
    let takeover = json!({
        "Actions": {
            "HighAction": {"Notify": false, "EventAction": "BLOCK"},
            "MediumAction": {"Notify": false, "EventAction": "MFA_IF_CONFIGURED"},
            "LowAction": {"Notify": false, "EventAction": "NO_ACTION"},
        },
    });
    let out = ctx.call(
        "SetRiskConfiguration",
        json!({
            "UserPoolId": pool.id,
            "ClientId": client_id,
            "AccountTakeoverRiskConfiguration": takeover,
        }),
    )?;
    let set = at(&out, "/RiskConfiguration")?;
    ensure_eq(str_at(set, "/ClientId")?, client_id, "ClientId")?;
    ensure_eq(
        at(set, "/AccountTakeoverRiskConfiguration")?,
        &takeover,
        "AccountTakeoverRiskConfiguration",
    )?;
    let described = describe_risk(ctx, &pool.id, Some(client_id))?;
    ensure_eq(&described, set, "the client's configuration")?;
    ensure_eq(
        described.get("RiskExceptionConfiguration"),
        None,
        "the pool's exceptions in the client's own configuration",
    )?;
    let pool_wide = describe_risk(ctx, &pool.id, None)?;
    ensure_eq(
        at(&pool_wide, "/RiskExceptionConfiguration")?,
        &json!({"BlockedIPRangeList": ["203.0.113.0/24"]}),
        "the pool's configuration",
    )?;
    ensure_eq(
        pool_wide.get("AccountTakeoverRiskConfiguration"),
        None,
        "the client's takeover settings in the pool's configuration",
    )
}

fn risk_bad_range(ctx: &Ctx) -> Result<(), String> {
    let pool = protected_pool(ctx)?;
    for range in ["192.0.2.0", "192.0.2.0/33", "not-an-ip/8"] {
        ctx.call_err(
            "SetRiskConfiguration",
            json!({
                "UserPoolId": pool.id,
                "RiskExceptionConfiguration": {"BlockedIPRangeList": [range]},
            }),
            "InvalidParameterException",
        )?;
    }
    let risk = describe_risk(ctx, &pool.id, None)?;
    ensure_eq(
        risk.get("RiskExceptionConfiguration"),
        None,
        "RiskExceptionConfiguration after refused ranges",
    )
}

fn log_configurations(ctx: &Ctx, pool: &str) -> Result<Value, String> {
    let out = ctx.call("GetLogDeliveryConfiguration", json!({"UserPoolId": pool}))?;
    let config = at(&out, "/LogDeliveryConfiguration")?;
    ensure_eq(str_at(config, "/UserPoolId")?, pool, "UserPoolId")?;
    Ok(config
        .get("LogConfigurations")
        .cloned()
        .unwrap_or(json!([])))
}

fn log_unset(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    ensure_eq(
        log_configurations(ctx, &pool.id)?,
        json!([]),
        "LogConfigurations",
    )
}

fn notification_logs() -> Value {
    json!({
        "LogLevel": "ERROR",
        "EventSource": "userNotification",
        "CloudWatchLogsConfiguration": {
            "LogGroupArn": format!("arn:aws:logs:{REGION}:123456789012:log-group:/aws/cognito/notifications"),
        },
    })
}

fn log_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool_with(ctx, "logs", json!({"UserPoolTier": "PLUS"}))?;
    let configurations = json!([
        notification_logs(),
        {
            "LogLevel": "INFO",
            "EventSource": "userAuthEvents",
            "S3Configuration": {"BucketArn": "arn:aws:s3:::cognito-auth-events"},
        },
    ]);
    let out = ctx.call(
        "SetLogDeliveryConfiguration",
        json!({"UserPoolId": pool.id, "LogConfigurations": configurations}),
    )?;
    ensure_eq(
        at(&out, "/LogDeliveryConfiguration")?,
        &json!({"UserPoolId": pool.id, "LogConfigurations": configurations}),
        "SetLogDeliveryConfiguration answer",
    )?;
    ensure_eq(
        log_configurations(ctx, &pool.id)?,
        configurations,
        "LogConfigurations",
    )?;
    // A new configuration replaces the whole set.
    ctx.call(
        "SetLogDeliveryConfiguration",
        json!({"UserPoolId": pool.id, "LogConfigurations": [notification_logs()]}),
    )?;
    ensure_eq(
        log_configurations(ctx, &pool.id)?,
        json!([notification_logs()]),
        "LogConfigurations after replacing them",
    )
}

fn log_needs_plus(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool_with(ctx, "logs", json!({"UserPoolTier": "ESSENTIALS"}))?;
    ctx.call_err(
        "SetLogDeliveryConfiguration",
        json!({
            "UserPoolId": pool.id,
            "LogConfigurations": [{
                "LogLevel": "INFO",
                "EventSource": "userAuthEvents",
                "CloudWatchLogsConfiguration": {
                    "LogGroupArn": format!("arn:aws:logs:{REGION}:123456789012:log-group:auth"),
                },
            }],
        }),
        "FeatureUnavailableInTierException",
    )?;
    ensure_eq(
        log_configurations(ctx, &pool.id)?,
        json!([]),
        "LogConfigurations after the refusal",
    )?;
    // Notification logs need no particular plan.
    ctx.call(
        "SetLogDeliveryConfiguration",
        json!({"UserPoolId": pool.id, "LogConfigurations": [notification_logs()]}),
    )
    .map(drop)
}

fn log_wrong_level(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let mut config = notification_logs();
    if let Some(c) = config.as_object_mut() {
        c.insert("LogLevel".into(), json!("INFO"));
    }
    ctx.call_err(
        "SetLogDeliveryConfiguration",
        json!({"UserPoolId": pool.id, "LogConfigurations": [config]}),
        "InvalidParameterException",
    )
    .map(drop)
}

fn session_config(ctx: &Ctx, pool: &str) -> Result<Value, String> {
    let out = ctx.call(
        "GetUserPoolSessionConfiguration",
        json!({"UserPoolId": pool}),
    )?;
    ensure_eq(str_at(&out, "/UserPoolId")?, pool, "UserPoolId")?;
    Ok(out)
}

fn set_tracking(ctx: &Ctx, pool: &str, tracking: &str, max: u32) -> Result<Value, String> {
    ctx.call(
        "SetUserPoolSessionConfiguration",
        json!({
            "UserPoolId": pool,
            "UserSessionTracking": tracking,
            "TokenSession": {"MaxPerUser": max},
        }),
    )
}

fn session_defaults(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let out = session_config(ctx, &pool.id)?;
    ensure_eq(
        str_at(&out, "/UserSessionTracking")?,
        "DISABLED",
        "UserSessionTracking",
    )?;
    ensure_eq(
        at(&out, "/TokenSession/MaxPerUser")?,
        &json!(20),
        "MaxPerUser",
    )
}

fn session_set(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let out = set_tracking(ctx, &pool.id, "ENABLED", 5)?;
    ensure_eq(
        &out,
        &json!({
            "UserPoolId": pool.id,
            "UserSessionTracking": "ENABLED",
            "TokenSession": {"MaxPerUser": 5},
        }),
        "SetUserPoolSessionConfiguration answer",
    )?;
    ensure_eq(
        session_config(ctx, &pool.id)?,
        out,
        "GetUserPoolSessionConfiguration after the set",
    )?;
    set_tracking(ctx, &pool.id, "DISABLED", 50)?;
    let got = session_config(ctx, &pool.id)?;
    ensure_eq(
        str_at(&got, "/UserSessionTracking")?,
        "DISABLED",
        "UserSessionTracking",
    )?;
    ensure_eq(
        at(&got, "/TokenSession/MaxPerUser")?,
        &json!(50),
        "MaxPerUser",
    )
}

fn session_lite(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool_with(ctx, "lite", json!({"UserPoolTier": "LITE"}))?;
    ctx.call_err(
        "SetUserPoolSessionConfiguration",
        json!({
            "UserPoolId": pool.id,
            "UserSessionTracking": "ENABLED",
            "TokenSession": {"MaxPerUser": 5},
        }),
        "FeatureUnavailableInTierException",
    )?;
    ensure_eq(
        str_at(&session_config(ctx, &pool.id)?, "/UserSessionTracking")?,
        "DISABLED",
        "UserSessionTracking after the refusal",
    )
}

fn client_session(ctx: &Ctx, pool: &str, client: &str) -> Result<Value, String> {
    ctx.call(
        "GetUserPoolClientSessionConfiguration",
        json!({"UserPoolId": pool, "ClientId": client}),
    )
}

fn client_session_input(pool: &str, client: &str, minutes: u32) -> Value {
    json!({
        "UserPoolId": pool,
        "ClientId": client,
        "SSOSession": {"MaxValidityMinutes": minutes},
    })
}

fn client_session_defaults(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = create_client(ctx, &pool.id, false)?;
    let client_id = str_at(&client, "/ClientId")?;
    let out = client_session(ctx, &pool.id, client_id)?;
    ensure_eq(
        &out,
        &json!({
            "UserPoolId": pool.id,
            "ClientId": client_id,
            "SSOSession": {"MaxValidityMinutes": 60},
        }),
        "GetUserPoolClientSessionConfiguration answer",
    )?;
    ctx.call_err(
        "GetUserPoolClientSessionConfiguration",
        json!({"UserPoolId": pool.id, "ClientId": UNKNOWN_CLIENT}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn client_session_set(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = create_client(ctx, &pool.id, false)?;
    let client_id = str_at(&client, "/ClientId")?;
    let other = create_client(ctx, &pool.id, false)?;
    let other_id = str_at(&other, "/ClientId")?;
    set_tracking(ctx, &pool.id, "ENABLED", 20)?;
    let input = client_session_input(&pool.id, client_id, 720);
    let out = ctx.call("SetUserPoolClientSessionConfiguration", input.clone())?;
    ensure_eq(&out, &input, "SetUserPoolClientSessionConfiguration answer")?;
    ensure_eq(
        client_session(ctx, &pool.id, client_id)?,
        input,
        "the client's configuration",
    )?;
    ensure_eq(
        at(
            &client_session(ctx, &pool.id, other_id)?,
            "/SSOSession/MaxValidityMinutes",
        )?,
        &json!(60),
        "another client's MaxValidityMinutes",
    )?;
    let zero = client_session_input(&pool.id, client_id, 0);
    ctx.call("SetUserPoolClientSessionConfiguration", zero.clone())?;
    ensure_eq(
        client_session(ctx, &pool.id, client_id)?,
        zero,
        "the client's configuration with no silent reuse",
    )
}

/// A client's session configuration needs the pool to track sessions.
fn client_session_tracking_off(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = create_client(ctx, &pool.id, false)?;
    let client_id = str_at(&client, "/ClientId")?;
    ctx.call_err(
        "SetUserPoolClientSessionConfiguration",
        client_session_input(&pool.id, client_id, 120),
        "OperationNotEnabledException",
    )?;
    ensure_eq(
        at(
            &client_session(ctx, &pool.id, client_id)?,
            "/SSOSession/MaxValidityMinutes",
        )?,
        &json!(60),
        "MaxValidityMinutes after the refusal",
    )?;
    set_tracking(ctx, &pool.id, "ENABLED", 20)?;
    ctx.call_err(
        "SetUserPoolClientSessionConfiguration",
        client_session_input(&pool.id, UNKNOWN_CLIENT, 120),
        "ResourceNotFoundException",
    )
    .map(drop)
}
