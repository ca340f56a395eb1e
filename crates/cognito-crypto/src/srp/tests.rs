use num_bigint::BigUint;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::client::{Challenge, ClientSession};
use super::*;
use crate::password::identity_hash;

fn hex_number(text: &str) -> BigUint {
    let digits: String = text.split_whitespace().collect();
    BigUint::parse_bytes(digits.as_bytes(), 16).unwrap()
}

fn hex_bytes(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect()
}

// ---------------------------------------------------------------------------------------
// RFC 5054 Appendix B, run through the same step functions with its own suite.
// ---------------------------------------------------------------------------------------

/// RFC 5054's test suite: the 1024-bit group of Appendix A, SHA-1, and `PAD()` to the
/// length of `N`.
struct Rfc5054Sha1(Group);

impl Suite for Rfc5054Sha1 {
    type Hash = sha1::Sha1;

    fn group(&self) -> &Group {
        &self.0
    }

    fn pad(&self, n: &BigUint) -> Vec<u8> {
        let width = self.0.n.to_bytes_be().len();
        let bytes = n.to_bytes_be();
        let mut out = vec![0; width.saturating_sub(bytes.len())];
        out.extend_from_slice(&bytes);
        out
    }

    fn salt_bytes(&self, salt: &[u8]) -> Vec<u8> {
        salt.to_vec()
    }
}

const RFC5054_N_1024: &str = "
    EEAF0AB9 ADB38DD6 9C33F80A FA8FC5E8 60726187 75FF3C0B 9EA2314C
    9C256576 D674DF74 96EA81D3 383B4813 D692C6E0 E0D5D8E2 50B98BE4
    8E495C1D 6089DAD1 5DC7D7B4 6154D6B6 CE8EF4AD 69B15D49 82559B29
    7BCF1885 C529F566 660E57EC 68EDBC3C 05726CC0 2FD4CBF4 976EAA9A
    FD5138FE 8376435B 9FC61D2F C0EB06E3";

#[test]
fn rfc5054_appendix_b_vector() {
    let suite = Rfc5054Sha1(Group::new(hex_number(RFC5054_N_1024), BigUint::from(2u32)));
    let salt = hex_bytes("BEB25379 D1A8581E B5A72767 3A2441EE");
    let identity: [u8; 20] = sha1::Sha1::digest(b"alice:password123").into();
    let a = hex_number("60975527 035CF2AD 1989806F 0407210B C81EDC04 E2762A56 AFD529DD DA2D4393");
    let b = hex_number("E487CB59 D31AC550 471E81F0 0F6928E0 1DDA08E9 74A004F4 9E61F5D1 05284D20");

    assert_eq!(
        multiplier(&suite),
        hex_number("7556AA04 5AEF2CDD 07ABAF0F 665C3E81 8913186F")
    );
    let x = private_key(&suite, &salt, &identity);
    assert_eq!(
        x,
        hex_number("94B7555A ABE9127C C58CCF49 93DB6CF8 4D16C124")
    );
    let v = verifier_from_private_key(&suite, &x);
    assert_eq!(
        v,
        hex_number(
            "7E273DE8 696FFC4F 4E337D05 B4B375BE B0DDE156 9E8FA00A 9886D812
             9BADA1F1 822223CA 1A605B53 0E379BA4 729FDC59 F105B478 7E5186F5
             C671085A 1447B52A 48CF1970 B4FB6F84 00BBF4CE BFBB1681 52E08AB5
             EA53D15C 1AFF87B2 B9DA6E04 E058AD51 CC72BFC9 033B564E 26480D78
             E955A5E2 9E7AB245 DB2BE315 E2099AFB"
        )
    );
    let client_public = client_public(&suite, &a);
    assert_eq!(
        client_public,
        hex_number(
            "61D5E490 F6F1B795 47B0704C 436F523D D0E560F0 C64115BB 72557EC4
             4352E890 3211C046 92272D8B 2D1A5358 A2CF1B6E 0BFCF99F 921530EC
             8E393561 79EAE45E 42BA92AE ACED8251 71E1E8B9 AF6D9C03 E1327F44
             BE087EF0 6530E69F 66615261 EEF54073 CA11CF58 58F0EDFD FE15EFEA
             B349EF5D 76988A36 72FAC47B 0769447B"
        )
    );
    check_client_public(&suite, &client_public).unwrap();
    let public_b = server_public(&suite, &v, &b).unwrap();
    assert_eq!(
        public_b,
        hex_number(
            "BD0C6151 2C692C0C B6D041FA 01BB152D 4916A1E7 7AF46AE1 05393011
             BAF38964 DC46A067 0DD125B9 5A981652 236F99D9 B681CBF8 7837EC99
             6C6DA044 53728610 D0C6DDB5 8B318885 D7D82C7F 8DEB75CE 7BD4FBAA
             37089E6F 9C6059F3 88838E7A 00030B33 1EB76840 910440B1 B27AAEAE
             EB4012B7 D7665238 A8E3FB00 4B117B58"
        )
    );
    let u = scrambler(&suite, &client_public, &public_b).unwrap();
    let premaster = hex_number(
        "B0DC82BA BCF30674 AE450C02 87745E79 90A3381F 63B387AA F271A10D
             233861E3 59B48220 F7C4693C 9AE12B0A 6F67809F 0876E2D0 13800D6C
             41BB59B6 D5979B5C 00A172B4 A2A5903A 0BDCAF8A 709585EB 2AFAFA8F
             3499B200 210DCC1F 10EB3394 3CD67FC8 8A2F39A4 BE5BEC4E C0A3212D
             C346D7E4 74B29EDE 8A469FFE CA686E5A",
    );
    assert_eq!(
        u,
        hex_number("CE38B959 3487DA98 554ED47D 70A7AE5F 462EF019")
    );
    assert_eq!(
        server_premaster_secret(&suite, &client_public, &v, &u, &b),
        premaster
    );
    assert_eq!(
        client_premaster_secret(&suite, &public_b, &x, &a, &u),
        premaster
    );
    check_server_public(&suite, &public_b).unwrap();
}

