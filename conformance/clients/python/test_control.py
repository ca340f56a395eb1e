"""Expiry without waiting, and fixtures from a seed file.

A server of this module's own is started with `--seed ../seed.yaml`, the suites'
shared fixtures (a pool, a public client, a client with a secret, users) under
fixed ids; the tests move its clock through the test API (`/_cognito/clock`)
instead of sleeping until tokens, codes and sessions expire. The emulator's own
hooks: real Cognito has no clock to move.
"""

import json
import subprocess
import urllib.request
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

import support
from own_server import OwnServer, clean_environment, server_binary

SEED = Path(__file__).resolve().parent.parent / "seed.yaml"
POOL = "us-east-1_SeedSuite"
PUBLIC = "suitepublicclient00000001"
CONFIDENTIAL = "suitesecretclient00000001"
CONFIDENTIAL_SECRET = "suitesecret0123456789abcdefghijklmnopqrstuvwxyzABCD"
PASSWORD = "Correct-horse-1"


def call(url, method="GET", body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read() or b"{}")


@pytest.fixture(scope="module")
def server():
    """A server holding the suites' seed; its clock is back in real time after
    each test."""
    own = OwnServer("--seed", str(SEED))
    yield own
    own.stop()


@pytest.fixture
def seeded(server):
    """A client of the seeded server, whose clock stands still from now on (so that
    expiry is decided to the second, however slow the machine) until moved."""
    call(f"{server.url}/_cognito/clock", "POST", {"advance_seconds": 0, "frozen": True})
    yield support.make_client(server.url)
    call(f"{server.url}/_cognito/clock/reset", "POST", {})


def advance(server, seconds):
    return call(f"{server.url}/_cognito/clock", "POST", {"advance_seconds": seconds})


def sign_in(client, username="alice"):
    return client.initiate_auth(
        ClientId=PUBLIC,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )


def error(excinfo):
    return support.error_of(excinfo)


def test_the_seed_holds_its_fixed_ids(server, seeded):
    pool = seeded.describe_user_pool(UserPoolId=POOL)["UserPool"]
    assert pool["Name"] == "client-suites"
    secret = seeded.describe_user_pool_client(UserPoolId=POOL, ClientId=CONFIDENTIAL)
    assert secret["UserPoolClient"]["ClientSecret"] == CONFIDENTIAL_SECRET
    newbie = seeded.admin_get_user(UserPoolId=POOL, Username="newbie")
    assert newbie["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    groups = seeded.admin_list_groups_for_user(UserPoolId=POOL, Username="alice")
    assert [g["GroupName"] for g in groups["Groups"]] == ["staff"]
    # The same file applied again through the server's client makes nothing new.
    applied = subprocess.run(
        [str(server_binary()), "seed", str(SEED), "--endpoint", server.url],
        capture_output=True,
        text=True,
        check=True,
        env=clean_environment(),
    )
    summary = json.loads(applied.stdout)
    assert summary["created"] == []
    assert f"client {CONFIDENTIAL}" in summary["existing"]


def test_an_access_token_expires_after_an_hour(server, seeded):
    token = sign_in(seeded)["AuthenticationResult"]["AccessToken"]
    seeded.get_user(AccessToken=token)
    before = call(f"{server.url}/_cognito/clock")["epoch_seconds"]
    reading = advance(server, 3599)
    assert reading["epoch_seconds"] - before == 3599
    seeded.get_user(AccessToken=token)
    advance(server, 1)
    with pytest.raises(ClientError) as excinfo:
        seeded.get_user(AccessToken=token)
    assert error(excinfo) == ("NotAuthorizedException", "Access Token has expired")


def test_a_refresh_token_expires_after_thirty_days(server, seeded):
    refresh = sign_in(seeded)["AuthenticationResult"]["RefreshToken"]
    advance(server, 29 * 86_400)
    refreshed = seeded.initiate_auth(
        ClientId=PUBLIC,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": refresh},
    )
    assert refreshed["AuthenticationResult"]["AccessToken"]
    advance(server, 86_400)
    with pytest.raises(ClientError) as excinfo:
        seeded.initiate_auth(
            ClientId=PUBLIC,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh},
        )
    assert error(excinfo) == ("NotAuthorizedException", "Refresh Token has expired")


def test_a_sign_up_code_expires_after_a_day(server, seeded):
    username = support.unique_name("late")
    seeded.sign_up(
        ClientId=PUBLIC,
        Username=username,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}],
    )
    codes = call(f"{server.url}/_cognito/codes?pool_id={POOL}&username={username}")
    code = codes["codes"][0]["code"]
    advance(server, 86_400)
    with pytest.raises(ClientError) as excinfo:
        seeded.confirm_sign_up(ClientId=PUBLIC, Username=username, ConfirmationCode=code)
    assert error(excinfo) == (
        "ExpiredCodeException",
        "Invalid code provided, please request a code again.",
    )


def test_a_challenge_session_expires_with_the_clients_session_validity(server, seeded):
    started = seeded.initiate_auth(
        ClientId=PUBLIC,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "newbie", "PASSWORD": "Temporary-pass-1"},
    )
    assert started["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    # The public client's AuthSessionValidity is 3 minutes.
    advance(server, 3 * 60)
    with pytest.raises(ClientError) as excinfo:
        seeded.respond_to_auth_challenge(
            ClientId=PUBLIC,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=started["Session"],
            ChallengeResponses={"USERNAME": "newbie", "NEW_PASSWORD": "Brand-new-pass-1"},
        )
    assert error(excinfo) == ("NotAuthorizedException", "Invalid session for the user, session is expired.")


def test_a_frozen_clock_stamps_what_is_made(server, seeded):
    frozen = call(
        f"{server.url}/_cognito/clock",
        "POST",
        {"now": "2030-01-01T00:00:00Z", "frozen": True},
    )
    assert frozen["frozen"] is True
    group = seeded.create_group(UserPoolId=POOL, GroupName=support.unique_name("g"))
    assert group["Group"]["CreationDate"].year == 2030
