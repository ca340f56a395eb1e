//! Scenarios of users as administrators manage them: create, read, change, enable and
//! disable, delete, passwords, MFA settings, threat-protection events and links to
//! external identity providers.

use serde_json::{json, Value};

use super::{
    at, create_client, create_pool, create_pool_with, ensure, ensure_eq, matches, str_at,
    unknown_pool_id, Ctx, Pool, Scenario,
};

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        operation: "AdminCreateUser",
        name: "defaults",
        run: create_defaults,
    },
    Scenario {
        operation: "AdminCreateUser",
        name: "resend",
        run: create_resend,
    },
    Scenario {
        operation: "AdminCreateUser",
        name: "duplicate",
        run: create_duplicate,
    },
    Scenario {
        operation: "AdminCreateUser",
        name: "email-as-username",
        run: create_email_username,
    },
    Scenario {
        operation: "AdminCreateUser",
        name: "force-alias",
        run: create_force_alias,
    },
    Scenario {
        operation: "AdminCreateUser",
        name: "bad-attributes",
        run: create_bad_attributes,
    },
    Scenario {
        operation: "AdminCreateUser",
        name: "weak-temporary-password",
        run: create_weak_password,
    },
    Scenario {
        operation: "AdminCreateUser",
        name: "unknown-pool",
        run: create_unknown_pool,
    },
    Scenario {
        operation: "AdminGetUser",
        name: "basic",
        run: get_basic,
    },
    Scenario {
        operation: "AdminGetUser",
        name: "not-found",
        run: get_not_found,
    },
    Scenario {
        operation: "AdminUpdateUserAttributes",
        name: "basic",
        run: update_attributes_basic,
    },
    Scenario {
        operation: "AdminUpdateUserAttributes",
        name: "alias-exists",
        run: update_attributes_alias_exists,
    },
    Scenario {
        operation: "AdminUpdateUserAttributes",
        name: "immutable",
        run: update_attributes_immutable,
    },
    Scenario {
        operation: "AdminDeleteUserAttributes",
        name: "basic",
        run: delete_attributes_basic,
    },
    Scenario {
        operation: "AdminDeleteUser",
        name: "basic",
        run: delete_basic,
    },
    Scenario {
        operation: "AdminDeleteUser",
        name: "not-found",
        run: delete_not_found,
    },
    Scenario {
        operation: "AdminDisableUser",
        name: "basic",
        run: disable_basic,
    },
    Scenario {
        operation: "AdminEnableUser",
        name: "basic",
        run: enable_basic,
    },
    Scenario {
        operation: "AdminSetUserPassword",
        name: "permanent",
        run: set_password_permanent,
    },
    Scenario {
        operation: "AdminSetUserPassword",
        name: "temporary",
        run: set_password_temporary,
    },
    Scenario {
        operation: "AdminSetUserPassword",
        name: "weak",
        run: set_password_weak,
    },
    Scenario {
        operation: "AdminResetUserPassword",
        name: "basic",
        run: reset_password_basic,
    },
    Scenario {
        operation: "AdminResetUserPassword",
        name: "force-change-password",
        run: reset_password_never_signed_in,
    },
    Scenario {
        operation: "AdminResetUserPassword",
        name: "no-verified-contact",
        run: reset_password_unverified,
    },
    Scenario {
        operation: "AdminConfirmSignUp",
        name: "basic",
        run: confirm_basic,
    },
    Scenario {
        operation: "AdminConfirmSignUp",
        name: "not-unconfirmed",
        run: confirm_not_unconfirmed,
    },
    Scenario {
        operation: "AdminConfirmSignUp",
        name: "not-found",
        run: confirm_not_found,
    },
    Scenario {
        operation: "AdminSetUserSettings",
        name: "basic",
        run: settings_basic,
    },
    Scenario {
        operation: "AdminSetUserMFAPreference",
        name: "sms",
        run: mfa_preference_sms,
    },
    Scenario {
        operation: "AdminSetUserMFAPreference",
        name: "totp-not-set-up",
        run: mfa_preference_totp_missing,
    },
    Scenario {
        operation: "AdminListUserAuthEvents",
        name: "threat-protection-off",
        run: auth_events_off,
    },
    Scenario {
        operation: "AdminListUserAuthEvents",
        name: "empty",
        run: auth_events_empty,
    },
    Scenario {
        operation: "AdminUpdateAuthEventFeedback",
        name: "unknown-event",
        run: feedback_unknown_event,
    },
    Scenario {
        operation: "UpdateAuthEventFeedback",
        name: "feedback-token",
        run: feedback_by_token,
    },
    Scenario {
        operation: "AdminUpdateAuthEventFeedback",
        name: "threat-protection-off",
        run: feedback_off,
    },
    Scenario {
        operation: "AdminLinkProviderForUser",
        name: "basic",
        run: link_basic,
    },
    Scenario {
        operation: "AdminLinkProviderForUser",
        name: "unknown-user",
        run: link_unknown_user,
    },
    Scenario {
        operation: "AdminDisableProviderForUser",
        name: "linked",
        run: disable_provider_linked,
    },
];

/// A password that satisfies the default policy.
pub const PASSWORD: &str = "Corr3ct-Horse!";

/// A UUID as Cognito writes a `sub`: lower-case hex in 8-4-4-4-12 groups.
const UUID: &str = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