#[test]
fn group_3072_is_rfc_5054s_safe_prime() {
    let group = group_3072();
    assert_eq!(group.n.bits(), 3072);
    assert_eq!(group.g, BigUint::from(2u32));
    // RFC 5054 Appendix A: "2^3072 - 2^3008 - 1 + 2^64 * { [2^2942 pi] + 1690314 }", so
    // the top and bottom 64 bits are all ones.
    let ones = (BigUint::from(1u32) << 64u32) - 1u32;
    assert_eq!(&group.n & &ones, ones);
    assert_eq!(&group.n >> 3008u32, ones);
    // A safe prime: N and (N - 1) / 2 both pass Fermat's test to bases 2 and 3.
    let q = (&group.n - 1u32) >> 1u32;
    for base in [2u32, 3] {
        let base = BigUint::from(base);
        assert_eq!(
            base.modpow(&(&group.n - 1u32), &group.n),
            BigUint::from(1u32)
        );
        assert_eq!(base.modpow(&(&q - 1u32), &q), BigUint::from(1u32));
    }
}

#[test]
fn pad_is_javas_to_byte_array() {
    let cases: &[(&[u8], &[u8])] = &[
        (&[], &[0]),
        (&[0x14], &[0x14]),
        (&[0x7f, 0xff], &[0x7f, 0xff]),
        (&[0x80], &[0x00, 0x80]),
        (&[0xec], &[0x00, 0xec]),
        (&[0x00, 0x00, 0x12], &[0x12]),
    ];
    for (number, expected) in cases {
        assert_eq!(
            pad(&BigUint::from_bytes_be(number)),
            *expected,
            "{number:?}"
        );
    }
    // k hashes 00 | N (385 bytes) | 02.
    assert_eq!(pad(&group_3072().n).len(), 385);
    assert_eq!(
        multiplier(&Cognito),
        BigUint::from_bytes_be(&Sha256::digest(
            [&[0u8][..], &group_3072().n.to_bytes_be(), &[2]].concat()
        ))
    );
}

