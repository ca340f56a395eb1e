//! Scenarios of passkeys and choice-based sign-in: registering a passkey
//! (`StartWebAuthnRegistration`, then `CompleteWebAuthnRegistration` with the
//! authenticator's attestation), listing and deleting passkeys, and `USER_AUTH`:
//! `SELECT_CHALLENGE` with the first factors a user can use, a preferred `PASSWORD`, a
//! passkey's `WEB_AUTHN` challenge answered with an assertion, and a code by email
//! (`EMAIL_OTP`).
//!
//! The passkey is the harness's own software authenticator ([`crate::webauthn`]), on a
//! page at `http://localhost:3000`, for the relying party `localhost` that the pool's
//! `WebAuthnConfiguration` names. Email codes come from the emulator's test API
//! (`GET /_cognito/messages`), as in the other families.

use serde_json::{json, Value};

use super::self_service::last_code;
use super::sign_in::{check_tokens, signed_in_with, Account};
use super::users::PASSWORD;
use super::{at, ensure, ensure_eq, str_at, unique, Ctx, Scenario};
use crate::client::{error_name, expect_error, Request, Status};
use crate::webauthn::{b64url_decode, Authenticator, Ceremony, ORIGIN};

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        operation: "StartWebAuthnRegistration",
        name: "basic",
        run: start_basic,
    },
    Scenario {
        operation: "StartWebAuthnRegistration",
        name: "not-enabled",
        run: start_not_enabled,
    },
    Scenario {
        operation: "StartWebAuthnRegistration",
        name: "no-relying-party",
        run: start_no_relying_party,
    },
    Scenario {
        operation: "CompleteWebAuthnRegistration",
        name: "basic",
        run: complete_basic,
    },
    Scenario {
        operation: "CompleteWebAuthnRegistration",
        name: "wrong-origin",
        run: complete_wrong_origin,
    },
    Scenario {
        operation: "CompleteWebAuthnRegistration",
        name: "wrong-challenge",
        run: complete_wrong_challenge,
    },
    Scenario {
        operation: "CompleteWebAuthnRegistration",
        name: "wrong-rp",
        run: complete_wrong_rp,
    },
    Scenario {
        operation: "ListWebAuthnCredentials",
        name: "basic",
        run: list_basic,
    },
    Scenario {
        operation: "DeleteWebAuthnCredential",
        name: "basic",
        run: delete_basic,
    },
    Scenario {
        operation: "InitiateAuth",
        name: "user-auth-select",
        run: initiate_select,
    },
    Scenario {
        operation: "InitiateAuth",
        name: "user-auth-password",
        run: initiate_password,
    },
    Scenario {
        operation: "InitiateAuth",
        name: "user-auth-web-authn",
        run: initiate_web_authn,
    },
    Scenario {
        operation: "RespondToAuthChallenge",
        name: "web-authn",
        run: respond_web_authn,
    },
    Scenario {
        operation: "RespondToAuthChallenge",
        name: "web-authn-replayed",
        run: respond_web_authn_replayed,
    },
    Scenario {
        operation: "RespondToAuthChallenge",
        name: "select-challenge-email-otp",
        run: respond_select_email_otp,
    },
];

/// The relying party of every passkey pool here.
const RP_ID: &str = "localhost";

/// The flows a passkey pool's app client allows.
const FLOWS: [&str; 3] = [
    "ALLOW_USER_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
];

/// Cognito's message for a wrong one-time code.
const CODE_MISMATCH: &str = "Invalid code or auth state for the user.";

/// `alice`, with a verified email address, signed in by password to a new pool whose
/// users may sign in first with any of `factors`, through an app client that allows
/// `USER_AUTH`. With `relying_party`, the pool's `WebAuthnConfiguration` names
/// [`RP_ID`].
fn account_with(ctx: &Ctx, factors: &[&str], relying_party: bool) -> Result<Account, String> {
    let account = signed_in_with(
        ctx,
        json!({
            "UserPoolTier": "ESSENTIALS",
            "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": factors}},
        }),
        json!({"ExplicitAuthFlows": FLOWS}),
        json!({"email": "alice@example.com", "email_verified": "true"}),
    )?;
    if relying_party {
        ctx.call(
            "SetUserPoolMfaConfig",
            json!({
                "UserPoolId": account.pool.id,
                "MfaConfiguration": "OFF",
                "WebAuthnConfiguration": {"RelyingPartyId": RP_ID},
            }),
        )?;
    }
    Ok(account)
}

