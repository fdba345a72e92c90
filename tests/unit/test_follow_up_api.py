"""Who called and who is still waiting, through the dashboard API: a caller's card (their
calls, their callback requests, where they first and last came from), and the work queue
of unanswered calls of the last week that nobody has called back."""
from urllib.parse import quote

import pytest

from ringback.accounts.tenants import Membership, Tenant
from ringback.callbacks.model import CallbackRequest
from ringback.calls.inbound import caller_region
from ringback.calls.log import CallSummary
from tests.support.authorizer import call_function
from tests.support.shop import shop_and_other

NOW = 1_780_000_000_000
HOUR = 3_600_000
DAY = 24 * HOUR
ANNA, BORIS = "+14155550011", "+14155550022"


def touch(source, at, campaign=None):
    return {"session_id": f"sess-{at}", "at": at, "source": source, "medium": "cpc", "campaign": campaign,
            "keyword": None, "landing_page": "/"}


def add_call(svc, call_id, caller, ago, status="answered", tenant="shop", **attribution):
    svc.calls.add(tenant, CallSummary(call_id, "s-shop", "+14155550101", caller, NOW - ago, status, attribution))


def add_request(svc, request_id, phone, ago, connected_after=None, tenant="shop", status=None):
    """A callback request, as the callback service stores it (the widget's POST, the dial)."""
    created = NOW - ago
    request = CallbackRequest(request_id, tenant, "s-shop", phone, created, updated_at=created,
                              attribution={"method": "session", "source": "facebook", "medium": "paid",
                                           "campaign": "promo"})
    request.move("accepted", created)
    if connected_after is not None:
        request.move("calling_visitor", created + connected_after - 1_000)
        request.move("connected", created + connected_after)
        request.move("completed", created + connected_after + 60_000)
    elif status:
        request.move(status, created + 1_000)
    assert svc.callbacks._store.add(request)  # the store behind the callback service's own listing


@pytest.fixture
def svc():
    with shop_and_other(NOW) as services:
        services.tenants.save(Tenant("agency", "Agency", kind="agency"))
        services.tenants.save(Tenant("client", "Client", parent_id="agency"))
        services.tenants.add_member(Membership("agency", "u-agency", "a@agency.test", "admin"))
        yield services


def get(path, user="u-admin"):
    status, body, _ = call_function("reports", "GET", path, user)
    return status, body


def test_a_callers_card_has_their_calls_requests_and_journey(svc):
    add_call(svc, "a1", ANNA, 20 * DAY, source="bing", medium="cpc", campaign="brand",
             first_touch=touch("bing", NOW - 25 * DAY, "brand"), last_touch=touch("bing", NOW - 20 * DAY, "brand"))
    add_call(svc, "a2", ANNA, 2 * DAY, status="no-answer", source="direct", medium="none",
             first_touch=touch("google", NOW - 30 * DAY, "spring"), last_touch=touch("google", NOW - 3 * DAY))
    add_call(svc, "b1", BORIS, DAY)
    add_call(svc, "x1", ANNA, DAY, tenant="other")
    add_request(svc, "r-anna", ANNA, 3 * DAY, connected_after=30_000)
    add_request(svc, "r-boris", BORIS, 3 * DAY)
    status, card = get(f"/v1/callers/{quote(ANNA)}")
    assert status == 200
    assert (card["number"], card["country"], card["region"]) == (ANNA, "US", caller_region(ANNA))
    assert [c["call_id"] for c in card["calls"]] == ["a2", "a1"]  # newest first, the shop's only
    assert card["calls"][0]["lead"]["status"] == "new" and card["calls"][0]["status"] == "no-answer"
    assert [r["request_id"] for r in card["callbacks"]] == ["r-anna"]
    # The journey that brought them began with the earliest visit any call of theirs knew of.
    assert card["firstTouch"] == {"source": "google", "medium": "cpc", "campaign": "spring", "at": NOW - 30 * DAY}
    assert card["lastTouch"] == {"source": "google", "medium": "cpc", "campaign": None, "at": NOW - 3 * DAY}


def test_a_caller_without_a_journey_is_known_by_their_calls_own_sources(svc):
    add_call(svc, "s1", BORIS, 5 * DAY, method="static", source="yellowpages", medium="directory")
    add_call(svc, "s2", BORIS, DAY, method="unattributed", source=None)
    add_request(svc, "r1", BORIS, 2 * DAY)
    _, card = get(f"/v1/callers/{quote(BORIS)}")
    assert card["firstTouch"] == {"source": "yellowpages", "medium": "directory", "campaign": None,
                                  "at": NOW - 5 * DAY}
    assert card["lastTouch"] == {"source": "facebook", "medium": "paid", "campaign": "promo", "at": NOW - 2 * DAY}


def test_a_number_that_never_called_has_no_card(svc):
    status, refused = get(f"/v1/callers/{quote('+442079460000')}")
    assert status == 404 and refused["error"]["code"] == "unknown_caller"


