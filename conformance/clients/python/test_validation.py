"""Requests that botocore would send but the service must refuse."""

import pytest
from botocore.exceptions import ClientError

from support import error_of, status_of


def test_pool_name_outside_its_pattern(cognito):
    with pytest.raises(ClientError) as excinfo:
        cognito.create_user_pool(PoolName="bad#name!")
    code, message = error_of(excinfo)
    assert code == "InvalidParameterException"
    assert message.startswith("1 validation error detected"), message
    assert "'poolName'" in message
    assert "regular expression pattern" in message


def test_missing_pool_name(unchecked):
    with pytest.raises(ClientError) as excinfo:
        unchecked.create_user_pool()
    code, message = error_of(excinfo)
    assert code == "InvalidParameterException"
    assert message.startswith("1 validation error detected"), message
    assert "'poolName'" in message
    assert "Member must not be null" in message


def test_two_missing_members_are_both_reported(unchecked):
    with pytest.raises(ClientError) as excinfo:
        unchecked.create_user_pool_client()
    code, message = error_of(excinfo)
    assert code == "InvalidParameterException"
    assert message.startswith("2 validation errors detected"), message
    assert "'userPoolId'" in message
    assert "'clientName'" in message


def test_malformed_pool_id(cognito):
    with pytest.raises(ClientError) as excinfo:
        cognito.describe_user_pool(UserPoolId="not-a-pool-id")
    code, message = error_of(excinfo)
    assert code == "InvalidParameterException"
    assert message.startswith("1 validation error detected"), message
    assert "'userPoolId'" in message



def test_client_errors_travel_as_http_400(cognito, unchecked):
    # Cognito sends every client-side error with status 400, whatever the
    # error; SDKs read the error's name from the body, not from the status.
    with pytest.raises(ClientError) as excinfo:
        cognito.describe_user_pool(UserPoolId="us-east-1_AAAAAAAAA")
    assert error_of(excinfo)[0] == "ResourceNotFoundException"
    assert status_of(excinfo) == 400

    with pytest.raises(ClientError) as excinfo:
        unchecked.create_user_pool()
    assert error_of(excinfo)[0] == "InvalidParameterException"
    assert status_of(excinfo) == 400
