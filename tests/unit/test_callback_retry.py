"""A member dials a missed or failed callback again, on the in-memory adapters: the request
is reopened with who asked, a new execution of the dial workflow starts and rings a fresh
series of rounds, and nothing dials twice (a second press, the same Idempotency-Key, two
members at once). Then the route, as the dashboard calls it."""
import json

import pytest

from ringback.accounts.tenants import Membership, TenantScope
from ringback.callbacks.model import execution_name
from ringback.callbacks.retries import MAX_RETRIES
from ringback.errors import Conflict, InvalidInput, NotFound
from tests.support.authorizer import call_function

from .test_callbacks import OPERATORS, VISITOR, answers, callback_world, form, ring_round, run_plan

ADMIN = TenantScope("t1", "admin", frozenset({"t1"}), actor="user:u-admin")


def missed_request(svc, clock):
    """A request whose one round its one operator did not answer (max_rounds 1): missed."""
    rid = svc.callbacks.request(form())[0].request_id
    ring_round(svc, rid, "token-1")
    clock.advance(seconds=20)
    svc.callbacks.leg_status(rid, "01#operator#00", "CA1", "no-answer", 0)
    step = run_plan(svc, rid, {"Error": "Callback.OperatorNoAnswer"})
    assert (step.action, step.status) == ("done", "missed")
    return rid


@pytest.fixture
def world():
    svc, clock = callback_world(max_rounds=1, operators=[OPERATORS[0]])
    return svc, clock


def test_a_missed_request_is_reopened_with_who_asked_and_dialled_in_a_new_execution(world):
    svc, clock = world
    rid = missed_request(svc, clock)
    clock.advance(minutes=10)

    answer = svc.callbacks.retry(ADMIN, rid)
    assert answer == {"requestId": rid, "status": "accepted",
                      "retry": {"attempt": 1, "requestedAt": clock.now_ms(), "requestedBy": "user:u-admin",
                                "after": "missed"}}
    assert svc.callbacks._workflow.started == [rid, execution_name(rid, 1)] == [rid, f"{rid}-retry-1"]
    # The new execution's plan rings a fresh round (max_rounds 1 counted anew), numbered on.
    step = run_plan(svc, rid, {})
    assert step.action == "ring" and step.ring.round == 2 and step.ring.leg_seq == 0
    svc.callbacks.ring(rid, {"round": 2, "leg_seq": 0, "operators": list(step.ring.operators), "ring_seconds": 20},
                       "token-retry")
    placed = svc.callbacks._dialer.placed[-1]
    bridge = svc.callbacks.operator_answered(rid, "02#operator#00", placed["call_id"])
    assert bridge.visitor == VISITOR and bridge.round == 2
    svc.callbacks.leg_status(rid, "02#visitor#00", "CV2", "in-progress", None)
    assert answers(svc)["token-retry"] == ("success", {"result": "connected", "round": 2})
    svc.callbacks.bridge_complete(rid, 2, "completed", "CV2", 42, True)
    assert run_plan(svc, rid, {"result": "connected", "round": 2}).status == "completed"

    detail = svc.callbacks.detail(ADMIN, rid)
    assert [t["status"] for t in detail["transitions"]] == [
        "accepted", "calling_operator", "missed",
        "accepted", "calling_operator", "calling_visitor", "connected", "completed"]
    reopened = detail["transitions"][3]
    assert reopened == {"status": "accepted", "at": answer["retry"]["requestedAt"], "reason": "manual_retry",
                        "by": "user:u-admin", "attempt": 1}
    assert [r["result"] for r in detail["rounds"]] == ["operator_no_answer", "connected"]
    assert detail["outcome"]["talk_seconds"] == 42 and detail["outcome"]["rounds"] == 1
    [retry] = detail["retries"]
    assert retry["after"] == "missed" and retry["outcome"]["result"] == "operator_no_answer"
    assert "key" not in retry
    assert {leg["leg"] for leg in detail["legs"]} >= {"01#operator#00", "02#operator#00", "02#visitor#00"}


def test_a_visitor_whose_phone_failed_is_dialled_again_rather_than_given_up_at_once(world):
    svc, clock = world
    rid = svc.callbacks.request(form())[0].request_id
    ring_round(svc, rid, "token-1")
    svc.callbacks.operator_answered(rid, "01#operator#00", "CA1")
    svc.callbacks.bridge_complete(rid, 1, "failed", "CV1", 0, False)
    assert run_plan(svc, rid, {"Error": "Callback.VisitorFailed"}).status == "missed"
    svc.callbacks.retry(ADMIN, rid)
    assert run_plan(svc, rid, {}).action == "ring"


def test_a_second_press_while_the_retry_dials_is_refused_and_starts_nothing(world):
    svc, clock = world
    rid = missed_request(svc, clock)
    svc.callbacks.retry(ADMIN, rid)
    with pytest.raises(Conflict) as refused:
        svc.callbacks.retry(ADMIN, rid)
    assert refused.value.code == "callback_in_progress" and refused.value.details == {"status": "accepted"}
    assert svc.callbacks._workflow.started == [rid, f"{rid}-retry-1"]


