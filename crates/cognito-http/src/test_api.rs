//! The emulator's test API under `/_cognito/`: plain JSON in and out, no authentication.
//! Tests read the messages and codes users would receive, confirm users outright and
//! start over; `docs/test-api.md` documents every endpoint.
//!
//! | endpoint | does |
//! | --- | --- |
//! | `GET /_cognito/messages` | messages sent, oldest first |
//! | `GET /_cognito/codes` | codes users hold and can still use |
//! | `POST /_cognito/users/confirm` | confirms a user |
//! | `POST /_cognito/reset` | forgets all state, or one pool's (also `/_cognito/reset/<poolId>`) |
//! | `POST /_cognito/seed` | makes the pools, clients and users a seed document names |
//! | `GET /_cognito/tokens` | sign-ins whose tokens still work (never the tokens) |
//! | `POST /_cognito/tokens/expire` | ends a pool's or a user's sign-ins |
//! | `GET /_cognito/events` | users' auth events |
//! | `GET /_cognito/devices` | users' tracked devices (never their secrets) |
//! | `GET /_cognito/webauthn-credentials` | users' passkeys and their attestations |
//! | `POST /_cognito/compromised-passwords` | registers compromised passwords |
//! | `GET /_cognito/trigger-invocations` | trigger functions run, with events and responses |
//! | `POST /_cognito/authorization-codes` | mints an authorization code for a user |
//! | `GET`, `POST /_cognito/clock` | reads, moves, sets or freezes the server's time |
//! | `POST /_cognito/clock/reset` | returns to real time (also `DELETE /_cognito/clock`) |
//!
//! fakecloud's paths under `/_fakecloud/cognito/` answer the same hooks in its shapes
//! (`fakecloud`). Listings answer a page at a time: `limit` (1 to 10,000, 1,000 by
//! default) and the `next_token` the previous page answered.
//!
//! Routes are matched in `router`; each handler here reads its query or body, calls the
//! [`Backend`] and writes JSON. Errors are `{"__type", "message"}` like the API's, with
//! the status `failure` gives them on a plain route (404 for a pool or user not found).

use std::collections::HashMap;

use bytes::Bytes;
use cognito_core::auth::authorization_code::{ChallengeMethod, CodeRequest};
use cognito_core::lambda::{Invocation, Trigger};
use cognito_core::messages::{Channel, Message};
use cognito_core::seed::Seed;
use cognito_core::RequestContext;
use cognito_model::Timestamp;
use http::header::{HeaderValue, CONTENT_TYPE};
use http::Response;
use http_body_util::Full;
use hyper::body::Body;
use serde_json::{json, Value};

use crate::aws_json;
use crate::failure::{invalid_parameter as bad_request, Failure};
use crate::router::{TestRoute, RESET_POOL_PREFIX};
use crate::service::ResponseBody;
use crate::{Backend, Config, Sources};

mod clock;
mod fakecloud;

pub use clock::{ClockControl, ClockReading};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What a handler answers.
type Answer = Result<Response<ResponseBody>, Failure>;

