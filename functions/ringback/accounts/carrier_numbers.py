"""Numbers at the carrier, in our words: what is for sale and what an account owns.

Each tenant's numbers live in a subaccount of our carrier account (Twilio: one
subaccount per customer), opened on its first purchase and named on the tenant
(`Tenant.carrier_account`). The carrier signs a number's webhooks with the token of the
account that owns it, so the webhook check asks the carrier for that token
(`NumberCarrier.auth_token`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ringback.errors import Forbidden

if TYPE_CHECKING:
    from ringback.ports import NumberCarrier

KINDS = ("local", "toll_free", "mobile")
# A subaccount's webhook token is asked for again, after a signature that did not match,
# at most this often.
REFRESH_MS = 5_000


@dataclass(frozen=True)
class Capabilities:
    voice: bool = True
    sms: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"voice": self.voice, "sms": self.sms}


@dataclass(frozen=True)
class AvailableNumber:
    number: str  # E.164
    locality: str | None
    region: str | None
    country: str  # ISO 3166 alpha-2
    capabilities: Capabilities

    def as_json(self) -> dict[str, Any]:
        return {"number": self.number, "locality": self.locality, "region": self.region, "country": self.country,
                "capabilities": self.capabilities.as_json()}


@dataclass(frozen=True)
class OwnedNumber:
    sid: str  # the carrier's id of the number in its account
    number: str
    capabilities: Capabilities


class SigningTokens:
    """The auth token a webhook was signed with, by the AccountSid it names: our main
    account's own, or a subaccount's, asked of the carrier once and kept until a
    signature fails to match it (`refreshed`: a rotated token); a refusal is not kept, so
    a subaccount opened since is found on its first call.
    A request naming an account that is not ours is refused before anything is read."""

    def __init__(self, carrier: NumberCarrier | None) -> None:
        self._carrier = carrier
        self._tokens: dict[str, str] = {}
        self._asked: dict[str, int] = {}  # when a subaccount's token was last asked for again

    def for_account(self, account_sid: str | None, main_sid: str | None, main_token: str | None) -> str | None:
        if not account_sid or account_sid == main_sid or not main_token:
            # No AccountSid: the main account's check, as before; no token at all:
            # verify() refuses the webhook itself (carrier_not_configured).
            return main_token
        token = self._tokens.get(account_sid)
        if token is None and self._carrier is not None:
            token = self._carrier.auth_token(account_sid)
            if token:
                self._tokens[account_sid] = token
        if not token:
            raise Forbidden("the webhook names a carrier account that is not ours", code="unknown_carrier_account")
        return token

    def refreshed(self, account_sid: str | None, main_sid: str | None,
                  refresh_main: Callable[[], str | None], now_ms: int) -> str | None:
        """After a signature that did not match: the token asked for again, since it may
        have been rotated after it was read, or None when no newer one is known. The main
        account's comes from `refresh_main` (the application secret, read again); a
        subaccount's from the carrier, at most once per REFRESH_MS per account, so forged
        requests cannot turn into a stream of carrier API calls."""
        if not account_sid or account_sid == main_sid:
            return refresh_main()
        if self._carrier is None or now_ms - self._asked.get(account_sid, -REFRESH_MS) < REFRESH_MS:
            return None
        self._asked[account_sid] = now_ms
        token = self._carrier.auth_token(account_sid)
        if not token or token == self._tokens.get(account_sid):
            return None
        self._tokens[account_sid] = token
        return token