/// Creates `username` in `pool` with `attributes` (`{name: value}`) and no invitation;
/// returns the `User` of the answer.
pub fn create_user(
    ctx: &Ctx,
    pool: &str,
    username: &str,
    attributes: Value,
) -> Result<Value, String> {
    let out = ctx.call(
        "AdminCreateUser",
        json!({
            "UserPoolId": pool,
            "Username": username,
            "UserAttributes": attribute_list(&attributes),
            "MessageAction": "SUPPRESS",
        }),
    )?;
    at(&out, "/User").cloned()
}

/// `{name: value}` as a list of `AttributeType`.
pub fn attribute_list(attributes: &Value) -> Value {
    let list: Vec<Value> = attributes
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, value)| json!({"Name": name, "Value": value}))
        .collect();
    Value::Array(list)
}

/// The value of attribute `name` in a list of `AttributeType`.
pub fn attribute<'v>(list: &'v Value, name: &str) -> Option<&'v str> {
    list.as_array()?
        .iter()
        .find(|a| a.get("Name") == Some(&json!(name)))?
        .get("Value")?
        .as_str()
}

/// The `AdminGetUser` answer for `username`.
pub fn get_user(ctx: &Ctx, pool: &str, username: &str) -> Result<Value, String> {
    ctx.call(
        "AdminGetUser",
        json!({"UserPoolId": pool, "Username": username}),
    )
}

/// The value of attribute `name` of `username`, as `AdminGetUser` answers it.
fn attribute_of(
    ctx: &Ctx,
    pool: &str,
    username: &str,
    name: &str,
) -> Result<Option<String>, String> {
    let user = get_user(ctx, pool, username)?;
    Ok(attribute(at(&user, "/UserAttributes")?, name).map(str::to_string))
}

/// The `UserStatus` of `username`.
pub fn status_of(ctx: &Ctx, pool: &str, username: &str) -> Result<String, String> {
    let user = get_user(ctx, pool, username)?;
    str_at(&user, "/UserStatus").map(str::to_string)
}

/// Sets a permanent password, which confirms the user.
pub fn confirm_user(ctx: &Ctx, pool: &str, username: &str) -> Result<(), String> {
    ctx.call(
        "AdminSetUserPassword",
        json!({
            "UserPoolId": pool,
            "Username": username,
            "Password": PASSWORD,
            "Permanent": true,
        }),
    )
    .map(drop)
}

/// A pool that signs in with a verified email as an alias of the username.
fn alias_pool(ctx: &Ctx) -> Result<Pool, String> {
    create_pool_with(ctx, "alias", json!({"AliasAttributes": ["email"]}))
}

/// A pool on the Plus plan with threat protection in `mode`.
fn protected_pool(ctx: &Ctx, mode: &str) -> Result<Pool, String> {
    create_pool_with(
        ctx,
        "protected",
        json!({
            "UserPoolTier": "PLUS",
            "UserPoolAddOns": {"AdvancedSecurityMode": mode},
        }),
    )
}

fn create_defaults(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let user = create_user(
        ctx,
        &pool.id,
        "alice",
        json!({"email": "alice@example.com", "given_name": "Alice"}),
    )?;
    ensure_eq(str_at(&user, "/Username")?, "alice", "Username")?;
    ensure_eq(
        str_at(&user, "/UserStatus")?,
        "FORCE_CHANGE_PASSWORD",
        "UserStatus",
    )?;
    ensure_eq(at(&user, "/Enabled")?, &json!(true), "Enabled")?;
    at(&user, "/UserCreateDate")?;
    at(&user, "/UserLastModifiedDate")?;
    let attrs = at(&user, "/Attributes")?;
    let sub = attribute(attrs, "sub").ok_or("the new user has no sub")?;
    ensure(matches(UUID, sub)?, || format!("sub {sub} is not a UUID"))?;
    ensure_eq(
        attribute(attrs, "email"),
        Some("alice@example.com"),
        "email",
    )?;
    ensure_eq(attribute(attrs, "given_name"), Some("Alice"), "given_name")?;

    let other = create_user(ctx, &pool.id, "bob", json!({}))?;
    let other_sub = attribute(at(&other, "/Attributes")?, "sub");
    ensure(other_sub != Some(sub), || {
        "two users got the same sub".to_string()
    })?;
    let described = ctx.call("DescribeUserPool", json!({"UserPoolId": pool.id}))?;
    ensure_eq(
        at(&described, "/UserPool/EstimatedNumberOfUsers")?,
        &json!(2),
        "EstimatedNumberOfUsers",
    )
}

/// `RESEND` sends the invitation again to a user who has not signed in yet, and only then.
fn create_resend(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let first = create_user(
        ctx,
        &pool.id,
        "carol",
        json!({"email": "carol@example.com"}),
    )?;
    let out = ctx.call(
        "AdminCreateUser",
        json!({
            "UserPoolId": pool.id,
            "Username": "carol",
            "MessageAction": "RESEND",
            "DesiredDeliveryMediums": ["EMAIL"],
        }),
    )?;
    let again = at(&out, "/User")?;
    ensure_eq(str_at(again, "/Username")?, "carol", "Username")?;
    ensure_eq(
        str_at(again, "/UserStatus")?,
        "FORCE_CHANGE_PASSWORD",
        "UserStatus",
    )?;
    ensure_eq(
        attribute(at(again, "/Attributes")?, "sub"),
        attribute(at(&first, "/Attributes")?, "sub"),
        "sub after RESEND",
    )?;
    ctx.call_err(
        "AdminCreateUser",
        json!({"UserPoolId": pool.id, "Username": "nobody", "MessageAction": "RESEND"}),
        "UserNotFoundException",
    )?;
    confirm_user(ctx, &pool.id, "carol")?;
    ctx.call_err(
        "AdminCreateUser",
        json!({"UserPoolId": pool.id, "Username": "carol", "MessageAction": "RESEND"}),
        "UnsupportedUserStateException",
    )
    .map(drop)
}

