"""Each Lambda function's budgets: what Lambda unpacks for it, and what its cold start imports.

`make synth` runs `python -m infra.budgets cdk.out` right after `cdk synth`: it prints one
row per function (and worker) of infra/catalog.py and exits non-zero when any is over
budget, or has none.

- Package: the function's code and every layer it names, unzipped, summed from the assets
  `cdk synth` has just built in cdk.out: exactly what a deploy uploads. Lambda refuses a
  function whose code and layers pass 250 MiB unzipped.
- Cold import: importing the handler's module, as the runtime does at a cold start, in a
  fresh interpreter that has no bytecode and writes none. Lambda has none either: the
  bundles ship sources only (infra/bundling.py) and /var/task and /opt are read-only,
  so every cold start compiles what it imports: a module-level import of phonenumbers'
  geocoder (19 MB of generated Python) cost seconds there.

  Robust on a noisy machine (CI shares two cores with the browser tests): each figure is
  the CPU time of the import (a busy machine stretches wall time, not CPU time), the
  smallest of REPEATS runs interleaved with the others' (a burst of load hits one run,
  not all of one function's), and is budgeted as a multiple of `import boto3` measured
  the same way in the same run (a slower machine or another interpreter version slows
  both). boto3 is what every function's first AWS call imports anyway: a function at 1.0
  costs one more boto3 on top of it.

  The interpreter is this machine's venv, with the same pinned packages as the layer
  (the layer's own wheels are built for Lambda's CPU and Python and cannot run here).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from infra.catalog import FUNCTIONS, FUNCTIONS_DIR, REPO, FunctionSpec

MIB = 1024 * 1024
LAMBDA_UNZIPPED_LIMIT_MIB = 250
REPEATS = 3
# A cold import that takes longer than this, in wall time, is a hang, not a measurement.
IMPORT_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class Budget:
    # Code and layers, unzipped, in MiB.
    package_mib: float
    # Cold import CPU time, in multiples of `import boto3`'s in the same run.
    cold_import: float


# Measured on 2026-12-07: the shared layer is ~85 MiB without Chalice's CLI and aiohttp
# and with the geocoder's data as JSON (~123 MiB before), the reports functions add pyarrow's ~110 MiB; cold imports are
# 1.3-1.5 boto3s without the geocoder at import (5.6-5.9 with it). The budgets
# leave room for the observability and signature work landing with them, and fail on
# the regressions they guard against: the CLI dependencies back in the layer (+31 MB), or
# the geocoder back at import.
_SHARED = Budget(package_mib=105, cold_import=2.5)
_REPORTS = Budget(package_mib=225, cold_import=2.5)
BUDGETS: dict[str, Budget] = {
    "widget": _SHARED,
    "pool": _SHARED,
    # On every tenant request's path: it imports the pool function's whole app.
    "pool-authorizer": _SHARED,
    # Cognito's pre sign-up trigger, which Cognito gives 5 seconds: a module of its own,
    # without the Chalice app (0.2 boto3s).
    "pool-signup": Budget(package_mib=_SHARED.package_mib, cold_import=1.0),
    # The deploy-time trigger that meters API keys made before usage plans: its own module too
    # (0.3 boto3s measured).
    "pool-enrolment": Budget(package_mib=_SHARED.package_mib, cold_import=1.0),
    "dialer": _SHARED,
    "dialer-events": _SHARED,
    "dialer-workflow": _SHARED,
    "reports": _REPORTS,
    "reports-changes": _REPORTS,
    "reports-compact": _REPORTS,
}

REFERENCE = "import boto3"


@dataclass(frozen=True)
class EntryPoint:
    """One Lambda function: a catalog function's Chalice app, or one of its workers."""

    name: str  # "widget", "pool-authorizer": the function's POWERTOOLS_SERVICE_NAME
    spec: FunctionSpec
    handler: str  # "app.app", "app.authorize"

    @property
    def module(self) -> str:
        return self.handler.rsplit(".", 1)[0]


