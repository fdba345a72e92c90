"""A visitor texts the tracking number they saw: the carrier posts it to the SmsUrl set at
purchase, and the site's alert contact gets it at once, from that number, with the
visit's source, so the business can answer on the same line."""
import urllib.error
import urllib.parse
import urllib.request

import pytest

from devstack.demo import DEMO_ALERT_CONTACT
from tests.support.calls import http, open_around_the_clock

pytestmark = pytest.mark.e2e

VISITOR = "+14155550066"


def messages_to(stack, number):
    return http("GET", f"{stack.carrier_url}/_carrier/messages?to={urllib.parse.quote(number)}")[1]


def test_a_text_to_a_pool_number_reaches_the_alert_contact_with_the_visits_campaign(stack):
    open_around_the_clock(stack)
    status, offer = http("POST", f"{stack.url}/v1/sessions", {
        "siteKey": stack.site_key, "clientId": "texting-visitor-01",
        "page": f"{stack.site_url}/?utm_source=google&utm_medium=cpc&utm_campaign=sunday-openings",
    }, {"Origin": stack.site_url})
    assert status == 200, offer
    number = offer["numbers"][0]["number"]

    status, exchange = http("POST", f"{stack.carrier_url}/_carrier/inbound_sms",
                            {"from": VISITOR, "to": number, "body": "Are you open on Sunday?"})
    assert status == 201, exchange
    # The carrier called the number's SmsUrl, set when the demo bought it, and we answered
    # with no automatic reply to the visitor.
    assert exchange["url"] == f"{stack.url}/v1/carrier/sms" and exchange["status"] == 200, exchange
    assert messages_to(stack, VISITOR) == []

    [forwarded] = [m for m in messages_to(stack, DEMO_ALERT_CONTACT) if VISITOR in m["body"]]
    assert forwarded["from"] == number
    assert "google" in forwarded["body"] and "sunday-openings" in forwarded["body"]
    assert "Are you open on Sunday?" in forwarded["body"]


def test_a_text_the_carrier_posts_twice_is_forwarded_once(stack):
    status, exchange = http("POST", f"{stack.carrier_url}/_carrier/inbound_sms",
                            {"from": "+14155550067", "to": "+14155550150", "body": "Quote for a boiler?"})
    assert status == 201 and exchange["status"] == 200, exchange
    # The same signed request again, as a carrier's retry would send it.
    again = urllib.request.Request(exchange["url"], data=urllib.parse.urlencode(exchange["params"]).encode(),
                                   method="POST", headers=exchange["headers"])
    with urllib.request.urlopen(again, timeout=30) as answer:
        assert answer.status == 200
    texts = [m for m in messages_to(stack, DEMO_ALERT_CONTACT) if "+14155550067" in m["body"]]
    # Sent to the static number (the Yelp channel): forwarded once, from that number.
    assert len(texts) == 1 and texts[0]["from"] == "+14155550150" and "yelp" in texts[0]["body"].lower(), texts


def test_a_text_that_is_not_signed_by_the_numbers_account_is_refused(stack):
    request = urllib.request.Request(f"{stack.url}/v1/carrier/sms", method="POST", data=urllib.parse.urlencode({
        "MessageSid": "SM" + "0" * 32, "From": VISITOR, "To": "+14155550150", "Body": "spoofed"}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "forged"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code in (401, 403)
