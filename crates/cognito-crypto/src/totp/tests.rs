use super::base32::{self, Base32Error};
use super::*;

fn hex_bytes(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// The key of RFC 4226 Appendix D and of RFC 6238 Appendix B's SHA-1 rows.
const RFC_KEY: &[u8] = b"12345678901234567890";

fn rfc_key() -> TotpKey {
    TotpKey::new(RFC_KEY).unwrap()
}

// ---------------------------------------------------------------------------------------
// RFC 4226 Appendix D.
// ---------------------------------------------------------------------------------------

/// Count, HMAC-SHA-1(secret, count), the truncated value in hex and decimal, and HOTP.
const RFC4226_APPENDIX_D: [(u64, &str, u32, u32, &str); 10] = [
    (
        0,
        "cc93cf18508d94934c64b65d8ba7667fb7cde4b0",
        0x4c93cf18,
        1284755224,
        "755224",
    ),
    (
        1,
        "75a48a19d4cbe100644e8ac1397eea747a2d33ab",
        0x41397eea,
        1094287082,
        "287082",
    ),
    (
        2,
        "0bacb7fa082fef30782211938bc1c5e70416ff44",
        0x082fef30,
        137359152,
        "359152",
    ),
    (
        3,
        "66c28227d03a2d5529262ff016a1e6ef76557ece",
        0x66ef7655,
        1726969429,
        "969429",
    ),
    (
        4,
        "a904c900a64b35909874b33e61c5938a8e15ed1c",
        0x61c5938a,
        1640338314,
        "338314",
    ),
    (
        5,
        "a37e783d7b7233c083d4f62926c7a25f238d0316",
        0x33c083d4,
        868254676,
        "254676",
    ),
    (
        6,
        "bc9cd28561042c83f219324d3c607256c03272ae",
        0x7256c032,
        1918287922,
        "287922",
    ),
    (
        7,
        "a4fb960c0bc06e1eabb804e5b397cdc4b45596fa",
        0x04e5b397,
        82162583,
        "162583",
    ),
    (
        8,
        "1b3c89f65e6c9e883012052823443f048b4332db",
        0x2823443f,
        673399871,
        "399871",
    ),
    (
        9,
        "1637409809a679dc698207310c8c7fc07290d9e5",
        0x2679dc69,
        645520489,
        "520489",
    ),
];

#[test]
fn rfc4226_appendix_d_step_by_step() {
    for (count, hmac, truncated_hex, truncated_dec, hotp_value) in RFC4226_APPENDIX_D {
        assert_eq!(
            truncated_hex, truncated_dec,
            "count {count}: the table agrees"
        );
        // Step 1.
        let hs = hmac_sha1(RFC_KEY, count).unwrap();
        assert_eq!(hs.to_vec(), hex_bytes(hmac), "count {count}");
        // Step 2.
        assert_eq!(dynamic_truncation(&hs), truncated_dec, "count {count}");
        // Step 3.
        assert_eq!(
            format!("{:06}", reduce(truncated_dec, 6)),
            hotp_value,
            "count {count}"
        );
        // All three.
        assert_eq!(rfc_key().hotp(count).unwrap().expose(), hotp_value);
    }
}

#[test]
fn rfc4226_section_5_4_truncation_example() {
    // §5.4: the example HMAC-SHA-1 result, whose last byte 0x5a gives offset 10 and
    // DBC1 = 0x50ef7f19, i.e. 1357872921, HOTP 872921.
    let hs: [u8; 20] = hex_bytes("1f8698690e02ca16618550ef7f19da8e945b555a")
        .try_into()
        .unwrap();
    assert_eq!(dynamic_truncation(&hs), 0x50ef7f19);
    assert_eq!(reduce(0x50ef7f19, 6), 872921);
    // The top bit is dropped ("the last 31 bits").
    let mut high = hs;
    high[10] |= 0x80;
    assert_eq!(dynamic_truncation(&high), 0x50ef7f19);
    // Offsets at both ends: 0 and 15.
    let mut first = [0u8; 20];
    first[..4].copy_from_slice(&[0x12, 0x34, 0x56, 0x78]);
    assert_eq!(dynamic_truncation(&first), 0x12345678);
    let mut last = [0u8; 20];
    last[15..].copy_from_slice(&[0xff, 0x01, 0x02, 0x03, 0x0f]);
    assert_eq!(dynamic_truncation(&last), 0x7f01_0203);
}

// ---------------------------------------------------------------------------------------
// RFC 6238 Appendix B, the SHA-1 rows (8-digit codes, as the RFC lists them).
// ---------------------------------------------------------------------------------------

/// Time (sec), T (hex), TOTP.
const RFC6238_APPENDIX_B_SHA1: [(i64, u64, &str); 6] = [
    (59, 0x0000000000000001, "94287082"),
    (1111111109, 0x00000000023523EC, "07081804"),
    (1111111111, 0x00000000023523ED, "14050471"),
    (1234567890, 0x000000000273EF07, "89005924"),
    (2000000000, 0x0000000003F940AA, "69279037"),
    (20000000000, 0x0000000027BC86AA, "65353130"),
];

#[test]
fn rfc6238_appendix_b_sha1() {
    for (time, t, totp8) in RFC6238_APPENDIX_B_SHA1 {
        assert_eq!(time_step(time), Ok(t), "{time}");
        assert_eq!(hotp(RFC_KEY, t, 8).unwrap(), totp8, "{time}");
        // Six digits are the last six of eight (Snum mod 10^6).
        let totp6 = &totp8[2..];
        assert_eq!(rfc_key().totp(time).unwrap().expose(), totp6, "{time}");
        assert_eq!(rfc_key().verify(totp6, time, None), Ok(t), "{time}");
    }
}

#[test]
fn time_steps_start_at_t0_and_last_30_seconds() {
    assert_eq!(time_step(0), Ok(0));
    assert_eq!(time_step(29), Ok(0));
    assert_eq!(time_step(30), Ok(1));
    assert_eq!(time_step(1_767_416_767), Ok(58_913_892));
    assert_eq!(time_step(i64::MAX), Ok(i64::MAX as u64 / 30));
    assert_eq!(time_step(-1), Err(TotpError::BeforeT0));
    assert_eq!(time_step(i64::MIN), Err(TotpError::BeforeT0));
}

// ---------------------------------------------------------------------------------------
// The window.
// ---------------------------------------------------------------------------------------

fn code_of_step(step: u64) -> String {
    rfc_key().hotp(step).unwrap().expose().clone()
}

#[test]
fn window_is_one_step_either_side() {
    let key = rfc_key();
    // t = 59 is step 1: steps 0, 1 and 2 are accepted, and each answers its own step.
    for step in [0, 1, 2] {
        assert_eq!(key.verify(&code_of_step(step), 59, None), Ok(step));
    }
    assert_eq!(
        key.verify(&code_of_step(3), 59, None),
        Err(TotpError::CodeMismatch)
    );
    // At t = 0 there is no step before.
    assert_eq!(key.verify(&code_of_step(0), 0, None), Ok(0));
    assert_eq!(key.verify(&code_of_step(1), 0, None), Ok(1));
    assert_eq!(
        key.verify(&code_of_step(2), 0, None),
        Err(TotpError::CodeMismatch)
    );
}

#[test]
fn window_moves_at_step_boundaries() {
    let key = rfc_key();
    // Step 2 is [60, 90). The code of step 1 is still accepted up to 89 and not at 90.
    assert_eq!(key.verify(&code_of_step(1), 60, None), Ok(1));
    assert_eq!(key.verify(&code_of_step(1), 89, None), Ok(1));
    assert_eq!(
        key.verify(&code_of_step(1), 90, None),
        Err(TotpError::CodeMismatch)
    );
    // The code of step 3 is accepted from 60 (one step early), not at 59.
    assert_eq!(
        key.verify(&code_of_step(3), 59, None),
        Err(TotpError::CodeMismatch)
    );
    assert_eq!(key.verify(&code_of_step(3), 60, None), Ok(3));
    // So each code is accepted for 90 seconds: [30 * (step - 1), 30 * (step + 2)).
    let step = 1_000_000u64;
    let code = code_of_step(step);
    let start = (step as i64 - 1) * STEP_SECONDS;
    let end = (step as i64 + 2) * STEP_SECONDS;
    assert_eq!(
        key.verify(&code, start - 1, None),
        Err(TotpError::CodeMismatch)
    );
    for t in [start, start + 29, start + 30, end - 31, end - 1] {
        assert_eq!(key.verify(&code, t, None), Ok(step), "{t}");
    }
    assert_eq!(key.verify(&code, end, None), Err(TotpError::CodeMismatch));
}

#[test]
fn a_code_is_accepted_once() {
    let key = rfc_key();
    // At t = 60 (step 2), after the code of step 2 was accepted.
    let last = Some(2);
    assert_eq!(
        key.verify(&code_of_step(2), 60, last),
        Err(TotpError::CodeReused)
    );
    // Nor an older one from the window.
    assert_eq!(
        key.verify(&code_of_step(1), 60, last),
        Err(TotpError::CodeReused)
    );
    // The next step's code is still fine, and then it is used too.
    assert_eq!(key.verify(&code_of_step(3), 60, last), Ok(3));
    assert_eq!(
        key.verify(&code_of_step(3), 60, Some(3)),
        Err(TotpError::CodeReused)
    );
    // Only steps after the last one accepted are fresh.
    assert_eq!(key.verify(&code_of_step(2), 60, Some(1)), Ok(2));
    // A wrong code is a mismatch, whatever was used.
    assert_eq!(
        key.verify(&code_of_step(9), 60, last),
        Err(TotpError::CodeMismatch)
    );
}

#[test]
fn codes_that_are_not_six_digits_are_refused_first() {
    let key = rfc_key();
    for code in [
        "",
        "12345",
        "1234567",
        "12345a",
        " 12345",
        "12 345",
        "１２３４５６",
    ] {
        assert_eq!(
            key.verify(code, 59, None),
            Err(TotpError::CodeNotSixDigits),
            "{code:?}"
        );
    }
    assert_eq!(key.verify("123456", -1, None), Err(TotpError::BeforeT0));
}

// ---------------------------------------------------------------------------------------
// The secret.
// ---------------------------------------------------------------------------------------

#[test]
fn secret_codes_are_52_characters_of_base32() {
    let random: [u8; SECRET_BYTES] = std::array::from_fn(|i| (i as u8).wrapping_mul(37) ^ 0xa5);
    let key = TotpKey::generate(&random);
    let secret_code = key.secret_code();
    let text = secret_code.expose();
    assert_eq!(text.len(), 52);
    assert!(text
        .bytes()
        .all(|c| c.is_ascii_uppercase() || (b'2'..=b'7').contains(&c)));
    // The model's SecretCodeType: at least 16 of [A-Za-z0-9].
    assert!(text.len() >= 16 && text.bytes().all(|c| c.is_ascii_alphanumeric()));
    let back = TotpKey::from_secret_code(text).unwrap();
    assert_eq!(back, key);
    assert_eq!(back.expose(), random);
    // Codes come from the key bytes, not from the text.
    assert_eq!(
        back.totp(1_767_416_767).unwrap(),
        key.totp(1_767_416_767).unwrap()
    );
}

#[test]
fn secret_codes_are_checked() {
    // RFC 4226 §4 R6: at least 128 bits. Google's example key is 80.
    assert_eq!(
        TotpKey::from_secret_code("JBSWY3DPEHPK3PXP"),
        Err(TotpError::KeyTooShort)
    );
    assert_eq!(TotpKey::new(&[0; 15]), Err(TotpError::KeyTooShort));
    assert!(TotpKey::new(&[0; 16]).is_ok());
    assert_eq!(
        TotpKey::from_secret_code(&"a".repeat(52)),
        Err(TotpError::SecretCode(Base32Error::Character {
            position: 0
        }))
    );
    assert_eq!(
        TotpKey::from_secret_code(&"A".repeat(51)),
        Err(TotpError::SecretCode(Base32Error::Length))
    );
}

#[test]
fn secrets_are_redacted() {
    let key = rfc_key();
    assert_eq!(format!("{key:?}"), "TotpKey(<redacted>)");
    assert_eq!(format!("{:?}", key.secret_code()), "<redacted>");
    assert_eq!(format!("{:?}", key.totp(59).unwrap()), "<redacted>");
}

// ---------------------------------------------------------------------------------------
// Base32.
// ---------------------------------------------------------------------------------------

/// RFC 4648 §10, with the padding the RFC shows.
const RFC4648_SECTION_10: [(&str, &str); 7] = [
    ("", ""),
    ("f", "MY======"),
    ("fo", "MZXQ===="),
    ("foo", "MZXW6==="),
    ("foob", "MZXW6YQ="),
    ("fooba", "MZXW6YTB"),
    ("foobar", "MZXW6YTBOI======"),
];

#[test]
fn base32_rfc4648_section_10_vectors() {
    for (data, padded) in RFC4648_SECTION_10 {
        let unpadded = padded.trim_end_matches('=');
        assert_eq!(base32::encode(data.as_bytes()), unpadded, "{data:?}");
        assert_eq!(
            base32::decode(unpadded).unwrap(),
            data.as_bytes(),
            "{data:?}"
        );
        // Padding is not accepted: the first `=` is not in the alphabet.
        if padded != unpadded {
            assert_eq!(
                base32::decode(padded),
                Err(Base32Error::Character {
                    position: unpadded.len()
                }),
                "{padded}"
            );
        }
    }
}

#[test]
fn base32_round_trips_every_length() {
    for len in 0..=80usize {
        let bytes: Vec<u8> = (0..len)
            .map(|i| (i as u8).wrapping_mul(151).wrapping_add(len as u8))
            .collect();
        let text = base32::encode(&bytes);
        assert_eq!(text.len(), (len * 8).div_ceil(5), "{len}");
        assert_eq!(base32::decode(&text).unwrap(), bytes, "{len}");
    }
    let all_ones = [0xffu8; 5];
    assert_eq!(base32::encode(&all_ones), "77777777");
    assert_eq!(base32::encode(&[0u8; 5]), "AAAAAAAA");
}

#[test]
fn base32_refuses_what_it_would_not_write() {
    // Lengths of 1, 3 or 6 characters (mod 8) end no quantum.
    for text in ["A", "AAA", "AAAAAA", "AAAAAAAAA"] {
        assert_eq!(base32::decode(text), Err(Base32Error::Length), "{text}");
    }
    // Lower case, digits 0, 1, 8, 9 and anything else are outside the alphabet.
    for (text, position) in [
        ("my", 0),
        ("M0", 1),
        ("MZXW1YQ", 4),
        ("MZ8A", 2),
        ("MZ A", 2),
    ] {
        assert_eq!(
            base32::decode(text),
            Err(Base32Error::Character { position }),
            "{text}"
        );
    }
    // "MY" is "f"; "MZ" would be "f" with a set pad bit.
    assert_eq!(base32::decode("MY").unwrap(), b"f");
    assert_eq!(base32::decode("MZ"), Err(Base32Error::NonZeroPadBits));
    assert_eq!(base32::decode("MZXW6YR"), Err(Base32Error::NonZeroPadBits));
}
