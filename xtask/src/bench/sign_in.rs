//! Sign-ins: the app client and passwords they need, and the exchanges themselves.
//!
//! [`SignInSetup::create`] adds an app client that allows `USER_PASSWORD_AUTH`,
//! `USER_SRP_AUTH` and `REFRESH_TOKEN_AUTH` to the bench pool, gives the first
//! [`SIGN_IN_USERS`] users a permanent password with `AdminSetUserPassword`, and signs
//! `user0` in once, so that the pool's RSA key is made before any measured run. An exchange
//! succeeds only when it ends with an `AuthenticationResult` holding an access token.

use std::io::Write as _;
use std::rc::Rc;

use cognito_crypto::srp::client::{Challenge, ClientSession};
use cognito_crypto::srp::format_timestamp;
use serde::Deserialize;
use serde_json::{json, Value};

use super::http::{Connection, RequestHead};
use super::scenarios::{Control, Pool};

/// How many users sign in (fewer when the pool has fewer).
pub const SIGN_IN_USERS: u64 = 200;

/// The password every signing-in user gets; it meets the default password policy.
pub const PASSWORD: &str = "Bench-Passw0rd!";

/// What the sign-in scenarios share: the app client and how many users have a password.
#[derive(Debug, Clone)]
pub struct SignInSetup {
    /// The app client's id.
    pub client_id: String,
    /// Users `user0` ... `user{users-1}` have [`PASSWORD`].
    pub users: u64,
}

impl SignInSetup {
    /// Creates the app client, sets the passwords of `users.min(SIGN_IN_USERS)` users and
    /// signs the first in once (which makes the pool's key).
    pub async fn create(control: &mut Control, pool: &Pool, users: u64) -> Result<Self, String> {
        let answer = control
            .call(
                "CreateUserPoolClient",
                &json!({
                    "UserPoolId": pool.id,
                    "ClientName": "bench-sign-in",
                    "ExplicitAuthFlows": [
                        "ALLOW_USER_PASSWORD_AUTH",
                        "ALLOW_USER_SRP_AUTH",
                        "ALLOW_REFRESH_TOKEN_AUTH",
                    ],
                }),
            )
            .await?;
        let client_id = answer
            .pointer("/UserPoolClient/ClientId")
            .and_then(Value::as_str)
            .ok_or("CreateUserPoolClient: no UserPoolClient.ClientId in the answer")?
            .to_owned();
        let users = users.min(SIGN_IN_USERS);
        for user in 0..users {
            control
                .call(
                    "AdminSetUserPassword",
                    &json!({
                        "UserPoolId": pool.id,
                        "Username": format!("user{user}"),
                        "Password": PASSWORD,
                        "Permanent": true,
                    }),
                )
                .await?;
        }
        if users > 0 {
            // The pool's first token makes its RSA key: one sign-in before any measured run,
            // so that no run counts the key's generation.
            let answer = control
                .call(
                    "InitiateAuth",
                    &json!({
                        "AuthFlow": "USER_PASSWORD_AUTH",
                        "ClientId": client_id,
                        "AuthParameters": { "USERNAME": "user0", "PASSWORD": PASSWORD },
                    }),
                )
                .await?;
            require_tokens("InitiateAuth", answer.to_string().as_bytes())?;
        }
        Ok(SignInSetup { client_id, users })
    }
}

/// An answer that ends a sign-in.
#[derive(Deserialize)]
struct Tokens {
    #[serde(rename = "AuthenticationResult")]
    result: Option<TokenSet>,
    #[serde(rename = "ChallengeName")]
    challenge: Option<String>,
}

#[derive(Deserialize)]
struct TokenSet {
    #[serde(rename = "AccessToken")]
    access_token: Option<serde::de::IgnoredAny>,
}

/// Checks that `body` carries an `AuthenticationResult` with an access token.
pub fn require_tokens(operation: &str, body: &[u8]) -> Result<(), String> {
    let answer: Tokens = serde_json::from_slice(body).map_err(|e| format!("{operation}: {e}"))?;
    match answer.result {
        Some(TokenSet {
            access_token: Some(_),
        }) => Ok(()),
        _ => Err(format!(
            "{operation}: no tokens (challenge {:?})",
            answer.challenge
        )),
    }
}

/// `InitiateAuth` with `USER_PASSWORD_AUTH`.
#[derive(Debug)]
pub struct PasswordSignIn {
    head: RequestHead,
    client_id: String,
    users: u64,
    pick: fn(u64, u64) -> u64,
}

impl PasswordSignIn {
    /// Signs in user `pick(index, users)`.
    pub fn new(
        head: RequestHead,
        setup: &SignInSetup,
        pick: fn(u64, u64) -> u64,
    ) -> PasswordSignIn {
        PasswordSignIn {
            head,
            client_id: setup.client_id.clone(),
            users: setup.users,
            pick,
        }
    }

    /// Sign-in number `index` on `connection`.
    pub async fn run(
        self: Rc<Self>,
        index: u64,
        mut connection: Connection,
    ) -> (Option<Connection>, Result<(), String>) {
        let user = (self.pick)(index, self.users);
        let mut body = Vec::with_capacity(256);
        let _ = write!(
            body,
            r#"{{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"{}","AuthParameters":{{"USERNAME":"user{user}","PASSWORD":"{PASSWORD}"}}}}"#,
            self.client_id
        );
        let verdict = match connection.call(&self.head, &body).await {
            Ok(reply) if reply.is_success() => require_tokens("InitiateAuth", reply.body),
            Ok(reply) => Err(format!("InitiateAuth: {}", reply.describe())),
            Err(e) => return (None, Err(format!("InitiateAuth: no answer: {e}"))),
        };
        (reusable(connection), verdict)
    }
}

