"""Multi-factor authentication as applications drive it with boto3 and
pycognito: an authenticator app (software token, TOTP) enrolled with an access
token or during sign-in (MFA_SETUP), SMS codes, the choice between factors
(SELECT_MFA_TYPE), and the MFA settings a user shows.

The authenticator app is pyotp, fed the SecretCode the pool handed out; SMS
codes come from the emulator's outbox (`GET /_cognito/messages`), where Amazon
Cognito would have texted them.
"""

import json
import re
import urllib.request

import pyotp
import pytest
from botocore.exceptions import ClientError
from pycognito import Cognito
from pycognito.exceptions import SoftwareTokenMFAChallengeException

from accounts import (
    PASSWORD,
    SIGN_IN_FLOWS,
    admin_sign_in,
    claims,
    confirmed_user,
    last_code,
    messages,
    secret_hash,
    sign_in,
    sign_in_client,
)
from support import ACCOUNT_ID, REGION, error_of
from support import endpoint as emulator_endpoint

# An SMS role of the right shape; the emulator sends nothing through it.
SMS_CONFIGURATION = {
    "SnsCallerArn": f"arn:aws:iam::{ACCOUNT_ID}:role/cognito-sms",
    "ExternalId": "mfa-tests",
    "SnsRegion": REGION,
}
SMS_MESSAGE = "Your sign-in code is {####}."
PHONE = "+14155550100"
MASKED_PHONE = "+*******0100"
BASE32_SECRET = r"[A-Z2-7]+=*"
TOTP_STEP = 30
# A code of the previous step is still accepted shortly after its step ends
# (RFC 6238 section 5.2); this close to the end of a step, the authenticator
# does not count on it.
STEP_MARGIN = 4


class Authenticator:
    """An authenticator app holding one software token: the six-digit code it
    shows for a 30-second step, by the emulator's clock.

    Cognito accepts each step's code once, and a code of one step either side
    of now (RFC 6238 section 5.2), so the app never shows a step it showed
    before: it starts with the code of the step that just ended, then the
    current one, then the next. Only when those are used up does it move the
    emulator's clock on, through the test API (`/_cognito/clock`), rather than
    waiting; the test's fixture puts the clock back after the test.
    """

    def __init__(self, secret):
        self.totp = pyotp.TOTP(secret)
        self.last_step = None
        self.last = None

    def code(self):
        now = server_now()
        current = int(now // TOTP_STEP)
        earliest = current - 1 if now % TOTP_STEP < TOTP_STEP - STEP_MARGIN else current
        step = earliest if self.last_step is None else max(earliest, self.last_step + 1)
        if step > current + 1:
            advance_server_clock((step - 1) * TOTP_STEP - now + 0.5)
        self.last_step = step
        self.last = self.totp.at(step * TOTP_STEP)
        return self.last

    def wrong_code(self):
        """Six digits that no step around now shows."""
        now = int(server_now())
        near = {self.totp.at(now + skew * TOTP_STEP) for skew in range(-2, 3)}
        return next(c for c in (f"{n:06d}" for n in range(1, 10**6, 7919)) if c not in near)


@pytest.fixture(autouse=True)
def real_time_after():
    """The emulator's clock back in real time after each test, should an
    authenticator have moved it."""
    yield
    request = urllib.request.Request(
        f"{emulator_endpoint()}/_cognito/clock/reset", data=b"{}", method="POST"
    )
    with urllib.request.urlopen(request) as answer:
        answer.read()


def server_now():
    """The emulator's time, in epoch seconds."""
    with urllib.request.urlopen(f"{emulator_endpoint()}/_cognito/clock") as answer:
        return json.load(answer)["epoch_seconds"]


def advance_server_clock(seconds):
    """Moves the emulator's clock `seconds` ahead."""
    request = urllib.request.Request(
        f"{emulator_endpoint()}/_cognito/clock",
        data=json.dumps({"advance_seconds": seconds}).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as answer:
        answer.read()


def mfa_pool(cognito, make_pool, mode, sms=False, totp=True):
    """A pool whose MFA is `mode` (ON or OPTIONAL) with the given factors; an
    SMS pool has an SMS configuration and its own message."""
    pool_id = make_pool(**({"SmsConfiguration": SMS_CONFIGURATION} if sms else {}))["Id"]
    factors = {}
    if sms:
        factors["SmsMfaConfiguration"] = {
            "SmsAuthenticationMessage": SMS_MESSAGE,
            "SmsConfiguration": SMS_CONFIGURATION,
        }
    if totp:
        factors["SoftwareTokenMfaConfiguration"] = {"Enabled": True}
    answer = cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration=mode, **factors
    )
    assert answer["MfaConfiguration"] == mode
    return pool_id


def secret_client(cognito, pool_id):
    """An app client with a secret that allows every password flow: its id and secret."""
    client = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="with-secret",
        GenerateSecret=True,
        ExplicitAuthFlows=SIGN_IN_FLOWS,
    )["UserPoolClient"]
    return client["ClientId"], client["ClientSecret"]