fn create_duplicate(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_user(ctx, &pool.id, "dave", json!({}))?;
    let message = ctx.call_err(
        "AdminCreateUser",
        json!({"UserPoolId": pool.id, "Username": "dave", "MessageAction": "SUPPRESS"}),
        "UsernameExistsException",
    )?;
    ensure_eq(message.as_str(), "User account already exists", "message")
}

/// In a pool that signs in with email, the username is the `sub` and the email an attribute.
fn create_email_username(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool_with(ctx, "by-email", json!({"UsernameAttributes": ["email"]}))?;
    let user = create_user(ctx, &pool.id, "erin@example.com", json!({}))?;
    let attrs = at(&user, "/Attributes")?;
    let username = str_at(&user, "/Username")?;
    ensure_eq(
        Some(username),
        attribute(attrs, "sub"),
        "Username versus sub",
    )?;
    ensure(matches(UUID, username)?, || {
        format!("username {username} is not a UUID")
    })?;
    ensure_eq(attribute(attrs, "email"), Some("erin@example.com"), "email")?;
    let found = get_user(ctx, &pool.id, "erin@example.com")?;
    ensure_eq(
        str_at(&found, "/Username")?,
        username,
        "AdminGetUser by email",
    )?;
    ctx.call_err(
        "AdminCreateUser",
        json!({
            "UserPoolId": pool.id,
            "Username": "erin@example.com",
            "MessageAction": "SUPPRESS",
        }),
        "UsernameExistsException",
    )?;
    ctx.call_err(
        "AdminCreateUser",
        json!({"UserPoolId": pool.id, "Username": "not-an-email", "MessageAction": "SUPPRESS"}),
        "InvalidParameterException",
    )
    .map(drop)
}

/// `ForceAliasCreation` moves a verified email alias from its holder to the new user.
fn create_force_alias(ctx: &Ctx) -> Result<(), String> {
    let pool = alias_pool(ctx)?;
    let shared = json!({"email": "shared@example.com", "email_verified": "true"});
    create_user(ctx, &pool.id, "first", shared.clone())?;
    ensure_eq(
        str_at(&get_user(ctx, &pool.id, "shared@example.com")?, "/Username")?,
        "first",
        "the user the alias names",
    )?;
    ctx.call(
        "AdminCreateUser",
        json!({
            "UserPoolId": pool.id,
            "Username": "second",
            "UserAttributes": attribute_list(&shared),
            "MessageAction": "SUPPRESS",
            "ForceAliasCreation": true,
        }),
    )?;
    ensure_eq(
        attribute_of(ctx, &pool.id, "first", "email_verified")?.as_deref(),
        Some("false"),
        "email_verified of the former holder",
    )?;
    ensure_eq(
        str_at(&get_user(ctx, &pool.id, "shared@example.com")?, "/Username")?,
        "second",
        "the user the alias names after the move",
    )
}

fn create_bad_attributes(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    for (attributes, want) in [
        (
            json!({"shoe_size": "42"}),
            "Attributes did not conform to the schema: shoe_size: Attribute does not exist in the schema.",
        ),
        (json!({"email": "not-an-email"}), "Invalid email address format."),
    ] {
        let message = ctx.call_err(
            "AdminCreateUser",
            json!({
                "UserPoolId": pool.id,
                "Username": "frank",
                "UserAttributes": attribute_list(&attributes),
                "MessageAction": "SUPPRESS",
            }),
            "InvalidParameterException",
        )?;
        ensure_eq(message.as_str(), want, "message")?;
    }
    ctx.call_err(
        "AdminGetUser",
        json!({"UserPoolId": pool.id, "Username": "frank"}),
        "UserNotFoundException",
    )
    .map(drop)
}

fn create_weak_password(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let message = ctx.call_err(
        "AdminCreateUser",
        json!({
            "UserPoolId": pool.id,
            "Username": "gina",
            "TemporaryPassword": "password",
            "MessageAction": "SUPPRESS",
        }),
        "InvalidPasswordException",
    )?;
    ensure(
        message.starts_with("Password did not conform with policy"),
        || format!("message {message:?}"),
    )
}

