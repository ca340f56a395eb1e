//! [`CognitoService`], the [`tower::Service`] that answers every request: it routes,
//! keeps web pages out of the test API (`cross_site`), runs the API pipeline (target →
//! size limit → JSON → validation → dispatch), adds the CORS and request-id headers, and
//! writes one log line per request.
//!
//! Most operations take microseconds and run on the async worker that read the request.
//! Those whose cost is cryptography ([`runs_on_blocking_pool`]: signing tokens, SRP's
//! exponentiations, and a pool's first RSA key, which takes most of a second), and the
//! key set route, which may make that key, run on the service's cryptography threads
//! instead (`cryptography`, at most [`Config::cryptography_threads`]), so that they never
//! hold up the requests of other pools or `GET /health`.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use cognito_core::{Cognito, RequestContext};
use cognito_model::validate::{self, validate_input};
use cognito_model::{dispatch, DispatchError, Input, Operation};
use http::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Body;

use crate::aws_json;
use crate::backend::no_user_imports;
use crate::cors::Cors;
use crate::cross_site::CrossSiteGuard;
use crate::failure::{Failure, Surface};
use crate::rejection::Rejection;
use crate::request_id::{RequestId, X_AMZN_REQUEST_ID};
use crate::request_log::{Answered, RequestLog, TracingLog};
use crate::router::{self, Route};
use crate::{cors, discovery, login, oauth2, sigv4, test_api, Backend, Config, Sources};
use cryptography::{Cryptography, Failed};

/// The body of every response: the emulator answers with whole buffers.
pub type ResponseBody = Full<Bytes>;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The emulator's HTTP service over a Cognito implementation `S`.
///
/// Cloning is cheap (one reference count); every clone serves the same state.
pub struct CognitoService<S = Cognito> {
    inner: Arc<Inner<S>>,
}

struct Inner<S> {
    provider: Arc<S>,
    sources: Sources,
    config: Config,
    /// Who may call the test API, from `config`.
    guard: CrossSiteGuard,
    /// The threads cryptographic requests run on (`config.cryptography_threads`).
    cryptography: Cryptography,
    /// Where each answered request is logged.
    log: Arc<dyn RequestLog>,
}

