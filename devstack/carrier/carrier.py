"""The local carrier: state, the scripted world, and the HTTP server (see package docs)."""
from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, replace
from http.server import ThreadingHTTPServer

from devstack.carrier.account import Account, NumberConfig, OutgoingCallerId
from devstack.carrier.accounts import Accounts
from devstack.carrier.clock import SimClock
from devstack.carrier.messaging import Messaging
from devstack.carrier.party import DEFAULT_CALLEE, DEFAULT_CALLER, Party
from devstack.carrier.recordings import CarrierRecordings
from devstack.carrier.records import Call, Message, Recording, new_sid, rfc2822
from devstack.carrier.rings import PhoneDecisions, Ring
from devstack.carrier.voice import CallSession, StatusCallbacks
from devstack.carrier.webhooks import WebhookExchange, WebhookSender

# What a call to a number without a voice URL hears (in place of Twilio's default message).
NO_VOICE_URL = "<Response><Say>Thanks for the call. This number has no voice URL configured yet.</Say></Response>"


@dataclass
class CarrierError:
    code: int
    message: str
    call_sid: str = ""


class Carrier(PhoneDecisions, CarrierRecordings):
    """The carrier's state and what can be done with it; a person's decisions on the phone
    page are rings.py, its recordings recordings.py, its texts messaging.py."""

    def __init__(
        self,
        port: int = 0,
        auth_token: str = "local-auth-token",
        account_sid: str = "AC" + "0" * 32,
        time_scale: float = 0.01,
        host: str = "127.0.0.1",
    ) -> None:
        self.host = host
        self.port = port
        self.auth_token = auth_token  # the main account's credentials
        self.account_sid = account_sid
        self.clock = SimClock(time_scale)
        self.accounts = Accounts(self.clock, account_sid, auth_token)  # the main one and its subaccounts
        self.account: Account = self.accounts.main
        # Each webhook is signed with the token of the account it is about (webhooks.py).
        self.webhooks = WebhookSender(self.accounts.token_of)
        self.lock = threading.RLock()
        self.messaging = Messaging(self)
        self.parties: dict[str, Party] = {}
        self.calls: dict[str, Call] = {}
        self.sessions: dict[str, CallSession] = {}
        self.message_store: dict[str, Message] = {}
        self.recordings: dict[str, Recording] = {}
        self.errors: list[CarrierError] = []
        self.rings: dict[str, Ring] = {}  # calls to interactive parties, by call SID
        self.next_presses: deque[str] = deque()
        # Every REST request that created a call, with the wall-clock time it arrived:
        # what `make bench-callback` measures the dial workflow's latency against.
        self.created_calls: deque[dict] = deque(maxlen=10_000)
        self._threads: list[threading.Thread] = []
        self._server: ThreadingHTTPServer | None = None
        self._serve_thread: threading.Thread | None = None

    # -- server -----------------------------------------------------------------------

    def start(self) -> Carrier:
        from devstack.carrier.server import handler_for

        self._server = ThreadingHTTPServer((self.host, self.port), handler_for(self))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._serve_thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="carrier-http", daemon=True
        )
        self._serve_thread.start()
        return self

    def stop(self) -> None:
        for session in list(self.sessions.values()):
            session.interrupt.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Carrier:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # -- configuration and scripting ----------------------------------------------------

    @property
    def numbers(self) -> dict[str, NumberConfig]:
        """Every account's incoming phone numbers, by number."""
        return self.accounts.numbers()

    def add_number(self, number: str, voice_url: str | None = None, status_callback: str | None = None,
                   sms_url: str | None = None, voice_method: str = "POST",
                   capabilities: Mapping[str, bool] | None = None, account_sid: str | None = None) -> NumberConfig:
        """The account `account_sid` (the main account by default) owns `number`, voice
        and SMS unless `capabilities` says otherwise."""
        account = self.accounts.named(account_sid)
        return self.accounts.give(number, account, voice_url, status_callback, sms_url, voice_method, capabilities)

    def rotate_auth_token(self, account_sid: str | None = None, auth_token: str | None = None) -> str:
        """The account's auth token is now `auth_token` (a new random one by default), as
        after Twilio's "promote the secondary auth token": from now on the new token signs
        the account's webhooks and authenticates its API requests, and the old one does
        neither. Returns the new token."""
        import uuid

        account = self.accounts.named(account_sid)
        token = auth_token or uuid.uuid4().hex
        with self.accounts.lock:
            account.auth_token = token
            account.date_updated = self.clock.now()
        if account is self.accounts.main:
            self.auth_token = token
        return token

    def release_number(self, number: str) -> None:
        """No account owns `number` any more (a number released in Twilio's Console)."""
        self.accounts.release(number)

    def verify_caller_id(self, number: str, friendly_name: str | None = None,
                         account_sid: str | None = None) -> OutgoingCallerId:
        """The account may call from `number` (a verified caller ID), never text from it."""
        return self.accounts.named(account_sid).verify_caller_id(number, friendly_name)

    def script(self, number: str, party: Party) -> None:
        """How the phone at `number` behaves from now on (when called, or when calling in)."""
        with self.lock:
            self.parties[number] = party

    def party_for(self, number: str, callee: bool) -> Party:
        with self.lock:
            return self.parties.get(number, DEFAULT_CALLEE if callee else DEFAULT_CALLER)

    def caller_presses(self, call_sid: str | None, digits: str) -> None:
        """Digits for the next <Gather> of a live call, or of the next call when `call_sid`
        is None."""
        with self.lock:
            session = self.sessions.get(call_sid) if call_sid else None
            if call_sid and session is None:
                raise KeyError(call_sid)
            (session.digits if session else self.next_presses).append(digits)

    # -- a person on the phone page: PhoneDecisions (rings.py) ------------------------------

    def state(self, webhooks: int = 40) -> dict:
        """What the phone page shows (phone_page.py)."""
        from devstack.carrier.phone_page import phone_state

        return phone_state(self, webhooks)

    # -- what tests look at ---------------------------------------------------------------

    @property
    def webhook_log(self) -> list[WebhookExchange]:
        with self.webhooks.lock:
            return list(self.webhooks.log)

    def messages(self, to: str | None = None, from_: str | None = None) -> list[Message]:
        with self.lock:
            found = list(self.message_store.values())
        return [m for m in found if (to is None or m.to == to) and (from_ is None or m.from_ == from_)]

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until every call the carrier is running has ended."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                alive = [t for t in self._threads if t.is_alive()]
                self._threads = alive
            if not alive:
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{len(alive)} call(s) still running")
            alive[0].join(remaining)

    def record_error(self, code: int, message: str, call_sid: str = "") -> None:
        with self.lock:
            self.errors.append(CarrierError(code, message, call_sid))

    # -- resources ------------------------------------------------------------------------

    def rfc2822_now(self) -> str:
        return rfc2822(self.clock.now())

    def add_call(self, call: Call) -> None:
        with self.lock:
            self.calls[call.sid] = call

    # (the recordings themselves: CarrierRecordings, recordings.py)

    def _register(self, session: CallSession, takes_next_presses: bool = True) -> None:
        """Digits queued with caller_presses(None, ...) go to this call, before its party's."""
        with self.lock:
            while takes_next_presses and self.next_presses:
                session.digits.appendleft(self.next_presses.pop())
            self.sessions[session.call.sid] = session

    def _spawn(self, name: str, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        with self.lock:
            self._threads.append(thread)
        thread.start()

    # -- calls ----------------------------------------------------------------------------

    def inbound_call(self, from_: str, to: str) -> Call:
        """Someone at `from_` calls the number `to`, which rings the voice URL its owner set
        (Twilio docs: TwiML Voice: Twilio's request to your application:
        CallStatus=ringing, Direction=inbound). Without a voice URL the caller hears
        Twilio's default message and the application hears nothing. `to` may carry
        post-dial digits as a phone dials a tel: link ("+14155550101,,1234"): the phone
        sends them once the call is up, so the call's first <Gather> hears them."""
        to, _, post_dial = to.partition(",")
        post_dial = "".join(ch for ch in post_dial if ch.isdigit() or ch in "*#")
        held = self.accounts.owning(to)
        if held is None or not held[1].takes_calls:
            raise LookupError(f"{to} is no voice number of any account")
        owner, config = held
        call = Call(new_sid("CA"), owner.sid, from_, to, "inbound", "ringing", self.clock.now())
        self.add_call(call)
        if not self.accounts.is_active(owner):
            # Twilio docs: error 10003 "Incoming call rejected due to inactive account".
            call.status, call.duration, call.end_time = "failed", 0, self.clock.now()
            self.record_error(10003, f"{to} belongs to {owner.sid}, which is {owner.status}", call.sid)
            return call
        # Twilio docs: IncomingPhoneNumber resource, status_callback: called when the call ends.
        callbacks = StatusCallbacks(self, config.status_callback, ("completed",), config.status_callback_method)
        session = CallSession(self, call, self.party_for(from_, callee=False), callbacks)
        self._register(session)
        if post_dial:
            session.digits.appendleft(post_dial)
        self._spawn(f"call-{call.sid}", session.run_inbound, config.voice_url, config.voice_method,
                    None if config.voice_url else NO_VOICE_URL)
        return call

    def outbound_call(self, to: str, from_: str, url: str | None, method: str, twiml: str | None,
                      status_callback: str | None, events: list[str], status_method: str, timeout: float,
                      record: bool, recording_status_callback: str | None, recording_method: str,
                      account_sid: str | None = None) -> Call:
        call = Call(new_sid("CA"), account_sid or self.account_sid, from_, to, "outbound-api", "queued",
                    self.clock.now())
        self.add_call(call)
        callbacks = StatusCallbacks(self, status_callback, events, status_method)
        session = CallSession(self, call, self.party_for(to, callee=True), callbacks)
        session.record_call = record
        session.recording_status_callback = recording_status_callback
        session.recording_status_callback_method = recording_method
        self._register(session)
        created = replace(call)  # the call as created (queued), before its thread moves it on
        self._spawn(f"call-{call.sid}", session.run_outbound, url, method, twiml, timeout)
        return created

    def update_call(self, sid: str, status: str | None, url: str | None, method: str, twiml: str | None) -> Call:
        """Twilio docs: Voice API: Call resource, "Update a Call": Status=canceled ends a
        queued or ringing call, Status=completed hangs up any call; Url or Twiml redirects a
        live call to new TwiML."""
        with self.lock:
            call = self.calls[sid]
            session = self.sessions.get(sid)
        if status in ("completed", "canceled"):
            ended = call.status in ("completed", "busy", "no-answer", "failed", "canceled")
            if session is not None and not ended and (status == "completed" or call.status in ("queued", "ringing")):
                session.interrupt.set()
                session.done.wait(5)
        elif (url or twiml) and session is not None:
            from devstack.carrier.voice import Fetch

            session.redirect = Fetch(url, method or "POST", kind="redirect", twiml=twiml)
            session.interrupt.set()
        return call

    # -- messages (messaging.py) -------------------------------------------------------------

    def send_message(self, to: str, from_: str | None, body: str, messaging_service_sid: str | None,
                     status_callback: str | None, account_sid: str | None = None) -> Message:
        return self.messaging.send(to, from_, body, messaging_service_sid, status_callback,
                                   account_sid or self.account_sid)

    def inbound_message(self, from_: str, to: str, body: str) -> WebhookExchange:
        """Someone at `from_` texts the number `to`: the SMS URL its owner set is posted to."""
        return self.messaging.receive(from_, to, body)
