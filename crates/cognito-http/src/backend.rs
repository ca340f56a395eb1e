//! [`Backend`]: what the HTTP front end needs from the service behind it — the API
//! itself, the few calls its own routes make, and the [`Cognito`] that the OAuth 2.0
//! endpoints, the managed login and user import uploads run on, when there is one.

use cognito_core::auth::authorization_code::CodeRequest;
use cognito_core::lambda::Invocation;
use cognito_core::messages::{Message, Page, Sent};
use cognito_core::seed::{Seed, Seeded};
use cognito_core::test_api::{
    ActiveTokens, IssuedCode, RecordedEvent, RegisteredPasskey, TrackedDevice,
};
use cognito_core::{Cognito, RequestContext};
use cognito_model::{CognitoError, CognitoIdentityProvider, ErrorKind, Operation, Timestamp};

/// The service behind [`crate::CognitoService`]: the `cognito-idp` API plus the calls of
/// the emulator's own routes. Every extra call has a default answer, so an embedder that
/// implements only the API still serves it.
pub trait Backend:
    CognitoIdentityProvider<Context = RequestContext> + Send + Sync + 'static
{
    /// Whether operation `op` may block its thread on something outside the service (a
    /// Lambda trigger's function), so that it must run off the async workers.
    fn may_block(&self, op: Operation) -> bool {
        let _ = op;
        false
    }

    /// The JSON Web Key Set of pool `pool_id`.
    fn jwks(&self, pool_id: &str) -> Result<serde_json::Value, CognitoError> {
        Err(unsupported(pool_id))
    }

    /// The issuer of pool `pool_id`'s tokens, which its discovery document names.
    fn issuer(&self, pool_id: &str) -> Result<String, CognitoError> {
        Err(unsupported(pool_id))
    }

    // The OAuth 2.0 endpoints and the managed login of pools' domains (`oauth2`, `login`).

    /// The pool whose domain is `name`: a prefix domain of `region`, or of any Region
    /// when `None`, or a custom domain.
    fn pool_of_domain(&self, region: Option<&str>, name: &str) -> Option<String> {
        let _ = (region, name);
        None
    }

    /// The domain of pool `pool_id` (its prefix domain, else its custom domain), if any.
    fn domain_of_pool(&self, pool_id: &str) -> Option<String> {
        let _ = pool_id;
        None
    }

    /// The `Cognito` behind the OAuth 2.0 endpoints (`oauth2`), the managed login
    /// (`login`) and the user import uploads; `None` for a backend that serves only the
    /// API, whose pools' domains grant no tokens and serve no pages, and which takes no
    /// uploads.
    fn cognito(&self) -> Option<&Cognito> {
        None
    }

    // The test API (`/_cognito/*`, see `test_api`).

    /// Up to `limit` of the messages sent so far that `keep` accepts, with their
    /// delivery, oldest first, after the one numbered `after`.
    fn sent_messages(
        &self,
        keep: &dyn Fn(&Message) -> bool,
        after: Option<u64>,
        limit: usize,
    ) -> Result<Page<Sent>, CognitoError> {
        let _ = (keep, after, limit);
        Err(no_test_api())
    }

    /// Up to `limit` of the trigger invocations recorded that `keep` accepts, oldest
    /// first, after the one numbered `after`.
    fn trigger_invocations(
        &self,
        keep: &dyn Fn(&Invocation) -> bool,
        after: Option<u64>,
        limit: usize,
    ) -> Result<Page<Invocation>, CognitoError> {
        let _ = (keep, after, limit);
        Err(no_test_api())
    }

    /// The codes users hold that still work at `now`, of pool `pool_id` and the user
    /// `username` designates when given.
    fn pending_codes(
        &self,
        now: Timestamp,
        pool_id: Option<&str>,
        username: Option<&str>,
    ) -> Result<Vec<IssuedCode>, CognitoError> {
        let _ = (now, pool_id, username);
        Err(no_test_api())
    }

    /// Mints an authorization code at `now` for `request`'s user.
    fn mint_authorization_code(
        &self,
        now: Timestamp,
        request: CodeRequest<'_>,
    ) -> Result<String, CognitoError> {
        let _ = (now, request);
        Err(no_test_api())
    }

    /// Confirms user `username` of pool `pool_id` outright.
    fn force_confirm(
        &self,
        now: Timestamp,
        pool_id: &str,
        username: &str,
    ) -> Result<(), CognitoError> {
        let _ = (now, pool_id, username);
        Err(no_test_api())
    }

    /// Forgets all state.
    fn reset(&self) -> Result<(), CognitoError> {
        Err(no_test_api())
    }

    /// Forgets pool `pool_id` with all it holds.
    fn reset_pool(&self, pool_id: &str) -> Result<(), CognitoError> {
        let _ = pool_id;
        Err(no_test_api())
    }

    /// Makes what `seed` names and is not there yet.
    fn apply_seed(&self, ctx: &RequestContext, seed: &Seed) -> Result<Seeded, CognitoError> {
        let _ = (ctx, seed);
        Err(no_test_api())
    }

    /// The code the software token of user `username` of pool `pool_id` shows at `now`.
    fn software_token_code(
        &self,
        now: Timestamp,
        pool_id: &str,
        username: &str,
    ) -> Result<String, CognitoError> {
        let _ = (now, pool_id, username);
        Err(no_test_api())
    }

    /// The sign-ins whose tokens still work at `now`.
    fn active_tokens(
        &self,
        now: Timestamp,
        pool_id: Option<&str>,
        username: Option<&str>,
    ) -> Result<Vec<ActiveTokens>, CognitoError> {
        let _ = (now, pool_id, username);
        Err(no_test_api())
    }

    /// Ends the sign-ins of pool `pool_id` (of user `username` when given).
    fn expire_tokens(
        &self,
        now: Timestamp,
        pool_id: &str,
        username: Option<&str>,
    ) -> Result<usize, CognitoError> {
        let _ = (now, pool_id, username);
        Err(no_test_api())
    }

    /// Users' recorded auth events.
    fn auth_events(
        &self,
        pool_id: Option<&str>,
        username: Option<&str>,
    ) -> Result<Vec<RecordedEvent>, CognitoError> {
        let _ = (pool_id, username);
        Err(no_test_api())
    }

    /// Users' passkeys.
    fn passkeys(
        &self,
        pool_id: Option<&str>,
        username: Option<&str>,
    ) -> Result<Vec<RegisteredPasskey>, CognitoError> {
        let _ = (pool_id, username);
        Err(no_test_api())
    }

    /// Users' tracked devices.
    fn devices(
        &self,
        pool_id: Option<&str>,
        username: Option<&str>,
    ) -> Result<Vec<TrackedDevice>, CognitoError> {
        let _ = (pool_id, username);
        Err(no_test_api())
    }

    /// Registers compromised passwords; answers how many are registered in all.
    fn register_compromised_passwords(&self, passwords: &[&str]) -> Result<usize, CognitoError> {
        let _ = passwords;
        Err(no_test_api())
    }
}