fn create_unknown_pool(ctx: &Ctx) -> Result<(), String> {
    ctx.call_err(
        "AdminCreateUser",
        json!({"UserPoolId": unknown_pool_id(), "Username": "hal"}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn get_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let created = create_user(
        ctx,
        &pool.id,
        "ivy",
        json!({"email": "ivy@example.com", "family_name": "Green"}),
    )?;
    let got = get_user(ctx, &pool.id, "ivy")?;
    ensure_eq(str_at(&got, "/Username")?, "ivy", "Username")?;
    ensure_eq(
        at(&got, "/UserAttributes")?,
        at(&created, "/Attributes")?,
        "UserAttributes versus the created user",
    )?;
    for (got_key, created_key) in [
        ("/UserStatus", "/UserStatus"),
        ("/Enabled", "/Enabled"),
        ("/UserCreateDate", "/UserCreateDate"),
    ] {
        ensure_eq(at(&got, got_key)?, at(&created, created_key)?, got_key)?;
    }
    ensure_eq(got.get("MFAOptions"), None, "MFAOptions")?;
    ensure_eq(got.get("PreferredMfaSetting"), None, "PreferredMfaSetting")
}

fn get_not_found(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let message = ctx.call_err(
        "AdminGetUser",
        json!({"UserPoolId": pool.id, "Username": "nobody"}),
        "UserNotFoundException",
    )?;
    ensure_eq(message.as_str(), "User does not exist.", "message")?;
    ctx.call_err(
        "AdminGetUser",
        json!({"UserPoolId": unknown_pool_id(), "Username": "nobody"}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

/// Changing the email makes it unverified again; other attributes change as asked.
fn update_attributes_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_user(
        ctx,
        &pool.id,
        "jack",
        json!({"email": "jack@example.com", "email_verified": "true", "given_name": "Jack"}),
    )?;
    let update = |attributes: Value| {
        ctx.call(
            "AdminUpdateUserAttributes",
            json!({
                "UserPoolId": pool.id,
                "Username": "jack",
                "UserAttributes": attribute_list(&attributes),
            }),
        )
    };
    let out = update(json!({"given_name": "Jacques", "locale": "fr"}))?;
    ensure_eq(&out, &json!({}), "AdminUpdateUserAttributes answer")?;
    let user = get_user(ctx, &pool.id, "jack")?;
    let attrs = at(&user, "/UserAttributes")?;
    ensure_eq(
        attribute(attrs, "given_name"),
        Some("Jacques"),
        "given_name",
    )?;
    ensure_eq(attribute(attrs, "locale"), Some("fr"), "locale")?;
    ensure_eq(
        attribute(attrs, "email_verified"),
        Some("true"),
        "email_verified before the email changes",
    )?;

    update(json!({"email": "jacques@example.com"}))?;
    let user = get_user(ctx, &pool.id, "jack")?;
    let attrs = at(&user, "/UserAttributes")?;
    ensure_eq(
        attribute(attrs, "email"),
        Some("jacques@example.com"),
        "email",
    )?;
    ensure_eq(
        attribute(attrs, "email_verified"),
        Some("false"),
        "email_verified after the email changed",
    )?;

    update(json!({"email": "jack@example.com", "email_verified": "true"}))?;
    ensure_eq(
        attribute_of(ctx, &pool.id, "jack", "email_verified")?.as_deref(),
        Some("true"),
        "email_verified set with the email",
    )
}

/// A verified email another user holds as an alias cannot be claimed.
fn update_attributes_alias_exists(ctx: &Ctx) -> Result<(), String> {
    let pool = alias_pool(ctx)?;
    create_user(
        ctx,
        &pool.id,
        "kate",
        json!({"email": "kate@example.com", "email_verified": "true"}),
    )?;
    create_user(
        ctx,
        &pool.id,
        "liam",
        json!({"email": "liam@example.com", "email_verified": "true"}),
    )?;
    let message = ctx.call_err(
        "AdminUpdateUserAttributes",
        json!({
            "UserPoolId": pool.id,
            "Username": "liam",
            "UserAttributes": attribute_list(
                &json!({"email": "kate@example.com", "email_verified": "true"})
            ),
        }),
        "AliasExistsException",
    )?;
    ensure_eq(
        message.as_str(),
        "An account with the email already exists.",
        "message",
    )?;
    ensure_eq(
        attribute_of(ctx, &pool.id, "liam", "email")?.as_deref(),
        Some("liam@example.com"),
        "email after the refused update",
    )
}

fn update_attributes_immutable(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool_with(
        ctx,
        "immutable",
        json!({"Schema": [{
            "Name": "badge",
            "AttributeDataType": "String",
            "Mutable": false,
        }]}),
    )?;
    create_user(ctx, &pool.id, "mia", json!({"custom:badge": "b-1"}))?;
    ctx.call_err(
        "AdminUpdateUserAttributes",
        json!({
            "UserPoolId": pool.id,
            "Username": "mia",
            "UserAttributes": [{"Name": "custom:badge", "Value": "b-2"}],
        }),
        "InvalidParameterException",
    )?;
    ensure_eq(
        attribute_of(ctx, &pool.id, "mia", "custom:badge")?.as_deref(),
        Some("b-1"),
        "custom:badge",
    )
}

fn delete_attributes_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_user(
        ctx,
        &pool.id,
        "noah",
        json!({"given_name": "Noah", "family_name": "Ark", "locale": "en"}),
    )?;
    let out = ctx.call(
        "AdminDeleteUserAttributes",
        json!({
            "UserPoolId": pool.id,
            "Username": "noah",
            "UserAttributeNames": ["given_name", "locale"],
        }),
    )?;
    ensure_eq(&out, &json!({}), "AdminDeleteUserAttributes answer")?;
    let user = get_user(ctx, &pool.id, "noah")?;
    let attrs = at(&user, "/UserAttributes")?;
    ensure_eq(attribute(attrs, "given_name"), None, "given_name")?;
    ensure_eq(attribute(attrs, "locale"), None, "locale")?;
    ensure_eq(attribute(attrs, "family_name"), Some("Ark"), "family_name")?;
    ensure(attribute(attrs, "sub").is_some(), || {
        "sub went away".to_string()
    })?;
    ctx.call_err(
        "AdminDeleteUserAttributes",
        json!({
            "UserPoolId": pool.id,
            "Username": "nobody",
            "UserAttributeNames": ["given_name"],
        }),
        "UserNotFoundException",
    )
    .map(drop)
}

fn delete_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_user(ctx, &pool.id, "olga", json!({}))?;
    create_user(ctx, &pool.id, "otto", json!({}))?;
    let out = ctx.call(
        "AdminDeleteUser",
        json!({"UserPoolId": pool.id, "Username": "olga"}),
    )?;
    ensure_eq(&out, &json!({}), "AdminDeleteUser answer")?;
    ctx.call_err(
        "AdminGetUser",
        json!({"UserPoolId": pool.id, "Username": "olga"}),
        "UserNotFoundException",
    )?;
    get_user(ctx, &pool.id, "otto")?;
    // The name is free again.
    create_user(ctx, &pool.id, "olga", json!({})).map(drop)
}

fn delete_not_found(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    ctx.call_err(
        "AdminDeleteUser",
        json!({"UserPoolId": pool.id, "Username": "nobody"}),
        "UserNotFoundException",
    )
    .map(drop)
}

fn enabled_of(ctx: &Ctx, pool: &str, username: &str) -> Result<Value, String> {
    at(&get_user(ctx, pool, username)?, "/Enabled").cloned()
}

fn disable_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_user(ctx, &pool.id, "pam", json!({}))?;
    let input = json!({"UserPoolId": pool.id, "Username": "pam"});
    let out = ctx.call("AdminDisableUser", input.clone())?;
    ensure_eq(&out, &json!({}), "AdminDisableUser answer")?;
    ensure_eq(enabled_of(ctx, &pool.id, "pam")?, json!(false), "Enabled")?;
    ctx.call("AdminDisableUser", input)?;
    ensure_eq(
        enabled_of(ctx, &pool.id, "pam")?,
        json!(false),
        "Enabled after disabling twice",
    )?;
    ctx.call_err(
        "AdminDisableUser",
        json!({"UserPoolId": pool.id, "Username": "nobody"}),
        "UserNotFoundException",
    )
    .map(drop)
}

fn enable_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_user(ctx, &pool.id, "quinn", json!({}))?;
    let input = json!({"UserPoolId": pool.id, "Username": "quinn"});
    ctx.call("AdminDisableUser", input.clone())?;
    let out = ctx.call("AdminEnableUser", input)?;
    ensure_eq(&out, &json!({}), "AdminEnableUser answer")?;
    ensure_eq(enabled_of(ctx, &pool.id, "quinn")?, json!(true), "Enabled")?;
    ensure_eq(
        status_of(ctx, &pool.id, "quinn")?.as_str(),
        "FORCE_CHANGE_PASSWORD",
        "UserStatus",
    )?;
    ctx.call_err(
        "AdminEnableUser",
        json!({"UserPoolId": pool.id, "Username": "nobody"}),
        "UserNotFoundException",
    )
    .map(drop)
}

