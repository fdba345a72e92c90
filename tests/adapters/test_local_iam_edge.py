"""The local AWS endpoint holds the pool function's invalidations (ringback.adapters.
cloudfront) to its policy, as IAM does: cloudfront:CreateInvalidation on the distribution
the call names. The statement is the shape infra/stack.py grants (tests/infra/test_edge_scripts.py)."""
import pytest

from devstack import aws
from ringback.accounts.edge_cache import EdgeCacheUnavailable
from ringback.adapters.cloudfront import CloudFrontEdgeCache
from tests.adapters.test_local_iam import admin, as_role


@pytest.fixture(scope="module")
def endpoint():
    server = aws.MotoServer(aws.free_port(), enforce_iam=True).start()
    yield server.url
    server.stop()


def _distribution(endpoint, name: str) -> str:
    cloudfront = admin(endpoint, "cloudfront")
    return cloudfront.create_distribution(DistributionConfig={
        "CallerReference": name, "Comment": name, "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "o.s3.amazonaws.com",
                                              "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "allow-all",
                                 "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}})["Distribution"]["Id"]


def _grant(distribution: str) -> list[dict]:
    return [{"Effect": "Allow", "Action": "cloudfront:CreateInvalidation",
             "Resource": f"arn:aws:cloudfront::{aws.ACCOUNT_ID}:distribution/{distribution}"}]


def test_the_grant_lets_the_pool_function_invalidate_its_distribution(endpoint):
    ours = _distribution(endpoint, "ours")
    session, _ = as_role(endpoint, _grant(ours))
    CloudFrontEdgeCache(ours, client=session.client("cloudfront", endpoint_url=endpoint)).invalidate(
        ["/v1/sites/pk_a/config"])
    listed = admin(endpoint, "cloudfront").list_invalidations(DistributionId=ours)["InvalidationList"]
    assert listed["Quantity"] == 1


def test_another_distribution_is_refused_as_iam_refuses_it(endpoint):
    ours, theirs = _distribution(endpoint, "mine"), _distribution(endpoint, "theirs")
    session, _ = as_role(endpoint, _grant(ours))
    with pytest.raises(EdgeCacheUnavailable, match="AccessDenied"):
        CloudFrontEdgeCache(theirs, client=session.client("cloudfront", endpoint_url=endpoint)).invalidate(
            ["/v1/sites/pk_a/config"])
    assert admin(endpoint, "cloudfront").list_invalidations(DistributionId=theirs)["InvalidationList"]["Quantity"] == 0
