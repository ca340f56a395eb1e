//! The client data (§5.8.1 `CollectedClientData`) and the checks both ceremonies make
//! on it: §7.1 steps 5–11 and §7.2 steps 8–14.

use serde_json::Value;
use subtle::ConstantTimeEq;

use super::json::decode_base64url;
use super::WebAuthnError;

/// `C.type` of a registration (§7.1 step 7).
pub(super) const CREATE: &str = "webauthn.create";
/// `C.type` of an authentication (§7.2 step 10).
pub(super) const GET: &str = "webauthn.get";

/// The members of `C` the relying party checks. `tokenBinding` and members the
/// specification may add later (the test vectors carry `extraData`) are ignored.
#[derive(Debug)]
pub(super) struct ClientData {
    kind: String,
    challenge: String,
    origin: String,
    cross_origin: bool,
    top_origin: Option<String>,
}

impl ClientData {
    /// §7.1 steps 5–6 (§7.2 steps 8–9): UTF-8 decode `clientDataJSON` and parse it as
    /// JSON into `C`.
    pub(super) fn parse(client_data_json: &[u8]) -> Result<Self, WebAuthnError> {
        let c: Value = serde_json::from_slice(client_data_json)
            .map_err(|_| WebAuthnError::ClientDataNotJson)?;
        if !c.is_object() {
            return Err(WebAuthnError::ClientDataNotJson);
        }
        let text = |name: &'static str| {
            c.get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or(WebAuthnError::ClientDataMember(name))
        };
        let cross_origin = match c.get("crossOrigin") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(value)) => *value,
            Some(_) => return Err(WebAuthnError::ClientDataMember("crossOrigin")),
        };
        let top_origin = match c.get("topOrigin") {
            None | Some(Value::Null) => None,
            Some(Value::String(origin)) => Some(origin.clone()),
            Some(_) => return Err(WebAuthnError::ClientDataMember("topOrigin")),
        };
        Ok(ClientData {
            kind: text("type")?,
            challenge: text("challenge")?,
            origin: text("origin")?,
            cross_origin,
            top_origin,
        })
    }

    /// §7.1 step 7 (§7.2 step 10): `C.type` is `webauthn.create` (`webauthn.get`).
    pub(super) fn verify_type(&self, expected: &'static str) -> Result<(), WebAuthnError> {
        if self.kind == expected {
            Ok(())
        } else {
            Err(WebAuthnError::ClientDataType {
                expected,
                found: self.kind.clone(),
            })
        }
    }

    /// §7.1 step 8 (§7.2 step 11): `C.challenge` is the base64url encoding of the
    /// challenge the server issued. It is decoded (padded or not) and the bytes are
    /// compared in constant time; only their lengths may differ observably.
    pub(super) fn verify_challenge(&self, challenge: &[u8]) -> Result<(), WebAuthnError> {
        let sent = decode_base64url(&self.challenge).ok_or(WebAuthnError::ChallengeMismatch)?;
        if bool::from(sent.as_slice().ct_eq(challenge)) {
            Ok(())
        } else {
            Err(WebAuthnError::ChallengeMismatch)
        }
    }

    /// §7.1 step 9 (§7.2 step 12): `C.origin` is one the relying party expects, by
    /// exact comparison (§13.4.9: no subdomain or port is implied).
    pub(super) fn verify_origin(&self, origins: &[String]) -> Result<(), WebAuthnError> {
        if origins.contains(&self.origin) {
            Ok(())
        } else {
            Err(WebAuthnError::OriginNotAllowed(self.origin.clone()))
        }
    }

    /// §7.1 steps 10–11 (§7.2 steps 13–14): a ceremony run in a cross-origin frame is
    /// expected only inside a page of an allowed origin. So `C.crossOrigin = true` needs
    /// a `C.topOrigin`, and a `C.topOrigin` must be an allowed origin.
    pub(super) fn verify_frame(&self, origins: &[String]) -> Result<(), WebAuthnError> {
        match &self.top_origin {
            Some(top) if !origins.iter().any(|allowed| allowed == top) => {
                Err(WebAuthnError::TopOriginNotAllowed(top.clone()))
            }
            None if self.cross_origin => Err(WebAuthnError::CrossOrigin),
            _ => Ok(()),
        }
    }
}
