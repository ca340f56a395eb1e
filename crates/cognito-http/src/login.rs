//! The managed login of pools' domains: `GET /oauth2/authorize`, the sign-in, challenge,
//! sign-up, confirmation and forgotten-password pages, `GET /logout`, and the endpoints
//! identity providers answer at (`/oauth2/idpresponse`, `POST /saml2/idpresponse`), as
//! Cognito serves them on a pool's domain (named by `Host`, or by the path prefix
//! `/<domain>/login`, as for the OAuth 2.0 endpoints).
//!
//! The pages are plain HTML forms, drawn by [`pages`]; every form carries the
//! authorization request in its URL's query, as Cognito's pages do, so each step checks
//! it again. A signed-in browser keeps a session cookie (`cognito`, an hour); with it,
//! `/oauth2/authorize` answers at once unless `prompt=login`. Forms are protected from
//! cross-site posts by a double-submitted token (the `XSRF-TOKEN` cookie and the form's
//! `_csrf` field must match) on top of `SameSite=Lax` cookies, except what identity
//! providers post (their state, or a signed SAML response, protects it); cookies are `HttpOnly`,
//! and `Secure` when the request came over HTTPS. Nothing is ever redirected to an
//! address that is not one of the client's callback or sign-out URLs.
//!
//! What the pages do is core's (`cognito_core::auth::hosted`); this module reads forms,
//! draws pages and words redirects.

mod accounts;
mod federation;
mod pages;
mod sign_in;

use std::collections::BTreeMap;

use bytes::Bytes;
use cognito_core::auth::hosted::{
    Authorization, AuthorizeError, AuthorizeRequest, Granted, HostedStep, LoginPage, ResponseType,
    SignedIn,
};
use cognito_core::federation::{
    Federated, FederationError, FederationReturn, FederationStart, SamlReturn, Unsolicited,
};
use cognito_core::{Cognito, Random, RequestContext};
use cognito_model::shapes::*;
use cognito_model::{CognitoError, CognitoIdentityProvider, ErrorKind, OperationError};
use http::header::{
    HeaderMap, HeaderValue, CACHE_CONTROL, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE,
};
use http::{Method, Response, StatusCode};
use http_body_util::Full;

use crate::service::ResponseBody;
use pages::{Form, Notice};

/// The pages and endpoints of the managed login, by their paths on a pool's domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Page {
    /// `GET /oauth2/authorize`.
    Authorize,
    /// `/login`: the sign-in page.
    Login,
    /// `POST /challenge`: an answer to a sign-in's challenge.
    Challenge,
    /// `/signup`.
    SignUp,
    /// `POST /confirm`: a sign-up's confirmation code.
    Confirm,
    /// `/forgotPassword`.
    ForgotPassword,
    /// `POST /confirmForgotPassword`: the code and the new password.
    ConfirmForgotPassword,
    /// `GET /logout`.
    Logout,
    /// `/oauth2/idpresponse`: an identity provider sends the browser back (`GET`), or
    /// posts its answer (`POST`, Sign in with Apple's `form_post`).
    IdpResponse,
    /// `POST /saml2/idpresponse`: a SAML identity provider posts its response (the
    /// assertion consumer service).
    SamlResponse,
    /// `POST /passkey`: a sign-in with a passkey begins.
    Passkey,
}

impl Page {
    const ALL: [Page; 11] = [
        Page::Authorize,
        Page::Login,
        Page::Challenge,
        Page::SignUp,
        Page::Confirm,
        Page::ForgotPassword,
        Page::ConfirmForgotPassword,
        Page::Logout,
        Page::IdpResponse,
        Page::SamlResponse,
        Page::Passkey,
    ];