/// [`account_with`] passwords, passkeys and email codes, and the relying party.
fn passkey_account(ctx: &Ctx) -> Result<Account, String> {
    account_with(ctx, &["PASSWORD", "WEB_AUTHN", "EMAIL_OTP"], true)
}

/// A fresh authenticator, its credential unlike any other of this run.
fn authenticator() -> Result<Authenticator, String> {
    Authenticator::new(&unique("passkey"))
}

/// Starts a registration; returns the `CredentialCreationOptions` and its challenge.
fn start(ctx: &Ctx, access: &str) -> Result<(Value, Vec<u8>), String> {
    let out = ctx.call("StartWebAuthnRegistration", json!({"AccessToken": access}))?;
    let options = at(&out, "/CredentialCreationOptions")?.clone();
    let challenge = b64url_decode(str_at(&options, "/challenge")?)?;
    Ok((options, challenge))
}

/// The input of `CompleteWebAuthnRegistration` with `credential`.
fn complete_input(access: &str, credential: Value) -> Value {
    json!({"AccessToken": access, "Credential": credential})
}

/// Registers `passkey` for the account's user.
fn register(ctx: &Ctx, account: &Account, passkey: &Authenticator) -> Result<(), String> {
    let access = account.access_token()?;
    let (_, challenge) = start(ctx, access)?;
    let credential = passkey.register(&Ceremony {
        rp_id: RP_ID,
        origin: ORIGIN,
        challenge: &challenge,
    })?;
    let out = ctx.call(
        "CompleteWebAuthnRegistration",
        complete_input(access, credential),
    )?;
    ensure_eq(out, json!({}), "CompleteWebAuthnRegistration answer")
}

/// The `id`s of a list of credential descriptors (`excludeCredentials`,
/// `allowCredentials`), each checked to be of type `public-key`.
fn descriptor_ids(list: &Value) -> Result<Vec<String>, String> {
    let items = list
        .as_array()
        .ok_or_else(|| format!("{list} is not a list of credentials"))?;
    items
        .iter()
        .map(|d| {
            ensure_eq(str_at(d, "/type")?, "public-key", "a credential's type")?;
            str_at(d, "/id").map(str::to_string)
        })
        .collect()
}

/// Calls `op` and requires one of the modeled errors `errors`, as the server chooses;
/// returns the one it answered.
fn call_err_any(ctx: &Ctx, op: &str, input: Value, errors: &[&str]) -> Result<String, String> {
    let operation = ctx.schema.operation(op)?;
    if let Some(e) = errors
        .iter()
        .find(|e| !operation.errors.iter().any(|d| d == *e))
    {
        return Err(format!("scenario bug: {op} does not declare {e}"));
    }
    let r = ctx.send(&Request::new(op, operation.signed, input.to_string()))?;
    let body = r.json().unwrap_or_default();
    let answered = body
        .get("__type")
        .and_then(Value::as_str)
        .map(error_name)
        .unwrap_or_default();
    let Some(error) = errors.iter().find(|e| **e == answered) else {
        return Err(format!("{op}: expected one of {errors:?}, got {r}"));
    };
    expect_error(&r, error, Status::Client).map_err(|e| format!("{op}: {e}"))?;
    Ok(error.to_string())
}

fn start_basic(ctx: &Ctx) -> Result<(), String> {
    let account = passkey_account(ctx)?;
    let (options, challenge) = start(ctx, account.access_token()?)?;
    ensure_eq(str_at(&options, "/rp/id")?, RP_ID, "rp.id")?;
    ensure(challenge.len() >= 16, || {
        format!("a challenge of {} bytes, fewer than 16", challenge.len())
    })?;
    let user_id = b64url_decode(str_at(&options, "/user/id")?)?;
    ensure(!user_id.is_empty(), || "user.id is empty".to_string())?;
    str_at(&options, "/user/name")?;
    let params = at(&options, "/pubKeyCredParams")?
        .as_array()
        .ok_or("pubKeyCredParams is not a list")?;
    ensure(
        params.iter().any(|p| {
            p.get("alg") == Some(&json!(-7)) && p.get("type") == Some(&json!("public-key"))
        }),
        || format!("pubKeyCredParams {params:?} lacks ES256 (-7)"),
    )?;
    let verification = str_at(&options, "/authenticatorSelection/userVerification")?;
    ensure(
        ["required", "preferred", "discouraged"].contains(&verification),
        || format!("userVerification {verification:?} is no UserVerificationRequirement"),
    )?;
    // A new user has nothing to exclude; every start has a challenge of its own.
    let excluded = options
        .get("excludeCredentials")
        .cloned()
        .unwrap_or(json!([]));
    ensure_eq(descriptor_ids(&excluded)?, Vec::new(), "excludeCredentials")?;
    let (_, again) = start(ctx, account.access_token()?)?;
    ensure(again != challenge, || {
        "two starts gave one challenge".into()
    })
}

