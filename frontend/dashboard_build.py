"""Build the dashboard (frontend/dashboard -> frontend/app, served at /app/) and hold its
initial bundle to a budget.

    python frontend/dashboard_build.py

npm ci installs the locked toolchain (only when package-lock.json changed since the last
install), `npm run build` type-checks with tsc and bundles with Vite, and the gzipped
size of what the page loads first (index.html's scripts and styles) is printed and held
to INITIAL_BUDGET. Exits non-zero on a type error, a failed build or an over-budget bundle.
"""
from __future__ import annotations

import gzip
import re
import subprocess
import sys
from pathlib import Path

FRONTEND = Path(__file__).resolve().parent
DASHBOARD = FRONTEND / "dashboard"
OUTPUT = FRONTEND / "app"
# What a first visit downloads before the dashboard answers: small enough for a phone on
# a slow network (about 1.3 s at 400 kbit/s). The Cognito client (SRP) is most of it;
# the other pages and the charts load on first use.
INITIAL_BUDGET = 64 * 1024


def npm(*args: str) -> None:
    subprocess.run(["npm", *args], cwd=DASHBOARD, check=True)


def install() -> None:
    lock, stamp = DASHBOARD / "package-lock.json", DASHBOARD / "node_modules" / ".package-lock.json"
    if not stamp.exists() or stamp.stat().st_mtime < lock.stat().st_mtime:
        npm("ci", "--no-audit", "--no-fund")


def initial_assets(index: Path) -> list[Path]:
    """The scripts and stylesheets index.html loads (Vite writes them under assets/)."""
    names = re.findall(r'(?:src|href)="/app/(assets/[^"]+\.(?:js|css))"', index.read_text(encoding="utf-8"))
    return [OUTPUT / name for name in names]


def gzipped(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))


def main() -> int:
    install()
    npm("run", "build", "--silent")
    sizes = {path: gzipped(path) for path in initial_assets(OUTPUT / "index.html")}
    total = sum(sizes.values())
    for path, size in sizes.items():
        print(f"{path.relative_to(FRONTEND.parent)}: {path.stat().st_size} B raw, {size} B gzipped")
    verdict = "ok" if total <= INITIAL_BUDGET else "OVER BUDGET"
    print(f"dashboard initial bundle: {total} B gzipped (budget {INITIAL_BUDGET} B) {verdict}")
    return 0 if sizes and total <= INITIAL_BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
