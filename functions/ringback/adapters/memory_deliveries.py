"""The webhook delivery log in memory (ringback.ports.DeliveryLog), for domain tests;
tests/adapters/test_delivery_log_contract.py holds it to the DynamoDB adapter's behaviour.
`failing` makes every write raise, as a log the function may not write to would."""
from __future__ import annotations

import threading

from ringback.calls.deliveries import DeliveryAttempt


class MemoryDeliveryLog:
    def __init__(self) -> None:
        self._attempts: dict[tuple[str, str, str, str], DeliveryAttempt] = {}
        self._lock = threading.Lock()
        self.failing: Exception | None = None

    def add(self, attempt: DeliveryAttempt) -> None:
        if self.failing is not None:
            raise self.failing
        with self._lock:
            key = (attempt.tenant_id, attempt.site_id, attempt.endpoint_id, attempt.delivery_id)
            self._attempts[key] = attempt

    def of_endpoint(self, tenant_id: str, site_id: str, endpoint_id: str, since_ms: int, limit: int,
                    after: str | None) -> tuple[list[DeliveryAttempt], str | None]:
        low = f"{max(since_ms, 0):013d}"
        with self._lock:
            mine = sorted((a for (t, s, e, d), a in self._attempts.items()
                           if (t, s, e) == (tenant_id, site_id, endpoint_id) and d >= low
                           and (after is None or d < after)),
                          key=lambda a: a.delivery_id, reverse=True)
        page = mine[:limit]
        return page, (page[-1].delivery_id if len(mine) > limit else None)
