//! Which handler a request goes to, from its method and path alone.
//!
//! The routes are the API itself (`POST /`), `GET /health`, CORS preflights, each pool's
//! key set and discovery document (`/<poolId>/.well-known/...`), the user import upload
//! URL, the emulator's own test endpoints (`/_cognito/*`, [`TestRoute`], and fakecloud's
//! paths for them, `/_fakecloud/cognito/*`) and the token
//! endpoint of pools' domains (`/oauth2/token`, or `/<domain>/oauth2/token`). Which callers a route answers is not
//! decided here: `service` puts the test API behind `cross_site`.

use http::Method;

use crate::oauth2::Endpoint;

/// Where a request goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    /// `POST /`: an `awsJson1_1` API call.
    Api,
    /// `GET /health`: liveness.
    Health,
    /// `PUT /_cognito/user-import/<poolId>/<jobId>`: a user import job's CSV.
    UserImportUpload,
    /// `GET /<poolId>/.well-known/jwks.json`: a pool's signing keys.
    Jwks,
    /// `GET /<poolId>/.well-known/openid-configuration`: OpenID Connect discovery.
    OpenIdConfiguration,
    /// An OAuth 2.0 endpoint of a pool's domain (`oauth2`), at `/oauth2/<name>` or
    /// `/<domain>/oauth2/<name>`: `POST` to the token and revocation endpoints, `GET` or
    /// `POST` to `userInfo`.
    OAuth2(crate::oauth2::Endpoint),
    /// A page of the managed login of a pool's domain (`login`), at `/<page>` or
    /// `/<domain>/<page>`.
    Login(crate::login::Page),
    /// `/_cognito/...`: an endpoint of the test API.
    Test(TestRoute),
    /// `OPTIONS` on any path: a CORS preflight.
    Preflight,
    /// Nothing matches.
    NotFound,
}

/// The endpoints of the emulator's test API (`test_api`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TestRoute {
    /// `GET /_cognito/messages`: the messages sent.
    Messages,
    /// `GET /_cognito/codes`: the codes users hold.
    Codes,
    /// `POST /_cognito/users/confirm`: confirms a user.
    ConfirmUser,
    /// `POST /_cognito/totp-code`: the code a user's software token shows now.
    TotpCode,
    /// `POST /_cognito/reset`: forgets all state, or one pool's (`{"pool_id"}`).
    Reset,
    /// `POST /_cognito/reset/<poolId>`: forgets one pool.
    ResetPool,
    /// `POST /_cognito/seed`: applies a seed document.
    Seed,
    /// `GET /_cognito/tokens`: sign-ins whose tokens still work.
    Tokens,
    /// `POST /_cognito/tokens/expire`: ends a pool's or a user's sign-ins.
    ExpireTokens,
    /// `GET /_cognito/events`: users' auth events.
    Events,
    /// `GET /_cognito/devices`: users' tracked devices.
    Devices,
    /// `GET /_cognito/webauthn-credentials`: users' passkeys.
    Passkeys,
    /// `POST /_cognito/compromised-passwords`: registers compromised passwords.
    CompromisedPasswords,
    /// `GET /_cognito/trigger-invocations`: the trigger functions run.
    TriggerInvocations,
    /// `POST /_cognito/authorization-codes`: mints an authorization code.
    AuthorizationCodes,
    /// `GET /_cognito/clock`: the time requests are stamped with.
    Clock,
    /// `POST /_cognito/clock`: moves, sets, freezes or releases that time.
    SetClock,
    /// `POST /_cognito/clock/reset` or `DELETE /_cognito/clock`: back to real time.
    ResetClock,
    /// `/_fakecloud/cognito/...`: the same hooks in fakecloud's shapes.
    Fakecloud(FakecloudRoute),
}

/// The paths and shapes of fakecloud's Cognito test endpoints (`test_api::fakecloud`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FakecloudRoute {
    /// `GET /_fakecloud/cognito/confirmation-codes`.
    ConfirmationCodes,
    /// `GET /_fakecloud/cognito/confirmation-codes/<poolId>/<username>`.
    UserConfirmationCodes,
    /// `POST /_fakecloud/cognito/confirm-user`.
    ConfirmUser,
    /// `GET /_fakecloud/cognito/tokens`.
    Tokens,
    /// `POST /_fakecloud/cognito/expire-tokens`.
    ExpireTokens,
    /// `GET /_fakecloud/cognito/auth-events`.
    AuthEvents,
    /// `POST /_fakecloud/cognito/authorization-codes`.
    AuthorizationCodes,
    /// `POST /_fakecloud/cognito/compromised-passwords`.
    CompromisedPasswords,
    /// `GET /_fakecloud/cognito/webauthn-credentials`.
    WebAuthnCredentials,
    /// `GET /_fakecloud/cognito/pretokengen/invocations`.
    PreTokenGenInvocations,
}

