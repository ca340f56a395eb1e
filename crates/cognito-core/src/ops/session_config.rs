//! Session configuration: `GetUserPoolSessionConfiguration`,
//! `SetUserPoolSessionConfiguration`, `GetUserPoolClientSessionConfiguration`,
//! `SetUserPoolClientSessionConfiguration`.
//!
//! A pool starts with session tracking `DISABLED` and at most 20 token sessions a user; an
//! app client starts with silent SSO session reuse for 60 minutes. Both setters replace the
//! whole configuration, need the Essentials or Plus plan, and a client's configuration can
//! only be set while the pool tracks sessions. Turning tracking off keeps the clients'
//! configurations for when it is turned on again.

use cognito_model::shapes::*;
use cognito_model::{CognitoError, ErrorKind};

use crate::errors::require_tier;
use crate::{Cognito, RequestContext};

impl Cognito {
    pub(crate) fn get_user_pool_session_configuration(
        &self,
        _ctx: &RequestContext,
        input: GetUserPoolSessionConfigurationRequest,
    ) -> Result<GetUserPoolSessionConfigurationResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |pool| {
            let s = &pool.session_config;
            Ok(GetUserPoolSessionConfigurationResponse {
                user_pool_id: Some(input.user_pool_id.clone()),
                user_session_tracking: Some(if s.tracking_enabled() {
                    UserSessionTrackingType::Enabled
                } else {
                    UserSessionTrackingType::Disabled
                }),
                token_session: Some(UserPoolTokenSessionConfigType {
                    max_per_user: s.max_sessions_per_user(),
                }),
            })
        })
    }

    pub(crate) fn set_user_pool_session_configuration(
        &self,
        _ctx: &RequestContext,
        input: SetUserPoolSessionConfigurationRequest,
    ) -> Result<SetUserPoolSessionConfigurationResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            require_tier(
                &pool.config,
                UserPoolTierType::Essentials,
                "Session Tracking",
            )?;
            pool.session_config.tracking = Some(input.user_session_tracking);
            pool.session_config.max_per_user = Some(input.token_session.max_per_user);
            Ok(SetUserPoolSessionConfigurationResponse {
                user_pool_id: Some(input.user_pool_id.clone()),
                user_session_tracking: Some(input.user_session_tracking),
                token_session: Some(input.token_session),
            })
        })
    }

    pub(crate) fn get_user_pool_client_session_configuration(
        &self,
        _ctx: &RequestContext,
        input: GetUserPoolClientSessionConfigurationRequest,
    ) -> Result<GetUserPoolClientSessionConfigurationResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |pool| {
            pool.client(&input.client_id)?;
            Ok(GetUserPoolClientSessionConfigurationResponse {
                sso_session: Some(ClientSSOSessionConfigType {
                    max_validity_minutes: pool
                        .session_config
                        .sso_max_validity_minutes(&input.client_id),
                }),
                user_pool_id: Some(input.user_pool_id.clone()),
                client_id: Some(input.client_id),
            })
        })
    }

    pub(crate) fn set_user_pool_client_session_configuration(
        &self,
        _ctx: &RequestContext,
        input: SetUserPoolClientSessionConfigurationRequest,
    ) -> Result<SetUserPoolClientSessionConfigurationResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
        pool.client(&input.client_id)?;
        require_tier(
            &pool.config,
            UserPoolTierType::Essentials,
            "Session Tracking",
        )?;
        if !pool.session_config.tracking_enabled() {
            return Err(CognitoError::new(
                ErrorKind::OperationNotEnabledException,
                "Session tracking must be enabled for the user pool to configure app client sessions.",
            ));
        }
        pool.session_config.clients.insert(
            input.client_id.clone(),
            input.sso_session.max_validity_minutes,
        );
        Ok(SetUserPoolClientSessionConfigurationResponse {
            sso_session: Some(input.sso_session),
            user_pool_id: Some(input.user_pool_id.clone()),
            client_id: Some(input.client_id),
        })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{create_pool, ctx, service};

    fn client(svc: &Cognito, pool: &str) -> String {
        svc.create_user_pool_client(
            &ctx(),
            CreateUserPoolClientRequest {
                user_pool_id: pool.into(),
                client_name: "app".into(),
                ..Default::default()
            },
        )
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap()
    }

    fn set_pool(
        svc: &Cognito,
        pool: &str,
        tracking: UserSessionTrackingType,
        max: i32,
    ) -> Result<SetUserPoolSessionConfigurationResponse, CognitoError> {
        svc.set_user_pool_session_configuration(
            &ctx(),
            SetUserPoolSessionConfigurationRequest {
                user_pool_id: pool.into(),
                user_session_tracking: tracking,
                token_session: UserPoolTokenSessionConfigType { max_per_user: max },
            },
        )
    }

    fn set_client(
        svc: &Cognito,
        pool: &str,
        client: &str,
        minutes: i32,
    ) -> Result<SetUserPoolClientSessionConfigurationResponse, CognitoError> {
        svc.set_user_pool_client_session_configuration(
            &ctx(),
            SetUserPoolClientSessionConfigurationRequest {
                user_pool_id: pool.into(),
                client_id: client.into(),
                sso_session: ClientSSOSessionConfigType {
                    max_validity_minutes: minutes,
                },
            },
        )
    }

    fn get_client(svc: &Cognito, pool: &str, client: &str) -> i32 {
        svc.get_user_pool_client_session_configuration(
            &ctx(),
            GetUserPoolClientSessionConfigurationRequest {
                user_pool_id: pool.into(),
                client_id: client.into(),
            },
        )
        .unwrap()
        .sso_session
        .unwrap()
        .max_validity_minutes
    }

    #[test]
    fn defaults_then_set_values() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let c = client(&svc, &pool);
        let get = || {
            svc.get_user_pool_session_configuration(
                &ctx(),
                GetUserPoolSessionConfigurationRequest {
                    user_pool_id: pool.clone(),
                },
            )
            .unwrap()
        };
        let fresh = get();
        assert_eq!(fresh.user_pool_id.as_deref(), Some(pool.as_str()));
        assert_eq!(
            fresh.user_session_tracking,
            Some(UserSessionTrackingType::Disabled)
        );
        assert_eq!(fresh.token_session.unwrap().max_per_user, 20);
        assert_eq!(get_client(&svc, &pool, &c), 60);

        let err = set_client(&svc, &pool, &c, 10).unwrap_err();
        assert_eq!(err.kind, ErrorKind::OperationNotEnabledException);

        set_pool(&svc, &pool, UserSessionTrackingType::Enabled, 5).unwrap();
        let got = get();
        assert_eq!(
            got.user_session_tracking,
            Some(UserSessionTrackingType::Enabled)
        );
        assert_eq!(got.token_session.unwrap().max_per_user, 5);
        let answer = set_client(&svc, &pool, &c, 0).unwrap();
        assert_eq!(answer.client_id.as_deref(), Some(c.as_str()));
        assert_eq!(get_client(&svc, &pool, &c), 0);

        // Turning tracking off keeps the client's setting for later.
        set_pool(&svc, &pool, UserSessionTrackingType::Disabled, 5).unwrap();
        assert_eq!(get_client(&svc, &pool, &c), 0);
        let pool_state = svc.pool(&ctx(), &pool).unwrap();
        let s = &pool_state.read().session_config;
        assert!(!s.tracking_enabled());
        assert_eq!(s.max_sessions_per_user(), 5);
    }

    #[test]
    fn errors() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let err = svc
            .get_user_pool_client_session_configuration(
                &ctx(),
                GetUserPoolClientSessionConfigurationRequest {
                    user_pool_id: pool.clone(),
                    client_id: "nosuchclient".into(),
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);
        let err = set_pool(
            &svc,
            "us-east-1_nothere12",
            UserSessionTrackingType::Enabled,
            1,
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);

        let lite = svc
            .create_user_pool(
                &ctx(),
                CreateUserPoolRequest {
                    pool_name: "lite".into(),
                    user_pool_tier: Some(UserPoolTierType::Lite),
                    ..Default::default()
                },
            )
            .unwrap()
            .user_pool
            .unwrap()
            .id
            .unwrap();
        let err = set_pool(&svc, &lite, UserSessionTrackingType::Enabled, 3).unwrap_err();
        assert_eq!(err.kind, ErrorKind::FeatureUnavailableInTierException);
    }
}
