//! A software authenticator for tests: [`SoftAuthenticator`] holds one P-256 credential
//! made from seed bytes and answers as a platform authenticator and a browser would,
//! with a `RegistrationResponseJSON` (attestation `none`, `packed` self attestation or
//! `packed` with an `x5c` chain from an attestation CA of its own) and
//! `AuthenticationResponseJSON`s whose counter increases.
//!
//! It is compiled for this crate's tests and, with the feature `test-authenticator`,
//! for the tests of other crates. Everything it makes is deterministic: keys come from
//! the seed, ECDSA nonces from RFC 6979, certificate dates are fixed.

use std::time::Duration;

use ciborium::Value as Cbor;
use coset::{iana, CborSerializable as _, CoseKeyBuilder};
use der::asn1::{BitString, OctetString, SetOfVec, UtcTime};
use der::{Any, Decode as _, Encode as _, Tag};
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::EncodePublicKey as _;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use spki::{AlgorithmIdentifierOwned, ObjectIdentifier, SubjectPublicKeyInfoOwned};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};
use x509_cert::ext::Extension;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate, TbsCertificate, Version};

use super::authenticator_data::Flags;
use super::certificate::FIDO_GEN_CE_AAGUID;
use super::json::encode_base64url;
use super::{PublicKey, ES256};

/// `ecdsa-with-SHA256` (RFC 5758 §3.2).
const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
/// `id-ce-basicConstraints`.
const BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
/// `id-ce-keyUsage`.
const KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
/// 2024-01-01T00:00:00Z, every certificate's `notBefore`.
const NOT_BEFORE: u64 = 1_704_067_200;
/// 2049-12-31T23:59:59Z, every certificate's `notAfter` (the last `UTCTime`).
const NOT_AFTER: u64 = 2_524_607_999;

/// Why the software authenticator could not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SoftAuthenticatorError {
    /// No valid P-256 scalar could be derived from the seed (a chance of about 2^-8192).
    #[error("the seed gives no P-256 key")]
    Seed,
    /// A structure could not be encoded or signed.
    #[error("encoding failed: {0}")]
    Encoding(String),
}

fn encoding(error: impl std::fmt::Display) -> SoftAuthenticatorError {
    SoftAuthenticatorError::Encoding(error.to_string())
}

/// The attestation a [`SoftAuthenticator`] gives a new credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attestation {
    /// `none` (§8.7).
    None,
    /// `packed` self attestation (§8.2 step 3), signed with the credential key.
    PackedSelf,
    /// `packed` full attestation (§8.2 step 2): `x5c` is an attestation certificate
    /// meeting §8.2.1 and the certificate of the CA that issued it.
    PackedX5c,
}

/// A software authenticator with one ES256 credential. `Debug` shows no key.
pub struct SoftAuthenticator {
    credential_key: SigningKey,
    attestation_key: SigningKey,
    ca_key: SigningKey,
    credential_id: Vec<u8>,
    aaguid: [u8; 16],
    sign_count: u32,
    user_handle: Option<Vec<u8>>,
    backup_eligible: bool,
    backed_up: bool,
}

