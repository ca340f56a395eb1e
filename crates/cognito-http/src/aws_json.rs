//! The `awsJson1_1` protocol: which operation a request names, how its body becomes an
//! input value, and how answers are written. Errors are written by `failure`, the one
//! mapping from every error to the wire.
//!
//! Reading bodies is bounded in time and memory: a body that sends nothing for
//! [`BODY_STALL_TIMEOUT`] is given up; bodies over [`SMALL_BODY`] bytes are held only
//! within a budget shared by every request of the process ([`BODY_BUDGET_KIB`]), so that
//! many large bodies at once wait for each other instead of all being held; and the
//! JSON value the validator's full path reads is built within the limits of
//! `json_limits` (nesting, values, and nothing for members the input shape lacks).

use std::future::Future;
use std::task::Poll;
use std::time::Duration;

use bytes::{Buf, Bytes, BytesMut};
use cognito_model::{DispatchError, Operation};
use http::header::{HeaderMap, HeaderName, CONTENT_LENGTH, CONTENT_TYPE};
use http::Response;
use http_body_util::{BodyExt, Full};
use hyper::body::Body;
use serde_json::{Map, Value};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::failure::{Failure, AMZ_JSON_1_1};
use crate::rejection::Rejection;
use crate::service::ResponseBody;

mod json_limits;

/// How long a request body may send nothing before it is given up
/// ([`Rejection::BodyUnreadable`]).
const BODY_STALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Bodies up to this size are read without counting against [`BODY_BUDGET_KIB`]: API
/// calls are a few hundred bytes.
const SMALL_BODY: usize = 64 * 1024;

/// How many KiB of bodies larger than [`SMALL_BODY`] the process holds at once: two of
/// the largest the API accepts by default, each with the few MiB of its JSON value. A
/// body larger than the whole budget takes all of it.
const BODY_BUDGET_KIB: usize = 2 * 6 * 1024;

/// The budget of [`BODY_BUDGET_KIB`], in permits of one KiB.
static BODY_BUDGET: Semaphore = Semaphore::const_new(BODY_BUDGET_KIB);

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
/// piece without a copy; only a body in several pieces is gathered into a new buffer. A
/// body larger than [`SMALL_BODY`] waits for its share of [`BODY_BUDGET`] (as much as its
/// `Content-Length` says, or `limit` when it says none) and keeps it until every copy of
/// the returned bytes is dropped.
pub(crate) async fn read_body<B>(
    headers: &HeaderMap,
    body: B,
    limit: usize,
) -> Result<Bytes, Rejection>
where
    B: Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    read_body_within(headers, body, limit, &BODY_BUDGET).await
}

/// [`read_body`], large bodies held within `budget` (permits of one KiB, at most
/// [`BODY_BUDGET_KIB`]).
async fn read_body_within<B>(
    headers: &HeaderMap,
    body: B,
    limit: usize,
    budget: &'static Semaphore,
) -> Result<Bytes, Rejection>
where
    B: Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let declared = declared_length(headers, limit)?;
    let mut share = match declared {
        Some(len) if len > SMALL_BODY => Some(budget_share(budget, len).await?),
        _ => None,
    };
    let mut body = std::pin::pin!(body);
    let mut first: Option<Bytes> = None;
    let mut gathered: Option<BytesMut> = None;
    let mut len = 0usize;
    while let Some(piece) = next_piece(body.as_mut()).await? {
        len = len.saturating_add(piece.len());
        if len > limit {
            return Err(Rejection::BodyTooLarge { limit });
        }
        if share.is_none() && len > SMALL_BODY {
            share = Some(budget_share(budget, limit).await?);
        }
        match (&mut gathered, first.take()) {
            (Some(all), _) => all.extend_from_slice(&piece),
            (None, None) => first = Some(piece),
            (None, Some(before)) => {
                let mut all = BytesMut::with_capacity(declared.unwrap_or(len).max(len));
                all.extend_from_slice(&before);
                all.extend_from_slice(&piece);
                gathered = Some(all);
            }
        }
    }
    let bytes = match gathered {
        Some(all) => all.freeze(),
        None => first.unwrap_or_default(),
    };
    Ok(match share {
        None => bytes,
        Some(share) => Bytes::from_owner(Charged {
            bytes,
            _share: share,
        }),
    })
}

