"""The bundlers build what Lambda runs: a function's app.py beside the shared package,
and a layer of Linux wheels for the Lambda runtime's Python."""
from __future__ import annotations

import json
import platform
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from infra.budgets import BUDGETS, entry_points
from infra.bundling import (
    GEODATA,
    PRUNE,
    DependencyLayerBundler,
    FunctionCodeBundler,
    optional_dependencies,
    requirement_name,
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
    assert all(command[:3] == [sys.executable, "-m", "pip"] for command in bundler.pip_commands(str(out)))
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
    assert extensions, "cffi and wrapt bring compiled extensions"
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
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr


# --- the shared layer without Chalice's CLI and aiohttp (WITHOUT_DEPENDENCIES) ---------

# What Chalice's CLI and packager and twilio's async client pull in, none of it imported
# by a function, and the console scripts (ALWAYS_PRUNED).
NEVER_LOADED = ("aiohttp", "aiohttp_retry", "yarl", "multidict", "frozenlist", "aiosignal", "aiohappyeyeballs",
                "click", "inquirer", "blessed", "readchar", "editor", "yaml", "pip", "setuptools", "wheel", "bin")


def test_chalice_and_twilio_are_installed_alone_after_what_they_run_on():
    bundler = DependencyLayerBundler(runtime_dependencies(), python_version="3.14", architecture="aarch64")
    resolved, alone = bundler.pip_commands("out")
    pinned = {requirement_name(r): r for r in runtime_dependencies()}
    assert alone[-3:] == ["--no-deps", pinned["chalice"], pinned["twilio"]]
    assert pinned["chalice"] not in resolved and pinned["twilio"] not in resolved
    assert "requests>=2.0.0" in resolved and pinned["boto3"] in resolved
    # A layer without such packages (analytics) is one pip run, as before.
    assert len(DependencyLayerBundler(["pyarrow==1"], python_version="3.14", architecture="aarch64")
               .pip_commands("out")) == 1


def test_shared_layer_leaves_out_chalices_cli_and_aiohttp(shared_layer):
    present = [name for name in NEVER_LOADED if (shared_layer / name).exists()]
    assert not present, present
    for package in ("chalice", "twilio", "requests", "jwt", "cryptography"):
        assert (shared_layer / package / "__init__.py").is_file(), package
    budget = BUDGETS["widget"].package_mib
    assert _size(shared_layer) / 2**20 < budget, f"{_size(shared_layer) / 2**20:.1f} MiB, budget {budget} MiB"


@pytest.fixture(scope="module")
def local_shared_layer(tmp_path_factory) -> Path:
    """The same layer for this machine's CPU and Python, so that it can be run here."""
    machine = {"x86_64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}.get(platform.machine())
    if machine is None:
        pytest.skip(f"no manylinux wheels for {platform.machine()}")
    out = tmp_path_factory.mktemp("local-shared-layer")
    bundler = DependencyLayerBundler(runtime_dependencies(), architecture=machine,
                                     python_version=f"{sys.version_info.major}.{sys.version_info.minor}")
    assert bundler.try_bundle(str(out))
    return out / "python"


# What each function does with the layer's packages beyond importing them, run in the
# child below: Chalice answering a route as Lambda invokes it, twilio signing and
# checking a webhook and its REST client sending a text to a local server, and PyJWT
# verifying an RS256 token (the authorizer's Cognito tokens) with cryptography.
EXERCISES = {
    "widget": """
        event = {"resource": "/health", "path": "/health", "httpMethod": "GET", "headers": {"host": "x"},
                 "multiValueHeaders": {"host": ["x"]}, "queryStringParameters": None,
                 "multiValueQueryStringParameters": None, "pathParameters": None, "stageVariables": None,
                 "requestContext": {"resourcePath": "/health", "httpMethod": "GET", "stage": "prod",
                                    "identity": {"sourceIp": "203.0.113.9"}},
                 "body": None, "isBase64Encoded": False}
        answer = module.app(event, None)
        assert answer["statusCode"] == 200 and json.loads(answer["body"]) == {"status": "ok", "stage": "prod"}, answer
    """,
    "dialer": """
        from http.server import BaseHTTPRequestHandler, HTTPServer
        from twilio.request_validator import RequestValidator
        from twilio.rest import Client

        validator = RequestValidator("token")
        params = {"CallSid": "CA1", "From": "+14155550100"}
        signature = validator.compute_signature("https://x/v1/voice", params)
        assert validator.validate("https://x/v1/voice", params, signature)
        assert not validator.validate("https://x/v1/voice", {**params, "From": "+1"}, signature)

        seen = {}
        class Carrier(BaseHTTPRequestHandler):
            def do_POST(self):
                seen["path"], seen["auth"] = self.path, self.headers["Authorization"]
                seen["body"] = self.rfile.read(int(self.headers["Content-Length"])).decode()
                body = json.dumps({"sid": "SM1", "status": "queued", "to": "+14155550100"}).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        server = HTTPServer(("127.0.0.1", 0), Carrier)
        threading.Thread(target=server.handle_request, daemon=True).start()
        client = Client("AC" + "0" * 32, "token")
        client.api.base_url = f"http://127.0.0.1:{server.server_port}"
        message = client.messages.create(to="+14155550100", from_="+14155550199", body="Missed call")
        assert message.sid == "SM1" and seen["path"].endswith("/Messages.json"), seen
        assert seen["auth"].startswith("Basic ") and "Body=Missed+call" in seen["body"], seen
    """,
    "pool": """
        import jwt
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        token = jwt.encode({"sub": "u1", "aud": "client"}, key, algorithm="RS256")
        assert jwt.decode(token, key.public_key(), algorithms=["RS256"], audience="client")["sub"] == "u1"
    """,
    "reports": "",
}


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_every_function_runs_on_the_pruned_layer_alone(local_shared_layer, name):
    """Like Lambda: the function's folder and the shared package, the layer, the standard
    library, and nothing else (-S: not this venv's site-packages)."""
    # Every handler of the function and its workers ("app.app", "app.authorize", ...).
    handlers = [point.handler for point in entry_points() if point.spec.name == name]
    folder = FUNCTIONS_DIR / name
    script = textwrap.dedent("""
        import importlib, importlib.util, json, sys, threading
        sys.path[:0] = [{layer!r}, {folder!r}, {functions!r}]
        for handler in {handlers!r}:
            module_name, attribute = handler.rsplit(".", 1)
            assert callable(getattr(importlib.import_module(module_name), attribute)), handler
        module = importlib.import_module("app")
    """).format(layer=str(local_shared_layer), folder=str(folder), functions=str(FUNCTIONS_DIR), handlers=handlers)
    script += textwrap.dedent(EXERCISES[name]) + textwrap.dedent(f"""
        roots = ({str(local_shared_layer)!r}, {str(FUNCTIONS_DIR)!r}, sys.base_prefix)
        outside = sorted(name for name, m in list(sys.modules.items())
                         if getattr(m, "__file__", None) and not m.__file__.startswith(roots))
        assert not outside, outside
        assert importlib.util.find_spec("aiohttp") is None
    """)
    environment = {"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1", "AWS_REGION": "us-east-1",
                   "AWS_LAMBDA_FUNCTION_NAME": name, "POWERTOOLS_TRACE_DISABLED": "true",
                   "RINGBACK_STAGE": "prod", "RINGBACK_TABLE_PREFIX": "ringback-prod-",
                   "RINGBACK_PUBLIC_BASE_URL": "https://ringback.example"}
    result = subprocess.run([sys.executable, "-S", "-P", "-c", script], env=environment, capture_output=True,
                            text=True, cwd=str(folder.parent.parent), timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-4000:]


# The geocoder the layer ships (compact_geodata), against phonenumbers' own, both loaded
# as at a cold start in Lambda: no bytecode to read, none written.
GEOCODER_PROBE = """
import hashlib, json, sys, tempfile
sys.path[:0] = {paths!r}
import phonenumbers
from phonenumbers import geocoder, geodata
numbers = ["+14155550100", "+12125550100", "+442083612345", "+4989123456", "+41431234567", "+74951234567",
           "+33142685300", "+861062345678", "+5511987654321", "+15145550100", "+96171234567"]
print(json.dumps({{
    "file": geodata.__file__, "longest": geodata.GEOCODE_LONGEST_PREFIX,
    "digest": hashlib.sha256(json.dumps(geodata.GEOCODE_DATA, sort_keys=True).encode()).hexdigest(),
    "answers": [geocoder.description_for_number(phonenumbers.parse(n, None), lang)
                for n in numbers for lang in ("en", "de", "fr", "zh", "ru")],
}}))
"""


def _probe(tmp_path, *flags: str, paths: list[str]) -> dict:
    environment = {"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1",
                   "PYTHONPYCACHEPREFIX": str(tmp_path / f"no-bytecode-{len(flags)}")}
    result = subprocess.run([sys.executable, *flags, "-c", GEOCODER_PROBE.format(paths=paths)], env=environment,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_the_layers_geocoder_answers_as_phonenumbers_own_without_compiling_its_data(local_shared_layer, tmp_path):
    assert not list((local_shared_layer / GEODATA).glob("data*.py"))
    layer = _probe(tmp_path, "-S", paths=[str(local_shared_layer)])
    own = _probe(tmp_path, paths=[])  # this venv's phonenumbers, its generated modules compiled
    assert layer["file"].startswith(str(local_shared_layer)) and not own["file"].startswith(str(local_shared_layer))
    assert (layer["digest"], layer["longest"], layer["answers"]) == (own["digest"], own["longest"], own["answers"])
    assert "San Francisco, CA" in layer["answers"] and "München" in layer["answers"]
