"""HTTP surface of the carrier: Twilio's REST API 2010-04-01 (Calls, Messages, Recordings,
and the account's IncomingPhoneNumbers and OutgoingCallerIds) and the test control
surface under /_carrier/. Accounts, AvailablePhoneNumbers, buying and configuring numbers
and verifying caller IDs are the doors in `provisioning.py`. What the REST API refuses,
and with which code, is in `refusals.py`.

Every request under /Accounts/{Sid}/ acts as that account (`self.account`): it sees the
calls, messages, recordings, numbers and caller IDs of that account only, and calls and
texts From that account's numbers only, whoever's credentials (`self.caller`: the
account itself, or its parent) made it.
"""
from __future__ import annotations

import base64
import fnmatch
import hmac
import json
import re
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import TYPE_CHECKING

from devstack.carrier import inventory
from devstack.carrier.party import Party
from devstack.carrier.provisioning import ProvisioningDoors
from devstack.carrier.recording_doors import RecordingDoors
from devstack.carrier.refusals import (
    ApiError,
    account_not_active,
    check_call_update,
    check_new_call,
    check_new_message,
    not_found,
    one,
    unauthenticated,
)

if TYPE_CHECKING:
    from devstack.carrier.account import Account
    from devstack.carrier.carrier import Carrier

ROUTE = re.compile(
    r"^/2010-04-01/Accounts/(?P<account>[^/]+)/"
    r"(?P<collection>Calls|Messages|Recordings|IncomingPhoneNumbers|OutgoingCallerIds)"
    r"(?:/(?P<sid>[A-Za-z0-9]+))?(?P<ext>\.json|\.wav|\.mp3)?$"
)
ACCOUNT = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/.]+)")
ACCOUNTS = re.compile(r"^/2010-04-01/Accounts(?:/(?P<sid>[A-Za-z0-9]+))?\.json$")
AVAILABLE = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/AvailablePhoneNumbers"
                       r"(?:/(?P<country>[A-Za-z]+)(?:/(?P<kind>[A-Za-z]+))?)?\.json$")
PHONE_PAGE = Path(__file__).with_name("phone.html")


def number_matches(number: str, wanted: str) -> bool:
    """Twilio docs: IncomingPhoneNumber resource, "Read": PhoneNumber may be part of a
    number, with '*' as a wildcard."""
    return fnmatch.fnmatchcase(number, wanted if "*" in wanted else f"*{wanted}*")


def handler_for(carrier: Carrier):
    class Handler(CarrierHandler):
        pass

    Handler.carrier = carrier
    return Handler


