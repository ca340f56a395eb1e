use super::*;
use crate::testing::{ctx, ctx_at, service, with_issuer};
use cognito_crypto::srp;
use cognito_model::Timestamp;
use serde_json::Value;

struct Fixture {
    svc: Cognito,
    pool: String,
    client: String,
}

const PASSWORD: &str = "Corr3ct!horse";

fn fixture(client: impl FnOnce(&mut CreateUserPoolClientRequest)) -> Fixture {
    fixture_on(service(), client)
}

fn fixture_on(svc: Cognito, client: impl FnOnce(&mut CreateUserPoolClientRequest)) -> Fixture {
    let pool = svc
        .create_user_pool(
            &ctx(),
            CreateUserPoolRequest {
                pool_name: "p".into(),
                ..Default::default()
            },
        )
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let mut req = CreateUserPoolClientRequest {
        user_pool_id: pool.clone(),
        client_name: "app".into(),
        explicit_auth_flows: Some(vec![
            ExplicitAuthFlowsType::AllowUserPasswordAuth,
            ExplicitAuthFlowsType::AllowAdminUserPasswordAuth,
            ExplicitAuthFlowsType::AllowUserSrpAuth,
            ExplicitAuthFlowsType::AllowRefreshTokenAuth,
        ]),
        ..Default::default()
    };
    client(&mut req);
    let client = svc
        .create_user_pool_client(&ctx(), req)
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
                    temporary_password: Some(PASSWORD.into()),
                    user_attributes: Some(vec![AttributeType {
                        name: "email".into(),
                        value: Some(format!("{name}@example.com")),
                    }]),
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
                        password: PASSWORD.into(),
                        permanent: true,
                    },
                )
                .unwrap();
        }
    }

    fn password_auth(
        &self,
        ctx: &RequestContext,
        name: &str,
        password: &str,
    ) -> Result<InitiateAuthResponse, CognitoError> {
        self.svc.initiate_auth(
            ctx,
            InitiateAuthRequest {
                client_id: self.client.clone(),
                auth_flow: AuthFlowType::UserPasswordAuth,
                auth_parameters: Some(
                    [
                        ("USERNAME".to_string(), name.to_string()),
                        ("PASSWORD".to_string(), password.to_string()),
                    ]
                    .into(),
                ),
                analytics_metadata: None,
                client_metadata: None,
                session: None,
                user_context_data: None,
            },
        )
    }

    fn tokens(&self, name: &str) -> AuthenticationResultType {
        self.password_auth(&ctx(), name, PASSWORD)
            .unwrap()
            .authentication_result
            .unwrap()
    }

    fn claims(&self, token: &str) -> Value {
        let pool = self.svc.pool(&ctx(), &self.pool).unwrap();
        let key = pool.read().tokens.key().unwrap().clone();
        key.verify(token).unwrap()
    }
}

#[test]
fn password_sign_in_issues_verifiable_tokens_with_cognito_claims() {
    let f = fixture(|_| {});
    f.user("alice", true);
    f.svc
        .create_group(
            &ctx(),
            CreateGroupRequest {
                user_pool_id: f.pool.clone(),
                group_name: "admins".into(),
                precedence: Some(1),
                ..Default::default()
            },
        )
        .unwrap();
    f.svc
        .admin_add_user_to_group(
            &ctx(),
            AdminAddUserToGroupRequest {
                user_pool_id: f.pool.clone(),
                username: "alice".into(),
                group_name: "admins".into(),
            },
        )
        .unwrap();
    let result = f.tokens("alice");
    assert_eq!(result.token_type.as_deref(), Some("Bearer"));
    assert_eq!(result.expires_in, 3600);
    assert!(result.refresh_token.is_some());
    let access = f.claims(result.access_token.as_deref().unwrap());
    let iss = format!("http://localhost:9229/{}", f.pool);
    assert_eq!(access["iss"], iss.as_str());
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["client_id"], f.client.as_str());
    assert_eq!(access["username"], "alice");
    assert_eq!(access["scope"], "aws.cognito.signin.user.admin");
    assert_eq!(access["cognito:groups"], serde_json::json!(["admins"]));
    assert_eq!(
        access["exp"].as_i64().unwrap() - access["iat"].as_i64().unwrap(),
        3600
    );
    let names: Vec<&str> = access
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        names,
        [
            "sub",
            "cognito:groups",
            "iss",
            "client_id",
            "origin_jti",
            "event_id",
            "token_use",
            "scope",
            "auth_time",
            "exp",
            "iat",
            "jti",
            "username"
        ]
    );
    let id = f.claims(result.id_token.as_deref().unwrap());
    assert_eq!(id["aud"], f.client.as_str());
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["cognito:username"], "alice");
    assert_eq!(id["email"], "alice@example.com");
    assert_eq!(id["amr"], serde_json::json!(["pwd"]));
    assert_eq!(id["sub"], access["sub"]);
    assert_eq!(id["origin_jti"], access["origin_jti"]);
}

#[test]
fn wrong_passwords_unknown_users_and_lockout() {
    let f =
        fixture(|c| c.prevent_user_existence_errors = Some(PreventUserExistenceErrorTypes::Legacy));
    f.user("bob", true);
    let err = f.password_auth(&ctx(), "bob", "Wr0ng!pass").unwrap_err();
    assert_eq!(
        (err.kind, err.message.as_str()),
        (
            ErrorKind::NotAuthorizedException,
            "Incorrect username or password."
        )
    );
    let err = f.password_auth(&ctx(), "nobody", PASSWORD).unwrap_err();
    assert_eq!(err.kind, ErrorKind::UserNotFoundException);
    for _ in 0..4 {
        let _ = f.password_auth(&ctx(), "bob", "Wr0ng!pass");
    }
    let err = f.password_auth(&ctx(), "bob", PASSWORD).unwrap_err();
    assert_eq!(err.message, "Password attempts exceeded");
    // The lockout passes with time.
    assert!(f
        .password_auth(&ctx_at(1_700_000_000 + 60), "bob", PASSWORD)
        .is_ok());

    let hidden = fixture(|c| {
        c.prevent_user_existence_errors = Some(PreventUserExistenceErrorTypes::Enabled)
    });
    let err = hidden
        .password_auth(&ctx(), "nobody", PASSWORD)
        .unwrap_err();
    assert_eq!(err.message, "Incorrect username or password.");
}

#[test]
fn users_that_must_reset_their_password_are_told_so_whatever_they_send() {
    let reset_required = |f: &Fixture, name: &str| {
        let pool = f.svc.pool(&ctx(), &f.pool).unwrap();
        let mut pool = pool.write();
        let key = pool.user_key_of(name).unwrap();
        // As an imported user: no password at all.
        pool.users.update(&key, |u| {
            u.status = UserStatusType::ResetRequired;
            u.password = None;
        });
    };
    let f =
        fixture(|c| c.prevent_user_existence_errors = Some(PreventUserExistenceErrorTypes::Legacy));
    f.user("imported", true);
    reset_required(&f, "imported");
    for password in [PASSWORD, "Any0ther!pass"] {
        let err = f.password_auth(&ctx(), "imported", password).unwrap_err();
        assert_eq!(
            (err.kind, err.message.as_str()),
            (
                ErrorKind::PasswordResetRequiredException,
                "Password reset required for the user"
            )
        );
    }

    // A client that hides which users exist says no more than for a wrong password.
    let hidden = fixture(|c| {
        c.prevent_user_existence_errors = Some(PreventUserExistenceErrorTypes::Enabled)
    });
    hidden.user("imported", true);
    reset_required(&hidden, "imported");
    let err = hidden
        .password_auth(&ctx(), "imported", "Any0ther!pass")
        .unwrap_err();
    assert_eq!(
        (err.kind, err.message.as_str()),
        (
            ErrorKind::NotAuthorizedException,
            "Incorrect username or password."
        )
    );
}

