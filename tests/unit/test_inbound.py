import pytest

from ringback.errors import NotFound
from ringback.calls.inbound import IncomingCall
from ringback.tracking.pools import Pool
from ringback.accounts.provisioning import Directories, add_pool
from ringback.accounts.sites import Site

from .tracking_world import START, page, world


def with_site_settings(svc, **settings):
    site = svc.sites.get("s1")
    svc.sites.save(Site(**{**site.__dict__, "destination_numbers": ("+14155550199",),
                           "settings": {"calls": settings}}))


def test_a_call_to_a_leased_number_is_attributed_to_the_visit_and_dialled_with_a_whisper():
    svc, clock, _, _ = world()
    with_site_settings(svc, record=True, recording_notice="This call is recorded.")
    offer = svc.tracking.start(page())
    clock.advance(minutes=2)
    record, plan = svc.inbound.receive(IncomingCall("tw:CA1", offer.numbers[0].number, "+14155550001"))
    assert record.attribution["session_id"] == offer.session_id
    assert record.attribution["source"] == "google" and record.attribution["keyword"] == "leak"
    assert record.attribution["first_time_caller"] is True and record.attribution["caller_country"] == "US"
    assert record.attribution["caller_region"] == "San Francisco, CA"
    assert (plan.action, plan.destinations, plan.record) == ("dial", ("+14155550199",), True)
    assert plan.whisper == "Call from google, keyword leak." and plan.recording_notice == "This call is recorded."


def test_a_retried_webhook_makes_one_record_and_the_same_plan():
    svc, clock, _, _ = world()
    with_site_settings(svc)
    offer = svc.tracking.start(page())
    call = IncomingCall("tw:CA1", offer.numbers[0].number, "+14155550001")
    first = svc.inbound.receive(call)
    clock.advance(seconds=5)
    again = svc.inbound.receive(call)
    assert first == again
    assert len(svc.calls.between("t1", 0, START + 10**9, 10, None).items) == 1


def test_a_second_call_from_the_same_number_is_a_returning_caller():
    svc, _, _, _ = world()
    with_site_settings(svc)
    offer = svc.tracking.start(page())
    svc.inbound.receive(IncomingCall("tw:CA1", offer.numbers[0].number, "+14155550001"))
    record, _ = svc.inbound.receive(IncomingCall("tw:CA2", offer.numbers[0].number, "+14155550001"))
    assert record.attribution["first_time_caller"] is False


def test_a_call_nobody_held_the_number_for_is_unattributed():
    svc, _, _, numbers = world()
    with_site_settings(svc)
    record, _ = svc.inbound.receive(IncomingCall("tw:CA1", numbers[0], "+14155550001"))
    assert record.attribution["method"] == "unattributed" and record.attribution["session_id"] is None


def test_a_static_number_is_attributed_to_its_channel():
    svc, _, _, _ = world()
    with_site_settings(svc)
    record, _ = svc.inbound.receive(IncomingCall("tw:CA1", "+14155550150", "+14155550001"))
    assert record.attribution["method"] == "static" and record.attribution["referrer_domain"] == "yelp.com"


def test_off_hours_take_a_voicemail_or_forward():
    svc, _, _, _ = world()
    site = svc.sites.get("s1")
    closed = {"sun": [["00:00", "00:01"]]}  # the world's clock starts on a Friday
    svc.sites.save(Site(**{**site.__dict__, "working_hours": closed, "destination_numbers": ("+14155550199",)}))
    assert svc.inbound.receive(IncomingCall("tw:CA1", "+14155550150", "+14155550001"))[1].action == "voicemail"
    svc.sites.save(Site(**{**site.__dict__, "working_hours": closed, "destination_numbers": ("+14155550199",),
                           "settings": {"calls": {"off_hours": {"action": "forward", "number": "+14155550177"}}}}))
    plan = svc.inbound.receive(IncomingCall("tw:CA2", "+14155550150", "+14155550001"))[1]
    assert (plan.action, plan.destinations) == ("forward", ("+14155550177",))


def test_extension_codes_are_gathered_then_attributed_exactly():
    svc, clock, _, _ = world()
    with_site_settings(svc)
    dirs = Directories(svc.tenants, svc.sites, svc.pools)
    add_pool(dirs, Pool("ext", "t1", "s1", "codes", mode="extensions", rule={"utm_medium": ["email"]}),
             ["+14155550160"], START)
    offer = svc.tracking.start(page(query="?utm_source=news&utm_medium=email"))
    shown = offer.numbers[0]
    assert shown.number == "+14155550160" and len(shown.extension) == 3
    record, plan = svc.inbound.receive(IncomingCall("tw:CA1", "+14155550160", "+14155550001"))
    assert record is None and plan.action == "gather"
    record, _ = svc.inbound.receive(IncomingCall("tw:CA1", "+14155550160", "+14155550001", digits=shown.extension))
    assert record.attribution["method"] == "extension" and record.attribution["session_id"] == offer.session_id
    assert record.attribution["confidence"] == 1.0


def test_without_digits_an_extension_pool_falls_back_to_ranking_its_holders():
    svc, _, _, _ = world()
    with_site_settings(svc)
    dirs = Directories(svc.tenants, svc.sites, svc.pools)
    add_pool(dirs, Pool("ext", "t1", "s1", "codes", mode="extensions", rule={"utm_medium": ["email"]}),
             ["+14155550160"], START)
    offer = svc.tracking.start(page(query="?utm_source=news&utm_medium=email"))
    record, _ = svc.inbound.receive(IncomingCall("tw:CA1", "+14155550160", "+14155550001", digits=""))
    assert record.attribution["method"] == "lease" and record.attribution["session_id"] == offer.session_id


def test_a_number_we_do_not_track_is_refused():
    svc, _, _, _ = world()
    with pytest.raises(NotFound):
        svc.inbound.receive(IncomingCall("tw:CA1", "+19995550000", "+14155550001"))
