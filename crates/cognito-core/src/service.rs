//! The service trait implementation: each method forwards to the handler of the same name
//! in its family module (`pools`, `clients`, `tags`). Operations not listed here answer
//! `NotImplemented` through the trait's default methods.

use cognito_model::shapes::*;
use cognito_model::{CognitoIdentityProvider, OperationError};

use crate::{Cognito, RequestContext};

/// Forwards trait methods to inherent handlers of the same name.
macro_rules! handlers {
    ($($name:ident($input:ty) -> $output:ty;)*) => {
        $(
            fn $name(&self, ctx: &RequestContext, input: $input) -> Result<$output, OperationError> {
                Ok(Cognito::$name(self, ctx, input)?)
            }
        )*
    };
}

impl CognitoIdentityProvider for Cognito {
    type Context = RequestContext;

    handlers! {
        // pools
        create_user_pool(CreateUserPoolRequest) -> CreateUserPoolResponse;
        describe_user_pool(DescribeUserPoolRequest) -> DescribeUserPoolResponse;
        update_user_pool(UpdateUserPoolRequest) -> UpdateUserPoolResponse;
        delete_user_pool(DeleteUserPoolRequest) -> ();
        list_user_pools(ListUserPoolsRequest) -> ListUserPoolsResponse;
        // clients
        create_user_pool_client(CreateUserPoolClientRequest) -> CreateUserPoolClientResponse;
        describe_user_pool_client(DescribeUserPoolClientRequest) -> DescribeUserPoolClientResponse;
        update_user_pool_client(UpdateUserPoolClientRequest) -> UpdateUserPoolClientResponse;
        delete_user_pool_client(DeleteUserPoolClientRequest) -> ();
        list_user_pool_clients(ListUserPoolClientsRequest) -> ListUserPoolClientsResponse;
        add_user_pool_client_secret(AddUserPoolClientSecretRequest) -> AddUserPoolClientSecretResponse;
        list_user_pool_client_secrets(ListUserPoolClientSecretsRequest) -> ListUserPoolClientSecretsResponse;
        delete_user_pool_client_secret(DeleteUserPoolClientSecretRequest) -> DeleteUserPoolClientSecretResponse;
        // client_tokens
        get_client_token(GetClientTokenRequest) -> GetClientTokenResponse;
        get_derived_token(GetDerivedTokenRequest) -> GetDerivedTokenResponse;
        // tags
        tag_resource(TagResourceRequest) -> TagResourceResponse;
        untag_resource(UntagResourceRequest) -> UntagResourceResponse;
        list_tags_for_resource(ListTagsForResourceRequest) -> ListTagsForResourceResponse;
        // groups
        create_group(CreateGroupRequest) -> CreateGroupResponse;
        get_group(GetGroupRequest) -> GetGroupResponse;
        update_group(UpdateGroupRequest) -> UpdateGroupResponse;
        delete_group(DeleteGroupRequest) -> ();
        list_groups(ListGroupsRequest) -> ListGroupsResponse;
        admin_add_user_to_group(AdminAddUserToGroupRequest) -> ();
        admin_remove_user_from_group(AdminRemoveUserFromGroupRequest) -> ();
        admin_list_groups_for_user(AdminListGroupsForUserRequest) -> AdminListGroupsForUserResponse;
        list_users_in_group(ListUsersInGroupRequest) -> ListUsersInGroupResponse;
        // resource_servers
        create_resource_server(CreateResourceServerRequest) -> CreateResourceServerResponse;
        describe_resource_server(DescribeResourceServerRequest) -> DescribeResourceServerResponse;
        update_resource_server(UpdateResourceServerRequest) -> UpdateResourceServerResponse;
        delete_resource_server(DeleteResourceServerRequest) -> ();
        list_resource_servers(ListResourceServersRequest) -> ListResourceServersResponse;
        // domains
        create_user_pool_domain(CreateUserPoolDomainRequest) -> CreateUserPoolDomainResponse;
        describe_user_pool_domain(DescribeUserPoolDomainRequest) -> DescribeUserPoolDomainResponse;
        update_user_pool_domain(UpdateUserPoolDomainRequest) -> UpdateUserPoolDomainResponse;
        delete_user_pool_domain(DeleteUserPoolDomainRequest) -> DeleteUserPoolDomainResponse;
        // identity_providers
        create_identity_provider(CreateIdentityProviderRequest) -> CreateIdentityProviderResponse;
        describe_identity_provider(DescribeIdentityProviderRequest) -> DescribeIdentityProviderResponse;
        update_identity_provider(UpdateIdentityProviderRequest) -> UpdateIdentityProviderResponse;
        delete_identity_provider(DeleteIdentityProviderRequest) -> ();
        list_identity_providers(ListIdentityProvidersRequest) -> ListIdentityProvidersResponse;
        get_identity_provider_by_identifier(GetIdentityProviderByIdentifierRequest) -> GetIdentityProviderByIdentifierResponse;
        // branding
        set_ui_customization(SetUICustomizationRequest) -> SetUICustomizationResponse;
        get_ui_customization(GetUICustomizationRequest) -> GetUICustomizationResponse;
        create_managed_login_branding(CreateManagedLoginBrandingRequest) -> CreateManagedLoginBrandingResponse;
        describe_managed_login_branding(DescribeManagedLoginBrandingRequest) -> DescribeManagedLoginBrandingResponse;
        describe_managed_login_branding_by_client(DescribeManagedLoginBrandingByClientRequest) -> DescribeManagedLoginBrandingByClientResponse;
        update_managed_login_branding(UpdateManagedLoginBrandingRequest) -> UpdateManagedLoginBrandingResponse;
        delete_managed_login_branding(DeleteManagedLoginBrandingRequest) -> ();
        // terms
        create_terms(CreateTermsRequest) -> CreateTermsResponse;
        describe_terms(DescribeTermsRequest) -> DescribeTermsResponse;
        describe_terms_by_client(DescribeTermsByClientRequest) -> DescribeTermsByClientResponse;
        update_terms(UpdateTermsRequest) -> UpdateTermsResponse;
        delete_terms(DeleteTermsRequest) -> ();
        list_terms(ListTermsRequest) -> ListTermsResponse;
        // mfa
        associate_software_token(AssociateSoftwareTokenRequest) -> AssociateSoftwareTokenResponse;
        verify_software_token(VerifySoftwareTokenRequest) -> VerifySoftwareTokenResponse;
        admin_delete_software_token(AdminDeleteSoftwareTokenRequest) -> AdminDeleteSoftwareTokenResponse;
        set_user_settings(SetUserSettingsRequest) -> SetUserSettingsResponse;
        get_user_auth_factors(GetUserAuthFactorsRequest) -> GetUserAuthFactorsResponse;
        admin_get_user_auth_factors(AdminGetUserAuthFactorsRequest) -> AdminGetUserAuthFactorsResponse;
        // devices
        confirm_device(ConfirmDeviceRequest) -> ConfirmDeviceResponse;
        get_device(GetDeviceRequest) -> GetDeviceResponse;
        admin_get_device(AdminGetDeviceRequest) -> AdminGetDeviceResponse;
        list_devices(ListDevicesRequest) -> ListDevicesResponse;
        admin_list_devices(AdminListDevicesRequest) -> AdminListDevicesResponse;
        update_device_status(UpdateDeviceStatusRequest) -> UpdateDeviceStatusResponse;
        admin_update_device_status(AdminUpdateDeviceStatusRequest) -> AdminUpdateDeviceStatusResponse;
        forget_device(ForgetDeviceRequest) -> ();
        admin_forget_device(AdminForgetDeviceRequest) -> ();
        // passkeys
        start_web_authn_registration(StartWebAuthnRegistrationRequest) -> StartWebAuthnRegistrationResponse;
        complete_web_authn_registration(CompleteWebAuthnRegistrationRequest) -> CompleteWebAuthnRegistrationResponse;
        list_web_authn_credentials(ListWebAuthnCredentialsRequest) -> ListWebAuthnCredentialsResponse;
        delete_web_authn_credential(DeleteWebAuthnCredentialRequest) -> DeleteWebAuthnCredentialResponse;
        // mfa_config
        get_user_pool_mfa_config(GetUserPoolMfaConfigRequest) -> GetUserPoolMfaConfigResponse;
        set_user_pool_mfa_config(SetUserPoolMfaConfigRequest) -> SetUserPoolMfaConfigResponse;
        // risk
        set_risk_configuration(SetRiskConfigurationRequest) -> SetRiskConfigurationResponse;
        describe_risk_configuration(DescribeRiskConfigurationRequest) -> DescribeRiskConfigurationResponse;
        // log_delivery
        set_log_delivery_configuration(SetLogDeliveryConfigurationRequest) -> SetLogDeliveryConfigurationResponse;
        get_log_delivery_configuration(GetLogDeliveryConfigurationRequest) -> GetLogDeliveryConfigurationResponse;
        // replicas
        create_user_pool_replica(CreateUserPoolReplicaRequest) -> CreateUserPoolReplicaResponse;
        delete_user_pool_replica(DeleteUserPoolReplicaRequest) -> DeleteUserPoolReplicaResponse;
        update_user_pool_replica(UpdateUserPoolReplicaRequest) -> UpdateUserPoolReplicaResponse;
        list_user_pool_replicas(ListUserPoolReplicasRequest) -> ListUserPoolReplicasResponse;
        // limits
        get_provisioned_limit(GetProvisionedLimitRequest) -> GetProvisionedLimitResponse;
        update_provisioned_limit(UpdateProvisionedLimitRequest) -> UpdateProvisionedLimitResponse;
        // recovery
        initiate_point_in_time_recovery(InitiatePointInTimeRecoveryRequest) -> InitiatePointInTimeRecoveryResponse;
        start_point_in_time_recovery(StartPointInTimeRecoveryRequest) -> StartPointInTimeRecoveryResponse;
        cancel_point_in_time_recovery(CancelPointInTimeRecoveryRequest) -> CancelPointInTimeRecoveryResponse;
        describe_point_in_time_recovery(DescribePointInTimeRecoveryRequest) -> DescribePointInTimeRecoveryResponse;
        list_point_in_time_recoveries(ListPointInTimeRecoveriesRequest) -> ListPointInTimeRecoveriesResponse;
        // cimd
        create_cimd_policy(CreateCIMDPolicyRequest) -> CreateCIMDPolicyResponse;
        describe_cimd_policy(DescribeCIMDPolicyRequest) -> DescribeCIMDPolicyResponse;
        update_cimd_policy(UpdateCIMDPolicyRequest) -> UpdateCIMDPolicyResponse;
        delete_cimd_policy(DeleteCIMDPolicyRequest) -> DeleteCIMDPolicyResponse;
        list_cimd_policies(ListCIMDPoliciesRequest) -> ListCIMDPoliciesResponse;
        list_client_metadata_urls(ListClientMetadataURLsRequest) -> ListClientMetadataURLsResponse;
        update_client_metadata_url_state(UpdateClientMetadataURLStateRequest) -> UpdateClientMetadataURLStateResponse;
        // session_config
        get_user_pool_session_configuration(GetUserPoolSessionConfigurationRequest) -> GetUserPoolSessionConfigurationResponse;
        set_user_pool_session_configuration(SetUserPoolSessionConfigurationRequest) -> SetUserPoolSessionConfigurationResponse;
        get_user_pool_client_session_configuration(GetUserPoolClientSessionConfigurationRequest) -> GetUserPoolClientSessionConfigurationResponse;
        set_user_pool_client_session_configuration(SetUserPoolClientSessionConfigurationRequest) -> SetUserPoolClientSessionConfigurationResponse;
        // attributes
        add_custom_attributes(AddCustomAttributesRequest) -> AddCustomAttributesResponse;
        // users
        admin_create_user(AdminCreateUserRequest) -> AdminCreateUserResponse;
        admin_get_user(AdminGetUserRequest) -> AdminGetUserResponse;
        admin_update_user_attributes(AdminUpdateUserAttributesRequest) -> AdminUpdateUserAttributesResponse;
        admin_delete_user_attributes(AdminDeleteUserAttributesRequest) -> AdminDeleteUserAttributesResponse;
        admin_delete_user(AdminDeleteUserRequest) -> ();
        admin_enable_user(AdminEnableUserRequest) -> AdminEnableUserResponse;
        admin_disable_user(AdminDisableUserRequest) -> AdminDisableUserResponse;
        admin_set_user_password(AdminSetUserPasswordRequest) -> AdminSetUserPasswordResponse;
        admin_reset_user_password(AdminResetUserPasswordRequest) -> AdminResetUserPasswordResponse;
        admin_confirm_sign_up(AdminConfirmSignUpRequest) -> AdminConfirmSignUpResponse;
        admin_set_user_settings(AdminSetUserSettingsRequest) -> AdminSetUserSettingsResponse;
        admin_set_user_mfa_preference(AdminSetUserMFAPreferenceRequest) -> AdminSetUserMFAPreferenceResponse;
        admin_list_user_auth_events(AdminListUserAuthEventsRequest) -> AdminListUserAuthEventsResponse;
        update_auth_event_feedback(UpdateAuthEventFeedbackRequest) -> UpdateAuthEventFeedbackResponse;
        admin_update_auth_event_feedback(AdminUpdateAuthEventFeedbackRequest) -> AdminUpdateAuthEventFeedbackResponse;
        list_users(ListUsersRequest) -> ListUsersResponse;
        admin_link_provider_for_user(AdminLinkProviderForUserRequest) -> AdminLinkProviderForUserResponse;
        admin_disable_provider_for_user(AdminDisableProviderForUserRequest) -> AdminDisableProviderForUserResponse;
        // auth
        initiate_auth(InitiateAuthRequest) -> InitiateAuthResponse;
        admin_initiate_auth(AdminInitiateAuthRequest) -> AdminInitiateAuthResponse;
        respond_to_auth_challenge(RespondToAuthChallengeRequest) -> RespondToAuthChallengeResponse;
        admin_respond_to_auth_challenge(AdminRespondToAuthChallengeRequest) -> AdminRespondToAuthChallengeResponse;
        get_tokens_from_refresh_token(GetTokensFromRefreshTokenRequest) -> GetTokensFromRefreshTokenResponse;
        revoke_token(RevokeTokenRequest) -> RevokeTokenResponse;
        global_sign_out(GlobalSignOutRequest) -> GlobalSignOutResponse;
        admin_user_global_sign_out(AdminUserGlobalSignOutRequest) -> AdminUserGlobalSignOutResponse;
        get_signing_certificate(GetSigningCertificateRequest) -> GetSigningCertificateResponse;
        list_user_sessions(ListUserSessionsRequest) -> ListUserSessionsResponse;
        admin_list_user_sessions(AdminListUserSessionsRequest) -> AdminListUserSessionsResponse;
        revoke_user_session(RevokeUserSessionRequest) -> RevokeUserSessionResponse;
        admin_revoke_user_session(AdminRevokeUserSessionRequest) -> AdminRevokeUserSessionResponse;
        // account
        get_user(GetUserRequest) -> GetUserResponse;
        change_password(ChangePasswordRequest) -> ChangePasswordResponse;
        delete_user(DeleteUserRequest) -> ();
        update_user_attributes(UpdateUserAttributesRequest) -> UpdateUserAttributesResponse;
        delete_user_attributes(DeleteUserAttributesRequest) -> DeleteUserAttributesResponse;
        get_user_attribute_verification_code(GetUserAttributeVerificationCodeRequest) -> GetUserAttributeVerificationCodeResponse;
        verify_user_attribute(VerifyUserAttributeRequest) -> VerifyUserAttributeResponse;
        set_user_mfa_preference(SetUserMFAPreferenceRequest) -> SetUserMFAPreferenceResponse;
        // self-service
        sign_up(SignUpRequest) -> SignUpResponse;
        confirm_sign_up(ConfirmSignUpRequest) -> ConfirmSignUpResponse;
        resend_confirmation_code(ResendConfirmationCodeRequest) -> ResendConfirmationCodeResponse;
        forgot_password(ForgotPasswordRequest) -> ForgotPasswordResponse;
        confirm_forgot_password(ConfirmForgotPasswordRequest) -> ConfirmForgotPasswordResponse;
        // import jobs
        get_csv_header(GetCSVHeaderRequest) -> GetCSVHeaderResponse;
        create_user_import_job(CreateUserImportJobRequest) -> CreateUserImportJobResponse;
        start_user_import_job(StartUserImportJobRequest) -> StartUserImportJobResponse;
        stop_user_import_job(StopUserImportJobRequest) -> StopUserImportJobResponse;
        describe_user_import_job(DescribeUserImportJobRequest) -> DescribeUserImportJobResponse;
        list_user_import_jobs(ListUserImportJobsRequest) -> ListUserImportJobsResponse;
    }
}
