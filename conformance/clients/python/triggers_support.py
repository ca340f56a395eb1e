"""What the Lambda trigger tests share: a cognito-server of their own that runs
the Node.js handlers of conformance/clients/triggers/handlers as local
commands (event on standard input, result on standard output), the functions'
ARNs, pools whose LambdaConfig names them, the invocations the server recorded
(`GET /_cognito/trigger-invocations`, see docs/test-api.md) and tokens checked
against the pool's JWKS.

The suite's shared server (COGNITO_ENDPOINT) runs no functions, so these tests
start `COGNITO_SERVER_BIN` (by default the debug build under target/) once per
test session with one `--lambda-command` per function, and stop it when the
session ends. Pools keep the tests apart. Test modules take the fixtures with
`pytest_plugins = ["triggers_support"]`.
"""

import json
import shlex
import shutil
import sys
import urllib.parse
from pathlib import Path

import jwt
import pytest
from botocore.exceptions import ClientError

import support
from own_server import REPO, OwnServer
from accounts import PASSWORD, SIGN_IN_FLOWS, attribute_list, get_json, secret_hash

HANDLERS = REPO / "conformance" / "clients" / "triggers" / "handlers"

# The functions the handlers directory holds, by the name each is deployed
# under (`handlers/<name>.js`).
FUNCTIONS = [
    "pre-sign-up",
    "post-confirmation",
    "pre-authentication",
    "post-authentication",
    "user-migration",
    "custom-message",
    "pre-token-generation-v1",
    "pre-token-generation-v2",
]

# Functions of these tests' own, written in Python below (`handle`), for what
# no handler of the directory does: answers Cognito must refuse.
OWN_FUNCTIONS = ["try-claim"]

BLOCKED_EMAIL_DOMAIN = "blocked.example"
AUTO_EMAIL_DOMAIN = "auto.example"
BLOCKED_MESSAGE = "Sign-ups from blocked.example are not allowed"

LEGACY_USERNAME = "legacy-user"
LEGACY_EMAIL = "legacy@example.com"
LEGACY_PASSWORD = "Legacy-Passw0rd!"


def arn(name):
    """The ARN of function `name`, in the Region and account of the tests."""
    return f"arn:aws:lambda:{support.REGION}:{support.ACCOUNT_ID}:function:{name}"


def handler_command(name):
    """The command that runs handler `name`: Node with the handler's file."""
    node = shutil.which("node") or "node"
    return shlex.join([node, str(HANDLERS / f"{name}.js")])


def own_command(name):
    """The command that runs one of this module's own functions."""
    return shlex.join([sys.executable, str(Path(__file__).resolve()), name])


def trigger_server():
    """A cognito-server running every function of the tests as a command."""
    args = []
    for name in FUNCTIONS:
        args += ["--lambda-command", f"{name}={handler_command(name)}"]
    for name in OWN_FUNCTIONS:
        args += ["--lambda-command", f"{name}={own_command(name)}"]
    return OwnServer(*args)


# Fixtures, which the trigger test modules take through
# `pytest_plugins = ["triggers_support"]`: one server for the whole session.


@pytest.fixture(scope="session")
def trigger_endpoint():
    """The address of the session's server of trigger functions."""
    server = trigger_server()
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def idp(trigger_endpoint):
    """A boto3 cognito-idp client of the trigger server."""
    return support.make_client(trigger_endpoint)


@pytest.fixture
def make_trigger_pool(idp):
    """Creates pools on the trigger server, deleted when the test ends.
    `triggers` maps LambdaConfig members to function names, e.g.
    `{"PreSignUp": "pre-sign-up"}`; other arguments go to CreateUserPool."""
    created = []

    def make(triggers=None, **kwargs):
        kwargs.setdefault("PoolName", support.unique_name("triggers"))
        if triggers:
            kwargs["LambdaConfig"] = lambda_config(triggers)
        pool = idp.create_user_pool(**kwargs)["UserPool"]
        created.append(pool["Id"])
        return pool

    yield make
    for pool_id in created:
        try:
            idp.delete_user_pool(UserPoolId=pool_id)
        except Exception:  # the test may have deleted it, or broken the server
            pass


def lambda_config(triggers):
    """A LambdaConfig naming function `name` for each `trigger: name`; the
    value of `PreTokenGenerationConfig` is `(name, version)`."""
    config = {}
    for trigger, name in triggers.items():
        if trigger == "PreTokenGenerationConfig":
            function, version = name
            config[trigger] = {"LambdaArn": arn(function), "LambdaVersion": version}
        else:
            config[trigger] = arn(name)
    return config


