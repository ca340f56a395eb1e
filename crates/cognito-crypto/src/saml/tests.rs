//! Tests over the fixtures `tests/saml/generate.py` made with signxml and lxml: an
//! identity provider's metadata, responses it signed in each supported way, tampered
//! copies, and lxml's exclusive canonical forms.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::Value;

use super::c14n::{self, Options};
use super::*;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../tests/saml/", $name))
    };
}

/// The values generate.py uses.
const IDP: &str = "https://idp.example.com/saml/metadata";
const SP: &str = "urn:amazon:cognito:sp:us-east-1_EXAMPLE1";
const ACS: &str = "https://example.auth.us-east-1.amazoncognito.com/saml2/idpresponse";
const REQUEST_ID: &str = "_5d1f0c2e9a7b4c3d8e6f1a2b3c4d5e6f7a8b9c0d";
/// 2024-05-01T12:01:00Z, a minute after the responses were issued.
const NOW: u64 = 1_714_564_860;
/// The responses' and their subject confirmations' `NotOnOrAfter`, 12:05:00.
const NOT_ON_OR_AFTER: u64 = 1_714_565_100;
/// The conditions' `NotBefore`, 11:59:30.
const NOT_BEFORE: u64 = 1_714_564_770;

fn metadata() -> IdpMetadata {
    IdpMetadata::parse(fixture!("metadata.xml")).expect("the metadata fixture parses")
}

fn expectations(idp: &IdpMetadata) -> Expectations<'_> {
    Expectations {
        idp,
        sp_entity_id: SP,
        acs_url: ACS,
        now: NOW,
        in_response_to: Some(REQUEST_ID),
        allow_idp_initiated: false,
    }
}

fn verify(xml: &str, expect: &Expectations<'_>) -> Result<Assertion, SamlError> {
    verify_response(&STANDARD.encode(xml), expect)
}

fn verify_default(xml: &str) -> Result<Assertion, SamlError> {
    verify(xml, &expectations(&metadata()))
}

#[test]
fn metadata_names_the_endpoints_and_the_signing_certificates() {
    let idp = metadata();
    assert_eq!(idp.entity_id, IDP);
    assert_eq!(
        idp.single_sign_on.redirect.as_deref(),
        Some("https://idp.example.com/saml/sso?tenant=example")
    );
    assert_eq!(
        idp.single_sign_on.post.as_deref(),
        Some("https://idp.example.com/saml/sso/post")
    );
    assert_eq!(
        idp.single_logout.redirect.as_deref(),
        Some("https://idp.example.com/saml/slo")
    );
    assert_eq!(idp.single_logout.post, None);
    assert!(!idp.want_authn_requests_signed);
    // The RSA certificate (use="signing") and the P-256 one (no use); not the
    // encryption one.
    assert_eq!(idp.signing_certificates.len(), 2);
    assert_eq!(idp.check_certificates(NOW), Ok(()));
    assert_eq!(
        idp.check_certificates(NOW + 20 * 365 * 86_400),
        Err(SamlError::CertificateExpired)
    );
}

#[test]
fn metadata_inside_an_entities_descriptor_is_read() {
    let inner =
        fixture!("metadata.xml").trim_start_matches("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    let wrapped = format!(
        "<EntitiesDescriptor xmlns=\"urn:oasis:names:tc:SAML:2.0:metadata\">\
         <EntityDescriptor entityID=\"https://sp.example\"><SPSSODescriptor \
         protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\"/></EntityDescriptor>\
         {inner}</EntitiesDescriptor>"
    );
    assert_eq!(IdpMetadata::parse(&wrapped), Ok(metadata()));
}

