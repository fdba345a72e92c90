"""One contract for the user pool that e-mails invitations (ringback.ports.UserInviter):
the fake (ringback.adapters.memory_accounts.MemoryUserInviter) and the Cognito adapter
(ringback.adapters.cognito_users) on the local user pool, which is the template's pool
(devstack/aws/user_pool.py create_user_pool) held to Cognito's rules, its e-mails in the local
mailbox (devstack/cognito/)."""
from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
import uuid

import boto3
import jwt
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from pycognito.aws_srp import AWSSRP
from pycognito.exceptions import ForceChangePasswordException

from devstack import aws, template
from ringback.adapters.cognito_users import CognitoUserInviter
from ringback.adapters.memory_accounts import MemoryUserInviter
from ringback.errors import Unavailable

CHOSEN = "Her-Own-Passw0rd!"
# A wait ends as soon as its message arrives; the deadline is for a busy machine.
MAIL_SECONDS = 60


@pytest.fixture(scope="module")
def synthesized():
    return template.synthesized()


@pytest.fixture(scope="module")
def invite_template(synthesized) -> dict:
    (pool,) = [r["Properties"] for r in synthesized.template["Resources"].values()
               if r["Type"] == "AWS::Cognito::UserPool"]
    return pool["AdminCreateUserConfig"]["InviteMessageTemplate"]


@pytest.fixture(scope="module")
def local_pool(local_aws, synthesized):
    return aws.create_user_pool(local_aws, synthesized)


class LocalPool:
    """The local user pool, used as its users use it: they sign up, read their mail, and
    answer the new-password challenge at their first sign-in."""

    def __init__(self, settings, pool, subject: str) -> None:
        self.inviter = CognitoUserInviter(pool.pool_id, settings.region, settings.aws_endpoint_url)
        self._settings, self._pool, self._subject = settings, pool, subject
        self.idp = aws.client("cognito-idp", settings)

    def mail(self, email: str) -> list[dict]:
        query = urllib.parse.urlencode({"to": email})
        with urllib.request.urlopen(f"{self._settings.aws_endpoint_url}/_local/mailbox?{query}", timeout=10) as answer:
            return json.loads(answer.read())

    def sent(self, email: str) -> int:
        return sum(1 for m in self.mail(email) if m["subject"] == self._subject)

    def invitation(self, email: str, nth: int = 1) -> dict:
        """The nth invitation e-mail to the address, as soon as it arrives."""
        deadline = time.monotonic() + MAIL_SECONDS
        while True:
            invitations = [m for m in self.mail(email) if m["subject"] == self._subject]
            if len(invitations) >= nth:
                return invitations[nth - 1]
            assert time.monotonic() < deadline, f"no invitation reached {email} within {MAIL_SECONDS}s"
            time.sleep(0.05)

    def signed_up(self, email: str, confirmed: bool = True) -> None:
        self.idp.sign_up(ClientId=self._pool.client_id, Username=email, Password="Own-Chosen-Pass-1",
                         UserAttributes=[{"Name": "email", "Value": email}])
        if confirmed:
            deadline = time.monotonic() + MAIL_SECONDS
            while not self.mail(email):
                assert time.monotonic() < deadline, f"no code reached {email}"
                time.sleep(0.05)
            self.idp.confirm_sign_up(ClientId=self._pool.client_id, Username=email,
                                     ConfirmationCode=self.mail(email)[-1]["code"])

    def srp(self, email: str, password: str) -> AWSSRP:
        return AWSSRP(username=email, password=password, pool_id=self._pool.pool_id,
                      client_id=self._pool.client_id, client=self.idp)

    def set_password(self, email: str) -> dict:
        """The invitee's first sign-in with the latest temporary password: Cognito asks for
        a password of their own; the tokens, once it has one."""
        temporary = [m for m in self.mail(email) if m["subject"] == self._subject][-1]["code"]
        return self.srp(email, temporary).set_new_password_challenge(CHOSEN)["AuthenticationResult"]


class FakePool:
    def __init__(self) -> None:
        self.inviter = MemoryUserInviter()

    def sent(self, email: str) -> int:
        return self.inviter.sent.count(email)

    def signed_up(self, email: str, confirmed: bool = True) -> None:
        self.inviter.signed_up(email, confirmed)

    def set_password(self, email: str) -> None:
        self.inviter.set_password(email)


