"""The call log's lead, caller and cursor methods: one contract for the in-memory fake and
the DynamoDB adapter on moto server."""
from ringback.calls.filters import CallFilter, filtered_page
from ringback.calls.leads import new_lead
from ringback.calls.log import CallSummary


def add(log, tenant, call_id, at, caller="+14155550011", status="ringing", **attribution):
    assert log.add(tenant, CallSummary(call_id, "s1", "+14155550101", caller, at, status, attribution))


def test_a_lead_is_written_only_over_the_version_it_was_read_at(backend, uid):
    _, log = backend
    tenant, call_id = uid("t"), uid("call")
    add(log, tenant, call_id, 1_000)
    assert log.get(call_id)[1].lead == new_lead() and log.get(call_id)[1].lead_version == 0
    sale = {**new_lead(), "status": "sale", "value": 120.5, "currency": "USD", "tags": ["vip"],
            "updated_by": "a@shop.test", "updated_at": 2_000}
    assert log.set_lead(call_id, sale, 0) is True
    assert log.set_lead(call_id, {**sale, "status": "spam"}, 0) is False  # a second writer that read v0
    _, call = log.get(call_id)
    assert (call.lead, call.lead_version) == (sale, 1)
    assert log.set_lead(call_id, {**sale, "tags": []}, 1) is True
    assert log.get(call_id)[1].lead_version == 2


def test_the_carriers_writes_and_the_leads_never_undo_each_other(backend, uid):
    _, log = backend
    tenant, call_id = uid("t"), uid("call")
    add(log, tenant, call_id, 1_000)
    lead = {**new_lead(), "status": "lead", "notes": [{"note_id": "n_1", "text": "hi", "author": "a", "at": 1}]}
    assert log.set_lead(call_id, lead, 0)
    assert log.finish(call_id, "no-answer", {"ring_seconds": 20, "talk_seconds": 0})
    log.note_alert(call_id, "tw:SM1", {"to": "+1", "status": "queued", "rank": 0})
    _, call = log.get(call_id)
    assert (call.status, call.lead, call.lead_version) == ("no-answer", lead, 1)
    assert log.set_lead(call_id, {**lead, "status": "sale"}, 1)
    _, call = log.get(call_id)
    assert call.status == "no-answer" and call.outcome["ring_seconds"] == 20 and "tw:SM1" in call.alerts


def test_no_lead_is_written_for_a_call_that_does_not_exist(backend, uid):
    _, log = backend
    missing = uid("missing")
    assert log.set_lead(missing, new_lead(), 0) is False
    assert log.get(missing) is None


def test_a_callers_calls_come_whole_and_newest_first(backend, uid):
    _, log = backend
    tenant, caller = uid("t"), "+14155550033"
    for n, at in enumerate((1_000, 4_000, 2_000, 3_000)):
        add(log, tenant, uid(f"call{n}"), at, caller=caller, source="google")
    add(log, tenant, uid("stranger"), 5_000, caller="+14155550044")
    add(log, uid("other"), uid("elsewhere"), 5_000, caller=caller)
    log.finish(uid("call1"), "answered", {"talk_seconds": 30})
    log.set_lead(uid("call1"), {**new_lead(), "status": "sale"}, 0)
    calls = log.of_caller(tenant, caller, 10)
    assert [c.started_at for c in calls] == [4_000, 3_000, 2_000, 1_000]
    assert (calls[0].outcome, calls[0].lead["status"], calls[0].lead_version) == ({"talk_seconds": 30}, "sale", 1)
    assert calls[0].attribution == {"source": "google"}
    assert [c.started_at for c in log.of_caller(tenant, caller, 2)] == [4_000, 3_000]
    assert log.of_caller(tenant, "+14155550000", 10) == []


def test_a_cursor_after_a_call_continues_right_after_it(backend, uid):
    _, log = backend
    tenant = uid("t")
    for n in range(6):
        add(log, tenant, uid(f"c{n}"), 1_000 + n * 10)
    newest_first = log.between(tenant, 0, 10_000, 10, None).items
    after = log.between(tenant, 0, 10_000, 10, log.cursor_after(tenant, newest_first[1])).items
    assert [c.call_id for c in after] == [c.call_id for c in newest_first[2:]]


def test_a_filtered_listing_stopped_part_way_through_a_page_misses_and_repeats_nothing(backend, uid):
    _, log = backend
    tenant = uid("t")
    for n in range(30):
        add(log, tenant, uid(f"c{n:02d}"), 1_000 + n, campaign="rare" if n % 4 == 0 else "common")
    where = CallFilter(campaign="rare")
    seen, cursor = [], None
    while True:
        page = filtered_page(log, tenant, 0, 10_000, 3, cursor, where)
        seen += [c.call_id for c in page.items]
        cursor = page.cursor
        if cursor is None:
            break
    assert seen == [uid(f"c{n:02d}") for n in range(29, -1, -1) if n % 4 == 0]