#[test]
fn metadata_without_what_a_service_provider_needs_is_refused() {
    let good = fixture!("metadata.xml");
    let cases = [
        (
            good.replace("IDPSSODescriptor", "SPSSODescriptor"),
            SamlError::NoIdentityProvider,
        ),
        (
            good.replace("urn:oasis:names:tc:SAML:2.0:protocol", "urn:example:saml1"),
            SamlError::NoIdentityProvider,
        ),
        (
            good.replace(&format!("entityID=\"{IDP}\""), ""),
            SamlError::Missing("entityID"),
        ),
        (
            good.replace("SingleSignOnService", "ArtifactResolutionService"),
            SamlError::NoSingleSignOnService,
        ),
        (
            good.replace(
                "<md:KeyDescriptor>",
                "<md:KeyDescriptor use=\"encryption\">",
            )
            .replace("use=\"signing\"", "use=\"encryption\""),
            SamlError::NoSigningCertificate,
        ),
        (
            good.replacen("<ds:X509Certificate>", "<ds:X509Certificate>AAAA", 1),
            SamlError::Certificate,
        ),
        (
            good.replacen(
                "<ds:X509Certificate>",
                &format!("<ds:X509Certificate>{}", "A".repeat(4096)),
                1,
            ),
            SamlError::CertificateTooLong,
        ),
        (
            format!(
                "<!DOCTYPE x [<!ENTITY e \"x\">]>{}",
                good.trim_start_matches("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
            ),
            SamlError::Dtd,
        ),
        ("<unclosed".to_owned(), SamlError::Xml(String::new())),
    ];
    for (xml, expected) in cases {
        let error = IdpMetadata::parse(&xml).expect_err("broken metadata is refused");
        match expected {
            SamlError::Xml(_) => assert!(matches!(error, SamlError::Xml(_)), "{error:?}"),
            expected => assert_eq!(error, expected),
        }
    }
}

fn request_params() -> AuthnRequestParams<'static> {
    AuthnRequestParams {
        id_random: [0xab; 20],
        issue_instant: NOW,
        sp_entity_id: SP,
        acs_url: ACS,
        name_id_format: NameIdFormat::Persistent,
    }
}

#[test]
fn an_authn_request_names_the_service_provider_and_asks_for_http_post() {
    let request = authn_request(&metadata(), &request_params()).expect("a request is made");
    assert_eq!(request.id, format!("_{}", "ab".repeat(20)));
    assert_eq!(
        request.destination,
        "https://idp.example.com/saml/sso?tenant=example"
    );
    let document = roxmltree::Document::parse(&request.xml).expect("the request is XML");
    let root = document.root_element();
    assert!(root.has_tag_name((PROTOCOL, "AuthnRequest")));
    assert_eq!(root.attribute("ID"), Some(request.id.as_str()));
    assert_eq!(root.attribute("Version"), Some("2.0"));
    assert_eq!(root.attribute("IssueInstant"), Some("2024-05-01T12:01:00Z"));
    assert_eq!(
        root.attribute("Destination"),
        Some(request.destination.as_str())
    );
    assert_eq!(root.attribute("AssertionConsumerServiceURL"), Some(ACS));
    assert_eq!(root.attribute("ProtocolBinding"), Some(HTTP_POST));
    assert_eq!(
        child(root, ASSERTION, "Issuer").map(trimmed_text),
        Ok(SP.to_owned())
    );
    let policy = child(root, PROTOCOL, "NameIDPolicy").expect("a NameIDPolicy");
    assert_eq!(
        policy.attribute("Format"),
        Some("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent")
    );
    assert_eq!(policy.attribute("AllowCreate"), Some("true"));
}

