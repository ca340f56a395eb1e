//! Scenarios of a user's devices in a pool that tracks them (`DeviceConfiguration`): the
//! `NewDeviceMetadata` a sign-in ends with, `ConfirmDevice`, `GetDevice`, `ListDevices`,
//! `UpdateDeviceStatus`, `ForgetDevice` and their `Admin` forms, signing in from a
//! remembered device (`DEVICE_SRP_AUTH`, then `DEVICE_PASSWORD_VERIFIER`), and refreshing
//! the tokens of a device's sign-in.
//!
//! The harness does no SRP arithmetic: the verifier it registers for a device is a
//! well-formed number with no secret behind it, so a scenario follows the device
//! challenges up to the device's proof, and sends a wrong one.

use base64::Engine as _;
use serde_json::{json, Value};

use super::sign_in::{claims, server_timestamp, signed_in, signed_in_with, srp_a, Account};
use super::users::PASSWORD;
use super::{at, ensure, ensure_eq, matches, str_at, Ctx, Scenario};

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        operation: "InitiateAuth",
        name: "new-device-metadata",
        run: initiate_new_device_metadata,
    },
    Scenario {
        operation: "InitiateAuth",
        name: "device-srp-challenge",
        run: initiate_device_srp,
    },
    Scenario {
        operation: "InitiateAuth",
        name: "refresh-token-device-key",
        run: initiate_refresh_device_key,
    },
    Scenario {
        operation: "InitiateAuth",
        name: "forgotten-device-key",
        run: initiate_forgotten_device,
    },
    Scenario {
        operation: "RespondToAuthChallenge",
        name: "device-srp-auth",
        run: respond_device_srp,
    },
    Scenario {
        operation: "RespondToAuthChallenge",
        name: "device-password-verifier-wrong-signature",
        run: respond_device_wrong_signature,
    },
    Scenario {
        operation: "ConfirmDevice",
        name: "remembered-at-once",
        run: confirm_remembered_at_once,
    },
    Scenario {
        operation: "ConfirmDevice",
        name: "on-user-prompt",
        run: confirm_on_user_prompt,
    },
    Scenario {
        operation: "ConfirmDevice",
        name: "zero-verifier",
        run: confirm_zero_verifier,
    },
    Scenario {
        operation: "ConfirmDevice",
        name: "unknown-device",
        run: confirm_unknown_device,
    },
    Scenario {
        operation: "GetDevice",
        name: "basic",
        run: get_basic,
    },
    Scenario {
        operation: "AdminGetDevice",
        name: "basic",
        run: admin_get_basic,
    },
    Scenario {
        operation: "ListDevices",
        name: "paging",
        run: list_paging,
    },
    Scenario {
        operation: "AdminListDevices",
        name: "paging",
        run: admin_list_paging,
    },
    Scenario {
        operation: "UpdateDeviceStatus",
        name: "basic",
        run: update_basic,
    },
    Scenario {
        operation: "AdminUpdateDeviceStatus",
        name: "basic",
        run: admin_update_basic,
    },
    Scenario {
        operation: "ForgetDevice",
        name: "basic",
        run: forget_basic,
    },
    Scenario {
        operation: "AdminForgetDevice",
        name: "basic",
        run: admin_forget_basic,
    },
];

/// A device key after its region: `_` and a lower-case UUID.
const DEVICE_KEY_AFTER_REGION: &str =
    "_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

/// A well-formed device key that no sign-in gave.
const UNKNOWN_DEVICE: &str = "us-east-1_00000000-0000-4000-8000-000000000000";

/// Cognito's message for a device key the user does not have.
const NO_DEVICE: &str = "Device does not exist.";

/// The device attribute that says whether a device is remembered.
const REMEMBERED: &str = "dev:device_remembered_status";

/// The page size of the paging scenarios.
const PAGE: u64 = 2;

/// The settings of a pool that tracks devices. With `challenge`, a remembered device
/// signs in with device SRP in place of MFA (`ChallengeRequiredOnNewDevice`); with
/// `on_prompt`, `ConfirmDevice` leaves remembering to the user
/// (`DeviceOnlyRememberedOnUserPrompt`).
fn device_pool(challenge: bool, on_prompt: bool) -> Value {
    json!({
        "DeviceConfiguration": {
            "ChallengeRequiredOnNewDevice": challenge,
            "DeviceOnlyRememberedOnUserPrompt": on_prompt,
        },
    })
}

