"""App clients of a user pool, and their client secrets."""

import datetime
import re

import pytest
from botocore.exceptions import ClientError

from support import CLIENT_ID_PATTERN, error_of, unique_name

DEFAULT_AUTH_FLOWS = {"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"}
HOUR = 3600
UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": HOUR, "days": 24 * HOUR}


def validity_seconds(client, token):
    """How long `token` ("AccessToken" or "IdToken") lasts for an app client:
    its validity (one when unset) times its unit (hours when unset)."""
    value = client.get(f"{token}Validity", 1)
    unit = client.get("TokenValidityUnits", {}).get(token, "hours")
    return value * UNIT_SECONDS[unit]


def test_create_client_answers_with_defaults(pool, make_app_client):
    name = unique_name("app")
    client = make_app_client(ClientName=name)

    assert re.fullmatch(CLIENT_ID_PATTERN, client["ClientId"]), client["ClientId"]
    assert client["ClientName"] == name
    assert client["UserPoolId"] == pool["Id"]
    assert "ClientSecret" not in client
    assert isinstance(client["CreationDate"], datetime.datetime)
    assert isinstance(client["LastModifiedDate"], datetime.datetime)

    # Tokens last one hour (access, ID) and 30 days (refresh) by default,
    # whichever unit the answer states them in.
    assert client["RefreshTokenValidity"] == 30
    assert client["TokenValidityUnits"]["RefreshToken"] == "days"
    assert validity_seconds(client, "AccessToken") == HOUR
    assert validity_seconds(client, "IdToken") == HOUR
    assert client["AuthSessionValidity"] == 3
    assert client["EnableTokenRevocation"] is True
    assert client["EnablePropagateAdditionalUserContextData"] is False
    assert client["AllowedOAuthFlowsUserPoolClient"] is False
    # Without ExplicitAuthFlows a client allows refresh, SRP and custom auth.
    if "ExplicitAuthFlows" in client:
        assert set(client["ExplicitAuthFlows"]) == DEFAULT_AUTH_FLOWS


def test_create_client_with_generated_secret(cognito, pool, make_app_client):
    client = make_app_client(GenerateSecret=True)
    secret = client["ClientSecret"]
    assert re.fullmatch(r"[a-z0-9]{52}", secret), secret

    described = cognito.describe_user_pool_client(
        UserPoolId=pool["Id"], ClientId=client["ClientId"]
    )["UserPoolClient"]
    assert described["ClientSecret"] == secret


