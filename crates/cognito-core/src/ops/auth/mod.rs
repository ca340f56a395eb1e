//! Sign-in: `InitiateAuth`, `AdminInitiateAuth`, `RespondToAuthChallenge`,
//! `AdminRespondToAuthChallenge`, and the token operations built on them
//! (`GetTokensFromRefreshToken`, `RevokeToken`, `GlobalSignOut`, `AdminUserGlobalSignOut`).
//!
//! A sign-in is a state machine. Its states between requests are [`Challenge`]s, held by
//! the pool under an opaque `Session` string ([`pending`]) that expires with the client's
//! `AuthSessionValidity` (3 minutes by default):
//!
//! ```text
//!                    ┌──────────────── USER_SRP_AUTH ────────────────┐
//!                    │                                               ▼
//! InitiateAuth ──────┤                                   PasswordVerifier ──(claim)──┐
//!                    │                                   (UnknownUser: always wrong) │
//!                    └── USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH ──(password)───┤
//!                                                                                    ▼
//!                                                               after_password(user state)
//!                                                                 │            │
//!                                      NewPasswordRequired ◄──────┘            └──► tokens
//!                                             │ (new password, attributes)
//!                                             └──► after_password ──► tokens
//! REFRESH_TOKEN_AUTH ──► tokens (same origin)
//! ```
//!
//! Each challenge is answered in its own module ([`password`], [`srp`],
//! [`new_password`]) by one function from (state, answer, pool) to an [`Outcome`]: the
//! next challenge or tokens. Every answer is validated before anything changes, then
//! committed in one step; a response that names another challenge than the session's,
//! or a session that is unknown, used or expired, is a typed error. Costly cryptography
//! (SRP exponentiations, RS256 signatures) runs without the pool's lock: values are read
//! under it, computed without it, then committed with what may have changed re-checked.
//! Tokens are made in [`tokens`] as unsigned claims under the lock and signed after.

pub mod authorization_code;
mod choice;
mod custom;
pub mod derived_token;
mod devices;
mod discovery;
pub mod hosted;
mod mfa;
mod new_password;
mod passkey;
mod password;
mod refresh;
pub(crate) mod sign_in_triggers;
mod srp;
pub(crate) mod token_triggers;
pub(crate) mod tokens;
mod user_sessions;

use base64::Engine as _;
use cognito_model::shapes::*;
use cognito_model::{CognitoError, ErrorKind};

use crate::delivery::Outgoing;
use crate::errors::invalid_parameter;
pub(crate) use crate::errors::{incorrect, not_authorized};
use crate::ops::users::user_not_found;
pub(crate) use crate::state::pending::Challenge;
use crate::state::sign_in::Methods;
pub(crate) use crate::state::sign_in::SignIn;
use crate::store::{ClientState, PoolState};
use crate::{Cognito, RequestContext};
use tokens::Unsigned;
pub use tokens::{GeneratedKeys, KeySource};

fn password_reset_required() -> CognitoError {
    CognitoError::new(
        ErrorKind::PasswordResetRequiredException,
        "Password reset required for the user",
    )
}

/// Where a step of sign-in leads: tokens (to be signed once the pool's lock is
/// released), or the next challenge.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    tokens: Option<Unsigned>,
    challenge: Option<ChallengeNameType>,
    parameters: Option<ChallengeParametersType>,
    session: Option<String>,
    /// `SELECT_CHALLENGE`'s choices.
    available: Option<Vec<ChallengeNameType>>,
    /// Messages the step sends (codes), once the pool's lock is released.
    messages: Vec<Outgoing>,
    /// A managed login's sign-in that ended: the browser is signed in.
    signed_in: Option<SignIn>,
}

impl Outcome {
    fn tokens(tokens: Unsigned) -> Self {
        Outcome {
            tokens: Some(tokens),
            ..Default::default()
        }
    }

