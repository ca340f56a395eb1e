//! A pool's OpenID Connect discovery document
//! (`/<poolId>/.well-known/openid-configuration`): its issuer, as the backend names it, the
//! key set of this server, at the address the client reached it by, and how its tokens
//! are signed.
//!
//! The document advertises only what this server serves: for a pool with a domain, the
//! token, `userInfo` and revocation endpoints (`oauth2`), the grants the token endpoint
//! takes and how clients authenticate to it, at the address the client used (the domain
//! itself, or its path prefix on the server's address). Cognito's also names the
//! managed login's endpoints (`authorization_endpoint`, `end_session_endpoint`) and
//! what they take (`response_types_supported`, `scopes_supported`); they join the
//! document with the sign-in pages.

use http::header::{HeaderMap, HOST};
use serde_json::{json, Value};

use crate::router::JWKS;

/// `http://<Host>` of a request, when it names a host; `https://` for one that came
/// over TLS.
pub(crate) fn base_url(headers: &HeaderMap, https: bool) -> Option<String> {
    let host = headers.get(HOST)?.to_str().ok()?;
    let scheme = if https { "https" } else { "http" };
    (!host.is_empty()).then(|| format!("{scheme}://{host}"))
}

/// The OAuth 2.0 endpoints of a pool's domain, as a client reaches them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DomainEndpoints {
    pub(crate) authorization: String,
    pub(crate) end_session: String,
    pub(crate) token: String,
    pub(crate) userinfo: String,
    pub(crate) revocation: String,
}

/// The discovery document of pool `pool_id`, whose tokens `issuer` issues, served from
/// `base`; with the endpoints of the pool's domain, when it has one.
pub(crate) fn openid_configuration(
    issuer: &str,
    base: &str,
    pool_id: &str,
    endpoints: Option<&DomainEndpoints>,
) -> Value {
    let mut doc = serde_json::Map::new();
    doc.insert("issuer".into(), json!(issuer));
    doc.insert("jwks_uri".into(), json!(format!("{base}/{pool_id}{JWKS}")));
    doc.insert("subject_types_supported".into(), json!(["public"]));
    doc.insert(
        "id_token_signing_alg_values_supported".into(),
        json!(["RS256"]),
    );
    if let Some(endpoints) = endpoints {
        doc.insert(
            "authorization_endpoint".into(),
            json!(endpoints.authorization),
        );
        doc.insert("end_session_endpoint".into(), json!(endpoints.end_session));
        doc.insert("response_types_supported".into(), json!(["code", "token"]));
        doc.insert(
            "scopes_supported".into(),
            json!(["openid", "email", "phone", "profile"]),
        );
        doc.insert("token_endpoint".into(), json!(endpoints.token));
        doc.insert(
            "token_endpoint_auth_methods_supported".into(),
            json!(["client_secret_basic", "client_secret_post", "none"]),
        );
        doc.insert(
            "grant_types_supported".into(),
            json!([
                "authorization_code",
                "refresh_token",
                "client_credentials",
                "urn:ietf:params:oauth:grant-type:token-exchange"
            ]),
        );
        doc.insert(
            "code_challenge_methods_supported".into(),
            json!(["S256", "plain"]),
        );
        doc.insert("userinfo_endpoint".into(), json!(endpoints.userinfo));
        doc.insert("revocation_endpoint".into(), json!(endpoints.revocation));
        doc.insert(
            "revocation_endpoint_auth_methods_supported".into(),
            json!(["client_secret_basic", "client_secret_post", "none"]),
        );
    }
    Value::Object(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_names_the_issuer_and_this_servers_key_set() {
        let mut headers = HeaderMap::new();
        headers.insert(HOST, http::HeaderValue::from_static("127.0.0.1:9229"));
        let base = base_url(&headers, false).unwrap();
        let doc = openid_configuration(
            "https://issuer.example/us-east-1_a",
            &base,
            "us-east-1_a",
            None,
        );
        assert_eq!(doc["issuer"], "https://issuer.example/us-east-1_a");
        assert_eq!(
            doc["jwks_uri"],
            "http://127.0.0.1:9229/us-east-1_a/.well-known/jwks.json"
        );
        assert_eq!(doc["subject_types_supported"], json!(["public"]));
        assert_eq!(
            doc["id_token_signing_alg_values_supported"],
            json!(["RS256"])
        );
        assert_eq!(base_url(&HeaderMap::new(), false), None);
        assert_eq!(
            base_url(&headers, true).as_deref(),
            Some("https://127.0.0.1:9229")
        );
    }

    /// The document names no endpoint this server does not serve.
    #[test]
    fn document_advertises_only_what_is_served() {
        let doc = openid_configuration(
            "http://localhost:9229/us-east-1_a",
            "http://localhost:9229",
            "us-east-1_a",
            None,
        );
        let mut fields: Vec<&str> = doc
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        fields.sort_unstable();
        assert_eq!(
            fields,
            [
                "id_token_signing_alg_values_supported",
                "issuer",
                "jwks_uri",
                "subject_types_supported"
            ]
        );
    }

    /// A pool with a domain names its endpoints, at the address the client used.
    #[test]
    fn a_pool_with_a_domain_names_its_endpoints() {
        let at = |path: &str| format!("http://localhost:9229/my-app/oauth2/{path}");
        let doc = openid_configuration(
            "http://localhost:9229/us-east-1_a",
            "http://localhost:9229",
            "us-east-1_a",
            Some(&DomainEndpoints {
                authorization: at("authorize"),
                end_session: "http://localhost:9229/my-app/logout".into(),
                token: at("token"),
                userinfo: at("userInfo"),
                revocation: at("revoke"),
            }),
        );
        assert_eq!(doc["token_endpoint"], at("token").as_str());
        assert_eq!(doc["userinfo_endpoint"], at("userInfo").as_str());
        assert_eq!(doc["revocation_endpoint"], at("revoke").as_str());
        assert_eq!(
            doc["token_endpoint_auth_methods_supported"],
            json!(["client_secret_basic", "client_secret_post", "none"])
        );
        assert_eq!(
            doc["grant_types_supported"],
            json!([
                "authorization_code",
                "refresh_token",
                "client_credentials",
                "urn:ietf:params:oauth:grant-type:token-exchange"
            ])
        );
        assert_eq!(doc["authorization_endpoint"], at("authorize").as_str());
        assert_eq!(
            doc["end_session_endpoint"],
            "http://localhost:9229/my-app/logout"
        );
        assert_eq!(doc["response_types_supported"], json!(["code", "token"]));
    }
}
