"""Fetching a customer's page for the install check over a real socket (a site on
127.0.0.1): redirects are followed, at most three, each one checked by the SSRF guard as
the first URL was; the page is read up to its cap and within the time allowed; in the
cloud, loopback is refused before any connection."""
from __future__ import annotations

import contextlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ringback.accounts.install_check import PageRefused, PageUnreachable
from ringback.adapters.http_out import PAGE_AGENT, page_fetcher

HTML = b"<html><head><script src='http://127.0.0.1:8000/v1/swap.js' data-site-key='pk_1'></script></head></html>"


@pytest.fixture
def site():
    """path -> (status, headers, body, seconds to wait before answering)."""
    routes: dict[str, tuple] = {"/": (200, {"Content-Type": "text/html; charset=utf-8"}, HTML, 0)}
    asked: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append({"path": self.path, "host": self.headers["Host"], "agent": self.headers["User-Agent"]})
            status, headers, body, delay = routes.get(self.path, (404, {}, b"no", 0))
            time.sleep(delay)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the fetcher stopped reading: what a cap is for
                self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", routes, asked
    server.shutdown()
    server.server_close()


def test_a_local_stack_reads_a_page_on_loopback(site):
    url, _, asked = site
    page = page_fetcher(allow_local=True)(url + "/")
    assert (page.url, page.status, page.body, page.truncated) == (url + "/", 200, HTML, False)
    assert page.content_type == "text/html; charset=utf-8"
    assert asked == [{"path": "/", "host": url.removeprefix("http://"), "agent": PAGE_AGENT}]


def test_redirects_are_followed_three_times_at_most(site):
    url, routes, _ = site
    for n in range(4):
        routes[f"/hop{n}"] = (302, {"Location": f"/hop{n + 1}" if n < 3 else "/"}, b"", 0)
    page = page_fetcher(allow_local=True)(url + "/hop1")
    assert page.url == url + "/" and page.status == 200
    with pytest.raises(PageUnreachable, match="redirects more than 3 times"):
        page_fetcher(allow_local=True)(url + "/hop0")


def test_a_redirect_inside_a_network_is_refused_before_it_is_followed(site):
    url, routes, asked = site
    routes["/away"] = (301, {"Location": "http://169.254.169.254/latest/meta-data/"}, b"", 0)
    with pytest.raises(PageRefused) as refused:
        page_fetcher(allow_local=True)(url + "/away")
    assert refused.value.redirected is True and refused.value.url == "http://169.254.169.254/latest/meta-data/"
    assert [a["path"] for a in asked] == ["/away"]


def test_in_the_cloud_loopback_is_refused_and_nothing_is_asked(site):
    url, _, asked = site
    with pytest.raises(PageRefused) as refused:
        page_fetcher()(url + "/")
    assert refused.value.redirected is False
    with pytest.raises(PageRefused):  # a public name that resolves to loopback
        page_fetcher(resolver=lambda host, port: ["127.0.0.1"])("https://rebind.example/")
    assert asked == []


def test_a_big_page_is_read_up_to_the_cap(site):
    url, routes, _ = site
    routes["/big"] = (200, {"Content-Type": "text/html"}, HTML + b"x" * 5000, 0)
    page = page_fetcher(allow_local=True, max_bytes=1000)(url + "/big")
    assert len(page.body) == 1000 and page.truncated is True and page.body.startswith(HTML)


def test_no_answer_in_time_or_at_all_is_unreachable(site):
    url, routes, _ = site
    # The page answers after 20 s; the fetcher, given 0.5 s, gives up long before (the bound
    # is wide for a busy machine, and still far under the page's delay).
    routes["/slow"] = (200, {}, HTML, 20)
    started = time.monotonic()
    with pytest.raises(PageUnreachable, match="did not answer"):
        page_fetcher(allow_local=True, seconds=0.5)(url + "/slow")
    assert time.monotonic() - started < 10
    with pytest.raises(PageUnreachable, match="refused the connection"):
        page_fetcher(allow_local=True)("http://127.0.0.1:9/")  # the discard port: nobody listens
    with pytest.raises(PageUnreachable, match="does not resolve"):
        page_fetcher(resolver=lambda host, port: (_ for _ in ()).throw(OSError("no such host")))(
            "https://nowhere.example/")
