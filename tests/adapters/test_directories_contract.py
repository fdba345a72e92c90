"""One contract, two implementations: the in-memory fakes and the DynamoDB adapters."""
from dataclasses import replace

import pytest

from ringback.accounts.sites import Site
from ringback.accounts.tenants import Membership, Tenant
from ringback.calls.log import CallSummary
from ringback.errors import InvalidInput, PreconditionFailed
from ringback.tracking.pools import Pool


def site(uid, tenant="t", **overrides):
    fields = dict(
        site_id=uid("site"), tenant_id=uid(tenant), name="Main", site_key=uid("pk"),
        domains=frozenset({"example.com", "shop.example.org"}), own_numbers=("+14155550100",),
        working_hours={"mon": [["09:00", "18:00"]]}, settings={"widget": {"color": "#123456"}},
        created_at=1_700_000_000_000,
    )
    fields.update(overrides)
    return Site(**fields)


def test_a_site_is_found_by_its_public_key_exactly_as_saved(backend, uid):
    dirs, _ = backend
    saved = site(uid)
    dirs.sites.save(saved)
    stored = replace(saved, version=1)  # each save is one more version
    assert dirs.sites.by_key(saved.site_key) == stored
    assert dirs.sites.get(saved.site_id) == stored
    assert dirs.sites.by_key(uid("pk-unknown")) is None
    assert dirs.sites.get(uid("site-unknown")) is None


def test_a_site_is_changed_only_at_the_version_read(backend, uid):
    dirs, _ = backend
    dirs.sites.save(site(uid), expected_version=0)
    read = dirs.sites.get(site(uid).site_id)
    dirs.sites.save(replace(read, name="First"), expected_version=read.version)
    with pytest.raises(PreconditionFailed):  # a second writer who read the same version
        dirs.sites.save(replace(read, name="Second"), expected_version=read.version)
    with pytest.raises(PreconditionFailed):
        dirs.sites.save(site(uid), expected_version=0)  # it exists already
    current = dirs.sites.get(read.site_id)
    assert (current.name, current.version) == ("First", 2)
    with pytest.raises(PreconditionFailed):
        dirs.sites.delete(read.site_id, expected_version=1)
    dirs.sites.delete(read.site_id, expected_version=2)
    assert dirs.sites.get(read.site_id) is None


def test_a_tenant_lists_only_its_own_sites(backend, uid):
    dirs, _ = backend
    mine = [site(uid, site_id=uid("s1")), site(uid, site_id=uid("s2"), site_key=uid("pk2"))]
    for s in mine:
        dirs.sites.save(s)
    dirs.sites.save(site(uid, tenant="other", site_id=uid("s3"), site_key=uid("pk3")))
    assert {s.site_id for s in dirs.sites.for_tenant(uid("t"))} == {s.site_id for s in mine}


def test_memberships_and_agency_clients(backend, uid):
    dirs, _ = backend
    agency, client, user = uid("agency"), uid("client"), uid("user")
    dirs.tenants.save(Tenant(agency, "Agency", kind="agency", created_at=1))
    dirs.tenants.save(Tenant(client, "Client", parent_id=agency, retention_days=30, created_at=2))
    dirs.tenants.add_member(Membership(agency, user, "a@x.test", "admin", 3))
    assert dirs.tenants.get(client) == Tenant(client, "Client", parent_id=agency, retention_days=30, created_at=2)
    assert [t.tenant_id for t in dirs.tenants.clients_of(agency)] == [client]
    assert dirs.tenants.memberships_of(user) == [Membership(agency, user, "a@x.test", "admin", 3)]
    assert dirs.tenants.memberships_of(uid("nobody")) == []
    assert dirs.tenants.get(uid("missing")) is None