/// `alice` signed in to a new pool with [`device_pool`]`(challenge, on_prompt)`; answers
/// the account and the key of the device its sign-in tracked.
fn tracked(ctx: &Ctx, challenge: bool, on_prompt: bool) -> Result<(Account, String), String> {
    let account = signed_in_with(ctx, device_pool(challenge, on_prompt), json!({}), json!({}))?;
    let key = new_device_key(&account.tokens, &account.pool.id)?;
    Ok((account, key))
}

/// The `DeviceKey` of the `NewDeviceMetadata` of an `AuthenticationResult` from `pool`,
/// checked to be `<region>_<uuid>` with a device group key beside it.
fn new_device_key(result: &Value, pool: &str) -> Result<String, String> {
    let key = str_at(result, "/NewDeviceMetadata/DeviceKey")?;
    let region = pool.split('_').next().unwrap_or_default();
    ensure(
        matches(&format!("^{region}{DEVICE_KEY_AFTER_REGION}"), key)?,
        || format!("DeviceKey {key:?} is not {region}_<uuid>"),
    )?;
    let group = str_at(result, "/NewDeviceMetadata/DeviceGroupKey")?;
    ensure(!group.is_empty(), || "DeviceGroupKey is empty".to_string())?;
    Ok(key.to_string())
}

/// The `device_key` claim of an access token, if any.
fn device_claim(access_token: &str) -> Result<Option<String>, String> {
    let claims = claims(access_token)?;
    Ok(claims
        .get("device_key")
        .and_then(Value::as_str)
        .map(str::to_string))
}

/// A `DeviceSecretVerifierConfig`: a 3072-bit verifier below the group's prime, and a
/// salt, both base64 of big-endian numbers.
fn verifier_config() -> Value {
    let verifier: Vec<u8> = std::iter::once(0x01)
        .chain(std::iter::repeat_n(0x5a, 383))
        .collect();
    let b64 = base64::engine::general_purpose::STANDARD;
    json!({"PasswordVerifier": b64.encode(verifier), "Salt": b64.encode([0x2c; 16])})
}

/// Confirms device `key` with `access_token` under `name`; answers
/// `UserConfirmationNecessary`.
fn confirm(ctx: &Ctx, access_token: &str, key: &str, name: &str) -> Result<bool, String> {
    let out = ctx.call(
        "ConfirmDevice",
        json!({
            "AccessToken": access_token,
            "DeviceKey": key,
            "DeviceName": name,
            "DeviceSecretVerifierConfig": verifier_config(),
        }),
    )?;
    at(&out, "/UserConfirmationNecessary")?
        .as_bool()
        .ok_or_else(|| format!("UserConfirmationNecessary is not a boolean in {out}"))
}

/// `alice`'s device in a pool where remembered devices stand in for MFA, confirmed and
/// so remembered.
fn remembered(ctx: &Ctx) -> Result<(Account, String), String> {
    let (account, key) = tracked(ctx, true, false)?;
    let necessary = confirm(ctx, account.access_token()?, &key, "laptop")?;
    ensure_eq(necessary, false, "UserConfirmationNecessary")?;
    Ok((account, key))
}

/// Starts `USER_PASSWORD_AUTH` for the account's user from device `key`; answers the
/// whole answer.
fn device_start(ctx: &Ctx, account: &Account, key: &str) -> Result<Value, String> {
    ctx.call(
        "InitiateAuth",
        json!({
            "ClientId": account.client,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {
                "USERNAME": account.username,
                "PASSWORD": PASSWORD,
                "DEVICE_KEY": key,
            },
        }),
    )
}

/// `REFRESH_TOKEN_AUTH` with the account's refresh token and `auth_parameters` besides.
fn refresh_input(account: &Account, extra: Value) -> Result<Value, String> {
    let mut parameters = json!({"REFRESH_TOKEN": account.refresh_token()?});
    if let (Some(p), Some(e)) = (parameters.as_object_mut(), extra.as_object()) {
        p.extend(e.clone());
    }
    Ok(json!({
        "ClientId": account.client,
        "AuthFlow": "REFRESH_TOKEN_AUTH",
        "AuthParameters": parameters,
    }))
}