/// Answers test API request `route`, at the time `sources` gives.
pub(crate) async fn handle<S, B>(
    provider: &S,
    sources: &Sources,
    config: &Config,
    route: TestRoute,
    parts: &http::request::Parts,
    body: B,
) -> Result<Response<ResponseBody>, Failure>
where
    S: Backend,
    B: Body,
    B::Error: Into<BoxError>,
{
    let query = parts.uri.query();
    let now = sources.clock.now();
    let max_body_bytes = config.max_body_bytes;
    match route {
        TestRoute::Fakecloud(route) => {
            let body = aws_json::read_body(&parts.headers, body, max_body_bytes).await?;
            fakecloud::handle(provider, now, config, route, parts.uri.path(), query, &body)
        }
        TestRoute::Seed => {
            let body = aws_json::read_body(&parts.headers, body, max_body_bytes).await?;
            seed(provider, now, config, &body)
        }
        TestRoute::ResetPool => {
            let id = parts
                .uri
                .path()
                .strip_prefix(RESET_POOL_PREFIX)
                .unwrap_or_default();
            provider.reset_pool(&decode(id)?)?;
            Ok(ok(json!({})))
        }
        TestRoute::Clock => clock::read(sources),
        TestRoute::SetClock => {
            let body = aws_json::read_body(&parts.headers, body, max_body_bytes).await?;
            clock::change(sources, &body)
        }
        TestRoute::ResetClock => clock::reset(sources),
        TestRoute::Messages => messages(provider, query),
        TestRoute::Codes => codes(provider, now, query),
        TestRoute::ConfirmUser => {
            let body = aws_json::read_body(&parts.headers, body, max_body_bytes).await?;
            confirm_user(provider, now, &body)
        }
        TestRoute::TotpCode => {
            let body = aws_json::read_body(&parts.headers, body, max_body_bytes).await?;
            totp_code(provider, now, &body)
        }
        TestRoute::Reset => {
            let body = aws_json::read_body(&parts.headers, body, max_body_bytes).await?;
            let input = aws_json::parse_input(&body)?;
            match input.get("pool_id") {
                None | Some(Value::Null) => provider.reset()?,
                Some(_) => provider.reset_pool(string_member(&input, "pool_id")?)?,
            }
            Ok(ok(json!({})))
        }
        TestRoute::Tokens => tokens(provider, now, query),
        TestRoute::ExpireTokens => {
            let body = aws_json::read_body(&parts.headers, body, max_body_bytes).await?;
            expire_tokens(provider, now, &body)
        }
        TestRoute::Events => events(provider, query),
        TestRoute::Devices => devices(provider, query),
        TestRoute::Passkeys => passkeys(provider, query),
        TestRoute::TriggerInvocations => trigger_invocations(provider, query),
        TestRoute::AuthorizationCodes => {
            let body = aws_json::read_body(&parts.headers, body, max_body_bytes).await?;
            authorization_code(provider, now, &body)
        }
        TestRoute::CompromisedPasswords => {
            let body = aws_json::read_body(&parts.headers, body, max_body_bytes).await?;
            compromised_passwords(provider, &body)
        }
    }
}

/// `POST /_cognito/seed` with a seed document (`docs/seed.md`), as JSON: what it made
/// and what was there already.
fn seed<S: Backend>(provider: &S, now: Timestamp, config: &Config, body: &[u8]) -> Answer {
    let seed: Seed = serde_json::from_slice(body)
        .map_err(|e| bad_request(format!("The seed document is malformed: {e}")))?;
    let ctx = RequestContext {
        region: config.default_region.clone(),
        account_id: config.account_id.clone(),
        now,
        aws_sdk_version: None,
    };
    let seeded = provider.apply_seed(&ctx, &seed)?;
    Ok(ok(json!({
        "created": seeded.created,
        "existing": seeded.existing,
    })))
}

/// The page size of a listing whose request names none.
const DEFAULT_PAGE: usize = 1_000;
/// The largest page a listing answers.
const MAX_PAGE: usize = 10_000;
/// The query parameters every listing takes besides its filters.
const PAGE_PARAMS: [&str; 2] = ["limit", "next_token"];

/// Which page of a listing a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PageRequest {
    /// At most this many items.
    limit: usize,
    /// After this point: what the previous page answered as `next_token`.
    after: Option<u64>,
}

impl PageRequest {
    /// The page `params` (with [`PAGE_PARAMS`] among their names) ask for.
    fn of(params: &HashMap<&'static str, String>) -> Result<Self, Failure> {
        let limit = match params.get("limit") {
            None => DEFAULT_PAGE,
            Some(l) => l
                .parse()
                .ok()
                .filter(|l| (1..=MAX_PAGE).contains(l))
                .ok_or_else(|| {
                    bad_request(format!("limit must be a whole number from 1 to {MAX_PAGE}"))
                })?,
        };
        let after = match params.get("next_token") {
            None => None,
            Some(t) => Some(
                t.parse()
                    .map_err(|_| bad_request("next_token must be one a previous page answered"))?,
            ),
        };
        Ok(PageRequest { limit, after })
    }

