"""Posting to customers' endpoints (outgoing webhooks), only to public addresses.

Every POST resolves the host, refuses it if any address it resolves to is not one we may
reach (ringback.url_guard: loopback, private, link-local, metadata), then connects to the
address it checked, with the URL's host in the Host header and as the TLS server name, so
the certificate is still the host's. Connecting by name instead would resolve it a second
time, and a DNS answer that changed in between (rebinding) would reach what the check
refused. Redirects are not followed: a 3xx is an answer like any other non-2xx.
"""
from __future__ import annotations

import http.client
import socket
import ssl
from typing import Callable
from urllib.parse import urlsplit

from ringback.errors import InvalidInput
from ringback.url_guard import address_refusal, check_url

TIMEOUT_SECONDS = 10
USER_AGENT = "Ringback-Webhooks/1"
# What is read of an answer: receivers are asked for a status, not a body.
MAX_ANSWER_BYTES = 64 * 1024

Post = Callable[[str, bytes, dict[str, str]], int]
Resolve = Callable[[str, int], list[str]]


class RefusedDestination(OSError):
    """The URL, or an address its host resolves to, is one we do not send webhooks to."""


def resolve(host: str, port: int) -> list[str]:
    """Every address of the host, in the resolver's order."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in found))


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address, self._tls = address, context

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


def poster(allow_local: bool = False, timeout: float = TIMEOUT_SECONDS, resolver: Resolve = resolve) -> Post:
    """POST(url, body, headers) -> HTTP status; OSError when no answer came (refused,
    unreachable, timed out). `allow_local`: the local stack's receivers on 127.0.0.1."""
    tls = ssl.create_default_context()

    def post(url: str, body: bytes, headers: dict[str, str]) -> int:
        try:
            check_url(url, allow_local)
        except InvalidInput as refused:
            raise RefusedDestination(refused.message) from None
        parts = urlsplit(url)
        host, https = parts.hostname or "", parts.scheme == "https"
        port = parts.port or (443 if https else 80)
        try:
            addresses = resolver(host, port)
        except (OSError, UnicodeError) as error:
            raise OSError(f"{host} does not resolve: {error}") from None
        if not addresses:
            raise OSError(f"{host} does not resolve")
        for address in addresses:
            reason = address_refusal(address, allow_local)
            if reason:
                raise RefusedDestination(f"{host} resolves to a {reason} address; webhooks go to public hosts only")
        connection = (_PinnedHTTPS(host, port, addresses[0], timeout, tls) if https
                      else _PinnedHTTP(host, port, addresses[0], timeout))
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("POST", path, body=body, headers={**headers, "User-Agent": USER_AGENT})
            response = connection.getresponse()
            response.read(MAX_ANSWER_BYTES)
            return response.status
        except (http.client.HTTPException, ValueError) as error:
            # Not an OSError, but as much a failed delivery: no valid answer came.
            raise OSError(f"no valid answer from {host}: {error.__class__.__name__}") from None
        finally:
            connection.close()

    return post
