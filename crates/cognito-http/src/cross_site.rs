//! Keeping web pages away from the test API.
//!
//! The test API under `/_cognito/` hands out confirmation codes and temporary passwords
//! and can wipe all state, so it answers the developer's own tools (curl, SDKs, test
//! code) and the pages of the origins the embedder allows, nobody else. [`CrossSiteGuard`]
//! refuses, in this order:
//!
//! 1. a `Host` that is neither a loopback name (`localhost`, `*.localhost`, `127.x.x.x`,
//!    `[::1]`) nor a name or address the server listens on: a page whose DNS name was
//!    rebound to this server (DNS rebinding). A request without `Host` (HTTP/1.0) passes;
//! 2. an `Origin` that is not an allowed [`Origin`]: another site's script;
//! 3. `Sec-Fetch-Site: cross-site` or `same-site` without an allowed `Origin`: another
//!    page's navigation, form, image or script tag.
//!
//! Requests without these headers come from programs, not from pages, and pass. CORS
//! headers themselves are written by `cors`; this module only decides who gets them.
//!
//! Boundary: this module knows headers, not routes; `service` applies it to the test
//! API's paths (`router::is_test_api`) only. The `cognito-idp` API, the key sets and the
//! discovery documents stay open to every origin, as Cognito's are.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use http::header::{HeaderMap, HeaderName, HeaderValue, HOST, ORIGIN};
use http::Uri;

use crate::rejection::Rejection;

/// `Sec-Fetch-Site`, the browser's statement of who initiated a request (Fetch Metadata).
const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

/// A web origin, `scheme://host[:port]`, as browsers send it in `Origin`.
///
/// Parsed from text such as `http://localhost:3000` or `https://app.example/`: the scheme
/// (`http` or `https`) and host are lowercased, a default port (80, 443) and one trailing
/// `/` are dropped, and anything else (a path, a query, user info, another scheme) is
/// refused, so two spellings of one origin compare equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin(String);

impl Origin {
    /// The origin as browsers serialize it, e.g. `http://localhost:3000`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Origin {
    type Err = InvalidOrigin;

    fn from_str(s: &str) -> Result<Self, InvalidOrigin> {
        let (scheme, rest) = s.trim().split_once("://").ok_or(InvalidOrigin::NoScheme)?;
        let scheme = scheme.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => return Err(InvalidOrigin::UnsupportedScheme),
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.contains(['/', '?', '#', '@']) {
            return Err(InvalidOrigin::NotJustAnOrigin);
        }
        let (host, port) = split_authority(authority).ok_or(InvalidOrigin::BadHost)?;
        let host = match host {
            Host::Ip(IpAddr::V6(ip)) => format!("[{ip}]"),
            Host::Ip(IpAddr::V4(ip)) => ip.to_string(),
            Host::Name(name) => name,
        };
        let port = match port {
            None => None,
            Some(port) => Some(port.parse::<u16>().map_err(|_| InvalidOrigin::BadPort)?),
        };
        Ok(Origin(match port {
            Some(port) if port != default_port => format!("{scheme}://{host}:{port}"),
            _ => format!("{scheme}://{host}"),
        }))
    }
}

/// Why text is not an [`Origin`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidOrigin {
    /// No `scheme://`.
    NoScheme,
    /// A scheme other than `http` or `https`.
    UnsupportedScheme,
    /// A path, query, fragment or user info after the host.
    NotJustAnOrigin,
    /// The host is missing or not a host name or IP address.
    BadHost,
    /// The port is not a number from 0 to 65535.
    BadPort,
}

impl fmt::Display for InvalidOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match self {
            InvalidOrigin::NoScheme => "it has no scheme",
            InvalidOrigin::UnsupportedScheme => "the scheme is neither http nor https",
            InvalidOrigin::NotJustAnOrigin => "it has a path, query or user info",
            InvalidOrigin::BadHost => "the host is missing or malformed",
            InvalidOrigin::BadPort => "the port is not a number from 0 to 65535",
        };
        write!(
            f,
            "expected an origin such as http://localhost:3000, but {why}"
        )
    }
}

