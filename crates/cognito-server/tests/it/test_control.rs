//! The test API's control of the server: its clock, seeds, resets and fakecloud's
//! paths, over real connections.

use http::Method;
use serde_json::{json, Value};

use crate::support::{empty, with_body, Answer, Server};

const POOL: &str = "ap-southeast-2_Control1";
const CLIENT: &str = "controlclient0000000000001";

/// The seed these tests share: a pool, a client for password sign-in and `alice`.
fn seed() -> Value {
    json!({"UserPools": [{
        "Id": POOL,
        "PoolName": "control",
        "AutoVerifiedAttributes": ["email"],
        "Groups": [{"GroupName": "staff"}],
        "Clients": [{"ClientId": CLIENT, "ClientName": "web",
                     "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
        "Users": [{"Username": "alice", "Password": "Correct-horse1",
                   "UserAttributes": [{"Name": "email", "Value": "alice@example.com"},
                                      {"Name": "email_verified", "Value": "true"}],
                   "Groups": ["staff"]}],
    }]})
}

async fn post(server: &Server, path: &str, body: &Value) -> Answer {
    let request = http::Request::builder().method(Method::POST).uri(path);
    server.send(with_body(request, &body.to_string())).await
}

async fn get(server: &Server, path: &str) -> Answer {
    server
        .send(empty(
            http::Request::builder().method(Method::GET).uri(path),
        ))
        .await
}

async fn seeded() -> Server {
    let server = Server::start().await;
    let answer = post(&server, "/_cognito/seed", &seed()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    server
}

async fn sign_in(server: &Server) -> String {
    let answer = server
        .call(
            "InitiateAuth",
            json!({"ClientId": CLIENT, "AuthFlow": "USER_PASSWORD_AUTH",
                   "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Correct-horse1"}}),
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    answer.body["AuthenticationResult"]["AccessToken"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn moving_the_clock_expires_tokens_and_codes_without_waiting() {
    let server = seeded().await;
    let token = sign_in(&server).await;
    let user = server.call("GetUser", json!({"AccessToken": token})).await;
    assert_eq!(user.status, 200, "{user:?}");
    server
        .call(
            "SignUp",
            json!({"ClientId": CLIENT, "Username": "bob", "Password": "Correct-horse2",
                   "UserAttributes": [{"Name": "email", "Value": "bob@example.com"}]}),
        )
        .await;
    let codes = get(
        &server,
        &format!("/_cognito/codes?pool_id={POOL}&username=bob"),
    )
    .await;
    let code = codes.body["codes"][0]["code"].as_str().unwrap().to_owned();

    // Access tokens last an hour by default.
    let moved = post(
        &server,
        "/_cognito/clock",
        &json!({"advance_seconds": 3600}),
    )
    .await;
    assert_eq!(moved.status, 200, "{moved:?}");
    assert_eq!(moved.body["offset_seconds"], 3600);
    assert_eq!(moved.body["frozen"], false);
    server
        .call("GetUser", json!({"AccessToken": token}))
        .await
        .assert_error(400, "NotAuthorizedException", "Access Token has expired");

    // Sign-up codes last a day.
    post(
        &server,
        "/_cognito/clock",
        &json!({"advance_seconds": 86_400 - 3600}),
    )
    .await;
    server
        .call(
            "ConfirmSignUp",
            json!({"ClientId": CLIENT, "Username": "bob", "ConfirmationCode": code}),
        )
        .await
        .assert_error(
            400,
            "ExpiredCodeException",
            "Invalid code provided, please request a code again.",
        );

    let read = get(&server, "/_cognito/clock").await;
    assert_eq!(read.body["offset_seconds"], 86_400);
    let reset = post(&server, "/_cognito/clock/reset", &json!({})).await;
    assert_eq!(reset.body["offset_seconds"], 0);
    // Back in real time, a new sign-in's token works.
    let token = sign_in(&server).await;
    let user = server.call("GetUser", json!({"AccessToken": token})).await;
    assert_eq!(user.status, 200, "{user:?}");
}

#[tokio::test]
async fn a_frozen_clock_stamps_every_request_alike() {
    let server = Server::start().await;
    let frozen = post(
        &server,
        "/_cognito/clock",
        &json!({"now": "2031-05-06T07:08:09Z", "frozen": true}),
    )
    .await;
    assert_eq!(frozen.body["now"], "2031-05-06T07:08:09Z");
    let pool = server
        .call("CreateUserPool", json!({"PoolName": "frozen"}))
        .await;
    assert_eq!(pool.body["UserPool"]["CreationDate"], 1_935_817_689);
}

#[tokio::test]
async fn seeding_twice_keeps_the_fixed_ids_and_changes_nothing() {
    let server = seeded().await;
    let again = post(&server, "/_cognito/seed", &seed()).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["created"], json!([]));
    assert_eq!(
        again.body["existing"],
        json!([
            format!("pool {POOL}"),
            format!("group {POOL}/staff"),
            format!("client {CLIENT}"),
            format!("user {POOL}/alice"),
        ])
    );
    let pools = server
        .call("ListUserPools", json!({"MaxResults": 10}))
        .await;
    assert_eq!(pools.body["UserPools"].as_array().unwrap().len(), 1);
    assert_eq!(pools.body["UserPools"][0]["Id"], POOL);
    let groups = server
        .call(
            "AdminListGroupsForUser",
            json!({"UserPoolId": POOL, "Username": "alice"}),
        )
        .await;
    assert_eq!(groups.body["Groups"][0]["GroupName"], "staff");
    sign_in(&server).await;
}

#[tokio::test]
async fn resetting_a_pool_leaves_the_others() {
    let server = seeded().await;
    let other = server
        .call("CreateUserPool", json!({"PoolName": "other"}))
        .await
        .body["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    server
        .call(
            "CreateUserPoolDomain",
            json!({"UserPoolId": POOL, "Domain": "control-app"}),
        )
        .await;
    server
        .call(
            "AdminResetUserPassword",
            json!({"UserPoolId": POOL, "Username": "alice"}),
        )
        .await;
    let reset = post(&server, &format!("/_cognito/reset/{POOL}"), &json!({})).await;
    assert_eq!(reset.status, 200, "{reset:?}");

    server
        .call("DescribeUserPool", json!({"UserPoolId": POOL}))
        .await
        .assert_error(
            400,
            "ResourceNotFoundException",
            &format!("User pool {POOL} does not exist."),
        );
    server
        .call(
            "DescribeUserPoolClient",
            json!({"UserPoolId": POOL, "ClientId": CLIENT}),
        )
        .await
        .assert_error(
            400,
            "ResourceNotFoundException",
            &format!("User pool {POOL} does not exist."),
        );
    let messages = get(&server, "/_cognito/messages").await;
    assert_eq!(messages.body, json!({"messages": []}));
    let described = server
        .call("DescribeUserPool", json!({"UserPoolId": other}))
        .await;
    assert_eq!(described.status, 200);

    // The seed makes it again, with the same ids; the domain is free again.
    let again = post(&server, "/_cognito/seed", &seed()).await;
    assert_eq!(again.body["existing"], json!([]));
    let domain = server
        .call(
            "CreateUserPoolDomain",
            json!({"UserPoolId": POOL, "Domain": "control-app"}),
        )
        .await;
    assert_eq!(domain.status, 200, "{domain:?}");
    sign_in(&server).await;
}

#[tokio::test]
async fn fakecloud_paths_drive_the_same_server() {
    let server = seeded().await;
    server
        .call(
            "SignUp",
            json!({"ClientId": CLIENT, "Username": "bob", "Password": "Correct-horse2",
                   "UserAttributes": [{"Name": "email", "Value": "bob@example.com"}]}),
        )
        .await;
    let codes = get(
        &server,
        &format!("/_fakecloud/cognito/confirmation-codes/{POOL}/bob"),
    )
    .await;
    let code = codes.body["confirmationCode"].as_str().unwrap().to_owned();
    let confirmed = server
        .call(
            "ConfirmSignUp",
            json!({"ClientId": CLIENT, "Username": "bob", "ConfirmationCode": code}),
        )
        .await;
    assert_eq!(confirmed.status, 200, "{confirmed:?}");

    sign_in(&server).await;
    let tokens = get(&server, "/_fakecloud/cognito/tokens").await;
    assert_eq!(tokens.body["tokens"].as_array().unwrap().len(), 2);
    let expired = post(
        &server,
        "/_fakecloud/cognito/expire-tokens",
        &json!({"userPoolId": POOL}),
    )
    .await;
    assert_eq!(expired.body, json!({"expiredTokens": 2}));

    let unknown = post(
        &server,
        "/_fakecloud/cognito/confirm-user",
        &json!({"userPoolId": POOL, "username": "nobody"}),
    )
    .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.body["confirmed"], false);

    // A code for a client with the authorization code grant, exchanged at the token
    // endpoint of the pool's domain.
    server
        .call(
            "UpdateUserPoolClient",
            json!({"UserPoolId": POOL, "ClientId": CLIENT,
                   "AllowedOAuthFlows": ["code"], "AllowedOAuthFlowsUserPoolClient": true,
                   "AllowedOAuthScopes": ["openid"], "CallbackURLs": ["https://app.example/cb"],
                   "SupportedIdentityProviders": ["COGNITO"]}),
        )
        .await;
    server
        .call(
            "CreateUserPoolDomain",
            json!({"UserPoolId": POOL, "Domain": "control-app"}),
        )
        .await;
    let minted = post(
        &server,
        "/_fakecloud/cognito/authorization-codes",
        &json!({"userPoolId": POOL, "clientId": CLIENT, "username": "alice",
                "redirectUri": "https://app.example/cb", "scopes": ["openid"]}),
    )
    .await;
    assert_eq!(minted.status, 200, "{minted:?}");
    let code = minted.body["code"].as_str().unwrap();
    let form = format!(
        "grant_type=authorization_code&client_id={CLIENT}&code={code}&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"
    );
    let request = http::Request::builder()
        .method(Method::POST)
        .uri("/control-app/oauth2/token")
        .header("content-type", "application/x-www-form-urlencoded");
    let tokens = server.send(with_body(request, &form)).await;
    assert_eq!(tokens.status, 200, "{tokens:?}");
    assert!(tokens.body["id_token"].is_string());
}

#[tokio::test]
async fn a_seed_file_applies_at_start_and_again_through_the_client() {
    let path = std::env::temp_dir().join(format!("cognito-seed-{}.yaml", std::process::id()));
    let yaml = format!(
        "UserPools:\n  - Id: {POOL}\n    PoolName: control\n    Clients:\n      - ClientId: {CLIENT}\n        ClientName: web\n        ExplicitAuthFlows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]\n    Users:\n      - Username: alice\n        Password: Correct-horse1\n"
    );
    std::fs::write(&path, yaml).unwrap();
    let seed_path = path.clone();
    let server = Server::start_with(|o| o.seed = Some(seed_path)).await;
    sign_in(&server).await;

    let endpoint: url::Url = format!("http://{}", server.addr).parse().unwrap();
    let file = path.clone();
    let summary = tokio::task::spawn_blocking(move || {
        let seed = cognito_server::seed::load(&file)?;
        cognito_server::seed::send(&seed, &endpoint)
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(summary["created"], json!([]));
    assert_eq!(summary["existing"].as_array().unwrap().len(), 3);

    // A refusal names the place in the file.
    std::fs::write(
        &path,
        format!("UserPools:\n  - Id: {POOL}\n    PoolName: control\n    Users:\n      - Username: bob\n"),
    )
    .unwrap();
    let endpoint: url::Url = format!("http://{}", server.addr).parse().unwrap();
    let file = path.clone();
    let refused = tokio::task::spawn_blocking(move || {
        let seed = cognito_server::seed::load(&file)?;
        cognito_server::seed::send(&seed, &endpoint)
    })
    .await
    .unwrap()
    .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("refused the seed (400): InvalidParameterException: UserPools[0].Users[0]: A CONFIRMED user needs a Password"),
        "{refused}"
    );
    std::fs::remove_file(&path).unwrap();
}
