//! A user's tracked devices (pools with a `DeviceConfiguration`).
//!
//! A device is tracked when a sign-in that named none ends in tokens
//! (`NewDeviceMetadata`); `ConfirmDevice` gives it a name and the SRP verifier of a
//! secret only the device knows, and it is remembered either then or when the user says
//! so (`UpdateDeviceStatus`). A remembered device with a verifier signs in with device
//! SRP, which may stand in for the second factor.

use std::collections::BTreeMap;

use cognito_crypto::srp::DeviceVerifier;
use cognito_model::Timestamp;
use serde::{Deserialize, Serialize};

/// One tracked device.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Device {
    /// The user's device group key: every device of a user shares it.
    pub group_key: String,
    /// The name given at `ConfirmDevice`.
    pub name: Option<String>,
    /// The device's SRP verifier, from `ConfirmDevice`.
    #[serde(with = "super::codec::device_verifier")]
    pub verifier: Option<Box<DeviceVerifier>>,
    /// Whether the device is remembered.
    pub remembered: bool,
    /// When it was first tracked.
    pub created: Timestamp,
    /// When it last changed.
    pub modified: Timestamp,
    /// When a sign-in last named it.
    pub last_authenticated: Option<Timestamp>,
}

impl Device {
    /// Whether the device can sign in by device SRP: remembered, with a verifier.
    pub fn signs_in(&self) -> bool {
        self.remembered && self.verifier.is_some()
    }
}

/// A user's devices by device key.
pub type Devices = BTreeMap<String, Device>;

/// The device group key of a user with `devices`, if it has one yet.
pub fn group_key(devices: &Devices) -> Option<&str> {
    devices.values().next().map(|d| d.group_key.as_str())
}