impl std::fmt::Debug for SoftAuthenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoftAuthenticator")
            .field("credential_id", &encode_base64url(&self.credential_id))
            .field("sign_count", &self.sign_count)
            .field("keys", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// SHA-256 of `label | 0x00 | seed`, the authenticator's derivation of everything.
fn derive(label: &str, seed: &[u8], counter: u8) -> [u8; 32] {
    Sha256::new()
        .chain_update(label.as_bytes())
        .chain_update([0])
        .chain_update(seed)
        .chain_update([counter])
        .finalize()
        .into()
}

/// A P-256 signing key from the seed: the first derivation that is a valid scalar.
fn derive_key(label: &str, seed: &[u8]) -> Result<SigningKey, SoftAuthenticatorError> {
    (0..=u8::MAX)
        .find_map(|counter| SigningKey::from_slice(&derive(label, seed, counter)).ok())
        .ok_or(SoftAuthenticatorError::Seed)
}

/// A DER `Ecdsa-Sig-Value` (§6.5.6) of `message`.
fn sign(key: &SigningKey, message: &[u8]) -> Result<Vec<u8>, SoftAuthenticatorError> {
    let signature: Signature = key.try_sign(message).map_err(encoding)?;
    Ok(signature.to_der().as_bytes().to_vec())
}

impl SoftAuthenticator {
    /// An authenticator whose keys, credential id and AAGUID are derived from `seed`.
    pub fn new(seed: &[u8]) -> Result<Self, SoftAuthenticatorError> {
        let aaguid = derive("aaguid", seed, 0);
        Ok(SoftAuthenticator {
            credential_key: derive_key("credential key", seed)?,
            attestation_key: derive_key("attestation key", seed)?,
            ca_key: derive_key("attestation CA key", seed)?,
            credential_id: derive("credential id", seed, 0).to_vec(),
            aaguid: aaguid
                .get(..16)
                .and_then(|a| a.try_into().ok())
                .unwrap_or_default(),
            sign_count: 0,
            user_handle: None,
            backup_eligible: false,
            backed_up: false,
        })
    }

    /// Sends `handle` as `userHandle` in assertions (a discoverable credential's user).
    pub fn with_user_handle(mut self, handle: &[u8]) -> Self {
        self.user_handle = Some(handle.to_vec());
        self
    }

    /// Sets the BE and BS flags, as a synced passkey has them.
    pub fn with_backup(mut self, eligible: bool, backed_up: bool) -> Self {
        self.backup_eligible = eligible;
        self.backed_up = backed_up;
        self
    }

    /// The credential id.
    pub fn credential_id(&self) -> &[u8] {
        &self.credential_id
    }

    /// The AAGUID.
    pub fn aaguid(&self) -> [u8; 16] {
        self.aaguid
    }

    /// The counter of the last response.
    pub fn sign_count(&self) -> u32 {
        self.sign_count
    }

    /// Sets the counter, e.g. to make a cloned authenticator's stale one.
    pub fn set_sign_count(&mut self, count: u32) {
        self.sign_count = count;
    }

    /// The credential public key, as a registration reports it.
    pub fn public_key(&self) -> Result<PublicKey, SoftAuthenticatorError> {
        PublicKey::from_cose(&self.cose_key()?).map_err(encoding)
    }

    /// The credential public key as a COSE key (§5.8.5), in CTAP2's canonical order.
    fn cose_key(&self) -> Result<Vec<u8>, SoftAuthenticatorError> {
        let point = self.credential_key.verifying_key().to_encoded_point(false);
        let (Some(x), Some(y)) = (point.x(), point.y()) else {
            return Err(SoftAuthenticatorError::Encoding(
                "the point is the identity".into(),
            ));
        };
        CoseKeyBuilder::new_ec2_pub_key(iana::EllipticCurve::P_256, x.to_vec(), y.to_vec())
            .algorithm(iana::Algorithm::ES256)
            .build()
            .to_vec()
            .map_err(encoding)
    }

    /// The flags byte (§6.1).
    fn flags(&self, user_verified: bool, attested: bool) -> u8 {
        let mut flags = Flags::UP;
        for (set, bit) in [
            (user_verified, Flags::UV),
            (self.backup_eligible, Flags::BE),
            (self.backed_up, Flags::BS),
            (attested, Flags::AT),
        ] {
            if set {
                flags |= bit;
            }
        }
        flags
    }

    /// The client data a browser would collect (§5.8.1), in its members' usual order.
    fn client_data(kind: &str, origin: &str, challenge: &[u8]) -> Vec<u8> {
        json!({
            "type": kind,
            "challenge": encode_base64url(challenge),
            "origin": origin,
            "crossOrigin": false,
        })
        .to_string()
        .into_bytes()
    }

    /// A `RegistrationResponseJSON` (§5.1.8) for a `create()` with this relying party,
    /// origin and challenge, at the current counter.
    pub fn register(
        &mut self,
        rp_id: &str,
        origin: &str,
        challenge: &[u8],
        user_verified: bool,
        attestation: Attestation,
    ) -> Result<Value, SoftAuthenticatorError> {
        let client_data_json = Self::client_data("webauthn.create", origin, challenge);
        // §6.1 and §6.5.1.
        let credential_id_length = u16::try_from(self.credential_id.len()).map_err(encoding)?;
        let auth_data = [
            Sha256::digest(rp_id.as_bytes()).as_slice(),
            &[self.flags(user_verified, true)],
            &self.sign_count.to_be_bytes(),
            &self.aaguid,
            &credential_id_length.to_be_bytes(),
            &self.credential_id,
            &self.cose_key()?,
        ]
        .concat();
        let signed = [auth_data.as_slice(), &Sha256::digest(&client_data_json)].concat();
        let alg = Cbor::Integer(ES256.into());
        let (fmt, att_stmt) = match attestation {
            Attestation::None => ("none", vec![]),
            Attestation::PackedSelf => (
                "packed",
                vec![
                    (Cbor::Text("alg".into()), alg),
                    (
                        Cbor::Text("sig".into()),
                        Cbor::Bytes(sign(&self.credential_key, &signed)?),
                    ),
                ],
            ),
            Attestation::PackedX5c => {
                let (leaf, ca) = self.attestation_chain()?;
                (
                    "packed",
                    vec![
                        (Cbor::Text("alg".into()), alg),
                        (
                            Cbor::Text("sig".into()),
                            Cbor::Bytes(sign(&self.attestation_key, &signed)?),
                        ),
                        (
                            Cbor::Text("x5c".into()),
                            Cbor::Array(vec![Cbor::Bytes(leaf), Cbor::Bytes(ca)]),
                        ),
                    ],
                )
            }
        };
        // §6.5.4, in CTAP2's canonical order.
        let object = Cbor::Map(vec![
            (Cbor::Text("fmt".into()), Cbor::Text(fmt.into())),
            (Cbor::Text("attStmt".into()), Cbor::Map(att_stmt)),
            (
                Cbor::Text("authData".into()),
                Cbor::Bytes(auth_data.clone()),
            ),
        ]);
        let mut attestation_object = Vec::new();
        ciborium::ser::into_writer(&object, &mut attestation_object).map_err(encoding)?;
        let spki = p256::PublicKey::from(self.credential_key.verifying_key())
            .to_public_key_der()
            .map_err(encoding)?;
        let id = encode_base64url(&self.credential_id);
        Ok(json!({
            "id": id,
            "rawId": id,
            "type": "public-key",
            "response": {
                "clientDataJSON": encode_base64url(&client_data_json),
                "attestationObject": encode_base64url(&attestation_object),
                "transports": ["internal", "hybrid"],
                "publicKeyAlgorithm": ES256,
                "publicKey": encode_base64url(spki.as_bytes()),
                "authenticatorData": encode_base64url(&auth_data),
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        }))
    }

    /// An `AuthenticationResponseJSON` (§5.1.8) for a `get()` with this relying party,
    /// origin and challenge. The counter is increased first.
    pub fn authenticate(
        &mut self,
        rp_id: &str,
        origin: &str,
        challenge: &[u8],
        user_verified: bool,
    ) -> Result<Value, SoftAuthenticatorError> {
        self.sign_count = self.sign_count.saturating_add(1);
        let client_data_json = Self::client_data("webauthn.get", origin, challenge);
        let auth_data = [
            Sha256::digest(rp_id.as_bytes()).as_slice(),
            &[self.flags(user_verified, false)],
            &self.sign_count.to_be_bytes(),
        ]
        .concat();
        let signed = [auth_data.as_slice(), &Sha256::digest(&client_data_json)].concat();
        let id = encode_base64url(&self.credential_id);
        let mut response = json!({
            "clientDataJSON": encode_base64url(&client_data_json),
            "authenticatorData": encode_base64url(&auth_data),
            "signature": encode_base64url(&sign(&self.credential_key, &signed)?),
        });
        if let (Some(handle), Some(object)) = (&self.user_handle, response.as_object_mut()) {
            object.insert("userHandle".into(), Value::String(encode_base64url(handle)));
        }
        Ok(json!({
            "id": id,
            "rawId": id,
            "type": "public-key",
            "response": response,
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        }))
    }

    /// The attestation certificate (§8.2.1: version 3, C, O, OU "Authenticator
    /// Attestation" and CN, not a CA, the AAGUID extension) and the CA certificate that
    /// issued it, both DER.
    fn attestation_chain(&self) -> Result<(Vec<u8>, Vec<u8>), SoftAuthenticatorError> {
        let ca_name = name(&[
            ("2.5.4.6", Tag::PrintableString, "US"),
            ("2.5.4.10", Tag::Utf8String, "Cognito emulator"),
            ("2.5.4.11", Tag::Utf8String, "Authenticator Attestation CA"),
            (
                "2.5.4.3",
                Tag::Utf8String,
                "Soft authenticator attestation CA",
            ),
        ])?;
        let leaf_name = name(&[
            ("2.5.4.6", Tag::PrintableString, "US"),
            ("2.5.4.10", Tag::Utf8String, "Cognito emulator"),
            ("2.5.4.11", Tag::Utf8String, "Authenticator Attestation"),
            ("2.5.4.3", Tag::Utf8String, "Soft authenticator"),
        ])?;
        let ca_constraints = BasicConstraints {
            ca: true,
            path_len_constraint: Some(0),
        };
        let ca_usage = KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign);
        let ca = certificate(
            1,
            &ca_name,
            &ca_name,
            &self.ca_key,
            vec![
                extension(BASIC_CONSTRAINTS, true, &ca_constraints)?,
                extension(KEY_USAGE, true, &ca_usage)?,
            ],
            &self.ca_key,
        )?;
        let leaf_constraints = BasicConstraints {
            ca: false,
            path_len_constraint: None,
        };
        let aaguid = OctetString::new(self.aaguid.to_vec()).map_err(encoding)?;
        let leaf = certificate(
            2,
            &ca_name,
            &leaf_name,
            &self.attestation_key,
            vec![
                extension(BASIC_CONSTRAINTS, true, &leaf_constraints)?,
                extension(FIDO_GEN_CE_AAGUID, false, &aaguid)?,
            ],
            &self.ca_key,
        )?;
        Ok((leaf, ca))
    }
}

/// A Name of one attribute per RDN, in the order given.
fn name(attributes: &[(&str, Tag, &str)]) -> Result<Name, SoftAuthenticatorError> {
    let rdns = attributes
        .iter()
        .map(|(oid, tag, value)| {
            let atv = AttributeTypeAndValue {
                oid: ObjectIdentifier::new(oid).map_err(encoding)?,
                value: Any::new(*tag, value.as_bytes()).map_err(encoding)?,
            };
            SetOfVec::try_from(vec![atv])
                .map(RelativeDistinguishedName)
                .map_err(encoding)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RdnSequence(rdns))
}

/// An extension holding the DER of `value`.
fn extension(
    oid: ObjectIdentifier,
    critical: bool,
    value: &impl der::Encode,
) -> Result<Extension, SoftAuthenticatorError> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_der().map_err(encoding)?).map_err(encoding)?,
    })
}

