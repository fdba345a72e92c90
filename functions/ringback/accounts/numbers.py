"""The numbers a site calls and texts from: the tracking numbers its account rents from
the carrier.

The carrier refuses a call From a number the account neither owns nor has verified
(Twilio error 21210) and a text From a number that is not an SMS-capable number of the
account (21606). A site's own number, the one printed on its pages, belongs to the
customer and not to our carrier account, so it is never a caller ID or a sender; a
tracking number is. Static numbers come first: a static number is a fixed line of the
business, while a pool number is shown to other visitors in turn, and a call back to it
would be attributed to whoever holds it then.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from ringback.calls.inbound import TrackingNumber
    from ringback.accounts.sites import Site


def in_preference_order(numbers: Iterable["TrackingNumber"]) -> list["TrackingNumber"]:
    return sorted(numbers, key=lambda n: (n.kind != "static", n.number))


def caller_id(site: "Site", numbers: Iterable["TrackingNumber"]) -> str | None:
    """The number a callback's legs call from: the site's `callback.caller_id` when it is
    one of its tracking numbers (provisioning refuses any other), else its first tracking
    number; None when it has none."""
    owned = in_preference_order(numbers)
    chosen = site.settings.get("callback", {}).get("caller_id")
    if chosen and any(n.number == chosen for n in owned):
        return chosen
    return owned[0].number if owned else None


def sms_sender(numbers: Iterable["TrackingNumber"], preferred: str | None = None) -> str | None:
    """The number a text goes from: `preferred` (the tracking number that was called, say)
    when it can text, else the site's first number that can; None when none can."""
    texting = [n.number for n in in_preference_order(numbers) if n.sms]
    if preferred in texting:
        return preferred
    return texting[0] if texting else None
