//! The managed login in core: authorization requests, the pages' sign-ins through their
//! challenges, browser sessions and the grants that end them.

use std::collections::BTreeMap;

use cognito_crypto::jwt::danger_decode_unverified;
use cognito_model::shapes::*;

use super::*;
use crate::auth::authorization_code::{ClientAuth, CodeExchange};
use crate::testing::{create_pool, ctx, ctx_at, service};

const CALLBACK: &str = "https://app.example.com/callback";
/// When `ctx()` is.
const T: i64 = 1_700_000_000;

struct Fixture {
    svc: Cognito,
    pool: String,
    client: String,
}

fn fixture(flows: Vec<OAuthFlowType>) -> Fixture {
    let svc = service();
    let pool = create_pool(&svc, "p").id.unwrap();
    let client = svc
        .create_user_pool_client(
            &ctx(),
            CreateUserPoolClientRequest {
                user_pool_id: pool.clone(),
                client_name: "web".into(),
                generate_secret: true,
                allowed_o_auth_flows_user_pool_client: true,
                allowed_o_auth_flows: Some(flows),
                allowed_o_auth_scopes: Some(vec!["openid".into(), "email".into()]),
                callback_urls: Some(vec![CALLBACK.into()]),
                supported_identity_providers: Some(vec!["COGNITO".into()]),
                ..Default::default()
            },
        )
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    Fixture { svc, pool, client }
}

impl Fixture {
    fn user(&self, name: &str, permanent: bool) {
        self.svc
            .admin_create_user(
                &ctx(),
                AdminCreateUserRequest {
                    user_pool_id: self.pool.clone(),
                    username: name.into(),
                    temporary_password: Some("Temp-pass1".into()),
                    message_action: Some(MessageActionType::Suppress),
                    ..Default::default()
                },
            )
            .unwrap();
        if permanent {
            self.svc
                .admin_set_user_password(
                    &ctx(),
                    AdminSetUserPasswordRequest {
                        user_pool_id: self.pool.clone(),
                        username: name.into(),
                        password: "Passw0rd!".into(),
                        permanent: true,
                    },
                )
                .unwrap();
        }
    }

    fn request<'a>(&'a self, response_type: &'a str) -> AuthorizeRequest<'a> {
        AuthorizeRequest {
            client_id: Some(&self.client),
            redirect_uri: Some(CALLBACK),
            response_type: Some(response_type),
            scope: Some("openid email"),
            state: Some("st"),
            nonce: Some("n-1"),
            ..Default::default()
        }
    }

    fn signed_in(&self, step: HostedStep) -> SignedIn {
        match step {
            HostedStep::SignedIn(s) => s,
            HostedStep::Challenge { name, .. } => panic!("challenge {name:?}"),
        }
    }
}

#[test]
fn requests_are_checked_against_the_client() {
    let f = fixture(vec![OAuthFlowType::Code]);
    let (authorization, page) = f
        .svc
        .check_authorize_request(&f.pool, f.request("code"))
        .unwrap();
    assert_eq!(authorization.scopes, ["openid", "email"]);
    assert_eq!(authorization.response_type, ResponseType::Code);
    assert!(page.cognito && page.self_sign_up);
    assert_eq!(page.client_name, "web");

    let wrong_uri = AuthorizeRequest {
        redirect_uri: Some("https://evil.example.com/"),
        ..f.request("code")
    };
    assert!(matches!(
        f.svc.check_authorize_request(&f.pool, wrong_uri),
        Err(AuthorizeError::Shown {
            error: "redirect_mismatch",
            ..
        })
    ));
    let unknown = AuthorizeRequest {
        client_id: Some("nope"),
        ..f.request("code")
    };
    assert!(matches!(
        f.svc.check_authorize_request(&f.pool, unknown),
        Err(AuthorizeError::Shown { .. })
    ));
    // The implicit grant is not the client's: said to the redirect URI, with the state.
    match f.svc.check_authorize_request(&f.pool, f.request("token")) {
        Err(AuthorizeError::Redirected {
            error,
            state,
            response_type,
            ..
        }) => {
            assert_eq!(error, "unauthorized_client");
            assert_eq!(state.as_deref(), Some("st"));
            assert_eq!(response_type, ResponseType::Token);
        }
        other => panic!("{other:?}"),
    }
    let scope = AuthorizeRequest {
        scope: Some("openid phone"),
        ..f.request("code")
    };
    assert!(matches!(
        f.svc.check_authorize_request(&f.pool, scope),
        Err(AuthorizeError::Redirected {
            error: "invalid_scope",
            ..
        })
    ));
    let pkce = AuthorizeRequest {
        code_challenge: Some("short"),
        code_challenge_method: Some("S256"),
        ..f.request("code")
    };
    assert!(matches!(
        f.svc.check_authorize_request(&f.pool, pkce),
        Err(AuthorizeError::Redirected {
            error: "invalid_request",
            ..
        })
    ));
    let provider = AuthorizeRequest {
        identity_provider: Some("Google"),
        ..f.request("code")
    };
    assert!(matches!(
        f.svc.check_authorize_request(&f.pool, provider),
        Err(AuthorizeError::Redirected {
            error: "invalid_request",
            ..
        })
    ));
}

