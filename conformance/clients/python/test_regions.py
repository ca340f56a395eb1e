"""User pools of AWS Regions other than the server's own, used through boto3
clients configured for those Regions, as applications there use Cognito: a
pool's id and ARN carry its Region; sign-up, sign-in, refresh, password
resets, challenges and sign-out work there, with and without a client secret;
tokens name their pool in `iss`; ListUserPools lists the Region asked about.

An app client with a secret gets SECRET_HASH with every request that names a
user, computed as the SDKs document it (`accounts.secret_hash`).
"""

import re
from dataclasses import dataclass

import pytest
from botocore.exceptions import ClientError
from pycognito import Cognito

from accounts import (
    NEW_PASSWORD,
    PASSWORD,
    SIGN_IN_FLOWS,
    attribute_list,
    attributes,
    claims,
    confirmed_user,
    get_json,
    messages,
    secret_hash,
)
from support import ACCOUNT_ID, error_of, make_client

PARIS = "eu-west-3"
SYDNEY = "ap-southeast-2"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
MASKED_EMAIL = r"[^*@]\*\*\*@[^*@]\*\*\*"
INCORRECT = ("NotAuthorizedException", "Incorrect username or password.")
REVOKED = ("NotAuthorizedException", "Access Token has been revoked")


@pytest.fixture(scope="module")
def regions(endpoint):
    """A boto3 client per Region, each signing its requests for that Region."""
    return {region: make_client(endpoint, region=region) for region in (PARIS, SYDNEY)}


@dataclass
class App:
    """An app client of a pool in `region`, and the boto3 client of that
    Region. `secret` is the client secret, if the app client has one."""

    cognito: object
    region: str
    pool_id: str
    client_id: str
    secret: str | None

    def hash_of(self, username):
        return secret_hash(self.client_id, self.secret, username)

    def secret_hash(self, username):
        """The `SecretHash` member, for the operations that take one."""
        return {"SecretHash": self.hash_of(username)} if self.secret else {}

    def with_hash(self, username, parameters):
        """AuthParameters or ChallengeResponses, with SECRET_HASH if needed."""
        if self.secret:
            parameters = dict(parameters, SECRET_HASH=self.hash_of(username))
        return parameters

    def sign_up(self, username, email):
        return self.cognito.sign_up(
            ClientId=self.client_id,
            Username=username,
            Password=PASSWORD,
            UserAttributes=attribute_list({"email": email}),
            **self.secret_hash(username),
        )

    def sign_in(self, username, password=PASSWORD):
        return self.cognito.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters=self.with_hash(
                username, {"USERNAME": username, "PASSWORD": password}
            ),
        )

    def refresh(self, username, refresh_token):
        return self.cognito.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters=self.with_hash(username, {"REFRESH_TOKEN": refresh_token}),
        )


def make_app(cognito, region, make_pool, with_secret, **pool_settings):
    pool = make_pool(via=cognito, **pool_settings)
    client = cognito.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName="regional",
        ExplicitAuthFlows=SIGN_IN_FLOWS,
        GenerateSecret=with_secret,
        PreventUserExistenceErrors="LEGACY",
    )["UserPoolClient"]
    return App(cognito, region, pool["Id"], client["ClientId"], client.get("ClientSecret"))


@pytest.fixture(
    params=[(region, secret) for region in (PARIS, SYDNEY) for secret in (False, True)],
    ids=lambda p: f"{p[0]}-{'secret' if p[1] else 'public'}",
)
def app(request, regions, make_pool):
    """A pool that verifies email addresses, made by a client of its Region,
    and an app client with or without a secret that allows the password
    flows and reports unknown users as such."""
    region, with_secret = request.param
    return make_app(
        regions[region], region, make_pool, with_secret, AutoVerifiedAttributes=["email"]
    )


def rejected(call, **kwargs):
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return error_of(excinfo)


def issuer_of(endpoint, pool_id):
    """The issuer the pool's OpenID discovery document names."""
    return get_json(f"{endpoint}/{pool_id}/.well-known/openid-configuration")["issuer"]


