//! Token exchange in core: impersonation and delegation (`act`), scope narrowing,
//! audience binding, ID tokens, the subject token's checks, the client's flows and
//! secret, and what the API answers for each refusal.

use cognito_crypto::jwt::danger_decode_unverified;
use cognito_model::shapes::*;

use super::*;
use crate::ops::auth::authorization_code::{ChallengeMethod, CodeExchange, CodeRequest};
use crate::testing::{ctx, ctx_at, service};

const CALLBACK: &str = "https://app.example.com/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
/// When the subject tokens are issued; they last an hour.
const SIGNED_IN: i64 = 1_700_000_010;

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|s| s.to_string()).collect()
}

/// A pool with resource servers `orders` (`read`, `write`) and `files` (`read`); `web`,
/// a public client allowed the code grant; `agent`, a client with a secret allowed both
/// kinds of exchange, the client credentials grant, `orders/read`, `files/read` and
/// `openid`, whose tokens last 30 minutes; the user alice.
struct Fixture {
    svc: Cognito,
    pool: String,
    web: String,
    agent: String,
    secret: String,
}

fn fixture() -> Fixture {
    fixture_with(|_| {})
}

fn fixture_with(agent: impl FnOnce(&mut CreateUserPoolClientRequest)) -> Fixture {
    let svc = service();
    let pool = crate::testing::create_pool(&svc, "exchange").id.unwrap();
    for (identifier, scopes) in [("orders", &["read", "write"][..]), ("files", &["read"][..])] {
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
    let client = |req: CreateUserPoolClientRequest| {
        svc.create_user_pool_client(&ctx(), req)
            .unwrap()
            .user_pool_client
            .unwrap()
    };
    let web = client(CreateUserPoolClientRequest {
        user_pool_id: pool.clone(),
        client_name: "web".into(),
        allowed_o_auth_flows_user_pool_client: true,
        allowed_o_auth_flows: Some(vec![OAuthFlowType::Code]),
        allowed_o_auth_scopes: Some(strings(&[
            "openid",
            "email",
            "orders/read",
            "orders/write",
            "aws.cognito.signin.user.admin",
        ])),
        callback_urls: Some(vec![CALLBACK.into()]),
        supported_identity_providers: Some(vec!["COGNITO".into()]),
        ..Default::default()
    });
    let mut request = CreateUserPoolClientRequest {
        user_pool_id: pool.clone(),
        client_name: "agent".into(),
        generate_secret: true,
        explicit_auth_flows: Some(vec![
            ExplicitAuthFlowsType::AllowTokenExchangeImpersonation,
            ExplicitAuthFlowsType::AllowTokenExchangeDelegation,
        ]),
        allowed_o_auth_flows_user_pool_client: true,
        allowed_o_auth_flows: Some(vec![OAuthFlowType::ClientCredentials]),
        allowed_o_auth_scopes: Some(strings(&["orders/read", "files/read", "openid"])),
        access_token_validity: Some(30),
        id_token_validity: Some(20),
        token_validity_units: Some(TokenValidityUnitsType {
            access_token: Some(TimeUnitsType::Minutes),
            id_token: Some(TimeUnitsType::Minutes),
            ..Default::default()
        }),
        ..Default::default()
    };
    agent(&mut request);
    let agent = client(request);
    svc.admin_create_user(
        &ctx(),
        AdminCreateUserRequest {
            user_pool_id: pool.clone(),
            username: "alice".into(),
            user_attributes: Some(vec![AttributeType {
                name: "email".into(),
                value: Some("alice@example.com".into()),
            }]),
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
        web: web.client_id.unwrap(),
        agent: agent.client_id.unwrap(),
        secret: agent.client_secret.unwrap_or_default(),
    }
}

fn claims(token: &str) -> Value {
    danger_decode_unverified(token).unwrap().1
}

impl Fixture {
    /// Alice's tokens from `web` with `scopes` (the code grant's), issued at
    /// [`SIGNED_IN`].
    fn user_tokens(&self, scopes: &[&str]) -> super::super::authorization_code::OAuthTokens {
        let scopes = strings(scopes);
        let code = self
            .svc
            .mint_authorization_code(
                &ctx(),
                CodeRequest {
                    pool_id: &self.pool,
                    client_id: &self.web,
                    username: "alice",
                    redirect_uri: CALLBACK,
                    scopes: Some(&scopes),
                    challenge: Some((CHALLENGE, ChallengeMethod::S256)),
                    nonce: None,
                },
            )
            .unwrap();
        self.svc
            .exchange_authorization_code(
                &ctx_at(SIGNED_IN),
                &self.pool,
                ClientAuth {
                    client_id: &self.web,
                    secret: None,
                },
                CodeExchange {
                    code: &code,
                    redirect_uri: Some(CALLBACK),
                    code_verifier: Some(VERIFIER),
                },
            )
            .unwrap()
    }

    /// Alice's access token with the scopes `openid orders/read orders/write`.
    fn subject(&self) -> String {
        self.user_tokens(&["openid", "orders/read", "orders/write"])
            .access_token
    }

    /// An exchange by `agent` of the access token `subject`, with nothing else asked.
    fn request<'a>(&'a self, subject: &'a str) -> DerivedTokenRequest<'a> {
        DerivedTokenRequest {
            client: ClientAuth {
                client_id: &self.agent,
                secret: Some(&self.secret),
            },
            subject: access(subject),
            actor: None,
            requested: None,
            audiences: &[],
            resources: &[],
            scopes: None,
        }
    }

    fn exchange(
        &self,
        request: DerivedTokenRequest<'_>,
    ) -> Result<DerivedToken, DerivedTokenError> {
        self.svc
            .derived_token(&ctx_at(SIGNED_IN + 5), Some(&self.pool), request)
    }

    /// The agent's own machine-to-machine access token.
    fn machine_token(&self) -> String {
        self.svc
            .client_credentials_token(
                &ctx_at(SIGNED_IN),
                Some(&self.pool),
                crate::client_tokens::ClientCredentials {
                    client_id: &self.agent,
                    secret: &self.secret,
                    scopes: None,
                    client_metadata: None,
                },
            )
            .unwrap()
            .access_token
    }
}

fn access(token: &str) -> Presented<'_> {
    Presented {
        token,
        kind: TokenTypeIdentifierType::AccessToken,
        provider: None,
    }
}

fn id(token: &str) -> Presented<'_> {
    Presented {
        token,
        kind: TokenTypeIdentifierType::IdToken,
        provider: None,
    }
}

