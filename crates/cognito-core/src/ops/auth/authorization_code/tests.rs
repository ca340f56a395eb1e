//! The authorization code grant in core: minting, exchange (single use, expiry, PKCE,
//! redirect and client binding, scopes, nonce), refresh, revocation and `userInfo`.

use std::sync::{Arc, Mutex};

use cognito_crypto::jwt::danger_decode_unverified;
use cognito_model::shapes::*;

use super::*;
use crate::lambda::{Invoked, Lambda};
use crate::testing::{ctx, ctx_at, service};

const CALLBACK: &str = "https://app.example.com/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const S256_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const SCOPES: &[&str] = &[
    "openid",
    "email",
    "profile",
    "phone",
    "aws.cognito.signin.user.admin",
];

/// Functions that answer every event unchanged, recording each.
#[derive(Default)]
struct Recorder(Mutex<Vec<Value>>);

impl Lambda for Recorder {
    fn invoke(&self, _arn: &str, event: &[u8]) -> Invoked {
        let value: Value = serde_json::from_slice(event).unwrap();
        self.0.lock().unwrap().push(value);
        Invoked {
            result: Ok(event.to_vec()),
            micros: 1,
        }
    }
}

struct Fixture {
    svc: Cognito,
    pool: String,
    client: String,
    /// A second client, with a secret.
    confidential: String,
    secret: String,
    functions: Arc<Recorder>,
}

fn client(svc: &Cognito, pool: &str, secret: bool) -> UserPoolClientType {
    svc.create_user_pool_client(
        &ctx(),
        CreateUserPoolClientRequest {
            user_pool_id: pool.into(),
            client_name: "web".into(),
            generate_secret: secret,
            allowed_o_auth_flows_user_pool_client: true,
            allowed_o_auth_flows: Some(vec![OAuthFlowType::Code]),
            allowed_o_auth_scopes: Some(SCOPES.iter().map(|s| s.to_string()).collect()),
            callback_urls: Some(vec![CALLBACK.into()]),
            supported_identity_providers: Some(vec!["COGNITO".into()]),
            ..Default::default()
        },
    )
    .unwrap()
    .user_pool_client
    .unwrap()
}

fn fixture() -> Fixture {
    let functions = Arc::new(Recorder::default());
    let svc = service().with_lambda(functions.clone());
    let arn = |name: &str| format!("arn:aws:lambda:us-east-1:123456789012:function:{name}");
    let pool = svc
        .create_user_pool(
            &ctx(),
            CreateUserPoolRequest {
                pool_name: "p".into(),
                lambda_config: Some(LambdaConfigType {
                    pre_token_generation: Some(arn("token")),
                    post_authentication: Some(arn("post")),
                    ..Default::default()
                }),
                ..Default::default()
            },
        )
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let public = client(&svc, &pool, false);
    let confidential = client(&svc, &pool, true);
    svc.admin_create_user(
        &ctx(),
        AdminCreateUserRequest {
            user_pool_id: pool.clone(),
            username: "alice".into(),
            user_attributes: Some(vec![
                attribute("email", "alice@example.com"),
                attribute("email_verified", "true"),
                attribute("phone_number", "+15555550100"),
                attribute("given_name", "Alice"),
            ]),
            message_action: Some(MessageActionType::Suppress),
            temporary_password: Some("Tempor4ry!pass".into()),
            ..Default::default()
        },
    )
    .unwrap();
    svc.admin_set_user_password(
        &ctx(),
        AdminSetUserPasswordRequest {
            user_pool_id: pool.clone(),
            username: "alice".into(),
            password: "Corr3ct!horse".into(),
            permanent: true,
        },
    )
    .unwrap();
    Fixture {
        svc,
        pool,
        client: public.client_id.unwrap(),
        confidential: confidential.client_id.unwrap(),
        secret: confidential.client_secret.unwrap(),
        functions,
    }
}

fn attribute(name: &str, value: &str) -> AttributeType {
    AttributeType {
        name: name.into(),
        value: Some(value.into()),
    }
}

fn claims(token: &str) -> Value {
    danger_decode_unverified(token).unwrap().1
}

impl Fixture {
    fn request<'a>(&'a self, client: &'a str) -> CodeRequest<'a> {
        CodeRequest {
            pool_id: &self.pool,
            client_id: client,
            username: "alice",
            redirect_uri: CALLBACK,
            scopes: None,
            challenge: Some((S256_CHALLENGE, ChallengeMethod::S256)),
            nonce: Some("n-0S6_WzA2Mj"),
        }
    }

