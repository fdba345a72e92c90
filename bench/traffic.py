"""Synthetic visitor traffic with a known truth, for `make bench-attribution`.

A seeded generator of visits (page views, device, source, the CDN's viewer region) and of
the calls they lead to: who calls, when, how (a tel: tap, or hand-dialled with the shown
code entered, skipped or mistyped) and from which phone. Each call names the visit whose
number was dialled (its truth); a caller who never visited dials a number that leaked and
has no truth. The traces say nothing of numbers: each system replayed on them (the
product, the naive pool) resolves "the number shown on visit k" on its own offers.

Every parameter below cites its public source or says "assumed". Seed 001 is the
call-tracking founder's interview and its discussion (../shared/seeds/001_*.txt).
Geography is in bench.geo.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace

from bench.geo import CallerNumbers, pick_state, viewer_headers

# -- parameters --------------------------------------------------------------------
DAILY_VISITORS = 1000  # seed 001: "для сайта с 1000 пользователей в день"
SESSION_MEAN_S = 180  # seed 001: "и сессией в три минуты"
SESSION_SIGMA = 1.0  # assumed: log-normal spread of session length (a long right tail)
SESSION_MAX_S = 2 * 3600  # assumed: longer sessions are cut
PAGES_MEAN = 3.0  # assumed: page views per visit (geometric, at least one)
# Desktop tabs left open and visible after the visitor stopped reading: the page goes on
# heartbeating (the script stops only when the tab is hidden). Assumed: one in ten, for 5
# to 30 minutes (log-uniform). A mobile page is hidden as soon as the dialler opens.
IDLE_VISIBLE_TAB = 0.10
IDLE_VISIBLE_S = (5 * 60, 30 * 60)
WITHIN_30_MIN = 0.90  # seed 001, discussion: "до 90% звонков приходят в первые 30 минут"
SALE_ON_VISIT = (5, 10, 15)  # seed 001, discussion: the sale comes on the 5th, 10th, 15th visit
NEVER_VISITED = 0.10  # issue 14: one caller in ten never visited (numbers leak: saved, shared, printed)
MOBILE_SHARE = 0.60  # StatCounter Global Stats, desktop vs mobile vs tablet (2024): about 60% of page views
TAP_SHARE_MOBILE = 0.70  # Google/Ipsos "The Role of Click to Call" (2013): 70% of mobile searchers have
#                          called straight from a result; assumed to hold for a site's own tel: link
CODE_ENTERED = 0.60  # assumed: hand-dialling callers who key the shown code when the IVR asks
CODE_NOTED_LATE = 0.35  # assumed: callers more than 30 minutes later who wrote the code down
CODE_MISTYPED = 0.03  # assumed: keyed codes with one digit wrong
TAP_TO_CALL_S = (2.0, 10.0)  # assumed: seconds from the tap to the carrier's webhook
FAST_DELAY_MEAN_S = 5 * 60  # assumed: a hand-dialled call within 30 minutes (exponential)
FAST_TAIL = (30 * 60, 3 * 86400)  # assumed: the other 10% come up to 3 days later (log-uniform)
# Considered purchase (the late-call case): buyers' journeys, returning until they call.
LATE_WITHIN_30_MIN = 0.15  # assumed: "most calls days after the last visit" (issue 14)
LATE_DELAY = (12 * 3600, 6 * 86400)  # assumed: the others come half a day to 6 days later
JOURNEY_GAP = (3600, 2 * 86400)  # assumed: time between a buyer's visits (log-uniform)
NOTED_ON_EARLIER_VISIT = 0.40  # assumed: the buyer dials the number noted on an earlier visit
ASKED_EARLIER = 0.15  # assumed: buyers who also called once mid-journey (a question)
BUYER_VISIT_SHARE = 0.50  # assumed: buyers' share of a considered-purchase site's visits
# Conversion, chosen so each scenario has >= 400 calls (assumed; seed 001 gives none).
CALL_RATE_FAST = 0.06  # of single visits
CALL_RATE_BROWSING = 0.01  # of considered-purchase browsers who are not on a buying journey
# Share of visits by channel. BrightEdge Research "Channel Report" (2019): organic search
# 53%, paid search 15%, organic social 5%, other 27% of trackable traffic; direct (not
# trackable there) is assumed to be 20% of all visits, the rest scaled by 0.8.
SOURCE_SHARES = {"organic": 0.424, "paid": 0.12, "social": 0.04, "referral": 0.216, "direct": 0.20}
RETURN_DIRECT = 0.50  # assumed: a returning visit comes direct (bookmark, typed) this often
# Visits by local hour, relative (assumed: business-hours web traffic, the usual shape of a
# local services site's analytics; the evening profile is the held-out scenario's).
DIURNAL_BUSINESS = (1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 4, 6, 7, 7, 6.5, 6.5, 7, 6.5, 6, 5, 4, 3.5, 3, 2.5, 2, 1.5)
# A television or radio spot at 19:00 (assumed): a quarter of the day's visits in that
# hour, more than a pool sized for the day holds at once.
DIURNAL_AD_BURST = (1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 4, 6, 7, 7, 6.5, 6.5, 7, 6.5, 6, 5, 4, 30, 3, 2.5, 2, 1.5)
DIURNAL_EVENING = (2, 1.2, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 3.5, 3.5, 4, 4.5, 5.5, 7, 8, 8.5,
                   8, 6.5, 4)

START_MS = 1_799_038_800_000  # Monday 4 January 2027, 00:00 in New York (the site's zone)
DAY_MS = 86_400_000
ORIGIN = "https://www.plumbing.example"
PATHS = ("/", "/pricing", "/services/leak-repair", "/services/water-heaters", "/about", "/contact", "/reviews")
CAMPAIGNS = (("winter-leaks", "leak repair"), ("heaters", "water heater install"), ("brand", "plumbing example"))


@dataclass(frozen=True)
class Scenario:
    name: str
    seed: int
    daily: int
    days: int
    considered_share: float  # 0: single visits, fast calls; 1: considered purchase; between: mixed
    mobile: float = MOBILE_SHARE
    diurnal: tuple[float, ...] = DIURNAL_BUSINESS
    held_out: bool = False  # never looked at while the product is tuned


SCENARIOS = (
    Scenario("fast", 1, 1000, 7, 0.0),
    Scenario("late_calls", 2, 1000, 14, 1.0),
    Scenario("big", 3, 10_000, 1, 0.0),
    # Held out: nobody tunes on these.
    Scenario("evening_mobile", 101, 1000, 7, 0.0, mobile=0.75, diurnal=DIURNAL_EVENING, held_out=True),
    Scenario("mixed", 102, 1000, 10, 0.5, held_out=True),
    Scenario("ad_burst", 103, 1000, 7, 0.0, diurnal=DIURNAL_AD_BURST, held_out=True),
)


@dataclass(frozen=True)
class Visit:
    visit_id: str
    client_id: str
    number: int  # the visitor's 1st, 2nd, ... visit
    start_ms: int
    end_ms: int  # the visitor's last activity: last page view, reading, or the tap
    pages: tuple[tuple[int, str], ...]  # (at, url); the first is the landing page
    referrer: str | None
    device: str  # mobile | desktop
    source: str  # paid | organic | social | referral | direct
    state: str  # the viewer's US state
    viewer: dict[str, str] = field(default_factory=dict)  # CloudFront viewer headers
    address: str = ""
    visible_until_ms: int = 0  # the page heartbeats until then (>= end_ms: an idle tab left visible)

    @property
    def returning(self) -> bool:
        return self.number > 1


@dataclass(frozen=True)
class Call:
    call_id: str
    at_ms: int
    caller: str  # E.164
    caller_state: str  # where the caller's number geocodes
    visit_id: str | None  # the visit whose number was dialled; None: never visited
    client_id: str | None  # that visit's visitor
    how: str  # tap | entered | mistyped | skipped
    tap_at_ms: int | None = None
    mistype: tuple[int, int] | None = None  # (position, +delta mod 10) of the wrong digit
    leak: float = 0.0  # never visited: which pool number leaked, as a share of the pool


@dataclass
class Trace:
    scenario: Scenario
    visits: list[Visit]
    calls: list[Call]
    start_ms: int = START_MS

    @property
    def end_ms(self) -> int:
        return self.start_ms + self.scenario.days * DAY_MS


def mistyped(code: str, mistype: tuple[int, int]) -> str:
    """The code with one digit changed, as the caller keyed it."""
    position, delta = mistype
    digit = str((int(code[position]) + delta) % 10)
    return code[:position] + digit + code[position + 1:]


class _Generator:
    def __init__(self, scenario: Scenario) -> None:
        self.s = scenario
        self.rng = random.Random(scenario.seed)
        self.phones = CallerNumbers(random.Random(scenario.seed * 7919 + 1))
        self.visits: list[Visit] = []
        self.calls: list[Call] = []
        self.visitors = 0
        self.hours = list(range(24))

    # -- times ---------------------------------------------------------------------
    def time_of_day(self, day: int) -> int:
        hour = self.rng.choices(self.hours, weights=self.s.diurnal)[0]
        return START_MS + day * DAY_MS + hour * 3_600_000 + int(self.rng.random() * 3_600_000)

    def loguniform(self, low: float, high: float) -> float:
        return math.exp(self.rng.uniform(math.log(low), math.log(high)))

    def session_ms(self) -> int:
        mu = math.log(SESSION_MEAN_S) - SESSION_SIGMA ** 2 / 2
        return int(min(SESSION_MAX_S, self.rng.lognormvariate(mu, SESSION_SIGMA)) * 1000)

    # -- visitors and visits ---------------------------------------------------------
    def visitor(self) -> dict:
        self.visitors += 1
        device = "mobile" if self.rng.random() < self.s.mobile else "desktop"
        n = self.visitors
        return {"client_id": f"bench{self.s.seed:03d}-{n:07d}", "device": device, "state": pick_state(self.rng),
                "address": f"198.{18 + (n >> 16) % 2}.{(n >> 8) % 256}.{n % 256}", "visits": 0, "phone": None}

    def visit(self, who: dict, start_ms: int) -> Visit:
        who["visits"] += 1
        returning = who["visits"] > 1
        source = "direct" if returning and self.rng.random() < RETURN_DIRECT else self.rng.choices(
            list(SOURCE_SHARES), weights=list(SOURCE_SHARES.values()))[0]
        landing, referrer = self.landing(source)
        end = start_ms + self.session_ms()
        count = 1
        while self.rng.random() > 1 / PAGES_MEAN and count < 20:
            count += 1
        times = sorted([start_ms] + [self.rng.randint(start_ms + 1000, max(start_ms + 1000, end))
                                     for _ in range(count - 1)])
        pages = [(times[0], landing)] + [(t, ORIGIN + self.rng.choice(PATHS)) for t in times[1:]]
        visible = end
        if who["device"] == "desktop" and self.rng.random() < IDLE_VISIBLE_TAB:
            visible += int(self.loguniform(*IDLE_VISIBLE_S) * 1000)
        visit = Visit(f"v{self.s.seed:03d}-{len(self.visits):07d}", who["client_id"], who["visits"], start_ms, end,
                      tuple(pages), referrer, who["device"], source, who["state"],
                      viewer_headers(who["state"], who["device"]), who["address"], visible)
        self.visits.append(visit)
        return visit

    def landing(self, source: str) -> tuple[str, str | None]:
        path = self.rng.choice(PATHS[:4])
        if source == "paid":
            campaign, term = self.rng.choice(CAMPAIGNS)
            click = "".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(16))
            query = f"?utm_source=google&utm_medium=cpc&utm_campaign={campaign}&utm_term={term.replace(' ', '+')}"
            return f"{ORIGIN}{path}{query}&gclid={click}", "https://www.google.com/"
        if source == "organic":
            return ORIGIN + path, self.rng.choice(("https://www.google.com/", "https://www.bing.com/"))
        if source == "social":
            return f"{ORIGIN}{path}?utm_source=facebook&utm_medium=social&utm_campaign=spring", \
                "https://l.facebook.com/"
        if source == "referral":
            return ORIGIN + path, self.rng.choice(("https://www.yelp.com/biz/plumbing-example",
                                                   "https://www.nextdoor.com/", "https://homeblog.example/pipes"))
        return ORIGIN + path, None

    # -- calls -----------------------------------------------------------------------
    def call(self, who: dict, visit: Visit, at_ms: int, tap: bool, late: bool, tap_at: int | None = None) -> None:
        if who["phone"] is None:
            who["phone"] = self.phones.number_for(who["state"], self.rng)
        phone, state = who["phone"]
        if tap:
            how = "tap"
        else:
            keyed = CODE_NOTED_LATE if late else CODE_ENTERED
            how = "entered" if self.rng.random() < keyed else "skipped"
            if how == "entered" and self.rng.random() < CODE_MISTYPED:
                how = "mistyped"
        mistype = (self.rng.randrange(4), self.rng.randint(1, 9)) if how == "mistyped" else None
        self.calls.append(Call("", at_ms, phone, state, visit.visit_id, visit.client_id, how,
                               tap_at, mistype))

    def call_after(self, who: dict, visit: Visit, within: float, tail: tuple[int, int],
                   noted: Visit | None = None) -> None:
        """A call after `visit`'s last activity: a tap seconds later (its number), else a
        hand-dialled call within 30 minutes or much later (`tail`), of the number noted on
        `noted` (an earlier visit of the journey) or on `visit`. A call within 30 minutes
        has the code before the caller's eyes; a later one only if it was written down."""
        if self.rng.random() < within:
            if visit.device == "mobile" and self.rng.random() < TAP_SHARE_MOBILE:
                at = visit.end_ms + int(self.rng.uniform(*TAP_TO_CALL_S) * 1000)
                self.call(who, visit, at, True, False, tap_at=visit.end_ms)
                return
            delay, late = min(30 * 60 - 1, max(20.0, self.rng.expovariate(1 / FAST_DELAY_MEAN_S))), False
        else:
            delay, late = self.loguniform(*tail), True
        self.call(who, noted or visit, visit.end_ms + int(delay * 1000), False, late)

    def never_visited(self) -> None:
        visited = len(self.calls)
        for _ in range(round(visited * NEVER_VISITED / (1 - NEVER_VISITED))):
            state = pick_state(self.rng)
            phone, where = self.phones.number_for(state, self.rng, other_region=0.0)
            at = self.time_of_day(self.rng.randrange(self.s.days))
            self.calls.append(Call("", at, phone, where, None, None, "skipped", leak=self.rng.random()))

    # -- scenarios ---------------------------------------------------------------------
    def single_visits(self, daily: int, call_rate: float) -> None:
        for day in range(self.s.days):
            for _ in range(daily):
                who = self.visitor()
                visit = self.visit(who, self.time_of_day(day))
                if self.rng.random() < call_rate:
                    self.call_after(who, visit, WITHIN_30_MIN, FAST_TAIL)

    def considered(self, daily: int) -> None:
        journeys = round(daily * BUYER_VISIT_SHARE / (sum(SALE_ON_VISIT) / len(SALE_ON_VISIT)))
        per_day = [0] * self.s.days
        for _ in range(journeys * self.s.days):
            who = self.visitor()
            length = self.rng.choice(SALE_ON_VISIT)
            asked_on = self.rng.randrange(1, length) if self.rng.random() < ASKED_EARLIER else None
            at, mine = self.time_of_day(self.rng.randrange(self.s.days)), []
            while len(mine) < length and at < START_MS + self.s.days * DAY_MS:
                visit = self.visit(who, at)
                mine.append(visit)
                per_day[(at - START_MS) // DAY_MS] += 1
                if asked_on == len(mine):
                    self.call_after(who, visit, 1.0, FAST_TAIL)
                at = visit.end_ms + int(self.loguniform(*JOURNEY_GAP) * 1000)
            if len(mine) == length:
                noted = self.rng.choice(mine[:-1]) if self.rng.random() < NOTED_ON_EARLIER_VISIT else mine[-1]
                self.call_after(who, mine[-1], LATE_WITHIN_30_MIN, LATE_DELAY, noted=noted)
        # Browsers (not buying yet) fill each day up to the scenario's traffic.
        for day, buyers in enumerate(per_day):
            for _ in range(max(0, daily - buyers)):
                who = self.visitor()
                visit = self.visit(who, self.time_of_day(day))
                if self.rng.random() < CALL_RATE_BROWSING:
                    self.call_after(who, visit, WITHIN_30_MIN, FAST_TAIL)

    def trace(self) -> Trace:
        considered = round(self.s.daily * self.s.considered_share)
        if considered:
            self.considered(considered)
        if self.s.daily - considered:
            self.single_visits(self.s.daily - considered, CALL_RATE_FAST)
        self.never_visited()
        horizon = START_MS + self.s.days * DAY_MS
        calls = sorted((c for c in self.calls if c.at_ms < horizon), key=lambda c: (c.at_ms, c.caller))
        calls = [replace(c, call_id=f"bench:{self.s.name}:{i:05d}") for i, c in enumerate(calls)]
        return Trace(self.s, sorted(self.visits, key=lambda v: (v.start_ms, v.visit_id)), calls)


def generate(scenario: Scenario) -> Trace:
    """The scenario's visits and calls; the same for the same scenario (and seed)."""
    return _Generator(scenario).trace()
