use std::sync::OnceLock;

use rand::rngs::StdRng;
use rand::SeedableRng;
use rsa::BigUint;
use serde_json::json;

use super::*;

/// One generated key for the tests that need any key (generation is the slow part).
fn key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::generate(&mut StdRng::seed_from_u64(7)).unwrap())
}

fn b64u(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text).unwrap()
}

// ---------------------------------------------------------------------------------------
// RFC 7515 Appendix A.2: "Example JWS Using RSASSA-PKCS1-v1_5 SHA-256".
// ---------------------------------------------------------------------------------------

const A2_N: &str = concat!(
    "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4",
    "QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdb",
    "BYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-D",
    "WNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ",
);
const A2_E: &str = "AQAB";
const A2_D: &str = concat!(
    "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoA",
    "Je46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpR",
    "LI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZF",
    "D9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ",
);
const A2_P: &str = concat!(
    "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJd",
    "TJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc",
);
const A2_Q: &str = concat!(
    "uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_",
    "YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc",
);
const A2_HEADER: &[u8] = br#"{"alg":"RS256"}"#;
const A2_PAYLOAD: &[u8] =
    b"{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";
const A2_JWS: &str = concat!(
    "eyJhbGciOiJSUzI1NiJ9",
    ".",
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ",
    ".",
    "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujG",
    "bds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K",
    "0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6",
    "LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw",
);

fn a2_key() -> SigningKey {
    let number = |text| BigUint::from_bytes_be(&b64u(text));
    let private = rsa::RsaPrivateKey::from_components(
        number(A2_N),
        number(A2_E),
        number(A2_D),
        vec![number(A2_P), number(A2_Q)],
    )
    .unwrap();
    SigningKey::from_pkcs8_der(private.to_pkcs8_der().unwrap().as_bytes()).unwrap()
}

#[test]
fn rfc7515_appendix_a2_signature() {
    let key = a2_key();
    // The same octets give the published token: PKCS#1 v1.5 is deterministic.
    assert_eq!(key.sign_compact(A2_HEADER, A2_PAYLOAD).unwrap(), A2_JWS);
    // The public half is the example's, and checks the published signature.
    assert_eq!(key.jwk().n, b64u(A2_N));
    assert_eq!(key.jwk().e, b64u(A2_E));
    let parts = split(A2_JWS).unwrap();
    key.verifying_key()
        .verify_bytes(parts.signing_input.as_bytes(), &b64u(parts.signature))
        .unwrap();
    // The example's header has no kid, so it is not a token of this key.
    assert_eq!(key.verify(A2_JWS), Err(JwtError::KidMismatch));
}

// ---------------------------------------------------------------------------------------
// Round trips and rejections.
// ---------------------------------------------------------------------------------------

fn claims() -> Value {
    json!({"sub": "u-1", "token_use": "access", "exp": 2_000_000_000, "iat": 1_999_996_400})
}

