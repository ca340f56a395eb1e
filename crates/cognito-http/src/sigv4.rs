//! What the emulator takes from an AWS Signature Version 4 `Authorization` header: the
//! region of its credential scope, and nothing else.
//!
//! A header reads like
//! `AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/cognito-idp/aws4_request, SignedHeaders=..., Signature=...`.
//! Signatures are not verified: any credentials are accepted.

use http::header::{HeaderMap, AUTHORIZATION};

/// The region named by the request's SigV4 credential scope, if it names a plausible one.
///
/// Works on the header's bytes: every request carries one, and this is on the path of
/// each of them.
pub(crate) fn region(headers: &HeaderMap) -> Option<&str> {
    let authorization = headers.get(AUTHORIZATION)?.as_bytes();
    // The SDKs put the credential first.
    let credential = match authorization.strip_prefix(b"AWS4-HMAC-SHA256 Credential=") {
        Some(credential) => credential,
        None => {
            let start = find(authorization, b"Credential=")?.checked_add(b"Credential=".len())?;
            authorization.get(start..)?
        }
    };
    // access key id / date / region / service / terminator, ending at a comma or a
    // space: one pass to the end of the third part.
    let (mut slashes, mut from, mut to) = (0, None, credential.len());
    for (i, &b) in credential.iter().enumerate() {
        if b == b',' || b.is_ascii_whitespace() {
            to = i;
            break;
        }
        if b == b'/' {
            slashes += 1;
            if slashes == 2 {
                from = Some(i + 1);
            } else if slashes == 3 {
                to = i;
                break;
            }
        }
    }
    let region = credential.get(from?..to)?;
    if is_region(region) {
        // Checked: ASCII only.
        std::str::from_utf8(region).ok()
    } else {
        None
    }
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window.first() == needle.first() && window == needle)
}

/// Region names are short runs of lowercase letters, digits and dashes (`us-gov-west-1`).
fn is_region(s: &[u8]) -> bool {
    (1..=32).contains(&s.len())
        && s.iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn regions_come_from_the_credential_scope() {
        let cases = [
            (
                Some("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-west-3/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc"),
                Some("eu-west-3"),
            ),
            (
                Some("AWS4-HMAC-SHA256 Credential=AKID/20260101/us-gov-west-1/cognito-idp/aws4_request,SignedHeaders=host,Signature=abc"),
                Some("us-gov-west-1"),
            ),
            (
                Some("AWS4-HMAC-SHA256 SignedHeaders=host, Credential=AKID/20260101/ap-south-2/cognito-idp/aws4_request"),
                Some("ap-south-2"),
            ),
            (Some("AWS4-HMAC-SHA256 Credential=AKID/20260101"), None),
            (Some("AWS4-HMAC-SHA256 Credential=AKID/20260101//cognito-idp/aws4_request"), None),
            (Some("AWS4-HMAC-SHA256 Credential=AKID/20260101/EU_WEST/cognito-idp/aws4_request"), None),
            (Some("Bearer eyJhbGciOi"), None),
            (Some("AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1"), Some("eu-west-1")),
            (Some("Credential="), None),
            (None, None),
        ];
        for (authorization, expected) in cases {
            let mut headers = HeaderMap::new();
            if let Some(a) = authorization {
                headers.insert(AUTHORIZATION, HeaderValue::from_str(a).unwrap());
            }
            assert_eq!(region(&headers), expected, "{authorization:?}");
        }
    }
}
