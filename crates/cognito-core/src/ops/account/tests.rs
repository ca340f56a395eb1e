use super::*;
use crate::testing::{ctx, service};

const PASSWORD: &str = "Corr3ct!horse";

struct Fixture {
    svc: Cognito,
    pool: String,
    client: String,
}

fn fixture(
    pool: impl FnOnce(&mut CreateUserPoolRequest),
    client: impl FnOnce(&mut CreateUserPoolClientRequest),
) -> Fixture {
    let svc = service();
    let mut req = CreateUserPoolRequest {
        pool_name: "p".into(),
        ..Default::default()
    };
    pool(&mut req);
    let pool = svc
        .create_user_pool(&ctx(), req)
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
    svc.admin_create_user(
        &ctx(),
        AdminCreateUserRequest {
            user_pool_id: pool.clone(),
            username: "ann".into(),
            temporary_password: Some(PASSWORD.into()),
            user_attributes: Some(vec![
                AttributeType {
                    name: "email".into(),
                    value: Some("ann@example.com".into()),
                },
                AttributeType {
                    name: "email_verified".into(),
                    value: Some("true".into()),
                },
            ]),
            message_action: Some(MessageActionType::Suppress),
            ..Default::default()
        },
    )
    .unwrap();
    svc.admin_set_user_password(
        &ctx(),
        AdminSetUserPasswordRequest {
            user_pool_id: pool.clone(),
            username: "ann".into(),
            password: PASSWORD.into(),
            permanent: true,
        },
    )
    .unwrap();
    Fixture { svc, pool, client }
}

