"""Signing in with boto3 as an application does: password flows, the new
password challenge, refresh, revocation and sign-out, and the self-service
operations of a signed-in user (sign-up, forgotten and changed passwords, the
user's own attributes)."""

import json
import re

import pytest
from botocore.exceptions import ClientError

from accounts import (
    NEW_PASSWORD,
    OTHER_PASSWORD,
    PASSWORD,
    admin_sign_in,
    attribute_list,
    attributes,
    claims,
    confirmed_user,
    get_json,
    last_code,
    messages,
    sign_in,
    sign_in_client,
)
from support import error_of

MASKED_EMAIL = r"[^*@]\*\*\*@[^*@]\*\*\*"
INCORRECT = ("NotAuthorizedException", "Incorrect username or password.")


@pytest.fixture
def app(cognito, make_pool):
    """A pool that verifies email addresses, and an app client that allows the
    password flows and reports unknown users as such."""
    pool = make_pool(AutoVerifiedAttributes=["email"])
    client_id = sign_in_client(cognito, pool["Id"], PreventUserExistenceErrors="LEGACY")
    return pool["Id"], client_id


def rejected(call, **kwargs):
    with pytest.raises(ClientError) as excinfo:
        call(**kwargs)
    return error_of(excinfo)


def test_admin_user_password_auth_issues_tokens(cognito, endpoint, app):
    pool_id, client_id = app
    confirmed_user(cognito, pool_id, "amy", attrs={"email": "amy@example.com"})

    answer = admin_sign_in(cognito, pool_id, client_id, "amy")
    assert "ChallengeName" not in answer
    result = answer["AuthenticationResult"]
    assert result["TokenType"] == "Bearer"
    assert result["ExpiresIn"] == 3600
    assert result["RefreshToken"]

    issuer = get_json(f"{endpoint}/{pool_id}/.well-known/openid-configuration")["issuer"]
    id_claims = claims(result["IdToken"])
    sub = attributes(cognito.admin_get_user(UserPoolId=pool_id, Username="amy"))["sub"]
    assert id_claims["token_use"] == "id"
    assert id_claims["iss"] == issuer
    assert id_claims["aud"] == client_id
    assert id_claims["sub"] == sub
    assert id_claims["cognito:username"] == "amy"
    assert id_claims["email"] == "amy@example.com"
    assert id_claims["exp"] - id_claims["iat"] == 3600

    access_claims = claims(result["AccessToken"])
    assert access_claims["token_use"] == "access"
    assert access_claims["iss"] == issuer
    assert access_claims["client_id"] == client_id
    assert access_claims["username"] == "amy"
    assert access_claims["sub"] == sub
    assert access_claims["scope"] == "aws.cognito.signin.user.admin"
    assert "aud" not in access_claims


def test_user_password_auth_issues_tokens(cognito, app):
    pool_id, client_id = app
    confirmed_user(cognito, pool_id, "ben")
    result = sign_in(cognito, client_id, "ben")["AuthenticationResult"]
    assert claims(result["AccessToken"])["username"] == "ben"
    me = cognito.get_user(AccessToken=result["AccessToken"])
    assert me["Username"] == "ben"


def test_wrong_password_and_unknown_user(cognito, app):
    pool_id, client_id = app
    confirmed_user(cognito, pool_id, "cat")

    assert rejected(
        cognito.admin_initiate_auth,
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "cat", "PASSWORD": OTHER_PASSWORD},
    ) == INCORRECT
    assert rejected(
        cognito.initiate_auth,
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "cat", "PASSWORD": OTHER_PASSWORD},
    ) == INCORRECT
    assert rejected(
        cognito.initiate_auth,
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "nobody", "PASSWORD": PASSWORD},
    ) == ("UserNotFoundException", "User does not exist.")

    # A client that prevents user existence errors says the same for both.
    hiding = sign_in_client(cognito, pool_id, PreventUserExistenceErrors="ENABLED")
    assert rejected(
        cognito.initiate_auth,
        ClientId=hiding,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "nobody", "PASSWORD": PASSWORD},
    ) == INCORRECT


def test_flows_the_client_does_not_allow(cognito, app):
    pool_id, _ = app
    confirmed_user(cognito, pool_id, "dan")
    srp_only = sign_in_client(cognito, pool_id, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])
    code, _ = rejected(
        cognito.initiate_auth,
        ClientId=srp_only,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "dan", "PASSWORD": PASSWORD},
    )
    assert code == "InvalidParameterException"


