"""Property-based: whatever the traffic, the allocator keeps its promises."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .tracking_world import page, world

operations = st.lists(
    st.one_of(
        st.tuples(st.just("start"), st.integers(0, 15)),  # visitor
        st.tuples(st.just("return"), st.integers(0, 15)),  # a visitor back with a new session
        st.tuples(st.just("touch"), st.integers(0, 15)),
        st.tuples(st.just("wait"), st.integers(1, 400)),  # seconds
    ),
    min_size=1,
    max_size=60,
)


def check(svc, pool, now):
    live = [lease for lease in svc.leases.leases.values() if lease.expires_at > now]
    exclusive = [lease.line for lease in live if not lease.shared]
    # No line held by two sessions at one instant (sharing is the flagged exception).
    assert len(exclusive) == len(set(exclusive))
    # Sharers of a line are told apart by their codes: no two live leases of one line
    # show the same code (a returning visitor's own earlier session aside).
    codes = {}
    for lease in live:
        holder = svc.visits.get(lease.session_id).client_id
        codes.setdefault((lease.line, lease.code), set()).add(holder)
    assert all(len(holders) == 1 for holders in codes.values())
    for lease in live:
        # No lease outlives its duration from its last extension.
        assert lease.expires_at - now <= pool.lease_seconds * 1000
        slot = svc.leases.slots[lease.line]
        assert slot["free_at"] >= lease.expires_at  # the free list never offers a held line


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=operations, policy=st.sampled_from(["default_number", "share_oldest"]), size=st.integers(1, 4))
def test_no_double_lease_and_no_lease_beyond_its_time(ops, policy, size):
    svc, clock, pool, _ = world(pool_size=size, lease_seconds=180, policy=policy)
    sessions = {}
    for op, arg in ops:
        if op == "wait":
            clock.advance(seconds=arg)
        elif op == "start":
            known = sessions.get(arg)
            sessions[arg] = svc.tracking.start(
                page(client=f"visitor-{arg:04d}", session=known.session_id if known else None)
            )
        elif op == "return":
            sessions[arg] = svc.tracking.start(page(client=f"visitor-{arg:04d}", returning=True))
        elif op == "touch" and arg in sessions:
            svc.tracking.touch(page(client=f"visitor-{arg:04d}", session=sessions[arg].session_id))
        check(svc, pool, clock.now_ms())
