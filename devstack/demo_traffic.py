"""The demo tenant's first traffic, so the dashboard of `make dev` opens on calls and
callbacks instead of an empty page.

Nothing is written to a table: the traffic reaches the product as production's does.
Visitors open the demo site with UTM tags (POST /v1/sessions, what the swap script sends
from the site's origin), some tap a tracking number (the click beacon, then the tel: link
with its code), and call it through the local carrier (/_carrier/inbound, as a phone
would): the operator answers some, recorded, and is busy for others, who leave a
voicemail or hang up. Two visitors ask for a callback through the widget's endpoint
(POST /v1/callbacks): one is reached, the other's phone is out of service.

The operator's phone is one number, scripted at the carrier for all its calls at once, so
the traffic runs in two phases (the operator answers, then is busy) and gives the phone
back as it was (the phone page's person, or the scripted operator) when it is done.
"""
from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from devstack.demo import DEMO_DESTINATION, Api

# Callers and callback visitors: 555-01xx numbers are reserved for fiction. The callback
# visitors are in Idaho (208), whose numbers span two time zones: the product then keeps
# to the site's hours alone (open around the clock), so the demo's callbacks connect at
# any hour, where a visitor in one zone is called only from 09:00 to 21:00 there.
CALLBACK_REACHED = "+12085550142"
CALLBACK_UNREACHABLE = "+12085550143"
# The operator, in the first phase: answers, and stays on until the other side hangs up
# (a caller after TALK_SECONDS, a callback's visitor after theirs); in the second, busy.
ANSWERS = {"answer_after": 2, "talk_for": 120}
BUSY = {"outcome": "busy"}
# A caller's time on the line, from dialling: the code prompt, the ring, the whisper, a talk.
TALK_SECONDS = 25
# How long the traffic may take on a busy machine before it is reported as it stands.
SETTLE_SECONDS = 240


@dataclass(frozen=True)
class Visit:
    client_id: str
    page: str  # path and query on the demo site
    referrer: str = ""


@dataclass(frozen=True)
class Call:
    visit: Visit
    caller: str
    tap: bool = False         # taps the number: its code is dialled after it (tel:...,,code)
    voicemail: bool = False   # when nobody answers, leaves a message
    to_static: bool = False   # the number shown is the static one (a visitor from Yelp)


ANSWERED = (
    Call(Visit("demo-visitor-0001", "/?utm_source=google&utm_medium=cpc&utm_campaign=spring-sale&utm_term=burst+pipe",
               "https://www.google.com/"), "+13125550161", tap=True),
    Call(Visit("demo-visitor-0002", "/?utm_source=bing&utm_medium=ppc&utm_campaign=emergency&utm_term=leak+repair",
               "https://www.bing.com/"), "+16175550162"),
    Call(Visit("demo-visitor-0003", "/", "https://www.yelp.com/biz/demo-plumbing-co"), "+14085550163",
         to_static=True),
)
MISSED = (
    Call(Visit("demo-visitor-0004", "/?utm_source=google&utm_medium=cpc&utm_campaign=drain-cleaning",
               "https://www.google.com/"), "+17735550164", voicemail=True),
    Call(Visit("demo-visitor-0005", "/", "https://www.yelp.com/biz/demo-plumbing-co"), "+15035550165",
         to_static=True),
)
# A visit that calls nobody: a social post (no rule: the site's own number is shown).
BROWSING = (
    Visit("demo-visitor-0006", "/?utm_source=facebook&utm_medium=social&utm_campaign=spring",
          "https://m.facebook.com/"),
)
# Callbacks asked for from the widget: a visitor from an organic search is reached and
# talks; a newsletter reader's phone is out of service, so the request is missed at once.
CALLBACKS = (
    (Visit("demo-visitor-0007", "/pricing", "https://www.google.com/"), CALLBACK_REACHED, {"answer_after": 3,
                                                                                          "talk_for": 12}),
    (Visit("demo-visitor-0008", "/?utm_source=newsletter&utm_medium=email&utm_campaign=april", ""),
     CALLBACK_UNREACHABLE, {"outcome": "failed"}),
)


class DemoTrafficFailed(RuntimeError):
    pass


