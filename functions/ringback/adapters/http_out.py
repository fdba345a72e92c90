"""Posting to customers' endpoints (outgoing webhooks)."""
from __future__ import annotations

import urllib.error
import urllib.request

TIMEOUT_SECONDS = 10


def post_json(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers={**headers, "User-Agent": "Ringback-Webhooks/1"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
