"""What the widget is offered: the callback settings of a site as a visitor may see
them (countries, whether it is open, the next opening and bookable slots), and the
visitor's number read the way the site's country writes it."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import phonenumbers
from phonenumbers import PhoneNumberType

from ringback.callbacks.model import SLOT_HORIZON_MS
from ringback.callbacks.policy import DialPolicy
from ringback.errors import InvalidInput
from ringback.hours import is_open, next_opening

if TYPE_CHECKING:
    from ringback.accounts.sites import Site


def visitor_phone(raw: str, country: str | None) -> phonenumbers.PhoneNumber:
    if not isinstance(raw, str) or not 3 <= len(raw) <= 32:
        raise InvalidInput("enter your phone number", code="invalid_phone")
    try:
        number = phonenumbers.parse(raw, (country or "").upper() or None)
    except phonenumbers.NumberParseException:
        raise InvalidInput("this is not a phone number", code="invalid_phone") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput("this phone number is not valid", code="invalid_phone")
    return number


def e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def callback_settings(site: Site) -> dict[str, Any]:
    return cast(dict[str, Any], site.settings.get("callback", {}))


def allowed_countries(site: Site) -> tuple[str, ...]:
    return tuple(c.upper() for c in callback_settings(site).get("countries") or (site.country,))


def country_choices(site: Site) -> list[dict[str, Any]]:
    """What the widget needs to check a number as the visitor types, per allowed country."""
    out = []
    for code in allowed_countries(site):
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(code)
        example = phonenumbers.example_number_for_type(code, PhoneNumberType.MOBILE)
        if metadata is None or example is None:
            continue
        # Every region's metadata has its general description.
        lengths = sorted(set(metadata.general_desc.possible_length or ()))  # type: ignore[union-attr]
        out.append({"code": code, "dial": str(metadata.country_code), "lengths": lengths,
                    "example": phonenumbers.national_significant_number(example)})
    return out


def public_config(site: Site, now_ms: int, viewer_country: str | None) -> dict[str, Any]:
    """The widget's settings for a page: triggers, targeting, theme and the hours."""
    settings = callback_settings(site)
    open_now = is_open(site.working_hours, site.timezone, now_ms)
    countries = country_choices(site)
    codes = [c["code"] for c in countries]
    viewer = (viewer_country or "").upper() or None
    config: dict[str, Any] = {
        "enabled": bool(settings.get("enabled", True)) and bool(DialPolicy.for_site(site).operators),
        "locale": settings.get("locale", "auto"),
        "theme": settings.get("theme", {}),
        "triggers": settings.get("triggers", {"secondsOnPage": 30, "exitIntent": True, "cooldownHours": 24}),
        "targeting": settings.get("targeting", {}),
        "viewerCountry": viewer,
        "open": open_now,
        "nextOpening": None,
        "nextOpeningLocal": None,
        "slots": [],
        "countries": countries,
        "defaultCountry": viewer if viewer in codes else (codes[0] if codes else site.country),
    }
    if not open_now:
        slots = opening_slots(site, now_ms, 6)
        if slots:
            config["nextOpening"] = slots[0]["at"]
            config["nextOpeningLocal"] = slots[0]["label"].split(" ")[-1]
        config["slots"] = slots
    return config


def opening_slots(site: Site, now_ms: int, count: int) -> list[dict[str, Any]]:
    """The site's next openings (each working range's start), labelled in its own time."""
    from datetime import UTC, datetime

    from ringback.hours import zone

    slots: list[dict[str, Any]] = []
    at = now_ms
    tz = zone(site.timezone)
    while len(slots) < count:
        try:
            at = next_opening(site.working_hours, site.timezone, at)
        except InvalidInput:
            break
        if at - now_ms > SLOT_HORIZON_MS:
            break
        local = datetime.fromtimestamp(at / 1000, tz=UTC).astimezone(tz)
        slots.append({"at": at, "label": f"{local:%a %H:%M}"})
        # Past this range, to the next one's start.
        while is_open(site.working_hours, site.timezone, at) and at - now_ms <= SLOT_HORIZON_MS:
            at += 15 * 60_000
    return slots

