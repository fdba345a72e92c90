"""Callback requests and the dial workflow's steps, on the in-memory adapters: what the
visitor sees, who is rung, and what the workflow is told, round by round."""
import pytest

from ringback.accounts.sites import Site
from ringback.accounts.tenants import TenantScope
from ringback.callbacks.model import CallbackForm
from ringback.errors import InvalidInput, RateLimited

from .tracking_world import ORIGIN, START, page, world

VISITOR = "+14155550123"  # San Francisco: America/Los_Angeles
OPERATORS = ("+14155550199", "+14155550198")
# 10:00 in San Francisco on a Friday: inside the visitor's reasonable hours.
DAYTIME = START + 10 * 3_600_000


def callback_world(**callback):
    svc, clock, _, _ = world()
    clock.advance(ms=DAYTIME - START)
    site = svc.sites.get("s1")
    svc.sites.save(Site(**{**site.__dict__, "destination_numbers": OPERATORS, "alert_contacts": ("+14155550177",),
                           "settings": {"callback": callback}}))
    return svc, clock


def form(phone=VISITOR, **extra):
    values = {"site_key": "pk_1", "origin": ORIGIN, "phone": phone, "country": "US", "client_address": "198.51.100.7"}
    return CallbackForm(**{**values, **extra})


def answers(svc):
    return svc.callbacks._workflow.answers


def run_plan(svc, request_id, last=None):
    return svc.callbacks.plan(request_id, last)


def ring_round(svc, request_id, token):
    step = run_plan(svc, request_id, {})
    assert step.action == "ring"
    ring = step.ring
    svc.callbacks.ring(request_id, {"round": ring.round, "leg_seq": ring.leg_seq, "operators": list(ring.operators),
                                    "ring_seconds": ring.ring_seconds}, token)
    return ring


def test_a_request_is_stored_attributed_and_its_workflow_started():
    svc, _ = callback_world()
    offer = svc.tracking.start(page())
    request, merged = svc.callbacks.request(form(phone="(415) 555-0123", session_id=offer.session_id,
                                                 page=f"{ORIGIN}/pricing"))
    assert not merged and request.phone == VISITOR and request.status == "accepted"
    assert request.attribution["source"] == "google" and request.attribution["keyword"] == "leak"
    assert svc.callbacks._workflow.started == [request.request_id]
    assert svc.callbacks.public_status("pk_1", ORIGIN, request.request_id)["status"] == "accepted"


def test_a_repeat_within_ten_minutes_merges_into_the_first_request():
    svc, clock = callback_world()
    first, _ = svc.callbacks.request(form())
    clock.advance(minutes=3)
    again, merged = svc.callbacks.request(form(phone="+1 415 555 0123"))
    assert merged and again.request_id == first.request_id
    clock.advance(minutes=10)
    later, merged = svc.callbacks.request(form())
    assert not merged and later.request_id != first.request_id


@pytest.mark.parametrize(("phone", "country", "code"), [
    ("12", "US", "invalid_phone"),
    ("+1 415 555", "US", "invalid_phone"),
    ("+44 20 7946 0000", "GB", "country_not_allowed"),
    ("+1 900 555 0123", "US", "premium_number"),
    ("+14155550199", "US", "invalid_phone"),  # the operator's own number
])
def test_bad_numbers_are_refused_with_a_reason(phone, country, code):
    svc, _ = callback_world()
    with pytest.raises(InvalidInput) as refused:
        svc.callbacks.request(form(phone=phone, country=country))
    assert refused.value.code == code
    assert svc.callbacks._workflow.started == []


def test_a_site_may_allow_other_countries_and_block_prefixes():
    svc, _ = callback_world(countries=["US", "GB"], blocked_prefixes=["+4470"])
    request, _ = svc.callbacks.request(form(phone="020 7946 0000", country="GB"))
    assert request.phone == "+442079460000"
    with pytest.raises(InvalidInput) as refused:
        svc.callbacks.request(form(phone="+44 7011 123456", country="GB"))
    assert refused.value.code == "premium_number"


def test_one_address_cannot_request_more_than_ten_callbacks_an_hour():
    svc, _ = callback_world()
    for n in range(10):
        svc.callbacks.request(form(phone=f"+1415555{n:04d}"))
    with pytest.raises(RateLimited):
        svc.callbacks.request(form(phone="+14155550999"))
    # Another address is not affected.
    svc.callbacks.request(form(phone="+14155550999", client_address="203.0.113.9"))