fn start_not_enabled(ctx: &Ctx) -> Result<(), String> {
    // A relying party, but passkeys are no first factor.
    let account = account_with(ctx, &["PASSWORD", "EMAIL_OTP"], true)?;
    ctx.call_err(
        "StartWebAuthnRegistration",
        json!({"AccessToken": account.access_token()?}),
        "WebAuthnNotEnabledException",
    )
    .map(drop)
}

fn start_no_relying_party(ctx: &Ctx) -> Result<(), String> {
    // Passkeys are a first factor, but the pool has neither a relying party nor a domain.
    let account = account_with(ctx, &["PASSWORD", "WEB_AUTHN"], false)?;
    ctx.call_err(
        "StartWebAuthnRegistration",
        json!({"AccessToken": account.access_token()?}),
        "WebAuthnConfigurationMissingException",
    )
    .map(drop)
}

fn complete_basic(ctx: &Ctx) -> Result<(), String> {
    let account = passkey_account(ctx)?;
    let passkey = authenticator()?;
    register(ctx, &account, &passkey)?;
    // The next registration must not make a second credential on the same
    // authenticator.
    let (options, _) = start(ctx, account.access_token()?)?;
    ensure_eq(
        descriptor_ids(at(&options, "/excludeCredentials")?)?,
        vec![passkey.credential_id()],
        "excludeCredentials after a registration",
    )
}

/// Starts a registration and completes it with a credential made for `ceremony`'s
/// changes; requires one of `errors`.
fn complete_refused(
    ctx: &Ctx,
    change: impl FnOnce(Ceremony) -> Ceremony,
    errors: &[&str],
) -> Result<(), String> {
    let account = passkey_account(ctx)?;
    let access = account.access_token()?;
    let (_, challenge) = start(ctx, access)?;
    let ceremony = change(Ceremony {
        rp_id: RP_ID,
        origin: ORIGIN,
        challenge: &challenge,
    });
    let credential = authenticator()?.register(&ceremony)?;
    call_err_any(
        ctx,
        "CompleteWebAuthnRegistration",
        complete_input(access, credential),
        errors,
    )?;
    // Nothing was registered.
    let out = ctx.call("ListWebAuthnCredentials", json!({"AccessToken": access}))?;
    ensure_eq(at(&out, "/Credentials")?, &json!([]), "Credentials")
}

fn complete_wrong_origin(ctx: &Ctx) -> Result<(), String> {
    complete_refused(
        ctx,
        |c| Ceremony {
            origin: "https://evil.example",
            ..c
        },
        &["WebAuthnOriginNotAllowedException"],
    )
}

fn complete_wrong_challenge(ctx: &Ctx) -> Result<(), String> {
    complete_refused(
        ctx,
        |c| Ceremony {
            challenge: b"a challenge the server never gave",
            ..c
        },
        &[
            "WebAuthnChallengeNotFoundException",
            "WebAuthnClientMismatchException",
        ],
    )
}

fn complete_wrong_rp(ctx: &Ctx) -> Result<(), String> {
    complete_refused(
        ctx,
        |c| Ceremony {
            rp_id: "evil.example",
            ..c
        },
        &["WebAuthnRelyingPartyMismatchException"],
    )
}