fn no_test_api() -> CognitoError {
    CognitoError::new(
        ErrorKind::ResourceNotFoundException,
        "The test API is not supported by this backend.",
    )
}

/// The refusal of a call about pool `pool_id` that this backend does not serve: the pool
/// is not one it knows.
pub(crate) fn unsupported(pool_id: &str) -> CognitoError {
    CognitoError::new(
        ErrorKind::ResourceNotFoundException,
        format!("User pool {pool_id} does not exist."),
    )
}

/// The refusal of a backend that keeps no user import jobs.
pub(crate) fn no_user_imports() -> CognitoError {
    CognitoError::new(
        ErrorKind::ResourceNotFoundException,
        "User import jobs are not supported by this backend.",
    )
}

impl Backend for Cognito {
    fn may_block(&self, op: Operation) -> bool {
        self.may_invoke_functions(op)
    }

    fn jwks(&self, pool_id: &str) -> Result<serde_json::Value, CognitoError> {
        Cognito::jwks(self, pool_id)
    }

    fn issuer(&self, pool_id: &str) -> Result<String, CognitoError> {
        Cognito::issuer_of(self, pool_id)
    }

    fn pool_of_domain(&self, region: Option<&str>, name: &str) -> Option<String> {
        Cognito::pool_of_domain(self, region, name)
    }

