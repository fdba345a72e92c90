"""The numbers the carrier has for sale (a fixed, fictional inventory) and the search over it.

Twilio docs: AvailablePhoneNumber resource
(https://www.twilio.com/docs/phone-numbers/api/availablephonenumber-resource): the
countries an account may buy numbers in, each with country_code, country, beta, uri and
subresource_uris naming its number types; AvailablePhoneNumber Local / TollFree / Mobile
(https://www.twilio.com/docs/phone-numbers/api/availablephonenumberlocal-resource,
.../availablephonenumber-tollfree-resource, .../availablephonenumber-mobile-resource):
each number with friendly_name, phone_number, lata, locality, rate_center, latitude,
longitude, region, postal_code, iso_country, address_requirements, beta, capabilities.
A country or type the carrier does not sell is 20404, as the API answered for US Mobile
numbers in twilio/twilio-node#159; a search that matches nothing is an empty list.

Filters (the Local resource's "Read" parameters):
- AreaCode: the NPA, for US and Canadian numbers only (ignored elsewhere);
- Contains: 2 to 16 characters; digits and letters (a letter stands for its keypad digit);
  `*` matches one digit, `%` any run of digits; a leading `+` anchors the pattern at the
  start of the number and a trailing `$` at its end, otherwise it may match anywhere. We
  match against the digits of the E.164 number (country code included), our reading of
  where the anchors point;
- SmsEnabled, MmsEnabled, VoiceEnabled, FaxEnabled: true or false;
- PageSize: how many numbers to answer (default 50, at most 1000). Twilio answers a
  search with one page, not a way through its whole stock: next_page_uri is null.
Addresses are not simulated: every number's address_requirements is "none".

Why these numbers (nothing here may ring a real phone, and the product parses them with
`phonenumbers`):
- US local: 555-0100 to 555-0199 in each area code below. NANPA reserves that block of
  the 555 exchange for fictional use, and `phonenumbers` takes the numbers as valid US
  numbers (with their city). Eight area codes, 415 and 212 among them: 800 numbers. Lines
  0180-0199 are landlines (voice only), the rest take texts too.
- US toll-free: 555-0100 to 555-0199 in each toll-free NPA: 700 numbers, valid toll-free
  numbers for `phonenumbers`. No toll-free range is reserved for fiction; these use the
  fictional line numbers, and the carrier never dials out, so they stay ours.
- GB: Ofcom's ranges reserved for drama: 020 7946 0000-0999 (London) and 0161 496
  0000-0999 (Manchester), local, voice only; 0808 157 0000-0999, freephone; 07700 900000-
  900999, mobile (voice and SMS). `phonenumbers` takes all of them as valid except the
  mobile range, which it knows is never assigned: it is still a *possible* GB number
  (what the product's provisioning checks), and `records.geography` gives it GB.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from devstack.carrier.records import formatted

LOCAL, TOLL_FREE, MOBILE = "Local", "TollFree", "Mobile"  # as the URLs spell them
KINDS = (LOCAL, TOLL_FREE, MOBILE)
SUBRESOURCE_NAMES = {LOCAL: "local", TOLL_FREE: "toll_free", MOBILE: "mobile"}
COUNTRIES = {"US": ("United States", (LOCAL, TOLL_FREE)), "GB": ("United Kingdom", (LOCAL, TOLL_FREE, MOBILE))}

# The number the carrier calls from to verify a caller ID (verification.py): its own,
# never for sale.
VERIFICATION_CALLER = "+18005550100"

VOICE_SMS = {"voice": True, "sms": True, "mms": True, "fax": False}
VOICE_ONLY = {"voice": True, "sms": False, "mms": False, "fax": False}
VOICE_TEXT = {"voice": True, "sms": True, "mms": False, "fax": False}


@dataclass(frozen=True)
class Place:
    locality: str | None = None
    region: str | None = None
    postal_code: str | None = None
    lata: str | None = None
    rate_center: str | None = None
    latitude: str | None = None
    longitude: str | None = None


# Area code: the city, state, a ZIP code, LATA and rate center there, its coordinates.
US_LOCAL = {
    "415": Place("San Francisco", "CA", "94103", "722", "SNFC CNTRL", "37.775000", "-122.419000"),
    "212": Place("New York", "NY", "10001", "132", "NWYRCYZN01", "40.750600", "-73.997100"),
    "312": Place("Chicago", "IL", "60601", "358", "CHICAGO", "41.885700", "-87.618100"),
    "617": Place("Boston", "MA", "02108", "128", "BOSTON", "42.357700", "-71.067600"),
    "206": Place("Seattle", "WA", "98101", "674", "SEATTLE", "47.610100", "-122.334400"),
    "512": Place("Austin", "TX", "78701", "558", "AUSTIN", "30.271100", "-97.743700"),
    "303": Place("Denver", "CO", "80202", "656", "DENVER", "39.752500", "-104.999500"),
    "305": Place("Miami", "FL", "33130", "460", "MIAMI", "25.766300", "-80.204400"),
}
US_TOLL_FREE = ("800", "833", "844", "855", "866", "877", "888")
GB_LOCAL = {"+44207946": Place("London"), "+44161496": Place("Manchester")}


@dataclass(frozen=True)
class ForSale:
    """One number the carrier can sell."""

    phone_number: str
    iso_country: str
    kind: str  # Local, TollFree or Mobile
    capabilities: Mapping[str, bool]
    place: Place = field(default_factory=Place)

    @property
    def area_code(self) -> str | None:
        return self.phone_number[2:5] if self.phone_number.startswith("+1") else None

    def as_json(self) -> dict:
        place = self.place
        return {
            "address_requirements": "none",
            "beta": False,
            "capabilities": dict(self.capabilities),
            "friendly_name": formatted(self.phone_number),
            "iso_country": self.iso_country,
            "lata": place.lata,
            "latitude": place.latitude,
            "locality": place.locality,
            "longitude": place.longitude,
            "phone_number": self.phone_number,
            "postal_code": place.postal_code,
            "rate_center": place.rate_center,
            "region": place.region,
        }


@lru_cache(maxsize=1)
def stock() -> dict[str, ForSale]:
    """Every number of the inventory, by number, in a fixed order (built on first use)."""
    numbers: list[ForSale] = []
    for npa, place in US_LOCAL.items():
        numbers += [ForSale(f"+1{npa}555{line:04d}", "US", LOCAL, VOICE_ONLY if line >= 180 else VOICE_SMS, place)
                    for line in range(100, 200)]
    for npa in US_TOLL_FREE:
        numbers += [ForSale(f"+1{npa}555{line:04d}", "US", TOLL_FREE, VOICE_TEXT) for line in range(100, 200)]
    for prefix, place in GB_LOCAL.items():
        numbers += [ForSale(f"{prefix}{line:04d}", "GB", LOCAL, VOICE_ONLY, place) for line in range(1000)]
    numbers += [ForSale(f"+44808157{line:04d}", "GB", TOLL_FREE, VOICE_ONLY) for line in range(1000)]
    numbers += [ForSale(f"+447700900{line:03d}", "GB", MOBILE, VOICE_TEXT) for line in range(1000)]
    return {n.phone_number: n for n in numbers if n.phone_number != VERIFICATION_CALLER}


def offer(number: str) -> ForSale | None:
    return stock().get(number)


def kind_of(number: str) -> str:
    """Local, TollFree or Mobile, as the inventory sells the number; one given through the
    control surface is Local unless it is a North American toll-free number."""
    found = offer(number)
    if found is not None:
        return found.kind
    return TOLL_FREE if number.startswith("+1") and number[2:5] in US_TOLL_FREE else LOCAL


# Twilio docs: Contains allows digits and letters; letters are read off a phone keypad.
KEYPAD = {letter: digit for digit, letters in {"2": "abc", "3": "def", "4": "ghi", "5": "jkl", "6": "mno",
                                                "7": "pqrs", "8": "tuv", "9": "wxyz"}.items() for letter in letters}
CONTAINS = re.compile(r"^\+?[0-9A-Za-z*%]{2,16}\$?$")


def contains_pattern(contains: str) -> re.Pattern[str]:
    """The regular expression a Contains filter stands for (see the module docstring);
    ValueError when it is not a pattern Twilio's rules allow."""
    if not CONTAINS.match(contains) or len(re.sub(r"[*%+$]", "", contains)) < 2:
        raise ValueError(f"Contains {contains!r} is not a valid pattern")
    body = contains.strip("+$")
    expression = "".join(r"\d" if c == "*" else r"\d*" if c == "%" else KEYPAD.get(c.lower(), c) for c in body)
    return re.compile(("^" if contains.startswith("+") else "") + expression + ("$" if contains.endswith("$") else ""))