def entry_points(specs: tuple[FunctionSpec, ...] = FUNCTIONS) -> list[EntryPoint]:
    points = []
    for spec in specs:
        # Lambda calls the Chalice app object itself (infra/constructs/functions.py).
        points.append(EntryPoint(spec.name, spec, "app.app"))
        points += [EntryPoint(f"{spec.name}-{worker}", spec, handler) for worker, handler in spec.workers.items()]
    return points


# --- package sizes ------------------------------------------------------------------


def _asset_size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist())
    return path.stat().st_size


def package_sizes(cdk_out: Path) -> dict[str, int]:
    """Bytes unzipped of each catalog function's code and layers, by its service name,
    from a cloud assembly whose assets were bundled (`cdk synth`, not the infra tests)."""
    manifest = json.loads((cdk_out / "manifest.json").read_text())
    resources: dict[str, dict] = {}
    assets: dict[str, dict] = {}
    for artifact in manifest["artifacts"].values():
        properties = artifact.get("properties", {})
        if artifact["type"] == "aws:cloudformation:stack":
            resources.update(json.loads((cdk_out / properties["templateFile"]).read_text())["Resources"])
        elif artifact["type"] == "cdk:asset-manifest":
            assets.update(json.loads((cdk_out / properties["file"]).read_text()).get("files", {}))

    def unzipped(code: dict) -> int:
        asset_id = str(code["S3Key"]).removesuffix(".zip")
        path = cdk_out / assets[asset_id]["source"]["path"]
        if not path.exists():
            raise SystemExit(f"{path} is missing: run `cdk synth` with bundling (make synth)")
        return _asset_size(path)

    sizes: dict[str, int] = {}
    for resource in resources.values():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        properties = resource["Properties"]
        service = properties.get("Environment", {}).get("Variables", {}).get("POWERTOOLS_SERVICE_NAME")
        if not isinstance(service, str):
            continue  # CDK's own functions (the frontend upload), not the catalog's
        layers = [resources[layer["Ref"]]["Properties"]["Content"] for layer in properties.get("Layers", [])]
        sizes[service] = unzipped(properties["Code"]) + sum(unzipped(layer) for layer in layers)
    return sizes


# --- cold imports -------------------------------------------------------------------

# Runs in the fresh interpreter: the function's folder first and the shared package
# beside it, as in Lambda (where both sit in /var/task); CPU time of the import alone.
_CHILD = """
import sys, time, importlib
sys.path[:0] = {paths!r}
started = time.process_time()
module = importlib.import_module({module!r})
{resolve}
print(time.process_time() - started)
"""


def _cpu_seconds_of(code: str, *, pycache: str, environment: dict[str, str]) -> float:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        # Bytecode is read from (and would be written to) this empty folder only: every
        # run compiles what it imports, as a cold start in Lambda does.
        "PYTHONPYCACHEPREFIX": pycache,
        "PYTHONDONTWRITEBYTECODE": "1",
        **environment,
    }
    # -P: the working directory stays off sys.path; the child names its own.
    result = subprocess.run([sys.executable, "-P", "-c", code], env=env, capture_output=True, text=True,
                            timeout=IMPORT_TIMEOUT_SECONDS, cwd=tempfile.gettempdir(), check=False)
    if result.returncode != 0:
        raise SystemExit(f"cold import failed:\n{code}\n{result.stderr}")
    return float(result.stdout.strip().splitlines()[-1])


def _lambda_environment(point: EntryPoint) -> dict[str, str]:
    # What Lambda sets that a library may look at while it is imported (Powertools
    # checks it runs in Lambda); no settings: a function reads those at its first request.
    return {
        "AWS_LAMBDA_FUNCTION_NAME": point.name,
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_SERVICE_NAME": point.name,
    }


