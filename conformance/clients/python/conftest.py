"""Shared fixtures: boto3 clients pointed at the emulator, and pools and app
clients that clean up after themselves.

The emulator's address comes from COGNITO_ENDPOINT (default
http://127.0.0.1:9229). Every assertion in this suite describes what Amazon
Cognito itself answers, so the same tests can be run against the real service.
"""

import pytest
from botocore.exceptions import ClientError

import support


@pytest.fixture(scope="session")
def endpoint():
    return support.endpoint()


@pytest.fixture(scope="session")
def cognito(endpoint):
    """A boto3 cognito-idp client, as an application would build it."""
    return support.make_client(endpoint)


@pytest.fixture(scope="session")
def unchecked(endpoint):
    """A client that skips botocore's own parameter checks, so that the
    server's validation is what answers."""
    return support.make_client(endpoint, parameter_validation=False)


def delete_quietly(cognito, pool_id):
    try:
        cognito.update_user_pool(UserPoolId=pool_id, DeletionProtection="INACTIVE")
    except ClientError:
        pass
    try:
        cognito.delete_user_pool(UserPoolId=pool_id)
    except ClientError:
        pass


@pytest.fixture
def make_pool(cognito):
    """Creates user pools and deletes them when the test ends.

    `via` is the boto3 client to create a pool with (by default `cognito`); a
    client configured for another Region makes a pool of that Region.
    Returns the `UserPool` of the CreateUserPool answer.
    """
    created = []

    def make(via=None, **kwargs):
        client = via or cognito
        kwargs.setdefault("PoolName", support.unique_name())
        pool = client.create_user_pool(**kwargs)["UserPool"]
        created.append((client, pool["Id"]))
        return pool

    yield make
    for client, pool_id in created:
        delete_quietly(client, pool_id)


@pytest.fixture
def pool(make_pool):
    return make_pool()


@pytest.fixture
def make_app_client(cognito, pool):
    """Creates app clients in the test's pool (deleted along with it)."""

    def make(**kwargs):
        kwargs.setdefault("UserPoolId", pool["Id"])
        kwargs.setdefault("ClientName", support.unique_name("app"))
        return cognito.create_user_pool_client(**kwargs)["UserPoolClient"]

    return make
