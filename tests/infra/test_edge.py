"""EdgeConstruct: one HTTPS origin for the frontend (private bucket behind OAC) and the
API (no caching, viewer headers and CloudFront's location headers passed through)."""
from __future__ import annotations

import pytest

from infra.constructs.edge import API_PATHS, publishable_files

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
# Managed "AllViewerExceptHostHeader": every viewer header but Host, plus CloudFront's
# own headers (CloudFront-Viewer-Country, -Country-Region, -City among them).
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
SECURITY_HEADERS = "67f7725c-6f97-4210-82d7-5512b31e9d03"


@pytest.fixture(scope="module")
def config(synth) -> dict:
    (distribution,) = synth.of_type("AWS::CloudFront::Distribution").values()
    return distribution["Properties"]["DistributionConfig"]


def _origin(config: dict, origin_id: str) -> dict:
    return next(o for o in config["Origins"] if o["Id"] == origin_id)


def test_frontend_is_read_through_origin_access_control_only(synth, config):
    origin = _origin(config, config["DefaultCacheBehavior"]["TargetOriginId"])
    bucket = synth.logical_id(synth.stack.edge.bucket)
    assert origin["DomainName"] == {"Fn::GetAtt": [bucket, "RegionalDomainName"]}
    (oac_id,) = synth.of_type("AWS::CloudFront::OriginAccessControl")
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": [oac_id, "Id"]}
    assert origin["S3OriginConfig"]["OriginAccessIdentity"] == ""

    policy = next(
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in synth.of_type("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket}
    )
    readers = [s for s in policy if s["Effect"] == "Allow" and "s3:GetObject" in s["Action"]]
    assert readers and all(s["Principal"] == {"Service": "cloudfront.amazonaws.com"} for s in readers)


def test_default_behaviour_redirects_to_https_compresses_and_sets_security_headers(config):
    default = config["DefaultCacheBehavior"]
    assert default["ViewerProtocolPolicy"] == "redirect-to-https"
    assert default["Compress"] is True
    assert default["CachePolicyId"] == CACHING_OPTIMIZED
    assert default["ResponseHeadersPolicyId"] == SECURITY_HEADERS


@pytest.mark.parametrize("path", API_PATHS)
def test_api_paths_reach_the_api_uncached_with_viewer_headers(synth, config, path):
    behaviours = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    behaviour = behaviours[path]
    assert behaviour["CachePolicyId"] == CACHING_DISABLED
    assert behaviour["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST
    assert set(behaviour["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    assert behaviour["ViewerProtocolPolicy"] == "https-only"

    origin = _origin(config, behaviour["TargetOriginId"])
    api = synth.logical_id(synth.stack.api.rest_api)
    assert origin["DomainName"]["Fn::Join"][1][0] == {"Ref": api}
    assert origin["OriginPath"] == "/prod"
    assert origin["CustomOriginConfig"] == {"OriginProtocolPolicy": "https-only", "OriginSSLProtocols": ["TLSv1.2"]}


def test_standard_logs_go_to_the_access_logs_bucket(synth, config):
    access_logs = synth.logical_id(synth.stack.data.access_logs)
    assert config["Logging"] == {
        "Bucket": {"Fn::GetAtt": [access_logs, "RegionalDomainName"]},
        "Prefix": "cloudfront/",
    }


def test_frontend_is_deployed_only_when_there_is_something_to_publish(synth, tmp_path):
    assert publishable_files(None) == []
    assert publishable_files(tmp_path / "missing") == []
    site = tmp_path / "frontend"
    (site / "src").mkdir(parents=True)
    (site / "build.py").write_text("")
    (site / "src" / "swap.js").write_text("")
    assert publishable_files(site) == []
    (site / "demo").mkdir()
    (site / "demo" / "index.html").write_text("<!doctype html>")
    assert publishable_files(site) == [site / "demo" / "index.html"]

    deployments = synth.of_type("Custom::CDKBucketDeployment")
    assert len(deployments) == (1 if synth.stack.edge.deployment is not None else 0)
