use serde_json::json;

use super::*;
use crate::testing::{ctx, service};

const POOL: &str = "eu-west-1_Seeded01";
const CLIENT: &str = "seededclient0000000000001";

fn seed(value: Value) -> Seed {
    serde_json::from_value(value).unwrap()
}

fn example() -> Seed {
    seed(json!({
        "UserPools": [{
            "Id": POOL,
            "PoolName": "app",
            "UsernameAttributes": ["email"],
            "Policies": {"PasswordPolicy": {"MinimumLength": 10}},
            "LambdaConfig": {"PreSignUp": "arn:aws:lambda:eu-west-1:123456789012:function:pre"},
            "Groups": [{"GroupName": "admins", "Precedence": 1}],
            "ResourceServers": [{"Identifier": "https://api.example.com", "Name": "api",
                                 "Scopes": [{"ScopeName": "read", "ScopeDescription": "Read"}]}],
            "Domains": [{"Domain": "seeded-app"}],
            "Clients": [
                {"ClientId": CLIENT, "ClientName": "web",
                 "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
                {"ClientId": "seededclient0000000000002", "ClientName": "server",
                 "ClientSecret": "s3cretvalue0000000000000000000000000000000000000000",
                 "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthFlowsUserPoolClient": true,
                 "AllowedOAuthScopes": ["https://api.example.com/read"]},
            ],
            "Users": [
                {"Username": "alice@example.com", "Password": "Correct-horse1",
                 "UserAttributes": [{"Name": "email_verified", "Value": "true"}],
                 "Groups": ["admins"]},
                {"Username": "bob@example.com", "Password": "Temporary-pass1",
                 "Status": "FORCE_CHANGE_PASSWORD", "Enabled": false},
            ],
        }]
    }))
}

fn user(svc: &Cognito, name: &str) -> AdminGetUserResponse {
    svc.admin_get_user(
        &ctx(),
        AdminGetUserRequest {
            user_pool_id: POOL.into(),
            username: name.into(),
        },
    )
    .unwrap()
}

#[test]
fn a_seed_makes_pools_with_fixed_ids_and_everything_they_hold() {
    let svc = service();
    let seeded = svc.apply_seed(&ctx(), &example()).unwrap();
    assert_eq!(
        seeded.created,
        [
            format!("pool {POOL}"),
            format!("group {POOL}/admins"),
            format!("resource server {POOL}/https://api.example.com"),
            "domain seeded-app".to_string(),
            format!("client {CLIENT}"),
            "client seededclient0000000000002".to_string(),
            format!("user {POOL}/alice@example.com"),
            format!("user {POOL}/bob@example.com"),
        ]
    );
    assert!(seeded.existing.is_empty());

    let pool = svc
        .describe_user_pool(
            &ctx(),
            DescribeUserPoolRequest {
                user_pool_id: POOL.into(),
            },
        )
        .unwrap()
        .user_pool
        .unwrap();
    assert_eq!(pool.id.as_deref(), Some(POOL));
    assert_eq!(
        pool.arn.as_deref(),
        Some("arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Seeded01")
    );
    assert_eq!(pool.domain.as_deref(), Some("seeded-app"));
    assert_eq!(
        pool.lambda_config.and_then(|l| l.pre_sign_up).as_deref(),
        Some("arn:aws:lambda:eu-west-1:123456789012:function:pre")
    );
    assert_eq!(svc.store.pool_of_client(CLIENT).as_deref(), Some(POOL));
    let server = svc
        .describe_user_pool_client(
            &ctx(),
            DescribeUserPoolClientRequest {
                user_pool_id: POOL.into(),
                client_id: "seededclient0000000000002".into(),
            },
        )
        .unwrap()
        .user_pool_client
        .unwrap();
    assert_eq!(
        server.client_secret.as_deref(),
        Some("s3cretvalue0000000000000000000000000000000000000000")
    );
    assert_eq!(server.client_name.as_deref(), Some("server"));

    let alice = user(&svc, "alice@example.com");
    assert_eq!(alice.user_status, Some(UserStatusType::Confirmed));
    assert!(alice.enabled);
    let groups = svc
        .admin_list_groups_for_user(
            &ctx(),
            AdminListGroupsForUserRequest {
                user_pool_id: POOL.into(),
                username: "alice@example.com".into(),
                ..Default::default()
            },
        )
        .unwrap()
        .groups
        .unwrap_or_default();
    assert_eq!(groups.len(), 1);
    let bob = user(&svc, "bob@example.com");
    assert_eq!(bob.user_status, Some(UserStatusType::ForceChangePassword));
    assert!(!bob.enabled);
    // Seeding sends nothing.
    assert!(svc.outbox().messages(|_| true).is_empty());

    // Alice signs in with her password through the fixed client.
    let answer = svc
        .initiate_auth(
            &ctx(),
            InitiateAuthRequest {
                client_id: CLIENT.into(),
                auth_flow: AuthFlowType::UserPasswordAuth,
                auth_parameters: Some(
                    [
                        ("USERNAME".to_string(), "alice@example.com".to_string()),
                        ("PASSWORD".to_string(), "Correct-horse1".to_string()),
                    ]
                    .into_iter()
                    .collect(),
                ),
                client_metadata: None,
                analytics_metadata: None,
                user_context_data: None,
                session: None,
            },
        )
        .unwrap();
    assert!(answer.authentication_result.is_some());
}

#[test]
fn applying_a_seed_again_changes_nothing() {
    let svc = service();
    svc.apply_seed(&ctx(), &example()).unwrap();
    let sub = user(&svc, "alice@example.com").username;
    let again = svc.apply_seed(&ctx(), &example()).unwrap();
    assert!(again.created.is_empty(), "{again:?}");
    assert_eq!(again.existing.len(), 8);
    assert_eq!(svc.store.ids(None), vec![POOL.to_string()]);
    assert_eq!(user(&svc, "alice@example.com").username, sub);

    // A user added to the document is made; the rest is left as it is.
    let mut more = example();
    more.user_pools[0].users.push(
        json!({"Username": "carol@example.com", "Password": "Another-pass1"})
            .as_object()
            .unwrap()
            .clone(),
    );
    let seeded = svc.apply_seed(&ctx(), &more).unwrap();
    assert_eq!(seeded.created, [format!("user {POOL}/carol@example.com")]);
}

#[test]
fn a_document_with_an_error_changes_nothing() {
    let svc = service();
    let cases = [
        (
            json!({"UserPools": [{"Id": "not a pool id", "PoolName": "p"}]}),
            "UserPools[0].Id: 1 validation error detected: Value 'not a pool id' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\\w-]+_[0-9a-zA-Z]+$",
        ),
        (
            json!({"UserPools": [{"Id": POOL}]}),
            "UserPools[0]: 1 validation error detected: Value null at 'poolName' failed to satisfy constraint: Member must not be null",
        ),
        (
            json!({"UserPools": [{"Id": POOL, "PoolName": "p", "Client": []}]}),
            "UserPools[0]: Unknown member Client; expected one of",
        ),
        (
            json!({"UserPools": [{"Id": POOL, "PoolName": "p", "Clients": [{"ClientName": "c"}]}]}),
            "UserPools[0].Clients[0]: ClientId is required: the client's fixed id",
        ),
        (
            json!({"UserPools": [{"Id": POOL, "PoolName": "p", "Clients": [{"ClientId": "a b", "ClientName": "c"}]}]}),
            "UserPools[0].Clients[0]: 1 validation error detected: Value at 'clientId' failed to satisfy constraint",
        ),
        (
            json!({"UserPools": [{"Id": POOL, "PoolName": "p", "Users": [{"Username": "u"}]}]}),
            "UserPools[0].Users[0]: A CONFIRMED user needs a Password",
        ),
        (
            json!({"UserPools": [{"Id": POOL, "PoolName": "p", "Users": [{"Username": "u", "Password": "x", "Status": "UNCONFIRMED"}]}]}),
            "UserPools[0].Users[0]: Status UNCONFIRMED cannot be seeded",
        ),
        (
            json!({"UserPools": [{"Id": POOL, "PoolName": "p", "Users": [{"Username": "u", "UserPoolId": POOL}]}]}),
            "UserPools[0].Users[0]: UserPoolId is not given here",
        ),
        (
            json!({"UserPools": [{"Id": POOL, "PoolName": "p"}, {"Id": POOL, "PoolName": "q"}]}),
            "UserPools[1]: Pool eu-west-1_Seeded01 is seeded twice",
        ),
    ];
    for (document, message) in cases {
        let e = svc.apply_seed(&ctx(), &seed(document.clone())).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidParameterException, "{document}");
        assert!(e.message.starts_with(message), "{document}: {}", e.message);
        assert!(svc.store.ids(None).is_empty(), "{document}");
    }
    assert!(serde_json::from_value::<Seed>(json!({"Pools": []})).is_err());
}

