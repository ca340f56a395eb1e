//! Scenarios of a user's sign-in sessions, which a pool tracks once
//! `SetUserPoolSessionConfiguration` turns tracking on: listing and revoking them, as the
//! user and as an administrator.

use serde_json::{json, Value};

use super::sign_in::{app_client, confirmed_user, password_sign_in, Account};
use super::users::PASSWORD;
use super::{at, create_pool, ensure, ensure_eq, matches, str_at, Ctx, Scenario};

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        operation: "ListUserSessions",
        name: "basic",
        run: list_basic,
    },
    Scenario {
        operation: "ListUserSessions",
        name: "tracking-off",
        run: list_tracking_off,
    },
    Scenario {
        operation: "AdminListUserSessions",
        name: "basic",
        run: admin_list_basic,
    },
    Scenario {
        operation: "AdminListUserSessions",
        name: "tracking-off",
        run: admin_list_tracking_off,
    },
    Scenario {
        operation: "RevokeUserSession",
        name: "basic",
        run: revoke_basic,
    },
    Scenario {
        operation: "RevokeUserSession",
        name: "current-session",
        run: revoke_current,
    },
    Scenario {
        operation: "RevokeUserSession",
        name: "unknown-session",
        run: revoke_unknown,
    },
    Scenario {
        operation: "AdminRevokeUserSession",
        name: "basic",
        run: admin_revoke_basic,
    },
    Scenario {
        operation: "AdminRevokeUserSession",
        name: "other-user",
        run: admin_revoke_other_user,
    },
];

/// A session id as Cognito writes a token session's.
const SESSION_ID: &str = "^tkn[a-z0-9]{25}$";

/// A well-formed session id no session has.
const UNKNOWN_SESSION: &str = "tkn0000000000000000000000000";

/// `alice` signed in twice, in a pool whose session tracking is `tracking`; returns the
/// first sign-in and the tokens of the second.
fn signed_in_twice(ctx: &Ctx, tracking: &str) -> Result<(Account, Value), String> {
    let pool = create_pool(ctx)?;
    ctx.call(
        "SetUserPoolSessionConfiguration",
        json!({
            "UserPoolId": pool.id,
            "UserSessionTracking": tracking,
            "TokenSession": {"MaxPerUser": 20},
        }),
    )?;
    let client = app_client(ctx, &pool.id, json!({}))?;
    confirmed_user(ctx, &pool.id, "alice", json!({}))?;
    let first = password_sign_in(ctx, &client, "alice", PASSWORD)?;
    let second = password_sign_in(ctx, &client, "alice", PASSWORD)?;
    let account = Account {
        pool,
        client,
        username: "alice".to_string(),
        tokens: first,
    };
    Ok((account, second))
}

/// The sessions `ListUserSessions` lists for `access_token`.
fn own_sessions(ctx: &Ctx, access_token: &str) -> Result<Vec<Value>, String> {
    let out = ctx.call("ListUserSessions", json!({"AccessToken": access_token}))?;
    sessions_of(&out)
}

fn admin_sessions(ctx: &Ctx, pool: &str, username: &str) -> Result<Vec<Value>, String> {
    let out = ctx.call(
        "AdminListUserSessions",
        json!({"UserPoolId": pool, "Username": username}),
    )?;
    sessions_of(&out)
}

fn sessions_of(out: &Value) -> Result<Vec<Value>, String> {
    at(out, "/Sessions")?
        .as_array()
        .cloned()
        .ok_or_else(|| format!("Sessions is not a list in {out}"))
}

/// Checks what every listed session of `client` shows.
fn check_session(session: &Value, client: &str) -> Result<(), String> {
    let id = str_at(session, "/SessionId")?;
    ensure(matches(SESSION_ID, id)?, || {
        format!("SessionId {id:?} is not a token session's id")
    })?;
    ensure_eq(str_at(session, "/ClientId")?, client, "ClientId")?;
    ensure_eq(str_at(session, "/SessionType")?, "TOKEN", "SessionType")?;
    ensure(at(session, "/CreateDate")?.is_number(), || {
        format!("CreateDate is not a number in {session}")
    })?;
    ensure_eq(session.get("OriginSessionId"), None, "OriginSessionId")
}

