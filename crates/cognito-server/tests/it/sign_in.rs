//! Sign-in through HTTP: tokens verify against the pool's published key set, whose
//! discovery document names the tokens' issuer.

use cognito_crypto::jwk::RsaJwk;
use cognito_crypto::jwt::VerifyingKey;
use http_body_util::Full;
use serde_json::json;

use serde_json::Value;

use crate::support::{api, with_body, Server};

#[tokio::test]
async fn password_sign_in_tokens_verify_with_the_jwks() {
    let server = Server::start().await;
    let pool = server
        .call("CreateUserPool", json!({"PoolName": "signin"}))
        .await;
    let pool_id = pool.body["UserPool"]["Id"].as_str().unwrap().to_string();
    let client = server
        .call(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool_id, "ClientName": "app", "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        )
        .await;
    let client_id = client.body["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string();
    let created = server
        .call(
            "AdminCreateUser",
            json!({"UserPoolId": pool_id, "Username": "ann", "MessageAction": "SUPPRESS"}),
        )
        .await;
    assert_eq!(created.status, 200, "{created:?}");
    let set = server
        .call(
            "AdminSetUserPassword",
            json!({"UserPoolId": pool_id, "Username": "ann", "Password": "Sup3r!secret", "Permanent": true}),
        )
        .await;
    assert_eq!(set.status, 200, "{set:?}");

    let signed_in = server
        .call(
            "InitiateAuth",
            json!({"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "ann", "PASSWORD": "Sup3r!secret"}}),
        )
        .await;
    assert_eq!(signed_in.status, 200, "{signed_in:?}");
    let access = signed_in.body["AuthenticationResult"]["AccessToken"]
        .as_str()
        .unwrap();

    let get = |path: String| http::Request::get(path).body(Full::default()).unwrap();
    let jwks = server
        .send(get(format!("/{pool_id}/.well-known/jwks.json")))
        .await;
    assert_eq!(jwks.status, 200);
    let jwk = RsaJwk::from_json(&jwks.body["keys"][0]).unwrap();
    let claims = VerifyingKey::from(jwk).verify(access).unwrap();
    let discovery = server
        .send(get(format!("/{pool_id}/.well-known/openid-configuration")))
        .await;
    assert_eq!(claims["iss"], discovery.body["issuer"]);
    assert_eq!(claims["username"], "ann");
    assert_eq!(claims["client_id"], client_id.as_str());
    let missing = server
        .send(get("/us-east-1_nothere99/.well-known/jwks.json".into()))
        .await;
    assert_eq!(missing.status, 404);

    let wrong = server
        .call(
            "InitiateAuth",
            json!({"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "ann", "PASSWORD": "Wr0ng!secret"}}),
        )
        .await;
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.body["__type"], "NotAuthorizedException");
    assert_eq!(wrong.body["message"], "Incorrect username or password.");
}

#[tokio::test]
async fn the_test_api_lists_and_expires_tokens_and_blocks_compromised_passwords() {
    let server = Server::start().await;
    let pool = server
        .call("CreateUserPool", json!({"PoolName": "hooks"}))
        .await;
    let pool_id = pool.body["UserPool"]["Id"].as_str().unwrap().to_string();
    let client = server
        .call(
            "CreateUserPoolClient",
            json!({"UserPoolId": pool_id, "ClientName": "app", "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        )
        .await;
    let client_id = client.body["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_string();
    server
        .call(
            "AdminCreateUser",
            json!({"UserPoolId": pool_id, "Username": "bo", "MessageAction": "SUPPRESS"}),
        )
        .await;
    server
        .call(
            "AdminSetUserPassword",
            json!({"UserPoolId": pool_id, "Username": "bo", "Password": "Sup3r!secret", "Permanent": true}),
        )
        .await;
    let sign_in = || {
        server.call(
            "InitiateAuth",
            json!({"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "bo", "PASSWORD": "Sup3r!secret"}}),
        )
    };
    let signed_in = sign_in().await;
    let access = signed_in.body["AuthenticationResult"]["AccessToken"]
        .as_str()
        .unwrap()
        .to_string();

    let get = |path: String| http::Request::get(path).body(Full::default()).unwrap();
    let post = |path: &str, body: serde_json::Value| {
        http::Request::post(path)
            .body(Full::new(bytes::Bytes::from(body.to_string())))
            .unwrap()
    };
    let tokens = server
        .send(get(format!("/_cognito/tokens?pool_id={pool_id}")))
        .await;
    assert_eq!(tokens.body["tokens"].as_array().unwrap().len(), 1);
    assert!(
        !tokens.body.to_string().contains(&access),
        "tokens are never shown"
    );
    let events = server
        .send(get(format!(
            "/_cognito/events?pool_id={pool_id}&username=bo"
        )))
        .await;
    assert_eq!(events.body["events"][0]["event_type"], "SignIn");
    assert_eq!(events.body["events"][0]["event_response"], "Pass");

    let expired = server
        .send(post(
            "/_cognito/tokens/expire",
            json!({"pool_id": pool_id, "username": "bo"}),
        ))
        .await;
    assert_eq!(expired.body["expired"], 1);
    let rejected = server.call("GetUser", json!({"AccessToken": access})).await;
    assert_eq!(rejected.body["__type"], "NotAuthorizedException");

    let registered = server
        .send(post(
            "/_cognito/compromised-passwords",
            json!({"passwords": ["Sup3r!secret"]}),
        ))
        .await;
    assert_eq!(registered.body["registered"], 1);
    server
        .call(
            "SetRiskConfiguration",
            json!({"UserPoolId": pool_id, "CompromisedCredentialsRiskConfiguration": {"Actions": {"EventAction": "BLOCK"}}}),
        )
        .await;
    let blocked = sign_in().await;
    assert_eq!(
        blocked.body["__type"], "NotAuthorizedException",
        "{blocked:?}"
    );
}

/// Creates a pool (through a request signed for `region`, or unsigned) with a client
/// for password sign-in and a user `ann`; answers the pool id and the access token.
async fn signed_in_user(server: &Server, region: Option<&str>, pool: Value) -> (String, String) {
    let call = |operation: &'static str, body: Value| async move {
        let mut request = api(operation);
        if let Some(region) = region {
            request = request.header(
                "authorization",
                format!(
                    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261206/{region}/cognito-idp/aws4_request, SignedHeaders=host, Signature=00"
                ),
            );
        }
        let answer = server.send(with_body(request, &body.to_string())).await;
        assert_eq!(answer.status, 200, "{operation}: {answer:?}");
        answer
    };
    let pool = call("CreateUserPool", pool).await;
    let pool_id = pool.body["UserPool"]["Id"].as_str().unwrap().to_string();
    let client = call(
        "CreateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientName": "app", "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .await;
    let client_id = client.body["UserPoolClient"]["ClientId"].as_str().unwrap();
    call(
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "ann", "MessageAction": "SUPPRESS"}),
    )
    .await;
    call(
        "AdminSetUserPassword",
        json!({"UserPoolId": pool_id, "Username": "ann", "Password": "Sup3r!secret", "Permanent": true}),
    )
    .await;
    // Sign-in is unsigned: the app client names its pool, wherever it lives.
    let signed_in = server
        .call(
            "InitiateAuth",
            json!({"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "ann", "PASSWORD": "Sup3r!secret"}}),
        )
        .await;
    assert_eq!(signed_in.status, 200, "{signed_in:?}");
    let access = signed_in.body["AuthenticationResult"]["AccessToken"]
        .as_str()
        .unwrap()
        .to_string();
    (pool_id, access)
}

#[tokio::test]
async fn the_issuer_base_names_every_token_discovery_and_the_access_token_check() {
    let server = Server::start_with(|o| {
        o.issuer_base = Some("https://cognito-idp.{region}.amazonaws.com".into());
    })
    .await;
    let get = |path: String| http::Request::get(path).body(Full::default()).unwrap();
    for (region, pool, host) in [
        (
            None,
            json!({"PoolName": "here"}),
            "cognito-idp.ap-southeast-2",
        ),
        (
            Some("eu-west-3"),
            json!({"PoolName": "there"}),
            "cognito-idp.eu-west-3",
        ),
        (
            Some("us-west-2"),
            json!({"PoolName": "updated", "IssuerConfiguration": {"Type": "UPDATED"}}),
            "issuer-cognito-idp.us-west-2",
        ),
    ] {
        let (pool_id, access) = signed_in_user(&server, region, pool).await;
        let issuer = format!("https://{host}.amazonaws.com/{pool_id}");
        let jwks = server
            .send(get(format!("/{pool_id}/.well-known/jwks.json")))
            .await;
        let jwk = RsaJwk::from_json(&jwks.body["keys"][0]).unwrap();
        let claims = VerifyingKey::from(jwk).verify(&access).unwrap();
        assert_eq!(claims["iss"], issuer.as_str());
        let discovery = server
            .send(get(format!("/{pool_id}/.well-known/openid-configuration")))
            .await;
        assert_eq!(discovery.body["issuer"], issuer.as_str());
        // The access-token operations accept the token the issuer names.
        let user = server.call("GetUser", json!({"AccessToken": access})).await;
        assert_eq!(user.status, 200, "{user:?}");
        assert_eq!(user.body["Username"], "ann");
    }
}
