//! `USER_AUTH`: the first factors offered, a preferred one, `SELECT_CHALLENGE`, one-time
//! codes by email and SMS.

use super::mfa::{answer, set_mfa};
use super::*;
use crate::messages::MessageKind;

/// A pool whose users may sign in with a password or a one-time code, a client allowing
/// `USER_AUTH`, and `olga` with a verified email address.
fn choice() -> Fixture {
    let svc = service();
    let f = fixture_on(svc, |c| {
        c.explicit_auth_flows = Some(vec![
            ExplicitAuthFlowsType::AllowUserAuth,
            ExplicitAuthFlowsType::AllowUserSrpAuth,
        ]);
    });
    f.first_factors(
        &[
            AuthFactorType::Password,
            AuthFactorType::EmailOtp,
            AuthFactorType::SmsOtp,
        ],
        None,
    );
    f.user("olga", true);
    f.svc
        .admin_update_user_attributes(
            &ctx(),
            AdminUpdateUserAttributesRequest {
                user_pool_id: f.pool.clone(),
                username: "olga".into(),
                user_attributes: vec![AttributeType {
                    name: "email_verified".into(),
                    value: Some("true".into()),
                }],
                client_metadata: None,
            },
        )
        .unwrap();
    f
}

impl Fixture {
    /// Lets the pool's users sign in with `factors` first, and sets its auto-verified
    /// attributes when given.
    pub(super) fn first_factors(
        &self,
        factors: &[AuthFactorType],
        auto_verified: Option<Vec<VerifiedAttributeType>>,
    ) {
        self.svc
            .update_user_pool(
                &ctx(),
                UpdateUserPoolRequest {
                    user_pool_id: self.pool.clone(),
                    auto_verified_attributes: auto_verified,
                    policies: Some(UserPoolPolicyType {
                        sign_in_policy: Some(SignInPolicyType {
                            allowed_first_auth_factors: Some(factors.to_vec()),
                        }),
                        password_policy: None,
                    }),
                    ..Default::default()
                },
            )
            .unwrap();
    }

    fn user_auth(&self, params: &[(&str, &str)]) -> Result<InitiateAuthResponse, CognitoError> {
        self.user_auth_as("olga", params)
    }

    fn user_auth_as(
        &self,
        username: &str,
        params: &[(&str, &str)],
    ) -> Result<InitiateAuthResponse, CognitoError> {
        let mut all = vec![("USERNAME", username)];
        all.extend_from_slice(params);
        self.svc.initiate_auth(
            &ctx(),
            InitiateAuthRequest {
                client_id: self.client.clone(),
                auth_flow: AuthFlowType::UserAuth,
                auth_parameters: Some(
                    all.iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                ),
                analytics_metadata: None,
                client_metadata: None,
                session: None,
                user_context_data: None,
            },
        )
    }

    /// The code of the last message of `kind`.
    fn last_code(&self, kind: MessageKind) -> String {
        let sent = self.svc.outbox().messages(|m| m.kind == kind);
        sent.last().unwrap().code.as_ref().unwrap().expose().clone()
    }

    fn last_sign_in_code(&self) -> String {
        self.last_code(MessageKind::SignInCode)
    }

    /// Signs `name` up with an email address and no password.
    fn sign_up_without_password(&self, name: &str) -> SignUpResponse {
        self.svc
            .sign_up(
                &ctx(),
                SignUpRequest {
                    client_id: self.client.clone(),
                    username: name.into(),
                    password: None,
                    user_attributes: Some(vec![AttributeType {
                        name: "email".into(),
                        value: Some(format!("{name}@example.com")),
                    }]),
                    ..Default::default()
                },
            )
            .unwrap()
    }
}

