//! Attestation certificates: the `x5c` array of `packed` and `fido-u2f` statements
//! (§8.2, §8.6), the requirements §8.2.1 puts on a packed attestation certificate, and
//! the chain `x5c` carries, verified certificate by certificate (RFC 5280 §6.1.3: each
//! signed by the next and issued by its subject). Trust anchors are the relying
//! party's business (§7.1 steps 23–24) and out of scope: the chain is verified up to
//! its last certificate, and the subjects are reported. Validity periods are not
//! checked: this crate reads no clock, and the caller passes no time.

use ciborium::Value;
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode as _, Encode as _};
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::{Certificate, Version};

use super::cose::{Key, Scheme};
use super::WebAuthnError;

/// `id-at-countryName` (RFC 5280 Appendix A.1).
const COUNTRY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.6");
/// `id-at-organizationName`.
const ORGANIZATION: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");
/// `id-at-organizationalUnitName`.
const ORGANIZATIONAL_UNIT: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.11");
/// `id-at-commonName`.
const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
/// `id-ce-basicConstraints` (RFC 5280 §4.2.1.9).
const BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
/// `id-fido-gen-ce-aaguid` (§8.2.1).
pub(super) const FIDO_GEN_CE_AAGUID: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.4.1.45724.1.1.4");

/// `ecdsa-with-SHA256` (RFC 5758 §3.2).
const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
/// `sha256WithRSAEncryption` (RFC 4055 §5).
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
/// `sha384WithRSAEncryption`.
const SHA384_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
/// `sha512WithRSAEncryption`.
const SHA512_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");

/// The OU §8.2.1 requires of a packed attestation certificate.
const AUTHENTICATOR_ATTESTATION: &str = "Authenticator Attestation";

/// §8.2, §8.6: `x5c` is a non-empty array of DER certificates, the attestation
/// certificate first.
pub(super) fn parse_x5c(x5c: &Value) -> Result<Vec<Certificate>, WebAuthnError> {
    let Value::Array(items) = x5c else {
        return Err(WebAuthnError::AttestationStatement("x5c is not an array"));
    };
    if items.is_empty() {
        return Err(WebAuthnError::AttestationStatement("x5c is empty"));
    }
    items
        .iter()
        .enumerate()
        .map(|(index, item)| match item {
            Value::Bytes(der) => {
                Certificate::from_der(der).map_err(|_| WebAuthnError::Certificate(index))
            }
            _ => Err(WebAuthnError::AttestationStatement(
                "x5c holds a non-byte-string",
            )),
        })
        .collect()
}

/// The public key of `x5c[index]`.
pub(super) fn public_key(certificate: &Certificate, index: usize) -> Result<Key, WebAuthnError> {
    Key::from_spki(&certificate.tbs_certificate.subject_public_key_info)
        .ok_or(WebAuthnError::UnsupportedCertificateKey(index))
}

/// The subjects of the chain, leaf first, as RFC 4514 strings.
pub(super) fn subjects(chain: &[Certificate]) -> Vec<String> {
    chain
        .iter()
        .map(|certificate| certificate.tbs_certificate.subject.to_string())
        .collect()
}

/// The values of the subject's attributes of type `oid`, as text.
fn subject_values(certificate: &Certificate, oid: ObjectIdentifier) -> Vec<String> {
    certificate
        .tbs_certificate
        .subject
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .filter(|atv| atv.oid == oid)
        .filter_map(|atv| std::str::from_utf8(atv.value.value()).ok())
        .map(str::to_owned)
        .collect()
}

/// The basic constraints of a certificate, if it has the extension.
fn basic_constraints(certificate: &Certificate) -> Result<Option<BasicConstraints>, ()> {
    let extensions = certificate
        .tbs_certificate
        .extensions
        .as_deref()
        .unwrap_or_default();
    match extensions.iter().find(|e| e.extn_id == BASIC_CONSTRAINTS) {
        Some(extension) => BasicConstraints::from_der(extension.extn_value.as_bytes())
            .map(Some)
            .map_err(|_| ()),
        None => Ok(None),
    }
}

