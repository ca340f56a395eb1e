//! The managed login (hosted UI): the authorization endpoint's request, sign-ins run by
//! the login pages, the browser sessions that let a signed-in browser skip them, and the
//! grants that end a sign-in (an authorization code, or the implicit grant's tokens).
//!
//! ```text
//! GET /oauth2/authorize ──► check_authorize_request() ──► Authorization, or an error
//!                                        │                 to show or to redirect
//!   login session cookie still good? ────┼── yes ──► grant()
//!                                        ▼
//!   password ──► hosted_sign_in() ─────────┬──► Challenge ──► hosted_respond() ──┐
//!   passkey  ──► hosted_passkey_sign_in() ─┘        ▲                            │
//!                                                   └──────── next challenge ◄───┤
//!                                                                                ▼
//!                                   begin_login_session() + grant() ◄── SignedIn
//! ```
//!
//! A page's sign-in is the API's state machine with one difference: where the API would
//! issue tokens, it ends in [`SignedIn`]. The pages run on the server, so they neither
//! need the client's explicit auth flows nor send a `SECRET_HASH`; PreAuthentication
//! runs when the sign-in starts, PostAuthentication and token generation when the code
//! is exchanged (or, for the implicit grant, at once), with `TokenGeneration_HostedAuth`.
//!
//! Boundary: values in, values out. How requests are read, pages drawn and cookies set
//! is the embedder's (`cognito-http`).

use std::collections::BTreeMap;

use cognito_model::shapes::{
    AuthFactorType, ChallengeNameType, ChallengeParametersType, OAuthFlowType,
};
use cognito_model::{CognitoError, ErrorKind};

use super::authorization_code::{ChallengeMethod, OAuthTokens};
use super::{not_authorized, Outcome};
use crate::ops::clients::secret_hash;
use crate::state::authorization_codes::{new_code, AuthorizationCode, CODE_LIFETIME_MILLIS};
use crate::state::login_sessions::{LoginSession, LOGIN_SESSION_MILLIS};
use crate::state::sign_in::Methods;
use crate::store::{ClientState, PoolState};
use crate::{Cognito, RequestContext};

/// How long a browser stays signed in, in seconds: its session cookie's `Max-Age`.
pub const LOGIN_SESSION_SECONDS: i64 = LOGIN_SESSION_MILLIS / 1000;

/// The identity provider name of the pool's own users.
pub const COGNITO_PROVIDER: &str = "COGNITO";

/// An authorization request as the browser sent it (`GET /oauth2/authorize`, `/login`).
#[derive(Debug, Clone, Copy, Default)]
pub struct AuthorizeRequest<'a> {
    /// `client_id`.
    pub client_id: Option<&'a str>,
    /// `redirect_uri`.
    pub redirect_uri: Option<&'a str>,
    /// `response_type`: `code` or `token`.
    pub response_type: Option<&'a str>,
    /// `scope`, space-separated.
    pub scope: Option<&'a str>,
    /// `state`, sent back as it came.
    pub state: Option<&'a str>,
    /// `nonce`, put in the ID token.
    pub nonce: Option<&'a str>,
    /// `code_challenge` (PKCE).
    pub code_challenge: Option<&'a str>,
    /// `code_challenge_method`: `S256` or `plain` (the default).
    pub code_challenge_method: Option<&'a str>,
    /// `identity_provider`: a provider's name, to sign in through it at once.
    pub identity_provider: Option<&'a str>,
    /// `idp_identifier`: one of a provider's identifiers, for the same.
    pub idp_identifier: Option<&'a str>,
}

/// What the authorization endpoint answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseType {
    /// An authorization code in the redirect's query.
    Code,
    /// Tokens in the redirect's fragment (the implicit grant).
    Token,
}

