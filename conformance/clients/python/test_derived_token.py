"""Token exchange (RFC 8693) as a service acting for a user does it: boto3's
get_derived_token, and the token endpoint's token-exchange grant with requests.
The user's token comes from the authorization code grant (a code minted by the
test API) so that it carries custom scopes. Issued tokens are verified with
PyJWT against the pool's JWKS: impersonation and delegation (act), audience
binding, scope narrowing, ID tokens, and the refusals."""

import jwt
import pytest
import requests
from botocore.exceptions import ClientError

from accounts import confirmed_user
from support import error_of, unique_name

CALLBACK = "https://app.example.com/callback"
GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token"
ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token"
BACKEND = "https://backend.example.com"


@pytest.fixture
def setup(cognito, endpoint, pool, make_app_client):
    """A domain; a resource server (read, write); web, a public client allowed
    the code grant; agent, a client with a secret allowed both kinds of
    exchange and the client credentials grant for <server>/read, its tokens
    lasting 30 minutes; alice, and her access token from web with the scopes
    openid, <server>/read and <server>/write."""
    server = unique_name("orders")
    cognito.create_resource_server(
        UserPoolId=pool["Id"],
        Identifier=server,
        Name="orders",
        Scopes=[
            {"ScopeName": "read", "ScopeDescription": "read"},
            {"ScopeName": "write", "ScopeDescription": "write"},
        ],
    )
    domain = unique_name("exchange")
    cognito.create_user_pool_domain(UserPoolId=pool["Id"], Domain=domain)
    scopes = ["openid", "email", f"{server}/read", f"{server}/write"]
    web = make_app_client(
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=scopes,
        SupportedIdentityProviders=["COGNITO"],
        CallbackURLs=[CALLBACK],
    )
    agent = make_app_client(
        GenerateSecret=True,
        ExplicitAuthFlows=[
            "ALLOW_TOKEN_EXCHANGE_IMPERSONATION",
            "ALLOW_TOKEN_EXCHANGE_DELEGATION",
        ],
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=[f"{server}/read"],
        AccessTokenValidity=30,
        TokenValidityUnits={"AccessToken": "minutes"},
    )
    confirmed_user(cognito, pool["Id"], "alice", attrs={"email": "alice@example.com"})
    minted = requests.post(
        f"{endpoint}/_cognito/authorization-codes",
        json={
            "pool_id": pool["Id"],
            "client_id": web["ClientId"],
            "username": "alice",
            "redirect_uri": CALLBACK,
            "scope": "openid email " + " ".join(scopes[2:]),
        },
    )
    assert minted.status_code == 200, minted.text
    tokens = requests.post(
        f"{endpoint}/{domain}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "client_id": web["ClientId"],
            "code": minted.json()["code"],
            "redirect_uri": CALLBACK,
        },
    )
    assert tokens.status_code == 200, tokens.text
    return {
        "pool": pool["Id"],
        "domain": domain,
        "server": server,
        "agent": agent["ClientId"],
        "secret": agent["ClientSecret"],
        "subject": tokens.json()["access_token"],
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


def derive(cognito, setup, **kwargs):
    kwargs.setdefault("ClientId", setup["agent"])
    kwargs.setdefault("ClientSecret", setup["secret"])
    kwargs.setdefault("SubjectToken", setup["subject"])
    kwargs.setdefault("SubjectTokenType", "ACCESS_TOKEN")
    return cognito.get_derived_token(**kwargs)


def exchange(endpoint, setup, **form):
    return requests.post(
        f"{endpoint}/{setup['domain']}/oauth2/token",
        data={
            "grant_type": GRANT,
            "subject_token": setup["subject"],
            "subject_token_type": ACCESS_TOKEN,
            **form,
        },
        auth=(setup["agent"], setup["secret"]),
    )


def test_impersonation_narrows_scopes_and_binds_the_audience(cognito, endpoint, setup):
    server = setup["server"]
    answer = derive(
        cognito,
        setup,
        Scopes=[f"{server}/read", f"{server}/write"],
        Audiences=[BACKEND],
    )
    assert answer["TokenType"] == "Bearer"
    assert answer["IssuedTokenType"] == "ACCESS_TOKEN"
    assert answer["ExpiresIn"] == 1800
    # write is the user's, but not the agent's to have.
    assert answer["Scopes"] == [f"{server}/read"]
    claims = verify(endpoint, setup["pool"], answer["IssuedToken"], audience=BACKEND)
    subject = verify(endpoint, setup["pool"], setup["subject"])
    assert claims["sub"] == subject["sub"]
    assert claims["username"] == "alice"
    assert claims["client_id"] == setup["agent"]
    assert claims["token_use"] == "access"
    assert claims["scope"] == f"{server}/read"
    assert claims["exp"] - claims["iat"] == 1800
    assert "act" not in claims
    # A downstream service that expects another audience refuses it.
    with pytest.raises(jwt.InvalidAudienceError):
        verify(endpoint, setup["pool"], answer["IssuedToken"], audience="https://other.example")

    # Without scopes, the subject token's are kept.
    kept = derive(cognito, setup)
    assert sorted(kept["Scopes"]) == sorted(subject["scope"].split(" "))


def test_delegation_names_the_actor(cognito, endpoint, setup):
    actor = cognito.get_client_token(ClientId=setup["agent"], Secret=setup["secret"])
    actor = actor["ClientAuthenticationResult"]["AccessToken"]
    answer = derive(
        cognito,
        setup,
        ActorToken=actor,
        ActorTokenType="ACCESS_TOKEN",
        Resources=[setup["server"]],
    )
    claims = verify(endpoint, setup["pool"], answer["IssuedToken"], audience=setup["server"])
    assert claims["act"] == {"sub": setup["agent"]}
    assert claims["username"] == "alice"


def test_an_id_token_on_request(cognito, endpoint, setup):
    answer = derive(cognito, setup, RequestedTokenType="ID_TOKEN")
    assert answer["IssuedTokenType"] == "ID_TOKEN"
    assert answer["TokenType"] == "N_A"
    claims = verify(endpoint, setup["pool"], answer["IssuedToken"], audience=setup["agent"])
    assert claims["token_use"] == "id"
    assert claims["cognito:username"] == "alice"
    assert claims["email"] == "alice@example.com"


def test_refusals(cognito, setup, make_app_client):
    server = setup["server"]
    cases = [
        ({"ClientSecret": "x" * 51}, "NotAuthorizedException"),
        ({"SubjectToken": "not.a.token"}, "NotAuthorizedException"),
        ({"SubjectTokenType": "ID_TOKEN"}, "NotAuthorizedException"),
        ({"Audiences": [BACKEND], "Resources": [server]}, "InvalidParameterException"),
        ({"Resources": ["no-such-server"]}, "InvalidParameterException"),
        ({"Scopes": ["email"]}, "InvalidParameterException"),
        ({"ActorToken": setup["subject"]}, "InvalidParameterException"),
        ({"SubjectTokenType": "SAML2"}, "InvalidParameterException"),
    ]
    for extra, code in cases:
        with pytest.raises(ClientError) as e:
            derive(cognito, setup, **extra)
        assert error_of(e)[0] == code, extra

    # A client allowed delegation only cannot impersonate.
    delegating = make_app_client(ExplicitAuthFlows=["ALLOW_TOKEN_EXCHANGE_DELEGATION"])
    with pytest.raises(ClientError) as e:
        cognito.get_derived_token(
            ClientId=delegating["ClientId"],
            SubjectToken=setup["subject"],
            SubjectTokenType="ACCESS_TOKEN",
        )
    assert error_of(e)[0] == "OperationNotEnabledException"


def test_token_endpoint(endpoint, setup):
    server = setup["server"]
    answer = exchange(endpoint, setup, audience=BACKEND, scope=f"{server}/read openid")
    assert answer.status_code == 200, answer.text
    assert answer.headers["Cache-Control"] == "no-store"
    body = answer.json()
    assert body["issued_token_type"] == ACCESS_TOKEN
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 1800
    assert body["scope"] == f"{server}/read"
    assert "refresh_token" not in body
    claims = verify(endpoint, setup["pool"], body["access_token"], audience=BACKEND)
    assert claims["client_id"] == setup["agent"]

    # Delegation, with alice's own access token as the actor, for an ID token.
    delegated = exchange(
        endpoint,
        setup,
        actor_token=setup["subject"],
        actor_token_type=ACCESS_TOKEN,
        requested_token_type=ID_TOKEN,
    )
    assert delegated.status_code == 200, delegated.text
    body = delegated.json()
    assert (body["issued_token_type"], body["token_type"]) == (ID_TOKEN, "N_A")
    claims = verify(endpoint, setup["pool"], body["access_token"], audience=setup["agent"])
    assert claims["act"]["sub"] == claims["sub"]

    refusals = [
        ({"audience": [BACKEND, "https://other.example.com"]}, 400, "invalid_target"),
        ({"resource": "no-such-server"}, 400, "invalid_target"),
        ({"subject_token": "not.a.token"}, 400, "invalid_request"),
        ({"actor_token": setup["subject"]}, 400, "invalid_request"),
        ({"subject_token_type": "urn:ietf:params:oauth:token-type:jwt"}, 400, "invalid_request"),
        ({"scope": "email"}, 400, "invalid_scope"),
    ]
    for form, status, code in refusals:
        answer = exchange(endpoint, setup, **form)
        assert (answer.status_code, answer.json()["error"]) == (status, code), form

    wrong = requests.post(
        f"{endpoint}/{setup['domain']}/oauth2/token",
        data={
            "grant_type": GRANT,
            "subject_token": setup["subject"],
            "subject_token_type": ACCESS_TOKEN,
        },
        auth=(setup["agent"], "wrong"),
    )
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