/// The id of the one session `pick` selects.
fn session_id(sessions: &[Value], pick: impl Fn(&Value) -> bool) -> Result<String, String> {
    let picked: Vec<&Value> = sessions.iter().filter(|s| pick(s)).collect();
    match picked.as_slice() {
        [one] => str_at(one, "/SessionId").map(str::to_string),
        _ => Err(format!("expected one such session in {sessions:?}")),
    }
}

fn is_current(session: &Value) -> bool {
    session.get("IsCurrentSession") == Some(&json!(true))
}

fn list_basic(ctx: &Ctx) -> Result<(), String> {
    let (account, second) = signed_in_twice(ctx, "ENABLED")?;
    let sessions = own_sessions(ctx, str_at(&second, "/AccessToken")?)?;
    ensure_eq(sessions.len(), 2, "sessions")?;
    for s in &sessions {
        check_session(s, &account.client)?;
    }
    let current = session_id(&sessions, is_current)?;
    let other = session_id(&sessions, |s| !is_current(s))?;
    ensure(current != other, || "two sessions share an id".to_string())?;
    // The first sign-in's token sees the same sessions, the other one current.
    let seen = own_sessions(ctx, account.access_token()?)?;
    ensure_eq(
        session_id(&seen, is_current)?,
        other.clone(),
        "the first sign-in's session",
    )?;
    // A refresh stays in its session.
    let refreshed = ctx.call(
        "GetTokensFromRefreshToken",
        json!({"ClientId": account.client, "RefreshToken": account.refresh_token()?}),
    )?;
    let access = str_at(&refreshed, "/AuthenticationResult/AccessToken")?;
    let seen = own_sessions(ctx, access)?;
    ensure_eq(seen.len(), 2, "sessions after a refresh")?;
    ensure_eq(
        session_id(&seen, is_current)?,
        other,
        "the refreshed session",
    )
}

fn list_tracking_off(ctx: &Ctx) -> Result<(), String> {
    let (account, _) = signed_in_twice(ctx, "DISABLED")?;
    ctx.call_err(
        "ListUserSessions",
        json!({"AccessToken": account.access_token()?}),
        "OperationNotEnabledException",
    )
    .map(drop)
}

fn admin_list_basic(ctx: &Ctx) -> Result<(), String> {
    let (account, second) = signed_in_twice(ctx, "ENABLED")?;
    let sessions = admin_sessions(ctx, &account.pool.id, "alice")?;
    ensure_eq(sessions.len(), 2, "sessions")?;
    for s in &sessions {
        check_session(s, &account.client)?;
        // No access token, so no session is the caller's.
        ensure_eq(
            s.get("IsCurrentSession"),
            Some(&json!(false)),
            "IsCurrentSession",
        )?;
    }
    // A revoked sign-in is no longer an active session.
    ctx.call(
        "RevokeToken",
        json!({"ClientId": account.client, "Token": str_at(&second, "/RefreshToken")?}),
    )?;
    let left = admin_sessions(ctx, &account.pool.id, "alice")?;
    ensure_eq(left.len(), 1, "sessions after a revocation")?;
    ctx.call_err(
        "AdminListUserSessions",
        json!({"UserPoolId": account.pool.id, "Username": "nobody"}),
        "UserNotFoundException",
    )
    .map(drop)
}

fn admin_list_tracking_off(ctx: &Ctx) -> Result<(), String> {
    let (account, _) = signed_in_twice(ctx, "DISABLED")?;
    ctx.call_err(
        "AdminListUserSessions",
        json!({"UserPoolId": account.pool.id, "Username": "alice"}),
        "OperationNotEnabledException",
    )
    .map(drop)
}