#[test]
fn the_redirect_binding_deflates_and_encodes_the_request_after_the_existing_query() {
    let request = authn_request(&metadata(), &request_params()).expect("a request is made");
    let url = request.redirect_url(Some("state with spaces/&=+?"));
    let query = url
        .strip_prefix("https://idp.example.com/saml/sso?tenant=example&")
        .expect("the query is kept");
    let (saml_request, relay_state) = query
        .strip_prefix("SAMLRequest=")
        .and_then(|rest| rest.split_once("&RelayState="))
        .expect("SAMLRequest then RelayState");
    assert_eq!(relay_state, "state%20with%20spaces%2F%26%3D%2B%3F");
    let encoded = percent_encoding::percent_decode_str(saml_request)
        .decode_utf8()
        .expect("UTF-8");
    let deflated = STANDARD.decode(encoded.as_bytes()).expect("base64");
    // Raw DEFLATE (RFC 1951): no zlib header to skip.
    let inflated = miniz_oxide::inflate::decompress_to_vec(&deflated).expect("raw DEFLATE");
    assert_eq!(
        String::from_utf8(inflated).as_deref(),
        Ok(request.xml.as_str())
    );

    let without_query = AuthnRequest {
        destination: "https://idp.example/sso".into(),
        ..request
    };
    let url = without_query.redirect_url(None);
    assert!(
        url.starts_with("https://idp.example/sso?SAMLRequest="),
        "{url}"
    );
    assert!(!url.contains("RelayState"));
}

#[test]
fn a_request_is_refused_when_the_idp_wants_signed_requests_or_has_no_redirect_endpoint() {
    let mut idp = metadata();
    idp.want_authn_requests_signed = true;
    assert_eq!(
        authn_request(&idp, &request_params()),
        Err(SamlError::SignedRequestsUnsupported)
    );
    let mut idp = metadata();
    idp.single_sign_on.redirect = None;
    assert_eq!(
        authn_request(&idp, &request_params()),
        Err(SamlError::NoRedirectBinding)
    );
}

#[test]
fn a_signed_assertion_yields_the_user_and_its_attributes() {
    let assertion =
        verify_default(fixture!("assertion-signed.xml")).expect("the signed assertion verifies");
    let attributes = BTreeMap::from([
        (
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress".to_owned(),
            vec!["jdoe@example.com".to_owned()],
        ),
        ("given_name".to_owned(), vec!["Jane".to_owned()]),
        (
            "groups".to_owned(),
            vec!["admins".to_owned(), "R&D <lab>".to_owned()],
        ),
    ]);
    assert_eq!(
        assertion,
        Assertion {
            id: "_a3c5e7f9b1d3f5a7c9e1b3d5f7a9c1e3d".to_owned(),
            issuer: IDP.to_owned(),
            name_id: "jdoe@example.com".to_owned(),
            name_id_format: Some("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent".to_owned()),
            session_index: Some("_s0123456789abcdef".to_owned()),
            attributes,
            not_on_or_after: Some(NOT_ON_OR_AFTER),
            in_response_to: Some(REQUEST_ID.to_owned()),
        }
    );
}

#[test]
fn every_way_of_signing_verifies() {
    for (name, xml) in [
        (
            "response signed, RSA-SHA1 over SHA-1",
            fixture!("response-signed-sha1.xml"),
        ),
        (
            "both signed, SHA-512 and SHA-256 digests",
            fixture!("both-signed.xml"),
        ),
        (
            "assertion signed with ECDSA P-256",
            fixture!("ecdsa-signed.xml"),
        ),
        (
            "SignedInfo canonicalized with comments",
            fixture!("comments.xml"),
        ),
    ] {
        let assertion = verify_default(xml).unwrap_or_else(|error| panic!("{name}: {error}"));
        assert_eq!(assertion.name_id, "jdoe@example.com", "{name}");
        assert_eq!(
            assertion.in_response_to.as_deref(),
            Some(REQUEST_ID),
            "{name}"
        );
        assert_eq!(
            assertion.attributes.get("given_name"),
            Some(&vec!["Jane".to_owned()]),
            "{name}"
        );
    }
}

#[test]
fn a_signed_response_covers_its_unsigned_assertion() {
    let signed = fixture!("response-signed-sha1.xml");
    assert!(signed.contains("<saml2:AttributeValue>Jane</saml2:AttributeValue>"));
    let changed = signed.replace(">Jane<", ">Mallory<");
    assert_eq!(verify_default(&changed), Err(SamlError::DigestMismatch));
}

