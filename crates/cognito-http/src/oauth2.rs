//! The OAuth 2.0 endpoints of a pool's domain. Served so far: the token endpoint
//! (`POST /oauth2/token`) with the `client_credentials` grant, as RFC 6749 §4.4 and
//! Cognito have it.
//!
//! A request names its pool by its domain, either in `Host` (a prefix domain,
//! `<prefix>.auth.<region>.amazoncognito.com`, or a custom domain, pointed at this server
//! by the client's resolver) or in a path prefix on the server's own address
//! (`/<domain>/oauth2/token`), since `localhost` names no pool.
//!
//! The client authenticates with `client_secret_basic` (RFC 6749 §2.3.1: the id and the
//! secret form-encoded, joined by `:`, base64 in `Authorization: Basic`) or
//! `client_secret_post` (`client_id` and `client_secret` in the form), never both. Errors
//! are RFC 6749 §5.2's JSON (`{"error": ...}`): `invalid_client` with 401 (and a
//! `WWW-Authenticate` challenge when the client tried `Basic`), the others with 400.
//! What a token is and which client may have one is core's (`client_tokens`); this
//! module reads the request and words the answer.

use bytes::Bytes;
use cognito_core::client_tokens::{ClientToken, ClientTokenError};
use cognito_model::ErrorKind;
use http::header::{
    HeaderMap, HeaderValue, AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, HOST, PRAGMA,
    WWW_AUTHENTICATE,
};
use http::{Response, StatusCode};
use http_body_util::Full;
use serde_json::{json, Value};

use crate::service::ResponseBody;

/// The token endpoint's path on a pool's domain.
pub(crate) const TOKEN_PATH: &str = "/oauth2/token";

/// Where the pool's domain names Cognito's prefix domains: `<prefix>.auth.<region>.` and
/// this suffix.
const PREFIX_DOMAIN_SUFFIX: &str = ".amazoncognito.com";

/// Whether `path` is the token endpoint: `/oauth2/token`, or `/<domain>/oauth2/token`.
pub(crate) fn is_token_path(path: &str) -> bool {
    path == TOKEN_PATH || path_domain(path).is_some()
}

/// The domain a path prefix names: `<domain>` of `/<domain>/oauth2/token`.
pub(crate) fn path_domain(path: &str) -> Option<&str> {
    let domain = path.strip_prefix('/')?.strip_suffix(TOKEN_PATH)?;
    (!domain.is_empty() && !domain.contains('/')).then_some(domain)
}

/// A domain as a request names it: a prefix domain's Region and prefix, or a name of any
/// kind (a custom domain, or a prefix given without its Region).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DomainName<'a> {
    /// The Region of a prefix domain named in full.
    pub(crate) region: Option<&'a str>,
    /// The prefix, or the whole name.
    pub(crate) name: &'a str,
}

/// The domain `host` (a `Host` header's value, port and all) names.
pub(crate) fn host_domain(host: &str) -> Option<DomainName<'_>> {
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    if name.is_empty() {
        return None;
    }
    let prefixed = name
        .strip_suffix(PREFIX_DOMAIN_SUFFIX)
        .and_then(|rest| rest.split_once(".auth."))
        .filter(|(prefix, region)| !prefix.contains('.') && !region.contains('.'));
    Some(match prefixed {
        Some((prefix, region)) => DomainName {
            region: Some(region),
            name: prefix,
        },
        None => DomainName { region: None, name },
    })
}

/// The domain a token request names: its path prefix, or else its `Host`.
pub(crate) fn request_domain<'a>(path: &'a str, headers: &'a HeaderMap) -> Option<DomainName<'a>> {
    if let Some(name) = path_domain(path) {
        return Some(DomainName { region: None, name });
    }
    host_domain(headers.get(HOST)?.to_str().ok()?)
}

