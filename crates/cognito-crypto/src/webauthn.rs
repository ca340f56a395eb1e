//! WebAuthn (passkey) verification, as the relying party's half of the W3C Web
//! Authentication Level 3 specification ([WebAuthn-3]) lays it out:
//!
//! - [`verify_registration`]: §7.1 "Registering a New Credential", over a
//!   `RegistrationResponseJSON` (§5.1.8), with the attestation statement formats of §8:
//!   `none` (§8.7), `packed` (§8.2: self attestation, and full attestation with an
//!   `x5c` chain that meets §8.2.1) and `fido-u2f` (§8.6). `tpm`, `android-key`,
//!   `android-safetynet`, `apple` and `compound` are refused as not supported.
//! - [`credential_id`] and [`verify_assertion`]: §7.2 "Verifying an Authentication
//!   Assertion", over an `AuthenticationResponseJSON`, against the stored key.
//!
//! The pieces follow the specification's own: the client data (§5.8.1), the
//! authenticator data (§6.1) with its attested credential data (§6.5.1), the
//! attestation object (§6.5.4), COSE credential public keys (§5.8.5; ES256 on P-256 and
//! RS256, the two algorithms Cognito offers) and their signatures (§6.5.6). Each
//! function carries the step numbers of the ceremony it implements; each failure is a
//! [`WebAuthnError`] variant named after its check, with an [`ErrorCategory`] for the
//! caller's mapping.
//!
//! What is the caller's: the challenge it issued and whether it was used before; that a
//! new credential id is not yet registered (§7.1 step 26); which stored credential an
//! assertion names (§7.2 steps 5–6, through [`credential_id`]) and its user handle;
//! attestation trust anchors (§7.1 steps 23–24: the chain an attestation carries is
//! verified up to its last certificate, whose subjects are reported, but no root is
//! trusted or refused); comparing backup eligibility with the stored record (§7.2
//! step 19); and storing the new counter (§7.2 step 24). Extension outputs are ignored
//! (§7.1 step 28, §7.2 step 23), as is `tokenBinding`.
//!
//! `testing::SoftAuthenticator` (feature `test-authenticator`) makes the responses a
//! P-256 authenticator would, for the tests of other crates.
//!
//! [WebAuthn-3]: https://www.w3.org/TR/webauthn-3/

use serde_json::Value;
use sha2::{Digest, Sha256};

mod attestation;
mod authenticator_data;
mod certificate;
mod client_data;
mod cose;
mod error;
mod json;
#[cfg(any(test, feature = "test-authenticator"))]
pub mod testing;

pub use cose::{PublicKey, ES256, RS256};
pub use error::{ErrorCategory, WebAuthnError};

use attestation::{AttestationObject, Statement};
use authenticator_data::AuthenticatorData;
use client_data::{ClientData, CREATE, GET};

/// The longest credential id a relying party accepts (§7.1 step 25).
pub const MAX_CREDENTIAL_ID_BYTES: usize = 1023;

/// What the relying party expects of a ceremony.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// The relying party id, e.g. `localhost` or `auth.example.com`.
    pub rp_id: &'a str,
    /// The allowed origins, e.g. `["http://localhost:3000"]`, compared exactly.
    pub origins: &'a [String],
    /// The challenge the server issued.
    pub challenge: &'a [u8],
    /// Whether the user must have been verified (the UV flag), not only present.
    pub require_user_verification: bool,
}

/// An attestation statement format (§8) this module verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttestationFormat {
    /// `none` (§8.7).
    None,
    /// `packed` (§8.2).
    Packed,
    /// `fido-u2f` (§8.6).
    FidoU2f,
}

impl AttestationFormat {
    /// The format's identifier, as `fmt` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            AttestationFormat::None => "none",
            AttestationFormat::Packed => "packed",
            AttestationFormat::FidoU2f => "fido-u2f",
        }
    }
}

/// The attestation type a verification procedure established (§6.5.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AttestationType {
    /// No attestation (`none`).
    None,
    /// Self attestation: signed with the credential's own key.
    SelfAttestation,
    /// Basic (or AttCA) attestation by a certificate chain, verified up to its last
    /// certificate: the chain's subject names (RFC 4514), leaf first. Whether the chain
    /// ends at a trusted root is the caller's decision.
    Basic {
        /// The subjects, leaf first.
        subjects: Vec<String>,
    },
}

/// A verified new credential, the contents of a credential record (§7.1 step 27).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// The credential id.
    pub credential_id: Vec<u8>,
    /// The credential public key.
    pub public_key: PublicKey,
    /// The authenticator's signature counter.
    pub sign_count: u32,
    /// The authenticator's AAGUID (all zero for `fido-u2f` and many `none`).
    pub aaguid: [u8; 16],
    /// The attestation statement format.
    pub format: AttestationFormat,
    /// The attestation type and trust path.
    pub attestation: AttestationType,
    /// The UV flag (`uvInitialized`).
    pub user_verified: bool,
    /// The BE flag (`backupEligible`).
    pub backup_eligible: bool,
    /// The BS flag (`backupState`).
    pub backed_up: bool,
    /// `response.transports`, as the client reported them.
    pub transports: Vec<String>,
    /// `authenticatorAttachment`, as the client reported it.
    pub authenticator_attachment: Option<String>,
}

