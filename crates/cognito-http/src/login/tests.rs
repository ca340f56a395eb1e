//! The managed login end to end through the service over a real Cognito: authorize,
//! the pages' forms and their CSRF tokens, the session cookie, sign-up, forgotten
//! passwords, temporary passwords, sign-out, and the refusals that keep browsers from
//! being sent anywhere else.

use std::sync::Arc;

use http::{HeaderMap, Request};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use super::*;
use crate::{CognitoService, Config};
use cognito_core::Clock as _;

const HOST: &str = "auth-test.auth.us-east-1.amazoncognito.com";
const CALLBACK: &str = "https://app.example.com/cb";
const SIGNED_OUT: &str = "https://app.example.com/bye";

/// Bytes spread over their range, for keys and ids.
#[derive(Default)]
struct Spread(std::sync::atomic::AtomicU64);

impl Random for Spread {
    fn fill(&self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let n = self
                .0
                .fetch_add(0x9E37_79B9_7F4A_7C15, std::sync::atomic::Ordering::Relaxed)
                .to_le_bytes();
            chunk.copy_from_slice(&n[..chunk.len()]);
        }
    }
}

struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The `Set-Cookie` values.
    fn cookies(&self) -> Vec<&str> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    }

    fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    /// The value of hidden field `name` in the page's first form that has it.
    fn hidden(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&marker).expect(name) + marker.len();
        let end = start + self.body[start..].find('"').unwrap();
        self.body[start..end].replace("&amp;", "&")
    }
}

struct Browser {
    service: CognitoService,
    cognito: Arc<Cognito>,
    pool: String,
    client: String,
    /// Cookies kept, `name=value`.
    jar: Vec<String>,
}

impl Browser {
    async fn api(&self, target: &str, body: Value) -> Value {
        let request = Request::post("/")
            .header(
                "x-amz-target",
                format!("AWSCognitoIdentityProviderService.{target}"),
            )
            .header("content-type", "application/x-amz-json-1.1")
            .body(Full::new(Bytes::from(body.to_string())))
            .unwrap();
        let response = self.service.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        assert_eq!(status, StatusCode::OK, "{target}: {value}");
        value
    }

    async fn new() -> Self {
        Self::with_pool(json!({"PoolName": "p", "AutoVerifiedAttributes": ["email"],
               "Schema": [{"Name": "email", "Required": true, "AttributeDataType": "String"}]}))
        .await
    }

    /// A browser at the pages of a pool made by `create` (`CreateUserPool`'s input).
    async fn with_pool(create: Value) -> Self {
        let cognito = Arc::new(Cognito::in_memory(Box::new(Spread::default())));
        let service = CognitoService::new(
            Arc::clone(&cognito),
            crate::testing::sources(),
            Config::default(),
        );
        let mut b = Browser {
            service,
            cognito,
            pool: String::new(),
            client: String::new(),
            jar: Vec::new(),
        };
        let pool = b.api("CreateUserPool", create).await;
        b.pool = pool["UserPool"]["Id"].as_str().unwrap().to_owned();
        b.api(
            "CreateUserPoolDomain",
            json!({"UserPoolId": b.pool, "Domain": "auth-test"}),
        )
        .await;
        let client = b
            .api(
                "CreateUserPoolClient",
                json!({"UserPoolId": b.pool, "ClientName": "web",
                       "AllowedOAuthFlowsUserPoolClient": true,
                       "AllowedOAuthFlows": ["code", "implicit"],
                       "AllowedOAuthScopes": ["openid", "email"],
                       "CallbackURLs": [CALLBACK], "LogoutURLs": [SIGNED_OUT],
                       "SupportedIdentityProviders": ["COGNITO"]}),
            )
            .await;
        b.client = client["UserPoolClient"]["ClientId"]
            .as_str()
            .unwrap()
            .to_owned();
        b
    }

