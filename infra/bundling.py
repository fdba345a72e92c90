"""How function code and the dependency layer are built, on this machine, without Docker.

CDK calls `try_bundle(output_dir, options)` when it stages an asset. Both bundlers here
return True, so the Docker image named in `BundlingOptions` is a fallback that never runs.

The infra tests skip bundling through the context key `aws:cdk:bundling-stacks = []`.
Each asset's hash is the bundler's `fingerprint()` of its inputs either way, so a
template synthesized without bundling names the same assets as one built for deploy.
"""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import jsii
from aws_cdk import BundlingOptions, DockerImage, ILocalBundling

from infra.catalog import FUNCTIONS_DIR, REPO, SHARED_PACKAGE

# Build leftovers that must never reach a Lambda package: bytecode compiled for the
# developer's interpreter (not the Lambda runtime's) and setuptools' metadata.
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".pytest_cache")


def runtime_dependencies(pyproject: Path = REPO / "pyproject.toml") -> list[str]:
    """The requirement strings the functions ship: [project].dependencies, nothing else."""
    with pyproject.open("rb") as handle:
        return list(tomllib.load(handle)["project"]["dependencies"])


def optional_dependencies(group: str, pyproject: Path = REPO / "pyproject.toml") -> list[str]:
    """One [project.optional-dependencies] group, e.g. "analytics", shipped as its own layer."""
    with pyproject.open("rb") as handle:
        groups = tomllib.load(handle)["project"].get("optional-dependencies", {})
    if group not in groups:
        raise KeyError(f"pyproject.toml has no optional-dependencies group {group!r} (known: {sorted(groups)})")
    return list(groups[group])


# Parts of a layer's packages that Ringback never loads, removed after pip installs them
# (globs under the layer's python/ folder), per optional-dependencies group.
#
# Why for pyarrow: Lambda allows 250 MiB (262 MB) unzipped for a function and all its
# layers. The shared layer is ~89 MB (WITHOUT_DEPENDENCIES, compact_geodata) and pyarrow 26's
# aarch64 wheel ~157 MB: 246 MB together, with no room for the function's growth. Arrow
# Flight (an RPC framework; libarrow_flight alone is ~29 MB), the C++ test module, the C++
# headers and sources and Cython declarations for building extensions, and the test suite
# come to ~41 MB; nothing else in the wheel links against them (readelf -d: only _flight
# and libarrow_python_flight need libarrow_flight), so `pyarrow`, `.parquet`, `.dataset`,
# `.compute` and `.fs` load as before and the pair is ~204 MB.
# tests/infra/test_bundling.py builds the layer, checks the sum stays under the limit,
# and writes and reads Parquet with the pruned package.
PRUNE: dict[str, tuple[str, ...]] = {
    "analytics": (
        "pyarrow/libarrow_flight.so*",
        "pyarrow/libarrow_python_flight.so*",
        "pyarrow/_flight.*",
        "pyarrow/flight.py",
        "pyarrow/_pyarrow_cpp_tests.*",
        "pyarrow/include",
        "pyarrow/includes",
        "pyarrow/src",
        "pyarrow/tests",
        "pyarrow/**/*.pyx",
        "pyarrow/**/*.pxd",
        "pyarrow/**/*.pxi",
    ),
}

# Packages installed without the dependencies they declare, each with the ones its code
# imports when a function runs: the rest serve tools Lambda never starts. Their
# requirement strings are the packages' own (their wheels' Requires-Dist).
# - chalice: a function imports chalice/app.py alone (the standard library only); click,
#   inquirer (and its terminal libraries), pip, setuptools, wheel, pyyaml and six are its
#   CLI's and packager's.
# - twilio: the REST client and RequestValidator run on requests (and PyJWT for access
#   tokens); aiohttp and aiohttp-retry serve only AsyncTwilioHttpClient, which Ringback
#   never makes.
# tests/infra/test_bundling.py builds the layer for this machine and, with nothing else
# on the path, imports every function, answers a Chalice route and drives twilio's
# RequestValidator and REST client.
WITHOUT_DEPENDENCIES: dict[str, tuple[str, ...]] = {
    "chalice": (),
    "twilio": ("requests>=2.0.0", "PyJWT>=2.0.0,<3.0.0"),
}

