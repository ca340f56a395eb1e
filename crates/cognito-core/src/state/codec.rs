//! How state that is not plain data is written down: serde adapters for the
//! cryptographic values users and pools keep (password hashes, TOTP keys, device
//! verifiers, passkeys' public keys, secrets), and for bytes.
//!
//! Bytes are written as bytes in binary formats and as base64 in text ones (an export
//! stays readable). The adapters write what the value *is*, never a redacted form:
//! they exist for the durable store and its export, which keep secrets encrypted or in
//! the hands of whoever asked for them.
//!
//! Boundary: only representation; no I/O and no choice of where anything is kept.

use base64::Engine as _;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Writes `bytes`: raw in binary formats, base64 in text ones.
fn write_bytes<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    if s.is_human_readable() {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    } else {
        s.serialize_bytes(bytes)
    }
}

/// Reads what [`write_bytes`] wrote.
fn read_bytes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    if d.is_human_readable() {
        let text = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(D::Error::custom)
    } else {
        Ok(serde_bytes_buf(d)?)
    }
}

/// Reads bytes from a binary format, accepting a sequence of numbers too.
fn serde_bytes_buf<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    struct Visitor;
    impl<'de> serde::de::Visitor<'de> for Visitor {
        type Value = Vec<u8>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("bytes")
        }

        fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
            Ok(v.to_vec())
        }

        fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
            Ok(v)
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
            while let Some(b) = seq.next_element()? {
                out.push(b);
            }
            Ok(out)
        }
    }
    d.deserialize_bytes(Visitor)
}

/// A `Vec<u8>`, as bytes.
pub mod bytes {
    use super::*;

    /// Writes the bytes.
    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        write_bytes(v, s)
    }

    /// Reads the bytes.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        read_bytes(d)
    }
}

/// An `Option<Vec<u8>>`, as bytes or nothing.
pub mod option_bytes {
    use super::*;

    /// Writes the bytes, if any.
    pub fn serialize<S: Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        v.as_deref().map(Bytes).serialize(s)
    }

    /// Reads the bytes, if any.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        Ok(Option::<ByteBuf>::deserialize(d)?.map(|b| b.0))
    }
}

/// A fixed-size array of bytes (a SHA-256 hash, a salt), as bytes.
pub mod array {
    use super::*;

    /// Writes the bytes.
    pub fn serialize<S: Serializer, const N: usize>(v: &[u8; N], s: S) -> Result<S::Ok, S::Error> {
        write_bytes(v, s)
    }

    /// Reads exactly `N` bytes.
    pub fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
        d: D,
    ) -> Result<[u8; N], D::Error> {
        let bytes = read_bytes(d)?;
        <[u8; N]>::try_from(bytes.as_slice())
            .map_err(|_| D::Error::invalid_length(bytes.len(), &"a fixed number of bytes"))
    }
}

/// Bytes borrowed for writing.
pub struct Bytes<'a>(pub &'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        write_bytes(self.0, s)
    }
}

/// Bytes owned after reading.
pub struct ByteBuf(pub Vec<u8>);

impl<'de> Deserialize<'de> for ByteBuf {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        read_bytes(d).map(ByteBuf)
    }
}

/// A 32-byte hash, as a map key or set member: hex text, which every format can key by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hash32(pub [u8; 32]);

impl Hash32 {
    /// The hash as lower-case hex.
    pub fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The hash `hex` names.
    pub fn from_hex(hex: &str) -> Option<Self> {
        let mut out = [0u8; 32];
        if hex.len() != 64 || !hex.is_ascii() {
            return None;
        }
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(Hash32(out))
    }
}

impl Serialize for Hash32 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.hex())
    }
}

impl<'de> Deserialize<'de> for Hash32 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Hash32::from_hex(&text).ok_or_else(|| D::Error::custom("expected 64 hex digits"))
    }
}

/// A `Secret<String>`, as its text.
pub(crate) use crate::messages::secret_text as secret_string;

/// A password's SRP salt and identity hash.
#[derive(Serialize, Deserialize)]
struct Password {
    #[serde(with = "array")]
    salt: [u8; 16],
    #[serde(with = "array")]
    identity: [u8; 32],
}

/// An `Option<PasswordHash>`.
pub mod password {
    use super::*;
    use cognito_crypto::password::PasswordHash;