    /// Its path on a pool's domain.
    pub(crate) fn path(self) -> &'static str {
        match self {
            Page::Authorize => "/oauth2/authorize",
            Page::Login => "/login",
            Page::Challenge => "/challenge",
            Page::SignUp => "/signup",
            Page::Confirm => "/confirm",
            Page::ForgotPassword => "/forgotPassword",
            Page::ConfirmForgotPassword => "/confirmForgotPassword",
            Page::Logout => "/logout",
            Page::IdpResponse => "/oauth2/idpresponse",
            Page::SamlResponse => "/saml2/idpresponse",
            Page::Passkey => "/passkey",
        }
    }

    /// Whether it answers `method`.
    fn answers(self, method: &Method) -> bool {
        match self {
            Page::Authorize | Page::Logout => method == Method::GET,
            Page::Challenge
            | Page::Confirm
            | Page::ConfirmForgotPassword
            | Page::Passkey
            | Page::SamlResponse => method == Method::POST,
            Page::Login | Page::SignUp | Page::ForgotPassword | Page::IdpResponse => {
                method == Method::GET || method == Method::POST
            }
        }
    }
}

/// The page `method` and `path` reach: `/<page>` or `/<domain>/<page>`.
pub(crate) fn page_of(method: &Method, path: &str) -> Option<Page> {
    Page::ALL
        .into_iter()
        .find(|p| path == p.path() || prefixed_domain(path, p.path()).is_some())
        .filter(|p| p.answers(method))
}

/// `<domain>` of `/<domain><suffix>`.
fn prefixed_domain<'p>(path: &'p str, suffix: &str) -> Option<&'p str> {
    let domain = path.strip_prefix('/')?.strip_suffix(suffix)?;
    (!domain.is_empty() && !domain.contains('/')).then_some(domain)
}

/// The domain a page's path names in its prefix, if any.
pub(crate) fn path_domain(path: &str) -> Option<&str> {
    Page::ALL
        .into_iter()
        .find_map(|p| prefixed_domain(path, p.path()))
}

/// The session cookie of a signed-in browser.
const SESSION_COOKIE: &str = "cognito";
/// The cookie a form's `_csrf` field must match.
const CSRF_COOKIE: &str = "XSRF-TOKEN";

/// One page request, read.
#[derive(Clone)]
pub(crate) struct PageRequest<'a> {
    pub(crate) page: Page,
    pub(crate) method: &'a Method,
    pub(crate) headers: &'a HeaderMap,
    /// The URL's query, as sent.
    pub(crate) query: &'a str,
    /// The form posted, if any.
    pub(crate) body: &'a [u8],
    /// Where the pages live: `""` on the domain's own host, `/<domain>` under a prefix.
    pub(crate) base: String,
    /// Whether the request came over HTTPS.
    pub(crate) https: bool,
}

/// What a page answers: the response, and the cookies it sets.
struct Answer {
    /// The nonce a page's script runs with.
    nonce: Option<String>,
    status: StatusCode,
    body: Option<String>,
    location: Option<String>,
    cookies: Vec<String>,
}

impl Answer {
    fn page(status: StatusCode, html: String) -> Self {
        Answer {
            nonce: None,
            status,
            body: Some(html),
            location: None,
            cookies: Vec::new(),
        }
    }

    fn redirect(location: String) -> Self {
        Answer {
            nonce: None,
            status: StatusCode::FOUND,
            body: None,
            location: Some(location),
            cookies: Vec::new(),
        }
    }

    fn into_response(self) -> Response<ResponseBody> {
        let mut response = Response::new(Full::new(Bytes::from(self.body.unwrap_or_default())));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        let script = self
            .nonce
            .map(|n| format!(" script-src 'nonce-{n}';"))
            .unwrap_or_default();
        let policy = format!(
            "default-src 'none';{script} style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
        );
        if let Ok(policy) = HeaderValue::from_str(&policy) {
            headers.insert("content-security-policy", policy);
        }
        headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
        headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
        if let Some(location) = self.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
            headers.insert(LOCATION, location);
        }
        for cookie in self.cookies {
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                headers.append(SET_COOKIE, value);
            }
        }
        response
    }
}

/// Answers page request `request` of pool `pool_id`; blocks on the pool's functions and
/// on cryptography.
pub(crate) fn answer(
    cognito: &Cognito,
    random: &dyn Random,
    ctx: &RequestContext,
    pool_id: &str,
    request: &PageRequest<'_>,
) -> Response<ResponseBody> {
    let query = parse(request.query.as_bytes());
    let form = parse(request.body);
    let flow = Flow {
        cognito,
        ctx,
        pool_id,
        request,
        query: &query,
        form: &form,
        csrf: csrf_token(random, request.headers),
        nonce: new_token(random),
    };
    let mut answer = flow.answer();
    answer.nonce = Some(flow.nonce.clone());
    // Every page's form needs the cookie its `_csrf` field matches.
    if answer.body.is_some() && cookie(request.headers, CSRF_COOKIE) != Some(flow.csrf.as_str()) {
        answer
            .cookies
            .push(set_cookie(CSRF_COOKIE, &flow.csrf, request, None));
    }
    answer.into_response()
}

