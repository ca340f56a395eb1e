//! RS256 JSON Web Tokens: compact JWS signing and verification ([RFC 7515], [RFC 7518]
//! §3.3, [RFC 7519]) with a user pool's RSA-2048 key.
//!
//! Cognito's tokens carry the protected header `{"kid":"...","alg":"RS256"}` and are
//! signed with RSASSA-PKCS1-v1_5 and SHA-256 (RFC 8017 §8.2). A [`SigningKey`] is
//! generated with the `rsa` crate from a caller's RNG and kept as PKCS#8; signing and
//! verification run in `ring`, which signs about twice as fast. Its `kid` is the
//! standard base64 of the key's RFC 7638 thumbprint, so it is stable for a given key
//! and shaped like Cognito's (44 characters ending in `=`).
//!
//! What a token *means* (issuer, audience, `token_use`, expiry against the caller's
//! clock) is the caller's business; [`check_time`] helps with the last.
//!
//! [RFC 7515]: https://www.rfc-editor.org/rfc/rfc7515
//! [RFC 7518]: https://www.rfc-editor.org/rfc/rfc7518
//! [RFC 7519]: https://www.rfc-editor.org/rfc/rfc7519

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use rand_core::CryptoRngCore;
use ring::signature::{RsaKeyPair, RsaPublicKeyComponents};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use rsa::traits::PublicKeyParts;
use serde_json::{Map, Value};

use crate::jwk::RsaJwk;
use crate::secret::Secret;

/// The size of the keys [`SigningKey::generate`] makes, in bits.
pub const KEY_BITS: usize = 2048;

/// Why a signing key could not be made or read. Each variant names the check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The RSA key generation failed (the RNG or the prime search).
    #[error("RSA key generation failed: {0}")]
    GenerationFailed(String),
    /// The bytes are not a PKCS#8 RSA private key (RFC 5958, RFC 8017 Appendix A.1.2).
    #[error("not a PKCS#8 RSA private key")]
    Pkcs8Malformed,
    /// `ring` refused the key: inconsistent components or a modulus outside 2048..4096
    /// bits.
    #[error("RSA key rejected: {0}")]
    KeyRejected(String),
    /// The public key could not be written as a SubjectPublicKeyInfo.
    #[error("the public key could not be encoded")]
    PublicKeyEncoding,
}

/// Why a token could not be signed or was rejected. Each variant names the check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    /// RFC 7519 §7.1 step 1 / §7.2 step 10: the claims are a JSON object.
    #[error("the claims are not a JSON object")]
    ClaimsNotObject,
    /// The extra header members may not replace `kid` or `alg`.
    #[error("the header member {0:?} is set by the key")]
    HeaderMemberReserved(String),
    /// The RSA signature operation failed.
    #[error("signing failed")]
    SigningFailed,
    /// RFC 7515 §7.1: a compact JWS is three base64url parts joined by two periods.
    #[error("the token is not three period-separated parts")]
    NotThreeParts,
    /// RFC 7515 §5.2 step 2: the protected header is base64url.
    #[error("the token header is not base64url")]
    HeaderNotBase64Url,
    /// RFC 7515 §5.2 step 3: the protected header is a JSON object.
    #[error("the token header is not a JSON object")]
    HeaderNotObject,
    /// RFC 7515 §4.1.1 / RFC 7518 §3.1: `alg` is `RS256`, the only algorithm accepted.
    #[error("the token algorithm is not RS256")]
    AlgorithmNotRs256,
    /// RFC 7515 §4.1.11: a `crit` header names extensions this verifier does not know.
    #[error("the token has critical header extensions")]
    CriticalHeader,
    /// RFC 7515 §4.1.4: the token's `kid` is not this key's.
    #[error("the token's kid is not this key's")]
    KidMismatch,
    /// RFC 7515 §5.2 step 6: the signature is base64url.
    #[error("the token signature is not base64url")]
    SignatureNotBase64Url,
    /// RFC 7515 §5.2 step 8 / RFC 8017 §8.2.2: the RSASSA-PKCS1-v1_5 signature does not
    /// verify.
    #[error("the token signature does not verify")]
    SignatureInvalid,
    /// RFC 7515 §5.2 step 6: the payload is base64url.
    #[error("the token payload is not base64url")]
    PayloadNotBase64Url,
    /// RFC 7519 §4.1.4: `exp` is missing or not a number.
    #[error("the token has no numeric exp claim")]
    ExpiryMissing,
    /// RFC 7519 §4.1.4: the current time is not before `exp`.
    #[error("the token has expired")]
    Expired,
    /// RFC 7519 §4.1.5: the current time is before `nbf`.
    #[error("the token is not yet valid")]
    NotYetValid,
}