def truthy(value: str | None) -> bool | None:
    return None if value is None else value.strip().lower() == "true"


def search(country: str, kind: str, filters: Mapping[str, str], taken: Callable[[str], bool]) -> list[ForSale]:
    """The numbers of `country` and `kind` no account holds that pass `filters` (Twilio's
    query parameters), in inventory order. ValueError for a malformed Contains."""
    pattern = contains_pattern(filters["Contains"]) if filters.get("Contains") else None
    area_code = filters.get("AreaCode")
    wanted = {name: truthy(filters.get(f"{param}Enabled"))
              for name, param in (("sms", "Sms"), ("mms", "Mms"), ("voice", "Voice"), ("fax", "Fax"))}
    size = max(1, min(int(filters.get("PageSize") or 50), 1000))
    found: list[ForSale] = []
    for number in stock().values():
        if number.iso_country != country or number.kind != kind:
            continue
        if area_code and number.area_code is not None and number.area_code != area_code:
            continue
        if pattern is not None and not pattern.search(number.phone_number[1:]):
            continue
        if any(want is not None and bool(number.capabilities.get(name)) != want for name, want in wanted.items()):
            continue
        if taken(number.phone_number):
            continue
        found.append(number)
        if len(found) == size:
            break
    return found


def country_json(country: str, base: str) -> dict:
    """Twilio docs: AvailablePhoneNumber resource: one country; `base` is the account's
    AvailablePhoneNumbers path."""
    name, kinds = COUNTRIES[country]
    return {
        "beta": False,
        "country": name,
        "country_code": country,
        "subresource_uris": {SUBRESOURCE_NAMES[kind]: f"{base}/{country}/{kind}.json" for kind in kinds},
        "uri": f"{base}/{country}.json",
    }
