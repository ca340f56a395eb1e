"""User pools: create, describe, update, list and delete."""

import datetime
import re

import pytest
from botocore.exceptions import ClientError

from support import ACCOUNT_ID, POOL_ID_PATTERN, REGION, error_of, unique_name

STANDARD_ATTRIBUTES = {
    "sub",
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "email",
    "email_verified",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "phone_number",
    "phone_number_verified",
    "address",
    "updated_at",
}


def test_create_user_pool_answers_with_defaults(make_pool):
    name = unique_name()
    pool = make_pool(PoolName=name)

    assert re.fullmatch(POOL_ID_PATTERN, pool["Id"]), pool["Id"]
    assert pool["Arn"] == f"arn:aws:cognito-idp:{REGION}:{ACCOUNT_ID}:userpool/{pool['Id']}"
    assert pool["Name"] == name
    assert isinstance(pool["CreationDate"], datetime.datetime)
    assert isinstance(pool["LastModifiedDate"], datetime.datetime)
    assert pool["LastModifiedDate"] >= pool["CreationDate"]

    password = pool["Policies"]["PasswordPolicy"]
    assert password["MinimumLength"] == 8
    assert password["RequireUppercase"] is True
    assert password["RequireLowercase"] is True
    assert password["RequireNumbers"] is True
    assert password["RequireSymbols"] is True
    assert password["TemporaryPasswordValidityDays"] == 7

    assert pool["MfaConfiguration"] == "OFF"
    assert pool["DeletionProtection"] == "INACTIVE"
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False
    assert pool["AdminCreateUserConfig"]["UnusedAccountValidityDays"] == 7
    assert pool["EstimatedNumberOfUsers"] == 0
    assert pool["UserPoolTier"] == "ESSENTIALS"
    assert pool["LambdaConfig"] == {}
    assert pool["EmailConfiguration"]["EmailSendingAccount"] == "COGNITO_DEFAULT"
    assert pool["VerificationMessageTemplate"]["DefaultEmailOption"] == "CONFIRM_WITH_CODE"


def test_new_pool_carries_the_standard_schema(pool):
    schema = {attr["Name"]: attr for attr in pool["SchemaAttributes"]}
    assert STANDARD_ATTRIBUTES <= set(schema)

    sub = schema["sub"]
    assert sub["AttributeDataType"] == "String"
    assert sub["Required"] is True
    assert sub["Mutable"] is False
    assert sub["DeveloperOnlyAttribute"] is False
    assert sub["StringAttributeConstraints"] == {"MinLength": "1", "MaxLength": "2048"}

    assert schema["email"]["AttributeDataType"] == "String"
    assert schema["email"]["Required"] is False
    assert schema["email"]["Mutable"] is True
    assert schema["email_verified"]["AttributeDataType"] == "Boolean"
    assert schema["phone_number_verified"]["AttributeDataType"] == "Boolean"
    assert schema["updated_at"]["AttributeDataType"] == "Number"


def test_create_user_pool_keeps_what_was_asked(make_pool):
    pool = make_pool(
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 12,
                "RequireUppercase": False,
                "RequireLowercase": True,
                "RequireNumbers": True,
                "RequireSymbols": False,
                "TemporaryPasswordValidityDays": 3,
            }
        },
        AutoVerifiedAttributes=["email"],
        UsernameAttributes=["email"],
        UsernameConfiguration={"CaseSensitive": False},
        DeletionProtection="ACTIVE",
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
        Schema=[
            {
                "Name": "tier",
                "AttributeDataType": "String",
                "Mutable": True,
                "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "16"},
            }
        ],
        UserPoolTags={"team": "identity"},
    )

    password = pool["Policies"]["PasswordPolicy"]
    assert password["MinimumLength"] == 12
    assert password["RequireUppercase"] is False
    assert password["RequireSymbols"] is False
    assert password["TemporaryPasswordValidityDays"] == 3
    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}
    assert pool["DeletionProtection"] == "ACTIVE"
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["UserPoolTags"] == {"team": "identity"}

    custom = [a for a in pool["SchemaAttributes"] if a["Name"] == "custom:tier"]
    assert len(custom) == 1
    assert custom[0]["AttributeDataType"] == "String"
    assert custom[0]["Mutable"] is True
    assert custom[0]["StringAttributeConstraints"] == {"MinLength": "1", "MaxLength": "16"}


def test_describe_user_pool_matches_create(cognito, pool):
    described = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    for key in ("Id", "Name", "Arn", "CreationDate", "LastModifiedDate", "Policies",
                "MfaConfiguration", "DeletionProtection", "UserPoolTier"):
        assert described[key] == pool[key], key
    assert {a["Name"] for a in described["SchemaAttributes"]} == {
        a["Name"] for a in pool["SchemaAttributes"]
    }


