"""HTTPS (`--tls`): a server of the tests' own serves HTTPS beside HTTP on one
port, with a certificate signed by a local CA it writes to `--tls-dir`
(see docs/configuration.md).

boto3 calls it with `verify=<the CA file>` and refuses it with the system's
CAs only; requests fetches the pool's JWKS trusting the CA through
REQUESTS_CA_BUNDLE; and a Python process trusting it through SSL_CERT_FILE
verifies an ID token with PyJWT's PyJWKClient, unchanged.
"""

import json
import os
import subprocess
import sys

import boto3
import jwt
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import SSLError

import support
from accounts import PASSWORD
from own_server import OwnServer


def https_client(url, verify):
    return boto3.client(
        "cognito-idp",
        region_name=support.REGION,
        endpoint_url=url,
        aws_access_key_id=support.DUMMY_KEY_ID,
        aws_secret_access_key=support.DUMMY_SECRET,
        verify=verify,
        config=Config(retries={"max_attempts": 1}),
    )


@pytest.fixture(scope="module")
def secure(tmp_path_factory):
    """The server's HTTPS address, its CA file, and a boto3 client trusting it."""
    folder = tmp_path_factory.mktemp("tls")
    server = OwnServer("--tls", "--tls-dir", str(folder))
    https = server.url.replace("http://", "https://", 1)
    ca_file = folder / "ca.pem"
    yield https, ca_file, https_client(https, str(ca_file)), server
    server.stop()


@pytest.fixture(scope="module")
def signed_in(secure):
    """A pool, an app client and a user signed in over HTTPS: the pool id, the
    client id and the tokens."""
    _, _, cognito, _ = secure
    pool_id = cognito.create_user_pool(PoolName="https")["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="web",
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    cognito.admin_create_user(UserPoolId=pool_id, Username="bea", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username="bea", Password=PASSWORD, Permanent=True
    )
    tokens = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "bea", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    return pool_id, client_id, tokens


def test_the_server_announces_both_schemes_and_the_ca_file(secure):
    https, ca_file, _, server = secure
    output = "".join(server.output)
    assert f"listening on {https}\n" in output, output
    assert f"local CA {ca_file} " in output, output


def test_boto3_trusting_the_ca_calls_the_api_over_https(secure, signed_in):
    _, _, cognito, _ = secure
    pool_id, _, _ = signed_in
    pools = cognito.list_user_pools(MaxResults=60)["UserPools"]
    assert pool_id in [pool["Id"] for pool in pools]


def test_boto3_with_the_system_cas_only_refuses_the_certificate(secure):
    https, _, _, _ = secure
    with pytest.raises(SSLError, match="CERTIFICATE_VERIFY_FAILED"):
        https_client(https, True).list_user_pools(MaxResults=1)


def test_requests_fetches_the_jwks_with_requests_ca_bundle(secure, signed_in, monkeypatch):
    https, ca_file, _, _ = secure
    pool_id, _, _ = signed_in
    url = f"{https}/{pool_id}/.well-known/jwks.json"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca_file))
    keys = requests.get(url, timeout=10).json()["keys"]
    assert [(key["kty"], key["alg"], key["use"]) for key in keys] == [("RSA", "RS256", "sig")]

    discovery = requests.get(
        f"{https}/{pool_id}/.well-known/openid-configuration", timeout=10
    ).json()
    assert discovery["issuer"] == f"{https}/{pool_id}"
    assert discovery["jwks_uri"] == url

    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(url, timeout=10)


VERIFY = """
import json, os, sys
import jwt
token, issuer, audience = sys.argv[1:]
keys = jwt.PyJWKClient(issuer + "/.well-known/jwks.json")
key = keys.get_signing_key_from_jwt(token)
claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=audience, issuer=issuer)
print(json.dumps(claims))
"""


def test_pyjwt_verifies_tokens_in_a_process_trusting_the_ca_by_ssl_cert_file(secure, signed_in):
    https, ca_file, _, _ = secure
    pool_id, client_id, tokens = signed_in
    issuer = f"{https}/{pool_id}"
    assert jwt.decode(tokens["IdToken"], options={"verify_signature": False})["iss"] == issuer

    def verify(env):
        return subprocess.run(
            [sys.executable, "-c", VERIFY, tokens["IdToken"], issuer, client_id],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )

    environment = {k: v for k, v in os.environ.items() if k != "SSL_CERT_DIR"}
    trusted = verify({**environment, "SSL_CERT_FILE": str(ca_file)})
    assert trusted.returncode == 0, trusted.stderr
    claims = json.loads(trusted.stdout)
    assert (claims["cognito:username"], claims["aud"]) == ("bea", client_id)

    refused = verify({k: v for k, v in environment.items() if k != "SSL_CERT_FILE"})
    assert refused.returncode != 0
    assert "CERTIFICATE_VERIFY_FAILED" in refused.stderr, refused.stderr
