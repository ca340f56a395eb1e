//! Tracked and remembered devices: `NewDeviceMetadata`, `ConfirmDevice`, device SRP in
//! place of (or after) MFA, refresh with `DEVICE_KEY`, the device operations.

use super::mfa::{answer, register_totp, set_mfa};
use super::*;
use cognito_crypto::srp::client::{self, ClientSession};
use cognito_crypto::totp::TotpKey;

const DEVICE_PASSWORD: &str = "the device's own secret";

/// A pool tracking devices (`ChallengeRequiredOnNewDevice` as `replaces_mfa`, remembered
/// on the user's word only), optional TOTP MFA, and `tim` with an authenticator.
fn tracking(replaces_mfa: bool) -> (Fixture, TotpKey) {
    let f = fixture(|_| {});
    f.svc
        .update_user_pool(
            &ctx(),
            UpdateUserPoolRequest {
                user_pool_id: f.pool.clone(),
                device_configuration: Some(DeviceConfigurationType {
                    challenge_required_on_new_device: replaces_mfa,
                    device_only_remembered_on_user_prompt: true,
                }),
                ..Default::default()
            },
        )
        .unwrap();
    set_mfa(&f, UserPoolMfaType::Optional, false, true);
    f.user("tim", true);
    let key = register_totp(&f, "tim");
    (f, key)
}