def app_client(idp, pool_id, secret=False, **kwargs):
    """An app client allowing the password flows; with `secret`, answers
    `(client_id, client_secret)` instead of the id alone."""
    kwargs.setdefault("ClientName", support.unique_name("app"))
    kwargs.setdefault("ExplicitAuthFlows", SIGN_IN_FLOWS)
    client = idp.create_user_pool_client(UserPoolId=pool_id, GenerateSecret=secret, **kwargs)[
        "UserPoolClient"
    ]
    if secret:
        return client["ClientId"], client["ClientSecret"]
    return client["ClientId"]


def custom_attributes(*names):
    """The Schema of a pool with mutable custom string attributes `names`."""
    return [{"Name": n, "AttributeDataType": "String", "Mutable": True} for n in names]


def sign_up(idp, client, username, attrs=None, password=PASSWORD, **kwargs):
    """SignUp through `client`: a client id, or `(client_id, client_secret)`
    for a client with a secret, whose SECRET_HASH goes with the request."""
    if isinstance(client, tuple):
        client_id, client_secret = client
        kwargs["SecretHash"] = secret_hash(client_id, client_secret, username)
    else:
        client_id = client
    return idp.sign_up(
        ClientId=client_id,
        Username=username,
        Password=password,
        UserAttributes=attribute_list(attrs or {}),
        **kwargs,
    )


def rejected(call, **kwargs):
    """The error code and message `call(**kwargs)` fails with."""
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return support.error_of(excinfo)


def invocations(endpoint, pool_id, trigger=None, source=None, username=None):
    """The invocations the server recorded for pool `pool_id`, oldest first,
    narrowed to one trigger, trigger source or user when given."""
    params = {"pool_id": pool_id}
    for key, value in (("trigger", trigger), ("source", source), ("username", username)):
        if value is not None:
            params[key] = value
    query = urllib.parse.urlencode(params)
    return get_json(f"{endpoint}/_cognito/trigger-invocations?{query}")["invocations"]


def sources(endpoint, pool_id, trigger=None):
    """The trigger sources of the pool's invocations, oldest first."""
    return [i["trigger_source"] for i in invocations(endpoint, pool_id, trigger)]


def only_invocation(endpoint, pool_id, trigger):
    """The one invocation of `trigger` in the pool, asserting there is one."""
    found = invocations(endpoint, pool_id, trigger)
    assert len(found) == 1, found
    return found[0]


def verified_claims(endpoint, pool_id, token):
    """The claims of `token` once its RS256 signature is checked against the
    pool's JWKS and its issuer against the pool's discovery document."""
    config = get_json(f"{endpoint}/{pool_id}/.well-known/openid-configuration")
    key = jwt.PyJWKClient(config["jwks_uri"], cache_keys=False).get_signing_key_from_jwt(token)
    return jwt.decode(
        token,
        key.key,
        algorithms=["RS256"],
        issuer=config["issuer"],
        options={"verify_aud": False, "require": ["exp", "iat", "iss", "sub"]},
    )


# The tests' own functions: run as `python triggers_support.py <name>` with the
# event on standard input, they write the event with its response filled in.


def try_claim(event):
    """A PreTokenGeneration function that changes the one claim the user's
    custom attributes name: `custom:claim`, changed as `custom:change` says
    (`override` it with "forged", or `suppress` it), in the token
    `custom:token` names (`id` or `access`; version 1 events change the ID
    token only)."""
    attrs = event["request"]["userAttributes"]
    claim = attrs["custom:claim"]
    if attrs["custom:change"] == "override":
        changes = {"claimsToAddOrOverride": {claim: "forged"}}
    else:
        changes = {"claimsToSuppress": [claim]}
    if event["version"] == "1":
        event["response"] = {"claimsOverrideDetails": changes}
    else:
        token = f"{attrs['custom:token']}TokenGeneration"
        event["response"] = {"claimsAndScopeOverrideDetails": {token: changes}}
    return event


OWN_HANDLERS = {"try-claim": try_claim}


def handle(name):
    event = json.load(sys.stdin)
    json.dump(OWN_HANDLERS[name](event), sys.stdout)


if __name__ == "__main__":
    handle(sys.argv[1])
