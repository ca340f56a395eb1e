use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use cognito_model::shapes::*;
use cognito_model::{CognitoError, ErrorKind};
use parking_lot::Mutex;

use super::*;
use crate::testing::{ctx, service};
use crate::Cognito;

const PASSWORD: &str = "Corr3ct!horse";

/// A journal that applies each group of changes at once to records in memory, and keeps
/// the groups to look at.
#[derive(Default)]
struct Disk {
    records: Mutex<BTreeMap<Vec<u8>, Vec<u8>>>,
    groups: Mutex<Vec<Vec<Change>>>,
    next: AtomicU64,
    failing: AtomicBool,
}

impl Journal for Disk {
    fn append(&self, changes: Vec<Change>) -> Ticket {
        let mut records = self.records.lock();
        for change in &changes {
            match change {
                Change::Put { key, value } => {
                    records.insert(key.clone(), value.clone());
                }
                Change::Delete { key } => {
                    records.remove(key);
                }
                Change::DeletePrefix { prefix } => records.retain(|k, _| !k.starts_with(prefix)),
            }
        }
        self.groups.lock().push(changes);
        Ticket(self.next.fetch_add(1, Ordering::Relaxed))
    }

    fn wait(&self, _ticket: Ticket) -> Result<(), String> {
        if self.failing.load(Ordering::Relaxed) {
            Err("the disk is full".into())
        } else {
            Ok(())
        }
    }
}

impl Disk {
    /// The keys of the last group of changes, as `family/item` (or `family`).
    fn last_keys(&self) -> Vec<String> {
        let groups = self.groups.lock();
        groups
            .last()
            .into_iter()
            .flatten()
            .map(|c| match c {
                Change::Put { key, .. } | Change::Delete { key } => {
                    let k = RecordKey::decode(key).unwrap();
                    match k.item {
                        Some(item) => format!("{}/{item}", k.family),
                        None => k.family,
                    }
                }
                Change::DeletePrefix { prefix } => {
                    format!("everything of {:?}", String::from_utf8_lossy(prefix))
                }
            })
            .collect()
    }

    /// What a server starting on these records reads.
    fn load(&self) -> Loaded {
        let mut loaded = Loaded::default();
        for (key, value) in self.records.lock().iter() {
            loaded.read(key, value).unwrap();
        }
        loaded
    }
}

fn durable(disk: &Arc<Disk>) -> Cognito {
    service().with_journal(disk.clone(), disk.load())
}

/// A pool with an app client that signs in by password and refreshes, and a user `name`
/// with a permanent password; answers the pool's and client's ids.
fn pool_with_user(svc: &Cognito, name: &str) -> (String, String) {
    let pool = crate::testing::create_pool(svc, "p").id.unwrap();
    let client = svc
        .create_user_pool_client(
            &ctx(),
            CreateUserPoolClientRequest {
                user_pool_id: pool.clone(),
                client_name: "app".into(),
                generate_secret: false,
                explicit_auth_flows: Some(vec![
                    ExplicitAuthFlowsType::AllowUserPasswordAuth,
                    ExplicitAuthFlowsType::AllowRefreshTokenAuth,
                    ExplicitAuthFlowsType::AllowUserAuth,
                ]),
                ..Default::default()
            },
        )
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    svc.admin_create_user(
        &ctx(),
        AdminCreateUserRequest {
            user_pool_id: pool.clone(),
            username: name.into(),
            temporary_password: Some(PASSWORD.into()),
            user_attributes: Some(vec![AttributeType {
                name: "email".into(),
                value: Some(format!("{name}@example.com")),
            }]),
            message_action: Some(MessageActionType::Suppress),
            ..Default::default()
        },
    )
    .unwrap();
    svc.admin_set_user_password(
        &ctx(),
        AdminSetUserPasswordRequest {
            user_pool_id: pool.clone(),
            username: name.into(),
            password: PASSWORD.into(),
            permanent: true,
        },
    )
    .unwrap();
    (pool, client)
}

fn sign_in(
    svc: &Cognito,
    client: &str,
    name: &str,
) -> Result<AuthenticationResultType, CognitoError> {
    let answer = svc.initiate_auth(
        &ctx(),
        InitiateAuthRequest {
            client_id: client.into(),
            auth_flow: AuthFlowType::UserPasswordAuth,
            auth_parameters: Some(
                [
                    ("USERNAME".to_string(), name.to_string()),
                    ("PASSWORD".to_string(), PASSWORD.to_string()),
                ]
                .into(),
            ),
            analytics_metadata: None,
            client_metadata: None,
            session: None,
            user_context_data: None,
        },
    )?;
    Ok(answer.authentication_result.unwrap())
}

