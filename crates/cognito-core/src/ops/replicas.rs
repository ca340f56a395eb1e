//! Multi-Region replication: `CreateUserPoolReplica`, `DeleteUserPoolReplica`,
//! `UpdateUserPoolReplica`, `ListUserPoolReplicas`.
//!
//! No other Region exists locally, so a replica is state only: its Region, status, tags
//! and ARN are kept and answered, nothing is copied, and requests addressed to the
//! replica's Region do not reach the pool. The replica shares the pool's id; its ARN names
//! its own Region. Its tags are checked but not kept, since tagging requests for the
//! replica's ARN would go to its Region.
//!
//! Replication needs the Essentials or Plus plan and a customer managed multi-Region KMS
//! key in the pool's `KeyConfiguration`. A pool has one secondary Region. Status changes
//! follow the requests: `CreateUserPoolReplica` answers `CREATING` and the replica has
//! settled to `INACTIVE` by the next request; `UpdateUserPoolReplica` sets `ACTIVE` or
//! `INACTIVE` at once; `DeleteUserPoolReplica`, allowed only while `INACTIVE`, answers
//! `DELETING` and the replica is gone by the next request. Once a pool has a secondary
//! Region, the listing also shows the pool itself as the `PRIMARY`.

use cognito_model::shapes::*;
use cognito_model::CognitoError;

use crate::errors::{invalid_parameter, limit_exceeded, not_found, require_tier};
use crate::ops::tags::check_tags;
use crate::state::replicas::Replica;
use crate::{ids, Cognito, RequestContext};

/// How many secondary Regions a pool can replicate to.
const MAX_SECONDARY: usize = 1;

/// Page size of `ListUserPoolReplicas`.
const PAGE: usize = 60;

impl Cognito {
    pub(crate) fn create_user_pool_replica(
        &self,
        ctx: &RequestContext,
        input: CreateUserPoolReplicaRequest,
    ) -> Result<CreateUserPoolReplicaResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
        require_tier(
            &pool.config,
            UserPoolTierType::Essentials,
            "Multi-Region Replication",
        )?;
        let region = input.region_name;
        if !is_region(&region) {
            return Err(invalid_parameter(format!(
                "{region} is not a valid AWS Region."
            )));
        }
        if region == ids::pool_region(&input.user_pool_id) {
            return Err(invalid_parameter(
                "A replica can't be created in the Region of the primary user pool.",
            ));
        }
        if !has_multi_region_key(pool.config.key_configuration.as_ref()) {
            return Err(invalid_parameter(
                "Multi-Region replication requires a KeyConfiguration with a customer managed multi-Region KMS key.",
            ));
        }
        if pool.replicas.secondaries.contains_key(&region) {
            return Err(invalid_parameter(format!(
                "A replica of the user pool already exists in {region}."
            )));
        }
        if pool.replicas.secondaries.len() >= MAX_SECONDARY {
            return Err(limit_exceeded(format!(
                "A user pool can have at most {MAX_SECONDARY} replica Region."
            )));
        }
        check_tags(&input.user_pool_tags.unwrap_or_default())?;
        pool.replicas.secondaries.insert(
            region.clone(),
            Replica {
                status: ReplicaStatusType::Inactive,
            },
        );
        Ok(CreateUserPoolReplicaResponse {
            user_pool_replica: Some(secondary(
                ctx,
                &input.user_pool_id,
                &region,
                ReplicaStatusType::Creating,
            )),
        })
        })
    }

    pub(crate) fn update_user_pool_replica(
        &self,
        ctx: &RequestContext,
        input: UpdateUserPoolReplicaRequest,
    ) -> Result<UpdateUserPoolReplicaResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            let region = input.region_name;
            if region == ids::pool_region(&input.user_pool_id) {
                return Err(invalid_parameter(
                    "The status of the primary user pool can't be changed.",
                ));
            }
            let replica = pool
                .replicas
                .secondaries
                .get_mut(&region)
                .ok_or_else(|| replica_not_found(&region))?;
            replica.status = match input.status {
                UpdateReplicaStatusType::Active => ReplicaStatusType::Active,
                UpdateReplicaStatusType::Inactive => ReplicaStatusType::Inactive,
            };
            Ok(UpdateUserPoolReplicaResponse {
                user_pool_replica: Some(secondary(
                    ctx,
                    &input.user_pool_id,
                    &region,
                    replica.status,
                )),
            })
        })
    }

    pub(crate) fn delete_user_pool_replica(
        &self,
        ctx: &RequestContext,
        input: DeleteUserPoolReplicaRequest,
    ) -> Result<DeleteUserPoolReplicaResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            let region = input.region_name;
            if region == ids::pool_region(&input.user_pool_id) {
                return Err(invalid_parameter(
                    "The primary user pool can't be deleted as a replica.",
                ));
            }
            let status = pool
                .replicas
                .secondaries
                .get(&region)
                .map(|r| r.status)
                .ok_or_else(|| replica_not_found(&region))?;
            if status != ReplicaStatusType::Inactive {
                return Err(invalid_parameter(format!(
                    "The replica in {region} must be INACTIVE to be deleted."
                )));
            }
            pool.replicas.secondaries.remove(&region);
            Ok(DeleteUserPoolReplicaResponse {
                user_pool_replica: Some(secondary(
                    ctx,
                    &input.user_pool_id,
                    &region,
                    ReplicaStatusType::Deleting,
                )),
            })
        })
    }

    pub(crate) fn list_user_pool_replicas(
        &self,
        ctx: &RequestContext,
        input: ListUserPoolReplicasRequest,
    ) -> Result<ListUserPoolReplicasResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |_| Ok(()))?;
        let after = ids::page_after(input.next_token.as_deref())?;
        self.store.read(&input.user_pool_id, |pool| {
            let mut all: Vec<(String, UserPoolReplicaType)> = Vec::new();
            if !pool.replicas.secondaries.is_empty() {
                let primary = ids::pool_region(&input.user_pool_id);
                all.push((
                    primary.to_string(),
                    UserPoolReplicaType {
                        region_name: Some(primary.to_string()),
                        role: Some(ReplicaRoleType::Primary),
                        status: Some(ReplicaStatusType::Active),
                        user_pool_arn: Some(arn(ctx, primary, &input.user_pool_id)),
                    },
                ));
            }
            for (region, replica) in &pool.replicas.secondaries {
                all.push((
                    region.clone(),
                    secondary(ctx, &input.user_pool_id, region, replica.status),
                ));
            }
            all.sort_by(|a, b| a.0.cmp(&b.0));
            let mut rest = all
                .into_iter()
                .filter(|(region, _)| after.as_ref().is_none_or(|a| region > a));
            let page: Vec<(String, UserPoolReplicaType)> = rest.by_ref().take(PAGE).collect();
            let next_token = rest
                .next()
                .and(page.last())
                .map(|(region, _)| ids::page_token(region));
            Ok(ListUserPoolReplicasResponse {
                user_pool_replicas: Some(page.into_iter().map(|(_, r)| r).collect()),
                next_token,
            })
        })
    }
}

