//! Request ids: UUID version 4 strings drawn from the injected [`Random`], sent back as
//! `x-amzn-RequestId` and written in the request log.

use std::fmt;

use cognito_core::Random;
use http::header::{HeaderName, HeaderValue};

/// The header every response carries.
pub(crate) const X_AMZN_REQUEST_ID: HeaderName = HeaderName::from_static("x-amzn-requestid");

/// One request's id, held as its 36 ASCII characters.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct RequestId([u8; 36]);

impl RequestId {
    /// A fresh random id.
    pub(crate) fn generate(random: &dyn Random) -> Self {
        let mut bytes = [0u8; 16];
        random.fill(&mut bytes);
        Self::from_bytes(bytes)
    }

    /// The id whose random bits are `bytes`, with the version and variant bits of a v4 UUID.
    fn from_bytes(mut bytes: [u8; 16]) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        let mut text = [b'-'; 36];
        // Two hex digits per byte; a dash before bytes 4, 6, 8 and 10.
        let mut at = 0;
        for (i, byte) in bytes.into_iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                at += 1;
            }
            for nibble in [byte >> 4, byte & 0x0f] {
                if let (Some(slot), Some(digit)) = (text.get_mut(at), HEX.get(usize::from(nibble)))
                {
                    *slot = *digit;
                }
                at += 1;
            }
        }
        RequestId(text)
    }

    /// The id as text.
    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The id as a header value.
    pub(crate) fn header_value(&self) -> Option<HeaderValue> {
        HeaderValue::from_bytes(&self.0).ok()
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RequestId({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_version_4_uuids() {
        let cases: [([u8; 16], &str); 3] = [
            ([0; 16], "00000000-0000-4000-8000-000000000000"),
            ([0xff; 16], "ffffffff-ffff-4fff-bfff-ffffffffffff"),
            (
                [
                    0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78, 0x9a,
                    0xbc, 0xde, 0xf0,
                ],
                "12345678-9abc-4ef0-9234-56789abcdef0",
            ),
        ];
        for (bytes, expected) in cases {
            let id = RequestId::from_bytes(bytes);
            assert_eq!(id.as_str(), expected);
            assert_eq!(id.header_value().unwrap(), expected);
        }
    }
}
