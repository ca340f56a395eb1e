//! Seed state: user pools with fixed ids, and their app clients (fixed ids and secrets),
//! groups, resource servers, domains, identity providers and users (with passwords,
//! attributes, status and groups), made in one go from a [`Seed`] document
//! (`docs/seed.md`), so that an application can hard-code the ids.
//!
//! Each entry is the input of the operation that makes it (`CreateUserPool`,
//! `CreateUserPoolClient`, `CreateGroup`, ...) without `UserPoolId`, plus the few members
//! no operation takes (a pool's `Id`, a client's `ClientId`, a user's `Password`,
//! `Status`, `Enabled` and `Groups`). [`Cognito::apply_seed`] checks the whole document
//! against the operations' input shapes before it changes anything, then makes each
//! entry through its operation, so that every rule of the API applies, and answers
//! errors as the API does, prefixed with where in the document they are.
//!
//! Applying is idempotent: what already exists under its id or name is left as it is,
//! so that applying a document twice changes nothing the second time. Seeding runs no
//! trigger function: a pool's `LambdaConfig` is set aside while its entries are made
//! (requests to the pool meanwhile run none either).
//!
//! Boundary: no file format and no I/O here; the embedder reads JSON or YAML into a
//! [`Seed`] with serde.

use cognito_model::shapes::*;
use cognito_model::validate::{validate_input, Rejection};
use cognito_model::{CognitoError, ErrorKind, Operation};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::errors::invalid_parameter;
use crate::{ids, Cognito, RequestContext};

/// One entry of a seed: an operation's input, as JSON members.
pub type Entry = Map<String, Value>;

/// A seed document: the pools to make, with what they hold.
#[derive(Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Seed {
    /// The pools.
    #[serde(default)]
    pub user_pools: Vec<PoolSeed>,
}

/// A pool of a [`Seed`]: its fixed id, its `CreateUserPool` settings and what it holds.
#[derive(Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PoolSeed {
    /// The pool id, `<region>_<id>`; the Region is the pool's.
    pub id: String,
    /// App clients: `CreateUserPoolClient` input plus `ClientId`.
    #[serde(default)]
    pub clients: Vec<Entry>,
    /// Groups: `CreateGroup` input.
    #[serde(default)]
    pub groups: Vec<Entry>,
    /// Resource servers: `CreateResourceServer` input.
    #[serde(default)]
    pub resource_servers: Vec<Entry>,
    /// Domains: `CreateUserPoolDomain` input.
    #[serde(default)]
    pub domains: Vec<Entry>,
    /// Identity providers: `CreateIdentityProvider` input.
    #[serde(default)]
    pub identity_providers: Vec<Entry>,
    /// Users: `AdminCreateUser` input plus `Password`, `Status`, `Enabled` and `Groups`.
    #[serde(default)]
    pub users: Vec<Entry>,
    /// The pool's settings: `CreateUserPool` input.
    #[serde(flatten)]
    pub settings: Entry,
}

// Entries hold passwords and client secrets: only ids are shown.
impl std::fmt::Debug for Seed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.user_pools.iter().map(|p| &p.id))
            .finish()
    }
}

impl std::fmt::Debug for PoolSeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoolSeed")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// What applying a seed did: what it made and what it found already there, each named
/// as `pool <id>`, `client <id>`, `group <pool>/<name>`, ... in the order applied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seeded {
    /// Made by this application.
    pub created: Vec<String>,
    /// Already there, left as they were.
    pub existing: Vec<String>,
}

impl Seeded {
    /// Makes each of `entries` (the document's `<place>.<list>[i]`) that `absent` says
    /// is not there with `create`, and records each as `name` words it.
    fn ensure_each<T>(
        &mut self,
        entries: Vec<T>,
        place: &str,
        list: &str,
        name: impl Fn(&T) -> String,
        absent: impl Fn(&T) -> Result<bool, CognitoError>,
        create: impl Fn(T) -> Result<(), CognitoError>,
    ) -> Result<(), CognitoError> {
        for (i, entry) in entries.into_iter().enumerate() {
            let here = |e| at(&format!("{place}.{list}[{i}]"), e);
            let what = name(&entry);
            let made = absent(&entry).map_err(here)?;
            if made {
                create(entry).map_err(here)?;
            }
            self.note(made, what);
        }
        Ok(())
    }

    /// Records `what`, made or found.
    fn note(&mut self, created: bool, what: String) {
        if created {
            self.created.push(what);
        } else {
            self.existing.push(what);
        }
    }
}

