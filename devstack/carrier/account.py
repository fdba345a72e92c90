"""An account at the carrier (the main account or one of its subaccounts): its credentials
and status, the phone numbers it owns and the caller IDs it has verified. The accounts
together, and the rules between them, are in `accounts.py`.

Twilio docs: IncomingPhoneNumber resource
(https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource): a number
provisioned on the account, with `capabilities` {voice, sms, mms, fax}, `voice_url`,
`sms_url` and `status_callback` (called when a call to the number ends).
Twilio docs: OutgoingCallerId resource
(https://www.twilio.com/docs/voice/api/outgoing-caller-ids): a number that is not a
Twilio number but that the account has verified it may show as caller ID.

Who may be the `From` of what (what the REST API refuses is in `refusals.py`):
- a call: a voice-capable number the account owns, or a verified caller ID (Twilio docs:
  "Making calls": the From "must be a Twilio phone number ... or a verified outgoing caller
  id for your account"; error 21210 otherwise);
- a text: an SMS-capable number the account owns, never a verified caller ID (Twilio
  docs: error 21601: "3rd party phone numbers such as validated CallerIDs cannot be used
  to send messages"; error 21606 otherwise).
"""
from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from devstack.carrier.records import API_VERSION, account_path, formatted, is_phone_number, new_sid, rfc2822

if TYPE_CHECKING:
    from devstack.carrier.clock import SimClock

CAPABILITIES = ("voice", "sms", "mms", "fax")
# What add_number gives a number unless told otherwise: a local number that takes calls
# and texts (MMS and fax are not simulated, so they stay off).
DEFAULT_CAPABILITIES = {"voice": True, "sms": True, "mms": False, "fax": False}


def capabilities_from(given: Mapping[str, bool] | None) -> dict[str, bool]:
    """The defaults with `given` laid over them; an unknown capability is a mistake."""
    merged = dict(DEFAULT_CAPABILITIES)
    for name, value in (given or {}).items():
        if name not in CAPABILITIES:
            raise ValueError(f"unknown capability {name!r}: one of {CAPABILITIES}")
        merged[name] = bool(value)
    return merged


@dataclass
class NumberConfig:
    """An incoming phone number of the account (Twilio docs: IncomingPhoneNumber resource)."""

    number: str
    voice_url: str | None = None
    voice_method: str = "POST"
    status_callback: str | None = None
    status_callback_method: str = "POST"
    sms_url: str | None = None
    sms_method: str = "POST"
    capabilities: dict[str, bool] = field(default_factory=lambda: dict(DEFAULT_CAPABILITIES))
    sid: str = field(default_factory=lambda: new_sid("PN"))
    date_created: datetime | None = None
    friendly_name: str | None = None  # None: the formatted number, as Twilio defaults it
    date_updated: datetime | None = None

    @property
    def takes_calls(self) -> bool:
        return self.capabilities.get("voice", False)

    @property
    def takes_texts(self) -> bool:
        return self.capabilities.get("sms", False)

    def control_json(self) -> dict:
        """What POST /_carrier/numbers answers: the configuration as it was given."""
        return {
            "number": self.number, "sid": self.sid, "capabilities": dict(self.capabilities),
            "voice_url": self.voice_url, "voice_method": self.voice_method,
            "status_callback": self.status_callback, "status_callback_method": self.status_callback_method,
            "sms_url": self.sms_url, "sms_method": self.sms_method,
        }

    def as_json(self, account_sid: str) -> dict:
        """Twilio docs: IncomingPhoneNumber resource, its properties. The friendly name
        defaults to the formatted number, as a number bought in the Console shows it."""
        created = rfc2822(self.date_created)
        return {
            "account_sid": account_sid,
            "address_requirements": "none",
            "address_sid": None,
            "api_version": API_VERSION,
            "beta": False,
            "bundle_sid": None,
            "capabilities": dict(self.capabilities),
            "date_created": created,
            "date_updated": rfc2822(self.date_updated) or created,
            "emergency_address_sid": None,
            "emergency_address_status": "unregistered",
            "emergency_status": "Inactive",
            "friendly_name": self.friendly_name or formatted(self.number),
            "identity_sid": None,
            "origin": "twilio",
            "phone_number": self.number,
            "sid": self.sid,
            "sms_application_sid": None,
            "sms_fallback_method": "POST",
            "sms_fallback_url": None,
            "sms_method": self.sms_method,
            "sms_url": self.sms_url,
            "status": "in-use",
            "status_callback": self.status_callback,
            "status_callback_method": self.status_callback_method,
            "subresource_uris": {
                "assigned_add_ons": f"{account_path(account_sid)}/IncomingPhoneNumbers/{self.sid}/AssignedAddOns.json",
            },
            "trunk_sid": None,
            "uri": f"{account_path(account_sid)}/IncomingPhoneNumbers/{self.sid}.json",
            "voice_application_sid": None,
            "voice_caller_id_lookup": False,
            "voice_fallback_method": "POST",
            "voice_fallback_url": None,
            "voice_method": self.voice_method,
            "voice_receive_mode": "voice",
            "voice_url": self.voice_url,
        }