def test_pools_count_their_numbers_and_not_the_sites_static_ones(backend, uid):
    dirs, _ = backend
    s = site(uid)
    dirs.sites.save(s)
    search = Pool(uid("pool-a"), s.tenant_id, s.site_id, "search", lease_seconds=600, created_at=5)
    social = Pool(uid("pool-b"), s.tenant_id, s.site_id, "social", mode="extensions", created_at=6)
    for pool in (search, social):
        dirs.pools.save(pool)
    dirs.pools.add_numbers(search, ["+14155550101", "+14155550102", "+14155550103"], now_ms=7)
    dirs.pools.add_numbers(social, ["+14155550104"], now_ms=7)
    dirs.pools.add_static_number(s.tenant_id, s.site_id, "+14155550150", {"referrer_domain": "yelp.com"}, now_ms=7)
    stored = [replace(p, version=1) for p in (search, social)]  # each save is one more version
    assert dirs.pools.for_site(s.site_id) == sorted(stored, key=lambda p: p.pool_id)
    assert dirs.pools.size(search) == 3
    assert dirs.pools.size(social) == 1


def call(uid, n, at, caller="+14155550001"):
    return CallSummary(uid(f"call{n}"), "s1", "+14155550101", caller, at, "completed", {"source": "google"}, {})


def test_a_call_is_stored_once_however_often_the_webhook_repeats(backend, uid):
    _, log = backend
    tenant = uid("t")
    first = call(uid, 1, 1_000)
    assert log.add(tenant, first) is True
    assert log.add(tenant, first) is False
    assert log.between(tenant, 0, 10_000, 10, None).items == [first]


def test_the_call_log_pages_newest_first_within_the_range_and_the_tenant(backend, uid):
    _, log = backend
    tenant, other = uid("t"), uid("other")
    calls = [call(uid, n, 1_000 + n * 10) for n in range(7)]
    for c in calls:
        log.add(tenant, c)
    log.add(other, call(uid, 99, 1_030))
    seen, cursor = [], None
    while True:
        page = log.between(tenant, 1_010, 1_060, 2, cursor)
        assert len(page.items) <= 2
        seen.extend(page.items)
        cursor = page.cursor
        if cursor is None:
            break
    assert [c.started_at for c in seen] == [1_050, 1_040, 1_030, 1_020, 1_010]
    assert all(c.call_id.startswith("call") for c in seen)
    assert uid("call99") not in {c.call_id for c in seen}


def test_a_cursor_cannot_open_another_tenants_log(backend, uid):
    _, log = backend
    tenant, other = uid("t"), uid("other")
    for n in range(3):
        log.add(tenant, call(uid, n, 1_000 + n))
    cursor = log.between(tenant, 0, 10_000, 1, None).cursor
    assert cursor is not None
    with pytest.raises(InvalidInput):
        log.between(other, 0, 10_000, 1, cursor)
    with pytest.raises(InvalidInput):
        log.between(tenant, 0, 10_000, 1, "not-a-cursor")


@pytest.fixture(params=["memory", "dynamodb"])
def rate_counter(request):
    from ringback.adapters import dynamo, memory

    if request.param == "memory":
        return memory.MemoryRateCounter()
    request.getfixturevalue("local_aws")
    return dynamo.DynamoRateCounter()


