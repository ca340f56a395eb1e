//! A self-signed X.509 v3 certificate for a pool's signing key ([RFC 5280]), as
//! `GetSigningCertificate` returns: the public key of the [`SigningKey`], signed by
//! itself with `sha256WithRSAEncryption` (RFC 4055 §5).
//!
//! The certificate is built field by field, in RFC 5280 §4.1's order: version 3, the
//! caller's serial number, the same one-`CN` name as issuer and subject, the validity
//! from caller-supplied epoch seconds (`UTCTime` before 2050, `GeneralizedTime` from
//! then on, §4.1.2.5), the key's SubjectPublicKeyInfo, and three extensions: a subject
//! key identifier (RFC 7093 §2 method 1), basic constraints `cA = FALSE` and key usage
//! `digitalSignature`. Cognito documents its certificates as valid for ten years; the
//! caller chooses the dates.
//!
//! [RFC 5280]: https://www.rfc-editor.org/rfc/rfc5280

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use der::asn1::{BitString, GeneralizedTime, OctetString, SetOfVec, UtcTime};
use der::{Any, Decode, Encode, Tag};
use sha2::{Digest, Sha256};
use spki::{AlgorithmIdentifierOwned, ObjectIdentifier, SubjectPublicKeyInfoOwned};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier};
use x509_cert::ext::Extension;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate, TbsCertificate, Version};

use crate::jwt::SigningKey;

/// `sha256WithRSAEncryption` (RFC 4055 §5).
const SHA256_WITH_RSA_ENCRYPTION: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
/// `id-at-commonName` (RFC 5280 Appendix A.1).
const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
/// `id-ce-subjectKeyIdentifier` (RFC 5280 §4.2.1.2).
const SUBJECT_KEY_IDENTIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
/// `id-ce-keyUsage` (RFC 5280 §4.2.1.3).
const KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
/// `id-ce-basicConstraints` (RFC 5280 §4.2.1.9).
const BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");

/// Why a certificate could not be made. Each variant names the check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum X509Error {
    /// RFC 5280 §4.1.2.2: the serial number is a positive integer of at most 20 octets.
    #[error("the serial number is not a positive integer of at most 20 octets")]
    SerialNumber,
    /// The common name cannot be written as a UTF8String.
    #[error("the common name cannot be encoded")]
    CommonName,
    /// RFC 5280 §4.1.2.5: a validity time must lie between 1970 and 9999.
    #[error("a validity time is out of range")]
    ValidityOutOfRange,
    /// `notBefore` is after `notAfter`.
    #[error("notBefore is after notAfter")]
    ValidityReversed,
    /// The key's SubjectPublicKeyInfo could not be read back.
    #[error("the public key is not a SubjectPublicKeyInfo")]
    PublicKey,
    /// DER encoding of a field failed.
    #[error("DER encoding failed: {0}")]
    Encoding(String),
    /// The RSA signature failed.
    #[error("signing failed")]
    Signing,
}

impl From<der::Error> for X509Error {
    fn from(error: der::Error) -> Self {
        X509Error::Encoding(error.to_string())
    }
}

/// What the caller decides about a certificate.
#[derive(Debug, Clone, Copy)]
pub struct CertificateParams<'a> {
    /// The issuer's and subject's common name.
    pub common_name: &'a str,
    /// The serial number, big-endian (random, at most 20 octets once a sign octet is
    /// added: 16 random bytes do).
    pub serial: &'a [u8],
    /// `notBefore`, epoch seconds.
    pub not_before: i64,
    /// `notAfter`, epoch seconds.
    pub not_after: i64,
}

/// A DER-encoded certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningCertificate {
    der: Vec<u8>,
}

impl SigningCertificate {
    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The DER as one line of standard base64, without PEM armour.
    pub fn base64(&self) -> String {
        STANDARD.encode(&self.der)
    }

