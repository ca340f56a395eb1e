//! A user's passkeys (WebAuthn credentials) and the registration it has started.

use cognito_crypto::webauthn::PublicKey;
use cognito_model::Timestamp;
use serde::{Deserialize, Serialize};

use super::codec;

/// One registered passkey.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Passkey {
    /// The credential id, as the authenticator made it.
    #[serde(with = "codec::bytes")]
    pub credential_id: Vec<u8>,
    /// The credential's public key.
    #[serde(with = "codec::public_key")]
    pub public_key: PublicKey,
    /// The last signature counter the authenticator reported.
    pub sign_count: u32,
    /// The relying party it was registered for.
    pub relying_party_id: String,
    /// A name for people: the authenticator's, else the attestation format's.
    pub friendly_name: String,
    /// `platform` or `cross-platform`, as the browser said.
    pub attachment: Option<String>,
    /// How the browser can reach the authenticator (`internal`, `usb`, `hybrid`, ...).
    pub transports: Vec<String>,
    /// What the registration's attestation showed, for the test API.
    pub attestation: AttestationFacts,
    /// When it was registered.
    pub created: Timestamp,
}

/// What a passkey's registration proved about its authenticator.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttestationFacts {
    /// The attestation statement format (`none`, `packed`, `fido-u2f`).
    pub format: String,
    /// The authenticator model's AAGUID.
    #[serde(with = "codec::array")]
    pub aaguid: [u8; 16],
    /// The subjects of the attestation certificate chain, leaf first (empty without
    /// one).
    pub certificate_subjects: Vec<String>,
    /// Whether the user was verified at registration.
    pub user_verified: bool,
    /// Whether the credential may be backed up, and is.
    pub backup_eligible: bool,
    /// See [`AttestationFacts::backup_eligible`].
    pub backed_up: bool,
}

/// A registration `StartWebAuthnRegistration` opened, waiting for its credential.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingRegistration {
    /// The challenge the credential must sign.
    #[serde(with = "codec::bytes")]
    pub challenge: Vec<u8>,
    /// The relying party the options named.
    pub relying_party_id: String,
    /// Whether user verification was required.
    pub user_verification_required: bool,
    /// When the challenge stops being accepted.
    pub expires: Timestamp,
}
