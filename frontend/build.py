"""Build the browser scripts customers' pages load, and hold them to their size budget.

    python frontend/build.py    # writes functions/widget/static/{swap,widget}.js, prints sizes

The source is plain ES5 in frontend/src/; rjsmin strips comments and whitespace (a
pure-Python minifier, so the build needs no Node). The widget function serves the output
as GET /v1/swap.js and GET /v1/widget.js (the swap script loads the callback widget).
Exits non-zero if a script is over its gzipped budget, or both together over TOTAL_BUDGET.
"""
from __future__ import annotations

import gzip
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import rjsmin

FRONTEND = Path(__file__).resolve().parent
REPO = FRONTEND.parent
SOURCE = FRONTEND / "src"
OUTPUT = REPO / "functions" / "widget" / "static"

# The swap script and the callback widget must stay under 12 KB gzipped together.
TOTAL_BUDGET = 12288
BUDGETS = {"swap.js": 4096, "widget.js": 8192}
if sum(BUDGETS.values()) > TOTAL_BUDGET:
    raise ValueError(f"the scripts' budgets add up to more than {TOTAL_BUDGET} B")


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
    """Minified, and pure ASCII (other characters as \\uXXXX escapes: they only occur in
    string literals), so the script reads the same whatever charset a page assumes."""
    code = rjsmin.jsmin(source, keep_bang_comments=False).strip() + "\n"
    return re.sub(r"[^\x00-\x7f]", _escape, code)


def _escape(match: re.Match) -> str:
    units = match.group().encode("utf-16-be")
    return "".join(f"\\u{units[i]:02x}{units[i + 1]:02x}" for i in range(0, len(units), 2))


def build(output: Path = OUTPUT) -> list[Built]:
    output.mkdir(parents=True, exist_ok=True)
    built = []
    for name, budget in BUDGETS.items():
        data = minify((SOURCE / name).read_text(encoding="utf-8")).encode("utf-8")
        target = output / name
        target.write_bytes(data)
        built.append(Built(name, target, len(data), gzipped_size(data), budget))
    return built


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
        print(f"{item.path.relative_to(REPO)}: {item.raw_bytes} B raw, {item.gzip_bytes} B gzipped "
              f"(budget {item.budget} B gzipped) {verdict}")
    print(f"together: {sum(item.gzip_bytes for item in results)} B gzipped (budget {TOTAL_BUDGET} B)")
    failures = problems(results)
    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
