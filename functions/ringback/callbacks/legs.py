"""The carrier's webhooks for a callback's legs: an operator answered (whisper, then
<Dial> the visitor), a leg's progress, the bridge's end and its recording."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ringback.callbacks.core import CallbackCore
from ringback.callbacks.model import (
    LEG_FINAL,
    VISITOR_STATUS_RESULTS,
    BridgePlan,
    CallbackRequest,
    leg_key,
    leg_round,
)
from ringback.callbacks.policy import DialPolicy
from ringback.calls.retention import RecordingRetention
from ringback.errors import NotFound
from ringback.metrics import Metric

if TYPE_CHECKING:
    from ringback.accounts.sites import Site


class LegWebhooks(CallbackCore):
    def operator_answered(self, request_id: str, key: str, call_id: str | None) -> BridgePlan | None:
        """An operator picked up. The first of the round gets the visitor; any other
        operator ringing at the same time is cancelled. None: hang this operator up."""
        round_no = leg_round(key)
        site: Site | None = None
        spoken: str | None = None
        site_removed = False

        def take(request: CallbackRequest) -> bool:
            nonlocal site, spoken, site_removed
            pending = request.pending
            if (request.is_final or pending is None or pending["round"] != round_no
                    or pending.get("answered") or pending.get("operator_leg") not in (None, key)):
                return False
            if site is None:
                site = self._sites.get(request.site_id)
                if site is None:
                    # The site was deleted while its operators rang: nobody gets the visitor.
                    site_removed = True
                    return False
            if not pending.get("whisper"):
                # Kept on the round by the same versioned write that gives this operator the
                # visitor: the dashboard shows what they heard, and a webhook the carrier
                # retries speaks the same words. Built once, however often the write is retried.
                if spoken is None:
                    spoken = self._whisper(site, request)
                pending["whisper"] = spoken
            pending["operator_leg"] = key
            request.move("calling_visitor", self._clock.now_ms(), round=round_no)
            return True

        request, won = self._mutate(request_id, take)
        self._update_leg(request_id, key, status="in-progress", answered_at=self._clock.now_ms(), call_id=call_id)
        if not (won or site_removed):
            return None
        pending = request.pending or {}
        # The legs were placed in the account kept on the round (None: our main account).
        account = pending["account"] if "account" in pending else self._carrier_accounts.of(request.tenant_id)
        self._cancel_other_operators(request_id, round_no, key, account)
        if site is None:
            # Everyone is hung up and the round ends; the plan step then fails the request
            # (reason site_removed), and its record says so.
            self._answer(request_id, round_no, "site_removed")
            return None
        policy = DialPolicy.for_site(site)
        # ring() keeps the round's caller ID on it; a round kept before it did asks the site.
        caller_id: str | None = pending.get("caller_id") or self._caller_id(site)
        if caller_id is None:
            # No number of the account left to call the visitor from (released meanwhile):
            # the carrier would refuse the <Dial>, so end the round as it would.
            self._answer(request_id, round_no, "caller_id_refused")
            return None
        return BridgePlan(pending["whisper"], request.phone, caller_id,
                          policy.visitor_ring_seconds, policy.record, round_no)

    def _cancel_other_operators(self, request_id: str, round_no: int, key: str, account: str | None) -> None:
        """Cancel the round's operator legs still ringing, other than `key`'s."""
        if self._dialer is None:
            return
        for leg in self._store.legs_of(request_id):
            if (leg.role == "operator" and leg_round(leg.leg) == round_no and leg.leg != key
                    and leg.status not in LEG_FINAL and leg.call_id):
                self._dialer.cancel(leg.call_id, account=account)

    def leg_status(self, request_id: str, key: str, call_id: str | None, status: str,
                   duration: int | None) -> None:
        """A status callback for one leg (operator or visitor)."""
        role = key.split("#")[1]
        now = self._clock.now_ms()
        fields: dict[str, Any] = {"status": status, "call_id": call_id}
        if status == "in-progress":
            fields["answered_at"] = now
        if status in LEG_FINAL and duration is not None:
            fields["talk_seconds"] = duration
        leg = self._update_leg(request_id, key, **fields)
        round_no = leg_round(key)
        if role == "visitor" and status == "in-progress":
            self._connected(request_id, round_no)
        elif role == "operator" and status in LEG_FINAL:
            self._operator_leg_ended(request_id, round_no, key, status, leg)

    def bridge_complete(self, request_id: str, round_no: int, dial_status: str, dial_call_id: str | None,
                        talk_seconds: int | None, bridged: bool | None) -> bool:
        """The operator's <Dial> of the visitor ended. True when the two spoke."""
        visitor_key = leg_key(round_no, "visitor", 0)
        talked = dial_status in ("completed", "answered") and bridged is not False
        self._update_leg(request_id, visitor_key, status="completed" if talked else dial_status,
                         call_id=dial_call_id, talk_seconds=talk_seconds if talked else 0)
        if talked:
            self._connected(request_id, round_no)

            def keep(request: CallbackRequest) -> str:
                request.outcome = {**request.outcome, "talk_seconds": talk_seconds or 0, "round": round_no}
                if request.status == "connected" and request.outcome.get("result") == "connected":
                    # The workflow finished while they talked; the call's end completes it.
                    request.move("completed", self._clock.now_ms(), reason="connected")
                    return "completed"
                return "kept"

            request, done = self._mutate(request_id, keep)
            if done == "completed":
                self._finished(request)
            return True
        result = VISITOR_STATUS_RESULTS.get(dial_status, "visitor_no_answer")
        self._answer(request_id, round_no, result)
        return False

    def archive_recording(self, request_id: str, recording_sid: str, account: str | None = None) -> str:
        """Copy a callback's recording into the tenant's prefix, then delete the carrier's.
        `account`: the carrier account the recording is in (the AccountSid of its signed
        webhook); else the tenant's."""
        request = self._store.get(request_id)
        if request is None:
            raise NotFound("no such callback request", code="unknown_request")
        from datetime import UTC, datetime

        account = account or self._carrier_accounts.of(request.tenant_id)

        day = datetime.fromtimestamp(request.created_at / 1000, tz=UTC)
        key = f"tenants/{request.tenant_id}/recordings/{day:%Y/%m/%d}/callbacks/{request_id}/{recording_sid}.wav"
        if not self._recording_store.exists(key):
            # Tagged with the tenant's retention class, which the bucket's lifecycle expires.
            self._recording_store.put(key, self._carrier_recordings.download_recording(recording_sid, account=account),
                                      "audio/wav", RecordingRetention(self._tenants).tags_for(request.tenant_id))

        def keep(request: CallbackRequest) -> bool:
            request.recordings[recording_sid] = key
            return True

        self._mutate(request_id, keep)
        self._carrier_recordings.delete_recording(recording_sid, account=account)
        return key

    def webhook_url(self, name: str, **params: Any) -> str:
        """A callback webhook's URL. Parameters in sorted order: the carrier signs the URL
        as given, and the door rebuilds it the same way to check the signature."""
        from urllib.parse import urlencode

        return f"{self._base_url}/v1/carrier/callbacks/{name}?{urlencode(sorted(params.items()))}"

    def _connected(self, request_id: str, round_no: int) -> None:
        put_through = False  # now, not by a retried status webhook

        def mark(request: CallbackRequest) -> bool:
            nonlocal put_through
            if request.is_final:
                return False
            put_through = request.status != "connected"
            request.move("connected", self._clock.now_ms(), round=round_no)
            return True

        self._mutate(request_id, mark)
        if put_through:
            self._metrics.count(Metric.CALLBACKS_CONNECTED)
        self._answer(request_id, round_no, "connected")
