"""Recordings in S3: encrypted with the bucket's KMS key, read through presigned links,
tagged with their retention class (the bucket's lifecycle rules expire each class)."""
from __future__ import annotations

from urllib.parse import urlencode

import boto3
from botocore.exceptions import ClientError


class S3RecordingStore:
    def __init__(self, bucket: str, client=None, region: str | None = None, endpoint_url: str | None = None) -> None:
        self._bucket = bucket
        self._given, self._region, self._endpoint_url = client, region, endpoint_url

    @property
    def _client(self):
        # Built on first use: most requests of the functions holding a store never touch it.
        if self._given is None:
            self._given = boto3.client("s3", region_name=self._region, endpoint_url=self._endpoint_url)
        return self._given

    def exists(self, key: str) -> bool:
        try:
            self._client.head_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if error.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def put(self, key: str, body: bytes, content_type: str, tags: dict[str, str] | None = None) -> None:
        extra = {"Tagging": urlencode(tags)} if tags else {}
        self._client.put_object(Bucket=self._bucket, Key=key, Body=body, ContentType=content_type,
                                ServerSideEncryption="aws:kms", **extra)

    def tags(self, key: str) -> dict[str, str]:
        found = self._client.get_object_tagging(Bucket=self._bucket, Key=key)["TagSet"]
        return {tag["Key"]: tag["Value"] for tag in found}

    def delete(self, key: str) -> int:
        """Every version of the object, and its delete markers: an erased recording must not
        linger as the noncurrent version that versioning keeps for 30 days. Returns how
        many versions there were (0: nothing was there, as on a repeated erasure)."""
        found = self._client.list_object_versions(Bucket=self._bucket, Prefix=key)
        versions = [v for kind in ("Versions", "DeleteMarkers") for v in found.get(kind, []) if v["Key"] == key]
        for version in versions:
            self._client.delete_object(Bucket=self._bucket, Key=key, VersionId=version["VersionId"])
        return sum(1 for v in found.get("Versions", []) if v["Key"] == key)

    def get(self, key: str) -> bytes:
        return self._client.get_object(Bucket=self._bucket, Key=key)["Body"].read()

    def presign(self, key: str, seconds: int) -> str:
        return self._client.generate_presigned_url(
            "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=seconds
        )
