"""The doors' frame: every failure reaches the client in one JSON shape."""
import io
import json

import pytest
from chalice.test import Client

from infra.catalog import FUNCTIONS, load_app
from ringback.adapters.web import PUBLIC_CORS, RingbackApp
from ringback.errors import Forbidden, InvalidInput, NotFound, RateLimited

app = RingbackApp("frame-test")


@app.route("/v1/things/{kind}", methods=["GET"], cors=PUBLIC_CORS)
def thing(kind):
    errors = {
        "bad": InvalidInput("kind is bad", code="bad_kind", details={"field": "kind"}),
        "missing": NotFound("no such thing"),
        "forbidden": Forbidden("not yours"),
        "busy": RateLimited("slow down", retry_after_seconds=7),
    }
    if kind in errors:
        raise errors[kind]
    if kind == "crash":
        raise RuntimeError("secret internals +14155550123")
    return {"kind": kind}


@app.route("/v1/echo", methods=["POST"])
def echo():
    return app.json_body()


def call(method, path, **kwargs):
    with Client(app) as client:
        response = getattr(client.http, method)(path, **kwargs)
        return response.status_code, json.loads(response.body or b"null"), response.headers


def test_success_passes_through():
    assert call("get", "/v1/things/ok")[:2] == (200, {"kind": "ok"})


def test_domain_errors_map_to_status_and_error_shape():
    status, body, _ = call("get", "/v1/things/bad")
    assert status == 400
    assert body["error"]["code"] == "bad_kind"
    assert body["error"]["message"] == "kind is bad"
    assert body["error"]["details"] == {"field": "kind"}
    assert call("get", "/v1/things/missing")[0] == 404
    assert call("get", "/v1/things/forbidden")[0] == 403


def test_rate_limited_answers_429_with_retry_after():
    status, body, headers = call("get", "/v1/things/busy")
    assert status == 429 and body["error"]["code"] == "rate_limited"
    assert headers["Retry-After"] == "7"


def test_a_crash_is_a_500_in_the_same_shape_without_internals():
    status, body, _ = call("get", "/v1/things/crash")
    assert status == 500
    assert body["error"]["code"] == "internal_error"
    assert "secret" not in json.dumps(body) and "4155550123" not in json.dumps(body)


def test_chalice_own_errors_are_reshaped():
    status, body, _ = call("put", "/v1/things/ok")
    assert status == 405 and body["error"]["code"] == "method_not_allowed"


def test_malformed_json_is_a_400_not_a_crash():
    status, body, _ = call("post", "/v1/echo", body=b"{not json", headers={"Content-Type": "application/json"})
    assert status == 400 and body["error"]["code"] == "invalid_json"
    status, body, _ = call("post", "/v1/echo", body=b"[1,2]", headers={"Content-Type": "application/json"})
    assert status == 400 and body["error"]["code"] == "invalid_json"


def test_public_routes_answer_cross_origin_requests():
    _, _, headers = call("get", "/v1/things/ok", headers={"Origin": "https://customer.example"})
    assert headers["Access-Control-Allow-Origin"] == "*"


def test_a_crash_is_logged_with_the_phone_number_masked():
    stream = io.StringIO()
    handler = app.logger.registered_handler
    previous = handler.setStream(stream)
    try:
        call("get", "/v1/things/crash")
    finally:
        handler.setStream(previous)
    logged = stream.getvalue()
    assert "unhandled error" in logged
    assert "4155550123" not in logged and "+1********23" in logged


def http_api_event(path="/v1/sites/pk_1/config"):
    """API Gateway's HTTP API (payload format 2.0): what an HTTP API integration, or a
    test event copied from one, would hand the functions."""
    return {
        "version": "2.0", "routeKey": f"GET {path}", "rawPath": path, "rawQueryString": "",
        "headers": {"origin": "https://customer.example"},
        "requestContext": {"requestId": "req-v2-1", "http": {"method": "GET", "path": path, "sourceIp": "198.51.100.7"},
                           "stage": "$default"},
        "isBase64Encoded": False,
    }


@pytest.mark.parametrize("function", [spec.name for spec in FUNCTIONS])
def test_an_http_api_event_gets_a_400_in_our_error_shape_from_every_function(function):
    answer = load_app(function)(http_api_event(), None)
    assert answer["statusCode"] == 400 and answer["headers"]["Content-Type"] == "application/json"
    # statusCode, headers and body: a response both payload formats accept.
    assert set(answer) <= {"statusCode", "headers", "body", "isBase64Encoded"}
    assert json.loads(answer["body"]) == {"error": {
        "code": "unsupported_payload_format", "requestId": "req-v2-1",
        "message": "this API serves API Gateway REST API (v1) proxy events only"}}


@pytest.mark.parametrize("event", [{}, {"version": "2.0"}, {"requestContext": {"resourcePath": "/v1/echo"}}, []])
def test_an_event_of_no_known_shape_is_refused_not_crashed_on(event):
    assert app(event, None)["statusCode"] == 400


def test_a_rest_api_event_is_still_served():
    event = {"requestContext": {"resourcePath": "/v1/things/{kind}", "httpMethod": "GET", "requestId": "r1"},
             "headers": {}, "multiValueQueryStringParameters": None, "pathParameters": {"kind": "ok"},
             "stageVariables": None, "body": None}
    answer = app(event, None)
    assert answer["statusCode"] == 200 and json.loads(answer["body"]) == {"kind": "ok"}
