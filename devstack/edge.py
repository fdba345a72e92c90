"""CloudFront, locally (infra/edge_routes.py, infra/constructs/edge.py): the scripts from
the build under their hashed names and the snippet's stable addresses (EdgeScripts), the
sites' config cached for its minute and dropped when the pool function invalidates it
(EdgeConfigCache), and the routing in front of the local API and the frontend bucket
(edge_handler), so tests and benchmarks see the production shape.
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from devstack import viewers
from devstack.http_server import Handler, json_answer
from devstack.static_files import StaticFiles
from infra.edge_routes import (
    CONFIG_KEY_HEADERS,
    IMMUTABLE,
    REDIRECT,
    SCRIPTS_PATH,
    STABLE_CACHE_CONTROL,
    STABLE_SCRIPTS_MODE,
    is_config,
    stable_script,
)
from ringback.accounts.edge_cache import CONFIG_MAX_AGE_SECONDS
from ringback.adapters.web import error_body

if TYPE_CHECKING:
    from devstack.gateway import LocalApi

API_PREFIXES = ("/v1/", "/health")
REPO = Path(__file__).resolve().parent.parent


def dashboard_path(path: str) -> str:
    """The dashboard's own addresses (/app/calls/CA…) serve its one page, as the
    distribution's viewer-request function (infra/constructs/edge.py) rewrites them."""
    if path == "/app" or (path.startswith("/app/") and "." not in path.rsplit("/", 1)[-1]):
        return "/app/index.html"
    return path


_HASHED = re.compile(r"^[\w-]+\.[0-9a-f]{8,}\.js$")
_JS = "application/javascript; charset=utf-8"


