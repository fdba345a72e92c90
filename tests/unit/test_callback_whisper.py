"""What the operator of a callback heard: the whisper is kept on its round by the write
that gives the operator the visitor, and the dashboard's detail shows it round by round,
exactly as spoken, however the request's racing writes fall. Then the doors: the TwiML's
<Say> is the text the detail shows, and no log line carries a number in it in full."""
import io
import json
import logging
import xml.etree.ElementTree as ET

from ringback.accounts.sites import Site
from ringback.accounts.tenants import Membership, TenantScope
from ringback.adapters.logs import get_logger
from ringback.callbacks.model import WHISPER_MAX_CHARS
from tests.support.authorizer import call_function

from .test_callback_doors import _handler, ask, signed, svc  # noqa: F401  (svc: the doors' fixture)
from .test_callbacks import _ring_after_wait, callback_world, form, ring_round, run_plan
from .tracking_world import ORIGIN, page

OWNER = TenantScope("t1", "owner", frozenset({"t1"}))


def test_the_detail_shows_the_whisper_the_operator_heard_on_its_round():
    service, _ = callback_world()
    service.tracking.start(page())
    rid = service.callbacks.request(form(page=f"{ORIGIN}/pricing"))[0].request_id
    ring_round(service, rid, "token-1")
    assert service.callbacks.detail(OWNER, rid)["whisper"] is None  # ringing: nobody has heard anything yet

    bridge = service.callbacks.operator_answered(rid, "01#operator#00", "CA1")
    # While the operator is on the line, the round being rung already says what they heard.
    assert service.callbacks.detail(OWNER, rid)["whisper"] == bridge.whisper
    service.callbacks.leg_status(rid, "01#visitor#00", "CV1", "in-progress", None)
    service.callbacks.bridge_complete(rid, 1, "completed", "CV1", 30, True)
    run_plan(service, rid, {"result": "connected", "round": 1})

    detail = service.callbacks.detail(OWNER, rid)
    assert bridge.whisper.startswith("Callback request from Main.") and "Page /pricing." in bridge.whisper
    assert [r["whisper"] for r in detail["rounds"]] == [bridge.whisper]
    assert detail["whisper"] == bridge.whisper and detail["status"] == "completed"


def test_a_round_nobody_answered_has_no_whisper_and_the_last_one_heard_stays_on_top():
    service, clock = callback_world()
    rid = service.callbacks.request(form())[0].request_id
    ring_round(service, rid, "token-1")
    heard = service.callbacks.operator_answered(rid, "01#operator#00", "CA1").whisper
    service.callbacks.bridge_complete(rid, 1, "busy", "CV1", 0, False)  # the visitor was busy
    step = run_plan(service, rid, {"Error": "Callback.VisitorBusy"})
    clock.advance(ms=step.wait_ms)
    _ring_after_wait(service, rid, "token-2")
    service.callbacks.leg_status(rid, "02#operator#00", "CA2", "no-answer", 0)
    run_plan(service, rid, {"Error": "Callback.OperatorNoAnswer"})

    detail = service.callbacks.detail(OWNER, rid)
    assert [(r["round"], r["result"], r["whisper"]) for r in detail["rounds"]] == [
        (1, "visitor_busy", heard), (2, "operator_no_answer", None)]
    assert detail["whisper"] == heard


def test_the_whisper_is_what_was_spoken_even_if_the_site_changes_or_the_carrier_asks_again():
    service, _ = callback_world()
    rid = service.callbacks.request(form())[0].request_id
    ring_round(service, rid, "token-1")
    first = service.callbacks.operator_answered(rid, "01#operator#00", "CA1")
    site = service.sites.get("s1")
    service.sites.save(Site(**{**site.__dict__, "name": "Renamed"}))
    # The carrier retries the answer webhook: the operator hears the same words again.
    again = service.callbacks.operator_answered(rid, "01#operator#00", "CA1")
    assert again.whisper == first.whisper and "Main" in first.whisper
    assert service.callbacks.detail(OWNER, rid)["whisper"] == first.whisper


def test_the_whisper_survives_a_write_that_lands_between_the_read_and_the_save():
    service, _ = callback_world()
    rid = service.callbacks.request(form())[0].request_id
    ring_round(service, rid, "token-1")
    store, real_save, saves, built = service.callbacks._store, service.callbacks._store.save, [], []
    real_has_caller = service.callbacks._calls.has_caller

    def racing_save(request):
        saves.append(request.version)
        if len(saves) == 1:
            # A text about the request lands first (it moves the version): this save loses.
            store.note_alert(rid, "SM1", {"rank": 1, "status": "sent"})
        return real_save(request)

    def counted_has_caller(*args):
        built.append(args)
        return real_has_caller(*args)

    store.save, service.callbacks._calls.has_caller = racing_save, counted_has_caller
    bridge = service.callbacks.operator_answered(rid, "01#operator#00", "CA1")
    stored = store.get(rid)
    assert stored.pending["whisper"] == bridge.whisper and stored.pending["operator_leg"] == "01#operator#00"
    assert len(saves) == 2 and "SM1" in stored.alerts  # the first save lost; the other write is kept
    assert len(built) == 1  # the whisper is built once, not once per try of the write


def test_a_long_whisper_is_kept_as_cut_for_the_carrier():
    service, _ = callback_world()
    rid = service.callbacks.request(form(page=f"{ORIGIN}/{'p' * 490}"))[0].request_id
    ring_round(service, rid, "token-1")
    bridge = service.callbacks.operator_answered(rid, "01#operator#00", "CA1")
    assert len(bridge.whisper) == WHISPER_MAX_CHARS
    assert service.callbacks.detail(OWNER, rid)["whisper"] == bridge.whisper


# -- the doors -----------------------------------------------------------------------------


def test_the_api_shows_the_said_whisper_and_the_logs_never_hold_its_number_in_full(svc):  # noqa: F811
    svc.tenants.add_member(Membership("t1", "u-owner", "o@t1.test", "owner"))
    lines = io.StringIO()
    handlers = []
    for name in ("dialer", "reports"):
        logger = get_logger(name)  # what the apps log through, with the formatter they write with
        handler = logging.StreamHandler(lines)
        handler.setFormatter(logger.registered_formatter)
        logger._logger.addHandler(handler)
        handlers.append((logger, handler))
    try:
        # A page whose path reads like a phone number: the whisper says it.
        rid = json.loads(ask({"phone": "(415) 555-0123", "country": "US",
                              "page": f"{ORIGIN}/call/415-555-0134"}).body)["requestId"]
        plan = _handler()({"op": "plan", "request_id": rid, "last": {}}, None)
        _handler()({"op": "ring", "request_id": rid, "ring": plan, "task_token": "token-1"}, None)
        [placed] = svc.callbacks._dialer.placed
        answered = signed(placed["answer_url"].removeprefix("https://calls.example"),
                          {"CallSid": placed["call_id"], "CallStatus": "in-progress"})
        said = ET.fromstring(answered.body).find("Say").text
        status, detail, _ = call_function("reports", "GET", f"/v1/callback-requests/{rid}", "u-owner")
        get_logger("dialer").info("operator answered", extra={"whisper": said})  # even if one were careless
    finally:
        for logger, handler in handlers:
            logger._logger.removeHandler(handler)
    assert status == 200 and detail["whisper"] == said and "Page /call/415-555-0134." in said
    assert detail["rounds"] == [] and "whisper" in detail  # the round is still being rung
    logged = lines.getvalue()
    assert logged and "415-555-0134" not in logged and "4155550134" not in logged
