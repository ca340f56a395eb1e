//! A pool's OpenID Connect discovery document
//! (`/<poolId>/.well-known/openid-configuration`): its issuer, as the backend names it, and
//! the endpoints of this server, at the address the client reached it by.

use http::header::{HeaderMap, HOST};
use serde_json::{json, Value};

use crate::router::JWKS;

/// `http://<Host>` of a request, when it names a host.
pub(crate) fn base_url(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(HOST)?.to_str().ok()?;
    (!host.is_empty()).then(|| format!("http://{host}"))
}

/// The discovery document of pool `pool_id`, whose tokens `issuer` issues, served from
/// `base`.
pub(crate) fn openid_configuration(issuer: &str, base: &str, pool_id: &str) -> Value {
    json!({
        "issuer": issuer,
        "jwks_uri": format!("{base}/{pool_id}{JWKS}"),
        "authorization_endpoint": format!("{base}/oauth2/authorize"),
        "token_endpoint": format!("{base}/oauth2/token"),
        "userinfo_endpoint": format!("{base}/oauth2/userInfo"),
        "end_session_endpoint": format!("{base}/logout"),
        "revocation_endpoint": format!("{base}/oauth2/revoke"),
        "response_types_supported": ["code", "token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_names_the_issuer_and_this_servers_key_set() {
        let mut headers = HeaderMap::new();
        headers.insert(HOST, http::HeaderValue::from_static("127.0.0.1:9229"));
        let base = base_url(&headers).unwrap();
        let doc = openid_configuration("https://issuer.example/us-east-1_a", &base, "us-east-1_a");
        assert_eq!(doc["issuer"], "https://issuer.example/us-east-1_a");
        assert_eq!(
            doc["jwks_uri"],
            "http://127.0.0.1:9229/us-east-1_a/.well-known/jwks.json"
        );
        assert_eq!(base_url(&HeaderMap::new()), None);
    }
}
