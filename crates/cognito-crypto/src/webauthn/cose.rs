//! Credential public keys as COSE keys (§5.8.5, §6.5.1.1; RFC 9052 §7, RFC 9053 §2.1
//! and §7.1, RFC 8230 §4), the keys of attestation certificates, and the signatures
//! both make (§6.5.6).

use coset::iana::EnumI64 as _;
use coset::{iana, CborSerializable as _, CoseKey, KeyType, Label, RegisteredLabelWithPrivate};
use der::asn1::ObjectIdentifier;
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature as EcdsaSignature, VerifyingKey as P256Key};
use p256::EncodedPoint;
use rsa::pkcs1::DecodeRsaPublicKey as _;
use rsa::pkcs1v15;
use rsa::{BigUint, RsaPublicKey};
use sha2::{Sha256, Sha384, Sha512};
use spki::SubjectPublicKeyInfoOwned;

use super::WebAuthnError;

/// COSE `ES256`: ECDSA over P-256 with SHA-256 (RFC 9053 §2.1).
pub const ES256: i64 = -7;
/// COSE `RS256`: RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8812 §2).
pub const RS256: i64 = -257;

/// `id-ecPublicKey` (RFC 5480 §2.1.1).
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// `secp256r1`, a.k.a. P-256 (RFC 5480 §2.1.1.1).
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// `rsaEncryption` (RFC 8017 Appendix C).
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// A signature scheme this module verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scheme {
    /// ECDSA with SHA-256, the signature a DER `Ecdsa-Sig-Value` (RFC 3279 §2.2.3).
    EcdsaSha256,
    /// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2) with SHA-256.
    RsaSha256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RsaSha384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RsaSha512,
}

/// A public key that verifies signatures: P-256 or RSA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Key {
    P256(P256Key),
    Rsa(RsaPublicKey),
}

impl Key {
    /// Whether `signature` is `scheme`'s signature of `message` by this key; a scheme of
    /// the other key type never verifies.
    pub(super) fn verifies(&self, scheme: Scheme, message: &[u8], signature: &[u8]) -> bool {
        match (self, scheme) {
            (Key::P256(key), Scheme::EcdsaSha256) => EcdsaSignature::from_der(signature)
                .is_ok_and(|signature| key.verify(message, &signature).is_ok()),
            (Key::Rsa(key), Scheme::RsaSha256) => rsa_verifies::<Sha256>(key, message, signature),
            (Key::Rsa(key), Scheme::RsaSha384) => rsa_verifies::<Sha384>(key, message, signature),
            (Key::Rsa(key), Scheme::RsaSha512) => rsa_verifies::<Sha512>(key, message, signature),
            _ => false,
        }
    }

    /// The key of a SubjectPublicKeyInfo: `id-ecPublicKey` on `secp256r1`, or
    /// `rsaEncryption`; `None` for any other.
    pub(super) fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Option<Key> {
        let bits = spki.subject_public_key.as_bytes()?;
        if spki.algorithm.oid == EC_PUBLIC_KEY {
            let curve = spki.algorithm.parameters.as_ref()?;
            let curve: ObjectIdentifier = curve.decode_as().ok()?;
            if curve != SECP256R1 {
                return None;
            }
            P256Key::from_sec1_bytes(bits).ok().map(Key::P256)
        } else if spki.algorithm.oid == RSA_ENCRYPTION {
            RsaPublicKey::from_pkcs1_der(bits).ok().map(Key::Rsa)
        } else {
            None
        }
    }
}

fn rsa_verifies<D>(key: &RsaPublicKey, message: &[u8], signature: &[u8]) -> bool
where
    D: sha2::Digest + der::oid::AssociatedOid,
{
    pkcs1v15::Signature::try_from(signature).is_ok_and(|signature| {
        pkcs1v15::VerifyingKey::<D>::new(key.clone())
            .verify(message, &signature)
            .is_ok()
    })
}

/// A credential public key: a COSE key (§5.8.5) of algorithm ES256 or RS256, kept with
/// the exact bytes it was read from so that it can be stored and read back
/// ([`PublicKey::to_cose`], [`PublicKey::from_cose`]). Public keys are no secret;
/// `Debug` shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    alg: i64,
    cose: Vec<u8>,
    key: Key,
}

