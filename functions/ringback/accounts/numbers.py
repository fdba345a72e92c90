"""The numbers a site calls and texts from, and the carrier account they are used in.

The carrier refuses a call From a number the account neither owns nor has verified
(Twilio error 21210) and a text From a number that is not an SMS-capable number of the
account (21606). A site's own number, the one printed on its pages, belongs to the
customer and not to our carrier account, so it is never a sender, and a caller ID only
once the tenant has verified it at the carrier (ringback.accounts.caller_ids); a tracking
number always is. Static numbers come first: a static number is a fixed line of the
business, while a pool number is shown to other visitors in turn, and a call back to it
would be attributed to whoever holds it then.

"The account" is the tenant's own carrier subaccount once it has one (its numbers are
bought there, ringback.accounts.number_shop), else our main account: each call, text and
recording request names it, because a number or caller ID of one account is refused in
every other.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ringback.accounts.sites import Site
    from ringback.calls.inbound import TrackingNumber
    from ringback.ports import TenantDirectory

# Where the site's chosen caller ID comes from (settings["callback"]["caller_id_source"]):
# one of its tracking numbers, or a caller ID verified in the tenant's carrier account,
# checked with the carrier when it was chosen (ringback.callbacks.settings).
TRACKING, VERIFIED = "tracking", "verified"


def in_preference_order(numbers: Iterable[TrackingNumber]) -> list[TrackingNumber]:
    return sorted(numbers, key=lambda n: (n.kind != "static", n.number))


def caller_id(site: Site, numbers: Iterable[TrackingNumber]) -> str | None:
    """The number a callback's legs call from: the site's `callback.caller_id` when it is a
    verified caller ID of the account or still one of its tracking numbers, else its first
    tracking number; None when it has none.

    A chosen tracking number that has since been released falls back to another one, as
    the carrier would refuse it; our API refuses to remove a verified caller ID while a
    site uses it, so it is used as chosen (one removed at the carrier's console is refused
    there, 21210, and the request fails as caller_id_refused)."""
    owned = in_preference_order(numbers)
    chosen, source = caller_id_choice(site)
    if chosen and source == VERIFIED:
        return chosen
    if chosen and any(n.number == chosen for n in owned):
        return chosen
    return owned[0].number if owned else None


def caller_id_choice(site: Site) -> tuple[str | None, str]:
    """The caller ID the site's callbacks were set to call from, and where it comes from
    (TRACKING or VERIFIED); (None, TRACKING) when the site leaves it to us."""
    settings = site.settings.get("callback", {})
    chosen = settings.get("caller_id") or None
    return chosen, (VERIFIED if chosen and settings.get("caller_id_source") == VERIFIED else TRACKING)


def sms_sender(numbers: Iterable[TrackingNumber], preferred: str | None = None) -> str | None:
    """The number a text goes from: `preferred` (the tracking number that was called, say)
    when it can text, else the site's first number that can; None when none can."""
    texting = [n.number for n in in_preference_order(numbers) if n.sms]
    if preferred in texting:
        return preferred
    return texting[0] if texting else None


class CarrierAccounts:
    """Which carrier account a tenant's calls, texts and recordings are in: its
    subaccount, or None for our main account (a tenant that has bought nothing yet, whose
    numbers were rented in the main account).

    Read from the directory itself, never a cache: a tenant's first purchase opens its
    subaccount, and a cached tenant from before it would send the next call from the main
    account, which the carrier refuses (21210). One read per call or text placed."""

    def __init__(self, tenants: TenantDirectory | None) -> None:
        self._tenants = tenants

    def of(self, tenant_id: str | None) -> str | None:
        if self._tenants is None or not tenant_id:
            return None
        tenant = self._tenants.get(tenant_id)
        return tenant.carrier_account if tenant is not None else None