#[test]
fn without_a_preference_the_user_selects_a_first_factor() {
    let f = choice();
    let first = f.user_auth(&[]).unwrap();
    assert_eq!(
        first.challenge_name,
        Some(ChallengeNameType::SelectChallenge)
    );
    assert_eq!(
        first.available_challenges,
        Some(vec![
            ChallengeNameType::Password,
            ChallengeNameType::PasswordSrp,
            ChallengeNameType::EmailOtp
        ])
    );
    // SMS_OTP needs a verified phone number.
    let refused = answer(
        &f,
        &ctx(),
        ChallengeNameType::SelectChallenge,
        first.session.clone(),
        &[("USERNAME", "olga"), ("ANSWER", "SMS_OTP")],
    )
    .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidParameterException);

    let first = f.user_auth(&[]).unwrap();
    let otp = answer(
        &f,
        &ctx(),
        ChallengeNameType::SelectChallenge,
        first.session,
        &[("USERNAME", "olga"), ("ANSWER", "EMAIL_OTP")],
    )
    .unwrap();
    assert_eq!(otp.challenge_name, Some(ChallengeNameType::EmailOtp));
    let params = otp.challenge_parameters.unwrap();
    assert_eq!(params["CODE_DELIVERY_DESTINATION"], "o***@e***");
    let code = f.last_sign_in_code();
    assert_eq!(code.len(), 8);
    let wrong = answer(
        &f,
        &ctx(),
        ChallengeNameType::EmailOtp,
        otp.session.clone(),
        &[("USERNAME", "olga"), ("EMAIL_OTP_CODE", "00000000")],
    )
    .unwrap_err();
    assert_eq!(wrong.kind, ErrorKind::CodeMismatchException);
    let done = answer(
        &f,
        &ctx(),
        ChallengeNameType::EmailOtp,
        otp.session,
        &[("USERNAME", "olga"), ("EMAIL_OTP_CODE", &code)],
    )
    .unwrap()
    .authentication_result
    .unwrap();
    let id = f.claims(done.id_token.as_deref().unwrap());
    assert_eq!(id["amr"], serde_json::json!(["otp"]));
    // The sign-in is one event, failed then passed.
    let events = f.svc.auth_events(Some(&f.pool), Some("olga"));
    let last = &events.last().unwrap().event;
    assert_eq!(last.event_type, Some(EventType::SignIn));
    assert_eq!(last.event_response, Some(EventResponseType::Pass));
    assert_eq!(last.challenge_responses, None);
}

#[test]
fn a_preferred_first_factor_is_used_when_the_user_has_it() {
    let f = choice();
    let signed_in = f
        .user_auth(&[("PREFERRED_CHALLENGE", "PASSWORD"), ("PASSWORD", PASSWORD)])
        .unwrap();
    let id = f.claims(
        signed_in
            .authentication_result
            .unwrap()
            .id_token
            .as_deref()
            .unwrap(),
    );
    assert_eq!(id["amr"], serde_json::json!(["pwd"]));
    let wrong = f
        .user_auth(&[("PREFERRED_CHALLENGE", "PASSWORD"), ("PASSWORD", "nope")])
        .unwrap_err();
    assert_eq!(wrong.kind, ErrorKind::NotAuthorizedException);

    let otp = f
        .user_auth(&[("PREFERRED_CHALLENGE", "EMAIL_OTP")])
        .unwrap();
    assert_eq!(otp.challenge_name, Some(ChallengeNameType::EmailOtp));
    // A factor the user cannot use leads to the choice.
    let sms = f.user_auth(&[("PREFERRED_CHALLENGE", "SMS_OTP")]).unwrap();
    assert_eq!(sms.challenge_name, Some(ChallengeNameType::SelectChallenge));
    let bad = f
        .user_auth(&[("PREFERRED_CHALLENGE", "SOFTWARE_TOKEN_MFA")])
        .unwrap_err();
    assert_eq!(bad.kind, ErrorKind::InvalidParameterException);
}

#[test]
fn the_password_chosen_continues_to_mfa_and_codes_are_not_offered_where_mfa_is_required() {
    let f = choice();
    set_mfa(&f, UserPoolMfaType::On, false, true);
    let first = f.user_auth(&[]).unwrap();
    assert_eq!(
        first.available_challenges,
        Some(vec![
            ChallengeNameType::Password,
            ChallengeNameType::PasswordSrp
        ])
    );
    let next = answer(
        &f,
        &ctx(),
        ChallengeNameType::SelectChallenge,
        first.session,
        &[
            ("USERNAME", "olga"),
            ("ANSWER", "PASSWORD"),
            ("PASSWORD", PASSWORD),
        ],
    )
    .unwrap();
    assert_eq!(next.challenge_name, Some(ChallengeNameType::MfaSetup));
}

#[test]
fn user_auth_must_be_allowed_for_the_client() {
    let f = fixture(|_| {});
    f.user("olga", true);
    let refused = f.user_auth(&[]).unwrap_err();
    assert_eq!(
        refused.message,
        "USER_AUTH flow not enabled for this client"
    );
}

