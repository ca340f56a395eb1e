//! Sign-in: `InitiateAuth`, `AdminInitiateAuth`, `RespondToAuthChallenge`,
//! `AdminRespondToAuthChallenge`, and the token operations built on them
//! (`GetTokensFromRefreshToken`, `RevokeToken`, `GlobalSignOut`, `AdminUserGlobalSignOut`).
//!
//! A sign-in is a small state machine. Its states between requests are [`Challenge`]s,
//! held by the pool under an opaque `Session` string that expires with the client's
//! `AuthSessionValidity` (3 minutes by default):
//!
//! ```text
//! InitiateAuth(USER_SRP_AUTH) ──► PasswordVerifier ──► tokens
//!                                        │
//! InitiateAuth(USER_PASSWORD_AUTH) ──────┴──► NewPasswordRequired ──► tokens
//! ```
//!
//! A response that names another challenge than the session's, or a session that is
//! unknown or expired, is refused with `NotAuthorizedException`; nothing panics.

mod discovery;
mod sessions;
pub(crate) mod tokens;
mod unknown;

use std::collections::HashMap;

use base64::Engine as _;
use cognito_crypto::srp::{self, PasswordClaim, ServerSession, Verifier};
use cognito_model::shapes::*;
use cognito_model::{CognitoError, ErrorKind, Timestamp};

use crate::errors::invalid_parameter;
use crate::store::{ClientState, PoolState, SharedPool};
use crate::users::rules::check_password;
use crate::users::user_not_found;
use crate::{ids, Cognito, RequestContext};
pub use tokens::{GeneratedKeys, KeySource, TokenState};
pub use unknown::UnknownUsers;

/// Consecutive wrong passwords after which each attempt waits, doubling from a second.
const FREE_ATTEMPTS: u32 = 5;
/// The longest lockout after repeated wrong passwords.
const MAX_LOCKOUT_SECS: i64 = 900;
/// How far a `PASSWORD_VERIFIER` timestamp may be from the server's clock.
const TIMESTAMP_SKEW_SECS: i64 = 300;

fn not_authorized(message: impl Into<String>) -> CognitoError {
    CognitoError::new(ErrorKind::NotAuthorizedException, message)
}

fn incorrect() -> CognitoError {
    not_authorized("Incorrect username or password.")
}

/// Counts a failed password: from the [`FREE_ATTEMPTS`]th on, each failure locks out for
/// a second, doubling up to [`MAX_LOCKOUT_SECS`]. Answers whether it locked out.
fn count_failure(attempts: &mut u32, locked_until: &mut Option<Timestamp>, now: Timestamp) -> bool {
    *attempts = attempts.saturating_add(1);
    let over = attempts.saturating_sub(FREE_ATTEMPTS - 1);
    if over == 0 {
        return false;
    }
    let secs = 2i64
        .checked_pow(over - 1)
        .map_or(MAX_LOCKOUT_SECS, |s| s.min(MAX_LOCKOUT_SECS));
    *locked_until = Some(now.plus_millis(secs * 1000));
    true
}

fn password_reset_required() -> CognitoError {
    CognitoError::new(
        ErrorKind::PasswordResetRequiredException,
        "Password reset required for the user",
    )
}

/// A sign-in waiting for the client's next answer.
#[derive(Debug, Clone)]
pub(crate) enum Challenge {
    /// `PASSWORD_VERIFIER`: the server's half of SRP.
    PasswordVerifier {
        user_key: String,
        client_id: String,
        server: ServerSession,
        secret_block: String,
        user_id_for_srp: String,
    },
    /// `NEW_PASSWORD_REQUIRED`: the user signed in with a temporary password.
    NewPasswordRequired { user_key: String, client_id: String },
    /// A simulated `PASSWORD_VERIFIER` for a username that does not exist, through a
    /// client that prevents user existence errors: any answer is wrong.
    UnknownUser {
        key: String,
        client_id: String,
        secret_block: String,
    },
}

impl Challenge {
    fn name(&self) -> ChallengeNameType {
        match self {
            Challenge::PasswordVerifier { .. } | Challenge::UnknownUser { .. } => {
                ChallengeNameType::PasswordVerifier
            }
            Challenge::NewPasswordRequired { .. } => ChallengeNameType::NewPasswordRequired,
        }
    }