#[test]
fn impersonation_issues_the_users_access_token_to_the_exchanging_client() {
    let f = fixture();
    let subject = f.subject();
    let asked = strings(&["orders/read", "files/read", "orders/read"]);
    let issued = f
        .exchange(DerivedTokenRequest {
            scopes: Some(&asked),
            ..f.request(&subject)
        })
        .unwrap();
    assert_eq!(issued.kind, IssuedTokenTypeIdentifierType::AccessToken);
    assert_eq!(issued.expires_in, 1800);
    // `files/read` is the client's but not the subject token's.
    assert_eq!(issued.scopes, Some(strings(&["orders/read"])));
    let c = claims(&issued.token);
    let s = claims(&subject);
    assert_eq!(c["token_use"], "access");
    assert_eq!(c["scope"], "orders/read");
    assert_eq!(c["client_id"], f.agent.as_str());
    assert_eq!(c["sub"], s["sub"]);
    assert_eq!(c["username"], "alice");
    assert_eq!(c["origin_jti"], s["origin_jti"]);
    assert_eq!(c["auth_time"], s["auth_time"]);
    assert_ne!(c["jti"], s["jti"]);
    assert_eq!(c["iat"], SIGNED_IN + 5);
    assert_eq!(c["exp"], SIGNED_IN + 5 + 1800);
    assert!(c.get("act").is_none() && c.get("aud").is_none(), "{c}");
    // A user's access token like any other: it works where its scope does.
    f.svc
        .verify_access_token_for(&ctx_at(SIGNED_IN + 6), &issued.token, "orders/read")
        .unwrap();
}

