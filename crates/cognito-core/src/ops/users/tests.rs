use super::*;
use crate::testing::{create_pool, ctx, service};

fn attr(name: &str, value: &str) -> AttributeType {
    AttributeType {
        name: name.into(),
        value: Some(value.into()),
    }
}

fn create_user(
    svc: &Cognito,
    pool: &str,
    username: &str,
    attrs: Vec<AttributeType>,
) -> Result<UserType, CognitoError> {
    svc.admin_create_user(
        &ctx(),
        AdminCreateUserRequest {
            user_pool_id: pool.into(),
            username: username.into(),
            user_attributes: Some(attrs),
            message_action: Some(MessageActionType::Suppress),
            ..Default::default()
        },
    )
    .map(|r| r.user.unwrap())
}

fn get(svc: &Cognito, pool: &str, username: &str) -> Result<AdminGetUserResponse, CognitoError> {
    svc.admin_get_user(
        &ctx(),
        AdminGetUserRequest {
            user_pool_id: pool.into(),
            username: username.into(),
        },
    )
}

fn pool_with(svc: &Cognito, f: impl FnOnce(&mut CreateUserPoolRequest)) -> String {
    let mut req = CreateUserPoolRequest {
        pool_name: "p".into(),
        ..Default::default()
    };
    f(&mut req);
    svc.create_user_pool(&ctx(), req)
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap()
}

#[test]
fn create_user_defaults_and_duplicates() {
    let svc = service();
    let pool = create_pool(&svc, "p").id.unwrap();
    let user = create_user(
        &svc,
        &pool,
        "alice",
        vec![attr("email", "alice@example.com")],
    )
    .unwrap();
    assert_eq!(user.username.as_deref(), Some("alice"));
    assert_eq!(user.user_status, Some(UserStatusType::ForceChangePassword));
    assert!(user.enabled);
    let attrs = user.attributes.unwrap();
    assert_eq!(attrs.first().map(|a| a.name.as_str()), Some("sub"));
    assert_eq!(
        attrs.first().and_then(|a| a.value.as_deref()).map(str::len),
        Some(36)
    );
    let err = create_user(&svc, &pool, "alice", vec![]).unwrap_err();
    assert_eq!(err.kind, ErrorKind::UsernameExistsException);
    assert_eq!(err.message, "User account already exists");
    let got = get(&svc, &pool, "alice").unwrap();
    assert_eq!(got.user_create_date, Some(ctx().now));
    assert_eq!(
        get(&svc, &pool, "bob").unwrap_err().kind,
        ErrorKind::UserNotFoundException
    );
}

#[test]
fn attributes_must_fit_the_schema() {
    let svc = service();
    let pool = create_pool(&svc, "p").id.unwrap();
    let err = create_user(&svc, &pool, "a", vec![attr("custom:nope", "1")]).unwrap_err();
    assert_eq!(err.message, "Attributes did not conform to the schema: custom:nope: Attribute does not exist in the schema.");
    let err = create_user(&svc, &pool, "a", vec![attr("email", "not-an-email")]).unwrap_err();
    assert_eq!(err.message, "Invalid email address format.");
    let err = create_user(&svc, &pool, "a", vec![attr("phone_number", "555")]).unwrap_err();
    assert_eq!(err.message, "Invalid phone number format.");
    let required = pool_with(&svc, |r| {
        r.schema = Some(vec![SchemaAttributeType {
            name: Some("email".into()),
            required: Some(true),
            ..Default::default()
        }]);
    });
    let err = create_user(&svc, &required, "a", vec![]).unwrap_err();
    assert_eq!(
        err.message,
        "Attributes did not conform to the schema: email: The attribute is required"
    );
}

