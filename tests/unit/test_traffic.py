"""The benchmark's traffic generator and its naive pool (bench.traffic, bench.naive_pool):
the truth they score the product against must itself be right."""
from dataclasses import replace
from functools import cache

import phonenumbers
from phonenumbers import geocoder

from bench.geo import FICTIONAL, OTHER_REGION, STATES, pool_numbers, state_of
from bench.naive_pool import HOLD_MS, FifoPool, replay_naive
from bench.replay import replay_product
from bench.traffic import (
    MOBILE_SHARE,
    NEVER_VISITED,
    SCENARIOS,
    WITHIN_30_MIN,
    Scenario,
    generate,
    mistyped,
)

FAST = Scenario("sample", seed=11, daily=1500, days=4, considered_share=0.0)


@cache
def sample():
    return generate(FAST)


def test_a_seed_gives_the_same_trace_and_another_seed_another():
    again = generate(FAST)
    assert again.visits == sample().visits and again.calls == sample().calls
    assert generate(replace(FAST, seed=12)).calls != sample().calls


def test_every_call_names_a_real_visit_after_it_or_none_for_a_caller_who_never_visited():
    for scenario in (FAST, replace(SCENARIOS[1], days=5), replace(SCENARIOS[4], days=4)):
        trace = generate(scenario)
        visits = {v.visit_id: v for v in trace.visits}
        assert len(visits) == len(trace.visits) and len({c.call_id for c in trace.calls}) == len(trace.calls)
        for call in trace.calls:
            if call.visit_id is None:
                assert call.client_id is None and call.how == "skipped" and 0 <= call.leak < 1
                continue
            visit = visits[call.visit_id]
            assert call.client_id == visit.client_id and call.at_ms > visit.start_ms
            if call.how == "tap":
                assert visit.device == "mobile" and call.tap_at_ms == visit.end_ms < call.at_ms
            assert (call.mistype is not None) == (call.how == "mistyped")


def test_shares_land_near_their_parameters():
    trace = sample()
    visits = {v.visit_id: v for v in trace.visits}
    mobile = sum(v.device == "mobile" for v in trace.visits) / len(trace.visits)
    assert abs(mobile - MOBILE_SHARE) < 0.03
    never = sum(c.visit_id is None for c in trace.calls) / len(trace.calls)
    assert abs(never - NEVER_VISITED) < 0.02
    visited = [c for c in trace.calls if c.visit_id is not None]
    within = sum(c.at_ms - visits[c.visit_id].end_ms <= 30 * 60_000 for c in visited) / len(visited)
    # Calls due after the trace's last day are cut, and they are late ones: a little over.
    assert WITHIN_30_MIN - 0.04 < within < WITHIN_30_MIN + 0.06
    elsewhere = sum(c.caller_state != visits[c.visit_id].state for c in visited) / len(visited)
    assert abs(elsewhere - OTHER_REGION) < 0.07
    assert all(v.viewer["cloudfront-viewer-country-region"] == v.state for v in trace.visits)


def test_callers_numbers_are_distinct_fictional_and_geocode_to_the_intended_state():
    trace = sample()
    assert len({c.caller for c in trace.calls}) == len(trace.calls)  # one call per caller here
    for call in trace.calls:
        parsed = phonenumbers.parse(call.caller)
        assert phonenumbers.is_valid_number(parsed) and call.caller[5:8] == "555"
        assert int(call.caller[8:]) in FICTIONAL
        assert state_of(geocoder.description_for_number(parsed, "en")) == call.caller_state


def test_every_area_code_the_generator_may_use_geocodes_to_its_state():
    for state, (_, _, cities) in STATES.items():
        for _, code in cities:
            for subscriber in (FICTIONAL[0], FICTIONAL[-1]):
                parsed = phonenumbers.parse(f"+1{code}5550{subscriber}")
                assert state_of(geocoder.description_for_number(parsed, "en")) == state, (state, code)


def test_a_mistyped_code_differs_in_exactly_one_digit():
    for position in range(4):
        for delta in range(1, 10):
            wrong = mistyped("4821", (position, delta))
            assert len(wrong) == 4 and sum(a != b for a, b in zip(wrong, "4821", strict=True)) == 1


def test_the_naive_pool_shows_the_own_number_when_full_and_credits_the_holder_then_the_last_holder():
    pool = FifoPool(["+16505550100", "+16505550101"])
    t = 1_000_000
    first, second = pool.visit("a", t), pool.visit("b", t + 1000)
    assert pool.visit("c", t + 2000) is None  # both held for 3 minutes from their start
    assert pool.attribute(first, t + 60_000) == "a" and pool.attribute(second, t + 60_000) == "b"
    # Free again after 3 minutes, oldest first: the next visit takes the first number.
    assert pool.visit("d", t + HOLD_MS) == first
    assert pool.attribute(first, t + HOLD_MS + 1) == "d"
    assert pool.attribute(second, t + 10 * HOLD_MS) == "b"  # nobody since: its last holder
    assert pool.attribute(first, t - 1) is None


def test_both_systems_replay_a_small_trace_the_same_way_twice_with_an_outcome_for_every_call():
    trace = generate(Scenario("tiny", seed=5, daily=150, days=1, considered_share=0.5))
    numbers = pool_numbers(4)
    product = replay_product(trace, 4, numbers)
    assert set(product["calls"]) == {c.call_id for c in trace.calls} and product["errors"] == {}
    assert replay_product(trace, 4, numbers)["calls"] == product["calls"]
    naive = replay_naive(trace, 4, numbers)
    assert set(naive["calls"]) == set(product["calls"]) and naive["visits"] == len(trace.visits)
