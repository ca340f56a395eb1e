//! The pool's MFA configuration (SMS, software token, email, WebAuthn).

use cognito_model::shapes::*;
use serde::{Deserialize, Serialize};

/// This family's state within a pool.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MfaConfigState {
    /// Whether SMS MFA is switched on; `None` until `SetUserPoolMfaConfig` first runs, when
    /// a pool created or updated with an SMS configuration and MFA on uses SMS.
    pub(crate) sms: Option<bool>,
    /// Whether TOTP (software token) MFA is switched on.
    pub(crate) software_token: bool,
    /// The email MFA message template, when email MFA is switched on.
    pub(crate) email: Option<EmailMfaConfigType>,
    /// The passkey settings as last set.
    pub(crate) web_authn: Option<WebAuthnConfigurationType>,
}