#[test]
fn signs_with_cognitos_header_and_verifies() {
    let key = key();
    let token = key.sign(&Map::new(), &claims()).unwrap();
    let (header, decoded) = danger_decode_unverified(&token).unwrap();
    assert_eq!(
        Value::Object(header).to_string(),
        format!(r#"{{"kid":"{}","alg":"RS256"}}"#, key.kid())
    );
    assert_eq!(decoded, claims());
    assert_eq!(key.verify(&token), Ok(claims()));
    // A verifier built from the published JWK accepts it too.
    let published = RsaJwk::from_json(&key.jwk().to_json()).unwrap();
    assert_eq!(VerifyingKey::from(published).verify(&token), Ok(claims()));
}

#[test]
fn kid_is_the_base64_thumbprint_and_survives_export() {
    let key = key();
    assert_eq!(key.kid().len(), 44);
    assert!(key.kid().ends_with('='));
    assert_eq!(STANDARD.decode(key.kid()).unwrap(), key.jwk().thumbprint());
    let again = SigningKey::from_pkcs8_der(key.to_pkcs8_der().expose()).unwrap();
    assert_eq!(again.kid(), key.kid());
    assert_eq!(again.public_key_der(), key.public_key_der());
    let renamed = again.with_kid("pool-key-1");
    assert_eq!(renamed.kid(), "pool-key-1");
    assert_eq!(renamed.jwk().kid, "pool-key-1");
    assert_eq!(
        format!("{renamed:?}"),
        r#"SigningKey { kid: "pool-key-1", .. }"#
    );
}

#[test]
fn header_extras_follow_kid_and_alg() {
    let key = key();
    let mut extra = Map::new();
    extra.insert("typ".to_string(), json!("JWT"));
    let token = key.sign(&extra, &claims()).unwrap();
    let (header, _) = danger_decode_unverified(&token).unwrap();
    assert_eq!(header.keys().collect::<Vec<_>>(), ["kid", "alg", "typ"]);
    assert_eq!(key.verify(&token), Ok(claims()));

    let mut reserved = Map::new();
    reserved.insert("alg".to_string(), json!("none"));
    assert_eq!(
        key.sign(&reserved, &claims()),
        Err(JwtError::HeaderMemberReserved("alg".to_string()))
    );
    assert_eq!(
        key.sign(&Map::new(), &json!([1])),
        Err(JwtError::ClaimsNotObject)
    );
}

/// A token whose header and payload are these JSON texts, signed by `key`.
fn forge(key: &SigningKey, header: &str, payload: &str) -> String {
    key.sign_compact(header.as_bytes(), payload.as_bytes())
        .unwrap()
}

#[test]
fn tampered_and_foreign_tokens_are_rejected() {
    let key = key();
    let kid = key.kid();
    let token = key.sign(&Map::new(), &claims()).unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    let join = |h: &str, p: &str, s: &str| format!("{h}.{p}.{s}");
    let b64 = |text: &str| URL_SAFE_NO_PAD.encode(text);

    // A changed payload or header breaks the signature.
    let other_claims = b64(&json!({"sub": "admin", "exp": 2_000_000_000}).to_string());
    assert_eq!(
        key.verify(&join(parts[0], &other_claims, parts[2])),
        Err(JwtError::SignatureInvalid)
    );
    let mut signature = b64u(parts[2]);
    signature[10] ^= 1;
    assert_eq!(
        key.verify(&join(
            parts[0],
            parts[1],
            &URL_SAFE_NO_PAD.encode(&signature)
        )),
        Err(JwtError::SignatureInvalid)
    );
    assert_eq!(
        key.verify(&join(parts[0], parts[1], "")),
        Err(JwtError::SignatureInvalid)
    );

    // Algorithm substitution.
    for alg in ["none", "HS256", "RS512"] {
        let header = b64(&format!(r#"{{"kid":"{kid}","alg":"{alg}"}}"#));
        assert_eq!(
            key.verify(&join(&header, parts[1], parts[2])),
            Err(JwtError::AlgorithmNotRs256),
            "{alg}"
        );
    }
    let no_alg = b64(&format!(r#"{{"kid":"{kid}"}}"#));
    assert_eq!(
        key.verify(&join(&no_alg, parts[1], "")),
        Err(JwtError::AlgorithmNotRs256)
    );

    // Header checks, signed by the right key so only the named check fails.
    let crit = forge(
        key,
        &format!(r#"{{"kid":"{kid}","alg":"RS256","crit":["exp"]}}"#),
        "{}",
    );
    assert_eq!(key.verify(&crit), Err(JwtError::CriticalHeader));
    let other_kid = forge(key, r#"{"kid":"someone-else","alg":"RS256"}"#, "{}");
    assert_eq!(key.verify(&other_kid), Err(JwtError::KidMismatch));
    let array_claims = forge(key, &format!(r#"{{"kid":"{kid}","alg":"RS256"}}"#), "[1,2]");
    assert_eq!(key.verify(&array_claims), Err(JwtError::ClaimsNotObject));

    // Another key under the same kid fails the signature.
    let stranger = a2_key().with_kid(kid);
    let foreign = stranger.sign(&Map::new(), &claims()).unwrap();
    assert_eq!(key.verify(&foreign), Err(JwtError::SignatureInvalid));

    // Malformed compact forms.
    assert_eq!(key.verify("a.b"), Err(JwtError::NotThreeParts));
    assert_eq!(
        key.verify(&format!("{token}.x")),
        Err(JwtError::NotThreeParts)
    );
    assert_eq!(
        key.verify(&join("***", parts[1], parts[2])),
        Err(JwtError::HeaderNotBase64Url)
    );
    assert_eq!(
        key.verify(&join(&format!("{}=", parts[0]), parts[1], parts[2])),
        Err(JwtError::HeaderNotBase64Url)
    );
    assert_eq!(
        key.verify(&join(&b64("[]"), parts[1], parts[2])),
        Err(JwtError::HeaderNotObject)
    );
    assert_eq!(
        key.verify(&join(parts[0], parts[1], "!!")),
        Err(JwtError::SignatureNotBase64Url)
    );
    // A payload that is not base64url, yet signed.
    let input = format!(
        "{}.e30=",
        b64(&format!(r#"{{"kid":"{kid}","alg":"RS256"}}"#))
    );
    let signature = URL_SAFE_NO_PAD.encode(key.sign_bytes(input.as_bytes()).unwrap());
    assert_eq!(
        key.verify(&format!("{input}.{signature}")),
        Err(JwtError::PayloadNotBase64Url)
    );
}

#[test]
fn check_time_follows_exp_and_nbf() {
    let claims = json!({"exp": 1000, "nbf": 900});
    assert_eq!(check_time(&claims, 950), Ok(()));
    assert_eq!(check_time(&claims, 999), Ok(()));
    assert_eq!(check_time(&claims, 1000), Err(JwtError::Expired));
    assert_eq!(check_time(&claims, 899), Err(JwtError::NotYetValid));
    assert_eq!(check_time(&json!({"exp": 1000.5}), 1000), Ok(()));
    assert_eq!(check_time(&json!({}), 0), Err(JwtError::ExpiryMissing));
    assert_eq!(
        check_time(&json!({"exp": "1000"}), 0),
        Err(JwtError::ExpiryMissing)
    );
}

#[test]
fn keys_are_read_only_from_pkcs8() {
    assert_eq!(
        SigningKey::from_pkcs8_der(b"not a key").unwrap_err(),
        KeyError::Pkcs8Malformed
    );
}
