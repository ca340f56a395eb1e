"""The triggers of a user's creation and confirmation, driven with boto3 as an
application does: PreSignUp refusing a sign-up, or confirming it and verifying
the user's email address and phone number at once, on SignUp and on
AdminCreateUser; PostConfirmation after ConfirmSignUp, AdminConfirmSignUp,
ConfirmForgotPassword and a sign-up its PreSignUp confirmed, with the user's
attributes and status in its event, and its failure answered to the caller.

The functions are the Node.js handlers of conformance/clients/triggers/handlers
(see triggers_support); what they received is read back from the server's
record of invocations.
"""

import pytest

import support
from accounts import NEW_PASSWORD, PASSWORD, attribute_list, attributes, messages, secret_hash

pytest.register_assert_rewrite("triggers_support")

from triggers_support import (
    AUTO_EMAIL_DOMAIN,
    BLOCKED_MESSAGE,
    app_client,
    custom_attributes,
    invocations,
    lambda_config,
    only_invocation,
    rejected,
    sign_up,
    sources,
)

# The trigger server and its fixtures (idp, trigger_endpoint, make_trigger_pool).
pytest_plugins = ["triggers_support"]

BLOCKED = ("UserLambdaValidationException", f"PreSignUp failed with error {BLOCKED_MESSAGE}.")
NO_CLIENT = "CLIENT_ID_NOT_APPLICABLE"
PHONE = "+14155550123"


@pytest.fixture
def pool_id(make_trigger_pool):
    """A pool that verifies email addresses, with PreSignUp and
    PostConfirmation functions."""
    return make_trigger_pool(
        {"PreSignUp": "pre-sign-up", "PostConfirmation": "post-confirmation"},
        AutoVerifiedAttributes=["email"],
        Schema=custom_attributes("fail_confirmation"),
    )["Id"]


@pytest.fixture
def client_id(idp, pool_id):
    return app_client(idp, pool_id)


def user_status(idp, pool_id, username):
    user = idp.admin_get_user(UserPoolId=pool_id, Username=username)
    return user["UserStatus"], attributes(user)


def sent_kinds(endpoint, pool_id, username=None):
    return [m["kind"] for m in messages(endpoint, pool_id, username)]


def code_of(endpoint, pool_id, username, kind):
    sent = [m for m in messages(endpoint, pool_id, username) if m["kind"] == kind]
    assert sent, f"no {kind} message for {username}"
    return sent[-1]["code"]


# PreSignUp


def test_a_refused_sign_up_creates_no_user(idp, trigger_endpoint, pool_id, client_id):
    assert (
        rejected(
            sign_up, idp=idp, client=client_id, username="bo", attrs={"email": "bo@blocked.example"}
        )
        == BLOCKED
    )
    assert rejected(idp.admin_get_user, UserPoolId=pool_id, Username="bo") == (
        "UserNotFoundException",
        "User does not exist.",
    )
    assert sent_kinds(trigger_endpoint, pool_id) == []

    call = only_invocation(trigger_endpoint, pool_id, "PreSignUp")
    assert call["trigger_source"] == "PreSignUp_SignUp"
    assert call["response"] is None
    assert BLOCKED_MESSAGE in call["error"]
    assert invocations(trigger_endpoint, pool_id, "PostConfirmation") == []

    # The name stays free.
    sign_up(idp, client_id, "bo", {"email": "bo@example.com"})
    assert user_status(idp, pool_id, "bo")[0] == "UNCONFIRMED"


