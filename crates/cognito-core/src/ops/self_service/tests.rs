use super::*;
use crate::messages::MessageKind;
use crate::testing::{ctx, ctx_at, service};

fn attr(name: &str, value: &str) -> AttributeType {
    AttributeType {
        name: name.into(),
        value: Some(value.into()),
    }
}

/// A pool set up by `f`, and an app client of it with `client` settings.
fn setup(
    svc: &Cognito,
    f: impl FnOnce(&mut CreateUserPoolRequest),
    client: impl FnOnce(&mut CreateUserPoolClientRequest),
) -> (String, String) {
    let mut req = CreateUserPoolRequest {
        pool_name: "p".into(),
        ..Default::default()
    };
    f(&mut req);
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
    (pool, client)
}

fn auto_verify(attrs: &[VerifiedAttributeType]) -> impl FnOnce(&mut CreateUserPoolRequest) + '_ {
    move |r| r.auto_verified_attributes = Some(attrs.to_vec())
}

fn hiding(r: &mut CreateUserPoolClientRequest) {
    r.prevent_user_existence_errors = Some(PreventUserExistenceErrorTypes::Enabled);
}

fn legacy(r: &mut CreateUserPoolClientRequest) {
    r.prevent_user_existence_errors = Some(PreventUserExistenceErrorTypes::Legacy);
}

fn sign_up(
    svc: &Cognito,
    client: &str,
    username: &str,
    attrs: Vec<AttributeType>,
) -> Result<SignUpResponse, CognitoError> {
    svc.sign_up(
        &ctx(),
        SignUpRequest {
            client_id: client.into(),
            username: username.into(),
            password: Some("Passw0rd!".into()),
            user_attributes: Some(attrs),
            ..Default::default()
        },
    )
}

fn confirm(
    svc: &Cognito,
    at: &RequestContext,
    client: &str,
    username: &str,
    code: &str,
) -> Result<ConfirmSignUpResponse, CognitoError> {
    svc.confirm_sign_up(
        at,
        ConfirmSignUpRequest {
            client_id: client.into(),
            username: username.into(),
            confirmation_code: code.into(),
            ..Default::default()
        },
    )
}

fn forgot(
    svc: &Cognito,
    client: &str,
    username: &str,
) -> Result<ForgotPasswordResponse, CognitoError> {
    svc.forgot_password(
        &ctx(),
        ForgotPasswordRequest {
            client_id: client.into(),
            username: username.into(),
            ..Default::default()
        },
    )
}

fn confirm_forgot(
    svc: &Cognito,
    client: &str,
    username: &str,
    code: &str,
    password: &str,
) -> Result<ConfirmForgotPasswordResponse, CognitoError> {
    svc.confirm_forgot_password(
        &ctx(),
        ConfirmForgotPasswordRequest {
            client_id: client.into(),
            username: username.into(),
            confirmation_code: code.into(),
            password: password.into(),
            ..Default::default()
        },
    )
}

fn resend(
    svc: &Cognito,
    client: &str,
    username: &str,
) -> Result<ResendConfirmationCodeResponse, CognitoError> {
    svc.resend_confirmation_code(
        &ctx(),
        ResendConfirmationCodeRequest {
            client_id: client.into(),
            username: username.into(),
            ..Default::default()
        },
    )
}

/// The code in the last message sent to `username`.
fn last_code(svc: &Cognito, username: &str) -> String {
    svc.outbox()
        .messages(|m| m.username == username)
        .last()
        .and_then(|m| m.code.as_ref().map(|c| c.expose().clone()))
        .unwrap()
}

fn user(svc: &Cognito, pool: &str, username: &str) -> AdminGetUserResponse {
    svc.admin_get_user(
        &ctx(),
        AdminGetUserRequest {
            user_pool_id: pool.into(),
            username: username.into(),
        },
    )
    .unwrap()
}

fn attribute(user: &AdminGetUserResponse, name: &str) -> Option<String> {
    user.user_attributes
        .iter()
        .flatten()
        .find(|a| a.name == name)
        .and_then(|a| a.value.clone())
}

#[track_caller]
fn assert_err<T: std::fmt::Debug>(result: Result<T, CognitoError>, kind: ErrorKind, message: &str) {
    let e = result.unwrap_err();
    assert_eq!((e.kind, e.message.as_str()), (kind, message));
}

