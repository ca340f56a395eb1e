"""Helpers shared by the tests and their fixtures."""

import os
import uuid

import boto3
from botocore.config import Config

REGION = "us-east-1"
ACCOUNT_ID = os.environ.get("COGNITO_ACCOUNT_ID", "123456789012")
DUMMY_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
DUMMY_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
POOL_ID_PATTERN = r"us-east-1_[0-9A-Za-z]{9}"
CLIENT_ID_PATTERN = r"[a-z0-9]{26}"


def endpoint():
    return os.environ.get("COGNITO_ENDPOINT", "http://127.0.0.1:9229")


def unique_name(prefix="py"):
    """A pool or client name that no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def make_client(url, region=REGION, **config):
    """A cognito-idp client configured for `region` (the server's own Region
    unless given): it signs its requests for that Region."""
    return boto3.client(
        "cognito-idp",
        region_name=region,
        endpoint_url=url,
        aws_access_key_id=DUMMY_KEY_ID,
        aws_secret_access_key=DUMMY_SECRET,
        config=Config(retries={"max_attempts": 1}, **config),
    )


def error_of(excinfo):
    """The modeled error code and message of a ClientError."""
    err = excinfo.value
    return err.response["Error"]["Code"], err.response["Error"].get("Message", "")


def status_of(excinfo):
    """The HTTP status code that carried a ClientError."""
    return excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]