def test_the_sign_up_event(idp, trigger_endpoint, pool_id, client_id):
    answer = sign_up(
        idp,
        client_id,
        "cy",
        {"email": "cy@example.com", "name": "Cy"},
        ValidationData=attribute_list({"captcha": "passed"}),
        ClientMetadata={"campaign": "spring"},
    )
    assert answer["UserConfirmed"] is False
    assert answer["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"

    call = only_invocation(trigger_endpoint, pool_id, "PreSignUp")
    assert call["function_arn"].endswith(":function:pre-sign-up")
    assert call["username"] == "cy"
    assert call["error"] is None
    event = call["event"]
    assert event["version"] == "1"
    assert event["triggerSource"] == "PreSignUp_SignUp"
    assert event["region"] == "us-east-1"
    assert event["userPoolId"] == pool_id
    assert event["userName"] == "cy"
    assert event["callerContext"]["clientId"] == client_id
    assert isinstance(event["callerContext"]["awsSdkVersion"], str)
    request = event["request"]
    assert request["userAttributes"]["email"] == "cy@example.com"
    assert request["userAttributes"]["name"] == "Cy"
    assert request["validationData"] == {"captcha": "passed"}
    assert request["clientMetadata"] == {"campaign": "spring"}
    # Cognito hands the function a response with every flag off.
    assert event["response"] == {
        "autoConfirmUser": False,
        "autoVerifyEmail": False,
        "autoVerifyPhone": False,
    }

    # The function confirmed nothing: the user confirms with the code sent.
    assert user_status(idp, pool_id, "cy")[0] == "UNCONFIRMED"
    assert sent_kinds(trigger_endpoint, pool_id, "cy") == ["sign_up_code"]
    assert invocations(trigger_endpoint, pool_id, "PostConfirmation") == []


def test_a_confirmed_sign_up_sends_no_code(idp, trigger_endpoint, pool_id, client_id):
    email = f"di@{AUTO_EMAIL_DOMAIN}"
    answer = sign_up(idp, client_id, "di", {"email": email})
    assert answer["UserConfirmed"] is True
    assert "CodeDeliveryDetails" not in answer

    status, attrs = user_status(idp, pool_id, "di")
    assert status == "CONFIRMED"
    assert attrs["email"] == email
    assert attrs["email_verified"] == "true"
    assert sent_kinds(trigger_endpoint, pool_id) == []
    assert (
        only_invocation(trigger_endpoint, pool_id, "PreSignUp")["response"]["autoConfirmUser"]
        is True
    )

    # A user its PreSignUp confirms reaches PostConfirmation at sign-up.
    confirmed = only_invocation(trigger_endpoint, pool_id, "PostConfirmation")
    assert confirmed["trigger_source"] == "PostConfirmation_ConfirmSignUp"
    assert confirmed["event"]["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"

    # And signs in at once.
    answer = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "di", "PASSWORD": PASSWORD},
    )
    assert answer["AuthenticationResult"]["AccessToken"]


def test_client_metadata_asks_for_confirmation(idp, trigger_endpoint, pool_id, client_id):
    answer = sign_up(
        idp,
        client_id,
        "eli",
        {"email": "eli@example.com", "phone_number": PHONE},
        ClientMetadata={"autoConfirm": "true"},
    )
    assert answer["UserConfirmed"] is True
    status, attrs = user_status(idp, pool_id, "eli")
    assert status == "CONFIRMED"
    assert attrs["email_verified"] == "true"
    assert attrs["phone_number_verified"] == "true"
    assert sent_kinds(trigger_endpoint, pool_id) == []
    response = only_invocation(trigger_endpoint, pool_id, "PreSignUp")["response"]
    assert response == {"autoConfirmUser": True, "autoVerifyEmail": True, "autoVerifyPhone": True}


def test_admin_create_user_runs_pre_sign_up(idp, trigger_endpoint, pool_id):
    assert (
        rejected(
            idp.admin_create_user,
            UserPoolId=pool_id,
            Username="fox",
            UserAttributes=attribute_list({"email": "fox@blocked.example"}),
        )
        == BLOCKED
    )
    assert rejected(idp.admin_get_user, UserPoolId=pool_id, Username="fox")[0] == (
        "UserNotFoundException"
    )
    assert sent_kinds(trigger_endpoint, pool_id) == []

    created = idp.admin_create_user(
        UserPoolId=pool_id,
        Username="gus",
        UserAttributes=attribute_list({"email": "gus@example.com"}),
        ValidationData=attribute_list({"source": "back-office"}),
        ClientMetadata={"operator": "ops-1"},
        DesiredDeliveryMediums=["EMAIL"],
    )["User"]
    assert created["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert sent_kinds(trigger_endpoint, pool_id, "gus") == ["invitation"]

    calls = invocations(trigger_endpoint, pool_id, "PreSignUp")
    assert [c["trigger_source"] for c in calls] == ["PreSignUp_AdminCreateUser"] * 2
    event = calls[-1]["event"]
    assert event["userName"] == "gus"
    assert event["callerContext"]["clientId"] == NO_CLIENT
    assert event["request"]["userAttributes"]["email"] == "gus@example.com"
    assert event["request"]["validationData"] == {"source": "back-office"}
    assert event["request"]["clientMetadata"] == {"operator": "ops-1"}


def test_admin_created_users_reach_no_post_confirmation(idp, trigger_endpoint, pool_id, client_id):
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="hal",
        TemporaryPassword="Temp0rary!Pass",
        UserAttributes=attribute_list({"email": "hal@example.com"}),
        MessageAction="SUPPRESS",
    )
    challenge = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "hal", "PASSWORD": "Temp0rary!Pass"},
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    answer = idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "hal", "NEW_PASSWORD": NEW_PASSWORD},
    )
    assert answer["AuthenticationResult"]["AccessToken"]
    assert user_status(idp, pool_id, "hal")[0] == "CONFIRMED"
    assert sources(trigger_endpoint, pool_id) == ["PreSignUp_AdminCreateUser"]