fn refresh(
    svc: &Cognito,
    client: &str,
    token: &str,
) -> Result<AuthenticationResultType, CognitoError> {
    let answer = svc.initiate_auth(
        &ctx(),
        InitiateAuthRequest {
            client_id: client.into(),
            auth_flow: AuthFlowType::RefreshTokenAuth,
            auth_parameters: Some([("REFRESH_TOKEN".to_string(), token.to_string())].into()),
            analytics_metadata: None,
            client_metadata: None,
            session: None,
            user_context_data: None,
        },
    )?;
    Ok(answer.authentication_result.unwrap())
}

#[test]
fn a_change_to_one_user_writes_that_user_and_nothing_else() {
    let disk = Arc::new(Disk::default());
    let svc = durable(&disk);
    let (pool, _) = pool_with_user(&svc, "ann");
    svc.admin_update_user_attributes(
        &ctx(),
        AdminUpdateUserAttributesRequest {
            user_pool_id: pool.clone(),
            username: "ann".into(),
            user_attributes: vec![AttributeType {
                name: "name".into(),
                value: Some("Ann".into()),
            }],
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(disk.last_keys(), ["user/ann"]);

    svc.create_group(
        &ctx(),
        CreateGroupRequest {
            user_pool_id: pool.clone(),
            group_name: "admins".into(),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(disk.last_keys(), ["groups"]);
    svc.admin_add_user_to_group(
        &ctx(),
        AdminAddUserToGroupRequest {
            user_pool_id: pool.clone(),
            username: "ann".into(),
            group_name: "admins".into(),
        },
    )
    .unwrap();
    // Members are not written with the group: the user names its groups.
    assert_eq!(disk.last_keys(), ["user/ann"]);
}

#[test]
fn a_failed_operation_writes_nothing() {
    let disk = Arc::new(Disk::default());
    let svc = durable(&disk);
    let (pool, _) = pool_with_user(&svc, "ann");
    let groups = disk.groups.lock().len();
    let taken = svc.admin_create_user(
        &ctx(),
        AdminCreateUserRequest {
            user_pool_id: pool,
            username: "ann".into(),
            ..Default::default()
        },
    );
    assert_eq!(taken.unwrap_err().kind, ErrorKind::UsernameExistsException);
    assert_eq!(disk.groups.lock().len(), groups);
}

#[test]
fn everything_written_reads_back_after_a_restart() {
    let disk = Arc::new(Disk::default());
    let svc = durable(&disk);
    let (pool, client) = pool_with_user(&svc, "ann");
    svc.create_group(
        &ctx(),
        CreateGroupRequest {
            user_pool_id: pool.clone(),
            group_name: "admins".into(),
            ..Default::default()
        },
    )
    .unwrap();
    svc.admin_add_user_to_group(
        &ctx(),
        AdminAddUserToGroupRequest {
            user_pool_id: pool.clone(),
            username: "ann".into(),
            group_name: "admins".into(),
        },
    )
    .unwrap();
    let tokens = sign_in(&svc, &client, "ann").unwrap();
    svc.register_compromised_password("hunter2");
    let before_kid = svc
        .store
        .read(&pool, |p| Ok(p.tokens.key().map(|k| k.kid().to_owned())))
        .unwrap();
    drop(svc);

    let svc = durable(&disk);
    // The same key, the same user and password, the same group, the same client.
    let kid = svc
        .store
        .read(&pool, |p| Ok(p.tokens.key().map(|k| k.kid().to_owned())))
        .unwrap();
    assert!(kid.is_some());
    assert_eq!(kid, before_kid);
    let user = svc
        .get_user(
            &ctx(),
            GetUserRequest {
                access_token: tokens.access_token.clone().unwrap(),
            },
        )
        .unwrap();
    assert_eq!(user.username, "ann");
    let members = svc
        .list_users_in_group(
            &ctx(),
            ListUsersInGroupRequest {
                user_pool_id: pool.clone(),
                group_name: "admins".into(),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(members.users.unwrap().len(), 1);
    refresh(&svc, &client, tokens.refresh_token.as_deref().unwrap()).unwrap();
    sign_in(&svc, &client, "ann").unwrap();
    assert_eq!(svc.compromised_password_count(), 1);
    // The client index is rebuilt: an operation naming only the client finds its pool.
    assert!(svc.store.pool_of_client(&client).is_some());

    // A revocation survives too.
    svc.revoke_token(
        &ctx(),
        RevokeTokenRequest {
            token: tokens.refresh_token.clone().unwrap(),
            client_id: client.clone(),
            ..Default::default()
        },
    )
    .unwrap();
    drop(svc);
    let svc = durable(&disk);
    let refused = refresh(&svc, &client, tokens.refresh_token.as_deref().unwrap());
    assert_eq!(refused.unwrap_err().kind, ErrorKind::NotAuthorizedException);

    // A deleted pool is gone from the records.
    svc.delete_user_pool(
        &ctx(),
        DeleteUserPoolRequest {
            user_pool_id: pool.clone(),
        },
    )
    .unwrap();
    let left: Vec<RecordKey> = disk
        .records
        .lock()
        .keys()
        .map(|k| RecordKey::decode(k).unwrap())
        .collect();
    assert!(left.iter().all(|k| k.pool.is_empty()), "{left:?}");
}

#[test]
fn a_journal_that_fails_breaks_the_store() {
    let disk = Arc::new(Disk::default());
    let svc = durable(&disk);
    let (pool, _) = pool_with_user(&svc, "ann");
    disk.failing.store(true, Ordering::Relaxed);
    let failed = svc.admin_delete_user(
        &ctx(),
        AdminDeleteUserRequest {
            user_pool_id: pool.clone(),
            username: "ann".into(),
        },
    );
    assert_eq!(failed.unwrap_err().kind, ErrorKind::InternalErrorException);
    // Memory may be ahead of the disk: nothing is answered from it any more.
    disk.failing.store(false, Ordering::Relaxed);
    let read = svc.admin_get_user(
        &ctx(),
        AdminGetUserRequest {
            user_pool_id: pool.clone(),
            username: "ann".into(),
        },
    );
    assert_eq!(read.unwrap_err().kind, ErrorKind::InternalErrorException);
}

#[test]
fn records_travel_through_json() {
    let disk = Arc::new(Disk::default());
    let svc = durable(&disk);
    let (_, client) = pool_with_user(&svc, "ann");
    sign_in(&svc, &client, "ann").unwrap();
    let records = disk.records.lock().clone();
    assert!(records.len() > 5);
    for (key, value) in records {
        let k = RecordKey::decode(&key).unwrap();
        assert_eq!(k.encode(), key);
        let json = to_json(&k, &value).unwrap();
        let back = from_json(&k, &json).unwrap();
        assert_eq!(to_json(&k, &back).unwrap(), json, "{k:?}");
    }
}

#[test]
fn only_this_format_is_read() {
    assert!(upgrade(FORMAT_VERSION).is_ok());
    assert!(upgrade(FORMAT_VERSION + 1).unwrap_err().contains("newer"));
    assert!(upgrade(0).is_err());
}

#[test]
fn the_outbox_keeps_its_messages_across_a_restart() {
    let disk = Arc::new(Disk::default());
    let svc = durable(&disk);
    let (pool, _) = pool_with_user(&svc, "ann");
    svc.admin_create_user(
        &ctx(),
        AdminCreateUserRequest {
            user_pool_id: pool.clone(),
            username: "bob".into(),
            user_attributes: Some(vec![AttributeType {
                name: "email".into(),
                value: Some("bob@example.com".into()),
            }]),
            desired_delivery_mediums: Some(vec![DeliveryMediumType::Email]),
            ..Default::default()
        },
    )
    .unwrap();
    let sent = svc.outbox().messages(|m| m.username == "bob");
    assert_eq!(sent.len(), 1);
    drop(svc);
    let svc = durable(&disk);
    let kept = svc.outbox().messages(|m| m.username == "bob");
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].body.expose(), sent[0].body.expose());
    assert_eq!(kept[0].destination, "bob@example.com");
    // Numbers go on after the ones read back.
    svc.admin_create_user(
        &ctx(),
        AdminCreateUserRequest {
            user_pool_id: pool,
            username: "cat".into(),
            user_attributes: Some(vec![AttributeType {
                name: "email".into(),
                value: Some("cat@example.com".into()),
            }]),
            desired_delivery_mediums: Some(vec![DeliveryMediumType::Email]),
            ..Default::default()
        },
    )
    .unwrap();
    let names: Vec<String> = svc
        .outbox()
        .messages(|_| true)
        .into_iter()
        .map(|m| m.username)
        .collect();
    assert_eq!(names, ["bob", "cat"]);
}

#[test]
fn a_durable_service_leaves_the_async_workers_for_changes_only() {
    use cognito_model::Operation as O;
    let svc = durable(&Arc::new(Disk::default()));
    assert!(svc.may_invoke_functions(O::AdminCreateUser));
    assert!(svc.may_invoke_functions(O::InitiateAuth));
    assert!(!svc.may_invoke_functions(O::AdminGetUser));
    assert!(!svc.may_invoke_functions(O::ListUsers));
    let memory = service();
    assert!(!memory.may_invoke_functions(O::AdminCreateUser));
}

#[test]
fn a_passkey_registered_before_a_restart_signs_in_after_it() {
    use base64::Engine as _;
    use cognito_crypto::webauthn::testing::{Attestation, SoftAuthenticator};
    let unb64 = |text: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .unwrap()
    };
    let disk = Arc::new(Disk::default());
    let svc = durable(&disk);
    let (pool, client) = pool_with_user(&svc, "ann");
    svc.update_user_pool(
        &ctx(),
        UpdateUserPoolRequest {
            user_pool_id: pool.clone(),
            policies: Some(UserPoolPolicyType {
                sign_in_policy: Some(SignInPolicyType {
                    allowed_first_auth_factors: Some(vec![
                        AuthFactorType::Password,
                        AuthFactorType::WebAuthn,
                    ]),
                }),
                password_policy: None,
            }),
            ..Default::default()
        },
    )
    .unwrap();
    svc.set_user_pool_mfa_config(
        &ctx(),
        SetUserPoolMfaConfigRequest {
            user_pool_id: pool.clone(),
            web_authn_configuration: Some(WebAuthnConfigurationType {
                relying_party_id: Some("localhost".into()),
                user_verification: Some(UserVerificationType::Required),
                factor_configuration: None,
            }),
            ..Default::default()
        },
    )
    .unwrap();
    let access = sign_in(&svc, &client, "ann").unwrap().access_token.unwrap();
    let options = svc
        .start_web_authn_registration(
            &ctx(),
            StartWebAuthnRegistrationRequest {
                access_token: access.clone(),
            },
        )
        .unwrap()
        .credential_creation_options;
    let mut authenticator = SoftAuthenticator::new(b"durable").unwrap();
    let credential = authenticator
        .register(
            "localhost",
            "http://localhost:3000",
            &unb64(options["challenge"].as_str().unwrap()),
            true,
            Attestation::None,
        )
        .unwrap();
    svc.complete_web_authn_registration(
        &ctx(),
        CompleteWebAuthnRegistrationRequest {
            access_token: access,
            credential,
        },
    )
    .unwrap();
    drop(svc);

    let svc = durable(&disk);
    let first = svc
        .initiate_auth(
            &ctx(),
            InitiateAuthRequest {
                client_id: client.clone(),
                auth_flow: AuthFlowType::UserAuth,
                auth_parameters: Some(
                    [
                        ("USERNAME".to_string(), "ann".to_string()),
                        ("PREFERRED_CHALLENGE".to_string(), "WEB_AUTHN".to_string()),
                    ]
                    .into(),
                ),
                analytics_metadata: None,
                client_metadata: None,
                session: None,
                user_context_data: None,
            },
        )
        .unwrap();
    let params = first.challenge_parameters.unwrap();
    let request: serde_json::Value =
        serde_json::from_str(&params["CREDENTIAL_REQUEST_OPTIONS"]).unwrap();
    let assertion = authenticator
        .authenticate(
            "localhost",
            "http://localhost:3000",
            &unb64(request["challenge"].as_str().unwrap()),
            true,
        )
        .unwrap();
    let done = svc
        .respond_to_auth_challenge(
            &ctx(),
            RespondToAuthChallengeRequest {
                client_id: client,
                challenge_name: ChallengeNameType::WebAuthn,
                session: first.session,
                challenge_responses: Some(
                    [
                        ("USERNAME".to_string(), "ann".to_string()),
                        ("CREDENTIAL".to_string(), assertion.to_string()),
                    ]
                    .into(),
                ),
                analytics_metadata: None,
                client_metadata: None,
                user_context_data: None,
            },
        )
        .unwrap();
    assert!(done.authentication_result.is_some());
}
