"""An owner reads the audit log by time, by who did it and by what they did, on the
in-memory log: pages may come back short (even empty) with a cursor, following the cursor
visits every match once, and one request reads a bounded number of entries. Then the
route, with its 400s."""
from urllib.parse import urlencode

import pytest

from ringback.accounts.audit import READ_BUDGET, Audit, AuditEntry, AuditFilter
from ringback.accounts.tenants import TenantScope
from ringback.adapters.memory_accounts import MemoryAuditLog
from tests.support.authorizer import call_function
from tests.support.shop import shop_and_other

OWNER = TenantScope("shop", "owner", frozenset({"shop"}), actor="user:u-owner")
T0 = 1_780_000_000_000


class CountingLog(MemoryAuditLog):
    """The fake log, counting the entries each read hands back (what DynamoDB would bill)."""

    def __init__(self) -> None:
        super().__init__()
        self.read = 0

    def of_tenant(self, *args, **kwargs):
        entries, cursor = super().of_tenant(*args, **kwargs)
        self.read += len(entries)
        return entries, cursor


def add(log, n, at, actor="user:u-owner", action="site.updated", tenant="shop"):
    log.add(AuditEntry(tenant, f"{at:013d}#{n:08x}", at, actor, action, f"target-{n}"))


def follow(audit, where, limit=50):
    """Every page of one filtered read, as a client following the cursor sees them."""
    pages, cursor = [], None
    while True:
        page = audit.read(OWNER, limit, cursor, where)
        pages.append([e["entryId"] for e in page["entries"]])
        cursor = page["cursor"]
        if cursor is None:
            return pages


def test_a_time_range_shows_from_inclusive_to_exclusive_newest_first():
    log = MemoryAuditLog()
    for n, at in enumerate((T0 - 1, T0, T0 + 500, T0 + 999, T0 + 1_000)):
        add(log, n, at)
    page = Audit(log).read(OWNER, 50, None, AuditFilter(start_ms=T0, end_ms=T0 + 1_000))
    assert [e["at"] for e in page["entries"]] == [T0 + 999, T0 + 500, T0]
    assert page["cursor"] is None
    assert [e["at"] for e in Audit(log).read(OWNER, where=AuditFilter(end_ms=T0))["entries"]] == [T0 - 1]


def test_the_log_is_read_by_actor_and_by_action_or_a_prefix_of_actions():
    log = MemoryAuditLog()
    add(log, 1, T0 + 1, action="webhook.created")
    add(log, 2, T0 + 2, actor="key:k-1", action="webhook.secret_rotated")
    add(log, 3, T0 + 3, action="site.updated")
    add(log, 4, T0 + 4, action="webhooks_other.thing")
    add(log, 5, T0 + 5, actor="user:u-ann", action="member.removed")
    audit = Audit(log)

    def actions(**where):
        return [e["action"] for e in audit.read(OWNER, where=AuditFilter(**where))["entries"]]

    assert actions(action="webhook.") == ["webhook.secret_rotated", "webhook.created"]
    assert actions(action="site.updated") == ["site.updated"]
    assert actions(action="site") == []  # not a prefix without its dot: no action is called "site"
    assert actions(actor="key:k-1") == ["webhook.secret_rotated"]
    assert actions(actor="user:u-owner", action="webhook.") == ["webhook.created"]
    assert actions(actor="user:u-ann", start_ms=T0, end_ms=T0 + 5) == []


def test_a_rare_match_comes_in_short_pages_whose_cursors_find_every_match_once_within_a_read_budget():
    log = CountingLog()
    total = 4 * READ_BUDGET
    # None among the second newest READ_BUDGET entries.
    rare = {7, READ_BUDGET + 3, 3 * READ_BUDGET + 500, total - 1}
    for n in range(total):
        add(log, n, T0 + n, action="member.removed" if n in rare else "site.updated")
    audit, reads = Audit(log), []
    pages, cursor = [], None
    while True:
        log.read = 0
        page = audit.read(OWNER, 50, cursor, AuditFilter(action="member.removed"))
        reads.append(log.read)
        pages.append([e["at"] - T0 for e in page["entries"]])
        cursor = page["cursor"]
        if cursor is None:
            break
    assert max(reads) <= READ_BUDGET  # no request reads more than its budget
    assert [n for p in pages for n in p] == sorted(rare, reverse=True)
    assert pages == [[total - 1, 3 * READ_BUDGET + 500], [], [READ_BUDGET + 3], [7]]  # an empty page goes on


