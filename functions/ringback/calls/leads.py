"""What the business says about a call (CRM-lite): its lead status, the sale's value, tags,
notes, whether somebody has followed it up, and who said so last.

The lead lives on the call record (`calls.lead`, JSON) beside a version of its own
(`calls.lead_version`), not the call's: the carrier's webhooks keep writing the call's
status, outcome and texts while a user edits it, and those writes must neither refuse a
user's edit nor be undone by it. The version is the lead's ETag; a change is written only
over the version it was read at, so two users never overwrite each other silently.

This module is the lead's rules as plain values; `desk.py` reads, checks and stores them.
"""
from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING, Any

from ringback.errors import Conflict, InvalidInput

if TYPE_CHECKING:
    from ringback.accounts.tenants import Principal

LEAD_STATUSES = ("new", "lead", "not_lead", "spam", "sale")
# What the reports count as a lead: a call somebody qualified (a sale is one too).
QUALIFIED = ("lead", "sale")
FOLLOW_UPS = ("open", "done")
MAX_TAGS = 20
MAX_TAG_CHARS = 40
# Notes are kept on the call item, which DynamoDB holds to 400 KB: 100 notes of 2,000
# characters fit beside the attribution with room to spare.
MAX_NOTES = 100
MAX_NOTE_CHARS = 2000
# Accounts have no currency of their own yet (an ad-spend upload names its own), so a
# sale is in US dollars unless the change names another.
DEFAULT_CURRENCY = "USD"
_CURRENCY = re.compile(r"^[A-Z]{3}$")

# PATCH /v1/calls/{id}: what may be sent; rules across fields (a value only for a sale)
# are changed_lead()'s.
LEAD_CHANGE = {
    "type": "object", "additionalProperties": False, "required": ["lead"],
    "properties": {"lead": {
        "type": "object", "additionalProperties": False, "minProperties": 1,
        "properties": {
            "status": {"type": "string", "enum": list(LEAD_STATUSES)},
            "value": {"type": ["number", "null"], "minimum": 0},
            "currency": {"type": ["string", "null"]},
            "tags": {"type": "array", "items": {"type": "string"}},
            "followUp": {"type": "string", "enum": list(FOLLOW_UPS)},
        },
    }},
}
NEW_NOTE = {"type": "object", "additionalProperties": False, "required": ["text"],
            "properties": {"text": {"type": "string"}}}


def new_lead() -> dict[str, Any]:
    """A call nobody has qualified yet."""
    return {"status": "new", "value": None, "currency": None, "tags": [], "notes": [], "updated_by": None,
            "updated_at": None, "follow_up": "open"}


def lead_of(stored: dict[str, Any] | None) -> dict[str, Any]:
    """The stored lead with every field present (a call stored before leads has none)."""
    return {**new_lead(), **(stored or {})}


def author_of(principal: Principal) -> str:
    """Who a change is shown as: the signed-in user's e-mail (what colleagues recognise),
    else their actor (`key:{id}` for an API key, `user:{sub}` without an e-mail). The
    audit log keeps the actor either way."""
    if principal.key_id is None and principal.email:
        return principal.email
    return principal.actor


def normalised_tags(tags: list[Any]) -> list[str]:
    """Trimmed, lower case, each once, in the order given."""
    kept: list[str] = []
    for raw in tags:
        if not isinstance(raw, str):
            raise _invalid("a tag is a string", "lead.tags")
        tag = " ".join(raw.split()).lower()
        if not tag:
            raise _invalid("a tag may not be empty", "lead.tags")
        if len(tag) > MAX_TAG_CHARS:
            raise _invalid(f"a tag has at most {MAX_TAG_CHARS} characters", "lead.tags")
        if "," in tag:
            # The analytics table keeps a call's tags as one comma-separated column.
            raise _invalid("a tag may not contain a comma", "lead.tags")
        if tag not in kept:
            kept.append(tag)
    if len(kept) > MAX_TAGS:
        raise _invalid(f"a call has at most {MAX_TAGS} tags", "lead.tags")
    return kept


def changed_lead(lead: dict[str, Any], change: dict[str, Any], author: str, now_ms: int,
                 default_currency: str = DEFAULT_CURRENCY) -> dict[str, Any]:
    """The lead after a change (LEAD_CHANGE's "lead"): a field left out stays as it was. A
    value and a currency belong to a sale only; a lead that stops being a sale loses them."""
    after = dict(lead)
    if "status" in change:
        after["status"] = change["status"]
    if "tags" in change:
        after["tags"] = normalised_tags(change["tags"])
    if "followUp" in change:
        after["follow_up"] = change["followUp"]
    value, currency = change.get("value"), change.get("currency")
    if after["status"] != "sale":
        if value is not None or currency is not None:
            raise _invalid("a value and a currency are a sale's: send status sale with them", "lead.value",
                           code="value_needs_sale")
        after["value"], after["currency"] = None, None
    else:
        if "value" in change:
            if isinstance(value, bool) or (value is not None and not isinstance(value, (int, float))):
                raise _invalid("value is a number", "lead.value")
            if value is not None and value < 0:
                raise _invalid("value may not be negative", "lead.value")
            after["value"] = value
        if currency is not None:
            currency = currency.strip().upper()
            if not _CURRENCY.match(currency):
                raise _invalid("currency is an ISO 4217 code such as USD", "lead.currency")
            after["currency"] = currency
        after["currency"] = after.get("currency") or default_currency
    if _meaning(after) != _meaning(lead):
        after["updated_by"], after["updated_at"] = author, now_ms
    return after


def with_note(lead: dict[str, Any], text: Any, author: str, now_ms: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The lead with one more note, and the note."""
    if not isinstance(text, str) or not text.strip():
        raise _invalid("a note has text", "text")
    text = text.strip()
    if len(text) > MAX_NOTE_CHARS:
        raise _invalid(f"a note has at most {MAX_NOTE_CHARS} characters", "text")
    if len(lead["notes"]) >= MAX_NOTES:
        raise Conflict(f"a call keeps at most {MAX_NOTES} notes", code="too_many_notes",
                       details={"limit": MAX_NOTES})
    note = {"note_id": "n_" + secrets.token_hex(6), "text": text, "author": author, "at": now_ms}
    return {**lead, "notes": [*lead["notes"], note], "updated_by": author, "updated_at": now_ms}, note


def summary(lead: dict[str, Any]) -> dict[str, Any]:
    """The lead without its notes' text: what an event and an audit entry carry (the notes
    could outgrow a queue message, 256 KB, and an audit item, 400 KB)."""
    out = {key: value for key, value in lead.items() if key != "notes"}
    out["notes_count"] = len(lead.get("notes") or ())
    return out


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [key for key in ("status", "value", "currency", "tags", "follow_up", "notes")
            if before.get(key) != after.get(key)]


def _meaning(lead: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(lead.get(k) if k != "tags" else tuple(lead.get(k) or ())
                 for k in ("status", "value", "currency", "tags", "follow_up"))


def _invalid(message: str, field: str, code: str = "invalid_field") -> InvalidInput:
    return InvalidInput(message, code=code, details={"field": field})
