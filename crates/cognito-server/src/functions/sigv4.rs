//! AWS Signature Version 4, as the server signs its calls to a Lambda Invoke API.
//!
//! LocalStack and moto read the Region and the account from a request's signature, and
//! the real Invoke API checks it; SAM local and serverless-offline ignore it. Only what
//! those calls need is here: a header-signed request whose path and query are already
//! percent-encoded as they travel.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// Who signs: an access key, its secret, and the session token of temporary credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The session token of temporary credentials (`X-Amz-Security-Token`).
    pub session_token: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// A request to sign.
pub struct Request<'a> {
    /// `GET`, `POST`, ...
    pub method: &'a str,
    /// The path as sent, percent-encoded.
    pub path: &'a str,
    /// The query as sent, each name and value percent-encoded as [`uri_encode`] does, in
    /// the order of their names; empty when there is none.
    pub query: &'a str,
    /// The headers to sign besides `x-amz-date` (and `x-amz-security-token`, added when
    /// the credentials have one), `host` among them.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body.
    pub body: &'a [u8],
}

/// Where and when a request is signed for.
pub struct Scope<'a> {
    /// The Region, e.g. `us-east-1`.
    pub region: &'a str,
    /// The signing name of the service, e.g. `lambda`.
    pub service: &'a str,
    /// The time, as `YYYYMMDD'T'HHMMSS'Z'`.
    pub amz_date: &'a str,
}

/// The headers to add to `request` for it to carry a signature of `credentials`:
/// `X-Amz-Date`, `X-Amz-Security-Token` when the credentials have a session token, and
/// `Authorization`.
pub fn sign(
    request: &Request<'_>,
    scope: &Scope<'_>,
    credentials: &Credentials,
) -> Vec<(&'static str, String)> {
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), canonical_value(value)))
        .collect();
    headers.push(("x-amz-date".to_owned(), scope.amz_date.to_owned()));
    if let Some(token) = &credentials.session_token {
        headers.push(("x-amz-security-token".to_owned(), token.clone()));
    }
    headers.sort();
    let signed_headers = headers
        .iter()
        .map(|(name, _)| name.as_str())
        .collect::<Vec<_>>()
        .join(";");

    // Task 1: the canonical request.
    let mut canonical = String::new();
    canonical.push_str(request.method);
    canonical.push('\n');
    canonical.push_str(&canonical_uri(request.path));
    canonical.push('\n');
    canonical.push_str(request.query);
    canonical.push('\n');
    for (name, value) in &headers {
        canonical.push_str(name);
        canonical.push(':');
        canonical.push_str(value);
        canonical.push('\n');
    }
    canonical.push('\n');
    canonical.push_str(&signed_headers);
    canonical.push('\n');
    canonical.push_str(&hex(&Sha256::digest(request.body)));

    // Task 2: the string to sign.
    let date = scope.amz_date.get(..8).unwrap_or(scope.amz_date);
    let credential_scope = format!("{date}/{}/{}/aws4_request", scope.region, scope.service);
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{}\n{credential_scope}\n{}",
        scope.amz_date,
        hex(&Sha256::digest(canonical.as_bytes()))
    );

    // Task 3: the signing key, derived from the secret through the scope.
    let mut key = hmac(
        format!("AWS4{}", credentials.secret_access_key).as_bytes(),
        date.as_bytes(),
    );
    for part in [scope.region, scope.service, "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }

    // Task 4: the signature, in the Authorization header.
    let signature = hex(&hmac(&key, string_to_sign.as_bytes()));
    let mut added = vec![("X-Amz-Date", scope.amz_date.to_owned())];
    if let Some(token) = &credentials.session_token {
        added.push(("X-Amz-Security-Token", token.clone()));
    }
    added.push((
        "Authorization",
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{credential_scope}, SignedHeaders={signed_headers}, Signature={signature}",
            credentials.access_key_id
        ),
    ));
    added
}

/// Percent-encodes every byte of `s` but the unreserved characters of RFC 3986
/// (`A-Z a-z 0-9 - . _ ~`), and `/` when `keep_slash`.
pub fn uri_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~')
            || (keep_slash && b == b'/')
        {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The path as signed: services other than S3 sign the sent (already encoded) path
/// encoded once more.
fn canonical_uri(path: &str) -> String {
    if path.is_empty() {
        "/".to_owned()
    } else {
        uri_encode(path, true)
    }
}

/// A header value as signed: trimmed, inner runs of spaces made one.
fn canonical_value(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    match HmacSha256::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example_credentials(secret: &str) -> Credentials {
        Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: secret.into(),
            session_token: None,
        }
    }

    fn authorization<'a>(added: &'a [(&'static str, String)]) -> &'a str {
        &added.iter().find(|(n, _)| *n == "Authorization").unwrap().1
    }

    /// The `get-vanilla` case of AWS's Signature Version 4 test suite.
    #[test]
    fn signs_the_test_suites_get_vanilla() {
        let added = sign(
            &Request {
                method: "GET",
                path: "/",
                query: "",
                headers: &[("Host", "example.amazonaws.com")],
                body: b"",
            },
            &Scope {
                region: "us-east-1",
                service: "service",
                amz_date: "20150830T123600Z",
            },
            &example_credentials("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
        );
        assert_eq!(
            authorization(&added),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
        assert_eq!(added[0], ("X-Amz-Date", "20150830T123600Z".to_owned()));
    }

    /// S3's worked example of a signed GET with a `Range` header.
    #[test]
    fn signs_s3s_get_object_example() {
        let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let added = sign(
            &Request {
                method: "GET",
                path: "/test.txt",
                query: "",
                headers: &[
                    ("Host", "examplebucket.s3.amazonaws.com"),
                    ("Range", "bytes=0-9"),
                    ("x-amz-content-sha256", empty),
                ],
                body: b"",
            },
            &Scope {
                region: "us-east-1",
                service: "s3",
                amz_date: "20130524T000000Z",
            },
            &example_credentials("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        );
        assert!(authorization(&added).ends_with(
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \
             Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        ));
    }

    #[test]
    fn a_session_token_is_sent_and_signed() {
        let mut credentials = example_credentials("hush-hush");
        credentials.session_token = Some("session-xyz".into());
        let added = sign(
            &Request {
                method: "POST",
                path: "/",
                query: "",
                headers: &[("host", "h")],
                body: b"{}",
            },
            &Scope {
                region: "eu-west-1",
                service: "lambda",
                amz_date: "20260101T000000Z",
            },
            &credentials,
        );
        assert_eq!(added[1], ("X-Amz-Security-Token", "session-xyz".to_owned()));
        assert!(
            authorization(&added).contains("SignedHeaders=host;x-amz-date;x-amz-security-token,")
        );
        let debug = format!("{credentials:?}");
        assert!(
            !debug.contains("hush-hush") && !debug.contains("session-xyz"),
            "{debug}"
        );
    }

    #[test]
    fn encodes_all_but_unreserved_characters() {
        assert_eq!(uri_encode("a-Z_0.~/$:", false), "a-Z_0.~%2F%24%3A");
        assert_eq!(uri_encode("/a b/", true), "/a%20b/");
        assert_eq!(
            canonical_uri("/functions/arn%3Aaws"),
            "/functions/arn%253Aaws"
        );
    }
}