#[test]
fn temporary_passwords_follow_the_policy_and_invitations_reach_the_outbox() {
    let svc = service();
    let pool = create_pool(&svc, "p").id.unwrap();
    let err = svc
        .admin_create_user(
            &ctx(),
            AdminCreateUserRequest {
                user_pool_id: pool.clone(),
                username: "a".into(),
                temporary_password: Some("short".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidPasswordException);
    svc.admin_create_user(
        &ctx(),
        AdminCreateUserRequest {
            user_pool_id: pool.clone(),
            username: "a".into(),
            user_attributes: Some(vec![attr("email", "a@example.com")]),
            desired_delivery_mediums: Some(vec![DeliveryMediumType::Email]),
            ..Default::default()
        },
    )
    .unwrap();
    let sent = svc.outbox().messages(|m| m.pool_id == pool);
    assert_eq!(sent.len(), 1);
    let message = sent.first().unwrap();
    assert_eq!(message.destination, "a@example.com");
    let password = message.code.as_ref().unwrap().expose();
    assert!(message.body.expose().contains(password.as_str()));
    assert!(message.body.expose().contains("Your username is a"));
    let pool_state = svc.pool(&ctx(), &pool).unwrap();
    let pool_state = pool_state.read();
    let user = pool_state.users.get("a").unwrap();
    assert!(user
        .password
        .as_ref()
        .unwrap()
        .verify(pool_state.pool_name(), "a", password));
    assert_eq!(
        user.temporary_password_expires,
        Some(ctx().now.plus_millis(7 * 86_400_000))
    );
}

#[test]
fn email_as_username() {
    let svc = service();
    let pool = pool_with(&svc, |r| {
        r.username_attributes = Some(vec![UsernameAttributeType::Email])
    });
    let user = create_user(&svc, &pool, "Alice@example.com", vec![]).unwrap();
    let username = user.username.unwrap();
    assert_eq!(username.len(), 36, "the username is the sub");
    let got = get(&svc, &pool, "Alice@example.com").unwrap();
    assert_eq!(got.username, username);
    let err = create_user(&svc, &pool, "Alice@example.com", vec![]).unwrap_err();
    assert_eq!(err.kind, ErrorKind::UsernameExistsException);
    assert_eq!(
        err.message,
        "An account with the given email already exists."
    );
    let err = create_user(&svc, &pool, "alice", vec![]).unwrap_err();
    assert_eq!(err.message, "Username should be an email.");
}

#[test]
fn verified_email_aliases_are_unique() {
    let svc = service();
    let pool = pool_with(&svc, |r| {
        r.alias_attributes = Some(vec![AliasAttributeType::Email])
    });
    let verified = vec![
        attr("email", "x@example.com"),
        attr("email_verified", "true"),
    ];
    create_user(&svc, &pool, "first", verified.clone()).unwrap();
    assert_eq!(get(&svc, &pool, "x@example.com").unwrap().username, "first");
    let err = create_user(&svc, &pool, "second", verified.clone()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::AliasExistsException);
    let err = create_user(&svc, &pool, "x@example.com", vec![]).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidParameterException);
    // Forcing moves the alias.
    svc.admin_create_user(
        &ctx(),
        AdminCreateUserRequest {
            user_pool_id: pool.clone(),
            username: "second".into(),
            user_attributes: Some(verified),
            force_alias_creation: true,
            message_action: Some(MessageActionType::Suppress),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        get(&svc, &pool, "x@example.com").unwrap().username,
        "second"
    );
}

#[test]
fn case_insensitive_usernames() {
    let svc = service();
    let pool = pool_with(&svc, |r| {
        r.username_configuration = Some(UsernameConfigurationType {
            case_sensitive: false,
        })
    });
    create_user(&svc, &pool, "Bob", vec![]).unwrap();
    assert_eq!(get(&svc, &pool, "bOB").unwrap().username, "Bob");
    assert_eq!(
        create_user(&svc, &pool, "BOB", vec![]).unwrap_err().kind,
        ErrorKind::UsernameExistsException
    );
    let sensitive = create_pool(&svc, "s").id.unwrap();
    create_user(&svc, &sensitive, "Bob", vec![]).unwrap();
    assert_eq!(
        get(&svc, &sensitive, "bob").unwrap_err().kind,
        ErrorKind::UserNotFoundException
    );
}

#[test]
fn updating_email_resets_verification_and_deleting_attributes() {
    let svc = service();
    let pool = create_pool(&svc, "p").id.unwrap();
    create_user(
        &svc,
        &pool,
        "u",
        vec![
            attr("email", "a@example.com"),
            attr("email_verified", "true"),
            attr("name", "U"),
        ],
    )
    .unwrap();
    svc.admin_update_user_attributes(
        &ctx(),
        AdminUpdateUserAttributesRequest {
            user_pool_id: pool.clone(),
            username: "u".into(),
            user_attributes: vec![attr("email", "b@example.com")],
            client_metadata: None,
        },
    )
    .unwrap();
    let attrs = get(&svc, &pool, "u").unwrap().user_attributes.unwrap();
    let value = |n: &str| {
        attrs
            .iter()
            .find(|a| a.name == n)
            .and_then(|a| a.value.clone())
    };
    assert_eq!(value("email").as_deref(), Some("b@example.com"));
    assert_eq!(value("email_verified").as_deref(), Some("false"));
    let err = svc
        .admin_update_user_attributes(
            &ctx(),
            AdminUpdateUserAttributesRequest {
                user_pool_id: pool.clone(),
                username: "u".into(),
                user_attributes: vec![attr("sub", "x")],
                client_metadata: None,
            },
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidParameterException);
    svc.admin_delete_user_attributes(
        &ctx(),
        AdminDeleteUserAttributesRequest {
            user_pool_id: pool.clone(),
            username: "u".into(),
            user_attribute_names: vec!["name".into()],
        },
    )
    .unwrap();
    let attrs = get(&svc, &pool, "u").unwrap().user_attributes.unwrap();
    assert!(!attrs.iter().any(|a| a.name == "name"));
}

#[test]
fn passwords_status_and_enablement() {
    let svc = service();
    let pool = create_pool(&svc, "p").id.unwrap();
    create_user(&svc, &pool, "u", vec![]).unwrap();
    let set = |password: &str, permanent: bool| {
        svc.admin_set_user_password(
            &ctx(),
            AdminSetUserPasswordRequest {
                user_pool_id: pool.clone(),
                username: "u".into(),
                password: password.into(),
                permanent,
            },
        )
    };
    assert_eq!(
        set("weak", true).unwrap_err().kind,
        ErrorKind::InvalidPasswordException
    );
    set("Str0ng!pass", true).unwrap();
    assert_eq!(
        get(&svc, &pool, "u").unwrap().user_status,
        Some(UserStatusType::Confirmed)
    );
    set("Str0ng!pass2", false).unwrap();
    assert_eq!(
        get(&svc, &pool, "u").unwrap().user_status,
        Some(UserStatusType::ForceChangePassword)
    );

    svc.admin_disable_user(
        &ctx(),
        AdminDisableUserRequest {
            user_pool_id: pool.clone(),
            username: "u".into(),
        },
    )
    .unwrap();
    assert!(!get(&svc, &pool, "u").unwrap().enabled);
    svc.admin_enable_user(
        &ctx(),
        AdminEnableUserRequest {
            user_pool_id: pool.clone(),
            username: "u".into(),
        },
    )
    .unwrap();
    assert!(get(&svc, &pool, "u").unwrap().enabled);

    let err = svc
        .admin_confirm_sign_up(
            &ctx(),
            AdminConfirmSignUpRequest {
                user_pool_id: pool.clone(),
                username: "u".into(),
                client_metadata: None,
            },
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotAuthorizedException);
    assert_eq!(
        err.message,
        "User cannot be confirmed. Current status is FORCE_CHANGE_PASSWORD"
    );

    let reset = || {
        svc.admin_reset_user_password(
            &ctx(),
            AdminResetUserPasswordRequest {
                user_pool_id: pool.clone(),
                username: "u".into(),
                client_metadata: None,
            },
        )
    };
    // Until the user has a password of its own, there is nothing to reset.
    let err = reset().unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotAuthorizedException);
    assert_eq!(
        err.message,
        "User password cannot be reset in the current state."
    );
    set("Str0ng!pass3", true).unwrap();
    let err = reset().unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidParameterException);
    svc.admin_update_user_attributes(
        &ctx(),
        AdminUpdateUserAttributesRequest {
            user_pool_id: pool.clone(),
            username: "u".into(),
            user_attributes: vec![
                attr("email", "u@example.com"),
                attr("email_verified", "true"),
            ],
            client_metadata: None,
        },
    )
    .unwrap();
    reset().unwrap();
    assert_eq!(
        get(&svc, &pool, "u").unwrap().user_status,
        Some(UserStatusType::ResetRequired)
    );
    let codes = svc
        .outbox()
        .messages(|m| m.kind == crate::messages::MessageKind::ForgotPasswordCode);
    assert_eq!(codes.len(), 1);
    assert_eq!(
        codes.first().unwrap().code.as_ref().unwrap().expose().len(),
        6
    );

    svc.admin_delete_user(
        &ctx(),
        AdminDeleteUserRequest {
            user_pool_id: pool.clone(),
            username: "u".into(),
        },
    )
    .unwrap();
    assert_eq!(
        get(&svc, &pool, "u").unwrap_err().kind,
        ErrorKind::UserNotFoundException
    );
}

