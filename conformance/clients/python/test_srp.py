"""SRP sign-in through pycognito, as Python applications do it (USER_SRP_AUTH,
then PASSWORD_VERIFIER), and the tokens it gets checked the way a resource
server checks them: signatures against the pool's JWKS, `iss` against the
OpenID discovery document. The signing certificate carries the same key."""

import base64
import json

import jwt
import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from pycognito import Cognito
from pycognito.exceptions import ForceChangePasswordException

from accounts import NEW_PASSWORD, OTHER_PASSWORD, PASSWORD, confirmed_user, get_json
from support import REGION, error_of

SRP_FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def b64url_int(value):
    return int.from_bytes(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)), "big")


@pytest.fixture
def srp_app(cognito, pool):
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName="srp", ExplicitAuthFlows=SRP_FLOWS
    )["UserPoolClient"]["ClientId"]
    return pool["Id"], client_id


def pycognito_user(endpoint, pool_id, client_id, username):
    """A pycognito user whose boto3 client talks to the emulator. SRP needs no
    AWS credentials: InitiateAuth and RespondToAuthChallenge are unsigned."""
    return Cognito(
        pool_id,
        client_id,
        username=username,
        user_pool_region=REGION,
        boto3_client_kwargs={"endpoint_url": endpoint},
    )


def discovery(endpoint, pool_id):
    return get_json(f"{endpoint}/{pool_id}/.well-known/openid-configuration")


def verify(token, config, audience=None):
    """Verifies an RS256 token against the discovery document's JWKS and issuer."""
    key = jwt.PyJWKClient(config["jwks_uri"], cache_keys=False).get_signing_key_from_jwt(token)
    return jwt.decode(
        token,
        key.key,
        algorithms=["RS256"],
        issuer=config["issuer"],
        audience=audience,
        options={"require": ["exp", "iat", "iss", "sub"], "verify_aud": audience is not None},
    )


def test_discovery_document_points_at_the_pool(endpoint, pool):
    config = discovery(endpoint, pool["Id"])
    assert config["issuer"].endswith(f"/{pool['Id']}")
    assert config["jwks_uri"] == f"{config['issuer']}/.well-known/jwks.json"
    assert "RS256" in config["id_token_signing_alg_values_supported"]
    keys = get_json(config["jwks_uri"])["keys"]
    assert keys and all(k["kty"] == "RSA" and k["alg"] == "RS256" for k in keys)
    assert all(k["use"] == "sig" and k["kid"] and k["e"] and k["n"] for k in keys)


def test_srp_sign_in_with_pycognito(cognito, endpoint, srp_app):
    pool_id, client_id = srp_app
    confirmed_user(cognito, pool_id, "sally", attrs={"email": "sally@example.com"})

    user = pycognito_user(endpoint, pool_id, client_id, "sally")
    # authenticate() runs SRP, then verifies both tokens itself against
    # {endpoint}/{pool_id}/.well-known/jwks.json with that issuer.
    user.authenticate(password=PASSWORD)
    assert user.token_type == "Bearer"
    assert user.refresh_token
    assert user.id_claims["cognito:username"] == "sally"
    assert user.access_claims["username"] == "sally"

    config = discovery(endpoint, pool_id)
    id_claims = verify(user.id_token, config, audience=client_id)
    assert id_claims["token_use"] == "id"
    assert id_claims["email"] == "sally@example.com"
    assert id_claims["cognito:username"] == "sally"

    access_claims = verify(user.access_token, config)
    assert access_claims["token_use"] == "access"
    assert access_claims["client_id"] == client_id
    assert access_claims["sub"] == id_claims["sub"]

    # The tokens work with the API, and the refresh token renews them.
    details = user.get_user()
    assert details.username == "sally"
    assert details.email == "sally@example.com"
    first_access = user.access_token
    user.renew_access_token()
    assert user.access_token and user.access_token != first_access
    assert verify(user.access_token, config)["username"] == "sally"


def test_a_tampered_token_fails_verification(cognito, endpoint, srp_app):
    pool_id, client_id = srp_app
    confirmed_user(cognito, pool_id, "tom")
    user = pycognito_user(endpoint, pool_id, client_id, "tom")
    user.authenticate(password=PASSWORD)
    config = discovery(endpoint, pool_id)

    header, payload, signature = user.id_token.split(".")
    claims = jwt.decode(user.id_token, options={"verify_signature": False})
    claims["cognito:username"] = "someone-else"
    forged_payload = (
        base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    )
    with pytest.raises(jwt.InvalidSignatureError):
        verify(f"{header}.{forged_payload}.{signature}", config, audience=client_id)

    # Another pool's issuer is not this pool's.
    other = dict(config, issuer=config["issuer"] + "x")
    with pytest.raises(jwt.InvalidIssuerError):
        verify(user.id_token, other, audience=client_id)


def test_srp_with_a_wrong_password_fails(cognito, endpoint, srp_app):
    pool_id, client_id = srp_app
    confirmed_user(cognito, pool_id, "uma")
    user = pycognito_user(endpoint, pool_id, client_id, "uma")
    with pytest.raises(ClientError) as excinfo:
        user.authenticate(password=OTHER_PASSWORD)
    assert error_of(excinfo) == ("NotAuthorizedException", "Incorrect username or password.")
    assert user.access_token is None


def test_srp_sign_in_with_an_email_address(cognito, endpoint, make_pool):
    # Where users sign in with their email address, SRP runs over the user's
    # internal name (USER_ID_FOR_SRP), which pycognito takes from the challenge.
    pool = make_pool(UsernameAttributes=["email"])
    pool_id = pool["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="srp", ExplicitAuthFlows=SRP_FLOWS
    )["UserPoolClient"]["ClientId"]
    confirmed_user(cognito, pool_id, "vic@example.com")

    user = pycognito_user(endpoint, pool_id, client_id, "vic@example.com")
    user.authenticate(password=PASSWORD)
    assert user.id_claims["email"] == "vic@example.com"
    assert user.access_claims["username"] == user.id_claims["sub"]


def test_srp_new_password_required(cognito, endpoint, srp_app):
    pool_id, client_id = srp_app
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="wes",
        TemporaryPassword="Temp0rary!Pass",
        MessageAction="SUPPRESS",
    )
    user = pycognito_user(endpoint, pool_id, client_id, "wes")
    with pytest.raises(ForceChangePasswordException):
        user.authenticate(password="Temp0rary!Pass")

    user.new_password_challenge("Temp0rary!Pass", NEW_PASSWORD)
    assert user.access_claims["username"] == "wes"
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="wes")["UserStatus"] == "CONFIRMED"

    again = pycognito_user(endpoint, pool_id, client_id, "wes")
    again.authenticate(password=NEW_PASSWORD)
    assert again.id_claims["cognito:username"] == "wes"


def test_signing_certificate_carries_the_jwks_key(cognito, endpoint, pool):
    pem = cognito.get_signing_certificate(UserPoolId=pool["Id"])["Certificate"]
    # The API model says only "the signing certificate": read PEM armour when
    # it is there, bare base64 DER otherwise.
    if pem.lstrip().startswith("-----BEGIN CERTIFICATE-----"):
        certificate = x509.load_pem_x509_certificate(pem.encode())
    else:
        certificate = x509.load_der_x509_certificate(base64.b64decode(pem))
    numbers = certificate.public_key().public_numbers()

    config = discovery(endpoint, pool["Id"])
    [key] = get_json(config["jwks_uri"])["keys"]
    assert numbers.n == b64url_int(key["n"])
    assert numbers.e == b64url_int(key["e"])
