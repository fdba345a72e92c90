"""The carrier's accounts: the main account and its subaccounts, who may act on which, and
which account holds which number (one account at most holds a number).

Twilio docs: REST API: Accounts (https://www.twilio.com/docs/iam/api/account): POST
Accounts.json creates "a subaccount of the one used to make the request", its
FriendlyName defaulting to "SubAccount Created at {YYYY-MM-DD HH:MM meridian}"; an
account is active, suspended or closed; the resource carries the account's auth_token,
owner_account_sid, type (Trial or Full) and subresource_uris.

Twilio docs: REST API: Subaccounts (https://www.twilio.com/docs/iam/api/subaccounts):
- "You can use your main account credentials ... to access Twilio's REST API for your main
  account, as well as v2010 API resources for any of your subaccounts. You may also use a
  subaccount's AccountSid and AuthToken to access the resources of that subaccount. You
  can not use a subaccount's credentials to access the resources of your main Twilio
  account or any other subaccounts." (`may_act_on`; the refusals are in refusals.py)
- "If your main Twilio account is ever suspended, your subaccounts will also be
  suspended." (`is_active`)
- numbers move between a parent and its subaccounts by updating the number's AccountSid
  ("Exchanging numbers between subaccounts"; `transfer`).

A closed account cannot be re-opened (error 21479). That closing it also releases its
numbers at once, back to the carrier's inventory, is our reading: the Subaccounts page
only says that Twilio deletes a closed subaccount 30 days after closure.
"""
from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from devstack.carrier.account import ACTIVE, CLOSED, Account, NumberConfig
from devstack.carrier.records import account_path, new_sid, rfc2822

if TYPE_CHECKING:
    from devstack.carrier.clock import SimClock
    from devstack.carrier.inventory import ForSale

# Twilio docs: Account resource, subresource_uris: each collection under the account.
SUBRESOURCES = {
    "addresses": "Addresses", "applications": "Applications", "authorized_connect_apps": "AuthorizedConnectApps",
    "available_phone_numbers": "AvailablePhoneNumbers", "balance": "Balance", "calls": "Calls",
    "conferences": "Conferences", "connect_apps": "ConnectApps", "incoming_phone_numbers": "IncomingPhoneNumbers",
    "keys": "Keys", "messages": "Messages", "notifications": "Notifications",
    "outgoing_caller_ids": "OutgoingCallerIds", "queues": "Queues", "recordings": "Recordings",
    "short_codes": "SMS/ShortCodes", "signing_keys": "SigningKeys", "sip": "SIP", "transcriptions": "Transcriptions",
    "usage": "Usage",
}


def default_friendly_name(moment: datetime) -> str:
    return "SubAccount Created at " + moment.strftime("%Y-%m-%d %I:%M %p").lower()


def account_json(account: Account) -> dict:
    """Twilio docs: Account resource, its properties. The auth token is part of it: the
    account itself and its parent both see it."""
    base = account_path(account.sid)
    return {
        "auth_token": account.auth_token,
        "date_created": rfc2822(account.date_created),
        "date_updated": rfc2822(account.date_updated),
        "friendly_name": account.friendly_name,
        "owner_account_sid": account.owner_account_sid,
        "sid": account.sid,
        "status": account.status,
        "subresource_uris": {name: f"{base}/{path}.json" for name, path in SUBRESOURCES.items()},
        "type": "Full",
        "uri": f"{base}.json",
    }


