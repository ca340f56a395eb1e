//! A `Response` received through the HTTP-POST binding (SAML Bindings 2.0 §3.5.4),
//! verified as the Web Browser SSO profile requires of a service provider (SAML
//! Profiles 2.0 §4.1.4.2–§4.1.4.3).
//!
//! Against signature wrapping, what is read is what was verified: the one assertion is
//! the `Response`'s only `Assertion` child, a signature counts only as a direct child of
//! the element it references by `ID`, and a document with two elements of one `ID` is
//! refused, so a reference cannot name anything else.

use std::collections::{BTreeMap, HashSet};

use roxmltree::{Document, Node};

use super::{
    child, children, decode_base64, dsig, optional_child, parse, text, time, trimmed_text,
    IdpMetadata, SamlError, ASSERTION, DSIG, PROTOCOL,
};

/// How far apart the identity provider's clock and the caller's may be, in seconds,
/// when validity windows are checked.
pub const CLOCK_SKEW_SECONDS: u64 = 60;

/// The success status (SAML Core §3.2.2.2).
const SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
/// The bearer confirmation method (SAML Profiles §3.3).
const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";

/// What the service provider expects of a response.
#[derive(Debug, Clone, Copy)]
pub struct Expectations<'a> {
    /// The identity provider: its entity id and signing certificates.
    pub idp: &'a IdpMetadata,
    /// The service provider's entity id, which the assertion's audience must include.
    pub sp_entity_id: &'a str,
    /// The assertion consumer service URL the response was posted to.
    pub acs_url: &'a str,
    /// The time, epoch seconds.
    pub now: u64,
    /// The `ID` of the request this response must answer, in an SP-initiated sign-in.
    pub in_response_to: Option<&'a str>,
    /// Whether a response that answers no request (IdP-initiated) is accepted. When it
    /// is and no request is expected, an `InResponseTo` is not checked but returned.
    pub allow_idp_initiated: bool,
}

/// What a verified assertion says about the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assertion {
    /// The assertion's `ID`, to remember until [`Assertion::not_on_or_after`] so that it
    /// is not accepted twice (SAML Profiles §4.1.4.5).
    pub id: String,
    /// The identity provider's entity id.
    pub issuer: String,
    /// The subject's `NameID`.
    pub name_id: String,
    /// The `NameID`'s `Format`, if given.
    pub name_id_format: Option<String>,
    /// The first `AuthnStatement`'s `SessionIndex`, if given.
    pub session_index: Option<String>,
    /// Attribute values by attribute `Name`, from every `AttributeStatement`.
    pub attributes: BTreeMap<String, Vec<String>>,
    /// When the assertion stops being acceptable (epoch seconds): the earlier of the
    /// conditions' and the subject confirmation's `NotOnOrAfter`.
    pub not_on_or_after: Option<u64>,
    /// The request the response answers, as signed by the identity provider.
    pub in_response_to: Option<String>,
}

/// Verifies a base64 `SAMLResponse` and returns its assertion.
pub fn verify_response(
    saml_response_base64: &str,
    expect: &Expectations<'_>,
) -> Result<Assertion, SamlError> {
    let xml = decode_base64(saml_response_base64).ok_or(SamlError::Base64)?;
    let xml =
        String::from_utf8(xml).map_err(|_| SamlError::Xml("the document is not UTF-8".into()))?;
    let document = parse(&xml)?;
    let response = document.root_element();
    if !response.has_tag_name((PROTOCOL, "Response"))
        || response.attribute("Version") != Some("2.0")
    {
        return Err(SamlError::NotAResponse);
    }
    status(response)?;
    unique_ids(&document)?;

    // SAML Profiles §4.1.4.2: the response, its assertion or both are signed.
    if children(response, ASSERTION, "EncryptedAssertion")
        .next()
        .is_some()
    {
        return Err(SamlError::Encrypted("Assertion"));
    }
    let assertions: Vec<Node<'_, '_>> = children(response, ASSERTION, "Assertion").collect();
    let [assertion] = assertions.as_slice() else {
        return Err(SamlError::AssertionCount(assertions.len()));
    };
    let certificates = &expect.idp.signing_certificates;
    let response_signed = verify_signature(response, certificates)?;
    if !verify_signature(*assertion, certificates)? && !response_signed {
        return Err(SamlError::Unsigned);
    }

    // SAML Profiles §4.1.4.2: a signed response names its issuer; SAML Bindings
    // §3.5.5.2: and its destination.
    match optional_child(response, ASSERTION, "Issuer")? {
        Some(issuer) => {
            check_issuer(issuer, expect)?;
        }
        None if response_signed => return Err(SamlError::Missing("Issuer")),
        None => {}
    }
    match response.attribute("Destination") {
        Some(destination) if destination != expect.acs_url => {
            return Err(SamlError::DestinationMismatch(destination.to_owned()))
        }
        None if response_signed => return Err(SamlError::Missing("Destination")),
        _ => {}
    }
    let response_in_response_to = response.attribute("InResponseTo");
    check_answered(response_in_response_to, expect)?;

    let mut verified = read_assertion(*assertion, expect)?;
    if verified.in_response_to.is_none() && response_signed {
        verified.in_response_to = response_in_response_to.map(str::to_owned);
    }
    if response_in_response_to.is_none()
        && verified.in_response_to.is_none()
        && !expect.allow_idp_initiated
    {
        return Err(SamlError::Unsolicited);
    }
    Ok(verified)
}

