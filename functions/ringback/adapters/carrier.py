"""The carrier's side of a call, in Twilio's terms: signed webhooks in, TwiML out.

Our webhook URLs carry no query string: API Gateway does not hand a function the raw
query, and the signature covers the URL exactly as the carrier called it.

Twilio signs every webhook with HMAC-SHA1 of the full URL and the sorted POST parameters,
keyed by the account's auth token (Twilio docs: "Webhooks security"); the twilio
library's RequestValidator checks it. A request that fails is refused before anything
is read from it.

A key may repeat in a form body, and the signature covers every value of it, so the body
is kept as a multidict (`Form`): the validator reads all values, a handler reads one.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import VoiceResponse

from ringback.callbacks.model import WHISPER_MAX_CHARS
from ringback.calls.inbound import CallPlan
from ringback.errors import Forbidden

if TYPE_CHECKING:
    from ringback.accounts.carrier_numbers import SigningTokens
    from ringback.adapters.secrets import CarrierCredentials
    from ringback.settings import Settings

PROVIDER = "tw"
WEBHOOKS = "/v1/carrier"


class Form(Mapping[str, str]):
    """A form body with every value of a repeated key. As a mapping it answers a key's
    first value, which is what a handler reads; `getall()` answers them all, which is what
    twilio's RequestValidator signs (it asks a multidict for `getall`)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._values: dict[str, list[str]] = {}
        for key, value in pairs:
            self._values.setdefault(key, []).append(value)

    def __getitem__(self, key: str) -> str:
        return self._values[key][0]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def getall(self, key: str) -> list[str]:
        return list(self._values[key])


def form(raw_body: str | bytes | None) -> Form:
    """A form body, as Chalice's Request.raw_body gives it (bytes, or str)."""
    body = raw_body or b""
    return Form(parse_qsl(body.decode("utf-8") if isinstance(body, bytes) else body, keep_blank_values=True))


def verify(auth_token: str | None, url: str, params: Mapping[str, str], signature: str | None) -> None:
    if not auth_token:
        raise Forbidden("webhooks are refused: no carrier auth token is configured", code="carrier_not_configured")
    if not signature or not RequestValidator(auth_token).validate(url, params, signature):
        raise Forbidden("the carrier signature does not match", code="bad_signature")


def verify_current(tokens: SigningTokens, main: CarrierCredentials | None, settings: Settings, url: str,
                   params: Mapping[str, str], signature: str | None, now_ms: int) -> None:
    """verify() with the token of the account the webhook names (tokens.for_account), as
    it is now: when the signature does not match, the token may have been rotated since
    it was read (the application secret's TTL, a subaccount's token kept since it was
    asked for), so it is read again once, and the webhook is refused only if the fresh
    token does not match either. `main`: our main account's credentials, None where the
    settings alone hold them (tests)."""
    account = params.get("AccountSid")
    main_sid = main.account_sid if main else settings.twilio_account_sid
    token = tokens.for_account(account, main_sid, main.auth_token if main else settings.twilio_auth_token)
    try:
        verify(token, url, params, signature)
    except Forbidden as refused:
        if refused.code != "bad_signature" or not signature:
            raise
        fresh = tokens.refreshed(account, main_sid, lambda: main.auth_token if main and main.refresh() else None,
                                 now_ms)
        if not fresh or fresh == token:
            raise
        verify(fresh, url, params, signature)


def render(plan: CallPlan, base_url: str) -> str:
    """TwiML for a call plan (Twilio docs: "TwiML Voice": Dial, Number, Gather, Say, Record,
    Hangup): what the voice webhook answers, and what the <Dial> action answers when the
    dial ends (the next destination in order, a voicemail, or the end of the call)."""
    hooks = f"{base_url}{WEBHOOKS}"
    response = VoiceResponse()
    if plan.action == "reject":
        response.reject()
    elif plan.action == "gather":
        # Four digits (the code and its check digit); '#' or silence skips it. A tap's
        # post-dial digits arrive while the prompt plays, which <Gather> hears.
        gather = response.gather(input="dtmf", num_digits=4, finish_on_key="#", timeout=4,
                                 action=f"{hooks}/voice")
        gather.say(plan.prompt, language=plan.language)
        # No digits: Twilio goes on to the next verb, and the call is attributed by ranking.
        response.redirect(f"{hooks}/voice-without-code")
    elif plan.action in ("dial", "forward"):
        if plan.recording_notice:
            response.say(plan.recording_notice)
        # Ringing in order, the action says which destination is next: the query is the
        # call's only state between legs, and a single key needs no sorting to be signed.
        action = f"{hooks}/dial-complete" + (f"?next={plan.next_leg}" if plan.next_leg is not None else "")
        dial = response.dial(
            timeout=plan.ring_seconds,
            action=action,
            caller_id=plan.caller_id,
            record="record-from-answer" if plan.record else "do-not-record",
            recording_status_callback=f"{hooks}/recording" if plan.record else None,
        )
        for destination in plan.destinations:
            # The operator's leg fetches the whisper when they answer, before the bridge.
            dial.number(destination, url=f"{hooks}/whisper" if plan.whisper else None)
    elif plan.action == "hangup":
        if plan.prompt:
            response.say(plan.prompt)
        response.hangup()
    else:  # voicemail
        response.say(plan.prompt or "Please leave a message after the tone.")
        response.record(max_length=120, play_beep=True, action=f"{hooks}/voicemail-saved",
                        recording_status_callback=f"{hooks}/recording")
    return str(response)


