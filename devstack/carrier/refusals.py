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

Accounts (accounts.py; Twilio docs: REST API: Subaccounts):
- a subaccount's credentials on any other account's path (its parent, a sibling): 20003
  "Authenticate" (401), they authenticate nobody there;
- any request for an account that is suspended or closed, or whose parent is: 20005
  "Account not active". That the API answers it with status 401 is our reading; the
  parent may still fetch and update the account itself, to reactivate it;
- POST Accounts.json with a subaccount's credentials: 21101 "Subaccounts cannot contain
  subaccounts"; changing the status of a closed account: 21479 ("subaccount is closed
  and can not be re-opened"), of a subaccount whose parent is suspended: 21476. Only an
  account's owner changes its Status (Twilio docs: Accounts: "To create, update, or list
  subaccounts, use a Main API key"): anyone else gets 20003.

Buying and configuring numbers (IncomingPhoneNumbers):
- 21421 "Phone Number is invalid": a PhoneNumber that is not E.164;
- 21422 "PhoneNumber is not available": not in the carrier's inventory, or owned by an
  account already ("Twilio does not own the phone number" / "it is reserved for another
  account"). The message is the API's, "+1... is not available", as an API answer quoted
  in a Stack Exchange question reads ("Unable to create record: ... is not available");
- 21451 "Invalid area code": an AreaCode that is not a North American area code;
  21452 when no number is left in that area code (the 21452 page was not reachable from
  here: its title is from Twilio's error list, unverified); 21457 "AreaCode Parameter
  not Supported" on the Local, TollFree and Mobile sub-resources;
- neither PhoneNumber nor AreaCode: 400 "did or area_code is required", the answer
  twilio/twilio-cli#98 shows the API giving;
- moving a number with AccountSid (Exchanging numbers between subaccounts): 21474 "API
  User must be the parent account to transfer phone numbers", 21473 "AccountSid you are
  transferring to is not related to the originating owner of the phone number", 21472
  "Account is not active".

Verifying a caller ID (POST OutgoingCallerIds.json): 21401 "Invalid Phone Number" for a
missing or malformed PhoneNumber (our choice of code: no page names one for this
request); 21450 "Phone number already verified for your account".
"""
from __future__ import annotations

import re
import urllib.parse
from typing import TYPE_CHECKING

from devstack.carrier import inventory
from devstack.carrier.account import CLOSED, STATUSES
from devstack.carrier.records import is_call_address, is_phone_number
from devstack.carrier.voice import FINAL

if TYPE_CHECKING:
    from devstack.carrier.account import Account
    from devstack.carrier.accounts import Accounts
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


def check_new_call(account: Account, form: Form) -> None:
    to, from_ = one(form, "To"), one(form, "From")
    if not to:
        raise ApiError(400, 21201, "No 'To' number specified")
    if not is_call_address(to):
        raise ApiError(400, 21211, f"Invalid 'To' Phone Number: {to}")
    if not from_:
        raise ApiError(400, 21213, "'From' phone number is required")
    if not is_call_address(from_):
        raise ApiError(400, 21212, f"Invalid 'From' Phone Number: {from_}")
    if to == from_ and account.owns(from_):
        raise ApiError(400, 21211, f"Invalid 'To' Phone Number: {to}")
    url, twiml = one(form, "Url"), one(form, "Twiml")
    if not url and not twiml:
        raise ApiError(400, 21200, "Calls Resource: one of url, twiml or applicationSid is required")
    if url and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ApiError(400, 21205, f"Invalid URL: {url}")
    # A client identity or SIP URI as From is not a phone number the account could own;
    # our reading is that Twilio does not check it against the account's numbers.
    if is_phone_number(from_) and not account.may_call_from(from_):
        raise ApiError(400, 21210, f"The source phone number provided, {from_}, is not yet verified for your "
                                   "account. You may only make calls from phone numbers that you've verified "
                                   "or purchased from Twilio.")


def check_call_update(call: Call, form: Form) -> None:
    if (one(form, "Url") or one(form, "Twiml")) and call.status in FINAL:
        raise ApiError(400, 21220, "Invalid call state: the call is not in-progress, so it cannot be redirected.")


def check_new_message(account: Account, form: Form) -> None:
    to, from_, service = one(form, "To"), one(form, "From"), one(form, "MessagingServiceSid")
    if not to:
        raise ApiError(400, 21604, "'To' phone number is required to send a Message")
    if not is_phone_number(to) or (to == from_ and account.owns(to)):
        raise ApiError(400, 21211, f"The 'To' number {to} is not a valid phone number.")
    if not from_ and not service:
        raise ApiError(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message")
    if from_ and not is_phone_number(from_):
        raise ApiError(400, 21212, f"The 'From' number {from_} is not a valid phone number, shortcode, "
                                   "or alphanumeric sender ID.")
    if not one(form, "Body", ""):
        raise ApiError(400, 21602, "Message body is required.")
    if from_ and not account.may_text_from(from_):
        raise ApiError(400, 21606, f"The From phone number {from_} is not a valid, SMS-capable inbound phone "
                                   "number or short code for your account.")


# -- accounts -----------------------------------------------------------------------------

def unauthenticated() -> ApiError:
    return ApiError(401, 20003, "Authenticate")


def account_not_active(account: Account) -> ApiError:
    return ApiError(401, 20005, f"Account not active: {account.sid} is {account.status}")


def check_new_subaccount(caller: Account) -> None:
    if caller.is_subaccount:
        raise ApiError(400, 21101, "Subaccounts cannot contain subaccounts")


def check_account_update(accounts: Accounts, caller: Account, target: Account, form: Form) -> None:
    status = one(form, "Status")
    if status is None:
        return
    if target.owner_account_sid != caller.sid:
        raise unauthenticated()
    if status not in STATUSES:
        raise ApiError(400, 400, f"Status must be one of {', '.join(STATUSES)}, got {status!r}")
    if target.status == CLOSED:
        raise ApiError(400, 21479, "Unable to update Status for subaccount, subaccount is closed and can not be "
                                   "re-opened.")
    owner = accounts.get(target.owner_account_sid)
    if target.is_subaccount and owner is not None and not accounts.is_active(owner):
        raise ApiError(400, 21476, "Unable to update Status for subaccount, parent account is suspended.")


# -- buying and configuring numbers -------------------------------------------------------------

AREA_CODE = re.compile(r"^[2-9]\d\d$")


def not_available(number: str) -> ApiError:
    return ApiError(400, 21422, f"{number} is not available")


def check_purchase(accounts: Accounts, form: Form, kind: str | None) -> inventory.ForSale:
    """The number a POST IncomingPhoneNumbers.json (or .../Local.json, TollFree.json,
    Mobile.json: `kind`) buys, or the refusal."""
    number, area_code = one(form, "PhoneNumber"), one(form, "AreaCode")
    if number:
        if not is_phone_number(number):
            raise ApiError(400, 21421, f"Phone Number is invalid: {number}")
        offer = inventory.offer(number)
        if offer is None or (kind and offer.kind != kind) or accounts.is_taken(number):
            raise not_available(number)
        return offer
    if not area_code:
        raise ApiError(400, 400, "did or area_code is required")
    if kind:
        raise ApiError(400, 21457, "AreaCode Parameter not Supported")
    if not AREA_CODE.match(area_code):
        raise ApiError(400, 21451, f"Invalid area code: {area_code}")
    for found_kind in (inventory.LOCAL, inventory.TOLL_FREE):
        found = inventory.search("US", found_kind, {"AreaCode": area_code, "PageSize": "1"}, accounts.is_taken)
        if found:
            return found[0]
    raise ApiError(400, 21452, f"No phone numbers found in area code {area_code}")


def check_transfer(accounts: Accounts, caller: Account, holder: Account, to_sid: str) -> Account:
    """The account a number moves to when its update names another AccountSid."""
    if caller.is_subaccount:
        raise ApiError(400, 21474, "API User must be the parent account to transfer phone numbers.")
    target = accounts.get(to_sid)
    family = {holder.owner_account_sid, holder.sid}
    if target is None or not ({target.sid, target.owner_account_sid} & family):
        raise ApiError(400, 21473, "AccountSid you are transferring to is not related to the originating owner "
                                   "of the phone number")
    if not accounts.is_active(target):
        raise ApiError(400, 21472, f"Account is not active: {to_sid}")
    return target


# -- verifying a caller ID ------------------------------------------------------------------------

def check_validation_request(account: Account, form: Form) -> tuple[str, int]:
    """The number to verify and the CallDelay before calling it (0 to 60 seconds)."""
    number = one(form, "PhoneNumber") or ""
    if not is_phone_number(number):
        raise ApiError(400, 21401, f"Invalid Phone Number: {number!r}")
    delay = one(form, "CallDelay", "0") or "0"
    if not delay.isdigit() or int(delay) > 60:
        raise ApiError(400, 400, f"CallDelay must be an integer from 0 to 60, got {delay!r}")
    with account.lock:
        if number in account.caller_ids:
            raise ApiError(400, 21450, "Phone number already verified for your account")
    return number, int(delay)
