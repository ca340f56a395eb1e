//! RSA public keys as JSON Web Keys ([RFC 7517], [RFC 7518] §6.3), JWK Sets, and JWK
//! thumbprints ([RFC 7638]): what a user pool serves at `/.well-known/jwks.json`.
//!
//! Only what Cognito publishes is modelled: RSA signing keys for `RS256`, written
//! `{"alg":"RS256","e":"AQAB","kid":"...","kty":"RSA","n":"...","use":"sig"}` with the
//! members in that (alphabetical) order.
//!
//! [RFC 7517]: https://www.rfc-editor.org/rfc/rfc7517
//! [RFC 7518]: https://www.rfc-editor.org/rfc/rfc7518
//! [RFC 7638]: https://www.rfc-editor.org/rfc/rfc7638

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

/// Why a JSON value is not an RSA public JWK this crate can use. Each variant names the
/// check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwkError {
    /// RFC 7517 §4: a JWK is a JSON object.
    #[error("the JWK is not a JSON object")]
    NotAnObject,
    /// RFC 7517 §4.1: `kty` is required; here it must be `RSA`.
    #[error("the JWK's kty is not RSA")]
    KeyTypeNotRsa,
    /// A required member (`n`, `e` or `kid`) is missing or not a string.
    #[error("the JWK has no string member {0:?}")]
    MissingMember(&'static str),
    /// RFC 7518 §6.3.1: `n` and `e` are base64url without padding.
    #[error("the JWK member {0:?} is not base64url")]
    NotBase64Url(&'static str),
    /// RFC 7518 §2 (`Base64urlUInt`): the minimum number of octets, so no leading zero.
    #[error("the JWK member {0:?} is not a minimal unsigned integer")]
    NotMinimal(&'static str),
    /// RFC 7517 §4.4: if present, `alg` must be the algorithm used here, `RS256`.
    #[error("the JWK's alg is not RS256")]
    AlgorithmNotRs256,
    /// RFC 7517 §4.2: if present, `use` must be `sig`.
    #[error("the JWK's use is not sig")]
    UseNotSig,
}

/// An RSA public key for `RS256` with its key id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaJwk {
    /// `kid`: how tokens name the key.
    pub kid: String,
    /// The modulus `n`, big-endian, no leading zero octets.
    pub n: Vec<u8>,
    /// The public exponent `e`, big-endian, no leading zero octets.
    pub e: Vec<u8>,
}

impl RsaJwk {
    /// A key from its modulus and exponent (leading zero octets are dropped).
    pub fn new(kid: impl Into<String>, n: &[u8], e: &[u8]) -> Self {
        RsaJwk {
            kid: kid.into(),
            n: strip_leading_zeros(n).to_vec(),
            e: strip_leading_zeros(e).to_vec(),
        }
    }

    /// The JWK as Cognito writes it: `alg`, `e`, `kid`, `kty`, `n`, `use`.
    pub fn to_json(&self) -> Value {
        json!({
            "alg": "RS256",
            "e": URL_SAFE_NO_PAD.encode(&self.e),
            "kid": self.kid,
            "kty": "RSA",
            "n": URL_SAFE_NO_PAD.encode(&self.n),
            "use": "sig",
        })
    }

    /// Reads an RSA public JWK, checking each member it relies on.
    pub fn from_json(value: &Value) -> Result<Self, JwkError> {
        // RFC 7517 §4: a JSON object.
        let object = value.as_object().ok_or(JwkError::NotAnObject)?;
        // RFC 7517 §4.1 and RFC 7518 §6.1: "kty" is "RSA".
        if object.get("kty").and_then(Value::as_str) != Some("RSA") {
            return Err(JwkError::KeyTypeNotRsa);
        }
        // RFC 7517 §4.4: "alg", when present, is the one the key is used with.
        if let Some(alg) = object.get("alg") {
            if alg.as_str() != Some("RS256") {
                return Err(JwkError::AlgorithmNotRs256);
            }
        }
        // RFC 7517 §4.2: "use", when present, is "sig".
        if let Some(key_use) = object.get("use") {
            if key_use.as_str() != Some("sig") {
                return Err(JwkError::UseNotSig);
            }
        }
        // RFC 7518 §6.3.1.1 and §6.3.1.2: "n" and "e" are Base64urlUInt.
        let n = base64url_uint(object, "n")?;
        let e = base64url_uint(object, "e")?;
        let kid = object
            .get("kid")
            .and_then(Value::as_str)
            .ok_or(JwkError::MissingMember("kid"))?;
        Ok(RsaJwk {
            kid: kid.to_string(),
            n,
            e,
        })
    }

    /// RFC 7638 §3: SHA-256 of the required members in lexicographic order, without
    /// whitespace: `{"e":"...","kty":"RSA","n":"..."}`.
    pub fn thumbprint(&self) -> [u8; 32] {
        // §3.2 / §3.3: only the required members, sorted, no whitespace. The base64url
        // alphabet needs no JSON escaping, so the string is built directly.
        let canonical = format!(
            r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
            URL_SAFE_NO_PAD.encode(&self.e),
            URL_SAFE_NO_PAD.encode(&self.n)
        );
        Sha256::digest(canonical.as_bytes()).into()
    }
}

/// RFC 7517 §5: a JWK Set, `{"keys": [...]}`.
pub fn jwk_set<'a>(keys: impl IntoIterator<Item = &'a RsaJwk>) -> Value {
    json!({ "keys": keys.into_iter().map(RsaJwk::to_json).collect::<Vec<_>>() })
}