/// A verified assertion: what the caller updates its credential record with (§7.2
/// step 24).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assertion {
    /// The credential id the assertion names.
    pub credential_id: Vec<u8>,
    /// The new signature counter.
    pub sign_count: u32,
    /// The UV flag.
    pub user_verified: bool,
    /// The BE flag, for the caller to compare with the record (§7.2 step 19).
    pub backup_eligible: bool,
    /// The BS flag (the new `backupState`).
    pub backed_up: bool,
    /// `response.userHandle`, when the authenticator returned one.
    pub user_handle: Option<Vec<u8>>,
}

/// The credential id an `AuthenticationResponseJSON` (or a registration) names, to find
/// the stored key before [`verify_assertion`] (§7.2 steps 5–6): `rawId`, which must be
/// the bytes `id` encodes.
pub fn credential_id(credential: &Value) -> Result<Vec<u8>, WebAuthnError> {
    json::credential_id(credential)
}

/// §7.1 "Registering a New Credential": verifies a `RegistrationResponseJSON` and
/// returns the credential to store.
pub fn verify_registration(
    credential: &Value,
    expected: &Expected<'_>,
) -> Result<Registration, WebAuthnError> {
    // 3. "Let response be credential.response. If response is not an instance of
    //    AuthenticatorAttestationResponse, abort": a `public-key` credential whose
    //    response carries clientDataJSON and attestationObject.
    json::check_type(credential)?;
    let id = json::credential_id(credential)?;
    let response = json::response(credential)?;
    let client_data_json = json::bytes(response, "clientDataJSON")?;
    let attestation_object = json::bytes(response, "attestationObject")?;
    // 4. clientExtensionResults: ignored (step 28).

    // 5.–6. "Let JSONtext be the result of running UTF-8 decode on the value of
    //    response.clientDataJSON"; "Let C ... be the result of running an
    //    implementation-specific JSON parser on JSONtext."
    let c = ClientData::parse(&client_data_json)?;
    // 7. "Verify that the value of C.type is webauthn.create."
    c.verify_type(CREATE)?;
    // 8. "Verify that the value of C.challenge equals the base64url encoding of
    //    pkOptions.challenge."
    c.verify_challenge(expected.challenge)?;
    // 9. "Verify that the value of C.origin is an origin expected by the Relying Party."
    c.verify_origin(expected.origins)?;
    // 10.–11. C.crossOrigin and C.topOrigin.
    c.verify_frame(expected.origins)?;
    // 12. "Let hash be the result of computing a hash over response.clientDataJSON
    //    using SHA-256."
    let hash = Sha256::digest(&client_data_json);

    // 13. "Perform CBOR decoding on the attestationObject field ... to obtain the
    //    attestation statement format fmt, the authenticator data authData, and the
    //    attestation statement attStmt."
    let object = AttestationObject::decode(&attestation_object)?;
    let auth_data = AuthenticatorData::parse(&object.auth_data)?;
    // 14.–17. rpIdHash, UP, UV, BE and BS.
    verify_authenticator_data(&auth_data, expected)?;
    // 18.–19. BE and BS inform the caller's policy: returned in the Registration.

    // §6.5.1: a registration's authenticator data carries the attested credential data.
    let Some(attested) = &auth_data.attested else {
        return Err(WebAuthnError::AttestedCredentialDataMissing);
    };
    // 20. "Verify that the "alg" parameter in the credential public key in authData
    //    matches the alg attribute of one of the items in pkOptions.pubKeyCredParams":
    //    ES256 or RS256, the parameters Cognito offers.
    let public_key = PublicKey::from_cose(attested.public_key)?;

    // 21.–22. Determine the attestation statement format and verify attStmt with its
    //    verification procedure, given attStmt, authData and hash.
    let (format, attestation) = attestation::verify(
        &object.fmt,
        &Statement {
            att_stmt: &object.att_stmt,
            auth_data: &object.auth_data,
            rp_id_hash: auth_data.rp_id_hash,
            aaguid: &attested.aaguid,
            credential_id: attested.credential_id,
            credential_key: &public_key,
            client_data_hash: &hash,
        },
    )?;
    // 23.–24. Trust anchors and trustworthiness: the caller's (see the module docs).

    // 25. "Verify that the credentialId is ≤ 1023 bytes."
    if attested.credential_id.len() > MAX_CREDENTIAL_ID_BYTES {
        return Err(WebAuthnError::CredentialIdTooLong(
            attested.credential_id.len(),
        ));
    }
    // 26. "Verify that the credentialId is not yet registered for any user": the
    //    caller's.
    // 27. The credential record, whose id is credential.id or credential.rawId: both
    //    must be the credentialId the authenticator attested.
    if id != attested.credential_id {
        return Err(WebAuthnError::CredentialIdMismatch);
    }
    Ok(Registration {
        credential_id: id,
        public_key,
        sign_count: auth_data.sign_count,
        aaguid: attested.aaguid,
        format,
        attestation,
        user_verified: auth_data.flags.user_verified(),
        backup_eligible: auth_data.flags.backup_eligible(),
        backed_up: auth_data.flags.backed_up(),
        transports: json::string_list(response, "transports")?,
        authenticator_attachment: json::optional_string(credential, "authenticatorAttachment")?,
    })
    // 28. Extension outputs: ignored.
}

