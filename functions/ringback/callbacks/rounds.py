"""The dial workflow's steps, as the Step Functions state machine invokes them: `plan`
(record how the last round ended, then wait, ring or finish), `ring` (place the
operator legs and keep the task token) and `abandon`."""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

from ringback.callbacks.core import CallbackCore
from ringback.callbacks.model import (
    CALLER_ID_REFUSALS,
    ERROR_RESULTS,
    LEG_FINAL,
    CallbackLeg,
    CallbackRequest,
    CallRefused,
    WorkflowStep,
    leg_key,
    leg_round,
)
from ringback.callbacks.policy import (
    DialPolicy,
    Finish,
    Ring,
    RoundResult,
    Schedule,
    Wait,
    next_step,
    visitor_timezone,
)
from ringback.errors import Conflict, NotFound


class DialRounds(CallbackCore):
    if TYPE_CHECKING:
        # LegWebhooks' (Callbacks composes both): the carrier's webhooks for a leg.
        def webhook_url(self, name: str, **params: Any) -> str: ...

    def plan(self, request_id: str, last: dict[str, Any] | None) -> WorkflowStep:
        """Record how the last round ended, then decide what happens next."""
        lost_round: dict[str, Any] | None = None
        outcome: dict[str, Any] = {}
        step: WorkflowStep  # what decide() returns; it never refuses (returns False)

        def decide(request: CallbackRequest) -> WorkflowStep:
            nonlocal lost_round, outcome
            now = self._clock.now_ms()
            if request.pending is not None:
                pending = request.pending
                result = pending.get("answered") or _result_of(last)
                if result == "lost":
                    lost_round = dict(pending)
                entry = RoundResult(pending["round"], pending["leg_seq"], result, now).as_json()
                if pending.get("whisper"):
                    entry["whisper"] = pending["whisper"]  # what its operator heard outlives the round
                request.rounds.append(entry)
                request.pending = None
            if request.is_final:
                return WorkflowStep("done", status=request.status)
            site = self._sites.get(request.site_id)
            if site is None:
                # Deleted during the callback: the request ends, failed, and says why.
                request.outcome = {**request.outcome, "result": "site_removed"}
                outcome = request.outcome
                request.move("failed", now, reason="site_removed")
                return WorkflowStep("done", status="failed")
            policy = DialPolicy.for_site(site)
            schedule = Schedule(site.working_hours, site.timezone, visitor_timezone(request.phone),
                                policy.visitor_hours)
            # A manually retried request starts afresh: the policy sees only this attempt's
            # rounds, numbered from 1, and its round numbers are shifted back when it rings.
            first, base = request.series
            history = [replace(r, round=r.round - base) for r in map(RoundResult.from_json, request.rounds[first:])]
            step = next_step(policy, schedule, history, request.scheduled_for, now)
            if isinstance(step, Ring):
                step = replace(step, round=step.round + base)
            if isinstance(step, Wait):
                if step.reason == "scheduled":
                    request.scheduled_for = step.until
                    request.move("scheduled", now, at_time=step.until)
                else:
                    request.retry_at = step.until
                    request.move("retry_scheduled", now, at_time=step.until,
                                 after=history[-1].result if history else None)
                return WorkflowStep("wait", wait_ms=step.until - now)
            if isinstance(step, Ring):
                if self._caller_id(site) is not None:
                    return WorkflowStep("ring", ring=step)
                # No number of the account to call from (the carrier would refuse every
                # leg, 21210): fail now and say so, rather than ring into refusals.
                step = Finish("failed", "no_caller_id")
            assert isinstance(step, Finish)
            request.outcome = {**request.outcome, "result": step.reason, "rounds": len(history)}
            if step.status == "completed" and "talk_seconds" not in request.outcome:
                # The two are still talking: the workflow is done, the request stays
                # "connected" until the bridge ends (bridge_complete completes it).
                return WorkflowStep("done", status="connected")
            outcome = request.outcome
            request.move(step.status, now, reason=step.reason)
            return WorkflowStep("done", status=step.status)

        request, step = self._mutate(request_id, decide)
        if lost_round is not None:
            self._hang_up_round(request_id, lost_round)
        if step.action == "done" and outcome:
            self._finished(request)
        return step

    def ring(self, request_id: str, ring: dict[str, Any], token: str) -> None:
        """Place the round's operator legs and keep the token their webhooks will answer."""
        round_no, seq = int(ring["round"]), int(ring["leg_seq"])
        operators = tuple(ring["operators"])

        def start_round(request: CallbackRequest) -> bool | str:
            if request.is_final:
                return False
            if request.pending is not None and request.pending.get("token") == token:
                # Step Functions retried this task after the first try placed calls: keep
                # what their webhooks have written since, and ring nobody twice.
                return "again"
            request.pending = {"round": round_no, "leg_seq": seq, "token": token, "operator_leg": None,
                               "answered": None, "caller_id": caller_id, "account": account}
            request.retry_at = None
            request.move("calling_operator", self._clock.now_ms(), round=round_no)
            return True

        request = self._store.get(request_id)
        if request is None:
            raise NotFound("no such callback request", code="unknown_request")
        site = self._sites.get(request.site_id)
        caller_id = self._caller_id(site) if site is not None else None
        account = self._carrier_accounts.of(request.tenant_id)
        if caller_id is None and not request.is_final:
            # The plan step finds the same and fails the request (no_caller_id).
            raise Conflict("the site has no number of ours to call from", code="no_caller_id")
        request, go_on = self._mutate(request_id, start_round)
        if not go_on:
            if self._workflow is not None:
                self._workflow.fail(token, "Callback.Cancelled", "the request is closed")
            return
        # Both legs show one number: the one this round was placed from, kept on the round
        # with the carrier account the legs are in (cancelling them asks that account).
        # start_round() set the pending round (go_on), and a request that is not final has
        # a caller ID (checked above).
        pending = cast(dict[str, Any], request.pending)
        caller_id = cast(str, pending.get("caller_id") or caller_id)
        account = pending.get("account", account)
        placed = {leg.leg for leg in self._store.legs_of(request_id) if leg.call_id} if go_on == "again" else set()
        for offset, operator in enumerate(operators):
            key = leg_key(round_no, "operator", seq + offset)
            if key in placed:
                continue
            leg = CallbackLeg(request_id, key, "operator", operator, self._clock.now_ms())
            self._store.put_leg(leg)
            try:
                # The dial workflow that runs this step is only built with a dialer (bootstrap).
                leg.call_id = self._dialer.place_call(  # type: ignore[union-attr]
                    operator, caller_id,
                    self.webhook_url("operator", request=request_id, leg=key),
                    self.webhook_url("status", request=request_id, leg=key),
                    int(ring["ring_seconds"]),
                    account,
                )
            except CallRefused as refused:
                leg.status, leg.error_code = "failed", refused.code or "refused"
                self._store.put_leg(leg)
                if leg.error_code in CALLER_ID_REFUSALS:
                    # Every other leg would be refused alike: end the round, and the plan
                    # fails the request rather than ring into refusals for two days.
                    self._answer(request_id, round_no, "caller_id_refused")
                    return
                self._operator_leg_ended(request_id, round_no, key, "failed", leg)
                continue
            self._store.put_leg(leg)

    def abandon(self, request_id: str, error: dict[str, Any] | None) -> None:
        """The plan step kept failing: close the request as failed and tell the site."""
        def close(request: CallbackRequest) -> bool:
            if request.is_final:
                return False
            request.outcome = {**request.outcome, "result": "error", "error": str((error or {}).get("Error"))[:200]}
            request.move("failed", self._clock.now_ms(), reason="error")
            return True

        request, changed = self._mutate(request_id, close)
        if changed:
            self._finished(request)

    def _hang_up_round(self, request_id: str, lost: dict[str, Any]) -> None:
        if self._dialer is None:
            return
        for leg in self._store.legs_of(request_id):
            if leg_round(leg.leg) == lost["round"] and leg.call_id and leg.status not in LEG_FINAL:
                self._dialer.cancel(leg.call_id, account=lost.get("account"))


def _result_of(last: dict[str, Any] | None) -> str:
    if not last:
        return "lost"
    if "result" in last:
        return str(last["result"])
    return ERROR_RESULTS.get(str(last.get("Error")), "ring_failed")