#[test]
fn base64_broken_into_lines_is_accepted() {
    let encoded = STANDARD.encode(fixture!("assertion-signed.xml"));
    let wrapped: Vec<String> = encoded
        .as_bytes()
        .chunks(76)
        .map(|line| String::from_utf8_lossy(line).into_owned())
        .collect();
    let idp = metadata();
    assert!(verify_response(&wrapped.join("\r\n"), &expectations(&idp)).is_ok());
}

#[test]
fn tampered_responses_are_refused_for_what_was_changed() {
    let cases = [
        ("tampered-attribute.xml", fixture!("tampered-attribute.xml"), SamlError::DigestMismatch),
        ("wrapping-extra-assertion.xml", fixture!("wrapping-extra-assertion.xml"), SamlError::AssertionCount(2)),
        ("wrapping-moved.xml", fixture!("wrapping-moved.xml"), SamlError::ReferenceMismatch),
        (
            "wrapping-duplicate-id.xml",
            fixture!("wrapping-duplicate-id.xml"),
            SamlError::DuplicateId("_a3c5e7f9b1d3f5a7c9e1b3d5f7a9c1e3d".to_owned()),
        ),
        ("other-key.xml", fixture!("other-key.xml"), SamlError::SignatureInvalid),
        ("encryption-key.xml", fixture!("encryption-key.xml"), SamlError::SignatureInvalid),
        ("signed-info-comment.xml", fixture!("signed-info-comment.xml"), SamlError::SignatureInvalid),
        ("expired.xml", fixture!("expired.xml"), SamlError::Expired),
        ("wrong-audience.xml", fixture!("wrong-audience.xml"), SamlError::AudienceMismatch),
        (
            "wrong-recipient.xml",
            fixture!("wrong-recipient.xml"),
            SamlError::RecipientMismatch("https://other.example/acs".to_owned()),
        ),
        (
            "wrong-destination.xml",
            fixture!("wrong-destination.xml"),
            SamlError::DestinationMismatch("https://other.example/acs".to_owned()),
        ),
        (
            "wrong-issuer.xml",
            fixture!("wrong-issuer.xml"),
            SamlError::IssuerMismatch("https://other-idp.example.com".to_owned()),
        ),
        (
            "wrong-in-response-to.xml",
            fixture!("wrong-in-response-to.xml"),
            SamlError::InResponseToMismatch("_0000000000000000000000000000000000".to_owned()),
        ),
        ("unsigned.xml", fixture!("unsigned.xml"), SamlError::Unsigned),
        (
            "status-failure.xml",
            fixture!("status-failure.xml"),
            SamlError::Status {
                code: "urn:oasis:names:tc:SAML:2.0:status:Requester/urn:oasis:names:tc:SAML:2.0:status:RequestDenied"
                    .to_owned(),
                message: Some("The user is not assigned to this application".to_owned()),
            },
        ),
        ("encrypted.xml", fixture!("encrypted.xml"), SamlError::Encrypted("Assertion")),
        ("encrypted-name-id.xml", fixture!("encrypted-name-id.xml"), SamlError::Encrypted("NameID")),
        ("encrypted-attribute.xml", fixture!("encrypted-attribute.xml"), SamlError::Encrypted("Attribute")),
    ];
    for (name, xml, expected) in cases {
        assert_eq!(verify_default(xml), Err(expected), "{name}");
    }
}

#[test]
fn documents_that_are_not_responses_are_refused() {
    let idp = metadata();
    let expect = expectations(&idp);
    assert_eq!(
        verify_response("not base64!", &expect),
        Err(SamlError::Base64)
    );
    assert_eq!(
        verify(fixture!("metadata.xml"), &expect),
        Err(SamlError::NotAResponse)
    );
    let with_dtd = fixture!("assertion-signed.xml").replace(
        "<?xml version='1.0' encoding='UTF-8'?>",
        "<!DOCTYPE r [<!ENTITY big \"x\">]>",
    );
    assert_eq!(verify(&with_dtd, &expect), Err(SamlError::Dtd));
    assert!(matches!(
        verify("<saml2p:Response", &expect),
        Err(SamlError::Xml(_))
    ));
}

