//! Log delivery: `SetLogDeliveryConfiguration`, `GetLogDeliveryConfiguration`.
//!
//! A pool exports at most one stream per event source: `userNotification` at the `ERROR`
//! level to a CloudWatch Logs group, and `userAuthEvents` (threat protection user activity,
//! Plus plan only) at the `INFO` level to a CloudWatch Logs group, an S3 bucket or a Data
//! Firehose stream. Each configuration names exactly one destination.
//!
//! Nothing is written to any destination locally: the configuration is kept and answered.

use cognito_model::shapes::*;
use cognito_model::CognitoError;

use crate::errors::{invalid_parameter, require_tier};
use crate::{Cognito, RequestContext};

impl Cognito {
    pub(crate) fn set_log_delivery_configuration(
        &self,
        _ctx: &RequestContext,
        input: SetLogDeliveryConfigurationRequest,
    ) -> Result<SetLogDeliveryConfigurationResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            let mut sources = Vec::new();
            for config in &input.log_configurations {
                if sources.contains(&config.event_source) {
                    return Err(invalid_parameter(format!(
                        "Only one log configuration is allowed for the event source {}.",
                        config.event_source.as_str()
                    )));
                }
                sources.push(config.event_source);
                check(config)?;
                if config.event_source == EventSourceName::UserAuthEvents {
                    require_tier(
                        &pool.config,
                        UserPoolTierType::Plus,
                        "User Activity Logging",
                    )?;
                }
            }
            pool.log_delivery.configurations = input.log_configurations.clone();
            Ok(SetLogDeliveryConfigurationResponse {
                log_delivery_configuration: Some(LogDeliveryConfigurationType {
                    log_configurations: input.log_configurations,
                    user_pool_id: input.user_pool_id.clone(),
                }),
            })
        })
    }

    pub(crate) fn get_log_delivery_configuration(
        &self,
        _ctx: &RequestContext,
        input: GetLogDeliveryConfigurationRequest,
    ) -> Result<GetLogDeliveryConfigurationResponse, CognitoError> {
        let configurations = self.store.read(&input.user_pool_id, |pool| {
            Ok(pool.log_delivery.configurations.clone())
        })?;
        Ok(GetLogDeliveryConfigurationResponse {
            log_delivery_configuration: Some(LogDeliveryConfigurationType {
                log_configurations: configurations,
                user_pool_id: input.user_pool_id.clone(),
            }),
        })
    }
}

