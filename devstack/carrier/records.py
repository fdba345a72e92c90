"""The carrier's resources and the JSON Twilio's REST API 2010-04-01 returns for them.

Twilio docs: Voice API, Call resource (https://www.twilio.com/docs/voice/api/call-resource);
Messaging API, Message resource (https://www.twilio.com/docs/messaging/api/message-resource);
Voice API, Recording resource (https://www.twilio.com/docs/voice/api/recording).
Dates are RFC 2822 ("Wed, 25 Nov 2026 12:45:11 +0000"), durations and prices are strings.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime

API_VERSION = "2010-04-01"
E164 = re.compile(r"^\+[1-9]\d{6,14}$")

try:  # phonenumbers is optional: geography parameters are empty without it
    import phonenumbers
    from phonenumbers import geocoder
except ImportError:  # pragma: no cover - the project's venv has it
    phonenumbers = None


def new_sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


def rfc2822(moment: datetime | None) -> str | None:
    return format_datetime(moment) if moment is not None else None


def is_phone_number(value: str) -> bool:
    return bool(E164.match(value or ""))


def is_call_address(value: str) -> bool:
    """What Calls.json accepts in To/From: E.164, a client identity or a SIP URI."""
    return is_phone_number(value) or (value or "").startswith(("client:", "sip:"))


def formatted(number: str) -> str:
    """Twilio's *_formatted: national format for North American numbers, else as given."""
    if phonenumbers is None or not is_phone_number(number):
        return number
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    if parsed.country_code == 1:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return number


def geography(number: str) -> dict[str, str]:
    """Country, state and city as Twilio derives them for a number (ISO country code,
    state abbreviation and city for North America; empty strings when unknown)."""
    country = state = city = ""
    if phonenumbers is not None and is_phone_number(number):
        try:
            parsed = phonenumbers.parse(number, None)
            # A number phonenumbers knows is never assigned (Ofcom's drama mobiles, which
            # the inventory sells) has no region of its own: its country code still names one.
            country = (phonenumbers.region_code_for_number(parsed)
                       or phonenumbers.region_code_for_country_code(parsed.country_code))
            country = "" if country == "ZZ" else country
            place = geocoder.description_for_number(parsed, "en")
            if ", " in place:
                city, state = place.rsplit(", ", 1)
                city = city.upper()  # Twilio sends city names in capitals
            elif place and place != country:
                state = place
        except phonenumbers.NumberParseException:
            pass
    return {"Country": country, "State": state, "City": city, "Zip": ""}


def voice_geography(from_: str, to: str) -> dict[str, str]:
    """Twilio docs: TwiML Voice: Twilio's request to your application: FromCity, FromState,
    FromZip, FromCountry, ToCity, ..., and the same again as Caller* and Called*."""
    params: dict[str, str] = {}
    for number, names in ((from_, ("From", "Caller")), (to, ("To", "Called"))):
        geo = geography(number)
        for name in names:
            for key, value in geo.items():
                params[name + key] = value
    return params


def account_path(account_sid: str) -> str:
    return f"/{API_VERSION}/Accounts/{account_sid}"