@pytest.mark.parametrize("region", [PARIS, SYDNEY])
def test_a_pool_carries_its_region(regions, endpoint, make_pool, region):
    cognito = regions[region]
    pool = make_pool(via=cognito, AutoVerifiedAttributes=["email"])
    pool_id = pool["Id"]
    assert re.fullmatch(rf"{region}_[0-9A-Za-z]{{9}}", pool_id), pool_id
    assert pool["Arn"] == f"arn:aws:cognito-idp:{region}:{ACCOUNT_ID}:userpool/{pool_id}"
    assert pool["AutoVerifiedAttributes"] == ["email"]

    described = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert (described["Id"], described["Arn"]) == (pool_id, pool["Arn"])

    public = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="public")[
        "UserPoolClient"
    ]
    assert public["UserPoolId"] == pool_id
    assert "ClientSecret" not in public
    confidential = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="confidential", GenerateSecret=True
    )["UserPoolClient"]
    assert confidential["UserPoolId"] == pool_id
    assert confidential["ClientSecret"]
    assert cognito.describe_user_pool_client(
        UserPoolId=pool_id, ClientId=confidential["ClientId"]
    )["UserPoolClient"]["ClientSecret"] == confidential["ClientSecret"]

    # The pool's issuer and keys are served under its id.
    config = get_json(f"{endpoint}/{pool_id}/.well-known/openid-configuration")
    assert config["issuer"].endswith(f"/{pool_id}")
    assert config["jwks_uri"] == f"{config['issuer']}/.well-known/jwks.json"
    assert [k["alg"] for k in get_json(config["jwks_uri"])["keys"]] == ["RS256"]


def test_sign_up_confirm_and_sign_in(app, endpoint):
    signed_up = app.sign_up("liv", "liv@example.com")
    assert signed_up["UserConfirmed"] is False
    assert re.fullmatch(UUID, signed_up["UserSub"])
    delivery = signed_up["CodeDeliveryDetails"]
    assert (delivery["DeliveryMedium"], delivery["AttributeName"]) == ("EMAIL", "email")
    assert re.fullmatch(MASKED_EMAIL, delivery["Destination"]), delivery

    sent = messages(endpoint, app.pool_id, "liv")
    assert [(m["kind"], m["destination"]) for m in sent] == [("sign_up_code", "liv@example.com")]
    assert rejected(app.sign_in, username="liv") == (
        "UserNotConfirmedException",
        "User is not confirmed.",
    )
    app.cognito.confirm_sign_up(
        ClientId=app.client_id,
        Username="liv",
        ConfirmationCode=sent[0]["code"],
        **app.secret_hash("liv"),
    )

    result = app.sign_in("liv")["AuthenticationResult"]
    assert result["TokenType"] == "Bearer"
    assert result["ExpiresIn"] == 3600
    assert result["RefreshToken"]

    # Both tokens name the pool of the Region as their issuer.
    issuer = issuer_of(endpoint, app.pool_id)
    assert issuer.endswith(f"/{app.pool_id}")
    access = claims(result["AccessToken"])
    assert access["iss"] == issuer
    assert access["token_use"] == "access"
    assert access["client_id"] == app.client_id
    assert access["username"] == "liv"
    assert access["sub"] == signed_up["UserSub"]
    identity = claims(result["IdToken"])
    assert identity["iss"] == issuer
    assert identity["token_use"] == "id"
    assert identity["aud"] == app.client_id
    assert identity["cognito:username"] == "liv"
    assert identity["email"] == "liv@example.com"
    assert identity["email_verified"] is True

    me = app.cognito.get_user(AccessToken=result["AccessToken"])
    assert me["Username"] == "liv"
    mine = attributes(me)
    assert mine["sub"] == signed_up["UserSub"]
    assert mine["email"] == "liv@example.com"
    assert mine["email_verified"] == "true"