/// Checks one configuration's level and destination against its event source.
fn check(config: &LogConfigurationType) -> Result<(), CognitoError> {
    let source = config.event_source.as_str();
    let expected = match config.event_source {
        EventSourceName::UserNotification => LogLevel::Error,
        EventSourceName::UserAuthEvents => LogLevel::Info,
    };
    if config.log_level != expected {
        return Err(invalid_parameter(format!(
            "The log level for the event source {source} must be {}.",
            expected.as_str()
        )));
    }
    let cloud_watch = config.cloud_watch_logs_configuration.as_ref();
    let s3 = config.s3_configuration.as_ref();
    let firehose = config.firehose_configuration.as_ref();
    let destinations = [cloud_watch.is_some(), s3.is_some(), firehose.is_some()];
    if destinations.iter().filter(|d| **d).count() != 1 {
        return Err(invalid_parameter(
            "Each log configuration must have exactly one destination: CloudWatchLogsConfiguration, S3Configuration or FirehoseConfiguration.",
        ));
    }
    if config.event_source == EventSourceName::UserNotification && cloud_watch.is_none() {
        return Err(invalid_parameter(format!(
            "Logs for the event source {source} can only be delivered to CloudWatch Logs."
        )));
    }
    let (arn, service, resource, what) = if let Some(c) = cloud_watch {
        (&c.log_group_arn, "logs", "log-group:", "LogGroupArn")
    } else if let Some(s) = s3 {
        (&s.bucket_arn, "s3", "", "BucketArn")
    } else if let Some(f) = firehose {
        (&f.stream_arn, "firehose", "deliverystream/", "StreamArn")
    } else {
        return Ok(());
    };
    let valid = arn.as_deref().is_some_and(|arn| {
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        matches!(parts.as_slice(), ["arn", _, s, _, _, r] if *s == service && r.starts_with(resource) && r.len() > resource.len())
    });
    if !valid {
        return Err(invalid_parameter(format!(
            "{what} must be the ARN of a destination for {source} logs."
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{create_pool, ctx, service};
    use cognito_model::ErrorKind;

    const LOG_GROUP: &str = "arn:aws:logs:us-east-1:123456789012:log-group:cognito";

    fn notifications() -> LogConfigurationType {
        LogConfigurationType {
            event_source: EventSourceName::UserNotification,
            log_level: LogLevel::Error,
            cloud_watch_logs_configuration: Some(CloudWatchLogsConfigurationType {
                log_group_arn: Some(LOG_GROUP.into()),
            }),
            s3_configuration: None,
            firehose_configuration: None,
        }
    }

    fn auth_events_to_s3() -> LogConfigurationType {
        LogConfigurationType {
            event_source: EventSourceName::UserAuthEvents,
            log_level: LogLevel::Info,
            cloud_watch_logs_configuration: None,
            s3_configuration: Some(S3ConfigurationType {
                bucket_arn: Some("arn:aws:s3:::my-bucket".into()),
            }),
            firehose_configuration: None,
        }
    }

    fn set(
        svc: &Cognito,
        pool: &str,
        configs: Vec<LogConfigurationType>,
    ) -> Result<SetLogDeliveryConfigurationResponse, CognitoError> {
        svc.set_log_delivery_configuration(
            &ctx(),
            SetLogDeliveryConfigurationRequest {
                user_pool_id: pool.into(),
                log_configurations: configs,
            },
        )
    }

    fn get(svc: &Cognito, pool: &str) -> LogDeliveryConfigurationType {
        svc.get_log_delivery_configuration(
            &ctx(),
            GetLogDeliveryConfigurationRequest {
                user_pool_id: pool.into(),
            },
        )
        .unwrap()
        .log_delivery_configuration
        .unwrap()
    }

    fn plus_pool(svc: &Cognito) -> String {
        svc.create_user_pool(
            &ctx(),
            CreateUserPoolRequest {
                pool_name: "plus".into(),
                user_pool_tier: Some(UserPoolTierType::Plus),
                ..Default::default()
            },
        )
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap()
    }

    #[test]
    fn empty_until_set_then_round_trips() {
        let svc = service();
        let pool = plus_pool(&svc);
        let empty = get(&svc, &pool);
        assert_eq!(empty.user_pool_id, pool);
        assert!(empty.log_configurations.is_empty());
        let set_answer = set(&svc, &pool, vec![notifications(), auth_events_to_s3()])
            .unwrap()
            .log_delivery_configuration
            .unwrap();
        assert_eq!(get(&svc, &pool), set_answer);
        assert_eq!(set_answer.log_configurations.len(), 2);
        set(&svc, &pool, vec![]).unwrap();
        assert!(get(&svc, &pool).log_configurations.is_empty());
    }

    #[test]
    fn user_activity_logs_need_the_plus_plan() {
        let svc = service();
        let pool = create_pool(&svc, "essentials").id.unwrap();
        set(&svc, &pool, vec![notifications()]).unwrap();
        let err = set(&svc, &pool, vec![auth_events_to_s3()]).unwrap_err();
        assert_eq!(err.kind, ErrorKind::FeatureUnavailableInTierException);
    }

    #[test]
    fn rejects_wrong_levels_destinations_and_duplicates() {
        let svc = service();
        let pool = plus_pool(&svc);
        let cases = [
            vec![LogConfigurationType {
                log_level: LogLevel::Info,
                ..notifications()
            }],
            vec![LogConfigurationType {
                cloud_watch_logs_configuration: None,
                ..notifications()
            }],
            vec![LogConfigurationType {
                s3_configuration: auth_events_to_s3().s3_configuration,
                cloud_watch_logs_configuration: None,
                ..notifications()
            }],
            vec![LogConfigurationType {
                cloud_watch_logs_configuration: notifications().cloud_watch_logs_configuration,
                ..auth_events_to_s3()
            }],
            vec![LogConfigurationType {
                cloud_watch_logs_configuration: Some(CloudWatchLogsConfigurationType {
                    log_group_arn: Some("arn:aws:s3:::bucket".into()),
                }),
                ..notifications()
            }],
            vec![notifications(), notifications()],
        ];
        for case in cases {
            let err = set(&svc, &pool, case.clone()).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidParameterException, "{case:?}");
        }
        let firehose = LogConfigurationType {
            s3_configuration: None,
            firehose_configuration: Some(FirehoseConfigurationType {
                stream_arn: Some(
                    "arn:aws:firehose:us-east-1:123456789012:deliverystream/logs".into(),
                ),
            }),
            ..auth_events_to_s3()
        };
        set(&svc, &pool, vec![firehose]).unwrap();
    }

    #[test]
    fn unknown_pool() {
        let svc = service();
        let err = set(&svc, "us-east-1_nothere12", vec![]).unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);
    }
}