    fn mint(&self, request: CodeRequest<'_>) -> String {
        self.svc.mint_authorization_code(&ctx(), request).unwrap()
    }

    fn public(&self) -> ClientAuth<'_> {
        ClientAuth {
            client_id: &self.client,
            secret: None,
        }
    }

    fn exchange_at(
        &self,
        at: &RequestContext,
        auth: ClientAuth<'_>,
        code: &str,
        verifier: Option<&str>,
    ) -> Result<OAuthTokens, GrantError> {
        self.svc.exchange_authorization_code(
            at,
            &self.pool,
            auth,
            CodeExchange {
                code,
                redirect_uri: Some(CALLBACK),
                code_verifier: verifier,
            },
        )
    }

    fn exchange(&self, code: &str, verifier: Option<&str>) -> Result<OAuthTokens, GrantError> {
        self.exchange_at(&ctx_at(1_700_000_010), self.public(), code, verifier)
    }
}

fn invalid_grant(result: Result<OAuthTokens, GrantError>) {
    assert!(
        matches!(result, Err(GrantError::InvalidGrant(_))),
        "{result:?}"
    );
}

#[test]
fn a_code_is_exchanged_for_tokens_with_its_scopes_nonce_and_at_hash() {
    let f = fixture();
    let code = f.mint(f.request(&f.client));
    let tokens = f.exchange(&code, Some(VERIFIER)).unwrap();
    let access = claims(&tokens.access_token);
    assert_eq!(access["scope"], SCOPES.join(" "));
    assert_eq!(access["client_id"], f.client.as_str());
    assert_eq!(access["username"], "alice");
    let id = claims(tokens.id_token.as_deref().unwrap());
    assert_eq!(id["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(id["aud"], f.client.as_str());
    assert_eq!(id["email"], "alice@example.com");
    let digest = Sha256::digest(tokens.access_token.as_bytes());
    let expected = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16]);
    assert_eq!(id["at_hash"], expected.as_str());
    assert!(tokens.refresh_token.is_some());
    assert_eq!(tokens.expires_in, 3600);
    // A hosted sign-in: PostAuthentication, then PreTokenGeneration as HostedAuth.
    let events = f.functions.0.lock().unwrap();
    let sources: Vec<&str> = events
        .iter()
        .map(|e| e["triggerSource"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        [
            "PostAuthentication_Authentication",
            "TokenGeneration_HostedAuth"
        ]
    );
}

#[test]
fn a_code_works_once_and_its_second_use_revokes_what_the_first_issued() {
    let f = fixture();
    let code = f.mint(f.request(&f.client));
    let tokens = f.exchange(&code, Some(VERIFIER)).unwrap();
    invalid_grant(f.exchange(&code, Some(VERIFIER)));
    let refresh = tokens.refresh_token.unwrap();
    let refreshed =
        f.svc
            .refresh_token_grant(&ctx_at(1_700_000_020), &f.pool, f.public(), &refresh);
    assert!(
        matches!(refreshed, Err(GrantError::InvalidGrant(_))),
        "{refreshed:?}"
    );
}

#[test]
fn a_code_expires_after_five_minutes() {
    let f = fixture();
    let minted = 1_700_000_000;
    let code = f.mint(f.request(&f.client));
    invalid_grant(f.exchange_at(&ctx_at(minted + 300), f.public(), &code, Some(VERIFIER)));
    let code = f.mint(f.request(&f.client));
    f.exchange_at(&ctx_at(minted + 299), f.public(), &code, Some(VERIFIER))
        .unwrap();
}

#[test]
fn pkce_verifiers_are_checked() {
    let f = fixture();
    let code = f.mint(f.request(&f.client));
    invalid_grant(f.exchange(&code, Some("wrong-verifier-wrong-verifier-wrong-verifier")));
    // The failed attempt used the code up.
    invalid_grant(f.exchange(&code, Some(VERIFIER)));
    let code = f.mint(f.request(&f.client));
    invalid_grant(f.exchange(&code, None));

    let plain = CodeRequest {
        challenge: Some((VERIFIER, ChallengeMethod::Plain)),
        ..f.request(&f.client)
    };
    let code = f.mint(plain);
    f.exchange(&code, Some(VERIFIER)).unwrap();

    let none = CodeRequest {
        challenge: None,
        ..f.request(&f.client)
    };
    let code = f.mint(none);
    invalid_grant(f.exchange(&code, Some(VERIFIER)));
    let code = f.mint(none);
    f.exchange(&code, None).unwrap();

    let short = CodeRequest {
        challenge: Some(("short", ChallengeMethod::S256)),
        ..f.request(&f.client)
    };
    assert_eq!(
        f.svc
            .mint_authorization_code(&ctx(), short)
            .unwrap_err()
            .kind,
        ErrorKind::InvalidParameterException
    );
}

#[test]
fn a_code_is_bound_to_its_redirect_uri_and_client() {
    let f = fixture();
    let code = f.mint(f.request(&f.client));
    let other = f.svc.exchange_authorization_code(
        &ctx(),
        &f.pool,
        f.public(),
        CodeExchange {
            code: &code,
            redirect_uri: Some("https://app.example.com/other"),
            code_verifier: Some(VERIFIER),
        },
    );
    invalid_grant(other);

    let code = f.mint(f.request(&f.client));
    let confidential = ClientAuth {
        client_id: &f.confidential,
        secret: Some(&f.secret),
    };
    invalid_grant(f.exchange_at(&ctx(), confidential, &code, Some(VERIFIER)));

    // A client with a secret must send it; one without must send none.
    let code = f.mint(f.request(&f.confidential));
    let unauthenticated = ClientAuth {
        client_id: &f.confidential,
        secret: None,
    };
    let refused = f.exchange_at(&ctx(), unauthenticated, &code, Some(VERIFIER));
    assert!(
        matches!(refused, Err(GrantError::InvalidClient)),
        "{refused:?}"
    );
    let wrong = ClientAuth {
        client_id: &f.confidential,
        secret: Some("wrong"),
    };
    let refused = f.exchange_at(&ctx(), wrong, &code, Some(VERIFIER));
    assert!(
        matches!(refused, Err(GrantError::InvalidClient)),
        "{refused:?}"
    );
    f.exchange_at(&ctx(), confidential, &code, Some(VERIFIER))
        .unwrap();
    let public_with_secret = ClientAuth {
        client_id: &f.client,
        secret: Some("anything"),
    };
    let code = f.mint(f.request(&f.client));
    let refused = f.exchange_at(&ctx(), public_with_secret, &code, Some(VERIFIER));
    assert!(
        matches!(refused, Err(GrantError::InvalidClient)),
        "{refused:?}"
    );

    // The redirect URI must be a callback URL when minting.
    let elsewhere = CodeRequest {
        redirect_uri: "https://evil.example.com/",
        ..f.request(&f.client)
    };
    assert_eq!(
        f.svc
            .mint_authorization_code(&ctx(), elsewhere)
            .unwrap_err()
            .kind,
        ErrorKind::InvalidParameterException
    );
}

#[test]
fn scopes_are_the_clients_and_openid_makes_the_id_token() {
    let f = fixture();
    let asked = vec!["email".to_string(), "aws.cognito.signin.user.admin".into()];
    let code = f.mint(CodeRequest {
        scopes: Some(&asked),
        ..f.request(&f.client)
    });
    let tokens = f.exchange(&code, Some(VERIFIER)).unwrap();
    assert!(tokens.id_token.is_none());
    assert_eq!(
        claims(&tokens.access_token)["scope"],
        "email aws.cognito.signin.user.admin"
    );
    let unknown = vec!["orders/read".to_string()];
    assert_eq!(
        f.svc
            .mint_authorization_code(
                &ctx(),
                CodeRequest {
                    scopes: Some(&unknown),
                    ..f.request(&f.client)
                }
            )
            .unwrap_err()
            .kind,
        ErrorKind::InvalidParameterException
    );
}

#[test]
fn only_users_who_can_sign_in_get_codes() {
    let f = fixture();
    let nobody = CodeRequest {
        username: "bob",
        ..f.request(&f.client)
    };
    assert_eq!(
        f.svc
            .mint_authorization_code(&ctx(), nobody)
            .unwrap_err()
            .kind,
        ErrorKind::UserNotFoundException
    );
    // A user with a temporary password has not finished signing up.
    f.svc
        .admin_create_user(
            &ctx(),
            AdminCreateUserRequest {
                user_pool_id: f.pool.clone(),
                username: "carol".into(),
                message_action: Some(MessageActionType::Suppress),
                temporary_password: Some("Tempor4ry!pass".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let pending = CodeRequest {
        username: "carol",
        ..f.request(&f.client)
    };
    assert_eq!(
        f.svc
            .mint_authorization_code(&ctx(), pending)
            .unwrap_err()
            .kind,
        ErrorKind::UserNotConfirmedException
    );
    // A code minted before the user was disabled no longer works.
    let code = f.mint(f.request(&f.client));
    f.svc
        .admin_disable_user(
            &ctx(),
            AdminDisableUserRequest {
                user_pool_id: f.pool.clone(),
                username: "alice".into(),
            },
        )
        .unwrap();
    assert_eq!(
        f.svc
            .mint_authorization_code(&ctx(), f.request(&f.client))
            .unwrap_err()
            .kind,
        ErrorKind::NotAuthorizedException
    );
    invalid_grant(f.exchange(&code, Some(VERIFIER)));
}

#[test]
fn refresh_keeps_the_codes_scopes_and_revocation_ends_it() {
    let f = fixture();
    let code = f.mint(f.request(&f.client));
    let tokens = f.exchange(&code, Some(VERIFIER)).unwrap();
    let refresh = tokens.refresh_token.unwrap();
    let refreshed = f
        .svc
        .refresh_token_grant(&ctx_at(1_700_000_100), &f.pool, f.public(), &refresh)
        .unwrap();
    assert_eq!(claims(&refreshed.access_token)["scope"], SCOPES.join(" "));
    assert!(refreshed.id_token.is_some());
    assert!(refreshed.refresh_token.is_none());
    let sources: Vec<String> = f.functions.0.lock().unwrap()[2..]
        .iter()
        .map(|e| e["triggerSource"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(sources, ["TokenGeneration_RefreshTokens"]);

    let confidential = ClientAuth {
        client_id: &f.confidential,
        secret: Some(&f.secret),
    };
    assert!(matches!(
        f.svc
            .refresh_token_grant(&ctx(), &f.pool, confidential, &refresh),
        Err(GrantError::InvalidGrant(_))
    ));
    assert!(matches!(
        f.svc
            .revoke_refresh_token(&ctx(), &f.pool, f.public(), &tokens.access_token),
        Err(GrantError::UnsupportedTokenType)
    ));
    f.svc
        .revoke_refresh_token(&ctx(), &f.pool, f.public(), &refresh)
        .unwrap();
    assert!(matches!(
        f.svc
            .refresh_token_grant(&ctx(), &f.pool, f.public(), &refresh),
        Err(GrantError::InvalidGrant(_))
    ));
}

#[test]
fn user_info_answers_the_claims_of_the_tokens_scopes() {
    let f = fixture();
    let asked = vec!["openid".to_string(), "email".into()];
    let code = f.mint(CodeRequest {
        scopes: Some(&asked),
        ..f.request(&f.client)
    });
    let tokens = f.exchange(&code, Some(VERIFIER)).unwrap();
    let info = f.svc.user_info(&ctx(), &tokens.access_token).unwrap();
    let names: Vec<&str> = info.keys().map(String::as_str).collect();
    assert_eq!(names.len(), 4, "{info:?}");
    assert_eq!(info["email"], "alice@example.com");
    assert_eq!(info["email_verified"], "true");
    assert_eq!(info["username"], "alice");
    assert!(info["sub"].is_string());

    let code = f.mint(f.request(&f.client));
    let all = f.exchange(&code, Some(VERIFIER)).unwrap();
    let info = f.svc.user_info(&ctx(), &all.access_token).unwrap();
    assert_eq!(info["given_name"], "Alice");
    assert_eq!(info["phone_number"], "+15555550100");

    // Without `openid`, and once expired, the token does not do.
    let asked = vec!["email".to_string()];
    let code = f.mint(CodeRequest {
        scopes: Some(&asked),
        ..f.request(&f.client)
    });
    let tokens = f.exchange(&code, Some(VERIFIER)).unwrap();
    assert!(matches!(
        f.svc.user_info(&ctx(), &tokens.access_token),
        Err(GrantError::InvalidToken(_))
    ));
    assert!(matches!(
        f.svc.user_info(&ctx_at(1_700_003_700), &all.access_token),
        Err(GrantError::InvalidToken(_))
    ));
}
