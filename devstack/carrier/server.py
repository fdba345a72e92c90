"""HTTP surface of the carrier: Twilio's REST API 2010-04-01 (Calls, Messages, Recordings)
and the test control surface under /_carrier/.

Twilio docs: API responses and errors: an error body is {code, message, more_info, status};
20003 authentication failed (401), 20404 resource not found (404). Each 400 below uses the
title of its page under https://www.twilio.com/docs/api/errors/<code>:
- 21201 "No 'To' number specified"; 21213 "'From' phone number is required";
  21211 / 21212 invalid To / From;
- 21200 "Calls Resource": its listed causes include a request with none of url, twiml
  or applicationSid;
- 21205 "Invalid URL": the URL given to handle the call is not a valid (absolute http or
  https) URL;
- 21220 "Invalid call state": a realtime operation (redirect) on a call that is not
  in progress;
- 21604 "'To' phone number is required to send a Message"; 21603 "A 'From' or
  'MessagingServiceSid' parameter is required to send a message"; 21602 "Message body is
  required".
"""
from __future__ import annotations

import base64
import json
import re
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import TYPE_CHECKING

from devstack.carrier.party import Party
from devstack.carrier.records import is_call_address, is_phone_number

if TYPE_CHECKING:
    from devstack.carrier.carrier import Carrier

ROUTE = re.compile(
    r"^/2010-04-01/Accounts/(?P<account>[^/]+)/(?P<collection>Calls|Messages|Recordings)"
    r"(?:/(?P<sid>[A-Za-z0-9]+))?(?P<ext>\.json|\.wav|\.mp3)?$"
)
COLLECTION_KEY = {"Calls": "calls", "Messages": "messages", "Recordings": "recordings"}
FINAL = ("completed", "busy", "no-answer", "failed", "canceled")
PHONE_PAGE = Path(__file__).with_name("phone.html")