    fn challenge(
        name: ChallengeNameType,
        parameters: ChallengeParametersType,
        session: String,
    ) -> Self {
        Outcome {
            challenge: Some(name),
            parameters: Some(parameters),
            session: Some(session),
            ..Default::default()
        }
    }
}

impl Cognito {
    /// Ends a step once the pool's lock is released: sends the step's messages, runs the
    /// token triggers and signs the tokens, if any, with the pool's key.
    fn finish(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        outcome: Outcome,
        client_metadata: Option<&ClientMetadataType>,
    ) -> Result<Answer, CognitoError> {
        let Outcome {
            tokens,
            challenge,
            parameters,
            session,
            available,
            messages,
            signed_in,
        } = outcome;
        if signed_in.is_some() {
            // A managed login's session, answered through the API.
            return Err(not_authorized("Invalid session for the user."));
        }
        self.deliver(
            ctx,
            messages
                .into_iter()
                .map(|m| m.via_client(None, client_metadata)),
        )?;
        let result = match tokens {
            Some(mut tokens) => {
                self.run_token_triggers(ctx, &mut tokens, client_metadata)?;
                Some(tokens.sign(&*self.signing_key(pool_id)?)?)
            }
            None => None,
        };
        Ok(Answer {
            result,
            challenge,
            parameters,
            session,
            available,
        })
    }
}

/// A step's answer, as the four sign-in operations return it.
pub(crate) struct Answer {
    result: Option<AuthenticationResultType>,
    challenge: Option<ChallengeNameType>,
    parameters: Option<ChallengeParametersType>,
    session: Option<String>,
    available: Option<Vec<ChallengeNameType>>,
}

macro_rules! answer_into {
    ($($t:ty),*) => {$(
        impl From<Answer> for $t {
            fn from(o: Answer) -> Self {
                Self {
                    authentication_result: o.result,
                    challenge_name: o.challenge,
                    challenge_parameters: o.parameters,
                    session: o.session,
                    available_challenges: o.available,
                }
            }
        }
    )*};
}
answer_into!(
    InitiateAuthResponse,
    AdminInitiateAuthResponse,
    RespondToAuthChallengeResponse,
    AdminRespondToAuthChallengeResponse
);

/// Which API a sign-in came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    Public,
    Admin,
}

/// `AuthParameters` or `ChallengeResponses`.
type Params = std::collections::BTreeMap<String, String>;

fn param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params.get(name).map(String::as_str)
}

fn required<'a>(params: &'a Params, name: &str) -> Result<&'a str, CognitoError> {
    param(params, name)
        .ok_or_else(|| invalid_parameter(format!("Missing required parameter {name}")))
}

impl Cognito {
    pub(crate) fn initiate_auth(
        &self,
        ctx: &RequestContext,
        input: InitiateAuthRequest,
    ) -> Result<InitiateAuthResponse, CognitoError> {
        let pool = self.client_pool(&input.client_id)?;
        let params = input.auth_parameters.unwrap_or_default();
        self.initiate(
            ctx,
            &pool,
            Api::Public,
            &input.client_id,
            input.auth_flow,
            (&params, input.session.as_deref()),
            input.client_metadata.as_ref(),
        )
        .and_then(|o| self.finish(ctx, &pool, o, None))
        .map(Into::into)
    }

    pub(crate) fn admin_initiate_auth(
        &self,
        ctx: &RequestContext,
        input: AdminInitiateAuthRequest,
    ) -> Result<AdminInitiateAuthResponse, CognitoError> {
        let pool = input.user_pool_id;
        self.store
            .read(&pool, |p| p.client(&input.client_id).map(drop))?;
        let params = input.auth_parameters.unwrap_or_default();
        self.initiate(
            ctx,
            &pool,
            Api::Admin,
            &input.client_id,
            input.auth_flow,
            (&params, input.session.as_deref()),
            input.client_metadata.as_ref(),
        )
        .and_then(|o| self.finish(ctx, &pool, o, None))
        .map(Into::into)
    }