#[test]
fn salt_hex_is_read_alike_as_number_and_as_string() {
    assert_eq!(salt_hex(&[0x9f, 0x01]), "009f01");
    assert_eq!(salt_hex(&[0x00, 0x12, 0x34]), "1234");
    assert_eq!(salt_hex(&[0x01, 0x23]), "0123");
    assert_eq!(salt_hex(&[0, 0]), "00");
}

const POOL: &str = "Ab12Cd34E";
const USER: &str = "0c9a5f7e-3b1d-4e26-8f4a-1d2c3b4a5f6e";
const SECRET_BLOCK: &str = "AQIDBAUGBwgJCgsMDQ4PEA==";
const NOW: i64 = 1_767_416_767; // Sat Jan 3 05:06:07 UTC 2026

struct Exchange {
    salt: [u8; 16],
    verifier: Verifier,
    server: ServerSession,
    client: ClientSession,
}

fn exchange(password: &str) -> Exchange {
    let salt = [0xa5; 16];
    let identity = identity_hash(POOL, USER, password);
    let verifier = verifier(&salt, &identity);
    let client = ClientSession::new(&[0x5c; 128]);
    let server = ServerSession::new(&verifier, &client.srp_a(), &[0x3e; 32]).unwrap();
    Exchange {
        salt,
        verifier,
        server,
        client,
    }
}

impl Exchange {
    fn client_signature(&self, password: &str, timestamp: &str) -> String {
        let challenge = Challenge {
            pool_name: POOL,
            user_id_for_srp: USER,
            salt: &salt_hex(&self.salt),
            srp_b: &self.server.srp_b(),
            secret_block: SECRET_BLOCK,
        };
        self.client
            .password_claim_signature(&challenge, password, timestamp)
            .unwrap()
    }

    fn verify(&self, signature: &str, timestamp: &str) -> Result<(), SrpError> {
        self.server.verify_password_claim(
            &self.verifier,
            &PasswordClaim {
                pool_name: POOL,
                user_id_for_srp: USER,
                secret_block: SECRET_BLOCK,
                timestamp,
                signature,
            },
        )
    }
}

#[test]
fn round_trip_accepts_the_right_password_only() {
    let exchange = exchange("Correct horse 1!");
    let timestamp = format_timestamp(NOW);
    assert_eq!(timestamp, "Sat Jan 3 05:06:07 UTC 2026");

    let right = exchange.client_signature("Correct horse 1!", &timestamp);
    assert_eq!(exchange.verify(&right, &timestamp), Ok(()));

    let wrong = exchange.client_signature("Correct horse 2!", &timestamp);
    assert_eq!(
        exchange.verify(&wrong, &timestamp),
        Err(SrpError::SignatureMismatch)
    );
}

#[test]
fn round_trip_signs_the_canonical_timestamp() {
    let exchange = exchange("pw");
    // A zero-padded day parses, but the server signs "Jan 3": the signature fails, as
    // it does against Cognito.
    let padded = "Sat Jan 03 05:06:07 UTC 2026";
    assert_eq!(parse_timestamp(padded), Ok(NOW));
    let signature = exchange.client_signature("pw", padded);
    assert_eq!(
        exchange.verify(&signature, padded),
        Err(SrpError::SignatureMismatch)
    );
    // So does a weekday that is not the date's.
    let wrong_day = "Mon Jan 3 05:06:07 UTC 2026";
    let signature = exchange.client_signature("pw", wrong_day);
    assert_eq!(
        exchange.verify(&signature, wrong_day),
        Err(SrpError::SignatureMismatch)
    );
    // A timestamp that does not parse is its own error.
    assert_eq!(
        exchange.verify(&signature, "yesterday"),
        Err(SrpError::Timestamp(TimestampError::Fields))
    );
}