#[test]
fn flows_must_be_enabled_for_the_client() {
    let f =
        fixture(|c| c.explicit_auth_flows = Some(vec![ExplicitAuthFlowsType::AllowUserSrpAuth]));
    f.user("carol", true);
    let err = f.password_auth(&ctx(), "carol", PASSWORD).unwrap_err();
    assert_eq!(
        (err.kind, err.message.as_str()),
        (
            ErrorKind::InvalidParameterException,
            "USER_PASSWORD_AUTH flow not enabled for this client"
        )
    );
}

#[test]
fn new_password_required_then_tokens() {
    let f = fixture(|_| {});
    f.user("dave", false);
    let first = f.password_auth(&ctx(), "dave", PASSWORD).unwrap();
    assert_eq!(
        first.challenge_name,
        Some(ChallengeNameType::NewPasswordRequired)
    );
    let params = first.challenge_parameters.unwrap();
    assert_eq!(
        params.get("USER_ID_FOR_SRP").map(String::as_str),
        Some("dave")
    );
    let attrs: Value = serde_json::from_str(params.get("userAttributes").unwrap()).unwrap();
    assert_eq!(attrs["email"], "dave@example.com");
    let respond = |session: Option<String>, password: &str| {
        f.svc.respond_to_auth_challenge(
            &ctx(),
            RespondToAuthChallengeRequest {
                client_id: f.client.clone(),
                challenge_name: ChallengeNameType::NewPasswordRequired,
                session,
                challenge_responses: Some(
                    [
                        ("USERNAME".to_string(), "dave".to_string()),
                        ("NEW_PASSWORD".to_string(), password.to_string()),
                    ]
                    .into(),
                ),
                analytics_metadata: None,
                client_metadata: None,
                user_context_data: None,
            },
        )
    };
    let weak = respond(first.session.clone(), "weak").unwrap_err();
    assert_eq!(weak.kind, ErrorKind::InvalidPasswordException);
    // The failed answer used up the session.
    let second = f.password_auth(&ctx(), "dave", PASSWORD).unwrap();
    let done = respond(second.session.clone(), "N3w!password").unwrap();
    assert!(done.authentication_result.unwrap().access_token.is_some());
    let replay = respond(second.session, "N3w!password").unwrap_err();
    assert_eq!(
        (replay.kind, replay.message.as_str()),
        (
            ErrorKind::NotAuthorizedException,
            "Invalid session for the user, session can only be used once."
        )
    );
    let unknown = respond(Some("no-such-session".into()), "N3w!password").unwrap_err();
    assert_eq!(
        unknown.message,
        "Invalid session for the user, session is expired."
    );
    assert!(f
        .password_auth(&ctx(), "dave", "N3w!password")
        .unwrap()
        .authentication_result
        .is_some());
    let user = f
        .svc
        .admin_get_user(
            &ctx(),
            AdminGetUserRequest {
                user_pool_id: f.pool.clone(),
                username: "dave".into(),
            },
        )
        .unwrap();
    assert_eq!(user.user_status, Some(UserStatusType::Confirmed));
}

#[test]
fn sessions_expire() {
    let f = fixture(|c| c.auth_session_validity = Some(3));
    f.user("erin", false);
    let first = f.password_auth(&ctx(), "erin", PASSWORD).unwrap();
    let err = f
        .answer_new_password(&ctx_at(1_700_000_000 + 181), "erin", first.session, &[])
        .unwrap_err();
    assert_eq!(
        (err.kind, err.message.as_str()),
        (
            ErrorKind::NotAuthorizedException,
            "Invalid session for the user, session is expired."
        )
    );
}

