//! User pool domains: `CreateUserPoolDomain`, `DescribeUserPoolDomain`,
//! `UpdateUserPoolDomain`, `DeleteUserPoolDomain`.
//!
//! A pool has at most one prefix domain (`<prefix>.auth.<region>.amazoncognito.com`) and
//! at most one custom domain (a name its owner controls, served with an ACM certificate).
//! Prefixes are unique within a Region across all pools, and a custom domain belongs to
//! one pool only, so the service keeps a [`DomainIndex`] beside the pools.
//!
//! Nothing is provisioned locally: there is no CloudFront distribution, no DNS check of
//! a custom domain's parent and no look-up of its certificate in ACM (only the ARN's shape
//! is checked). Domains are `ACTIVE` as soon as they are created.

use cognito_model::shapes::*;
use cognito_model::CognitoError;

use crate::errors::{invalid_parameter, require_tier};
use crate::state::domains::Domain;
use crate::store::PoolState;
use crate::time::compact_utc;
use crate::{ids, Cognito, RequestContext};

/// Words a prefix domain may not contain.
const RESERVED_WORDS: [&str; 3] = ["aws", "amazon", "cognito"];

impl Cognito {
    pub(crate) fn create_user_pool_domain(
        &self,
        ctx: &RequestContext,
        input: CreateUserPoolDomainRequest,
    ) -> Result<CreateUserPoolDomainResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |_| Ok(()))?;
        let custom = input.custom_domain_config.is_some();
        let version = input.managed_login_version.unwrap_or(1);
        check_version(version)?;
        if custom {
            check_custom_domain(&input.domain)?;
        } else {
            check_prefix(&input.domain)?;
            if input.routing.is_some() {
                return Err(routing_needs_custom());
            }
        }
        if let Some(config) = &input.custom_domain_config {
            check_certificate(&config.certificate_arn)?;
        }
        let distribution = cloud_front_distribution(self);
        self.store.update(&input.user_pool_id, |pool| {
            self.store.update_global(|global| {
                let index = &mut global.domains;
                let region = ids::pool_region(&input.user_pool_id).to_string();
                let key = (region, input.domain.clone());
                // A custom domain is one host name on the internet, whatever the Region.
                let taken = index.contains_key(&key)
                    || (custom && index.keys().any(|(_, name)| *name == input.domain));
                if taken {
                    return Err(invalid_parameter(
                        "Domain already associated with another user pool.",
                    ));
                }
                if version == 2 {
                    require_tier(&pool.config, UserPoolTierType::Essentials, "Managed login")?;
                }
                let slot = if custom {
                    &mut pool.domains.custom
                } else {
                    &mut pool.domains.prefix
                };
                if slot.is_some() {
                    return Err(invalid_parameter(
                        "User pool already has a domain configured.",
                    ));
                }
                *slot = Some(Domain {
                    name: input.domain.clone(),
                    custom_domain_config: input.custom_domain_config.clone(),
                    managed_login_version: version,
                    routing: input.routing.clone(),
                    cloud_front_distribution: distribution.clone(),
                    version: compact_utc(ctx.now),
                });
                if custom {
                    pool.config.custom_domain = Some(input.domain.clone());
                } else {
                    pool.config.domain = Some(input.domain.clone());
                }
                index.insert(key, input.user_pool_id.clone());
                Ok(())
            })
        })?;
        Ok(CreateUserPoolDomainResponse {
            cloud_front_domain: custom.then_some(distribution),
            managed_login_version: Some(version),
            routing: input.routing,
        })
    }

    pub(crate) fn describe_user_pool_domain(
        &self,
        ctx: &RequestContext,
        input: DescribeUserPoolDomainRequest,
    ) -> Result<DescribeUserPoolDomainResponse, CognitoError> {
        // A domain prefix is unique within a Region: the request names the Region.
        let key = (ctx.region.clone(), input.domain.clone());
        let owner = self
            .store
            .global(|global| global.domains.get(&key).cloned());
        // An unknown domain is not an error: the description is empty.
        let description = owner
            .and_then(|id| {
                self.store
                    .read(&id, |pool| {
                        Ok(pool
                            .domains
                            .named(&input.domain)
                            .map(|d| describe(ctx, pool, d)))
                    })
                    .ok()
                    .flatten()
            })
            .unwrap_or_default();
        Ok(DescribeUserPoolDomainResponse {
            domain_description: Some(description),
        })
    }

    pub(crate) fn update_user_pool_domain(
        &self,
        ctx: &RequestContext,
        input: UpdateUserPoolDomainRequest,
    ) -> Result<UpdateUserPoolDomainResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |_| Ok(()))?;
        if let Some(version) = input.managed_login_version {
            check_version(version)?;
        }
        if let Some(config) = &input.custom_domain_config {
            check_certificate(&config.certificate_arn)?;
        }
        self.store.update(&input.user_pool_id, |pool| {
            if input.managed_login_version == Some(2) {
                require_tier(&pool.config, UserPoolTierType::Essentials, "Managed login")?;
            }
            let domain = pool
                .domains
                .named_mut(&input.domain)
                .ok_or_else(no_such_domain)?;
            let custom = domain.custom_domain_config.is_some();
            if !custom && input.custom_domain_config.is_some() {
                return Err(invalid_parameter(
                    "CustomDomainConfig can only be set on a custom domain.",
                ));
            }
            if !custom && input.routing.is_some() {
                return Err(routing_needs_custom());
            }
            if let Some(version) = input.managed_login_version {
                domain.managed_login_version = version;
            }
            if input.custom_domain_config.is_some() {
                domain.custom_domain_config = input.custom_domain_config;
            }
            if input.routing.is_some() {
                domain.routing = input.routing;
            }
            domain.version = compact_utc(ctx.now);
            Ok(UpdateUserPoolDomainResponse {
                cloud_front_domain: custom.then(|| domain.cloud_front_distribution.clone()),
                managed_login_version: Some(domain.managed_login_version),
                routing: domain.routing.clone(),
            })
        })
    }

    pub(crate) fn delete_user_pool_domain(
        &self,
        _ctx: &RequestContext,
        input: DeleteUserPoolDomainRequest,
    ) -> Result<DeleteUserPoolDomainResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            let domains = &mut pool.domains;
            let custom = if domains
                .custom
                .as_ref()
                .is_some_and(|d| d.name == input.domain)
            {
                domains.custom = None;
                true
            } else if domains
                .prefix
                .as_ref()
                .is_some_and(|d| d.name == input.domain)
            {
                domains.prefix = None;
                false
            } else {
                return Err(no_such_domain());
            };
            if custom {
                pool.config.custom_domain = None;
            } else {
                pool.config.domain = None;
            }
            let region = ids::pool_region(&input.user_pool_id).to_string();
            self.store
                .update_global(|global| global.domains.remove(&(region, input.domain.clone())));
            Ok(DeleteUserPoolDomainResponse {})
        })
    }
}

