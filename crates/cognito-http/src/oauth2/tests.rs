use super::*;

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (name, value) in pairs {
        h.append(*name, HeaderValue::from_str(value).unwrap());
    }
    h
}

/// Header names and values.
type Headers<'a> = &'a [(&'static str, &'a str)];

const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");

/// `Basic` credentials for `id` and `secret`, as RFC 6749 §2.3.1 encodes them.
fn basic(raw: &str) -> String {
    // Standard base64 of `raw`, written out so the test does not use the decoder it tests.
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in raw.as_bytes().chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    format!("Basic {out}")
}

#[test]
fn base64_matches_rfc_4648_vectors() {
    for (plain, encoded) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ] {
        assert_eq!(
            base64_decode(encoded).unwrap(),
            plain.as_bytes(),
            "{encoded}"
        );
        assert_eq!(basic(plain), format!("Basic {encoded}"));
    }
    assert_eq!(base64_decode("Zm9v!"), None);
    assert_eq!(base64_decode("Z"), None);
}

#[test]
fn client_secret_post() {
    let r = read_token_request(
        &headers(&[FORM]),
        b"grant_type=client_credentials&client_id=abc&client_secret=s%2Bt+u&scope=orders%2Fread+orders/write",
    )
    .unwrap();
    assert_eq!(r.client_id, "abc");
    assert_eq!(r.client_secret.as_deref(), Some("s+t u"));
    assert_eq!(r.scopes, ["orders/read", "orders/write"]);
    assert!(!r.basic);
    // The secret stays out of debug output.
    assert!(!format!("{r:?}").contains("s+t u"));
}

#[test]
fn client_secret_basic() {
    let auth = basic("abc:s%2Bt+u%3A");
    let r = read_token_request(
        &headers(&[FORM, ("authorization", &auth)]),
        b"grant_type=client_credentials",
    )
    .unwrap();
    assert_eq!(
        (r.client_id.as_str(), r.client_secret.as_deref()),
        ("abc", Some("s+t u:"))
    );
    assert!(r.scopes.is_empty());
    assert!(r.basic);
    // The same client id in the body too is fine; a secret in both is two ways.
    let ok = read_token_request(
        &headers(&[FORM, ("authorization", &auth)]),
        b"grant_type=client_credentials&client_id=abc",
    );
    assert!(ok.is_ok());
    let e = read_token_request(
        &headers(&[FORM, ("authorization", &auth)]),
        b"grant_type=client_credentials&client_id=abc&client_secret=x",
    )
    .unwrap_err();
    assert!(matches!(e, OAuthError::InvalidRequest(_)), "{e:?}");
}

#[test]
fn malformed_requests() {
    let cases: &[(Headers, &str, OAuthError)] = &[
        (
            &[("content-type", "application/json")],
            "grant_type=client_credentials&client_id=a&client_secret=b",
            OAuthError::InvalidRequest(String::new()),
        ),
        (
            &[FORM],
            "client_id=a&client_secret=b",
            OAuthError::InvalidRequest(String::new()),
        ),
        (
            &[FORM],
            "grant_type=client_credentials&grant_type=client_credentials&client_id=a&client_secret=b",
            OAuthError::InvalidRequest(String::new()),
        ),
        (
            &[FORM],
            "grant_type=client_credentials&client_id=a&client_secret=%zz",
            OAuthError::InvalidRequest(String::new()),
        ),
        (
            &[FORM],
            "grant_type=client_credentials&client_id=a",
            OAuthError::InvalidClient { basic: false },
        ),
        (
            &[FORM, ("authorization", "Basic !!!")],
            "grant_type=client_credentials",
            OAuthError::InvalidClient { basic: true },
        ),
        (
            &[FORM],
            "grant_type=implicit&client_id=a&client_secret=b&code=c",
            OAuthError::UnsupportedGrantType,
        ),
        (
            &[FORM],
            "grant_type=password&client_id=a&client_secret=b",
            OAuthError::UnsupportedGrantType,
        ),
    ];
    for (h, body, expected) in cases {
        let e = read_token_request(&headers(h), body.as_bytes()).unwrap_err();
        assert_eq!(
            std::mem::discriminant(&e),
            std::mem::discriminant(expected),
            "{body}: {e:?}"
        );
    }
}

