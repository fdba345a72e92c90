"""Where a customer's webhook may point, and where we refuse to send it (SSRF).

The customer chooses the URL, but the request to it leaves from inside our account: aimed
at 169.254.169.254, at an address of a VPC or at the Lambda runtime's API on 127.0.0.1,
it would make our function read or poke what only we may. So two checks:

- `check_url`, when the URL is set: https, a host, no credentials in it, no IP literal
  that is not a public address, no name that only means something inside a network
  (localhost, *.internal, *.local, a name without a dot);
- `address_refusal`, at every delivery, for each address the host resolves to. The
  adapter that connects (adapters/http_out.py) then connects to the address it checked,
  so a DNS answer that changes between the check and the connection (rebinding) cannot
  slip past, and it follows no redirect, which would be a second URL nobody checked.

The same guard keeps the dashboard's install check (ringback.accounts.install_check) from
fetching a "customer page" that is really an address inside our network: its URL and
every redirect on the way are checked as a webhook's are (`PAGE`), except that a page may
be plain http, since no secret of ours travels to it.

On the local stack alone (`allow_local`, Settings.webhooks_allow_local) http and loopback
are allowed, so receivers (and demo pages) on 127.0.0.1 work; private, link-local and
metadata addresses stay refused there too.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from ringback.errors import InvalidInput

MAX_URL_LENGTH = 2048
# Instance and container credential endpoints. Most are link-local anyway; named so the
# refusal says why, and so 100.100.100.200 (in the shared address space) is caught too.
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa", ".intranet", ".lan")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Purpose:
    """What an outgoing URL is for: how a refusal names it, and the schemes it may use
    outside the local stack."""

    what: str
    code: str
    schemes: tuple[str, ...]


# A webhook carries our signature and the customer's data: https only.
WEBHOOK = Purpose("webhook URL", "invalid_webhook_url", ("https",))
# A customer's page we read (the install check) carries nothing of ours.
PAGE = Purpose("page URL", "page_url_refused", ("https", "http"))


class RefusedDestination(OSError):
    """The URL, or an address its host resolves to, is one we do not send requests to;
    `reason` says why, in words. Raised by the adapter that connects (adapters/http_out.py)
    and defined here, so the domain tells a refusal from an endpoint that failed to answer."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def address_refusal(address: str, allow_local: bool = False) -> str | None:
    """Why we may not connect to this address ("loopback", "private", "link-local",
    "metadata", "not public"), or None for a public address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone id names no other host
    except ValueError:
        return "not an address"
    return _refusal(ip, allow_local)


def _refusal(ip: Address, allow_local: bool) -> str | None:
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv4 address wrapped in IPv6 reaches that IPv4 host: judge the host.
        if ip.ipv4_mapped is not None:
            return _refusal(ip.ipv4_mapped, allow_local)
        if ip in _NAT64:
            return _refusal(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), allow_local)
        if ip.sixtofour is not None and _refusal(ip.sixtofour, allow_local):
            return _refusal(ip.sixtofour, allow_local)
    if ip in METADATA_ADDRESSES:
        return "metadata"
    if ip.is_loopback:
        return None if allow_local else "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_private:
        return "private"
    if not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_unspecified:
        return "not public"
    return None


def check_url(url: str, allow_local: bool = False, purpose: Purpose = WEBHOOK) -> str:
    """The URL, if we may send requests to it; else InvalidInput naming the field `url`."""
    why = url_refusal(url, allow_local, purpose)
    if why is not None:
        raise InvalidInput(f"this {purpose.what} cannot be used: {why}", code=purpose.code, details={"field": "url"})
    return url


def url_refusal(url: str, allow_local: bool = False, purpose: Purpose = WEBHOOK) -> str | None:
    """Why we may not send requests to this URL, in words ("10.0.0.7 is a private
    address"); None when we may."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH:
        return f"a URL of at most {MAX_URL_LENGTH} characters is required"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return "it is not a URL"
    schemes = ("https", "http") if allow_local else purpose.schemes
    if parts.scheme not in schemes:
        return f"only {' or '.join(schemes)} URLs are allowed"
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return "it names no host"
    if parts.username is not None or parts.password is not None:
        # Credentials in a URL end up in logs and in the audit log; a receiver checks our signature instead.
        return "it carries credentials, which would end up in logs"
    if any(c.isspace() for c in url):
        return "it contains spaces"
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        reason = _refusal(literal, allow_local)
        return f"{host} is a {reason} address" if reason else None
    name = host.lower()
    inside = name == "localhost" or name.endswith(_INTERNAL_SUFFIXES) or "." not in name
    if inside and not (allow_local and (name == "localhost" or name.endswith(".localhost"))):
        return f"{host} is a name inside a network, not a public host"
    return None
