//! The attestation object (§6.5.4) and one verification procedure per attestation
//! statement format (§8): [`verify_none`] (§8.7), [`verify_packed`] (§8.2) and
//! [`verify_fido_u2f`] (§8.6). The other registered formats (`tpm`, `android-key`,
//! `android-safetynet`, `apple`, `compound`) are refused as not supported.

use ciborium::Value;

use super::certificate;
use super::cose::{Key, PublicKey, Scheme, ES256, RS256};
use super::{AttestationFormat, AttestationType, WebAuthnError};

/// The attestation object (§6.5.4): `{ "fmt": tstr, "attStmt": map, "authData": bstr }`.
#[derive(Debug)]
pub(super) struct AttestationObject {
    pub(super) fmt: String,
    pub(super) att_stmt: Vec<(Value, Value)>,
    pub(super) auth_data: Vec<u8>,
}

/// The entry of text key `key` in a CBOR map; a key given twice is an error (RFC 8949
/// §5.6: such a map is not valid).
fn entry<'m>(map: &'m [(Value, Value)], key: &str) -> Result<Option<&'m Value>, ()> {
    let mut found = map
        .iter()
        .filter(|(k, _)| k.as_text() == Some(key))
        .map(|(_, v)| v);
    let first = found.next();
    match found.next() {
        Some(_) => Err(()),
        None => Ok(first),
    }
}

impl AttestationObject {
    /// §7.1 step 13: "Perform CBOR decoding on the attestationObject field ... to obtain
    /// the attestation statement format fmt, the authenticator data authData, and the
    /// attestation statement attStmt."
    pub(super) fn decode(bytes: &[u8]) -> Result<Self, WebAuthnError> {
        let mut rest = bytes;
        let value: Value = ciborium::de::from_reader(&mut rest)
            .map_err(|_| WebAuthnError::AttestationObject("not CBOR"))?;
        if !rest.is_empty() {
            return Err(WebAuthnError::AttestationObject(
                "bytes follow the CBOR map",
            ));
        }
        let Value::Map(map) = value else {
            return Err(WebAuthnError::AttestationObject("not a map"));
        };
        let get = |key| {
            entry(&map, key).map_err(|()| WebAuthnError::AttestationObject("a key is repeated"))
        };
        let fmt = match get("fmt")? {
            Some(Value::Text(fmt)) => fmt.clone(),
            _ => return Err(WebAuthnError::AttestationObject("fmt is not text")),
        };
        let att_stmt = match get("attStmt")? {
            Some(Value::Map(att_stmt)) => att_stmt.clone(),
            _ => return Err(WebAuthnError::AttestationObject("attStmt is not a map")),
        };
        let auth_data = match get("authData")? {
            Some(Value::Bytes(auth_data)) => auth_data.clone(),
            _ => return Err(WebAuthnError::AttestationObject("authData is not bytes")),
        };
        Ok(AttestationObject {
            fmt,
            att_stmt,
            auth_data,
        })
    }
}

/// What a verification procedure is given (§8: "attStmt, authenticatorData and
/// clientDataHash"), with the parts of the authenticator data it reads.
pub(super) struct Statement<'a> {
    pub(super) att_stmt: &'a [(Value, Value)],
    pub(super) auth_data: &'a [u8],
    pub(super) rp_id_hash: &'a [u8],
    pub(super) aaguid: &'a [u8; 16],
    pub(super) credential_id: &'a [u8],
    pub(super) credential_key: &'a PublicKey,
    pub(super) client_data_hash: &'a [u8],
}

impl Statement<'_> {
    /// The statement's members, each at most once and none but `allowed` (§8's CDDL
    /// for the format).
    fn members(&self, allowed: &[&str]) -> Result<(), WebAuthnError> {
        for (key, _) in self.att_stmt {
            let Some(name) = key.as_text() else {
                return Err(WebAuthnError::AttestationStatement("a key is not text"));
            };
            if !allowed.contains(&name) {
                return Err(WebAuthnError::AttestationStatement(
                    "it has an unknown member",
                ));
            }
            self.member(name)?;
        }
        Ok(())
    }

    fn member(&self, name: &str) -> Result<Option<&Value>, WebAuthnError> {
        entry(self.att_stmt, name)
            .map_err(|()| WebAuthnError::AttestationStatement("a member is repeated"))
    }

    /// `authenticatorData || clientDataHash`, what packed attestations sign.
    fn signed_data(&self) -> Vec<u8> {
        [self.auth_data, self.client_data_hash].concat()
    }
}

