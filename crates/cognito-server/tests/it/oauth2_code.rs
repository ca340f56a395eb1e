//! The authorization code grant over HTTP: a code minted by the test API (with a PKCE
//! challenge, a nonce and a state), exchanged at the token endpoint, the tokens verified
//! against the pool's key set, then the refresh token grant, `userInfo`, revocation, the
//! discovery document and the errors.

use http::Request;
use serde_json::{json, Value};

use cognito_crypto::jwk::RsaJwk;
use cognito_crypto::jwt::VerifyingKey;

use crate::support::{empty, with_body, Answer, Server};

const DOMAIN: &str = "code-it";
const CALLBACK: &str = "https://app.example.com/callback";
/// RFC 7636 appendix B's verifier and its S256 challenge.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

struct Pool {
    id: String,
    client: String,
}

/// A pool with the domain `code-it`, the user `alice` and a public client allowed the
/// code grant.
async fn pool(server: &Server) -> Pool {
    let created = server
        .call("CreateUserPool", json!({"PoolName": "web"}))
        .await;
    let id = created.body["UserPool"]["Id"].as_str().unwrap().to_string();
    let domain = server
        .call(
            "CreateUserPoolDomain",
            json!({"UserPoolId": id, "Domain": DOMAIN}),
        )
        .await;
    assert_eq!(domain.status, 200, "{domain:?}");
    let client = server
        .call(
            "CreateUserPoolClient",
            json!({"UserPoolId": id, "ClientName": "spa",
                "AllowedOAuthFlowsUserPoolClient": true,
                "AllowedOAuthFlows": ["code"],
                "AllowedOAuthScopes": ["openid", "email", "profile", "aws.cognito.signin.user.admin"],
                "SupportedIdentityProviders": ["COGNITO"],
                "CallbackURLs": [CALLBACK]}),
        )
        .await;
    assert_eq!(client.status, 200, "{client:?}");
    let user = server
        .call(
            "AdminCreateUser",
            json!({"UserPoolId": id, "Username": "alice", "MessageAction": "SUPPRESS",
                "UserAttributes": [{"Name": "email", "Value": "alice@example.com"},
                    {"Name": "email_verified", "Value": "true"},
                    {"Name": "given_name", "Value": "Alice"}]}),
        )
        .await;
    assert_eq!(user.status, 200, "{user:?}");
    let password = server
        .call(
            "AdminSetUserPassword",
            json!({"UserPoolId": id, "Username": "alice", "Password": "Corr3ct!horse",
                "Permanent": true}),
        )
        .await;
    assert_eq!(password.status, 200, "{password:?}");
    Pool {
        id,
        client: client.body["UserPoolClient"]["ClientId"]
            .as_str()
            .unwrap()
            .to_string(),
    }
}

async fn mint(server: &Server, body: Value) -> Answer {
    server
        .send(with_body(
            Request::post("/_cognito/authorization-codes")
                .header("content-type", "application/json"),
            &body.to_string(),
        ))
        .await
}

async fn form(server: &Server, path: &str, body: &str) -> Answer {
    server
        .send(with_body(
            Request::post(path).header("content-type", "application/x-www-form-urlencoded"),
            body,
        ))
        .await
}

fn encode(s: &str) -> String {
    s.replace(':', "%3A").replace('/', "%2F")
}

async fn verify(server: &Server, pool_id: &str, token: &str) -> Value {
    let jwks = server
        .send(empty(Request::get(format!(
            "/{pool_id}/.well-known/jwks.json"
        ))))
        .await;
    let jwk = RsaJwk::from_json(&jwks.body["keys"][0]).unwrap();
    VerifyingKey::from(jwk).verify(token).unwrap()
}