def test_refresh_then_global_sign_out(app):
    confirmed_user(app.cognito, app.pool_id, "hal")
    first = app.sign_in("hal")["AuthenticationResult"]

    refreshed = app.refresh("hal", first["RefreshToken"])["AuthenticationResult"]
    assert "RefreshToken" not in refreshed
    assert refreshed["ExpiresIn"] == 3600
    assert claims(refreshed["AccessToken"])["username"] == "hal"
    assert claims(refreshed["AccessToken"])["origin_jti"] == claims(first["AccessToken"])[
        "origin_jti"
    ]
    assert claims(refreshed["IdToken"])["cognito:username"] == "hal"
    assert app.cognito.get_user(AccessToken=refreshed["AccessToken"])["Username"] == "hal"

    app.cognito.global_sign_out(AccessToken=refreshed["AccessToken"])
    for access_token in (first["AccessToken"], refreshed["AccessToken"]):
        assert rejected(app.cognito.get_user, AccessToken=access_token) == REVOKED
    code, _ = rejected(app.refresh, username="hal", refresh_token=first["RefreshToken"])
    assert code == "NotAuthorizedException"

    # Signing in again works.
    again = app.sign_in("hal")["AuthenticationResult"]
    assert app.cognito.get_user(AccessToken=again["AccessToken"])["Username"] == "hal"


def test_forgot_password(app, endpoint):
    confirmed_user(
        app.cognito,
        app.pool_id,
        "pam",
        attrs={"email": "pam@example.com", "email_verified": "true"},
    )

    delivery = app.cognito.forgot_password(
        ClientId=app.client_id, Username="pam", **app.secret_hash("pam")
    )["CodeDeliveryDetails"]
    assert (delivery["DeliveryMedium"], delivery["AttributeName"]) == ("EMAIL", "email")
    assert re.fullmatch(MASKED_EMAIL, delivery["Destination"]), delivery
    [sent] = messages(endpoint, app.pool_id, "pam")
    assert (sent["kind"], sent["destination"]) == ("forgot_password_code", "pam@example.com")
    assert re.fullmatch(r"\d{6}", sent["code"])

    app.cognito.confirm_forgot_password(
        ClientId=app.client_id,
        Username="pam",
        ConfirmationCode=sent["code"],
        Password=NEW_PASSWORD,
        **app.secret_hash("pam"),
    )
    assert rejected(app.sign_in, username="pam") == INCORRECT
    result = app.sign_in("pam", NEW_PASSWORD)["AuthenticationResult"]
    assert claims(result["AccessToken"])["username"] == "pam"


def test_resend_confirmation_code(app, endpoint):
    app.sign_up("ora", "ora@example.com")
    resent = app.cognito.resend_confirmation_code(
        ClientId=app.client_id, Username="ora", **app.secret_hash("ora")
    )["CodeDeliveryDetails"]
    assert (resent["DeliveryMedium"], resent["AttributeName"]) == ("EMAIL", "email")
    assert re.fullmatch(MASKED_EMAIL, resent["Destination"]), resent

    sent = messages(endpoint, app.pool_id, "ora")
    assert [(m["kind"], m["destination"]) for m in sent] == [
        ("sign_up_code", "ora@example.com"),
        ("sign_up_code", "ora@example.com"),
    ]
    app.cognito.confirm_sign_up(
        ClientId=app.client_id,
        Username="ora",
        ConfirmationCode=sent[-1]["code"],
        **app.secret_hash("ora"),
    )
    user = app.cognito.admin_get_user(UserPoolId=app.pool_id, Username="ora")
    assert user["UserStatus"] == "CONFIRMED"
    assert claims(app.sign_in("ora")["AuthenticationResult"]["IdToken"])["email"] == (
        "ora@example.com"
    )


def test_new_password_required(app):
    app.cognito.admin_create_user(
        UserPoolId=app.pool_id,
        Username="eve",
        TemporaryPassword="Temp0rary!Pass",
        UserAttributes=attribute_list({"email": "eve@example.com"}),
        MessageAction="SUPPRESS",
    )
    challenge = app.sign_in("eve", "Temp0rary!Pass")
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert challenge["Session"]
    assert "AuthenticationResult" not in challenge
    assert challenge["ChallengeParameters"]["USER_ID_FOR_SRP"] == "eve"

    answer = app.cognito.respond_to_auth_challenge(
        ClientId=app.client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses=app.with_hash(
            "eve", {"USERNAME": "eve", "NEW_PASSWORD": NEW_PASSWORD}
        ),
    )
    result = answer["AuthenticationResult"]
    assert claims(result["IdToken"])["cognito:username"] == "eve"
    assert claims(result["AccessToken"])["client_id"] == app.client_id
    user = app.cognito.admin_get_user(UserPoolId=app.pool_id, Username="eve")
    assert user["UserStatus"] == "CONFIRMED"

    assert rejected(app.sign_in, username="eve", password="Temp0rary!Pass") == INCORRECT
    assert "AuthenticationResult" in app.sign_in("eve", NEW_PASSWORD)


