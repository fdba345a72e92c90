import pytest

from ringback.accounts.tenants import TenantScope
from ringback.adapters.memory import MemoryCallLog
from ringback.calls.log import CallSummary, calls_between
from ringback.errors import Forbidden, InvalidInput

AGENCY = TenantScope("agency", "admin", frozenset({"agency", "client-a"}))


def log_with_calls():
    log = MemoryCallLog()
    log.add("client-a", CallSummary("tw:CA1", "s1", "+14155550101", "+14155550001", 1_000, "completed"))
    log.add("other", CallSummary("tw:CA2", "s9", "+14155550109", "+14155550002", 1_500, "completed"))
    return log


def test_an_agency_reads_a_clients_calls_by_naming_it():
    page = calls_between(log_with_calls(), AGENCY, "client-a", 0, 2_000, 10, None)
    assert [c.call_id for c in page.items] == ["tw:CA1"]


def test_no_scope_reads_a_tenant_outside_it():
    with pytest.raises(Forbidden):
        calls_between(log_with_calls(), AGENCY, "other", 0, 2_000, 10, None)


@pytest.mark.parametrize("start,end,limit", [(10, 10, 5), (0, 400 * 86_400_000, 5), (0, 10, 0), (0, 10, 201)])
def test_bad_ranges_and_limits_are_refused(start, end, limit):
    with pytest.raises(InvalidInput):
        calls_between(log_with_calls(), AGENCY, None, start, end, limit, None)
