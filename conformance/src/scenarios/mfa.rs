//! Scenarios of a user's second factors: software tokens (`AssociateSoftwareToken`,
//! `VerifySoftwareToken`, `AdminDeleteSoftwareToken`), the legacy `SetUserSettings`, the
//! factors `GetUserAuthFactors` and `AdminGetUserAuthFactors` list, and signing in with
//! them: the `SOFTWARE_TOKEN_MFA` challenge, and `MFA_SETUP` where the pool requires MFA.
//!
//! The harness plays the user's authenticator app ([`Authenticator`]): it decodes the
//! `SecretCode` and makes RFC 6238 codes from its own clock (`crate::totp`). A code is
//! good once per 30-second step, so a scenario that needs a second code waits for the
//! next step ([`wait_for_step_after`]); only one does.

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use super::sign_in::{
    app_client, check_tokens, confirmed_user, password_start, signed_in_with, Account,
};
use super::users::{get_user as admin_get_user, PASSWORD};
use super::{at, create_pool, ensure, ensure_eq, matches, str_at, Ctx, Pool, Scenario};
use crate::totp;

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        operation: "AssociateSoftwareToken",
        name: "access-token",
        run: associate_access_token,
    },
    Scenario {
        operation: "AssociateSoftwareToken",
        name: "sign-in-session",
        run: associate_session,
    },
    Scenario {
        operation: "VerifySoftwareToken",
        name: "access-token",
        run: verify_access_token,
    },
    Scenario {
        operation: "VerifySoftwareToken",
        name: "wrong-code",
        run: verify_wrong_code,
    },
    Scenario {
        operation: "VerifySoftwareToken",
        name: "sign-in-session",
        run: verify_session,
    },
    Scenario {
        operation: "AdminDeleteSoftwareToken",
        name: "basic",
        run: admin_delete_basic,
    },
    Scenario {
        operation: "SetUserSettings",
        name: "sms",
        run: settings_sms,
    },
    Scenario {
        operation: "GetUserAuthFactors",
        name: "basic",
        run: factors_basic,
    },
    Scenario {
        operation: "AdminGetUserAuthFactors",
        name: "basic",
        run: admin_factors_basic,
    },
    Scenario {
        operation: "InitiateAuth",
        name: "software-token-mfa",
        run: initiate_software_token,
    },
    Scenario {
        operation: "InitiateAuth",
        name: "mfa-setup",
        run: initiate_mfa_setup,
    },
    Scenario {
        operation: "RespondToAuthChallenge",
        name: "software-token-mfa",
        run: respond_software_token,
    },
    Scenario {
        operation: "RespondToAuthChallenge",
        name: "mfa-setup",
        run: respond_mfa_setup,
    },
];

/// The factor name of a software token in MFA settings and challenges.
const TOTP: &str = "SOFTWARE_TOKEN_MFA";

/// Cognito's message for a wrong code to a sign-in's MFA challenge.
const CODE_MISMATCH: &str = "Invalid code or auth state for the user.";

/// A `SecretCode` as Cognito writes a 32-byte key: RFC 4648 base32, upper case,
/// unpadded.
const SECRET_CODE: &str = "^[A-Z2-7]{52}$";

/// The harness's wall clock in milliseconds since the Unix epoch: the clock of the
/// user's authenticator app, which the harness plays (the emulator's crates never read
/// it; the harness is no part of them).
#[allow(clippy::disallowed_methods)]
fn unix_millis() -> Result<u64, String> {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| format!("the clock is before 1970: {e}"))?;
    u64::try_from(since.as_millis()).map_err(|e| format!("the clock is past 2^64 ms: {e}"))
}

/// The time step of now.
fn step_now() -> Result<u64, String> {
    Ok(totp::time_step(unix_millis()? / 1000))
}

/// Sleeps until the time step after `step` has begun; answers the step of now.
fn wait_for_step_after(step: u64) -> Result<u64, String> {
    for _ in 0..3 {
        let millis = unix_millis()?;
        let now = totp::time_step(millis / 1000);
        if now > step {
            return Ok(now);
        }
        let next = step
            .saturating_add(1)
            .saturating_mul(totp::STEP_SECONDS * 1000);
        // A little past the boundary, so that the step has surely turned.
        std::thread::sleep(Duration::from_millis(next.saturating_sub(millis) + 100));
    }
    Err(format!("the time step is still {step} or before"))
}