/// A user pool's RSA signing key, with its `kid`. `Debug` shows only the `kid`.
pub struct SigningKey {
    key_pair: RsaKeyPair,
    pkcs8: Secret<Vec<u8>>,
    public_key_der: Vec<u8>,
    verifying: VerifyingKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid())
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Generates an RSA-2048 key (e = 65537) from `rng`. Takes a few hundred
    /// milliseconds; do it once per pool and keep the key.
    pub fn generate<R: CryptoRngCore + ?Sized>(rng: &mut R) -> Result<Self, KeyError> {
        let private = rsa::RsaPrivateKey::new(rng, KEY_BITS)
            .map_err(|e| KeyError::GenerationFailed(e.to_string()))?;
        let pkcs8 = private
            .to_pkcs8_der()
            .map_err(|_| KeyError::Pkcs8Malformed)?;
        Self::from_pkcs8_der(pkcs8.as_bytes())
    }

    /// Reads a key saved with [`SigningKey::to_pkcs8_der`] (PKCS#8 DER, RFC 5958).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        let private =
            rsa::RsaPrivateKey::from_pkcs8_der(der).map_err(|_| KeyError::Pkcs8Malformed)?;
        let key_pair =
            RsaKeyPair::from_pkcs8(der).map_err(|e| KeyError::KeyRejected(e.to_string()))?;
        let public = private.to_public_key();
        let public_key_der = public
            .to_public_key_der()
            .map_err(|_| KeyError::PublicKeyEncoding)?
            .into_vec();
        let mut jwk = RsaJwk::new("", &public.n().to_bytes_be(), &public.e().to_bytes_be());
        jwk.kid = STANDARD.encode(jwk.thumbprint());
        Ok(SigningKey {
            key_pair,
            pkcs8: Secret::new(der.to_vec()),
            public_key_der,
            verifying: VerifyingKey { jwk },
        })
    }

    /// The same key under another `kid` (for instance a random id the caller chose).
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.verifying.jwk.kid = kid.into();
        self
    }

    /// The private key as PKCS#8 DER, to save it.
    pub fn to_pkcs8_der(&self) -> &Secret<Vec<u8>> {
        &self.pkcs8
    }

    /// The key id tokens carry in their header.
    pub fn kid(&self) -> &str {
        &self.verifying.jwk.kid
    }

    /// The public key as a JWK, as `/.well-known/jwks.json` lists it.
    pub fn jwk(&self) -> &RsaJwk {
        &self.verifying.jwk
    }

    /// The public key as a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7, RFC 3279
    /// §2.3.1).
    pub fn public_key_der(&self) -> &[u8] {
        &self.public_key_der
    }

    /// The key that checks this key's tokens.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.verifying
    }

    /// Signs `claims` (a JSON object) as a compact JWS with the header
    /// `{"kid":...,"alg":"RS256"}` followed by the members of `header_extra`.
    pub fn sign(
        &self,
        header_extra: &Map<String, Value>,
        claims: &Value,
    ) -> Result<String, JwtError> {
        // RFC 7519 §7.1 step 1: the claims set is a JSON object.
        if !claims.is_object() {
            return Err(JwtError::ClaimsNotObject);
        }
        // RFC 7519 §7.1 step 3: the JOSE header, `kid` and `alg` first, as Cognito's.
        let mut header = Map::new();
        header.insert("kid".to_string(), Value::from(self.kid()));
        header.insert("alg".to_string(), Value::from("RS256"));
        for (name, value) in header_extra {
            if header.contains_key(name) {
                return Err(JwtError::HeaderMemberReserved(name.clone()));
            }
            header.insert(name.clone(), value.clone());
        }
        // RFC 7519 §7.1 step 2 / RFC 7515 §5.1 steps 2 and 4: the UTF-8 octets.
        let header = Value::Object(header).to_string();
        let payload = claims.to_string();
        self.sign_compact(header.as_bytes(), payload.as_bytes())
    }

    /// RFC 7515 §5.1: a compact JWS of exactly these header and payload octets.
    pub(crate) fn sign_compact(&self, header: &[u8], payload: &[u8]) -> Result<String, JwtError> {
        // Steps 3 and 5: BASE64URL(UTF8(header)) and BASE64URL(payload).
        let mut token = URL_SAFE_NO_PAD.encode(header);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(payload, &mut token);
        // Step 6: sign ASCII(BASE64URL(header) || '.' || BASE64URL(payload)).
        let signature = self.sign_bytes(token.as_bytes())?;
        // Steps 7 and 8: append BASE64URL(signature).
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(signature, &mut token);
        Ok(token)
    }

    /// RFC 8017 §8.2.1: RSASSA-PKCS1-v1_5 with SHA-256 over `message`.
    pub fn sign_bytes(&self, message: &[u8]) -> Result<Vec<u8>, JwtError> {
        // `ring` takes a generator for every padding, but EMSA-PKCS1-v1_5 (RFC 8017
        // §9.2) is deterministic and `ring` never draws from it there (the RFC 7515
        // A.2 test pins the output). No randomness is read.
        let unused = ring::rand::SystemRandom::new();
        let mut signature = vec![0; self.key_pair.public().modulus_len()];
        self.key_pair
            .sign(
                &ring::signature::RSA_PKCS1_SHA256,
                &unused,
                message,
                &mut signature,
            )
            .map_err(|_| JwtError::SigningFailed)?;
        Ok(signature)
    }

    /// [`VerifyingKey::verify`] with this key's public half.
    pub fn verify(&self, token: &str) -> Result<Value, JwtError> {
        self.verifying.verify(token)
    }
}

