//! Scenarios of a signed-in user's own account, through its access token: reading it,
//! changing the password, deleting it, changing and verifying attributes, and MFA
//! preferences.

use serde_json::{json, Value};

use super::self_service::last_code;
use super::sign_in::{password_sign_in, signed_in, signed_in_with, INCORRECT, NEW_PASSWORD};
use super::users::{attribute, get_user as admin_get_user, PASSWORD};
use super::{at, ensure, ensure_eq, matches, str_at, Ctx, Scenario};

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        operation: "GetUser",
        name: "basic",
        run: get_basic,
    },
    Scenario {
        operation: "GetUser",
        name: "bad-token",
        run: get_bad_token,
    },
    Scenario {
        operation: "ChangePassword",
        name: "basic",
        run: change_password_basic,
    },
    Scenario {
        operation: "ChangePassword",
        name: "wrong-previous",
        run: change_password_wrong_previous,
    },
    Scenario {
        operation: "ChangePassword",
        name: "weak",
        run: change_password_weak,
    },
    Scenario {
        operation: "DeleteUser",
        name: "basic",
        run: delete_basic,
    },
    Scenario {
        operation: "UpdateUserAttributes",
        name: "auto-verified-email",
        run: update_auto_verified,
    },
    Scenario {
        operation: "UpdateUserAttributes",
        name: "no-verification",
        run: update_plain,
    },
    Scenario {
        operation: "UpdateUserAttributes",
        name: "not-writable",
        run: update_not_writable,
    },
    Scenario {
        operation: "DeleteUserAttributes",
        name: "basic",
        run: delete_attributes_basic,
    },
    Scenario {
        operation: "GetUserAttributeVerificationCode",
        name: "email",
        run: verification_code_email,
    },
    Scenario {
        operation: "GetUserAttributeVerificationCode",
        name: "not-verifiable",
        run: verification_code_bad_attribute,
    },
    Scenario {
        operation: "VerifyUserAttribute",
        name: "email",
        run: verify_email,
    },
    Scenario {
        operation: "VerifyUserAttribute",
        name: "wrong-code",
        run: verify_wrong_code,
    },
    Scenario {
        operation: "SetUserMFAPreference",
        name: "sms",
        run: mfa_sms,
    },
    Scenario {
        operation: "SetUserMFAPreference",
        name: "no-phone-number",
        run: mfa_sms_without_phone,
    },
];

/// A pool that verifies email addresses with a code.
fn verifying_pool() -> Value {
    json!({"AutoVerifiedAttributes": ["email"]})
}

fn get_user(ctx: &Ctx, access_token: &str) -> Result<Value, String> {
    ctx.call("GetUser", json!({"AccessToken": access_token}))
}

/// The value of attribute `name` as `GetUser` answers it.
fn own_attribute(ctx: &Ctx, access_token: &str, name: &str) -> Result<Option<String>, String> {
    let user = get_user(ctx, access_token)?;
    Ok(attribute(at(&user, "/UserAttributes")?, name).map(str::to_string))
}

fn get_basic(ctx: &Ctx) -> Result<(), String> {
    let account = signed_in_with(
        ctx,
        json!({}),
        json!({}),
        json!({"email": "alice@example.com", "given_name": "Alice"}),
    )?;
    let user = get_user(ctx, account.access_token()?)?;
    ensure_eq(str_at(&user, "/Username")?, "alice", "Username")?;
    let attributes = at(&user, "/UserAttributes")?;
    ensure_eq(
        attribute(attributes, "email"),
        Some("alice@example.com"),
        "email",
    )?;
    ensure_eq(
        attribute(attributes, "given_name"),
        Some("Alice"),
        "given_name",
    )?;
    // The same account the administrators' view shows.
    let admin = admin_get_user(ctx, &account.pool.id, "alice")?;
    ensure_eq(
        attribute(attributes, "sub"),
        attribute(at(&admin, "/UserAttributes")?, "sub"),
        "sub",
    )?;
    for absent in ["MFAOptions", "PreferredMfaSetting"] {
        ensure_eq(user.get(absent), None, absent)?;
    }
    let list = user.get("UserMFASettingList").cloned().unwrap_or(json!([]));
    ensure_eq(list, json!([]), "UserMFASettingList")
}

