"""Users as an administrator manages them: AdminCreateUser and the other
Admin* operations on one user, and ListUsers with filters and paging."""

import datetime
import re

import pytest
from botocore.exceptions import ClientError

from accounts import (
    PASSWORD,
    attribute_list,
    attributes,
    confirmed_user,
    messages,
    sign_in_client,
)
from support import error_of

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def get_user(cognito, pool_id, username):
    return cognito.admin_get_user(UserPoolId=pool_id, Username=username)


def test_admin_create_user_answers_with_defaults(cognito, pool):
    user = cognito.admin_create_user(
        UserPoolId=pool["Id"],
        Username="alice",
        UserAttributes=attribute_list({"email": "alice@example.com", "name": "Alice"}),
        MessageAction="SUPPRESS",
    )["User"]

    assert user["Username"] == "alice"
    assert user["Enabled"] is True
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert isinstance(user["UserCreateDate"], datetime.datetime)
    assert isinstance(user["UserLastModifiedDate"], datetime.datetime)
    attrs = attributes(user, "Attributes")
    assert re.fullmatch(UUID, attrs["sub"]), attrs
    assert attrs["email"] == "alice@example.com"
    assert attrs["name"] == "Alice"

    got = get_user(cognito, pool["Id"], "alice")
    assert got["Username"] == "alice"
    assert got["Enabled"] is True
    assert got["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert attributes(got) == attrs
    assert got["UserCreateDate"] == user["UserCreateDate"]


def test_admin_create_user_sends_an_invitation_with_the_temporary_password(
    cognito, endpoint, pool
):
    cognito.admin_create_user(
        UserPoolId=pool["Id"],
        Username="invited",
        UserAttributes=attribute_list({"email": "invited@example.com"}),
        TemporaryPassword="Temp0rary!Pass",
        DesiredDeliveryMediums=["EMAIL"],
    )
    sent = messages(endpoint, pool["Id"], "invited")
    assert [(m["kind"], m["channel"], m["destination"]) for m in sent] == [
        ("invitation", "EMAIL", "invited@example.com")
    ]
    assert sent[0]["code"] == "Temp0rary!Pass"
    assert "Temp0rary!Pass" in sent[0]["body"]


def test_admin_create_user_with_message_action_suppress_sends_nothing(cognito, endpoint, pool):
    cognito.admin_create_user(
        UserPoolId=pool["Id"],
        Username="quiet",
        UserAttributes=attribute_list({"email": "quiet@example.com"}),
        DesiredDeliveryMediums=["EMAIL"],
        MessageAction="SUPPRESS",
    )
    assert messages(endpoint, pool["Id"], "quiet") == []


def test_admin_create_user_twice_is_refused(cognito, pool):
    cognito.admin_create_user(UserPoolId=pool["Id"], Username="twice", MessageAction="SUPPRESS")
    with pytest.raises(ClientError) as excinfo:
        cognito.admin_create_user(
            UserPoolId=pool["Id"], Username="twice", MessageAction="SUPPRESS"
        )
    assert error_of(excinfo) == ("UsernameExistsException", "User account already exists")


def test_usernames_are_case_sensitive_unless_the_pool_says_otherwise(cognito, make_pool):
    # A pool created through the API without UsernameConfiguration tells
    # "Carol" and "carol" apart.
    strict = make_pool()["Id"]
    cognito.admin_create_user(UserPoolId=strict, Username="Carol", MessageAction="SUPPRESS")
    with pytest.raises(ClientError) as excinfo:
        get_user(cognito, strict, "carol")
    assert error_of(excinfo)[0] == "UserNotFoundException"

    relaxed = make_pool(UsernameConfiguration={"CaseSensitive": False})["Id"]
    cognito.admin_create_user(UserPoolId=relaxed, Username="Carol", MessageAction="SUPPRESS")
    assert get_user(cognito, relaxed, "carol")["Username"] == "Carol"
    with pytest.raises(ClientError) as excinfo:
        cognito.admin_create_user(UserPoolId=relaxed, Username="CAROL", MessageAction="SUPPRESS")
    assert error_of(excinfo)[0] == "UsernameExistsException"


def test_email_as_username_pool(cognito, make_pool):
    pool = make_pool(UsernameAttributes=["email"])
    user = cognito.admin_create_user(
        UserPoolId=pool["Id"], Username="bob@example.com", MessageAction="SUPPRESS"
    )["User"]

    # The username of such a user is its sub; the email address is an alias.
    attrs = attributes(user, "Attributes")
    assert re.fullmatch(UUID, user["Username"]), user["Username"]
    assert attrs["sub"] == user["Username"]
    assert attrs["email"] == "bob@example.com"

    got = get_user(cognito, pool["Id"], "bob@example.com")
    assert got["Username"] == user["Username"]
    assert attributes(got)["email"] == "bob@example.com"
    assert get_user(cognito, pool["Id"], user["Username"])["Username"] == user["Username"]

    with pytest.raises(ClientError) as excinfo:
        cognito.admin_create_user(
            UserPoolId=pool["Id"], Username="not-an-email", MessageAction="SUPPRESS"
        )
    assert error_of(excinfo) == ("InvalidParameterException", "Username should be an email.")

    with pytest.raises(ClientError) as excinfo:
        cognito.admin_create_user(
            UserPoolId=pool["Id"], Username="bob@example.com", MessageAction="SUPPRESS"
        )
    assert error_of(excinfo)[0] == "UsernameExistsException"


def test_admin_get_user_of_nobody(cognito, pool):
    with pytest.raises(ClientError) as excinfo:
        get_user(cognito, pool["Id"], "nobody")
    assert error_of(excinfo) == ("UserNotFoundException", "User does not exist.")


def test_admin_update_and_delete_user_attributes(cognito, make_pool):
    pool = make_pool(
        Schema=[{"Name": "tier", "AttributeDataType": "String", "Mutable": True}]
    )
    pool_id = pool["Id"]
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="dave",
        UserAttributes=attribute_list({"email": "dave@example.com", "name": "Dave"}),
        MessageAction="SUPPRESS",
    )
    created = get_user(cognito, pool_id, "dave")

    answer = cognito.admin_update_user_attributes(
        UserPoolId=pool_id,
        Username="dave",
        UserAttributes=attribute_list(
            {
                "name": "David",
                "email": "david@example.com",
                "email_verified": "true",
                "custom:tier": "gold",
            }
        ),
    )
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200

    updated = get_user(cognito, pool_id, "dave")
    attrs = attributes(updated)
    assert attrs["name"] == "David"
    assert attrs["email"] == "david@example.com"
    assert attrs["email_verified"] == "true"
    assert attrs["custom:tier"] == "gold"
    assert attrs["sub"] == attributes(created)["sub"]
    assert updated["UserLastModifiedDate"] >= created["UserLastModifiedDate"]

    cognito.admin_delete_user_attributes(
        UserPoolId=pool_id, Username="dave", UserAttributeNames=["name", "custom:tier"]
    )
    attrs = attributes(get_user(cognito, pool_id, "dave"))
    assert "name" not in attrs
    assert "custom:tier" not in attrs
    assert attrs["email"] == "david@example.com"

    with pytest.raises(ClientError) as excinfo:
        cognito.admin_update_user_attributes(
            UserPoolId=pool_id,
            Username="dave",
            UserAttributes=attribute_list({"custom:unknown": "x"}),
        )
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_admin_disable_and_enable_user(cognito, pool):
    pool_id = pool["Id"]
    confirmed_user(cognito, pool_id, "erin")
    client_id = sign_in_client(cognito, pool_id)

    cognito.admin_disable_user(UserPoolId=pool_id, Username="erin")
    assert get_user(cognito, pool_id, "erin")["Enabled"] is False
    with pytest.raises(ClientError) as excinfo:
        cognito.admin_initiate_auth(
            UserPoolId=pool_id,
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "erin", "PASSWORD": PASSWORD},
        )
    assert error_of(excinfo) == ("NotAuthorizedException", "User is disabled.")

    cognito.admin_enable_user(UserPoolId=pool_id, Username="erin")
    assert get_user(cognito, pool_id, "erin")["Enabled"] is True
    signed_in = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "erin", "PASSWORD": PASSWORD},
    )
    assert "AccessToken" in signed_in["AuthenticationResult"]