/// The description `DescribeUserPoolDomain` answers for `domain` of `pool`.
fn describe(ctx: &RequestContext, pool: &PoolState, domain: &Domain) -> DomainDescriptionType {
    DomainDescriptionType {
        user_pool_id: pool.config.id.clone(),
        aws_account_id: Some(ctx.account_id.clone()),
        domain: Some(domain.name.clone()),
        s3_bucket: Some(format!(
            "aws-cognito-prod-{}-assets",
            region_code(ids::pool_region(
                pool.config.id.as_deref().unwrap_or_default()
            ))
        )),
        cloud_front_distribution: Some(domain.cloud_front_distribution.clone()),
        version: Some(domain.version.clone()),
        status: Some(DomainStatusType::Active),
        custom_domain_config: domain.custom_domain_config.clone(),
        managed_login_version: Some(domain.managed_login_version),
        routing: domain.routing.clone(),
    }
}

fn no_such_domain() -> CognitoError {
    invalid_parameter("No such domain or user pool exists.")
}

fn routing_needs_custom() -> CognitoError {
    invalid_parameter("Routing can only be configured for a custom domain.")
}

fn check_version(version: i32) -> Result<(), CognitoError> {
    if !matches!(version, 1 | 2) {
        return Err(invalid_parameter(format!(
            "ManagedLoginVersion {version} is not valid: use 1 for the hosted UI (classic) or 2 for managed login."
        )));
    }
    Ok(())
}

