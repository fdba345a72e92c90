"""The carrier's numbers and subaccounts through the official twilio client
(ringback.ports.NumberCarrier).

Our main account's credentials act inside each tenant's subaccount
(`client.api.v2010.accounts(sid)`, Twilio docs: "Subaccounts"), so no subaccount's token
is ever stored: the webhook check asks for it (`auth_token`) and keeps it for the cold
start.

Twilio docs: Accounts (Create: FriendlyName; Fetch: auth_token, owner_account_sid),
AvailablePhoneNumber Local / TollFree / Mobile (AreaCode, Contains, SmsEnabled, PageSize;
a country or type not sold is 20404), IncomingPhoneNumber (Create with PhoneNumber,
VoiceUrl, StatusCallback, SmsUrl: 21422 "not available", 21421 "not a valid phone
number"; Delete answers 204), OutgoingCallerId (Create is a ValidationRequest: the carrier
calls the number and answers the code to key in, validation_code and call_sid; 21450
"already verified", 21401 "invalid phone number"; Delete answers 204).
"""
from __future__ import annotations

from ringback.accounts.caller_ids import CallerIdValidation, VerifiedCallerId
from ringback.accounts.carrier_numbers import AvailableNumber, Capabilities, OwnedNumber
from ringback.errors import Conflict, InvalidInput, NotFound, RingbackError, Unavailable

_KINDS = {"local": "local", "toll_free": "toll_free", "mobile": "mobile"}


def _capabilities(raw) -> Capabilities:
    raw = raw or {}
    # The twilio client hands them as a dict; Twilio spells the keys in either case.
    lowered = {str(k).lower(): v for k, v in raw.items()}
    return Capabilities(voice=bool(lowered.get("voice")), sms=bool(lowered.get("sms")))


def _refusal(error) -> RingbackError:
    """A Twilio error in our words (a 5xx is raised as it is: not the caller's fault)."""
    code, status = error.code, error.status or 0
    if code == 21422:
        return Conflict("that number is not available: someone else has it, or it is not for sale",
                        code="number_not_available")
    if code in (21421, 21451, 21401):
        return InvalidInput(f"the carrier refused the number: {error.msg}", code="invalid_phone",
                            details={"field": "number"})
    if code == 21450:
        return Conflict("the account has verified that caller ID already", code="caller_id_already_verified")
    if code == 21452:
        return Conflict("no number is left in that area code", code="number_not_available")
    if code == 20404 or status == 404:
        return NotFound("the carrier has no such resource", code="carrier_not_found")
    if status == 429 or code == 20429:
        return Unavailable("the carrier is busy: try again shortly", code="carrier_busy")
    if code in (20003, 20005) or status in (401, 403):
        return Unavailable("the carrier refused our account", code="carrier_refused")
    if 400 <= status < 500:
        return InvalidInput(f"the carrier refused the request: {error.msg}", code="carrier_refused",
                            details={"carrierCode": code})
    raise error


def _rest_error(error):
    import json

    from twilio.base.exceptions import TwilioRestException

    response = error.args[1] if len(error.args) > 1 else None
    status = getattr(response, "status_code", None)
    if status is None:
        return None
    try:
        body = json.loads(response.text)
    except (TypeError, ValueError):
        body = {}
    return TwilioRestException(status, "", msg=body.get("message", ""), code=body.get("code"))


