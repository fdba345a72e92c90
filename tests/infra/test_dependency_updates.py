"""Every npm project is installed from a committed lockfile with `npm ci`, and every
manifest is watched for updates (.github/dependabot.yml)."""
from __future__ import annotations

import json
import os
from pathlib import Path

import yaml

from infra.catalog import REPO

KINDS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")


def _npm_projects() -> list[Path]:
    projects = []
    for folder, subfolders, files in os.walk(REPO):
        # Installed packages (node_modules, the venv) are not ours.
        subfolders[:] = [name for name in subfolders if name != "node_modules" and not name.startswith(".")]
        if "package.json" in files:
            projects.append(Path(folder))
    return sorted(projects)


def _watched() -> set[tuple[str, str]]:
    config = yaml.safe_load((REPO / ".github" / "dependabot.yml").read_text())
    return {(update["package-ecosystem"], update["directory"].rstrip("/") or "/") for update in config["updates"]}


def test_each_npm_project_has_a_lockfile_that_npm_ci_accepts():
    projects = _npm_projects()
    assert REPO in projects and REPO / "frontend" / "dashboard" in projects
    for project in projects:
        manifest = json.loads((project / "package.json").read_text())
        lock = json.loads((project / "package-lock.json").read_text())
        # npm ci refuses a lockfile whose root no longer matches package.json.
        root = lock["packages"][""]
        for kind in KINDS:
            assert root.get(kind, {}) == manifest.get(kind, {}), (project, kind)


def test_every_manifest_is_watched_for_updates():
    watched = _watched()
    assert ("pip", "/") in watched  # pyproject.toml: the layers' runtime and the toolchain
    for project in _npm_projects():
        directory = "/" + project.relative_to(REPO).as_posix().removeprefix(".")
        assert ("npm", directory) in watched, project
