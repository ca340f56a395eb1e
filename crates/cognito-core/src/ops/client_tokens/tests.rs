//! Machine-to-machine tokens through `GetClientToken` and `client_credentials_token`:
//! the claims, the scopes granted, the errors, and the version 3 token function.

use std::sync::{Arc, Mutex};

use cognito_model::shapes::*;
use cognito_model::ErrorKind;
use serde_json::{json, Value};

use super::*;
use crate::lambda::LambdaError;
use crate::testing::{ctx, service, Functions};

const ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:token";

struct Fixture {
    svc: Cognito,
    pool: String,
    client: String,
    secret: String,
    functions: Arc<Functions>,
}

/// A pool with the resource server `orders` (scopes `read`, `write`) and `other`
/// (`read`), and a client allowed `orders/read`, `orders/write` and `openid`, changed by
/// `client`.
fn fixture(client: impl FnOnce(&mut CreateUserPoolClientRequest)) -> Fixture {
    let functions = Arc::new(Functions::default());
    let svc = service().with_lambda(functions.clone());
    let pool = crate::testing::create_pool(&svc, "m2m").id.unwrap();
    for (identifier, scopes) in [("orders", &["read", "write"][..]), ("other", &["read"][..])] {
        svc.create_resource_server(
            &ctx(),
            CreateResourceServerRequest {
                identifier: identifier.into(),
                name: identifier.into(),
                scopes: Some(
                    scopes
                        .iter()
                        .map(|s| ResourceServerScopeType {
                            scope_name: (*s).into(),
                            scope_description: "d".into(),
                        })
                        .collect(),
                ),
                user_pool_id: pool.clone(),
            },
        )
        .unwrap();
    }
    let mut req = CreateUserPoolClientRequest {
        user_pool_id: pool.clone(),
        client_name: "service".into(),
        generate_secret: true,
        allowed_o_auth_flows_user_pool_client: true,
        allowed_o_auth_flows: Some(vec![OAuthFlowType::ClientCredentials]),
        allowed_o_auth_scopes: Some(vec![
            "orders/read".into(),
            "orders/write".into(),
            "openid".into(),
        ]),
        access_token_validity: Some(2),
        token_validity_units: Some(TokenValidityUnitsType {
            access_token: Some(TimeUnitsType::Hours),
            ..Default::default()
        }),
        ..Default::default()
    };
    client(&mut req);
    let created = svc
        .create_user_pool_client(&ctx(), req)
        .unwrap()
        .user_pool_client
        .unwrap();
    Fixture {
        svc,
        pool,
        client: created.client_id.unwrap(),
        secret: created.client_secret.unwrap_or_default(),
        functions,
    }
}

impl Fixture {
    fn token(
        &self,
        secret: &str,
        scopes: Option<Vec<String>>,
    ) -> Result<GetClientTokenResponse, CognitoError> {
        self.svc.get_client_token(
            &ctx(),
            GetClientTokenRequest {
                client_id: self.client.clone(),
                secret: secret.into(),
                scopes,
                client_metadata: Some([("k".to_string(), "v".to_string())].into()),
            },
        )
    }

    /// The claims of `token`, verified with the pool's key.
    fn claims(&self, token: &GetClientTokenResponse) -> serde_json::Map<String, Value> {
        let result = token.client_authentication_result.as_ref().unwrap();
        let jwt = result.access_token.as_deref().unwrap();
        let claims = self
            .svc
            .signing_key(&self.pool)
            .unwrap()
            .verify(jwt)
            .unwrap();
        claims.as_object().cloned().unwrap()
    }

    fn use_function(&self, version: PreTokenGenerationLambdaVersionType) {
        self.svc
            .update_user_pool(
                &ctx(),
                UpdateUserPoolRequest {
                    user_pool_id: self.pool.clone(),
                    lambda_config: Some(LambdaConfigType {
                        pre_token_generation_config: Some(PreTokenGenerationVersionConfigType {
                            lambda_arn: ARN.into(),
                            lambda_version: version,
                        }),
                        ..Default::default()
                    }),
                    user_pool_tier: Some(UserPoolTierType::Essentials),
                    ..Default::default()
                },
            )
            .unwrap();
    }
}

fn scopes(s: &[&str]) -> Option<Vec<String>> {
    Some(s.iter().map(|s| (*s).to_string()).collect())
}