/// A checked authorization request: where the sign-in ends and what it grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// The app client.
    pub client_id: String,
    /// One of the client's callback URLs.
    pub redirect_uri: String,
    /// What to answer with.
    pub response_type: ResponseType,
    /// The scopes granted, all of them the client's.
    pub scopes: Vec<String>,
    /// `state`, to send back.
    pub state: Option<String>,
    /// `nonce`, for the ID token.
    pub nonce: Option<String>,
    /// The PKCE challenge and its method.
    pub challenge: Option<(String, ChallengeMethod)>,
    /// The identity provider to sign in through, when the request named one (or the
    /// client has no other).
    pub identity_provider: Option<String>,
}

/// Why an authorization request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeError {
    /// The client or redirect URI is wrong: shown to the person, never redirected
    /// (RFC 6749 §4.1.2.1). `error` is the code Cognito's error page names.
    Shown {
        /// `redirect_mismatch`, `invalid_request`, `unauthorized_client`.
        error: &'static str,
        /// What was wrong.
        description: String,
    },
    /// Anything else: sent to the redirect URI as `error` and `error_description`.
    Redirected {
        /// The checked redirect URI.
        redirect_uri: String,
        /// How to send it: in the query (`code`) or the fragment (`token`).
        response_type: ResponseType,
        /// `state`, sent back.
        state: Option<String>,
        /// RFC 6749's code: `invalid_request`, `unauthorized_client`, `invalid_scope`,
        /// `unsupported_response_type`.
        error: &'static str,
        /// What was wrong.
        description: String,
    },
}

/// What the login pages show for a client.
#[derive(Debug, Clone, Default)]
pub struct LoginPage {
    /// The client's name.
    pub client_name: String,
    /// Whether the pool's own users sign in on the page.
    pub cognito: bool,
    /// The other identity providers the client offers, by name.
    pub providers: Vec<String>,
    /// Whether people may sign themselves up.
    pub self_sign_up: bool,
    /// What people sign in with besides a username: `email`, `phone_number`.
    pub username_attributes: Vec<String>,
    /// The attributes sign-up requires, besides the username and password.
    pub required_attributes: Vec<String>,
    /// The pool's password policy, as the sign-up page words it.
    pub password_hint: String,
    /// Whether passkeys sign people in (the pool allows `WEB_AUTHN`).
    pub passkeys: bool,
    /// CSS of the client's (or the pool's) UI customization.
    pub css: Option<String>,
    /// The customization's logo, as it was uploaded.
    pub logo: Option<Vec<u8>>,
}

/// A sign-in the pages finished: who signed in, and how.
#[derive(Debug, Clone)]
pub struct SignedIn {
    user_key: String,
    sub: String,
    methods: Methods,
    username: String,
}

impl SignedIn {
    /// The user's name.
    pub fn username(&self) -> &str {
        &self.username
    }
}

/// Where a page's sign-in stands.
#[derive(Debug)]
pub enum HostedStep {
    /// Done: the browser is signed in.
    SignedIn(SignedIn),
    /// The next challenge, answered with [`Cognito::hosted_respond`].
    Challenge {
        /// Which.
        name: ChallengeNameType,
        /// Its session.
        session: String,
        /// Its parameters (where a code went, the factors to choose from, ...).
        parameters: ChallengeParametersType,
    },
}

/// What ends an authorization: a code, or the implicit grant's tokens.
#[derive(Debug)]
pub enum Granted {
    /// An authorization code.
    Code(String),
    /// Tokens (no refresh token).
    Tokens(OAuthTokens),
}

fn shown(error: &'static str, description: impl Into<String>) -> AuthorizeError {
    AuthorizeError::Shown {
        error,
        description: description.into(),
    }
}

impl Cognito {
    /// Checks an authorization request for a client of pool `pool_id`.
    pub fn check_authorize_request(
        &self,
        pool_id: &str,
        request: AuthorizeRequest<'_>,
    ) -> Result<(Authorization, LoginPage), AuthorizeError> {
        self.store
            .read(pool_id, |pool| Ok(check_authorization(pool, request)))
            .map_err(|e| shown("invalid_request", e.message))?
    }