    fn domain_of_pool(&self, pool_id: &str) -> Option<String> {
        Cognito::domain_of_pool(self, pool_id)
    }

    fn cognito(&self) -> Option<&Cognito> {
        Some(self)
    }

    fn mint_authorization_code(
        &self,
        now: Timestamp,
        request: CodeRequest<'_>,
    ) -> Result<String, CognitoError> {
        let ctx = RequestContext {
            region: request
                .pool_id
                .split_once('_')
                .map_or("", |(region, _)| region)
                .to_owned(),
            account_id: String::new(),
            now,
            aws_sdk_version: None,
        };
        Cognito::mint_authorization_code(self, &ctx, request)
    }

    fn sent_messages(
        &self,
        keep: &dyn Fn(&Message) -> bool,
        after: Option<u64>,
        limit: usize,
    ) -> Result<Page<Sent>, CognitoError> {
        Ok(self.outbox().sent_page(keep, after, limit))
    }

    fn trigger_invocations(
        &self,
        keep: &dyn Fn(&Invocation) -> bool,
        after: Option<u64>,
        limit: usize,
    ) -> Result<Page<Invocation>, CognitoError> {
        Ok(self.invocations().page(keep, after, limit))
    }

    fn pending_codes(
        &self,
        now: Timestamp,
        pool_id: Option<&str>,
        username: Option<&str>,
    ) -> Result<Vec<IssuedCode>, CognitoError> {
        Ok(Cognito::pending_codes(self, now, pool_id, username))
    }

    fn force_confirm(
        &self,
        now: Timestamp,
        pool_id: &str,
        username: &str,
    ) -> Result<(), CognitoError> {
        Cognito::force_confirm(self, now, pool_id, username)
    }

    fn reset(&self) -> Result<(), CognitoError> {
        Cognito::reset(self);
        Ok(())
    }

    fn reset_pool(&self, pool_id: &str) -> Result<(), CognitoError> {
        Cognito::reset_pool(self, pool_id)
    }

    fn apply_seed(&self, ctx: &RequestContext, seed: &Seed) -> Result<Seeded, CognitoError> {
        Cognito::apply_seed(self, ctx, seed)
    }

    fn active_tokens(
        &self,
        now: Timestamp,
        pool_id: Option<&str>,
        username: Option<&str>,
    ) -> Result<Vec<ActiveTokens>, CognitoError> {
        Ok(Cognito::active_tokens(self, now, pool_id, username))
    }

    fn expire_tokens(
        &self,
        now: Timestamp,
        pool_id: &str,
        username: Option<&str>,
    ) -> Result<usize, CognitoError> {
        Cognito::expire_tokens(self, now, pool_id, username)
    }

    fn auth_events(
        &self,
        pool_id: Option<&str>,
        username: Option<&str>,
    ) -> Result<Vec<RecordedEvent>, CognitoError> {
        Ok(Cognito::auth_events(self, pool_id, username))
    }

    fn devices(
        &self,
        pool_id: Option<&str>,
        username: Option<&str>,
    ) -> Result<Vec<TrackedDevice>, CognitoError> {
        Ok(Cognito::devices(self, pool_id, username))
    }

    fn passkeys(
        &self,
        pool_id: Option<&str>,
        username: Option<&str>,
    ) -> Result<Vec<RegisteredPasskey>, CognitoError> {
        Ok(Cognito::passkeys(self, pool_id, username))
    }

    fn software_token_code(
        &self,
        now: Timestamp,
        pool_id: &str,
        username: &str,
    ) -> Result<String, CognitoError> {
        Cognito::software_token_code(self, now, pool_id, username).map(|c| c.expose().clone())
    }

    fn register_compromised_passwords(&self, passwords: &[&str]) -> Result<usize, CognitoError> {
        for p in passwords {
            self.register_compromised_password(p);
        }
        Ok(self.compromised_password_count())
    }
}