#[test]
fn the_token_carries_cognitos_machine_to_machine_claims() {
    let f = fixture(|_| {});
    let token = f.token(&f.secret, None).unwrap();
    let result = token.client_authentication_result.clone().unwrap();
    assert_eq!(result.token_type.as_deref(), Some("Bearer"));
    assert_eq!(result.expires_in, Some(7200));
    let claims = f.claims(&token);
    let now = ctx().now.secs();
    assert_eq!(claims["sub"], json!(f.client));
    assert_eq!(claims["client_id"], json!(f.client));
    assert_eq!(claims["token_use"], "access");
    // Every custom scope the client is allowed; `openid` is no custom scope.
    assert_eq!(claims["scope"], "orders/read orders/write");
    assert_eq!(claims["auth_time"], json!(now));
    assert_eq!(claims["iat"], json!(now));
    assert_eq!(claims["exp"], json!(now + 7200));
    assert_eq!(claims["version"], json!(2));
    assert_eq!(
        claims["iss"],
        json!(format!("http://localhost:9229/{}", f.pool))
    );
    assert_eq!(claims["jti"].as_str().unwrap().len(), 36);
    let mut names: Vec<&str> = claims.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "auth_time",
            "client_id",
            "exp",
            "iat",
            "iss",
            "jti",
            "scope",
            "sub",
            "token_use",
            "version"
        ]
    );
    // No user's token: the user operations refuse it.
    let jwt = result.access_token.unwrap();
    let e = f
        .svc
        .get_user(&ctx(), GetUserRequest { access_token: jwt })
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotAuthorizedException);
}

#[test]
fn scopes_asked_for_are_granted_when_allowed_and_defined() {
    let f = fixture(|_| {});
    let token = f.token(&f.secret, scopes(&["orders/write"])).unwrap();
    assert_eq!(f.claims(&token)["scope"], "orders/write");
    let token = f
        .token(
            &f.secret,
            scopes(&["orders/write", "orders/read", "orders/write"]),
        )
        .unwrap();
    assert_eq!(f.claims(&token)["scope"], "orders/write orders/read");
    // Not allowed to the client, not defined by the pool, or not custom.
    for bad in ["other/read", "orders/delete", "openid", "nothing"] {
        let e = f
            .token(&f.secret, scopes(&["orders/read", bad]))
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidParameterException, "{bad}");
        assert_eq!(e.message, format!("Invalid scope requested: {bad}"));
    }
    // An empty list asks for all.
    let token = f.token(&f.secret, Some(Vec::new())).unwrap();
    assert_eq!(f.claims(&token)["scope"], "orders/read orders/write");
}

#[test]
fn a_client_allowed_no_custom_scope_gets_no_token() {
    let f = fixture(|c| c.allowed_o_auth_scopes = Some(vec!["openid".into()]));
    let e = f.token(&f.secret, None).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidParameterException);
}

#[test]
fn the_secret_must_be_one_of_the_clients() {
    let f = fixture(|_| {});
    let e = f.token("not-the-secret", None).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotAuthorizedException);
    assert_eq!(
        e.message,
        format!("Unable to verify secret for client {}", f.client)
    );
    // A second secret works as well as the first.
    let added = f
        .svc
        .add_user_pool_client_secret(
            &ctx(),
            AddUserPoolClientSecretRequest {
                user_pool_id: f.pool.clone(),
                client_id: f.client.clone(),
                client_secret: None,
            },
        )
        .unwrap();
    let second = added
        .client_secret_descriptor
        .unwrap()
        .client_secret_value
        .unwrap();
    assert!(f.token(&second, None).is_ok());
    assert!(f.token(&f.secret, None).is_ok());
}

#[test]
fn unknown_clients_and_clients_without_the_flow_are_refused() {
    let f = fixture(|_| {});
    let e = f
        .svc
        .get_client_token(
            &ctx(),
            GetClientTokenRequest {
                client_id: "nosuchclient".into(),
                secret: "s".into(),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::ResourceNotFoundException);

    // A client with a secret but without the client credentials flow.
    let g = fixture(|c| {
        c.allowed_o_auth_flows = Some(vec![OAuthFlowType::Code]);
        c.callback_urls = Some(vec!["https://example.com/cb".into()]);
    });
    let e = g.token(&g.secret, None).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotAuthorizedException);

    // The token endpoint names the pool by its domain: another pool's client is unknown.
    let other = crate::testing::create_pool(&f.svc, "other").id.unwrap();
    let e = f
        .svc
        .client_credentials_token(
            &ctx(),
            Some(&other),
            ClientCredentials {
                client_id: &f.client,
                secret: &f.secret,
                scopes: None,
                client_metadata: None,
            },
        )
        .unwrap_err();
    assert!(matches!(e, ClientTokenError::UnknownClient(_)), "{e:?}");
    let ok = f.svc.client_credentials_token(
        &ctx(),
        Some(&f.pool),
        ClientCredentials {
            client_id: &f.client,
            secret: &f.secret,
            scopes: None,
            client_metadata: None,
        },
    );
    assert!(ok.is_ok());
}