def test_admin_set_user_password(cognito, pool):
    pool_id = pool["Id"]
    cognito.admin_create_user(UserPoolId=pool_id, Username="frank", MessageAction="SUPPRESS")
    assert get_user(cognito, pool_id, "frank")["UserStatus"] == "FORCE_CHANGE_PASSWORD"

    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username="frank", Password=PASSWORD, Permanent=True
    )
    assert get_user(cognito, pool_id, "frank")["UserStatus"] == "CONFIRMED"

    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username="frank", Password="An0ther!Pass", Permanent=False
    )
    assert get_user(cognito, pool_id, "frank")["UserStatus"] == "FORCE_CHANGE_PASSWORD"

    with pytest.raises(ClientError) as excinfo:
        cognito.admin_set_user_password(
            UserPoolId=pool_id, Username="frank", Password="short", Permanent=True
        )
    code, message = error_of(excinfo)
    assert code == "InvalidPasswordException"
    assert message.endswith("policy: Password not long enough"), message


def test_admin_reset_user_password(cognito, endpoint, pool):
    pool_id = pool["Id"]
    confirmed_user(
        cognito,
        pool_id,
        "grace",
        attrs={"email": "grace@example.com", "email_verified": "true"},
    )
    client_id = sign_in_client(cognito, pool_id)

    cognito.admin_reset_user_password(UserPoolId=pool_id, Username="grace")
    assert get_user(cognito, pool_id, "grace")["UserStatus"] == "RESET_REQUIRED"
    codes = [m for m in messages(endpoint, pool_id, "grace") if m["kind"] == "forgot_password_code"]
    assert [m["destination"] for m in codes] == ["grace@example.com"]

    with pytest.raises(ClientError) as excinfo:
        cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "grace", "PASSWORD": PASSWORD},
        )
    assert error_of(excinfo)[0] == "PasswordResetRequiredException"

    cognito.confirm_forgot_password(
        ClientId=client_id,
        Username="grace",
        ConfirmationCode=codes[-1]["code"],
        Password="Res3t!Password",
    )
    assert get_user(cognito, pool_id, "grace")["UserStatus"] == "CONFIRMED"
    signed_in = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "grace", "PASSWORD": "Res3t!Password"},
    )
    assert "IdToken" in signed_in["AuthenticationResult"]


