//! User pools: `CreateUserPool`, `DescribeUserPool`, `UpdateUserPool`, `DeleteUserPool`,
//! `ListUserPools`.

use cognito_model::shapes::*;
use cognito_model::{CognitoError, Timestamp};

use crate::errors::invalid_parameter;
use crate::ops::attributes;
use crate::ops::tags::check_tags;
use crate::store::PoolState;
use crate::{ids, Cognito, RequestContext};

impl Cognito {
    pub(crate) fn create_user_pool(
        &self,
        ctx: &RequestContext,
        input: CreateUserPoolRequest,
    ) -> Result<CreateUserPoolResponse, CognitoError> {
        let schema = attributes::pool_schema(input.schema.as_deref().unwrap_or_default())?;
        check_username_settings(
            input.username_attributes.as_deref(),
            input.alias_attributes.as_deref(),
        )?;
        let tags = input.user_pool_tags.clone().unwrap_or_default();
        check_tags(&tags)?;
        let now = ctx.now;
        let mut config = UserPoolType {
            schema_attributes: Some(schema),
            alias_attributes: input.alias_attributes.clone(),
            username_attributes: input.username_attributes.clone(),
            username_configuration: input.username_configuration.clone(),
            creation_date: Some(now),
            ..Default::default()
        };
        apply_settings(&mut config, Settings::from_create(input), now)?;
        loop {
            let id = ids::pool_id(&*self.random, &ctx.region);
            config.id = Some(id.clone());
            config.arn = Some(pool_arn(ctx, &id));
            let pool = PoolState {
                config: config.clone(),
                tags: tags.clone(),
                ..Default::default()
            };
            if self.store.try_insert(id, pool)? {
                break;
            }
        }
        self.note_functions(&config);
        config.user_pool_tags = Some(tags);
        Ok(CreateUserPoolResponse {
            user_pool: Some(config),
        })
    }

    pub(crate) fn describe_user_pool(
        &self,
        _ctx: &RequestContext,
        input: DescribeUserPoolRequest,
    ) -> Result<DescribeUserPoolResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |pool| {
            Ok(DescribeUserPoolResponse {
                user_pool: Some(pool.describe()),
            })
        })
    }

    pub(crate) fn update_user_pool(
        &self,
        ctx: &RequestContext,
        input: UpdateUserPoolRequest,
    ) -> Result<UpdateUserPoolResponse, CognitoError> {
        let id = input.user_pool_id.clone();
        self.store.update(&id, |pool| {
            let tags = input.user_pool_tags.clone();
            if let Some(tags) = &tags {
                check_tags(tags)?;
            }
            let name = input.pool_name.clone();
            let mut updated = pool.config.clone();
            apply_settings(&mut updated, Settings::from_update(input), ctx.now)?;
            if let Some(name) = name {
                updated.name = Some(name);
            }
            self.note_functions(&updated);
            pool.config = updated;
            if let Some(tags) = tags {
                pool.tags = tags;
            }
            Ok(UpdateUserPoolResponse {})
        })
    }

    pub(crate) fn delete_user_pool(
        &self,
        _ctx: &RequestContext,
        input: DeleteUserPoolRequest,
    ) -> Result<(), CognitoError> {
        self.store.remove(&input.user_pool_id, |pool| {
            if pool.config.deletion_protection == Some(DeletionProtectionType::Active) {
                return Err(invalid_parameter(
                    "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.",
                ));
            }
            if pool.domains.any() {
                return Err(invalid_parameter(
                    "User pool cannot be deleted. It has a domain configured that should be deleted first.",
                ));
            }
            Ok(())
        })?;
        Ok(())
    }

    pub(crate) fn list_user_pools(
        &self,
        ctx: &RequestContext,
        input: ListUserPoolsRequest,
    ) -> Result<ListUserPoolsResponse, CognitoError> {
        let limit = usize::try_from(input.max_results).unwrap_or(1).max(1);
        let region_start = format!("{}_", ctx.region);
        let after = ids::page_after(input.next_token.as_deref())?;
        // Pool ids sort by region first, so a region's pools are one contiguous run.
        let start = after.unwrap_or_else(|| region_start.clone());
        let mut page: Vec<UserPoolDescriptionType> = Vec::with_capacity(limit);
        let mut more = false;
        self.store.page(Some(&start), limit + 1, |pool| {
            let id = pool.config.id.as_deref().unwrap_or_default();
            if !id.starts_with(&region_start) || more {
                return;
            }
            if page.len() == limit {
                more = true;
                return;
            }
            page.push(UserPoolDescriptionType {
                id: pool.config.id.clone(),
                name: pool.config.name.clone(),
                lambda_config: pool.config.lambda_config.clone(),
                creation_date: pool.config.creation_date,
                last_modified_date: pool.config.last_modified_date,
                ..Default::default()
            });
        });
        let next_token = more
            .then(|| {
                page.last()
                    .and_then(|p| p.id.as_deref())
                    .map(ids::page_token)
            })
            .flatten();
        Ok(ListUserPoolsResponse {
            user_pools: Some(page),
            next_token,
        })
    }
}

