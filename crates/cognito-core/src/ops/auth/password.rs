//! Passwords sent in the clear (`USER_PASSWORD_AUTH`, `ADMIN_USER_PASSWORD_AUTH`,
//! `ADMIN_NO_SRP_AUTH`), and the lockout every password check shares.
//!
//! Lockout follows Cognito: from the fifth consecutive failure, each failure locks the
//! user out for a second, doubling up to about 15 minutes; a success resets the count.

use cognito_model::shapes::*;
use cognito_model::CognitoError;

use super::{
    find_signing_in_user, incorrect, not_authorized, param, password_proven,
    password_reset_required, required, Outcome, Params, SignIn, SignInAs,
};
use crate::state::users::count_failure;
use crate::store::{ClientState, PoolState};
use crate::{ids, Cognito, RequestContext};

impl Cognito {
    /// A password sign-in: the password is checked and the next step decided under the
    /// pool's lock (a password check is one SHA-256); the tokens are signed after it.
    pub(super) fn password_auth(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        client_id: &str,
        params: &Params,
        hosted: bool,
    ) -> Result<Outcome, CognitoError> {
        let username = required(params, "USERNAME")?;
        let password = required(params, "PASSWORD")?;
        let outcome = self.store.update(pool_id, |pool| {
            let client = pool.client(client_id)?.clone();
            client.check_secret_hash(username, param(params, "SECRET_HASH"))?;
            let user_key = match find_signing_in_user(pool, &client, username)? {
                SignInAs::User(key) => key,
                SignInAs::Unknown(key) => return Err(pool.unknown_users.fail(&key, ctx.now)),
            };
            let event_id = self.check_password(ctx, pool, &client, &user_key, password)?;
            self.check_compromised(pool, Some(client_id), EventFilterType::SignIn, password)?;
            let device_key = param(params, "DEVICE_KEY");
            let sign_in = SignIn {
                hosted,
                ..password_proven(user_key, client_id, device_key, event_id)
            };
            self.after_password(ctx, pool, &client, sign_in)
        })?;
        Ok(outcome)
    }

    /// Checks a password sent in the clear, counting failures and locking out after
    /// repeated ones; answers the sign-in's auth event.
    ///
    /// A user whose password must be reset (imported, or reset by an administrator)
    /// gets `PasswordResetRequiredException` whatever password it sends, as Cognito
    /// tells imported users to reset theirs; only a client that prevents user
    /// existence errors answers a wrong password as for anyone else.
    pub(super) fn check_password(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        client: &ClientState,
        user_key: &str,
        password: &str,
    ) -> Result<String, CognitoError> {
        let pool_name = pool.pool_name().to_string();
        let user = pool.users.get(user_key).ok_or_else(incorrect)?;
        let prevents = client.prevents_user_existence_errors();
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

    /// Records a password check: resets or counts failures, logs the sign-in event and
    /// answers its id.
    pub(super) fn record_password_result(
        &self,
        ctx: &RequestContext,
        pool: &mut PoolState,
        user_key: &str,
        ok: bool,
    ) -> Result<String, CognitoError> {
        let event_id = ids::uuid_v4(&*self.random);
        let locked = pool
            .users
            .update(user_key, |u| {
                crate::ops::users::record_event(
                    u,
                    event_id.clone(),
                    ctx.now,
                    EventType::SignIn,
                    ok,
                );
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
            (true, _) => Ok(event_id),
            (false, true) => Err(not_authorized("Password attempts exceeded")),
            (false, false) => Err(incorrect()),
        }
    }
}
