//! The pool MFA configuration: `SetUserPoolMfaConfig`, `GetUserPoolMfaConfig`.
//!
//! The MFA mode (`OFF`, `ON`, `OPTIONAL`) is the pool's own `MfaConfiguration`, so
//! `UpdateUserPool` and `SetUserPoolMfaConfig` read and write the same value. The SMS
//! message and sending configuration are the pool's `SmsAuthenticationMessage` and
//! `SmsConfiguration`; this module keeps which factors are switched on, the email MFA
//! message and the passkey (WebAuthn) settings.
//!
//! `SetUserPoolMfaConfig` replaces the whole MFA configuration: a factor the request leaves
//! out is switched off, and a request without `MfaConfiguration` turns MFA off. The passkey
//! settings are the exception: they are independent of MFA and stay as they are when the
//! request leaves them out. While MFA is off the factors are dormant and not reported.
//!
//! Nothing is sent from here, so the SMS role is checked for its shape (an IAM role ARN)
//! but never assumed.

use cognito_model::shapes::*;
use cognito_model::CognitoError;

use crate::errors::{invalid_parameter, require_tier};
use crate::state::mfa_config::MfaConfigState;
use crate::store::PoolState;
use crate::{Cognito, RequestContext};

impl Cognito {
    pub(crate) fn get_user_pool_mfa_config(
        &self,
        _ctx: &RequestContext,
        input: GetUserPoolMfaConfigRequest,
    ) -> Result<GetUserPoolMfaConfigResponse, CognitoError> {
        self.store
            .read(&input.user_pool_id, |pool| Ok(pool.mfa_view()))
    }

    pub(crate) fn set_user_pool_mfa_config(
        &self,
        ctx: &RequestContext,
        input: SetUserPoolMfaConfigRequest,
    ) -> Result<SetUserPoolMfaConfigResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
        let mode = input.mfa_configuration.unwrap_or(UserPoolMfaType::Off);
        let sms_on = input.sms_mfa_configuration.is_some();
        let email_on = input.email_mfa_configuration.is_some();
        let totp_on = input
            .software_token_mfa_configuration
            .as_ref()
            .is_some_and(|t| t.enabled);

        let sms_configuration = input
            .sms_mfa_configuration
            .as_ref()
            .and_then(|s| s.sms_configuration.clone())
            .or_else(|| pool.config.sms_configuration.clone());
        if sms_on && !sms_configuration.as_ref().is_some_and(valid_sms_role) {
            return Err(invalid_parameter(
                "Invalid SMS MFA configuration given, external id and a valid caller arn are required",
            ));
        }
        if mode == UserPoolMfaType::Off && (sms_on || email_on || totp_on) {
            return Err(invalid_parameter(
                "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.",
            ));
        }
        if mode != UserPoolMfaType::Off && !(sms_on || email_on || totp_on) {
            return Err(invalid_parameter(
                "Invalid MFA Configuration given. SMS MFA, Email MFA, or Software Token MFA must be enabled.",
            ));
        }
        if email_on {
            require_tier(&pool.config, UserPoolTierType::Essentials, "Email MFA")?;
            let developer = pool
                .config
                .email_configuration
                .as_ref()
                .and_then(|e| e.email_sending_account)
                == Some(EmailSendingAccountType::Developer);
            if !developer {
                return Err(invalid_parameter(
                    "Email MFA requires an email configuration with EmailSendingAccount set to DEVELOPER.",
                ));
            }
        }
        let web_authn = input
            .web_authn_configuration
            .clone()
            .or_else(|| pool.mfa_config.web_authn.clone());
        let factor = web_authn.as_ref().and_then(|w| w.factor_configuration);
        if factor == Some(WebAuthnFactorConfigurationType::MultiFactorWithUserVerification) {
            require_tier(&pool.config, UserPoolTierType::Essentials, "Passkey MFA")?;
        }
        let passkey_first = pool.first_auth_factors().contains(&AuthFactorType::WebAuthn);
        if mode == UserPoolMfaType::On
            && passkey_first
            && factor != Some(WebAuthnFactorConfigurationType::MultiFactorWithUserVerification)
        {
            return Err(invalid_parameter(
                "Cannot set WebAuthn factor configuration to SINGLE_FACTOR if MFA is required and WebAuthn is an allowed first auth factor",
            ));
        }