    pub(crate) fn respond_to_auth_challenge(
        &self,
        ctx: &RequestContext,
        input: RespondToAuthChallengeRequest,
    ) -> Result<RespondToAuthChallengeResponse, CognitoError> {
        let pool = self.client_pool(&input.client_id)?;
        let responses = input.challenge_responses.unwrap_or_default();
        self.respond(
            ctx,
            &pool,
            &input.client_id,
            input.challenge_name,
            input.session.as_deref(),
            &responses,
            input.client_metadata.as_ref(),
        )
        .and_then(|o| self.finish(ctx, &pool, o, input.client_metadata.as_ref()))
        .map(Into::into)
    }

    pub(crate) fn admin_respond_to_auth_challenge(
        &self,
        ctx: &RequestContext,
        input: AdminRespondToAuthChallengeRequest,
    ) -> Result<AdminRespondToAuthChallengeResponse, CognitoError> {
        let pool = input.user_pool_id;
        self.store
            .read(&pool, |p| p.client(&input.client_id).map(drop))?;
        let responses = input.challenge_responses.unwrap_or_default();
        self.respond(
            ctx,
            &pool,
            &input.client_id,
            input.challenge_name,
            input.session.as_deref(),
            &responses,
            input.client_metadata.as_ref(),
        )
        .and_then(|o| self.finish(ctx, &pool, o, input.client_metadata.as_ref()))
        .map(Into::into)
    }

    /// The first step: the flow decides the first state. `session` is a sign-up's, for
    /// `USER_AUTH` right after it. `ClientMetadata` reaches the triggers of the sign-in's
    /// start (`PreAuthentication`, `UserMigration`) only, as in Cognito; the later ones
    /// receive what `RespondToAuthChallenge` sends.
    #[allow(clippy::too_many_arguments)]
    fn initiate(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        api: Api,
        client_id: &str,
        flow: AuthFlowType,
        (params, session): (&Params, Option<&str>),
        client_metadata: Option<&ClientMetadataType>,
    ) -> Result<Outcome, CognitoError> {
        use AuthFlowType as F;
        use ExplicitAuthFlowsType as E;
        let (needed, allowed_api) = match flow {
            F::UserPasswordAuth => (E::AllowUserPasswordAuth, api == Api::Public),
            F::AdminUserPasswordAuth | F::AdminNoSrpAuth => {
                (E::AllowAdminUserPasswordAuth, api == Api::Admin)
            }
            F::UserSrpAuth => (E::AllowUserSrpAuth, true),
            F::RefreshTokenAuth | F::RefreshToken => (E::AllowRefreshTokenAuth, true),
            F::UserAuth => (E::AllowUserAuth, true),
            F::CustomAuth => (E::AllowCustomAuth, true),
        };
        if !allowed_api {
            return Err(invalid_parameter("Initiate Auth method not supported."));
        }
        self.store.read(pool_id, |pool| {
            if pool.client(client_id)?.allows(needed) {
                Ok(())
            } else {
                Err(invalid_parameter(format!(
                    "{} flow not enabled for this client",
                    flow.as_str()
                )))
            }
        })?;
        if let (false, Some(username)) = (
            matches!(flow, F::RefreshTokenAuth | F::RefreshToken),
            param(params, "USERNAME"),
        ) {
            self.store.read(pool_id, |pool| {
                pool.client(client_id)?
                    .check_secret_hash(username, param(params, "SECRET_HASH"))
            })?;
            let password = match flow {
                F::UserSrpAuth | F::CustomAuth => None,
                _ => param(params, "PASSWORD"),
            };
            self.before_sign_in(ctx, pool_id, client_id, username, password, client_metadata)?;
        }
        match flow {
            F::RefreshTokenAuth | F::RefreshToken => {
                let token = required(params, "REFRESH_TOKEN")?;
                self.refresh(
                    ctx,
                    pool_id,
                    client_id,
                    token,
                    param(params, "DEVICE_KEY"),
                    |client, username| {
                        client.check_secret_hash(username, param(params, "SECRET_HASH"))
                    },
                    || not_authorized("Invalid Refresh Token"),
                )
            }
            F::UserSrpAuth => self.start_srp(ctx, pool_id, client_id, params, None),
            F::CustomAuth => self.custom_auth(ctx, pool_id, client_id, params),
            F::UserAuth => match session {
                Some(session) => {
                    self.sign_in_after_sign_up(ctx, pool_id, client_id, params, session)
                }
                None => self.user_auth(ctx, pool_id, client_id, params),
            },
            _ => self.password_auth(ctx, pool_id, client_id, params, false),
        }
    }

