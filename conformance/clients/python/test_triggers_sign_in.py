"""The triggers of signing in, driven with boto3 and pycognito as applications
sign in: PreAuthentication refusing a user before any token is issued,
PostAuthentication after a sign-in succeeds, and UserMigration bringing users
of a legacy directory into the pool at their first sign-in or password reset.

The functions are the Node.js handlers of conformance/clients/triggers/handlers
(see triggers_support); what they received is read back from the server's
record of invocations.
"""

import pytest
from botocore.exceptions import ClientError
from pycognito import Cognito
from pycognito.aws_srp import AWSSRP

from accounts import (
    NEW_PASSWORD,
    OTHER_PASSWORD,
    PASSWORD,
    attribute_list,
    attributes,
    confirmed_user,
    messages,
    secret_hash,
)
from support import REGION, error_of

pytest.register_assert_rewrite("triggers_support")

from triggers_support import (
    LEGACY_EMAIL,
    LEGACY_PASSWORD,
    LEGACY_USERNAME,
    app_client,
    custom_attributes,
    invocations,
    only_invocation,
    rejected,
    sources,
    verified_claims,
)

# The trigger server and its fixtures (idp, trigger_endpoint, make_trigger_pool).
pytest_plugins = ["triggers_support"]

BLOCKED = (
    "UserLambdaValidationException",
    "PreAuthentication failed with error This user is blocked.",
)
INCORRECT = ("NotAuthorizedException", "Incorrect username or password.")
BAD_PASSWORD = ("UserLambdaValidationException", "UserMigration failed with error Bad password.")
NOT_FOUND = ("UserLambdaValidationException", "UserMigration failed with error User not found.")


def password_auth(idp, client_id, username, password, **kwargs):
    return idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
        **kwargs,
    )


def admin_password_auth(idp, pool_id, client_id, username, password, **kwargs):
    return idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
        **kwargs,
    )


# PreAuthentication and PostAuthentication


@pytest.fixture
def auth_pool_id(make_trigger_pool):
    return make_trigger_pool(
        {"PreAuthentication": "pre-authentication", "PostAuthentication": "post-authentication"},
        Schema=custom_attributes("blocked"),
    )["Id"]


def blocked_and_allowed(idp, pool_id, blocked="ann", allowed="ben"):
    confirmed_user(
        idp,
        pool_id,
        blocked,
        attrs={"email": f"{blocked}@example.com", "custom:blocked": "true"},
    )
    confirmed_user(idp, pool_id, allowed, attrs={"email": f"{allowed}@example.com"})


def test_pre_authentication_refuses_a_blocked_user(idp, trigger_endpoint, auth_pool_id):
    pool_id = auth_pool_id
    client_id = app_client(idp, pool_id)
    blocked_and_allowed(idp, pool_id)

    assert (
        rejected(
            password_auth,
            idp=idp,
            client_id=client_id,
            username="ann",
            password=PASSWORD,
            ClientMetadata={"app": "web"},
        )
        == BLOCKED
    )
    assert (
        rejected(
            admin_password_auth,
            idp=idp,
            pool_id=pool_id,
            client_id=client_id,
            username="ann",
            password=PASSWORD,
        )
        == BLOCKED
    )
    calls = invocations(trigger_endpoint, pool_id)
    assert [c["trigger_source"] for c in calls] == ["PreAuthentication_Authentication"] * 2
    event = calls[0]["event"]
    assert event["userName"] == "ann"
    assert event["callerContext"]["clientId"] == client_id
    user_attrs = event["request"]["userAttributes"]
    assert user_attrs["custom:blocked"] == "true"
    assert user_attrs["email"] == "ann@example.com"
    assert user_attrs["cognito:user_status"] == "CONFIRMED"
    assert (
        user_attrs["sub"]
        == attributes(idp.admin_get_user(UserPoolId=pool_id, Username="ann"))["sub"]
    )
    # InitiateAuth's ClientMetadata reaches PreAuthentication as validationData.
    assert event["request"]["validationData"] == {"app": "web"}
    assert all(c["response"] is None and "This user is blocked" in c["error"] for c in calls)

    # Nobody else is refused.
    tokens = password_auth(idp, client_id, "ben", PASSWORD)["AuthenticationResult"]
    assert (
        verified_claims(trigger_endpoint, pool_id, tokens["IdToken"])["cognito:username"] == "ben"
    )


