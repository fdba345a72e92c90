"""The change log: table changes in, Parquet files out, and small files compacted.

`ChangeLog.record()` takes one batch of stream changes (what one Lambda invocation gets
from one shard), turns each into a row (`changes.to_row`), and writes one file per
partition the batch touched:

    events/{table}/tenant_id={tenant}/dt={day}/{first event_seq}-{last event_seq}.parquet

The name comes from the batch's own sequence numbers, so a batch Lambda retries
whole is written to the same objects again instead of next to them. A batch that fails
part-way reports the first change whose partition was not written; the stream hands the
batch back from that change, and nothing before it is written twice. Partitions written
after that point are written again under other names when the retry's batch differs:
those duplicate changes, like any other, are removed by the reports' window (latest
`event_seq` per key) and by compaction.

`compact()` folds a partition's files into one, keeping each entity's latest change. It
writes the new file before deleting the old ones: a reader in between sees every change
twice, which the same window removes; a crash in between leaves duplicates for the next
compaction. A file written into the partition while it runs is not among the files it
read, so it is neither folded in nor deleted.
"""
from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from ringback.analytics.changes import Change, to_row
from ringback.analytics.schema import TABLES, Table

# A partition of a day still being written is compacted once it has more files than this;
# the days before today are compacted whenever they have more than one.
MAX_FILES = 50
COMPACTED = "compacted-"
# The sources whose items the product deletes itself, on a caller's erasure.
ERASED_SOURCES = frozenset({"calls", "callback_requests"})
# The tables fed by table streams (ad spend is uploaded, not streamed).
STREAMED_TABLES: tuple[Table, ...] = tuple(t for t in TABLES if t.source)


class EventFiles(Protocol):
    """Parquet files of the analytics tables, one partition (table, tenant, day) at a time."""

    def write(self, table: Table, tenant_id: str, dt: str, name: str, rows: list[dict[str, Any]]) -> str:
        """Write (or overwrite) one file of `table.all_columns`; extra keys are ignored.
        Returns the file's key."""
        ...

    def list(self, table: Table, tenant_id: str, dt: str) -> list[str]:
        """The names of a partition's files, sorted."""
        ...

    def partitions(self, table: Table) -> dict[tuple[str, str], int]:
        """Every partition of a table, (tenant, day), with its number of files."""
        ...

    # builtins.list: `list` in this class body is the method above.
    def read(self, table: Table, tenant_id: str, dt: str, name: str) -> builtins.list[dict[str, Any]]:
        """A file's rows, with every column of `table.all_columns` (None where an older
        file lacks one)."""
        ...

    def delete(self, table: Table, tenant_id: str, dt: str, names: Sequence[str]) -> None: ...


class BatchFailed(Exception):
    """Part of a batch is not written. `first_failed` is the change to resume from:
    every change before it (in the batch's order) is written, or was no row at all."""

    def __init__(self, first_failed: Change, written: list[str]) -> None:
        super().__init__(f"changes from {first_failed.source} {first_failed.sequence_number} on are not written")
        self.first_failed = first_failed
        self.written = written


@dataclass(frozen=True)
class Compaction:
    table: str
    tenant_id: str
    dt: str
    files_in: int
    rows_in: int
    rows_out: int
    key: str | None  # the compacted file; None when there was nothing to do


@dataclass(frozen=True)
class CompactionRun:
    compacted: list[Compaction]
    failed: list[str]  # "table/tenant/day: error", retried by the next run
    left: int  # partitions left for the next run when time ran out

    def as_json(self) -> dict[str, Any]:
        return {
            "compacted": len(self.compacted),
            "files_in": sum(c.files_in for c in self.compacted),
            "rows_in": sum(c.rows_in for c in self.compacted),
            "rows_out": sum(c.rows_out for c in self.compacted),
            "failed": self.failed,
            "left": self.left,
        }


def partition_key(table: Table, tenant_id: str, dt: str, name: str) -> str:
    if not tenant_id or any(ch in tenant_id for ch in "/=\\") or tenant_id in (".", ".."):
        raise ValueError(f"tenant id {tenant_id!r} cannot name a partition")
    return f"{table.prefix}tenant_id={tenant_id}/dt={dt}/{name}"


def batch_file_name(rows: list[dict[str, Any]]) -> str:
    """Deterministic for a batch: the same changes always land in the same object."""
    return f"{rows[0]['event_seq']}-{rows[-1]['event_seq']}.parquet"


