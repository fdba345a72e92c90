"""The frontend bucket, locally: files under a folder, served as the distribution's S3
origin serves them."""
from __future__ import annotations

import mimetypes
from http import HTTPStatus
from pathlib import Path
from urllib.parse import unquote, urlsplit

from devstack.http_server import Handler, json_answer
from ringback.adapters.web import error_body


class StaticFiles:
    """Files under a folder, with optional {{NAME}} substitution in HTML (the demo site
    needs the local API's address and the demo site's key), and files the stack writes
    (the dashboard's config.json, which the deploy writes in AWS)."""

    def __init__(self, root: Path, substitutions: dict[str, str] | None = None,
                 generated: dict[str, bytes] | None = None) -> None:
        self._root = root.resolve()
        self._substitutions = substitutions or {}
        self._generated = generated or {}

    def get(self, path: str):
        relative = unquote(urlsplit(path).path).lstrip("/")
        if relative in self._generated:
            return 200, {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-cache"}, \
                self._generated[relative]
        target = (self._root / relative).resolve()
        if self._root not in target.parents and target != self._root:
            return json_answer(HTTPStatus.NOT_FOUND, error_body("not_found", "no such file", None))
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            return json_answer(HTTPStatus.NOT_FOUND, error_body("not_found", "no such file", None))
        content = target.read_bytes()
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if content_type == "text/html" and self._substitutions:
            text = content.decode()
            for name, value in self._substitutions.items():
                text = text.replace("{{" + name + "}}", value)
            content = text.encode()
        if content_type.startswith("text/") or content_type == "application/javascript":
            content_type += "; charset=utf-8"
        return 200, {"Content-Type": content_type, "Cache-Control": "no-cache"}, content


def static_handler(files: StaticFiles) -> Handler:
    def handle(method, path, headers, body, client_ip):
        return files.get(path)

    return handle
