"""What CloudFront tells the API about a viewer, locally: the local edge sets these headers
from the connection, as CloudFront does, and drops any a client sent.

CloudFront names the viewer (CloudFront-Viewer-Address, from the connection), locates
it (CloudFront-Viewer-Country, -Country-Region, -City, from the address) and guesses its
device (CloudFront-Is-*-Viewer, from the User-Agent). A client cannot set any of them, nor
the secret origin header the API's firewall requires (infra/constructs/firewall.py). The
local edge does the same: its "geolocation" is the table below, keyed by loopback
addresses (all of 127.0.0.0/8 is this machine on Linux), so a test or a benchmark that
wants a visitor from California connects from 127.10.0.1 (`opener(address)`), and a
visitor from anywhere else stays unlocated, whatever headers it sends.
"""
from __future__ import annotations

import functools
import http.client
import urllib.request

# Headers only the edge may set. Any header starting with "cloudfront-" is CloudFront's.
EDGE_PREFIX = "cloudfront-"
ORIGIN_HEADER = "x-ringback-origin-verify"

# Loopback address -> where the local "geolocation" puts it.
LOCATIONS: dict[str, dict[str, str]] = {
    "127.10.0.1": {"country": "US", "region": "CA", "city": "Oakland"},
    "127.10.0.2": {"country": "US", "region": "NY", "city": "New York"},
    "127.10.0.3": {"country": "US", "region": "TX", "city": "Austin"},
    "127.20.0.1": {"country": "RU", "region": "MOW", "city": "Moscow"},
}
CALIFORNIA = "127.10.0.1"
_MOBILE = ("Mobi", "Android", "iPhone")
_TABLET = ("iPad", "Tablet")


def at_edge(headers: dict[str, str], client_ip: str, client_port: int = 0) -> dict[str, str]:
    """The request's headers as CloudFront forwards them to the API origin."""
    forwarded = {name: value for name, value in headers.items()
                 if not name.lower().startswith(EDGE_PREFIX) and name.lower() != ORIGIN_HEADER}
    forwarded["CloudFront-Viewer-Address"] = f"{client_ip}:{client_port}"
    location = LOCATIONS.get(client_ip)
    if location:
        forwarded["CloudFront-Viewer-Country"] = location["country"]
        forwarded["CloudFront-Viewer-Country-Region"] = location["region"]
        forwarded["CloudFront-Viewer-City"] = location["city"]
    agent = next((value for name, value in headers.items() if name.lower() == "user-agent"), "")
    tablet = any(mark in agent for mark in _TABLET)
    mobile = not tablet and any(mark in agent for mark in _MOBILE)
    forwarded["CloudFront-Is-Mobile-Viewer"] = str(mobile).lower()
    forwarded["CloudFront-Is-Tablet-Viewer"] = str(tablet).lower()
    forwarded["CloudFront-Is-Desktop-Viewer"] = str(not (mobile or tablet)).lower()
    return forwarded


class _FromAddress(urllib.request.HTTPHandler):
    def __init__(self, address: str) -> None:
        super().__init__()
        self._address = address

    def http_open(self, req):
        return self.do_open(functools.partial(http.client.HTTPConnection, source_address=(self._address, 0)), req)


def opener(address: str) -> urllib.request.OpenerDirector:
    """A urllib opener whose connections come from `address` (a loopback address), so the
    local edge sees a visitor there."""
    return urllib.request.build_opener(_FromAddress(address))
