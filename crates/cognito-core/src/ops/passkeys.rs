//! Passkeys: `StartWebAuthnRegistration`, `CompleteWebAuthnRegistration`,
//! `ListWebAuthnCredentials`, `DeleteWebAuthnCredential`, and the relying party and origins
//! that both registration and the `WEB_AUTHN` sign-in check against.
//!
//! The relying party is the pool's `WebAuthnConfiguration.RelyingPartyId`, else its custom
//! domain, else its prefix domain (`<prefix>.auth.<region>.amazoncognito.com`). A page may
//! call WebAuthn from an origin whose host is the relying party or one of its subdomains,
//! over HTTPS (over HTTP too for `localhost`), or from an origin of one of the pool's
//! callback URLs. WebAuthn itself is verified in `cognito_crypto::webauthn`, without the
//! pool's lock.

use base64::Engine as _;
use cognito_crypto::webauthn::{self, ErrorCategory, Expected, WebAuthnError};
use cognito_model::shapes::*;
use cognito_model::{CognitoError, ErrorKind};
use serde_json::{json, Value};

use crate::errors::{invalid_parameter, not_found};
use crate::ids;
use crate::state::passkeys::{AttestationFacts, Passkey, PendingRegistration};
use crate::store::PoolState;
use crate::users::user_not_found;
use crate::{Cognito, RequestContext};

/// How long a registration or sign-in challenge stays good: Cognito's options say
/// three minutes.
pub(crate) const CHALLENGE_MILLIS: i64 = 180_000;

/// Passkeys a page lists at most.
const MAX_PAGE: usize = 20;

/// Passkeys one user may hold.
const MAX_PASSKEYS: usize = 20;

pub(crate) fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The relying party of `pool`'s passkeys.
pub(crate) fn relying_party(pool: &PoolState) -> Result<String, CognitoError> {
    if let Some(id) = pool.web_authn_configuration().relying_party_id {
        return Ok(id);
    }
    if let Some(custom) = &pool.config.custom_domain {
        return Ok(custom.clone());
    }
    if let Some(prefix) = &pool.config.domain {
        let pool_id = pool.config.id.as_deref().unwrap_or_default();
        return Ok(format!(
            "{prefix}.auth.{}.amazoncognito.com",
            ids::pool_region(pool_id)
        ));
    }
    Err(CognitoError::new(
        ErrorKind::WebAuthnConfigurationMissingException,
        "The user pool has no WebAuthn relying party: set WebAuthnConfiguration.RelyingPartyId or a domain.",
    ))
}

/// Whether passkeys are a first sign-in factor of `pool`.
pub(crate) fn passkeys_enabled(pool: &PoolState) -> Result<(), CognitoError> {
    if pool
        .first_auth_factors()
        .contains(&AuthFactorType::WebAuthn)
    {
        Ok(())
    } else {
        Err(CognitoError::new(
            ErrorKind::WebAuthnNotEnabledException,
            "Passkey sign-in is not enabled for this user pool: add WEB_AUTHN to the AllowedFirstAuthFactors of its SignInPolicy.",
        ))
    }
}

/// Whether user verification is required by `pool`'s WebAuthn configuration.
pub(crate) fn user_verification_required(pool: &PoolState) -> bool {
    pool.web_authn_configuration().user_verification == Some(UserVerificationType::Required)
}

/// The origin a credential's `clientDataJSON` names, if it is one `pool` allows for
/// `rp_id`: the origin the verification then requires.
pub(crate) fn allowed_origin(
    pool: &PoolState,
    rp_id: &str,
    credential: &Value,
) -> Result<String, CognitoError> {
    let origin = credential
        .pointer("/response/clientDataJSON")
        .and_then(Value::as_str)
        .and_then(client_data_origin)
        .ok_or_else(|| invalid_parameter("The credential has no readable clientDataJSON."))?;
    if origin_fits(&origin, rp_id) || callback_origins(pool).any(|o| o == origin) {
        Ok(origin)
    } else {
        Err(CognitoError::new(
            ErrorKind::WebAuthnOriginNotAllowedException,
            format!("The origin {origin} is not allowed for the relying party {rp_id}."),
        ))
    }
}

/// The `origin` of a base64url `clientDataJSON`; the verification checks the rest.
fn client_data_origin(text: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .ok()?;
    let data: Value = serde_json::from_slice(&bytes).ok()?;
    data.get("origin")?.as_str().map(str::to_string)
}

