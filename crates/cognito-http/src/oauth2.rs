//! The OAuth 2.0 endpoints of a pool's domain. Served so far: the token endpoint
//! (`POST /oauth2/token`) with the `client_credentials` (RFC 6749 §4.4),
//! `authorization_code` (§4.1, with PKCE, RFC 7636), `refresh_token` (§6) and token
//! exchange (`urn:ietf:params:oauth:grant-type:token-exchange`, RFC 8693) grants,
//! revocation (`POST /oauth2/revoke`, RFC 7009) and `userInfo` (`GET|POST
//! /oauth2/userInfo`, OpenID Connect Core §5.3), as Cognito has them, by the `Cognito`
//! that [`Backend::cognito`](crate::Backend::cognito) hands over. A backend without one
//! grants nothing: its token and revocation endpoints answer that the pool does not
//! exist, and `userInfo` that the token does not do. The managed login (`login`) hands
//! out authorization codes, and the test API mints them.
//!
//! A request names its pool by its domain, either in `Host` (a prefix domain,
//! `<prefix>.auth.<region>.amazoncognito.com`, or a custom domain, pointed at this server
//! by the client's resolver) or in a path prefix on the server's own address
//! (`/<domain>/oauth2/token`), since `localhost` names no pool.
//!
//! The client authenticates with `client_secret_basic` (RFC 6749 §2.3.1: the id and the
//! secret form-encoded, joined by `:`, base64 in `Authorization: Basic`) or
//! `client_secret_post` (`client_id` and `client_secret` in the form), never both; a
//! client without a secret sends only its `client_id` (not for `client_credentials`).
//! Errors are RFC 6749 §5.2's JSON (`{"error": ...}`): `invalid_client` with 401 (and a
//! `WWW-Authenticate` challenge when the client tried `Basic`), the others with 400;
//! `userInfo` answers RFC 6750's `invalid_token` with 401 and a `Bearer` challenge.
//! A token exchange answers RFC 8693 §2.2.1's JSON, and §2.2.2's errors (a subject or
//! actor token that does not do is `invalid_request`; a target refused,
//! `invalid_target`). What a token is and which client may have one is core's
//! (`client_tokens`, `auth::derived_token`); this module reads the request and words the
//! answer.

use bytes::Bytes;
use cognito_core::auth::authorization_code::{ClientAuth, CodeExchange, GrantError, OAuthTokens};
use cognito_core::auth::derived_token::{
    DerivedToken, DerivedTokenError, DerivedTokenRequest, Presented,
};
use cognito_core::client_tokens::{ClientCredentials, ClientToken, ClientTokenError};
use cognito_core::{Cognito, RequestContext};
use cognito_model::shapes::{IssuedTokenTypeIdentifierType, TokenTypeIdentifierType};
use cognito_model::ErrorKind;
use http::header::{
    HeaderMap, HeaderValue, AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, PRAGMA, WWW_AUTHENTICATE,
};
use http::{Response, StatusCode};
use http_body_util::Full;
use serde_json::{json, Value};

use crate::backend::unsupported;
use crate::service::ResponseBody;

/// The token endpoint's path on a pool's domain.
pub(crate) const TOKEN_PATH: &str = "/oauth2/token";
/// The revocation endpoint's path on a pool's domain.
pub(crate) const REVOKE_PATH: &str = "/oauth2/revoke";
/// The `userInfo` endpoint's path on a pool's domain.
pub(crate) const USER_INFO_PATH: &str = "/oauth2/userInfo";

/// The OAuth 2.0 endpoints served on a pool's domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Token,
    Revoke,
    UserInfo,
}

impl Endpoint {
    const ALL: [Endpoint; 3] = [Endpoint::Token, Endpoint::Revoke, Endpoint::UserInfo];

    /// Its path on a pool's domain.
    pub(crate) fn path(self) -> &'static str {
        match self {
            Endpoint::Token => TOKEN_PATH,
            Endpoint::Revoke => REVOKE_PATH,
            Endpoint::UserInfo => USER_INFO_PATH,
        }
    }
}