def tokens_of(answer):
    """The tokens of a finished sign-in, after checking it asks for nothing more."""
    assert "ChallengeName" not in answer, answer.get("ChallengeName")
    result = answer["AuthenticationResult"]
    assert result["AccessToken"] and result["IdToken"] and result["RefreshToken"]
    return result


def methods(result):
    """The sorted authentication methods (`amr`) the ID token of `result` reports."""
    return sorted(claims(result["IdToken"])["amr"])


def enrol_authenticator(cognito, access_token, device_name="phone"):
    """Associates and verifies a software token for the user of
    `access_token`; returns the authenticator app that holds it."""
    secret = cognito.associate_software_token(AccessToken=access_token)["SecretCode"]
    assert re.fullmatch(BASE32_SECRET, secret)
    app = Authenticator(secret)
    verified = cognito.verify_software_token(
        AccessToken=access_token, UserCode=app.code(), FriendlyDeviceName=device_name
    )
    assert verified["Status"] == "SUCCESS"
    return app


def respond(cognito, pool_id, client_id, challenge, **responses):
    """Answers `challenge` (an answer with ChallengeName and Session) as an administrator."""
    return cognito.admin_respond_to_auth_challenge(
        UserPoolId=pool_id,
        ClientId=client_id,
        ChallengeName=challenge["ChallengeName"],
        Session=challenge["Session"],
        ChallengeResponses=responses,
    )


def refused(call, *args, **kwargs):
    """The error code and message `call` fails with."""
    with pytest.raises(ClientError) as excinfo:
        call(*args, **kwargs)
    return error_of(excinfo)


def mfa_settings(answer):
    """What AdminGetUser or GetUser says of the user's MFA."""
    return answer.get("UserMFASettingList"), answer.get("PreferredMfaSetting")


