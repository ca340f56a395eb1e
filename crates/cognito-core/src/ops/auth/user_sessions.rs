//! A user's sign-in sessions: `ListUserSessions`, `AdminListUserSessions`,
//! `RevokeUserSession`, `AdminRevokeUserSession`.
//!
//! A session is one sign-in: its refresh token and every token issued from it share an
//! origin (`origin_jti`), and the session has its own id (`tkn...`). Listing needs the
//! pool's session tracking on (`SetUserPoolSessionConfiguration`), as in Cognito.

use cognito_model::shapes::*;
use cognito_model::{CognitoError, ErrorKind};

use crate::errors::invalid_parameter;
use crate::store::PoolState;
use crate::{Cognito, RequestContext};

fn require_tracking(pool: &PoolState) -> Result<(), CognitoError> {
    if pool.session_config.tracking_enabled() {
        Ok(())
    } else {
        Err(CognitoError::new(
            ErrorKind::OperationNotEnabledException,
            "User session tracking is not enabled for this user pool.",
        ))
    }
}

/// The user's active sessions; `current` is the origin of the caller's access token,
/// when there is one (an administrator has none, so no session is current).
fn describe(
    pool: &PoolState,
    user_key: &str,
    current: Option<&str>,
    now: cognito_model::Timestamp,
) -> Vec<SessionDescriptionType> {
    pool.tokens
        .grants
        .of_user(user_key, now)
        .into_iter()
        .map(|g| SessionDescriptionType {
            session_id: Some(g.session_id.clone()),
            client_id: Some(g.client_id.clone()),
            create_date: Some(g.auth_time),
            last_active_date: Some(g.last_active),
            session_type: Some(SessionTypeType::Token),
            is_current_session: Some(current == Some(g.origin_jti.as_str())),
            ..Default::default()
        })
        .collect()
}

/// Revokes the session `session_id` of `user_key`, unless it is `current`: the origin of
/// the access token asking.
fn revoke(
    pool: &mut PoolState,
    user_key: &str,
    session_id: &str,
    current: Option<&str>,
    now: cognito_model::Timestamp,
) -> Result<(), CognitoError> {
    let origin = pool
        .tokens
        .grants
        .of_user(user_key, now)
        .into_iter()
        .find(|g| g.session_id == session_id)
        .map(|g| g.origin_jti.clone())
        .ok_or_else(|| {
            CognitoError::new(
                ErrorKind::ResourceNotFoundException,
                format!("Session {session_id} does not exist."),
            )
        })?;
    if current == Some(origin.as_str()) {
        return Err(invalid_parameter(
            "The current session can't be revoked with its own access token.",
        ));
    }
    pool.tokens.grants.revoke(&origin);
    Ok(())
}

impl Cognito {
    pub(crate) fn list_user_sessions(
        &self,
        ctx: &RequestContext,
        input: ListUserSessionsRequest,
    ) -> Result<ListUserSessionsResponse, CognitoError> {
        let token = self.verify_access_token(ctx, &input.access_token)?;
        self.store.read(&token.pool_id, |pool| {
            require_tracking(pool)?;
            Ok(ListUserSessionsResponse {
                sessions: Some(describe(
                    pool,
                    &token.user_key,
                    Some(&token.origin_jti),
                    ctx.now,
                )),
                next_token: None,
            })
        })
    }

    pub(crate) fn admin_list_user_sessions(
        &self,
        ctx: &RequestContext,
        input: AdminListUserSessionsRequest,
    ) -> Result<AdminListUserSessionsResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |pool| {
            require_tracking(pool)?;
            let key = pool.user_key_of(&input.username)?;
            Ok(AdminListUserSessionsResponse {
                sessions: Some(describe(pool, &key, None, ctx.now)),
                next_token: None,
            })
        })
    }

    pub(crate) fn revoke_user_session(
        &self,
        ctx: &RequestContext,
        input: RevokeUserSessionRequest,
    ) -> Result<RevokeUserSessionResponse, CognitoError> {
        let token = self.verify_access_token(ctx, &input.access_token)?;
        self.store.update(&token.pool_id, |pool| {
            require_tracking(pool)?;
            revoke(
                pool,
                &token.user_key,
                &input.session_id,
                Some(&token.origin_jti),
                ctx.now,
            )?;
            Ok(RevokeUserSessionResponse {})
        })
    }

    pub(crate) fn admin_revoke_user_session(
        &self,
        ctx: &RequestContext,
        input: AdminRevokeUserSessionRequest,
    ) -> Result<AdminRevokeUserSessionResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            require_tracking(pool)?;
            let key = pool.user_key_of(&input.username)?;
            revoke(pool, &key, &input.session_id, None, ctx.now)?;
            Ok(AdminRevokeUserSessionResponse {})
        })
    }
}
