//! The TOTP sign-in: `InitiateAuth` with `USER_PASSWORD_AUTH` answered by a
//! `SOFTWARE_TOKEN_MFA` challenge, then `RespondToAuthChallenge` with the code the user's
//! authenticator shows.
//!
//! [`TotpPool::create`] makes a pool of its own with `MfaConfiguration: OPTIONAL` and
//! software tokens enabled, and users that each have a permanent password and a verified
//! software token preferred for MFA: `AdminCreateUser`, `AdminSetUserPassword`, a
//! password sign-in for an access token, `AssociateSoftwareToken`,
//! `VerifySoftwareToken` with the code of the moment, `SetUserMFAPreference`. The
//! generator keeps each user's key and computes its codes (RFC 6238: HMAC-SHA-1, 30
//! seconds, 6 digits) with `cognito_crypto::totp`.
//!
//! A code is accepted once: a server refuses a second sign-in with the code of a step
//! already used, and `VerifySoftwareToken` used the step it ran in. So every user signs
//! in once, with the code of its current step, and the measured run waits first until
//! the step of every verification has passed. The run measures sign-ins, never
//! refusals: there are as many users as sign-ins.

use std::cell::RefCell;
use std::rc::Rc;

use cognito_crypto::totp::{time_step, TotpKey, STEP_SECONDS};
use serde::Deserialize;
use serde_json::{json, Value};

use super::http::{Connection, Endpoint, RequestHead};
use super::load::{closed_loop_exchanges, Outcome, Plan};
use super::scenarios::{Control, Pool};
use super::sign_in::{require_tokens, reusable, wall_clock_secs, PASSWORD};

/// A user set up with a software token.
#[derive(Debug, Clone)]
struct TotpUser {
    key: TotpKey,
    /// The step of the code `VerifySoftwareToken` accepted, which is used up.
    verified_step: u64,
}

/// The pool of the TOTP sign-ins, its app client and its users.
#[derive(Debug)]
pub struct TotpPool {
    pool: Pool,
    client_id: String,
    users: Vec<TotpUser>,
}

/// The requests of a user's set-up, with their heads made once.
#[derive(Debug)]
struct Heads {
    create: RequestHead,
    set_password: RequestHead,
    initiate: RequestHead,
    associate: RequestHead,
    verify: RequestHead,
    preference: RequestHead,
}

impl Heads {
    fn new(endpoint: &Endpoint) -> Heads {
        Heads {
            create: RequestHead::api(endpoint, "AdminCreateUser"),
            set_password: RequestHead::api(endpoint, "AdminSetUserPassword"),
            initiate: RequestHead::api(endpoint, "InitiateAuth"),
            associate: RequestHead::api(endpoint, "AssociateSoftwareToken"),
            verify: RequestHead::api(endpoint, "VerifySoftwareToken"),
            preference: RequestHead::api(endpoint, "SetUserMFAPreference"),
        }
    }
}

/// The name of user number `index`.
fn username(index: u64) -> String {
    format!("totp{index}")
}

/// Calls `head` with `input` on `connection`; a non-2xx answer is an error. The
/// connection is `None` afterwards when it can no longer be used.
async fn call(
    connection: &mut Option<Connection>,
    head: &RequestHead,
    operation: &str,
    input: &Value,
) -> Result<Value, String> {
    let Some(c) = connection.as_mut() else {
        return Err(format!("{operation}: no connection"));
    };
    let body = input.to_string();
    let answer = match c.call(head, body.as_bytes()).await {
        Ok(reply) if reply.is_success() => serde_json::from_slice(reply.body)
            .map_err(|e| format!("{operation}: answer is not JSON: {e}")),
        Ok(reply) => Err(format!("{operation}: {}", reply.describe())),
        Err(e) => {
            *connection = None;
            return Err(format!("{operation}: no answer: {e}"));
        }
    };
    if connection.as_ref().is_some_and(|c| !c.is_reusable()) {
        *connection = None;
    }
    answer
}

fn string_at(answer: &Value, pointer: &str, operation: &str) -> Result<String, String> {
    answer
        .pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("{operation}: no {pointer} in the answer"))
}

impl TotpPool {
    /// Creates the pool, its app client and `users` users with verified software tokens,
    /// `concurrency` users at a time.
    pub async fn create(
        control: &mut Control,
        endpoint: &Endpoint,
        users: u64,
        concurrency: usize,
    ) -> Result<TotpPool, String> {
        let pool = control
            .create_pool(&format!("bench-totp-{}", std::process::id()))
            .await?;
        match Self::fill(control, endpoint, &pool, users, concurrency).await {
            Ok((client_id, users)) => Ok(TotpPool {
                pool,
                client_id,
                users,
            }),
            Err(e) => {
                if let Err(e) = control.delete_pool(&pool).await {
                    eprintln!("bench: could not delete pool {}: {e}", pool.id);
                }
                Err(e)
            }
        }
    }

