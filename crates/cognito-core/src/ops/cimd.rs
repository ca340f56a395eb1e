//! Client ID metadata document (CIMD) policies and the metadata URLs they admit:
//! `CreateCIMDPolicy`, `DescribeCIMDPolicy`, `UpdateCIMDPolicy`, `DeleteCIMDPolicy`,
//! `ListCIMDPolicies`, `ListClientMetadataURLs`, `UpdateClientMetadataURLState`.
//!
//! A policy maps up to five HTTPS URL patterns to one app client of the pool. In a pattern,
//! `*` stands for any run of characters within one host label or path segment (it never
//! crosses a `.` or a `/`). A policy caches each client metadata document it admits for its
//! cache duration (one day unless set); an update that leaves the duration out keeps it.
//!
//! No document is fetched locally: the cache holds the URLs the authorization flow records
//! through [`CimdState::record_metadata_url`]. `REFRESH` marks a cached URL as cached
//! again from now, and `INVALIDATE` drops it.

use std::collections::BTreeMap;

use cognito_model::shapes::*;
use cognito_model::{CognitoError, ErrorKind};

use crate::errors::{invalid_parameter, not_found};
use crate::state::cimd::{Policy, DEFAULT_CACHE_SECONDS};
use crate::store::PoolState;
use crate::{ids, Cognito, RequestContext};

/// Default page size of the list operations.
const DEFAULT_PAGE: usize = 60;