class DemoTraffic:
    def __init__(self, api_url: str, site_url: str, carrier_url: str, site_key: str, static_number: str,
                 sign_in: Callable[[], str], operator: dict, stop: threading.Event | None = None) -> None:
        self._api, self._site, self._carrier = api_url.rstrip("/"), site_url.rstrip("/"), carrier_url.rstrip("/")
        self._key, self._static, self._sign_in = site_key, static_number, sign_in
        self._operator, self._stop = operator, stop or threading.Event()
        self._id_token: str | None = None

    def run(self) -> dict[str, Any]:
        """Place it all and wait until the dashboard's API shows it: what it shows, counted."""
        for visit in BROWSING:
            self._visit(visit)
        try:
            self._script(DEMO_DESTINATION, ANSWERS)
            calls = [self._call(call) for call in ANSWERED]
            requests = [self._callback(*request) for request in CALLBACKS]
            self._until_ended(calls, requests)
            self._script(DEMO_DESTINATION, BUSY)
            missed = [self._call(call) for call in MISSED]
            self._until_ended(missed, [])
        finally:
            self._script(DEMO_DESTINATION, self._operator)
        return self._summary(calls + missed, requests)

    # -- what a visitor's browser and phone do ---------------------------------------------

    def _visit(self, visit: Visit) -> dict:
        return self._public("POST", "/v1/sessions", {
            "siteKey": self._key, "clientId": visit.client_id, "sessionId": None, "page": self._site + visit.page,
            "referrer": visit.referrer, "returning": False, "lang": "en"})

    def _call(self, call: Call) -> str:
        offer = self._visit(call.visit)
        shown = next((n for n in offer["numbers"] if n["number"] != n["original"]), None)
        if shown is None:
            raise DemoTrafficFailed(f"no tracking number was shown to {call.visit.page}: {offer}")
        if call.to_static and shown["number"] != self._static:
            raise DemoTrafficFailed(f"a visitor from Yelp was shown {shown['number']}, not {self._static}")
        to = shown["number"]
        if call.tap:
            self._public("POST", f"/v1/sessions/{offer['sessionId']}/clicks",
                         {"siteKey": self._key, "clientId": call.visit.client_id, "number": to})
            to += f",,{shown['extension']}" if shown.get("extension") else ""
        # Answered, the caller hangs up after a talk; missed, the call ends with the voicemail.
        self._script(call.caller, {"answer_after": 0, "talk_for": None if call in MISSED else TALK_SECONDS,
                                   "speaks_for": 4 if call.voicemail else 0})
        placed = _http("POST", f"{self._carrier}/_carrier/inbound", {"from": call.caller, "to": to})
        return f"tw:{placed['sid']}"

    def _callback(self, visit: Visit, phone: str, visitor_phone: dict) -> str:
        offer = self._visit(visit)
        self._script(phone, visitor_phone)
        accepted = self._public("POST", "/v1/callbacks", {
            "siteKey": self._key, "phone": phone, "country": "US", "sessionId": offer["sessionId"],
            "page": self._site + visit.page, "locale": "en"})
        return accepted["requestId"]

    def _script(self, number: str, party: dict) -> None:
        _http("POST", f"{self._carrier}/_carrier/script", {"number": number, "party": party})

    def _public(self, method: str, path: str, body: dict) -> Any:
        return _http(method, self._api + path, body, {"Origin": self._site})

    # -- what the dashboard reads ----------------------------------------------------------

    def _until_ended(self, call_ids: list[str], request_ids: list[str]) -> None:
        """Until every call has ended (the carrier's final status is on its record) and
        every callback request is final, as GET /v1/calls and /v1/callback-requests show."""
        deadline = time.monotonic() + SETTLE_SECONDS
        while not self._stop.is_set():
            calls, callbacks = self._dashboard()
            ended = all(calls.get(c, {}).get("carrier_status") for c in call_ids)
            final = all(callbacks.get(r, {}).get("status") in ("completed", "missed", "failed") for r in request_ids)
            if ended and final:
                return
            if time.monotonic() > deadline:
                raise DemoTrafficFailed(f"the demo traffic did not settle in {SETTLE_SECONDS} s")
            self._stop.wait(0.5)
        raise DemoTrafficFailed("the stack is stopping")

    def _dashboard(self) -> tuple[dict[str, dict], dict[str, dict]]:
        api = Api(self._api, self._token())
        calls, _ = api.call("GET", "/v1/calls?limit=100")
        callbacks, _ = api.call("GET", "/v1/callback-requests?limit=100")
        return ({c["call_id"]: c for c in calls["calls"]},
                {r["request_id"]: r for r in callbacks["callbacks"]})

    def _token(self) -> str:
        if self._id_token is None:
            self._id_token = self._sign_in()
        return self._id_token

    def _summary(self, call_ids: list[str], request_ids: list[str]) -> dict[str, Any]:
        # Recordings land a moment after their call ends (the carrier's recording callback).
        deadline = time.monotonic() + 30
        while True:
            calls, callbacks = self._dashboard()
            ours = [calls[c] for c in call_ids if c in calls]
            answered = [c for c in ours if c["status"] == "answered"]
            if all(c["recordings"] for c in answered) or time.monotonic() > deadline or self._stop.is_set():
                break
            self._stop.wait(0.5)
        statuses = [callbacks[r]["status"] for r in request_ids if r in callbacks]
        return {"calls": len(ours), "answered": len(answered), "missed": len(ours) - len(answered),
                "recorded": sum(1 for c in answered if c["recordings"]),
                "voicemails": sum(1 for c in ours if c not in answered and c["recordings"]),
                "callbacks": len(statuses), "callbacks_completed": statuses.count("completed"),
                "callbacks_missed": statuses.count("missed")}


def describe(summary: dict[str, Any]) -> str:
    return (f"{summary['calls']} calls ({summary['answered']} answered, {summary['recorded']} recorded;"
            f" {summary['missed']} missed, {summary['voicemails']} with a voicemail)"
            f" and {summary['callbacks']} callbacks"
            f" ({summary['callbacks_completed']} connected, {summary['callbacks_missed']} missed)")


def _http(method: str, url: str, body: Any = None, headers: dict | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            raw = answer.read()
    except urllib.error.HTTPError as error:
        raise DemoTrafficFailed(f"{method} {url} answered {error.code}: {error.read()[:300]!r}") from None
    return json.loads(raw) if raw else None
