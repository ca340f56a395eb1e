use ciborium::Value as Cbor;
use serde_json::{json, Value};

use super::json::{decode_base64url, encode_base64url};
use super::testing::{Attestation, SoftAuthenticator};
use super::*;

mod vectors;
use vectors::*;

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn b64(bytes: &[u8]) -> String {
    encode_base64url(bytes)
}

/// What a test expects of a ceremony; [`Ceremony::expected`] lends it as [`Expected`].
#[derive(Clone)]
struct Ceremony {
    rp_id: String,
    origins: Vec<String>,
    challenge: Vec<u8>,
    require_user_verification: bool,
}

impl Ceremony {
    fn new(rp_id: &str, origin: &str, challenge: Vec<u8>) -> Self {
        Ceremony {
            rp_id: rp_id.into(),
            origins: vec![origin.into()],
            challenge,
            require_user_verification: false,
        }
    }

    fn w3c(challenge_hex: &str) -> Self {
        Self::new(W3C_RP_ID, W3C_ORIGIN, hex(challenge_hex))
    }

    fn py(challenge: &str) -> Self {
        Self::new(PY_RP_ID, PY_ORIGIN, decode_base64url(challenge).unwrap())
    }

    fn uv(mut self) -> Self {
        self.require_user_verification = true;
        self
    }

    fn expected(&self) -> Expected<'_> {
        Expected {
            rp_id: &self.rp_id,
            origins: &self.origins,
            challenge: &self.challenge,
            require_user_verification: self.require_user_verification,
        }
    }

    fn register(&self, credential: &Value) -> Result<Registration, WebAuthnError> {
        verify_registration(credential, &self.expected())
    }

    fn assert(
        &self,
        credential: &Value,
        key: &PublicKey,
        stored: u32,
    ) -> Result<Assertion, WebAuthnError> {
        verify_assertion(credential, &self.expected(), key, stored)
    }
}

fn registration_json(v: &HexRegistration) -> Value {
    let id = b64(&hex(v.credential_id));
    json!({
        "id": id,
        "rawId": id,
        "type": "public-key",
        "response": {
            "clientDataJSON": b64(&hex(v.client_data_json)),
            "attestationObject": b64(&hex(v.attestation_object)),
        },
        "clientExtensionResults": {},
    })
}

fn assertion_json(v: &HexAssertion) -> Value {
    let id = b64(&hex(v.credential_id));
    json!({
        "id": id,
        "rawId": id,
        "type": "public-key",
        "response": {
            "clientDataJSON": b64(&hex(v.client_data_json)),
            "authenticatorData": b64(&hex(v.authenticator_data)),
            "signature": b64(&hex(v.signature)),
        },
        "clientExtensionResults": {},
    })
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn key_hex(cose: &str) -> PublicKey {
    PublicKey::from_cose(&hex(cose)).unwrap()
}

fn key_b64(cose: &str) -> PublicKey {
    PublicKey::from_cose(&decode_base64url(cose).unwrap()).unwrap()
}

/// Decodes the credential's attestation object, lets `edit` change its map, and puts
/// it back.
fn edit_attestation(credential: &mut Value, edit: impl FnOnce(&mut Vec<(Cbor, Cbor)>)) {
    let member = &mut credential["response"]["attestationObject"];
    let bytes = decode_base64url(member.as_str().unwrap()).unwrap();
    let Cbor::Map(mut map) = ciborium::de::from_reader(bytes.as_slice()).unwrap() else {
        panic!("not a map");
    };
    edit(&mut map);
    let mut out = Vec::new();
    ciborium::ser::into_writer(&Cbor::Map(map), &mut out).unwrap();
    *member = Value::String(b64(&out));
}

fn entry<'m>(map: &'m mut [(Cbor, Cbor)], key: &str) -> &'m mut Cbor {
    map.iter_mut()
        .find(|(k, _)| k.as_text() == Some(key))
        .map(|(_, v)| v)
        .unwrap()
}

/// Changes an entry of `attStmt`.
fn edit_statement(credential: &mut Value, key: &str, edit: impl FnOnce(&mut Cbor)) {
    edit_attestation(credential, |map| {
        let Cbor::Map(statement) = entry(map, "attStmt") else {
            panic!("attStmt is not a map");
        };
        edit(entry(statement, key));
    });
}

/// Changes the attestation object's `authData` (for `none`, which signs nothing).
fn edit_auth_data(credential: &mut Value, edit: impl FnOnce(&mut Vec<u8>)) {
    edit_attestation(credential, |map| {
        let Cbor::Bytes(auth_data) = entry(map, "authData") else {
            panic!("authData is not bytes");
        };
        edit(auth_data);
    });
}

/// Changes a base64url member of `response`.
fn edit_response(credential: &mut Value, member: &str, edit: impl FnOnce(&mut Vec<u8>)) {
    let value = &mut credential["response"][member];
    let mut bytes = decode_base64url(value.as_str().unwrap()).unwrap();
    edit(&mut bytes);
    *value = Value::String(b64(&bytes));
}

fn flip_last_byte(bytes: &mut [u8]) {
    *bytes.last_mut().unwrap() ^= 1;
}

/// One refusal: the error and its category.
#[track_caller]
fn check<T: std::fmt::Debug>(
    result: Result<T, WebAuthnError>,
    error: WebAuthnError,
    category: ErrorCategory,
) {
    let got = result.unwrap_err();
    assert_eq!(got, error);
    assert_eq!(got.category(), category, "{got}");
}

// ---------------------------------------------------------------------------------------
// W3C WebAuthn Level 3 §16.
// ---------------------------------------------------------------------------------------