#[test]
fn malformed_claims_fail_their_own_check() {
    let exchange = exchange("pw");
    let timestamp = format_timestamp(NOW);
    let signature = exchange.client_signature("pw", &timestamp);
    let claim = PasswordClaim {
        pool_name: POOL,
        user_id_for_srp: USER,
        secret_block: SECRET_BLOCK,
        timestamp: &timestamp,
        signature: &signature,
    };
    let key = exchange.server.session_key(&exchange.verifier).unwrap();
    assert_eq!(key.verify_password_claim(&claim), Ok(()));
    let unpadded = signature.trim_end_matches('=');
    assert_eq!(
        key.verify_password_claim(&PasswordClaim {
            signature: unpadded,
            ..claim
        }),
        Ok(())
    );
    assert_eq!(
        key.verify_password_claim(&PasswordClaim {
            secret_block: "not base64!",
            ..claim
        }),
        Err(SrpError::SecretBlockNotBase64)
    );
    assert_eq!(
        key.verify_password_claim(&PasswordClaim {
            secret_block: "AQIDBAUGBwgJCgsMDQ4PEQ==",
            ..claim
        }),
        Err(SrpError::SignatureMismatch)
    );
    assert_eq!(
        key.verify_password_claim(&PasswordClaim {
            signature: "%%%",
            ..claim
        }),
        Err(SrpError::SignatureNotBase64)
    );
    assert_eq!(
        key.verify_password_claim(&PasswordClaim {
            user_id_for_srp: "someone-else",
            ..claim
        }),
        Err(SrpError::SignatureMismatch)
    );
    assert_eq!(
        key.verify_password_claim(&PasswordClaim {
            signature: "AAAA",
            ..claim
        }),
        Err(SrpError::SignatureMismatch)
    );
}

#[test]
fn srp_a_is_checked_before_any_work() {
    let exchange = exchange("pw");
    let v = &exchange.verifier;
    let b = [1u8; 32];
    assert_eq!(
        ServerSession::new(v, "", &b).unwrap_err(),
        SrpError::SrpANotHex
    );
    assert_eq!(
        ServerSession::new(v, "12g4", &b).unwrap_err(),
        SrpError::SrpANotHex
    );
    assert_eq!(
        ServerSession::new(v, "+1234", &b).unwrap_err(),
        SrpError::SrpANotHex
    );
    assert_eq!(
        ServerSession::new(v, &"1".repeat(1025), &b).unwrap_err(),
        SrpError::SrpANotHex
    );
    assert_eq!(ServerSession::new(v, "0", &b).unwrap_err(), SrpError::ZeroA);
    let n = group_3072().n.to_str_radix(16);
    assert_eq!(ServerSession::new(v, &n, &b).unwrap_err(), SrpError::ZeroA);
    let two_n = (&group_3072().n * 2u32).to_str_radix(16);
    assert_eq!(
        ServerSession::new(v, &two_n, &b).unwrap_err(),
        SrpError::ZeroA
    );
    // Upper case and a sign byte are fine.
    let a = format!("00{}", exchange.client.srp_a().to_uppercase());
    assert!(ServerSession::new(v, &a, &b).is_ok());
}

#[test]
fn client_checks_the_challenge_before_signing() {
    let exchange = exchange("pw");
    let salt = salt_hex(&exchange.salt);
    let srp_b = exchange.server.srp_b();
    let good = Challenge {
        pool_name: POOL,
        user_id_for_srp: USER,
        salt: &salt,
        srp_b: &srp_b,
        secret_block: SECRET_BLOCK,
    };
    let sign = |challenge: Challenge<'_>| {
        exchange
            .client
            .password_claim_signature(&challenge, "pw", "Sat Jan 3 05:06:07 UTC 2026")
    };
    assert!(sign(good).is_ok());
    let n = group_3072().n.to_str_radix(16);
    let cases = [
        (
            Challenge {
                salt: "xyz",
                ..good
            },
            SrpError::SaltNotHex,
        ),
        (Challenge { srp_b: "", ..good }, SrpError::SrpBNotHex),
        (Challenge { srp_b: "0", ..good }, SrpError::ZeroB),
        (Challenge { srp_b: &n, ..good }, SrpError::ZeroB),
        (
            Challenge {
                secret_block: "not base64!",
                ..good
            },
            SrpError::SecretBlockNotBase64,
        ),
    ];
    for (challenge, error) in cases {
        assert_eq!(sign(challenge), Err(error));
    }
    assert_eq!(modulus(), &group_3072().n);
    assert_eq!(generator(), &BigUint::from(2u32));
}