/// The endpoint `path` is: `/oauth2/<name>`, or `/<domain>/oauth2/<name>`.
pub(crate) fn endpoint_of(path: &str) -> Option<Endpoint> {
    Endpoint::ALL
        .into_iter()
        .find(|e| path == e.path() || prefixed_domain(path, e.path()).is_some())
}

/// `<domain>` of `/<domain><suffix>`.
fn prefixed_domain<'p>(path: &'p str, suffix: &str) -> Option<&'p str> {
    let domain = path.strip_prefix('/')?.strip_suffix(suffix)?;
    (!domain.is_empty() && !domain.contains('/')).then_some(domain)
}

/// Where the pool's domain names Cognito's prefix domains: `<prefix>.auth.<region>.` and
/// this suffix.
const PREFIX_DOMAIN_SUFFIX: &str = ".amazoncognito.com";

/// The domain a path prefix names: `<domain>` of `/<domain>/oauth2/<endpoint>`.
pub(crate) fn path_domain(path: &str) -> Option<&str> {
    Endpoint::ALL
        .into_iter()
        .find_map(|e| prefixed_domain(path, e.path()))
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

/// `path` (an OAuth 2.0 endpoint's or a managed login page's) of a pool whose domain is
/// `domain`, at `base`, the address the client used: on the domain itself when `host`
/// names it, else under its path prefix.
pub(crate) fn domain_url(base: &str, host: Option<&str>, domain: &str, path: &str) -> String {
    if host
        .and_then(host_domain)
        .is_some_and(|named| named.name == domain)
    {
        format!("{base}{path}")
    } else {
        format!("{base}/{domain}{path}")
    }
}

/// The answer of endpoint `endpoint` of pool `pool_id` to a request with `headers` and
/// `body`, given by `cognito` (the backend's, if it has one) once the request is read;
/// blocks on the pool's functions and on cryptography.
pub(crate) fn answer(
    cognito: Option<&Cognito>,
    ctx: &RequestContext,
    pool_id: &str,
    endpoint: Endpoint,
    headers: &HeaderMap,
    body: &[u8],
) -> Response<ResponseBody> {
    let serving = || cognito.ok_or_else(|| no_grants(endpoint, pool_id));
    let answer = match endpoint {
        Endpoint::Token => read_token_request(headers, body)
            .and_then(|request| token(serving()?, ctx, pool_id, &request)),
        Endpoint::Revoke => read_revoke_request(headers, body)
            .and_then(|request| revoke(serving()?, ctx, pool_id, &request)),
        Endpoint::UserInfo => bearer_token(headers).and_then(|token| {
            let claims = serving()?
                .user_info(ctx, token)
                .map_err(|e| OAuthError::from_grant(e, false))?;
            Ok(user_info_response(claims))
        }),
    };
    answer.unwrap_or_else(OAuthError::into_response)
}

/// What `endpoint` of pool `pool_id` answers for a backend that serves no grants.
fn no_grants(endpoint: Endpoint, pool_id: &str) -> OAuthError {
    match endpoint {
        Endpoint::Token | Endpoint::Revoke => {
            OAuthError::InvalidRequest(unsupported(pool_id).message)
        }
        Endpoint::UserInfo => OAuthError::InvalidToken("Invalid Access Token".into()),
    }
}

/// The token endpoint's answer to `request`: the tokens its grant earns.
fn token(
    cognito: &Cognito,
    ctx: &RequestContext,
    pool_id: &str,
    request: &TokenRequest,
) -> Result<Response<ResponseBody>, OAuthError> {
    let basic = request.basic;
    let client = ClientAuth {
        client_id: &request.client_id,
        secret: request.client_secret.as_deref(),
    };
    let tokens = match &request.grant {
        Grant::ClientCredentials => {
            let credentials = ClientCredentials {
                client_id: &request.client_id,
                secret: request.client_secret.as_deref().unwrap_or_default(),
                scopes: Some(&request.scopes),
                client_metadata: None,
            };
            return cognito
                .client_credentials_token(ctx, Some(pool_id), credentials)
                .map(|token| token_response(&token))
                .map_err(|e| OAuthError::from_core(e, basic));
        }
        Grant::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
        } => cognito.exchange_authorization_code(
            ctx,
            pool_id,
            client,
            CodeExchange {
                code,
                redirect_uri: redirect_uri.as_deref(),
                code_verifier: code_verifier.as_deref(),
            },
        ),
        Grant::RefreshToken(token) => cognito.refresh_token_grant(ctx, pool_id, client, token),
        Grant::TokenExchange(exchange) => {
            let exchange = derived_token_request(client, &request.scopes, exchange);
            return cognito
                .derived_token(ctx, Some(pool_id), exchange)
                .map(|issued| exchange_response(&issued))
                .map_err(|e| OAuthError::from_exchange(e, basic));
        }
    };
    tokens
        .map(|tokens| user_tokens_response(&tokens))
        .map_err(|e| OAuthError::from_grant(e, basic))
}

