import pytest

from ringback.errors import Forbidden, InvalidInput, NotFound
from ringback.tracking.codes import read_code
from ringback.tracking.leases import CANDIDATES

from .tracking_world import OWN, page, world


def shown(offer):
    [number] = offer.numbers
    return number


def test_a_paid_visitor_gets_a_pool_number_in_place_of_the_sites_own():
    svc, clock, pool, numbers = world()
    offer = svc.tracking.start(page())
    assert shown(offer).original == OWN
    assert shown(offer).number in numbers and shown(offer).kind == "pool"
    assert offer.expires_at == clock.now_ms() + pool.lease_seconds * 1000
    visit = svc.visits.get(offer.session_id)
    assert visit.utm == {"source": "google", "medium": "cpc", "term": "leak"}
    assert visit.keyword == "leak" and visit.landing_page.endswith("/pricing")


def test_a_yelp_visitor_gets_the_static_number_and_a_direct_one_the_sites_own():
    svc, _, _, _ = world()
    assert shown(svc.tracking.start(page(query="", referrer="https://m.yelp.com/biz/x"))).number == "+14155550150"
    untracked = shown(svc.tracking.start(page(client="visitor-0002", query="", referrer="")))
    assert (untracked.number, untracked.kind) == (OWN, "default")


def test_no_line_is_held_by_two_sessions_and_the_overflow_sees_the_default_number():
    svc, _, pool, numbers = world(pool_size=3)
    offers = [svc.tracking.start(page(client=f"visitor-{i:04d}")) for i in range(5)]
    held = [shown(o).number for o in offers if shown(o).kind == "pool"]
    assert sorted(held) == sorted(numbers)
    assert [shown(o).kind for o in offers[3:]] == ["default", "default"]
    assert svc.leases.overflow["p1"] == 2


def test_under_share_oldest_the_overflow_shares_the_line_ending_soonest_and_is_flagged():
    svc, clock, _, numbers = world(pool_size=2, policy="share_oldest")
    first = svc.tracking.start(page(client="visitor-0001"))
    clock.advance(seconds=90)  # beyond TIE_MS: sharers pick at random among ends within a minute
    svc.tracking.start(page(client="visitor-0002"))
    third = svc.tracking.start(page(client="visitor-0003"))
    assert shown(third).number == shown(first).number
    [lease] = svc.leases.leases_of(third.session_id)
    assert lease.shared


def test_the_line_free_the_longest_is_taken_first():
    svc, clock, _, numbers = world(pool_size=3, lease_seconds=180)
    a = svc.tracking.start(page(client="visitor-000a"))
    clock.advance(minutes=10)
    b = svc.tracking.start(page(client="visitor-000b"))
    # Both leases over: a's line free 11 minutes, b's 1 (lines free at least half as long
    # as the longest-free one count as free as long; b's is not).
    clock.advance(minutes=4)
    taken = [shown(svc.tracking.start(page(client=f"visitor-1{i:03d}"))).number for i in range(3)]
    never_used = set(numbers) - {shown(a).number, shown(b).number}
    assert taken[0] in never_used  # free since the pool began
    assert taken[1:] == [shown(a).number, shown(b).number]


def test_a_returning_visitor_gets_their_previous_number_when_it_is_free():
    svc, clock, _, _ = world(pool_size=5, lease_seconds=180)
    first = svc.tracking.start(page(client="visitor-back"))
    clock.advance(hours=2)
    again = svc.tracking.start(page(client="visitor-back", returning=True))
    assert again.session_id != first.session_id
    # The same number and the same code: what they noted down still reaches them.
    assert (shown(again).number, shown(again).extension) == (shown(first).number, shown(first).extension)


def test_every_pool_lease_shows_a_code_with_its_check_digit_labelled_in_the_sites_language():
    svc, clock, _, _ = world(pool_size=2)
    first, second = (shown(svc.tracking.start(page(client=f"visitor-{i:04d}", language="ru-RU"))) for i in (1, 2))
    assert read_code(first.extension) is not None and read_code(second.extension) is not None
    assert first.as_json()["extensionLabel"] == "доб."
    clock.advance(minutes=20)
    # The same number leased again gets the next code, not the previous holder's.
    again = shown(svc.tracking.start(page(client="visitor-0003")))
    earlier = {first.number: first.extension, second.number: second.extension}
    assert again.extension != earlier[again.number]
    assert again.as_json()["extensionLabel"] == "ext."


def test_by_default_a_full_pool_shares_the_line_active_least_recently_and_counts_the_overflow():
    svc, clock, _, _ = world(pool_size=2, policy="share_oldest")
    quiet = svc.tracking.start(page(client="visitor-0001"))
    clock.advance(seconds=70)
    busy = svc.tracking.start(page(client="visitor-0002"))
    clock.advance(seconds=30)
    svc.tracking.touch(page(client="visitor-0002", session=busy.session_id))
    third = svc.tracking.start(page(client="visitor-0003"))
    assert shown(third).number == shown(quiet).number and shown(third).kind == "pool"
    [lease] = svc.leases.leases_of(third.session_id)
    assert lease.shared and lease.code != svc.leases.leases_of(quiet.session_id)[0].code
    assert svc.leases.overflow["p1"] == 1


