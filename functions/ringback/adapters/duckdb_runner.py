"""Reports on this machine: the report SQL (Athena's dialect) translated by sqlglot and run
by DuckDB over the same Parquet files Athena reads, on S3 (the local stack's moto, through
pyarrow's S3 filesystem: the DuckDB wheel has no httpfs) or in a local folder (the
benchmark).

Partition pruning is done here, before DuckDB sees anything: a query names its tenants
and, per table, the range of `dt` it reads (`reports.Query`), and each table becomes a
view over a pyarrow dataset of only those partitions' files. The bytes of those files
are what the query scanned, as Athena's DataScannedInBytes is for the cloud.

duckdb, pyarrow and sqlglot are imported on first use: the functions that never run a
report never load them.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ringback.adapters.parquet_s3 import arrow_schema, s3_filesystem
from ringback.analytics import schema
from ringback.analytics.reports import Query, ResultSet


@lru_cache(maxsize=256)
def to_duckdb(sql: str) -> str:
    """Athena (Trino) SQL as DuckDB runs it, with the same answers.

    sqlglot translates the dialect; one difference of meaning it leaves is fixed here:
    Trino's count_if() counts 0 over no rows (or only nulls), DuckDB's answers NULL."""
    import sqlglot
    from sqlglot import exp

    def same_meaning(node):
        if isinstance(node, exp.CountIf) and not isinstance(node.parent, exp.Coalesce):
            return exp.Coalesce(this=node.copy(), expressions=[exp.Literal.number(0)])
        return node

    tree = sqlglot.parse_one(sql, read="trino")
    return tree.transform(same_meaning).sql(dialect="duckdb", unsupported_level=sqlglot.ErrorLevel.RAISE)


def partition_schema():
    """`tenant_id` and `dt`, strings as Glue declares them (not DuckDB's DATE for dt)."""
    import pyarrow as pa

    return pa.schema([pa.field(name, pa.string()) for name, _ in schema.PARTITIONS])


def dataset_schema(table: schema.Table):
    """The table's file columns, as the pipeline writes them, then its partition columns.
    Columns an older file lacks read as null."""
    import pyarrow as pa

    return pa.schema(list(arrow_schema(table)) + list(partition_schema()))


@dataclass(frozen=True)
class PartitionFile:
    path: str
    size: int
    dt: str


class DuckDbRunner:
    """A QueryRunner over Parquet files under `{root}/events/` on a pyarrow filesystem."""

    def __init__(self, filesystem: Any, root: str, threads: int | None = None) -> None:
        """`filesystem`: a pyarrow filesystem, or a function that makes one on first use."""
        self._filesystem = filesystem
        self._root = root.rstrip("/")
        self._threads = threads

    @property
    def _fs(self):
        if callable(self._filesystem):
            self._filesystem = self._filesystem()
        return self._filesystem

    @classmethod
    def on_s3(cls, bucket: str, region: str, endpoint_url: str | None = None) -> DuckDbRunner:
        return cls(lambda: s3_filesystem(region, endpoint_url), bucket)

    @classmethod
    def on_directory(cls, path: str, threads: int | None = None) -> DuckDbRunner:
        from pyarrow import fs

        return cls(fs.LocalFileSystem(), str(path), threads)

    def fits(self, tenants: Sequence[str]) -> bool:
        return True

    # -- partitions -------------------------------------------------------------------
    def table_dir(self, table: str) -> str:
        return f"{self._root}/{schema.table(table).prefix.rstrip('/')}"

    def partition_files(self, table: str, tenants: Iterable[str], dt_from: str, dt_to: str) -> list[PartitionFile]:
        """The Parquet files of these tenants' partitions with dt in [dt_from, dt_to]: one
        listing per tenant, never the whole table."""
        from pyarrow import fs

        found = []
        for tenant in sorted(set(tenants)):
            selector = fs.FileSelector(f"{self.table_dir(table)}/tenant_id={tenant}", recursive=True,
                                       allow_not_found=True)
            for info in self._fs.get_file_info(selector):
                # pyarrow writes directory markers (keys ending in /) to S3: not data.
                if info.type != fs.FileType.File or not info.path.endswith(".parquet"):
                    continue
                dt = _partition_value(info.path, "dt")
                if dt is not None and dt_from <= dt <= dt_to:
                    found.append(PartitionFile(info.path, info.size or 0, dt))
        return found

    # -- queries ----------------------------------------------------------------------
    def run(self, query: Query) -> ResultSet:
        import duckdb
        import pyarrow.dataset as ds

        sql = to_duckdb(query.sql)
        connection = duckdb.connect()
        try:
            if self._threads:
                connection.execute(f"SET threads = {int(self._threads)}")
            scanned = 0
            for name, (dt_from, dt_to) in query.partitions.items():
                table = schema.table(name)
                files = self.partition_files(name, query.tenants, dt_from, dt_to)
                scanned += sum(f.size for f in files)
                partitioning = ds.partitioning(partition_schema(), flavor="hive")
                dataset = ds.dataset([f.path for f in files], schema=dataset_schema(table), format="parquet",
                                     filesystem=self._fs, partitioning=partitioning,
                                     partition_base_dir=self.table_dir(name))
                connection.register(name, dataset)
            cursor = connection.execute(sql)
            columns = tuple(d[0] for d in cursor.description)
            rows = [tuple(row) for row in cursor.fetchall()]
        finally:
            connection.close()
        return ResultSet(columns, rows, scanned)


def _partition_value(path: str, key: str) -> str | None:
    for part in path.split("/"):
        if part.startswith(key + "="):
            return part[len(key) + 1:]
    return None
