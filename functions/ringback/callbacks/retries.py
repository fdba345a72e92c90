"""A member asks to dial a missed or failed callback again (the dashboard's "retry").

The request is reopened, not copied: the visitor asked once, and their attribution,
transitions, legs and recordings stay on one request. Reopening is a versioned write like
every other (core.CallbackCore._mutate), so two members pressing retry at once, or one
pressing twice, reopen it once: the second finds it in progress. The new attempt is a new
execution of the same dial workflow (model.execution_name), which the plan step sees as a
fresh request (model.CallbackRequest.series): new rounds, new retries, a new 48 hours.

An Idempotency-Key makes a repeated POST answer the retry it made (and start its
execution again if nothing has moved yet: a start that was lost, harmless otherwise,
since Step Functions refuses the same name twice).
"""
from __future__ import annotations

import re
from typing import Any

from ringback.accounts.tenants import TenantScope
from ringback.callbacks.core import CallbackCore
from ringback.callbacks.model import CallbackRequest
from ringback.errors import Conflict, InvalidInput, NotFound

RETRYABLE = ("missed", "failed")
CONNECTED = ("connected", "completed")
# A request is one visitor's wish to be called, not a dialler: past this many retries the
# business calls them itself.
MAX_RETRIES = 5
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,128}$")


class ManualRetries(CallbackCore):
    def retry(self, scope: TenantScope, request_id: str, key: str | None = None) -> dict[str, Any]:
        """Reopen a missed or failed request of the scope's tenant and start its next dial."""
        if key is not None and not IDEMPOTENCY_KEY.match(key):
            raise InvalidInput("Idempotency-Key is 8 to 128 letters, digits or _.:-", code="invalid_idempotency_key",
                               details={"field": "Idempotency-Key"})
        if not isinstance(request_id, str) or len(request_id) > 80:
            raise NotFound("no such callback request", code="unknown_request")
        now = self._clock.now_ms()
        earlier: dict[str, Any] | None = None

        def reopen(request: CallbackRequest) -> bool:
            nonlocal earlier
            if request.tenant_id != scope.tenant_id:
                # Another tenant's request is not found rather than forbidden: no probing.
                raise NotFound("no such callback request", code="unknown_request")
            earlier = next((r for r in request.retries if key is not None and r.get("key") == key), None)
            if earlier is not None:
                return False
            _require_retryable(request)
            self._require_dialable(request)
            attempt = request.attempt + 1
            request.retries.append({
                "attempt": attempt, "at": now, "by": scope.actor, "key": key, "after": request.status,
                "outcome": request.outcome, "rounds_before": len(request.rounds),
                "round_base": max((int(r["round"]) for r in request.rounds), default=0),
            })
            request.outcome, request.retry_at, request.scheduled_for = {}, None, None
            # A request abandoned mid-round may still hold that round's token: the round is
            # over, and the new execution's plan must not count it as one of its own.
            request.pending = None
            request.move("accepted", now, reason="manual_retry", by=scope.actor, attempt=attempt)
            return True

        request, reopened = self._mutate(request_id, reopen)
        retry = request.retries[-1] if reopened else earlier
        assert retry is not None
        untouched = (request.attempt == retry["attempt"] and request.status == "accepted"
                     and request.transitions[-1].get("attempt") == retry["attempt"])
        if self._workflow is not None and (reopened or untouched):
            self._workflow.start(request.request_id, retry["attempt"])
        return {"requestId": request.request_id, "status": request.status,
                "retry": {"attempt": retry["attempt"], "requestedAt": retry["at"], "requestedBy": retry["by"],
                          "after": retry["after"]}}

    def _require_dialable(self, request: CallbackRequest) -> None:
        site = self._sites.get(request.site_id)
        if site is None:
            raise Conflict("the request's site was removed", code="site_removed")
        if (site.settings.get("callback") or {}).get("enabled", True) is False:
            raise Conflict("callbacks are switched off for this site: switch them on to retry",
                           code="callbacks_disabled")


def _require_retryable(request: CallbackRequest) -> None:
    if request.status in RETRYABLE:
        if request.attempt >= MAX_RETRIES:
            raise Conflict(f"this request was retried {MAX_RETRIES} times already: call the visitor yourself",
                           code="retry_limit", details={"retries": request.attempt})
        return
    if request.status in CONNECTED:
        raise Conflict("the visitor was reached: there is nothing to retry", code="callback_connected",
                       details={"status": request.status})
    if request.is_final:
        raise Conflict(f"a {request.status} request is not dialled again", code="callback_not_retryable",
                       details={"status": request.status})
    raise Conflict(f"this request is still being dialled ({request.status}); retry it once it has ended "
                   f"missed or failed", code="callback_in_progress", details={"status": request.status})
