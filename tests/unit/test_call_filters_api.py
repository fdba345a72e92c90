"""The call log's filters, as the dashboard asks for them: by source, campaign, tracking
number, status, first-time callers, unanswered calls, lead status and tag; values it
cannot mean are refused; and paging through a filtered log visits every match once, in
order, however rare the matches are."""
from urllib.parse import urlencode

import pytest

from ringback.calls.filters import READ_BUDGET
from ringback.calls.leads import new_lead
from ringback.calls.log import CallSummary
from tests.support.authorizer import call_function
from tests.support.shop import shop_and_other

NOW = 1_780_000_000_000
MINUTE = 60_000
WEEK = 7 * 24 * 60 * MINUTE


def add(svc, call_id, minutes_ago, status="answered", number="+14155550101", caller="+14155550011",
        lead=None, tenant="shop", **attribution):
    svc.calls.add(tenant, CallSummary(call_id, "s-shop", number, caller, NOW - minutes_ago * MINUTE, status,
                                      attribution))
    if lead:
        assert svc.calls.set_lead(call_id, {**new_lead(), **lead}, 0)


@pytest.fixture
def svc():
    with shop_and_other(NOW) as services:
        add(services, "c1", 1, source="google", campaign="spring", first_time_caller=True,
            lead={"status": "sale", "value": 50, "currency": "USD", "tags": ["vip"]})
        add(services, "c2", 2, status="busy", number="+14155550102", source="bing", campaign="brand",
            first_time_caller=False)
        add(services, "c3", 3, status="no-answer", source="Google", campaign="autumn", first_time_caller=True,
            lead={"status": "lead", "tags": ["vip", "repeat"]})
        add(services, "c4", 4, status="voicemail", number="+14155550102", source="google", campaign="spring",
            first_time_caller=False)
        add(services, "c5", 5, status="ringing", first_time_caller=True)
        add(services, "c-other", 1, tenant="other", source="google", campaign="spring")
        yield services


def ids(query="", user="u-admin"):
    status, body, _ = call_function("reports", "GET", f"/v1/calls?{query}", user)
    assert status == 200, body
    return [c["call_id"] for c in body["calls"]]


@pytest.mark.parametrize("params,expected", [
    ({}, ["c1", "c2", "c3", "c4", "c5"]),
    ({"source": "google"}, ["c1", "c3", "c4"]),  # any case
    ({"campaign": "spring"}, ["c1", "c4"]),
    ({"number": "+14155550102"}, ["c2", "c4"]),
    ({"status": "busy"}, ["c2"]),
    ({"firstTime": "true"}, ["c1", "c3", "c5"]),
    ({"firstTime": "false"}, ["c2", "c4"]),
    ({"missed": "true"}, ["c2", "c3", "c4"]),  # busy, no answer, voicemail: nobody spoke to them
    ({"missed": "false"}, ["c1", "c5"]),
    ({"leadStatus": "sale"}, ["c1"]),
    ({"leadStatus": "new"}, ["c2", "c4", "c5"]),
    ({"tag": "VIP"}, ["c1", "c3"]),
    ({"tag": "repeat", "missed": "true"}, ["c3"]),
    ({"source": "google", "campaign": "spring", "missed": "true"}, ["c4"]),
])
def test_each_filter_narrows_the_log_to_what_it_names(svc, params, expected):
    assert ids(urlencode(params)) == expected


def test_a_number_left_unencoded_in_the_query_still_reads_as_e164(svc):
    assert ids("number=+14155550102") == ["c2", "c4"]  # the "+" arrives as a space


@pytest.mark.parametrize("query,parameter", [
    ("status=lost", "status"),
    ("leadStatus=hot", "leadStatus"),
    ("firstTime=yes", "firstTime"),
    ("missed=1", "missed"),
    ("number=not-a-number", "number"),
    ("source=", "source"),
])
def test_a_filter_value_it_cannot_mean_is_refused(svc, query, parameter):
    status, refused, _ = call_function("reports", "GET", f"/v1/calls?{query}", "u-admin")
    assert status == 400 and refused["error"]["code"] == "invalid_parameter"
    assert refused["error"]["details"]["parameter"] == parameter


def test_filters_never_reach_another_tenants_calls(svc):
    assert ids("source=google", user="u-other") == ["c-other"]


def follow(query, limit):
    """Every call a filtered listing gives, following its cursors; and how many pages."""
    seen, cursor, pages = [], None, 0
    while True:
        params = {**query, "limit": limit, "from": NOW - WEEK, **({"cursor": cursor} if cursor else {})}
        status, body, _ = call_function("reports", "GET", f"/v1/calls?{urlencode(params)}", "u-admin")
        assert status == 200, body
        assert len(body["calls"]) <= limit
        seen += [c["call_id"] for c in body["calls"]]
        pages += 1
        cursor = body["cursor"]
        if cursor is None:
            return seen, pages


def test_paging_a_filtered_log_visits_every_match_once_in_order():
    with shop_and_other(NOW) as services:
        for n in range(450):
            add(services, f"k{n:03d}", n + 1, campaign="rare" if n % 7 == 3 else "common")
        seen, _ = follow({"campaign": "rare"}, limit=4)
    assert seen == [f"k{n:03d}" for n in range(450) if n % 7 == 3]


def test_a_rare_match_far_back_is_reached_through_short_pages():
    with shop_and_other(NOW) as services:
        for n in range(READ_BUDGET + 200):
            add(services, f"k{n:04d}", n + 1, campaign="common")
        add(services, "needle", READ_BUDGET + 500, campaign="needle")
        seen, pages = follow({"campaign": "needle"}, limit=10)
    # The first page reads its budget of calls and answers none of them, with a cursor.
    assert seen == ["needle"] and pages == 2