/// The value of device attribute `name`, if the device has it.
fn device_attribute<'d>(device: &'d Value, name: &str) -> Result<Option<&'d str>, String> {
    let list = at(device, "/DeviceAttributes")?
        .as_array()
        .ok_or_else(|| format!("DeviceAttributes is not a list in {device}"))?;
    Ok(list
        .iter()
        .find(|a| a.get("Name").and_then(Value::as_str) == Some(name))
        .and_then(|a| a.get("Value"))
        .and_then(Value::as_str))
}

/// Checks a `Device` of a get or list answer: its key, its status, its name (where
/// `name` is given), whether it is remembered, and its dates.
fn check_device(
    device: &Value,
    key: &str,
    name: Option<&str>,
    remembered: &str,
) -> Result<(), String> {
    ensure_eq(str_at(device, "/DeviceKey")?, key, "DeviceKey")?;
    ensure_eq(
        device_attribute(device, "device_status")?,
        Some("valid"),
        "device_status",
    )?;
    if name.is_some() {
        ensure_eq(
            device_attribute(device, "device_name")?,
            name,
            "device_name",
        )?;
    }
    ensure_eq(
        device_attribute(device, REMEMBERED)?,
        Some(remembered),
        REMEMBERED,
    )?;
    let date = |member: &str| {
        at(device, &format!("/{member}"))?
            .as_f64()
            .ok_or_else(|| format!("{member} is not a number in {device}"))
    };
    let created = date("DeviceCreateDate")?;
    let modified = date("DeviceLastModifiedDate")?;
    let authenticated = date("DeviceLastAuthenticatedDate")?;
    ensure(modified >= created && authenticated >= created, || {
        format!("a date of {device} is before its DeviceCreateDate")
    })
}

/// `GetDevice` of `key` with `access_token`; answers the `Device`.
fn get_device(ctx: &Ctx, access_token: &str, key: &str) -> Result<Value, String> {
    let out = ctx.call(
        "GetDevice",
        json!({"AccessToken": access_token, "DeviceKey": key}),
    )?;
    at(&out, "/Device").cloned()
}

/// `AdminGetDevice` of the account's user's device `key`; answers the `Device`.
fn admin_get_device(ctx: &Ctx, account: &Account, key: &str) -> Result<Value, String> {
    let out = ctx.call(
        "AdminGetDevice",
        json!({
            "UserPoolId": account.pool.id,
            "Username": account.username,
            "DeviceKey": key,
        }),
    )?;
    at(&out, "/Device").cloned()
}

/// Requires `op` (a get, update or forget of a device) to answer that the device does
/// not exist.
fn no_device(ctx: &Ctx, op: &str, input: Value) -> Result<(), String> {
    let message = ctx.call_err(op, input, "ResourceNotFoundException")?;
    ensure_eq(message.as_str(), NO_DEVICE, &format!("{op} message"))
}

fn initiate_new_device_metadata(ctx: &Ctx) -> Result<(), String> {
    let (account, key) = tracked(ctx, false, false)?;
    ensure_eq(
        device_claim(account.access_token()?)?.as_deref(),
        Some(key.as_str()),
        "access token device_key",
    )?;
    // Every sign-in that names no device is a new device of the same user.
    let again = account.sign_in_again(ctx, PASSWORD)?;
    let other = new_device_key(&again, &account.pool.id)?;
    ensure(other != key, || {
        format!("two sign-ins were given the same DeviceKey {key}")
    })?;
    // A sign-in that names a device of the user is no new device.
    let named = device_start(ctx, &account, &key)?;
    ensure_eq(named.get("ChallengeName"), None, "ChallengeName")?;
    let result = at(&named, "/AuthenticationResult")?;
    ensure_eq(
        result.get("NewDeviceMetadata"),
        None,
        "NewDeviceMetadata of a named device",
    )?;
    ensure_eq(
        device_claim(str_at(result, "/AccessToken")?)?.as_deref(),
        Some(key.as_str()),
        "device_key of a named device",
    )?;
    // A pool without a DeviceConfiguration tracks no devices.
    let plain = signed_in(ctx)?;
    ensure_eq(
        plain.tokens.get("NewDeviceMetadata"),
        None,
        "NewDeviceMetadata without DeviceConfiguration",
    )?;
    ensure_eq(
        device_claim(plain.access_token()?)?,
        None,
        "device_key without DeviceConfiguration",
    )
}