    /// Writes the salt and identity hash.
    pub fn serialize<S: Serializer>(v: &Option<PasswordHash>, s: S) -> Result<S::Ok, S::Error> {
        v.as_ref()
            .map(|p| Password {
                salt: p.salt,
                identity: p.identity,
            })
            .serialize(s)
    }

    /// Reads the salt and identity hash.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PasswordHash>, D::Error> {
        Ok(Option::<Password>::deserialize(d)?.map(|p| PasswordHash {
            salt: p.salt,
            identity: p.identity,
        }))
    }
}

/// A `TotpKey`, as its bytes.
pub mod totp_key {
    use super::*;
    use cognito_crypto::totp::TotpKey;

    /// Writes the key's bytes.
    pub fn serialize<S: Serializer>(v: &TotpKey, s: S) -> Result<S::Ok, S::Error> {
        write_bytes(v.expose(), s)
    }

    /// Reads a key.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<TotpKey, D::Error> {
        TotpKey::new(&read_bytes(d)?).map_err(|e| D::Error::custom(format!("{e:?}")))
    }
}

/// An `Option<Box<TotpKey>>`.
pub mod option_totp_key {
    use super::*;
    use cognito_crypto::totp::TotpKey;

    /// Writes the key's bytes, if any.
    pub fn serialize<S: Serializer>(v: &Option<Box<TotpKey>>, s: S) -> Result<S::Ok, S::Error> {
        v.as_deref().map(|k| Bytes(k.expose())).serialize(s)
    }

    /// Reads a key, if any.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Box<TotpKey>>, D::Error> {
        Option::<ByteBuf>::deserialize(d)?
            .map(|b| {
                TotpKey::new(&b.0)
                    .map(Box::new)
                    .map_err(|e| D::Error::custom(format!("{e:?}")))
            })
            .transpose()
    }
}

/// A device's SRP verifier and salt.
#[derive(Serialize, Deserialize)]
struct Verifier {
    #[serde(with = "bytes")]
    verifier: Vec<u8>,
    #[serde(with = "bytes")]
    salt: Vec<u8>,
}

/// An `Option<Box<DeviceVerifier>>`.
pub mod device_verifier {
    use super::*;
    use cognito_crypto::srp::{DeviceVerifier, Verifier as SrpVerifier};

    /// Writes the verifier and salt, if any.
    pub fn serialize<S: Serializer>(
        v: &Option<Box<DeviceVerifier>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        v.as_deref()
            .map(|d| Verifier {
                verifier: d.verifier.to_bytes(),
                salt: d.salt.clone(),
            })
            .serialize(s)
    }

    /// Reads a verifier and salt, if any.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Box<DeviceVerifier>>, D::Error> {
        Ok(Option::<Verifier>::deserialize(d)?.map(|v| {
            Box::new(DeviceVerifier {
                verifier: SrpVerifier::from_bytes(&v.verifier),
                salt: v.salt,
            })
        }))
    }
}

/// A passkey's `PublicKey`, as its COSE key.
pub mod public_key {
    use super::*;
    use cognito_crypto::webauthn::PublicKey;

    /// Writes the COSE key.
    pub fn serialize<S: Serializer>(v: &PublicKey, s: S) -> Result<S::Ok, S::Error> {
        write_bytes(&v.to_cose(), s)
    }

    /// Reads a COSE key.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<PublicKey, D::Error> {
        PublicKey::from_cose(&read_bytes(d)?).map_err(|e| D::Error::custom(format!("{e:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_hex_both_ways() {
        let h = Hash32([0xab; 32]);
        assert_eq!(Hash32::from_hex(&h.hex()), Some(h));
        assert_eq!(Hash32::from_hex("ab"), None);
        assert_eq!(Hash32::from_hex(&"zz".repeat(32)), None);
    }

    #[test]
    fn bytes_are_base64_in_text_and_raw_in_binary() {
        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        struct S(#[serde(with = "bytes")] Vec<u8>);
        let s = S(vec![1, 2, 255]);
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"AQL/\"");
        assert_eq!(serde_json::from_str::<S>("\"AQL/\"").unwrap(), s);
        let packed = rmp_serde::to_vec(&s).unwrap();
        assert_eq!(packed, [0xc4, 3, 1, 2, 255]);
        assert_eq!(rmp_serde::from_slice::<S>(&packed).unwrap(), s);
    }
}