    /// RFC 7468 §5: `-----BEGIN CERTIFICATE-----`, base64 in lines of 64, `-----END
    /// CERTIFICATE-----`, each line ending in `\n`.
    pub fn pem(&self) -> String {
        let body = self.base64();
        let mut pem = String::with_capacity(body.len() + body.len() / 64 + 64);
        pem.push_str("-----BEGIN CERTIFICATE-----\n");
        let mut rest = body.as_str();
        while !rest.is_empty() {
            let (line, tail) = rest.split_at(rest.len().min(64));
            pem.push_str(line);
            pem.push('\n');
            rest = tail;
        }
        pem.push_str("-----END CERTIFICATE-----\n");
        pem
    }
}

/// Builds and signs the certificate of `key` described by `params`.
pub fn self_signed_certificate(
    key: &SigningKey,
    params: &CertificateParams<'_>,
) -> Result<SigningCertificate, X509Error> {
    let subject_public_key_info = SubjectPublicKeyInfoOwned::from_der(key.public_key_der())
        .map_err(|_| X509Error::PublicKey)?;
    let signature_algorithm = AlgorithmIdentifierOwned {
        oid: SHA256_WITH_RSA_ENCRYPTION,
        // RFC 4055 §5: the parameters are NULL.
        parameters: Some(Any::null()),
    };
    let name = common_name(params.common_name)?;
    let tbs = TbsCertificate {
        // §4.1.2.1: v3, since there are extensions.
        version: Version::V3,
        serial_number: serial_number(params.serial)?,
        // §4.1.2.3: the same algorithm as the outer signatureAlgorithm.
        signature: signature_algorithm.clone(),
        // §4.1.2.4 and §4.1.2.6: self-issued, so issuer = subject.
        issuer: name.clone(),
        validity: validity(params.not_before, params.not_after)?,
        subject: name,
        extensions: Some(extensions(&subject_public_key_info)?),
        subject_public_key_info,
        // §4.1.2.8: conforming CAs do not generate unique identifiers.
        issuer_unique_id: None,
        subject_unique_id: None,
    };
    // §4.1.1.3: the signature is computed over the DER-encoded tbsCertificate.
    let tbs_der = tbs.to_der()?;
    let signature = key.sign_bytes(&tbs_der).map_err(|_| X509Error::Signing)?;
    let certificate = Certificate {
        tbs_certificate: tbs,
        signature_algorithm,
        signature: BitString::from_bytes(&signature)?,
    };
    Ok(SigningCertificate {
        der: certificate.to_der()?,
    })
}

/// §4.1.2.2: a positive INTEGER of at most 20 octets.
fn serial_number(bytes: &[u8]) -> Result<SerialNumber, X509Error> {
    let start = bytes
        .iter()
        .position(|b| *b != 0)
        .ok_or(X509Error::SerialNumber)?;
    let magnitude = bytes.get(start..).ok_or(X509Error::SerialNumber)?;
    SerialNumber::new(magnitude).map_err(|_| X509Error::SerialNumber)
}

/// §4.1.2.4: a Name of one RDN holding one `commonName` as a UTF8String.
fn common_name(cn: &str) -> Result<Name, X509Error> {
    let value = Any::new(Tag::Utf8String, cn.as_bytes()).map_err(|_| X509Error::CommonName)?;
    let attribute = AttributeTypeAndValue {
        oid: COMMON_NAME,
        value,
    };
    let rdn = SetOfVec::try_from(vec![attribute]).map_err(|_| X509Error::CommonName)?;
    Ok(RdnSequence(vec![RelativeDistinguishedName(rdn)]))
}

/// §4.1.2.5: `UTCTime` through 2049, `GeneralizedTime` from 2050.
fn validity(not_before: i64, not_after: i64) -> Result<Validity, X509Error> {
    if not_before > not_after {
        return Err(X509Error::ValidityReversed);
    }
    Ok(Validity {
        not_before: time(not_before)?,
        not_after: time(not_after)?,
    })
}

