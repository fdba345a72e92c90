"""What a customer's page loads comes from the edge, never from a function: the scripts
from S3 under content-hashed names (a year, immutable), the snippet's stable addresses
mapped to them with a five-minute Cache-Control, each site's config cached for a minute
per page origin and viewer country, and the pool function allowed to invalidate it (on
this distribution only). Each test fails if its part of that is lost."""
from __future__ import annotations

import json
import subprocess

import pytest

from infra import edge_routes
from infra.catalog import FUNCTIONS
from ringback.accounts.edge_cache import CONFIG_MAX_AGE_SECONDS
from tests.infra.policies import as_list, statements


@pytest.fixture(scope="module")
def config(synth) -> dict:
    (distribution,) = synth.of_type("AWS::CloudFront::Distribution").values()
    return distribution["Properties"]["DistributionConfig"]


@pytest.fixture(scope="module")
def behaviours(config) -> list[dict]:
    return config["CacheBehaviors"]


def _behaviour(behaviours, path) -> dict:
    return next(b for b in behaviours if b["PathPattern"] == path)


def _bucket_origin(config) -> str:
    return config["DefaultCacheBehavior"]["TargetOriginId"]


def _cache_policy(synth, behaviour) -> dict:
    ref = behaviour["CachePolicyId"]
    assert isinstance(ref, dict), f"{behaviour['PathPattern']} uses a managed policy, not ours: {ref}"
    return synth.resources[ref["Ref"]]["Properties"]["CachePolicyConfig"]


def _index(behaviours, path) -> int:
    return [b["PathPattern"] for b in behaviours].index(path)


def test_hashed_scripts_are_published_to_the_bucket_immutable_for_a_year_and_never_pruned(synth):
    deployments = [d["Properties"] for d in synth.of_type("Custom::CDKBucketDeployment").values()
                   if d["Properties"].get("DestinationBucketKeyPrefix") == edge_routes.SCRIPTS_PREFIX]
    assert len(deployments) == 1, "no deployment publishes the scripts under scripts/"
    (scripts,) = deployments
    assert scripts["DestinationBucketName"] == {"Ref": synth.logical_id(synth.stack.edge.bucket)}
    assert scripts["SystemMetadata"]["cache-control"] == edge_routes.IMMUTABLE == "public, max-age=31536000, immutable"
    assert scripts["SystemMetadata"]["content-type"].startswith("application/javascript")
    # A page that loaded the previous swap.js (cached five minutes) still finds its widget.
    assert scripts["Prune"] is False
    # The pages' own deployment leaves scripts/ alone (it prunes everything else).
    for other in synth.of_type("Custom::CDKBucketDeployment").values():
        props = other["Properties"]
        if props.get("DestinationBucketKeyPrefix") != edge_routes.SCRIPTS_PREFIX:
            assert f"{edge_routes.SCRIPTS_PREFIX}*" in props.get("Exclude", []), \
                "the frontend deployment would prune the scripts"


def test_hashed_scripts_are_served_from_the_bucket_and_kept_at_the_edge_for_a_year(synth, config, behaviours):
    scripts = _behaviour(behaviours, edge_routes.SCRIPTS_PATTERN)
    assert scripts["TargetOriginId"] == _bucket_origin(config)
    assert scripts["Compress"] is True
    assert scripts["ViewerProtocolPolicy"] == "redirect-to-https"
    policy = _cache_policy(synth, scripts)
    assert policy["DefaultTTL"] == policy["MaxTTL"] == edge_routes.YEAR_SECONDS
    params = policy["ParametersInCacheKeyAndForwardedToOrigin"]
    assert params["EnableAcceptEncodingGzip"] and params["EnableAcceptEncodingBrotli"]
    assert params["QueryStringsConfig"]["QueryStringBehavior"] == "none"


