"""The report API on the local stack, as the dashboard calls it: a call placed through the
local carrier reaches the analytics bucket through the tables' streams, and the signed-in
demo owner's reports (DuckDB over that bucket) count it; uploaded ad spend costs it; and
another tenant's data is refused."""
import json
import time
import urllib.error
import urllib.request

import pytest

from tests.support.calls import call_after_a_visit
from tests.support.stack import EVENT_SECONDS, REQUEST_SECONDS, get, id_token

pytestmark = pytest.mark.e2e

CALLER = "+14155550088"


def report(stack, token, path):
    status, headers, body = get(f"{stack.url}{path}", {"Authorization": token})
    return status, headers, body


def post_csv(stack, token, text):
    request = urllib.request.Request(f"{stack.url}/v1/ad-spend", data=text.encode(), method="POST",
                                     headers={"Authorization": token, "Content-Type": "text/csv"})
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_SECONDS) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_call_reaches_the_owners_reports_and_its_cost(stack):
    call_after_a_visit(stack, "client-reports-01", "reports", CALLER)
    token = id_token(stack)

    deadline, rows = time.monotonic() + EVENT_SECONDS, []
    while time.monotonic() < deadline:
        status, _, body = report(stack, token, "/v1/reports/calls_by_source?campaign=reports")
        assert status == 200, body
        rows = json.loads(body)["rows"]
        if rows and rows[0]["answered"] == 1:
            break
        time.sleep(0.5)
    assert [(r["source"], r["medium"], r["campaign"], r["calls"], r["answered"]) for r in rows] == [
        ("google", "cpc", "reports", 1, 1)]

    today = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 12 * 3600))  # a day surely in range
    csv = f"day,source,medium,campaign,spend,currency,clicks\n{today},google,cpc,reports,42.00,USD,12\n"
    status, summary = post_csv(stack, token, csv)
    assert status == 201 and summary["rows"] == 1
    status, _, body = report(stack, token, "/v1/reports/cost_per_lead?campaign=reports")
    [cost] = json.loads(body)["rows"]
    assert (cost["spend"], cost["calls"], cost["cost_per_call"]) == (42.0, 1, 42.0)

    status, headers, body = report(stack, token, "/v1/reports/calls_by_source?campaign=reports&format=csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert body.decode().splitlines()[1].startswith("google,cpc,reports,")

    status, _, body = report(stack, token, "/v1/reports/calls_by_source?tenant=someone-else")
    assert status == 403 and json.loads(body)["error"]["code"] == "tenant_forbidden"