def test_a_rate_bucket_counts_every_hit_once_even_concurrently(rate_counter, uid):
    import threading

    bucket = uid("session-ip#203.0.113.9#0")
    counts = []
    threads = [threading.Thread(target=lambda: counts.append(rate_counter.hit(bucket, 120_000))) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(counts) == list(range(1, 21))
    assert rate_counter.hit(uid("other"), 120_000) == 1


def test_a_call_ends_once_and_its_caller_is_known_afterwards(backend, uid):
    _, log = backend
    tenant = uid("t")
    first = call(uid, 1, 1_000, caller="+14155550077")
    assert not log.has_caller(tenant, "+14155550077")
    log.add(tenant, CallSummary(first.call_id, "s1", "+14155550101", "+14155550077", 1_000, "ringing"))
    assert log.has_caller(tenant, "+14155550077") and not log.has_caller(uid("other"), "+14155550077")
    assert log.finish(first.call_id, "no-answer", {"ring_seconds": 20, "talk_seconds": 0})
    assert not log.finish(first.call_id, "answered", {"talk_seconds": 5})  # a retry cannot rewrite it
    log.annotate(first.call_id, {"ring_seconds": 20, "talk_seconds": 0, "voicemail_sid": "RE9"})
    stored_tenant, stored = log.get(first.call_id)
    assert stored_tenant == tenant and stored.status == "no-answer"
    assert stored.outcome == {"ring_seconds": 20, "talk_seconds": 0, "voicemail_sid": "RE9"}
    assert log.get(uid("missing")) is None


def test_a_callers_previous_calls_come_newest_first_with_what_they_were_attributed_to(backend, uid):
    _, log = backend
    tenant, caller = uid("t"), "+14155550088"
    attribution = {"method": "code", "session_id": "sess-1", "confidence": 0.98, "source": "google"}
    for n, at in enumerate((1_000, 3_000, 2_000, 5_000)):
        log.add(tenant, CallSummary(uid(f"call{n}"), "s1", f"+1415555020{n}", caller, at, "completed",
                                    dict(attribution, session_id=f"sess-{n}"), {"talk_seconds": 30}))
    log.add(tenant, CallSummary(uid("stranger"), "s1", "+14155550200", "+14155550099", 1_500, "completed"))
    log.add(uid("other"), CallSummary(uid("elsewhere"), "s1", "+14155550200", caller, 1_500, "completed"))

    earlier = log.previous_calls(tenant, caller, 5_000)
    assert [(c.started_at, c.tracking_number, c.attribution["session_id"]) for c in earlier] == [
        (3_000, "+14155550201", "sess-1"), (2_000, "+14155550202", "sess-2"), (1_000, "+14155550200", "sess-0")]
    assert all(c.caller == caller and c.status == "completed" and c.site_id == "s1" for c in earlier)
    assert all(c.outcome == {} for c in earlier)  # what the index leaves out
    assert [c.started_at for c in log.previous_calls(tenant, caller, 5_001, limit=2)] == [5_000, 3_000]
    assert log.previous_calls(tenant, caller, 1_000) == []
    assert log.previous_calls(tenant, "+14155550000", 10_000) == []


def test_recordings_survive_an_outcome_written_after_them(backend, uid):
    _, log = backend
    tenant = uid("t")
    first = call(uid, 1, 1_000)
    log.add(tenant, CallSummary(first.call_id, "s1", "+14155550101", "+14155550001", 1_000, "ringing"))
    log.add_recording(first.call_id, "RE1", "tenants/x/RE1.wav")
    log.finish(first.call_id, "answered", {"talk_seconds": 12})
    stored = log.get(first.call_id)[1]
    assert stored.recordings == {"RE1": "tenants/x/RE1.wav"} and stored.outcome == {"talk_seconds": 12}


def test_a_sites_tracking_numbers_are_listed_with_whether_they_can_text(backend, uid):
    dirs, _ = backend
    s = site(uid)
    dirs.sites.save(s)
    pool = Pool(uid("pool"), s.tenant_id, s.site_id, "search", created_at=5)
    dirs.pools.save(pool)
    dirs.pools.add_numbers(pool, ["+14155550101"], now_ms=7)
    dirs.pools.add_static_number(s.tenant_id, s.site_id, "+14155550150", {}, now_ms=7, sms=False)
    numbers = sorted(dirs.pools.site_numbers(s.site_id), key=lambda n: n.number)
    assert [(n.number, n.kind, n.sms, n.site_id) for n in numbers] == [
        ("+14155550101", "pool", True, s.site_id), ("+14155550150", "static", False, s.site_id)]
    assert dirs.pools.site_numbers(uid("other-site")) == []


def ringing(uid, log):
    tenant, first = uid("t"), call(uid, 1, 1_000)
    log.add(tenant, CallSummary(first.call_id, "s1", "+14155550101", "+14155550001", 1_000, "ringing"))
    return first.call_id


def test_a_calls_end_is_kept_once_beside_its_outcome(backend, uid):
    _, log = backend
    call_id = ringing(uid, log)
    assert log.finish(call_id, "answered", {"talk_seconds": 62})
    assert log.record_end(call_id, "completed", 75)
    assert not log.record_end(call_id, "completed", 999)  # a retried callback
    stored = log.get(call_id)[1]
    assert (stored.status, stored.outcome, stored.carrier_status, stored.call_seconds) == (
        "answered", {"talk_seconds": 62}, "completed", 75)


def test_a_call_that_ends_before_its_outcome_is_abandoned_until_the_outcome_lands(backend, uid):
    _, log = backend
    call_id = ringing(uid, log)
    assert log.record_end(call_id, "completed", 12)
    assert log.get(call_id)[1].status == "abandoned"
    assert log.finish(call_id, "no-answer", {"ring_seconds": 12, "talk_seconds": 0})
    assert not log.finish(call_id, "answered", {"talk_seconds": 5})
    stored = log.get(call_id)[1]
    assert (stored.status, stored.call_seconds) == ("no-answer", 12)


def test_a_calls_alert_entries_only_move_forward_whatever_order_they_land_in(backend, uid):
    _, log = backend
    call_id = ringing(uid, log)
    entry = {"to": "+14155550198", "from": "+14155550101", "error_code": None, "at": 1}
    log.note_alert(call_id, "tw:SM1", {**entry, "status": "queued", "rank": 0})
    log.note_alert(call_id, "tw:SM1", {**entry, "status": "failed", "rank": 3, "error_code": "30003"})
    log.note_alert(call_id, "tw:SM1", {**entry, "status": "sent", "rank": 2})  # landed late
    log.note_alert(call_id, "tw:SM2", {**entry, "status": "queued", "rank": 0})
    log.finish(call_id, "busy", {"talk_seconds": 0})  # the outcome does not touch the alerts
    alerts = log.get(call_id)[1].alerts
    assert (alerts["tw:SM1"]["status"], alerts["tw:SM1"]["error_code"], alerts["tw:SM1"]["rank"]) == (
        "failed", "30003", 3)
    assert alerts["tw:SM2"]["status"] == "queued" and set(alerts) == {"tw:SM1", "tw:SM2"}
    log.note_alert(uid("no-such-call"), "tw:SM3", {**entry, "status": "queued", "rank": 0})  # nothing to note on
    assert log.get(uid("no-such-call")) is None


def test_a_static_number_is_removed_from_its_own_site_only(backend, uid):
    dirs, _ = backend
    s, other = site(uid), site(uid, site_id=uid("other-site"))
    pool = Pool(uid("pool"), s.tenant_id, s.site_id, "search", created_at=5)
    dirs.pools.save(pool)
    dirs.pools.add_numbers(pool, ["+14155550162"], now_ms=7)
    dirs.pools.add_static_number(s.tenant_id, s.site_id, "+14155550161", {"source": "yelp"}, now_ms=7)

    assert dirs.pools.remove_static_number(other.site_id, "+14155550161") is False
    assert dirs.pools.remove_static_number(s.site_id, "+14155550162") is False  # a pool's number
    assert dirs.pools.remove_static_number(s.site_id, "+14155550161") is True
    assert dirs.pools.remove_static_number(s.site_id, "+14155550161") is False
    assert [n.number for n in dirs.pools.site_numbers(s.site_id)] == ["+14155550162"]


def test_a_static_numbers_channel_changes_on_its_own_site_only(backend, uid):
    dirs, _ = backend
    s, other = site(uid), site(uid, site_id=uid("other-site"))
    pool = Pool(uid("pool"), s.tenant_id, s.site_id, "search", created_at=5)
    dirs.pools.save(pool)
    dirs.pools.add_numbers(pool, ["+14155550172"], now_ms=7)
    dirs.pools.add_static_number(s.tenant_id, s.site_id, "+14155550171", {"utm_source": ["yelp"]}, now_ms=7)

    assert dirs.pools.set_channel(other.site_id, "+14155550171", {}) is False
    assert dirs.pools.set_channel(s.site_id, "+14155550172", {}) is False  # a pool's number
    assert dirs.pools.set_channel(s.site_id, "+14155550179", {}) is False  # not tracked at all
    assert dirs.pools.set_channel(s.site_id, "+14155550171", {"utm_source": ["bing"], "priority": 5}) is True
    numbers = {n.number: n for n in dirs.pools.site_numbers(s.site_id)}
    assert numbers["+14155550171"].channel == {"utm_source": ["bing"], "priority": 5}
    assert numbers["+14155550172"].kind == "pool" and set(numbers) == {"+14155550171", "+14155550172"}
