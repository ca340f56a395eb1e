"""Groups of a user pool and the users in them."""

import datetime

import pytest
from botocore.exceptions import ClientError

from accounts import admin_sign_in, claims, confirmed_user, sign_in_client
from support import error_of


def group_names(answer):
    return sorted(g["GroupName"] for g in answer["Groups"])


def test_create_group_answers_with_what_was_asked(cognito, pool):
    group = cognito.create_group(
        UserPoolId=pool["Id"], GroupName="admins", Description="People in charge", Precedence=1
    )["Group"]
    assert group["GroupName"] == "admins"
    assert group["UserPoolId"] == pool["Id"]
    assert group["Description"] == "People in charge"
    assert group["Precedence"] == 1
    assert isinstance(group["CreationDate"], datetime.datetime)
    assert isinstance(group["LastModifiedDate"], datetime.datetime)

    got = cognito.get_group(UserPoolId=pool["Id"], GroupName="admins")["Group"]
    assert got == group

    with pytest.raises(ClientError) as excinfo:
        cognito.create_group(UserPoolId=pool["Id"], GroupName="admins")
    assert error_of(excinfo)[0] == "GroupExistsException"


def test_members_of_groups_both_ways(cognito, pool):
    pool_id = pool["Id"]
    for name in ("admins", "editors", "readers"):
        cognito.create_group(UserPoolId=pool_id, GroupName=name)
    for username in ("kim", "lee", "max"):
        cognito.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS")

    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="kim", GroupName="admins")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="kim", GroupName="editors")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="lee", GroupName="editors")
    # Adding a member again changes nothing.
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="lee", GroupName="editors")

    in_editors = cognito.list_users_in_group(UserPoolId=pool_id, GroupName="editors")
    assert sorted(u["Username"] for u in in_editors["Users"]) == ["kim", "lee"]
    assert all(u["UserStatus"] == "FORCE_CHANGE_PASSWORD" for u in in_editors["Users"])
    assert cognito.list_users_in_group(UserPoolId=pool_id, GroupName="readers")["Users"] == []

    kims = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username="kim")
    assert group_names(kims) == ["admins", "editors"]
    assert all(g["UserPoolId"] == pool_id for g in kims["Groups"])
    assert cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username="max")["Groups"] == []

    cognito.admin_remove_user_from_group(UserPoolId=pool_id, Username="kim", GroupName="editors")
    assert group_names(cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username="kim")) == [
        "admins"
    ]

    # Deleting a group leaves its members, and a deleted user leaves its groups.
    cognito.delete_group(UserPoolId=pool_id, GroupName="admins")
    assert cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username="kim")["Groups"] == []
    cognito.admin_delete_user(UserPoolId=pool_id, Username="lee")
    assert cognito.list_users_in_group(UserPoolId=pool_id, GroupName="editors")["Users"] == []

    assert group_names(cognito.list_groups(UserPoolId=pool_id)) == ["editors", "readers"]


def test_membership_of_what_does_not_exist(cognito, pool):
    pool_id = pool["Id"]
    cognito.admin_create_user(UserPoolId=pool_id, Username="nia", MessageAction="SUPPRESS")
    cognito.create_group(UserPoolId=pool_id, GroupName="staff")

    with pytest.raises(ClientError) as excinfo:
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="nia", GroupName="ghosts")
    assert error_of(excinfo)[0] == "ResourceNotFoundException"

    with pytest.raises(ClientError) as excinfo:
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="nobody", GroupName="staff")
    assert error_of(excinfo) == ("UserNotFoundException", "User does not exist.")

    with pytest.raises(ClientError) as excinfo:
        cognito.list_users_in_group(UserPoolId=pool_id, GroupName="ghosts")
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


def test_list_users_in_group_pages(cognito, pool):
    pool_id = pool["Id"]
    cognito.create_group(UserPoolId=pool_id, GroupName="many")
    names = [f"member{i:02}" for i in range(7)]
    for name in names:
        cognito.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS")
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=name, GroupName="many")

    pages = cognito.get_paginator("list_users_in_group").paginate(
        UserPoolId=pool_id, GroupName="many", PaginationConfig={"PageSize": 3}
    )
    sizes = []
    seen = []
    for page in pages:
        sizes.append(len(page["Users"]))
        seen.extend(u["Username"] for u in page["Users"])
    assert sorted(seen) == names
    assert len(sizes) >= 3 and max(sizes) <= 3


def test_groups_appear_in_tokens(cognito, pool):
    pool_id = pool["Id"]
    confirmed_user(cognito, pool_id, "olga")
    client_id = sign_in_client(cognito, pool_id)
    cognito.create_group(UserPoolId=pool_id, GroupName="low", Precedence=10)
    cognito.create_group(UserPoolId=pool_id, GroupName="high", Precedence=1)
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="olga", GroupName="low")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="olga", GroupName="high")

    tokens = admin_sign_in(cognito, pool_id, client_id, "olga")["AuthenticationResult"]
    assert sorted(claims(tokens["IdToken"])["cognito:groups"]) == ["high", "low"]
    assert sorted(claims(tokens["AccessToken"])["cognito:groups"]) == ["high", "low"]