#[test]
fn without_scopes_the_subject_tokens_scopes_are_kept() {
    let f = fixture();
    let subject = f.subject();
    let issued = f.exchange(f.request(&subject)).unwrap();
    assert_eq!(
        issued.scopes,
        Some(strings(&["openid", "orders/read", "orders/write"]))
    );
    assert_eq!(
        claims(&issued.token)["scope"],
        "openid orders/read orders/write"
    );
}

#[test]
fn scopes_the_subject_token_lacks_or_the_client_is_not_allowed_are_refused() {
    let f = fixture();
    let subject = f.subject();
    // `orders/write` is the subject token's, not the client's; `files/read` the reverse.
    for asked in [&["orders/write"][..], &["files/read"], &["email"]] {
        let asked = strings(asked);
        let e = f
            .exchange(DerivedTokenRequest {
                scopes: Some(&asked),
                ..f.request(&subject)
            })
            .unwrap_err();
        assert!(
            matches!(e, DerivedTokenError::InvalidScope(_)),
            "{asked:?}: {e:?}"
        );
        assert_eq!(
            CognitoError::from(e).kind,
            ErrorKind::InvalidParameterException
        );
    }
}

#[test]
fn the_audience_or_resource_becomes_aud() {
    let f = fixture();
    let subject = f.subject();
    let audience = strings(&["https://backend.example.com"]);
    let issued = f
        .exchange(DerivedTokenRequest {
            audiences: &audience,
            ..f.request(&subject)
        })
        .unwrap();
    assert_eq!(claims(&issued.token)["aud"], "https://backend.example.com");
    let resource = strings(&["orders"]);
    let issued = f
        .exchange(DerivedTokenRequest {
            resources: &resource,
            ..f.request(&subject)
        })
        .unwrap();
    assert_eq!(claims(&issued.token)["aud"], "orders");
}

#[test]
fn targets_are_checked() {
    let f = fixture();
    let subject = f.subject();
    let one = strings(&["orders"]);
    let two = strings(&["a", "b"]);
    let unknown = strings(&["inventory"]);
    let empty = strings(&[""]);
    type Expected = fn(&DerivedTokenError) -> bool;
    let cases: [(&[String], &[String], Expected); 5] = [
        (&one, &one, |e| {
            matches!(e, DerivedTokenError::InvalidRequest(_))
        }),
        (&two, &[], |e| {
            matches!(e, DerivedTokenError::InvalidTarget(_))
        }),
        (&[], &two, |e| {
            matches!(e, DerivedTokenError::InvalidTarget(_))
        }),
        (&[], &unknown, |e| {
            matches!(e, DerivedTokenError::InvalidTarget(_))
        }),
        (&empty, &[], |e| {
            matches!(e, DerivedTokenError::InvalidTarget(_))
        }),
    ];
    for (audiences, resources, expected) in cases {
        let e = f
            .exchange(DerivedTokenRequest {
                audiences,
                resources,
                ..f.request(&subject)
            })
            .unwrap_err();
        assert!(expected(&e), "{audiences:?} {resources:?}: {e:?}");
    }
}

#[test]
fn delegation_names_the_actor_in_act_and_nests_earlier_actors() {
    let f = fixture();
    let subject = f.subject();
    let machine = f.machine_token();
    let delegated = f
        .exchange(DerivedTokenRequest {
            actor: Some(access(&machine)),
            ..f.request(&subject)
        })
        .unwrap();
    let c = claims(&delegated.token);
    assert_eq!(c["act"], json!({"sub": f.agent}));
    assert_eq!(c["sub"], claims(&subject)["sub"]);

    // The delegated token exchanged again, with alice's own ID token as the actor.
    let id_token = f.user_tokens(&["openid"]).id_token.unwrap();
    let alice = claims(&id_token)["sub"].clone();
    let again = f
        .exchange(DerivedTokenRequest {
            actor: Some(id(&id_token)),
            ..f.request(&delegated.token)
        })
        .unwrap();
    assert_eq!(
        claims(&again.token)["act"],
        json!({"sub": alice, "act": {"sub": f.agent}})
    );
    // Impersonation with a delegated token keeps the delegation it records.
    let impersonated = f.exchange(f.request(&delegated.token)).unwrap();
    assert_eq!(claims(&impersonated.token)["act"], json!({"sub": f.agent}));
}

