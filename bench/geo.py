"""Where the benchmark's visitors are, and the phones they call from.

Visitors are spread over US states by population; a visit carries the CloudFront viewer
headers of its state (country, ISO 3166-2 subdivision, city). A caller's number is a US
number whose area code lies in the visitor's state, or (OTHER_REGION) in another state.
Subscriber parts are 555-0100..0199, which NANPA reserves for fiction, so no real person
is dialled; phonenumbers' offline geocoder still places them in their area code's state
(tests/unit/test_traffic.py checks every one).
"""
from __future__ import annotations

import random

# Callers whose phone's area code lies outside the state they browse from. Assumed: about
# a quarter. Mobile numbers keep their area code when their owner moves (FCC wireless
# number portability, since 2003), and about one American in ten moves each year (US
# Census Bureau, CPS "Geographic Mobility").
OTHER_REGION = 0.25

# state: (name as the geocoder writes it, population in millions (US Census 2020), cities
# with one of their area codes; the first city is the viewer city of the state's visitors).
STATES: dict[str, tuple[str, float, tuple[tuple[str, int], ...]]] = {
    "CA": ("California", 39.5, (("Los Angeles", 213), ("San Francisco", 415), ("San Diego", 619),
                                ("Sacramento", 916), ("San Jose", 408), ("Anaheim", 714))),
    "TX": ("Texas", 29.1, (("Houston", 713), ("Dallas", 214), ("Austin", 512), ("San Antonio", 210),
                           ("Fort Worth", 817))),
    "FL": ("Florida", 21.5, (("Miami", 305), ("Orlando", 407), ("Tampa", 813), ("Jacksonville", 904),
                             ("West Palm Beach", 561))),
    "NY": ("New York", 20.2, (("New York", 212), ("Brooklyn", 718), ("Buffalo", 716), ("Rochester", 585),
                              ("Albany", 518))),
    "PA": ("Pennsylvania", 13.0, (("Philadelphia", 215), ("Pittsburgh", 412), ("Harrisburg", 717),
                                  ("Allentown", 610))),
    "IL": ("Illinois", 12.8, (("Chicago", 312), ("Chicago", 773), ("Springfield", 217), ("Naperville", 630))),
    "OH": ("Ohio", 11.8, (("Columbus", 614), ("Cleveland", 216), ("Cincinnati", 513), ("Toledo", 419))),
    "GA": ("Georgia", 10.7, (("Atlanta", 404), ("Marietta", 770), ("Savannah", 912))),
    "NC": ("North Carolina", 10.4, (("Charlotte", 704), ("Raleigh", 919), ("Greensboro", 336))),
    "MI": ("Michigan", 10.1, (("Detroit", 313), ("Grand Rapids", 616), ("Lansing", 517), ("Troy", 248))),
    "NJ": ("New Jersey", 9.3, (("Newark", 973), ("Jersey City", 201), ("New Brunswick", 732), ("Trenton", 609))),
    "VA": ("Virginia", 8.6, (("Richmond", 804), ("Virginia Beach", 757), ("Arlington", 703), ("Roanoke", 540))),
    "WA": ("Washington State", 7.7, (("Seattle", 206), ("Spokane", 509), ("Tacoma", 253), ("Bellevue", 425))),
    "AZ": ("Arizona", 7.2, (("Phoenix", 602), ("Tucson", 520), ("Mesa", 480))),
    "MA": ("Massachusetts", 7.0, (("Boston", 617), ("Worcester", 508), ("Springfield", 413))),
    "TN": ("Tennessee", 6.9, (("Nashville", 615), ("Memphis", 901), ("Knoxville", 865))),
    "CO": ("Colorado", 5.8, (("Denver", 303), ("Colorado Springs", 719), ("Fort Collins", 970))),
}
_CODES = list(STATES)
_WEIGHTS = [STATES[s][1] for s in _CODES]
FICTIONAL = range(100, 200)  # 555-0100..0199


def pick_state(rng: random.Random, other_than: str | None = None) -> str:
    while True:
        state = rng.choices(_CODES, weights=_WEIGHTS)[0]
        if state != other_than:
            return state


def viewer_headers(state: str, device: str) -> dict[str, str]:
    """What CloudFront adds to a request from that state and device (the viewer-location
    and device-detection headers)."""
    mobile = "true" if device == "mobile" else "false"
    return {"cloudfront-viewer-country": "US", "cloudfront-viewer-country-region": state,
            "cloudfront-viewer-city": STATES[state][2][0][0], "cloudfront-is-mobile-viewer": mobile,
            "cloudfront-is-tablet-viewer": "false",
            "cloudfront-is-desktop-viewer": "false" if device == "mobile" else "true"}


def state_of(description: str | None) -> str | None:
    """The state a geocoder description names: "New York, NY" or "Texas"."""
    if not description:
        return None
    tail = description.rpartition(", ")[2]
    if tail in STATES:
        return tail
    return next((code for code, (name, _, _) in STATES.items() if name == description), None)


class CallerNumbers:
    """Distinct fictional numbers, drawn without replacement from a state's area codes."""

    def __init__(self, rng: random.Random) -> None:
        self._free: dict[str, list[str]] = {}
        for state, (_, _, cities) in STATES.items():
            numbers = [f"+1{code}5550{n}" for _, code in cities for n in FICTIONAL]
            rng.shuffle(numbers)
            self._free[state] = numbers

    def number_for(self, state: str, rng: random.Random, other_region: float = OTHER_REGION) -> tuple[str, str]:
        """(number, the state it geocodes to): the visitor's state, or another one."""
        where = pick_state(rng, other_than=state) if rng.random() < other_region else state
        while not self._free[where]:  # that state's numbers are used up: a neighbour's
            where = pick_state(rng, other_than=where)
        return self._free[where].pop(), where


# Tracking numbers (the pools') and the site's own number: Bay Area codes no caller uses.
POOL_AREA_CODES = (650, 510, 925, 707, 831, 628)
OWN_NUMBER = "+16285550199"


def pool_numbers(count: int) -> list[str]:
    numbers = [f"+1{code}5550{n}" for code in POOL_AREA_CODES for n in FICTIONAL]
    numbers.remove(OWN_NUMBER)
    if count > len(numbers):
        raise ValueError(f"at most {len(numbers)} pool numbers")
    return numbers[:count]