def test_operator_answers_hears_the_context_and_the_visitor_is_connected():
    svc, clock = callback_world()
    svc.tracking.start(page())
    request, _ = svc.callbacks.request(form(page=f"{ORIGIN}/pricing"))
    rid = request.request_id
    ring = ring_round(svc, rid, "token-1")
    assert ring.operators == (OPERATORS[0],)
    [placed] = svc.callbacks._dialer.placed
    # From the site's static tracking number: the account owns it, unlike the site's own.
    assert placed["to"] == OPERATORS[0] and placed["from"] == "+14155550150"
    assert svc.callbacks.public_status("pk_1", ORIGIN, rid)["status"] == "calling_operator"

    clock.advance(seconds=6)
    bridge = svc.callbacks.operator_answered(rid, "01#operator#00", placed["call_id"])
    assert bridge.visitor == VISITOR and "Page /pricing" in bridge.whisper
    assert svc.callbacks.public_status("pk_1", ORIGIN, rid)["status"] == "calling_visitor"
    clock.advance(seconds=9)
    svc.callbacks.leg_status(rid, "01#visitor#00", "CA-visitor", "in-progress", None)
    assert svc.callbacks.public_status("pk_1", ORIGIN, rid)["status"] == "connected"
    assert answers(svc)["token-1"] == ("success", {"result": "connected", "round": 1})

    clock.advance(seconds=60)
    assert svc.callbacks.bridge_complete(rid, 1, "completed", "CA-visitor", 58, True)
    step = run_plan(svc, rid, {"result": "connected", "round": 1})
    assert (step.action, step.status) == ("done", "completed")
    detail = svc.callbacks.detail(TenantScope("t1", "owner", frozenset({"t1"})), rid)
    assert detail["status"] == "completed" and detail["outcome"]["talk_seconds"] == 58
    legs = {leg["leg"]: leg for leg in detail["legs"]}
    assert legs["01#operator#00"]["ring_seconds"] == 6 and legs["01#visitor#00"]["talk_seconds"] == 58
    assert [t["status"] for t in detail["transitions"]] == [
        "accepted", "calling_operator", "calling_visitor", "connected", "completed"]
    assert svc.notifier.sent == []


def test_an_operator_who_does_not_answer_passes_the_call_to_the_next_one():
    svc, clock = callback_world()
    rid = svc.callbacks.request(form())[0].request_id
    ring_round(svc, rid, "token-1")
    clock.advance(seconds=20)
    svc.callbacks.leg_status(rid, "01#operator#00", "CA1", "no-answer", 0)
    assert answers(svc)["token-1"][:2] == ("failure", "Callback.OperatorNoAnswer")

    step = run_plan(svc, rid, {"Error": "Callback.OperatorNoAnswer", "Cause": "operator_no_answer"})
    assert step.action == "ring" and step.ring.operators == (OPERATORS[1],) and step.ring.round == 1


def test_all_at_once_rings_every_operator_and_the_first_to_answer_takes_the_call():
    svc, clock = callback_world(hunt="simultaneous")
    rid = svc.callbacks.request(form())[0].request_id
    ring = ring_round(svc, rid, "token-1")
    assert ring.operators == OPERATORS
    first, second = svc.callbacks._dialer.placed
    assert svc.callbacks.operator_answered(rid, "01#operator#01", second["call_id"]) is not None
    assert svc.callbacks._dialer.cancelled == [first["call_id"]]
    assert svc.callbacks.operator_answered(rid, "01#operator#00", first["call_id"]) is None


def test_a_busy_visitor_is_retried_in_two_minutes():
    svc, clock = callback_world()
    rid = svc.callbacks.request(form())[0].request_id
    ring_round(svc, rid, "token-1")
    svc.callbacks.operator_answered(rid, "01#operator#00", "CA1")
    assert not svc.callbacks.bridge_complete(rid, 1, "busy", "CA2", 0, False)
    assert answers(svc)["token-1"][:2] == ("failure", "Callback.VisitorBusy")

    step = run_plan(svc, rid, {"Error": "Callback.VisitorBusy"})
    assert step.action == "wait" and step.wait_ms == 120_000
    status = svc.callbacks.public_status("pk_1", ORIGIN, rid)
    assert status["status"] == "retry_scheduled" and status["retryAt"] == clock.now_ms() + 120_000


