"""Calls, callback requests and their legs, texts sent."""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import JSONAttribute, MapAttribute, NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection
from pynamodb.models import Model

from ringback.adapters.tables.base import StreamedMeta, TableMeta

# --- Calls and callbacks ----------------------------------------------------------------


class CallsByTenantTime(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_tenant_time"
        projection = AllProjection()

    tenant_id = UnicodeAttribute(hash_key=True)
    started_at = NumberAttribute(range_key=True)


class CallsByCaller(GlobalSecondaryIndex):
    """First-time or returning caller, and a caller's history, in one Query: what each
    earlier call was made to and attributed to (attribution weighs the caller's past)."""

    class Meta:
        index_name = "by_tenant_caller"
        projection = IncludeProjection(["status", "site_id", "caller", "tracking_number", "attribution"])

    tenant_caller = UnicodeAttribute(hash_key=True)  # "{tenant_id}#{caller E.164}"
    started_at = NumberAttribute(range_key=True)


class CallRecord(Model):
    """An inbound call to a tracking number. Keyed by the carrier's call id, so a
    webhook retried by the carrier lands on the same item (conditional put)."""

    class Meta(StreamedMeta):
        table_name = "calls"

    call_id = UnicodeAttribute(hash_key=True)  # "{provider}:{CallSid}"
    tenant_id = UnicodeAttribute()
    site_id = UnicodeAttribute()
    tracking_number = UnicodeAttribute()
    caller = UnicodeAttribute()
    tenant_caller = UnicodeAttribute()
    started_at = NumberAttribute()
    status = UnicodeAttribute(default="ringing")
    attribution = JSONAttribute(default=dict)
    outcome = JSONAttribute(default=dict)  # ring/talk seconds, voicemail
    # Written apart from the outcome: the recording callback and the Dial action race.
    recordings: MapAttribute[str, Any] = MapAttribute(default=dict)  # recording sid -> S3 key
    # The missed-call texts about this call: message id -> {to, from, status, error_code,
    # rank}; each entry moves only forward (its rank), as the message's status callbacks do.
    alerts: MapAttribute[str, Any] = MapAttribute(default=dict)
    # The carrier's final status callback: how the call itself ended and the caller's whole
    # time on the line (CallDuration). The operator's talk time is the outcome's.
    carrier_status = UnicodeAttribute(null=True)
    call_seconds = NumberAttribute(null=True)
    # What the business says about the call (ringback.calls.leads), written by the
    # dashboard only, and its own version (the call's ETag), which the carrier's writes
    # never move. Absent until somebody changes it.
    lead = JSONAttribute(null=True)
    lead_version = NumberAttribute(null=True)
    retain_until = TTLAttribute(null=True)
    by_tenant_time = CallsByTenantTime()
    by_tenant_caller = CallsByCaller()


class CallbacksByTenantTime(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_tenant_time"
        projection = AllProjection()

    tenant_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class CallbacksBySitePhone(GlobalSecondaryIndex):
    """Repeats for one phone within a window merge into one request."""

    class Meta:
        index_name = "by_site_phone"
        projection = KeysOnlyProjection()

    site_phone = UnicodeAttribute(hash_key=True)  # "{site_id}#{visitor E.164}"
    created_at = NumberAttribute(range_key=True)


class CallbackRequestRecord(Model):
    """A visitor's request to be called back, and every state it went through. Written
    read-modify-write, conditioned on `version` (the workflow and webhooks race)."""

    class Meta(StreamedMeta):
        table_name = "callback_requests"

    request_id = UnicodeAttribute(hash_key=True)
    tenant_id = UnicodeAttribute()
    site_id = UnicodeAttribute()
    session_id = UnicodeAttribute(null=True)
    phone = UnicodeAttribute()
    site_phone = UnicodeAttribute()
    created_at = NumberAttribute()
    updated_at = NumberAttribute(default=0)
    scheduled_for = NumberAttribute(null=True)
    retry_at = NumberAttribute(null=True)
    status = UnicodeAttribute(default="accepted")
    rounds = JSONAttribute(default=list)  # [{"round", "leg_seq", "result", "at"}]
    pending = JSONAttribute(null=True)  # the round being rung, with its task token
    transitions = JSONAttribute(default=list)  # [{"status": ..., "at": ms, ...detail}]
    attribution = JSONAttribute(default=dict)
    outcome = JSONAttribute(default=dict)
    recordings: MapAttribute[str, Any] = MapAttribute(default=dict)  # recording sid -> S3 key
    alerts: MapAttribute[str, Any] = MapAttribute(default=dict)  # missed-callback texts, as on CallRecord
    locale = UnicodeAttribute(null=True)
    # Members' manual retries: [{"attempt", "at", "by", "key", "after", "outcome", ...}]
    retries = JSONAttribute(default=list)
    version = NumberAttribute(default=1)
    retain_until = TTLAttribute(null=True)
    by_tenant_time = CallbacksByTenantTime()
    by_site_phone = CallbacksBySitePhone()


class LegsByCallId(GlobalSecondaryIndex):
    """A carrier status webhook names only the call id; this finds its callback leg."""

    class Meta:
        index_name = "by_call_id"
        projection = AllProjection()

    call_id = UnicodeAttribute(hash_key=True)


class CallbackLegRecord(Model):
    """One call placed for a callback: the operator's or the visitor's, per round."""

    class Meta(StreamedMeta):
        table_name = "callback_legs"

    request_id = UnicodeAttribute(hash_key=True)
    leg = UnicodeAttribute(range_key=True)  # "{round:02d}#{role}#{seq:02d}"
    call_id = UnicodeAttribute(null=True)  # absent until the carrier has taken the call
    role = UnicodeAttribute()  # operator | visitor
    number = UnicodeAttribute()
    status = UnicodeAttribute(default="queued")
    started_at = NumberAttribute()
    answered_at = NumberAttribute(null=True)
    ring_seconds = NumberAttribute(null=True)
    talk_seconds = NumberAttribute(null=True)
    error_code = UnicodeAttribute(null=True)  # the carrier refused to place it (Twilio's code)
    # Epoch seconds; TTL removes the leg this long after it was placed
    # (ringback.calls.retention.CALLBACK_LEG_DAYS). Absent on legs written before it.
    retain_until = TTLAttribute(null=True)
    by_call_id = LegsByCallId()


class MessagesByTenantSender(GlobalSecondaryIndex):
    """The texts one number sent to a tenant's tracking numbers: what an erasure of that
    caller removes (ringback.calls.erasure). Sparse: only received texts carry the key."""

    class Meta:
        index_name = "by_tenant_sender"
        projection = KeysOnlyProjection()

    tenant_sender = UnicodeAttribute(hash_key=True)  # "{tenant_id}#{sender E.164}"


class MessageRecord(Model):
    """A text we sent through the carrier (a missed-call or missed-callback alert), keyed
    by the carrier's message id, so its status callbacks land on it. The status only moves
    forward (`status_rank`: queued < sent < delivered | undelivered | failed), so a retried
    or late callback changes nothing."""

    class Meta(TableMeta):
        table_name = "messages"

    message_id = UnicodeAttribute(hash_key=True)  # "{provider}:{MessageSid}", or "unsent:..." when refused
    tenant_id = UnicodeAttribute(null=True)  # null only while a status callback beat our own write
    site_id = UnicodeAttribute(null=True)
    purpose = UnicodeAttribute(null=True)  # missed_call | missed_callback | text_received
    call_id = UnicodeAttribute(null=True)  # what the text was about: a call ...
    request_id = UnicodeAttribute(null=True)  # ... or a callback request
    to = UnicodeAttribute(null=True)
    sender = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    status_rank = NumberAttribute()
    error_code = UnicodeAttribute(null=True)
    created_at = NumberAttribute(null=True)
    updated_at = NumberAttribute()
    # Epoch seconds; TTL removes the text MESSAGE_DAYS after it was sent (ringback.calls.retention).
    retain_until = TTLAttribute(null=True)
    tenant_sender = UnicodeAttribute(null=True)  # received texts only: see MessagesByTenantSender
    by_tenant_sender = MessagesByTenantSender()


