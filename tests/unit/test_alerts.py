"""Missed-call texts: which number they go from (one the carrier lets the account text
from), what is kept of each, and how its delivery reaches the call or callback request it
was about. On the in-memory adapters."""
import pytest

from ringback.accounts import numbers as number_rules
from ringback.accounts.provisioning import (
    Directories,
    add_pool,
    add_site,
    add_static_number,
    enable_callbacks,
    open_tenant,
    set_alert_contacts,
)
from ringback.accounts.sites import Site
from ringback.accounts.tenants import Tenant
from ringback.bootstrap import build_memory_services
from ringback.callbacks.model import CallbackForm
from ringback.calls.inbound import IncomingCall, TrackingNumber
from ringback.clock import ManualClock
from ringback.tracking.pools import Pool

from .code_prompt import receive

# Friday 18:00 UTC: 10:00 in San Francisco, where the visitor's number is.
NOW = 1_800_000_000_000 + 10 * 3_600_000
ORIGIN = "https://www.plumbing.example"
OWN, POOL_NUMBER, STATIC, CONTACT, OPERATOR = ("+14155550100", "+14155550101", "+14155550150", "+14155550198",
                                              "+14155550199")
CALLER = "+14155550001"


def site_with(pool_sms=True, static_sms=True, static=True, contacts=(CONTACT,)):
    clock = ManualClock(NOW)
    svc = build_memory_services(clock)
    dirs = Directories(svc.tenants, svc.sites, svc.pools)
    open_tenant(dirs, Tenant("t1", "Plumbing", retention_days=30), None)
    site = add_site(dirs, Site("s1", "t1", "Plumbing Co", "pk_1", frozenset({"plumbing.example"}),
                               own_numbers=(OWN,), destination_numbers=(OPERATOR,)))
    add_pool(dirs, Pool("p1", "t1", "s1", "search"), [POOL_NUMBER], NOW, sms=pool_sms)
    if static:
        add_static_number(dirs, site, STATIC, {"referrer_domain": ["yelp.com"]}, NOW, sms=static_sms)
    if contacts:
        set_alert_contacts(dirs, "s1", list(contacts))
    enable_callbacks(dirs, "s1", countries=["US"], visitor_hours=["00:00", "24:00"])
    return svc, clock


def missed_call(svc, to=POOL_NUMBER, sid="CA1"):
    call_id = f"tw:{sid}"
    receive(svc.inbound, IncomingCall(call_id, to, CALLER))
    svc.inbound.complete(call_id, "no-answer", 0, None)
    return call_id


def tn(number, kind="pool", sms=True):
    return TrackingNumber(number, "t1", "s1", kind, "p1" if kind == "pool" else None, sms=sms)


def test_legs_call_from_a_static_tracking_number_first_and_a_chosen_one_if_it_is_owned():
    site = Site("s1", "t1", "Main", "pk", frozenset({"x.example"}), own_numbers=(OWN,))
    owned = [tn("+14155550102"), tn(STATIC, "static")]
    assert number_rules.caller_id(site, owned) == STATIC
    chosen = Site(**{**site.__dict__, "settings": {"callback": {"caller_id": "+14155550102"}}})
    assert number_rules.caller_id(chosen, owned) == "+14155550102"
    # A caller ID the account does not own (the site's own number) is never used.
    not_owned = Site(**{**site.__dict__, "settings": {"callback": {"caller_id": OWN}}})
    assert number_rules.caller_id(not_owned, owned) == STATIC
    assert number_rules.caller_id(site, []) is None


def test_a_text_goes_from_the_called_number_when_it_can_text_else_from_one_that_can():
    owned = [tn(POOL_NUMBER, sms=False), tn("+14155550102"), tn(STATIC, "static", sms=False)]
    assert number_rules.sms_sender(owned, "+14155550102") == "+14155550102"
    assert number_rules.sms_sender(owned, POOL_NUMBER) == "+14155550102"
    assert number_rules.sms_sender([tn(POOL_NUMBER, sms=False)], POOL_NUMBER) is None


def test_a_missed_call_is_texted_from_the_number_the_caller_dialled_and_kept():
    svc, _ = site_with()
    call_id = missed_call(svc)
    [sms] = svc.notifier.sent
    assert (sms["to"], sms["from"]) == (CONTACT, POOL_NUMBER)
    assert sms["status_url"] == "http://localhost/v1/carrier/sms-status"
    [(message_id, alert)] = svc.calls.get(call_id)[1].alerts.items()
    assert alert == {"to": CONTACT, "from": POOL_NUMBER, "status": "queued", "error_code": None, "rank": 0,
                     "at": NOW}
    message = svc.alerts._messages.get(message_id)
    assert (message.tenant_id, message.site_id, message.purpose, message.call_id) == ("t1", "s1", "missed_call",
                                                                                     call_id)


def test_a_called_number_that_cannot_text_hands_the_text_to_the_sites_number_that_can():
    svc, _ = site_with(pool_sms=False)
    missed_call(svc)
    assert [sms["from"] for sms in svc.notifier.sent] == [STATIC]