fn get_bad_token(ctx: &Ctx) -> Result<(), String> {
    let account = signed_in(ctx)?;
    // An ID token is no access token, and a token with its signature changed is nothing.
    let id = str_at(&account.tokens, "/IdToken")?;
    let message = ctx.call_err(
        "GetUser",
        json!({"AccessToken": id}),
        "NotAuthorizedException",
    )?;
    ensure_eq(
        message.as_str(),
        "Invalid Access Token",
        "message for an ID token",
    )?;
    let access = account.access_token()?;
    let (signed, signature) = access
        .rsplit_once('.')
        .ok_or_else(|| "the access token has no signature".to_string())?;
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    let forged = format!(
        "{signed}.{flipped}{}",
        signature.get(1..).unwrap_or_default()
    );
    ctx.call_err(
        "GetUser",
        json!({"AccessToken": forged}),
        "NotAuthorizedException",
    )
    .map(drop)
}

fn change_password_basic(ctx: &Ctx) -> Result<(), String> {
    let account = signed_in(ctx)?;
    let out = ctx.call(
        "ChangePassword",
        json!({
            "AccessToken": account.access_token()?,
            "PreviousPassword": PASSWORD,
            "ProposedPassword": NEW_PASSWORD,
        }),
    )?;
    ensure_eq(&out, &json!({}), "ChangePassword answer")?;
    password_sign_in(ctx, &account.client, "alice", NEW_PASSWORD)?;
    let message = ctx.call_err(
        "InitiateAuth",
        json!({
            "ClientId": account.client,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD},
        }),
        "NotAuthorizedException",
    )?;
    ensure_eq(message.as_str(), INCORRECT, "message for the old password")?;
    // The session that changed it goes on.
    get_user(ctx, account.access_token()?).map(drop)
}

fn change_password_wrong_previous(ctx: &Ctx) -> Result<(), String> {
    let account = signed_in(ctx)?;
    let message = ctx.call_err(
        "ChangePassword",
        json!({
            "AccessToken": account.access_token()?,
            "PreviousPassword": "Not-the-Passw0rd",
            "ProposedPassword": NEW_PASSWORD,
        }),
        "NotAuthorizedException",
    )?;
    ensure_eq(message.as_str(), INCORRECT, "message")?;
    password_sign_in(ctx, &account.client, "alice", PASSWORD).map(drop)
}

fn change_password_weak(ctx: &Ctx) -> Result<(), String> {
    let account = signed_in(ctx)?;
    let message = ctx.call_err(
        "ChangePassword",
        json!({
            "AccessToken": account.access_token()?,
            "PreviousPassword": PASSWORD,
            "ProposedPassword": "alllowercase",
        }),
        "InvalidPasswordException",
    )?;
    ensure(
        message.starts_with("Password did not conform with policy"),
        || format!("message {message:?}"),
    )?;
    password_sign_in(ctx, &account.client, "alice", PASSWORD).map(drop)
}

fn delete_basic(ctx: &Ctx) -> Result<(), String> {
    let account = signed_in(ctx)?;
    let out = ctx.call(
        "DeleteUser",
        json!({"AccessToken": account.access_token()?}),
    )?;
    ensure_eq(&out, &json!({}), "DeleteUser answer")?;
    ctx.call_err(
        "AdminGetUser",
        json!({"UserPoolId": account.pool.id, "Username": "alice"}),
        "UserNotFoundException",
    )?;
    // Its tokens went with it.
    ctx.call_err(
        "GetUser",
        json!({"AccessToken": account.access_token()?}),
        "NotAuthorizedException",
    )?;
    ctx.call_err(
        "GetTokensFromRefreshToken",
        json!({"ClientId": account.client, "RefreshToken": account.refresh_token()?}),
        "NotAuthorizedException",
    )
    .map(drop)
}

