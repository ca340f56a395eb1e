//! Triggers through the operations, with functions answered in process: what each event
//! carries, what each response changes, and how failures read.

use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use super::*;
use crate::lambda::{LambdaError, Trigger};
use crate::testing::Functions;

fn arn(name: &str) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:function:{name}")
}

/// A pool whose triggers run `functions`, configured by `config`, and a client.
fn pool_with(
    config: LambdaConfigType,
    client: impl FnOnce(&mut CreateUserPoolClientRequest),
) -> (Fixture, Arc<Functions>) {
    let functions = Arc::new(Functions::default());
    let svc = service().with_lambda(functions.clone());
    let f = fixture_on(svc, client);
    f.svc
        .update_user_pool(
            &ctx(),
            UpdateUserPoolRequest {
                user_pool_id: f.pool.clone(),
                lambda_config: Some(config),
                auto_verified_attributes: Some(vec![VerifiedAttributeType::Email]),
                user_pool_tier: Some(UserPoolTierType::Essentials),
                ..Default::default()
            },
        )
        .unwrap();
    (f, functions)
}

fn sign_up(f: &Fixture, name: &str) -> Result<SignUpResponse, CognitoError> {
    f.svc.sign_up(
        &ctx(),
        SignUpRequest {
            client_id: f.client.clone(),
            username: name.into(),
            password: Some(PASSWORD.into()),
            user_attributes: Some(vec![AttributeType {
                name: "email".into(),
                value: Some(format!("{name}@example.com")),
            }]),
            validation_data: Some(vec![AttributeType {
                name: "invite".into(),
                value: Some("abc".into()),
            }]),
            ..Default::default()
        },
    )
}

fn invocations(f: &Fixture, trigger: Trigger) -> Vec<crate::lambda::Invocation> {
    f.svc
        .invocations()
        .list(|i| i.pool_id == f.pool && i.trigger == trigger)
}

#[test]
fn a_pre_sign_up_function_confirms_and_verifies_and_post_confirmation_sees_the_user() {
    let (f, functions) = pool_with(
        LambdaConfigType {
            pre_sign_up: Some(arn("pre")),
            post_confirmation: Some(arn("post")),
            ..Default::default()
        },
        |_| {},
    );
    functions.set("pre", |_| {
        Ok(json!({"autoConfirmUser": true, "autoVerifyEmail": true, "autoVerifyPhone": false}))
    });
    functions.set("post", |_| Ok(json!({})));
    let answer = sign_up(&f, "ann").unwrap();
    assert!(answer.user_confirmed);
    assert!(answer.code_delivery_details.is_none());
    assert!(f.svc.outbox().messages_of(&f.pool, |_| true).is_empty());
    f.tokens("ann");

    let pre = invocations(&f, Trigger::PreSignUp);
    let event = &pre[0].event;
    assert_eq!(event["triggerSource"], "PreSignUp_SignUp");
    assert_eq!(event["userName"], "ann");
    assert_eq!(event["callerContext"]["clientId"], f.client.as_str());
    assert_eq!(
        event["request"]["userAttributes"]["email"],
        "ann@example.com"
    );
    assert_eq!(event["request"]["validationData"]["invite"], "abc");
    assert_eq!(event["response"]["autoConfirmUser"], false);
    let post = invocations(&f, Trigger::PostConfirmation);
    let event = &post[0].event;
    assert_eq!(event["triggerSource"], "PostConfirmation_ConfirmSignUp");
    assert_eq!(
        event["request"]["userAttributes"]["cognito:user_status"],
        "CONFIRMED"
    );
    assert_eq!(event["request"]["userAttributes"]["email_verified"], "true");
}