#[test]
fn refresh_revoke_and_global_sign_out() {
    let f = fixture(|_| {});
    f.user("fay", true);
    let tokens = f.tokens("fay");
    let refresh = tokens.refresh_token.clone().unwrap();
    let refresh_with = |token: &str| {
        f.svc.initiate_auth(
            &ctx(),
            InitiateAuthRequest {
                client_id: f.client.clone(),
                auth_flow: AuthFlowType::RefreshTokenAuth,
                auth_parameters: Some([("REFRESH_TOKEN".to_string(), token.to_string())].into()),
                analytics_metadata: None,
                client_metadata: None,
                session: None,
                user_context_data: None,
            },
        )
    };
    let renewed = refresh_with(&refresh)
        .unwrap()
        .authentication_result
        .unwrap();
    assert!(renewed.refresh_token.is_none());
    let claims = f.claims(renewed.access_token.as_deref().unwrap());
    assert_eq!(
        claims["origin_jti"],
        f.claims(tokens.access_token.as_deref().unwrap())["origin_jti"]
    );
    assert_eq!(
        refresh_with("garbage").unwrap_err().message,
        "Invalid Refresh Token"
    );

    // Access tokens are checked on use.
    let access = renewed.access_token.clone().unwrap();
    assert!(f.svc.verify_access_token(&ctx(), &access).is_ok());
    let later = ctx_at(1_700_000_000 + 3600);
    assert_eq!(
        f.svc
            .verify_access_token(&later, &access)
            .unwrap_err()
            .message,
        "Access Token has expired"
    );

    f.svc
        .revoke_token(
            &ctx(),
            RevokeTokenRequest {
                token: refresh.clone(),
                client_id: f.client.clone(),
                client_secret: None,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        refresh_with(&refresh).unwrap_err().message,
        "Refresh Token has been revoked"
    );
    assert_eq!(
        f.svc
            .verify_access_token(&ctx(), &access)
            .unwrap_err()
            .message,
        "Access Token has been revoked"
    );

    let second = f.tokens("fay");
    f.svc
        .global_sign_out(
            &ctx(),
            GlobalSignOutRequest {
                access_token: second.access_token.clone().unwrap(),
            },
        )
        .unwrap();
    assert_eq!(
        refresh_with(second.refresh_token.as_deref().unwrap())
            .unwrap_err()
            .message,
        "Refresh Token has been revoked"
    );
    assert!(f
        .svc
        .verify_access_token(&ctx(), second.access_token.as_deref().unwrap())
        .is_err());
}

#[test]
fn signing_in_again_in_the_second_of_a_global_sign_out() {
    let f = fixture(|_| {});
    f.user("gil", true);
    let at = |millis: i64| RequestContext {
        now: Timestamp::from_millis(1_700_000_000_000 + millis),
        ..ctx()
    };
    let first = f.password_auth(&at(100), "gil", PASSWORD).unwrap();
    let first = first.authentication_result.unwrap().access_token.unwrap();
    f.svc
        .global_sign_out(
            &at(500),
            GlobalSignOutRequest {
                access_token: first.clone(),
            },
        )
        .unwrap();
    let again = f.password_auth(&at(900), "gil", PASSWORD).unwrap();
    let again = again.authentication_result.unwrap().access_token.unwrap();
    assert!(f.svc.verify_access_token(&at(950), &again).is_ok());
    assert_eq!(
        f.svc
            .verify_access_token(&at(950), &first)
            .unwrap_err()
            .message,
        "Access Token has been revoked"
    );
}

#[test]
fn revoke_token_refuses_what_it_does_not_revoke() {
    let f = fixture(|_| {});
    f.user("jan", true);
    let tokens = f.tokens("jan");
    let client = |secret: bool| {
        f.svc
            .create_user_pool_client(
                &ctx(),
                CreateUserPoolClientRequest {
                    user_pool_id: f.pool.clone(),
                    client_name: "other".into(),
                    generate_secret: secret,
                    ..Default::default()
                },
            )
            .unwrap()
            .user_pool_client
            .unwrap()
            .client_id
            .unwrap()
    };
    let (public, confidential) = (client(false), client(true));
    let revoke = |client: &str, token: &str| {
        f.svc
            .revoke_token(
                &ctx(),
                RevokeTokenRequest {
                    token: token.to_string(),
                    client_id: client.to_string(),
                    ..Default::default()
                },
            )
            .map_err(|e| e.kind)
    };
    let refresh = tokens.refresh_token.as_deref().unwrap();
    // A confidential client must authenticate; a token belongs to its own client.
    for other in [&public, &confidential] {
        assert_eq!(
            revoke(other, refresh),
            Err(ErrorKind::UnauthorizedException)
        );
    }
    let (access, id) = (tokens.access_token.unwrap(), tokens.id_token.unwrap());
    for jwt in [&access, &id] {
        assert_eq!(
            revoke(&f.client, jwt),
            Err(ErrorKind::UnsupportedTokenTypeException)
        );
    }
    assert!(f.svc.verify_access_token(&ctx(), &access).is_ok());
    assert_eq!(revoke(&f.client, refresh), Ok(RevokeTokenResponse {}));
    assert!(f.svc.verify_access_token(&ctx(), &access).is_err());
}

#[test]
fn refresh_token_rotation() {
    let rotating = |grace: Option<i32>| {
        fixture(|c| {
            c.refresh_token_rotation = Some(RefreshTokenRotationType {
                feature: FeatureType::Enabled,
                retry_grace_period_seconds: grace,
            })
        })
    };
    let refresh = |f: &Fixture, ctx: &RequestContext, token: &str| {
        f.svc
            .get_tokens_from_refresh_token(
                ctx,
                GetTokensFromRefreshTokenRequest {
                    refresh_token: token.to_string(),
                    client_id: f.client.clone(),
                    ..Default::default()
                },
            )
            .map(|r| r.authentication_result.unwrap())
    };

    let f = rotating(None);
    f.user("gus", true);
    let first = f.tokens("gus").refresh_token.unwrap();
    let second = refresh(&f, &ctx(), &first).unwrap().refresh_token.unwrap();
    assert_ne!(second, first);
    // Without a grace period the old token is spent at once, and says so.
    let err = refresh(&f, &ctx(), &first).unwrap_err();
    assert_eq!(err.kind, ErrorKind::RefreshTokenReuseException);
    // `REFRESH_TOKEN_AUTH` does not know that error.
    let err = f
        .svc
        .initiate_auth(
            &ctx(),
            InitiateAuthRequest {
                client_id: f.client.clone(),
                auth_flow: AuthFlowType::RefreshTokenAuth,
                auth_parameters: Some([("REFRESH_TOKEN".to_string(), first.clone())].into()),
                analytics_metadata: None,
                client_metadata: None,
                session: None,
                user_context_data: None,
            },
        )
        .unwrap_err();
    assert_eq!(
        (err.kind, err.message.as_str()),
        (ErrorKind::NotAuthorizedException, "Invalid Refresh Token")
    );
    let third = refresh(&f, &ctx(), &second).unwrap().refresh_token.unwrap();
    assert!(refresh(&f, &ctx(), &third).is_ok());

    // Within the grace period a retry with the old token still works.
    let f = rotating(Some(30));
    f.user("gus", true);
    let first = f.tokens("gus").refresh_token.unwrap();
    let second = refresh(&f, &ctx(), &first).unwrap().refresh_token.unwrap();
    let retried = refresh(&f, &ctx_at(1_700_000_000 + 29), &first)
        .unwrap()
        .refresh_token
        .unwrap();
    assert_ne!(retried, second);
    assert!(refresh(&f, &ctx_at(1_700_000_000 + 29), &retried).is_ok());
    let err = refresh(&f, &ctx_at(1_700_000_000 + 30), &first).unwrap_err();
    assert_eq!(err.kind, ErrorKind::RefreshTokenReuseException);
}

#[test]
fn srp_challenge_parameters_and_a_wrong_signature() {
    let f = fixture(|_| {});
    f.user("hal", true);
    let a = format!("{:x}", 12345u64);
    let challenge = f
        .svc
        .initiate_auth(
            &ctx(),
            InitiateAuthRequest {
                client_id: f.client.clone(),
                auth_flow: AuthFlowType::UserSrpAuth,
                auth_parameters: Some(
                    [
                        ("USERNAME".to_string(), "hal".to_string()),
                        ("SRP_A".to_string(), a),
                    ]
                    .into(),
                ),
                analytics_metadata: None,
                client_metadata: None,
                session: None,
                user_context_data: None,
            },
        )
        .unwrap();
    assert_eq!(
        challenge.challenge_name,
        Some(ChallengeNameType::PasswordVerifier)
    );
    let params = challenge.challenge_parameters.unwrap();
    for name in [
        "SALT",
        "SRP_B",
        "SECRET_BLOCK",
        "USER_ID_FOR_SRP",
        "USERNAME",
    ] {
        assert!(params.contains_key(name), "{name}");
    }
    let err = f
        .svc
        .respond_to_auth_challenge(
            &ctx(),
            RespondToAuthChallengeRequest {
                client_id: f.client.clone(),
                challenge_name: ChallengeNameType::PasswordVerifier,
                session: None,
                challenge_responses: Some(
                    [
                        ("USERNAME".to_string(), "hal".to_string()),
                        (
                            "PASSWORD_CLAIM_SECRET_BLOCK".to_string(),
                            params["SECRET_BLOCK"].clone(),
                        ),
                        (
                            "TIMESTAMP".to_string(),
                            srp::format_timestamp(ctx().now.secs()),
                        ),
                        ("PASSWORD_CLAIM_SIGNATURE".to_string(), "AAAA".to_string()),
                    ]
                    .into(),
                ),
                analytics_metadata: None,
                client_metadata: None,
                user_context_data: None,
            },
        )
        .unwrap_err();
    assert_eq!(err.message, "Incorrect username or password.");
}

#[test]
fn sessions_are_listed_and_revoked_when_tracking_is_on() {
    let f = fixture(|_| {});
    f.user("ida", true);
    let first = f.tokens("ida");
    let access = first.access_token.clone().unwrap();
    let list = || {
        f.svc.list_user_sessions(
            &ctx(),
            ListUserSessionsRequest {
                access_token: access.clone(),
                next_token: None,
            },
        )
    };
    assert_eq!(
        list().unwrap_err().kind,
        ErrorKind::OperationNotEnabledException
    );
    f.svc
        .set_user_pool_session_configuration(
            &ctx(),
            SetUserPoolSessionConfigurationRequest {
                user_pool_id: f.pool.clone(),
                user_session_tracking: UserSessionTrackingType::Enabled,
                token_session: Default::default(),
            },
        )
        .unwrap();
    let second = f.tokens("ida");
    let sessions = list().unwrap().sessions.unwrap();
    assert_eq!(sessions.len(), 2);
    for s in &sessions {
        let id = s.session_id.as_deref().unwrap();
        assert_eq!(id.len(), 28, "{id}");
        assert!(id.starts_with("tkn"), "{id}");
        assert!(id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    }
    let id_where = |current: bool| {
        sessions
            .iter()
            .filter(|s| s.is_current_session == Some(current))
            .map(|s| s.session_id.clone().unwrap())
            .collect::<Vec<_>>()
    };
    let (mine, others) = (id_where(true), id_where(false));
    let ([mine], [other]) = (mine.as_slice(), others.as_slice()) else {
        panic!("{sessions:?}");
    };

    // A user can't end the session it asks from; an administrator can end any.
    let err = f
        .svc
        .revoke_user_session(
            &ctx(),
            RevokeUserSessionRequest {
                access_token: access.clone(),
                session_id: mine.clone(),
                revoke_associated_sessions: None,
            },
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidParameterException);
    f.svc
        .admin_revoke_user_session(
            &ctx(),
            AdminRevokeUserSessionRequest {
                user_pool_id: f.pool.clone(),
                username: "ida".into(),
                session_id: other.clone(),
                revoke_associated_sessions: None,
            },
        )
        .unwrap();
    assert!(f
        .svc
        .verify_access_token(&ctx(), second.access_token.as_deref().unwrap())
        .is_err());

    // A refresh keeps its session and makes it active later.
    let later = ctx_at(1_700_000_000 + 600);
    f.svc
        .get_tokens_from_refresh_token(
            &later,
            GetTokensFromRefreshTokenRequest {
                refresh_token: first.refresh_token.clone().unwrap(),
                client_id: f.client.clone(),
                ..Default::default()
            },
        )
        .unwrap();
    let left = f
        .svc
        .admin_list_user_sessions(
            &later,
            AdminListUserSessionsRequest {
                user_pool_id: f.pool.clone(),
                username: "ida".into(),
                next_token: None,
            },
        )
        .unwrap()
        .sessions
        .unwrap();
    let [kept] = left.as_slice() else {
        panic!("{left:?}");
    };
    assert_eq!(kept.session_id.as_ref(), Some(mine));
    // No session is an administrator's own.
    assert_eq!(kept.is_current_session, Some(false));
    assert_eq!(kept.create_date, Some(ctx().now));
    assert_eq!(kept.last_active_date, Some(later.now));
}

#[test]
fn compromised_passwords_are_blocked_when_the_risk_configuration_says_so() {
    let f = fixture(|_| {});
    f.user("jo", true);
    f.svc.register_compromised_password(PASSWORD);
    // Without a BLOCK configuration, nothing changes.
    assert!(f.password_auth(&ctx(), "jo", PASSWORD).is_ok());
    f.svc
        .set_risk_configuration(
            &ctx(),
            SetRiskConfigurationRequest {
                user_pool_id: f.pool.clone(),
                client_id: None,
                compromised_credentials_risk_configuration: Some(
                    CompromisedCredentialsRiskConfigurationType {
                        actions: CompromisedCredentialsActionsType {
                            event_action: CompromisedCredentialsEventActionType::Block,
                        },
                        event_filter: Some(vec![
                            EventFilterType::SignIn,
                            EventFilterType::PasswordChange,
                        ]),
                    },
                ),
                account_takeover_risk_configuration: None,
                risk_exception_configuration: None,
            },
        )
        .unwrap();
    let err = f.password_auth(&ctx(), "jo", PASSWORD).unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotAuthorizedException);
    f.svc.register_compromised_password("Leak3d!pass");
    let err = f
        .svc
        .admin_set_user_password(
            &ctx(),
            AdminSetUserPasswordRequest {
                user_pool_id: f.pool.clone(),
                username: "jo".into(),
                password: "Leak3d!pass".into(),
                permanent: true,
            },
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidPasswordException);
    assert_eq!(f.svc.compromised_password_count(), 2);
}

#[test]
fn test_hooks_list_and_expire_tokens_and_show_events() {
    let f = fixture(|_| {});
    f.user("kim", true);
    let tokens = f.tokens("kim");
    let _ = f.password_auth(&ctx(), "kim", "Wr0ng!pass");
    let active = f.svc.active_tokens(ctx().now, Some(&f.pool), Some("kim"));
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].client_id, f.client);
    let session = f
        .svc
        .pool(&ctx(), &f.pool)
        .unwrap()
        .read()
        .tokens
        .grants
        .lookup(tokens.refresh_token.as_deref().unwrap(), ctx().now)
        .unwrap()
        .0
        .session_id
        .clone();
    assert_eq!(active[0].session_id, session);
    assert!(session.starts_with("tkn"));

    let events = f.svc.auth_events(Some(&f.pool), Some("kim"));
    let responses: Vec<_> = events
        .iter()
        .map(|e| (e.event.event_type, e.event.event_response))
        .collect();
    assert_eq!(
        responses,
        [
            (Some(EventType::SignIn), Some(EventResponseType::Pass)),
            (Some(EventType::SignIn), Some(EventResponseType::Fail))
        ]
    );

    assert_eq!(
        f.svc
            .expire_tokens(ctx().now, &f.pool, Some("kim"))
            .unwrap(),
        1
    );
    assert!(f
        .svc
        .active_tokens(ctx().now, Some(&f.pool), None)
        .is_empty());
    assert!(f
        .svc
        .verify_access_token(&ctx(), tokens.access_token.as_deref().unwrap())
        .is_err());
    // A later sign-in works again.
    let later = ctx_at(1_700_000_000 + 2);
    let fresh = f
        .password_auth(&later, "kim", PASSWORD)
        .unwrap()
        .authentication_result
        .unwrap();
    assert!(f
        .svc
        .verify_access_token(&later, fresh.access_token.as_deref().unwrap())
        .is_ok());
}