@pytest.fixture(params=["memory", "cognito"])
def pool(request, invite_template):
    if request.param == "memory":
        return FakePool()
    return LocalPool(request.getfixturevalue("local_aws"), request.getfixturevalue("local_pool"),
                     invite_template["EmailSubject"])


@pytest.fixture
def email():
    return f"invitee-{uuid.uuid4().hex[:10]}@example.test"


# -- the contract -------------------------------------------------------------------------


def test_a_new_address_is_emailed_an_invitation(pool, email):
    assert pool.inviter.invite(email) is True
    assert pool.sent(email) == 1


def test_an_address_that_signed_up_is_sent_nothing(pool, email):
    pool.signed_up(email)
    assert pool.inviter.invite(email) is False
    assert pool.sent(email) == 0


def test_an_address_whose_sign_up_is_unconfirmed_is_sent_nothing(pool, email):
    pool.signed_up(email, confirmed=False)
    assert pool.inviter.invite(email) is False
    assert pool.sent(email) == 0


def test_an_invitee_who_has_not_set_a_password_is_emailed_a_fresh_one(pool, email):
    assert pool.inviter.invite(email) is True
    assert pool.inviter.invite(email) is True
    assert pool.sent(email) == 2


def test_an_invitee_who_set_their_password_is_sent_nothing_more(pool, email):
    pool.inviter.invite(email)
    pool.set_password(email)
    assert pool.inviter.invite(email) is False
    assert pool.sent(email) == 1


# -- what Cognito does with it ------------------------------------------------------------


@pytest.fixture
def cognito_pool(local_aws, local_pool, invite_template):
    return LocalPool(local_aws, local_pool, invite_template["EmailSubject"])


def test_the_invitation_is_the_templates_and_its_password_opens_the_new_password_challenge(
        cognito_pool, local_pool, invite_template, email):
    assert cognito_pool.inviter.invite(email)
    message = cognito_pool.invitation(email)
    temporary = message["code"]
    assert message["body"] == invite_template["EmailMessage"].replace("{username}", email).replace(
        "{####}", temporary)
    user = cognito_pool.idp.admin_get_user(UserPoolId=local_pool.pool_id, Username=email)
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert {a["Name"]: a["Value"] for a in user["UserAttributes"]}["email_verified"] == "true"

    with pytest.raises(ForceChangePasswordException):
        cognito_pool.srp(email, temporary).authenticate_user()
    tokens = cognito_pool.set_password(email)
    claims = jwt.decode(tokens["IdToken"], options={"verify_signature": False})
    # The address counts as verified: the first GET /v1/me takes the invitations to it.
    assert claims["email"] == email and claims["email_verified"] is True
    assert cognito_pool.srp(email, CHOSEN).authenticate_user()["AuthenticationResult"]["IdToken"]


def test_a_fresh_temporary_password_replaces_the_first(cognito_pool, email):
    cognito_pool.inviter.invite(email)
    first = cognito_pool.invitation(email, 1)["code"]
    cognito_pool.inviter.invite(email)
    second = cognito_pool.invitation(email, 2)["code"]
    if first != second:
        with pytest.raises(ClientError) as refused:
            cognito_pool.srp(email, first).authenticate_user()
        assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"
    with pytest.raises(ForceChangePasswordException):
        cognito_pool.srp(email, second).authenticate_user()


def _stubbed(error_code: str) -> CognitoUserInviter:
    client = boto3.client("cognito-idp", region_name="us-east-1", aws_access_key_id="none",
                          aws_secret_access_key="none")
    stubber = Stubber(client)
    stubber.add_client_error("admin_create_user", service_error_code=error_code, http_status_code=400)
    stubber.activate()
    return CognitoUserInviter("us-east-1_pool", client=client)


def test_an_email_cognito_cannot_send_now_is_unavailable_and_a_refusal_is_not():
    with pytest.raises(Unavailable) as later:
        _stubbed("LimitExceededException").invite("someone@example.test")
    assert later.value.code == "invitation_not_sent"
    # A missing grant or a pool that is gone: no retry mends it, so it stays an error.
    with pytest.raises(ClientError):
        _stubbed("AccessDeniedException").invite("someone@example.test")