    /// This page of `records`, counted from the first; and where the next page starts.
    fn of_all<T>(self, records: Vec<T>) -> (impl Iterator<Item = T>, Option<u64>) {
        let skip = self
            .after
            .and_then(|a| usize::try_from(a).ok())
            .unwrap_or(0);
        let end = skip.saturating_add(self.limit);
        let next = (records.len() > end).then(|| u64::try_from(end).unwrap_or(u64::MAX));
        (records.into_iter().skip(skip).take(self.limit), next)
    }
}

/// The answer `{"<name>": [items], "next_token": "..."}` (no `next_token` on the last
/// page), each item written as it comes rather than gathered first.
fn listing(
    name: &str,
    items: impl IntoIterator<Item = Value>,
    next: Option<u64>,
) -> Response<ResponseBody> {
    let mut out = Vec::with_capacity(4096);
    out.push(b'{');
    // Writing JSON into a vector cannot fail.
    let _ = serde_json::to_writer(&mut out, name);
    out.extend_from_slice(b":[");
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let _ = serde_json::to_writer(&mut out, &item);
    }
    out.push(b']');
    if let Some(next) = next {
        out.extend_from_slice(format!(r#","next_token":"{next}""#).as_bytes());
    }
    out.push(b'}');
    json_response(out)
}

/// `GET /_cognito/tokens[?pool_id=&username=]`: sign-ins whose tokens still work,
/// without the tokens.
fn tokens<S: Backend>(
    provider: &S,
    now: Timestamp,
    query: Option<&str>,
) -> Result<Response<ResponseBody>, Failure> {
    per_user(
        query,
        "tokens",
        |pool, user| provider.active_tokens(now, pool, user),
        |t| {
            json!({
                "pool_id": t.pool_id,
                "username": t.username,
                "client_id": t.client_id,
                "session_id": t.session_id,
                "refresh_expires_at": t.refresh_expires,
            })
        },
    )
}

/// `POST /_cognito/tokens/expire` with `{"pool_id": ..., "username": ...?}`.
fn expire_tokens<S: Backend>(
    provider: &S,
    now: Timestamp,
    body: &[u8],
) -> Result<Response<ResponseBody>, Failure> {
    let input = aws_json::parse_input(body)?;
    let pool_id = string_member(&input, "pool_id")?;
    let username = match input.get("username") {
        None | Some(Value::Null) => None,
        Some(_) => Some(string_member(&input, "username")?),
    };
    let ended = provider.expire_tokens(now, pool_id, username)?;
    Ok(ok(json!({ "expired": ended })))
}

/// `GET /_cognito/events[?pool_id=&username=]`: users' auth events.
fn events<S: Backend>(
    provider: &S,
    query: Option<&str>,
) -> Result<Response<ResponseBody>, Failure> {
    per_user(
        query,
        "events",
        |pool, user| provider.auth_events(pool, user),
        |e| {
            json!({
                "pool_id": e.pool_id,
                "username": e.username,
                "event_id": e.event.event_id,
                "event_type": e.event.event_type,
                "event_response": e.event.event_response,
                "challenge_responses": e.event.challenge_responses,
                "feedback_token": e.feedback_token,
                "created_at": e.event.creation_date,
            })
        },
    )
}

/// `GET /_cognito/trigger-invocations[?pool_id=&trigger=&source=&username=]`: the
/// trigger functions run, oldest first, with their events and responses.
fn trigger_invocations<S: Backend>(
    provider: &S,
    query: Option<&str>,
) -> Result<Response<ResponseBody>, Failure> {
    let params = params(
        query,
        &[
            "pool_id",
            "trigger",
            "source",
            "username",
            "limit",
            "next_token",
        ],
    )?;
    let page = PageRequest::of(&params)?;
    let trigger =
        match params.get("trigger") {
            None => None,
            Some(name) => Some(Trigger::named(name).ok_or_else(|| {
                bad_request(format!("trigger {name} is no trigger of LambdaConfig"))
            })?),
        };
    let matches = |wanted: Option<&String>, value: &str| wanted.is_none_or(|w| w == value);
    let keep = |i: &Invocation| {
        matches(params.get("pool_id"), &i.pool_id)
            && trigger.is_none_or(|t| t == i.trigger)
            && matches(params.get("source"), &i.trigger_source)
            && matches(params.get("username"), &i.user_name)
    };
    let found = provider.trigger_invocations(&keep, page.after, page.limit)?;
    let list = found.items.into_iter().map(|i| {
        json!({
            "pool_id": i.pool_id,
            "trigger": i.trigger.name(),
            "trigger_source": i.trigger_source,
            "function_arn": i.function_arn,
            "username": i.user_name,
            "event": i.event,
            "response": i.response,
            "error": i.error,
            "micros": i.micros,
            "invoked_at": i.at,
            "summary": i.summary,
        })
    });
    Ok(listing("invocations", list, found.next))
}

/// `GET /_cognito/devices[?pool_id=&username=]`: devices users signed in from.
fn devices<S: Backend>(
    provider: &S,
    query: Option<&str>,
) -> Result<Response<ResponseBody>, Failure> {
    per_user(
        query,
        "devices",
        |pool, user| provider.devices(pool, user),
        |d| {
            json!({
                "pool_id": d.pool_id,
                "username": d.username,
                "device_key": d.device_key,
                "device_group_key": d.device_group_key,
                "device_name": d.name,
                "confirmed": d.confirmed,
                "remembered": d.remembered,
                "last_authenticated_at": d.last_authenticated,
            })
        },
    )
}

/// `GET /_cognito/webauthn-credentials[?pool_id=&username=]`: users' passkeys.
fn passkeys<S: Backend>(
    provider: &S,
    query: Option<&str>,
) -> Result<Response<ResponseBody>, Failure> {
    per_user(
        query,
        "credentials",
        |pool, user| provider.passkeys(pool, user),
        |p| {
            json!({
                "pool_id": p.pool_id,
                "username": p.username,
                "credential_id": p.credential_id,
                "relying_party_id": p.relying_party_id,
                "format": p.format,
                "aaguid": p.aaguid,
                "certificate_subjects": p.certificate_subjects,
                "sign_count": p.sign_count,
                "user_verified": p.user_verified,
                "backup_eligible": p.backup_eligible,
                "backed_up": p.backed_up,
            })
        },
    )
}

/// A listing of records of users, optionally of one pool (`pool_id`) and one user
/// (`username`): `fetch` reads them, `item` writes each, as the list `name`.
fn per_user<T>(
    query: Option<&str>,
    name: &str,
    fetch: impl FnOnce(Option<&str>, Option<&str>) -> Result<Vec<T>, cognito_model::CognitoError>,
    item: impl Fn(&T) -> Value,
) -> Result<Response<ResponseBody>, Failure> {
    let params = params(query, &["pool_id", "username", "limit", "next_token"])?;
    let page = PageRequest::of(&params)?;
    let records = fetch(
        params.get("pool_id").map(String::as_str),
        params.get("username").map(String::as_str),
    )?;
    let (records, next) = page.of_all(records);
    Ok(listing(name, records.map(|r| item(&r)), next))
}

/// `POST /_cognito/authorization-codes` with `{"pool_id", "client_id", "username",
/// "redirect_uri", "scope"?, "code_challenge"?, "code_challenge_method"?, "nonce"?,
/// "state"?}`: a code for the user, as the sign-in pages would hand it to
/// `redirect_uri`, and the address they would redirect to.
fn authorization_code<S: Backend>(
    provider: &S,
    now: Timestamp,
    body: &[u8],
) -> Result<Response<ResponseBody>, Failure> {
    let input = aws_json::parse_input(body)?;
    let optional = |name: &str| match input.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => string_member(&input, name).map(Some),
    };
    let scopes: Option<Vec<String>> = optional("scope")?.map(|s| {
        s.split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    });
    let method = match optional("code_challenge_method")? {
        None | Some("plain") => ChallengeMethod::Plain,
        Some("S256") => ChallengeMethod::S256,
        Some(_) => return Err(bad_request("code_challenge_method must be S256 or plain")),
    };
    let redirect_uri = string_member(&input, "redirect_uri")?;
    let state = optional("state")?;
    let code = provider.mint_authorization_code(
        now,
        CodeRequest {
            pool_id: string_member(&input, "pool_id")?,
            client_id: string_member(&input, "client_id")?,
            username: string_member(&input, "username")?,
            redirect_uri,
            scopes: scopes.as_deref(),
            challenge: optional("code_challenge")?.map(|c| (c, method)),
            nonce: optional("nonce")?,
        },
    )?;
    let separator = if redirect_uri.contains('?') { '&' } else { '?' };
    let mut redirect = format!("{redirect_uri}{separator}code={code}");
    if let Some(state) = state {
        redirect.push_str("&state=");
        redirect.push_str(&encode(state));
    }
    Ok(ok(json!({ "code": code, "redirect": redirect })))
}