fn revoke_basic(ctx: &Ctx) -> Result<(), String> {
    let (account, second) = signed_in_twice(ctx, "ENABLED")?;
    let access = account.access_token()?;
    let sessions = own_sessions(ctx, access)?;
    let other = session_id(&sessions, |s| !is_current(s))?;
    let out = ctx.call(
        "RevokeUserSession",
        json!({"AccessToken": access, "SessionId": other}),
    )?;
    ensure_eq(&out, &json!({}), "RevokeUserSession answer")?;
    // The other sign-in's tokens stop working; this one's go on.
    ctx.call_err(
        "GetUser",
        json!({"AccessToken": str_at(&second, "/AccessToken")?}),
        "NotAuthorizedException",
    )?;
    ctx.call_err(
        "GetTokensFromRefreshToken",
        json!({"ClientId": account.client, "RefreshToken": str_at(&second, "/RefreshToken")?}),
        "NotAuthorizedException",
    )?;
    let left = own_sessions(ctx, access)?;
    ensure_eq(left.len(), 1, "sessions after the revocation")?;
    ensure(left.iter().all(is_current), || {
        format!("the session left is not the current one: {left:?}")
    })?;
    // A revoked session is gone.
    ctx.call_err(
        "RevokeUserSession",
        json!({"AccessToken": access, "SessionId": other}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn revoke_current(ctx: &Ctx) -> Result<(), String> {
    let (account, _) = signed_in_twice(ctx, "ENABLED")?;
    let access = account.access_token()?;
    let current = session_id(&own_sessions(ctx, access)?, is_current)?;
    ctx.call_err(
        "RevokeUserSession",
        json!({"AccessToken": access, "SessionId": current}),
        "InvalidParameterException",
    )?;
    ensure_eq(own_sessions(ctx, access)?.len(), 2, "sessions").map(drop)
}

fn revoke_unknown(ctx: &Ctx) -> Result<(), String> {
    let (account, _) = signed_in_twice(ctx, "ENABLED")?;
    ctx.call_err(
        "RevokeUserSession",
        json!({"AccessToken": account.access_token()?, "SessionId": UNKNOWN_SESSION}),
        "ResourceNotFoundException",
    )
    .map(drop)
}

fn admin_revoke_basic(ctx: &Ctx) -> Result<(), String> {
    let (account, second) = signed_in_twice(ctx, "ENABLED")?;
    let sessions = own_sessions(ctx, account.access_token()?)?;
    let current = session_id(&sessions, is_current)?;
    let out = ctx.call(
        "AdminRevokeUserSession",
        json!({"UserPoolId": account.pool.id, "Username": "alice", "SessionId": current}),
    )?;
    ensure_eq(&out, &json!({}), "AdminRevokeUserSession answer")?;
    ctx.call_err(
        "GetUser",
        json!({"AccessToken": account.access_token()?}),
        "NotAuthorizedException",
    )?;
    ctx.call(
        "GetUser",
        json!({"AccessToken": str_at(&second, "/AccessToken")?}),
    )?;
    let left = admin_sessions(ctx, &account.pool.id, "alice")?;
    ensure_eq(left.len(), 1, "sessions after the revocation")?;
    let kept = session_id(&left, |_| true)?;
    ensure(kept != current, || {
        "the revoked session is still listed".to_string()
    })
}

fn admin_revoke_other_user(ctx: &Ctx) -> Result<(), String> {
    let (account, _) = signed_in_twice(ctx, "ENABLED")?;
    confirmed_user(ctx, &account.pool.id, "bob", json!({}))?;
    let session = session_id(&own_sessions(ctx, account.access_token()?)?, is_current)?;
    // The username must be the session's owner.
    ctx.call_err(
        "AdminRevokeUserSession",
        json!({"UserPoolId": account.pool.id, "Username": "bob", "SessionId": session}),
        "ResourceNotFoundException",
    )?;
    ensure_eq(
        admin_sessions(ctx, &account.pool.id, "alice")?.len(),
        2,
        "alice's sessions",
    )
}
