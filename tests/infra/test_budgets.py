"""`make synth` prints each function's package size and cold import against its budget
(infra/budgets.py) and fails the build when one is over."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from infra.budgets import (
    BUDGETS,
    MIB,
    Budget,
    EntryPoint,
    check,
    cold_imports,
    entry_points,
    package_sizes,
)
from infra.catalog import FUNCTIONS, FUNCTIONS_DIR, FunctionSpec


def _cloud_assembly(root: Path) -> Path:
    """A cloud assembly as `cdk synth` leaves it: one catalog function with its code and
    a layer (a folder and a zip), and CDK's own upload function, which has no service name."""
    out = root / "cdk.out"
    (out / "asset.code").mkdir(parents=True)
    (out / "asset.code" / "app.py").write_bytes(b"x" * 3 * MIB)
    (out / "asset.cdk").mkdir()
    (out / "asset.cdk" / "index.py").write_bytes(b"x" * 50 * MIB)
    with zipfile.ZipFile(out / "asset.layer.zip", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("python/big.py", b"y" * 20 * MIB)
    assets = {name: {"source": {"path": path, "packaging": "file"}}
              for name, path in (("code", "asset.code"), ("cdk", "asset.cdk"), ("layer", "asset.layer.zip"))}
    (out / "S.assets.json").write_text(json.dumps({"files": assets}))

    def code(asset: str) -> dict:
        return {"S3Bucket": "cdk-assets", "S3Key": f"{asset}.zip"}

    template = {"Resources": {
        "Layer": {"Type": "AWS::Lambda::LayerVersion", "Properties": {"Content": code("layer")}},
        "Widget": {"Type": "AWS::Lambda::Function", "Properties": {
            "Code": code("code"), "Handler": "app.app", "Layers": [{"Ref": "Layer"}],
            "Environment": {"Variables": {"POWERTOOLS_SERVICE_NAME": "widget"}}}},
        "Upload": {"Type": "AWS::Lambda::Function", "Properties": {"Code": code("cdk"), "Handler": "index.handler"}},
    }}
    (out / "S.template.json").write_text(json.dumps(template))
    (out / "manifest.json").write_text(json.dumps({"artifacts": {
        "S.assets": {"type": "cdk:asset-manifest", "properties": {"file": "S.assets.json"}},
        "S": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "S.template.json"}},
    }}))
    return out


def test_a_functions_package_is_its_code_and_its_layers_unzipped(tmp_path):
    sizes = package_sizes(_cloud_assembly(tmp_path))
    assert sizes == {"widget": 23 * MIB}


def test_a_cloud_assembly_synthesized_without_bundling_is_refused(tmp_path):
    out = _cloud_assembly(tmp_path)
    (out / "asset.layer.zip").unlink()
    with pytest.raises(SystemExit, match="make synth"):
        package_sizes(out)


def test_every_function_and_worker_of_the_catalog_has_a_budget():
    points = entry_points()
    assert {p.name for p in points} <= set(BUDGETS)
    expected = sum(1 + len(spec.workers) for spec in FUNCTIONS)
    assert len(points) == expected and "pool-authorizer" in {p.name for p in points}


def _points() -> list[EntryPoint]:
    spec = FunctionSpec(name="widget", description="", tables={}, workers={"sweep": "app.sweep"})
    return [EntryPoint("widget", spec, "app.app"), EntryPoint("widget-sweep", spec, "app.sweep")]


def test_the_table_names_each_function_and_nothing_fails_within_budget():
    budgets = {"widget": Budget(package_mib=100, cold_import=2), "widget-sweep": Budget(package_mib=100, cold_import=2)}
    lines, failures = check(_points(), {"widget": 90 * MIB, "widget-sweep": 90 * MIB}, 0.5,
                            {"widget": 1.5, "widget-sweep": 1.9}, budgets)
    assert failures == []
    assert "import boto3` (500 ms here)" in lines[0]
    row = next(line for line in lines if line.startswith("widget-sweep "))
    assert row.split() == ["widget-sweep", "90.0", "100", "1.90x", "950", "2x"]


def test_a_function_over_either_budget_or_without_one_fails():
    budgets = {"widget": Budget(package_mib=100, cold_import=2)}
    lines, failures = check(_points(), {"widget": 101 * MIB, "widget-sweep": 260 * MIB}, 0.5,
                            {"widget": 2.5, "widget-sweep": 1.0}, budgets)
    assert failures == [
        "widget-sweep: no budget in infra/budgets.py BUDGETS",
        "widget: package 101.0 MiB > 100 MiB",
        "widget: cold import 2.50 x boto3 > 2",
        "widget-sweep: package 260.0 MiB > Lambda's 250 MiB",
    ]
    assert next(line for line in lines if line.startswith("widget ")).endswith("OVER")


def test_a_function_missing_from_the_assembly_fails():
    _, failures = check(_points(), {"widget": MIB}, 0.5, {"widget": 1.0, "widget-sweep": 1.0},
                        {p.name: Budget(100, 2) for p in _points()})
    assert failures == [
        "widget-sweep: not in the cloud assembly (no function with POWERTOOLS_SERVICE_NAME=widget-sweep)"]


def test_the_cold_import_budget_catches_the_geocoder_at_import(tmp_path):
    """Measured as make synth measures: an app that imports phonenumbers' geocoder at
    module level is over the budget; one that imports boto3 alone costs about one boto3."""
    functions = tmp_path / "functions"
    for name, body in (("geo", "from phonenumbers import geocoder\napp = object()\n"),
                       ("plain", "import boto3\napp = object()\n")):
        (functions / name).mkdir(parents=True)
        (functions / name / "app.py").write_text(body)
    points = [EntryPoint(name, FunctionSpec(name=name, description="", tables={}), "app.app")
              for name in ("geo", "plain")]
    reference, ratios = cold_imports(points, repeats=1, functions_dir=functions)
    assert reference > 0
    assert ratios["geo"] > BUDGETS["widget"].cold_import
    assert ratios["plain"] < 1.5


def test_no_function_loads_the_geocoder_until_a_call_asks_where_a_phone_is():
    """Each handler's module, imported as Lambda does; then the geocoder answers as before."""
    modules = sorted({(p.spec.name, p.module) for p in entry_points()})
    script = textwrap.dedent(f"""
        import importlib, sys
        for name, module in {modules!r}:
            sys.path[:0] = [{str(FUNCTIONS_DIR)!r} + "/" + name, {str(FUNCTIONS_DIR)!r}]
            importlib.import_module(module)
            assert "phonenumbers.geocoder" not in sys.modules, (name, module)
            sys.path[:2] = []
            for loaded in [m for m in sys.modules if m == module or m.startswith(module + ".")]:
                del sys.modules[loaded]
        from ringback.calls.inbound import caller_region
        from ringback.tracking.regions import phone_place
        assert caller_region("+14155550100") == "San Francisco, CA"
        assert phone_place("+14155550100").subdivision == "CA"
        assert "phonenumbers.geocoder" in sys.modules
    """)
    result = subprocess.run([sys.executable, "-P", "-c", script], capture_output=True, text=True, timeout=300,
                            check=False, env={"PATH": "/usr/bin:/bin", "AWS_REGION": "us-east-1",
                                              "POWERTOOLS_TRACE_DISABLED": "true"})
    assert result.returncode == 0, result.stderr[-3000:]