def test_create_client_keeps_what_was_asked(make_app_client):
    client = make_app_client(
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        RefreshTokenValidity=7,
        AccessTokenValidity=30,
        IdTokenValidity=30,
        TokenValidityUnits={"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
        PreventUserExistenceErrors="ENABLED",
        ReadAttributes=["email", "name"],
        WriteAttributes=["name"],
        AuthSessionValidity=5,
        EnableTokenRevocation=False,
    )
    assert set(client["ExplicitAuthFlows"]) == {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    assert client["RefreshTokenValidity"] == 7
    assert client["AccessTokenValidity"] == 30
    assert client["IdTokenValidity"] == 30
    assert client["TokenValidityUnits"] == {
        "AccessToken": "minutes",
        "IdToken": "minutes",
        "RefreshToken": "days",
    }
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert set(client["ReadAttributes"]) == {"email", "name"}
    assert client["WriteAttributes"] == ["name"]
    assert client["AuthSessionValidity"] == 5
    assert client["EnableTokenRevocation"] is False


def test_describe_client_matches_create(cognito, pool, make_app_client):
    client = make_app_client()
    described = cognito.describe_user_pool_client(
        UserPoolId=pool["Id"], ClientId=client["ClientId"]
    )["UserPoolClient"]
    assert described == client


def test_update_client_changes_are_visible(cognito, pool, make_app_client):
    client = make_app_client(GenerateSecret=True)
    new_name = unique_name("renamed")

    answer = cognito.update_user_pool_client(
        UserPoolId=pool["Id"],
        ClientId=client["ClientId"],
        ClientName=new_name,
        RefreshTokenValidity=10,
        AccessTokenValidity=2,
        IdTokenValidity=2,
        TokenValidityUnits={"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"},
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    assert answer["ClientName"] == new_name

    described = cognito.describe_user_pool_client(
        UserPoolId=pool["Id"], ClientId=client["ClientId"]
    )["UserPoolClient"]
    assert described["ClientId"] == client["ClientId"]
    assert described["ClientName"] == new_name
    assert described["RefreshTokenValidity"] == 10
    assert described["AccessTokenValidity"] == 2
    assert described["IdTokenValidity"] == 2
    assert set(described["ExplicitAuthFlows"]) == {
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    }
    assert described["ClientSecret"] == client["ClientSecret"]
    assert described["CreationDate"] == client["CreationDate"]
    assert described["LastModifiedDate"] >= client["LastModifiedDate"]


def test_delete_client_then_it_is_gone(cognito, pool, make_app_client):
    client = make_app_client()
    cognito.delete_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"])

    with pytest.raises(ClientError) as excinfo:
        cognito.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"])
    assert error_of(excinfo)[0] == "ResourceNotFoundException"

    with pytest.raises(ClientError) as excinfo:
        cognito.delete_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"])
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


def test_list_clients_pages_through_everything(cognito, pool, make_app_client):
    mine = {make_app_client()["ClientId"]: None for _ in range(5)}

    seen = []
    kwargs = {"UserPoolId": pool["Id"], "MaxResults": 2}
    pages = 0
    while True:
        page = cognito.list_user_pool_clients(**kwargs)
        pages += 1
        assert len(page["UserPoolClients"]) <= 2
        seen.extend(page["UserPoolClients"])
        token = page.get("NextToken")
        if not token:
            break
        kwargs["NextToken"] = token
        assert pages < 100, "pagination does not end"

    ids = [c["ClientId"] for c in seen]
    assert sorted(ids) == sorted(mine)
    assert pages >= 3
    for entry in seen:
        assert entry["UserPoolId"] == pool["Id"]
        assert entry["ClientName"].startswith("app-")

    paginator = cognito.get_paginator("list_user_pool_clients")
    paged = [
        c["ClientId"]
        for page in paginator.paginate(UserPoolId=pool["Id"], PaginationConfig={"PageSize": 3})
        for c in page["UserPoolClients"]
    ]
    assert sorted(paged) == sorted(mine)


def test_clients_of_unknown_pool_or_id_are_not_found(cognito, pool):
    with pytest.raises(ClientError) as excinfo:
        cognito.create_user_pool_client(UserPoolId="us-east-1_AAAAAAAAA", ClientName="x")
    assert error_of(excinfo)[0] == "ResourceNotFoundException"

    with pytest.raises(ClientError) as excinfo:
        cognito.list_user_pool_clients(UserPoolId="us-east-1_AAAAAAAAA", MaxResults=10)
    assert error_of(excinfo)[0] == "ResourceNotFoundException"

    with pytest.raises(ClientError) as excinfo:
        cognito.describe_user_pool_client(UserPoolId=pool["Id"], ClientId="a" * 26)
    code, message = error_of(excinfo)
    assert code == "ResourceNotFoundException"
    assert message == f"User pool client {'a' * 26} does not exist."


def test_client_secret_rotation(cognito, pool, make_app_client):
    client = make_app_client(GenerateSecret=True)
    ids = {"UserPoolId": pool["Id"], "ClientId": client["ClientId"]}

    secrets = cognito.list_user_pool_client_secrets(**ids)["ClientSecrets"]
    assert len(secrets) == 1
    original = secrets[0]
    assert original["ClientSecretId"].startswith(client["ClientId"] + "--")
    assert original["ClientSecretId"].split("--", 1)[1].isdigit()
    assert isinstance(original["ClientSecretCreateDate"], datetime.datetime)
    assert "ClientSecretValue" not in original

    added = cognito.add_user_pool_client_secret(**ids)["ClientSecretDescriptor"]
    assert added["ClientSecretId"].startswith(client["ClientId"] + "--")
    assert added["ClientSecretId"] != original["ClientSecretId"]
    assert added["ClientSecretValue"]
    assert added["ClientSecretValue"] != client["ClientSecret"]

    listed = cognito.list_user_pool_client_secrets(**ids)["ClientSecrets"]
    assert {s["ClientSecretId"] for s in listed} == {
        original["ClientSecretId"],
        added["ClientSecretId"],
    }
    assert all("ClientSecretValue" not in s for s in listed)

    cognito.delete_user_pool_client_secret(**ids, ClientSecretId=original["ClientSecretId"])
    listed = cognito.list_user_pool_client_secrets(**ids)["ClientSecrets"]
    assert [s["ClientSecretId"] for s in listed] == [added["ClientSecretId"]]

    custom = cognito.add_user_pool_client_secret(
        **ids, ClientSecret="customSecretValue0123456789abcdef"
    )["ClientSecretDescriptor"]
    assert "ClientSecretValue" not in custom
    listed = cognito.list_user_pool_client_secrets(**ids)["ClientSecrets"]
    assert {s["ClientSecretId"] for s in listed} == {
        added["ClientSecretId"],
        custom["ClientSecretId"],
    }


def test_client_secrets_of_unknown_client_are_not_found(cognito, pool):
    with pytest.raises(ClientError) as excinfo:
        cognito.list_user_pool_client_secrets(UserPoolId=pool["Id"], ClientId="a" * 26)
    assert error_of(excinfo)[0] == "ResourceNotFoundException"
