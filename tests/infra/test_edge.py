"""EdgeConstruct: one HTTPS origin for the frontend (private bucket behind OAC) and the
API (no caching, viewer headers and CloudFront's location headers passed through)."""
from __future__ import annotations

import json

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
    (site / "scripts").mkdir()
    (site / "scripts" / "swap.0123456789.js").write_text("")  # published by the scripts' own deployment
    (site / "demo").mkdir()
    (site / "demo" / "index.html").write_text("<!doctype html>")  # the local stack's customer site
    assert publishable_files(site) == []
    (site / "app").mkdir()
    (site / "app" / "index.html").write_text("<!doctype html>")
    assert publishable_files(site) == [site / "app" / "index.html"]

    pages = _page_deployments(synth)
    assert len(pages) == (1 if synth.stack.edge.deployment is not None else 0)


def test_the_dashboards_own_addresses_serve_its_page_and_nothing_else(config):
    """The viewer-request function the default behaviour runs, executed as CloudFront
    would (with node): /app/calls/CA… gets the dashboard's page; files and other pages
    are left alone."""
    import json
    import subprocess

    from devstack.gateway import dashboard_path
    from infra.constructs.edge import DASHBOARD_ROUTES_JS

    (association,) = config["DefaultCacheBehavior"]["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    uris = ["/app", "/app/", "/app/calls/tw:CA1", "/app/settings/webhooks", "/app/assets/index-1.js",
            "/app/config.json", "/index.html", "/demo/", "/v1/calls"]
    script = DASHBOARD_ROUTES_JS + f"\nconsole.log(JSON.stringify({json.dumps(uris)}.map(function (u) {{" \
        "return handler({request: {uri: u}}).uri; })));"
    rewritten = json.loads(subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout)
    assert rewritten == ["/app/index.html", "/app/index.html", "/app/index.html", "/app/index.html",
                         "/app/assets/index-1.js", "/app/config.json", "/index.html", "/demo/", "/v1/calls"]
    # The local gateway follows the same rule.
    assert [dashboard_path(u) for u in uris] == rewritten


def _page_deployments(synth) -> list[dict]:
    """The frontend's pages (the scripts have a deployment of their own: test_edge_scripts.py)."""
    from infra.edge_routes import SCRIPTS_PREFIX

    return [d for d in synth.of_type("Custom::CDKBucketDeployment").values()
            if d["Properties"].get("DestinationBucketKeyPrefix") != SCRIPTS_PREFIX]


def test_the_deploy_writes_the_dashboards_config_from_the_stacks_user_pool(synth):
    (deployment,) = _page_deployments(synth)
    markers = json.dumps(deployment["Properties"].get("SourceMarkers", []))
    pool = synth.logical_id(synth.stack.auth.user_pool)
    client = synth.logical_id(synth.stack.auth.dashboard_client)
    assert pool in markers and client in markers, markers