#[test]
fn w3c_none_es256_registers_and_authenticates() {
    let ceremony = Ceremony::w3c(W3C_NONE_ES256.challenge);
    let registration = ceremony
        .register(&registration_json(&W3C_NONE_ES256))
        .unwrap();
    assert_eq!(
        registration.credential_id,
        hex(W3C_NONE_ES256.credential_id)
    );
    assert_eq!(
        registration.aaguid.to_vec(),
        hex("8446ccb9ab1db374750b2367ff6f3a1f")
    );
    assert_eq!(registration.format, AttestationFormat::None);
    assert_eq!(registration.format.as_str(), "none");
    assert_eq!(registration.attestation, AttestationType::None);
    assert_eq!(registration.sign_count, 0);
    assert!(!registration.user_verified);
    assert!(registration.backup_eligible && registration.backed_up);
    assert_eq!(registration.public_key.alg(), ES256);
    assert_eq!(
        registration.public_key.to_cose(),
        hex(W3C_NONE_ES256_ASSERTION.public_key)
    );
    assert!(registration.transports.is_empty());
    assert_eq!(registration.authenticator_attachment, None);

    // The stored key, read back from its COSE bytes, verifies the authentication.
    let stored = PublicKey::from_cose(&registration.public_key.to_cose()).unwrap();
    assert_eq!(stored, registration.public_key);
    let credential = assertion_json(&W3C_NONE_ES256_ASSERTION);
    assert_eq!(
        credential_id(&credential).unwrap(),
        registration.credential_id
    );
    let assertion = Ceremony::w3c(W3C_NONE_ES256_ASSERTION.challenge)
        .assert(&credential, &stored, 0)
        .unwrap();
    assert_eq!(
        assertion,
        Assertion {
            credential_id: hex(W3C_NONE_ES256.credential_id),
            sign_count: 0,
            user_verified: false,
            backup_eligible: true,
            backed_up: true,
            user_handle: None,
        }
    );
}

#[test]
fn w3c_packed_self_attestation() {
    let registration = Ceremony::w3c(W3C_PACKED_SELF_ES256.challenge)
        .register(&registration_json(&W3C_PACKED_SELF_ES256))
        .unwrap();
    assert_eq!(registration.format, AttestationFormat::Packed);
    assert_eq!(registration.attestation, AttestationType::SelfAttestation);
    assert_eq!(
        registration.aaguid.to_vec(),
        hex("df850e09db6afbdfab51697791506cfc")
    );
    assert_eq!(
        registration.public_key,
        key_hex(W3C_PACKED_SELF_ES256_ASSERTION.public_key)
    );
    let assertion = Ceremony::w3c(W3C_PACKED_SELF_ES256_ASSERTION.challenge)
        .assert(
            &assertion_json(&W3C_PACKED_SELF_ES256_ASSERTION),
            &registration.public_key,
            0,
        )
        .unwrap();
    assert!(assertion.backup_eligible && !assertion.backed_up);
}

const W3C_LEAF_SUBJECT: &str = "C=AA,OU=Authenticator Attestation,O=W3C,CN=WebAuthn test vectors";
const W3C_CA_SUBJECT: &str = "C=AA,OU=Authenticator Attestation CA,O=W3C,CN=WebAuthn test vectors";

#[test]
fn w3c_packed_full_attestation() {
    let ceremony = Ceremony::w3c(W3C_PACKED_ES256.challenge);
    let registration = ceremony
        .register(&registration_json(&W3C_PACKED_ES256))
        .unwrap();
    assert_eq!(registration.format, AttestationFormat::Packed);
    assert_eq!(
        registration.attestation,
        AttestationType::Basic {
            subjects: vec![W3C_LEAF_SUBJECT.into()]
        }
    );
    let assertion = Ceremony::w3c(W3C_PACKED_ES256_ASSERTION.challenge)
        .assert(
            &assertion_json(&W3C_PACKED_ES256_ASSERTION),
            &registration.public_key,
            0,
        )
        .unwrap();
    assert!(assertion.user_verified);

    // With the §16.1 root in x5c, the chain is verified up to it.
    let mut credential = registration_json(&W3C_PACKED_ES256);
    edit_statement(&mut credential, "x5c", |x5c| {
        let Cbor::Array(chain) = x5c else { panic!() };
        chain.push(Cbor::Bytes(hex(W3C_ATTESTATION_CA_CERT)));
    });
    assert_eq!(
        ceremony.register(&credential).unwrap().attestation,
        AttestationType::Basic {
            subjects: vec![W3C_LEAF_SUBJECT.into(), W3C_CA_SUBJECT.into()]
        }
    );
}

#[test]
fn w3c_packed_rs256_credential() {
    let ceremony = Ceremony::w3c(W3C_PACKED_RS256.challenge);
    let mut credential = registration_json(&W3C_PACKED_RS256);
    let registration = ceremony.register(&credential).unwrap();
    assert_eq!(registration.public_key.alg(), RS256);
    assert_eq!(
        registration.aaguid.to_vec(),
        hex("428f8878298b9862a36ad8c7527bfef2")
    );
    assert_eq!(
        registration.attestation,
        AttestationType::Basic {
            subjects: vec![W3C_LEAF_SUBJECT.into()]
        }
    );
    // The earlier draft's attestation certificate chains to the same root key.
    edit_statement(&mut credential, "x5c", |x5c| {
        let Cbor::Array(chain) = x5c else { panic!() };
        chain.push(Cbor::Bytes(hex(W3C_ATTESTATION_CA_CERT)));
    });
    assert!(ceremony.register(&credential).is_ok());
}

