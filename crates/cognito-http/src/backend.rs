//! [`Backend`]: what the HTTP front end needs from the service behind it — the API
//! itself, and the few calls its own routes make.

use cognito_core::{Cognito, RequestContext};
use cognito_model::{CognitoError, CognitoIdentityProvider, ErrorKind};

/// The service behind [`crate::CognitoService`]: the `cognito-idp` API plus the calls of
/// the emulator's own routes. Every extra call has a default answer, so an embedder that
/// implements only the API still serves it.
pub trait Backend:
    CognitoIdentityProvider<Context = RequestContext> + Send + Sync + 'static
{
    /// Stores the CSV uploaded to a user import job's pre-signed URL.
    fn upload_user_import_csv(
        &self,
        pool_id: &str,
        job_id: &str,
        token: &str,
        csv: Vec<u8>,
    ) -> Result<(), CognitoError> {
        let _ = (pool_id, job_id, token, csv);
        Err(CognitoError::new(
            ErrorKind::ResourceNotFoundException,
            "User import jobs are not supported by this backend.",
        ))
    }

    /// The JSON Web Key Set of pool `pool_id`.
    fn jwks(&self, pool_id: &str) -> Result<serde_json::Value, CognitoError> {
        Err(unsupported(pool_id))
    }

    /// The OpenID Connect discovery document of pool `pool_id`.
    fn openid_configuration(&self, pool_id: &str) -> Result<serde_json::Value, CognitoError> {
        Err(unsupported(pool_id))
    }
}

fn unsupported(pool_id: &str) -> CognitoError {
    CognitoError::new(
        ErrorKind::ResourceNotFoundException,
        format!("User pool {pool_id} does not exist."),
    )
}

impl Backend for Cognito {
    fn upload_user_import_csv(
        &self,
        pool_id: &str,
        job_id: &str,
        token: &str,
        csv: Vec<u8>,
    ) -> Result<(), CognitoError> {
        Cognito::upload_user_import_csv(self, pool_id, job_id, token, csv)
    }

    fn jwks(&self, pool_id: &str) -> Result<serde_json::Value, CognitoError> {
        Cognito::jwks(self, pool_id)
    }

    fn openid_configuration(&self, pool_id: &str) -> Result<serde_json::Value, CognitoError> {
        Cognito::openid_configuration(self, pool_id)
    }
}