def test_a_caller_who_only_asked_for_a_callback_has_a_card(svc):
    add_request(svc, "r1", "+442079460000", DAY)
    status, card = get(f"/v1/callers/{quote('+442079460000')}")
    assert status == 200 and (card["country"], card["calls"]) == ("GB", [])
    assert [r["request_id"] for r in card["callbacks"]] == ["r1"]
    assert card["firstTouch"] == card["lastTouch"] == {"source": "facebook", "medium": "paid",
                                                       "campaign": "promo", "at": NOW - DAY}


@pytest.mark.parametrize("number", ["anonymous", "12", quote("+1 415 555"), quote("+1415555001x")])
def test_a_caller_that_is_no_phone_number_is_refused(svc, number):
    status, refused = get(f"/v1/callers/{number}")
    assert status == 400 and refused["error"]["code"] == "invalid_phone"


def test_a_callers_card_is_the_tenants_own_and_an_agency_reads_its_clients(svc):
    add_call(svc, "x1", ANNA, DAY, tenant="other")
    add_call(svc, "c1", ANNA, DAY, tenant="client")
    status, refused = get(f"/v1/callers/{quote(ANNA)}")  # the shop's, and the shop has no calls of hers
    assert status == 404 and refused["error"]["code"] == "unknown_caller"
    assert get(f"/v1/callers/{quote(ANNA)}?tenant=other")[0] == 403
    status, card = get(f"/v1/callers/{quote(ANNA)}?tenant=client", user="u-agency")
    assert status == 200 and [c["call_id"] for c in card["calls"]] == ["c1"]


def queue_ids(user="u-admin", query=""):
    status, body = get(f"/v1/work-queue{query}", user)
    assert status == 200, body
    assert body["count"] == len(body["calls"]) and body["since"] == NOW - 7 * DAY and body["complete"] is True
    return [c["call_id"] for c in body["calls"]]


def mark(call_id, **lead):
    etag = call_function("reports", "GET", f"/v1/calls/{call_id}", "u-admin")[2]["ETag"]
    status, body, _ = call_function("reports", "PATCH", f"/v1/calls/{call_id}", "u-admin", {"lead": lead},
                                    {"If-Match": etag})
    assert status == 200, body


def test_the_work_queue_holds_the_unanswered_calls_nobody_called_back(svc):
    add_call(svc, "waiting", "+14155550001", 1 * HOUR, status="no-answer")
    add_call(svc, "left-a-message", "+14155550002", 2 * HOUR, status="voicemail")
    add_call(svc, "hung-up", "+14155550003", 3 * HOUR, status="abandoned")
    # Got through later on their own.
    add_call(svc, "got-through-later", "+14155550004", 5 * HOUR, status="busy")
    add_call(svc, "their-answered-call", "+14155550004", 4 * HOUR, status="answered")
    # Answered first, missed afterwards: still waiting.
    add_call(svc, "answered-before", "+14155550005", 9 * HOUR, status="answered")
    add_call(svc, "missed-after", "+14155550005", 8 * HOUR, status="failed")
    # A callback request of theirs connected after the missed call.
    add_call(svc, "called-back", "+14155550006", 10 * HOUR, status="canceled")
    add_request(svc, "r6", "+14155550006", 9 * HOUR, connected_after=40_000)
    # A callback request that never connected does not count.
    add_call(svc, "request-missed", "+14155550007", 11 * HOUR, status="no-answer")
    add_request(svc, "r7", "+14155550007", 10 * HOUR, status="missed")
    # Still ringing, older than a week, another tenant's: not in the queue.
    add_call(svc, "ringing", "+14155550008", 1_000, status="ringing")
    add_call(svc, "last-month", "+14155550009", 8 * DAY, status="no-answer")
    add_call(svc, "theirs", "+14155550010", HOUR, status="no-answer", tenant="other")
    assert queue_ids() == ["waiting", "left-a-message", "hung-up", "missed-after", "request-missed"]


def test_a_call_marked_done_or_spam_leaves_the_queue_with_the_callers_earlier_tries(svc):
    add_call(svc, "first-try", ANNA, 3 * HOUR, status="no-answer")
    add_call(svc, "second-try", ANNA, 2 * HOUR, status="no-answer")
    add_call(svc, "robot", BORIS, HOUR, status="no-answer")
    assert queue_ids() == ["robot", "second-try", "first-try"]
    mark("first-try", followUp="done")
    assert queue_ids() == ["robot", "second-try"]  # an earlier try done says nothing of a later one
    mark("second-try", followUp="done")
    mark("robot", status="spam")
    assert queue_ids() == []
    mark("second-try", followUp="open")
    assert queue_ids() == ["second-try"]


def test_the_work_queue_is_the_tenants_own_and_an_agency_reads_its_clients(svc):
    add_call(svc, "client-missed", ANNA, HOUR, status="busy", tenant="client")
    assert queue_ids() == []
    assert queue_ids("u-agency", "?tenant=client") == ["client-missed"]
    status, refused = get("/v1/work-queue?tenant=client")
    assert status == 403 and refused["error"]["code"] == "tenant_forbidden"