#[test]
fn errors_answer_as_rfc_6749_says() {
    let cases = [
        (
            OAuthError::InvalidClient { basic: true },
            401,
            "invalid_client",
        ),
        (
            OAuthError::InvalidClient { basic: false },
            401,
            "invalid_client",
        ),
        (OAuthError::UnauthorizedClient, 400, "unauthorized_client"),
        (OAuthError::InvalidScope, 400, "invalid_scope"),
        (
            OAuthError::UnsupportedGrantType,
            400,
            "unsupported_grant_type",
        ),
        (
            OAuthError::InvalidRequest("why".into()),
            400,
            "invalid_request",
        ),
        (OAuthError::ServerError, 500, "server_error"),
    ];
    for (error, status, code) in cases {
        let challenged = matches!(error, OAuthError::InvalidClient { basic: true });
        let response = error.into_response();
        assert_eq!(response.status().as_u16(), status, "{code}");
        assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
        assert_eq!(
            response.headers().contains_key(WWW_AUTHENTICATE),
            challenged,
            "{code}"
        );
        let body = futures_body(response);
        assert_eq!(body["error"], code);
    }
}

fn futures_body(response: Response<ResponseBody>) -> Value {
    use http_body_util::BodyExt;
    let bytes = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(response.into_body().collect())
        .unwrap()
        .to_bytes();
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn domains_from_paths_and_hosts() {
    assert_eq!(path_domain("/my-app/oauth2/token"), Some("my-app"));
    assert_eq!(path_domain("/oauth2/token"), None);
    assert_eq!(path_domain("/a/b/oauth2/token"), None);
    assert_eq!(path_domain("/my-app/oauth2/revoke"), Some("my-app"));
    assert_eq!(path_domain("/my-app/oauth2/userInfo"), Some("my-app"));
    assert_eq!(path_domain("/my-app/oauth2/other"), None);
    assert_eq!(endpoint_of("/oauth2/token"), Some(Endpoint::Token));
    assert_eq!(endpoint_of("/d/oauth2/revoke"), Some(Endpoint::Revoke));
    assert_eq!(endpoint_of("/oauth2/userInfo"), Some(Endpoint::UserInfo));
    assert_eq!(endpoint_of("/oauth2/userinfo"), None);
    assert_eq!(
        host_domain("my-app.auth.eu-west-1.amazoncognito.com"),
        Some(DomainName {
            region: Some("eu-west-1"),
            name: "my-app"
        })
    );
    assert_eq!(
        host_domain("my-app.auth.eu-west-1.amazoncognito.com:9229"),
        Some(DomainName {
            region: Some("eu-west-1"),
            name: "my-app"
        })
    );
    assert_eq!(
        host_domain("auth.example.com:443"),
        Some(DomainName {
            region: None,
            name: "auth.example.com"
        })
    );
    assert_eq!(host_domain(""), None);
    // A path prefix names a domain (it wins over the host); a bare path names none.
    assert_eq!(path_domain("/my-app/oauth2/token"), Some("my-app"));
    assert_eq!(path_domain("/oauth2/token"), None);
}

#[test]
fn token_endpoints_at_the_address_used() {
    assert_eq!(
        domain_url(
            "http://127.0.0.1:9229",
            Some("127.0.0.1:9229"),
            "my-app",
            Endpoint::Token.path()
        ),
        "http://127.0.0.1:9229/my-app/oauth2/token"
    );
    assert_eq!(
        domain_url(
            "http://my-app.auth.us-east-1.amazoncognito.com:9229",
            Some("my-app.auth.us-east-1.amazoncognito.com:9229"),
            "my-app",
            Endpoint::UserInfo.path()
        ),
        "http://my-app.auth.us-east-1.amazoncognito.com:9229/oauth2/userInfo"
    );
    assert_eq!(
        domain_url(
            "http://auth.example.com",
            Some("auth.example.com"),
            "auth.example.com",
            Endpoint::Revoke.path()
        ),
        "http://auth.example.com/oauth2/revoke"
    );
}

#[test]
fn authorization_code_and_refresh_token_requests() {
    let r = read_token_request(
        &headers(&[FORM]),
        b"grant_type=authorization_code&client_id=pub&code=c%2B1&redirect_uri=https%3A%2F%2Fapp%2Fcb&code_verifier=v",
    )
    .unwrap();
    assert_eq!(r.client_id, "pub");
    assert_eq!(r.client_secret, None);
    assert!(
        r.grant
            == Grant::AuthorizationCode {
                code: "c+1".into(),
                redirect_uri: Some("https://app/cb".into()),
                code_verifier: Some("v".into()),
            }
    );
    let auth = basic("abc:secret");
    let r = read_token_request(
        &headers(&[FORM, ("authorization", &auth)]),
        b"grant_type=refresh_token&refresh_token=rt",
    )
    .unwrap();
    assert_eq!(r.client_secret.as_deref(), Some("secret"));
    assert!(r.grant == Grant::RefreshToken("rt".into()));
    assert!(!format!("{r:?}").contains("rt\""));
    let cases: &[(&str, OAuthError)] = &[
        (
            "grant_type=authorization_code&client_id=a",
            OAuthError::InvalidRequest(String::new()),
        ),
        (
            "grant_type=refresh_token&client_id=a",
            OAuthError::InvalidRequest(String::new()),
        ),
        (
            "grant_type=refresh_token&refresh_token=x",
            OAuthError::InvalidClient { basic: false },
        ),
    ];
    for (body, expected) in cases {
        let e = read_token_request(&headers(&[FORM]), body.as_bytes()).unwrap_err();
        assert_eq!(
            std::mem::discriminant(&e),
            std::mem::discriminant(expected),
            "{body}: {e:?}"
        );
    }
}

#[test]
fn revoke_and_user_info_requests() {
    let r = read_revoke_request(&headers(&[FORM]), b"token=t&client_id=pub").unwrap();
    assert_eq!((r.token.as_str(), r.client_id.as_str()), ("t", "pub"));
    assert!(read_revoke_request(&headers(&[FORM]), b"client_id=pub").is_err());
    let h = headers(&[("authorization", "Bearer abc.def")]);
    assert_eq!(bearer_token(&h).unwrap(), "abc.def");
    for bad in [&[][..], &[("authorization", "Basic abc")][..]] {
        let e = bearer_token(&headers(bad)).unwrap_err();
        let response = e.into_response();
        assert_eq!(response.status().as_u16(), 401);
        assert_eq!(
            response.headers()[WWW_AUTHENTICATE],
            "Bearer error=\"invalid_token\""
        );
        assert_eq!(futures_body(response)["error"], "invalid_token");
    }
    let response = OAuthError::InvalidGrant.into_response();
    assert_eq!(response.status().as_u16(), 400);
    assert_eq!(futures_body(response)["error"], "invalid_grant");
}

#[test]
fn backends_without_cognito_grant_nothing() {
    let ctx = RequestContext {
        region: "us-east-1".into(),
        account_id: "123456789012".into(),
        now: cognito_model::Timestamp::from_secs(1_700_000_000),
        aws_sdk_version: None,
    };
    let pool = "us-east-1_a";
    let form = headers(&[FORM]);
    let exchange = format!("{EXCHANGE}&client_id=c&subject_token=t&subject_token_type={ACCESS}");
    let bearer = headers(&[("authorization", "Bearer abc.def")]);
    let refused: [(Endpoint, &HeaderMap, &[u8]); 6] = [
        (
            Endpoint::Token,
            &form,
            b"grant_type=client_credentials&client_id=c&client_secret=s",
        ),
        (
            Endpoint::Token,
            &form,
            b"grant_type=authorization_code&client_id=c&code=x",
        ),
        (
            Endpoint::Token,
            &form,
            b"grant_type=refresh_token&client_id=c&refresh_token=r",
        ),
        (Endpoint::Token, &form, exchange.as_bytes()),
        (Endpoint::Revoke, &form, b"token=r&client_id=c"),
        (Endpoint::UserInfo, &bearer, b""),
    ];
    for (endpoint, headers, body) in refused {
        let response = answer(None, &ctx, pool, endpoint, headers, body);
        let status = response.status().as_u16();
        let challenge = response.headers().get(WWW_AUTHENTICATE).cloned();
        let body = futures_body(response);
        let what = format!("{endpoint:?} {body}");
        if endpoint == Endpoint::UserInfo {
            assert_eq!(status, 401, "{what}");
            assert_eq!(challenge.unwrap(), "Bearer error=\"invalid_token\"");
            assert_eq!(body["error"], "invalid_token", "{what}");
            assert_eq!(body["error_description"], "Invalid Access Token", "{what}");
        } else {
            assert_eq!(status, 400, "{what}");
            assert_eq!(challenge, None, "{what}");
            assert_eq!(body["error"], "invalid_request", "{what}");
            assert_eq!(
                body["error_description"], "User pool us-east-1_a does not exist.",
                "{what}"
            );
        }
    }
    // The request is read first: what is wrong with it is answered as from any backend.
    for (endpoint, headers, body, error, description) in [
        (
            Endpoint::Token,
            &form,
            &b"grant_type=password&client_id=c"[..],
            "unsupported_grant_type",
            Value::Null,
        ),
        (
            Endpoint::Revoke,
            &form,
            b"client_id=c",
            "invalid_request",
            json!("token is missing."),
        ),
        (
            Endpoint::UserInfo,
            &form,
            b"",
            "invalid_token",
            json!("Access token is missing."),
        ),
    ] {
        let body = futures_body(answer(None, &ctx, pool, endpoint, headers, body));
        assert_eq!(body["error"], error, "{endpoint:?}");
        assert_eq!(body["error_description"], description, "{endpoint:?}");
    }
}

const EXCHANGE: &str = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange";
const ACCESS: &str = "urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token";
const ID: &str = "urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aid_token";

#[test]
fn token_exchange_requests() {
    let body = format!(
        "{EXCHANGE}&client_id=agent&client_secret=s&subject_token=sub.tok.en\
         &subject_token_type={ACCESS}&actor_token=act.tok.en&actor_token_type={ID}\
         &requested_token_type={ID}&audience=a1&audience=a2&resource=orders&scope=orders%2Fread+openid"
    );
    let r = read_token_request(&headers(&[FORM]), body.as_bytes()).unwrap();
    let Grant::TokenExchange(exchange) = &r.grant else {
        panic!("{r:?}");
    };
    assert_eq!(
        exchange.subject,
        ("sub.tok.en".into(), TokenTypeIdentifierType::AccessToken)
    );
    assert_eq!(
        exchange.actor,
        Some(("act.tok.en".into(), TokenTypeIdentifierType::IdToken))
    );
    assert_eq!(
        exchange.requested,
        Some(IssuedTokenTypeIdentifierType::IdToken)
    );
    // Repeated, as RFC 8693 §2.1 allows; core decides how many it takes.
    assert_eq!(exchange.audiences, ["a1", "a2"]);
    assert_eq!(exchange.resources, ["orders"]);
    let shown = format!("{r:?}");
    assert!(
        shown.contains("token-exchange") && !shown.contains("sub.tok.en"),
        "{shown}"
    );

    let client = ClientAuth {
        client_id: &r.client_id,
        secret: r.client_secret.as_deref(),
    };
    let core = derived_token_request(client, &r.scopes, exchange);
    assert_eq!(core.subject.token, "sub.tok.en");
    assert_eq!(core.subject.provider, None);
    assert_eq!(
        core.actor.map(|a| a.kind),
        Some(TokenTypeIdentifierType::IdToken)
    );
    assert_eq!(
        core.scopes,
        Some(&["orders/read".to_string(), "openid".into()][..])
    );

    let cases: &[(String, OAuthError)] = &[
        (
            format!("{EXCHANGE}&client_id=a&subject_token=t"),
            OAuthError::InvalidRequest(String::new()),
        ),
        (
            format!("{EXCHANGE}&client_id=a&subject_token_type={ACCESS}"),
            OAuthError::InvalidRequest(String::new()),
        ),
        (
            format!("{EXCHANGE}&client_id=a&subject_token=t&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Ajwt"),
            OAuthError::InvalidRequest(String::new()),
        ),
        (
            format!("{EXCHANGE}&client_id=a&subject_token=t&subject_token_type={ACCESS}&actor_token=x"),
            OAuthError::InvalidRequest(String::new()),
        ),
        (
            format!("{EXCHANGE}&client_id=a&subject_token=t&subject_token_type={ACCESS}&actor_token_type={ACCESS}"),
            OAuthError::InvalidRequest(String::new()),
        ),
        (
            format!("{EXCHANGE}&client_id=a&subject_token=t&subject_token_type={ACCESS}&requested_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Asaml2"),
            OAuthError::InvalidRequest(String::new()),
        ),
        (
            format!("{EXCHANGE}&client_id=a&subject_token=t&subject_token=u&subject_token_type={ACCESS}"),
            OAuthError::InvalidRequest(String::new()),
        ),
        (
            format!("{EXCHANGE}&subject_token=t&subject_token_type={ACCESS}"),
            OAuthError::InvalidClient { basic: false },
        ),
    ];
    for (body, expected) in cases {
        let e = read_token_request(&headers(&[FORM]), body.as_bytes()).unwrap_err();
        assert_eq!(
            std::mem::discriminant(&e),
            std::mem::discriminant(expected),
            "{body}: {e:?}"
        );
    }
}

#[test]
fn token_exchange_answers_as_rfc_8693_says() {
    let access = DerivedToken {
        token: "a.b.c".into(),
        kind: IssuedTokenTypeIdentifierType::AccessToken,
        expires_in: 1800,
        scopes: Some(vec!["orders/read".into(), "openid".into()]),
    };
    let response = exchange_response(&access);
    assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
    assert_eq!(
        futures_body(response),
        json!({
            "access_token": "a.b.c",
            "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
            "token_type": "Bearer",
            "expires_in": 1800,
            "scope": "orders/read openid",
        })
    );
    let id = DerivedToken {
        kind: IssuedTokenTypeIdentifierType::IdToken,
        scopes: None,
        ..access
    };
    assert_eq!(
        futures_body(exchange_response(&id)),
        json!({
            "access_token": "a.b.c",
            "issued_token_type": "urn:ietf:params:oauth:token-type:id_token",
            "token_type": "N_A",
            "expires_in": 1800,
        })
    );

    let refused = |e| OAuthError::from_exchange(e, true);
    let not_authorized = || {
        cognito_model::CognitoError::new(ErrorKind::NotAuthorizedException, "Invalid Access Token")
    };
    let cases = [
        (
            refused(DerivedTokenError::UnknownClient("c".into())),
            401,
            "invalid_client",
        ),
        (
            refused(DerivedTokenError::BadSecret("s".into())),
            401,
            "invalid_client",
        ),
        (
            refused(DerivedTokenError::NotEnabled("n".into())),
            400,
            "unauthorized_client",
        ),
        (
            refused(DerivedTokenError::InvalidRequest("r".into())),
            400,
            "invalid_request",
        ),
        (
            refused(DerivedTokenError::InvalidToken(not_authorized())),
            400,
            "invalid_request",
        ),
        (
            refused(DerivedTokenError::InvalidScope("s".into())),
            400,
            "invalid_scope",
        ),
        (
            refused(DerivedTokenError::InvalidTarget("t".into())),
            400,
            "invalid_target",
        ),
    ];
    for (error, status, code) in cases {
        let response = error.into_response();
        assert_eq!(response.status().as_u16(), status, "{code}");
        assert_eq!(futures_body(response)["error"], code);
    }
    // The description says which token failed and why.
    let e = refused(DerivedTokenError::InvalidToken(not_authorized()));
    assert_eq!(
        futures_body(e.into_response())["error_description"],
        "Invalid Access Token"
    );
}