@pytest.mark.parametrize("path", sorted(edge_routes.STABLE_SCRIPTS))
def test_the_snippets_address_serves_the_current_build_from_the_bucket_for_five_minutes(synth, config, behaviours,
                                                                                      path):
    behaviour = _behaviour(behaviours, path)
    # Never the API: a cold function can not hold up a page's <head>.
    assert behaviour["TargetOriginId"] == _bucket_origin(config)
    assert _index(behaviours, path) < _index(behaviours, "/v1/*")
    (association,) = behaviour["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    headers = synth.resources[behaviour["ResponseHeadersPolicyId"]["Ref"]]["Properties"]["ResponseHeadersPolicyConfig"]
    (cache_control,) = headers["CustomHeadersConfig"]["Items"]
    assert cache_control == {"Header": "Cache-Control", "Value": edge_routes.STABLE_CACHE_CONTROL, "Override": True}
    assert edge_routes.STABLE_CACHE_CONTROL == "public, max-age=300"
    # The managed security headers it replaces are still sent.
    security = headers["SecurityHeadersConfig"]
    assert security["ContentTypeOptions"]["Override"] and security["StrictTransportSecurity"]["AccessControlMaxAgeSec"]


def test_the_viewer_request_function_maps_each_stable_address_to_the_hashed_script_just_built(synth, config,
                                                                                              behaviours):
    """The function's code, run by node as CloudFront runs it: each stable address becomes
    the hashed name the scripts deployment uploads, whose bytes are the plain build's."""
    from infra.constructs.edge import build_scripts

    folder, manifest = build_scripts()
    (function_arn,) = {_behaviour(behaviours, p)["FunctionAssociations"][0]["FunctionARN"]["Fn::GetAtt"][0]
                       for p in edge_routes.STABLE_SCRIPTS}
    code = synth.resources[function_arn]["Properties"]["FunctionCode"]
    uris = [*edge_routes.STABLE_SCRIPTS, "/v1/sessions", "/scripts/swap.js"]
    script = code + f"\nconsole.log(JSON.stringify({json.dumps(uris)}.map(function (u) {{" \
        "var r = handler({request: {uri: u}}); return r.uri || r.statusCode; })));"
    mapped = json.loads(subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout)
    assert mapped[2:] == ["/v1/sessions", "/scripts/swap.js"]
    for path, target in zip(edge_routes.STABLE_SCRIPTS, mapped, strict=False):  # mapped: two more after them
        name = edge_routes.STABLE_SCRIPTS[path]
        assert target == f"/scripts/{manifest[name]}" and manifest[name] != name
        assert (folder / manifest[name]).read_bytes() == (folder / name).read_bytes()
    # The swap script loads the widget by its hashed name: cached a year, like itself.
    assert f"/scripts/{manifest['widget.js']}".encode() in (folder / manifest["swap.js"]).read_bytes()
    # The function is published only after the names it maps to are uploaded.
    (scripts_deployment,) = [logical for logical, d in synth.of_type("Custom::CDKBucketDeployment").items()
                             if d["Properties"].get("DestinationBucketKeyPrefix") == edge_routes.SCRIPTS_PREFIX]
    assert scripts_deployment in synth.resources[function_arn].get("DependsOn", [])


def test_a_sites_config_is_cached_for_a_minute_per_page_origin_and_viewer_country(synth, behaviours):
    behaviour = _behaviour(behaviours, edge_routes.CONFIG_PATTERN)
    api = _behaviour(behaviours, "/v1/*")
    assert behaviour["TargetOriginId"] == api["TargetOriginId"]
    assert _index(behaviours, edge_routes.CONFIG_PATTERN) < _index(behaviours, "/v1/*")
    assert set(behaviour["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS"}
    assert set(behaviour["CachedMethods"]) == {"GET", "HEAD"}
    # Nothing but the cache key reaches the function, so nothing else can vary its answer.
    assert "OriginRequestPolicyId" not in behaviour
    policy = _cache_policy(synth, behaviour)
    assert policy["DefaultTTL"] == policy["MaxTTL"] == CONFIG_MAX_AGE_SECONDS == 60
    assert policy["MinTTL"] == 0
    params = policy["ParametersInCacheKeyAndForwardedToOrigin"]
    assert params["HeadersConfig"] == {"HeaderBehavior": "whitelist",
                                       "Headers": ["Origin", "CloudFront-Viewer-Country"]}
    assert params["QueryStringsConfig"]["QueryStringBehavior"] == "none"
    assert params["CookiesConfig"]["CookieBehavior"] == "none"


def test_only_the_pool_function_may_invalidate_and_only_this_distribution(synth):
    distribution = synth.logical_id(synth.stack.edge.distribution)
    for spec in FUNCTIONS:
        granted = [s for s in statements(synth, spec.name)
                   if any(a.startswith("cloudfront:") for a in as_list(s["Action"]))]
        if spec.name != "pool":
            assert granted == [], f"{spec.name} may act on CloudFront"
            continue
        (statement,) = granted
        assert as_list(statement["Action"]) == ["cloudfront:CreateInvalidation"]
        (resource,) = as_list(statement["Resource"])
        assert json.dumps(resource).count(distribution) == 1 and ":distribution/" in json.dumps(resource)
    pool = synth.resources[synth.logical_id(synth.stack.functions.functions["pool"])]
    assert pool["Properties"]["Environment"]["Variables"]["RINGBACK_DISTRIBUTION_ID"] == {"Ref": distribution}


def test_the_widget_function_serves_no_script(synth):
    from infra.catalog import load_app

    routes = set(load_app("widget").routes)
    assert not {"/v1/swap.js", "/v1/widget.js"} & routes
