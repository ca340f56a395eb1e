"""PreTokenGeneration: the pool's function changes the tokens Cognito issues,
and a resource server sees the change once it has checked each token's
signature against the pool's JWKS. Event version 1 (V1_0, any tier) changes the
ID token and the groups of both tokens; versions 2 and 3 (V2_0, V3_0, the
Essentials and Plus tiers) also change the access token's claims and scopes.
The function runs on every issue of tokens: a password or SRP sign-in, the
answer to NEW_PASSWORD_REQUIRED, a refresh.

The functions are the Node.js handlers pre-token-generation-v1.js and
pre-token-generation-v2.js of conformance/clients/triggers/handlers:
  v1: `custom:tier` = gold added, `family_name` = Overridden, `locale`
      suppressed, groups replaced by `overridden-group`;
  v2: ID token `tier` = gold, `locale` suppressed; access token `tenant` = acme
      and scope `custom/read` added; groups replaced by `overridden-group`;
and `try-claim` of triggers_support, which tries to change the claim its user
names: claims that say what a token is (who issued it, to whom, when, for
what) are Cognito's alone, and a function that changes one fails the sign-in
with InvalidLambdaResponseException.
"""

import pytest
from pycognito import Cognito

from accounts import NEW_PASSWORD, PASSWORD, attribute_list, attributes, confirmed_user, secret_hash
from support import REGION

pytest.register_assert_rewrite("triggers_support")

from triggers_support import (
    app_client,
    arn,
    custom_attributes,
    invocations,
    only_invocation,
    rejected,
    verified_claims,
)

# The trigger server and its fixtures (idp, trigger_endpoint, make_trigger_pool).
pytest_plugins = ["triggers_support"]

ADMIN_SCOPE = "aws.cognito.signin.user.admin"
USER_ATTRIBUTES = {
    "email": "amy@example.com",
    "email_verified": "true",
    "family_name": "Original",
    "locale": "en-US",
}


def v1_pool(make_trigger_pool, **kwargs):
    kwargs.setdefault("UserPoolTier", "LITE")
    return make_trigger_pool({"PreTokenGeneration": "pre-token-generation-v1"}, **kwargs)["Id"]


def versioned_pool(make_trigger_pool, version, **kwargs):
    kwargs.setdefault("UserPoolTier", "ESSENTIALS")
    return make_trigger_pool(
        {"PreTokenGenerationConfig": ("pre-token-generation-v2", version)}, **kwargs
    )["Id"]


def member_of_admins(idp, pool_id, username="amy", attrs=None):
    """A confirmed user in group `admins`."""
    confirmed_user(idp, pool_id, username, attrs=attrs or USER_ATTRIBUTES)
    try:
        idp.create_group(GroupName="admins", UserPoolId=pool_id)
    except idp.exceptions.GroupExistsException:
        pass
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName="admins")


def password_auth(idp, client_id, username, password=PASSWORD, **kwargs):
    return idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
        **kwargs,
    )["AuthenticationResult"]


def refresh(idp, client_id, refresh_token, **parameters):
    return idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": refresh_token, **parameters},
    )["AuthenticationResult"]


def both(endpoint, pool_id, result):
    """The verified claims of the ID and access tokens of `result`."""
    return (
        verified_claims(endpoint, pool_id, result["IdToken"]),
        verified_claims(endpoint, pool_id, result["AccessToken"]),
    )


def check_v1_tokens(endpoint, pool_id, result, username="amy"):
    id_claims, access_claims = both(endpoint, pool_id, result)
    assert id_claims["token_use"] == "id"
    assert id_claims["cognito:username"] == username
    assert id_claims["custom:tier"] == "gold"
    assert id_claims["family_name"] == "Overridden"
    assert "locale" not in id_claims
    assert id_claims["email"] == "amy@example.com"
    assert id_claims["cognito:groups"] == ["overridden-group"]
    # Version 1 leaves the access token's claims alone, but not its groups.
    assert access_claims["token_use"] == "access"
    assert access_claims["cognito:groups"] == ["overridden-group"]
    assert "custom:tier" not in access_claims
    assert "family_name" not in access_claims
    assert access_claims["scope"] == ADMIN_SCOPE
    return id_claims, access_claims