def test_admin_confirm_sign_up(cognito, pool):
    pool_id = pool["Id"]
    client_id = sign_in_client(cognito, pool_id)
    signed_up = cognito.sign_up(ClientId=client_id, Username="heidi", Password=PASSWORD)
    assert signed_up["UserConfirmed"] is False
    assert get_user(cognito, pool_id, "heidi")["UserStatus"] == "UNCONFIRMED"

    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username="heidi")
    got = get_user(cognito, pool_id, "heidi")
    assert got["UserStatus"] == "CONFIRMED"
    assert attributes(got)["sub"] == signed_up["UserSub"]


def test_admin_delete_user(cognito, pool):
    cognito.admin_create_user(UserPoolId=pool["Id"], Username="ivan", MessageAction="SUPPRESS")
    cognito.admin_delete_user(UserPoolId=pool["Id"], Username="ivan")
    with pytest.raises(ClientError) as excinfo:
        get_user(cognito, pool["Id"], "ivan")
    assert error_of(excinfo) == ("UserNotFoundException", "User does not exist.")


@pytest.fixture
def crowd(cognito, pool):
    """A pool with five users of known emails and statuses."""
    pool_id = pool["Id"]
    people = {
        "ann": "ann@example.com",
        "andrew": "andrew@example.org",
        "beth": "beth@example.com",
        "bill": "bill@example.net",
        "cleo": "cleo@example.com",
    }
    for username, email in people.items():
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            UserAttributes=attribute_list({"email": email, "name": username.title()}),
            MessageAction="SUPPRESS",
        )
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username="beth", Password=PASSWORD, Permanent=True
    )
    cognito.admin_disable_user(UserPoolId=pool_id, Username="bill")
    return pool_id, people


