//! Resource servers and their custom scopes: `CreateResourceServer`,
//! `DescribeResourceServer`, `UpdateResourceServer`, `DeleteResourceServer`,
//! `ListResourceServers`.
//!
//! A resource server is identified by its `Identifier`, unique within the pool; each of its
//! scopes is granted as `<identifier>/<scope name>`. An app client may allow only scopes
//! that exist (`clients`); updating or deleting a server later leaves the clients that
//! allow its scopes as they are.

use std::collections::BTreeSet;

use cognito_model::shapes::*;
use cognito_model::CognitoError;

use crate::errors::{invalid_parameter, limit_exceeded, not_found};
use crate::{ids, Cognito, RequestContext};

/// How many resource servers a pool may hold.
const MAX_SERVERS: usize = 25;

/// Default and largest page size of `ListResourceServers`.
const MAX_PAGE: usize = 50;

fn server_not_found(identifier: &str) -> CognitoError {
    not_found(format!("Resource server {identifier} does not exist."))
}

/// Scope names must be unique within a resource server.
fn check_scopes(scopes: &[ResourceServerScopeType]) -> Result<(), CognitoError> {
    let mut names = BTreeSet::new();
    for scope in scopes {
        if !names.insert(scope.scope_name.as_str()) {
            return Err(invalid_parameter(format!(
                "The scope name {} is used more than once in the resource server.",
                scope.scope_name
            )));
        }
    }
    Ok(())
}

