//! The harness's own passkey: a software authenticator with one ES256 (P-256) credential
//! that answers as a platform authenticator and a browser would, with a
//! `RegistrationResponseJSON` (attestation `none`) and `AuthenticationResponseJSON`s
//! whose signature counter increases (W3C WebAuthn Level 3 §5.1.8).
//!
//! Written here rather than borrowed from the emulator, which the harness never links.
//! Everything is deterministic: the key and the credential id come from a seed, ECDSA
//! nonces from RFC 6979. The references are to [WebAuthn-3]: the client data (§5.8.1),
//! the authenticator data (§6.1) with its attested credential data (§6.5.1), the
//! attestation object (§6.5.4), COSE keys (§5.8.5) and assertion signatures (§6.5.6).
//!
//! [WebAuthn-3]: https://www.w3.org/TR/webauthn-3/

use std::fmt;

use base64::Engine as _;
use ciborium::Value as Cbor;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The origin of the page the harness's passkey ceremonies run on.
pub const ORIGIN: &str = "http://localhost:3000";

/// The COSE algorithm ES256 (ECDSA with P-256 and SHA-256), `-7`.
pub const ES256: i64 = -7;

/// §6.1 flags: user present.
const UP: u8 = 0x01;
/// §6.1 flags: user verified.
const UV: u8 = 0x04;
/// §6.1 flags: attested credential data included.
const AT: u8 = 0x40;

/// Base64url without padding, as WebAuthn's JSON encodings write bytes.
pub fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Reads base64url, with or without padding.
pub fn b64url_decode(text: &str) -> Result<Vec<u8>, String> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|e| format!("{text:?} is not base64url: {e}"))
}

/// SHA-256 of `label | 0x00 | seed | counter`, the authenticator's derivation of
/// everything it holds.
fn derive(label: &str, seed: &[u8], counter: u8) -> [u8; 32] {
    Sha256::new()
        .chain_update(label.as_bytes())
        .chain_update([0])
        .chain_update(seed)
        .chain_update([counter])
        .finalize()
        .into()
}

/// The client data a browser collects (§5.8.1), its members in their usual order.
fn client_data(kind: &str, origin: &str, challenge: &[u8]) -> Vec<u8> {
    json!({
        "type": kind,
        "challenge": b64url(challenge),
        "origin": origin,
        "crossOrigin": false,
    })
    .to_string()
    .into_bytes()
}

/// What a ceremony is for: the relying party whose id the authenticator hashes into its
/// data, the origin the browser writes into the client data, and the server's challenge.
#[derive(Debug, Clone, Copy)]
pub struct Ceremony<'a> {
    pub rp_id: &'a str,
    pub origin: &'a str,
    pub challenge: &'a [u8],
}

/// A software authenticator with one ES256 credential. `Debug` shows no key.
pub struct Authenticator {
    key: SigningKey,
    credential_id: Vec<u8>,
    sign_count: u32,
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticator")
            .field("credential_id", &b64url(&self.credential_id))
            .field("sign_count", &self.sign_count)
            .field("key", &"<redacted>")
            .finish()
    }
}

impl Authenticator {
    /// An authenticator whose key and credential id are derived from `seed`.
    pub fn new(seed: &str) -> Result<Authenticator, String> {
        let seed = seed.as_bytes();
        // The first derivation that is a P-256 scalar (all but about 2^-32 of them are).
        let key = (0..=u8::MAX)
            .find_map(|n| SigningKey::from_slice(&derive("credential key", seed, n)).ok())
            .ok_or("the seed gives no P-256 key")?;
        Ok(Authenticator {
            key,
            credential_id: derive("credential id", seed, 0).to_vec(),
            sign_count: 0,
        })
    }

    /// The credential id, base64url, as `id` in the responses and in Cognito's lists.
    pub fn credential_id(&self) -> String {
        b64url(&self.credential_id)
    }

    /// The counter of the last response.
    pub fn sign_count(&self) -> u32 {
        self.sign_count
    }

    /// Sets the counter, as a cloned authenticator would have a stale one.
    pub fn set_sign_count(&mut self, count: u32) {
        self.sign_count = count;
    }

    /// The credential public key as a COSE_Key (§5.8.5), EC2 on P-256 for ES256, its
    /// labels in CTAP2's canonical order: `{1: 2, 3: -7, -1: 1, -2: x, -3: y}`.
    fn cose_key(&self) -> Result<Vec<u8>, String> {
        let point = self.key.verifying_key().to_encoded_point(false);
        let (Some(x), Some(y)) = (point.x(), point.y()) else {
            return Err("the credential key is the identity point".into());
        };
        let int = |n: i64| Cbor::Integer(n.into());
        let key = Cbor::Map(vec![
            (int(1), int(2)),
            (int(3), int(ES256)),
            (int(-1), int(1)),
            (int(-2), Cbor::Bytes(x.to_vec())),
            (int(-3), Cbor::Bytes(y.to_vec())),
        ]);
        let mut out = Vec::new();
        ciborium::ser::into_writer(&key, &mut out).map_err(|e| format!("COSE key: {e}"))?;
        Ok(out)
    }

    /// A DER `Ecdsa-Sig-Value` over `authData | SHA-256(clientDataJSON)` (§6.5.6).
    fn sign(&self, auth_data: &[u8], client_data_json: &[u8]) -> Result<Vec<u8>, String> {
        let signed = [auth_data, Sha256::digest(client_data_json).as_slice()].concat();
        let signature: Signature = self
            .key
            .try_sign(&signed)
            .map_err(|e| format!("signing: {e}"))?;
        Ok(signature.to_der().as_bytes().to_vec())
    }