def test_authenticator_app_answers_sign_in(cognito, make_pool):
    pool_id = mfa_pool(cognito, make_pool, "OPTIONAL")
    client_id = sign_in_client(cognito, pool_id)
    confirmed_user(cognito, pool_id, "amy")

    # MFA is optional and amy has no factor yet: her password is enough.
    first = tokens_of(admin_sign_in(cognito, pool_id, client_id, "amy"))
    assert methods(first) == ["pwd"]
    access_token = first["AccessToken"]
    assert mfa_settings(cognito.admin_get_user(UserPoolId=pool_id, Username="amy")) == (
        None,
        None,
    )
    code, _ = refused(
        cognito.admin_set_user_mfa_preference,
        UserPoolId=pool_id,
        Username="amy",
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    assert code == "InvalidParameterException"

    # A code the authenticator does not show fails to verify the token.
    secret = cognito.associate_software_token(AccessToken=access_token)["SecretCode"]
    app = Authenticator(secret)
    assert refused(
        cognito.verify_software_token,
        AccessToken=access_token,
        UserCode=app.wrong_code(),
        FriendlyDeviceName="amy's phone",
    ) == ("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA")
    verified = cognito.verify_software_token(
        AccessToken=access_token, UserCode=app.code(), FriendlyDeviceName="amy's phone"
    )
    assert verified["Status"] == "SUCCESS"

    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool_id,
        Username="amy",
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    expected = (["SOFTWARE_TOKEN_MFA"], "SOFTWARE_TOKEN_MFA")
    assert mfa_settings(cognito.admin_get_user(UserPoolId=pool_id, Username="amy")) == expected
    assert mfa_settings(cognito.get_user(AccessToken=access_token)) == expected
    assert mfa_settings(cognito.get_user_auth_factors(AccessToken=access_token)) == expected

    challenge = admin_sign_in(cognito, pool_id, client_id, "amy")
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert challenge["Session"]
    assert "AuthenticationResult" not in challenge
    assert challenge["ChallengeParameters"]["FRIENDLY_DEVICE_NAME"] == "amy's phone"

    # A wrong code is refused, and the same session takes the right one.
    code, _ = refused(
        respond,
        cognito,
        pool_id,
        client_id,
        challenge,
        USERNAME="amy",
        SOFTWARE_TOKEN_MFA_CODE=app.wrong_code(),
    )
    assert code == "CodeMismatchException"
    used = app.code()
    result = tokens_of(
        respond(
            cognito, pool_id, client_id, challenge, USERNAME="amy", SOFTWARE_TOKEN_MFA_CODE=used
        )
    )
    assert claims(result["AccessToken"])["username"] == "amy"
    assert claims(result["IdToken"])["cognito:username"] == "amy"
    # The Developer Guide's own example of a password and a one-time code.
    assert methods(result) == ["mfa", "otp", "pwd"]
    assert cognito.get_user(AccessToken=result["AccessToken"])["Username"] == "amy"

    # The code just used, still on the app's screen, does not sign in again.
    again = admin_sign_in(cognito, pool_id, client_id, "amy")
    assert again["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    code, _ = refused(
        respond,
        cognito,
        pool_id,
        client_id,
        again,
        USERNAME="amy",
        SOFTWARE_TOKEN_MFA_CODE=used,
    )
    assert code == "CodeMismatchException"


def test_sms_code_from_the_outbox(cognito, endpoint, make_pool):
    pool_id = mfa_pool(cognito, make_pool, "OPTIONAL", sms=True)
    client_id, client_secret = secret_client(cognito, pool_id)
    confirmed_user(
        cognito,
        pool_id,
        "ben",
        attrs={"phone_number": PHONE, "phone_number_verified": "true"},
    )
    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool_id,
        Username="ben",
        SMSMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    assert mfa_settings(cognito.admin_get_user(UserPoolId=pool_id, Username="ben")) == (
        ["SMS_MFA"],
        "SMS_MFA",
    )

    # The public flow, with the client's secret.
    ben_hash = secret_hash(client_id, client_secret, "ben")
    challenge = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ben", "PASSWORD": PASSWORD, "SECRET_HASH": ben_hash},
    )
    assert challenge["ChallengeName"] == "SMS_MFA"
    parameters = challenge["ChallengeParameters"]
    assert parameters["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    assert parameters["CODE_DELIVERY_DESTINATION"] == MASKED_PHONE

    sent = [m for m in messages(endpoint, pool_id, "ben") if m["kind"] == "mfa_code"]
    assert len(sent) == 1
    assert sent[0]["channel"] == "SMS"
    assert sent[0]["destination"] == PHONE
    assert sent[0]["body"] == SMS_MESSAGE.replace("{####}", sent[0]["code"])
    code = sent[0]["code"]
    assert re.fullmatch(r"\d{6}", code)

    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert refused(
        cognito.respond_to_auth_challenge,
        ClientId=client_id,
        ChallengeName="SMS_MFA",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "ben", "SMS_MFA_CODE": wrong, "SECRET_HASH": ben_hash},
    ) == ("CodeMismatchException", "Invalid code or auth state for the user.")
    answer = cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="SMS_MFA",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "ben", "SMS_MFA_CODE": code, "SECRET_HASH": ben_hash},
    )
    result = tokens_of(answer)
    id_claims = claims(result["IdToken"])
    assert id_claims["cognito:username"] == "ben"
    assert id_claims["aud"] == client_id
    assert id_claims["phone_number"] == PHONE
    assert {"pwd", "mfa"} <= set(id_claims["amr"])