/// Reads the whole body into one buffer of its own, refusing one larger than `limit`
/// bytes: for bodies handed on as they are (a user import's CSV), held once.
pub(crate) async fn read_body_to_vec<B>(
    headers: &HeaderMap,
    body: B,
    limit: usize,
) -> Result<Vec<u8>, Rejection>
where
    B: Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut all = Vec::with_capacity(declared_length(headers, limit)?.unwrap_or(0));
    let mut body = std::pin::pin!(body);
    while let Some(piece) = next_piece(body.as_mut()).await? {
        if all.len().saturating_add(piece.len()) > limit {
            return Err(Rejection::BodyTooLarge { limit });
        }
        all.extend_from_slice(&piece);
    }
    Ok(all)
}

/// The body's `Content-Length`, refused when larger than `limit`.
fn declared_length(headers: &HeaderMap, limit: usize) -> Result<Option<usize>, Rejection> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(len) if len > limit as u64 => Err(Rejection::BodyTooLarge { limit }),
        // At most `limit`, so it fits.
        Some(len) => Ok(Some(len as usize)),
        None => Ok(None),
    }
}

/// The next piece of the body's data, waiting at most [`BODY_STALL_TIMEOUT`] for it;
/// `None` at its end. Trailers carry nothing the API reads.
async fn next_piece<B>(mut body: std::pin::Pin<&mut B>) -> Result<Option<Bytes>, Rejection>
where
    B: Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    loop {
        if body.is_end_stream() {
            return Ok(None);
        }
        // Most pieces are there already: only one that is not is timed.
        let mut reading = body.as_mut();
        let mut next = std::pin::pin!(reading.frame());
        let unreadable = |frame: Option<Result<_, B::Error>>| {
            frame.map(|frame| frame.map_err(|_| Rejection::BodyUnreadable))
        };
        let ready =
            std::future::poll_fn(|cx| Poll::Ready(next.as_mut().poll(cx).map(unreadable))).await;
        let frame = match ready {
            Poll::Ready(frame) => frame,
            Poll::Pending => unreadable(
                tokio::time::timeout(BODY_STALL_TIMEOUT, next)
                    .await
                    .map_err(|_| Rejection::BodyUnreadable)?,
            ),
        };
        let Some(frame) = frame.transpose()? else {
            return Ok(None);
        };
        if let Ok(mut data) = frame.into_data() {
            return Ok(Some(data.copy_to_bytes(data.remaining())));
        }
    }
}

/// The share of `budget` a body of `len` bytes holds, once it is free.
async fn budget_share(
    budget: &'static Semaphore,
    len: usize,
) -> Result<SemaphorePermit<'static>, Rejection> {
    let kib = len.div_ceil(1024).min(BODY_BUDGET_KIB);
    // At most BODY_BUDGET_KIB, which fits.
    budget
        .acquire_many(kib as u32)
        .await
        .map_err(|_| Rejection::BodyUnreadable)
}

/// A body's bytes with the share of the budget they hold.
struct Charged {
    bytes: Bytes,
    _share: SemaphorePermit<'static>,
}

