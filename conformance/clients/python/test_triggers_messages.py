"""CustomMessage: every email and SMS message a pool sends passes through its
function first, which writes the subject and text around the placeholders
Cognito fills in (the code, and an invitation's username). Driven with boto3 as
an application does; the messages are read from the outbox
(`GET /_cognito/messages`) where Cognito would have sent them, and their codes
must still work.

The function is the Node.js handler conformance/clients/triggers/handlers/
custom-message.js: subject `Custom: <triggerSource>`, text starting
`Custom <triggerSource>: your code is <code>.`.
"""

import pytest

from accounts import (
    NEW_PASSWORD,
    PASSWORD,
    attribute_list,
    attributes,
    confirmed_user,
    messages,
    secret_hash,
)
from support import ACCOUNT_ID, REGION

pytest.register_assert_rewrite("triggers_support")

from triggers_support import (
    app_client,
    invocations,
    only_invocation,
    sign_up,
)

# The trigger server and its fixtures (idp, trigger_endpoint, make_trigger_pool).
pytest_plugins = ["triggers_support"]

SMS_CONFIGURATION = {
    "SnsCallerArn": f"arn:aws:iam::{ACCOUNT_ID}:role/cognito-sms",
    "ExternalId": "trigger-tests",
    "SnsRegion": REGION,
}
PHONE = "+14155550142"


@pytest.fixture
def pool_id(make_trigger_pool):
    return make_trigger_pool({"CustomMessage": "custom-message"}, AutoVerifiedAttributes=["email"])[
        "Id"
    ]


@pytest.fixture
def client_id(idp, pool_id):
    return app_client(idp, pool_id)


def custom(message, source):
    """Checks `message` is the function's text for `source` around the
    message's own code, and answers that code."""
    code = message["code"]
    assert code, message
    assert message["body"].startswith(f"Custom {source}: your code is {code}."), message
    if message["channel"] == "EMAIL":
        assert message["subject"] == f"Custom: {source}"
    else:
        assert message["subject"] is None
    return code


def leaves(value):
    """Every string inside a JSON value."""
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in leaves(v)]
    return [value] if isinstance(value, str) else []


def newest(endpoint, pool_id, kind, username=None, destination=None):
    sent = [m for m in messages(endpoint, pool_id, username, destination) if m["kind"] == kind]
    assert sent, f"no {kind} message"
    return sent[-1]


def test_sign_up_and_resent_codes(idp, trigger_endpoint, pool_id, client_id):
    sign_up(idp, client_id, "amy", {"email": "amy@example.com"})
    first = newest(trigger_endpoint, pool_id, "sign_up_code", "amy")
    assert first["destination"] == "amy@example.com"
    custom(first, "CustomMessage_SignUp")

    call = only_invocation(trigger_endpoint, pool_id, "CustomMessage")
    assert call["trigger_source"] == "CustomMessage_SignUp"
    event = call["event"]
    assert event["userName"] == "amy"
    assert event["callerContext"]["clientId"] == client_id
    assert event["request"]["codeParameter"] == "{####}"
    assert event["request"]["userAttributes"]["email"] == "amy@example.com"
    # The function never sees the code itself, only its placeholder.
    assert first["code"] not in leaves(event)
    assert event["response"] == {"smsMessage": None, "emailMessage": None, "emailSubject": None}
    assert call["response"]["emailSubject"] == "Custom: CustomMessage_SignUp"

    idp.resend_confirmation_code(ClientId=client_id, Username="amy")
    resent = newest(trigger_endpoint, pool_id, "sign_up_code", "amy")
    code = custom(resent, "CustomMessage_ResendCode")
    idp.confirm_sign_up(ClientId=client_id, Username="amy", ConfirmationCode=code)
    assert idp.admin_get_user(UserPoolId=pool_id, Username="amy")["UserStatus"] == "CONFIRMED"
    assert [c["trigger_source"] for c in invocations(trigger_endpoint, pool_id)] == [
        "CustomMessage_SignUp",
        "CustomMessage_ResendCode",
    ]


def test_forgot_password_code(idp, trigger_endpoint, pool_id, client_id):
    confirmed_user(
        idp, pool_id, "ben", attrs={"email": "ben@example.com", "email_verified": "true"}
    )
    idp.forgot_password(ClientId=client_id, Username="ben")
    code = custom(
        newest(trigger_endpoint, pool_id, "forgot_password_code", "ben"),
        "CustomMessage_ForgotPassword",
    )
    idp.confirm_forgot_password(
        ClientId=client_id, Username="ben", ConfirmationCode=code, Password=NEW_PASSWORD
    )
    answer = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ben", "PASSWORD": NEW_PASSWORD},
    )
    assert answer["AuthenticationResult"]["AccessToken"]
    call = only_invocation(trigger_endpoint, pool_id, "CustomMessage")
    assert call["trigger_source"] == "CustomMessage_ForgotPassword"
    assert call["event"]["callerContext"]["clientId"] == client_id