    /// Starts a page's sign-in with a username and password.
    pub fn hosted_sign_in(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        client_id: &str,
        username: &str,
        password: &str,
    ) -> Result<HostedStep, CognitoError> {
        let mut params = BTreeMap::from([
            ("USERNAME".to_owned(), username.to_owned()),
            ("PASSWORD".to_owned(), password.to_owned()),
        ]);
        if let Some(hash) = self.hosted_secret_hash(pool_id, client_id, username)? {
            params.insert("SECRET_HASH".into(), hash);
        }
        self.before_sign_in(ctx, pool_id, client_id, username, Some(password), None)?;
        let outcome = self.password_auth(ctx, pool_id, client_id, &params, true)?;
        self.hosted_step(ctx, pool_id, outcome)
    }

    /// Starts a page's sign-in with a passkey: the `WEB_AUTHN` challenge, whose
    /// `CREDENTIAL_REQUEST_OPTIONS` the page hands to the browser.
    pub fn hosted_passkey_sign_in(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        client_id: &str,
        username: &str,
    ) -> Result<HostedStep, CognitoError> {
        self.before_sign_in(ctx, pool_id, client_id, username, None, None)?;
        let outcome = self.hosted_passkey(ctx, pool_id, client_id, username)?;
        self.hosted_step(ctx, pool_id, outcome)
    }

    /// Answers a page's sign-in challenge. `responses` need not name the user nor carry
    /// a `SECRET_HASH`.
    pub fn hosted_respond(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        client_id: &str,
        name: ChallengeNameType,
        session: &str,
        mut responses: BTreeMap<String, String>,
    ) -> Result<HostedStep, CognitoError> {
        let username = self.store.read(pool_id, |pool| {
            let hosted = pool.auth_sessions.peek(session, ctx.now).and_then(|c| {
                let sign_in = c.sign_in().filter(|s| s.hosted)?;
                pool.users
                    .get(&sign_in.user_key)
                    .map(|u| u.username.clone())
            });
            hosted.ok_or_else(|| not_authorized("Invalid session for the user."))
        })?;
        if let Some(hash) = self.hosted_secret_hash(pool_id, client_id, &username)? {
            responses.insert("SECRET_HASH".into(), hash);
        }
        responses.insert("USERNAME".into(), username);
        let outcome = self.respond(
            ctx,
            pool_id,
            client_id,
            name,
            Some(session),
            &responses,
            None,
        )?;
        self.hosted_step(ctx, pool_id, outcome)
    }

    /// The `SECRET_HASH` the pages send for `username` where the client has a secret, so
    /// that they can call the API's operations (sign-up, forgotten passwords) as a client
    /// that holds it.
    pub fn hosted_secret_hash(
        &self,
        pool_id: &str,
        client_id: &str,
        username: &str,
    ) -> Result<Option<String>, CognitoError> {
        self.store.read(pool_id, |pool| {
            let client = pool.client(client_id)?;
            Ok(client
                .secrets
                .first()
                .map(|s| secret_hash(&s.value, username, client_id)))
        })
    }

    /// A step's outcome as the pages see it; its messages are sent.
    fn hosted_step(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        outcome: Outcome,
    ) -> Result<HostedStep, CognitoError> {
        let Outcome {
            challenge,
            parameters,
            session,
            messages,
            signed_in,
            ..
        } = outcome;
        self.deliver(ctx, messages.into_iter().map(|m| m.via_client(None, None)))?;
        if let Some(sign_in) = signed_in {
            return self.store.read(pool_id, |pool| {
                let user = pool
                    .users
                    .get(&sign_in.user_key)
                    .ok_or_else(crate::ops::users::user_not_found)?;
                Ok(HostedStep::SignedIn(SignedIn {
                    sub: user.sub.clone(),
                    username: user.username.clone(),
                    user_key: sign_in.user_key,
                    methods: sign_in.methods,
                }))
            });
        }
        match (challenge, session) {
            (Some(name), Some(session)) => Ok(HostedStep::Challenge {
                name,
                session,
                parameters: parameters.unwrap_or_default(),
            }),
            _ => Err(CognitoError::new(
                ErrorKind::InternalErrorException,
                "The sign-in ended without a challenge or a signed-in user.",
            )),
        }
    }