#[test]
fn the_signature_must_be_by_a_certificate_of_the_metadata() {
    let mut idp = metadata();
    // Without the P-256 certificate, the ECDSA signature verifies with nothing left.
    idp.signing_certificates.truncate(1);
    assert_eq!(
        verify(fixture!("ecdsa-signed.xml"), &expectations(&idp)),
        Err(SamlError::SignatureInvalid)
    );
    assert!(verify(fixture!("assertion-signed.xml"), &expectations(&idp)).is_ok());
}

#[test]
fn validity_windows_hold_within_the_clock_skew() {
    let idp = metadata();
    let at = |now| {
        verify(
            fixture!("assertion-signed.xml"),
            &Expectations {
                now,
                ..expectations(&idp)
            },
        )
    };
    assert!(at(NOT_ON_OR_AFTER + CLOCK_SKEW_SECONDS - 1).is_ok());
    assert_eq!(
        at(NOT_ON_OR_AFTER + CLOCK_SKEW_SECONDS),
        Err(SamlError::Expired)
    );
    assert!(at(NOT_BEFORE - CLOCK_SKEW_SECONDS).is_ok());
    assert_eq!(
        at(NOT_BEFORE - CLOCK_SKEW_SECONDS - 1),
        Err(SamlError::NotYetValid)
    );
}

#[test]
fn the_response_must_answer_the_request_sent_unless_idp_initiated_is_allowed() {
    let idp = metadata();
    let solicited = fixture!("assertion-signed.xml");
    let unsolicited = fixture!("idp-initiated.xml");
    let other_request = Expectations {
        in_response_to: Some("_another"),
        ..expectations(&idp)
    };
    assert_eq!(
        verify(solicited, &other_request),
        Err(SamlError::InResponseToMismatch(REQUEST_ID.to_owned()))
    );
    assert_eq!(
        verify(unsolicited, &expectations(&idp)),
        Err(SamlError::Unsolicited)
    );

    let idp_initiated = Expectations {
        in_response_to: None,
        allow_idp_initiated: true,
        ..expectations(&idp)
    };
    let assertion = verify(unsolicited, &idp_initiated).expect("IdP-initiated is allowed");
    assert_eq!(assertion.in_response_to, None);
    // With no request expected, an InResponseTo is returned for the caller to look up.
    let assertion = verify(solicited, &idp_initiated).expect("IdP-initiated is allowed");
    assert_eq!(assertion.in_response_to.as_deref(), Some(REQUEST_ID));
    let neither = Expectations {
        in_response_to: None,
        ..expectations(&idp)
    };
    assert_eq!(
        verify(solicited, &neither),
        Err(SamlError::InResponseToMismatch(REQUEST_ID.to_owned()))
    );
    assert_eq!(verify(unsolicited, &neither), Err(SamlError::Unsolicited));
}

#[test]
fn the_audience_and_recipient_are_this_service_provider() {
    let idp = metadata();
    let other_sp = Expectations {
        sp_entity_id: "urn:amazon:cognito:sp:us-east-1_OTHER",
        ..expectations(&idp)
    };
    assert_eq!(
        verify(fixture!("assertion-signed.xml"), &other_sp),
        Err(SamlError::AudienceMismatch)
    );
    let other_acs = Expectations {
        acs_url: "https://other.example/saml2/idpresponse",
        ..expectations(&idp)
    };
    assert_eq!(
        verify(fixture!("assertion-signed.xml"), &other_acs),
        Err(SamlError::DestinationMismatch(ACS.to_owned()))
    );
}