def hangup() -> str:
    response = VoiceResponse()
    response.hangup()
    return str(response)


class TwilioCarrier:
    """The carrier's REST API through the real twilio client: calls, messages and
    recordings, each in the carrier account it belongs to.

    A tenant's numbers and verified caller IDs live in its own subaccount, and Twilio
    refuses a call or text From them in any other account (21210, 21606). Our main
    account's credentials may act on a subaccount's resources under
    /Accounts/{SubSid}/... (Twilio docs: "Subaccounts"), so every request goes to
    `client.api.v2010.accounts(account)` with the main credentials, and no subaccount's
    token is needed here. `account` None is the main account itself."""

    def __init__(self, account_sid: str, auth_token: str | CarrierCredentials, api_base_url: str | None) -> None:
        from ringback.adapters.twilio_auth import credentials_of

        # The token as it is now (adapters/twilio_auth.py): a rotation needs no restart.
        self._credentials = credentials_of(account_sid, auth_token)
        self._base_url = api_base_url
        self._client = None

    def _twilio(self):
        if self._client is None:
            from ringback.adapters.twilio_auth import rest_client

            self._client = rest_client(self._credentials, self._base_url)
        return self._client

    def _account(self, account: str | None):
        return self._twilio().api.v2010.accounts(account or self._credentials.account_sid)

    def send_sms(self, to: str, sender: str, body: str, status_url: str, account: str | None = None) -> str:
        """Twilio docs: Message resource, "Create a Message": its progress is posted to
        StatusCallback (MessageSid, MessageStatus, ErrorCode). An error answer means no
        message exists (21606: From cannot text; 21211: invalid To)."""
        from twilio.base.exceptions import TwilioRestException

        from ringback.calls.alerts import SmsRefused

        try:
            message = self._account(account).messages.create(to=to, from_=sender, body=body,
                                                               status_callback=status_url)
        except TwilioRestException as error:
            raise SmsRefused(str(error.code) if error.code else None, error.msg) from None
        return f"{PROVIDER}:{message.sid}"

    def download_recording(self, recording_sid: str, account: str | None = None) -> bytes:
        # The media is a sub-resource the client does not wrap (Twilio docs: "Recording
        # resource", fetch a recording's media file): plain GET under the recording's
        # account, with the main account's auth.
        import requests

        base = self._base_url or "https://api.twilio.com"
        response = requests.get(
            f"{base}/2010-04-01/Accounts/{account or self._credentials.account_sid}/Recordings/{recording_sid}.wav",
            auth=(self._credentials.account_sid, self._credentials.auth_token or ""),
            timeout=20,
        )
        response.raise_for_status()
        return response.content

    def delete_recording(self, recording_sid: str, account: str | None = None) -> None:
        self._account(account).recordings(recording_sid).delete()

    def place_call(self, to: str, caller_id: str, answer_url: str, status_url: str, ring_seconds: int,
                   account: str | None = None) -> str:
        """A callback's operator leg (Twilio docs: Call resource, "Create a Call"): the
        carrier fetches answer_url when the operator answers and reports every progress
        event to status_url. A 4xx answer (other than 429) is a refusal: no call exists,
        and the same request would be refused again."""
        from twilio.base.exceptions import TwilioRestException

        from ringback.callbacks.model import CallRefused

        try:
            call = self._account(account).calls.create(
                to=to, from_=caller_id, url=answer_url, method="POST", timeout=ring_seconds,
                status_callback=status_url, status_callback_method="POST",
                status_callback_event=["initiated", "ringing", "answered", "completed"],
            )
        except TwilioRestException as error:
            if 400 <= (error.status or 0) < 500 and error.status != 429:
                raise CallRefused(str(error.code) if error.code else None, error.msg) from None
            raise
        return call.sid

    def cancel(self, call_id: str, account: str | None = None) -> None:
        """End a leg still ringing or in progress ("Update a Call": Status=completed
        hangs up either; canceled would leave an answered call up)."""
        from twilio.base.exceptions import TwilioRestException

        try:
            self._account(account).calls(call_id).update(status="completed")
        except TwilioRestException as error:
            if error.status != 404:
                raise


def operator_bridge(plan, status_url: str, action_url: str, recording_url: str) -> str:
    """The operator's TwiML for a callback: the whisper, then <Dial> the visitor."""
    response = VoiceResponse()
    response.say(plan.whisper[:WHISPER_MAX_CHARS])  # the domain cut it alike, and kept what is said
    dial = response.dial(
        action=action_url, method="POST", timeout=plan.ring_seconds, caller_id=plan.caller_id,
        record="record-from-answer" if plan.record else "do-not-record",
        recording_status_callback=recording_url if plan.record else None,
        recording_status_callback_method="POST",
    )
    dial.number(plan.visitor, status_callback=status_url, status_callback_method="POST",
                status_callback_event="initiated ringing answered completed")
    return str(response)


def say_and_hang_up(text: str) -> str:
    response = VoiceResponse()
    response.say(text)
    response.hangup()
    return str(response)


def whisper(text: str) -> str:
    response = VoiceResponse()
    response.say(text[:300])
    return str(response)