#[test]
fn w3c_cross_origin_assertion_is_refused() {
    // §16.4: "crossOrigin": true with no topOrigin; this relying party expects no
    // cross-origin frames but inside its own origins.
    let ceremony = Ceremony::w3c(W3C_CROSS_ORIGIN_ASSERTION.challenge);
    let key = key_hex(W3C_CROSS_ORIGIN_ASSERTION.public_key);
    let credential = assertion_json(&W3C_CROSS_ORIGIN_ASSERTION);
    check(
        ceremony.assert(&credential, &key, 0),
        WebAuthnError::CrossOrigin,
        ErrorCategory::Origin,
    );
}

// ---------------------------------------------------------------------------------------
// py_webauthn's recorded ceremonies.
// ---------------------------------------------------------------------------------------

#[test]
fn py_webauthn_registrations() {
    let none = Ceremony::py(PY_NONE.challenge)
        .register(&parse(PY_NONE.credential))
        .unwrap();
    assert_eq!(none.format, AttestationFormat::None);
    assert_eq!(none.sign_count, 23);
    assert_eq!(none.aaguid, [0; 16]);
    assert_eq!(none.public_key, key_b64(PY_NONE_PUBLIC_KEY));
    // `transports` sits outside `response` here, where toJSON() does not put it.
    assert!(none.transports.is_empty());

    let yubikey = Ceremony::py(PY_PACKED_YUBIKEY.challenge)
        .register(&parse(PY_PACKED_YUBIKEY.credential))
        .unwrap();
    assert_eq!(yubikey.format, AttestationFormat::Packed);
    assert_eq!(
        yubikey.aaguid.to_vec(),
        hex("6d44ba9bf6ec2e49b9300c8fe920cb73")
    );
    assert_eq!(
        yubikey.attestation,
        AttestationType::Basic {
            subjects: vec![
                "CN=Yubico U2F EE Serial 719807075,OU=Authenticator Attestation,O=Yubico AB,C=SE"
                    .into()
            ]
        }
    );

    for (vector, rp_id, origin) in [
        (&PY_U2F_YUBIKEY, PY_RP_ID, PY_ORIGIN),
        (&PY_U2F_CONFORMANCE, PY_RP_ID, PY_ORIGIN),
        (
            &PY_U2F_TOKEN_BINDING,
            "duo.test",
            "https://api-duo1.duo.test",
        ),
    ] {
        let ceremony = Ceremony::new(rp_id, origin, decode_base64url(vector.challenge).unwrap());
        let u2f = ceremony.register(&parse(vector.credential)).unwrap();
        assert_eq!(u2f.format, AttestationFormat::FidoU2f);
        assert_eq!(u2f.format.as_str(), "fido-u2f");
        assert!(
            matches!(&u2f.attestation, AttestationType::Basic { subjects } if subjects.len() == 1)
        );
        assert_eq!(u2f.aaguid, [0; 16]);
        assert!(!u2f.user_verified);
    }
}

#[test]
fn py_webauthn_assertions() {
    let ec2 = Ceremony::py(PY_ASSERTION_EC2.challenge)
        .assert(
            &parse(PY_ASSERTION_EC2.credential),
            &key_b64(PY_ASSERTION_EC2.public_key),
            PY_ASSERTION_EC2.stored_sign_count,
        )
        .unwrap();
    assert_eq!(ec2.sign_count, 78);
    assert!(!ec2.user_verified);

    let rsa = Ceremony::py(PY_ASSERTION_RSA.challenge)
        .uv()
        .assert(
            &parse(PY_ASSERTION_RSA.credential),
            &key_b64(PY_ASSERTION_RSA.public_key),
            PY_ASSERTION_RSA.stored_sign_count,
        )
        .unwrap();
    assert_eq!(key_b64(PY_ASSERTION_RSA.public_key).alg(), RS256);
    assert_eq!(rsa.sign_count, 1);
    assert!(rsa.user_verified);
    assert_eq!(
        rsa.user_handle.as_deref(),
        Some(&b"OTVkYzUwODUtYmM5YS00NTI1LTgwNzgtZmViYWY4ZDVmY2Ni"[..])
    );

    check(
        Ceremony::py(PY_ASSERTION_WRONG_KEY.challenge).assert(
            &parse(PY_ASSERTION_WRONG_KEY.credential),
            &key_b64(PY_ASSERTION_WRONG_KEY.public_key),
            PY_ASSERTION_WRONG_KEY.stored_sign_count,
        ),
        WebAuthnError::Signature,
        ErrorCategory::Invalid,
    );
    check(
        Ceremony::py(PY_ASSERTION_NO_UV.challenge).uv().assert(
            &parse(PY_ASSERTION_NO_UV.credential),
            &key_b64(PY_ASSERTION_NO_UV.public_key),
            PY_ASSERTION_NO_UV.stored_sign_count,
        ),
        WebAuthnError::UserNotVerified,
        ErrorCategory::UserVerification,
    );
}

#[test]
fn ed25519_credentials_are_not_supported() {
    check(
        Ceremony::py(PY_PACKED_OKP.challenge).register(&parse(PY_PACKED_OKP.credential)),
        WebAuthnError::UnsupportedAlgorithm(-8),
        ErrorCategory::NotSupported,
    );
}

// ---------------------------------------------------------------------------------------
// Refusals: §7.1 and §7.2 step by step.
// ---------------------------------------------------------------------------------------

