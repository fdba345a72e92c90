"""What the edge serves without a Lambda, and how: shared by the distribution
(infra/constructs/edge.py) and the local stack's stand-in for it (devstack/edge.py), so
both serve the same paths the same way. Plain Python: the local gateway imports it
without loading CDK.

- /scripts/<name>.<hash>.js: the built scripts (frontend/build.py), from S3, cached for a
  year by browsers and the edge alike. A new build is a new name.
- /v1/swap.js and /v1/widget.js, the addresses customers paste: a viewer-request function
  maps them to the current hashed names (a rewrite: the script itself, in one round
  trip), cached for STABLE_MAX_AGE seconds so a new build reaches every page within
  minutes. A redirect to the hashed name is the other shape; `make bench-swap` measures
  both (bench/swap.py) and STABLE_SCRIPTS_MODE is the one that measured better.
- /v1/sites/{key}/config: from the API, cached at the edge for
  ringback.accounts.edge_cache.CONFIG_MAX_AGE_SECONDS per site key, page origin and
  viewer country, and invalidated when the site changes.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from fnmatch import fnmatchcase

SCRIPTS_PATH = "/scripts/"
SCRIPTS_PATTERN = SCRIPTS_PATH + "*"
# The S3 prefix the hashed scripts are published under (the path without its slash).
SCRIPTS_PREFIX = SCRIPTS_PATH.strip("/") + "/"
IMMUTABLE = "public, max-age=31536000, immutable"
YEAR_SECONDS = 365 * 24 * 3600

# stable address -> the build's plain name
STABLE_SCRIPTS = {"/v1/swap.js": "swap.js", "/v1/widget.js": "widget.js"}
STABLE_MAX_AGE = 300
STABLE_CACHE_CONTROL = f"public, max-age={STABLE_MAX_AGE}"
REWRITE, REDIRECT = "rewrite", "redirect"
STABLE_SCRIPTS_MODE = REWRITE

CONFIG_PATTERN = "/v1/sites/*/config"
# What a site's config depends on besides its key (the path): the page's origin (only a
# site's own domains are answered) and the viewer's country (the widget's default
# country). Nothing else reaches the function, so nothing else can vary the answer.
CONFIG_KEY_HEADERS = ("Origin", "CloudFront-Viewer-Country")


def stable_targets(manifest: Mapping[str, str]) -> dict[str, str]:
    """Stable address -> the path of the current hashed script."""
    return {path: SCRIPTS_PATH + manifest[name] for path, name in STABLE_SCRIPTS.items()}


def stable_scripts_function(manifest: Mapping[str, str], mode: str = STABLE_SCRIPTS_MODE) -> str:
    """The CloudFront Function (JS 2.0, viewer request) of the stable addresses."""
    targets = json.dumps(stable_targets(manifest), sort_keys=True)
    if mode == REWRITE:
        act = "request.uri = to;\n  return request;"
    elif mode == REDIRECT:
        act = ("return {statusCode: 302, statusDescription: 'Found', headers: {location: {value: to}, "
               f"'cache-control': {{value: '{STABLE_CACHE_CONTROL}'}}}}}};")
    else:
        raise ValueError(f"unknown stable-script mode {mode!r}")
    return f"""var SCRIPTS = {targets};
function handler(event) {{
  var request = event.request;
  var to = SCRIPTS[request.uri];
  if (!to) return request;
  {act}
}}
"""


def stable_script(path: str, manifest: Mapping[str, str], mode: str = STABLE_SCRIPTS_MODE) -> tuple[str, str] | None:
    """What the function does with a request for `path`: (REWRITE, hashed path) or
    (REDIRECT, location); None when the path is not a stable address."""
    to = stable_targets(manifest).get(path)
    return (mode, to) if to else None


def is_config(path: str) -> bool:
    return fnmatchcase(path, CONFIG_PATTERN)