# PostConfirmation


def test_post_confirmation_after_confirm_sign_up(idp, trigger_endpoint, pool_id, client_id):
    sub = sign_up(idp, client_id, "ivy", {"email": "ivy@example.com", "name": "Ivy"})["UserSub"]
    assert invocations(trigger_endpoint, pool_id, "PostConfirmation") == []
    code = code_of(trigger_endpoint, pool_id, "ivy", "sign_up_code")

    idp.confirm_sign_up(
        ClientId=client_id,
        Username="ivy",
        ConfirmationCode=code,
        ClientMetadata={"step": "confirm"},
    )
    call = only_invocation(trigger_endpoint, pool_id, "PostConfirmation")
    assert call["trigger_source"] == "PostConfirmation_ConfirmSignUp"
    assert call["error"] is None
    event = call["event"]
    assert event["userName"] == "ivy"
    assert event["callerContext"]["clientId"] == client_id
    user_attrs = event["request"]["userAttributes"]
    assert user_attrs["sub"] == sub
    assert user_attrs["email"] == "ivy@example.com"
    assert user_attrs["email_verified"] == "true"
    assert user_attrs["name"] == "Ivy"
    assert user_attrs["cognito:user_status"] == "CONFIRMED"
    assert event["request"]["clientMetadata"] == {"step": "confirm"}
    assert user_status(idp, pool_id, "ivy")[0] == "CONFIRMED"


def test_admin_confirm_sign_up_runs_post_confirmation(idp, trigger_endpoint, pool_id, client_id):
    sign_up(idp, client_id, "jay", {"email": "jay@example.com"})
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username="jay", ClientMetadata={"by": "support"})
    call = only_invocation(trigger_endpoint, pool_id, "PostConfirmation")
    assert call["trigger_source"] == "PostConfirmation_ConfirmSignUp"
    event = call["event"]
    assert event["callerContext"]["clientId"] == NO_CLIENT
    assert event["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert event["request"]["clientMetadata"] == {"by": "support"}


def test_confirm_forgot_password_runs_post_confirmation(idp, trigger_endpoint, pool_id, client_id):
    sign_up(idp, client_id, "kit", {"email": "kit@example.com"})
    idp.confirm_sign_up(
        ClientId=client_id,
        Username="kit",
        ConfirmationCode=code_of(trigger_endpoint, pool_id, "kit", "sign_up_code"),
    )
    idp.forgot_password(ClientId=client_id, Username="kit")
    assert sources(trigger_endpoint, pool_id, "PostConfirmation") == [
        "PostConfirmation_ConfirmSignUp"
    ]
    idp.confirm_forgot_password(
        ClientId=client_id,
        Username="kit",
        ConfirmationCode=code_of(trigger_endpoint, pool_id, "kit", "forgot_password_code"),
        Password=NEW_PASSWORD,
        ClientMetadata={"step": "reset"},
    )
    calls = invocations(trigger_endpoint, pool_id, "PostConfirmation")
    assert [c["trigger_source"] for c in calls] == [
        "PostConfirmation_ConfirmSignUp",
        "PostConfirmation_ConfirmForgotPassword",
    ]
    event = calls[-1]["event"]
    assert event["callerContext"]["clientId"] == client_id
    assert event["request"]["userAttributes"]["email"] == "kit@example.com"
    assert event["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert event["request"]["clientMetadata"] == {"step": "reset"}

    answer = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "kit", "PASSWORD": NEW_PASSWORD},
    )
    assert answer["AuthenticationResult"]["AccessToken"]


def test_a_failing_post_confirmation_fails_the_confirmation(
    idp, trigger_endpoint, pool_id, client_id
):
    sign_up(idp, client_id, "lou", {"email": "lou@example.com", "custom:fail_confirmation": "true"})
    code = code_of(trigger_endpoint, pool_id, "lou", "sign_up_code")
    assert rejected(
        idp.confirm_sign_up, ClientId=client_id, Username="lou", ConfirmationCode=code
    ) == (
        "UserLambdaValidationException",
        "PostConfirmation failed with error Confirmation is refused for this user.",
    )
    call = only_invocation(trigger_endpoint, pool_id, "PostConfirmation")
    assert call["event"]["request"]["userAttributes"]["custom:fail_confirmation"] == "true"
    assert call["response"] is None
    assert "Confirmation is refused for this user" in call["error"]


