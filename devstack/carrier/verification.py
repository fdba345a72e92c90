"""Verifying a caller ID: the carrier calls the number and the person there keys in a code.

Twilio docs: OutgoingCallerId resource, "Add an OutgoingCallerId"
(https://www.twilio.com/docs/voice/api/outgoing-caller-ids): POST OutgoingCallerIds.json
with PhoneNumber, FriendlyName, CallDelay (0 to 60 seconds before the call), Extension,
StatusCallback and StatusCallbackMethod answers a ValidationRequest: account_sid,
call_sid, friendly_name, phone_number and the six-digit validation_code. Twilio docs:
"Verifying Caller IDs at Scale" (https://www.twilio.com/docs/voice/api/verifying-caller-ids-scale):
Twilio calls the number, which "should respond with the six digit verification code",
and then "a separate status callback request is made ... that contains the verification
result ... either success or failure". Twilio's announcement of that callback
(twilio.com/blog/2012/03/introducing-status-callback-for-caller-id-verification-calls)
shows its parameters: the usual call parameters with CallStatus, VerificationStatus=success
and OutgoingCallerIdSid, or VerificationStatus=failed, which also reports a call that was
not answered or found the line busy.

Here the call goes to the party scripted at the number (`Party`): it rings as that party
rings (an interactive one until POST /_carrier/answer), the prompt plays, and the code is
what the party presses: its first scripted `presses` entry, or the digits sent with POST
/_carrier/presses {call_sid, digits} (`Carrier.caller_presses`), before or after it
answers. The right six digits within ENTRY_SECONDS make the number an OutgoingCallerId of
the account; anything else fails and verifies nothing. Extension is accepted and not
dialled.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from devstack.carrier.inventory import VERIFICATION_CALLER
from devstack.carrier.records import Call, formatted, new_sid
from devstack.carrier.voice import CallSession, StatusCallbacks

if TYPE_CHECKING:
    from devstack.carrier.account import Account, OutgoingCallerId
    from devstack.carrier.carrier import Carrier
    from devstack.carrier.voice import Fetch

PROMPT_SECONDS = 4.0  # "Please enter your verification code", in simulated seconds
ENTRY_SECONDS = 15.0  # how long the carrier waits for the digits once it has asked
STEP_SECONDS = 0.5  # how often it looks for digits meanwhile
RING_SECONDS = 60.0  # Twilio's default ring timeout for a call it places


@dataclass
class ValidationRequest:
    account_sid: str
    phone_number: str
    friendly_name: str
    validation_code: str
    call_sid: str
    status_callback: str | None = None
    status_callback_method: str = "POST"

    def as_json(self) -> dict:
        return {
            "account_sid": self.account_sid,
            "call_sid": self.call_sid,
            "friendly_name": self.friendly_name,
            "phone_number": self.phone_number,
            "validation_code": self.validation_code,
        }


class VerificationCall(CallSession):
    """The call to the number being verified: once answered, the prompt, then the digits.
    The right code verifies the number on the call itself, before the carrier hangs up
    (Twilio thanks the person, then ends the call), so an application that sees the call
    ended and then lists the caller IDs finds it there."""

    entered: str | None = None
    verified: OutgoingCallerId | None = None
    request: ValidationRequest
    account: Account

    def run_document(self, step: Fetch | None) -> None:
        if not self.wait(PROMPT_SECONDS):
            return
        waited = 0.0
        while not self.digits:
            if waited >= ENTRY_SECONDS or not self.wait(STEP_SECONDS):
                return
            waited += STEP_SECONDS
        pressed = self.digits.popleft()
        if self.wait(0.3 * len(pressed)):  # keying the digits in takes time
            self.entered = pressed.rstrip("#")
            if self.entered == self.request.validation_code and self.carrier.accounts.is_active(self.account):
                self.verified = self.account.verify_caller_id(self.request.phone_number,
                                                              self.request.friendly_name)


def start(carrier: Carrier, account: Account, phone_number: str, friendly_name: str | None,
          status_callback: str | None, status_callback_method: str, call_delay: float) -> ValidationRequest:
    """Places the verification call and answers the ValidationRequest at once; the result
    comes later, to the StatusCallback."""
    call = Call(new_sid("CA"), account.sid, VERIFICATION_CALLER, phone_number, "outbound-api", "queued",
                carrier.clock.now())
    request = ValidationRequest(account.sid, phone_number, friendly_name or formatted(phone_number),
                                f"{secrets.randbelow(10 ** 6):06d}", call.sid, status_callback,
                                status_callback_method or "POST")
    carrier.add_call(call)
    # No call progress events: the StatusCallback hears the verification result only.
    session = VerificationCall(carrier, call, carrier.party_for(phone_number, callee=True),
                               StatusCallbacks(carrier, None, ()))
    session.request, session.account = request, account
    carrier._register(session, takes_next_presses=False)  # digits for "the next call" are not for this one
    carrier._spawn(f"verify-{call.sid}", run, carrier, account, request, session, call_delay)
    return request


def run(carrier: Carrier, account: Account, request: ValidationRequest, session: VerificationCall,
        call_delay: float) -> None:
    if call_delay:
        carrier.clock.sleep(call_delay, session.interrupt)
    session.run_outbound(None, "POST", None, RING_SECONDS)
    params = session.params()
    if session.verified is not None:
        params.update(VerificationStatus="success", OutgoingCallerIdSid=session.verified.sid)
    else:
        params.update(VerificationStatus="failed")
    if request.status_callback:
        carrier.webhooks.send("verification", request.status_callback, params, request.status_callback_method,
                              call_sid=request.call_sid)