class CarrierHandler(ProvisioningDoors, RecordingDoors, BaseHTTPRequestHandler):
    carrier: Carrier
    caller: Account  # whose credentials made the request
    account: Account  # the account the request acts as (its path's)
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # quiet: tests read carrier.webhook_log instead
        pass

    # -- plumbing ---------------------------------------------------------------------

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def send(self, status: int, body: bytes = b"", content_type: str = "application/json") -> None:
        self.send_response(status)
        if status != 204:
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
        else:
            self.send_header("Content-Length", "0")
        self.end_headers()
        if status != 204:
            self.wfile.write(body)

    def send_json(self, status: int, payload) -> None:
        self.send(status, json.dumps(payload).encode("utf-8"))

    def form(self) -> dict[str, list[str]]:
        raw = self.body.decode("utf-8")
        if "json" in (self.headers.get("Content-Type") or ""):
            data = json.loads(raw or "{}")
            return {k: v if isinstance(v, list) else [v] for k, v in data.items()}
        return urllib.parse.parse_qs(raw, keep_blank_values=True)

    def dispatch(self, method: str) -> None:
        # Read the whole body first, even of a request refused before looking at it: what is
        # left unread would be taken for the next request on this keep-alive connection.
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        parsed = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        try:
            if parsed.path.startswith("/_carrier/"):
                self.control(method, parsed.path, query)
                return
            accounts = ACCOUNTS.match(parsed.path)
            if accounts is not None:
                self.accounts_door(method, accounts, query, parsed.path)
                return
            available = AVAILABLE.match(parsed.path)
            if available is not None:
                self.authenticate(available["account"], parsed.path)
                self.available_numbers_door(method, available, query, parsed.path)
                return
            match = ROUTE.match(parsed.path)
            if match is None:
                account = ACCOUNT.match(parsed.path)
                if account is not None:  # a collection the carrier does not serve
                    self.authenticate(account["account"], parsed.path)
                raise not_found(parsed.path)
            media = match["collection"] == "Recordings" and match["sid"] and match["ext"] in (None, ".wav", ".mp3")
            if not media:
                self.authenticate(match["account"], parsed.path)
            else:  # media is served without credentials (see the package docs)
                self.account = self.carrier.accounts.get(match["account"])
                if self.account is None:
                    raise not_found(parsed.path)
            route = getattr(self, f"{method.lower()}_{match['collection'].lower()}", None)
            if route is None:
                raise ApiError(405, 20004, "Method not allowed")
            route(match, query, parsed.path)
        except ApiError as error:
            self.send_json(error.status, error.body())

    def credentials(self) -> Account:
        """Twilio docs: REST API: Authentication: HTTP Basic with AccountSid:AuthToken, of
        any account the carrier has (20003 otherwise)."""
        header = self.headers.get("Authorization", "")
        try:
            given = base64.b64decode(header[6:]).decode("utf-8") if header.startswith("Basic ") else ""
        except ValueError:
            given = ""
        sid, _, token = given.partition(":")
        caller = self.carrier.accounts.get(sid)
        if caller is None or not hmac.compare_digest(caller.auth_token.encode(), token.encode()):
            raise unauthenticated()
        self.caller = caller
        return caller

    def authenticate(self, account_sid: str, path: str) -> Account:
        """The account on the path, if the credentials may act as it: its own, or its
        parent's. Otherwise a subaccount's credentials are 20003 and the main account's
        are 20404; an account that is not active is 20005 (see refusals.py)."""
        caller = self.credentials()
        accounts = self.carrier.accounts
        target = accounts.get(account_sid)
        if target is None or not accounts.may_act_on(caller, target):
            raise unauthenticated() if caller.is_subaccount else not_found(path)
        if not accounts.is_active(target):
            raise account_not_active(target)
        self.account = target
        return target

    def mine(self, record) -> bool:
        """A call, message or recording of the account the request acts as."""
        return record is not None and record.account_sid == self.account.sid

    def page(self, key: str, items: list[dict], query, path: str) -> dict:
        size = int((query.get("PageSize") or ["50"])[0])
        number = int((query.get("Page") or ["0"])[0])
        chunk = items[number * size:(number + 1) * size]
        filters = {k: v[0] for k, v in query.items() if k not in ("PageSize", "Page", "PageToken")}

        def uri(page: int) -> str:
            return path + "?" + urllib.parse.urlencode(dict(filters, PageSize=size, Page=page))

        return {
            key: chunk,
            "end": number * size + max(len(chunk) - 1, 0),
            "first_page_uri": uri(0),
            "next_page_uri": uri(number + 1) if (number + 1) * size < len(items) else None,
            "page": number,
            "page_size": size,
            "previous_page_uri": uri(number - 1) if number > 0 else None,
            "start": number * size,
            "uri": uri(number),
        }

    # -- Calls ------------------------------------------------------------------------

    def post_calls(self, match, query, path):
        arrived = time.time()
        form = self.form()
        if match["sid"]:
            call = self.carrier.calls.get(match["sid"])
            if not self.mine(call):
                raise not_found(path)
            check_call_update(call, form)
            call = self.carrier.update_call(call.sid, one(form, "Status"), one(form, "Url"),
                                            one(form, "Method", "POST"), one(form, "Twiml"))
            self.send_json(200, call.as_json())
            return
        check_new_call(self.account, form)
        self.carrier.created_calls.append({"at": arrived, "to": one(form, "To"), "url": one(form, "Url", "")})
        events = [e for value in form.get("StatusCallbackEvent", []) for e in value.split()]
        call = self.carrier.outbound_call(
            one(form, "To"), one(form, "From"), one(form, "Url"), one(form, "Method", "POST"), one(form, "Twiml"),
            one(form, "StatusCallback"), events, one(form, "StatusCallbackMethod", "POST"),
            float(one(form, "Timeout", "60")), (one(form, "Record", "false") or "false").lower() == "true",
            one(form, "RecordingStatusCallback"), one(form, "RecordingStatusCallbackMethod", "POST"),
            account_sid=self.account.sid,
        )
        self.send_json(201, call.as_json())

    def get_calls(self, match, query, path):
        if match["sid"]:
            call = self.carrier.calls.get(match["sid"])
            if not self.mine(call):
                raise not_found(path)
            self.send_json(200, call.as_json())
            return
        calls = sorted(filter(self.mine, list(self.carrier.calls.values())), key=lambda c: c.date_created,
                       reverse=True)
        for name, attribute in (("To", "to"), ("From", "from_"), ("Status", "status"),
                                ("ParentCallSid", "parent_call_sid")):
            if name in query:
                calls = [c for c in calls if getattr(c, attribute) == query[name][0]]
        self.send_json(200, self.page("calls", [c.as_json() for c in calls], query, path))

    # -- Messages ---------------------------------------------------------------------

    def post_messages(self, match, query, path):
        form = self.form()
        check_new_message(self.account, form)
        message = self.carrier.send_message(one(form, "To"), one(form, "From"), one(form, "Body"),
                                            one(form, "MessagingServiceSid"), one(form, "StatusCallback"),
                                            self.account.sid)
        self.send_json(201, message.as_json())

    def get_messages(self, match, query, path):
        if match["sid"]:
            message = self.carrier.message_store.get(match["sid"])
            if not self.mine(message):
                raise not_found(path)
            self.send_json(200, message.as_json())
            return
        found = sorted(filter(self.mine, list(self.carrier.message_store.values())), key=lambda m: m.date_created,
                       reverse=True)
        for name, attribute in (("To", "to"), ("From", "from_")):
            if name in query:
                found = [m for m in found if getattr(m, attribute) == query[name][0]]
        self.send_json(200, self.page("messages", [m.as_json() for m in found], query, path))

    # -- the account: IncomingPhoneNumbers, OutgoingCallerIds (account.py) -----------------

    def incoming_number(self, match, path):
        found = self.account.number_with_sid(match["sid"])
        if found is None:
            raise not_found(path)
        return found

    def get_incomingphonenumbers(self, match, query, path):
        sid = self.account.sid
        if match["sid"] and match["sid"] not in inventory.KINDS:
            self.send_json(200, self.incoming_number(match, path).as_json(sid))
            return
        with self.account.lock:
            found = sorted(self.account.numbers.values(), key=lambda c: c.date_created, reverse=True)
        if match["sid"]:  # IncomingPhoneNumbers/Local.json, TollFree.json, Mobile.json
            found = [c for c in found if inventory.kind_of(c.number) == match["sid"]]
        listed = [c.as_json(sid) for c in found]
        self.send_json(200, self.page("incoming_phone_numbers", self.filtered(listed, query), query, path))

    def delete_incomingphonenumbers(self, match, query, path):
        """Releasing a number: the account no longer owns it (Twilio answers 204), and it
        is for sale again."""
        self.account.release(self.incoming_number(match, path).number)
        self.send(204)

    def get_outgoingcallerids(self, match, query, path):
        sid = self.account.sid
        with self.account.lock:
            found = sorted(self.account.caller_ids.values(), key=lambda c: c.date_created, reverse=True)
        listed = [c.as_json(sid) for c in found]
        if match["sid"]:
            fetched = next((c for c in listed if c["sid"] == match["sid"]), None)
            if fetched is None:
                raise not_found(path)
            self.send_json(200, fetched)
            return
        self.send_json(200, self.page("outgoing_caller_ids", self.filtered(listed, query), query, path))

    @staticmethod
    def filtered(listed: list[dict], query) -> list[dict]:
        """The PhoneNumber and FriendlyName filters of both resources' Read."""
        if "PhoneNumber" in query:
            listed = [n for n in listed if number_matches(n["phone_number"], query["PhoneNumber"][0])]
        if "FriendlyName" in query:
            listed = [n for n in listed if n["friendly_name"] == query["FriendlyName"][0]]
        return listed

    # -- control surface (ours, not Twilio's) ---------------------------------------------

    def control(self, method: str, path: str, query) -> None:
        carrier = self.carrier
        if method == "POST":
            data = json.loads(self.body or b"{}")
        try:
            if method == "POST" and path == "/_carrier/numbers":
                owner = carrier.accounts.named(data.get("account_sid"))
                config = carrier.add_number(data["number"], data.get("voice_url"), data.get("status_callback"),
                                            data.get("sms_url"), data.get("voice_method", "POST"),
                                            data.get("capabilities"), owner.sid)
                self.send_json(201, dict(config.control_json(), account_sid=owner.sid))
            elif method == "POST" and path == "/_carrier/caller-ids":
                owner = carrier.accounts.named(data.get("account_sid"))
                caller_id = carrier.verify_caller_id(data["number"], data.get("friendly_name"), owner.sid)
                self.send_json(201, caller_id.as_json(owner.sid))
            elif method == "POST" and path == "/_carrier/inbound":
                call = carrier.inbound_call(data["from"], data["to"])
                self.send_json(201, call.as_json())
            elif method == "POST" and path == "/_carrier/inbound_sms":
                exchange = carrier.inbound_message(data["from"], data["to"], data.get("body", ""))
                self.send_json(201, exchange.as_json())
            elif method == "POST" and path == "/_carrier/auth-token":
                # The console's token rotation: the account signs and authenticates with the new token only.
                account = carrier.accounts.named(data.get("account_sid"))
                token = carrier.rotate_auth_token(account.sid, data.get("auth_token"))
                self.send_json(200, {"account_sid": account.sid, "auth_token": token})
            elif method == "POST" and path == "/_carrier/script":
                carrier.script(data["number"], Party.from_json(data.get("party", {})))
                self.send_json(200, {"number": data["number"]})
            elif method == "POST" and path == "/_carrier/presses":
                carrier.caller_presses(data.get("call_sid"), data["digits"])
                self.send_json(200, {"digits": data["digits"]})
            elif method == "POST" and path == "/_carrier/answer":
                carrier.answer(data["call_sid"])
                self.send_json(200, carrier.calls[data["call_sid"]].as_json())
            elif method == "POST" and path == "/_carrier/decline":
                carrier.decline(data["call_sid"])
                self.send_json(200, carrier.calls[data["call_sid"]].as_json())
            elif method == "POST" and path == "/_carrier/hangup":
                self.send_json(200, carrier.hang_up(data["call_sid"]).as_json())
            elif method == "GET" and path == "/_carrier/state":
                self.send_json(200, carrier.state())
            elif method == "GET" and path == "/_carrier/phone":
                self.send(200, PHONE_PAGE.read_bytes(), "text/html; charset=utf-8")
            elif method == "GET" and path == "/_carrier/created-calls":
                self.send_json(200, list(carrier.created_calls))
            elif method == "GET" and path == "/_carrier/webhooks":
                self.send_json(200, [e.as_json() for e in carrier.webhook_log])
            elif method == "GET" and path == "/_carrier/messages":
                to = (query.get("to") or [None])[0]
                self.send_json(200, [m.as_json() for m in carrier.messages(to=to)])
            else:
                self.send_json(404, {"message": f"no control route {method} {path}"})
        except (KeyError, LookupError, ValueError) as error:
            self.send_json(400, {"message": str(error)})