fn details(medium: DeliveryMediumType, attr: &str, dest: &str) -> CodeDeliveryDetailsType {
    CodeDeliveryDetailsType {
        attribute_name: Some(attr.into()),
        delivery_medium: Some(medium),
        destination: Some(dest.into()),
    }
}

#[test]
fn sign_up_then_confirm_with_the_emailed_code() {
    let svc = service();
    let (pool, client) = setup(&svc, auto_verify(&[VerifiedAttributeType::Email]), |_| {});
    let answer = sign_up(
        &svc,
        &client,
        "alice",
        vec![attr("email", "alice@example.com")],
    )
    .unwrap();
    assert!(!answer.user_confirmed);
    assert_eq!(answer.user_sub.len(), 36);
    // A session for ConfirmSignUp, and then USER_AUTH at once, names its pool.
    assert!(answer.session.unwrap().starts_with(&format!("{pool}.")));
    assert_eq!(
        answer.code_delivery_details,
        Some(details(DeliveryMediumType::Email, "email", "a***@e***"))
    );
    let sent = svc.outbox().messages(|m| m.username == "alice");
    assert_eq!(sent.len(), 1);
    let message = sent.first().unwrap();
    assert_eq!(message.kind, MessageKind::SignUpCode);
    assert_eq!(message.destination, "alice@example.com");
    let code = last_code(&svc, "alice");
    assert_eq!(code.len(), 6);
    assert!(message.body.expose().contains(&code));

    let got = user(&svc, &pool, "alice");
    assert_eq!(got.user_status, Some(UserStatusType::Unconfirmed));
    assert_eq!(
        attribute(&got, "sub").as_deref(),
        Some(answer.user_sub.as_str())
    );
    assert_eq!(attribute(&got, "email_verified"), None);

    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_err(
        confirm(&svc, &ctx(), &client, "alice", wrong),
        ErrorKind::CodeMismatchException,
        "Invalid verification code provided, please try again.",
    );
    confirm(&svc, &ctx(), &client, "alice", &code).unwrap();
    let got = user(&svc, &pool, "alice");
    assert_eq!(got.user_status, Some(UserStatusType::Confirmed));
    assert_eq!(attribute(&got, "email_verified").as_deref(), Some("true"));
    assert_err(
        confirm(&svc, &ctx(), &client, "alice", &code),
        ErrorKind::NotAuthorizedException,
        "User cannot be confirmed. Current status is CONFIRMED",
    );
}

#[test]
fn without_auto_verification_no_code_is_sent() {
    let svc = service();
    let (pool, client) = setup(&svc, |_| {}, |_| {});
    let answer = sign_up(&svc, &client, "bob", vec![attr("email", "bob@example.com")]).unwrap();
    assert_eq!(answer.code_delivery_details, None);
    assert!(svc.outbox().messages(|_| true).is_empty());
    assert_eq!(
        user(&svc, &pool, "bob").user_status,
        Some(UserStatusType::Unconfirmed)
    );
    // No code was ever sent, so none can match.
    assert_err(
        confirm(&svc, &ctx(), &client, "bob", "123456"),
        ErrorKind::ExpiredCodeException,
        "Invalid code provided, please request a code again.",
    );
    assert_err(
        resend(&svc, &client, "bob"),
        ErrorKind::InvalidParameterException,
        "Cannot resend codes. Auto verification not turned on.",
    );
}

#[test]
fn the_phone_is_verified_when_the_pool_could_verify_both() {
    let svc = service();
    let both = [
        VerifiedAttributeType::Email,
        VerifiedAttributeType::PhoneNumber,
    ];
    let (pool, client) = setup(&svc, auto_verify(&both), |_| {});
    let answer = sign_up(
        &svc,
        &client,
        "carol",
        vec![
            attr("email", "carol@example.com"),
            attr("phone_number", "+14155550100"),
        ],
    )
    .unwrap();
    assert_eq!(
        answer.code_delivery_details,
        Some(details(
            DeliveryMediumType::Sms,
            "phone_number",
            "+*******0100"
        ))
    );
    let code = last_code(&svc, "carol");
    confirm(&svc, &ctx(), &client, "carol", &code).unwrap();
    let got = user(&svc, &pool, "carol");
    assert_eq!(
        attribute(&got, "phone_number_verified").as_deref(),
        Some("true")
    );
    assert_eq!(attribute(&got, "email_verified"), None);

    // Without a phone number the email address gets the code.
    let answer = sign_up(
        &svc,
        &client,
        "dave",
        vec![attr("email", "dave@example.com")],
    )
    .unwrap();
    assert_eq!(
        answer.code_delivery_details,
        Some(details(DeliveryMediumType::Email, "email", "d***@e***"))
    );
}