/// SAML Core §3.2.2.2: the top-level `StatusCode` must be success.
fn status(response: Node<'_, '_>) -> Result<(), SamlError> {
    let status = child(response, PROTOCOL, "Status")?;
    let code = child(status, PROTOCOL, "StatusCode")?;
    let value = code
        .attribute("Value")
        .ok_or(SamlError::Missing("StatusCode Value"))?;
    if value == SUCCESS {
        return Ok(());
    }
    let second =
        optional_child(code, PROTOCOL, "StatusCode")?.and_then(|second| second.attribute("Value"));
    Err(SamlError::Status {
        code: second.map_or_else(|| value.to_owned(), |second| format!("{value}/{second}")),
        message: optional_child(status, PROTOCOL, "StatusMessage")?.map(trimmed_text),
    })
}

/// SAML Core §1.3.4: identifiers are unique; a repeated `ID` is refused so that a
/// signature's reference resolves to one element only.
fn unique_ids(document: &Document<'_>) -> Result<(), SamlError> {
    let mut seen = HashSet::new();
    for id in document
        .descendants()
        .filter_map(|node| node.attribute("ID"))
    {
        if !seen.insert(id) {
            return Err(SamlError::DuplicateId(id.to_owned()));
        }
    }
    Ok(())
}

/// Verifies the element's own signature, if it has one; whether it had.
fn verify_signature(element: Node<'_, '_>, certificates: &[Vec<u8>]) -> Result<bool, SamlError> {
    match optional_child(element, DSIG, "Signature")? {
        Some(signature) => dsig::verify(signature, certificates).map(|()| true),
        None => Ok(false),
    }
}

/// The `Issuer` is the identity provider's entity id.
fn check_issuer(issuer: Node<'_, '_>, expect: &Expectations<'_>) -> Result<String, SamlError> {
    let issuer = trimmed_text(issuer);
    if issuer == expect.idp.entity_id {
        Ok(issuer)
    } else {
        Err(SamlError::IssuerMismatch(issuer))
    }
}

/// An `InResponseTo`, where present, names the request expected; with none expected it
/// is accepted only when IdP-initiated sign-in is.
fn check_answered(
    in_response_to: Option<&str>,
    expect: &Expectations<'_>,
) -> Result<(), SamlError> {
    match (in_response_to, expect.in_response_to) {
        (Some(found), Some(expected)) if found != expected => {
            Err(SamlError::InResponseToMismatch(found.to_owned()))
        }
        (Some(found), None) if !expect.allow_idp_initiated => {
            Err(SamlError::InResponseToMismatch(found.to_owned()))
        }
        _ => Ok(()),
    }
}

/// SAML Profiles §4.1.4.2–§4.1.4.3: the assertion's issuer, subject, conditions,
/// authentication and attribute statements.
fn read_assertion(
    assertion: Node<'_, '_>,
    expect: &Expectations<'_>,
) -> Result<Assertion, SamlError> {
    let id = assertion
        .attribute("ID")
        .ok_or(SamlError::Missing("Assertion ID"))?
        .to_owned();
    let issuer = check_issuer(child(assertion, ASSERTION, "Issuer")?, expect)?;

    let subject = child(assertion, ASSERTION, "Subject")?;
    if optional_child(subject, ASSERTION, "EncryptedID")?.is_some() {
        return Err(SamlError::Encrypted("NameID"));
    }
    let name_id = child(subject, ASSERTION, "NameID")?;
    let confirmation = bearer_confirmation(subject, expect)?;

    let conditions = child(assertion, ASSERTION, "Conditions")?;
    let conditions_end = check_window(conditions, expect.now)?;
    check_audience(conditions, expect)?;

    // §4.1.4.2: at least one AuthnStatement.
    let authn = children(assertion, ASSERTION, "AuthnStatement")
        .next()
        .ok_or(SamlError::Missing("AuthnStatement"))?;

    let mut attributes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for statement in children(assertion, ASSERTION, "AttributeStatement") {
        if children(statement, ASSERTION, "EncryptedAttribute")
            .next()
            .is_some()
        {
            return Err(SamlError::Encrypted("Attribute"));
        }
        for attribute in children(statement, ASSERTION, "Attribute") {
            let name = attribute
                .attribute("Name")
                .ok_or(SamlError::Missing("Attribute Name"))?;
            let values = children(attribute, ASSERTION, "AttributeValue").map(text);
            attributes
                .entry(name.to_owned())
                .or_default()
                .extend(values);
        }
    }

    Ok(Assertion {
        id,
        issuer,
        name_id: trimmed_text(name_id),
        name_id_format: name_id.attribute("Format").map(str::to_owned),
        session_index: authn.attribute("SessionIndex").map(str::to_owned),
        attributes,
        not_on_or_after: [conditions_end, confirmation.not_on_or_after]
            .into_iter()
            .flatten()
            .min(),
        in_response_to: confirmation.in_response_to,
    })
}

