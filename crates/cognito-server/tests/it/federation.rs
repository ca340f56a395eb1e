//! Federated sign-in between two servers: one's pool trusts the other's pool as its
//! OpenID Connect provider. Both serve HTTPS with the local CA of one folder, so the
//! first reaches the second's discovery document, key set, token and userInfo endpoints
//! over HTTPS it checks. The browser's steps go through the managed login's
//! `/oauth2/authorize` and `/oauth2/idpresponse`; the person's sign-in at the provider is
//! the test API's code.

use std::path::PathBuf;

use http::Request;
use serde_json::{json, Value};

use cognito_crypto::jwk::RsaJwk;
use cognito_crypto::jwt::VerifyingKey;

use crate::support::{empty, with_body, Server};

const APP: &str = "https://app.example.com/callback";

/// A folder of the test's own, removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn ok(server: &Server, operation: &str, body: Value) -> Value {
    let answer = server.call(operation, body).await;
    assert_eq!(answer.status, 200, "{operation}: {answer:?}");
    answer.body
}

/// A browser: follows no redirect, keeps no cookie.
fn browser() -> ureq::Agent {
    ureq::AgentBuilder::new().redirects(0).build()
}

/// Where a redirect answer sends the browser.
fn location(response: Result<ureq::Response, ureq::Error>) -> url::Url {
    let response = match response {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(response.status(), 302, "{:?}", response.into_string());
    url::Url::parse(response.header("location").unwrap()).unwrap()
}

fn query(url: &url::Url, name: &str) -> String {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("{name} in {url}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pool_signs_in_through_another_servers_pool() {
    let scratch =
        Scratch(std::env::temp_dir().join(format!("cognito-federation-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&scratch.0);
    let tls = |options: &mut cognito_server::Options| {
        options.tls = true;
        options.tls_dir = Some(scratch.0.clone());
    };
    let idp = Server::start_with(tls).await;
    let app = Server::start_with(tls).await;
    let app_base = format!("http://localhost:{}", app.addr.port());
    let idpresponse = format!("{app_base}/app-it/oauth2/idpresponse");

    // The provider: a pool with a domain, a confidential client for the app's pool, and
    // the person alice.
    let idp_pool = ok(&idp, "CreateUserPool", json!({"PoolName": "idp"})).await["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        &idp,
        "CreateUserPoolDomain",
        json!({"UserPoolId": idp_pool, "Domain": "idp-it"}),
    )
    .await;
    let idp_client = ok(
        &idp,
        "CreateUserPoolClient",
        json!({"UserPoolId": idp_pool, "ClientName": "app-pool", "GenerateSecret": true,
            "AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": ["openid", "email"],
            "SupportedIdentityProviders": ["COGNITO"], "CallbackURLs": [idpresponse]}),
    )
    .await["UserPoolClient"]
        .clone();
    ok(
        &idp,
        "AdminCreateUser",
        json!({"UserPoolId": idp_pool, "Username": "alice", "MessageAction": "SUPPRESS",
            "UserAttributes": [{"Name": "email", "Value": "alice@example.com"},
                {"Name": "email_verified", "Value": "true"}]}),
    )
    .await;
    ok(
        &idp,
        "AdminSetUserPassword",
        json!({"UserPoolId": idp_pool, "Username": "alice", "Password": "Corr3ct!horse",
            "Permanent": true}),
    )
    .await;
    let alice_sub = ok(
        &idp,
        "AdminGetUser",
        json!({"UserPoolId": idp_pool, "Username": "alice"}),
    )
    .await["UserAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["Name"] == "sub")
        .unwrap()["Value"]
        .as_str()
        .unwrap()
        .to_owned();

    // The app's pool, trusting the provider's pool by its issuer.
    let app_pool = ok(&app, "CreateUserPool", json!({"PoolName": "app"})).await["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        &app,
        "CreateUserPoolDomain",
        json!({"UserPoolId": app_pool, "Domain": "app-it"}),
    )
    .await;
    let issuer = format!("https://127.0.0.1:{}/{idp_pool}", idp.addr.port());
    ok(
        &app,
        "CreateIdentityProvider",
        json!({"UserPoolId": app_pool, "ProviderName": "Corp", "ProviderType": "OIDC",
            "ProviderDetails": {"client_id": idp_client["ClientId"],
                "client_secret": idp_client["ClientSecret"],
                "authorize_scopes": "openid email", "oidc_issuer": issuer},
            "AttributeMapping": {"email": "email", "email_verified": "email_verified"}}),
    )
    .await;
    let app_client = ok(
        &app,
        "CreateUserPoolClient",
        json!({"UserPoolId": app_pool, "ClientName": "web",
            "AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": ["openid", "email"],
            "SupportedIdentityProviders": ["Corp"], "CallbackURLs": [APP]}),
    )
    .await["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();

    let to_idp = tokio::task::spawn_blocking({
        let authorize = format!("{app_base}/app-it/oauth2/authorize");
        let app_client = app_client.clone();
        // The app sends the browser to its pool, which sends it to the provider.
        move || {
            location(
                browser()
                    .get(&authorize)
                    .query("client_id", &app_client)
                    .query("response_type", "code")
                    .query("redirect_uri", APP)
                    .query("scope", "openid email")
                    .query("state", "app-state")
                    .query("identity_provider", "Corp")
                    .call(),
            )
        }
    })
    .await
    .unwrap();
    assert_eq!(
        to_idp.as_str().split('?').next().unwrap(),
        format!(
            "https://127.0.0.1:{}/idp-it/oauth2/authorize",
            idp.addr.port()
        )
    );
    assert_eq!(
        query(&to_idp, "client_id"),
        idp_client["ClientId"].as_str().unwrap()
    );
    assert_eq!(query(&to_idp, "redirect_uri"), idpresponse);
    assert_eq!(query(&to_idp, "code_challenge_method"), "S256");

    // Alice signs in at the provider, which sends the browser back with a code.
    let minted = idp
        .send(with_body(
            Request::post("/_cognito/authorization-codes")
                .header("content-type", "application/json"),
            &json!({"pool_id": idp_pool, "client_id": idp_client["ClientId"],
                "username": "alice", "redirect_uri": idpresponse,
                "scope": query(&to_idp, "scope"),
                "code_challenge": query(&to_idp, "code_challenge"),
                "code_challenge_method": "S256", "nonce": query(&to_idp, "nonce")})
            .to_string(),
        ))
        .await;
    assert_eq!(minted.status, 200, "{minted:?}");
    let code = minted.body["code"].as_str().unwrap().to_owned();
    let state = query(&to_idp, "state");

    let tokens = tokio::task::spawn_blocking({
        let app_base = app_base.clone();
        move || {
            // The app's pool finishes the sign-in and answers the app with its own code.
            let to_app = location(
                browser()
                    .get(&format!("{app_base}/app-it/oauth2/idpresponse"))
                    .query("code", &code)
                    .query("state", &state)
                    .call(),
            );
            assert_eq!(to_app.as_str().split('?').next().unwrap(), APP);
            assert_eq!(query(&to_app, "state"), "app-state");
            browser()
                .post(&format!("{app_base}/app-it/oauth2/token"))
                .send_form(&[
                    ("grant_type", "authorization_code"),
                    ("client_id", &app_client),
                    ("code", &query(&to_app, "code")),
                    ("redirect_uri", APP),
                ])
                .unwrap()
                .into_string()
                .unwrap()
        }
    })
    .await
    .unwrap();

    let jwks = app
        .send(empty(Request::get(format!(
            "/{app_pool}/.well-known/jwks.json"
        ))))
        .await;
    let key = VerifyingKey::from(RsaJwk::from_json(&jwks.body["keys"][0]).unwrap());
    let tokens: Value = serde_json::from_str(&tokens).unwrap();
    let claims = key.verify(tokens["id_token"].as_str().unwrap()).unwrap();
    let username = format!("Corp_{alice_sub}");
    assert_eq!(claims["cognito:username"], username.as_str());
    assert_eq!(claims["email"], "alice@example.com");
    assert_eq!(claims["email_verified"], true);
    let identity = &claims["identities"][0];
    assert_eq!(identity["userId"], alice_sub.as_str());
    assert_eq!(identity["providerName"], "Corp");
    assert_eq!(identity["providerType"], "OIDC");
    assert_eq!(identity["primary"], "true");
    let user = ok(
        &app,
        "AdminGetUser",
        json!({"UserPoolId": app_pool, "Username": username}),
    )
    .await;
    assert_eq!(user["UserStatus"], "EXTERNAL_PROVIDER");
    let _ = app.shut_down().await;
    let _ = idp.shut_down().await;
}
