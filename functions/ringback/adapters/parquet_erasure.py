"""The analytics files as an erasure needs them (ringback.analytics.erasure): the days a
tenant has files on, and a file's earlier versions removed.

Reads and writes are ParquetEventFiles' (pyarrow); the listing of one tenant's days and
the version purge are plain S3 calls, which pyarrow's filesystem does not offer.
"""
from __future__ import annotations

import boto3

from ringback.adapters.parquet_s3 import ParquetEventFiles
from ringback.analytics.pipeline import partition_key
from ringback.analytics.schema import Table


class ErasableParquetFiles(ParquetEventFiles):
    def __init__(self, bucket: str, region: str | None = None, endpoint_url: str | None = None,
                 filesystem=None, client=None) -> None:
        super().__init__(bucket, region, endpoint_url, filesystem)
        self._client = client

    @property
    def _s3(self):
        # Built on first use, as pyarrow's filesystem is: the stream handler needs it only
        # when an erased call's rows go.
        if self._client is None:
            self._client = boto3.client("s3", region_name=self._region, endpoint_url=self._endpoint_url)
        return self._client

    def days_of(self, table: Table, tenant_id: str) -> list[str]:
        prefix = partition_key(table, tenant_id, "", "").removesuffix("dt=/")
        days = set()
        for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=self._bucket, Prefix=prefix,
                                                                      Delimiter="/"):
            for common in page.get("CommonPrefixes", []):
                part = common["Prefix"][len(prefix):].rstrip("/")
                if part.startswith("dt="):
                    days.add(part.removeprefix("dt="))
        return sorted(days)

    def forget_versions(self, table: Table, tenant_id: str, dt: str, name: str) -> None:
        key = partition_key(table, tenant_id, dt, name)
        for page in self._s3.get_paginator("list_object_versions").paginate(Bucket=self._bucket, Prefix=key):
            # The current file stays (the rewritten one); what it replaced goes, and so does
            # a deleted file's marker, which hides nothing once its versions are gone.
            doomed = [v for v in page.get("Versions", []) if v["Key"] == key and not v.get("IsLatest")]
            doomed += [m for m in page.get("DeleteMarkers", []) if m["Key"] == key]
            for version in doomed:
                self._s3.delete_object(Bucket=self._bucket, Key=key, VersionId=version["VersionId"])