/// The revocation endpoint's answer to `request`.
fn revoke(
    cognito: &Cognito,
    ctx: &RequestContext,
    pool_id: &str,
    request: &RevokeRequest,
) -> Result<Response<ResponseBody>, OAuthError> {
    let client = ClientAuth {
        client_id: &request.client_id,
        secret: request.client_secret.as_deref(),
    };
    cognito
        .revoke_refresh_token(ctx, pool_id, client, &request.token)
        .map(|()| revoked_response())
        .map_err(|e| OAuthError::from_grant(e, request.basic))
}

/// A token request's failure, as RFC 6749 §5.2 names it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum OAuthError {
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
    /// A code or refresh token that does not do.
    InvalidGrant,
    /// A token exchange's audience or resource that no token can be issued for.
    InvalidTarget,
    /// A grant other than `client_credentials`, `authorization_code`, `refresh_token`
    /// and token exchange.
    UnsupportedGrantType,
    /// `revoke`: a token other than a refresh token.
    UnsupportedTokenType,
    /// `userInfo`: the bearer token is missing or does not do.
    InvalidToken(String),
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
            OAuthError::InvalidGrant => "invalid_grant",
            OAuthError::InvalidTarget => "invalid_target",
            OAuthError::UnsupportedGrantType => "unsupported_grant_type",
            OAuthError::UnsupportedTokenType => "unsupported_token_type",
            OAuthError::InvalidToken(_) => "invalid_token",
            OAuthError::ServerError => "server_error",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            OAuthError::InvalidClient { .. } | OAuthError::InvalidToken(_) => {
                StatusCode::UNAUTHORIZED
            }
            OAuthError::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// The error's JSON answer.
    fn into_response(self) -> Response<ResponseBody> {
        let mut body = serde_json::Map::new();
        body.insert("error".into(), json!(self.code()));
        if let OAuthError::InvalidRequest(description) | OAuthError::InvalidToken(description) =
            &self
        {
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
        if let OAuthError::InvalidToken(_) = self {
            response.headers_mut().insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
        }
        response
    }

    /// The error for core's refusal of a code, a refresh, a revocation or `userInfo`.
    fn from_grant(e: GrantError, basic: bool) -> Self {
        match e {
            GrantError::InvalidClient => OAuthError::InvalidClient { basic },
            GrantError::UnauthorizedClient => OAuthError::UnauthorizedClient,
            GrantError::InvalidGrant(_) => OAuthError::InvalidGrant,
            GrantError::UnsupportedTokenType => OAuthError::UnsupportedTokenType,
            GrantError::InvalidToken(why) => OAuthError::InvalidToken(why),
            GrantError::Failed(e) if e.kind == ErrorKind::InternalErrorException => {
                OAuthError::ServerError
            }
            GrantError::Failed(e) => OAuthError::InvalidRequest(e.message),
        }
    }

    /// The token endpoint's error for core's refusal.
    fn from_core(e: ClientTokenError, basic: bool) -> Self {
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

    /// The token endpoint's error for core's refusal of a token exchange (RFC 8693
    /// §2.2.2: a subject or actor token that does not do is `invalid_request`).
    fn from_exchange(e: DerivedTokenError, basic: bool) -> Self {
        match e {
            DerivedTokenError::UnknownClient(_) | DerivedTokenError::BadSecret(_) => {
                OAuthError::InvalidClient { basic }
            }
            DerivedTokenError::NotEnabled(_) => OAuthError::UnauthorizedClient,
            DerivedTokenError::InvalidRequest(why) => OAuthError::InvalidRequest(why),
            DerivedTokenError::InvalidToken(e) => OAuthError::InvalidRequest(e.message),
            DerivedTokenError::InvalidScope(_) => OAuthError::InvalidScope,
            DerivedTokenError::InvalidTarget(_) => OAuthError::InvalidTarget,
            DerivedTokenError::Failed(e) if e.kind == ErrorKind::InternalErrorException => {
                OAuthError::ServerError
            }
            DerivedTokenError::Failed(e) => OAuthError::InvalidRequest(e.message),
        }
    }
}

/// What a token request carries.
#[derive(Clone, PartialEq, Eq)]
struct TokenRequest {
    pub(crate) client_id: String,
    /// The secret sent, if any (always, for `client_credentials`).
    pub(crate) client_secret: Option<String>,
    /// The scopes asked for (`scope`, space-separated); none when absent.
    pub(crate) scopes: Vec<String>,
    /// Whether the client authenticated with `Authorization: Basic`.
    pub(crate) basic: bool,
    /// The grant and what it presents.
    pub(crate) grant: Grant,
}

/// A token request's grant.
#[derive(Clone, PartialEq, Eq)]
enum Grant {
    ClientCredentials,
    AuthorizationCode {
        code: String,
        redirect_uri: Option<String>,
        code_verifier: Option<String>,
    },
    RefreshToken(String),
    /// Token exchange (RFC 8693 §2.1).
    TokenExchange(Box<Exchange>),
}

/// What a token exchange presents and asks for, besides the client and the scopes.
#[derive(Clone, PartialEq, Eq)]
struct Exchange {
    /// `subject_token` and its type.
    pub(crate) subject: (String, TokenTypeIdentifierType),
    /// `actor_token` and its type, in a delegation.
    pub(crate) actor: Option<(String, TokenTypeIdentifierType)>,
    /// `requested_token_type`.
    pub(crate) requested: Option<IssuedTokenTypeIdentifierType>,
    /// `audience`, each time it is given.
    pub(crate) audiences: Vec<String>,
    /// `resource`, each time it is given.
    pub(crate) resources: Vec<String>,
}

/// The grant type of token exchange (RFC 8693 §2.1).
const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";

/// RFC 8693 §3's identifier of access tokens.
const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
/// RFC 8693 §3's identifier of ID tokens.
const ID_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:id_token";

/// The token type identifiers (RFC 8693 §3) of the tokens Cognito exchanges, and the
/// API's names for them.
const TOKEN_TYPES: [(&str, TokenTypeIdentifierType); 3] = [
    (ACCESS_TOKEN_TYPE, TokenTypeIdentifierType::AccessToken),
    (ID_TOKEN_TYPE, TokenTypeIdentifierType::IdToken),
    (
        "urn:ietf:params:oauth:token-type:saml2",
        TokenTypeIdentifierType::Saml2,
    ),
];

/// The token type `urn` (form parameter `name`) identifies.
fn token_type(name: &str, urn: &str) -> Result<TokenTypeIdentifierType, OAuthError> {
    TOKEN_TYPES
        .iter()
        .find(|(u, _)| *u == urn)
        .map(|(_, t)| *t)
        .ok_or_else(|| OAuthError::InvalidRequest(format!("{name} {urn} is not supported.")))
}

/// The exchange core makes of a token request's `exchange`, by `client` for `scopes`.
fn derived_token_request<'a>(
    client: ClientAuth<'a>,
    scopes: &'a [String],
    exchange: &'a Exchange,
) -> DerivedTokenRequest<'a> {
    let presented = |(token, kind): &'a (String, TokenTypeIdentifierType)| Presented {
        token,
        kind: *kind,
        provider: None,
    };
    DerivedTokenRequest {
        client,
        subject: presented(&exchange.subject),
        actor: exchange.actor.as_ref().map(presented),
        requested: exchange.requested,
        audiences: &exchange.audiences,
        resources: &exchange.resources,
        scopes: Some(scopes),
    }
}

