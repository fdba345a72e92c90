"""A site's inbound routing as the call plan reads it: how its destinations are rung, what
the operator hears, whether the call is recorded, and what a caller nobody answers (or who
calls off hours) gets.

It is stored in `site.settings["calls"]` (snake_case, beside the site's
`destination_numbers`), written by the management API (ringback.accounts.site_settings)
and read here with the defaults a site that never set it has.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ringback.accounts.sites import Site

DEFAULT_RING_SECONDS = 20
STRATEGIES = ("all_at_once", "in_order")
OFF_HOURS_ACTIONS = ("voicemail", "forward", "hangup")
# What a whisper template may name: the call's attribution, and the site.
WHISPER_FIELDS = ("summary", "site", "source", "medium", "campaign", "keyword", "landing_page")
PLACEHOLDER = re.compile(r"\{(\w+)(?:\|([^}]*))?\}")

CLOSED_VOICEMAIL = "We are closed. Please leave a message."
CLOSED_HANGUP = "We are closed. Please call again during our opening hours."
NO_DESTINATION_VOICEMAIL = "Please leave a message."
MISSED_VOICEMAIL = "Sorry, nobody could answer. Please leave a message after the tone."
MISSED_HANGUP = "Sorry, nobody could answer. Please call again later."


@dataclass(frozen=True)
class InboundRouting:
    strategy: str = "all_at_once"  # all_at_once: every destination rings; in_order: one after another
    ring_seconds: int = DEFAULT_RING_SECONDS  # in order: each destination's share
    whisper: bool = True
    whisper_text: str | None = None  # a template (WHISPER_FIELDS); None: the summary
    record: bool = True
    recording_notice: str | None = None
    voicemail: bool = True  # nobody answered: a message can be left, or the call ends
    voicemail_prompt: str | None = None  # what the caller hears then, either way
    off_hours_action: str = "voicemail"
    off_hours_number: str | None = None
    off_hours_prompt: str | None = None

    @staticmethod
    def of(site: Site, number: str | None = None) -> InboundRouting:
        """The site's routing, or the tracking number's own where it has one (a number
        printed in one branch's ads rings that branch)."""
        stored: dict[str, Any] = override_of(site, number) or site.settings.get("calls", {}) or {}
        off_hours = stored.get("off_hours") or {}
        defaults = InboundRouting()
        return InboundRouting(
            strategy=stored.get("strategy", defaults.strategy),
            ring_seconds=int(stored.get("ring_seconds", defaults.ring_seconds)),
            whisper=bool(stored.get("whisper", True)),
            whisper_text=stored.get("whisper_text"),
            record=bool(stored.get("record", True)),
            recording_notice=stored.get("recording_notice"),
            voicemail=bool(stored.get("voicemail", True)),
            voicemail_prompt=stored.get("voicemail_prompt"),
            off_hours_action=off_hours.get("action", defaults.off_hours_action),
            off_hours_number=off_hours.get("number"),
            off_hours_prompt=off_hours.get("prompt"),
        )

    def stored(self) -> dict[str, Any]:
        """As kept in site.settings["calls"]; unset texts are left out."""
        flat = asdict(self)
        off_hours = {"action": flat.pop("off_hours_action"), "number": flat.pop("off_hours_number"),
                     "prompt": flat.pop("off_hours_prompt")}
        kept = {k: v for k, v in flat.items() if v is not None}
        kept["off_hours"] = {k: v for k, v in off_hours.items() if v is not None}
        return kept


def override_of(site: Site, number: str | None) -> dict[str, Any] | None:
    """A tracking number's own routing (stored like the site's, with its destinations)."""
    if not number:
        return None
    override: dict[str, Any] | None = (site.settings.get("number_routing") or {}).get(number)
    return override


def destinations_of(site: Site, number: str | None = None) -> tuple[str, ...]:
    override = override_of(site, number)
    return tuple(override["destinations"]) if override is not None else tuple(site.destination_numbers)


def summary(attribution: dict[str, Any]) -> str:
    """The built-in whisper: where the caller came from."""
    if attribution.get("method", "unattributed") == "unattributed" or not attribution.get("source"):
        return "Call from your website."
    parts = [attribution["source"]]
    if attribution.get("campaign"):
        parts.append(f"campaign {attribution['campaign']}")
    if attribution.get("keyword"):
        parts.append(f"keyword {attribution['keyword']}")
    return "Call from " + ", ".join(str(p) for p in parts) + "."


def whisper_text(attribution: dict[str, Any], template: str | None = None, site_name: str = "") -> str:
    """What the operator hears. A template names fields as {source} or {source|fallback};
    a field the call does not have becomes its fallback, or nothing."""
    if not template:
        return summary(attribution)
    values: dict[str, Any] = {"summary": summary(attribution), "site": site_name}
    if attribution.get("method", "unattributed") != "unattributed":
        values.update({k: attribution.get(k) for k in WHISPER_FIELDS if k not in values})

    def fill(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        return str(value) if value not in (None, "") else (match.group(2) or "")

    return " ".join(PLACEHOLDER.sub(fill, template).split()) or summary(attribution)


def unknown_placeholders(template: str) -> list[str]:
    return [name for name, _ in PLACEHOLDER.findall(template) if name not in WHISPER_FIELDS]