/// Where fakecloud's Cognito test endpoints live.
pub(crate) const FAKECLOUD_PREFIX: &str = "/_fakecloud/cognito/";

/// Where `POST /_cognito/reset/<poolId>` names its pool.
pub(crate) const RESET_POOL_PREFIX: &str = "/_cognito/reset/";

/// The fakecloud route for `method` and `path`.
fn fakecloud(method: &Method, path: &str) -> Option<FakecloudRoute> {
    use FakecloudRoute as F;
    let rest = path.strip_prefix(FAKECLOUD_PREFIX)?;
    let route = match (method, rest) {
        (&Method::GET, "confirmation-codes") => F::ConfirmationCodes,
        (&Method::GET, p) if p.starts_with("confirmation-codes/") => {
            let ids = p.trim_start_matches("confirmation-codes/");
            let (pool, user) = ids.split_once('/')?;
            if pool.is_empty() || user.is_empty() || user.contains('/') {
                return None;
            }
            F::UserConfirmationCodes
        }
        (&Method::POST, "confirm-user") => F::ConfirmUser,
        (&Method::GET, "tokens") => F::Tokens,
        (&Method::POST, "expire-tokens") => F::ExpireTokens,
        (&Method::GET, "auth-events") => F::AuthEvents,
        (&Method::POST, "authorization-codes") => F::AuthorizationCodes,
        (&Method::POST, "compromised-passwords") => F::CompromisedPasswords,
        (&Method::GET, "webauthn-credentials") => F::WebAuthnCredentials,
        (&Method::GET, "pretokengen/invocations") => F::PreTokenGenInvocations,
        _ => return None,
    };
    Some(route)
}

/// Where user import jobs' pre-signed URLs point.
pub(crate) const USER_IMPORT_PREFIX: &str = "/_cognito/user-import/";

/// The pool id, job id and token of a request to a user import job's upload URL
/// (`<user_import_base>/<poolId>/<jobId>?token=<token>`, from `crate::links`): its
/// `path` and `query`. Missing parts are empty, and match no job.
pub(crate) fn user_import_target<'a>(
    path: &'a str,
    query: Option<&'a str>,
) -> (&'a str, &'a str, &'a str) {
    let rest = path.strip_prefix(USER_IMPORT_PREFIX).unwrap_or_default();
    let (pool_id, job_id) = rest.split_once('/').unwrap_or((rest, ""));
    let token = query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|pair| pair.strip_prefix("token="))
        .unwrap_or_default();
    (pool_id, job_id, token)
}

/// The last part of a pool's key set path.
pub(crate) const JWKS: &str = "/.well-known/jwks.json";
/// The last part of a pool's discovery document path.
pub(crate) const OPENID_CONFIGURATION: &str = "/.well-known/openid-configuration";

/// The pool id of `/<poolId><suffix>`.
pub(crate) fn well_known<'p>(path: &'p str, suffix: &str) -> Option<&'p str> {
    let pool = path.strip_prefix('/')?.strip_suffix(suffix)?;
    (!pool.is_empty() && !pool.contains('/')).then_some(pool)
}

/// Where the test API lives; every path under it but the user import upload URL
/// ([`USER_IMPORT_PREFIX`]) belongs to it, routed or not.
pub(crate) const TEST_API_PREFIX: &str = "/_cognito/";

/// Whether `path` is in the test API's namespace (fakecloud's paths included), which
/// only the developer's own tools and the allowed origins may call (`cross_site`). The
/// user import upload URL is not: like the S3 URL Cognito hands out, it is a capability
/// of its own, guarded by its token.
pub(crate) fn is_test_api(path: &str) -> bool {
    (path.starts_with(TEST_API_PREFIX) || path == "/_cognito")
        && !path.starts_with(USER_IMPORT_PREFIX)
        || path.starts_with("/_fakecloud/")
}

