//! Identifiers, secrets and pagination tokens, drawn from the injected randomness.

use base64::Engine as _;
use cognito_model::CognitoError;

use crate::errors::invalid_parameter;
use crate::Random;

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// `len` characters drawn uniformly from `alphabet` (rejection sampling, no modulo bias).
pub(crate) fn random_string(random: &dyn Random, alphabet: &[u8], len: usize) -> String {
    Draw::new(random).string(alphabet, len)
}

/// Random bytes drawn from a [`Random`] in one call and handed out in turn, with another
/// call only when they run out: the values one request makes (a `sub`, a salt, a
/// temporary password) cost one call and one run of the generator instead of one each.
pub(crate) struct Draw<'a> {
    random: &'a dyn Random,
    buf: [u8; 64],
    at: usize,
}

impl<'a> Draw<'a> {
    /// Draws the first 64 bytes.
    pub(crate) fn new(random: &'a dyn Random) -> Self {
        let mut buf = [0u8; 64];
        random.fill(&mut buf);
        Draw { random, buf, at: 0 }
    }

    /// The next byte.
    fn byte(&mut self) -> u8 {
        if self.at >= self.buf.len() {
            self.random.fill(&mut self.buf);
            self.at = 0;
        }
        let byte = self.buf.get(self.at).copied().unwrap_or_default();
        self.at += 1;
        byte
    }

    /// The next `N` bytes.
    pub(crate) fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        for slot in &mut out {
            *slot = self.byte();
        }
        out
    }

    /// One character of `alphabet` (at most 256 long), uniformly: bytes at or above the
    /// largest multiple of its length that fits in a byte are drawn again.
    pub(crate) fn char_of(&mut self, alphabet: &[u8]) -> char {
        let n = alphabet.len().clamp(1, 256);
        let limit = 256 - 256 % n;
        loop {
            let b = usize::from(self.byte());
            if b < limit {
                return alphabet.get(b % n).map_or('?', |&c| char::from(c));
            }
        }
    }

    /// `len` characters of `alphabet`, each as [`Draw::char_of`] draws it.
    pub(crate) fn string(&mut self, alphabet: &[u8], len: usize) -> String {
        let mut out = String::with_capacity(len);
        for _ in 0..len {
            out.push(self.char_of(alphabet));
        }
        out
    }
}

/// A user pool id: `<region>_<9 alphanumerics>`.
pub(crate) fn pool_id(random: &dyn Random, region: &str) -> String {
    format!("{region}_{}", random_string(random, ALNUM, 9))
}

/// The Region a pool id names: the part before its `_`.
pub(crate) fn pool_region(pool_id: &str) -> &str {
    pool_id.split_once('_').map_or("", |(region, _)| region)
}

/// An app client id: 26 lowercase alphanumerics.
pub(crate) fn client_id(random: &dyn Random) -> String {
    random_string(random, LOWER_ALNUM, 26)
}

/// An app client secret: 52 lowercase alphanumerics.
pub(crate) fn client_secret(random: &dyn Random) -> String {
    random_string(random, LOWER_ALNUM, 52)
}

/// A random UUID (version 4), as `sub` and request ids use.
pub fn uuid_v4(random: &dyn Random) -> String {
    let mut b = [0u8; 16];
    random.fill(&mut b);
    uuid_from(b)
}

/// A version 4 UUID made of `b`'s bits.
pub(crate) fn uuid_from(mut b: [u8; 16]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    // Two digits per byte and a dash before bytes 4, 6, 8 and 10, written as bytes
    // without the formatting machinery: ids are made on hot paths.
    let mut text = [b'-'; 36];
    let mut at = 0;
    for (i, x) in b.into_iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            at += 1;
        }
        for nibble in [x >> 4, x & 0x0f] {
            if let (Some(slot), Some(&digit)) = (text.get_mut(at), HEX.get(usize::from(nibble))) {
                *slot = digit;
            }
            at += 1;
        }
    }
    std::str::from_utf8(&text).unwrap_or_default().to_owned()
}

/// An opaque pagination token that resumes after `key`.
pub(crate) fn page_token(key: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.as_bytes())
}

