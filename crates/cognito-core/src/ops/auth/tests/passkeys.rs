//! Passkeys: registration (`StartWebAuthnRegistration`, `CompleteWebAuthnRegistration`),
//! listing and deleting them, and signing in with one (`USER_AUTH`, `WEB_AUTHN`), with
//! the crate's software authenticator.

use super::mfa::answer;
use super::*;
use cognito_crypto::webauthn::testing::{Attestation, SoftAuthenticator};

const ORIGIN: &str = "http://localhost:3000";

/// A pool whose users may sign in with passkeys for `localhost`, and `pat` with a
/// password; answers the fixture and `pat`'s access token.
fn passkey_pool() -> (Fixture, String) {
    let f = fixture(|c| {
        c.explicit_auth_flows = Some(vec![
            ExplicitAuthFlowsType::AllowUserAuth,
            ExplicitAuthFlowsType::AllowUserPasswordAuth,
        ]);
    });
    f.first_factors(&[AuthFactorType::Password, AuthFactorType::WebAuthn], None);
    f.svc
        .set_user_pool_mfa_config(
            &ctx(),
            SetUserPoolMfaConfigRequest {
                user_pool_id: f.pool.clone(),
                web_authn_configuration: Some(WebAuthnConfigurationType {
                    relying_party_id: Some("localhost".into()),
                    user_verification: Some(UserVerificationType::Required),
                    factor_configuration: None,
                }),
                ..Default::default()
            },
        )
        .unwrap();
    f.user("pat", true);
    let access = f.tokens("pat").access_token.unwrap();
    (f, access)
}

fn unb64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .unwrap()
}

impl Fixture {
    /// Registers a passkey of `authenticator` for the user of `access` from `origin`.
    fn register_passkey(
        &self,
        access: &str,
        authenticator: &mut SoftAuthenticator,
        origin: &str,
        attestation: Attestation,
    ) -> Result<(), CognitoError> {
        let options = self
            .svc
            .start_web_authn_registration(
                &ctx(),
                StartWebAuthnRegistrationRequest {
                    access_token: access.into(),
                },
            )
            .unwrap()
            .credential_creation_options;
        assert_eq!(options["rp"]["id"], "localhost");
        assert_eq!(
            options["authenticatorSelection"]["userVerification"],
            "required"
        );
        let challenge = unb64(options["challenge"].as_str().unwrap());
        let credential = authenticator
            .register("localhost", origin, &challenge, true, attestation)
            .unwrap();
        self.svc
            .complete_web_authn_registration(
                &ctx(),
                CompleteWebAuthnRegistrationRequest {
                    access_token: access.into(),
                    credential,
                },
            )
            .map(drop)
    }