/// The route for `method` and `path`.
pub(crate) fn route(method: &Method, path: &str) -> Route {
    match (method, path) {
        (&Method::OPTIONS, _) => Route::Preflight,
        (&Method::POST, "/") => Route::Api,
        (&Method::GET, "/health") => Route::Health,
        (&Method::PUT, p) if p.starts_with(USER_IMPORT_PREFIX) => Route::UserImportUpload,
        (&Method::GET, "/_cognito/messages") => Route::Test(TestRoute::Messages),
        (&Method::GET, "/_cognito/codes") => Route::Test(TestRoute::Codes),
        (&Method::POST, "/_cognito/users/confirm") => Route::Test(TestRoute::ConfirmUser),
        (&Method::POST, "/_cognito/totp-code") => Route::Test(TestRoute::TotpCode),
        (&Method::POST, "/_cognito/reset") => Route::Test(TestRoute::Reset),
        (&Method::POST, p)
            if p.strip_prefix(RESET_POOL_PREFIX)
                .is_some_and(|id| !id.is_empty() && !id.contains('/')) =>
        {
            Route::Test(TestRoute::ResetPool)
        }
        (&Method::POST, "/_cognito/seed") => Route::Test(TestRoute::Seed),
        (method, p) if fakecloud(method, p).is_some() => {
            fakecloud(method, p).map_or(Route::NotFound, |f| Route::Test(TestRoute::Fakecloud(f)))
        }
        (&Method::GET, "/_cognito/tokens") => Route::Test(TestRoute::Tokens),
        (&Method::POST, "/_cognito/tokens/expire") => Route::Test(TestRoute::ExpireTokens),
        (&Method::GET, "/_cognito/events") => Route::Test(TestRoute::Events),
        (&Method::GET, "/_cognito/devices") => Route::Test(TestRoute::Devices),
        (&Method::GET, "/_cognito/webauthn-credentials") => Route::Test(TestRoute::Passkeys),
        (&Method::GET, "/_cognito/trigger-invocations") => {
            Route::Test(TestRoute::TriggerInvocations)
        }
        (&Method::POST, "/_cognito/compromised-passwords") => {
            Route::Test(TestRoute::CompromisedPasswords)
        }
        (&Method::POST, "/_cognito/authorization-codes") => {
            Route::Test(TestRoute::AuthorizationCodes)
        }
        (&Method::GET, "/_cognito/clock") => Route::Test(TestRoute::Clock),
        (&Method::POST, "/_cognito/clock") => Route::Test(TestRoute::SetClock),
        (&Method::POST, "/_cognito/clock/reset") | (&Method::DELETE, "/_cognito/clock") => {
            Route::Test(TestRoute::ResetClock)
        }
        (method, p) if crate::login::page_of(method, p).is_some() => {
            crate::login::page_of(method, p).map_or(Route::NotFound, Route::Login)
        }
        (method, p) => match crate::oauth2::endpoint_of(p) {
            Some(e @ (Endpoint::Token | Endpoint::Revoke)) if *method == Method::POST => {
                Route::OAuth2(e)
            }
            Some(Endpoint::UserInfo) if *method == Method::GET || *method == Method::POST => {
                Route::OAuth2(Endpoint::UserInfo)
            }
            _ => other(method, p),
        },
    }
}