    /// The `RegistrationResponseJSON` of a `create()` (§5.1.8) with attestation `none`
    /// (§8.7), the user present and verified, the counter at zero.
    pub fn register(&self, ceremony: &Ceremony) -> Result<Value, String> {
        let client_data_json = client_data("webauthn.create", ceremony.origin, ceremony.challenge);
        let id_length = u16::try_from(self.credential_id.len())
            .map_err(|_| "the credential id is too long".to_string())?;
        // §6.1: rpIdHash, flags, signCount, then §6.5.1's attested credential data:
        // AAGUID (zero for `none`), credentialIdLength, credentialId, the public key.
        let auth_data = [
            Sha256::digest(ceremony.rp_id.as_bytes()).as_slice(),
            &[UP | UV | AT],
            &0u32.to_be_bytes(),
            &[0u8; 16],
            &id_length.to_be_bytes(),
            &self.credential_id,
            &self.cose_key()?,
        ]
        .concat();
        // §6.5.4, in CTAP2's canonical order.
        let object = Cbor::Map(vec![
            (Cbor::Text("fmt".into()), Cbor::Text("none".into())),
            (Cbor::Text("attStmt".into()), Cbor::Map(Vec::new())),
            (Cbor::Text("authData".into()), Cbor::Bytes(auth_data)),
        ]);
        let mut attestation_object = Vec::new();
        ciborium::ser::into_writer(&object, &mut attestation_object)
            .map_err(|e| format!("attestation object: {e}"))?;
        let id = self.credential_id();
        Ok(json!({
            "id": id,
            "rawId": id,
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(&client_data_json),
                "attestationObject": b64url(&attestation_object),
                "transports": ["internal"],
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        }))
    }

    /// The `AuthenticationResponseJSON` of a `get()` (§5.1.8), the user present and
    /// verified. The counter is increased first.
    pub fn assert(&mut self, ceremony: &Ceremony) -> Result<Value, String> {
        self.sign_count = self.sign_count.saturating_add(1);
        let client_data_json = client_data("webauthn.get", ceremony.origin, ceremony.challenge);
        // §6.1 without attested credential data.
        let auth_data = [
            Sha256::digest(ceremony.rp_id.as_bytes()).as_slice(),
            &[UP | UV],
            &self.sign_count.to_be_bytes(),
        ]
        .concat();
        let signature = self.sign(&auth_data, &client_data_json)?;
        let id = self.credential_id();
        Ok(json!({
            "id": id,
            "rawId": id,
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(&client_data_json),
                "authenticatorData": b64url(&auth_data),
                "signature": b64url(&signature),
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Verifier as _;

    const CEREMONY: Ceremony = Ceremony {
        rp_id: "localhost",
        origin: ORIGIN,
        challenge: b"sixteen or more bytes",
    };

    fn member(credential: &Value, name: &str) -> Vec<u8> {
        b64url_decode(credential["response"][name].as_str().unwrap()).unwrap()
    }

    #[test]
    fn registration_lays_out_the_attested_credential_data() {
        let a = Authenticator::new("seed").unwrap();
        let r = a.register(&CEREMONY).unwrap();
        assert_eq!(r["id"], a.credential_id());
        let client: Value = serde_json::from_slice(&member(&r, "clientDataJSON")).unwrap();
        assert_eq!(client["type"], "webauthn.create");
        assert_eq!(client["challenge"], b64url(CEREMONY.challenge));
        assert_eq!(client["origin"], ORIGIN);

        let object: Cbor =
            ciborium::de::from_reader(member(&r, "attestationObject").as_slice()).unwrap();
        let map = object.as_map().unwrap();
        assert_eq!(
            map[0],
            (Cbor::Text("fmt".into()), Cbor::Text("none".into()))
        );
        assert_eq!(map[1].1, Cbor::Map(vec![]));
        let data = map[2].1.as_bytes().unwrap();
        assert_eq!(&data[..32], Sha256::digest(b"localhost").as_slice());
        assert_eq!(data[32], 0x45);
        assert_eq!(&data[33..37], &[0, 0, 0, 0]);
        assert_eq!(&data[37..53], &[0; 16]);
        assert_eq!(&data[53..55], &[0, 32]);
        assert_eq!(b64url(&data[55..87]), a.credential_id());
        let key: Cbor = ciborium::de::from_reader(&data[87..]).unwrap();
        let key = key.as_map().unwrap();
        assert_eq!(key.len(), 5);
        assert_eq!(key[1].1, Cbor::Integer((-7).into()));
        assert_eq!(key[3].1.as_bytes().unwrap().len(), 32);
    }

    #[test]
    fn assertions_verify_and_count_up() {
        let mut a = Authenticator::new("seed").unwrap();
        for expected in 1..=2u32 {
            let r = a.assert(&CEREMONY).unwrap();
            let data = member(&r, "authenticatorData");
            assert_eq!(data.len(), 37);
            assert_eq!(data[32], UP | UV);
            assert_eq!(&data[33..], &expected.to_be_bytes());
            let client = member(&r, "clientDataJSON");
            let signed = [data.as_slice(), Sha256::digest(&client).as_slice()].concat();
            let signature = Signature::from_der(&member(&r, "signature")).unwrap();
            a.key.verifying_key().verify(&signed, &signature).unwrap();
        }
        assert_eq!(a.sign_count(), 2);
    }

    #[test]
    fn seeds_make_different_credentials() {
        let a = Authenticator::new("one").unwrap();
        let b = Authenticator::new("two").unwrap();
        assert_ne!(a.credential_id(), b.credential_id());
        assert!(!format!("{a:?}").contains("SigningKey"));
    }
}