/// §7.2 "Verifying an Authentication Assertion": verifies an
/// `AuthenticationResponseJSON` against the stored key and counter of the credential
/// [`credential_id`] named.
pub fn verify_assertion(
    credential: &Value,
    expected: &Expected<'_>,
    key: &PublicKey,
    stored_sign_count: u32,
) -> Result<Assertion, WebAuthnError> {
    // 3. "Let response be credential.response. If response is not an instance of
    //    AuthenticatorAssertionResponse, abort."
    json::check_type(credential)?;
    // 5.–6. The caller found the credential record by this id.
    let id = json::credential_id(credential)?;
    let response = json::response(credential)?;
    // 7. "Let cData, authData and sig denote the value of response's clientDataJSON,
    //    authenticatorData, and signature respectively."
    let c_data = json::bytes(response, "clientDataJSON")?;
    let auth_data_bytes = json::bytes(response, "authenticatorData")?;
    let sig = json::bytes(response, "signature")?;
    let user_handle = json::optional_bytes(response, "userHandle")?;

    // 8.–9. UTF-8 decode cData and parse it into C.
    let c = ClientData::parse(&c_data)?;
    // 10. "Verify that the value of C.type is the string webauthn.get."
    c.verify_type(GET)?;
    // 11. "Verify that the value of C.challenge equals the base64url encoding of
    //    pkOptions.challenge."
    c.verify_challenge(expected.challenge)?;
    // 12. "Verify that the value of C.origin is an origin expected by the Relying Party."
    c.verify_origin(expected.origins)?;
    // 13.–14. C.crossOrigin and C.topOrigin.
    c.verify_frame(expected.origins)?;

    // 15.–18. rpIdHash, UP, UV, BE and BS.
    let auth_data = AuthenticatorData::parse(&auth_data_bytes)?;
    verify_authenticator_data(&auth_data, expected)?;
    // 19. Backup eligibility against the record: the caller's, with the flags returned.

    // 20. "Let hash be the result of computing a hash over the cData using SHA-256."
    let hash = Sha256::digest(&c_data);
    // 21. "Using credentialRecord.publicKey, verify that sig is a valid signature over
    //    the binary concatenation of authData and hash."
    if !key.verifies(&[auth_data_bytes.as_slice(), &hash].concat(), &sig) {
        return Err(WebAuthnError::Signature);
    }
    // 22. "If authData.signCount is nonzero or credentialRecord.signCount is nonzero":
    //    "greater than credentialRecord.signCount: The signature counter is valid";
    //    "less than or equal to": a signal that the authenticator may be cloned, on
    //    which this relying party fails the ceremony.
    let received = auth_data.sign_count;
    if (received != 0 || stored_sign_count != 0) && received <= stored_sign_count {
        return Err(WebAuthnError::CounterNotIncreased {
            stored: stored_sign_count,
            received,
        });
    }
    // 23. Extension outputs: ignored. 24. The caller updates its record.
    Ok(Assertion {
        credential_id: id,
        sign_count: received,
        user_verified: auth_data.flags.user_verified(),
        backup_eligible: auth_data.flags.backup_eligible(),
        backed_up: auth_data.flags.backed_up(),
        user_handle,
    })
}

/// The checks on authenticator data both ceremonies make: §7.1 steps 14–17, §7.2
/// steps 15–18.
fn verify_authenticator_data(
    auth_data: &AuthenticatorData<'_>,
    expected: &Expected<'_>,
) -> Result<(), WebAuthnError> {
    // "Verify that the rpIdHash in authData is the SHA-256 hash of the RP ID expected by
    // the Relying Party."
    if auth_data.rp_id_hash != Sha256::digest(expected.rp_id.as_bytes()).as_slice() {
        return Err(WebAuthnError::RpIdHashMismatch);
    }
    // "Verify that the UP bit of the flags in authData is set" (for a registration:
    // "If options.mediation is not set to conditional"; Cognito does not register
    // conditionally).
    if !auth_data.flags.user_present() {
        return Err(WebAuthnError::UserNotPresent);
    }
    // "If user verification was determined to be required, verify that the UV bit of
    // the flags in authData is set. Otherwise, ignore the value of the UV flag."
    if expected.require_user_verification && !auth_data.flags.user_verified() {
        return Err(WebAuthnError::UserNotVerified);
    }
    // "If the BE bit of the flags in authData is not set, verify that the BS bit is not
    // set."
    if !auth_data.flags.backup_eligible() && auth_data.flags.backed_up() {
        return Err(WebAuthnError::BackupStateWithoutEligibility);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