#[test]
fn a_failing_function_refuses_the_operation_with_its_message() {
    let (f, functions) = pool_with(
        LambdaConfigType {
            pre_sign_up: Some(arn("pre")),
            ..Default::default()
        },
        |_| {},
    );
    functions.set("pre", |_| Err(LambdaError::Function("not today".into())));
    let e = sign_up(&f, "bob").unwrap_err();
    assert_eq!(e.kind, ErrorKind::UserLambdaValidationException);
    assert_eq!(e.message, "PreSignUp failed with error not today.");
    assert!(f
        .svc
        .pool(&ctx(), &f.pool)
        .unwrap()
        .read()
        .find_user("bob")
        .is_none());
    let recorded = invocations(&f, Trigger::PreSignUp);
    assert_eq!(
        recorded[0].error.as_deref(),
        Some("UserLambdaValidationException: PreSignUp failed with error not today.")
    );

    // A function nothing runs fails as Cognito fails to invoke it.
    functions.clear();
    let e = sign_up(&f, "bob").unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnexpectedLambdaException);
    // So does an answer that is no event.
    functions.set("pre", |_| Ok(json!("yes")));
    let e = sign_up(&f, "bob").unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidLambdaResponseException);
}

#[test]
fn custom_messages_reword_codes_and_keep_the_default_without_a_placeholder() {
    let (f, functions) = pool_with(
        LambdaConfigType {
            custom_message: Some(arn("msg")),
            ..Default::default()
        },
        |_| {},
    );
    functions.set("msg", |event| {
        let code = event["request"]["codeParameter"]
            .as_str()
            .unwrap()
            .to_owned();
        Ok(match event["triggerSource"].as_str().unwrap() {
            "CustomMessage_SignUp" => json!({
                "emailSubject": "Welcome",
                "emailMessage": format!("Your code: {code}"),
                "smsMessage": null,
            }),
            _ => json!({"emailSubject": "Again", "emailMessage": "no code here"}),
        })
    });
    sign_up(&f, "cy").unwrap();
    let sent = f.svc.outbox().messages_of(&f.pool, |_| true);
    let code = sent[0].code.as_ref().unwrap().expose().clone();
    assert_eq!(sent[0].subject.as_deref(), Some("Welcome"));
    assert_eq!(sent[0].body.expose(), &format!("Your code: {code}"));
    let event = &invocations(&f, Trigger::CustomMessage)[0].event;
    assert_eq!(event["request"]["codeParameter"], "{####}");
    assert_eq!(event["request"]["usernameParameter"], Value::Null);

    f.svc
        .resend_confirmation_code(
            &ctx(),
            ResendConfirmationCodeRequest {
                client_id: f.client.clone(),
                username: "cy".into(),
                ..Default::default()
            },
        )
        .unwrap();
    let sent = f.svc.outbox().messages_of(&f.pool, |_| true);
    assert_eq!(sent[1].subject.as_deref(), Some("Again"));
    assert!(sent[1]
        .body
        .expose()
        .contains(sent[1].code.as_ref().unwrap().expose()));
    assert_eq!(
        invocations(&f, Trigger::CustomMessage)[1].trigger_source,
        "CustomMessage_ResendCode"
    );
}

fn claims_of(token: &str) -> Value {
    cognito_crypto::jwt::danger_decode_unverified(token)
        .unwrap()
        .1
}