    async fn user(&self, name: &str, permanent: bool) {
        self.api(
            "AdminCreateUser",
            json!({"UserPoolId": self.pool, "Username": name, "TemporaryPassword": "Temp-pass1",
                   "MessageAction": "SUPPRESS",
                   "UserAttributes": [{"Name": "email", "Value": format!("{name}@example.com")},
                                      {"Name": "email_verified", "Value": "true"}]}),
        )
        .await;
        if permanent {
            self.api(
                "AdminSetUserPassword",
                json!({"UserPoolId": self.pool, "Username": name, "Password": "Passw0rd!", "Permanent": true}),
            )
            .await;
        }
    }

    /// A confirmed user of a pool whose users sign in with their email.
    async fn email_user(&self, email: &str) {
        self.api(
            "AdminCreateUser",
            json!({"UserPoolId": self.pool, "Username": email, "MessageAction": "SUPPRESS",
                   "UserAttributes": [{"Name": "email_verified", "Value": "true"}]}),
        )
        .await;
        self.api(
            "AdminSetUserPassword",
            json!({"UserPoolId": self.pool, "Username": email, "Password": "Passw0rd!", "Permanent": true}),
        )
        .await;
    }

    fn query(&self, extra: &str) -> String {
        format!(
            "client_id={}&response_type=code&redirect_uri={}&state=s-1&scope=openid{extra}",
            self.client,
            url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>()
        )
    }

    async fn send(&mut self, method: Method, target: &str, form: &[(&str, &str)]) -> Page {
        let mut request = Request::builder()
            .method(method)
            .uri(target)
            .header("host", HOST);
        if !self.jar.is_empty() {
            request = request.header("cookie", self.jar.join("; "));
        }
        let body = if form.is_empty() {
            String::new()
        } else {
            request = request.header("content-type", "application/x-www-form-urlencoded");
            let mut s = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in form {
                s.append_pair(k, v);
            }
            s.finish()
        };
        let response = self
            .service
            .clone()
            .oneshot(request.body(Full::new(Bytes::from(body))).unwrap())
            .await
            .unwrap();
        let (parts, body) = response.into_parts();
        let page = Page {
            status: parts.status,
            headers: parts.headers,
            body: String::from_utf8(body.collect().await.unwrap().to_bytes().to_vec()).unwrap(),
        };
        for set in page.cookies() {
            let pair = set.split(';').next().unwrap().to_owned();
            let name = pair.split('=').next().unwrap().to_owned();
            self.jar.retain(|c| !c.starts_with(&format!("{name}=")));
            if !pair.ends_with('=') {
                self.jar.push(pair);
            }
        }
        page
    }

    async fn get(&mut self, target: &str) -> Page {
        self.send(Method::GET, target, &[]).await
    }

    /// Posts `form` with the CSRF token of `page`.
    async fn post(&mut self, page: &Page, target: &str, form: &[(&str, &str)]) -> Page {
        let csrf = page.hidden("_csrf");
        let mut fields = vec![("_csrf", csrf.as_str())];
        fields.extend_from_slice(form);
        self.send(Method::POST, target, &fields).await
    }

    /// The code of a redirect to the callback, checking its state.
    fn code_of(&self, page: &Page) -> String {
        let location = page.location();
        assert!(location.starts_with(&format!("{CALLBACK}?")), "{location}");
        let query = location.split_once('?').unwrap().1;
        let fields = parse(query.as_bytes());
        assert_eq!(field(&fields, "state"), Some("s-1"));
        field(&fields, "code").expect("a code").to_owned()
    }

    async fn exchange(&self, code: &str) -> Value {
        let body = format!(
            "grant_type=authorization_code&client_id={}&code={code}&redirect_uri={}",
            self.client,
            url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>()
        );
        let request = Request::post("/oauth2/token")
            .header("host", HOST)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Full::new(Bytes::from(body)))
            .unwrap();
        let response = self.service.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let value: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(status, StatusCode::OK, "{value}");
        value
    }
}

