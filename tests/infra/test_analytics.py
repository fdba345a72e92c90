"""AnalyticsConstruct: the analytics bucket, Athena's results prefix, and who may reach it."""
from __future__ import annotations

import pytest

from infra.catalog import FUNCTIONS
from infra.constructs.analytics import ATHENA_RESULTS_PREFIX
from tests.infra.policies import bucket_actions, lifecycle


@pytest.fixture(scope="module")
def analytics(synth):
    return synth.stack.analytics.bucket


def test_athena_results_expire(synth, analytics):
    rule = lifecycle(synth, analytics)["expire-athena-results"]
    assert rule["Prefix"] == ATHENA_RESULTS_PREFIX == "athena-results/"
    assert rule["ExpirationInDays"] == 7


def test_analytics_is_encrypted_with_the_data_key_and_keeps_old_versions_briefly(synth, analytics):
    props = synth.resources[synth.logical_id(analytics)]["Properties"]
    sse = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert sse["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert lifecycle(synth, analytics)["expire-noncurrent"]["NoncurrentVersionExpiration"] == {
        "NoncurrentDays": 30
    }


def test_athena_results_uri_points_into_the_bucket(synth):
    uri = synth.stack.resolve(synth.stack.analytics.athena_results_uri)
    assert uri == {
        "Fn::Join": ["", ["s3://", {"Ref": synth.logical_id(synth.stack.analytics.bucket)}, "/athena-results/"]]
    }


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda s: s.name)
def test_only_functions_listed_for_analytics_reach_it(synth, analytics, spec):
    actions = bucket_actions(synth, spec.name, analytics)
    access = spec.buckets.get("analytics")
    if access is None:
        assert not actions
    elif access == "write":
        assert {"s3:PutObject", "s3:GetObject*"} <= actions
    else:
        assert "s3:GetObject*" in actions and "s3:PutObject" not in actions