def usernames(answer):
    return sorted(u["Username"] for u in answer["Users"])


def test_list_users_without_filter(cognito, crowd):
    pool_id, people = crowd
    listed = cognito.list_users(UserPoolId=pool_id)
    assert usernames(listed) == sorted(people)
    assert "PaginationToken" not in listed
    for user in listed["Users"]:
        attrs = attributes(user, "Attributes")
        assert attrs["email"] == people[user["Username"]]
        assert re.fullmatch(UUID, attrs["sub"])
        assert isinstance(user["UserCreateDate"], datetime.datetime)
        assert "UserStatus" in user and "Enabled" in user


def test_list_users_with_an_exact_filter(cognito, crowd):
    pool_id, _ = crowd
    listed = cognito.list_users(UserPoolId=pool_id, Filter='email = "beth@example.com"')
    assert usernames(listed) == ["beth"]
    assert cognito.list_users(UserPoolId=pool_id, Filter='email = "nobody@example.com"')[
        "Users"
    ] == []
    assert usernames(cognito.list_users(UserPoolId=pool_id, Filter='username = "cleo"')) == [
        "cleo"
    ]


def test_list_users_with_a_prefix_filter(cognito, crowd):
    pool_id, _ = crowd
    assert usernames(cognito.list_users(UserPoolId=pool_id, Filter='email ^= "an"')) == [
        "andrew",
        "ann",
    ]
    assert usernames(cognito.list_users(UserPoolId=pool_id, Filter='name ^= "B"')) == [
        "beth",
        "bill",
    ]
    # A filter with an empty value matches everyone.
    assert len(cognito.list_users(UserPoolId=pool_id, Filter='email ^= ""')["Users"]) == 5


def test_list_users_by_status(cognito, crowd):
    pool_id, _ = crowd
    assert usernames(
        cognito.list_users(UserPoolId=pool_id, Filter='cognito:user_status = "CONFIRMED"')
    ) == ["beth"]
    assert usernames(cognito.list_users(UserPoolId=pool_id, Filter='status = "Disabled"')) == [
        "bill"
    ]


def test_list_users_with_attributes_to_get(cognito, crowd):
    pool_id, people = crowd
    listed = cognito.list_users(UserPoolId=pool_id, AttributesToGet=["email"])
    assert usernames(listed) == sorted(people)
    for user in listed["Users"]:
        assert user["Attributes"] == [{"Name": "email", "Value": people[user["Username"]]}]


def test_list_users_refuses_a_malformed_filter(cognito, crowd):
    pool_id, _ = crowd
    with pytest.raises(ClientError) as excinfo:
        cognito.list_users(UserPoolId=pool_id, Filter="email is beth")
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_list_users_pages(cognito, crowd):
    pool_id, people = crowd
    first = cognito.list_users(UserPoolId=pool_id, Limit=2)
    assert len(first["Users"]) == 2
    assert first["PaginationToken"]

    pages = cognito.get_paginator("list_users").paginate(
        UserPoolId=pool_id, PaginationConfig={"PageSize": 2}
    )
    seen = [u["Username"] for page in pages for u in page["Users"]]
    assert sorted(seen) == sorted(people)
    assert len(seen) == len(set(seen))
