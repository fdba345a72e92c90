"""How function code and the dependency layer are built, on this machine, without Docker.

CDK calls `try_bundle(output_dir, options)` when it stages an asset. Both bundlers here
return True, so the Docker image named in `BundlingOptions` is a fallback that never runs.

The infra tests skip bundling through the context key `aws:cdk:bundling-stacks = []`.
Each asset's hash is the bundler's `fingerprint()` of its inputs either way, so a
template synthesized without bundling names the same assets as one built for deploy.
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Iterable, Sequence

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
# Why for pyarrow: Lambda allows 250 MiB unzipped for a function and all its layers. The
# shared layer is ~112 MB and pyarrow 26's aarch64 wheel ~157 MB: 269 MB together. Arrow
# Flight (an RPC framework; libarrow_flight alone is ~29 MB), the C++ test module, the C++
# headers and sources and Cython declarations for building extensions, and the test suite
# come to ~41 MB; nothing else in the wheel links against them (readelf -d: only _flight
# and libarrow_python_flight need libarrow_flight), so `pyarrow`, `.parquet`, `.dataset`,
# `.compute` and `.fs` load as before and the pair is ~227 MB.
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
    removes the `prune` globs (parts of those packages that are never loaded)."""

    def __init__(
        self,
        requirements: Sequence[str],
        *,
        python_version: str,
        architecture: str,
        prune: Sequence[str] = (),
    ) -> None:
        self.requirements = list(requirements)
        self.prune = tuple(prune)
        self.python_version = python_version
        # Lambda's Amazon Linux 2023 images have glibc 2.34, so wheels for manylinux2014
        # (glibc 2.17) and the newer manylinux_2_28 tag both load.
        self.platforms = [f"manylinux2014_{architecture}", f"manylinux_2_28_{architecture}"]

    def fingerprint(self) -> str:
        spec = "\n".join([self.python_version, *self.platforms, *sorted(self.requirements)])
        if self.prune:
            # Only when set, so a layer without pruning keeps the hash it always had.
            spec += "\nprune:\n" + "\n".join(self.prune)
        return hashlib.sha256(spec.encode()).hexdigest()

    def pip_command(self, output_dir: str) -> list[str]:
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
            *self.requirements,
        ]

    def try_bundle(self, output_dir: str, options: object = None, **_: object) -> bool:
        subprocess.run(self.pip_command(output_dir), check=True)
        self.remove_pruned(Path(output_dir) / "python")
        return True

    def remove_pruned(self, site: Path) -> None:
        for pattern in self.prune:
            # Sorted in reverse so a folder's files go before the folder itself.
            for path in sorted(site.glob(pattern), reverse=True):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                elif path.exists() or path.is_symlink():
                    path.unlink()


def bundling_options(local: FunctionCodeBundler | DependencyLayerBundler, image: DockerImage) -> BundlingOptions:
    """`image` is required by CDK's API; it is only used if the local bundler declines."""
    return BundlingOptions(image=image, local=local)
