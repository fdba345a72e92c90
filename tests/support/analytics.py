"""Analytics change rows written as the pipeline writes them, for report tests.

`EventLog.add()` appends one change of one entity (the change columns and `dt` are
filled in); `write()` stores them with the pipeline's own Parquet writer, one file per
partition and `file` tag, under a local folder laid out like the bucket:
`{root}/events/{table}/tenant_id=T/dt=D/{file}.parquet`.
"""
from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ringback.adapters.parquet_s3 import ParquetEventFiles
from ringback.analytics import schema

SECOND = 1000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR

_START = {"sessions": "started_at", "leases": "started_at", "calls": "started_at", "callbacks": "created_at"}


def utc_ms(day: str, hour: int = 0, minute: int = 0) -> int:
    when = datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=UTC)
    return int(when.timestamp() * 1000)


def dt_of(table: str, row: dict[str, Any]) -> str:
    if table == "ad_spend":
        return row["day"]
    return datetime.fromtimestamp(row[_START[table]] / 1000, tz=UTC).strftime("%Y-%m-%d")


class EventLog:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, dict[str, Any]]] = []  # (table, tenant, file tag, row)
        self._seq = 1000

    def add(self, table: str, tenant: str, file: str = "batch", event_name: str = "INSERT",
            **columns: Any) -> dict[str, Any]:
        self._seq += 1
        row = {**columns, "schema_version": schema.table(table).version, "event_seq": f"{self._seq:040d}",
               "event_name": event_name, "event_at": columns.get(_START.get(table, ""), 0) or 0}
        self.rows.append((table, tenant, file, row))
        return row

    def again(self, table: str, tenant: str, row: dict[str, Any], file: str) -> None:
        """The same change once more, in another file (a retried batch)."""
        self.rows.append((table, tenant, file, dict(row)))

    def write(self, root: Path) -> None:
        files = ParquetEventFiles(str(root), filesystem=_local_filesystem())
        groups: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
        for table, tenant, file, row in self.rows:
            groups.setdefault((table, tenant, dt_of(table, row), file), []).append(row)
        for (table, tenant, dt, file), rows in groups.items():
            os.makedirs(root / schema.table(table).prefix / f"tenant_id={tenant}" / f"dt={dt}", exist_ok=True)
            files.write(schema.table(table), tenant, dt, f"{file}.parquet", rows)


def _local_filesystem():
    from pyarrow import fs

    return fs.LocalFileSystem()