#[test]
fn mfa_preferences() {
    let svc = service();
    let pool = create_pool(&svc, "p").id.unwrap();
    create_user(&svc, &pool, "u", vec![attr("phone_number", "+14155550100")]).unwrap();
    let set = |sms: Option<SMSMfaSettingsType>, totp: Option<SoftwareTokenMfaSettingsType>| {
        svc.admin_set_user_mfa_preference(
            &ctx(),
            AdminSetUserMFAPreferenceRequest {
                user_pool_id: pool.clone(),
                username: "u".into(),
                sms_mfa_settings: sms,
                software_token_mfa_settings: totp,
                ..Default::default()
            },
        )
    };
    set(
        Some(SMSMfaSettingsType {
            enabled: true,
            preferred_mfa: true,
        }),
        None,
    )
    .unwrap();
    let got = get(&svc, &pool, "u").unwrap();
    assert_eq!(got.preferred_mfa_setting.as_deref(), Some("SMS_MFA"));
    assert_eq!(got.user_mfa_setting_list, Some(vec!["SMS_MFA".to_string()]));
    let err = set(
        None,
        Some(SoftwareTokenMfaSettingsType {
            enabled: true,
            preferred_mfa: false,
        }),
    )
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidParameterException);
}

#[test]
fn auth_events_need_threat_protection() {
    let svc = service();
    let pool = create_pool(&svc, "p").id.unwrap();
    create_user(&svc, &pool, "u", vec![]).unwrap();
    let err = svc
        .admin_list_user_auth_events(
            &ctx(),
            AdminListUserAuthEventsRequest {
                user_pool_id: pool,
                username: "u".into(),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::UserPoolAddOnNotEnabledException);
}

fn list(
    svc: &Cognito,
    pool: &str,
    filter: Option<&str>,
    limit: i32,
    token: Option<String>,
) -> ListUsersResponse {
    svc.list_users(
        &ctx(),
        ListUsersRequest {
            user_pool_id: pool.into(),
            filter: filter.map(Into::into),
            limit: Some(limit),
            pagination_token: token,
            attributes_to_get: None,
        },
    )
    .unwrap()
}

fn names(r: &ListUsersResponse) -> Vec<String> {
    r.users
        .iter()
        .flatten()
        .filter_map(|u| u.username.clone())
        .collect()
}

#[test]
fn list_users_filters_and_pages() {
    let svc = service();
    let pool = create_pool(&svc, "p").id.unwrap();
    for (name, email, family) in [
        ("ann", "ann@x.com", "Reddy"),
        ("bea", "bea@y.com", "Rees"),
        ("cal", "cal@x.com", "Smith"),
        ("dan", "ann@x.com", "Stone"),
    ] {
        create_user(
            &svc,
            &pool,
            name,
            vec![attr("email", email), attr("family_name", family)],
        )
        .unwrap();
    }
    assert_eq!(
        names(&list(&svc, &pool, Some(r#"email = "ann@x.com""#), 60, None)),
        ["ann", "dan"]
    );
    assert_eq!(
        names(&list(&svc, &pool, Some(r#"family_name ^= "Re""#), 60, None)),
        ["ann", "bea"]
    );
    assert_eq!(
        names(&list(&svc, &pool, Some(r#"username = "cal""#), 60, None)),
        ["cal"]
    );
    assert_eq!(
        names(&list(&svc, &pool, Some(r#"username ^= "b""#), 60, None)),
        ["bea"]
    );
    assert_eq!(
        names(&list(
            &svc,
            &pool,
            Some(r#"cognito:user_status = "FORCE_CHANGE_PASSWORD""#),
            60,
            None
        ))
        .len(),
        4
    );
    assert_eq!(
        names(&list(&svc, &pool, Some(r#"status = "Disabled""#), 60, None)).len(),
        0
    );

    // Pages stay valid while users are added before and after the cursor.
    let first = list(&svc, &pool, None, 2, None);
    assert_eq!(names(&first), ["ann", "bea"]);
    create_user(&svc, &pool, "aaa", vec![]).unwrap();
    create_user(&svc, &pool, "eve", vec![]).unwrap();
    let second = list(&svc, &pool, None, 2, first.pagination_token.clone());
    assert_eq!(names(&second), ["cal", "dan"]);
    let third = list(&svc, &pool, None, 2, second.pagination_token.clone());
    assert_eq!(names(&third), ["eve"]);
    assert_eq!(third.pagination_token, None);

    let filtered = list(&svc, &pool, Some(r#"email ^= "ann""#), 1, None);
    assert_eq!(names(&filtered), ["ann"]);
    let rest = list(
        &svc,
        &pool,
        Some(r#"email ^= "ann""#),
        1,
        filtered.pagination_token,
    );
    assert_eq!(names(&rest), ["dan"]);
    assert_eq!(rest.pagination_token, None);
}

#[test]
fn list_users_pages_status_and_sub_filters_in_username_order() {
    let svc = service();
    let pool = create_pool(&svc, "p").id.unwrap();
    let mut subs = Vec::new();
    for name in ["eve", "bob", "dan", "ann", "cal"] {
        let user = create_user(&svc, &pool, name, vec![]).unwrap();
        let sub = user.attributes.unwrap().remove(0).value.unwrap();
        subs.push((name, sub));
    }
    svc.admin_disable_user(
        &ctx(),
        AdminDisableUserRequest {
            user_pool_id: pool.clone(),
            username: "bob".into(),
        },
    )
    .unwrap();
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = list(&svc, &pool, Some(r#"cognito:user_status ^= "F""#), 2, token);
        seen.extend(names(&page));
        token = page.pagination_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen, ["ann", "bob", "cal", "dan", "eve"]);
    let page = list(&svc, &pool, Some(r#"status = "Enabled""#), 3, None);
    assert_eq!(names(&page), ["ann", "cal", "dan"]);
    let rest = list(
        &svc,
        &pool,
        Some(r#"status = "Enabled""#),
        3,
        page.pagination_token,
    );
    assert_eq!(names(&rest), ["eve"]);
    let page = list(&svc, &pool, Some(r#"status ^= """#), 2, None);
    assert_eq!(names(&page), ["ann", "bob"]);
    let rest = list(
        &svc,
        &pool,
        Some(r#"status ^= """#),
        60,
        page.pagination_token,
    );
    assert_eq!(names(&rest), ["cal", "dan", "eve"]);
    for (name, sub) in &subs {
        let filter = format!(r#"sub = "{sub}""#);
        assert_eq!(names(&list(&svc, &pool, Some(&filter), 60, None)), [*name]);
        let filter = format!(r#"sub ^= "{}""#, &sub[..20]);
        assert_eq!(names(&list(&svc, &pool, Some(&filter), 60, None)), [*name]);
    }
    assert_eq!(
        names(&list(&svc, &pool, Some(r#"sub ^= """#), 60, None)),
        ["ann", "bob", "cal", "dan", "eve"]
    );
}

#[test]
fn list_users_attributes_to_get() {
    let svc = service();
    let pool = create_pool(&svc, "p").id.unwrap();
    create_user(
        &svc,
        &pool,
        "ann",
        vec![attr("email", "ann@x.com"), attr("name", "Ann")],
    )
    .unwrap();
    let r = svc
        .list_users(
            &ctx(),
            ListUsersRequest {
                user_pool_id: pool,
                attributes_to_get: Some(vec!["email".into()]),
                ..Default::default()
            },
        )
        .unwrap();
    let attrs = r.users.unwrap().pop().unwrap().attributes.unwrap();
    assert_eq!(attrs, vec![attr("email", "ann@x.com")]);
}

#[test]
fn sign_in_attributes_are_unique_and_found_in_any_case_where_usernames_ignore_case() {
    let svc = service();
    let pool = pool_with(&svc, |r| {
        r.username_attributes = Some(vec![UsernameAttributeType::Email]);
        r.username_configuration = Some(UsernameConfigurationType {
            case_sensitive: false,
        });
    });
    let dana = create_user(&svc, &pool, "dana@example.com", vec![])
        .unwrap()
        .username
        .unwrap();
    assert_eq!(get(&svc, &pool, "dana@EXAMPLE.com").unwrap().username, dana);
    let err = create_user(&svc, &pool, "Dana@Example.COM", vec![]).unwrap_err();
    assert_eq!(
        (err.kind, err.message.as_str()),
        (
            ErrorKind::UsernameExistsException,
            "An account with the given email already exists."
        )
    );
    // Changing another user's email to dana's, in any case, is refused.
    let eli = create_user(&svc, &pool, "Eli@example.com", vec![])
        .unwrap()
        .username
        .unwrap();
    assert_eq!(get(&svc, &pool, "eli@example.com").unwrap().username, eli);
    let err = svc
        .admin_update_user_attributes(
            &ctx(),
            AdminUpdateUserAttributesRequest {
                user_pool_id: pool.clone(),
                username: eli.clone(),
                user_attributes: vec![attr("email", "DANA@example.com")],
                client_metadata: None,
            },
        )
        .unwrap_err();
    assert_eq!(
        (err.kind, err.message.as_str()),
        (
            ErrorKind::AliasExistsException,
            "An account with the given email already exists."
        )
    );
    // Once eli's email changes, the old one is free and the new one found.
    svc.admin_update_user_attributes(
        &ctx(),
        AdminUpdateUserAttributesRequest {
            user_pool_id: pool.clone(),
            username: eli.clone(),
            user_attributes: vec![attr("email", "Eli.New@example.com")],
            client_metadata: None,
        },
    )
    .unwrap();
    assert_eq!(
        get(&svc, &pool, "ELI.NEW@example.com").unwrap().username,
        eli
    );
    assert!(get(&svc, &pool, "eli@example.com").is_err());
    create_user(&svc, &pool, "ELI@example.com", vec![]).unwrap();

    // In a case-sensitive pool, emails are found as written.
    let sensitive = pool_with(&svc, |r| {
        r.username_attributes = Some(vec![UsernameAttributeType::Email]);
    });
    create_user(&svc, &sensitive, "dana@example.com", vec![]).unwrap();
    assert_eq!(
        get(&svc, &sensitive, "dana@EXAMPLE.com").unwrap_err().kind,
        ErrorKind::UserNotFoundException
    );
}

#[test]
fn aliases_and_preferred_usernames_are_unique_in_any_case() {
    let svc = service();
    let pool = pool_with(&svc, |r| {
        r.alias_attributes = Some(vec![
            AliasAttributeType::Email,
            AliasAttributeType::PreferredUsername,
        ]);
        r.username_configuration = Some(UsernameConfigurationType {
            case_sensitive: false,
        });
    });
    create_user(
        &svc,
        &pool,
        "fred",
        vec![
            attr("email", "Fred@example.com"),
            attr("email_verified", "True"),
            attr("preferred_username", "Freddy"),
        ],
    )
    .unwrap();
    assert_eq!(
        get(&svc, &pool, "fred@EXAMPLE.com").unwrap().username,
        "fred"
    );
    assert_eq!(get(&svc, &pool, "FREDDY").unwrap().username, "fred");
    let err = create_user(
        &svc,
        &pool,
        "george",
        vec![
            attr("email", "FRED@example.com"),
            attr("email_verified", "true"),
        ],
    )
    .unwrap_err();
    assert_eq!(
        (err.kind, err.message.as_str()),
        (
            ErrorKind::AliasExistsException,
            "An account with the email already exists."
        )
    );
    let err = create_user(
        &svc,
        &pool,
        "george",
        vec![attr("preferred_username", "fREDDY")],
    )
    .unwrap_err();
    assert_eq!(
        (err.kind, err.message.as_str()),
        (
            ErrorKind::AliasExistsException,
            "An account with the preferred_username already exists."
        )
    );
    // An unverified email claims nothing.
    create_user(
        &svc,
        &pool,
        "george",
        vec![attr("email", "fred@example.com")],
    )
    .unwrap();
    assert_eq!(
        get(&svc, &pool, "fred@example.com").unwrap().username,
        "fred"
    );
}