impl std::error::Error for InvalidOrigin {}

/// The host part of a `Host` header or an origin.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Host {
    /// An IP address (IPv6 written in brackets).
    Ip(IpAddr),
    /// A DNS name, lowercased.
    Name(String),
}

impl Host {
    /// A host name or address as given to the server to listen on (`::1` or `[::1]`,
    /// `127.0.0.1`, `localhost`); `None` if it is neither.
    fn parse_listen(s: &str) -> Option<Host> {
        let bare = s
            .strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
            .unwrap_or(s);
        match bare.parse::<IpAddr>() {
            Ok(ip) => Some(Host::Ip(ip)),
            Err(_) => Host::name(bare),
        }
    }

    /// `s` as a DNS name: letters, digits, `-`, `_` and `.`, not empty.
    fn name(s: &str) -> Option<Host> {
        let plausible = !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        plausible.then(|| Host::Name(s.to_ascii_lowercase()))
    }

    /// Whether the host can only mean this machine: `localhost`, a name under
    /// `.localhost` (RFC 6761 §6.3), or a loopback address.
    fn is_loopback(&self) -> bool {
        match self {
            Host::Ip(ip) => ip.is_loopback(),
            Host::Name(name) => name == "localhost" || name.ends_with(".localhost"),
        }
    }
}

/// Splits `host[:port]` (IPv6 in brackets) into its host and port text; `None` when the
/// host is malformed.
fn split_authority(authority: &str) -> Option<(Host, Option<&str>)> {
    if let Some(bracketed) = authority.strip_prefix('[') {
        let (ip, rest) = bracketed.split_once(']')?;
        let port = match rest {
            "" => None,
            _ => Some(rest.strip_prefix(':')?),
        };
        return Some((Host::Ip(IpAddr::V6(ip.parse().ok()?)), port));
    }
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let host = match host.parse() {
        Ok(ip) => Host::Ip(IpAddr::V4(ip)),
        Err(_) => Host::name(host)?,
    };
    Some((host, port))
}

/// Decides which requests the test API answers and which origins read its answers.
#[derive(Debug, Clone, Default)]
pub(crate) struct CrossSiteGuard {
    /// Origins whose pages may call the test API.
    origins: Vec<Origin>,
    /// Names and addresses, besides loopback ones, that `Host` may name.
    hosts: Vec<Host>,
    /// Whether the server listens on every address (`0.0.0.0`, `::`): then any IP
    /// address is one it listens on.
    any_address: bool,
}

impl CrossSiteGuard {
    /// A guard allowing the pages of `origins` and the hosts in `listen_hosts` (names or
    /// addresses; an unspecified address stands for every address). Entries of
    /// `listen_hosts` that are neither are ignored.
    pub(crate) fn new(origins: &[Origin], listen_hosts: &[String]) -> Self {
        let mut guard = CrossSiteGuard {
            origins: origins.to_vec(),
            ..CrossSiteGuard::default()
        };
        for host in listen_hosts.iter().filter_map(|h| Host::parse_listen(h)) {
            match host {
                Host::Ip(ip) if ip.is_unspecified() => guard.any_address = true,
                host => guard.hosts.push(host),
            }
        }
        guard
    }

    /// Checks a request to the test API. On success, the allowed `Origin` the answer
    /// may name in its CORS headers, if the request came from such a page.
    pub(crate) fn check(
        &self,
        headers: &HeaderMap,
        uri: &Uri,
    ) -> Result<Option<HeaderValue>, Rejection> {
        self.check_host(headers, uri)?;
        let origin = match headers.get(ORIGIN) {
            None => None,
            Some(origin) if self.allows_origin(origin) => Some(origin.clone()),
            Some(origin) => {
                return Err(Rejection::ForeignOrigin {
                    origin: String::from_utf8_lossy(origin.as_bytes()).into_owned(),
                })
            }
        };
        if origin.is_none() {
            if let Some(site) = headers.get(SEC_FETCH_SITE) {
                let site = String::from_utf8_lossy(site.as_bytes());
                if site.eq_ignore_ascii_case("cross-site") || site.eq_ignore_ascii_case("same-site")
                {
                    return Err(Rejection::CrossSite {
                        site: site.into_owned(),
                    });
                }
            }
        }
        Ok(origin)
    }