def test_sms_code_when_mfa_is_required(cognito, endpoint, make_pool):
    # MFA is on and SMS is the pool's only factor: a user with a phone number
    # gets a code without having chosen anything.
    pool_id = mfa_pool(cognito, make_pool, "ON", sms=True, totp=False)
    client_id = sign_in_client(cognito, pool_id)
    confirmed_user(
        cognito,
        pool_id,
        "cal",
        attrs={"phone_number": PHONE, "phone_number_verified": "true"},
    )
    challenge = admin_sign_in(cognito, pool_id, client_id, "cal")
    assert challenge["ChallengeName"] == "SMS_MFA"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == MASKED_PHONE
    code = last_code(endpoint, pool_id, "cal", "mfa_code")
    result = tokens_of(
        respond(cognito, pool_id, client_id, challenge, USERNAME="cal", SMS_MFA_CODE=code)
    )
    assert claims(result["AccessToken"])["username"] == "cal"

    # A code answers one sign-in only: the next sign-in sends a new one.
    again = admin_sign_in(cognito, pool_id, client_id, "cal")
    assert again["ChallengeName"] == "SMS_MFA"
    assert len([m for m in messages(endpoint, pool_id, "cal") if m["kind"] == "mfa_code"]) == 2
    assert refused(
        respond,
        cognito,
        pool_id,
        client_id,
        again,
        USERNAME="cal",
        SMS_MFA_CODE=code,
    ) == ("CodeMismatchException", "Invalid code or auth state for the user.")


def test_select_mfa_type_when_both_are_enabled(cognito, endpoint, make_pool):
    pool_id = mfa_pool(cognito, make_pool, "OPTIONAL", sms=True)
    client_id = sign_in_client(cognito, pool_id)
    confirmed_user(
        cognito,
        pool_id,
        "dee",
        attrs={"phone_number": PHONE, "phone_number_verified": "true"},
    )
    access_token = tokens_of(admin_sign_in(cognito, pool_id, client_id, "dee"))["AccessToken"]
    app = enrol_authenticator(cognito, access_token)
    cognito.set_user_mfa_preference(
        AccessToken=access_token,
        SMSMfaSettings={"Enabled": True, "PreferredMfa": False},
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": False},
    )
    listed, preferred = mfa_settings(cognito.get_user(AccessToken=access_token))
    assert sorted(listed) == ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]
    assert preferred is None

    # Two factors and no preference: dee chooses, first her authenticator app...
    select = admin_sign_in(cognito, pool_id, client_id, "dee")
    assert select["ChallengeName"] == "SELECT_MFA_TYPE"
    choices = json.loads(select["ChallengeParameters"]["MFAS_CAN_CHOOSE"])
    assert sorted(choices) == ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]
    totp = respond(
        cognito, pool_id, client_id, select, USERNAME="dee", ANSWER="SOFTWARE_TOKEN_MFA"
    )
    assert totp["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert totp["Session"]
    result = tokens_of(
        respond(
            cognito, pool_id, client_id, totp, USERNAME="dee", SOFTWARE_TOKEN_MFA_CODE=app.code()
        )
    )
    assert claims(result["AccessToken"])["username"] == "dee"

    # ... then a text message. Choosing sends the code.
    select = admin_sign_in(cognito, pool_id, client_id, "dee")
    assert select["ChallengeName"] == "SELECT_MFA_TYPE"
    assert not [m for m in messages(endpoint, pool_id, "dee") if m["kind"] == "mfa_code"]
    sms = respond(cognito, pool_id, client_id, select, USERNAME="dee", ANSWER="SMS_MFA")
    assert sms["ChallengeName"] == "SMS_MFA"
    assert sms["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == MASKED_PHONE
    code = last_code(endpoint, pool_id, "dee", "mfa_code")
    result = tokens_of(
        respond(cognito, pool_id, client_id, sms, USERNAME="dee", SMS_MFA_CODE=code)
    )
    assert claims(result["IdToken"])["cognito:username"] == "dee"


def test_mfa_setup_during_sign_in(cognito, make_pool):
    pool_id = mfa_pool(cognito, make_pool, "ON")
    client_id, client_secret = secret_client(cognito, pool_id)
    confirmed_user(cognito, pool_id, "eli")
    eli_hash = secret_hash(client_id, client_secret, "eli")

    # MFA is required and eli has no factor: she must set one up to sign in.
    setup = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "eli", "PASSWORD": PASSWORD, "SECRET_HASH": eli_hash},
    )
    assert setup["ChallengeName"] == "MFA_SETUP"
    assert "AuthenticationResult" not in setup
    assert json.loads(setup["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA"]

    # No access token yet: each step takes the session and hands out the next.
    associated = cognito.associate_software_token(Session=setup["Session"])
    assert re.fullmatch(BASE32_SECRET, associated["SecretCode"])
    assert associated["Session"]
    app = Authenticator(associated["SecretCode"])
    verified = cognito.verify_software_token(
        Session=associated["Session"], UserCode=app.code(), FriendlyDeviceName="eli's phone"
    )
    assert verified["Status"] == "SUCCESS"
    assert verified["Session"]

    answer = cognito.admin_respond_to_auth_challenge(
        UserPoolId=pool_id,
        ClientId=client_id,
        ChallengeName="MFA_SETUP",
        Session=verified["Session"],
        ChallengeResponses={"USERNAME": "eli", "SECRET_HASH": eli_hash},
    )
    result = tokens_of(answer)
    assert claims(result["AccessToken"])["username"] == "eli"
    assert claims(result["IdToken"])["aud"] == client_id
    listed, _ = mfa_settings(cognito.get_user(AccessToken=result["AccessToken"]))
    assert listed == ["SOFTWARE_TOKEN_MFA"]

    # From now on the authenticator app answers eli's sign-ins.
    challenge = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "eli", "PASSWORD": PASSWORD, "SECRET_HASH": eli_hash},
    )
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert challenge["ChallengeParameters"]["FRIENDLY_DEVICE_NAME"] == "eli's phone"
    result = tokens_of(
        respond(
            cognito,
            pool_id,
            client_id,
            challenge,
            USERNAME="eli",
            SECRET_HASH=eli_hash,
            SOFTWARE_TOKEN_MFA_CODE=app.code(),
        )
    )
    assert claims(result["AccessToken"])["username"] == "eli"

    # With the token deleted (a lost phone), eli must set up a new one.
    cognito.admin_delete_software_token(UserPoolId=pool_id, Username="eli")
    assert mfa_settings(cognito.admin_get_user(UserPoolId=pool_id, Username="eli")) == (
        None,
        None,
    )
    setup = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "eli", "PASSWORD": PASSWORD, "SECRET_HASH": eli_hash},
    )
    assert setup["ChallengeName"] == "MFA_SETUP"