class ChangeLog:
    def __init__(self, store: EventFiles, secret: str | None = None) -> None:
        self._files = store
        self._secret = secret  # the analytics key: see changes.phone_key

    def record(self, changes: Sequence[Change]) -> list[str]:
        """Write one batch; returns the keys written. Raises BatchFailed naming where to
        resume when a change cannot be used or a file cannot be written."""
        groups: dict[tuple[Table, str, str], list[tuple[int, dict[str, Any]]]] = {}
        seen: set[tuple[Any, ...]] = set()
        unusable: tuple[int, Exception] | None = None
        erased: list[Change] = []
        for position, change in enumerate(changes):
            if change.event_name == "REMOVE" and not change.by_ttl and change.source in ERASED_SOURCES:
                erased.append(change)
            try:
                converted = to_row(change, self._secret)
            except Exception as error:  # noqa: BLE001 - every cause fails the batch from here
                unusable = (position, error)
                break
            if converted is None:
                continue
            table, row = converted
            identity = (table.name, *(row[k] for k in table.key), row["event_seq"])
            if identity in seen:
                continue  # the same change twice in one batch
            seen.add(identity)
            groups.setdefault((table, row["tenant_id"], row["dt"]), []).append((position, row))

        written: list[str] = []
        # In the order of each partition's first change: when a write fails, every change
        # before that partition's first one belongs to a partition already written.
        for (table, tenant_id, dt), entries in sorted(groups.items(), key=lambda group: group[1][0][0]):
            rows = sorted((row for _, row in entries), key=lambda row: row["event_seq"])
            try:
                written.append(self._files.write(table, tenant_id, dt, batch_file_name(rows), rows))
            except Exception as error:
                raise BatchFailed(changes[entries[0][0]], written) from error
        # After the batch's own writes: every earlier change of an erased entity (the stream
        # keeps one item's changes in order) is in the files before its rows are removed.
        for change in erased:
            try:
                self._forget(change)
            except Exception as error:
                raise BatchFailed(change, written) from error
        if unusable is not None:
            raise BatchFailed(changes[unusable[0]], written) from unusable[1]
        return written

    def _forget(self, change: Change) -> None:
        """A call or callback request the product deleted (a caller's erasure): its rows go
        from its partition (ringback.analytics.erasure)."""
        from ringback.analytics.erasure import forget_entity

        converted = to_row(replace(change, event_name="INSERT", new=change.old), self._secret) if change.old else None
        if converted is not None:
            table, row = converted
            forget_entity(self._files, table, row["tenant_id"], row["dt"], {k: row[k] for k in table.key})

    def compact(self, table: Table, tenant_id: str, dt: str) -> Compaction:
        """One file for the partition, with the latest change of each entity."""
        names = self._files.list(table, tenant_id, dt)
        latest: dict[tuple[Any, ...], dict[str, Any]] = {}
        rows_in = 0
        for name in names:
            for row in self._files.read(table, tenant_id, dt, name):
                rows_in += 1
                key = tuple(row[k] for k in table.key)
                kept = latest.get(key)
                if kept is None or row["event_seq"] > kept["event_seq"]:
                    latest[key] = row
        rows = sorted(latest.values(), key=lambda row: row["event_seq"])
        if not rows or (len(names) == 1 and names[0].startswith(COMPACTED) and rows_in == len(rows)):
            return Compaction(table.name, tenant_id, dt, len(names), rows_in, len(rows), None)
        name = f"{COMPACTED}{rows[-1]['event_seq']}.parquet"
        file_key = self._files.write(table, tenant_id, dt, name, rows)
        # Only after the compacted file is in place; an input of the same name was just
        # overwritten by it.
        self._files.delete(table, tenant_id, dt, [n for n in names if n != name])
        return Compaction(table.name, tenant_id, dt, len(names), rows_in, len(rows), file_key)

    def compact_due(self, today: str, max_files: int = MAX_FILES,
                    keep_going: Callable[[], bool] = lambda: True) -> CompactionRun:
        """Compact every streamed table's partitions that `partitions_to_compact` picks,
        while `keep_going()` (the scheduled run's time budget); one partition's failure
        does not stop the others."""
        due = [(table, tenant_id, dt) for table in STREAMED_TABLES
               for tenant_id, dt in partitions_to_compact(self._files, table, today, max_files)]
        compacted: list[Compaction] = []
        failed: list[str] = []
        for done, (table, tenant_id, dt) in enumerate(due):
            if not keep_going():
                return CompactionRun(compacted, failed, len(due) - done)
            try:
                compacted.append(self.compact(table, tenant_id, dt))
            except Exception as error:  # noqa: BLE001 - reported, and retried by the next run
                failed.append(f"{table.name}/{tenant_id}/{dt}: {type(error).__name__}: {error}")
        return CompactionRun(compacted, failed, 0)


def partitions_to_compact(store: EventFiles, table: Table, today: str,
                          max_files: int = MAX_FILES) -> list[tuple[str, str]]:
    """(tenant, day) partitions worth compacting: a finished day (before `today`) with more
    than one file, late changes included, and any partition with more than `max_files`."""
    return sorted(
        (tenant_id, dt)
        for (tenant_id, dt), files in store.partitions(table).items()
        if (dt < today and files > 1) or files > max_files
    )