# Never loaded in any layer: console scripts (their first line names the interpreter
# that ran pip, not Lambda's).
ALWAYS_PRUNED = ("bin",)

# phonenumbers' geocoder data is 19 MB of generated Python (geodata/data*.py: one dict
# literal of 287,000 prefixes). A layer has no bytecode for it (--no-compile: none pip
# could make would be for Lambda's Python) and /opt is read-only, so the first call in
# each container that asks where a phone is registered compiled all of it: ~8 s of CPU
# here, a Twilio voice webhook timing out in Lambda. The layer gets the same dict as one
# JSON file instead, which loads in ~0.3 s of CPU, behind the same module and names
# (GEOCODE_DATA, GEOCODE_LONGEST_PREFIX), so phonenumbers' geocoder code runs unchanged.
GEODATA = Path("phonenumbers") / "geodata"
_GEODATA_EXPORT = """
import json, sys
sys.path[:0] = [{site!r}]
from phonenumbers import geodata
with open({target!r}, "w", encoding="utf-8") as out:
    json.dump(geodata.GEOCODE_DATA, out, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
print(geodata.GEOCODE_LONGEST_PREFIX)
"""
_GEODATA_MODULE = '''"""Per-prefix data, mapping each prefix to a dict of locale:name.

Ringback's layer build (infra/bundling.py) replaced the generated data modules with the
same dict in geodata.json: it loads without compiling 19 MB of Python at a cold start.
"""
import json as _json
import os as _os

with open(_os.path.join(_os.path.dirname(__file__), "geodata.json"), encoding="utf-8") as _file:
    GEOCODE_DATA = _json.load(_file)
GEOCODE_LONGEST_PREFIX = {longest}
'''


def compact_geodata(site: Path) -> bool:
    """Replace phonenumbers' generated geodata modules in `site` with geodata.json (see
    GEODATA); False if the layer has no phonenumbers. The package is pure Python, so this
    machine's interpreter reads it whatever platform the layer is for."""
    package = site / GEODATA
    if not (package / "__init__.py").is_file():
        return False
    target = package / "geodata.json"
    # -S: the layer's phonenumbers, not the one installed beside this interpreter; -B: and
    # no bytecode of this interpreter's left in the layer.
    export = _GEODATA_EXPORT.format(site=str(site), target=str(target))
    result = subprocess.run([sys.executable, "-S", "-B", "-c", export], check=True, capture_output=True, text=True)
    longest = int(result.stdout.strip())
    for module in package.glob("data*.py"):
        module.unlink()
    (package / "__init__.py").write_text(_GEODATA_MODULE.format(longest=longest), encoding="utf-8")
    return True