#[test]
fn an_id_token_is_issued_on_request_and_an_id_token_is_a_subject() {
    let f = fixture();
    let subject = f.subject();
    let audience = strings(&["reports"]);
    let issued = f
        .exchange(DerivedTokenRequest {
            requested: Some(IssuedTokenTypeIdentifierType::IdToken),
            audiences: &audience,
            ..f.request(&subject)
        })
        .unwrap();
    assert_eq!(issued.kind, IssuedTokenTypeIdentifierType::IdToken);
    assert_eq!(issued.expires_in, 1200);
    assert_eq!(issued.scopes, None);
    let c = claims(&issued.token);
    assert_eq!(c["token_use"], "id");
    assert_eq!(c["aud"], "reports");
    assert_eq!(c["cognito:username"], "alice");
    assert_eq!(c["email"], "alice@example.com");
    assert_eq!(c["exp"], SIGNED_IN + 5 + 1200);
    let plain = f
        .exchange(DerivedTokenRequest {
            requested: Some(IssuedTokenTypeIdentifierType::IdToken),
            ..f.request(&subject)
        })
        .unwrap();
    assert_eq!(claims(&plain.token)["aud"], f.agent.as_str());

    // An ID token grants its sign-in's scopes.
    let id_token = f.user_tokens(&["openid", "orders/read"]).id_token.unwrap();
    let issued = f
        .exchange(DerivedTokenRequest {
            subject: id(&id_token),
            ..f.request("")
        })
        .unwrap();
    assert_eq!(claims(&issued.token)["scope"], "openid orders/read");
}