def cold_imports(
    points: list[EntryPoint], repeats: int = REPEATS, functions_dir: Path = FUNCTIONS_DIR
) -> tuple[float, dict[str, float]]:
    """CPU seconds of `import boto3`, and each entry point's in multiples of it.

    A worker whose handler sits in its function's module imports the same code, so each
    module is measured once, and every handler of it is looked up after the import."""
    jobs: dict[object, str] = {REFERENCE: _CHILD.format(paths=[], module="boto3", resolve="")}
    environments: dict[object, dict[str, str]] = {REFERENCE: {}}
    groups: dict[tuple[str, str], list[EntryPoint]] = {}
    for point in points:
        groups.setdefault((point.spec.name, point.module), []).append(point)
    for key, group in groups.items():
        attributes = [point.handler.rsplit(".", 1)[1] for point in group]
        jobs[key] = _CHILD.format(
            paths=[str(functions_dir / group[0].spec.name), str(functions_dir)], module=group[0].module,
            # Each handler must exist, as Lambda looks it up right after the import.
            resolve=f"[getattr(module, name) for name in {attributes!r}]",
        )
        environments[key] = _lambda_environment(group[0])
    best: dict[object, float] = {}
    with tempfile.TemporaryDirectory(prefix="ringback-pycache-") as pycache:
        for _ in range(repeats):
            for job, code in jobs.items():
                seconds = _cpu_seconds_of(code, pycache=pycache, environment=environments[job])
                best[job] = min(best.get(job, seconds), seconds)
    reference = best.pop(REFERENCE)
    return reference, {point.name: best[key] / reference for key, group in groups.items() for point in group}


# --- the check ----------------------------------------------------------------------


def check(
    points: list[EntryPoint],
    sizes: dict[str, int],
    reference: float,
    ratios: dict[str, float],
    budgets: dict[str, Budget] = BUDGETS,
    repeats: int = REPEATS,
) -> tuple[list[str], list[str]]:
    """The table's lines, and what is over budget (empty when all are within), from the
    package sizes (bytes) and cold imports (`reference` seconds, ratios to it) measured."""
    failures = [f"{p.name}: no budget in infra/budgets.py BUDGETS" for p in points if p.name not in budgets]
    lines = [
        (f"Cold import: CPU time without bytecode, the least of {repeats} runs, in multiples of "
         f"`{REFERENCE}` ({reference * 1000:.0f} ms here). Package: code and layers, unzipped "
         f"(Lambda's limit: {LAMBDA_UNZIPPED_LIMIT_MIB} MiB)."),
        f"{'function':<18}{'package MiB':>12}{'budget':>8}{'cold import':>13}{'ms':>7}{'budget':>8}",
    ]
    for point in points:
        budget = budgets.get(point.name)
        if point.name not in sizes:
            failures.append(f"{point.name}: not in the cloud assembly "
                            f"(no function with POWERTOOLS_SERVICE_NAME={point.name})")
            continue
        mib, ratio = sizes[point.name] / MIB, ratios[point.name]
        over = []
        if budget and mib > budget.package_mib:
            over.append(f"package {mib:.1f} MiB > {budget.package_mib:g} MiB")
        if budget and ratio > budget.cold_import:
            over.append(f"cold import {ratio:.2f} x boto3 > {budget.cold_import:g}")
        if mib > LAMBDA_UNZIPPED_LIMIT_MIB:
            over.append(f"package {mib:.1f} MiB > Lambda's {LAMBDA_UNZIPPED_LIMIT_MIB} MiB")
        failures += [f"{point.name}: {text}" for text in over]
        lines.append(
            f"{point.name:<18}{mib:>12.1f}{budget.package_mib if budget else float('nan'):>8g}"
            f"{ratio:>12.2f}x{ratio * reference * 1000:>7.0f}{budget.cold_import if budget else float('nan'):>7g}x"
            + ("  OVER" if over else "")
        )
    return lines, failures


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    cdk_out = Path(args[0]) if args else REPO / "cdk.out"
    points = entry_points()
    sizes = package_sizes(cdk_out)
    reference, ratios = cold_imports(points)
    lines, failures = check(points, sizes, reference, ratios)
    print("\n".join(["Function budgets (infra/budgets.py)", *lines]))
    if failures:
        print("\nOver budget:\n" + "\n".join(f"  {failure}" for failure in failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