/// Reads a token exchange's parameters (RFC 8693 §2.1).
fn read_exchange(form: &Form) -> Result<Exchange, OAuthError> {
    let subject = form.required("subject_token")?.to_owned();
    let subject_type = token_type("subject_token_type", form.required("subject_token_type")?)?;
    let actor = match (form.param("actor_token")?, form.param("actor_token_type")?) {
        (Some(token), Some(urn)) => Some((token.to_owned(), token_type("actor_token_type", urn)?)),
        (None, None) => None,
        (Some(_), None) => {
            return Err(OAuthError::InvalidRequest(
                "actor_token_type is missing.".into(),
            ))
        }
        (None, Some(_)) => {
            return Err(OAuthError::InvalidRequest("actor_token is missing.".into()))
        }
    };
    let requested = match form.param("requested_token_type")? {
        None => None,
        Some(urn) => Some(match token_type("requested_token_type", urn)? {
            TokenTypeIdentifierType::AccessToken => IssuedTokenTypeIdentifierType::AccessToken,
            TokenTypeIdentifierType::IdToken => IssuedTokenTypeIdentifierType::IdToken,
            TokenTypeIdentifierType::Saml2 => {
                return Err(OAuthError::InvalidRequest(format!(
                    "requested_token_type {urn} can't be issued."
                )))
            }
        }),
    };
    Ok(Exchange {
        subject: (subject, subject_type),
        actor,
        requested,
        audiences: form.all("audience"),
        resources: form.all("resource"),
    })
}

