//! The `AuthnRequest` of an SP-initiated sign-in (SAML Core 2.0 §3.4.1) and its
//! HTTP-Redirect binding (SAML Bindings 2.0 §3.4.4.1). Requests are not signed: an
//! identity provider whose metadata wants them signed is refused.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::c14n::{escape_attribute, escape_text};
use super::{time, IdpMetadata, SamlError, ASSERTION, HTTP_POST, PROTOCOL};

/// RFC 3986 §2.3's unreserved characters stay as they are; everything else is
/// percent-encoded.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The DEFLATE level: any is valid, the IdP inflates whatever it gets.
const DEFLATE_LEVEL: u8 = 6;

/// The `NameIDPolicy` format a request asks for (SAML Core §8.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameIdFormat {
    /// `urn:oasis:names:tc:SAML:2.0:nameid-format:persistent` (§8.3.7).
    Persistent,
    /// `urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified` (§8.3.1).
    Unspecified,
}

impl NameIdFormat {
    /// The format's URI.
    pub fn uri(self) -> &'static str {
        match self {
            NameIdFormat::Persistent => "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
            NameIdFormat::Unspecified => "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
        }
    }
}

/// What the service provider decides about a request.
#[derive(Debug, Clone, Copy)]
pub struct AuthnRequestParams<'a> {
    /// Random bytes for the request's `ID`: 160 bits, as SAML Core §1.3.4 recommends.
    pub id_random: [u8; 20],
    /// `IssueInstant`, epoch seconds.
    pub issue_instant: u64,
    /// The service provider's entity id, the request's `Issuer`; a user pool's is
    /// `urn:amazon:cognito:sp:<userPoolId>`.
    pub sp_entity_id: &'a str,
    /// `AssertionConsumerServiceURL`: where the IdP posts its response.
    pub acs_url: &'a str,
    /// The `NameIDPolicy` format, with `AllowCreate="true"`.
    pub name_id_format: NameIdFormat,
}

/// An unsigned `AuthnRequest`, ready for the HTTP-Redirect binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthnRequest {
    /// The request's `ID`, which the response's `InResponseTo` must name.
    pub id: String,
    /// The request document.
    pub xml: String,
    /// The IdP's HTTP-Redirect single sign-on URL, the request's `Destination`.
    pub destination: String,
}

/// The `AuthnRequest` for a sign-in at this identity provider, asking for the
/// response through the HTTP-POST binding (SAML Profiles §4.1.4.1).
pub fn authn_request(
    idp: &IdpMetadata,
    params: &AuthnRequestParams<'_>,
) -> Result<AuthnRequest, SamlError> {
    if idp.want_authn_requests_signed {
        return Err(SamlError::SignedRequestsUnsupported);
    }
    let destination = idp
        .single_sign_on
        .redirect
        .clone()
        .ok_or(SamlError::NoRedirectBinding)?;
    // An xs:ID is an NCName: it may not start with a digit.
    let id = format!("_{}", hex(&params.id_random));
    let mut xml = format!("<saml2p:AuthnRequest xmlns:saml2p=\"{PROTOCOL}\"");
    for (name, value) in [
        ("AssertionConsumerServiceURL", params.acs_url),
        ("Destination", destination.as_str()),
        ("ID", id.as_str()),
        ("IssueInstant", time::format(params.issue_instant)?.as_str()),
        ("ProtocolBinding", HTTP_POST),
        ("Version", "2.0"),
    ] {
        xml.push(' ');
        xml.push_str(name);
        xml.push_str("=\"");
        escape_attribute(value, &mut xml);
        xml.push('"');
    }
    xml.push_str(&format!("><saml2:Issuer xmlns:saml2=\"{ASSERTION}\">"));
    escape_text(params.sp_entity_id, &mut xml);
    xml.push_str(&format!(
        "</saml2:Issuer><saml2p:NameIDPolicy AllowCreate=\"true\" Format=\"{}\"/></saml2p:AuthnRequest>",
        params.name_id_format.uri()
    ));
    Ok(AuthnRequest {
        id,
        xml,
        destination,
    })
}

impl AuthnRequest {
    /// The URL that carries the request by the HTTP-Redirect binding (SAML Bindings
    /// §3.4.4.1): the request DEFLATE-compressed (RFC 1951, no zlib header), base64 and
    /// URL-encoded as `SAMLRequest`, then `RelayState` if given, after any query the
    /// destination already has. Relay states over the binding's 80 bytes (§3.4.3) are
    /// sent as they are, as Cognito does.
    pub fn redirect_url(&self, relay_state: Option<&str>) -> String {
        let deflated = miniz_oxide::deflate::compress_to_vec(self.xml.as_bytes(), DEFLATE_LEVEL);
        let encoded = STANDARD.encode(deflated);
        let separator = if self.destination.contains('?') {
            '&'
        } else {
            '?'
        };
        let mut url = format!(
            "{}{separator}SAMLRequest={}",
            self.destination,
            utf8_percent_encode(&encoded, QUERY_VALUE)
        );
        if let Some(relay_state) = relay_state {
            url.push_str("&RelayState=");
            url.extend(utf8_percent_encode(relay_state, QUERY_VALUE));
        }
        url
    }
}

/// Lowercase hexadecimal.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
