//! Why a WebAuthn ceremony failed: one [`WebAuthnError`] variant per check, each
//! with the step it belongs to, and the [`ErrorCategory`] the caller maps to its own
//! errors.

/// The kind of failure, for the caller to map to its own errors (Cognito's
/// `WebAuthn*Exception`s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCategory {
    /// The client data's origin (or top origin) is not one the relying party allows.
    Origin,
    /// The authenticator data's `rpIdHash` is not the SHA-256 of the relying party id.
    RelyingParty,
    /// The client data's challenge is not the one the server issued.
    Challenge,
    /// The client data is malformed or of the wrong ceremony type.
    ClientData,
    /// An attestation statement format or algorithm this verifier does not support.
    NotSupported,
    /// User verification was required and not performed, or the user was not present.
    UserVerification,
    /// The signature counter did not increase: the authenticator may have been cloned.
    Counter,
    /// Malformed data, a bad signature or a bad certificate.
    Invalid,
}

/// Why a registration or an assertion was refused. Each variant names the check that
/// failed; the step numbers are those of WebAuthn Level 3 (§7.1, §7.2, §8).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebAuthnError {
    // --- The credential JSON (§5.1, RegistrationResponseJSON, AuthenticationResponseJSON).
    /// A required member of the credential JSON is missing or not a string.
    #[error("the credential has no string member {0}")]
    MissingMember(&'static str),
    /// A member that carries bytes is not base64url.
    #[error("the credential member {0} is not base64url")]
    NotBase64Url(&'static str),
    /// A member has the wrong JSON type.
    #[error("the credential member {0} has the wrong type")]
    MemberType(&'static str),
    /// §5.1: the credential's `type` is not `public-key`.
    #[error("the credential type is not public-key")]
    CredentialType,
    /// `id` and `rawId` differ, or name another credential than the authenticator
    /// data's.
    #[error("the credential id does not match")]
    CredentialIdMismatch,

    // --- The client data (§5.8.1; §7.1 steps 5–11, §7.2 steps 8–14).
    /// §7.1 step 6, §7.2 step 9: `clientDataJSON` is not a UTF-8 JSON object.
    #[error("clientDataJSON is not a JSON object")]
    ClientDataNotJson,
    /// `clientDataJSON` lacks a member it must have, or has one of the wrong type.
    #[error("clientDataJSON has no valid member {0}")]
    ClientDataMember(&'static str),
    /// §7.1 step 7, §7.2 step 10: `C.type` is not the ceremony's.
    #[error("the client data type is {found:?}, not {expected}")]
    ClientDataType {
        /// `webauthn.create` or `webauthn.get`.
        expected: &'static str,
        /// What the client data says.
        found: String,
    },
    /// §7.1 step 8, §7.2 step 11: `C.challenge` is not the issued challenge.
    #[error("the challenge does not match")]
    ChallengeMismatch,
    /// §7.1 step 9, §7.2 step 12: `C.origin` is not an allowed origin.
    #[error("the origin {0:?} is not allowed")]
    OriginNotAllowed(String),
    /// §7.1 step 10, §7.2 step 13: `C.crossOrigin` is true and no allowed top origin
    /// vouches for the frame.
    #[error("a cross-origin ceremony is not allowed")]
    CrossOrigin,
    /// §7.1 step 11, §7.2 step 14: `C.topOrigin` is not an allowed origin.
    #[error("the top origin {0:?} is not allowed")]
    TopOriginNotAllowed(String),

    // --- The attestation object and authenticator data (§6.1, §6.5).
    /// §7.1 step 13: the attestation object is not the CBOR map §6.5.4 describes.
    #[error("the attestation object is malformed: {0}")]
    AttestationObject(&'static str),
    /// §6.1: the authenticator data is truncated or has trailing bytes.
    #[error("the authenticator data is malformed: {0}")]
    AuthenticatorData(&'static str),
    /// §7.1 step 14, §7.2 step 15: `rpIdHash` is not SHA-256 of the relying party id.
    #[error("the rpIdHash is not the hash of the relying party id")]
    RpIdHashMismatch,
    /// §7.1 step 15, §7.2 step 16: the UP flag is not set.
    #[error("the user was not present")]
    UserNotPresent,
    /// §7.1 step 16, §7.2 step 17: user verification was required; the UV flag is not
    /// set.
    #[error("user verification was required but not performed")]
    UserNotVerified,
    /// §7.1 step 17, §7.2 step 18: BS is set while BE is not.
    #[error("the backup state flag is set on a credential that is not backup eligible")]
    BackupStateWithoutEligibility,
    /// §6.5.1: a registration's authenticator data has no attested credential data.
    #[error("the authenticator data carries no attested credential data")]
    AttestedCredentialDataMissing,
    /// §7.1 step 25: the credential id is longer than 1023 bytes.
    #[error("the credential id is {0} bytes long, more than 1023")]
    CredentialIdTooLong(usize),
    /// §5.8.5, §6.5.1.1: the credential public key is not a well-formed COSE key.
    #[error("the credential public key is malformed: {0}")]
    CoseKey(String),
    /// §7.1 step 20: the credential's algorithm is neither ES256 (-7) nor RS256 (-257).
    #[error("the COSE algorithm {0} is not supported")]
    UnsupportedAlgorithm(i64),

    // --- Attestation statements (§7.1 steps 21–22, §8).
    /// §7.1 step 21: a registered attestation statement format this verifier does not
    /// implement.
    #[error("the {0:?} attestation statement format is not supported")]
    UnsupportedFormat(String),
    /// §7.1 step 21: `fmt` is no registered attestation statement format.
    #[error("{0:?} is not a registered attestation statement format")]
    UnknownFormat(String),
    /// §8: the attestation statement does not follow its format's syntax.
    #[error("the attestation statement is malformed: {0}")]
    AttestationStatement(&'static str),
    /// §8.2 step 3: a self attestation's `alg` is not the credential key's algorithm.
    #[error("the attestation algorithm {statement} is not the credential's {credential}")]
    AlgorithmMismatch {
        /// The statement's `alg`.
        statement: i64,
        /// The credential public key's `alg`.
        credential: i64,
    },
    /// §8.2 steps 2–3, §8.6 step 6: the attestation signature does not verify.
    #[error("the attestation signature is invalid")]
    AttestationSignature,
    /// §8.6 step 2: a `fido-u2f` statement's `x5c` is not exactly one certificate.
    #[error("a fido-u2f attestation carries {0} certificates, not one")]
    U2fCertificateCount(usize),
    /// §8.6 steps 2 and 4: a `fido-u2f` key (attestation or credential) is not on P-256.
    #[error("a fido-u2f key is not a P-256 key")]
    U2fKeyNotP256,

    // --- Attestation certificates (§8.2.1, RFC 5280).
    /// A certificate of `x5c` is not DER X.509.
    #[error("certificate {0} of x5c is not an X.509 certificate")]
    Certificate(usize),
    /// A certificate's public key is of a type this verifier does not support.
    #[error("the public key of certificate {0} is not a P-256 or RSA key")]
    UnsupportedCertificateKey(usize),
    /// A certificate is signed with an algorithm this verifier does not support.
    #[error("certificate {index} is signed with the unsupported algorithm {oid}")]
    UnsupportedCertificateSignature {
        /// The position in `x5c`.
        index: usize,
        /// The signature algorithm's object identifier.
        oid: String,
    },
    /// §8.2 step 2: the attestation certificate's key cannot make an `alg` signature.
    #[error("the attestation certificate's key does not fit the algorithm {0}")]
    CertificateKeyAlgorithm(i64),
    /// §8.2.1: the attestation certificate is not version 3.
    #[error("the attestation certificate is not version 3")]
    CertificateVersion,
    /// §8.2.1: the attestation certificate's subject lacks an attribute, or its OU is
    /// not "Authenticator Attestation".
    #[error("the attestation certificate's subject is wrong: {0}")]
    CertificateSubject(&'static str),
    /// §8.2.1: the attestation certificate's basic constraints make it a CA.
    #[error("the attestation certificate is a CA certificate")]
    CertificateIsCa,
    /// §8.2.1: the id-fido-gen-ce-aaguid extension is critical or not a 16-byte OCTET
    /// STRING.
    #[error("the attestation certificate's AAGUID extension is malformed")]
    AaguidExtension,
    /// §8.2 step 2: the id-fido-gen-ce-aaguid extension names another AAGUID.
    #[error("the attestation certificate's AAGUID is not the authenticator's")]
    AaguidMismatch,
    /// RFC 5280 §6.1.3 (a)(4): certificate `index`'s issuer is not the next
    /// certificate's subject.
    #[error("certificate {0} of x5c is not issued by the next one")]
    ChainIssuerMismatch(usize),
    /// RFC 5280 §6.1.4 (k): the certificate after `index` is not a CA certificate.
    #[error("the issuer of certificate {0} of x5c is not a CA")]
    ChainIssuerNotCa(usize),
    /// RFC 5280 §6.1.3 (a)(1): certificate `index`'s signature does not verify with the
    /// next certificate's key.
    #[error("the signature of certificate {0} of x5c does not verify")]
    ChainSignature(usize),

    // --- Assertions (§7.2).
    /// §7.2 step 21: the assertion signature does not verify with the stored key.
    #[error("the assertion signature is invalid")]
    Signature,
    /// §7.2 step 22: the signature counter did not increase.
    #[error("the signature counter {received} is not greater than the stored {stored}")]
    CounterNotIncreased {
        /// The counter kept from the last ceremony.
        stored: u32,
        /// The authenticator data's counter.
        received: u32,
    },
}

impl WebAuthnError {
    /// The kind of failure.
    pub fn category(&self) -> ErrorCategory {
        use WebAuthnError as E;
        match self {
            E::OriginNotAllowed(_) | E::CrossOrigin | E::TopOriginNotAllowed(_) => {
                ErrorCategory::Origin
            }
            E::RpIdHashMismatch => ErrorCategory::RelyingParty,
            E::ChallengeMismatch => ErrorCategory::Challenge,
            E::ClientDataNotJson | E::ClientDataMember(_) | E::ClientDataType { .. } => {
                ErrorCategory::ClientData
            }
            E::UnsupportedAlgorithm(_)
            | E::UnsupportedFormat(_)
            | E::UnknownFormat(_)
            | E::UnsupportedCertificateKey(_)
            | E::UnsupportedCertificateSignature { .. } => ErrorCategory::NotSupported,
            E::UserNotPresent | E::UserNotVerified => ErrorCategory::UserVerification,
            E::CounterNotIncreased { .. } => ErrorCategory::Counter,
            E::MissingMember(_)
            | E::NotBase64Url(_)
            | E::MemberType(_)
            | E::CredentialType
            | E::CredentialIdMismatch
            | E::AttestationObject(_)
            | E::AuthenticatorData(_)
            | E::BackupStateWithoutEligibility
            | E::AttestedCredentialDataMissing
            | E::CredentialIdTooLong(_)
            | E::CoseKey(_)
            | E::AttestationStatement(_)
            | E::AlgorithmMismatch { .. }
            | E::AttestationSignature
            | E::U2fCertificateCount(_)
            | E::U2fKeyNotP256
            | E::Certificate(_)
            | E::CertificateKeyAlgorithm(_)
            | E::CertificateVersion
            | E::CertificateSubject(_)
            | E::CertificateIsCa
            | E::AaguidExtension
            | E::AaguidMismatch
            | E::ChainIssuerMismatch(_)
            | E::ChainIssuerNotCa(_)
            | E::ChainSignature(_)
            | E::Signature => ErrorCategory::Invalid,
        }
    }
}