impl<S> Clone for CognitoService<S> {
    fn clone(&self) -> Self {
        CognitoService {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<S> std::fmt::Debug for CognitoService<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CognitoService")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl<S> CognitoService<S>
where
    S: Backend,
{
    /// A service answering with `provider`, taking time and randomness from `sources`,
    /// logging each answered request as a `tracing` event.
    pub fn new(provider: Arc<S>, sources: Sources, config: Config) -> Self {
        Self::with_request_log(provider, sources, config, Arc::new(TracingLog))
    }

    /// A service like [`CognitoService::new`]'s that logs each answered request to `log`
    /// (see [`crate::request_log`]).
    pub fn with_request_log(
        provider: Arc<S>,
        sources: Sources,
        config: Config,
        log: Arc<dyn RequestLog>,
    ) -> Self {
        let guard = CrossSiteGuard::new(&config.test_api_origins, &config.listen_hosts);
        let cryptography = Cryptography::new(config.cryptography_threads);
        CognitoService {
            inner: Arc::new(Inner {
                provider,
                sources,
                config,
                guard,
                cryptography,
                log,
            }),
        }
    }

    /// The configuration the service runs with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }
}

impl<S, B> tower::Service<Request<B>> for CognitoService<S>
where
    S: Backend,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    type Response = Response<ResponseBody>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let inner = Arc::clone(&self.inner);
        Box::pin(async move { Ok(inner.handle(request).await) })
    }
}

impl<S> Inner<S>
where
    S: Backend,
{
    async fn handle<B>(&self, request: Request<B>) -> Response<ResponseBody>
    where
        B: Body,
        B::Error: Into<BoxError>,
    {
        let started = self.sources.stopwatch.micros();
        let request_id = RequestId::generate(&*self.sources.random);
        let (parts, body) = request.into_parts();
        let (route, cors) = self.screen(&parts);

        let surface = match route {
            Ok(Route::Api) => Surface::Api,
            _ => Surface::Plain,
        };
        let mut operation = None;
        let outcome = match route {
            Err(refused) => Err(refused.into()),
            Ok(Route::Api) => match aws_json::operation(&parts.headers) {
                Ok(op) => {
                    operation = Some(op);
                    self.api(op, &parts.headers, body)
                        .await
                        .map(aws_json::success)
                }
                Err(rejection) => Err(rejection.into()),
            },
            Ok(Route::Health) => Ok(health()),
            Ok(Route::UserImportUpload) => self.user_import_upload(&parts, body).await,
            Ok(Route::Jwks) => self.jwks(parts.uri.path()).await,
            Ok(Route::OpenIdConfiguration) => self.openid_configuration(&parts),
            Ok(Route::OAuth2(endpoint)) => self.oauth2(&parts, body, endpoint).await,
            Ok(Route::Login(page)) => self.login(&parts, body, page).await,
            Ok(Route::Test(endpoint)) => {
                test_api::handle(
                    &*self.provider,
                    &self.sources,
                    &self.config,
                    endpoint,
                    &parts,
                    body,
                )
                .await
            }
            Ok(Route::Preflight) => Ok(cors::preflight(&parts.headers)),
            Ok(Route::NotFound) => Err(Rejection::NoRoute {
                method: parts.method.clone(),
                path: parts.uri.path().to_owned(),
            }
            .into()),
        };
        let (mut response, error) = match outcome {
            Ok(response) => (response, None),
            Err(failure) => {
                let type_name = failure.type_name();
                let response = failure_response(failure, surface, &request_id);
                (response, Some(type_name))
            }
        };

        let headers = response.headers_mut();
        cors::decorate(headers, cors);
        if let Some(id) = request_id.header_value() {
            headers.insert(X_AMZN_REQUEST_ID, id);
        }

        self.log.answered(&Answered {
            request_id: request_id.as_str(),
            operation: operation.map(Operation::name),
            method: operation.is_none().then_some(parts.method.as_str()),
            path: operation.is_none().then_some(parts.uri.path()),
            status: response.status().as_u16(),
            micros: self.sources.stopwatch.micros().saturating_sub(started),
            error,
        });
        response
    }

    /// The route of a request and the CORS headers its answer gets.
    ///
    /// Requests to the test API pass `cross_site` first: a refused one has no route, and
    /// answers carry CORS headers only for an allowed origin. Browsers send a preflight
    /// with an `Origin`; an `OPTIONS` to the test API without an allowed one finds no
    /// route. Everything else is open to every page.
    fn screen(&self, parts: &http::request::Parts) -> (Result<Route, Rejection>, Cors) {
        let route = router::route(&parts.method, parts.uri.path());
        if !router::is_test_api(parts.uri.path()) {
            return (Ok(route), cors::public(&parts.headers));
        }
        match self.guard.check(&parts.headers, &parts.uri) {
            Err(refused) => (Err(refused), Cors::Withheld),
            Ok(Some(origin)) => (Ok(route), Cors::Allowed(origin)),
            Ok(None) if route == Route::Preflight => (Ok(Route::NotFound), Cors::Withheld),
            Ok(None) => (Ok(route), Cors::Withheld),
        }
    }

    /// Runs operation `op` on the body of an API call.
    async fn api<B>(&self, op: Operation, headers: &HeaderMap, body: B) -> Result<Vec<u8>, Failure>
    where
        B: Body,
        B::Error: Into<BoxError>,
    {
        aws_json::check_content_type(headers)?;
        let body = aws_json::read_body(headers, body, self.config.max_body_bytes).await?;
        let may_block = self.provider.may_block(op);
        let ctx = RequestContext {
            region: sigv4::region(headers)
                .unwrap_or(&self.config.default_region)
                .to_owned(),
            account_id: self.config.account_id.clone(),
            now: self.sources.clock.now(),
            // Only trigger events name the caller's SDK: read it only for them.
            aws_sdk_version: may_block
                .then(|| headers.get(http::header::USER_AGENT))
                .flatten()
                .and_then(|v| v.to_str().ok())
                .and_then(cognito_core::caller_sdk_version),
        };
        if may_block {
            // A trigger's function may take seconds: a thread of tokio's blocking pool
            // waits for it, so neither the workers nor the cryptography threads do.
            let provider = Arc::clone(&self.provider);
            return tokio::task::spawn_blocking(move || run(&*provider, &ctx, op, &body))
                .await
                .unwrap_or_else(|e| {
                    Err(DispatchError::Internal(format!("the request's task failed: {e}")).into())
                });
        }
        if runs_on_blocking_pool(op) {
            let provider = Arc::clone(&self.provider);
            self.blocking(move || run(&*provider, &ctx, op, &body))
                .await
        } else {
            run(&*self.provider, &ctx, op, &body)
        }
    }
}

/// Validates `body` as the input of `op`, decodes it and runs the operation.
///
/// The body is first decoded straight from its bytes, validated on the way
/// ([`Input::Body`]); a body that pass is not sure of is parsed into a JSON value,
/// validated (which words the rejection) and decoded from the value, so that both ways
/// answer alike.
fn run<S: Backend>(
    provider: &S,
    ctx: &RequestContext,
    op: Operation,
    body: &[u8],
) -> Result<Vec<u8>, Failure> {
    match dispatch(provider, ctx, op, Input::Body(body)) {
        // Nothing ran; the full path words the error as it always does.
        Err(DispatchError::Serialization(_)) => {}
        done => return Ok(done?),
    }
    let mut input = aws_json::parse_operation_input(op, body)?;
    validate::drop_null_map_values(op, &mut input);
    validate_input(op, &input)?;
    Ok(dispatch(provider, ctx, op, Input::Value(input))?)
}

/// Whether operation `op` spends its time in cryptography, and so runs on a cryptography
/// thread rather than on an async worker: RSA signatures of tokens, SRP's 3072-bit
/// exponentiations, and the pool's RSA-2048 key, made on its first token or certificate
/// (hundreds of milliseconds). Every other operation takes microseconds and stays on the
/// worker, without a thread hop.
pub(crate) fn runs_on_blocking_pool(op: Operation) -> bool {
    matches!(
        op,
        Operation::InitiateAuth
            | Operation::AdminInitiateAuth
            | Operation::RespondToAuthChallenge
            | Operation::AdminRespondToAuthChallenge
            | Operation::GetTokensFromRefreshToken
            | Operation::GetDerivedToken
            | Operation::GetSigningCertificate
    )
}

impl<S: Backend> Inner<S> {
    /// Runs `work` on one of the [`Config::cryptography_threads`] cryptography threads,
    /// in turn, and waits for it without holding up the worker. Once started, the work
    /// goes on to its end: a client that hangs up does not free its thread before.
    async fn blocking<T, E>(
        &self,
        work: impl FnOnce() -> Result<T, E> + Send + 'static,
    ) -> Result<T, Failure>
    where
        T: Send + 'static,
        E: Into<Failure> + Send + 'static,
    {
        match self.cryptography.run(work).await {
            Ok(result) => result.map_err(Into::into),
            Err(Failed(e)) => {
                Err(DispatchError::Internal(format!("the request's task failed: {e}")).into())
            }
        }
    }
}

/// The answer to `failure`, logged first when it is a fault of the server (500).
fn failure_response(
    failure: Failure,
    surface: Surface,
    request_id: &RequestId,
) -> Response<ResponseBody> {
    if crate::failure::status(&failure, surface) == http::StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(
            request_id = request_id.as_str(),
            message = %failure.message(),
            "internal error"
        );
    }
    failure.into_response(surface)
}