class EdgeScripts:
    """The scripts as the distribution serves them from S3: the build's hashed names under
    /scripts/ (a year, immutable), and /v1/swap.js and /v1/widget.js mapped to the current
    ones as its viewer-request function maps them (a rewrite, or a redirect: `mode`)."""

    def __init__(self, folder: Path, mode: str = STABLE_SCRIPTS_MODE) -> None:
        self._folder, self.mode = folder, mode
        self._manifest: dict[str, str] = {}
        self._read_at = -1.0

    def build(self) -> EdgeScripts:
        """Build the scripts into the folder now (frontend/build.py), as a deploy does."""
        import importlib.util
        import sys

        spec = importlib.util.spec_from_file_location("frontend_build", REPO / "frontend" / "build.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules.setdefault(spec.name, module)  # dataclasses look their module up
        spec.loader.exec_module(module)
        module.build(self._folder)
        return self

    def manifest(self) -> dict[str, str]:
        # Re-read after a build, as a deploy publishes a new function.
        path = self._folder / "manifest.json"
        stamp = path.stat().st_mtime if path.is_file() else 0.0
        if stamp != self._read_at:
            self._manifest = json.loads(path.read_text()) if stamp else {}
            self._read_at = stamp
        return self._manifest

    def get(self, path: str, headers: dict[str, str]):
        """The answer for `path`, or None when it is not a script address."""
        if path.startswith(SCRIPTS_PATH):
            name = path[len(SCRIPTS_PATH):]
            target = self._folder / name
            if not _HASHED.match(name) or not target.is_file():
                return json_answer(HTTPStatus.NOT_FOUND, error_body("not_found", "no such script", None))
            return self._file(target, IMMUTABLE, headers)
        found = stable_script(path, self.manifest(), self.mode)
        if found is None:
            return None
        mode, to = found
        if mode == REDIRECT:
            return 302, {"Location": to, "Cache-Control": STABLE_CACHE_CONTROL, "Content-Type": "text/plain"}, b""
        return self._file(self._folder / to[len(SCRIPTS_PATH):], STABLE_CACHE_CONTROL, headers)

    @staticmethod
    def _file(target: Path, cache_control: str, headers: dict[str, str]):
        if not target.is_file():
            return json_answer(HTTPStatus.NOT_FOUND,
                               error_body("not_found", "the scripts were not built (make build)", None))
        content = target.read_bytes()
        etag = '"' + hashlib.md5(content).hexdigest() + '"'  # S3's ETag is the MD5 of the object too
        answer = {"Content-Type": _JS, "Cache-Control": cache_control, "ETag": etag}
        if any(k.lower() == "if-none-match" and v == etag for k, v in headers.items()):
            return 304, answer, b""
        return 200, answer, content


class EdgeConfigCache:
    """CloudFront's cache of the sites' config: an answer is kept per path, Origin and
    viewer country (CONFIG_KEY_HEADERS, all that reaches the function) for its s-maxage,
    at most CONFIG_MAX_AGE_SECONDS, and dropped once an invalidation of the distribution
    names its path. `invalidations()` lists them: (id, paths), as moto holds them.
    Only 200s are kept (CloudFront also keeps errors for 10 s; an invalidation follows
    every site change that could turn one into an answer)."""

    def __init__(self, invalidations: Callable[[], list[tuple[str, list[str]]]] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._invalidations, self._clock = invalidations, clock
        self._entries: dict[tuple, tuple[float, tuple[int, dict, bytes]]] = {}
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, path: str, headers: dict[str, str], fetch: Callable[[str, dict], tuple[int, dict, bytes]]):
        route = urlsplit(path).path  # the cache policy forwards no query string
        lower = {k.lower(): v for k, v in headers.items()}
        forwarded = {name: lower[name.lower()] for name in CONFIG_KEY_HEADERS if name.lower() in lower}
        key = (route, *(forwarded.get(name) for name in CONFIG_KEY_HEADERS))
        with self._lock:
            self._forget_invalidated()
            entry = self._entries.get(key)
            if entry and entry[0] > self._clock():
                self.hits += 1
                status, answer, payload = entry[1]
                return status, {**answer, "X-Cache": "Hit from cloudfront"}, payload
            self.misses += 1
        status, answer, payload = fetch(route, forwarded)
        ttl = _shared_max_age(answer)
        if status == 200 and ttl > 0:
            with self._lock:
                self._entries[key] = (self._clock() + ttl, (status, answer, payload))
        return status, {**answer, "X-Cache": "Miss from cloudfront"}, payload

    def _forget_invalidated(self) -> None:
        if self._invalidations is None or not self._entries:
            return
        for invalidation_id, paths in self._invalidations():
            if invalidation_id in self._seen:
                continue
            self._seen.add(invalidation_id)
            for key in list(self._entries):
                if any(key[0] == p or (p.endswith("*") and key[0].startswith(p[:-1])) for p in paths):
                    del self._entries[key]


def _shared_max_age(headers: dict[str, str]) -> int:
    control = next((v for k, v in headers.items() if k.lower() == "cache-control"), "")
    found = re.search(r"s-maxage=(\d+)", control) or re.search(r"max-age=(\d+)", control)
    # The cache policy's default TTL when the origin says nothing; its maximum caps it.
    return min(int(found.group(1)) if found else CONFIG_MAX_AGE_SECONDS, CONFIG_MAX_AGE_SECONDS)


def cloudfront_invalidations(client, distribution_id: str) -> Callable[[], list[tuple[str, list[str]]]]:
    """The distribution's invalidations as the local AWS holds them, newest first, each
    read once (an invalidation never changes)."""
    paths: dict[str, list[str]] = {}

    def listed() -> list[tuple[str, list[str]]]:
        items = client.list_invalidations(DistributionId=distribution_id)["InvalidationList"].get("Items") or []
        for item in items:
            if item["Id"] not in paths:
                batch = client.get_invalidation(DistributionId=distribution_id, Id=item["Id"])
                paths[item["Id"]] = batch["Invalidation"]["InvalidationBatch"]["Paths"].get("Items") or []
        return [(item["Id"], paths[item["Id"]]) for item in items]

    return listed


def edge_handler(api: LocalApi, frontend: StaticFiles, scripts: EdgeScripts | None = None,
                 config: EdgeConfigCache | None = None) -> Handler:
    """What CloudFront does: the scripts from the bucket (never the API), a site's config
    through its cache, the rest of /v1/* and /health to the API, everything else to the
    bucket; the viewer headers are the edge's own, never a client's (devstack/viewers.py)."""

    def handle(method, path, headers, body, client_ip):
        route_path = urlsplit(path).path
        if scripts is not None and method in {"GET", "HEAD"}:
            answer = scripts.get(route_path, headers)
            if answer is not None:
                return answer
        if config is not None and method in {"GET", "HEAD"} and is_config(route_path):
            edge = viewers.at_edge(headers, client_ip)
            # CloudFront adds its origin headers (the firewall's secret) to every origin request.
            extra = {k: v for k, v in edge.items() if k.lower() == viewers.ORIGIN_HEADER}
            return config.get(path, edge, lambda route, forwarded: api.handle(
                method, route, {**forwarded, **extra}, None, client_ip))
        if route_path == "/health" or route_path.startswith(API_PREFIXES[0]):
            return api.handle(method, path, viewers.at_edge(headers, client_ip), body, client_ip)
        if method not in {"GET", "HEAD"}:
            return json_answer(HTTPStatus.METHOD_NOT_ALLOWED,
                               error_body("method_not_allowed", "static files are read-only", None))
        return frontend.get(dashboard_path(route_path))

    return handle
