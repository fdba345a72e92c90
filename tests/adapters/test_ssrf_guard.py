"""The SSRF guard where requests leave (adapters/http_out.py), case by case: each URL below
is refused before any connection, outside the local stack, whatever the endpoint's owner
wrote. DNS is answered through the poster's resolver seam, so "a name that resolves to a
private address" is a public-looking name with a private answer, as a rebinding attacker
would serve it; the receiver on 127.0.0.1 shows nothing ever arrived."""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ringback.accounts.install_check import PageRefused
from ringback.adapters.http_out import page_fetcher, poster
from ringback.errors import InvalidInput
from ringback.url_guard import RefusedDestination, check_url


@pytest.fixture
def receiver():
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            hits.append(self.path)
            self.send_response(204)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], hits
    server.shutdown()


CASES = {
    "loopback literal": ("https://127.0.0.1:{port}/hooks", None, "loopback"),
    "instance metadata": ("https://169.254.169.254/latest/meta-data/", None, "metadata"),
    "a 10.x address": ("https://10.20.30.40/hooks", None, "private"),
    "a name resolving to 10.x": ("https://crm.example:{port}/hooks", ["10.0.0.7"], "private"),
    "a name resolving to 192.168.x": ("https://crm.example:{port}/hooks", ["192.168.1.20"], "private"),
    "a name resolving to metadata": ("https://crm.example:{port}/hooks", ["169.254.169.254"], "metadata"),
    "a name resolving to loopback": ("https://crm.example:{port}/hooks", ["127.0.0.1"], "loopback"),
    "a name with one private answer among public ones": (
        "https://crm.example:{port}/hooks", ["93.184.216.34", "172.16.5.4"], "private"),
    "plain http": ("http://crm.example:{port}/hooks", ["93.184.216.34"], "https"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_webhook_that_would_reach_inside_our_network_is_refused_before_connecting(case, receiver):
    port, hits = receiver
    template, answers, reason = CASES[case]
    url = template.format(port=port)
    lookups = []

    def resolver(host, port_):
        lookups.append(host)
        return answers if answers is not None else [host]

    with pytest.raises(RefusedDestination) as refused:
        poster(resolver=resolver)(url, b"{}", {"Content-Type": "application/json"})
    assert reason in str(refused.value)
    assert hits == []


@pytest.mark.parametrize("url", ["https://127.0.0.1/hooks", "https://169.254.169.254/", "https://10.1.2.3/",
                                 "http://crm.example/hooks"])
def test_such_a_url_is_refused_when_it_is_set_naming_the_field(url):
    with pytest.raises(InvalidInput) as refused:
        check_url(url)
    assert refused.value.details == {"field": "url"}


def test_a_customer_page_that_resolves_to_a_private_address_is_not_fetched():
    fetch = page_fetcher(resolver=lambda host, port: ["10.0.0.7"])
    with pytest.raises(PageRefused):
        fetch("https://shop.example/")
