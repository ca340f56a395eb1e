#!/usr/bin/env python3
"""Writes the SAML fixtures that `cognito_crypto::saml`'s tests read.

An identity provider is made up here: RSA and P-256 signing keys with self-signed
certificates, an encryption-only key, and a key of nobody's. Its metadata and its
responses are written beside this script, each signature made by signxml (over lxml's
canonicalization) and checked again by signxml's verifier before it is written. Tampered
copies follow, each breaking one rule the verifier enforces. `c14n.json` holds lxml's
exclusive canonical forms of chosen elements, to compare the Rust canonicalization with.

The keys are new on every run, so every output changes; the tests never run this script.

    python3 -m venv /tmp/saml-venv
    /tmp/saml-venv/bin/pip install signxml lxml cryptography
    /tmp/saml-venv/bin/python generate.py
"""

import base64
import datetime
import json
import pathlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import SignatureConfiguration, SignatureReference, XMLSigner, XMLVerifier, methods
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod

HERE = pathlib.Path(__file__).resolve().parent

IDP = "https://idp.example.com/saml/metadata"
SP = "urn:amazon:cognito:sp:us-east-1_EXAMPLE1"
ACS = "https://example.auth.us-east-1.amazoncognito.com/saml2/idpresponse"
REQUEST_ID = "_5d1f0c2e9a7b4c3d8e6f1a2b3c4d5e6f7a8b9c0d"
# The responses are issued at 2024-05-01T12:00:00Z; the tests verify a minute later.
# The Rust tests name these values too.
ISSUED = datetime.datetime(2024, 5, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
NOW = ISSUED + datetime.timedelta(minutes=1)

NS = {
    "saml2p": "urn:oasis:names:tc:SAML:2.0:protocol",
    "saml2": "urn:oasis:names:tc:SAML:2.0:assertion",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
    "ec": "http://www.w3.org/2001/10/xml-exc-c14n#",
}
EXC = CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0
EXC_COMMENTS = CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0_WITH_COMMENTS


def instant(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def certificate(key, name):
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(ISSUED - datetime.timedelta(days=30))
        .not_valid_after(ISSUED + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def der_base64(cert, width=64):
    text = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
    return "\n".join(text[i : i + width] for i in range(0, len(text), width))


RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_CERT = certificate(RSA_KEY, "idp.example.com signing")
EC_KEY = ec.generate_private_key(ec.SECP256R1())
EC_CERT = certificate(EC_KEY, "idp.example.com signing (P-256)")
ENCRYPTION_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ENCRYPTION_CERT = certificate(ENCRYPTION_KEY, "idp.example.com encryption")
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_CERT = certificate(OTHER_KEY, "idp.example.com")


def metadata():
    # The P-256 certificate's KeyDescriptor has no `use`, so it serves both purposes
    # (SAML Metadata §2.4.1.1); the encryption one must not be trusted for signatures.
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- An identity provider's metadata, as an IdP publishes it. -->
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{IDP}" validUntil="2034-05-01T00:00:00Z">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false"
      protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>
{der_base64(RSA_CERT)}
      </ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:KeyDescriptor>
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>{der_base64(EC_CERT, 10_000)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:KeyDescriptor use="encryption">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>{der_base64(ENCRYPTION_CERT)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="https://idp.example.com/saml/slo"/>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
        Location="https://idp.example.com/saml/sso/post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="https://idp.example.com/saml/sso?tenant=example"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
"""


def response_xml(
    *,
    response_id="_r6b1e0d8c4a2f4e3b9d7c5a1f0e2d4c6b",
    assertion_id="_a3c5e7f9b1d3f5a7c9e1b3d5f7a9c1e3d",
    in_response_to=REQUEST_ID,
    confirmation_in_response_to=None,
    destination=ACS,
    recipient=ACS,
    audience=SP,
    issuer=IDP,
    not_on_or_after=ISSUED + datetime.timedelta(minutes=5),
    status='<saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>',
):
    """A Response in the prefixes and shapes that make exclusive canonicalization
    matter: every namespace declared on the root (some unused), attributes written out
    of canonical order, comments and whitespace between elements."""
    if confirmation_in_response_to is None:
        confirmation_in_response_to = in_response_to
    irt = f' InResponseTo="{in_response_to}"' if in_response_to else ""
    scd_irt = f' InResponseTo="{confirmation_in_response_to}"' if confirmation_in_response_to else ""
    return f"""<saml2p:Response xmlns:saml2p="{NS['saml2p']}" xmlns:saml2="{NS['saml2']}"
    xmlns:ds="{NS['ds']}" xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:unused="urn:example:unused"
    Version="2.0" IssueInstant="{instant(ISSUED)}" ID="{response_id}" Destination="{destination}"{irt}>
  <saml2:Issuer>{issuer}</saml2:Issuer>
  <saml2p:Status>{status}</saml2p:Status>
  <!-- the assertion follows -->
  <saml2:Assertion Version="2.0" IssueInstant="{instant(ISSUED)}" ID="{assertion_id}">
    <saml2:Issuer Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">{issuer}</saml2:Issuer>
    <saml2:Subject>
      <saml2:NameID SPNameQualifier="{SP}" Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">jdoe@example.com</saml2:NameID>
      <saml2:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
        <saml2:SubjectConfirmationData Recipient="{recipient}" NotOnOrAfter="{instant(not_on_or_after)}"{scd_irt}/>
      </saml2:SubjectConfirmation>
    </saml2:Subject>
    <saml2:Conditions NotOnOrAfter="{instant(not_on_or_after)}" NotBefore="{instant(ISSUED - datetime.timedelta(seconds=30))}">
      <saml2:AudienceRestriction><saml2:Audience>{audience}</saml2:Audience></saml2:AudienceRestriction>
    </saml2:Conditions>
    <saml2:AuthnStatement SessionIndex="_s0123456789abcdef" AuthnInstant="{instant(ISSUED)}">
      <saml2:AuthnContext><saml2:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml2:AuthnContextClassRef></saml2:AuthnContext>
    </saml2:AuthnStatement>
    <saml2:AttributeStatement>
      <saml2:Attribute NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri" Name="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress">
        <saml2:AttributeValue xsi:type="xs:string">jdoe@example.com</saml2:AttributeValue>
      </saml2:Attribute>
      <saml2:Attribute Name="groups">
        <saml2:AttributeValue xsi:type="xs:string">admins</saml2:AttributeValue>
        <saml2:AttributeValue xsi:type="xs:string">R&amp;D &lt;lab&gt;</saml2:AttributeValue>
      </saml2:Attribute>
      <saml2:Attribute Name="given_name"><saml2:AttributeValue>Jane</saml2:AttributeValue></saml2:Attribute>
    </saml2:AttributeStatement>
  </saml2:Assertion>
</saml2p:Response>"""


def default_namespace_assertion(xml):
    """The assertion's elements in the default namespace, declared on the assertion,
    as some identity providers write them; the signature keeps its `ds:` prefix."""
    start = xml.index("<saml2:Assertion")
    end = xml.index("</saml2:Assertion>") + len("</saml2:Assertion>")
    assertion = xml[start:end].replace("<saml2:", "<").replace("</saml2:", "</")
    assertion = assertion.replace("<Assertion ", f'<Assertion xmlns="{NS["saml2"]}" ', 1)
    return xml[:start] + assertion + xml[end:]


class Signer(XMLSigner):
    """signxml's signer, writing a Reference's InclusiveNamespaces under its
    exclusive canonicalization transform for enveloped signatures too (signxml
    digests with the prefixes but writes them only for other signature kinds), and
    allowing SHA-1, which identity providers still sign with."""

    def check_deprecated_methods(self):
        pass

    def _build_transforms_for_reference(self, *, transforms_node, reference, exclude_c14n_transform_element=True):
        etree.SubElement(transforms_node, self._ds_tag("Transform"), Algorithm=methods.enveloped.value)
        transform = etree.SubElement(transforms_node, self._ds_tag("Transform"), Algorithm=reference.c14n_method.value)
        if reference.inclusive_ns_prefixes:
            etree.SubElement(
                transform, f"{{{NS['ec']}}}InclusiveNamespaces", PrefixList=" ".join(reference.inclusive_ns_prefixes)
            )


def sign(
    root,
    element_id,
    *,
    key=RSA_KEY,
    cert=RSA_CERT,
    algorithm="rsa-sha256",
    digest="sha256",
    c14n=EXC,
    reference_c14n=EXC,
    prefixes=None,
    signed_info_prefixes=None,
):
    """Signs the element with this ID where its placeholder stands; returns the new root."""
    signer = Signer(
        method=methods.enveloped,
        signature_algorithm=SignatureMethod(algorithm_uri(algorithm)),
        digest_algorithm=DigestAlgorithm(digest_uri(digest)),
        c14n_algorithm=c14n,
    )
    reference = SignatureReference(URI="#" + element_id, c14n_method=reference_c14n, inclusive_ns_prefixes=prefixes)
    return signer.sign(
        root,
        key=key,
        cert=pem(cert),
        reference_uri=[reference],
        inclusive_ns_prefixes=signed_info_prefixes,
    )


def algorithm_uri(name):
    return {
        "rsa-sha1": "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        "rsa-sha256": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "rsa-sha512": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
        "ecdsa-sha256": "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
    }[name]


def digest_uri(name):
    return {
        "sha1": "http://www.w3.org/2000/09/xmldsig#sha1",
        "sha256": "http://www.w3.org/2001/04/xmlenc#sha256",
        "sha512": "http://www.w3.org/2001/04/xmlenc#sha512",
    }[name]


ASSERTION_LOCATION = f"./{{{NS['saml2']}}}Assertion/"


def check(root, cert, *locations):
    """signxml's verifier must accept each signature where it is expected."""
    data = etree.tostring(root)
    for location in locations:
        XMLVerifier().verify(
            data,
            x509_cert=pem(cert),
            # signxml's bundled XML-DSig schema has no declaration for the exclusive
            # canonicalization's InclusiveNamespaces element.
            validate_schema=False,
            expect_config=SignatureConfiguration(
                location=location,
                signature_methods=frozenset(SignatureMethod),
                digest_algorithms=frozenset(DigestAlgorithm),
            ),
        )


def parse(xml):
    return etree.fromstring(xml.encode())


def sign_assertion(root, **options):
    assertion = root.find("saml2:Assertion", NS)
    assertion.insert(1, etree.Element(f"{{{NS['ds']}}}Signature", Id="placeholder"))
    return sign(root, assertion.get("ID"), **options)


def sign_response(root, **options):
    """The Response's signature follows its Issuer (SAML Core §3.2.2)."""
    root.insert(1, etree.Element(f"{{{NS['ds']}}}Signature", Id="placeholder"))
    return sign(root, root.get("ID"), **options)


def write(name, root):
    (HERE / name).write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n")


def good_responses():
    # The assertion signed, the Response not; the Reference's and SignedInfo's
    # InclusiveNamespaces name `xs` (used only in attribute values) and `unused`.
    root = sign_assertion(
        parse(response_xml()), prefixes=["xs", "unused"], signed_info_prefixes=["xs"]
    )
    check(root, RSA_CERT, ASSERTION_LOCATION)
    write("assertion-signed.xml", root)
    signed_assertion = root

    root = sign_response(
        parse(response_xml()), algorithm="rsa-sha1", digest="sha1"
    )
    check(root, RSA_CERT, "./")
    write("response-signed-sha1.xml", root)

    root = sign_assertion(parse(response_xml()), digest="sha512")
    root = sign_response(root, algorithm="rsa-sha512")
    check(root, RSA_CERT, "./", ASSERTION_LOCATION)
    write("both-signed.xml", root)

    root = sign_assertion(parse(response_xml()), key=EC_KEY, cert=EC_CERT, algorithm="ecdsa-sha256")
    check(root, EC_CERT, ASSERTION_LOCATION)
    write("ecdsa-signed.xml", root)

    root = sign_assertion(parse(default_namespace_assertion(response_xml())))
    check(root, RSA_CERT, ASSERTION_LOCATION)
    write("default-namespace.xml", root)

    root = sign_assertion(parse(response_xml(in_response_to=None)))
    check(root, RSA_CERT, ASSERTION_LOCATION)
    write("idp-initiated.xml", root)

    # SignedInfo canonicalized with comments; a comment put into the NameID after
    # signing is outside what the Reference's transform (without comments) digests, and
    # the NameID must still read as the whole text around it, not as its first part.
    root = sign_assertion(parse(response_xml()), c14n=EXC_COMMENTS)
    name_id = root.find("saml2:Assertion/saml2:Subject/saml2:NameID", NS)
    name_id.text = "jdoe@example"
    comment = etree.Comment(" split ")
    comment.tail = ".com"
    name_id.append(comment)
    check(root, RSA_CERT, ASSERTION_LOCATION)
    write("comments.xml", root)

    return signed_assertion


def tampered(signed_assertion):
    def copy():
        return parse(etree.tostring(signed_assertion).decode())

    root = copy()
    value = root.find(".//saml2:Attribute[@Name='given_name']/saml2:AttributeValue", NS)
    value.text = "Mallory"
    write("tampered-attribute.xml", root)

    # Signature wrapping: an unsigned assertion beside the signed one.
    root = copy()
    forged = parse(response_xml(assertion_id="_forged")).find("saml2:Assertion", NS)
    root.append(forged)
    write("wrapping-extra-assertion.xml", root)

    # Signature wrapping: the signed assertion moved into Extensions, a forged one in
    # its place carrying a copy of the signature (which references the moved one).
    root = copy()
    signed = root.find("saml2:Assertion", NS)
    forged = parse(response_xml(assertion_id="_forged")).find("saml2:Assertion", NS)
    forged.find("saml2:Subject/saml2:NameID", NS).text = "admin@example.com"
    forged.insert(1, etree.fromstring(etree.tostring(signed.find("ds:Signature", NS))))
    extensions = etree.Element(f"{{{NS['saml2p']}}}Extensions")
    root.remove(signed)
    extensions.append(signed)
    root.insert(1, extensions)
    root.append(forged)
    write("wrapping-moved.xml", root)

    # Signature wrapping: a forged assertion with the signed one's ID, placed first.
    root = copy()
    forged = parse(response_xml()).find("saml2:Assertion", NS)
    forged.find("saml2:Subject/saml2:NameID", NS).text = "admin@example.com"
    extensions = etree.Element(f"{{{NS['saml2p']}}}Extensions")
    extensions.append(forged)
    root.insert(1, extensions)
    write("wrapping-duplicate-id.xml", root)

    write("other-key.xml", sign_assertion(parse(response_xml()), key=OTHER_KEY, cert=OTHER_CERT))
    write(
        "encryption-key.xml", sign_assertion(parse(response_xml()), key=ENCRYPTION_KEY, cert=ENCRYPTION_CERT)
    )
    write("expired.xml", sign_assertion(parse(response_xml(not_on_or_after=NOW - datetime.timedelta(minutes=2)))))
    write("wrong-audience.xml", sign_assertion(parse(response_xml(audience="urn:amazon:cognito:sp:other"))))
    write("wrong-recipient.xml", sign_assertion(parse(response_xml(recipient="https://other.example/acs"))))
    write(
        "wrong-destination.xml",
        sign_response(parse(response_xml(destination="https://other.example/acs"))),
    )
    write("wrong-issuer.xml", sign_assertion(parse(response_xml(issuer="https://other-idp.example.com"))))
    write(
        "wrong-in-response-to.xml",
        sign_assertion(parse(response_xml(confirmation_in_response_to="_0000000000000000000000000000000000"))),
    )
    write("unsigned.xml", parse(response_xml()))

    # SignedInfo canonicalized with comments: a comment added to it breaks the signature.
    root = sign_assertion(parse(response_xml()), c14n=EXC_COMMENTS)
    root.find(".//ds:SignedInfo", NS).insert(0, etree.Comment(" added "))
    write("signed-info-comment.xml", root)

    status = (
        '<saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Requester">'
        '<saml2p:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:RequestDenied"/></saml2p:StatusCode>'
        "<saml2p:StatusMessage>The user is not assigned to this application</saml2p:StatusMessage>"
    )
    root = parse(response_xml(status=status))
    root.remove(root.find("saml2:Assertion", NS))
    write("status-failure.xml", root)

    root = parse(response_xml())
    root.replace(root.find("saml2:Assertion", NS), encrypted_element("EncryptedAssertion"))
    write("encrypted.xml", root)

    # Signed assertions with an encrypted identifier, and an encrypted attribute.
    root = parse(response_xml())
    name_id = root.find("saml2:Assertion/saml2:Subject/saml2:NameID", NS)
    name_id.getparent().replace(name_id, encrypted_element("EncryptedID"))
    write("encrypted-name-id.xml", sign_assertion(root))
    root = parse(response_xml())
    root.find("saml2:Assertion/saml2:AttributeStatement", NS).append(encrypted_element("EncryptedAttribute"))
    write("encrypted-attribute.xml", sign_assertion(root))


def encrypted_element(name):
    """An EncryptedAssertion, EncryptedID or EncryptedAttribute (SAML Core §2.2.4)
    whose content is never read."""
    element = etree.Element(f"{{{NS['saml2']}}}{name}")
    etree.SubElement(element, "{http://www.w3.org/2001/04/xmlenc#}EncryptedData").text = "AAAA"
    return element


# Elements canonicalized by lxml (libxml2) with the exclusive algorithm; the Rust
# canonicalization must give the same octets.
C14N_INPUT = """<?xml version="1.0"?>
<r:root xmlns:r="urn:r" xmlns:xs="urn:xs" xmlns:u="urn:unused" xmlns="urn:default"
    xmlns:p="urn:p1" xml:lang="en">
  <a:child xmlns:a="urn:a" z="1" a:y="2" xmlns:b="urn:b" ID="child" b:x="3" A="&#9;tab&#10;nl&#13;cr &quot;q&quot; &lt;&amp;>">
    <!-- a comment -->
    <?target some data?>
    <?bare?>
    <inner xml:space="preserve">t&amp;&lt;&gt;"'&#13;
<![CDATA[x<y&z]]></inner>
    <xs:q/>
    <p:re xmlns:p="urn:p2"><p:deeper p:at="v"/></p:re>
    <empty xmlns=""><again xmlns="urn:default"/></empty>
    <a:same xmlns:a="urn:a"/>
  </a:child>
  <other ID="other" xmlns:c="urn:c" c:b="b" c:a="a" b="2" a="1"><c:x/></other>
</r:root>
"""


def c14n_vectors():
    root = etree.fromstring(C14N_INPUT.encode())
    cases = []
    for element_id in ("child", "other"):
        element = root.xpath("//*[@ID=$id]", id=element_id)[0]
        for comments in (False, True):
            for prefixes in ([], ["xs", "u"], ["p", "r", "absent"]):
                output = etree.tostring(
                    element, method="c14n", exclusive=True, with_comments=comments, inclusive_ns_prefixes=prefixes
                )
                cases.append(
                    {"id": element_id, "comments": comments, "prefixes": prefixes, "output": output.decode()}
                )
    (HERE / "c14n.json").write_text(json.dumps({"input": C14N_INPUT, "cases": cases}, indent=2) + "\n")


def main():
    (HERE / "metadata.xml").write_text(metadata())
    tampered(good_responses())
    c14n_vectors()


if __name__ == "__main__":
    main()