    /// Refuses a `Host` (or, without one, the request target's authority) that names
    /// neither this machine's loopback nor a host the server listens on.
    fn check_host(&self, headers: &HeaderMap, uri: &Uri) -> Result<(), Rejection> {
        let authority = match headers.get(HOST) {
            Some(host) => String::from_utf8_lossy(host.as_bytes()).into_owned(),
            None => match uri.authority() {
                Some(authority) => authority.as_str().to_owned(),
                None => return Ok(()),
            },
        };
        let allowed = match split_authority(authority.trim()) {
            Some((host, _)) => {
                host.is_loopback()
                    || self.hosts.contains(&host)
                    || (self.any_address && matches!(host, Host::Ip(_)))
            }
            None => false,
        };
        if allowed {
            Ok(())
        } else {
            Err(Rejection::UnknownHost { host: authority })
        }
    }

    /// Whether the `Origin` header `value` names an allowed origin.
    fn allows_origin(&self, value: &HeaderValue) -> bool {
        let parsed = value.to_str().ok().and_then(|v| v.parse::<Origin>().ok());
        parsed.is_some_and(|origin| self.origins.contains(&origin))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(s: &str) -> Result<String, InvalidOrigin> {
        s.parse::<Origin>().map(|o| o.as_str().to_owned())
    }

    #[test]
    fn origins_parse_to_their_serialization() {
        let cases: &[(&str, Result<&str, InvalidOrigin>)] = &[
            ("http://localhost:3000", Ok("http://localhost:3000")),
            ("HTTP://LocalHost:3000/", Ok("http://localhost:3000")),
            ("  https://app.example ", Ok("https://app.example")),
            ("https://app.example:443", Ok("https://app.example")),
            ("http://app.example:80", Ok("http://app.example")),
            ("http://app.example:8080", Ok("http://app.example:8080")),
            ("http://127.0.0.1:5173", Ok("http://127.0.0.1:5173")),
            ("http://[0:0::1]:5173", Ok("http://[::1]:5173")),
            ("localhost:3000", Err(InvalidOrigin::NoScheme)),
            ("ftp://files.example", Err(InvalidOrigin::UnsupportedScheme)),
            (
                "http://app.example/app",
                Err(InvalidOrigin::NotJustAnOrigin),
            ),
            ("http://app.example?x", Err(InvalidOrigin::NotJustAnOrigin)),
            (
                "http://user@app.example",
                Err(InvalidOrigin::NotJustAnOrigin),
            ),
            ("http://", Err(InvalidOrigin::BadHost)),
            ("http://app example", Err(InvalidOrigin::BadHost)),
            ("http://[::1", Err(InvalidOrigin::BadHost)),
            ("http://app.example:x", Err(InvalidOrigin::BadPort)),
            ("http://app.example:70000", Err(InvalidOrigin::BadPort)),
            ("*", Err(InvalidOrigin::NoScheme)),
            ("null", Err(InvalidOrigin::NoScheme)),
        ];
        for (input, expected) in cases {
            assert_eq!(origin(input), expected.map(str::to_owned), "{input:?}");
        }
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| {
                (
                    HeaderName::from_static(name),
                    HeaderValue::from_static(value),
                )
            })
            .collect()
    }

    /// What `guard` makes of a request with `pairs` as headers: `Ok` with the origin to
    /// echo, or the refusal's type of check.
    fn verdict(guard: &CrossSiteGuard, pairs: &[(&'static str, &'static str)]) -> String {
        match guard.check(&headers(pairs), &Uri::from_static("/_cognito/codes")) {
            Ok(None) => "ok".to_owned(),
            Ok(Some(origin)) => format!("ok {}", origin.to_str().unwrap()),
            Err(Rejection::UnknownHost { .. }) => "unknown host".to_owned(),
            Err(Rejection::ForeignOrigin { .. }) => "foreign origin".to_owned(),
            Err(Rejection::CrossSite { .. }) => "cross site".to_owned(),
            Err(other) => format!("{other:?}"),
        }
    }