def test_new_password_required_then_tokens(cognito, app):
    pool_id, client_id = app
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="eve",
        TemporaryPassword="Temp0rary!Pass",
        UserAttributes=attribute_list({"email": "eve@example.com"}),
        MessageAction="SUPPRESS",
    )

    challenge = admin_sign_in(cognito, pool_id, client_id, "eve", "Temp0rary!Pass")
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert challenge["Session"]
    assert "AuthenticationResult" not in challenge
    parameters = challenge["ChallengeParameters"]
    assert parameters["USER_ID_FOR_SRP"] == "eve"
    assert json.loads(parameters["requiredAttributes"]) == []
    assert json.loads(parameters["userAttributes"])["email"] == "eve@example.com"

    answer = cognito.admin_respond_to_auth_challenge(
        UserPoolId=pool_id,
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "eve", "NEW_PASSWORD": NEW_PASSWORD},
    )
    result = answer["AuthenticationResult"]
    assert claims(result["IdToken"])["cognito:username"] == "eve"
    assert result["RefreshToken"]
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="eve")["UserStatus"] == "CONFIRMED"

    # The temporary password is gone; the new one works.
    assert rejected(
        cognito.admin_initiate_auth,
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "eve", "PASSWORD": "Temp0rary!Pass"},
    ) == INCORRECT
    assert "AuthenticationResult" in admin_sign_in(cognito, pool_id, client_id, "eve", NEW_PASSWORD)


def test_new_password_challenge_through_the_public_api(cognito, app):
    pool_id, client_id = app
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="fay",
        TemporaryPassword="Temp0rary!Pass",
        MessageAction="SUPPRESS",
    )
    challenge = sign_in(cognito, client_id, "fay", "Temp0rary!Pass")
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    code, _ = rejected(
        cognito.respond_to_auth_challenge,
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "fay", "NEW_PASSWORD": "weak"},
    )
    assert code == "InvalidPasswordException"
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="fay")["UserStatus"] == (
        "FORCE_CHANGE_PASSWORD"
    )

    challenge = sign_in(cognito, client_id, "fay", "Temp0rary!Pass")
    answer = cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "fay", "NEW_PASSWORD": NEW_PASSWORD},
    )
    assert "AccessToken" in answer["AuthenticationResult"]


def test_a_generated_temporary_password_signs_in(cognito, endpoint, app):
    pool_id, client_id = app
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="gus",
        UserAttributes=attribute_list({"email": "gus@example.com"}),
        DesiredDeliveryMediums=["EMAIL"],
    )
    temporary = last_code(endpoint, pool_id, "gus", "invitation")
    challenge = admin_sign_in(cognito, pool_id, client_id, "gus", temporary)
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_refresh_token_auth(cognito, app):
    pool_id, client_id = app
    confirmed_user(cognito, pool_id, "hal")
    first = admin_sign_in(cognito, pool_id, client_id, "hal")["AuthenticationResult"]

    refreshed = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]},
    )["AuthenticationResult"]
    assert "RefreshToken" not in refreshed
    assert refreshed["ExpiresIn"] == 3600
    assert claims(refreshed["AccessToken"])["username"] == "hal"
    assert claims(refreshed["IdToken"])["cognito:username"] == "hal"
    assert cognito.get_user(AccessToken=refreshed["AccessToken"])["Username"] == "hal"

    admin_refreshed = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]},
    )["AuthenticationResult"]
    assert claims(admin_refreshed["AccessToken"])["username"] == "hal"

    code, _ = rejected(
        cognito.initiate_auth,
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": "not-a-refresh-token"},
    )
    assert code == "NotAuthorizedException"


def test_revoked_refresh_token_stops_working(cognito, app):
    pool_id, client_id = app
    confirmed_user(cognito, pool_id, "ida")
    tokens = admin_sign_in(cognito, pool_id, client_id, "ida")["AuthenticationResult"]

    cognito.revoke_token(Token=tokens["RefreshToken"], ClientId=client_id)
    assert rejected(
        cognito.initiate_auth,
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
    ) == ("NotAuthorizedException", "Refresh Token has been revoked")
    # The access token issued with it goes too.
    assert rejected(cognito.get_user, AccessToken=tokens["AccessToken"]) == (
        "NotAuthorizedException",
        "Access Token has been revoked",
    )