def test_invitation(idp, trigger_endpoint, pool_id, client_id):
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="cat",
        UserAttributes=attribute_list({"email": "cat@example.com"}),
        DesiredDeliveryMediums=["EMAIL"],
    )
    invitation = newest(trigger_endpoint, pool_id, "invitation", "cat")
    temporary = custom(invitation, "CustomMessage_AdminCreateUser")
    assert "Sign in as cat." in invitation["body"]

    call = only_invocation(trigger_endpoint, pool_id, "CustomMessage")
    assert call["trigger_source"] == "CustomMessage_AdminCreateUser"
    event = call["event"]
    assert event["request"]["codeParameter"] == "{####}"
    assert event["request"]["usernameParameter"] == "{username}"
    assert event["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"
    assert temporary not in leaves(event)

    # The temporary password in the custom text is the one that signs in.
    challenge = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "cat", "PASSWORD": temporary},
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"

    # Sending the invitation again goes through the function again.
    idp.admin_create_user(
        UserPoolId=pool_id, Username="cat", MessageAction="RESEND", DesiredDeliveryMediums=["EMAIL"]
    )
    custom(newest(trigger_endpoint, pool_id, "invitation", "cat"), "CustomMessage_AdminCreateUser")
    assert len(invocations(trigger_endpoint, pool_id, "CustomMessage")) == 2


def test_attribute_update_and_verification(idp, trigger_endpoint, pool_id, client_id):
    confirmed_user(
        idp, pool_id, "dan", attrs={"email": "dan@example.com", "email_verified": "true"}
    )
    access = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "dan", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["AccessToken"]

    idp.update_user_attributes(
        AccessToken=access, UserAttributes=attribute_list({"email": "daniel@example.com"})
    )
    update = newest(trigger_endpoint, pool_id, "verification_code", "dan")
    assert update["destination"] == "daniel@example.com"
    custom(update, "CustomMessage_UpdateUserAttribute")

    idp.get_user_attribute_verification_code(AccessToken=access, AttributeName="email")
    verify = newest(trigger_endpoint, pool_id, "verification_code", "dan")
    code = custom(verify, "CustomMessage_VerifyUserAttribute")
    idp.verify_user_attribute(AccessToken=access, AttributeName="email", Code=code)
    assert attributes(idp.get_user(AccessToken=access))["email_verified"] == "true"

    idp.admin_update_user_attributes(
        UserPoolId=pool_id,
        Username="dan",
        UserAttributes=attribute_list({"email": "dan.again@example.com"}),
        ClientMetadata={"by": "support"},
    )
    custom(
        newest(trigger_endpoint, pool_id, "verification_code", destination="dan.again@example.com"),
        "CustomMessage_UpdateUserAttribute",
    )
    calls = invocations(trigger_endpoint, pool_id, "CustomMessage")
    assert [c["trigger_source"] for c in calls] == [
        "CustomMessage_UpdateUserAttribute",
        "CustomMessage_VerifyUserAttribute",
        "CustomMessage_UpdateUserAttribute",
    ]
    assert calls[0]["event"]["callerContext"]["clientId"] == client_id
    assert calls[2]["event"]["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"
    assert calls[2]["event"]["request"]["clientMetadata"] == {"by": "support"}


def test_sms_messages(idp, trigger_endpoint, make_trigger_pool):
    pool_id = make_trigger_pool(
        {"CustomMessage": "custom-message"},
        AutoVerifiedAttributes=["phone_number"],
        SmsConfiguration=SMS_CONFIGURATION,
    )["Id"]
    client_id = app_client(idp, pool_id)
    sign_up(idp, client_id, "eve", {"phone_number": PHONE})
    sent = newest(trigger_endpoint, pool_id, "sign_up_code", "eve")
    assert sent["channel"] == "SMS"
    assert sent["destination"] == PHONE
    code = custom(sent, "CustomMessage_SignUp")
    idp.confirm_sign_up(ClientId=client_id, Username="eve", ConfirmationCode=code)

    # SMS MFA codes go through the function too.
    idp.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="ON",
        SmsMfaConfiguration={
            "SmsAuthenticationMessage": "Your sign-in code is {####}.",
            "SmsConfiguration": SMS_CONFIGURATION,
        },
    )
    challenge = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "eve", "PASSWORD": PASSWORD},
        ClientMetadata={"app": "web"},
    )
    assert challenge["ChallengeName"] == "SMS_MFA"
    code = custom(
        newest(trigger_endpoint, pool_id, "mfa_code", "eve"), "CustomMessage_Authentication"
    )
    answer = idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="SMS_MFA",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "eve", "SMS_MFA_CODE": code},
    )
    assert answer["AuthenticationResult"]["AccessToken"]
    calls = invocations(trigger_endpoint, pool_id)
    assert [c["trigger_source"] for c in calls] == [
        "CustomMessage_SignUp",
        "CustomMessage_Authentication",
    ]
    # InitiateAuth's ClientMetadata is not handed to CustomMessage.
    assert calls[1]["event"]["request"].get("clientMetadata") in (None, {})


def test_a_client_with_a_secret_and_email_as_username(idp, trigger_endpoint, make_trigger_pool):
    pool_id = make_trigger_pool(
        {"CustomMessage": "custom-message"},
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
    )["Id"]
    client_id, client_secret = app_client(idp, pool_id, secret=True)
    email = "fay@example.com"
    sub = sign_up(idp, (client_id, client_secret), email, {"email": email})["UserSub"]
    sent = newest(trigger_endpoint, pool_id, "sign_up_code", destination=email)
    code = custom(sent, "CustomMessage_SignUp")
    call = only_invocation(trigger_endpoint, pool_id, "CustomMessage")
    assert call["event"]["userName"] == sub
    assert call["event"]["callerContext"]["clientId"] == client_id

    idp.confirm_sign_up(
        ClientId=client_id,
        SecretHash=secret_hash(client_id, client_secret, email),
        Username=email,
        ConfirmationCode=code,
    )
    assert idp.admin_get_user(UserPoolId=pool_id, Username=email)["UserStatus"] == "CONFIRMED"
