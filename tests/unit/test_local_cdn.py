"""The local stack's stand-in for CloudFront (devstack/edge.py) serves the scripts and
the sites' config as the distribution does (infra/edge_routes.py), so browser tests and
`make bench-swap` see the production shape: same paths, same caching, same invalidation."""
import json
import subprocess

import pytest

from devstack.gateway import EdgeConfigCache, EdgeScripts, edge_handler
from infra.edge_routes import (
    IMMUTABLE,
    REDIRECT,
    REWRITE,
    STABLE_CACHE_CONTROL,
    stable_scripts_function,
)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scripts")
    EdgeScripts(folder).build()
    return folder, json.loads((folder / "manifest.json").read_text())


def _run_function(code: str, uri: str) -> dict:
    script = code + f"\nconsole.log(JSON.stringify(handler({{request: {{uri: {json.dumps(uri)}}}}})));"
    return json.loads(subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout)


@pytest.mark.parametrize("mode", [REWRITE, REDIRECT])
def test_the_local_edge_answers_the_stable_address_as_the_distributions_function_does(built, mode):
    folder, manifest = built
    edge = EdgeScripts(folder, mode)
    status, headers, body = edge.get("/v1/swap.js", {})
    cloudfront = _run_function(stable_scripts_function(manifest, mode), "/v1/swap.js")
    if mode == REWRITE:
        assert cloudfront["uri"] == f"/scripts/{manifest['swap.js']}"
        assert status == 200 and body == (folder / manifest["swap.js"]).read_bytes()
    else:
        assert cloudfront["statusCode"] == 302
        assert headers["Location"] == cloudfront["headers"]["location"]["value"] == f"/scripts/{manifest['swap.js']}"
        assert status == 302
    assert headers["Cache-Control"] == STABLE_CACHE_CONTROL


def test_hashed_scripts_are_immutable_and_revalidate_to_304(built):
    folder, manifest = built
    edge = EdgeScripts(folder)
    status, headers, body = edge.get(f"/scripts/{manifest['widget.js']}", {})
    assert status == 200 and headers["Cache-Control"] == IMMUTABLE and body.startswith(b"(function")
    assert edge.get(f"/scripts/{manifest['widget.js']}", {"If-None-Match": headers["ETag"]})[0] == 304
    # Only what a deploy publishes: hashed names, not the plain copies or the manifest.
    assert edge.get("/scripts/widget.js", {})[0] == 404
    assert edge.get("/scripts/manifest.json", {})[0] == 404
    assert edge.get("/v1/sessions", {}) is None


class _Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def _origin(answers):
    def fetch(route, forwarded):
        answers.append((route, forwarded))
        return 200, {"Cache-Control": "public, max-age=0, s-maxage=60"}, json.dumps({"n": len(answers)}).encode()
    return fetch


def test_a_config_is_kept_a_minute_per_origin_and_viewer_country_and_nothing_else_reaches_the_function():
    clock, answers, invalidations = _Clock(), [], []
    cache = EdgeConfigCache(lambda: invalidations, clock)
    page = {"Origin": "https://joes.example", "CloudFront-Viewer-Country": "US", "Cookie": "a=1",
            "User-Agent": "x"}
    fetch = _origin(answers)
    assert cache.get("/v1/sites/pk_1/config?x=1", page, fetch)[2] == b'{"n": 1}'
    assert cache.get("/v1/sites/pk_1/config", page, fetch)[1]["X-Cache"] == "Hit from cloudfront"
    assert answers == [("/v1/sites/pk_1/config", {"Origin": "https://joes.example", "CloudFront-Viewer-Country": "US"})]
    cache.get("/v1/sites/pk_1/config", {**page, "CloudFront-Viewer-Country": "CA"}, fetch)
    cache.get("/v1/sites/pk_1/config", {**page, "Origin": "https://other.example"}, fetch)
    assert len(answers) == 3
    clock.now = 61
    cache.get("/v1/sites/pk_1/config", page, fetch)
    assert len(answers) == 4


def test_an_invalidated_config_is_read_again_from_the_function():
    clock, answers, invalidations = _Clock(), [], []
    cache = EdgeConfigCache(lambda: invalidations, clock)
    page = {"Origin": "https://joes.example"}
    fetch = _origin(answers)
    cache.get("/v1/sites/pk_1/config", page, fetch)
    cache.get("/v1/sites/pk_2/config", page, fetch)
    invalidations.append(("I1", ["/v1/sites/pk_1/config"]))
    cache.get("/v1/sites/pk_1/config", page, fetch)
    cache.get("/v1/sites/pk_2/config", page, fetch)
    assert [route for route, _ in answers] == ["/v1/sites/pk_1/config", "/v1/sites/pk_2/config",
                                              "/v1/sites/pk_1/config"]
    # An invalidation is applied once: what is cached after it stays cached.
    cache.get("/v1/sites/pk_1/config", page, fetch)
    assert len(answers) == 3


def test_the_edge_sends_scripts_and_cached_config_without_the_api_and_the_rest_to_it(built):
    folder, manifest = built
    seen = []

    class Api:
        def handle(self, method, path, headers, body, client_ip):
            seen.append((method, path))
            return 200, {"Cache-Control": "public, max-age=0, s-maxage=60"}, b"{}"

    handle = edge_handler(Api(), None, EdgeScripts(folder), EdgeConfigCache(None))
    assert handle("GET", "/v1/swap.js", {}, None, "127.0.0.1")[0] == 200
    assert handle("GET", f"/scripts/{manifest['swap.js']}", {}, None, "127.0.0.1")[0] == 200
    handle("GET", "/v1/sites/pk_1/config", {"Origin": "https://a.example"}, None, "127.0.0.1")
    handle("GET", "/v1/sites/pk_1/config", {"Origin": "https://a.example"}, None, "127.0.0.1")
    handle("POST", "/v1/sessions", {}, b"{}", "127.0.0.1")
    assert seen == [("GET", "/v1/sites/pk_1/config"), ("POST", "/v1/sessions")]