impl AsRef<[u8]> for Charged {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

/// The input value a body carries: a JSON object, `{}` when the body is empty; every
/// value built, within the limits of `json_limits`.
pub(crate) fn parse_input(body: &[u8]) -> Result<Value, Rejection> {
    parse_object(body, None).map_err(|refusal| match refusal {
        Refused::NotAnObject => Rejection::NotAnObject,
        Refused::Json(refusal) => Rejection::MalformedJson {
            detail: refusal.to_string(),
        },
    })
}

/// The input value of operation `op` a body carries, as [`parse_input`], built only for
/// what validating it against the operation's input shape reads (`json_limits`).
pub(crate) fn parse_operation_input(op: Operation, body: &[u8]) -> Result<Value, Failure> {
    parse_object(body, op.input_shape()).map_err(|refusal| match refusal {
        Refused::NotAnObject => Rejection::NotAnObject.into(),
        Refused::Json(json_limits::Refusal::Malformed(detail)) => {
            Rejection::MalformedJson { detail }.into()
        }
        Refused::Json(limit) => {
            DispatchError::Serialization(format!("The request body cannot be read: {limit}")).into()
        }
    })
}

/// Why a body is no input value.
enum Refused {
    NotAnObject,
    Json(json_limits::Refusal),
}

/// The JSON object in `body` (`{}` when empty), built for `shape`.
fn parse_object(
    body: &[u8],
    shape: Option<cognito_model::schema::ShapeId>,
) -> Result<Value, Refused> {
    if body.is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    match json_limits::parse(body, shape) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err(Refused::NotAnObject),
        Err(refusal) => Err(Refused::Json(refusal)),
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

    /// A body that sends its first bytes, then nothing.
    struct Stalled(Option<Bytes>);

    impl Body for Stalled {
        type Data = Bytes;
        type Error = std::convert::Infallible;

        fn poll_frame(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, Self::Error>>> {
            match self.0.take() {
                Some(bytes) => std::task::Poll::Ready(Some(Ok(hyper::body::Frame::data(bytes)))),
                None => std::task::Poll::Pending,
            }
        }
    }

    fn stalled_body() -> Stalled {
        Stalled(Some(Bytes::from_static(b"{\"A\"")))
    }

    #[tokio::test(start_paused = true)]
    async fn stalled_bodies_are_given_up() {
        let started = tokio::time::Instant::now();
        let read = read_body(&HeaderMap::new(), stalled_body(), 1024).await;
        assert_eq!(read, Err(Rejection::BodyUnreadable));
        assert_eq!(started.elapsed(), BODY_STALL_TIMEOUT);
        let read = read_body_to_vec(&HeaderMap::new(), stalled_body(), 1024).await;
        assert_eq!(read, Err(Rejection::BodyUnreadable));
    }

    /// Large bodies hold their share of the budget as long as their bytes live, and wait
    /// for it when others hold it.
    #[tokio::test]
    async fn large_bodies_are_held_within_the_budget() {
        static BUDGET: Semaphore = Semaphore::const_new(BODY_BUDGET_KIB);
        let large = |kib: usize| Full::new(Bytes::from(vec![b' '; kib * 1024]));
        let declaring = |kib: usize| headers(&[("content-length", &(kib * 1024).to_string())]);
        let small = read_body_within(&HeaderMap::new(), large(64), usize::MAX, &BUDGET).await;
        assert_eq!(small.unwrap().len(), 64 * 1024);
        assert_eq!(
            BUDGET.available_permits(),
            BODY_BUDGET_KIB,
            "small bodies are free"
        );

        let (no_length, hundred, twice) = (
            HeaderMap::new(),
            declaring(100),
            declaring(BODY_BUDGET_KIB * 2),
        );
        let first = read_body_within(&hundred, large(100), usize::MAX, &BUDGET);
        let first = first.await.unwrap();
        let copy = first.clone();
        assert_eq!(BUDGET.available_permits(), BODY_BUDGET_KIB - 100);
        drop(first);
        assert_eq!(BUDGET.available_permits(), BODY_BUDGET_KIB - 100);
        drop(copy);
        assert_eq!(BUDGET.available_permits(), BODY_BUDGET_KIB);

        // Without a declared length, a body takes the share of the largest it may be
        // once it grows past a small one.
        let chunked = read_body_within(&no_length, large(65), 200 * 1024, &BUDGET);
        let chunked = chunked.await.unwrap();
        assert_eq!(BUDGET.available_permits(), BODY_BUDGET_KIB - 200);
        drop(chunked);

        // A body larger than the budget takes all of it; the next one waits.
        let whole = read_body_within(&twice, large(BODY_BUDGET_KIB * 2), usize::MAX, &BUDGET);
        let whole = whole.await.unwrap();
        assert_eq!(BUDGET.available_permits(), 0);
        let mut next = std::pin::pin!(read_body_within(&hundred, large(100), usize::MAX, &BUDGET));
        let polled = std::future::poll_fn(|cx| {
            std::task::Poll::Ready(std::future::Future::poll(next.as_mut(), cx))
        });
        assert!(polled.await.is_pending(), "waits");
        drop(whole);
        assert_eq!(next.await.unwrap().len(), 100 * 1024);
    }

    #[test]
    fn operation_inputs_past_the_limits_are_serialization_errors() {
        let deep = format!(r#"{{"UserPoolId":{}{}}}"#, "[".repeat(100), "]".repeat(100));
        let failure = parse_operation_input(Operation::ListUsers, deep.as_bytes()).unwrap_err();
        assert_eq!(failure.type_name(), "SerializationException");
        assert_eq!(
            failure.message(),
            "The request body cannot be read: arrays and objects are nested deeper than 64 levels"
        );
        let failure = parse_operation_input(Operation::ListUsers, b"[1]").unwrap_err();
        assert_eq!(failure.message(), "The request body must be a JSON object");
        let failure = parse_operation_input(Operation::ListUsers, b"{").unwrap_err();
        assert_eq!(failure.type_name(), "SerializationException");
        assert!(failure
            .message()
            .starts_with("The request body is not valid JSON: "));
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
