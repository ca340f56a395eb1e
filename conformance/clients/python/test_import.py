"""A user import job end to end: the CSV header, the job, the upload of the
CSV to the job's pre-signed URL as AWS's documentation shows it, and the users
it brings in."""

import csv
import io

import pytest
import requests
from botocore.exceptions import ClientError

from accounts import PASSWORD, attributes, last_code, sign_in_client, wait_for
from support import ACCOUNT_ID, error_of

ROLE_ARN = f"arn:aws:iam::{ACCOUNT_ID}:role/CognitoImportRole"

PEOPLE = [
    {"cognito:username": "imp-ada", "email": "ada@example.com", "name": "Ada"},
    {"cognito:username": "imp-bo", "email": "bo@example.com", "name": "Bo"},
    {"cognito:username": "imp-cy", "email": "cy@example.com", "name": "Cy"},
]


def csv_for(header, people):
    """The CSV Cognito expects: every header column, in order, on every row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for person in people:
        row = {column: "" for column in header}
        row.update({"email_verified": "true", "phone_number_verified": "false"})
        row["cognito:mfa_enabled"] = "false"
        row.update(person)
        writer.writerow(row)
    return out.getvalue()


def upload(url, body):
    """PUTs the CSV as the AWS documentation's example does."""
    response = requests.put(
        url,
        data=body.encode(),
        headers={"x-amz-server-side-encryption": "aws:kms", "Content-Type": "text/csv"},
        timeout=30,
    )
    assert response.status_code == 200, response.text


def finished(cognito, pool_id, job_id):
    job = cognito.describe_user_import_job(UserPoolId=pool_id, JobId=job_id)["UserImportJob"]
    return job if job["Status"] in ("Succeeded", "Failed", "Stopped", "Expired") else None


def test_get_csv_header(cognito, pool):
    answer = cognito.get_csv_header(UserPoolId=pool["Id"])
    assert answer["UserPoolId"] == pool["Id"]
    header = answer["CSVHeader"]
    for column in ("email", "email_verified", "phone_number", "phone_number_verified", "name"):
        assert column in header
    assert "sub" not in header
    assert header[-2:] == ["cognito:mfa_enabled", "cognito:username"]


def test_import_job_brings_in_users(cognito, endpoint, pool):
    pool_id = pool["Id"]
    header = cognito.get_csv_header(UserPoolId=pool_id)["CSVHeader"]

    created = cognito.create_user_import_job(
        UserPoolId=pool_id, JobName="first-import", CloudWatchLogsRoleArn=ROLE_ARN
    )["UserImportJob"]
    job_id = created["JobId"]
    assert job_id.startswith("import-")
    assert created["JobName"] == "first-import"
    assert created["UserPoolId"] == pool_id
    assert created["Status"] == "Created"
    assert created["CloudWatchLogsRoleArn"] == ROLE_ARN
    assert created["PreSignedUrl"].startswith("http")

    upload(created["PreSignedUrl"], csv_for(header, PEOPLE))

    started = cognito.start_user_import_job(UserPoolId=pool_id, JobId=job_id)["UserImportJob"]
    assert started["JobId"] == job_id
    assert started["Status"] in ("Pending", "InProgress", "Succeeded")

    job = wait_for(lambda: finished(cognito, pool_id, job_id))
    assert job, "the import job did not finish"
    assert job["Status"] == "Succeeded"
    assert (job["ImportedUsers"], job["SkippedUsers"], job["FailedUsers"]) == (3, 0, 0)
    assert job["StartDate"] <= job["CompletionDate"]

    listed = cognito.list_user_import_jobs(UserPoolId=pool_id, MaxResults=10)["UserImportJobs"]
    assert [j["JobId"] for j in listed] == [job_id]

    # Imported users must reset their password before they can sign in.
    got = cognito.admin_get_user(UserPoolId=pool_id, Username="imp-ada")
    assert got["UserStatus"] == "RESET_REQUIRED"
    attrs = attributes(got)
    assert attrs["email"] == "ada@example.com"
    assert attrs["name"] == "Ada"
    assert attrs["email_verified"] == "true"
    assert "sub" in attrs

    # Without PreventUserExistenceErrors, any password tells such a user to reset it.
    client_id = sign_in_client(cognito, pool_id, PreventUserExistenceErrors="LEGACY")
    with pytest.raises(ClientError) as excinfo:
        cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "imp-ada", "PASSWORD": PASSWORD},
        )
    assert error_of(excinfo)[0] == "PasswordResetRequiredException"

    cognito.forgot_password(ClientId=client_id, Username="imp-ada")
    code = last_code(endpoint, pool_id, "imp-ada", "forgot_password_code")
    cognito.confirm_forgot_password(
        ClientId=client_id, Username="imp-ada", ConfirmationCode=code, Password=PASSWORD
    )
    signed_in = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "imp-ada", "PASSWORD": PASSWORD},
    )
    assert "AccessToken" in signed_in["AuthenticationResult"]


def test_a_job_can_start_only_once(cognito, pool):
    pool_id = pool["Id"]
    header = cognito.get_csv_header(UserPoolId=pool_id)["CSVHeader"]
    job = cognito.create_user_import_job(
        UserPoolId=pool_id, JobName="once", CloudWatchLogsRoleArn=ROLE_ARN
    )["UserImportJob"]
    upload(job["PreSignedUrl"], csv_for(header, PEOPLE[:1]))
    cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert wait_for(lambda: finished(cognito, pool_id, job["JobId"]))

    with pytest.raises(ClientError) as excinfo:
        cognito.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert error_of(excinfo)[0] == "PreconditionNotMetException"


def test_describe_a_job_that_does_not_exist(cognito, pool):
    with pytest.raises(ClientError) as excinfo:
        cognito.describe_user_import_job(UserPoolId=pool["Id"], JobId="import-AbCdEfGhIj")
    assert error_of(excinfo)[0] == "ResourceNotFoundException"
