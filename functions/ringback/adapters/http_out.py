"""Requests to customers' hosts, only to public addresses: posting webhooks to their
endpoints, and reading a page of their site for the install check.

Every request resolves the host, refuses it if any address it resolves to is not one we may
reach (ringback.url_guard: loopback, private, link-local, metadata), then connects to the
address it checked, with the URL's host in the Host header and as the TLS server name, so
the certificate is still the host's. Connecting by name instead would resolve it a second
time, and a DNS answer that changed in between (rebinding) would reach what the check
refused. A webhook follows no redirect: a 3xx is an answer like any other non-2xx. A page
follows at most three, each a new URL checked from the start (a public page may redirect
to 169.254.169.254).
"""
from __future__ import annotations

import http.client
import socket
import ssl
import time
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

from ringback.accounts.install_check import MAX_PAGE_BYTES, MAX_REDIRECTS, FetchedPage, PageRefused, PageUnreachable

# RefusedDestination lives with the guard, so the domain can tell a refusal apart (calls/deliveries.py).
from ringback.url_guard import PAGE, WEBHOOK, Purpose, RefusedDestination, address_refusal, url_refusal

TIMEOUT_SECONDS = 10
USER_AGENT = "Ringback-Webhooks/1"
# What is read of an answer: receivers are asked for a status, not a body.
MAX_ANSWER_BYTES = 64 * 1024

Post = Callable[[str, bytes, dict[str, str]], int]
Resolve = Callable[[str, int], list[str]]


def resolve(host: str, port: int) -> list[str]:
    """Every address of the host, in the resolver's order."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in found))  # sockaddr: (address, port, ...)


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


def _connection(url: str, allow_local: bool, purpose: Purpose, timeout: float, tls: ssl.SSLContext,
                resolver: Resolve) -> tuple[http.client.HTTPConnection, str]:
    """A connection pinned to an address of the URL's host that the guard accepts, and the
    path to ask for; RefusedDestination when the URL or any address of its host is refused."""
    why = url_refusal(url, allow_local, purpose)
    if why is not None:
        raise RefusedDestination(f"this {purpose.what} cannot be used: {why}", why)
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
            why = f"{host} resolves to a {reason} address"
            raise RefusedDestination(f"{why}; we reach public hosts only", why)
    connection = (_PinnedHTTPS(host, port, addresses[0], timeout, tls) if https
                  else _PinnedHTTP(host, port, addresses[0], timeout))
    return connection, (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def poster(allow_local: bool = False, timeout: float = TIMEOUT_SECONDS, resolver: Resolve = resolve) -> Post:
    """POST(url, body, headers) -> HTTP status; OSError when no answer came (refused,
    unreachable, timed out). `allow_local`: the local stack's receivers on 127.0.0.1."""
    tls = ssl.create_default_context()

    def post(url: str, body: bytes, headers: dict[str, str]) -> int:
        connection, path = _connection(url, allow_local, WEBHOOK, timeout, tls, resolver)
        host = connection.host
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


PAGE_AGENT = "Ringback-InstallCheck/1"
# The whole check, redirects included, answers well within the API's 29 s and the
# management function's 15 s timeout; each connect and read gets what is left of it.
PAGE_SECONDS = 10.0
_REDIRECTS = (301, 302, 303, 307, 308)


def page_fetcher(allow_local: bool = False, seconds: float = PAGE_SECONDS, max_bytes: int = MAX_PAGE_BYTES,
                 resolver: Resolve = resolve) -> Callable[[str], FetchedPage]:
    """GET(url) -> FetchedPage, the install check's PageFetcher: at most `max_bytes` of
    the page, at most MAX_REDIRECTS redirects, each new URL refused or allowed by the guard
    as the first was. PageRefused names where we would not go; PageUnreachable why no
    page came."""
    tls = ssl.create_default_context()

    def fetch(url: str) -> FetchedPage:
        deadline = time.monotonic() + seconds
        current = url
        for hop in range(MAX_REDIRECTS + 1):
            left = deadline - time.monotonic()
            if left <= 0:
                raise PageUnreachable(f"no answer within {seconds:.0f} seconds")
            try:
                connection, path = _connection(current, allow_local, PAGE, left, tls, resolver)
            except RefusedDestination as refused:
                raise PageRefused(current, refused.reason, redirected=hop > 0) from None
            except OSError as error:
                raise PageUnreachable(str(error)) from None
            try:
                connection.request("GET", path, headers={
                    "User-Agent": PAGE_AGENT, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"})
                response = connection.getresponse()
                location = response.getheader("Location")
                if response.status in _REDIRECTS and location:
                    current = urljoin(current, location.strip())
                    continue
                body = _read(response, max_bytes + 1, deadline)
                return FetchedPage(current, response.status, response.getheader("Content-Type") or "",
                                   body[:max_bytes], truncated=len(body) > max_bytes)
            except TimeoutError:
                raise PageUnreachable(f"{connection.host} did not answer within {seconds:.0f} seconds") from None
            except ConnectionRefusedError:
                raise PageUnreachable(f"{connection.host} refused the connection") from None
            except ssl.SSLError as error:
                raise PageUnreachable(f"the TLS connection to {connection.host} failed ({error.reason})") from None
            except (OSError, http.client.HTTPException, ValueError) as error:
                raise PageUnreachable(f"no valid answer from {connection.host} ({error.__class__.__name__})") from None
            finally:
                connection.close()
        raise PageUnreachable(f"it redirects more than {MAX_REDIRECTS} times")

    return fetch


def _read(response: http.client.HTTPResponse, limit: int, deadline: float) -> bytes:
    """Up to `limit` bytes, in chunks, until the deadline: a page sent a byte at a time
    must not hold the check past it."""
    chunks, size = [], 0
    while size < limit:
        if time.monotonic() > deadline:
            raise TimeoutError
        chunk = response.read1(min(64 * 1024, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