/// The token endpoint of a pool whose domain is `domain`, at `base`, the address the
/// client used: on the domain itself when `host` names it, else under its path prefix.
pub(crate) fn token_endpoint(base: &str, host: Option<&str>, domain: &str) -> String {
    if host
        .and_then(host_domain)
        .is_some_and(|named| named.name == domain)
    {
        format!("{base}{TOKEN_PATH}")
    } else {
        format!("{base}/{domain}{TOKEN_PATH}")
    }
}

/// A token request's failure, as RFC 6749 §5.2 names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OAuthError {
    /// A parameter missing, repeated or malformed, two ways of client authentication, or
    /// a request the client's function refused.
    InvalidRequest(String),
    /// Unknown client or wrong secret; `basic` when the client tried `Authorization:
    /// Basic`, which the answer challenges.
    InvalidClient { basic: bool },
    /// The client may not use this grant.
    UnauthorizedClient,
    /// A scope the client may not have, or none at all.
    InvalidScope,
    /// A grant other than `client_credentials`.
    UnsupportedGrantType,
    /// The server failed.
    ServerError,
}

impl OAuthError {
    fn code(&self) -> &'static str {
        match self {
            OAuthError::InvalidRequest(_) => "invalid_request",
            OAuthError::InvalidClient { .. } => "invalid_client",
            OAuthError::UnauthorizedClient => "unauthorized_client",
            OAuthError::InvalidScope => "invalid_scope",
            OAuthError::UnsupportedGrantType => "unsupported_grant_type",
            OAuthError::ServerError => "server_error",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            OAuthError::InvalidClient { .. } => StatusCode::UNAUTHORIZED,
            OAuthError::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// The error's JSON answer.
    pub(crate) fn into_response(self) -> Response<ResponseBody> {
        let mut body = serde_json::Map::new();
        body.insert("error".into(), json!(self.code()));
        if let OAuthError::InvalidRequest(description) = &self {
            if !description.is_empty() {
                body.insert("error_description".into(), json!(description));
            }
        }
        let mut response = json_response(self.status(), &Value::Object(body));
        if let OAuthError::InvalidClient { basic: true } = self {
            response.headers_mut().insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"oauth2/token\""),
            );
        }
        response
    }

    /// The token endpoint's error for core's refusal.
    pub(crate) fn from_core(e: ClientTokenError, basic: bool) -> Self {
        match e {
            ClientTokenError::UnknownClient(_) | ClientTokenError::BadSecret(_) => {
                OAuthError::InvalidClient { basic }
            }
            ClientTokenError::FlowNotAllowed(_) => OAuthError::UnauthorizedClient,
            ClientTokenError::InvalidScope(_) => OAuthError::InvalidScope,
            ClientTokenError::Failed(e) if e.kind == ErrorKind::InternalErrorException => {
                OAuthError::ServerError
            }
            // A token function's refusal (`UserLambdaValidationException`, ...).
            ClientTokenError::Failed(e) => OAuthError::InvalidRequest(e.message),
        }
    }
}

/// What a client credentials request carries.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct TokenRequest {
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
    /// The scopes asked for (`scope`, space-separated); none when absent.
    pub(crate) scopes: Vec<String>,
    /// Whether the client authenticated with `Authorization: Basic`.
    pub(crate) basic: bool,
}

impl std::fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenRequest")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("scopes", &self.scopes)
            .field("basic", &self.basic)
            .finish()
    }
}