/// The user's authenticator app: the key of one software token.
struct Authenticator {
    key: Vec<u8>,
}

impl Authenticator {
    /// Reads a `SecretCode`, which must be the base32 of a 32-byte key.
    fn from_secret_code(secret: &str) -> Result<Authenticator, String> {
        ensure(matches(SECRET_CODE, secret)?, || {
            format!("SecretCode {secret:?} is not 52 upper-case base32 characters")
        })?;
        let key = totp::base32_decode(secret)?;
        ensure_eq(key.len(), 32, "bytes in the key of SecretCode")?;
        Ok(Authenticator { key })
    }

    /// The code of time step `step`.
    fn code(&self, step: u64) -> Result<String, String> {
        totp::hotp(&self.key, step, totp::DIGITS)
    }

    /// The code of now, with its step.
    fn code_now(&self) -> Result<(u64, String), String> {
        let seconds = unix_millis()? / 1000;
        let code = totp::totp(&self.key, seconds, totp::DIGITS)?;
        Ok((totp::time_step(seconds), code))
    }

    /// Six digits that are the code of no step within two of now's.
    fn wrong_code(&self) -> Result<String, String> {
        let step = step_now()?;
        let near = (step.saturating_sub(2)..=step.saturating_add(2))
            .map(|s| self.code(s))
            .collect::<Result<Vec<String>, String>>()?;
        let mut n: u32 = 0;
        loop {
            let candidate = format!("{n:06}");
            if !near.contains(&candidate) {
                return Ok(candidate);
            }
            n += 1;
        }
    }
}

/// Turns on MFA as `mode` (`OPTIONAL` or `ON`) with software tokens only.
fn totp_mfa(ctx: &Ctx, pool: &str, mode: &str) -> Result<(), String> {
    ctx.call(
        "SetUserPoolMfaConfig",
        json!({
            "UserPoolId": pool,
            "MfaConfiguration": mode,
            "SoftwareTokenMfaConfiguration": {"Enabled": true},
        }),
    )
    .map(drop)
}

/// `alice`, with `attributes`, signed in to a new pool whose MFA is then made optional
/// with software tokens.
fn totp_account(ctx: &Ctx, attributes: Value) -> Result<Account, String> {
    let account = signed_in_with(ctx, json!({}), json!({}), attributes)?;
    totp_mfa(ctx, &account.pool.id, "OPTIONAL")?;
    Ok(account)
}

/// Associates a software token with the user of `access`; answers the authenticator
/// holding its key.
fn associate(ctx: &Ctx, access: &str) -> Result<Authenticator, String> {
    let out = ctx.call("AssociateSoftwareToken", json!({"AccessToken": access}))?;
    Authenticator::from_secret_code(str_at(&out, "/SecretCode")?)
}

/// Verifies the software token of the user of `access` with the code of now; answers
/// the step of that code.
fn verify(ctx: &Ctx, access: &str, app: &Authenticator) -> Result<u64, String> {
    let (step, code) = app.code_now()?;
    let out = ctx.call(
        "VerifySoftwareToken",
        json!({"AccessToken": access, "UserCode": code, "FriendlyDeviceName": "phone"}),
    )?;
    ensure_eq(str_at(&out, "/Status")?, "SUCCESS", "Status")?;
    Ok(step)
}

/// Associates and verifies a software token for the user of `access`, and makes it the
/// user's enabled, preferred factor; answers the authenticator and the step of the code
/// it spent.
fn enable_totp(ctx: &Ctx, access: &str) -> Result<(Authenticator, u64), String> {
    let app = associate(ctx, access)?;
    let step = verify(ctx, access, &app)?;
    let out = ctx.call(
        "SetUserMFAPreference",
        json!({
            "AccessToken": access,
            "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true},
        }),
    )?;
    ensure_eq(&out, &json!({}), "SetUserMFAPreference answer")?;
    Ok((app, step))
}

/// The `UserMFASettingList` of a user or factors answer; absent reads as empty.
fn mfa_list(user: &Value) -> Value {
    user.get("UserMFASettingList").cloned().unwrap_or(json!([]))
}