#[test]
fn sign_up_rejections() {
    let svc = service();
    let (_, client) = setup(
        &svc,
        |r| {
            r.schema = Some(vec![SchemaAttributeType {
                name: Some("email".into()),
                attribute_data_type: Some(AttributeDataType::String),
                required: Some(true),
                mutable: Some(true),
                ..Default::default()
            }]);
        },
        |_| {},
    );
    sign_up(
        &svc,
        &client,
        "erin",
        vec![attr("email", "erin@example.com")],
    )
    .unwrap();
    assert_err(
        sign_up(
            &svc,
            &client,
            "erin",
            vec![attr("email", "erin@example.com")],
        ),
        ErrorKind::UsernameExistsException,
        "User already exists",
    );
    assert_err(
        sign_up(&svc, &client, "frank", vec![]),
        ErrorKind::InvalidParameterException,
        "Attributes did not conform to the schema: email: The attribute is required",
    );
    let weak = svc.sign_up(
        &ctx(),
        SignUpRequest {
            client_id: client.clone(),
            username: "frank".into(),
            password: Some("short".into()),
            user_attributes: Some(vec![attr("email", "frank@example.com")]),
            ..Default::default()
        },
    );
    assert_err(
        weak,
        ErrorKind::InvalidPasswordException,
        "Password did not conform with policy: Password not long enough",
    );
    let missing = svc.sign_up(
        &ctx(),
        SignUpRequest {
            client_id: client.clone(),
            username: "frank".into(),
            user_attributes: Some(vec![attr("email", "frank@example.com")]),
            ..Default::default()
        },
    );
    assert_eq!(
        missing.unwrap_err().kind,
        ErrorKind::InvalidParameterException
    );
    assert_err(
        sign_up(&svc, "nosuchclient", "frank", vec![]),
        ErrorKind::ResourceNotFoundException,
        "User pool client nosuchclient does not exist.",
    );

    let (_, limited) = setup(
        &svc,
        |_| {},
        |r| r.write_attributes = Some(vec!["email".into()]),
    );
    assert_err(
        sign_up(
            &svc,
            &limited,
            "gina",
            vec![attr("email", "gina@example.com"), attr("name", "Gina")],
        ),
        ErrorKind::NotAuthorizedException,
        "A client attempted to write unauthorized attribute",
    );
    sign_up(
        &svc,
        &limited,
        "gina",
        vec![attr("email", "gina@example.com")],
    )
    .unwrap();

    let (_, admin_only) = setup(
        &svc,
        |r| {
            r.admin_create_user_config = Some(AdminCreateUserConfigType {
                allow_admin_create_user_only: true,
                ..Default::default()
            });
        },
        |_| {},
    );
    assert_err(
        sign_up(&svc, &admin_only, "gina", vec![]),
        ErrorKind::NotAuthorizedException,
        "SignUp is not permitted for this user pool",
    );
}

#[test]
fn email_usernames() {
    let svc = service();
    let (pool, client) = setup(
        &svc,
        |r| r.username_attributes = Some(vec![UsernameAttributeType::Email]),
        |_| {},
    );
    let answer = sign_up(&svc, &client, "hana@example.com", vec![]).unwrap();
    let got = user(&svc, &pool, "hana@example.com");
    assert_eq!(got.username, answer.user_sub);
    assert_eq!(
        attribute(&got, "email").as_deref(),
        Some("hana@example.com")
    );
    assert_err(
        sign_up(&svc, &client, "hana@example.com", vec![]),
        ErrorKind::UsernameExistsException,
        "An account with the given email already exists.",
    );
    assert_err(
        sign_up(&svc, &client, "hana", vec![]),
        ErrorKind::InvalidParameterException,
        "Username should be an email.",
    );
}