fn set_password_permanent(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_user(ctx, &pool.id, "rita", json!({}))?;
    let out = ctx.call(
        "AdminSetUserPassword",
        json!({
            "UserPoolId": pool.id,
            "Username": "rita",
            "Password": PASSWORD,
            "Permanent": true,
        }),
    )?;
    ensure_eq(&out, &json!({}), "AdminSetUserPassword answer")?;
    ensure_eq(
        status_of(ctx, &pool.id, "rita")?.as_str(),
        "CONFIRMED",
        "UserStatus",
    )
}

/// A temporary password sends a confirmed user back to `FORCE_CHANGE_PASSWORD`.
fn set_password_temporary(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_user(ctx, &pool.id, "sam", json!({}))?;
    confirm_user(ctx, &pool.id, "sam")?;
    ctx.call(
        "AdminSetUserPassword",
        json!({
            "UserPoolId": pool.id,
            "Username": "sam",
            "Password": "An0ther-Secret!",
            "Permanent": false,
        }),
    )?;
    ensure_eq(
        status_of(ctx, &pool.id, "sam")?.as_str(),
        "FORCE_CHANGE_PASSWORD",
        "UserStatus",
    )
}

fn set_password_weak(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool_with(
        ctx,
        "strict",
        json!({"Policies": {"PasswordPolicy": {
            "MinimumLength": 10,
            "RequireUppercase": true,
            "RequireLowercase": true,
            "RequireNumbers": true,
            "RequireSymbols": false,
        }}}),
    )?;
    create_user(ctx, &pool.id, "tom", json!({}))?;
    for (password, reason) in [
        ("Sh0rtPass", "Password not long enough"),
        (
            "lowercase-only-1",
            "Password must have uppercase characters",
        ),
        ("NoDigitsHereAtAll", "Password must have numeric characters"),
    ] {
        let message = ctx.call_err(
            "AdminSetUserPassword",
            json!({
                "UserPoolId": pool.id,
                "Username": "tom",
                "Password": password,
                "Permanent": true,
            }),
            "InvalidPasswordException",
        )?;
        ensure_eq(
            message,
            format!("Password did not conform with policy: {reason}"),
            password,
        )?;
    }
    ensure_eq(
        status_of(ctx, &pool.id, "tom")?.as_str(),
        "FORCE_CHANGE_PASSWORD",
        "UserStatus after refused passwords",
    )?;
    ctx.call_err(
        "AdminSetUserPassword",
        json!({
            "UserPoolId": pool.id,
            "Username": "nobody",
            "Password": PASSWORD,
            "Permanent": true,
        }),
        "UserNotFoundException",
    )
    .map(drop)
}

