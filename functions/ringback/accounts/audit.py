"""The audit log: who changed what in a tenant, when, and how it was before and after.

Every write of the management API records an entry here through Audit.record(), so an
owner can answer "who switched recording off?" without asking support. Entries are
append-only; the owner reads them newest first.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from ringback.accounts.tenants import AUDIT, TenantScope
from ringback.errors import InvalidInput
from ringback.ports import AuditLog

PAGE_LIMIT = 200
_CURSOR = re.compile(r"^\d{13}#[0-9a-f]{1,16}$")


@dataclass(frozen=True)
class AuditEntry:
    tenant_id: str
    entry_id: str  # sorts by time: "{at:013d}#{random}"
    at: int
    actor: str     # user:{sub} | key:{key_id}
    action: str    # e.g. site.updated, member.removed, api_key.created
    target: str
    before: Any = None
    after: Any = None

    def as_json(self) -> dict:
        return {"entryId": self.entry_id, "at": self.at, "actor": self.actor, "action": self.action,
                "target": self.target, "before": self.before, "after": self.after}


class Audit:
    def __init__(self, log: AuditLog) -> None:
        self._log = log

    def record(self, scope: TenantScope, action: str, target: str, before: Any, after: Any, now_ms: int) -> None:
        self.record_for(scope.tenant_id, scope.actor, action, target, before, after, now_ms)

    def record_for(self, tenant_id: str, actor: str, action: str, target: str, before: Any, after: Any,
                   now_ms: int) -> None:
        self._log.add(AuditEntry(tenant_id, f"{now_ms:013d}#{secrets.token_hex(4)}", now_ms, actor, action, target,
                                 before, after))

    def read(self, scope: TenantScope, limit: int = 50, cursor: str | None = None) -> dict:
        scope.require(AUDIT)
        if cursor is not None and not _CURSOR.match(cursor):
            raise InvalidInput("not a cursor this log gave", code="invalid_cursor", details={"field": "cursor"})
        entries, next_cursor = self._log.of_tenant(scope.tenant_id, max(1, min(limit, PAGE_LIMIT)), cursor)
        return {"entries": [e.as_json() for e in entries], "cursor": next_cursor}