fn base64url_uint(object: &Map<String, Value>, name: &'static str) -> Result<Vec<u8>, JwkError> {
    let text = object
        .get(name)
        .and_then(Value::as_str)
        .ok_or(JwkError::MissingMember(name))?;
    let bytes = URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| JwkError::NotBase64Url(name))?;
    match bytes.first() {
        None | Some(0) => Err(JwkError::NotMinimal(name)),
        Some(_) => Ok(bytes),
    }
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7517 Appendix A.1, the RSA key of the example public key set (also RFC 7638
    /// §3.1's example).
    const RFC7517_A1_N: &str = concat!(
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP",
        "ebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY",
        "368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0f",
        "M4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
    );

    fn rfc7517_a1() -> Value {
        json!({"kty": "RSA", "n": RFC7517_A1_N, "e": "AQAB", "alg": "RS256", "kid": "2011-04-29"})
    }

    #[test]
    fn reads_rfc7517_appendix_a1() {
        let jwk = RsaJwk::from_json(&rfc7517_a1()).unwrap();
        assert_eq!(jwk.kid, "2011-04-29");
        assert_eq!(jwk.n.len(), 256);
        assert_eq!(jwk.e, [1, 0, 1]);
        // Written back: the same members, plus "use", in Cognito's order.
        assert_eq!(
            serde_json::to_string(&jwk.to_json()).unwrap(),
            format!(
                r#"{{"alg":"RS256","e":"AQAB","kid":"2011-04-29","kty":"RSA","n":"{RFC7517_A1_N}","use":"sig"}}"#
            )
        );
        assert_eq!(RsaJwk::from_json(&jwk.to_json()), Ok(jwk));
    }

    #[test]
    fn thumbprint_is_rfc7638_section_3_1s() {
        let jwk = RsaJwk::from_json(&rfc7517_a1()).unwrap();
        assert_eq!(
            URL_SAFE_NO_PAD.encode(jwk.thumbprint()),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    #[test]
    fn jwk_set_wraps_keys() {
        let jwk = RsaJwk::new("k1", &[0, 0, 0xc3, 0x01], &[0, 1, 0, 1]);
        assert_eq!(jwk.n, [0xc3, 0x01]);
        assert_eq!(
            jwk_set([&jwk]),
            json!({"keys": [{"alg": "RS256", "e": "AQAB", "kid": "k1", "kty": "RSA", "n": "wwE", "use": "sig"}]})
        );
    }

    #[test]
    fn rejects_what_it_cannot_use() {
        let with = |name: &str, value: Value| {
            let mut jwk = rfc7517_a1();
            jwk[name] = value;
            RsaJwk::from_json(&jwk)
        };
        let without = |name: &str| {
            let mut jwk = rfc7517_a1();
            jwk.as_object_mut().unwrap().remove(name);
            RsaJwk::from_json(&jwk)
        };
        assert_eq!(RsaJwk::from_json(&json!([])), Err(JwkError::NotAnObject));
        assert_eq!(with("kty", json!("EC")), Err(JwkError::KeyTypeNotRsa));
        assert_eq!(without("kty"), Err(JwkError::KeyTypeNotRsa));
        assert_eq!(
            with("alg", json!("RS512")),
            Err(JwkError::AlgorithmNotRs256)
        );
        assert_eq!(with("use", json!("enc")), Err(JwkError::UseNotSig));
        assert_eq!(without("n"), Err(JwkError::MissingMember("n")));
        assert_eq!(with("e", json!(65537)), Err(JwkError::MissingMember("e")));
        assert_eq!(without("kid"), Err(JwkError::MissingMember("kid")));
        assert_eq!(with("e", json!("AQAB=")), Err(JwkError::NotBase64Url("e")));
        assert_eq!(with("n", json!("a+b/")), Err(JwkError::NotBase64Url("n")));
        assert_eq!(with("e", json!("AAEAAQ")), Err(JwkError::NotMinimal("e")));
        assert_eq!(with("n", json!("")), Err(JwkError::NotMinimal("n")));
        assert!(without("alg").is_ok());
    }
}
