//! Scenarios of what users do for themselves without tokens: signing up, confirming
//! with a code, asking for the code again, and resetting a forgotten password.
//!
//! Codes come from the emulator's test API (`GET /_cognito/messages`), which hands out
//! the messages the server would have sent.

use serde_json::{json, Value};

use super::sign_in::{app_client, confirmed_user, password_sign_in, INCORRECT, NEW_PASSWORD};
use super::users::{attribute, get_user, status_of, PASSWORD};
use super::{at, create_pool_with, ensure, ensure_eq, matches, str_at, Ctx, Pool, Scenario};

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        operation: "SignUp",
        name: "basic",
        run: sign_up_basic,
    },
    Scenario {
        operation: "SignUp",
        name: "username-exists",
        run: sign_up_exists,
    },
    Scenario {
        operation: "SignUp",
        name: "weak-password",
        run: sign_up_weak_password,
    },
    Scenario {
        operation: "SignUp",
        name: "admin-only",
        run: sign_up_admin_only,
    },
    Scenario {
        operation: "ConfirmSignUp",
        name: "basic",
        run: confirm_basic,
    },
    Scenario {
        operation: "ConfirmSignUp",
        name: "wrong-code",
        run: confirm_wrong_code,
    },
    Scenario {
        operation: "ConfirmSignUp",
        name: "already-confirmed",
        run: confirm_already_confirmed,
    },
    Scenario {
        operation: "ResendConfirmationCode",
        name: "basic",
        run: resend_basic,
    },
    Scenario {
        operation: "ResendConfirmationCode",
        name: "unknown-user",
        run: resend_unknown_user,
    },
    Scenario {
        operation: "ForgotPassword",
        name: "basic",
        run: forgot_basic,
    },
    Scenario {
        operation: "ForgotPassword",
        name: "no-verified-contact",
        run: forgot_unverified,
    },
    Scenario {
        operation: "ForgotPassword",
        name: "hidden-unknown-user",
        run: forgot_hidden_unknown,
    },
    Scenario {
        operation: "ConfirmForgotPassword",
        name: "basic",
        run: confirm_forgot_basic,
    },
    Scenario {
        operation: "ConfirmForgotPassword",
        name: "wrong-code",
        run: confirm_forgot_wrong_code,
    },
];