/// `InitiateAuth` with `USER_SRP_AUTH`, then `RespondToAuthChallenge` to
/// `PASSWORD_VERIFIER`, the client's SRP computed in between.
#[derive(Debug)]
pub struct SrpSignIn {
    initiate: RequestHead,
    respond: RequestHead,
    pool_name: String,
    client_id: String,
    users: u64,
    pick: fn(u64, u64) -> u64,
}

/// The `PASSWORD_VERIFIER` challenge, as `InitiateAuth` answers it.
#[derive(Deserialize)]
struct SrpChallenge {
    #[serde(rename = "ChallengeName")]
    name: String,
    #[serde(rename = "Session", default)]
    session: Option<String>,
    #[serde(rename = "ChallengeParameters")]
    parameters: SrpParameters,
}

#[derive(Deserialize)]
struct SrpParameters {
    #[serde(rename = "SALT")]
    salt: String,
    #[serde(rename = "SRP_B")]
    srp_b: String,
    #[serde(rename = "SECRET_BLOCK")]
    secret_block: String,
    #[serde(rename = "USER_ID_FOR_SRP")]
    user_id_for_srp: String,
}

impl SrpSignIn {
    /// Signs in user `pick(index, users)` of `pool_id`.
    pub fn new(
        initiate: RequestHead,
        respond: RequestHead,
        pool_id: &str,
        setup: &SignInSetup,
        pick: fn(u64, u64) -> u64,
    ) -> SrpSignIn {
        let pool_name = pool_id
            .split_once('_')
            .map_or(pool_id, |(_, name)| name)
            .to_owned();
        SrpSignIn {
            initiate,
            respond,
            pool_name,
            client_id: setup.client_id.clone(),
            users: setup.users,
            pick,
        }
    }

    /// Sign-in number `index` on `connection`.
    pub async fn run(
        self: Rc<Self>,
        index: u64,
        mut connection: Connection,
    ) -> (Option<Connection>, Result<(), String>) {
        let user = (self.pick)(index, self.users);
        let client = ClientSession::new(&rand::random::<[u8; 32]>());
        let body = json!({
            "AuthFlow": "USER_SRP_AUTH",
            "ClientId": self.client_id,
            "AuthParameters": { "USERNAME": format!("user{user}"), "SRP_A": client.srp_a() },
        })
        .to_string();
        let challenge: SrpChallenge = match connection.call(&self.initiate, body.as_bytes()).await {
            Ok(reply) if reply.is_success() => match serde_json::from_slice(reply.body) {
                Ok(challenge) => challenge,
                Err(e) => {
                    return (
                        reusable(connection),
                        Err(format!("InitiateAuth: no PASSWORD_VERIFIER challenge: {e}")),
                    )
                }
            },
            Ok(reply) => {
                let failure = format!("InitiateAuth: {}", reply.describe());
                return (reusable(connection), Err(failure));
            }
            Err(e) => return (None, Err(format!("InitiateAuth: no answer: {e}"))),
        };
        if challenge.name != "PASSWORD_VERIFIER" {
            let failure = format!("InitiateAuth: challenge {}", challenge.name);
            return (reusable(connection), Err(failure));
        }
        let parameters = &challenge.parameters;
        let timestamp = format_timestamp(wall_clock_secs());
        let signature = ClientSession::password_claim_signature(
            &client,
            &Challenge {
                pool_name: &self.pool_name,
                user_id_for_srp: &parameters.user_id_for_srp,
                salt: &parameters.salt,
                srp_b: &parameters.srp_b,
                secret_block: &parameters.secret_block,
            },
            PASSWORD,
            &timestamp,
        );
        let signature = match signature {
            Ok(signature) => signature,
            Err(e) => return (reusable(connection), Err(format!("SRP client: {e}"))),
        };
        let mut answer = json!({
            "ClientId": self.client_id,
            "ChallengeName": "PASSWORD_VERIFIER",
            "ChallengeResponses": {
                "USERNAME": parameters.user_id_for_srp,
                "PASSWORD_CLAIM_SECRET_BLOCK": parameters.secret_block,
                "TIMESTAMP": timestamp,
                "PASSWORD_CLAIM_SIGNATURE": signature,
            },
        });
        if let (Some(session), Some(object)) = (&challenge.session, answer.as_object_mut()) {
            object.insert("Session".into(), Value::from(session.as_str()));
        }
        let body = answer.to_string();
        let verdict = match connection.call(&self.respond, body.as_bytes()).await {
            Ok(reply) if reply.is_success() => require_tokens("RespondToAuthChallenge", reply.body),
            Ok(reply) => Err(format!("RespondToAuthChallenge: {}", reply.describe())),
            Err(e) => return (None, Err(format!("RespondToAuthChallenge: no answer: {e}"))),
        };
        (reusable(connection), verdict)
    }
}

/// `connection`, when another request may be sent on it.
pub fn reusable(connection: Connection) -> Option<Connection> {
    connection.is_reusable().then_some(connection)
}

/// The wall clock in epoch seconds, for `TIMESTAMP` and TOTP codes, which the server
/// checks against its own clock.
// The server crates take time as a parameter; a client signing a timestamp reads it.
#[allow(clippy::disallowed_methods)]
pub fn wall_clock_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