def test_software_tokens_need_a_pool_that_offers_them(cognito, make_pool):
    # The Developer Guide ("TOTP software token MFA"): without TOTP MFA
    # activated in the pool, associating a token answers
    # SoftwareTokenMFANotFoundException.
    plain = make_pool()["Id"]
    sms_only = mfa_pool(cognito, make_pool, "OPTIONAL", sms=True, totp=False)
    for pool_id in (plain, sms_only):
        client_id = sign_in_client(cognito, pool_id)
        confirmed_user(cognito, pool_id, "hal")
        signed_in = tokens_of(admin_sign_in(cognito, pool_id, client_id, "hal"))
        code, _ = refused(
            cognito.associate_software_token, AccessToken=signed_in["AccessToken"]
        )
        assert code == "SoftwareTokenMFANotFoundException", pool_id


def test_pycognito_signs_in_with_an_authenticator_app(cognito, endpoint, make_pool):
    pool_id = mfa_pool(cognito, make_pool, "OPTIONAL")
    client_id, client_secret = secret_client(cognito, pool_id)
    confirmed_user(cognito, pool_id, "gus")

    def pycognito_user():
        return Cognito(
            pool_id,
            client_id,
            client_secret=client_secret,
            username="gus",
            user_pool_region=REGION,
            boto3_client_kwargs={"endpoint_url": endpoint},
        )

    # Enrolment, as an application's settings page does it.
    user = pycognito_user()
    user.authenticate(password=PASSWORD)
    app = Authenticator(user.associate_software_token())
    assert user.verify_software_token(app.code(), device_name="gus's phone")
    user.set_user_mfa_preference(False, True, preferred="SOFTWARE_TOKEN")

    # SRP, then the code: pycognito verifies the tokens it gets against the JWKS.
    user = pycognito_user()
    with pytest.raises(SoftwareTokenMFAChallengeException) as excinfo:
        user.authenticate(password=PASSWORD)
    assert excinfo.value.get_tokens()["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    user.respond_to_software_token_mfa_challenge(app.code())
    assert user.access_claims["username"] == "gus"
    assert user.id_claims["cognito:username"] == "gus"
    assert user.get_user().username == "gus"
