"""Texts to a site's alert contacts about a missed call or a missed callback, and what
became of each.

Every text is kept (the `MessageLog` port): who it went to, from which number, what it
was about (a call or a callback request) and its status. The carrier reports each text's
progress to a status callback (Twilio: MessageStatus queued, sent, then delivered,
undelivered or failed, with an ErrorCode); a status only moves forward, so a retried or
late callback changes nothing. The call or callback request the text was about keeps a
summary of it, so a missed call whose alert never arrived shows as such in the call log,
the dashboard and the reports, instead of looking like one the business was told about.

A text the carrier refuses outright (no message is created: an unknown or non-texting
sender, a bad recipient) is kept as failed with the carrier's error code; a site with no
number that can text at all is kept as failed with `no_sms_number`.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ringback.accounts import numbers as number_rules
from ringback.clock import Clock
from ringback.errors import InvalidInput
from ringback.metrics import BusinessMetrics, CountedMetrics, Metric

if TYPE_CHECKING:
    from ringback.accounts.sites import Site
    from ringback.callbacks.model import CallbackRequest, CallbackStore
    from ringback.calls.log import CallSummary
    from ringback.ports import CallLog, MessageLog, Notifier, PoolDirectory

# How far along a text is. A status is stored only over a lower one; the three final
# statuses share a rank, so none replaces another.
STATUS_RANK = {"accepted": 0, "scheduled": 0, "queued": 0, "sending": 1, "sent": 2,
               "delivered": 3, "undelivered": 3, "failed": 3,
               # A visitor's text to a tracking number (inbound): final as it arrives.
               "received": 3}
FAILED = ("undelivered", "failed")
NO_SMS_NUMBER = "no_sms_number"
STATUS_PATH = "/v1/carrier/sms-status"


class SmsRefused(Exception):
    """The carrier would not create the message (Twilio answers the create with an error:
    21606 for a sender that cannot text, 21211 for an invalid recipient)."""

    def __init__(self, code: str | None, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Message:
    message_id: str  # "{provider}:{MessageSid}"; "unsent:..." for a text the carrier refused
    status: str
    updated_at: int
    tenant_id: str | None = None  # None only while a status callback has beaten our own write
    site_id: str | None = None
    purpose: str | None = None  # missed_call | missed_callback | text_received
    call_id: str | None = None
    request_id: str | None = None
    to: str | None = None
    sender: str | None = None
    error_code: str | None = None
    created_at: int | None = None

    @property
    def rank(self) -> int:
        return STATUS_RANK[self.status]

    def summary(self) -> dict[str, Any]:
        """What the call or callback request keeps of the text."""
        return {"to": self.to, "from": self.sender, "status": self.status, "error_code": self.error_code,
                "rank": self.rank, "at": self.updated_at}


def alert_counts(alerts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A record's texts, counted: sent (every text tried), delivered, failed (failed or
    undelivered), and the error code of the first failure."""
    failures = [a for _, a in sorted(alerts.items()) if a.get("status") in FAILED]
    return {
        "sent": len(alerts),
        "delivered": sum(1 for a in alerts.values() if a.get("status") == "delivered"),
        "failed": len(failures),
        "error_code": next((a.get("error_code") for a in failures if a.get("error_code")), None),
    }


def channel_of(attribution: dict[str, Any]) -> str:
    """Where the contact came from, in a few words: the source and campaign of the visit,
    or the referrer a static number stands for (a Yelp listing's number, say)."""
    source = attribution.get("source") or attribution.get("referrer_domain") or "your website"
    campaign = attribution.get("campaign")
    return f"{source}, {campaign}" if campaign else source