/// §7.1 steps 21–22: determines the format by a case-sensitive match on `fmt`, and runs
/// its verification procedure.
pub(super) fn verify(
    fmt: &str,
    statement: &Statement<'_>,
) -> Result<(AttestationFormat, AttestationType), WebAuthnError> {
    match fmt {
        "none" => verify_none(statement).map(|t| (AttestationFormat::None, t)),
        "packed" => verify_packed(statement).map(|t| (AttestationFormat::Packed, t)),
        "fido-u2f" => verify_fido_u2f(statement).map(|t| (AttestationFormat::FidoU2f, t)),
        "tpm" | "android-key" | "android-safetynet" | "apple" | "compound" => {
            Err(WebAuthnError::UnsupportedFormat(fmt.to_owned()))
        }
        _ => Err(WebAuthnError::UnknownFormat(fmt.to_owned())),
    }
}

/// §8.7, the `none` format: its syntax is an empty map (`attStmt = {}`), and its
/// procedure returns attestation type None with an empty trust path.
pub(super) fn verify_none(statement: &Statement<'_>) -> Result<AttestationType, WebAuthnError> {
    if statement.att_stmt.is_empty() {
        Ok(AttestationType::None)
    } else {
        Err(WebAuthnError::AttestationStatement(
            "a none statement is not empty",
        ))
    }
}

/// §8.2, the `packed` format.
pub(super) fn verify_packed(statement: &Statement<'_>) -> Result<AttestationType, WebAuthnError> {
    // 1. "Verify that attStmt is valid CBOR conforming to the syntax defined above and
    //    perform CBOR decoding on it to extract the contained fields": `alg`, `sig` and,
    //    for full attestation, `x5c`.
    statement.members(&["alg", "sig", "x5c"])?;
    let alg = match statement.member("alg")? {
        Some(Value::Integer(alg)) => i64::try_from(*alg)
            .map_err(|_| WebAuthnError::AttestationStatement("alg is out of range"))?,
        _ => return Err(WebAuthnError::AttestationStatement("alg is not an integer")),
    };
    let sig = match statement.member("sig")? {
        Some(Value::Bytes(sig)) => sig,
        _ => return Err(WebAuthnError::AttestationStatement("sig is not bytes")),
    };
    match statement.member("x5c")? {
        Some(x5c) => verify_packed_x5c(statement, alg, sig, x5c),
        None => verify_packed_self(statement, alg, sig),
    }
}

/// §8.2 step 2: "If x5c is present".
fn verify_packed_x5c(
    statement: &Statement<'_>,
    alg: i64,
    sig: &[u8],
    x5c: &Value,
) -> Result<AttestationType, WebAuthnError> {
    let chain = certificate::parse_x5c(x5c)?;
    let Some(attestn_cert) = chain.first() else {
        return Err(WebAuthnError::AttestationStatement("x5c is empty"));
    };
    // "Verify that sig is a valid signature over the concatenation of authenticatorData
    // and clientDataHash using the attestation public key in attestnCert with the
    // algorithm specified in alg."
    let key = certificate::public_key(attestn_cert, 0)?;
    let scheme = match (alg, &key) {
        (ES256, Key::P256(_)) => Scheme::EcdsaSha256,
        (RS256, Key::Rsa(_)) => Scheme::RsaSha256,
        (ES256 | RS256, _) => return Err(WebAuthnError::CertificateKeyAlgorithm(alg)),
        _ => return Err(WebAuthnError::UnsupportedAlgorithm(alg)),
    };
    if !key.verifies(scheme, &statement.signed_data(), sig) {
        return Err(WebAuthnError::AttestationSignature);
    }
    // "Verify that attestnCert meets the requirements in § 8.2.1", and "If attestnCert
    // contains an extension with OID 1.3.6.1.4.1.45724.1.1.4 (id-fido-gen-ce-aaguid)
    // verify that the value of this extension matches the aaguid in authenticatorData."
    certificate::verify_packed_attestation_certificate(attestn_cert, statement.aaguid)?;
    // §7.1 step 24 asks that the trust path chain up to an acceptable root; without
    // trust anchors, the chain x5c carries is verified up to its last certificate.
    certificate::verify_chain(&chain)?;
    // "If successful, return implementation-specific values representing attestation
    // type Basic, AttCA or uncertainty, and attestation trust path x5c."
    Ok(AttestationType::Basic {
        subjects: certificate::subjects(&chain),
    })
}