/// An origin whose host is `rp_id` or a subdomain of it, over HTTPS (or HTTP for
/// `localhost`), with any port.
fn origin_fits(origin: &str, rp_id: &str) -> bool {
    let Some((scheme, rest)) = origin.split_once("://") else {
        return false;
    };
    let host = rest.rsplit_once(':').map_or(rest, |(h, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            rest
        }
    });
    let host_fits = host == rp_id || host.ends_with(&format!(".{rp_id}"));
    let local = host == "localhost" || host.ends_with(".localhost");
    host_fits && (scheme == "https" || (scheme == "http" && local))
}

/// The origins of the pool's app clients' callback URLs.
fn callback_origins(pool: &PoolState) -> impl Iterator<Item = String> + '_ {
    pool.clients
        .values()
        .flat_map(|c| c.config.callback_urls.iter().flatten())
        .filter_map(|url| {
            let (scheme, rest) = url.split_once("://")?;
            let authority = rest.split(['/', '?', '#']).next()?;
            Some(format!("{scheme}://{authority}"))
        })
}

/// The Cognito error for a refused registration.
fn registration_error(e: &WebAuthnError) -> CognitoError {
    let kind = match e.category() {
        ErrorCategory::Origin => ErrorKind::WebAuthnOriginNotAllowedException,
        ErrorCategory::RelyingParty => ErrorKind::WebAuthnRelyingPartyMismatchException,
        ErrorCategory::Challenge => ErrorKind::WebAuthnChallengeNotFoundException,
        ErrorCategory::ClientData => ErrorKind::WebAuthnClientMismatchException,
        ErrorCategory::NotSupported => ErrorKind::WebAuthnCredentialNotSupportedException,
        _ => ErrorKind::InvalidParameterException,
    };
    CognitoError::new(kind, e.to_string())
}

impl Cognito {
    pub(crate) fn start_web_authn_registration(
        &self,
        ctx: &RequestContext,
        input: StartWebAuthnRegistrationRequest,
    ) -> Result<StartWebAuthnRegistrationResponse, CognitoError> {
        let token = self.verify_access_token(ctx, &input.access_token)?;
        let mut challenge = vec![0u8; 32];
        self.random.fill(&mut challenge);
        self.store.update(&token.pool_id, |pool| {
            passkeys_enabled(pool)?;
            let rp_id = relying_party(pool)?;
            let required = user_verification_required(pool);
            let user = pool.users.get(&token.user_key).ok_or_else(user_not_found)?;
            let exclude: Vec<Value> = user
                .passkeys
                .iter()
                .map(|p| json!({"type": "public-key", "id": b64url(&p.credential_id)}))
                .collect();
            let options = json!({
                "rp": {"id": rp_id, "name": rp_id},
                "user": {
                    "id": b64url(user.sub.as_bytes()),
                    "name": user.username,
                    "displayName": user.attribute("email").unwrap_or(&user.username),
                },
                "challenge": b64url(&challenge),
                "pubKeyCredParams": [
                    {"type": "public-key", "alg": -7},
                    {"type": "public-key", "alg": -257},
                ],
                "timeout": CHALLENGE_MILLIS,
                "excludeCredentials": exclude,
                "authenticatorSelection": {
                    "requireResidentKey": true,
                    "residentKey": "required",
                    "userVerification": if required { "required" } else { "preferred" },
                },
            });
            let pending = PendingRegistration {
                challenge,
                relying_party_id: rp_id,
                user_verification_required: required,
                expires: ctx.now.plus_millis(CHALLENGE_MILLIS),
            };
            pool.users
                .update(&token.user_key, |u| {
                    u.pending_passkey = Some(Box::new(pending));
                })
                .ok_or_else(user_not_found)?;
            Ok(StartWebAuthnRegistrationResponse {
                credential_creation_options: options,
            })
        })
    }