#[test]
fn secrets_are_redacted() {
    let exchange = exchange("pw");
    let key = exchange.server.session_key(&exchange.verifier).unwrap();
    assert_eq!(format!("{:?}", exchange.verifier), "Verifier(<redacted>)");
    assert_eq!(format!("{key:?}"), "SessionKey(<redacted>)");
    assert_eq!(format!("{:?}", exchange.server), "ServerSession { .. }");
    assert_eq!(format!("{:?}", exchange.client), "ClientSession { .. }");
    assert_eq!(
        Verifier::from_bytes(&exchange.verifier.to_bytes()),
        exchange.verifier
    );
}

// ---------------------------------------------------------------------------------------
// Vectors from the JavaScript client library itself.
// ---------------------------------------------------------------------------------------

#[test]
fn amazon_cognito_identity_js_vectors() {
    let data: Value =
        serde_json::from_str(include_str!("cognito_identity_js_vectors.json")).unwrap();
    let cases = data["cases"].as_array().unwrap();
    assert!(!cases.is_empty());
    for case in cases {
        let field = |name: &str| case[name].as_str().unwrap();
        let what = field("description");
        let pool_name = field("pool_id").split_once('_').unwrap().1;
        let user = field("user_id_for_srp");
        let salt = hex_bytes(field("salt"));
        let identity = identity_hash(pool_name, user, field("password"));
        let verifier = verifier(&salt, &identity);
        let b: [u8; 32] = hex_bytes(field("b")).try_into().unwrap();

        // The server's challenge parameters.
        assert_eq!(salt_hex(&salt), field("SALT"), "{what}");
        let server = ServerSession::new(&verifier, field("SRP_A"), &b).unwrap();
        assert_eq!(server.srp_b(), field("SRP_B"), "{what}");

        // The library's A is g^a.
        let client = ClientSession::new(&hex_bytes(field("a")));
        assert_eq!(client.srp_a(), field("SRP_A"), "{what}");

        // Its timestamp is ours, and its signature verifies.
        let timestamp = field("TIMESTAMP");
        let epoch = case["timestamp_epoch"].as_i64().unwrap();
        assert_eq!(format_timestamp(epoch), timestamp, "{what}");
        let claim = PasswordClaim {
            pool_name,
            user_id_for_srp: user,
            secret_block: field("SECRET_BLOCK"),
            timestamp,
            signature: field("PASSWORD_CLAIM_SIGNATURE"),
        };
        assert_eq!(
            server.verify_password_claim(&verifier, &claim),
            Ok(()),
            "{what}"
        );

        // The client half agrees with the library.
        let challenge = Challenge {
            pool_name,
            user_id_for_srp: user,
            salt: field("SALT"),
            srp_b: field("SRP_B"),
            secret_block: field("SECRET_BLOCK"),
        };
        assert_eq!(
            client
                .password_claim_signature(&challenge, field("password"), timestamp)
                .unwrap(),
            field("PASSWORD_CLAIM_SIGNATURE"),
            "{what}"
        );

        // Another password fails.
        let wrong = verifier_for(pool_name, user, "Passw0rd?", &salt);
        assert_eq!(
            ServerSession::new(&wrong, field("SRP_A"), &b)
                .unwrap()
                .verify_password_claim(&wrong, &claim),
            Err(SrpError::SignatureMismatch),
            "{what}"
        );
    }
}

fn verifier_for(pool_name: &str, user: &str, password: &str, salt: &[u8]) -> Verifier {
    verifier(salt, &identity_hash(pool_name, user, password))
}

// ---------------------------------------------------------------------------------------
// TIMESTAMP.
// ---------------------------------------------------------------------------------------