fn list_basic(ctx: &Ctx) -> Result<(), String> {
    let account = passkey_account(ctx)?;
    let access = account.access_token()?;
    let out = ctx.call("ListWebAuthnCredentials", json!({"AccessToken": access}))?;
    ensure_eq(at(&out, "/Credentials")?, &json!([]), "Credentials before")?;

    let passkeys = [authenticator()?, authenticator()?];
    for p in &passkeys {
        register(ctx, &account, p)?;
    }
    let mut want: Vec<String> = passkeys.iter().map(Authenticator::credential_id).collect();
    want.sort();
    let ids = |items: &[Value]| -> Result<Vec<String>, String> {
        let mut ids = items
            .iter()
            .map(|c| str_at(c, "/CredentialId").map(str::to_string))
            .collect::<Result<Vec<_>, _>>()?;
        ids.sort();
        Ok(ids)
    };

    let out = ctx.call("ListWebAuthnCredentials", json!({"AccessToken": access}))?;
    ensure_eq(out.get("NextToken"), None, "NextToken of the whole list")?;
    let all = at(&out, "/Credentials")?
        .as_array()
        .cloned()
        .unwrap_or_default();
    ensure_eq(ids(&all)?, want.clone(), "CredentialIds")?;
    for c in &all {
        ensure_eq(str_at(c, "/RelyingPartyId")?, RP_ID, "RelyingPartyId")?;
        let name = str_at(c, "/FriendlyCredentialName")?;
        ensure(!name.is_empty(), || {
            "an empty FriendlyCredentialName".into()
        })?;
        ensure(at(c, "/CreatedAt")?.is_number(), || {
            format!("CreatedAt is not a number in {c}")
        })?;
    }

    // One at a time.
    let first = ctx.call(
        "ListWebAuthnCredentials",
        json!({"AccessToken": access, "MaxResults": 1}),
    )?;
    let token = str_at(&first, "/NextToken")?;
    let second = ctx.call(
        "ListWebAuthnCredentials",
        json!({"AccessToken": access, "MaxResults": 1, "NextToken": token}),
    )?;
    ensure_eq(second.get("NextToken"), None, "NextToken of the last page")?;
    let mut paged = Vec::new();
    for page in [&first, &second] {
        let items = at(page, "/Credentials")?
            .as_array()
            .cloned()
            .unwrap_or_default();
        ensure_eq(items.len(), 1, "credentials on a page of MaxResults 1")?;
        paged.extend(items);
    }
    ensure_eq(ids(&paged)?, want, "CredentialIds paged one at a time")
}

fn delete_basic(ctx: &Ctx) -> Result<(), String> {
    let account = passkey_account(ctx)?;
    let access = account.access_token()?;
    let passkey = authenticator()?;
    register(ctx, &account, &passkey)?;
    let delete = |id: &str| json!({"AccessToken": access, "CredentialId": id});
    let out = ctx.call("DeleteWebAuthnCredential", delete(&passkey.credential_id()))?;
    ensure_eq(out, json!({}), "DeleteWebAuthnCredential answer")?;
    let out = ctx.call("ListWebAuthnCredentials", json!({"AccessToken": access}))?;
    ensure_eq(at(&out, "/Credentials")?, &json!([]), "Credentials after")?;
    // Deleted already, and one that never was.
    ctx.call_err(
        "DeleteWebAuthnCredential",
        delete(&passkey.credential_id()),
        "ResourceNotFoundException",
    )?;
    ctx.call_err(
        "DeleteWebAuthnCredential",
        delete(&authenticator()?.credential_id()),
        "ResourceNotFoundException",
    )
    .map(drop)
}

/// `InitiateAuth` with `USER_AUTH` for `alice`, with `parameters` besides `USERNAME`.
fn user_auth(ctx: &Ctx, client: &str, parameters: Value) -> Result<Value, String> {
    let mut all = json!({"USERNAME": "alice"});
    if let (Some(a), Some(p)) = (all.as_object_mut(), parameters.as_object()) {
        a.extend(p.clone());
    }
    ctx.call(
        "InitiateAuth",
        json!({"ClientId": client, "AuthFlow": "USER_AUTH", "AuthParameters": all}),
    )
}