def check_v2_tokens(endpoint, pool_id, result):
    id_claims, access_claims = both(endpoint, pool_id, result)
    assert id_claims["tier"] == "gold"
    assert "locale" not in id_claims
    assert id_claims["family_name"] == "Original"
    assert id_claims["cognito:groups"] == ["overridden-group"]
    assert "tenant" not in id_claims
    assert access_claims["tenant"] == "acme"
    assert "tier" not in access_claims
    assert access_claims["cognito:groups"] == ["overridden-group"]
    assert sorted(access_claims["scope"].split()) == sorted([ADMIN_SCOPE, "custom/read"])
    return id_claims, access_claims


# Version 1


def test_version_1_changes_the_id_token(idp, trigger_endpoint, make_trigger_pool):
    pool_id = v1_pool(make_trigger_pool)
    client_id = app_client(idp, pool_id)
    member_of_admins(idp, pool_id)
    config = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["LambdaConfig"]
    assert config["PreTokenGeneration"] == arn("pre-token-generation-v1")
    assert config["PreTokenGenerationConfig"] == {
        "LambdaArn": arn("pre-token-generation-v1"),
        "LambdaVersion": "V1_0",
    }

    result = password_auth(idp, client_id, "amy", ClientMetadata={"app": "web"})
    check_v1_tokens(trigger_endpoint, pool_id, result)
    # The access token still works with the API.
    assert idp.get_user(AccessToken=result["AccessToken"])["Username"] == "amy"
    # The user itself is unchanged.
    stored = attributes(idp.admin_get_user(UserPoolId=pool_id, Username="amy"))
    assert stored["family_name"] == "Original"
    assert stored["locale"] == "en-US"

    call = only_invocation(trigger_endpoint, pool_id, "PreTokenGeneration")
    assert call["trigger_source"] == "TokenGeneration_Authentication"
    event = call["event"]
    assert event["version"] == "1"
    assert event["userName"] == "amy"
    assert event["callerContext"]["clientId"] == client_id
    request = event["request"]
    assert request["userAttributes"]["family_name"] == "Original"
    assert request["userAttributes"]["locale"] == "en-US"
    assert request["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert request["groupConfiguration"]["groupsToOverride"] == ["admins"]
    assert request["groupConfiguration"]["iamRolesToOverride"] == []
    # InitiateAuth's ClientMetadata is not handed to PreTokenGeneration.
    assert request.get("clientMetadata") in (None, {})
    assert call["response"]["claimsOverrideDetails"]["claimsToSuppress"] == ["locale"]


def test_version_1_on_refresh(idp, trigger_endpoint, make_trigger_pool):
    pool_id = v1_pool(make_trigger_pool)
    client_id = app_client(idp, pool_id)
    member_of_admins(idp, pool_id)
    first = password_auth(idp, client_id, "amy")
    renewed = refresh(idp, client_id, first["RefreshToken"])
    assert "RefreshToken" not in renewed
    check_v1_tokens(trigger_endpoint, pool_id, renewed)
    assert [c["trigger_source"] for c in invocations(trigger_endpoint, pool_id)] == [
        "TokenGeneration_Authentication",
        "TokenGeneration_RefreshTokens",
    ]


def test_version_1_after_a_new_password(idp, trigger_endpoint, make_trigger_pool):
    pool_id = v1_pool(make_trigger_pool)
    client_id = app_client(idp, pool_id)
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="amy",
        TemporaryPassword="Temp0rary!Pass",
        UserAttributes=attribute_list(USER_ATTRIBUTES),
        MessageAction="SUPPRESS",
    )
    challenge = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "amy", "PASSWORD": "Temp0rary!Pass"},
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert invocations(trigger_endpoint, pool_id) == []
    result = idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "amy", "NEW_PASSWORD": NEW_PASSWORD},
        ClientMetadata={"step": "new-password"},
    )["AuthenticationResult"]
    id_claims, _ = both(trigger_endpoint, pool_id, result)
    assert id_claims["custom:tier"] == "gold"
    assert id_claims["family_name"] == "Overridden"
    # No groups: the override names one anyway.
    assert id_claims["cognito:groups"] == ["overridden-group"]

    call = only_invocation(trigger_endpoint, pool_id, "PreTokenGeneration")
    assert call["trigger_source"] == "TokenGeneration_NewPasswordChallenge"
    # RespondToAuthChallenge's ClientMetadata reaches the function.
    assert call["event"]["request"]["clientMetadata"] == {"step": "new-password"}
    assert call["event"]["request"]["groupConfiguration"]["groupsToOverride"] == []