def test_a_site_left_without_a_number_that_can_text_shows_its_alerts_failed():
    # Set up while its static number could text; since then the records say it cannot.
    svc, _ = site_with(pool_sms=False)
    svc.pools.numbers[STATIC]["sms"] = False
    call_id = missed_call(svc)
    assert svc.notifier.sent == []
    [alert] = svc.calls.get(call_id)[1].alerts.values()
    assert (alert["status"], alert["error_code"], alert["from"]) == ("failed", "no_sms_number", None)


def test_a_text_the_carrier_refuses_is_kept_as_failed_with_its_error_code():
    svc, _ = site_with()
    svc.notifier.sms_numbers = {STATIC}  # the carrier's view: only the static number texts
    call_id = missed_call(svc)
    [alert] = svc.calls.get(call_id)[1].alerts.values()
    assert (alert["status"], alert["error_code"], alert["from"]) == ("failed", "21606", POOL_NUMBER)


def test_a_texts_status_only_moves_forward_and_reaches_its_call():
    svc, clock = site_with()
    call_id = missed_call(svc)
    [message_id] = svc.calls.get(call_id)[1].alerts
    clock.advance(seconds=1)
    assert svc.alerts.status(message_id, "sent", None) is not None
    clock.advance(seconds=1)
    assert svc.alerts.status(message_id, "undelivered", "30003").status == "undelivered"
    # A retry, a late "sent" and a second final status change nothing.
    assert svc.alerts.status(message_id, "undelivered", "30003") is None
    assert svc.alerts.status(message_id, "sent", None) is None
    assert svc.alerts.status(message_id, "delivered", None) is None
    alert = svc.calls.get(call_id)[1].alerts[message_id]
    assert (alert["status"], alert["error_code"], alert["at"]) == ("undelivered", "30003", NOW + 2_000)


def test_a_status_reported_before_the_text_was_kept_is_not_lost():
    svc, _ = site_with()
    # The carrier's callback beats our write of the message: it is kept, then completed.
    svc.alerts.status("tw:SM00000000000000000000000000000001", "failed", "30006")
    call_id = missed_call(svc)
    [alert] = svc.calls.get(call_id)[1].alerts.values()
    assert (alert["status"], alert["error_code"]) == ("failed", "30006")


def test_an_unknown_message_status_is_refused():
    from ringback.errors import InvalidInput

    svc, _ = site_with()
    with pytest.raises(InvalidInput):
        svc.alerts.status("tw:SM1", "exploded", None)


def form(phone="+14155550123"):
    return CallbackForm("pk_1", ORIGIN, phone, "US", client_address="198.51.100.7")


def missed_callback(svc):
    rid = svc.callbacks.request(form())[0].request_id
    step = svc.callbacks.plan(rid, {})
    svc.callbacks.ring(rid, {"round": 1, "leg_seq": 0, "operators": list(step.ring.operators),
                             "ring_seconds": 20}, "token-1")
    svc.callbacks.abandon(rid, {"Error": "States.TaskFailed"})
    return rid


def test_a_missed_callback_is_texted_from_the_number_its_legs_called_from():
    svc, _ = site_with()
    rid = missed_callback(svc)
    [placed] = svc.callbacks._dialer.placed
    [sms] = svc.notifier.sent
    assert placed["from"] == STATIC and (sms["from"], sms["to"]) == (STATIC, CONTACT)
    request = svc.callbacks._store.get(rid)
    [(message_id, alert)] = request.alerts.items()
    assert alert["status"] == "queued"
    svc.alerts.status(message_id, "delivered", None)
    assert svc.callbacks._store.get(rid).alerts[message_id]["status"] == "delivered"
    assert svc.alerts._messages.get(message_id).request_id == rid


def test_an_alert_noted_mid_change_is_not_lost_by_the_change():
    svc, _ = site_with()
    rid = missed_callback(svc)
    stale = svc.callbacks._store.get(rid)
    [message_id] = stale.alerts
    svc.alerts.status(message_id, "failed", "30003")
    stale.outcome = {**stale.outcome, "note": "written from a stale read"}
    assert not svc.callbacks._store.save(stale)  # noting the alert was a write: the stale copy loses
    assert svc.callbacks._store.get(rid).alerts[message_id]["status"] == "failed"


def test_a_callback_on_a_site_with_no_number_of_ours_fails_at_once_and_rings_nobody():
    # Saved around provisioning (an old record, a number released since): the plan step
    # refuses to ring rather than place legs the carrier would refuse (21210).
    svc, _ = site_with(static=False, contacts=())
    del svc.pools.numbers[POOL_NUMBER]
    rid = svc.callbacks.request(form())[0].request_id
    step = svc.callbacks.plan(rid, {})
    assert (step.action, step.status) == ("done", "failed")
    request = svc.callbacks._store.get(rid)
    assert request.transitions[-1]["reason"] == "no_caller_id" and svc.callbacks._dialer.placed == []