fn update_auto_verified(ctx: &Ctx) -> Result<(), String> {
    let account = signed_in_with(
        ctx,
        verifying_pool(),
        json!({}),
        json!({"email": "alice@example.com", "email_verified": "true"}),
    )?;
    let access = account.access_token()?;
    let out = ctx.call(
        "UpdateUserAttributes",
        json!({
            "AccessToken": access,
            "UserAttributes": [
                {"Name": "email", "Value": "alice@example.org"},
                {"Name": "given_name", "Value": "Alice"},
            ],
        }),
    )?;
    ensure_eq(
        at(&out, "/CodeDeliveryDetailsList")?,
        &json!([{
            "Destination": "a***@e***",
            "DeliveryMedium": "EMAIL",
            "AttributeName": "email",
        }]),
        "CodeDeliveryDetailsList",
    )?;
    ensure_eq(
        own_attribute(ctx, access, "given_name")?.as_deref(),
        Some("Alice"),
        "given_name",
    )?;
    ensure_eq(
        own_attribute(ctx, access, "email")?.as_deref(),
        Some("alice@example.org"),
        "email",
    )?;
    // A new address is unverified until its code comes back.
    ensure_eq(
        own_attribute(ctx, access, "email_verified")?.as_deref(),
        Some("false"),
        "email_verified",
    )?;
    let code = last_code(ctx, &account.pool.id, "alice")?;
    ensure(matches("^[0-9]{6}$", &code)?, || {
        format!("code {code:?} is not six digits")
    })
}

fn update_plain(ctx: &Ctx) -> Result<(), String> {
    let account = signed_in(ctx)?;
    let access = account.access_token()?;
    let out = ctx.call(
        "UpdateUserAttributes",
        json!({
            "AccessToken": access,
            "UserAttributes": [{"Name": "family_name", "Value": "Liddell"}],
        }),
    )?;
    ensure_eq(&out, &json!({}), "UpdateUserAttributes answer")?;
    ensure_eq(
        own_attribute(ctx, access, "family_name")?.as_deref(),
        Some("Liddell"),
        "family_name",
    )
}

fn update_not_writable(ctx: &Ctx) -> Result<(), String> {
    let account = signed_in_with(
        ctx,
        json!({}),
        json!({"WriteAttributes": ["given_name"]}),
        json!({"email": "alice@example.com"}),
    )?;
    let message = ctx.call_err(
        "UpdateUserAttributes",
        json!({
            "AccessToken": account.access_token()?,
            "UserAttributes": [{"Name": "family_name", "Value": "Liddell"}],
        }),
        "NotAuthorizedException",
    )?;
    ensure_eq(
        message.as_str(),
        "A client attempted to write unauthorized attribute",
        "message",
    )?;
    ensure_eq(
        own_attribute(ctx, account.access_token()?, "family_name")?,
        None,
        "family_name",
    )
}

fn delete_attributes_basic(ctx: &Ctx) -> Result<(), String> {
    let account = signed_in_with(
        ctx,
        json!({}),
        json!({}),
        json!({"email": "alice@example.com", "given_name": "Alice", "nickname": "Al"}),
    )?;
    let access = account.access_token()?;
    let out = ctx.call(
        "DeleteUserAttributes",
        json!({"AccessToken": access, "UserAttributeNames": ["given_name", "nickname"]}),
    )?;
    ensure_eq(&out, &json!({}), "DeleteUserAttributes answer")?;
    ensure_eq(
        own_attribute(ctx, access, "given_name")?,
        None,
        "given_name",
    )?;
    ensure_eq(own_attribute(ctx, access, "nickname")?, None, "nickname")?;
    ensure_eq(
        own_attribute(ctx, access, "email")?.as_deref(),
        Some("alice@example.com"),
        "email",
    )
}

fn verification_code_email(ctx: &Ctx) -> Result<(), String> {
    let account = signed_in_with(
        ctx,
        verifying_pool(),
        json!({}),
        json!({"email": "alice@example.com"}),
    )?;
    let out = ctx.call(
        "GetUserAttributeVerificationCode",
        json!({"AccessToken": account.access_token()?, "AttributeName": "email"}),
    )?;
    ensure_eq(
        at(&out, "/CodeDeliveryDetails")?,
        &json!({
            "Destination": "a***@e***",
            "DeliveryMedium": "EMAIL",
            "AttributeName": "email",
        }),
        "CodeDeliveryDetails",
    )?;
    let code = last_code(ctx, &account.pool.id, "alice")?;
    ensure(matches("^[0-9]{6}$", &code)?, || {
        format!("code {code:?} is not six digits")
    })
}

fn verification_code_bad_attribute(ctx: &Ctx) -> Result<(), String> {
    let account = signed_in_with(
        ctx,
        verifying_pool(),
        json!({}),
        json!({"email": "alice@example.com", "given_name": "Alice"}),
    )?;
    ctx.call_err(
        "GetUserAttributeVerificationCode",
        json!({"AccessToken": account.access_token()?, "AttributeName": "given_name"}),
        "InvalidParameterException",
    )
    .map(drop)
}

