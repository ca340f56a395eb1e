//! fakecloud's Cognito test endpoints (`/_fakecloud/cognito/...`), with its request and
//! answer shapes (camelCase members, its names for code kinds and token types), over the
//! same [`Backend`] calls as the `/_cognito/` endpoints, so that tests written for
//! fakecloud run here unchanged. `docs/test-api.md` sets the two side by side.
//!
//! Where fakecloud's shapes say less than the emulator knows, the answer keeps to them:
//! a code's kind is `signup`, `forgot_password` or `attribute_verification`, a sign-in
//! lists as an `access` and a `refresh` token, and `expiredTokens` counts both.

use std::collections::BTreeMap;

use cognito_core::auth::authorization_code::{ChallengeMethod, CodeRequest};
use cognito_core::lambda::Trigger;
use cognito_core::users::CodePurpose;
use cognito_model::{ErrorKind, Timestamp};
use http::StatusCode;
use serde_json::{json, Map, Value};

use super::clock::format_rfc3339;
use super::{decode, listing, ok, params, string_member, Answer, PageRequest, PAGE_PARAMS};
use crate::aws_json;
use crate::failure::invalid_parameter as bad_request;
use crate::router::{FakecloudRoute, FAKECLOUD_PREFIX};
use crate::{Backend, Config};

/// Answers fakecloud route `route` at `now`: its `path`, `query` and `body`.
pub(super) fn handle<S: Backend>(
    provider: &S,
    now: Timestamp,
    config: &Config,
    route: FakecloudRoute,
    path: &str,
    query: Option<&str>,
    body: &[u8],
) -> Answer {
    use FakecloudRoute as F;
    // Listings take the page parameters only; the rest take no query.
    let page = PageRequest::of(&params(query, &PAGE_PARAMS)?)?;
    match route {
        F::ConfirmationCodes => confirmation_codes(provider, now, page),
        F::UserConfirmationCodes => user_confirmation_codes(provider, now, path),
        F::ConfirmUser => confirm_user(provider, now, body),
        F::Tokens => tokens(provider, now, page),
        F::ExpireTokens => expire_tokens(provider, now, body),
        F::AuthEvents => auth_events(provider, page),
        F::AuthorizationCodes => authorization_code(provider, now, body),
        F::CompromisedPasswords => compromised_passwords(provider, body),
        F::WebAuthnCredentials => webauthn_credentials(provider, config, page),
        F::PreTokenGenInvocations => pre_token_generation(provider, config, page),
    }
}

/// fakecloud's kind of a code, and the attribute it verifies.
fn kind(purpose: CodePurpose) -> (&'static str, Option<&'static str>) {
    match purpose {
        CodePurpose::SignUp => ("signup", None),
        CodePurpose::ForgotPassword => ("forgot_password", None),
        CodePurpose::VerifyEmail => ("attribute_verification", Some("email")),
        CodePurpose::VerifyPhone => ("attribute_verification", Some("phone_number")),
    }
}

/// `GET /_fakecloud/cognito/confirmation-codes`: `{"codes": [{poolId, username, code,
/// type, attribute?}]}`.
fn confirmation_codes<S: Backend>(provider: &S, now: Timestamp, page: PageRequest) -> Answer {
    let (codes, next) = page.of_all(provider.pending_codes(now, None, None)?);
    let list = codes.map(|c| {
        let (kind, attribute) = kind(c.purpose);
        let mut code = json!({
            "poolId": c.pool_id,
            "username": c.username,
            "code": c.code.expose(),
            "type": kind,
        });
        if let (Some(attribute), Value::Object(map)) = (attribute, &mut code) {
            map.insert("attribute".into(), json!(attribute));
        }
        code
    });
    Ok(listing("codes", list, next))
}

/// `GET /_fakecloud/cognito/confirmation-codes/<poolId>/<username>`:
/// `{"confirmationCode", "attributeVerificationCodes": {attribute: code}}`, the newest of
/// each; an unknown user holds none.
fn user_confirmation_codes<S: Backend>(provider: &S, now: Timestamp, path: &str) -> Answer {
    let ids = path
        .strip_prefix(FAKECLOUD_PREFIX)
        .and_then(|p| p.strip_prefix("confirmation-codes/"))
        .and_then(|p| p.split_once('/'))
        .unwrap_or_default();
    let (pool_id, username) = (decode(ids.0)?, decode(ids.1)?);
    let mut confirmation = None;
    let mut attributes = Map::new();
    // Oldest first: the newest of each kind is kept.
    for code in provider.pending_codes(now, Some(&pool_id), Some(&username))? {
        match kind(code.purpose) {
            (_, Some(attribute)) => {
                attributes.insert(attribute.into(), json!(code.code.expose()));
            }
            (_, None) => confirmation = Some(code.code.expose().clone()),
        }
    }
    Ok(ok(json!({
        "confirmationCode": confirmation,
        "attributeVerificationCodes": attributes,
    })))
}

