"""Build the browser scripts customers' pages load, and hold them to their size budget.

    python frontend/build.py          # writes functions/widget/static/swap.js, prints sizes

The source is plain ES5 in frontend/src/; rjsmin strips comments and whitespace (a
pure-Python minifier, so the build needs no Node). The widget function serves the output
as GET /v1/swap.js. Exits non-zero if a script is over its gzipped budget.
"""
from __future__ import annotations

import gzip
import sys
from dataclasses import dataclass
from pathlib import Path

import rjsmin

FRONTEND = Path(__file__).resolve().parent
REPO = FRONTEND.parent
SOURCE = FRONTEND / "src"
OUTPUT = REPO / "functions" / "widget" / "static"

# The swap script and the callback widget must stay under 12 KB gzipped together.
BUDGETS = {"swap.js": 4096}


@dataclass(frozen=True)
class Built:
    name: str
    path: Path
    raw_bytes: int
    gzip_bytes: int
    budget: int

    @property
    def within_budget(self) -> bool:
        return self.gzip_bytes <= self.budget


def gzipped_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def minify(source: str) -> str:
    return rjsmin.jsmin(source, keep_bang_comments=False).strip() + "\n"


def build(output: Path = OUTPUT) -> list[Built]:
    output.mkdir(parents=True, exist_ok=True)
    built = []
    for name, budget in BUDGETS.items():
        data = minify((SOURCE / name).read_text(encoding="utf-8")).encode("utf-8")
        target = output / name
        target.write_bytes(data)
        built.append(Built(name, target, len(data), gzipped_size(data), budget))
    return built


def main() -> int:
    results = build()
    for item in results:
        verdict = "ok" if item.within_budget else "OVER BUDGET"
        print(f"{item.path.relative_to(REPO)}: {item.raw_bytes} B raw, {item.gzip_bytes} B gzipped "
              f"(budget {item.budget} B gzipped) {verdict}")
    return 0 if all(item.within_budget for item in results) else 1


if __name__ == "__main__":
    sys.exit(main())
