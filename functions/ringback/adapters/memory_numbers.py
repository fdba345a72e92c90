"""An in-memory carrier of numbers and subaccounts (ringback.ports.NumberCarrier), for
domain tests; tests/adapters/test_number_carrier_contract.py holds it to the same
contract as the Twilio adapter against the local carrier."""
from __future__ import annotations

import re
import secrets
import threading
from dataclasses import dataclass

from ringback.accounts.caller_ids import CallerIdValidation, VerifiedCallerId
from ringback.accounts.carrier_numbers import KINDS, AvailableNumber, Capabilities, OwnedNumber
from ringback.errors import Conflict, InvalidInput, NotFound, Unavailable

# area code -> (locality, region), fictional 555-01xx lines as the local carrier sells them.
_US_LOCAL = {"415": ("San Francisco", "CA"), "212": ("New York", "NY"), "312": ("Chicago", "IL")}
_TOLL_FREE = ("800", "888")


@dataclass
class _Held:
    sid: str
    account_sid: str
    offer: AvailableNumber
    voice_url: str
    status_callback: str
    sms_url: str | None


def _stock() -> dict[str, tuple[str, AvailableNumber]]:
    stock = {}
    for area, (locality, region) in _US_LOCAL.items():
        for line in range(100, 200):
            number = f"+1{area}555{line:04d}"
            # Lines 0180-0199 are landlines, as the local carrier's.
            stock[number] = ("local", AvailableNumber(number, locality, region, "US",
                                                      Capabilities(voice=True, sms=line < 180)))
    for area in _TOLL_FREE:
        for line in range(100, 200):
            number = f"+1{area}555{line:04d}"
            stock[number] = ("toll_free", AvailableNumber(number, None, None, "US", Capabilities(True, True)))
    return stock


def _pattern(contains: str) -> re.Pattern:
    if not re.fullmatch(r"\+?[0-9A-Za-z*%]{2,16}\$?", contains):
        raise InvalidInput("not a pattern the carrier takes", code="carrier_refused")
    keypad = {c: str(d) for d, letters in zip(range(2, 10), ("ABC", "DEF", "GHI", "JKL", "MNO", "PQRS", "TUV",
                                                               "WXYZ"), strict=True) for c in letters}
    body = contains.strip("+$")
    regex = "".join("[0-9]" if c == "*" else "[0-9]*" if c == "%" else keypad.get(c.upper(), c) for c in body)
    return re.compile(("^" if contains.startswith("+") else "") + regex + ("$" if contains.endswith("$") else ""))