#[tokio::test]
async fn a_password_sign_in_through_the_pages_ends_in_a_code_and_a_session() {
    let mut b = Browser::new().await;
    b.user("ana", true).await;
    let query = b.query("&nonce=n-9");

    let authorize = b.get(&format!("/oauth2/authorize?{query}")).await;
    assert_eq!(authorize.status, StatusCode::FOUND);
    assert_eq!(authorize.location(), format!("/login?{query}"));

    let login = b.get(&format!("/login?{query}")).await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(
        login.body.contains("<form method=\"post\""),
        "{}",
        login.body
    );
    let csrf = login.cookie(CSRF_COOKIE).unwrap();
    assert!(
        csrf.contains("HttpOnly") && csrf.contains("SameSite=Lax"),
        "{csrf}"
    );
    assert!(!csrf.contains("Secure"));
    assert_eq!(
        login.headers.get("x-frame-options").unwrap(),
        "DENY",
        "pages are not framed"
    );

    // A post without the page's token is refused: another site cannot sign anyone in.
    let forged = b
        .send(
            Method::POST,
            &format!("/login?{query}"),
            &[
                ("_csrf", "forged"),
                ("username", "ana"),
                ("password", "Passw0rd!"),
            ],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let wrong = b
        .post(
            &login,
            &format!("/login?{query}"),
            &[("username", "ana"), ("password", "nope")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::OK);
    assert!(wrong.body.contains("Incorrect username or password."));

    let done = b
        .post(
            &login,
            &format!("/login?{query}"),
            &[("username", "ana"), ("password", "Passw0rd!")],
        )
        .await;
    assert_eq!(done.status, StatusCode::FOUND, "{}", done.body);
    let session = done.cookie(SESSION_COOKIE).unwrap();
    assert!(
        session.contains("HttpOnly") && session.contains("Max-Age=3600"),
        "{session}"
    );
    let code = b.code_of(&done);
    let tokens = b.exchange(&code).await;
    let id = tokens["id_token"].as_str().unwrap();
    let (_, claims) = cognito_crypto::jwt::danger_decode_unverified(id).unwrap();
    assert_eq!(claims["nonce"], "n-9");
    assert_eq!(claims["cognito:username"], "ana");

    // Signed in: the next authorization answers at once, unless a new sign-in is asked for.
    let again = b.get(&format!("/oauth2/authorize?{query}")).await;
    assert_ne!(b.code_of(&again), code);
    let forced = b
        .get(&format!("/oauth2/authorize?{query}&prompt=login"))
        .await;
    assert!(
        forced.location().starts_with("/login?"),
        "{}",
        forced.location()
    );

    // Signing out clears the session and goes to a registered sign-out URL only.
    let evil = b
        .get(&format!(
            "/logout?client_id={}&logout_uri=https%3A%2F%2Fevil.example%2F",
            b.client
        ))
        .await;
    assert_eq!(evil.status, StatusCode::BAD_REQUEST);
    assert!(evil.location().is_empty());
    let out = b
        .get(&format!(
            "/logout?client_id={}&logout_uri=https%3A%2F%2Fapp.example.com%2Fbye",
            b.client
        ))
        .await;
    assert_eq!(
        (out.status, out.location()),
        (StatusCode::FOUND, SIGNED_OUT)
    );
    assert!(out.cookie(SESSION_COOKIE).unwrap().contains("Max-Age=0"));
    let after = b
        .get(&format!("/oauth2/authorize?{query}&prompt=none"))
        .await;
    assert!(
        after
            .location()
            .starts_with(&format!("{CALLBACK}?error=login_required")),
        "{}",
        after.location()
    );
}

#[tokio::test]
async fn unregistered_redirects_are_shown_not_followed() {
    let mut b = Browser::new().await;
    let evil = format!(
        "/oauth2/authorize?client_id={}&response_type=code&redirect_uri=https%3A%2F%2Fevil.example%2F",
        b.client
    );
    let page = b.get(&evil).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.location().is_empty());
    assert!(page.body.contains("redirect_mismatch"), "{}", page.body);

    // Other errors go back to the app, with its state.
    let scope = b
        .get(&format!("/oauth2/authorize?{}", b.query("+phone")))
        .await;
    assert_eq!(scope.status, StatusCode::FOUND);
    assert!(scope
        .location()
        .starts_with(&format!("{CALLBACK}?error=invalid_scope")));
    assert!(
        scope.location().ends_with("&state=s-1"),
        "{}",
        scope.location()
    );

    // What the request carries is drawn as text, never as markup.
    let q = b
        .query("")
        .replace("state=s-1", "state=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
    let login = b.get(&format!("/login?{q}")).await;
    assert!(!login.body.contains("<script>"), "{}", login.body);
}

#[tokio::test]
async fn pages_under_a_path_prefix_keep_it_and_the_implicit_grant_uses_the_fragment() {
    let mut b = Browser::new().await;
    b.user("ana", true).await;
    let query = b
        .query("")
        .replace("response_type=code", "response_type=token");
    let login = b.get(&format!("/auth-test/login?{query}")).await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login
        .cookie(CSRF_COOKIE)
        .unwrap()
        .contains("Path=/auth-test"));
    assert!(login.body.contains("action=\"/auth-test/login?"));
    let done = b
        .post(
            &login,
            &format!("/auth-test/login?{query}"),
            &[("username", "ana"), ("password", "Passw0rd!")],
        )
        .await;
    let location = done.location();
    let fragment = location
        .strip_prefix(&format!("{CALLBACK}#"))
        .unwrap_or_else(|| panic!("{location}"));
    let fields = parse(fragment.as_bytes());
    assert!(field(&fields, "access_token").is_some());
    assert!(field(&fields, "id_token").is_some());
    assert!(field(&fields, "refresh_token").is_none());
    assert_eq!(field(&fields, "token_type"), Some("Bearer"));
    assert_eq!(field(&fields, "state"), Some("s-1"));
}

#[tokio::test]
async fn sign_up_confirmation_and_a_forgotten_password_through_the_pages() {
    let mut b = Browser::new().await;
    let query = b.query("");
    let form = b.get(&format!("/signup?{query}")).await;
    assert!(form.body.contains("name=\"attr.email\""), "{}", form.body);
    let mismatch = b
        .post(
            &form,
            &format!("/signup?{query}"),
            &[
                ("username", "cy"),
                ("attr.email", "cy@example.com"),
                ("password", "Passw0rd!"),
                ("confirm", "other"),
            ],
        )
        .await;
    assert!(mismatch.body.contains("The passwords do not match."));
    let confirm = b
        .post(
            &form,
            &format!("/signup?{query}"),
            &[
                ("username", "cy"),
                ("attr.email", "cy@example.com"),
                ("password", "Passw0rd!"),
                ("confirm", "Passw0rd!"),
            ],
        )
        .await;
    assert!(
        confirm.body.contains("Confirm your account"),
        "{}",
        confirm.body
    );
    let code = |b: &Browser| {
        b.cognito
            .pending_codes(crate::testing::FixedClock.now(), Some(&b.pool), Some("cy"))
            .pop()
            .unwrap()
            .code
            .expose()
            .clone()
    };
    let wrong = b
        .post(
            &confirm,
            &format!("/confirm?{query}"),
            &[("username", "cy"), ("code", "000000")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::OK);
    assert!(wrong.body.contains("errorMessage-customizable"));
    let c = code(&b);
    let done = b
        .post(
            &confirm,
            &format!("/confirm?{query}"),
            &[("username", "cy"), ("code", &c)],
        )
        .await;
    b.code_of(&done);

    // Forgotten: a code, then a new password, then a sign-in with it.
    let forgot = b.get(&format!("/forgotPassword?{query}")).await;
    let sent = b
        .post(
            &forgot,
            &format!("/forgotPassword?{query}"),
            &[("username", "cy")],
        )
        .await;
    assert!(sent.body.contains("Reset your password"), "{}", sent.body);
    let c = code(&b);
    let changed = b
        .post(
            &sent,
            &format!("/confirmForgotPassword?{query}"),
            &[
                ("username", "cy"),
                ("code", &c),
                ("password", "Fresh-pass2"),
                ("confirm", "Fresh-pass2"),
            ],
        )
        .await;
    assert!(
        changed.body.contains("Your password was changed."),
        "{}",
        changed.body
    );
    let done = b
        .post(
            &changed,
            &format!("/login?{query}"),
            &[("username", "cy"), ("password", "Fresh-pass2")],
        )
        .await;
    b.code_of(&done);
}

#[tokio::test]
async fn a_temporary_password_is_replaced_on_the_page() {
    let mut b = Browser::new().await;
    b.user("dee", false).await;
    let query = b.query("");
    let login = b.get(&format!("/login?{query}")).await;
    let challenge = b
        .post(
            &login,
            &format!("/login?{query}"),
            &[("username", "dee"), ("password", "Temp-pass1")],
        )
        .await;
    assert!(
        challenge.body.contains("Change your password"),
        "{}",
        challenge.body
    );
    assert_eq!(challenge.hidden("challenge"), "NEW_PASSWORD_REQUIRED");
    let session = challenge.hidden("session");
    let weak = b
        .post(
            &challenge,
            &format!("/challenge?{query}"),
            &[
                ("session", &session),
                ("challenge", "NEW_PASSWORD_REQUIRED"),
                ("password", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert!(
        weak.body.contains("errorMessage-customizable"),
        "{}",
        weak.body
    );
    // The same session takes a better password.
    assert_eq!(weak.hidden("session"), session);
    let done = b
        .post(
            &weak,
            &format!("/challenge?{query}"),
            &[
                ("session", &session),
                ("challenge", "NEW_PASSWORD_REQUIRED"),
                ("password", "Fresh-pass2"),
                ("confirm", "Fresh-pass2"),
            ],
        )
        .await;
    b.code_of(&done);
}

#[tokio::test]
async fn a_passkey_signs_in_on_the_page() {
    use base64::Engine as _;
    use cognito_crypto::webauthn::testing::{Attestation, SoftAuthenticator};
    let unb64 = |s: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s)
            .unwrap()
    };
    let mut b = Browser::new().await;
    b.user("pat", true).await;
    b.api(
        "UpdateUserPool",
        json!({"UserPoolId": b.pool, "AutoVerifiedAttributes": ["email"],
               "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}}}),
    )
    .await;
    b.api(
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": b.pool,
               "WebAuthnConfiguration": {"RelyingPartyId": "localhost", "UserVerification": "preferred"}}),
    )
    .await;
    b.api(
        "UpdateUserPoolClient",
        json!({"UserPoolId": b.pool, "ClientId": b.client, "ClientName": "web",
               "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_AUTH"],
               "AllowedOAuthFlowsUserPoolClient": true,
               "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid", "email"],
               "CallbackURLs": [CALLBACK], "SupportedIdentityProviders": ["COGNITO"]}),
    )
    .await;
    let signed_in = b
        .api(
            "InitiateAuth",
            json!({"ClientId": b.client, "AuthFlow": "USER_PASSWORD_AUTH",
                   "AuthParameters": {"USERNAME": "pat", "PASSWORD": "Passw0rd!"}}),
        )
        .await;
    let access = signed_in["AuthenticationResult"]["AccessToken"].clone();
    let options = b
        .api("StartWebAuthnRegistration", json!({"AccessToken": access}))
        .await;
    let challenge = unb64(
        options["CredentialCreationOptions"]["challenge"]
            .as_str()
            .unwrap(),
    );
    let origin = "http://localhost:9229";
    let mut authenticator = SoftAuthenticator::new(b"pat's key").unwrap();
    let credential = authenticator
        .register("localhost", origin, &challenge, true, Attestation::None)
        .unwrap();
    b.api(
        "CompleteWebAuthnRegistration",
        json!({"AccessToken": access, "Credential": credential}),
    )
    .await;

    let query = b.query("");
    let login = b.get(&format!("/login?{query}")).await;
    assert!(
        login.body.contains("Sign in with a passkey"),
        "{}",
        login.body
    );
    let page = b
        .post(&login, &format!("/passkey?{query}"), &[("username", "pat")])
        .await;
    assert_eq!(page.hidden("challenge"), "WEB_AUTHN");
    // The page's script runs under the nonce its policy names, and no other.
    let policy = page.headers["content-security-policy"].to_str().unwrap();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap();
    assert!(page.body.contains(&format!("<script nonce=\"{nonce}\">")));
    let start = page.body.find("id=\"options\">").unwrap() + "id=\"options\">".len();
    let end = start + page.body[start..].find("</script>").unwrap();
    let options: Value = serde_json::from_str(&page.body[start..end]).unwrap();
    let challenge = unb64(options["challenge"].as_str().unwrap());
    let assertion = authenticator
        .authenticate("localhost", origin, &challenge, true)
        .unwrap();
    let session = page.hidden("session");
    let done = b
        .post(
            &page,
            &format!("/challenge?{query}"),
            &[
                ("session", &session),
                ("challenge", "WEB_AUTHN"),
                ("credential", &assertion.to_string()),
            ],
        )
        .await;
    let tokens = b.exchange(&b.code_of(&done)).await;
    let (_, claims) =
        cognito_crypto::jwt::danger_decode_unverified(tokens["id_token"].as_str().unwrap())
            .unwrap();
    assert_eq!(claims["cognito:username"], "pat");
    assert!(claims["amr"].as_array().unwrap().contains(&json!("hwk")));
}

#[tokio::test]
async fn identity_providers_post_their_answers_without_the_pages_csrf_token() {
    let mut b = Browser::new().await;
    // A SAML response for no sign-in of the pool's: its RelayState is unknown.
    let page = b
        .send(
            Method::POST,
            "/saml2/idpresponse",
            &[
                ("SAMLResponse", "PHJlc3BvbnNlLz4="),
                ("RelayState", "unknown"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(
        page.body
            .contains("Invalid samlResponse or relayState from identity provider"),
        "{}",
        page.body
    );
    // An IdP-initiated response: the RelayState's authorization request is checked and
    // answered; this client names no identity provider to have signed in through.
    let relay_state = b.query("");
    let page = b
        .send(
            Method::POST,
            "/saml2/idpresponse",
            &[
                ("SAMLResponse", "PHJlc3BvbnNlLz4="),
                ("RelayState", &relay_state),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FOUND);
    let location = page.location();
    assert!(location.starts_with(&format!("{CALLBACK}?")), "{location}");
    let fields = parse(location.split_once('?').unwrap().1.as_bytes());
    assert_eq!(field(&fields, "error"), Some("invalid_request"));
    assert_eq!(field(&fields, "state"), Some("s-1"));
    assert!(
        field(&fields, "error_description")
            .is_some_and(|d| d.starts_with("The RelayState names no identity provider")),
        "{location}"
    );
    // Sign in with Apple's form_post answer reaches the same endpoint as a redirect.
    let page = b
        .send(
            Method::POST,
            "/oauth2/idpresponse",
            &[("state", "unknown"), ("code", "c")],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(
        page.body.contains("unknown, used or expired"),
        "{}",
        page.body
    );
    // The SAML endpoint takes posts only.
    let page = b.get("/saml2/idpresponse").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_email_signs_in_where_it_is_the_username_and_a_session_ends_with_its_user() {
    let mut b = Browser::with_pool(json!({"PoolName": "p", "UsernameAttributes": ["email"],
                                          "AutoVerifiedAttributes": ["email"]}))
    .await;
    b.email_user("eve@example.com").await;
    let query = b.query("");
    let login = b.get(&format!("/login?{query}")).await;
    assert!(
        login.body.contains(">Email address</label>"),
        "{}",
        login.body
    );
    let done = b
        .post(
            &login,
            &format!("/login?{query}"),
            &[("username", "eve@example.com"), ("password", "Passw0rd!")],
        )
        .await;
    let tokens = b.exchange(&b.code_of(&done)).await;
    let (_, claims) =
        cognito_crypto::jwt::danger_decode_unverified(tokens["id_token"].as_str().unwrap())
            .unwrap();
    // The pool names the user by its sub; the email is an attribute.
    assert_eq!(claims["cognito:username"], claims["sub"]);
    assert_eq!(claims["email"], "eve@example.com");

    // The browser's session is the user's, not the name's: a user deleted and made again
    // under the same email signs in anew.
    b.api(
        "AdminDeleteUser",
        json!({"UserPoolId": b.pool, "Username": "eve@example.com"}),
    )
    .await;
    b.email_user("eve@example.com").await;
    let again = b.get(&format!("/oauth2/authorize?{query}")).await;
    assert!(
        again.location().starts_with("/login?"),
        "{}",
        again.location()
    );
}