#[test]
fn errors_while_applying_name_their_place_and_keep_the_triggers() {
    let svc = service();
    svc.apply_seed(&ctx(), &example()).unwrap();
    // The client id is taken by the first pool.
    let document = seed(json!({"UserPools": [{
        "Id": "eu-west-1_Other",
        "PoolName": "other",
        "LambdaConfig": {"PreSignUp": "arn:aws:lambda:eu-west-1:123456789012:function:pre"},
        "Clients": [{"ClientId": CLIENT, "ClientName": "web"}],
    }]}));
    let e = svc.apply_seed(&ctx(), &document).unwrap_err();
    assert_eq!(
        e.message,
        format!(
            "UserPools[0] (eu-west-1_Other).Clients[0]: Client {CLIENT} belongs to pool {POOL}"
        )
    );
    let other = svc
        .describe_user_pool(
            &ctx(),
            DescribeUserPoolRequest {
                user_pool_id: "eu-west-1_Other".into(),
            },
        )
        .unwrap()
        .user_pool
        .unwrap();
    assert!(other.lambda_config.and_then(|l| l.pre_sign_up).is_some());

    // An operation's own error, with its kind.
    let document = seed(json!({"UserPools": [{
        "Id": POOL,
        "PoolName": "app",
        "Users": [{"Username": "dave@example.com", "Password": "short"}],
    }]}));
    let e = svc.apply_seed(&ctx(), &document).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidPasswordException);
    assert!(
        e.message
            .starts_with(&format!("UserPools[0] ({POOL}).Users[0]: ")),
        "{}",
        e.message
    );
}

#[test]
fn seeds_hide_their_secrets_from_debug() {
    let shown = format!("{:?}", example());
    assert_eq!(shown, format!("[{POOL:?}]"));
}
