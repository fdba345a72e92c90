"""The REST doors a self-service product provisions through: subaccounts, searching and
buying numbers, configuring and moving them, verifying caller IDs. Mixed into the HTTP
handler (`server.py`), which authenticates and says which account a request acts as;
what these doors refuse is in `refusals.py`.

Twilio docs: REST API: Accounts (https://www.twilio.com/docs/iam/api/account): Create
(POST Accounts.json, FriendlyName), Fetch and Update (Accounts/{Sid}.json: FriendlyName,
Status), Read (Accounts.json, filters FriendlyName and Status): what the credentials may
see, the account itself and its subaccounts.
Twilio docs: AvailablePhoneNumber resources (`inventory.py`).
Twilio docs: IncomingPhoneNumber resource
(https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource): Create
(PhoneNumber or AreaCode; FriendlyName, VoiceUrl, VoiceMethod, StatusCallback,
StatusCallbackMethod, SmsUrl, SmsMethod) answers 201; Update (the same parameters, and
AccountSid to move the number to its parent or a sibling subaccount) answers 200; an
empty URL parameter removes that URL.
Twilio docs: OutgoingCallerId resource (https://www.twilio.com/docs/voice/api/outgoing-caller-ids):
Create is a validation request (`verification.py`); Update changes FriendlyName; Delete
answers 204.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from devstack.carrier import inventory, verification
from devstack.carrier.accounts import account_json
from devstack.carrier.records import account_path
from devstack.carrier.refusals import (
    ApiError,
    account_not_active,
    check_account_update,
    check_new_subaccount,
    check_purchase,
    check_transfer,
    check_validation_request,
    not_available,
    not_found,
    one,
    unauthenticated,
)

if TYPE_CHECKING:
    from devstack.carrier.account import Account
    from devstack.carrier.carrier import Carrier

# Update parameters of an IncomingPhoneNumber and the attribute each one sets.
NUMBER_SETTINGS = {
    "FriendlyName": "friendly_name", "VoiceUrl": "voice_url", "VoiceMethod": "voice_method",
    "StatusCallback": "status_callback", "StatusCallbackMethod": "status_callback_method",
    "SmsUrl": "sms_url", "SmsMethod": "sms_method",
}


class ProvisioningDoors:
    carrier: Carrier
    caller: Account
    account: Account

    # -- Accounts -----------------------------------------------------------------------------

    def accounts_door(self, method: str, match, query, path: str) -> None:
        caller = self.credentials()
        accounts = self.carrier.accounts
        if match["sid"] is None:
            if method == "GET":
                listed = [a for a in accounts.visible_to(caller)
                          if all(q not in query or getattr(a, attr) == query[q][0]
                                 for q, attr in (("FriendlyName", "friendly_name"), ("Status", "status")))]
                self.send_json(200, self.page("accounts", [account_json(a) for a in listed], query, path))
            elif method == "POST":
                check_new_subaccount(caller)
                if not accounts.is_active(caller):
                    raise account_not_active(caller)
                self.send_json(201, account_json(accounts.create(caller, one(self.form(), "FriendlyName"))))
            else:
                raise ApiError(405, 20004, "Method not allowed")
            return
        target = accounts.get(match["sid"])
        if target is None or not accounts.may_act_on(caller, target):
            raise unauthenticated() if caller.is_subaccount else not_found(path)
        # The owner may still see and change an account that is not active: to reactivate it.
        if not accounts.is_active(target) and target.owner_account_sid != caller.sid:
            raise account_not_active(target)
        if method == "POST":
            form = self.form()
            check_account_update(accounts, caller, target, form)
            with accounts.lock:
                if one(form, "FriendlyName"):
                    target.friendly_name, target.date_updated = one(form, "FriendlyName"), self.carrier.clock.now()
                if one(form, "Status"):
                    accounts.set_status(target, one(form, "Status"))
        elif method != "GET":
            raise ApiError(405, 20004, "Method not allowed")
        self.send_json(200, account_json(target))

    # -- AvailablePhoneNumbers ------------------------------------------------------------------

    def available_numbers_door(self, method: str, match, query, path: str) -> None:
        if method != "GET":
            raise ApiError(405, 20004, "Method not allowed")
        base = f"{account_path(self.account.sid)}/AvailablePhoneNumbers"
        country, kind = match["country"], match["kind"]
        if country is None:
            listed = [inventory.country_json(c, base) for c in sorted(inventory.COUNTRIES)]
            self.send_json(200, self.page("countries", listed, query, path))
            return
        if country not in inventory.COUNTRIES or (kind and kind not in inventory.COUNTRIES[country][1]):
            raise not_found(path)
        if kind is None:
            self.send_json(200, inventory.country_json(country, base))
            return
        filters = {name: values[0] for name, values in query.items()}
        try:
            found = inventory.search(country, kind, filters, self.carrier.accounts.is_taken)
        except ValueError as error:
            raise ApiError(400, 400, str(error)) from None
        page = self.page("available_phone_numbers", [n.as_json() for n in found], query, path)
        page["next_page_uri"] = None  # one page of what is in stock, not a way through it
        self.send_json(200, page)

    # -- IncomingPhoneNumbers: buy, configure, move ------------------------------------------------

    def post_incomingphonenumbers(self, match, query, path):
        form = self.form()
        sid = match["sid"]
        accounts = self.carrier.accounts
        if sid is None or sid in inventory.KINDS:
            offer = check_purchase(accounts, form, sid)
            settings = {attr: one(form, name) for name, attr in NUMBER_SETTINGS.items()}
            config = accounts.buy(self.account, offer, **settings)
            if config is None:
                raise not_available(offer.phone_number)
            self.send_json(201, config.as_json(self.account.sid))
            return
        config = self.incoming_number(match, path)
        owner = self.account
        with accounts.lock:
            moving_to = one(form, "AccountSid")
            if moving_to and moving_to != owner.sid:
                owner = check_transfer(accounts, self.caller, self.account, moving_to)
                accounts.transfer(config, owner)
            for name, attr in NUMBER_SETTINGS.items():
                if name in form:
                    value = one(form, name)
                    setattr(config, attr, (value or "POST") if attr.endswith("_method") else (value or None))
            config.date_updated = self.carrier.clock.now()
        self.send_json(200, config.as_json(owner.sid))

    # -- OutgoingCallerIds: verify, rename, delete ---------------------------------------------------

    def post_outgoingcallerids(self, match, query, path):
        form = self.form()
        if match["sid"] is None:
            number, call_delay = check_validation_request(self.account, form)
            request = verification.start(self.carrier, self.account, number, one(form, "FriendlyName"),
                                         one(form, "StatusCallback"), one(form, "StatusCallbackMethod", "POST"),
                                         call_delay)
            self.send_json(201, request.as_json())
            return
        caller_id = self.caller_id(match, path)
        if one(form, "FriendlyName"):
            caller_id.friendly_name = one(form, "FriendlyName")
        self.send_json(200, caller_id.as_json(self.account.sid))

    def delete_outgoingcallerids(self, match, query, path):
        self.account.forget_caller_id(self.caller_id(match, path).sid)
        self.send(204)

    def caller_id(self, match, path):
        with self.account.lock:
            found = next((c for c in self.account.caller_ids.values() if c.sid == match["sid"]), None)
        if found is None:
            raise not_found(path)
        return found
