//! The `awsJson1_1` protocol: which operation a request names, how its body becomes an
//! input value, and how answers are written. Errors are written by `failure`, the one
//! mapping from every error to the wire.

use bytes::{Buf, Bytes, BytesMut};
use cognito_model::Operation;
use http::header::{HeaderMap, HeaderName, CONTENT_LENGTH, CONTENT_TYPE};
use http::Response;
use http_body_util::{BodyExt, Full};
use hyper::body::Body;
use serde_json::{Map, Value};

use crate::failure::AMZ_JSON_1_1;
use crate::rejection::Rejection;
use crate::service::ResponseBody;

/// What precedes the operation name in `X-Amz-Target`.
const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";
/// Names the operation.
const X_AMZ_TARGET: HeaderName = HeaderName::from_static("x-amz-target");
/// Media types accepted for request bodies (compared without parameters, ignoring case).
const ACCEPTED_MEDIA_TYPES: [&str; 3] = [
    "application/x-amz-json-1.1",
    "application/x-amz-json-1.0",
    "application/json",
];

/// The operation named by `X-Amz-Target`.
pub(crate) fn operation(headers: &HeaderMap) -> Result<Operation, Rejection> {
    let value = headers.get(X_AMZ_TARGET).ok_or(Rejection::MissingTarget)?;
    let Ok(target) = value.to_str() else {
        return Err(Rejection::UnknownOperation { target: None });
    };
    target
        .strip_prefix(TARGET_PREFIX)
        .and_then(Operation::from_name)
        .ok_or_else(|| Rejection::UnknownOperation {
            target: Some(target.to_owned()),
        })
}

/// Refuses bodies declared as anything but JSON; a missing `Content-Type` is accepted.
pub(crate) fn check_content_type(headers: &HeaderMap) -> Result<(), Rejection> {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return Ok(());
    };
    // What the SDKs send, compared whole before the general rule.
    if *value == AMZ_JSON_1_1 {
        return Ok(());
    }
    let value = value
        .to_str()
        .map_err(|_| Rejection::UnsupportedMediaType)?;
    let essence = value
        .split_once(';')
        .map_or(value, |(essence, _)| essence)
        .trim();
    if ACCEPTED_MEDIA_TYPES
        .iter()
        .any(|accepted| essence.eq_ignore_ascii_case(accepted))
    {
        Ok(())
    } else {
        Err(Rejection::UnsupportedMediaType)
    }
}

/// Reads the whole body, refusing (without reading on when it can tell early) one larger
/// than `limit` bytes.
///
/// A body that arrives as one piece, as a request's usually does, is answered as that
/// piece without a copy; only a body in several pieces is gathered into a new buffer.
pub(crate) async fn read_body<B>(
    headers: &HeaderMap,
    body: B,
    limit: usize,
) -> Result<Bytes, Rejection>
where
    B: Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(Rejection::BodyTooLarge { limit });
    }
    let mut body = std::pin::pin!(body);
    let mut first: Option<Bytes> = None;
    let mut gathered: Option<BytesMut> = None;
    let mut len = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| Rejection::BodyUnreadable)?;
        // Trailers carry nothing the API reads.
        let Ok(mut data) = frame.into_data() else {
            continue;
        };
        len = len.saturating_add(data.remaining());
        if len > limit {
            return Err(Rejection::BodyTooLarge { limit });
        }
        let piece = data.copy_to_bytes(data.remaining());
        match (&mut gathered, first.take()) {
            (Some(all), _) => all.extend_from_slice(&piece),
            (None, None) => first = Some(piece),
            (None, Some(before)) => {
                let mut all = BytesMut::with_capacity(before.len() + piece.len());
                all.extend_from_slice(&before);
                all.extend_from_slice(&piece);
                gathered = Some(all);
            }
        }
    }
    Ok(match gathered {
        Some(all) => all.freeze(),
        None => first.unwrap_or_default(),
    })
}

/// The input value a body carries: a JSON object, `{}` when the body is empty.
pub(crate) fn parse_input(body: &[u8]) -> Result<Value, Rejection> {
    if body.is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    match serde_json::from_slice(body) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(Rejection::NotAnObject),
        Err(e) => Err(Rejection::MalformedJson {
            detail: e.to_string(),
        }),
    }
}

