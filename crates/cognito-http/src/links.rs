//! The links `cognito-core` hands out, made from the address clients reach the server
//! at: this crate owns every URL.

use crate::router::USER_IMPORT_PREFIX;

/// The links for a server reached at `base_url` (such as `http://localhost:9229`):
/// tokens issued by `<issuer_base>/<poolId>` (by default `<base_url>/<poolId>`, where
/// each pool's key set and discovery document are served), and user import jobs'
/// uploads under the route that receives them.
pub fn links(base_url: &str, issuer_base: Option<&str>) -> cognito_core::Links {
    let base = base_url.trim_end_matches('/');
    cognito_core::Links {
        issuer_base: issuer_base
            .unwrap_or(base)
            .trim_end_matches('/')
            .to_string(),
        user_import_base: format!("{base}{}", USER_IMPORT_PREFIX.trim_end_matches('/')),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_and_upload_links() {
        let local = links("http://localhost:9229/", None);
        assert_eq!(local.issuer_base, "http://localhost:9229");
        assert_eq!(
            local.user_import_base,
            "http://localhost:9229/_cognito/user-import"
        );
        let aws = links(
            "http://127.0.0.1:4000",
            Some("https://cognito-idp.{region}.amazonaws.com/"),
        );
        assert_eq!(
            aws.issuer_base,
            "https://cognito-idp.{region}.amazonaws.com"
        );
        assert_eq!(
            aws.user_import_base,
            "http://127.0.0.1:4000/_cognito/user-import"
        );
    }
}