fn initiate_device_srp(ctx: &Ctx) -> Result<(), String> {
    let (account, key) = remembered(ctx)?;
    let out = device_start(ctx, &account, &key)?;
    ensure_eq(
        str_at(&out, "/ChallengeName")?,
        "DEVICE_SRP_AUTH",
        "ChallengeName",
    )?;
    str_at(&out, "/Session")?;
    ensure_eq(
        out.get("AuthenticationResult"),
        None,
        "AuthenticationResult",
    )
}

fn initiate_refresh_device_key(ctx: &Ctx) -> Result<(), String> {
    let (account, key) = tracked(ctx, false, false)?;
    // The refresh token of a device's sign-in works only with its device key.
    let message = ctx.call_err(
        "InitiateAuth",
        refresh_input(&account, json!({}))?,
        "NotAuthorizedException",
    )?;
    ensure_eq(message.as_str(), "Invalid Refresh Token", "message")?;
    let out = ctx.call(
        "InitiateAuth",
        refresh_input(&account, json!({"DEVICE_KEY": key}))?,
    )?;
    let result = at(&out, "/AuthenticationResult")?;
    ensure_eq(
        device_claim(str_at(result, "/AccessToken")?)?.as_deref(),
        Some(key.as_str()),
        "device_key of the refreshed access token",
    )?;
    ensure_eq(
        result.get("NewDeviceMetadata"),
        None,
        "NewDeviceMetadata of a refresh",
    )
}

fn initiate_forgotten_device(ctx: &Ctx) -> Result<(), String> {
    let (account, key) = tracked(ctx, false, false)?;
    confirm(ctx, account.access_token()?, &key, "laptop")?;
    ctx.call(
        "AdminForgetDevice",
        json!({
            "UserPoolId": account.pool.id,
            "Username": account.username,
            "DeviceKey": key,
        }),
    )?;
    // A client that still holds the key of a forgotten device is told so (the AWS SDKs
    // then sign in again without it).
    let message = ctx.call_err(
        "InitiateAuth",
        json!({
            "ClientId": account.client,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {
                "USERNAME": account.username,
                "PASSWORD": PASSWORD,
                "DEVICE_KEY": key,
            },
        }),
        "ResourceNotFoundException",
    )?;
    ensure_eq(message.as_str(), NO_DEVICE, "message")
}

/// Signs in from the remembered device `key` and answers `DEVICE_SRP_AUTH`; checks and
/// answers the `DEVICE_PASSWORD_VERIFIER` challenge.
fn device_verifier_challenge(ctx: &Ctx, account: &Account, key: &str) -> Result<Value, String> {
    let started = device_start(ctx, account, key)?;
    let out = ctx.call(
        "RespondToAuthChallenge",
        json!({
            "ClientId": account.client,
            "ChallengeName": "DEVICE_SRP_AUTH",
            "Session": str_at(&started, "/Session")?,
            "ChallengeResponses": {
                "USERNAME": account.username,
                "DEVICE_KEY": key,
                "SRP_A": srp_a(),
            },
        }),
    )?;
    ensure_eq(
        str_at(&out, "/ChallengeName")?,
        "DEVICE_PASSWORD_VERIFIER",
        "ChallengeName",
    )?;
    ensure_eq(
        out.get("AuthenticationResult"),
        None,
        "AuthenticationResult",
    )?;
    str_at(&out, "/Session")?;
    let params = at(&out, "/ChallengeParameters")?;
    let srp_b = str_at(params, "/SRP_B")?;
    ensure(matches("^[0-9a-f]{700,800}$", srp_b)?, || {
        format!("SRP_B {srp_b:?} is not a 3072-bit number in hex")
    })?;
    let salt = str_at(params, "/SALT")?;
    ensure(matches("^[0-9a-f]+$", salt)?, || {
        format!("SALT {salt:?} is not hex")
    })?;
    base64::engine::general_purpose::STANDARD
        .decode(str_at(params, "/SECRET_BLOCK")?)
        .map_err(|e| format!("SECRET_BLOCK is not base64: {e}"))?;
    ensure_eq(
        str_at(params, "/USERNAME")?,
        account.username.as_str(),
        "USERNAME",
    )?;
    ensure_eq(str_at(params, "/DEVICE_KEY")?, key, "DEVICE_KEY")?;
    Ok(out)
}