/// A successful answer carrying an encoded output.
pub(crate) fn success(output: Vec<u8>) -> Response<ResponseBody> {
    let mut response = Response::new(Full::new(Bytes::from(output)));
    response.headers_mut().insert(CONTENT_TYPE, AMZ_JSON_1_1);
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        map
    }

    #[test]
    fn targets_name_operations() {
        let cases: &[(Option<&str>, Result<Operation, Rejection>)] = &[
            (
                Some("AWSCognitoIdentityProviderService.DescribeUserPool"),
                Ok(Operation::DescribeUserPool),
            ),
            (
                Some("AWSCognitoIdentityProviderService.InitiateAuth"),
                Ok(Operation::InitiateAuth),
            ),
            (None, Err(Rejection::MissingTarget)),
            (
                Some("AWSCognitoIdentityProviderService.Nope"),
                Err(Rejection::UnknownOperation {
                    target: Some("AWSCognitoIdentityProviderService.Nope".into()),
                }),
            ),
            (
                Some("DynamoDB_20120810.DescribeUserPool"),
                Err(Rejection::UnknownOperation {
                    target: Some("DynamoDB_20120810.DescribeUserPool".into()),
                }),
            ),
            (
                Some("AWSCognitoIdentityProviderService.describeUserPool"),
                Err(Rejection::UnknownOperation {
                    target: Some("AWSCognitoIdentityProviderService.describeUserPool".into()),
                }),
            ),
        ];
        for (target, expected) in cases {
            let h = match target {
                Some(t) => headers(&[("x-amz-target", t)]),
                None => HeaderMap::new(),
            };
            assert_eq!(&operation(&h), expected, "target {target:?}");
        }
    }

    #[test]
    fn content_types() {
        let cases = [
            (None, true),
            (Some("application/x-amz-json-1.1"), true),
            (Some("application/x-amz-json-1.0"), true),
            (Some("application/json"), true),
            (Some("application/json; charset=utf-8"), true),
            (Some("Application/X-Amz-Json-1.1 ;charset=UTF-8"), true),
            (Some("text/plain"), false),
            (Some("application/x-www-form-urlencoded"), false),
            (Some("application/xml"), false),
        ];
        for (content_type, ok) in cases {
            let h = match content_type {
                Some(t) => headers(&[("content-type", t)]),
                None => HeaderMap::new(),
            };
            assert_eq!(check_content_type(&h).is_ok(), ok, "{content_type:?}");
        }
    }

    #[test]
    fn bodies_parse_to_objects() {
        assert_eq!(parse_input(b"").unwrap(), Value::Object(Map::new()));
        assert_eq!(parse_input(br#"{"A":1}"#).unwrap()["A"], 1);
        assert_eq!(parse_input(b"[]"), Err(Rejection::NotAnObject));
        assert_eq!(parse_input(b"null"), Err(Rejection::NotAnObject));
        assert!(matches!(
            parse_input(b"{"),
            Err(Rejection::MalformedJson { .. })
        ));
        assert!(matches!(
            parse_input(b"   "),
            Err(Rejection::MalformedJson { .. })
        ));
    }

    #[tokio::test]
    async fn declared_oversize_bodies_are_refused_unread() {
        let h = headers(&[("content-length", "11")]);
        let body = Full::new(Bytes::from_static(b"{}"));
        assert_eq!(
            read_body(&h, body, 10).await,
            Err(Rejection::BodyTooLarge { limit: 10 })
        );
        let body = Full::new(Bytes::from_static(b"{\"A\":\"xxxxxxxx\"}"));
        assert_eq!(
            read_body(&HeaderMap::new(), body, 10).await,
            Err(Rejection::BodyTooLarge { limit: 10 })
        );
        let body = Full::new(Bytes::from_static(b"{}"));
        assert_eq!(
            read_body(&HeaderMap::new(), body, 2).await.unwrap(),
            Bytes::from_static(b"{}")
        );
    }
}
