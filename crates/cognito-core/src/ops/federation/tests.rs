//! Federated sign-in against a real upstream: a second service, with its own pool,
//! client and signing key, plays the identity provider. Its discovery document, key set,
//! token and userInfo endpoints answer through an in-process [`Upstream`], and its
//! tokens come from its own authorization code grant, so every token the sign-in checks
//! was made and signed by real code.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use cognito_model::shapes::*;
use cognito_model::ErrorKind;
use serde_json::{json, Value};

use super::*;
use crate::auth::authorization_code::{ChallengeMethod, ClientAuth, CodeExchange, CodeRequest};
use crate::ids::tests::SeqRandom;
use crate::lambda::LambdaError;
use crate::ops::auth::KeySource as _;
use crate::testing::{ctx, ctx_at, service, with_issuer, Functions};
use crate::upstream::{Method, Upstream, UpstreamError, UpstreamRequest, UpstreamResponse};
use crate::Random as _;

/// Where the identity provider is.
const IDP: &str = "https://idp.test";
/// The pool domain's endpoint the provider sends the browser back to.
const CALLBACK: &str = "https://auth.test/oauth2/idpresponse";
/// When every test starts.
const T0: i64 = 1_700_000_000;

fn arn(name: &str) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:function:{name}")
}

/// The identity provider's own key, another than the pool's under test.
struct IdpKey;

impl crate::ops::auth::KeySource for IdpKey {
    fn signing_key(
        &self,
        _random: &dyn crate::Random,
    ) -> Result<cognito_crypto::jwt::SigningKey, String> {
        static PKCS8: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        let der = PKCS8.get_or_init(|| {
            let random = SeqRandom::default();
            // Past the bytes the pool under test makes its key of.
            random.fill(&mut [0u8; 64]);
            crate::ops::auth::GeneratedKeys
                .signing_key(&random)
                .unwrap()
                .to_pkcs8_der()
                .expose()
                .clone()
        });
        cognito_crypto::jwt::SigningKey::from_pkcs8_der(der).map_err(|e| e.to_string())
    }
}

/// `application/x-www-form-urlencoded` text as pairs.
fn form_decode(text: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        let bytes = s.replace('+', " ").into_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    };
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn param<'p>(pairs: &'p [(String, String)], name: &str) -> Option<&'p str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A second service as an OpenID Connect provider: its pool, a client with a secret,
/// and the person `alice`.
struct Idp {
    svc: Cognito,
    pool: String,
    client: String,
    secret: String,
    /// The provider's clock, in seconds.
    now: AtomicI64,
    /// The paths requested of it, in order.
    requests: Mutex<Vec<String>>,
    /// Exchange codes as this other client (id, secret): ID tokens for another audience.
    exchange_as: Mutex<Option<(String, String)>>,
    /// Answer ID tokens signed by another key under the provider's `kid`.
    forge: std::sync::atomic::AtomicBool,
}

impl Idp {
    fn new() -> Arc<Idp> {
        let svc = with_issuer(service().with_key_source(Box::new(IdpKey)), IDP);
        let pool = svc
            .create_user_pool(
                &ctx(),
                CreateUserPoolRequest {
                    pool_name: "idp".into(),
                    ..Default::default()
                },
            )
            .unwrap()
            .user_pool
            .unwrap()
            .id
            .unwrap();
        let (client, secret) = Idp::client(&svc, &pool);
        svc.admin_create_user(
            &ctx(),
            AdminCreateUserRequest {
                user_pool_id: pool.clone(),
                username: "alice".into(),
                message_action: Some(MessageActionType::Suppress),
                user_attributes: Some(vec![
                    attribute("email", "alice@example.com"),
                    attribute("email_verified", "true"),
                    attribute("name", "Alice"),
                ]),
                ..Default::default()
            },
        )
        .unwrap();
        svc.admin_set_user_password(
            &ctx(),
            AdminSetUserPasswordRequest {
                user_pool_id: pool.clone(),
                username: "alice".into(),
                password: "Passw0rd!".into(),
                permanent: true,
            },
        )
        .unwrap();
        Arc::new(Idp {
            svc,
            pool,
            client,
            secret,
            now: AtomicI64::new(T0),
            requests: Mutex::default(),
            exchange_as: Mutex::default(),
            forge: Default::default(),
        })
    }