impl Cognito {
    pub(crate) fn create_cimd_policy(
        &self,
        ctx: &RequestContext,
        input: CreateCIMDPolicyRequest,
    ) -> Result<CreateCIMDPolicyResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            pool.client(&input.client_id)?;
            check_patterns(&input.url_patterns)?;
            let id = loop {
                let id =
                    ids::random_string(&*self.random, b"abcdefghijklmnopqrstuvwxyz0123456789", 26);
                if !pool.cimd.policies.contains_key(&id) {
                    break id;
                }
            };
            let config = CIMDPolicyType {
                cimd_policy_id: id.clone(),
                cache_duration: Some(input.cache_duration.unwrap_or(DEFAULT_CACHE_SECONDS)),
                client_id: Some(input.client_id),
                creation_date: Some(ctx.now),
                last_modified_date: Some(ctx.now),
                policy_name: input.policy_name,
                url_patterns: Some(input.url_patterns),
                user_pool_id: input.user_pool_id.clone(),
            };
            pool.cimd.policies.insert(
                id,
                Policy {
                    config: config.clone(),
                    cached: BTreeMap::new(),
                },
            );
            Ok(CreateCIMDPolicyResponse {
                cimd_policy: config,
            })
        })
    }

    pub(crate) fn describe_cimd_policy(
        &self,
        _ctx: &RequestContext,
        input: DescribeCIMDPolicyRequest,
    ) -> Result<DescribeCIMDPolicyResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |pool| {
            let policy = policy(pool, &input.cimd_policy_id)?;
            Ok(DescribeCIMDPolicyResponse {
                cimd_policy: policy.describe(pool),
            })
        })
    }

    pub(crate) fn update_cimd_policy(
        &self,
        ctx: &RequestContext,
        input: UpdateCIMDPolicyRequest,
    ) -> Result<UpdateCIMDPolicyResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            policy(pool, &input.cimd_policy_id)?;
            pool.client(&input.client_id)?;
            check_patterns(&input.url_patterns)?;
            let policy = pool
                .cimd
                .policies
                .get_mut(&input.cimd_policy_id)
                .ok_or_else(|| policy_not_found(&input.cimd_policy_id))?;
            let config = &mut policy.config;
            config.client_id = Some(input.client_id);
            config.url_patterns = Some(input.url_patterns);
            if let Some(name) = input.policy_name {
                config.policy_name = name;
            }
            if let Some(duration) = input.cache_duration {
                config.cache_duration = Some(duration);
            }
            config.last_modified_date = Some(ctx.now);
            let answer = config.clone();
            Ok(UpdateCIMDPolicyResponse {
                cimd_policy: answer,
            })
        })
    }

    pub(crate) fn delete_cimd_policy(
        &self,
        _ctx: &RequestContext,
        input: DeleteCIMDPolicyRequest,
    ) -> Result<DeleteCIMDPolicyResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            pool.cimd
                .policies
                .remove(&input.cimd_policy_id)
                .map(|_| DeleteCIMDPolicyResponse {})
                .ok_or_else(|| policy_not_found(&input.cimd_policy_id))
        })
    }

    pub(crate) fn list_cimd_policies(
        &self,
        _ctx: &RequestContext,
        input: ListCIMDPoliciesRequest,
    ) -> Result<ListCIMDPoliciesResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |_| Ok(()))?;
        let after = ids::page_after(input.next_token.as_deref())?;
        self.store.read(&input.user_pool_id, |pool| {
            let (page, next_token) = page(
                pool.cimd.policies.iter(),
                after.as_deref(),
                input.max_results,
            );
            Ok(ListCIMDPoliciesResponse {
                cimd_policies: page
                    .into_iter()
                    .map(|(_, p)| {
                        let c = p.describe(pool);
                        CIMDPolicySummaryType {
                            cimd_policy_id: c.cimd_policy_id,
                            cache_duration: c.cache_duration,
                            client_id: c.client_id,
                            creation_date: c.creation_date,
                            last_modified_date: c.last_modified_date,
                            policy_name: c.policy_name,
                        }
                    })
                    .collect(),
                next_token,
            })
        })
    }

    pub(crate) fn list_client_metadata_urls(
        &self,
        _ctx: &RequestContext,
        input: ListClientMetadataURLsRequest,
    ) -> Result<ListClientMetadataURLsResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |_| Ok(()))?;
        let after = ids::page_after(input.next_token.as_deref())?;
        self.store.read(&input.user_pool_id, |pool| {
            let policy = policy(pool, &input.cimd_policy_id)?;
            let ttl = policy.cache_millis();
            let (page, next_token) =
                page(policy.cached.iter(), after.as_deref(), input.max_results);
            Ok(ListClientMetadataURLsResponse {
                client_metadata_urls: page
                    .into_iter()
                    .map(|(url, cached)| ClientMetadataURLType {
                        url: url.clone(),
                        cached_date: Some(*cached),
                        expiration_date: Some(cached.plus_millis(ttl)),
                    })
                    .collect(),
                next_token,
            })
        })
    }

    pub(crate) fn update_client_metadata_url_state(
        &self,
        ctx: &RequestContext,
        input: UpdateClientMetadataURLStateRequest,
    ) -> Result<UpdateClientMetadataURLStateResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            let policy = pool
                .cimd
                .policies
                .get_mut(&input.cimd_policy_id)
                .ok_or_else(|| policy_not_found(&input.cimd_policy_id))?;
            if !policy.cached.contains_key(&input.url) {
                return Err(CognitoError::new(
                    ErrorKind::CachedCIMDURLDoesNotExistException,
                    format!(
                        "No client metadata document is cached for {} in CIMD policy {}.",
                        input.url, input.cimd_policy_id
                    ),
                ));
            }
            match input.action {
                CIMDCacheActionType::Invalidate => {
                    policy.cached.remove(&input.url);
                }
                CIMDCacheActionType::Refresh => {
                    policy.cached.insert(input.url, ctx.now);
                }
            }
            Ok(UpdateClientMetadataURLStateResponse {})
        })
    }
}

/// One page of `items` (in key order) after the key `after`, and the token for the next.
fn page<'a, V>(
    items: impl Iterator<Item = (&'a String, &'a V)>,
    after: Option<&str>,
    max_results: Option<i32>,
) -> (Vec<(&'a String, &'a V)>, Option<String>) {
    let limit = max_results
        .and_then(|m| usize::try_from(m).ok())
        .unwrap_or(DEFAULT_PAGE)
        .max(1);
    let mut rest = items.filter(|(k, _)| after.is_none_or(|a| k.as_str() > a));
    let page: Vec<(&String, &V)> = rest.by_ref().take(limit).collect();
    let next = rest
        .next()
        .and(page.last())
        .map(|(k, _)| ids::page_token(k));
    (page, next)
}

