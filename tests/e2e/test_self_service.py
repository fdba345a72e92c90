"""A new business, as it meets the product: over HTTP against the local stack, with no
code of ours and no table writes. It signs up in the user pool (the code arrives in the
local mailbox, as an e-mail would), confirms, signs in with SRP as the dashboard does,
gets its own tenant, creates a site and reads the snippet to paste, makes an API key and
uses it, and invites a colleague who joins as an analyst."""
import json
import urllib.request

import pytest

from devstack import aws
from tests.support.accounts import PASSWORD, accept_invitation, call, cognito, sign_up, stack_settings, user_pool
from tests.support.stack import REQUEST_SECONDS, Stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("devstack"))
    yield stack
    stack.stop()


def test_a_business_signs_up_sets_up_a_site_and_gives_its_code_a_key(stack):
    token = sign_up(stack, "owner@joes-plumbing.example")

    status, me = call(stack, "GET", "/v1/me", token)
    assert status == 200, me
    [membership] = me["memberships"]
    assert membership["role"] == "owner" and me["user"]["email"] == "owner@joes-plumbing.example"
    assert call(stack, "GET", "/v1/me", token)[1]["memberships"] == [membership]  # opened once

    status, site = call(stack, "POST", "/v1/sites", token, {
        "name": "Joe's Plumbing", "domains": ["joes-plumbing.example"], "ownNumbers": ["(415) 555-0100"],
        "timezone": "America/Los_Angeles", "workingHours": {"mon": [["08:00", "18:00"]]}})
    assert status == 201, site
    status, snippet = call(stack, "GET", f"/v1/sites/{site['siteId']}/snippet", token)
    assert status == 200 and f'data-site-key="{site["siteKey"]}"' in snippet["snippet"]
    assert f'src="{stack.url}/v1/swap.js"' in snippet["snippet"]
    # The key in the snippet is live: the public config answers the site's own origin.
    request = urllib.request.Request(f"{stack.url}/v1/sites/{site['siteKey']}/config",
                                     headers={"Origin": "https://www.joes-plumbing.example"})
    with urllib.request.urlopen(request, timeout=REQUEST_SECONDS) as answer:
        assert json.loads(answer.read())["name"] == "Joe's Plumbing"

    status, key = call(stack, "POST", "/v1/api-keys", token, {"name": "CRM", "access": "read"})
    assert status == 201 and key["secret"].startswith("rbk_")
    status, listed = call(stack, "GET", "/v1/sites", f"Bearer {key['secret']}")
    assert status == 200 and [s["siteId"] for s in listed["sites"]] == [site["siteId"]]
    assert call(stack, "POST", "/v1/sites", f"Bearer {key['secret']}",
                {"name": "x", "domains": ["x.example"]})[0] == 403

    status, _ = call(stack, "POST", "/v1/invitations", token, {"email": "anna@joes-plumbing.example",
                                                               "role": "analyst"})
    assert status == 201
    # The invitation e-mailed her a temporary password; she chooses her own at first sign-in.
    colleague = accept_invitation(stack, "anna@joes-plumbing.example")
    status, her = call(stack, "GET", "/v1/me", colleague)
    assert [(m["tenantId"], m["role"]) for m in her["memberships"]] == [(membership["tenantId"], "analyst")]
    assert [s["siteId"] for s in call(stack, "GET", "/v1/sites", colleague)[1]["sites"]] == [site["siteId"]]

    status, audit = call(stack, "GET", "/v1/audit", token)
    assert status == 200
    assert {"tenant.opened", "site.created", "api_key.created", "invitation.created", "member.joined"} <= {
        e["action"] for e in audit["entries"]}


def test_a_weak_password_and_an_unconfirmed_user_are_refused(stack):
    idp = cognito(stack)
    with pytest.raises(idp.exceptions.InvalidPasswordException):
        idp.sign_up(ClientId=stack.client_id, Username="weak@example.com", Password="password",
                    UserAttributes=[{"Name": "email", "Value": "weak@example.com"}])
    idp.sign_up(ClientId=stack.client_id, Username="later@example.com", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "later@example.com"}])
    with pytest.raises(idp.exceptions.UserNotConfirmedException):
        aws.sign_in(stack_settings(stack), user_pool(stack), "later@example.com", PASSWORD)