#[test]
fn timestamps_format_like_the_javascript_library() {
    let cases = [
        (0, "Thu Jan 1 00:00:00 UTC 1970"),
        (NOW, "Sat Jan 3 05:06:07 UTC 2026"),
        (1_709_164_800, "Thu Feb 29 00:00:00 UTC 2024"),
        (1_798_761_599, "Thu Dec 31 23:59:59 UTC 2026"),
        (951_782_400, "Tue Feb 29 00:00:00 UTC 2000"),
        (-1, "Wed Dec 31 23:59:59 UTC 1969"),
        (4_107_542_400, "Mon Mar 1 00:00:00 UTC 2100"),
    ];
    for (epoch, text) in cases {
        assert_eq!(format_timestamp(epoch), text);
        assert_eq!(parse_timestamp(text), Ok(epoch), "{text}");
    }
}

#[test]
fn timestamps_round_trip_over_decades() {
    let mut epoch = -86_400 * 366;
    while epoch < 4_200_000_000 {
        assert_eq!(parse_timestamp(&format_timestamp(epoch)), Ok(epoch));
        epoch += 86_400 * 7 + 3_607;
    }
}

#[test]
fn malformed_timestamps_name_the_bad_field() {
    let cases = [
        ("Sat Jan 3 05:06:07 UTC", TimestampError::Fields),
        ("Sat Jan 3 05:06:07 UTC 2026 x", TimestampError::Fields),
        ("Sat  Jan 3 05:06:07 UTC 2026", TimestampError::Fields),
        ("Sam Jan 3 05:06:07 UTC 2026", TimestampError::Weekday),
        ("Sat January 3 05:06:07 UTC 2026", TimestampError::Month),
        ("Sat Jan 32 05:06:07 UTC 2026", TimestampError::Day),
        ("Sat Feb 29 05:06:07 UTC 2026", TimestampError::Day),
        ("Sat Jan 0 05:06:07 UTC 2026", TimestampError::Day),
        ("Sat Jan 3 24:06:07 UTC 2026", TimestampError::TimeOfDay),
        ("Sat Jan 3 05:06 UTC 2026", TimestampError::TimeOfDay),
        ("Sat Jan 3 05:06:x7 UTC 2026", TimestampError::TimeOfDay),
        ("Sat Jan 3 05:06:07 PST 2026", TimestampError::Zone),
        ("Sat Jan 3 05:06:07 UTC 26", TimestampError::Year),
        ("Sat Jan 3 05:06:07 UTC -026", TimestampError::Year),
    ];
    for (text, error) in cases {
        assert_eq!(parse_timestamp(text), Err(error), "{text}");
    }
    assert_eq!(parse_timestamp("Sat Jan 3 05:06:07 GMT 2026"), Ok(NOW));
    assert_eq!(parse_timestamp("Sat Jan 3 5:6:7 UTC 2026"), Ok(NOW));
}

// ---------------------------------------------------------------------------------------
// Remembered devices: ConfirmDevice's verifier, then DEVICE_SRP_AUTH.
// ---------------------------------------------------------------------------------------