#[test]
fn codes_expire_after_a_day_and_resending_replaces_them() {
    let svc = service();
    let (pool, client) = setup(&svc, auto_verify(&[VerifiedAttributeType::Email]), |_| {});
    sign_up(
        &svc,
        &client,
        "ivan",
        vec![attr("email", "ivan@example.com")],
    )
    .unwrap();
    let first = last_code(&svc, "ivan");
    let later = ctx_at(ctx().now.secs() + 86_400);
    assert_err(
        confirm(&svc, &later, &client, "ivan", &first),
        ErrorKind::ExpiredCodeException,
        "Invalid code provided, please request a code again.",
    );

    let answer = resend(&svc, &client, "ivan").unwrap();
    assert_eq!(
        answer.code_delivery_details,
        Some(details(DeliveryMediumType::Email, "email", "i***@e***"))
    );
    let second = last_code(&svc, "ivan");
    assert_eq!(svc.outbox().messages(|m| m.username == "ivan").len(), 2);
    if first != second {
        assert_err(
            confirm(&svc, &ctx(), &client, "ivan", &first),
            ErrorKind::CodeMismatchException,
            "Invalid verification code provided, please try again.",
        );
    }
    confirm(&svc, &ctx(), &client, "ivan", &second).unwrap();
    assert_eq!(
        user(&svc, &pool, "ivan").user_status,
        Some(UserStatusType::Confirmed)
    );
    assert_err(
        resend(&svc, &client, "ivan"),
        ErrorKind::InvalidParameterException,
        "User is already confirmed.",
    );
}

