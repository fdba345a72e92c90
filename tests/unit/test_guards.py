import pytest

from ringback.errors import RateLimited
from ringback.guards import SESSION_LIMITS

from .tracking_world import page, world


def start_from(svc, address, client):
    context = page(client=client, query="")
    return svc.tracking.start(context.__class__(**{**context.__dict__, "client_address": address}))


def test_one_address_cannot_drain_a_pool_with_fresh_client_ids():
    svc, clock, _, _ = world()
    per_ip = SESSION_LIMITS[0].per_window
    for i in range(per_ip):
        start_from(svc, "203.0.113.9", f"bot-client-{i:04d}")
    with pytest.raises(RateLimited) as refused:
        start_from(svc, "203.0.113.9", "bot-client-next")
    assert 1 <= refused.value.retry_after_seconds <= 60
    start_from(svc, "198.51.100.7", "real-visitor-01")  # other visitors are unaffected
    clock.advance(seconds=60)
    start_from(svc, "203.0.113.9", "bot-client-later")  # a new window


def test_heartbeats_and_repeat_views_are_not_counted():
    svc, _, _, _ = world()
    offer = start_from(svc, "203.0.113.9", "visitor-0001")
    for _ in range(SESSION_LIMITS[0].per_window + 5):
        svc.tracking.start(page(session=offer.session_id, client="visitor-0001"))
