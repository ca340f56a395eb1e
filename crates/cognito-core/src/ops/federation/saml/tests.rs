//! SAML sign-in with responses signed by a real library: the identity provider's
//! metadata and responses are the fixtures `cognito-crypto/tests/saml/generate.py` made
//! with signxml, for the pool `us-east-1_EXAMPLE1` at its Cognito domain, answering the
//! request `REQUEST_ID`, issued at 2024-05-01T12:00:00Z. The pool under test takes that
//! id, and its pending sign-in that request's, so that every check runs on what signxml
//! signed.

use base64::Engine as _;
use cognito_model::shapes::*;
use serde_json::Value;

use super::*;
use crate::ops::federation::FederationStart;
use crate::testing::{create_pool, ctx_at, service};

/// The pool the fixtures were made for.
const POOL: &str = "us-east-1_EXAMPLE1";
/// Its assertion consumer service.
const ACS: &str = "https://example.auth.us-east-1.amazoncognito.com/saml2/idpresponse";
/// The request the fixtures answer.
const REQUEST_ID: &str = "_5d1f0c2e9a7b4c3d8e6f1a2b3c4d5e6f7a8b9c0d";
/// A minute after the fixtures were issued.
const NOW: i64 = 1_714_564_860;
/// The identity provider's entity id.
const IDP: &str = "https://idp.example.com/saml/metadata";
const EMAIL: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress";

/// A fixture as the HTTP-POST binding carries it: base64.
macro_rules! posted {
    ($name:literal) => {
        base64::engine::general_purpose::STANDARD.encode(include_str!(concat!(
            "../../../../../cognito-crypto/tests/saml/",
            $name
        )))
    };
}

const METADATA: &str = include_str!("../../../../../cognito-crypto/tests/saml/metadata.xml");

struct Fixture {
    svc: Cognito,
    client: String,
}

/// The pool `POOL` with the SAML provider `Corp` (its `IDPInit` as given, email, given
/// name and groups mapped) and an app client supporting `providers`.
fn fixture(idp_init: bool, providers: &[&str]) -> Fixture {
    let svc = service();
    let made = create_pool(&svc, "saml").id.unwrap();
    let state = svc.pool(&ctx_at(NOW), &made).unwrap().read().clone();
    assert!(svc.store.insert(POOL.into(), state));
    let mapping = [
        ("email", EMAIL),
        ("given_name", "given_name"),
        ("name", "groups"),
    ];
    svc.create_identity_provider(
        &ctx_at(NOW),
        CreateIdentityProviderRequest {
            user_pool_id: POOL.into(),
            provider_name: "Corp".into(),
            provider_type: IdentityProviderTypeType::Saml,
            provider_details: [
                ("MetadataFile", METADATA),
                ("IDPInit", if idp_init { "true" } else { "false" }),
            ]
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect(),
            attribute_mapping: Some(
                mapping
                    .into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect(),
            ),
            idp_identifiers: None,
            acr_mapping: None,
        },
    )
    .unwrap();
    let client = svc
        .create_user_pool_client(
            &ctx_at(NOW),
            CreateUserPoolClientRequest {
                user_pool_id: POOL.into(),
                client_name: "app".into(),
                supported_identity_providers: Some(
                    providers.iter().map(|p| p.to_string()).collect(),
                ),
                ..Default::default()
            },
        )
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    Fixture { svc, client }
}

impl Fixture {
    /// Starts a sign-in at `Corp`: the redirect URL and the `RelayState` it carries.
    fn start(&self) -> (String, String) {
        let url = self
            .svc
            .start_federation(
                &ctx_at(NOW),
                FederationStart {
                    pool_id: POOL,
                    client_id: &self.client,
                    provider_name: "Corp",
                    callback_url:
                        "https://example.auth.us-east-1.amazoncognito.com/oauth2/idpresponse",
                    acs_url: ACS,
                    resume: "the authorize request".into(),
                },
            )
            .unwrap();
        let relay_state = url.rsplit("&RelayState=").next().unwrap().to_owned();
        (url, relay_state)
    }