#[tokio::test]
async fn code_refresh_user_info_and_revocation() {
    let server = Server::start().await;
    let p = pool(&server).await;
    let minted = mint(
        &server,
        json!({"pool_id": p.id, "client_id": p.client, "username": "alice",
            "redirect_uri": CALLBACK, "scope": "openid email",
            "code_challenge": CHALLENGE, "code_challenge_method": "S256",
            "nonce": "n-1", "state": "s 1/2"}),
    )
    .await;
    assert_eq!(minted.status, 200, "{minted:?}");
    let code = minted.body["code"].as_str().unwrap().to_string();
    assert_eq!(
        minted.body["redirect"],
        format!("{CALLBACK}?code={code}&state=s%201%2F2")
    );

    let token_path = format!("/{DOMAIN}/oauth2/token");
    let exchange = format!(
        "grant_type=authorization_code&client_id={}&code={code}&redirect_uri={}&code_verifier={VERIFIER}",
        p.client,
        encode(CALLBACK)
    );
    let tokens = form(&server, &token_path, &exchange).await;
    assert_eq!(tokens.status, 200, "{tokens:?}");
    assert_eq!(tokens.headers["cache-control"], "no-store");
    assert_eq!(tokens.body["token_type"], "Bearer");
    assert_eq!(tokens.body["expires_in"], 3600);
    let access = tokens.body["access_token"].as_str().unwrap();
    let access_claims = verify(&server, &p.id, access).await;
    assert_eq!(access_claims["scope"], "openid email");
    let id = verify(&server, &p.id, tokens.body["id_token"].as_str().unwrap()).await;
    assert_eq!(id["nonce"], "n-1");
    assert_eq!(id["aud"], p.client.as_str());
    assert!(id["at_hash"].is_string());

    // A code works once.
    let again = form(&server, &token_path, &exchange).await;
    assert_eq!(again.status, 400, "{again:?}");
    assert_eq!(again.body["error"], "invalid_grant");
    // The second use ended the sign-in the first began.
    let refresh = tokens.body["refresh_token"].as_str().unwrap();
    let refreshed = form(
        &server,
        &token_path,
        &format!(
            "grant_type=refresh_token&client_id={}&refresh_token={refresh}",
            p.client
        ),
    )
    .await;
    assert_eq!(refreshed.body["error"], "invalid_grant", "{refreshed:?}");

    // A new sign-in: refresh, userInfo, revocation.
    let minted = mint(
        &server,
        json!({"pool_id": p.id, "client_id": p.client, "username": "alice",
            "redirect_uri": CALLBACK}),
    )
    .await;
    let code = minted.body["code"].as_str().unwrap();
    let tokens = form(
        &server,
        &token_path,
        &format!(
            "grant_type=authorization_code&client_id={}&code={code}&redirect_uri={}",
            p.client,
            encode(CALLBACK)
        ),
    )
    .await;
    assert_eq!(tokens.status, 200, "{tokens:?}");
    let refresh = tokens.body["refresh_token"].as_str().unwrap();
    let refresh_body = format!(
        "grant_type=refresh_token&client_id={}&refresh_token={refresh}",
        p.client
    );
    let refreshed = form(&server, &token_path, &refresh_body).await;
    assert_eq!(refreshed.status, 200, "{refreshed:?}");
    assert!(refreshed.body.get("refresh_token").is_none());
    let access = refreshed.body["access_token"].as_str().unwrap();
    assert_eq!(
        verify(&server, &p.id, access).await["scope"],
        "openid email profile aws.cognito.signin.user.admin"
    );

    let info = server
        .send(empty(
            Request::get(format!("/{DOMAIN}/oauth2/userInfo"))
                .header("authorization", format!("Bearer {access}")),
        ))
        .await;
    assert_eq!(info.status, 200, "{info:?}");
    assert_eq!(info.body["email"], "alice@example.com");
    assert_eq!(info.body["given_name"], "Alice");
    assert_eq!(info.body["username"], "alice");
    let unauthenticated = server
        .send(empty(Request::get(format!("/{DOMAIN}/oauth2/userInfo"))))
        .await;
    assert_eq!(unauthenticated.status, 401);
    assert_eq!(unauthenticated.body["error"], "invalid_token");
    assert!(unauthenticated.headers["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));

    let revoked = form(
        &server,
        &format!("/{DOMAIN}/oauth2/revoke"),
        &format!("token={refresh}&client_id={}", p.client),
    )
    .await;
    assert_eq!(revoked.status, 200, "{revoked:?}");
    let refused = form(&server, &token_path, &refresh_body).await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.body["error"], "invalid_grant");
}

#[tokio::test]
async fn errors_and_discovery() {
    let server = Server::start().await;
    let p = pool(&server).await;
    // The test API refuses a redirect URI that is no callback URL, and unknown users.
    let elsewhere = mint(
        &server,
        json!({"pool_id": p.id, "client_id": p.client, "username": "alice",
            "redirect_uri": "https://evil.example.com/"}),
    )
    .await;
    assert_eq!(elsewhere.status, 400, "{elsewhere:?}");
    let nobody = mint(
        &server,
        json!({"pool_id": p.id, "client_id": p.client, "username": "bob",
            "redirect_uri": CALLBACK}),
    )
    .await;
    assert_eq!(nobody.status, 404, "{nobody:?}");

    let token_path = format!("/{DOMAIN}/oauth2/token");
    let minted = mint(
        &server,
        json!({"pool_id": p.id, "client_id": p.client, "username": "alice",
            "redirect_uri": CALLBACK, "code_challenge": CHALLENGE,
            "code_challenge_method": "S256"}),
    )
    .await;
    let code = minted.body["code"].as_str().unwrap();
    // A wrong verifier, and an unknown client.
    let wrong = form(
        &server,
        &token_path,
        &format!(
            "grant_type=authorization_code&client_id={}&code={code}&redirect_uri={}&code_verifier=x{VERIFIER}",
            p.client,
            encode(CALLBACK)
        ),
    )
    .await;
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.body["error"], "invalid_grant");
    let unknown = form(
        &server,
        &token_path,
        &format!("grant_type=authorization_code&client_id=nobody&code={code}"),
    )
    .await;
    assert_eq!(unknown.status, 401);
    assert_eq!(unknown.body["error"], "invalid_client");

    let discovery = server
        .send(empty(
            Request::get(format!("/{}/.well-known/openid-configuration", p.id))
                .header("host", "localhost:9229"),
        ))
        .await;
    let at = |path: &str| format!("http://localhost:9229/{DOMAIN}/oauth2/{path}");
    assert_eq!(discovery.body["token_endpoint"], at("token").as_str());
    assert_eq!(discovery.body["userinfo_endpoint"], at("userInfo").as_str());
    assert_eq!(discovery.body["revocation_endpoint"], at("revoke").as_str());
    assert_eq!(
        discovery.body["grant_types_supported"],
        json!([
            "authorization_code",
            "refresh_token",
            "client_credentials",
            "urn:ietf:params:oauth:grant-type:token-exchange"
        ])
    );
    assert_eq!(
        discovery.body["authorization_endpoint"],
        at("authorize").as_str()
    );
    assert_eq!(
        discovery.body["end_session_endpoint"],
        format!("http://localhost:9229/{DOMAIN}/logout").as_str()
    );
}