fn respond_device_srp(ctx: &Ctx) -> Result<(), String> {
    let (account, key) = remembered(ctx)?;
    device_verifier_challenge(ctx, &account, &key).map(drop)
}

fn respond_device_wrong_signature(ctx: &Ctx) -> Result<(), String> {
    let (account, key) = remembered(ctx)?;
    let challenge = device_verifier_challenge(ctx, &account, &key)?;
    let params = at(&challenge, "/ChallengeParameters")?;
    ctx.call_err(
        "RespondToAuthChallenge",
        json!({
            "ClientId": account.client,
            "ChallengeName": "DEVICE_PASSWORD_VERIFIER",
            "Session": str_at(&challenge, "/Session")?,
            "ChallengeResponses": {
                "USERNAME": account.username,
                "DEVICE_KEY": key,
                "PASSWORD_CLAIM_SECRET_BLOCK": str_at(params, "/SECRET_BLOCK")?,
                "TIMESTAMP": server_timestamp(ctx)?,
                // Well formed, but no proof of the device's secret.
                "PASSWORD_CLAIM_SIGNATURE":
                    base64::engine::general_purpose::STANDARD.encode([0u8; 32]),
            },
        }),
        "NotAuthorizedException",
    )
    .map(drop)
}

fn confirm_remembered_at_once(ctx: &Ctx) -> Result<(), String> {
    let (account, key) = tracked(ctx, false, false)?;
    let necessary = confirm(ctx, account.access_token()?, &key, "laptop")?;
    ensure_eq(necessary, false, "UserConfirmationNecessary")?;
    let device = get_device(ctx, account.access_token()?, &key)?;
    check_device(&device, &key, Some("laptop"), "remembered")
}

fn confirm_on_user_prompt(ctx: &Ctx) -> Result<(), String> {
    let (account, key) = tracked(ctx, false, true)?;
    let necessary = confirm(ctx, account.access_token()?, &key, "laptop")?;
    ensure_eq(necessary, true, "UserConfirmationNecessary")?;
    // Until the user says so, the device is not remembered.
    let device = get_device(ctx, account.access_token()?, &key)?;
    check_device(&device, &key, Some("laptop"), "not_remembered")
}

fn confirm_zero_verifier(ctx: &Ctx) -> Result<(), String> {
    let (account, key) = tracked(ctx, false, false)?;
    let b64 = base64::engine::general_purpose::STANDARD;
    // A verifier of zero would let anyone prove the device (RFC 5054: 0 < v < N).
    ctx.call_err(
        "ConfirmDevice",
        json!({
            "AccessToken": account.access_token()?,
            "DeviceKey": key,
            "DeviceName": "laptop",
            "DeviceSecretVerifierConfig": {
                "PasswordVerifier": b64.encode([0u8; 4]),
                "Salt": b64.encode([0x2c; 16]),
            },
        }),
        "InvalidParameterException",
    )?;
    // A good one confirms the same device afterwards.
    confirm(ctx, account.access_token()?, &key, "laptop").map(drop)
}

fn confirm_unknown_device(ctx: &Ctx) -> Result<(), String> {
    let (account, _) = tracked(ctx, false, false)?;
    no_device(
        ctx,
        "ConfirmDevice",
        json!({
            "AccessToken": account.access_token()?,
            "DeviceKey": UNKNOWN_DEVICE,
            "DeviceName": "laptop",
            "DeviceSecretVerifierConfig": verifier_config(),
        }),
    )
}

fn get_basic(ctx: &Ctx) -> Result<(), String> {
    let (account, key) = tracked(ctx, false, false)?;
    confirm(ctx, account.access_token()?, &key, "phone")?;
    let device = get_device(ctx, account.access_token()?, &key)?;
    check_device(&device, &key, Some("phone"), "remembered")?;
    no_device(
        ctx,
        "GetDevice",
        json!({"AccessToken": account.access_token()?, "DeviceKey": UNKNOWN_DEVICE}),
    )
}