/// Percent-encodes `s` for a query: all but RFC 3986's unreserved characters.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `POST /_cognito/compromised-passwords` with `{"passwords": ["...", ...]}`.
fn compromised_passwords<S: Backend>(
    provider: &S,
    body: &[u8],
) -> Result<Response<ResponseBody>, Failure> {
    let input = aws_json::parse_input(body)?;
    let passwords: Vec<&str> = input
        .get("passwords")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().map(Value::as_str).collect::<Option<Vec<_>>>())
        .ok_or_else(|| bad_request("passwords is required and must be a list of strings"))?;
    let count = provider.register_compromised_passwords(&passwords)?;
    Ok(ok(json!({ "registered": count })))
}

/// `GET /_cognito/messages[?pool_id=&username=&destination=&channel=EMAIL|SMS]`.
fn messages<S: Backend>(
    provider: &S,
    query: Option<&str>,
) -> Result<Response<ResponseBody>, Failure> {
    let params = params(
        query,
        &[
            "pool_id",
            "username",
            "destination",
            "channel",
            "limit",
            "next_token",
        ],
    )?;
    let page = PageRequest::of(&params)?;
    let channel = match params.get("channel").map(|c| c.to_ascii_uppercase()) {
        None => None,
        Some(c) if c == "EMAIL" => Some(Channel::Email),
        Some(c) if c == "SMS" => Some(Channel::Sms),
        Some(_) => return Err(bad_request("channel must be EMAIL or SMS")),
    };
    let matches = |wanted: Option<&String>, value: &str| wanted.is_none_or(|w| w == value);
    let keep = |m: &Message| {
        matches(params.get("pool_id"), &m.pool_id)
            && matches(params.get("username"), &m.username)
            && matches(params.get("destination"), &m.destination)
            && channel.is_none_or(|c| c == m.channel)
    };
    let sent = provider.sent_messages(&keep, page.after, page.limit)?;
    let list = sent.items.iter().map(|s| {
        let m = &s.message;
        json!({
            "pool_id": m.pool_id,
            "username": m.username,
            "channel": m.channel.as_str(),
            "destination": m.destination,
            "subject": m.subject,
            "body": m.body.expose(),
            "kind": m.kind.as_str(),
            "code": m.code.as_ref().map(|c| c.expose()),
            "sent_at": m.sent_at,
            "delivery": s.delivery.as_str(),
            "delivery_error": s.delivery.error(),
        })
    });
    Ok(listing("messages", list, sent.next))
}