/// Reads a token request: its form `body` and its `Authorization` header.
pub(crate) fn read_token_request(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<TokenRequest, OAuthError> {
    let form_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form_type {
        return Err(OAuthError::InvalidRequest(
            "The request must be application/x-www-form-urlencoded.".into(),
        ));
    }
    let form = parse_form(body)?;
    let param = |name: &str| -> Result<Option<&str>, OAuthError> {
        let mut values = form.iter().filter(|(n, _)| n == name).map(|(_, v)| v);
        let first = values.next();
        if values.next().is_some() {
            return Err(OAuthError::InvalidRequest(format!(
                "The parameter {name} is repeated."
            )));
        }
        Ok(first.map(String::as_str))
    };
    let grant_type = param("grant_type")?
        .ok_or_else(|| OAuthError::InvalidRequest("grant_type is missing.".into()))?;
    let basic = basic_credentials(headers)?;
    let posted_id = param("client_id")?;
    let posted_secret = param("client_secret")?;
    let (client_id, client_secret, basic) = match basic {
        Some((id, secret)) => {
            if posted_secret.is_some() || posted_id.is_some_and(|p| p != id) {
                return Err(OAuthError::InvalidRequest(
                    "The client authenticated in more than one way.".into(),
                ));
            }
            (id, secret, true)
        }
        None => match (posted_id, posted_secret) {
            (Some(id), Some(secret)) => (id.to_owned(), secret.to_owned(), false),
            _ => return Err(OAuthError::InvalidClient { basic: false }),
        },
    };
    if grant_type != "client_credentials" {
        return Err(OAuthError::UnsupportedGrantType);
    }
    let scopes = param("scope")?
        .unwrap_or_default()
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    Ok(TokenRequest {
        client_id,
        client_secret,
        scopes,
        basic,
    })
}

/// The client id and secret of `Authorization: Basic`, when the request has one.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, OAuthError> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed = || OAuthError::InvalidClient { basic: true };
    let value = value.to_str().map_err(|_| malformed())?;
    let (scheme, encoded) = value.trim().split_once(' ').ok_or_else(malformed)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(OAuthError::InvalidRequest(
            "Only Basic authorization is accepted.".into(),
        ));
    }
    let decoded = base64_decode(encoded.trim()).ok_or_else(malformed)?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    // RFC 6749 §2.3.1: each part is form-encoded before they are joined.
    let id = form_decode(id).ok_or_else(malformed)?;
    let secret = form_decode(secret).ok_or_else(malformed)?;
    Ok(Some((id, secret)))
}

/// The pairs of an `application/x-www-form-urlencoded` body, decoded.
fn parse_form(body: &[u8]) -> Result<Vec<(String, String)>, OAuthError> {
    let body = std::str::from_utf8(body)
        .map_err(|_| OAuthError::InvalidRequest("The body is not UTF-8.".into()))?;
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            match (form_decode(name), form_decode(value)) {
                (Some(n), Some(v)) => Ok((n, v)),
                _ => Err(OAuthError::InvalidRequest(
                    "The body has malformed percent-encoding.".into(),
                )),
            }
        })
        .collect()
}

/// Decodes one form-encoded component: `+` is a space, `%XX` a byte; UTF-8 overall.
fn form_decode(s: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(s.len());
    let mut rest = s.bytes();
    while let Some(b) = rest.next() {
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = |c: Option<u8>| c.and_then(|c| char::from(c).to_digit(16));
                let (hi, lo) = (hex(rest.next())?, hex(rest.next())?);
                bytes.push(u8::try_from(hi * 16 + lo).ok()?);
            }
            b => bytes.push(b),
        }
    }
    String::from_utf8(bytes).ok()
}

/// Decodes standard base64 (RFC 4648 §4), padding optional.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        Some(u32::from(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    }
    let s = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        acc = (acc << 6) | value(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).ok()?);
        }
    }
    // Leftover bits are padding; a lone sextet is no byte at all.
    (bits < 6).then_some(out)
}

/// The token endpoint's answer for `token` (RFC 6749 §5.1), never cached.
pub(crate) fn token_response(token: &ClientToken) -> Response<ResponseBody> {
    json_response(
        StatusCode::OK,
        &json!({
            "access_token": token.access_token,
            "expires_in": token.expires_in,
            "token_type": "Bearer",
        }),
    )
}

fn json_response(status: StatusCode, body: &Value) -> Response<ResponseBody> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

#[cfg(test)]
mod tests;