impl Cognito {
    pub(crate) fn create_resource_server(
        &self,
        _ctx: &RequestContext,
        input: CreateResourceServerRequest,
    ) -> Result<CreateResourceServerResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |_| Ok(()))?;
        let scopes = input.scopes.unwrap_or_default();
        check_scopes(&scopes)?;
        self.store.update(&input.user_pool_id, |pool| {
            let servers = &mut pool.resource_servers.servers;
            if servers.contains_key(&input.identifier) {
                return Err(invalid_parameter(format!(
                    "{} already exists in user pool {}.",
                    input.identifier, input.user_pool_id
                )));
            }
            if servers.len() >= MAX_SERVERS {
                return Err(limit_exceeded(format!(
                    "A user pool can have at most {MAX_SERVERS} resource servers."
                )));
            }
            let server = ResourceServerType {
                identifier: Some(input.identifier.clone()),
                managed_by: None,
                name: Some(input.name),
                scopes: Some(scopes),
                user_pool_id: Some(input.user_pool_id.clone()),
            };
            servers.insert(input.identifier, server.clone());
            Ok(CreateResourceServerResponse {
                resource_server: server,
            })
        })
    }

    pub(crate) fn describe_resource_server(
        &self,
        _ctx: &RequestContext,
        input: DescribeResourceServerRequest,
    ) -> Result<DescribeResourceServerResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |pool| {
            let server = pool
                .resource_servers
                .servers
                .get(&input.identifier)
                .ok_or_else(|| server_not_found(&input.identifier))?;
            Ok(DescribeResourceServerResponse {
                resource_server: server.clone(),
            })
        })
    }

    pub(crate) fn update_resource_server(
        &self,
        _ctx: &RequestContext,
        input: UpdateResourceServerRequest,
    ) -> Result<UpdateResourceServerResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |_| Ok(()))?;
        // An update replaces the name and the scopes: scopes left out are removed.
        let scopes = input.scopes.unwrap_or_default();
        check_scopes(&scopes)?;
        self.store.update(&input.user_pool_id, |pool| {
            let server = pool
                .resource_servers
                .servers
                .get_mut(&input.identifier)
                .ok_or_else(|| server_not_found(&input.identifier))?;
            server.name = Some(input.name);
            server.scopes = Some(scopes);
            Ok(UpdateResourceServerResponse {
                resource_server: server.clone(),
            })
        })
    }

    pub(crate) fn delete_resource_server(
        &self,
        _ctx: &RequestContext,
        input: DeleteResourceServerRequest,
    ) -> Result<(), CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            pool.resource_servers
                .servers
                .remove(&input.identifier)
                .map(|_| ())
                .ok_or_else(|| server_not_found(&input.identifier))
        })
    }

    pub(crate) fn list_resource_servers(
        &self,
        _ctx: &RequestContext,
        input: ListResourceServersRequest,
    ) -> Result<ListResourceServersResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |_| Ok(()))?;
        let limit = ids::page_size(input.max_results, MAX_PAGE);
        self.store.read(&input.user_pool_id, |pool| {
            let (page, next_token) = ids::page_of(
                &pool.resource_servers.servers,
                input.next_token.as_deref(),
                limit,
                Clone::clone,
            )?;
            Ok(ListResourceServersResponse {
                resource_servers: page,
                next_token,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{create_pool, ctx, service};
    use cognito_model::ErrorKind;

    fn scope(name: &str) -> ResourceServerScopeType {
        ResourceServerScopeType {
            scope_name: name.into(),
            scope_description: format!("{name} access"),
        }
    }

    fn create(
        svc: &Cognito,
        pool: &str,
        identifier: &str,
        scopes: Option<Vec<ResourceServerScopeType>>,
    ) -> Result<ResourceServerType, CognitoError> {
        svc.create_resource_server(
            &ctx(),
            CreateResourceServerRequest {
                user_pool_id: pool.into(),
                identifier: identifier.into(),
                name: "api".into(),
                scopes,
            },
        )
        .map(|r| r.resource_server)
    }

    fn describe(
        svc: &Cognito,
        pool: &str,
        identifier: &str,
    ) -> Result<ResourceServerType, CognitoError> {
        svc.describe_resource_server(
            &ctx(),
            DescribeResourceServerRequest {
                user_pool_id: pool.into(),
                identifier: identifier.into(),
            },
        )
        .map(|r| r.resource_server)
    }

    #[test]
    fn create_describe_update_delete() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let created = create(
            &svc,
            &pool,
            "https://api.example.com",
            Some(vec![scope("read"), scope("write")]),
        )
        .unwrap();
        assert_eq!(created.user_pool_id.as_deref(), Some(pool.as_str()));
        assert_eq!(created.scopes.as_ref().unwrap().len(), 2);
        assert_eq!(created.managed_by, None);
        assert_eq!(
            describe(&svc, &pool, "https://api.example.com").unwrap(),
            created
        );

        let updated = svc
            .update_resource_server(
                &ctx(),
                UpdateResourceServerRequest {
                    user_pool_id: pool.clone(),
                    identifier: "https://api.example.com".into(),
                    name: "renamed".into(),
                    scopes: None,
                },
            )
            .unwrap()
            .resource_server;
        assert_eq!(updated.name.as_deref(), Some("renamed"));
        assert_eq!(updated.scopes, Some(vec![]));

        let delete = || {
            svc.delete_resource_server(
                &ctx(),
                DeleteResourceServerRequest {
                    user_pool_id: pool.clone(),
                    identifier: "https://api.example.com".into(),
                },
            )
        };
        delete().unwrap();
        assert_eq!(
            delete().unwrap_err().kind,
            ErrorKind::ResourceNotFoundException
        );
        let err = describe(&svc, &pool, "https://api.example.com").unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);
    }

    #[test]
    fn identifiers_and_scope_names_are_unique() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        create(&svc, &pool, "orders", None).unwrap();
        let err = create(&svc, &pool, "orders", None).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        assert_eq!(
            err.message,
            format!("orders already exists in user pool {pool}.")
        );
        let err = create(&svc, &pool, "other", Some(vec![scope("a"), scope("a")])).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        let err = svc
            .update_resource_server(
                &ctx(),
                UpdateResourceServerRequest {
                    user_pool_id: pool.clone(),
                    identifier: "missing".into(),
                    name: "x".into(),
                    scopes: None,
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);
    }

    #[test]
    fn a_pool_holds_a_limited_number_of_servers() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        for i in 0..MAX_SERVERS {
            create(&svc, &pool, &format!("rs{i}"), None).unwrap();
        }
        let err = create(&svc, &pool, "one-too-many", None).unwrap_err();
        assert_eq!(err.kind, ErrorKind::LimitExceededException);
    }

    #[test]
    fn scopes_are_known_by_their_full_name() {
        let svc = service();
        let pool_id = create_pool(&svc, "p").id.unwrap();
        create(
            &svc,
            &pool_id,
            "https://api.example.com/v1",
            Some(vec![scope("read")]),
        )
        .unwrap();
        let pool = svc.pool(&ctx(), &pool_id).unwrap();
        let servers = &pool.read().resource_servers;
        assert!(servers.has_scope("https://api.example.com/v1/read"));
        assert!(!servers.has_scope("https://api.example.com/v1/write"));
        assert!(!servers.has_scope("https://api.example.com/read"));
        assert!(!servers.has_scope("read"));
    }

    #[test]
    fn list_pages_through_every_server_once() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let identifiers = ["a", "b", "c", "d", "e"];
        for id in identifiers.iter().rev() {
            create(&svc, &pool, id, None).unwrap();
        }
        let mut seen = Vec::new();
        let mut token = None;
        loop {
            let page = svc
                .list_resource_servers(
                    &ctx(),
                    ListResourceServersRequest {
                        user_pool_id: pool.clone(),
                        max_results: Some(2),
                        next_token: token,
                    },
                )
                .unwrap();
            assert!(page.resource_servers.len() <= 2);
            seen.extend(
                page.resource_servers
                    .into_iter()
                    .map(|s| s.identifier.unwrap()),
            );
            token = page.next_token;
            if token.is_none() {
                break;
            }
        }
        assert_eq!(seen, identifiers);
        let all = svc
            .list_resource_servers(
                &ctx(),
                ListResourceServersRequest {
                    user_pool_id: pool,
                    max_results: None,
                    next_token: None,
                },
            )
            .unwrap();
        assert_eq!(all.resource_servers.len(), 5);
        assert_eq!(all.next_token, None);
    }
}
