"""The edge cache port, as the fake and as CloudFront (on the moto server): what is
invalidated is what the distribution lists, and a CDN that cannot be told says so with
EdgeCacheUnavailable (which the domain logs, keeping the change)."""
import dataclasses
import uuid

import pytest

from devstack import aws
from ringback.accounts.edge_cache import EdgeCacheUnavailable
from ringback.adapters.cloudfront import CloudFrontEdgeCache
from ringback.adapters.memory_edge_cache import MemoryEdgeCache


@pytest.fixture(params=["memory", "cloudfront"])
def edge(request):
    """(the port, what the CDN was told so far, a port whose CDN refuses)."""
    if request.param == "memory":
        cache = MemoryEdgeCache()
        broken = MemoryEdgeCache()
        broken.unavailable = True
        return cache, lambda: cache.invalidated, broken
    settings = request.getfixturevalue("local_aws")
    settings = dataclasses.replace(settings, stage=f"e{uuid.uuid4().hex[:6]}")
    distribution = aws.create_distribution(settings)
    client = aws.client("cloudfront", settings)

    def told() -> list[str]:
        items = client.list_invalidations(DistributionId=distribution)["InvalidationList"].get("Items") or []
        batches = [client.get_invalidation(DistributionId=distribution, Id=item["Id"])["Invalidation"]
                   for item in items]
        batches.sort(key=lambda batch: batch["CreateTime"])
        return [path for batch in batches for path in batch["InvalidationBatch"]["Paths"]["Items"]]

    return (CloudFrontEdgeCache(distribution, client=client), told,
            CloudFrontEdgeCache("E0NOSUCHDISTRIBUTION", client=client))


def test_the_paths_invalidated_are_the_ones_the_cdn_is_told(edge):
    cache, told, _ = edge
    cache.invalidate(["/v1/sites/pk_a/config", "/v1/sites/pk_b/config"])
    assert sorted(told()) == ["/v1/sites/pk_a/config", "/v1/sites/pk_b/config"]


def test_the_same_path_changed_twice_is_invalidated_twice(edge):
    cache, told, _ = edge
    cache.invalidate(["/v1/sites/pk_a/config"])
    cache.invalidate(["/v1/sites/pk_a/config"])
    assert told() == ["/v1/sites/pk_a/config", "/v1/sites/pk_a/config"]


def test_a_cdn_that_cannot_be_told_says_so(edge):
    _, _, broken = edge
    with pytest.raises(EdgeCacheUnavailable):
        broken.invalidate(["/v1/sites/pk_a/config"])


def test_nothing_to_invalidate_is_a_mistake_not_a_request(edge):
    cache, told, _ = edge
    with pytest.raises(ValueError):
        cache.invalidate([])
    assert told() == []
