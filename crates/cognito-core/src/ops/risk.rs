//! Risk configuration (threat protection): `SetRiskConfiguration`,
//! `DescribeRiskConfiguration`.
//!
//! A risk configuration applies to the whole pool (no `ClientId`, or the `ClientId` `ALL`)
//! or to one app client. A client with its own configuration no longer falls back to the
//! pool's. A request that sets none of the three parts clears the configuration it
//! addresses. Compromised-credentials detection without an `EventFilter` watches every
//! event (sign-in, sign-up and password change).
//!
//! No risk is scored locally and no notification email is sent: the configuration is kept
//! and answered, and [`RiskState::compromised_credentials_action`] tells sign-in, sign-up
//! and password-change flows what a compromised-credentials finding would do.

use std::net::IpAddr;

use cognito_model::shapes::*;
use cognito_model::CognitoError;

use crate::errors::{client_not_found, invalid_parameter};
use crate::store::PoolState;
use crate::{Cognito, RequestContext};

/// The `ClientId` that names the pool-wide configuration.
const ALL_CLIENTS: &str = "ALL";

impl Cognito {
    pub(crate) fn set_risk_configuration(
        &self,
        ctx: &RequestContext,
        input: SetRiskConfigurationRequest,
    ) -> Result<SetRiskConfigurationResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
        let client_id = client_scope(pool, input.client_id.as_deref())?;
        if let Some(exceptions) = &input.risk_exception_configuration {
            for range in exceptions
                .blocked_ip_range_list
                .iter()
                .flatten()
                .chain(exceptions.skipped_ip_range_list.iter().flatten())
            {
                check_cidr(range)?;
            }
        }
        if let Some(takeover) = &input.account_takeover_risk_configuration {
            let a = &takeover.actions;
            let notifies = [&a.low_action, &a.medium_action, &a.high_action]
                .into_iter()
                .flatten()
                .any(|action| action.notify);
            if notifies && takeover.notify_configuration.is_none() {
                return Err(invalid_parameter(
                    "NotifyConfiguration is required when an account takeover action notifies users.",
                ));
            }
        }
        let compromised = input
            .compromised_credentials_risk_configuration
            .map(|mut c| {
                if c.event_filter.as_ref().is_none_or(Vec::is_empty) {
                    c.event_filter = Some(vec![
                        EventFilterType::SignIn,
                        EventFilterType::PasswordChange,
                        EventFilterType::SignUp,
                    ]);
                }
                c
            });
        let cleared = input.account_takeover_risk_configuration.is_none()
            && compromised.is_none()
            && input.risk_exception_configuration.is_none();
        let config = RiskConfigurationType {
            user_pool_id: Some(input.user_pool_id.clone()),
            client_id: Some(client_id.clone().unwrap_or_else(|| ALL_CLIENTS.into())),
            account_takeover_risk_configuration: input.account_takeover_risk_configuration,
            compromised_credentials_risk_configuration: compromised,
            risk_exception_configuration: input.risk_exception_configuration,
            last_modified_date: Some(ctx.now),
        };
        let risk = &mut pool.risk;
        match (&client_id, cleared) {
            (None, true) => risk.pool = None,
            (None, false) => risk.pool = Some(config.clone()),
            (Some(c), true) => {
                risk.clients.remove(c);
            }
            (Some(c), false) => {
                risk.clients.insert(c.clone(), config.clone());
            }
        }
        let answer = if cleared {
            unset(&input.user_pool_id, client_id)
        } else {
            config
        };
        Ok(SetRiskConfigurationResponse {
            risk_configuration: answer,
        })
        })
    }

    pub(crate) fn describe_risk_configuration(
        &self,
        _ctx: &RequestContext,
        input: DescribeRiskConfigurationRequest,
    ) -> Result<DescribeRiskConfigurationResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |pool| {
            let client_id = client_scope(pool, input.client_id.as_deref())?;
            let found = client_id
                .as_ref()
                .and_then(|c| pool.risk.clients.get(c))
                .or(pool.risk.pool.as_ref())
                .cloned();
            Ok(DescribeRiskConfigurationResponse {
                risk_configuration: found
                    .unwrap_or_else(|| unset(&input.user_pool_id, input.client_id)),
            })
        })
    }
}

