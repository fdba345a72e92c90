"""What the phone page (GET /_carrier/phone, phone.html) shows: GET /_carrier/state."""
from __future__ import annotations

from typing import TYPE_CHECKING

from devstack.carrier.records import rfc2822

if TYPE_CHECKING:
    from devstack.carrier.carrier import Carrier


def phone_state(carrier: Carrier, webhooks: int = 40) -> dict:
    """What the phone page shows: every call, newest first, with what the interactive
    parties have to decide and what they heard; the SMS sent; the latest webhooks."""
    with carrier.lock:
        calls = sorted(carrier.calls.values(), key=lambda c: c.date_created, reverse=True)
        rings = dict(carrier.rings)
        messages = sorted(carrier.message_store.values(), key=lambda m: m.date_created, reverse=True)
        operators = sorted(number for number, party in carrier.parties.items() if party.manual)
    listed = []
    for call in calls:
        ring = rings.get(call.sid)
        listed.append({
            "sid": call.sid, "parent_call_sid": call.parent_call_sid, "from": call.from_, "to": call.to,
            "direction": call.direction, "status": call.status, "duration": call.duration,
            "date_created": rfc2822(call.date_created),
            "interactive": ring is not None,
            "awaiting_decision": ring is not None and ring.awaiting and call.status == "ringing",
            "decision": ring.decision if ring else None,
            "heard": list(ring.heard) if ring else [],
            "dial_status": ring.dial_status if ring else None,
        })
    log = carrier.webhook_log
    exchanges = log[-webhooks:][::-1]
    return {
        "webhook_count": len(log),
        "operators": operators,
        "numbers": sorted(carrier.numbers),
        "calls": listed,
        "messages": [m.as_json() for m in messages],
        "webhooks": [
            {"kind": e.kind, "method": e.method, "url": e.url, "status": e.status, "error": e.error,
             "call_sid": e.call_sid, "params": e.params, "body": e.body}
            for e in exchanges
        ],
    }