def test_global_sign_out(cognito, app):
    pool_id, client_id = app
    confirmed_user(cognito, pool_id, "jay")
    one = admin_sign_in(cognito, pool_id, client_id, "jay")["AuthenticationResult"]
    two = admin_sign_in(cognito, pool_id, client_id, "jay")["AuthenticationResult"]
    assert cognito.get_user(AccessToken=one["AccessToken"])["Username"] == "jay"

    cognito.global_sign_out(AccessToken=one["AccessToken"])
    for tokens in (one, two):
        assert rejected(cognito.get_user, AccessToken=tokens["AccessToken"]) == (
            "NotAuthorizedException",
            "Access Token has been revoked",
        )
        code, _ = rejected(
            cognito.initiate_auth,
            ClientId=client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
        )
        assert code == "NotAuthorizedException"

    # Signing in again works.
    again = admin_sign_in(cognito, pool_id, client_id, "jay")["AuthenticationResult"]
    assert cognito.get_user(AccessToken=again["AccessToken"])["Username"] == "jay"


def test_admin_user_global_sign_out(cognito, app):
    pool_id, client_id = app
    confirmed_user(cognito, pool_id, "kai")
    tokens = admin_sign_in(cognito, pool_id, client_id, "kai")["AuthenticationResult"]
    cognito.admin_user_global_sign_out(UserPoolId=pool_id, Username="kai")
    assert rejected(cognito.get_user, AccessToken=tokens["AccessToken"])[0] == (
        "NotAuthorizedException"
    )


def test_sign_up_confirm_and_sign_in(cognito, endpoint, app):
    pool_id, client_id = app
    signed_up = cognito.sign_up(
        ClientId=client_id,
        Username="liv",
        Password=PASSWORD,
        UserAttributes=attribute_list({"email": "liv@example.com", "name": "Liv"}),
    )
    assert signed_up["UserConfirmed"] is False
    assert re.fullmatch(r"[0-9a-f-]{36}", signed_up["UserSub"])
    delivery = signed_up["CodeDeliveryDetails"]
    assert delivery["DeliveryMedium"] == "EMAIL"
    assert delivery["AttributeName"] == "email"
    assert re.fullmatch(MASKED_EMAIL, delivery["Destination"]), delivery

    sent = messages(endpoint, pool_id, "liv")
    assert [(m["kind"], m["destination"]) for m in sent] == [("sign_up_code", "liv@example.com")]
    code = sent[0]["code"]
    assert re.fullmatch(r"\d{6}", code)

    assert rejected(sign_in, cognito=cognito, client_id=client_id, username="liv") == (
        "UserNotConfirmedException",
        "User is not confirmed.",
    )
    wrong = "000000" if code != "000000" else "111111"
    assert rejected(
        cognito.confirm_sign_up, ClientId=client_id, Username="liv", ConfirmationCode=wrong
    ) == ("CodeMismatchException", "Invalid verification code provided, please try again.")

    cognito.confirm_sign_up(ClientId=client_id, Username="liv", ConfirmationCode=code)
    result = sign_in(cognito, client_id, "liv")["AuthenticationResult"]
    me = cognito.get_user(AccessToken=result["AccessToken"])
    assert me["Username"] == "liv"
    mine = attributes(me)
    assert mine["email"] == "liv@example.com"
    assert mine["email_verified"] == "true"
    assert mine["name"] == "Liv"
    assert mine["sub"] == signed_up["UserSub"]

    assert rejected(
        cognito.confirm_sign_up, ClientId=client_id, Username="liv", ConfirmationCode=code
    ) == ("NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")


def test_sign_up_twice_and_with_a_weak_password(cognito, app):
    _, client_id = app
    cognito.sign_up(ClientId=client_id, Username="max", Password=PASSWORD)
    assert rejected(cognito.sign_up, ClientId=client_id, Username="max", Password=PASSWORD) == (
        "UsernameExistsException",
        "User already exists",
    )
    code, _ = rejected(cognito.sign_up, ClientId=client_id, Username="ned", Password="weak")
    assert code == "InvalidPasswordException"


