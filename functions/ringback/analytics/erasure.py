"""A caller's rows, removed from the analytics tables (ringback.calls.erasure.ReportRows).

The analytics files never hold a number: a call's caller and a callback's visitor are
`changes.phone_key(tenant, number, analytics key)`, so the rows to remove are the ones
whose key is that caller's, in the calls and callbacks tables of that tenant. Every
day of the tenant is looked at, not only the days of the calls still in the tables: the
analytics bucket keeps its files longer than a tenant may keep its calls.

A file with a matching row is written again without it under the same name (one PUT: a
reader sees the old file or the new one, never a half), or deleted when nothing is left;
then its earlier versions go, since the bucket is versioned and would otherwise keep the
erased rows for another 30 days. A report run in between reads the old file or the new,
as it would across a compaction (ringback.analytics.pipeline).

A change the stream handler is still writing when the sweep runs would bring a row back;
so the handler also removes an entity's rows on that entity's own REMOVE (`forget_entity`,
called by ChangeLog.record), which the stream delivers after every earlier change of it.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from ringback.analytics.changes import phone_key
from ringback.analytics.pipeline import EventFiles
from ringback.analytics.schema import CALLBACKS, CALLS, Table

# Each table that keys a caller, and the column the key is in.
CALLER_COLUMNS: tuple[tuple[Table, str], ...] = ((CALLS, "caller_key"), (CALLBACKS, "phone_key"))


class ErasableEventFiles(EventFiles, Protocol):
    def days_of(self, table: Table, tenant_id: str) -> list[str]:
        """The days (dt) the tenant has files on, in one table."""
        ...

    def forget_versions(self, table: Table, tenant_id: str, dt: str, name: str) -> None:
        """Remove every earlier version of a file (and the delete marker of a deleted one)."""
        ...


class CallerRows:
    def __init__(self, files: ErasableEventFiles, secret: str | None) -> None:
        self._files = files
        self._secret = secret  # the analytics key: the same as the changes were keyed with

    def erase(self, tenant_id: str, caller: str) -> int:
        key = phone_key(tenant_id, caller, self._secret)
        removed = 0
        for table, column in CALLER_COLUMNS:
            def theirs(row: dict[str, Any], column: str = column) -> bool:
                return row.get(column) == key

            for dt in self._files.days_of(table, tenant_id):
                removed += _remove_rows(self._files, table, tenant_id, dt, theirs)
        return removed


def forget_entity(files: EventFiles, table: Table, tenant_id: str, dt: str, key: dict[str, Any]) -> int:
    """Every row of one entity (a call the erasure deleted) from its partition: the stream
    handler calls this on the item's REMOVE, after every earlier change of it is written,
    so no late change brings a row back after the caller's sweep."""
    return _remove_rows(files, table, tenant_id, dt, lambda row: all(row.get(k) == v for k, v in key.items()))


def _remove_rows(files: EventFiles, table: Table, tenant_id: str, dt: str,
                 doomed: Callable[[dict[str, Any]], bool]) -> int:
    removed, seen = 0, set()
    while True:
        names = [n for n in files.list(table, tenant_id, dt) if n not in seen]
        vanished = False
        for name in names:
            seen.add(name)
            found = _rewrite(files, table, tenant_id, dt, name, doomed)
            vanished = vanished or found is None
            removed += found or 0
        # A file compacted away after the listing: its rows are in a compacted file that
        # the listing may not have held yet, so the partition is listed again.
        if not vanished:
            return removed


def _rewrite(files: EventFiles, table: Table, tenant_id: str, dt: str, name: str,
             doomed: Callable[[dict[str, Any]], bool]) -> int | None:
    try:
        rows = files.read(table, tenant_id, dt, name)
    except FileNotFoundError:
        return None
    kept = [row for row in rows if not doomed(row)]
    if len(kept) == len(rows):
        return 0
    if kept:
        files.write(table, tenant_id, dt, name, kept)
    else:
        files.delete(table, tenant_id, dt, [name])
    # Files without versions (a plain fake) have nothing to forget.
    forget = getattr(files, "forget_versions", None)
    if forget is not None:
        forget(table, tenant_id, dt, name)
    return len(rows) - len(kept)