def test_the_same_idempotency_key_answers_the_same_retry_and_dials_once(world):
    svc, clock = world
    rid = missed_request(svc, clock)
    first = svc.callbacks.retry(ADMIN, rid, "dash-retry-0001")
    clock.advance(seconds=3)
    again = svc.callbacks.retry(ADMIN, rid, "dash-retry-0001")
    assert again == first
    assert svc.callbacks._workflow.started == [rid, f"{rid}-retry-1"]
    # Once the dial has moved on, the same key still answers the same retry, and starts nothing.
    run_plan(svc, rid, {})
    assert svc.callbacks.retry(ADMIN, rid, "dash-retry-0001")["retry"] == first["retry"]
    with pytest.raises(Conflict):
        svc.callbacks.retry(ADMIN, rid, "dash-retry-0002")


def test_a_request_in_progress_or_connected_is_not_retried(world):
    svc, clock = world
    rid = svc.callbacks.request(form())[0].request_id
    with pytest.raises(Conflict) as refused:
        svc.callbacks.retry(ADMIN, rid)
    assert refused.value.code == "callback_in_progress"
    ring_round(svc, rid, "token-1")
    svc.callbacks.operator_answered(rid, "01#operator#00", "CA1")
    svc.callbacks.leg_status(rid, "01#visitor#00", "CV1", "in-progress", None)
    with pytest.raises(Conflict) as refused:
        svc.callbacks.retry(ADMIN, rid)
    assert refused.value.code == "callback_connected"
    svc.callbacks.bridge_complete(rid, 1, "completed", "CV1", 30, True)
    run_plan(svc, rid, {"result": "connected", "round": 1})
    with pytest.raises(Conflict) as refused:
        svc.callbacks.retry(ADMIN, rid)
    assert refused.value.code == "callback_connected"
    assert svc.callbacks._workflow.started == [rid]


def test_another_tenants_request_is_not_found_and_a_bad_key_is_refused(world):
    svc, clock = world
    rid = missed_request(svc, clock)
    with pytest.raises(NotFound):
        svc.callbacks.retry(TenantScope("t2", "owner", frozenset({"t2"}), actor="user:x"), rid)
    with pytest.raises(NotFound):
        svc.callbacks.retry(ADMIN, "cb_nope")
    with pytest.raises(InvalidInput) as refused:
        svc.callbacks.retry(ADMIN, rid, "short")
    assert refused.value.code == "invalid_idempotency_key"


def test_callbacks_switched_off_since_refuse_a_retry(world):
    svc, clock = world
    rid = missed_request(svc, clock)
    site = svc.sites.get("s1")
    from ringback.accounts.sites import Site

    svc.sites.save(Site(**{**site.__dict__, "settings": {"callback": {"enabled": False}}}))
    clock.advance(minutes=2)  # past the site cache
    with pytest.raises(Conflict) as refused:
        svc.callbacks.retry(ADMIN, rid)
    assert refused.value.code == "callbacks_disabled"


def test_a_request_is_retried_a_few_times_at_most(world):
    svc, clock = world
    rid = missed_request(svc, clock)
    for attempt in range(1, MAX_RETRIES + 1):
        svc.callbacks.retry(ADMIN, rid)
        step = run_plan(svc, rid, {})
        token = f"token-r{attempt}"
        svc.callbacks.ring(rid, {"round": step.ring.round, "leg_seq": 0, "operators": list(step.ring.operators),
                                 "ring_seconds": 20}, token)
        svc.callbacks.leg_status(rid, f"{step.ring.round:02d}#operator#00", f"CAr{attempt}", "no-answer", 0)
        assert run_plan(svc, rid, {"Error": "Callback.OperatorNoAnswer"}).status == "missed"
    with pytest.raises(Conflict) as refused:
        svc.callbacks.retry(ADMIN, rid)
    assert refused.value.code == "retry_limit"


# -- the route ---------------------------------------------------------------------------


@pytest.fixture
def installed(world):
    from ringback import bootstrap

    svc, clock = world
    for user, role in (("u-admin", "admin"), ("u-analyst", "analyst")):
        svc.tenants.add_member(Membership("t1", user, f"{user}@t1.test", role))
    rid = missed_request(svc, clock)
    bootstrap.install(svc)
    yield svc, rid
    bootstrap.install(None)


def retry(rid, user="u-admin", key=None):
    return call_function("pool", "POST", f"/v1/callback-requests/{rid}/retry", user, None,
                         {"Idempotency-Key": key} if key else None)


def test_an_admin_retries_through_the_api_and_an_analyst_may_not(installed):
    svc, rid = installed
    status, body, _ = retry(rid, "u-analyst")
    assert status == 403 and body["error"]["code"] == "role_forbidden"
    status, body, _ = retry(rid, key="dash-retry-0003")
    assert status == 202 and body["status"] == "accepted" and body["retry"]["requestedBy"] == "user:u-admin"
    assert retry(rid, key="dash-retry-0003")[:2] == (202, body)
    status, again, _ = retry(rid)
    assert status == 409 and again["error"]["code"] == "callback_in_progress"
    assert svc.callbacks._workflow.started == [rid, f"{rid}-retry-1"]


@pytest.mark.parametrize(("rid", "key", "status", "code"), [
    ("cb_unknown", None, 404, "unknown_request"),
    (None, "no spaces allowed", 400, "invalid_idempotency_key"),
])
def test_bad_retries_get_our_error_shape(installed, rid, key, status, code):
    _, missed = installed
    answer_status, body, _ = retry(rid or missed, key=key)
    assert answer_status == status and body["error"]["code"] == code, json.dumps(body)