@dataclass
class OutgoingCallerId:
    """A verified caller ID (Twilio docs: OutgoingCallerId resource: sid, phone_number,
    friendly_name, account_sid, date_created, date_updated, uri; its SID starts with PN)."""

    phone_number: str
    friendly_name: str
    date_created: datetime
    sid: str = field(default_factory=lambda: new_sid("PN"))

    def as_json(self, account_sid: str) -> dict:
        created = rfc2822(self.date_created)
        return {
            "account_sid": account_sid,
            "date_created": created,
            "date_updated": created,
            "friendly_name": self.friendly_name,
            "phone_number": self.phone_number,
            "sid": self.sid,
            "uri": f"{account_path(account_sid)}/OutgoingCallerIds/{self.sid}.json",
        }


# Twilio docs: Account resource: status is active, suspended or closed.
ACTIVE, SUSPENDED, CLOSED = "active", "suspended", "closed"
STATUSES = (ACTIVE, SUSPENDED, CLOSED)


class Account:
    """One account: its SID and auth token, its status, its IncomingPhoneNumbers and
    verified OutgoingCallerIds, and who may be the From of a call or a text.

    Twilio docs: Account resource (https://www.twilio.com/docs/iam/api/account): "The
    OwnerAccountSid of a parent account is its own sid", so a subaccount is an account
    whose owner is another one. All accounts of a carrier share one lock (`accounts.py`
    moves numbers between them)."""

    def __init__(self, clock: SimClock, sid: str, auth_token: str, friendly_name: str,
                 owner_account_sid: str | None = None, lock: threading.RLock | None = None) -> None:
        self.clock = clock
        self.lock = lock or threading.RLock()
        self.sid = sid
        self.auth_token = auth_token
        self.friendly_name = friendly_name
        self.owner_account_sid = owner_account_sid or sid
        self.status = ACTIVE
        self.date_created = self.date_updated = clock.now()
        self.numbers: dict[str, NumberConfig] = {}
        self.caller_ids: dict[str, OutgoingCallerId] = {}

    @property
    def is_subaccount(self) -> bool:
        return self.owner_account_sid != self.sid

    def hold(self, config: NumberConfig) -> NumberConfig:
        """The account owns this number, configured as it is (bought or transferred)."""
        with self.lock:
            self.numbers[config.number] = config
        return config

    def add_number(self, number: str, voice_url: str | None = None, status_callback: str | None = None,
                   sms_url: str | None = None, voice_method: str = "POST",
                   capabilities: Mapping[str, bool] | None = None) -> NumberConfig:
        """The account owns `number` from now on. Capabilities default to voice and SMS;
        configuring a number again keeps its SID."""
        with self.lock:
            known = self.numbers.get(number)
            config = NumberConfig(number, voice_url, voice_method, status_callback, sms_url=sms_url,
                                  capabilities=capabilities_from(capabilities),
                                  date_created=known.date_created if known else self.clock.now())
            if known is not None:
                config.sid = known.sid
            self.numbers[number] = config
        return config

    def release(self, number: str) -> NumberConfig:
        """Twilio docs: IncomingPhoneNumber resource, "Delete an IncomingPhoneNumber":
        the number is released from the account, which can no longer use it."""
        with self.lock:
            if number not in self.numbers:
                raise LookupError(f"the account does not own {number}")
            return self.numbers.pop(number)

    def number_with_sid(self, sid: str | None) -> NumberConfig | None:
        with self.lock:
            return next((c for c in self.numbers.values() if c.sid == sid), None)

    def verify_caller_id(self, number: str, friendly_name: str | None = None) -> OutgoingCallerId:
        if not is_phone_number(number):
            raise ValueError(f"a caller ID is an E.164 number, got {number!r}")
        with self.lock:
            known = self.caller_ids.get(number)
            if known is None:
                known = OutgoingCallerId(number, friendly_name or formatted(number), self.clock.now())
                self.caller_ids[number] = known
            return known

    def forget_caller_id(self, sid: str) -> OutgoingCallerId:
        """Twilio docs: OutgoingCallerId resource, "Delete": the number is no longer a
        verified caller ID of the account."""
        with self.lock:
            found = next((c for c in self.caller_ids.values() if c.sid == sid), None)
            if found is None:
                raise LookupError(f"no caller ID {sid}")
            return self.caller_ids.pop(found.phone_number)

    def owns(self, number: str) -> bool:
        with self.lock:
            return number in self.numbers

    def may_call_from(self, number: str) -> bool:
        with self.lock:
            config = self.numbers.get(number)
            return (config is not None and config.takes_calls) or number in self.caller_ids

    def may_text_from(self, number: str) -> bool:
        with self.lock:
            config = self.numbers.get(number)
            return config is not None and config.takes_texts

    def sms_sender(self) -> str | None:
        """The sender a Messaging Service picks: here, the first SMS-capable number."""
        with self.lock:
            return next((n for n, config in self.numbers.items() if config.takes_texts), None)