    /// The user `username` of pool `pool_id` as signed in, for a sign-in that happened
    /// elsewhere (a federated one).
    pub fn signed_in_as(&self, pool_id: &str, username: &str) -> Result<SignedIn, CognitoError> {
        self.store.read(pool_id, |pool| {
            let user_key = pool.user_key_of(username)?;
            let user = pool
                .users
                .get(&user_key)
                .ok_or_else(crate::ops::users::user_not_found)?;
            Ok(SignedIn {
                sub: user.sub.clone(),
                username: user.username.clone(),
                user_key,
                methods: Methods::default(),
            })
        })
    }

    /// Begins the browser session of `signed_in`; answers the token its cookie keeps.
    pub fn begin_login_session(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        signed_in: &SignedIn,
    ) -> Result<String, CognitoError> {
        let token = new_code(&*self.random);
        self.store.update(pool_id, |pool| {
            let session = LoginSession {
                user_key: signed_in.user_key.clone(),
                sub: signed_in.sub.clone(),
                methods: signed_in.methods,
                expires: ctx.now.plus_millis(LOGIN_SESSION_MILLIS),
            };
            pool.login_sessions.insert(&token, session, ctx.now);
            Ok(())
        })?;
        Ok(token)
    }

    /// Who the browser session `token` stands for, while it lasts and its user may sign
    /// in.
    pub fn login_session(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        token: &str,
    ) -> Option<SignedIn> {
        self.store
            .read(pool_id, |pool| {
                let session = pool.login_sessions.get(token, ctx.now);
                Ok(session.and_then(|s| {
                    let user = pool.users.get(&s.user_key)?;
                    (user.sub == s.sub && user.enabled).then(|| SignedIn {
                        user_key: s.user_key.clone(),
                        sub: s.sub.clone(),
                        methods: s.methods,
                        username: user.username.clone(),
                    })
                }))
            })
            .ok()
            .flatten()
    }

    /// Ends the browser session `token` stands for (`/logout`).
    pub fn end_login_session(&self, pool_id: &str, token: &str) {
        // A pool deleted meanwhile has no session left to end.
        let _ = self.store.update(pool_id, |pool| {
            pool.login_sessions.remove(token);
            Ok(())
        });
    }

    /// Checks a sign-out's `logout_uri`: one of client `client_id`'s sign-out URLs.
    pub fn check_logout(
        &self,
        pool_id: &str,
        client_id: &str,
        logout_uri: &str,
    ) -> Result<(), String> {
        self.store
            .read(pool_id, |pool| {
                let client = pool.client(client_id)?;
                Ok(client
                    .config
                    .logout_urls
                    .iter()
                    .flatten()
                    .any(|u| u == logout_uri))
            })
            .map_err(|_| "The client does not exist.".to_owned())?
            .then_some(())
            .ok_or_else(|| "logout_uri is not one of the client's sign-out URLs.".to_owned())
    }

    /// Ends `authorization` for `signed_in`: a code bound to it, or (implicit grant)
    /// tokens at once.
    pub fn grant(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        authorization: &Authorization,
        signed_in: &SignedIn,
    ) -> Result<Granted, CognitoError> {
        let issued = AuthorizationCode {
            user_key: signed_in.user_key.clone(),
            sub: signed_in.sub.clone(),
            client_id: authorization.client_id.clone(),
            redirect_uri: authorization.redirect_uri.clone(),
            scopes: authorization.scopes.clone(),
            challenge: authorization.challenge.clone(),
            nonce: authorization.nonce.clone(),
            methods: signed_in.methods,
            expires: ctx.now.plus_millis(CODE_LIFETIME_MILLIS),
        };
        match authorization.response_type {
            ResponseType::Code => {
                let code = new_code(&*self.random);
                self.store.update(pool_id, |pool| {
                    pool.authorization_codes.insert(&code, issued, ctx.now);
                    Ok(())
                })?;
                Ok(Granted::Code(code))
            }
            ResponseType::Token => {
                let mut tokens = self.hosted_tokens(ctx, pool_id, issued)?;
                tokens.refresh_token = None;
                Ok(Granted::Tokens(tokens))
            }
        }
    }
}