    /// Signs `pat` in with `authenticator`'s passkey.
    fn passkey_sign_in(
        &self,
        authenticator: &mut SoftAuthenticator,
    ) -> Result<RespondToAuthChallengeResponse, CognitoError> {
        let first = self
            .svc
            .initiate_auth(
                &ctx(),
                InitiateAuthRequest {
                    client_id: self.client.clone(),
                    auth_flow: AuthFlowType::UserAuth,
                    auth_parameters: Some(
                        [
                            ("USERNAME".to_string(), "pat".to_string()),
                            ("PREFERRED_CHALLENGE".to_string(), "WEB_AUTHN".to_string()),
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
        assert_eq!(first.challenge_name, Some(ChallengeNameType::WebAuthn));
        let params = first.challenge_parameters.unwrap();
        let options: Value = serde_json::from_str(&params["CREDENTIAL_REQUEST_OPTIONS"]).unwrap();
        assert_eq!(options["rpId"], "localhost");
        assert_eq!(options["userVerification"], "required");
        let challenge = unb64(options["challenge"].as_str().unwrap());
        let assertion = authenticator
            .authenticate("localhost", ORIGIN, &challenge, true)
            .unwrap();
        answer(
            self,
            &ctx(),
            ChallengeNameType::WebAuthn,
            first.session,
            &[("USERNAME", "pat"), ("CREDENTIAL", &assertion.to_string())],
        )
    }
}

#[test]
fn a_registered_passkey_signs_in_and_is_listed_until_deleted() {
    let (f, access) = passkey_pool();
    let mut authenticator = SoftAuthenticator::new(b"seed one").unwrap();
    f.register_passkey(&access, &mut authenticator, ORIGIN, Attestation::None)
        .unwrap();

    let listed = f
        .svc
        .list_web_authn_credentials(
            &ctx(),
            ListWebAuthnCredentialsRequest {
                access_token: access.clone(),
                max_results: None,
                next_token: None,
            },
        )
        .unwrap()
        .credentials;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].relying_party_id, "localhost");
    assert_eq!(
        unb64(&listed[0].credential_id),
        authenticator.credential_id()
    );
    let factors = f
        .svc
        .get_user_auth_factors(
            &ctx(),
            GetUserAuthFactorsRequest {
                access_token: access.clone(),
            },
        )
        .unwrap();
    assert!(factors
        .configured_user_auth_factors
        .unwrap()
        .contains(&AuthFactorType::WebAuthn));

    let done = f
        .passkey_sign_in(&mut authenticator)
        .unwrap()
        .authentication_result
        .unwrap();
    let id = f.claims(done.id_token.as_deref().unwrap());
    assert_eq!(id["amr"], serde_json::json!(["hwk", "user", "mfa"]));

    // A clone of the authenticator, behind on its counter, is refused.
    let mut clone = SoftAuthenticator::new(b"seed one").unwrap();
    let refused = f.passkey_sign_in(&mut clone).unwrap_err();
    assert_eq!(refused.kind, ErrorKind::NotAuthorizedException);

    // A second registration excludes the first passkey; deleted, it signs in no more.
    let options = f
        .svc
        .start_web_authn_registration(
            &ctx(),
            StartWebAuthnRegistrationRequest {
                access_token: access.clone(),
            },
        )
        .unwrap()
        .credential_creation_options;
    assert_eq!(options["excludeCredentials"].as_array().unwrap().len(), 1);
    f.svc
        .delete_web_authn_credential(
            &ctx(),
            DeleteWebAuthnCredentialRequest {
                access_token: access.clone(),
                credential_id: listed[0].credential_id.clone(),
            },
        )
        .unwrap();
    let first = f
        .svc
        .initiate_auth(
            &ctx(),
            InitiateAuthRequest {
                client_id: f.client.clone(),
                auth_flow: AuthFlowType::UserAuth,
                auth_parameters: Some([("USERNAME".to_string(), "pat".to_string())].into()),
                analytics_metadata: None,
                client_metadata: None,
                session: None,
                user_context_data: None,
            },
        )
        .unwrap();
    assert_eq!(
        first.available_challenges,
        Some(vec![
            ChallengeNameType::Password,
            ChallengeNameType::PasswordSrp
        ])
    );
}

#[test]
fn registration_checks_the_origin_and_the_challenge() {
    let (f, access) = passkey_pool();
    let mut authenticator = SoftAuthenticator::new(b"seed two").unwrap();
    let elsewhere = f
        .register_passkey(
            &access,
            &mut authenticator,
            "https://evil.example",
            Attestation::None,
        )
        .unwrap_err();
    assert_eq!(elsewhere.kind, ErrorKind::WebAuthnOriginNotAllowedException);
    // The challenge was used by the refused attempt.
    let credential = authenticator
        .register(
            "localhost",
            ORIGIN,
            b"not the challenge",
            true,
            Attestation::None,
        )
        .unwrap();
    let stale = f
        .svc
        .complete_web_authn_registration(
            &ctx(),
            CompleteWebAuthnRegistrationRequest {
                access_token: access.clone(),
                credential,
            },
        )
        .unwrap_err();
    assert_eq!(stale.kind, ErrorKind::WebAuthnChallengeNotFoundException);
    // A packed attestation with a certificate chain is accepted and shown to tests.
    f.register_passkey(&access, &mut authenticator, ORIGIN, Attestation::PackedX5c)
        .unwrap();
    let pool = f.svc.pool(&ctx(), &f.pool).unwrap();
    let pool = pool.read();
    let user = pool.users.get("pat").unwrap();
    assert_eq!(user.passkeys[0].attestation.format, "packed");
    assert_eq!(user.passkeys[0].attestation.certificate_subjects.len(), 2);
}

#[test]
fn passkeys_need_the_pool_to_allow_them() {
    let f = fixture(|_| {});
    f.user("pat", true);
    let access = f.tokens("pat").access_token.unwrap();
    let refused = f
        .svc
        .start_web_authn_registration(
            &ctx(),
            StartWebAuthnRegistrationRequest {
                access_token: access,
            },
        )
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::WebAuthnNotEnabledException);
}