def requirement_name(requirement: str) -> str:
    """The normalized project name of a requirement string ("Twilio==9" -> "twilio")."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if match is None:
        raise ValueError(f"not a requirement: {requirement!r}")
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def _files(root: Path) -> Iterable[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and not any(
            part == "__pycache__" or part.endswith(".egg-info") for part in path.parts
        ) and path.suffix != ".pyc":
            yield path


def tree_fingerprint(*roots: Path) -> str:
    """A content hash of the files a bundle is built from, ignoring build leftovers."""
    digest = hashlib.sha256()
    for root in roots:
        for path in _files(root):
            digest.update(str(path.relative_to(root.parent)).encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


@jsii.implements(ILocalBundling)
class FunctionCodeBundler:
    """Lays out one function as Lambda runs it: its app.py at the top, the shared
    `ringback` package beside it (the same layout `catalog.load_app` imports)."""

    def __init__(self, name: str, functions_dir: Path = FUNCTIONS_DIR) -> None:
        self.folder = functions_dir / name
        self.shared = functions_dir / SHARED_PACKAGE.name
        if not (self.folder / "app.py").is_file():
            raise FileNotFoundError(f"function '{name}' has no {self.folder / 'app.py'}")

    def fingerprint(self) -> str:
        return tree_fingerprint(self.folder, self.shared)

    def try_bundle(self, output_dir: str, options: object = None, **_: object) -> bool:
        out = Path(output_dir)
        shutil.copytree(self.folder, out, ignore=_IGNORED, dirs_exist_ok=True)
        shutil.copytree(self.shared, out / self.shared.name, ignore=_IGNORED, dirs_exist_ok=True)
        return True


@jsii.implements(ILocalBundling)
class DependencyLayerBundler:
    """Installs the runtime dependencies into `python/` (where Lambda puts a layer on
    sys.path) as wheels built for the Lambda platform, whatever this machine is, then
    removes the `prune` globs (parts of those packages that are never loaded).

    A requirement named in `without_dependencies` is installed with --no-deps in a second
    pip run, after the first has resolved everything else together with the dependencies
    that package is listed with."""

    def __init__(
        self,
        requirements: Sequence[str],
        *,
        python_version: str,
        architecture: str,
        prune: Sequence[str] = (),
        without_dependencies: Mapping[str, Sequence[str]] = WITHOUT_DEPENDENCIES,
    ) -> None:
        self.requirements = list(requirements)
        self.prune = tuple(prune)
        self.without_dependencies = [r for r in self.requirements if requirement_name(r) in without_dependencies]
        # What pip resolves: the rest, and what the packages installed alone need.
        self.resolved = [r for r in self.requirements if r not in self.without_dependencies]
        for requirement in self.without_dependencies:
            self.resolved += [d for d in without_dependencies[requirement_name(requirement)] if d not in self.resolved]
        self.python_version = python_version
        # Lambda's Amazon Linux 2023 images have glibc 2.34, so wheels for manylinux2014
        # (glibc 2.17) and the newer manylinux_2_28 tag both load.
        self.platforms = [f"manylinux2014_{architecture}", f"manylinux_2_28_{architecture}"]

    def fingerprint(self) -> str:
        spec = "\n".join([self.python_version, *self.platforms, *sorted(self.requirements)])
        if self.prune:
            spec += "\nprune:\n" + "\n".join(self.prune)
        if self.without_dependencies:
            spec += "\nresolved:\n" + "\n".join(sorted(self.resolved))
        spec += "\nalways pruned:\n" + "\n".join(ALWAYS_PRUNED) + "\ngeodata: json"
        return hashlib.sha256(spec.encode()).hexdigest()

    def pip_commands(self, output_dir: str) -> list[list[str]]:
        commands = [self.pip_command(output_dir, self.resolved)]
        if self.without_dependencies:
            commands.append(self.pip_command(output_dir, ["--no-deps", *self.without_dependencies]))
        return commands

    def pip_command(self, output_dir: str, requirements: Sequence[str]) -> list[str]:
        platforms = [arg for platform in self.platforms for arg in ("--platform", platform)]
        return [
            sys.executable, "-m", "pip", "install",
            "--quiet", "--disable-pip-version-check",
            "--target", str(Path(output_dir) / "python"),
            *platforms,
            "--implementation", "cp",
            "--python-version", self.python_version,
            # Source distributions would compile for this machine, not for Lambda.
            "--only-binary=:all:",
            # pip would compile .pyc files for the interpreter running pip, which the
            # Lambda runtime ignores; they only add size.
            "--no-compile",
            *requirements,
        ]

    def try_bundle(self, output_dir: str, options: object = None, **_: object) -> bool:
        for command in self.pip_commands(output_dir):
            subprocess.run(command, check=True)
            # After each run: the next would find the first's bin/ and warn that it keeps it.
            self.remove_pruned(Path(output_dir) / "python")
        compact_geodata(Path(output_dir) / "python")
        return True

    def remove_pruned(self, site: Path) -> None:
        for pattern in (*ALWAYS_PRUNED, *self.prune):
            # Sorted in reverse so a folder's files go before the folder itself.
            for path in sorted(site.glob(pattern), reverse=True):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                elif path.exists() or path.is_symlink():
                    path.unlink()


def bundling_options(local: FunctionCodeBundler | DependencyLayerBundler, image: DockerImage) -> BundlingOptions:
    """`image` is required by CDK's API; it is only used if the local bundler declines."""
    return BundlingOptions(image=image, local=local)