class Alerts:
    def __init__(self, numbers: PoolDirectory, notifier: Notifier | None, messages: MessageLog,
                 calls: CallLog, callback_store: CallbackStore | None, clock: Clock, base_url: str,
                 new_id: Callable[[], str] = lambda: "unsent:" + secrets.token_hex(12),
                 carrier_accounts: number_rules.CarrierAccounts | None = None,
                 metrics: BusinessMetrics | None = None) -> None:
        self._numbers, self._notifier, self._messages = numbers, notifier, messages
        self._metrics = metrics if metrics is not None else CountedMetrics()
        # Texts go from the tenant's carrier account, the one that owns the sender.
        self._carrier_accounts = carrier_accounts or number_rules.CarrierAccounts(None)
        self._calls, self._callback_store = calls, callback_store
        self._clock, self._status_url, self._new_id = clock, base_url.rstrip("/") + STATUS_PATH, new_id

    def missed_call(self, site: Site, tenant_id: str, call: CallSummary) -> None:
        body = f"Missed call from {call.caller} ({channel_of(call.attribution)}). Call them back."
        # From the number the caller dialled, when it can text: the contact sees which line rang.
        self._send(site, tenant_id, "missed_call", body, call.tracking_number, call_id=call.call_id)

    def missed_callback(self, site: Site, request: CallbackRequest, caller_id: str | None) -> None:
        source = request.attribution.get("source") or "your website"
        body = (f"Missed callback request from {request.phone} ({source}). "
                "We could not connect you; call them back.")
        self._send(site, request.tenant_id, "missed_callback", body, caller_id, request_id=request.request_id)

    def text_received(self, site: Site, tenant_id: str, message_id: str, sender: str, tracking_number: str,
                      text: str, attribution: dict[str, Any]) -> None:
        """Forward a visitor's text to the site's contacts, from the number they texted."""
        body = f"Text from {sender} ({channel_of(attribution)}): {text}"
        self._send(site, tenant_id, "text_received", body, tracking_number)
        # The visitor's own text, kept so a second post of it is not forwarded again.
        now = self._clock.now_ms()
        self._messages.add(Message(message_id, "received", now, tenant_id, site.site_id, "text_received",
                                   to=tracking_number, sender=sender, created_at=now))

    def status(self, message_id: str, status: str, error_code: str | None) -> Message | None:
        """The carrier's status callback for a text. None when it changed nothing (a retry,
        or a status older than the one stored)."""
        if status not in STATUS_RANK:
            raise InvalidInput(f"unknown message status {status[:20]!r}", code="invalid_webhook")
        moved = self._messages.advance(message_id, status, STATUS_RANK[status], error_code or None,
                                       self._clock.now_ms())
        if moved is not None:
            # A final status is stored once (the finals share a rank), so it counts once.
            if moved.status in FAILED:
                self._metrics.count(Metric.SMS_FAILED)
            self._note(moved)
        return moved

    def _send(self, site: Site, tenant_id: str, purpose: str, body: str, preferred: str | None,
              call_id: str | None = None, request_id: str | None = None) -> None:
        if self._notifier is None or not site.alert_contacts:
            return
        sender = number_rules.sms_sender(self._numbers.site_numbers(site.site_id), preferred)
        account = self._carrier_accounts.of(tenant_id) if sender is not None else None
        for contact in site.alert_contacts:
            now = self._clock.now_ms()
            message = Message("", "failed", now, tenant_id, site.site_id, purpose, call_id, request_id, contact,
                              sender, NO_SMS_NUMBER, now)
            if sender is not None:
                try:
                    sent = self._notifier.send_sms(contact, sender, body, self._status_url, account=account)
                    message = replace(message, message_id=sent, status="queued", error_code=None)
                except SmsRefused as refused:
                    message = replace(message, error_code=refused.code or "refused")
            self._metrics.count(Metric.SMS_SENT if message.status == "queued" else Metric.SMS_FAILED)
            if not message.message_id:
                message = replace(message, message_id=self._new_id())
            # The carrier may report on the text before this write lands: the stored status wins.
            self._note(self._messages.add(message))

    def _note(self, message: Message) -> None:
        if message.call_id:
            self._calls.note_alert(message.call_id, message.message_id, message.summary())
        elif message.request_id and self._callback_store is not None:
            self._callback_store.note_alert(message.request_id, message.message_id, message.summary())