/// `POST /_fakecloud/cognito/confirm-user` with `{"userPoolId", "username"}`:
/// `{"confirmed": true}`, or 404 with `{"confirmed": false, "error"}`.
fn confirm_user<S: Backend>(provider: &S, now: Timestamp, body: &[u8]) -> Answer {
    let input = aws_json::parse_input(body)?;
    let pool_id = string_member(&input, "userPoolId")?;
    let username = string_member(&input, "username")?;
    match provider.force_confirm(now, pool_id, username) {
        Ok(()) => Ok(ok(json!({ "confirmed": true }))),
        Err(e)
            if matches!(
                e.kind,
                ErrorKind::UserNotFoundException | ErrorKind::ResourceNotFoundException
            ) =>
        {
            let mut answer = ok(json!({ "confirmed": false, "error": e.message }));
            *answer.status_mut() = StatusCode::NOT_FOUND;
            Ok(answer)
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /_fakecloud/cognito/tokens`: `{"tokens": [{type, username, poolId, clientId,
/// issuedAt}]}`, an `access` and a `refresh` token for each sign-in whose tokens work.
fn tokens<S: Backend>(provider: &S, now: Timestamp, page: PageRequest) -> Answer {
    let (signed_in, next) = page.of_all(provider.active_tokens(now, None, None)?);
    let list = signed_in.flat_map(|t| {
        [("access", t.last_issued), ("refresh", t.signed_in)].map(|(kind, issued)| {
            json!({
                "type": kind,
                "username": t.username,
                "poolId": t.pool_id,
                "clientId": t.client_id,
                "issuedAt": seconds(issued),
            })
        })
    });
    Ok(listing("tokens", list, next))
}

/// `POST /_fakecloud/cognito/expire-tokens` with `{"userPoolId"?, "username"?}`:
/// `{"expiredTokens": n}`, two for each sign-in ended (its access and refresh tokens).
fn expire_tokens<S: Backend>(provider: &S, now: Timestamp, body: &[u8]) -> Answer {
    let input = aws_json::parse_input(body)?;
    let optional = |name: &str| match input.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => string_member(&input, name).map(Some),
    };
    let (pool_id, username) = (optional("userPoolId")?, optional("username")?);
    // The pools with working tokens (of the user, when named).
    let pools: std::collections::BTreeSet<String> = match pool_id {
        Some(pool) => std::iter::once(pool.to_owned()).collect(),
        None => provider
            .active_tokens(now, None, username)?
            .into_iter()
            .map(|t| t.pool_id)
            .collect(),
    };
    let mut ended = 0;
    for pool in pools {
        ended += provider.expire_tokens(now, &pool, username)?;
    }
    Ok(ok(json!({ "expiredTokens": ended * 2 })))
}

/// `GET /_fakecloud/cognito/auth-events`: `{"events": [{eventType, username,
/// userPoolId, clientId, timestamp, success}]}`.
fn auth_events<S: Backend>(provider: &S, page: PageRequest) -> Answer {
    let (events, next) = page.of_all(provider.auth_events(None, None)?);
    let list = events.map(|e| {
        let response = serde_json::to_value(e.event.event_response).unwrap_or_default();
        json!({
            "eventType": e.event.event_type,
            "username": e.username,
            "userPoolId": e.pool_id,
            "clientId": Value::Null,
            "timestamp": e.event.creation_date.map(seconds),
            "success": response == "Pass",
        })
    });
    Ok(listing("events", list, next))
}

/// `POST /_fakecloud/cognito/authorization-codes` with `{"userPoolId", "clientId",
/// "username", "redirectUri", "scopes"?, "codeChallenge"?, "codeChallengeMethod"?,
/// "nonce"?}`: `{"code"}`. A challenge without a method is `S256`, as fakecloud takes
/// it.
fn authorization_code<S: Backend>(provider: &S, now: Timestamp, body: &[u8]) -> Answer {
    let input = aws_json::parse_input(body)?;
    let optional = |name: &str| match input.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => string_member(&input, name).map(Some),
    };
    let scopes: Option<Vec<String>> = match input.get("scopes") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            serde_json::from_value(v.clone())
                .map_err(|_| bad_request("scopes must be a list of strings"))?,
        ),
    };
    let method = match optional("codeChallengeMethod")? {
        None | Some("S256") => ChallengeMethod::S256,
        Some("plain") => ChallengeMethod::Plain,
        Some(_) => return Err(bad_request("codeChallengeMethod must be S256 or plain")),
    };
    let code = provider.mint_authorization_code(
        now,
        CodeRequest {
            pool_id: string_member(&input, "userPoolId")?,
            client_id: string_member(&input, "clientId")?,
            username: string_member(&input, "username")?,
            redirect_uri: string_member(&input, "redirectUri")?,
            scopes: scopes.as_deref(),
            challenge: optional("codeChallenge")?.map(|c| (c, method)),
            nonce: optional("nonce")?,
        },
    )?;
    Ok(ok(json!({ "code": code })))
}

/// `POST /_fakecloud/cognito/compromised-passwords` with `{"passwords": [...]}`:
/// `{"added": n}`, how many were not registered before.
fn compromised_passwords<S: Backend>(provider: &S, body: &[u8]) -> Answer {
    let input = aws_json::parse_input(body)?;
    let passwords: Vec<&str> = input
        .get("passwords")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().map(Value::as_str).collect::<Option<Vec<_>>>())
        .ok_or_else(|| bad_request("passwords is required and must be a list of strings"))?;
    // Registering none answers how many there are.
    let before = provider.register_compromised_passwords(&[])?;
    let after = provider.register_compromised_passwords(&passwords)?;
    Ok(ok(json!({ "added": after.saturating_sub(before) })))
}

/// `GET /_fakecloud/cognito/webauthn-credentials`: `{"credentials": [{account_id,
/// pool_user: "<poolId>:<username>", credential_id, relying_party_id,
/// attestation_info}]}`.
fn webauthn_credentials<S: Backend>(provider: &S, config: &Config, page: PageRequest) -> Answer {
    let (passkeys, next) = page.of_all(provider.passkeys(None, None)?);
    let list = passkeys.map(|p| {
        json!({
            "account_id": config.account_id,
            "pool_user": format!("{}:{}", p.pool_id, p.username),
            "credential_id": p.credential_id,
            "relying_party_id": p.relying_party_id,
            "attestation_info": {
                "fmt": p.format,
                "aaguid": p.aaguid,
                "certificate_subjects": p.certificate_subjects,
                "sign_count": p.sign_count,
                "user_verified": p.user_verified,
                "backup_eligible": p.backup_eligible,
                "backed_up": p.backed_up,
            },
        })
    });
    Ok(listing("credentials", list, next))
}

/// `GET /_fakecloud/cognito/pretokengen/invocations`: `{"invocations": [{poolId,
/// userPoolArn, username, triggerSource, lambdaArn, requestPayload, responsePayload,
/// claimsAdded, claimsOverridden, groupOverrides, invokedAt, durationMs}]}`, the claims
/// read from what the function changed: added or overridden, suppressed, and the groups
/// it set.
fn pre_token_generation<S: Backend>(provider: &S, config: &Config, page: PageRequest) -> Answer {
    let keep = |i: &cognito_core::lambda::Invocation| i.trigger == Trigger::PreTokenGeneration;
    let found = provider.trigger_invocations(&keep, page.after, page.limit)?;
    let list = found.items.into_iter().map(|i| {
        let summary = i.summary.unwrap_or_default();
        let mut added = BTreeMap::new();
        let mut suppressed = Vec::new();
        for token in ["/id_token", "/access_token"] {
            for part in ["added", "overridden"] {
                let claims = summary.pointer(&format!("{token}/{part}"));
                if let Some(claims) = claims.and_then(Value::as_object) {
                    added.extend(claims.keys().map(|k| (k.clone(), ())));
                }
            }
            let names = summary.pointer(&format!("{token}/suppressed"));
            for claim in names.and_then(Value::as_array).into_iter().flatten() {
                if let Some(name) = claim.as_str().filter(|n| !suppressed.contains(n)) {
                    suppressed.push(name);
                }
            }
        }
        let groups = summary
            .pointer("/groups/groups_to_override")
            .cloned()
            .unwrap_or_else(|| json!([]));
        let region = i.pool_id.split_once('_').map_or("", |(r, _)| r);
        json!({
            "poolId": i.pool_id,
            "userPoolArn": format!("arn:aws:cognito-idp:{region}:{}:userpool/{}", config.account_id, i.pool_id),
            "username": i.user_name,
            "triggerSource": i.trigger_source,
            "lambdaArn": i.function_arn,
            "requestPayload": i.event,
            "responsePayload": i.response,
            "claimsAdded": added.into_keys().collect::<Vec<_>>(),
            "claimsOverridden": suppressed,
            "groupOverrides": groups,
            "invokedAt": format_rfc3339(i.at),
            "durationMs": i.micros / 1000,
        })
    });
    Ok(listing("invocations", list, found.next))
}

/// A time as epoch seconds, with fractions.
fn seconds(t: Timestamp) -> f64 {
    // Epoch milliseconds of any real time are exact in an f64.
    #[allow(clippy::cast_precision_loss)]
    let millis = t.millis() as f64;
    millis / 1000.0
}
