"""The audit log: who changed what in a tenant, when, and how it was before and after.

Every write of the management API records an entry here through Audit.record(), so an
owner can answer "who switched recording off?" without asking support. Entries are
append-only; the owner reads them newest first, within a time range, and by who did it or
what they did (AuditFilter).

The time range is the log's own order (its entry ids begin with the time), so the store
reads only those entries. Actor and action are matched here, over the pages the store
reads, as the call log's filters are (ringback/calls/filters.py): one matcher for the fake
and the real log, and at most READ_BUDGET entries read per request, so a filter that
matches nothing cannot read a year of changes in one request. A filtered page holds at
most `limit` entries, maybe fewer, even none, with a cursor: the cursor goes on after the
last entry read, so following it until there is none visits every match once.
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ringback.accounts.tenants import AUDIT, TenantScope
from ringback.errors import InvalidInput
from ringback.ports import AuditLog

PAGE_LIMIT = 200
# Entries read for one filtered request: five of the log's largest pages.
READ_BUDGET = 5 * PAGE_LIMIT
_CURSOR = re.compile(r"^\d{13}#[0-9a-f]{1,16}$")
# Entry ids carry the time in 13 digits, so a time of more would never match.
_MS = re.compile(r"^\d{1,13}$")
_ACTOR = re.compile(r"^(user|key):\S{1,200}$")
# Actions are lower-case dotted names (site.updated); one ending in a dot is a prefix.
_ACTION = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*\.?$")


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

    def as_json(self) -> dict[str, Any]:
        return {"entryId": self.entry_id, "at": self.at, "actor": self.actor, "action": self.action,
                "target": self.target, "before": self.before, "after": self.after}


@dataclass(frozen=True)
class AuditFilter:
    """Which entries a read shows: [start_ms, end_ms), by one actor, of one action or of
    every action under a prefix (`webhook.`)."""

    start_ms: int | None = None
    end_ms: int | None = None  # exclusive
    actor: str | None = None  # as stored: user:{sub} | key:{key_id}
    action: str | None = None  # exact, or a prefix when it ends with "."

    @staticmethod
    def from_params(params: Mapping[str, str]) -> AuditFilter:
        """The filter of GET /v1/audit's query parameters; a value it cannot mean is 400."""
        start, end = _ms(params, "from"), _ms(params, "to")
        if start is not None and end is not None and start >= end:
            raise _invalid("to", "'to' must be after 'from'", code="invalid_range")
        if end == 0:
            raise _invalid("to", "'to' must be after 0")
        actor = _text(params, "actor", _ACTOR, "actor is user:{id} or key:{key_id}, as the log names them")
        action = _text(params, "action", _ACTION,
                       "action is an action's name (site.updated), or a prefix ending in a dot (webhook.)")
        return AuditFilter(start, end, actor, action.lower() if action else None)

    @property
    def matches_all(self) -> bool:
        """Only a time range, which the store reads by itself: nothing to match here."""
        return self.actor is None and self.action is None

    def admits(self, entry: AuditEntry) -> bool:
        return ((self.actor is None or entry.actor == self.actor)
                and (self.action is None or (entry.action.startswith(self.action) if self.action.endswith(".")
                                             else entry.action == self.action)))


class Audit:
    def __init__(self, log: AuditLog) -> None:
        self._log = log

    def record(self, scope: TenantScope, action: str, target: str, before: Any, after: Any, now_ms: int) -> None:
        self.record_for(scope.tenant_id, scope.actor, action, target, before, after, now_ms)

    def record_for(self, tenant_id: str, actor: str, action: str, target: str, before: Any, after: Any,
                   now_ms: int) -> None:
        self._log.add(AuditEntry(tenant_id, f"{now_ms:013d}#{secrets.token_hex(4)}", now_ms, actor, action, target,
                                 before, after))

    def read(self, scope: TenantScope, limit: int = 50, cursor: str | None = None,
             where: AuditFilter = AuditFilter()) -> dict[str, Any]:
        scope.require(AUDIT)
        if cursor is not None and not _CURSOR.match(cursor):
            raise InvalidInput("not a cursor this log gave", code="invalid_cursor", details={"field": "cursor"})
        limit = max(1, min(limit, PAGE_LIMIT))
        if where.matches_all:
            entries, next_cursor = self._log.of_tenant(scope.tenant_id, limit, cursor, where.start_ms, where.end_ms)
        else:
            entries, next_cursor = self._matching(scope.tenant_id, limit, cursor, where)
        return {"entries": [e.as_json() for e in entries], "cursor": next_cursor}

    def _matching(self, tenant_id: str, limit: int, cursor: str | None,
                  where: AuditFilter) -> tuple[list[AuditEntry], str | None]:
        found: list[AuditEntry] = []
        read = 0
        while True:
            entries, cursor = self._log.of_tenant(tenant_id, PAGE_LIMIT, cursor, where.start_ms, where.end_ms)
            for n, entry in enumerate(entries):
                read += 1
                if where.admits(entry):
                    found.append(entry)
                    if len(found) == limit:
                        rest = entries[n + 1:]
                        if cursor is None and not any(where.admits(e) for e in rest):
                            return found, None  # the log ends with no other match: no empty last page
                        # Stopped part way through the page: go on right after this entry
                        # (a cursor is the last entry id seen).
                        return found, entry.entry_id if rest else cursor
            if cursor is None or read >= READ_BUDGET:
                return found, cursor


def _ms(params: Mapping[str, str], name: str) -> int | None:
    raw = params.get(name)
    if raw is None:
        return None
    if not _MS.match(raw.strip()):
        raise _invalid(name, f"'{name}' is a time in epoch milliseconds, such as 1767225600000")
    return int(raw)


def _text(params: Mapping[str, str], name: str, rule: re.Pattern[str], message: str) -> str | None:
    raw = params.get(name)
    if raw is None:
        return None
    raw = raw.strip()
    if not raw or len(raw) > 200 or not rule.match(raw if name != "action" else raw.lower()):
        raise _invalid(name, message)
    return raw


def _invalid(field: str, message: str, code: str = "invalid_parameter") -> InvalidInput:
    return InvalidInput(message, code=code, details={"field": field})