/// A form's or a query's fields.
type Fields = Vec<(String, String)>;

fn parse(bytes: &[u8]) -> Fields {
    url::form_urlencoded::parse(bytes).into_owned().collect()
}

fn field<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The value of cookie `name` in `headers`.
fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Lax`, for the pages' path, `Secure` over
/// HTTPS; `max_age` seconds, or `0` to clear it, or a session cookie.
fn set_cookie(name: &str, value: &str, request: &PageRequest<'_>, max_age: Option<i64>) -> String {
    let path = if request.base.is_empty() {
        "/"
    } else {
        request.base.as_str()
    };
    let mut cookie = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    if request.https {
        cookie.push_str("; Secure");
    }
    cookie
}

/// The browser's CSRF token, or a new one.
fn csrf_token(random: &dyn Random, headers: &HeaderMap) -> String {
    match cookie(headers, CSRF_COOKIE) {
        Some(token) if token.len() == 43 && token.bytes().all(is_token_byte) => token.to_owned(),
        _ => new_token(random),
    }
}

/// 32 random bytes, base64url: 43 characters.
fn new_token(random: &dyn Random) -> String {
    use base64::Engine as _;
    let mut bytes = [0u8; 32];
    random.fill(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// One page request in progress.
struct Flow<'a> {
    cognito: &'a Cognito,
    ctx: &'a RequestContext,
    pool_id: &'a str,
    request: &'a PageRequest<'a>,
    query: &'a Fields,
    form: &'a Fields,
    /// The CSRF token the page's forms carry.
    csrf: String,
    /// The nonce of the page's script, if it has one (`Content-Security-Policy`).
    nonce: String,
}

impl Flow<'_> {
    fn answer(&self) -> Answer {
        match self.request.page {
            Page::Logout => return self.logout(),
            Page::IdpResponse => return self.idp_response(),
            Page::SamlResponse => return self.saml_response(),
            _ => {}
        }
        let (authorization, page) = match self.authorization() {
            Ok(checked) => checked,
            Err(refused) => return self.refused(refused),
        };
        let posted = *self.request.method == Method::POST;
        if posted && !self.csrf_ok() {
            return self.error_page(
                StatusCode::FORBIDDEN,
                "The form has expired or did not come from this page. Go back and try again.",
            );
        }
        let view = View {
            flow: self,
            page: &page,
        };
        match (self.request.page, posted) {
            (Page::Authorize, _) => self.authorize(&authorization),
            (Page::Login, false) => view.draw(Form::SignIn { username: "" }, None),
            (Page::Login, true) => self.sign_in(&authorization, &view),
            (Page::Challenge, _) => self.challenge(&authorization, &view),
            (Page::Passkey, _) => self.passkey(&authorization, &view),
            (Page::SignUp, false) if page.self_sign_up => view.draw(Form::SignUp, None),
            (Page::SignUp, true) if page.self_sign_up => self.sign_up(&authorization, &view),
            (Page::SignUp, _) => self.error_page(
                StatusCode::BAD_REQUEST,
                "Sign-up is not allowed for this app.",
            ),
            (Page::Confirm, _) => self.confirm(&authorization, &view),
            (Page::ForgotPassword, false) => view.draw(Form::ForgotPassword, None),
            (Page::ForgotPassword, true) => self.forgot_password(&view),
            (Page::ConfirmForgotPassword, _) => self.confirm_forgot_password(&view),
            (Page::Logout | Page::IdpResponse | Page::SamlResponse, _) => {
                self.error_page(StatusCode::NOT_FOUND, "There is no such page.")
            }
        }
    }

    fn authorization(&self) -> Result<(Authorization, LoginPage), AuthorizeError> {
        let q = |name| field(self.query, name);
        self.cognito.check_authorize_request(
            self.pool_id,
            AuthorizeRequest {
                client_id: q("client_id"),
                redirect_uri: q("redirect_uri"),
                response_type: q("response_type"),
                scope: q("scope"),
                state: q("state"),
                nonce: q("nonce"),
                code_challenge: q("code_challenge"),
                code_challenge_method: q("code_challenge_method"),
                identity_provider: q("identity_provider"),
                idp_identifier: q("idp_identifier"),
            },
        )
    }

    fn csrf_ok(&self) -> bool {
        use subtle::ConstantTimeEq;
        match (
            cookie(self.request.headers, CSRF_COOKIE),
            field(self.form, "_csrf"),
        ) {
            (Some(cookie), Some(sent)) if !cookie.is_empty() => {
                bool::from(cookie.as_bytes().ct_eq(sent.as_bytes()))
            }
            _ => false,
        }
    }

    /// A refused authorization request: shown, or sent to the checked redirect URI.
    fn refused(&self, refused: AuthorizeError) -> Answer {
        match refused {
            AuthorizeError::Shown { error, description } => {
                self.error_page(StatusCode::BAD_REQUEST, &format!("{description} ({error})"))
            }
            AuthorizeError::Redirected {
                redirect_uri,
                response_type,
                state,
                error,
                description,
            } => {
                let mut params = vec![("error", error.to_owned())];
                params.push(("error_description", description));
                if let Some(state) = state {
                    params.push(("state", state));
                }
                Answer::redirect(with_params(&redirect_uri, response_type, &params))
            }
        }
    }

    /// `GET /oauth2/authorize`: at once for a signed-in browser, else the sign-in page.
    fn authorize(&self, authorization: &Authorization) -> Answer {
        let prompt = field(self.query, "prompt").unwrap_or_default();
        let signed_in = cookie(self.request.headers, SESSION_COOKIE)
            .filter(|_| !prompt.split(' ').any(|p| p == "login"))
            .and_then(|token| self.cognito.login_session(self.ctx, self.pool_id, token));
        if let Some(signed_in) = signed_in {
            return self.grant(authorization, &signed_in, None);
        }
        if prompt.split(' ').any(|p| p == "none") {
            return self.refused(AuthorizeError::Redirected {
                redirect_uri: authorization.redirect_uri.clone(),
                response_type: authorization.response_type,
                state: authorization.state.clone(),
                error: "login_required",
                description: "The browser is not signed in.".into(),
            });
        }
        if let Some(provider) = &authorization.identity_provider {
            return self.federate(authorization, provider);
        }
        Answer::redirect(self.url(Page::Login))
    }

    /// The address of `page`, with the authorization request's query.
    fn url(&self, page: Page) -> String {
        format!(
            "{}{}?{}",
            self.request.base,
            page.path(),
            self.request.query
        )
    }

    /// A finished sign-in: the browser's session begins, and the authorization ends.
    fn signed_in(&self, authorization: &Authorization, signed_in: &SignedIn) -> Answer {
        match self
            .cognito
            .begin_login_session(self.ctx, self.pool_id, signed_in)
        {
            Ok(token) => self.grant(authorization, signed_in, Some(token)),
            Err(e) => self.failed(e),
        }
    }

    /// Ends `authorization` with a redirect carrying its code or tokens; sets the
    /// session cookie `token` when given.
    fn grant(
        &self,
        authorization: &Authorization,
        signed_in: &SignedIn,
        token: Option<String>,
    ) -> Answer {
        let granted = self
            .cognito
            .grant(self.ctx, self.pool_id, authorization, signed_in);
        let mut params: Vec<(&str, String)> = match granted {
            Ok(Granted::Code(code)) => vec![("code", code)],
            Ok(Granted::Tokens(tokens)) => {
                let mut params = vec![("access_token", tokens.access_token)];
                if let Some(id) = tokens.id_token {
                    params.push(("id_token", id));
                }
                params.push(("token_type", "Bearer".into()));
                params.push(("expires_in", tokens.expires_in.to_string()));
                params
            }
            Err(e) => {
                let error = if e.kind == ErrorKind::InternalErrorException {
                    "server_error"
                } else {
                    "access_denied"
                };
                vec![("error", error.into()), ("error_description", e.message)]
            }
        };
        if let Some(state) = &authorization.state {
            params.push(("state", state.clone()));
        }
        let mut answer = Answer::redirect(with_params(
            &authorization.redirect_uri,
            authorization.response_type,
            &params,
        ));
        if let Some(token) = token {
            let age = cognito_core::auth::hosted::LOGIN_SESSION_SECONDS;
            answer
                .cookies
                .push(set_cookie(SESSION_COOKIE, &token, self.request, Some(age)));
        }
        answer
    }

    /// `GET /logout`: ends the browser's session, then goes to a sign-out URL of the
    /// client, or signs in again.
    fn logout(&self) -> Answer {
        let q = |name| field(self.query, name);
        let client_id = q("client_id").unwrap_or_default();
        let next = match q("logout_uri") {
            Some(logout_uri) => self
                .cognito
                .check_logout(self.pool_id, client_id, logout_uri)
                .map(|()| logout_uri.to_owned()),
            None => self
                .authorization()
                .map(|_| self.url(Page::Login))
                .map_err(|e| match e {
                    AuthorizeError::Shown { description, .. }
                    | AuthorizeError::Redirected { description, .. } => description,
                }),
        };
        match next {
            Ok(location) => {
                if let Some(token) = cookie(self.request.headers, SESSION_COOKIE) {
                    self.cognito.end_login_session(self.pool_id, token);
                }
                let mut answer = Answer::redirect(location);
                answer
                    .cookies
                    .push(set_cookie(SESSION_COOKIE, "", self.request, Some(0)));
                answer
            }
            Err(description) => self.error_page(StatusCode::BAD_REQUEST, &description),
        }
    }

    fn failed(&self, e: CognitoError) -> Answer {
        self.error_page(StatusCode::BAD_REQUEST, &message_of(&e))
    }

    fn error_page(&self, status: StatusCode, message: &str) -> Answer {
        Answer::page(status, pages::error(message))
    }
}

/// Draws the forms of one client's pages.
struct View<'a> {
    flow: &'a Flow<'a>,
    page: &'a LoginPage,
}

impl View<'_> {
    fn draw(&self, form: Form<'_>, notice: Option<Notice>) -> Answer {
        let flow = self.flow;
        let links = pages::Links {
            base: &flow.request.base,
            query: flow.request.query,
            csrf: &flow.csrf,
            nonce: &flow.nonce,
        };
        Answer::page(StatusCode::OK, pages::page(self.page, &links, form, notice))
    }
}

/// The words a sign-in's failure is shown with.
fn sign_in_error(e: &CognitoError) -> Notice {
    Notice::Error(match e.kind {
        ErrorKind::NotAuthorizedException | ErrorKind::UserNotFoundException => {
            if e.message.contains("attempts exceeded") {
                "Too many failed attempts. Try again later.".into()
            } else if e.message.contains("disabled") {
                "This user is disabled.".into()
            } else if e.message.contains("session") || e.message.contains("expired") {
                "Your sign-in took too long. Sign in again.".into()
            } else {
                "Incorrect username or password.".into()
            }
        }
        _ => e.message.clone(),
    })
}

fn message_of(e: &CognitoError) -> String {
    e.message.clone()
}

/// An operation's failure, as core words it.
fn core_error(e: OperationError) -> CognitoError {
    match e {
        OperationError::Cognito(e) => e,
        OperationError::NotImplemented(op) => CognitoError::new(
            ErrorKind::InternalErrorException,
            format!("{} is not available.", op.name()),
        ),
    }
}

/// `uri` with `params` added to its query (`code`) or its fragment (`token`).
fn with_params(uri: &str, response_type: ResponseType, params: &[(&str, String)]) -> String {
    let mut encoded = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        encoded.append_pair(name, value);
    }
    let encoded = encoded.finish();
    match response_type {
        ResponseType::Token => format!("{uri}#{encoded}"),
        ResponseType::Code if uri.contains('?') => format!("{uri}&{encoded}"),
        ResponseType::Code => format!("{uri}?{encoded}"),
    }
}

#[cfg(test)]
mod tests;