/// A v3 certificate of `subject_key`, signed by `issuer_key` with ECDSA and SHA-256.
fn certificate(
    serial: u8,
    issuer: &Name,
    subject: &Name,
    subject_key: &SigningKey,
    extensions: Vec<Extension>,
    issuer_key: &SigningKey,
) -> Result<Vec<u8>, SoftAuthenticatorError> {
    let spki = p256::PublicKey::from(subject_key.verifying_key())
        .to_public_key_der()
        .map_err(encoding)?;
    let algorithm = AlgorithmIdentifierOwned {
        oid: ECDSA_WITH_SHA256,
        // RFC 5758 §3.2: the parameters are absent.
        parameters: None,
    };
    let time = |secs| {
        UtcTime::from_unix_duration(Duration::from_secs(secs))
            .map(Time::UtcTime)
            .map_err(encoding)
    };
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: SerialNumber::new(&[serial]).map_err(encoding)?,
        signature: algorithm.clone(),
        issuer: issuer.clone(),
        validity: Validity {
            not_before: time(NOT_BEFORE)?,
            not_after: time(NOT_AFTER)?,
        },
        subject: subject.clone(),
        subject_public_key_info: SubjectPublicKeyInfoOwned::from_der(spki.as_bytes())
            .map_err(encoding)?,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions),
    };
    let signature = sign(issuer_key, &tbs.to_der().map_err(encoding)?)?;
    Certificate {
        tbs_certificate: tbs,
        signature_algorithm: algorithm,
        signature: BitString::from_bytes(&signature).map_err(encoding)?,
    }
    .to_der()
    .map_err(encoding)
}
