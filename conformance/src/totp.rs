//! The harness's own authenticator app: base32 (RFC 4648) to read a software token's
//! `SecretCode`, HOTP (RFC 4226) and TOTP (RFC 6238) to make its codes.
//!
//! Written here rather than borrowed from the emulator, which the harness never links.
//! Time comes in as Unix seconds or as a time step; reading the clock is the caller's
//! business.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// The length of a TOTP time step in seconds (RFC 6238 section 4.1, `X`, Cognito's).
pub const STEP_SECONDS: u64 = 30;

/// The digits of a Cognito software token code.
pub const DIGITS: u32 = 6;

/// The RFC 4648 section 6 alphabet.
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Decodes RFC 4648 base32, upper case, with or without `=` padding. Bits left over at
/// the end (fewer than eight) are dropped, as section 6 has them.
pub fn base32_decode(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut buffer: u32 = 0;
    let mut bits = 0u32;
    for c in text.trim_end_matches('=').bytes() {
        let value = BASE32
            .iter()
            .position(|&a| a == c)
            .ok_or_else(|| format!("{:?} is not a base32 character", char::from(c)))?;
        // `position` in a 32-entry table: at most 31, five bits.
        buffer = (buffer << 5) | (value as u32);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

/// The time step of `unix_seconds` (RFC 6238 section 4.2: `T = floor((now - T0) / X)`,
/// `T0 = 0`).
pub fn time_step(unix_seconds: u64) -> u64 {
    unix_seconds / STEP_SECONDS
}

/// HOTP (RFC 4226 section 5.3): HMAC-SHA-1 of the 8-byte big-endian `counter` under
/// `key`, dynamically truncated to `digits` decimal digits (at most 9).
pub fn hotp(key: &[u8], counter: u64, digits: u32) -> Result<String, String> {
    if !(1..=9).contains(&digits) {
        return Err(format!("{digits} digits: HOTP makes 1 to 9 here"));
    }
    // Step 1: HS = HMAC-SHA-1(K, C).
    let mut mac = Hmac::<Sha1>::new_from_slice(key).map_err(|e| format!("HMAC key: {e}"))?;
    mac.update(&counter.to_be_bytes());
    let hs = mac.finalize().into_bytes();
    // Step 2: dynamic truncation. The offset is the low four bits of the last byte;
    // the four bytes there, without the top bit, are the 31-bit number.
    let offset = usize::from(hs.last().copied().unwrap_or_default() & 0x0f);
    let word: [u8; 4] = hs
        .get(offset..offset + 4)
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| "an HMAC-SHA-1 shorter than 20 bytes".to_string())?;
    let snum = u32::from_be_bytes(word) & 0x7fff_ffff;
    // Step 3: the number modulo 10^digits, zero-padded.
    let code = snum % 10u32.pow(digits);
    Ok(format!("{code:0width$}", width = digits as usize))
}

/// TOTP (RFC 6238 section 4): HOTP over the time step of `unix_seconds`.
pub fn totp(key: &[u8], unix_seconds: u64, digits: u32) -> Result<String, String> {
    hotp(key, time_step(unix_seconds), digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The HMAC-SHA-1 seed of RFC 4226 Appendix D and RFC 6238 Appendix B.
    const SEED: &[u8] = b"12345678901234567890";

    #[test]
    fn hotp_matches_rfc_4226_appendix_d() {
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (counter, want) in expected.iter().enumerate() {
            assert_eq!(hotp(SEED, counter as u64, 6).unwrap(), *want, "{counter}");
        }
    }

    #[test]
    fn totp_matches_rfc_6238_appendix_b_sha1() {
        let expected = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        for (time, want) in expected {
            assert_eq!(totp(SEED, time, 8).unwrap(), want, "{time}");
        }
        // The steps of the table's times (its `T` column, in hex).
        assert_eq!(time_step(59), 0x1);
        assert_eq!(time_step(1_111_111_109), 0x23523EC);
        assert_eq!(time_step(20_000_000_000), 0x27BC86AA);
    }

    #[test]
    fn six_digit_codes_keep_their_leading_zeros() {
        // RFC 6238's 8-digit 07081804 is 081804 in six digits.
        assert_eq!(totp(SEED, 1_111_111_109, DIGITS).unwrap(), "081804");
    }

    #[test]
    fn base32_matches_rfc_4648_section_10() {
        let vectors = [
            ("", ""),
            ("MY======", "f"),
            ("MZXQ====", "fo"),
            ("MZXW6===", "foo"),
            ("MZXW6YQ=", "foob"),
            ("MZXW6YTB", "fooba"),
            ("MZXW6YTBOI======", "foobar"),
        ];
        for (encoded, want) in vectors {
            assert_eq!(
                base32_decode(encoded).unwrap(),
                want.as_bytes(),
                "{encoded}"
            );
            // Without padding, as a `SecretCode` is written.
            let bare = encoded.trim_end_matches('=');
            assert_eq!(base32_decode(bare).unwrap(), want.as_bytes(), "{bare}");
        }
    }

    #[test]
    fn base32_of_a_32_byte_key_is_52_characters() {
        // 32 bytes are 256 bits: 51 whole characters and one holding the last bit.
        let key = base32_decode(&"A".repeat(52)).unwrap();
        assert_eq!(key, vec![0u8; 32]);
        let key = base32_decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap();
        assert_eq!(key, SEED);
    }

    #[test]
    fn base32_refuses_other_characters() {
        assert!(base32_decode("MZXW6YQ1").is_err());
        assert!(base32_decode("mzxw6").is_err());
        assert!(base32_decode("MZ XW").is_err());
    }
}
