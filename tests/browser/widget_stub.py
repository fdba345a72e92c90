"""A stubbed Ringback API for the callback widget's browser tests: context.route() answers
GET /v1/sites/{key}/config, POST /v1/callbacks and GET /v1/callbacks/{id}, serves the built
widget at /v1/widget.js and under its hashed name (/scripts/widget.<hash>.js, where the swap
script loads it, as the edge serves it), and a customer's pages under /shop/ on the static
site's origin.

Routes are set on the browser context, so every tab of one visitor (one context) sees them.
"""
from __future__ import annotations

import copy
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

SITE_KEY = "pk_test"
CONFIG = re.compile(r"/v1/sites/([^/?]+)/config(\?.*)?$")
CALLBACKS = re.compile(r"/v1/callbacks(?:/([^/?]+))?(?:\?(.*))?$")
SHOP = re.compile(r"^http://127\.0\.0\.1:\d+/shop/")
CORS = {"Access-Control-Allow-Origin": "*"}

COUNTRIES = [
    {"code": "US", "dial": "1", "lengths": [10], "example": "2015550123"},
    {"code": "CA", "dial": "1", "lengths": [10], "example": "5062345678"},
    {"code": "RU", "dial": "7", "lengths": [10], "example": "9123456789"},
]


def default_callback() -> dict:
    """A site whose widget is on, in English, with every automatic trigger off."""
    return {
        "enabled": True,
        "locale": "en",
        "theme": {"color": "#0a7cff", "position": "right", "texts": {}},
        "triggers": {"secondsOnPage": 0, "inactivitySeconds": 0, "scrollPercent": 0, "pagesViewed": 0,
                     "exitIntent": False, "cooldownHours": 0},
        "targeting": {"paths": [], "excludePaths": [], "utm": {}, "referrers": [], "countries": []},
        "viewerCountry": "US",
        "open": True,
        "nextOpening": None,
        "nextOpeningLocal": None,
        "slots": [],
        "countries": copy.deepcopy(COUNTRIES),
        "defaultCountry": "US",
    }


# A customer's page: the snippet, a long body to scroll, and host styles the widget must
# neither take nor change.
PAGE = """<!doctype html>
<html lang="%(lang)s">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Shop</title>
  <script src="/v1/swap.js" data-site-key="pk_test"></script>
  <style>
    body { margin: 0; font: 14px Georgia, serif; color: rgb(10, 20, 30); }
    button { background: rgb(255, 0, 0); text-transform: uppercase; padding: 30px; border: 3px dashed green; }
    input { width: 50px; border: 4px solid blue; }
    p, h2 { margin: 40px; color: rgb(0, 128, 0); }
    div { position: relative; }
    #tall { height: 3000px; }
  </style>
</head>
<body>
  <h2 id="host-heading">Pricing</h2>
  <p id="host-text">Call (415) 555-0100 any time.</p>
  <button id="host-button" type="button">Buy</button>
  <input id="host-input" name="q">
  <div id="tall"></div>
  <p id="bottom">The end</p>
</body>
</html>
"""


@dataclass
class Posted:
    body: dict
    headers: dict
    at: float = field(default_factory=time.monotonic)

    @property
    def key(self) -> str | None:
        return self.headers.get("idempotency-key")


class WidgetApi:
    """callback: the config's `callback` block (None: a site without one).
    post_answers: what each POST /v1/callbacks gets, in turn ("network" fails the
    connection, (status, json) answers); after the list runs out, 202 accepted.
    statuses: what each poll answers, in turn; the last one repeats."""

    def __init__(self, context, origin: str, widget_script: Path, callback: dict | None = None):
        self.origin = origin
        self.widget_script = widget_script
        self.callback = default_callback() if callback is None else callback
        self.config_mode = "ok"   # ok | error | down
        self.post_answers: list = []
        self.statuses: list[dict] = [{"status": "accepted"}]
        self.posts: list[Posted] = []
        self.polls: list[str] = []
        self.config_requests = 0
        context.route("**/v1/widget.js", self._script)
        context.route("**/scripts/widget.*.js", self._script)
        context.route(CONFIG, self._config)
        context.route(CALLBACKS, self._callbacks)
        context.route(SHOP, self._page)

    # -- what the test sets --

    def triggers(self, **values):
        self.callback["triggers"].update(values)

    def targeting(self, **values):
        self.callback["targeting"].update(values)

    def url(self, path: str = "/shop/pricing") -> str:
        return self.origin + path

    # -- routes --

    def _script(self, route, request):
        route.fulfill(body=self.widget_script.read_bytes(), headers={"Content-Type": "application/javascript"})

    def _page(self, route, request):
        lang = "ru" if "lang=ru" in request.url else "en"
        route.fulfill(body=PAGE % {"lang": lang}, headers={"Content-Type": "text/html; charset=utf-8"})

    def _config(self, route, request):
        self.config_requests += 1
        if self.config_mode == "down":
            return route.abort("connectionrefused")
        if self.config_mode == "error":
            return route.fulfill(status=503, headers=CORS, json={"error": {"code": "unavailable", "message": "down"}})
        config = {"siteKey": SITE_KEY, "name": "Demo Plumbing", "country": "US", "timezone": "America/Los_Angeles"}
        if self.callback is not False:
            config["callback"] = self.callback
        return route.fulfill(headers=CORS, json=config)

    def _callbacks(self, route, request):
        match = CALLBACKS.search(request.url)
        if request.method == "POST":
            self.posts.append(Posted(json.loads(request.post_data or "{}"), request.headers))
            answer = self.post_answers.pop(0) if self.post_answers else None
            if answer == "network":
                return route.abort("failed")
            if answer is not None:
                status, body = answer
                return route.fulfill(status=status, headers=CORS, json=body)
            return route.fulfill(status=202, headers=CORS, json={
                "requestId": "cb_1", "status": "accepted", "scheduledFor": None, "merged": False})
        self.polls.append(request.url)
        answer = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        if answer == "network":
            return route.abort("failed")
        body = {"requestId": match.group(1), "scheduledFor": None, "retryAt": None, "attempt": 1,
                "updatedAt": int(time.time() * 1000)}
        body.update(answer)
        return route.fulfill(headers=CORS, json=body)


def error(code: str, status: int = 400) -> tuple[int, dict]:
    return status, {"error": {"code": code, "message": code.replace("_", " "), "requestId": "req_1"}}