    async fn fill(
        control: &mut Control,
        endpoint: &Endpoint,
        pool: &Pool,
        users: u64,
        concurrency: usize,
    ) -> Result<(String, Vec<TotpUser>), String> {
        control
            .call(
                "SetUserPoolMfaConfig",
                &json!({
                    "UserPoolId": pool.id,
                    "SoftwareTokenMfaConfiguration": { "Enabled": true },
                    "MfaConfiguration": "OPTIONAL",
                }),
            )
            .await?;
        let answer = control
            .call(
                "CreateUserPoolClient",
                &json!({
                    "UserPoolId": pool.id,
                    "ClientName": "bench-totp",
                    "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                }),
            )
            .await?;
        let client_id = string_at(&answer, "/UserPoolClient/ClientId", "CreateUserPoolClient")?;

        let made: Rc<RefCell<Vec<Option<TotpUser>>>> =
            Rc::new(RefCell::new(vec![
                None;
                usize::try_from(users).unwrap_or(0)
            ]));
        let setup = Rc::new(Setup {
            heads: Heads::new(endpoint),
            pool_id: pool.id.clone(),
            client_id: client_id.clone(),
            made: Rc::clone(&made),
        });
        let plan = Plan {
            endpoint: endpoint.clone(),
            requests: users,
            concurrency,
            server: None,
        };
        let outcome = closed_loop_exchanges(&plan, move |index, connection| {
            Rc::clone(&setup).run(index, connection)
        })
        .await?;
        if let Some(e) = outcome.first_error {
            return Err(format!("setting up TOTP users: {e}"));
        }
        let users = made.borrow().iter().flatten().cloned().collect();
        Ok((client_id, users))
    }

    /// How many users signed up with a software token.
    pub fn users(&self) -> u64 {
        self.users.len() as u64
    }

    /// Waits until the step of every user's verification has passed, so that each can
    /// sign in with the code of its current step.
    pub async fn wait_for_fresh_codes(&self) {
        let Some(last) = self.users.iter().map(|u| u.verified_step).max() else {
            return;
        };
        let next = i64::try_from(last.saturating_add(1))
            .unwrap_or(i64::MAX)
            .saturating_mul(STEP_SECONDS);
        let wait = next.saturating_sub(wall_clock_secs());
        if wait > 0 {
            eprintln!("bench: waiting {wait}s for the next TOTP step");
            // The step starts on a whole second; a little after it is safe.
            let millis = u64::try_from(wait).unwrap_or(0) * 1000 + 200;
            tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
        }
    }

    /// Signs every user in once: `InitiateAuth`, then `RespondToAuthChallenge` with the
    /// code of the moment, over `plan.concurrency` connections.
    pub async fn sign_in_all(&self, endpoint: &Endpoint, plan: &Plan) -> Result<Outcome, String> {
        let flow = Rc::new(TotpSignIn {
            initiate: RequestHead::api(endpoint, "InitiateAuth"),
            respond: RequestHead::api(endpoint, "RespondToAuthChallenge"),
            client_id: self.client_id.clone(),
            keys: self.users.iter().map(|u| u.key.clone()).collect(),
        });
        let plan = Plan {
            requests: plan.requests.min(self.users()),
            ..plan.clone()
        };
        closed_loop_exchanges(&plan, move |index, connection| {
            Rc::clone(&flow).run(index, connection)
        })
        .await
    }

    /// Deletes the pool.
    pub async fn delete(self, control: &mut Control) {
        if let Err(e) = control.delete_pool(&self.pool).await {
            eprintln!("bench: could not delete pool {}: {e}", self.pool.id);
        }
    }
}

/// What the set-up exchanges share.
struct Setup {
    heads: Heads,
    pool_id: String,
    client_id: String,
    made: Rc<RefCell<Vec<Option<TotpUser>>>>,
}

impl Setup {
    /// Sets up user number `index` on `connection`.
    async fn run(
        self: Rc<Self>,
        index: u64,
        connection: Connection,
    ) -> (Option<Connection>, Result<(), String>) {
        let mut connection = Some(connection);
        let verdict = self.user(index, &mut connection).await;
        (connection, verdict)
    }

    async fn user(&self, index: u64, connection: &mut Option<Connection>) -> Result<(), String> {
        let (heads, name) = (&self.heads, username(index));
        call(
            connection,
            &heads.create,
            "AdminCreateUser",
            &json!({ "UserPoolId": self.pool_id, "Username": name, "MessageAction": "SUPPRESS" }),
        )
        .await?;
        call(
            connection,
            &heads.set_password,
            "AdminSetUserPassword",
            &json!({
                "UserPoolId": self.pool_id,
                "Username": name,
                "Password": PASSWORD,
                "Permanent": true,
            }),
        )
        .await?;
        let tokens = call(
            connection,
            &heads.initiate,
            "InitiateAuth",
            &json!({
                "AuthFlow": "USER_PASSWORD_AUTH",
                "ClientId": self.client_id,
                "AuthParameters": { "USERNAME": name, "PASSWORD": PASSWORD },
            }),
        )
        .await?;
        let access_token = string_at(&tokens, "/AuthenticationResult/AccessToken", "InitiateAuth")?;
        let secret = call(
            connection,
            &heads.associate,
            "AssociateSoftwareToken",
            &json!({ "AccessToken": access_token }),
        )
        .await?;
        let secret = string_at(&secret, "/SecretCode", "AssociateSoftwareToken")?;
        let key = TotpKey::from_secret_code(&secret)
            .map_err(|e| format!("AssociateSoftwareToken: SecretCode {secret:?}: {e}"))?;
        let now = wall_clock_secs();
        let code = key
            .totp(now)
            .map_err(|e| format!("TOTP of the secret code: {e}"))?;
        let verified = call(
            connection,
            &heads.verify,
            "VerifySoftwareToken",
            &json!({ "AccessToken": access_token, "UserCode": code.expose() }),
        )
        .await?;
        if verified.get("Status").and_then(Value::as_str) != Some("SUCCESS") {
            return Err(format!("VerifySoftwareToken: {verified}"));
        }
        call(
            connection,
            &heads.preference,
            "SetUserMFAPreference",
            &json!({
                "AccessToken": access_token,
                "SoftwareTokenMfaSettings": { "Enabled": true, "PreferredMfa": true },
            }),
        )
        .await?;
        let verified_step = time_step(now).map_err(|e| format!("TOTP step: {e}"))?;
        if let Some(slot) = self
            .made
            .borrow_mut()
            .get_mut(usize::try_from(index).unwrap_or(usize::MAX))
        {
            *slot = Some(TotpUser { key, verified_step });
        }
        Ok(())
    }
}

/// The `SOFTWARE_TOKEN_MFA` challenge, as `InitiateAuth` answers it.
#[derive(Deserialize)]
struct Challenge {
    #[serde(rename = "ChallengeName")]
    name: Option<String>,
    #[serde(rename = "Session")]
    session: Option<String>,
}

/// One TOTP sign-in per user.
#[derive(Debug)]
struct TotpSignIn {
    initiate: RequestHead,
    respond: RequestHead,
    client_id: String,
    keys: Vec<TotpKey>,
}

impl TotpSignIn {
    /// The sign-in of user number `index` on `connection`.
    async fn run(
        self: Rc<Self>,
        index: u64,
        mut connection: Connection,
    ) -> (Option<Connection>, Result<(), String>) {
        let Some(key) = self.keys.get(usize::try_from(index).unwrap_or(usize::MAX)) else {
            return (reusable(connection), Err(format!("no TOTP user {index}")));
        };
        let name = username(index);
        let body = json!({
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": self.client_id,
            "AuthParameters": { "USERNAME": name, "PASSWORD": PASSWORD },
        })
        .to_string();
        let session = match connection.call(&self.initiate, body.as_bytes()).await {
            Ok(reply) if reply.is_success() => {
                match serde_json::from_slice::<Challenge>(reply.body) {
                    Ok(Challenge {
                        name: Some(challenge),
                        session: Some(session),
                    }) if challenge == "SOFTWARE_TOKEN_MFA" => session,
                    Ok(other) => {
                        let failure = format!(
                            "InitiateAuth: challenge {:?}, not SOFTWARE_TOKEN_MFA",
                            other.name
                        );
                        return (reusable(connection), Err(failure));
                    }
                    Err(e) => {
                        return (reusable(connection), Err(format!("InitiateAuth: {e}")));
                    }
                }
            }
            Ok(reply) => {
                let failure = format!("InitiateAuth: {}", reply.describe());
                return (reusable(connection), Err(failure));
            }
            Err(e) => return (None, Err(format!("InitiateAuth: no answer: {e}"))),
        };
        let code = match key.totp(wall_clock_secs()) {
            Ok(code) => code,
            Err(e) => return (reusable(connection), Err(format!("TOTP: {e}"))),
        };
        let body = json!({
            "ClientId": self.client_id,
            "ChallengeName": "SOFTWARE_TOKEN_MFA",
            "Session": session,
            "ChallengeResponses": { "USERNAME": name, "SOFTWARE_TOKEN_MFA_CODE": code.expose() },
        })
        .to_string();
        let verdict = match connection.call(&self.respond, body.as_bytes()).await {
            Ok(reply) if reply.is_success() => require_tokens("RespondToAuthChallenge", reply.body),
            Ok(reply) => Err(format!("RespondToAuthChallenge: {}", reply.describe())),
            Err(e) => return (None, Err(format!("RespondToAuthChallenge: no answer: {e}"))),
        };
        (reusable(connection), verdict)
    }
}