#[test]
fn a_user_signed_up_without_a_password_signs_in_with_an_email_code() {
    let f = choice();
    f.first_factors(
        &[AuthFactorType::Password, AuthFactorType::EmailOtp],
        Some(vec![VerifiedAttributeType::Email]),
    );
    f.sign_up_without_password("pia");
    let code = f.last_code(MessageKind::SignUpCode);
    f.svc
        .confirm_sign_up(
            &ctx(),
            ConfirmSignUpRequest {
                client_id: f.client.clone(),
                username: "pia".into(),
                confirmation_code: code,
                ..Default::default()
            },
        )
        .unwrap();
    let first = f.user_auth_as("pia", &[]).unwrap();
    // No password: only the code is offered.
    assert_eq!(
        first.available_challenges,
        Some(vec![ChallengeNameType::EmailOtp])
    );
    let otp = answer(
        &f,
        &ctx(),
        ChallengeNameType::SelectChallenge,
        first.session,
        &[("USERNAME", "pia"), ("ANSWER", "EMAIL_OTP")],
    )
    .unwrap();
    let done = answer(
        &f,
        &ctx(),
        ChallengeNameType::EmailOtp,
        otp.session,
        &[
            ("USERNAME", "pia"),
            ("EMAIL_OTP_CODE", &f.last_sign_in_code()),
        ],
    )
    .unwrap();
    assert!(done.authentication_result.unwrap().access_token.is_some());
}

#[test]
fn a_confirmed_sign_up_signs_in_at_once_with_its_session() {
    let f = choice();
    f.first_factors(
        &[AuthFactorType::Password, AuthFactorType::EmailOtp],
        Some(vec![VerifiedAttributeType::Email]),
    );
    let signed_up = f.sign_up_without_password("ria");
    let code = f.last_code(MessageKind::SignUpCode);
    let confirm = |session: Option<String>| {
        f.svc.confirm_sign_up(
            &ctx(),
            ConfirmSignUpRequest {
                client_id: f.client.clone(),
                username: "ria".into(),
                confirmation_code: code.clone(),
                session,
                ..Default::default()
            },
        )
    };
    assert_eq!(
        confirm(Some("us-east-1_x.forged".into())).unwrap_err().kind,
        ErrorKind::NotAuthorizedException
    );
    let confirmed = confirm(signed_up.session).unwrap();
    let sign_in = |session: Option<String>| {
        f.svc.initiate_auth(
            &ctx(),
            InitiateAuthRequest {
                client_id: f.client.clone(),
                auth_flow: AuthFlowType::UserAuth,
                auth_parameters: Some([("USERNAME".to_string(), "ria".to_string())].into()),
                analytics_metadata: None,
                client_metadata: None,
                session,
                user_context_data: None,
            },
        )
    };
    let tokens = sign_in(confirmed.session.clone())
        .unwrap()
        .authentication_result
        .unwrap();
    assert!(tokens.access_token.is_some());
    // The session signs in once.
    assert_eq!(
        sign_in(confirmed.session).unwrap_err().kind,
        ErrorKind::NotAuthorizedException
    );
}

#[test]
fn a_client_with_a_secret_needs_the_secret_hash_at_each_step() {
    let f = fixture_on(service(), |c| {
        c.generate_secret = true;
        c.explicit_auth_flows = Some(vec![ExplicitAuthFlowsType::AllowUserAuth]);
    });
    f.first_factors(&[AuthFactorType::Password, AuthFactorType::EmailOtp], None);
    f.user("sol", true);
    f.svc
        .admin_update_user_attributes(
            &ctx(),
            AdminUpdateUserAttributesRequest {
                user_pool_id: f.pool.clone(),
                username: "sol".into(),
                user_attributes: vec![AttributeType {
                    name: "email_verified".into(),
                    value: Some("true".into()),
                }],
                client_metadata: None,
            },
        )
        .unwrap();
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
    let hash = crate::ops::clients::secret_hash(&secret, "sol", &f.client);
    let missing = f.user_auth_as("sol", &[]).unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotAuthorizedException);
    let first = f.user_auth_as("sol", &[("SECRET_HASH", &hash)]).unwrap();
    assert_eq!(
        first.challenge_name,
        Some(ChallengeNameType::SelectChallenge)
    );
    let no_hash = answer(
        &f,
        &ctx(),
        ChallengeNameType::SelectChallenge,
        first.session.clone(),
        &[("USERNAME", "sol"), ("ANSWER", "EMAIL_OTP")],
    )
    .unwrap_err();
    assert_eq!(no_hash.kind, ErrorKind::NotAuthorizedException);
    let first = f.user_auth_as("sol", &[("SECRET_HASH", &hash)]).unwrap();
    let otp = answer(
        &f,
        &ctx(),
        ChallengeNameType::SelectChallenge,
        first.session,
        &[
            ("USERNAME", "sol"),
            ("ANSWER", "EMAIL_OTP"),
            ("SECRET_HASH", &hash),
        ],
    )
    .unwrap();
    let done = answer(
        &f,
        &ctx(),
        ChallengeNameType::EmailOtp,
        otp.session,
        &[
            ("USERNAME", "sol"),
            ("EMAIL_OTP_CODE", &f.last_sign_in_code()),
            ("SECRET_HASH", &hash),
        ],
    )
    .unwrap();
    assert!(done.authentication_result.unwrap().access_token.is_some());
}