def test_resend_confirmation_code(cognito, endpoint, app):
    pool_id, client_id = app
    cognito.sign_up(
        ClientId=client_id,
        Username="ora",
        Password=PASSWORD,
        UserAttributes=attribute_list({"email": "ora@example.com"}),
    )
    resent = cognito.resend_confirmation_code(ClientId=client_id, Username="ora")
    assert resent["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    codes = [m for m in messages(endpoint, pool_id, "ora") if m["kind"] == "sign_up_code"]
    assert len(codes) == 2
    cognito.confirm_sign_up(
        ClientId=client_id, Username="ora", ConfirmationCode=codes[-1]["code"]
    )
    assert "AuthenticationResult" in sign_in(cognito, client_id, "ora")


def test_forgot_password(cognito, endpoint, app):
    pool_id, client_id = app
    confirmed_user(
        cognito, pool_id, "pam", attrs={"email": "pam@example.com", "email_verified": "true"}
    )

    delivery = cognito.forgot_password(ClientId=client_id, Username="pam")["CodeDeliveryDetails"]
    assert delivery["DeliveryMedium"] == "EMAIL"
    assert delivery["AttributeName"] == "email"
    assert re.fullmatch(MASKED_EMAIL, delivery["Destination"]), delivery
    code = last_code(endpoint, pool_id, "pam", "forgot_password_code")

    wrong = "000000" if code != "000000" else "111111"
    assert rejected(
        cognito.confirm_forgot_password,
        ClientId=client_id,
        Username="pam",
        ConfirmationCode=wrong,
        Password=NEW_PASSWORD,
    ) == ("CodeMismatchException", "Invalid verification code provided, please try again.")

    cognito.confirm_forgot_password(
        ClientId=client_id, Username="pam", ConfirmationCode=code, Password=NEW_PASSWORD
    )
    assert rejected(sign_in, cognito=cognito, client_id=client_id, username="pam") == INCORRECT
    result = sign_in(cognito, client_id, "pam", NEW_PASSWORD)["AuthenticationResult"]
    assert claims(result["AccessToken"])["username"] == "pam"


def test_change_password(cognito, app):
    pool_id, client_id = app
    confirmed_user(cognito, pool_id, "quinn")
    access = sign_in(cognito, client_id, "quinn")["AuthenticationResult"]["AccessToken"]

    assert rejected(
        cognito.change_password,
        PreviousPassword=OTHER_PASSWORD,
        ProposedPassword=NEW_PASSWORD,
        AccessToken=access,
    ) == INCORRECT
    code, _ = rejected(
        cognito.change_password,
        PreviousPassword=PASSWORD,
        ProposedPassword="weak",
        AccessToken=access,
    )
    assert code == "InvalidPasswordException"

    cognito.change_password(
        PreviousPassword=PASSWORD, ProposedPassword=NEW_PASSWORD, AccessToken=access
    )
    assert rejected(sign_in, cognito=cognito, client_id=client_id, username="quinn") == INCORRECT
    assert "AuthenticationResult" in sign_in(cognito, client_id, "quinn", NEW_PASSWORD)


def test_get_and_update_own_attributes(cognito, endpoint, app):
    pool_id, client_id = app
    confirmed_user(
        cognito,
        pool_id,
        "rae",
        attrs={"email": "rae@example.com", "email_verified": "true", "name": "Rae"},
    )
    access = sign_in(cognito, client_id, "rae")["AuthenticationResult"]["AccessToken"]

    me = cognito.get_user(AccessToken=access)
    assert me["Username"] == "rae"
    assert attributes(me)["name"] == "Rae"

    answer = cognito.update_user_attributes(
        AccessToken=access, UserAttributes=attribute_list({"name": "Rachel"})
    )
    assert answer.get("CodeDeliveryDetailsList", []) == []
    assert attributes(cognito.get_user(AccessToken=access))["name"] == "Rachel"

    # A new email address must be verified: a code goes to it.
    answer = cognito.update_user_attributes(
        AccessToken=access, UserAttributes=attribute_list({"email": "rachel@example.com"})
    )
    [delivery] = answer["CodeDeliveryDetailsList"]
    assert delivery["AttributeName"] == "email"
    assert delivery["DeliveryMedium"] == "EMAIL"
    mine = attributes(cognito.get_user(AccessToken=access))
    assert mine["email"] == "rachel@example.com"
    assert mine["email_verified"] == "false"

    sent = [m for m in messages(endpoint, pool_id, "rae") if m["kind"] == "verification_code"]
    assert sent[-1]["destination"] == "rachel@example.com"
    cognito.verify_user_attribute(
        AccessToken=access, AttributeName="email", Code=sent[-1]["code"]
    )
    assert attributes(cognito.get_user(AccessToken=access))["email_verified"] == "true"

    # `sub` is not the user's to change.
    assert rejected(
        cognito.update_user_attributes,
        AccessToken=access,
        UserAttributes=attribute_list({"sub": "mine"}),
    ) == ("NotAuthorizedException", "A client attempted to write unauthorized attribute")


def test_delete_own_account(cognito, app):
    pool_id, client_id = app
    confirmed_user(cognito, pool_id, "sid")
    access = sign_in(cognito, client_id, "sid")["AuthenticationResult"]["AccessToken"]
    cognito.delete_user(AccessToken=access)
    assert rejected(cognito.admin_get_user, UserPoolId=pool_id, Username="sid") == (
        "UserNotFoundException",
        "User does not exist.",
    )
