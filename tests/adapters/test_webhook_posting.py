"""Posting webhooks over a real socket (a receiver on 127.0.0.1): a delivery reaches the
address that was checked, under the URL's own host name, follows no redirect, and never
reaches an address inside a network, whatever the name resolves to."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ringback.adapters.http_out import RefusedDestination, poster


@pytest.fixture
def receiver():
    received: list[dict] = []
    answer = {"status": 204, "location": None}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append({"path": self.path, "host": self.headers["Host"], "agent": self.headers["User-Agent"],
                             "body": self.rfile.read(int(self.headers["Content-Length"]))})
            self.send_response(answer["status"])
            if answer["location"]:
                self.send_header("Location", answer["location"])
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], received, answer
    server.shutdown()
    server.server_close()


def test_a_local_stack_posts_to_its_receiver_on_loopback(receiver):
    port, received, _ = receiver
    post = poster(allow_local=True)
    assert post(f"http://127.0.0.1:{port}/hooks?x=1", b'{"a":1}', {"Content-Type": "application/json"}) == 204
    assert received == [{"path": "/hooks?x=1", "host": f"127.0.0.1:{port}", "agent": "Ringback-Webhooks/1",
                         "body": b'{"a":1}'}]


def test_the_connection_goes_to_the_address_checked_under_the_urls_host_name(receiver):
    port, received, _ = receiver
    lookups = []

    def resolver(host, port_):
        lookups.append(host)
        return ["127.0.0.1"]

    post = poster(allow_local=True, resolver=resolver)
    assert post(f"http://crm.localhost:{port}/in", b"{}", {}) == 204
    assert lookups == ["crm.localhost"]  # resolved once: the connection does not ask DNS again
    assert received[0]["host"] == f"crm.localhost:{port}"


def test_a_name_that_resolves_inside_a_network_is_refused_before_any_connection(receiver):
    port, received, _ = receiver
    for addresses in (["127.0.0.1"], ["93.184.216.34", "10.0.0.7"], ["169.254.169.254"], ["::ffff:127.0.0.1"]):
        post = poster(resolver=lambda host, port_, a=addresses: a)
        with pytest.raises(RefusedDestination):
            post(f"https://rebinding.example:{port}/in", b"{}", {})
    assert received == []


def test_in_the_cloud_loopback_and_http_are_refused(receiver):
    port, received, _ = receiver
    with pytest.raises(RefusedDestination):
        poster()(f"http://127.0.0.1:{port}/hooks", b"{}", {})
    with pytest.raises(RefusedDestination):
        poster()(f"https://127.0.0.1:{port}/hooks", b"{}", {})
    assert received == []


def test_a_redirect_is_an_answer_not_followed(receiver):
    port, received, answer = receiver
    answer.update(status=307, location="http://169.254.169.254/latest/meta-data/")
    assert poster(allow_local=True)(f"http://127.0.0.1:{port}/hooks", b"{}", {}) == 307
    assert len(received) == 1


def test_no_answer_is_an_os_error():
    with pytest.raises(OSError):
        poster(allow_local=True, timeout=2)("http://127.0.0.1:9/hooks", b"{}", {})  # the discard port: refused
    with pytest.raises(OSError):
        poster(resolver=lambda host, port: (_ for _ in ()).throw(OSError("no such host")))(
            "https://nowhere.example/in", b"{}", {})
