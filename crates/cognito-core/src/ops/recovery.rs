//! Point-in-time recovery: `InitiatePointInTimeRecovery`, `StartPointInTimeRecovery`,
//! `CancelPointInTimeRecovery`, `DescribePointInTimeRecovery`,
//! `ListPointInTimeRecoveries`.
//!
//! The pool keeps no history of its user data, so a recovery changes nothing: its preview
//! counts no entity created, updated or deleted, and a started recovery completes without
//! touching users, groups, MFA settings or passkeys. The recovery's life follows Cognito's
//! statuses, driven by requests rather than by background work:
//!
//! - `InitiatePointInTimeRecovery` answers `PREVIEW_GENERATING`; the preview is ready
//!   (`PREVIEW_GENERATED`) by the next request.
//! - `StartPointInTimeRecovery` answers `RESTORING`; the recovery is `RESTORE_COMPLETED` by
//!   the next request.
//! - `CancelPointInTimeRecovery` moves a recovery that has not started to
//!   `PREVIEW_CANCELLED`.
//! - A preview neither started nor canceled within 24 hours of its initiation reads as
//!   `PREVIEW_EXPIRED` from then on.
//!
//! Initiating checks Cognito's rules: the Essentials or Plus plan; a recovery point at least
//! 15 minutes old, not before the pool existed and within the plan's window (1 day for
//! Essentials, 14 days for Plus); one active recovery a pool; at most three previews a day
//! and ten in 30 days, and one completed recovery a day. Account-wide limits across pools
//! are not counted.

use cognito_model::shapes::*;
use cognito_model::CognitoError;

use crate::errors::{invalid_parameter, limit_exceeded, require_tier};
use crate::state::recovery::{Restoration, DAY, MINUTE};
use crate::{ids, Cognito, RequestContext};

/// Default page size of `ListPointInTimeRecoveries`.
const DEFAULT_PAGE: usize = 60;