    /// A later step: the session's state decides who answers.
    #[allow(clippy::too_many_arguments)]
    fn respond(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        client_id: &str,
        name: ChallengeNameType,
        session: Option<&str>,
        responses: &Params,
        client_metadata: Option<&ClientMetadataType>,
    ) -> Result<Outcome, CognitoError> {
        let (session, challenge, expires) = self.store.update(pool_id, |pool| {
            let session = match session {
                Some(s) => s.to_string(),
                None => sessionless(pool, name, responses)
                    .ok_or_else(|| invalid_parameter("Missing required parameter Session"))?,
            };
            let (challenge, expires) = pool.auth_sessions.take(&session, ctx.now)?;
            Ok((session, challenge, expires))
        })?;
        if challenge.client_id() != client_id {
            return Err(not_authorized("Invalid session for the user."));
        }
        if challenge.name() != name {
            // A malformed answer leaves the session for a proper one.
            let error = invalid_parameter(format!(
                "The challenge {} does not answer the session's challenge {}.",
                name.as_str(),
                challenge.name().as_str()
            ));
            self.store.update(pool_id, |pool| {
                pool.auth_sessions.restore(session, challenge, expires);
                Ok(())
            })?;
            return Err(error);
        }
        let client = self
            .store
            .read(pool_id, |pool| pool.client(client_id).cloned())?;
        let username = required(responses, "USERNAME")?;
        client.check_secret_hash(username, param(responses, "SECRET_HASH"))?;
        let outcome = match challenge {
            Challenge::UnknownUser { key: name, .. } => self
                .store
                .update(pool_id, |pool| Err(pool.unknown_users.fail(&name, ctx.now))),
            Challenge::PasswordVerifier {
                mut sign_in,
                server,
                secret_block,
                user_id_for_srp,
            } => {
                if let Some(device) = param(responses, "DEVICE_KEY") {
                    sign_in.device_key = Some(device.to_string());
                }
                let state = srp::Verifying {
                    sign_in,
                    server,
                    secret_block,
                    user_id_for_srp,
                };
                // A device the user does not have: the session waits for the retry that
                // clients send without it.
                self.store.update(pool_id, |pool| {
                    if device_known(pool, &state.sign_in) {
                        return Ok(());
                    }
                    let mut again = state.clone();
                    again.sign_in.device_key = None;
                    pool.auth_sessions
                        .restore(session.clone(), again.into_challenge(), expires);
                    Err(device_not_found())
                })?;
                self.answer_password_verifier(
                    ctx,
                    pool_id,
                    &client,
                    state,
                    responses,
                    client_metadata,
                )
            }
            Challenge::Custom(challenge) => self.answer_custom(
                ctx,
                pool_id,
                &client,
                *challenge,
                responses,
                client_metadata,
            ),
            Challenge::NewPasswordRequired { sign_in } => self.store.update(pool_id, |pool| {
                let again = sign_in.clone();
                self.answer_new_password(ctx, pool, &client, sign_in, responses)
                    .inspect_err(|e| {
                        // A password the policy refuses, or an attribute missing: the
                        // session waits for a better answer.
                        if matches!(
                            e.kind,
                            ErrorKind::InvalidPasswordException
                                | ErrorKind::InvalidParameterException
                        ) {
                            let waiting = Challenge::NewPasswordRequired { sign_in: again };
                            pool.auth_sessions
                                .restore(session.clone(), waiting, expires);
                        }
                    })
            }),
            Challenge::DeviceSrp { sign_in } => {
                return self.answer_device_srp(ctx, pool_id, &client, sign_in, responses)
            }
            Challenge::WebAuthn {
                sign_in,
                challenge,
                rp_id,
                require_user_verification,
            } => self.answer_passkey(
                ctx,
                pool_id,
                &client,
                passkey::Asserting {
                    sign_in,
                    challenge,
                    rp_id,
                    require_user_verification,
                },
                responses,
            ),
            Challenge::SelectFirstFactor {
                sign_in, available, ..
            } => {
                return self.answer_select_challenge(
                    ctx,
                    pool_id,
                    &client,
                    (sign_in, available),
                    responses,
                )
            }
            Challenge::DevicePasswordVerifier {
                sign_in,
                server,
                secret_block,
            } => self.answer_device_password_verifier(
                ctx,
                pool_id,
                &client,
                sign_in,
                (server, secret_block),
                responses,
            ),
            second => self.store.update(pool_id, |pool| {
                match self.answer_mfa(ctx, pool, &client, second, responses)? {
                    mfa::Answered::Next(outcome) => Ok(outcome),
                    mfa::Answered::Retry(again, error) => {
                        if let Some(again) = again {
                            pool.auth_sessions.restore(session, again, expires);
                        }
                        Err(error)
                    }
                }
            }),
        }?;
        Ok(outcome)
    }

