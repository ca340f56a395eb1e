//! SAML 2.0 for a service provider, as a user pool federating with a SAML identity
//! provider is one:
//!
//! - [`IdpMetadata::parse`]: what the service provider needs from the IdP's metadata
//!   (SAML Metadata 2.0 §2.3.2, §2.4.3): its entity id, its single sign-on and logout
//!   endpoints by binding, its signing certificates and whether it wants signed
//!   requests.
//! - [`authn_request`]: an unsigned `AuthnRequest` (SAML Core 2.0 §3.4.1) for an
//!   SP-initiated sign-in, and [`AuthnRequest::redirect_url`], its HTTP-Redirect binding
//!   (SAML Bindings 2.0 §3.4.4.1). An IdP whose metadata wants signed requests is
//!   refused: requests are not signed.
//! - [`verify_response`]: a `Response` received through the HTTP-POST binding (SAML
//!   Bindings 2.0 §3.5.4), its XML signatures verified as XML-DSig Core 1.1 §3.2 and
//!   SAML Core 2.0 §5.4 say, then its assertion checked as the Web Browser SSO profile
//!   requires (SAML Profiles 2.0 §4.1.4.2–§4.1.4.3): issuer, destination and recipient,
//!   audience, validity window, `InResponseTo`.
//!
//! Signatures are RSA with SHA-1, SHA-256 or SHA-512 and ECDSA P-256 with SHA-256, over
//! SHA-1, SHA-256 or SHA-512 digests; the one canonicalization accepted is the one SAML
//! Core §5.4.3 recommends, Exclusive XML Canonicalization 1.0, with or without comments.
//! Encrypted assertions, identifiers and attributes are refused as not supported.
//!
//! What is the caller's: the request ids it issued and which of them a response may
//! answer (it gets back the `InResponseTo` it passed), remembering assertion ids until
//! they expire to refuse replays (SAML Profiles §4.1.4.5), and the clock: time comes in
//! as epoch seconds, the randomness of request ids as bytes. Documents are parsed with
//! `roxmltree`, which refuses document type declarations and so entities.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use roxmltree::{Document, Node, ParsingOptions};

mod c14n;
mod dsig;
mod metadata;
mod request;
mod response;
mod time;

#[cfg(test)]
mod tests;

pub use metadata::{Endpoints, IdpMetadata};
pub use request::{authn_request, AuthnRequest, AuthnRequestParams, NameIdFormat};
pub use response::{verify_response, Assertion, Expectations, CLOCK_SKEW_SECONDS};

/// The SAML 2.0 assertion namespace (SAML Core §2.1).
const ASSERTION: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
/// The SAML 2.0 protocol namespace (SAML Core §3.1).
const PROTOCOL: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
/// The SAML 2.0 metadata namespace (SAML Metadata §2.1).
const METADATA: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
/// The XML-DSig namespace (XML-DSig Core 1.1 §4).
const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
/// The HTTP-Redirect binding (SAML Bindings §3.4.1).
const HTTP_REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
/// The HTTP-POST binding (SAML Bindings §3.5.1).
const HTTP_POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";