impl PoolState {
    /// The pool as `DescribeUserPool` answers it.
    pub(crate) fn describe(&self) -> UserPoolType {
        let mut config = self.config.clone();
        config.user_pool_tags = Some(self.tags.clone());
        config.estimated_number_of_users = i32::try_from(self.users.len()).unwrap_or(i32::MAX);
        config
    }
}

/// `arn:aws:cognito-idp:<region>:<account>:userpool/<id>`.
fn pool_arn(ctx: &RequestContext, id: &str) -> String {
    format!(
        "arn:aws:cognito-idp:{}:{}:userpool/{id}",
        ctx.region, ctx.account_id
    )
}

fn check_username_settings(
    username: Option<&[UsernameAttributeType]>,
    alias: Option<&[AliasAttributeType]>,
) -> Result<(), CognitoError> {
    if username.is_some_and(|u| !u.is_empty()) && alias.is_some_and(|a| !a.is_empty()) {
        return Err(invalid_parameter(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.",
        ));
    }
    Ok(())
}

/// The settings `CreateUserPool` and `UpdateUserPool` share. An update replaces every one
/// of them: what the request leaves out returns to its default, as in Cognito.
struct Settings {
    policies: Option<UserPoolPolicyType>,
    deletion_protection: Option<DeletionProtectionType>,
    lambda_config: Option<LambdaConfigType>,
    auto_verified_attributes: Option<VerifiedAttributesListType>,
    sms_verification_message: Option<String>,
    email_verification_message: Option<String>,
    email_verification_subject: Option<String>,
    verification_message_template: Option<VerificationMessageTemplateType>,
    sms_authentication_message: Option<String>,
    user_attribute_update_settings: Option<UserAttributeUpdateSettingsType>,
    mfa_configuration: Option<UserPoolMfaType>,
    device_configuration: Option<DeviceConfigurationType>,
    email_configuration: Option<EmailConfigurationType>,
    sms_configuration: Option<SmsConfigurationType>,
    admin_create_user_config: Option<AdminCreateUserConfigType>,
    user_pool_add_ons: Option<UserPoolAddOnsType>,
    account_recovery_setting: Option<AccountRecoverySettingType>,
    user_pool_tier: Option<UserPoolTierType>,
    name: Option<String>,
    acr_configuration: Option<AcrConfigurationType>,
    dcr_configuration: Option<DcrConfigurationType>,
    issuer_configuration: Option<IssuerConfigurationType>,
    key_configuration: Option<KeyConfigurationType>,
}