fn verify_email(ctx: &Ctx) -> Result<(), String> {
    let account = signed_in_with(
        ctx,
        verifying_pool(),
        json!({}),
        json!({"email": "alice@example.com"}),
    )?;
    let access = account.access_token()?;
    ensure_eq(
        own_attribute(ctx, access, "email_verified")?,
        None,
        "email_verified before",
    )?;
    ctx.call(
        "GetUserAttributeVerificationCode",
        json!({"AccessToken": access, "AttributeName": "email"}),
    )?;
    let code = last_code(ctx, &account.pool.id, "alice")?;
    let input = json!({"AccessToken": access, "AttributeName": "email", "Code": code});
    let out = ctx.call("VerifyUserAttribute", input)?;
    ensure_eq(&out, &json!({}), "VerifyUserAttribute answer")?;
    ensure_eq(
        own_attribute(ctx, access, "email_verified")?.as_deref(),
        Some("true"),
        "email_verified",
    )
}

fn verify_wrong_code(ctx: &Ctx) -> Result<(), String> {
    let account = signed_in_with(
        ctx,
        verifying_pool(),
        json!({}),
        json!({"email": "alice@example.com"}),
    )?;
    let access = account.access_token()?;
    ctx.call(
        "GetUserAttributeVerificationCode",
        json!({"AccessToken": access, "AttributeName": "email"}),
    )?;
    let code = last_code(ctx, &account.pool.id, "alice")?;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let message = ctx.call_err(
        "VerifyUserAttribute",
        json!({"AccessToken": access, "AttributeName": "email", "Code": wrong}),
        "CodeMismatchException",
    )?;
    ensure_eq(
        message.as_str(),
        "Invalid verification code provided, please try again.",
        "message",
    )?;
    ensure_eq(
        own_attribute(ctx, access, "email_verified")?,
        None,
        "email_verified",
    )
}

fn mfa_sms(ctx: &Ctx) -> Result<(), String> {
    let account = signed_in_with(
        ctx,
        json!({}),
        json!({}),
        json!({"phone_number": "+14155550100", "phone_number_verified": "true"}),
    )?;
    let access = account.access_token()?;
    let out = ctx.call(
        "SetUserMFAPreference",
        json!({
            "AccessToken": access,
            "SMSMfaSettings": {"Enabled": true, "PreferredMfa": true},
        }),
    )?;
    ensure_eq(&out, &json!({}), "SetUserMFAPreference answer")?;
    let user = get_user(ctx, access)?;
    ensure_eq(
        at(&user, "/UserMFASettingList")?,
        &json!(["SMS_MFA"]),
        "UserMFASettingList",
    )?;
    ensure_eq(
        str_at(&user, "/PreferredMfaSetting")?,
        "SMS_MFA",
        "PreferredMfaSetting",
    )?;
    // The administrators' view agrees.
    let admin = admin_get_user(ctx, &account.pool.id, "alice")?;
    ensure_eq(
        admin.get("UserMFASettingList"),
        Some(&json!(["SMS_MFA"])),
        "AdminGetUser UserMFASettingList",
    )?;
    ctx.call(
        "SetUserMFAPreference",
        json!({
            "AccessToken": access,
            "SMSMfaSettings": {"Enabled": false, "PreferredMfa": false},
        }),
    )?;
    let user = get_user(ctx, access)?;
    let list = user.get("UserMFASettingList").cloned().unwrap_or(json!([]));
    ensure_eq(list, json!([]), "UserMFASettingList after disabling")?;
    ensure_eq(
        user.get("PreferredMfaSetting"),
        None,
        "PreferredMfaSetting after",
    )
}

fn mfa_sms_without_phone(ctx: &Ctx) -> Result<(), String> {
    let account = signed_in(ctx)?;
    ctx.call_err(
        "SetUserMFAPreference",
        json!({
            "AccessToken": account.access_token()?,
            "SMSMfaSettings": {"Enabled": true, "PreferredMfa": true},
        }),
        "InvalidParameterException",
    )?;
    let user = get_user(ctx, account.access_token()?)?;
    let list = user.get("UserMFASettingList").cloned().unwrap_or(json!([]));
    ensure_eq(list, json!([]), "UserMFASettingList")
}