#[test]
fn confirming_moves_an_alias_only_when_forced() {
    let svc = service();
    let (pool, client) = setup(
        &svc,
        |r| {
            r.alias_attributes = Some(vec![AliasAttributeType::Email]);
            r.auto_verified_attributes = Some(vec![VerifiedAttributeType::Email]);
        },
        |_| {},
    );
    sign_up(
        &svc,
        &client,
        "jack",
        vec![attr("email", "shared@example.com")],
    )
    .unwrap();
    let code = last_code(&svc, "jack");
    confirm(&svc, &ctx(), &client, "jack", &code).unwrap();
    // An unverified email claims nothing yet.
    sign_up(
        &svc,
        &client,
        "jill",
        vec![attr("email", "shared@example.com")],
    )
    .unwrap();
    let code = last_code(&svc, "jill");
    assert_err(
        confirm(&svc, &ctx(), &client, "jill", &code),
        ErrorKind::AliasExistsException,
        "An account with the email already exists.",
    );
    assert_eq!(
        user(&svc, &pool, "jill").user_status,
        Some(UserStatusType::Unconfirmed)
    );
    svc.confirm_sign_up(
        &ctx(),
        ConfirmSignUpRequest {
            client_id: client.clone(),
            username: "jill".into(),
            confirmation_code: code,
            force_alias_creation: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        attribute(&user(&svc, &pool, "jill"), "email_verified").as_deref(),
        Some("true")
    );
    assert_eq!(
        attribute(&user(&svc, &pool, "jack"), "email_verified").as_deref(),
        Some("false")
    );
    assert_eq!(user(&svc, &pool, "shared@example.com").username, "jill");
}

#[test]
fn unknown_users_are_reported_or_hidden() {
    let svc = service();
    let (_, legacy) = setup(&svc, auto_verify(&[VerifiedAttributeType::Email]), legacy);
    let not_found = |r: Result<(), CognitoError>| {
        assert_err(
            r,
            ErrorKind::UserNotFoundException,
            "Username/client id combination not found.",
        )
    };
    not_found(confirm(&svc, &ctx(), &legacy, "nobody", "123456").map(drop));
    not_found(resend(&svc, &legacy, "nobody").map(drop));
    not_found(forgot(&svc, &legacy, "nobody").map(drop));
    not_found(confirm_forgot(&svc, &legacy, "nobody", "123456", "Passw0rd!").map(drop));

    let (_, hidden) = setup(&svc, auto_verify(&[VerifiedAttributeType::Email]), hiding);
    assert_err(
        confirm(&svc, &ctx(), &hidden, "nobody", "123456"),
        ErrorKind::CodeMismatchException,
        "Invalid verification code provided, please try again.",
    );
    assert_err(
        confirm_forgot(&svc, &hidden, "nobody", "123456", "Passw0rd!"),
        ErrorKind::CodeMismatchException,
        "Invalid verification code provided, please try again.",
    );
    let made_up = forgot(&svc, &hidden, "nobody")
        .unwrap()
        .code_delivery_details
        .unwrap();
    assert_eq!(made_up.delivery_medium, Some(DeliveryMediumType::Email));
    assert_eq!(made_up.attribute_name.as_deref(), Some("email"));
    let dest = made_up.destination.clone().unwrap();
    assert!(dest.len() == 9 && dest.contains("***@"), "{dest}");
    // Asking again answers the same.
    assert_eq!(
        forgot(&svc, &hidden, "nobody")
            .unwrap()
            .code_delivery_details,
        Some(made_up)
    );
    let phone = resend(&svc, &hidden, "+14155550123")
        .unwrap()
        .code_delivery_details
        .unwrap();
    assert_eq!(phone.delivery_medium, Some(DeliveryMediumType::Sms));
    assert!(phone.destination.unwrap().starts_with("+*******"));
    assert!(svc.outbox().messages(|_| true).is_empty());
}

/// A confirmed user `name` with a verified email address (and phone number).
fn confirmed_user(svc: &Cognito, pool: &str, name: &str, phone: bool) {
    let mut attrs = vec![
        attr("email", &format!("{name}@example.com")),
        attr("email_verified", "true"),
    ];
    if phone {
        attrs.push(attr("phone_number", "+14155550199"));
        attrs.push(attr("phone_number_verified", "true"));
    }
    svc.admin_create_user(
        &ctx(),
        AdminCreateUserRequest {
            user_pool_id: pool.into(),
            username: name.into(),
            user_attributes: Some(attrs),
            message_action: Some(MessageActionType::Suppress),
            ..Default::default()
        },
    )
    .unwrap();
    svc.admin_set_user_password(
        &ctx(),
        AdminSetUserPasswordRequest {
            user_pool_id: pool.into(),
            username: name.into(),
            password: "Old-passw0rd".into(),
            permanent: true,
        },
    )
    .unwrap();
}

#[test]
fn forgot_password_then_confirm_with_the_code() {
    let svc = service();
    let (pool, client) = setup(&svc, |_| {}, |_| {});
    confirmed_user(&svc, &pool, "kim", false);
    let answer = forgot(&svc, &client, "kim").unwrap();
    assert_eq!(
        answer.code_delivery_details,
        Some(details(DeliveryMediumType::Email, "email", "k***@e***"))
    );
    let message = svc.outbox().messages(|m| m.username == "kim");
    assert_eq!(
        message.last().map(|m| m.kind),
        Some(MessageKind::ForgotPasswordCode)
    );
    let code = last_code(&svc, "kim");
    // Asking for a reset changes nothing yet.
    assert_eq!(
        user(&svc, &pool, "kim").user_status,
        Some(UserStatusType::Confirmed)
    );
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_err(
        confirm_forgot(&svc, &client, "kim", wrong, "New-passw0rd"),
        ErrorKind::CodeMismatchException,
        "Invalid verification code provided, please try again.",
    );
    assert_err(
        confirm_forgot(&svc, &client, "kim", &code, "short"),
        ErrorKind::InvalidPasswordException,
        "Password did not conform with policy: Password not long enough",
    );
    confirm_forgot(&svc, &client, "kim", &code, "New-passw0rd").unwrap();
    {
        let shared = svc.store.shared(&pool).unwrap();
        let pool_state = shared.read();
        let stored = pool_state.users.get("kim").unwrap();
        let hash = stored.password.as_ref().unwrap();
        assert!(hash.verify(pool_state.pool_name(), "kim", "New-passw0rd"));
        assert!(!hash.verify(pool_state.pool_name(), "kim", "Old-passw0rd"));
        assert!(stored.codes.is_empty());
    }
    // The code was used up.
    assert_err(
        confirm_forgot(&svc, &client, "kim", &code, "Other-passw0rd"),
        ErrorKind::ExpiredCodeException,
        "Invalid code provided, please request a code again.",
    );
}

#[test]
fn reset_codes_go_where_the_recovery_setting_says() {
    let svc = service();
    let (pool, client) = setup(&svc, |_| {}, |_| {});
    confirmed_user(&svc, &pool, "lee", true);
    // Without a setting the phone comes first.
    let answer = forgot(&svc, &client, "lee").unwrap();
    assert_eq!(
        answer.code_delivery_details,
        Some(details(
            DeliveryMediumType::Sms,
            "phone_number",
            "+*******0199"
        ))
    );

    let (pool, client) = setup(
        &svc,
        |r| {
            r.account_recovery_setting = Some(AccountRecoverySettingType {
                recovery_mechanisms: Some(vec![
                    RecoveryOptionType {
                        name: RecoveryOptionNameType::VerifiedPhoneNumber,
                        priority: 2,
                    },
                    RecoveryOptionType {
                        name: RecoveryOptionNameType::VerifiedEmail,
                        priority: 1,
                    },
                ]),
            });
        },
        |_| {},
    );
    confirmed_user(&svc, &pool, "max", true);
    let answer = forgot(&svc, &client, "max").unwrap();
    assert_eq!(
        answer.code_delivery_details,
        Some(details(DeliveryMediumType::Email, "email", "m***@e***"))
    );
}

#[test]
fn forgot_password_rejections() {
    let svc = service();
    let (pool, client) = setup(&svc, auto_verify(&[VerifiedAttributeType::Email]), legacy);
    // Not confirmed yet, so the email address is not verified either.
    sign_up(
        &svc,
        &client,
        "nina",
        vec![attr("email", "nina@example.com")],
    )
    .unwrap();
    assert_err(
        forgot(&svc, &client, "nina"),
        ErrorKind::InvalidParameterException,
        "Cannot reset password for the user as there is no registered/verified email or phone_number",
    );
    confirmed_user(&svc, &pool, "otto", false);
    svc.admin_disable_user(
        &ctx(),
        AdminDisableUserRequest {
            user_pool_id: pool.clone(),
            username: "otto".into(),
        },
    )
    .unwrap();
    assert_err(
        forgot(&svc, &client, "otto"),
        ErrorKind::NotAuthorizedException,
        "User is disabled.",
    );
    svc.admin_create_user(
        &ctx(),
        AdminCreateUserRequest {
            user_pool_id: pool.clone(),
            username: "pia".into(),
            user_attributes: Some(vec![
                attr("email", "pia@example.com"),
                attr("email_verified", "true"),
            ]),
            message_action: Some(MessageActionType::Suppress),
            ..Default::default()
        },
    )
    .unwrap();
    assert_err(
        forgot(&svc, &client, "pia"),
        ErrorKind::NotAuthorizedException,
        "User password cannot be reset in the current state.",
    );

    // A client that hides users answers the first two as if a code went out.
    let (_, hidden) = {
        let mut req = CreateUserPoolClientRequest {
            user_pool_id: pool.clone(),
            client_name: "hidden".into(),
            ..Default::default()
        };
        hiding(&mut req);
        let c = svc.create_user_pool_client(&ctx(), req).unwrap();
        (pool.clone(), c.user_pool_client.unwrap().client_id.unwrap())
    };
    let before = svc.outbox().messages(|_| true).len();
    for name in ["nina", "otto"] {
        let answer = forgot(&svc, &hidden, name).unwrap();
        assert!(answer.code_delivery_details.is_some());
    }
    assert_eq!(svc.outbox().messages(|_| true).len(), before);
}

#[test]
fn secret_hash_is_required_from_clients_with_a_secret() {
    use base64::Engine as _;
    use hmac::{Hmac, Mac};
    let svc = service();
    let (_, client) = setup(&svc, auto_verify(&[VerifiedAttributeType::Email]), |r| {
        r.client_secret = Some("s3cret".into())
    });
    let hash = |username: &str| {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"s3cret").unwrap();
        mac.update(username.as_bytes());
        mac.update(client.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    };
    assert_err(
        sign_up(
            &svc,
            &client,
            "quinn",
            vec![attr("email", "quinn@example.com")],
        ),
        ErrorKind::NotAuthorizedException,
        &format!("Client {client} is configured with secret but SECRET_HASH was not received"),
    );
    svc.sign_up(
        &ctx(),
        SignUpRequest {
            client_id: client.clone(),
            username: "quinn".into(),
            password: Some("Passw0rd!".into()),
            secret_hash: Some(hash("quinn")),
            user_attributes: Some(vec![attr("email", "quinn@example.com")]),
            ..Default::default()
        },
    )
    .unwrap();
    let code = last_code(&svc, "quinn");
    assert_err(
        svc.confirm_sign_up(
            &ctx(),
            ConfirmSignUpRequest {
                client_id: client.clone(),
                username: "quinn".into(),
                confirmation_code: code.clone(),
                secret_hash: Some(hash("someone-else")),
                ..Default::default()
            },
        ),
        ErrorKind::NotAuthorizedException,
        &format!("Unable to verify secret hash for client {client}"),
    );
    svc.confirm_sign_up(
        &ctx(),
        ConfirmSignUpRequest {
            client_id: client.clone(),
            username: "quinn".into(),
            confirmation_code: code,
            secret_hash: Some(hash("quinn")),
            ..Default::default()
        },
    )
    .unwrap();
}