fn none_registration() -> (Ceremony, Value) {
    (
        Ceremony::w3c(W3C_NONE_ES256.challenge),
        registration_json(&W3C_NONE_ES256),
    )
}

#[test]
fn registration_client_data_is_checked() {
    let (ceremony, credential) = none_registration();

    let mut wrong = ceremony.clone();
    wrong.origins = vec!["https://example.com".into(), "http://example.org".into()];
    check(
        wrong.register(&credential),
        WebAuthnError::OriginNotAllowed(W3C_ORIGIN.into()),
        ErrorCategory::Origin,
    );

    let mut wrong = ceremony.clone();
    wrong.challenge = hex(W3C_NONE_ES256_ASSERTION.challenge);
    check(
        wrong.register(&credential),
        WebAuthnError::ChallengeMismatch,
        ErrorCategory::Challenge,
    );

    // The authentication's client data, of type webauthn.get.
    let mut wrong = credential.clone();
    wrong["response"]["clientDataJSON"] =
        Value::String(b64(&hex(W3C_NONE_ES256_ASSERTION.client_data_json)));
    check(
        ceremony.register(&wrong),
        WebAuthnError::ClientDataType {
            expected: "webauthn.create",
            found: "webauthn.get".into(),
        },
        ErrorCategory::ClientData,
    );

    let mut wrong = credential.clone();
    wrong["response"]["clientDataJSON"] = Value::String(b64(b"[\"webauthn.create\"]"));
    check(
        ceremony.register(&wrong),
        WebAuthnError::ClientDataNotJson,
        ErrorCategory::ClientData,
    );

    let mut wrong = credential.clone();
    wrong["response"]["clientDataJSON"] = Value::String(b64(
        br#"{"type":"webauthn.create","origin":"https://example.org"}"#,
    ));
    check(
        ceremony.register(&wrong),
        WebAuthnError::ClientDataMember("challenge"),
        ErrorCategory::ClientData,
    );
}

#[test]
fn registration_authenticator_data_is_checked() {
    let (ceremony, credential) = none_registration();

    let mut wrong = ceremony.clone();
    wrong.rp_id = "example.com".into();
    check(
        wrong.register(&credential),
        WebAuthnError::RpIdHashMismatch,
        ErrorCategory::RelyingParty,
    );

    // The flags byte follows the 32-byte rpIdHash; §16.2 sets UP BE BS AT (0x59).
    let with_flags = |flags: u8| {
        let mut edited = credential.clone();
        edit_auth_data(&mut edited, |auth_data| auth_data[32] = flags);
        edited
    };
    check(
        ceremony.register(&with_flags(0x58)),
        WebAuthnError::UserNotPresent,
        ErrorCategory::UserVerification,
    );
    check(
        ceremony.clone().uv().register(&credential),
        WebAuthnError::UserNotVerified,
        ErrorCategory::UserVerification,
    );
    check(
        ceremony.register(&with_flags(0x55)),
        WebAuthnError::BackupStateWithoutEligibility,
        ErrorCategory::Invalid,
    );
    check(
        ceremony.register(&with_flags(0x19)),
        WebAuthnError::AuthenticatorData("bytes follow its last member"),
        ErrorCategory::Invalid,
    );

    // ED with an (empty) extensions map is accepted; anything after it is not.
    let mut extended = with_flags(0xd9);
    edit_auth_data(&mut extended, |auth_data| auth_data.push(0xa0));
    assert!(ceremony.register(&extended).is_ok());
    edit_auth_data(&mut extended, |auth_data| auth_data.push(0x00));
    check(
        ceremony.register(&extended),
        WebAuthnError::AuthenticatorData("bytes follow its last member"),
        ErrorCategory::Invalid,
    );
    let mut truncated = credential.clone();
    edit_auth_data(&mut truncated, |auth_data| auth_data.truncate(36));
    check(
        ceremony.register(&truncated),
        WebAuthnError::AuthenticatorData("shorter than 37 bytes"),
        ErrorCategory::Invalid,
    );
}

#[test]
fn registration_credential_id_is_checked() {
    let (ceremony, credential) = none_registration();

    let mut other = credential.clone();
    other["id"] = Value::String(b64(&[7; 32]));
    other["rawId"] = Value::String(b64(&[7; 32]));
    check(
        ceremony.register(&other),
        WebAuthnError::CredentialIdMismatch,
        ErrorCategory::Invalid,
    );
    let mut split = credential.clone();
    split["rawId"] = Value::String(b64(&[7; 32]));
    check(
        ceremony.register(&split),
        WebAuthnError::CredentialIdMismatch,
        ErrorCategory::Invalid,
    );
    // Padded base64url is read too, and rawId may be left out.
    let mut padded = credential.clone();
    padded["id"] = Value::String(format!("{}=", padded["id"].as_str().unwrap()));
    padded.as_object_mut().unwrap().remove("rawId");
    assert!(ceremony.register(&padded).is_ok());

    // §7.1 step 25: a 1024-byte credential id.
    let mut long = credential.clone();
    edit_auth_data(&mut long, |auth_data| {
        let key = auth_data.split_off(55 + 32);
        auth_data.truncate(53);
        auth_data.extend_from_slice(&1024u16.to_be_bytes());
        auth_data.extend_from_slice(&[9; 1024]);
        auth_data.extend_from_slice(&key);
    });
    check(
        ceremony.register(&long),
        WebAuthnError::CredentialIdTooLong(1024),
        ErrorCategory::Invalid,
    );

    let mut typed = credential.clone();
    typed["type"] = Value::String("password".into());
    check(
        ceremony.register(&typed),
        WebAuthnError::CredentialType,
        ErrorCategory::Invalid,
    );
    let mut bare = credential.clone();
    bare.as_object_mut().unwrap().remove("response");
    check(
        ceremony.register(&bare),
        WebAuthnError::MissingMember("response"),
        ErrorCategory::Invalid,
    );
    let mut garbled = credential.clone();
    garbled["response"]["attestationObject"] = Value::String("not base64!".into());
    check(
        ceremony.register(&garbled),
        WebAuthnError::NotBase64Url("attestationObject"),
        ErrorCategory::Invalid,
    );
}

