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

mod pages;

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

    /// Sends the browser to identity provider `provider`, to come back to
    /// `/oauth2/idpresponse` (a SAML provider: `/saml2/idpresponse`) and finish
    /// `authorization` there.
    fn federate(&self, authorization: &Authorization, provider: &str) -> Answer {
        let (Some(callback), Some(acs)) = (
            self.absolute_url(Page::IdpResponse),
            self.absolute_url(Page::SamlResponse),
        ) else {
            return self.error_page(StatusCode::BAD_REQUEST, "The request names no host.");
        };
        let started = self.cognito.start_federation(
            self.ctx,
            FederationStart {
                pool_id: self.pool_id,
                client_id: &authorization.client_id,
                provider_name: provider,
                callback_url: &callback,
                acs_url: &acs,
                resume: self.request.query.to_owned(),
            },
        );
        match started {
            Ok(url) => Answer::redirect(url),
            Err(e) => self.refused(AuthorizeError::Redirected {
                redirect_uri: authorization.redirect_uri.clone(),
                response_type: authorization.response_type,
                state: authorization.state.clone(),
                error: "invalid_request",
                description: e.message,
            }),
        }
    }

    /// The address of endpoint `page` as the browser reaches it: scheme, `Host`, the
    /// pages' base; `None` when the request names no host.
    fn absolute_url(&self, page: Page) -> Option<String> {
        let host = self
            .request
            .headers
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())?;
        let scheme = if self.request.https { "https" } else { "http" };
        Some(format!(
            "{scheme}://{host}{}{}",
            self.request.base,
            page.path()
        ))
    }

    /// `/oauth2/idpresponse`: the provider's answer, in the query (`GET`) or a form it
    /// posted (`POST`, as Sign in with Apple answers with `response_mode=form_post`),
    /// finishes the federated sign-in, then the authorization request that started it.
    /// A posted answer carries no CSRF token: its `state`, which works once, is what
    /// ties it to the sign-in.
    fn idp_response(&self) -> Answer {
        let fields = if *self.request.method == Method::POST {
            self.form
        } else {
            self.query
        };
        let q = |name| field(fields, name);
        let finished = self.cognito.finish_federation(
            self.ctx,
            self.pool_id,
            FederationReturn {
                state: q("state").unwrap_or_default(),
                code: q("code"),
                error: q("error"),
                error_description: q("error_description"),
            },
        );
        self.resume(finished)
    }

    /// `POST /saml2/idpresponse`: a SAML provider's response (HTTP-POST binding)
    /// finishes the sign-in its `RelayState` names, or, IdP-initiated, the
    /// authorization request the `RelayState` holds. No CSRF token: the provider posts
    /// it from its own page; the signed response answering the pool's request (or a
    /// provider that allows IdP-initiated sign-in) is what protects it.
    fn saml_response(&self) -> Answer {
        let relay_state = field(self.form, "RelayState");
        let relayed = relay_state.unwrap_or_default();
        let unsolicited = if field(&parse(relayed.as_bytes()), "client_id").is_some() {
            match self.on_request(relayed, |flow| flow.authorization()) {
                Ok((authorization, _)) => Some(authorization),
                Err(refused) => return self.refused(refused),
            }
        } else {
            None
        };
        let Some(acs) = self.absolute_url(Page::SamlResponse) else {
            return self.error_page(StatusCode::BAD_REQUEST, "The request names no host.");
        };
        let finished = self.cognito.finish_saml_federation(
            self.ctx,
            self.pool_id,
            SamlReturn {
                saml_response: field(self.form, "SAMLResponse").unwrap_or_default(),
                relay_state,
                unsolicited: unsolicited.as_ref().map(|authorization| Unsolicited {
                    client_id: &authorization.client_id,
                    provider_name: authorization.identity_provider.as_deref(),
                    acs_url: &acs,
                }),
            },
        );
        self.resume(finished)
    }

    /// A finished (or failed) federated sign-in resumes the authorization request it
    /// carries: checked again, then answered with the user signed in or with the error.
    fn resume(&self, finished: Result<Federated, FederationError>) -> Answer {
        let (resume, outcome) = match finished {
            Ok(federated) => (federated.resume.clone(), Ok(federated)),
            Err(FederationError {
                error,
                resume: Some(resume),
            }) => (resume, Err(error)),
            Err(FederationError {
                error,
                resume: None,
            }) => return self.error_page(StatusCode::BAD_REQUEST, &error.message),
        };
        self.on_request(&resume, |flow| {
            let authorization = match flow.authorization() {
                Ok((authorization, _)) => authorization,
                Err(refused) => return flow.refused(refused),
            };
            let signed_in = outcome
                .and_then(|federated| self.cognito.signed_in_as(self.pool_id, &federated.username));
            match signed_in {
                Ok(signed_in) => flow.signed_in(&authorization, &signed_in),
                Err(e) => flow.refused(AuthorizeError::Redirected {
                    redirect_uri: authorization.redirect_uri,
                    response_type: authorization.response_type,
                    state: authorization.state,
                    error: "invalid_request",
                    description: e.message,
                }),
            }
        })
    }

    /// `f` of this request as if its query were the authorization request `query`.
    fn on_request<T>(&self, query: &str, f: impl FnOnce(&Flow<'_>) -> T) -> T {
        let fields = parse(query.as_bytes());
        let request = PageRequest {
            query,
            ..self.request.clone()
        };
        f(&Flow {
            query: &fields,
            request: &request,
            csrf: self.csrf.clone(),
            nonce: self.nonce.clone(),
            ..*self
        })
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

    /// `POST /login`.
    fn sign_in(&self, authorization: &Authorization, view: &View<'_>) -> Answer {
        let username = field(self.form, "username").unwrap_or_default().trim();
        let password = field(self.form, "password").unwrap_or_default();
        if username.is_empty() || password.is_empty() {
            return view.draw(
                Form::SignIn { username },
                Some(Notice::Error("Enter your username and password.".into())),
            );
        }
        let step = self.cognito.hosted_sign_in(
            self.ctx,
            self.pool_id,
            &authorization.client_id,
            username,
            password,
        );
        match step {
            Err(e) if e.kind == ErrorKind::UserNotConfirmedException => view.draw(
                Form::Confirm {
                    username,
                    destination: None,
                },
                None,
            ),
            Err(e) if e.kind == ErrorKind::PasswordResetRequiredException => view.draw(
                Form::ForgotPassword,
                Some(Notice::Error(
                    "Your password must be reset. Ask for a code to choose a new one.".into(),
                )),
            ),
            Err(e) => view.draw(Form::SignIn { username }, Some(sign_in_error(&e))),
            Ok(step) => self.step(authorization, view, step),
        }
    }

    /// Where a sign-in step leads: the grant, or the next challenge's page.
    fn step(&self, authorization: &Authorization, view: &View<'_>, step: HostedStep) -> Answer {
        match step {
            HostedStep::SignedIn(signed_in) => self.signed_in(authorization, &signed_in),
            HostedStep::Challenge {
                name,
                session,
                parameters,
            } => self.challenge_page(view, name, session, &parameters, None),
        }
    }

    /// The page of challenge `name`; `MFA_SETUP` starts the software token's set-up.
    fn challenge_page(
        &self,
        view: &View<'_>,
        name: ChallengeNameType,
        session: String,
        parameters: &ChallengeParametersType,
        notice: Option<Notice>,
    ) -> Answer {
        if name == ChallengeNameType::MfaSetup && !parameters.contains_key("SECRET_CODE") {
            let can = parameters.get("MFAS_CAN_SETUP").map_or("", String::as_str);
            if !can.contains("SOFTWARE_TOKEN_MFA") {
                return self.error_page(
                    StatusCode::BAD_REQUEST,
                    "Multi-factor authentication must be set up, and this page sets up authenticator apps only.",
                );
            }
            let associated = CognitoIdentityProvider::associate_software_token(
                self.cognito,
                self.ctx,
                AssociateSoftwareTokenRequest {
                    session: Some(session),
                    access_token: None,
                },
            )
            .map_err(core_error);
            return match associated {
                Ok(AssociateSoftwareTokenResponse {
                    secret_code: Some(secret),
                    session: Some(session),
                }) => {
                    let mut parameters = parameters.clone();
                    parameters.insert("SECRET_CODE".into(), secret);
                    self.challenge_page(view, name, session, &parameters, notice)
                }
                Ok(_) => self.error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The authenticator app could not be set up.",
                ),
                Err(e) => self.failed(e),
            };
        }
        view.draw(
            Form::Challenge {
                name,
                session: &session,
                parameters,
            },
            notice,
        )
    }

    /// `POST /challenge`.
    fn challenge(&self, authorization: &Authorization, view: &View<'_>) -> Answer {
        let f = |name| field(self.form, name).unwrap_or_default();
        let (session, name) = (f("session"), f("challenge"));
        let Some(name) = ChallengeNameType::from_wire(name) else {
            return self.error_page(StatusCode::BAD_REQUEST, "The challenge is unknown.");
        };
        let mut responses = BTreeMap::new();
        let mut session = session.to_owned();
        match name {
            ChallengeNameType::NewPasswordRequired => {
                if f("password") != f("confirm") {
                    let parameters = self.parameters_from_form();
                    return view.draw(
                        Form::Challenge {
                            name,
                            session: &session,
                            parameters: &parameters,
                        },
                        Some(Notice::Error("The passwords do not match.".into())),
                    );
                }
                responses.insert("NEW_PASSWORD".to_owned(), f("password").to_owned());
                for (key, value) in self.form {
                    if let Some(attribute) = key.strip_prefix("attr.") {
                        responses.insert(format!("userAttributes.{attribute}"), value.clone());
                    }
                }
            }
            ChallengeNameType::SmsMfa => {
                responses.insert("SMS_MFA_CODE".into(), f("code").trim().to_owned());
            }
            ChallengeNameType::EmailOtp => {
                responses.insert("EMAIL_OTP_CODE".into(), f("code").trim().to_owned());
            }
            ChallengeNameType::SoftwareTokenMfa => {
                responses.insert(
                    "SOFTWARE_TOKEN_MFA_CODE".into(),
                    f("code").trim().to_owned(),
                );
            }
            ChallengeNameType::SelectMfaType => {
                responses.insert("ANSWER".into(), f("answer").to_owned());
            }
            ChallengeNameType::WebAuthn => {
                responses.insert("CREDENTIAL".into(), f("credential").to_owned());
            }
            ChallengeNameType::MfaSetup => {
                let verified = CognitoIdentityProvider::verify_software_token(
                    self.cognito,
                    self.ctx,
                    VerifySoftwareTokenRequest {
                        session: Some(session.clone()),
                        user_code: f("code").trim().to_owned(),
                        access_token: None,
                        friendly_device_name: Some("Authenticator app".into()),
                    },
                )
                .map_err(core_error);
                match verified {
                    Ok(VerifySoftwareTokenResponse {
                        session: Some(next),
                        ..
                    }) => session = next,
                    Ok(_) => {
                        return self.failed(CognitoError::new(
                            ErrorKind::InternalErrorException,
                            "The authenticator app could not be verified.",
                        ))
                    }
                    Err(e)
                        if e.kind == ErrorKind::CodeMismatchException
                            || e.kind == ErrorKind::EnableSoftwareTokenMFAException =>
                    {
                        let parameters = self.parameters_from_form();
                        return view.draw(
                            Form::Challenge {
                                name,
                                session: &session,
                                parameters: &parameters,
                            },
                            Some(Notice::Error("The code is not right. Try again.".into())),
                        );
                    }
                    Err(e) => return self.failed(e),
                }
            }
            _ => {
                return self.error_page(
                    StatusCode::BAD_REQUEST,
                    "This challenge cannot be answered on this page.",
                )
            }
        }
        let step = self.cognito.hosted_respond(
            self.ctx,
            self.pool_id,
            &authorization.client_id,
            name,
            &session,
            responses,
        );
        match step {
            Ok(step) => self.step(authorization, view, step),
            Err(e) if e.kind == ErrorKind::CodeMismatchException => {
                // The session waits for another try, as in the API.
                let parameters = self.parameters_from_form();
                view.draw(
                    Form::Challenge {
                        name,
                        session: &session,
                        parameters: &parameters,
                    },
                    Some(Notice::Error("The code is not right. Try again.".into())),
                )
            }
            Err(e) if e.kind == ErrorKind::InvalidPasswordException => {
                let parameters = self.parameters_from_form();
                view.draw(
                    Form::Challenge {
                        name,
                        session: &session,
                        parameters: &parameters,
                    },
                    Some(Notice::Error(e.message)),
                )
            }
            Err(e) => view.draw(Form::SignIn { username: "" }, Some(sign_in_error(&e))),
        }
    }

    /// `POST /passkey`: the `WEB_AUTHN` challenge's page, whose script asks the browser
    /// for the passkey's assertion.
    fn passkey(&self, authorization: &Authorization, view: &View<'_>) -> Answer {
        let username = field(self.form, "username").unwrap_or_default().trim();
        let step = self.cognito.hosted_passkey_sign_in(
            self.ctx,
            self.pool_id,
            &authorization.client_id,
            username,
        );
        match step {
            Ok(step) => self.step(authorization, view, step),
            Err(e) => view.draw(Form::SignIn { username }, Some(sign_in_error(&e))),
        }
    }

    /// The challenge parameters a challenge page sent back in its form (`param.*`).
    fn parameters_from_form(&self) -> ChallengeParametersType {
        self.form
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("param.")?.to_owned(), v.clone())))
            .collect()
    }

    /// `POST /signup`.
    fn sign_up(&self, authorization: &Authorization, view: &View<'_>) -> Answer {
        let f = |name| field(self.form, name).unwrap_or_default();
        let username = f("username").trim();
        if f("password") != f("confirm") {
            return view.draw(
                Form::SignUp,
                Some(Notice::Error("The passwords do not match.".into())),
            );
        }
        let attributes: Vec<AttributeType> = self
            .form
            .iter()
            .filter_map(|(k, v)| {
                let name = k.strip_prefix("attr.")?;
                (!v.trim().is_empty()).then(|| AttributeType {
                    name: name.to_owned(),
                    value: Some(v.trim().to_owned()),
                })
            })
            .collect();
        let signed_up = self.secret_hash(authorization, username).and_then(|hash| {
            CognitoIdentityProvider::sign_up(
                self.cognito,
                self.ctx,
                SignUpRequest {
                    client_id: authorization.client_id.clone(),
                    username: username.to_owned(),
                    password: Some(f("password").to_owned()),
                    user_attributes: Some(attributes),
                    secret_hash: hash,
                    analytics_metadata: None,
                    client_metadata: None,
                    user_context_data: None,
                    validation_data: None,
                },
            )
            .map_err(core_error)
        });
        match signed_up {
            Ok(answer) if answer.user_confirmed => {
                self.signed_in_after_sign_up(authorization, username)
            }
            Ok(answer) => view.draw(
                Form::Confirm {
                    username,
                    destination: answer.code_delivery_details.and_then(|d| d.destination),
                },
                None,
            ),
            Err(e) => view.draw(Form::SignUp, Some(Notice::Error(message_of(&e)))),
        }
    }

    /// `POST /confirm`: the code, or a request for another.
    fn confirm(&self, authorization: &Authorization, view: &View<'_>) -> Answer {
        let username = field(self.form, "username").unwrap_or_default();
        let hash = match self.secret_hash(authorization, username) {
            Ok(hash) => hash,
            Err(e) => return self.failed(e),
        };
        if field(self.form, "resend").is_some() {
            let sent = CognitoIdentityProvider::resend_confirmation_code(
                self.cognito,
                self.ctx,
                ResendConfirmationCodeRequest {
                    client_id: authorization.client_id.clone(),
                    username: username.to_owned(),
                    secret_hash: hash,
                    analytics_metadata: None,
                    client_metadata: None,
                    user_context_data: None,
                },
            )
            .map_err(core_error);
            return match sent {
                Ok(sent) => view.draw(
                    Form::Confirm {
                        username,
                        destination: sent.code_delivery_details.and_then(|d| d.destination),
                    },
                    Some(Notice::Info("A new code was sent.".into())),
                ),
                Err(e) => view.draw(
                    Form::Confirm {
                        username,
                        destination: None,
                    },
                    Some(Notice::Error(message_of(&e))),
                ),
            };
        }
        let confirmed = CognitoIdentityProvider::confirm_sign_up(
            self.cognito,
            self.ctx,
            ConfirmSignUpRequest {
                client_id: authorization.client_id.clone(),
                username: username.to_owned(),
                confirmation_code: field(self.form, "code")
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
                secret_hash: hash,
                force_alias_creation: false,
                analytics_metadata: None,
                client_metadata: None,
                session: None,
                user_context_data: None,
            },
        )
        .map_err(core_error);
        match confirmed {
            Ok(_) => self.signed_in_after_sign_up(authorization, username),
            Err(e) => view.draw(
                Form::Confirm {
                    username,
                    destination: None,
                },
                Some(Notice::Error(message_of(&e))),
            ),
        }
    }

    /// A person who just signed up and confirmed (or was confirmed at once) is signed in,
    /// as Cognito's pages do.
    fn signed_in_after_sign_up(&self, authorization: &Authorization, username: &str) -> Answer {
        match self.cognito.signed_in_as(self.pool_id, username) {
            Ok(signed_in) => self.signed_in(authorization, &signed_in),
            Err(e) => self.failed(e),
        }
    }

    /// `POST /forgotPassword`.
    fn forgot_password(&self, view: &View<'_>) -> Answer {
        let username = field(self.form, "username").unwrap_or_default().trim();
        let client_id = field(self.query, "client_id").unwrap_or_default();
        let sent = self
            .cognito
            .hosted_secret_hash(self.pool_id, client_id, username)
            .and_then(|hash| {
                CognitoIdentityProvider::forgot_password(
                    self.cognito,
                    self.ctx,
                    ForgotPasswordRequest {
                        client_id: client_id.to_owned(),
                        username: username.to_owned(),
                        secret_hash: hash,
                        analytics_metadata: None,
                        client_metadata: None,
                        user_context_data: None,
                    },
                )
                .map_err(core_error)
            });
        match sent {
            Ok(sent) => view.draw(
                Form::ConfirmForgotPassword {
                    username,
                    destination: sent.code_delivery_details.and_then(|d| d.destination),
                },
                None,
            ),
            Err(e) => view.draw(Form::ForgotPassword, Some(Notice::Error(message_of(&e)))),
        }
    }

    /// `POST /confirmForgotPassword`.
    fn confirm_forgot_password(&self, view: &View<'_>) -> Answer {
        let f = |name| field(self.form, name).unwrap_or_default();
        let username = f("username");
        let client_id = field(self.query, "client_id").unwrap_or_default();
        if f("password") != f("confirm") {
            return view.draw(
                Form::ConfirmForgotPassword {
                    username,
                    destination: None,
                },
                Some(Notice::Error("The passwords do not match.".into())),
            );
        }
        let changed = self
            .cognito
            .hosted_secret_hash(self.pool_id, client_id, username)
            .and_then(|hash| {
                CognitoIdentityProvider::confirm_forgot_password(
                    self.cognito,
                    self.ctx,
                    ConfirmForgotPasswordRequest {
                        client_id: client_id.to_owned(),
                        username: username.to_owned(),
                        confirmation_code: f("code").trim().to_owned(),
                        password: f("password").to_owned(),
                        secret_hash: hash,
                        analytics_metadata: None,
                        client_metadata: None,
                        user_context_data: None,
                    },
                )
                .map_err(core_error)
            });
        match changed {
            Ok(_) => view.draw(
                Form::SignIn { username },
                Some(Notice::Info(
                    "Your password was changed. Sign in with it.".into(),
                )),
            ),
            Err(e) => view.draw(
                Form::ConfirmForgotPassword {
                    username,
                    destination: None,
                },
                Some(Notice::Error(message_of(&e))),
            ),
        }
    }

    fn secret_hash(
        &self,
        authorization: &Authorization,
        username: &str,
    ) -> Result<Option<String>, CognitoError> {
        self.cognito
            .hosted_secret_hash(self.pool_id, &authorization.client_id, username)
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