/// §8.2.1: the requirements on a packed attestation certificate, and §8.2 step 2's
/// check of its `id-fido-gen-ce-aaguid` extension against the authenticator's AAGUID.
pub(super) fn verify_packed_attestation_certificate(
    certificate: &Certificate,
    aaguid: &[u8; 16],
) -> Result<(), WebAuthnError> {
    // "Version MUST be set to 3 (which is indicated by an ASN.1 INTEGER with value 2)."
    if certificate.tbs_certificate.version != Version::V3 {
        return Err(WebAuthnError::CertificateVersion);
    }
    // "Subject field MUST be set to: Subject-C ..., Subject-O ..., Subject-OU: Literal
    // string "Authenticator Attestation", Subject-CN ...".
    let present = |oid| {
        !subject_values(certificate, oid)
            .iter()
            .all(String::is_empty)
    };
    if !present(COUNTRY) {
        return Err(WebAuthnError::CertificateSubject("no country (C)"));
    }
    if !present(ORGANIZATION) {
        return Err(WebAuthnError::CertificateSubject("no organization (O)"));
    }
    if subject_values(certificate, ORGANIZATIONAL_UNIT) != [AUTHENTICATOR_ATTESTATION] {
        return Err(WebAuthnError::CertificateSubject(
            "the OU is not \"Authenticator Attestation\"",
        ));
    }
    if !present(COMMON_NAME) {
        return Err(WebAuthnError::CertificateSubject("no common name (CN)"));
    }
    // "The Basic Constraints extension MUST have the CA component set to false." An
    // absent extension says the same (RFC 5280 §4.2.1.9: cA defaults to FALSE).
    match basic_constraints(certificate) {
        Ok(Some(constraints)) if constraints.ca => return Err(WebAuthnError::CertificateIsCa),
        Ok(_) => {}
        Err(()) => return Err(WebAuthnError::Certificate(0)),
    }
    // §8.2 step 2: "If attestnCert contains an extension with OID 1.3.6.1.4.1.45724.1.1.4
    // (id-fido-gen-ce-aaguid) verify that the value of this extension matches the aaguid
    // in authenticatorData." §8.2.1: the value is a 16-byte OCTET STRING, and "the
    // extension MUST NOT be marked as critical".
    let extensions = certificate
        .tbs_certificate
        .extensions
        .as_deref()
        .unwrap_or_default();
    if let Some(extension) = extensions.iter().find(|e| e.extn_id == FIDO_GEN_CE_AAGUID) {
        if extension.critical {
            return Err(WebAuthnError::AaguidExtension);
        }
        let value = OctetString::from_der(extension.extn_value.as_bytes())
            .map_err(|_| WebAuthnError::AaguidExtension)?;
        let value: &[u8; 16] = value
            .as_bytes()
            .try_into()
            .map_err(|_| WebAuthnError::AaguidExtension)?;
        if value != aaguid {
            return Err(WebAuthnError::AaguidMismatch);
        }
    }
    Ok(())
}

/// The signature scheme a certificate names, if this module verifies it.
fn scheme(oid: ObjectIdentifier) -> Option<Scheme> {
    match oid {
        ECDSA_WITH_SHA256 => Some(Scheme::EcdsaSha256),
        SHA256_WITH_RSA => Some(Scheme::RsaSha256),
        SHA384_WITH_RSA => Some(Scheme::RsaSha384),
        SHA512_WITH_RSA => Some(Scheme::RsaSha512),
        _ => None,
    }
}

/// The chain `x5c` conveys, verified up to its last certificate: each certificate was
/// issued (RFC 5280 §6.1.3 (a)(4)) and signed (§6.1.3 (a)(1)) by the next, which is a
/// CA (§6.1.4 (k)).
pub(super) fn verify_chain(chain: &[Certificate]) -> Result<(), WebAuthnError> {
    for (index, pair) in chain.windows(2).enumerate() {
        let [subject, issuer] = pair else {
            continue;
        };
        if subject.tbs_certificate.issuer != issuer.tbs_certificate.subject {
            return Err(WebAuthnError::ChainIssuerMismatch(index));
        }
        match basic_constraints(issuer) {
            Ok(Some(constraints)) if constraints.ca => {}
            Ok(_) => return Err(WebAuthnError::ChainIssuerNotCa(index)),
            Err(()) => return Err(WebAuthnError::Certificate(index + 1)),
        }
        // RFC 5280 §4.1.1.2: the outer signatureAlgorithm is the TBS's `signature`.
        if subject.signature_algorithm != subject.tbs_certificate.signature {
            return Err(WebAuthnError::ChainSignature(index));
        }
        let oid = subject.signature_algorithm.oid;
        let scheme = scheme(oid).ok_or(WebAuthnError::UnsupportedCertificateSignature {
            index,
            oid: oid.to_string(),
        })?;
        let key = public_key(issuer, index + 1)?;
        // §4.1.1.3: the signature is over the DER of tbsCertificate, which a strict DER
        // decoder's re-encoding reproduces byte for byte.
        let tbs = subject
            .tbs_certificate
            .to_der()
            .map_err(|_| WebAuthnError::Certificate(index))?;
        let signature = subject
            .signature
            .as_bytes()
            .ok_or(WebAuthnError::ChainSignature(index))?;
        if !key.verifies(scheme, &tbs, signature) {
            return Err(WebAuthnError::ChainSignature(index));
        }
    }
    Ok(())
}