def test_version_1_with_srp(idp, trigger_endpoint, make_trigger_pool):
    pool_id = v1_pool(make_trigger_pool)
    client_id = app_client(idp, pool_id)
    member_of_admins(idp, pool_id)
    user = Cognito(
        pool_id,
        client_id,
        username="amy",
        user_pool_region=REGION,
        boto3_client_kwargs={"endpoint_url": trigger_endpoint},
    )
    user.authenticate(password=PASSWORD)
    check_v1_tokens(
        trigger_endpoint,
        pool_id,
        {"IdToken": user.id_token, "AccessToken": user.access_token},
    )
    call = only_invocation(trigger_endpoint, pool_id, "PreTokenGeneration")
    assert call["trigger_source"] == "TokenGeneration_Authentication"


def test_version_1_with_a_secret_and_email_as_username(idp, trigger_endpoint, make_trigger_pool):
    pool_id = v1_pool(make_trigger_pool, UsernameAttributes=["email"])
    client_id, client_secret = app_client(idp, pool_id, secret=True)
    email = USER_ATTRIBUTES["email"]
    attrs = {k: v for k, v in USER_ATTRIBUTES.items() if k != "email"}
    member_of_admins(idp, pool_id, email, attrs)
    sub = idp.admin_get_user(UserPoolId=pool_id, Username=email)["Username"]

    result = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": email,
            "PASSWORD": PASSWORD,
            "SECRET_HASH": secret_hash(client_id, client_secret, email),
        },
    )["AuthenticationResult"]
    check_v1_tokens(trigger_endpoint, pool_id, result, username=sub)
    call = only_invocation(trigger_endpoint, pool_id, "PreTokenGeneration")
    assert call["event"]["userName"] == sub

    renewed = refresh(
        idp,
        client_id,
        result["RefreshToken"],
        SECRET_HASH=secret_hash(client_id, client_secret, sub),
    )
    check_v1_tokens(trigger_endpoint, pool_id, renewed, username=sub)
    assert invocations(trigger_endpoint, pool_id)[-1]["trigger_source"] == (
        "TokenGeneration_RefreshTokens"
    )


# Versions 2 and 3


@pytest.mark.parametrize("version", ["V2_0", "V3_0"])
def test_versions_2_and_3_change_both_tokens(idp, trigger_endpoint, make_trigger_pool, version):
    pool_id = versioned_pool(make_trigger_pool, version)
    client_id = app_client(idp, pool_id)
    member_of_admins(idp, pool_id)
    config = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["LambdaConfig"]
    assert config["PreTokenGenerationConfig"] == {
        "LambdaArn": arn("pre-token-generation-v2"),
        "LambdaVersion": version,
    }

    result = password_auth(idp, client_id, "amy")
    check_v2_tokens(trigger_endpoint, pool_id, result)
    # The access token keeps the scope that lets the user manage itself.
    assert idp.get_user(AccessToken=result["AccessToken"])["Username"] == "amy"

    call = only_invocation(trigger_endpoint, pool_id, "PreTokenGeneration")
    assert call["trigger_source"] == "TokenGeneration_Authentication"
    event = call["event"]
    assert event["version"] == version[1]
    assert event["request"]["scopes"] == [ADMIN_SCOPE]
    assert event["request"]["groupConfiguration"]["groupsToOverride"] == ["admins"]
    assert event["request"]["userAttributes"]["locale"] == "en-US"
    details = call["response"]["claimsAndScopeOverrideDetails"]
    assert details["accessTokenGeneration"]["scopesToAdd"] == ["custom/read"]

    renewed = refresh(idp, client_id, result["RefreshToken"])
    check_v2_tokens(trigger_endpoint, pool_id, renewed)
    assert invocations(trigger_endpoint, pool_id)[-1]["trigger_source"] == (
        "TokenGeneration_RefreshTokens"
    )