class TwilioNumbers:
    def __init__(self, account_sid: str, auth_token, api_base_url: str | None = None, client=None) -> None:
        from ringback.adapters.twilio_auth import credentials_of

        # `auth_token`: a token, or CarrierCredentials that follow the application
        # secret, so a rotated token is used without a restart (adapters/twilio_auth.py).
        self._sid, self._base_url = account_sid, api_base_url
        self._credentials = credentials_of(account_sid, auth_token)
        self._client = client

    def _twilio(self):
        if self._client is None:
            from ringback.adapters.twilio_auth import rest_client

            self._client = rest_client(self._credentials, self._base_url)
        return self._client

    def _account(self, account_sid: str):
        return self._twilio().api.v2010.accounts(account_sid)

    def _call(self, request):
        from twilio.base.exceptions import TwilioException, TwilioRestException

        try:
            return request()
        except TwilioRestException as error:
            raise _refusal(error) from None
        except TwilioException as error:
            # A list's page answers its error as ("Unable to fetch page", response).
            rest = _rest_error(error)
            if rest is None:
                raise
            raise _refusal(rest) from None

    def open_subaccount(self, friendly_name: str) -> str:
        return self._call(lambda: self._twilio().api.v2010.accounts.create(friendly_name=friendly_name[:64])).sid

    def close_subaccount(self, account_sid: str) -> None:
        # Twilio docs: Account Update, Status=closed; final, and its numbers are released.
        self._call(lambda: self._account(account_sid).update(status="closed"))

    def search(self, account_sid: str, country: str, kind: str, area_code: str | None = None,
               contains: str | None = None, sms: bool | None = None, limit: int = 20) -> list[AvailableNumber]:
        if kind not in _KINDS:
            raise InvalidInput(f"kind must be one of {sorted(_KINDS)}", code="invalid_parameter")
        listing = getattr(self._account(account_sid).available_phone_numbers(country), _KINDS[kind])
        filters = {"area_code": area_code, "contains": contains, "sms_enabled": sms}
        found = self._call(lambda: listing.list(limit=limit, page_size=limit,
                                                **{k: v for k, v in filters.items() if v is not None}))
        return [AvailableNumber(n.phone_number, n.locality or None, n.region or None, n.iso_country or country,
                                _capabilities(n.capabilities)) for n in found]

    def buy(self, account_sid: str, number: str, voice_url: str, status_callback: str,
            sms_url: str | None) -> OwnedNumber:
        settings = {"phone_number": number, "voice_url": voice_url, "voice_method": "POST",
                    "status_callback": status_callback, "status_callback_method": "POST"}
        if sms_url:
            settings.update(sms_url=sms_url, sms_method="POST")
        bought = self._call(lambda: self._account(account_sid).incoming_phone_numbers.create(**settings))
        return OwnedNumber(bought.sid, bought.phone_number, _capabilities(bought.capabilities))

    def owned(self, account_sid: str, number: str) -> OwnedNumber | None:
        found = self._call(lambda: self._account(account_sid).incoming_phone_numbers.list(phone_number=number,
                                                                                           limit=5))
        for n in found:
            if n.phone_number == number:
                return OwnedNumber(n.sid, n.phone_number, _capabilities(n.capabilities))
        return None

    def release(self, account_sid: str, number_sid: str) -> None:
        self._call(lambda: self._account(account_sid).incoming_phone_numbers(number_sid).delete())

    def auth_token(self, account_sid: str) -> str | None:
        from twilio.base.exceptions import TwilioRestException

        if account_sid == self._sid:
            return self._credentials.auth_token
        if not (account_sid.startswith("AC") and len(account_sid) == 34 and account_sid.isalnum()):
            return None  # never put a stranger's text into a URL
        try:
            account = self._account(account_sid).fetch()
        except TwilioRestException as error:
            if error.status in (401, 403, 404):
                return None  # not ours: Twilio shows a main account its own subaccounts only
            raise
        if account.owner_account_sid != self._sid:
            return None
        return account.auth_token

    # -- caller IDs (Twilio docs: OutgoingCallerId resource; a Create is a ValidationRequest) --

    def start_caller_id_validation(self, account_sid: str, number: str, friendly_name: str | None,
                                   status_callback: str | None = None) -> CallerIdValidation:
        optional = {"friendly_name": friendly_name[:64] if friendly_name else None, "status_callback": status_callback}
        request = self._call(lambda: self._account(account_sid).validation_requests.create(
            phone_number=number, **{k: v for k, v in optional.items() if v is not None}))
        return CallerIdValidation(request.phone_number or number, request.validation_code, request.call_sid)

    def validation_in_progress(self, account_sid: str, call_sid: str) -> bool:
        from twilio.base.exceptions import TwilioRestException

        try:
            call = self._account(account_sid).calls(call_sid).fetch()
        except TwilioRestException as error:
            if error.status == 404:
                return False  # gone from the account's log: long over
            raise _refusal(error) from None
        return call.status in ("queued", "initiated", "ringing", "in-progress")

    def caller_ids(self, account_sid: str) -> list[VerifiedCallerId]:
        found = self._call(lambda: self._account(account_sid).outgoing_caller_ids.list(limit=1000))
        return [VerifiedCallerId(c.sid, c.phone_number, c.friendly_name or c.phone_number) for c in found]

    def remove_caller_id(self, account_sid: str, caller_id_sid: str) -> None:
        self._call(lambda: self._account(account_sid).outgoing_caller_ids(caller_id_sid).delete())