#[test]
fn token_functions_change_claims_by_version_and_post_authentication_runs_first() {
    for version in [
        PreTokenGenerationLambdaVersionType::V10,
        PreTokenGenerationLambdaVersionType::V20,
    ] {
        let (f, functions) = pool_with(
            LambdaConfigType {
                pre_token_generation_config: Some(PreTokenGenerationVersionConfigType {
                    lambda_arn: arn("tokens"),
                    lambda_version: version,
                }),
                post_authentication: Some(arn("post")),
                ..Default::default()
            },
            |_| {},
        );
        let order = Arc::new(Mutex::new(Vec::new()));
        let seen = order.clone();
        functions.set("post", move |_| {
            seen.lock().unwrap().push("post");
            Ok(json!({}))
        });
        let seen = order.clone();
        functions.set("tokens", move |event| {
            seen.lock().unwrap().push("tokens");
            Ok(match event["version"].as_str().unwrap() {
                "1" => json!({"claimsOverrideDetails": {
                    "claimsToAddOrOverride": {"tier": "gold"},
                    "claimsToSuppress": ["email"],
                    "groupOverrideDetails": {"groupsToOverride": ["vip"]}
                }}),
                _ => json!({"claimsAndScopeOverrideDetails": {
                    "idTokenGeneration": {"claimsToAddOrOverride": {"tier": "gold"}},
                    "accessTokenGeneration": {
                        "claimsToAddOrOverride": {"tenant": "acme"},
                        "scopesToAdd": ["custom/read"]
                    }
                }}),
            })
        });
        f.user("dee", true);
        let tokens = f.tokens("dee");
        let id = claims_of(tokens.id_token.as_deref().unwrap());
        let access = claims_of(tokens.access_token.as_deref().unwrap());
        assert_eq!(id["tier"], "gold");
        assert_eq!(*order.lock().unwrap(), ["post", "tokens"]);
        let recorded = &invocations(&f, Trigger::PreTokenGeneration)[0];
        assert_eq!(
            recorded.event["triggerSource"],
            "TokenGeneration_Authentication"
        );
        if version == PreTokenGenerationLambdaVersionType::V10 {
            assert!(id.get("email").is_none());
            assert_eq!(access["cognito:groups"], json!(["vip"]));
            assert_eq!(recorded.event["version"], "1");
            assert_eq!(
                recorded.summary.as_ref().unwrap()["id_token"]["suppressed"],
                json!(["email"])
            );
        } else {
            assert_eq!(access["tenant"], "acme");
            assert_eq!(access["scope"], "aws.cognito.signin.user.admin custom/read");
            assert_eq!(recorded.event["version"], "2");
            assert_eq!(
                recorded.event["request"]["scopes"],
                json!(["aws.cognito.signin.user.admin"])
            );
        }
        // A refresh runs the token function again, and no post authentication.
        f.svc
            .initiate_auth(
                &ctx(),
                InitiateAuthRequest {
                    client_id: f.client.clone(),
                    auth_flow: AuthFlowType::RefreshTokenAuth,
                    auth_parameters: Some(
                        [("REFRESH_TOKEN".to_string(), tokens.refresh_token.unwrap())].into(),
                    ),
                    analytics_metadata: None,
                    client_metadata: None,
                    session: None,
                    user_context_data: None,
                },
            )
            .unwrap();
        let sources: Vec<String> = invocations(&f, Trigger::PreTokenGeneration)
            .into_iter()
            .map(|i| i.trigger_source)
            .collect();
        assert_eq!(
            sources,
            [
                "TokenGeneration_Authentication",
                "TokenGeneration_RefreshTokens"
            ]
        );
        assert_eq!(invocations(&f, Trigger::PostAuthentication).len(), 1);
    }
}