impl<S: Backend> Inner<S> {
    /// `PUT /_cognito/user-import/<poolId>/<jobId>?token=...`: a user import job's CSV.
    ///
    /// The pool, the job, its state and the token are checked before a byte of the body
    /// is read, by uploading an empty file that the CSV then replaces: an upload to a
    /// wrong address is refused at the cost of its head. The CSV is read into one buffer,
    /// which the job keeps.
    async fn user_import_upload<B>(
        &self,
        parts: &http::request::Parts,
        body: B,
    ) -> Result<Response<ResponseBody>, Failure>
    where
        B: Body,
        B::Error: Into<BoxError>,
    {
        let (pool_id, job_id, token) =
            router::user_import_target(parts.uri.path(), parts.uri.query());
        let cognito = self.provider.cognito().ok_or_else(no_user_imports)?;
        cognito.check_user_import_upload(pool_id, job_id, token)?;
        let csv = aws_json::read_body_to_vec(&parts.headers, body, USER_IMPORT_MAX_BYTES).await?;
        cognito.upload_user_import_csv(pool_id, job_id, token, csv)?;
        Ok(Response::new(Full::new(Bytes::new())))
    }
}

impl<S: Backend> Inner<S> {
    /// `GET /<poolId>/.well-known/jwks.json`: the pool's key set, on a cryptography thread,
    /// since the pool's first request for it makes its RSA key.
    async fn jwks(&self, path: &str) -> Result<Response<ResponseBody>, Failure> {
        let pool_id = router::well_known(path, router::JWKS)
            .unwrap_or_default()
            .to_owned();
        let provider = Arc::clone(&self.provider);
        let jwks = self.blocking(move || provider.jwks(&pool_id)).await?;
        Ok(json_document(&jwks))
    }

