//! The token endpoint's client credentials grant over HTTP: both ways of client
//! authentication, the pool named by a path prefix or by `Host`, RFC 6749 errors, and the
//! token verified against the pool's published key set; `GetClientToken` beside it.

use base64::Engine as _;
use cognito_crypto::jwk::RsaJwk;
use cognito_crypto::jwt::VerifyingKey;
use http::Request;
use serde_json::{json, Value};

use cognito_server::CommandFlag;

use crate::support::{with_body, Answer, Server, DEFAULT_REGION};

/// A pool with the domain `m2m-it`, a resource server `orders` (`read`, `write`) and a
/// client allowed the client credentials grant for both scopes, plus a client with a
/// secret but only the code grant.
struct Pool {
    id: String,
    client: String,
    secret: String,
    code_client: String,
    code_secret: String,
}

const DOMAIN: &str = "m2m-it";

async fn pool(server: &Server) -> Pool {
    pool_with(server, json!({"PoolName": "m2m"})).await
}

/// [`pool`], created with `settings`.
async fn pool_with(server: &Server, settings: Value) -> Pool {
    let created = server.call("CreateUserPool", settings).await;
    assert_eq!(created.status, 200, "{created:?}");
    let id = created.body["UserPool"]["Id"].as_str().unwrap().to_string();
    let rs = server
        .call(
            "CreateResourceServer",
            json!({"UserPoolId": id, "Identifier": "orders", "Name": "Orders", "Scopes": [
                {"ScopeName": "read", "ScopeDescription": "read orders"},
                {"ScopeName": "write", "ScopeDescription": "write orders"}]}),
        )
        .await;
    assert_eq!(rs.status, 200, "{rs:?}");
    let domain = server
        .call(
            "CreateUserPoolDomain",
            json!({"UserPoolId": id, "Domain": DOMAIN}),
        )
        .await;
    assert_eq!(domain.status, 200, "{domain:?}");
    let client = |body: Value| async move {
        let c = server.call("CreateUserPoolClient", body).await;
        assert_eq!(c.status, 200, "{c:?}");
        let c = &c.body["UserPoolClient"];
        (
            c["ClientId"].as_str().unwrap().to_string(),
            c["ClientSecret"].as_str().unwrap().to_string(),
        )
    };
    let (client_id, secret) = client(json!({
        "UserPoolId": id, "ClientName": "service", "GenerateSecret": true,
        "AllowedOAuthFlowsUserPoolClient": true,
        "AllowedOAuthFlows": ["client_credentials"],
        "AllowedOAuthScopes": ["orders/read", "orders/write"],
        "AccessTokenValidity": 30, "TokenValidityUnits": {"AccessToken": "minutes"}}))
    .await;
    let (code_client, code_secret) = client(json!({
        "UserPoolId": id, "ClientName": "web", "GenerateSecret": true,
        "AllowedOAuthFlowsUserPoolClient": true,
        "AllowedOAuthFlows": ["code"],
        "AllowedOAuthScopes": ["openid"],
        "CallbackURLs": ["https://example.com/cb"]}))
    .await;
    Pool {
        id,
        client: client_id,
        secret,
        code_client,
        code_secret,
    }
}

/// `POST path` with a form `body` and extra `headers`.
async fn post(server: &Server, path: &str, headers: &[(&str, &str)], body: &str) -> Answer {
    let mut builder =
        Request::post(path).header("content-type", "application/x-www-form-urlencoded");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    server.send(with_body(builder, body)).await
}