/// The status a seeded user is left in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SeedStatus {
    /// Signs in with its password.
    Confirmed,
    /// Must choose a new password at its first sign-in.
    ForceChangePassword,
}

/// A user entry, checked.
struct UserPlan {
    create: AdminCreateUserRequest,
    password: Option<String>,
    status: SeedStatus,
    enabled: bool,
    groups: Vec<String>,
}

/// A client entry, checked.
struct ClientPlan {
    client_id: String,
    create: CreateUserPoolClientRequest,
}

/// A pool entry, checked: the typed inputs of every operation it takes.
struct PoolPlan {
    id: String,
    create: CreateUserPoolRequest,
    groups: Vec<CreateGroupRequest>,
    resource_servers: Vec<CreateResourceServerRequest>,
    identity_providers: Vec<CreateIdentityProviderRequest>,
    domains: Vec<CreateUserPoolDomainRequest>,
    clients: Vec<ClientPlan>,
    users: Vec<UserPlan>,
}

/// An error at `place` in the document, of `kind`.
fn at(place: &str, e: CognitoError) -> CognitoError {
    CognitoError::new(e.kind, format!("{place}: {}", e.message))
}

/// A validation rejection as the error the seed answers.
fn rejected(r: &Rejection) -> CognitoError {
    invalid_parameter(r.message())
}

/// The wire names of the members of `op`'s input.
fn members(op: Operation) -> Vec<&'static str> {
    use cognito_model::schema::Kind;
    match op.input_shape().and_then(|s| s.def()).map(|d| &d.kind) {
        Some(Kind::Structure(members)) => members.iter().map(|m| m.name).collect(),
        _ => Vec::new(),
    }
}

/// `entry` as the typed input of `op` for pool `pool_id`, with the members in `extra`
/// (which `op` does not take) split off.
fn input<T: DeserializeOwned>(
    op: Operation,
    entry: &Entry,
    pool_id: &str,
    extra: &[&str],
) -> Result<(T, Entry), CognitoError> {
    let known = members(op);
    let mut fields = Map::new();
    let mut extras = Map::new();
    if known.contains(&"UserPoolId") {
        fields.insert("UserPoolId".into(), Value::String(pool_id.into()));
    }
    for (name, value) in entry {
        if extra.contains(&name.as_str()) {
            extras.insert(name.clone(), value.clone());
        } else if name == "UserPoolId" {
            return Err(invalid_parameter(
                "UserPoolId is not given here: entries belong to the pool they are under",
            ));
        } else if known.contains(&name.as_str()) {
            fields.insert(name.clone(), value.clone());
        } else {
            let mut expected: Vec<&str> = known
                .iter()
                .copied()
                .filter(|m| *m != "UserPoolId")
                .chain(extra.iter().copied())
                .collect();
            expected.sort_unstable();
            return Err(invalid_parameter(format!(
                "Unknown member {name}; expected one of {}",
                expected.join(", ")
            )));
        }
    }
    let value = Value::Object(fields);
    validate_input(op, &value).map_err(|r| rejected(&r))?;
    let typed = serde_json::from_value(value).map_err(|e| invalid_parameter(e.to_string()))?;
    Ok((typed, extras))
}

/// The string member `name` of `extras`, if given.
fn text(extras: &Entry, name: &str) -> Result<Option<String>, CognitoError> {
    match extras.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid_parameter(format!("{name} must be a string"))),
    }
}

impl PoolSeed {
    /// Checks every entry of the pool at `place` and types it.
    fn plan(&self, place: &str) -> Result<PoolPlan, CognitoError> {
        let id = &self.id;
        let check_id = serde_json::json!({ "UserPoolId": id });
        validate_input(Operation::DescribeUserPool, &check_id)
            .map_err(|r| at(&format!("{place}.Id"), rejected(&r)))?;
        let (create, _) =
            input(Operation::CreateUserPool, &self.settings, id, &[]).map_err(|e| at(place, e))?;
        let place = |name: &str| format!("{place}.{name}");
        Ok(PoolPlan {
            id: id.clone(),
            create,
            groups: each(
                &place("Groups"),
                &self.groups,
                typed(id, Operation::CreateGroup),
            )?,
            resource_servers: each(
                &place("ResourceServers"),
                &self.resource_servers,
                typed(id, Operation::CreateResourceServer),
            )?,
            identity_providers: each(
                &place("IdentityProviders"),
                &self.identity_providers,
                typed(id, Operation::CreateIdentityProvider),
            )?,
            domains: each(
                &place("Domains"),
                &self.domains,
                typed(id, Operation::CreateUserPoolDomain),
            )?,
            clients: each(&place("Clients"), &self.clients, |e| client_plan(id, e))?,
            users: each(&place("Users"), &self.users, |e| user_plan(id, e))?,
        })
    }
}