fn reset_password_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_user(
        ctx,
        &pool.id,
        "uma",
        json!({"email": "uma@example.com", "email_verified": "true"}),
    )?;
    confirm_user(ctx, &pool.id, "uma")?;
    let out = ctx.call(
        "AdminResetUserPassword",
        json!({"UserPoolId": pool.id, "Username": "uma"}),
    )?;
    ensure_eq(&out, &json!({}), "AdminResetUserPassword answer")?;
    ensure_eq(
        status_of(ctx, &pool.id, "uma")?.as_str(),
        "RESET_REQUIRED",
        "UserStatus",
    )?;
    // A new password ends the reset.
    confirm_user(ctx, &pool.id, "uma")?;
    ensure_eq(
        status_of(ctx, &pool.id, "uma")?.as_str(),
        "CONFIRMED",
        "UserStatus after a new password",
    )
}

/// Without a verified email or phone number there is nowhere to send the code.
fn reset_password_unverified(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_user(ctx, &pool.id, "vic", json!({"email": "vic@example.com"}))?;
    confirm_user(ctx, &pool.id, "vic")?;
    ctx.call_err(
        "AdminResetUserPassword",
        json!({"UserPoolId": pool.id, "Username": "vic"}),
        "InvalidParameterException",
    )?;
    ensure_eq(
        status_of(ctx, &pool.id, "vic")?.as_str(),
        "CONFIRMED",
        "UserStatus after the refused reset",
    )?;
    ctx.call_err(
        "AdminResetUserPassword",
        json!({"UserPoolId": pool.id, "Username": "nobody"}),
        "UserNotFoundException",
    )
    .map(drop)
}

/// A user who never chose a password has none to reset.
fn reset_password_never_signed_in(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_user(
        ctx,
        &pool.id,
        "val",
        json!({"email": "val@example.com", "email_verified": "true"}),
    )?;
    let message = ctx.call_err(
        "AdminResetUserPassword",
        json!({"UserPoolId": pool.id, "Username": "val"}),
        "NotAuthorizedException",
    )?;
    ensure_eq(
        message.as_str(),
        "User password cannot be reset in the current state.",
        "message",
    )?;
    ensure_eq(
        status_of(ctx, &pool.id, "val")?.as_str(),
        "FORCE_CHANGE_PASSWORD",
        "UserStatus after the refused reset",
    )
}

/// A user who signed up is confirmed by an administrator without a code.
fn confirm_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    let client = create_client(ctx, &pool.id, false)?;
    let out = ctx.call(
        "SignUp",
        json!({
            "ClientId": str_at(&client, "/ClientId")?,
            "Username": "wren",
            "Password": PASSWORD,
            "UserAttributes": [{"Name": "email", "Value": "wren@example.com"}],
        }),
    )?;
    ensure_eq(at(&out, "/UserConfirmed")?, &json!(false), "UserConfirmed")?;
    ensure_eq(
        status_of(ctx, &pool.id, "wren")?.as_str(),
        "UNCONFIRMED",
        "UserStatus after SignUp",
    )?;
    let input = json!({"UserPoolId": pool.id, "Username": "wren"});
    let out = ctx.call("AdminConfirmSignUp", input.clone())?;
    ensure_eq(&out, &json!({}), "AdminConfirmSignUp answer")?;
    let user = get_user(ctx, &pool.id, "wren")?;
    ensure_eq(str_at(&user, "/UserStatus")?, "CONFIRMED", "UserStatus")?;
    ensure_eq(
        attribute(at(&user, "/UserAttributes")?, "email"),
        Some("wren@example.com"),
        "email",
    )?;
    ctx.call_err("AdminConfirmSignUp", input, "NotAuthorizedException")
        .map(drop)
}

/// Only users who signed up and wait for confirmation can be confirmed.
fn confirm_not_unconfirmed(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_user(ctx, &pool.id, "wes", json!({}))?;
    let input = json!({"UserPoolId": pool.id, "Username": "wes"});
    let message = ctx.call_err(
        "AdminConfirmSignUp",
        input.clone(),
        "NotAuthorizedException",
    )?;
    ensure_eq(
        message.as_str(),
        "User cannot be confirmed. Current status is FORCE_CHANGE_PASSWORD",
        "message",
    )?;
    confirm_user(ctx, &pool.id, "wes")?;
    let message = ctx.call_err("AdminConfirmSignUp", input, "NotAuthorizedException")?;
    ensure_eq(
        message.as_str(),
        "User cannot be confirmed. Current status is CONFIRMED",
        "message",
    )
}

fn confirm_not_found(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    ctx.call_err(
        "AdminConfirmSignUp",
        json!({"UserPoolId": pool.id, "Username": "nobody"}),
        "UserNotFoundException",
    )
    .map(drop)
}

fn settings_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_user(
        ctx,
        &pool.id,
        "xena",
        json!({"phone_number": "+14155550100"}),
    )?;
    let options = json!([{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]);
    let out = ctx.call(
        "AdminSetUserSettings",
        json!({"UserPoolId": pool.id, "Username": "xena", "MFAOptions": options}),
    )?;
    ensure_eq(&out, &json!({}), "AdminSetUserSettings answer")?;
    let user = get_user(ctx, &pool.id, "xena")?;
    ensure_eq(at(&user, "/MFAOptions")?, &options, "MFAOptions")?;
    ctx.call(
        "AdminSetUserSettings",
        json!({"UserPoolId": pool.id, "Username": "xena", "MFAOptions": []}),
    )?;
    let user = get_user(ctx, &pool.id, "xena")?;
    ensure_eq(user.get("MFAOptions"), None, "MFAOptions after clearing")?;
    ctx.call_err(
        "AdminSetUserSettings",
        json!({"UserPoolId": pool.id, "Username": "nobody", "MFAOptions": []}),
        "UserNotFoundException",
    )
    .map(drop)
}