def test_post_authentication_follows_a_sign_in(idp, trigger_endpoint, auth_pool_id):
    pool_id = auth_pool_id
    client_id = app_client(idp, pool_id)
    blocked_and_allowed(idp, pool_id)

    assert (
        rejected(
            password_auth, idp=idp, client_id=client_id, username="ben", password=OTHER_PASSWORD
        )
        == INCORRECT
    )
    assert invocations(trigger_endpoint, pool_id, "PostAuthentication") == []

    password_auth(idp, client_id, "ben", PASSWORD, ClientMetadata={"app": "web"})
    admin_password_auth(idp, pool_id, client_id, "ben", PASSWORD)
    calls = invocations(trigger_endpoint, pool_id, "PostAuthentication")
    assert [c["trigger_source"] for c in calls] == ["PostAuthentication_Authentication"] * 2
    event = calls[0]["event"]
    assert event["userName"] == "ben"
    assert event["callerContext"]["clientId"] == client_id
    assert event["request"]["newDeviceUsed"] is False
    user_attrs = event["request"]["userAttributes"]
    assert user_attrs["email"] == "ben@example.com"
    assert user_attrs["cognito:user_status"] == "CONFIRMED"
    # InitiateAuth's ClientMetadata is not handed to PostAuthentication.
    assert event["request"].get("clientMetadata") in (None, {})

    # Each sign-in passed PreAuthentication first.
    assert sources(trigger_endpoint, pool_id) == [
        "PreAuthentication_Authentication",
        "PreAuthentication_Authentication",
        "PostAuthentication_Authentication",
        "PreAuthentication_Authentication",
        "PostAuthentication_Authentication",
    ]


def test_srp_sign_in_runs_both_triggers(idp, trigger_endpoint, auth_pool_id):
    pool_id = auth_pool_id
    client_id = app_client(idp, pool_id)
    blocked_and_allowed(idp, pool_id, "cal", "dee")

    def srp_user(username):
        return Cognito(
            pool_id,
            client_id,
            username=username,
            user_pool_region=REGION,
            boto3_client_kwargs={"endpoint_url": trigger_endpoint},
        )

    with pytest.raises(ClientError) as excinfo:
        srp_user("cal").authenticate(password=PASSWORD)
    assert error_of(excinfo) == BLOCKED

    user = srp_user("dee")
    user.authenticate(password=PASSWORD)
    assert user.id_claims["cognito:username"] == "dee"
    assert [
        (c["trigger_source"], c["username"]) for c in invocations(trigger_endpoint, pool_id)
    ] == [
        ("PreAuthentication_Authentication", "cal"),
        ("PreAuthentication_Authentication", "dee"),
        ("PostAuthentication_Authentication", "dee"),
    ]


def test_pre_authentication_hears_of_unknown_users(idp, trigger_endpoint, auth_pool_id):
    # A client that hides which users exist runs PreAuthentication for an
    # unknown name as for a real one, telling the function with userNotFound.
    pool_id = auth_pool_id
    client_id = app_client(idp, pool_id, PreventUserExistenceErrors="ENABLED")
    assert (
        rejected(password_auth, idp=idp, client_id=client_id, username="nobody", password=PASSWORD)
        == INCORRECT
    )
    call = only_invocation(trigger_endpoint, pool_id, "PreAuthentication")
    assert call["event"]["userName"] == "nobody"
    assert call["event"]["request"]["userNotFound"] is True
    assert invocations(trigger_endpoint, pool_id, "PostAuthentication") == []