/// Plans an entry of pool `pool_id` that is the input of `op` and nothing more.
fn typed<T: DeserializeOwned>(
    pool_id: &str,
    op: Operation,
) -> impl Fn(&Entry) -> Result<T, CognitoError> + '_ {
    move |e| input(op, e, pool_id, &[]).map(|(t, _)| t)
}

/// Each of `entries` (the list at `place`) planned by `plan`; the first error names its
/// entry.
fn each<T>(
    place: &str,
    entries: &[Entry],
    plan: impl Fn(&Entry) -> Result<T, CognitoError>,
) -> Result<Vec<T>, CognitoError> {
    entries
        .iter()
        .enumerate()
        .map(|(i, e)| plan(e).map_err(|err| at(&format!("{place}[{i}]"), err)))
        .collect()
}

fn client_plan(pool_id: &str, entry: &Entry) -> Result<ClientPlan, CognitoError> {
    let (create, extras) = input::<CreateUserPoolClientRequest>(
        Operation::CreateUserPoolClient,
        entry,
        pool_id,
        &["ClientId"],
    )?;
    let client_id = text(&extras, "ClientId")?
        .ok_or_else(|| invalid_parameter("ClientId is required: the client's fixed id"))?;
    let check = serde_json::json!({ "UserPoolId": pool_id, "ClientId": client_id });
    validate_input(Operation::DescribeUserPoolClient, &check).map_err(|r| rejected(&r))?;
    Ok(ClientPlan { client_id, create })
}

fn user_plan(pool_id: &str, entry: &Entry) -> Result<UserPlan, CognitoError> {
    let (mut create, extras) = input::<AdminCreateUserRequest>(
        Operation::AdminCreateUser,
        entry,
        pool_id,
        &["Password", "Status", "Enabled", "Groups"],
    )?;
    if create.temporary_password.is_some() || create.message_action.is_some() {
        return Err(invalid_parameter(
            "TemporaryPassword and MessageAction are not given here: give Password and Status",
        ));
    }
    let password = text(&extras, "Password")?;
    let status = match text(&extras, "Status")?.as_deref() {
        None | Some("CONFIRMED") => SeedStatus::Confirmed,
        Some("FORCE_CHANGE_PASSWORD") => SeedStatus::ForceChangePassword,
        Some(other) => {
            return Err(invalid_parameter(format!(
                "Status {other} cannot be seeded; expected CONFIRMED or FORCE_CHANGE_PASSWORD"
            )))
        }
    };
    if status == SeedStatus::Confirmed && password.is_none() {
        return Err(invalid_parameter(
            "A CONFIRMED user needs a Password (without one, give Status FORCE_CHANGE_PASSWORD)",
        ));
    }
    let enabled = match extras.get("Enabled") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(invalid_parameter("Enabled must be true or false")),
    };
    let groups = match extras.get("Groups") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => serde_json::from_value(v.clone())
            .map_err(|_| invalid_parameter("Groups must be a list of group names"))?,
    };
    create.message_action = Some(MessageActionType::Suppress);
    create.temporary_password.clone_from(&password);
    Ok(UserPlan {
        create,
        password,
        status,
        enabled,
        groups,
    })
}

impl Seed {
    /// Checks every entry against its operation's input shape and answers the first
    /// error, prefixed with its place (`UserPools[0].Clients[1]: ...`).
    fn plan(&self) -> Result<Vec<PoolPlan>, CognitoError> {
        let mut seen = std::collections::HashSet::new();
        self.user_pools
            .iter()
            .enumerate()
            .map(|(i, pool)| {
                let place = format!("UserPools[{i}]");
                if !seen.insert(pool.id.as_str()) {
                    return Err(at(
                        &place,
                        invalid_parameter(format!("Pool {} is seeded twice", pool.id)),
                    ));
                }
                pool.plan(&place)
            })
            .collect()
    }
}

/// Whether `result` says the thing looked up does not exist (`absent` is the error kind
/// its lookup answers then).
fn missing<T>(result: Result<T, CognitoError>, absent: ErrorKind) -> Result<bool, CognitoError> {
    match result {
        Ok(_) => Ok(false),
        Err(e) if e.kind == absent => Ok(true),
        Err(e) => Err(e),
    }
}