/// The routes after the OAuth 2.0 endpoints.
fn other(method: &Method, path: &str) -> Route {
    match (method, path) {
        (&Method::GET, p) if well_known(p, JWKS).is_some() => Route::Jwks,
        (&Method::GET, p) if well_known(p, OPENID_CONFIGURATION).is_some() => {
            Route::OpenIdConfiguration
        }
        _ => Route::NotFound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let cases = [
            (Method::POST, "/", Route::Api),
            (Method::GET, "/health", Route::Health),
            (Method::OPTIONS, "/", Route::Preflight),
            (Method::OPTIONS, "/oauth2/token", Route::Preflight),
            (Method::GET, "/", Route::NotFound),
            (Method::POST, "/health", Route::NotFound),
            (Method::POST, "/other", Route::NotFound),
            (Method::DELETE, "/", Route::NotFound),
            (
                Method::PUT,
                "/_cognito/user-import/us-east-1_a/import-b",
                Route::UserImportUpload,
            ),
            (
                Method::GET,
                "/_cognito/user-import/us-east-1_a/import-b",
                Route::NotFound,
            ),
            (
                Method::GET,
                "/_cognito/messages",
                Route::Test(TestRoute::Messages),
            ),
            (
                Method::GET,
                "/_cognito/codes",
                Route::Test(TestRoute::Codes),
            ),
            (
                Method::POST,
                "/_cognito/users/confirm",
                Route::Test(TestRoute::ConfirmUser),
            ),
            (
                Method::POST,
                "/_cognito/reset",
                Route::Test(TestRoute::Reset),
            ),
            (
                Method::POST,
                "/_cognito/totp-code",
                Route::Test(TestRoute::TotpCode),
            ),
            (Method::GET, "/_cognito/reset", Route::NotFound),
            (Method::POST, "/_cognito/messages", Route::NotFound),
            (
                Method::GET,
                "/_cognito/tokens",
                Route::Test(TestRoute::Tokens),
            ),
            (Method::GET, "/_cognito/nothing", Route::NotFound),
            (
                Method::POST,
                "/oauth2/token",
                Route::OAuth2(Endpoint::Token),
            ),
            (
                Method::POST,
                "/my-domain/oauth2/token",
                Route::OAuth2(Endpoint::Token),
            ),
            (
                Method::POST,
                "/auth.example.com/oauth2/token",
                Route::OAuth2(Endpoint::Token),
            ),
            (Method::GET, "/oauth2/token", Route::NotFound),
            (
                Method::POST,
                "/my-domain/oauth2/revoke",
                Route::OAuth2(Endpoint::Revoke),
            ),
            (Method::GET, "/oauth2/revoke", Route::NotFound),
            (
                Method::GET,
                "/oauth2/userInfo",
                Route::OAuth2(Endpoint::UserInfo),
            ),
            (
                Method::POST,
                "/my-domain/oauth2/userInfo",
                Route::OAuth2(Endpoint::UserInfo),
            ),
            (Method::PUT, "/oauth2/userInfo", Route::NotFound),
            (
                Method::POST,
                "/_cognito/authorization-codes",
                Route::Test(TestRoute::AuthorizationCodes),
            ),
            (
                Method::GET,
                "/_cognito/clock",
                Route::Test(TestRoute::Clock),
            ),
            (
                Method::POST,
                "/_cognito/clock",
                Route::Test(TestRoute::SetClock),
            ),
            (
                Method::POST,
                "/_cognito/clock/reset",
                Route::Test(TestRoute::ResetClock),
            ),
            (
                Method::DELETE,
                "/_cognito/clock",
                Route::Test(TestRoute::ResetClock),
            ),
            (Method::PUT, "/_cognito/clock", Route::NotFound),
            (
                Method::POST,
                "/_cognito/reset/us-east-1_abc",
                Route::Test(TestRoute::ResetPool),
            ),
            (Method::POST, "/_cognito/reset/", Route::NotFound),
            (Method::POST, "/_cognito/reset/a/b", Route::NotFound),
            (Method::POST, "/_cognito/seed", Route::Test(TestRoute::Seed)),
            (
                Method::GET,
                "/_fakecloud/cognito/confirmation-codes",
                Route::Test(TestRoute::Fakecloud(FakecloudRoute::ConfirmationCodes)),
            ),
            (
                Method::GET,
                "/_fakecloud/cognito/confirmation-codes/us-east-1_a/alice",
                Route::Test(TestRoute::Fakecloud(FakecloudRoute::UserConfirmationCodes)),
            ),
            (
                Method::GET,
                "/_fakecloud/cognito/confirmation-codes/us-east-1_a/",
                Route::NotFound,
            ),
            (
                Method::GET,
                "/_fakecloud/cognito/confirmation-codes/us-east-1_a/b/c",
                Route::NotFound,
            ),
            (
                Method::POST,
                "/_fakecloud/cognito/confirm-user",
                Route::Test(TestRoute::Fakecloud(FakecloudRoute::ConfirmUser)),
            ),
            (
                Method::GET,
                "/_fakecloud/cognito/pretokengen/invocations",
                Route::Test(TestRoute::Fakecloud(FakecloudRoute::PreTokenGenInvocations)),
            ),
            (
                Method::GET,
                "/_fakecloud/cognito/confirm-user",
                Route::NotFound,
            ),
            (Method::GET, "/_fakecloud/reset", Route::NotFound),
            (Method::POST, "/a/b/oauth2/token", Route::NotFound),
            (Method::POST, "//oauth2/token", Route::NotFound),
        ];
        for (method, path, expected) in cases {
            assert_eq!(route(&method, path), expected, "{method} {path}");
        }
    }

    /// An upload URL made from the links routes back to the upload, with the same ids and
    /// token.
    #[test]
    fn user_import_urls_round_trip() {
        let base = crate::links("http://localhost:9229/", None).user_import_base;
        let url = format!("{base}/us-east-1_Ab1/import-Xy2?token=tok-3_4");
        assert_eq!(
            url,
            "http://localhost:9229/_cognito/user-import/us-east-1_Ab1/import-Xy2?token=tok-3_4"
        );
        let uri: http::Uri = url.parse().unwrap();
        assert_eq!(route(&Method::PUT, uri.path()), Route::UserImportUpload);
        assert!(!is_test_api(uri.path()));
        assert_eq!(
            user_import_target(uri.path(), uri.query()),
            ("us-east-1_Ab1", "import-Xy2", "tok-3_4")
        );
        assert_eq!(
            user_import_target("/_cognito/user-import/p", None),
            ("p", "", "")
        );
    }

    #[test]
    fn the_test_api_namespace() {
        for path in [
            "/_cognito/reset",
            "/_cognito/nothing",
            "/_cognito",
            "/_cognito/",
            "/_fakecloud/cognito/tokens",
            "/_fakecloud/other",
        ] {
            assert!(is_test_api(path), "{path}");
        }
        for path in [
            "/",
            "/health",
            "/_cognito/user-import/us-east-1_a/import-b",
            "/_cognitox",
            "/us-east-1_a/.well-known/jwks.json",
        ] {
            assert!(!is_test_api(path), "{path}");
        }
    }
}
