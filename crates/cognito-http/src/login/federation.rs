//! Sign-in through an identity provider: the browser sent to the provider, and its
//! answer (`/oauth2/idpresponse`, `/saml2/idpresponse`) finishing the authorization
//! request that sent it.

use super::*;

impl Flow<'_> {
    /// Sends the browser to identity provider `provider`, to come back to
    /// `/oauth2/idpresponse` (a SAML provider: `/saml2/idpresponse`) and finish
    /// `authorization` there.
    pub(super) fn federate(&self, authorization: &Authorization, provider: &str) -> Answer {
        let (Some(callback), Some(acs)) = (
            self.absolute_url(Page::IdpResponse),
            self.absolute_url(Page::SamlResponse),
        ) else {
            return self.error_page(StatusCode::BAD_REQUEST, "The request names no host.");
        };
        let started = self.cognito.start_federation(
            self.ctx,
            FederationStart {
                pool_id: self.pool_id,
                client_id: &authorization.client_id,
                provider_name: provider,
                callback_url: &callback,
                acs_url: &acs,
                resume: self.request.query.to_owned(),
            },
        );
        match started {
            Ok(url) => Answer::redirect(url),
            Err(e) => self.refused(AuthorizeError::Redirected {
                redirect_uri: authorization.redirect_uri.clone(),
                response_type: authorization.response_type,
                state: authorization.state.clone(),
                error: "invalid_request",
                description: e.message,
            }),
        }
    }

    /// The address of endpoint `page` as the browser reaches it: scheme, `Host`, the
    /// pages' base; `None` when the request names no host.
    fn absolute_url(&self, page: Page) -> Option<String> {
        let host = self
            .request
            .headers
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())?;
        let scheme = if self.request.https { "https" } else { "http" };
        Some(format!(
            "{scheme}://{host}{}{}",
            self.request.base,
            page.path()
        ))
    }

    /// `/oauth2/idpresponse`: the provider's answer, in the query (`GET`) or a form it
    /// posted (`POST`, as Sign in with Apple answers with `response_mode=form_post`),
    /// finishes the federated sign-in, then the authorization request that started it.
    /// A posted answer carries no CSRF token: its `state`, which works once, is what
    /// ties it to the sign-in.
    pub(super) fn idp_response(&self) -> Answer {
        let fields = if *self.request.method == Method::POST {
            self.form
        } else {
            self.query
        };
        let q = |name| field(fields, name);
        let finished = self.cognito.finish_federation(
            self.ctx,
            self.pool_id,
            FederationReturn {
                state: q("state").unwrap_or_default(),
                code: q("code"),
                error: q("error"),
                error_description: q("error_description"),
            },
        );
        self.resume(finished)
    }

    /// `POST /saml2/idpresponse`: a SAML provider's response (HTTP-POST binding)
    /// finishes the sign-in its `RelayState` names, or, IdP-initiated, the
    /// authorization request the `RelayState` holds. No CSRF token: the provider posts
    /// it from its own page; the signed response answering the pool's request (or a
    /// provider that allows IdP-initiated sign-in) is what protects it.
    pub(super) fn saml_response(&self) -> Answer {
        let relay_state = field(self.form, "RelayState");
        let relayed = relay_state.unwrap_or_default();
        let unsolicited = if field(&parse(relayed.as_bytes()), "client_id").is_some() {
            match self.on_request(relayed, |flow| flow.authorization()) {
                Ok((authorization, _)) => Some(authorization),
                Err(refused) => return self.refused(refused),
            }
        } else {
            None
        };
        let Some(acs) = self.absolute_url(Page::SamlResponse) else {
            return self.error_page(StatusCode::BAD_REQUEST, "The request names no host.");
        };
        let finished = self.cognito.finish_saml_federation(
            self.ctx,
            self.pool_id,
            SamlReturn {
                saml_response: field(self.form, "SAMLResponse").unwrap_or_default(),
                relay_state,
                unsolicited: unsolicited.as_ref().map(|authorization| Unsolicited {
                    client_id: &authorization.client_id,
                    provider_name: authorization.identity_provider.as_deref(),
                    acs_url: &acs,
                }),
            },
        );
        self.resume(finished)
    }

    /// A finished (or failed) federated sign-in resumes the authorization request it
    /// carries: checked again, then answered with the user signed in or with the error.
    fn resume(&self, finished: Result<Federated, FederationError>) -> Answer {
        let (resume, outcome) = match finished {
            Ok(federated) => (federated.resume.clone(), Ok(federated)),
            Err(FederationError {
                error,
                resume: Some(resume),
            }) => (resume, Err(error)),
            Err(FederationError {
                error,
                resume: None,
            }) => return self.error_page(StatusCode::BAD_REQUEST, &error.message),
        };
        self.on_request(&resume, |flow| {
            let authorization = match flow.authorization() {
                Ok((authorization, _)) => authorization,
                Err(refused) => return flow.refused(refused),
            };
            let signed_in = outcome
                .and_then(|federated| self.cognito.signed_in_as(self.pool_id, &federated.username));
            match signed_in {
                Ok(signed_in) => flow.signed_in(&authorization, &signed_in),
                Err(e) => flow.refused(AuthorizeError::Redirected {
                    redirect_uri: authorization.redirect_uri,
                    response_type: authorization.response_type,
                    state: authorization.state,
                    error: "invalid_request",
                    description: e.message,
                }),
            }
        })
    }

    /// `f` of this request as if its query were the authorization request `query`.
    fn on_request<T>(&self, query: &str, f: impl FnOnce(&Flow<'_>) -> T) -> T {
        let fields = parse(query.as_bytes());
        let request = PageRequest {
            query,
            ..self.request.clone()
        };
        f(&Flow {
            query: &fields,
            request: &request,
            csrf: self.csrf.clone(),
            nonce: self.nonce.clone(),
            ..*self
        })
    }
}