@dataclass
class Call:
    sid: str
    account_sid: str
    from_: str
    to: str
    direction: str  # inbound, outbound-api, outbound-dial
    status: str
    date_created: datetime
    parent_call_sid: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    duration: int | None = None
    date_updated: datetime | None = None
    answered_by: str | None = None

    def as_json(self) -> dict:
        base = f"{account_path(self.account_sid)}/Calls/{self.sid}"
        return {
            "account_sid": self.account_sid,
            "annotation": None,
            "answered_by": self.answered_by,
            "api_version": API_VERSION,
            "caller_name": None,
            "date_created": rfc2822(self.date_created),
            "date_updated": rfc2822(self.date_updated or self.date_created),
            "direction": self.direction,
            "duration": None if self.duration is None else str(self.duration),
            "end_time": rfc2822(self.end_time),
            "forwarded_from": None,
            "from": self.from_,
            "from_formatted": formatted(self.from_),
            "group_sid": None,
            "parent_call_sid": self.parent_call_sid,
            "phone_number_sid": None,
            "price": None,
            "price_unit": "USD",
            "queue_time": "0",
            "sid": self.sid,
            "start_time": rfc2822(self.start_time),
            "status": self.status,
            "subresource_uris": {
                name: f"{base}/{path}.json"
                for name, path in (
                    ("feedback", "Feedback"),
                    ("user_defined_messages", "UserDefinedMessages"),
                    ("notifications", "Notifications"),
                    ("recordings", "Recordings"),
                    ("streams", "Streams"),
                    ("payments", "Payments"),
                    ("user_defined_message_subscriptions", "UserDefinedMessageSubscriptions"),
                    ("siprec", "Siprec"),
                    ("events", "Events"),
                    ("feedback_summaries", "FeedbackSummary"),
                    ("transcriptions", "Transcriptions"),
                )
            },
            "to": self.to,
            "to_formatted": formatted(self.to),
            "trunk_sid": None,
            "uri": f"{base}.json",
        }


@dataclass
class Message:
    sid: str
    account_sid: str
    from_: str | None
    to: str
    body: str
    status: str
    date_created: datetime
    messaging_service_sid: str | None = None
    status_callback: str | None = None
    direction: str = "outbound-api"
    date_sent: datetime | None = None
    date_updated: datetime | None = None
    error_code: int | None = None  # undelivered or failed: why (see messaging.DELIVERY_ERRORS)
    error_message: str | None = None

    @property
    def num_segments(self) -> int:
        # GSM-7 messages longer than 160 characters are split into 153-character segments.
        return 1 if len(self.body) <= 160 else -(-len(self.body) // 153)

    def as_json(self) -> dict:
        base = f"{account_path(self.account_sid)}/Messages/{self.sid}"
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": self.body,
            "date_created": rfc2822(self.date_created),
            "date_sent": rfc2822(self.date_sent),
            "date_updated": rfc2822(self.date_updated or self.date_created),
            "direction": self.direction,
            "error_code": self.error_code,
            "error_message": self.error_message,
            "from": self.from_,
            "messaging_service_sid": self.messaging_service_sid,
            "num_media": "0",
            "num_segments": str(self.num_segments),
            "price": None,
            "price_unit": "USD",
            "sid": self.sid,
            "status": self.status,
            "subresource_uris": {"media": f"{base}/Media.json", "feedback": f"{base}/Feedback.json"},
            "to": self.to,
            "uri": f"{base}.json",
        }


@dataclass
class Recording:
    sid: str
    account_sid: str
    call_sid: str
    duration: int
    source: str  # DialVerb, RecordVerb, OutboundAPI
    date_created: datetime
    start_time: datetime
    channels: int = 1
    status: str = "completed"
    deleted: bool = False
    media: dict[str, bytes] = field(default_factory=dict)

    def as_json(self, public_base: str) -> dict:
        path = f"{account_path(self.account_sid)}/Recordings/{self.sid}"
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "call_sid": self.call_sid,
            "channels": self.channels,
            "conference_sid": None,
            "date_created": rfc2822(self.date_created),
            "date_updated": rfc2822(self.date_created),
            "duration": str(self.duration),
            "encryption_details": None,
            "error_code": None,
            "media_url": f"{public_base}{path}",
            "price": None,
            "price_unit": "USD",
            "sid": self.sid,
            "source": self.source,
            "start_time": rfc2822(self.start_time),
            "status": self.status,
            "subresource_uris": {
                "add_on_results": f"{path}/AddOnResults.json",
                "transcriptions": f"{path}/Transcriptions.json",
            },
            "track": "both",
            "uri": f"{path}.json",
        }
