//! A user's tracked devices: `ConfirmDevice`, `GetDevice`, `ListDevices`,
//! `UpdateDeviceStatus`, `ForgetDevice` with the user's access token, and their `Admin`
//! forms by username.
//!
//! Devices are tracked by sign-ins ([`super::auth`]); `ConfirmDevice` stores the SRP
//! verifier of the device's secret and remembers the device at once, or (with the pool's
//! `DeviceOnlyRememberedOnUserPrompt`) answers `UserConfirmationNecessary` and leaves it
//! to `UpdateDeviceStatus`.

use cognito_crypto::srp::Verifier;
use cognito_model::shapes::*;
use cognito_model::CognitoError;

use crate::errors::{invalid_parameter, not_found};
use crate::ids;
use crate::state::devices::Device;
use crate::store::PoolState;
use crate::{Cognito, RequestContext};

/// Devices a page lists at most.
const MAX_PAGE: usize = 60;

fn device_not_found() -> CognitoError {
    not_found("Device does not exist.")
}

/// A device as the device operations answer it.
fn device_type(key: &str, device: &Device) -> DeviceType {
    let attribute = |name: &str, value: &str| AttributeType {
        name: name.to_string(),
        value: Some(value.to_string()),
    };
    let mut attributes = vec![attribute("device_status", "valid")];
    if let Some(name) = &device.name {
        attributes.push(attribute("device_name", name));
    }
    attributes.push(attribute(
        "dev:device_remembered_status",
        if device.remembered {
            "remembered"
        } else {
            "not_remembered"
        },
    ));
    DeviceType {
        device_key: Some(key.to_string()),
        device_attributes: Some(attributes),
        device_create_date: Some(device.created),
        device_last_modified_date: Some(device.modified),
        device_last_authenticated_date: device.last_authenticated,
    }
}

impl Cognito {
    pub(crate) fn confirm_device(
        &self,
        ctx: &RequestContext,
        input: ConfirmDeviceRequest,
    ) -> Result<ConfirmDeviceResponse, CognitoError> {
        let token = self.verify_access_token(ctx, &input.access_token)?;
        let config = input.device_secret_verifier_config.unwrap_or_default();
        let (Some(password_verifier), Some(salt)) = (&config.password_verifier, &config.salt)
        else {
            return Err(invalid_parameter(
                "DeviceSecretVerifierConfig needs a PasswordVerifier and a Salt.",
            ));
        };
        let verifier = Verifier::from_device_config(password_verifier, salt)
            .map_err(|e| invalid_parameter(format!("Invalid DeviceSecretVerifierConfig: {e}")))?;
        self.store.update(&token.pool_id, |pool| {
            let on_prompt = pool
                .config
                .device_configuration
                .as_ref()
                .is_some_and(|c| c.device_only_remembered_on_user_prompt);
            change_device(pool, &token.user_key, &input.device_key, |device| {
                device.verifier = Some(Box::new(verifier));
                if input.device_name.is_some() {
                    device.name = input.device_name;
                }
                device.remembered = device.remembered || !on_prompt;
                device.modified = ctx.now;
            })?;
            Ok(ConfirmDeviceResponse {
                user_confirmation_necessary: on_prompt,
            })
        })
    }

    pub(crate) fn get_device(
        &self,
        ctx: &RequestContext,
        input: GetDeviceRequest,
    ) -> Result<GetDeviceResponse, CognitoError> {
        let token =
            self.verify_access_token(ctx, input.access_token.as_deref().unwrap_or_default())?;
        self.store.read(&token.pool_id, |pool| {
            Ok(GetDeviceResponse {
                device: find_device(pool, &token.user_key, &input.device_key)?,
            })
        })
    }

