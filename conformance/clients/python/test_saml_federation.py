"""SAML 2.0 federation through the managed login, as a browser and a SAML
identity provider drive it against a server of the tests' own.

The identity provider is made up here: an RSA key with a self-signed
certificate (cryptography), its metadata given to CreateIdentityProvider as a
MetadataFile or served over HTTP as a MetadataURL. The browser (requests,
following no redirect) asks /oauth2/authorize to sign in through it, reads the
AuthnRequest out of the HTTP-Redirect URL it is sent to, and posts the
provider's answer, a Response signed by signxml for that request, to
/saml2/idpresponse with the RelayState; then follows to the app's callback and
exchanges the code for tokens, whose ID token PyJWT verifies against the pool's
JWKS. Responses that break a rule (a changed attribute, another audience, a
replay, an expired assertion, another key's signature) are refused, and
IdP-initiated sign-in works only where the provider's IDPInit allows it.
"""

import base64
import datetime
import http.server
import secrets
import threading
import urllib.parse
import zlib
from xml.sax.saxutils import escape, quoteattr

import jwt
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import SignatureReference, XMLSigner, methods
from signxml.algorithms import CanonicalizationMethod

import support
from own_server import OwnServer

CALLBACK = "https://app.example.com/callback"
IDP = "https://idp.example.test/metadata"
SSO = "https://idp.example.test/sso"
EMAIL = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
NS = {"samlp": SAMLP, "saml": SAML}


def key_and_certificate(name):
    """An RSA key and its self-signed certificate, valid from yesterday for a year."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return key, cert


IDP_KEY, IDP_CERT = key_and_certificate("idp.example.test signing")
OTHER_KEY, OTHER_CERT = key_and_certificate("idp.example.test")


def metadata(entity_id=IDP):
    der = base64.b64encode(IDP_CERT.public_bytes(serialization.Encoding.DER)).decode()
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
    xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{entity_id}">
  <md:IDPSSODescriptor protocolSupportEnumeration="{SAMLP}">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>{der}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="https://idp.example.test/slo"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
        Location="{SSO}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"""