/// Why SAML metadata, a request or a response was refused. Each variant names the
/// check that failed; the messages are fit to show the user pool's administrator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SamlError {
    /// The message is not base64 (SAML Bindings §3.5.4).
    #[error("the SAML response is not base64")]
    Base64,
    /// The document is not well-formed XML.
    #[error("the SAML document is not well-formed XML: {0}")]
    Xml(String),
    /// The document has a document type declaration; none is allowed (SAML Core §1.3).
    #[error("the SAML document has a DTD, which is not allowed")]
    Dtd,
    /// A required element or attribute is missing or appears more than once.
    #[error("the SAML document has no single {0}")]
    Missing(&'static str),
    /// The metadata describes no SAML 2.0 identity provider, or more than one.
    #[error("the metadata does not describe exactly one SAML 2.0 identity provider")]
    NoIdentityProvider,
    /// The metadata offers no single sign-on endpoint with a supported binding.
    #[error("the metadata has no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding")]
    NoSingleSignOnService,
    /// The identity provider has no HTTP-Redirect single sign-on endpoint to send a
    /// request to.
    #[error("the identity provider has no SingleSignOnService with the HTTP-Redirect binding")]
    NoRedirectBinding,
    /// The metadata has no certificate usable for signing.
    #[error("the metadata has no signing certificate")]
    NoSigningCertificate,
    /// A signing certificate in the metadata is not an X.509 certificate.
    #[error("a signing certificate in the metadata is not a valid X.509 certificate")]
    Certificate,
    /// A signing certificate's text is longer than Cognito accepts.
    #[error("a signing certificate in the metadata is longer than 4096 characters")]
    CertificateTooLong,
    /// A signing certificate has expired.
    #[error("a signing certificate in the metadata has expired")]
    CertificateExpired,
    /// The identity provider wants signed requests (`WantAuthnRequestsSigned`).
    #[error(
        "the identity provider requires signed authentication requests, which are not supported"
    )]
    SignedRequestsUnsupported,
    /// The document is not a SAML 2.0 `Response`.
    #[error("the document is not a SAML 2.0 Response")]
    NotAResponse,
    /// The identity provider answered with a status other than success (SAML Core
    /// §3.2.2.2).
    #[error("the identity provider answered {code}{}", message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    Status {
        /// The top-level status code, with the second-level one after a `/` if any.
        code: String,
        /// The `StatusMessage`, if any.
        message: Option<String>,
    },
    /// The response carries an encrypted element (SAML Core §2.2.4, §2.3.4, §2.7.3.2):
    /// an assertion, the subject's identifier or an attribute.
    #[error("encrypted {0} elements are not supported")]
    Encrypted(&'static str),
    /// The response holds no assertion, or more than one.
    #[error("the response must hold exactly one assertion, not {0}")]
    AssertionCount(usize),
    /// Two elements share an `ID` (SAML Core §1.3.4), which makes references ambiguous.
    #[error("the ID {0} appears more than once")]
    DuplicateId(String),
    /// Neither the response nor its assertion is signed.
    #[error("neither the SAML response nor its assertion is signed")]
    Unsigned,
    /// An XML signature lacks a part or has one twice (XML-DSig Core 1.1 §4).
    #[error("the XML signature is malformed: {0}")]
    MalformedSignature(&'static str),
    /// An algorithm named in a signature is not one this verifier accepts.
    #[error("the algorithm {0} is not supported")]
    UnsupportedAlgorithm(String),
    /// A signature's `Reference` does not point at the element that holds the signature
    /// (SAML Core §5.4.2).
    #[error("the signature does not reference the element that contains it")]
    ReferenceMismatch,
    /// The signed element's digest differs from the signature's: it was changed.
    #[error("the digest of the signed element does not match the signature")]
    DigestMismatch,
    /// The signature verifies with none of the identity provider's certificates.
    #[error("the signature is invalid for the identity provider's signing certificates")]
    SignatureInvalid,
    /// The `Issuer` is not the identity provider's entity id.
    #[error("the issuer {0} is not the identity provider")]
    IssuerMismatch(String),
    /// The response's `Destination` is not the assertion consumer service.
    #[error("the response's Destination {0} is not the assertion consumer service URL")]
    DestinationMismatch(String),
    /// No bearer `SubjectConfirmation` names the assertion consumer service.
    #[error("the subject confirmation's Recipient {0} is not the assertion consumer service URL")]
    RecipientMismatch(String),
    /// The assertion has no bearer `SubjectConfirmation` (SAML Profiles §4.1.4.2).
    #[error("the assertion has no bearer subject confirmation")]
    NoBearerConfirmation,
    /// The assertion is not addressed to this service provider.
    #[error("the assertion's audience does not include this service provider")]
    AudienceMismatch,
    /// The assertion is not valid yet.
    #[error("the assertion is not valid yet")]
    NotYetValid,
    /// The assertion has expired.
    #[error("the assertion has expired")]
    Expired,
    /// The response answers another request than the one expected.
    #[error("the response answers request {0}, not the one sent")]
    InResponseToMismatch(String),
    /// The response answers no request where one was sent and unsolicited responses
    /// are not allowed.
    #[error("the response answers no request, and IdP-initiated sign-in is not allowed")]
    Unsolicited,
    /// A time is not an `xs:dateTime` in UTC (SAML Core §1.3.3).
    #[error("the time {0} is not a UTC xs:dateTime")]
    Time(String),
}

/// Parses a document, refusing DTDs (and with them entity declarations).
fn parse(text: &str) -> Result<Document<'_>, SamlError> {
    let options = ParsingOptions {
        allow_dtd: false,
        ..ParsingOptions::default()
    };
    Document::parse_with_options(text, options).map_err(|error| match error {
        roxmltree::Error::DtdDetected => SamlError::Dtd,
        other => SamlError::Xml(other.to_string()),
    })
}

/// The child elements of `node` named `name` in namespace `namespace`.
fn children<'a, 'input>(
    node: Node<'a, 'input>,
    namespace: &'static str,
    name: &'static str,
) -> impl Iterator<Item = Node<'a, 'input>> {
    node.children()
        .filter(move |child| child.is_element() && child.has_tag_name((namespace, name)))
}

/// The one child element named so, or `None` when absent; more than one is an error.
fn optional_child<'a, 'input>(
    node: Node<'a, 'input>,
    namespace: &'static str,
    name: &'static str,
) -> Result<Option<Node<'a, 'input>>, SamlError> {
    let mut found = children(node, namespace, name);
    let first = found.next();
    if found.next().is_some() {
        return Err(SamlError::Missing(name));
    }
    Ok(first)
}

/// The one child element named so.
fn child<'a, 'input>(
    node: Node<'a, 'input>,
    namespace: &'static str,
    name: &'static str,
) -> Result<Node<'a, 'input>, SamlError> {
    optional_child(node, namespace, name)?.ok_or(SamlError::Missing(name))
}

/// The text of an element and its descendants, comments and processing instructions
/// left out, so that a comment inside a value does not cut it short.
fn text(node: Node<'_, '_>) -> String {
    node.descendants()
        .filter(Node::is_text)
        .filter_map(|text| text.text())
        .collect()
}

/// The text of an element, trimmed of surrounding whitespace.
fn trimmed_text(node: Node<'_, '_>) -> String {
    text(node).trim().to_owned()
}

/// Base64 with the line breaks and spaces documents wrap it in removed.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    STANDARD.decode(compact).ok()
}