#[test]
fn a_page_sign_in_ends_in_a_session_and_a_code_that_works_once() {
    let f = fixture(vec![OAuthFlowType::Code]);
    f.user("ana", true);
    let (authorization, _) = f
        .svc
        .check_authorize_request(&f.pool, f.request("code"))
        .unwrap();
    let wrong = f
        .svc
        .hosted_sign_in(&ctx(), &f.pool, &f.client, "ana", "wrong")
        .unwrap_err();
    assert_eq!(wrong.kind, ErrorKind::NotAuthorizedException);
    let signed_in = f.signed_in(
        f.svc
            .hosted_sign_in(&ctx(), &f.pool, &f.client, "ana", "Passw0rd!")
            .unwrap(),
    );
    assert_eq!(signed_in.username(), "ana");

    let cookie = f
        .svc
        .begin_login_session(&ctx(), &f.pool, &signed_in)
        .unwrap();
    let again = f
        .svc
        .login_session(&ctx_at(T + 3599), &f.pool, &cookie)
        .unwrap();
    assert_eq!(again.username(), "ana");
    assert!(f
        .svc
        .login_session(&ctx_at(T + 3600), &f.pool, &cookie)
        .is_none());

    let Granted::Code(code) = f
        .svc
        .grant(&ctx(), &f.pool, &authorization, &signed_in)
        .unwrap()
    else {
        panic!("a code")
    };
    let secret = f
        .svc
        .describe_user_pool_client(
            &ctx(),
            DescribeUserPoolClientRequest {
                user_pool_id: f.pool.clone(),
                client_id: f.client.clone(),
            },
        )
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_secret
        .unwrap();
    let auth = ClientAuth {
        client_id: &f.client,
        secret: Some(&secret),
    };
    let exchange = CodeExchange {
        code: &code,
        redirect_uri: Some(CALLBACK),
        code_verifier: None,
    };
    let tokens = f
        .svc
        .exchange_authorization_code(&ctx(), &f.pool, auth, exchange)
        .unwrap();
    let (_, id) = danger_decode_unverified(tokens.id_token.as_deref().unwrap()).unwrap();
    assert_eq!(id["nonce"], "n-1");
    assert_eq!(id["amr"], serde_json::json!(["pwd"]));
    assert!(f
        .svc
        .exchange_authorization_code(&ctx(), &f.pool, auth, exchange)
        .is_err());

    f.svc.end_login_session(&f.pool, &cookie);
    assert!(f.svc.login_session(&ctx(), &f.pool, &cookie).is_none());
}

#[test]
fn the_implicit_grant_gives_tokens_without_a_refresh_token() {
    let f = fixture(vec![OAuthFlowType::Implicit]);
    f.user("ana", true);
    let (authorization, _) = f
        .svc
        .check_authorize_request(&f.pool, f.request("token"))
        .unwrap();
    let signed_in = f.signed_in(
        f.svc
            .hosted_sign_in(&ctx(), &f.pool, &f.client, "ana", "Passw0rd!")
            .unwrap(),
    );
    let Granted::Tokens(tokens) = f
        .svc
        .grant(&ctx(), &f.pool, &authorization, &signed_in)
        .unwrap()
    else {
        panic!("tokens")
    };
    assert!(tokens.refresh_token.is_none());
    let (_, access) = danger_decode_unverified(&tokens.access_token).unwrap();
    assert_eq!(access["scope"], "openid email");
    let (_, id) = danger_decode_unverified(tokens.id_token.as_deref().unwrap()).unwrap();
    assert_eq!(id["nonce"], "n-1");
    assert!(id["at_hash"].is_string());
}

