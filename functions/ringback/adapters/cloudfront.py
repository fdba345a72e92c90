"""The edge cache on CloudFront: CreateInvalidation on the one distribution (the pool
function is granted that action on it alone: infra/catalog.py, INVALIDATE)."""
from __future__ import annotations

import uuid

from ringback.accounts.edge_cache import EdgeCacheUnavailable


class CloudFrontEdgeCache:
    def __init__(self, distribution_id: str, client=None, region: str | None = None,
                 endpoint_url: str | None = None) -> None:
        if client is None:
            import boto3
            from botocore.config import Config

            # A site change waits for this call: fail fast rather than hold the request.
            client = boto3.client("cloudfront", region_name=region, endpoint_url=endpoint_url,
                                  config=Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 2}))
        self._client, self._distribution_id = client, distribution_id

    def invalidate(self, paths: list[str]) -> None:
        if not paths:
            raise ValueError("nothing to invalidate")
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self._client.create_invalidation(
                DistributionId=self._distribution_id,
                InvalidationBatch={
                    "Paths": {"Quantity": len(paths), "Items": list(paths)},
                    # Unique per call: the same paths changed twice are invalidated twice.
                    "CallerReference": uuid.uuid4().hex,
                },
            )
        except (ClientError, BotoCoreError) as error:
            raise EdgeCacheUnavailable(str(error)) from error