impl Settings {
    fn from_create(r: CreateUserPoolRequest) -> Self {
        Settings {
            policies: r.policies,
            deletion_protection: r.deletion_protection,
            lambda_config: r.lambda_config,
            auto_verified_attributes: r.auto_verified_attributes,
            sms_verification_message: r.sms_verification_message,
            email_verification_message: r.email_verification_message,
            email_verification_subject: r.email_verification_subject,
            verification_message_template: r.verification_message_template,
            sms_authentication_message: r.sms_authentication_message,
            user_attribute_update_settings: r.user_attribute_update_settings,
            mfa_configuration: r.mfa_configuration,
            device_configuration: r.device_configuration,
            email_configuration: r.email_configuration,
            sms_configuration: r.sms_configuration,
            admin_create_user_config: r.admin_create_user_config,
            user_pool_add_ons: r.user_pool_add_ons,
            account_recovery_setting: r.account_recovery_setting,
            user_pool_tier: r.user_pool_tier,
            name: Some(r.pool_name),
            acr_configuration: r.acr_configuration,
            dcr_configuration: r.dcr_configuration,
            issuer_configuration: r.issuer_configuration,
            key_configuration: r.key_configuration,
        }
    }

    fn from_update(r: UpdateUserPoolRequest) -> Self {
        Settings {
            policies: r.policies,
            deletion_protection: r.deletion_protection,
            lambda_config: r.lambda_config,
            auto_verified_attributes: r.auto_verified_attributes,
            sms_verification_message: r.sms_verification_message,
            email_verification_message: r.email_verification_message,
            email_verification_subject: r.email_verification_subject,
            verification_message_template: r.verification_message_template,
            sms_authentication_message: r.sms_authentication_message,
            user_attribute_update_settings: r.user_attribute_update_settings,
            mfa_configuration: r.mfa_configuration,
            device_configuration: r.device_configuration,
            email_configuration: r.email_configuration,
            sms_configuration: r.sms_configuration,
            admin_create_user_config: r.admin_create_user_config,
            user_pool_add_ons: r.user_pool_add_ons,
            account_recovery_setting: r.account_recovery_setting,
            user_pool_tier: r.user_pool_tier,
            name: None,
            acr_configuration: r.acr_configuration,
            dcr_configuration: r.dcr_configuration,
            issuer_configuration: r.issuer_configuration,
            key_configuration: r.key_configuration,
        }
    }
}