#[test]
fn a_temporary_password_is_changed_on_the_page_and_its_session_is_the_pages_only() {
    let f = fixture(vec![OAuthFlowType::Code]);
    f.user("ben", false);
    let step = f
        .svc
        .hosted_sign_in(&ctx(), &f.pool, &f.client, "ben", "Temp-pass1")
        .unwrap();
    let HostedStep::Challenge { name, session, .. } = step else {
        panic!("a challenge")
    };
    assert_eq!(name, ChallengeNameType::NewPasswordRequired);

    // The API cannot answer a page's session.
    let api = f.svc.respond_to_auth_challenge(
        &ctx(),
        RespondToAuthChallengeRequest {
            client_id: f.client.clone(),
            challenge_name: name,
            session: Some(session.clone()),
            challenge_responses: Some(ChallengeResponsesType::from([
                ("USERNAME".to_owned(), "ben".to_owned()),
                ("NEW_PASSWORD".to_owned(), "Another-pass1".to_owned()),
            ])),
            analytics_metadata: None,
            client_metadata: None,
            user_context_data: None,
        },
    );
    assert!(api.is_err());

    let step = f
        .svc
        .hosted_sign_in(&ctx(), &f.pool, &f.client, "ben", "Temp-pass1")
        .unwrap();
    let HostedStep::Challenge { session, .. } = step else {
        panic!("a challenge")
    };
    let responses = BTreeMap::from([("NEW_PASSWORD".to_owned(), "Another-pass1".to_owned())]);
    let signed_in = f.signed_in(
        f.svc
            .hosted_respond(&ctx(), &f.pool, &f.client, name, &session, responses)
            .unwrap(),
    );
    assert_eq!(signed_in.username(), "ben");
    // Nor is an unknown session a page's.
    let err = f
        .svc
        .hosted_respond(
            &ctx(),
            &f.pool,
            &f.client,
            name,
            "p.unknown",
            BTreeMap::new(),
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotAuthorizedException);
}

#[test]
fn a_software_token_code_is_asked_for_after_the_password() {
    let f = fixture(vec![OAuthFlowType::Code]);
    f.user("cy", true);
    f.svc
        .set_user_pool_mfa_config(
            &ctx(),
            SetUserPoolMfaConfigRequest {
                user_pool_id: f.pool.clone(),
                software_token_mfa_configuration: Some(SoftwareTokenMfaConfigType {
                    enabled: true,
                }),
                mfa_configuration: Some(UserPoolMfaType::On),
                ..Default::default()
            },
        )
        .unwrap();
    // Set-up first: the page shows the secret, then takes a code for it.
    let HostedStep::Challenge { name, session, .. } = f
        .svc
        .hosted_sign_in(&ctx(), &f.pool, &f.client, "cy", "Passw0rd!")
        .unwrap()
    else {
        panic!("a challenge")
    };
    assert_eq!(name, ChallengeNameType::MfaSetup);
    let associated = f
        .svc
        .associate_software_token(
            &ctx(),
            AssociateSoftwareTokenRequest {
                session: Some(session),
                ..Default::default()
            },
        )
        .unwrap();
    let code = f.svc.software_token_code(ctx().now, &f.pool, "cy").unwrap();
    let verified = f
        .svc
        .verify_software_token(
            &ctx(),
            VerifySoftwareTokenRequest {
                session: associated.session,
                user_code: code.expose().clone(),
                ..Default::default()
            },
        )
        .unwrap();
    let signed_in = f.signed_in(
        f.svc
            .hosted_respond(
                &ctx(),
                &f.pool,
                &f.client,
                name,
                &verified.session.unwrap(),
                BTreeMap::new(),
            )
            .unwrap(),
    );
    assert_eq!(signed_in.username(), "cy");

    // Next time: the code.
    let HostedStep::Challenge { name, session, .. } = f
        .svc
        .hosted_sign_in(&ctx_at(T + 60), &f.pool, &f.client, "cy", "Passw0rd!")
        .unwrap()
    else {
        panic!("a challenge")
    };
    assert_eq!(name, ChallengeNameType::SoftwareTokenMfa);
    let code = f
        .svc
        .software_token_code(ctx_at(T + 60).now, &f.pool, "cy")
        .unwrap();
    let responses = BTreeMap::from([("SOFTWARE_TOKEN_MFA_CODE".to_owned(), code.expose().clone())]);
    let signed_in = f.signed_in(
        f.svc
            .hosted_respond(
                &ctx_at(T + 60),
                &f.pool,
                &f.client,
                name,
                &session,
                responses,
            )
            .unwrap(),
    );
    let Granted::Code(code) = f
        .svc
        .grant(
            &ctx_at(T + 60),
            &f.pool,
            &f.svc
                .check_authorize_request(&f.pool, f.request("code"))
                .unwrap()
                .0,
            &signed_in,
        )
        .unwrap()
    else {
        panic!("a code")
    };
    assert!(!code.is_empty());
}
