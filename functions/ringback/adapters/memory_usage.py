"""The UsageMeter port in memory: which keys are metered, under the same identifiers as
API Gateway's (ringback.adapters.usage_plans), for the domain's tests and in-memory services."""
from __future__ import annotations

from ringback.adapters.usage_plans import usage_key_value
from ringback.errors import Unavailable


class MemoryUsageMeter:
    def __init__(self, stage: str = "test") -> None:
        self._stage = stage
        self.metered: set[str] = set()
        # Set to make the next enrollments fail, as an unreachable API Gateway would; or
        # name the keys whose enrollment fails (one key refused among many).
        self.unreachable = False
        self.refusing: set[str] = set()
        # Every enrollment asked for, in order, enrolled already or not.
        self.enrollments: list[str] = []

    def identifier(self, key_id: str | None) -> str:
        return usage_key_value(self._stage, key_id)

    def enroll(self, key_id: str) -> None:
        self.enrollments.append(key_id)
        if self.unreachable or key_id in self.refusing:
            raise Unavailable("API keys cannot be created right now; try again shortly", code="usage_plan_unavailable")
        self.metered.add(key_id)

    def withdraw(self, key_id: str) -> None:
        self.metered.discard(key_id)

    def metered_keys(self) -> set[str]:
        if self.unreachable:
            raise Unavailable("the API keys' usage plan cannot be read right now", code="usage_plan_unavailable")
        return set(self.metered)