#[test]
fn a_comment_inside_a_signed_value_does_not_cut_it_short() {
    let xml = fixture!("comments.xml");
    assert!(
        xml.contains("jdoe@example<!-- split -->.com"),
        "the fixture splits the NameID"
    );
    let assertion = verify_default(xml).expect("comments are outside the digest");
    assert_eq!(assertion.name_id, "jdoe@example.com");
}

#[test]
fn exclusive_canonicalization_matches_lxml() {
    let vectors: Value = serde_json::from_str(fixture!("c14n.json")).expect("JSON");
    let input = vectors["input"].as_str().expect("the input document");
    let document = parse(input).expect("the input parses");
    let cases = vectors["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 12);
    for case in cases {
        let id = case["id"].as_str().expect("id");
        let element = document
            .descendants()
            .find(|node| node.attribute("ID") == Some(id))
            .expect("the element");
        let prefixes: Vec<&str> = case["prefixes"]
            .as_array()
            .expect("prefixes")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let options = Options {
            with_comments: case["comments"].as_bool().expect("comments"),
            inclusive_prefixes: &prefixes,
            exclude: None,
        };
        assert_eq!(
            c14n::canonicalize(element, &options).as_deref(),
            Ok(case["output"].as_str().expect("output")),
            "{case}"
        );
    }
}

#[test]
fn an_excluded_subtree_and_an_undeclared_default_namespace_are_canonicalized_as_specified() {
    let document = parse(
        "<r xmlns=\"urn:d\"><a xmlns=\"\" ID=\"a\"><b xmlns=\"urn:d\"><e xmlns=\"\"/></b><c/><skip><x/></skip>tail</a></r>",
    )
    .expect("XML");
    let a = document
        .descendants()
        .find(|node| node.attribute("ID") == Some("a"))
        .expect("a");
    let skip = document
        .descendants()
        .find(|node| node.has_tag_name("skip"))
        .expect("skip");
    let options = Options {
        exclude: Some(skip.id()),
        ..Options::default()
    };
    assert_eq!(
        c14n::canonicalize(a, &options).as_deref(),
        Ok("<a ID=\"a\"><b xmlns=\"urn:d\"><e xmlns=\"\"></e></b><c></c>tail</a>")
    );
}

#[test]
fn the_default_namespace_is_inclusive_when_the_prefix_list_names_it() {
    // Exc-C14N §3: `#default` in the PrefixList stands for the default namespace,
    // written at the apex though the element does not use it.
    let document =
        parse("<r xmlns=\"urn:d\" xmlns:p=\"urn:p\"><p:x ID=\"x\"><p:y/></p:x></r>").expect("XML");
    let x = document
        .descendants()
        .find(|node| node.attribute("ID") == Some("x"))
        .expect("x");
    let canonical = |prefixes: &[&str]| {
        c14n::canonicalize(
            x,
            &Options {
                inclusive_prefixes: prefixes,
                ..Options::default()
            },
        )
    };
    assert_eq!(
        canonical(&[]).as_deref(),
        Ok("<p:x xmlns:p=\"urn:p\" ID=\"x\"><p:y></p:y></p:x>")
    );
    assert_eq!(
        canonical(&["#default"]).as_deref(),
        Ok("<p:x xmlns=\"urn:d\" xmlns:p=\"urn:p\" ID=\"x\"><p:y></p:y></p:x>")
    );
}

#[test]
fn times_are_utc_date_times() {
    assert_eq!(time::parse("2024-05-01T12:01:00Z"), Ok(NOW));
    assert_eq!(time::parse("2024-05-01T12:01:00.999Z"), Ok(NOW));
    assert_eq!(time::format(NOW).as_deref(), Ok("2024-05-01T12:01:00Z"));
    for bad in [
        "2024-05-01T12:01:00",
        "2024-05-01T12:01:00+02:00",
        "2024-5-01T12:01:00Z",
        "2024-05-01T12:01:00.Z",
        "2024-13-01T00:00:00Z",
    ] {
        assert_eq!(
            time::parse(bad),
            Err(SamlError::Time(bad.to_owned())),
            "{bad}"
        );
    }
}