def test_authentication_triggers_with_a_client_secret(idp, trigger_endpoint, auth_pool_id):
    pool_id = auth_pool_id
    client_id, client_secret = app_client(idp, pool_id, secret=True)
    blocked_and_allowed(idp, pool_id, "eve", "fin")

    def with_secret(username):
        return {
            "USERNAME": username,
            "PASSWORD": PASSWORD,
            "SECRET_HASH": secret_hash(client_id, client_secret, username),
        }

    assert (
        rejected(
            idp.initiate_auth,
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters=with_secret("eve"),
        )
        == BLOCKED
    )
    answer = idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters=with_secret("fin"),
    )
    assert answer["AuthenticationResult"]["AccessToken"]
    calls = invocations(trigger_endpoint, pool_id)
    assert [(c["trigger_source"], c["username"]) for c in calls] == [
        ("PreAuthentication_Authentication", "eve"),
        ("PreAuthentication_Authentication", "fin"),
        ("PostAuthentication_Authentication", "fin"),
    ]
    assert {c["event"]["callerContext"]["clientId"] for c in calls} == {client_id}


def test_authentication_triggers_where_users_sign_in_with_email(
    idp, trigger_endpoint, make_trigger_pool
):
    pool_id = make_trigger_pool(
        {"PreAuthentication": "pre-authentication", "PostAuthentication": "post-authentication"},
        UsernameAttributes=["email"],
        Schema=custom_attributes("blocked"),
    )["Id"]
    client_id = app_client(idp, pool_id)
    confirmed_user(idp, pool_id, "gil@example.com", attrs={"custom:blocked": "true"})
    confirmed_user(idp, pool_id, "hana@example.com")
    hana = idp.admin_get_user(UserPoolId=pool_id, Username="hana@example.com")["Username"]

    assert (
        rejected(
            password_auth,
            idp=idp,
            client_id=client_id,
            username="gil@example.com",
            password=PASSWORD,
        )
        == BLOCKED
    )
    password_auth(idp, client_id, "hana@example.com", PASSWORD)
    calls = invocations(trigger_endpoint, pool_id)[1:]
    assert [c["trigger_source"] for c in calls] == [
        "PreAuthentication_Authentication",
        "PostAuthentication_Authentication",
    ]
    for call in calls:
        assert call["event"]["request"]["userAttributes"]["email"] == "hana@example.com"
        assert call["event"]["request"]["userAttributes"]["sub"] == hana
    # Once signed in, the user is named by its username in the pool, its sub.
    assert calls[1]["event"]["userName"] == hana


# UserMigration


@pytest.fixture
def migration_pool_id(make_trigger_pool):
    return make_trigger_pool({"UserMigration": "user-migration"}, AutoVerifiedAttributes=["email"])[
        "Id"
    ]


def check_migrated(idp, endpoint, pool_id, username=LEGACY_USERNAME):
    user = idp.admin_get_user(UserPoolId=pool_id, Username=username)
    assert user["UserStatus"] == "CONFIRMED"
    attrs = attributes(user)
    assert attrs["email"] == LEGACY_EMAIL
    assert attrs["email_verified"] == "true"
    assert attrs["given_name"] == "Legacy"
    # messageAction SUPPRESS: no welcome message.
    assert messages(endpoint, pool_id) == []
    return user


def test_migration_at_first_sign_in(idp, trigger_endpoint, migration_pool_id):
    pool_id = migration_pool_id
    client_id = app_client(idp, pool_id)
    tokens = password_auth(
        idp, client_id, LEGACY_USERNAME, LEGACY_PASSWORD, ClientMetadata={"app": "web"}
    )["AuthenticationResult"]
    id_claims = verified_claims(trigger_endpoint, pool_id, tokens["IdToken"])
    assert id_claims["cognito:username"] == LEGACY_USERNAME
    assert id_claims["email"] == LEGACY_EMAIL
    assert id_claims["given_name"] == "Legacy"
    assert verified_claims(trigger_endpoint, pool_id, tokens["AccessToken"])["username"] == (
        LEGACY_USERNAME
    )
    assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == LEGACY_USERNAME
    check_migrated(idp, trigger_endpoint, pool_id)

    call = only_invocation(trigger_endpoint, pool_id, "UserMigration")
    assert call["trigger_source"] == "UserMigration_Authentication"
    event = call["event"]
    assert event["userName"] == LEGACY_USERNAME
    assert event["callerContext"]["clientId"] == client_id
    assert event["request"]["password"] == LEGACY_PASSWORD
    assert event["request"]["validationData"] == {"app": "web"}
    assert call["response"]["finalUserStatus"] == "CONFIRMED"
    assert call["response"]["messageAction"] == "SUPPRESS"

    # The user is the pool's now: its password is checked without the function.
    assert password_auth(idp, client_id, LEGACY_USERNAME, LEGACY_PASSWORD)["AuthenticationResult"]
    assert (
        rejected(
            password_auth,
            idp=idp,
            client_id=client_id,
            username=LEGACY_USERNAME,
            password=OTHER_PASSWORD,
        )
        == INCORRECT
    )
    assert len(invocations(trigger_endpoint, pool_id, "UserMigration")) == 1


