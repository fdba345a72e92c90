"""The written contract and the functions' routes are the same set."""
from pathlib import Path

import yaml

from infra.catalog import FUNCTIONS, load_app

DOC = yaml.safe_load((Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml").read_text())


def routes():
    for spec in FUNCTIONS:
        for path, methods in load_app(spec.name).routes.items():
            for method, entry in methods.items():
                yield spec.name, path, method.lower(), entry


def test_every_route_is_documented_with_its_function_and_security():
    for function, path, method, entry in routes():
        operation = DOC["paths"].get(path, {}).get(method)
        assert operation is not None, f"{method.upper()} {path} ({function}) is missing from docs/openapi.yaml"
        assert operation["x-function"] == function
        assert bool(operation.get("security")) == (entry.authorizer is not None), f"{path}: security drifted"


def test_every_documented_operation_exists():
    served = {(path, method) for _, path, method, _ in routes()}
    for path, operations in DOC["paths"].items():
        for method in operations:
            assert (path, method) in served, f"{method.upper()} {path} is documented but no function serves it"