/// Checks that a `GetUser`, `AdminGetUser` or factors answer shows a software token as
/// the only enabled factor and the preferred one.
fn check_totp_preferred(user: &Value, what: &str) -> Result<(), String> {
    ensure_eq(
        str_at(user, "/PreferredMfaSetting")?,
        TOTP,
        &format!("{what} PreferredMfaSetting"),
    )?;
    ensure_eq(
        mfa_list(user),
        json!([TOTP]),
        &format!("{what} UserMFASettingList"),
    )
}

/// The `ConfiguredUserAuthFactors` of a factors answer, as a set (Cognito promises no
/// order).
fn auth_factors(out: &Value) -> BTreeSet<String> {
    out.get("ConfiguredUserAuthFactors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

fn set_of(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn associate_access_token(ctx: &Ctx) -> Result<(), String> {
    let account = totp_account(ctx, json!({}))?;
    let access = account.access_token()?;
    let out = ctx.call("AssociateSoftwareToken", json!({"AccessToken": access}))?;
    let first = str_at(&out, "/SecretCode")?.to_string();
    let old = Authenticator::from_secret_code(&first)?;
    // A new association hands out a new key, and replaces the one not yet verified.
    let out = ctx.call("AssociateSoftwareToken", json!({"AccessToken": access}))?;
    let second = str_at(&out, "/SecretCode")?;
    ensure(second != first, || {
        "two associations handed out the same SecretCode".to_string()
    })?;
    let new = Authenticator::from_secret_code(second)?;
    let (_, old_code) = old.code_now()?;
    ctx.call_err(
        "VerifySoftwareToken",
        json!({"AccessToken": access, "UserCode": old_code}),
        "EnableSoftwareTokenMFAException",
    )?;
    verify(ctx, access, &new)?;
    // An ID token is no access token.
    ctx.call_err(
        "AssociateSoftwareToken",
        json!({"AccessToken": str_at(&account.tokens, "/IdToken")?}),
        "NotAuthorizedException",
    )
    .map(drop)
}

fn verify_access_token(ctx: &Ctx) -> Result<(), String> {
    let account = totp_account(ctx, json!({}))?;
    let access = account.access_token()?;
    let app = associate(ctx, access)?;
    let (_, code) = app.code_now()?;
    let out = ctx.call(
        "VerifySoftwareToken",
        json!({"AccessToken": access, "UserCode": code, "FriendlyDeviceName": "phone"}),
    )?;
    ensure_eq(
        &out,
        &json!({"Status": "SUCCESS"}),
        "VerifySoftwareToken answer",
    )?;
    // Once verified, the token can be the user's factor.
    ctx.call(
        "SetUserMFAPreference",
        json!({
            "AccessToken": access,
            "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true},
        }),
    )?;
    let user = ctx.call("GetUser", json!({"AccessToken": access}))?;
    check_totp_preferred(&user, "GetUser")?;
    let admin = admin_get_user(ctx, &account.pool.id, "alice")?;
    check_totp_preferred(&admin, "AdminGetUser")
}

fn verify_wrong_code(ctx: &Ctx) -> Result<(), String> {
    let account = totp_account(ctx, json!({}))?;
    let access = account.access_token()?;
    let app = associate(ctx, access)?;
    let message = ctx.call_err(
        "VerifySoftwareToken",
        json!({"AccessToken": access, "UserCode": app.wrong_code()?}),
        "EnableSoftwareTokenMFAException",
    )?;
    ensure_eq(
        message.as_str(),
        "Code mismatch and fail enable Software Token MFA",
        "message",
    )?;
    // An unverified token cannot be the user's factor.
    ctx.call_err(
        "SetUserMFAPreference",
        json!({
            "AccessToken": access,
            "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true},
        }),
        "InvalidParameterException",
    )?;
    let user = admin_get_user(ctx, &account.pool.id, "alice")?;
    ensure_eq(mfa_list(&user), json!([]), "UserMFASettingList")?;
    // The association stays: the right code still verifies it.
    verify(ctx, access, &app).map(drop)
}

/// A pool that requires MFA with software tokens only, an app client, and `carol`, who
/// has no factor, signing in; answers the pool, the client and the `MFA_SETUP` session.
fn mfa_setup_sign_in(ctx: &Ctx) -> Result<(Pool, String, String), String> {
    let pool = create_pool(ctx)?;
    totp_mfa(ctx, &pool.id, "ON")?;
    let client = app_client(ctx, &pool.id, json!({}))?;
    confirmed_user(ctx, &pool.id, "carol", json!({}))?;
    let out = password_start(ctx, &client, "carol", PASSWORD)?;
    ensure_eq(
        str_at(&out, "/ChallengeName")?,
        "MFA_SETUP",
        "ChallengeName",
    )?;
    ensure_eq(
        out.get("AuthenticationResult"),
        None,
        "AuthenticationResult",
    )?;
    let can_setup: Value =
        serde_json::from_str(str_at(&out, "/ChallengeParameters/MFAS_CAN_SETUP")?)
            .map_err(|e| format!("MFAS_CAN_SETUP is not JSON: {e}"))?;
    ensure_eq(can_setup, json!([TOTP]), "MFAS_CAN_SETUP")?;
    let session = str_at(&out, "/Session")?.to_string();
    Ok((pool, client, session))
}

/// Associates a software token within the `MFA_SETUP` sign-in `session`; answers the
/// authenticator and the next session.
fn associate_in(ctx: &Ctx, session: &str) -> Result<(Authenticator, String), String> {
    let out = ctx.call("AssociateSoftwareToken", json!({"Session": session}))?;
    let app = Authenticator::from_secret_code(str_at(&out, "/SecretCode")?)?;
    let next = str_at(&out, "/Session")?.to_string();
    ensure(next != session, || {
        "AssociateSoftwareToken answered the session it was given".to_string()
    })?;
    Ok((app, next))
}

/// Verifies the token associated in `session` with the code of now; answers the next
/// session.
fn verify_in(ctx: &Ctx, session: &str, app: &Authenticator) -> Result<String, String> {
    let (_, code) = app.code_now()?;
    let out = ctx.call(
        "VerifySoftwareToken",
        json!({"Session": session, "UserCode": code, "FriendlyDeviceName": "phone"}),
    )?;
    ensure_eq(str_at(&out, "/Status")?, "SUCCESS", "Status")?;
    let next = str_at(&out, "/Session")?.to_string();
    ensure(next != session, || {
        "VerifySoftwareToken answered the session it was given".to_string()
    })?;
    Ok(next)
}

fn associate_session(ctx: &Ctx) -> Result<(), String> {
    let (_, _, session) = mfa_setup_sign_in(ctx)?;
    associate_in(ctx, &session).map(drop)
}

fn verify_session(ctx: &Ctx) -> Result<(), String> {
    let (_, _, session) = mfa_setup_sign_in(ctx)?;
    let (app, session) = associate_in(ctx, &session)?;
    verify_in(ctx, &session, &app).map(drop)
}

fn admin_delete_basic(ctx: &Ctx) -> Result<(), String> {
    let account = totp_account(ctx, json!({}))?;
    enable_totp(ctx, account.access_token()?)?;
    let pool = &account.pool.id;
    check_totp_preferred(&admin_get_user(ctx, pool, "alice")?, "AdminGetUser")?;
    let out = ctx.call(
        "AdminDeleteSoftwareToken",
        json!({"UserPoolId": pool, "Username": "alice"}),
    )?;
    ensure_eq(&out, &json!({}), "AdminDeleteSoftwareToken answer")?;
    let user = admin_get_user(ctx, pool, "alice")?;
    ensure_eq(
        mfa_list(&user),
        json!([]),
        "UserMFASettingList after deleting",
    )?;
    ensure_eq(
        user.get("PreferredMfaSetting"),
        None,
        "PreferredMfaSetting after deleting",
    )?;
    // With no token, software token MFA cannot be turned back on.
    ctx.call_err(
        "AdminSetUserMFAPreference",
        json!({
            "UserPoolId": pool,
            "Username": "alice",
            "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true},
        }),
        "InvalidParameterException",
    )?;
    ctx.call_err(
        "AdminDeleteSoftwareToken",
        json!({"UserPoolId": pool, "Username": "nobody"}),
        "UserNotFoundException",
    )
    .map(drop)
}

fn settings_sms(ctx: &Ctx) -> Result<(), String> {
    let account = signed_in_with(
        ctx,
        json!({}),
        json!({}),
        json!({"phone_number": "+14155550100"}),
    )?;
    let access = account.access_token()?;
    let options = json!([{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]);
    let out = ctx.call(
        "SetUserSettings",
        json!({"AccessToken": access, "MFAOptions": options}),
    )?;
    ensure_eq(&out, &json!({}), "SetUserSettings answer")?;
    let admin = admin_get_user(ctx, &account.pool.id, "alice")?;
    ensure_eq(
        at(&admin, "/MFAOptions")?,
        &options,
        "AdminGetUser MFAOptions",
    )?;
    let user = ctx.call("GetUser", json!({"AccessToken": access}))?;
    ensure_eq(at(&user, "/MFAOptions")?, &options, "GetUser MFAOptions")?;
    // An empty list clears them.
    ctx.call(
        "SetUserSettings",
        json!({"AccessToken": access, "MFAOptions": []}),
    )?;
    let admin = admin_get_user(ctx, &account.pool.id, "alice")?;
    ensure_eq(admin.get("MFAOptions"), None, "MFAOptions after clearing")
}

fn factors_basic(ctx: &Ctx) -> Result<(), String> {
    let account = totp_account(
        ctx,
        json!({"email": "alice@example.com", "email_verified": "true"}),
    )?;
    let access = account.access_token()?;
    let factors = |ctx: &Ctx| ctx.call("GetUserAuthFactors", json!({"AccessToken": access}));
    let out = factors(ctx)?;
    ensure_eq(str_at(&out, "/Username")?, "alice", "Username")?;
    ensure_eq(out.get("PreferredMfaSetting"), None, "PreferredMfaSetting")?;
    ensure_eq(mfa_list(&out), json!([]), "UserMFASettingList")?;
    // A password, and a verified email address to receive codes at.
    ensure_eq(
        auth_factors(&out),
        set_of(&["PASSWORD", "EMAIL_OTP"]),
        "ConfiguredUserAuthFactors",
    )?;

    enable_totp(ctx, access)?;
    let out = factors(ctx)?;
    ensure_eq(str_at(&out, "/Username")?, "alice", "Username")?;
    check_totp_preferred(&out, "GetUserAuthFactors")?;
    // A software token is a second factor, not one to sign in with.
    ensure_eq(
        auth_factors(&out),
        set_of(&["PASSWORD", "EMAIL_OTP"]),
        "ConfiguredUserAuthFactors with a software token",
    )
}

fn admin_factors_basic(ctx: &Ctx) -> Result<(), String> {
    let account = totp_account(
        ctx,
        json!({
            "email": "alice@example.com",
            "email_verified": "true",
            "phone_number": "+14155550100",
            "phone_number_verified": "true",
        }),
    )?;
    let pool = account.pool.id.clone();
    let factors = |ctx: &Ctx, username: &str| {
        ctx.call(
            "AdminGetUserAuthFactors",
            json!({"UserPoolId": pool, "Username": username}),
        )
    };
    let out = factors(ctx, "alice")?;
    ensure_eq(str_at(&out, "/Username")?, "alice", "Username")?;
    ensure_eq(out.get("PreferredMfaSetting"), None, "PreferredMfaSetting")?;
    ensure_eq(
        auth_factors(&out),
        set_of(&["PASSWORD", "EMAIL_OTP", "SMS_OTP"]),
        "ConfiguredUserAuthFactors",
    )?;
    enable_totp(ctx, account.access_token()?)?;
    let out = factors(ctx, "alice")?;
    check_totp_preferred(&out, "AdminGetUserAuthFactors")?;

    // An address not yet verified receives no codes.
    confirmed_user(
        ctx,
        &pool,
        "bob",
        json!({"email": "bob@example.com", "phone_number": "+14155550101"}),
    )?;
    let out = factors(ctx, "bob")?;
    ensure_eq(str_at(&out, "/Username")?, "bob", "bob's Username")?;
    ensure_eq(
        auth_factors(&out),
        set_of(&["PASSWORD"]),
        "bob's ConfiguredUserAuthFactors",
    )?;
    ctx.call_err(
        "AdminGetUserAuthFactors",
        json!({"UserPoolId": pool, "Username": "nobody"}),
        "UserNotFoundException",
    )
    .map(drop)
}

/// Checks that a sign-in answer is the `SOFTWARE_TOKEN_MFA` challenge; answers its
/// session.
fn check_totp_challenge(out: &Value) -> Result<String, String> {
    ensure_eq(str_at(out, "/ChallengeName")?, TOTP, "ChallengeName")?;
    ensure_eq(
        out.get("AuthenticationResult"),
        None,
        "AuthenticationResult",
    )?;
    str_at(out, "/Session").map(str::to_string)
}

fn initiate_software_token(ctx: &Ctx) -> Result<(), String> {
    let account = totp_account(ctx, json!({}))?;
    enable_totp(ctx, account.access_token()?)?;
    let out = password_start(ctx, &account.client, "alice", PASSWORD)?;
    check_totp_challenge(&out)?;
    // With MFA optional, a user who enabled no factor signs in with the password alone.
    confirmed_user(ctx, &account.pool.id, "bob", json!({}))?;
    let out = password_start(ctx, &account.client, "bob", PASSWORD)?;
    ensure_eq(out.get("ChallengeName"), None, "bob's ChallengeName")?;
    check_tokens(
        at(&out, "/AuthenticationResult")?,
        &account.pool.id,
        &account.client,
        "bob",
    )
}

fn initiate_mfa_setup(ctx: &Ctx) -> Result<(), String> {
    mfa_setup_sign_in(ctx).map(drop)
}

fn respond_software_token(ctx: &Ctx) -> Result<(), String> {
    let account = totp_account(ctx, json!({}))?;
    let (app, spent) = enable_totp(ctx, account.access_token()?)?;
    let out = password_start(ctx, &account.client, "alice", PASSWORD)?;
    let session = check_totp_challenge(&out)?;
    let respond = |code: &str| {
        json!({
            "ClientId": account.client,
            "ChallengeName": TOTP,
            "Session": session,
            "ChallengeResponses": {"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": code},
        })
    };
    let message = ctx.call_err(
        "RespondToAuthChallenge",
        respond(&app.wrong_code()?),
        "CodeMismatchException",
    )?;
    ensure_eq(message.as_str(), CODE_MISMATCH, "message")?;
    // The code that verified the token is spent: the next step's code answers, on the
    // same session.
    let step = wait_for_step_after(spent)?;
    let out = ctx.call("RespondToAuthChallenge", respond(&app.code(step)?))?;
    ensure_eq(out.get("ChallengeName"), None, "ChallengeName")?;
    check_tokens(
        at(&out, "/AuthenticationResult")?,
        &account.pool.id,
        &account.client,
        "alice",
    )
}

fn respond_mfa_setup(ctx: &Ctx) -> Result<(), String> {
    let (pool, client, session) = mfa_setup_sign_in(ctx)?;
    let (app, session) = associate_in(ctx, &session)?;
    let session = verify_in(ctx, &session, &app)?;
    let out = ctx.call(
        "RespondToAuthChallenge",
        json!({
            "ClientId": client,
            "ChallengeName": "MFA_SETUP",
            "Session": session,
            "ChallengeResponses": {"USERNAME": "carol"},
        }),
    )?;
    ensure_eq(out.get("ChallengeName"), None, "ChallengeName")?;
    check_tokens(
        at(&out, "/AuthenticationResult")?,
        &pool.id,
        &client,
        "carol",
    )?;
    // The token is now the user's factor: the next sign-in asks for its code.
    let user = admin_get_user(ctx, &pool.id, "carol")?;
    let list = mfa_list(&user);
    ensure(
        list.as_array().is_some_and(|l| l.contains(&json!(TOTP))),
        || format!("UserMFASettingList {list} lacks {TOTP}"),
    )?;
    let out = password_start(ctx, &client, "carol", PASSWORD)?;
    check_totp_challenge(&out).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_code_must_be_a_32_byte_key_in_base32() {
        let seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
        assert!(Authenticator::from_secret_code(seed).is_err(), "20 bytes");
        assert!(Authenticator::from_secret_code(&"A".repeat(52)).is_ok());
        assert!(Authenticator::from_secret_code(&"a".repeat(52)).is_err());
        assert!(Authenticator::from_secret_code(&"A".repeat(56)).is_err());
    }

    #[test]
    fn a_wrong_code_is_no_code_of_a_nearby_step() {
        let app = Authenticator::from_secret_code(&"A".repeat(52)).unwrap();
        let wrong = app.wrong_code().unwrap();
        let step = step_now().unwrap();
        assert_eq!(wrong.len(), 6);
        for s in step - 1..=step + 1 {
            assert_ne!(app.code(s).unwrap(), wrong);
        }
    }
}
