//! What a pool publishes about its keys: the JWKS, the issuer its discovery document
//! names, and `GetSigningCertificate`'s X.509 certificate, all over the same signing key.

use cognito_crypto::jwk::jwk_set;
use cognito_crypto::x509::{self_signed_certificate, CertificateParams};
use cognito_model::shapes::{GetSigningCertificateRequest, GetSigningCertificateResponse};
use cognito_model::{CognitoError, ErrorKind};
use serde_json::Value;

use crate::{Cognito, RequestContext};

/// How long the signing certificate is valid: ten years.
const CERTIFICATE_YEARS: i64 = 10;

impl Cognito {
    /// The pool's JSON Web Key Set (`/<poolId>/.well-known/jwks.json`).
    pub fn jwks(&self, pool_id: &str) -> Result<Value, CognitoError> {
        let key = self.signing_key(pool_id)?;
        Ok(jwk_set([key.jwk()]))
    }

    /// The issuer of pool `pool_id`'s tokens, for its discovery document; the pool must
    /// exist.
    pub fn issuer_of(&self, pool_id: &str) -> Result<String, CognitoError> {
        self.store.read(pool_id, |pool| Ok(self.issuer(pool)))
    }

    pub(crate) fn get_signing_certificate(
        &self,
        ctx: &RequestContext,
        input: GetSigningCertificateRequest,
    ) -> Result<GetSigningCertificateResponse, CognitoError> {
        let kept = self.store.read(&input.user_pool_id, |pool| {
            Ok(pool.tokens.certificate().map(str::to_string))
        })?;
        if let Some(pem) = kept {
            return Ok(GetSigningCertificateResponse {
                certificate: Some(pem),
            });
        }
        let key = self.signing_key(&input.user_pool_id)?;
        let mut serial = [0u8; 16];
        self.random.fill(&mut serial);
        let now = ctx.now.secs();
        let certificate = self_signed_certificate(
            &key,
            &CertificateParams {
                common_name: &input.user_pool_id,
                serial: &serial,
                not_before: now,
                not_after: now + CERTIFICATE_YEARS * 365 * 86_400,
            },
        )
        .map_err(|e| CognitoError::new(ErrorKind::InternalErrorException, e.to_string()))?;
        let pem = self.store.update(&input.user_pool_id, |pool| {
            Ok(pool.tokens.keep_certificate(certificate.pem()))
        })?;
        Ok(GetSigningCertificateResponse {
            certificate: Some(pem),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{create_pool, ctx, service};

    #[test]
    fn jwks_certificate_and_discovery_share_one_key() {
        let svc = service();
        let pool = create_pool(&svc, "p").id.unwrap();
        let jwks = svc.jwks(&pool).unwrap();
        let key = &jwks["keys"][0];
        assert_eq!(key["kty"], "RSA");
        assert_eq!(key["alg"], "RS256");
        assert_eq!(key["use"], "sig");
        assert_eq!(svc.jwks(&pool).unwrap(), jwks, "the key is stable");

        let pem = svc
            .get_signing_certificate(
                &ctx(),
                GetSigningCertificateRequest {
                    user_pool_id: pool.clone(),
                },
            )
            .unwrap()
            .certificate
            .unwrap();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
        let again = svc
            .get_signing_certificate(
                &ctx(),
                GetSigningCertificateRequest {
                    user_pool_id: pool.clone(),
                },
            )
            .unwrap()
            .certificate
            .unwrap();
        assert_eq!(pem, again);
        let signing = svc
            .pool(&ctx(), &pool)
            .unwrap()
            .read()
            .tokens
            .key()
            .unwrap()
            .clone();
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        use base64::Engine as _;
        let der = base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap();
        let spki = signing.public_key_der();
        assert!(
            der.windows(spki.len()).any(|w| w == spki),
            "the certificate wraps the JWKS key"
        );

        assert_eq!(
            svc.issuer_of(&pool).unwrap(),
            format!("http://localhost:9229/{pool}")
        );
        assert_eq!(
            svc.issuer_of("us-east-1_missing1").unwrap_err().kind,
            ErrorKind::ResourceNotFoundException
        );
        assert_eq!(
            svc.jwks("us-east-1_missing1").unwrap_err().kind,
            ErrorKind::ResourceNotFoundException
        );
    }
}