#[test]
fn domains_name_their_pools() {
    let f = fixture(|_| {});
    f.svc
        .create_user_pool_domain(
            &ctx(),
            CreateUserPoolDomainRequest {
                domain: "m2m-tests".into(),
                user_pool_id: f.pool.clone(),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        f.svc.pool_of_domain(Some("us-east-1"), "m2m-tests"),
        Some(f.pool.clone())
    );
    assert_eq!(
        f.svc.pool_of_domain(None, "m2m-tests"),
        Some(f.pool.clone())
    );
    assert_eq!(f.svc.pool_of_domain(Some("eu-west-1"), "m2m-tests"), None);
    assert_eq!(f.svc.pool_of_domain(None, "elsewhere"), None);
}

#[test]
fn a_version_3_function_changes_the_token_and_sees_a_client_credentials_event() {
    let f = fixture(|_| {});
    f.use_function(PreTokenGenerationLambdaVersionType::V30);
    let seen = Arc::new(Mutex::new(Value::Null));
    let record = seen.clone();
    f.functions.set("token", move |event| {
        *record.lock().unwrap() = event.clone();
        Ok(json!({"claimsAndScopeOverrideDetails": {
            "accessTokenGeneration": {
                "claimsToAddOrOverride": {"tenant": "acme", "tier": {"level": 2}},
                "scopesToAdd": ["orders/admin"],
                "scopesToSuppress": ["orders/write"]
            },
            "idTokenGeneration": {"claimsToAddOrOverride": {"ignored": "yes"}},
            "groupOverrideDetails": {"groupsToOverride": ["g"]}
        }}))
    });
    let token = f.token(&f.secret, None).unwrap();
    let claims = f.claims(&token);
    assert_eq!(claims["tenant"], "acme");
    assert_eq!(claims["tier"], json!({"level": 2}));
    assert_eq!(claims["scope"], "orders/read orders/admin");
    assert!(!claims.contains_key("cognito:groups"));
    assert!(!claims.contains_key("ignored"));

    let event = seen.lock().unwrap().clone();
    assert_eq!(event["version"], "3");
    assert_eq!(event["triggerSource"], "TokenGeneration_ClientCredentials");
    assert_eq!(event["userPoolId"], json!(f.pool));
    assert_eq!(event["userName"], "ClientCredentials");
    assert_eq!(event["callerContext"]["clientId"], json!(f.client));
    assert_eq!(event["request"]["userAttributes"], json!({}));
    assert_eq!(event["request"]["groupConfiguration"], Value::Null);
    assert_eq!(
        event["request"]["scopes"],
        json!(["orders/read", "orders/write"])
    );
    assert_eq!(event["request"]["clientMetadata"], json!({"k": "v"}));
    assert_eq!(
        event["response"],
        json!({"claimsAndScopeOverrideDetails": null})
    );
    let invocations = f
        .svc
        .invocations()
        .list(|i| i.pool_id == f.pool && i.trigger == Trigger::PreTokenGeneration);
    assert_eq!(invocations.len(), 1);

    // Claims that make the token what it is stay as they are.
    f.functions.set("token", |_| {
        Ok(json!({"claimsAndScopeOverrideDetails": {
            "accessTokenGeneration": {"claimsToAddOrOverride": {"sub": "someone"}}}}))
    });
    let e = f.token(&f.secret, None).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidLambdaResponseException);

    // A failing function fails the request.
    f.functions.set("token", |_| {
        Err(LambdaError::Function("no tokens today".into()))
    });
    let e = f.token(&f.secret, None).unwrap_err();
    assert_eq!(e.kind, ErrorKind::UserLambdaValidationException);
}

#[test]
fn version_1_and_2_functions_are_not_run_for_client_credentials() {
    for version in [
        PreTokenGenerationLambdaVersionType::V10,
        PreTokenGenerationLambdaVersionType::V20,
    ] {
        let f = fixture(|_| {});
        f.use_function(version);
        f.functions.set("token", |_| {
            Err(LambdaError::Function("must not run".into()))
        });
        let token = f.token(&f.secret, None).unwrap();
        assert_eq!(f.claims(&token)["scope"], "orders/read orders/write");
        assert!(f.svc.invocations().list(|i| i.pool_id == f.pool).is_empty());
    }
}
