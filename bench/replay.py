"""The product replayed on a trace: its own domain, the in-memory adapters, a fake clock.

Each visit drives the doors the swap script calls: start() on the landing page, start()
with the session id on every later page, touch() every `touchAfterMs` while the page is
visible, click() for a tel: tap. Each call goes to the inbound domain as the carrier's
webhook would send it, and again with the digits when the plan gathers a code. What the
call record stores as its attribution is read back and scored by bench.attribution.

The pool is configured as a customer would leave it (the Pool defaults), with a rule that
takes every visit, so every visitor is offered a pool number.
"""
from __future__ import annotations

import copy
import dataclasses
import heapq
import itertools
import random

from bench.geo import OWN_NUMBER
from bench.traffic import ORIGIN, Trace, mistyped
from ringback.accounts.provisioning import Directories, add_pool, add_site, open_tenant
from ringback.accounts.sites import Site
from ringback.accounts.tenants import Tenant
from ringback.bootstrap import build_memory_services
from ringback.calls.inbound import IncomingCall
from ringback.clock import ManualClock
from ringback.errors import NotFound, RateLimited
from ringback.tracking.pools import Pool
from ringback.tracking.sessions import PageContext

SITE_KEY = "pk_bench"
DESTINATION = "+16285550198"  # the shop's desk phone: the plan dials it; nobody is rung in a replay
HIGH = 0.97  # issue 14: "high" promises >= 97% right; used while the record carries no `level`
_PAGE, _TOUCH, _TAP, _CALL = range(4)  # at one instant: page views, then heartbeats, taps, calls
_PAGE_FIELDS = {f.name for f in dataclasses.fields(PageContext)}


@dataclasses.dataclass
class Outcome:
    visit_id: str | None  # the visit the product attributed the call to
    lost: bool  # dialled the site's own number (the visit was shown it): never tracked
    confidence: float = 0.0
    high: bool = False
    method: str | None = None
    code: str | None = None  # the code the visit was shown, if any


def product_world(trace: Trace, pool_size: int, numbers: list[str]):
    clock = ManualClock(trace.start_ms - 3_600_000)
    services = build_memory_services(clock)
    dirs = Directories(services.tenants, services.sites, services.pools)
    open_tenant(dirs, Tenant("t_bench", "Plumbing Example"), None)
    add_site(dirs, Site("s_bench", "t_bench", "Plumbing Example", SITE_KEY, frozenset({"plumbing.example"}),
                        own_numbers=(OWN_NUMBER,), destination_numbers=(DESTINATION,),
                        timezone="America/New_York"))
    add_pool(dirs, Pool("p_bench", "t_bench", "s_bench", "every visitor", rule={}), numbers[:pool_size],
             clock.now_ms())
    return dataclasses.replace(services, tracking=seeded(services.tracking, trace.scenario.seed)), clock


def seeded(tracking, seed: int):
    """The sessions door exactly as assemble() wired it, but seeded, so that a replay is
    the same every run: the allocator's random pick among equally free lines, and session
    ids from a counter (a tie broken by session id falls the same way). The two are
    private attributes: a rename fails here, loudly, rather than making runs differ."""
    tracking, allocator = copy.copy(tracking), copy.copy(tracking._allocator)
    if not isinstance(getattr(allocator, "_rng", None), random.Random) or not callable(tracking._new_id):
        raise RuntimeError("the sessions door no longer has the allocator rng and id source the bench seeds")
    allocator._rng = random.Random(seed)
    counter = itertools.count(1)
    tracking._allocator, tracking._new_id = allocator, lambda: f"s_r{next(counter):010d}"
    return tracking