    /// Starts a sign-in whose request is the one the fixtures answer.
    fn start_request(&self) -> String {
        let (_, relay_state) = self.start();
        let shared = self.svc.pool(&ctx_at(NOW), POOL).unwrap();
        let mut pool = shared.write();
        let now = Timestamp::from_secs(NOW);
        let mut pending = pool.federations.take(&relay_state, now).unwrap();
        pending.saml_request_id = Some(REQUEST_ID.into());
        pool.federations.insert(&relay_state, pending, now);
        relay_state
    }

    fn finish(&self, response: &str, relay_state: &str) -> Result<Federated, FederationError> {
        self.svc.finish_saml_federation(
            &ctx_at(NOW),
            POOL,
            SamlReturn {
                saml_response: response,
                relay_state: Some(relay_state),
                unsolicited: None,
            },
        )
    }

    fn finish_unsolicited(&self, response: &str) -> Result<Federated, FederationError> {
        self.svc.finish_saml_federation(
            &ctx_at(NOW),
            POOL,
            SamlReturn {
                saml_response: response,
                relay_state: Some("client_id=c&identity_provider=Corp"),
                unsolicited: Some(Unsolicited {
                    client_id: &self.client,
                    provider_name: Some("Corp"),
                    acs_url: ACS,
                }),
            },
        )
    }

    fn attributes(&self, username: &str) -> std::collections::BTreeMap<String, String> {
        self.svc
            .admin_get_user(
                &ctx_at(NOW),
                AdminGetUserRequest {
                    user_pool_id: POOL.into(),
                    username: username.into(),
                },
            )
            .unwrap()
            .user_attributes
            .unwrap()
            .into_iter()
            .map(|a| (a.name, a.value.unwrap_or_default()))
            .collect()
    }
}

/// The error of a failed sign-in, with what it resumes.
fn refused(result: Result<Federated, FederationError>) -> (String, Option<String>) {
    let e = result.unwrap_err();
    (e.error.message, e.resume)
}

#[test]
fn the_request_goes_to_the_redirect_binding_with_the_relay_state() {
    let f = fixture(false, &["Corp"]);
    let (url, relay_state) = f.start();
    assert!(
        url.starts_with("https://idp.example.com/saml/sso?tenant=example&SAMLRequest="),
        "{url}"
    );
    assert_eq!(relay_state.len(), 43, "{url}");
    let shared = f.svc.pool(&ctx_at(NOW), POOL).unwrap();
    let pending = shared
        .write()
        .federations
        .take(&relay_state, Timestamp::from_secs(NOW))
        .unwrap();
    assert_eq!(pending.callback_url, ACS);
    let id = pending.saml_request_id.unwrap();
    assert!(id.starts_with('_') && id.len() == 41, "{id}");
    assert_eq!(
        sp_entity_id(POOL),
        "urn:amazon:cognito:sp:us-east-1_EXAMPLE1"
    );
}

#[test]
fn an_sp_initiated_response_signs_in_the_name_id_once() {
    let f = fixture(false, &["Corp"]);
    let relay_state = f.start_request();
    let response = posted!("assertion-signed.xml");
    let federated = f.finish(&response, &relay_state).unwrap();
    assert_eq!(federated.username, "Corp_jdoe@example.com");
    assert_eq!(federated.client_id, f.client);
    assert_eq!(federated.resume, "the authorize request");

    let attributes = f.attributes("Corp_jdoe@example.com");
    assert_eq!(attributes["email"], "jdoe@example.com");
    assert_eq!(attributes["email_verified"], "false");
    assert_eq!(attributes["given_name"], "Jane");
    assert_eq!(attributes["name"], "[admins, R&D <lab>]");
    let identities: Value = serde_json::from_str(&attributes["identities"]).unwrap();
    assert_eq!(identities[0]["userId"], "jdoe@example.com");
    assert_eq!(identities[0]["providerName"], "Corp");
    assert_eq!(identities[0]["providerType"], "SAML");
    assert_eq!(identities[0]["issuer"], IDP);

    // The relay state works once.
    let (message, resume) = refused(f.finish(&response, &relay_state));
    assert_eq!(message, UNKNOWN_RELAY_STATE);
    assert_eq!(resume, None);

    // The assertion too, even for a new sign-in answering the same request.
    let again = f.start_request();
    let (message, resume) = refused(f.finish(&response, &again));
    assert_eq!(
        message,
        "Invalid SAML response received: the assertion has already been used."
    );
    assert_eq!(resume.as_deref(), Some("the authorize request"));
}