#[test]
fn amazon_cognito_identity_js_device_vectors() {
    use super::client::{device_password, device_secret_verifier_config};

    let data: Value =
        serde_json::from_str(include_str!("cognito_identity_js_device_vectors.json")).unwrap();
    let cases = data["cases"].as_array().unwrap();
    assert!(!cases.is_empty());
    for case in cases {
        let field = |name: &str| case[name].as_str().unwrap();
        let what = field("description");
        let group = field("device_group_key");
        let device = field("device_key");
        let config = &case["DeviceSecretVerifierConfig"];
        let password_verifier = config["PasswordVerifier"].as_str().unwrap();
        let config_salt = config["Salt"].as_str().unwrap();

        // The client half makes the library's password and DeviceSecretVerifierConfig.
        let random: [u8; 40] = hex_bytes(field("device_password_random"))
            .try_into()
            .unwrap();
        let password = device_password(&random);
        assert_eq!(password.expose(), field("device_password"), "{what}");
        let ours = device_secret_verifier_config(
            group,
            device,
            password.expose(),
            &hex_bytes(field("device_salt_random")),
        );
        assert_eq!(ours.password_verifier, password_verifier, "{what}");
        assert_eq!(ours.salt, config_salt, "{what}");

        // The server reads what ConfirmDevice received, and challenges with it.
        let device_verifier = Verifier::from_device_config(password_verifier, config_salt).unwrap();
        assert_eq!(device_verifier.salt_hex(), field("SALT"), "{what}");
        let b: [u8; 32] = hex_bytes(field("b")).try_into().unwrap();
        let server = ServerSession::new(&device_verifier.verifier, field("SRP_A"), &b).unwrap();
        assert_eq!(server.srp_b(), field("SRP_B"), "{what}");
        let client = ClientSession::new(&hex_bytes(field("a")));
        assert_eq!(client.srp_a(), field("SRP_A"), "{what}");

        // The library's claim verifies, signed with the group key and the device key.
        let timestamp = field("TIMESTAMP");
        let epoch = case["timestamp_epoch"].as_i64().unwrap();
        assert_eq!(format_timestamp(epoch), timestamp, "{what}");
        let claim = PasswordClaim {
            pool_name: group,
            user_id_for_srp: device,
            secret_block: field("SECRET_BLOCK"),
            timestamp,
            signature: field("PASSWORD_CLAIM_SIGNATURE"),
        };
        assert_eq!(
            server.verify_password_claim(&device_verifier.verifier, &claim),
            Ok(()),
            "{what}"
        );

        // The client half signs as the library did.
        let challenge = Challenge {
            pool_name: group,
            user_id_for_srp: device,
            salt: field("SALT"),
            srp_b: field("SRP_B"),
            secret_block: field("SECRET_BLOCK"),
        };
        assert_eq!(
            client
                .password_claim_signature(&challenge, password.expose(), timestamp)
                .unwrap(),
            field("PASSWORD_CLAIM_SIGNATURE"),
            "{what}"
        );

        // Not with the user's names: the pool name and the username.
        let pool_name = field("pool_id").split_once('_').unwrap().1;
        assert_eq!(
            server.verify_password_claim(
                &device_verifier.verifier,
                &PasswordClaim {
                    pool_name,
                    user_id_for_srp: field("username"),
                    ..claim
                }
            ),
            Err(SrpError::SignatureMismatch),
            "{what}"
        );

        // A device registered with another password fails the library's claim...
        let other = device_secret_verifier_config(
            group,
            device,
            "another device password",
            &hex_bytes(field("device_salt_random")),
        );
        let other = Verifier::from_device_config(&other.password_verifier, &other.salt).unwrap();
        let server = ServerSession::new(&other.verifier, field("SRP_A"), &b).unwrap();
        assert_eq!(
            server.verify_password_claim(&other.verifier, &claim),
            Err(SrpError::SignatureMismatch),
            "{what}"
        );
        // ...and a client with the wrong password fails against the right device.
        let server = ServerSession::new(&device_verifier.verifier, field("SRP_A"), &b).unwrap();
        let wrong = client
            .password_claim_signature(&challenge, "another device password", timestamp)
            .unwrap();
        assert_eq!(
            server.verify_password_claim(
                &device_verifier.verifier,
                &PasswordClaim {
                    signature: &wrong,
                    ..claim
                }
            ),
            Err(SrpError::SignatureMismatch),
            "{what}"
        );
    }
}