def test_a_page_that_fills_part_way_through_a_read_goes_on_right_after_its_last_entry():
    log = MemoryAuditLog()
    for n in range(9):
        add(log, n, T0 + n, actor="key:k-1" if n % 2 else "user:u-owner")
    pages = follow(Audit(log), AuditFilter(actor="key:k-1"), limit=2)
    assert [len(p) for p in pages] == [2, 2]
    seen = [e for p in pages for e in p]
    assert seen == [f"{T0 + n:013d}#{n:08x}" for n in (7, 5, 3, 1)]


def test_only_a_time_range_reads_one_page_of_the_limit():
    log = CountingLog()
    for n in range(30):
        add(log, n, T0 + n)
    page = Audit(log).read(OWNER, 5, None, AuditFilter(start_ms=T0 + 10))
    assert len(page["entries"]) == 5 and page["cursor"] is not None and log.read == 5


@pytest.mark.parametrize(("params", "field", "code"), [
    ({"from": "yesterday"}, "from", "invalid_parameter"),
    ({"from": "-5"}, "from", "invalid_parameter"),
    ({"to": "1.5"}, "to", "invalid_parameter"),
    ({"to": "12345678901234"}, "to", "invalid_parameter"),  # past what an entry id can hold
    ({"to": "0"}, "to", "invalid_parameter"),
    ({"from": str(T0), "to": str(T0)}, "to", "invalid_range"),
    ({"actor": "u-owner"}, "actor", "invalid_parameter"),
    ({"actor": "user:"}, "actor", "invalid_parameter"),
    ({"actor": ""}, "actor", "invalid_parameter"),
    ({"action": "webhook.*"}, "action", "invalid_parameter"),
    ({"action": ".created"}, "action", "invalid_parameter"),
    ({"action": "x" * 201}, "action", "invalid_parameter"),
])
def test_a_filter_it_cannot_mean_is_refused_naming_the_parameter(params, field, code):
    from ringback.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        AuditFilter.from_params(params)
    assert (refused.value.code, refused.value.details) == (code, {"field": field})


def test_an_action_is_matched_without_case_and_values_are_trimmed():
    where = AuditFilter.from_params({"action": " Webhook. ", "actor": " key:k-1 ", "from": "5", "to": "9"})
    assert where == AuditFilter(5, 9, "key:k-1", "webhook.")


# -- the route -----------------------------------------------------------------------------


@pytest.fixture
def svc():
    with shop_and_other(T0) as services:
        yield services


def audit(user="u-owner", **params):
    return call_function("pool", "GET", "/v1/audit" + (f"?{urlencode(params)}" if params else ""), user)


def test_an_owner_filters_the_log_through_the_api(svc):
    log = svc.audit._log
    add(log, 1, T0 - 10, action="webhook.created")
    add(log, 2, T0 - 5, actor="key:k-9", action="webhook.deleted")
    add(log, 3, T0 - 1, action="site.updated")
    status, body, _ = audit(action="webhook.", to=str(T0))
    assert status == 200 and [e["action"] for e in body["entries"]] == ["webhook.deleted", "webhook.created"]
    status, body, _ = audit(actor="key:k-9", **{"from": str(T0 - 5)})
    assert status == 200 and [e["entryId"] for e in body["entries"]] == [f"{T0 - 5:013d}#{2:08x}"]
    status, body, _ = audit(limit="1", action="webhook.")
    assert status == 200 and len(body["entries"]) == 1 and body["cursor"]
    status, body, _ = audit(limit="1", action="webhook.", cursor=body["cursor"])
    assert [e["action"] for e in body["entries"]] == ["webhook.created"] and body["cursor"] is None


@pytest.mark.parametrize(("params", "status", "code"), [
    ({"from": "last week"}, 400, "invalid_parameter"),
    ({"from": str(T0), "to": str(T0 - 1)}, 400, "invalid_range"),
    ({"actor": "somebody"}, 400, "invalid_parameter"),
    ({"action": "webhook.*"}, 400, "invalid_parameter"),
    ({"cursor": "not-a-cursor"}, 400, "invalid_cursor"),
])
def test_bad_filters_get_a_400_in_our_error_shape(svc, params, status, code):
    answer, body, _ = audit(**params)
    assert answer == status and body["error"]["code"] == code and "message" in body["error"]


def test_an_analyst_may_not_read_the_log_whatever_the_filter(svc):
    answer, body, _ = audit("u-analyst", action="webhook.")
    assert answer == 403 and body["error"]["code"] == "role_forbidden"