#[test]
fn unsupported_attestation_formats_are_named() {
    let (ceremony, credential) = none_registration();
    for fmt in ["tpm", "android-key", "android-safetynet", "apple"] {
        let mut edited = credential.clone();
        edit_attestation(&mut edited, |map| {
            *entry(map, "fmt") = Cbor::Text(fmt.into())
        });
        let error = ceremony.register(&edited).unwrap_err();
        assert_eq!(error, WebAuthnError::UnsupportedFormat(fmt.into()));
        assert_eq!(error.category(), ErrorCategory::NotSupported);
        assert_eq!(
            error.to_string(),
            format!("the \"{fmt}\" attestation statement format is not supported")
        );
    }
    let mut edited = credential.clone();
    edit_attestation(&mut edited, |map| {
        *entry(map, "fmt") = Cbor::Text("not_real_fmt".into())
    });
    check(
        ceremony.register(&edited),
        WebAuthnError::UnknownFormat("not_real_fmt".into()),
        ErrorCategory::NotSupported,
    );
    // §8.7: a none statement is an empty map.
    let mut edited = credential.clone();
    edit_attestation(&mut edited, |map| {
        *entry(map, "attStmt") = Cbor::Map(vec![(Cbor::Text("sig".into()), Cbor::Bytes(vec![1]))])
    });
    check(
        ceremony.register(&edited),
        WebAuthnError::AttestationStatement("a none statement is not empty"),
        ErrorCategory::Invalid,
    );
}

#[test]
fn packed_statements_are_checked() {
    let ceremony = Ceremony::w3c(W3C_PACKED_SELF_ES256.challenge);
    let credential = registration_json(&W3C_PACKED_SELF_ES256);

    let mut forged = credential.clone();
    edit_statement(&mut forged, "sig", |sig| {
        let Cbor::Bytes(sig) = sig else { panic!() };
        flip_last_byte(sig);
    });
    check(
        ceremony.register(&forged),
        WebAuthnError::AttestationSignature,
        ErrorCategory::Invalid,
    );
    let mut rsa = credential.clone();
    edit_statement(&mut rsa, "alg", |alg| *alg = Cbor::Integer(RS256.into()));
    check(
        ceremony.register(&rsa),
        WebAuthnError::AlgorithmMismatch {
            statement: RS256,
            credential: ES256,
        },
        ErrorCategory::Invalid,
    );
    let mut text = credential.clone();
    edit_statement(&mut text, "alg", |alg| *alg = Cbor::Text("ES256".into()));
    check(
        ceremony.register(&text),
        WebAuthnError::AttestationStatement("alg is not an integer"),
        ErrorCategory::Invalid,
    );

    // Full attestation: a leaf whose alg the statement contradicts.
    let ceremony = Ceremony::w3c(W3C_PACKED_ES256.challenge);
    let mut rsa = registration_json(&W3C_PACKED_ES256);
    edit_statement(&mut rsa, "alg", |alg| *alg = Cbor::Integer(RS256.into()));
    check(
        ceremony.register(&rsa),
        WebAuthnError::CertificateKeyAlgorithm(RS256),
        ErrorCategory::Invalid,
    );
}

/// The §16.7 attestation with `x5c` replaced by `chain`.
fn w3c_full_with_chain(chain: Vec<Vec<u8>>) -> Value {
    let mut credential = registration_json(&W3C_PACKED_ES256);
    edit_statement(&mut credential, "x5c", |x5c| {
        *x5c = Cbor::Array(chain.into_iter().map(Cbor::Bytes).collect());
    });
    credential
}

