"""Custom sender codes encrypted as Cognito encrypts them (see
docs/delivery.md): a server of the test's own started with `--kms-endpoint`
pointing at moto's KMS, a pool whose `CustomEmailSender` is a local command
that answers its event, and the code of its event decrypted with the AWS
Encryption SDK for Python and the same KMS, under every commitment policy.
"""

import base64
import shlex
import sys
import urllib.parse

import aws_encryption_sdk
import boto3
import botocore.session
import pytest
from aws_encryption_sdk.identifiers import CommitmentPolicy
from moto.server import ThreadedMotoServer

import support
from own_server import OwnServer, free_port
from accounts import PASSWORD, get_json


FUNCTION = "code-sender"
FUNCTION_ARN = f"arn:aws:lambda:{support.REGION}:{support.ACCOUNT_ID}:function:{FUNCTION}"
# The function: it delivers nothing and answers its event as it came.
ECHO = shlex.join([sys.executable, "-c", "import sys; sys.stdout.write(sys.stdin.read())"])


@pytest.fixture(scope="module")
def kms_endpoint():
    """moto's server, for its KMS."""
    port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    yield f"http://127.0.0.1:{port}"
    moto.stop()


@pytest.fixture(scope="module")
def key_arn(kms_endpoint):
    """A symmetric key of moto's KMS."""
    kms = boto3.client(
        "kms",
        region_name=support.REGION,
        endpoint_url=kms_endpoint,
        aws_access_key_id=support.DUMMY_KEY_ID,
        aws_secret_access_key=support.DUMMY_SECRET,
    )
    return kms.create_key(Description="custom sender codes")["KeyMetadata"]["Arn"]


@pytest.fixture(scope="module")
def endpoint(kms_endpoint):
    server = OwnServer(
        "--kms-endpoint",
        kms_endpoint,
        "--lambda-command",
        f"{FUNCTION}={ECHO}",
    )
    yield server.url
    server.stop()


def decrypt(code, key_arn, kms_endpoint, policy, monkeypatch):
    """`code` decrypted by the Encryption SDK with a strict KMS provider for
    `key_arn`, reaching moto's KMS; answers the plaintext and the message's
    encryption context."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_KMS", kms_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", support.DUMMY_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", support.DUMMY_SECRET)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    provider = aws_encryption_sdk.StrictAwsKmsMasterKeyProvider(
        key_ids=[key_arn], botocore_session=botocore.session.Session()
    )
    client = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=policy)
    plaintext, header = client.decrypt(source=base64.b64decode(code), key_provider=provider)
    return plaintext.decode(), dict(header.encryption_context)


def test_the_custom_email_senders_code_decrypts_with_the_encryption_sdk(
    endpoint, key_arn, kms_endpoint, monkeypatch
):
    idp = support.make_client(endpoint)
    pool = idp.create_user_pool(
        PoolName=support.unique_name("sender"),
        AutoVerifiedAttributes=["email"],
        LambdaConfig={
            "CustomEmailSender": {"LambdaArn": FUNCTION_ARN, "LambdaVersion": "V1_0"},
            "KMSKeyID": key_arn,
        },
    )["UserPool"]
    pool_id = pool["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName=support.unique_name("app")
    )["UserPoolClient"]["ClientId"]
    idp.sign_up(
        ClientId=client_id,
        Username="alice",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}],
    )

    query = urllib.parse.urlencode({"pool_id": pool_id})
    invocations = get_json(f"{endpoint}/_cognito/trigger-invocations?{query}")["invocations"]
    senders = [i for i in invocations if i["trigger"] == "CustomEmailSender"]
    assert len(senders) == 1, invocations
    event = senders[0]["event"]
    assert event["triggerSource"] == "CustomEmailSender_SignUp"
    assert event["request"]["type"] == "customEmailSenderRequestV1"
    code = event["request"]["code"]

    messages = get_json(f"{endpoint}/_cognito/messages?{query}")["messages"]
    assert len(messages) == 1, messages
    assert messages[0]["delivery"] == "custom_sender"
    held = messages[0]["code"]
    assert held and held not in code

    for policy in CommitmentPolicy:
        plaintext, context = decrypt(code, key_arn, kms_endpoint, policy, monkeypatch)
        assert plaintext == held, policy
        assert context == {"userpool-id": pool_id}, policy
    idp.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=plaintext)
    assert idp.admin_get_user(UserPoolId=pool_id, Username="alice")["UserStatus"] == "CONFIRMED"