    pub(crate) fn admin_get_device(
        &self,
        _ctx: &RequestContext,
        input: AdminGetDeviceRequest,
    ) -> Result<AdminGetDeviceResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |pool| {
            let key = pool.user_key_of(&input.username)?;
            Ok(AdminGetDeviceResponse {
                device: find_device(pool, &key, &input.device_key)?,
            })
        })
    }

    pub(crate) fn list_devices(
        &self,
        ctx: &RequestContext,
        input: ListDevicesRequest,
    ) -> Result<ListDevicesResponse, CognitoError> {
        let token = self.verify_access_token(ctx, &input.access_token)?;
        self.store.read(&token.pool_id, |pool| {
            let (devices, pagination_token) = list(
                pool,
                &token.user_key,
                input.pagination_token.as_deref(),
                input.limit,
            )?;
            Ok(ListDevicesResponse {
                devices: Some(devices),
                pagination_token,
            })
        })
    }

    pub(crate) fn admin_list_devices(
        &self,
        _ctx: &RequestContext,
        input: AdminListDevicesRequest,
    ) -> Result<AdminListDevicesResponse, CognitoError> {
        self.store.read(&input.user_pool_id, |pool| {
            let key = pool.user_key_of(&input.username)?;
            let (devices, pagination_token) =
                list(pool, &key, input.pagination_token.as_deref(), input.limit)?;
            Ok(AdminListDevicesResponse {
                devices: Some(devices),
                pagination_token,
            })
        })
    }

    pub(crate) fn update_device_status(
        &self,
        ctx: &RequestContext,
        input: UpdateDeviceStatusRequest,
    ) -> Result<UpdateDeviceStatusResponse, CognitoError> {
        let token = self.verify_access_token(ctx, &input.access_token)?;
        self.store.update(&token.pool_id, |pool| {
            set_status(
                pool,
                ctx,
                &token.user_key,
                &input.device_key,
                input.device_remembered_status,
            )?;
            Ok(UpdateDeviceStatusResponse {})
        })
    }

    pub(crate) fn admin_update_device_status(
        &self,
        ctx: &RequestContext,
        input: AdminUpdateDeviceStatusRequest,
    ) -> Result<AdminUpdateDeviceStatusResponse, CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            let key = pool.user_key_of(&input.username)?;
            set_status(
                pool,
                ctx,
                &key,
                &input.device_key,
                input.device_remembered_status,
            )?;
            Ok(AdminUpdateDeviceStatusResponse {})
        })
    }

    pub(crate) fn forget_device(
        &self,
        ctx: &RequestContext,
        input: ForgetDeviceRequest,
    ) -> Result<(), CognitoError> {
        let token =
            self.verify_access_token(ctx, input.access_token.as_deref().unwrap_or_default())?;
        self.store.update(&token.pool_id, |pool| {
            forget(pool, &token.user_key, &input.device_key)
        })
    }

    pub(crate) fn admin_forget_device(
        &self,
        _ctx: &RequestContext,
        input: AdminForgetDeviceRequest,
    ) -> Result<(), CognitoError> {
        self.store.update(&input.user_pool_id, |pool| {
            let key = pool.user_key_of(&input.username)?;
            forget(pool, &key, &input.device_key)
        })
    }
}

fn find_device(
    pool: &PoolState,
    user_key: &str,
    device_key: &str,
) -> Result<DeviceType, CognitoError> {
    pool.users
        .get(user_key)
        .and_then(|u| u.devices.get(device_key))
        .map(|d| device_type(device_key, d))
        .ok_or_else(device_not_found)
}

fn list(
    pool: &PoolState,
    user_key: &str,
    token: Option<&str>,
    limit: Option<i32>,
) -> Result<(Vec<DeviceType>, Option<String>), CognitoError> {
    let Some(user) = pool.users.get(user_key) else {
        return Ok((Vec::new(), None));
    };
    let limit = ids::page_size(limit, MAX_PAGE);
    let (devices, next) = ids::page_of_entries(&user.devices, token, limit, device_type)?;
    Ok((devices, next))
}

/// Changes device `device_key` of `user_key` in place.
fn change_device(
    pool: &mut PoolState,
    user_key: &str,
    device_key: &str,
    change: impl FnOnce(&mut Device),
) -> Result<(), CognitoError> {
    pool.users
        .update(user_key, |u| u.devices.get_mut(device_key).map(change))
        .flatten()
        .ok_or_else(device_not_found)
}

fn set_status(
    pool: &mut PoolState,
    ctx: &RequestContext,
    user_key: &str,
    device_key: &str,
    status: Option<DeviceRememberedStatusType>,
) -> Result<(), CognitoError> {
    change_device(pool, user_key, device_key, |device| {
        if let Some(status) = status {
            device.remembered = status == DeviceRememberedStatusType::Remembered;
            device.modified = ctx.now;
        }
    })
}

/// Forgets a device: it signs in as a new one from now on, and the refresh tokens of
/// its sign-ins stop working.
fn forget(pool: &mut PoolState, user_key: &str, device_key: &str) -> Result<(), CognitoError> {
    pool.users
        .update(user_key, |u| {
            let removed = u.devices.remove(device_key);
            crate::state::users::Rare::tidy(&mut u.devices);
            removed
        })
        .flatten()
        .map(drop)
        .ok_or_else(device_not_found)
}