/// Writes `s` into `config` with Cognito's defaults for what it leaves out.
fn apply_settings(
    config: &mut UserPoolType,
    s: Settings,
    now: Timestamp,
) -> Result<(), CognitoError> {
    let mfa = s.mfa_configuration.unwrap_or(UserPoolMfaType::Off);
    let auto_verified = s.auto_verified_attributes.unwrap_or_default();
    let update_settings =
        s.user_attribute_update_settings
            .unwrap_or(UserAttributeUpdateSettingsType {
                attributes_require_verification_before_update: Some(Vec::new()),
            });
    for attr in update_settings
        .attributes_require_verification_before_update
        .iter()
        .flatten()
    {
        if !auto_verified.contains(attr) {
            return Err(invalid_parameter(
                "The attributes in AttributesRequireVerificationBeforeUpdate must also be in AutoVerifiedAttributes.",
            ));
        }
    }
    let template = s.verification_message_template.unwrap_or_default();
    let template = VerificationMessageTemplateType {
        default_email_option: Some(
            template
                .default_email_option
                .unwrap_or(DefaultEmailOptionType::ConfirmWithCode),
        ),
        sms_message: template.sms_message.or(s.sms_verification_message.clone()),
        email_message: template
            .email_message
            .or(s.email_verification_message.clone()),
        email_subject: template
            .email_subject
            .or(s.email_verification_subject.clone()),
        ..template
    };
    config.policies = Some(policies(s.policies)?);
    config.deletion_protection = Some(
        s.deletion_protection
            .unwrap_or(DeletionProtectionType::Inactive),
    );
    config.auto_verified_attributes = (!auto_verified.is_empty()).then_some(auto_verified);
    config.sms_verification_message = template.sms_message.clone();
    config.email_verification_message = template.email_message.clone();
    config.email_verification_subject = template.email_subject.clone();
    config.verification_message_template = Some(template);
    config.sms_authentication_message = s.sms_authentication_message;
    config.user_attribute_update_settings = Some(update_settings);
    config.mfa_configuration = Some(mfa);
    config.device_configuration = s.device_configuration;
    config.email_configuration = Some(s.email_configuration.unwrap_or(EmailConfigurationType {
        email_sending_account: Some(EmailSendingAccountType::CognitoDefault),
        ..Default::default()
    }));
    config.sms_configuration = s.sms_configuration;
    let mut admin = s.admin_create_user_config.unwrap_or_default();
    if admin.unused_account_validity_days == 0 {
        admin.unused_account_validity_days = 7;
    }
    config.admin_create_user_config = Some(admin);
    config.user_pool_add_ons = s.user_pool_add_ons;
    config.account_recovery_setting = s.account_recovery_setting;
    config.user_pool_tier = Some(s.user_pool_tier.unwrap_or(UserPoolTierType::Essentials));
    let passwordless = config
        .policies
        .as_ref()
        .and_then(|p| p.sign_in_policy.as_ref())
        .and_then(|s| s.allowed_first_auth_factors.as_ref())
        .is_some_and(|f| f.iter().any(|f| *f != AuthFactorType::Password));
    if passwordless {
        crate::errors::require_tier(config, UserPoolTierType::Essentials, "Passwordless sign-in")?;
    }
    config.lambda_config = Some(lambda_config(s.lambda_config.unwrap_or_default(), config)?);
    if let Some(name) = s.name {
        config.name = Some(name);
    }
    config.acr_configuration = s.acr_configuration;
    config.dcr_configuration = s.dcr_configuration;
    config.issuer_configuration = s.issuer_configuration;
    config.key_configuration = s.key_configuration;
    config.last_modified_date = Some(now);
    Ok(())
}

/// The pool's triggers as Cognito keeps them: `PreTokenGeneration` and
/// `PreTokenGenerationConfig` name the same function (either fills the other, the older
/// field meaning event version 1), versions 2 and 3 of the token event need the Essentials
/// tier, and custom senders need the KMS key their codes are encrypted with.
fn lambda_config(
    mut c: LambdaConfigType,
    pool: &UserPoolType,
) -> Result<LambdaConfigType, CognitoError> {
    match (&c.pre_token_generation, &c.pre_token_generation_config) {
        (Some(arn), Some(versioned)) if *arn != versioned.lambda_arn => {
            return Err(invalid_parameter(
                "PreTokenGeneration and PreTokenGenerationConfig.LambdaArn must name the same function.",
            ))
        }
        (Some(arn), None) => {
            c.pre_token_generation_config = Some(PreTokenGenerationVersionConfigType {
                lambda_arn: arn.clone(),
                lambda_version: PreTokenGenerationLambdaVersionType::V10,
            })
        }
        (None, Some(versioned)) => c.pre_token_generation = Some(versioned.lambda_arn.clone()),
        _ => {}
    }
    let version = c
        .pre_token_generation_config
        .as_ref()
        .map(|v| v.lambda_version);
    if matches!(
        version,
        Some(PreTokenGenerationLambdaVersionType::V20 | PreTokenGenerationLambdaVersionType::V30)
    ) {
        crate::errors::require_tier(
            pool,
            UserPoolTierType::Essentials,
            "Pre token generation trigger event versions 2 and 3",
        )?;
    }
    let senders = c.custom_email_sender.is_some() || c.custom_sms_sender.is_some();
    if senders && c.kms_key_id.is_none() {
        return Err(invalid_parameter(
            "KMSKeyID must be set when a custom email or SMS sender is configured.",
        ));
    }
    Ok(c)
}

/// Whether `config` names any function.
pub(crate) fn names_functions(config: &UserPoolType) -> bool {
    config.lambda_config.as_ref().is_some_and(|c| {
        crate::lambda::Trigger::ALL
            .iter()
            .any(|t| t.arn(c).is_some())
    })
}