impl Fixture {
    fn srp_start(&self, name: &str) -> InitiateAuthResponse {
        self.svc
            .initiate_auth(
                &ctx(),
                InitiateAuthRequest {
                    client_id: self.client.clone(),
                    auth_flow: AuthFlowType::UserSrpAuth,
                    auth_parameters: Some(
                        [
                            ("USERNAME".to_string(), name.to_string()),
                            ("SRP_A".to_string(), format!("{:x}", 12345u64)),
                        ]
                        .into(),
                    ),
                    analytics_metadata: None,
                    client_metadata: None,
                    session: None,
                    user_context_data: None,
                },
            )
            .unwrap()
    }

    fn srp_answer(
        &self,
        at: &RequestContext,
        name: &str,
        start: &InitiateAuthResponse,
    ) -> CognitoError {
        let params = start.challenge_parameters.clone().unwrap();
        self.svc
            .respond_to_auth_challenge(
                at,
                RespondToAuthChallengeRequest {
                    client_id: self.client.clone(),
                    challenge_name: ChallengeNameType::PasswordVerifier,
                    session: start.session.clone(),
                    challenge_responses: Some(
                        [
                            ("USERNAME".to_string(), name.to_string()),
                            (
                                "PASSWORD_CLAIM_SECRET_BLOCK".to_string(),
                                params["SECRET_BLOCK"].clone(),
                            ),
                            (
                                "TIMESTAMP".to_string(),
                                srp::format_timestamp(at.now.secs()),
                            ),
                            ("PASSWORD_CLAIM_SIGNATURE".to_string(), "AAAA".to_string()),
                        ]
                        .into(),
                    ),
                    analytics_metadata: None,
                    client_metadata: None,
                    user_context_data: None,
                },
            )
            .unwrap_err()
    }

    fn answer_new_password(
        &self,
        at: &RequestContext,
        name: &str,
        session: Option<String>,
        extra: &[(&str, &str)],
    ) -> Result<RespondToAuthChallengeResponse, CognitoError> {
        let mut responses: std::collections::BTreeMap<String, String> = [
            ("USERNAME".to_string(), name.to_string()),
            ("NEW_PASSWORD".to_string(), "N3w!password".to_string()),
        ]
        .into();
        for (k, v) in extra {
            responses.insert(k.to_string(), v.to_string());
        }
        self.svc.respond_to_auth_challenge(
            at,
            RespondToAuthChallengeRequest {
                client_id: self.client.clone(),
                challenge_name: ChallengeNameType::NewPasswordRequired,
                session,
                challenge_responses: Some(responses),
                analytics_metadata: None,
                client_metadata: None,
                user_context_data: None,
            },
        )
    }

