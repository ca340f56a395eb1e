"""The authorization code grant as a confidential web application does it with
requests: a code minted by the test API (the sign-in pages are not served yet)
with an S256 PKCE challenge, exchanged at the token endpoint with
client_secret_basic, then the refresh token grant, userInfo and revocation.
The refresh token of an API sign-in (boto3) refreshes at the token endpoint
too. Tokens are verified with PyJWT against the pool's JWKS."""

import base64
import hashlib
import secrets

import jwt
import pytest
import requests

from accounts import PASSWORD, confirmed_user, secret_hash
from support import unique_name

CALLBACK = "https://app.example.com/callback"


@pytest.fixture
def web(cognito, pool, make_app_client):
    """A domain, the user alice and a client with a secret allowed the code
    grant and the password flow."""
    domain = unique_name("web")
    cognito.create_user_pool_domain(UserPoolId=pool["Id"], Domain=domain)
    client = make_app_client(
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email", "phone", "aws.cognito.signin.user.admin"],
        SupportedIdentityProviders=["COGNITO"],
        CallbackURLs=[CALLBACK],
    )
    confirmed_user(
        cognito,
        pool["Id"],
        "alice",
        attrs={"email": "alice@example.com", "phone_number": "+15555550100"},
    )
    return {
        "pool": pool["Id"],
        "domain": domain,
        "id": client["ClientId"],
        "secret": client["ClientSecret"],
    }


def verify(endpoint, pool_id, token, audience=None):
    config = requests.get(f"{endpoint}/{pool_id}/.well-known/openid-configuration").json()
    key = jwt.PyJWKClient(config["jwks_uri"], cache_keys=False).get_signing_key_from_jwt(token)
    return jwt.decode(
        token,
        key.key,
        algorithms=["RS256"],
        issuer=config["issuer"],
        audience=audience,
        options={"require": ["exp", "iat", "iss", "sub"], "verify_aud": audience is not None},
    )


def pkce():
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def mint(endpoint, web, **extra):
    answer = requests.post(
        f"{endpoint}/_cognito/authorization-codes",
        json={
            "pool_id": web["pool"],
            "client_id": web["id"],
            "username": "alice",
            "redirect_uri": CALLBACK,
            **extra,
        },
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def token(endpoint, web, **form):
    return requests.post(
        f"{endpoint}/{web['domain']}/oauth2/token",
        data=form,
        auth=(web["id"], web["secret"]),
    )


def test_code_exchange_refresh_user_info_and_revocation(endpoint, web):
    verifier, challenge = pkce()
    minted = mint(
        endpoint,
        web,
        scope="openid email",
        code_challenge=challenge,
        code_challenge_method="S256",
        nonce="py-nonce",
        state="xyz",
    )
    assert minted["redirect"] == f"{CALLBACK}?code={minted['code']}&state=xyz"

    answer = token(
        endpoint,
        web,
        grant_type="authorization_code",
        code=minted["code"],
        redirect_uri=CALLBACK,
        code_verifier=verifier,
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["Cache-Control"] == "no-store"
    tokens = answer.json()
    assert tokens["token_type"] == "Bearer"
    access = verify(endpoint, web["pool"], tokens["access_token"])
    assert access["scope"] == "openid email"
    assert access["token_use"] == "access"
    id_token = verify(endpoint, web["pool"], tokens["id_token"], audience=web["id"])
    assert id_token["nonce"] == "py-nonce"
    half = hashlib.sha256(tokens["access_token"].encode()).digest()[:16]
    assert id_token["at_hash"] == base64.urlsafe_b64encode(half).rstrip(b"=").decode()

    # The code is spent.
    again = token(
        endpoint,
        web,
        grant_type="authorization_code",
        code=minted["code"],
        redirect_uri=CALLBACK,
        code_verifier=verifier,
    )
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")

    # A new code (without PKCE): refresh, userInfo, revocation.
    minted = mint(endpoint, web, scope="openid phone")
    tokens = token(
        endpoint,
        web,
        grant_type="authorization_code",
        code=minted["code"],
        redirect_uri=CALLBACK,
    ).json()
    refreshed = token(
        endpoint, web, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert refreshed.status_code == 200, refreshed.text
    access = refreshed.json()["access_token"]
    assert verify(endpoint, web["pool"], access)["scope"] == "openid phone"

    info = requests.get(
        f"{endpoint}/{web['domain']}/oauth2/userInfo",
        headers={"Authorization": f"Bearer {access}"},
    )
    assert info.status_code == 200, info.text
    assert info.json()["phone_number"] == "+15555550100"
    assert "email" not in info.json()

    revoked = requests.post(
        f"{endpoint}/{web['domain']}/oauth2/revoke",
        data={"token": tokens["refresh_token"]},
        auth=(web["id"], web["secret"]),
    )
    assert revoked.status_code == 200, revoked.text
    refused = token(
        endpoint, web, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert (refused.status_code, refused.json()["error"]) == (400, "invalid_grant")


def test_errors(endpoint, web):
    minted = mint(endpoint, web)
    wrong_redirect = token(
        endpoint,
        web,
        grant_type="authorization_code",
        code=minted["code"],
        redirect_uri="https://app.example.com/other",
    )
    assert (wrong_redirect.status_code, wrong_redirect.json()["error"]) == (400, "invalid_grant")

    minted = mint(endpoint, web)
    no_secret = requests.post(
        f"{endpoint}/{web['domain']}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "client_id": web["id"],
            "code": minted["code"],
            "redirect_uri": CALLBACK,
        },
    )
    assert (no_secret.status_code, no_secret.json()["error"]) == (401, "invalid_client")

    info = requests.get(
        f"{endpoint}/{web['domain']}/oauth2/userInfo",
        headers={"Authorization": "Bearer not-a-token"},
    )
    assert info.status_code == 401
    assert info.json()["error"] == "invalid_token"
    assert info.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_api_sign_ins_refresh_token_refreshes_at_the_token_endpoint(cognito, endpoint, web):
    answer = cognito.initiate_auth(
        ClientId=web["id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": "alice",
            "PASSWORD": PASSWORD,
            "SECRET_HASH": secret_hash(web["id"], web["secret"], "alice"),
        },
    )
    refresh = answer["AuthenticationResult"]["RefreshToken"]
    refreshed = token(endpoint, web, grant_type="refresh_token", refresh_token=refresh)
    assert refreshed.status_code == 200, refreshed.text
    body = refreshed.json()
    claims = verify(endpoint, web["pool"], body["access_token"])
    assert claims["scope"] == "aws.cognito.signin.user.admin"
    assert verify(endpoint, web["pool"], body["id_token"], audience=web["id"])["email"] == (
        "alice@example.com"
    )

