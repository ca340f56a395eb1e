"""Tags on a user pool, addressed by its ARN."""

import pytest
from botocore.exceptions import ClientError

from support import ACCOUNT_ID, REGION, error_of


def test_tag_list_untag_round_trip(cognito, pool):
    arn = pool["Arn"]
    assert cognito.list_tags_for_resource(ResourceArn=arn).get("Tags", {}) == {}

    cognito.tag_resource(ResourceArn=arn, Tags={"team": "identity", "env": "dev"})
    assert cognito.list_tags_for_resource(ResourceArn=arn)["Tags"] == {
        "team": "identity",
        "env": "dev",
    }

    cognito.tag_resource(ResourceArn=arn, Tags={"env": "prod"})
    assert cognito.list_tags_for_resource(ResourceArn=arn)["Tags"] == {
        "team": "identity",
        "env": "prod",
    }

    cognito.untag_resource(ResourceArn=arn, TagKeys=["env"])
    assert cognito.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "identity"}


def test_tags_given_at_creation_are_listed(cognito, make_pool):
    pool = make_pool(UserPoolTags={"owner": "alice"})
    assert cognito.list_tags_for_resource(ResourceArn=pool["Arn"])["Tags"] == {"owner": "alice"}

    cognito.tag_resource(ResourceArn=pool["Arn"], Tags={"cost": "42"})
    described = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    assert described["UserPoolTags"] == {"owner": "alice", "cost": "42"}


def test_tags_of_unknown_pool_are_not_found(cognito):
    arn = f"arn:aws:cognito-idp:{REGION}:{ACCOUNT_ID}:userpool/us-east-1_AAAAAAAAA"
    with pytest.raises(ClientError) as excinfo:
        cognito.list_tags_for_resource(ResourceArn=arn)
    assert error_of(excinfo)[0] == "ResourceNotFoundException"