    #[test]
    fn hosts_must_be_loopback_or_listened_on() {
        let guard = CrossSiteGuard::new(&[], &["devbox.internal".into(), "10.1.2.3".into()]);
        let cases = [
            ("localhost:9229", "ok"),
            ("LOCALHOST", "ok"),
            ("app.localhost:9229", "ok"),
            ("127.0.0.1:9229", "ok"),
            ("127.8.9.10", "ok"),
            ("[::1]:9229", "ok"),
            ("devbox.internal:9229", "ok"),
            ("DevBox.Internal", "ok"),
            ("10.1.2.3:9229", "ok"),
            ("evil.example:9229", "unknown host"),
            ("localhost.evil.example", "unknown host"),
            ("evil-localhost", "unknown host"),
            ("10.1.2.4:9229", "unknown host"),
            ("[::2]:9229", "unknown host"),
            ("", "unknown host"),
            ("local host", "unknown host"),
        ];
        for (host, expected) in cases {
            let mut map = HeaderMap::new();
            map.insert(HOST, HeaderValue::from_str(host).unwrap());
            let got = match guard.check(&map, &Uri::from_static("/")) {
                Ok(_) => "ok",
                Err(_) => "unknown host",
            };
            assert_eq!(got, expected, "Host: {host}");
        }
        assert_eq!(verdict(&guard, &[]), "ok", "no Host at all");
        let absolute = Uri::from_static("http://evil.example:9229/_cognito/codes");
        assert!(guard.check(&HeaderMap::new(), &absolute).is_err());
    }

    #[test]
    fn listening_on_every_address_allows_any_address_but_no_other_name() {
        let guard = CrossSiteGuard::new(&[], &["0.0.0.0".into()]);
        assert_eq!(verdict(&guard, &[("host", "192.168.1.20:9229")]), "ok");
        assert_eq!(verdict(&guard, &[("host", "[fe80::1]:9229")]), "ok");
        assert_eq!(verdict(&guard, &[("host", "localhost:9229")]), "ok");
        assert_eq!(
            verdict(&guard, &[("host", "rebound.evil.example:9229")]),
            "unknown host"
        );
        let guard = CrossSiteGuard::new(&[], &["[::]".into()]);
        assert_eq!(verdict(&guard, &[("host", "192.168.1.20")]), "ok");
    }

    #[test]
    fn pages_are_refused_unless_their_origin_is_allowed() {
        let allowed: Origin = "http://localhost:3000".parse().unwrap();
        let guard = CrossSiteGuard::new(&[allowed], &[]);
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[], "ok"),
            (&[("sec-fetch-site", "none")], "ok"),
            (&[("sec-fetch-site", "same-origin")], "ok"),
            (&[("sec-fetch-mode", "cors")], "ok"),
            (&[("sec-fetch-site", "cross-site")], "cross site"),
            (&[("sec-fetch-site", "Same-Site")], "cross site"),
            (&[("origin", "https://evil.example")], "foreign origin"),
            (&[("origin", "null")], "foreign origin"),
            (&[("origin", "http://localhost:3001")], "foreign origin"),
            (
                &[("origin", "http://localhost:3000")],
                "ok http://localhost:3000",
            ),
            (
                &[
                    ("origin", "http://localhost:3000"),
                    ("sec-fetch-site", "same-site"),
                ],
                "ok http://localhost:3000",
            ),
            (
                &[
                    ("origin", "https://evil.example"),
                    ("sec-fetch-site", "cross-site"),
                ],
                "foreign origin",
            ),
            (
                &[
                    ("host", "evil.example"),
                    ("origin", "http://localhost:3000"),
                ],
                "unknown host",
            ),
        ];
        for (pairs, expected) in cases {
            assert_eq!(verdict(&guard, pairs), *expected, "{pairs:?}");
        }
    }
}
