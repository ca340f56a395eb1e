"""Email delivery over SMTP: servers of the tests' own started with
`--smtp-url`, one pointing at an aiosmtpd mail server the tests run, one at a
port nothing listens on (see docs/delivery.md).

A sign-up's confirmation email reaches the mail server from the pool's
sender, with the code the test API holds; a mail server that cannot be reached
fails nobody's request, and the test API shows why the email went nowhere.
"""

import email
import email.policy
import queue
import re
import time
import urllib.parse

import pytest
from aiosmtpd.controller import Controller

import support
from own_server import OwnServer, free_port
from accounts import PASSWORD, get_json

# How long an email may take to arrive, or its failure to be recorded.
DELIVERY_SECONDS = 20

SENDER = "sender@example.com"
SOURCE_ARN = f"arn:aws:ses:us-east-1:{support.ACCOUNT_ID}:identity/{SENDER}"


class Inbox:
    """An aiosmtpd handler keeping every envelope it accepts."""

    def __init__(self):
        self.received = queue.Queue()

    async def handle_DATA(self, server, session, envelope):
        self.received.put(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture(scope="module")
def mail_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture(scope="module")
def delivering(mail_server):
    """The address of a server delivering to the module's mail server."""
    controller, _ = mail_server
    server = OwnServer("--smtp-url", f"smtp://{controller.hostname}:{controller.port}")
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def unreachable():
    """The address of a server whose mail server cannot be reached."""
    server = OwnServer("--smtp-url", f"smtp://127.0.0.1:{free_port()}")
    yield server.url
    server.stop()


def signed_up_user(endpoint, **pool_settings):
    """A new pool that verifies email addresses, and a user signed up in it;
    answers the pool's id, the username and the address."""
    idp = support.make_client(endpoint)
    pool = idp.create_user_pool(
        PoolName=support.unique_name("smtp"),
        AutoVerifiedAttributes=["email"],
        **pool_settings,
    )["UserPool"]
    client = idp.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName=support.unique_name("app")
    )["UserPoolClient"]
    address = f"{support.unique_name('user')}@example.com"
    answer = idp.sign_up(
        ClientId=client["ClientId"],
        Username="alice",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": address}],
    )
    assert answer["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    return pool["Id"], "alice", address


def held_code(endpoint, pool_id, username):
    query = urllib.parse.urlencode({"pool_id": pool_id, "username": username})
    codes = get_json(f"{endpoint}/_cognito/codes?{query}")["codes"]
    assert [c["purpose"] for c in codes] == ["sign_up"], codes
    return codes[0]["code"]


def settled_message(endpoint, pool_id):
    """The pool's one message once its delivery is no longer pending."""
    query = urllib.parse.urlencode({"pool_id": pool_id})
    deadline = time.monotonic() + DELIVERY_SECONDS
    while True:
        messages = get_json(f"{endpoint}/_cognito/messages?{query}")["messages"]
        assert len(messages) == 1, messages
        if messages[0]["delivery"] != "pending" or time.monotonic() > deadline:
            return messages[0]
        time.sleep(0.05)


def test_a_sign_up_code_arrives_by_email_from_the_pools_sender(delivering, mail_server):
    _, inbox = mail_server
    pool_id, username, address = signed_up_user(
        delivering,
        EmailConfiguration={
            "EmailSendingAccount": "DEVELOPER",
            "SourceArn": SOURCE_ARN,
            "From": f"Example Sender <{SENDER}>",
            "ReplyToEmailAddress": "help@example.com",
        },
        VerificationMessageTemplate={
            "DefaultEmailOption": "CONFIRM_WITH_CODE",
            "EmailSubject": "Welcome aboard",
            "EmailMessage": "Hello, your code is {####}.",
        },
    )
    envelope = inbox.received.get(timeout=DELIVERY_SECONDS)
    assert envelope.rcpt_tos == [address]
    assert envelope.mail_from == SENDER
    mail = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert mail["From"] == f"Example Sender <{SENDER}>"
    assert mail["To"] == address
    assert mail["Reply-To"] == "help@example.com"
    assert mail["Subject"] == "Welcome aboard"
    body = mail.get_content()
    found = re.fullmatch(r"Hello, your code is (\d{6})\.\s*", body)
    assert found, body
    assert found.group(1) == held_code(delivering, pool_id, username)

    message = settled_message(delivering, pool_id)
    assert message["delivery"] == "sent"
    assert message["delivery_error"] is None
    assert message["code"] == found.group(1)


def test_the_default_sender_is_cognitos(delivering, mail_server):
    _, inbox = mail_server
    pool_id, username, address = signed_up_user(delivering)
    envelope = inbox.received.get(timeout=DELIVERY_SECONDS)
    assert envelope.rcpt_tos == [address]
    mail = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert mail["From"] == "no-reply@verificationemail.com"
    assert held_code(delivering, pool_id, username) in mail.get_content()


def test_an_unreachable_mail_server_fails_no_request(unreachable):
    pool_id, username, _ = signed_up_user(unreachable)
    message = settled_message(unreachable, pool_id)
    assert message["delivery"] == "failed", message
    assert message["delivery_error"], message
    # The copy is kept, and the code works.
    code = held_code(unreachable, pool_id, username)
    assert message["code"] == code
    idp = support.make_client(unreachable)
    client_id = idp.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"][0]["ClientId"]
    idp.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=code)
    user = idp.admin_get_user(UserPoolId=pool_id, Username=username)
    assert user["UserStatus"] == "CONFIRMED"
