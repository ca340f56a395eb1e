"""Machine-to-machine tokens: boto3's get_client_token, and the token
endpoint's client credentials grant (requests, as a service would call it),
for an app client allowed the grant and the custom scopes of a resource
server. Tokens are verified with PyJWT against the pool's JWKS."""

import base64

import jwt
import pytest
import requests
from botocore.exceptions import ClientError

from support import error_of, unique_name


@pytest.fixture
def machine(cognito, pool, make_app_client):
    """A resource server (read, write), a domain, and a client allowed the
    client credentials grant for both scopes, with a 15-minute access token."""
    server = unique_name("api")
    cognito.create_resource_server(
        UserPoolId=pool["Id"],
        Identifier=server,
        Name="api",
        Scopes=[
            {"ScopeName": "read", "ScopeDescription": "read"},
            {"ScopeName": "write", "ScopeDescription": "write"},
        ],
    )
    domain = unique_name("m2m")
    cognito.create_user_pool_domain(UserPoolId=pool["Id"], Domain=domain)
    client = make_app_client(
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=[f"{server}/read", f"{server}/write"],
        AccessTokenValidity=15,
        TokenValidityUnits={"AccessToken": "minutes"},
    )
    return {
        "pool": pool["Id"],
        "server": server,
        "domain": domain,
        "id": client["ClientId"],
        "secret": client["ClientSecret"],
    }


def verify(endpoint, pool_id, token):
    config = requests.get(f"{endpoint}/{pool_id}/.well-known/openid-configuration").json()
    key = jwt.PyJWKClient(config["jwks_uri"], cache_keys=False).get_signing_key_from_jwt(token)
    return jwt.decode(
        token,
        key.key,
        algorithms=["RS256"],
        issuer=config["issuer"],
        options={"require": ["exp", "iat", "iss", "sub"], "verify_aud": False},
    )


def test_get_client_token_issues_an_access_token_for_the_client(cognito, endpoint, machine):
    answer = cognito.get_client_token(ClientId=machine["id"], Secret=machine["secret"])
    result = answer["ClientAuthenticationResult"]
    assert result["TokenType"] == "Bearer"
    assert result["ExpiresIn"] == 900
    claims = verify(endpoint, machine["pool"], result["AccessToken"])
    server = machine["server"]
    assert claims["sub"] == machine["id"]
    assert claims["client_id"] == machine["id"]
    assert claims["token_use"] == "access"
    assert claims["scope"] == f"{server}/read {server}/write"
    assert claims["version"] == 2
    assert claims["exp"] - claims["iat"] == 900
    assert "username" not in claims

    one = cognito.get_client_token(
        ClientId=machine["id"], Secret=machine["secret"], Scopes=[f"{server}/write"]
    )
    claims = verify(endpoint, machine["pool"], one["ClientAuthenticationResult"]["AccessToken"])
    assert claims["scope"] == f"{server}/write"


def test_get_client_token_refusals(cognito, machine, make_app_client):
    wrong = "x" * len(machine["secret"])
    with pytest.raises(ClientError) as e:
        cognito.get_client_token(ClientId=machine["id"], Secret=wrong)
    assert error_of(e)[0] == "NotAuthorizedException"

    with pytest.raises(ClientError) as e:
        cognito.get_client_token(
            ClientId=machine["id"],
            Secret=machine["secret"],
            Scopes=[f"{machine['server']}/delete"],
        )
    assert error_of(e)[0] == "InvalidParameterException"

    # A client with a secret that is not allowed the grant.
    web = make_app_client(
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"],
        CallbackURLs=["https://example.com/callback"],
    )
    with pytest.raises(ClientError) as e:
        cognito.get_client_token(ClientId=web["ClientId"], Secret=web["ClientSecret"])
    assert error_of(e)[0] == "NotAuthorizedException"


def test_token_endpoint_by_domain_prefix(endpoint, machine):
    url = f"{endpoint}/{machine['domain']}/oauth2/token"
    # client_secret_basic, as requests' HTTP basic authentication sends it.
    answer = requests.post(
        url,
        data={"grant_type": "client_credentials", "scope": f"{machine['server']}/read"},
        auth=(machine["id"], machine["secret"]),
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    claims = verify(endpoint, machine["pool"], body["access_token"])
    assert claims["scope"] == f"{machine['server']}/read"

    # client_secret_post.
    answer = requests.post(
        url,
        data={
            "grant_type": "client_credentials",
            "client_id": machine["id"],
            "client_secret": machine["secret"],
        },
    )
    assert answer.status_code == 200, answer.text

    # A wrong secret, in the header.
    basic = base64.b64encode(f"{machine['id']}:wrong".encode()).decode()
    answer = requests.post(
        url,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert answer.status_code == 401
    assert answer.json() == {"error": "invalid_client"}
    answer = requests.post(
        url,
        data={"grant_type": "client_credentials", "scope": "nothing/here"},
        auth=(machine["id"], machine["secret"]),
    )
    assert (answer.status_code, answer.json()) == (400, {"error": "invalid_scope"})