fn basic(id: &str, secret: &str) -> String {
    let raw = format!("{id}:{secret}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

/// The claims of `token`, verified against the pool's key set.
async fn verify(server: &Server, pool_id: &str, token: &str) -> Value {
    let jwks = server
        .send(
            Request::get(format!("/{pool_id}/.well-known/jwks.json"))
                .body(Default::default())
                .unwrap(),
        )
        .await;
    assert_eq!(jwks.status, 200);
    let jwk = RsaJwk::from_json(&jwks.body["keys"][0]).unwrap();
    VerifyingKey::from(jwk).verify(token).unwrap()
}

#[track_caller]
fn assert_oauth_error(answer: &Answer, status: u16, error: &str) {
    assert_eq!(answer.status.as_u16(), status, "{answer:?}");
    assert_eq!(answer.body["error"], error, "{answer:?}");
    assert_eq!(answer.headers["cache-control"], "no-store");
}

#[tokio::test]
async fn client_credentials_by_path_prefix_with_both_authentication_methods() {
    let server = Server::start().await;
    let p = pool(&server).await;
    let path = format!("/{DOMAIN}/oauth2/token");

    // client_secret_basic, scopes as asked.
    let answer = post(
        &server,
        &path,
        &[("authorization", &basic(&p.client, &p.secret))],
        "grant_type=client_credentials&scope=orders%2Fread",
    )
    .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body["token_type"], "Bearer");
    assert_eq!(answer.body["expires_in"], 1800);
    assert_eq!(answer.headers["cache-control"], "no-store");
    let claims = verify(
        &server,
        &p.id,
        answer.body["access_token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(claims["sub"], p.client.as_str());
    assert_eq!(claims["client_id"], p.client.as_str());
    assert_eq!(claims["token_use"], "access");
    assert_eq!(claims["scope"], "orders/read");
    assert_eq!(claims["version"], 2);
    let discovery = server
        .send(
            Request::get(format!("/{}/.well-known/openid-configuration", p.id))
                .body(Default::default())
                .unwrap(),
        )
        .await;
    assert_eq!(claims["iss"], discovery.body["issuer"]);
    // The discovery document names the endpoint at the address used.
    assert_eq!(
        discovery.body["token_endpoint"],
        format!("http://{}{path}", server.addr)
    );

    // client_secret_post, every allowed scope.
    let answer = post(
        &server,
        &path,
        &[],
        &format!(
            "grant_type=client_credentials&client_id={}&client_secret={}",
            p.client, p.secret
        ),
    )
    .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let claims = verify(
        &server,
        &p.id,
        answer.body["access_token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(claims["scope"], "orders/read orders/write");
}

#[tokio::test]
async fn client_credentials_by_host() {
    let server = Server::start().await;
    let p = pool(&server).await;
    let host = format!("{DOMAIN}.auth.{DEFAULT_REGION}.amazoncognito.com");
    let answer = post(
        &server,
        "/oauth2/token",
        &[
            ("host", &host),
            ("authorization", &basic(&p.client, &p.secret)),
        ],
        "grant_type=client_credentials&scope=orders/write",
    )
    .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let claims = verify(
        &server,
        &p.id,
        answer.body["access_token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(claims["scope"], "orders/write");
    // The discovery document asked for on the domain names the endpoint on it.
    let discovery = server
        .send(
            Request::get(format!("/{}/.well-known/openid-configuration", p.id))
                .header("host", &host)
                .body(Default::default())
                .unwrap(),
        )
        .await;
    assert_eq!(
        discovery.body["token_endpoint"],
        format!("http://{host}/oauth2/token")
    );

    // Another Region's domain of that name, a domain no pool has, and the server's own
    // address name no pool: there is no token endpoint there.
    for host in [
        format!("{DOMAIN}.auth.eu-west-3.amazoncognito.com"),
        "nobody.auth.us-east-1.amazoncognito.com".to_string(),
    ] {
        let answer = post(
            &server,
            "/oauth2/token",
            &[
                ("host", &host),
                ("authorization", &basic(&p.client, &p.secret)),
            ],
            "grant_type=client_credentials",
        )
        .await;
        assert_eq!(answer.status, 404, "{host}: {answer:?}");
    }
    let answer = post(
        &server,
        "/oauth2/token",
        &[("authorization", &basic(&p.client, &p.secret))],
        "grant_type=client_credentials",
    )
    .await;
    assert_eq!(answer.status, 404, "{answer:?}");
}

#[tokio::test]
async fn token_endpoint_errors() {
    let server = Server::start().await;
    let p = pool(&server).await;
    let path = format!("/{DOMAIN}/oauth2/token");
    let grant = "grant_type=client_credentials";

    // Wrong secret, by either method; a challenge answers Basic.
    let answer = post(
        &server,
        &path,
        &[("authorization", &basic(&p.client, "wrong"))],
        grant,
    )
    .await;
    assert_oauth_error(&answer, 401, "invalid_client");
    assert!(answer.headers.contains_key("www-authenticate"));
    let answer = post(
        &server,
        &path,
        &[],
        &format!("{grant}&client_id={}&client_secret=wrong", p.client),
    )
    .await;
    assert_oauth_error(&answer, 401, "invalid_client");
    // No secret, an unknown client.
    let answer = post(
        &server,
        &path,
        &[],
        &format!("{grant}&client_id={}", p.client),
    )
    .await;
    assert_oauth_error(&answer, 401, "invalid_client");
    let answer = post(
        &server,
        &path,
        &[("authorization", &basic("nobody", "x"))],
        grant,
    )
    .await;
    assert_oauth_error(&answer, 401, "invalid_client");

    let auth = basic(&p.client, &p.secret);
    // Unknown, unallowed and standard scopes.
    for scope in ["orders/delete", "openid", "other/read"] {
        let answer = post(
            &server,
            &path,
            &[("authorization", &auth)],
            &format!("{grant}&scope={scope}"),
        )
        .await;
        assert_oauth_error(&answer, 400, "invalid_scope");
    }
    // A client without the grant.
    let answer = post(
        &server,
        &path,
        &[("authorization", &basic(&p.code_client, &p.code_secret))],
        grant,
    )
    .await;
    assert_oauth_error(&answer, 400, "unauthorized_client");
    // Other grants, a missing grant, two ways of authentication, not a form.
    let answer = post(
        &server,
        &path,
        &[("authorization", &auth)],
        "grant_type=password",
    )
    .await;
    assert_oauth_error(&answer, 400, "unsupported_grant_type");
    let answer = post(
        &server,
        &path,
        &[("authorization", &auth)],
        "scope=orders/read",
    )
    .await;
    assert_oauth_error(&answer, 400, "invalid_request");
    let answer = post(
        &server,
        &path,
        &[("authorization", &auth)],
        &format!("{grant}&client_id={}&client_secret={}", p.client, p.secret),
    )
    .await;
    assert_oauth_error(&answer, 400, "invalid_request");
    let answer = server
        .send(with_body(
            Request::post(&path)
                .header("content-type", "application/json")
                .header("authorization", &auth),
            "{}",
        ))
        .await;
    assert_oauth_error(&answer, 400, "invalid_request");
}

#[tokio::test]
async fn get_client_token_issues_the_same_token() {
    let server = Server::start().await;
    let p = pool(&server).await;
    let answer = server
        .call(
            "GetClientToken",
            json!({"ClientId": p.client, "Secret": p.secret, "Scopes": ["orders/write"]}),
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let result = &answer.body["ClientAuthenticationResult"];
    assert_eq!(result["TokenType"], "Bearer");
    assert_eq!(result["ExpiresIn"], 1800);
    let claims = verify(&server, &p.id, result["AccessToken"].as_str().unwrap()).await;
    assert_eq!(claims["scope"], "orders/write");
    assert_eq!(claims["sub"], p.client.as_str());

    let wrong = server
        .call(
            "GetClientToken",
            json!({"ClientId": p.client, "Secret": "w".repeat(51)}),
        )
        .await;
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.body["__type"], "NotAuthorizedException");
    let scope = server
        .call(
            "GetClientToken",
            json!({"ClientId": p.client, "Secret": p.secret, "Scopes": ["orders/delete"]}),
        )
        .await;
    assert_eq!(scope.body["__type"], "InvalidParameterException");
}

/// A version 3 token function, a local command, changes the token the endpoint issues.
const TOKEN_FUNCTION: &str = r#"
import json, sys
event = json.load(sys.stdin)
assert event["triggerSource"] == "TokenGeneration_ClientCredentials", event
event["response"]["claimsAndScopeOverrideDetails"] = {"accessTokenGeneration": {
    "claimsToAddOrOverride": {"tenant": event["callerContext"]["clientId"][:4]},
    "scopesToSuppress": ["orders/write"]}}
print(json.dumps(event))
"#;

#[tokio::test]
async fn a_version_3_token_function_runs_for_the_grant() {
    let dir = std::env::temp_dir().join(format!("cognito-m2m-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("token.py");
    std::fs::write(&script, TOKEN_FUNCTION).unwrap();
    let server = Server::start_with(|options| {
        options.lambda_commands = vec![CommandFlag {
            name: "m2m-token".into(),
            argv: vec!["python3".into(), script.to_str().unwrap().into()],
        }];
    })
    .await;
    let arn = format!("arn:aws:lambda:{DEFAULT_REGION}:123456789012:function:m2m-token");
    let p = pool_with(
        &server,
        json!({"PoolName": "m2m-trigger", "LambdaConfig": {"PreTokenGenerationConfig": {
            "LambdaArn": arn, "LambdaVersion": "V3_0"}}}),
    )
    .await;
    let answer = post(
        &server,
        &format!("/{DOMAIN}/oauth2/token"),
        &[("authorization", &basic(&p.client, &p.secret))],
        "grant_type=client_credentials",
    )
    .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let claims = verify(
        &server,
        &p.id,
        answer.body["access_token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(claims["tenant"], &p.client[..4]);
    assert_eq!(claims["scope"], "orders/read");
    let _ = std::fs::remove_dir_all(&dir);
}