/// The certificates of a credential's `x5c`.
fn x5c_of(credential: &Value) -> Vec<Vec<u8>> {
    let bytes = decode_base64url(
        credential["response"]["attestationObject"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let Cbor::Map(mut map) = ciborium::de::from_reader(bytes.as_slice()).unwrap() else {
        panic!()
    };
    let Cbor::Map(statement) = entry(&mut map, "attStmt").clone() else {
        panic!()
    };
    let (_, Cbor::Array(chain)) = statement
        .into_iter()
        .find(|(k, _)| k.as_text() == Some("x5c"))
        .unwrap()
    else {
        panic!()
    };
    chain
        .into_iter()
        .map(|c| match c {
            Cbor::Bytes(der) => der,
            _ => panic!(),
        })
        .collect()
}

#[test]
fn x5c_chains_that_do_not_verify_are_refused() {
    let ceremony = Ceremony::w3c(W3C_PACKED_ES256.challenge);
    let leaf = x5c_of(&registration_json(&W3C_PACKED_ES256)).remove(0);
    let root = hex(W3C_ATTESTATION_CA_CERT);

    // The root's signature on the leaf, altered in its last byte (still DER).
    let mut forged = leaf.clone();
    flip_last_byte(&mut forged);
    check(
        ceremony.register(&w3c_full_with_chain(vec![forged, root.clone()])),
        WebAuthnError::ChainSignature(0),
        ErrorCategory::Invalid,
    );
    // A certificate the leaf does not name as its issuer.
    let yubikey_leaf = x5c_of(&parse(PY_PACKED_YUBIKEY.credential)).remove(0);
    check(
        ceremony.register(&w3c_full_with_chain(vec![leaf.clone(), yubikey_leaf])),
        WebAuthnError::ChainIssuerMismatch(0),
        ErrorCategory::Invalid,
    );
    // A root that does not verify its own self-signature is never consulted: the chain
    // ends at the last certificate, and trust is the caller's decision.
    let mut garbage = root.clone();
    garbage.truncate(40);
    check(
        ceremony.register(&w3c_full_with_chain(vec![leaf.clone(), garbage])),
        WebAuthnError::Certificate(1),
        ErrorCategory::Invalid,
    );

    // Two soft authenticators' CAs share their name but not their key.
    let mut one = SoftAuthenticator::new(b"one").unwrap();
    let two = SoftAuthenticator::new(b"two").unwrap();
    let challenge = [5u8; 32];
    let ours = Ceremony::new("localhost", "http://localhost:3000", challenge.to_vec());
    let mut credential = one
        .register(
            "localhost",
            "http://localhost:3000",
            &challenge,
            true,
            Attestation::PackedX5c,
        )
        .unwrap();
    assert!(ours.register(&credential).is_ok());
    let mut two = two;
    let other_ca = x5c_of(
        &two.register(
            "localhost",
            "http://localhost:3000",
            &challenge,
            true,
            Attestation::PackedX5c,
        )
        .unwrap(),
    )
    .remove(1);
    let our_leaf = x5c_of(&credential).remove(0);
    edit_statement(&mut credential, "x5c", |x5c| {
        *x5c = Cbor::Array(vec![Cbor::Bytes(our_leaf), Cbor::Bytes(other_ca)]);
    });
    check(
        ours.register(&credential),
        WebAuthnError::ChainSignature(0),
        ErrorCategory::Invalid,
    );
}

#[test]
fn attestation_certificates_meet_section_8_2_1() {
    use x509_cert::der::Decode;
    use x509_cert::Certificate;

    let yubikey = Certificate::from_der(&x5c_of(&parse(PY_PACKED_YUBIKEY.credential))[0]).unwrap();
    let aaguid: [u8; 16] = hex("6d44ba9bf6ec2e49b9300c8fe920cb73").try_into().unwrap();
    assert_eq!(
        certificate::verify_packed_attestation_certificate(&yubikey, &aaguid),
        Ok(())
    );
    assert_eq!(
        certificate::verify_packed_attestation_certificate(&yubikey, &[0; 16]),
        Err(WebAuthnError::AaguidMismatch)
    );
    // The FIDO conformance U2F batch certificate has OU "CWG".
    let conformance =
        Certificate::from_der(&x5c_of(&parse(PY_U2F_CONFORMANCE.credential))[0]).unwrap();
    assert_eq!(
        certificate::verify_packed_attestation_certificate(&conformance, &[0; 16]),
        Err(WebAuthnError::CertificateSubject(
            "the OU is not \"Authenticator Attestation\""
        ))
    );
    // The Duo-tested YubiKey's certificate names only a CN.
    let cn_only =
        Certificate::from_der(&x5c_of(&parse(PY_U2F_TOKEN_BINDING.credential))[0]).unwrap();
    assert_eq!(
        certificate::verify_packed_attestation_certificate(&cn_only, &[0; 16]),
        Err(WebAuthnError::CertificateSubject("no country (C)"))
    );
}

#[test]
fn fido_u2f_statements_are_checked() {
    let ceremony = Ceremony::py(PY_U2F_YUBIKEY.challenge);
    let credential = parse(PY_U2F_YUBIKEY.credential);

    let mut forged = credential.clone();
    edit_statement(&mut forged, "sig", |sig| {
        let Cbor::Bytes(sig) = sig else { panic!() };
        flip_last_byte(sig);
    });
    check(
        ceremony.register(&forged),
        WebAuthnError::AttestationSignature,
        ErrorCategory::Invalid,
    );
    let mut two = credential.clone();
    edit_statement(&mut two, "x5c", |x5c| {
        let Cbor::Array(chain) = x5c else { panic!() };
        chain.push(chain[0].clone());
    });
    check(
        ceremony.register(&two),
        WebAuthnError::U2fCertificateCount(2),
        ErrorCategory::Invalid,
    );
    check(
        ceremony.clone().uv().register(&credential),
        WebAuthnError::UserNotVerified,
        ErrorCategory::UserVerification,
    );
}

#[test]
fn assertions_are_checked() {
    let ceremony = Ceremony::w3c(W3C_NONE_ES256_ASSERTION.challenge);
    let key = key_hex(W3C_NONE_ES256_ASSERTION.public_key);
    let credential = assertion_json(&W3C_NONE_ES256_ASSERTION);
    assert!(ceremony.assert(&credential, &key, 0).is_ok());

    let mut wrong = ceremony.clone();
    wrong.origins = vec!["https://example.org:443".into()];
    check(
        wrong.assert(&credential, &key, 0),
        WebAuthnError::OriginNotAllowed(W3C_ORIGIN.into()),
        ErrorCategory::Origin,
    );
    let mut wrong = ceremony.clone();
    wrong.rp_id = "sub.example.org".into();
    check(
        wrong.assert(&credential, &key, 0),
        WebAuthnError::RpIdHashMismatch,
        ErrorCategory::RelyingParty,
    );
    let mut wrong = ceremony.clone();
    wrong.challenge.push(0);
    check(
        wrong.assert(&credential, &key, 0),
        WebAuthnError::ChallengeMismatch,
        ErrorCategory::Challenge,
    );
    check(
        ceremony.clone().uv().assert(&credential, &key, 0),
        WebAuthnError::UserNotVerified,
        ErrorCategory::UserVerification,
    );
    let mut create = credential.clone();
    create["response"]["clientDataJSON"] =
        Value::String(b64(&hex(W3C_NONE_ES256.client_data_json)));
    check(
        ceremony.assert(&create, &key, 0),
        WebAuthnError::ClientDataType {
            expected: "webauthn.get",
            found: "webauthn.create".into(),
        },
        ErrorCategory::ClientData,
    );
    let mut forged = credential.clone();
    edit_response(&mut forged, "signature", |sig| flip_last_byte(sig));
    check(
        ceremony.assert(&forged, &key, 0),
        WebAuthnError::Signature,
        ErrorCategory::Invalid,
    );
    // Another credential's key.
    check(
        ceremony.assert(
            &credential,
            &key_hex(W3C_PACKED_ES256_ASSERTION.public_key),
            0,
        ),
        WebAuthnError::Signature,
        ErrorCategory::Invalid,
    );
    // §7.2 step 22: zero and zero is a counter the authenticator does not keep; a
    // stored counter above it is a regression.
    check(
        ceremony.assert(&credential, &key, 5),
        WebAuthnError::CounterNotIncreased {
            stored: 5,
            received: 0,
        },
        ErrorCategory::Counter,
    );
}

#[test]
fn signature_counter_must_increase() {
    let ceremony = Ceremony::py(PY_ASSERTION_EC2.challenge);
    let credential = parse(PY_ASSERTION_EC2.credential);
    let key = key_b64(PY_ASSERTION_EC2.public_key);
    for stored in [78, 79, u32::MAX] {
        check(
            ceremony.assert(&credential, &key, stored),
            WebAuthnError::CounterNotIncreased {
                stored,
                received: 78,
            },
            ErrorCategory::Counter,
        );
    }
    assert_eq!(
        ceremony.assert(&credential, &key, 0).unwrap().sign_count,
        78
    );
}

#[test]
fn top_origin_must_be_allowed() {
    let mut authenticator = SoftAuthenticator::new(b"frames").unwrap();
    let key = authenticator.public_key().unwrap();
    let challenge = [1u8; 16];
    let origin = "https://auth.example.com";
    let ceremony = Ceremony::new("example.com", origin, challenge.to_vec());
    let mut credential = authenticator
        .authenticate("example.com", origin, &challenge, true)
        .unwrap();
    let rewrite = |credential: &mut Value, client_data: Value| {
        credential["response"]["clientDataJSON"] =
            Value::String(b64(client_data.to_string().as_bytes()));
    };
    let frame = |top: &str| {
        json!({
            "type": "webauthn.get",
            "challenge": b64(&challenge),
            "origin": origin,
            "crossOrigin": true,
            "topOrigin": top,
        })
    };
    rewrite(&mut credential, frame("https://evil.example.net"));
    check(
        ceremony.assert(&credential, &key, 0),
        WebAuthnError::TopOriginNotAllowed("https://evil.example.net".into()),
        ErrorCategory::Origin,
    );
    // Framed by an allowed page, the ceremony reaches the signature (over other client
    // data than this).
    rewrite(&mut credential, frame(origin));
    check(
        ceremony.assert(&credential, &key, 0),
        WebAuthnError::Signature,
        ErrorCategory::Invalid,
    );
}

// ---------------------------------------------------------------------------------------
// COSE keys.
// ---------------------------------------------------------------------------------------

#[test]
fn cose_keys_are_read_strictly() {
    let es256 = hex(W3C_NONE_ES256_ASSERTION.public_key);
    let key = PublicKey::from_cose(&es256).unwrap();
    assert_eq!(key.to_cose(), es256);
    assert!(format!("{key:?}").contains("P256"));

    // crv P-384 (2) with an ES256 alg.
    let mut p384 = es256.clone();
    p384[6] = 0x02;
    assert_eq!(
        PublicKey::from_cose(&p384),
        Err(WebAuthnError::CoseKey(
            "an ES256 key is not on curve P-256".into()
        ))
    );
    // A point off the curve.
    let mut off_curve = es256.clone();
    *off_curve.last_mut().unwrap() ^= 1;
    assert_eq!(
        PublicKey::from_cose(&off_curve),
        Err(WebAuthnError::CoseKey("the point is not on P-256".into()))
    );
    // No alg: {1: 2, -1: 1, -2: x, -3: y}.
    let no_alg = [&[0xa4, 0x01, 0x02][..], &es256[5..]].concat();
    assert_eq!(
        PublicKey::from_cose(&no_alg),
        Err(WebAuthnError::CoseKey("the key has no alg".into()))
    );
    // Ed25519 (OKP, -8), as §16.11 registers it.
    let ed25519 =
        hex("a4010103272006215820d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    assert_eq!(
        PublicKey::from_cose(&ed25519),
        Err(WebAuthnError::UnsupportedAlgorithm(-8))
    );
    assert!(matches!(
        PublicKey::from_cose(&es256[..40]),
        Err(WebAuthnError::CoseKey(_))
    ));
}

#[test]
fn error_categories() {
    use ErrorCategory as C;
    use WebAuthnError as E;
    for (error, category) in [
        (E::OriginNotAllowed("x".into()), C::Origin),
        (E::CrossOrigin, C::Origin),
        (E::RpIdHashMismatch, C::RelyingParty),
        (E::ChallengeMismatch, C::Challenge),
        (E::ClientDataNotJson, C::ClientData),
        (E::UnsupportedFormat("tpm".into()), C::NotSupported),
        (E::UnsupportedAlgorithm(-8), C::NotSupported),
        (E::UserNotPresent, C::UserVerification),
        (E::UserNotVerified, C::UserVerification),
        (
            E::CounterNotIncreased {
                stored: 1,
                received: 1,
            },
            C::Counter,
        ),
        (E::Signature, C::Invalid),
        (E::ChainSignature(0), C::Invalid),
    ] {
        assert_eq!(error.category(), category, "{error}");
    }
}

// ---------------------------------------------------------------------------------------
// The software authenticator, verified by the same functions.
// ---------------------------------------------------------------------------------------

const RP: &str = "localhost";
const ORIGIN: &str = "http://localhost:3000";

#[test]
fn soft_authenticator_registers_in_each_format() {
    let challenge = [0x42u8; 32];
    let ceremony = Ceremony::new(RP, ORIGIN, challenge.to_vec()).uv();
    for (attestation, expected) in [
        (Attestation::None, AttestationType::None),
        (Attestation::PackedSelf, AttestationType::SelfAttestation),
        (
            Attestation::PackedX5c,
            AttestationType::Basic {
                subjects: vec![
                    "CN=Soft authenticator,OU=Authenticator Attestation,O=Cognito emulator,C=US"
                        .into(),
                    "CN=Soft authenticator attestation CA,OU=Authenticator Attestation CA,O=Cognito emulator,C=US"
                        .into(),
                ],
            },
        ),
    ] {
        let mut authenticator = SoftAuthenticator::new(b"seed").unwrap();
        let credential = authenticator
            .register(RP, ORIGIN, &challenge, true, attestation)
            .unwrap();
        let registration = ceremony.register(&credential).unwrap();
        assert_eq!(registration.attestation, expected);
        assert_eq!(registration.credential_id, authenticator.credential_id());
        assert_eq!(registration.public_key, authenticator.public_key().unwrap());
        assert_eq!(registration.aaguid, authenticator.aaguid());
        assert_eq!(registration.sign_count, 0);
        assert_eq!(registration.transports, ["internal", "hybrid"]);
        assert_eq!(registration.authenticator_attachment.as_deref(), Some("platform"));
    }
    // Registering without user verification, where it is required.
    let mut authenticator = SoftAuthenticator::new(b"seed").unwrap();
    let credential = authenticator
        .register(RP, ORIGIN, &challenge, false, Attestation::None)
        .unwrap();
    check(
        ceremony.register(&credential),
        WebAuthnError::UserNotVerified,
        ErrorCategory::UserVerification,
    );
}

#[test]
fn soft_authenticator_counts_its_assertions() {
    let mut authenticator = SoftAuthenticator::new(b"counter")
        .unwrap()
        .with_user_handle(b"user-sub")
        .with_backup(true, true);
    let registration = Ceremony::new(RP, ORIGIN, vec![1; 16])
        .register(
            &authenticator
                .register(RP, ORIGIN, &[1; 16], true, Attestation::None)
                .unwrap(),
        )
        .unwrap();
    assert!(registration.backup_eligible && registration.backed_up);
    let key = registration.public_key;

    let mut stored = registration.sign_count;
    for round in 1..=3u32 {
        let challenge = [round as u8; 32];
        let credential = authenticator
            .authenticate(RP, ORIGIN, &challenge, true)
            .unwrap();
        assert_eq!(
            credential_id(&credential).unwrap(),
            authenticator.credential_id()
        );
        let assertion = Ceremony::new(RP, ORIGIN, challenge.to_vec())
            .uv()
            .assert(&credential, &key, stored)
            .unwrap();
        assert_eq!(assertion.sign_count, round);
        assert_eq!(assertion.user_handle.as_deref(), Some(&b"user-sub"[..]));
        stored = assertion.sign_count;
    }

    // A clone still at counter 1 answers with 2, which is not above the stored 3.
    authenticator.set_sign_count(1);
    let credential = authenticator
        .authenticate(RP, ORIGIN, &[9; 32], false)
        .unwrap();
    check(
        Ceremony::new(RP, ORIGIN, vec![9; 32]).assert(&credential, &key, stored),
        WebAuthnError::CounterNotIncreased {
            stored: 3,
            received: 2,
        },
        ErrorCategory::Counter,
    );
    // Without user verification, where it is required.
    let credential = authenticator
        .authenticate(RP, ORIGIN, &[8; 32], false)
        .unwrap();
    check(
        Ceremony::new(RP, ORIGIN, vec![8; 32])
            .uv()
            .assert(&credential, &key, 0),
        WebAuthnError::UserNotVerified,
        ErrorCategory::UserVerification,
    );
}

#[test]
fn soft_authenticator_is_deterministic_and_redacted() {
    let mut a = SoftAuthenticator::new(b"same").unwrap();
    let mut b = SoftAuthenticator::new(b"same").unwrap();
    assert_eq!(
        a.register(RP, ORIGIN, &[3; 32], true, Attestation::PackedX5c)
            .unwrap(),
        b.register(RP, ORIGIN, &[3; 32], true, Attestation::PackedX5c)
            .unwrap()
    );
    assert_ne!(
        SoftAuthenticator::new(b"other").unwrap().credential_id(),
        a.credential_id()
    );
    let shown = format!("{a:?}");
    assert!(shown.contains("<redacted>"), "{shown}");
    assert!(!shown.contains("SigningKey"), "{shown}");
}