    /// A confidential client of the provider's pool for the pool under test.
    fn client(svc: &Cognito, pool: &str) -> (String, String) {
        let client = svc
            .create_user_pool_client(
                &ctx(),
                CreateUserPoolClientRequest {
                    user_pool_id: pool.into(),
                    client_name: "federation".into(),
                    generate_secret: true,
                    allowed_o_auth_flows_user_pool_client: true,
                    allowed_o_auth_flows: Some(vec![OAuthFlowType::Code]),
                    allowed_o_auth_scopes: Some(
                        ["openid", "email", "profile"].map(String::from).to_vec(),
                    ),
                    callback_urls: Some(vec![CALLBACK.into()]),
                    supported_identity_providers: Some(vec!["COGNITO".into()]),
                    id_token_validity: Some(5),
                    token_validity_units: Some(TokenValidityUnitsType {
                        id_token: Some(TimeUnitsType::Minutes),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
            )
            .unwrap()
            .user_pool_client
            .unwrap();
        (client.client_id.unwrap(), client.client_secret.unwrap())
    }

    fn ctx(&self) -> crate::RequestContext {
        ctx_at(self.now.load(Ordering::SeqCst))
    }

    fn issuer(&self) -> String {
        self.svc.issuer_of(&self.pool).unwrap()
    }

    fn sub(&self, username: &str) -> String {
        self.svc
            .admin_get_user(
                &ctx(),
                AdminGetUserRequest {
                    user_pool_id: self.pool.clone(),
                    username: username.into(),
                },
            )
            .unwrap()
            .user_attributes
            .unwrap()
            .into_iter()
            .find(|a| a.name == "sub")
            .and_then(|a| a.value)
            .unwrap()
    }

    fn requested(&self, path: &str) -> usize {
        let requests = self.requests.lock().unwrap();
        requests.iter().filter(|p| p.ends_with(path)).count()
    }

    /// The person signs in at the provider as `username` through the authorization URL
    /// `url`, which sends the browser back with a code: answers the state and the code.
    /// `nonce` replaces the one asked for.
    fn authorize(&self, url: &str, username: &str, nonce: Option<&str>) -> (String, String) {
        let query = url
            .strip_prefix(&format!("{IDP}/oauth2/authorize?"))
            .unwrap_or_else(|| panic!("{url}"));
        let params = form_decode(query);
        assert_eq!(param(&params, "response_type"), Some("code"));
        assert_eq!(param(&params, "client_id"), Some(self.client.as_str()));
        assert_eq!(param(&params, "redirect_uri"), Some(CALLBACK));
        let scopes: Vec<String> = param(&params, "scope")
            .unwrap()
            .split(' ')
            .map(String::from)
            .collect();
        let challenge = param(&params, "code_challenge").map(|c| {
            assert_eq!(param(&params, "code_challenge_method"), Some("S256"));
            (c, ChallengeMethod::S256)
        });
        let code = self
            .svc
            .mint_authorization_code(
                &self.ctx(),
                CodeRequest {
                    pool_id: &self.pool,
                    client_id: &self.client,
                    username,
                    redirect_uri: CALLBACK,
                    scopes: Some(&scopes),
                    challenge,
                    nonce: nonce.or(param(&params, "nonce")),
                },
            )
            .unwrap();
        (param(&params, "state").unwrap().to_owned(), code)
    }

    fn discovery(&self) -> Value {
        json!({
            "issuer": self.issuer(),
            "authorization_endpoint": format!("{IDP}/oauth2/authorize"),
            "token_endpoint": format!("{IDP}/oauth2/token"),
            "userinfo_endpoint": format!("{IDP}/oauth2/userInfo"),
            "jwks_uri": format!("{}/.well-known/jwks.json", self.issuer()),
        })
    }

    fn token(&self, body: &[u8]) -> UpstreamResponse {
        let form = form_decode(std::str::from_utf8(body).unwrap());
        let sent = (param(&form, "client_id"), param(&form, "client_secret"));
        if sent != (Some(self.client.as_str()), Some(self.secret.as_str())) {
            return UpstreamResponse::with_status(401, &json!({"error": "invalid_client"}));
        }
        assert_eq!(param(&form, "grant_type"), Some("authorization_code"));
        let (client, secret) = self
            .exchange_as
            .lock()
            .unwrap()
            .clone()
            .unwrap_or((self.client.clone(), self.secret.clone()));
        let exchanged = self.svc.exchange_authorization_code(
            &self.ctx(),
            &self.pool,
            ClientAuth {
                client_id: &client,
                secret: Some(&secret),
            },
            CodeExchange {
                code: param(&form, "code").unwrap(),
                redirect_uri: param(&form, "redirect_uri"),
                code_verifier: param(&form, "code_verifier"),
            },
        );
        let tokens = match exchanged {
            Ok(tokens) => tokens,
            Err(e) => {
                return UpstreamResponse::with_status(
                    400,
                    &json!({"error": "invalid_grant", "error_description": format!("{e:?}")}),
                )
            }
        };
        let mut id_token = tokens.id_token.unwrap();
        if self.forge.load(Ordering::SeqCst) {
            let (header, claims) =
                cognito_crypto::jwt::danger_decode_unverified(&id_token).unwrap();
            let kid = header["kid"].as_str().unwrap();
            // Another key (the one of the pool under test), under the provider's `kid`.
            let key = crate::ops::auth::GeneratedKeys
                .signing_key(&SeqRandom::default())
                .unwrap()
                .with_kid(kid);
            id_token = key.sign(&serde_json::Map::new(), &claims).unwrap();
        }
        UpstreamResponse::json(&json!({
            "access_token": tokens.access_token,
            "id_token": id_token,
            "refresh_token": tokens.refresh_token,
            "token_type": "Bearer",
            "expires_in": tokens.expires_in,
        }))
    }
}

impl Upstream for Idp {
    fn send(&self, request: &UpstreamRequest) -> Result<UpstreamResponse, UpstreamError> {
        let Some(path) = request.url.strip_prefix(IDP) else {
            return Err(UpstreamError::Unreachable(format!(
                "no route to {}",
                request.url
            )));
        };
        self.requests.lock().unwrap().push(path.to_owned());
        let pool = format!("/{}", self.pool);
        Ok(match (request.method, path) {
            (Method::Get, p) if p == format!("{pool}/.well-known/openid-configuration") => {
                UpstreamResponse::json(&self.discovery())
            }
            (Method::Get, p) if p == format!("{pool}/.well-known/jwks.json") => {
                UpstreamResponse::json(&self.svc.jwks(&self.pool).unwrap())
            }
            (Method::Post, "/oauth2/token") => self.token(&request.body),
            (Method::Get, "/oauth2/userInfo") => {
                let bearer = request
                    .header_value("Authorization")
                    .and_then(|h| h.strip_prefix("Bearer "))
                    .unwrap();
                match self.svc.user_info(&self.ctx(), bearer) {
                    Ok(claims) => UpstreamResponse::json(&Value::Object(claims)),
                    Err(_) => UpstreamResponse::with_status(401, &json!({})),
                }
            }
            _ => UpstreamResponse::with_status(404, &json!({})),
        })
    }
}

fn attribute(name: &str, value: &str) -> AttributeType {
    AttributeType {
        name: name.into(),
        value: Some(value.into()),
    }
}

/// The pool under test, trusting the provider as the OIDC provider `Corp`.
struct Fixture {
    svc: Cognito,
    idp: Arc<Idp>,
    functions: Arc<Functions>,
    pool: String,
    client: String,
}

fn fixture() -> Fixture {
    fixture_with(LambdaConfigType::default())
}

fn fixture_with(lambda_config: LambdaConfigType) -> Fixture {
    let idp = Idp::new();
    let functions = Arc::new(Functions::default());
    let svc = service()
        .with_upstream(idp.clone())
        .with_lambda(functions.clone());
    let pool = svc
        .create_user_pool(
            &ctx(),
            CreateUserPoolRequest {
                pool_name: "app".into(),
                lambda_config: Some(lambda_config),
                ..Default::default()
            },
        )
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let details = [
        ("client_id", idp.client.clone()),
        ("client_secret", idp.secret.clone()),
        ("authorize_scopes", "openid email profile".into()),
        ("oidc_issuer", idp.issuer()),
    ];
    svc.create_identity_provider(
        &ctx(),
        CreateIdentityProviderRequest {
            user_pool_id: pool.clone(),
            provider_name: "Corp".into(),
            provider_type: IdentityProviderTypeType::Oidc,
            provider_details: details.map(|(k, v)| (k.to_owned(), v)).into(),
            attribute_mapping: Some(
                [
                    ("email", "email"),
                    ("email_verified", "email_verified"),
                    ("name", "name"),
                ]
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .into(),
            ),
            idp_identifiers: None,
            acr_mapping: None,
        },
    )
    .unwrap();
    let client = app_client(&svc, &pool, &["COGNITO", "Corp"]);
    Fixture {
        svc,
        idp,
        functions,
        pool,
        client,
    }
}

fn app_client(svc: &Cognito, pool: &str, providers: &[&str]) -> String {
    svc.create_user_pool_client(
        &ctx(),
        CreateUserPoolClientRequest {
            user_pool_id: pool.into(),
            client_name: "app".into(),
            supported_identity_providers: Some(providers.iter().map(|p| p.to_string()).collect()),
            ..Default::default()
        },
    )
    .unwrap()
    .user_pool_client
    .unwrap()
    .client_id
    .unwrap()
}

impl Fixture {
    fn start_as(&self, provider: &str, client: &str, at: i64) -> Result<String, CognitoError> {
        self.svc.start_federation(
            &ctx_at(at),
            FederationStart {
                pool_id: &self.pool,
                client_id: client,
                provider_name: provider,
                callback_url: CALLBACK,
                acs_url: "https://auth.test/saml2/idpresponse",
                resume: "the authorize request".into(),
            },
        )
    }

    fn start(&self, at: i64) -> String {
        self.start_as("Corp", &self.client, at).unwrap()
    }

    fn finish(&self, at: i64, state: &str, code: &str) -> Result<Federated, FederationError> {
        self.svc.finish_federation(
            &ctx_at(at),
            &self.pool,
            FederationReturn {
                state,
                code: Some(code),
                ..Default::default()
            },
        )
    }

    /// Alice signs in through `provider` at `at`.
    fn sign_in_through(&self, provider: &str, at: i64) -> Result<Federated, FederationError> {
        let url = self.start_as(provider, &self.client, at).unwrap();
        let (state, code) = self.idp.authorize(&url, "alice", None);
        self.finish(at, &state, &code)
    }

    fn sign_in(&self, at: i64) -> Result<Federated, FederationError> {
        self.sign_in_through("Corp", at)
    }

    fn user(&self, username: &str) -> Result<AdminGetUserResponse, CognitoError> {
        self.svc.admin_get_user(
            &ctx(),
            AdminGetUserRequest {
                user_pool_id: self.pool.clone(),
                username: username.into(),
            },
        )
    }

    fn attribute(&self, username: &str, name: &str) -> Option<String> {
        self.user(username)
            .unwrap()
            .user_attributes
            .unwrap_or_default()
            .into_iter()
            .find(|a| a.name == name)
            .and_then(|a| a.value)
    }

    fn user_count(&self) -> usize {
        self.svc
            .pool(&ctx(), &self.pool)
            .unwrap()
            .read()
            .users
            .len()
    }

    fn alice(&self) -> String {
        format!("Corp_{}", self.idp.sub("alice"))
    }
}

#[test]
fn a_new_user_signs_in_and_is_created() {
    let f = fixture();
    let url = f.start(T0);
    let params = form_decode(url.split_once('?').unwrap().1);
    assert!(param(&params, "nonce").is_some_and(|n| n.len() >= 43));
    assert!(param(&params, "state").is_some_and(|s| s.len() >= 43));
    assert_eq!(param(&params, "scope"), Some("openid email profile"));
    let (state, code) = f.idp.authorize(&url, "alice", None);
    let federated = f.finish(T0, &state, &code).unwrap();
    let username = f.alice();
    assert_eq!(
        federated,
        Federated {
            username: username.clone(),
            client_id: f.client.clone(),
            resume: "the authorize request".into(),
        }
    );
    let user = f.user(&username).unwrap();
    assert_eq!(user.user_status, Some(UserStatusType::ExternalProvider));
    assert_eq!(
        f.attribute(&username, "email").as_deref(),
        Some("alice@example.com")
    );
    assert_eq!(
        f.attribute(&username, "email_verified").as_deref(),
        Some("true")
    );
    assert_eq!(f.attribute(&username, "name").as_deref(), Some("Alice"));
    let identities: Value =
        serde_json::from_str(&f.attribute(&username, "identities").unwrap()).unwrap();
    assert_eq!(
        identities,
        json!([{
            "userId": f.idp.sub("alice"),
            "providerName": "Corp",
            "providerType": "OIDC",
            "issuer": null,
            "primary": true,
            "dateCreated": T0 * 1000,
        }])
    );
    // The provider was asked for its configuration, its keys, the tokens and userInfo.
    for path in [
        "/.well-known/openid-configuration",
        "/.well-known/jwks.json",
        "/oauth2/token",
        "/oauth2/userInfo",
    ] {
        assert_eq!(f.idp.requested(path), 1, "{path}");
    }
}

#[test]
fn a_returning_user_is_brought_up_to_date() {
    let f = fixture();
    let first = f.sign_in(T0).unwrap();
    f.idp
        .svc
        .admin_update_user_attributes(
            &ctx(),
            AdminUpdateUserAttributesRequest {
                user_pool_id: f.idp.pool.clone(),
                username: "alice".into(),
                user_attributes: vec![attribute("name", "Alice Liddell")],
                ..Default::default()
            },
        )
        .unwrap();
    let second = f.sign_in(T0 + 60).unwrap();
    assert_eq!(first.username, second.username);
    assert_eq!(f.user_count(), 1);
    assert_eq!(
        f.attribute(&second.username, "name").as_deref(),
        Some("Alice Liddell")
    );
    let user = f.user(&second.username).unwrap();
    assert_eq!(
        user.user_create_date,
        Some(cognito_model::Timestamp::from_secs(T0))
    );
    assert_eq!(
        user.user_last_modified_date,
        Some(cognito_model::Timestamp::from_secs(T0 + 60))
    );
    // The configuration and keys were fetched once.
    assert_eq!(f.idp.requested("/.well-known/openid-configuration"), 1);
    assert_eq!(f.idp.requested("/.well-known/jwks.json"), 1);
    assert_eq!(f.idp.requested("/oauth2/token"), 2);
}

#[test]
fn a_linked_identity_signs_in_as_its_user() {
    let f = fixture();
    f.svc
        .admin_create_user(
            &ctx(),
            AdminCreateUserRequest {
                user_pool_id: f.pool.clone(),
                username: "bob".into(),
                message_action: Some(MessageActionType::Suppress),
                user_attributes: Some(vec![attribute("name", "Bob")]),
                ..Default::default()
            },
        )
        .unwrap();
    let link = |name: &str, attribute: Option<&str>, value: String| ProviderUserIdentifierType {
        provider_name: Some(name.into()),
        provider_attribute_name: attribute.map(Into::into),
        provider_attribute_value: Some(value),
    };
    f.svc
        .admin_link_provider_for_user(
            &ctx(),
            AdminLinkProviderForUserRequest {
                user_pool_id: f.pool.clone(),
                destination_user: link("Cognito", None, "bob".into()),
                source_user: link("Corp", Some("Cognito_Subject"), f.idp.sub("alice")),
            },
        )
        .unwrap();
    let federated = f.sign_in(T0).unwrap();
    assert_eq!(federated.username, "bob");
    assert_eq!(f.attribute("bob", "name").as_deref(), Some("Alice"));
    assert_eq!(
        f.attribute("bob", "email").as_deref(),
        Some("alice@example.com")
    );
    let bob = f.user("bob").unwrap();
    assert_eq!(bob.user_status, Some(UserStatusType::ForceChangePassword));
    assert_eq!(
        f.user(&f.alice()).unwrap_err().kind,
        ErrorKind::UserNotFoundException
    );
}

#[test]
fn pre_sign_up_runs_for_new_users_and_may_refuse() {
    let f = fixture_with(LambdaConfigType {
        pre_sign_up: Some(arn("pre")),
        ..Default::default()
    });
    f.functions
        .set("pre", |_| Err(LambdaError::Function("no outsiders".into())));
    let e = f.sign_in(T0).unwrap_err();
    assert_eq!(e.error.kind, ErrorKind::UserLambdaValidationException);
    assert_eq!(e.error.message, "PreSignUp failed with error no outsiders.");
    assert_eq!(e.resume.as_deref(), Some("the authorize request"));
    assert_eq!(f.user_count(), 0);
    let events = f.svc.invocations().list(|_| true);
    let event = &events.last().unwrap().event;
    assert_eq!(event["triggerSource"], "PreSignUp_ExternalProvider");
    assert_eq!(event["userName"], f.alice().as_str());
    assert_eq!(event["callerContext"]["clientId"], f.client.as_str());
    assert_eq!(
        event["request"]["userAttributes"]["email"],
        "alice@example.com"
    );

    // Accepted, the user is created; returning, it is not asked again.
    f.functions.set("pre", |_| Ok(json!({})));
    f.sign_in(T0).unwrap();
    f.sign_in(T0).unwrap();
    let pre_sign_ups = f
        .svc
        .invocations()
        .list(|i| i.trigger == crate::lambda::Trigger::PreSignUp);
    assert_eq!(pre_sign_ups.len(), 2);
    assert_eq!(f.user_count(), 1);
}

#[test]
fn pre_sign_up_may_verify_the_email() {
    let f = fixture_with(LambdaConfigType {
        pre_sign_up: Some(arn("pre")),
        ..Default::default()
    });
    // Without a mapping of its verification, a mapped email is unverified...
    f.svc
        .update_identity_provider(
            &ctx(),
            UpdateIdentityProviderRequest {
                user_pool_id: f.pool.clone(),
                provider_name: "Corp".into(),
                attribute_mapping: Some([("email".to_owned(), "email".to_owned())].into()),
                ..Default::default()
            },
        )
        .unwrap();
    f.functions.set("pre", |event| {
        assert_eq!(
            event["request"]["userAttributes"]["email_verified"],
            "false"
        );
        Ok(json!({"autoVerifyEmail": true}))
    });
    // ...unless the function verifies it.
    let username = f.sign_in(T0).unwrap().username;
    assert_eq!(
        f.attribute(&username, "email_verified").as_deref(),
        Some("true")
    );
}

#[test]
fn inbound_federation_may_replace_the_providers_attributes() {
    let f = fixture_with(LambdaConfigType {
        inbound_federation: Some(InboundFederationLambdaType {
            lambda_arn: arn("inbound"),
            lambda_version: InboundFederationLambdaVersionType::V10,
        }),
        ..Default::default()
    });
    f.functions.set("inbound", |_| {
        Ok(json!({"userAttributesToMap": {"name": "Renamed", "email": "r@example.com"}}))
    });
    let username = f.sign_in(T0).unwrap().username;
    assert_eq!(f.attribute(&username, "name").as_deref(), Some("Renamed"));
    assert_eq!(
        f.attribute(&username, "email").as_deref(),
        Some("r@example.com")
    );
    // Dropped by the function, the provider's verification maps to nothing: the new
    // email is unverified.
    assert_eq!(
        f.attribute(&username, "email_verified").as_deref(),
        Some("false")
    );
    let events = f.svc.invocations().list(|_| true);
    let event = &events.last().unwrap().event;
    assert_eq!(event["triggerSource"], "InboundFederation_ExternalProvider");
    assert_eq!(event["userName"], username.as_str());
    let request = &event["request"];
    assert_eq!(request["providerName"], "Corp");
    assert_eq!(request["providerType"], "OIDC");
    let attributes = &request["attributes"];
    assert_eq!(attributes["idToken"]["email"], "alice@example.com");
    assert_eq!(attributes["idToken"]["email_verified"], "true");
    assert_eq!(attributes["userInfo"]["name"], "Alice");
    assert_eq!(attributes["tokenResponse"]["token_type"], "Bearer");
    assert!(attributes["tokenResponse"]["access_token"].is_string());

    // An empty answer keeps the provider's attributes.
    f.functions
        .set("inbound", |_| Ok(json!({"userAttributesToMap": {}})));
    f.sign_in(T0 + 1).unwrap();
    assert_eq!(f.attribute(&username, "name").as_deref(), Some("Alice"));
    f.functions
        .set("inbound", |_| Ok(json!({"userAttributesToMap": "x"})));
    let e = f.sign_in(T0 + 2).unwrap_err();
    assert_eq!(e.error.kind, ErrorKind::InvalidLambdaResponseException);
}

fn assert_refused(result: Result<Federated, FederationError>, message: &str) {
    let e = result.unwrap_err();
    assert_eq!(
        (e.error.kind, e.error.message.as_str()),
        (ErrorKind::NotAuthorizedException, message)
    );
    assert_eq!(e.resume.as_deref(), Some("the authorize request"));
}

#[test]
fn an_id_token_with_another_nonce_is_refused() {
    let f = fixture();
    let url = f.start(T0);
    let (state, code) = f.idp.authorize(&url, "alice", Some("another-nonce"));
    assert_refused(f.finish(T0, &state, &code), "Bad id_token nonce");
    assert_eq!(f.user_count(), 0);
}

#[test]
fn an_id_token_for_another_audience_is_refused() {
    let f = fixture();
    let other = Idp::client(&f.idp.svc, &f.idp.pool);
    *f.idp.exchange_as.lock().unwrap() = Some(other.clone());
    let url = f.start(T0);
    // The person signs in at the provider for the other client.
    let params = form_decode(url.split_once('?').unwrap().1);
    let scopes = vec!["openid".to_owned()];
    let code = f
        .idp
        .svc
        .mint_authorization_code(
            &f.idp.ctx(),
            CodeRequest {
                pool_id: &f.idp.pool,
                client_id: &other.0,
                username: "alice",
                redirect_uri: CALLBACK,
                scopes: Some(&scopes),
                challenge: Some((
                    param(&params, "code_challenge").unwrap(),
                    ChallengeMethod::S256,
                )),
                nonce: param(&params, "nonce"),
            },
        )
        .unwrap();
    assert_refused(
        f.finish(T0, param(&params, "state").unwrap(), &code),
        "Bad id_token aud",
    );
}

#[test]
fn an_expired_id_token_is_refused() {
    let f = fixture();
    let url = f.start(T0);
    let (state, code) = f.idp.authorize(&url, "alice", None);
    // The provider's ID tokens last five minutes; the browser comes back after six.
    assert_refused(f.finish(T0 + 6 * 60, &state, &code), "Bad id_token exp");
}

#[test]
fn an_id_token_signed_by_another_key_is_refused() {
    let f = fixture();
    f.idp.forge.store(true, Ordering::SeqCst);
    assert_refused(f.sign_in(T0), "Bad id_token signature");
}

#[test]
fn a_state_works_once_and_for_ten_minutes() {
    let f = fixture();
    let url = f.start(T0);
    let (state, code) = f.idp.authorize(&url, "alice", None);
    f.finish(T0, &state, &code).unwrap();
    let e = f.finish(T0, &state, &code).unwrap_err();
    assert_eq!(e.error.kind, ErrorKind::InvalidParameterException);
    assert_eq!(
        e.error.message,
        "The sign-in's state is unknown, used or expired."
    );
    assert_eq!(e.resume, None);

    let url = f.start(T0);
    let (state, code) = f.idp.authorize(&url, "alice", None);
    let e = f.finish(T0 + 10 * 60, &state, &code).unwrap_err();
    assert_eq!(e.error.kind, ErrorKind::InvalidParameterException);
}

#[test]
fn the_provider_must_exist_and_be_the_clients() {
    let f = fixture();
    let e = f.start_as("Nope", &f.client, T0).unwrap_err();
    assert_eq!(e.kind, ErrorKind::ResourceNotFoundException);
    assert_eq!(e.message, "Identity provider Nope does not exist.");
    let native_only = app_client(&f.svc, &f.pool, &["COGNITO"]);
    let e = f.start_as("Corp", &native_only, T0).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidParameterException);
    assert_eq!(
        e.message,
        "Identity provider Corp is not enabled for the client."
    );
    let e = f.start_as("Corp", "no-such-client", T0).unwrap_err();
    assert_eq!(e.kind, ErrorKind::ResourceNotFoundException);
}

#[test]
fn the_providers_refusal_ends_the_sign_in() {
    let f = fixture();
    let url = f.start(T0);
    let params = form_decode(url.split_once('?').unwrap().1);
    let state = param(&params, "state").unwrap();
    let answer = FederationReturn {
        state,
        code: None,
        error: Some("access_denied"),
        error_description: Some("The person said no."),
    };
    assert_refused(
        f.svc.finish_federation(&ctx(), &f.pool, answer),
        "The identity provider Corp refused the sign-in: The person said no.",
    );
    // The state is used up.
    let e = f
        .svc
        .finish_federation(&ctx(), &f.pool, answer)
        .unwrap_err();
    assert_eq!(e.resume, None);
}

#[test]
fn a_disabled_federated_user_cannot_sign_in() {
    let f = fixture();
    f.sign_in(T0).unwrap();
    f.svc
        .admin_disable_provider_for_user(
            &ctx(),
            AdminDisableProviderForUserRequest {
                user_pool_id: f.pool.clone(),
                user: ProviderUserIdentifierType {
                    provider_name: Some("Corp".into()),
                    provider_attribute_name: Some("Cognito_Subject".into()),
                    provider_attribute_value: Some(f.idp.sub("alice")),
                },
            },
        )
        .unwrap();
    assert_refused(f.sign_in(T0 + 1), "User is disabled.");
}

#[test]
fn an_unreachable_provider_is_named() {
    let f = fixture();
    let svc = service();
    let pool = crate::testing::create_pool(&svc, "lonely").id.unwrap();
    svc.create_identity_provider(
        &ctx(),
        CreateIdentityProviderRequest {
            user_pool_id: pool.clone(),
            provider_name: "Corp".into(),
            provider_type: IdentityProviderTypeType::Oidc,
            provider_details: [
                ("client_id", f.idp.client.clone()),
                ("authorize_scopes", "openid".into()),
                ("oidc_issuer", f.idp.issuer()),
            ]
            .map(|(k, v)| (k.to_owned(), v))
            .into(),
            attribute_mapping: None,
            idp_identifiers: None,
            acr_mapping: None,
        },
    )
    .unwrap();
    let client = app_client(&svc, &pool, &["Corp"]);
    let e = svc
        .start_federation(
            &ctx(),
            FederationStart {
                pool_id: &pool,
                client_id: &client,
                provider_name: "Corp",
                callback_url: CALLBACK,
                acs_url: "https://auth.test/saml2/idpresponse",
                resume: String::new(),
            },
        )
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InternalErrorException);
    assert_eq!(
        e.message,
        "The identity provider Corp could not be used: no outbound HTTP client is configured to reach idp.test"
    );
}

/// Adds the social provider `kind` to `f`'s pool and client, its endpoints moved to the
/// provider of `f`.
fn social(f: &mut Fixture, kind: IdentityProviderTypeType, mapping: &[(&str, &str)]) {
    let endpoints = ProviderEndpoints {
        authorize_url: Some(format!("{IDP}/oauth2/authorize")),
        token_url: Some(format!("{IDP}/oauth2/token")),
        userinfo_url: Some(format!("{IDP}/oauth2/userInfo")),
        jwks_uri: Some(format!("{}/.well-known/jwks.json", f.idp.issuer())),
        issuer: Some(f.idp.issuer()),
    };
    let svc = std::mem::replace(&mut f.svc, service());
    f.svc = svc.with_provider_endpoints(kind, endpoints);
    f.svc
        .create_identity_provider(
            &ctx(),
            CreateIdentityProviderRequest {
                user_pool_id: f.pool.clone(),
                provider_name: kind.as_str().into(),
                provider_type: kind,
                provider_details: [
                    ("client_id", f.idp.client.clone()),
                    ("client_secret", f.idp.secret.clone()),
                    ("authorize_scopes", "openid email profile".into()),
                ]
                .map(|(k, v)| (k.to_owned(), v))
                .into(),
                attribute_mapping: Some(
                    mapping
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                ),
                idp_identifiers: None,
                acr_mapping: None,
            },
        )
        .unwrap();
    f.client = app_client(&f.svc, &f.pool, &["Corp", kind.as_str()]);
}

#[test]
fn google_signs_in_at_the_endpoints_it_was_moved_to() {
    let mut f = fixture();
    social(
        &mut f,
        IdentityProviderTypeType::Google,
        &[("email", "email")],
    );
    let federated = f.sign_in_through("Google", T0).unwrap();
    assert_eq!(federated.username, format!("Google_{}", f.idp.sub("alice")));
    let identities: Value =
        serde_json::from_str(&f.attribute(&federated.username, "identities").unwrap()).unwrap();
    assert_eq!(identities[0]["providerType"], "Google");
    assert_eq!(
        f.attribute(&federated.username, "email").as_deref(),
        Some("alice@example.com")
    );
    // Google gets no PKCE challenge; its ID token is checked all the same.
    assert_eq!(f.idp.requested("/.well-known/jwks.json"), 1);
    assert_eq!(f.idp.requested("/.well-known/openid-configuration"), 0);
}

#[test]
fn a_provider_without_id_tokens_is_read_through_its_profile() {
    let mut f = fixture();
    social(
        &mut f,
        IdentityProviderTypeType::LoginWithAmazon,
        &[("username", "sub"), ("name", "name")],
    );
    let federated = f.sign_in_through("LoginWithAmazon", T0).unwrap();
    assert_eq!(
        federated.username,
        format!("LoginWithAmazon_{}", f.idp.sub("alice"))
    );
    assert_eq!(
        f.attribute(&federated.username, "name").as_deref(),
        Some("Alice")
    );
    assert_eq!(f.idp.requested("/.well-known/jwks.json"), 0);
    assert_eq!(f.idp.requested("/oauth2/userInfo"), 1);
}

#[test]
fn id_tokens_carry_identities_as_cognito_writes_them() {
    let f = fixture();
    let username = f.sign_in(T0).unwrap().username;
    let client = f
        .svc
        .describe_user_pool_client(
            &ctx(),
            DescribeUserPoolClientRequest {
                user_pool_id: f.pool.clone(),
                client_id: f.client.clone(),
            },
        )
        .unwrap()
        .user_pool_client
        .unwrap();
    let claims = f
        .svc
        .store
        .update(&f.pool, |pool| {
            let key = pool.user_key(&username);
            f.svc.prepare_tokens(
                &ctx(),
                pool,
                &key,
                &client,
                crate::ops::auth::tokens::Issue {
                    device_key: None,
                    methods: crate::state::sign_in::Methods::default(),
                    refreshing: None,
                    source: crate::ops::auth::token_triggers::TokenSource::HostedAuth,
                    new_device: false,
                    scopes: None,
                },
            )
        })
        .unwrap()
        .id;
    assert_eq!(
        claims["identities"],
        json!([{
            "userId": f.idp.sub("alice"),
            "providerName": "Corp",
            "providerType": "OIDC",
            "issuer": null,
            "primary": "true",
            "dateCreated": (T0 * 1000).to_string(),
        }])
    );
    assert_eq!(claims["cognito:username"], username.as_str());
}
