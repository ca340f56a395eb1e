//! The credential as a client sends it: `RegistrationResponseJSON` and
//! `AuthenticationResponseJSON` (WebAuthn Level 3 §5.1.8, `toJSON()`), whose byte
//! members are `Base64URLString`s. The specification writes them without padding;
//! padded ones are accepted too.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use serde_json::Value;

use super::WebAuthnError;

/// base64url (RFC 4648 §5), with or without padding.
const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Decodes base64url, padded or not.
pub(super) fn decode_base64url(text: &str) -> Option<Vec<u8>> {
    BASE64URL.decode(text).ok()
}

/// Encodes base64url without padding, as `Base64URLString` is written.
#[cfg(any(test, feature = "test-authenticator"))]
pub(super) fn encode_base64url(bytes: &[u8]) -> String {
    BASE64URL.encode(bytes)
}

/// The member `name` of `object`, which must be a string.
pub(super) fn string<'a>(object: &'a Value, name: &'static str) -> Result<&'a str, WebAuthnError> {
    object
        .get(name)
        .and_then(Value::as_str)
        .ok_or(WebAuthnError::MissingMember(name))
}

/// The bytes of the base64url member `name` of `object`.
pub(super) fn bytes(object: &Value, name: &'static str) -> Result<Vec<u8>, WebAuthnError> {
    decode_base64url(string(object, name)?).ok_or(WebAuthnError::NotBase64Url(name))
}

/// The bytes of the optional base64url member `name`: `None` when absent or `null`.
pub(super) fn optional_bytes(
    object: &Value,
    name: &'static str,
) -> Result<Option<Vec<u8>>, WebAuthnError> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => decode_base64url(text)
            .map(Some)
            .ok_or(WebAuthnError::NotBase64Url(name)),
        Some(_) => Err(WebAuthnError::MemberType(name)),
    }
}

/// The optional string member `name`: `None` when absent or `null`.
pub(super) fn optional_string(
    object: &Value,
    name: &'static str,
) -> Result<Option<String>, WebAuthnError> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(WebAuthnError::MemberType(name)),
    }
}

/// The optional array of strings `name` (`transports`): empty when absent or `null`.
pub(super) fn string_list(
    object: &Value,
    name: &'static str,
) -> Result<Vec<String>, WebAuthnError> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_owned)
                    .ok_or(WebAuthnError::MemberType(name))
            })
            .collect(),
        Some(_) => Err(WebAuthnError::MemberType(name)),
    }
}

/// The credential's `response` member.
pub(super) fn response(credential: &Value) -> Result<&Value, WebAuthnError> {
    credential
        .get("response")
        .filter(|r| r.is_object())
        .ok_or(WebAuthnError::MissingMember("response"))
}

/// §5.1: a `PublicKeyCredential`'s `type` is `public-key`.
pub(super) fn check_type(credential: &Value) -> Result<(), WebAuthnError> {
    if string(credential, "type")? == "public-key" {
        Ok(())
    } else {
        Err(WebAuthnError::CredentialType)
    }
}

/// The credential id: `rawId`'s bytes (§5.1: "the raw bytes of `id`"), which must be
/// those `id` encodes. A client that sends only `id` is read by it.
pub(super) fn credential_id(credential: &Value) -> Result<Vec<u8>, WebAuthnError> {
    let id = bytes(credential, "id")?;
    match optional_bytes(credential, "rawId")? {
        Some(raw) if raw != id => Err(WebAuthnError::CredentialIdMismatch),
        _ => Ok(id),
    }
}