    fn delete(&self, name: &str) {
        self.svc
            .admin_delete_user(
                &ctx(),
                AdminDeleteUserRequest {
                    user_pool_id: self.pool.clone(),
                    username: name.into(),
                },
            )
            .unwrap();
    }

    fn refresh(&self, token: &str) -> Result<InitiateAuthResponse, CognitoError> {
        self.svc.initiate_auth(
            &ctx(),
            InitiateAuthRequest {
                client_id: self.client.clone(),
                auth_flow: AuthFlowType::RefreshTokenAuth,
                auth_parameters: Some([("REFRESH_TOKEN".to_string(), token.to_string())].into()),
                analytics_metadata: None,
                client_metadata: None,
                session: None,
                user_context_data: None,
            },
        )
    }
}

#[test]
fn lockout_grows_to_its_cap_and_never_overflows() {
    let f = fixture(|_| {});
    f.user("lou", true);
    let mut now = 1_700_000_000;
    // Each attempt comes after any lockout has passed, so every one is counted.
    for _ in 0..100 {
        now += 1_000;
        let _ = f.password_auth(&ctx_at(now), "lou", "Wr0ng!pass");
    }
    // The 100th failure locked out for the longest time, 900 seconds.
    let err = f
        .password_auth(&ctx_at(now + 899), "lou", PASSWORD)
        .unwrap_err();
    assert_eq!(err.message, "Password attempts exceeded");
    assert!(f.password_auth(&ctx_at(now + 900), "lou", PASSWORD).is_ok());
}

#[test]
fn clients_hiding_user_existence_answer_unknown_users_as_real_ones() {
    let f = fixture(|c| {
        c.prevent_user_existence_errors = Some(PreventUserExistenceErrorTypes::Enabled)
    });
    f.user("bob", true);
    // Password sign-ins: the same answers, lockout included, for bob and for nobody.
    let answers = |name: &str| -> Vec<String> {
        (0..7)
            .map(|_| {
                f.password_auth(&ctx(), name, "Wr0ng!pass")
                    .unwrap_err()
                    .message
            })
            .collect()
    };
    let real = answers("bob");
    assert_eq!(real, answers("nobody"));
    assert_eq!(real[0], "Incorrect username or password.");
    assert_eq!(real[6], "Password attempts exceeded");
    // The lockout of an unknown name passes with time, as a real one does.
    let later = ctx_at(1_700_000_000 + 60);
    assert_eq!(
        f.password_auth(&later, "nobody", "Wr0ng!pass")
            .unwrap_err()
            .message,
        "Password attempts exceeded"
    );

    // SRP: an unknown name gets a challenge, the same salt and user id each time, and
    // its answer is wrong as a wrong password's is.
    let first = f.srp_start("ghost");
    let second = f.srp_start("ghost");
    let p1 = first.challenge_parameters.clone().unwrap();
    let p2 = second.challenge_parameters.clone().unwrap();
    assert_eq!(
        first.challenge_name,
        Some(ChallengeNameType::PasswordVerifier)
    );
    assert_eq!(p1["SALT"], p2["SALT"]);
    assert_eq!(p1["USER_ID_FOR_SRP"], p2["USER_ID_FOR_SRP"]);
    assert_eq!(p1["USER_ID_FOR_SRP"].len(), 36);
    assert_ne!(p1["SRP_B"], p2["SRP_B"]);
    assert_ne!(
        p1["SALT"],
        f.srp_start("phantom").challenge_parameters.unwrap()["SALT"]
    );
    assert_eq!(
        f.srp_answer(&ctx(), "ghost", &first).message,
        "Incorrect username or password."
    );

    // A disabled user with a wrong password hears what anyone does.
    f.user("dora", true);
    f.svc
        .admin_disable_user(
            &ctx(),
            AdminDisableUserRequest {
                user_pool_id: f.pool.clone(),
                username: "dora".into(),
            },
        )
        .unwrap();
    let wrong = f.password_auth(&ctx(), "dora", "Wr0ng!pass").unwrap_err();
    assert_eq!(wrong.message, "Incorrect username or password.");
    let right = f.password_auth(&ctx(), "dora", PASSWORD).unwrap_err();
    assert_eq!(right.message, "User is disabled.");

    // Without the setting, nothing is hidden.
    let open = fixture(|_| {});
    let err = open.password_auth(&ctx(), "nobody", PASSWORD).unwrap_err();
    assert_eq!(err.kind, ErrorKind::UserNotFoundException);
}

#[test]
fn a_deleted_users_tokens_and_sign_ins_die_with_it_and_never_act_for_a_namesake() {
    let f = fixture(|_| {});
    f.user("bob", true);
    let old = f.tokens("bob");
    let old_access = old.access_token.clone().unwrap();
    let old_sub = f.claims(&old_access)["sub"].clone();
    f.user("carl", false);
    let pending = f.password_auth(&ctx(), "carl", PASSWORD).unwrap();
    f.user("hal", true);
    let srp = f.srp_start("hal");

    f.delete("bob");
    f.delete("carl");
    f.delete("hal");
    f.user("bob", true);
    f.user("carl", false);
    f.user("hal", true);

    let get_user = |token: &str| {
        f.svc.get_user(
            &ctx(),
            GetUserRequest {
                access_token: token.into(),
            },
        )
    };
    let err = get_user(&old_access).unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotAuthorizedException);
    let err = f
        .svc
        .update_user_attributes(
            &ctx(),
            UpdateUserAttributesRequest {
                access_token: old_access.clone(),
                user_attributes: vec![AttributeType {
                    name: "name".into(),
                    value: Some("Mallory".into()),
                }],
                client_metadata: None,
            },
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotAuthorizedException);
    let err = f
        .refresh(old.refresh_token.as_deref().unwrap())
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotAuthorizedException);

    // Sessions of sign-ins begun before the deletion are gone.
    let err = f
        .answer_new_password(&ctx(), "carl", pending.session, &[])
        .unwrap_err();
    assert_eq!(
        err.message,
        "Invalid session for the user, session is expired."
    );
    assert_eq!(
        f.srp_answer(&ctx(), "hal", &srp).message,
        "Invalid session for the user, session is expired."
    );

    // The new bob signs in as himself.
    let new = f.tokens("bob");
    let new_access = new.access_token.unwrap();
    assert_ne!(f.claims(&new_access)["sub"], old_sub);
    assert!(get_user(&new_access).is_ok());
    let refreshed = f.refresh(new.refresh_token.as_deref().unwrap()).unwrap();
    let access = refreshed
        .authentication_result
        .unwrap()
        .access_token
        .unwrap();
    assert_eq!(f.claims(&access)["sub"], f.claims(&new_access)["sub"]);
}

#[test]
fn a_token_for_a_namesake_with_another_sub_is_refused() {
    // A token whose origin was never revoked (as after a restore) still names its user
    // by `sub`.
    let f = fixture(|_| {});
    f.user("eve", true);
    let access = f.tokens("eve").access_token.unwrap();
    let pool = f.svc.pool(&ctx(), &f.pool).unwrap();
    pool.write().users.update("eve", |u| {
        u.sub = "00000000-0000-4000-8000-000000000000".into()
    });
    let err = f.svc.verify_access_token(&ctx(), &access).unwrap_err();
    assert_eq!(
        (err.kind, err.message.as_str()),
        (ErrorKind::UserNotFoundException, "User does not exist.")
    );
}

