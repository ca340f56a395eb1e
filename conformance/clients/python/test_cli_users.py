"""`aws cognito-idp list-users` as a person runs it: the CLI follows
PaginationToken by itself over many pages, and passes filters through."""

import json
import os
import subprocess
import sys

import pytest

from accounts import attribute_list, attributes
from support import DUMMY_KEY_ID, DUMMY_SECRET, REGION

USERS = 75


def aws(endpoint, tmp_path, *args):
    """Runs `aws cognito-idp ...` from this environment's awscli with dummy
    credentials taken from the environment."""
    env = dict(os.environ)
    env.update(
        {
            "AWS_ACCESS_KEY_ID": DUMMY_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET,
            "AWS_CONFIG_FILE": str(tmp_path / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
            "AWS_MAX_ATTEMPTS": "1",
            "AWS_PAGER": "",
        }
    )
    env.pop("AWS_PROFILE", None)
    env.pop("AWS_SESSION_TOKEN", None)
    command = [
        sys.executable,
        "-m",
        "awscli",
        "cognito-idp",
        *args,
        "--endpoint-url",
        endpoint,
        "--region",
        REGION,
        "--output",
        "json",
    ]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def ok(result):
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout) if result.stdout.strip() else {}


def email_of(n):
    return f"user{n:03}@example.com"


@pytest.fixture
def many_users(cognito, pool):
    for n in range(USERS):
        cognito.admin_create_user(
            UserPoolId=pool["Id"],
            Username=f"user{n:03}",
            UserAttributes=attribute_list({"email": email_of(n)}),
            MessageAction="SUPPRESS",
        )
    return pool["Id"]


def test_list_users_follows_pagination_tokens(endpoint, tmp_path, many_users):
    result = aws(
        endpoint,
        tmp_path,
        "list-users",
        "--user-pool-id",
        many_users,
        "--page-size",
        "20",
        "--debug",
    )
    listed = ok(result)
    names = [u["Username"] for u in listed["Users"]]
    assert sorted(names) == [f"user{n:03}" for n in range(USERS)]
    assert "PaginationToken" not in listed and "NextToken" not in listed

    # The CLI asked for 20 at a time, so it needed four requests.
    requests = result.stderr.count("OperationModel(name=ListUsers)")
    assert requests == 4, requests


def test_list_users_max_items_and_starting_token(endpoint, tmp_path, many_users):
    first = ok(
        aws(
            endpoint,
            tmp_path,
            "list-users",
            "--user-pool-id",
            many_users,
            "--page-size",
            "20",
            "--max-items",
            "30",
        )
    )
    assert len(first["Users"]) == 30
    assert first["NextToken"]

    rest = ok(
        aws(
            endpoint,
            tmp_path,
            "list-users",
            "--user-pool-id",
            many_users,
            "--page-size",
            "20",
            "--starting-token",
            first["NextToken"],
        )
    )
    names = [u["Username"] for u in first["Users"] + rest["Users"]]
    assert len(names) == USERS
    assert sorted(names) == [f"user{n:03}" for n in range(USERS)]


def test_list_users_with_a_filter(endpoint, tmp_path, many_users):
    listed = ok(
        aws(
            endpoint,
            tmp_path,
            "list-users",
            "--user-pool-id",
            many_users,
            "--filter",
            f'email = "{email_of(42)}"',
        )
    )
    assert [u["Username"] for u in listed["Users"]] == ["user042"]
    assert attributes(listed["Users"][0], "Attributes")["email"] == email_of(42)

    prefixed = ok(
        aws(
            endpoint,
            tmp_path,
            "list-users",
            "--user-pool-id",
            many_users,
            "--filter",
            'email ^= "user04"',
            "--attributes-to-get",
            "email",
        )
    )
    assert sorted(u["Username"] for u in prefixed["Users"]) == [f"user04{n}" for n in range(10)]
    for user in prefixed["Users"]:
        assert [a["Name"] for a in user["Attributes"]] == ["email"]


def test_admin_commands(endpoint, tmp_path, pool):
    pool_id = pool["Id"]
    created = ok(
        aws(
            endpoint,
            tmp_path,
            "admin-create-user",
            "--user-pool-id",
            pool_id,
            "--username",
            "cli-user",
            "--user-attributes",
            "Name=email,Value=cli@example.com",
            "--message-action",
            "SUPPRESS",
        )
    )
    assert created["User"]["UserStatus"] == "FORCE_CHANGE_PASSWORD"

    ok(
        aws(
            endpoint,
            tmp_path,
            "admin-set-user-password",
            "--user-pool-id",
            pool_id,
            "--username",
            "cli-user",
            "--password",
            "Corr3ct-Horse!",
            "--permanent",
        )
    )
    got = ok(
        aws(endpoint, tmp_path, "admin-get-user", "--user-pool-id", pool_id, "--username", "cli-user")
    )
    assert got["UserStatus"] == "CONFIRMED"
    assert attributes(got)["email"] == "cli@example.com"

    missing = aws(
        endpoint, tmp_path, "admin-get-user", "--user-pool-id", pool_id, "--username", "nobody"
    )
    assert missing.returncode != 0
    assert "UserNotFoundException" in missing.stderr
    assert "User does not exist." in missing.stderr
