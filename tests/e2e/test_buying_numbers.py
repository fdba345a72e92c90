"""A new tenant buys a tracking number through the API, over HTTP on the local stack: the
number lands in a carrier subaccount of the tenant's own, rings our voice webhook, and a
visitor's call to it passes the signature check under that subaccount's token, is
forwarded to the site, and is the tenant's call."""
import urllib.parse

import pytest

from devstack import aws
from devstack.carrier import client
from tests.support.accounts import call, new_user_token
from tests.support.calls import call_item, http, place_call, wait_for_hook

pytestmark = pytest.mark.e2e

DESTINATION = "+14155550188"
VISITOR = "+14155550044"


def test_a_new_tenant_buys_a_number_in_its_own_subaccount_and_its_calls_reach_the_site(stack):
    token = new_user_token(stack, "owner@bought-numbers.example")
    status, me = call(stack, "GET", "/v1/me", token)
    assert status == 200, me
    tenant_id = me["memberships"][0]["tenantId"]
    status, site = call(stack, "POST", "/v1/sites", token, {
        "name": "Bay Plumbing", "domains": ["bay-plumbing.example"], "destinationNumbers": [DESTINATION]})
    assert status == 201, site

    status, found = call(stack, "GET", "/v1/numbers/available?country=US&kind=local&areaCode=415", token)
    assert status == 200, found
    offer = found["numbers"][0]
    assert offer["number"].startswith("+1415") and offer["capabilities"]["voice"]
    status, bought = call(stack, "POST", f"/v1/sites/{site['siteId']}/numbers", token,
                          {"number": offer["number"], "channel": {"utm_source": ["google"]}})
    assert status == 201, bought

    # The carrier's side: the number is in a subaccount of ours, set to ring our webhook.
    main = client(stack.carrier_port, aws.CARRIER_ACCOUNT_SID, aws.CARRIER_AUTH_TOKEN)
    assert offer["number"] not in [n.phone_number for n in main.incoming_phone_numbers.list()]
    owners = [a for a in main.api.v2010.accounts.list() if a.sid != aws.CARRIER_ACCOUNT_SID
              and offer["number"] in [n.phone_number for n in main.api.v2010.accounts(a.sid)
                                      .incoming_phone_numbers.list()]]
    assert len(owners) == 1 and owners[0].owner_account_sid == aws.CARRIER_ACCOUNT_SID
    [owned] = main.api.v2010.accounts(owners[0].sid).incoming_phone_numbers.list(phone_number=offer["number"])
    assert owned.voice_url == f"{stack.url}/v1/carrier/voice"
    assert owned.status_callback == f"{stack.url}/v1/carrier/call-status"

    http("POST", f"{stack.carrier_url}/_carrier/script",
         {"number": DESTINATION, "party": {"answer_after": 1, "talk_for": 2}})
    sid = place_call(stack, VISITOR, offer["number"])

    voice = wait_for_hook(stack, "/v1/carrier/voice", sid)
    assert voice["status"] == 200, voice
    assert voice["params"]["AccountSid"] == owners[0].sid  # signed with the subaccount's token
    assert "<Dial" in voice["body"] and DESTINATION in voice["body"]  # forwarded to the site
    dialled = wait_for_hook(stack, "/v1/carrier/dial-complete", sid)
    assert dialled["status"] == 200, dialled
    item = call_item(stack, sid)
    assert item["tenant_id"]["S"] == tenant_id and item["site_id"]["S"] == site["siteId"]
    assert item["status"]["S"] == "answered"

    # Released: the carrier has it back and the site no longer tracks it.
    path = f"/v1/sites/{site['siteId']}/numbers/{urllib.parse.quote(offer['number'])}"
    assert call(stack, "DELETE", path, token)[0] == 204
    assert main.api.v2010.accounts(owners[0].sid).incoming_phone_numbers.list() == []
    status, audit = call(stack, "GET", "/v1/audit", token)
    assert {"number.bought", "number.released"} <= {e["action"] for e in audit["entries"]}