def test_migration_through_admin_sign_in(idp, trigger_endpoint, migration_pool_id):
    pool_id = migration_pool_id
    client_id = app_client(idp, pool_id)
    answer = admin_password_auth(idp, pool_id, client_id, LEGACY_USERNAME, LEGACY_PASSWORD)
    assert answer["AuthenticationResult"]["RefreshToken"]
    check_migrated(idp, trigger_endpoint, pool_id)
    call = only_invocation(trigger_endpoint, pool_id, "UserMigration")
    assert call["trigger_source"] == "UserMigration_Authentication"
    assert call["event"]["request"]["password"] == LEGACY_PASSWORD


def test_the_legacy_directory_refuses(idp, trigger_endpoint, migration_pool_id):
    pool_id = migration_pool_id
    client_id = app_client(idp, pool_id, PreventUserExistenceErrors="LEGACY")
    assert (
        rejected(
            password_auth,
            idp=idp,
            client_id=client_id,
            username=LEGACY_USERNAME,
            password=OTHER_PASSWORD,
        )
        == BAD_PASSWORD
    )
    assert (
        rejected(
            admin_password_auth,
            idp=idp,
            pool_id=pool_id,
            client_id=client_id,
            username="stranger",
            password=PASSWORD,
        )
        == NOT_FOUND
    )
    for username in (LEGACY_USERNAME, "stranger"):
        assert rejected(idp.admin_get_user, UserPoolId=pool_id, Username=username)[0] == (
            "UserNotFoundException"
        )
    calls = invocations(trigger_endpoint, pool_id, "UserMigration")
    assert [c["response"] for c in calls] == [None, None]
    assert "Bad password" in calls[0]["error"]
    assert "User not found" in calls[1]["error"]


def test_srp_sign_in_migrates_nobody(idp, trigger_endpoint, migration_pool_id):
    # SRP never shows the server a password, so there is nothing to migrate with.
    pool_id = migration_pool_id
    client_id = app_client(idp, pool_id, PreventUserExistenceErrors="LEGACY")
    srp = AWSSRP(LEGACY_USERNAME, LEGACY_PASSWORD, pool_id, client_id, client=idp)
    assert rejected(
        idp.initiate_auth,
        ClientId=client_id,
        AuthFlow="USER_SRP_AUTH",
        AuthParameters=srp.get_auth_params(),
    ) == ("UserNotFoundException", "User does not exist.")
    assert invocations(trigger_endpoint, pool_id, "UserMigration") == []