    pub(crate) fn complete_web_authn_registration(
        &self,
        ctx: &RequestContext,
        input: CompleteWebAuthnRegistrationRequest,
    ) -> Result<CompleteWebAuthnRegistrationResponse, CognitoError> {
        let token = self.verify_access_token(ctx, &input.access_token)?;
        let (pending, origin) = self.store.update(&token.pool_id, |pool| {
            passkeys_enabled(pool)?;
            // The challenge answers once, right or wrong.
            let pending = pool
                .users
                .update(&token.user_key, |u| u.pending_passkey.take())
                .ok_or_else(user_not_found)?
                .filter(|p| p.expires > ctx.now)
                .ok_or_else(|| {
                    CognitoError::new(
                        ErrorKind::WebAuthnChallengeNotFoundException,
                        "No passkey registration is waiting for this user, or it expired.",
                    )
                })?;
            let origin = allowed_origin(pool, &pending.relying_party_id, &input.credential)?;
            Ok((pending, origin))
        })?;
        // Without the lock: the attestation.
        let origins = [origin];
        let expected = Expected {
            rp_id: &pending.relying_party_id,
            origins: &origins,
            challenge: &pending.challenge,
            require_user_verification: pending.user_verification_required,
        };
        let registration = webauthn::verify_registration(&input.credential, &expected)
            .map_err(|e| registration_error(&e))?;
        self.store.update(&token.pool_id, |pool| {
            let user = pool.users.get(&token.user_key).ok_or_else(user_not_found)?;
            if user
                .passkeys
                .iter()
                .any(|p| p.credential_id == registration.credential_id)
            {
                return Err(invalid_parameter("This passkey is registered already."));
            }
            if user.passkeys.len() >= MAX_PASSKEYS {
                return Err(CognitoError::new(
                    ErrorKind::LimitExceededException,
                    format!("A user may register at most {MAX_PASSKEYS} passkeys."),
                ));
            }
            let passkey = Passkey {
                friendly_name: friendly_name(&registration),
                credential_id: registration.credential_id,
                public_key: registration.public_key,
                sign_count: registration.sign_count,
                relying_party_id: pending.relying_party_id.clone(),
                attachment: registration.authenticator_attachment,
                transports: registration.transports,
                attestation: AttestationFacts {
                    format: registration.format.as_str().to_string(),
                    aaguid: registration.aaguid,
                    certificate_subjects: match registration.attestation {
                        webauthn::AttestationType::Basic { subjects } => subjects,
                        _ => Vec::new(),
                    },
                    user_verified: registration.user_verified,
                    backup_eligible: registration.backup_eligible,
                    backed_up: registration.backed_up,
                },
                created: ctx.now,
            };
            pool.users.update(&token.user_key, |u| {
                u.passkeys.push(passkey);
                u.modified = ctx.now;
            });
            Ok(CompleteWebAuthnRegistrationResponse {})
        })
    }

    pub(crate) fn list_web_authn_credentials(
        &self,
        ctx: &RequestContext,
        input: ListWebAuthnCredentialsRequest,
    ) -> Result<ListWebAuthnCredentialsResponse, CognitoError> {
        let token = self.verify_access_token(ctx, &input.access_token)?;
        let limit = ids::page_size(input.max_results, MAX_PAGE);
        let skip = match ids::page_after(input.next_token.as_deref())? {
            Some(s) => s
                .parse::<usize>()
                .map_err(|_| invalid_parameter("Invalid pagination token."))?,
            None => 0,
        };
        self.store.read(&token.pool_id, |pool| {
            let user = pool.users.get(&token.user_key).ok_or_else(user_not_found)?;
            let credentials: Vec<WebAuthnCredentialDescription> = user
                .passkeys
                .iter()
                .skip(skip)
                .take(limit)
                .map(|p| WebAuthnCredentialDescription {
                    credential_id: b64url(&p.credential_id),
                    friendly_credential_name: p.friendly_name.clone(),
                    relying_party_id: p.relying_party_id.clone(),
                    authenticator_attachment: p.attachment.clone(),
                    authenticator_transports: p.transports.clone(),
                    created_at: p.created,
                })
                .collect();
            let next = skip + credentials.len();
            Ok(ListWebAuthnCredentialsResponse {
                next_token: (next < user.passkeys.len())
                    .then(|| ids::page_token(&next.to_string())),
                credentials,
            })
        })
    }

    pub(crate) fn delete_web_authn_credential(
        &self,
        ctx: &RequestContext,
        input: DeleteWebAuthnCredentialRequest,
    ) -> Result<DeleteWebAuthnCredentialResponse, CognitoError> {
        let token = self.verify_access_token(ctx, &input.access_token)?;
        self.store.update(&token.pool_id, |pool| {
            let removed = pool
                .users
                .update(&token.user_key, |u| {
                    let before = u.passkeys.len();
                    u.passkeys
                        .retain(|p| b64url(&p.credential_id) != input.credential_id);
                    crate::state::users::Rare::tidy(&mut u.passkeys);
                    before != u.passkeys.len()
                })
                .ok_or_else(user_not_found)?;
            if removed {
                Ok(DeleteWebAuthnCredentialResponse {})
            } else {
                Err(not_found("The credential does not exist."))
            }
        })
    }
}

/// A passkey's name: its authenticator's, as far as the registration tells it.
fn friendly_name(registration: &webauthn::Registration) -> String {
    match registration.authenticator_attachment.as_deref() {
        Some("platform") => "Platform passkey".into(),
        Some("cross-platform") => "Security key".into(),
        _ => format!("Passkey ({})", registration.format.as_str()),
    }
}