/// The `AvailableChallenges` of a `SELECT_CHALLENGE` answer; returns them and its
/// session.
fn select_challenge(out: &Value) -> Result<(Vec<String>, String), String> {
    ensure_eq(
        str_at(out, "/ChallengeName")?,
        "SELECT_CHALLENGE",
        "ChallengeName",
    )?;
    ensure_eq(
        out.get("AuthenticationResult"),
        None,
        "AuthenticationResult",
    )?;
    let available = at(out, "/AvailableChallenges")?
        .as_array()
        .ok_or("AvailableChallenges is not a list")?
        .iter()
        .map(|c| c.as_str().map(str::to_string).ok_or("not a string"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((available, str_at(out, "/Session")?.to_string()))
}

fn initiate_select(ctx: &Ctx) -> Result<(), String> {
    let account = passkey_account(ctx)?;
    let (available, _) = select_challenge(&user_auth(ctx, &account.client, json!({}))?)?;
    // A password, and a verified email address to receive codes at; no passkey yet.
    for factor in ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"] {
        ensure(available.iter().any(|a| a == factor), || {
            format!("AvailableChallenges {available:?} lack {factor}")
        })?;
    }
    ensure(!available.iter().any(|a| a == "WEB_AUTHN"), || {
        format!("AvailableChallenges {available:?} offer WEB_AUTHN to a user without passkeys")
    })?;

    register(ctx, &account, &authenticator()?)?;
    let (available, _) = select_challenge(&user_auth(ctx, &account.client, json!({}))?)?;
    for factor in ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "WEB_AUTHN"] {
        ensure(available.iter().any(|a| a == factor), || {
            format!("AvailableChallenges {available:?} lack {factor} with a passkey")
        })?;
    }
    Ok(())
}