impl Fixture {
    fn access_token(&self, password: &str) -> Result<String, CognitoError> {
        self.svc
            .initiate_auth(
                &ctx(),
                InitiateAuthRequest {
                    client_id: self.client.clone(),
                    auth_flow: AuthFlowType::UserPasswordAuth,
                    auth_parameters: Some(
                        [
                            ("USERNAME".to_string(), "ann".to_string()),
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
            .map(|r| r.authentication_result.unwrap().access_token.unwrap())
    }

    fn attribute(&self, token: &str, name: &str) -> Option<String> {
        self.svc
            .get_user(
                &ctx(),
                GetUserRequest {
                    access_token: token.into(),
                },
            )
            .unwrap()
            .user_attributes
            .into_iter()
            .find(|a| a.name == name)
            .and_then(|a| a.value)
    }
}

#[test]
fn get_user_and_change_password() {
    let f = fixture(|_| {}, |_| {});
    let token = f.access_token(PASSWORD).unwrap();
    let user = f
        .svc
        .get_user(
            &ctx(),
            GetUserRequest {
                access_token: token.clone(),
            },
        )
        .unwrap();
    assert_eq!(user.username, "ann");
    assert_eq!(
        user.user_attributes.first().map(|a| a.name.as_str()),
        Some("sub")
    );
    let bad = f
        .svc
        .get_user(
            &ctx(),
            GetUserRequest {
                access_token: "not.a.token".into(),
            },
        )
        .unwrap_err();
    assert_eq!(
        (bad.kind, bad.message.as_str()),
        (ErrorKind::NotAuthorizedException, "Invalid Access Token")
    );

    let change = |previous: &str, proposed: &str| {
        f.svc.change_password(
            &ctx(),
            ChangePasswordRequest {
                access_token: token.clone(),
                previous_password: Some(previous.into()),
                proposed_password: proposed.into(),
            },
        )
    };
    assert_eq!(
        change("Wr0ng!pass", "N3w!password").unwrap_err().kind,
        ErrorKind::NotAuthorizedException
    );
    assert_eq!(
        change(PASSWORD, "weak").unwrap_err().kind,
        ErrorKind::InvalidPasswordException
    );
    change(PASSWORD, "N3w!password").unwrap();
    assert!(f.access_token(PASSWORD).is_err());
    assert!(f.access_token("N3w!password").is_ok());
}

#[test]
fn email_changes_are_verified_with_a_code() {
    let f = fixture(
        |p| p.auto_verified_attributes = Some(vec![VerifiedAttributeType::Email]),
        |_| {},
    );
    let token = f.access_token(PASSWORD).unwrap();
    let answer = f
        .svc
        .update_user_attributes(
            &ctx(),
            UpdateUserAttributesRequest {
                access_token: token.clone(),
                user_attributes: vec![AttributeType {
                    name: "email".into(),
                    value: Some("new@example.org".into()),
                }],
                client_metadata: None,
            },
        )
        .unwrap();
    let details = answer.code_delivery_details_list.unwrap();
    assert_eq!(details[0].destination.as_deref(), Some("n***@e***"));
    assert_eq!(
        f.attribute(&token, "email").as_deref(),
        Some("new@example.org")
    );
    assert_eq!(
        f.attribute(&token, "email_verified").as_deref(),
        Some("false")
    );
    let code = f
        .svc
        .outbox()
        .messages(|m| m.destination == "new@example.org")
        .pop()
        .unwrap()
        .code
        .unwrap();
    let verify = |code: &str| {
        f.svc.verify_user_attribute(
            &ctx(),
            VerifyUserAttributeRequest {
                access_token: token.clone(),
                attribute_name: "email".into(),
                code: code.into(),
            },
        )
    };
    let wrong = if code.expose() == "000000" {
        "111111"
    } else {
        "000000"
    };
    assert_eq!(
        verify(wrong).unwrap_err().kind,
        ErrorKind::CodeMismatchException
    );
    verify(code.expose()).unwrap();
    assert_eq!(
        f.attribute(&token, "email_verified").as_deref(),
        Some("true")
    );
}

#[test]
fn verification_before_update_keeps_the_old_email() {
    let f = fixture(
        |p| {
            p.auto_verified_attributes = Some(vec![VerifiedAttributeType::Email]);
            p.user_attribute_update_settings = Some(UserAttributeUpdateSettingsType {
                attributes_require_verification_before_update: Some(vec![
                    VerifiedAttributeType::Email,
                ]),
            });
        },
        |_| {},
    );
    let token = f.access_token(PASSWORD).unwrap();
    f.svc
        .update_user_attributes(
            &ctx(),
            UpdateUserAttributesRequest {
                access_token: token.clone(),
                user_attributes: vec![AttributeType {
                    name: "email".into(),
                    value: Some("new@example.org".into()),
                }],
                client_metadata: None,
            },
        )
        .unwrap();
    assert_eq!(
        f.attribute(&token, "email").as_deref(),
        Some("ann@example.com")
    );
    let code = f
        .svc
        .outbox()
        .messages(|m| m.destination == "new@example.org")
        .pop()
        .unwrap()
        .code
        .unwrap();
    f.svc
        .verify_user_attribute(
            &ctx(),
            VerifyUserAttributeRequest {
                access_token: token.clone(),
                attribute_name: "email".into(),
                code: code.expose().clone(),
            },
        )
        .unwrap();
    assert_eq!(
        f.attribute(&token, "email").as_deref(),
        Some("new@example.org")
    );
    assert_eq!(
        f.attribute(&token, "email_verified").as_deref(),
        Some("true")
    );
}

#[test]
fn write_attributes_and_delete_user() {
    let f = fixture(|_| {}, |c| c.write_attributes = Some(vec!["name".into()]));
    let token = f.access_token(PASSWORD).unwrap();
    let err = f
        .svc
        .update_user_attributes(
            &ctx(),
            UpdateUserAttributesRequest {
                access_token: token.clone(),
                user_attributes: vec![AttributeType {
                    name: "email".into(),
                    value: Some("x@example.com".into()),
                }],
                client_metadata: None,
            },
        )
        .unwrap_err();
    assert_eq!(
        err.message,
        "A client attempted to write unauthorized attribute"
    );
    f.svc
        .delete_user(
            &ctx(),
            DeleteUserRequest {
                access_token: token.clone(),
            },
        )
        .unwrap();
    let err = f
        .svc
        .get_user(
            &ctx(),
            GetUserRequest {
                access_token: token,
            },
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotAuthorizedException);
    let gone = f.svc.admin_get_user(
        &ctx(),
        AdminGetUserRequest {
            user_pool_id: f.pool.clone(),
            username: "ann".into(),
        },
    );
    assert_eq!(gone.unwrap_err().kind, ErrorKind::UserNotFoundException);
}