class _Replay:
    def __init__(self, trace: Trace, pool_size: int, numbers: list[str]) -> None:
        self.trace, self.pool_size, self.numbers = trace, pool_size, numbers[:pool_size]
        self.services, self.clock = product_world(trace, pool_size, numbers)
        self.visits = {v.visit_id: v for v in trace.visits}
        self.session: dict[str, str] = {}  # visit id -> session id
        self.visit_of: dict[str, str] = {}  # session id -> visit id
        self.shown: dict[str, object] = {}  # visit id -> the Shown the page displays now
        self.generation: dict[str, int] = {}  # visit id -> heartbeat generation
        self.own_shown: set[str] = set()  # visits shown the own number at some point
        self.shared: set[str] = set()  # visits given a shared (flagged) lease
        self.errors: dict[str, int] = {}
        self.outcomes: dict[str, Outcome] = {}
        self.queue: list = []
        self.seq = itertools.count()

    def push(self, at: int, kind: int, *payload) -> None:
        heapq.heappush(self.queue, (at, kind, next(self.seq), payload))

    def context(self, visit, session_id, page=None, referrer=None) -> PageContext:
        extra = {"returning": visit.returning} if "returning" in _PAGE_FIELDS else {}
        return PageContext(SITE_KEY, ORIGIN, visit.client_id, session_id, page=page, referrer=referrer,
                           viewer=dict(visit.viewer), client_address=visit.address, **extra)

    def run(self) -> dict:
        for visit in self.trace.visits:
            for i, (at, _) in enumerate(visit.pages):
                self.push(at, _PAGE, visit.visit_id, i)
        for call in self.trace.calls:
            if call.tap_at_ms is not None:
                self.push(call.tap_at_ms, _TAP, call)
            self.push(call.at_ms, _CALL, call)
        while self.queue:
            at, kind, _, payload = heapq.heappop(self.queue)
            now = self.clock.now_ms()
            if at > now:
                self.clock.advance(ms=at - now)
            try:
                (self.page, self.touch, self.tap, self.call)[kind](*payload)
            except (NotFound, RateLimited) as refused:
                name = f"{('page', 'touch', 'tap', 'call')[kind]}:{getattr(refused, 'code', type(refused).__name__)}"
                self.errors[name] = self.errors.get(name, 0) + 1
        return {"calls": self.outcomes, "visits": len(self.trace.visits), "own_shown": len(self.own_shown),
                "shared": len(self.shared), "errors": self.errors}

    # -- the swap script's requests ------------------------------------------------
    def page(self, visit_id: str, index: int) -> None:
        visit = self.visits[visit_id]
        url = visit.pages[index][1]
        referrer = visit.referrer if index == 0 else visit.pages[index - 1][1]
        offer = self.services.tracking.start(self.context(visit, self.session.get(visit_id), url, referrer))
        if self.session.get(visit_id) != offer.session_id:  # the first page (or a session started afresh)
            self.session[visit_id] = offer.session_id
            self.visit_of[offer.session_id] = visit_id
        if index == 0 and any(lease.shared for lease in self.services.leases.leases_of(offer.session_id)):
            self.shared.add(visit_id)
        self.offered(visit, offer)

    def touch(self, visit_id: str, generation: int) -> None:
        if self.generation.get(visit_id) != generation:
            return  # a page view since has restarted the heartbeat
        visit = self.visits[visit_id]
        self.offered(visit, self.services.tracking.touch(self.context(visit, self.session[visit_id])))

    def offered(self, visit, offer) -> None:
        shown = offer.numbers[0]
        self.shown[visit.visit_id] = shown
        if shown.kind != "pool":
            self.own_shown.add(visit.visit_id)
        generation = self.generation.get(visit.visit_id, 0) + 1
        self.generation[visit.visit_id] = generation
        next_touch = self.clock.now_ms() + max(1000, offer.touch_after_ms)
        if next_touch < visit.visible_until_ms:
            self.push(next_touch, _TOUCH, visit.visit_id, generation)

    def tap(self, call) -> None:
        visit = self.visits[call.visit_id]
        shown = self.shown.get(call.visit_id)
        if shown is not None and shown.kind == "pool":
            self.services.tracking.click(self.context(visit, self.session[call.visit_id]), shown.number)

    # -- the carrier's webhook -------------------------------------------------------
    def call(self, call) -> None:
        if call.visit_id is None:
            number, code = self.numbers[int(call.leak * self.pool_size)], None
        else:
            shown = self.shown.get(call.visit_id)
            if shown is None or shown.kind != "pool":
                self.outcomes[call.call_id] = Outcome(None, True)
                return
            number, code = shown.number, shown.extension
        inbound = self.services.inbound
        record, plan = inbound.receive(IncomingCall(call.call_id, number, call.caller))
        if plan.action == "gather":
            record, plan = inbound.receive(IncomingCall(call.call_id, number, call.caller, keyed(call, code)))
        self.outcomes[call.call_id] = self.read(record.attribution, code)

    def read(self, attribution: dict, code: str | None) -> Outcome:
        session_id = attribution.get("session_id")
        confidence = float(attribution.get("confidence") or 0.0)
        level = attribution["level"] == "high" if "level" in attribution else confidence >= HIGH
        visit_id = self.visit_of.get(session_id) if session_id else None
        return Outcome(visit_id, False, confidence, bool(level and session_id), attribution.get("method"), code)


def keyed(call, code: str | None) -> str:
    """What the caller's phone sends when the IVR asks for the code: the tel: link's
    post-dial digits on a tap, what they key by hand, or nothing (skipped: "")."""
    if not code or call.how == "skipped":
        return ""
    if call.how == "mistyped":
        position, delta = call.mistype
        return mistyped(code, (position % len(code), delta))
    return code


def replay_product(trace: Trace, pool_size: int, numbers: list[str]) -> dict:
    return _Replay(trace, pool_size, numbers).run()
