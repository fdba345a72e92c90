"""The bundlers build what Lambda runs: a function's app.py beside the shared package,
and a layer of Linux wheels for the Lambda runtime's Python."""
from __future__ import annotations

import platform
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from infra.bundling import (
    PRUNE,
    DependencyLayerBundler,
    FunctionCodeBundler,
    optional_dependencies,
    runtime_dependencies,
)
from infra.catalog import FUNCTIONS_DIR, SHARED_PACKAGE

# Lambda's limit for a function's code and all its layers, unzipped: 250 MiB.
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024


def _size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def shared_layer(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("shared-layer")
    bundler = DependencyLayerBundler(runtime_dependencies(), python_version="3.14", architecture="aarch64")
    assert bundler.pip_command(str(out))[:3] == [sys.executable, "-m", "pip"]
    assert bundler.try_bundle(str(out))
    return out / "python"


@pytest.fixture(scope="module")
def analytics_layer(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("analytics-layer")
    bundler = DependencyLayerBundler(
        optional_dependencies("analytics"), python_version="3.14", architecture="aarch64", prune=PRUNE["analytics"]
    )
    assert bundler.try_bundle(str(out))
    return out / "python"


def _functions_with_build_leftovers(root: Path) -> Path:
    functions = root / "functions"
    shutil.copytree(FUNCTIONS_DIR / "widget", functions / "widget", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(SHARED_PACKAGE, functions / "ringback", ignore=shutil.ignore_patterns("__pycache__"))
    for package in (functions / "widget", functions / "ringback"):
        (package / "__pycache__").mkdir()
        (package / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"")
    (functions / "ringback" / "stray.pyc").write_bytes(b"")
    (functions / "ringback.egg-info").mkdir()
    return functions


def test_function_bundle_holds_the_app_and_the_shared_package_without_bytecode(tmp_path):
    functions = _functions_with_build_leftovers(tmp_path / "src")
    out = tmp_path / "out"
    assert FunctionCodeBundler("widget", functions_dir=functions).try_bundle(str(out))

    assert (out / "app.py").is_file()
    assert (out / "ringback" / "__init__.py").is_file()
    assert (out / "ringback" / "adapters" / "tables" / "accounts.py").is_file()
    assert not [p for p in out.rglob("*") if p.name == "__pycache__" or p.suffix == ".pyc"]
    assert not list(out.rglob("*.egg-info"))


def test_bytecode_does_not_change_a_function_fingerprint(tmp_path):
    functions = _functions_with_build_leftovers(tmp_path)
    assert FunctionCodeBundler("widget", functions_dir=functions).fingerprint() == (
        FunctionCodeBundler("widget").fingerprint()
    )


def test_function_fingerprint_follows_the_shared_package(tmp_path):
    widget, pool = FunctionCodeBundler("widget"), FunctionCodeBundler("pool")
    assert widget.fingerprint() == FunctionCodeBundler("widget").fingerprint()
    assert widget.fingerprint() != pool.fingerprint()


def test_layer_installs_the_runtime_dependencies_as_lambda_wheels(shared_layer):
    site = shared_layer
    for package in ("chalice", "pynamodb", "aws_lambda_powertools", "twilio", "phonenumbers"):
        assert (site / package / "__init__.py").is_file(), package
    extensions = [p.name for p in site.rglob("*.so")]
    assert extensions, "twilio's aiohttp brings compiled extensions"
    assert all("x86_64" not in name for name in extensions)
    assert any("cpython-314-aarch64-linux-gnu" in name for name in extensions)
    # Bytecode compiled by this interpreter would be dead weight for the Lambda runtime.
    assert not list(site.rglob("*.pyc"))
    assert not (site / "pyarrow").exists(), "pyarrow stays out of the shared layer"


def test_analytics_layer_is_pyarrow_for_lambda_without_its_unused_parts(analytics_layer):
    site = analytics_layer
    package = site / "pyarrow"
    assert (package / "parquet" / "__init__.py").is_file()
    for needed in ("lib", "_parquet", "_dataset", "_dataset_parquet", "_compute", "_fs", "_s3fs"):
        assert (package / f"{needed}.cpython-314-aarch64-linux-gnu.so").is_file(), needed
    for linked in ("libarrow", "libparquet", "libarrow_dataset", "libarrow_acero", "libarrow_substrait"):
        assert (package / f"{linked}.so.2600").is_file(), linked
    assert not list(package.glob("*flight*"))
    assert not [p for p in package.rglob("*") if p.suffix in {".pyx", ".pxd", ".pxi", ".h", ".cc"}]
    assert not (package / "tests").exists() and not (package / "include").exists()


def test_reports_function_fits_lambdas_size_limit_with_both_layers(shared_layer, analytics_layer, tmp_path):
    code = tmp_path / "reports"
    FunctionCodeBundler("reports").try_bundle(str(code))
    total = _size(shared_layer) + _size(analytics_layer) + _size(code)
    assert total < LAMBDA_UNZIPPED_LIMIT, f"{total / 2**20:.0f} MiB"


def test_pruning_changes_the_layer_fingerprint_only_when_set():
    plain = DependencyLayerBundler(["pyarrow==1"], python_version="3.14", architecture="aarch64")
    pruned = DependencyLayerBundler(["pyarrow==1"], python_version="3.14", architecture="aarch64", prune=["x/*"])
    assert plain.fingerprint() != pruned.fingerprint()
    assert plain.fingerprint() == DependencyLayerBundler(
        ["pyarrow==1"], python_version="3.14", architecture="aarch64", prune=()
    ).fingerprint()


def test_pruned_pyarrow_still_writes_and_reads_parquet(tmp_path):
    """The same pruning, on wheels for this machine, so the package can be imported here."""
    machine = {"x86_64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}.get(platform.machine())
    if machine is None:
        pytest.skip(f"no manylinux wheels for {platform.machine()}")
    bundler = DependencyLayerBundler(
        optional_dependencies("analytics"),
        python_version=f"{sys.version_info.major}.{sys.version_info.minor}",
        architecture=machine,
        prune=PRUNE["analytics"],
    )
    assert bundler.try_bundle(str(tmp_path / "layer"))
    site = tmp_path / "layer" / "python"
    script = textwrap.dedent(f"""
        import pyarrow, pyarrow.compute as pc, pyarrow.dataset as ds, pyarrow.fs as fs, pyarrow.parquet as pq
        assert pyarrow.__file__.startswith({str(site)!r}), pyarrow.__file__
        table = pyarrow.table({{"tenant_id": ["t1", "t2"], "talk_seconds": [30, 12]}})
        pq.write_table(table, {str(tmp_path / "calls.parquet")!r})
        back = ds.dataset({str(tmp_path / "calls.parquet")!r}, format="parquet").to_table()
        assert back.equals(table) and pc.sum(back["talk_seconds"]).as_py() == 42
        assert fs.S3FileSystem
        try:
            import pyarrow.flight
        except ImportError:
            pass
        else:
            raise AssertionError("Arrow Flight should be pruned")
    """)
    # The layer first on the path, as in Lambda (the venv's own pyarrow comes after).
    result = subprocess.run(
        [sys.executable, "-c", script], env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