impl Fixture {
    fn initiate(
        &self,
        at: &RequestContext,
        flow: AuthFlowType,
        params: &[(&str, &str)],
    ) -> Result<InitiateAuthResponse, CognitoError> {
        self.svc.initiate_auth(
            at,
            InitiateAuthRequest {
                client_id: self.client.clone(),
                auth_flow: flow,
                auth_parameters: Some(
                    params
                        .iter()
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

    /// A password sign-in from `device`, answering a TOTP challenge with `key`'s code.
    fn sign_in_from(
        &self,
        at: &RequestContext,
        device: Option<&str>,
        key: &TotpKey,
    ) -> RespondToAuthChallengeResponse {
        let mut params = vec![("USERNAME", "tim"), ("PASSWORD", PASSWORD)];
        params.extend(device.map(|d| ("DEVICE_KEY", d)));
        let first = self
            .initiate(at, AuthFlowType::UserPasswordAuth, &params)
            .unwrap();
        assert_eq!(
            first.challenge_name,
            Some(ChallengeNameType::SoftwareTokenMfa)
        );
        let code = key.totp(at.now.secs()).unwrap();
        answer(
            self,
            at,
            ChallengeNameType::SoftwareTokenMfa,
            first.session,
            &[
                ("USERNAME", "tim"),
                ("SOFTWARE_TOKEN_MFA_CODE", code.expose()),
            ],
        )
        .unwrap()
    }

    /// A password sign-in of `tim` from the remembered device `device_key`, which must
    /// prove itself first; answers its session.
    fn device_sign_in(&self, at: &RequestContext, device_key: &str) -> Option<String> {
        let params = [
            ("USERNAME", "tim"),
            ("PASSWORD", PASSWORD),
            ("DEVICE_KEY", device_key),
        ];
        let first = self
            .initiate(at, AuthFlowType::UserPasswordAuth, &params)
            .unwrap();
        assert_eq!(first.challenge_name, Some(ChallengeNameType::DeviceSrpAuth));
        first.session
    }

    /// Answers `DEVICE_SRP_AUTH` and `DEVICE_PASSWORD_VERIFIER` as
    /// amazon-cognito-identity-js does, with `password` as the device's secret; without a
    /// `session`, answers both steps without one, as pycognito does.
    fn device_srp(
        &self,
        at: &RequestContext,
        session: Option<String>,
        device: &NewDeviceMetadataType,
        password: &str,
    ) -> Result<RespondToAuthChallengeResponse, CognitoError> {
        let device_key = device.device_key.as_deref().unwrap();
        let sessionless = session.is_none();
        let client = ClientSession::new(&[7u8; 128]);
        let srp_a = client.srp_a();
        let verifier = answer(
            self,
            at,
            ChallengeNameType::DeviceSrpAuth,
            session,
            &[
                ("USERNAME", "tim"),
                ("DEVICE_KEY", device_key),
                ("SRP_A", &srp_a),
            ],
        )?;
        assert_eq!(
            verifier.challenge_name,
            Some(ChallengeNameType::DevicePasswordVerifier)
        );
        let params = verifier.challenge_parameters.unwrap();
        let timestamp = srp::format_timestamp(at.now.secs());
        let signature = client
            .password_claim_signature(
                &client::Challenge {
                    pool_name: device.device_group_key.as_deref().unwrap(),
                    user_id_for_srp: device_key,
                    salt: &params["SALT"],
                    srp_b: &params["SRP_B"],
                    secret_block: &params["SECRET_BLOCK"],
                },
                password,
                &timestamp,
            )
            .unwrap();
        let next_session = if sessionless { None } else { verifier.session };
        answer(
            self,
            at,
            ChallengeNameType::DevicePasswordVerifier,
            next_session,
            &[
                ("USERNAME", "tim"),
                ("DEVICE_KEY", device_key),
                ("PASSWORD_CLAIM_SECRET_BLOCK", &params["SECRET_BLOCK"]),
                ("TIMESTAMP", &timestamp),
                ("PASSWORD_CLAIM_SIGNATURE", &signature),
            ],
        )
    }

    fn confirm_device(&self, access: &str, device: &NewDeviceMetadataType) -> bool {
        let config = client::device_secret_verifier_config(
            device.device_group_key.as_deref().unwrap(),
            device.device_key.as_deref().unwrap(),
            DEVICE_PASSWORD,
            &[0x9c; 16],
        );
        self.svc
            .confirm_device(
                &ctx(),
                ConfirmDeviceRequest {
                    access_token: access.into(),
                    device_key: device.device_key.clone().unwrap(),
                    device_name: Some("laptop".into()),
                    device_secret_verifier_config: Some(DeviceSecretVerifierConfigType {
                        password_verifier: Some(config.password_verifier),
                        salt: Some(config.salt),
                    }),
                },
            )
            .unwrap()
            .user_confirmation_necessary
    }

    fn remember(&self, device_key: &str, status: DeviceRememberedStatusType) {
        self.svc
            .admin_update_device_status(
                &ctx(),
                AdminUpdateDeviceStatusRequest {
                    user_pool_id: self.pool.clone(),
                    username: "tim".into(),
                    device_key: device_key.into(),
                    device_remembered_status: Some(status),
                },
            )
            .unwrap();
    }
}

fn at(step: i64) -> RequestContext {
    ctx_at(1_700_000_000 + 30 * step)
}

#[test]
fn a_remembered_device_signs_in_by_device_srp_instead_of_mfa() {
    let (f, key) = tracking(true);
    // A sign-in that names no device tracks a new one.
    let result = f
        .sign_in_from(&at(1), None, &key)
        .authentication_result
        .unwrap();
    let device = result.new_device_metadata.clone().unwrap();
    let device_key = device.device_key.clone().unwrap();
    let (region, uuid) = device_key.split_once('_').unwrap();
    assert_eq!((region, uuid.len()), ("us-east-1", 36));
    assert_eq!(device.device_group_key.as_deref().unwrap().len(), 9);
    let access = f.claims(result.access_token.as_deref().unwrap());
    assert_eq!(access["device_key"], device_key.as_str());
    let id = f.claims(result.id_token.as_deref().unwrap());
    assert_eq!(id["amr"], serde_json::json!(["pwd", "otp", "mfa"]));

    // Confirmed on the user's word only: not remembered yet, so MFA is still asked.
    assert!(f.confirm_device(result.access_token.as_deref().unwrap(), &device));
    let named = f
        .sign_in_from(&at(2), Some(&device_key), &key)
        .authentication_result
        .unwrap();
    assert!(named.new_device_metadata.is_none());
    let access = f.claims(named.access_token.as_deref().unwrap());
    assert_eq!(access["device_key"], device_key.as_str());

    // Remembered: device SRP stands in for the code.
    f.remember(&device_key, DeviceRememberedStatusType::Remembered);
    let session = f.device_sign_in(&at(3), &device_key);
    let done = f
        .device_srp(&at(3), session, &device, DEVICE_PASSWORD)
        .unwrap()
        .authentication_result
        .unwrap();
    assert!(done.new_device_metadata.is_none());
    let access = f.claims(done.access_token.as_deref().unwrap());
    assert_eq!(access["device_key"], device_key.as_str());
    let id = f.claims(done.id_token.as_deref().unwrap());
    assert_eq!(id["amr"], serde_json::json!(["pwd"]));

    // A device that does not hold the secret is refused.
    let session = f.device_sign_in(&at(4), &device_key);
    let wrong = f
        .device_srp(&at(4), session, &device, "another secret")
        .unwrap_err();
    assert_eq!(wrong.kind, ErrorKind::NotAuthorizedException);

    // The device's refresh token needs its device key.
    let refresh = done.refresh_token.unwrap();
    let refresh_with = |device: Option<&str>| {
        let mut params = vec![("REFRESH_TOKEN", refresh.as_str())];
        params.extend(device.map(|d| ("DEVICE_KEY", d)));
        f.initiate(&at(4), AuthFlowType::RefreshTokenAuth, &params)
    };
    let refreshed = refresh_with(Some(&device_key))
        .unwrap()
        .authentication_result
        .unwrap();
    let access = f.claims(refreshed.access_token.as_deref().unwrap());
    assert_eq!(access["device_key"], device_key.as_str());
    assert_eq!(
        refresh_with(None).unwrap_err().message,
        "Invalid Refresh Token"
    );

    // Forgotten, the device skips nothing and its refresh tokens stop working.
    f.svc
        .admin_forget_device(
            &ctx(),
            AdminForgetDeviceRequest {
                user_pool_id: f.pool.clone(),
                username: "tim".into(),
                device_key: device_key.clone(),
            },
        )
        .unwrap();
    assert_eq!(
        refresh_with(Some(&device_key)).unwrap_err().kind,
        ErrorKind::NotAuthorizedException
    );
    let params = [
        ("USERNAME", "tim"),
        ("PASSWORD", PASSWORD),
        ("DEVICE_KEY", device_key.as_str()),
    ];
    let forgotten = f
        .initiate(&at(5), AuthFlowType::UserPasswordAuth, &params)
        .unwrap_err();
    assert_eq!(
        (forgotten.kind, forgotten.message.as_str()),
        (
            ErrorKind::ResourceNotFoundException,
            "Device does not exist."
        )
    );
    let again = f
        .sign_in_from(&at(5), None, &key)
        .authentication_result
        .unwrap();
    let fresh = again.new_device_metadata.unwrap();
    assert_ne!(fresh.device_key.as_deref(), Some(device_key.as_str()));
    assert_eq!(fresh.device_group_key, device.device_group_key);
}

#[test]
fn without_challenge_required_on_new_device_a_remembered_device_proves_itself_after_mfa() {
    let (f, key) = tracking(false);
    let result = f
        .sign_in_from(&at(1), None, &key)
        .authentication_result
        .unwrap();
    let device = result.new_device_metadata.unwrap();
    let device_key = device.device_key.clone().unwrap();
    f.confirm_device(result.access_token.as_deref().unwrap(), &device);
    f.remember(&device_key, DeviceRememberedStatusType::Remembered);

    let after_mfa = f.sign_in_from(&at(2), Some(&device_key), &key);
    assert_eq!(
        after_mfa.challenge_name,
        Some(ChallengeNameType::DeviceSrpAuth)
    );
    let done = f
        .device_srp(&at(2), after_mfa.session, &device, DEVICE_PASSWORD)
        .unwrap()
        .authentication_result
        .unwrap();
    let id = f.claims(done.id_token.as_deref().unwrap());
    assert_eq!(id["amr"], serde_json::json!(["pwd", "otp", "mfa"]));

    // The MFA answers are in the sign-in's auth event.
    let events = f.svc.auth_events(Some(&f.pool), Some("tim"));
    let last = &events.last().unwrap().event;
    let names: Vec<_> = last
        .challenge_responses
        .iter()
        .flatten()
        .map(|c| (c.challenge_name.unwrap(), c.challenge_response.unwrap()))
        .collect();
    assert_eq!(
        names,
        [
            (ChallengeName::Password, ChallengeResponse::Success),
            (ChallengeName::Mfa, ChallengeResponse::Success)
        ]
    );
}

#[test]
fn without_mfa_a_remembered_device_proves_itself_even_without_sessions() {
    let f = fixture(|_| {});
    f.svc
        .update_user_pool(
            &ctx(),
            UpdateUserPoolRequest {
                user_pool_id: f.pool.clone(),
                device_configuration: Some(DeviceConfigurationType::default()),
                ..Default::default()
            },
        )
        .unwrap();
    f.user("tim", true);
    let result = f.tokens("tim");
    let device = result.new_device_metadata.unwrap();
    // Remembered at once: the pool does not wait for the user's word.
    assert!(!f.confirm_device(result.access_token.as_deref().unwrap(), &device));
    let device_key = device.device_key.clone().unwrap();
    // Sent without sessions, both steps find theirs.
    f.device_sign_in(&at(1), &device_key);
    let done = f
        .device_srp(&at(1), None, &device, DEVICE_PASSWORD)
        .unwrap()
        .authentication_result
        .unwrap();
    let access = f.claims(done.access_token.as_deref().unwrap());
    assert_eq!(access["device_key"], device_key.as_str());
}

#[test]
fn devices_are_listed_read_updated_and_forgotten() {
    let (f, key) = tracking(true);
    // `register_totp` signed in once before MFA; these two sign-ins track two more.
    let first = f
        .sign_in_from(&at(1), None, &key)
        .authentication_result
        .unwrap();
    f.sign_in_from(&at(2), None, &key);
    let access = first.access_token.unwrap();
    let device = first.new_device_metadata.unwrap();
    let device_key = device.device_key.clone().unwrap();
    assert!(f.confirm_device(&access, &device));

    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = f
            .svc
            .list_devices(
                &ctx(),
                ListDevicesRequest {
                    access_token: access.clone(),
                    limit: Some(2),
                    pagination_token: token,
                },
            )
            .unwrap();
        seen.extend(page.devices.unwrap());
        token = page.pagination_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen.len(), 3);

    let got = f
        .svc
        .get_device(
            &ctx(),
            GetDeviceRequest {
                access_token: Some(access.clone()),
                device_key: device_key.clone(),
            },
        )
        .unwrap()
        .device;
    let attributes: Vec<(String, String)> = got
        .device_attributes
        .unwrap()
        .into_iter()
        .map(|a| (a.name, a.value.unwrap()))
        .collect();
    let attr = |n: &str| {
        attributes
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(attr("device_name"), Some("laptop"));
    assert_eq!(attr("dev:device_remembered_status"), Some("not_remembered"));
    assert!(got.device_last_authenticated_date.is_some());

    f.svc
        .update_device_status(
            &ctx(),
            UpdateDeviceStatusRequest {
                access_token: access.clone(),
                device_key: device_key.clone(),
                device_remembered_status: Some(DeviceRememberedStatusType::Remembered),
            },
        )
        .unwrap();
    let tracked = f.svc.devices(Some(&f.pool), Some("tim"));
    let mine = tracked.iter().find(|d| d.device_key == device_key).unwrap();
    assert!(mine.remembered && mine.confirmed);

    f.svc
        .forget_device(
            &ctx(),
            ForgetDeviceRequest {
                access_token: Some(access.clone()),
                device_key: device_key.clone(),
            },
        )
        .unwrap();
    let missing = f
        .svc
        .admin_get_device(
            &ctx(),
            AdminGetDeviceRequest {
                user_pool_id: f.pool.clone(),
                username: "tim".into(),
                device_key,
            },
        )
        .unwrap_err();
    assert_eq!(
        (missing.kind, missing.message.as_str()),
        (
            ErrorKind::ResourceNotFoundException,
            "Device does not exist."
        )
    );
    let listed = f
        .svc
        .admin_list_devices(
            &ctx(),
            AdminListDevicesRequest {
                user_pool_id: f.pool.clone(),
                username: "tim".into(),
                limit: None,
                pagination_token: None,
            },
        )
        .unwrap();
    assert_eq!(listed.devices.unwrap().len(), 2);
}

#[test]
fn a_bad_verifier_config_is_refused() {
    let (f, key) = tracking(true);
    let result = f
        .sign_in_from(&at(1), None, &key)
        .authentication_result
        .unwrap();
    let refused = f
        .svc
        .confirm_device(
            &ctx(),
            ConfirmDeviceRequest {
                access_token: result.access_token.unwrap(),
                device_key: result.new_device_metadata.unwrap().device_key.unwrap(),
                device_name: None,
                device_secret_verifier_config: Some(DeviceSecretVerifierConfigType {
                    password_verifier: Some("AA==".into()),
                    salt: Some("AQ==".into()),
                }),
            },
        )
        .unwrap_err();
    assert_eq!(refused.kind, ErrorKind::InvalidParameterException);
}

#[test]
fn pools_without_device_configuration_track_nothing() {
    let f = fixture(|_| {});
    f.user("tim", true);
    let result = f.tokens("tim");
    assert!(result.new_device_metadata.is_none());
    let access = f.claims(result.access_token.as_deref().unwrap());
    assert!(access.get("device_key").is_none());
}

#[test]
fn an_srp_answer_naming_an_unknown_device_may_be_sent_again_without_it() {
    let (f, key) = tracking(true);
    let client = ClientSession::new(&[5u8; 128]);
    let srp_a = client.srp_a();
    let start = f
        .initiate(
            &at(1),
            AuthFlowType::UserSrpAuth,
            &[("USERNAME", "tim"), ("SRP_A", &srp_a)],
        )
        .unwrap();
    let params = start.challenge_parameters.unwrap();
    let timestamp = srp::format_timestamp(at(1).now.secs());
    let pool_name = f.pool.split_once('_').unwrap().1;
    let signature = client
        .password_claim_signature(
            &client::Challenge {
                pool_name,
                user_id_for_srp: &params["USER_ID_FOR_SRP"],
                salt: &params["SALT"],
                srp_b: &params["SRP_B"],
                secret_block: &params["SECRET_BLOCK"],
            },
            PASSWORD,
            &timestamp,
        )
        .unwrap();
    let responses = vec![
        ("USERNAME", "tim"),
        (
            "PASSWORD_CLAIM_SECRET_BLOCK",
            params["SECRET_BLOCK"].as_str(),
        ),
        ("TIMESTAMP", timestamp.as_str()),
        ("PASSWORD_CLAIM_SIGNATURE", signature.as_str()),
    ];
    let mut with_device = responses.clone();
    with_device.push((
        "DEVICE_KEY",
        "us-east-1_00000000-0000-4000-8000-000000000000",
    ));
    let refused = answer(
        &f,
        &at(1),
        ChallengeNameType::PasswordVerifier,
        start.session.clone(),
        &with_device,
    )
    .unwrap_err();
    assert_eq!(
        (refused.kind, refused.message.as_str()),
        (
            ErrorKind::ResourceNotFoundException,
            "Device does not exist."
        )
    );
    // The client drops the key and answers the same session again.
    let mfa = answer(
        &f,
        &at(1),
        ChallengeNameType::PasswordVerifier,
        start.session,
        &responses,
    )
    .unwrap();
    assert_eq!(
        mfa.challenge_name,
        Some(ChallengeNameType::SoftwareTokenMfa)
    );
    let code = key.totp(at(1).now.secs()).unwrap();
    let done = answer(
        &f,
        &at(1),
        ChallengeNameType::SoftwareTokenMfa,
        mfa.session,
        &[
            ("USERNAME", "tim"),
            ("SOFTWARE_TOKEN_MFA_CODE", code.expose()),
        ],
    )
    .unwrap();
    assert!(done
        .authentication_result
        .unwrap()
        .new_device_metadata
        .is_some());
}

#[test]
fn a_user_created_again_under_the_same_name_has_none_of_the_old_users_devices() {
    let (f, key) = tracking(true);
    let result = f
        .sign_in_from(&at(1), None, &key)
        .authentication_result
        .unwrap();
    let device = result.new_device_metadata.unwrap();
    let device_key = device.device_key.clone().unwrap();
    f.delete("tim");
    f.user("tim", true);
    let params = [
        ("USERNAME", "tim"),
        ("PASSWORD", PASSWORD),
        ("DEVICE_KEY", device_key.as_str()),
    ];
    let refused = f
        .initiate(&at(2), AuthFlowType::UserPasswordAuth, &params)
        .unwrap_err();
    assert_eq!(
        (refused.kind, refused.message.as_str()),
        (
            ErrorKind::ResourceNotFoundException,
            "Device does not exist."
        )
    );
    assert!(f.svc.devices(Some(&f.pool), Some("tim")).is_empty());
}
