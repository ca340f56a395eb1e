//! Sign-in through HTTP: tokens verify against the pool's published key set, whose
//! discovery document names the tokens' issuer.

use cognito_crypto::jwk::RsaJwk;
use cognito_crypto::jwt::VerifyingKey;
use http_body_util::Full;
use serde_json::json;

use crate::support::Server;

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