/// An RSA public key that verifies RS256 tokens naming its `kid`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyingKey {
    jwk: RsaJwk,
}

impl From<RsaJwk> for VerifyingKey {
    fn from(jwk: RsaJwk) -> Self {
        VerifyingKey { jwk }
    }
}

/// A token split into its parts, before any check of the signature.
struct Parts<'a> {
    header: &'a str,
    payload: &'a str,
    signature: &'a str,
    signing_input: &'a str,
}

/// RFC 7515 §7.1: `header.payload.signature`.
fn split(token: &str) -> Result<Parts<'_>, JwtError> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::NotThreeParts);
    };
    let signing_input = token
        .get(..header.len() + 1 + payload.len())
        .ok_or(JwtError::NotThreeParts)?;
    Ok(Parts {
        header,
        payload,
        signature,
        signing_input,
    })
}

/// RFC 7515 §5.2 steps 2 and 3: the protected header, a JSON object.
fn decode_header(header: &str) -> Result<Map<String, Value>, JwtError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| JwtError::HeaderNotBase64Url)?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(header)) => Ok(header),
        _ => Err(JwtError::HeaderNotObject),
    }
}

/// RFC 7515 §5.2 step 6 and RFC 7519 §7.2 step 10: the payload, a JSON object.
fn decode_claims(payload: &str) -> Result<Value, JwtError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| JwtError::PayloadNotBase64Url)?;
    match serde_json::from_slice(&bytes) {
        Ok(claims @ Value::Object(_)) => Ok(claims),
        _ => Err(JwtError::ClaimsNotObject),
    }
}

impl VerifyingKey {
    /// The key as a JWK.
    pub fn jwk(&self) -> &RsaJwk {
        &self.jwk
    }

    /// Checks a compact RS256 token and returns its claims: the form, the header's
    /// `alg`, `crit` and `kid`, the signature, then the payload. Expiry is the caller's
    /// check ([`check_time`]).
    pub fn verify(&self, token: &str) -> Result<Value, JwtError> {
        // RFC 7515 §7.1: three parts.
        let parts = split(token)?;
        // RFC 7515 §5.2 steps 2-3: the header decodes to a JSON object.
        let header = decode_header(parts.header)?;
        // RFC 7515 §5.2 step 5 / §4.1.1: the algorithm is the one this key is for, so
        // neither `none` nor an HMAC with the public key as secret gets through.
        if header.get("alg").and_then(Value::as_str) != Some("RS256") {
            return Err(JwtError::AlgorithmNotRs256);
        }
        // RFC 7515 §4.1.11: no critical extensions are understood here.
        if header.contains_key("crit") {
            return Err(JwtError::CriticalHeader);
        }
        // RFC 7515 §4.1.4: the token names this key.
        if header.get("kid").and_then(Value::as_str) != Some(self.jwk.kid.as_str()) {
            return Err(JwtError::KidMismatch);
        }
        // RFC 7515 §5.2 steps 6 and 8: the signature over the signing input.
        let signature = URL_SAFE_NO_PAD
            .decode(parts.signature)
            .map_err(|_| JwtError::SignatureNotBase64Url)?;
        self.verify_bytes(parts.signing_input.as_bytes(), &signature)?;
        // RFC 7519 §7.2 steps 7-10: the claims are a JSON object.
        decode_claims(parts.payload)
    }

    /// RFC 8017 §8.2.2: RSASSA-PKCS1-v1_5 with SHA-256.
    pub fn verify_bytes(&self, message: &[u8], signature: &[u8]) -> Result<(), JwtError> {
        RsaPublicKeyComponents {
            n: &self.jwk.n,
            e: &self.jwk.e,
        }
        .verify(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            message,
            signature,
        )
        .map_err(|_| JwtError::SignatureInvalid)
    }
}

/// The header and claims of a token, **without checking its signature**: for choosing
/// the key (by `kid` or `iss`) before verifying. Never trust what it returns.
pub fn danger_decode_unverified(token: &str) -> Result<(Map<String, Value>, Value), JwtError> {
    let parts = split(token)?;
    Ok((decode_header(parts.header)?, decode_claims(parts.payload)?))
}

/// RFC 7519 §4.1.4 and §4.1.5 against the caller's clock: `exp` must be present and
/// after `now`; `nbf`, if present, not after it.
pub fn check_time(claims: &Value, now: i64) -> Result<(), JwtError> {
    let now = now as f64;
    let exp = claims
        .get("exp")
        .and_then(Value::as_f64)
        .ok_or(JwtError::ExpiryMissing)?;
    if now >= exp {
        return Err(JwtError::Expired);
    }
    if let Some(nbf) = claims.get("nbf").and_then(Value::as_f64) {
        if now < nbf {
            return Err(JwtError::NotYetValid);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