#[test]
fn pools_of_every_region_sign_in_whatever_region_a_request_names() {
    let svc = with_issuer(service(), "https://cognito-idp.{region}.amazonaws.com");
    let west = RequestContext {
        region: "us-west-2".into(),
        ..ctx()
    };
    let pool = svc
        .create_user_pool(
            &west,
            CreateUserPoolRequest {
                pool_name: "west".into(),
                ..Default::default()
            },
        )
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    assert!(pool.starts_with("us-west-2_"));
    let client = svc
        .create_user_pool_client(
            &west,
            CreateUserPoolClientRequest {
                user_pool_id: pool.clone(),
                client_name: "app".into(),
                explicit_auth_flows: Some(vec![ExplicitAuthFlowsType::AllowUserPasswordAuth]),
                ..Default::default()
            },
        )
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    let f = Fixture { svc, pool, client };
    // Unsigned requests carry the server's default Region; signed ones may name any.
    f.user("wes", true);
    let access = f.tokens("wes").access_token.unwrap();
    let claims = f.claims(&access);
    assert_eq!(
        claims["iss"],
        format!("https://cognito-idp.us-west-2.amazonaws.com/{}", f.pool)
    );
    assert!(f.svc.verify_access_token(&ctx(), &access).is_ok());
    assert!(f.svc.verify_access_token(&west, &access).is_ok());
    assert_eq!(f.svc.issuer_of(&f.pool).unwrap(), claims["iss"]);

    // An updated issuer, as the pool's IssuerConfiguration asks.
    f.svc
        .pool(&ctx(), &f.pool)
        .unwrap()
        .write()
        .config
        .issuer_configuration = Some(IssuerConfigurationType {
        r#type: Some(IssuerType::Updated),
    });
    let updated = f.tokens("wes").access_token.unwrap();
    assert_eq!(
        f.claims(&updated)["iss"],
        format!(
            "https://issuer-cognito-idp.us-west-2.amazonaws.com/{}",
            f.pool
        )
    );
    assert!(f.svc.verify_access_token(&ctx(), &updated).is_ok());
    // Tokens of the original issuer stay good.
    assert!(f.svc.verify_access_token(&ctx(), &access).is_ok());
}

