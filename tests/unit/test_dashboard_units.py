"""The dashboard's own unit tests (Vitest) and type-check, run as part of `make test`."""
import subprocess
from pathlib import Path

DASHBOARD = Path(__file__).resolve().parents[2] / "frontend" / "dashboard"


def run(*args):
    assert (DASHBOARD / "node_modules").is_dir(), "the dashboard's toolchain is missing: `make build` installs it"
    return subprocess.run(["npm", *args], cwd=DASHBOARD, capture_output=True, text=True, timeout=300)


def test_the_dashboard_type_checks():
    result = run("run", "typecheck", "--silent")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_dashboards_unit_tests_pass():
    result = run("test", "--silent")
    assert result.returncode == 0, result.stdout + result.stderr
