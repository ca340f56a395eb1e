"""The AWS CLI, run as a person would run it, against the emulator."""

import json
import os
import re
import subprocess
import sys

from support import DUMMY_KEY_ID, DUMMY_SECRET, POOL_ID_PATTERN, REGION, unique_name


def aws(endpoint, tmp_path, *args):
    """Runs `aws cognito-idp ...` from this environment's awscli."""
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
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


def ok(result):
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else {}


def test_cli_create_list_delete_round_trip(endpoint, tmp_path):
    name = unique_name("cli")
    created = ok(aws(endpoint, tmp_path, "create-user-pool", "--pool-name", name))
    pool_id = created["UserPool"]["Id"]
    assert re.fullmatch(POOL_ID_PATTERN, pool_id)
    assert created["UserPool"]["Name"] == name

    # list-user-pools insists on --max-results, which turns off the CLI's own
    # paging, so follow NextToken by hand as a script would.
    listed = []
    args = ["list-user-pools", "--max-results", "2"]
    for _ in range(500):
        page = ok(aws(endpoint, tmp_path, *args))
        listed.extend(page["UserPools"])
        if not page.get("NextToken"):
            break
        args = ["list-user-pools", "--max-results", "2", "--next-token", page["NextToken"]]
    assert (pool_id, name) in {(p["Id"], p["Name"]) for p in listed}

    client = ok(
        aws(
            endpoint,
            tmp_path,
            "create-user-pool-client",
            "--user-pool-id",
            pool_id,
            "--client-name",
            "cli-app",
            "--generate-secret",
        )
    )
    assert client["UserPoolClient"]["ClientSecret"]

    assert ok(aws(endpoint, tmp_path, "delete-user-pool", "--user-pool-id", pool_id)) == {}

    gone = aws(endpoint, tmp_path, "describe-user-pool", "--user-pool-id", pool_id)
    assert gone.returncode != 0
    assert "ResourceNotFoundException" in gone.stderr