/// `GET /_cognito/codes[?pool_id=&username=]`.
fn codes<S: Backend>(
    provider: &S,
    now: Timestamp,
    query: Option<&str>,
) -> Result<Response<ResponseBody>, Failure> {
    let params = params(query, &["pool_id", "username", "limit", "next_token"])?;
    let page = PageRequest::of(&params)?;
    let codes = provider.pending_codes(
        now,
        params.get("pool_id").map(String::as_str),
        params.get("username").map(String::as_str),
    )?;
    let (codes, next) = page.of_all(codes);
    let list = codes.map(|c| {
        json!({
            "pool_id": c.pool_id,
            "username": c.username,
            "purpose": c.purpose.as_str(),
            "code": c.code.expose(),
            "expires_at": c.expires,
        })
    });
    Ok(listing("codes", list, next))
}

/// `POST /_cognito/users/confirm` with `{"pool_id": ..., "username": ...}`.
fn confirm_user<S: Backend>(
    provider: &S,
    now: Timestamp,
    body: &[u8],
) -> Result<Response<ResponseBody>, Failure> {
    let input = aws_json::parse_input(body)?;
    let (pool_id, username) = pool_and_user(&input)?;
    provider.force_confirm(now, pool_id, username)?;
    Ok(ok(json!({})))
}