/// The bearer confirmation that holds.
struct Confirmation {
    /// Its `NotOnOrAfter`.
    not_on_or_after: Option<u64>,
    /// Its `InResponseTo`.
    in_response_to: Option<String>,
}

/// SAML Profiles §4.1.4.3: a bearer `SubjectConfirmation` whose data names the
/// assertion consumer service as `Recipient`, has not expired (its `NotOnOrAfter` is
/// required) and answers the request expected. When none holds, the first one's
/// failure is reported.
fn bearer_confirmation(
    subject: Node<'_, '_>,
    expect: &Expectations<'_>,
) -> Result<Confirmation, SamlError> {
    let mut first_failure = None;
    let bearers = children(subject, ASSERTION, "SubjectConfirmation")
        .filter(|confirmation| confirmation.attribute("Method") == Some(BEARER));
    for confirmation in bearers {
        match check_confirmation(confirmation, expect) {
            Ok(confirmation) => return Ok(confirmation),
            Err(error) => {
                first_failure.get_or_insert(error);
            }
        }
    }
    Err(first_failure.unwrap_or(SamlError::NoBearerConfirmation))
}

/// One bearer confirmation's data: recipient, window, request answered.
fn check_confirmation(
    confirmation: Node<'_, '_>,
    expect: &Expectations<'_>,
) -> Result<Confirmation, SamlError> {
    let data = child(confirmation, ASSERTION, "SubjectConfirmationData")?;
    let recipient = data
        .attribute("Recipient")
        .ok_or(SamlError::Missing("Recipient"))?;
    if recipient != expect.acs_url {
        return Err(SamlError::RecipientMismatch(recipient.to_owned()));
    }
    if data.attribute("NotOnOrAfter").is_none() {
        return Err(SamlError::Missing("SubjectConfirmationData NotOnOrAfter"));
    }
    let not_on_or_after = check_window(data, expect.now)?;
    let in_response_to = data.attribute("InResponseTo");
    check_answered(in_response_to, expect)?;
    Ok(Confirmation {
        not_on_or_after,
        in_response_to: in_response_to.map(str::to_owned),
    })
}

/// SAML Core §2.5.1.2, §2.4.1.2: `NotBefore` and `NotOnOrAfter`, each optional, hold
/// at `now` give or take [`CLOCK_SKEW_SECONDS`]; the end of the window.
fn check_window(element: Node<'_, '_>, now: u64) -> Result<Option<u64>, SamlError> {
    if let Some(not_before) = element.attribute("NotBefore") {
        if now.saturating_add(CLOCK_SKEW_SECONDS) < time::parse(not_before)? {
            return Err(SamlError::NotYetValid);
        }
    }
    let not_on_or_after = element
        .attribute("NotOnOrAfter")
        .map(time::parse)
        .transpose()?;
    if let Some(end) = not_on_or_after {
        if now >= end.saturating_add(CLOCK_SKEW_SECONDS) {
            return Err(SamlError::Expired);
        }
    }
    Ok(not_on_or_after)
}

/// SAML Core §2.5.1.4: every `AudienceRestriction` names the service provider, and
/// SAML Profiles §4.1.4.2 requires one.
fn check_audience(conditions: Node<'_, '_>, expect: &Expectations<'_>) -> Result<(), SamlError> {
    let mut restrictions = children(conditions, ASSERTION, "AudienceRestriction").peekable();
    if restrictions.peek().is_none() {
        return Err(SamlError::AudienceMismatch);
    }
    for restriction in restrictions {
        if !children(restriction, ASSERTION, "Audience")
            .any(|audience| trimmed_text(audience) == expect.sp_entity_id)
        {
            return Err(SamlError::AudienceMismatch);
        }
    }
    Ok(())
}
