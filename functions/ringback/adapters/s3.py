"""Recordings in S3: encrypted with the bucket's KMS key, read through presigned links."""
from __future__ import annotations

import boto3
from botocore.exceptions import ClientError


class S3RecordingStore:
    def __init__(self, bucket: str, client=None, region: str | None = None, endpoint_url: str | None = None) -> None:
        self._bucket = bucket
        self._client = client or boto3.client("s3", region_name=region, endpoint_url=endpoint_url)

    def exists(self, key: str) -> bool:
        try:
            self._client.head_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if error.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def put(self, key: str, body: bytes, content_type: str) -> None:
        self._client.put_object(Bucket=self._bucket, Key=key, Body=body, ContentType=content_type,
                                ServerSideEncryption="aws:kms")

    def get(self, key: str) -> bytes:
        return self._client.get_object(Bucket=self._bucket, Key=key)["Body"].read()

    def presign(self, key: str, seconds: int) -> str:
        return self._client.generate_presigned_url(
            "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=seconds
        )
