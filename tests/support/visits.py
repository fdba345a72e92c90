"""A visitor on the demo site, for end-to-end tests: the site open at every hour, and the
tracking number a visit from a Google ad is shown."""
import pytest

from tests.support.calls import http, open_around_the_clock

GOOGLE_AD = "utm_source=google&utm_medium=cpc"


@pytest.fixture(scope="module")
def open_site(stack):
    """The stack, its demo site open at every hour; a test module imports it to use it."""
    open_around_the_clock(stack)
    return stack


def shown_number(stack, client_id, campaign=GOOGLE_AD):
    """The tracking number the visitor `client_id`, arriving from Google with the
    `campaign` query on the landing page, is shown."""
    status, offer = http("POST", f"{stack.url}/v1/sessions", {
        "siteKey": stack.site_key, "clientId": client_id,
        "page": f"{stack.site_url}/?{campaign}", "referrer": "https://www.google.com/",
    }, {"Origin": stack.site_url})
    assert status == 200, offer
    return offer["numbers"][0]["number"]