        if let Some(sms) = input.sms_mfa_configuration {
            if let Some(message) = sms.sms_authentication_message {
                pool.config.sms_authentication_message = Some(message);
            }
            if sms.sms_configuration.is_some() {
                pool.config.sms_configuration = sms.sms_configuration;
            }
        }
        pool.config.mfa_configuration = Some(mode);
        pool.config.last_modified_date = Some(ctx.now);
        pool.mfa_config = MfaConfigState {
            sms: Some(sms_on),
            software_token: totp_on,
            email: input.email_mfa_configuration,
            web_authn,
        };
        let view = pool.mfa_view();
        Ok(SetUserPoolMfaConfigResponse {
            email_mfa_configuration: view.email_mfa_configuration,
            mfa_configuration: view.mfa_configuration,
            sms_mfa_configuration: view.sms_mfa_configuration,
            software_token_mfa_configuration: view.software_token_mfa_configuration,
            web_authn_configuration: view.web_authn_configuration,
        })
        })
    }
}

impl PoolState {
    /// The pool's MFA mode.
    pub(crate) fn mfa_mode(&self) -> UserPoolMfaType {
        self.config
            .mfa_configuration
            .unwrap_or(UserPoolMfaType::Off)
    }

    /// Whether users of the pool can receive MFA codes by SMS.
    pub(crate) fn sms_mfa_enabled(&self) -> bool {
        self.mfa_mode() != UserPoolMfaType::Off
            && self
                .mfa_config
                .sms
                .unwrap_or(self.config.sms_configuration.is_some())
    }

    /// Whether users of the pool can use an authenticator app (TOTP) for MFA.
    pub(crate) fn software_token_mfa_enabled(&self) -> bool {
        self.mfa_mode() != UserPoolMfaType::Off && self.mfa_config.software_token
    }

    /// Whether users of the pool can receive MFA codes by email.
    pub(crate) fn email_mfa_enabled(&self) -> bool {
        self.mfa_mode() != UserPoolMfaType::Off && self.mfa_config.email.is_some()
    }

    /// The first sign-in factors the pool allows (`SignInPolicy`), `PASSWORD` by default.
    pub(crate) fn first_auth_factors(&self) -> &[AuthFactorType] {
        self.config
            .policies
            .as_ref()
            .and_then(|p| p.sign_in_policy.as_ref())
            .and_then(|s| s.allowed_first_auth_factors.as_deref())
            .unwrap_or(&[AuthFactorType::Password])
    }

    /// The passkey settings, with Cognito's default user verification (`preferred`).
    pub(crate) fn web_authn_configuration(&self) -> WebAuthnConfigurationType {
        let mut w = self.mfa_config.web_authn.clone().unwrap_or_default();
        if w.user_verification.is_none() {
            w.user_verification = Some(UserVerificationType::Preferred);
        }
        w
    }

    /// The MFA configuration as `GetUserPoolMfaConfig` answers it.
    fn mfa_view(&self) -> GetUserPoolMfaConfigResponse {
        GetUserPoolMfaConfigResponse {
            mfa_configuration: Some(self.mfa_mode()),
            sms_mfa_configuration: self.sms_mfa_enabled().then(|| SmsMfaConfigType {
                sms_authentication_message: self.config.sms_authentication_message.clone(),
                sms_configuration: self.config.sms_configuration.clone(),
            }),
            software_token_mfa_configuration: self
                .software_token_mfa_enabled()
                .then_some(SoftwareTokenMfaConfigType { enabled: true }),
            email_mfa_configuration: if self.email_mfa_enabled() {
                self.mfa_config.email.clone()
            } else {
                None
            },
            web_authn_configuration: Some(self.web_authn_configuration()),
        }
    }
}