class ApiError(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> dict:
        return {"code": self.code, "message": self.message,
                "more_info": f"https://www.twilio.com/docs/errors/{self.code}", "status": self.status}


def handler_for(carrier: "Carrier"):
    class Handler(CarrierHandler):
        pass

    Handler.carrier = carrier
    return Handler


class CarrierHandler(BaseHTTPRequestHandler):
    carrier: "Carrier"
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
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        if "json" in (self.headers.get("Content-Type") or ""):
            data = json.loads(raw or "{}")
            return {k: v if isinstance(v, list) else [v] for k, v in data.items()}
        return urllib.parse.parse_qs(raw, keep_blank_values=True)

    def dispatch(self, method: str) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        try:
            if parsed.path.startswith("/_carrier/"):
                self.control(method, parsed.path, query)
                return
            match = ROUTE.match(parsed.path)
            if match is None:
                raise ApiError(404, 20404, f"The requested resource {parsed.path} was not found")
            media = match["collection"] == "Recordings" and match["sid"] and match["ext"] in (None, ".wav", ".mp3")
            if not media:
                self.authenticate(match["account"])
            elif match["account"] != self.carrier.account_sid:
                raise ApiError(404, 20404, f"The requested resource {parsed.path} was not found")
            route = getattr(self, f"{method.lower()}_{match['collection'].lower()}", None)
            if route is None:
                raise ApiError(405, 20004, "Method not allowed")
            route(match, query, parsed.path)
        except ApiError as error:
            self.send_json(error.status, error.body())

    def authenticate(self, account: str) -> None:
        """Twilio docs: REST API: Authentication: HTTP Basic with AccountSid:AuthToken."""
        header = self.headers.get("Authorization", "")
        expected = f"{self.carrier.account_sid}:{self.carrier.auth_token}"
        try:
            given = base64.b64decode(header[6:]).decode("utf-8") if header.startswith("Basic ") else ""
        except ValueError:
            given = ""
        if given != expected or account != self.carrier.account_sid:
            raise ApiError(401, 20003, "Authenticate")

    def not_found(self, path: str) -> ApiError:
        return ApiError(404, 20404, f"The requested resource {path} was not found")

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
        if not match["sid"]:
            self.carrier.created_calls.append(
                {"at": arrived, "to": (form.get("To") or [""])[0], "url": (form.get("Url") or [""])[0]})
        one = lambda name, default=None: (form.get(name) or [default])[0]  # noqa: E731
        if match["sid"]:
            call = self.carrier.calls.get(match["sid"])
            if call is None:
                raise self.not_found(path)
            status, url, twiml = one("Status"), one("Url"), one("Twiml")
            if (url or twiml) and call.status in FINAL:
                raise ApiError(400, 21220, "Invalid call state: the call is not in-progress, so it cannot be redirected.")
            call = self.carrier.update_call(call.sid, status, url, one("Method", "POST"), twiml)
            self.send_json(200, call.as_json())
            return
        to, from_ = one("To"), one("From")
        if not to:
            raise ApiError(400, 21201, "No 'To' number specified")
        if not is_call_address(to):
            raise ApiError(400, 21211, f"Invalid 'To' Phone Number: {to}")
        if not from_:
            raise ApiError(400, 21213, "'From' phone number is required")
        if not is_call_address(from_):
            raise ApiError(400, 21212, f"Invalid 'From' Phone Number: {from_}")
        url, twiml = one("Url"), one("Twiml")
        if not url and not twiml:
            raise ApiError(400, 21200, "Calls Resource: one of url, twiml or applicationSid is required")
        if url and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise ApiError(400, 21205, f"Invalid URL: {url}")
        events = [e for value in form.get("StatusCallbackEvent", []) for e in value.split()]
        call = self.carrier.outbound_call(
            to, from_, url, one("Method", "POST"), twiml, one("StatusCallback"), events,
            one("StatusCallbackMethod", "POST"), float(one("Timeout", "60")),
            (one("Record", "false") or "false").lower() == "true",
            one("RecordingStatusCallback"), one("RecordingStatusCallbackMethod", "POST"),
        )
        self.send_json(201, call.as_json())

    def get_calls(self, match, query, path):
        if match["sid"]:
            call = self.carrier.calls.get(match["sid"])
            if call is None:
                raise self.not_found(path)
            self.send_json(200, call.as_json())
            return
        calls = sorted(self.carrier.calls.values(), key=lambda c: c.date_created, reverse=True)
        for name, attribute in (("To", "to"), ("From", "from_"), ("Status", "status"), ("ParentCallSid", "parent_call_sid")):
            if name in query:
                calls = [c for c in calls if getattr(c, attribute) == query[name][0]]
        self.send_json(200, self.page("calls", [c.as_json() for c in calls], query, path))

    # -- Messages ---------------------------------------------------------------------

    def post_messages(self, match, query, path):
        form = self.form()
        one = lambda name, default=None: (form.get(name) or [default])[0]  # noqa: E731
        to, from_, service = one("To"), one("From"), one("MessagingServiceSid")
        if not to:
            raise ApiError(400, 21604, "'To' phone number is required to send a Message")
        if not is_phone_number(to):
            raise ApiError(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if not from_ and not service:
            raise ApiError(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message")
        if from_ and not is_phone_number(from_):
            raise ApiError(400, 21212, f"The 'From' number {from_} is not a valid phone number, shortcode, or alphanumeric sender ID.")
        body = one("Body", "")
        if not body:
            raise ApiError(400, 21602, "Message body is required.")
        message = self.carrier.send_message(to, from_, body, service, one("StatusCallback"))
        self.send_json(201, message.as_json())

    def get_messages(self, match, query, path):
        if match["sid"]:
            message = self.carrier.message_store.get(match["sid"])
            if message is None:
                raise self.not_found(path)
            self.send_json(200, message.as_json())
            return
        found = sorted(self.carrier.message_store.values(), key=lambda m: m.date_created, reverse=True)
        for name, attribute in (("To", "to"), ("From", "from_")):
            if name in query:
                found = [m for m in found if getattr(m, attribute) == query[name][0]]
        self.send_json(200, self.page("messages", [m.as_json() for m in found], query, path))

    # -- Recordings -------------------------------------------------------------------

    def recording(self, match, path):
        recording = self.carrier.recordings.get(match["sid"] or "")
        if recording is None or recording.deleted:
            raise self.not_found(path)
        return recording

    def get_recordings(self, match, query, path):
        if not match["sid"]:
            found = [r for r in self.carrier.recordings.values() if not r.deleted]
            if "CallSid" in query:
                found = [r for r in found if r.call_sid == query["CallSid"][0]]
            found.sort(key=lambda r: r.date_created, reverse=True)
            self.send_json(200, self.page("recordings", [r.as_json(self.carrier.url) for r in found], query, path))
            return
        recording = self.recording(match, path)
        if match["ext"] == ".json":
            self.send_json(200, recording.as_json(self.carrier.url))
            return
        body, content_type = self.carrier.recording_media(recording, match["ext"] or ".wav")
        self.send(200, body, content_type)

    def delete_recordings(self, match, query, path):
        if match["ext"] not in (".json", None):
            raise ApiError(405, 20004, "Method not allowed")
        self.authenticate(match["account"])
        self.recording(match, path).deleted = True
        self.send(204)

    # -- control surface (ours, not Twilio's) ---------------------------------------------

    def control(self, method: str, path: str, query) -> None:
        carrier = self.carrier
        if method == "POST":
            data = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        try:
            if method == "POST" and path == "/_carrier/numbers":
                config = carrier.add_number(data["number"], data.get("voice_url"), data.get("status_callback"),
                                            data.get("sms_url"), data.get("voice_method", "POST"))
                self.send_json(201, vars(config))
            elif method == "POST" and path == "/_carrier/inbound":
                call = carrier.inbound_call(data["from"], data["to"])
                self.send_json(201, call.as_json())
            elif method == "POST" and path == "/_carrier/inbound_sms":
                exchange = carrier.inbound_message(data["from"], data["to"], data.get("body", ""))
                self.send_json(201, exchange.as_json())
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