/// The client a request addresses: `None` for the whole pool. A named client must exist.
fn client_scope(pool: &PoolState, client_id: Option<&str>) -> Result<Option<String>, CognitoError> {
    match client_id {
        None | Some(ALL_CLIENTS) => Ok(None),
        Some(c) if pool.clients.contains_key(c) => Ok(Some(c.to_string())),
        Some(c) => Err(client_not_found(c)),
    }
}

/// The answer for a scope without a configuration.
fn unset(pool_id: &str, client_id: Option<String>) -> RiskConfigurationType {
    RiskConfigurationType {
        user_pool_id: Some(pool_id.to_string()),
        client_id,
        ..Default::default()
    }
}

/// An IP range in CIDR notation: an IPv4 or IPv6 address and a prefix length that fits it.
fn check_cidr(range: &str) -> Result<(), CognitoError> {
    let valid = range.split_once('/').is_some_and(|(addr, prefix)| {
        let max = match addr.parse::<IpAddr>() {
            Ok(IpAddr::V4(_)) => 32,
            Ok(IpAddr::V6(_)) => 128,
            Err(_) => return false,
        };
        !prefix.is_empty()
            && prefix.bytes().all(|b| b.is_ascii_digit())
            && prefix.parse::<u8>().is_ok_and(|p| p <= max)
    });
    if valid {
        Ok(())
    } else {
        Err(invalid_parameter(format!(
            "{range} is not a valid IP range in CIDR notation."
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{create_pool, ctx, ctx_at, service};
    use cognito_model::ErrorKind;

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

    fn compromised(
        action: CompromisedCredentialsEventActionType,
        filter: Option<Vec<EventFilterType>>,
    ) -> Option<CompromisedCredentialsRiskConfigurationType> {
        Some(CompromisedCredentialsRiskConfigurationType {
            actions: CompromisedCredentialsActionsType {
                event_action: action,
            },
            event_filter: filter,
        })
    }

    fn describe(svc: &Cognito, pool: &str, client: Option<&str>) -> RiskConfigurationType {
        svc.describe_risk_configuration(
            &ctx(),
            DescribeRiskConfigurationRequest {
                user_pool_id: pool.into(),
                client_id: client.map(Into::into),
            },
        )
        .unwrap()
        .risk_configuration
    }

    fn action(
        svc: &Cognito,
        pool: &str,
        client: Option<&str>,
        event: EventFilterType,
    ) -> Option<CompromisedCredentialsEventActionType> {
        svc.pool(&ctx(), pool)
            .unwrap()
            .read()
            .risk
            .compromised_credentials_action(client, event)
    }

    #[test]
    fn unset_configuration_names_only_its_scope() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let c = client(&svc, &pool);
        let answer = describe(&svc, &pool, None);
        assert_eq!(answer, unset(&pool, None));
        let json = serde_json::to_value(&answer).unwrap();
        assert_eq!(json, serde_json::json!({ "UserPoolId": pool }));
        assert_eq!(
            describe(&svc, &pool, Some(&c)).client_id.as_deref(),
            Some(c.as_str())
        );
    }

    #[test]
    fn pool_configuration_round_trips_with_defaults() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let set = svc
            .set_risk_configuration(
                &ctx_at(1_700_000_500),
                SetRiskConfigurationRequest {
                    user_pool_id: pool.clone(),
                    compromised_credentials_risk_configuration: compromised(
                        CompromisedCredentialsEventActionType::Block,
                        None,
                    ),
                    account_takeover_risk_configuration: Some(
                        AccountTakeoverRiskConfigurationType {
                            actions: AccountTakeoverActionsType {
                                high_action: Some(AccountTakeoverActionType {
                                    event_action: AccountTakeoverEventActionType::Block,
                                    notify: false,
                                }),
                                ..Default::default()
                            },
                            notify_configuration: None,
                        },
                    ),
                    risk_exception_configuration: Some(RiskExceptionConfigurationType {
                        blocked_ip_range_list: Some(vec!["10.0.0.0/8".into()]),
                        skipped_ip_range_list: Some(vec!["2001:db8::/32".into()]),
                    }),
                    client_id: None,
                },
            )
            .unwrap()
            .risk_configuration;
        assert_eq!(set.client_id.as_deref(), Some("ALL"));
        assert_eq!(set.last_modified_date, Some(ctx_at(1_700_000_500).now));
        let got = describe(&svc, &pool, None);
        assert_eq!(got, set);
        assert_eq!(
            got.compromised_credentials_risk_configuration
                .unwrap()
                .event_filter
                .unwrap()
                .len(),
            3
        );
    }

    #[test]
    fn client_configuration_overrides_the_pool() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let c = client(&svc, &pool);
        let set = |client: Option<&str>, cc| {
            svc.set_risk_configuration(
                &ctx(),
                SetRiskConfigurationRequest {
                    user_pool_id: pool.clone(),
                    client_id: client.map(Into::into),
                    compromised_credentials_risk_configuration: cc,
                    ..Default::default()
                },
            )
            .unwrap()
        };
        set(
            None,
            compromised(CompromisedCredentialsEventActionType::Block, None),
        );
        // Without its own configuration a client falls back to the pool's.
        assert_eq!(
            describe(&svc, &pool, Some(&c)).client_id.as_deref(),
            Some("ALL")
        );
        assert_eq!(
            action(&svc, &pool, Some(&c), EventFilterType::SignUp),
            Some(CompromisedCredentialsEventActionType::Block)
        );
        set(
            Some(&c),
            compromised(
                CompromisedCredentialsEventActionType::NoAction,
                Some(vec![EventFilterType::SignIn]),
            ),
        );
        assert_eq!(
            describe(&svc, &pool, Some(&c)).client_id.as_deref(),
            Some(c.as_str())
        );
        assert_eq!(
            action(&svc, &pool, Some(&c), EventFilterType::SignIn),
            Some(CompromisedCredentialsEventActionType::NoAction)
        );
        assert_eq!(action(&svc, &pool, Some(&c), EventFilterType::SignUp), None);
        assert_eq!(
            action(&svc, &pool, None, EventFilterType::PasswordChange),
            Some(CompromisedCredentialsEventActionType::Block)
        );
        // An empty request clears the client's configuration.
        set(Some(&c), None);
        assert_eq!(
            describe(&svc, &pool, Some(&c)).client_id.as_deref(),
            Some("ALL")
        );
        set(None, None);
        assert_eq!(describe(&svc, &pool, None), unset(&pool, None));
        assert_eq!(action(&svc, &pool, None, EventFilterType::SignIn), None);
    }

    #[test]
    fn errors() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let err = svc
            .describe_risk_configuration(
                &ctx(),
                DescribeRiskConfigurationRequest {
                    user_pool_id: pool.clone(),
                    client_id: Some("nosuchclient".into()),
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);
        assert_eq!(err.message, "User pool client nosuchclient does not exist.");
        let err = svc
            .set_risk_configuration(
                &ctx(),
                SetRiskConfigurationRequest {
                    user_pool_id: pool.clone(),
                    risk_exception_configuration: Some(RiskExceptionConfigurationType {
                        blocked_ip_range_list: Some(vec!["10.0.0.0/33".into()]),
                        skipped_ip_range_list: None,
                    }),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        let err = svc
            .set_risk_configuration(
                &ctx(),
                SetRiskConfigurationRequest {
                    user_pool_id: pool,
                    account_takeover_risk_configuration: Some(
                        AccountTakeoverRiskConfigurationType {
                            actions: AccountTakeoverActionsType {
                                low_action: Some(AccountTakeoverActionType {
                                    event_action: AccountTakeoverEventActionType::NoAction,
                                    notify: true,
                                }),
                                ..Default::default()
                            },
                            notify_configuration: None,
                        },
                    ),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        let err = svc
            .describe_risk_configuration(
                &ctx(),
                DescribeRiskConfigurationRequest {
                    user_pool_id: "us-east-1_nothere12".into(),
                    client_id: None,
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);
    }

    #[test]
    fn cidr_ranges() {
        for ok in [
            "10.0.0.0/8",
            "192.168.1.1/32",
            "0.0.0.0/0",
            "2001:db8::/32",
            "::1/128",
        ] {
            assert!(check_cidr(ok).is_ok(), "{ok}");
        }
        for bad in [
            "10.0.0.0",
            "10.0.0.0/33",
            "10.0.0/8",
            "::/129",
            "a/1",
            "10.0.0.0/",
            "10.0.0.0/+8",
        ] {
            assert!(check_cidr(bad).is_err(), "{bad}");
        }
    }
}