fn time(epoch_secs: i64) -> Result<Time, X509Error> {
    let since_epoch = u64::try_from(epoch_secs)
        .map(Duration::from_secs)
        .map_err(|_| X509Error::ValidityOutOfRange)?;
    if let Ok(utc) = UtcTime::from_unix_duration(since_epoch) {
        return Ok(Time::UtcTime(utc));
    }
    GeneralizedTime::from_unix_duration(since_epoch)
        .map(Time::GeneralTime)
        .map_err(|_| X509Error::ValidityOutOfRange)
}

/// §4.2: subject key identifier, basic constraints and key usage.
fn extensions(spki: &SubjectPublicKeyInfoOwned) -> Result<Vec<Extension>, X509Error> {
    // §4.2.1.2 with RFC 7093 §2 method 1: the leftmost 160 bits of the SHA-256 of the
    // subjectPublicKey BIT STRING's value.
    let digest = Sha256::digest(spki.subject_public_key.raw_bytes());
    let key_id = digest.get(..20).unwrap_or_default();
    let subject_key_identifier = SubjectKeyIdentifier(OctetString::new(key_id)?);
    // §4.2.1.9: not a CA; §4.2.1.3: it signs.
    let basic_constraints = BasicConstraints {
        ca: false,
        path_len_constraint: None,
    };
    let key_usage = KeyUsage(KeyUsages::DigitalSignature.into());
    Ok(vec![
        extension(SUBJECT_KEY_IDENTIFIER, false, &subject_key_identifier)?,
        extension(BASIC_CONSTRAINTS, true, &basic_constraints)?,
        extension(KEY_USAGE, true, &key_usage)?,
    ])
}