fn initiate_password(ctx: &Ctx) -> Result<(), String> {
    let account = passkey_account(ctx)?;
    let out = user_auth(
        ctx,
        &account.client,
        json!({"PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD}),
    )?;
    ensure_eq(out.get("ChallengeName"), None, "ChallengeName")?;
    check_tokens(
        at(&out, "/AuthenticationResult")?,
        &account.pool.id,
        &account.client,
        "alice",
    )
}

/// A `WEB_AUTHN` challenge: its `CREDENTIAL_REQUEST_OPTIONS` (checked for the relying
/// party and `passkey`), their challenge, and the session.
fn web_authn_challenge(
    ctx: &Ctx,
    account: &Account,
    passkey: &Authenticator,
) -> Result<(Value, Vec<u8>, String), String> {
    let out = user_auth(
        ctx,
        &account.client,
        json!({"PREFERRED_CHALLENGE": "WEB_AUTHN"}),
    )?;
    ensure_eq(
        str_at(&out, "/ChallengeName")?,
        "WEB_AUTHN",
        "ChallengeName",
    )?;
    let text = str_at(&out, "/ChallengeParameters/CREDENTIAL_REQUEST_OPTIONS")?;
    let options: Value = serde_json::from_str(text)
        .map_err(|e| format!("CREDENTIAL_REQUEST_OPTIONS is not JSON ({e}): {text}"))?;
    ensure_eq(str_at(&options, "/rpId")?, RP_ID, "rpId")?;
    let challenge = b64url_decode(str_at(&options, "/challenge")?)?;
    ensure(challenge.len() >= 16, || {
        format!("a challenge of {} bytes, fewer than 16", challenge.len())
    })?;
    ensure_eq(
        descriptor_ids(at(&options, "/allowCredentials")?)?,
        vec![passkey.credential_id()],
        "allowCredentials",
    )?;
    let session = str_at(&out, "/Session")?.to_string();
    Ok((options, challenge, session))
}

fn initiate_web_authn(ctx: &Ctx) -> Result<(), String> {
    let account = passkey_account(ctx)?;
    let passkey = authenticator()?;
    register(ctx, &account, &passkey)?;
    let (_, first, _) = web_authn_challenge(ctx, &account, &passkey)?;
    let (_, second, _) = web_authn_challenge(ctx, &account, &passkey)?;
    ensure(first != second, || "two sign-ins gave one challenge".into())
}

/// The answer to a `WEB_AUTHN` challenge with `credential`.
fn web_authn_answer(account: &Account, session: &str, credential: &Value) -> Value {
    json!({
        "ClientId": account.client,
        "ChallengeName": "WEB_AUTHN",
        "Session": session,
        "ChallengeResponses": {"USERNAME": "alice", "CREDENTIAL": credential.to_string()},
    })
}

/// Signs `alice` in with `passkey`; returns the assertion it made.
fn passkey_sign_in(
    ctx: &Ctx,
    account: &Account,
    passkey: &mut Authenticator,
) -> Result<Value, String> {
    let (_, challenge, session) = web_authn_challenge(ctx, account, passkey)?;
    let assertion = passkey.assert(&Ceremony {
        rp_id: RP_ID,
        origin: ORIGIN,
        challenge: &challenge,
    })?;
    let out = ctx.call(
        "RespondToAuthChallenge",
        web_authn_answer(account, &session, &assertion),
    )?;
    ensure_eq(out.get("ChallengeName"), None, "ChallengeName")?;
    check_tokens(
        at(&out, "/AuthenticationResult")?,
        &account.pool.id,
        &account.client,
        "alice",
    )?;
    Ok(assertion)
}

fn respond_web_authn(ctx: &Ctx) -> Result<(), String> {
    let account = passkey_account(ctx)?;
    let mut passkey = authenticator()?;
    register(ctx, &account, &passkey)?;
    passkey_sign_in(ctx, &account, &mut passkey)?;
    // The counter goes on from the stored one.
    passkey_sign_in(ctx, &account, &mut passkey)?;

    // A clone of the authenticator signs a fresh challenge with a counter the server
    // has seen.
    let seen = passkey.sign_count();
    passkey.set_sign_count(seen.saturating_sub(1));
    let (_, challenge, session) = web_authn_challenge(ctx, &account, &passkey)?;
    let assertion = passkey.assert(&Ceremony {
        rp_id: RP_ID,
        origin: ORIGIN,
        challenge: &challenge,
    })?;
    ensure_eq(passkey.sign_count(), seen, "the clone's counter")?;
    ctx.call_err(
        "RespondToAuthChallenge",
        web_authn_answer(&account, &session, &assertion),
        "NotAuthorizedException",
    )
    .map(drop)
}

fn respond_web_authn_replayed(ctx: &Ctx) -> Result<(), String> {
    let account = passkey_account(ctx)?;
    let mut passkey = authenticator()?;
    register(ctx, &account, &passkey)?;
    let used = passkey_sign_in(ctx, &account, &mut passkey)?;
    // The same assertion, word for word, for another sign-in's challenge.
    let (_, _, session) = web_authn_challenge(ctx, &account, &passkey)?;
    ctx.call_err(
        "RespondToAuthChallenge",
        web_authn_answer(&account, &session, &used),
        "NotAuthorizedException",
    )
    .map(drop)
}

fn respond_select_email_otp(ctx: &Ctx) -> Result<(), String> {
    let account = passkey_account(ctx)?;
    let (available, session) = select_challenge(&user_auth(ctx, &account.client, json!({}))?)?;
    ensure(available.iter().any(|a| a == "EMAIL_OTP"), || {
        format!("AvailableChallenges {available:?} lack EMAIL_OTP")
    })?;
    let out = ctx.call(
        "RespondToAuthChallenge",
        json!({
            "ClientId": account.client,
            "ChallengeName": "SELECT_CHALLENGE",
            "Session": session,
            "ChallengeResponses": {"USERNAME": "alice", "ANSWER": "EMAIL_OTP"},
        }),
    )?;
    ensure_eq(
        str_at(&out, "/ChallengeName")?,
        "EMAIL_OTP",
        "ChallengeName",
    )?;
    ensure_eq(
        str_at(&out, "/ChallengeParameters/CODE_DELIVERY_DELIVERY_MEDIUM")?,
        "EMAIL",
        "CODE_DELIVERY_DELIVERY_MEDIUM",
    )?;
    ensure_eq(
        str_at(&out, "/ChallengeParameters/CODE_DELIVERY_DESTINATION")?,
        "a***@e***",
        "CODE_DELIVERY_DESTINATION",
    )?;
    let session = str_at(&out, "/Session")?;
    let code = last_code(ctx, &account.pool.id, "alice")?;
    let wrong: String = code
        .chars()
        .map(|c| if c == '0' { '1' } else { '0' })
        .collect();
    let respond = |code: &str| {
        json!({
            "ClientId": account.client,
            "ChallengeName": "EMAIL_OTP",
            "Session": session,
            "ChallengeResponses": {"USERNAME": "alice", "EMAIL_OTP_CODE": code},
        })
    };
    let message = ctx.call_err(
        "RespondToAuthChallenge",
        respond(&wrong),
        "CodeMismatchException",
    )?;
    ensure_eq(message.as_str(), CODE_MISMATCH, "message")?;
    // The right code, on the same session.
    let out = ctx.call("RespondToAuthChallenge", respond(&code))?;
    ensure_eq(out.get("ChallengeName"), None, "ChallengeName")?;
    check_tokens(
        at(&out, "/AuthenticationResult")?,
        &account.pool.id,
        &account.client,
        "alice",
    )
}