#[test]
fn subject_tokens_are_checked() {
    let f = fixture();
    let subject = f.subject();
    let id_token = f.user_tokens(&["openid"]).id_token.unwrap();
    let machine = f.machine_token();
    let cases: [(&str, Presented<'_>); 4] = [
        ("garbage", access("not.a.token")),
        ("ID token as access token", access(&id_token)),
        ("access token as ID token", id(&subject)),
        ("a client's token", access(&machine)),
    ];
    for (what, presented) in cases {
        let e = f
            .exchange(DerivedTokenRequest {
                subject: presented,
                ..f.request("")
            })
            .unwrap_err();
        assert!(
            matches!(e, DerivedTokenError::InvalidToken(_)),
            "{what}: {e:?}"
        );
        assert_eq!(
            CognitoError::from(e).kind,
            ErrorKind::NotAuthorizedException,
            "{what}"
        );
    }
    let expired = f
        .svc
        .derived_token(
            &ctx_at(SIGNED_IN + 3600),
            Some(&f.pool),
            f.request(&subject),
        )
        .unwrap_err();
    assert!(
        matches!(&expired, DerivedTokenError::InvalidToken(e) if e.message == "Access Token has expired"),
        "{expired:?}"
    );
}

#[test]
fn the_actor_token_must_be_of_the_same_pool() {
    let f = fixture();
    let subject = f.subject();
    let other = crate::testing::create_pool(&f.svc, "other").id.unwrap();
    f.svc
        .create_resource_server(
            &ctx(),
            CreateResourceServerRequest {
                identifier: "api".into(),
                name: "api".into(),
                scopes: Some(vec![ResourceServerScopeType {
                    scope_name: "read".into(),
                    scope_description: "d".into(),
                }]),
                user_pool_id: other.clone(),
            },
        )
        .unwrap();
    let client = f
        .svc
        .create_user_pool_client(
            &ctx(),
            CreateUserPoolClientRequest {
                user_pool_id: other.clone(),
                client_name: "machine".into(),
                generate_secret: true,
                allowed_o_auth_flows_user_pool_client: true,
                allowed_o_auth_flows: Some(vec![OAuthFlowType::ClientCredentials]),
                allowed_o_auth_scopes: Some(strings(&["api/read"])),
                ..Default::default()
            },
        )
        .unwrap()
        .user_pool_client
        .unwrap();
    let foreign = f
        .svc
        .client_credentials_token(
            &ctx_at(SIGNED_IN),
            Some(&other),
            crate::client_tokens::ClientCredentials {
                client_id: client.client_id.as_deref().unwrap(),
                secret: client.client_secret.as_deref().unwrap(),
                scopes: None,
                client_metadata: None,
            },
        )
        .unwrap()
        .access_token;
    let e = f
        .exchange(DerivedTokenRequest {
            actor: Some(access(&foreign)),
            ..f.request(&subject)
        })
        .unwrap_err();
    assert!(matches!(e, DerivedTokenError::InvalidToken(_)), "{e:?}");
}

#[test]
fn ending_the_sign_in_ends_its_derived_tokens() {
    let f = fixture();
    let tokens = f.user_tokens(&["openid", "aws.cognito.signin.user.admin"]);
    let issued = f.exchange(f.request(&tokens.access_token)).unwrap();
    f.svc
        .verify_access_token(&ctx_at(SIGNED_IN + 6), &issued.token)
        .unwrap();
    f.svc
        .revoke_refresh_token(
            &ctx_at(SIGNED_IN + 7),
            &f.pool,
            ClientAuth {
                client_id: &f.web,
                secret: None,
            },
            tokens.refresh_token.as_deref().unwrap(),
        )
        .unwrap();
    let e = f
        .svc
        .verify_access_token(&ctx_at(SIGNED_IN + 8), &issued.token)
        .unwrap_err();
    assert_eq!(e.message, "Access Token has been revoked");
    let e = f.exchange(f.request(&tokens.access_token)).unwrap_err();
    assert!(matches!(e, DerivedTokenError::InvalidToken(_)), "{e:?}");
}

#[test]
fn third_party_tokens_are_refused() {
    let f = fixture();
    f.svc
        .create_identity_provider(
            &ctx(),
            CreateIdentityProviderRequest {
                user_pool_id: f.pool.clone(),
                provider_name: "Google".into(),
                provider_type: IdentityProviderTypeType::Google,
                provider_details: [
                    ("client_id".to_string(), "id".to_string()),
                    ("client_secret".to_string(), "secret".to_string()),
                    ("authorize_scopes".to_string(), "email".to_string()),
                ]
                .into(),
                attribute_mapping: None,
                idp_identifiers: None,
                acr_mapping: None,
            },
        )
        .unwrap();
    let cases = [
        (TokenTypeIdentifierType::Saml2, None),
        (TokenTypeIdentifierType::IdToken, Some("Google")),
        (TokenTypeIdentifierType::AccessToken, Some("Nobody")),
    ];
    for (kind, provider) in cases {
        let e = f
            .exchange(DerivedTokenRequest {
                subject: Presented {
                    token: "eyJ.eyJ.sig",
                    kind,
                    provider,
                },
                ..f.request("")
            })
            .unwrap_err();
        assert!(
            matches!(e, DerivedTokenError::InvalidRequest(_)),
            "{kind:?} {provider:?}: {e:?}"
        );
    }
}

#[test]
fn the_client_must_be_allowed_the_kind_of_exchange() {
    let f = fixture_with(|c| {
        c.explicit_auth_flows = Some(vec![ExplicitAuthFlowsType::AllowTokenExchangeImpersonation])
    });
    let subject = f.subject();
    f.exchange(f.request(&subject)).unwrap();
    let machine = f.machine_token();
    let e = f
        .exchange(DerivedTokenRequest {
            actor: Some(access(&machine)),
            ..f.request(&subject)
        })
        .unwrap_err();
    assert!(matches!(e, DerivedTokenError::NotEnabled(_)), "{e:?}");
    assert_eq!(
        CognitoError::from(e).kind,
        ErrorKind::OperationNotEnabledException
    );

    let f = fixture_with(|c| {
        c.explicit_auth_flows = Some(vec![ExplicitAuthFlowsType::AllowTokenExchangeDelegation])
    });
    let subject = f.subject();
    let e = f.exchange(f.request(&subject)).unwrap_err();
    assert!(matches!(e, DerivedTokenError::NotEnabled(_)), "{e:?}");
}

#[test]
fn a_lite_pool_has_no_token_exchange() {
    let f = fixture();
    let subject = f.subject();
    f.svc
        .store
        .update(&f.pool, |pool| {
            pool.config.user_pool_tier = Some(UserPoolTierType::Lite);
            Ok(())
        })
        .unwrap();
    let e = f.exchange(f.request(&subject)).unwrap_err();
    assert!(matches!(e, DerivedTokenError::NotEnabled(_)), "{e:?}");
}

#[test]
fn the_client_authenticates() {
    let f = fixture();
    let subject = f.subject();
    for secret in [None, Some("wrong")] {
        let e = f
            .exchange(DerivedTokenRequest {
                client: ClientAuth {
                    client_id: &f.agent,
                    secret,
                },
                ..f.request(&subject)
            })
            .unwrap_err();
        assert!(matches!(e, DerivedTokenError::BadSecret(_)), "{e:?}");
        assert_eq!(
            CognitoError::from(e).kind,
            ErrorKind::NotAuthorizedException
        );
    }
    let e = f
        .exchange(DerivedTokenRequest {
            client: ClientAuth {
                client_id: "nosuchclient",
                secret: None,
            },
            ..f.request(&subject)
        })
        .unwrap_err();
    assert_eq!(
        CognitoError::from(e).kind,
        ErrorKind::ResourceNotFoundException
    );
    // A client of another pool is unknown at this pool's endpoint.
    let e = f
        .svc
        .derived_token(
            &ctx_at(SIGNED_IN + 5),
            Some("us-east-1_other"),
            f.request(&subject),
        )
        .unwrap_err();
    assert!(matches!(e, DerivedTokenError::UnknownClient(_)), "{e:?}");
}

#[test]
fn get_derived_token_answers_the_api_shape() {
    let f = fixture();
    let subject = f.subject();
    let machine = f.machine_token();
    let input = GetDerivedTokenRequest {
        client_id: f.agent.clone(),
        client_secret: Some(f.secret.clone()),
        subject_token: subject,
        subject_token_type: TokenTypeIdentifierType::AccessToken,
        actor_token: Some(machine),
        actor_token_type: Some(TokenTypeIdentifierType::AccessToken),
        scopes: Some(strings(&["orders/read"])),
        resources: Some(strings(&["orders"])),
        subject_token_provider_name: None,
        actor_token_provider_name: None,
        audiences: None,
        requested_token_type: None,
    };
    let out = f
        .svc
        .get_derived_token(&ctx_at(SIGNED_IN + 5), input.clone())
        .unwrap();
    assert_eq!(out.token_type, OAuthTokenTypeType::Bearer);
    assert_eq!(
        out.issued_token_type,
        IssuedTokenTypeIdentifierType::AccessToken
    );
    assert_eq!(out.expires_in, Some(1800));
    assert_eq!(out.scopes, Some(strings(&["orders/read"])));
    let c = claims(&out.issued_token);
    assert_eq!(
        (c["aud"].clone(), c["act"].clone()),
        (json!("orders"), json!({"sub": f.agent}))
    );

    // An ID token is no access token: its type is N_A (RFC 8693 §2.2.1).
    let out = f
        .svc
        .get_derived_token(
            &ctx_at(SIGNED_IN + 5),
            GetDerivedTokenRequest {
                requested_token_type: Some(IssuedTokenTypeIdentifierType::IdToken),
                ..input.clone()
            },
        )
        .unwrap();
    assert_eq!(out.token_type, OAuthTokenTypeType::NA);
    assert_eq!(
        out.issued_token_type,
        IssuedTokenTypeIdentifierType::IdToken
    );
    assert_eq!(out.scopes, None);

    for input in [
        GetDerivedTokenRequest {
            actor_token_type: None,
            ..input.clone()
        },
        GetDerivedTokenRequest {
            actor_token: None,
            ..input.clone()
        },
    ] {
        let e = f
            .svc
            .get_derived_token(&ctx_at(SIGNED_IN + 5), input)
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidParameterException);
    }
}

#[test]
fn debug_output_hides_tokens() {
    let f = fixture();
    let subject = f.subject();
    let issued = f.exchange(f.request(&subject)).unwrap();
    let shown = format!("{:?} {issued:?}", f.request(&subject));
    assert!(
        !shown.contains(&subject) && !shown.contains(&issued.token),
        "{shown}"
    );
    assert!(!shown.contains(&f.secret), "{shown}");
}