/// Checks `request` against its client in `pool`.
fn check_authorization(
    pool: &PoolState,
    request: AuthorizeRequest<'_>,
) -> Result<(Authorization, LoginPage), AuthorizeError> {
    let client_id = request
        .client_id
        .filter(|c| !c.is_empty())
        .ok_or_else(|| shown("invalid_request", "client_id is missing."))?;
    let client = pool
        .client(client_id)
        .map_err(|_| shown("invalid_request", "The client does not exist."))?;
    let config = &client.config;
    let redirect_uri = request
        .redirect_uri
        .ok_or_else(|| shown("invalid_request", "redirect_uri is missing."))?;
    if !config
        .callback_urls
        .iter()
        .flatten()
        .any(|u| u == redirect_uri)
    {
        return Err(shown(
            "redirect_mismatch",
            "redirect_uri is not one of the client's callback URLs.",
        ));
    }
    if config.allowed_o_auth_flows_user_pool_client != Some(true) {
        return Err(shown(
            "unauthorized_client",
            "The client is not allowed OAuth flows.",
        ));
    }
    let response_type = match request.response_type {
        Some("code") => ResponseType::Code,
        Some("token") => ResponseType::Token,
        _ => ResponseType::Code,
    };
    let redirected = |error: &'static str, description: &str| AuthorizeError::Redirected {
        redirect_uri: redirect_uri.to_owned(),
        response_type,
        state: request.state.map(str::to_owned),
        error,
        description: description.to_owned(),
    };
    match request.response_type {
        Some("code" | "token") => {}
        Some(_) => {
            return Err(redirected(
                "unsupported_response_type",
                "response_type must be code or token.",
            ))
        }
        None => return Err(redirected("invalid_request", "response_type is missing.")),
    }
    let flow = match response_type {
        ResponseType::Code => OAuthFlowType::Code,
        ResponseType::Token => OAuthFlowType::Implicit,
    };
    if !config
        .allowed_o_auth_flows
        .iter()
        .flatten()
        .any(|f| *f == flow)
    {
        return Err(redirected(
            "unauthorized_client",
            "The client is not allowed this response_type.",
        ));
    }
    let allowed = config.allowed_o_auth_scopes.clone().unwrap_or_default();
    let scopes = match request.scope.map(str::split_whitespace) {
        Some(asked) => {
            let mut scopes: Vec<String> = Vec::new();
            for scope in asked {
                if !allowed.iter().any(|a| a == scope) {
                    return Err(redirected(
                        "invalid_scope",
                        &format!("The client is not allowed the scope {scope}."),
                    ));
                }
                if !scopes.iter().any(|s| s == scope) {
                    scopes.push(scope.to_owned());
                }
            }
            scopes
        }
        None => allowed,
    };
    if scopes.is_empty() {
        return Err(redirected(
            "invalid_scope",
            "The client is allowed no scope.",
        ));
    }
    let challenge = match (request.code_challenge, request.code_challenge_method) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err(redirected(
                "invalid_request",
                "code_challenge_method without code_challenge.",
            ))
        }
        (Some(challenge), method) => {
            let method = match method {
                None | Some("plain") => ChallengeMethod::Plain,
                Some("S256") => ChallengeMethod::S256,
                Some(_) => {
                    return Err(redirected(
                        "invalid_request",
                        "code_challenge_method must be S256 or plain.",
                    ))
                }
            };
            if !pkce_challenge_ok(challenge) {
                return Err(redirected(
                    "invalid_request",
                    "code_challenge is malformed.",
                ));
            }
            Some((challenge.to_owned(), method))
        }
    };
    let supported = config
        .supported_identity_providers
        .clone()
        .unwrap_or_default();
    let identity_provider = match (request.identity_provider, request.idp_identifier) {
        (Some(name), _) => {
            if !supported.iter().any(|p| p == name) {
                return Err(redirected(
                    "invalid_request",
                    "The identity provider is not enabled for the client.",
                ));
            }
            Some(name.to_owned())
        }
        (None, Some(identifier)) => {
            let provider = pool
                .identity_providers
                .by_identifier(identifier)
                .and_then(|p| p.provider_name.as_deref())
                .filter(|name| supported.iter().any(|p| p == name));
            match provider {
                Some(name) => Some(name.to_owned()),
                None => {
                    return Err(redirected(
                        "invalid_request",
                        "No identity provider of the client has this identifier.",
                    ))
                }
            }
        }
        // A client with one provider, not the pool's own users, signs in through it.
        (None, None) => match supported.as_slice() {
            [only] if only != COGNITO_PROVIDER => Some(only.clone()),
            [] => {
                return Err(redirected(
                    "unauthorized_client",
                    "The client supports no identity provider.",
                ))
            }
            _ => None,
        },
    };
    let authorization = Authorization {
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        response_type,
        scopes,
        state: request.state.map(str::to_owned),
        nonce: request.nonce.map(str::to_owned),
        challenge,
        identity_provider,
    };
    Ok((authorization, login_page(pool, client, &supported)))
}