fn admin_get_basic(ctx: &Ctx) -> Result<(), String> {
    let (account, key) = tracked(ctx, false, true)?;
    confirm(ctx, account.access_token()?, &key, "phone")?;
    let device = admin_get_device(ctx, &account, &key)?;
    check_device(&device, &key, Some("phone"), "not_remembered")?;
    no_device(
        ctx,
        "AdminGetDevice",
        json!({
            "UserPoolId": account.pool.id,
            "Username": account.username,
            "DeviceKey": UNKNOWN_DEVICE,
        }),
    )
}

/// `alice` with three devices, each from a sign-in that named none and confirmed
/// (`device-1` to `device-3`) with its own access token; answers the account (of the
/// last sign-in) and the device keys.
fn three_devices(ctx: &Ctx) -> Result<(Account, Vec<String>), String> {
    let (mut account, first) = tracked(ctx, false, false)?;
    confirm(ctx, account.access_token()?, &first, "device-1")?;
    let mut keys = vec![first];
    for n in 2..=3 {
        account.tokens = account.sign_in_again(ctx, PASSWORD)?;
        let key = new_device_key(&account.tokens, &account.pool.id)?;
        confirm(ctx, account.access_token()?, &key, &format!("device-{n}"))?;
        keys.push(key);
    }
    Ok((account, keys))
}

/// Pages through `op` (`ListDevices` or `AdminListDevices`) with `input`, [`PAGE`]
/// devices at a time; answers the pages.
fn device_pages(ctx: &Ctx, op: &str, input: &Value) -> Result<Vec<Vec<Value>>, String> {
    let mut pages = Vec::new();
    let mut token: Option<Value> = None;
    for _ in 0..10 {
        let mut request = input.clone();
        if let Some(o) = request.as_object_mut() {
            o.insert("Limit".into(), json!(PAGE));
            if let Some(t) = token.take() {
                o.insert("PaginationToken".into(), t);
            }
        }
        let out = ctx.call(op, request)?;
        let page = at(&out, "/Devices")?
            .as_array()
            .cloned()
            .ok_or_else(|| format!("Devices is not a list in {out}"))?;
        pages.push(page);
        match out.get("PaginationToken") {
            Some(t) => token = Some(t.clone()),
            None => return Ok(pages),
        }
    }
    Err(format!("{op}: still paging after 10 pages"))
}

/// Checks the pages of a listing of [`three_devices`]: a full first page, no page over
/// [`PAGE`], and each device once, remembered under its name; and that a listing with no
/// `Limit` has them all on one page.
fn check_listing(ctx: &Ctx, op: &str, input: &Value, keys: &[String]) -> Result<(), String> {
    let pages = device_pages(ctx, op, input)?;
    let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    ensure(
        sizes.first() == Some(&2) && sizes.iter().all(|&n| n <= 2),
        || format!("{op}: pages of {sizes:?} devices for a Limit of {PAGE}"),
    )?;
    let listed: Vec<&Value> = pages.iter().flatten().collect();
    ensure_eq(listed.len(), keys.len(), &format!("{op}: devices listed"))?;
    for (n, key) in keys.iter().enumerate() {
        let device = listed
            .iter()
            .find(|d| d.get("DeviceKey").and_then(Value::as_str) == Some(key))
            .ok_or_else(|| format!("{op}: device {key} is not listed"))?;
        let name = format!("device-{}", n + 1);
        check_device(device, key, Some(&name), "remembered")?;
    }
    let all = ctx.call(op, input.clone())?;
    ensure_eq(
        at(&all, "/Devices")?.as_array().map(Vec::len),
        Some(keys.len()),
        &format!("{op}: devices without a Limit"),
    )?;
    ensure_eq(
        all.get("PaginationToken"),
        None,
        &format!("{op}: PaginationToken without a Limit"),
    )
}

fn list_paging(ctx: &Ctx) -> Result<(), String> {
    let (account, keys) = three_devices(ctx)?;
    let input = json!({"AccessToken": account.access_token()?});
    check_listing(ctx, "ListDevices", &input, &keys)
}

