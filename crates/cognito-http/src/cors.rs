//! Cross-origin resource sharing, so that browser clients can call the emulator from any
//! page: preflight answers, and the headers responses carry.
//!
//! The `cognito-idp` API, the key sets and the discovery documents trust every origin:
//! their answers echo the caller's `Origin` (or answer `*`) and preflights allow any
//! requested header. The test API shares its answers only with the origins the embedder
//! allows; `cross_site` decides which [`Cors`] a request to it gets.

use http::header::{
    HeaderMap, HeaderValue, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_REQUEST_HEADERS, ORIGIN, VARY,
};
use http::{Response, StatusCode};

use crate::service::ResponseBody;

/// Headers allowed on every cross-origin request, whatever the preflight asked for.
const ALLOWED_HEADERS: &str = "content-type, x-amz-target, x-amz-user-agent, authorization, \
     x-amz-date, x-amz-security-token, amz-sdk-invocation-id, amz-sdk-request, cache-control";
/// Methods the routes answer.
const ALLOWED_METHODS: HeaderValue = HeaderValue::from_static("GET, POST, OPTIONS");
/// Response headers scripts may read.
const EXPOSED_HEADERS: HeaderValue =
    HeaderValue::from_static("x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, date");
/// How long browsers may cache a preflight answer, in seconds.
const MAX_AGE: HeaderValue = HeaderValue::from_static("7200");
const ANY_ORIGIN: HeaderValue = HeaderValue::from_static("*");

/// The answer to an `OPTIONS` preflight with request headers `headers`.
pub(crate) fn preflight(headers: &HeaderMap) -> Response<ResponseBody> {
    let mut response = Response::new(ResponseBody::default());
    *response.status_mut() = StatusCode::NO_CONTENT;
    let out = response.headers_mut();
    out.insert(ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS);
    let requested = headers
        .get(ACCESS_CONTROL_REQUEST_HEADERS)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty());
    out.insert(
        ACCESS_CONTROL_ALLOW_HEADERS,
        requested
            .and_then(allow_headers)
            .unwrap_or(HeaderValue::from_static(ALLOWED_HEADERS)),
    );
    out.insert(ACCESS_CONTROL_MAX_AGE, MAX_AGE);
    out.append(
        VARY,
        HeaderValue::from_static("Access-Control-Request-Headers"),
    );
    response
}

/// The always-allowed headers followed by those `requested` that are not among them;
/// `None` when nothing needs adding.
fn allow_headers(requested: &str) -> Option<HeaderValue> {
    let mut allowed = String::new();
    for name in requested
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        let known = ALLOWED_HEADERS
            .split(", ")
            .any(|a| a.eq_ignore_ascii_case(name));
        if !known {
            if allowed.is_empty() {
                allowed.push_str(ALLOWED_HEADERS);
            }
            allowed.push_str(", ");
            allowed.push_str(name);
        }
    }
    if allowed.is_empty() {
        None
    } else {
        HeaderValue::from_str(&allowed).ok()
    }
}

/// Which pages may read a response: the CORS headers it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cors {
    /// Every page: the request's `Origin` echoed, or `*` without one.
    Public(Option<HeaderValue>),
    /// The page of this allowed origin only.
    Allowed(HeaderValue),
    /// No page: no CORS headers at all, so browsers keep the answer from scripts of
    /// other origins.
    Withheld,
}

/// What an answer to a request with `headers` shares with every page.
pub(crate) fn public(headers: &HeaderMap) -> Cors {
    Cors::Public(headers.get(ORIGIN).cloned())
}

/// Adds the CORS headers `cors` calls for.
pub(crate) fn decorate(headers: &mut HeaderMap, cors: Cors) {
    match cors {
        Cors::Public(Some(origin)) | Cors::Allowed(origin) => {
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            headers.append(VARY, HeaderValue::from_static("Origin"));
        }
        Cors::Public(None) => {
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, ANY_ORIGIN);
        }
        Cors::Withheld => return,
    }
    headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED_HEADERS);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preflights_allow_the_sdk_headers_and_echo_requested_ones() {
        let mut request = HeaderMap::new();
        request.insert(
            ACCESS_CONTROL_REQUEST_HEADERS,
            HeaderValue::from_static("x-custom-thing"),
        );
        let response = preflight(&request);
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        let allowed = response.headers()[ACCESS_CONTROL_ALLOW_HEADERS]
            .to_str()
            .unwrap();
        for header in [
            "content-type",
            "x-amz-target",
            "x-amz-user-agent",
            "authorization",
            "x-custom-thing",
        ] {
            assert!(allowed.contains(header), "{header} in {allowed}");
        }
        assert!(response.headers()[ACCESS_CONTROL_ALLOW_METHODS]
            .to_str()
            .unwrap()
            .contains("POST"));
        assert!(response.headers().contains_key(ACCESS_CONTROL_MAX_AGE));

        let response = preflight(&HeaderMap::new());
        assert_eq!(
            response.headers()[ACCESS_CONTROL_ALLOW_HEADERS],
            ALLOWED_HEADERS
        );
    }

    #[test]
    fn origins_are_echoed_or_any() {
        let mut headers = HeaderMap::new();
        decorate(
            &mut headers,
            Cors::Public(Some(HeaderValue::from_static("http://localhost:3000"))),
        );
        assert_eq!(
            headers[ACCESS_CONTROL_ALLOW_ORIGIN],
            "http://localhost:3000"
        );
        assert_eq!(headers[VARY], "Origin");
        assert_eq!(headers[ACCESS_CONTROL_EXPOSE_HEADERS], EXPOSED_HEADERS);

        let mut headers = HeaderMap::new();
        decorate(&mut headers, Cors::Public(None));
        assert_eq!(headers[ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    }

    #[test]
    fn withheld_means_no_cors_headers() {
        let mut headers = HeaderMap::new();
        decorate(&mut headers, Cors::Withheld);
        assert!(headers.is_empty(), "{headers:?}");

        let mut headers = HeaderMap::new();
        let origin = HeaderValue::from_static("http://localhost:3000");
        decorate(&mut headers, Cors::Allowed(origin.clone()));
        assert_eq!(headers[ACCESS_CONTROL_ALLOW_ORIGIN], origin);
        assert_eq!(headers[VARY], "Origin");
    }
}