    fn client_id(&self) -> &str {
        match self {
            Challenge::PasswordVerifier { client_id, .. }
            | Challenge::NewPasswordRequired { client_id, .. }
            | Challenge::UnknownUser { client_id, .. } => client_id,
        }
    }

    /// The user signing in, if it exists.
    fn user_key(&self) -> Option<&str> {
        match self {
            Challenge::PasswordVerifier { user_key, .. }
            | Challenge::NewPasswordRequired { user_key, .. } => Some(user_key),
            Challenge::UnknownUser { .. } => None,
        }
    }

    /// The secret block an SRP answer names the session by.
    fn secret_block(&self) -> Option<&str> {
        match self {
            Challenge::PasswordVerifier { secret_block, .. }
            | Challenge::UnknownUser { secret_block, .. } => Some(secret_block),
            Challenge::NewPasswordRequired { .. } => None,
        }
    }
}

/// Sign-ins in progress in a pool, by session, and the sessions already answered (until
/// they would have expired), which a second answer is told apart by.
#[derive(Debug, Clone, Default)]
pub struct Sessions {
    open: HashMap<String, (Challenge, Timestamp)>,
    used: HashMap<String, Timestamp>,
}

impl Sessions {
    fn insert(
        &mut self,
        session: String,
        challenge: Challenge,
        expires: Timestamp,
        now: Timestamp,
    ) {
        if self.open.len() % 256 == 255 {
            self.open.retain(|_, (_, e)| *e > now);
            self.used.retain(|_, e| *e > now);
        }
        self.open.insert(session, (challenge, expires));
    }

    /// Ends every sign-in of a deleted user: its sessions answer as expired ones do.
    /// Answers the secret blocks of the SRP sign-ins ended.
    pub(crate) fn forget_user(&mut self, user_key: &str) -> Vec<String> {
        let mut blocks = Vec::new();
        self.open.retain(|_, (challenge, _)| {
            let theirs = challenge.user_key() == Some(user_key);
            if let (true, Some(block)) = (theirs, challenge.secret_block()) {
                blocks.push(block.to_string());
            }
            !theirs
        });
        blocks
    }

    /// The challenge `session` waits on, which only one answer gets.
    fn take(&mut self, session: &str, now: Timestamp) -> Result<Challenge, CognitoError> {
        match self.open.remove(session) {
            Some((challenge, expires)) if expires > now => {
                self.used.insert(session.to_string(), expires);
                Ok(challenge)
            }
            _ if self.used.get(session).is_some_and(|e| *e > now) => Err(not_authorized(
                "Invalid session for the user, session can only be used once.",
            )),
            _ => Err(not_authorized(
                "Invalid session for the user, session is expired.",
            )),
        }
    }
}

/// What a step of sign-in answers: tokens, or the next challenge.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    result: Option<AuthenticationResultType>,
    challenge: Option<ChallengeNameType>,
    parameters: Option<ChallengeParametersType>,
    session: Option<String>,
}

macro_rules! outcome_into {
    ($($t:ty),*) => {$(
        impl From<Outcome> for $t {
            fn from(o: Outcome) -> Self {
                Self {
                    authentication_result: o.result,
                    challenge_name: o.challenge,
                    challenge_parameters: o.parameters,
                    session: o.session,
                    available_challenges: None,
                }
            }
        }
    )*};
}
outcome_into!(
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

fn param<'a>(params: &'a HashMapLike, name: &str) -> Option<&'a str> {
    params.get(name).map(String::as_str)
}

type HashMapLike = std::collections::BTreeMap<String, String>;

fn required<'a>(params: &'a HashMapLike, name: &str) -> Result<&'a str, CognitoError> {
    param(params, name)
        .ok_or_else(|| invalid_parameter(format!("Missing required parameter {name}")))
}

impl Cognito {
    pub(crate) fn initiate_auth(
        &self,
        ctx: &RequestContext,
        input: InitiateAuthRequest,
    ) -> Result<InitiateAuthResponse, CognitoError> {
        let pool = self.client_pool(ctx, &input.client_id)?;
        let params = input.auth_parameters.unwrap_or_default();
        self.initiate(
            ctx,
            &pool,
            Api::Public,
            &input.client_id,
            input.auth_flow,
            &params,
        )
        .map(Into::into)
    }