/// `POST /_cognito/totp-code` with `{"pool_id": ..., "username": ...}`: the code the
/// user's software token shows now (its key never leaves the server).
fn totp_code<S: Backend>(
    provider: &S,
    now: Timestamp,
    body: &[u8],
) -> Result<Response<ResponseBody>, Failure> {
    let input = aws_json::parse_input(body)?;
    let (pool_id, username) = pool_and_user(&input)?;
    let code = provider.software_token_code(now, pool_id, username)?;
    Ok(ok(json!({ "code": code })))
}

/// The `pool_id` and `username` members a request about one user names it by.
fn pool_and_user(input: &Value) -> Result<(&str, &str), Failure> {
    Ok((
        string_member(input, "pool_id")?,
        string_member(input, "username")?,
    ))
}

/// The string member `name` of a JSON object.
fn string_member<'v>(input: &'v Value, name: &str) -> Result<&'v str, Failure> {
    input
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| bad_request(format!("{name} is required and must be a string")))
}

/// The query's parameters, percent-decoded (`+` stays a plus sign); a name outside
/// `allowed` or a repeated one is refused.
fn params(
    query: Option<&str>,
    allowed: &[&'static str],
) -> Result<HashMap<&'static str, String>, Failure> {
    let mut out = HashMap::new();
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = decode(name)?;
        let Some(&known) = allowed.iter().find(|a| **a == name) else {
            return Err(bad_request(format!(
                "Unknown query parameter {name}; expected {}",
                allowed.join(", ")
            )));
        };
        if out.insert(known, decode(value)?).is_some() {
            return Err(bad_request(format!("Query parameter {name} is repeated")));
        }
    }
    Ok(out)
}

/// Percent-decodes `s` as UTF-8.
fn decode(s: &str) -> Result<String, Failure> {
    let invalid = || bad_request(format!("Malformed percent-encoding in {s:?}"));
    let mut bytes = Vec::with_capacity(s.len());
    let mut rest = s.bytes();
    while let Some(b) = rest.next() {
        if b != b'%' {
            bytes.push(b);
            continue;
        }
        let hex = |c: Option<u8>| c.and_then(|c| char::from(c).to_digit(16));
        match (hex(rest.next()), hex(rest.next())) {
            (Some(hi), Some(lo)) => bytes.push(u8::try_from(hi * 16 + lo).map_err(|_| invalid())?),
            _ => return Err(invalid()),
        }
    }
    String::from_utf8(bytes).map_err(|_| invalid())
}

/// A 200 answer carrying `value`.
fn ok(value: Value) -> Response<ResponseBody> {
    json_response(value.to_string().into_bytes())
}

/// A 200 answer carrying the JSON `body`.
fn json_response(body: Vec<u8>) -> Response<ResponseBody> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

#[cfg(test)]
mod tests;
