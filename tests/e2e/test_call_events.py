"""Call events reach a subscribed system through the local stack's queue, signed."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from devstack.demo import DEMO_DESTINATION
from ringback.calls.events import verify
from tests.support.calls import aws_client, http, place_call, wait_for_hook
from tests.support.stack import EVENT_SECONDS

pytestmark = pytest.mark.e2e
SECRET = "crm-secret-0123456789abcdef"


@pytest.fixture
def crm(stack):
    """A CRM's webhook receiver that fails its first request, subscribed by the demo site."""
    received, failures = [], [1]

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            status = 500 if failures[0] else 200
            failures[0] = max(0, failures[0] - 1)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    settings = {"widget": {}, "webhooks": [{"url": url, "secret": SECRET}]}
    aws_client(stack, "dynamodb").update_item(
        TableName="ringback-local-sites", Key={"site_id": {"S": stack.site_id}},
        UpdateExpression="SET settings = :s", ExpressionAttributeValues={":s": {"S": json.dumps(settings)}},
    )
    yield received
    server.shutdown()


def test_a_missed_call_reaches_the_crm_signed_and_once_per_event(stack, crm):
    http("POST", f"{stack.carrier_url}/_carrier/script", {"number": DEMO_DESTINATION, "party": {"outcome": "busy"}})
    status, offer = http("POST", f"{stack.url}/v1/sessions", {
        "siteKey": stack.site_key, "clientId": "client-crm-0001", "page": f"{stack.site_url}/?utm_medium=cpc"},
        {"Origin": stack.site_url})
    sid = place_call(stack, "+14155550066", offer["numbers"][0]["number"])
    wait_for_hook(stack, "/v1/carrier/dial-complete", sid)
    deadline = time.monotonic() + EVENT_SECONDS
    while time.monotonic() < deadline:
        types = {json.loads(body)["type"] for _, body in crm
                 if json.loads(body)["data"]["call_id"] == f"tw:{sid}"}
        if {"call.ringing", "call.missed"} <= types:
            break
        time.sleep(0.2)
    mine = [(h, b) for h, b in crm if json.loads(b)["data"]["call_id"] == f"tw:{sid}"]
    assert {"call.ringing", "call.missed"} <= {json.loads(b)["type"] for _, b in mine}
    for headers, body in mine:
        assert verify(SECRET, headers["Ringback-Signature"], body, int(time.time()))
        assert headers["Ringback-Event-Id"] == json.loads(body)["id"]
    missed = [json.loads(b) for _, b in mine if json.loads(b)["type"] == "call.missed"]
    assert missed[0]["data"]["status"] == "busy" and missed[0]["data"]["caller"] == "+14155550066"
