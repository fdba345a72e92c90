"""The analytics tables' Parquet files in S3 (ringback.analytics.pipeline.EventFiles).

pyarrow writes and reads them through its own S3 filesystem: the bucket in AWS, or the
moto server locally (`endpoint_url`). Files hold `Table.all_columns` with the Arrow
types of schema.py; `tenant_id` and `dt` are in the key only (Hive layout), as Glue's
partition projection and DuckDB's hive_partitioning expect. Objects are encrypted by the
bucket's default key.

pyarrow is imported on first use: it ships with the reports function only, and the other
functions build the same Services without touching it.
"""
from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from ringback.analytics import schema
from ringback.analytics.pipeline import partition_key

_ARROW_TYPES = {
    schema.STRING: "string",
    schema.BIGINT: "int64",
    schema.INT: "int32",
    schema.DOUBLE: "float64",
    schema.BOOLEAN: "bool_",
}


def arrow_schema(table: schema.Table):
    """The Arrow schema of a table's files (partition columns excluded)."""
    import pyarrow as pa

    return pa.schema([pa.field(name, getattr(pa, _ARROW_TYPES[kind])()) for name, kind in table.all_columns])


def s3_filesystem(region: str, endpoint_url: str | None = None):
    from pyarrow import fs

    if not endpoint_url:
        return fs.S3FileSystem(region=region)
    parts = urlsplit(endpoint_url)
    return fs.S3FileSystem(region=region, endpoint_override=parts.netloc, scheme=parts.scheme or "http")


# A file's rows (`list` would name ParquetEventFiles.list inside the class).
Rows = list[dict[str, Any]]


class ParquetEventFiles:
    def __init__(self, bucket: str, region: str | None = None, endpoint_url: str | None = None,
                 filesystem=None) -> None:
        self._bucket = bucket
        self._region = region or "us-east-1"
        self._endpoint_url = endpoint_url
        self._fs = filesystem

    @property
    def _filesystem(self):
        if self._fs is None:
            self._fs = s3_filesystem(self._region, self._endpoint_url)
        return self._fs

    def _path(self, table: schema.Table, tenant_id: str, dt: str, name: str) -> str:
        return f"{self._bucket}/{partition_key(table, tenant_id, dt, name)}"

    def write(self, table: schema.Table, tenant_id: str, dt: str, name: str, rows: list[dict[str, Any]]) -> str:
        import pyarrow as pa
        import pyarrow.parquet as pq

        columns = arrow_schema(table)
        data = pa.Table.from_pylist([{c: row.get(c) for c in columns.names} for row in rows], schema=columns)
        sink = pa.BufferOutputStream()
        pq.write_table(data, sink)
        # One PUT of the finished file: a reader never sees half of it.
        path = self._path(table, tenant_id, dt, name)
        with self._filesystem.open_output_stream(path) as out:
            out.write(sink.getvalue())
        return path.removeprefix(f"{self._bucket}/")

    def _files(self, prefix: str) -> list[str]:
        from pyarrow import fs

        infos = self._filesystem.get_file_info(fs.FileSelector(f"{self._bucket}/{prefix}", recursive=True,
                                                                allow_not_found=True))
        # pyarrow leaves directory markers (keys ending in "/") when a folder empties.
        return [info.path.removeprefix(f"{self._bucket}/") for info in infos
                if info.type == fs.FileType.File and info.path.endswith(".parquet")]

    def list(self, table: schema.Table, tenant_id: str, dt: str) -> list[str]:
        prefix = partition_key(table, tenant_id, dt, "")
        return sorted(key.removeprefix(prefix) for key in self._files(prefix) if "/" not in key.removeprefix(prefix))

    def partitions(self, table: schema.Table) -> dict[tuple[str, str], int]:
        counts: dict[tuple[str, str], int] = {}
        for key in self._files(table.prefix):
            parts = key.removeprefix(table.prefix).split("/")
            if len(parts) != 3 or not parts[0].startswith("tenant_id=") or not parts[1].startswith("dt="):
                continue
            partition = (parts[0].removeprefix("tenant_id="), parts[1].removeprefix("dt="))
            counts[partition] = counts.get(partition, 0) + 1
        return counts

    def read(self, table: schema.Table, tenant_id: str, dt: str, name: str) -> Rows:
        import pyarrow.parquet as pq

        with self._filesystem.open_input_file(self._path(table, tenant_id, dt, name)) as source:
            rows = pq.read_table(source).to_pylist()
        return [{c: row.get(c) for c, _ in table.all_columns} for row in rows]

    def delete(self, table: schema.Table, tenant_id: str, dt: str, names: Sequence[str]) -> None:
        for name in names:
            with contextlib.suppress(FileNotFoundError):  # deleted already: a compaction retried
                self._filesystem.delete_file(self._path(table, tenant_id, dt, name))