/// A prefix is one DNS label without Cognito's reserved words.
fn check_prefix(prefix: &str) -> Result<(), CognitoError> {
    if let Some(word) = RESERVED_WORDS.iter().find(|w| prefix.contains(*w)) {
        return Err(invalid_parameter(format!(
            "Domain cannot contain reserved word: {word}"
        )));
    }
    if prefix.contains('.') || !valid_label(prefix) {
        return Err(invalid_parameter(format!(
            "{prefix} is not a valid domain prefix."
        )));
    }
    Ok(())
}

/// A custom domain is a fully qualified host name: two labels or more.
fn check_custom_domain(domain: &str) -> Result<(), CognitoError> {
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 || !labels.iter().all(|l| valid_label(l)) || domain.len() > 253 {
        return Err(invalid_parameter(format!(
            "{domain} is not a valid custom domain name."
        )));
    }
    Ok(())
}

/// One DNS label: 1 to 63 lowercase letters, digits and inner hyphens.
fn valid_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A custom domain's certificate must be an ACM certificate in us-east-1.
fn check_certificate(arn: &str) -> Result<(), CognitoError> {
    let mut parts = arn.splitn(6, ':');
    let ok = matches!(
        (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ),
        (
            Some("arn"),
            Some(partition),
            Some("acm"),
            Some("us-east-1"),
            Some(account),
            Some(resource),
        ) if partition.starts_with("aws")
            && account.len() == 12
            && account.bytes().all(|b| b.is_ascii_digit())
            && resource.strip_prefix("certificate/").is_some_and(|id| !id.is_empty())
    );
    if !ok {
        return Err(invalid_parameter(
            "The specified SSL certificate doesn't exist, isn't in us-east-1 region, isn't valid, or doesn't include a valid certificate chain.",
        ));
    }
    Ok(())
}

/// A distribution host name in CloudFront's form: `d` and 13 lowercase alphanumerics.
fn cloud_front_distribution(svc: &Cognito) -> String {
    format!(
        "d{}.cloudfront.net",
        ids::random_string(&*svc.random, b"abcdefghijklmnopqrstuvwxyz0123456789", 13)
    )
}