def test_update_user_pool_changes_are_visible(cognito, pool):
    cognito.update_user_pool(
        UserPoolId=pool["Id"],
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 10,
                "RequireUppercase": True,
                "RequireLowercase": True,
                "RequireNumbers": False,
                "RequireSymbols": False,
                "TemporaryPasswordValidityDays": 2,
            }
        },
        AutoVerifiedAttributes=["email"],
        DeletionProtection="ACTIVE",
        UserPoolTags={"stage": "test"},
    )

    updated = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    password = updated["Policies"]["PasswordPolicy"]
    assert password["MinimumLength"] == 10
    assert password["RequireNumbers"] is False
    assert password["RequireSymbols"] is False
    assert password["TemporaryPasswordValidityDays"] == 2
    assert updated["AutoVerifiedAttributes"] == ["email"]
    assert updated["DeletionProtection"] == "ACTIVE"
    assert updated["UserPoolTags"] == {"stage": "test"}
    assert updated["Name"] == pool["Name"]
    assert updated["CreationDate"] == pool["CreationDate"]
    assert updated["LastModifiedDate"] >= pool["LastModifiedDate"]


def test_update_user_pool_resets_settings_left_out(cognito, make_pool):
    pool = make_pool(AutoVerifiedAttributes=["email"])
    assert pool["AutoVerifiedAttributes"] == ["email"]

    cognito.update_user_pool(UserPoolId=pool["Id"], MfaConfiguration="OFF")

    updated = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert updated.get("AutoVerifiedAttributes", []) == []
    assert updated["Policies"]["PasswordPolicy"]["MinimumLength"] == 8


def test_delete_user_pool_then_it_is_gone(cognito, make_pool):
    pool = make_pool()
    cognito.delete_user_pool(UserPoolId=pool["Id"])

    with pytest.raises(ClientError) as excinfo:
        cognito.describe_user_pool(UserPoolId=pool["Id"])
    code, _ = error_of(excinfo)
    assert code == "ResourceNotFoundException"

    with pytest.raises(ClientError) as excinfo:
        cognito.delete_user_pool(UserPoolId=pool["Id"])
    code, _ = error_of(excinfo)
    assert code == "ResourceNotFoundException"


def test_deletion_protection_blocks_delete(cognito, make_pool):
    pool = make_pool(DeletionProtection="ACTIVE")

    with pytest.raises(ClientError) as excinfo:
        cognito.delete_user_pool(UserPoolId=pool["Id"])
    code, _ = error_of(excinfo)
    assert code == "InvalidParameterException"
    assert cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Id"] == pool["Id"]

    cognito.update_user_pool(UserPoolId=pool["Id"], DeletionProtection="INACTIVE")
    cognito.delete_user_pool(UserPoolId=pool["Id"])
    with pytest.raises(ClientError) as excinfo:
        cognito.describe_user_pool(UserPoolId=pool["Id"])
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


def test_list_user_pools_pages_through_everything(cognito, make_pool):
    mine = {make_pool()["Id"] for _ in range(5)}

    seen = []
    pages = 0
    kwargs = {"MaxResults": 2}
    while True:
        page = cognito.list_user_pools(**kwargs)
        pages += 1
        assert len(page["UserPools"]) <= 2
        seen.extend(page["UserPools"])
        token = page.get("NextToken")
        if not token:
            break
        kwargs["NextToken"] = token
        assert pages < 1000, "pagination does not end"

    ids = [p["Id"] for p in seen]
    assert len(ids) == len(set(ids)), "a pool was listed twice"
    assert mine <= set(ids)
    assert pages >= 3

    listed = next(p for p in seen if p["Id"] in mine)
    assert set(listed) >= {"Id", "Name", "CreationDate", "LastModifiedDate"}
    assert isinstance(listed["CreationDate"], datetime.datetime)


def test_list_user_pools_paginator(cognito, make_pool):
    mine = {make_pool()["Id"] for _ in range(3)}
    paginator = cognito.get_paginator("list_user_pools")
    ids = [
        p["Id"]
        for page in paginator.paginate(PaginationConfig={"PageSize": 1})
        for p in page["UserPools"]
    ]
    assert mine <= set(ids)
    assert len(ids) == len(set(ids))


def test_list_user_pools_with_max_results_above_sixty_fails(cognito):
    with pytest.raises(ClientError) as excinfo:
        cognito.list_user_pools(MaxResults=61)
    code, message = error_of(excinfo)
    assert code == "InvalidParameterException"
    assert message.startswith("1 validation error detected"), message
    assert "maxResults" in message


def test_unknown_pool_is_not_found(cognito):
    missing = "us-east-1_AAAAAAAAA"
    with pytest.raises(ClientError) as excinfo:
        cognito.describe_user_pool(UserPoolId=missing)
    code, message = error_of(excinfo)
    assert code == "ResourceNotFoundException"
    assert message == f"User pool {missing} does not exist."

    with pytest.raises(ClientError) as excinfo:
        cognito.update_user_pool(UserPoolId=missing, MfaConfiguration="OFF")
    assert error_of(excinfo)[0] == "ResourceNotFoundException"