#[test]
fn a_refused_new_password_answer_changes_nothing() {
    let f = fixture(|_| {});
    f.user("nina", false);
    // The pool requires `name` (since the user was made); the user has none.
    f.svc
        .pool(&ctx(), &f.pool)
        .unwrap()
        .write()
        .config
        .schema_attributes
        .iter_mut()
        .flatten()
        .filter(|a| a.name.as_deref() == Some("name"))
        .for_each(|a| a.required = Some(true));
    let answer = |session: Option<String>, extra: &[(&str, &str)]| {
        f.answer_new_password(&ctx(), "nina", session, extra)
    };
    let first = f.password_auth(&ctx(), "nina", PASSWORD).unwrap();
    let params = first.challenge_parameters.clone().unwrap();
    assert_eq!(params["requiredAttributes"], r#"["userAttributes.name"]"#);
    let err = answer(first.session, &[]).unwrap_err();
    assert_eq!(
        (err.kind, err.message.as_str()),
        (
            ErrorKind::InvalidParameterException,
            "Invalid attributes given, name is missing"
        )
    );
    // Still waiting for a new password: the temporary one signs in to the challenge, the
    // refused new one does not sign in at all.
    let user = f
        .svc
        .admin_get_user(
            &ctx(),
            AdminGetUserRequest {
                user_pool_id: f.pool.clone(),
                username: "nina".into(),
            },
        )
        .unwrap();
    assert_eq!(user.user_status, Some(UserStatusType::ForceChangePassword));
    assert!(f.password_auth(&ctx(), "nina", "N3w!password").is_err());
    let again = f.password_auth(&ctx(), "nina", PASSWORD).unwrap();
    let done = answer(again.session, &[("userAttributes.name", "Nina")]).unwrap();
    let id = done.authentication_result.unwrap().id_token.unwrap();
    assert_eq!(f.claims(&id)["name"], "Nina");
}

#[test]
fn an_access_token_from_another_issuer_is_refused_though_its_signature_verifies() {
    // Two services drawing the same ids and key: the same pool id, signed by the same
    // key, differs only in its issuer.
    let here = fixture(|_| {});
    here.user("ivy", true);
    let access = here.tokens("ivy").access_token.unwrap();
    let there = fixture_on(with_issuer(service(), "https://issuer.example"), |_| {});
    there.user("ivy", true);
    assert_eq!(there.pool, here.pool);
    assert!(there.tokens("ivy").access_token.is_some());
    let err = there.svc.verify_access_token(&ctx(), &access).unwrap_err();
    assert_eq!(err.message, "Invalid Access Token");
    assert!(here.svc.verify_access_token(&ctx(), &access).is_ok());
}

mod mfa {
    use super::*;
    use crate::messages::MessageKind;
    use cognito_crypto::totp::TotpKey;

    const ROLE: &str = "arn:aws:iam::123456789012:role/sms";

    pub(super) fn set_mfa(f: &Fixture, mode: UserPoolMfaType, sms: bool, totp: bool) {
        f.svc
            .set_user_pool_mfa_config(
                &ctx(),
                SetUserPoolMfaConfigRequest {
                    user_pool_id: f.pool.clone(),
                    mfa_configuration: Some(mode),
                    sms_mfa_configuration: sms.then(|| SmsMfaConfigType {
                        sms_authentication_message: Some("Your code is {####}".into()),
                        sms_configuration: Some(SmsConfigurationType {
                            sns_caller_arn: ROLE.into(),
                            external_id: Some("ext".into()),
                            ..Default::default()
                        }),
                    }),
                    software_token_mfa_configuration: totp
                        .then_some(SoftwareTokenMfaConfigType { enabled: true }),
                    ..Default::default()
                },
            )
            .unwrap();
    }

    fn phone(f: &Fixture, name: &str) {
        f.svc
            .admin_update_user_attributes(
                &ctx(),
                AdminUpdateUserAttributesRequest {
                    user_pool_id: f.pool.clone(),
                    username: name.into(),
                    user_attributes: vec![
                        AttributeType {
                            name: "phone_number".into(),
                            value: Some("+14155550100".into()),
                        },
                        AttributeType {
                            name: "phone_number_verified".into(),
                            value: Some("true".into()),
                        },
                    ],
                    client_metadata: None,
                },
            )
            .unwrap();
    }

    pub(super) fn answer(
        f: &Fixture,
        at: &RequestContext,
        name: ChallengeNameType,
        session: Option<String>,
        responses: &[(&str, &str)],
    ) -> Result<RespondToAuthChallengeResponse, CognitoError> {
        f.svc.respond_to_auth_challenge(
            at,
            RespondToAuthChallengeRequest {
                client_id: f.client.clone(),
                challenge_name: name,
                session,
                challenge_responses: Some(
                    responses
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                ),
                analytics_metadata: None,
                client_metadata: None,
                user_context_data: None,
            },
        )
    }

    /// Associates and verifies a software token for `name` with its access token;
    /// answers the token's key.
    pub(super) fn register_totp(f: &Fixture, name: &str) -> TotpKey {
        let access = f.tokens(name).access_token.unwrap();
        let secret = f
            .svc
            .associate_software_token(
                &ctx(),
                AssociateSoftwareTokenRequest {
                    access_token: Some(access.clone()),
                    session: None,
                },
            )
            .unwrap()
            .secret_code
            .unwrap();
        assert_eq!(secret.len(), 52);
        let key = TotpKey::from_secret_code(&secret).unwrap();
        let wrong = f
            .svc
            .verify_software_token(
                &ctx(),
                VerifySoftwareTokenRequest {
                    access_token: Some(access.clone()),
                    user_code: "000000".into(),
                    friendly_device_name: None,
                    session: None,
                },
            )
            .unwrap_err();
        assert_eq!(wrong.kind, ErrorKind::EnableSoftwareTokenMFAException);
        let code = key.totp(ctx().now.secs()).unwrap();
        // The test hook shows the code the user's authenticator would.
        assert_eq!(
            f.svc
                .software_token_code(ctx().now, &f.pool, name)
                .unwrap()
                .expose(),
            code.expose()
        );
        let verified = f
            .svc
            .verify_software_token(
                &ctx(),
                VerifySoftwareTokenRequest {
                    access_token: Some(access.clone()),
                    user_code: code.expose().clone(),
                    friendly_device_name: Some("phone".into()),
                    session: None,
                },
            )
            .unwrap();
        assert_eq!(
            verified.status,
            Some(VerifySoftwareTokenResponseType::Success)
        );
        f.svc
            .set_user_mfa_preference(
                &ctx(),
                SetUserMFAPreferenceRequest {
                    access_token: access,
                    software_token_mfa_settings: Some(SoftwareTokenMfaSettingsType {
                        enabled: true,
                        preferred_mfa: true,
                    }),
                    ..Default::default()
                },
            )
            .unwrap();
        key
    }

    #[test]
    fn a_pool_without_software_tokens_hands_out_no_secret() {
        let f = fixture(|_| {});
        set_mfa(&f, UserPoolMfaType::Optional, true, false);
        f.user("sam", true);
        let refused = f
            .svc
            .associate_software_token(
                &ctx(),
                AssociateSoftwareTokenRequest {
                    access_token: f.tokens("sam").access_token,
                    session: None,
                },
            )
            .unwrap_err();
        assert_eq!(refused.kind, ErrorKind::SoftwareTokenMFANotFoundException);
    }

    #[test]
    fn a_software_token_is_asked_for_once_enabled_and_each_code_is_taken_once() {
        let f = fixture(|_| {});
        set_mfa(&f, UserPoolMfaType::Optional, false, true);
        f.user("tim", true);
        let key = register_totp(&f, "tim");

        // Thirty seconds later, a code of the new step.
        let later = ctx_at(1_700_000_000 + 30);
        let first = f.password_auth(&later, "tim", PASSWORD).unwrap();
        assert_eq!(
            first.challenge_name,
            Some(ChallengeNameType::SoftwareTokenMfa)
        );
        assert_eq!(
            first.challenge_parameters.as_ref().unwrap()["FRIENDLY_DEVICE_NAME"],
            "phone"
        );
        // Malformed answers leave the session for a proper one.
        let misnamed = answer(
            &f,
            &later,
            ChallengeNameType::SmsMfa,
            first.session.clone(),
            &[("USERNAME", "tim"), ("SMS_MFA_CODE", "123456")],
        )
        .unwrap_err();
        assert_eq!(misnamed.kind, ErrorKind::InvalidParameterException);
        let missing = answer(
            &f,
            &later,
            ChallengeNameType::SoftwareTokenMfa,
            first.session.clone(),
            &[("USERNAME", "tim")],
        )
        .unwrap_err();
        assert_eq!(
            missing.message,
            "Missing required parameter SOFTWARE_TOKEN_MFA_CODE"
        );
        let wrong = answer(
            &f,
            &later,
            ChallengeNameType::SoftwareTokenMfa,
            first.session.clone(),
            &[("USERNAME", "tim"), ("SOFTWARE_TOKEN_MFA_CODE", "123456")],
        )
        .unwrap_err();
        assert_eq!(
            (wrong.kind, wrong.message.as_str()),
            (
                ErrorKind::CodeMismatchException,
                "Invalid code or auth state for the user."
            )
        );
        // The session survives a wrong code.
        let code = key.totp(later.now.secs()).unwrap();
        let done = answer(
            &f,
            &later,
            ChallengeNameType::SoftwareTokenMfa,
            first.session,
            &[
                ("USERNAME", "tim"),
                ("SOFTWARE_TOKEN_MFA_CODE", code.expose()),
            ],
        )
        .unwrap();
        assert!(done.authentication_result.unwrap().access_token.is_some());
        // The same code does not sign in twice.
        let again = f.password_auth(&later, "tim", PASSWORD).unwrap();
        let reused = answer(
            &f,
            &later,
            ChallengeNameType::SoftwareTokenMfa,
            again.session,
            &[
                ("USERNAME", "tim"),
                ("SOFTWARE_TOKEN_MFA_CODE", code.expose()),
            ],
        )
        .unwrap_err();
        assert_eq!(reused.kind, ErrorKind::CodeMismatchException);
    }

    #[test]
    fn sms_codes_reach_the_outbox_and_three_wrong_codes_end_the_session() {
        let f = fixture(|_| {});
        set_mfa(&f, UserPoolMfaType::On, true, false);
        f.user("sam", true);
        phone(&f, "sam");
        let first = f.password_auth(&ctx(), "sam", PASSWORD).unwrap();
        assert_eq!(first.challenge_name, Some(ChallengeNameType::SmsMfa));
        let params = first.challenge_parameters.clone().unwrap();
        assert_eq!(params["CODE_DELIVERY_DELIVERY_MEDIUM"], "SMS");
        assert_eq!(params["CODE_DELIVERY_DESTINATION"], "+*******0100");
        let sent = f.svc.outbox().messages(|m| m.kind == MessageKind::MfaCode);
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].destination, "+14155550100");
        let code = sent[0].code.clone().unwrap();
        assert_eq!(
            sent[0].body.expose(),
            &format!("Your code is {}", code.expose())
        );
        let done = answer(
            &f,
            &ctx(),
            ChallengeNameType::SmsMfa,
            first.session,
            &[("USERNAME", "sam"), ("SMS_MFA_CODE", code.expose())],
        )
        .unwrap();
        assert!(done.authentication_result.is_some());

        let second = f.password_auth(&ctx(), "sam", PASSWORD).unwrap();
        for _ in 0..3 {
            let err = answer(
                &f,
                &ctx(),
                ChallengeNameType::SmsMfa,
                second.session.clone(),
                &[("USERNAME", "sam"), ("SMS_MFA_CODE", "000000")],
            )
            .unwrap_err();
            assert_eq!(err.kind, ErrorKind::CodeMismatchException);
        }
        let code = f.svc.outbox().messages(|m| m.kind == MessageKind::MfaCode)[1]
            .code
            .clone()
            .unwrap();
        let ended = answer(
            &f,
            &ctx(),
            ChallengeNameType::SmsMfa,
            second.session,
            &[("USERNAME", "sam"), ("SMS_MFA_CODE", code.expose())],
        )
        .unwrap_err();
        assert_eq!(ended.kind, ErrorKind::NotAuthorizedException);
    }

    #[test]
    fn an_mfa_sign_in_ends_with_its_user() {
        let f = fixture(|_| {});
        set_mfa(&f, UserPoolMfaType::On, true, false);
        f.user("sam", true);
        phone(&f, "sam");
        let first = f.password_auth(&ctx(), "sam", PASSWORD).unwrap();
        let code = f.svc.outbox().messages(|m| m.kind == MessageKind::MfaCode)[0]
            .code
            .clone()
            .unwrap();
        f.delete("sam");
        f.user("sam", true);
        phone(&f, "sam");
        let err = answer(
            &f,
            &ctx(),
            ChallengeNameType::SmsMfa,
            first.session,
            &[("USERNAME", "sam"), ("SMS_MFA_CODE", code.expose())],
        )
        .unwrap_err();
        assert_eq!(
            err.message,
            "Invalid session for the user, session is expired."
        );
    }

    #[test]
    fn where_mfa_is_required_a_verified_software_token_is_asked_even_if_disabled() {
        let f = fixture(|_| {});
        set_mfa(&f, UserPoolMfaType::Optional, false, true);
        f.user("ned", true);
        register_totp(&f, "ned");
        f.svc
            .admin_set_user_mfa_preference(
                &ctx(),
                AdminSetUserMFAPreferenceRequest {
                    user_pool_id: f.pool.clone(),
                    username: "ned".into(),
                    software_token_mfa_settings: Some(SoftwareTokenMfaSettingsType {
                        enabled: false,
                        preferred_mfa: false,
                    }),
                    ..Default::default()
                },
            )
            .unwrap();
        assert!(f
            .password_auth(&ctx(), "ned", PASSWORD)
            .unwrap()
            .authentication_result
            .is_some());
        set_mfa(&f, UserPoolMfaType::On, false, true);
        let first = f.password_auth(&ctx(), "ned", PASSWORD).unwrap();
        assert_eq!(
            first.challenge_name,
            Some(ChallengeNameType::SoftwareTokenMfa)
        );
    }

    #[test]
    fn a_required_mfa_sets_up_a_software_token_within_the_sign_in() {
        let f = fixture(|_| {});
        set_mfa(&f, UserPoolMfaType::On, false, true);
        f.user("uma", true);
        let first = f.password_auth(&ctx(), "uma", PASSWORD).unwrap();
        assert_eq!(first.challenge_name, Some(ChallengeNameType::MfaSetup));
        assert_eq!(
            first.challenge_parameters.as_ref().unwrap()["MFAS_CAN_SETUP"],
            r#"["SOFTWARE_TOKEN_MFA"]"#
        );
        // Answering before a token is verified does not sign in.
        let early = answer(
            &f,
            &ctx(),
            ChallengeNameType::MfaSetup,
            first.session.clone(),
            &[("USERNAME", "uma")],
        )
        .unwrap_err();
        assert_eq!(early.kind, ErrorKind::NotAuthorizedException);
        let first = f.password_auth(&ctx(), "uma", PASSWORD).unwrap();
        let associated = f
            .svc
            .associate_software_token(
                &ctx(),
                AssociateSoftwareTokenRequest {
                    access_token: None,
                    session: first.session,
                },
            )
            .unwrap();
        let key = TotpKey::from_secret_code(associated.secret_code.as_deref().unwrap()).unwrap();
        let verified = f
            .svc
            .verify_software_token(
                &ctx(),
                VerifySoftwareTokenRequest {
                    access_token: None,
                    user_code: key.totp(ctx().now.secs()).unwrap().expose().clone(),
                    friendly_device_name: None,
                    session: associated.session,
                },
            )
            .unwrap();
        let done = answer(
            &f,
            &ctx(),
            ChallengeNameType::MfaSetup,
            verified.session,
            &[("USERNAME", "uma")],
        )
        .unwrap();
        assert!(done.authentication_result.is_some());
        let user = f
            .svc
            .admin_get_user(
                &ctx(),
                AdminGetUserRequest {
                    user_pool_id: f.pool.clone(),
                    username: "uma".into(),
                },
            )
            .unwrap();
        assert_eq!(
            user.preferred_mfa_setting.as_deref(),
            Some("SOFTWARE_TOKEN_MFA")
        );
        // The next sign-in asks for the token.
        let next = f
            .password_auth(&ctx_at(1_700_000_000 + 60), "uma", PASSWORD)
            .unwrap();
        assert_eq!(
            next.challenge_name,
            Some(ChallengeNameType::SoftwareTokenMfa)
        );
    }

    #[test]
    fn a_user_with_several_factors_and_no_preference_chooses() {
        let f = fixture(|_| {});
        set_mfa(&f, UserPoolMfaType::Optional, true, true);
        f.user("val", true);
        phone(&f, "val");
        let key = register_totp(&f, "val");
        f.svc
            .admin_set_user_mfa_preference(
                &ctx(),
                AdminSetUserMFAPreferenceRequest {
                    user_pool_id: f.pool.clone(),
                    username: "val".into(),
                    sms_mfa_settings: Some(SMSMfaSettingsType {
                        enabled: true,
                        preferred_mfa: false,
                    }),
                    software_token_mfa_settings: Some(SoftwareTokenMfaSettingsType {
                        enabled: true,
                        preferred_mfa: false,
                    }),
                    ..Default::default()
                },
            )
            .unwrap();
        let later = ctx_at(1_700_000_000 + 30);
        let first = f.password_auth(&later, "val", PASSWORD).unwrap();
        assert_eq!(first.challenge_name, Some(ChallengeNameType::SelectMfaType));
        assert_eq!(
            first.challenge_parameters.as_ref().unwrap()["MFAS_CAN_CHOOSE"],
            r#"["SMS_MFA","SOFTWARE_TOKEN_MFA"]"#
        );
        let chosen = answer(
            &f,
            &later,
            ChallengeNameType::SelectMfaType,
            first.session,
            &[("USERNAME", "val"), ("ANSWER", "SOFTWARE_TOKEN_MFA")],
        )
        .unwrap();
        assert_eq!(
            chosen.challenge_name,
            Some(ChallengeNameType::SoftwareTokenMfa)
        );
        let code = key.totp(later.now.secs()).unwrap();
        let done = answer(
            &f,
            &later,
            ChallengeNameType::SoftwareTokenMfa,
            chosen.session,
            &[
                ("USERNAME", "val"),
                ("SOFTWARE_TOKEN_MFA_CODE", code.expose()),
            ],
        )
        .unwrap();
        assert!(done.authentication_result.is_some());
    }
}