/// The delivery details of a code emailed to `alice@example.com`.
fn emailed_to_alice() -> Value {
    json!({
        "Destination": "a***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    })
}

/// The code of the last message sent to `username` of `pool`, read through the test
/// API.
pub fn last_code(ctx: &Ctx, pool: &str, username: &str) -> Result<String, String> {
    let r = ctx.get(&format!(
        "/_cognito/messages?pool_id={pool}&username={username}"
    ))?;
    ensure_eq(r.status, 200, "the test API's status")?;
    let body = r.json()?;
    let messages = at(&body, "/messages")?
        .as_array()
        .ok_or_else(|| format!("messages is not a list in {body}"))?;
    messages
        .iter()
        .rev()
        .find_map(|m| m.get("code").and_then(Value::as_str))
        .map(str::to_string)
        .ok_or_else(|| format!("no message with a code was sent to {username}"))
}

/// How many messages `username` of `pool` was sent.
fn message_count(ctx: &Ctx, pool: &str, username: &str) -> Result<usize, String> {
    let r = ctx.get(&format!(
        "/_cognito/messages?pool_id={pool}&username={username}"
    ))?;
    ensure_eq(r.status, 200, "the test API's status")?;
    let body = r.json()?;
    Ok(at(&body, "/messages")?.as_array().map_or(0, Vec::len))
}

/// A pool that verifies email addresses, and an app client in it.
fn verifying_pool(ctx: &Ctx) -> Result<(Pool, String), String> {
    let pool = create_pool_with(
        ctx,
        "selfservice",
        json!({"AutoVerifiedAttributes": ["email"]}),
    )?;
    let client = app_client(ctx, &pool.id, json!({}))?;
    Ok((pool, client))
}

/// Signs `alice` up with an email address; returns the answer.
fn sign_up(ctx: &Ctx, client: &str) -> Result<Value, String> {
    ctx.call(
        "SignUp",
        json!({
            "ClientId": client,
            "Username": "alice",
            "Password": PASSWORD,
            "UserAttributes": [
                {"Name": "email", "Value": "alice@example.com"},
                {"Name": "given_name", "Value": "Alice"},
            ],
        }),
    )
}

/// Signs `alice` up and confirms her with the emailed code.
fn signed_up_and_confirmed(ctx: &Ctx) -> Result<(Pool, String), String> {
    let (pool, client) = verifying_pool(ctx)?;
    sign_up(ctx, &client)?;
    let code = last_code(ctx, &pool.id, "alice")?;
    ctx.call(
        "ConfirmSignUp",
        json!({"ClientId": client, "Username": "alice", "ConfirmationCode": code}),
    )?;
    Ok((pool, client))
}

fn sign_up_basic(ctx: &Ctx) -> Result<(), String> {
    let (pool, client) = verifying_pool(ctx)?;
    let out = sign_up(ctx, &client)?;
    ensure_eq(at(&out, "/UserConfirmed")?, &json!(false), "UserConfirmed")?;
    ensure_eq(
        at(&out, "/CodeDeliveryDetails")?,
        &emailed_to_alice(),
        "CodeDeliveryDetails",
    )?;
    let sub = str_at(&out, "/UserSub")?;
    let user = get_user(ctx, &pool.id, "alice")?;
    ensure_eq(str_at(&user, "/UserStatus")?, "UNCONFIRMED", "UserStatus")?;
    let attributes = at(&user, "/UserAttributes")?;
    ensure_eq(attribute(attributes, "sub"), Some(sub), "sub")?;
    ensure_eq(
        attribute(attributes, "given_name"),
        Some("Alice"),
        "given_name",
    )?;
    let code = last_code(ctx, &pool.id, "alice")?;
    ensure(matches("^[0-9]{6}$", &code)?, || {
        format!("code {code:?} is not six digits")
    })?;
    // An unconfirmed user cannot sign in yet.
    let message = ctx.call_err(
        "InitiateAuth",
        json!({
            "ClientId": client,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD},
        }),
        "UserNotConfirmedException",
    )?;
    ensure_eq(message.as_str(), "User is not confirmed.", "message")
}

fn sign_up_exists(ctx: &Ctx) -> Result<(), String> {
    let (_, client) = verifying_pool(ctx)?;
    sign_up(ctx, &client)?;
    let message = ctx.call_err(
        "SignUp",
        json!({"ClientId": client, "Username": "alice", "Password": NEW_PASSWORD}),
        "UsernameExistsException",
    )?;
    ensure_eq(message.as_str(), "User already exists", "message")
}

fn sign_up_weak_password(ctx: &Ctx) -> Result<(), String> {
    let (pool, client) = verifying_pool(ctx)?;
    let message = ctx.call_err(
        "SignUp",
        json!({"ClientId": client, "Username": "alice", "Password": "password"}),
        "InvalidPasswordException",
    )?;
    ensure(
        message.starts_with("Password did not conform with policy"),
        || format!("message {message:?}"),
    )?;
    ctx.call_err(
        "AdminGetUser",
        json!({"UserPoolId": pool.id, "Username": "alice"}),
        "UserNotFoundException",
    )
    .map(drop)
}

fn sign_up_admin_only(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool_with(
        ctx,
        "adminonly",
        json!({"AdminCreateUserConfig": {"AllowAdminCreateUserOnly": true}}),
    )?;
    let client = app_client(ctx, &pool.id, json!({}))?;
    let message = ctx.call_err(
        "SignUp",
        json!({"ClientId": client, "Username": "alice", "Password": PASSWORD}),
        "NotAuthorizedException",
    )?;
    ensure_eq(
        message.as_str(),
        "SignUp is not permitted for this user pool",
        "message",
    )
}

fn confirm_basic(ctx: &Ctx) -> Result<(), String> {
    let (pool, client) = verifying_pool(ctx)?;
    sign_up(ctx, &client)?;
    let code = last_code(ctx, &pool.id, "alice")?;
    ctx.call(
        "ConfirmSignUp",
        json!({"ClientId": client, "Username": "alice", "ConfirmationCode": code}),
    )?;
    let user = get_user(ctx, &pool.id, "alice")?;
    ensure_eq(str_at(&user, "/UserStatus")?, "CONFIRMED", "UserStatus")?;
    // The code proved the address it went to.
    ensure_eq(
        attribute(at(&user, "/UserAttributes")?, "email_verified"),
        Some("true"),
        "email_verified",
    )?;
    password_sign_in(ctx, &client, "alice", PASSWORD).map(drop)
}

fn confirm_wrong_code(ctx: &Ctx) -> Result<(), String> {
    let (pool, client) = verifying_pool(ctx)?;
    sign_up(ctx, &client)?;
    let code = last_code(ctx, &pool.id, "alice")?;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let message = ctx.call_err(
        "ConfirmSignUp",
        json!({"ClientId": client, "Username": "alice", "ConfirmationCode": wrong}),
        "CodeMismatchException",
    )?;
    ensure_eq(
        message.as_str(),
        "Invalid verification code provided, please try again.",
        "message",
    )?;
    ensure_eq(
        status_of(ctx, &pool.id, "alice")?.as_str(),
        "UNCONFIRMED",
        "UserStatus",
    )
}

fn confirm_already_confirmed(ctx: &Ctx) -> Result<(), String> {
    let (pool, client) = signed_up_and_confirmed(ctx)?;
    let message = ctx.call_err(
        "ConfirmSignUp",
        json!({"ClientId": client, "Username": "alice", "ConfirmationCode": "123456"}),
        "NotAuthorizedException",
    )?;
    ensure_eq(
        message.as_str(),
        "User cannot be confirmed. Current status is CONFIRMED",
        "message",
    )?;
    ensure_eq(
        status_of(ctx, &pool.id, "alice")?.as_str(),
        "CONFIRMED",
        "UserStatus",
    )
}

fn resend_basic(ctx: &Ctx) -> Result<(), String> {
    let (pool, client) = verifying_pool(ctx)?;
    sign_up(ctx, &client)?;
    let first = last_code(ctx, &pool.id, "alice")?;
    let out = ctx.call(
        "ResendConfirmationCode",
        json!({"ClientId": client, "Username": "alice"}),
    )?;
    ensure_eq(
        at(&out, "/CodeDeliveryDetails")?,
        &emailed_to_alice(),
        "CodeDeliveryDetails",
    )?;
    ensure_eq(message_count(ctx, &pool.id, "alice")?, 2, "messages sent")?;
    let second = last_code(ctx, &pool.id, "alice")?;
    // The new code replaces the old one.
    if first != second {
        ctx.call_err(
            "ConfirmSignUp",
            json!({"ClientId": client, "Username": "alice", "ConfirmationCode": first}),
            "CodeMismatchException",
        )?;
    }
    ctx.call(
        "ConfirmSignUp",
        json!({"ClientId": client, "Username": "alice", "ConfirmationCode": second}),
    )?;
    // A confirmed user has nothing to confirm.
    ctx.call_err(
        "ResendConfirmationCode",
        json!({"ClientId": client, "Username": "alice"}),
        "InvalidParameterException",
    )
    .map(drop)
}

fn resend_unknown_user(ctx: &Ctx) -> Result<(), String> {
    let (pool, _) = verifying_pool(ctx)?;
    let legacy = app_client(
        ctx,
        &pool.id,
        json!({"PreventUserExistenceErrors": "LEGACY"}),
    )?;
    ctx.call_err(
        "ResendConfirmationCode",
        json!({"ClientId": legacy, "Username": "nobody"}),
        "UserNotFoundException",
    )?;
    // A client that hides which users exist answers as if the code went out.
    let hiding = app_client(
        ctx,
        &pool.id,
        json!({"PreventUserExistenceErrors": "ENABLED"}),
    )?;
    let out = ctx.call(
        "ResendConfirmationCode",
        json!({"ClientId": hiding, "Username": "nobody"}),
    )?;
    ensure_eq(
        str_at(&out, "/CodeDeliveryDetails/DeliveryMedium")?,
        "EMAIL",
        "DeliveryMedium",
    )?;
    ensure_eq(message_count(ctx, &pool.id, "nobody")?, 0, "messages sent")
}

fn forgot(ctx: &Ctx, client: &str, username: &str) -> Result<Value, String> {
    ctx.call(
        "ForgotPassword",
        json!({"ClientId": client, "Username": username}),
    )
}

fn forgot_basic(ctx: &Ctx) -> Result<(), String> {
    let (pool, client) = signed_up_and_confirmed(ctx)?;
    let out = forgot(ctx, &client, "alice")?;
    ensure_eq(
        at(&out, "/CodeDeliveryDetails")?,
        &emailed_to_alice(),
        "CodeDeliveryDetails",
    )?;
    ensure_eq(message_count(ctx, &pool.id, "alice")?, 2, "messages sent")?;
    // Until the code comes back, the password is unchanged.
    ensure_eq(
        status_of(ctx, &pool.id, "alice")?.as_str(),
        "CONFIRMED",
        "UserStatus",
    )?;
    password_sign_in(ctx, &client, "alice", PASSWORD).map(drop)
}

fn forgot_unverified(ctx: &Ctx) -> Result<(), String> {
    let pool = create_pool_with(ctx, "unverified", json!({}))?;
    let client = app_client(ctx, &pool.id, json!({}))?;
    confirmed_user(
        ctx,
        &pool.id,
        "alice",
        json!({"email": "alice@example.com"}),
    )?;
    ctx.call_err(
        "ForgotPassword",
        json!({"ClientId": client, "Username": "alice"}),
        "InvalidParameterException",
    )?;
    ensure_eq(message_count(ctx, &pool.id, "alice")?, 0, "messages sent")
}

fn forgot_hidden_unknown(ctx: &Ctx) -> Result<(), String> {
    let (pool, _) = verifying_pool(ctx)?;
    let hiding = app_client(
        ctx,
        &pool.id,
        json!({"PreventUserExistenceErrors": "ENABLED"}),
    )?;
    let out = forgot(ctx, &hiding, "nobody@example.com")?;
    let details = at(&out, "/CodeDeliveryDetails")?;
    ensure_eq(
        str_at(details, "/DeliveryMedium")?,
        "EMAIL",
        "DeliveryMedium",
    )?;
    ensure_eq(str_at(details, "/AttributeName")?, "email", "AttributeName")?;
    // The same answer each time, as for a real user.
    ensure_eq(
        &forgot(ctx, &hiding, "nobody@example.com")?,
        &out,
        "a second answer",
    )?;
    let legacy = app_client(
        ctx,
        &pool.id,
        json!({"PreventUserExistenceErrors": "LEGACY"}),
    )?;
    ctx.call_err(
        "ForgotPassword",
        json!({"ClientId": legacy, "Username": "nobody@example.com"}),
        "UserNotFoundException",
    )
    .map(drop)
}

fn confirm_forgot_basic(ctx: &Ctx) -> Result<(), String> {
    let (pool, client) = signed_up_and_confirmed(ctx)?;
    forgot(ctx, &client, "alice")?;
    let code = last_code(ctx, &pool.id, "alice")?;
    let input = json!({
        "ClientId": client,
        "Username": "alice",
        "ConfirmationCode": code,
        "Password": NEW_PASSWORD,
    });
    let out = ctx.call("ConfirmForgotPassword", input.clone())?;
    ensure_eq(&out, &json!({}), "ConfirmForgotPassword answer")?;
    password_sign_in(ctx, &client, "alice", NEW_PASSWORD)?;
    let message = ctx.call_err(
        "InitiateAuth",
        json!({
            "ClientId": client,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD},
        }),
        "NotAuthorizedException",
    )?;
    ensure_eq(message.as_str(), INCORRECT, "message for the old password")?;
    // The code is used up.
    ctx.call_err("ConfirmForgotPassword", input, "ExpiredCodeException")
        .map(drop)
}

fn confirm_forgot_wrong_code(ctx: &Ctx) -> Result<(), String> {
    let (pool, client) = signed_up_and_confirmed(ctx)?;
    forgot(ctx, &client, "alice")?;
    let code = last_code(ctx, &pool.id, "alice")?;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let message = ctx.call_err(
        "ConfirmForgotPassword",
        json!({
            "ClientId": client,
            "Username": "alice",
            "ConfirmationCode": wrong,
            "Password": NEW_PASSWORD,
        }),
        "CodeMismatchException",
    )?;
    ensure_eq(
        message.as_str(),
        "Invalid verification code provided, please try again.",
        "message",
    )?;
    password_sign_in(ctx, &client, "alice", PASSWORD).map(drop)
}
