"""Sizing a pool before it exists, from the visitors a site expects a day: the advice the
onboarding wizard shows (ringback.tracking.sizing.advise, GET /v1/pool-sizing)."""
import pytest

from ringback.errors import InvalidInput
from ringback.tracking.sizing import (
    PEAK_HOUR_SHARE,
    VISIT_SECONDS,
    advise,
    erlang_b,
    expected_accuracy,
    servers_for,
    size_for_accuracy,
)
from tests.support.authorizer import call_function
from tests.support.shop import shop_and_other


def test_a_thousand_visitors_a_day_need_a_few_dozen_numbers_sized_for_the_busiest_hour():
    advice = advise(1000)
    # 83 visits in the busiest hour, each holding a number 3 minutes and the 3-minute lease.
    assert advice.arrivals_per_hour == pytest.approx(1000 * PEAK_HOUR_SHARE)
    assert advice.mean_hold_seconds == VISIT_SECONDS + 180
    load = advice.arrivals_per_hour * advice.mean_hold_seconds / 3600
    assert advice.offered_load_erlangs == pytest.approx(load)
    assert advice.size_for_target == servers_for(load, 0.01)
    assert advice.size_for_accuracy == size_for_accuracy(advice.arrivals_per_hour, load, 0.9)
    # Accuracy asks for more numbers than blocking does: the recommendation is the larger.
    assert advice.recommended_size == advice.size_for_accuracy > advice.size_for_target
    assert 20 <= advice.recommended_size <= 50  # the benchmark's 25 to 50 per 1,000 daily visitors
    assert advice.expected_accuracy == pytest.approx(
        expected_accuracy(advice.recommended_size, advice.arrivals_per_hour, load)) and advice.expected_accuracy >= 0.9
    assert advice.blocking_probability == pytest.approx(erlang_b(advice.recommended_size, load))
    assert advice.blocking_probability <= 0.01


def test_more_visitors_or_a_longer_lease_need_more_numbers():
    assert advise(100).recommended_size < advise(1000).recommended_size < advise(10_000).recommended_size
    assert advise(1000, lease_seconds=1800).recommended_size > advise(1000).recommended_size


@pytest.mark.parametrize("visitors, lease", [(0, 180), (2.5, 180), (2_000_000, 180), (1000, 60), (1000, 10**7)])
def test_visitors_and_lease_out_of_range_are_refused(visitors, lease):
    with pytest.raises(InvalidInput):
        advise(visitors, lease_seconds=lease)


@pytest.fixture
def svc():
    with shop_and_other(1_780_000_000_000) as services:
        yield services


def test_a_member_asks_for_the_advice_through_the_api(svc):
    status, body, _ = call_function("pool", "GET", "/v1/pool-sizing?dailyVisitors=1000&leaseSeconds=600", "u-analyst")
    assert status == 200, body
    assert body == advise(1000, lease_seconds=600).as_json()
    assert {"dailyVisitors", "recommendedSize", "sizeForTarget", "sizeForAccuracy", "expectedAccuracy"} <= set(body)


def test_without_a_number_of_visitors_the_advice_is_for_a_thousand_a_day(svc):
    status, body, _ = call_function("pool", "GET", "/v1/pool-sizing", "u-admin")
    assert status == 200 and body == advise(1000).as_json()


@pytest.mark.parametrize("query, field", [("?dailyVisitors=many", "dailyVisitors"),
                                          ("?dailyVisitors=0", "dailyVisitors"),
                                          ("?dailyVisitors=100&leaseSeconds=5", "leaseSeconds")])
def test_a_bad_number_is_a_400_naming_the_field(svc, query, field):
    status, body, _ = call_function("pool", "GET", f"/v1/pool-sizing{query}", "u-admin")
    assert status == 400, body
    assert body["error"]["details"]["field"] == field and body["error"]["message"]


def test_a_stranger_to_every_tenant_is_refused(svc):
    status, _, _ = call_function("pool", "GET", "/v1/pool-sizing?dailyVisitors=100", "u-nobody")
    assert status in (403, 404)