#[test]
fn unknown_users_migrate_on_sign_in_and_on_forgot_password() {
    let (f, functions) = pool_with(
        LambdaConfigType {
            user_migration: Some(arn("migrate")),
            pre_authentication: Some(arn("pre-auth")),
            ..Default::default()
        },
        |_| {},
    );
    functions.set("migrate", |event| {
        let source = event["triggerSource"].as_str().unwrap();
        if source == "UserMigration_Authentication" && event["request"]["password"] != PASSWORD {
            return Err(LambdaError::Function("Bad password".into()));
        }
        Ok(json!({
            "userAttributes": {"email": format!("{}@example.com", event["userName"].as_str().unwrap()), "email_verified": "true"},
            "messageAction": "SUPPRESS",
        }))
    });
    functions.set("pre-auth", |event| {
        if event["request"]["userAttributes"]["email"] == "blocked@example.com" {
            return Err(LambdaError::Function("blocked".into()));
        }
        Ok(json!({}))
    });

    let e = f.password_auth(&ctx(), "old", "Wr0ng!pass").unwrap_err();
    assert_eq!(e.kind, ErrorKind::UserLambdaValidationException);
    assert_eq!(e.message, "UserMigration failed with error Bad password.");
    f.tokens("old");
    let pool = f.svc.pool(&ctx(), &f.pool).unwrap();
    let key = pool.read().find_user("old").unwrap();
    assert_eq!(
        pool.read().users.get(&key).unwrap().status,
        UserStatusType::Confirmed
    );
    // Known now: the function is not asked again.
    f.tokens("old");
    assert_eq!(invocations(&f, Trigger::UserMigration).len(), 2);
    assert_eq!(invocations(&f, Trigger::PreAuthentication).len(), 2);
    // Deleted, the user is unknown again: the next sign-in migrates a new user, whose
    // tokens name a new `sub`.
    let first_sub = pool.read().users.get(&key).unwrap().sub.clone();
    f.svc
        .admin_delete_user(
            &ctx(),
            AdminDeleteUserRequest {
                user_pool_id: f.pool.clone(),
                username: "old".into(),
            },
        )
        .unwrap();
    let tokens = f.tokens("old");
    assert_eq!(invocations(&f, Trigger::UserMigration).len(), 3);
    let sub = f.claims(tokens.id_token.as_deref().unwrap())["sub"].clone();
    assert_ne!(sub, first_sub.as_str());

    let answer = f
        .svc
        .forgot_password(
            &ctx(),
            ForgotPasswordRequest {
                client_id: f.client.clone(),
                username: "older".into(),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        answer.code_delivery_details.unwrap().delivery_medium,
        Some(DeliveryMediumType::Email)
    );
    let key = pool.read().find_user("older").unwrap();
    assert_eq!(
        pool.read().users.get(&key).unwrap().status,
        UserStatusType::ResetRequired
    );

    f.user("blocked", true);
    let e = f.password_auth(&ctx(), "blocked", PASSWORD).unwrap_err();
    assert_eq!(e.message, "PreAuthentication failed with error blocked.");
}

/// The Developer Guide's pattern: a question until the right answer, three wrong answers
/// fail; with `SRP_A` first, the password.
fn question_functions(functions: &Functions) {
    functions.set("define", |event| {
        let session = event["request"]["session"].as_array().unwrap();
        let last = session.last();
        let wrong = session
            .iter()
            .filter(|s| s["challengeName"] == "CUSTOM_CHALLENGE" && s["challengeResult"] == false)
            .count();
        Ok(match last {
            _ if event["request"]["userNotFound"] == true => json!({"failAuthentication": true}),
            _ if wrong >= 3 => json!({"failAuthentication": true}),
            Some(s) if s["challengeName"] == "SRP_A" => {
                json!({"challengeName": "PASSWORD_VERIFIER"})
            }
            Some(s) if s["challengeName"] == "CUSTOM_CHALLENGE" && s["challengeResult"] == true => {
                json!({"issueTokens": true, "failAuthentication": false})
            }
            _ => json!({"challengeName": "CUSTOM_CHALLENGE", "issueTokens": false}),
        })
    });
    functions.set("create", |event| {
        let round = event["request"]["session"].as_array().unwrap().len();
        Ok(json!({
            "publicChallengeParameters": {"question": "6 times 7?"},
            "privateChallengeParameters": {"answer": "42"},
            "challengeMetadata": format!("QUESTION-{round}"),
        }))
    });
    functions.set("verify", |event| {
        Ok(json!({"answerCorrect": event["request"]["challengeAnswer"] == event["request"]["privateChallengeParameters"]["answer"]}))
    });
}

fn custom_pool() -> (Fixture, Arc<Functions>) {
    let (f, functions) = pool_with(
        LambdaConfigType {
            define_auth_challenge: Some(arn("define")),
            create_auth_challenge: Some(arn("create")),
            verify_auth_challenge_response: Some(arn("verify")),
            ..Default::default()
        },
        |c| {
            c.explicit_auth_flows = Some(vec![
                ExplicitAuthFlowsType::AllowCustomAuth,
                ExplicitAuthFlowsType::AllowRefreshTokenAuth,
            ])
        },
    );
    question_functions(&functions);
    f.user("eve", true);
    (f, functions)
}

fn start_custom(f: &Fixture, name: &str) -> Result<InitiateAuthResponse, CognitoError> {
    f.svc.initiate_auth(
        &ctx(),
        InitiateAuthRequest {
            client_id: f.client.clone(),
            auth_flow: AuthFlowType::CustomAuth,
            auth_parameters: Some([("USERNAME".to_string(), name.to_string())].into()),
            analytics_metadata: None,
            client_metadata: None,
            session: None,
            user_context_data: None,
        },
    )
}

fn answer_custom(
    f: &Fixture,
    session: Option<String>,
    answer: &str,
) -> Result<RespondToAuthChallengeResponse, CognitoError> {
    f.svc.respond_to_auth_challenge(
        &ctx(),
        RespondToAuthChallengeRequest {
            client_id: f.client.clone(),
            challenge_name: ChallengeNameType::CustomChallenge,
            session,
            challenge_responses: Some(
                [
                    ("USERNAME".to_string(), "eve".to_string()),
                    ("ANSWER".to_string(), answer.to_string()),
                ]
                .into(),
            ),
            analytics_metadata: None,
            client_metadata: None,
            user_context_data: None,
        },
    )
}

#[test]
fn custom_challenges_are_answered_until_the_functions_issue_tokens() {
    let (f, _) = custom_pool();
    let first = start_custom(&f, "eve").unwrap();
    assert_eq!(
        first.challenge_name,
        Some(ChallengeNameType::CustomChallenge)
    );
    let parameters = first.challenge_parameters.unwrap();
    assert_eq!(parameters["question"], "6 times 7?");
    assert_eq!(parameters["USERNAME"], "eve");
    assert!(!parameters.contains_key("answer"));

    let wrong = answer_custom(&f, first.session, "41").unwrap();
    assert_eq!(
        wrong.challenge_name,
        Some(ChallengeNameType::CustomChallenge)
    );
    let right = answer_custom(&f, wrong.session.clone(), "42").unwrap();
    let tokens = right.authentication_result.unwrap();
    assert!(tokens.id_token.is_some());
    // A session answers once.
    assert!(answer_custom(&f, wrong.session, "42").is_err());

    let defines = invocations(&f, Trigger::DefineAuthChallenge);
    let session = &defines[2].event["request"]["session"];
    assert_eq!(
        *session,
        json!([
            {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": false, "challengeMetadata": "QUESTION-0"},
            {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": true, "challengeMetadata": "QUESTION-1"},
        ])
    );
    let verify = &invocations(&f, Trigger::VerifyAuthChallengeResponse)[0].event;
    assert_eq!(
        verify["request"]["privateChallengeParameters"]["answer"],
        "42"
    );
    assert_eq!(verify["request"]["challengeAnswer"], "41");
}

#[test]
fn custom_sign_ins_fail_as_the_functions_decide_and_need_the_flow_enabled() {
    let (f, _) = custom_pool();
    let mut session = start_custom(&f, "eve").unwrap().session;
    for _ in 0..2 {
        session = answer_custom(&f, session, "0").unwrap().session;
    }
    let e = answer_custom(&f, session, "0").unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotAuthorizedException);
    assert_eq!(e.message, "Incorrect username or password.");

    // Unknown users: `UserNotFoundException`, as for any flow of a client that tells.
    let e = start_custom(&f, "nobody").unwrap_err();
    assert_eq!(e.kind, ErrorKind::UserNotFoundException);

    let (g, _) = pool_with(LambdaConfigType::default(), |c| {
        c.explicit_auth_flows = Some(vec![ExplicitAuthFlowsType::AllowUserPasswordAuth])
    });
    let e = start_custom(&g, "eve").unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidParameterException);
}

#[test]
fn functions_may_call_the_service_back_while_they_run() {
    // Many real functions look users up (`ListUsers`) or change them: no lock is held
    // while they run, or this would never return.
    let functions = Arc::new(Functions::default());
    let svc = Arc::new(service().with_lambda(functions.clone()));
    let pool = create_pool_with(
        &svc,
        LambdaConfigType {
            pre_sign_up: Some(arn("pre")),
            ..Default::default()
        },
    );
    let client = svc
        .create_user_pool_client(
            &ctx(),
            CreateUserPoolClientRequest {
                user_pool_id: pool.clone(),
                client_name: "app".into(),
                ..Default::default()
            },
        )
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    let weak = Arc::downgrade(&svc);
    functions.set("pre", move |event| {
        let svc = weak.upgrade().unwrap();
        let found = svc
            .list_users(
                &ctx(),
                ListUsersRequest {
                    user_pool_id: event["userPoolId"].as_str().unwrap().into(),
                    ..Default::default()
                },
            )
            .unwrap();
        Ok(json!({"autoConfirmUser": found.users.unwrap_or_default().is_empty()}))
    });
    let first = svc
        .sign_up(
            &ctx(),
            SignUpRequest {
                client_id: client.clone(),
                username: "first".into(),
                password: Some(PASSWORD.into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(first.user_confirmed);
    let second = svc
        .sign_up(
            &ctx(),
            SignUpRequest {
                client_id: client,
                username: "second".into(),
                password: Some(PASSWORD.into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(!second.user_confirmed);
}

fn create_pool_with(svc: &Cognito, config: LambdaConfigType) -> String {
    svc.create_user_pool(
        &ctx(),
        CreateUserPoolRequest {
            pool_name: "p".into(),
            lambda_config: Some(config),
            ..Default::default()
        },
    )
    .unwrap()
    .user_pool
    .unwrap()
    .id
    .unwrap()
}

#[test]
fn custom_senders_get_the_code_instead_of_the_service() {
    let functions = Arc::new(Functions::default());
    let svc = service().with_lambda(functions.clone());
    let pool = create_pool_with(
        &svc,
        LambdaConfigType {
            custom_email_sender: Some(CustomEmailLambdaVersionConfigType {
                lambda_arn: arn("email"),
                lambda_version: CustomEmailSenderLambdaVersionType::V10,
            }),
            kms_key_id: Some("arn:aws:kms:us-east-1:123456789012:key/k".into()),
            ..Default::default()
        },
    );
    functions.set("email", |_| Ok(Value::Null));
    svc.admin_create_user(
        &ctx(),
        AdminCreateUserRequest {
            user_pool_id: pool.clone(),
            username: "fay".into(),
            temporary_password: Some(PASSWORD.into()),
            user_attributes: Some(vec![AttributeType {
                name: "email".into(),
                value: Some("fay@example.com".into()),
            }]),
            desired_delivery_mediums: Some(vec![DeliveryMediumType::Email]),
            ..Default::default()
        },
    )
    .unwrap();
    let sent = svc
        .invocations()
        .list(|i| i.trigger == Trigger::CustomEmailSender);
    let event = &sent[0].event;
    assert_eq!(event["triggerSource"], "CustomEmailSender_AdminCreateUser");
    assert_eq!(event["request"]["type"], "customEmailSenderRequestV1");
    // Without a KMS the code goes as it is.
    assert_eq!(event["request"]["code"], PASSWORD);
    assert_eq!(
        event["request"]["userAttributes"]["email"],
        "fay@example.com"
    );
    assert!(event.get("response").is_none());
    let kept = svc.outbox().sent(|m| m.pool_id == pool);
    assert_eq!(kept[0].delivery.as_str(), "custom_sender");

    // A pool with a custom sender needs its KMS key.
    let e = svc
        .create_user_pool(
            &ctx(),
            CreateUserPoolRequest {
                pool_name: "p".into(),
                lambda_config: Some(LambdaConfigType {
                    custom_sms_sender: Some(CustomSMSLambdaVersionConfigType {
                        lambda_arn: arn("sms"),
                        lambda_version: CustomSMSSenderLambdaVersionType::V10,
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidParameterException);
}