def test_migration_at_forgot_password(idp, trigger_endpoint, migration_pool_id):
    pool_id = migration_pool_id
    client_id = app_client(idp, pool_id, PreventUserExistenceErrors="LEGACY")
    delivery = idp.forgot_password(
        ClientId=client_id, Username=LEGACY_USERNAME, ClientMetadata={"app": "web"}
    )["CodeDeliveryDetails"]
    assert delivery["DeliveryMedium"] == "EMAIL"
    assert delivery["AttributeName"] == "email"

    call = only_invocation(trigger_endpoint, pool_id, "UserMigration")
    assert call["trigger_source"] == "UserMigration_ForgotPassword"
    assert call["event"]["userName"] == LEGACY_USERNAME
    assert "password" not in call["event"]["request"]
    user = idp.admin_get_user(UserPoolId=pool_id, Username=LEGACY_USERNAME)
    assert attributes(user)["email"] == LEGACY_EMAIL

    sent = messages(trigger_endpoint, pool_id, LEGACY_USERNAME)
    assert [(m["kind"], m["destination"]) for m in sent] == [("forgot_password_code", LEGACY_EMAIL)]
    idp.confirm_forgot_password(
        ClientId=client_id,
        Username=LEGACY_USERNAME,
        ConfirmationCode=sent[0]["code"],
        Password=NEW_PASSWORD,
    )
    tokens = password_auth(idp, client_id, LEGACY_USERNAME, NEW_PASSWORD)["AuthenticationResult"]
    assert verified_claims(trigger_endpoint, pool_id, tokens["IdToken"])["email"] == LEGACY_EMAIL
    assert idp.admin_get_user(UserPoolId=pool_id, Username=LEGACY_USERNAME)["UserStatus"] == (
        "CONFIRMED"
    )
    assert len(invocations(trigger_endpoint, pool_id, "UserMigration")) == 1

    assert rejected(idp.forgot_password, ClientId=client_id, Username="stranger") == NOT_FOUND


def test_migration_with_a_client_secret(idp, trigger_endpoint, migration_pool_id):
    pool_id = migration_pool_id
    client_id, client_secret = app_client(idp, pool_id, secret=True)
    answer = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": LEGACY_USERNAME,
            "PASSWORD": LEGACY_PASSWORD,
            "SECRET_HASH": secret_hash(client_id, client_secret, LEGACY_USERNAME),
        },
    )
    assert answer["AuthenticationResult"]["AccessToken"]
    check_migrated(idp, trigger_endpoint, pool_id)
    call = only_invocation(trigger_endpoint, pool_id, "UserMigration")
    assert call["event"]["callerContext"]["clientId"] == client_id


def test_migration_where_users_sign_in_with_email(idp, trigger_endpoint, make_trigger_pool):
    pool_id = make_trigger_pool(
        {"UserMigration": "user-migration"},
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
    )["Id"]
    client_id = app_client(idp, pool_id)
    tokens = password_auth(idp, client_id, LEGACY_EMAIL, LEGACY_PASSWORD)["AuthenticationResult"]
    id_claims = verified_claims(trigger_endpoint, pool_id, tokens["IdToken"])
    assert id_claims["email"] == LEGACY_EMAIL
    # The pool names the user by its sub; the function heard the name typed.
    assert id_claims["cognito:username"] == id_claims["sub"]
    call = only_invocation(trigger_endpoint, pool_id, "UserMigration")
    assert call["event"]["userName"] == LEGACY_EMAIL
    user = check_migrated(idp, trigger_endpoint, pool_id, LEGACY_EMAIL)
    assert user["Username"] == id_claims["sub"]
    assert password_auth(idp, client_id, LEGACY_EMAIL, LEGACY_PASSWORD)["AuthenticationResult"]
    assert len(invocations(trigger_endpoint, pool_id, "UserMigration")) == 1


def test_a_user_of_the_pool_is_never_migrated(idp, trigger_endpoint, migration_pool_id):
    pool_id = migration_pool_id
    client_id = app_client(idp, pool_id)
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username=LEGACY_USERNAME,
        UserAttributes=attribute_list({"email": "new-home@example.com"}),
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(
        UserPoolId=pool_id, Username=LEGACY_USERNAME, Password=PASSWORD, Permanent=True
    )
    assert (
        rejected(
            password_auth,
            idp=idp,
            client_id=client_id,
            username=LEGACY_USERNAME,
            password=LEGACY_PASSWORD,
        )
        == INCORRECT
    )
    assert password_auth(idp, client_id, LEGACY_USERNAME, PASSWORD)["AuthenticationResult"]
    assert invocations(trigger_endpoint, pool_id, "UserMigration") == []