impl Cognito {
    pub(crate) fn initiate_point_in_time_recovery(
        &self,
        ctx: &RequestContext,
        input: InitiatePointInTimeRecoveryRequest,
    ) -> Result<InitiatePointInTimeRecoveryResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
        require_tier(
            &pool.config,
            UserPoolTierType::Essentials,
            "Point-in-Time Recovery",
        )?;
        let now = ctx.now;
        let point = input.restore_timestamp;
        let plus = pool.config.user_pool_tier == Some(UserPoolTierType::Plus);
        let (window_days, plan) = if plus {
            (14, "PLUS")
        } else {
            (1, "ESSENTIALS")
        };
        if point > now.plus_millis(-15 * MINUTE) {
            return Err(invalid_parameter(
                "The recovery point must be at least 15 minutes in the past.",
            ));
        }
        if pool
            .config
            .creation_date
            .is_some_and(|created| point < created)
        {
            return Err(invalid_parameter(
                "The recovery point can't be earlier than the creation of the user pool.",
            ));
        }
        if point < now.plus_millis(-window_days * DAY) {
            return Err(invalid_parameter(format!(
                "The recovery point must be within the last {window_days} day(s) with the {plan} feature plan."
            )));
        }
        let past = &pool.recovery.restorations;
        if past.iter().any(|r| r.active_at(now)) {
            return Err(limit_exceeded(
                "A user pool can have only one active recovery at a time.",
            ));
        }
        let since = |millis: i64| {
            past.iter()
                .filter(move |r| r.trigger_timestamp > now.plus_millis(-millis))
        };
        if since(DAY).count() >= 3 || since(30 * DAY).count() >= 10 {
            return Err(limit_exceeded(
                "The user pool has reached the number of recovery previews allowed in this period.",
            ));
        }
        let completed_today = past.iter().any(|r| {
            r.status == RestoreStatusType::RestoreCompleted
                && r.started.is_some_and(|s| s > now.plus_millis(-DAY))
        });
        if completed_today {
            return Err(limit_exceeded(
                "The user pool can complete only one recovery in a 24-hour period.",
            ));
        }
        let restoration = Restoration {
            id: ids::uuid_v4(&*self.random),
            status: RestoreStatusType::PreviewGenerated,
            restore_timestamp: point,
            trigger_timestamp: now,
            started: None,
        };
        let answer = restoration.answer(RestoreStatusType::PreviewGenerating);
        pool.recovery.restorations.push(restoration);
        Ok(InitiatePointInTimeRecoveryResponse {
            restoration: Some(answer),
        })
        })
    }

    pub(crate) fn start_point_in_time_recovery(
        &self,
        ctx: &RequestContext,
        input: StartPointInTimeRecoveryRequest,
    ) -> Result<StartPointInTimeRecoveryResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            let r = pool.recovery.find_mut(&input.restore_id)?;
            let status = r.status_at(ctx.now);
            if status != RestoreStatusType::PreviewGenerated {
                return Err(invalid_parameter(format!(
                "The recovery can only be started when its status is PREVIEW_GENERATED; it is {}.",
                status.as_str()
            )));
            }
            r.status = RestoreStatusType::RestoreCompleted;
            r.started = Some(ctx.now);
            Ok(StartPointInTimeRecoveryResponse {
                restoration: Some(r.answer(RestoreStatusType::Restoring)),
            })
        })
    }

    pub(crate) fn cancel_point_in_time_recovery(
        &self,
        ctx: &RequestContext,
        input: CancelPointInTimeRecoveryRequest,
    ) -> Result<CancelPointInTimeRecoveryResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            let r = pool.recovery.find_mut(&input.restore_id)?;
            let status = r.status_at(ctx.now);
            if !matches!(
                status,
                RestoreStatusType::PreviewGenerating | RestoreStatusType::PreviewGenerated
            ) {
                return Err(invalid_parameter(format!(
                    "The recovery can only be canceled before it starts; it is {}.",
                    status.as_str()
                )));
            }
            r.status = RestoreStatusType::PreviewCancelled;
            Ok(CancelPointInTimeRecoveryResponse {
                restoration: Some(r.describe(ctx.now)),
            })
        })
    }

    pub(crate) fn describe_point_in_time_recovery(
        &self,
        ctx: &RequestContext,
        input: DescribePointInTimeRecoveryRequest,
    ) -> Result<DescribePointInTimeRecoveryResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |pool| {
            let r = pool.recovery.find(&input.restore_id)?;
            Ok(DescribePointInTimeRecoveryResponse {
                restoration: Some(r.describe(ctx.now)),
            })
        })
    }

    pub(crate) fn list_point_in_time_recoveries(
        &self,
        ctx: &RequestContext,
        input: ListPointInTimeRecoveriesRequest,
    ) -> Result<ListPointInTimeRecoveriesResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |_| Ok(()))?;
        let limit = input
            .max_results
            .and_then(|m| usize::try_from(m).ok())
            .unwrap_or(DEFAULT_PAGE)
            .max(1);
        let after = ids::page_after(input.next_token.as_deref())?;
        self.store.read(&input.user_pool_id, |pool| {
            let newest_first = pool.recovery.restorations.iter().rev();
            let mut rest: Box<dyn Iterator<Item = &Restoration>> = match &after {
                None => Box::new(newest_first),
                Some(id) => {
                    if !pool.recovery.restorations.iter().any(|r| &r.id == id) {
                        return Err(invalid_parameter("Invalid pagination token."));
                    }
                    Box::new(newest_first.skip_while(move |r| &r.id != id).skip(1))
                }
            };
            let page: Vec<&Restoration> = rest.by_ref().take(limit).collect();
            let next_token = rest.next().and(page.last()).map(|r| ids::page_token(&r.id));
            Ok(ListPointInTimeRecoveriesResponse {
                restorations: Some(
                    page.into_iter()
                        .map(|r| RestorationDescriptionType {
                            restore_id: Some(r.id.clone()),
                            restore_status: Some(r.status_at(ctx.now)),
                            restore_timestamp: Some(r.restore_timestamp),
                        })
                        .collect(),
                ),
                next_token,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{ctx_at, service};
    use cognito_model::{ErrorKind, Timestamp};

    const CREATED: i64 = 1_700_000_000;
    const HOUR: i64 = 3600;

    fn pool_on(svc: &Cognito, tier: UserPoolTierType) -> String {
        svc.create_user_pool(
            &ctx_at(CREATED),
            CreateUserPoolRequest {
                pool_name: "p".into(),
                user_pool_tier: Some(tier),
                ..Default::default()
            },
        )
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap()
    }

    fn initiate(
        svc: &Cognito,
        pool: &str,
        at: i64,
        point: i64,
    ) -> Result<RestorationType, CognitoError> {
        svc.initiate_point_in_time_recovery(
            &ctx_at(at),
            InitiatePointInTimeRecoveryRequest {
                user_pool_id: pool.into(),
                restore_timestamp: Timestamp::from_secs(point),
            },
        )
        .map(|r| r.restoration.unwrap())
    }

    fn describe(svc: &Cognito, pool: &str, at: i64, id: &str) -> RestorationType {
        svc.describe_point_in_time_recovery(
            &ctx_at(at),
            DescribePointInTimeRecoveryRequest {
                user_pool_id: pool.into(),
                restore_id: id.into(),
            },
        )
        .unwrap()
        .restoration
        .unwrap()
    }

    fn start(
        svc: &Cognito,
        pool: &str,
        at: i64,
        id: &str,
    ) -> Result<RestorationType, CognitoError> {
        svc.start_point_in_time_recovery(
            &ctx_at(at),
            StartPointInTimeRecoveryRequest {
                user_pool_id: pool.into(),
                restore_id: id.into(),
            },
        )
        .map(|r| r.restoration.unwrap())
    }

    fn cancel(
        svc: &Cognito,
        pool: &str,
        at: i64,
        id: &str,
    ) -> Result<RestorationType, CognitoError> {
        svc.cancel_point_in_time_recovery(
            &ctx_at(at),
            CancelPointInTimeRecoveryRequest {
                user_pool_id: pool.into(),
                restore_id: id.into(),
            },
        )
        .map(|r| r.restoration.unwrap())
    }

    fn paused(svc: &Cognito, pool: &str, at: i64) -> bool {
        svc.pool(&ctx_at(at), pool)
            .unwrap()
            .read()
            .recovery
            .writes_paused(Timestamp::from_secs(at))
    }

    #[test]
    fn initiate_preview_start_complete() {
        let svc = service();
        let pool = pool_on(&svc, UserPoolTierType::Essentials);
        let now = CREATED + 2 * HOUR;
        let r = initiate(&svc, &pool, now, CREATED + HOUR).unwrap();
        let id = r.restore_id.clone().unwrap();
        assert_eq!(id.len(), 36);
        assert_eq!(r.restore_status, Some(RestoreStatusType::PreviewGenerating));
        assert_eq!(r.restore_preview, None);
        assert_eq!(r.trigger_timestamp, Some(Timestamp::from_secs(now)));
        assert!(paused(&svc, &pool, now));

        let d = describe(&svc, &pool, now + 1, &id);
        assert_eq!(d.restore_status, Some(RestoreStatusType::PreviewGenerated));
        let preview = d.restore_preview.unwrap();
        assert_eq!(preview.len(), 4);
        assert!(preview.iter().all(|p| p.create_count == Some(0)));

        let started = start(&svc, &pool, now + 2, &id).unwrap();
        assert_eq!(started.restore_status, Some(RestoreStatusType::Restoring));
        assert_eq!(
            describe(&svc, &pool, now + 3, &id).restore_status,
            Some(RestoreStatusType::RestoreCompleted)
        );
        assert!(!paused(&svc, &pool, now + 3));
        let err = cancel(&svc, &pool, now + 4, &id).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        let err = start(&svc, &pool, now + 4, &id).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);

        // One completed recovery a day.
        let err = initiate(&svc, &pool, now + 10, CREATED + HOUR).unwrap_err();
        assert_eq!(err.kind, ErrorKind::LimitExceededException);
    }

    #[test]
    fn cancel_and_expiry() {
        let svc = service();
        let pool = pool_on(&svc, UserPoolTierType::Plus);
        let now = CREATED + 2 * HOUR;
        let first = initiate(&svc, &pool, now, CREATED + HOUR)
            .unwrap()
            .restore_id
            .unwrap();
        // Only one active recovery.
        let err = initiate(&svc, &pool, now + 1, CREATED + HOUR).unwrap_err();
        assert_eq!(err.kind, ErrorKind::LimitExceededException);
        let canceled = cancel(&svc, &pool, now + 2, &first).unwrap();
        assert_eq!(
            canceled.restore_status,
            Some(RestoreStatusType::PreviewCancelled)
        );
        assert_eq!(canceled.restore_preview, None);
        assert!(!paused(&svc, &pool, now + 2));

        let second = initiate(&svc, &pool, now + 3, CREATED + HOUR)
            .unwrap()
            .restore_id
            .unwrap();
        let later = now + 3 + 24 * HOUR;
        assert_eq!(
            describe(&svc, &pool, later, &second).restore_status,
            Some(RestoreStatusType::PreviewExpired)
        );
        assert!(!paused(&svc, &pool, later));
        let err = start(&svc, &pool, later, &second).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
    }

    #[test]
    fn recovery_points_and_plans() {
        let svc = service();
        let essentials = pool_on(&svc, UserPoolTierType::Essentials);
        let now = CREATED + 3 * 24 * HOUR;
        for point in [now - 60, CREATED - 1, now - 24 * HOUR - 1] {
            let err = initiate(&svc, &essentials, now, point).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidParameterException, "{point}");
        }
        initiate(&svc, &essentials, now, now - 20 * 60).unwrap();

        let plus = pool_on(&svc, UserPoolTierType::Plus);
        initiate(&svc, &plus, now, now - 2 * 24 * HOUR).unwrap();

        let lite = pool_on(&svc, UserPoolTierType::Lite);
        let err = initiate(&svc, &lite, now, now - HOUR).unwrap_err();
        assert_eq!(err.kind, ErrorKind::FeatureUnavailableInTierException);
    }

    #[test]
    fn three_previews_a_day() {
        let svc = service();
        let pool = pool_on(&svc, UserPoolTierType::Plus);
        let now = CREATED + 2 * HOUR;
        for i in 0..3 {
            let id = initiate(&svc, &pool, now + i, CREATED + HOUR)
                .unwrap()
                .restore_id
                .unwrap();
            cancel(&svc, &pool, now + i, &id).unwrap();
        }
        let err = initiate(&svc, &pool, now + 10, CREATED + HOUR).unwrap_err();
        assert_eq!(err.kind, ErrorKind::LimitExceededException);
        initiate(&svc, &pool, now + 24 * HOUR, CREATED + 24 * HOUR).unwrap();
    }

    #[test]
    fn list_newest_first_with_pages_and_unknown_ids() {
        let svc = service();
        let pool = pool_on(&svc, UserPoolTierType::Plus);
        let now = CREATED + 2 * HOUR;
        let mut ids = Vec::new();
        for i in 0..3 {
            let id = initiate(&svc, &pool, now + i, CREATED + HOUR)
                .unwrap()
                .restore_id
                .unwrap();
            cancel(&svc, &pool, now + i, &id).unwrap();
            ids.push(id);
        }
        ids.reverse();
        let mut seen = Vec::new();
        let mut token = None;
        loop {
            let page = svc
                .list_point_in_time_recoveries(
                    &ctx_at(now + 10),
                    ListPointInTimeRecoveriesRequest {
                        user_pool_id: pool.clone(),
                        max_results: Some(2),
                        next_token: token,
                    },
                )
                .unwrap();
            let items = page.restorations.unwrap();
            assert!(items.len() <= 2);
            assert!(items
                .iter()
                .all(|r| r.restore_status == Some(RestoreStatusType::PreviewCancelled)));
            seen.extend(items.into_iter().map(|r| r.restore_id.unwrap()));
            token = page.next_token;
            if token.is_none() {
                break;
            }
        }
        assert_eq!(seen, ids);

        let err = svc
            .describe_point_in_time_recovery(
                &ctx_at(now),
                DescribePointInTimeRecoveryRequest {
                    user_pool_id: pool,
                    restore_id: "00000000-0000-4000-8000-000000000000".into(),
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);
    }
}
