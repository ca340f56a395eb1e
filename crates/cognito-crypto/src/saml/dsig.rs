//! XML signatures (XML-DSig Core 1.1) as SAML uses them (SAML Core 2.0 §5.4): an
//! enveloped `Signature` whose one `Reference` names, by `ID`, the element that holds
//! it. Core validation (§3.2) checks the reference's digest over the element less the
//! signature (§3.2.1), then the `SignatureValue` over the canonical `SignedInfo`
//! (§3.2.2) with the identity provider's certificates from metadata. `KeyInfo` is
//! ignored: a certificate inside the message is trusted only by being one of those.
//!
//! Algorithms: canonicalization Exclusive XML Canonicalization 1.0 with or without
//! comments (SAML Core §5.4.3), transforms enveloped-signature and that
//! canonicalization (§5.4.4), digests SHA-1, SHA-256 and SHA-512 (XML-DSig §6.2), RSA
//! PKCS #1 v1.5 with those (§6.4.2; keys of 2048 to 8192 bits) and ECDSA P-256 with
//! SHA-256, its value the concatenation of `r` and `s` (§6.4.3).

use der::Decode as _;
use ring::signature::{
    UnparsedPublicKey, VerificationAlgorithm, ECDSA_P256_SHA256_FIXED,
    RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY, RSA_PKCS1_2048_8192_SHA256,
    RSA_PKCS1_2048_8192_SHA512,
};
use roxmltree::Node;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};
use spki::ObjectIdentifier;
use x509_cert::Certificate;

use super::c14n::{self, Options};
use super::{child, children, decode_base64, text, SamlError, DSIG};

/// Exclusive XML Canonicalization 1.0 (Exc-C14N §1).
const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
/// The same, keeping comments.
const EXC_C14N_WITH_COMMENTS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";
/// The enveloped signature transform (XML-DSig §6.6.4).
const ENVELOPED_SIGNATURE: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
/// `rsaEncryption` (RFC 8017 Appendix C).
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// `id-ecPublicKey` (RFC 5480 §2.1.1).
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

/// Verifies the enveloped signature `signature` over the element that holds it.
pub(crate) fn verify(signature: Node<'_, '_>, certificates: &[Vec<u8>]) -> Result<(), SamlError> {
    let signed = signature
        .parent_element()
        .ok_or(SamlError::ReferenceMismatch)?;
    // §4.2: a Signature begins with its SignedInfo.
    let signed_info = signature
        .first_element_child()
        .filter(|node| node.has_tag_name((DSIG, "SignedInfo")))
        .ok_or(SamlError::MalformedSignature(
            "SignedInfo is not its first element",
        ))?;
    let signature_value = decode_base64(&text(child(signature, DSIG, "SignatureValue")?)).ok_or(
        SamlError::MalformedSignature("SignatureValue is not base64"),
    )?;

    let canonicalization = child(signed_info, DSIG, "CanonicalizationMethod")?;
    let with_comments = exclusive_canonicalization(canonicalization)?;
    let signed_info_prefixes = inclusive_prefixes(canonicalization)?;
    let method = signature_method(algorithm_attribute(child(
        signed_info,
        DSIG,
        "SignatureMethod",
    )?)?)?;

    // SAML Core §5.4.2: one Reference, to the ID of the element the signature is in.
    let mut references = children(signed_info, DSIG, "Reference");
    let (Some(reference), None) = (references.next(), references.next()) else {
        return Err(SamlError::MalformedSignature(
            "a SAML signature has exactly one Reference",
        ));
    };
    let id = signed.attribute("ID").ok_or(SamlError::ReferenceMismatch)?;
    if reference
        .attribute("URI")
        .and_then(|uri| uri.strip_prefix('#'))
        != Some(id)
    {
        return Err(SamlError::ReferenceMismatch);
    }

    // §3.2.1 reference validation. A bare `#ID` reference leaves comments out of the
    // node-set whatever the canonicalization (§4.4.3.3).
    let prefixes = reference_transforms(child(reference, DSIG, "Transforms")?)?;
    let canonical = c14n::canonicalize(
        signed,
        &Options {
            with_comments: false,
            inclusive_prefixes: &prefixes,
            exclude: Some(signature.id()),
        },
    )?;
    let digest = digest(
        algorithm_attribute(child(reference, DSIG, "DigestMethod")?)?,
        canonical.as_bytes(),
    )?;
    let expected = decode_base64(&text(child(reference, DSIG, "DigestValue")?))
        .ok_or(SamlError::MalformedSignature("DigestValue is not base64"))?;
    if digest != expected {
        return Err(SamlError::DigestMismatch);
    }

    // §3.2.2 signature validation over the canonical SignedInfo.
    let signed_info = c14n::canonicalize(
        signed_info,
        &Options {
            with_comments,
            inclusive_prefixes: &signed_info_prefixes,
            exclude: None,
        },
    )?;
    let verified = certificates
        .iter()
        .any(|der| method.verify(der, signed_info.as_bytes(), &signature_value));
    if verified {
        Ok(())
    } else {
        Err(SamlError::SignatureInvalid)
    }
}

