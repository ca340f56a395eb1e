"""Helpers for the tests about users, groups and sign-in: pools and app clients
set up for signing in, users with a known password, and the messages a user
would have received.

Messages come from the emulator's test API (`GET /_cognito/messages`, see
docs/test-api.md): Amazon Cognito would have emailed them instead.
"""

import base64
import hashlib
import hmac
import json
import time
import urllib.parse
import urllib.request

PASSWORD = "Corr3ct-Horse!"
NEW_PASSWORD = "Batt3ry-Staple!"
OTHER_PASSWORD = "Tr0ub4dor&3xyz"

SIGN_IN_FLOWS = [
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
]


def get_json(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        return json.loads(response.read())


def messages(endpoint, pool_id, username=None, destination=None):
    """The messages sent for pool `pool_id`, oldest first, narrowed to one
    recipient when given."""
    params = {"pool_id": pool_id}
    if username is not None:
        params["username"] = username
    if destination is not None:
        params["destination"] = destination
    query = urllib.parse.urlencode(params)
    return get_json(f"{endpoint}/_cognito/messages?{query}")["messages"]


def last_code(endpoint, pool_id, username, kind):
    """The code in the newest message of `kind` sent to `username`."""
    sent = [m for m in messages(endpoint, pool_id, username) if m["kind"] == kind]
    assert sent, f"no {kind} message for {username}"
    code = sent[-1]["code"]
    assert code, sent[-1]
    return code


def attributes(answer, key="UserAttributes"):
    """The `[{"Name", "Value"}]` list of an answer as a dict."""
    return {a["Name"]: a["Value"] for a in answer.get(key, [])}


def attribute_list(values):
    """A dict as the `[{"Name", "Value"}]` list the API takes."""
    return [{"Name": name, "Value": value} for name, value in values.items()]


def sign_in_client(cognito, pool_id, **kwargs):
    """An app client, without a secret, that allows every password flow."""
    kwargs.setdefault("ClientName", "sign-in")
    kwargs.setdefault("ExplicitAuthFlows", SIGN_IN_FLOWS)
    return cognito.create_user_pool_client(UserPoolId=pool_id, **kwargs)["UserPoolClient"][
        "ClientId"
    ]


def confirmed_user(cognito, pool_id, username, password=PASSWORD, attrs=None):
    """A CONFIRMED user with a permanent password, made by an administrator
    without sending any message."""
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        UserAttributes=attribute_list(attrs or {}),
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=password, Permanent=True
    )


def admin_sign_in(cognito, pool_id, client_id, username, password=PASSWORD):
    return cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )


def sign_in(cognito, client_id, username, password=PASSWORD):
    return cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )


def secret_hash(client_id, client_secret, username):
    """SECRET_HASH as the SDK documentation computes it:
    base64(HMAC-SHA256(key=client secret, message=username + client id))."""
    digest = hmac.new(
        client_secret.encode(), (username + client_id).encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def claims(token):
    """The payload of a JWT, unverified (the sign-in tests verify signatures)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def wait_for(check, timeout=30.0, every=0.1):
    """Calls `check` until it returns something true, and returns that."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(every)
