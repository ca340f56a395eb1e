"""Tracked and remembered devices as applications drive them: boto3 for the
device operations, pycognito for SRP sign-in with a remembered device (its
DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER answers, and the verifier it makes
for ConfirmDevice).
"""

import re

import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP, generate_hash_device

from accounts import PASSWORD, claims, confirmed_user, get_json, sign_in, sign_in_client
from support import REGION, error_of

DEVICE_KEY = re.compile(rf"{REGION}_[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}}")


@pytest.fixture
def tracking_pool(make_pool):
    """A pool that remembers devices when the user says so."""
    return make_pool(
        DeviceConfiguration={
            "ChallengeRequiredOnNewDevice": True,
            "DeviceOnlyRememberedOnUserPrompt": True,
        }
    )


def confirm(cognito, result, name="laptop"):
    """ConfirmDevice with the verifier pycognito makes; returns the device's
    key, group key and secret, and whether the user must confirm it."""
    metadata = result["NewDeviceMetadata"]
    password, config = generate_hash_device(metadata["DeviceGroupKey"], metadata["DeviceKey"])
    answer = cognito.confirm_device(
        AccessToken=result["AccessToken"],
        DeviceKey=metadata["DeviceKey"],
        DeviceName=name,
        DeviceSecretVerifierConfig=config,
    )
    return metadata["DeviceKey"], metadata["DeviceGroupKey"], password, answer[
        "UserConfirmationNecessary"
    ]


def device_attributes(device):
    return {a["Name"]: a["Value"] for a in device["DeviceAttributes"]}


def test_a_remembered_device_signs_in_by_device_srp(cognito, tracking_pool, endpoint):
    pool_id = tracking_pool["Id"]
    client_id = sign_in_client(cognito, pool_id)
    confirmed_user(cognito, pool_id, "dana")

    first = sign_in(cognito, client_id, "dana")["AuthenticationResult"]
    assert DEVICE_KEY.fullmatch(first["NewDeviceMetadata"]["DeviceKey"])
    assert claims(first["AccessToken"])["device_key"] == first["NewDeviceMetadata"]["DeviceKey"]
    key, group, secret, necessary = confirm(cognito, first)
    assert necessary is True
    got = cognito.get_device(AccessToken=first["AccessToken"], DeviceKey=key)["Device"]
    assert device_attributes(got)["dev:device_remembered_status"] == "not_remembered"
    assert device_attributes(got)["device_name"] == "laptop"

    cognito.update_device_status(
        AccessToken=first["AccessToken"], DeviceKey=key, DeviceRememberedStatus="remembered"
    )
    srp = AWSSRP(
        username="dana",
        password=PASSWORD,
        pool_id=pool_id,
        client_id=client_id,
        client=cognito,
        device_key=key,
        device_group_key=group,
        device_password=secret,
    )
    tokens = srp.authenticate_user()["AuthenticationResult"]
    assert "NewDeviceMetadata" not in tokens
    assert claims(tokens["AccessToken"])["device_key"] == key

    # A device that lost its secret is refused.
    wrong = AWSSRP(
        username="dana",
        password=PASSWORD,
        pool_id=pool_id,
        client_id=client_id,
        client=cognito,
        device_key=key,
        device_group_key=group,
        device_password="not the device's secret",
    )
    with pytest.raises(ClientError) as refused:
        wrong.authenticate_user()
    assert error_of(refused)[0] == "NotAuthorizedException"

    # Its refresh token wants the device key.
    refresh = {"REFRESH_TOKEN": tokens["RefreshToken"]}
    with pytest.raises(ClientError) as no_device:
        cognito.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=refresh)
    assert error_of(no_device) == ("NotAuthorizedException", "Invalid Refresh Token")
    refreshed = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={**refresh, "DEVICE_KEY": key},
    )["AuthenticationResult"]
    assert claims(refreshed["AccessToken"])["device_key"] == key

    shown = get_json(f"{endpoint}/_cognito/devices?pool_id={pool_id}&username=dana")["devices"]
    assert [(d["device_key"], d["remembered"], d["confirmed"]) for d in shown] == [
        (key, True, True)
    ]


def test_devices_are_listed_and_forgotten_by_an_administrator(cognito, tracking_pool):
    pool_id = tracking_pool["Id"]
    client_id = sign_in_client(cognito, pool_id)
    confirmed_user(cognito, pool_id, "eli")
    keys = {
        sign_in(cognito, client_id, "eli")["AuthenticationResult"]["NewDeviceMetadata"]["DeviceKey"]
        for _ in range(3)
    }
    assert len(keys) == 3

    listed, token = [], None
    while True:
        page = cognito.admin_list_devices(
            UserPoolId=pool_id, Username="eli", Limit=2, **({"PaginationToken": token} if token else {})
        )
        listed += [d["DeviceKey"] for d in page["Devices"]]
        token = page.get("PaginationToken")
        if not token:
            break
    assert sorted(listed) == sorted(keys)

    gone = listed[0]
    cognito.admin_update_device_status(
        UserPoolId=pool_id, Username="eli", DeviceKey=gone, DeviceRememberedStatus="remembered"
    )
    device = cognito.admin_get_device(UserPoolId=pool_id, Username="eli", DeviceKey=gone)["Device"]
    assert device_attributes(device)["dev:device_remembered_status"] == "remembered"
    cognito.admin_forget_device(UserPoolId=pool_id, Username="eli", DeviceKey=gone)
    with pytest.raises(ClientError) as missing:
        cognito.admin_get_device(UserPoolId=pool_id, Username="eli", DeviceKey=gone)
    assert error_of(missing) == ("ResourceNotFoundException", "Device does not exist.")

    # A sign-in naming the forgotten device is refused; the client forgets the key.
    with pytest.raises(ClientError) as forgotten:
        cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "eli", "PASSWORD": PASSWORD, "DEVICE_KEY": gone},
        )
    assert error_of(forgotten) == ("ResourceNotFoundException", "Device does not exist.")


def test_pools_without_device_configuration_track_no_device(cognito, pool):
    client_id = sign_in_client(cognito, pool["Id"])
    confirmed_user(cognito, pool["Id"], "fay")
    result = sign_in(cognito, client_id, "fay")["AuthenticationResult"]
    assert "NewDeviceMetadata" not in result
    assert "device_key" not in claims(result["AccessToken"])