/// Whether the SMS configuration names a role Cognito could assume: an IAM role ARN.
fn valid_sms_role(sms: &SmsConfigurationType) -> bool {
    let role = sms
        .eums_sms
        .as_ref()
        .map_or(sms.sns_caller_arn.as_str(), |e| e.caller_arn.as_str());
    let parts: Vec<&str> = role.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", partition, "iam", "", account, resource] => {
            partition.starts_with("aws")
                && account.len() == 12
                && account.bytes().all(|b| b.is_ascii_digit())
                && resource
                    .strip_prefix("role/")
                    .is_some_and(|r| !r.is_empty())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{create_pool, ctx, service};
    use cognito_model::ErrorKind;

    const ROLE: &str = "arn:aws:iam::123456789012:role/sms";

    fn sms(role: &str) -> SmsMfaConfigType {
        SmsMfaConfigType {
            sms_authentication_message: Some("Your code is {####}".into()),
            sms_configuration: Some(SmsConfigurationType {
                sns_caller_arn: role.into(),
                external_id: Some("ext".into()),
                ..Default::default()
            }),
        }
    }

    fn totp() -> Option<SoftwareTokenMfaConfigType> {
        Some(SoftwareTokenMfaConfigType { enabled: true })
    }

    fn set(
        svc: &Cognito,
        pool: &str,
        f: impl FnOnce(&mut SetUserPoolMfaConfigRequest),
    ) -> Result<SetUserPoolMfaConfigResponse, CognitoError> {
        let mut req = SetUserPoolMfaConfigRequest {
            user_pool_id: pool.into(),
            ..Default::default()
        };
        f(&mut req);
        svc.set_user_pool_mfa_config(&ctx(), req)
    }

    fn get(svc: &Cognito, pool: &str) -> GetUserPoolMfaConfigResponse {
        svc.get_user_pool_mfa_config(
            &ctx(),
            GetUserPoolMfaConfigRequest {
                user_pool_id: pool.into(),
            },
        )
        .unwrap()
    }

    fn describe(svc: &Cognito, pool: &str) -> UserPoolType {
        svc.describe_user_pool(
            &ctx(),
            DescribeUserPoolRequest {
                user_pool_id: pool.into(),
            },
        )
        .unwrap()
        .user_pool
        .unwrap()
    }

    #[test]
    fn a_new_pool_has_mfa_off_and_preferred_user_verification() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let got = get(&svc, &pool);
        assert_eq!(got.mfa_configuration, Some(UserPoolMfaType::Off));
        assert_eq!(got.sms_mfa_configuration, None);
        assert_eq!(got.software_token_mfa_configuration, None);
        assert_eq!(got.email_mfa_configuration, None);
        let w = got.web_authn_configuration.unwrap();
        assert_eq!(w.user_verification, Some(UserVerificationType::Preferred));
        assert_eq!(w.relying_party_id, None);
    }

    #[test]
    fn set_round_trips_and_shows_in_the_pool() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let answer = set(&svc, &pool, |r| {
            r.mfa_configuration = Some(UserPoolMfaType::Optional);
            r.software_token_mfa_configuration = totp();
            r.sms_mfa_configuration = Some(sms(ROLE));
            r.web_authn_configuration = Some(WebAuthnConfigurationType {
                relying_party_id: Some("auth.example.com".into()),
                user_verification: Some(UserVerificationType::Required),
                factor_configuration: None,
            });
        })
        .unwrap();
        assert_eq!(answer.mfa_configuration, Some(UserPoolMfaType::Optional));
        let got = get(&svc, &pool);
        assert_eq!(got.software_token_mfa_configuration, totp());
        let s = got.sms_mfa_configuration.unwrap();
        assert_eq!(
            s.sms_authentication_message.as_deref(),
            Some("Your code is {####}")
        );
        assert_eq!(s.sms_configuration.unwrap().sns_caller_arn, ROLE);
        assert_eq!(
            got.web_authn_configuration
                .unwrap()
                .relying_party_id
                .as_deref(),
            Some("auth.example.com")
        );
        let described = describe(&svc, &pool);
        assert_eq!(described.mfa_configuration, Some(UserPoolMfaType::Optional));
        assert_eq!(
            described.sms_authentication_message.as_deref(),
            Some("Your code is {####}")
        );
        assert!(described.sms_configuration.is_some());
    }

    #[test]
    fn update_user_pool_mode_shows_in_get() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        set(&svc, &pool, |r| {
            r.mfa_configuration = Some(UserPoolMfaType::On);
            r.software_token_mfa_configuration = totp();
        })
        .unwrap();
        svc.update_user_pool(
            &ctx(),
            UpdateUserPoolRequest {
                user_pool_id: pool.clone(),
                mfa_configuration: Some(UserPoolMfaType::Optional),
                ..Default::default()
            },
        )
        .unwrap();
        let got = get(&svc, &pool);
        assert_eq!(got.mfa_configuration, Some(UserPoolMfaType::Optional));
        assert_eq!(got.software_token_mfa_configuration, totp());
    }

    #[test]
    fn a_pool_created_with_sms_and_mfa_on_uses_sms() {
        let svc = service();
        let pool = svc
            .create_user_pool(
                &ctx(),
                CreateUserPoolRequest {
                    pool_name: "p".into(),
                    mfa_configuration: Some(UserPoolMfaType::On),
                    sms_configuration: sms(ROLE).sms_configuration,
                    ..Default::default()
                },
            )
            .unwrap()
            .user_pool
            .unwrap()
            .id
            .unwrap();
        let got = get(&svc, &pool);
        assert_eq!(got.mfa_configuration, Some(UserPoolMfaType::On));
        assert!(got.sms_mfa_configuration.is_some());
    }

    #[test]
    fn mfa_on_or_optional_needs_a_factor() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        for mode in [UserPoolMfaType::On, UserPoolMfaType::Optional] {
            let err = set(&svc, &pool, |r| r.mfa_configuration = Some(mode)).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidParameterException);
            assert_eq!(
                err.message,
                "Invalid MFA Configuration given. SMS MFA, Email MFA, or Software Token MFA must be enabled."
            );
        }
        // A disabled authenticator app is no factor either.
        let err = set(&svc, &pool, |r| {
            r.mfa_configuration = Some(UserPoolMfaType::On);
            r.software_token_mfa_configuration =
                Some(SoftwareTokenMfaConfigType { enabled: false });
        })
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
    }

    #[test]
    fn mfa_off_cannot_configure_a_factor_but_passkeys_are_independent() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let err = set(&svc, &pool, |r| {
            r.mfa_configuration = Some(UserPoolMfaType::Off);
            r.software_token_mfa_configuration = totp();
        })
        .unwrap_err();
        assert_eq!(
            err.message,
            "Invalid MFA configuration given, can't turn off MFA and configure an MFA together."
        );
        set(&svc, &pool, |r| {
            r.web_authn_configuration = Some(WebAuthnConfigurationType {
                relying_party_id: Some("example.com".into()),
                ..Default::default()
            });
        })
        .unwrap();
        // Leaving the passkey settings out keeps them.
        set(&svc, &pool, |r| {
            r.mfa_configuration = Some(UserPoolMfaType::On);
            r.software_token_mfa_configuration = totp();
        })
        .unwrap();
        assert_eq!(
            get(&svc, &pool)
                .web_authn_configuration
                .unwrap()
                .relying_party_id
                .as_deref(),
            Some("example.com")
        );
    }

    #[test]
    fn set_replaces_the_whole_configuration() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        set(&svc, &pool, |r| {
            r.mfa_configuration = Some(UserPoolMfaType::On);
            r.software_token_mfa_configuration = totp();
        })
        .unwrap();
        set(&svc, &pool, |_| {}).unwrap();
        let got = get(&svc, &pool);
        assert_eq!(got.mfa_configuration, Some(UserPoolMfaType::Off));
        assert_eq!(got.software_token_mfa_configuration, None);
        assert_eq!(
            describe(&svc, &pool).mfa_configuration,
            Some(UserPoolMfaType::Off)
        );
    }

    #[test]
    fn sms_mfa_needs_a_role() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let err = set(&svc, &pool, |r| {
            r.mfa_configuration = Some(UserPoolMfaType::On);
            r.sms_mfa_configuration = Some(SmsMfaConfigType::default());
        })
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        let err = set(&svc, &pool, |r| {
            r.mfa_configuration = Some(UserPoolMfaType::On);
            r.sms_mfa_configuration = Some(sms("arn:aws:sns:us-east-1:123456789012:topic"));
        })
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
    }

    #[test]
    fn email_mfa_needs_developer_email_and_a_paid_plan() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let email = || {
            Some(EmailMfaConfigType {
                message: Some("Code {####}".into()),
                subject: Some("Sign in".into()),
            })
        };
        let err = set(&svc, &pool, |r| {
            r.mfa_configuration = Some(UserPoolMfaType::Optional);
            r.email_mfa_configuration = email();
        })
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);

        svc.update_user_pool(
            &ctx(),
            UpdateUserPoolRequest {
                user_pool_id: pool.clone(),
                email_configuration: Some(EmailConfigurationType {
                    email_sending_account: Some(EmailSendingAccountType::Developer),
                    source_arn: Some(
                        "arn:aws:ses:us-east-1:123456789012:identity/example.com".into(),
                    ),
                    ..Default::default()
                }),
                ..Default::default()
            },
        )
        .unwrap();
        set(&svc, &pool, |r| {
            r.mfa_configuration = Some(UserPoolMfaType::Optional);
            r.email_mfa_configuration = email();
        })
        .unwrap();
        assert_eq!(get(&svc, &pool).email_mfa_configuration, email());

        svc.update_user_pool(
            &ctx(),
            UpdateUserPoolRequest {
                user_pool_id: pool.clone(),
                user_pool_tier: Some(UserPoolTierType::Lite),
                email_configuration: describe(&svc, &pool).email_configuration,
                mfa_configuration: Some(UserPoolMfaType::Optional),
                ..Default::default()
            },
        )
        .unwrap();
        let err = set(&svc, &pool, |r| {
            r.mfa_configuration = Some(UserPoolMfaType::Optional);
            r.email_mfa_configuration = email();
        })
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::FeatureUnavailableInTierException);
        assert_eq!(
            err.message,
            "The following features need to be disabled for the LITE pricing tier configured: Email MFA"
        );
    }

    #[test]
    fn required_mfa_with_passkey_sign_in_needs_passkey_mfa() {
        let svc = service();
        let pool = svc
            .create_user_pool(
                &ctx(),
                CreateUserPoolRequest {
                    pool_name: "p".into(),
                    policies: Some(UserPoolPolicyType {
                        sign_in_policy: Some(SignInPolicyType {
                            allowed_first_auth_factors: Some(vec![
                                AuthFactorType::Password,
                                AuthFactorType::WebAuthn,
                            ]),
                        }),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
            )
            .unwrap()
            .user_pool
            .unwrap()
            .id
            .unwrap();
        let err = set(&svc, &pool, |r| {
            r.mfa_configuration = Some(UserPoolMfaType::On);
            r.software_token_mfa_configuration = totp();
        })
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
        set(&svc, &pool, |r| {
            r.mfa_configuration = Some(UserPoolMfaType::Optional);
            r.software_token_mfa_configuration = totp();
        })
        .unwrap();
        set(&svc, &pool, |r| {
            r.mfa_configuration = Some(UserPoolMfaType::On);
            r.software_token_mfa_configuration = totp();
            r.web_authn_configuration = Some(WebAuthnConfigurationType {
                factor_configuration: Some(
                    WebAuthnFactorConfigurationType::MultiFactorWithUserVerification,
                ),
                user_verification: Some(UserVerificationType::Required),
                relying_party_id: None,
            });
        })
        .unwrap();
    }

    #[test]
    fn unknown_pool() {
        let svc = service();
        let err = set(&svc, "us-east-1_nothere12", |_| {}).unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);
    }

    #[test]
    fn sms_roles() {
        let ok = |arn: &str| {
            valid_sms_role(&SmsConfigurationType {
                sns_caller_arn: arn.into(),
                ..Default::default()
            })
        };
        assert!(ok(ROLE));
        assert!(ok("arn:aws-cn:iam::123456789012:role/path/sms"));
        assert!(!ok("arn:aws:iam::123456789012:user/sms"));
        assert!(!ok("arn:aws:iam::1234:role/sms"));
        assert!(!ok("nonsense"));
    }
}