mod choice;
mod devices;
mod passkeys;
mod triggers;

#[test]
fn users_and_administrators_give_feedback_on_auth_events() {
    let f = fixture(|_| {});
    f.svc
        .update_user_pool(
            &ctx(),
            UpdateUserPoolRequest {
                user_pool_id: f.pool.clone(),
                user_pool_add_ons: Some(UserPoolAddOnsType {
                    advanced_security_mode: AdvancedSecurityModeType::Audit,
                    advanced_security_additional_flows: None,
                }),
                ..Default::default()
            },
        )
        .unwrap();
    f.user("fay", true);
    f.tokens("fay");
    let event = f.svc.auth_events(Some(&f.pool), Some("fay")).pop().unwrap();
    let event_id = event.event.event_id.clone().unwrap();
    let feedback = |token: &str| {
        f.svc.update_auth_event_feedback(
            &ctx(),
            UpdateAuthEventFeedbackRequest {
                user_pool_id: f.pool.clone(),
                username: "fay".into(),
                event_id: event_id.clone(),
                feedback_token: token.into(),
                feedback_value: FeedbackValueType::Invalid,
            },
        )
    };
    assert_eq!(
        feedback("forged").unwrap_err().kind,
        ErrorKind::NotAuthorizedException
    );
    feedback(&event.feedback_token).unwrap();
    let shown = f.svc.auth_events(Some(&f.pool), Some("fay")).pop().unwrap();
    let given = shown.event.event_feedback.unwrap();
    assert_eq!(
        (given.feedback_value, given.provider.as_str()),
        (FeedbackValueType::Invalid, "User")
    );
    f.svc
        .admin_update_auth_event_feedback(
            &ctx(),
            AdminUpdateAuthEventFeedbackRequest {
                user_pool_id: f.pool.clone(),
                username: "fay".into(),
                event_id: event_id.clone(),
                feedback_value: FeedbackValueType::Valid,
            },
        )
        .unwrap();
    let shown = f.svc.auth_events(Some(&f.pool), Some("fay")).pop().unwrap();
    assert_eq!(shown.event.event_feedback.unwrap().provider, "Admin");
}
