"""Texts: the ones the application sends (and how each one ends) and the ones people send
to the account's numbers.

Twilio docs: Messaging: "Outbound Message Status in Status Callbacks"
(https://www.twilio.com/docs/messaging/guides/outbound-message-status-in-status-callbacks):
a message created without a Messaging Service starts `queued` (with one: `accepted`), and
"a status callback request is not sent for the initial status"; every later change is
posted to the message's StatusCallback. Here a text goes queued → sent → delivered, or
→ sent → undelivered, or → failed without ever being sent, as the recipient's `Party`
says (`Party.sms`). Twilio's diagram also has a `sending` step; this carrier does not
report it (our reading: nothing our application does depends on it).

Twilio docs: "Track the Message Status of Outbound Messages"
(https://www.twilio.com/docs/messaging/guides/track-outbound-message-status): a status
callback carries "a subset of the standard request properties, and additionally
MessageStatus and ErrorCode". We send MessageSid, SmsSid, MessageStatus, SmsStatus,
AccountSid, From, To, ApiVersion, MessagingServiceSid (with a service) and, for
undelivered and failed, ErrorCode. The Message resource shows the same status with
error_code and error_message.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import TYPE_CHECKING

from devstack.carrier.party import DELIVERED, FAILED_TEXT, UNDELIVERED
from devstack.carrier.records import API_VERSION, Message, geography, new_sid

if TYPE_CHECKING:
    from devstack.carrier.carrier import Carrier
    from devstack.carrier.webhooks import WebhookExchange

# Simulated seconds between two states of a text: small, so a test waits milliseconds.
STEP_SECONDS = 0.5

# What the Message resource's error_message says for a delivery error: the title of the
# code's Twilio error page. 30003 and 30006 were read on twilio.com/docs/api/errors;
# 30005 and 30008 are as reference pages built from Twilio's list name them (their
# twilio.com pages could not be read from here).
DELIVERY_ERRORS = {
    30003: "Unreachable destination handset",
    30005: "Unknown destination handset",
    30006: "Landline or unreachable carrier",
    30008: "Unknown error",
}


class Messaging:
    def __init__(self, carrier: Carrier) -> None:
        self.carrier = carrier

    def send(self, to: str, from_: str | None, body: str, messaging_service_sid: str | None,
             status_callback: str | None, account_sid: str | None = None) -> Message:
        """Twilio docs: Messaging API: Message resource, "Create a Message", by the account
        `account_sid` (the main account by default)."""
        carrier = self.carrier
        message = Message(
            sid=new_sid("SM"),
            account_sid=account_sid or carrier.account_sid,
            from_=from_,
            to=to,
            body=body,
            status="accepted" if messaging_service_sid and not from_ else "queued",
            date_created=carrier.clock.now(),
            messaging_service_sid=messaging_service_sid,
            status_callback=status_callback,
        )
        with carrier.lock:
            carrier.message_store[message.sid] = message
        created = replace(message)  # the message as created, before its thread moves it on
        carrier._spawn(f"message-{message.sid}", self.deliver, message)
        return created

    def deliver(self, message: Message) -> None:
        """Moves the text through its states, reporting each one after the first."""
        party = self.carrier.party_for(message.to, callee=True)
        steps = ["queued"] if message.status == "accepted" else []
        if party.sms == FAILED_TEXT:
            steps.append(FAILED_TEXT)
        else:
            steps += ["sent", UNDELIVERED if party.sms == UNDELIVERED else DELIVERED]
        for status in steps:
            self.carrier.clock.sleep(STEP_SECONDS)
            self.move(message, status, party.sms_error if status in (UNDELIVERED, FAILED_TEXT) else None)

    def move(self, message: Message, status: str, error_code: int | None) -> None:
        carrier = self.carrier
        with carrier.lock:
            if message.from_ is None:  # a Messaging Service picks one of the account's senders
                message.from_ = carrier.accounts.named(message.account_sid).sms_sender()
            message.status = status
            message.date_updated = carrier.clock.now()
            if status == "sent":
                message.date_sent = message.date_updated
            if error_code is not None:
                message.error_code = error_code
                message.error_message = DELIVERY_ERRORS.get(error_code)
        if not message.status_callback:
            return
        params = {
            "AccountSid": message.account_sid,
            "ApiVersion": API_VERSION,
            "From": message.from_ or "",
            "To": message.to,
            "MessageSid": message.sid,
            "SmsSid": message.sid,
            "MessageStatus": status,
            "SmsStatus": status,
            "MessagingServiceSid": message.messaging_service_sid,
            "ErrorCode": None if error_code is None else str(error_code),
        }
        carrier.webhooks.send("message-status", message.status_callback, params)

    def receive(self, from_: str, to: str, body: str) -> WebhookExchange:
        """Twilio docs: Messaging webhooks: MessageSid, SmsSid, AccountSid, From, To, Body,
        NumMedia, plus From*/To* geography. <Message> verbs in the reply are sent back."""
        carrier = self.carrier
        held = carrier.accounts.owning(to)
        if held is None or not held[1].sms_url or not held[1].takes_texts:
            raise LookupError(f"no SMS URL configured for {to}")
        owner, config = held
        if not carrier.accounts.is_active(owner):
            raise LookupError(f"{to} belongs to {owner.sid}, which is {owner.status}")
        sid = new_sid("SM")
        params = {
            "AccountSid": owner.sid, "ApiVersion": API_VERSION, "MessageSid": sid, "SmsSid": sid,
            "SmsMessageSid": sid, "SmsStatus": "received", "From": from_, "To": to, "Body": body,
            "NumMedia": "0", "NumSegments": "1",
        }
        for prefix, number in (("From", from_), ("To", to)):
            for key, value in geography(number).items():
                params[prefix + key] = value
        exchange = carrier.webhooks.send("sms", config.sms_url, params, config.sms_method)
        if exchange.ok and exchange.body.strip():
            try:
                root = ET.fromstring(exchange.body)
            except ET.ParseError as error:
                carrier.record_error(12100, f"{config.sms_url}: {error}")
                return exchange
            for verb in root.iter("Message"):
                body_element = verb.find("Body")
                text = body_element.text if body_element is not None else verb.text
                self.send(verb.get("to", from_), verb.get("from", to), (text or "").strip(), None,
                          verb.get("statusCallback"), owner.sid)
        return exchange