#[test]
fn device_config_is_checked_member_by_member() {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
    use base64::Engine as _;

    let salt = STANDARD.encode([0x5a; 16]);
    let n = group_3072().n.to_bytes_be();
    let n_minus_one = (&group_3072().n - 1u32).to_bytes_be();
    let cases = [
        ("%%%", salt.as_str(), SrpError::PasswordVerifierNotBase64),
        ("", salt.as_str(), SrpError::PasswordVerifierEmpty),
        ("AA==", salt.as_str(), SrpError::PasswordVerifierOutOfRange),
        ("AAAA", salt.as_str(), SrpError::PasswordVerifierOutOfRange),
        (
            &STANDARD.encode(&n),
            salt.as_str(),
            SrpError::PasswordVerifierOutOfRange,
        ),
        (
            &STANDARD.encode([&[0u8][..], &n].concat()),
            salt.as_str(),
            SrpError::PasswordVerifierOutOfRange,
        ),
        ("Ag==", "%%%", SrpError::SaltNotBase64),
        ("Ag==", "", SrpError::SaltEmpty),
    ];
    for (verifier, salt, error) in cases {
        assert_eq!(
            Verifier::from_device_config(verifier, salt),
            Err(error),
            "{verifier:.12} / {salt}"
        );
    }

    // 1 and N - 1 are in range, with or without a sign byte or base64 padding.
    let one = Verifier::from_device_config("AQ==", &salt).unwrap();
    assert_eq!(one.verifier, Verifier::from_bytes(&[1]));
    assert_eq!(one.salt, [0x5a; 16]);
    for encoded in [
        STANDARD.encode(&n_minus_one),
        STANDARD.encode([&[0u8][..], &n_minus_one].concat()),
        STANDARD_NO_PAD.encode(&n_minus_one),
    ] {
        let parsed =
            Verifier::from_device_config(&encoded, &STANDARD_NO_PAD.encode([0x5a; 16])).unwrap();
        assert_eq!(parsed.verifier.to_bytes(), n_minus_one);
        assert_eq!(parsed.salt, [0x5a; 16]);
    }

    // The salt keeps its bytes, and SALT writes them as the number they are.
    let signed = Verifier::from_device_config("Ag==", "AJ8B").unwrap();
    assert_eq!(signed.salt, [0x00, 0x9f, 0x01]);
    assert_eq!(signed.salt_hex(), "009f01");
    let leading_zero = Verifier::from_device_config("Ag==", "AAEj").unwrap();
    assert_eq!(leading_zero.salt_hex(), "0123");

    // Debug shows the salt, never the verifier.
    assert_eq!(
        format!("{one:?}"),
        "DeviceVerifier { verifier: Verifier(<redacted>), salt: [90, 90, 90, 90, 90, 90, 90, 90, 90, 90, 90, 90, 90, 90, 90, 90] }"
    );
}

#[test]
fn device_round_trip_through_the_client_half() {
    use super::client::{device_password, device_secret_verifier_config};

    let group = "-Fq2WxYz9";
    let device = "us-east-1_0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0";
    let password = device_password(&[0x42; 40]);
    assert_eq!(password.expose().len(), 56);
    // A salt with its top bit set, sent with its sign byte.
    let config = device_secret_verifier_config(group, device, password.expose(), &[0xd0; 16]);
    let stored = Verifier::from_device_config(&config.password_verifier, &config.salt).unwrap();
    assert_eq!(stored.salt.len(), 17);
    // The verifier the server keeps is the one a user with these names would have.
    assert_eq!(
        stored.verifier,
        verifier(
            &[0xd0; 16],
            &identity_hash(group, device, password.expose())
        )
    );

    let client = ClientSession::new(&[0x77; 128]);
    let server = ServerSession::new(&stored.verifier, &client.srp_a(), &[0x19; 32]).unwrap();
    let challenge = Challenge {
        pool_name: group,
        user_id_for_srp: device,
        salt: &stored.salt_hex(),
        srp_b: &server.srp_b(),
        secret_block: SECRET_BLOCK,
    };
    let timestamp = format_timestamp(NOW);
    let claim = |signature: &str| {
        server.verify_password_claim(
            &stored.verifier,
            &PasswordClaim {
                pool_name: group,
                user_id_for_srp: device,
                secret_block: SECRET_BLOCK,
                timestamp: &timestamp,
                signature,
            },
        )
    };
    let right = client
        .password_claim_signature(&challenge, password.expose(), &timestamp)
        .unwrap();
    assert_eq!(claim(&right), Ok(()));
    let wrong = client
        .password_claim_signature(
            &challenge,
            device_password(&[0x43; 40]).expose(),
            &timestamp,
        )
        .unwrap();
    assert_eq!(claim(&wrong), Err(SrpError::SignatureMismatch));
}