def test_a_visitor_who_does_not_answer_is_retried_at_five_and_thirty_minutes_then_missed():
    svc, clock = callback_world()
    rid = svc.callbacks.request(form())[0].request_id
    waits = []
    for n in range(1, 4):
        ring_round(svc, rid, f"token-{n}") if n == 1 else _ring_after_wait(svc, rid, f"token-{n}")
        svc.callbacks.operator_answered(rid, f"{n:02d}#operator#00", f"CA{n}")
        svc.callbacks.bridge_complete(rid, n, "no-answer", f"CV{n}", 0, False)
        step = run_plan(svc, rid, {"Error": "Callback.VisitorNoAnswer"})
        if step.action == "wait":
            waits.append(step.wait_ms // 60_000)
            clock.advance(ms=step.wait_ms)
    assert waits == [5, 30]
    assert (step.action, step.status) == ("done", "missed")
    [sms] = svc.notifier.sent
    assert sms["to"] == "+14155550177" and VISITOR in sms["body"]


def _ring_after_wait(svc, rid, token):
    step = run_plan(svc, rid, {})
    assert step.action == "ring", step
    svc.callbacks.ring(rid, {"round": step.ring.round, "leg_seq": step.ring.leg_seq,
                             "operators": list(step.ring.operators), "ring_seconds": 20}, token)


def test_off_hours_a_request_waits_for_the_opening_and_the_widget_says_when():
    svc, clock = callback_world()
    site = svc.sites.get("s1")
    # It is Friday 13:00 in New York; the site opens on Mondays only.
    svc.sites.save(Site(**{**site.__dict__, "timezone": "America/New_York",
                           "working_hours": {"mon": [["09:00", "18:00"]]}}))
    rid = svc.callbacks.request(form())[0].request_id
    step = run_plan(svc, rid, {})
    assert step.action == "wait"
    status = svc.callbacks.public_status("pk_1", ORIGIN, rid)
    assert status["status"] == "scheduled" and status["scheduledFor"] == clock.now_ms() + step.wait_ms
    clock.advance(ms=step.wait_ms)
    assert run_plan(svc, rid, {}).action == "ring"


def test_the_visitors_night_is_respected_even_when_the_site_is_open():
    svc, clock = callback_world()
    # 23:30 in San Francisco: the site (open around the clock) may call, the visitor not yet.
    clock.advance(hours=13, minutes=30)
    rid = svc.callbacks.request(form())[0].request_id
    step = run_plan(svc, rid, {})
    assert step.action == "wait" and step.wait_ms == 9.5 * 3_600_000


def test_a_lost_round_hangs_up_its_legs_and_counts_as_an_operator_failure():
    svc, clock = callback_world(hunt="simultaneous", operator_retry_seconds=60)
    rid = svc.callbacks.request(form())[0].request_id
    ring_round(svc, rid, "token-1")
    step = run_plan(svc, rid, {"Error": "States.Timeout"})
    assert len(svc.callbacks._dialer.cancelled) == 2
    assert step.action == "wait" and step.wait_ms == 60_000


def test_a_webhook_retried_by_the_carrier_answers_the_token_once():
    svc, _ = callback_world()
    rid = svc.callbacks.request(form())[0].request_id
    ring_round(svc, rid, "token-1")
    svc.callbacks.operator_answered(rid, "01#operator#00", "CA1")
    for _ in range(2):
        svc.callbacks.leg_status(rid, "01#visitor#00", "CV1", "in-progress", None)
        svc.callbacks.bridge_complete(rid, 1, "completed", "CV1", 30, True)
    request = svc.callbacks._store.get(rid)
    assert [t["status"] for t in request.transitions].count("connected") == 1
    assert list(answers(svc)) == ["token-1"]


def test_the_request_stays_connected_while_they_talk_and_completes_when_the_call_ends():
    svc, clock = callback_world()
    site = svc.sites.get("s1")
    hook = {"url": "https://crm.example/hooks", "secret": "whsec-0123456789abcdef0123"}
    svc.sites.save(Site(**{**site.__dict__, "settings": {**site.settings, "webhooks": [hook]}}))
    rid = svc.callbacks.request(form())[0].request_id
    ring_round(svc, rid, "token-1")
    svc.callbacks.operator_answered(rid, "01#operator#00", "CA1")
    svc.callbacks.leg_status(rid, "01#visitor#00", "CV1", "in-progress", None)
    # The workflow hears "connected" at once and finishes; the two are still talking.
    step = run_plan(svc, rid, {"result": "connected", "round": 1})
    assert step.action == "done"
    assert svc.callbacks.public_status("pk_1", ORIGIN, rid)["status"] == "connected"
    clock.advance(minutes=7)
    for _ in range(2):  # the carrier retries the <Dial> action
        svc.callbacks.bridge_complete(rid, 1, "completed", "CV1", 420, True)
    request = svc.callbacks._store.get(rid)
    assert request.status == "completed" and request.outcome["talk_seconds"] == 420
    assert [t["status"] for t in request.transitions][-2:] == ["connected", "completed"]
    # Told once, to the site's CRM, when the call ended; nobody is texted about it.
    assert [d.event_type for d in svc.events._queue.take_all()] == ["callback.completed"]
    assert svc.notifier.sent == []


def test_a_retried_ring_task_rings_nobody_twice_and_keeps_what_happened_since():
    svc, _ = callback_world()
    rid = svc.callbacks.request(form())[0].request_id
    step = run_plan(svc, rid, {})
    ring = {"round": 1, "leg_seq": 0, "operators": list(step.ring.operators), "ring_seconds": 20}
    svc.callbacks.ring(rid, ring, "token-1")
    svc.callbacks.operator_answered(rid, "01#operator#00", "CA1")
    svc.callbacks.ring(rid, ring, "token-1")  # Step Functions retries the task
    assert len(svc.callbacks._dialer.placed) == 1
    request = svc.callbacks._store.get(rid)
    assert request.pending["operator_leg"] == "01#operator#00" and request.status == "calling_visitor"


def test_a_caller_id_the_carrier_refuses_fails_the_request_at_once_and_says_why():
    # The site's static number was released at the carrier: the account may now call
    # only from another number, and the carrier refuses the leg (21210).
    svc, _ = callback_world(hunt="simultaneous", max_rounds=4)
    svc.callbacks._dialer.caller_ids = {"+14155550160"}
    rid = svc.callbacks.request(form())[0].request_id
    ring_round(svc, rid, "token-1")
    assert svc.callbacks._dialer.placed == []
    # The round ends at once (the second operator is not tried: it would be refused alike).
    assert answers(svc)["token-1"][:2] == ("failure", "Callback.CallerIdRefused")
    step = run_plan(svc, rid, {"Error": "Callback.CallerIdRefused", "Cause": "caller_id_refused"})
    assert (step.action, step.status) == ("done", "failed")
    detail = svc.callbacks.detail(TenantScope("t1", "owner", frozenset({"t1"})), rid)
    assert detail["outcome"]["result"] == "caller_id_refused"
    [leg] = detail["legs"]
    assert (leg["number"], leg["status"], leg["error_code"]) == (OPERATORS[0], "failed", "21210")
    assert svc.callbacks.public_status("pk_1", ORIGIN, rid)["status"] == "failed"
    # The site hears that the visitor was not called back.
    [sms] = svc.notifier.sent
    assert VISITOR in sms["body"]


def test_an_operator_number_the_carrier_refuses_passes_the_call_to_the_next_one():
    svc, _ = callback_world()
    rid = svc.callbacks.request(form())[0].request_id
    dialer = svc.callbacks._dialer
    real_place = dialer.place_call

    def refuse_first(to, *args):
        if to == OPERATORS[0]:
            from ringback.callbacks.model import CallRefused
            raise CallRefused("21211", f"Invalid 'To' Phone Number: {to}")
        return real_place(to, *args)

    dialer.place_call = refuse_first
    ring_round(svc, rid, "token-1")
    assert answers(svc)["token-1"][:2] == ("failure", "Callback.OperatorFailed")
    step = run_plan(svc, rid, {"Error": "Callback.OperatorFailed", "Cause": "operator_failed"})
    assert step.action == "ring" and step.ring.operators == (OPERATORS[1],)
    [leg] = svc.callbacks._store.legs_of(rid)
    assert (leg.status, leg.error_code) == ("failed", "21211")


def test_a_site_deleted_while_its_operators_ring_ends_the_callback_as_failed_and_says_why():
    svc, _ = callback_world(hunt="simultaneous")
    rid = svc.callbacks.request(form())[0].request_id
    ring_round(svc, rid, "token-1")
    first, second = svc.callbacks._dialer.placed
    svc.sites.delete("s1", svc.sites.get("s1").version)

    # The operator who picks up is hung up, the other one's ringing is cancelled, and the
    # round ends at once, saying why.
    assert svc.callbacks.operator_answered(rid, "01#operator#00", first["call_id"]) is None
    assert svc.callbacks._dialer.cancelled == [second["call_id"]]
    assert answers(svc)["token-1"][:2] == ("failure", "Callback.SiteRemoved")
    assert svc.callbacks.operator_answered(rid, "01#operator#01", second["call_id"]) is None

    step = run_plan(svc, rid, {"Error": "Callback.SiteRemoved", "Cause": "site_removed"})
    assert (step.action, step.status) == ("done", "failed")
    request = svc.callbacks._store.get(rid)
    assert request.outcome["result"] == "site_removed" and request.rounds[-1]["result"] == "site_removed"
    assert request.transitions[-1] == {"status": "failed", "at": request.updated_at, "reason": "site_removed"}
    assert svc.notifier.sent == []  # no site left whose contacts to text