/// §4.1: `Extension ::= SEQUENCE { extnID, critical, extnValue OCTET STRING }`, the
/// value being the DER of the extension's own type.
fn extension(
    oid: ObjectIdentifier,
    critical: bool,
    value: &impl Encode,
) -> Result<Extension, X509Error> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_der()?)?,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use rand::rngs::StdRng;
    use rand::SeedableRng;
    use rsa::pkcs1v15::{Signature, VerifyingKey};
    use rsa::pkcs8::DecodePublicKey;
    use rsa::signature::Verifier;
    use rsa::traits::PublicKeyParts;

    use super::*;

    fn key() -> &'static SigningKey {
        static KEY: OnceLock<SigningKey> = OnceLock::new();
        KEY.get_or_init(|| SigningKey::generate(&mut StdRng::seed_from_u64(11)).unwrap())
    }

    const ISSUED: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
    const TEN_YEARS: i64 = 315_532_800; // to 2036-01-01T00:00:00Z

    fn params() -> CertificateParams<'static> {
        CertificateParams {
            common_name: "us-east-1_AbCdEf123",
            serial: &[0x9c; 16],
            not_before: ISSUED,
            not_after: ISSUED + TEN_YEARS,
        }
    }

    #[test]
    fn parses_back_with_the_keys_public_key() {
        let cert = self_signed_certificate(key(), &params()).unwrap();
        let parsed = Certificate::from_der(cert.der()).unwrap();
        let tbs = &parsed.tbs_certificate;
        assert_eq!(tbs.version, Version::V3);
        assert_eq!(tbs.issuer, tbs.subject);
        assert_eq!(tbs.subject.to_string(), "CN=us-east-1_AbCdEf123");
        // A sign octet keeps the serial positive.
        assert_eq!(
            tbs.serial_number.as_bytes(),
            [[0u8].as_slice(), &[0x9c; 16]].concat()
        );
        assert_eq!(
            tbs.validity.not_before.to_unix_duration().as_secs(),
            ISSUED as u64
        );
        assert_eq!(
            tbs.validity.not_after.to_unix_duration().as_secs(),
            (ISSUED + TEN_YEARS) as u64
        );
        assert!(matches!(tbs.validity.not_after, Time::UtcTime(_)));
        assert_eq!(parsed.signature_algorithm.oid, SHA256_WITH_RSA_ENCRYPTION);

        // The SubjectPublicKeyInfo is the key's, and carries the JWK's n and e.
        assert_eq!(
            tbs.subject_public_key_info.to_der().unwrap(),
            key().public_key_der()
        );
        let public =
            rsa::RsaPublicKey::from_public_key_der(&tbs.subject_public_key_info.to_der().unwrap())
                .unwrap();
        let jwk = key().jwk().to_json();
        assert_eq!(URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()), jwk["n"]);
        assert_eq!(URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()), jwk["e"]);

        // The self-signature verifies with an independent RSA implementation.
        let signature = Signature::try_from(parsed.signature.raw_bytes()).unwrap();
        VerifyingKey::<Sha256>::new(public)
            .verify(&tbs.to_der().unwrap(), &signature)
            .unwrap();

        // Extensions: SKI, basic constraints (critical), key usage (critical).
        let extensions = tbs.extensions.as_ref().unwrap();
        let ids: Vec<_> = extensions.iter().map(|e| (e.extn_id, e.critical)).collect();
        assert_eq!(
            ids,
            [
                (SUBJECT_KEY_IDENTIFIER, false),
                (BASIC_CONSTRAINTS, true),
                (KEY_USAGE, true)
            ]
        );
        let usage = KeyUsage::from_der(extensions[2].extn_value.as_bytes()).unwrap();
        assert!(usage.digital_signature());
        assert!(
            !BasicConstraints::from_der(extensions[1].extn_value.as_bytes())
                .unwrap()
                .ca
        );
    }

    #[test]
    fn pem_wraps_the_der() {
        let cert = self_signed_certificate(key(), &params()).unwrap();
        let pem = cert.pem();
        let lines: Vec<&str> = pem.lines().collect();
        assert_eq!(lines.first(), Some(&"-----BEGIN CERTIFICATE-----"));
        assert_eq!(lines.last(), Some(&"-----END CERTIFICATE-----"));
        let body = &lines[1..lines.len() - 1];
        assert!(body.iter().all(|line| line.len() <= 64));
        assert!(body[..body.len() - 1].iter().all(|line| line.len() == 64));
        assert_eq!(STANDARD.decode(body.concat()).unwrap(), cert.der());
        assert_eq!(body.concat(), cert.base64());
    }

    #[test]
    fn validity_switches_to_generalized_time_in_2050() {
        let before_2050 = 2_524_607_999; // 2049-12-31T23:59:59Z
        let in_2050 = before_2050 + 1;
        let cert = self_signed_certificate(
            key(),
            &CertificateParams {
                not_before: before_2050,
                not_after: in_2050,
                ..params()
            },
        )
        .unwrap();
        let validity = Certificate::from_der(cert.der())
            .unwrap()
            .tbs_certificate
            .validity;
        assert!(matches!(validity.not_before, Time::UtcTime(_)));
        assert!(matches!(validity.not_after, Time::GeneralTime(_)));
        assert_eq!(
            validity.not_after.to_unix_duration().as_secs(),
            in_2050 as u64
        );
    }

    #[test]
    fn refuses_what_rfc_5280_forbids() {
        let with = |changed: CertificateParams<'_>| self_signed_certificate(key(), &changed);
        assert_eq!(
            with(CertificateParams {
                serial: &[0, 0],
                ..params()
            }),
            Err(X509Error::SerialNumber)
        );
        assert_eq!(
            with(CertificateParams {
                serial: &[0xff; 20],
                ..params()
            }),
            Err(X509Error::SerialNumber)
        );
        assert!(with(CertificateParams {
            serial: &[0x7f; 20],
            ..params()
        })
        .is_ok());
        assert_eq!(
            with(CertificateParams {
                not_before: -1,
                ..params()
            }),
            Err(X509Error::ValidityOutOfRange)
        );
        assert_eq!(
            with(CertificateParams {
                not_after: ISSUED - 1,
                ..params()
            }),
            Err(X509Error::ValidityReversed)
        );
    }
}