/// The password and sign-in policies, with Cognito's defaults.
fn policies(p: Option<UserPoolPolicyType>) -> Result<UserPoolPolicyType, CognitoError> {
    let p = p.unwrap_or_default();
    let password = match p.password_policy {
        Some(mut pp) => {
            if pp.minimum_length.is_none() {
                pp.minimum_length = Some(8);
            }
            if pp.temporary_password_validity_days == 0 {
                pp.temporary_password_validity_days = 7;
            }
            pp
        }
        None => PasswordPolicyType {
            minimum_length: Some(8),
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
            temporary_password_validity_days: 7,
            password_history_size: None,
        },
    };
    let sign_in = p.sign_in_policy.unwrap_or(SignInPolicyType {
        allowed_first_auth_factors: Some(vec![AuthFactorType::Password]),
    });
    if !sign_in
        .allowed_first_auth_factors
        .as_ref()
        .is_some_and(|f| f.contains(&AuthFactorType::Password))
    {
        return Err(invalid_parameter(
            "AllowedFirstAuthFactors must include PASSWORD.",
        ));
    }
    Ok(UserPoolPolicyType {
        password_policy: Some(password),
        sign_in_policy: Some(sign_in),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{create_pool, ctx, ctx_at, service};
    use cognito_model::ErrorKind;

    #[test]
    fn passwordless_first_factors_need_the_essentials_tier() {
        let svc = service();
        let create = |tier| {
            svc.create_user_pool(
                &ctx(),
                CreateUserPoolRequest {
                    pool_name: "p".into(),
                    user_pool_tier: Some(tier),
                    policies: Some(UserPoolPolicyType {
                        sign_in_policy: Some(SignInPolicyType {
                            allowed_first_auth_factors: Some(vec![
                                AuthFactorType::Password,
                                AuthFactorType::EmailOtp,
                            ]),
                        }),
                        password_policy: None,
                    }),
                    ..Default::default()
                },
            )
        };
        assert_eq!(
            create(UserPoolTierType::Lite).unwrap_err().kind,
            ErrorKind::FeatureUnavailableInTierException
        );
        assert!(create(UserPoolTierType::Essentials).is_ok());
    }

    #[test]
    fn create_fills_cognito_defaults() {
        let svc = service();
        let pool = create_pool(&svc, "users");
        let id = pool.id.clone().unwrap();
        assert!(id.starts_with("us-east-1_"));
        assert_eq!(
            pool.arn.as_deref(),
            Some(format!("arn:aws:cognito-idp:us-east-1:123456789012:userpool/{id}").as_str())
        );
        let password = pool.policies.unwrap().password_policy.unwrap();
        assert_eq!(password.minimum_length, Some(8));
        assert!(password.require_symbols && password.require_uppercase);
        assert_eq!(password.temporary_password_validity_days, 7);
        assert_eq!(pool.mfa_configuration, Some(UserPoolMfaType::Off));
        assert_eq!(
            pool.deletion_protection,
            Some(DeletionProtectionType::Inactive)
        );
        assert_eq!(pool.user_pool_tier, Some(UserPoolTierType::Essentials));
        assert_eq!(pool.creation_date, Some(ctx().now));
        assert_eq!(
            pool.admin_create_user_config
                .unwrap()
                .unused_account_validity_days,
            7
        );
        assert_eq!(pool.estimated_number_of_users, 0);
    }

    #[test]
    fn describe_update_delete() {
        let svc = service();
        let id = create_pool(&svc, "users").id.unwrap();
        let later = ctx_at(1_700_000_100);
        svc.update_user_pool(
            &later,
            UpdateUserPoolRequest {
                user_pool_id: id.clone(),
                mfa_configuration: Some(UserPoolMfaType::Optional),
                deletion_protection: Some(DeletionProtectionType::Active),
                user_pool_tags: Some([("team".to_string(), "a".to_string())].into()),
                ..Default::default()
            },
        )
        .unwrap();
        let pool = svc
            .describe_user_pool(
                &ctx(),
                DescribeUserPoolRequest {
                    user_pool_id: id.clone(),
                },
            )
            .unwrap()
            .user_pool
            .unwrap();
        assert_eq!(pool.mfa_configuration, Some(UserPoolMfaType::Optional));
        assert_eq!(pool.last_modified_date, Some(later.now));
        assert_eq!(pool.name.as_deref(), Some("users"));
        assert_eq!(
            pool.user_pool_tags.unwrap().get("team").map(String::as_str),
            Some("a")
        );

        let protected = svc.delete_user_pool(
            &ctx(),
            DeleteUserPoolRequest {
                user_pool_id: id.clone(),
            },
        );
        assert_eq!(
            protected.unwrap_err().kind,
            ErrorKind::InvalidParameterException
        );
        svc.update_user_pool(
            &ctx(),
            UpdateUserPoolRequest {
                user_pool_id: id.clone(),
                ..Default::default()
            },
        )
        .unwrap();
        svc.delete_user_pool(
            &ctx(),
            DeleteUserPoolRequest {
                user_pool_id: id.clone(),
            },
        )
        .unwrap();
        let gone = svc.describe_user_pool(
            &ctx(),
            DescribeUserPoolRequest {
                user_pool_id: id.clone(),
            },
        );
        let err = gone.unwrap_err();
        assert_eq!(err.kind, ErrorKind::ResourceNotFoundException);
        assert_eq!(err.message, format!("User pool {id} does not exist."));
    }

    #[test]
    fn pools_are_listed_in_their_region_and_found_from_any() {
        let svc = service();
        let id = create_pool(&svc, "users").id.unwrap();
        let elsewhere = RequestContext {
            region: "eu-west-1".into(),
            ..ctx()
        };
        // The id names the pool's Region: one endpoint serves every Region.
        let found = svc
            .describe_user_pool(&elsewhere, DescribeUserPoolRequest { user_pool_id: id })
            .unwrap()
            .user_pool
            .unwrap();
        assert!(found
            .arn
            .unwrap()
            .starts_with("arn:aws:cognito-idp:us-east-1:"));
        let listed = svc
            .list_user_pools(
                &elsewhere,
                ListUserPoolsRequest {
                    max_results: 60,
                    next_token: None,
                },
            )
            .unwrap();
        assert_eq!(listed.user_pools.unwrap().len(), 0);
    }

    #[test]
    fn list_pages_through_every_pool_once() {
        let svc = service();
        let mut created: Vec<String> = (0..5)
            .map(|i| create_pool(&svc, &format!("p{i}")).id.unwrap())
            .collect();
        created.sort();
        let mut seen = Vec::new();
        let mut token = None;
        loop {
            let page = svc
                .list_user_pools(
                    &ctx(),
                    ListUserPoolsRequest {
                        max_results: 2,
                        next_token: token,
                    },
                )
                .unwrap();
            let pools = page.user_pools.unwrap();
            assert!(pools.len() <= 2);
            seen.extend(pools.into_iter().map(|p| p.id.unwrap()));
            token = page.next_token;
            if token.is_none() {
                break;
            }
        }
        assert_eq!(seen, created);
        let bad = svc.list_user_pools(
            &ctx(),
            ListUserPoolsRequest {
                max_results: 2,
                next_token: Some("***".into()),
            },
        );
        assert_eq!(bad.unwrap_err().kind, ErrorKind::InvalidParameterException);
    }

    #[test]
    fn username_and_alias_attributes_exclude_each_other() {
        let svc = service();
        let err = svc
            .create_user_pool(
                &ctx(),
                CreateUserPoolRequest {
                    pool_name: "p".into(),
                    username_attributes: Some(vec![UsernameAttributeType::Email]),
                    alias_attributes: Some(vec![AliasAttributeType::PreferredUsername]),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidParameterException);
    }
}
