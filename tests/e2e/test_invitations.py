"""An invitation reaches the invitee by e-mail, over HTTP against the local stack: the
pool function makes them a user of the dashboard's pool with its own role's grant
(AdminCreateUser on that pool; the stack fails the module on any IAM denial), Cognito
mails them a temporary password (the local mailbox), and their first sign-in, after they
choose their own password, joins them to the inviting tenant. An address that has an
account already is sent nothing and joins at its next sign-in."""
import json
import urllib.parse
import urllib.request

import pytest
from pycognito.aws_srp import AWSSRP
from pycognito.exceptions import ForceChangePasswordException

from devstack import aws
from tests.support.accounts import (
    PASSWORD,
    accept_invitation,
    call,
    code_sent_to,
    cognito,
    sign_up,
    stack_settings,
    user_pool,
)
from tests.support.stack import REQUEST_SECONDS

pytestmark = pytest.mark.e2e


def mailbox(stack, email: str) -> list[dict]:
    query = urllib.parse.urlencode({"to": email})
    with urllib.request.urlopen(f"{stack.moto_url}/_local/mailbox?{query}", timeout=REQUEST_SECONDS) as answer:
        return json.loads(answer.read())


def invited(stack, token: str, email: str, role: str) -> dict:
    status, invitation = call(stack, "POST", "/v1/invitations", token, {"email": email, "role": role})
    assert status == 201, invitation
    return invitation


def test_an_invitee_is_emailed_a_temporary_password_and_joins_at_first_sign_in(stack):
    owner = sign_up(stack, "owner@anna-invited.example")
    [tenant] = call(stack, "GET", "/v1/me", owner)[1]["memberships"]

    invitation = invited(stack, owner, "Anna@Anna-Invited.example", "analyst")
    assert invitation["email"] == "anna@anna-invited.example" and invitation["emailed"] is True

    temporary = code_sent_to(stack, "anna@anna-invited.example")
    [message] = mailbox(stack, "anna@anna-invited.example")
    assert "Ringback" in message["subject"]
    assert "anna@anna-invited.example" in message["body"] and temporary in message["body"]

    # The temporary password alone signs nobody in: Cognito asks for a password of her own.
    with pytest.raises(ForceChangePasswordException):
        AWSSRP(username="anna@anna-invited.example", password=temporary, pool_id=stack.user_pool_id,
               client_id=stack.client_id, client=cognito(stack)).authenticate_user()
    anna = accept_invitation(stack, "anna@anna-invited.example", "Anna-0wn-Passw0rd!")

    status, me = call(stack, "GET", "/v1/me", anna)
    assert status == 200, me
    assert me["user"]["email"] == "anna@anna-invited.example"
    assert [(m["tenantId"], m["role"]) for m in me["memberships"]] == [(tenant["tenantId"], "analyst")]
    # Her own password is hers from now on.
    again = aws.sign_in(stack_settings(stack), user_pool(stack), "anna@anna-invited.example", "Anna-0wn-Passw0rd!")
    assert call(stack, "GET", "/v1/me", again)[1]["memberships"] == me["memberships"]

    status, audit = call(stack, "GET", "/v1/audit", owner)
    assert status == 200, audit
    created = next(e for e in audit["entries"] if e["action"] == "invitation.created")
    assert created["after"]["emailed"] is True
    assert "member.joined" in {e["action"] for e in audit["entries"]}


def test_an_address_that_has_an_account_is_sent_nothing_and_joins_at_its_next_sign_in(stack):
    owner = sign_up(stack, "owner@bob-invited.example")
    [tenant] = call(stack, "GET", "/v1/me", owner)[1]["memberships"]
    bob = sign_up(stack, "bob@elsewhere-bob.example")
    [own] = call(stack, "GET", "/v1/me", bob)[1]["memberships"]
    mail_before = mailbox(stack, "bob@elsewhere-bob.example")

    invitation = invited(stack, owner, "bob@elsewhere-bob.example", "admin")
    assert invitation["emailed"] is False
    assert mailbox(stack, "bob@elsewhere-bob.example") == mail_before

    bob = aws.sign_in(stack_settings(stack), user_pool(stack), "bob@elsewhere-bob.example", PASSWORD)
    status, me = call(stack, "GET", "/v1/me", bob)
    assert status == 200, me
    assert {(m["tenantId"], m["role"]) for m in me["memberships"]} == {
        (own["tenantId"], "owner"), (tenant["tenantId"], "admin")}


def test_an_unconfirmed_sign_up_is_sent_nothing_and_joins_once_confirmed(stack):
    owner = sign_up(stack, "owner@cleo-invited.example")
    [tenant] = call(stack, "GET", "/v1/me", owner)[1]["memberships"]
    idp = cognito(stack)
    idp.sign_up(ClientId=stack.client_id, Username="cleo@cleo-invited.example", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "cleo@cleo-invited.example"}])
    code = code_sent_to(stack, "cleo@cleo-invited.example")

    assert invited(stack, owner, "cleo@cleo-invited.example", "billing")["emailed"] is False
    assert len(mailbox(stack, "cleo@cleo-invited.example")) == 1  # her sign-up code, nothing more

    idp.confirm_sign_up(ClientId=stack.client_id, Username="cleo@cleo-invited.example", ConfirmationCode=code)
    cleo = aws.sign_in(stack_settings(stack), user_pool(stack), "cleo@cleo-invited.example", PASSWORD)
    memberships = call(stack, "GET", "/v1/me", cleo)[1]["memberships"]
    assert [(m["tenantId"], m["role"]) for m in memberships] == [(tenant["tenantId"], "billing")]