class Accounts:
    def __init__(self, clock: SimClock, main_sid: str, main_token: str, friendly_name: str = "Main account") -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.main = Account(clock, main_sid, main_token, friendly_name, lock=self.lock)
        self._by_sid: dict[str, Account] = {main_sid: self.main}

    # -- the accounts ---------------------------------------------------------------------

    def create(self, owner: Account, friendly_name: str | None = None) -> Account:
        """A new subaccount of `owner`, with its own SID and auth token."""
        account = Account(self.clock, new_sid("AC"), uuid.uuid4().hex,
                          friendly_name or default_friendly_name(self.clock.now()), owner.sid, self.lock)
        with self.lock:
            self._by_sid[account.sid] = account
        return account

    def get(self, sid: str | None) -> Account | None:
        with self.lock:
            return self._by_sid.get(sid or "")

    def named(self, sid: str | None) -> Account:
        """The account `sid` names, the main account when it names none."""
        account = self.main if sid is None else self.get(sid)
        if account is None:
            raise LookupError(f"no account {sid}")
        return account

    def visible_to(self, caller: Account) -> list[Account]:
        """What GET Accounts.json lists: the caller and the subaccounts it owns."""
        with self.lock:
            found = [a for a in self._by_sid.values() if a is caller or a.owner_account_sid == caller.sid]
        return sorted(found, key=lambda a: a.date_created)

    def token_of(self, sid: str) -> str:
        """The auth token that signs the webhooks about the account `sid`."""
        account = self.get(sid)
        if account is None:
            raise KeyError(f"no account {sid} to sign for")
        return account.auth_token

    @staticmethod
    def may_act_on(caller: Account, target: Account) -> bool:
        return target is caller or target.owner_account_sid == caller.sid

    def is_active(self, account: Account) -> bool:
        if account.status != ACTIVE:
            return False
        owner = self.get(account.owner_account_sid)
        return owner is None or owner is account or owner.status == ACTIVE

    def set_status(self, account: Account, status: str) -> None:
        with self.lock:
            account.status = status
            account.date_updated = self.clock.now()
            if status == CLOSED:
                account.numbers.clear()
                account.caller_ids.clear()

    # -- who holds which number -------------------------------------------------------------

    def owning(self, number: str) -> tuple[Account, NumberConfig] | None:
        with self.lock:
            for account in self._by_sid.values():
                config = account.numbers.get(number)
                if config is not None:
                    return account, config
        return None

    def is_taken(self, number: str) -> bool:
        return self.owning(number) is not None

    def numbers(self) -> dict[str, NumberConfig]:
        """Every number some account holds, by number."""
        with self.lock:
            return {n: c for account in self._by_sid.values() for n, c in account.numbers.items()}

    def give(self, number: str, account: Account, voice_url: str | None = None, status_callback: str | None = None,
             sms_url: str | None = None, voice_method: str = "POST",
             capabilities: Mapping[str, bool] | None = None) -> NumberConfig:
        """The control surface's number: `account` holds it, configured as given. A number
        another account held moves over with its SID, as a transfer keeps it."""
        with self.lock:
            held = self.owning(number)
            if held is not None and held[0] is not account:
                held[0].release(number)
            config = account.add_number(number, voice_url, status_callback, sms_url, voice_method, capabilities)
            if held is not None:
                config.sid, config.date_created = held[1].sid, held[1].date_created
            return config

    def buy(self, account: Account, offer: ForSale, friendly_name: str | None = None, voice_url: str | None = None,
            voice_method: str = "POST", status_callback: str | None = None, status_callback_method: str = "POST",
            sms_url: str | None = None, sms_method: str = "POST") -> NumberConfig | None:
        """Twilio docs: IncomingPhoneNumber resource, "Create": `account` buys the number,
        with the capabilities it was offered with. None when some account holds it already
        (two buyers racing for one number: the second one loses)."""
        with self.lock:
            if self.is_taken(offer.phone_number):
                return None
            now = self.clock.now()
            return account.hold(NumberConfig(
                offer.phone_number, voice_url, voice_method or "POST", status_callback,
                status_callback_method or "POST", sms_url, sms_method or "POST", dict(offer.capabilities),
                date_created=now, friendly_name=friendly_name, date_updated=now,
            ))

    def release(self, number: str) -> NumberConfig:
        """Whoever holds `number` no longer does: it is for sale again if the carrier's
        inventory has it."""
        with self.lock:
            held = self.owning(number)
            if held is None:
                raise LookupError(f"no account owns {number}")
            return held[0].release(number)

    def transfer(self, config: NumberConfig, to: Account) -> NumberConfig:
        """The number, SID and configuration unchanged, now belongs to `to`."""
        with self.lock:
            held = self.owning(config.number)
            if held is not None:
                held[0].release(config.number)
            config.date_updated = self.clock.now()
            return to.hold(config)