/// The key a pagination token resumes after.
pub(crate) fn page_after(token: Option<&str>) -> Result<Option<String>, CognitoError> {
    let Some(token) = token else {
        return Ok(None);
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.as_bytes())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .map(Some)
        .ok_or_else(|| invalid_parameter("Invalid pagination token."))
}

/// How many items a page holds: the request's limit when it is positive, capped at `max`;
/// `max` when it is absent or zero.
pub(crate) fn page_size(requested: Option<i32>, max: usize) -> usize {
    requested
        .and_then(|m| usize::try_from(m).ok())
        .filter(|&m| m > 0)
        .map_or(max, |m| m.min(max))
}

/// One page of `map` in key order: up to `limit` items after the key `token` names, each
/// made by `item`, and the token for the next page when more follow.
pub(crate) fn page_of<V, T>(
    map: &std::collections::BTreeMap<String, V>,
    token: Option<&str>,
    limit: usize,
    mut item: impl FnMut(&V) -> T,
) -> Result<(Vec<T>, Option<String>), CognitoError> {
    page_of_entries(map, token, limit, |_, value| item(value))
}

/// [`page_of`], with items made from each key and value.
pub(crate) fn page_of_entries<V, T>(
    map: &std::collections::BTreeMap<String, V>,
    token: Option<&str>,
    limit: usize,
    mut item: impl FnMut(&str, &V) -> T,
) -> Result<(Vec<T>, Option<String>), CognitoError> {
    use std::ops::Bound;
    let after = page_after(token)?;
    let start = after.as_deref().map_or(Bound::Unbounded, Bound::Excluded);
    let mut rest = map.range::<str, _>((start, Bound::Unbounded));
    let mut page = Vec::with_capacity(limit.min(64));
    let mut last = None;
    for (key, value) in rest.by_ref().take(limit) {
        page.push(item(key, value));
        last = Some(key);
    }
    let next = rest.next().and(last).map(|k| page_token(k));
    Ok((page, next))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// A deterministic source of bytes for tests (splitmix64).
    #[derive(Default)]
    pub struct SeqRandom(AtomicU64);

    impl Random for SeqRandom {
        fn fill(&self, buf: &mut [u8]) {
            for chunk in buf.chunks_mut(8) {
                let mut z = self.0.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^= z >> 31;
                chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
            }
        }
    }

    #[test]
    fn ids_have_cognito_shapes() {
        let r = SeqRandom::default();
        let id = pool_id(&r, "eu-west-1");
        assert!(
            id.starts_with("eu-west-1_") && id.len() == "eu-west-1_".len() + 9,
            "{id}"
        );
        assert!(id[10..].chars().all(|c| c.is_ascii_alphanumeric()));
        let c = client_id(&r);
        assert_eq!(c.len(), 26);
        assert!(c
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
        assert_ne!(client_id(&r), c);
        let u = uuid_v4(&r);
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }

    #[test]
    fn pages_cover_a_map_once() {
        let map: std::collections::BTreeMap<String, u32> =
            (0..5).map(|i| (format!("k{i}"), i)).collect();
        let (first, token) = page_of(&map, None, 2, |v| *v).unwrap();
        assert_eq!(first, [0, 1]);
        let (second, token) = page_of(&map, token.as_deref(), 2, |v| *v).unwrap();
        assert_eq!(second, [2, 3]);
        let (third, token) = page_of(&map, token.as_deref(), 2, |v| *v).unwrap();
        assert_eq!((third, token), (vec![4], None));
        assert_eq!(page_size(None, 60), 60);
        assert_eq!(page_size(Some(0), 60), 60);
        assert_eq!(page_size(Some(5), 60), 5);
        assert_eq!(page_size(Some(99), 50), 50);
    }

    #[test]
    fn page_tokens_round_trip_and_reject_garbage() {
        assert_eq!(
            page_after(Some(&page_token("us-east-1_abc")))
                .unwrap()
                .as_deref(),
            Some("us-east-1_abc")
        );
        assert!(page_after(Some("!!!")).is_err());
        assert_eq!(page_after(None).unwrap(), None);
    }
}
