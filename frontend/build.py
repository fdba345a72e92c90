"""Build the browser scripts customers' pages load, and hold them to their size budget.

    python frontend/build.py    # writes frontend/scripts/, prints sizes

The source is plain ES5 in frontend/src/; rjsmin strips comments and whitespace (a
pure-Python minifier, so the build needs no Node). Each script is written under a name
that carries a hash of its bytes (swap.3f9a1c2b.js), which CloudFront serves from S3 as
/scripts/<name>, cached for a year (infra/constructs/edge.py): a changed script is a new
name, so nothing cached can be stale. The snippet's stable addresses (/v1/swap.js,
/v1/widget.js) are mapped to the current names at the edge from manifest.json. The swap
script loads the widget by the widget's hashed name (the build writes it in).
A copy under the plain name (swap.js) is for tools and tests that serve it themselves.
Exits non-zero if a script is over its gzipped budget, or both together over TOTAL_BUDGET.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import rjsmin

FRONTEND = Path(__file__).resolve().parent
REPO = FRONTEND.parent
SOURCE = FRONTEND / "src"
OUTPUT = FRONTEND / "scripts"
MANIFEST = "manifest.json"
# Where the hashed names are served (the distribution's /scripts/* behaviour).
SCRIPTS_PATH = "/scripts/"
# In the swap script's source: replaced by the widget's hashed address.
WIDGET_PLACEHOLDER = "{{widget.js}}"

# The swap script and the callback widget must stay under 12 KB gzipped together; the swap
# script, which every page view runs in <head>, under 3 KB.
TOTAL_BUDGET = 12288
# Built in this order: the widget first, so the swap script can name it.
BUDGETS = {"widget.js": 8192, "swap.js": 3072}
if sum(BUDGETS.values()) > TOTAL_BUDGET:
    raise ValueError(f"the scripts' budgets add up to more than {TOTAL_BUDGET} B")


@dataclass(frozen=True)
class Built:
    name: str
    path: Path
    raw_bytes: int
    gzip_bytes: int
    budget: int
    # swap.3f9a1c2b.js: the name it is served under, with its content's hash
    hashed_name: str = ""

    @property
    def within_budget(self) -> bool:
        return self.gzip_bytes <= self.budget


def gzipped_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def minify(source: str, short_names: bool = False) -> str:
    """Minified, and pure ASCII (other characters as \\uXXXX escapes: they only occur in
    string literals), so the script reads the same whatever charset a page assumes.
    short_names: local names shortened too (frontend/shorten.py), for the swap script,
    which every page view loads in <head> and so has the tightest budget."""
    code = rjsmin.jsmin(source, keep_bang_comments=False).strip()
    if short_names:
        code = _shortener().shorten(code)
    return re.sub(r"[^\x00-\x7f]", _escape, code + "\n")


def _shortener():
    import importlib.util

    spec = importlib.util.spec_from_file_location("frontend_shorten", FRONTEND / "shorten.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _escape(match: re.Match) -> str:
    units = match.group().encode("utf-16-be")
    return "".join(f"\\u{units[i]:02x}{units[i + 1]:02x}" for i in range(0, len(units), 2))


def hashed(name: str, data: bytes) -> str:
    stem, _, ext = name.rpartition(".")
    return f"{stem}.{hashlib.sha256(data).hexdigest()[:10]}.{ext}"


def _write(target: Path, data: bytes) -> None:
    # Atomically: a browser test may be reading the file another build is replacing.
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    partial.write_bytes(data)
    partial.replace(target)


def build(output: Path = OUTPUT) -> list[Built]:
    output.mkdir(parents=True, exist_ok=True)
    built, manifest = [], {}
    for name, budget in BUDGETS.items():
        source = (SOURCE / name).read_text(encoding="utf-8")
        if name == "swap.js":
            source = source.replace(WIDGET_PLACEHOLDER, SCRIPTS_PATH + manifest["widget.js"])
        data = minify(source, short_names=name == "swap.js").encode("utf-8")
        manifest[name] = hashed(name, data)
        for target in (output / manifest[name], output / name):
            _write(target, data)
        built.append(Built(name, output / name, len(data), gzipped_size(data), budget, manifest[name]))
    _write(output / MANIFEST, (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode())
    # Earlier builds' hashed files: only the current ones are published.
    current = set(manifest.values())
    for stale in output.glob("*.*.js"):
        if stale.name not in current:
            stale.unlink(missing_ok=True)
    return sorted(built, key=lambda item: item.name)


def manifest(output: Path = OUTPUT) -> dict[str, str]:
    """Plain name -> hashed name of the last build."""
    return json.loads((output / MANIFEST).read_text())


def problems(results: list[Built], total_budget: int = TOTAL_BUDGET) -> list[str]:
    """Why the build fails: each script over its own budget, and the sum over the total."""
    found = [f"{item.name} is {item.gzip_bytes} B gzipped, over its {item.budget} B budget"
             for item in results if not item.within_budget]
    total = sum(item.gzip_bytes for item in results)
    if total > total_budget:
        found.append(f"the scripts are {total} B gzipped together, over the {total_budget} B total budget")
    return found


def main() -> int:
    results = build()
    for item in results:
        verdict = "ok" if item.within_budget else "OVER BUDGET"
        print(f"{item.path.relative_to(REPO)} ({item.hashed_name}): {item.raw_bytes} B raw, "
              f"{item.gzip_bytes} B gzipped (budget {item.budget} B gzipped) {verdict}")
    print(f"together: {sum(item.gzip_bytes for item in results)} B gzipped (budget {TOTAL_BUDGET} B)")
    failures = problems(results)
    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