fn mfa_preference_sms(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_user(
        ctx,
        &pool.id,
        "yara",
        json!({"phone_number": "+14155550101", "phone_number_verified": "true"}),
    )?;
    let set = |enabled: bool, preferred: bool| {
        ctx.call(
            "AdminSetUserMFAPreference",
            json!({
                "UserPoolId": pool.id,
                "Username": "yara",
                "SMSMfaSettings": {"Enabled": enabled, "PreferredMfa": preferred},
            }),
        )
    };
    let out = set(true, true)?;
    ensure_eq(&out, &json!({}), "AdminSetUserMFAPreference answer")?;
    let user = get_user(ctx, &pool.id, "yara")?;
    ensure_eq(
        str_at(&user, "/PreferredMfaSetting")?,
        "SMS_MFA",
        "PreferredMfaSetting",
    )?;
    ensure_eq(
        at(&user, "/UserMFASettingList")?,
        &json!(["SMS_MFA"]),
        "UserMFASettingList",
    )?;
    set(false, false)?;
    let user = get_user(ctx, &pool.id, "yara")?;
    ensure_eq(
        user.get("PreferredMfaSetting"),
        None,
        "PreferredMfaSetting after disabling",
    )?;
    let list = user.get("UserMFASettingList").cloned().unwrap_or(json!([]));
    ensure_eq(list, json!([]), "UserMFASettingList after disabling")
}

/// TOTP cannot be enabled before the user has an authenticator.
fn mfa_preference_totp_missing(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_user(ctx, &pool.id, "zed", json!({}))?;
    ctx.call_err(
        "AdminSetUserMFAPreference",
        json!({
            "UserPoolId": pool.id,
            "Username": "zed",
            "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true},
        }),
        "InvalidParameterException",
    )?;
    let user = get_user(ctx, &pool.id, "zed")?;
    ensure_eq(user.get("PreferredMfaSetting"), None, "PreferredMfaSetting")
}

fn auth_events_off(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_user(ctx, &pool.id, "abel", json!({}))?;
    ctx.call_err(
        "AdminListUserAuthEvents",
        json!({"UserPoolId": pool.id, "Username": "abel"}),
        "UserPoolAddOnNotEnabledException",
    )?;
    let off = create_pool_with(
        ctx,
        "off",
        json!({"UserPoolTier": "PLUS", "UserPoolAddOns": {"AdvancedSecurityMode": "OFF"}}),
    )?;
    create_user(ctx, &off.id, "abel", json!({}))?;
    ctx.call_err(
        "AdminListUserAuthEvents",
        json!({"UserPoolId": off.id, "Username": "abel"}),
        "UserPoolAddOnNotEnabledException",
    )
    .map(drop)
}

/// A user who never signed in has no events, in either threat protection mode.
fn auth_events_empty(ctx: &Ctx) -> Result<(), String> {
    for mode in ["ENFORCED", "AUDIT"] {
        let pool = protected_pool(ctx, mode)?;
        create_user(ctx, &pool.id, "beth", json!({}))?;
        let out = ctx.call(
            "AdminListUserAuthEvents",
            json!({"UserPoolId": pool.id, "Username": "beth", "MaxResults": 10}),
        )?;
        let events = out.get("AuthEvents").cloned().unwrap_or(json!([]));
        ensure_eq(events, json!([]), &format!("AuthEvents in {mode} mode"))?;
        ensure_eq(out.get("NextToken"), None, "NextToken")?;
        ctx.call_err(
            "AdminListUserAuthEvents",
            json!({"UserPoolId": pool.id, "Username": "nobody"}),
            "UserNotFoundException",
        )?;
    }
    Ok(())
}

fn feedback_unknown_event(ctx: &Ctx) -> Result<(), String> {
    let pool = protected_pool(ctx, "ENFORCED")?;
    create_user(ctx, &pool.id, "cole", json!({}))?;
    ctx.call_err(
        "AdminUpdateAuthEventFeedback",
        json!({
            "UserPoolId": pool.id,
            "Username": "cole",
            "EventId": "no-such-event",
            "FeedbackValue": "Valid",
        }),
        "ResourceNotFoundException",
    )
    .map(drop)
}

