//! Base32 ([RFC 4648] §6) as TOTP secrets are written: the upper-case alphabet `A-Z2-7`,
//! without `=` padding (what authenticator apps and Cognito's `SecretCode` use).
//!
//! Decoding is strict, so each secret has one spelling: lower case, padding, a length
//! that cannot end a quantum, and non-zero pad bits (§3.5, "canonical encoding") are
//! each refused with their own [`Base32Error`].
//!
//! [RFC 4648]: https://www.rfc-editor.org/rfc/rfc4648

/// Why a string is not unpadded upper-case base32.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Base32Error {
    /// §6: a character outside the alphabet `A-Z2-7` (lower case and `=` included), at
    /// this byte offset.
    #[error("character {position} is not in the base32 alphabet A-Z2-7")]
    Character {
        /// Byte offset of the character.
        position: usize,
    },
    /// §6: the final quantum holds 8, 16, 24 or 32 bits, i.e. 2, 4, 5 or 7 characters;
    /// a length of 1, 3 or 6 characters modulo 8 ends none of them.
    #[error("base32 length does not end a quantum")]
    Length,
    /// §3.5: the bits of the last character past the final byte are not zero, so the
    /// encoding is not the canonical one.
    #[error("base32 pad bits are not zero")]
    NonZeroPadBits,
}

/// Bits per base32 character.
const BITS_PER_CHAR: u32 = 5;
/// Mask of one character's bits.
const CHAR_MASK: u32 = 0b1_1111;

/// §6 Table 3: the character of a 5-bit value.
fn char_of(value: u32) -> char {
    // Masked to 5 bits, so the cast keeps it: 0..=25 are `A`..`Z`, 26..=31 `2`..`7`.
    let value = (value & CHAR_MASK) as u8;
    char::from(if value < 26 {
        b'A' + value
    } else {
        b'2' + (value - 26)
    })
}

/// §6 Table 3, backwards: the 5-bit value of a character, if it is in the alphabet.
fn value_of(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        b'2'..=b'7' => Some(u32::from(c - b'2') + 26),
        _ => None,
    }
}

/// §6: the input read 5 bits at a time, most significant first; a final group of fewer
/// than 5 bits is completed with zero bits. No `=` padding is added.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity((bytes.len() * 8).div_ceil(5));
    let mut buffer: u32 = 0;
    let mut bits: u32 = 0;
    for byte in bytes {
        buffer = (buffer << 8) | u32::from(*byte);
        bits += 8;
        while bits >= BITS_PER_CHAR {
            bits -= BITS_PER_CHAR;
            out.push(char_of(buffer >> bits));
        }
        // Keep only the bits not yet written.
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char_of(buffer << (BITS_PER_CHAR - bits)));
    }
    out
}

/// The inverse of [`encode`], refusing anything it would not have written.
pub fn decode(text: &str) -> Result<Vec<u8>, Base32Error> {
    // 1. §6: only lengths ending a quantum.
    if matches!(text.len() % 8, 1 | 3 | 6) {
        return Err(Base32Error::Length);
    }
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut buffer: u32 = 0;
    let mut bits: u32 = 0;
    for (position, c) in text.bytes().enumerate() {
        // 2. §6: every character is in the alphabet.
        let value = value_of(c).ok_or(Base32Error::Character { position })?;
        buffer = (buffer << BITS_PER_CHAR) | value;
        bits += BITS_PER_CHAR;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    // 3. §3.5: what is left over is padding, and zero.
    if buffer != 0 {
        return Err(Base32Error::NonZeroPadBits);
    }
    Ok(out)
}
