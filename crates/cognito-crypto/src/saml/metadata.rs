//! An identity provider's SAML 2.0 metadata (SAML Metadata 2.0): the `EntityDescriptor`
//! (§2.3.2) holding its `IDPSSODescriptor` (§2.4.3), read for what a service provider
//! needs. A document may hold that one entity or an `EntitiesDescriptor` (§2.3.1) with
//! exactly one identity provider in it. The metadata's own signature, if any, is not
//! checked: the administrator hands the document over.

use der::Decode as _;
use roxmltree::Node;
use x509_cert::Certificate;

use super::{
    children, decode_base64, parse, text, SamlError, DSIG, HTTP_POST, HTTP_REDIRECT, METADATA,
    PROTOCOL,
};

/// The longest certificate text Cognito accepts in metadata.
const MAX_CERTIFICATE_CHARS: usize = 4096;

/// One service's endpoints, by the bindings this crate speaks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Endpoints {
    /// The `Location` of the first endpoint with the HTTP-Redirect binding.
    pub redirect: Option<String>,
    /// The `Location` of the first endpoint with the HTTP-POST binding.
    pub post: Option<String>,
}

/// What a service provider knows of an identity provider from its metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdpMetadata {
    /// The `entityID`: what the IdP's assertions name as their `Issuer`.
    pub entity_id: String,
    /// `SingleSignOnService` endpoints (§2.4.3): where authentication requests go.
    pub single_sign_on: Endpoints,
    /// `SingleLogoutService` endpoints (§2.4.2), if any.
    pub single_logout: Endpoints,
    /// DER certificates of the keys the IdP signs with: those of `KeyDescriptor`s whose
    /// `use` is `signing` or absent (§2.4.1.1), in document order.
    pub signing_certificates: Vec<Vec<u8>>,
    /// `WantAuthnRequestsSigned` (§2.4.3).
    pub want_authn_requests_signed: bool,
}

impl IdpMetadata {
    /// Reads an identity provider's metadata document.
    pub fn parse(xml: &str) -> Result<IdpMetadata, SamlError> {
        let document = parse(xml)?;
        let root = document.root_element();
        let entities: Vec<Node<'_, '_>> = if root.has_tag_name((METADATA, "EntitiesDescriptor")) {
            root.descendants()
                .filter(|node| node.has_tag_name((METADATA, "EntityDescriptor")))
                .collect()
        } else if root.has_tag_name((METADATA, "EntityDescriptor")) {
            vec![root]
        } else {
            return Err(SamlError::NoIdentityProvider);
        };
        let mut found = entities.into_iter().flat_map(|entity| {
            children(entity, METADATA, "IDPSSODescriptor")
                .filter(|descriptor| supports_saml2(*descriptor))
                .map(move |descriptor| (entity, descriptor))
        });
        let (Some((entity, descriptor)), None) = (found.next(), found.next()) else {
            return Err(SamlError::NoIdentityProvider);
        };

        let entity_id = entity
            .attribute("entityID")
            .filter(|id| !id.is_empty())
            .ok_or(SamlError::Missing("entityID"))?
            .to_owned();
        let single_sign_on = endpoints(descriptor, "SingleSignOnService")?;
        if single_sign_on.redirect.is_none() && single_sign_on.post.is_none() {
            return Err(SamlError::NoSingleSignOnService);
        }
        let signing_certificates = signing_certificates(descriptor)?;
        if signing_certificates.is_empty() {
            return Err(SamlError::NoSigningCertificate);
        }
        Ok(IdpMetadata {
            entity_id,
            single_sign_on,
            single_logout: endpoints(descriptor, "SingleLogoutService")?,
            signing_certificates,
            // xs:boolean (XML Schema Part 2 §3.2.2): `true` or `1`.
            want_authn_requests_signed: matches!(
                descriptor
                    .attribute("WantAuthnRequestsSigned")
                    .map(str::trim),
                Some("true" | "1")
            ),
        })
    }

    /// Fails when a signing certificate's validity has ended at `now` (epoch
    /// seconds): Cognito refuses such metadata when a provider is configured.
    pub fn check_certificates(&self, now: u64) -> Result<(), SamlError> {
        for der in &self.signing_certificates {
            let certificate = Certificate::from_der(der).map_err(|_| SamlError::Certificate)?;
            let not_after = certificate
                .tbs_certificate
                .validity
                .not_after
                .to_unix_duration();
            if not_after.as_secs() < now {
                return Err(SamlError::CertificateExpired);
            }
        }
        Ok(())
    }
}

/// §2.4.1: `protocolSupportEnumeration` lists SAML 2.0's protocol namespace.
fn supports_saml2(descriptor: Node<'_, '_>) -> bool {
    descriptor
        .attribute("protocolSupportEnumeration")
        .is_some_and(|protocols| {
            protocols
                .split_ascii_whitespace()
                .any(|protocol| protocol == PROTOCOL)
        })
}

/// The first endpoint of each supported binding among the descriptor's `name`
/// children (§2.2.2: `Binding` and `Location` are required).
fn endpoints(descriptor: Node<'_, '_>, name: &'static str) -> Result<Endpoints, SamlError> {
    let mut found = Endpoints::default();
    for endpoint in children(descriptor, METADATA, name) {
        let location = || {
            endpoint
                .attribute("Location")
                .map(str::to_owned)
                .ok_or(SamlError::Missing("Location"))
        };
        match endpoint.attribute("Binding") {
            Some(HTTP_REDIRECT) if found.redirect.is_none() => found.redirect = Some(location()?),
            Some(HTTP_POST) if found.post.is_none() => found.post = Some(location()?),
            _ => {}
        }
    }
    Ok(found)
}

/// The certificates of the descriptor's signing keys (`KeyInfo/X509Data`, XML-DSig
/// Core 1.1 §4.5.4), checked to be DER X.509 certificates.
fn signing_certificates(descriptor: Node<'_, '_>) -> Result<Vec<Vec<u8>>, SamlError> {
    let mut certificates = Vec::new();
    let signing = children(descriptor, METADATA, "KeyDescriptor")
        .filter(|key| matches!(key.attribute("use"), None | Some("signing")));
    for key in signing {
        for key_info in children(key, DSIG, "KeyInfo") {
            for data in children(key_info, DSIG, "X509Data") {
                for certificate in children(data, DSIG, "X509Certificate") {
                    certificates.push(certificate_der(&text(certificate))?);
                }
            }
        }
    }
    Ok(certificates)
}

/// A base64 certificate (line breaks allowed) to its DER bytes.
fn certificate_der(text: &str) -> Result<Vec<u8>, SamlError> {
    if text.chars().filter(|c| !c.is_ascii_whitespace()).count() > MAX_CERTIFICATE_CHARS {
        return Err(SamlError::CertificateTooLong);
    }
    let der = decode_base64(text).ok_or(SamlError::Certificate)?;
    Certificate::from_der(&der).map_err(|_| SamlError::Certificate)?;
    Ok(der)
}
