"""The local edge does what CloudFront does with viewer headers: it sets its own and
believes none a client sends, so the API reads a visitor's address and region only from
the edge; and the apps take the address from that header alone."""
import json

from chalice import Chalice
from chalice.test import Client

from devstack import viewers
from devstack.gateway import LocalApi, StaticFiles, edge_handler
from ringback.adapters.web import RingbackApp

FORGED = {"CloudFront-Viewer-Country": "KP", "CloudFront-Viewer-Country-Region": "01", "CloudFront-Viewer-City": "X",
          "CloudFront-Viewer-Address": "203.0.113.50:443", "CloudFront-Is-Mobile-Viewer": "true",
          "X-Ringback-Origin-Verify": "guessed"}


def _echo_app() -> Chalice:
    app = RingbackApp("echo")

    @app.route("/v1/echo", methods=["GET"])
    def echo():
        return {"headers": dict(app.current_request.headers), "address": app.viewer_address()}

    return app


def _through_edge(tmp_path, headers: dict, client_ip: str) -> dict:
    handle = edge_handler(LocalApi({"echo": _echo_app()}, None), StaticFiles(tmp_path))
    status, _, body = handle("GET", "/v1/echo", headers, None, client_ip)
    assert status == 200
    return json.loads(body)


def test_a_forged_viewer_country_and_address_are_not_believed(tmp_path):
    seen = _through_edge(tmp_path, {**FORGED, "User-Agent": "curl/8"}, "127.0.0.1")
    headers = seen["headers"]
    assert "cloudfront-viewer-country" not in headers and "cloudfront-viewer-city" not in headers
    assert headers["cloudfront-viewer-address"] == "127.0.0.1:0" and seen["address"] == "127.0.0.1"
    assert headers["cloudfront-is-mobile-viewer"] == "false" and headers["cloudfront-is-desktop-viewer"] == "true"
    # Nor can a client present the origin secret CloudFront adds in AWS.
    assert "x-ringback-origin-verify" not in headers


def test_the_edge_locates_a_visitor_from_the_address_it_connects_from(tmp_path):
    seen = _through_edge(tmp_path, {**FORGED, "User-Agent": "Mozilla/5.0 (iPhone) Mobile"}, viewers.CALIFORNIA)
    headers = seen["headers"]
    assert (headers["cloudfront-viewer-country"], headers["cloudfront-viewer-country-region"]) == ("US", "CA")
    assert seen["address"] == viewers.CALIFORNIA and headers["cloudfront-is-mobile-viewer"] == "true"


def test_without_an_edge_header_the_app_knows_no_address():
    # Behind CloudFront the connection's source is an edge server many visitors share:
    # counting rate limits against it would lump them together.
    with Client(_echo_app()) as client:
        answer = client.http.get("/v1/echo")
        assert json.loads(answer.body)["address"] is None
        answer = client.http.get("/v1/echo", headers={"CloudFront-Viewer-Address": "2001:db8::7:51234"})
        assert json.loads(answer.body)["address"] == "2001:db8::7"