/// §8.2 step 3: "If x5c is not present, self attestation is in use."
fn verify_packed_self(
    statement: &Statement<'_>,
    alg: i64,
    sig: &[u8],
) -> Result<AttestationType, WebAuthnError> {
    // "Validate that alg matches the algorithm of the credentialPublicKey in
    // authenticatorData."
    let credential = statement.credential_key.alg();
    if alg != credential {
        return Err(WebAuthnError::AlgorithmMismatch {
            statement: alg,
            credential,
        });
    }
    // "Verify that sig is a valid signature over the concatenation of authenticatorData
    // and clientDataHash using the credential public key with alg."
    if !statement
        .credential_key
        .verifies(&statement.signed_data(), sig)
    {
        return Err(WebAuthnError::AttestationSignature);
    }
    // "If successful, return implementation-specific values representing attestation
    // type Self and an empty attestation trust path."
    Ok(AttestationType::SelfAttestation)
}

/// §8.6, the `fido-u2f` format.
pub(super) fn verify_fido_u2f(statement: &Statement<'_>) -> Result<AttestationType, WebAuthnError> {
    // 1. "Verify that attStmt is valid CBOR conforming to the syntax defined above and
    //    perform CBOR decoding on it to extract the contained fields": `x5c` and `sig`.
    statement.members(&["sig", "x5c"])?;
    let sig = match statement.member("sig")? {
        Some(Value::Bytes(sig)) => sig,
        _ => return Err(WebAuthnError::AttestationStatement("sig is not bytes")),
    };
    let Some(x5c) = statement.member("x5c")? else {
        return Err(WebAuthnError::AttestationStatement("x5c is missing"));
    };
    // 2. "Check that x5c has exactly one element and let attCert be that element. Let
    //    certificate public key be the public key conveyed by attCert. If certificate
    //    public key is not an Elliptic Curve (EC) public key over the P-256 curve,
    //    terminate this algorithm and return an appropriate error."
    let chain = certificate::parse_x5c(x5c)?;
    let [att_cert] = chain.as_slice() else {
        return Err(WebAuthnError::U2fCertificateCount(chain.len()));
    };
    let certificate_key = match certificate::public_key(att_cert, 0) {
        Ok(key @ Key::P256(_)) => key,
        Ok(Key::Rsa(_)) | Err(WebAuthnError::UnsupportedCertificateKey(_)) => {
            return Err(WebAuthnError::U2fKeyNotP256)
        }
        Err(other) => return Err(other),
    };
    // 3. "Extract the claimed rpIdHash from authenticatorData, and the claimed
    //    credentialId and credentialPublicKey from authenticatorData.attestedCredentialData."
    // 4. "Convert the COSE_KEY formatted credentialPublicKey ... to Raw ANSI X9.62 public
    //    key format": 0x04 || x || y, each coordinate 32 bytes (checked as the key was read).
    let public_key_u2f = statement
        .credential_key
        .uncompressed_p256_point()
        .ok_or(WebAuthnError::U2fKeyNotP256)?;
    // 5. "Let verificationData be the concatenation of (0x00 || rpIdHash || clientDataHash
    //    || credentialId || publicKeyU2F)."
    let verification_data = [
        &[0x00][..],
        statement.rp_id_hash,
        statement.client_data_hash,
        statement.credential_id,
        &public_key_u2f,
    ]
    .concat();
    // 6. "Verify the sig using verificationData and the certificate public key per
    //    section 4.1.4 of [SEC1] with SHA-256 as the hash function."
    if !certificate_key.verifies(Scheme::EcdsaSha256, &verification_data, sig) {
        return Err(WebAuthnError::AttestationSignature);
    }
    // 7.–8. "return implementation-specific values representing attestation type Basic,
    //    AttCA or uncertainty, and attestation trust path x5c."
    Ok(AttestationType::Basic {
        subjects: certificate::subjects(&chain),
    })
}
