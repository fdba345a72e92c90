"""Cognito's e-mail, kept in a local mailbox instead of sent (devstack/moto_server.py
serves it beside moto).

The mailbox is read as a user reads their e-mail:

    GET /_local/mailbox?to=<email>   -> [{"to", "subject", "body", "code", "at"}, ...], newest last

`code` is what the message's {####} stood for (a verification code, or an invitation's
temporary password); `at` is seconds since the epoch.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass
from urllib.parse import parse_qs

MAILBOX_PATH = "/_local/mailbox"


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str
    code: str | None
    at: float


class Mailbox:
    """Every message the local user pools sent, in the order they were sent."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[Message] = []

    def deliver(self, to: str, subject: str, body: str, code: str | None) -> Message:
        message = Message(to, subject, body, code, time.time())
        with self._lock:
            self._messages.append(message)
        return message

    def messages(self, to: str | None = None) -> list[Message]:
        with self._lock:
            found = list(self._messages)
        if to is None:
            return found
        # E-mail addresses are compared as the pool compares usernames: without case.
        return [m for m in found if m.to.casefold() == to.casefold()]


MAILBOX = Mailbox()


class MailboxEndpoint:
    """GET /_local/mailbox[?to=address]: the messages, as JSON, newest last."""

    def __init__(self, app, mailbox: Mailbox = MAILBOX) -> None:
        self._app, self._mailbox = app, mailbox

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != MAILBOX_PATH:
            return self._app(environ, start_response)
        if environ.get("REQUEST_METHOD") != "GET":
            start_response("405 Method Not Allowed", [("Allow", "GET"), ("Content-Length", "0")])
            return [b""]
        to = parse_qs(environ.get("QUERY_STRING", "")).get("to", [None])[0]
        body = json.dumps([asdict(m) for m in self._mailbox.messages(to)]).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                                  ("Cache-Control", "no-store"), ("Access-Control-Allow-Origin", "*")])
        return [body]