    /// What follows a proven password: the user's state decides between tokens, a
    /// `NEW_PASSWORD_REQUIRED` challenge and an error.
    fn after_password(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        client: &ClientState,
        sign_in: SignIn,
    ) -> Result<Outcome, CognitoError> {
        let user = pool
            .users
            .get(&sign_in.user_key)
            .ok_or_else(user_not_found)?;
        if !user.enabled {
            return Err(not_authorized("User is disabled."));
        }
        // A device the user does not have (forgotten, or never its) is refused: clients
        // forget the key they hold and sign in again as a new device.
        if !device_known(pool, &sign_in) {
            return Err(device_not_found());
        }
        match user.status {
            UserStatusType::Unconfirmed => Err(CognitoError::new(
                ErrorKind::UserNotConfirmedException,
                "User is not confirmed.",
            )),
            UserStatusType::ResetRequired => Err(password_reset_required()),
            UserStatusType::ForceChangePassword => {
                self.new_password_challenge(ctx, pool, client, sign_in)
            }
            _ if devices::device_replaces_mfa(pool, &sign_in) => {
                Ok(self.device_challenge(ctx, pool, client, sign_in))
            }
            _ => self.mfa_step(ctx, pool, client, sign_in),
        }
    }

    /// Opens a session waiting on `challenge`. The session names its pool (before its
    /// `.`), for the operations that take a session and nothing else.
    fn open_session(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        client: &ClientState,
        challenge: Challenge,
    ) -> String {
        let mut bytes = [0u8; 48];
        self.random.fill(&mut bytes);
        let session = format!(
            "{}.{}",
            pool.config.id.as_deref().unwrap_or_default(),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
        );
        let minutes = i64::from(client.config.auth_session_validity.unwrap_or(3));
        pool.auth_sessions.insert(
            session.clone(),
            challenge,
            ctx.now.plus_millis(minutes * 60_000),
            ctx.now,
        );
        session
    }
}

/// Whether the device a sign-in names, if any, is one of its user's.
fn device_known(pool: &PoolState, sign_in: &SignIn) -> bool {
    sign_in.device_key.as_ref().is_none_or(|key| {
        pool.users
            .get(&sign_in.user_key)
            .is_some_and(|u| u.devices.contains_key(key))
    })
}

fn device_not_found() -> CognitoError {
    crate::errors::not_found("Device does not exist.")
}