class MemoryNumberCarrier:
    def __init__(self, account_sid: str = "AC" + "0" * 32, auth_token: str = "main-token") -> None:
        self.main_sid, self._main_token = account_sid, auth_token
        self._tokens: dict[str, str] = {account_sid: auth_token}
        self.names: dict[str, str] = {}
        self._stock = _stock()
        self.held: dict[str, _Held] = {}  # number -> who holds it
        # account -> number -> its verified caller ID; call sid -> a validation still live
        self.verified: dict[str, dict[str, VerifiedCallerId]] = {}
        self.validations: dict[str, tuple[str, CallerIdValidation, str]] = {}
        self.closed: set[str] = set()
        self._lock = threading.Lock()

    def open_subaccount(self, friendly_name: str) -> str:
        sid = "AC" + secrets.token_hex(16)
        with self._lock:
            self._tokens[sid], self.names[sid] = secrets.token_hex(16), friendly_name
        return sid

    def close_subaccount(self, account_sid: str) -> None:
        self._require(account_sid)
        with self._lock:
            # As Twilio: a closed account's numbers go back on sale, and it stays closed.
            self.closed.add(account_sid)
            for number in [n for n, h in self.held.items() if h.account_sid == account_sid]:
                del self.held[number]

    def _require(self, account_sid: str) -> None:
        if account_sid not in self._tokens:
            raise NotFound("the carrier has no such resource", code="carrier_not_found")
        if account_sid in self.closed:  # Twilio's 20005, "Account not active"
            raise Unavailable("the carrier refused our account", code="carrier_refused")

    def search(self, account_sid: str, country: str, kind: str, area_code: str | None = None,
               contains: str | None = None, sms: bool | None = None, limit: int = 20) -> list[AvailableNumber]:
        self._require(account_sid)
        if kind not in KINDS:
            raise InvalidInput(f"kind must be one of {list(KINDS)}", code="invalid_parameter")
        if country != "US" or kind == "mobile":
            raise NotFound("the carrier has no such resource", code="carrier_not_found")
        pattern = _pattern(contains) if contains else None
        found = []
        for number, (offer_kind, offer) in sorted(self._stock.items()):
            if offer_kind != kind or number in self.held:
                continue
            if area_code and not number.startswith(f"+1{area_code}"):
                continue
            if pattern and not pattern.search(number.lstrip("+")):
                continue
            if sms is not None and offer.capabilities.sms != sms:
                continue
            found.append(offer)
        return found[:limit]

    def buy(self, account_sid: str, number: str, voice_url: str, status_callback: str,
            sms_url: str | None) -> OwnedNumber:
        self._require(account_sid)
        if not re.fullmatch(r"\+[1-9][0-9]{6,14}", number):
            raise InvalidInput("the carrier refused the number", code="invalid_phone")
        with self._lock:
            if number in self.held or number not in self._stock:
                raise Conflict("that number is not available", code="number_not_available")
            offer = self._stock[number][1]
            held = _Held("PN" + secrets.token_hex(16), account_sid, offer, voice_url, status_callback, sms_url)
            self.held[number] = held
        return OwnedNumber(held.sid, number, offer.capabilities)

    def owned(self, account_sid: str, number: str) -> OwnedNumber | None:
        self._require(account_sid)
        held = self.held.get(number)
        if held is None or held.account_sid != account_sid:
            return None
        return OwnedNumber(held.sid, number, held.offer.capabilities)

    def release(self, account_sid: str, number_sid: str) -> None:
        self._require(account_sid)
        with self._lock:
            for number, held in self.held.items():
                if held.sid == number_sid and held.account_sid == account_sid:
                    del self.held[number]
                    return
        raise NotFound("the carrier has no such resource", code="carrier_not_found")

    def auth_token(self, account_sid: str) -> str | None:
        return self._tokens.get(account_sid)

    def rotate_auth_token(self, account_sid: str) -> str:
        """The account's token replaced, as the carrier's console rotates it (the local
        carrier's POST /_carrier/auth-token): the old one signs nothing from now on."""
        with self._lock:
            self._tokens[account_sid] = token = secrets.token_hex(16)
        return token

    # -- caller IDs --------------------------------------------------------------------------

    def start_caller_id_validation(self, account_sid: str, number: str, friendly_name: str | None,
                                   status_callback: str | None = None) -> CallerIdValidation:
        self._require(account_sid)
        if not re.fullmatch(r"\+[1-9][0-9]{6,14}", number):
            raise InvalidInput("the carrier refused the number", code="invalid_phone", details={"field": "number"})
        with self._lock:
            if number in self.verified.get(account_sid, {}):
                raise Conflict("the account has verified that caller ID already", code="caller_id_already_verified")
            validation = CallerIdValidation(number, f"{secrets.randbelow(10 ** 6):06d}", "CA" + secrets.token_hex(16))
            self.validations[validation.call_sid] = (account_sid, validation, friendly_name or number)
        return validation

    def press(self, call_sid: str, digits: str) -> None:
        """The person who answered the validation call keys in `digits`, and the call ends:
        the number is verified if they were its code (a test's hook, as the local
        carrier's POST /_carrier/presses)."""
        with self._lock:
            account_sid, validation, name = self.validations.pop(call_sid)
            if digits == validation.validation_code:
                self.verified.setdefault(account_sid, {})[validation.number] = VerifiedCallerId(
                    "PN" + secrets.token_hex(16), validation.number, name)

    def validation_in_progress(self, account_sid: str, call_sid: str) -> bool:
        self._require(account_sid)
        live = self.validations.get(call_sid)
        return live is not None and live[0] == account_sid

    def caller_ids(self, account_sid: str) -> list[VerifiedCallerId]:
        self._require(account_sid)
        return list(self.verified.get(account_sid, {}).values())

    def remove_caller_id(self, account_sid: str, caller_id_sid: str) -> None:
        self._require(account_sid)
        with self._lock:
            mine = self.verified.get(account_sid, {})
            number = next((n for n, c in mine.items() if c.sid == caller_id_sid), None)
            if number is None:
                raise NotFound("the carrier has no such resource", code="carrier_not_found")
            del mine[number]