impl std::fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let grant = match &self.grant {
            Grant::ClientCredentials => "client_credentials",
            Grant::AuthorizationCode { .. } => "authorization_code",
            Grant::RefreshToken(_) => "refresh_token",
            Grant::TokenExchange(_) => TOKEN_EXCHANGE,
        };
        f.debug_struct("TokenRequest")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("scopes", &self.scopes)
            .field("basic", &self.basic)
            .field("grant", &grant)
            .finish()
    }
}

/// A form's parameters, each at most once.
struct Form(Vec<(String, String)>);

impl Form {
    fn param(&self, name: &str) -> Result<Option<&str>, OAuthError> {
        let mut values = self.0.iter().filter(|(n, _)| n == name).map(|(_, v)| v);
        let first = values.next();
        if values.next().is_some() {
            return Err(OAuthError::InvalidRequest(format!(
                "The parameter {name} is repeated."
            )));
        }
        Ok(first.map(String::as_str))
    }

    /// Every value of a parameter that may be repeated, in order.
    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    fn required(&self, name: &str) -> Result<&str, OAuthError> {
        self.param(name)?
            .ok_or_else(|| OAuthError::InvalidRequest(format!("{name} is missing.")))
    }
}

/// Reads an `application/x-www-form-urlencoded` request's form.
fn read_form(headers: &HeaderMap, body: &[u8]) -> Result<Form, OAuthError> {
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
    Ok(Form(parse_form(body)?))
}

/// The client a request authenticates as: `Authorization: Basic`, or `client_id` and
/// `client_secret` in the form, never both; `(id, secret, basic)`.
fn client_auth(
    headers: &HeaderMap,
    form: &Form,
) -> Result<(String, Option<String>, bool), OAuthError> {
    let posted_id = form.param("client_id")?;
    let posted_secret = form.param("client_secret")?;
    match basic_credentials(headers)? {
        Some((id, secret)) => {
            if posted_secret.is_some() || posted_id.is_some_and(|p| p != id) {
                return Err(OAuthError::InvalidRequest(
                    "The client authenticated in more than one way.".into(),
                ));
            }
            Ok((id, Some(secret), true))
        }
        None => match posted_id {
            Some(id) => Ok((id.to_owned(), posted_secret.map(str::to_owned), false)),
            None => Err(OAuthError::InvalidClient { basic: false }),
        },
    }
}

/// A revocation request (RFC 7009 §2.1): the token, and the client.
#[derive(Clone, PartialEq, Eq)]
struct RevokeRequest {
    pub(crate) token: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: Option<String>,
    pub(crate) basic: bool,
}

/// Reads a revocation request: its form `body` and its `Authorization` header.
fn read_revoke_request(headers: &HeaderMap, body: &[u8]) -> Result<RevokeRequest, OAuthError> {
    let form = read_form(headers, body)?;
    let token = form.required("token")?.to_owned();
    let (client_id, client_secret, basic) = client_auth(headers, &form)?;
    Ok(RevokeRequest {
        token,
        client_id,
        client_secret,
        basic,
    })
}