/// RFC 7636 §4.2: 43 to 128 unreserved characters.
pub(crate) fn pkce_challenge_ok(challenge: &str) -> bool {
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || b"-._~".contains(&b);
    (43..=128).contains(&challenge.len()) && challenge.bytes().all(unreserved)
}

/// What the pages show for `client`.
fn login_page(pool: &PoolState, client: &ClientState, supported: &[String]) -> LoginPage {
    let config = &pool.config;
    let schema = config.schema_attributes.as_deref().unwrap_or_default();
    let username_attributes: Vec<String> = config
        .username_attributes
        .iter()
        .flatten()
        .map(|a| a.as_str().to_owned())
        .collect();
    let required_attributes = schema
        .iter()
        .filter(|a| a.required == Some(true))
        .filter_map(|a| a.name.clone())
        .filter(|n| n != "sub")
        .collect();
    let policy = config
        .policies
        .as_ref()
        .and_then(|p| p.password_policy.clone())
        .unwrap_or_default();
    let mut hint = format!("At least {} characters", policy.minimum_length.unwrap_or(8));
    for (on, what) in [
        (policy.require_lowercase, "a lowercase letter"),
        (policy.require_uppercase, "an uppercase letter"),
        (policy.require_numbers, "a number"),
        (policy.require_symbols, "a symbol"),
    ] {
        if on {
            hint.push_str(", ");
            hint.push_str(what);
        }
    }
    hint.push('.');
    let ui = pool.branding.ui_for(client.id());
    LoginPage {
        client_name: client.config.client_name.clone().unwrap_or_default(),
        cognito: supported.iter().any(|p| p == COGNITO_PROVIDER),
        providers: supported
            .iter()
            .filter(|p| *p != COGNITO_PROVIDER)
            .cloned()
            .collect(),
        self_sign_up: !config
            .admin_create_user_config
            .as_ref()
            .is_some_and(|c| c.allow_admin_create_user_only),
        username_attributes,
        required_attributes,
        password_hint: hint,
        passkeys: pool
            .first_auth_factors()
            .contains(&AuthFactorType::WebAuthn),
        css: ui.and_then(|u| u.config.css.clone()),
        logo: ui.and_then(|u| u.image.clone()),
    }
}

#[cfg(test)]
mod tests;