def test_a_returning_visitor_whose_number_was_taken_gets_another():
    svc, clock, _, _ = world(pool_size=1, lease_seconds=180)
    first = svc.tracking.start(page(client="visitor-back"))
    clock.advance(minutes=4)
    other = svc.tracking.start(page(client="visitor-else"))
    assert shown(other).number == shown(first).number
    assert shown(svc.tracking.start(page(client="visitor-back"))).kind == "default"


def test_heartbeats_extend_the_lease_but_write_only_past_half_life():
    svc, clock, pool, _ = world(lease_seconds=600)
    offer = svc.tracking.start(page())
    writes = svc.leases.meter.count
    clock.advance(minutes=2)
    same = svc.tracking.touch(page(session=offer.session_id))
    assert same.expires_at == offer.expires_at
    assert svc.leases.meter.count - writes == 1  # one read, no write
    clock.advance(minutes=4)  # 4 of 10 minutes left
    extended = svc.tracking.touch(page(session=offer.session_id))
    assert extended.expires_at == clock.now_ms() + 600_000
    assert shown(extended).number == shown(offer).number


def test_an_active_visitor_keeps_the_number_for_days_of_heartbeats():
    svc, clock, _, _ = world(pool_size=2, lease_seconds=180)
    offer = svc.tracking.start(page())
    for _ in range(int(3 * 24 * 60 / 0.75)):  # every 45 s for three days
        clock.advance(seconds=45)
        assert shown(svc.tracking.touch(page(session=offer.session_id))).number == shown(offer).number


def test_a_visitor_whose_lease_lapsed_gets_a_line_again_on_the_next_heartbeat():
    svc, clock, _, numbers = world(pool_size=1, lease_seconds=180)
    offer = svc.tracking.start(page())
    clock.advance(minutes=10)
    again = svc.tracking.touch(page(session=offer.session_id))
    assert shown(again).number == numbers[0] and again.expires_at > clock.now_ms()


def test_a_repeat_page_view_keeps_the_session_and_counts_the_page():
    svc, clock, _, _ = world()
    offer = svc.tracking.start(page())
    clock.advance(seconds=20)
    repeat = svc.tracking.start(page(session=offer.session_id, path="/contact"))
    assert repeat.session_id == offer.session_id and shown(repeat).number == shown(offer).number
    assert svc.visits.get(offer.session_id).pages_viewed == 2


def test_someone_elses_session_id_is_not_honoured():
    svc, _, _, _ = world()
    offer = svc.tracking.start(page(client="visitor-0001"))
    stolen = svc.tracking.start(page(client="visitor-0002", session=offer.session_id))
    assert stolen.session_id != offer.session_id
    with pytest.raises(NotFound):
        svc.tracking.touch(page(client="visitor-0002", session=offer.session_id))


def test_clicks_are_recorded_for_the_sessions_own_visitor_only():
    svc, clock, _, _ = world()
    offer = svc.tracking.start(page())
    svc.tracking.click(page(session=offer.session_id), shown(offer).number)
    assert svc.visits.clicks[offer.session_id] == [{"line": shown(offer).number, "at": clock.now_ms()}]
    with pytest.raises(NotFound):
        svc.tracking.click(page(client="visitor-9999", session=offer.session_id), shown(offer).number)


@pytest.mark.parametrize(
    "bad,error",
    [
        (dict(origin="https://evil.example"), Forbidden),
        (dict(client="x"), InvalidInput),
        (dict(session=["list"]), InvalidInput),
    ],
)
def test_bad_requests_are_refused_before_anything_is_leased(bad, error):
    svc, _, _, _ = world()
    with pytest.raises(error):
        svc.tracking.start(page(**bad))
    assert svc.leases.leases == {}


def test_allocation_costs_the_same_requests_for_10_and_1000_numbers():
    costs = {}
    for size in (10, 1000):
        svc, _, _, _ = world(pool_size=size)
        svc.tracking.start(page(client="warm-up-001"))
        before = svc.leases.meter.count
        for i in range(5):
            svc.tracking.start(page(client=f"visitor-{i:04d}"))
        costs[size] = (svc.leases.meter.count - before) / 5
    assert costs[10] == costs[1000] <= 3


def test_sharded_pools_spread_lines_and_still_never_double_lease():
    svc, _, _, numbers = world(pool_size=12, shards=4)
    offers = [svc.tracking.start(page(client=f"visitor-{i:04d}")) for i in range(12)]
    assert sorted(shown(o).number for o in offers) == sorted(numbers)
    assert CANDIDATES >= 2