/// The bearer token of a `userInfo` request (RFC 6750 §2.1).
fn bearer_token(headers: &HeaderMap) -> Result<&str, OAuthError> {
    let missing = || OAuthError::InvalidToken("Access token is missing.".into());
    let value = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(missing)?;
    let (scheme, token) = value.trim().split_once(' ').ok_or_else(missing)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(missing());
    }
    Ok(token.trim())
}

/// Reads a token request: its form `body` and its `Authorization` header.
fn read_token_request(headers: &HeaderMap, body: &[u8]) -> Result<TokenRequest, OAuthError> {
    let form = read_form(headers, body)?;
    let grant_type = form.required("grant_type")?;
    let (client_id, client_secret, basic) = client_auth(headers, &form)?;
    let grant = match grant_type {
        "client_credentials" => {
            if client_secret.is_none() {
                return Err(OAuthError::InvalidClient { basic });
            }
            Grant::ClientCredentials
        }
        "authorization_code" => Grant::AuthorizationCode {
            code: form.required("code")?.to_owned(),
            redirect_uri: form.param("redirect_uri")?.map(str::to_owned),
            code_verifier: form.param("code_verifier")?.map(str::to_owned),
        },
        "refresh_token" => Grant::RefreshToken(form.required("refresh_token")?.to_owned()),
        TOKEN_EXCHANGE => Grant::TokenExchange(Box::new(read_exchange(&form)?)),
        _ => return Err(OAuthError::UnsupportedGrantType),
    };
    let scopes = form
        .param("scope")?
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
        grant,
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
fn token_response(token: &ClientToken) -> Response<ResponseBody> {
    json_response(
        StatusCode::OK,
        &json!({
            "access_token": token.access_token,
            "expires_in": token.expires_in,
            "token_type": "Bearer",
        }),
    )
}

/// The token endpoint's answer for a user's `tokens` (RFC 6749 §5.1, OpenID Connect
/// Core §3.1.3.3), never cached.
fn user_tokens_response(tokens: &OAuthTokens) -> Response<ResponseBody> {
    let mut body = serde_json::Map::new();
    if let Some(id) = &tokens.id_token {
        body.insert("id_token".into(), json!(id));
    }
    body.insert("access_token".into(), json!(tokens.access_token));
    if let Some(refresh) = &tokens.refresh_token {
        body.insert("refresh_token".into(), json!(refresh));
    }
    body.insert("expires_in".into(), json!(tokens.expires_in));
    body.insert("token_type".into(), json!("Bearer"));
    json_response(StatusCode::OK, &Value::Object(body))
}

/// A token exchange's answer (RFC 8693 §2.2.1), never cached: the issued token travels
/// as `access_token` whatever it is, and one that is no access token has the
/// `token_type` `N_A`.
fn exchange_response(issued: &DerivedToken) -> Response<ResponseBody> {
    let mut body = serde_json::Map::new();
    body.insert("access_token".into(), json!(issued.token));
    let (issued_type, token_type) = match issued.kind {
        IssuedTokenTypeIdentifierType::AccessToken => (ACCESS_TOKEN_TYPE, "Bearer"),
        IssuedTokenTypeIdentifierType::IdToken => (ID_TOKEN_TYPE, "N_A"),
    };
    body.insert("issued_token_type".into(), json!(issued_type));
    body.insert("token_type".into(), json!(token_type));
    body.insert("expires_in".into(), json!(issued.expires_in));
    if let Some(scopes) = &issued.scopes {
        body.insert("scope".into(), json!(scopes.join(" ")));
    }
    json_response(StatusCode::OK, &Value::Object(body))
}

/// `revoke`'s answer: 200 and nothing (RFC 7009 §2.2).
fn revoked_response() -> Response<ResponseBody> {
    let mut response = Response::new(Full::new(Bytes::new()));
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `userInfo`'s answer: the user's claims.
fn user_info_response(claims: serde_json::Map<String, Value>) -> Response<ResponseBody> {
    json_response(StatusCode::OK, &Value::Object(claims))
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
