import pytest

from ringback.errors import InvalidInput
from ringback.tracking.leases import HistoryEntry
from ringback.tracking.pools import Pool
from ringback.tracking.sizing import erlang_b, peak_concurrency, pool_health, servers_for


def test_erlang_b_matches_published_table_values():
    # Standard Erlang-B table: 10 servers at 5 erlangs block 1.84%; 1 server at 1 erlang 50%.
    assert erlang_b(1, 1.0) == pytest.approx(0.5)
    assert erlang_b(10, 5.0) == pytest.approx(0.01838, abs=1e-5)
    assert erlang_b(0, 3.0) == 1.0


def test_required_size_is_the_smallest_that_meets_the_target():
    # At 5 erlangs a 1% target needs 11 lines (10 block 1.84%, 11 block 0.83%).
    assert servers_for(5.0, 0.01) == 11
    assert erlang_b(11, 5.0) <= 0.01 < erlang_b(10, 5.0)
    with pytest.raises(InvalidInput):
        servers_for(5.0, 0)


def h(start_min, end_min, shared=False, line="+1"):
    return HistoryEntry(line, f"s{start_min}", "p", "t", "v", start_min * 60_000, end_min * 60_000, shared)


def test_peak_concurrency_counts_overlaps_and_treats_touching_leases_as_sequential():
    assert peak_concurrency([h(0, 10), h(5, 15), h(8, 9), h(15, 20)], 0, 60 * 60_000) == 3


def test_health_reports_load_utilisation_and_recommended_size():
    pool = Pool("p", "t", "s", "search", lease_seconds=600, overflow_count=4)
    # 60 leases of 10 minutes in an hour: 10 erlangs offered to a pool of 8.
    history = [h(i, i + 10, shared=(i % 20 == 0)) for i in range(60)]
    health = pool_health(pool, 8, history, 0, 60 * 60_000, 0.01)
    assert health.arrivals_per_hour == 60 and health.mean_hold_seconds == 600
    assert health.offered_load_erlangs == pytest.approx(10.0)
    assert health.recommended_size == servers_for(10.0, 0.01) == 18
    assert health.blocking_probability == pytest.approx(erlang_b(8, 10.0))
    assert health.peak_concurrent == 10 and health.overflow_count == 4 and health.shared_leases == 3


def test_the_size_for_a_target_accuracy_is_the_smallest_pool_expected_to_reach_it():
    from ringback.tracking.sizing import expected_accuracy, size_for_accuracy

    arrivals, load = 60.0, 5.0  # an hour's sessions and the lines they hold at once
    sizes = [expected_accuracy(n, arrivals, load) for n in (6, 10, 25, 50, 100)]
    assert sizes == sorted(sizes) and sizes[0] < 0.6 < 0.9 < sizes[-1]
    needed = size_for_accuracy(arrivals, load, 0.9)
    assert expected_accuracy(needed, arrivals, load) >= 0.9 > expected_accuracy(needed - 1, arrivals, load)
    # Calls without codes come days later too: each point more costs far more numbers.
    assert size_for_accuracy(arrivals, load, 0.95) > 3 * needed


def test_an_extension_pool_counts_its_lines_not_its_numbers():
    from ringback.tracking.pools import Pool, pool_json

    shown = pool_json(Pool("p", "t", "s", "ext", mode="extensions"), ["+14155550101"])
    assert (shown["size"], shown["lines"]) == (1, 1000)