    pub(crate) fn admin_initiate_auth(
        &self,
        ctx: &RequestContext,
        input: AdminInitiateAuthRequest,
    ) -> Result<AdminInitiateAuthResponse, CognitoError> {
        let pool = self.pool(ctx, &input.user_pool_id)?;
        pool.read().client(&input.client_id)?;
        let params = input.auth_parameters.unwrap_or_default();
        self.initiate(
            ctx,
            &pool,
            Api::Admin,
            &input.client_id,
            input.auth_flow,
            &params,
        )
        .map(Into::into)
    }

    pub(crate) fn respond_to_auth_challenge(
        &self,
        ctx: &RequestContext,
        input: RespondToAuthChallengeRequest,
    ) -> Result<RespondToAuthChallengeResponse, CognitoError> {
        let pool = self.client_pool(ctx, &input.client_id)?;
        let responses = input.challenge_responses.unwrap_or_default();
        self.respond(
            ctx,
            &pool,
            &input.client_id,
            input.challenge_name,
            input.session.as_deref(),
            &responses,
        )
        .map(Into::into)
    }

    pub(crate) fn admin_respond_to_auth_challenge(
        &self,
        ctx: &RequestContext,
        input: AdminRespondToAuthChallengeRequest,
    ) -> Result<AdminRespondToAuthChallengeResponse, CognitoError> {
        let pool = self.pool(ctx, &input.user_pool_id)?;
        pool.read().client(&input.client_id)?;
        let responses = input.challenge_responses.unwrap_or_default();
        self.respond(
            ctx,
            &pool,
            &input.client_id,
            input.challenge_name,
            input.session.as_deref(),
            &responses,
        )
        .map(Into::into)
    }