def test_srp_sign_in_with_pycognito(app, endpoint):
    confirmed_user(app.cognito, app.pool_id, "sally", attrs={"email": "sally@example.com"})

    # pycognito takes the Region from the pool id, computes SECRET_HASH when
    # given the secret, and verifies both tokens against
    # {endpoint}/{pool_id}/.well-known/jwks.json with that issuer.
    user = Cognito(
        app.pool_id,
        app.client_id,
        username="sally",
        client_secret=app.secret,
        boto3_client_kwargs={"endpoint_url": endpoint},
    )
    assert user.client.meta.region_name == app.region
    user.authenticate(password=PASSWORD)
    assert user.id_claims["iss"] == issuer_of(endpoint, app.pool_id)
    assert user.id_claims["cognito:username"] == "sally"
    assert user.id_claims["email"] == "sally@example.com"
    assert user.access_claims["username"] == "sally"
    assert user.access_claims["client_id"] == app.client_id

    assert user.get_user().email == "sally@example.com"
    first_access = user.access_token
    user.renew_access_token()
    assert user.access_token != first_access
    assert user.access_claims["username"] == "sally"


def test_a_secret_hash_must_be_sent_and_right(regions, make_pool):
    app = make_app(regions[PARIS], PARIS, make_pool, with_secret=True)
    confirmed_user(app.cognito, app.pool_id, "ken")

    assert rejected(
        app.cognito.initiate_auth,
        ClientId=app.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ken", "PASSWORD": PASSWORD},
    ) == (
        "NotAuthorizedException",
        f"Client {app.client_id} is configured with secret but SECRET_HASH was not received",
    )
    # A hash over another username is no hash for this one.
    assert rejected(
        app.cognito.initiate_auth,
        ClientId=app.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": "ken",
            "PASSWORD": PASSWORD,
            "SECRET_HASH": app.hash_of("kim"),
        },
    ) == ("NotAuthorizedException", f"Unable to verify secret hash for client {app.client_id}")
    assert rejected(
        app.cognito.sign_up,
        ClientId=app.client_id,
        Username="kim",
        Password=PASSWORD,
        SecretHash=app.hash_of("ken"),
    ) == ("NotAuthorizedException", f"Unable to verify secret hash for client {app.client_id}")


def list_pool_ids(cognito, page_size):
    paginator = cognito.get_paginator("list_user_pools")
    return [
        p["Id"]
        for page in paginator.paginate(PaginationConfig={"PageSize": page_size})
        for p in page["UserPools"]
    ]


def test_list_user_pools_lists_the_region_asked_about(regions, cognito, make_pool):
    paris = {make_pool(via=regions[PARIS])["Id"] for _ in range(2)}
    sydney = {make_pool(via=regions[SYDNEY])["Id"] for _ in range(2)}

    # Page by page or all at once, each Region lists its own pools only.
    for page_size in (1, 60):
        from_paris = list_pool_ids(regions[PARIS], page_size)
        assert paris <= set(from_paris)
        assert all(i.startswith(f"{PARIS}_") for i in from_paris), from_paris
        assert len(from_paris) == len(set(from_paris))

        from_sydney = list_pool_ids(regions[SYDNEY], page_size)
        assert sydney <= set(from_sydney)
        assert all(i.startswith(f"{SYDNEY}_") for i in from_sydney), from_sydney
        assert len(from_sydney) == len(set(from_sydney))

    # The server's own Region (us-east-1) lists neither.
    from_home = set(list_pool_ids(cognito, 60))
    assert not from_home & (paris | sydney)
    assert all(i.startswith("us-east-1_") for i in from_home)