impl PublicKey {
    /// Reads a COSE key (RFC 9052 §7): it must name its algorithm (§6.5.1.1), ES256
    /// with an uncompressed P-256 point (§5.8.5, RFC 9053 §7.1.1) or RS256 with `n`
    /// and `e` (RFC 8230 §4). Other algorithms are [`WebAuthnError::UnsupportedAlgorithm`].
    pub fn from_cose(bytes: &[u8]) -> Result<Self, WebAuthnError> {
        let cose = CoseKey::from_slice(bytes).map_err(|e| WebAuthnError::CoseKey(e.to_string()))?;
        let alg = match &cose.alg {
            Some(RegisteredLabelWithPrivate::Assigned(alg)) => alg.to_i64(),
            Some(RegisteredLabelWithPrivate::PrivateUse(alg)) => *alg,
            Some(RegisteredLabelWithPrivate::Text(_)) => {
                return Err(malformed("the algorithm is a text label"))
            }
            None => return Err(malformed("the key has no alg")),
        };
        let key = match alg {
            ES256 => ec2_p256(&cose)?,
            RS256 => rsa(&cose)?,
            other => return Err(WebAuthnError::UnsupportedAlgorithm(other)),
        };
        Ok(PublicKey {
            alg,
            cose: bytes.to_vec(),
            key,
        })
    }

    /// The COSE key's bytes, exactly as the authenticator wrote them.
    pub fn to_cose(&self) -> Vec<u8> {
        self.cose.clone()
    }

    /// The COSE algorithm: [`ES256`] or [`RS256`].
    pub fn alg(&self) -> i64 {
        self.alg
    }

    /// §6.5.6: whether `signature` is this key's signature of `message`: a DER
    /// `Ecdsa-Sig-Value` for ES256, a PKCS#1 v1.5 signature for RS256.
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        self.key.verifies(self.scheme(), message, signature)
    }

    /// The signature scheme of the key's algorithm.
    pub(super) fn scheme(&self) -> Scheme {
        match self.key {
            Key::P256(_) => Scheme::EcdsaSha256,
            Key::Rsa(_) => Scheme::RsaSha256,
        }
    }

    /// §8.6 step 4: the key as a raw ANSI X9.62 point, `0x04 | x | y`, for ES256.
    pub(super) fn uncompressed_p256_point(&self) -> Option<Vec<u8>> {
        match &self.key {
            Key::P256(key) => Some(key.to_encoded_point(false).as_bytes().to_vec()),
            Key::Rsa(_) => None,
        }
    }
}

fn malformed(reason: &str) -> WebAuthnError {
    WebAuthnError::CoseKey(reason.to_owned())
}

fn param(cose: &CoseKey, label: i64) -> Option<&ciborium::Value> {
    cose.params
        .iter()
        .find(|(l, _)| *l == Label::Int(label))
        .map(|(_, value)| value)
}

fn byte_param<'k>(cose: &'k CoseKey, label: i64, name: &str) -> Result<&'k [u8], WebAuthnError> {
    match param(cose, label) {
        Some(ciborium::Value::Bytes(bytes)) => Ok(bytes),
        Some(_) => Err(WebAuthnError::CoseKey(format!(
            "{name} is not a byte string"
        ))),
        None => Err(WebAuthnError::CoseKey(format!("{name} is missing"))),
    }
}

/// RFC 9053 §7.1.1 with §5.8.5: `kty` EC2, `crv` P-256, `x` and `y` of 32 bytes each
/// (no compressed point), a point on the curve.
fn ec2_p256(cose: &CoseKey) -> Result<Key, WebAuthnError> {
    if cose.kty != KeyType::Assigned(iana::KeyType::EC2) {
        return Err(malformed("an ES256 key is not of key type EC2"));
    }
    let p256 = ciborium::Value::Integer(iana::EllipticCurve::P_256.to_i64().into());
    if param(cose, iana::Ec2KeyParameter::Crv.to_i64()) != Some(&p256) {
        return Err(malformed("an ES256 key is not on curve P-256"));
    }
    let x = byte_param(cose, iana::Ec2KeyParameter::X.to_i64(), "x")?;
    let y = byte_param(cose, iana::Ec2KeyParameter::Y.to_i64(), "y")?;
    let (Ok(x), Ok(y)) = (<[u8; 32]>::try_from(x), <[u8; 32]>::try_from(y)) else {
        return Err(malformed("a P-256 coordinate is not 32 bytes"));
    };
    let point = EncodedPoint::from_affine_coordinates(&x.into(), &y.into(), false);
    P256Key::from_encoded_point(&point)
        .map(Key::P256)
        .map_err(|_| malformed("the point is not on P-256"))
}

/// RFC 8230 §4: `kty` RSA with the modulus `n` and the exponent `e`.
fn rsa(cose: &CoseKey) -> Result<Key, WebAuthnError> {
    if cose.kty != KeyType::Assigned(iana::KeyType::RSA) {
        return Err(malformed("an RS256 key is not of key type RSA"));
    }
    let n = byte_param(cose, iana::RsaKeyParameter::N.to_i64(), "n")?;
    let e = byte_param(cose, iana::RsaKeyParameter::E.to_i64(), "e")?;
    RsaPublicKey::new(BigUint::from_bytes_be(n), BigUint::from_bytes_be(e))
        .map(Key::Rsa)
        .map_err(|e| WebAuthnError::CoseKey(format!("the RSA key is unusable: {e}")))
}
