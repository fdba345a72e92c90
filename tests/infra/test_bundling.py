"""The bundlers build what Lambda runs: a function's app.py beside the shared package,
and a layer of Linux wheels for the Lambda runtime's Python."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from infra.bundling import DependencyLayerBundler, FunctionCodeBundler, runtime_dependencies
from infra.catalog import FUNCTIONS_DIR, SHARED_PACKAGE


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
    assert (out / "ringback" / "adapters" / "tables.py").is_file()
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


def test_layer_installs_the_runtime_dependencies_as_lambda_wheels(tmp_path):
    bundler = DependencyLayerBundler(runtime_dependencies(), python_version="3.14", architecture="aarch64")
    assert bundler.pip_command(str(tmp_path))[:3] == [sys.executable, "-m", "pip"]
    assert bundler.try_bundle(str(tmp_path))

    site = tmp_path / "python"
    for package in ("chalice", "pynamodb", "aws_lambda_powertools", "twilio", "phonenumbers"):
        assert (site / package / "__init__.py").is_file(), package
    extensions = [p.name for p in site.rglob("*.so")]
    assert extensions, "twilio's aiohttp brings compiled extensions"
    assert all("x86_64" not in name for name in extensions)
    assert any("cpython-314-aarch64-linux-gnu" in name for name in extensions)
    # Bytecode compiled by this interpreter would be dead weight for the Lambda runtime.
    assert not list(site.rglob("*.pyc"))