/// A secondary replica as the operations answer it.
fn secondary(
    ctx: &RequestContext,
    pool_id: &str,
    region: &str,
    status: ReplicaStatusType,
) -> UserPoolReplicaType {
    UserPoolReplicaType {
        region_name: Some(region.to_string()),
        role: Some(ReplicaRoleType::Secondary),
        status: Some(status),
        user_pool_arn: Some(arn(ctx, region, pool_id)),
    }
}

/// The ARN of the pool's copy in `region`.
fn arn(ctx: &RequestContext, region: &str, pool_id: &str) -> String {
    format!(
        "arn:aws:cognito-idp:{region}:{}:userpool/{pool_id}",
        ctx.account_id
    )
}

fn replica_not_found(region: &str) -> CognitoError {
    not_found(format!("No replica of the user pool exists in {region}."))
}

/// An AWS Region name such as `eu-west-1` or `us-gov-east-1`.
fn is_region(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    match parts.as_slice() {
        [area, middle @ .., number] if !middle.is_empty() => {
            area.len() == 2
                && area.bytes().all(|b| b.is_ascii_lowercase())
                && middle
                    .iter()
                    .all(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_lowercase()))
                && !number.is_empty()
                && number.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

/// Whether the pool encrypts with a customer managed multi-Region key (`key/mrk-...`).
fn has_multi_region_key(key: Option<&KeyConfigurationType>) -> bool {
    key.is_some_and(|k| {
        k.key_type == Some(EncryptionKeyType::CustomerManagedKey)
            && k.kms_key_arn
                .as_deref()
                .and_then(|arn| arn.rsplit_once(":key/"))
                .is_some_and(|(_, id)| id.starts_with("mrk-"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{create_pool, ctx, service};
    use cognito_model::ErrorKind;

    const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab";

    fn replicated_pool(svc: &Cognito) -> String {
        svc.create_user_pool(
            &ctx(),
            CreateUserPoolRequest {
                pool_name: "p".into(),
                key_configuration: Some(KeyConfigurationType {
                    key_type: Some(EncryptionKeyType::CustomerManagedKey),
                    kms_key_arn: Some(KEY.into()),
                }),
                ..Default::default()
            },
        )
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap()
    }

    fn create(
        svc: &Cognito,
        pool: &str,
        region: &str,
    ) -> Result<CreateUserPoolReplicaResponse, CognitoError> {
        svc.create_user_pool_replica(
            &ctx(),
            CreateUserPoolReplicaRequest {
                user_pool_id: pool.into(),
                region_name: region.into(),
                user_pool_tags: Some([("env".to_string(), "dr".to_string())].into()),
            },
        )
    }

    fn list(svc: &Cognito, pool: &str) -> Vec<UserPoolReplicaType> {
        svc.list_user_pool_replicas(
            &ctx(),
            ListUserPoolReplicasRequest {
                user_pool_id: pool.into(),
                next_token: None,
            },
        )
        .unwrap()
        .user_pool_replicas
        .unwrap()
    }

    fn update(
        svc: &Cognito,
        pool: &str,
        region: &str,
        status: UpdateReplicaStatusType,
    ) -> Result<UpdateUserPoolReplicaResponse, CognitoError> {
        svc.update_user_pool_replica(
            &ctx(),
            UpdateUserPoolReplicaRequest {
                user_pool_id: pool.into(),
                region_name: region.into(),
                status,
            },
        )
    }

    fn delete(
        svc: &Cognito,
        pool: &str,
        region: &str,
    ) -> Result<DeleteUserPoolReplicaResponse, CognitoError> {
        svc.delete_user_pool_replica(
            &ctx(),
            DeleteUserPoolReplicaRequest {
                user_pool_id: pool.into(),
                region_name: region.into(),
            },
        )
    }

    #[test]
    fn lifecycle() {
        let svc = service();
        let pool = replicated_pool(&svc);
        assert!(list(&svc, &pool).is_empty());

        let created = create(&svc, &pool, "us-west-2")
            .unwrap()
            .user_pool_replica
            .unwrap();
        assert_eq!(created.status, Some(ReplicaStatusType::Creating));
        assert_eq!(created.role, Some(ReplicaRoleType::Secondary));
        assert_eq!(
            created.user_pool_arn,
            Some(format!(
                "arn:aws:cognito-idp:us-west-2:123456789012:userpool/{pool}"
            ))
        );

        let listed = list(&svc, &pool);
        assert_eq!(listed.len(), 2);
        let primary = listed.first().unwrap();
        assert_eq!(primary.region_name.as_deref(), Some("us-east-1"));
        assert_eq!(primary.role, Some(ReplicaRoleType::Primary));
        assert_eq!(primary.status, Some(ReplicaStatusType::Active));
        assert_eq!(
            listed.last().unwrap().status,
            Some(ReplicaStatusType::Inactive)
        );
        assert_eq!(
            svc.pool(&ctx(), &pool)
                .unwrap()
                .read()
                .replicas
                .replica_regions(),
            vec!["us-west-2".to_string()]
        );

        let active = update(&svc, &pool, "us-west-2", UpdateReplicaStatusType::Active)
            .unwrap()
            .user_pool_replica
            .unwrap();
        assert_eq!(active.status, Some(ReplicaStatusType::Active));
        let err = delete(&svc, &pool, "us-west-2").unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);

        update(&svc, &pool, "us-west-2", UpdateReplicaStatusType::Inactive).unwrap();
        let deleted = delete(&svc, &pool, "us-west-2")
            .unwrap()
            .user_pool_replica
            .unwrap();
        assert_eq!(deleted.status, Some(ReplicaStatusType::Deleting));
        assert!(list(&svc, &pool).is_empty());
        let err = delete(&svc, &pool, "us-west-2").unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);
    }

    #[test]
    fn create_checks_region_key_plan_and_limit() {
        let svc = service();
        let plain = create_pool(&svc, "plain").id.unwrap();
        let err = create(&svc, &plain, "us-west-2").unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);

        let pool = replicated_pool(&svc);
        for bad in ["us-east-1", "mars-1", "US-WEST-2", "us-west"] {
            let err = create(&svc, &pool, bad).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidParameterException, "{bad}");
        }
        create(&svc, &pool, "eu-west-1").unwrap();
        let err = create(&svc, &pool, "eu-west-1").unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        let err = create(&svc, &pool, "ap-southeast-2").unwrap_err();
        assert_eq!(err.kind, ErrorKind::LimitExceededException);

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
        let err = create(&svc, &lite, "us-west-2").unwrap_err();
        assert_eq!(err.kind, ErrorKind::FeatureUnavailableInTierException);
    }

    #[test]
    fn update_and_delete_need_a_secondary() {
        let svc = service();
        let pool = replicated_pool(&svc);
        let err = update(&svc, &pool, "eu-west-1", UpdateReplicaStatusType::Active).unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);
        let err = update(&svc, &pool, "us-east-1", UpdateReplicaStatusType::Inactive).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        let err = delete(&svc, &pool, "us-east-1").unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        let err = svc
            .list_user_pool_replicas(
                &ctx(),
                ListUserPoolReplicasRequest {
                    user_pool_id: "us-east-1_nothere12".into(),
                    next_token: None,
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);
    }

    #[test]
    fn regions() {
        for ok in [
            "us-east-1",
            "eu-central-2",
            "us-gov-west-1",
            "ap-southeast-5",
        ] {
            assert!(is_region(ok), "{ok}");
        }
        for bad in ["us-east", "useast1", "u-east-1", "us--1", "us-east-x"] {
            assert!(!is_region(bad), "{bad}");
        }
    }
}