impl Cognito {
    /// Makes what `seed` names and is not there yet, with the account and time of `ctx`
    /// (each pool's Region is its id's). Checks the whole document first: a document
    /// with an error changes nothing. An operation that fails while applying stops it,
    /// leaving what was made before; its error names where in the document it is.
    pub fn apply_seed(&self, ctx: &RequestContext, seed: &Seed) -> Result<Seeded, CognitoError> {
        let plans = seed.plan()?;
        let mut seeded = Seeded::default();
        for (i, plan) in plans.into_iter().enumerate() {
            let place = format!("UserPools[{i}] ({})", plan.id);
            let ctx = RequestContext {
                region: ids::pool_region(&plan.id).to_owned(),
                ..ctx.clone()
            };
            self.seed_pool(&ctx, plan, &place, &mut seeded)?;
        }
        Ok(seeded)
    }

    /// Applies one pool's plan.
    fn seed_pool(
        &self,
        ctx: &RequestContext,
        plan: PoolPlan,
        place: &str,
        seeded: &mut Seeded,
    ) -> Result<(), CognitoError> {
        let id = plan.id.clone();
        let created = self.store.ids(Some(&id)).is_empty();
        if created {
            self.create_pool_as(ctx, &id, plan.create.clone())
                .map_err(|e| at(place, e))?;
        }
        seeded.note(created, format!("pool {id}"));
        // No function runs while the pool's entries are made.
        let functions = self
            .store
            .update(&id, |pool| Ok(pool.config.lambda_config.take()))?;
        let result = self.seed_contents(ctx, plan, place, seeded);
        if functions.is_some() {
            // Unless the pool was changed or deleted meanwhile, its functions are back.
            let _ = self.store.update(&id, |pool| {
                if pool.config.lambda_config.is_none() {
                    pool.config.lambda_config = functions;
                    self.note_functions(&pool.config);
                }
                Ok(())
            });
        }
        result
    }

    /// Makes pool `id` from `input`: made as `CreateUserPool` makes a pool, then moved
    /// to its fixed id.
    fn create_pool_as(
        &self,
        ctx: &RequestContext,
        id: &str,
        input: CreateUserPoolRequest,
    ) -> Result<(), CognitoError> {
        let made = self
            .create_user_pool(ctx, input)?
            .user_pool
            .and_then(|p| p.id)
            .unwrap_or_default();
        let mut state = self.store.remove(&made, |_| Ok(()))?;
        state.config.arn = state
            .config
            .arn
            .as_deref()
            .and_then(|arn| arn.strip_suffix(made.as_str()))
            .map(|prefix| format!("{prefix}{id}"));
        state.config.id = Some(id.to_owned());
        if !self.store.insert(id.to_owned(), state) {
            return Err(invalid_parameter(format!("Pool {id} already exists")));
        }
        Ok(())
    }

    /// Makes what a pool holds, in dependency order: groups and resource servers and
    /// identity providers before the clients and users that name them.
    fn seed_contents(
        &self,
        ctx: &RequestContext,
        plan: PoolPlan,
        place: &str,
        seeded: &mut Seeded,
    ) -> Result<(), CognitoError> {
        let id = plan.id;
        let group_name = |g: &CreateGroupRequest| format!("group {id}/{}", g.group_name);
        seeded.ensure_each(
            plan.groups,
            place,
            "Groups",
            group_name,
            |group| {
                let lookup = GetGroupRequest {
                    user_pool_id: id.clone(),
                    group_name: group.group_name.clone(),
                };
                missing(
                    self.get_group(ctx, lookup),
                    ErrorKind::ResourceNotFoundException,
                )
            },
            |group| self.create_group(ctx, group).map(drop),
        )?;
        let server_name =
            |r: &CreateResourceServerRequest| format!("resource server {id}/{}", r.identifier);
        seeded.ensure_each(
            plan.resource_servers,
            place,
            "ResourceServers",
            server_name,
            |server| {
                let lookup = DescribeResourceServerRequest {
                    user_pool_id: id.clone(),
                    identifier: server.identifier.clone(),
                };
                missing(
                    self.describe_resource_server(ctx, lookup),
                    ErrorKind::ResourceNotFoundException,
                )
            },
            |server| self.create_resource_server(ctx, server).map(drop),
        )?;
        let provider_name = |p: &CreateIdentityProviderRequest| {
            format!("identity provider {id}/{}", p.provider_name)
        };
        seeded.ensure_each(
            plan.identity_providers,
            place,
            "IdentityProviders",
            provider_name,
            |provider| {
                let lookup = DescribeIdentityProviderRequest {
                    user_pool_id: id.clone(),
                    provider_name: provider.provider_name.clone(),
                };
                missing(
                    self.describe_identity_provider(ctx, lookup),
                    ErrorKind::ResourceNotFoundException,
                )
            },
            |provider| self.create_identity_provider(ctx, provider).map(drop),
        )?;
        let domain_name = |d: &CreateUserPoolDomainRequest| format!("domain {}", d.domain);
        seeded.ensure_each(
            plan.domains,
            place,
            "Domains",
            domain_name,
            |domain| {
                let lookup = DescribeUserPoolDomainRequest {
                    domain: domain.domain.clone(),
                };
                let owner = self
                    .describe_user_pool_domain(ctx, lookup)?
                    .domain_description
                    .and_then(|d| d.user_pool_id);
                Ok(owner.as_deref() != Some(id.as_str()))
            },
            |domain| self.create_user_pool_domain(ctx, domain).map(drop),
        )?;
        let mut note = |created: bool, what: String| seeded.note(created, what);
        for (i, client) in plan.clients.into_iter().enumerate() {
            let here = |e| at(&format!("{place}.Clients[{i}]"), e);
            let absent = self.seed_client(ctx, &id, client.client_id.clone(), client.create);
            let absent = absent.map_err(here)?;
            note(absent, format!("client {}", client.client_id));
        }
        for (i, user) in plan.users.into_iter().enumerate() {
            let here = |e| at(&format!("{place}.Users[{i}]"), e);
            let name = user.create.username.clone();
            let absent = self.seed_user(ctx, user).map_err(here)?;
            note(absent, format!("user {id}/{name}"));
        }
        Ok(())
    }