/// The session an SRP answer sent without one belongs to, as clients may: a
/// `PASSWORD_VERIFIER` or `DEVICE_PASSWORD_VERIFIER` by its secret block, a
/// `DEVICE_SRP_AUTH` by its user and device.
fn sessionless(pool: &PoolState, name: ChallengeNameType, responses: &Params) -> Option<String> {
    let sessions = &pool.auth_sessions;
    if name == ChallengeNameType::DeviceSrpAuth {
        let user_key = pool.find_user(param(responses, "USERNAME")?)?;
        let device_key = param(responses, "DEVICE_KEY")?;
        return sessions.session_of_device(&user_key, device_key).cloned();
    }
    let block = param(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
    sessions.session_of_block(block).cloned()
}

/// The pool a sign-in session belongs to.
pub(crate) fn pool_of_session(session: &str) -> Option<&str> {
    session.split_once('.').map(|(pool, _)| pool)
}

impl Cognito {
    /// Opens the session a sign-up answers (`confirmed: false`) or a confirmation
    /// (`confirmed: true`), with which `USER_AUTH` signs the user in at once.
    pub(crate) fn open_sign_up_session(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        client: &ClientState,
        user_key: &str,
        confirmed: bool,
    ) -> String {
        let sign_in = SignIn {
            user_key: user_key.to_string(),
            client_id: client.id().to_string(),
            device_key: None,
            methods: Methods::OTP,
            event_id: None,
            device_proven: false,
            new_password: false,
            custom: None,
            hosted: false,
        };
        self.open_session(
            ctx,
            pool,
            client,
            Challenge::SignedUp { sign_in, confirmed },
        )
    }

    /// Whether `session` is the open session of `user_key`'s sign-up through
    /// `client_id` (`confirmed` or not) at `now`; it stays open.
    pub(crate) fn check_sign_up_session(
        pool: &PoolState,
        session: &str,
        client_id: &str,
        user_key: &str,
        confirmed: bool,
        now: cognito_model::Timestamp,
    ) -> Result<(), CognitoError> {
        match pool.auth_sessions.peek(session, now) {
            Some(Challenge::SignedUp {
                sign_in,
                confirmed: c,
            }) if *c == confirmed
                && sign_in.client_id == client_id
                && sign_in.user_key == user_key =>
            {
                Ok(())
            }
            _ => Err(not_authorized("Invalid session for the user.")),
        }
    }

    /// Opens the session of an `MFA_SETUP` step; `ready` once a software token is
    /// verified.
    pub(crate) fn open_setup_session(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        client: &ClientState,
        sign_in: SignIn,
        ready: bool,
    ) -> String {
        self.open_session(ctx, pool, client, Challenge::MfaSetup { sign_in, ready })
    }
}

/// A sign-in of `user_key` through `client_id` whose password was just proven, from the
/// device the client named, if any.
fn password_proven(
    user_key: String,
    client_id: &str,
    device_key: Option<&str>,
    event_id: String,
) -> SignIn {
    SignIn {
        user_key,
        client_id: client_id.to_string(),
        device_key: device_key.map(str::to_string),
        methods: Methods::PASSWORD,
        event_id: Some(event_id),
        device_proven: false,
        new_password: false,
        custom: None,
        hosted: false,
    }
}

/// Who a sign-in is for.
enum SignInAs {
    /// The user with this key.
    User(String),
    /// Nobody: the username (as a key) does not exist, and the client hides that.
    Unknown(String),
}

/// The user signing in as `username`; for a missing one, `UserNotFoundException`, or an
/// unknown user to be answered like a real one when the client prevents user existence
/// errors.
fn find_signing_in_user(
    pool: &PoolState,
    client: &ClientState,
    username: &str,
) -> Result<SignInAs, CognitoError> {
    if let Some(key) = pool.find_user(username) {
        return Ok(SignInAs::User(key));
    }
    if client.prevents_user_existence_errors() {
        Ok(SignInAs::Unknown(pool.user_key(username)))
    } else {
        Err(user_not_found())
    }
}

#[cfg(test)]
mod tests;