    fn initiate(
        &self,
        ctx: &RequestContext,
        shared: &SharedPool,
        api: Api,
        client_id: &str,
        flow: AuthFlowType,
        params: &HashMapLike,
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
            F::CustomAuth | F::UserAuth => {
                return Err(invalid_parameter(format!(
                    "The {} flow is not supported by this emulator yet.",
                    flow.as_str()
                )))
            }
        };
        if !allowed_api {
            return Err(invalid_parameter("Initiate Auth method not supported."));
        }
        {
            let pool = shared.read();
            let client = pool.client(client_id)?;
            if !client.allows(needed) {
                return Err(invalid_parameter(format!(
                    "{} flow not enabled for this client",
                    flow.as_str()
                )));
            }
        }
        match flow {
            F::RefreshTokenAuth | F::RefreshToken => {
                let token = required(params, "REFRESH_TOKEN")?;
                self.refresh(
                    ctx,
                    shared,
                    client_id,
                    token,
                    |client, username| {
                        client.check_secret_hash(username, param(params, "SECRET_HASH"))
                    },
                    || not_authorized("Invalid Refresh Token"),
                )
            }
            F::UserSrpAuth => self.start_srp(ctx, shared, client_id, params),
            _ => {
                let username = required(params, "USERNAME")?;
                let password = required(params, "PASSWORD")?;
                let key = self.signing_key(shared)?;
                let mut pool = shared.write();
                let client = pool.client(client_id)?.clone();
                client.check_secret_hash(username, param(params, "SECRET_HASH"))?;
                let user_key = match find_signing_in_user(&pool, &client, username)? {
                    SignInAs::User(key) => key,
                    SignInAs::Unknown(key) => {
                        return Err(pool.unknown_users.fail(&key, ctx.now));
                    }
                };
                self.check_password(ctx, &mut pool, &client, &user_key, password)?;
                self.check_compromised(&pool, Some(client_id), EventFilterType::SignIn, password)?;
                self.after_password(ctx, &key, &mut pool, &client, &user_key)
            }
        }
    }

    /// Checks a password sent in the clear, counting failures and locking out after
    /// repeated ones.
    ///
    /// A user whose password must be reset (imported, or reset by an administrator)
    /// gets `PasswordResetRequiredException` whatever password it sends, as Cognito
    /// tells imported users to reset theirs; only a client that prevents user
    /// existence errors answers a wrong password as for anyone else.
    fn check_password(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        client: &ClientState,
        user_key: &str,
        password: &str,
    ) -> Result<(), CognitoError> {
        let pool_name = pool.pool_name().to_string();
        let user = pool.users.get(user_key).ok_or_else(incorrect)?;
        let prevents = client.config.prevent_user_existence_errors
            == Some(PreventUserExistenceErrorTypes::Enabled);
        if user.sign_in.locked_until.is_some_and(|t| t > ctx.now) {
            return Err(not_authorized("Password attempts exceeded"));
        }
        let ok = user
            .password
            .as_ref()
            .is_some_and(|h| h.verify(&pool_name, &user.username, password));
        if !user.enabled {
            // Hiding who exists, a disabled user with a wrong password hears what anyone
            // with a wrong password hears.
            return Err(if prevents && !ok {
                incorrect()
            } else {
                not_authorized("User is disabled.")
            });
        }
        if user.status == UserStatusType::ResetRequired && (ok || !prevents) {
            return Err(password_reset_required());
        }
        self.record_password_result(ctx, pool, user_key, ok)
    }

    /// Records a password check: resets or counts failures, logs the sign-in event.
    fn record_password_result(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        user_key: &str,
        ok: bool,
    ) -> Result<(), CognitoError> {
        let event_id = ids::uuid_v4(&*self.random);
        let locked = pool
            .users
            .update(user_key, |u| {
                crate::users::record_event(u, event_id, ctx.now, EventType::SignIn, ok);
                if ok {
                    u.sign_in.failed_attempts = 0;
                    u.sign_in.locked_until = None;
                    return false;
                }
                count_failure(
                    &mut u.sign_in.failed_attempts,
                    &mut u.sign_in.locked_until,
                    ctx.now,
                )
            })
            .unwrap_or(false);
        match (ok, locked) {
            (true, _) => Ok(()),
            (false, true) => Err(not_authorized("Password attempts exceeded")),
            (false, false) => Err(incorrect()),
        }
    }

    /// What follows a correct password: the user's state decides between tokens, a
    /// `NEW_PASSWORD_REQUIRED` challenge and an error.
    fn after_password(
        &self,
        ctx: &RequestContext,
        key: &cognito_crypto::jwt::SigningKey,
        pool: &mut PoolState,
        client: &ClientState,
        user_key: &str,
    ) -> Result<Outcome, CognitoError> {
        let user = pool.users.get(user_key).ok_or_else(user_not_found)?;
        if !user.enabled {
            return Err(not_authorized("User is disabled."));
        }
        match user.status {
            UserStatusType::Unconfirmed => Err(CognitoError::new(
                ErrorKind::UserNotConfirmedException,
                "User is not confirmed.",
            )),
            UserStatusType::ResetRequired => Err(password_reset_required()),
            UserStatusType::ForceChangePassword => {
                if user
                    .temporary_password_expires
                    .is_some_and(|e| e <= ctx.now)
                {
                    return Err(not_authorized(
                        "Temporary password has expired and must be reset by an administrator.",
                    ));
                }
                let mut attributes = serde_json::Map::new();
                for (name, value) in &user.attributes {
                    attributes.insert(name.clone(), serde_json::Value::from(value.as_str()));
                }
                let schema = pool.config.schema_attributes.as_deref().unwrap_or_default();
                let required: Vec<String> = schema
                    .iter()
                    .filter(|a| a.required == Some(true))
                    .filter_map(|a| a.name.as_deref())
                    .filter(|n| *n != "sub" && !user.attributes.contains_key(n))
                    .map(|n| format!("userAttributes.{n}"))
                    .collect();
                let mut parameters = ChallengeParametersType::new();
                parameters.insert("USER_ID_FOR_SRP".into(), user.username.clone());
                parameters.insert(
                    "requiredAttributes".into(),
                    serde_json::Value::from(required).to_string(),
                );
                parameters.insert(
                    "userAttributes".into(),
                    serde_json::Value::Object(attributes).to_string(),
                );
                let session = self.open_session(
                    ctx,
                    pool,
                    client,
                    Challenge::NewPasswordRequired {
                        user_key: user_key.to_string(),
                        client_id: client.id().to_string(),
                    },
                );
                Ok(Outcome {
                    challenge: Some(ChallengeNameType::NewPasswordRequired),
                    parameters: Some(parameters),
                    session: Some(session),
                    result: None,
                })
            }
            _ => Ok(Outcome {
                result: Some(self.issue_tokens(ctx, key, pool, user_key, &client.config, None)?),
                ..Default::default()
            }),
        }
    }

    fn open_session(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        client: &ClientState,
        challenge: Challenge,
    ) -> String {
        let mut bytes = [0u8; 48];
        self.random.fill(&mut bytes);
        let session = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let minutes = i64::from(client.config.auth_session_validity.unwrap_or(3));
        pool.auth_sessions.insert(
            session.clone(),
            challenge,
            ctx.now.plus_millis(minutes * 60_000),
            ctx.now,
        );
        session
    }

    /// `USER_SRP_AUTH`: answers `PASSWORD_VERIFIER` with the server's SRP values.
    fn start_srp(
        &self,
        ctx: &RequestContext,
        shared: &SharedPool,
        client_id: &str,
        params: &HashMapLike,
    ) -> Result<Outcome, CognitoError> {
        let username = required(params, "USERNAME")?;
        let srp_a = required(params, "SRP_A")?;
        let mut pool = shared.write();
        let client = pool.client(client_id)?.clone();
        client.check_secret_hash(username, param(params, "SECRET_HASH"))?;
        let user_key = match find_signing_in_user(&pool, &client, username)? {
            SignInAs::User(key) => key,
            SignInAs::Unknown(key) => {
                return self.simulate_srp(ctx, &mut pool, &client, key, srp_a);
            }
        };
        let user = pool.users.get(&user_key).ok_or_else(incorrect)?;
        let hash = user.password.clone().ok_or_else(incorrect)?;
        let user_id_for_srp = user.username.clone();
        // The verifier costs a 3072-bit exponentiation: made once per password.
        let verifier = match &user.sign_in.srp_verifier {
            Some(bytes) => Verifier::from_bytes(bytes),
            None => {
                let v = srp::verifier(&hash.salt, &hash.identity);
                let bytes = v.to_bytes();
                pool.users
                    .update(&user_key, |u| u.sign_in.srp_verifier = Some(bytes));
                v
            }
        };
        let salt = hash.salt;
        self.password_verifier(
            ctx,
            &mut pool,
            &client,
            &verifier,
            srp_a,
            &salt,
            user_id_for_srp,
            |server, secret_block, user_id_for_srp| Challenge::PasswordVerifier {
                user_key,
                client_id: client_id.to_string(),
                server,
                secret_block,
                user_id_for_srp,
            },
        )
    }

    /// Answers an SRP sign-in as a user that does not exist as if it did.
    fn simulate_srp(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        client: &ClientState,
        key: String,
        srp_a: &str,
    ) -> Result<Outcome, CognitoError> {
        let simulated = pool.unknown_users.simulate(&key, &*self.random);
        let client_id = client.id().to_string();
        self.password_verifier(
            ctx,
            pool,
            client,
            &simulated.verifier,
            srp_a,
            &simulated.salt,
            simulated.user_id_for_srp,
            |_, secret_block, _| Challenge::UnknownUser {
                key,
                client_id,
                secret_block,
            },
        )
    }

    /// The `PASSWORD_VERIFIER` challenge: the server's SRP values over `verifier`, and a
    /// session holding what `challenge` makes of them.
    #[allow(clippy::too_many_arguments)]
    fn password_verifier(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        client: &ClientState,
        verifier: &Verifier,
        srp_a: &str,
        salt: &[u8],
        user_id_for_srp: String,
        challenge: impl FnOnce(ServerSession, String, String) -> Challenge,
    ) -> Result<Outcome, CognitoError> {
        let mut b = [0u8; 32];
        self.random.fill(&mut b);
        let server = ServerSession::new(verifier, srp_a, &b)
            .map_err(|e| invalid_parameter(format!("Invalid SRP_A: {e}")))?;
        let mut block = [0u8; 64];
        self.random.fill(&mut block);
        let secret_block = base64::engine::general_purpose::STANDARD.encode(block);
        let mut parameters = ChallengeParametersType::new();
        parameters.insert("SALT".into(), srp::salt_hex(salt));
        parameters.insert("SRP_B".into(), server.srp_b());
        parameters.insert("SECRET_BLOCK".into(), secret_block.clone());
        parameters.insert("USER_ID_FOR_SRP".into(), user_id_for_srp.clone());
        parameters.insert("USERNAME".into(), user_id_for_srp.clone());
        let session = self.open_session(
            ctx,
            pool,
            client,
            challenge(server, secret_block.clone(), user_id_for_srp),
        );
        // Clients answer with the secret block and may leave the session out.
        pool.auth_session_by_block
            .insert(secret_block, session.clone());
        Ok(Outcome {
            challenge: Some(ChallengeNameType::PasswordVerifier),
            parameters: Some(parameters),
            session: Some(session),
            result: None,
        })
    }

    fn respond(
        &self,
        ctx: &RequestContext,
        shared: &SharedPool,
        client_id: &str,
        name: ChallengeNameType,
        session: Option<&str>,
        responses: &HashMapLike,
    ) -> Result<Outcome, CognitoError> {
        let key = self.signing_key(shared)?;
        let mut pool = shared.write();
        let client = pool.client(client_id)?.clone();
        let session = match session {
            Some(s) => s.to_string(),
            None => param(responses, "PASSWORD_CLAIM_SECRET_BLOCK")
                .and_then(|b| pool.auth_session_by_block.get(b).cloned())
                .ok_or_else(|| invalid_parameter("Missing required parameter Session"))?,
        };
        let challenge = pool.auth_sessions.take(&session, ctx.now)?;
        if let Some(block) = challenge.secret_block() {
            pool.auth_session_by_block.remove(block);
        }
        if challenge.client_id() != client_id {
            return Err(not_authorized("Invalid session for the user."));
        }
        if challenge.name() != name {
            return Err(invalid_parameter(format!(
                "The challenge {} does not answer the session's challenge {}.",
                name.as_str(),
                challenge.name().as_str()
            )));
        }
        let username = required(responses, "USERNAME")?;
        client.check_secret_hash(username, param(responses, "SECRET_HASH"))?;
        match challenge {
            Challenge::UnknownUser { key, .. } => Err(pool.unknown_users.fail(&key, ctx.now)),
            Challenge::PasswordVerifier {
                user_key,
                server,
                secret_block,
                user_id_for_srp,
                ..
            } => {
                let sent_block = required(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
                let timestamp = required(responses, "TIMESTAMP")?;
                let signature = required(responses, "PASSWORD_CLAIM_SIGNATURE")?;
                if sent_block != secret_block {
                    return Err(incorrect());
                }
                let sent_at = srp::parse_timestamp(timestamp).map_err(|_| {
                    invalid_parameter(
                        "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.",
                    )
                })?;
                if (sent_at - ctx.now.secs()).abs() > TIMESTAMP_SKEW_SECS {
                    return Err(incorrect());
                }
                let user = pool.users.get(&user_key).ok_or_else(incorrect)?;
                if !user.enabled {
                    return Err(not_authorized("User is disabled."));
                }
                if user.sign_in.locked_until.is_some_and(|t| t > ctx.now) {
                    return Err(not_authorized("Password attempts exceeded"));
                }
                let verifier = user
                    .sign_in
                    .srp_verifier
                    .as_deref()
                    .map(Verifier::from_bytes)
                    .ok_or_else(incorrect)?;
                let claim = PasswordClaim {
                    pool_name: pool.pool_name(),
                    user_id_for_srp: &user_id_for_srp,
                    secret_block: sent_block,
                    timestamp,
                    signature,
                };
                let ok = server.verify_password_claim(&verifier, &claim).is_ok();
                self.record_password_result(ctx, &mut pool, &user_key, ok)?;
                self.after_password(ctx, &key, &mut pool, &client, &user_key)
            }
            Challenge::NewPasswordRequired { user_key, .. } => {
                let password = required(responses, "NEW_PASSWORD")?;
                let policy = pool
                    .config
                    .policies
                    .as_ref()
                    .and_then(|p| p.password_policy.clone())
                    .unwrap_or_default();
                check_password(&policy, password)?;
                self.check_compromised(
                    &pool,
                    Some(client_id),
                    EventFilterType::PasswordChange,
                    password,
                )?;
                let attributes: Vec<AttributeType> = responses
                    .iter()
                    .filter_map(|(k, v)| {
                        k.strip_prefix("userAttributes.").map(|name| AttributeType {
                            name: name.to_string(),
                            value: Some(v.clone()),
                        })
                    })
                    .collect();
                let attrs = crate::users::rules::check_attributes(
                    &pool.config,
                    &attributes,
                    crate::users::rules::AttributeWrite::Update,
                )?;
                // Everything is checked before anything changes: a refused answer leaves
                // the user as it was.
                let user = pool.users.get(&user_key).ok_or_else(user_not_found)?;
                let missing = pool
                    .config
                    .schema_attributes
                    .iter()
                    .flatten()
                    .filter(|a| a.required == Some(true))
                    .filter_map(|a| a.name.as_deref())
                    .find(|n| {
                        *n != "sub"
                            && !user.attributes.contains_key(n)
                            && !attrs.iter().any(|(name, _)| name == n)
                    });
                if let Some(name) = missing {
                    return Err(invalid_parameter(format!(
                        "Invalid attributes given, {name} is missing"
                    )));
                }
                let username = user.username.clone();
                let verified = |attr: &str| {
                    attrs
                        .iter()
                        .any(|(n, v)| *n == format!("{attr}_verified") && v == "true")
                };
                pool.claim_aliases(&user_key, &attrs, verified, false)?;
                let mut attrs = attrs;
                pool.fold_aliases(&mut attrs);
                let hash = self.hash_password(&pool, &username, password);
                pool.users.update(&user_key, |u| {
                    u.set_password(hash);
                    u.status = UserStatusType::Confirmed;
                    u.temporary_password_expires = None;
                    u.attributes.extend(attrs);
                    u.modified = ctx.now;
                });
                self.after_password(ctx, &key, &mut pool, &client, &user_key)
            }
        }
    }

    /// `REFRESH_TOKEN_AUTH` and `GetTokensFromRefreshToken`: new access and ID tokens for
    /// the refresh token's origin; with rotation on, a new refresh token replaces it, and
    /// the old one answers `reused` once the client's grace period is over.
    fn refresh(
        &self,
        ctx: &RequestContext,
        shared: &SharedPool,
        client_id: &str,
        token: &str,
        check_client: impl FnOnce(&ClientState, &str) -> Result<(), CognitoError>,
        reused: impl FnOnce() -> CognitoError,
    ) -> Result<Outcome, CognitoError> {
        let key = self.signing_key(shared)?;
        let mut pool = shared.write();
        let client = pool.client(client_id)?.clone();
        let (grant, usable) = pool
            .tokens
            .lookup(token, ctx.now)
            .map(|(g, usable)| (g.clone(), usable))
            .filter(|(g, _)| g.client_id == client_id)
            .ok_or_else(|| not_authorized("Invalid Refresh Token"))?;
        if pool.tokens.is_revoked(&grant.origin_jti) {
            return Err(not_authorized("Refresh Token has been revoked"));
        }
        if grant.expires <= ctx.now {
            return Err(not_authorized("Refresh Token has expired"));
        }
        if !usable {
            return Err(reused());
        }
        let user = pool
            .users
            .get(&grant.user_key)
            .filter(|u| u.sub == grant.sub)
            .ok_or_else(|| not_authorized("User does not exist."))?;
        check_client(&client, &user.username)?;
        if !user.enabled {
            return Err(not_authorized("User is disabled."));
        }
        if user
            .sign_in
            .tokens_valid_after
            .is_some_and(|t| grant.auth_time < t)
        {
            return Err(not_authorized("Refresh Token has been revoked"));
        }
        let rotation = client
            .config
            .refresh_token_rotation
            .as_ref()
            .filter(|r| r.feature == FeatureType::Enabled);
        let mut result = self.issue_tokens(
            ctx,
            &key,
            &mut pool,
            &grant.user_key,
            &client.config,
            Some((grant.origin_jti.clone(), grant.auth_time)),
        )?;
        if let Some(r) = rotation {
            let grace = i64::from(r.retry_grace_period_seconds.unwrap_or(0));
            result.refresh_token =
                pool.tokens
                    .rotate(&grant.origin_jti, &*self.random, ctx.now, grace);
        }
        pool.tokens.touch(&grant.origin_jti, ctx.now);
        Ok(Outcome {
            result: Some(result),
            ..Default::default()
        })
    }

    pub(crate) fn get_tokens_from_refresh_token(
        &self,
        ctx: &RequestContext,
        input: GetTokensFromRefreshTokenRequest,
    ) -> Result<GetTokensFromRefreshTokenResponse, CognitoError> {
        let pool = self.client_pool(ctx, &input.client_id)?;
        let secret = input.client_secret.clone();
        let outcome = self.refresh(
            ctx,
            &pool,
            &input.client_id,
            &input.refresh_token,
            |client, _| check_client_secret(client, secret.as_deref()),
            || {
                CognitoError::new(
                    ErrorKind::RefreshTokenReuseException,
                    "The refresh token was replaced by rotation and can't be used again.",
                )
            },
        )?;
        Ok(GetTokensFromRefreshTokenResponse {
            authentication_result: outcome.result,
        })
    }

    pub(crate) fn revoke_token(
        &self,
        ctx: &RequestContext,
        input: RevokeTokenRequest,
    ) -> Result<RevokeTokenResponse, CognitoError> {
        let shared = self.client_pool(ctx, &input.client_id)?;
        let mut pool = shared.write();
        let client = pool.client(&input.client_id)?.clone();
        // `RevokeToken` knows no `NotAuthorizedException`: a client that fails to
        // authenticate is unauthorized.
        check_client_secret(&client, input.client_secret.as_deref())
            .map_err(|e| CognitoError::new(ErrorKind::UnauthorizedException, e.message))?;
        if client.config.enable_token_revocation == Some(false) {
            return Err(CognitoError::new(
                ErrorKind::UnsupportedOperationException,
                "Token revocation is not enabled for this client.",
            ));
        }
        // Only refresh tokens are revoked; access and ID tokens are JWTs.
        if cognito_crypto::jwt::danger_decode_unverified(&input.token).is_ok() {
            return Err(CognitoError::new(
                ErrorKind::UnsupportedTokenTypeException,
                "Only refresh tokens can be revoked.",
            ));
        }
        match pool.tokens.grant(&input.token).cloned() {
            Some(grant) if grant.client_id == input.client_id => {
                pool.tokens.revoke_origin(&grant.origin_jti)
            }
            Some(_) => {
                return Err(CognitoError::new(
                    ErrorKind::UnauthorizedException,
                    "The token was not issued to this client.",
                ))
            }
            // An unknown token is already as revoked as it can be (RFC 7009 §2.2).
            None => {}
        }
        Ok(RevokeTokenResponse {})
    }

    pub(crate) fn global_sign_out(
        &self,
        ctx: &RequestContext,
        input: GlobalSignOutRequest,
    ) -> Result<GlobalSignOutResponse, CognitoError> {
        let token = self.verify_access_token(ctx, &input.access_token)?;
        let mut pool = token.pool.write();
        sign_out(&mut pool, &token.user_key, ctx.now);
        Ok(GlobalSignOutResponse {})
    }

    pub(crate) fn admin_user_global_sign_out(
        &self,
        ctx: &RequestContext,
        input: AdminUserGlobalSignOutRequest,
    ) -> Result<AdminUserGlobalSignOutResponse, CognitoError> {
        let pool = self.pool(ctx, &input.user_pool_id)?;
        let mut pool = pool.write();
        let key = pool.user_key_of(&input.username)?;
        sign_out(&mut pool, &key, ctx.now);
        Ok(AdminUserGlobalSignOutResponse {})
    }
}

/// Revokes every token of `user_key`.
fn sign_out(pool: &mut PoolState, user_key: &str, now: Timestamp) {
    pool.tokens.revoke_where(|user, _| user == user_key);
    pool.users
        .update(user_key, |u| u.sign_in.tokens_valid_after = Some(now));
}

/// Checks a client secret sent in the clear (`GetTokensFromRefreshToken`, `RevokeToken`).
fn check_client_secret(client: &ClientState, sent: Option<&str>) -> Result<(), CognitoError> {
    if client.secrets.is_empty() {
        return Ok(());
    }
    let ok = sent.is_some_and(|s| client.secrets.iter().any(|c| c.value == s));
    if ok {
        Ok(())
    } else {
        Err(not_authorized(format!(
            "Client {} is configured with secret but the secret was not received or is wrong",
            client.id()
        )))
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
    if client.config.prevent_user_existence_errors == Some(PreventUserExistenceErrorTypes::Enabled)
    {
        Ok(SignInAs::Unknown(pool.user_key(username)))
    } else {
        Err(user_not_found())
    }
}

#[cfg(test)]
mod tests;
