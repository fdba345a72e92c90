"""What the REST API refuses, with Twilio's codes, statuses and messages.

Twilio docs: API responses and errors: an error body is {code, message, more_info, status}.
Each refusal below cites the page under https://www.twilio.com/docs/api/errors/<code>; the
message is the text Twilio's API answers where one was seen (quoted from an API answer in
a public issue), else the page's title.

Creating a call (POST Calls.json), checked in this order:
- 21201 "No 'To' number specified"; 21211 "Invalid 'To' Phone Number" (not E.164, a client
  identity or a SIP URI; or the same number as From: the page lists "You used the same
  Twilio number in both the To and From parameters");
- 21213 "'From' phone number is required"; 21212 invalid From;
- 21200 "Calls Resource": none of url, twiml or applicationSid; 21205 "Invalid URL";
- 21210 "'From' phone number not verified": a From that is neither a voice-capable number
  of the account nor a verified caller ID. The message is the API's, as quoted in
  lesleyornelas/Twilio- issue #34: "The source phone number provided, +861057684080, is
  not yet verified for your account. You may only make calls from phone numbers that
  you've verified or purchased from Twilio."

Updating a call (POST Calls/{Sid}.json): 21220 "Invalid call state": a realtime
operation (a redirect with Url or Twiml) on a call that is not in progress.

Sending a message (POST Messages.json), checked in this order:
- 21604 "'To' phone number is required to send a Message"; 21211, its message as the API
  answers it ("The 'To' number 5551234567 is not a valid phone number.", quoted in
  twilio-php #399 and others);
- 21603 "A 'From' or 'MessagingServiceSid' parameter is required to send a message";
  21212 invalid From; 21602 "Message body is required";
- 21606 "The 'From' phone number provided is not a valid message-capable Twilio phone
  number for this destination/account": a From that is not an SMS-capable number of the
  account (a verified caller ID does not count). The message is the API's, as quoted in
  twilio-php #638 and twilio-node #528: "The From phone number +1... is not a valid,
  SMS-capable inbound phone number or short code for your account."

The order is Twilio's where its pages say so (To before From); that the shape of the
request (parameters present and well formed) is checked before the account's numbers
(21210, 21606) is our reading: no page states it.

Reading resources: 20003 "Authenticate" (401) for wrong credentials; 20404 "Not Found"
(404) for an unknown SID, an unknown collection, or another account's path with valid
credentials. For the last one, twilio-python #406 shows the API answering 20404 ("The
requested resource /2010-04-01/Accounts/AC.../Usage/Records.json was not found") to
credentials that may not read that account.
"""
from __future__ import annotations

import urllib.parse
from typing import TYPE_CHECKING

from devstack.carrier.records import is_call_address, is_phone_number
from devstack.carrier.voice import FINAL

if TYPE_CHECKING:
    from devstack.carrier.carrier import Carrier
    from devstack.carrier.records import Call

Form = dict[str, list[str]]


class ApiError(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> dict:
        return {"code": self.code, "message": self.message,
                "more_info": f"https://www.twilio.com/docs/errors/{self.code}", "status": self.status}


def not_found(path: str) -> ApiError:
    return ApiError(404, 20404, f"The requested resource {path} was not found")


def one(form: Form, name: str, default: str | None = None) -> str | None:
    return (form.get(name) or [default])[0]


def check_new_call(carrier: "Carrier", form: Form) -> None:
    to, from_ = one(form, "To"), one(form, "From")
    if not to:
        raise ApiError(400, 21201, "No 'To' number specified")
    if not is_call_address(to):
        raise ApiError(400, 21211, f"Invalid 'To' Phone Number: {to}")
    if not from_:
        raise ApiError(400, 21213, "'From' phone number is required")
    if not is_call_address(from_):
        raise ApiError(400, 21212, f"Invalid 'From' Phone Number: {from_}")
    if to == from_ and carrier.account.owns(from_):
        raise ApiError(400, 21211, f"Invalid 'To' Phone Number: {to}")
    url, twiml = one(form, "Url"), one(form, "Twiml")
    if not url and not twiml:
        raise ApiError(400, 21200, "Calls Resource: one of url, twiml or applicationSid is required")
    if url and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ApiError(400, 21205, f"Invalid URL: {url}")
    # A client identity or SIP URI as From is not a phone number the account could own;
    # our reading is that Twilio does not check it against the account's numbers.
    if is_phone_number(from_) and not carrier.account.may_call_from(from_):
        raise ApiError(400, 21210, f"The source phone number provided, {from_}, is not yet verified for your "
                                   "account. You may only make calls from phone numbers that you've verified "
                                   "or purchased from Twilio.")


def check_call_update(call: "Call", form: Form) -> None:
    if (one(form, "Url") or one(form, "Twiml")) and call.status in FINAL:
        raise ApiError(400, 21220, "Invalid call state: the call is not in-progress, so it cannot be redirected.")


def check_new_message(carrier: "Carrier", form: Form) -> None:
    to, from_, service = one(form, "To"), one(form, "From"), one(form, "MessagingServiceSid")
    if not to:
        raise ApiError(400, 21604, "'To' phone number is required to send a Message")
    if not is_phone_number(to) or (to == from_ and carrier.account.owns(to)):
        raise ApiError(400, 21211, f"The 'To' number {to} is not a valid phone number.")
    if not from_ and not service:
        raise ApiError(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message")
    if from_ and not is_phone_number(from_):
        raise ApiError(400, 21212, f"The 'From' number {from_} is not a valid phone number, shortcode, "
                                   "or alphanumeric sender ID.")
    if not one(form, "Body", ""):
        raise ApiError(400, 21602, "Message body is required.")
    if from_ and not carrier.account.may_text_from(from_):
        raise ApiError(400, 21606, f"The From phone number {from_} is not a valid, SMS-capable inbound phone "
                                   "number or short code for your account.")