def instant(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def saml_response(
    *,
    acs,
    audience,
    in_response_to=None,
    name_id="jdoe@example.com",
    attributes=None,
    lifetime=datetime.timedelta(minutes=5),
    key=IDP_KEY,
    cert=IDP_CERT,
    tamper=None,
):
    """A Response as an identity provider posts it, base64: its assertion signed
    (exclusive canonicalization, RSA-SHA256) by `key`, then `tamper` applied."""
    now = datetime.datetime.now(datetime.timezone.utc)
    irt = f" InResponseTo={quoteattr(in_response_to)}" if in_response_to else ""
    assertion_id = "_" + secrets.token_hex(20)
    values = attributes or {
        EMAIL: ["jdoe@example.com"],
        "given_name": ["Jane"],
        "groups": ["admins", "staff"],
    }
    statements = "".join(
        f'<saml:Attribute Name={quoteattr(name)}>'
        + "".join(f"<saml:AttributeValue>{escape(v)}</saml:AttributeValue>" for v in vs)
        + "</saml:Attribute>"
        for name, vs in values.items()
    )
    xml = f"""<samlp:Response xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" Version="2.0"
    ID="_{secrets.token_hex(20)}" IssueInstant="{instant(now)}" Destination={quoteattr(acs)}{irt}>
  <saml:Issuer>{IDP}</saml:Issuer>
  <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
  <saml:Assertion Version="2.0" ID="{assertion_id}" IssueInstant="{instant(now)}">
    <saml:Issuer>{IDP}</saml:Issuer>
    <saml:Subject>
      <saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">{escape(name_id)}</saml:NameID>
      <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
        <saml:SubjectConfirmationData Recipient={quoteattr(acs)} NotOnOrAfter="{instant(now + lifetime)}"{irt}/>
      </saml:SubjectConfirmation>
    </saml:Subject>
    <saml:Conditions NotBefore="{instant(now - datetime.timedelta(seconds=30))}" NotOnOrAfter="{instant(now + lifetime)}">
      <saml:AudienceRestriction><saml:Audience>{escape(audience)}</saml:Audience></saml:AudienceRestriction>
    </saml:Conditions>
    <saml:AuthnStatement AuthnInstant="{instant(now)}" SessionIndex="_s{secrets.token_hex(8)}">
      <saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>
    </saml:AuthnStatement>
    <saml:AttributeStatement>{statements}</saml:AttributeStatement>
  </saml:Assertion>
</samlp:Response>"""
    root = etree.fromstring(xml.encode())
    assertion = root.find("saml:Assertion", NS)
    # SAML Core §5.4.2: the signature follows the assertion's Issuer.
    assertion.insert(1, etree.Element("{http://www.w3.org/2000/09/xmldsig#}Signature", Id="placeholder"))
    signer = XMLSigner(
        method=methods.enveloped,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    signed = signer.sign(
        root,
        key=key,
        cert=cert.public_bytes(serialization.Encoding.PEM).decode(),
        reference_uri=[
            SignatureReference(
                URI="#" + assertion_id,
                c14n_method=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
            )
        ],
    )
    if tamper:
        tamper(signed)
    return base64.b64encode(etree.tostring(signed)).decode()


def change_given_name(root):
    value = root.find(".//saml:Attribute[@Name='given_name']/saml:AttributeValue", NS)
    value.text = "Mallory"


class MetadataHost:
    """The identity provider's metadata served over HTTP at `url`."""

    def __init__(self, document):
        body = document.encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                status = 200 if self.path == "/metadata" else 404
                self.send_response(status)
                self.send_header("Content-Type", "application/samlmetadata+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/metadata"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def server():
    server = OwnServer()
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def metadata_host():
    host = MetadataHost(metadata())
    yield host
    host.stop()


@pytest.fixture(scope="module")
def saml(server, metadata_host):
    """A pool with a domain, the SAML providers Corp (a MetadataFile, IdP-initiated
    sign-in not allowed) and Portal (a MetadataURL, IDPInit true), and an app client
    for each."""
    cognito = support.make_client(server)
    pool = cognito.create_user_pool(
        PoolName=support.unique_name("saml"),
        Schema=[{"Name": "groups", "AttributeDataType": "String", "Mutable": True}],
    )["UserPool"]["Id"]
    domain = support.unique_name("saml")
    cognito.create_user_pool_domain(UserPoolId=pool, Domain=domain)
    mapping = {"email": EMAIL, "given_name": "given_name", "custom:groups": "groups"}
    cognito.create_identity_provider(
        UserPoolId=pool,
        ProviderName="Corp",
        ProviderType="SAML",
        ProviderDetails={"MetadataFile": metadata()},
        AttributeMapping=mapping,
        IdpIdentifiers=["corp.example"],
    )
    cognito.create_identity_provider(
        UserPoolId=pool,
        ProviderName="Portal",
        ProviderType="SAML",
        ProviderDetails={"MetadataURL": metadata_host.url, "IDPInit": "true"},
        AttributeMapping=mapping,
    )

    def client(provider):
        return cognito.create_user_pool_client(
            UserPoolId=pool,
            ClientName=provider,
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["code"],
            AllowedOAuthScopes=["openid", "email", "profile"],
            SupportedIdentityProviders=[provider],
            CallbackURLs=[CALLBACK],
        )["UserPoolClient"]["ClientId"]

    base = f"{server}/{domain}"
    # The server is the module's own: it ends with the module, its pools with it.
    return {
        "cognito": cognito,
        "pool": pool,
        "base": base,
        "acs": f"{base}/saml2/idpresponse",
        "sp": f"urn:amazon:cognito:sp:{pool}",
        "corp": client("Corp"),
        "portal": client("Portal"),
    }


def authorize(saml, client, **extra):
    """The browser asks to sign in through the client's provider: answers the
    AuthnRequest (parsed) and the RelayState of the redirect it is sent."""
    params = {
        "client_id": saml[client],
        "response_type": "code",
        "redirect_uri": CALLBACK,
        "scope": "openid email profile",
        "state": "st-1",
        **extra,
    }
    answer = requests.get(f"{saml['base']}/oauth2/authorize", params=params, allow_redirects=False)
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    assert location.startswith(SSO + "?"), location
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
    deflated = base64.b64decode(query["SAMLRequest"][0])
    request = etree.fromstring(zlib.decompress(deflated, -15))
    return request, query["RelayState"][0]


def post(saml, response, relay_state):
    return requests.post(
        saml["acs"],
        data={"SAMLResponse": response, "RelayState": relay_state},
        allow_redirects=False,
    )


def callback_params(answer):
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    assert location.startswith(CALLBACK + "?"), location
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


def id_token(saml, client, code):
    answer = requests.post(
        f"{saml['base']}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "client_id": saml[client],
            "code": code,
            "redirect_uri": CALLBACK,
        },
    )
    assert answer.status_code == 200, answer.text
    token = answer.json()["id_token"]
    server = saml["base"].rsplit("/", 1)[0]
    config = requests.get(f"{server}/{saml['pool']}/.well-known/openid-configuration").json()
    key = jwt.PyJWKClient(config["jwks_uri"], cache_keys=False).get_signing_key_from_jwt(token)
    return jwt.decode(
        token, key.key, algorithms=["RS256"], issuer=config["issuer"], audience=saml[client]
    )


def refusal(answer):
    """The error the app's callback is sent, with the authorization's state."""
    params = callback_params(answer)
    assert params["state"] == "st-1"
    assert params["error"] == "invalid_request"
    return params["error_description"]


def test_sp_initiated_sign_in_ends_in_tokens_for_the_name_id(saml):
    request, relay_state = authorize(saml, "corp")
    assert request.tag == f"{{{SAMLP}}}AuthnRequest"
    assert request.get("AssertionConsumerServiceURL") == saml["acs"]
    assert request.get("Destination") == SSO
    assert request.get("ProtocolBinding") == "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
    assert request.findtext("saml:Issuer", namespaces=NS) == saml["sp"]
    issued = datetime.datetime.strptime(request.get("IssueInstant"), "%Y-%m-%dT%H:%M:%SZ")
    issued = issued.replace(tzinfo=datetime.timezone.utc)
    assert abs(datetime.datetime.now(datetime.timezone.utc) - issued) < datetime.timedelta(minutes=1)

    response = saml_response(acs=saml["acs"], audience=saml["sp"], in_response_to=request.get("ID"))
    params = callback_params(post(saml, response, relay_state))
    assert params["state"] == "st-1"
    claims = id_token(saml, "corp", params["code"])
    assert claims["cognito:username"] == "Corp_jdoe@example.com"
    assert claims["email"] == "jdoe@example.com"
    assert claims["given_name"] == "Jane"
    assert claims["custom:groups"] == "[admins, staff]"
    [identity] = claims["identities"]
    assert identity["providerName"] == "Corp"
    assert identity["providerType"] == "SAML"
    assert identity["userId"] == "jdoe@example.com"
    assert identity["issuer"] == IDP

    # The same RelayState, and with it the same response, finishes nothing again.
    answer = post(saml, response, relay_state)
    assert answer.status_code == 400
    assert "Invalid samlResponse or relayState from identity provider" in answer.text


def test_the_provider_may_be_named_by_its_identifier(saml):
    request, relay_state = authorize(saml, "corp", idp_identifier="corp.example")
    response = saml_response(
        acs=saml["acs"], audience=saml["sp"], in_response_to=request.get("ID"), name_id="ann"
    )
    params = callback_params(post(saml, response, relay_state))
    assert id_token(saml, "corp", params["code"])["cognito:username"] == "Corp_ann"


@pytest.mark.parametrize(
    "change, why",
    [
        ({"tamper": change_given_name}, "the digest of the signed element does not match"),
        ({"audience": "urn:amazon:cognito:sp:us-east-1_Other0000"}, "audience does not include"),
        ({"lifetime": datetime.timedelta(minutes=-5)}, "the assertion has expired"),
        ({"key": OTHER_KEY, "cert": OTHER_CERT}, "the signature is invalid"),
        ({"in_response_to": "_" + "0" * 40}, "the response answers request"),
    ],
    ids=["changed-attribute", "wrong-audience", "expired", "another-key", "another-request"],
)
def test_responses_that_break_a_rule_are_refused(saml, change, why):
    request, relay_state = authorize(saml, "corp")
    fields = {"acs": saml["acs"], "audience": saml["sp"], "in_response_to": request.get("ID")}
    fields.update(change)
    description = refusal(post(saml, saml_response(**fields), relay_state))
    assert description.startswith("Invalid SAML response received: "), description
    assert why in description, description


def test_a_replayed_assertion_is_refused(saml):
    relay_state = urllib.parse.urlencode(
        {
            "client_id": saml["portal"],
            "response_type": "code",
            "redirect_uri": CALLBACK,
            "scope": "openid email",
            "state": "st-1",
            "identity_provider": "Portal",
        }
    )
    response = saml_response(acs=saml["acs"], audience=saml["sp"], name_id="replayed")
    params = callback_params(post(saml, response, relay_state))
    assert "code" in params, params
    description = refusal(post(saml, response, relay_state))
    assert description == "Invalid SAML response received: the assertion has already been used."


def test_idp_initiated_sign_in_follows_idp_init(saml):
    # Portal allows it: the RelayState carries the authorization request.
    relay_state = urllib.parse.urlencode(
        {
            "client_id": saml["portal"],
            "response_type": "code",
            "redirect_uri": CALLBACK,
            "scope": "openid email",
            "state": "st-1",
            "identity_provider": "Portal",
        }
    )
    response = saml_response(acs=saml["acs"], audience=saml["sp"], name_id="kim")
    params = callback_params(post(saml, response, relay_state))
    claims = id_token(saml, "portal", params["code"])
    assert claims["cognito:username"] == "Portal_kim"
    assert claims["identities"][0]["providerType"] == "SAML"

    # A response answering a request is no IdP-initiated one.
    response = saml_response(
        acs=saml["acs"], audience=saml["sp"], name_id="kim", in_response_to="_" + "1" * 40
    )
    description = refusal(post(saml, response, relay_state))
    assert "must answer no request" in description, description

    # Corp does not allow it.
    relay_state = urllib.parse.urlencode(
        {
            "client_id": saml["corp"],
            "response_type": "code",
            "redirect_uri": CALLBACK,
            "scope": "openid",
            "state": "st-1",
            "identity_provider": "Corp",
        }
    )
    response = saml_response(acs=saml["acs"], audience=saml["sp"], name_id="kim")
    description = refusal(post(saml, response, relay_state))
    assert description == "IdP-initiated sign-in is not enabled for the identity provider Corp."


def test_metadata_url_is_read_when_the_provider_is_saved(saml, metadata_host):
    provider = saml["cognito"].describe_identity_provider(UserPoolId=saml["pool"], ProviderName="Portal")
    details = provider["IdentityProvider"]["ProviderDetails"]
    assert details["MetadataURL"] == metadata_host.url
    assert details["SSORedirectBindingURI"] == SSO
    assert details["SLORedirectBindingURI"] == "https://idp.example.test/slo"
    with pytest.raises(saml["cognito"].exceptions.InvalidParameterException) as excinfo:
        saml["cognito"].create_identity_provider(
            UserPoolId=saml["pool"],
            ProviderName="Missing",
            ProviderType="SAML",
            ProviderDetails={"MetadataURL": metadata_host.url.replace("/metadata", "/gone")},
        )
    assert support.error_of(excinfo)[1].startswith("Non-ok status code 404 returned from remote metadata source")
