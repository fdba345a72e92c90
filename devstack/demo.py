"""The demo tenant of the local stack, set up the way a customer sets theirs up: over HTTP,
through the public API, with nothing written to a table by us.

A business signs up in the user pool (the code comes to the local mailbox, as an e-mail
would), confirms, signs in with SRP as the dashboard does, and its first request opens its
tenant. It then names the account, adds its site, buys a static number and a pool of
numbers from the carrier (which rings each number's voice URL, set at purchase), and sets
up routing, the callback widget and who is texted about missed calls. Each step is one
documented API call, so the demo shows what a customer's own code can do.
"""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

# 555-0100..0199 numbers are reserved for fiction: nobody real is ever dialled. The
# carrier's inventory (devstack/carrier/inventory.py) sells them.
DEMO_OWN_NUMBER = "+1 415-555-0100"
DEMO_POOL_NUMBERS = [f"+1415555{n:04d}" for n in range(101, 111)]
# The demo's static tracking number, for visitors from Yelp; the callback legs call from it
# and alert texts go from it (the site's own number above is the company's, which the
# carrier would refuse as a caller ID or sender).
DEMO_STATIC_NUMBER = "+14155550150"
DEMO_DESTINATION = "+14155550199"  # the demo company's operator
DEMO_ALERT_CONTACT = "+14155550198"
DEMO_EMAIL = "demo@ringback.local"
DEMO_PASSWORD = "Demo-Passw0rd-2026"
# A busy machine may take a while to start the functions' processes.
STEP_SECONDS = 60


@dataclass(frozen=True)
class DemoTenant:
    tenant_id: str
    site_id: str
    site_key: str
    pool_id: str
    pool_size: int
    static_number: str


class DemoSetupFailed(RuntimeError):
    pass


class Api:
    """The public API as a customer's code calls it: JSON, a bearer token, ETags."""

    def __init__(self, base_url: str, token: str) -> None:
        self._base, self._token = base_url.rstrip("/"), token

    def call(self, method: str, path: str, body: Any = None, if_match: str | None = None,
             expect: tuple[int, ...] = (200, 201, 202, 204)) -> tuple[Any, str | None]:
        headers = {"Authorization": self._token, "Content-Type": "application/json"}
        if if_match:
            headers["If-Match"] = if_match
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self._base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=STEP_SECONDS) as answer:
                raw, status, etag = answer.read(), answer.status, answer.headers.get("ETag")
        except urllib.error.HTTPError as error:
            raw, status, etag = error.read(), error.code, None
        parsed = json.loads(raw) if raw else None
        if status not in expect:
            raise DemoSetupFailed(f"{method} {path} answered {status}: {parsed}")
        return parsed, etag


def sign_up(moto_url: str, client_id: str, email: str, password: str) -> None:
    """Self sign-up as the dashboard's sign-up page does it: unsigned calls to Cognito."""
    import boto3

    from devstack import aws

    idp = boto3.client("cognito-idp", endpoint_url=moto_url, region_name=aws.REGION,
                       aws_access_key_id="none", aws_secret_access_key="none")
    idp.sign_up(ClientId=client_id, Username=email, Password=password,
                UserAttributes=[{"Name": "email", "Value": email}])
    idp.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode=_code_sent_to(moto_url, email))


def _code_sent_to(moto_url: str, email: str) -> str:
    deadline = time.monotonic() + STEP_SECONDS
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{moto_url}/_local/mailbox?to={quote(email)}", timeout=10) as answer:
            messages = json.loads(answer.read())
        if messages and messages[-1].get("code"):
            return messages[-1]["code"]
        time.sleep(0.1)
    raise DemoSetupFailed(f"no confirmation code reached {email}")


def set_up(api: Api) -> DemoTenant:
    """Every step of a customer's setup, in the order the product asks for it: numbers
    before what calls or texts from them."""
    me, _ = api.call("GET", "/v1/me")
    [membership] = me["memberships"]
    account, etag = api.call("GET", "/v1/account")
    api.call("PATCH", "/v1/account", {"name": "Demo Plumbing Co"}, if_match=etag)

    site, etag = api.call("POST", "/v1/sites", {
        "name": "demo plumbing site", "domains": ["localhost"], "ownNumbers": [DEMO_OWN_NUMBER],
        "country": "US", "timezone": "America/Los_Angeles",
        # Open around the clock, so a person trying the phone page reaches the operator
        # at any hour; off-hours handling is covered by the tests.
        "workingHours": {}})
    site_id = site["siteId"]
    api.call("POST", f"/v1/sites/{site_id}/numbers",
             {"number": DEMO_STATIC_NUMBER, "channel": {"referrer_domain": "yelp.com"}})
    pool, _ = api.call("POST", f"/v1/sites/{site_id}/pools", {
        "name": "paid search", "rule": {"utm_medium": ["cpc", "ppc"]},
        "numbers": {"numbers": DEMO_POOL_NUMBERS}})

    _, etag = api.call("GET", f"/v1/sites/{site_id}/routing")
    _, etag = api.call("PUT", f"/v1/sites/{site_id}/routing", {
        "destinations": [DEMO_DESTINATION], "strategy": "all_at_once", "ringSeconds": 20,
        "whisper": {"enabled": True}, "recording": {"enabled": True},
        "voicemail": {"enabled": True}, "offHours": {"action": "voicemail"}}, if_match=etag)
    _, etag = api.call("PUT", f"/v1/sites/{site_id}/alert-contacts",
                       {"contacts": [{"number": DEMO_ALERT_CONTACT}]}, if_match=etag)
    # The callback widget opens after 15 s on a page or on exit intent; the operator is
    # rung first, then the visitor, both from the static number.
    _, etag = api.call("PUT", f"/v1/sites/{site_id}/widget", {
        "locale": "en",
        "triggers": {"secondsOnPage": 15, "exitIntent": True, "cooldownHours": 24},
        "theme": {"color": "#0b6bcb", "position": "right"}}, if_match=etag)
    api.call("PUT", f"/v1/sites/{site_id}/callbacks", {
        "enabled": True, "operators": [DEMO_DESTINATION], "countries": ["US"], "callerId": DEMO_STATIC_NUMBER},
        if_match=etag)
    return DemoTenant(membership["tenantId"], site_id, site["siteKey"], pool["poolId"], len(DEMO_POOL_NUMBERS),
                      DEMO_STATIC_NUMBER)


def create_demo(api_url: str, moto_url: str, client_id: str, sign_in) -> DemoTenant:
    """`sign_in(email, password)` gives an ID token (SRP against the stack's pool)."""
    sign_up(moto_url, client_id, DEMO_EMAIL, DEMO_PASSWORD)
    return set_up(Api(api_url, sign_in(DEMO_EMAIL, DEMO_PASSWORD)))
