"""Signed webhook requests from the carrier to the application, and their log.

Twilio docs: Webhooks security (https://www.twilio.com/docs/usage/webhooks/webhooks-security):
the X-Twilio-Signature header is base64(HMAC-SHA1(auth token, URL + each POST parameter
name and value, sorted by name)). For GET requests the parameters are in the URL's query
string and nothing is appended. The same algorithm as twilio.request_validator.RequestValidator.

The token is that of the account the request is about, the one its AccountSid names: the
account that owns the number called or texted, or that placed the call or sent the text
(Twilio signs a subaccount's webhooks with the subaccount's own auth token). Every
webhook Twilio sends carries AccountSid, so the sender reads the signer from it, and the
signature and the AccountSid a webhook shows cannot disagree.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

# Twilio docs: Webhooks connection overrides: the default read timeout is 15 seconds.
TIMEOUT_SECONDS = 15.0


def signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    payload = url
    for name in sorted(set(params)):
        payload += name + str(params[name])
    digest = hmac.new(auth_token.encode("utf-8"), payload.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


@dataclass
class WebhookExchange:
    """One request the carrier sent and what came back (status 0: no HTTP answer)."""

    kind: str  # voice, action, status, recording-status, message-status, sms, whisper, redirect
    method: str
    url: str
    params: dict[str, str]
    headers: dict[str, str]
    status: int = 0
    body: str = ""
    error: str = ""
    call_sid: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def as_json(self) -> dict:
        return {k: getattr(self, k)
                for k in ("kind", "method", "url", "params", "headers", "status", "body", "error", "call_sid")}


@dataclass
class WebhookSender:
    token_of: Callable[[str], str]  # an account SID's auth token
    log: list[WebhookExchange] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, kind: str, url: str, params: Mapping[str, str], method: str = "POST",
             call_sid: str = "") -> WebhookExchange:
        method = (method or "POST").upper()
        params = {k: str(v) for k, v in params.items() if v is not None}
        auth_token = self.token_of(params["AccountSid"])
        if method == "GET":
            separator = "&" if urllib.parse.urlsplit(url).query else "?"
            target = url + separator + urllib.parse.urlencode(params) if params else url
            signed_params: dict[str, str] = {}
            data = None
        else:
            target, signed_params = url, params
            data = urllib.parse.urlencode(params).encode("utf-8")
        headers = {
            "X-Twilio-Signature": signature(auth_token, target, signed_params),
            "User-Agent": "TwilioProxy/1.1",
            "Accept": "*/*",
        }
        if data is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
        exchange = WebhookExchange(kind, method, target, params, headers, call_sid=call_sid)
        request = urllib.request.Request(target, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                exchange.status = response.status
                exchange.body = response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            exchange.status = error.code
            exchange.body = error.read().decode("utf-8", "replace")
        except (urllib.error.URLError, OSError) as error:
            exchange.error = str(error)
        with self.lock:
            self.log.append(exchange)
        return exchange