/// A user's feedback on its sign-in, with the event's feedback token (which Cognito
/// mails with risk notifications, and the emulator's `GET /_cognito/events` shows).
fn feedback_by_token(ctx: &Ctx) -> Result<(), String> {
    let pool = protected_pool(ctx, "AUDIT")?;
    let client = super::sign_in::app_client(ctx, &pool.id, json!({}))?;
    super::sign_in::confirmed_user(ctx, &pool.id, "fern", json!({}))?;
    super::sign_in::password_sign_in(ctx, &client, "fern", PASSWORD)?;
    let r = ctx.get(&format!(
        "/_cognito/events?pool_id={}&username=fern",
        pool.id
    ))?;
    ensure_eq(r.status, 200, "the test API's status")?;
    let body = r.json()?;
    let event = at(&body, "/events")?
        .as_array()
        .and_then(|events| events.last())
        .ok_or_else(|| format!("no event in {body}"))?;
    let event_id = str_at(event, "/event_id")?;
    let token = str_at(event, "/feedback_token")?;
    let input = |token: &str| {
        json!({
            "UserPoolId": pool.id,
            "Username": "fern",
            "EventId": event_id,
            "FeedbackToken": token,
            "FeedbackValue": "Invalid",
        })
    };
    ctx.call_err(
        "UpdateAuthEventFeedback",
        input("not-the-token"),
        "NotAuthorizedException",
    )?;
    ctx.call("UpdateAuthEventFeedback", input(token))?;
    let listed = ctx.call(
        "AdminListUserAuthEvents",
        json!({"UserPoolId": pool.id, "Username": "fern"}),
    )?;
    let feedback = at(&listed, "/AuthEvents/0/EventFeedback")?;
    ensure_eq(
        str_at(feedback, "/FeedbackValue")?,
        "Invalid",
        "FeedbackValue",
    )?;
    ensure_eq(str_at(feedback, "/Provider")?, "User", "Provider")
}

fn feedback_off(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool(ctx)?;
    create_user(ctx, &pool.id, "dina", json!({}))?;
    ctx.call_err(
        "AdminUpdateAuthEventFeedback",
        json!({
            "UserPoolId": pool.id,
            "Username": "dina",
            "EventId": "some-event",
            "FeedbackValue": "Invalid",
        }),
        "UserPoolAddOnNotEnabledException",
    )
    .map(drop)
}

/// A pool with a Google identity provider and a native user `native`.
fn pool_with_google(ctx: &Ctx) -> Result<Pool, String> {
    let pool = create_pool(ctx)?;
    ctx.call(
        "CreateIdentityProvider",
        json!({
            "UserPoolId": pool.id,
            "ProviderName": "Google",
            "ProviderType": "Google",
            "ProviderDetails": {
                "client_id": "google-client",
                "client_secret": "google-secret",
                "authorize_scopes": "openid email",
            },
        }),
    )?;
    create_user(
        ctx,
        &pool.id,
        "native",
        json!({"email": "native@example.com"}),
    )?;
    Ok(pool)
}

fn link(ctx: &Ctx, pool: &str, destination: &str, google_id: &str) -> Result<Value, String> {
    ctx.call(
        "AdminLinkProviderForUser",
        link_input(pool, destination, google_id),
    )
}

fn link_input(pool: &str, destination: &str, google_id: &str) -> Value {
    json!({
        "UserPoolId": pool,
        "DestinationUser": {"ProviderName": "Cognito", "ProviderAttributeValue": destination},
        "SourceUser": {
            "ProviderName": "Google",
            "ProviderAttributeName": "Cognito_Subject",
            "ProviderAttributeValue": google_id,
        },
    })
}

/// The identities linked to `username`, parsed from its `identities` attribute.
fn identities_of(ctx: &Ctx, pool: &str, username: &str) -> Result<Vec<Value>, String> {
    match attribute_of(ctx, pool, username, "identities")? {
        None => Ok(Vec::new()),
        Some(text) => serde_json::from_str(&text)
            .map_err(|e| format!("identities is not a JSON list ({e}): {text}")),
    }
}

fn link_basic(ctx: &Ctx) -> Result<(), String> {
    let pool = pool_with_google(ctx)?;
    let out = link(ctx, &pool.id, "native", "g-1001")?;
    ensure_eq(&out, &json!({}), "AdminLinkProviderForUser answer")?;
    let identities = identities_of(ctx, &pool.id, "native")?;
    ensure_eq(identities.len(), 1, "linked identities")?;
    for identity in &identities {
        ensure_eq(str_at(identity, "/userId")?, "g-1001", "userId")?;
        ensure_eq(str_at(identity, "/providerName")?, "Google", "providerName")?;
        ensure_eq(str_at(identity, "/providerType")?, "Google", "providerType")?;
    }
    ensure_eq(
        status_of(ctx, &pool.id, "native")?.as_str(),
        "FORCE_CHANGE_PASSWORD",
        "UserStatus of the linked user",
    )
}

fn link_unknown_user(ctx: &Ctx) -> Result<(), String> {
    let pool = pool_with_google(ctx)?;
    ctx.call_err(
        "AdminLinkProviderForUser",
        link_input(&pool.id, "nobody", "g-1002"),
        "UserNotFoundException",
    )
    .map(drop)
}

/// Disabling a linked external identity removes the link and keeps the native user.
fn disable_provider_linked(ctx: &Ctx) -> Result<(), String> {
    let pool = pool_with_google(ctx)?;
    link(ctx, &pool.id, "native", "g-2001")?;
    let out = ctx.call(
        "AdminDisableProviderForUser",
        json!({
            "UserPoolId": pool.id,
            "User": {
                "ProviderName": "Google",
                "ProviderAttributeName": "Cognito_Subject",
                "ProviderAttributeValue": "g-2001",
            },
        }),
    )?;
    ensure_eq(&out, &json!({}), "AdminDisableProviderForUser answer")?;
    ensure_eq(
        identities_of(ctx, &pool.id, "native")?,
        Vec::new(),
        "identities after unlinking",
    )?;
    ensure_eq(
        enabled_of(ctx, &pool.id, "native")?,
        json!(true),
        "Enabled of the native user",
    )?;
    // The identity can be linked again afterwards.
    link(ctx, &pool.id, "native", "g-2001")?;
    ensure_eq(
        identities_of(ctx, &pool.id, "native")?.len(),
        1,
        "identities after linking again",
    )
}