fn policy<'p>(pool: &'p PoolState, id: &str) -> Result<&'p Policy, CognitoError> {
    pool.cimd
        .policies
        .get(id)
        .ok_or_else(|| policy_not_found(id))
}

fn policy_not_found(id: &str) -> CognitoError {
    not_found(format!("CIMD policy {id} does not exist."))
}

/// Each pattern names a host, and no pattern is given twice.
fn check_patterns(patterns: &[String]) -> Result<(), CognitoError> {
    for (i, pattern) in patterns.iter().enumerate() {
        let host = pattern
            .strip_prefix("https://")
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_default();
        if host.is_empty() || host.split('.').any(str::is_empty) {
            return Err(invalid_parameter(format!(
                "{pattern} is not a valid URL pattern: it must name a host."
            )));
        }
        if patterns.iter().take(i).any(|p| p == pattern) {
            return Err(invalid_parameter(format!(
                "The URL pattern {pattern} is given more than once."
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::cimd::pattern_matches;
    use crate::testing::{create_pool, ctx, ctx_at, service};

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

    fn create(svc: &Cognito, pool: &str, client: &str, name: &str) -> CIMDPolicyType {
        svc.create_cimd_policy(
            &ctx(),
            CreateCIMDPolicyRequest {
                user_pool_id: pool.into(),
                client_id: client.into(),
                policy_name: name.into(),
                url_patterns: vec!["https://*.example.com/client.json".into()],
                cache_duration: None,
            },
        )
        .unwrap()
        .cimd_policy
    }

    fn describe(svc: &Cognito, pool: &str, id: &str) -> Result<CIMDPolicyType, CognitoError> {
        svc.describe_cimd_policy(
            &ctx(),
            DescribeCIMDPolicyRequest {
                user_pool_id: pool.into(),
                cimd_policy_id: id.into(),
            },
        )
        .map(|r| r.cimd_policy)
    }

    #[test]
    fn create_describe_update_delete() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let c = client(&svc, &pool);
        let created = create(&svc, &pool, &c, "partners");
        assert_eq!(created.cache_duration, Some(86_400));
        assert_eq!(created.client_id.as_deref(), Some(c.as_str()));
        assert!(created
            .cimd_policy_id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
        let id = created.cimd_policy_id.clone();
        assert_eq!(describe(&svc, &pool, &id).unwrap(), created);

        let updated = svc
            .update_cimd_policy(
                &ctx_at(1_700_000_100),
                UpdateCIMDPolicyRequest {
                    user_pool_id: pool.clone(),
                    cimd_policy_id: id.clone(),
                    client_id: c.clone(),
                    policy_name: None,
                    cache_duration: Some(172_800),
                    url_patterns: vec!["https://apps.example.org/*".into()],
                },
            )
            .unwrap()
            .cimd_policy;
        assert_eq!(updated.policy_name, "partners");
        assert_eq!(updated.cache_duration, Some(172_800));
        assert_eq!(updated.creation_date, created.creation_date);
        assert_eq!(updated.last_modified_date, Some(ctx_at(1_700_000_100).now));

        // The policy outlives its client, without naming it.
        svc.delete_user_pool_client(
            &ctx(),
            DeleteUserPoolClientRequest {
                user_pool_id: pool.clone(),
                client_id: c,
            },
        )
        .unwrap();
        assert_eq!(describe(&svc, &pool, &id).unwrap().client_id, None);

        let delete = || {
            svc.delete_cimd_policy(
                &ctx(),
                DeleteCIMDPolicyRequest {
                    user_pool_id: pool.clone(),
                    cimd_policy_id: id.clone(),
                },
            )
        };
        delete().unwrap();
        let err = delete().unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);
        assert_eq!(
            describe(&svc, &pool, &id).unwrap_err().kind,
            ErrorKind::ResourceNotFoundException
        );
    }

    #[test]
    fn create_checks_client_and_patterns() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let c = client(&svc, &pool);
        let attempt = |client: &str, patterns: Vec<&str>| {
            svc.create_cimd_policy(
                &ctx(),
                CreateCIMDPolicyRequest {
                    user_pool_id: pool.clone(),
                    client_id: client.into(),
                    policy_name: "p".into(),
                    url_patterns: patterns.into_iter().map(Into::into).collect(),
                    cache_duration: None,
                },
            )
        };
        let err = attempt("nosuchclient", vec!["https://example.com/a"]).unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);
        for bad in [
            vec!["https:///client.json"],
            vec!["https://a..com/x"],
            vec!["https://a.com/x", "https://a.com/x"],
        ] {
            let err = attempt(&c, bad.clone()).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidParameterException, "{bad:?}");
        }
    }

    #[test]
    fn list_policies_paginates() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let c = client(&svc, &pool);
        let mut ids: Vec<String> = (0..3)
            .map(|i| create(&svc, &pool, &c, &format!("p{i}")).cimd_policy_id)
            .collect();
        ids.sort();
        let mut seen = Vec::new();
        let mut token = None;
        loop {
            let page = svc
                .list_cimd_policies(
                    &ctx(),
                    ListCIMDPoliciesRequest {
                        user_pool_id: pool.clone(),
                        max_results: Some(2),
                        next_token: token,
                    },
                )
                .unwrap();
            assert!(page.cimd_policies.len() <= 2);
            seen.extend(page.cimd_policies.into_iter().map(|p| p.cimd_policy_id));
            token = page.next_token;
            if token.is_none() {
                break;
            }
        }
        assert_eq!(seen, ids);
    }

    #[test]
    fn metadata_url_cache() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let c = client(&svc, &pool);
        let id = create(&svc, &pool, &c, "partners").cimd_policy_id;
        let url = "https://app.example.com/client.json";
        let list = || {
            svc.list_client_metadata_urls(
                &ctx(),
                ListClientMetadataURLsRequest {
                    user_pool_id: pool.clone(),
                    cimd_policy_id: id.clone(),
                    max_results: None,
                    next_token: None,
                },
            )
            .unwrap()
            .client_metadata_urls
        };
        let change = |action| {
            svc.update_client_metadata_url_state(
                &ctx_at(1_700_000_500),
                UpdateClientMetadataURLStateRequest {
                    user_pool_id: pool.clone(),
                    cimd_policy_id: id.clone(),
                    url: url.into(),
                    action,
                },
            )
        };
        assert!(list().is_empty());
        let err = change(CIMDCacheActionType::Refresh).unwrap_err();
        assert_eq!(err.kind, ErrorKind::CachedCIMDURLDoesNotExistException);

        {
            let shared = svc.pool(&ctx(), &pool).unwrap();
            let mut state = shared.write();
            let (policy_id, policy_client) = state.cimd.policy_for_url(url).unwrap();
            assert_eq!(policy_id, id);
            assert_eq!(policy_client, Some(c.as_str()));
            assert!(state
                .cimd
                .policy_for_url("https://evil.example.net/client.json")
                .is_none());
            state.cimd.record_metadata_url(&id, url, ctx().now);
        }
        let listed = list();
        assert_eq!(listed.len(), 1);
        let entry = listed.first().unwrap();
        assert_eq!(entry.cached_date, Some(ctx().now));
        assert_eq!(
            entry.expiration_date,
            Some(ctx().now.plus_millis(86_400_000))
        );

        change(CIMDCacheActionType::Refresh).unwrap();
        assert_eq!(
            list().first().unwrap().cached_date,
            Some(ctx_at(1_700_000_500).now)
        );
        change(CIMDCacheActionType::Invalidate).unwrap();
        assert!(list().is_empty());
    }

    #[test]
    fn patterns() {
        let cases = [
            (
                "https://*.example.com/c.json",
                "https://app.example.com/c.json",
                true,
            ),
            (
                "https://*.example.com/c.json",
                "https://a.b.example.com/c.json",
                false,
            ),
            ("https://example.com/*", "https://example.com/client", true),
            ("https://example.com/*", "https://example.com/a/b", false),
            (
                "https://example.com/c.json",
                "https://example.com/c.json",
                true,
            ),
            (
                "https://example.com/c.json",
                "https://example.com/c.jsonx",
                false,
            ),
            ("https://*/c.json", "https://example.com/c.json", false),
        ];
        for (pattern, url, expected) in cases {
            assert_eq!(pattern_matches(pattern, url), expected, "{pattern} {url}");
        }
    }
}