    /// `GET /<poolId>/.well-known/openid-configuration`: the pool's discovery document,
    /// naming the key set at the address the client used.
    fn openid_configuration(
        &self,
        parts: &http::request::Parts,
    ) -> Result<Response<ResponseBody>, Failure> {
        let pool_id =
            router::well_known(parts.uri.path(), router::OPENID_CONFIGURATION).unwrap_or_default();
        let issuer = self.provider.issuer(pool_id)?;
        let https = parts.extensions.get::<crate::Https>().is_some();
        let base = discovery::base_url(&parts.headers, https);
        let host = parts
            .headers
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok());
        // Where the client reached this server; without a `Host`, no address to name.
        let endpoints = base.as_deref().and_then(|base| {
            self.provider.domain_of_pool(pool_id).map(|domain| {
                let url = |e: oauth2::Endpoint| oauth2::domain_url(base, host, &domain, e.path());
                let page = |p: login::Page| oauth2::domain_url(base, host, &domain, p.path());
                discovery::DomainEndpoints {
                    authorization: page(login::Page::Authorize),
                    end_session: page(login::Page::Logout),
                    token: url(oauth2::Endpoint::Token),
                    userinfo: url(oauth2::Endpoint::UserInfo),
                    revocation: url(oauth2::Endpoint::Revoke),
                }
            })
        });
        let base = base.as_deref().unwrap_or(&issuer);
        Ok(json_document(&discovery::openid_configuration(
            &issuer,
            base,
            pool_id,
            endpoints.as_ref(),
        )))
    }

    /// A request to a pool's domain (`Host`, or the path's prefix `prefix`): its pool,
    /// its context and its body. A domain that names no pool has no such endpoint.
    async fn domain_request<B>(
        &self,
        parts: &http::request::Parts,
        body: B,
        prefix: Option<&str>,
    ) -> Result<DomainRequest, Failure>
    where
        B: Body,
        B::Error: Into<BoxError>,
    {
        let no_route = || Rejection::NoRoute {
            method: parts.method.clone(),
            path: parts.uri.path().to_owned(),
        };
        let domain = match prefix {
            Some(name) => oauth2::DomainName { region: None, name },
            None => parts
                .headers
                .get(http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .and_then(oauth2::host_domain)
                .ok_or_else(no_route)?,
        };
        let pool_id = self
            .provider
            .pool_of_domain(domain.region, domain.name)
            .ok_or_else(no_route)?;
        let body = aws_json::read_body(&parts.headers, body, self.config.max_body_bytes).await?;
        let ctx = RequestContext {
            region: domain
                .region
                .unwrap_or(&self.config.default_region)
                .to_owned(),
            account_id: self.config.account_id.clone(),
            now: self.sources.clock.now(),
            aws_sdk_version: None,
        };
        Ok(DomainRequest { pool_id, ctx, body })
    }

    /// An OAuth 2.0 endpoint of a pool's domain: the token endpoint, revocation or
    /// `userInfo`. Its own failures answer as RFC 6749 (and RFC 6750) errors.
    async fn oauth2<B>(
        &self,
        parts: &http::request::Parts,
        body: B,
        endpoint: oauth2::Endpoint,
    ) -> Result<Response<ResponseBody>, Failure>
    where
        B: Body,
        B::Error: Into<BoxError>,
    {
        let prefix = oauth2::path_domain(parts.uri.path());
        let DomainRequest { pool_id, ctx, body } = self.domain_request(parts, body, prefix).await?;
        let provider = Arc::clone(&self.provider);
        let headers = parts.headers.clone();
        let work = move || {
            Ok::<_, Failure>(oauth2::answer(
                provider.cognito(),
                &ctx,
                &pool_id,
                endpoint,
                &headers,
                &body,
            ))
        };
        // A token function may take seconds; signing and verifying are cryptography.
        if self.provider.may_block(Operation::GetClientToken)
            || self.provider.may_block(Operation::InitiateAuth)
        {
            tokio::task::spawn_blocking(work).await.unwrap_or_else(|e| {
                Err(DispatchError::Internal(format!("the request's task failed: {e}")).into())
            })
        } else {
            self.blocking(work).await
        }
    }

    /// A page of the managed login of a pool's domain, when the backend serves them.
    async fn login<B>(
        &self,
        parts: &http::request::Parts,
        body: B,
        page: login::Page,
    ) -> Result<Response<ResponseBody>, Failure>
    where
        B: Body,
        B::Error: Into<BoxError>,
    {
        if self.provider.cognito().is_none() {
            return Err(Rejection::NoRoute {
                method: parts.method.clone(),
                path: parts.uri.path().to_owned(),
            }
            .into());
        }
        let prefix = login::path_domain(parts.uri.path());
        let DomainRequest { pool_id, ctx, body } = self.domain_request(parts, body, prefix).await?;
        let base = prefix.map(|p| format!("/{p}")).unwrap_or_default();
        let provider = Arc::clone(&self.provider);
        let random = Arc::clone(&self.sources.random);
        let (method, headers) = (parts.method.clone(), parts.headers.clone());
        let query = parts.uri.query().unwrap_or_default().to_owned();
        let https = parts.extensions.get::<crate::Https>().is_some();
        let work = move || {
            let request = login::PageRequest {
                page,
                method: &method,
                headers: &headers,
                query: &query,
                body: &body,
                base,
                https,
            };
            // Checked above; a backend whose answer changes serves no page.
            provider
                .cognito()
                .map(|cognito| login::answer(cognito, &*random, &ctx, &pool_id, &request))
        };
        // The pages run sign-ins: password hashing, triggers' functions, signatures.
        match tokio::task::spawn_blocking(work).await {
            Ok(Some(response)) => Ok(response),
            Ok(None) => Err(DispatchError::Internal("the pages are not served".into()).into()),
            Err(e) => {
                Err(DispatchError::Internal(format!("the request's task failed: {e}")).into())
            }
        }
    }
}

/// A request to a pool's domain, read.
struct DomainRequest {
    pool_id: String,
    ctx: RequestContext,
    body: Bytes,
}

/// A 200 answer carrying the JSON document `value`.
fn json_document(value: &serde_json::Value) -> Response<ResponseBody> {
    let mut response = Response::new(Full::new(Bytes::from(value.to_string())));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// The largest user import CSV accepted, as Cognito's limit on import files.
const USER_IMPORT_MAX_BYTES: usize = 100 * 1024 * 1024;

/// `GET /health`.
fn health() -> Response<ResponseBody> {
    let mut response = Response::new(Full::new(Bytes::from_static(br#"{"status":"ok"}"#)));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

mod cryptography;

#[cfg(test)]
mod blocking_tests;
#[cfg(test)]
mod browser_tests;
#[cfg(test)]
mod tests;
