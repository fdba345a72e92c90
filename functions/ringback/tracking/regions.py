"""Where a caller's phone is registered, and where a visit came from, compared.

A phone's place comes from phonenumbers' offline geocoder ("San Francisco, CA", "Texas",
"Moscow"); a visit's from CloudFront's viewer headers (country, ISO 3166-2 subdivision
code such as "CA", and city). North American numbers name their state or province, so
they compare by subdivision; elsewhere the geocoder names a city or region, compared by
name with the viewer's city.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from types import ModuleType

import phonenumbers

# The geocoder names some North American areas by the state alone ("Texas").
SUBDIVISIONS = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO",
    "connecticut": "CT", "delaware": "DE", "district of columbia": "DC", "washington d.c.": "DC", "florida": "FL",
    "georgia": "GA", "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS",
    "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI",
    "minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV",
    "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM", "new york": "NY", "north carolina": "NC",
    "north dakota": "ND", "ohio": "OH", "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA",
    "rhode island": "RI", "south carolina": "SC", "south dakota": "SD", "tennessee": "TN", "texas": "TX",
    "utah": "UT", "vermont": "VT", "virginia": "VA", "washington state": "WA", "washington": "WA",
    "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY", "puerto rico": "PR",
    "alberta": "AB", "british columbia": "BC", "manitoba": "MB", "new brunswick": "NB", "newfoundland": "NL",
    "nova scotia": "NS", "ontario": "ON", "quebec": "QC", "saskatchewan": "SK", "yukon": "YT",
}
NORTH_AMERICA = ("US", "CA", "PR")


@dataclass(frozen=True)
class Place:
    country: str | None = None
    subdivision: str | None = None  # ISO 3166-2 code without the country ("NY")
    city: str | None = None

    @property
    def known(self) -> bool:
        return bool(self.subdivision or self.city)


def _name(text: str | None) -> str | None:
    if not text:
        return None
    name = text.strip().casefold().replace("saint ", "st ").replace("st. ", "st ")
    return name or None


@cache
def _geocoder() -> ModuleType:
    """phonenumbers' geocoder, imported on first use: its data is 287,000 prefixes (0.3 s
    of CPU to load from the layer's JSON, infra/bundling.py; seconds to compile from the
    generated modules), and only an inbound call asks where a phone is registered."""
    from phonenumbers import geocoder

    return geocoder


def describe_phone(number: phonenumbers.PhoneNumber) -> str:
    """Where the geocoder says a number is registered ("San Francisco, CA"); "" if unknown."""
    return _geocoder().description_for_number(number, "en") or ""


def phone_place(number: str) -> Place:
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return Place()
    country = phonenumbers.region_code_for_number(parsed)
    description = describe_phone(parsed)
    city, _, tail = description.rpartition(", ")
    if country in NORTH_AMERICA:
        if len(tail) == 2 and tail.isupper():
            return Place(country, tail, _name(city))
        return Place(country, SUBDIVISIONS.get(description.casefold()), None)
    return Place(country, None, _name(description))


def visit_place(region: dict[str, str]) -> Place:
    country = (region.get("country") or "").upper() or None
    subdivision = (region.get("region") or "").upper() or None
    return Place(country, subdivision, _name(region.get("city")))


def same_place(phone: Place, visit: Place) -> bool | None:
    """True or False when the two can be compared below the country, None otherwise."""
    if phone.country and visit.country and phone.country != visit.country:
        return False
    if phone.subdivision and visit.subdivision:
        return phone.subdivision == visit.subdivision
    if phone.city and visit.city:
        return phone.city == visit.city
    return None


def place_key(place: Place) -> str | None:
    """What two places share when same_place says True: for counting a region's visits."""
    if place.subdivision:
        return f"{place.country}:{place.subdivision}"
    if place.city:
        return f"{place.country}:{place.city}"
    return None