    /// Makes client `client_id` of pool `pool_id` unless it exists: made as
    /// `CreateUserPoolClient` makes one, then moved to its fixed id. Answers whether it
    /// was made.
    fn seed_client(
        &self,
        ctx: &RequestContext,
        pool_id: &str,
        client_id: String,
        create: CreateUserPoolClientRequest,
    ) -> Result<bool, CognitoError> {
        match self.store.pool_of_client(&client_id) {
            Some(owner) if owner == pool_id => return Ok(false),
            Some(owner) => {
                return Err(invalid_parameter(format!(
                    "Client {client_id} belongs to pool {owner}"
                )))
            }
            None => {}
        }
        let made = self
            .create_user_pool_client(ctx, create)?
            .user_pool_client
            .and_then(|c| c.client_id)
            .unwrap_or_default();
        self.store.update(pool_id, |pool| {
            let Some(mut client) = pool.clients.remove(&made) else {
                return Err(crate::errors::not_found(
                    "The client was deleted meanwhile.",
                ));
            };
            client.config.client_id = Some(client_id.clone());
            for secret in &mut client.secrets {
                if let Some(rest) = secret.id.strip_prefix(made.as_str()) {
                    secret.id = format!("{client_id}{rest}");
                }
            }
            pool.clients.insert(client_id.clone(), client);
            self.store.update_global(|global| {
                global.clients.remove(&made);
                global.clients.insert(client_id.clone(), pool_id.to_owned());
            });
            Ok(())
        })?;
        Ok(true)
    }

    /// Makes a user unless it exists: `AdminCreateUser` (no message), then its password
    /// made permanent for a confirmed user, disabled when asked, added to its groups.
    /// Answers whether it was made.
    fn seed_user(&self, ctx: &RequestContext, user: UserPlan) -> Result<bool, CognitoError> {
        let pool_id = user.create.user_pool_id.clone();
        let username = user.create.username.clone();
        let lookup = AdminGetUserRequest {
            user_pool_id: pool_id.clone(),
            username: username.clone(),
        };
        if !missing(
            self.admin_get_user(ctx, lookup),
            ErrorKind::UserNotFoundException,
        )? {
            return Ok(false);
        }
        self.admin_create_user(ctx, user.create)?;
        if let (SeedStatus::Confirmed, Some(password)) = (user.status, user.password) {
            self.admin_set_user_password(
                ctx,
                AdminSetUserPasswordRequest {
                    user_pool_id: pool_id.clone(),
                    username: username.clone(),
                    password,
                    permanent: true,
                },
            )?;
        }
        if !user.enabled {
            self.admin_disable_user(
                ctx,
                AdminDisableUserRequest {
                    user_pool_id: pool_id.clone(),
                    username: username.clone(),
                },
            )?;
        }
        for group_name in user.groups {
            self.admin_add_user_to_group(
                ctx,
                AdminAddUserToGroupRequest {
                    user_pool_id: pool_id.clone(),
                    username: username.clone(),
                    group_name,
                },
            )?;
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests;