def test_versions_2_and_3_need_the_essentials_tier(idp, make_trigger_pool):
    for version in ("V2_0", "V3_0"):
        code, _ = rejected(
            versioned_pool,
            make_trigger_pool=make_trigger_pool,
            version=version,
            UserPoolTier="LITE",
        )
        assert code == "FeatureUnavailableInTierException"

    # A Lite pool keeps version 1, and cannot move to version 2 while it stays Lite.
    pool_id = v1_pool(make_trigger_pool)
    code, _ = rejected(
        idp.update_user_pool,
        UserPoolId=pool_id,
        UserPoolTier="LITE",
        LambdaConfig={
            "PreTokenGenerationConfig": {
                "LambdaArn": arn("pre-token-generation-v2"),
                "LambdaVersion": "V2_0",
            }
        },
    )
    assert code == "FeatureUnavailableInTierException"
    config = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["LambdaConfig"]
    assert config["PreTokenGenerationConfig"]["LambdaVersion"] == "V1_0"


# Claims no function may change


def claim_pool(make_trigger_pool, version):
    return make_trigger_pool(
        {"PreTokenGenerationConfig": ("try-claim", version)},
        UserPoolTier="ESSENTIALS",
        Schema=custom_attributes("claim", "change", "token"),
    )["Id"]


def trying(idp, pool_id, username, claim, change, token="id", attrs=None):
    """A user whose sign-in makes `try-claim` change `claim`."""
    confirmed_user(
        idp,
        pool_id,
        username,
        attrs={
            "custom:claim": claim,
            "custom:change": change,
            "custom:token": token,
            **(attrs or {}),
        },
    )


def check_refused(idp, endpoint, pool_id, client_id, cases):
    """Each case's sign-in fails with InvalidLambdaResponseException, and no
    token is issued."""
    before = len(invocations(endpoint, pool_id, "PreTokenGeneration"))
    for n, case in enumerate(cases):
        username = f"try{n}"
        trying(idp, pool_id, username, *case)
        code, _ = rejected(password_auth, idp=idp, client_id=client_id, username=username)
        assert code == "InvalidLambdaResponseException", case
    calls = invocations(endpoint, pool_id, "PreTokenGeneration")[before:]
    assert len(calls) == len(cases)
    assert all("InvalidLambdaResponseException" in c["error"] for c in calls), calls


def test_version_1_cannot_change_what_makes_a_token(idp, trigger_endpoint, make_trigger_pool):
    pool_id = claim_pool(make_trigger_pool, "V1_0")
    client_id = app_client(idp, pool_id)

    # Claims of the user's own are the function's to change.
    trying(idp, pool_id, "plain", "plan", "override")
    trying(idp, pool_id, "quiet", "email", "suppress", attrs={"email": "quiet@example.com"})
    assert (
        verified_claims(
            trigger_endpoint, pool_id, password_auth(idp, client_id, "plain")["IdToken"]
        )["plan"]
        == "forged"
    )
    assert "email" not in verified_claims(
        trigger_endpoint, pool_id, password_auth(idp, client_id, "quiet")["IdToken"]
    )

    check_refused(
        idp,
        trigger_endpoint,
        pool_id,
        client_id,
        [
            ("sub", "override"),
            ("iss", "override"),
            ("aud", "override"),
            ("token_use", "override"),
            ("exp", "override"),
            ("iat", "override"),
            ("auth_time", "override"),
            ("cognito:username", "override"),
            ("sub", "suppress"),
            ("auth_time", "suppress"),
        ],
    )


@pytest.mark.parametrize("version", ["V2_0", "V3_0"])
def test_versions_2_and_3_cannot_change_what_makes_a_token(
    idp, trigger_endpoint, make_trigger_pool, version
):
    pool_id = claim_pool(make_trigger_pool, version)
    client_id = app_client(idp, pool_id)

    trying(idp, pool_id, "plain", "plan", "override", token="access")
    access = password_auth(idp, client_id, "plain")["AccessToken"]
    assert verified_claims(trigger_endpoint, pool_id, access)["plan"] == "forged"

    check_refused(
        idp,
        trigger_endpoint,
        pool_id,
        client_id,
        [
            ("iss", "override", "id"),
            ("aud", "override", "id"),
            ("sub", "suppress", "id"),
            ("token_use", "override", "access"),
            ("exp", "override", "access"),
            ("iss", "override", "access"),
            ("jti", "suppress", "access"),
            ("origin_jti", "suppress", "access"),
        ],
    )