fn admin_list_paging(ctx: &Ctx) -> Result<(), String> {
    let (account, keys) = three_devices(ctx)?;
    let input = json!({"UserPoolId": account.pool.id, "Username": account.username});
    check_listing(ctx, "AdminListDevices", &input, &keys)
}

fn update_basic(ctx: &Ctx) -> Result<(), String> {
    let (account, key) = tracked(ctx, false, true)?;
    let access = account.access_token()?;
    confirm(ctx, access, &key, "laptop")?;
    for status in ["remembered", "not_remembered"] {
        ctx.call(
            "UpdateDeviceStatus",
            json!({"AccessToken": access, "DeviceKey": key, "DeviceRememberedStatus": status}),
        )?;
        let device = get_device(ctx, access, &key)?;
        check_device(&device, &key, Some("laptop"), status)?;
    }
    no_device(
        ctx,
        "UpdateDeviceStatus",
        json!({
            "AccessToken": access,
            "DeviceKey": UNKNOWN_DEVICE,
            "DeviceRememberedStatus": "remembered",
        }),
    )
}

fn admin_update_basic(ctx: &Ctx) -> Result<(), String> {
    let (account, key) = tracked(ctx, false, true)?;
    confirm(ctx, account.access_token()?, &key, "laptop")?;
    let input = |key: &str, status: &str| {
        json!({
            "UserPoolId": account.pool.id,
            "Username": account.username,
            "DeviceKey": key,
            "DeviceRememberedStatus": status,
        })
    };
    for status in ["remembered", "not_remembered"] {
        ctx.call("AdminUpdateDeviceStatus", input(&key, status))?;
        let device = admin_get_device(ctx, &account, &key)?;
        check_device(&device, &key, Some("laptop"), status)?;
    }
    no_device(
        ctx,
        "AdminUpdateDeviceStatus",
        input(UNKNOWN_DEVICE, "remembered"),
    )
}

fn forget_basic(ctx: &Ctx) -> Result<(), String> {
    // Two devices: the user, on the second, forgets the first.
    let (first, forgotten) = tracked(ctx, false, false)?;
    confirm(ctx, first.access_token()?, &forgotten, "old laptop")?;
    let second = Account {
        tokens: first.sign_in_again(ctx, PASSWORD)?,
        pool: first.pool.clone(),
        client: first.client.clone(),
        username: first.username.clone(),
    };
    let kept = new_device_key(&second.tokens, &second.pool.id)?;
    let access = second.access_token()?;
    let input = json!({"AccessToken": access, "DeviceKey": forgotten});
    ctx.call("ForgetDevice", input.clone())?;
    no_device(
        ctx,
        "GetDevice",
        json!({"AccessToken": access, "DeviceKey": forgotten}),
    )?;
    let listed = ctx.call("ListDevices", json!({"AccessToken": access}))?;
    let keys: Vec<&str> = at(&listed, "/Devices")?
        .as_array()
        .map(|l| {
            l.iter()
                .filter_map(|d| d.get("DeviceKey").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    ensure_eq(keys, vec![kept.as_str()], "devices listed")?;
    // The forgotten device's sign-in can no longer be refreshed.
    ctx.call_err(
        "InitiateAuth",
        refresh_input(&first, json!({"DEVICE_KEY": forgotten}))?,
        "NotAuthorizedException",
    )?;
    no_device(ctx, "ForgetDevice", input)
}

fn admin_forget_basic(ctx: &Ctx) -> Result<(), String> {
    let (account, key) = tracked(ctx, false, false)?;
    confirm(ctx, account.access_token()?, &key, "laptop")?;
    let input = json!({
        "UserPoolId": account.pool.id,
        "Username": account.username,
        "DeviceKey": key,
    });
    ctx.call("AdminForgetDevice", input.clone())?;
    no_device(ctx, "AdminGetDevice", input.clone())?;
    let listed = ctx.call(
        "AdminListDevices",
        json!({"UserPoolId": account.pool.id, "Username": account.username}),
    )?;
    ensure_eq(
        at(&listed, "/Devices")?.as_array().map(Vec::len),
        Some(0),
        "devices listed",
    )?;
    ctx.call_err(
        "InitiateAuth",
        refresh_input(&account, json!({"DEVICE_KEY": key}))?,
        "NotAuthorizedException",
    )?;
    no_device(ctx, "AdminForgetDevice", input)
}