# App clients with a secret, and pools whose users sign in with their email address.


def test_a_client_with_a_secret(idp, trigger_endpoint, pool_id):
    client_id, client_secret = app_client(idp, pool_id, secret=True)
    client = (client_id, client_secret)
    assert (
        rejected(
            sign_up, idp=idp, client=client, username="max", attrs={"email": "max@blocked.example"}
        )
        == BLOCKED
    )

    answer = sign_up(idp, client, "ned", {"email": f"ned@{AUTO_EMAIL_DOMAIN}"})
    assert answer["UserConfirmed"] is True

    sign_up(idp, client, "oli", {"email": "oli@example.com"})
    idp.confirm_sign_up(
        ClientId=client_id,
        SecretHash=secret_hash(client_id, client_secret, "oli"),
        Username="oli",
        ConfirmationCode=code_of(trigger_endpoint, pool_id, "oli", "sign_up_code"),
    )
    calls = invocations(trigger_endpoint, pool_id)
    assert [(c["trigger_source"], c["username"]) for c in calls] == [
        ("PreSignUp_SignUp", "max"),
        ("PreSignUp_SignUp", "ned"),
        ("PostConfirmation_ConfirmSignUp", "ned"),
        ("PreSignUp_SignUp", "oli"),
        ("PostConfirmation_ConfirmSignUp", "oli"),
    ]
    assert {c["event"]["callerContext"]["clientId"] for c in calls} == {client_id}


def test_a_pool_with_email_as_username(idp, trigger_endpoint, make_trigger_pool):
    pool_id = make_trigger_pool(
        {"PreSignUp": "pre-sign-up", "PostConfirmation": "post-confirmation"},
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
    )["Id"]
    client_id = app_client(idp, pool_id)

    assert (
        rejected(
            sign_up,
            idp=idp,
            client=client_id,
            username="pia@blocked.example",
            attrs={"email": "pia@blocked.example"},
        )
        == BLOCKED
    )

    sub = sign_up(idp, client_id, "quin@example.com", {"email": "quin@example.com"})["UserSub"]
    pre = invocations(trigger_endpoint, pool_id, "PreSignUp")[-1]["event"]
    assert pre["request"]["userAttributes"]["email"] == "quin@example.com"

    code = [m for m in messages(trigger_endpoint, pool_id, destination="quin@example.com")][-1][
        "code"
    ]
    idp.confirm_sign_up(ClientId=client_id, Username="quin@example.com", ConfirmationCode=code)
    # Once created, the user's name in the pool, and in its events, is its sub.
    post = only_invocation(trigger_endpoint, pool_id, "PostConfirmation")["event"]
    assert post["userName"] == sub
    assert post["request"]["userAttributes"]["email"] == "quin@example.com"
    assert post["request"]["userAttributes"]["sub"] == sub

    email = f"ray@{AUTO_EMAIL_DOMAIN}"
    confirmed = sign_up(idp, client_id, email, {"email": email})
    assert confirmed["UserConfirmed"] is True
    user = idp.admin_get_user(UserPoolId=pool_id, Username=email)
    assert user["Username"] == confirmed["UserSub"]
    assert user["UserStatus"] == "CONFIRMED"


def test_events_name_the_region_of_a_pool_made_by_a_client_of_another_region(
    trigger_endpoint,
):
    """An SDK configured for eu-west-1 makes a pool of that Region: its
    functions' events name it, whatever Region the server defaults to."""
    west = support.make_client(trigger_endpoint, region="eu-west-1")
    pool = west.create_user_pool(
        PoolName=support.unique_name("west"),
        LambdaConfig=lambda_config({"PreSignUp": "pre-sign-up"}),
    )["UserPool"]
    try:
        assert pool["Id"].startswith("eu-west-1_")
        client = app_client(west, pool["Id"])
        answer = sign_up(west, client, "wendy", {"email": f"wendy@{AUTO_EMAIL_DOMAIN}"})
        assert answer["UserConfirmed"] is True
        event = only_invocation(trigger_endpoint, pool["Id"], "PreSignUp")["event"]
        assert event["region"] == "eu-west-1"
        assert event["userPoolId"] == pool["Id"]
        assert event["callerContext"]["clientId"] == client
        assert event["callerContext"]["awsSdkVersion"].startswith("aws-sdk-python-")
    finally:
        west.delete_user_pool(UserPoolId=pool["Id"])
