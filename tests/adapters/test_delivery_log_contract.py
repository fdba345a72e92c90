"""The webhook delivery log's contract, for the in-memory fake and the DynamoDB adapter
alike: an endpoint's attempts come back whole, newest first, a page at a time until the
end, only within the window asked for, and never another endpoint's, site's or tenant's."""
import pytest

from ringback.adapters.memory_deliveries import MemoryDeliveryLog
from ringback.calls.deliveries import DeliveryAttempt

AT = 1_780_000_000_000


@pytest.fixture(params=["memory", "dynamodb"])
def log(request):
    if request.param == "memory":
        return MemoryDeliveryLog()
    from ringback.adapters.dynamo_deliveries import DynamoDeliveryLog

    request.getfixturevalue("local_aws")
    return DynamoDeliveryLog()


def attempt(uid, n=1, at=AT, **overrides):
    fields = dict(tenant_id=uid("t"), site_id="s1", endpoint_id="wh_1", event_id=f"call.missed:tw:CA{n}",
                  event_type="call.missed", attempt=1, at=at, outcome="failed", http_status=503, duration_ms=42,
                  error="answered HTTP 503")
    return DeliveryAttempt(**{**fields, **overrides})


def read(log, first, since=0, limit=50, after=None, **key):
    where = {"tenant_id": first.tenant_id, "site_id": first.site_id, "endpoint_id": first.endpoint_id, **key}
    return log.of_endpoint(where["tenant_id"], where["site_id"], where["endpoint_id"], since, limit, after)


def test_an_attempt_comes_back_as_it_was_kept(log, uid):
    failed = attempt(uid)
    delivered = attempt(uid, 2, at=AT + 10, outcome="delivered", http_status=200, error=None, attempt=3)
    timed_out = attempt(uid, 3, at=AT + 20, outcome="timed_out", http_status=None, error="no answer in time")
    for a in (failed, delivered, timed_out):
        log.add(a)
    assert read(log, failed) == ([timed_out, delivered, failed], None)


def test_the_same_attempt_kept_twice_is_one(log, uid):
    log.add(attempt(uid))
    log.add(attempt(uid))
    assert len(read(log, attempt(uid))[0]) == 1


def test_pages_go_newest_first_to_the_end_with_no_empty_last_page(log, uid):
    kept = [attempt(uid, n, at=AT + n) for n in range(5)]
    for a in kept:
        log.add(a)
    seen, after = [], None
    pages = 0
    while True:
        page, after = read(log, kept[0], limit=2, after=after)
        seen += page
        pages += 1
        assert page
        if after is None:
            break
    assert seen == list(reversed(kept)) and pages == 3
    assert read(log, kept[0], limit=5) == (list(reversed(kept)), None)


def test_only_attempts_within_the_window_are_read(log, uid):
    old, new = attempt(uid, 1, at=AT), attempt(uid, 2, at=AT + 1000)
    log.add(old)
    log.add(new)
    assert read(log, old, since=AT + 1) == ([new], None)
    # A cursor from before the window has nothing after it.
    assert read(log, old, since=AT + 1, after=old.delivery_id) == ([], None)


def test_another_endpoint_site_or_tenant_reads_nothing_of_it(log, uid):
    mine = attempt(uid)
    log.add(mine)
    assert read(log, mine, endpoint_id="wh_2") == ([], None)
    assert read(log, mine, site_id="s2") == ([], None)
    assert read(log, mine, tenant_id=uid("other")) == ([], None)
    # Nor does a cursor lead out of the endpoint's own log.
    theirs = attempt(uid, 9, at=AT + 5, endpoint_id="wh_2")
    log.add(theirs)
    assert read(log, mine, after=theirs.delivery_id) == ([mine], None)