def test_one_endpoint_serves_every_region(regions, endpoint, make_pool):
    """Amazon Cognito serves each Region at its own endpoint
    (cognito-idp.<region>.amazonaws.com): there, a client configured for
    another Region than the pool's hears ResourceNotFoundException, "User pool
    <id> does not exist." The emulator serves every Region at one address,
    whatever Region a client signs for. This test pins down that emulator
    behaviour; it is the one test of this suite that does not hold against
    AWS."""
    paris = make_app(regions[PARIS], PARIS, make_pool, with_secret=False)
    sydney = make_app(regions[SYDNEY], SYDNEY, make_pool, with_secret=False)
    confirmed_user(paris.cognito, paris.pool_id, "pia", attrs={"email": "pia@example.com"})
    confirmed_user(sydney.cognito, sydney.pool_id, "sam", attrs={"email": "sam@example.com"})

    for pool, username, other in ((paris, "pia", sydney), (sydney, "sam", paris)):
        user = other.cognito.admin_get_user(UserPoolId=pool.pool_id, Username=username)
        assert user["Username"] == username
        assert attributes(user)["email"] == f"{username}@example.com"
        described = other.cognito.describe_user_pool(UserPoolId=pool.pool_id)["UserPool"]
        assert described["Arn"].startswith(f"arn:aws:cognito-idp:{pool.region}:")

        # Signed in through the other Region's client, the tokens still name
        # the user's own pool.
        result = other.cognito.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]
        assert claims(result["AccessToken"])["iss"] == issuer_of(endpoint, pool.pool_id)
        assert other.cognito.get_user(AccessToken=result["AccessToken"])["Username"] == username


def test_email_usernames_in_any_letter_case(regions, endpoint, make_pool):
    app = make_app(
        regions[PARIS],
        PARIS,
        make_pool,
        with_secret=False,
        UsernameAttributes=["email"],
        UsernameConfiguration={"CaseSensitive": False},
        AutoVerifiedAttributes=["email"],
    )
    signed_up = app.sign_up("zoe@example.com", "zoe@example.com")
    sub = signed_up["UserSub"]
    assert re.fullmatch(UUID, sub)

    # The username of such a user is its sub; messages go to the address.
    [sent] = messages(endpoint, app.pool_id, destination="zoe@example.com")
    assert (sent["kind"], sent["username"]) == ("sign_up_code", sub)
    app.cognito.confirm_sign_up(
        ClientId=app.client_id, Username="zoe@example.com", ConfirmationCode=sent["code"]
    )

    result = app.sign_in("Zoe@EXAMPLE.com")["AuthenticationResult"]
    identity = claims(result["IdToken"])
    assert identity["cognito:username"] == sub
    assert identity["sub"] == sub
    assert identity["email"] == "zoe@example.com"
    assert identity["email_verified"] is True
    assert identity["iss"] == issuer_of(endpoint, app.pool_id)
    assert claims(result["AccessToken"])["username"] == sub
    assert app.cognito.get_user(AccessToken=result["AccessToken"])["Username"] == sub

    got = app.cognito.admin_get_user(UserPoolId=app.pool_id, Username="ZOE@example.COM")
    assert got["Username"] == sub
    assert attributes(got)["email"] == "zoe@example.com"

    assert rejected(app.sign_up, username="ZOE@Example.com", email="ZOE@Example.com") == (
        "UsernameExistsException",
        "An account with the given email already exists.",
    )
    assert rejected(app.sign_in, username="ZOE@EXAMPLE.COM", password=NEW_PASSWORD) == INCORRECT

    # SRP runs over the user's internal name, which the challenge hands back.
    srp = Cognito(
        app.pool_id,
        app.client_id,
        username="ZOE@example.com",
        boto3_client_kwargs={"endpoint_url": endpoint},
    )
    srp.authenticate(password=PASSWORD)
    assert srp.access_claims["username"] == sub
    assert srp.id_claims["email"] == "zoe@example.com"