#[test]
fn responses_that_fail_a_check_are_refused_with_the_check() {
    let f = fixture(false, &["Corp"]);
    let cases = [
        (
            posted!("tampered-attribute.xml"),
            "the digest of the signed element does not match the signature",
        ),
        (
            posted!("other-key.xml"),
            "the signature is invalid for the identity provider's signing certificates",
        ),
        (
            posted!("wrong-audience.xml"),
            "the assertion's audience does not include this service provider",
        ),
        (posted!("expired.xml"), "the assertion has expired"),
        (
            posted!("unsigned.xml"),
            "neither the SAML response nor its assertion is signed",
        ),
        (
            posted!("idp-initiated.xml"),
            "the response answers no request, and IdP-initiated sign-in is not allowed",
        ),
    ];
    for (response, why) in cases {
        let relay_state = f.start_request();
        let (message, resume) = refused(f.finish(&response, &relay_state));
        assert_eq!(message, format!("Invalid SAML response received: {why}."));
        assert_eq!(resume.as_deref(), Some("the authorize request"));
    }
    let (message, _) = refused(f.finish(&"A".repeat(100_001), &f.start_request()));
    assert_eq!(
        message,
        "The SAML response is longer than 100000 characters."
    );
    // No user was made by any of them.
    let listed = f
        .svc
        .list_users(
            &ctx_at(NOW),
            ListUsersRequest {
                user_pool_id: POOL.into(),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(listed.users.unwrap_or_default().len(), 0);
}

#[test]
fn a_response_to_another_request_is_refused() {
    let f = fixture(false, &["Corp"]);
    let (_, relay_state) = f.start();
    let (message, _) = refused(f.finish(&posted!("assertion-signed.xml"), &relay_state));
    assert!(
        message.starts_with("Invalid SAML response received: the response answers request"),
        "{message}"
    );
}

#[test]
fn idp_initiated_sign_in_needs_idp_init_and_an_unsolicited_response() {
    let f = fixture(false, &["Corp"]);
    let (message, resume) = refused(f.finish_unsolicited(&posted!("idp-initiated.xml")));
    assert_eq!(
        message,
        "IdP-initiated sign-in is not enabled for the identity provider Corp."
    );
    assert_eq!(
        resume.as_deref(),
        Some("client_id=c&identity_provider=Corp")
    );

    let f = fixture(true, &["Corp", "COGNITO"]);
    let (message, _) = refused(f.finish_unsolicited(&posted!("idp-initiated.xml")));
    assert_eq!(
        message,
        "IdP-initiated sign-in needs an app client whose identity providers are all SAML \
         providers; this one supports COGNITO."
    );

    let f = fixture(true, &["Corp"]);
    let (message, _) = refused(f.finish_unsolicited(&posted!("assertion-signed.xml")));
    assert_eq!(
        message,
        "Invalid SAML response received: an IdP-initiated response must answer no request \
         (InResponseTo)."
    );
    let federated = f.finish_unsolicited(&posted!("idp-initiated.xml")).unwrap();
    assert_eq!(federated.username, "Corp_jdoe@example.com");
    assert_eq!(federated.resume, "client_id=c&identity_provider=Corp");
    let (message, _) = refused(f.finish_unsolicited(&posted!("idp-initiated.xml")));
    assert_eq!(
        message,
        "Invalid SAML response received: the assertion has already been used."
    );
}

#[test]
fn a_relay_state_of_an_oauth_sign_in_finishes_no_saml_one() {
    let f = fixture(false, &["Corp"]);
    let relay_state = f.start_request();
    {
        let shared = f.svc.pool(&ctx_at(NOW), POOL).unwrap();
        let mut pool = shared.write();
        let now = Timestamp::from_secs(NOW);
        let mut pending = pool.federations.take(&relay_state, now).unwrap();
        pending.saml_request_id = None;
        pool.federations.insert(&relay_state, pending, now);
    }
    let (message, resume) = refused(f.finish(&posted!("assertion-signed.xml"), &relay_state));
    assert_eq!(message, UNKNOWN_RELAY_STATE);
    assert_eq!(resume.as_deref(), Some("the authorize request"));
}
