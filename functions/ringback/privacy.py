"""Phone numbers never reach a log in full.

A masked number keeps its country code and last two digits: enough to tell two callers
apart while debugging, not enough to call anyone.
"""
from __future__ import annotations

import re
from typing import Any

import phonenumbers

# A run of 7 to 15 digits, optionally led by + and broken by spaces, dots, dashes or
# brackets: the national and international formats the product handles. It may not start
# inside a word, a number or an ISO date, so ids and timestamps are left alone.
_PHONE_LIKE = re.compile(r"(?<![\w+:.-])(?!\d{4}-\d{2}-\d{2})\+?\(?\d(?:[\s().-]{0,2}\d){6,14}(?![\w:])")
# Form-encoded webhook bodies carry "+" as %2B (From=%2B14155550100).
_URL_ENCODED = re.compile(r"%2B(\d{7,15})(?!\d)", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s().-]")


def _looks_like_phone(run: str) -> bool:
    digits = sum(ch.isdigit() for ch in run)
    if run.startswith("+") or _SEPARATORS.search(run.strip()):
        return 7 <= digits <= 15
    # An unformatted run is a phone only at national or international length; 13 digits
    # and more is an epoch in milliseconds or an id far more often than a number.
    return 10 <= digits <= 12


def mask_phone(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    if len(digits) < 7:
        return number
    head = ""
    if number.strip().startswith("+"):
        try:
            head = f"+{phonenumbers.parse(number, None).country_code}"
        except phonenumbers.NumberParseException:
            head = "+"
    hidden = len(digits) - (len(head) - 1 if head else 0) - 2
    return f"{head}{'*' * max(hidden, 1)}{digits[-2:]}"


def mask_text(text: str) -> str:
    """Mask every phone-like run in free text (log messages, URLs, payloads)."""
    def mask(match: re.Match[str]) -> str:
        run = match.group(0)
        stripped = run.rstrip()
        if not _looks_like_phone(stripped):
            return run
        return mask_phone(stripped) + run[len(stripped):]

    text = _URL_ENCODED.sub(lambda m: "%2B" + mask_phone("+" + m.group(1))[1:], text)
    return _PHONE_LIKE.sub(mask, text)


def mask_value(value: Any) -> Any:
    """Mask strings anywhere inside a JSON-like structure."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: mask_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [mask_value(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    # Anything else (an exception object, a Decimal, a datetime) is logged through str().
    return mask_text(str(value))
