//! Groups: `CreateGroup`, `GetGroup`, `UpdateGroup`, `DeleteGroup`, `ListGroups`, and
//! membership: `AdminAddUserToGroup`, `AdminRemoveUserFromGroup`,
//! `AdminListGroupsForUser`, `ListUsersInGroup`.
//!
//! A group is a name unique within its pool, with an optional description, IAM role and
//! precedence. Membership is kept on both sides under the pool's lock: each group holds
//! the keys (see [`crate::store::PoolState::user_key`]) of its members, ordered for
//! `ListUsersInGroup`, and each user the names of its groups, for its tokens and
//! `AdminListGroupsForUser`.

use std::collections::BTreeSet;
use std::ops::Bound;

use cognito_model::shapes::*;
use cognito_model::{CognitoError, ErrorKind};

use crate::errors::{limit_exceeded, not_found};
use crate::state::groups::Group;
use crate::{ids, Cognito, RequestContext};

/// How many groups a pool may hold.
const MAX_GROUPS: usize = 10_000;

/// Default and largest page size of `ListGroups`.
const MAX_PAGE: usize = 60;

/// The answer for a group name that names no group of the pool.
pub(crate) fn group_not_found() -> CognitoError {
    not_found("Group not found.")
}

impl Cognito {
    pub(crate) fn create_group(
        &self,
        ctx: &RequestContext,
        input: CreateGroupRequest,
    ) -> Result<CreateGroupResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            let groups = &mut pool.groups.groups;
            if groups.contains_key(&input.group_name) {
                return Err(CognitoError::new(
                    ErrorKind::GroupExistsException,
                    format!("A group with the name {} already exists.", input.group_name),
                ));
            }
            if groups.len() >= MAX_GROUPS {
                return Err(limit_exceeded(format!(
                    "A user pool can have at most {MAX_GROUPS} groups."
                )));
            }
            let config = GroupType {
                group_name: Some(input.group_name.clone()),
                user_pool_id: Some(input.user_pool_id.clone()),
                description: input.description,
                role_arn: input.role_arn,
                precedence: input.precedence,
                creation_date: Some(ctx.now),
                last_modified_date: Some(ctx.now),
            };
            groups.insert(
                input.group_name,
                Group {
                    config: config.clone(),
                    members: BTreeSet::new(),
                },
            );
            Ok(CreateGroupResponse {
                group: Some(config),
            })
        })
    }

    pub(crate) fn get_group(
        &self,
        _ctx: &RequestContext,
        input: GetGroupRequest,
    ) -> Result<GetGroupResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |pool| {
            let group = pool
                .groups
                .get(&input.group_name)
                .ok_or_else(group_not_found)?;
            Ok(GetGroupResponse {
                group: Some(group.config.clone()),
            })
        })
    }

    pub(crate) fn update_group(
        &self,
        ctx: &RequestContext,
        input: UpdateGroupRequest,
    ) -> Result<UpdateGroupResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            let group = pool
                .groups
                .get_mut(&input.group_name)
                .ok_or_else(group_not_found)?;
            // Unlike most updates, what the request leaves out keeps its value.
            let config = &mut group.config;
            if input.description.is_some() {
                config.description = input.description;
            }
            if input.role_arn.is_some() {
                config.role_arn = input.role_arn;
            }
            if input.precedence.is_some() {
                config.precedence = input.precedence;
            }
            config.last_modified_date = Some(ctx.now);
            Ok(UpdateGroupResponse {
                group: Some(config.clone()),
            })
        })
    }

    pub(crate) fn delete_group(
        &self,
        _ctx: &RequestContext,
        input: DeleteGroupRequest,
    ) -> Result<(), CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            let group = pool
                .groups
                .groups
                .remove(&input.group_name)
                .ok_or_else(group_not_found)?;
            for key in &group.members {
                pool.users
                    .update(key, |u| u.groups.remove(&input.group_name));
            }
            Ok(())
        })
    }

    pub(crate) fn admin_add_user_to_group(
        &self,
        _ctx: &RequestContext,
        input: AdminAddUserToGroupRequest,
    ) -> Result<(), CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            let key = pool.user_key_of(&input.username)?;
            let group = pool
                .groups
                .groups
                .get_mut(&input.group_name)
                .ok_or_else(group_not_found)?;
            group.members.insert(key.clone());
            pool.users
                .update(&key, |u| u.groups.insert(input.group_name));
            Ok(())
        })
    }

    pub(crate) fn admin_remove_user_from_group(
        &self,
        _ctx: &RequestContext,
        input: AdminRemoveUserFromGroupRequest,
    ) -> Result<(), CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            let key = pool.user_key_of(&input.username)?;
            let group = pool
                .groups
                .groups
                .get_mut(&input.group_name)
                .ok_or_else(group_not_found)?;
            group.members.remove(&key);
            pool.users
                .update(&key, |u| u.groups.remove(&input.group_name));
            Ok(())
        })
    }

    pub(crate) fn admin_list_groups_for_user(
        &self,
        _ctx: &RequestContext,
        input: AdminListGroupsForUserRequest,
    ) -> Result<AdminListGroupsForUserResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |_| Ok(()))?;
        let limit = ids::page_size(input.limit, MAX_PAGE);
        let after = ids::page_after(input.next_token.as_deref())?;
        self.store.read(&input.user_pool_id, |pool| {
            let key = pool.user_key_of(&input.username)?;
            let user = pool
                .users
                .get(&key)
                .ok_or_else(crate::ops::users::user_not_found)?;
            let start = after.as_deref().map_or(Bound::Unbounded, Bound::Excluded);
            let mut names = user.groups.range::<str, _>((start, Bound::Unbounded));
            let page: Vec<GroupType> = names
                .by_ref()
                .take(limit)
                .filter_map(|n| pool.groups.get(n).map(|g| g.config.clone()))
                .collect();
            let next_token = names
                .next()
                .and(page.last())
                .and_then(|g| g.group_name.as_deref())
                .map(ids::page_token);
            Ok(AdminListGroupsForUserResponse {
                groups: Some(page),
                next_token,
            })
        })
    }

    pub(crate) fn list_users_in_group(
        &self,
        _ctx: &RequestContext,
        input: ListUsersInGroupRequest,
    ) -> Result<ListUsersInGroupResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |_| Ok(()))?;
        let limit = ids::page_size(input.limit, MAX_PAGE);
        let after = ids::page_after(input.next_token.as_deref())?;
        self.store.read(&input.user_pool_id, |pool| {
            let group = pool
                .groups
                .get(&input.group_name)
                .ok_or_else(group_not_found)?;
            let start = after.as_deref().map_or(Bound::Unbounded, Bound::Excluded);
            let mut keys = group.members.range::<str, _>((start, Bound::Unbounded));
            let page: Vec<(&String, UserType)> = keys
                .by_ref()
                .take(limit)
                .filter_map(|k| {
                    pool.users
                        .get(k)
                        .map(|u| (k, crate::ops::users::user_type(u)))
                })
                .collect();
            let next_token = keys
                .next()
                .and(page.last())
                .map(|(k, _)| ids::page_token(k));
            Ok(ListUsersInGroupResponse {
                users: Some(page.into_iter().map(|(_, u)| u).collect()),
                next_token,
            })
        })
    }

    pub(crate) fn list_groups(
        &self,
        _ctx: &RequestContext,
        input: ListGroupsRequest,
    ) -> Result<ListGroupsResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |_| Ok(()))?;
        let limit = ids::page_size(input.limit, MAX_PAGE);
        self.store.read(&input.user_pool_id, |pool| {
            let (page, next_token) = ids::page_of(
                &pool.groups.groups,
                input.next_token.as_deref(),
                limit,
                |g| g.config.clone(),
            )?;
            Ok(ListGroupsResponse {
                groups: Some(page),
                next_token,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{create_pool, ctx, ctx_at, service};

    fn create(svc: &Cognito, pool: &str, name: &str) -> Result<GroupType, CognitoError> {
        svc.create_group(
            &ctx(),
            CreateGroupRequest {
                user_pool_id: pool.into(),
                group_name: name.into(),
                ..Default::default()
            },
        )
        .map(|r| r.group.unwrap())
    }

    fn get(svc: &Cognito, pool: &str, name: &str) -> Result<GroupType, CognitoError> {
        svc.get_group(
            &ctx(),
            GetGroupRequest {
                user_pool_id: pool.into(),
                group_name: name.into(),
            },
        )
        .map(|r| r.group.unwrap())
    }

    #[test]
    fn create_and_get() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let created = svc
            .create_group(
                &ctx(),
                CreateGroupRequest {
                    user_pool_id: pool.clone(),
                    group_name: "admins".into(),
                    description: Some("Administrators".into()),
                    role_arn: Some("arn:aws:iam::123456789012:role/admin".into()),
                    precedence: Some(1),
                },
            )
            .unwrap()
            .group
            .unwrap();
        assert_eq!(created.group_name.as_deref(), Some("admins"));
        assert_eq!(created.user_pool_id.as_deref(), Some(pool.as_str()));
        assert_eq!(created.precedence, Some(1));
        assert_eq!(created.creation_date, Some(ctx().now));
        assert_eq!(created.last_modified_date, Some(ctx().now));
        assert_eq!(get(&svc, &pool, "admins").unwrap(), created);

        let plain = create(&svc, &pool, "readers").unwrap();
        assert_eq!(plain.precedence, None);
        assert_eq!(plain.description, None);
        assert_eq!(plain.role_arn, None);
    }

    #[test]
    fn duplicates_and_unknown_groups() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        create(&svc, &pool, "admins").unwrap();
        let err = create(&svc, &pool, "admins").unwrap_err();
        assert_eq!(err.kind, ErrorKind::GroupExistsException);
        assert_eq!(err.message, "A group with the name admins already exists.");
        // Names are case-sensitive.
        create(&svc, &pool, "Admins").unwrap();

        let err = get(&svc, &pool, "nobody").unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);
        assert_eq!(err.message, "Group not found.");
        let err = get(&svc, "us-east-1_nothere12", "admins").unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);
    }

    #[test]
    fn update_changes_only_what_it_names() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        svc.create_group(
            &ctx(),
            CreateGroupRequest {
                user_pool_id: pool.clone(),
                group_name: "admins".into(),
                description: Some("Administrators".into()),
                role_arn: Some("arn:aws:iam::123456789012:role/admin".into()),
                precedence: Some(3),
            },
        )
        .unwrap();
        let later = ctx_at(1_700_000_500);
        let updated = svc
            .update_group(
                &later,
                UpdateGroupRequest {
                    user_pool_id: pool.clone(),
                    group_name: "admins".into(),
                    precedence: Some(0),
                    ..Default::default()
                },
            )
            .unwrap()
            .group
            .unwrap();
        assert_eq!(updated.precedence, Some(0));
        assert_eq!(updated.description.as_deref(), Some("Administrators"));
        assert_eq!(
            updated.role_arn.as_deref(),
            Some("arn:aws:iam::123456789012:role/admin")
        );
        assert_eq!(updated.creation_date, Some(ctx().now));
        assert_eq!(updated.last_modified_date, Some(later.now));
        assert_eq!(get(&svc, &pool, "admins").unwrap(), updated);

        let err = svc
            .update_group(
                &ctx(),
                UpdateGroupRequest {
                    user_pool_id: pool,
                    group_name: "nobody".into(),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);
    }

    fn add(svc: &Cognito, pool: &str, user: &str, group: &str) -> Result<(), CognitoError> {
        svc.admin_add_user_to_group(
            &ctx(),
            AdminAddUserToGroupRequest {
                user_pool_id: pool.into(),
                username: user.into(),
                group_name: group.into(),
            },
        )
    }

    fn groups_of(svc: &Cognito, pool: &str, user: &str) -> Vec<String> {
        svc.admin_list_groups_for_user(
            &ctx(),
            AdminListGroupsForUserRequest {
                user_pool_id: pool.into(),
                username: user.into(),
                ..Default::default()
            },
        )
        .unwrap()
        .groups
        .unwrap()
        .into_iter()
        .filter_map(|g| g.group_name)
        .collect()
    }

    fn members_of(
        svc: &Cognito,
        pool: &str,
        group: &str,
        limit: i32,
        token: Option<String>,
    ) -> (Vec<String>, Option<String>) {
        let r = svc
            .list_users_in_group(
                &ctx(),
                ListUsersInGroupRequest {
                    user_pool_id: pool.into(),
                    group_name: group.into(),
                    limit: Some(limit),
                    next_token: token,
                },
            )
            .unwrap();
        (
            r.users
                .unwrap()
                .into_iter()
                .filter_map(|u| u.username)
                .collect(),
            r.next_token,
        )
    }

    #[test]
    fn membership_on_both_sides() {
        let svc = service();
        let pool_id = create_pool(&svc, "p").id.unwrap();
        for user in ["alice", "bob", "carol"] {
            svc.admin_create_user(
                &ctx(),
                AdminCreateUserRequest {
                    user_pool_id: pool_id.clone(),
                    username: user.into(),
                    message_action: Some(MessageActionType::Suppress),
                    ..Default::default()
                },
            )
            .unwrap();
        }
        create(&svc, &pool_id, "admins").unwrap();
        create(&svc, &pool_id, "staff").unwrap();
        for user in ["alice", "bob", "carol"] {
            add(&svc, &pool_id, user, "staff").unwrap();
        }
        add(&svc, &pool_id, "alice", "admins").unwrap();
        add(&svc, &pool_id, "alice", "admins").unwrap();
        assert_eq!(
            add(&svc, &pool_id, "nobody", "admins").unwrap_err().kind,
            ErrorKind::UserNotFoundException
        );
        assert_eq!(
            add(&svc, &pool_id, "alice", "nogroup").unwrap_err().kind,
            ErrorKind::ResourceNotFoundException
        );
        assert_eq!(groups_of(&svc, &pool_id, "alice"), ["admins", "staff"]);

        let (page, token) = members_of(&svc, &pool_id, "staff", 2, None);
        assert_eq!(page, ["alice", "bob"]);
        let (page, token) = members_of(&svc, &pool_id, "staff", 2, token);
        assert_eq!((page, token), (vec!["carol".to_string()], None));

        svc.admin_remove_user_from_group(
            &ctx(),
            AdminRemoveUserFromGroupRequest {
                user_pool_id: pool_id.clone(),
                username: "bob".into(),
                group_name: "staff".into(),
            },
        )
        .unwrap();
        assert_eq!(
            members_of(&svc, &pool_id, "staff", 60, None).0,
            ["alice", "carol"]
        );

        // Deleting the group takes it off its members; deleting a user takes it out of its groups.
        svc.delete_group(
            &ctx(),
            DeleteGroupRequest {
                user_pool_id: pool_id.clone(),
                group_name: "admins".into(),
            },
        )
        .unwrap();
        assert_eq!(groups_of(&svc, &pool_id, "alice"), ["staff"]);
        svc.admin_delete_user(
            &ctx(),
            AdminDeleteUserRequest {
                user_pool_id: pool_id.clone(),
                username: "carol".into(),
            },
        )
        .unwrap();
        assert_eq!(members_of(&svc, &pool_id, "staff", 60, None).0, ["alice"]);
        create(&svc, &pool_id, "admins").unwrap();
        assert!(members_of(&svc, &pool_id, "admins", 60, None).0.is_empty());
    }

    #[test]
    fn list_pages_through_every_group_once() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let names = ["a", "b", "c", "d", "e"];
        for name in names.iter().rev() {
            create(&svc, &pool, name).unwrap();
        }
        let list = |limit: Option<i32>, token: Option<String>| {
            svc.list_groups(
                &ctx(),
                ListGroupsRequest {
                    user_pool_id: pool.clone(),
                    limit,
                    next_token: token,
                },
            )
            .unwrap()
        };
        let mut seen = Vec::new();
        let mut token = None;
        loop {
            let page = list(Some(2), token);
            let groups = page.groups.unwrap();
            assert!(groups.len() <= 2);
            seen.extend(groups.into_iter().map(|g| g.group_name.unwrap()));
            token = page.next_token;
            if token.is_none() {
                break;
            }
        }
        assert_eq!(seen, names);
        // Without a limit, or with zero, one page holds them all.
        for limit in [None, Some(0)] {
            let page = list(limit, None);
            assert_eq!(page.groups.unwrap().len(), 5);
            assert_eq!(page.next_token, None);
        }
        let bad = svc.list_groups(
            &ctx(),
            ListGroupsRequest {
                user_pool_id: pool,
                limit: None,
                next_token: Some("***".into()),
            },
        );
        assert_eq!(bad.unwrap_err().kind, ErrorKind::InvalidParameterException);
    }
}