/// SAML Core §5.4.4: the enveloped-signature transform, then exclusive
/// canonicalization (whose comments setting a bare `#ID` reference overrides); the
/// canonicalization's inclusive prefixes.
fn reference_transforms<'a>(transforms: Node<'a, '_>) -> Result<Vec<&'a str>, SamlError> {
    let mut transforms = children(transforms, DSIG, "Transform");
    let (Some(first), Some(second), None) =
        (transforms.next(), transforms.next(), transforms.next())
    else {
        return Err(SamlError::MalformedSignature(
            "a SAML signature's Reference has the enveloped-signature and exclusive canonicalization transforms",
        ));
    };
    let first_algorithm = algorithm_attribute(first)?;
    if first_algorithm != ENVELOPED_SIGNATURE {
        return Err(SamlError::UnsupportedAlgorithm(first_algorithm.to_owned()));
    }
    exclusive_canonicalization(second)?;
    inclusive_prefixes(second)
}

/// Whether an exclusive canonicalization algorithm keeps comments; any other
/// algorithm is refused.
fn exclusive_canonicalization(method: Node<'_, '_>) -> Result<bool, SamlError> {
    match algorithm_attribute(method)? {
        EXC_C14N => Ok(false),
        EXC_C14N_WITH_COMMENTS => Ok(true),
        other => Err(SamlError::UnsupportedAlgorithm(other.to_owned())),
    }
}

/// Exc-C14N §3: the `InclusiveNamespaces` element's whitespace-separated `PrefixList`.
fn inclusive_prefixes<'a>(method: Node<'a, '_>) -> Result<Vec<&'a str>, SamlError> {
    let mut lists = children(method, EXC_C14N, "InclusiveNamespaces");
    match (lists.next(), lists.next()) {
        (None, _) => Ok(Vec::new()),
        (Some(list), None) => Ok(list
            .attribute("PrefixList")
            .unwrap_or_default()
            .split_ascii_whitespace()
            .collect()),
        (Some(_), Some(_)) => Err(SamlError::MalformedSignature(
            "more than one InclusiveNamespaces",
        )),
    }
}

/// A method element's `Algorithm`.
fn algorithm_attribute<'a>(method: Node<'a, '_>) -> Result<&'a str, SamlError> {
    method
        .attribute("Algorithm")
        .ok_or(SamlError::MalformedSignature("a method has no Algorithm"))
}

/// A signature method: the type of key it needs and the verification it runs.
struct SignatureMethod {
    /// The SubjectPublicKeyInfo algorithm of the keys it verifies with.
    key: ObjectIdentifier,
    /// ring's verification.
    verification: &'static dyn VerificationAlgorithm,
}

impl SignatureMethod {
    /// Whether the certificate's key verifies `signature` over `message`. A key of
    /// another type than the method's does not.
    fn verify(&self, certificate: &[u8], message: &[u8], signature: &[u8]) -> bool {
        let Ok(certificate) = Certificate::from_der(certificate) else {
            return false;
        };
        let key_info = &certificate.tbs_certificate.subject_public_key_info;
        // The subjectPublicKey is the PKCS #1 RSAPublicKey (RFC 8017 §A.1.1) or the
        // uncompressed EC point (RFC 5480 §2.2) that ring expects.
        match key_info.subject_public_key.as_bytes() {
            Some(key) if key_info.algorithm.oid == self.key => {
                UnparsedPublicKey::new(self.verification, key)
                    .verify(message, signature)
                    .is_ok()
            }
            _ => false,
        }
    }
}

/// §6.4: the method each signature method URI names.
fn signature_method(uri: &str) -> Result<SignatureMethod, SamlError> {
    let (key, verification): (_, &'static dyn VerificationAlgorithm) = match uri {
        "http://www.w3.org/2000/09/xmldsig#rsa-sha1" => (
            RSA_ENCRYPTION,
            &RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
        ),
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" => {
            (RSA_ENCRYPTION, &RSA_PKCS1_2048_8192_SHA256)
        }
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512" => {
            (RSA_ENCRYPTION, &RSA_PKCS1_2048_8192_SHA512)
        }
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256" => {
            (EC_PUBLIC_KEY, &ECDSA_P256_SHA256_FIXED)
        }
        other => return Err(SamlError::UnsupportedAlgorithm(other.to_owned())),
    };
    Ok(SignatureMethod { key, verification })
}

/// §6.2: the digest each digest method names, of `data`.
fn digest(uri: &str, data: &[u8]) -> Result<Vec<u8>, SamlError> {
    Ok(match uri {
        "http://www.w3.org/2000/09/xmldsig#sha1" => Sha1::digest(data).to_vec(),
        "http://www.w3.org/2001/04/xmlenc#sha256" => Sha256::digest(data).to_vec(),
        "http://www.w3.org/2001/04/xmlenc#sha512" => Sha512::digest(data).to_vec(),
        other => return Err(SamlError::UnsupportedAlgorithm(other.to_owned())),
    })
}