/// The airport code Cognito names a Region's asset bucket after.
fn region_code(region: &str) -> &str {
    match region {
        "us-east-1" => "iad",
        "us-east-2" => "cmh",
        "us-west-1" => "sfo",
        "us-west-2" => "pdx",
        "ca-central-1" => "yul",
        "ca-west-1" => "yyc",
        "sa-east-1" => "gru",
        "eu-west-1" => "dub",
        "eu-west-2" => "lhr",
        "eu-west-3" => "cdg",
        "eu-central-1" => "fra",
        "eu-central-2" => "zrh",
        "eu-north-1" => "arn",
        "eu-south-1" => "mxp",
        "eu-south-2" => "zaz",
        "ap-east-1" => "hkg",
        "ap-south-1" => "bom",
        "ap-south-2" => "hyd",
        "ap-northeast-1" => "nrt",
        "ap-northeast-2" => "icn",
        "ap-northeast-3" => "kix",
        "ap-southeast-1" => "sin",
        "ap-southeast-2" => "syd",
        "ap-southeast-3" => "cgk",
        "ap-southeast-4" => "mel",
        "me-south-1" => "bah",
        "me-central-1" => "dxb",
        "af-south-1" => "cpt",
        "il-central-1" => "tlv",
        "us-gov-west-1" => "pdt",
        "us-gov-east-1" => "osu",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{create_pool, ctx, ctx_at, service};
    use cognito_model::ErrorKind;

    const CERT: &str =
        "arn:aws:acm:us-east-1:123456789012:certificate/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111";

    fn create(
        svc: &Cognito,
        pool: &str,
        domain: &str,
    ) -> Result<CreateUserPoolDomainResponse, CognitoError> {
        svc.create_user_pool_domain(
            &ctx(),
            CreateUserPoolDomainRequest {
                user_pool_id: pool.into(),
                domain: domain.into(),
                ..Default::default()
            },
        )
    }

    fn create_custom(
        svc: &Cognito,
        pool: &str,
        domain: &str,
    ) -> Result<CreateUserPoolDomainResponse, CognitoError> {
        svc.create_user_pool_domain(
            &ctx(),
            CreateUserPoolDomainRequest {
                user_pool_id: pool.into(),
                domain: domain.into(),
                custom_domain_config: Some(CustomDomainConfigType {
                    certificate_arn: CERT.into(),
                    security_policy: None,
                }),
                managed_login_version: Some(2),
                ..Default::default()
            },
        )
    }

    fn describe(svc: &Cognito, domain: &str) -> DomainDescriptionType {
        svc.describe_user_pool_domain(
            &ctx(),
            DescribeUserPoolDomainRequest {
                domain: domain.into(),
            },
        )
        .unwrap()
        .domain_description
        .unwrap()
    }

    fn delete(
        svc: &Cognito,
        pool: &str,
        domain: &str,
    ) -> Result<DeleteUserPoolDomainResponse, CognitoError> {
        svc.delete_user_pool_domain(
            &ctx(),
            DeleteUserPoolDomainRequest {
                user_pool_id: pool.into(),
                domain: domain.into(),
            },
        )
    }

    fn pool_config_err(svc: &Cognito, pool: &str) -> ErrorKind {
        svc.describe_user_pool(
            &ctx(),
            DescribeUserPoolRequest {
                user_pool_id: pool.into(),
            },
        )
        .unwrap_err()
        .kind
    }

    fn pool_config(svc: &Cognito, pool: &str) -> UserPoolType {
        svc.describe_user_pool(
            &ctx(),
            DescribeUserPoolRequest {
                user_pool_id: pool.into(),
            },
        )
        .unwrap()
        .user_pool
        .unwrap()
    }

    #[test]
    fn prefix_domain_lifecycle() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let created = create(&svc, &pool, "my-app").unwrap();
        assert_eq!(created.cloud_front_domain, None);
        assert_eq!(created.managed_login_version, Some(1));
        assert_eq!(pool_config(&svc, &pool).domain.as_deref(), Some("my-app"));

        let described = describe(&svc, "my-app");
        assert_eq!(described.user_pool_id.as_deref(), Some(pool.as_str()));
        assert_eq!(described.aws_account_id.as_deref(), Some("123456789012"));
        assert_eq!(described.domain.as_deref(), Some("my-app"));
        assert_eq!(described.status, Some(DomainStatusType::Active));
        assert_eq!(
            described.s3_bucket.as_deref(),
            Some("aws-cognito-prod-iad-assets")
        );
        assert_eq!(described.version.as_deref(), Some("20231114221320"));
        assert_eq!(described.managed_login_version, Some(1));
        assert_eq!(described.custom_domain_config, None);
        let distribution = described.cloud_front_distribution.unwrap();
        assert!(distribution.starts_with('d') && distribution.ends_with(".cloudfront.net"));

        let err = create(&svc, &pool, "my-other-app").unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        assert_eq!(err.message, "User pool already has a domain configured.");

        let err = delete(&svc, &pool, "not-mine").unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        delete(&svc, &pool, "my-app").unwrap();
        assert_eq!(pool_config(&svc, &pool).domain, None);
        assert_eq!(describe(&svc, "my-app"), DomainDescriptionType::default());
        create(&svc, &pool, "my-other-app").unwrap();
    }

    #[test]
    fn unknown_domains_describe_as_empty() {
        let svc = service();
        let answer = svc
            .describe_user_pool_domain(
                &ctx(),
                DescribeUserPoolDomainRequest {
                    domain: "nobody".into(),
                },
            )
            .unwrap();
        assert_eq!(
            serde_json::to_value(&answer).unwrap(),
            serde_json::json!({"DomainDescription": {}})
        );
    }

    #[test]
    fn prefixes_are_unique_within_a_region() {
        let svc = service();
        let first = create_pool(&svc, "a").id.unwrap();
        let second = create_pool(&svc, "b").id.unwrap();
        create(&svc, &first, "shared").unwrap();
        let err = create(&svc, &second, "shared").unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        assert_eq!(
            err.message,
            "Domain already associated with another user pool."
        );

        // Another Region has its own prefixes.
        let elsewhere = RequestContext {
            region: "eu-west-1".into(),
            ..ctx()
        };
        let pool = svc
            .create_user_pool(
                &elsewhere,
                CreateUserPoolRequest {
                    pool_name: "c".into(),
                    ..Default::default()
                },
            )
            .unwrap()
            .user_pool
            .unwrap()
            .id
            .unwrap();
        svc.create_user_pool_domain(
            &elsewhere,
            CreateUserPoolDomainRequest {
                user_pool_id: pool,
                domain: "shared".into(),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(describe(&svc, "shared").user_pool_id, Some(first.clone()));

        // Deleting the domain frees its prefix.
        delete(&svc, &first, "shared").unwrap();
        assert_eq!(describe(&svc, "shared"), DomainDescriptionType::default());
        create(&svc, &second, "shared").unwrap();
    }

    #[test]
    fn a_pool_with_a_domain_cannot_be_deleted() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        create(&svc, &pool, "kept").unwrap();
        create_custom(&svc, &pool, "login.example.com").unwrap();
        let delete_pool = || {
            svc.delete_user_pool(
                &ctx(),
                DeleteUserPoolRequest {
                    user_pool_id: pool.clone(),
                },
            )
        };
        let err = delete_pool().unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        assert_eq!(
            err.message,
            "User pool cannot be deleted. It has a domain configured that should be deleted first."
        );
        assert_eq!(describe(&svc, "kept").user_pool_id, Some(pool.clone()));
        delete(&svc, &pool, "kept").unwrap();
        assert!(delete_pool().is_err(), "the custom domain is still there");
        delete(&svc, &pool, "login.example.com").unwrap();
        delete_pool().unwrap();
        assert_eq!(
            pool_config_err(&svc, &pool),
            ErrorKind::ResourceNotFoundException
        );
    }

    #[test]
    fn prefix_rules() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        for word in ["my-aws-app", "amazonian", "cognito-login"] {
            let err = create(&svc, &pool, word).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidParameterException, "{word}");
            assert!(err
                .message
                .starts_with("Domain cannot contain reserved word: "));
        }
        let err = svc
            .create_user_pool_domain(
                &ctx(),
                CreateUserPoolDomainRequest {
                    user_pool_id: pool.clone(),
                    domain: "login".into(),
                    managed_login_version: Some(3),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        let err = create(&svc, "us-east-1_nothere12", "login").unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);
    }

    #[test]
    fn custom_domain_lifecycle() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        create(&svc, &pool, "my-app").unwrap();
        let created = create_custom(&svc, &pool, "auth.example.com").unwrap();
        let front = created.cloud_front_domain.unwrap();
        assert!(front.ends_with(".cloudfront.net"));
        assert_eq!(created.managed_login_version, Some(2));
        let config = pool_config(&svc, &pool);
        assert_eq!(config.custom_domain.as_deref(), Some("auth.example.com"));
        assert_eq!(config.domain.as_deref(), Some("my-app"));

        let described = describe(&svc, "auth.example.com");
        assert_eq!(
            described.cloud_front_distribution.as_deref(),
            Some(front.as_str())
        );
        assert_eq!(
            described.custom_domain_config.unwrap().certificate_arn,
            CERT
        );

        let other = create_pool(&svc, "q").id.unwrap();
        let err = create_custom(&svc, &other, "auth.example.com").unwrap_err();
        assert_eq!(
            err.message,
            "Domain already associated with another user pool."
        );

        let later = ctx_at(1_700_000_600);
        let updated = svc
            .update_user_pool_domain(
                &later,
                UpdateUserPoolDomainRequest {
                    user_pool_id: pool.clone(),
                    domain: "auth.example.com".into(),
                    managed_login_version: Some(1),
                    custom_domain_config: Some(CustomDomainConfigType {
                        certificate_arn: format!("{CERT}2"),
                        security_policy: Some(SecurityPolicyType::TlsV122021),
                    }),
                    routing: None,
                },
            )
            .unwrap();
        assert_eq!(updated.cloud_front_domain.as_deref(), Some(front.as_str()));
        assert_eq!(updated.managed_login_version, Some(1));
        let described = describe(&svc, "auth.example.com");
        assert_eq!(described.managed_login_version, Some(1));
        assert_eq!(described.version.as_deref(), Some("20231114222320"));
        assert_eq!(
            described.custom_domain_config.unwrap().certificate_arn,
            format!("{CERT}2")
        );

        delete(&svc, &pool, "auth.example.com").unwrap();
        let config = pool_config(&svc, &pool);
        assert_eq!(config.custom_domain, None);
        assert_eq!(config.domain.as_deref(), Some("my-app"));
        create_custom(&svc, &other, "auth.example.com").unwrap();
    }

    #[test]
    fn custom_domain_rules() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let with_cert = |domain: &str, arn: &str| {
            svc.create_user_pool_domain(
                &ctx(),
                CreateUserPoolDomainRequest {
                    user_pool_id: pool.clone(),
                    domain: domain.into(),
                    custom_domain_config: Some(CustomDomainConfigType {
                        certificate_arn: arn.into(),
                        security_policy: None,
                    }),
                    ..Default::default()
                },
            )
        };
        let err = with_cert(
            "auth.example.com",
            "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        assert!(err
            .message
            .starts_with("The specified SSL certificate doesn't exist"));
        let err = with_cert("localhost", CERT).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);

        // Routing and certificates belong to custom domains only.
        create(&svc, &pool, "my-app").unwrap();
        let err = svc
            .update_user_pool_domain(
                &ctx(),
                UpdateUserPoolDomainRequest {
                    user_pool_id: pool.clone(),
                    domain: "my-app".into(),
                    custom_domain_config: Some(CustomDomainConfigType {
                        certificate_arn: CERT.into(),
                        security_policy: None,
                    }),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        let err = svc
            .update_user_pool_domain(
                &ctx(),
                UpdateUserPoolDomainRequest {
                    user_pool_id: pool.clone(),
                    domain: "someone-else".into(),
                    managed_login_version: Some(2),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        let updated = svc
            .update_user_pool_domain(
                &ctx(),
                UpdateUserPoolDomainRequest {
                    user_pool_id: pool,
                    domain: "my-app".into(),
                    managed_login_version: Some(2),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(updated.cloud_front_domain, None);
        assert_eq!(updated.managed_login_version, Some(2));
    }

    #[test]
    fn managed_login_needs_a_paid_plan() {
        let svc = service();
        let pool = svc
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
        let err = svc
            .create_user_pool_domain(
                &ctx(),
                CreateUserPoolDomainRequest {
                    user_pool_id: pool.clone(),
                    domain: "lite-app".into(),
                    managed_login_version: Some(2),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::FeatureUnavailableInTierException);
        create(&svc, &pool, "lite-app").unwrap();
    }
}
