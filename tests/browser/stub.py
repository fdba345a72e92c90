"""A stubbed Ringback API for browser tests that need no server: page.route() answers
the swap script's requests on the page's own origin, and records them."""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field

ORIGINAL = "+14155550100"
POOL_NUMBER = "+14155550107"
NUMBERS = [
    {"original": ORIGINAL, "number": POOL_NUMBER, "extension": None, "kind": "pool"},
    {"original": "+74951234567", "number": "+74959876543", "extension": None, "kind": "pool"},
    {"original": "+442079460000", "number": "+442079460123", "extension": None, "kind": "static"},
    {"original": "+18005550100", "number": "+18005550100", "extension": "123", "kind": "static"},
    {"original": "+41446681800", "number": "+14155550109", "extension": None, "kind": "static"},
]
SESSIONS = re.compile(r"/v1/sessions(/[^/]+/(touch|clicks))?$")


@dataclass
class Call:
    kind: str  # start | touch | clicks
    body: dict
    content_type: str
    at: float = field(default_factory=time.monotonic)


class StubApi:
    """mode: "ok" answers, "down" fails the connection, "error" answers 503, "hang" never
    answers, "hang-once" never answers the first start (then as "ok"), "gone" answers
    touches with 404 (the session expired server-side)."""

    def __init__(self, page, numbers=None, touch_after_ms=600_000, lease_ms=900_000, mode="ok"):
        self.numbers = NUMBERS if numbers is None else numbers
        self.touch_after_ms = touch_after_ms
        self.lease_ms = lease_ms
        self.mode = mode
        self.calls: list[Call] = []
        self.sessions = 0
        page.route(SESSIONS, self._handle)

    def kinds(self):
        return [c.kind for c in self.calls]

    def _offer(self, session_id):
        return {
            "sessionId": session_id,
            "numbers": self.numbers,
            "expiresAt": int(time.time() * 1000) + self.lease_ms,
            "touchAfterMs": self.touch_after_ms,
        }

    def _handle(self, route, request):
        match = SESSIONS.search(request.url)
        kind = match.group(2) or "start"
        body = json.loads(request.post_data or "{}")
        self.calls.append(Call(kind, body, request.headers.get("content-type", "")))
        cors = {"Access-Control-Allow-Origin": "*"}
        if self.mode == "down":
            return route.abort("connectionrefused")
        if self.mode == "hang" or (self.mode == "hang-once" and self.kinds() == ["start"]):
            return None  # never answered: the script must give up on its own
        if self.mode == "error":
            return route.fulfill(status=503, headers=cors, json={"error": {"code": "unavailable", "message": "down"}})
        if kind == "clicks":
            return route.fulfill(status=204, headers=cors, body="")
        if kind == "touch":
            if self.mode == "gone":
                return route.fulfill(status=404, headers=cors,
                                     json={"error": {"code": "unknown_session", "message": "gone"}})
            return route.fulfill(headers=cors, json=self._offer(request.url.split("/")[-2]))
        self.sessions += 1
        return route.fulfill(headers=cors, json=self._offer(body.get("sessionId") or f"s_test{self.sessions}"))


# Runs before any of the page's scripts: at every animation frame (which comes right before
# a paint) it records which of the watched elements still show an original number, and it
# logs each call the page makes to the sessions API with what the page showed at that time.
PROBE = r"""
(() => {
  const originals = %(originals)s;
  const probe = window.__probe = { frames: 0, unswappedFrames: [], fetches: [] };
  const showsOriginal = () => {
    const watched = document.querySelectorAll(%(selector)s);
    const left = [];
    for (const el of watched) {
      const digits = el.textContent.replace(/\D/g, '');
      if (originals.some(o => digits.includes(o))) left.push(el.textContent);
    }
    return left;
  };
  probe.showsOriginal = showsOriginal;
  const frame = () => {
    probe.frames++;
    const left = showsOriginal();
    if (left.length) probe.unswappedFrames.push({ t: performance.now(), left });
    if (probe.frames < 120) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const realFetch = window.fetch;
  window.fetch = function (url, init) {
    if (String(url).includes('/v1/sessions')) {
      probe.fetches.push({ t: performance.now(), url: String(url), left: showsOriginal() });
    }
    return realFetch.apply(this, arguments);
  };
})();
"""


def probe_script(selector: str, originals=("4155550100",)) -> str:
    return PROBE % {"selector": json.dumps(selector), "originals": json.dumps(list(originals))}
